//! The responses qr-host itself produces, as RFC 7807 `application/problem+json`.
//!
//! The app's own errors come from the components; these are the host's: when it refuses,
//! interrupts or contains a request. Each kind has a stable `type` URI that points at its
//! section of qr-host's README, so a client can branch on it and a human can look it up.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;

/// Base of every host problem `type`; the fragment names the kind.
pub const TYPE_BASE: &str =
    "https://github.com/qr-workshop/qr-workshop/blob/main/crates/qr-host/README.md#";

/// Every way the host answers for a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostProblem {
    /// No route in the manifest matches the path.
    NoRoute,
    /// The host's own endpoint (`/.well-known/spin/health`) answers only GET and HEAD.
    MethodNotAllowed,
    /// The body is larger than `--max-body-bytes`.
    BodyTooLarge,
    /// The client paused longer than `--body-read-timeout` while sending the body.
    BodyReadTimeout,
    /// All slots busy and the queue full, or the queue wait expired.
    Overloaded,
    /// The host is draining for shutdown.
    Draining,
    /// The component ran past `--request-timeout`.
    RequestTimeout,
    /// The component tried to grow memory past `--max-memory-bytes`.
    MemoryLimit,
    /// The component trapped (panic, unreachable, ...).
    GuestTrap,
    /// The component returned without a response, or the host could not run it.
    GuestError,
}

impl HostProblem {
    /// The fragment of the `type` URI, also the `reason` label in metrics.
    pub fn slug(self) -> &'static str {
        match self {
            Self::NoRoute => "no-route",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::BodyTooLarge => "body-too-large",
            Self::BodyReadTimeout => "body-read-timeout",
            Self::Overloaded => "overloaded",
            Self::Draining => "draining",
            Self::RequestTimeout => "request-timeout",
            Self::MemoryLimit => "memory-limit",
            Self::GuestTrap => "guest-trap",
            Self::GuestError => "guest-error",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::NoRoute => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyReadTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Overloaded | Self::Draining => StatusCode::SERVICE_UNAVAILABLE,
            Self::RequestTimeout => StatusCode::GATEWAY_TIMEOUT,
            // The input asked for more memory than an instance may have (a decompression bomb,
            // a photo too large to decode within the cap): the request's fault, not the host's.
            Self::MemoryLimit => StatusCode::UNPROCESSABLE_ENTITY,
            Self::GuestTrap | Self::GuestError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::NoRoute => "No route matches this path",
            Self::MethodNotAllowed => "Method not allowed here",
            Self::BodyTooLarge => "Request body too large",
            Self::BodyReadTimeout => "Request body arrived too slowly",
            Self::Overloaded => "Server busy, retry later",
            Self::Draining => "Server shutting down",
            Self::RequestTimeout => "Request took too long",
            Self::MemoryLimit => "Request needs more memory than an instance may use",
            Self::GuestTrap => "The component failed",
            Self::GuestError => "The component returned no response",
        }
    }

    /// The full `type` URI.
    pub fn type_uri(self) -> String {
        format!("{TYPE_BASE}{}", self.slug())
    }

    /// Renders the problem with a human `detail`. Detail strings come from the host, never from
    /// guest errors, so internals (trap backtraces, paths) do not leak to clients.
    pub fn response(self, detail: impl Into<String>) -> Response<Bytes> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "type")]
            type_uri: String,
            title: &'a str,
            status: u16,
            detail: String,
        }
        let body = Body {
            type_uri: self.type_uri(),
            title: self.title(),
            status: self.status().as_u16(),
            detail: detail.into(),
        };
        // Serialising a struct of strings cannot fail.
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = Response::new(Bytes::from(json));
        *response.status_mut() = self.status();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }

    /// A 503 with `Retry-After` (seconds), as RFC 9110 §10.2.3 suggests for overload.
    pub fn unavailable(self, detail: impl Into<String>, retry_after_secs: u32) -> Response<Bytes> {
        let mut response = self.response(detail);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_renders_all_four_rfc7807_members() {
        let response = HostProblem::RequestTimeout.response("took more than 1s");
        assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let body: serde_json::Value = serde_json::from_slice(response.body()).expect("json");
        assert_eq!(body["type"], format!("{TYPE_BASE}request-timeout"));
        assert_eq!(body["status"], 504);
        assert_eq!(body["title"], "Request took too long");
        assert_eq!(body["detail"], "took more than 1s");
    }

    #[test]
    fn overload_carries_retry_after() {
        let response = HostProblem::Overloaded.unavailable("queue full", 3);
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "3");
    }
}
