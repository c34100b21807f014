//! zxing's "hybrid" local threshold, computed in a few passes over rows of bytes.
//!
//! The result is the same, bit for bit, as rxing's `HybridBinarizer` (the tests check it
//! on the corpus), so the reader's accuracy does not move; only the cost does. rxing reads
//! each pixel through its luminance-source trait and sets bits one call at a time, which
//! made binarisation half of a typical scan. Here every pass is a straight loop over a
//! row slice that the compiler can vectorise, and the bits are packed a word at a time.
//!
//! The method: the image is cut into 8×8 blocks; each block gets a black point (its mean,
//! or for flat blocks a guess from its neighbours); each block is then thresholded at the
//! mean black point of the 5×5 blocks around it (clamped at the edges). When a side is not
//! a multiple of 8 the last block is moved back to end at the edge, so it overlaps its
//! neighbour, and a pixel in the overlap is black if either block calls it black.

use image::GrayImage;
use rxing::common::{BitArray, BitMatrix};

/// Side of a block in pixels.
const BLOCK: usize = 8;

/// log2 of the pixels in a block, to turn a block's sum into its mean.
const BLOCK_AREA_SHIFT: u32 = 6;

/// Blocks whose darkest and lightest pixels differ by no more than this are flat: their
/// mean would split sensor noise into black and white, so they get a neighbour's black
/// point instead (zxing's `MIN_DYNAMIC_RANGE`).
const MIN_DYNAMIC_RANGE: u8 = 24;

/// Blocks on each side of a block whose black points set its threshold (5×5 in all).
const NEIGHBOURHOOD: usize = 2;

/// Images narrower or shorter than this have fewer blocks than one neighbourhood; zxing
/// falls back to one global threshold for them, and so does [`hybrid`]'s caller.
pub(crate) const MIN_SIDE: u32 = (BLOCK * (2 * NEIGHBOURHOOD + 1)) as u32;

/// Bits in a word of rxing's `BitMatrix` rows (64 natively, 32 in wasm32).
const WORD_BITS: usize = usize::BITS as usize;

/// The hybrid threshold of `image`, or of its negative when `negative` (the same bits as
/// thresholding an inverted copy, without making one: every pixel is read through `!`,
/// which is 255 minus it), or `None` when a side is below [`MIN_SIDE`].
pub(crate) fn hybrid(image: &GrayImage, negative: bool) -> Option<BitMatrix> {
    if negative {
        hybrid_of::<true>(image)
    } else {
        hybrid_of::<false>(image)
    }
}

/// [`hybrid`], with the polarity fixed at compile time so the pixel loops stay branch-free.
fn hybrid_of<const NEGATIVE: bool>(image: &GrayImage) -> Option<BitMatrix> {
    let (width, height) = (image.width() as usize, image.height() as usize);
    if width < MIN_SIDE as usize || height < MIN_SIDE as usize {
        return None;
    }
    let pixels = image.as_raw();
    let blocks = Blocks::new(width, height);
    let points = black_points::<NEGATIVE>(pixels, &blocks);
    let thresholds = block_thresholds(&points, &blocks);

    // Per block row, the threshold of every pixel column: its block's, or in the column
    // overlap the larger of the two blocks' (black under either is black under the larger).
    let mut column_thresholds = vec![0u8; blocks.rows * width];
    for (out, row) in column_thresholds
        .chunks_exact_mut(width)
        .zip(thresholds.chunks_exact(blocks.columns))
    {
        for (chunk, &t) in out.chunks_mut(BLOCK).zip(row) {
            chunk.fill(t);
        }
        let last = row[blocks.columns - 1];
        for t in &mut out[width - BLOCK..] {
            *t = (*t).max(last);
        }
    }

    let last_row = &column_thresholds[(blocks.rows - 1) * width..];
    let mut overlap = vec![0u8; width];
    pack_rows(image.width(), image.height(), |y, black| {
        let row = &pixels[y * width..][..width];
        let own = &column_thresholds[(y / BLOCK) * width..][..width];
        let limits = if y >= height - BLOCK {
            for ((t, &a), &b) in overlap.iter_mut().zip(own).zip(last_row) {
                *t = a.max(b);
            }
            &overlap[..]
        } else {
            own
        };
        // `<=` so that pure black is black even under a zero threshold.
        for ((b, &p), &t) in black.iter_mut().zip(row).zip(limits) {
            *b = u8::from(pixel::<NEGATIVE>(p) <= t);
        }
    })
}

/// A `width`×`height` bit matrix filled row by row: `fill(y, black)` sets one byte per
/// pixel of row `y` (1 = black; the slice is `width` long), and the bytes are packed a
/// word at a time. Every binariser of [`crate::views`] writes its bits through this, as
/// setting them one call at a time cost as much as computing them. `None` for an empty
/// size.
pub(crate) fn pack_rows(
    width: u32,
    height: u32,
    mut fill: impl FnMut(usize, &mut [u8]),
) -> Option<BitMatrix> {
    let mut bits = BitMatrix::new(width, height).ok()?;
    let width = width as usize;
    let words = width.div_ceil(WORD_BITS);
    let mut row_bits = BitArray::with_size(width);
    // One byte per pixel, padded with zeros to whole words.
    let mut black = vec![0u8; words * WORD_BITS];
    for y in 0..height as usize {
        fill(y, &mut black[..width]);
        for (i, word) in black.chunks_exact(WORD_BITS).enumerate() {
            row_bits.setBulk(i * WORD_BITS, pack_word(word));
        }
        bits.setRow(y as u32, &row_bits);
    }
    Some(bits)
}

