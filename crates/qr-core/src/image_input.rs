//! Uploaded image bytes to pixels, refusing oversized images before allocating them.

use std::io::Cursor;

use image::{GrayImage, ImageReader, Limits};

use crate::{Code, Error, limits};

/// Reads the codes in an uploaded image (PNG, JPEG, GIF, BMP or WebP).
///
/// An image with no readable code is not an error: the result is empty.
pub fn decode(bytes: &[u8]) -> Result<Vec<Code>, Error> {
    Ok(qr_scan::scan(&load_image(bytes)?))
}

/// Decodes `bytes` to greyscale pixels within [`limits::MAX_IMAGE_PIXELS`] and
/// [`limits::MAX_IMAGE_SIDE`].
///
/// The format is sniffed from the bytes, not taken from a content type. The header's declared
/// size is checked first, and the decoder then runs under an allocation cap derived from the
/// same limits, so a file that lies about its size cannot allocate more either.
pub fn load_image(bytes: &[u8]) -> Result<GrayImage, Error> {
    if bytes.is_empty() {
        return Err(Error::MissingImage);
    }
    let mut decoder = reader(bytes)?;
    // The declared size, from the header alone. `imagesize` does no arithmetic on it, whereas
    // the decoders' own header checks overflow on 32-bit wasm for sizes like 60000 × 60000
    // and would report them as corrupt rather than too large.
    let (width, height) = match imagesize::blob_size(bytes) {
        Ok(size) => (
            u32::try_from(size.width).unwrap_or(u32::MAX),
            u32::try_from(size.height).unwrap_or(u32::MAX),
        ),
        Err(_) => reader(bytes)?
            .into_dimensions()
            .map_err(|e| classify(&e, None))?,
    };
    if width > limits::MAX_IMAGE_SIDE
        || height > limits::MAX_IMAGE_SIDE
        || u64::from(width) * u64::from(height) > limits::MAX_IMAGE_PIXELS
    {
        return Err(Error::ImageTooLarge { width, height });
    }
    let mut caps = Limits::default();
    caps.max_image_width = Some(limits::MAX_IMAGE_SIDE);
    caps.max_image_height = Some(limits::MAX_IMAGE_SIDE);
    // Room for the widest intermediate the decoders use (16-bit RGBA) plus the grey copy.
    caps.max_alloc = Some(limits::MAX_IMAGE_PIXELS * 9);
    decoder.limits(caps);
    let image = decoder
        .decode()
        .map_err(|e| classify(&e, Some((width, height))))?;
    Ok(image.into_luma8())
}

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, Error> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::CorruptImage(e.to_string()))?;
    if reader.format().is_none() {
        return Err(Error::UnsupportedImage);
    }
    Ok(reader)
}

/// Maps a decoder error to ours; `size` is the declared size once it is known, so that an
/// allocation over the cap is reported as the size problem it is.
fn classify(e: &image::ImageError, size: Option<(u32, u32)>) -> Error {
    match (e, size) {
        (image::ImageError::Unsupported(_), _) => Error::UnsupportedImage,
        (image::ImageError::Limits(_), Some((width, height))) => {
            Error::ImageTooLarge { width, height }
        }
        (other, _) => Error::CorruptImage(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GenerateOptions, generate};

    /// A valid PNG that declares `width` × `height` in its header but carries an empty data
    /// stream: a few dozen bytes that would make a naive server allocate gigabytes.
    fn png_declaring(width: u32, height: u32) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // 1-bit greyscale, no interlace
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(
            &mut out,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut out, b"IEND", &[]);
        out
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_generated_code_decodes_back() {
        let img = generate(&GenerateOptions::new("https://example.com/product/123")).unwrap();
        let codes = decode(&img.bytes).unwrap();
        assert_eq!(codes.len(), 1);
        assert_eq!(
            codes[0].text.as_deref(),
            Some("https://example.com/product/123")
        );
    }

    #[test]
    fn a_tiny_png_declaring_60000_squared_is_refused_before_decoding() {
        let png = png_declaring(60_000, 60_000);
        assert!(png.len() < 100);
        assert_eq!(
            load_image(&png),
            Err(Error::ImageTooLarge {
                width: 60_000,
                height: 60_000
            })
        );
    }

    #[test]
    fn pixel_and_side_limits_hold_at_their_edges() {
        let side = limits::MAX_IMAGE_SIDE;
        // Just outside each limit, by declared size alone.
        assert!(matches!(
            load_image(&png_declaring(side + 1, 1)),
            Err(Error::ImageTooLarge { .. })
        ));
        let rows = (limits::MAX_IMAGE_PIXELS / u64::from(side)) as u32;
        assert!(matches!(
            load_image(&png_declaring(side, rows + 1)),
            Err(Error::ImageTooLarge { .. })
        ));
        // Just inside: the size passes and the (empty) pixel data is what fails.
        assert!(matches!(
            load_image(&png_declaring(side, rows)),
            Err(Error::CorruptImage(_))
        ));
        assert!(matches!(
            load_image(&png_declaring(side, 1)),
            Err(Error::CorruptImage(_))
        ));
    }

    #[test]
    fn non_images_and_empty_bodies_are_told_apart() {
        assert_eq!(load_image(b""), Err(Error::MissingImage));
        assert_eq!(
            load_image(b"hello, this is text"),
            Err(Error::UnsupportedImage)
        );
        let mut truncated = generate(&GenerateOptions::new("x")).unwrap().bytes;
        truncated.truncate(60);
        assert!(matches!(
            load_image(&truncated),
            Err(Error::CorruptImage(_))
        ));
    }
}
