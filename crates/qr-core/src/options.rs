//! Generation options, typed, and their check against [`crate::limits`] before any work is
//! done. Reading them from JSON, a query or a form is `qr-api`'s job.

use crate::{EcLevel, Error, limits};

/// Output image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `image/png`, 1 bit per pixel.
    Png,
    /// `image/svg+xml`, one path.
    Svg,
    /// `text/plain; charset=utf-8`: UTF-8 half blocks, two module rows per line, for a
    /// terminal (light modules are drawn, as `qrencode -t UTF8` does, so the code reads on the
    /// usual light-on-dark terminal).
    Text,
    /// `application/pdf`: one page, vector rectangles, sized `scale` points per module.
    Pdf,
    /// `application/postscript`: Encapsulated PostScript, vector, for print workflows.
    Eps,
}

impl Format {
    /// Every format by its option value.
    pub const ALL: [(&'static str, Format); 5] = [
        ("png", Format::Png),
        ("svg", Format::Svg),
        ("text", Format::Text),
        ("pdf", Format::Pdf),
        ("eps", Format::Eps),
    ];
}

impl Format {
    /// The file name extension of this format, as archive members are named.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
            Format::Text => "txt",
            Format::Pdf => "pdf",
            Format::Eps => "eps",
        }
    }
}

/// An RGBA colour, parsed from `#rrggbb` or `#rrggbbaa` (the `#` may be left out, which
/// saves percent-encoding it in a query string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgba(pub [u8; 4]);

impl Rgba {
    /// Opaque black.
    pub const BLACK: Rgba = Rgba([0, 0, 0, 255]);
    /// Opaque white.
    pub const WHITE: Rgba = Rgba([255, 255, 255, 255]);

    /// `#rrggbb` or `#rrggbbaa`, the `#` optional; `None` for anything else.
    pub fn parse(s: &str) -> Option<Rgba> {
        let hex = s.strip_prefix('#').unwrap_or(s);
        if !(hex.len() == 6 || hex.len() == 8) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        let alpha = if hex.len() == 8 { byte(6)? } else { 255 };
        Some(Rgba([byte(0)?, byte(2)?, byte(4)?, alpha]))
    }
}

/// A logo to put in the centre of the symbol.
#[derive(Clone, PartialEq)]
pub struct Logo {
    /// The file: PNG, JPEG, or SVG (SVG only for SVG output).
    pub bytes: Vec<u8>,
    /// Side of the logo as a fraction of the symbol's side (quiet zone excluded),
    /// [`limits::MIN_LOGO_SIZE`]..=[`limits::MAX_LOGO_SIZE`].
    pub size: f64,
    /// Clear zone around the logo, in modules, 0..=[`limits::MAX_LOGO_MARGIN`].
    pub margin: u32,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logo")
            .field("bytes", &self.bytes.len())
            .field("size", &self.size)
            .field("margin", &self.margin)
            .finish()
    }
}

/// Foreground gradient kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gradient {
    /// From `fg` to `fg2` along `gradient_angle`.
    Linear,
    /// From `fg` at the centre to `fg2` at the corners.
    Radial,
}

/// Shapes, gradient and eye colours; the default is the plain standard look.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Look {
    /// Data module shape.
    pub module_shape: qr_encode::ModuleShape,
    /// Finder frame shape.
    pub eye_frame: qr_encode::EyeShape,
    /// Finder ball shape.
    pub eye_ball: qr_encode::EyeShape,
    /// Gradient from `fg` to the second colour, at an angle in degrees (linear only).
    pub gradient: Option<(Gradient, Rgba, f32)>,
    /// Colour of each eye: top-left, top-right, bottom-left.
    pub eye_colours: [Option<Rgba>; 3],
}

/// How many symbols a structured-append answer has (option `append`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Append {
    /// As few as hold the data at `max_version` (`append=auto`).
    Auto,
    /// Exactly this many, 1 to [`limits::MAX_APPEND_SYMBOLS`] (`append=N`).
    Symbols(usize),
}

/// A validated generation request.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateOptions {
    /// The payload, at most [`limits::MAX_DATA_BYTES`] bytes.
    pub data: String,
    /// PNG or SVG.
    pub format: Format,
    /// Pixels per module, [`limits::MIN_SCALE`]..=[`limits::MAX_SCALE`].
    pub scale: u32,
    /// Quiet zone in modules, 0..=[`limits::MAX_MARGIN`].
    pub margin: u32,
    /// Error-correction level.
    pub ec_level: EcLevel,
    /// Dark module colour.
    pub fg: Rgba,
    /// Light module and background colour.
    pub bg: Rgba,
    /// Shapes and paints beyond plain squares.
    pub look: Look,
    /// A centred logo.
    pub logo: Option<Logo>,
    /// A structured-append sequence instead of one symbol: a ZIP of images, or a PDF of one
    /// page per symbol.
    pub append: Option<Append>,
    /// The largest version a symbol may take, 1 to 40.
    pub max_version: u8,
    /// QR (the default), Micro QR or rMQR.
    pub symbology: qr_encode::Symbology,
    /// The Micro QR or rMQR size asked for (`M3`, `R13x77`); otherwise the smallest that fits.
    pub version: Option<qr_encode::Version>,
}

