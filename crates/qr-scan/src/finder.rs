//! Finds the candidate finder patterns (the three nested squares) in a binarised view.
//!
//! The search is the one rxing's `FindFinderPatterns` runs (zxing-cpp's): every third row
//! is cut into runs of black and white, each 1:1:3:1:1 run sequence is checked with
//! rxing's `IsPattern`, and a candidate not inside one already found is confirmed with
//! rxing's `LocateConcentricPattern`. What differs is how a row becomes runs: rxing reads
//! the row bit by bit through a copied `BitArray`, which made it a fifth of a typical
//! scan; here the runs come from the row's words, a whole run per `trailing_zeros`. The
//! candidates are the same, in the same order (the tests compare them on the corpus).
//!
//! rxing checks each new candidate against every one found before (quadratic: an image
//! tiled with finder patterns has tens of thousands). Here each confirmed candidate is
//! entered in the cells of a coarse grid that its duplicate zone touches, so the check
//! looks at one cell; and every step spends units of the scan's [`Budget`].

use rxing::Point;

use crate::budget::{
    Budget, COST_CELL, COST_LOCATE, COST_LOCATE_PER_PIXEL, COST_LOCATE_TRY, COST_ROW_HIT,
};
use crate::reader::inside;
use rxing::common::BitMatrix;
use rxing::common::cpp_essentials::{
    ConcentricPattern, FindLeftGuardBy, FixedPattern, IsPattern, LocateConcentricPattern,
    PatternRow, PatternType, PatternView,
};

/// The finder pattern's run widths in modules, from its left edge.
const FINDER_RUNS: [PatternType; 5] = [1, 1, 3, 1, 1];

/// The same, as the width-checked pattern `IsPattern` takes (7 modules in all).
const FINDER: FixedPattern<5, 7, false> = FixedPattern::new(FINDER_RUNS);

/// Rows between the rows searched. Three catches the 3-module centre of every finder
/// pattern down to one pixel per module, zxing's "try harder" setting.
const ROW_STEP: usize = 3;

/// Quiet zone a candidate needs before it, in modules; small because a neighbouring
/// symbol or text is often closer than the standard four.
const MIN_QUIET_ZONE: f32 = 0.1;

/// Side in pixels of the cells of the duplicate-check grid.
///
/// About two finder patterns of a typical photo wide: small enough that a cell holds a
/// handful of candidates, large enough that a candidate's zone covers few cells.
const CELL: usize = 16;

/// Bits in a word of a `BitMatrix` row.
const WORD_BITS: usize = usize::BITS as usize;

/// Every finder-pattern candidate in `bits` outside the symbols already `read`
/// (quadrilaterals in view pixels), in the order the row search meets them, or those found
/// before `budget` ran out.
///
/// A row window whose centre falls in a grid cell that lies wholly inside a symbol read is
/// not confirmed: a sheet of codes read in one view costs the next views a row scan of
/// their areas instead of locating every pattern again.
///
/// When `light` is given, the same rows' runs are also searched in the other phase (white,
/// black, white ×3, black, white: a light-on-dark finder pattern as the view binarised
/// it), and each such window is added to `light` unconfirmed, for [`light_patterns`].
pub(crate) fn find_finder_patterns(
    bits: &BitMatrix,
    read: &[[Point; 4]],
    budget: &mut Budget,
    mut light: Option<&mut Vec<LightWindow>>,
) -> Vec<ConcentricPattern> {
    let width = bits.getWidth() as usize;
    let mut found: Vec<ConcentricPattern> = Vec::new();
    let mut zones = Zones::new(width, bits.getHeight() as usize);
    if !zones.mask(read, budget) {
        return found;
    }
    let mut runs = Vec::with_capacity(width + 2);
    'rows: for y in (ROW_STEP - 1..bits.getHeight() as usize).step_by(ROW_STEP) {
        let row = bits.getRow(y as u32);
        row_runs(row.getBitArray(), width, &mut runs);
        if let Some(light) = light.as_deref_mut() {
            // rxing's pattern views read the run after a window: a black one of no width
            // ends the row for the light windows, as the white one ends it for the dark.
            runs.push(0);
            let paid = light_windows(&runs, y, budget, light);
            runs.pop();
            if !paid {
                break 'rows;
            }
        }
        let pattern_row = PatternRow::new(std::mem::take(&mut runs));
        let mut next = PatternView::new(&pattern_row);
        while let Ok(window) = FindLeftGuardBy::<5, _>(next, FINDER_RUNS.len(), looks_like_finder)
            && window.isValid()
        {
            if !budget.spend(COST_ROW_HIT) {
                break 'rows;
            }
            next = window;
            let centre = Point {
                x: f32::from(next.pixelsInFront())
                    + f32::from(next[0])
                    + f32::from(next[1])
                    + f32::from(next[2]) / 2.0,
                y: y as f32 + 0.5,
            };
            if !zones.inside_any(centre, &found) {
                let width = next.iter().sum::<PatternType>();
                if !budget.spend(COST_LOCATE_TRY + u64::from(width) * COST_CELL) {
                    break 'rows;
                }
                // Three times the row's width of the pattern, for very skewed views.
                let range = i32::from(width) * 3;
                if let Some(pattern) =
                    LocateConcentricPattern::<true, 5, 7>(bits, &FINDER_RUNS, centre, range)
                {
                    if !budget.spend(COST_LOCATE + u64::from(width) * COST_LOCATE_PER_PIXEL)
                        || !zones.add(&pattern, found.len(), budget)
                    {
                        break 'rows;
                    }
                    found.push(pattern);
                }
            }
            next.skipPair();
            next.skipPair();
            next.extend();
        }
        // Back to a Vec in place, so the next row reuses the allocation.
        runs = pattern_row.into_iter().collect();
    }
    found
}

