//! Uploaded image bytes to pixels, refusing oversized images before allocating them.

use std::io::Cursor;

use image::{DynamicImage, GenericImageView, GrayImage, ImageFormat, ImageReader, Limits};

use crate::{Code, Error, limits};
use grey::Layout;

mod grey;
mod png_rows;

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
    within_limits(width, height)?;
    let alloc_cap = u64::from(width) * u64::from(height) * limits::DECODE_ALLOC_BYTES_PER_PIXEL
        + limits::METADATA_ALLOC_BYTES;
    match decoder.format() {
        Some(ImageFormat::Png) => {
            return png_rows::grey(
                bytes,
                (width, height),
                usize::try_from(alloc_cap).unwrap_or(usize::MAX),
            );
        }
        Some(ImageFormat::Jpeg) => {
            if let Some(grey) = jpeg_luma(bytes)? {
                return Ok(grey);
            }
        }
        _ => {}
    }
    let mut caps = Limits::default();
    caps.max_image_width = Some(limits::MAX_IMAGE_SIDE);
    caps.max_image_height = Some(limits::MAX_IMAGE_SIDE);
    // For the size this image declares (already checked above), plus its metadata.
    caps.max_alloc = Some(alloc_cap);
    decoder.limits(caps);
    let image = decoder
        .decode()
        .map_err(|e| classify(&e, Some((width, height))))?;
    Ok(over_white(image))
}

/// `ImageTooLarge` unless `width` × `height` is within [`limits::MAX_IMAGE_SIDE`] and
/// [`limits::MAX_IMAGE_PIXELS`].
fn within_limits(width: u32, height: u32) -> Result<(), Error> {
    if width > limits::MAX_IMAGE_SIDE
        || height > limits::MAX_IMAGE_SIDE
        || u64::from(width) * u64::from(height) > limits::MAX_IMAGE_PIXELS
    {
        return Err(Error::ImageTooLarge { width, height });
    }
    Ok(())
}

/// A YCbCr or greyscale JPEG's luma plane as it is stored, or `None` for the colour spaces
/// whose grey is no stored plane (CMYK, YCCK, RGB JPEGs), which take the image crate's path.
///
/// The image crate decodes every JPEG to RGB (chroma IDCT, upsampling, colour conversion) and
/// [`over_white`] then weighs it back down to grey; asking zune-jpeg (the decoder `image` uses)
/// for luma instead skips all of the chroma work after entropy decoding: on a 12 Mpx 4:2:0
/// photo about half of the image decoding time natively and in wasm (figures in
/// crates/qr-core/README.md). The grey is therefore JPEG's Y (BT.601 weights, what libjpeg, so
/// Pillow's `convert("L")` and zxing-cpp's callers, get), not the image crate's BT.709 luma of
/// the RGB; the two differ by a few levels on saturated colours only.
///
/// The caller has checked the declared size; zune-jpeg checks its own reading of the frame
/// header against the same side limit, and it is checked again against the pixel limit here
/// before the only allocation that scales with the image beyond the decoder's own
/// (per-component coefficient rows, or planes for a progressive file, as on the RGB path).
/// Like the image crate's path, decoding is lenient (`strict_mode` off): a file cut short in
/// its entropy-coded data gives the pixels it holds, as cameras' and browsers' decoders do.
fn jpeg_luma(bytes: &[u8]) -> Result<Option<GrayImage>, Error> {
    use zune_jpeg::JpegDecoder;
    use zune_jpeg::zune_core::{
        bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions,
    };
    let side = limits::MAX_IMAGE_SIDE as usize;
    let options = DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(side)
        .set_max_height(side);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(jpeg_error)?;
    let luma_ok = match decoder.input_colorspace() {
        Some(ColorSpace::Luma) => true,
        Some(ColorSpace::YCbCr) => frame_sampling(bytes).is_some_and(luma_plane_sampling),
        _ => false,
    };
    if !luma_ok {
        return Ok(None);
    }
    let Some((width, height)) = decoder.dimensions() else {
        return Err(Error::CorruptImage("JPEG without a frame header".into()));
    };
    let (w, h) = (
        u32::try_from(width).unwrap_or(u32::MAX),
        u32::try_from(height).unwrap_or(u32::MAX),
    );
    within_limits(w, h)?;
    decoder.set_options(options.jpeg_set_out_colorspace(ColorSpace::Luma));
    let mut pixels = vec![0; width * height];
    decoder.decode_into(&mut pixels).map_err(jpeg_error)?;
    GrayImage::from_raw(w, h, pixels)
        .map(Some)
        .ok_or_else(|| Error::CorruptImage("JPEG luma plane of the wrong size".into()))
}

