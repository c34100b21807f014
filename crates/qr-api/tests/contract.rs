//! The HTTP contract exercised without a socket: what each endpoint replies to each kind of
//! request. The same replies go over the wire from the components (see `tests/` at the root).

// A failed unwrap in a test is a failed test with its message.
#![allow(clippy::unwrap_used, clippy::type_complexity)]

use qr_api::{DECODE, GENERATE, Reply, Request};
use serde_json::{Value, json};

fn call(
    endpoint: &qr_api::Endpoint,
    method: &str,
    path: &str,
    query: &str,
    ct: Option<&str>,
    body: &[u8],
) -> Reply {
    (endpoint.handle)(&Request {
        method,
        path,
        query,
        content_type: ct,
        if_none_match: None,
        body,
    })
}

fn problem(reply: &Reply) -> Value {
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json"),
        "{reply:?}"
    );
    let v: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(v["status"], reply.status);
    for field in ["type", "title", "detail"] {
        assert!(v[field].is_string(), "problem without {field}: {v}");
    }
    v
}

const SEED: &[u8] = br#"{"data":"https://example.com/product/123"}"#;

#[test]
fn the_seed_json_request_returns_a_png() {
    let r = call(
        &GENERATE,
        "POST",
        "/generate",
        "",
        Some("application/json"),
        SEED,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert_eq!(r.header("x-qr-version"), Some("4"));
    assert!(r.body.starts_with(b"\x89PNG"));
}

#[test]
fn a_get_with_format_svg_returns_a_cacheable_svg() {
    let r = call(
        &GENERATE,
        "GET",
        "/generate",
        "data=hello%20world&format=svg&fg=%23ff0000",
        None,
        b"",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/svg+xml"));
    assert!(r.header("cache-control").unwrap().contains("immutable"));
    let svg = String::from_utf8(r.body).unwrap();
    assert!(svg.contains("#ff0000"), "{svg}");
}

#[test]
fn a_form_body_is_read_like_a_query() {
    let r = call(
        &GENERATE,
        "POST",
        "/generate",
        "",
        Some("application/x-www-form-urlencoded"),
        b"data=abc&format=svg",
    );
    assert_eq!(r.header("content-type"), Some("image/svg+xml"));
}

#[test]
fn generated_codes_decode_back_through_the_decode_endpoint() {
    let png = call(&GENERATE, "POST", "/generate", "", None, SEED).body;
    let r = call(&DECODE, "POST", "/decode", "", Some("image/png"), &png);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["data"], "https://example.com/product/123");
    assert_eq!(v["codes"][0]["text"], "https://example.com/product/123");
    assert_eq!(v["codes"][0]["symbology"], "qr");
    assert_eq!(v["codes"][0]["version"], 4);
    assert_eq!(v["codes"][0]["version_name"], "4");
    assert_eq!(v["codes"][0]["ecc"], "H");
    // 33 modules at 10 px behind a 40 px margin: the symbol spans 40..370 px. Corners go
    // top-left, top-right, bottom-right, bottom-left, each within a module of the edge.
    let corners: Vec<[f64; 2]> = serde_json::from_value(v["codes"][0]["corners"].clone()).unwrap();
    let expected = [[40.0, 40.0], [370.0, 40.0], [370.0, 370.0], [40.0, 370.0]];
    for (got, want) in corners.iter().zip(expected) {
        assert!(
            (got[0] - want[0]).abs() <= 10.0 && (got[1] - want[1]).abs() <= 10.0,
            "{corners:?}"
        );
    }
}

#[test]
fn a_multipart_upload_is_read_from_field_file() {
    let png = call(
        &GENERATE,
        "POST",
        "/generate",
        "",
        None,
        br#"{"data":"multi","size":4}"#,
    )
    .body;
    let mut body = b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"q.png\"\r\nContent-Type: image/png\r\n\r\n".to_vec();
    body.extend_from_slice(&png);
    body.extend_from_slice(b"\r\n--b0undary--\r\n");
    let r = call(
        &DECODE,
        "POST",
        "/decode",
        "",
        Some("multipart/form-data; boundary=b0undary"),
        &body,
    );
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["data"], "multi", "{v}");
}

