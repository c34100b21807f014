//! Finds and decodes the QR, Micro QR and rMQR symbols in one binarised view of an image.
//!
//! The finder-pattern search (our own copy, [`crate::finder`]), grid sampling and Reed-Solomon decoding are rxing's port of
//! zxing-cpp's QR reader, used through its public building blocks; this module drives
//! them so that it can bound the work per view (see [`crate::budget`]) and keep what
//! rxing's result type drops (symbol version, mirroring, the payload bytes, the ECI flag).
//! Grouping candidates into triples is our own ([`crate::group`]).
//!
//! Micro QR and rMQR symbols have one finder pattern each, so they are looked for as
//! zxing-cpp does, after the QR symbols: every candidate that no symbol read used, and
//! that does not lie on one, is sampled as a Micro QR symbol and then as an rMQR symbol.
//! A photo of one QR code uses all its candidates and pays nothing for this.

use rxing::Point;
use rxing::common::cpp_essentials::{
    ConcentricPattern, DMRegressionLine, DecoderResult, FitSquareToPoints, RegressionLineTrait,
};
use rxing::common::{
    BitMatrix, DefaultGridSampler, DetectorRXingResult, GridSampler, Quadrilateral, SamplerControl,
};
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{
    EstimateModuleSize, EstimateTilt, FinderPatternSet, LocateAlignmentPattern, Mod2Pix, SampleMQR,
    SampleQR, SampleRMQR, TraceLine,
};
use rxing::qrcode::detector::QRCodeDetectorResult;

use crate::budget::{
    Budget, COST_CELL, COST_DECODE, COST_EDGE_FIT_MODULE, COST_ERASURE_MODULE, COST_ERASURE_RETRY,
    COST_MODULE, COST_SINGLE_FINDER, FINDER_SHARE_PERCENT, GROUPING_SHARE_PERCENT, OutOfUnits,
    VIEW_BUDGET,
};
use crate::edge_fit::{fitted_grid, format_copies_distance, grid_transform, shows_qr_format};
use crate::finder::find_finder_patterns;
use crate::group::{Triple, group, sparse};
use crate::payload::{Encoding, guess_text};
use crate::{Code, EcLevel, RMQR_SIZES, StructuredAppend, Symbology};

/// Finder candidates at most this wide (in view pixels, 7 modules) have modules of 2.5
/// pixels or less: a shrunk view blurs such symbols beyond reading, so when it leaves
/// candidates this small unread the image is searched at full size as well.
pub(crate) const SMALL_FINDER_PIXELS: i32 = 17;

/// Unused finder candidates a view may leave for each pair of them to be completed with a
/// third pattern looked for where the symbol's would be (see [`complete_pairs`]).
///
/// A symbol whose third pattern the row search missed leaves two candidates unused; a
/// view full of unused candidates (text, texture, a flood) would cost a look-up around six
/// guesses for every pair. Eight is at most 28 pairs. On the differential search's tuning
/// seeds, 16 of the 19 views where a prototype without the limit read a code this way held
/// eight unused candidates or fewer.
pub(crate) const PAIR_UNUSED_MAX: usize = 8;

/// Failed triples a finder candidate may be a member of before the view tries no more
/// triples with it.
///
/// Each failed triple costs a grid sampled and run through error correction. In a noisy
/// full-size view of a big photo, tens of false candidates (sensor noise binarised around
/// modules of about 3 px) pair with each other and with a real symbol's patterns into
/// hundreds of plausible triples: differential seed 10915's full-size view of 4032 × 3024
/// found 83 candidates, tried 677 triples that failed and ran out of its units, so the
/// midrange view of the same pixels, which reads its version-11 code, was skipped as
/// flooded. A real symbol's own triple comes among the first few of its patterns' triples
/// (most plausible first), so a candidate that failed this many times is most likely not
/// a pattern of any symbol the view can read. At 8 the differential search's evaluation
/// seeds read 2 codes more (10863, 10915), the tuning seeds the same, no image fewer, for
/// 8 % fewer units on both ranges; at 4, three codes of crowded views were lost.
pub(crate) const TRIPLE_FAILURES_PER_CANDIDATE: usize = 8;

/// Bits in which the two copies of a failed grid's format information may differ for the
/// grid to be fitted to its module edges ([`crate::edge_fit`]) in a crowded view (more
/// than [`FEW_CANDIDATES`](crate::group::FEW_CANDIDATES) candidates).
///
/// A real symbol's two copies hold the same 15 bits; a false triple (finder patterns of
/// different symbols on a sheet of codes, grouped together) samples two unrelated words,
/// or the light quiet zones between codes, there (two random words agree this well, plain
/// or mirrored, about once in eight). The fit was a seventh of a sheet's instructions,
/// nearly all of it on such grids. A lone symbol's grid is fitted whatever its copies
/// read: the grid of a code on cloth rippled 12 modules long reads its copies 6 bits
/// apart, and reads once fitted (`tests/search.rs`).
pub(crate) const FIT_FORMAT_DISTANCE: u32 = 4;

/// Bits in which the two copies of a failed grid's format information may differ from each
/// other, and the first from a valid format word, for its three finder patterns to be
/// taken as a QR symbol's ([`shows_qr_format`]), which are then not sampled as Micro QR or
/// rMQR symbols in that view ([`decode_single_finders`]).
///
/// An image that no view reads (glare, damage, blur) shows its QR symbol's three patterns
/// to every view, and each view sampled each of them twice more, as a Micro QR and as an
/// rMQR symbol (tracing the pattern's corners each time): about half of such a view's
/// units. A grid whose two format copies agree was sampled over a QR symbol's patterns;
/// a Micro QR or rMQR symbol's pattern grouped with two others into a false triple
/// samples unrelated words there (two random words agree this well once in 135 times,
/// mirrored reading included, and are then near a valid word about once in 4.5). Copies
/// that agree on a nearly blank word (the quiet zone beside a Micro QR symbol) are no
/// format: with agreement alone, `micro-mixed` 07 lost one of its codes.
pub(crate) const QR_FORMAT_DISTANCE: u32 = 2;

/// Where a view's pixels sit in the caller's image.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ViewInfo {
    /// Caller-image pixels per view pixel.
    pub scale: f32,
    /// The view's black and white are swapped relative to the image.
    pub inverted: bool,
    /// Look for Micro QR and rMQR symbols too (see [`crate::Passes::micro`]).
    pub micro: bool,
    /// Also count the light-on-dark finder patterns this view shows outside the symbols
    /// read, when any symbol is read ([`Unread::light_patterns`]).
    pub light_evidence: bool,
    /// Complete pairs of unused candidates with assumed third patterns when the view reads
    /// nothing ([`assume_thirds`]).
    pub assume_thirds: bool,
}

