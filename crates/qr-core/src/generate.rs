//! Options in, image bytes out.

use crate::options::{Append, Gradient, Logo};
use crate::{Error, Format, GenerateOptions, Rgba, limits};

/// A rendered QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// `image/png`, `image/svg+xml`, `text/plain; charset=utf-8`, `application/pdf` or
    /// `application/postscript`.
    pub content_type: &'static str,
    /// The file.
    pub bytes: Vec<u8>,
    /// The version chosen (the smallest that fits, or the one asked for; in a sequence, the
    /// largest of its symbols), for a response header: `4`, `M3`, `R13x77`.
    pub version: qr_encode::Version,
    /// For a structured-append answer (`append`), how many symbols it holds.
    pub symbols: Option<usize>,
}

/// Encodes `opts.data` in the smallest symbol that fits at `opts.ec_level` and renders it.
///
/// Checks the options against the limits first ([`GenerateOptions::validate`]), the output
/// size after choosing the version (it depends on it) and before drawing a pixel.
pub fn generate(opts: &GenerateOptions) -> Result<Image, Error> {
    opts.validate()?;
    if let Some(append) = opts.append {
        return sequence(opts, append);
    }
    let symbol = if opts.symbology != qr_encode::Symbology::Qr {
        compact(opts, opts.symbology)?
    } else if opts.max_version < 40 {
        let mut one = qr_encode::encode_append(
            opts.data.as_bytes(),
            opts.ec_level,
            opts.max_version,
            Some(1),
        )?;
        one.remove(0)
    } else {
        qr_encode::encode(opts.data.as_bytes(), opts.ec_level)?
    };
    render(opts, &symbol)
}

/// A structured-append sequence: a multi-page PDF for `format=pdf`, else a ZIP of one file per
/// symbol (`qr-01-of-03.png`, …), each rendered as a single symbol would be.
fn sequence(opts: &GenerateOptions, append: Append) -> Result<Image, Error> {
    let count = match append {
        Append::Auto => None,
        Append::Symbols(n) if opts.data.chars().count() < n => {
            return Err(Error::invalid_option(
                "append",
                &format!("asks for {n} symbols, more than the data has characters"),
            ));
        }
        Append::Symbols(n) => Some(n),
    };
    let symbols =
        qr_encode::encode_append(opts.data.as_bytes(), opts.ec_level, opts.max_version, count)?;
    let total = symbols.len();
    let version = symbols
        .iter()
        .map(qr_encode::Symbol::version)
        .max()
        .unwrap_or(1);
    let (content_type, bytes) = if opts.format == Format::Pdf {
        // Checked as `render` checks one symbol; PDF draws no styles.
        let widest = symbols
            .iter()
            .map(qr_encode::Symbol::width)
            .max()
            .unwrap_or(0);
        let side = opts.side_px(widest);
        if side > limits::MAX_OUTPUT_SIDE_PX {
            return Err(Error::OutputTooLarge { side });
        }
        check_contrast(opts)?;
        (
            "application/pdf",
            qr_encode::to_pdf_pages(&symbols, &plain_style(opts)),
        )
    } else {
        let mut zip = crate::batch::ZipWriter::default();
        let mut bytes = Vec::new();
        for (i, symbol) in symbols.iter().enumerate() {
            let image = render(opts, symbol)?;
            let name = format!("qr-{:02}-of-{total:02}.{}", i + 1, opts.format.extension());
            bytes.extend(zip.entry(&name, &image.bytes));
        }
        bytes.extend(zip.finish());
        ("application/zip", bytes)
    };
    Ok(Image {
        content_type,
        bytes,
        version: qr_encode::Version::Qr(version),
        symbols: Some(total),
    })
}

fn plain_style(opts: &GenerateOptions) -> qr_encode::Style {
    qr_encode::Style {
        scale: opts.scale,
        margin: opts.margin,
        dark: opts.fg.0,
        light: opts.bg.0,
    }
}

