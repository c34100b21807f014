//! The components are standard `wasi:http@0.2` proxies: a host nobody here wrote,
//! `wasmtime serve` (the official 48.x CLI, installed by `scripts/setup --test`), serves them
//! unchanged.

use crate::readback::{multipart, ok, ok_json, red_png, rxing_png, rxing_png_as, unzip};
use qr_tests::{Host, Response, StatusCode, assert_api_problem, header, wasm};
use serde_json::{Value, json};

#[test]
fn the_decode_component_answers_under_wasmtime_serve() {
    let server = Host::wasmtime_serve(&wasm("qr_decode"));
    let photo = qr_tests::shared_file("peers/python-seed/qr_287.png");
    let body = ok_json(server.post("/decode", "image/png", photo));
    assert_eq!(body["data"], "https://example.com/product/123");
    assert_eq!(body["codes"][0]["symbology"], "qr");

    // An rMQR symbol (a fixture of crates/qr-scan/tests/fixtures/micro) reads as one.
    let fixture = "crates/qr-scan/tests/fixtures/micro/x4/r11x43-m.png";
    let rmqr = std::fs::read(qr_tests::workspace_root().join(fixture)).unwrap();
    let body = ok_json(server.post("/decode", "image/png", rmqr));
    assert_eq!(body["codes"][0]["symbology"], "rmqr", "{body}");
    assert_eq!(body["codes"][0]["version_name"], "R11x43", "{body}");
    assert_eq!(body["data"], "https://rmqr.examp", "{body}");
}

/// The generate component alone under `wasmtime serve`: the seed request (the Python
/// service's 410 px PNG), a problem for an unknown route, and every generation feature of
/// issue 16: payload builders (JSON and dotted query), styles, a logo (base64 JSON and
/// multipart), every format, `/generate/batch` and structured append, ETag and 304, Micro QR
/// and rMQR.
#[test]
fn the_generate_component_and_every_generate_feature_answer_under_wasmtime_serve() {
    let server = Host::wasmtime_serve(&wasm("qr_generate"));
    let get = |query: &str| server.get(&format!("/generate?{query}"));
    let json = |body: Value| server.post("/generate", "application/json", body.to_string());
    let seed = json(json!({"data": "https://example.com/product/123"}));
    assert_eq!(seed.headers()["content-type"], "image/png");
    let image = image::load_from_memory(&ok(seed)).expect("a PNG");
    assert_eq!((image.width(), image.height()), (410, 410));
    assert_api_problem(server.get("/elsewhere"), 404, "not-found");
    // The answer's content type, and its body once it is known to be a 200.
    let answer = |response: Response| {
        let what = response.url().to_string();
        let content_type = header(&response, "content-type").to_owned();
        (what, content_type, ok(response))
    };
    // A PNG that rxing reads as `text`.
    let reads = |response, text: &str| {
        let (what, content_type, png) = answer(response);
        assert_eq!(content_type, "image/png", "{what}");
        assert_eq!(rxing_png(&png), text, "{what}");
    };

    let wifi = json!({"wifi": {"ssid": "home", "password": "pw"}});
    reads(json(wifi), "WIFI:T:WPA;S:home;P:pw;;");
    let geo = get("geo.lat=48.2082&geo.lon=16.3738");
    reads(geo, "geo:48.2082,16.3738");
    let styles = "module_shape=dots&eye_frame=circle&eye_ball=rounded&gradient=radial\
                  &fg=0d47a1&fg2=1b5e20&eye_color=b71c1c";
    reads(get(&format!("data=styled&{styles}")), "styled");
    let logo = red_png(16, 16);
    let logo64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &logo);
    let with_logo = json!({"data": "logo by JSON", "logo": logo64, "module_shape": "rounded"});
    reads(json(with_logo), "logo by JSON");
    let form = [("data", "logo by multipart"), ("logo_size", "0.2")];
    let (multipart_type, multipart_body) = multipart(&form, &logo);
    let by_multipart = server.post("/generate", &multipart_type, multipart_body);
    reads(by_multipart, "logo by multipart");

    // Every other format: a body of its content type holding its signature.
    for (format, content_type, signature) in [
        ("svg", "image/svg+xml", "<svg"),
        ("pdf", "application/pdf", "%PDF-1.4"),
        ("eps", "application/postscript", "%!PS-Adobe-3.0 EPSF-3.0"),
        ("text", "text/plain; charset=utf-8", "█"),
    ] {
        let (what, got, body) = answer(get(&format!("data=hi&format={format}")));
        assert_eq!(got, content_type, "{what}");
        assert!(String::from_utf8_lossy(&body).contains(signature), "{what}");
    }

    // A batch and a structured-append sequence: ZIPs of at least two PNGs whose texts, read by
    // rxing and joined in order, are what was asked for.
    let long = (0..8)
        .map(|i| format!("https://example.com/p/{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let batch = server.post(
        "/generate/batch",
        "text/csv",
        "data,name\nfirst,one\nsecond,two\n",
    );
    let sequence = get(&format!("append=auto&max_version=3&ecc=L&data={long}"));
    for (response, joined) in [(batch, "firstsecond"), (sequence, long.as_str())] {
        let (what, content_type, zip) = answer(response);
        assert_eq!(content_type, "application/zip", "{what}");
        let members = unzip(zip);
        assert!(members.len() >= 2, "{what}: {} members", members.len());
        let read: String = members.iter().map(|(_, png)| rxing_png(png)).collect();
        assert_eq!(read, joined, "{what}");
    }

    // ETag and 304 on GET.
    let tag = server.get("/generate?data=hi&format=text").headers()["etag"].clone();
    let request = server
        .client()
        .get(server.url("/generate?data=hi&format=text"));
    let cached = request.header("if-none-match", tag).send().unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert!(cached.bytes().unwrap().is_empty());

    // Micro QR and rMQR, each read back by rxing.
    use rxing::BarcodeFormat::{MICRO_QR_CODE, RECTANGULAR_MICRO_QR_CODE};
    let micro = ok(get("symbology=micro_qr&data=HELLO%20WORLD"));
    assert_eq!(rxing_png_as(&micro, MICRO_QR_CODE), "HELLO WORLD");
    let url = "https://example.com/product/123";
    let rmqr = ok(get(&format!("symbology=rmqr&data={url}")));
    assert_eq!(rxing_png_as(&rmqr, RECTANGULAR_MICRO_QR_CODE), url);
}

#[test]
fn the_ui_component_serves_the_page_and_the_openapi_document_under_wasmtime_serve() {
    let server = Host::wasmtime_serve(&wasm("qr_ui"));
    let page = server.get("/");
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(header(&page, "content-security-policy").contains("script-src 'self'"));
    assert!(page.text().expect("text body").contains("/ui/app.js"));

    let doc = ok_json(server.get("/openapi.json"));
    assert!(doc["paths"]["/generate"].is_object(), "{doc}");
    assert_eq!(server.get("/ui/missing.js").status(), StatusCode::NOT_FOUND);
}