/// Decodes every symbol in `bits` and appends those not already in `found`, spending at
/// most [`VIEW_BUDGET`] of what is left in `budget`: half of it at most on finding
/// candidates and a quarter on grouping them, so that a flood of candidates still leaves
/// units to try the most plausible triples.
///
/// Returns what the view left unread.
pub(crate) fn read_view(
    bits: &BitMatrix,
    info: ViewInfo,
    budget: &mut Budget,
    found: &mut Vec<Code>,
) -> Unread {
    budget.start_view(VIEW_BUDGET);
    // Symbols read, in earlier views and in this one, as quadrilaterals in view pixels.
    let mut read: Vec<[rxing::Point; 4]> = found
        .iter()
        .map(|code| {
            code.corners.map(|[x, y]| rxing::Point {
                x: x / info.scale,
                y: y / info.scale,
            })
        })
        .collect();
    budget.start_stage(VIEW_BUDGET * FINDER_SHARE_PERCENT / 100);
    // The finder search leaves out the symbols earlier views read: their patterns could
    // only form triples and single finders that are skipped for lying on them.
    let mut light = Vec::new();
    let mut patterns = find_finder_patterns(
        bits,
        &read,
        budget,
        info.light_evidence.then_some(&mut light),
    );
    budget.start_stage(VIEW_BUDGET * GROUPING_SHARE_PERCENT / 100);
    let triples = group(&mut patterns, budget);
    budget.start_stage(VIEW_BUDGET);
    let (mut used, qr_patterns, near_misses) =
        decode_triples(bits, info, &triples, &patterns, budget, found, &mut read);
    complete_pairs(
        bits, info, &patterns, &triples, &mut used, budget, found, &mut read,
    );
    if info.assume_thirds && found.is_empty() {
        assume_thirds(bits, info, &patterns, &mut used, budget, found, &mut read);
    }
    if info.micro {
        decode_single_finders(
            bits,
            info,
            &patterns,
            &qr_patterns,
            &mut used,
            budget,
            found,
            &mut read,
        );
    }
    // The other polarity's patterns matter only beside a symbol read: an image that
    // reads nothing has its negative searched anyway.
    let light_patterns = if found.is_empty() || light.is_empty() {
        0
    } else {
        crate::finder::light_patterns(bits, &light, &read, crate::LIGHT_ON_DARK_PATTERNS, budget)
    };
    budget.end_view(u64::from(bits.getWidth()) * u64::from(bits.getHeight()));
    Unread {
        light_patterns,
        candidates: patterns.len(),
        small_candidates: patterns
            .iter()
            .zip(&used)
            .filter(|(p, used)| !**used && p.size <= SMALL_FINDER_PIXELS)
            .count(),
        unused: used.iter().filter(|used| !**used).count(),
        near_misses,
    }
}

/// What a view left unread.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Unread {
    /// Finder candidates found, read or not.
    pub candidates: usize,
    /// Finder candidates no symbol read used that are at most [`SMALL_FINDER_PIXELS`]
    /// wide: in a shrunk view, the sign of symbols too fine to read.
    pub small_candidates: usize,
    /// Finder candidates no symbol read used, and not lying on one: two or more are the
    /// sign of a symbol whose third pattern this view missed (or of clutter). Views
    /// add up to the most any one of them left, not the sum: the same stray candidate
    /// seen in two views is still one.
    pub unused: usize,
    /// Triples tried that failed, apart from the symbols read: the sign of a symbol that
    /// another threshold may read.
    pub near_misses: usize,
    /// Finder patterns of the other polarity (light on dark in a dark-on-light view)
    /// outside every symbol read, counted up to [`crate::LIGHT_ON_DARK_PATTERNS`] in the
    /// views that look for them ([`ViewInfo::light_evidence`]) when a symbol is read.
    pub light_patterns: usize,
}

impl std::ops::AddAssign for Unread {
    fn add_assign(&mut self, other: Unread) {
        self.light_patterns = self.light_patterns.max(other.light_patterns);
        self.candidates += other.candidates;
        self.small_candidates += other.small_candidates;
        self.unused = self.unused.max(other.unused);
        self.near_misses += other.near_misses;
    }
}

/// Samples and decodes `triples` (of `patterns`), most plausible first, skipping those
/// that share a candidate with, or lie on, a symbol already `read` (which this extends).
/// Returns which candidates the symbols read used, and how many triples tried failed
/// apart from them.
fn decode_triples(
    bits: &BitMatrix,
    info: ViewInfo,
    triples: &[Triple],
    patterns: &[ConcentricPattern],
    budget: &mut Budget,
    found: &mut Vec<Code>,
    read: &mut Vec<[rxing::Point; 4]>,
) -> (Vec<bool>, Vec<bool>, usize) {
    let mut used = vec![false; patterns.len()];
    let mut failed: Vec<&Triple> = Vec::new();
    let sparse = sparse(patterns);
    // Failed triples each candidate was a member of (see `TRIPLE_FAILURES_PER_CANDIDATE`).
    let mut failures = vec![0; patterns.len()];
    let mut qr_patterns = vec![false; patterns.len()];
    for triple in triples {
        if triple
            .members
            .iter()
            .any(|&m| used[m] || failures[m] >= TRIPLE_FAILURES_PER_CANDIDATE)
        {
            continue;
        }
        // A triple whose corner lies on a symbol already read is made of that symbol's
        // modules or of its neighbours' patterns; sampling it would only cost time, and
        // so would every other triple with that corner.
        if !budget.spend(read.len() as u64 * COST_CELL) {
            break;
        }
        if read.iter().any(|quad| inside(quad, triple.set.tl.p)) {
            used[triple.members[1]] = true;
            continue;
        }
        let Ok(read_now) = sample_and_decode(bits, &triple.set, sparse, budget) else {
            break;
        };
        let symbol = match read_now {
            Ok(symbol) => symbol,
            Err(qr_format) => {
                for &m in &triple.members {
                    failures[m] += 1;
                    qr_patterns[m] |= qr_format;
                }
                failed.push(triple);
                continue;
            }
        };
        for &m in &triple.members {
            used[m] = true;
        }
        keep_qr(&symbol, info, found, read);
    }
    let near_misses = failed
        .iter()
        .filter(|t| {
            t.members.iter().all(|&m| !used[m]) && !read.iter().any(|q| inside(q, t.set.tl.p))
        })
        .count();
    (used, qr_patterns, near_misses)
}

/// A QR symbol sampled and decoded.
type QrRead = (QRCodeDetectorResult, DecoderResult<bool>);

/// [`keep`] for a QR symbol read by [`sample_and_decode`].
fn keep_qr(
    (detected, decoded): &QrRead,
    info: ViewInfo,
    found: &mut Vec<Code>,
    read: &mut Vec<[rxing::Point; 4]>,
) {
    keep(
        decoded,
        detected.getPoints(),
        Symbology::Qr,
        info,
        found,
        read,
    );
}

