//! What QR Workshop does, without HTTP: parse and validate generation options, enforce the
//! named limits, render codes, load uploaded images safely and read the codes in them.
//!
//! The HTTP contract (`qr-api`) and the wasm components are thin layers over these entry
//! points, so everything here is tested natively and identically used by every host.

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
pub use options::{Append, Format, GenerateOptions, Gradient, Logo, Look, Rgba};
pub use qr_ec_level::EcLevel;
#[cfg(feature = "decode")]
pub use qr_scan::{Code, Encoding, Merged, StructuredAppend, merge_structured_append};
