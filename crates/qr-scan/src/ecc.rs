//! QR model 2 grids decoded as rxing's `Decode` decodes them, without its Reed-Solomon
//! decoder's allocation per step.
//!
//! On images that no view reads (glare, damage, blur), each view samples the same failed
//! symbol again, often twice (the grid, then the grid fitted to its module edges), and
//! nearly every such grid gets as far as Reed-Solomon decoding and fails there. rxing's
//! Reed-Solomon decoder builds a new polynomial on the heap for every step of its
//! Euclidean algorithm, and rxing's `Decode` rebuilds the version's function patterns
//! for every grid: a failed version-7 grid cost about 0.27 ms, and Reed-Solomon was a
//! quarter of the whole scan of an unreadable `damaged` sample (callgrind).
//!
//! This is the same decoding, step for step, with fixed-size polynomials and log tables (a
//! block with errors still allocates its few locator, evaluator and root vectors once): the
//! format information read from the same modules and decoded by rxing's own
//! `FormatInformation::DecodeQR`, the codewords read in the same order (the data modules
//! of each version listed once), de-interleaved by rxing's `DataBlock`, each block put
//! through the same algorithm rxing's `ReedSolomonDecoder` runs (syndromes, the extended
//! Euclidean algorithm with the same stopping rule and the same failures, a Chien search,
//! Forney's magnitudes, the same range check on error positions), and the corrected data
//! handed to rxing's `DecodeBitStream`. So it reads exactly what `Decode` reads and fails
//! exactly where it fails; grids of other kinds (Micro QR, rMQR, model 1) and any step
//! that errs before error correction go to `Decode` as before. The tests compare the two
//! block by block and grid by grid.
//!
//! A grid that fails there is tried once more with erasures ([`decode_model2_erasures`]),
//! which rxing does not do: the codewords holding modules of a flat area of the grid (a
//! glare spot saturated to white, a blot) are taken as unknown, and Reed-Solomon corrects
//! `e` erasures and `t` errors while `2t + e` stays at least [`ERASURE_MARGIN`] below the
//! block's error correction codewords, where plain decoding needs `2t` with every erasure
//! an error.

use std::sync::OnceLock;

use qr_gf256 as gf256;
use rxing::common::BitMatrix;
use rxing::common::cpp_essentials::DecoderResult;
use rxing::qrcode::common::{FormatInformation, Version};
use rxing::qrcode::cpp_port::Type;
use rxing::qrcode::cpp_port::decoder::DecodeBitStream;
use rxing::qrcode::decoder::DataBlock;

/// The format information, version and codewords (in the symbol's order, unmasked) of a
/// QR model 2 `grid`, read as rxing's `Decode` reads them; `None` for a grid of another
/// kind or one `Decode` rejects before error correction.
fn model2_codewords(grid: &BitMatrix) -> Option<(FormatInformation, &'static Version, Vec<u8>)> {
    if grid.width() != grid.height()
        || !Version::HasValidSizeType(grid, Type::Model2)
        || Version::HasValidSizeType(grid, Type::Micro)
    {
        return None;
    }
    let format = read_format(grid);
    if format.qr_type() != Type::Model2 {
        return None;
    }
    let version = Version::Model2(Version::Number(grid)).ok()?;
    let codewords = read_codewords(grid, version, &format)?;
    Some((format, version, codewords))
}

/// rxing's `Decode` of a QR model 2 `grid`, done here: `Some` of what it returns (`None`
/// where it errs), or `None` when `grid` is not one this module decodes (another symbol
/// type, or a grid `Decode` rejects before error correction), for `Decode` to handle.
pub(crate) fn decode_model2(grid: &BitMatrix) -> Option<Option<DecoderResult<bool>>> {
    let (format, version, codewords) = model2_codewords(grid)?;
    let blocks =
        DataBlock::getDataBlocks(&codewords, version, format.error_correction_level).ok()?;
    if blocks.is_empty() {
        return None;
    }
    let mut data = Vec::with_capacity(codewords.len());
    for block in &blocks {
        let mut received = block.getCodewords().to_vec();
        let count = block.getNumDataCodewords() as usize;
        let two_s = received.len().checked_sub(count)?;
        if !correct(&mut received, two_s)? {
            return Some(None);
        }
        data.extend_from_slice(&received[..count]);
    }
    Some(
        DecodeBitStream(&data, version, format.error_correction_level)
            .ok()
            .map(|decoded| decoded.withIsMirrored(format.isMirrored)),
    )
}

