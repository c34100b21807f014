//! Builds the black-and-white views of an image that the reader searches.
//!
//! One binarisation at one scale reads most photos; the rest need another scale (codes
//! that fill a large photo, or whose modules are one or two pixels) or another threshold
//! (shading, glare, printed on fabric). Each function here makes one such view.

use image::GrayImage;
use rxing::common::BitMatrix;

use crate::hybrid::Flat;

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

/// A binariser: the black-and-white view of an image, or of its negative when `inverted`
/// (the same bits as binarising [`inverted`]`(image)`, without copying the image where
/// the threshold allows it); `None` when the image has too little contrast or is empty.
pub(crate) type Binariser = fn(&GrayImage, bool) -> Option<BitMatrix>;

/// zxing's hybrid binariser: 8×8 blocks thresholded on their 5×5 neighbourhood's mean
/// (our own implementation, see [`crate::hybrid`]); like zxing, images too small for one
/// neighbourhood get the global threshold instead. Flat blocks take a rule of their own,
/// so the negative is binarised afresh rather than flipped (reading the pixels negated,
/// without a copy).
pub(crate) fn hybrid(image: &GrayImage, inverted: bool) -> Option<BitMatrix> {
    crate::hybrid::hybrid(image, inverted, Flat::HalfMinimum).or_else(|| global(image, inverted))
}

/// [`hybrid`] with flat blocks guessing their black point from the ink around them
/// ([`Flat::LocalInk`]), for the first view: the same bits as [`hybrid`] where ink is
/// near black, and codes whose blacks are lifted (over-exposure) keep their finder
/// patterns.
pub(crate) fn hybrid_local_ink(image: &GrayImage, inverted: bool) -> Option<BitMatrix> {
    crate::hybrid::hybrid(image, inverted, Flat::LocalInk).or_else(|| global(image, inverted))
}

/// Buckets of the global threshold's histogram (zxing's 5 bits of luminance).
const BUCKETS: usize = 32;

/// The block-midrange threshold (see [`crate::midrange`]); images too small for one
/// neighbourhood, or without contrast, get the global threshold instead. The midrange of
/// the negative is not quite the flipped bits (a pixel at the threshold is black in both),
/// so the negative is binarised afresh, as [`hybrid`]'s is.
pub(crate) fn midrange(image: &GrayImage, inverted: bool) -> Option<BitMatrix> {
    let bits = if inverted {
        crate::midrange::midrange(&self::inverted(image))
    } else {
        crate::midrange::midrange(image)
    };
    bits.or_else(|| global(image, inverted))
}

/// zxing's global-histogram binariser: one threshold for the whole image, found at the
/// valley between its two luminance peaks. Copes with blur that defeats local thresholds.
///
/// Our own implementation of zxing's method (the histogram of four rows' middle three
/// fifths, its valley nearest the light peak), the same bits as rxing's
/// `GlobalHistogramBinarizer` (the tests compare them), without its per-pixel calls.
/// The negative's histogram is this one reversed, so neither needs a copy of the image.
pub(crate) fn global(image: &GrayImage, inverted: bool) -> Option<BitMatrix> {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let pixels = image.as_raw();
    let mut buckets = [0u32; BUCKETS];
    for y in 1..5 {
        let row = &pixels[(height * y / 5) * width..][..width];
        for &p in &row[width / 5..width * 4 / 5] {
            buckets[usize::from(p >> 3)] += 1;
        }
    }
    if inverted {
        buckets.reverse();
    }
    // At most 31 << 3: compared in bytes, which the compiler vectorises 16 to a register
    // (widened to 32 bits, this compare was most of the view's 99 µs on a 640 × 640 frame).
    let black_point = u8::try_from(black_point(&buckets)?).ok()?;
    crate::hybrid::pack_rows(image.width(), image.height(), |y, black| {
        let row = &pixels[y * width..][..width];
        if inverted {
            for (b, &p) in black.iter_mut().zip(row) {
                *b = u8::from(!p < black_point);
            }
        } else {
            for (b, &p) in black.iter_mut().zip(row) {
                *b = u8::from(p < black_point);
            }
        }
    })
}

