//! PNG to grey row by row, as the file inflates.
//!
//! The image crate decodes a whole PNG into an RGB(A) buffer (palette files expanded to it)
//! before anything converts it to grey: three or four bytes a pixel written, then read again.
//! Here each row goes to grey as soon as it is unfiltered, so the guest holds the grey image
//! and one row of colour, whatever the file's colour type: a 12 Mpx RGBA screenshot needs
//! 12 MB of pixels instead of 60. Interlaced files arrive pass by pass, so they are
//! deinterlaced into a whole frame first, as the image crate does.
//!
//! Palette images and greyscale of 1, 2 or 4 bits a pixel (what QR generators and screenshot
//! tools write most: two or a few colours) skip the expansion to RGB(A) altogether: their
//! rows are read packed, as stored, and each index or level goes through a table of at most
//! 256 greys made once per image by the same [`row_over_white`] as every other pixel, so the
//! grey is the same to the bit. On the corpus's 500 × 500 2-bit palette PNGs the png crate's
//! palette expansion and the RGB to grey conversion after it were 60% of the decoding in
//! wasm.

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
    let header = decoder.read_header_info().map_err(png_error)?;
    let packed = !header.interlaced
        && match header.color_type {
            png::ColorType::Indexed => true,
            png::ColorType::Grayscale => (header.bit_depth as u8) < 8,
            _ => false,
        };
    // Packed rows as stored for the table; otherwise palettes and low bit depths expanded to
    // 8 bits a sample, `tRNS` to an alpha channel, 16-bit samples to their high byte: one
    // grey conversion serves every colour type.
    decoder.set_transformations(if packed {
        png::Transformations::IDENTITY
    } else {
        png::Transformations::normalize_to_color8()
    });
    let mut reader = decoder.read_info().map_err(png_error)?;
    let info = reader.info();
    let (width, height) = (info.width, info.height);
    // The same header the caller checked, read again by the decoder: checked again before
    // the allocations it sizes.
    within_limits(width, height)?;
    if packed {
        let depth = info.bit_depth as u8;
        let table = match info.color_type {
            png::ColorType::Indexed => palette_greys(info)?,
            _ => level_greys(info, depth),
        };
        let line = reader
            .output_line_size(width)
            .ok_or(Error::ImageTooLarge { width, height })?;
        return rows_to_grey(&mut reader, line, declared, |row, out| {
            unpack(depth, row, &table, out)
        });
    }
    let layout = match reader.output_color_type().0 {
        png::ColorType::Grayscale => Layout::Grey,
        png::ColorType::GrayscaleAlpha => Layout::GreyAlpha,
        png::ColorType::Rgb => Layout::Rgb,
        png::ColorType::Rgba => Layout::Rgba,
        // EXPAND turns every palette into RGB or RGBA.
        png::ColorType::Indexed => return Err(Error::UnsupportedImage),
    };
    if reader.info().interlaced {
        let size = reader.output_buffer_size();
        let mut frame = vec![0; size.ok_or(Error::ImageTooLarge { width, height })?];
        reader.next_frame(&mut frame).map_err(png_error)?;
        return Ok(frame_over_white(layout, &frame, width, height));
    }
    let line = width as usize * layout.channels();
    rows_to_grey(&mut reader, line, declared, |row, out| {
        row_over_white(layout, row, out)
    })
}

/// The grey image of a non-interlaced PNG: each row of `line` bytes, as `reader` gives it,
/// turned into a row of grey by `to_grey` (a palette or low-depth file's packed indices
/// through its table, anything else its 8-bit samples through [`row_over_white`]).
fn rows_to_grey(
    reader: &mut png::Reader<Cursor<&[u8]>>,
    line: usize,
    declared: (u32, u32),
    mut to_grey: impl FnMut(&[u8], &mut [u8]),
) -> Result<GrayImage, Error> {
    let (width, height) = (reader.info().width, reader.info().height);
    let mut grey = vec![0; width as usize * height as usize];
    let mut row = vec![0; line];
    for out in grey.chunks_exact_mut(width as usize) {
        if reader
            .read_row(&mut row)
            .map_err(|e| png_error(e, declared))?
            .is_none()
        {
            return Err(Error::CorruptImage("PNG ends before its last row".into()));
        }
        to_grey(&row, out);
    }
    GrayImage::from_raw(width, height, grey)
        .ok_or_else(|| Error::CorruptImage("PNG grey of the wrong size".into()))
}

/// The grey of each palette index over white, read as the png crate expands a palette: an
/// index past the palette's end is opaque black, and a `tRNS` with more entries than the
/// palette is ignored.
fn palette_greys(info: &png::Info<'_>) -> Result<[u8; 256], Error> {
    let palette = info
        .palette
        .as_deref()
        .ok_or_else(|| Error::CorruptImage("PNG palette image without a palette".into()))?;
    let alphas = info
        .trns
        .as_deref()
        .filter(|t| t.len() <= palette.len() / 3)
        .unwrap_or(&[]);
    let mut rgba = [0u8; 256 * 4];
    for (i, entry) in rgba.chunks_exact_mut(4).enumerate() {
        let rgb = palette.get(3 * i..3 * i + 3).unwrap_or(&[0, 0, 0]);
        entry[..3].copy_from_slice(rgb);
        entry[3] = alphas.get(i).copied().unwrap_or(u8::MAX);
    }
    let mut greys = [0; 256];
    row_over_white(Layout::Rgba, &rgba, &mut greys);
    Ok(greys)
}

/// The grey of each level of a 1, 2 or 4-bit greyscale PNG over white, read as the png crate
/// expands one: levels scaled to 0-255, and the level a `tRNS` names transparent.
fn level_greys(info: &png::Info<'_>, depth: u8) -> [u8; 256] {
    let top = (1u8 << depth) - 1;
    let transparent = info.trns.as_deref().and_then(|t| t.first().copied());
    let mut pairs = [0u8; 2 * 16];
    for (level, pair) in (0..=top).zip(pairs.chunks_exact_mut(2)) {
        pair[0] = level * (u8::MAX / top);
        pair[1] = if transparent == Some(level) {
            0
        } else {
            u8::MAX
        };
    }
    let mut greys = [0; 256];
    let levels = usize::from(top) + 1;
    row_over_white(
        Layout::GreyAlpha,
        &pairs[..2 * levels],
        &mut greys[..levels],
    );
    greys
}

/// One row of `depth`-bit indices or levels, most significant bits first, through `table`.
fn unpack(depth: u8, row: &[u8], table: &[u8; 256], out: &mut [u8]) {
    if depth == 8 {
        for (grey, &index) in out.iter_mut().zip(row) {
            *grey = table[usize::from(index)];
        }
        return;
    }
    let per_byte = usize::from(8 / depth);
    let mask = (1u8 << depth) - 1;
    for (greys, &byte) in out.chunks_mut(per_byte).zip(row) {
        for (k, grey) in greys.iter_mut().enumerate() {
            let shift = 8 - usize::from(depth) * (k + 1);
            *grey = table[usize::from((byte >> shift) & mask)];
        }
    }
}

/// The png crate's errors as ours, as the image crate's path reported them: a file that needs
/// more memory than its `declared` size allows is too large, anything else is damaged.
fn png_error(e: png::DecodingError, (width, height): (u32, u32)) -> Error {
    match e {
        png::DecodingError::LimitsExceeded => Error::ImageTooLarge { width, height },
        other => Error::CorruptImage(other.to_string()),
    }
}
