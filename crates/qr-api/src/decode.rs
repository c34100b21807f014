//! `/decode`, served by the decode component.

use base64::Engine as _;
use serde::Serialize;

use crate::generate::not_allowed;
use crate::{Problem, Reply, Request, media_type, multipart};
use qr_core::Code;

/// The JSON reply: every code found, plus the Python service's `data` field.
#[derive(Debug, Serialize)]
struct Decoded<'a> {
    codes: Vec<CodeJson<'a>>,
    /// The first code's text, or `null`: what the Python service returned as `data`.
    data: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct CodeJson<'a> {
    /// The payload as text; `null` when it is not valid text (see `bytes_base64`).
    text: Option<&'a str>,
    /// The raw payload, base64, only when it is not valid text.
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes_base64: Option<String>,
    version: u8,
    ecc: String,
    /// Top-left, top-right, bottom-right, bottom-left as the symbol is oriented, in pixels,
    /// to 0.1 px (finer digits are noise from the sampling grid).
    corners: [[f32; 2]; 4],
}

impl<'a> From<&'a Code> for CodeJson<'a> {
    fn from(c: &'a Code) -> Self {
        CodeJson {
            text: c.text.as_deref(),
            bytes_base64: c
                .text
                .is_none()
                .then(|| base64::engine::general_purpose::STANDARD.encode(&c.bytes)),
            version: c.version,
            ecc: c.ec_level.to_string(),
            corners: c.corners.map(|p| p.map(|v| (v * 10.0).round() / 10.0)),
        }
    }
}

pub(crate) fn handle(req: &Request<'_>) -> Reply {
    match (req.path, req.method) {
        ("/decode", "POST") => decode(req),
        ("/decode", _) => not_allowed(req, "POST"),
        (path, _) => Problem::not_found(path).into_reply(),
    }
}

/// The image is the multipart field `file` when the body is multipart, else the body itself,
/// whatever it is labelled (`curl --data-binary` says form-urlencoded); the format is sniffed.
fn decode(req: &Request<'_>) -> Reply {
    let image = match media_type(req.content_type).as_deref() {
        Some("multipart/form-data") => {
            match multipart::field(req.content_type.unwrap_or_default(), req.body, "file") {
                Ok(bytes) => bytes,
                Err(e) => return e.into(),
            }
        }
        _ => req.body,
    };
    match qr_core::decode(image) {
        Ok(found) => {
            let codes: Vec<CodeJson<'_>> = found.iter().map(CodeJson::from).collect();
            let data = found.first().and_then(|c| c.text.as_deref());
            Reply::json(&Decoded { codes, data })
        }
        Err(e) => e.into(),
    }
}
