//! The raw-pixel input format of the `decode` fuzz target, shared with the seed maker.
//!
//! Two little-endian bytes give the width (1 to [`MAX_WIDTH`]); the rest are greyscale
//! pixels, row by row, the last partial row dropped. Raw pixels rather than an image
//! file, so the fuzzer's mutations reach the decoder instead of a PNG checksum.

use image::GrayImage;

/// Widest image the target builds: wide enough for a real photo crop, small enough that
/// one input runs in milliseconds.
pub const MAX_WIDTH: u32 = 1024;

/// The image an input describes, or `None` when it has no full row.
pub fn image_from(data: &[u8]) -> Option<GrayImage> {
    let (head, pixels) = data.split_first_chunk::<2>()?;
    let width = u32::from(u16::from_le_bytes(*head)) % MAX_WIDTH + 1;
    let height = u32::try_from(pixels.len()).ok()? / width;
    let used = usize::try_from(width * height).ok()?;
    GrayImage::from_raw(width, height, pixels[..used].to_vec()).filter(|_| height > 0)
}

/// The input that describes `image`.
pub fn input_for(image: &GrayImage) -> Vec<u8> {
    let width = u16::try_from(image.width() - 1).unwrap_or(u16::MAX);
    let mut data = width.to_le_bytes().to_vec();
    data.extend_from_slice(image.as_raw());
    data
}
