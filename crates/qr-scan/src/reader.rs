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

use rxing::common::cpp_essentials::ConcentricPattern;
use rxing::common::cpp_essentials::DecoderResult;
use rxing::common::{BitMatrix, DetectorRXingResult};
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{SampleMQR, SampleQR, SampleRMQR};
use rxing::qrcode::detector::QRCodeDetectorResult;

use crate::budget::{
    Budget, COST_CELL, COST_DECODE, COST_MODULE, COST_SINGLE_FINDER, FINDER_SHARE_PERCENT,
    GROUPING_SHARE_PERCENT, VIEW_BUDGET,
};
use crate::finder::find_finder_patterns;
use crate::group::{Triple, group};
use crate::payload::{Encoding, guess_text};
use crate::{Code, EcLevel, RMQR_SIZES, StructuredAppend, Symbology};

/// Finder candidates at most this wide (in view pixels, 7 modules) have modules of 2.5
/// pixels or less: a shrunk view blurs such symbols beyond reading, so when it leaves
/// candidates this small unread the image is searched at full size as well.
pub(crate) const SMALL_FINDER_PIXELS: i32 = 17;

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
    let (mut used, near_misses) =
        decode_triples(bits, info, &triples, &patterns, budget, found, &mut read);
    if info.micro {
        decode_single_finders(bits, info, &patterns, &mut used, budget, found, &mut read);
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
) -> (Vec<bool>, usize) {
    let mut used = vec![false; patterns.len()];
    let mut failed: Vec<&Triple> = Vec::new();
    for triple in triples {
        if triple.members.iter().any(|&m| used[m]) {
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
        if !budget.spend(COST_DECODE) {
            break;
        }
        let Ok(detected) = SampleQR(bits, &triple.set) else {
            failed.push(triple);
            continue;
        };
        let modules =
            u64::from(detected.getBits().width()) * u64::from(detected.getBits().height());
        if !budget.spend(modules * COST_MODULE) {
            break;
        }
        let decoded = match Decode(detected.getBits()) {
            Ok(decoded) if decoded.isValid() => decoded,
            _ => {
                failed.push(triple);
                continue;
            }
        };
        for &m in &triple.members {
            used[m] = true;
        }
        keep(
            &decoded,
            detected.getPoints(),
            Symbology::Qr,
            info,
            found,
            read,
        );
    }
    let near_misses = failed
        .iter()
        .filter(|t| {
            t.members.iter().all(|&m| !used[m]) && !read.iter().any(|q| inside(q, t.set.tl.p))
        })
        .count();
    (used, near_misses)
}

/// Samples every candidate of `patterns` not `used` by a symbol, and not on one already
/// `read`, as a Micro QR symbol and then as an rMQR symbol, largest candidates first;
/// marks the candidates of the symbols read as `used` and extends `read`.
fn decode_single_finders(
    bits: &BitMatrix,
    info: ViewInfo,
    patterns: &[ConcentricPattern],
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
    'patterns: for (pattern, used) in patterns.iter().zip(used) {
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