/// A row window of light-on-dark finder proportions, not yet confirmed: its centre and
/// its width in pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LightWindow {
    pub centre: Point,
    pub width: PatternType,
}

/// Adds to `light` the windows of one row's `runs` (row `y`, white first as
/// [`row_runs`] makes them, then a black run) that show a finder pattern's proportions with white outside:
/// the runs the dark search skips, read one run later. `false` when the budget ran out.
fn light_windows(
    runs: &[PatternType],
    y: usize,
    budget: &mut Budget,
    light: &mut Vec<LightWindow>,
) -> bool {
    // Seen from the first black run, the row's windows start on white runs (the row's
    // own first white run touches the image's edge and cannot be a ring).
    let Some((&first, rest)) = runs.split_first() else {
        return true;
    };
    let mut next = PatternView::from_slice(rest);
    while let Ok(window) = FindLeftGuardBy::<5, _>(next, FINDER_RUNS.len(), looks_like_finder)
        && window.isValid()
    {
        if !budget.spend(COST_ROW_HIT) {
            return false;
        }
        next = window;
        light.push(LightWindow {
            centre: Point {
                x: f32::from(first)
                    + f32::from(next.pixelsInFront())
                    + f32::from(next[0])
                    + f32::from(next[1])
                    + f32::from(next[2]) / 2.0,
                y: y as f32 + 0.5,
            },
            width: next.iter().sum::<PatternType>(),
        });
        next.skipPair();
        next.skipPair();
        next.extend();
    }
    true
}

/// How many light-on-dark finder patterns the row windows `light` (from
/// [`find_finder_patterns`] on `bits`) confirm outside the symbols `read`, counting up to
/// `enough` at most: each window outside them is confirmed as a dark one is, on the
/// negative of `bits`, and one inside a pattern already counted is not tried.
pub(crate) fn light_patterns(
    bits: &BitMatrix,
    light: &[LightWindow],
    read: &[[Point; 4]],
    enough: usize,
    budget: &mut Budget,
) -> usize {
    let mut negative: Option<BitMatrix> = None;
    let mut confirmed: Vec<ConcentricPattern> = Vec::new();
    // Most windows lie in the modules of the symbols read: one look-up in the grid of
    // cells wholly inside them, and the corners tested only near their edges.
    let mut zones = Zones::new(bits.getWidth() as usize, bits.getHeight() as usize);
    if !zones.mask(read, budget) {
        return 0;
    }
    for window in light {
        if confirmed.len() >= enough || !budget.spend(COST_CELL) {
            break;
        }
        if zones.masked(window.centre) {
            continue;
        }
        if !budget.spend(read.len() as u64 * COST_CELL) {
            break;
        }
        if read.iter().any(|quad| inside(quad, window.centre))
            || confirmed
                .iter()
                .any(|old| Point::distance(window.centre, old.p) < old.size as f32 / 2.0)
        {
            continue;
        }
        if !budget.spend(COST_LOCATE_TRY + u64::from(window.width) * COST_CELL) {
            break;
        }
        let negative = negative.get_or_insert_with(|| {
            let mut flipped = bits.clone();
            flipped.flip_self();
            flipped
        });
        let range = i32::from(window.width) * 3;
        if let Some(pattern) =
            LocateConcentricPattern::<true, 5, 7>(negative, &FINDER_RUNS, window.centre, range)
        {
            if !budget.spend(COST_LOCATE + u64::from(window.width) * COST_LOCATE_PER_PIXEL) {
                break;
            }
            confirmed.push(pattern);
        }
    }
    confirmed.len()
}