/// zxing's black point from a luminance histogram: the lowest valley between the tallest
/// peak and the next peak far from it, nearer the light one; `None` when the two peaks are
/// too close for a meaningful threshold. Products wrap as they do in rxing's release build.
fn black_point(buckets: &[u32; BUCKETS]) -> Option<u32> {
    let max_count = buckets.iter().copied().max().unwrap_or(0);
    // The first tallest bucket.
    let mut first = 0;
    for (x, &count) in buckets.iter().enumerate() {
        if count > buckets[first] {
            first = x;
        }
    }
    // The second peak: height times the square of the distance from the first.
    let (mut second, mut second_score) = (0, 0u32);
    for (x, &count) in buckets.iter().enumerate() {
        let distance = x.abs_diff(first) as u32;
        let score = count.wrapping_mul(distance).wrapping_mul(distance);
        if score > second_score {
            (second, second_score) = (x, score);
        }
    }
    if first > second {
        std::mem::swap(&mut first, &mut second);
    }
    if second - first <= BUCKETS / 16 {
        return None;
    }
    let (mut valley, mut valley_score) = (second as isize - 1, -1i32);
    for x in (first + 1..=second).rev() {
        let from_first = (x - first) as isize;
        let score = from_first
            .wrapping_mul(from_first)
            .wrapping_mul((second - x) as isize)
            .wrapping_mul((max_count - buckets[x]) as isize);
        if score as i32 > valley_score {
            (valley, valley_score) = (x as isize, score as i32);
        }
    }
    Some((valley as u32) << 3)
}

/// Our own adaptive threshold over a square window much larger than the hybrid
/// binariser's, from running box sums, so the cost is linear in pixels.
///
/// The hybrid binariser's 40-pixel neighbourhood is smaller than one module of a close-up
/// photo, and inside a large dark module it invents edges; this one does not.
pub(crate) fn local_mean(image: &GrayImage, inverted: bool) -> Option<BitMatrix> {
    let radius = (image.width().min(image.height()) / LOCAL_MEAN_WINDOW_DIVISOR).max(4);
    let mut sums = BoxSums::new(image, radius as usize);
    // The test is `pixel × count × 100 < sum × (100 − margin)`; in 32 bits when the
    // largest window allows it (every view up to 3,279 pixels on its short side), which
    // the compiler can vectorise, else in 64.
    let side = u64::from(2 * radius + 1);
    let narrow = side * side * 255 * 100 <= u64::from(u32::MAX);
    crate::hybrid::pack_rows(image.width(), image.height(), |y, black| {
        let (row, window, spans, rows) = sums.row(y);
        if narrow {
            threshold_row::<u32>(black, row, window, spans, rows, inverted);
        } else {
            threshold_row::<u64>(black, row, window, spans, rows, inverted);
        }
    })
}

/// One row of [`local_mean`]: `black[x]` is 1 where `row[x]` (or its negative) is
/// [`LOCAL_MEAN_MARGIN_PERCENT`] darker than the mean of its window, whose sum is
/// `window[x]` over `rows × spans[x]` pixels; in the integer type `T`, which must hold
/// 255 × 100 × the largest window.
fn threshold_row<T>(
    black: &mut [u8],
    row: &[u8],
    window: &[u32],
    spans: &[u32],
    rows: u32,
    inverted: bool,
) where
    T: From<u8> + From<u32> + std::ops::Mul<Output = T> + std::ops::Sub<Output = T> + Ord + Copy,
{
    let keep = T::from(100 - LOCAL_MEAN_MARGIN_PERCENT);
    let (hundred, white) = (T::from(100u32), T::from(255u32));
    let pixels = black.iter_mut().zip(row).zip(window).zip(spans);
    if inverted {
        for (((b, &p), &sum), &columns) in pixels {
            let count = T::from(rows * columns);
            let (p, sum) = (white - T::from(p), white * count - T::from(sum));
            *b = u8::from(p * count * hundred < sum * keep);
        }
    } else {
        for (((b, &p), &sum), &columns) in pixels {
            let count = T::from(rows * columns);
            *b = u8::from(T::from(p) * count * hundred < T::from(sum) * keep);
        }
    }
}

