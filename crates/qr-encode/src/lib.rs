//! Turns a payload into a QR symbol (a square of dark and light modules) and the symbol into
//! PNG or SVG bytes.
//!
//! This crate knows nothing of HTTP or of request options: callers validate sizes and colours
//! first (see `qr-core`) and hand over plain values. It is kept apart from decoding so that the
//! generate component does not link an image decoder.
//!
//! Generation is the service's hot path, so each stage is built for speed (figures and how
//! they were measured: `BENCHMARKS.md`):
//! - segmentation and Reed-Solomon come from the `qrcode` crate, which does them in a few
//!   microseconds;
//! - module placement uses a per-version template of the function patterns built once
//!   (`layout`);
//! - the mask is chosen by the standard's four penalty rules evaluated on bit-packed rows, all
//!   in one pass per mask (`mask`), where `qrcode` spends 99% of its time module by module;
//! - PNG goes through a deflater that treats the `scale` repeats of each module row as
//!   back-references (`deflate`), which is both smaller and faster than a general zlib.

#![forbid(unsafe_code)]
// In unit tests a failed unwrap is a failed test with its message.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod append;
mod art;
mod capacity;
mod compact;
mod coverage;
mod deflate;
mod layout;
mod mask;
mod micro;
mod png_out;
mod rmqr;
mod rows;
mod rs;
mod svg_out;
mod vector_out;

pub use append::{MAX_SYMBOLS, SequenceTooLong, encode_append};
pub use art::{Art, EmbeddedLogo, EyeShape, Fill, ModuleShape, RasterLogo, to_png_art, to_svg_art};
pub use capacity::max_payload;
pub use coverage::{Damage, damage};
pub use png_out::{crc32, to_png};
pub use svg_out::to_svg;
pub use vector_out::{dark_runs, to_eps, to_pdf, to_pdf_pages, to_text};

use std::fmt;

pub use qr_ec_level::EcLevel;

/// Why a payload could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// Even a version 40 symbol at this level cannot hold the payload.
    #[error(
        "{len} bytes do not fit in a QR code at error correction {ec}: the largest symbol holds \
         {capacity} bytes of this kind of data at that level"
    )]
    TooLong {
        /// Payload length in bytes.
        len: usize,
        /// Level asked for.
        ec: EcLevel,
        /// The most bytes of this payload's kind (digits, alphanumerics or bytes) at `ec`.
        capacity: usize,
    },

    /// The payload does not fit the Micro QR or rMQR symbol asked for, or the largest one.
    #[error(
        "{len} bytes do not fit in {symbol} at error correction {ec}: it holds at most \
         {capacity} characters of {mode} data at that level"
    )]
    DoesNotFit {
        /// Payload length in bytes.
        len: usize,
        /// The payload's mode: `numeric`, `alphanumeric` or `byte`.
        mode: &'static str,
        /// The symbol, e.g. `Micro QR M2` or `any rMQR symbol`.
        symbol: String,
        /// Level asked for.
        ec: EcLevel,
        /// The most characters of this mode that `symbol` holds at `ec`.
        capacity: usize,
    },

    /// The symbol asked for has no such error-correction level.
    #[error("{symbol} has no error correction level {ec}; it offers {offered}")]
    LevelNotOffered {
        /// The symbol, e.g. `Micro QR M3`.
        symbol: String,
        /// Level asked for.
        ec: EcLevel,
        /// The levels it has.
        offered: &'static str,
    },
}

/// The kinds of two-dimensional code this crate writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Symbology {
    /// QR Code (ISO/IEC 18004), versions 1 to 40.
    #[default]
    Qr,
    /// Micro QR Code (ISO/IEC 18004), M1 to M4: one finder, for a few characters.
    MicroQr,
    /// Rectangular Micro QR Code (ISO/IEC 23941), R7x43 to R17x139: for long, low spaces.
    Rmqr,
}

