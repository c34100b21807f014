//! A block threshold at the midrange of each block's darkest and lightest pixel, trusted
//! only where the block's contrast stands out from the image's own noise, and smoothed
//! over the trusted blocks around it.
//!
//! The idea is zxing-cpp's newer local-average binariser (its 3.x releases; this is our
//! own implementation): zxing's older hybrid threshold takes each 8×8 block's *mean*,
//! which a block mostly dark or mostly light pulls towards its majority, so the lone
//! modules of small, blurred or foreshortened symbols (a finder pattern squashed to two
//! pixels a module across the tilt) fall on the wrong side. The midrange sits halfway
//! between the block's dark and light whatever their shares. Flat blocks carry no
//! threshold of their own; instead of a fixed contrast floor (zxing's 24 grey levels),
//! the floor is twice the contrast of the flattest quarter of the blocks (most of a frame
//! is background, so that is the sensor's noise), which keeps a dark, noisy photo from
//! turning its background into salt and pepper.

use image::GrayImage;
use rxing::common::BitMatrix;

use crate::hybrid::pack_rows;

/// Side of a block in pixels.
const BLOCK: usize = 8;

/// Blocks on each side of a block whose trusted thresholds are averaged into its own.
const NEIGHBOURHOOD: usize = 2;

/// Weight of a trusted block's own threshold against each trusted neighbour's (1).
const OWN_WEIGHT: u32 = 3;

/// Lowest contrast floor: a block must span more grey levels than this to be trusted
/// (zxing's `MIN_DYNAMIC_RANGE`).
const MIN_RANGE: u8 = 24;

/// Highest contrast floor, however noisy the image: above it, printed modules would be
/// taken for noise.
const MAX_RANGE: u8 = 96;

/// The flattest blocks, in percent of all, whose contrast measures the noise.
const NOISE_PERCENTILE: usize = 25;

/// Images narrower or shorter than one neighbourhood of blocks are left to the caller's
/// global threshold.
pub(crate) const MIN_SIDE: u32 = (BLOCK * (2 * NEIGHBOURHOOD + 1)) as u32;

/// The midrange threshold of `image`, or `None` when a side is below [`MIN_SIDE`] or no
/// block has contrast above the noise (a blank frame).
pub(crate) fn midrange(image: &GrayImage) -> Option<BitMatrix> {
    let (width, height) = (image.width() as usize, image.height() as usize);
    if width < MIN_SIDE as usize || height < MIN_SIDE as usize {
        return None;
    }
    let pixels = image.as_raw();
    let (columns, rows) = (width.div_ceil(BLOCK), height.div_ceil(BLOCK));
    // A part block at the right or bottom edge is moved back to end at the edge.
    let left = |bx: usize| (bx * BLOCK).min(width - BLOCK);
    let top = |by: usize| (by * BLOCK).min(height - BLOCK);

    let mut mids = vec![0u8; columns * rows];
    let mut ranges = vec![0u8; columns * rows];
    let (mut lows, mut highs) = (vec![0u8; width], vec![0u8; width]);
    for by in 0..rows {
        let band = &pixels[top(by) * width..(top(by) + BLOCK) * width];
        lows.copy_from_slice(&band[..width]);
        highs.copy_from_slice(&band[..width]);
        for row in band.chunks_exact(width).skip(1) {
            for ((low, high), &p) in lows.iter_mut().zip(&mut highs).zip(row) {
                *low = (*low).min(p);
                *high = (*high).max(p);
            }
        }
        for bx in 0..columns {
            let span = left(bx)..left(bx) + BLOCK;
            let low = lows[span.clone()].iter().copied().fold(u8::MAX, u8::min);
            let high = highs[span].iter().copied().fold(0, u8::max);
            mids[by * columns + bx] = ((u16::from(low) + u16::from(high)) / 2) as u8;
            ranges[by * columns + bx] = high - low;
        }
    }

    let mut sorted = ranges.clone();
    let quantile = sorted.len() * NOISE_PERCENTILE / 100;
    let noise = *sorted.select_nth_unstable(quantile).1;
    let floor = noise.saturating_mul(2).clamp(MIN_RANGE, MAX_RANGE);
    let trusted: Vec<bool> = ranges.iter().map(|&r| r > floor).collect();
    if !trusted.contains(&true) {
        return None;
    }

    let thresholds = smooth(&mids, &trusted, columns, rows);
    // Wide flat areas (no trusted block near) take the threshold last met in reading
    // order, and those before the first take the first.
    let first = thresholds.iter().flatten().next().copied().unwrap_or(0);
    let mut last = first;
    let filled: Vec<u8> = thresholds
        .iter()
        .map(|t| {
            last = t.unwrap_or(last);
            last
        })
        .collect();

    // Per pixel column, the threshold of the current block row; the moved-back last block
    // wins where it overlaps its neighbour, in columns and in rows.
    let mut limits = vec![0u8; width];
    let mut current = usize::MAX;
    pack_rows(image.width(), image.height(), |y, black| {
        let by = if y >= top(rows - 1) {
            rows - 1
        } else {
            y / BLOCK
        };
        if by != current {
            current = by;
            for bx in 0..columns {
                limits[left(bx)..left(bx) + BLOCK].fill(filled[by * columns + bx]);
            }
        }
        let row = &pixels[y * width..(y + 1) * width];
        // `<=` so that pure black is black even under a zero threshold.
        for ((b, &p), &t) in black.iter_mut().zip(row).zip(&limits) {
            *b = u8::from(p <= t);
        }
    })
}

