//! Decoded 8-bit pixel rows to the grey `qr-scan` reads, as the image looks on a white page.
//!
//! Every decoder path ends here (PNG row by row as it inflates, the image crate's GIF, BMP and
//! WebP buffers, JPEG files without a stored luma plane), so every format gets the same grey
//! for the same colour. The arithmetic is integer: the image crate's own conversion went
//! through `f32` in 256-pixel batches and took most of the time of loading a palette PNG and a
//! third of an RGB one (figures in crates/qr-core/README.md).

/// BT.709 luma weights of R, G and B in 1/65536ths (0.2126, 0.7152, 0.0722, the weights the
/// image crate uses for sRGB). They sum to exactly 65536, so a pixel with R = G = B keeps its
/// level; each is within half a unit of its exact weight, so any colour comes out within half a
/// level (plus 255/65536 of one) of the exact weighted sum.
const LUMA_WEIGHTS: [u32; 3] = [13_933, 46_871, 4_732];

/// One [`LUMA_WEIGHTS`] unit of grey per level: luma of white.
const LUMA_ONE: u32 = 1 << 16;

/// How a decoded row stores its pixels: 8 bits a sample, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    Grey,
    GreyAlpha,
    Rgb,
    Rgba,
}

impl Layout {
    /// Bytes a pixel.
    pub(super) fn channels(self) -> usize {
        match self {
            Self::Grey => 1,
            Self::GreyAlpha => 2,
            Self::Rgb => 3,
            Self::Rgba => 4,
        }
    }
}

/// Writes the grey of `row` (pixels in `layout`) into `grey`, one byte a pixel.
///
/// Transparent pixels show white whatever colour they store: image viewers, browsers and a
/// phone pointed at a screen all show transparency over a light background, and codes with a
/// transparent background are common (logos, stickers); taking the stored colour instead makes
/// a symbol whose light modules are "transparent black" read as all dark. Partly transparent
/// pixels are blended over white, rounded to the nearest level.
pub(super) fn row_over_white(layout: Layout, row: &[u8], grey: &mut [u8]) {
    match layout {
        Layout::Grey => grey.copy_from_slice(row),
        Layout::GreyAlpha => {
            for (p, g) in row.chunks_exact(2).zip(grey) {
                *g = blend(u32::from(p[0]) * LUMA_ONE, p[1]);
            }
        }
        Layout::Rgb => {
            for (p, g) in row.chunks_exact(3).zip(grey) {
                *g = opaque(luma(p[0], p[1], p[2]));
            }
        }
        // Screenshots and exports are usually RGBA with every pixel opaque: one pass finds
        // that, and the row then takes the RGB loop's arithmetic without the blend's division.
        Layout::Rgba if row.chunks_exact(4).all(|p| p[3] == u8::MAX) => {
            for (p, g) in row.chunks_exact(4).zip(grey) {
                *g = opaque(luma(p[0], p[1], p[2]));
            }
        }
        Layout::Rgba => {
            for (p, g) in row.chunks_exact(4).zip(grey) {
                *g = blend(luma(p[0], p[1], p[2]), p[3]);
            }
        }
    }
}

/// The grey image of a whole frame of `width` × `height` pixels in `layout`, row by row
/// through [`row_over_white`].
pub(super) fn frame_over_white(
    layout: Layout,
    samples: &[u8],
    width: u32,
    height: u32,
) -> image::GrayImage {
    let columns = width as usize;
    let mut grey = vec![0; columns * height as usize];
    let line = columns * layout.channels();
    for (row, out) in samples
        .chunks_exact(line)
        .zip(grey.chunks_exact_mut(columns))
    {
        row_over_white(layout, row, out);
    }
    image::GrayImage::from_raw(width, height, grey).expect("one grey byte per pixel")
}

/// Luma of an RGB pixel in [`LUMA_WEIGHTS`] units (white is 255 × [`LUMA_ONE`]).
fn luma(r: u8, g: u8, b: u8) -> u32 {
    let [wr, wg, wb] = LUMA_WEIGHTS;
    wr * u32::from(r) + wg * u32::from(g) + wb * u32::from(b)
}

