//! Groups finder-pattern candidates into triples that could be the three corners of one
//! symbol, most plausible first.
//!
//! The geometric tests are zxing-cpp's (as rxing ports them): the two legs from the corner
//! pattern within a factor of two of each other, an angle between 45 and 135 degrees at
//! the corner, and a module count between a version 1 and a version 40 symbol, with
//! distances scaled by the size ratio to allow for perspective. What differs is which
//! triples are tested. Testing all of them is cubic; rxing tests, for each candidate, the
//! first fifteen smaller ones its spatial bins yield, which in a sheet of many codes can
//! leave out a symbol's own partner. Here each candidate is paired only with its
//! [`NEIGHBOURS`] nearest candidates of compatible size (not more than twice smaller, give or
//! take [`SIZE_SLACK`]), so
//! the work is linear in the number of candidates, and every step spends units of the
//! scan's [`Budget`].

use rxing::Point;
use rxing::common::cpp_essentials::ConcentricPattern;
use rxing::qrcode::cpp_port::detector::FinderPatternSet;

use crate::budget::{Budget, COST_CELL, COST_TRIPLE};

/// Nearest compatible candidates each candidate is grouped with.
///
/// A symbol's other two finder patterns are among the nearest candidates of its size:
/// even in a sheet of codes packed with one-module gaps, at most about eight patterns of
/// neighbouring symbols lie closer than a symbol's own; sixteen leaves room for false
/// candidates (text, logos) in between, and bounds the triples per candidate to 120.
pub(crate) const NEIGHBOURS: usize = 16;

/// Pixels a candidate may be wider than twice its partner and still pair with it (as
/// zxing-cpp allows): the rings of a pattern seen at a grazing angle are measured a pixel
/// or two short, and a symbol tilted 55-65 degrees shows its far pattern at just under half
/// the width of its near ones (synthetic random seed 110: 70 and 34 pixels).
const SIZE_SLACK: i32 = 2;

/// Most modules across a symbol that a triple may span (version 40 is 177), with room
/// for perspective.
const MAX_MODULES: f64 = 177.0 * 1.5;

/// Fewest modules across a symbol that a triple may span (version 1 is 21), with room
/// for perspective.
const MIN_MODULES: f64 = 21.0 * 0.9;

/// Largest |cosine| of the angle at a triple's corner pattern: 45 to 135 degrees, as
/// zxing-cpp allows (a right angle seen in strong perspective).
const MAX_CORNER_COS: f64 = std::f64::consts::FRAC_1_SQRT_2;

/// Candidates a view may hold for its triples to skip the size-ratio, leg-ratio and
/// corner-angle tests (the module count still applies), as zxing-cpp 3.1 does.
///
/// Those tests exist to keep a crowd of candidates (a sheet of codes, text, texture)
/// from forming a flood of false triples; with this few there is nothing to sort out,
/// and at most ten triples to try. A lone symbol tilted 50-65 degrees towards a close
/// camera shows its near pattern more than twice as wide as its far one and its corner
/// far from square (differential seed 326: patterns of 47, 24 and 21 pixels), and
/// reads only without them. A false triple of so few costs one sampling attempt and
/// fails error correction.
pub(crate) const FEW_CANDIDATES: usize = 5;

/// A view holds at most [`FEW_CANDIDATES`] candidates: a lone symbol, whose triples skip
/// the shape tests and whose failed grids are sampled again (see `reader`).
pub(crate) fn sparse(patterns: &[ConcentricPattern]) -> bool {
    patterns.len() <= FEW_CANDIDATES
}

/// Smallest side of a spatial bin in pixels; bins are three median candidates wide.
const MIN_BIN: f32 = 32.0;

/// Three candidates taken as one symbol's corners, by index into the sorted candidates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Triple {
    /// The patterns, as the sampler takes them.
    pub set: FinderPatternSet,
    /// Their indices: bottom-left, top-left, top-right.
    pub members: [usize; 3],
}