#[test]
fn an_image_without_a_code_gives_an_empty_list_and_null_data() {
    let blank = image::GrayImage::from_pixel(40, 40, image::Luma([255]));
    let mut png = Vec::new();
    blank
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let r = call(&DECODE, "POST", "/decode", "", None, &png);
    assert_eq!(r.status, 200);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v, serde_json::json!({"codes": [], "data": null}));
}

#[test]
fn health_is_json() {
    let r = call(&GENERATE, "GET", "/health", "", None, b"");
    assert_eq!(r.status, 200);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["status"], "ok");
}

#[test]
fn unknown_paths_and_methods_are_problems() {
    let r = call(&GENERATE, "GET", "/nope", "", None, b"");
    assert_eq!(r.status, 404);
    assert_eq!(
        problem(&r)["type"],
        "https://github.com/qr-workshop/qr-workshop/blob/main/README.md#not-found"
    );
    let r = call(&GENERATE, "DELETE", "/generate", "", None, b"");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, POST"));
    problem(&r);
    let r = call(&DECODE, "GET", "/decode", "", None, b"");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
}

/// Every error kind has its status and a stable type: the table the README documents.
#[test]
fn each_bad_input_gets_its_status_and_type() {
    let cases: &[(&qr_api::Endpoint, &str, Option<&str>, &[u8], u16, &str)] = &[
        (&GENERATE, "", None, b"{not json", 400, "invalid-json"),
        (&GENERATE, "", None, br#"{"size":3}"#, 400, "missing-data"),
        (
            &GENERATE,
            "",
            None,
            br#"{"data":"x","size":0}"#,
            400,
            "invalid-option",
        ),
        (
            &GENERATE,
            "",
            None,
            br#"{"data":"x","error_correction":"Z"}"#,
            400,
            "invalid-option",
        ),
        (
            &GENERATE,
            "",
            None,
            br#"{"data":"x","scale":50,"margin":64}"#,
            200,
            "",
        ),
        (&DECODE, "", None, b"", 400, "missing-image"),
        (
            &DECODE,
            "",
            None,
            b"plain text, not an image",
            415,
            "unsupported-image",
        ),
        (
            &DECODE,
            "",
            Some("multipart/form-data; boundary=zz"),
            b"--zz--",
            400,
            "invalid-multipart",
        ),
        (
            &DECODE,
            "",
            None,
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            422,
            "corrupt-image",
        ),
    ];
    for &(endpoint, query, ct, body, status, kind) in cases {
        let path = if std::ptr::eq(endpoint, &GENERATE) {
            "/generate"
        } else {
            "/decode"
        };
        let method = if query.is_empty() { "POST" } else { "GET" };
        let r = call(endpoint, method, path, query, ct, body);
        assert_eq!(
            r.status,
            status,
            "{}: {}",
            String::from_utf8_lossy(body),
            String::from_utf8_lossy(&r.body)
        );
        if status != 200 {
            assert_eq!(
                problem(&r)["type"],
                format!("https://github.com/qr-workshop/qr-workshop/blob/main/README.md#{kind}")
            );
        }
    }
}

#[test]
fn capacity_errors_are_413_and_name_the_capacity() {
    let body = format!(
        r#"{{"data":"{}","error_correction":"H"}}"#,
        "a".repeat(1274)
    );
    let r = call(&GENERATE, "POST", "/generate", "", None, body.as_bytes());
    assert_eq!(r.status, 413);
    let p = problem(&r);
    assert_eq!(
        p["type"],
        "https://github.com/qr-workshop/qr-workshop/blob/main/README.md#capacity-exceeded"
    );
    assert!(p["detail"].as_str().unwrap().contains("1273"), "{p}");
    let body = format!(
        r#"{{"data":"{}","error_correction":"H"}}"#,
        "a".repeat(1273)
    );
    assert_eq!(
        call(&GENERATE, "POST", "/generate", "", None, body.as_bytes()).status,
        200
    );
}

#[test]
fn binary_payloads_are_returned_as_base64() {
    // Bytes no character set reads cleanly (NUL, C1 controls, not UTF-8): a byte-mode symbol
    // whose payload has no text, so the API must send it as base64.
    let bytes = [0x00, 0x81, 0x9f, 0x02, 0xff];
    let s = qr_encode::encode(&bytes, qr_encode::EcLevel::M).unwrap();
    let symbol = qr_encode::to_png(
        &s,
        &qr_encode::Style {
            scale: 4,
            ..Default::default()
        },
    );
    let r = call(&DECODE, "POST", "/decode", "", None, &symbol);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    let code = &v["codes"][0];
    assert_eq!(code["text"], Value::Null, "{v}");
    assert_eq!(code["encoding"], "binary", "{v}");
    assert_eq!(code["bytes_base64"], "AIGfAv8=", "{v}");
    assert_eq!(v["data"], Value::Null, "{v}");

    // Text payloads carry no base64 copy.
    let s = qr_encode::encode("café".as_bytes(), qr_encode::EcLevel::M).unwrap();
    let symbol = qr_encode::to_png(&s, &qr_encode::Style::default());
    let r = call(&DECODE, "POST", "/decode", "", None, &symbol);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["codes"][0]["text"], "café", "{v}");
    assert!(v["codes"][0].get("bytes_base64").is_none(), "{v}");
}

