//! Writes fuzz seeds into the directory named first, from the images named after it: each
//! image shrunk to at most `MAX_SIDE` pixels a side, once in the raw-pixel input format and
//! once as a file in each format the service reads (PNG grey and RGBA with transparent
//! light pixels, JPEG, GIF, BMP, WebP). Real codes as seeds let the fuzzer start from inputs
//! that reach the sampler and the error correction, and from well-formed files of every
//! format, instead of random noise.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageFormat};

/// Larger seeds make every fuzz iteration slower without reaching new code.
const MAX_SIDE: u32 = 160;

/// Only every `FILE_EVERY`-th image is also written as files: six files per image would
/// make the seed corpus (replayed first, before any mutation) take most of a 60 s run.
const FILE_EVERY: usize = 3;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().expect("usage: make-seeds OUT_DIR IMAGE...");
    let out = Path::new(&out);
    std::fs::create_dir_all(out).expect("creating the seed directory");
    for (i, path) in args.enumerate() {
        let Ok(image) = image::open(&path) else {
            continue;
        };
        let image = image.thumbnail(MAX_SIDE, MAX_SIDE);
        let name = Path::new(&path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("seed");
        let parent = Path::new(&path)
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .unwrap_or("");
        let stem = format!("{parent}-{name}");
        let grey = image.to_luma8();
        write(out, &stem, "raw", qr_scan_fuzz_input::input_for(&grey));
        if i % FILE_EVERY != 0 {
            continue;
        }
        // Light pixels fully transparent over black: the alpha path.
        let mut rgba = image.to_rgba8();
        for p in rgba.pixels_mut() {
            if p.0[0] > 128 {
                p.0 = [0, 0, 0, 0];
            }
        }
        let grey = DynamicImage::ImageLuma8(grey);
        let rgba = DynamicImage::ImageRgba8(rgba);
        for (image, format, ext) in [
            (&grey, ImageFormat::Png, "png"),
            (&rgba, ImageFormat::Png, "rgba.png"),
            (&grey, ImageFormat::Jpeg, "jpg"),
            (&rgba, ImageFormat::Gif, "gif"),
            (&grey, ImageFormat::Bmp, "bmp"),
            (&rgba, ImageFormat::WebP, "webp"),
        ] {
            let mut file = Cursor::new(Vec::new());
            image.write_to(&mut file, format).expect("encoding a seed");
            write(out, &stem, ext, file.into_inner());
        }
    }
}

fn write(out: &Path, stem: &str, ext: &str, data: Vec<u8>) {
    std::fs::write(out.join(format!("{stem}.{ext}")), data).expect("writing a seed");
}
