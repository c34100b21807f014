//! Every limit QR Workshop's components enforce, in one place (the host's own are fields of
//! qr-host's `Limits`).
//!
//! Each one bounds the memory or time a single request can take inside a component instance,
//! so that one client cannot starve the others sharing a host. The README's "Limits" table
//! lists each of these once with its value; tests probe each one just inside and just outside.
//! The decoder's work caps are defined by qr-scan, beside the weights they count, and named
//! here.

/// Largest request body for `/generate`, in bytes.
///
/// A JSON body holds at most [`MAX_DATA_BYTES`] of payload; escaping can at most
/// sextuple that (`\u00e9` for one byte), so 64 KiB leaves room for it, plus a logo of
/// [`MAX_LOGO_BYTES`] in base64 (4/3 as long) with 64 KiB to spare for multipart framing,
/// without letting a client make the component buffer megabytes.
pub const MAX_GENERATE_BODY_BYTES: usize = 64 * 1024 + MAX_LOGO_BYTES / 3 * 4 + 64 * 1024;

/// Largest request body for `/decode`, in bytes.
///
/// A 12-megapixel phone photo as JPEG is 3 to 6 MiB; 10 MiB takes those with room to spare
/// while keeping one upload well inside a component instance's memory.
pub const MAX_DECODE_BODY_BYTES: usize = 10 * 1024 * 1024;

/// How far past an endpoint's body limit the adapter reads (and throws away) before it
/// answers 413, as a multiple of the limit; a body *declared* larger than this is answered
/// at once.
///
/// A client still sending when the server answers and closes gets a reset connection instead
/// of the answer (most HTTP clients, unlike curl, report only the broken pipe); draining
/// first is what nginx calls lingering close. Twice the limit lets a client that overshoots
/// read why, without letting one stream gigabytes into a component.
pub const BODY_DRAIN_FACTOR: usize = 2;

/// Largest decoded image, in pixels.
///
/// Checked against the size the file *declares*, before any pixel buffer is allocated, so a
/// tiny PNG that claims 60000 × 60000 costs nothing. 16 Mpx covers phone cameras (12 Mpx)
/// and keeps the RGBA buffer the decoder may need at 64 MiB.
pub const MAX_IMAGE_PIXELS: u64 = 16 * 1024 * 1024;

/// Bytes a decoder may allocate beyond the pixel buffers of the image's declared size: room
/// for metadata chunks kept in memory (an ICC profile is a few KiB to a few hundred KiB).
///
/// The decoder's allocation cap is the declared size's buffers plus this, not the cap of the
/// largest allowed image: otherwise a 1 × 1 PNG with a compressed `iCCP` chunk could inflate
/// ~150 MB of profile inside the guest.
pub const METADATA_ALLOC_BYTES: u64 = 4 * 1024 * 1024;

/// Bytes per declared pixel the image decoder may allocate (its cap is this times the
/// declared pixels, plus [`METADATA_ALLOC_BYTES`]).
///
/// The widest intermediate the image crate's decoders use is 16-bit RGBA (8 bytes a pixel),
/// and the grey copy the scanner reads is one more; a file that lies about its size cannot make
/// the decoder allocate more than its declared size needs. PNG and most JPEGs need far less
/// (rows, or the luma plane), under the same cap.
pub const DECODE_ALLOC_BYTES_PER_PIXEL: u64 = 9;

/// Longest side of a decoded image, in pixels.
///
/// Stops long thin images (1 × 16 M) that pass [`MAX_IMAGE_PIXELS`] but no camera makes.
pub const MAX_IMAGE_SIDE: u32 = 8192;

/// Longest payload accepted for generation, in bytes.
///
/// No QR code holds more than 7089 characters (digits, version 40, level L), so longer data
/// is refused before any encoding work. Whether shorter data fits depends on its kind and the
/// error-correction level; that check reports the exact capacity.
pub const MAX_DATA_BYTES: usize = 7089;

/// Pixels per module (`scale`, or `size` in the Python service's contract): at least 1.
pub const MIN_SCALE: u32 = 1;

/// Pixels per module, at most 50, the Python service's own bound.
pub const MAX_SCALE: u32 = 50;

/// Quiet zone in modules, at most 64. The standard asks for 4; more is decoration.
pub const MAX_MARGIN: u32 = 64;

/// Longest side of a generated PNG, in pixels.
///
/// A version 40 code at the largest scale with the standard margin is 9250 px, so every
/// request the Python service accepted still renders, while a huge margin × scale cannot
/// make the component produce a 100-megapixel image.
pub const MAX_OUTPUT_SIDE_PX: u64 = 10_000;