/// The block grid of an image.
struct Blocks {
    width: usize,
    height: usize,
    /// Blocks across, counting a part block at the right edge.
    columns: usize,
    /// Blocks down, counting a part block at the bottom edge.
    rows: usize,
}

impl Blocks {
    fn new(width: usize, height: usize) -> Self {
        Blocks {
            width,
            height,
            columns: width.div_ceil(BLOCK),
            rows: height.div_ceil(BLOCK),
        }
    }
}

/// Each block's black point, row by row: the block's mean, or for a flat block half its
/// minimum, raised to its upper and left neighbours' weighted mean when that is above
/// the block's darkest pixel (a flat dark area inside a symbol, not background).
fn black_points<const NEGATIVE: bool>(pixels: &[u8], blocks: &Blocks) -> Vec<u8> {
    let (width, columns) = (blocks.width, blocks.columns);
    let mut points = vec![0u8; blocks.rows * columns];
    // Per pixel column, over the 8 rows of the current block row.
    let mut stats = ColumnStats::new(width);
    for by in 0..blocks.rows {
        let top = (by * BLOCK).min(blocks.height - BLOCK);
        stats.of_band::<NEGATIVE>(&pixels[top * width..(top + BLOCK) * width]);
        let ColumnStats { sums, lows, highs } = &stats;
        for bx in 0..columns {
            let left = (bx * BLOCK).min(width - BLOCK);
            let span = left..left + BLOCK;
            let sum: u32 = sums[span.clone()].iter().map(|&s| u32::from(s)).sum();
            let low = lows[span.clone()].iter().copied().fold(u8::MAX, u8::min);
            let high = highs[span].iter().copied().fold(0, u8::max);
            let mut point = (sum >> BLOCK_AREA_SHIFT) as u8;
            if high - low <= MIN_DYNAMIC_RANGE {
                point = low / 2;
                if by > 0 && bx > 0 {
                    let at = |y: usize, x: usize| u32::from(points[y * columns + x]);
                    let neighbours = (at(by - 1, bx) + 2 * at(by, bx - 1) + at(by - 1, bx - 1)) / 4;
                    if u32::from(low) < neighbours {
                        point = neighbours as u8;
                    }
                }
            }
            points[by * columns + bx] = point;
        }
    }
    points
}

/// Per pixel column of a band of [`BLOCK`] rows: the sum, the darkest and the lightest
/// of its pixels.
struct ColumnStats {
    sums: Vec<u16>,
    lows: Vec<u8>,
    highs: Vec<u8>,
}

impl ColumnStats {
    fn new(width: usize) -> Self {
        ColumnStats {
            sums: vec![0; width],
            lows: vec![0; width],
            highs: vec![0; width],
        }
    }

    /// The statistics of `band` ([`BLOCK`] rows of the image's width), its pixels read
    /// through [`pixel`]. Sixteen columns at a time are kept in registers down the band's
    /// rows and stored once: accumulated in the three arrays row by row instead, loading
    /// and storing the running values made a 640 × 640 hybrid view cost 133 µs instead
    /// of 106. The columns past the last whole sixteen (every width that is not a
    /// multiple of 16; the tests use 21, 40, 97, 131 and 333) are summed the plain way.
    fn of_band<const NEGATIVE: bool>(&mut self, band: &[u8]) {
        // One SSE2 or wasm128 register of pixels.
        const LANES: usize = 16;
        let width = self.sums.len();
        let whole = width - width % LANES;
        for x in (0..whole).step_by(LANES) {
            let (mut sums, mut lows, mut highs) = ([0u16; LANES], [u8::MAX; LANES], [0u8; LANES]);
            for row in band.chunks_exact(width) {
                let pixels = sums.iter_mut().zip(&mut lows).zip(&mut highs);
                for (((sum, low), high), &p) in pixels.zip(&row[x..x + LANES]) {
                    let p = pixel::<NEGATIVE>(p);
                    *sum += u16::from(p);
                    *low = (*low).min(p);
                    *high = (*high).max(p);
                }
            }
            self.sums[x..x + LANES].copy_from_slice(&sums);
            self.lows[x..x + LANES].copy_from_slice(&lows);
            self.highs[x..x + LANES].copy_from_slice(&highs);
        }
        let rest = whole..width;
        self.sums[rest.clone()].fill(0);
        self.lows[rest.clone()].fill(u8::MAX);
        self.highs[rest.clone()].fill(0);
        for row in band.chunks_exact(width) {
            let columns = self.sums[rest.clone()]
                .iter_mut()
                .zip(&mut self.lows[rest.clone()])
                .zip(&mut self.highs[rest.clone()]);
            for (((sum, low), high), &p) in columns.zip(&row[rest.clone()]) {
                let p = pixel::<NEGATIVE>(p);
                *sum += u16::from(p);
                *low = (*low).min(p);
                *high = (*high).max(p);
            }
        }
    }
}