/// The format information of a QR grid, read from the same modules in the same order as
/// rxing's `ReadFormatInformation` reads them for a QR symbol, and decoded by rxing.
fn read_format(grid: &BitMatrix) -> FormatInformation {
    let bit = |x: u32, y: u32| u32::from(grid.get(x, y));
    let push = |bits: u32, b: u32| (bits << 1) | b;
    let mut first = 0;
    for x in 0..6 {
        first = push(first, bit(x, 8));
    }
    // The timing pattern's module is skipped.
    first = push(first, bit(7, 8));
    first = push(first, bit(8, 8));
    first = push(first, bit(8, 7));
    for y in (0..=5).rev() {
        first = push(first, bit(8, y));
    }
    let dimension = grid.height();
    let mut second = 0;
    for y in ((dimension - 8)..dimension).rev() {
        second = push(second, bit(8, y));
    }
    for x in (dimension - 8)..dimension {
        second = push(second, bit(x, 8));
    }
    FormatInformation::DecodeQR(first, second)
}

/// The data mask `mask` (0-7, ISO/IEC 18004 table 10) flips module (`x`, `y`), `y` being
/// the row.
fn masked(mask: u8, x: u32, y: u32) -> bool {
    match mask {
        0 => (y + x).is_multiple_of(2),
        1 => y.is_multiple_of(2),
        2 => x.is_multiple_of(3),
        3 => (y + x).is_multiple_of(3),
        4 => (y / 2 + x / 3).is_multiple_of(2),
        5 => (y * x).is_multiple_of(6),
        6 => (y * x) % 6 < 3,
        _ => (y + x + (y * x) % 3).is_multiple_of(2),
    }
}

/// The codewords of a QR grid, each module unmasked (and read transposed when the format
/// information was found mirrored), in placement order ([`data_modules`]). `None` when
/// the count does not match the version's.
fn read_codewords(
    grid: &BitMatrix,
    version: &Version,
    format: &FormatInformation,
) -> Option<Vec<u8>> {
    let modules = data_modules(version)?;
    let total = version.getTotalCodewords() as usize;
    if modules.len() / 8 != total {
        return None;
    }
    let codewords = modules
        .chunks_exact(8)
        .map(|byte| {
            byte.iter().fold(0u8, |acc, module| {
                let (x, y) = (u32::from(module.x), u32::from(module.y));
                let dark = if format.isMirrored {
                    grid.get(y, x)
                } else {
                    grid.get(x, y)
                };
                let flipped = (module.masks >> format.data_mask) & 1 == 1;
                (acc << 1) | u8::from(dark != flipped)
            })
        })
        .collect();
    Some(codewords)
}

/// A data module of a QR symbol: where it lies, and which of the eight data masks flip
/// it (bit `m` for mask `m`).
struct DataModule {
    x: u8,
    y: u8,
    masks: u8,
}

/// The data modules of QR model 2 `version` in placement order (ISO/IEC 18004 7.7.3, as
/// rxing's `ReadQRCodewords` walks them): pairs of columns from the right, upwards and
/// downwards in turn, the vertical timing column skipped, every module of a function
/// pattern (finder, timing, alignment, format and version information) left out, each
/// with the data masks that flip it. Built once per version: rxing builds the function
/// patterns on every `Decode` and works out the mask module by module.
fn data_modules(version: &Version) -> Option<&'static [DataModule]> {
    /// Per version, built on first use (`None` if rxing could not build it).
    type Modules = OnceLock<Option<Vec<DataModule>>>;
    static MODULES: [Modules; 40] = [const { OnceLock::new() }; 40];
    let slot = MODULES.get((version.getVersionNumber() as usize).checked_sub(1)?)?;
    slot.get_or_init(|| {
        let function = version.buildFunctionPattern().ok()?;
        let dimension = version.getDimensionForVersion();
        let mut modules = Vec::new();
        let mut upwards = true;
        let mut x = dimension - 1;
        while x > 0 {
            if x == 6 {
                x -= 1;
            }
            for row in 0..dimension {
                let y = if upwards { dimension - 1 - row } else { row };
                for xx in [x, x - 1] {
                    if !function.get(xx, y) {
                        modules.push(DataModule {
                            x: u8::try_from(xx).ok()?,
                            y: u8::try_from(y).ok()?,
                            masks: (0..8)
                                .fold(0, |m, mask| m | u8::from(masked(mask, xx, y)) << mask),
                        });
                    }
                }
            }
            upwards = !upwards;
            if x < 2 {
                break;
            }
            x -= 2;
        }
        Some(modules)
    })
    .as_deref()
}