/// Largest logo file, in bytes (multipart part, or base64-decoded JSON field).
///
/// A logo is drawn over at most [`MAX_LOGO_SIZE`] of the symbol, a few hundred pixels
/// across: 128 KiB holds a detailed PNG or JPEG at that size, and keeps a request well inside
/// one component instance's memory.
pub const MAX_LOGO_BYTES: usize = 128 * 1024;

/// Largest decoded logo, in pixels, checked on the size the file declares before decoding:
/// 1024 × 1024 is more detail than any logo box shows, and its RGBA buffer is 4 MiB.
pub const MAX_LOGO_PIXELS: u64 = 1024 * 1024;

/// Smallest logo, as a fraction of the symbol's side.
pub const MIN_LOGO_SIZE: f64 = 0.05;

/// Largest logo, as a fraction of the symbol's side: 40% is 16% of the area, past what level
/// H's ~30% correction can carry with a margin; the coverage check usually stops earlier and
/// names the size that fits.
pub const MAX_LOGO_SIZE: f64 = 0.4;

/// Widest clear zone around a logo, in modules.
pub const MAX_LOGO_MARGIN: u32 = 4;

/// Share of each Reed-Solomon block's correction capacity that a logo must leave unused, so
/// that a printed, scuffed or blurred code still reads: the logo and its clear zone may cost
/// each block at most 75% of the errors it can correct.
pub const LOGO_SPARE_CAPACITY: f64 = 0.25;

/// Lowest contrast ratio (WCAG 2 relative luminance, translucent colours over white) between
/// the background and every colour a dark module may take. Below 3:1 camera readers start to
/// miss modules, and the standard assumes a clear dark/light difference.
pub const MIN_CONTRAST_RATIO: f64 = 3.0;

/// Longest side of a styled or logo PNG, in pixels. Those are full RGBA and rendered pixel by
/// pixel (not the 1-bit fast path), so they are bounded tighter than [`MAX_OUTPUT_SIDE_PX`]:
/// 4096 px covers a version 40 code at 20 px a module, for print use PDF, EPS or SVG.
pub const MAX_STYLED_PNG_SIDE_PX: u64 = 4096;

/// Most codes in one `POST /generate/batch`.
///
/// Every line is validated before the first byte of the archive is sent, and the archive's
/// directory keeps one record per code; 1000 codes keep both small (a 1000-line body fits
/// [`MAX_GENERATE_BODY_BYTES`] at up to 300 bytes a line) and one request's work at about a
/// second of one core. Millions of codes are many batch requests in parallel across hosts.
pub const MAX_BATCH_ITEMS: usize = 1000;

/// Largest batch archive, in bytes. Entries are stored with 32-bit ZIP offsets; 1 GiB stays
/// far inside them. An archive that would pass it ends with a `TRUNCATED.txt` entry.
pub const MAX_BATCH_OUTPUT_BYTES: u64 = 1024 * 1024 * 1024;

/// Most symbols in one structured-append sequence (`append`): ISO/IEC 18004 stores the count
/// in 4 bits, so 16 is the standard's own limit.
pub const MAX_APPEND_SYMBOLS: usize = 16;

/// Longest payload accepted with `append`, in bytes: [`MAX_APPEND_SYMBOLS`] symbols of the
/// largest capacity ([`MAX_DATA_BYTES`]). Whether shorter data fits depends on its kind, the
/// level and `max_version`; that check reports the exact capacity. A JSON body this long fits
/// [`MAX_GENERATE_BODY_BYTES`] unless it is heavily escaped.
pub const MAX_APPEND_DATA_BYTES: usize = MAX_APPEND_SYMBOLS * MAX_DATA_BYTES;

/// Work units one whole scan may spend, over all its views: at most a few hundred
/// milliseconds of search natively, the same on every machine (qr-scan counts operations,
/// not time, so the cut-off is reproducible and testable). Defined and argued beside its
/// weights in qr-scan's `budget.rs`.
#[cfg(feature = "decode")]
pub use qr_scan::SCAN_BUDGET;

/// Work units one view (one scale, threshold and polarity) may spend: a quarter of
/// [`SCAN_BUDGET`], so a view flooded with finder-like structure leaves room for the others.
/// Defined in qr-scan's `budget.rs`.
#[cfg(feature = "decode")]
pub use qr_scan::VIEW_BUDGET;