/// The image with its detail doubled: each pixel pushed away from the mean of the
/// (2·[`SHARPEN_RADIUS`] + 1)² square around it (an unsharp mask with a box blur).
///
/// Blur of about half a module spreads each module's darkness over its neighbours, so a
/// lone module sits near the local threshold and the sampler reads noise; subtracting the
/// local mean restores the contrast between neighbouring modules. Linear in the pixels.
///
/// The window is small, so its sums fit 16 bits (49 × 255) and are made without a running
/// sum: per column the sum of the window's rows, kept up to date as the window moves
/// down, then per pixel the sum of its 7 columns as 7 shifted slices added, all in
/// 16-bit lanes the compiler vectorises; the mean and the push likewise. Through the
/// 32-bit running sums of [`BoxSums`] this view cost 356 µs of a 640 × 640 frame; this
/// way 60 µs, the same pixels (the tests compare it with a summed-area table).
pub(crate) fn sharpened(image: &GrayImage) -> GrayImage {
    const FULL: usize = 2 * SHARPEN_RADIUS + 1;
    const AREA: u16 = (FULL * FULL) as u16;
    // The window's sum is spelled out term by term below, and must fit 16 bits.
    const _: () = assert!(FULL == 7 && AREA as u32 * 255 <= u16::MAX as u32);
    let (width, height) = (image.width() as usize, image.height() as usize);
    let pixels = image.as_raw();
    let mut out = vec![0u8; pixels.len()];
    // Per column, the sum of the window's rows `rows`; per pixel of a row, its window's sum.
    let mut columns = vec![0u16; width];
    let mut window = vec![0u16; width];
    let mut rows = 0..0;
    // Columns whose window is whole (the rest, at the edges, are cut by the image).
    let inner = if width > 2 * SHARPEN_RADIUS {
        SHARPEN_RADIUS..width - SHARPEN_RADIUS
    } else {
        0..0
    };
    let sharpen = |p: u8, mean: u16| (2 * p as i16 - mean as i16).clamp(0, 255) as u8;
    for (y, out) in out.chunks_exact_mut(width.max(1)).enumerate() {
        let wanted = y.saturating_sub(SHARPEN_RADIUS)..(y + SHARPEN_RADIUS + 1).min(height);
        while rows.end < wanted.end {
            let row = &pixels[rows.end * width..][..width];
            for (s, &p) in columns.iter_mut().zip(row) {
                *s += u16::from(p);
            }
            rows.end += 1;
        }
        while rows.start < wanted.start {
            let row = &pixels[rows.start * width..][..width];
            for (s, &p) in columns.iter_mut().zip(row) {
                *s -= u16::from(p);
            }
            rows.start += 1;
        }
        if !inner.is_empty() {
            // One pass over seven slices of the same length (no bounds checks left), which
            // the compiler vectorises; adding them in seven passes cost four times as much.
            let n = inner.len();
            let sums = &mut window[inner.clone()];
            let c: [&[u16]; FULL] = std::array::from_fn(|shift| &columns[shift..shift + n]);
            for (i, w) in sums.iter_mut().enumerate() {
                *w = c[0][i] + c[1][i] + c[2][i] + c[3][i] + c[4][i] + c[5][i] + c[6][i];
            }
        }
        let row = &pixels[y * width..][..width];
        if rows.len() == FULL {
            for ((o, &p), &sum) in out[inner.clone()]
                .iter_mut()
                .zip(&row[inner.clone()])
                .zip(&window[inner.clone()])
            {
                *o = sharpen(p, sum / AREA);
            }
        }
        // The edge columns, and every column of the first and last rows.
        let edges = if rows.len() == FULL {
            (0..inner.start).chain(inner.end.max(inner.start)..width)
        } else {
            (0..width).chain(width..width)
        };
        for x in edges {
            let span = x.saturating_sub(SHARPEN_RADIUS)..(x + SHARPEN_RADIUS + 1).min(width);
            let sum: u32 = columns[span.clone()].iter().map(|&c| u32::from(c)).sum();
            let mean = sum / (rows.len() * span.len()) as u32;
            out[x] = sharpen(row[x], mean as u16);
        }
    }
    GrayImage::from_raw(image.width(), image.height(), out).unwrap_or_default()
}