/// Coefficients a polynomial may hold here. QR blocks have at most 30 error correction
/// codewords, so the algorithm's remainders and error locators have degree 30 or less; the
/// product `mul_add` forms before trimming can reach twice that (60), hence 64, and blocks
/// with 32 or more error correction codewords (none in QR) are left to rxing.
const MAX_TERMS: usize = 64;

/// A polynomial over GF(256), lowest degree first, with its degree (0 for the zero
/// polynomial, as rxing's `GenericGFPoly` counts it).
#[derive(Clone, Copy)]
struct Poly {
    c: [u8; MAX_TERMS],
    degree: usize,
}

impl Poly {
    const ZERO: Poly = Poly {
        c: [0; MAX_TERMS],
        degree: 0,
    };

    fn monomial(degree: usize, coefficient: u8) -> Poly {
        let mut p = Poly::ZERO;
        p.c[degree] = coefficient;
        p.degree = degree;
        p
    }

    /// Lowers `degree` past leading zero coefficients, from at most `from`.
    fn trim(&mut self, from: usize) {
        self.degree = from;
        while self.degree > 0 && self.c[self.degree] == 0 {
            self.degree -= 1;
        }
    }

    fn is_zero(&self) -> bool {
        self.degree == 0 && self.c[0] == 0
    }

    fn lead(&self) -> u8 {
        self.c[self.degree]
    }

    /// `self * other + add`, or `None` when the product would not fit.
    fn mul_add(&self, other: &Poly, add: &Poly) -> Option<Poly> {
        let top = (self.degree + other.degree).max(add.degree);
        if top >= MAX_TERMS {
            return None;
        }
        let mut out = *add;
        for i in 0..=self.degree {
            if self.c[i] == 0 {
                continue;
            }
            for j in 0..=other.degree {
                out.c[i + j] ^= gf256::mul(self.c[i], other.c[j]);
            }
        }
        out.trim(top);
        Some(out)
    }
}

/// rxing's `ReedSolomonDecoder::decode` (QR's field, generator base 0) on the block
/// `received` (data then `two_s` error correction codewords), step by step (see the
/// module's doc): `Some(true)` with the errors corrected in place where it corrects them,
/// `Some(false)` where it fails, `None` for blocks larger than this module handles.
fn correct(received: &mut [u8], two_s: usize) -> Option<bool> {
    if 2 * two_s >= MAX_TERMS || received.is_empty() {
        return None;
    }
    // Syndromes S_i = r(α^i), r's first codeword its highest coefficient.
    // All of them in one pass over the block (Horner's rule for each, interleaved): the
    // syndromes' chains of table look-ups do not wait on each other.
    let mut syndrome = Poly::ZERO;
    for &c in received.iter() {
        for (i, s) in syndrome.c[..two_s].iter_mut().enumerate() {
            *s = gf256::mul_exp(*s, i) ^ c;
        }
    }
    syndrome.trim(two_s.saturating_sub(1));
    if syndrome.is_zero() {
        return Some(true);
    }
    // The extended Euclidean algorithm on x^2t and S(x), stopping once the remainder's
    // degree is below t, as rxing's `runEuclideanAlgorithm`.
    let mut r_last = Poly::monomial(two_s, 1);
    let mut r = syndrome;
    let mut t_last = Poly::ZERO;
    let mut t = Poly::monomial(0, 1);
    while 2 * r.degree >= two_s {
        let r_last_last = r_last;
        let t_last_last = t_last;
        r_last = r;
        t_last = t;
        if r_last.is_zero() {
            return Some(false);
        }
        r = r_last_last;
        let q = reduce(&mut r, &r_last);
        t = q.mul_add(&t_last, &t_last_last)?;
        if r.degree >= r_last.degree {
            return Some(false);
        }
    }
    let at_zero = t.c[0];
    if at_zero == 0 {
        return Some(false);
    }
    // σ = t / t(0), whose roots are the inverses of the error locations; ω = r / t(0).
    let errors = t.degree;
    let (sigma, omega) = normalised(&t, &r);
    let last = received.len() - 1;
    let mut locations = Vec::with_capacity(errors);
    if errors == 1 {
        locations.push(sigma[1]);
    } else {
        // Chien search: σ(α^k) for every non-zero element α^k, each term σ_j α^(jk) kept
        // as a logarithm. rxing tries the elements in another order and stops at
        // `errors` roots, but a polynomial of degree e has at most e roots: the same ones.
        let mut terms: Vec<(usize, usize)> = sigma
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c != 0)
            .map(|(j, &c)| (j, usize::from(gf256::LOG[usize::from(c)])))
            .collect();
        for k in 0..255 {
            let mut value = 0;
            for (j, log) in &mut terms {
                value ^= gf256::EXP[*log];
                *log += *j;
                if *log >= 255 {
                    *log -= 255;
                }
            }
            if value == 0 {
                // The root α^k is the inverse of the location α^(255 - k).
                locations.push(gf256::EXP[(255 - k) % 255]);
            }
        }
        if locations.len() != errors {
            return Some(false);
        }
    }
    // A location's logarithm is its error's distance from the block's end.
    if locations
        .iter()
        .any(|&l| usize::from(gf256::LOG[usize::from(l)]) > last)
    {
        return Some(false);
    }
    Some(forney(received, &locations, &omega))
}

