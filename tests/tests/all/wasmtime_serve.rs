//! The components are standard `wasi:http@0.2` proxies: a host nobody here wrote,
//! `wasmtime serve` (the official 48.x CLI, installed by `scripts/setup --test`), serves them
//! unchanged.

// A failed unwrap in a test is a failed test with its message.
#![allow(clippy::unwrap_used)]

use crate::readback::{multipart, red_png, rxing_png, rxing_png_as, unzip};
use qr_tests::{Host, StatusCode, assert_api_problem, header, wasm};
use serde_json::Value;

#[test]
fn the_generate_component_answers_under_wasmtime_serve() {
    let server = Host::wasmtime_serve(&wasm("qr_generate"));
    let png = server.post(
        "/generate",
        "application/json",
        r#"{"data":"https://example.com/product/123"}"#,
    );
    assert_eq!(png.status(), StatusCode::OK);
    assert_eq!(png.headers()["content-type"], "image/png");
    let image = image::load_from_memory(&png.bytes().expect("body")).expect("a PNG");
    assert_eq!((image.width(), image.height()), (410, 410));
    assert_api_problem(server.get("/elsewhere"), 404, "not-found");
}

#[test]
fn the_decode_component_answers_under_wasmtime_serve() {
    let server = Host::wasmtime_serve(&wasm("qr_decode"));
    let photo = qr_tests::shared_file("peers/python-seed/qr_287.png");
    let response = server.post("/decode", "image/png", photo);
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().expect("JSON body");
    assert_eq!(body["data"], "https://example.com/product/123");
    assert_eq!(body["codes"][0]["symbology"], "qr");

    // An rMQR symbol (a fixture of crates/qr-scan/tests/fixtures/micro) reads as one.
    let rmqr = std::fs::read(
        qr_tests::workspace_root().join("crates/qr-scan/tests/fixtures/micro/x4/r11x43-m.png"),
    )
    .unwrap();
    let response = server.post("/decode", "image/png", rmqr);
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().unwrap();
    assert_eq!(body["codes"][0]["symbology"], "rmqr", "{body}");
    assert_eq!(body["codes"][0]["version_name"], "R11x43", "{body}");
    assert_eq!(body["data"], "https://rmqr.examp", "{body}");
}

/// A request: method, path and query, content type, body.
type Sent<'a> = (&'a str, String, &'a str, Vec<u8>);

