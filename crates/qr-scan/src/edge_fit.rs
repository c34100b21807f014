//! A sampled grid fitted to the module edges it crosses, for symbols that no single
//! perspective transform covers: codes printed on cloth, bent labels, paper that is not
//! flat, lens distortion.
//!
//! rxing's `SampleQR` places the grid with one perspective transform (piecewise, between
//! alignment patterns, from version 7 on), so a symbol whose modules wander off it by a
//! third of a module in places samples its neighbours there, and error correction gives
//! up. The module edges show where the modules really are: wherever two neighbouring
//! modules of the failed grid differ, the edge between them is looked for within half a
//! module of where the transform puts it, and every module is sampled again, shifted by
//! the median offset of the edges around it. The median, not the mean: modules the first
//! grid got wrong give edges that are not there, and a few of those must not move their
//! neighbours. Error correction decides whether the fitted grid is right, as for any grid.

use rxing::Point;
use rxing::common::{BitMatrix, DetectorRXingResult, PerspectiveTransform, Quadrilateral};
use rxing::qrcode::detector::QRCodeDetectorResult;

/// Probes across each edge, evenly from half a module before where the transform puts it
/// to half a module after: the offset is measured to a tenth of a module, finer than a
/// module's sampling needs, and an edge more than half a module off is not measured (it
/// would be the next edge over).
const EDGE_PROBES: usize = 11;

/// Modules on each side of a module whose edges are pooled for its offset: a 5 × 5 window
/// holds about a dozen edges in each direction on a symbol's data (its modules are half
/// dark, masked), enough for a median to outvote the first grid's errors, and narrow
/// enough to follow ripples a few times its width (the test's are 10 and 12 modules long,
/// about twice the window). On `zxing-java/qrcode-4`, one module
/// each side (3 × 3) read 2 of the 8 symbols on cloth this reads 7 of; pooling over the
/// whole symbol is the mean transform the grid already has.
pub(crate) const EDGE_FIT_RADIUS: usize = 2;

/// The perspective transform from module coordinates (0 to `side` across) to `detected`'s
/// image pixels, through the corners the sampler reports, and the grid's side in modules.
/// For versions 7 and up, whose grid the sampler fitted piecewise to alignment patterns,
/// an approximation.
pub(crate) fn grid_transform(
    detected: &QRCodeDetectorResult,
) -> Option<(u32, PerspectiveTransform)> {
    let side = detected.getBits().width();
    // The sampler's corners, top-left, top-right, bottom-left, bottom-right, are the
    // grid's corners shifted by half a pixel (pixel centres).
    let [tl, tr, bl, br] = detected.getPoints() else {
        return None;
    };
    let half = Point { x: 0.5, y: 0.5 };
    let transform = PerspectiveTransform::quadrilateralToQuadrilateral(
        Quadrilateral::rectangle(side as i32, side as i32, None),
        Quadrilateral::from([*tl - half, *tr - half, *br - half, *bl - half]),
    )
    .ok()?;
    Some((side, transform))
}

/// `detected`'s grid sampled again in `bits`, each module shifted by the median offset of
/// the module edges within [`EDGE_FIT_RADIUS`] modules of it (see the module docs); `None`
/// when a module falls outside the image.
pub(crate) fn fitted_grid(bits: &BitMatrix, detected: &QRCodeDetectorResult) -> Option<BitMatrix> {
    let (side, transform) = grid_transform(detected)?;
    let first = detected.getBits();
    let n = side as usize;
    let at = |x: f32, y: f32| transform.transform_point(Point { x, y });
    // Each edge's offset as the number of its probes that still show the colour before it
    // (1 to EDGE_PROBES - 1); 0 where no edge was measured. Edges left of (x, y) in
    // `across`, above it in `down`.
    let mut across = vec![0u8; n * n];
    let mut down = vec![0u8; n * n];
    for y in 0..side {
        for x in 0..side {
            let (fx, fy) = (x as f32, y as f32);
            let here = first.get(x, y);
            if x > 0 && first.get(x - 1, y) != here {
                across[y as usize * n + x as usize] =
                    edge_probes(bits, !here, at(fx - 0.5, fy + 0.5), at(fx + 0.5, fy + 0.5));
            }
            if y > 0 && first.get(x, y - 1) != here {
                down[y as usize * n + x as usize] =
                    edge_probes(bits, !here, at(fx + 0.5, fy - 0.5), at(fx + 0.5, fy + 0.5));
            }
        }
    }
    let (across, down) = (median_offsets(&across, n), median_offsets(&down, n));
    let mut grid = BitMatrix::new(side, side).ok()?;
    for y in 0..n {
        for x in 0..n {
            let p = at(
                x as f32 + 0.5 + across[y * n + x],
                y as f32 + 0.5 + down[y * n + x],
            );
            if !bits.is_in(p) {
                return None;
            }
            if bits.get_point(p) {
                grid.set(x as u32, y as u32);
            }
        }
    }
    Some(grid)
}