/// The YCbCr layouts whose luma plane zune-jpeg 0.5 returns right, as `(h, v)` sampling
/// factors of the Y component with Cb and Cr at 1 × 1: 4:4:4, 4:2:2 and 4:2:0, baseline and
/// progressive (the layouts cameras, phones and the common encoders write), checked pixel by
/// pixel in `jpeg_grey_is_the_bt601_luma_of_its_rgb`. Its luma output of a progressive 4:4:0
/// file (Y at 1 × 2) has rows out of place, so the others take the image crate's path.
fn luma_plane_sampling(luma: (u8, u8)) -> bool {
    matches!(luma, (1, 1) | (2, 1) | (2, 2))
}

/// The sampling factors `(h, v)` of a three-component JPEG's first component, from its frame
/// header, when the other two are at 1 × 1; `None` otherwise or when no frame header is found
/// before the first scan.
fn frame_sampling(bytes: &[u8]) -> Option<(u8, u8)> {
    let mut at = 2; // after SOI
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        match marker {
            // Fill bytes, and markers without a segment.
            0xFF => at += 1,
            0x01 | 0xD0..=0xD7 => at += 2,
            // Start of scan or end of image before any frame header.
            0xDA | 0xD9 => return None,
            // SOF0-SOF15, less DHT (C4), JPG (C8) and DAC (CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let frame = bytes.get(at + 4..)?;
                // precision, height, width, component count, then (id, h << 4 | v, table).
                if *frame.get(5)? != 3 {
                    return None;
                }
                let factor = |c: usize| frame.get(6 + 3 * c + 1).map(|f| (f >> 4, f & 15));
                return (factor(1)? == (1, 1) && factor(2)? == (1, 1)).then_some(factor(0)?);
            }
            _ => {
                let len = u16::from_be_bytes([*bytes.get(at + 2)?, *bytes.get(at + 3)?]);
                at += 2 + usize::from(len);
            }
        }
    }
}

/// zune-jpeg's errors as ours, as the image crate maps them for its own JPEG path.
fn jpeg_error(e: zune_jpeg::errors::DecodeErrors) -> Error {
    match e {
        zune_jpeg::errors::DecodeErrors::Unsupported(_) => Error::UnsupportedImage,
        other => Error::CorruptImage(other.to_string()),
    }
}

