//! Options in, image bytes out.

use crate::{Error, Format, GenerateOptions, limits};

/// A rendered QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// `image/png` or `image/svg+xml`.
    pub content_type: &'static str,
    /// The file.
    pub bytes: Vec<u8>,
    /// The version chosen (the smallest that fits), for a response header.
    pub version: u8,
}

/// Encodes `opts.data` in the smallest symbol that fits at `opts.ec_level` and renders it.
///
/// Checks the output size after choosing the version (it depends on it) and before drawing
/// a pixel.
pub fn generate(opts: &GenerateOptions) -> Result<Image, Error> {
    let symbol = qr_encode::encode(opts.data.as_bytes(), opts.ec_level)?;
    let side = opts.side_px(symbol.width());
    if side > limits::MAX_OUTPUT_SIDE_PX {
        return Err(Error::OutputTooLarge { side });
    }
    let style = qr_encode::Style {
        scale: opts.scale,
        margin: opts.margin,
        dark: opts.fg.0,
        light: opts.bg.0,
    };
    let (content_type, bytes) = match opts.format {
        Format::Png => ("image/png", qr_encode::to_png(&symbol, &style)),
        Format::Svg => (
            "image/svg+xml",
            qr_encode::to_svg(&symbol, &style).into_bytes(),
        ),
    };
    Ok(Image {
        content_type,
        bytes,
        version: symbol.version(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EcLevel;

    #[test]
    fn the_seed_request_is_a_410_px_version_4_png() {
        let img = generate(&GenerateOptions::new("https://example.com/product/123")).unwrap();
        assert_eq!(img.content_type, "image/png");
        assert_eq!(img.version, 4);
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
    fn data_over_capacity_reports_the_capacity() {
        let opts = GenerateOptions::new("a".repeat(1274));
        let err = generate(&opts).unwrap_err();
        assert!(err.to_string().contains("1273"), "{err}");
    }
}