/// The two copies of a QR grid's format information as read: the copy around the
/// top-left finder pattern (15 modules), and the copy split between the top-right and
/// bottom-left ones with its dark module left out, where it lies as the symbol is seen and
/// where it lies when the symbol is mirrored; `None` for a grid that is not square or too
/// small to be a QR symbol's, or whose two copies are both all light (a grid over the
/// quiet zones between a sheet's codes shows no format to compare).
fn format_copies(grid: &BitMatrix) -> Option<(u32, [u32; 2])> {
    let side = grid.width();
    if side < 21 || grid.height() != side {
        return None;
    }
    let bit = |x: u32, y: u32| u32::from(grid.get(x, y));
    let mut first = 0;
    for x in [0, 1, 2, 3, 4, 5, 7, 8] {
        first = (first << 1) | bit(x, 8);
    }
    for y in [7, 5, 4, 3, 2, 1, 0] {
        first = (first << 1) | bit(8, y);
    }
    let mut second = 0;
    for y in (side - 8..side).rev() {
        second = (second << 1) | bit(8, y);
    }
    for x in side - 8..side {
        second = (second << 1) | bit(x, 8);
    }
    if first == 0 && second == 0 {
        return None;
    }
    // The dark module is the eighth module read (bit 8) as the symbol lies, the ninth
    // (bit 7) when it is mirrored.
    let plain = ((second >> 1) & 0x7F00) | (second & 0xFF);
    let mirrored = ((second >> 1) & 0x7F80) | (second & 0x7F);
    Some((first, [plain, mirrored]))
}

/// Bits in which the two copies of a QR grid's format information differ ([`format_copies`]),
/// the fewer of the plain and the mirrored reading; `u32::MAX` where there are no copies
/// to compare. The copies hold the same 15 bits in a real symbol, whatever its mask; a
/// grid sampled over finder patterns of different symbols (a false triple on a sheet of
/// codes) reads two unrelated words there.
pub(crate) fn format_copies_distance(grid: &BitMatrix) -> u32 {
    format_copies(grid).map_or(u32::MAX, |(first, seconds)| {
        seconds
            .map(|second| (first ^ second).count_ones())
            .into_iter()
            .min()
            .unwrap_or(u32::MAX)
    })
}

/// The 32 valid format information words of a QR symbol (ISO/IEC 18004, 7.9): 5 data bits
/// (error correction level, data mask), 10 bits of their BCH(15, 5) code (generator
/// x^10 + x^8 + x^5 + x^4 + x^2 + x + 1), masked with 101010000010010.
const FORMAT_WORDS: [u32; 32] = {
    let mut words = [0; 32];
    let mut data = 0;
    while data < 32 {
        let mut remainder = data << 10;
        let mut bit = 14;
        while bit >= 10 {
            if remainder & (1 << bit) != 0 {
                remainder ^= 0x537 << (bit - 10);
            }
            bit -= 1;
        }
        words[data as usize] = ((data << 10) | remainder) ^ 0x5412;
        data += 1;
    }
    words
};

/// A failed QR grid that was sampled over a QR symbol's three finder patterns: its two
/// format copies differ in at most `bits` bits ([`format_copies_distance`]), and the first
/// copy, read as the symbol lies or mirrored (its bits reversed), lies within `bits` bits
/// of a valid format word ([`FORMAT_WORDS`], with the standard mask only: a nearly blank
/// word, such as the quiet zone beside a Micro QR symbol gives, is not one).
pub(crate) fn shows_qr_format(grid: &BitMatrix, bits: u32) -> bool {
    let Some((first, seconds)) = format_copies(grid) else {
        return false;
    };
    if seconds
        .iter()
        .all(|&second| (first ^ second).count_ones() > bits)
    {
        return false;
    }
    let reversed = first.reverse_bits() >> 17;
    FORMAT_WORDS
        .iter()
        .any(|&word| (first ^ word).count_ones() <= bits || (reversed ^ word).count_ones() <= bits)
}

/// How many of [`EDGE_PROBES`] evenly spaced from `from` to `to` (a module apart, across
/// one edge: the perspective is affine enough over so short a step) show `before`, the
/// colour on the `from` side; 0 when all or none do (the edge lies further off) or the
/// step leaves the image.
fn edge_probes(bits: &BitMatrix, before: bool, from: Point, to: Point) -> u8 {
    if !bits.is_in(from) || !bits.is_in(to) {
        return 0;
    }
    let mut count = 0;
    for i in 0..EDGE_PROBES {
        let t = i as f32 / (EDGE_PROBES - 1) as f32;
        let p = Point {
            x: from.x + t * (to.x - from.x),
            y: from.y + t * (to.y - from.y),
        };
        count += u8::from(bits.get_point(p) == before);
    }
    if usize::from(count) < EDGE_PROBES {
        count
    } else {
        0
    }
}