/// One symbol in the options' format and look, after the size and contrast checks.
fn render(opts: &GenerateOptions, symbol: &qr_encode::Symbol) -> Result<Image, Error> {
    let side = opts.side_px(symbol.width());
    if side > limits::MAX_OUTPUT_SIDE_PX {
        return Err(Error::OutputTooLarge { side });
    }
    check_contrast(opts)?;
    if !opts.is_plain() && matches!(opts.format, Format::Png | Format::Svg) {
        return styled(opts, symbol, side);
    }
    let style = plain_style(opts);
    let (content_type, bytes) = match opts.format {
        Format::Png => ("image/png", qr_encode::to_png(symbol, &style)),
        Format::Svg => (
            "image/svg+xml",
            qr_encode::to_svg(symbol, &style).into_bytes(),
        ),
        Format::Text => (
            "text/plain; charset=utf-8",
            qr_encode::to_text(symbol, &style).into_bytes(),
        ),
        Format::Pdf => ("application/pdf", qr_encode::to_pdf(symbol, &style)),
        Format::Eps => (
            "application/postscript",
            qr_encode::to_eps(symbol, &style).into_bytes(),
        ),
    };
    Ok(Image {
        content_type,
        bytes,
        version: symbol.designation(),
        symbols: None,
    })
}

/// A Micro QR or rMQR symbol; the encoder's errors as the API's 422s.
fn compact(
    opts: &GenerateOptions,
    symbology: qr_encode::Symbology,
) -> Result<qr_encode::Symbol, Error> {
    use qr_encode::EncodeError;
    qr_encode::encode_compact(opts.data.as_bytes(), opts.ec_level, symbology, opts.version).map_err(
        |e| match e {
            EncodeError::LevelNotOffered { .. } => Error::NotWithSymbology(e.to_string()),
            e => Error::DoesNotFit(e),
        },
    )
}

/// Shapes, gradients, eye colours and logos: the general renderers, after the checks that
/// the result still scans.
fn styled(opts: &GenerateOptions, symbol: &qr_encode::Symbol, side: u64) -> Result<Image, Error> {
    let style = plain_style(opts);
    let look = &opts.look;
    let mut art = qr_encode::Art {
        modules: look.module_shape,
        eye_frame: look.eye_frame,
        eye_ball: look.eye_ball,
        fill: match look.gradient {
            None => qr_encode::Fill::Solid(opts.fg.0),
            Some((Gradient::Linear, to, angle)) => qr_encode::Fill::Linear {
                from: opts.fg.0,
                to: to.0,
                angle,
            },
            Some((Gradient::Radial, to, _)) => qr_encode::Fill::Radial {
                from: opts.fg.0,
                to: to.0,
            },
        },
        eye_colours: look.eye_colours.map(|c| c.map(|c| c.0)),
        clear: None,
    };
    let kind = opts
        .logo
        .as_ref()
        .map(|l| logo_kind(&l.bytes))
        .transpose()?;
    if kind == Some(LogoKind::Svg) && opts.format != Format::Svg {
        return Err(Error::UnsupportedLogo(
            "an SVG logo needs format svg; send PNG or JPEG for a PNG".into(),
        ));
    }
    let logo_side = match &opts.logo {
        Some(logo) => {
            let (start, cover, inner) = fit_logo(symbol, logo)?;
            art.clear = Some((start, cover));
            inner as f32
        }
        None => 0.0,
    };
    let bytes = match opts.format {
        Format::Svg => {
            let embedded = opts
                .logo
                .as_ref()
                .zip(kind)
                .map(|(l, k)| qr_encode::EmbeddedLogo {
                    mime: k.mime(),
                    bytes: &l.bytes,
                    side_modules: logo_side,
                });
            qr_encode::to_svg_art(symbol, &style, &art, embedded.as_ref()).into_bytes()
        }
        _ => {
            if side > limits::MAX_STYLED_PNG_SIDE_PX {
                return Err(Error::StyledOutputTooLarge { side });
            }
            let pixels = match (&opts.logo, kind) {
                (Some(logo), Some(kind)) => Some(decode_logo(&logo.bytes, kind)?),
                _ => None,
            };
            let raster = pixels.as_ref().map(|p| qr_encode::RasterLogo {
                rgba: p.as_raw(),
                width: p.width(),
                height: p.height(),
                side_modules: logo_side,
            });
            qr_encode::to_png_art(symbol, &style, &art, raster.as_ref())
        }
    };
    let content_type = if opts.format == Format::Svg {
        "image/svg+xml"
    } else {
        "image/png"
    };
    Ok(Image {
        content_type,
        bytes,
        version: symbol.designation(),
        symbols: None,
    })
}

