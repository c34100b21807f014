//! Uploaded image bytes to pixels, refusing oversized images before allocating them.

use std::io::Cursor;

use image::{DynamicImage, GenericImageView, GrayImage, ImageReader, Limits, Pixel};

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
        return Err(Error::EmptyImage);
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
    // For the size this image declares (already checked above), plus its metadata.
    caps.max_alloc = Some(
        u64::from(width) * u64::from(height) * limits::DECODE_ALLOC_BYTES_PER_PIXEL
            + limits::METADATA_ALLOC_BYTES,
    );
    decoder.limits(caps);
    let image = decoder
        .decode()
        .map_err(|e| classify(&e, Some((width, height))))?;
    Ok(over_white(image))
}

/// Greyscale of `image` as it looks on a white page: transparent pixels show white whatever
/// colour they store.
///
/// Image viewers, browsers and a phone pointed at a screen all show transparency over a light
/// background, and codes with a transparent background are common (logos, stickers). Taking
/// the stored colour instead makes a symbol whose light modules are "transparent black" read
/// as all dark. PNG `tRNS` and palette transparency arrive here as an alpha channel, as do
/// transparent GIF indices and WebP alpha.
fn over_white(image: DynamicImage) -> GrayImage {
    /// `luma` and `alpha` in 0..=1 to an 8-bit grey composited over white.
    fn blend(luma: f32, alpha: f32) -> image::Luma<u8> {
        image::Luma([((luma * alpha + (1.0 - alpha)) * 255.0)
            .round()
            .clamp(0.0, 255.0) as u8])
    }
    let unit8 = |v: u8| f32::from(v) / 255.0;
    let unit16 = |v: u16| f32::from(v) / 65535.0;
    let (w, h) = image.dimensions();
    match &image {
        DynamicImage::ImageLumaA8(b) => GrayImage::from_fn(w, h, |x, y| {
            let [l, a] = b.get_pixel(x, y).0;
            blend(unit8(l), unit8(a))
        }),
        DynamicImage::ImageRgba8(b) => GrayImage::from_fn(w, h, |x, y| {
            let [l, a] = b.get_pixel(x, y).to_luma_alpha().0;
            blend(unit8(l), unit8(a))
        }),
        DynamicImage::ImageLumaA16(b) => GrayImage::from_fn(w, h, |x, y| {
            let [l, a] = b.get_pixel(x, y).0;
            blend(unit16(l), unit16(a))
        }),
        DynamicImage::ImageRgba16(b) => GrayImage::from_fn(w, h, |x, y| {
            let [l, a] = b.get_pixel(x, y).to_luma_alpha().0;
            blend(unit16(l), unit16(a))
        }),
        DynamicImage::ImageRgba32F(b) => GrayImage::from_fn(w, h, |x, y| {
            let [l, a] = b.get_pixel(x, y).to_luma_alpha().0;
            blend(l.clamp(0.0, 1.0), a.clamp(0.0, 1.0))
        }),
        _ => image.into_luma8(),
    }
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
    use qr_test_images::{png_declaring, png_with_icc_profile};

    #[test]
    fn an_icc_profile_that_inflates_past_the_metadata_allowance_is_dropped_not_kept() {
        // A few KiB of file, 64 MiB of profile. The decoder gives up on the profile at the
        // allocation cap (the image's own buffers plus METADATA_ALLOC_BYTES) and reads the
        // pixels; the end-to-end cost in guest memory is checked in tests/tests/all/host_hostile.rs.
        let bomb = png_with_icc_profile(64 * 1024 * 1024);
        assert!(bomb.len() < 256 * 1024, "{} bytes", bomb.len());
        let image = load_image(&bomb).expect("pixels load without the profile");
        assert_eq!(image.dimensions(), (8, 8));
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

    /// Encodes `image` in `format` with the image crate's own encoders.
    fn encoded(image: DynamicImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).expect("encodable");
        out.into_inner()
    }

    /// A GIF of `rgba`'s two colours, with the transparent one as the transparent index and
    /// its RGB stored in the palette, as GIF keeps it.
    fn gif_of(rgba: &image::RgbaImage) -> Vec<u8> {
        let mut palette = Vec::new();
        let mut transparent = None;
        let indices: Vec<u8> = rgba
            .pixels()
            .map(|p| {
                let at = palette
                    .chunks(4)
                    .position(|c: &[u8]| c == p.0)
                    .unwrap_or_else(|| {
                        palette.extend_from_slice(&p.0);
                        palette.len() / 4 - 1
                    });
                if p.0[3] == 0 {
                    transparent = Some(at as u8);
                }
                at as u8
            })
            .collect();
        let rgb: Vec<u8> = palette.chunks(4).flat_map(|c| c[..3].to_vec()).collect();
        let (w, h) = (rgba.width() as u16, rgba.height() as u16);
        let mut out = Vec::new();
        {
            let mut encoder = gif::Encoder::new(&mut out, w, h, &rgb).expect("gif header");
            let mut frame = gif::Frame::from_indexed_pixels(w, h, indices, transparent);
            frame.palette = None;
            encoder.write_frame(&frame).expect("gif frame");
        }
        out
    }

    /// Light modules and quiet zone fully transparent over RGB `under` (black or white),
    /// dark modules opaque black, in every format with transparency: all read as on white.
    #[test]
    fn transparent_pixels_read_as_white_whatever_colour_they_store() {
        use image::ImageFormat::{Png, WebP};
        const TEXT: &str = "https://example.com/alpha";
        for under in [0u8, 255] {
            let opts = GenerateOptions {
                scale: 4,
                bg: crate::Rgba([under, under, under, 0]),
                ..GenerateOptions::new(TEXT)
            };
            // qr-encode writes a 1-bit palette with a tRNS chunk for these colours.
            let trns = generate(&opts).expect("transparent PNG").bytes;
            let rgba = image::load_from_memory(&trns).expect("our PNG").to_rgba8();
            let rgba16 = DynamicImage::ImageRgba8(rgba.clone()).to_rgba16();
            let la = DynamicImage::ImageRgba8(rgba.clone()).to_luma_alpha8();
            let la16 = DynamicImage::ImageRgba8(rgba.clone()).to_luma_alpha16();
            let files = [
                ("png palette + tRNS", trns),
                (
                    "png rgba8",
                    encoded(DynamicImage::ImageRgba8(rgba.clone()), Png),
                ),
                (
                    "png rgba16",
                    encoded(DynamicImage::ImageRgba16(rgba16), Png),
                ),
                (
                    "png grey+alpha 8",
                    encoded(DynamicImage::ImageLumaA8(la), Png),
                ),
                (
                    "png grey+alpha 16",
                    encoded(DynamicImage::ImageLumaA16(la16), Png),
                ),
                ("gif", gif_of(&rgba)),
                (
                    "webp lossless",
                    encoded(DynamicImage::ImageRgba8(rgba.clone()), WebP),
                ),
            ];
            for (name, bytes) in files {
                // The file really stores `under` beneath the transparent corner pixel.
                let stored = image::load_from_memory(&bytes).expect(name).to_rgba8();
                assert_eq!(
                    stored.get_pixel(0, 0).0,
                    [under, under, under, 0],
                    "{name} keeps the stored colour"
                );
                let grey = load_image(&bytes).expect(name);
                assert_eq!(grey.get_pixel(0, 0).0, [255], "{name} over {under}: corner");
                let texts: Vec<_> = decode(&bytes)
                    .expect(name)
                    .into_iter()
                    .map(|c| c.text)
                    .collect();
                assert_eq!(texts, [Some(TEXT.to_owned())], "{name} over {under}");
            }
        }
    }

    #[test]
    fn half_transparent_black_is_mid_grey() {
        let la = image::GrayAlphaImage::from_pixel(2, 1, image::LumaA([0, 128]));
        let png = encoded(DynamicImage::ImageLumaA8(la), image::ImageFormat::Png);
        assert_eq!(
            load_image(&png).expect("grey+alpha PNG").get_pixel(0, 0).0,
            [127]
        );
    }

    #[test]
    fn non_images_and_empty_bodies_are_told_apart() {
        assert_eq!(load_image(b""), Err(Error::EmptyImage));
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
