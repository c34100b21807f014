//! Every symbol this crate draws decodes back, with an independent decoder (rqrr), to the
//! payload, level and version it was made from; the PNG is read back with the `png` crate.

// A failed unwrap here is a failed test (or bench setup) with its message.
#![allow(clippy::unwrap_used)]

use qr_encode::{EcLevel, Options, Style, Symbol, encode, encode_with, to_png};

/// Decodes a PNG of ours with `png` + `rqrr`: (text, ECC level letter, version).
fn decode_png(png_bytes: &[u8]) -> (String, char, u8) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
        .read_info()
        .expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    let (w, h) = (info.width as usize, info.height as usize);
    assert_eq!(info.bit_depth, png::BitDepth::One);
    let stride = info.line_size;
    let lum = |x: usize, y: usize| {
        let bit = buf[y * stride + x / 8] >> (7 - x % 8) & 1;
        // Greyscale: 1 is white. Palette: index 1 is the dark colour.
        let white = match info.color_type {
            png::ColorType::Grayscale => bit == 1,
            _ => bit == 0,
        };
        if white { 255 } else { 0 }
    };
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, lum);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one code in the image");
    let (meta, text) = grids[0].decode().expect("rqrr decodes our symbol");
    let ec = match meta.ecc_level {
        0 => 'M',
        1 => 'L',
        2 => 'H',
        _ => 'Q',
    };
    (text, ec, meta.version.0 as u8)
}

fn assert_round_trip(text: &str, s: &Symbol, style: &Style) {
    let (got, ec, version) = decode_png(&to_png(s, style));
    assert_eq!(got, text);
    assert_eq!(ec, s.ec_level().letter(), "level of {text:?}");
    assert_eq!(version, s.version(), "version of {text:?}");
}

#[test]
fn seed_request_decodes_back_as_version_4_level_h() {
    let text = "https://example.com/product/123";
    let s = encode(text.as_bytes(), EcLevel::H).unwrap();
    assert_eq!(s.version(), 4);
    assert_round_trip(text, &s, &Style::default());
}

/// Whether each pixel of a 1-bit greyscale PNG is white, row-major.
fn white_pixels(png_bytes: &[u8]) -> (u32, Vec<bool>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(
        (info.color_type, info.bit_depth),
        (png::ColorType::Grayscale, png::BitDepth::One)
    );
    let w = info.width as usize;
    let px = (0..info.height as usize)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| buf[y * info.line_size + x / 8] >> (7 - x % 8) & 1 == 1)
        .collect();
    (info.width, px)
}

#[test]
fn seed_under_pythons_mask_is_the_python_services_image_pixel_for_pixel() {
    // The Python service's response to generate.json, kept in the shared folder.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/peers/python-seed/qr_default_410.png"
    );
    let python = std::fs::read(path).expect("the shared python-seed fixture");
    // python-qrcode chooses mask 4 where the standard's rules choose 2 (see BENCHMARKS.md);
    // under the same mask every pixel agrees.
    let opts = Options {
        min_version: 1,
        mask: Some(4),
    };
    let s = encode_with(b"https://example.com/product/123", EcLevel::H, &opts).unwrap();
    let ours = to_png(&s, &Style::default());
    assert_eq!(white_pixels(&ours), white_pixels(&python));
    assert!(
        ours.len() < python.len(),
        "{} bytes against Python's {}",
        ours.len(),
        python.len()
    );
}

/// A payload of `len` bytes drawn from a fixed pseudo-random sequence over `alphabet`.
fn payload(seed: u64, len: usize, alphabet: &[u8]) -> String {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

const URLISH: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789/:.-_?=&ABCDEFXYZ";

/// rqrr 0.11 loses its way on some symbols above version 36 (an arithmetic overflow in its
/// alignment-pattern search); `same_as_qrcode.rs` checks those versions module by module.
const RQRR_MAX_VERSION: u8 = 36;

#[test]
fn every_version_decodes_back() {
    // Each version once, the level rotating, with the mask the penalty rules choose: a short
    // payload in a forced larger version exercises every module layout.
    let style = Style {
        scale: 2,
        ..Style::default()
    };
    for version in 1..=RQRR_MAX_VERSION {
        let ec = EcLevel::ALL[usize::from(version) % 4];
        let text = payload(u64::from(version), 6, URLISH);
        let s = encode_with(
            text.as_bytes(),
            ec,
            &Options {
                min_version: version,
                mask: None,
            },
        )
        .unwrap();
        assert_eq!(s.version(), version);
        assert_round_trip(&text, &s, &style);
    }
}

#[test]
fn every_mask_decodes_back() {
    for mask in 0..8 {
        for version in [1, 7, 22] {
            let text = payload(u64::from(mask), 20, URLISH);
            let s = encode_with(
                text.as_bytes(),
                EcLevel::Q,
                &Options {
                    min_version: version,
                    mask: Some(mask),
                },
            )
            .unwrap();
            assert_eq!(s.mask(), mask);
            assert_round_trip(
                &text,
                &s,
                &Style {
                    scale: 4,
                    ..Style::default()
                },
            );
        }
    }
}

#[test]
fn long_payloads_decode_back_at_their_minimal_version() {
    for (seed, len, ec) in [
        (1, 1200, EcLevel::H),
        (2, 600, EcLevel::M),
        (3, 77, EcLevel::L),
    ] {
        let text = payload(seed, len, URLISH);
        let s = encode(text.as_bytes(), ec).unwrap();
        // The version below cannot hold the same segments (the `qrcode` crate says so).
        let mut bits = qrcode::bits::Bits::new(qrcode::Version::Normal(i16::from(s.version()) - 1));
        let qec = match ec {
            EcLevel::L => qrcode::EcLevel::L,
            EcLevel::M => qrcode::EcLevel::M,
            EcLevel::Q => qrcode::EcLevel::Q,
            EcLevel::H => qrcode::EcLevel::H,
        };
        let fits =
            bits.push_optimal_data(text.as_bytes()).is_ok() && bits.push_terminator(qec).is_ok();
        assert!(
            !fits,
            "{len} bytes at {ec} fit in version {}",
            s.version() - 1
        );
        assert_round_trip(
            &text,
            &s,
            &Style {
                scale: 2,
                ..Style::default()
            },
        );
    }
}

#[test]
fn coloured_and_translucent_styles_decode_back() {
    let text = "colour test";
    let s = encode(text.as_bytes(), EcLevel::M).unwrap();
    for (dark, light) in [
        ([0x20, 0x40, 0x80, 255], [255, 255, 200, 255]),
        ([0, 0, 0, 255], [255, 255, 255, 0]),
    ] {
        let style = Style {
            dark,
            light,
            ..Style::default()
        };
        assert_round_trip(text, &s, &style);
    }
}
