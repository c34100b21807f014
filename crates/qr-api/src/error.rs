//! Why a request could not be served: what went wrong reading it off the wire (here), or what
//! qr-core refused once it was read ([`qr_core::Error`]). [`crate::Problem`] maps each to one
//! problem type and HTTP status.

use qr_core::limits;

/// A request the API refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON, or not a JSON object.
    #[error("the body is not a JSON object: {0}")]
    InvalidJson(String),

    /// The request body is larger than the endpoint accepts.
    #[error("the request body is over the {limit}-byte limit of this endpoint")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },

    /// The request has no image.
    #[error("send an image as the request body or as multipart field 'file'")]
    MissingImage,

    /// A multipart body that cannot be parsed, or has no `file` field.
    #[error("multipart body: {0}")]
    InvalidMultipart(String),

    /// A line of a batch body is not a valid item.
    #[error("batch line {line}: {reason}")]
    InvalidBatch {
        /// 1-based line number (0 for the body as a whole).
        line: usize,
        /// What is wrong with it.
        reason: String,
    },

    /// A batch with more than [`limits::MAX_BATCH_ITEMS`] items.
    #[error(
        "the batch has {items} items; the limit is {max} (MAX_BATCH_ITEMS): split it into \
         several requests",
        max = limits::MAX_BATCH_ITEMS
    )]
    BatchTooLarge {
        /// Items counted (at least the limit plus one).
        items: usize,
    },

    /// Read correctly, refused by qr-core: options, limits, the image itself.
    #[error(transparent)]
    Core(#[from] qr_core::Error),
}

impl ApiError {
    /// The 400 `invalid-option` error for option `name` as the client spelled it.
    #[cfg(feature = "generate")]
    pub(crate) fn invalid(name: &str, reason: &str) -> ApiError {
        qr_core::Error::invalid_option(name, reason).into()
    }
}