/// The locator `t` and the evaluator `r` the Euclidean algorithm ended with, both divided
/// by the locator's constant term (non-zero: the callers check), as coefficient lists.
fn normalised(t: &Poly, r: &Poly) -> (Vec<u8>, Vec<u8>) {
    let scale = gf256::inv(t.c[0]);
    let divide = |p: &Poly| -> Vec<u8> {
        p.c[..=p.degree]
            .iter()
            .map(|&c| gf256::mul(c, scale))
            .collect()
    };
    (divide(t), divide(r))
}

/// `r` reduced modulo `divisor` by long division, as one step of the extended Euclidean
/// algorithm divides; returns the quotient.
fn reduce(r: &mut Poly, divisor: &Poly) -> Poly {
    let mut q = Poly::ZERO;
    let lead_inverse = gf256::inv(divisor.lead());
    let d = divisor.degree;
    while r.degree >= d && !r.is_zero() {
        let shift = r.degree - d;
        let scale = gf256::mul(r.lead(), lead_inverse);
        q.c[shift] ^= scale;
        q.degree = q.degree.max(shift);
        for i in 0..=d {
            r.c[i + shift] ^= gf256::mul(divisor.c[i], scale);
        }
        r.trim(r.degree);
    }
    q.trim(q.degree);
    q
}

/// Forney's formula: the error at each of `locations` (X_i, as powers of α) is
/// ω(X_i⁻¹) / Π_{j≠i} (1 + X_j X_i⁻¹), with `omega` the error (or errata) evaluator, and
/// is added to `block` where it lies (X_i's logarithm is its distance from the block's
/// end, checked to be in range by the caller). `false` where a denominator is zero, the
/// block then partly corrected, as rxing leaves it.
fn forney(block: &mut [u8], locations: &[u8], omega: &[u8]) -> bool {
    let last = block.len() - 1;
    for (i, &location) in locations.iter().enumerate() {
        let inverse = gf256::inv(location);
        let denominator = locations
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .fold(1, |d, (_, &other)| {
                gf256::mul(d, gf256::mul(other, inverse) ^ 1)
            });
        if denominator == 0 {
            return false;
        }
        let value = omega
            .iter()
            .rev()
            .fold(0, |acc, &c| gf256::mul(acc, inverse) ^ c);
        let position = last - usize::from(gf256::LOG[usize::from(location)]);
        block[position] ^= gf256::mul(value, gf256::inv(denominator));
    }
    true
}

/// Redundancy, in error correction codewords per block, that an erasure decode must leave
/// unused ([`correct_with_erasures`]): with `e` erasures and `t` errors it corrects only
/// when `2t + e <= n - k - ERASURE_MARGIN`, so that a block full of unknowns still has
/// check symbols left over to reject a wrong grid.
///
/// What the margin leaves: a wrong block (random codewords) passes the two spare check
/// codewords' syndromes with a chance of about 2^-16 when all the others are erasures
/// (`t = 0`), and about 6 in a million per block at `e = n - k - 4`, `t = 1`; the bit
/// stream's own checks come after. Blocks with few check codewords (version 1-L has 7)
/// have the least to spare.
pub(crate) const ERASURE_MARGIN: usize = 2;