/// [`median_offset`] of every module of an `n` × `n` grid, row by row: the window's
/// histogram slides along each row, a column in and a column out per module, rather than
/// being counted afresh (the fit's dearest step otherwise, 4 % of the corpus's first pass).
fn median_offsets(edges: &[u8], n: usize) -> Vec<f32> {
    let mut offsets = Vec::with_capacity(n * n);
    for y in 0..n {
        let rows = y.saturating_sub(EDGE_FIT_RADIUS)..(y + EDGE_FIT_RADIUS + 1).min(n);
        let mut histogram = [0u8; EDGE_PROBES];
        let column = |histogram: &mut [u8; EDGE_PROBES], x: usize, add: bool| {
            for row in rows.clone() {
                let probes = usize::from(edges[row * n + x]);
                if probes > 0 {
                    if add {
                        histogram[probes] += 1;
                    } else {
                        histogram[probes] -= 1;
                    }
                }
            }
        };
        for x in 0..EDGE_FIT_RADIUS.min(n) {
            column(&mut histogram, x, true);
        }
        for x in 0..n {
            if x + EDGE_FIT_RADIUS < n {
                column(&mut histogram, x + EDGE_FIT_RADIUS, true);
            }
            if x > EDGE_FIT_RADIUS {
                column(&mut histogram, x - EDGE_FIT_RADIUS - 1, false);
            }
            offsets.push(histogram_median(&histogram));
        }
    }
    offsets
}

/// The median of the edge offsets measured within [`EDGE_FIT_RADIUS`] modules of
/// (`x`, `y`), in modules; 0 where fewer than two were. Offsets are probe counts (see
/// [`edge_probes`]), so the median comes from a histogram of them.
#[cfg(test)]
fn median_offset(edges: &[u8], n: usize, x: usize, y: usize) -> f32 {
    let mut histogram = [0u8; EDGE_PROBES];
    let columns = x.saturating_sub(EDGE_FIT_RADIUS)..(x + EDGE_FIT_RADIUS + 1).min(n);
    for row in y.saturating_sub(EDGE_FIT_RADIUS)..(y + EDGE_FIT_RADIUS + 1).min(n) {
        for &probes in &edges[row * n..][columns.clone()] {
            if probes > 0 {
                histogram[usize::from(probes)] += 1;
            }
        }
    }
    histogram_median(&histogram)
}

