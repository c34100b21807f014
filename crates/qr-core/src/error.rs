//! The one error type of QR Workshop's operations: options a caller may not ask for, limits,
//! images that cannot be read. Domain errors only; `qr-api` adds its own for what goes wrong
//! on the wire (bodies, JSON, multipart) and maps every variant to a problem type.

use crate::limits;
#[cfg(feature = "generate")]
use qr_encode::{EncodeError, SequenceTooLong};

/// Why an operation was refused. Every variant is the caller's fault: the library has no
/// internal failure modes past a panic, which a host reports as a trap.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// No `data`, or empty `data`.
    #[error("field 'data' (a non-empty string) is required")]
    MissingData,

    /// An option has the wrong type or is out of range.
    #[error("option '{name}' {reason}")]
    InvalidOption {
        /// The option as the client spelled it.
        name: String,
        /// What is wrong and what is allowed.
        reason: String,
    },

    /// The payload is longer than any QR code holds.
    #[error(
        "data is {len} bytes; no QR code holds more than {max} (limit MAX_DATA_BYTES)",
        max = limits::MAX_DATA_BYTES
    )]
    DataTooLong {
        /// Payload length in bytes.
        len: usize,
    },

    /// With `append`, the payload is longer than any structured-append sequence holds.
    #[error(
        "data is {len} bytes; no structured-append sequence holds more than {max} \
         (limit MAX_APPEND_DATA_BYTES)",
        max = limits::MAX_APPEND_DATA_BYTES
    )]
    AppendDataTooLong {
        /// Payload length in bytes.
        len: usize,
    },

    /// The payload does not fit in the symbols `append` and `max_version` allow (at most
    /// [`limits::MAX_APPEND_SYMBOLS`]); the message names their capacity.
    #[error("{0}; limit MAX_APPEND_SYMBOLS")]
    SequenceTooLong(#[from] SequenceTooLong),

    /// The payload is within [`limits::MAX_DATA_BYTES`] but does not fit at the chosen level.
    #[error("{0}")]
    CapacityExceeded(#[from] EncodeError),

    /// The payload does not fit the Micro QR or rMQR symbol asked for, or the largest one.
    #[error("{0}")]
    DoesNotFit(EncodeError),

    /// An option or level that the chosen symbology does not have (a logo or styles with
    /// Micro QR or rMQR, level H with Micro QR, Q with M2 or M3, L or Q with rMQR).
    #[error("{0}")]
    NotWithSymbology(String),

    /// The rendered image would be larger than [`limits::MAX_OUTPUT_SIDE_PX`].
    #[error(
        "the image would be {side} px wide; the limit is {max} px (MAX_OUTPUT_SIDE_PX): lower \
         'scale' or 'margin'",
        max = limits::MAX_OUTPUT_SIDE_PX
    )]
    OutputTooLarge {
        /// Side the options ask for, in pixels.
        side: u64,
    },

    /// A styled or logo PNG would be larger than [`limits::MAX_STYLED_PNG_SIDE_PX`].
    #[error(
        "a styled PNG would be {side} px wide; the limit is {max} px (MAX_STYLED_PNG_SIDE_PX): \
         lower 'scale' or 'margin', or ask for format svg, pdf or eps",
        max = limits::MAX_STYLED_PNG_SIDE_PX
    )]
    StyledOutputTooLarge {
        /// Side the options ask for, in pixels.
        side: u64,
    },

    /// The logo file is over [`limits::MAX_LOGO_BYTES`] or declares more than
    /// [`limits::MAX_LOGO_PIXELS`].
    #[error(
        "the logo is {what}; the limits are {max_bytes} bytes (MAX_LOGO_BYTES) and {max_pixels} \
         pixels (MAX_LOGO_PIXELS)",
        max_bytes = limits::MAX_LOGO_BYTES,
        max_pixels = limits::MAX_LOGO_PIXELS
    )]
    LogoTooLarge {
        /// Its size, in bytes or pixels.
        what: String,
    },

    /// The logo is not PNG or JPEG (or SVG, for SVG output), or cannot be decoded.
    #[error("logo: {0}")]
    UnsupportedLogo(String),

    /// The logo and its clear zone would leave some Reed-Solomon block less than
    /// [`limits::LOGO_SPARE_CAPACITY`] of its correction capacity, or cover a finder, timing
    /// or format pattern.
    #[error("{0}")]
    LogoCoversTooMuch(String),

    /// Two colours a reader must tell apart are too alike.
    #[error(
        "'{name}' against 'bg' has contrast {ratio:.2}:1; at least {min}:1 is needed \
         (MIN_CONTRAST_RATIO, WCAG relative luminance, translucent colours over white)",
        min = limits::MIN_CONTRAST_RATIO
    )]
    LowContrast {
        /// The option whose colour is too close to the background.
        name: &'static str,
        /// Their contrast ratio.
        ratio: f64,
    },

    /// The image has no bytes at all.
    #[error("the image is empty (0 bytes)")]
    EmptyImage,

    /// The bytes are not in an image format we read.
    #[error("not an image in a supported format (PNG, JPEG, GIF, BMP, WebP)")]
    UnsupportedImage,

    /// The file declares dimensions over the pixel or side limits.
    #[error(
        "the image is {width}x{height}; the limits are {max_pixels} pixels (MAX_IMAGE_PIXELS) \
         and {max_side} px a side (MAX_IMAGE_SIDE)",
        max_pixels = limits::MAX_IMAGE_PIXELS,
        max_side = limits::MAX_IMAGE_SIDE
    )]
    ImageTooLarge {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
    },

    /// The file starts like a supported image but its data is broken.
    #[error("the image could not be decoded: {0}")]
    CorruptImage(String),
}

impl Error {
    /// [`Error::InvalidOption`] for option `name` (as the caller spelled it).
    pub fn invalid_option(name: &str, reason: &str) -> Error {
        Error::InvalidOption {
            name: name.to_owned(),
            reason: reason.to_owned(),
        }
    }
}

/// Without the `generate` feature the encoder's errors cannot happen, so they are empty enums:
/// the variants that carry them stay, and a match over [`Error`] (qr-api's, whatever its own
/// features) is exhaustive whichever features Cargo unified for this crate.
#[cfg(not(feature = "generate"))]
mod without_encoder {
    macro_rules! uninhabited {
        ($($name:ident),*) => {$(
            #[doc = concat!("Stands for `qr_encode::", stringify!($name), "`; has no value.")]
            #[derive(Debug, Clone, PartialEq)]
            pub enum $name {}

            impl std::fmt::Display for $name {
                fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    match *self {}
                }
            }

            impl std::error::Error for $name {}
        )*};
    }
    uninhabited!(EncodeError, SequenceTooLong);
}
#[cfg(not(feature = "generate"))]
use without_encoder::{EncodeError, SequenceTooLong};
