//! `/generate` and `/health` over real HTTP: qr-host serving the built components from the
//! product's own spin.toml.

use qr_tests::{Host, StatusCode, app_manifest};
use serde_json::Value;

const SEED_JSON: &str = include_str!("../../../shared/peers/python-seed/generate.json");

/// The body of a problem+json response, after checking its shape and status.
fn problem(response: qr_tests::Response, status: u16, kind: &str) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "problem responses say so"
    );
    let body: Value = response.json().expect("problem+json body");
    assert_eq!(
        body["type"],
        format!("https://github.com/qr-workshop/qr-workshop/blob/main/README.md#{kind}"),
        "{body}"
    );
    assert_eq!(body["status"], status);
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    body
}

fn luma(png: &[u8]) -> image::GrayImage {
    image::load_from_memory(png).expect("a PNG").to_luma8()
}

#[test]
fn the_seed_request_gets_the_python_services_geometry_and_decodes_back() {
    let host = Host::start(app_manifest());
    let response = host.post("/generate", "application/json", SEED_JSON);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.headers()["x-qr-version"], "4");
    let png = response.bytes().unwrap().to_vec();

    // Same defaults as the Python service (level H, 10 px, margin 4): same size, version and
    // level. The mask may differ: we pick the one ISO/IEC 18004's penalty rules select,
    // python-qrcode scores masks slightly differently (see crates/qr-encode/BENCHMARKS.md;
    // with its mask forced the pixels match exactly, tested in qr-encode).
    let python = std::fs::read(
        qr_tests::workspace_root().join("../shared/peers/python-seed/qr_default_410.png"),
    )
    .expect("the Python service's fixture image");
    assert_eq!(luma(&png).dimensions(), luma(&python).dimensions());
    assert!(
        png.len() <= python.len(),
        "our PNG ({} B) is no bigger than Python's ({} B)",
        png.len(),
        python.len()
    );

    let decoded: Value = host.post("/decode", "image/png", png).json().unwrap();
    assert_eq!(decoded["data"], "https://example.com/product/123");
    assert_eq!(decoded["codes"][0]["ecc"], "H");
    assert_eq!(decoded["codes"][0]["version"], 4);
    let theirs: Value = host.post("/decode", "image/png", python).json().unwrap();
    assert_eq!(
        theirs["codes"][0]["version"],
        decoded["codes"][0]["version"]
    );
    host.shutdown();
}

#[test]
fn query_options_shape_png_and_svg_and_both_read_back() {
    let host = Host::start(app_manifest());
    for ecc in ["L", "M", "Q", "H"] {
        let response = host.get(&format!(
            "/generate?data=gate%207%20%E2%9C%85&ecc={ecc}&scale=3&margin=2&fg=%23102030&bg=ffffff"
        ));
        assert_eq!(response.status(), StatusCode::OK, "{ecc}");
        assert!(
            response.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        let version: u32 = response.headers()["x-qr-version"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let png = response.bytes().unwrap().to_vec();
        // 17 + 4 × version modules, 2 margin modules a side, 3 px a module.
        assert_eq!(luma(&png).width(), (17 + 4 * version + 4) * 3, "{ecc}");
        let decoded: Value = host
            .post("/decode", "application/octet-stream", png)
            .json()
            .unwrap();
        assert_eq!(decoded["codes"][0]["text"], "gate 7 ✅");
        assert_eq!(decoded["codes"][0]["ecc"], ecc);
    }

    let svg = host.get("/generate?data=hello&format=svg&scale=5");
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let text = svg.text().unwrap();
    assert!(
        text.starts_with("<?xml") && text.ends_with("</svg>"),
        "{text}"
    );
    assert!(
        text.contains(r#"width="145""#),
        "21 + 8 modules at 5 px: {text}"
    );
    host.shutdown();
}

#[test]
fn health_answers_json_and_the_host_answers_spins_health_path() {
    let host = Host::start(app_manifest());
    let health = host.get("/health");
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.json::<Value>().unwrap()["status"], "ok");
    assert_eq!(
        host.get("/.well-known/spin/health").status(),
        StatusCode::OK
    );
    host.shutdown();
}

#[test]
fn unknown_routes_and_methods_are_problems() {
    let host = Host::start(app_manifest());
    problem(host.get("/nope"), 404, "not-found");
    problem(host.get("/generate/extra"), 404, "not-found");
    let put = host
        .client()
        .put(host.url("/generate"))
        .body("x")
        .send()
        .unwrap();
    assert_eq!(put.headers()["allow"], "GET, POST");
    problem(put, 405, "method-not-allowed");
    let get = host.get("/decode");
    assert_eq!(get.headers()["allow"], "POST");
    problem(get, 405, "method-not-allowed");
    host.shutdown();
}

#[test]
fn every_generate_limit_holds_at_its_edge() {
    use qr_core::limits::*;
    let host = Host::start(app_manifest());
    let post = |body: String| host.post("/generate", "application/json", body);

    // Body size: padding with spaces keeps the JSON valid at any length.
    let json = r#"{"data":"x"}"#;
    let pad = |total: usize| format!("{json}{}", " ".repeat(total - json.len()));
    assert_eq!(post(pad(MAX_GENERATE_BODY_BYTES)).status(), StatusCode::OK);
    problem(
        post(pad(MAX_GENERATE_BODY_BYTES + 1)),
        413,
        "body-too-large",
    );

    // Payload length, then capacity at the chosen level (bytes at H hold 1273).
    let digits = |n: usize| {
        format!(
            r#"{{"data":"{}","error_correction":"L","size":1}}"#,
            "7".repeat(n)
        )
    };
    assert_eq!(post(digits(MAX_DATA_BYTES)).status(), StatusCode::OK);
    problem(post(digits(MAX_DATA_BYTES + 1)), 413, "data-too-long");
    let bytes = |n: usize| format!(r#"{{"data":"{}","size":1}}"#, "a".repeat(n));
    assert_eq!(post(bytes(1273)).status(), StatusCode::OK);
    let over = problem(post(bytes(1274)), 413, "capacity-exceeded");
    assert!(over["detail"].as_str().unwrap().contains("1273"), "{over}");

    // Scale and margin ranges.
    for (query, ok) in [
        (format!("scale={MIN_SCALE}"), true),
        (format!("scale={}", MIN_SCALE - 1), false),
        (format!("scale={MAX_SCALE}"), true),
        (format!("scale={}", MAX_SCALE + 1), false),
        (format!("margin={MAX_MARGIN}&scale=1"), true),
        (format!("margin={}&scale=1", MAX_MARGIN + 1), false),
        ("ecc=X".to_owned(), false),
        ("fg=%23abc".to_owned(), false),
    ] {
        let response = host.get(&format!("/generate?data=x&{query}"));
        if ok {
            assert_eq!(response.status(), StatusCode::OK, "{query}");
        } else {
            problem(response, 400, "invalid-option");
        }
    }

    // Output side: version 40 (177 modules) at 50 px: margin 11 is 9950 px, margin 12 is 10050.
    assert!(MAX_OUTPUT_SIDE_PX < 10_050 && MAX_OUTPUT_SIDE_PX >= 9_950);
    let v40 = |margin: u32| {
        format!(
            r#"{{"data":"{}","error_correction":"L","size":50,"margin":{margin},"format":"svg"}}"#,
            "a".repeat(2953)
        )
    };
    assert_eq!(post(v40(11)).status(), StatusCode::OK);
    problem(post(v40(12)), 422, "output-too-large");

    problem(post("not json".into()), 400, "invalid-json");
    problem(post("{}".into()), 400, "missing-data");
    host.shutdown();
}