/// Sums over the square of half-side `radius` around each pixel (cut at the image's
/// edges), a row at a time: per column the sum of the window's rows, kept up to date as
/// the window moves down, then a running sum along the row. Linear in the pixels whatever
/// the radius, and no table the size of the image. Sums stay below 2³² (the window holds
/// at most 255 × the pixels of a view); the running sum wraps and its differences do not.
struct BoxSums<'a> {
    image: &'a GrayImage,
    radius: usize,
    /// Per column, the sum of the rows `rows` of the window.
    column_sums: Vec<u32>,
    /// The rows summed in `column_sums`.
    rows: std::ops::Range<usize>,
    /// Running sum of `column_sums` (one longer), wrapping.
    running: Vec<u32>,
    /// The window sum of each pixel of the current row.
    window: Vec<u32>,
    /// Per column, how many columns its window spans.
    columns: Vec<u32>,
}

impl<'a> BoxSums<'a> {
    fn new(image: &'a GrayImage, radius: usize) -> Self {
        let width = image.width() as usize;
        let columns = (0..width)
            .map(|x| ((x + radius + 1).min(width) - x.saturating_sub(radius)) as u32)
            .collect();
        BoxSums {
            image,
            radius,
            column_sums: vec![0; width],
            rows: 0..0,
            running: vec![0; width + 1],
            window: vec![0; width],
            columns,
        }
    }

    /// Row `y`'s pixels, their window sums, how many columns each window spans and how
    /// many rows. Rows must be asked for in order.
    fn row(&mut self, y: usize) -> (&'a [u8], &[u32], &[u32], u32) {
        let (width, height) = (self.image.width() as usize, self.image.height() as usize);
        let pixels: &'a [u8] = self.image.as_raw();
        let wanted = y.saturating_sub(self.radius)..(y + self.radius + 1).min(height);
        while self.rows.end < wanted.end {
            let row = &pixels[self.rows.end * width..][..width];
            for (s, &p) in self.column_sums.iter_mut().zip(row) {
                *s += u32::from(p);
            }
            self.rows.end += 1;
        }
        while self.rows.start < wanted.start {
            let row = &pixels[self.rows.start * width..][..width];
            for (s, &p) in self.column_sums.iter_mut().zip(row) {
                *s -= u32::from(p);
            }
            self.rows.start += 1;
        }
        let mut total = 0u32;
        for (r, &s) in self.running[1..].iter_mut().zip(&self.column_sums) {
            total = total.wrapping_add(s);
            *r = total;
        }
        // Window of x: running[min(x + r + 1, width)] - running[max(x - r, 0)]; the three
        // spans below are that with the bounds known, so the middle one is a plain zip.
        let r = self.radius.min(width);
        let span = (2 * r + 1).min(width);
        let (window, running) = (&mut self.window, &self.running);
        let left = (r + 1).min(width);
        for (x, w) in window[..left].iter_mut().enumerate() {
            *w = running[(x + r + 1).min(width)];
        }
        if width > span {
            let middle = &mut window[left..width - r];
            let (ends, starts) = (&running[left + r + 1..], &running[left - r..]);
            for ((w, &end), &start) in middle.iter_mut().zip(ends).zip(starts) {
                *w = end.wrapping_sub(start);
            }
        }
        for x in (width - r).max(left)..width {
            window[x] = running[width].wrapping_sub(running[x - r]);
        }
        let rows = (self.rows.end - self.rows.start) as u32;
        (
            &pixels[y * width..][..width],
            &self.window,
            &self.columns,
            rows,
        )
    }
}

/// The image with dark and light swapped, for light-on-dark symbols.
pub(crate) fn inverted(image: &GrayImage) -> GrayImage {
    let mut out = image.clone();
    image::imageops::invert(&mut out);
    out
}

/// The mean of a `factor`×`factor` block from its sum.
///
/// A multiplication by the rounded-up reciprocal of the area in 32 fractional bits: a
/// division per output pixel by a number known only at run time cost more than the whole
/// rest of the shrink. Exact while 255 × area² < 2³², that is for every factor up to 64;
/// larger ones divide.
fn block_mean(factor: u32) -> impl Fn(u32) -> u8 {
    let area = factor * factor;
    let reciprocal = (1u64 << 32).div_ceil(u64::from(area));
    move |sum: u32| {
        if factor <= 64 {
            ((u64::from(sum) * reciprocal) >> 32) as u8
        } else {
            (sum / area) as u8
        }
    }
}

