//! Finds and decodes the QR symbols in one binarised view of an image.
//!
//! The finder-pattern search, grid sampling and Reed-Solomon decoding are rxing's port of
//! zxing-cpp's QR reader, used through its public building blocks; this module drives
//! them so that it can cap the work per view and keep what rxing's result type drops
//! (symbol version, mirroring, the payload bytes, the ECI flag).

use rxing::common::{BitMatrix, DetectorRXingResult};
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{GenerateFinderPatternSets, SampleQR};

use crate::finder::find_finder_patterns;
use crate::payload::{Encoding, guess_text};
use crate::{Code, EcLevel, StructuredAppend};

/// Most finder-pattern candidates kept from one view, largest first.
///
/// Noise, text and halftone can each look like hundreds of finder patterns; the ones a
/// real symbol has are among the largest, and pairing candidates costs more than
/// linear time, so the rest are dropped to bound the time spent on a hostile image.
const MAX_FINDER_PATTERNS: usize = 120;

/// Most finder-pattern triples sampled and decoded in one scan, over all its views.
///
/// Each try samples a grid and runs error correction (up to a millisecond for a large
/// version); the triples come most plausible first, so real symbols are reached well
/// before this on every corpus image, while noise or a crafted image, which yields
/// hundreds of plausible triples per view, stops here.
pub(crate) const MAX_DECODE_ATTEMPTS: u32 = 200;

/// Where a view's pixels sit in the caller's image.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ViewInfo {
    /// Caller-image pixels per view pixel.
    pub scale: f32,
    /// The view's black and white are swapped relative to the image.
    pub inverted: bool,
}

/// Decodes every symbol in `bits` and appends those not already in `found`, spending at
/// most `attempts` grid samplings (and counting down what it spends).
pub(crate) fn read_view(
    bits: &BitMatrix,
    info: ViewInfo,
    attempts: &mut u32,
    found: &mut Vec<Code>,
) {
    let mut patterns = find_finder_patterns(bits);
    if patterns.len() > MAX_FINDER_PATTERNS {
        patterns.sort_by_key(|p| std::cmp::Reverse(p.size));
        patterns.truncate(MAX_FINDER_PATTERNS);
    }
    let sets = GenerateFinderPatternSets(&mut patterns);
    let mut used = Vec::new();
    for set in &sets {
        if used.contains(&set.bl) || used.contains(&set.tl) || used.contains(&set.tr) {
            continue;
        }
        if *attempts == 0 {
            return;
        }
        *attempts -= 1;
        let Ok(detected) = SampleQR(bits, set) else {
            continue;
        };
        let Ok(decoded) = Decode(detected.getBits()) else {
            continue;
        };
        if !decoded.isValid() {
            continue;
        }
        used.extend([set.bl, set.tl, set.tr]);
        let Some(code) = to_code(&decoded, detected.getPoints(), info) else {
            continue;
        };
        if !found.iter().any(|old| same_symbol(old, &code)) {
            found.push(code);
        }
    }
}

fn to_code(
    decoded: &rxing::common::cpp_essentials::DecoderResult<bool>,
    points: &[rxing::Point],
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
    let ec_level = match decoded.ecLevel() {
        "L" => EcLevel::L,
        "M" => EcLevel::M,
        "Q" => EcLevel::Q,
        "H" => EcLevel::H,
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
        text,
        bytes,
        version: u8::try_from(decoded.versionNumber()).ok()?,
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
    if a.bytes != b.bytes || a.structured_append != b.structured_append {
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