#[test]
fn light_on_dark_codes_are_read_and_flagged_inverted() {
    let png = call(
        &GENERATE,
        "GET",
        "/generate",
        "data=night%20mode&fg=ffffff&bg=000000&scale=4",
        None,
        b"",
    )
    .body;
    let v: Value =
        serde_json::from_slice(&call(&DECODE, "POST", "/decode", "", None, &png).body).unwrap();
    assert_eq!(v["codes"][0]["text"], "night mode", "{v}");
    assert_eq!(v["codes"][0]["inverted"], true);
    assert_eq!(v["codes"][0]["mirrored"], false);
    assert_eq!(v["codes"][0]["encoding"], "utf-8");
}

/// The four pieces of the corpus's structured-append message, side by side in one image,
/// come back as four pieces and one merged message.
#[test]
fn structured_append_pieces_in_one_image_are_merged() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/qr-corpus/zxing/qrcode-7");
    let pieces: Vec<image::GrayImage> = (1..=4)
        .map(|i| {
            image::open(dir.join(format!("01-0{i}.png")))
                .unwrap()
                .to_luma8()
        })
        .collect();
    let gap = 40;
    let width = pieces.iter().map(|p| p.width() + gap).sum::<u32>() + gap;
    let height = pieces.iter().map(|p| p.height()).max().unwrap() + 2 * gap;
    let mut sheet = image::GrayImage::from_pixel(width, height, image::Luma([255]));
    let mut x = gap;
    for p in &pieces {
        image::imageops::overlay(&mut sheet, p, i64::from(x), i64::from(gap));
        x += p.width() + gap;
    }
    let mut png = Vec::new();
    sheet
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();

    let v: Value =
        serde_json::from_slice(&call(&DECODE, "POST", "/decode", "", None, &png).body).unwrap();
    assert_eq!(v["codes"].as_array().unwrap().len(), 4, "{v}");
    let mut indices: Vec<u64> = v["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["structured_append"]["index"].as_u64().unwrap())
        .collect();
    indices.sort_unstable();
    assert_eq!(indices, [0, 1, 2, 3]);
    let expected = std::fs::read_to_string(dir.join("01.txt")).unwrap();
    assert_eq!(
        v["merged"][0]["text"]
            .as_str()
            .map(|t| t.trim_end_matches('\n')),
        Some(expected.trim_end_matches('\n'))
    );
    assert_eq!(v["merged"][0]["total"], 4);
}

#[test]
fn a_micro_qr_m1_symbol_decodes_with_no_level() {
    // M1 detects errors but corrects none: `ecc` is null. The fixture is one pixel a module;
    // the test scales it to four.
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../qr-scan/tests/fixtures/micro"
    );
    let m1 = image::open(format!("{dir}/m1.png")).unwrap().to_luma8();
    let big = image::imageops::resize(
        &m1,
        m1.width() * 4,
        m1.height() * 4,
        image::imageops::FilterType::Nearest,
    );
    let mut png = std::io::Cursor::new(Vec::new());
    big.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let r = call(&DECODE, "POST", "/decode", "", None, &png.into_inner());
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    let code = &v["codes"][0];
    assert_eq!(
        (
            &code["symbology"],
            &code["version"],
            &code["version_name"],
            &code["ecc"],
            &code["text"]
        ),
        (
            &json!("micro_qr"),
            &json!(1),
            &json!("M1"),
            &Value::Null,
            &json!("01234")
        ),
        "{v}"
    );
}
