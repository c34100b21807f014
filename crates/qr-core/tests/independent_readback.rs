//! Every new generation feature read back by decoders nobody here wrote: payload builders,
//! text/PDF/EPS output, logos and styles, each rendered and decoded by rxing (a Rust port of
//! ZXing), after `common::rasterise` turns each file into pixels (resvg for SVG; for PDF and
//! EPS the rectangles the file's own operators describe, as no PDF renderer is packaged for
//! this machine).

// A failed unwrap in a test is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use qr_core::{Append, EcLevel, Error, Format, GenerateOptions, generate, limits};

/// Decodes the one QR code in an RGBA image (composited over white) with rxing.
fn rxing_rgba(rgba: &[u8], width: u32, height: u32) -> Result<String, String> {
    rxing_result(rgba, width, height).map(|r| r.getText().to_owned())
}

/// rxing's whole result for the one QR code in an RGBA image, metadata included.
fn rxing_result(rgba: &[u8], width: u32, height: u32) -> Result<rxing::RXingResult, String> {
    let luma: Vec<u8> = rgba
        .chunks_exact(4)
        .map(|p| {
            let a = f32::from(p[3]) / 255.0;
            let c = |v: u8| f32::from(v) * a + 255.0 * (1.0 - a);
            (0.299 * c(p[0]) + 0.587 * c(p[1]) + 0.114 * c(p[2])).round() as u8
        })
        .collect();
    rxing::helpers::detect_in_luma(luma, width, height, Some(rxing::BarcodeFormat::QR_CODE))
        .map_err(|e| e.to_string())
}

/// An RGBA image and its size.
type Pixels = (Vec<u8>, u32, u32);

/// Any output format as pixels (`common::rasterise`: resvg for SVG, the file's own rectangles
/// for PDF and EPS).
fn pixels(bytes: &[u8], format: Format) -> Pixels {
    let img = common::rasterise(format, bytes);
    (img.pixels, img.width, img.height)
}

fn json(body: serde_json::Value) -> GenerateOptions {
    qr_api::options::from_json(body.to_string().as_bytes()).unwrap()
}

fn read(opts: &GenerateOptions) -> Result<String, String> {
    let image = generate(opts).unwrap_or_else(|e| panic!("{e}: {opts:?}"));
    let (rgba, w, h) = pixels(&image.bytes, opts.format);
    rxing_rgba(&rgba, w, h)
}

#[test]
fn every_payload_kind_reads_back_as_the_text_its_spec_gives() {
    use serde_json::json;
    let cases = [
        json!({"wifi": {"ssid": "Café;1", "password": "p:w,\"x\"\\", "hidden": true}}),
        json!({"vcard": {"first_name": "Ann", "last_name": "Lee", "org": "Acme, Inc.",
                         "phone": ["+1 555 0100"], "email": "ann@example.com",
                         "note": "x".repeat(100)}}),
        json!({"vcard": {"name": "Bob", "version": 4}}),
        json!({"mecard": {"name": "Ann; Lee", "phone": "+15550100"}}),
        json!({"geo": {"lat": 48.2082, "lon": 16.3738}}),
        json!({"tel": {"number": "+15550100"}}),
        json!({"sms": {"number": "+15550100", "body": "Hi & bye"}}),
        json!({"mailto": {"to": "a@example.com", "subject": "Hi", "body": "1\n2"}}),
        json!({"event": {"summary": "Launch, v2", "start": "2026-12-01T09:30Z",
                         "end": "2026-12-01T10:00Z", "location": "Room 1"}}),
        json!({"epc": {"name": "Red Cross", "iban": "BE72000000001616", "bic": "BPOTBEB1",
                       "amount": "12.50", "text": "Donation"}}),
    ];
    for body in cases {
        let (kind, fields) = body.as_object().unwrap().iter().next().unwrap();
        let expected = qr_core::payload::build(kind, fields).unwrap().text;
        let opts = json(body.clone());
        assert_eq!(opts.data, expected);
        assert_eq!(read(&opts).unwrap(), expected, "{kind}");
    }
    // EPC069-12 asks for level M; an explicit level wins.
    let epc = json!({"epc": {"name": "A", "iban": "DE89370400440532013000"}});
    assert_eq!(json(epc.clone()).ec_level, EcLevel::M);
    let mut explicit = epc;
    explicit["ecc"] = "Q".into();
    assert_eq!(json(explicit).ec_level, EcLevel::Q);
}