impl Symbology {
    /// Every symbology by its option value.
    pub const ALL: [(&'static str, Symbology); 3] = [
        ("qr", Symbology::Qr),
        ("micro_qr", Symbology::MicroQr),
        ("rmqr", Symbology::Rmqr),
    ];

    /// The quiet zone its standard asks for, in modules: 4 for QR, 2 for Micro QR and rMQR.
    pub fn quiet_zone(self) -> u32 {
        match self {
            Symbology::Qr => 4,
            Symbology::MicroQr | Symbology::Rmqr => 2,
        }
    }

    /// Its name in prose: `QR`, `Micro QR`, `rMQR`.
    pub fn name(self) -> &'static str {
        match self {
            Symbology::Qr => "QR",
            Symbology::MicroQr => "Micro QR",
            Symbology::Rmqr => "rMQR",
        }
    }
}

/// A symbol size: QR version `4`, Micro QR `M3`, rMQR `R13x77` (its height and width in
/// modules), as written in the standards and parsed by [`Version::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// QR version 1 to 40.
    Qr(u8),
    /// Micro QR M1 to M4.
    Micro(u8),
    /// rMQR by height and width; one of the 32 sizes of ISO/IEC 23941.
    Rmqr {
        /// Modules from top to bottom: 7 to 17.
        height: u8,
        /// Modules from left to right: 27 to 139.
        width: u8,
    },
}

impl Version {
    /// Parses `12`, `M3` or `R13x77` (any case); `None` for anything that is not a size of
    /// its symbology.
    pub fn parse(text: &str) -> Option<Version> {
        let t = text.trim();
        let num = |s: &str| {
            s.parse::<u8>()
                .ok()
                .filter(|_| s.bytes().all(|b| b.is_ascii_digit()))
        };
        if let Some(rest) = t.strip_prefix(['M', 'm']) {
            return num(rest)
                .filter(|v| (1..=4).contains(v))
                .map(Version::Micro);
        }
        if let Some(rest) = t.strip_prefix(['R', 'r']) {
            let (h, w) = rest.split_once(['x', 'X'])?;
            let v = Version::Rmqr {
                height: num(h)?,
                width: num(w)?,
            };
            return rmqr::index(v).map(|_| v);
        }
        num(t)
            .filter(|v| (1..=layout::MAX_VERSION).contains(v))
            .map(Version::Qr)
    }

    /// The symbology this size belongs to.
    pub fn symbology(self) -> Symbology {
        match self {
            Version::Qr(_) => Symbology::Qr,
            Version::Micro(_) => Symbology::MicroQr,
            Version::Rmqr { .. } => Symbology::Rmqr,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Qr(v) => write!(f, "{v}"),
            Version::Micro(v) => write!(f, "M{v}"),
            Version::Rmqr { height, width } => write!(f, "R{height}x{width}"),
        }
    }
}

/// A QR symbol: `width` × `width` modules, row-major, `true` for dark.
#[derive(Clone, PartialEq, Eq)]
pub struct Symbol {
    version: u8,
    ec: EcLevel,
    mask: u8,
    width: usize,
    height: usize,
    symbology: Symbology,
    dark: Vec<bool>,
}

impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Symbol")
            .field("symbology", &self.symbology)
            .field("version", &self.version)
            .field("ec", &self.ec)
            .field("mask", &self.mask)
            .field("width", &self.width)
            .finish_non_exhaustive()
    }
}

impl Symbol {
    /// QR version 1 to 40 (the smallest one that holds the payload); for Micro QR 1 to 4, for
    /// rMQR the size's index in ISO/IEC 23941's list (0 to 31). [`Symbol::designation`]
    /// names it.
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The size as the standards write it: `4`, `M3`, `R13x77`.
    pub fn designation(&self) -> Version {
        match self.symbology {
            Symbology::Qr => Version::Qr(self.version),
            Symbology::MicroQr => Version::Micro(self.version),
            Symbology::Rmqr => Version::Rmqr {
                height: self.height as u8,
                width: self.width as u8,
            },
        }
    }

    /// QR, Micro QR or rMQR.
    pub fn symbology(&self) -> Symbology {
        self.symbology
    }

    /// Modules from top to bottom, without the quiet zone: the width except for rMQR.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The error-correction level the symbol was built with.
    pub fn ec_level(&self) -> EcLevel {
        self.ec
    }

    /// The data mask pattern (QR 0 to 7, Micro QR 0 to 3, rMQR always 0) that the penalty
    /// rules chose, or that was forced.
    pub fn mask(&self) -> u8 {
        self.mask
    }

