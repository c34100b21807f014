//! QR Workshop's HTTP contract, without a server: which routes exist, how bodies are read,
//! and what every reply looks like, errors included (RFC 7807 `application/problem+json`).
//!
//! A host adapter (the spin-sdk glue in `qr-spin`) turns its request into a [`Request`], calls
//! an [`Endpoint`]'s handler and writes the [`Reply`] back. In between, this crate reads the
//! request off the wire ([`options`]: JSON, query, form and multipart bodies into qr-core's
//! typed options), calls qr-core, and maps every [`ApiError`] (wire errors here, domain errors
//! from qr-core) to a problem type. Keeping the contract here means
//! it is tested natively, without a socket, and both components share one implementation.

#![forbid(unsafe_code)]
// In unit tests a failed unwrap is a failed test with its message.
#![cfg_attr(test, allow(clippy::unwrap_used))]

#[cfg(feature = "generate")]
mod batch;
#[cfg(feature = "decode")]
mod decode;
mod error;
#[cfg(feature = "generate")]
mod generate;
// The endpoints' helpers; without an endpoint (the ui component only needs `Reply` and
// `Problem`) they are left out.
#[cfg(any(feature = "generate", feature = "decode"))]
mod multipart;
#[cfg(feature = "generate")]
pub mod options;
mod problem;

pub use error::ApiError;
pub use problem::Problem;
/// The named limits, for adapters that enforce the body limits while reading.
pub use qr_core::limits;

/// An HTTP request as the endpoints see it: already read, body within the endpoint's limit.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Upper-case method, e.g. `POST`.
    pub method: &'a str,
    /// Path without the query, e.g. `/generate`.
    pub path: &'a str,
    /// Raw query string without the `?`, possibly empty.
    pub query: &'a str,
    /// The `content-type` header, if any.
    pub content_type: Option<&'a str>,
    /// The `if-none-match` header, if any: a GET whose answer has one of these entity tags
    /// gets a 304 without a body.
    pub if_none_match: Option<&'a str>,
    /// The whole body.
    pub body: &'a [u8],
}

/// An HTTP response to write back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers, `content-type` first.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// A 200 with a body of the given type.
    #[cfg(any(feature = "generate", feature = "decode"))]
    fn ok(content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type", content_type.to_owned())],
            body,
        }
    }

    /// A 200 `application/json` reply.
    #[cfg(any(feature = "generate", feature = "decode"))]
    fn json(value: &impl serde::Serialize) -> Reply {
        // Serialising our own plain structs cannot fail.
        let body = serde_json::to_vec(value).unwrap_or_default();
        Reply::ok("application/json", body)
    }

    /// 405 problem+json for a known path asked with another method, with its `allow` header.
    #[cfg(any(feature = "generate", feature = "decode"))]
    fn not_allowed(req: &Request<'_>, allow: &str) -> Reply {
        let mut reply = Problem::method_not_allowed(req.method, req.path, allow).into_reply();
        reply.headers.push(("allow", allow.to_owned()));
        reply
    }

    /// The value of header `name`, if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A 200 whose body is written as it is made (`/generate/batch`'s ZIP): the adapter sends
/// the head, then each chunk as the iterator yields it, without a `content-length`.
pub struct Streamed {
    /// Headers, `content-type` first.
    pub headers: Vec<(&'static str, String)>,
    /// The body, chunk by chunk.
    pub chunks: Box<dyn Iterator<Item = Vec<u8>>>,
}

impl std::fmt::Debug for Streamed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Streamed")
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl Streamed {
    /// The whole body in one reply, for adapters and tests that do not stream.
    pub fn collect(self) -> Reply {
        Reply {
            status: 200,
            headers: self.headers,
            body: self.chunks.flatten().collect(),
        }
    }
}

/// One component's share of the API: the body limit its adapter enforces while reading, and
/// the handlers it calls with the body read.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// Largest body the adapter may buffer; past it, reply with
    /// [`Problem::body_too_large`] without reading further.
    pub max_body_bytes: usize,
    /// Serves a request whose body is within `max_body_bytes`.
    pub handle: fn(&Request<'_>) -> Reply,
    /// For routes that stream their answer: `Some` (a stream, or the reply to send instead)
    /// takes the request instead of `handle`. `handle` serves the same routes buffered.
    pub stream: fn(&Request<'_>) -> Option<Result<Streamed, Reply>>,
}

/// `/generate` (GET, POST), `/generate/batch` (POST, streamed), `/health` and the catch-all
/// 404, served by the generate component.
#[cfg(feature = "generate")]
pub const GENERATE: Endpoint = Endpoint {
    max_body_bytes: qr_core::limits::MAX_GENERATE_BODY_BYTES,
    handle: generate::handle,
    stream: generate::stream,
};

/// `/decode` (POST), served by the decode component.
#[cfg(feature = "decode")]
pub const DECODE: Endpoint = Endpoint {
    max_body_bytes: qr_core::limits::MAX_DECODE_BODY_BYTES,
    handle: decode::handle,
    stream: |_| None,
};

/// The media type without parameters, lower-cased: `Multipart/Form-Data; b=1` → `multipart/form-data`.
#[cfg(any(feature = "generate", feature = "decode"))]
fn media_type(content_type: Option<&str>) -> Option<String> {
    content_type.map(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    })
}