/// Each block's threshold: the weighted mean of the trusted block midranges `mids` in the
/// 5×5 blocks around it (the window clamped inside the `columns` × `rows` grid, its own
/// block weighing [`OWN_WEIGHT`]), `None` where none is trusted.
///
/// The window sums are separable: sums of five blocks across, then of five of those down,
/// so each block costs a few additions instead of 25 tests and additions (this step was
/// more than half of the view's 240 µs on a 640 × 640 frame); the sums are the same
/// integers as the straightforward loop's (a test compares them).
fn smooth(mids: &[u8], trusted: &[bool], columns: usize, rows: usize) -> Vec<Option<u8>> {
    // The window's half-side: a grid narrower than a window gets the widest that fits.
    let (rx, ry) = (
        NEIGHBOURHOOD.min((columns - 1) / 2),
        NEIGHBOURHOOD.min((rows - 1) / 2),
    );
    // A trusted block adds its midrange and a weight of one; an untrusted one nothing.
    let values: Vec<u32> = mids
        .iter()
        .zip(trusted)
        .map(|(&m, &t)| if t { u32::from(m) } else { 0 })
        .collect();
    let weights: Vec<u32> = trusted.iter().map(|&t| u32::from(t)).collect();
    // Sums over each window of the grid, indexed by the window's first column and row.
    let windows = |grid: &[u32]| {
        let across = columns - 2 * rx;
        let mut rows_summed = vec![0u32; rows * across];
        for (out, row) in rows_summed
            .chunks_exact_mut(across)
            .zip(grid.chunks_exact(columns))
        {
            for (o, span) in out.iter_mut().zip(row.windows(2 * rx + 1)) {
                *o = span.iter().sum();
            }
        }
        let down = rows - 2 * ry;
        let mut sums = vec![0u32; down * across];
        for (y, out) in sums.chunks_exact_mut(across).enumerate() {
            for band in rows_summed[y * across..(y + 2 * ry + 1) * across].chunks_exact(across) {
                for (o, &v) in out.iter_mut().zip(band) {
                    *o += v;
                }
            }
        }
        sums
    };
    let (value_sums, weight_sums) = (windows(&values), windows(&weights));
    let across = columns - 2 * rx;
    let mut thresholds = Vec::with_capacity(columns * rows);
    for by in 0..rows {
        let wy = by.clamp(ry, rows - 1 - ry) - ry;
        for bx in 0..columns {
            let wx = bx.clamp(rx, columns - 1 - rx) - rx;
            let (w, i) = (wy * across + wx, by * columns + bx);
            // The own block is in its window; its extra weight on top.
            let sum = value_sums[w] + (OWN_WEIGHT - 1) * values[i];
            let count = weight_sums[w] + (OWN_WEIGHT - 1) * weights[i];
            thresholds.push((count > 0).then(|| (sum / count) as u8));
        }
    }
    thresholds
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`smooth`] the straightforward way: every block's 5×5 window visited.
    fn reference_smooth(
        mids: &[u8],
        trusted: &[bool],
        columns: usize,
        rows: usize,
    ) -> Vec<Option<u8>> {
        let clamp = |i: usize, n: usize| {
            let r = NEIGHBOURHOOD.min((n - 1) / 2);
            i.clamp(r, n - 1 - r) - r..=i.clamp(r, n - 1 - r) + r
        };
        let mut thresholds: Vec<Option<u8>> = vec![None; columns * rows];
        for by in 0..rows {
            for bx in 0..columns {
                let (mut sum, mut count) = (0u32, 0u32);
                for y in clamp(by, rows) {
                    for x in clamp(bx, columns) {
                        let i = y * columns + x;
                        if trusted[i] {
                            let w = if (x, y) == (bx, by) { OWN_WEIGHT } else { 1 };
                            sum += w * u32::from(mids[i]);
                            count += w;
                        }
                    }
                }
                thresholds[by * columns + bx] = (count > 0).then(|| (sum / count) as u8);
            }
        }
        thresholds
    }

    #[test]
    fn smoothing_sums_the_same_window_as_the_straightforward_loop() {
        let mut state = 12345u32;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        for (columns, rows) in [(5, 5), (5, 9), (6, 5), (7, 11), (13, 8), (80, 60)] {
            for trusted_percent in [0, 5, 50, 100] {
                let n = columns * rows;
                let mids: Vec<u8> = (0..n).map(|_| next() as u8).collect();
                let trusted: Vec<bool> = (0..n).map(|_| next() % 100 < trusted_percent).collect();
                assert_eq!(
                    smooth(&mids, &trusted, columns, rows),
                    reference_smooth(&mids, &trusted, columns, rows),
                    "{columns}x{rows}, {trusted_percent} % trusted"
                );
            }
        }
    }

    #[test]
    fn a_lone_dark_line_in_a_light_block_is_black_and_the_light_around_it_white() {
        // A one-pixel dark line every 16 pixels on light paper: each block holding one is
        // mostly light, so its mean sits near the light level; the midrange splits them.
        let image = GrayImage::from_fn(64, 64, |x, _| {
            image::Luma([if x % 16 == 3 { 90 } else { 200 }])
        });
        let bits = midrange(&image).expect("large enough");
        for y in [0, 17, 63] {
            for x in 0..64 {
                assert_eq!(bits.get(x, y), x % 16 == 3, "({x}, {y})");
            }
        }
    }

    #[test]
    fn flat_noise_is_not_trusted_and_a_blank_frame_has_no_threshold() {
        assert!(midrange(&GrayImage::from_pixel(64, 64, image::Luma([128]))).is_none());
        assert!(midrange(&GrayImage::new(39, 200)).is_none());
    }
}
