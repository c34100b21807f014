//! The requests every section sends: the Python service's own fixtures (`generate.json`,
//! `qr_287.png`), an SVG variant, and a phone photo from the shared corpus.

use anyhow::{Context as _, Result};
use bytes::Bytes;

use crate::paths;
use crate::wasm::Call;

/// A 640x480 phone photo of a QR code (zxing's black-box set), the hard decode case.
const PHONE_PHOTO: &str = "zxing-java/qrcode-1/1.png";

/// The request that does no QR work: what a fresh instance of the app's component costs by
/// itself (store, instantiate, spin-sdk's request and response plumbing).
pub const FIXED_COST: &str = "GET /health (fixed cost)";

/// One request and the component that serves it.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: &'static str,
    /// File stem under `target/wasm32-wasip2/release/`.
    pub component: &'static str,
    pub call: Call,
}

/// Health (the fixed cost), generate PNG and SVG, decode a clean PNG and a phone photo.
pub fn cases() -> Result<Vec<Case>> {
    // The seed's own generate body and clean 287 px PNG, as the HTTP load section sends them.
    let seed = paths::python_seed();
    let json = read(seed.join("generate.json"))?;
    let mut svg: serde_json::Value = serde_json::from_slice(&json).context("generate.json")?;
    svg["format"] = "svg".into();
    let svg = Bytes::from(serde_json::to_vec(&svg)?);
    let call = |method, path: &str, content_type, body| Call {
        method,
        path_and_query: path.into(),
        content_type,
        body,
    };
    let generate = |name, body| Case {
        name,
        component: "qr_generate",
        call: call("POST", "/generate", "application/json", body),
    };
    let decode = |name, body| Case {
        name,
        component: "qr_decode",
        call: call("POST", "/decode", "image/png", body),
    };
    let photo = read(paths::corpus().join(PHONE_PHOTO))?;
    Ok(vec![
        Case {
            name: FIXED_COST,
            component: "qr_generate",
            call: call("GET", "/health", "text/plain", Bytes::new()),
        },
        generate("generate PNG", json),
        generate("generate SVG", svg),
        decode("decode clean PNG (287 px)", read(seed.join("qr_287.png"))?),
        decode("decode phone photo (640x480)", photo),
    ])
}

/// The same request served natively: the `qr-api` handler the component wraps, which parses
/// the request and calls `qr_core::generate` / `qr_core::decode`. Fails unless it answers 200.
pub fn native(call: &Call) -> Result<Vec<u8>> {
    let (path, query) = call
        .path_and_query
        .split_once('?')
        .unwrap_or((&call.path_and_query, ""));
    let endpoint = if path == "/decode" {
        qr_api::DECODE
    } else {
        qr_api::GENERATE
    };
    let request = qr_api::Request {
        method: call.method,
        path,
        query,
        content_type: Some(call.content_type),
        if_none_match: None,
        body: &call.body,
    };
    let reply = (endpoint.handle)(&request);
    anyhow::ensure!(
        reply.status == 200,
        "native {path} answered {}",
        reply.status
    );
    Ok(reply.body)
}

fn read(path: std::path::PathBuf) -> Result<Bytes> {
    Ok(std::fs::read(&path)
        .with_context(|| format!("reading {}", path.display()))?
        .into())
}