/// The image at `1/factor` of its size, each pixel the mean of a `factor`×`factor` block.
pub(crate) fn shrink(image: &GrayImage, factor: u32) -> GrayImage {
    let (w, h) = (image.width() / factor, image.height() / factor);
    // By 2 (every photo of 4-16 Mpx), each block straight from its four pixels: through the
    // column sums below and the generic block loop, a scan of a 12 Mpx sheet of 60 codes
    // took 27.3-27.4 ms natively and 39.9-41.8 in wasm32; this way 25.6 and 34.5-34.6
    // (`qr-scan-bench --sets lots60-12mp --no-peer`, two pairs, 2026-11-30).
    if factor == 2 {
        let (width, height) = (image.width() as usize, image.height() as usize);
        // `/ 4` is what `block_mean(2)` gives, without its 64-bit multiply (1 ms more in wasm32).
        let pixels = halve(image.as_raw(), width, height, |sum| (sum / 4) as u8);
        return GrayImage::from_raw(w, h, pixels).unwrap_or_default();
    }
    let (f, src_w) = (factor as usize, image.width() as usize);
    let mean = block_mean(factor);
    // Per source column, the sum over the band's rows; then per block, its columns' sums.
    let mut columns = vec![0u32; src_w];
    let mut out = Vec::with_capacity(w as usize * h as usize);
    for band in image.as_raw().chunks_exact(src_w * f).take(h as usize) {
        columns.fill(0);
        for row in band.chunks_exact(src_w) {
            for (sum, &p) in columns.iter_mut().zip(row) {
                *sum += u32::from(p);
            }
        }
        out.extend(
            columns
                .chunks_exact(f)
                .take(w as usize)
                .map(|block| mean(block.iter().sum::<u32>())),
        );
    }
    GrayImage::from_raw(w, h, out).unwrap_or_default()
}

/// The image halved, and halved again, and again: [`shrink`] by 2, 4, 8, … (the same
/// pixels), each level from the block sums of the level before.
///
/// Shrinking the image by 2, 4 and 8 separately read every pixel of it three times (an
/// eighth of the time of a 640 × 640 frame that no view reads); each level here reads a
/// quarter of the sums of the one before. The sums are exact (a block of the original is
/// the union of four blocks of the level before), so are the means.
pub(crate) struct Halvings<'a> {
    image: &'a GrayImage,
    /// Per pixel of the last level made, the sum of its block of the image.
    sums: Vec<u32>,
    width: usize,
    height: usize,
    /// The last level's factor (1 before the first).
    factor: u32,
}

impl<'a> Halvings<'a> {
    pub(crate) fn new(image: &'a GrayImage) -> Self {
        Halvings {
            image,
            sums: Vec::new(),
            width: image.width() as usize,
            height: image.height() as usize,
            factor: 1,
        }
    }

    /// The next level: the image at half the size of the last one.
    pub(crate) fn next_level(&mut self) -> GrayImage {
        let sums = if self.factor == 1 {
            halve(self.image.as_raw(), self.width, self.height, |sum| sum)
        } else {
            halve(&self.sums, self.width, self.height, |sum| sum)
        };
        (self.sums, self.width, self.height, self.factor) =
            (sums, self.width / 2, self.height / 2, self.factor * 2);
        let mean = block_mean(self.factor);
        let pixels = self.sums.iter().map(|&sum| mean(sum)).collect();
        GrayImage::from_raw(self.width as u32, self.height as u32, pixels).unwrap_or_default()
    }
}

/// The sums of the 2×2 blocks of `values`, a `width`×`height` grid, each passed through
/// `finish` (an odd last row or column is left out, as [`shrink`] leaves it).
fn halve<T: Copy + Into<u32>, U>(
    values: &[T],
    width: usize,
    height: usize,
    finish: impl Fn(u32) -> U,
) -> Vec<U> {
    let (w, h) = (width / 2, height / 2);
    let mut out = Vec::with_capacity(w * h);
    for pair in values.chunks_exact(2 * width.max(1)).take(h) {
        let (upper, lower) = pair.split_at(width);
        out.extend(
            upper
                .chunks_exact(2)
                .zip(lower.chunks_exact(2))
                .take(w)
                .map(|(a, b)| finish(a[0].into() + a[1].into() + b[0].into() + b[1].into())),
        );
    }
    out
}