/// Each block's threshold: the mean black point of the 5×5 blocks centred on it, the
/// centre clamped so the neighbourhood stays inside the grid.
fn block_thresholds(points: &[u8], blocks: &Blocks) -> Vec<u8> {
    let (columns, rows) = (blocks.columns, blocks.rows);
    let span = 2 * NEIGHBOURHOOD + 1;
    // Horizontal sums of `span` black points, one per valid centre column.
    let centres = columns - 2 * NEIGHBOURHOOD;
    let mut across = vec![0u32; rows * centres];
    for (out, row) in across
        .chunks_exact_mut(centres)
        .zip(points.chunks_exact(columns))
    {
        for (o, window) in out.iter_mut().zip(row.windows(span)) {
            *o = window.iter().map(|&p| u32::from(p)).sum();
        }
    }
    let clamp = |i: usize, n: usize| i.clamp(NEIGHBOURHOOD, n - 1 - NEIGHBOURHOOD) - NEIGHBOURHOOD;
    let mut thresholds = vec![0u8; rows * columns];
    for by in 0..rows {
        let first = clamp(by, rows);
        for bx in 0..columns {
            let cx = clamp(bx, columns);
            let sum: u32 = (first..first + span)
                .map(|r| across[r * centres + cx])
                .sum();
            thresholds[by * columns + bx] = (sum / (span * span) as u32) as u8;
        }
    }
    thresholds
}

/// A pixel as the threshold sees it: itself, or in the negative 255 minus it.
#[inline(always)]
fn pixel<const NEGATIVE: bool>(p: u8) -> u8 {
    if NEGATIVE { !p } else { p }
}

/// Packs one word's worth of 0/1 bytes into a word, first byte in the lowest bit.
fn pack_word(black: &[u8]) -> usize {
    black
        .chunks_exact(8)
        .enumerate()
        .fold(0, |word, (i, eight)| {
            word | usize::from(pack_byte(eight)) << (8 * i)
        })
}

/// Packs eight 0/1 bytes into one byte, first byte in the lowest bit: the multiply moves
/// byte `i`'s bit to bit `56 + i` with no two products landing on the same bit.
fn pack_byte(eight: &[u8]) -> u8 {
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let lanes = u64::from_le_bytes(eight.try_into().unwrap_or_default());
    (lanes.wrapping_mul(GATHER) >> 56) as u8
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rxing::common::HybridBinarizer;
    use rxing::{Binarizer, Luma8Source};

    fn rxing_hybrid(image: &GrayImage) -> BitMatrix {
        let source = Luma8Source::new_with_slice(image.as_raw(), image.width(), image.height())
            .expect("a valid image");
        HybridBinarizer::new(source)
            .get_black_matrix()
            .expect("large enough for the hybrid threshold")
            .clone()
    }

    /// A deterministic image with gradients, flat areas and noise, so that every branch
    /// (flat blocks, neighbour correction, overlaps) is taken; the views' tests use it too.
    pub(crate) fn test_image(width: u32, height: u32, seed: u32) -> GrayImage {
        let mut state = seed.wrapping_mul(2_654_435_761).max(1);
        GrayImage::from_fn(width, height, |x, y| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = (state % 9) as u8;
            let base = if (x / 13 + y / 7) % 3 == 0 {
                30
            } else if x > width / 2 {
                200 - (y % 50) as u8
            } else {
                (x * 255 / width) as u8 / 2 + 60
            };
            image::Luma([base.saturating_add(noise)])
        })
    }

    #[test]
    fn the_threshold_matches_rxings_hybrid_binariser_bit_for_bit() {
        for (width, height) in [
            (40, 40),
            (41, 47),
            (64, 64),
            (65, 40),
            (240, 240),
            (333, 129),
        ] {
            for seed in 1..4 {
                let image = test_image(width, height, seed);
                assert_eq!(
                    hybrid(&image, false).expect("large enough"),
                    rxing_hybrid(&image),
                    "{width}x{height} seed {seed}"
                );
            }
        }
    }

    #[cfg(feature = "corpus")]
    #[test]
    fn the_threshold_matches_rxings_on_every_corpus_photo_and_its_negative() {
        for (path, mut image) in crate::corpus::shared_photos() {
            if image.width() < MIN_SIDE || image.height() < MIN_SIDE {
                continue;
            }
            for _ in 0..2 {
                assert!(
                    hybrid(&image, false) == Some(rxing_hybrid(&image)),
                    "{}",
                    path.display()
                );
                image::imageops::invert(&mut image);
            }
        }
    }

    #[test]
    fn images_below_one_neighbourhood_are_left_to_the_global_threshold() {
        assert!(hybrid(&GrayImage::new(39, 200), false).is_none());
        assert!(hybrid(&GrayImage::new(200, 39), true).is_none());
    }
}