/// Plausible triples of `patterns` (which this sorts largest first), most plausible first,
/// or those found before `budget` ran out.
pub(crate) fn group(patterns: &mut [ConcentricPattern], budget: &mut Budget) -> Vec<Triple> {
    patterns.sort_by_key(|p| std::cmp::Reverse(p.size));
    let n = patterns.len();
    if n < 3 {
        return Vec::new();
    }
    let filters = !sparse(patterns);
    let bins = Bins::new(patterns);
    let mut scored: Vec<(f64, Triple)> = Vec::new();
    // Triples with their corner taken elsewhere (a sparse view's second reading of a
    // triple, see `other_corner`): tried after every first reading, so a symbol that
    // reads costs nothing more.
    let mut others: Vec<(f64, Triple)> = Vec::new();
    let mut near: Vec<(f32, usize)> = Vec::with_capacity(4 * NEIGHBOURS);
    'patterns: for i in 0..n - 2 {
        let c = patterns[i];
        let reach = (f64::from(c.size) / 7.0 * MAX_MODULES) as f32;
        near.clear();
        let (cx, cy) = bins.of(c.p);
        let last_ring = (reach / bins.side).ceil() as usize;
        for ring in 0..=last_ring {
            let mut visited = 0;
            let ok = bins.ring(cx, cy, ring, |members| {
                visited += 1;
                for &j in members {
                    if j > i && (!filters || c.size <= 2 * patterns[j].size + SIZE_SLACK) {
                        near.push((Point::distance(c.p, patterns[j].p), j));
                    }
                }
                visited += members.len();
            });
            if !budget.spend(visited as u64 * COST_CELL) {
                break 'patterns;
            }
            if near.len() >= NEIGHBOURS || !ok {
                break;
            }
        }
        let nearer = |a: &(f32, usize), b: &(f32, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        if near.len() > NEIGHBOURS {
            near.select_nth_unstable_by(NEIGHBOURS, nearer);
            near.truncate(NEIGHBOURS);
        }
        near.sort_unstable_by(nearer);
        let pairs = near.len() * near.len().saturating_sub(1) / 2;
        if !budget.spend(pairs as u64 * COST_TRIPLE) {
            break;
        }
        for (u, &(_, j)) in near.iter().enumerate() {
            for &(_, k) in &near[u + 1..] {
                // Larger index = smaller or equal size.
                let (j, k) = if j < k { (j, k) } else { (k, j) };
                if let Some(found) = plausible(patterns, [k, j, i], filters) {
                    scored.push(found);
                }
                if !filters && let Some(found) = other_corner(patterns, [k, j, i]) {
                    others.push(found);
                }
            }
        }
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    others.sort_by(|a, b| a.0.total_cmp(&b.0));
    scored.into_iter().chain(others).map(|(_, t)| t).collect()
}

/// Where a symbol's third finder pattern would lie if `a` and `b` are two of its three, with
/// the symbol seen square-on: beside either of them, at right angles to the line joining
/// them and as far as they are apart, on either side (`a` or `b` is the corner), or off
/// the midpoint by half that (they are the two ends of the symbol's diagonal). `None`
/// when the pair cannot be two patterns of one symbol: sizes more than twice apart, or a
/// distance outside a version 1 to 40 symbol's in modules of their size.
pub(crate) fn third_pattern_guesses(
    a: &ConcentricPattern,
    b: &ConcentricPattern,
) -> Option<[Point; 6]> {
    if a.size.min(b.size) * 2 < a.size.max(b.size) {
        return None;
    }
    let module = (a.size + b.size) as f32 / 14.0;
    let apart = Point::distance(a.p, b.p) / module;
    // Version 1 has 14 modules between pattern centres, version 40 has 170; the diagonal
    // is √2 times that.
    let most = (MAX_MODULES as f32 - 7.0) * std::f32::consts::SQRT_2;
    if !(MIN_MODULES as f32 - 7.0..=most).contains(&apart) {
        return None;
    }
    let across = Point {
        x: a.p.y - b.p.y,
        y: b.p.x - a.p.x,
    };
    let mid = Point {
        x: (a.p.x + b.p.x) / 2.0,
        y: (a.p.y + b.p.y) / 2.0,
    };
    let off = |p: Point, by: f32| Point {
        x: p.x + across.x * by,
        y: p.y + across.y * by,
    };
    Some([
        off(a.p, 1.0),
        off(a.p, -1.0),
        off(b.p, 1.0),
        off(b.p, -1.0),
        off(mid, 0.5),
        off(mid, -0.5),
    ])
}

/// Three patterns as a symbol's corners (bottom-left, top-left, top-right), when their
/// module count fits a symbol: for a triple completed from two candidates, whose shape the
/// guess itself decided.
pub(crate) fn as_triple(mut three: [ConcentricPattern; 3]) -> Option<FinderPatternSet> {
    three.sort_by_key(|p| p.size);
    plausible(&three, [0, 1, 2], false).map(|(_, triple)| triple.set)
}

/// The triple `[a, b, c]` (smallest pattern first) as bottom-left, top-left, top-right with
/// its score (lower is more plausible), when its geometry can be a symbol's (only its
/// module count, without `filters`: see [`FEW_CANDIDATES`]).
///
/// Two ways of measuring the triangle are tried. zxing-cpp's stretches each distance by
/// the ratio of the two patterns' sizes (a pattern seen larger is nearer the camera, so
/// distances measured from it are foreshortened less); under strong perspective that
/// over-corrects the legs that reach the nearest pattern, and a symbol tilted 50-70
/// degrees fails the corner-angle test. The second measures every distance in modules
/// of the two patterns it joins (their mean size over seven), which follows the scale
/// change along the leg; a triple passes when either shows a symbol's shape.
fn plausible(
    patterns: &[ConcentricPattern],
    [a, b, c]: [usize; 3],
    filters: bool,
) -> Option<(f64, Triple)> {
    let module = mean_module(patterns, [a, b, c]);
    let (members, score) = corner([a, b, c], |p, q| stretched(patterns, p, q), module, filters)
        .or_else(|| {
            corner([a, b, c], |p, q| in_modules(patterns, p, q), 1.0, filters)
                .map(|(members, score)| (members, score * module))
        })?;
    Some(oriented(patterns, members, score))
}

/// The triple `[a, b, c]` (smallest pattern first) with its corner taken where its
/// distances in modules of the patterns they join put it, when that differs from where
/// the size-stretched distances put it, and its score; for a view of at most
/// [`FEW_CANDIDATES`] candidates, which tries both (see [`plausible`]).
///
/// The size-ratio stretch over-corrects under strong perspective: a lone symbol tilted
/// 63° (differential seed 401) shows patterns of 72, 42 and 37 px, and the stretch makes
/// the leg from the small far pattern to the large near one the longest side, so the
/// corner is taken at a far pattern and the symbol is sampled turned and skewed. Measured
/// in modules, the longest side is the true diagonal.
fn other_corner(patterns: &[ConcentricPattern], [a, b, c]: [usize; 3]) -> Option<(f64, Triple)> {
    // `a` is the smallest pattern and `c` the largest.
    if f64::from(patterns[c].size) < PERSPECTIVE_SIZE_RATIO * f64::from(patterns[a].size) {
        return None;
    }
    let module = mean_module(patterns, [a, b, c]);
    let (stretched_members, _) =
        corner([a, b, c], |p, q| stretched(patterns, p, q), module, false)?;
    let (members, score) = corner([a, b, c], |p, q| in_modules(patterns, p, q), 1.0, false)?;
    (members[1] != stretched_members[1]).then(|| oriented(patterns, members, score * module))
}

/// Size ratio of a triple's largest pattern to its smallest from which [`other_corner`]
/// offers its second reading: strong perspective from a close camera, where the size
/// stretch can move the corner (seed 401: 72 against 37 px, 1.95).
const PERSPECTIVE_SIZE_RATIO: f64 = 1.5;

/// The mean module of three patterns, in pixels.
fn mean_module(patterns: &[ConcentricPattern], [a, b, c]: [usize; 3]) -> f64 {
    f64::from(patterns[a].size + patterns[b].size + patterns[c].size) / 21.0
}

/// The squared distance between two patterns' centres, in pixels.
fn distance2(patterns: &[ConcentricPattern], from: usize, to: usize) -> f64 {
    let (p, q) = (patterns[from], patterns[to]);
    let (dx, dy) = (f64::from(p.p.x - q.p.x), f64::from(p.p.y - q.p.y));
    dx * dx + dy * dy
}

/// Squared distance stretched by the size ratio (zxing-cpp's), taken from the smaller
/// pattern `from` to the larger `to`.
fn stretched(patterns: &[ConcentricPattern], from: usize, to: usize) -> f64 {
    distance2(patterns, from, to) * f64::from(patterns[to].size) / f64::from(patterns[from].size)
}

/// Squared distance in modules of the two patterns it joins.
fn in_modules(patterns: &[ConcentricPattern], from: usize, to: usize) -> f64 {
    let m = f64::from(patterns[from].size + patterns[to].size) / 14.0;
    distance2(patterns, from, to) / (m * m)
}

/// `[corner-opposite, corner, corner-opposite]` as bottom-left, top-left, top-right (the
/// two ends swapped when needed so that the turn from top-right to bottom-left about the
/// corner is clockwise in image coordinates), with `score`.
fn oriented(
    patterns: &[ConcentricPattern],
    [mut bl, tl, mut tr]: [usize; 3],
    score: f64,
) -> (f64, Triple) {
    let (p, q, r) = (patterns[bl].p, patterns[tl].p, patterns[tr].p);
    if (r.x - q.x) * (p.y - q.y) - (r.y - q.y) * (p.x - q.x) < 0.0 {
        std::mem::swap(&mut bl, &mut tr);
    }
    (
        score,
        Triple {
            set: FinderPatternSet {
                bl: patterns[bl],
                tl: patterns[tl],
                tr: patterns[tr],
            },
            members: [bl, tl, tr],
        },
    )
}

/// The triple as corner-opposite, corner, corner-opposite and its score (in the unit of
/// `d2`), when under the squared distance `d2` it has a symbol's shape: legs within 2×
/// of each other, a corner angle of 45-135 degrees, 19-265 modules across (`module` is
/// one module in the unit of `d2`); without `filters`, only the module count.
fn corner(
    [a, b, c]: [usize; 3],
    d2: impl Fn(usize, usize) -> f64,
    module: f64,
    filters: bool,
) -> Option<([usize; 3], f64)> {
    let (ab, bc, ac) = (d2(a, b), d2(b, c), d2(a, c));
    // The corner (top-left) is the pattern opposite the longest side.
    let (bl, tl, tr, leg1, leg2, hypotenuse) = if bc >= ab && bc >= ac {
        (b, a, c, ab, ac, bc)
    } else if ab >= ac && ab >= bc {
        (a, c, b, bc, ac, ab)
    } else {
        (a, b, c, ab, bc, ac)
    };
    if filters && (leg1 > 4.0 * leg2 || leg2 > 4.0 * leg1) {
        return None;
    }
    let (l1, l2) = (leg1.sqrt(), leg2.sqrt());
    let modules = (l1 + l2) / (2.0 * module) + 7.0;
    if !(MIN_MODULES..=MAX_MODULES).contains(&modules) {
        return None;
    }
    // Angle at the corner between 45 and 135 degrees: a symbol tilted 60 degrees away from
    // the camera, seen from close by, shows its corner at up to 125 degrees.
    let cos = (leg1 + leg2 - hypotenuse) / (2.0 * l1 * l2);
    if cos.is_nan() || (filters && cos.abs() > MAX_CORNER_COS) {
        return None;
    }
    Some(([bl, tl, tr], l1 + l2 + (l1 - l2).abs()))
}

/// Candidates binned on a square grid over their bounding box.
struct Bins {
    side: f32,
    origin: Point,
    columns: usize,
    rows: usize,
    members: Vec<Vec<usize>>,
}

impl Bins {
    fn new(patterns: &[ConcentricPattern]) -> Self {
        let (mut lo, mut hi) = (patterns[0].p, patterns[0].p);
        for p in patterns {
            lo = Point {
                x: lo.x.min(p.p.x),
                y: lo.y.min(p.p.y),
            };
            hi = Point {
                x: hi.x.max(p.p.x),
                y: hi.y.max(p.p.y),
            };
        }
        let median = patterns[patterns.len() / 2].size;
        let side = (3.0 * median as f32).max(MIN_BIN);
        let columns = (((hi.x - lo.x + 1.0) / side).ceil() as usize).max(1);
        let rows = (((hi.y - lo.y + 1.0) / side).ceil() as usize).max(1);
        let mut bins = Bins {
            side,
            origin: lo,
            columns,
            rows,
            members: vec![Vec::new(); columns * rows],
        };
        for (i, p) in patterns.iter().enumerate() {
            let (x, y) = bins.of(p.p);
            bins.members[y * columns + x].push(i);
        }
        bins
    }

    fn of(&self, p: Point) -> (usize, usize) {
        let x = (((p.x - self.origin.x) / self.side).max(0.0) as usize).min(self.columns - 1);
        let y = (((p.y - self.origin.y) / self.side).max(0.0) as usize).min(self.rows - 1);
        (x, y)
    }

    /// Calls `visit` with the members of every bin at Chebyshev distance `ring` from
    /// `(cx, cy)`; `false` when the ring lies wholly outside the grid (no further ring can
    /// hold anything).
    fn ring(&self, cx: usize, cy: usize, ring: usize, mut visit: impl FnMut(&[usize])) -> bool {
        let (cx, cy, r) = (cx as isize, cy as isize, ring as isize);
        let inside = |x: isize, y: isize| {
            x >= 0 && y >= 0 && (x as usize) < self.columns && (y as usize) < self.rows
        };
        let mut any = false;
        let mut cell = |x: isize, y: isize| {
            if inside(x, y) {
                any = true;
                visit(&self.members[y as usize * self.columns + x as usize]);
            }
        };
        if r == 0 {
            cell(cx, cy);
            return any;
        }
        let (x0, x1) = ((cx - r).max(0), (cx + r).min(self.columns as isize - 1));
        for x in x0..=x1 {
            cell(x, cy - r);
            cell(x, cy + r);
        }
        let (y0, y1) = (
            (cy - r + 1).max(0),
            (cy + r - 1).min(self.rows as isize - 1),
        );
        for y in y0..=y1 {
            cell(cx - r, y);
            cell(cx + r, y);
        }
        any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::Budget;

    fn pattern(x: f32, y: f32) -> ConcentricPattern {
        ConcentricPattern {
            p: Point { x, y },
            size: 21,
        }
    }

    #[test]
    fn three_patterns_at_a_right_angle_are_a_symbol_with_its_corner_top_left() {
        let mut patterns = vec![
            pattern(80.0, 10.0),
            pattern(10.0, 80.0),
            pattern(10.0, 10.0),
        ];
        let triples = group(&mut patterns, &mut Budget::new(u64::MAX));
        assert_eq!(triples.len(), 1);
        let set = triples[0].set;
        let at = |p: ConcentricPattern| (p.p.x, p.p.y);
        assert_eq!(
            (at(set.tl), at(set.tr), at(set.bl)),
            ((10.0, 10.0), (80.0, 10.0), (10.0, 80.0))
        );
    }

    /// `patterns` and three more far out of their reach, in a line (no symbol of their
    /// own): one more candidate than `FEW_CANDIDATES`, so the shape tests apply.
    fn in_a_crowd(mut patterns: Vec<ConcentricPattern>) -> Vec<ConcentricPattern> {
        patterns.extend((0..3).map(|i| pattern(3000.0 + 70.0 * i as f32, 3000.0)));
        assert_eq!(patterns.len(), FEW_CANDIDATES + 1);
        patterns
    }

    /// Three patterns at a right angle, one of them `far` pixels wide, the others 21.
    fn far_apart_sizes(far: i32) -> Vec<ConcentricPattern> {
        let mut patterns = vec![
            pattern(80.0, 10.0),
            pattern(10.0, 80.0),
            pattern(10.0, 10.0),
        ];
        patterns[0].size = far;
        patterns
    }

    /// The three patterns of differential seed 401's lone symbol, tilted 63° (centre,
    /// size): top-left, top-right, bottom-left as zxing-cpp reads it.
    fn tilted_sixty_three_degrees() -> Vec<ConcentricPattern> {
        [
            (1029.7, 760.3, 72),
            (1250.7, 760.0, 37),
            (969.0, 1190.7, 42),
        ]
        .map(|(x, y, size)| ConcentricPattern {
            p: Point { x, y },
            size,
        })
        .to_vec()
    }

    #[test]
    fn a_sparse_view_also_tries_the_corner_the_patterns_module_distances_show() {
        let at = |p: ConcentricPattern| (p.p.x, p.p.y);
        let budget = &mut Budget::new(u64::MAX);
        let triples = group(&mut tilted_sixty_three_degrees(), budget);
        // The size-stretched distances take the corner at the small far pattern; the
        // distances in modules at the large near one, the symbol's, tried second.
        assert_eq!(triples.len(), 2);
        assert_eq!(at(triples[0].set.tl), (1250.7, 760.0));
        let set = triples[1].set;
        assert_eq!(
            (at(set.tl), at(set.tr), at(set.bl)),
            ((1029.7, 760.3), (1250.7, 760.0), (969.0, 1190.7))
        );
        // A square symbol's corner is the same either way: one triple.
        let square = vec![
            pattern(80.0, 10.0),
            pattern(10.0, 80.0),
            pattern(10.0, 10.0),
        ];
        assert_eq!(group(&mut square.clone(), budget).len(), 1);
        // Sizes 60, 40 and 40 (the largest 1.5 times the smallest) still move the
        // stretched corner and get the second reading; 59, 40 and 40 move it too, but are
        // taken as too level for perspective to have moved it (`PERSPECTIVE_SIZE_RATIO`).
        let sized = |sizes: [i32; 3]| {
            let mut patterns = tilted_sixty_three_degrees();
            for (pattern, size) in patterns.iter_mut().zip(sizes) {
                pattern.size = size;
            }
            patterns
        };
        assert_eq!(group(&mut sized([60, 40, 40]), budget).len(), 2);
        assert_eq!(group(&mut sized([59, 40, 40]), budget).len(), 1);
        // Among more than `FEW_CANDIDATES` candidates, only the first reading is kept.
        let triples = group(&mut in_a_crowd(tilted_sixty_three_degrees()), budget);
        assert_eq!(triples.len(), 1);
        assert_eq!(at(triples[0].set.tl), (1250.7, 760.0));
    }

    #[test]
    fn patterns_in_a_line_or_of_far_apart_sizes_are_no_symbol_among_many_candidates() {
        let line = vec![
            pattern(10.0, 10.0),
            pattern(80.0, 10.0),
            pattern(150.0, 10.0),
        ];
        let budget = &mut Budget::new(u64::MAX);
        assert!(group(&mut in_a_crowd(line.clone()), budget).is_empty());
        assert!(group(&mut in_a_crowd(far_apart_sizes(7)), budget).is_empty());
        // A few candidates skip the shape tests: both are tried.
        assert_eq!(group(&mut line.clone(), budget).len(), 1);
        assert_eq!(group(&mut far_apart_sizes(7), budget).len(), 1);
    }

    #[test]
    fn up_to_few_candidates_are_grouped_on_their_module_count_alone() {
        // A lone symbol tilted 50 degrees towards a close camera (differential seed 326):
        // patterns 7 px and 21 px wide fail the size test, and pass it with one more
        // candidate than FEW_CANDIDATES removed.
        let budget = &mut Budget::new(u64::MAX);
        let mut few = in_a_crowd(far_apart_sizes(7));
        assert!(group(&mut few.clone(), budget).is_empty());
        few.pop();
        assert_eq!(few.len(), FEW_CANDIDATES);
        assert_eq!(group(&mut few, budget).len(), 1);
        // The module count still applies: legs of 10 px make a symbol 10 modules across.
        let mut tiny = vec![
            pattern(20.0, 10.0),
            pattern(10.0, 20.0),
            pattern(10.0, 10.0),
        ];
        assert!(group(&mut tiny, budget).is_empty());
    }

    /// Same-size patterns with legs of 70 px meeting at `degrees` at (10, 10).
    fn corner(degrees: f32) -> Vec<ConcentricPattern> {
        let (sin, cos) = degrees.to_radians().sin_cos();
        vec![
            pattern(80.0, 10.0),
            pattern(10.0 + 70.0 * cos, 10.0 + 70.0 * sin),
            pattern(10.0, 10.0),
        ]
    }

    #[test]
    fn a_corner_seen_in_strong_perspective_is_a_symbol_up_to_135_degrees() {
        // A symbol tilted 60 degrees from a close camera shows its corner at about 125.
        // (Acute corners are not tested this way: with equal legs, the longest side is then
        // a leg, and the triple's corner is another pattern.)
        for (degrees, symbol) in [
            (90.0, true),
            (125.0, true),
            (134.0, true),
            (136.0, false),
            (150.0, false),
        ] {
            let triples = group(&mut in_a_crowd(corner(degrees)), &mut Budget::new(u64::MAX));
            assert_eq!(triples.len(), usize::from(symbol), "{degrees} degrees");
        }
    }

    #[test]
    fn a_pattern_pairs_with_one_up_to_twice_smaller_give_or_take_the_size_slack() {
        // A symbol tilted about 60 degrees: its near patterns 70 px wide, its far one at
        // just under half that. 70 <= 2 * 34 + SIZE_SLACK pairs; 70 > 2 * 33 + SIZE_SLACK
        // does not, whatever the geometry.
        assert_eq!(2 * 34 + SIZE_SLACK, 70, "the two cases sit at the edge");
        for (far, symbol) in [(34, true), (33, false)] {
            let mut patterns = in_a_crowd(vec![
                ConcentricPattern {
                    p: Point { x: 100.0, y: 100.0 },
                    size: 70,
                },
                ConcentricPattern {
                    p: Point { x: 500.0, y: 100.0 },
                    size: 70,
                },
                ConcentricPattern {
                    p: Point { x: 100.0, y: 500.0 },
                    size: far,
                },
            ]);
            let triples = group(&mut patterns, &mut Budget::new(u64::MAX));
            assert_eq!(triples.len(), usize::from(symbol), "far pattern {far} px");
        }
    }

    #[test]
    fn a_third_pattern_is_guessed_beside_either_pattern_of_a_pair_or_off_its_midpoint() {
        let (a, b) = (pattern(100.0, 100.0), pattern(200.0, 100.0));
        let guesses = third_pattern_guesses(&a, &b).expect("a plausible pair");
        let at: Vec<(f32, f32)> = guesses.iter().map(|p| (p.x, p.y)).collect();
        assert_eq!(
            at,
            [
                (100.0, 200.0),
                (100.0, 0.0),
                (200.0, 200.0),
                (200.0, 0.0),
                (150.0, 150.0),
                (150.0, 50.0)
            ]
        );
        // Sizes more than twice apart, or too close or too far apart for a symbol (21 px
        // patterns are 3 px modules: version 1 has 14 modules between centres).
        let mut small = b;
        small.size = 10;
        assert!(third_pattern_guesses(&a, &small).is_none());
        assert!(third_pattern_guesses(&a, &pattern(130.0, 100.0)).is_none());
        assert!(third_pattern_guesses(&a, &pattern(1700.0, 100.0)).is_none());
    }

    #[test]
    fn a_budget_too_small_for_one_candidate_yields_no_triples() {
        let mut patterns = vec![
            pattern(10.0, 10.0),
            pattern(80.0, 10.0),
            pattern(10.0, 80.0),
        ];
        assert_eq!(
            group(&mut patterns.clone(), &mut Budget::new(u64::MAX)).len(),
            1
        );
        assert!(group(&mut patterns, &mut Budget::new(COST_CELL)).is_empty());
    }
}