/// Logo file formats, by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogoKind {
    Png,
    Jpeg,
    Svg,
}

impl LogoKind {
    fn mime(self) -> &'static str {
        match self {
            LogoKind::Png => "image/png",
            LogoKind::Jpeg => "image/jpeg",
            LogoKind::Svg => "image/svg+xml",
        }
    }
}

/// Sniffs the logo's format and checks the pixel count it declares (SVG has none).
fn logo_kind(bytes: &[u8]) -> Result<LogoKind, Error> {
    let kind = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        LogoKind::Png
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        LogoKind::Jpeg
    } else {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
        let head = head.trim_start_matches('\u{feff}').trim_start();
        if head.starts_with('<') && head.contains("<svg") {
            return Ok(LogoKind::Svg);
        }
        return Err(Error::UnsupportedLogo(
            "must be PNG or JPEG (or SVG for format svg)".into(),
        ));
    };
    let size = imagesize::blob_size(bytes)
        .map_err(|e| Error::UnsupportedLogo(format!("cannot read its size: {e}")))?;
    let pixels = size.width as u64 * size.height as u64;
    if pixels > limits::MAX_LOGO_PIXELS || pixels == 0 {
        return Err(Error::LogoTooLarge {
            what: format!("{}x{} pixels", size.width, size.height),
        });
    }
    Ok(kind)
}

/// Decodes a PNG or JPEG logo to RGBA with only those two decoders linked in.
fn decode_logo(bytes: &[u8], kind: LogoKind) -> Result<image::RgbaImage, Error> {
    use image::DynamicImage;
    let cursor = std::io::Cursor::new(bytes);
    let bad = |e: image::ImageError| Error::UnsupportedLogo(format!("cannot be decoded: {e}"));
    let decoded = match kind {
        LogoKind::Png => {
            image::codecs::png::PngDecoder::new(cursor).and_then(DynamicImage::from_decoder)
        }
        LogoKind::Jpeg => {
            image::codecs::jpeg::JpegDecoder::new(cursor).and_then(DynamicImage::from_decoder)
        }
        LogoKind::Svg => {
            return Err(Error::UnsupportedLogo(
                "SVG is not decoded to pixels".into(),
            ));
        }
    };
    Ok(decoded.map_err(bad)?.to_rgba8())
}

/// Modules a logo of `size` (a fraction of the side) spans: rounded up to an odd count so that
/// it is centred on the centre module.
fn logo_modules(width: usize, size: f64) -> usize {
    let n = (size * width as f64 - 1e-9).ceil().max(1.0) as usize;
    n | 1
}

/// Where the logo goes, `(first cleared module, cleared modules, logo modules)`, once every
/// Reed-Solomon block is shown to keep [`limits::LOGO_SPARE_CAPACITY`] of its correction
/// capacity with the logo and its clear zone assumed wrong; otherwise the error names the
/// largest size that would fit.
fn fit_logo(symbol: &qr_encode::Symbol, logo: &Logo) -> Result<(usize, usize, usize), Error> {
    let w = symbol.width();
    let margin = logo.margin as usize;
    let fits = |inner: usize| {
        let cover = inner + 2 * margin;
        if cover > w {
            return false;
        }
        let start = (w - cover) / 2;
        let range = start..start + cover;
        qr_encode::damage(symbol, |x, y| range.contains(&x) && range.contains(&y))
            .fits(limits::LOGO_SPARE_CAPACITY)
    };
    let inner = logo_modules(w, logo.size);
    if fits(inner) {
        let cover = inner + 2 * margin;
        return Ok(((w - cover) / 2, cover, inner));
    }
    let largest = (1..inner).rev().step_by(2).find(|&n| fits(n));
    let spare = limits::LOGO_SPARE_CAPACITY * 100.0;
    let what = format!(
        "a logo of size {} with a {margin}-module clear zone covers {inner} of {w} modules a side \
         and would leave some Reed-Solomon block of this version {} level {} symbol less than \
         {spare}% of its correction capacity (LOGO_SPARE_CAPACITY)",
        logo.size,
        symbol.version(),
        symbol.ec_level()
    );
    Err(Error::LogoCoversTooMuch(match largest {
        // Round down to hundredths: the size named is one that fits.
        Some(n) if (n as f64 / w as f64) >= limits::MIN_LOGO_SIZE => format!(
            "{what}; the largest logo_size that fits is {:.2}",
            ((n as f64 / w as f64) * 100.0).floor() / 100.0
        ),
        _ => format!(
            "{what}; no logo of at least {} fits: use level H (ecc), a smaller logo_margin or \
             more data (a larger version)",
            limits::MIN_LOGO_SIZE
        ),
    }))
}

