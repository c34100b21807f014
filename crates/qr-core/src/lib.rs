//! What QR Workshop does, without HTTP: typed generation options checked against the named
//! limits, rendered to image bytes; image bytes loaded safely and read back to codes.
//!
//! Entry points: [`generate`] (options → bytes), [`decode`] (bytes → codes), [`batch`]
//! (many options → one ZIP stream) and the [`payload`] builders. Errors are one [`Error`]
//! enum of domain reasons. Reading requests off the wire (JSON, queries, multipart) and
//! mapping errors to HTTP problem types is `qr-api`'s job, so everything here is tested
//! natively and identically used by every host.

#![forbid(unsafe_code)]
// In unit tests a failed unwrap is a failed test with its message.
#![cfg_attr(test, allow(clippy::unwrap_used))]

#[cfg(feature = "generate")]
pub mod batch;
mod error;
#[cfg(feature = "generate")]
mod generate;
#[cfg(feature = "decode")]
mod image_input;
pub mod limits;
#[cfg(feature = "generate")]
mod options;
#[cfg(feature = "generate")]
pub mod payload;

pub use error::Error;
#[cfg(feature = "generate")]
pub use generate::{Image, generate};
#[cfg(feature = "decode")]
pub use image_input::{decode, load_image};
#[cfg(feature = "generate")]
pub use options::{
    Append, DEFAULT_LOGO_MARGIN, DEFAULT_LOGO_SIZE, Format, GenerateOptions, Gradient, Logo, Look,
    MAX_VERSION, Rgba, check_logo_bytes, in_range,
};
pub use qr_ec_level::EcLevel;
/// The encoder, for its `Symbology` and `Version` (QR, Micro QR, rMQR sizes) in options.
#[cfg(feature = "generate")]
pub use qr_encode;
#[cfg(feature = "generate")]
pub use qr_encode::{EyeShape, ModuleShape};
#[cfg(feature = "decode")]
pub use qr_scan::{Code, Encoding, Merged, StructuredAppend, Symbology, merge_structured_append};