/// Samples the symbol whose finder patterns are `set` and decodes it, spending
/// [`COST_DECODE`] and [`COST_MODULE`] per module sampled: the decoded symbol, or, when the
/// grid does not sample or does not decode, whether its grid showed a QR symbol's format
/// information ([`QR_FORMAT_DISTANCE`]).
///
/// In a `sparse` view (at most [`FEW_CANDIDATES`](crate::group::FEW_CANDIDATES) candidates: a lone symbol), a triple
/// rxing's `SampleQR` gives up on is sampled as a parallelogram
/// ([`sample_parallelogram`]), a grid that did not decode and whose fourth corner rxing
/// placed as a parallelogram's is sampled again with the corner where the patterns'
/// traced edges meet ([`traced_corner_grid`], zxing-cpp 3.1's first choice), and a grid
/// that did not decode and came out nearly all light is sampled again as dot modules
/// ([`sample_dots`]). Not in a crowded view: there most such triples are false, and
/// sampling each again cost the differential search's photos of many codes the budget of
/// the triples after them (without the limit, tuning seeds 921 → 890 codes read for the
/// parallelogram; evaluation seed 10897, nine codes, 7 → 3 for the dots), and the sheets
/// of codes a quarter more work for the traced corner (lots60 80.4 → 99.4 million units,
/// every code read either way).
fn sample_and_decode(
    bits: &BitMatrix,
    set: &FinderPatternSet,
    sparse: bool,
    budget: &mut Budget,
) -> Result<Result<QrRead, bool>, OutOfUnits> {
    if !budget.spend(COST_DECODE) {
        return Err(OutOfUnits);
    }
    let detected = match SampleQR(bits, set) {
        Ok(detected) => Some(detected),
        Err(_) if sparse => {
            if !budget.spend(COST_DECODE) {
                return Err(OutOfUnits);
            }
            sample_parallelogram(bits, set)
        }
        Err(_) => None,
    };
    let Some(detected) = detected else {
        return Ok(Err(false));
    };
    let modules = u64::from(detected.getBits().width()) * u64::from(detected.getBits().height());
    if !budget.spend(modules * COST_MODULE) {
        return Err(OutOfUnits);
    }
    if let Some(decoded) = decode(detected.getBits(), budget) {
        return Ok(Ok((detected, decoded)));
    }
    let qr_format = shows_qr_format(detected.getBits(), QR_FORMAT_DISTANCE);
    // rxing placed the fourth corner as a parallelogram's where zxing-cpp 3.1 places it
    // first, where the patterns' traced edges meet: sample that grid too.
    if let Some(traced) = sparse
        .then(|| traced_corner_grid(bits, set, detected.getBits().width()))
        .flatten()
    {
        if !budget.spend(COST_DECODE + modules * COST_MODULE) {
            return Err(OutOfUnits);
        }
        if let Some(decoded) = decode(traced.getBits(), budget) {
            return Ok(Ok((traced, decoded)));
        }
    }
    // A grid that does not decode, fitted to the module edges it crosses: a symbol on
    // cloth or a bent label wanders off any one transform. In a crowded view, not a grid
    // whose two copies of the format information disagree: sampled over patterns of
    // different symbols.
    if sparse || format_copies_distance(detected.getBits()) <= FIT_FORMAT_DISTANCE {
        if !budget.spend(COST_DECODE + modules * (COST_MODULE + COST_EDGE_FIT_MODULE)) {
            return Err(OutOfUnits);
        }
        if let Some(decoded) = fitted_grid(bits, &detected).and_then(|grid| decode(&grid, budget)) {
            return Ok(Ok((detected, decoded)));
        }
    }
    // A grid that came out nearly all light over a symbol's modules: dots smaller than a
    // module, which the one sample at each module's centre missed.
    if !sparse || !looks_like_dots(detected.getBits()) {
        return Ok(Err(qr_format));
    }
    if !budget.spend(COST_DECODE + DOT_PROBES.len() as u64 * modules * COST_MODULE) {
        return Err(OutOfUnits);
    }
    Ok(sample_dots(bits, &detected)
        .and_then(|grid| decode(&grid, budget))
        .map(|decoded| (detected, decoded))
        .ok_or(qr_format))
}

/// The grid of the symbol whose finder patterns are `set`, sampled with its fourth corner
/// where a parallelogram's would be (`tr + bl - tl`), with zxing's dimension estimate
/// (each leg's length over the module size its two patterns show, the nearer to a valid
/// size of the two): for triples rxing's `SampleQR` gives up on.
///
/// `SampleQR` extends the edges of the patterns' outer rings to meet at the fourth
/// corner, and returns no grid when two such lines do not meet (rxing's port returns
/// early there) or when the corner they give puts the grid outside the image: round finder patterns have no straight edges, and a symbol cropped
/// to a module of quiet zone leaves the traced lines short (`zxing/qrcode-2/#1086`).
fn sample_parallelogram(bits: &BitMatrix, set: &FinderPatternSet) -> Option<QRCodeDetectorResult> {
    let estimate = |a: ConcentricPattern, b: ConcentricPattern| {
        let module = (EstimateModuleSize(bits, a, b) + EstimateModuleSize(bits, b, a)) / 2.0;
        // Negative when a pattern's rings did not show along the leg (NaN never passes).
        if module.is_nan() || module <= 0.0 {
            return None;
        }
        let dimension = (f64::from(Point::distance(a.p, b.p)) / module).round() as i32 + 7;
        let error = 1 - dimension % 4;
        Some((error.abs(), -(dimension + error)))
    };
    let (_, dimension) = [estimate(set.tl, set.tr), estimate(set.tl, set.bl)]
        .into_iter()
        .flatten()
        .min()?;
    let dimension = -dimension;
    if !(21..=177).contains(&dimension) {
        return None;
    }
    let br = set.tr.p - set.tl.p + set.bl.p;
    sample_corners(bits, dimension, [set.tl.p, set.tr.p, br, set.bl.p], 0.0)
}

/// Symbols of this many modules and more (version 7 and up) carry version information,
/// and rxing's `SampleQR` samples them piecewise between their alignment patterns, so
/// the fourth corner matters less: [`traced_corner_grid`] leaves them alone.
const TRACED_CORNER_MAX_DIMENSION: u32 = 45;

/// Finder patterns whose sizes differ by at most this ratio show a symbol seen nearly
/// face on: rxing's `SampleQR` then takes the fourth corner as a parallelogram's unless
/// the traced edges are "high resolution" (zxing-cpp 2's rule, `EstimateTilt`).
const LEVEL_TILT: f64 = 1.1;

