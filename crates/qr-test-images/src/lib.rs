//! Test images, made by code, in one place for every test that needs them: hostile PNGs for
//! qr-core's unit tests of the image limits and the end-to-end tests that send them to a real
//! host, and contact sheets of several codes in one image.

/// A valid PNG that declares `width` × `height` in its header but carries an empty data
/// stream: a few dozen bytes that would make a naive server allocate gigabytes.
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // 1-bit greyscale, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    // An empty zlib stream.
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Appends one PNG chunk: length, type, data, CRC-32 of type and data. Written by hand because
/// PNG encoders refuse the sizes these files declare.
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A valid 8 × 8 white greyscale PNG of a few KiB whose `iCCP` chunk inflates to
/// `profile_bytes`: a decompression bomb hidden in metadata.
pub fn png_with_icc_profile(profile_bytes: usize) -> Vec<u8> {
    use image::ImageEncoder as _;
    let mut out = Vec::new();
    let mut encoder = image::codecs::png::PngEncoder::new(&mut out);
    encoder
        .set_icc_profile(vec![0u8; profile_bytes])
        .expect("png takes a profile");
    encoder
        .write_image(&[255u8; 64], 8, 8, image::ExtendedColorType::L8)
        .expect("encode");
    out
}

/// `image` as an Adam7-interlaced 8-bit RGB PNG: the seven passes' rows, unfiltered, in
/// stored (uncompressed) deflate blocks. Written by hand because the encoders at hand (the
/// image and png crates) write only non-interlaced files, and decoders take a different
/// path for interlaced ones.
pub fn interlaced_png(image: &image::RgbImage) -> Vec<u8> {
    /// Each pass's first column and row, and its column and row steps.
    const PASSES: [(u32, u32, u32, u32); 7] = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ];
    let (width, height) = image.dimensions();
    let mut raw = Vec::new();
    for (x0, y0, dx, dy) in PASSES {
        // A pass with no columns or no rows has no rows in the stream at all.
        if x0 >= width || y0 >= height {
            continue;
        }
        for y in (y0..height).step_by(dy as usize) {
            raw.push(0); // filter type None
            for x in (x0..width).step_by(dx as usize) {
                raw.extend_from_slice(&image.get_pixel(x, y).0);
            }
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks = raw.chunks(usize::from(u16::MAX));
    let last = blocks.len() - 1;
    for (i, block) in blocks.enumerate() {
        zlib.push(u8::from(i == last)); // BFINAL, BTYPE 00 (stored)
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &raw {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 1]); // 8-bit RGB, Adam7
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The images side by side, four to a row in square cells with a white gap, as one PNG: a
/// photo of several codes (a structured-append sequence, say) for a decoder that finds them all.
pub fn contact_sheet(images: &[image::RgbaImage]) -> Vec<u8> {
    let cell = images
        .iter()
        .map(|i| i.width().max(i.height()))
        .max()
        .expect("at least one image")
        + 20;
    let cols = images.len().min(4) as u32;
    let rows = (images.len() as u32).div_ceil(cols);
    let mut sheet = image::RgbaImage::from_pixel(cols * cell, rows * cell, image::Rgba([255; 4]));
    for (i, img) in images.iter().enumerate() {
        let (x, y) = ((i as u32 % cols) * cell + 10, (i as u32 / cols) * cell + 10);
        image::imageops::overlay(&mut sheet, img, i64::from(x), i64::from(y));
    }
    let mut png = std::io::Cursor::new(Vec::new());
    sheet
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("encode the sheet");
    png.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_size_reads_back_from_the_header_with_valid_crcs() {
        let png = png_declaring(60_000, 7);
        let decoder = image::codecs::png::PngDecoder::new(std::io::Cursor::new(&png));
        // The header parses (the CRCs are checked); the data is what is missing.
        let dims = decoder.map(|d| image::ImageDecoder::dimensions(&d));
        assert!(
            matches!(dims, Ok((60_000, 7)) | Err(image::ImageError::Limits(_))),
            "{dims:?}"
        );
        assert_eq!(&png[png.len() - 4..], &0xAE42_6082u32.to_be_bytes());
    }

    #[test]
    fn an_interlaced_png_reads_back_pixel_for_pixel() {
        let rgb = image::RgbImage::from_fn(37, 21, |x, y| {
            image::Rgb([x as u8 * 6, y as u8 * 11, (x * y) as u8])
        });
        let png = interlaced_png(&rgb);
        assert_eq!(png[8 + 8 + 12], 1, "IHDR says Adam7");
        let back = image::load_from_memory(&png).expect("valid PNG").to_rgb8();
        assert_eq!(back, rgb);
    }

    #[test]
    fn the_icc_bomb_is_small_on_disk() {
        assert!(png_with_icc_profile(1 << 20).len() < 16 * 1024);
    }
}
