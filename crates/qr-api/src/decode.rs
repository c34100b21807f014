//! `/decode`, served by the decode component.

use base64::Engine as _;
use serde::Serialize;

use crate::{ApiError, Problem, Reply, Request, media_type, multipart};
use qr_core::{Code, Encoding, Merged, Symbology};

/// The JSON reply: every code found, plus the Python service's `data` field.
#[derive(Debug, Serialize)]
struct Decoded<'a> {
    codes: Vec<CodeJson<'a>>,
    /// The first code's text, or `null`: what the Python service returned as `data`.
    data: Option<&'a str>,
    /// Structured-append messages whose pieces are all in the image, joined; left out when
    /// there are none, so plain images keep the Python-compatible shape.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    merged: Vec<MergedJson<'a>>,
}

/// A payload as the API shows it: text when it reads as text, else base64 of the bytes.
fn base64_unless_text(text: Option<&str>, bytes: &[u8]) -> Option<String> {
    text.is_none()
        .then(|| base64::engine::general_purpose::STANDARD.encode(bytes))
}

#[derive(Debug, Serialize)]
struct MergedJson<'a> {
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes_base64: Option<String>,
    encoding: &'static str,
    total: u8,
    parity: u8,
}

impl<'a> From<&'a Merged> for MergedJson<'a> {
    fn from(m: &'a Merged) -> Self {
        MergedJson {
            text: m.text.as_deref(),
            bytes_base64: base64_unless_text(m.text.as_deref(), &m.bytes),
            encoding: encoding_name(m.encoding),
            total: m.total,
            parity: m.parity,
        }
    }
}

/// One piece of a structured-append sequence.
#[derive(Debug, Serialize)]
struct PieceJson {
    index: u8,
    total: u8,
    parity: u8,
}

/// How the text was read from the bytes, as the API names it.
fn encoding_name(e: Encoding) -> &'static str {
    match e {
        Encoding::Eci => "eci",
        Encoding::Utf8 => "utf-8",
        Encoding::ShiftJis => "shift_jis",
        Encoding::PerSegment => "per-segment",
        Encoding::Latin1 => "iso-8859-1",
        Encoding::Binary => "binary",
    }
}

/// The symbology as the API names it: `qr`, `micro_qr` or `rmqr`.
fn symbology_name(s: Symbology) -> &'static str {
    match s {
        Symbology::Qr => "qr",
        Symbology::MicroQr => "micro_qr",
        Symbology::Rmqr => "rmqr",
    }
}

#[derive(Debug, Serialize)]
struct CodeJson<'a> {
    /// The payload as text; `null` when it is not valid text (see `bytes_base64`).
    text: Option<&'a str>,
    /// The raw payload, base64, only when it is not valid text.
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes_base64: Option<String>,
    /// `qr`, `micro_qr` or `rmqr`.
    symbology: &'static str,
    /// 1-40 (QR), 1-4 (Micro QR M1-M4), 1-32 (rMQR, ISO/IEC 23941's order).
    version: u8,
    /// The version as its symbology names it: `7`, `M2`, `R11x59`.
    version_name: String,
    /// `L`, `M`, `Q`, `H`; `null` for M1, which only detects errors.
    ecc: Option<String>,
    /// Top-left, top-right, bottom-right, bottom-left as the symbol is oriented, in pixels,
    /// to 0.1 px (finer digits are noise from the sampling grid).
    corners: [[f32; 2]; 4],
    /// Light modules on a dark background.
    inverted: bool,
    /// Seen mirrored (through glass, or printed flipped).
    mirrored: bool,
    /// How `text` was read from the bytes: `eci`, `utf-8`, `shift_jis`, `per-segment`,
    /// `iso-8859-1` or `binary`.
    encoding: &'static str,
    /// This symbol's place in a structured-append sequence, when it is one piece.
    #[serde(skip_serializing_if = "Option::is_none")]
    structured_append: Option<PieceJson>,
}

impl<'a> From<&'a Code> for CodeJson<'a> {
    fn from(c: &'a Code) -> Self {
        CodeJson {
            symbology: symbology_name(c.symbology),
            text: c.text.as_deref(),
            bytes_base64: base64_unless_text(c.text.as_deref(), &c.bytes),
            version: c.version,
            version_name: c.version_name(),
            ecc: c.ec_level.map(|ec| ec.to_string()),
            corners: c.corners.map(|p| p.map(|v| (v * 10.0).round() / 10.0)),
            inverted: c.inverted,
            mirrored: c.mirrored,
            encoding: encoding_name(c.encoding),
            structured_append: c.structured_append.map(|p| PieceJson {
                index: p.index,
                total: p.total,
                parity: p.parity,
            }),
        }
    }
}

pub(crate) fn handle(req: &Request<'_>) -> Reply {
    match (req.path, req.method) {
        ("/decode", "POST") => decode(req),
        ("/decode", _) => Reply::not_allowed(req, "POST"),
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
    if image.is_empty() {
        return ApiError::MissingImage.into();
    }
    match qr_core::decode(image) {
        Ok(found) => {
            let codes: Vec<CodeJson<'_>> = found.iter().map(CodeJson::from).collect();
            let data = found.first().and_then(|c| c.text.as_deref());
            let joined = qr_core::merge_structured_append(&found);
            let merged = joined.iter().map(MergedJson::from).collect();
            Reply::json(&Decoded {
                codes,
                data,
                merged,
            })
        }
        Err(e) => ApiError::from(e).into(),
    }
}