/// The median offset, in modules, of a histogram of edges by probe count; 0 for fewer
/// than two edges.
fn histogram_median(histogram: &[u8; EDGE_PROBES]) -> f32 {
    let measured: u32 = histogram.iter().map(|&count| u32::from(count)).sum();
    if measured < 2 {
        return 0.0;
    }
    let mut seen = 0;
    for (probes, &count) in histogram.iter().enumerate() {
        seen += u32::from(count);
        if seen > measured / 2 {
            // `probes` of the probes, a tenth of a module apart from half a module before
            // the expected edge, showed the colour before it: the edge lies between the
            // last of them and the next.
            return (probes as f32 - 0.5) / (EDGE_PROBES - 1) as f32 - 0.5;
        }
    }
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A histogram of one offset is that offset; the median outvotes a minority.
    #[test]
    fn the_median_offset_follows_the_majority_of_edges_nearby() {
        let n = 9;
        let mut edges = vec![0u8; n * n];
        // Edges a fifth of a module late (8 of 11 probes before them) around (4, 4)...
        for (x, y) in [(3, 3), (4, 3), (5, 4), (4, 5), (2, 4)] {
            edges[y * n + x] = 8;
        }
        // ... and two wrong ones, early.
        edges[3 * n + 5] = 2;
        edges[5 * n + 3] = 2;
        let offset = median_offset(&edges, n, 4, 4);
        assert!((offset - 0.25).abs() < 1e-6, "{offset}");
        // A module with no edge within the radius is not moved.
        let mut lone = vec![0u8; n * n];
        lone[0] = 8;
        assert_eq!(median_offset(&lone, n, 8, 8), 0.0);
        // Edges just outside the window do not count, just inside they do.
        let mut ring = vec![0u8; n * n];
        ring[4 * n + 4 + EDGE_FIT_RADIUS + 1] = 9;
        ring[4 * n + 4 + EDGE_FIT_RADIUS + 1 + n] = 9;
        assert_eq!(median_offset(&ring, n, 4, 4), 0.0);
        ring[4 * n + 4 + EDGE_FIT_RADIUS] = 9;
        ring[4 * n + 4 + EDGE_FIT_RADIUS + n] = 9;
        assert!((median_offset(&ring, n, 4, 4) - 0.35).abs() < 1e-6);
    }

    /// The format words made by the BCH code are ISO/IEC 18004's (Annex C, table C.1):
    /// level M with mask 0, level L with mask 0, level H with mask 7.
    #[test]
    fn the_format_words_are_the_standards() {
        assert_eq!(FORMAT_WORDS[0], 0x5412);
        assert_eq!(FORMAT_WORDS[8], 0x77C4);
        assert_eq!(FORMAT_WORDS[23], 0x083B);
        assert_eq!(FORMAT_WORDS[31], 0x2BED);
    }

    /// A grid with `first` as its first format copy and `second` (16 modules, dark module
    /// included) as its second.
    fn grid_with_formats(first: u32, second: u32) -> BitMatrix {
        let side = 25;
        let mut grid = BitMatrix::new(side, side).expect("non-empty");
        let mut put = |x: u32, y: u32, bit: u32| {
            if bit & 1 == 1 {
                grid.set(x, y);
            }
        };
        let firsts: Vec<(u32, u32)> = [0, 1, 2, 3, 4, 5, 7, 8]
            .map(|x| (x, 8))
            .into_iter()
            .chain([7, 5, 4, 3, 2, 1, 0].map(|y| (8, y)))
            .collect();
        for (i, &(x, y)) in firsts.iter().enumerate() {
            put(x, y, first >> (14 - i));
        }
        let seconds: Vec<(u32, u32)> = (side - 8..side)
            .rev()
            .map(|y| (8, y))
            .chain((side - 8..side).map(|x| (x, 8)))
            .collect();
        for (i, &(x, y)) in seconds.iter().enumerate() {
            put(x, y, second >> (15 - i));
        }
        grid
    }

    /// The second copy of `word` with the dark module, as a symbol shows it.
    fn with_dark_module(word: u32) -> u32 {
        ((word & 0x7F00) << 1) | 0x100 | (word & 0xFF)
    }

    #[test]
    fn a_grid_shows_a_qr_format_when_its_copies_agree_with_a_valid_word() {
        let word = FORMAT_WORDS[13];
        let real = grid_with_formats(word, with_dark_module(word));
        assert_eq!(format_copies_distance(&real), 0);
        assert!(shows_qr_format(&real, 2));
        // Two bits off in each copy, apart: still within two of each other and of the word.
        let worn = grid_with_formats(word ^ 0b11, with_dark_module(word ^ 0b11));
        assert!(shows_qr_format(&worn, 2));
        let worse = grid_with_formats(word ^ 0b111, with_dark_module(word ^ 0b111));
        assert!(!shows_qr_format(&worse, 2), "three bits off a valid word");
        // Unrelated copies (a false triple).
        let unrelated = grid_with_formats(word, with_dark_module(FORMAT_WORDS[2]));
        assert!(format_copies_distance(&unrelated) > 2);
        assert!(!shows_qr_format(&unrelated, 2));
        // Copies that agree on a nearly blank word (a quiet zone) show no format.
        let blank = grid_with_formats(0b1, with_dark_module(0b1));
        assert_eq!(format_copies_distance(&blank), 0);
        assert!(!shows_qr_format(&blank, 2));
        let empty = grid_with_formats(0, 0);
        assert_eq!(format_copies_distance(&empty), u32::MAX);
        // A mirrored symbol: the first copy reads reversed, the dark module is the ninth
        // module of the second.
        let reversed = word.reverse_bits() >> 17;
        let mirrored_second = ((reversed & 0x7F80) << 1) | 0x80 | (reversed & 0x7F);
        let mirrored = grid_with_formats(reversed, mirrored_second);
        assert_eq!(format_copies_distance(&mirrored), 0);
        assert!(shows_qr_format(&mirrored, 2));
    }

    /// The sliding window gives every module the median its own window holds.
    #[test]
    fn the_sliding_window_gives_each_module_its_own_windows_median() {
        for n in [1, 2, 3, 5, 21, 29] {
            // Edges at pseudo-random modules and offsets, about half of them measured.
            let mut state = 12345u32 + n as u32;
            let edges: Vec<u8> = (0..n * n)
                .map(|_| {
                    state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let r = (state >> 24) as usize;
                    if r.is_multiple_of(2) {
                        0
                    } else {
                        (1 + r % (EDGE_PROBES - 1)) as u8
                    }
                })
                .collect();
            let swept = median_offsets(&edges, n);
            for y in 0..n {
                for x in 0..n {
                    assert_eq!(
                        swept[y * n + x],
                        median_offset(&edges, n, x, y),
                        "{n}: ({x}, {y})"
                    );
                }
            }
        }
    }
}