/// The duplicate zones of the candidates found so far (a disc of half a candidate's size
/// around its centre, as rxing has it), indexed by the grid cells each one touches.
struct Zones {
    columns: usize,
    rows: usize,
    cells: Vec<Vec<u32>>,
    /// Cells wholly inside a symbol already read.
    masked: Vec<bool>,
}

impl Zones {
    fn new(width: usize, height: usize) -> Self {
        let (columns, rows) = (width.div_ceil(CELL).max(1), height.div_ceil(CELL).max(1));
        Zones {
            columns,
            rows,
            cells: vec![Vec::new(); columns * rows],
            masked: vec![false; columns * rows],
        }
    }

    /// Masks the cells whose four corners lie inside one of `read`; `false` when the
    /// budget cannot pay for the cells visited.
    fn mask(&mut self, read: &[[Point; 4]], budget: &mut Budget) -> bool {
        for quad in read {
            let (mut lo, mut hi) = (quad[0], quad[0]);
            for p in quad {
                (lo.x, lo.y, hi.x, hi.y) =
                    (lo.x.min(p.x), lo.y.min(p.y), hi.x.max(p.x), hi.y.max(p.y));
            }
            let (x0, x1) = (self.cell(lo.x, self.columns), self.cell(hi.x, self.columns));
            let (y0, y1) = (self.cell(lo.y, self.rows), self.cell(hi.y, self.rows));
            if !budget.spend(((x1 - x0 + 1) * (y1 - y0 + 1)) as u64 * COST_CELL) {
                return false;
            }
            for y in y0..=y1 {
                for x in x0..=x1 {
                    let corner = |dx: usize, dy: usize| Point {
                        x: ((x + dx) * CELL) as f32,
                        y: ((y + dy) * CELL) as f32,
                    };
                    if [(0, 0), (1, 0), (0, 1), (1, 1)]
                        .iter()
                        .all(|&(dx, dy)| inside(quad, corner(dx, dy)))
                    {
                        self.masked[y * self.columns + x] = true;
                    }
                }
            }
        }
        true
    }

    fn cell(&self, v: f32, count: usize) -> usize {
        ((v.max(0.0) as usize) / CELL).min(count - 1)
    }

    fn index(&self, p: Point) -> usize {
        self.cell(p.y, self.rows) * self.columns + self.cell(p.x, self.columns)
    }

    /// `p` lies in a cell wholly inside a symbol read.
    fn masked(&self, p: Point) -> bool {
        self.masked[self.index(p)]
    }

    /// `p` lies in the zone of one of `found`, or in a masked cell.
    fn inside_any(&self, p: Point, found: &[ConcentricPattern]) -> bool {
        let index = self.index(p);
        self.masked[index]
            || self.cells[index].iter().any(|&i| {
                let old = &found[i as usize];
                Point::distance(p, old.p) < old.size as f32 / 2.0
            })
    }