/// The grid of the symbol whose finder patterns are `set`, `dimension` modules across
/// (versions 1-6, below [`TRACED_CORNER_MAX_DIMENSION`]), sampled with its fourth corner
/// where the traced outer and inner edges of the bottom-left and top-right patterns meet,
/// in the one case where rxing's `SampleQR` (the port of zxing-cpp 2) placed it as a
/// parallelogram's instead: edges traced, no alignment pattern found, the patterns' sizes
/// within [`LEVEL_TILT`] and the edges not all of high resolution. `None` otherwise.
///
/// zxing-cpp 3.1 samples the traced corner first there and the parallelogram second; a
/// blurred or slightly foreshortened symbol, whose alignment pattern the blur hides,
/// reads only through the traced corner (synthetic `blurred` 02 and 06,
/// `noncompliant-design` 09: the parallelogram's corner lay 6-17 px off the symbol's).
fn traced_corner_grid(
    bits: &BitMatrix,
    set: &FinderPatternSet,
    dimension: u32,
) -> Option<QRCodeDetectorResult> {
    if dimension >= TRACED_CORNER_MAX_DIMENSION || EstimateTilt(set) > LEVEL_TILT {
        return None;
    }
    let bl2 = TraceLine(bits, set.bl.p, set.tl.p, 2);
    let bl3 = TraceLine(bits, set.bl.p, set.tl.p, 3);
    let tr2 = TraceLine(bits, set.tr.p, set.tl.p, 2);
    let tr3 = TraceLine(bits, set.tr.p, set.tl.p, 3);
    if [&bl2, &bl3, &tr2, &tr3].iter().all(|line| line.isHighRes()) {
        return None;
    }
    let outer = <DMRegressionLine as RegressionLineTrait>::intersect(&bl2, &tr2)?;
    let inner = <DMRegressionLine as RegressionLineTrait>::intersect(&bl3, &tr3)?;
    let corner = (outer + inner) / 2.0;
    if !bits.is_in(corner) || FitSquareToPoints(bits, set.bl.p, set.bl.size, 2, false).is_none() {
        return None;
    }
    // Where rxing found the alignment pattern it used it, and sampled this grid's better.
    let module =
        (f64::from(Point::distance(set.tl.p, set.tr.p)) / f64::from(dimension - 7)) as i32 + 1;
    if dimension > 21 && LocateAlignmentPattern(bits, module, corner).is_some_and(|p| bits.is_in(p))
    {
        return None;
    }
    sample_corners(
        bits,
        dimension as i32,
        [set.tl.p, set.tr.p, corner, set.bl.p],
        3.0,
    )
}

/// The grid of `dimension` modules whose finder pattern centres are `tl`, `tr`, `bl` and
/// whose fourth point `br` lies `offset` modules in from the bottom-right finder-pattern
/// centre's place (3 for the alignment pattern or traced corner, 0 for a parallelogram).
fn sample_corners(
    bits: &BitMatrix,
    dimension: i32,
    [tl, tr, br, bl]: [Point; 4],
    offset: f32,
) -> Option<QRCodeDetectorResult> {
    let transform = Mod2Pix(
        dimension,
        Point {
            x: offset,
            y: offset,
        },
        Quadrilateral::from([tl, tr, br, bl]),
    )
    .ok()?;
    let side = dimension as f32;
    let (grid, corners) = DefaultGridSampler
        .sample_grid(
            bits,
            dimension as u32,
            dimension as u32,
            &[SamplerControl {
                p0: Point { x: 0.0, y: 0.0 },
                p1: Point { x: side, y: side },
                transform,
            }],
        )
        .ok()?;
    Some(QRCodeDetectorResult::new(grid, corners.to_vec()))
}

/// The symbol decoded from a sampled grid, when it decodes and is valid; a QR grid that
/// does not is decoded again with the codewords in its flat areas (glare, blots) taken as
/// erasures ([`crate::ecc::decode_model2_erasures`]), once per window size, each retry
/// charged [`COST_ERASURE_RETRY`] and [`COST_ERASURE_MODULE`] a module (a pass over the
/// grid for its flat areas, the codewords read again): only grids that fail pay it, and `budget`
/// bounds it as it bounds the attempts. A retry the budget refuses is not made (the
/// caller's next spend then fails too).
///
/// QR model 2 grids are decoded by [`crate::ecc`], which reads exactly what rxing's
/// `Decode` reads without its Reed-Solomon decoder's allocations (most of the cost of the
/// failed grids that unreadable images sample in every view); other grids by `Decode`.
fn decode(grid: &BitMatrix, budget: &mut Budget) -> Option<DecoderResult<bool>> {
    let modules = u64::from(grid.width()) * u64::from(grid.height());
    crate::ecc::decode_model2(grid)
        .unwrap_or_else(|| Decode(grid).ok())
        .filter(|decoded| decoded.isValid())
        .or_else(|| {
            crate::ecc::FLAT_WINDOWS.into_iter().find_map(|window| {
                if !budget.spend(COST_ERASURE_RETRY + modules * COST_ERASURE_MODULE) {
                    return None;
                }
                crate::ecc::decode_model2_erasures(
                    grid,
                    window,
                    crate::ecc::MIN_FLAT_MODULES,
                    crate::ecc::ERASURE_MARGIN,
                )
            })
        })
}

/// Dark modules, in percent of a sampled grid's modules outside its three finder
/// patterns and their separators, below which a grid that did not decode is sampled
/// again as dot modules ([`sample_dots`]).
///
/// A symbol's masking keeps its data near half dark (ISO/IEC 18004 penalises each 5 %
/// away from 50 %), so a real symbol's modules sampled at their centres are rarely under
/// a quarter dark; a "designer" code whose dot modules the grid's sample points miss
/// comes out nearly all light (`zxing/qrcode-2/qr-circles-1`: none of its data modules
/// dark). Grids of false triples in light areas pass the test too and cost one more
/// sampling each, which is why only sparse views resample (see [`sample_and_decode`]).
const DOT_DARK_PERCENT: usize = 25;

/// Where a dot module is probed, in modules from its centre: the centre and eight points
/// a quarter module away (along the rows, the columns and the diagonals). A module is dark
/// when any probe is. Dots of half a module or less, off their modules' centres by the
/// error of a grid estimated from round finder patterns (a pixel or two), meet one of
/// them; a quarter module still lies inside the module, so square modules, when the grid
/// is a little off, gain no dark from their neighbours.
const DOT_PROBES: [(f32, f32); 9] = [
    (0.0, 0.0),
    (-0.25, 0.0),
    (0.25, 0.0),
    (0.0, -0.25),
    (0.0, 0.25),
    (-0.25, -0.25),
    (0.25, 0.25),
    (-0.25, 0.25),
    (0.25, -0.25),
];

