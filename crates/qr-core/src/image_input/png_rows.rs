//! PNG to grey row by row, as the file inflates.
//!
//! The image crate decodes a whole PNG into an RGB(A) buffer (palette files expanded to it)
//! before anything converts it to grey: three or four bytes a pixel written, then read again.
//! Here each row goes to grey as soon as it is unfiltered, so the guest holds the grey image
//! and one row of colour, whatever the file's colour type: a 12 Mpx RGBA screenshot needs
//! 12 MB of pixels instead of 60. Interlaced files arrive pass by pass, so they are
//! deinterlaced into a whole frame first, as the image crate does.

use std::io::Cursor;

use image::GrayImage;

use super::grey::{Layout, frame_over_white, row_over_white};
use super::within_limits;
use crate::Error;

/// Decodes a PNG that declares `declared` (width, height; already within the limits) to grey
/// over white. `alloc_cap` bounds what the decoder allocates beyond the grey image: row
/// buffers, inflate state and the chunks it keeps.
pub(super) fn grey(
    bytes: &[u8],
    declared: (u32, u32),
    alloc_cap: usize,
) -> Result<GrayImage, Error> {
    let png_error = |e| png_error(e, declared);
    let mut decoder =
        png::Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: alloc_cap });
    // Nothing here reads text or colour profiles: skipping them means a compressed `zTXt`,
    // `iTXt` or `iCCP` chunk is never inflated, however large it claims to be.
    decoder.set_ignore_text_chunk(true);
    decoder.set_ignore_iccp_chunk(true);
    // Chunk CRCs and zlib's Adler-32 are not verified: a damaged file yields the pixels it
    // holds (as a JPEG's damaged scan data does), and a code's own error correction decides
    // whether what it holds still reads. The CRC alone took 0.2 ms of a 640 × 480 RGB PNG's
    // 4.5 ms in wasm, which has no carry-less multiply to compute it with.
    decoder.ignore_checksums(true);
    // Palettes and low bit depths expanded to 8 bits a sample, `tRNS` to an alpha channel,
    // 16-bit samples to their high byte: one grey conversion serves every colour type.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(png_error)?;
    let layout = match reader.output_color_type().0 {
        png::ColorType::Grayscale => Layout::Grey,
        png::ColorType::GrayscaleAlpha => Layout::GreyAlpha,
        png::ColorType::Rgb => Layout::Rgb,
        png::ColorType::Rgba => Layout::Rgba,
        // EXPAND turns every palette into RGB or RGBA.
        png::ColorType::Indexed => return Err(Error::UnsupportedImage),
    };
    let info = reader.info();
    let (width, height) = (info.width, info.height);
    // The same header the caller checked, read again by the decoder: checked again before
    // the allocation it sizes.
    within_limits(width, height)?;
    if info.interlaced {
        let size = reader.output_buffer_size();
        let mut frame = vec![0; size.ok_or(Error::ImageTooLarge { width, height })?];
        reader.next_frame(&mut frame).map_err(png_error)?;
        return Ok(frame_over_white(layout, &frame, width, height));
    }
    let (columns, rows) = (width as usize, height as usize);
    let mut grey = vec![0; columns * rows];
    let mut row = vec![0; columns * layout.channels()];
    for out in grey.chunks_exact_mut(columns) {
        if reader.read_row(&mut row).map_err(png_error)?.is_none() {
            return Err(Error::CorruptImage("PNG ends before its last row".into()));
        }
        row_over_white(layout, &row, out);
    }
    GrayImage::from_raw(width, height, grey)
        .ok_or_else(|| Error::CorruptImage("PNG grey of the wrong size".into()))
}

/// The png crate's errors as ours, as the image crate's path reported them: a file that needs
/// more memory than its `declared` size allows is too large, anything else is damaged.
fn png_error(e: png::DecodingError, (width, height): (u32, u32)) -> Error {
    match e {
        png::DecodingError::LimitsExceeded => Error::ImageTooLarge { width, height },
        other => Error::CorruptImage(other.to_string()),
    }
}
