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
//!
//! [`Flat::LocalInk`] changes one guess of zxing's for the first view: a flat light block
//! takes half its minimum as its black point because zxing assumes ink near black, which
//! puts that point below the ink of a photo whose blacks are lifted (over-exposure, stray
//! light, grey print): averaged into the blocks around a code's edge, it drags their
//! thresholds below the dark modules, and the finder patterns' outer rings vanish (the
//! synthetic overexposed set: 1 of 10 read, zxing-cpp's single pass 10). There the black
//! point is the darkest ink seen in the 5×5 blocks around instead, whenever that is above
//! half the block's minimum; where ink is near black it is the same bits as zxing's.

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

/// Blocks whose darkest and lightest pixels differ by more than this hold ink and paper,
/// so their darkest pixel is a sample of the local ink level ([`Flat::LocalInk`]). Twice
/// [`MIN_DYNAMIC_RANGE`]: a flat area's texture, a little above the floor, would otherwise
/// pass for ink and raise the black points around it until the hybrid view splits the
/// texture into finder-like noise (differential seed 806: 1041 failed triples, the view
/// flooded, the code lost; at 36, 48 and 64 the code reads).
const INK_RANGE: u8 = 2 * MIN_DYNAMIC_RANGE;

/// How a flat block (no more contrast than [`MIN_DYNAMIC_RANGE`]) guesses its black point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flat {
    /// zxing's guess: half its minimum (ink assumed near black), raised to its upper and
    /// left neighbours' black points where those are above its minimum.
    HalfMinimum,
    /// The larger of zxing's half minimum and the darkest pixel of the [`INK_RANGE`] blocks
    /// in its 5×5 neighbourhood, when that is below its own minimum (the ink beside light
    /// paper); then zxing's neighbour rule as before.
    LocalInk,
}

/// Blocks on each side of a block whose black points set its threshold (5×5 in all).
const NEIGHBOURHOOD: usize = 2;

/// Images narrower or shorter than this have fewer blocks than one neighbourhood; zxing
/// falls back to one global threshold for them, and so does [`hybrid`]'s caller.
pub(crate) const MIN_SIDE: u32 = (BLOCK * (2 * NEIGHBOURHOOD + 1)) as u32;

/// Bits in a word of rxing's `BitMatrix` rows (64 natively, 32 in wasm32).
const WORD_BITS: usize = usize::BITS as usize;

/// The hybrid threshold of `image`, or of its negative when `negative` (the same bits as
/// thresholding an inverted copy, without making one: every pixel is read through `!`,
/// which is 255 minus it), with flat blocks guessed by `flat`, or `None` when a side is
/// below [`MIN_SIDE`].
pub(crate) fn hybrid(image: &GrayImage, negative: bool, flat: Flat) -> Option<BitMatrix> {
    if negative {
        hybrid_of::<true>(image, flat)
    } else {
        hybrid_of::<false>(image, flat)
    }
}

