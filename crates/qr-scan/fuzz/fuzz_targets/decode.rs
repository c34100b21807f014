//! The whole `/decode` path: any bytes through `qr_core::decode` (format sniffing, the size
//! limits, the PNG, JPEG, GIF, BMP and WebP decoders, alpha compositing, then the scan), the
//! function the decode component calls. It must return codes or an error, never panic,
//! abort, run away in time or memory.
//!
//! Bytes that are not an image file (`UnsupportedImage`) are read as raw greyscale pixels
//! instead (`qr_scan_fuzz_input::image_from`) and scanned: mutations of pixel seeds reach
//! the finder, sampler and error correction directly, without a file format's checksums in
//! the way, so one target covers both the parsers and the decoder's own code.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let codes = match qr_core::decode(data) {
        Ok(codes) => codes,
        Err(qr_core::Error::UnsupportedImage) => match qr_scan_fuzz_input::image_from(data) {
            Some(image) => qr_scan::scan(&image),
            None => return,
        },
        Err(_) => return,
    };
    for code in codes {
        let versions = match code.symbology {
            qr_scan::Symbology::Qr => 40,
            qr_scan::Symbology::MicroQr => 4,
            qr_scan::Symbology::Rmqr => qr_scan::RMQR_SIZES.len() as u8,
        };
        assert!((1..=versions).contains(&code.version));
    }
});
