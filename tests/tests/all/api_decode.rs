//! `/decode` over real HTTP: real photos, uploads in both forms, and every limit at its edge,
//! on qr-host and on real Spin (`spin up`), each serving the product's own spin.toml.

use crate::readback::{multipart_file, ok_json};
use qr_test_images::png_declaring;
use qr_tests::{Host, assert_api_problem as problem, assert_detail, workspace_root};

// Each body runs against qr-host and against `spin up`, as NAME::qr_host and NAME::spin.
qr_tests::on_every_host!(
    phone_photos_and_screenshots_decode_to_their_expected_text,
    a_multipart_upload_in_field_file_decodes_like_a_raw_body,
    an_image_without_a_code_is_an_empty_result_not_an_error,
    every_decode_limit_holds_at_its_edge,
    micro_qr_and_rmqr_codes_decode_as_such,
);

fn corpus(path: &str) -> (Vec<u8>, String) {
    let bytes = qr_tests::shared_file(&format!("qr-corpus/{path}"));
    let text = qr_tests::shared_file(&format!("qr-corpus/{}.txt", path.trim_end_matches(".png")));
    let text = String::from_utf8(text).expect("UTF-8 text");
    (bytes, text.trim_end_matches('\n').to_owned())
}

fn phone_photos_and_screenshots_decode_to_their_expected_text(host: &Host) {
    for path in [
        "zxing-java/qrcode-1/1.png",
        "zxing-java/qrcode-1/2.png",
        "zxing-java/qrcode-2/1.png",
        "zxing-java/qrcode-3/01.png",
        "zxing-java/qrcode-5/01.png",
    ] {
        let (image, expected) = corpus(path);
        let body = ok_json(host.post("/decode", "image/png", image));
        let texts = body["codes"].as_array().unwrap().iter();
        let mut texts = texts
            .filter_map(|c| c["text"].as_str())
            .map(|t| t.trim_end_matches('\n'));
        assert!(texts.any(|t| t == expected), "{path}: {body}");
        assert!(body["data"].is_string(), "{path}: {body}");
    }
}

fn a_multipart_upload_in_field_file_decodes_like_a_raw_body(host: &Host) {
    let (image, expected) = corpus("zxing-java/qrcode-1/1.png");
    let (content_type, body) = multipart_file(&[("note", "hello")], "file", &image);
    let decoded = ok_json(host.post("/decode", &content_type, body));
    assert_eq!(
        decoded["data"].as_str().map(|t| t.trim_end_matches('\n')),
        Some(expected.as_str())
    );

    // A form whose only file part is not `file`.
    let (content_type, no_file) = multipart_file(&[("note", "hello")], "other", &image);
    let response = host.post("/decode", &content_type, no_file);
    problem(response, 400, "invalid-multipart");
}

fn an_image_without_a_code_is_an_empty_result_not_an_error(host: &Host) {
    let mut png = Vec::new();
    image::GrayImage::from_pixel(64, 64, image::Luma([255]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let body = ok_json(host.post("/decode", "image/png", png));
    assert_eq!(body, serde_json::json!({"codes": [], "data": null}));
}

fn every_decode_limit_holds_at_its_edge(host: &Host) {
    use qr_core::limits::*;

    // A reader body has no length: reqwest sends it chunked.
    let chunked = |n: usize| reqwest::blocking::Body::new(std::io::Cursor::new(vec![0u8; n]));
    let rows = (MAX_IMAGE_PIXELS / u64::from(MAX_IMAGE_SIDE)) as u32;
    let (bytes, png, text) = ("application/octet-stream", "image/png", "text/plain");
    // A table: one case a line.
    #[rustfmt::skip]
    let cases: [(&str, reqwest::blocking::Body, u16, &str); 8] = [
        // Body size: exactly the limit is read (and found not to be an image); one byte more
        // is refused, with a content-length and streamed without one.
        (bytes, vec![0; MAX_DECODE_BODY_BYTES].into(), 415, "unsupported-image"),
        (bytes, vec![0; MAX_DECODE_BODY_BYTES + 1].into(), 413, "body-too-large"),
        (bytes, chunked(MAX_DECODE_BODY_BYTES + 1), 413, "body-too-large"),
        // Pixels and sides, by declared size, refused before decoding; just inside both, the
        // size passes and the empty pixel data is what is wrong.
        (png, png_declaring(MAX_IMAGE_SIDE + 1, 1).into(), 413, "image-too-large"),
        (png, png_declaring(MAX_IMAGE_SIDE, rows + 1).into(), 413, "image-too-large"),
        (png, png_declaring(MAX_IMAGE_SIDE, rows).into(), 422, "corrupt-image"),
        (png, Vec::new().into(), 400, "missing-image"),
        (text, "not an image".into(), 415, "unsupported-image"),
    ];
    for (content_type, body, status, kind) in cases {
        problem(host.post("/decode", content_type, body), status, kind);
    }
    // A 60000 × 60000 PNG is 57 bytes, and the answer names its size.
    let huge = png_declaring(60_000, 60_000);
    assert!(huge.len() < 100);
    let body = problem(host.post("/decode", png, huge), 413, "image-too-large");
    assert_detail(&body, "60000x60000");
}

/// Micro QR and rMQR symbols (fixtures of `crates/qr-scan/tests/fixtures/micro`, written
/// by zxing-cpp's encoder at four pixels per module) come back with the symbology, version
/// name, level and text of the fixtures' `manifest.tsv`, and their version number; a QR code
/// says it is one.
fn micro_qr_and_rmqr_codes_decode_as_such(host: &Host) {
    let dir = workspace_root().join("crates/qr-scan/tests/fixtures/micro");
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).unwrap();
    let rows: Vec<Vec<&str>> = manifest.lines().map(|l| l.split('\t').collect()).collect();
    // The version numbers (rMQR's count its 32 sizes) are not in the manifest.
    let versions = [
        ("m2-l", 2),
        ("m4-q", 4),
        ("r11x43-m", 12),
        ("r17x139-h", 32),
    ];
    for (file, version) in versions {
        let row = rows
            .iter()
            .find(|row| row[0] == file)
            .expect("in the manifest");
        let [_, symbology, version_name, ecc, text] = row[..] else {
            panic!("{row:?}")
        };
        let image = std::fs::read(dir.join(format!("x4/{file}.png"))).unwrap();
        let body = ok_json(host.post("/decode", "image/png", image));
        let codes = body["codes"].as_array().unwrap();
        assert_eq!(codes.len(), 1, "{file}: {body}");
        let code = &codes[0];
        assert_eq!(code["symbology"], symbology, "{file}: {body}");
        assert_eq!(code["version"], version, "{file}: {body}");
        assert_eq!(code["version_name"], version_name, "{file}: {body}");
        assert_eq!(code["ecc"], ecc, "{file}: {body}");
        assert_eq!(code["text"], text, "{file}: {body}");
        assert_eq!(body["data"], text, "{file}: {body}");
        // The symbol starts behind the 2-module (8 px) quiet zone.
        let corner = serde_json::json!([8.5, 8.5]);
        assert_eq!(code["corners"][0], corner, "{file}: {body}");
    }
    let (photo, _) = corpus("zxing-java/qrcode-1/1.png");
    let body = ok_json(host.post("/decode", "image/png", photo));
    assert_eq!(body["codes"][0]["symbology"], "qr", "{body}");
    assert_eq!(
        body["codes"][0]["version_name"],
        body["codes"][0]["version"].to_string(),
        "{body}"
    );
}