/// [`hybrid`], with the polarity fixed at compile time so the pixel loops stay branch-free.
fn hybrid_of<const NEGATIVE: bool>(image: &GrayImage, flat: Flat) -> Option<BitMatrix> {
    let (width, height) = (image.width() as usize, image.height() as usize);
    if width < MIN_SIDE as usize || height < MIN_SIDE as usize {
        return None;
    }
    let pixels = image.as_raw();
    let blocks = Blocks::new(width, height);
    let stats = block_stats::<NEGATIVE>(pixels, &blocks);
    let points = black_points(&stats, &blocks, flat);
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

/// Each block's mean, darkest and lightest pixel, row by row.
struct BlockStats {
    means: Vec<u8>,
    lows: Vec<u8>,
    highs: Vec<u8>,
}

fn block_stats<const NEGATIVE: bool>(pixels: &[u8], blocks: &Blocks) -> BlockStats {
    let (width, columns) = (blocks.width, blocks.columns);
    let count = blocks.rows * columns;
    let mut stats = BlockStats {
        means: vec![0u8; count],
        lows: vec![0u8; count],
        highs: vec![0u8; count],
    };
    // Per pixel column, over the 8 rows of the current block row.
    let mut band = ColumnStats::new(width);
    for by in 0..blocks.rows {
        let top = (by * BLOCK).min(blocks.height - BLOCK);
        band.of_band::<NEGATIVE>(&pixels[top * width..(top + BLOCK) * width]);
        let ColumnStats { sums, lows, highs } = &band;
        for bx in 0..columns {
            let left = (bx * BLOCK).min(width - BLOCK);
            let span = left..left + BLOCK;
            let sum: u32 = sums[span.clone()].iter().map(|&s| u32::from(s)).sum();
            let i = by * columns + bx;
            stats.means[i] = (sum >> BLOCK_AREA_SHIFT) as u8;
            stats.lows[i] = lows[span.clone()].iter().copied().fold(u8::MAX, u8::min);
            stats.highs[i] = highs[span].iter().copied().fold(0, u8::max);
        }
    }
    stats
}

/// Per block, the darkest pixel of the [`INK_RANGE`] blocks among the 5×5 around it (the
/// window clipped at the grid's edges), or 255 where there is none: a sliding minimum
/// along each row (over a copy padded with 255), then across the rows, a slice at a time.
fn local_ink(stats: &BlockStats, blocks: &Blocks) -> Vec<u8> {
    let (columns, rows) = (blocks.columns, blocks.rows);
    let span = 2 * NEIGHBOURHOOD + 1;
    let mut padded = vec![u8::MAX; columns + 2 * NEIGHBOURHOOD];
    let mut across = vec![u8::MAX; stats.lows.len()];
    for ((out, lows), highs) in across
        .chunks_exact_mut(columns)
        .zip(stats.lows.chunks_exact(columns))
        .zip(stats.highs.chunks_exact(columns))
    {
        for ((ink, &low), &high) in padded[NEIGHBOURHOOD..].iter_mut().zip(lows).zip(highs) {
            *ink = if high - low > INK_RANGE { low } else { u8::MAX };
        }
        for (o, window) in out.iter_mut().zip(padded.windows(span)) {
            *o = window.iter().copied().fold(u8::MAX, u8::min);
        }
    }
    let mut near = vec![u8::MAX; across.len()];
    for (by, out) in near.chunks_exact_mut(columns).enumerate() {
        let first = by.saturating_sub(NEIGHBOURHOOD);
        let last = (by + NEIGHBOURHOOD).min(rows - 1);
        for row in across[first * columns..(last + 1) * columns].chunks_exact(columns) {
            for (n, &a) in out.iter_mut().zip(row) {
                *n = (*n).min(a);
            }
        }
    }
    near
}

/// Each block's black point, row by row: the block's mean, or for a flat block the guess
/// `flat` names, raised to its upper and left neighbours' weighted mean when that is above
/// the block's darkest pixel (a flat dark area inside a symbol, not background).
fn black_points(stats: &BlockStats, blocks: &Blocks, flat: Flat) -> Vec<u8> {
    let columns = blocks.columns;
    let ink = (flat == Flat::LocalInk).then(|| local_ink(stats, blocks));
    let mut points = vec![0u8; stats.means.len()];
    for by in 0..blocks.rows {
        let (done, rest) = points.split_at_mut(by * columns);
        let row = &mut rest[..columns];
        // The row above, for the neighbour rule (none on the first row).
        let above = &done[done.len().saturating_sub(columns)..];
        let range = by * columns..(by + 1) * columns;
        let lows = &stats.lows[range.clone()];
        let highs = &stats.highs[range.clone()];
        let inks = ink.as_ref().map(|ink| &ink[range.clone()]);
        row.copy_from_slice(&stats.means[range]);
        for bx in 0..columns {
            let (low, high) = (lows[bx], highs[bx]);
            if high - low > MIN_DYNAMIC_RANGE {
                continue;
            }
            let mut point = low / 2;
            if let Some(inks) = inks
                && inks[bx] < low
            {
                point = point.max(inks[bx]);
            }
            if by > 0 && bx > 0 {
                let neighbours =
                    (u32::from(above[bx]) + 2 * u32::from(row[bx - 1]) + u32::from(above[bx - 1]))
                        / 4;
                if u32::from(low) < neighbours {
                    point = neighbours as u8;
                }
            }
            row[bx] = point;
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
    // Vertical sums of `span` rows of those, kept up to date as the window moves down a
    // row (one add and one subtract per centre column); the rows of the clamped top and
    // bottom share the first and last window.
    let mut sums = vec![0u32; centres];
    for row in across[..span * centres].chunks_exact(centres) {
        for (s, &a) in sums.iter_mut().zip(row) {
            *s += a;
        }
    }
    let mut thresholds = vec![0u8; rows * columns];
    for by in 0..rows {
        let first = clamp(by, rows);
        if by > NEIGHBOURHOOD && first == by - NEIGHBOURHOOD && by + NEIGHBOURHOOD < rows {
            // The window moved down one row: row `first - 1` left it, row `by + 2` came in.
            let (gone, came) = (
                &across[(first - 1) * centres..first * centres],
                &across[(by + NEIGHBOURHOOD) * centres..(by + NEIGHBOURHOOD + 1) * centres],
            );
            for ((s, &g), &c) in sums.iter_mut().zip(gone).zip(came) {
                *s = *s + c - g;
            }
        }
        for (bx, t) in thresholds[by * columns..(by + 1) * columns]
            .iter_mut()
            .enumerate()
        {
            *t = (sums[clamp(bx, columns)] / (span * span) as u32) as u8;
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
                    hybrid(&image, false, Flat::HalfMinimum).expect("large enough"),
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
                    hybrid(&image, false, Flat::HalfMinimum) == Some(rxing_hybrid(&image)),
                    "{}",
                    path.display()
                );
                image::imageops::invert(&mut image);
            }
        }
    }

    /// Black points of `image` with flat blocks guessed by `flat`.
    fn points_of(image: &GrayImage, flat: Flat) -> Vec<u8> {
        let blocks = Blocks::new(image.width() as usize, image.height() as usize);
        black_points(
            &block_stats::<false>(image.as_raw(), &blocks),
            &blocks,
            flat,
        )
    }

    #[test]
    fn only_blocks_of_more_than_ink_range_show_ink_to_the_flat_blocks_around_them() {
        // White paper with one block holding a single darker pixel, `range` below white:
        // at INK_RANGE it is texture and the flat blocks keep zxing's half minimum (127);
        // one level more and the flat blocks within two blocks take its level as their
        // black point, those further away keep 127.
        for (range, near) in [(INK_RANGE, 127), (INK_RANGE + 1, 255 - INK_RANGE - 1)] {
            let image = GrayImage::from_fn(80, 80, |x, y| {
                image::Luma([if (x, y) == (27, 27) { 255 - range } else { 255 }])
            });
            let half = points_of(&image, Flat::HalfMinimum);
            let local = points_of(&image, Flat::LocalInk);
            assert!(half.iter().enumerate().all(|(i, &p)| i == 33 || p == 127));
            for by in 0..10usize {
                for bx in 0..10usize {
                    let i = by * 10 + bx;
                    if (bx, by) == (3, 3) {
                        continue;
                    }
                    let within = bx.abs_diff(3) <= 2 && by.abs_diff(3) <= 2;
                    let expected = if within { near } else { 127 };
                    assert_eq!(local[i], expected, "range {range}, block ({bx}, {by})");
                }
            }
        }
    }

    /// A version-1-sized pattern of dark squares (`dark`) on paper (`light`), 6 px a
    /// module with 4 modules of quiet zone: a finder pattern's rings at the top left.
    fn finder_on_paper(dark: u8, light: u8) -> GrayImage {
        GrayImage::from_fn(120, 120, |x, y| {
            let (mx, my) = (x as i32 / 6 - 4, y as i32 / 6 - 4);
            let inside = (0..7).contains(&mx) && (0..7).contains(&my);
            let (cx, cy) = ((mx - 3).abs(), (my - 3).abs());
            let dark_module = inside && (cx.max(cy) == 3 || cx.max(cy) <= 1);
            image::Luma([if dark_module { dark } else { light }])
        })
    }

    #[test]
    fn the_outer_ring_of_a_finder_pattern_with_lifted_blacks_stays_black() {
        // Over-exposed: ink at 190 on clipped white. zxing's half minimum (127) for the
        // quiet zone's flat blocks drags the ring's thresholds below 190 and the ring
        // turns white; the ink around them as their black point keeps it black.
        let image = finder_on_paper(190, 255);
        let ring_pixels = |bits: &BitMatrix| {
            (24..66)
                .flat_map(|a| [(a, 24), (24, a), (a, 65), (65, a)])
                .filter(|&(x, y)| bits.get(x, y))
                .count()
        };
        let zxing = hybrid(&image, false, Flat::HalfMinimum).expect("large enough");
        let local = hybrid(&image, false, Flat::LocalInk).expect("large enough");
        assert!(
            ring_pixels(&zxing) < 84,
            "zxing's guess keeps the ring: test is void"
        );
        assert_eq!(ring_pixels(&local), 4 * 42);
        // Ink near black: the same bits as zxing's (and rxing's).
        let clean = finder_on_paper(20, 235);
        assert_eq!(
            hybrid(&clean, false, Flat::LocalInk),
            hybrid(&clean, false, Flat::HalfMinimum)
        );
    }

    #[test]
    fn images_below_one_neighbourhood_are_left_to_the_global_threshold() {
        for flat in [Flat::HalfMinimum, Flat::LocalInk] {
            assert!(hybrid(&GrayImage::new(39, 200), false, flat).is_none());
            assert!(hybrid(&GrayImage::new(200, 39), true, flat).is_none());
        }
    }
}
