//! RFC 7807 problem details: one stable `type` per error kind.

use serde::Serialize;

use crate::{ApiError, Reply};
use qr_core::Error;

/// An `application/problem+json` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The README's URL with the kind as its anchor (`…/README.md#<kind>`): every kind is
    /// documented there, so a client following the link lands on its row.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short, fixed summary of the kind.
    pub title: &'static str,
    /// The HTTP status, repeated in the body as RFC 7807 asks.
    pub status: u16,
    /// What was wrong with this request, and the limit where one applies.
    pub detail: String,
}

/// Prefix of every problem type this service returns.
const PROBLEM_TYPE_PREFIX: &str = "https://github.com/qr-workshop/qr-workshop/blob/main/README.md#";

impl Problem {
    fn new(slug: &str, title: &'static str, status: u16, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("{PROBLEM_TYPE_PREFIX}{slug}"),
            title,
            status,
            detail: detail.into(),
        }
    }

    /// 404 for a path no endpoint serves.
    pub fn not_found(path: &str) -> Problem {
        Problem::new(
            "not-found",
            "No such route",
            404,
            format!("nothing is served at '{path}'; see /generate, /decode and /health"),
        )
    }

    /// 405 for a known path with another method; pair with an `allow` header.
    pub fn method_not_allowed(method: &str, path: &str, allow: &str) -> Problem {
        Problem::new(
            "method-not-allowed",
            "Method not allowed",
            405,
            format!("{path} does not answer {method}; it answers {allow}"),
        )
    }

    /// 413 for a body over the endpoint's limit, sent before the rest is read.
    pub fn body_too_large(limit: usize) -> Problem {
        Problem::from(&ApiError::BodyTooLarge { limit })
    }

    /// 400 for a body the client stopped sending halfway.
    pub fn incomplete_body(why: &str) -> Problem {
        Problem::new(
            "incomplete-body",
            "Request body incomplete",
            400,
            format!("the request body could not be read to its end: {why}"),
        )
    }

    /// The reply carrying this problem.
    pub fn into_reply(self) -> Reply {
        let body = serde_json::to_vec(&self).unwrap_or_default();
        Reply {
            status: self.status,
            headers: vec![("content-type", "application/problem+json".to_owned())],
            body,
        }
    }
}

impl From<&ApiError> for Problem {
    fn from(e: &ApiError) -> Problem {
        let (slug, title, status) = match e {
            ApiError::InvalidJson(_) => ("invalid-json", "Body is not a JSON object", 400),
            ApiError::InvalidBatch { .. } => ("invalid-batch", "Invalid batch line", 400),
            ApiError::BatchTooLarge { .. } => ("batch-too-large", "Too many batch items", 413),
            ApiError::BodyTooLarge { .. } => ("body-too-large", "Request body too large", 413),
            ApiError::MissingImage => ("missing-image", "No image in the request", 400),
            ApiError::InvalidMultipart(_) => ("invalid-multipart", "Malformed multipart body", 400),
            ApiError::Core(e) => domain(e),
        };
        Problem::new(slug, title, status, e.to_string())
    }
}

/// The problem type (slug, title, status) of each domain error.
fn domain(e: &Error) -> (&'static str, &'static str, u16) {
    match e {
        Error::MissingData => ("missing-data", "No data to encode", 400),
        Error::InvalidOption { .. } => ("invalid-option", "Invalid option", 400),
        Error::DataTooLong { .. } | Error::AppendDataTooLong { .. } => {
            ("data-too-long", "Data too long", 413)
        }
        Error::CapacityExceeded(_) => ("capacity-exceeded", "Data does not fit in a QR code", 413),
        Error::SequenceTooLong(_) => (
            "sequence-too-long",
            "Data does not fit in the symbols allowed",
            422,
        ),
        Error::DoesNotFit(_) => ("does-not-fit", "Data does not fit the symbol", 422),
        Error::NotWithSymbology(_) => (
            "unsupported-with-symbology",
            "Option not supported with this symbology",
            422,
        ),
        Error::OutputTooLarge { .. } | Error::StyledOutputTooLarge { .. } => {
            ("output-too-large", "Image would be too large", 422)
        }
        Error::LogoTooLarge { .. } => ("logo-too-large", "Logo too large", 413),
        Error::UnsupportedLogo(_) => ("unsupported-logo", "Unsupported logo", 415),
        Error::LogoCoversTooMuch(_) => (
            "logo-covers-too-much",
            "The logo would leave the code unreadable",
            422,
        ),
        Error::LowContrast { .. } => ("low-contrast", "Colours too alike to scan", 422),
        // The API answers an empty body before qr-core sees it; a library caller's empty
        // image is the same kind.
        Error::EmptyImage => ("missing-image", "No image in the request", 400),
        Error::UnsupportedImage => ("unsupported-image", "Unsupported image format", 415),
        Error::ImageTooLarge { .. } => ("image-too-large", "Image too large", 413),
        Error::CorruptImage(_) => ("corrupt-image", "Image could not be decoded", 422),
    }
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Reply {
        Problem::from(&e).into_reply()
    }
}