    /// Modules from left to right, without the quiet zone: `17 + 4 × version` for QR.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module at column `x`, row `y` is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// One row of modules.
    pub fn row(&self, y: usize) -> &[bool] {
        &self.dark[y * self.width..(y + 1) * self.width]
    }

    fn from_grid(
        grid: compact::Grid,
        symbology: Symbology,
        version: u8,
        ec: EcLevel,
        mask: u8,
    ) -> Symbol {
        Symbol {
            version,
            ec,
            mask,
            width: grid.width,
            height: grid.height,
            symbology,
            dark: grid.dark,
        }
    }
}

/// Encodes `data` into the smallest symbol that holds it at level `ec`, with the mask that
/// the standard's penalty rules select.
///
/// The payload is split into numeric, alphanumeric and byte segments as the standard allows,
/// so digits-only and upper-case URLs get smaller symbols than plain byte mode would give.
pub fn encode(data: &[u8], ec: EcLevel) -> Result<Symbol, EncodeError> {
    encode_with(data, ec, &Options::default())
}

/// Choices that [`encode`] makes by itself, for tests and for callers that need a fixed
/// version or mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The smallest version to use (1 to 40); a larger one is used when the payload needs it.
    pub min_version: u8,
    /// A mask pattern (0 to 7) to use instead of the one the penalty rules select.
    pub mask: Option<u8>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_version: 1,
            mask: None,
        }
    }
}

/// [`encode`] with some of its choices made by the caller.
///
/// # Panics
///
/// If `options.min_version` is not 1 to 40 or `options.mask` is not 0 to 7.
pub fn encode_with(data: &[u8], ec: EcLevel, options: &Options) -> Result<Symbol, EncodeError> {
    assert!((1..=layout::MAX_VERSION).contains(&options.min_version));
    assert!(options.mask.is_none_or(|m| m < mask::MASKS));
    let too_long = || EncodeError::TooLong {
        len: data.len(),
        ec,
        capacity: max_payload(data, ec),
    };
    let qec = to_qrcode(ec);
    let mut bits = qrcode::bits::encode_auto(data, qec).map_err(|_| too_long())?;
    let found = match bits.version() {
        qrcode::Version::Normal(v) => v as u8,
        qrcode::Version::Micro(_) => unreachable!("encode_auto never picks Micro QR"),
    };
    let version = found.max(options.min_version);
    if version != found {
        let v = qrcode::Version::Normal(i16::from(version));
        bits = qrcode::bits::Bits::new(v);
        bits.push_optimal_data(data).map_err(|_| too_long())?;
        bits.push_terminator(qec).map_err(|_| too_long())?;
    }
    Ok(from_data_codewords(
        version,
        ec,
        &bits.into_bytes(),
        options.mask,
    ))
}

/// The symbol of `version` at level `ec` whose data codewords (terminated and padded to the
/// version's capacity) are `data`: Reed-Solomon, placement and masking.
fn from_data_codewords(version: u8, ec: EcLevel, data: &[u8], mask: Option<u8>) -> Symbol {
    let v = qrcode::Version::Normal(i16::from(version));
    let (blocks, ecc) = qrcode::ec::construct_codewords(data, v, to_qrcode(ec))
        .expect("codewords for a version the bits were sized for");

    let t = layout::template(version);
    let mut placed = vec![[0u64; rows::WORDS]; t.width];
    t.place(blocks.iter().chain(&ecc).copied(), &mut placed);
    let mut out = vec![[0u64; rows::WORDS]; t.width];
    let mask = match mask {
        Some(m) => {
            mask::apply(t, &placed, ec, m, &mut out);
            m
        }
        None => mask::choose(t, &placed, ec, &mut out),
    };
    let width = t.width;
    let mut dark = Vec::with_capacity(width * width);
    for row in &out {
        dark.extend((0..width).map(|x| rows::get(row, x)));
    }
    Symbol {
        version,
        ec,
        mask,
        width,
        height: width,
        symbology: Symbology::Qr,
        dark,
    }
}

