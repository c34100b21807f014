//! The components are standard `wasi:http@0.2` proxies: a host nobody here wrote,
//! `wasmtime serve` (the official 48.x CLI, installed by `scripts/setup --test`), serves them
//! unchanged.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use qr_tests::{StatusCode, client, tool, wasm};
use serde_json::Value;

/// A `wasmtime serve` process on an ephemeral loopback port, killed on drop.
struct WasmtimeServe {
    child: Child,
    addr: SocketAddr,
}

impl WasmtimeServe {
    fn start(component: &std::path::Path) -> WasmtimeServe {
        let mut child = Command::new(tool("wasmtime"))
            .args(["serve", "-S", "cli=y", "--addr", "127.0.0.1:0"])
            .arg(component)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn `wasmtime serve`");
        // It prints `Serving HTTP on http://ADDR/` once it listens; read lines until then.
        let stderr = BufReader::new(child.stderr.take().expect("piped stderr"));
        let mut seen = Vec::new();
        let mut lines = stderr.lines();
        let addr = loop {
            let line = match lines.next() {
                Some(Ok(line)) => line,
                _ => {
                    let _ = child.kill();
                    panic!("wasmtime serve exited before listening: {seen:?}");
                }
            };
            if let Some(rest) = line.strip_prefix("Serving HTTP on http://") {
                break rest
                    .trim_end_matches('/')
                    .parse()
                    .expect("a socket address");
            }
            seen.push(line);
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        WasmtimeServe { child, addr }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for WasmtimeServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_generate_component_answers_under_wasmtime_serve() {
    let server = WasmtimeServe::start(&wasm("qr_generate"));
    let http = client();
    let png = http
        .post(server.url("/generate"))
        .header("content-type", "application/json")
        .body(r#"{"data":"https://example.com/product/123"}"#)
        .send()
        .expect("request");
    assert_eq!(png.status(), StatusCode::OK);
    assert_eq!(png.headers()["content-type"], "image/png");
    let image = image::load_from_memory(&png.bytes().expect("body")).expect("a PNG");
    assert_eq!((image.width(), image.height()), (410, 410));

    let missing = http.get(server.url("/elsewhere")).send().expect("request");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
}

#[test]
fn the_decode_component_answers_under_wasmtime_serve() {
    let server = WasmtimeServe::start(&wasm("qr_decode"));
    let photo =
        std::fs::read(qr_tests::workspace_root().join("../shared/peers/python-seed/qr_287.png"))
            .expect("the seed's sample photo");
    let response = client()
        .post(server.url("/decode"))
        .body(photo)
        .send()
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().expect("JSON body");
    assert_eq!(body["data"], "https://example.com/product/123");
}

#[test]
fn the_new_generate_features_answer_under_wasmtime_serve() {
    let server = WasmtimeServe::start(&wasm("qr_generate"));
    let http = client();
    // A payload builder, a style and a logo (a 16 × 16 PNG made here) in one request.
    let logo = {
        let img = image::RgbaImage::from_pixel(16, 16, image::Rgba([200, 20, 40, 255]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("encode the logo");
        out.into_inner()
    };
    let logo = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, logo);
    let body = serde_json::json!({
        "wifi": {"ssid": "home", "password": "pw"},
        "module_shape": "dots", "eye_frame": "circle", "logo": logo,
    });
    let png = http
        .post(server.url("/generate"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .expect("request");
    assert_eq!(png.status(), StatusCode::OK);
    let image = image::load_from_memory(&png.bytes().expect("body"))
        .expect("a PNG")
        .to_luma8();
    let read = rxing::helpers::detect_in_luma(
        image.as_raw().clone(),
        image.width(),
        image.height(),
        Some(rxing::BarcodeFormat::QR_CODE),
    )
    .expect("rxing reads the logo PNG");
    assert_eq!(read.getText(), "WIFI:T:WPA;S:home;P:pw;;");

    // Text format, ETag and 304.
    let text = http
        .get(server.url("/generate?data=hi&format=text"))
        .send()
        .expect("request");
    let tag = text.headers()["etag"].clone();
    assert!(text.text().expect("text body").contains('█'));
    let cached = http
        .get(server.url("/generate?data=hi&format=text"))
        .header("if-none-match", tag)
        .send()
        .expect("request");
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);

    // The batch ZIP streams under a host nobody here wrote too.
    let zip = http
        .post(server.url("/generate/batch"))
        .header("content-type", "text/csv")
        .body("data,name\na,one\nb,two\n")
        .send()
        .expect("request");
    assert_eq!(zip.status(), StatusCode::OK);
    let bytes = zip.bytes().expect("body");
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a ZIP");
    assert_eq!(archive.file_names().count(), 2);
}

#[test]
fn the_ui_component_serves_the_page_and_the_openapi_document_under_wasmtime_serve() {
    let server = WasmtimeServe::start(&wasm("qr_ui"));
    let http = client();
    let page = http.get(server.url("/")).send().expect("request");
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .expect("an ASCII header")
            .contains("script-src 'self'")
    );
    assert!(page.text().expect("text body").contains("/ui/app.js"));

    let doc: Value = http
        .get(server.url("/openapi.json"))
        .send()
        .expect("request")
        .json()
        .expect("JSON body");
    assert!(doc["paths"]["/generate"].is_object(), "{doc}");

    let missing = http
        .get(server.url("/ui/missing.js"))
        .send()
        .expect("request");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