/// The sampled `grid` is dark in fewer than [`DOT_DARK_PERCENT`] of its modules outside
/// the three 8 × 8 corners that hold its finder patterns and separators.
fn looks_like_dots(grid: &BitMatrix) -> bool {
    let side = grid.width();
    if side < 21 || grid.height() != side {
        return false;
    }
    let (mut dark, mut data) = (0, 0);
    for y in 0..side {
        for x in (0..side).filter(|&x| !in_finder_corner(x, y, side)) {
            data += 1;
            dark += usize::from(grid.get(x, y));
        }
    }
    dark * 100 < DOT_DARK_PERCENT * data
}

/// Module (`x`, `y`) of a QR grid `side` modules across lies in one of the three 8 × 8
/// corners that hold the finder patterns and their separators.
fn in_finder_corner(x: u32, y: u32, side: u32) -> bool {
    let far = side.saturating_sub(8);
    (x < 8 || x >= far) && y < 8 || x < 8 && y >= far
}

/// `detected`'s grid sampled again in `bits` with [`DOT_PROBES`] at each module: one
/// perspective transform through the grid's four corners (for versions 7 and up, whose
/// grid the sampler fitted piecewise to alignment patterns, an approximation).
fn sample_dots(bits: &BitMatrix, detected: &QRCodeDetectorResult) -> Option<BitMatrix> {
    let (side, transform) = grid_transform(detected)?;
    let mut grid = BitMatrix::new(side, side).ok()?;
    for y in 0..side {
        for x in 0..side {
            let dark = DOT_PROBES.iter().any(|&(dx, dy)| {
                let p = transform.transform_point(Point {
                    x: x as f32 + 0.5 + dx,
                    y: y as f32 + 0.5 + dy,
                });
                bits.is_in(p) && bits.get_point(p)
            });
            if dark {
                grid.set(x, y);
            }
        }
    }
    Some(grid)
}

/// Completes pairs of the candidates no symbol used, when they are at most
/// [`PAIR_UNUSED_MAX`]: for each pair that could be two patterns of one symbol and is not
/// two of the `triples` grouping formed (their third was found, and tried), looks for
/// the third where a square symbol's would lie (`group::third_pattern_guesses`) with
/// [`crate::finder::locate_near`], and samples and decodes each triple so found. Marks the
/// candidates of the symbols read as `used` and extends `read`.
///
/// The row search misses a finder pattern that blur, damage or perspective has spoiled
/// along every third row, while the confirming walk through it, in four directions, still
/// finds its rings: the symbol then shows two candidates and no triple. Only a pattern
/// confirmed there is sampled, never a bare guess: the sampler measures the symbol from
/// its patterns' rings. (A bare guess is sampled only in the last view of an image that
/// nothing read: [`assume_thirds`].)
#[allow(clippy::too_many_arguments)]
fn complete_pairs(
    bits: &BitMatrix,
    info: ViewInfo,
    patterns: &[ConcentricPattern],
    triples: &[Triple],
    used: &mut [bool],
    budget: &mut Budget,
    found: &mut Vec<Code>,
    read: &mut Vec<[rxing::Point; 4]>,
) {
    let Some(unused) = unused_for_pairs(patterns, used, read) else {
        return;
    };
    for (n, &i) in unused.iter().enumerate() {
        for &j in &unused[n + 1..] {
            if used[i] || used[j] {
                continue;
            }
            if !budget.spend(triples.len() as u64 * COST_CELL) {
                return;
            }
            if triples
                .iter()
                .any(|t| t.members.contains(&i) && t.members.contains(&j))
            {
                continue;
            }
            let (a, b) = (patterns[i], patterns[j]);
            let Some(guesses) = crate::group::third_pattern_guesses(&a, &b) else {
                continue;
            };
            for guess in guesses {
                if read.iter().any(|quad| inside(quad, guess)) {
                    continue;
                }
                let Some(third) =
                    crate::finder::locate_near(bits, guess, (a.size + b.size) / 2, budget)
                else {
                    // Not there, or the view's budget is spent (then every look-up left
                    // fails at once).
                    continue;
                };
                // A candidate already: grouping has judged that triple.
                if patterns
                    .iter()
                    .any(|p| Point::distance(p.p, third.p) < p.size as f32 / 2.0)
                {
                    continue;
                }
                let Some(set) = crate::group::as_triple([a, b, third]) else {
                    continue;
                };
                let sparse = sparse(patterns);
                let Ok(read_now) = sample_and_decode(bits, &set, sparse, budget) else {
                    return;
                };
                if let Ok(symbol) = read_now {
                    used[i] = true;
                    used[j] = true;
                    keep_qr(&symbol, info, found, read);
                    break;
                }
            }
        }
    }
}

/// The candidates of `patterns` that no symbol `used` and that lie on no symbol `read`,
/// when there are two to [`PAIR_UNUSED_MAX`] of them: what [`complete_pairs`] and
/// [`assume_thirds`] pair up (more are a crowded view's leftovers, not a symbol's).
fn unused_for_pairs(
    patterns: &[ConcentricPattern],
    used: &[bool],
    read: &[[rxing::Point; 4]],
) -> Option<Vec<usize>> {
    let unused: Vec<usize> = (0..patterns.len())
        .filter(|&i| !used[i] && !read.iter().any(|quad| inside(quad, patterns[i].p)))
        .collect();
    (2..=PAIR_UNUSED_MAX)
        .contains(&unused.len())
        .then_some(unused)
}

