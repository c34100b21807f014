//! What QR Workshop does, without HTTP: parse and validate generation options, enforce the
//! named limits, render codes, load uploaded images safely and read the codes in them.
//!
//! The HTTP contract (`qr-api`) and the wasm components are thin layers over these entry
//! points, so everything here is tested natively and identically used by every host.

#![forbid(unsafe_code)]
// In unit tests a failed unwrap is a failed test with its message.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod batch;
mod error;
mod generate;
mod image_input;
pub mod limits;
mod options;
pub mod payload;

pub use error::Error;
pub use generate::{Image, generate};
pub use image_input::{decode, load_image};
pub use options::{Format, GenerateOptions, Gradient, Logo, Look, Rgba};
pub use qr_encode::EcLevel;
pub use qr_scan::{Code, Encoding, Merged, StructuredAppend, merge_structured_append};
