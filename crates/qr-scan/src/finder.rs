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
    OutOfUnits,
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
        if let Some(light) = light.as_deref_mut()
            && !light_windows(&runs, y, budget, light)
        {
            break 'rows;
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
                match confirm(bits, centre, u32::from(width), budget, |_| true) {
                    Err(OutOfUnits) => break 'rows,
                    Ok(Some(pattern)) => {
                        if !zones.add(&pattern, found.len(), budget) {
                            break 'rows;
                        }
                        found.push(pattern);
                    }
                    Ok(None) => {}
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
/// [`row_runs`] makes them) that show a finder pattern's proportions
/// with white outside: the runs the dark search skips. `false` when the budget ran out.
///
/// A plain loop over the runs with the cheap shape test first, then
/// [`finder_proportions`]: this runs on every row the first view searches, and going
/// through `FindLeftGuardBy` and `IsPattern` as the dark search does cost 4 % of a
/// photo's whole scan.
fn light_windows(
    runs: &[PatternType],
    y: usize,
    budget: &mut Budget,
    light: &mut Vec<LightWindow>,
) -> bool {
    // White runs sit at even indices; the row's first one touches the image's edge and
    // cannot be a ring, so windows start at 2, each with the black run before it. `x` is
    // where the window's first run starts.
    let mut x = u32::from(runs.first().copied().unwrap_or(0));
    for runs in runs.get(1..).unwrap_or_default().windows(6).step_by(2) {
        let w = &runs[1..];
        x += u32::from(runs[0]);
        let centre = w[2];
        if centre >= 3
            && centre >= 2 * w[0].max(w[4])
            && centre >= w[1].max(w[3])
            && finder_proportions(w)
        {
            if !budget.spend(COST_ROW_HIT) {
                return false;
            }
            let into = u32::from(w[0]) + u32::from(w[1]);
            light.push(LightWindow {
                centre: Point {
                    x: (x + into) as f32 + f32::from(centre) / 2.0,
                    y: y as f32 + 0.5,
                },
                width: w.iter().sum(),
            });
        }
        x += u32::from(w[0]);
    }
    true
}

/// Tolerance of the column check of a light window ([`light_across`]), in percent of a
/// module per module of each ring: looser than the row test's half module, because the
/// column is one pixel wide wherever it falls and blur widens light rings on dark
/// unevenly. Measured on the differential search's samples: the tuning seeds read the same
/// codes at 50 and 75 %, the evaluation seeds 910 and 912 of 1752 (913 with no column
/// check, which confirms every stray window of text and texture).
const VERTICAL_PERCENT: u32 = 75;

/// Five runs in a finder pattern's 1:1:3:1:1 proportions, each within half a module of
/// its width (zxing's classic test, in integers: with `t` the total, a run `r` meant to be
/// `k` modules passes when `|14 r - 2 k t| < k t`).
fn finder_proportions(runs: &[PatternType]) -> bool {
    within_proportions(runs, 50)
}

/// Each of five runs within `percent` of a module per module of its 1:1:3:1:1 width
/// (a module being a seventh of the total): `|7 r - k t| < k t × percent / 100`.
fn within_proportions(runs: &[PatternType], percent: u32) -> bool {
    let total: u32 = runs.iter().map(|&r| u32::from(r)).sum();
    runs.iter().zip(FINDER_RUNS).all(|(&r, k)| {
        let (r, k) = (u32::from(r), u32::from(k));
        (7 * r).abs_diff(k * total) * 100 < k * total * percent
    })
}

/// The vertical runs through `p` in `bits` (light centre, dark ring, light ring, from
/// the centre up and down, each at most `limit` pixels) show a light-on-dark finder
/// pattern's proportions: a cheap check before the full confirmation (text and texture
/// make light 1:1:3:1:1 runs along a row, rarely along the column as well).
fn light_across(bits: &BitMatrix, p: Point, limit: u32) -> bool {
    let (x, y) = (p.x as u32, p.y as u32);
    let height = bits.getHeight();
    if x >= bits.getWidth() || y >= height || bits.get(x, y) {
        return false;
    }
    // Widths of the light centre, dark ring and light ring in one direction.
    let walk = |up: bool| -> [PatternType; 3] {
        let mut widths = [0; 3];
        let mut at = y;
        for (ring, width) in widths.iter_mut().enumerate() {
            let dark = ring == 1;
            while *width < limit as PatternType && bits.get(x, at) == dark {
                *width += 1;
                match (up, at) {
                    (true, 0) => return widths,
                    (true, _) => at -= 1,
                    (false, _) if at + 1 >= height => return widths,
                    (false, _) => at += 1,
                }
            }
        }
        widths
    };
    let ([c_up, d_up, l_up], [c_down, d_down, l_down]) = (walk(true), walk(false));
    within_proportions(
        &[l_up, d_up, c_up + c_down - 1, d_down, l_down],
        VERTICAL_PERCENT,
    )
}

/// How many light-on-dark finder patterns the row windows `light` (from
/// [`find_finder_patterns`] on `bits`) confirm outside the symbols `read`, counting up to
/// `enough` at most.
///
/// Most windows lie in the modules of the symbols read (a symbol's data holds light
/// 1:1:3:1:1 runs in many rows) and are dropped first, by bounding box and then corners.
/// The rest must show the proportions down their column too ([`light_across`]), and are
/// grouped by place (a window within half its width of an earlier place is the same
/// pattern seen in another row); each place left is confirmed as a dark candidate is, on
/// the negative of `bits` (a copy, made only then): a photo of one code whose light
/// windows all lie on it pays for no copy and no confirmation.
pub(crate) fn light_patterns(
    bits: &BitMatrix,
    light: &[LightWindow],
    read: &[[Point; 4]],
    enough: usize,
    budget: &mut Budget,
) -> usize {
    let boxes: Vec<[f32; 4]> = read
        .iter()
        .map(|quad| {
            quad.iter().fold(
                [f32::MAX, f32::MAX, f32::MIN, f32::MIN],
                |[x0, y0, x1, y1], p| [x0.min(p.x), y0.min(p.y), x1.max(p.x), y1.max(p.y)],
            )
        })
        .collect();
    let mut places: Vec<LightWindow> = Vec::new();
    for window in light {
        if !budget.spend(COST_CELL * (1 + read.len() as u64)) {
            return 0;
        }
        let p = window.centre;
        let on_symbol = read.iter().zip(&boxes).any(|(quad, b)| {
            p.x >= b[0] && p.y >= b[1] && p.x <= b[2] && p.y <= b[3] && inside(quad, p)
        });
        if on_symbol
            || places.iter().any(|old| {
                let (dx, dy, r) = (p.x - old.centre.x, p.y - old.centre.y, old.width as f32);
                4.0 * (dx * dx + dy * dy) < r * r
            })
        {
            continue;
        }
        if !budget.spend(u64::from(window.width) * COST_CELL) {
            return 0;
        }
        if light_across(bits, p, u32::from(window.width)) {
            places.push(*window);
        }
    }
    if places.is_empty() {
        return 0;
    }
    let mut negative = bits.clone();
    negative.flip_self();
    let mut confirmed: Vec<ConcentricPattern> = Vec::new();
    for window in &places {
        if confirmed.len() >= enough {
            break;
        }
        if confirmed
            .iter()
            .any(|old| Point::distance(window.centre, old.p) < old.size as f32 / 2.0)
        {
            continue;
        }
        match confirm(
            &negative,
            window.centre,
            u32::from(window.width),
            budget,
            |_| true,
        ) {
            Err(OutOfUnits) => break,
            Ok(Some(pattern)) => confirmed.push(pattern),
            Ok(None) => {}
        }
    }
    confirmed.len().min(enough)
}

/// Modules either way of a guessed pattern centre that [`locate_near`] starts from.
///
/// A third pattern guessed from two (see `group::third_pattern_guesses`) lies where a
/// square symbol's would; perspective moves it, by up to two modules in the differential
/// search's tilted photos (of the patterns found this way there, a fifth needed a start
/// two modules off).
const NEAR_MODULES: i32 = 2;

/// The finder pattern near `guess` that the row search missed, with about `size` pixels
/// across: confirmed as a row window is (`LocateConcentricPattern`), started from the guess
/// and from points up to [`NEAR_MODULES`] modules around it, nearest first. It must lie
/// within three modules of the guess and be within twice `size` either way.
///
/// The row search needs one of every third row to cross the pattern's centre in clean
/// 1:1:3:1:1 runs; a pattern blurred, damaged or foreshortened along the rows can fail that
/// and still show its rings in the four directions the confirmation walks.
pub(crate) fn locate_near(
    bits: &BitMatrix,
    guess: Point,
    size: i32,
    budget: &mut Budget,
) -> Option<ConcentricPattern> {
    let module = size as f32 / 7.0;
    let mut starts: Vec<(i32, i32)> = (-NEAR_MODULES..=NEAR_MODULES)
        .flat_map(|dy| (-NEAR_MODULES..=NEAR_MODULES).map(move |dx| (dx, dy)))
        .collect();
    starts.sort_by_key(|&(dx, dy)| dx * dx + dy * dy);
    let (width, height) = (bits.getWidth() as f32, bits.getHeight() as f32);
    for (dx, dy) in starts {
        let start = Point {
            x: guess.x + dx as f32 * module,
            y: guess.y + dy as f32 * module,
        };
        if !(0.0..width).contains(&start.x) || !(0.0..height).contains(&start.y) {
            continue;
        }
        let near = |pattern: &ConcentricPattern| {
            Point::distance(pattern.p, guess) < 3.0 * module
                && pattern.size <= 2 * size
                && 2 * pattern.size >= size
        };
        match confirm(bits, start, size as u32, budget, near) {
            Err(OutOfUnits) => return None,
            Ok(Some(pattern)) => return Some(pattern),
            Ok(None) => {}
        }
    }
    None
}

/// The finder pattern `LocateConcentricPattern` confirms from `centre` (a row window's
/// centre, or a guess) for a pattern about `width` pixels across, when `accept` takes it:
/// the one place a confirmation is tried and paid for. A try costs [`COST_LOCATE_TRY`]
/// plus [`COST_CELL`] a pixel of width; a pattern kept, [`COST_LOCATE`] plus
/// [`COST_LOCATE_PER_PIXEL`] a pixel (its four walks and ring tracing).
fn confirm(
    bits: &BitMatrix,
    centre: Point,
    width: u32,
    budget: &mut Budget,
    accept: impl Fn(&ConcentricPattern) -> bool,
) -> Result<Option<ConcentricPattern>, OutOfUnits> {
    if !budget.spend(COST_LOCATE_TRY + u64::from(width) * COST_CELL) {
        return Err(OutOfUnits);
    }
    // Three times the row's width of the pattern, for very skewed views.
    let range = width as i32 * 3;
    let Some(pattern) = LocateConcentricPattern::<true, 5, 7>(bits, &FINDER_RUNS, centre, range)
        .filter(|pattern| accept(pattern))
    else {
        return Ok(None);
    };
    if !budget.spend(COST_LOCATE + u64::from(width) * COST_LOCATE_PER_PIXEL) {
        return Err(OutOfUnits);
    }
    Ok(Some(pattern))
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

    /// `p` lies in the zone of one of `found`, or in a masked cell.
    fn inside_any(&self, p: Point, found: &[ConcentricPattern]) -> bool {
        let index = self.cell(p.y, self.rows) * self.columns + self.cell(p.x, self.columns);
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
