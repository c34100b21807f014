//! Finds and reads every QR code in a greyscale image.
//!
//! Image file formats, size limits and HTTP live elsewhere (`qr-core`, `qr-api`): this crate
//! takes pixels and returns what it read, so it can be tested and benchmarked on its own.

#![forbid(unsafe_code)]

use image::GrayImage;
pub use qr_encode::EcLevel;

/// One QR code found in an image.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// The payload as text, when it is valid UTF-8.
    pub text: Option<String>,
    /// The payload's raw bytes.
    pub bytes: Vec<u8>,
    /// Symbol version, 1 to 40.
    pub version: u8,
    /// Error-correction level read from the format information.
    pub ec_level: EcLevel,
    /// Corners of the symbol in image pixels: top-left, top-right, bottom-right, bottom-left
    /// as the symbol is oriented (not the image).
    pub corners: [[f32; 2]; 4],
}

/// Returns every QR code that can be read in `image`, in the order they are found.
///
/// Codes that are found but fail error correction are left out: a partial read is worse
/// than none for a ticket gate.
pub fn scan(image: &GrayImage) -> Vec<Code> {
    let mut prepared = rqrr::PreparedImage::prepare(image.clone());
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| {
            let mut bytes = Vec::new();
            let meta = grid.decode_to(&mut bytes).ok()?;
            let corners = grid.bounds.map(|p| [p.x as f32, p.y as f32]);
            Some(Code {
                text: String::from_utf8(bytes.clone()).ok(),
                bytes,
                version: meta.version.0 as u8,
                ec_level: ec_from_format_bits(meta.ecc_level),
                corners,
            })
        })
        .collect()
}

/// rqrr reports the two error-correction bits of the format information as stored:
/// `01` L, `00` M, `11` Q, `10` H.
fn ec_from_format_bits(bits: u16) -> EcLevel {
    match bits & 0b11 {
        0b01 => EcLevel::L,
        0b00 => EcLevel::M,
        0b11 => EcLevel::Q,
        _ => EcLevel::H,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qr_encode::{Style, encode, to_png};

    fn render(text: &str, ec: EcLevel) -> GrayImage {
        let png = to_png(&encode(text.as_bytes(), ec).unwrap(), &Style { scale: 4, ..Style::default() });
        image::load_from_memory(&png).unwrap().to_luma8()
    }

    #[test]
    fn a_rendered_code_reads_back_with_its_level_and_version() {
        for ec in EcLevel::ALL {
            let codes = scan(&render("https://example.com/product/123", ec));
            assert_eq!(codes.len(), 1, "{ec}");
            assert_eq!(codes[0].text.as_deref(), Some("https://example.com/product/123"));
            assert_eq!(codes[0].ec_level, ec);
            assert_eq!(codes[0].version, encode(b"https://example.com/product/123", ec).unwrap().version());
        }
    }

    #[test]
    fn a_blank_image_has_no_codes() {
        assert!(scan(&GrayImage::from_pixel(64, 64, image::Luma([255]))).is_empty());
    }
}