/// WCAG 2 relative luminance of a colour composited over white.
fn luminance(c: Rgba) -> f64 {
    let a = f64::from(c.0[3]) / 255.0;
    let channel = |v: u8| {
        let s = (f64::from(v) / 255.0) * a + (1.0 - a);
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.0[0]) + 0.7152 * channel(c.0[1]) + 0.0722 * channel(c.0[2])
}

/// WCAG 2 contrast ratio, 1 to 21.
fn contrast(a: Rgba, b: Rgba) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Every colour a dark module can take must stand out from the background.
fn check_contrast(opts: &GenerateOptions) -> Result<(), Error> {
    let look = &opts.look;
    // The default black on white (21:1) needs no arithmetic.
    if opts.fg == Rgba::BLACK && opts.bg == Rgba::WHITE && opts.is_plain() {
        return Ok(());
    }
    let mut inks: Vec<(&'static str, Rgba)> = vec![("fg", opts.fg)];
    if let Some((_, to, _)) = look.gradient {
        inks.push(("fg2", to));
    }
    inks.extend(look.eye_colours.iter().flatten().map(|c| ("eye_color", *c)));
    for (name, c) in inks {
        let ratio = contrast(c, opts.bg);
        if ratio < limits::MIN_CONTRAST_RATIO {
            return Err(Error::LowContrast { name, ratio });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EcLevel;

    #[test]
    fn the_seed_request_is_a_410_px_version_4_png() {
        let img = generate(&GenerateOptions::new("https://example.com/product/123")).unwrap();
        assert_eq!(img.content_type, "image/png");
        assert_eq!(img.version, qr_encode::Version::Qr(4));
        let decoded = image::load_from_memory(&img.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (410, 410));
    }

    #[test]
    fn output_side_is_checked_at_its_edge() {
        // Version 40 is 177 modules: (177 + 2 × 11) × 50 = 9950 px fits, margin 12 is 10050.
        let mut opts = GenerateOptions::new("a".repeat(2953));
        opts.ec_level = EcLevel::L;
        opts.scale = 50;
        opts.margin = 11;
        opts.format = Format::Svg; // the check is the same; SVG keeps the test fast
        assert!(generate(&opts).is_ok());
        opts.margin = 12;
        assert_eq!(generate(&opts), Err(Error::OutputTooLarge { side: 10_050 }));
    }

    #[test]
    fn contrast_follows_wcag_and_is_checked_at_its_edge() {
        assert!((contrast(Rgba::BLACK, Rgba::WHITE) - 21.0).abs() < 1e-9);
        // #949494 on white is about 3.03:1, #959595 about 2.99:1.
        let grey = |v: u8| Rgba([v, v, v, 255]);
        assert!(contrast(grey(0x94), Rgba::WHITE) >= limits::MIN_CONTRAST_RATIO);
        assert!(contrast(grey(0x95), Rgba::WHITE) < limits::MIN_CONTRAST_RATIO);
        let mut opts = GenerateOptions::new("x");
        opts.fg = grey(0x94);
        assert!(generate(&opts).is_ok());
        opts.fg = grey(0x95);
        assert!(matches!(
            generate(&opts),
            Err(Error::LowContrast { name: "fg", .. })
        ));
    }

    #[test]
    fn logo_sizes_round_up_to_an_odd_number_of_modules() {
        assert_eq!(logo_modules(33, 0.2), 7);
        assert_eq!(logo_modules(33, 6.0 / 33.0), 7);
        assert_eq!(logo_modules(33, 7.0 / 33.0), 7);
        assert_eq!(logo_modules(21, 0.05), 3);
    }

    #[test]
    fn data_over_capacity_reports_the_capacity() {
        let opts = GenerateOptions::new("a".repeat(1274));
        let err = generate(&opts).unwrap_err();
        assert!(err.to_string().contains("1273"), "{err}");
    }
}