/// Reed-Solomon decoding of the block `received` (data then `two_s` error correction
/// codewords) where the codewords at `erasures` (indices into the block, distinct; a
/// repeated one is rejected, as Forney's denominator vanishes for it) are
/// unknown rather than wrong: errors and erasures located by the extended Euclidean
/// algorithm on the syndromes times the erasure locator, their values by Forney's
/// formula. Corrects in place and returns `true` when `2t + e <= two_s - margin`, every
/// error location is a root found in range, and the corrected block's syndromes are
/// all zero; `false` (the block unchanged) otherwise.
pub(crate) fn correct_with_erasures(
    received: &mut [u8],
    two_s: usize,
    erasures: &[usize],
    margin: usize,
) -> bool {
    let n = received.len();
    let e = erasures.len();
    if n == 0 || n > 255 || 2 * two_s >= MAX_TERMS || e + margin > two_s {
        return false;
    }
    if erasures.iter().any(|&p| p >= n) {
        return false;
    }
    let last = n - 1;
    let syndromes = |block: &[u8]| {
        let mut s = Poly::ZERO;
        for &c in block {
            for (i, si) in s.c[..two_s].iter_mut().enumerate() {
                *si = gf256::mul_exp(*si, i) ^ c;
            }
        }
        s.trim(two_s.saturating_sub(1));
        s
    };
    let syndrome = syndromes(received);
    if syndrome.is_zero() {
        return true;
    }
    // The erasure locator Γ(x) = Π (1 + X_j x), X_j = α^(distance from the block's end).
    let mut gamma = Poly::monomial(0, 1);
    for &p in erasures {
        let x = gf256::EXP[last - p];
        let mut factor = Poly::monomial(1, x);
        factor.c[0] = 1;
        let Some(product) = gamma.mul_add(&factor, &Poly::ZERO) else {
            return false;
        };
        gamma = product;
    }
    // The modified syndromes T(x) = S(x) Γ(x) mod x^2s.
    let Some(mut modified) = syndrome.mul_add(&gamma, &Poly::ZERO) else {
        return false;
    };
    for c in modified.c[two_s..].iter_mut() {
        *c = 0;
    }
    modified.trim(two_s.saturating_sub(1));
    // Euclid on x^2s and T(x) until the remainder's degree is below (2s + e) / 2: the
    // remainder is the errata evaluator Ω, the multiplier the error locator Λ.
    let mut r_last = Poly::monomial(two_s, 1);
    let mut r = modified;
    let mut t_last = Poly::ZERO;
    let mut t = Poly::monomial(0, 1);
    while !r.is_zero() && 2 * r.degree >= two_s + e {
        let (r_last_last, t_last_last) = (r_last, t_last);
        (r_last, t_last) = (r, t);
        r = r_last_last;
        let q = reduce(&mut r, &r_last);
        let Some(next) = q.mul_add(&t_last, &t_last_last) else {
            return false;
        };
        t = next;
    }
    if t.c[0] == 0 {
        return false;
    }
    let errors = t.degree;
    if 2 * errors + e + margin > two_s || (!r.is_zero() && r.degree >= errors + e) {
        return false;
    }
    let (lambda, omega) = normalised(&t, &r);
    // The error locations: inverses of Λ's roots, found among the block's positions.
    let mut locations: Vec<u8> = erasures.iter().map(|&p| gf256::EXP[last - p]).collect();
    if errors > 0 {
        for distance in 0..=last {
            // Λ(α^-distance), Horner from the highest coefficient.
            let inverse = gf256::EXP[(255 - distance) % 255];
            let value = lambda
                .iter()
                .rev()
                .fold(0, |acc, &c| gf256::mul(acc, inverse) ^ c);
            if value == 0 {
                let location = gf256::EXP[distance];
                if locations[..e].contains(&location) {
                    return false;
                }
                locations.push(location);
                // Λ has at most `errors` roots: none is left to find.
                if locations.len() == e + errors {
                    break;
                }
            }
        }
        if locations.len() != e + errors {
            return false;
        }
    }
    // Forney's values, on a copy: the block is left as it was unless it corrects.
    let mut corrected = received.to_vec();
    if !forney(&mut corrected, &locations, &omega) {
        return false;
    }
    if !syndromes(&corrected).is_zero() {
        return false;
    }
    received.copy_from_slice(&corrected);
    true
}

/// Modules on a side of the square windows [`flat_modules`] looks for, in the order they
/// are tried: 3 × 3 first (it flags blots and glare of two or three modules), then 4 × 4
/// (fewer correct codewords erased where data happens to be flat).
pub(crate) const FLAT_WINDOWS: [usize; 2] = [3, 4];

/// Modules of a codeword in flat areas that make it an erasure.
pub(crate) const MIN_FLAT_MODULES: u8 = 1;