impl GenerateOptions {
    /// The Python service's defaults (level H, 10 px, 4-module margin, black on white PNG)
    /// around `data`, so migrating clients get byte-for-byte the same symbol.
    pub fn new(data: impl Into<String>) -> Self {
        GenerateOptions {
            data: data.into(),
            format: Format::Png,
            scale: 10,
            margin: 4,
            ec_level: EcLevel::H,
            fg: Rgba::BLACK,
            bg: Rgba::WHITE,
            look: Look::default(),
            logo: None,
            append: None,
            max_version: MAX_VERSION,
            symbology: qr_encode::Symbology::Qr,
            version: None,
        }
    }

    /// Whether the fast plain writers serve these options (no shapes, gradient, eye colours
    /// or logo).
    pub fn is_plain(&self) -> bool {
        self.look == Look::default() && self.logo.is_none()
    }

    /// Checks every bounded field against [`crate::limits`]: what [`crate::generate`] does
    /// first, so options built in code are held to the same limits as parsed ones. Errors name
    /// the fields as this struct does (`scale`, not the Python service's `size`).
    pub fn validate(&self) -> Result<(), Error> {
        if self.data.is_empty() {
            return Err(Error::MissingData);
        }
        match self.append {
            Some(_) if self.data.len() > limits::MAX_APPEND_DATA_BYTES => {
                return Err(Error::AppendDataTooLong {
                    len: self.data.len(),
                });
            }
            None if self.data.len() > limits::MAX_DATA_BYTES => {
                return Err(Error::DataTooLong {
                    len: self.data.len(),
                });
            }
            _ => {}
        }
        if let Some(Append::Symbols(n)) = self.append {
            in_range("append", n, 1, limits::MAX_APPEND_SYMBOLS as u32)?;
        }
        in_range("max_version", self.max_version, 1, u32::from(MAX_VERSION))?;
        in_range("scale", self.scale, limits::MIN_SCALE, limits::MAX_SCALE)?;
        in_range("margin", self.margin, 0, limits::MAX_MARGIN)?;
        if let Some(logo) = &self.logo {
            if !(limits::MIN_LOGO_SIZE..=limits::MAX_LOGO_SIZE).contains(&logo.size) {
                return Err(Error::invalid_option(
                    "logo_size",
                    &format!(
                        "must be a number from {} to {}",
                        limits::MIN_LOGO_SIZE,
                        limits::MAX_LOGO_SIZE
                    ),
                ));
            }
            in_range("logo_margin", logo.margin, 0, limits::MAX_LOGO_MARGIN)?;
            check_logo_bytes(&logo.bytes)?;
        }
        self.check_symbology()
    }

    /// What Micro QR and rMQR lack: a logo, styles (their single or odd-shaped finders are
    /// outside what the style renderers and the logo check know) and structured append
    /// (neither standard has it); and a `version` must be of the symbology.
    fn check_symbology(&self) -> Result<(), Error> {
        use qr_encode::Symbology;
        if let Some(v) = self.version
            && (self.symbology == Symbology::Qr || v.symbology() != self.symbology)
        {
            return Err(Error::invalid_option(
                "version",
                match self.symbology {
                    Symbology::Qr => {
                        "applies to symbology micro_qr (M1 to M4) and rmqr (R7x43 to \
                         R17x139); QR always uses the smallest version that fits"
                    }
                    Symbology::MicroQr => "must be M1, M2, M3 or M4 with symbology micro_qr",
                    Symbology::Rmqr => "must be an rMQR size (R7x43 … R17x139) with symbology rmqr",
                },
            ));
        }
        if self.symbology == Symbology::Qr {
            return Ok(());
        }
        let unsupported = if self.logo.is_some() {
            "logo"
        } else if self.append.is_some() || self.max_version != MAX_VERSION {
            "append and max_version (structured append is QR's)"
        } else if self.look != Look::default() {
            "module_shape, eye_frame, eye_ball, gradient and eye_color"
        } else {
            return Ok(());
        };
        let value = Symbology::ALL
            .iter()
            .find(|(_, s)| *s == self.symbology)
            .map_or("qr", |(name, _)| name);
        Err(Error::NotWithSymbology(format!(
            "{unsupported}: not supported with symbology {value}; styles, logos and \
             structured append are for QR codes"
        )))
    }