/// The nearest level to an opaque pixel's `luma`.
fn opaque(luma: u32) -> u8 {
    ((luma + LUMA_ONE / 2) >> 16) as u8
}

/// The nearest level to `luma` at opacity `alpha` over white: luma × α + 255 × (1 − α).
fn blend(luma: u32, alpha: u8) -> u8 {
    let (alpha, max) = (u64::from(alpha), u64::from(u8::MAX));
    let one = u64::from(LUMA_ONE);
    let over = u64::from(luma) * alpha + max * one * (max - alpha);
    let scale = max * one;
    ((over + scale / 2) / scale) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Half a level for the rounding, plus the weights' own rounding to 1/65536: under one
    /// unit in all, on channels of at most 255.
    const WITHIN: f64 = 0.5 + 255.0 / 65536.0;

    fn grey_of(layout: Layout, pixel: &[u8]) -> u8 {
        let mut grey = [0];
        row_over_white(layout, pixel, &mut grey);
        grey[0]
    }

    /// The exact BT.709 grey of an RGB pixel at opacity `alpha` over white, in reals.
    fn exact(rgb: [u8; 3], alpha: u8) -> f64 {
        let [r, g, b] = rgb.map(f64::from);
        let luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let alpha = f64::from(alpha) / 255.0;
        luma * alpha + 255.0 * (1.0 - alpha)
    }

    #[test]
    fn every_colour_is_within_half_a_level_of_bt709_and_greys_keep_their_level() {
        for r in 0..=255u8 {
            for g in (0..=255u8).step_by(3) {
                for b in (0..=255u8).step_by(5) {
                    let grey = grey_of(Layout::Rgb, &[r, g, b]);
                    let off = (f64::from(grey) - exact([r, g, b], 255)).abs();
                    assert!(off <= WITHIN, "{r} {g} {b} -> {grey} ({off})");
                    assert_eq!(grey_of(Layout::Rgba, &[r, g, b, 255]), grey);
                }
            }
            assert_eq!(grey_of(Layout::Rgb, &[r, r, r]), r);
            assert_eq!(grey_of(Layout::GreyAlpha, &[r, 255]), r);
            assert_eq!(grey_of(Layout::Grey, &[r]), r);
        }
    }

    #[test]
    fn transparency_blends_over_white_to_the_nearest_level() {
        for alpha in 0..=255u8 {
            for level in [0u8, 1, 37, 128, 254, 255] {
                let want = exact([level; 3], alpha).round() as u8;
                assert_eq!(grey_of(Layout::GreyAlpha, &[level, alpha]), want);
                assert_eq!(
                    grey_of(Layout::Rgba, &[level, level, level, alpha]),
                    want,
                    "{level} at {alpha}"
                );
            }
            let colour = [200, 30, 90];
            let off =
                f64::from(grey_of(Layout::Rgba, &[200, 30, 90, alpha])) - exact(colour, alpha);
            assert!(off.abs() <= WITHIN, "{colour:?} at {alpha}: {off}");
        }
        // Fully transparent is white whatever is stored; half-transparent black is mid grey.
        assert_eq!(grey_of(Layout::Rgba, &[0, 0, 0, 0]), 255);
        assert_eq!(grey_of(Layout::GreyAlpha, &[0, 128]), 127);
    }

    /// A row with one pixel not opaque blends that pixel and gives the others the opaque grey.
    #[test]
    fn a_row_mixing_opaque_and_transparent_pixels() {
        let row = [10, 200, 30, 255, 0, 0, 0, 0, 90, 90, 90, 255];
        let mut grey = [0; 3];
        row_over_white(Layout::Rgba, &row, &mut grey);
        assert_eq!(grey, [grey_of(Layout::Rgb, &[10, 200, 30]), 255, 90]);
    }
}