/// Modules of `grid` (row-major, `y * side + x`) that lie in a `window` × `window` square
/// of the grid whose modules all came out the same colour. Masked QR data is never that
/// flat for long (each such square has a chance of 2 in 2^(window²)), but a glare spot
/// saturated to white, or a blot of ink or paint, samples as exactly that: the modules
/// there were not read, they are unknown.
pub(crate) fn flat_modules(grid: &BitMatrix, window: usize) -> Vec<bool> {
    let side = grid.height() as usize;
    let mut flat = vec![false; side * side];
    if window == 0 || side < window {
        return flat;
    }
    // Dark modules above and left of each point (a summed-area table).
    let stride = side + 1;
    let mut sums = vec![0u32; stride * stride];
    for y in 0..side {
        let mut row = 0;
        for x in 0..side {
            row += u32::from(grid.get(x as u32, y as u32));
            sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1] + row;
        }
    }
    let full = (window * window) as u32;
    for y in 0..=side - window {
        for x in 0..=side - window {
            let dark = sums[(y + window) * stride + x + window] + sums[y * stride + x]
                - sums[y * stride + x + window]
                - sums[(y + window) * stride + x];
            if dark == 0 || dark == full {
                for yy in y..y + window {
                    flat[yy * side + x..yy * side + x + window].fill(true);
                }
            }
        }
    }
    flat
}