#[test]
fn text_pdf_and_eps_read_back_at_every_level() {
    for ec in EcLevel::ALL {
        for format in [Format::Text, Format::Pdf, Format::Eps] {
            let opts = GenerateOptions {
                format,
                ec_level: ec,
                ..GenerateOptions::new("https://example.com/product/123")
            };
            assert_eq!(
                read(&opts).as_deref(),
                Ok("https://example.com/product/123"),
                "{format:?} {ec}"
            );
        }
    }
    // An odd number of rows (margin 1: 23 rows) leaves a half-empty last line.
    let odd = GenerateOptions {
        format: Format::Text,
        margin: 1,
        ..GenerateOptions::new("hi")
    };
    assert_eq!(read(&odd).as_deref(), Ok("hi"));
}

/// A logo made by code: a red disc with a white "bar" and a transparent surround.
fn logo_png(side: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(side, side, |x, y| {
        let c = side as f32 / 2.0;
        let d = ((x as f32 - c).powi(2) + (y as f32 - c).powi(2)).sqrt();
        if d > c {
            image::Rgba([0, 0, 0, 0])
        } else if (y as f32 - c).abs() < side as f32 / 10.0 {
            image::Rgba([255, 255, 255, 255])
        } else {
            image::Rgba([200, 20, 40, 255])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn logo_jpeg(side: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(side, side, |x, y| {
        image::Rgb([(x * 7) as u8, 90, (y * 5) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

const SVG_LOGO: &[u8] = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="5" fill="#1565c0"/></svg>"##;

fn with_logo(data: &str, bytes: Vec<u8>, size: f64, format: Format) -> GenerateOptions {
    let mut opts = GenerateOptions::new(data);
    opts.format = format;
    opts.scale = 6;
    opts.logo = Some(qr_core::Logo {
        bytes,
        size,
        margin: 1,
    });
    opts
}

#[test]
fn logos_that_pass_the_check_read_back_in_png_and_svg() {
    let short = "https://example.com/product/123";
    let long =
        "https://example.com/product/123?ref=qr-workshop&lang=en-GB&campaign=winter-sale-2026";
    for data in [short, long] {
        for size in [0.1, 0.2] {
            for (logo, format) in [
                (logo_png(120), Format::Png),
                (logo_jpeg(64), Format::Png),
                (logo_png(120), Format::Svg),
                (SVG_LOGO.to_vec(), Format::Svg),
            ] {
                let opts = with_logo(data, logo, size, format);
                assert_eq!(read(&opts).as_deref(), Ok(data), "{size} {format:?}");
            }
        }
    }
}

#[test]
fn a_logo_that_covers_too_much_is_refused_naming_the_size_that_fits() {
    let data = "https://example.com/product/123";
    let opts = with_logo(data, logo_png(64), 0.4, Format::Png);
    let Err(Error::LogoCoversTooMuch(detail)) = generate(&opts) else {
        panic!("a 40% logo on a version 4 code cannot fit");
    };
    let fits: f64 = detail
        .rsplit("the largest logo_size that fits is ")
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{detail}"));
    assert!((0.1..0.4).contains(&fits), "{detail}");
    // The size it names passes the check and reads back; a step above does not pass.
    let ok = with_logo(data, logo_png(64), fits, Format::Png);
    assert_eq!(read(&ok).as_deref(), Ok(data));
    let over = with_logo(data, logo_png(64), fits + 2.0 / 33.0, Format::Png);
    assert!(matches!(generate(&over), Err(Error::LogoCoversTooMuch(_))));
    // At level L there is too little correction for any logo on a short payload.
    let mut low = with_logo(data, logo_png(64), 0.1, Format::Png);
    low.ec_level = EcLevel::L;
    assert!(matches!(generate(&low), Err(Error::LogoCoversTooMuch(_))));
}

#[test]
fn logos_that_are_not_png_jpeg_or_svg_or_svg_for_a_png_are_refused() {
    let bad = with_logo("x", b"GIF89a....".to_vec(), 0.1, Format::Png);
    assert!(matches!(generate(&bad), Err(Error::UnsupportedLogo(_))));
    let svg_in_png = with_logo("x", SVG_LOGO.to_vec(), 0.1, Format::Png);
    assert!(matches!(
        generate(&svg_in_png),
        Err(Error::UnsupportedLogo(_))
    ));
    let mut truncated = logo_png(64);
    truncated.truncate(60);
    let broken = with_logo("hello world", truncated, 0.1, Format::Png);
    assert!(
        matches!(generate(&broken), Err(Error::UnsupportedLogo(_))),
        "{:?}",
        generate(&broken)
    );
}

#[test]
fn every_style_combination_reads_back_in_png_and_svg() {
    let data = "https://example.com/product/123";
    let fills = [("", ""), ("linear", "#1a237e"), ("radial", "#880e4f")];
    let mut checked = 0;
    for module in ["square", "rounded", "dots", "connected"] {
        for frame in ["square", "rounded", "circle"] {
            for ball in ["square", "rounded", "circle"] {
                for (i, (gradient, fg2)) in fills.iter().enumerate() {
                    let mut body = serde_json::json!({
                        "data": data, "module_shape": module, "eye_frame": frame,
                        "eye_ball": ball, "scale": 6, "fg": "#004d40",
                    });
                    if !gradient.is_empty() {
                        body["gradient"] = (*gradient).into();
                        body["fg2"] = (*fg2).into();
                        body["gradient_angle"] = 45.into();
                    }
                    if i == 1 {
                        body["eye_color"] = "#b71c1c,#0d47a1,#1b5e20".into();
                    }
                    for format in ["png", "svg"] {
                        body["format"] = format.into();
                        let opts = json(body.clone());
                        assert_eq!(read(&opts).as_deref(), Ok(data), "{body}");
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 4 * 3 * 3 * 3 * 2);
}

#[test]
fn styles_and_a_logo_together_read_back() {
    let data = "https://example.com/product/123";
    for format in [Format::Png, Format::Svg] {
        let mut opts = with_logo(data, logo_png(100), 0.2, format);
        opts.look.module_shape = qr_encode::ModuleShape::Dots;
        opts.look.eye_frame = qr_encode::EyeShape::Circle;
        assert_eq!(read(&opts).as_deref(), Ok(data), "{format:?}");
    }
}

#[test]
fn colours_too_alike_are_refused() {
    for body in [
        r##"{"data":"x","fg":"#ffff00"}"##,
        r##"{"data":"x","gradient":"linear","fg2":"#eeeeee"}"##,
        r##"{"data":"x","eye_color":"#000000,#fafafa,#000000"}"##,
        r##"{"data":"x","fg":"#00000010"}"##,
    ] {
        let opts = qr_api::options::from_json(body.as_bytes()).unwrap();
        assert!(
            matches!(generate(&opts), Err(Error::LowContrast { .. })),
            "{body}"
        );
    }
}

/// Each file of a sequence: the ZIP's members in order, or a PDF's pages (content streams).
fn sequence_files(image: &qr_core::Image, format: Format) -> Vec<Vec<u8>> {
    if format == Format::Pdf {
        assert_eq!(image.content_type, "application/pdf");
        let text = String::from_utf8_lossy(&image.bytes);
        return text
            .split(">>\nstream\n")
            .skip(1)
            .map(|page| page.split("endstream").next().unwrap().as_bytes().to_vec())
            .collect();
    }
    assert_eq!(image.content_type, "application/zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(image.bytes.clone())).unwrap();
    let total = archive.len();
    (0..total)
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let ext = match format {
                Format::Text => "txt",
                Format::Pdf => "pdf",
                Format::Png => "png",
                Format::Svg => "svg",
                Format::Eps => "eps",
            };
            assert_eq!(file.name(), format!("qr-{:02}-of-{total:02}.{ext}", i + 1));
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
            bytes
        })
        .collect()
}

/// Structured-append sequences read back two ways: every symbol by rxing (its position and
/// count from rxing's metadata, the pieces' texts joined in order), and all the
/// symbols pasted into one image through our own decoder, which joins them.
#[test]
fn structured_append_sequences_read_back_as_the_whole_message() {
    let utf8 = "Grüße aus Wien, 東京 und ünïcödé: ".repeat(12);
    let url = (0..60)
        .map(|i| format!("https://example.com/product/{i}?sale=2026 "))
        .collect::<String>();
    let digits: String = (0..900)
        .map(|i| char::from(b'0' + (i * 7 % 10) as u8))
        .collect();
    let cases: [(&str, Format, EcLevel, u8, Append); 5] = [
        (&url, Format::Png, EcLevel::M, 10, Append::Auto),
        (&utf8, Format::Svg, EcLevel::Q, 8, Append::Auto),
        (&digits, Format::Pdf, EcLevel::H, 6, Append::Symbols(8)),
        (&url[..600], Format::Eps, EcLevel::L, 40, Append::Symbols(3)),
        (&url[..300], Format::Text, EcLevel::L, 5, Append::Auto),
    ];
    for (data, format, ec_level, max_version, append) in cases {
        let opts = GenerateOptions {
            format,
            ec_level,
            max_version,
            append: Some(append),
            scale: 4,
            ..GenerateOptions::new(data)
        };
        let image = generate(&opts).unwrap();
        let files = sequence_files(&image, format);
        let total = files.len();
        assert_eq!(image.symbols, Some(total));
        assert!(matches!(image.version, qr_encode::Version::Qr(v) if v <= max_version));
        if let Append::Symbols(n) = append {
            assert_eq!(total, n);
        } else {
            assert!(total > 1, "{format:?}: one symbol");
        }
        let parity = data.bytes().fold(0u8, |p, b| p ^ b);
        let mut joined = String::new();
        let mut sheet = Vec::new();
        for (i, file) in files.iter().enumerate() {
            let (rgba, w, h) = pixels(file, format);
            let read = rxing_result(&rgba, w, h).unwrap_or_else(|e| panic!("{format:?} {i}: {e}"));
            let meta = read.getRXingResultMetadata();
            use rxing::{RXingResultMetadataType as T, RXingResultMetadataValue as V};
            // rxing's helpers run its port of zxing-cpp's decoder, whose metadata puts the
            // sequence's count under the PARITY key (zxing-cpp keeps the parity as an id
            // rxing does not pass on); our decoder's parity is checked below.
            assert!(
                matches!(meta.get(&T::STRUCTURED_APPEND_SEQUENCE), Some(V::StructuredAppendSequence(s)) if *s == i as i32),
                "{format:?} symbol {i}: {meta:?}"
            );
            assert!(
                matches!(meta.get(&T::STRUCTURED_APPEND_PARITY), Some(V::StructuredAppendParity(n)) if *n == total as i32),
                "{format:?} symbol {i}: {meta:?}"
            );
            joined.push_str(read.getText());
            sheet.push(image::RgbaImage::from_raw(w, h, rgba).unwrap());
        }
        assert_eq!(joined, data, "{format:?}");

        let codes = qr_core::decode(&qr_test_images::contact_sheet(&sheet)).unwrap();
        let merged = qr_core::merge_structured_append(&codes);
        assert_eq!(merged.len(), 1, "{format:?}: {} codes", codes.len());
        assert_eq!(merged[0].text.as_deref(), Some(data), "{format:?}");
        assert_eq!(usize::from(merged[0].total), total);
        assert_eq!(merged[0].parity, parity);
    }
}

/// `append` holds at most 16 symbols: a message that fills 16 at `max_version` goes through,
/// one byte more is refused naming the capacity; `append=N` too small is refused the same way.
#[test]
fn sixteen_symbols_is_the_edge_of_a_sequence() {
    // Version 2-H holds 12 bytes a piece after the header: 16 × 12 = 192.
    let at = |len: usize, append: Append| {
        generate(&GenerateOptions {
            ec_level: EcLevel::H,
            max_version: 2,
            append: Some(append),
            format: Format::Svg,
            ..GenerateOptions::new("a".repeat(len))
        })
    };
    let full = at(192, Append::Auto).unwrap();
    assert_eq!(full.symbols, Some(limits::MAX_APPEND_SYMBOLS));
    let err = at(193, Append::Auto).unwrap_err();
    assert!(matches!(err, Error::SequenceTooLong(_)), "{err}");
    assert!(err.to_string().contains("hold 192 bytes"), "{err}");
    let err = at(100, Append::Symbols(3)).unwrap_err();
    assert!(
        err.to_string().contains("3 symbols") && err.to_string().contains("hold 36 bytes"),
        "{err}"
    );
    // Without append, max_version bounds the one symbol.
    let one = generate(&GenerateOptions {
        max_version: 2,
        ..GenerateOptions::new("a".repeat(15))
    })
    .unwrap_err();
    assert!(one.to_string().contains("1 symbol of version 2"), "{one}");
}
