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