/// [`decode_model2`] of a grid it failed on, again with the codewords that hold modules
/// of a flat area ([`flat_modules`] with `window`, at least `min_flat` of a codeword's
/// eight) taken as erasures ([`correct_with_erasures`], keeping `margin` check codewords
/// unused): the most flagged first, as many as the margin leaves room for. `None` where
/// it still does not decode (or the grid is not one [`decode_model2`] decodes).
pub(crate) fn decode_model2_erasures(
    grid: &BitMatrix,
    window: usize,
    min_flat: u8,
    margin: usize,
) -> Option<DecoderResult<bool>> {
    let (format, version, codewords) = model2_codewords(grid)?;
    if !format.isValid() {
        return None;
    }
    let flat = flat_modules(grid, window);
    let side = grid.height() as usize;
    let modules = data_modules(version)?;
    // Per codeword, how many of its modules lie in a flat area, de-interleaved into the
    // blocks alongside the codewords.
    let flagged: Vec<u8> = modules
        .chunks_exact(8)
        .map(|byte| {
            byte.iter()
                .filter(|m| {
                    let (x, y) = (usize::from(m.x), usize::from(m.y));
                    if format.isMirrored {
                        flat[x * side + y]
                    } else {
                        flat[y * side + x]
                    }
                })
                .count() as u8
        })
        .collect();
    if !flagged.iter().any(|&f| f >= min_flat) {
        return None;
    }
    let level = format.error_correction_level;
    let blocks = DataBlock::getDataBlocks(&codewords, version, level).ok()?;
    let flag_blocks = DataBlock::getDataBlocks(&flagged, version, level).ok()?;
    let mut data = Vec::with_capacity(codewords.len());
    for (block, flags) in blocks.iter().zip(&flag_blocks) {
        let count = block.getNumDataCodewords() as usize;
        let received = block.getCodewords();
        let two_s = received.len().checked_sub(count)?;
        let mut plain = received.to_vec();
        if correct(&mut plain, two_s)? {
            data.extend_from_slice(&plain[..count]);
            continue;
        }
        let mut erasures: Vec<usize> = (0..received.len())
            .filter(|&i| flags.getCodewords()[i] >= min_flat)
            .collect();
        erasures.sort_by_key(|&i| std::cmp::Reverse(flags.getCodewords()[i]));
        erasures.truncate(two_s.saturating_sub(margin));
        let mut block = received.to_vec();
        if !correct_with_erasures(&mut block, two_s, &erasures, margin) {
            return None;
        }
        data.extend_from_slice(&block[..count]);
    }
    DecodeBitStream(&data, version, level)
        .ok()
        .map(|decoded| decoded.withIsMirrored(format.isMirrored))
        .filter(|decoded| decoded.isValid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::common::reedsolomon::{
        GenericGF, PredefinedGenericGF, ReedSolomonDecoder, ReedSolomonEncoder,
    };

    /// A small deterministic generator (xorshift), so the tests need no crate and draw
    /// the same cases every run.
    struct Xorshift(u64);

    impl Xorshift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// A Reed-Solomon block of `data` random codewords and `two_s` check codewords, made
    /// by rxing's encoder.
    fn random_block(
        draw: &mut Xorshift,
        encoder: &mut ReedSolomonEncoder,
        data: usize,
        two_s: usize,
    ) -> Vec<u8> {
        let mut word: Vec<i32> = (0..data)
            .map(|_| draw.below(256) as i32)
            .chain(std::iter::repeat_n(0, two_s))
            .collect();
        encoder.encode(&mut word, two_s).expect("encodes");
        word.iter().map(|&c| c as u8).collect()
    }

    /// rxing's decoder on a copy of `received`: the corrected block, or `None`.
    fn rxing_corrected(received: &[u8], two_s: usize) -> Option<Vec<u8>> {
        let mut copy = received.to_vec();
        ReedSolomonDecoder::new(PredefinedGenericGF::QrCodeField256.into())
            .decode(&mut copy, two_s as i32)
            .ok()
            .map(|_| copy)
    }

    /// This module's decoder on a copy of `received`: the corrected block, or `None`.
    fn corrected(received: &[u8], two_s: usize) -> Option<Vec<u8>> {
        let mut copy = received.to_vec();
        correct(&mut copy, two_s)
            .expect("a QR block")
            .then_some(copy)
    }

    #[test]
    fn the_field_tables_match_rxings_field() {
        let field: &GenericGF = PredefinedGenericGF::QrCodeField256.into();
        for a in 1..=255u8 {
            assert_eq!(
                i32::from(gf256::inv(a)),
                field.inverse(i32::from(a)).expect("non-zero")
            );
            for b in [1u8, 2, 3, 29, 142, 255] {
                assert_eq!(
                    i32::from(gf256::mul(a, b)),
                    field.multiply(i32::from(a), i32::from(b))
                );
            }
        }
    }

    /// Codewords of QR's block shapes (data, error correction), encoded by rxing's
    /// encoder, with 0 to t + 8 codewords changed (and random words): this decoder and
    /// rxing's agree on every one, on whether it corrects and on the corrected bytes.
    #[test]
    fn the_decoder_agrees_with_rxings_on_every_block() {
        let mut draw = Xorshift(0x9e37_79b9_7f4a_7c15);
        let mut encoder = ReedSolomonEncoder::new(PredefinedGenericGF::QrCodeField256.into())
            .expect("QR's field");
        let (mut failed, mut repaired) = (0, 0);
        for &(data, two_s) in &[
            (19, 7),
            (16, 10),
            (9, 17),
            (34, 10),
            (13, 22),
            (15, 26),
            (43, 26),
            (116, 30),
            (122, 30),
            (2, 8),
        ] {
            for errors in 0..two_s / 2 + 9 {
                for _ in 0..40 {
                    let sent = random_block(&mut draw, &mut encoder, data, two_s);
                    let mut received = sent.clone();
                    for _ in 0..errors {
                        let at = draw.below(received.len());
                        received[at] ^= 1 + draw.below(255) as u8;
                    }
                    if errors == two_s / 2 + 8 {
                        received.iter_mut().for_each(|c| *c = draw.below(256) as u8);
                    }
                    let expected = rxing_corrected(&received, two_s);
                    assert_eq!(
                        corrected(&received, two_s),
                        expected,
                        "{data}+{two_s} with {errors} errors: {received:?}"
                    );
                    match expected {
                        None => failed += 1,
                        Some(block) if received != sent => {
                            assert_eq!(block, sent, "within t errors the sent block returns");
                            repaired += 1;
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        // Both outcomes were exercised, many times.
        assert!(failed > 1000 && repaired > 1000, "{failed} / {repaired}");
    }

    /// Symbols of every version 1-40 at every level (the masks in turn), as encoded and read
    /// mirrored, with 0 to 60 modules flipped: this module decodes every such grid itself
    /// (none is left to `Decode`) and returns what rxing's `Decode` returns, read or not.
    #[test]
    fn model2_grids_decode_as_rxings_decode_decodes_them() {
        use crate::EcLevel;
        use rxing::qrcode::cpp_port::decoder::Decode;
        let summary = |d: &DecoderResult<bool>| {
            (
                d.text(),
                d.content().bytes().to_vec(),
                d.ecLevel().to_owned(),
                d.versionNumber(),
                d.isMirrored(),
                d.isValid(),
            )
        };
        let mut draw = Xorshift(0x2545_f491_4f6c_dd1d);
        let (mut read, mut unread) = (0, 0);
        let levels = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];
        for (n, version) in (1u8..=40).enumerate() {
            for (m, level) in levels.into_iter().enumerate() {
                let mask = ((n + m) % 8) as u8;
                let options = qr_encode::Options {
                    min_version: version,
                    mask: Some(mask),
                };
                let text = format!("ECC-{version}-{m}-{mask}");
                let symbol =
                    qr_encode::encode_with(text.as_bytes(), level, &options).expect("fits");
                let side = symbol.width() as u32;
                for flips in [0, 3, 12, 60] {
                    for mirrored in [false, true] {
                        let mut grid = BitMatrix::new(side, side).expect("non-empty");
                        for y in 0..side {
                            for x in 0..side {
                                let (sx, sy) = if mirrored { (y, x) } else { (x, y) };
                                if symbol.is_dark(sx as usize, sy as usize) {
                                    grid.set(x, y);
                                }
                            }
                        }
                        for _ in 0..flips {
                            let (x, y) = (draw.below(side as usize), draw.below(side as usize));
                            grid.flip_coords(x as u32, y as u32);
                        }
                        let ours = decode_model2(&grid).expect("a QR model 2 grid");
                        let theirs = Decode(&grid).ok();
                        assert_eq!(
                            ours.as_ref().map(summary),
                            theirs.as_ref().map(summary),
                            "version {version}, level {m}, mask {mask}, {flips} flips, mirrored {mirrored}"
                        );
                        if ours.is_some() {
                            read += 1;
                        } else {
                            unread += 1;
                        }
                    }
                }
            }
        }
        assert!(read > 100 && unread > 30, "{read} read, {unread} not");
    }

    /// Blocks of QR's shapes with `e` erasures (the codewords at those positions replaced
    /// by random bytes, so some erasures are in fact right) and `t` errors elsewhere: with
    /// `2t + e` up to the redundancy less the margin the sent block comes back, past it
    /// the block is left alone, and a corrected block is always a codeword. Errors alone
    /// beyond `t` that plain decoding fails on come back once enough of them are erased.
    #[test]
    fn erasures_and_errors_are_corrected_up_to_the_redundancy_less_the_margin() {
        let mut draw = Xorshift(0x51_7cc1_b727_220a);
        let mut encoder = ReedSolomonEncoder::new(PredefinedGenericGF::QrCodeField256.into())
            .expect("QR's field");
        let (mut corrected_count, mut refused) = (0, 0);
        for &(data, two_s) in &[(19, 7), (16, 10), (9, 17), (13, 22), (15, 26), (116, 30)] {
            for margin in [0, ERASURE_MARGIN] {
                for e in 0..=two_s {
                    for _ in 0..20 {
                        let sent = random_block(&mut draw, &mut encoder, data, two_s);
                        let n = sent.len();
                        // Distinct positions: the first e erased, the next t in error.
                        let mut positions: Vec<usize> = (0..n).collect();
                        for i in 0..n {
                            positions.swap(i, i + draw.below(n - i));
                        }
                        let t = draw.below((two_s - e) / 2 + 2);
                        let mut received = sent.clone();
                        for &p in &positions[..e] {
                            received[p] = draw.below(256) as u8;
                        }
                        for &p in &positions[e..e + t] {
                            received[p] ^= 1 + draw.below(255) as u8;
                        }
                        let mut block = received.clone();
                        let ok = correct_with_erasures(&mut block, two_s, &positions[..e], margin);
                        if 2 * t + e + margin <= two_s {
                            assert!(
                                ok,
                                "{data}+{two_s}: {e} erasures, {t} errors, margin {margin}"
                            );
                            assert_eq!(block, sent);
                            corrected_count += 1;
                        } else if ok {
                            assert!(corrected(&block, two_s).is_some_and(|c| c == block));
                        } else {
                            assert_eq!(block, received, "a failure leaves the block alone");
                            refused += 1;
                        }
                    }
                }
            }
        }
        assert!(
            corrected_count > 1000 && refused > 500,
            "{corrected_count} / {refused}"
        );
        // Twelve errors in a block of 10 + 17 (capacity 8): plain decoding fails; with
        // ten of them erased (and two left as errors: 2·2 + 10 = 14 ≤ 17 - 2) it reads.
        let mut word: Vec<i32> = (1..=10).chain(std::iter::repeat_n(0, 17)).collect();
        encoder.encode(&mut word, 17).expect("encodes");
        let sent: Vec<u8> = word.iter().map(|&c| c as u8).collect();
        let mut received = sent.clone();
        for p in 0..12 {
            received[2 * p] ^= 0x5a;
        }
        assert!(corrected(&received, 17).is_none());
        let erased: Vec<usize> = (0..10).map(|p| 2 * p).collect();
        let mut block = received.clone();
        assert!(correct_with_erasures(
            &mut block,
            17,
            &erased,
            ERASURE_MARGIN
        ));
        assert_eq!(block, sent);
        // Sixteen erasures leave less than the margin: refused, though it would fit.
        let erased: Vec<usize> = (0..16).collect();
        let mut block = received.clone();
        assert!(!correct_with_erasures(
            &mut block,
            17,
            &erased,
            ERASURE_MARGIN
        ));
    }
}