/// Pairs of the candidates no symbol used (at most [`PAIR_UNUSED_MAX`]) completed with a
/// third pattern *assumed* where a square symbol's would lie (`group::third_pattern_guesses`)
/// when nothing is there to confirm: a glare spot or a blot that wiped one finder pattern
/// leaves the other two and the data. The grid is the parallelogram on the three centres,
/// its size measured between the two real patterns, decoded with the flat areas' modules
/// as erasures ([`decode`]) and then fitted to its module edges. For a view of an image
/// that nothing else read (see `Views::assumed_thirds`).
fn assume_thirds(
    bits: &BitMatrix,
    info: ViewInfo,
    patterns: &[ConcentricPattern],
    used: &mut [bool],
    budget: &mut Budget,
    found: &mut Vec<Code>,
    read: &mut Vec<[rxing::Point; 4]>,
) {
    let Some(unused) = unused_for_pairs(patterns, used, read) else {
        return;
    };
    for (n, &i) in unused.iter().enumerate() {
        for &j in &unused[n + 1..] {
            if used[i] || used[j] {
                continue;
            }
            let (a, b) = (patterns[i], patterns[j]);
            let Some(guesses) = crate::group::third_pattern_guesses(&a, &b) else {
                continue;
            };
            let measured = (EstimateModuleSize(bits, a, b) + EstimateModuleSize(bits, b, a)) / 2.0;
            let module = if measured.is_nan() || measured <= 0.0 {
                f64::from(a.size + b.size) / 14.0
            } else {
                measured
            };
            let apart = f64::from(Point::distance(a.p, b.p)) / module;
            for (k, guess) in guesses.into_iter().enumerate() {
                if !bits.is_in(guess) || read.iter().any(|quad| inside(quad, guess)) {
                    continue;
                }
                // The last two guesses take the pair for the symbol's diagonal, along which
                // the rings measured (and so the module) are √2 wider, as the legs are
                // √2 shorter: the count of modules measured is the leg's. Only the
                // fallback module (the patterns' sizes, not measured along the diagonal)
                // needs the √2.
                let leg = if k >= 4 && (measured.is_nan() || measured <= 0.0) {
                    apart / std::f64::consts::SQRT_2
                } else {
                    apart
                };
                // An infinite or NaN leg (a degenerate module estimate) is no symbol's,
                // and would overflow the dimension; the size check below takes the rest
                // (legs of about 12.5 to 172 modules come out as versions 1-40).
                if !(0.0..=200.0).contains(&leg) {
                    continue;
                }
                let dimension = leg.round() as i32 + 7;
                let dimension = dimension + 1 - dimension.rem_euclid(4);
                if !(21..=177).contains(&dimension) {
                    continue;
                }
                // The guess is square-on; tilt moves the real pattern by up to a module or
                // so. The grid is sampled with the assumed pattern moved by up to a module
                // each way, in half modules, and the grid whose timing and alignment
                // patterns come out best is decoded.
                let modules = (dimension * dimension) as u64;
                let step = (module / 2.0) as f32;
                let mut best: Option<(usize, [Point; 4])> = None;
                for (dx, dy) in ASSUMED_OFFSETS {
                    let third = ConcentricPattern {
                        p: Point {
                            x: guess.x + dx * step,
                            y: guess.y + dy * step,
                        },
                        size: (a.size + b.size) / 2,
                    };
                    let Some(set) = crate::group::as_triple([a, b, third]) else {
                        continue;
                    };
                    let br = set.tr.p - set.tl.p + set.bl.p;
                    let corners = [set.tl.p, set.tr.p, br, set.bl.p];
                    if !budget.spend(function_modules(dimension) * COST_MODULE) {
                        return;
                    }
                    let Some(score) = function_score(bits, dimension, corners) else {
                        continue;
                    };
                    if best.is_none_or(|(s, _)| score > s) {
                        best = Some((score, corners));
                    }
                }
                // A grid off the symbol matches about half its function modules: only a
                // grid that clearly lies on it is sampled and decoded.
                let Some((_, corners)) = best.filter(|&(score, _)| {
                    100 * score as u64 >= ASSUMED_MIN_PERCENT * function_modules(dimension)
                }) else {
                    continue;
                };
                if !budget.spend(COST_DECODE + modules * COST_MODULE) {
                    return;
                }
                let Some(detected) = sample_corners(bits, dimension, corners, 0.0) else {
                    continue;
                };
                let mut decoded = decode(detected.getBits(), budget);
                if decoded.is_none() {
                    if !budget.spend(COST_DECODE + modules * (COST_MODULE + COST_EDGE_FIT_MODULE)) {
                        return;
                    }
                    decoded = fitted_grid(bits, &detected).and_then(|grid| decode(&grid, budget));
                }
                if let Some(decoded) = decoded {
                    used[i] = true;
                    used[j] = true;
                    keep_qr(&(detected, decoded), info, found, read);
                    break;
                }
            }
        }
    }
}

/// Where [`assume_thirds`] moves an assumed pattern, in half modules: a 5 × 5 square
/// around the guess, the guess first.
const ASSUMED_OFFSETS: [(f32, f32); 25] = {
    let mut offsets = [(0.0, 0.0); 25];
    let mut i = 1;
    let mut k: i32 = 0;
    while k < 25 {
        let (dx, dy) = (k % 5 - 2, k / 5 - 2);
        if dx != 0 || dy != 0 {
            offsets[i] = (dx as f32, dy as f32);
            i += 1;
        }
        k += 1;
    }
    offsets
};

/// Percent of its function modules ([`function_score`]) the best grid of an assumed
/// pattern must match to be decoded. A grid off the symbol matches about half; on the
/// differential search's tuning seeds the two grids that read matched 100 % and 98 %,
/// and 1,270 of the 1,303 tried matched less than 80 %, none of which read.
const ASSUMED_MIN_PERCENT: u64 = 80;

/// Modules [`function_score`] samples in a grid of `dimension` modules.
fn function_modules(dimension: i32) -> u64 {
    2 * (dimension.max(16) - 16) as u64 + if dimension >= 25 { 25 } else { 0 }
}

/// How many of the timing modules (row and column 6 between the finder patterns'
/// separators) and bottom-right alignment pattern modules (versions 2 and up) of the grid
/// of `dimension` modules on `corners` (finder pattern centres, the fourth corner a
/// parallelogram's) show the colour the standard gives them, sampled at their centres as
/// [`sample_corners`] samples them: the higher, the better the grid lies on the symbol.
/// `None` where that grid would not be sampled (a corner outside the view).
fn function_score(bits: &BitMatrix, dimension: i32, corners: [Point; 4]) -> Option<usize> {
    let transform = Mod2Pix(
        dimension,
        Point { x: 0.0, y: 0.0 },
        Quadrilateral::from(corners),
    )
    .ok()?;
    let d = u32::try_from(dimension).ok()?;
    let at = |x: u32, y: u32| {
        transform.transform_point(Point {
            x: x as f32 + 0.5,
            y: y as f32 + 0.5,
        })
    };
    if !transform.isValid()
        || d < 21
        || [(0, 0), (d - 1, 0), (d - 1, d - 1), (0, d - 1)]
            .iter()
            .any(|&(x, y)| !bits.is_in(at(x, y)))
    {
        return None;
    }
    let dark = |x: u32, y: u32| {
        let p = at(x, y);
        bits.is_in(p) && bits.get_point(p)
    };
    let mut score = 0;
    for i in 8..d - 8 {
        let want = i % 2 == 0;
        score += usize::from(dark(i, 6) == want) + usize::from(dark(6, i) == want);
    }
    if d >= 25 {
        let c = d - 7;
        for y in c - 2..=c + 2 {
            for x in c - 2..=c + 2 {
                let ring = x.abs_diff(c).max(y.abs_diff(c));
                score += usize::from(dark(x, y) == (ring != 1));
            }
        }
    }
    Some(score)
}