    /// Enters candidate `index` in every cell its zone touches; `false` when the budget
    /// cannot pay for the cells.
    fn add(&mut self, pattern: &ConcentricPattern, index: usize, budget: &mut Budget) -> bool {
        let r = pattern.size as f32 / 2.0;
        let (x0, x1) = (
            self.cell(pattern.p.x - r, self.columns),
            self.cell(pattern.p.x + r, self.columns),
        );
        let (y0, y1) = (
            self.cell(pattern.p.y - r, self.rows),
            self.cell(pattern.p.y + r, self.rows),
        );
        if !budget.spend(((x1 - x0 + 1) * (y1 - y0 + 1)) as u64 * COST_CELL) {
            return false;
        }
        for y in y0..=y1 {
            for x in x0..=x1 {
                self.cells[y * self.columns + x].push(index as u32);
            }
        }
        true
    }
}

/// The cheap shape test first (the centre run is the widest by far), then rxing's
/// proportion test with its tolerances.
fn looks_like_finder(window: &PatternView, space_before: Option<f32>) -> bool {
    let run = |i: usize| u32::from(window[i]);
    if run(2) < 3 || run(2) < 2 * run(0).max(run(4)) || run(2) < run(1).max(run(3)) {
        return false;
    }
    IsPattern::<true, 5, 7, false>(window, &FINDER, space_before, MIN_QUIET_ZONE, 0.0, 0.0) != 0.0
}

/// Run lengths of one row of `width` bits stored in `words` (first bit lowest), as
/// rxing's pattern rows have them: white first (0 when the row starts black), alternating,
/// ending with a white run (0 when the row ends black).
fn row_runs(words: &[usize], width: usize, runs: &mut Vec<PatternType>) {
    runs.clear();
    let (mut start, mut black) = (0, false);
    loop {
        let end = next_change(words, start, black).min(width);
        runs.push(PatternType::try_from(end - start).unwrap_or(PatternType::MAX));
        if end >= width {
            break;
        }
        (start, black) = (end, !black);
    }
    if black {
        runs.push(0);
    }
}

/// The first bit at or after `from` that is not `black`, or a position past the row's
/// words when there is none.
fn next_change(words: &[usize], from: usize, black: bool) -> usize {
    let flip = if black { usize::MAX } else { 0 };
    let mut index = from / WORD_BITS;
    let Some(&first) = words.get(index) else {
        return usize::MAX;
    };
    let mut changes = (first ^ flip) & (usize::MAX << (from % WORD_BITS));
    loop {
        if changes != 0 {
            return index * WORD_BITS + changes.trailing_zeros() as usize;
        }
        index += 1;
        match words.get(index) {
            Some(&word) => changes = word ^ flip,
            None => return usize::MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::common::cpp_essentials::GetPatternRowTP;
    use rxing::qrcode::cpp_port::detector::FindFinderPatterns;

    fn rxing_runs(bits: &BitMatrix, y: u32) -> Vec<PatternType> {
        let mut row = PatternRow::default();
        GetPatternRowTP(bits, y, &mut row, false);
        row.into_iter().collect()
    }

    #[test]
    fn rows_become_the_same_runs_as_rxing_reads() {
        let rows: [&[u32]; 6] = [
            &[],
            &[0],
            &[69],
            &[0, 1, 2, 63, 64, 65, 100],
            &[5, 6, 7, 8, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69],
            &[3, 127, 128, 129],
        ];
        for width in [1, 63, 64, 65, 70, 130] {
            let mut bits = BitMatrix::new(width, rows.len() as u32).expect("non-empty");
            for (y, xs) in rows.iter().enumerate() {
                for &x in xs.iter().filter(|&&x| x < width) {
                    bits.set(x, y as u32);
                }
            }
            let mut runs = Vec::new();
            for y in 0..rows.len() as u32 {
                row_runs(bits.getRow(y).getBitArray(), width as usize, &mut runs);
                assert_eq!(runs, rxing_runs(&bits, y), "width {width} row {y}");
            }
        }
    }

    #[cfg(feature = "corpus")]
    #[test]
    fn the_candidates_match_rxings_finder_search_on_every_corpus_photo() {
        for (path, image) in crate::corpus::shared_photos() {
            let Some(bits) = crate::views::hybrid(&image, false) else {
                continue;
            };
            assert_eq!(
                find_finder_patterns(&bits, &[], &mut Budget::new(u64::MAX), None),
                FindFinderPatterns(&bits, true, 0),
                "{}",
                path.display()
            );
        }
    }
}
