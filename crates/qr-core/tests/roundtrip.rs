//! Everything qr-core generates reads back: every level, every kind of payload, every
//! version at its capacity edge, and real photos from the shared corpus.

// A failed unwrap in a test is a failed test with its message.
#![allow(clippy::unwrap_used)]

use qr_core::{EcLevel, Format, GenerateOptions, decode, generate};

fn roundtrip(opts: &GenerateOptions) -> (u8, qr_core::Code) {
    let image = generate(opts).unwrap_or_else(|e| panic!("{e}: {opts:?}"));
    let mut codes = decode(&image.bytes).unwrap();
    assert_eq!(codes.len(), 1, "one code expected in {opts:?}");
    let qr_encode::Version::Qr(version) = image.version else {
        panic!("not a QR code: {}", image.version)
    };
    (version, codes.remove(0))
}

fn opts(data: &str, ec: EcLevel, scale: u32) -> GenerateOptions {
    GenerateOptions {
        ec_level: ec,
        scale,
        ..GenerateOptions::new(data)
    }
}

#[test]
fn every_level_and_payload_kind_reads_back_exactly() {
    let payloads = [
        "0123456789012345",                    // numeric
        "HTTPS://EXAMPLE.COM/A-B $%*+./:",     // alphanumeric
        "https://example.com/product/123?q=1", // bytes
        "二维码工坊：扫一扫",                  // UTF-8, Chinese
        "tickets 🎟️ for gate 7 ✅",            // UTF-8, emoji
        "Grüße, ½ € and ß",                    // UTF-8, Latin
    ];
    for ec in EcLevel::ALL {
        for data in payloads {
            let (version, code) = roundtrip(&opts(data, ec, 4));
            assert_eq!(code.text.as_deref(), Some(data), "{ec}");
            assert_eq!(code.ec_level, Some(ec), "{data}");
            assert_eq!(code.version, version, "{data}");
        }
    }
}

/// The longest byte payload that still fits in `version` at `ec`, found with the encoder.
fn capacity_of(version: u8, ec: EcLevel) -> usize {
    let (mut lo, mut hi) = (1usize, 2953usize);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        match qr_encode::encode(&vec![b'a'; mid], ec) {
            Ok(s) if s.version() <= version => lo = mid,
            _ => hi = mid - 1,
        }
    }
    lo
}

#[test]
fn every_version_reads_back_at_its_capacity_edge() {
    for version in 1..=40u8 {
        let ec = EcLevel::ALL[usize::from(version) % 4];
        let cap = capacity_of(version, ec);
        let data = "a".repeat(cap);
        let (got, code) = roundtrip(&opts(&data, ec, 3));
        assert_eq!(got, version, "{cap} bytes at {ec}");
        assert_eq!((code.version, code.ec_level), (version, Some(ec)));
        assert_eq!(
            code.text.as_deref(),
            Some(data.as_str()),
            "version {version}"
        );
        if version < 40 {
            let over = qr_encode::encode(&vec![b'a'; cap + 1], ec).unwrap();
            assert_eq!(
                over.version(),
                version + 1,
                "one more byte needs the next version"
            );
        }
    }
}

#[test]
fn svg_is_well_formed_and_draws_every_dark_module() {
    let data = "https://example.com/product/123";
    let svg = generate(&GenerateOptions {
        format: Format::Svg,
        ..GenerateOptions::new(data)
    })
    .unwrap();
    let symbol = qr_encode::encode(data.as_bytes(), EcLevel::H).unwrap();
    let text = String::from_utf8(svg.bytes).unwrap();

    let mut reader = quick_xml::Reader::from_str(&text);
    let mut path = None;
    let mut elements = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if name == "path" {
                    let d = e.try_get_attribute("d").unwrap().unwrap();
                    path = Some(String::from_utf8(d.value.to_vec()).unwrap());
                }
                elements.push(name);
            }
            _ => {}
        }
    }
    assert_eq!(elements, ["svg", "rect", "path"]);
    let dark = painted_modules(&path.expect("a path"));
    let expected: Vec<(usize, usize)> = (0..symbol.width())
        .flat_map(|y| (0..symbol.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| symbol.is_dark(x, y))
        .map(|(x, y)| (x + 4, y + 4))
        .collect();
    assert_eq!(dark, expected);
}

/// The modules a path of `M x y h n v1 h-n z` runs paints, in row-major order.
fn painted_modules(d: &str) -> Vec<(usize, usize)> {
    let mut cells = Vec::new();
    for run in d.split('M').filter(|r| !r.is_empty()) {
        let (xy, rest) = run.split_once('h').expect("M x y h n");
        let (x, y) = xy.split_once(' ').expect("x y");
        let n: usize = rest.split('v').next().unwrap().parse().unwrap();
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        cells.extend((x..x + n).map(|x| (x, y)));
    }
    cells.sort_by_key(|&(x, y)| (y, x));
    cells
}

/// Corpus photos every decoder version so far reads; the full-corpus accuracy floor is in
/// qr-scan's tests.
#[test]
fn corpus_photos_decode_to_their_expected_text() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/qr-corpus");
    assert!(
        corpus.is_dir(),
        "the shared corpus is expected at {}",
        corpus.display()
    );
    let sample = [
        "zxing-java/qrcode-1/1.png",
        "zxing-java/qrcode-1/2.png",
        "zxing-java/qrcode-2/1.png",
        "zxing-java/qrcode-3/01.png",
        "zxing-java/qrcode-5/01.png",
    ];
    for image in sample {
        let path = corpus.join(image);
        let bytes = std::fs::read(&path).unwrap();
        let expected = std::fs::read_to_string(path.with_extension("txt")).unwrap();
        let codes = decode(&bytes).unwrap();
        let texts: Vec<_> = codes.iter().filter_map(|c| c.text.as_deref()).collect();
        assert!(
            texts
                .iter()
                .any(|t| t.trim_end_matches('\n') == expected.trim_end_matches('\n')),
            "{image}: expected {expected:?}, read {texts:?}"
        );
    }
}
