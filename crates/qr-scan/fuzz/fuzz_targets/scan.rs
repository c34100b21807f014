//! Any pixels: `qr_scan::scan` must return (codes or none) without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(image) = qr_scan_fuzz_input::image_from(data) {
        for code in qr_scan::scan(&image) {
            assert!((1..=40).contains(&code.version));
        }
    }
});
