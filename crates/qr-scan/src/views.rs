//! Builds the black-and-white views of an image that the reader searches.
//!
//! One binarisation at one scale reads most photos; the rest need another scale (codes
//! that fill a large photo, or whose modules are one or two pixels) or another threshold
//! (shading, glare, printed on fabric). Each function here makes one such view.

use image::GrayImage;
use rxing::common::{BitMatrix, GlobalHistogramBinarizer, HybridBinarizer};
use rxing::{Binarizer, Luma8Source};

/// Views smaller than this on their short side are not made: a version-1 symbol with its
/// quiet zone is 29 modules, and the finder search needs about two pixels per module.
pub(crate) const MIN_VIEW_SIDE: u32 = 48;

/// Half-window of the local-mean threshold, as a fraction of the image's short side.
///
/// A window of about an eighth of the image spans several modules of any symbol that
/// fills a useful part of the frame, yet follows shading across the frame.
const LOCAL_MEAN_WINDOW_DIVISOR: u32 = 16;

/// A pixel is black when it is this many percent darker than its window's mean
/// (Bradley and Roth's adaptive threshold).
const LOCAL_MEAN_MARGIN_PERCENT: u32 = 12;

/// zxing's hybrid binariser: 8×8 blocks thresholded on their 5×5 neighbourhood's mean.
pub(crate) fn hybrid(image: &GrayImage) -> Option<BitMatrix> {
    let source = Luma8Source::new_with_slice(image.as_raw(), image.width(), image.height()).ok()?;
    HybridBinarizer::new(source).get_black_matrix().ok().cloned()
}

/// zxing's global-histogram binariser: one threshold for the whole image, found at the
/// valley between its two luminance peaks. Copes with blur that defeats local thresholds.
pub(crate) fn global(image: &GrayImage) -> Option<BitMatrix> {
    let source = Luma8Source::new_with_slice(image.as_raw(), image.width(), image.height()).ok()?;
    GlobalHistogramBinarizer::new(source).get_black_matrix().ok().cloned()
}

/// Our own adaptive threshold over a square window much larger than the hybrid
/// binariser's, computed with an integral image so the cost is linear in pixels.
///
/// The hybrid binariser's 40-pixel neighbourhood is smaller than one module of a close-up
/// photo, and inside a large dark module it invents edges; this one does not.
pub(crate) fn local_mean(image: &GrayImage) -> Option<BitMatrix> {
    let (w, h) = image.dimensions();
    let radius = (w.min(h) / LOCAL_MEAN_WINDOW_DIVISOR).max(4);
    let stride = w as usize + 1;
    let mut integral = vec![0u64; stride * (h as usize + 1)];
    for y in 0..h as usize {
        let mut row_sum = 0u64;
        for x in 0..w as usize {
            row_sum += u64::from(image.as_raw()[y * w as usize + x]);
            integral[(y + 1) * stride + x + 1] = integral[y * stride + x + 1] + row_sum;
        }
    }
    let mut bits = BitMatrix::new(w, h).ok()?;
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(radius) as usize, (y + radius + 1).min(h) as usize);
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(radius) as usize, (x + radius + 1).min(w) as usize);
            let sum = integral[y1 * stride + x1] + integral[y0 * stride + x0]
                - integral[y0 * stride + x1]
                - integral[y1 * stride + x0];
            let count = ((y1 - y0) * (x1 - x0)) as u64;
            let pixel = u64::from(image.as_raw()[(y * w + x) as usize]);
            if pixel * count * 100 < sum * u64::from(100 - LOCAL_MEAN_MARGIN_PERCENT) {
                bits.set(x, y);
            }
        }
    }
    Some(bits)
}

/// The image with dark and light swapped, for light-on-dark symbols.
pub(crate) fn inverted(image: &GrayImage) -> GrayImage {
    let mut out = image.clone();
    image::imageops::invert(&mut out);
    out
}

/// The image at `1/factor` of its size, each pixel the mean of a `factor`×`factor` block.
pub(crate) fn shrink(image: &GrayImage, factor: u32) -> GrayImage {
    let (w, h) = (image.width() / factor, image.height() / factor);
    let area = factor * factor;
    GrayImage::from_fn(w, h, |x, y| {
        let mut sum = 0u32;
        for dy in 0..factor {
            for dx in 0..factor {
                sum += u32::from(image.get_pixel(x * factor + dx, y * factor + dy).0[0]);
            }
        }
        image::Luma([(sum / area) as u8])
    })
}

/// The image at twice its size, by bilinear interpolation, for symbols whose modules are
/// so small that the finder search cannot tell their rings apart.
pub(crate) fn enlarge(image: &GrayImage) -> GrayImage {
    let (w, h) = image.dimensions();
    let sample = |x: u32, y: u32| f32::from(image.get_pixel(x.min(w - 1), y.min(h - 1)).0[0]);
    GrayImage::from_fn(w * 2, h * 2, |x, y| {
        // Centre of the output pixel in input coordinates.
        let fx = ((x as f32 + 0.5) / 2.0 - 0.5).max(0.0);
        let fy = ((y as f32 + 0.5) / 2.0 - 0.5).max(0.0);
        let (x0, y0) = (fx as u32, fy as u32);
        let (tx, ty) = (fx - x0 as f32, fy - y0 as f32);
        let top = sample(x0, y0) * (1.0 - tx) + sample(x0 + 1, y0) * tx;
        let bottom = sample(x0, y0 + 1) * (1.0 - tx) + sample(x0 + 1, y0 + 1) * tx;
        image::Luma([(top * (1.0 - ty) + bottom * ty).round() as u8])
    })
}