    /// Side of the PNG these options produce for a symbol `width` modules wide.
    pub fn side_px(&self, width: usize) -> u64 {
        (width as u64 + 2 * u64::from(self.margin)) * u64::from(self.scale)
    }
}

/// The largest QR version: `max_version`'s default.
pub const MAX_VERSION: u8 = 40;

/// A logo covers a fifth of the symbol's side unless asked otherwise: about 4% of its area,
/// which level H carries at every version.
pub const DEFAULT_LOGO_SIZE: f64 = 0.2;

/// One module of clear zone around the logo unless asked otherwise.
pub const DEFAULT_LOGO_MARGIN: u32 = 1;

/// `n` if it is within `min..=max`, else [`Error::InvalidOption`] for `name` saying the range.
pub fn in_range(name: &str, n: impl TryInto<u32>, min: u32, max: u32) -> Result<u32, Error> {
    n.try_into()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            Error::invalid_option(name, &format!("must be an integer from {min} to {max}"))
        })
}

/// The logo file's size limit, checked before anything looks inside it.
pub fn check_logo_bytes(bytes: &[u8]) -> Result<(), Error> {
    if bytes.len() > limits::MAX_LOGO_BYTES {
        return Err(Error::LogoTooLarge {
            what: format!("{} bytes", bytes.len()),
        });
    }
    if bytes.is_empty() {
        return Err(Error::invalid_option("logo", "is empty"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_built_in_code_are_held_to_the_limits() {
        let ok = GenerateOptions::new("x");
        assert_eq!(ok.validate(), Ok(()));
        let with = |f: fn(&mut GenerateOptions)| {
            let mut o = GenerateOptions::new("x");
            f(&mut o);
            o.validate()
        };
        assert_eq!(with(|o| o.data.clear()), Err(Error::MissingData));
        assert_eq!(
            with(|o| o.data = "7".repeat(limits::MAX_DATA_BYTES + 1)),
            Err(Error::DataTooLong {
                len: limits::MAX_DATA_BYTES + 1
            })
        );
        assert_eq!(
            with(|o| o.data = "7".repeat(limits::MAX_DATA_BYTES)),
            Ok(())
        );
        assert_eq!(with(|o| o.scale = limits::MAX_SCALE), Ok(()));
        assert!(matches!(
            with(|o| o.scale = limits::MAX_SCALE + 1),
            Err(Error::InvalidOption { name, .. }) if name == "scale"
        ));
        assert!(with(|o| o.scale = 0).is_err());
        assert_eq!(with(|o| o.margin = limits::MAX_MARGIN), Ok(()));
        assert!(with(|o| o.margin = limits::MAX_MARGIN + 1).is_err());
        assert_eq!(with(|o| o.max_version = 1), Ok(()));
        assert!(with(|o| o.max_version = 0).is_err());
        assert!(with(|o| o.max_version = MAX_VERSION + 1).is_err());
        assert_eq!(
            with(|o| o.append = Some(Append::Symbols(limits::MAX_APPEND_SYMBOLS))),
            Ok(())
        );
        assert!(
            with(|o| o.append = Some(Append::Symbols(limits::MAX_APPEND_SYMBOLS + 1))).is_err()
        );
        assert!(with(|o| o.append = Some(Append::Symbols(0))).is_err());
        let appended = |len: usize| {
            let mut o = GenerateOptions::new("7".repeat(len));
            o.append = Some(Append::Auto);
            o.validate()
        };
        assert_eq!(appended(limits::MAX_APPEND_DATA_BYTES), Ok(()));
        assert!(matches!(
            appended(limits::MAX_APPEND_DATA_BYTES + 1),
            Err(Error::AppendDataTooLong { .. })
        ));
        let logo = |size, margin, bytes: usize| {
            let mut o = GenerateOptions::new("x");
            o.logo = Some(Logo {
                bytes: vec![0; bytes],
                size,
                margin,
            });
            o.validate()
        };
        assert_eq!(
            logo(limits::MAX_LOGO_SIZE, limits::MAX_LOGO_MARGIN, 1),
            Ok(())
        );
        assert!(logo(limits::MAX_LOGO_SIZE + 0.01, 1, 1).is_err());
        assert!(logo(limits::MIN_LOGO_SIZE - 0.01, 1, 1).is_err());
        assert!(logo(0.2, limits::MAX_LOGO_MARGIN + 1, 1).is_err());
        assert_eq!(logo(0.2, 1, limits::MAX_LOGO_BYTES), Ok(()));
        assert!(matches!(
            logo(0.2, 1, limits::MAX_LOGO_BYTES + 1),
            Err(Error::LogoTooLarge { .. })
        ));
        assert!(logo(0.2, 1, 0).is_err());
    }
}