/// Encodes `data` as Micro QR or rMQR at `ec`, in `version` if given (which must be of that
/// symbology), else in the smallest symbol that holds it. For QR, use [`encode`].
///
/// Micro QR offers L (M1 has error detection only and is used for L), M and Q; rMQR M and H.
/// The payload is one segment of the smallest mode that holds it (numeric, alphanumeric or
/// byte). Micro QR's mask is the one its evaluation rule selects; rMQR has one fixed mask.
///
/// # Panics
///
/// If `symbology` is QR, or `version` is not of `symbology`.
pub fn encode_compact(
    data: &[u8],
    ec: EcLevel,
    symbology: Symbology,
    version: Option<Version>,
) -> Result<Symbol, EncodeError> {
    match (symbology, version) {
        (Symbology::MicroQr, None) => micro::encode(data, ec, None, None),
        (Symbology::MicroQr, Some(Version::Micro(v))) => micro::encode(data, ec, Some(v), None),
        (Symbology::Rmqr, None) => rmqr::encode(data, ec, None),
        (Symbology::Rmqr, Some(v @ Version::Rmqr { .. })) => rmqr::encode(data, ec, Some(v)),
        _ => panic!("encode_compact: {symbology:?} with {version:?}"),
    }
}

/// Micro QR in version `version` (1 to 4) with mask `mask` (0 to 3) forced, for comparing
/// with other encoders symbol for symbol.
///
/// # Panics
///
/// If `version` or `mask` is out of range.
pub fn encode_micro_with_mask(
    data: &[u8],
    ec: EcLevel,
    version: u8,
    mask: u8,
) -> Result<Symbol, EncodeError> {
    assert!((1..=4).contains(&version) && mask < 4);
    micro::encode(data, ec, Some(version), Some(mask))
}

fn to_qrcode(ec: EcLevel) -> qrcode::EcLevel {
    match ec {
        EcLevel::L => qrcode::EcLevel::L,
        EcLevel::M => qrcode::EcLevel::M,
        EcLevel::Q => qrcode::EcLevel::Q,
        EcLevel::H => qrcode::EcLevel::H,
    }
}

/// Colours and geometry of a rendered symbol. Callers validate ranges (see `qr-core`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Pixels per module (PNG) or user units per module (SVG).
    pub scale: u32,
    /// Quiet zone around the symbol, in modules. The standard asks for 4.
    pub margin: u32,
    /// Dark modules, RGBA.
    pub dark: [u8; 4],
    /// Light modules and quiet zone, RGBA.
    pub light: [u8; 4],
}

impl Default for Style {
    /// The Python service's look: 10 px per module, 4-module margin, black on white.
    fn default() -> Self {
        Style {
            scale: 10,
            margin: 4,
            dark: [0, 0, 0, 255],
            light: [255, 255, 255, 255],
        }
    }
}

impl Style {
    /// Side of the rendered image in pixels for a symbol of `width` modules.
    pub fn side_px(&self, width: usize) -> u64 {
        (width as u64 + 2 * u64::from(self.margin)) * u64::from(self.scale)
    }

    /// Width and height of the rendered image in pixels (they differ for rMQR).
    pub fn size_px(&self, symbol: &Symbol) -> (u64, u64) {
        (self.side_px(symbol.width()), self.side_px(symbol.height()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_request_is_version_4_at_level_h() {
        let s = encode(b"https://example.com/product/123", EcLevel::H).unwrap();
        assert_eq!(s.version(), 4);
        assert_eq!(s.width(), 33);
        // Finder pattern corners are dark.
        assert!(s.is_dark(0, 0) && s.is_dark(32, 0) && s.is_dark(0, 32));
    }

    #[test]
    fn smallest_version_is_chosen() {
        assert_eq!(encode(b"1", EcLevel::L).unwrap().version(), 1);
        assert_eq!(encode(&[b'a'; 200], EcLevel::L).unwrap().version(), 9);
    }

    #[test]
    fn too_long_payload_reports_capacity() {
        let err = encode(&[b'a'; 1274], EcLevel::H).unwrap_err();
        assert_eq!(
            err,
            EncodeError::TooLong {
                len: 1274,
                ec: EcLevel::H,
                capacity: 1273
            }
        );
        assert!(encode(&[b'a'; 1273], EcLevel::H).is_ok());
    }

    #[test]
    fn letters_parse_in_either_case() {
        for ec in EcLevel::ALL {
            let l = ec.letter().to_string();
            assert_eq!(EcLevel::from_letter(&l), Some(ec));
            assert_eq!(EcLevel::from_letter(&l.to_lowercase()), Some(ec));
        }
        assert_eq!(EcLevel::from_letter("X"), None);
    }
}