/// Samples every candidate of `patterns` not `used` by a symbol, and not on one already
/// `read`, as a Micro QR symbol and then as an rMQR symbol, largest candidates first;
/// marks the candidates of the symbols read as `used` and extends `read`.
#[allow(clippy::too_many_arguments)]
fn decode_single_finders(
    bits: &BitMatrix,
    info: ViewInfo,
    patterns: &[ConcentricPattern],
    qr_patterns: &[bool],
    used: &mut [bool],
    budget: &mut Budget,
    found: &mut Vec<Code>,
    read: &mut Vec<[rxing::Point; 4]>,
) {
    type Sampler = fn(&BitMatrix, ConcentricPattern) -> rxing::common::Result<QRCodeDetectorResult>;
    const SAMPLERS: [(Sampler, Symbology); 2] = [
        (SampleMQR, Symbology::MicroQr),
        (SampleRMQR, Symbology::Rmqr),
    ];
    'patterns: for ((pattern, used), &qr) in patterns.iter().zip(used).zip(qr_patterns) {
        if *used {
            continue;
        }
        if !budget.spend(read.len() as u64 * COST_CELL) {
            break;
        }
        if read.iter().any(|quad| inside(quad, pattern.p)) {
            *used = true;
            continue;
        }
        // A pattern of a QR symbol's triple (its grid failed, but its format copies agree).
        if qr {
            continue;
        }
        for (sample, symbology) in SAMPLERS {
            if !budget.spend(COST_SINGLE_FINDER) {
                break 'patterns;
            }
            let Ok(detected) = sample(bits, *pattern) else {
                continue;
            };
            let modules =
                u64::from(detected.getBits().width()) * u64::from(detected.getBits().height());
            if !budget.spend(modules * COST_MODULE) {
                break 'patterns;
            }
            if let Ok(decoded) = Decode(detected.getBits())
                && decoded.isValid()
            {
                *used = true;
                keep(&decoded, detected.getPoints(), symbology, info, found, read);
                break;
            }
        }
    }
}

/// Records a symbol read at `points` (view pixels, as the sampler lists them): its
/// quadrilateral in `read`, and its code in `found` unless an earlier view read it.
fn keep(
    decoded: &DecoderResult<bool>,
    points: &[rxing::Point],
    symbology: Symbology,
    info: ViewInfo,
    found: &mut Vec<Code>,
    read: &mut Vec<[rxing::Point; 4]>,
) {
    if let [a, b, c, d, ..] = points {
        read.push([*a, *b, *d, *c]);
    }
    if let Some(code) = to_code(decoded, points, symbology, info)
        && !found.iter().any(|old| same_symbol(old, &code))
    {
        found.push(code);
    }
}

