//! Builds the black-and-white views of an image that the reader searches.
//!
//! One binarisation at one scale reads most photos; the rest need another scale (codes
//! that fill a large photo, or whose modules are one or two pixels) or another threshold
//! (shading, glare, printed on fabric). Each function here makes one such view.

use image::GrayImage;
use rxing::common::{BitMatrix, GlobalHistogramBinarizer};
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

/// Half-side of the square whose mean [`sharpened`] subtracts: 7×7 pixels, one to two
/// modules of the symbols blur defeats (blur hides modules of a few pixels; larger modules
/// survive it). Measured on the synthetic blurred set: 5×5 reads none of the extra
/// symbols, 7×7 and 13×13 read two more of ten, 9×9 one.
pub(crate) const SHARPEN_RADIUS: usize = 3;

/// zxing's hybrid binariser: 8×8 blocks thresholded on their 5×5 neighbourhood's mean
/// (our own implementation, see [`crate::hybrid`]); like zxing, images too small for one
/// neighbourhood get the global threshold instead.
pub(crate) fn hybrid(image: &GrayImage) -> Option<BitMatrix> {
    crate::hybrid::hybrid(image).or_else(|| global(image))
}

/// zxing's global-histogram binariser: one threshold for the whole image, found at the
/// valley between its two luminance peaks. Copes with blur that defeats local thresholds.
pub(crate) fn global(image: &GrayImage) -> Option<BitMatrix> {
    let source = Luma8Source::new_with_slice(image.as_raw(), image.width(), image.height()).ok()?;
    GlobalHistogramBinarizer::new(source)
        .get_black_matrix()
        .ok()
        .cloned()
}

/// Our own adaptive threshold over a square window much larger than the hybrid
/// binariser's, computed with an integral image so the cost is linear in pixels.
///
/// The hybrid binariser's 40-pixel neighbourhood is smaller than one module of a close-up
/// photo, and inside a large dark module it invents edges; this one does not.
pub(crate) fn local_mean(image: &GrayImage) -> Option<BitMatrix> {
    let radius = (image.width().min(image.height()) / LOCAL_MEAN_WINDOW_DIVISOR).max(4);
    let keep = u64::from(100 - LOCAL_MEAN_MARGIN_PERCENT);
    let mut bits = BitMatrix::new(image.width(), image.height()).ok()?;
    window_sums(image, radius as usize, |x, y, p, sum, count| {
        if u64::from(p) * count * 100 < sum * keep {
            bits.set(x as u32, y as u32);
        }
    });
    Some(bits)
}

/// The image with its detail doubled: each pixel pushed away from the mean of the
/// (2·[`SHARPEN_RADIUS`] + 1)² square around it (an unsharp mask with a box blur).
///
/// Blur of about half a module spreads each module's darkness over its neighbours, so a
/// lone module sits near the local threshold and the sampler reads noise; subtracting the
/// local mean restores the contrast between neighbouring modules. Linear in the pixels.
pub(crate) fn sharpened(image: &GrayImage) -> GrayImage {
    let mut out = GrayImage::new(image.width(), image.height());
    window_sums(image, SHARPEN_RADIUS, |x, y, p, sum, count| {
        let mean = (sum / count) as i32;
        let value = (2 * i32::from(p) - mean).clamp(0, 255);
        out.put_pixel(x as u32, y as u32, image::Luma([value as u8]));
    });
    out
}

/// Calls `each(x, y, pixel, sum, count)` for every pixel with the sum and count of the
/// pixels in the square of half-side `radius` around it (cut at the image's edges), from
/// a summed-area table, so the cost is linear in pixels whatever the radius.
fn window_sums(image: &GrayImage, radius: usize, mut each: impl FnMut(usize, usize, u8, u64, u64)) {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let pixels = image.as_raw();
    // Summed-area table with a zero first row and column; u64 so no image size overflows.
    let stride = w + 1;
    let mut integral = vec![0u64; stride * (h + 1)];
    for (y, row) in pixels.chunks_exact(w).enumerate() {
        let mut row_sum = 0u64;
        for (x, &p) in row.iter().enumerate() {
            row_sum += u64::from(p);
            integral[(y + 1) * stride + x + 1] = integral[y * stride + x + 1] + row_sum;
        }
    }
    let window = |c: usize, len: usize| (c.saturating_sub(radius), (c + radius + 1).min(len));
    let columns: Vec<(usize, usize)> = (0..w).map(|x| window(x, w)).collect();
    for (y, row) in pixels.chunks_exact(w).enumerate() {
        let (y0, y1) = window(y, h);
        let (top, bottom) = (&integral[y0 * stride..], &integral[y1 * stride..]);
        for (x, (&p, &(x0, x1))) in row.iter().zip(&columns).enumerate() {
            let sum = bottom[x1] + top[x0] - top[x1] - bottom[x0];
            let count = ((y1 - y0) * (x1 - x0)) as u64;
            each(x, y, p, sum, count);
        }
    }
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
    let (f, src_w) = (factor as usize, image.width() as usize);
    let area = factor * factor;
    let mut sums = vec![0u32; w as usize];
    let mut out = Vec::with_capacity(w as usize * h as usize);
    for band in image.as_raw().chunks_exact(src_w * f).take(h as usize) {
        sums.fill(0);
        for row in band.chunks_exact(src_w) {
            for (sum, block) in sums.iter_mut().zip(row.chunks_exact(f)) {
                *sum += block.iter().map(|&p| u32::from(p)).sum::<u32>();
            }
        }
        out.extend(sums.iter().map(|&s| (s / area) as u8));
    }
    GrayImage::from_raw(w, h, out).unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharpening_keeps_flat_areas_and_pushes_each_side_of_an_edge_apart() {
        let flat = GrayImage::from_pixel(20, 20, image::Luma([128]));
        assert_eq!(sharpened(&flat), flat);
        // Dark left half, light right half.
        let edge = GrayImage::from_fn(20, 20, |x, _| image::Luma([if x < 10 { 60 } else { 180 }]));
        let sharp = sharpened(&edge);
        let at = |x| sharp.get_pixel(x, 10).0[0];
        assert!(at(9) < 60 && at(10) > 180, "{} {}", at(9), at(10));
        // Beyond the window the image is unchanged.
        assert_eq!((at(2), at(17)), (60, 180));
    }
}
