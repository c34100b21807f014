//! Writes fuzz seeds: each image given on the command line, shrunk to at most
//! `MAX_SIDE` pixels a side, in the `scan` target's input format, into the directory
//! named first. Real codes as seeds let the fuzzer start from inputs that reach the
//! sampler and the error correction instead of random noise.

use std::path::Path;

/// Larger seeds make every fuzz iteration slower without reaching new code.
const MAX_SIDE: u32 = 160;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().expect("usage: make-seeds OUT_DIR IMAGE...");
    std::fs::create_dir_all(&out).expect("creating the seed directory");
    for path in args {
        let Ok(image) = image::open(&path) else {
            continue;
        };
        let image = image.thumbnail(MAX_SIDE, MAX_SIDE).to_luma8();
        let name = Path::new(&path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("seed");
        let parent = Path::new(&path)
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .unwrap_or("");
        let data = qr_scan_fuzz_input::input_for(&image);
        std::fs::write(Path::new(&out).join(format!("{parent}-{name}")), data)
            .expect("writing a seed");
    }
}