/// `p` lies inside the convex quadrilateral `quad` (corners in order around it).
pub(crate) fn inside(quad: &[rxing::Point; 4], p: rxing::Point) -> bool {
    let side =
        |a: rxing::Point, b: rxing::Point| (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
    let signs: [f32; 4] = std::array::from_fn(|i| side(quad[i], quad[(i + 1) % 4]));
    signs.iter().all(|&s| s >= 0.0) || signs.iter().all(|&s| s <= 0.0)
}

fn to_code(
    decoded: &DecoderResult<bool>,
    points: &[rxing::Point],
    symbology: Symbology,
    info: ViewInfo,
) -> Option<Code> {
    // The detector lists the corners top-left, top-right, bottom-left, bottom-right (as the
    // symbol is oriented); ours go around the quadrilateral: top-left, top-right,
    // bottom-right, bottom-left.
    const AROUND: [usize; 4] = [0, 1, 3, 2];
    let corners: [[f32; 2]; 4] = std::array::from_fn(|i| {
        points
            .get(AROUND[i])
            .map_or([0.0, 0.0], |p| [p.x * info.scale, p.y * info.scale])
    });
    if points.len() < 4 {
        return None;
    }
    let version = u8::try_from(decoded.versionNumber()).ok()?;
    let versions = match symbology {
        Symbology::Qr => 40,
        Symbology::MicroQr => 4,
        Symbology::Rmqr => RMQR_SIZES.len(),
    };
    if !(1..=versions).contains(&usize::from(version)) {
        return None;
    }
    let ec_level = match decoded.ecLevel() {
        // M1 detects errors only; rxing reports it as L.
        _ if symbology == Symbology::MicroQr && version == 1 => None,
        "L" => Some(EcLevel::L),
        "M" => Some(EcLevel::M),
        "Q" => Some(EcLevel::Q),
        "H" => Some(EcLevel::H),
        _ => return None,
    };
    let content = decoded.content();
    let bytes = content.bytes().to_vec();
    let (text, encoding) = if content.has_eci {
        (Some(decoded.text()), Encoding::Eci)
    } else {
        guess_text(&bytes, || Some(decoded.text()))
    };
    let sa = decoded.structuredAppend();
    let structured_append = (sa.index >= 0 && sa.count > 0).then(|| StructuredAppend {
        index: u8::try_from(sa.index).unwrap_or(u8::MAX),
        total: u8::try_from(sa.count).unwrap_or(u8::MAX),
        parity: sa.id.parse().unwrap_or(0),
    });
    Some(Code {
        symbology,
        text,
        bytes,
        version,
        ec_level,
        corners,
        inverted: info.inverted,
        mirrored: decoded.isMirrored(),
        encoding,
        structured_append,
    })
}

/// The same symbol read twice (from two views): same payload, and the centre of one
/// inside the bounding box of the other.
fn same_symbol(a: &Code, b: &Code) -> bool {
    if a.symbology != b.symbology
        || a.bytes != b.bytes
        || a.structured_append != b.structured_append
    {
        return false;
    }
    let centre = |c: &Code| {
        let [x, y] = c
            .corners
            .iter()
            .fold([0.0, 0.0], |s, p| [s[0] + p[0], s[1] + p[1]]);
        [x / 4.0, y / 4.0]
    };
    let [cx, cy] = centre(a);
    let xs = b.corners.map(|p| p[0]);
    let ys = b.corners.map(|p| p[1]);
    let within = |v: f32, vs: [f32; 4]| {
        let lo = vs.iter().copied().fold(f32::INFINITY, f32::min);
        let hi = vs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        (lo..=hi).contains(&v)
    };
    within(cx, xs) && within(cy, ys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::SCAN_BUDGET;
    use qr_encode::{Style, encode, to_png};

    /// A clean code at 6 px per module in the top-left of a 1200 × 1200 white canvas, its
    /// binarised view, and the finder candidates the row search finds in it.
    fn view() -> (BitMatrix, Vec<ConcentricPattern>) {
        let symbol = encode(b"PAIR-COMPLETION", EcLevel::M).expect("fits");
        let png = to_png(
            &symbol,
            &Style {
                scale: 6,
                ..Style::default()
            },
        );
        let code = image::load_from_memory(&png).expect("loads").to_luma8();
        let mut canvas = image::GrayImage::from_pixel(1200, 1200, image::Luma([255]));
        image::imageops::overlay(&mut canvas, &code, 0, 0);
        let bits = crate::hybrid::hybrid(&canvas, false, crate::hybrid::Flat::LocalInk)
            .expect("large enough");
        let mut budget = Budget::new(SCAN_BUDGET);
        budget.start_view(VIEW_BUDGET);
        let patterns = crate::finder::find_finder_patterns(&bits, &[], &mut budget, None);
        assert_eq!(patterns.len(), 3, "a clean code shows its three patterns");
        (bits, patterns)
    }

    /// The version-1 code of [`view`] sampled with its fourth corner where its patterns'
    /// traced edges meet: only for versions 1-6 (below [`TRACED_CORNER_MAX_DIMENSION`]
    /// modules) and patterns within [`LEVEL_TILT`] of each other's size, where rxing's
    /// `SampleQR` took the parallelogram's corner instead.
    #[test]
    fn the_traced_corner_grid_is_sampled_only_where_rxing_took_a_parallelogram() {
        let (bits, mut patterns) = view();
        let mut budget = Budget::new(SCAN_BUDGET);
        budget.start_view(VIEW_BUDGET);
        let set = group(&mut patterns, &mut budget)[0].set;
        // The code is level and small: its traced edges are short and axis-parallel, not
        // "high resolution", and version 1 has no alignment pattern.
        let grid = traced_corner_grid(&bits, &set, 21).expect("a level version-1 symbol");
        assert!(
            decode(grid.getBits(), &mut budget).is_some(),
            "the traced corner reads"
        );
        // Version 6 (41 modules) is sampled, version 7 (45) is left to rxing's alignment
        // patterns.
        assert!(traced_corner_grid(&bits, &set, 41).is_some());
        assert!(traced_corner_grid(&bits, &set, 45).is_none());
        // Patterns within 1.1 of each other's size are sampled, 1.125 are not (rxing took
        // the traced corner there itself).
        let sized = |tl: i32| {
            let mut sized = set;
            (sized.tr.size, sized.bl.size, sized.tl.size) = (40, 40, tl);
            sized
        };
        assert!(traced_corner_grid(&bits, &sized(44), 21).is_some());
        assert!(traced_corner_grid(&bits, &sized(45), 21).is_none());
    }

    /// What `complete_pairs` reads from two of the code's patterns beside `strays` lone
    /// candidates (tiny, far from the code and from each other: no pair of theirs can be
    /// a symbol's).
    fn completed(strays: usize) -> Vec<Code> {
        let (bits, mut patterns) = view();
        patterns.truncate(2);
        patterns.extend((0..strays).map(|i| ConcentricPattern {
            p: rxing::Point {
                x: 600.0 + 300.0 * (i % 2) as f32,
                y: 150.0 * (i / 2) as f32 + 20.0,
            },
            size: 5,
        }));
        let info = ViewInfo {
            scale: 1.0,
            inverted: false,
            micro: false,
            light_evidence: false,
            assume_thirds: false,
        };
        let mut used = vec![false; patterns.len()];
        let (mut found, mut read) = (Vec::new(), Vec::new());
        let mut budget = Budget::new(SCAN_BUDGET);
        budget.start_view(VIEW_BUDGET);
        complete_pairs(
            &bits,
            info,
            &patterns,
            &[],
            &mut used,
            &mut budget,
            &mut found,
            &mut read,
        );
        found
    }

    #[test]
    fn a_symbol_showing_two_patterns_is_read_by_completing_the_pair_up_to_the_unused_limit() {
        let texts = |codes: Vec<Code>| -> Vec<Option<String>> {
            codes.into_iter().map(|c| c.text).collect()
        };
        assert_eq!(texts(completed(0)), [Some("PAIR-COMPLETION".to_owned())]);
        assert_eq!(
            texts(completed(PAIR_UNUSED_MAX - 2)),
            [Some("PAIR-COMPLETION".to_owned())]
        );
        assert!(completed(PAIR_UNUSED_MAX - 1).is_empty());
    }

    /// A 29 × 29 grid dark in its first `dark` modules outside the finder corners.
    fn grid_with_dark_data(dark: usize) -> BitMatrix {
        let mut grid = BitMatrix::new(29, 29).expect("non-empty");
        let data = (0..29u32)
            .flat_map(|y| (0..29u32).map(move |x| (x, y)))
            .filter(|&(x, y)| !in_finder_corner(x, y, 29));
        for (x, y) in data.take(dark) {
            grid.set(x, y);
        }
        grid
    }

    #[test]
    fn a_grid_under_a_quarter_dark_outside_its_finder_corners_is_sampled_again_as_dots() {
        // 29 × 29 less three 8 × 8 corners: 649 data modules, a quarter of them 162.25.
        assert!(looks_like_dots(&grid_with_dark_data(0)));
        assert!(looks_like_dots(&grid_with_dark_data(162)));
        assert!(!looks_like_dots(&grid_with_dark_data(163)));
        assert!(!looks_like_dots(&grid_with_dark_data(325)));
    }

    /// A candidate that was a member of [`TRIPLE_FAILURES_PER_CANDIDATE`] failed triples
    /// is tried in no more: the code of [`view`] is read after one fewer failures of its
    /// patterns, and not after that many.
    #[test]
    fn a_candidate_in_too_many_failed_triples_is_tried_no_more() {
        let (bits, mut patterns) = view();
        let mut budget = Budget::new(SCAN_BUDGET);
        budget.start_view(VIEW_BUDGET);
        let real = group(&mut patterns, &mut budget).remove(0);
        // The same patterns' triple moved into the blank canvas: sampled there, it fails.
        let mut blank = real.set;
        for p in [&mut blank.bl, &mut blank.tl, &mut blank.tr] {
            p.p.x += 600.0;
            p.p.y += 600.0;
        }
        let failing = Triple {
            set: blank,
            members: real.members,
        };
        let info = ViewInfo {
            scale: 1.0,
            inverted: false,
            micro: false,
            light_evidence: false,
            assume_thirds: false,
        };
        for (failures, reads) in [
            (TRIPLE_FAILURES_PER_CANDIDATE - 1, true),
            (TRIPLE_FAILURES_PER_CANDIDATE, false),
        ] {
            let mut triples = vec![failing; failures];
            triples.push(real);
            let (mut found, mut read) = (Vec::new(), Vec::new());
            let mut budget = Budget::new(SCAN_BUDGET);
            budget.start_view(VIEW_BUDGET);
            let (_, _, near_misses) = decode_triples(
                &bits,
                info,
                &triples,
                &patterns,
                &mut budget,
                &mut found,
                &mut read,
            );
            assert_eq!(found.len(), usize::from(reads), "after {failures} failures");
            assert_eq!(near_misses, if reads { 0 } else { failures });
        }
    }
}