/// What a generate answer under `wasmtime serve` must be.
enum Expect {
    /// A PNG that rxing reads as this text.
    Reads(&'static str),
    /// A body of this content type holding these bytes.
    Holds(&'static str, &'static [u8]),
    /// A ZIP of at least two PNGs, whose texts read by rxing, joined in order, are this.
    Zip(String),
}

/// Every generation feature of issue 16 through the generate component alone under
/// `wasmtime serve`: payload builders (JSON and dotted query), styles, a logo (base64 JSON and
/// multipart), every format, `/generate/batch` and structured append; then ETag and 304.
#[test]
fn every_generate_feature_answers_under_wasmtime_serve() {
    let server = Host::wasmtime_serve(&wasm("qr_generate"));
    let http = server.client();
    let logo = red_png(16, 16);
    let logo64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &logo);
    let (multipart_type, multipart_body) = multipart(
        &[("data", "logo by multipart"), ("logo_size", "0.2")],
        &logo,
    );
    let long = (0..8)
        .map(|i| format!("https://example.com/p/{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let json = |v: Value| {
        (
            "POST",
            "/generate".to_owned(),
            "application/json",
            v.to_string().into_bytes(),
        )
    };
    let get = |q: &str| ("GET", format!("/generate?{q}"), "text/plain", Vec::new());
    let cases: Vec<(&str, Sent, Expect)> = vec![
        (
            "payload builder, JSON",
            json(serde_json::json!({"wifi": {"ssid": "home", "password": "pw"}})),
            Expect::Reads("WIFI:T:WPA;S:home;P:pw;;"),
        ),
        (
            "payload builder, dotted query",
            get("geo.lat=48.2082&geo.lon=16.3738"),
            Expect::Reads("geo:48.2082,16.3738"),
        ),
        (
            "styles",
            get(
                "data=styled&module_shape=dots&eye_frame=circle&eye_ball=rounded&gradient=radial&fg=0d47a1&fg2=1b5e20&eye_color=b71c1c",
            ),
            Expect::Reads("styled"),
        ),
        (
            "logo, base64 JSON",
            json(
                serde_json::json!({"data": "logo by JSON", "logo": logo64, "module_shape": "rounded"}),
            ),
            Expect::Reads("logo by JSON"),
        ),
        (
            "logo, multipart",
            (
                "POST",
                "/generate".to_owned(),
                multipart_type.as_str(),
                multipart_body,
            ),
            Expect::Reads("logo by multipart"),
        ),
        (
            "svg",
            get("data=hi&format=svg"),
            Expect::Holds("image/svg+xml", b"<svg"),
        ),
        (
            "pdf",
            get("data=hi&format=pdf"),
            Expect::Holds("application/pdf", b"%PDF-1.4"),
        ),
        (
            "eps",
            get("data=hi&format=eps"),
            Expect::Holds("application/postscript", b"%!PS-Adobe-3.0 EPSF-3.0"),
        ),
        (
            "text",
            get("data=hi&format=text"),
            Expect::Holds("text/plain; charset=utf-8", "█".as_bytes()),
        ),
        (
            "batch",
            (
                "POST",
                "/generate/batch".to_owned(),
                "text/csv",
                b"data,name\nfirst,one\nsecond,two\n".to_vec(),
            ),
            Expect::Zip("firstsecond".into()),
        ),
        (
            "structured append",
            get(&format!("append=auto&max_version=3&ecc=L&data={long}")),
            Expect::Zip(long.clone()),
        ),
    ];
    for (what, (method, path, content_type, body), expect) in cases {
        let response = http
            .request(method.parse().unwrap(), server.url(&path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{what}");
        let ct = header(&response, "content-type").to_owned();
        let bytes = response.bytes().unwrap().to_vec();
        match expect {
            Expect::Reads(text) => {
                assert_eq!(ct, "image/png", "{what}");
                assert_eq!(rxing_png(&bytes), text, "{what}");
            }
            Expect::Holds(want, needle) => {
                assert_eq!(ct, want, "{what}");
                assert!(bytes.windows(needle.len()).any(|w| w == needle), "{what}");
            }
            Expect::Zip(joined) => {
                assert_eq!(ct, "application/zip", "{what}");
                let members = unzip(bytes);
                assert!(members.len() >= 2, "{what}: {} members", members.len());
                let read: String = members.iter().map(|(_, png)| rxing_png(png)).collect();
                assert_eq!(read, joined, "{what}");
            }
        }
    }

    // ETag and 304 on GET.
    let tag = server.get("/generate?data=hi&format=text").headers()["etag"].clone();
    let cached = http
        .get(server.url("/generate?data=hi&format=text"))
        .header("if-none-match", tag)
        .send()
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert!(cached.bytes().unwrap().is_empty());

    // Micro QR and rMQR, each read back by rxing.
    for (query, format, text) in [
        (
            "symbology=micro_qr&data=HELLO%20WORLD",
            rxing::BarcodeFormat::MICRO_QR_CODE,
            "HELLO WORLD",
        ),
        (
            "symbology=rmqr&data=https://example.com/product/123",
            rxing::BarcodeFormat::RECTANGULAR_MICRO_QR_CODE,
            "https://example.com/product/123",
        ),
    ] {
        let png = server.get(&format!("/generate?{query}"));
        assert_eq!(png.status(), StatusCode::OK, "{query}");
        assert_eq!(rxing_png_as(&png.bytes().unwrap(), format), text);
    }
}

#[test]
fn the_ui_component_serves_the_page_and_the_openapi_document_under_wasmtime_serve() {
    let server = Host::wasmtime_serve(&wasm("qr_ui"));
    let page = server.get("/");
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(header(&page, "content-security-policy").contains("script-src 'self'"));
    assert!(page.text().expect("text body").contains("/ui/app.js"));

    let doc: Value = server.get("/openapi.json").json().expect("JSON body");
    assert!(doc["paths"]["/generate"].is_object(), "{doc}");
    assert_eq!(server.get("/ui/missing.js").status(), StatusCode::NOT_FOUND);
}