/// Greyscale of a decoded GIF, BMP or WebP (or a JPEG without a luma plane) as it looks on a
/// white page, by [`grey::row_over_white`]. Transparent GIF indices and WebP alpha arrive here
/// as an alpha channel.
fn over_white(image: DynamicImage) -> GrayImage {
    let (width, height) = image.dimensions();
    // The image crate gives these formats 8 bits a sample; anything wider is brought to 8-bit
    // RGBA first.
    let (layout, samples) = match image {
        DynamicImage::ImageLuma8(grey) => return grey,
        DynamicImage::ImageLumaA8(b) => (Layout::GreyAlpha, b.into_raw()),
        DynamicImage::ImageRgb8(b) => (Layout::Rgb, b.into_raw()),
        DynamicImage::ImageRgba8(b) => (Layout::Rgba, b.into_raw()),
        other => (Layout::Rgba, other.into_rgba8().into_raw()),
    };
    grey::frame_over_white(layout, &samples, width, height)
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
    use qr_test_images::{interlaced_png, png_declaring, png_with_icc_profile};

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

    /// A code in colour as the PNG layouts that take their own path through the row decoder
    /// (interlaced, 16 bits a sample, palette) gives the grey of the plain 8-bit RGB file.
    #[test]
    fn every_png_layout_of_one_colour_image_gives_the_same_grey() {
        const TEXT: &str = "https://example.com/interlaced";
        let code = image::load_from_memory(&generate(&GenerateOptions::new(TEXT)).unwrap().bytes)
            .unwrap()
            .to_luma8();
        // Dark blue on pale yellow.
        let rgb = image::RgbImage::from_fn(code.width(), code.height(), |x, y| {
            if code.get_pixel(x, y).0[0] < 128 {
                image::Rgb([20, 30, 110])
            } else {
                image::Rgb([250, 240, 190])
            }
        });
        let plain = encoded(
            DynamicImage::ImageRgb8(rgb.clone()),
            image::ImageFormat::Png,
        );
        let grey = load_image(&plain).expect("8-bit RGB PNG");
        let palette = {
            let mut out = Vec::new();
            let mut encoder = png::Encoder::new(&mut out, rgb.width(), rgb.height());
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_palette(vec![20, 30, 110, 250, 240, 190]);
            let indices: Vec<u8> = rgb.pixels().map(|p| u8::from(p.0[0] == 250)).collect();
            let mut writer = encoder.write_header().unwrap();
            writer.write_image_data(&indices).unwrap();
            writer.finish().unwrap();
            out
        };
        for (name, file) in [
            ("interlaced", interlaced_png(&rgb)),
            (
                "16-bit",
                encoded(
                    DynamicImage::ImageRgb8(rgb.clone()).to_rgb16().into(),
                    image::ImageFormat::Png,
                ),
            ),
            ("palette", palette),
        ] {
            let other = load_image(&file).expect(name);
            let differing = other.pixels().zip(grey.pixels()).filter(|(a, b)| a != b);
            assert_eq!(other.dimensions(), grey.dimensions(), "{name}");
            assert_eq!(differing.count(), 0, "{name}: pixels whose grey differs");
        }
        let texts: Vec<_> = decode(&interlaced_png(&rgb))
            .unwrap()
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(texts, [Some(TEXT.to_owned())]);
    }

    /// Palette PNGs of every bit depth and 1/2/4-bit greyscale PNGs, which go through a
    /// table of greys instead of an expansion to RGB(A), give exactly the image crate's
    /// pixels over white: with and without `tRNS`, with indices past a short palette (opaque
    /// black), with a `tRNS` longer than the palette (ignored), and rows whose last byte is
    /// partly padding (37 pixels).
    #[test]
    fn packed_png_rows_give_the_image_crates_pixels_over_white() {
        let (width, height) = (37, 23);
        let mut state = 0x2545_f491_u32;
        let mut next = move || {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        };
        let palette: Vec<u8> = (0..200 * 3).map(|_| next()).collect();
        let mut cases = Vec::new();
        for depth in [
            png::BitDepth::One,
            png::BitDepth::Two,
            png::BitDepth::Four,
            png::BitDepth::Eight,
        ] {
            let bits = depth as u8;
            let entries = (1usize << bits).min(200);
            // Short palettes leave the top index past the end; at 8 bits the 200 colours leave
            // indices 200-255 past it, the short palette 199-255.
            let short = (entries - 1).max(1);
            for (name, colours, trns) in [
                ("palette", entries, None),
                ("short palette", short, None),
                (
                    "palette, tRNS",
                    entries,
                    Some((0..entries).map(|_| next()).collect::<Vec<u8>>()),
                ),
                ("palette, tRNS over-long", short, Some(vec![0; short + 1])),
            ] {
                let setup = |encoder: &mut png::Encoder<'_, &mut Vec<u8>>| {
                    encoder.set_color(png::ColorType::Indexed);
                    encoder.set_palette(palette[..3 * colours].to_vec());
                    if let Some(trns) = &trns {
                        encoder.set_trns(trns.clone());
                    }
                };
                cases.push((
                    format!("{name}, {bits} bits"),
                    packed_png(width, height, depth, &mut next, setup),
                ));
            }
            if bits < 8 {
                for (name, trns) in [
                    ("grey", None),
                    ("grey, tRNS", Some(vec![0, (1u8 << bits) - 2])),
                ] {
                    let setup = |encoder: &mut png::Encoder<'_, &mut Vec<u8>>| {
                        encoder.set_color(png::ColorType::Grayscale);
                        if let Some(trns) = &trns {
                            encoder.set_trns(trns.clone());
                        }
                    };
                    cases.push((
                        format!("{name}, {bits} bits"),
                        packed_png(width, height, depth, &mut next, setup),
                    ));
                }
            }
        }
        for (name, file) in cases {
            let expected = over_white(image::load_from_memory(&file).expect(&name));
            let grey = load_image(&file).expect(&name);
            assert_eq!(grey.dimensions(), (width, height), "{name}");
            assert_eq!(grey.as_raw(), expected.as_raw(), "{name}");
        }
    }

    /// A `width` × `height` PNG of `depth`-bit samples drawn from `next`, its colour type and
    /// chunks set by `setup`.
    fn packed_png(
        width: u32,
        height: u32,
        depth: png::BitDepth,
        next: &mut impl FnMut() -> u8,
        setup: impl Fn(&mut png::Encoder<'_, &mut Vec<u8>>),
    ) -> Vec<u8> {
        let line = (width as usize * depth as usize).div_ceil(8);
        let data: Vec<u8> = (0..line * height as usize).map(|_| next()).collect();
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_depth(depth);
        setup(&mut encoder);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&data).unwrap();
        writer.finish().unwrap();
        out
    }

    /// Checksums are not what decides: a PNG whose chunk CRCs and zlib Adler-32 are all wrong
    /// still gives its pixels, and its code reads.
    #[test]
    fn a_png_with_wrong_checksums_still_reads() {
        const TEXT: &str = "https://example.com/crc";
        let mut png = generate(&GenerateOptions::new(TEXT)).unwrap().bytes;
        let (mut at, mut last_idat_crc) = (8, None);
        while at + 12 <= png.len() {
            let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            let crc = at + 8 + len;
            if &png[at + 4..at + 8] == b"IDAT" {
                last_idat_crc = Some(crc);
            }
            png[crc] ^= 0xFF;
            at = crc + 4;
        }
        // The last byte of zlib's Adler-32 ends the last IDAT's data.
        png[last_idat_crc.unwrap() - 1] ^= 0xFF;
        assert!(image::load_from_memory(&png).is_err(), "checked, it fails");
        let texts: Vec<_> = decode(&png).unwrap().into_iter().map(|c| c.text).collect();
        assert_eq!(texts, [Some(TEXT.to_owned())]);
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

    /// `pixels` (`width × height` of `color`) as a JPEG at quality 90 with the given chroma
    /// subsampling, progressive or baseline, and restart interval (0: none).
    fn jpeg(
        pixels: &[u8],
        (width, height): (u32, u32),
        color: jpeg_encoder::ColorType,
        sampling: jpeg_encoder::SamplingFactor,
        progressive: bool,
        restart: u16,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
        encoder.set_sampling_factor(sampling);
        encoder.set_progressive(progressive);
        if restart > 0 {
            encoder.set_restart_interval(restart);
        }
        encoder
            .encode(pixels, width as u16, height as u16, color)
            .expect("encodable");
        out
    }

    /// The kinds of JPEG a phone, a scanner or an editor writes: every one reads back.
    /// The YCbCr and greyscale ones take [`jpeg_luma`], CMYK and YCCK the image crate's path.
    #[test]
    fn jpeg_variants_read_back() {
        use jpeg_encoder::{ColorType as C, SamplingFactor as S};
        const TEXT: &str = "https://example.com/jpeg/variants";
        let png = generate(&GenerateOptions {
            scale: 5,
            ..GenerateOptions::new(TEXT)
        })
        .unwrap()
        .bytes;
        let rgb = image::load_from_memory(&png).unwrap().to_rgb8();
        // One column and row off, so no side is a whole number of MCUs.
        let rgb =
            image::imageops::crop_imm(&rgb, 0, 0, rgb.width() - 1, rgb.height() - 3).to_image();
        let size = rgb.dimensions();
        let grey = DynamicImage::ImageRgb8(rgb.clone()).into_luma8();
        let cmyk: Vec<u8> = rgb
            .pixels()
            .flat_map(|p| {
                let k = 255 - p.0.iter().max().unwrap();
                [0, 0, 0, k]
            })
            .collect();
        /// Name, pixels, their colour type, subsampling, progressive, restart interval.
        type Case<'a> = (&'a str, &'a [u8], C, S, bool, u16);
        let cases: [Case; 11] = [
            ("ycbcr 4:2:0 baseline", &rgb, C::Rgb, S::R_4_2_0, false, 0),
            ("ycbcr 4:4:4 baseline", &rgb, C::Rgb, S::R_4_4_4, false, 0),
            ("ycbcr 4:2:2 baseline", &rgb, C::Rgb, S::R_4_2_2, false, 0),
            ("ycbcr 4:4:0 baseline", &rgb, C::Rgb, S::R_4_4_0, false, 0),
            ("ycbcr 4:2:0 progressive", &rgb, C::Rgb, S::R_4_2_0, true, 0),
            ("ycbcr 4:4:4 progressive", &rgb, C::Rgb, S::R_4_4_4, true, 0),
            (
                "ycbcr 4:2:0 restart markers",
                &rgb,
                C::Rgb,
                S::R_4_2_0,
                false,
                3,
            ),
            ("grey baseline", &grey, C::Luma, S::R_4_4_4, false, 0),
            (
                "grey progressive, restart markers",
                &grey,
                C::Luma,
                S::R_4_4_4,
                true,
                2,
            ),
            ("cmyk (Adobe)", &cmyk, C::Cmyk, S::R_4_4_4, false, 0),
            ("ycck (Adobe)", &cmyk, C::CmykAsYcck, S::R_4_2_0, false, 0),
        ];
        for (name, pixels, color, sampling, progressive, restart) in cases {
            let file = jpeg(pixels, size, color, sampling, progressive, restart);
            let loaded = load_image(&file).expect(name);
            assert_eq!(loaded.dimensions(), size, "{name}");
            // Quiet zone white, the first dark module dark.
            assert!(loaded.get_pixel(2, 2).0[0] > 235, "{name}: quiet zone");
            assert!(loaded.get_pixel(22, 22).0[0] < 20, "{name}: finder");
            let texts: Vec<_> = decode(&file)
                .expect(name)
                .into_iter()
                .map(|c| c.text)
                .collect();
            assert_eq!(texts, [Some(TEXT.to_owned())], "{name}");
        }
    }

    /// The grey of a colour JPEG is its Y plane: BT.601 weights of the RGB it encodes, within
    /// rounding, at every pixel (a row or column out of place in the upsampling-free path
    /// would show here), not the image crate's BT.709 luma, which the layouts outside
    /// [`luma_plane_sampling`] still get through the image crate's path.
    #[test]
    fn jpeg_grey_is_the_bt601_luma_of_its_rgb() {
        use jpeg_encoder::{ColorType as C, SamplingFactor as S};
        let size = (53, 37);
        // A smooth colour field inside the gamut, so no RGB value the decoder rebuilds clamps.
        let field = image::RgbImage::from_fn(size.0, size.1, |x, y| {
            image::Rgb([(60 + x * 2) as u8, (70 + y * 3) as u8, (180 - x - y) as u8])
        });
        let mut bad = Vec::new();
        for (sampling, luma_plane) in [
            (S::R_4_2_0, true),
            (S::R_4_4_4, true),
            (S::R_4_2_2, true),
            (S::R_4_4_0, false),
            (S::R_4_1_1, false),
        ] {
            for progressive in [false, true] {
                let file = jpeg(&field, size, C::Rgb, sampling, progressive, 0);
                let grey = load_image(&file).unwrap();
                // What the file's RGB decodes to, through the image crate.
                let rgb = image::load_from_memory(&file).unwrap().to_rgb8();
                let weights = if luma_plane {
                    [0.299, 0.587, 0.114]
                } else {
                    [0.2126, 0.7152, 0.0722]
                };
                for (x, y, p) in rgb.enumerate_pixels() {
                    let want: f32 =
                        p.0.iter()
                            .zip(weights)
                            .map(|(&v, w)| f32::from(v) * w)
                            .sum();
                    let got = f32::from(grey.get_pixel(x, y).0[0]);
                    if (got - want).abs() > 2.0 {
                        bad.push(format!(
                            "{sampling:?} progressive {progressive} at ({x}, {y}): {got}, not {want}"
                        ));
                        break;
                    }
                }
            }
        }
        assert!(bad.is_empty(), "{bad:#?}");
        // Flat saturated red: BT.601 gives 88, BT.709 would give 74.
        let red: Vec<u8> = [200u8, 40, 40].repeat(32 * 32);
        let file = jpeg(&red, (32, 32), C::Rgb, S::R_4_2_0, false, 0);
        let grey = load_image(&file).unwrap();
        assert!(
            grey.pixels().all(|p| p.0[0].abs_diff(88) <= 2),
            "{:?}",
            grey.get_pixel(16, 16)
        );
        // Flat mid grey through 4:2:0 stays the grey it was.
        let mid = vec![128u8; 24 * 3 * 40];
        let file = jpeg(&mid, (24, 40), C::Rgb, S::R_4_2_0, true, 0);
        let grey = load_image(&file).unwrap();
        assert!(grey.pixels().all(|p| p.0[0].abs_diff(128) <= 2));
    }

    /// `file` with its baseline frame header's height and width replaced.
    fn jpeg_declaring(mut file: Vec<u8>, width: u16, height: u16) -> Vec<u8> {
        let sof = file
            .windows(2)
            .position(|m| m == [0xFF, 0xC0])
            .expect("a baseline frame header");
        file[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
        file[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
        file
    }

    #[test]
    fn jpeg_limits_and_damage_keep_their_error_kinds() {
        use jpeg_encoder::{ColorType as C, SamplingFactor as S};
        let small = jpeg(&[90u8; 16 * 16 * 3], (16, 16), C::Rgb, S::R_4_2_0, false, 0);
        // Over MAX_IMAGE_PIXELS by its header alone: refused before decoding.
        let side = limits::MAX_IMAGE_SIDE as u16;
        let rows = (limits::MAX_IMAGE_PIXELS / u64::from(side)) as u16;
        assert_eq!(
            load_image(&jpeg_declaring(small.clone(), side, rows + 1)),
            Err(Error::ImageTooLarge {
                width: side.into(),
                height: u32::from(rows) + 1
            })
        );
        assert!(matches!(
            load_image(&jpeg_declaring(small.clone(), side + 1, 1)),
            Err(Error::ImageTooLarge { .. })
        ));
        // Just inside: decoded (leniently, the data runs out) or refused as corrupt, never
        // as too large.
        let inside = load_image(&jpeg_declaring(small.clone(), side, rows));
        assert!(
            matches!(&inside, Ok(g) if g.dimensions() == (side.into(), rows.into()))
                || matches!(inside, Err(Error::CorruptImage(_))),
            "{inside:?}"
        );
        // Cut inside its headers: corrupt.
        for cut in [4, 40, small.len() / 3] {
            assert!(
                matches!(load_image(&small[..cut]), Err(Error::CorruptImage(_))),
                "cut at {cut}: {:?}",
                load_image(&small[..cut])
            );
        }
        // A frame header of zero width: corrupt, no panic.
        assert!(matches!(
            load_image(&jpeg_declaring(small, 0, 16)),
            Err(Error::CorruptImage(_) | Error::ImageTooLarge { .. })
        ));
    }
}