/// The image at twice its size, by bilinear interpolation, for symbols whose modules are
/// so small that the finder search cannot tell their rings apart.
///
/// Each output pixel's two source columns and rows and their weights are worked out once
/// per column and per row, then the rows are filled from slices in integers (reading every
/// pixel through bounds-checked calls and rounding floats made this cost more than
/// searching the enlarged view). At twice the size every weight is 0, ¼ or ¾, so the
/// integer result is the exact bilinear value rounded half up.
pub(crate) fn enlarge(image: &GrayImage) -> GrayImage {
    let (w, h) = image.dimensions();
    // Per output column (or row): the two source columns it lies between and the weight
    // of the second in quarters, from the output pixel's centre in source coordinates
    // (clamped at the edges).
    let taps = |len: u32| -> Vec<(usize, usize, u32)> {
        (0..2 * len)
            .map(|i| {
                let quarters = (2 * i).saturating_sub(1);
                let first = quarters / 4;
                let at = |i: u32| i.min(len - 1) as usize;
                (at(first), at(first + 1), quarters % 4)
            })
            .collect()
    };
    let (columns, rows) = (taps(w), taps(h));
    let (pixels, width) = (image.as_raw(), w as usize);
    // Each source row enlarged across once, in quarters; each output row then mixes two.
    let across: Vec<u16> = pixels
        .chunks_exact(width)
        .flat_map(|row| {
            columns.iter().map(move |&(x0, x1, tx)| {
                (u32::from(row[x0]) * (4 - tx) + u32::from(row[x1]) * tx) as u16
            })
        })
        .collect();
    let mut out = Vec::with_capacity(4 * width * h as usize);
    for &(y0, y1, ty) in &rows {
        let (upper, lower) = (
            &across[y0 * 2 * width..][..2 * width],
            &across[y1 * 2 * width..][..2 * width],
        );
        let (ty, other) = (u16::from(ty as u8), 4 - u16::from(ty as u8));
        // Sixteenths; + 8 rounds half up.
        out.extend(
            upper
                .iter()
                .zip(lower)
                .map(|(&a, &b)| ((a * other + b * ty + 8) / 16) as u8),
        );
    }
    GrayImage::from_raw(2 * w, 2 * h, out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hybrid::tests::test_image;
    use rxing::common::GlobalHistogramBinarizer;
    use rxing::{Binarizer, Luma8Source};

    /// rxing's global-histogram binariser, which [`global`] reimplements.
    fn rxing_global(image: &GrayImage) -> Option<BitMatrix> {
        let source =
            Luma8Source::new_with_slice(image.as_raw(), image.width(), image.height()).ok()?;
        GlobalHistogramBinarizer::new(source)
            .get_black_matrix()
            .ok()
            .cloned()
    }

    /// The box sums the straightforward way (a summed-area table), as the first version
    /// of these views computed them: `each(x, y, pixel, sum, count)`.
    fn reference_window_sums(
        image: &GrayImage,
        radius: usize,
        mut each: impl FnMut(usize, usize, u8, u64, u64),
    ) {
        let (w, h) = (image.width() as usize, image.height() as usize);
        let stride = w + 1;
        let mut integral = vec![0u64; stride * (h + 1)];
        for y in 0..h {
            let mut row_sum = 0;
            for x in 0..w {
                row_sum += u64::from(image.get_pixel(x as u32, y as u32).0[0]);
                integral[(y + 1) * stride + x + 1] = integral[y * stride + x + 1] + row_sum;
            }
        }
        for y in 0..h {
            let (y0, y1) = (y.saturating_sub(radius), (y + radius + 1).min(h));
            for x in 0..w {
                let (x0, x1) = (x.saturating_sub(radius), (x + radius + 1).min(w));
                let sum = integral[y1 * stride + x1] + integral[y0 * stride + x0]
                    - integral[y0 * stride + x1]
                    - integral[y1 * stride + x0];
                let count = ((y1 - y0) * (x1 - x0)) as u64;
                each(x, y, image.get_pixel(x as u32, y as u32).0[0], sum, count);
            }
        }
    }

    fn reference_local_mean(image: &GrayImage) -> BitMatrix {
        let radius = (image.width().min(image.height()) / LOCAL_MEAN_WINDOW_DIVISOR).max(4);
        let keep = u64::from(100 - LOCAL_MEAN_MARGIN_PERCENT);
        let mut bits = BitMatrix::new(image.width(), image.height()).expect("not empty");
        reference_window_sums(image, radius as usize, |x, y, p, sum, count| {
            if u64::from(p) * count * 100 < sum * keep {
                bits.set(x as u32, y as u32);
            }
        });
        bits
    }

    fn reference_sharpened(image: &GrayImage) -> GrayImage {
        let mut out = GrayImage::new(image.width(), image.height());
        reference_window_sums(image, SHARPEN_RADIUS, |x, y, p, sum, count| {
            let value = (2 * i32::from(p) - (sum / count) as i32).clamp(0, 255);
            out.put_pixel(x as u32, y as u32, image::Luma([value as u8]));
        });
        out
    }

    fn reference_shrink(image: &GrayImage, factor: u32) -> GrayImage {
        GrayImage::from_fn(image.width() / factor, image.height() / factor, |x, y| {
            let mut sum = 0u32;
            for dy in 0..factor {
                for dx in 0..factor {
                    sum += u32::from(image.get_pixel(x * factor + dx, y * factor + dy).0[0]);
                }
            }
            image::Luma([(sum / (factor * factor)) as u8])
        })
    }

    /// The enlargement pixel by pixel, as the first version of [`enlarge`] computed it.
    fn reference_enlarge(image: &GrayImage) -> GrayImage {
        let (w, h) = image.dimensions();
        let sample = |x: u32, y: u32| f32::from(image.get_pixel(x.min(w - 1), y.min(h - 1)).0[0]);
        GrayImage::from_fn(w * 2, h * 2, |x, y| {
            let fx = ((x as f32 + 0.5) / 2.0 - 0.5).max(0.0);
            let fy = ((y as f32 + 0.5) / 2.0 - 0.5).max(0.0);
            let (x0, y0) = (fx as u32, fy as u32);
            let (tx, ty) = (fx - x0 as f32, fy - y0 as f32);
            let top = sample(x0, y0) * (1.0 - tx) + sample(x0 + 1, y0) * tx;
            let bottom = sample(x0, y0 + 1) * (1.0 - tx) + sample(x0 + 1, y0 + 1) * tx;
            image::Luma([(top * (1.0 - ty) + bottom * ty).round() as u8])
        })
    }

    /// Every view function gives what its straightforward version gives, on `image` and
    /// on its negative.
    fn assert_views_match(image: &GrayImage, what: &str) {
        let negative = inverted(image);
        for (polarity, pixels) in [(false, image), (true, &negative)] {
            assert!(
                global(image, polarity) == rxing_global(pixels),
                "global, {what}, inverted {polarity}"
            );
            assert!(
                local_mean(image, polarity) == Some(reference_local_mean(pixels)),
                "local mean, {what}, inverted {polarity}"
            );
            assert!(
                hybrid(image, polarity) == hybrid(pixels, false),
                "hybrid, {what}, inverted {polarity}"
            );
        }
        assert!(
            sharpened(image) == reference_sharpened(image),
            "sharpened, {what}"
        );
        assert!(
            enlarge(image) == reference_enlarge(image),
            "enlarged, {what}"
        );
        for factor in [2, 3, 4, 5, 7, 8] {
            assert!(
                shrink(image, factor) == reference_shrink(image, factor),
                "shrink by {factor}, {what}"
            );
        }
        let mut halvings = Halvings::new(image);
        for factor in [2, 4, 8, 16] {
            assert!(
                halvings.next_level() == reference_shrink(image, factor),
                "halving to 1/{factor}, {what}"
            );
        }
    }

    #[test]
    fn every_view_matches_its_straightforward_version() {
        for (width, height) in [(21, 21), (40, 97), (64, 64), (131, 70), (333, 129)] {
            for seed in 1..4 {
                assert_views_match(
                    &test_image(width, height, seed),
                    &format!("{width}x{height} seed {seed}"),
                );
            }
        }
        // Flat and two-level images: no valley, and a valley at the edge of the histogram.
        assert_views_match(&GrayImage::from_pixel(50, 50, image::Luma([128])), "flat");
        let halves = GrayImage::from_fn(60, 60, |x, _| image::Luma([if x < 30 { 0 } else { 255 }]));
        assert_views_match(&halves, "halves");
    }

    #[cfg(feature = "corpus")]
    #[test]
    fn every_view_matches_its_straightforward_version_on_the_corpus() {
        for (path, image) in crate::corpus::shared_photos() {
            assert_views_match(&image, &path.display().to_string());
        }
    }

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
