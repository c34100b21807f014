//! Finds and reads every QR, Micro QR and rMQR code in a greyscale image.
//!
//! Image file formats, size limits and HTTP live elsewhere (`qr-core`, `qr-api`): this crate
//! takes pixels and returns what it read, so it can be tested and benchmarked on its own.
//!
//! The search runs a sequence of passes over views of the image (see [`Passes`]) and stops
//! after the first pass that reads anything, so the common photo costs one binarisation
//! and one finder search, and only hard images pay for the rest. The whole scan runs under
//! a work budget counted in operations ([`SCAN_BUDGET`]), so no input can
//! make a scan run away, and where it stops is the same on every machine.

// Denied, not forbidden: `memcmp` is the one exception (a C symbol for wasm32, see there).
#![deny(unsafe_code)]

mod append;
mod budget;
#[cfg(feature = "corpus")]
pub mod corpus;
mod ecc;
mod edge_fit;
mod finder;
mod group;
mod hybrid;
#[allow(unsafe_code)]
mod memcmp;
mod midrange;
mod payload;
mod reader;
#[cfg(feature = "corpus")]
pub mod sets;
mod views;

use std::borrow::Cow;

use image::GrayImage;
pub use qr_ec_level::EcLevel;

pub use append::{Merged, StructuredAppend, merge_structured_append};
use budget::Budget;
pub use budget::{SCAN_BUDGET, VIEW_BUDGET};
pub use payload::Encoding;
use reader::{Unread, ViewInfo, read_view};

/// Images with more pixels than this are shrunk by a whole factor before the search.
///
/// The search's cost grows with the pixel count; a phone photo of a code needs far fewer
/// pixels than a 12-megapixel camera gives, so 4 megapixels keeps the worst case to a
/// few hundred milliseconds without losing codes that fill any sensible part of it.
pub const MAX_SCAN_PIXELS: u64 = 4_000_000;

/// Images with fewer pixels than this are also searched at twice their size.
///
/// Thumbnails and tight crops have modules of one or two pixels, too small for the
/// finder-pattern scan to separate the rings; 400×400 covers them, and bounds the
/// enlarged copy to 640,000 pixels.
pub const ENLARGE_BELOW_PIXELS: u64 = 160_000;

/// Codes read in the first view from which an image counts as a sheet of codes, whose
/// other views are searched too (some codes of a sheet may lie in shade or glare that
/// only another threshold reads, or, in a photo shrunk to [`MAX_SCAN_PIXELS`], be too
/// small to show a finder pattern until the full size is searched); images of one code
/// stop after the view that reads it.
pub const MANY_CODES: usize = 2;

/// Finder candidates a view may leave unused (no symbol read used them, none lies on
/// one) before an image whose first view read a code is searched with the other
/// thresholds too, as a sheet of codes is: two are one pattern short of a symbol the view
/// missed (the differential search's photos of several codes: a second, fainter or
/// smaller code beside the one read, whose third pattern only another threshold shows);
/// one stray candidate (a letter, a logo's corner) is common in photos and is not enough.
pub const UNUSED_CANDIDATES: usize = 2;

/// Light-on-dark finder patterns that the first view must show outside every symbol it
/// read before the negative of an image that read something is searched as well (a busy
/// image, see `Views::sheet`, searches it anyway).
pub const LIGHT_ON_DARK_PATTERNS: usize = 3;

/// Images narrower than this on either side hold no symbol: a version-1 symbol is 21
/// modules wide and a module needs at least one pixel.
pub const MIN_SYMBOL_SIDE: u32 = 21;

/// Which member of the QR family a code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbology {
    /// QR Code (ISO/IEC 18004), versions 1 to 40: three finder patterns.
    Qr,
    /// Micro QR Code (ISO/IEC 18004), M1 to M4: one finder pattern, 11 to 17 modules a side.
    MicroQr,
    /// Rectangular Micro QR Code, rMQR (ISO/IEC 23941): one finder pattern and a smaller
    /// one in the opposite corner, 7 to 17 modules high and 27 to 139 wide.
    Rmqr,
}

/// The 32 rMQR sizes, (height, width) in modules, in ISO/IEC 23941's order: rMQR version
/// `n` is `RMQR_SIZES[n - 1]`.
pub const RMQR_SIZES: [(u8, u8); 32] = [
    (7, 43),
    (7, 59),
    (7, 77),
    (7, 99),
    (7, 139),
    (9, 43),
    (9, 59),
    (9, 77),
    (9, 99),
    (9, 139),
    (11, 27),
    (11, 43),
    (11, 59),
    (11, 77),
    (11, 99),
    (11, 139),
    (13, 27),
    (13, 43),
    (13, 59),
    (13, 77),
    (13, 99),
    (13, 139),
    (15, 43),
    (15, 59),
    (15, 77),
    (15, 99),
    (15, 139),
    (17, 43),
    (17, 59),
    (17, 77),
    (17, 99),
    (17, 139),
];

/// One code of the QR family found in an image.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// QR, Micro QR or rMQR.
    pub symbology: Symbology,
    /// The payload as text, read as described by `encoding`; `None` for binary payloads.
    pub text: Option<String>,
    /// The payload's bytes as stored in the symbol (for ECI payloads, in the declared
    /// character sets; GS1 separators as 0x1D).
    pub bytes: Vec<u8>,
    /// Symbol version within its symbology: 1 to 40 for QR, 1 to 4 for Micro QR (M1 to
    /// M4), 1 to 32 for rMQR (an index into [`RMQR_SIZES`]); [`Code::version_name`] spells
    /// it out.
    pub version: u8,
    /// Error-correction level read from the format information; `None` for M1, which
    /// detects errors but corrects none.
    pub ec_level: Option<EcLevel>,
    /// Corners of the symbol in image pixels: top-left, top-right, bottom-right, bottom-left
    /// as the symbol is oriented (not the image).
    pub corners: [[f32; 2]; 4],
    /// The symbol is light on dark.
    pub inverted: bool,
    /// The symbol is mirrored (seen from behind glass, or printed flipped).
    pub mirrored: bool,
    /// How `text` was read from `bytes`.
    pub encoding: Encoding,
    /// The symbol's place in a structured-append sequence, when it is one piece of a
    /// longer message; see [`merge_structured_append`].
    pub structured_append: Option<StructuredAppend>,
}

impl Code {
    /// The version as its symbology names it: `7` (QR), `M2` (Micro QR), `R11x59` (rMQR,
    /// height × width in modules).
    pub fn version_name(&self) -> String {
        match self.symbology {
            Symbology::Qr => self.version.to_string(),
            Symbology::MicroQr => format!("M{}", self.version),
            Symbology::Rmqr => match RMQR_SIZES.get(usize::from(self.version).wrapping_sub(1)) {
                Some((h, w)) => format!("R{h}x{w}"),
                None => format!("R?{}", self.version),
            },
        }
    }
}

/// Which passes [`scan_with`] runs after the first (zxing's hybrid binariser at full size).
///
/// [`scan`] runs them all; the smaller sets exist so the accuracy benchmark can show
/// what each one adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passes {
    /// Search each view for light-on-dark symbols as well.
    pub inverted: bool,
    /// Search halved, quartered, … copies of the image.
    pub shrink: bool,
    /// Search small images at twice their size.
    pub enlarge: bool,
    /// Search with a global threshold and with a wide local-mean threshold as well.
    pub other_thresholds: bool,
    /// Search an image shrunk below [`MAX_SCAN_PIXELS`] at its full size as well, when the
    /// shrunk view reads nothing or leaves small finder candidates unread (small codes in
    /// a big photo).
    pub full_resolution: bool,
    /// In every view, sample the finder candidates that no QR symbol used as Micro QR and
    /// rMQR symbols (one finder pattern each). Off, only QR symbols are read.
    pub micro: bool,
}

impl Passes {
    /// Only the first pass (with its Micro QR and rMQR search): the same work as zxing-cpp
    /// reading the QR family with `try_invert` and `try_downscale` off.
    pub const FIRST: Passes = Passes {
        inverted: false,
        shrink: false,
        enlarge: false,
        other_thresholds: false,
        full_resolution: false,
        micro: true,
    };
    /// Every pass: what [`scan`] does.
    pub const ALL: Passes = Passes {
        inverted: true,
        shrink: true,
        enlarge: true,
        other_thresholds: true,
        full_resolution: true,
        micro: true,
    };
}

/// Returns every QR, Micro QR and rMQR code that can be read in `image`, in the order they
/// are found.
///
/// Codes that are found but fail error correction are left out: a partial read is worse
/// than none for a ticket gate.
pub fn scan(image: &GrayImage) -> Vec<Code> {
    scan_with(image, Passes::ALL)
}

/// [`scan`] with a chosen set of passes.
pub fn scan_with(image: &GrayImage, passes: Passes) -> Vec<Code> {
    scan_measured(image, passes).codes
}

/// What a scan read, and the work it spent doing so.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    /// The codes read, as [`scan`] returns them.
    pub codes: Vec<Code>,
    /// Work units spent (see [`SCAN_BUDGET`]): the same for the same image on every machine.
    pub work: u64,
    /// Some view, or the whole scan, ran out of units and stopped early.
    pub cut_short: bool,
}

/// [`scan_with`], reporting the work spent as well.
pub fn scan_measured(image: &GrayImage, passes: Passes) -> Scan {
    let mut budget = Budget::new(SCAN_BUDGET);
    let codes = search(image, passes, &mut budget);
    Scan {
        codes,
        work: budget.spent(),
        cut_short: budget.was_exhausted(),
    }
}

fn search(image: &GrayImage, passes: Passes, budget: &mut Budget) -> Vec<Code> {
    let mut found = Vec::new();
    if image.width() == 0 || image.height() == 0 {
        return found;
    }
    let factor = (pixel_count(image).div_ceil(MAX_SCAN_PIXELS) as f64)
        .sqrt()
        .ceil() as u32;
    let base = if factor > 1 {
        Cow::Owned(views::shrink(image, factor))
    } else {
        Cow::Borrowed(image)
    };
    if base.width().min(base.height()) < MIN_SYMBOL_SIDE {
        // Slivers (and images shrunk to slivers) cannot hold a symbol; scanning their
        // millions of rows would only cost time.
        return found;
    }
    let base_scale = factor as f32;

    let mut views = Views { passes, budget };
    // What the views of each polarity left unread: each polarity's later views are gated
    // on its own evidence (a finder pattern seen dark-on-light says nothing about a
    // light-on-dark symbol).
    let mut normal =
        views.two_thresholds(&base, base_scale, false, true, passes.inverted, &mut found);
    // Multi-scale: the shrunk view first, the full size only where it is needed: when the
    // shrunk view read nothing (a lone code whose modules shrank below a pixel leaves no
    // candidate at all), or left any small candidate unread: a far code in a photo of
    // several often shows only one or two of its patterns when shrunk (waiting for a
    // symbol's worth, three, lost 3 of 50 codes of the photo-multi set that zxing-cpp's
    // full-size search reads, and made no other photo-like sample search at full size).
    // Also when the shrunk view read `MANY_CODES`: the codes of a sheet or a shelf differ
    // in size and distance, and one whose modules shrank below a pixel leaves no
    // candidate to ask for the full size (differential seeds 277, 10682, 10973: tuning
    // 921 -> 922, evaluation 954 -> 957). A photo of one code, the common ticket scan,
    // is not searched at full size for it.
    let full_size = passes.full_resolution
        && factor > 1
        && (found.is_empty() || normal.small_candidates > 0 || found.len() >= MANY_CODES);
    // The full-size view counts light-on-dark patterns too, beside the codes read: a
    // light-on-dark code whose modules shrank to two pixels or less shows none of its
    // patterns in the shrunk view (see below).
    let mut full_light = 0;
    if full_size {
        let full = views.two_thresholds(image, 1.0, false, true, passes.inverted, &mut found);
        full_light = full.light_patterns;
        normal += full;
    }
    // A busy image: several symbols read (a sheet, a shelf, where others may lie in
    // other light), or some triples failed: the other thresholds get their chance
    // (symbols read twice are kept once; their areas are left out of the finder
    // search, so a sheet read in full costs these views little beyond binarising).
    if !found.is_empty() {
        let busy = views.sheet(&base, base_scale, normal, false, &mut found);
        // The negative as well, searched as the first view was (hybrid, then midrange
        // where that leaves triples unread), when the first view (or the full-size view
        // searched after it, whose count `normal` keeps when larger) shows a light-on-dark
        // symbol's worth of patterns outside the symbols read, or when the image is busy
        // (a sheet of codes, or triples or candidates left over): the first view often
        // shows none of a light-on-dark code's patterns beside dark-on-light ones, since
        // the hybrid threshold's contrast floor turns its dark quiet zone light, which
        // merges the patterns' outer rings with it (over-exposed photos most of all).
        // Differential search, tuning seeds: 881 -> 894 codes, `inverted` 42 -> 55,
        // `bright` 143 -> 151 (zxing-cpp 51 and 146); an image of one code read cleanly,
        // the common ticket scan, still searches no negative.
        if passes.inverted && (busy || normal.light_patterns >= LIGHT_ON_DARK_PATTERNS) {
            views.two_thresholds(&base, base_scale, true, true, false, &mut found);
        }
        // The negative at full size when the full-size view shows a light-on-dark
        // symbol's worth of patterns outside the codes read: in a photo shrunk to
        // `MAX_SCAN_PIXELS`, a light-on-dark code of 3-4 px a module (differential seeds
        // 932, 10773, 10831) shrinks to 2 px or less, which neither the shrunk negative
        // nor its evidence shows. Only photos that are searched at full size anyway (small
        // candidates left, several codes read) pay for counting, and only those that show
        // the patterns for the view; it runs after the shrunk negative above whatever that
        // read (a code read twice is kept once), as measured.
        if passes.inverted && full_light >= LIGHT_ON_DARK_PATTERNS {
            views.two_thresholds(image, 1.0, true, true, false, &mut found);
        }
        return found;
    }
    // Shrunk copies, dark-on-light, before any light-on-dark view: most codes are dark
    // on light, and a shrunk copy costs a quarter of the pixels or less; a close-up, or a
    // screen whose pixel grid floods the full-size views with finder-like runs (the
    // negative of a screen photo is as flooded, and searching it cost 2-3 times the
    // shrunk copy that reads the code), reads here.
    let mut shrunk = Vec::new();
    let mut step = 2;
    let mut halvings = views::Halvings::new(&base);
    while passes.shrink && base.width().min(base.height()) / step >= views::MIN_VIEW_SIDE {
        let small = halvings.next_level();
        let scale = base_scale * step as f32;
        normal += views.search(&small, views::hybrid, scale, false, &mut found);
        if !found.is_empty() {
            return found;
        }
        shrunk.push((small, scale));
        step *= 2;
    }
    // Then light-on-dark: the same views of the negative, with its global threshold
    // between the hybrid and the midrange ones. The negative's midrange views (the full-size
    // one is the dearest view of a big photo) run only when some view of the negative found
    // a finder pattern: exposure that defeats the hybrid threshold's contrast floor leaves
    // the global threshold's patterns (on the overexposed set, whose codes the hybrid
    // view shows no pattern of in 5 samples of 10, the global view shows three in every
    // one), and a photo with no light-on-dark code, the common case, skips them.
    let mut inverse = Unread::default();
    if passes.inverted {
        inverse = views.search(&base, views::hybrid, base_scale, true, &mut found);
        if passes.other_thresholds && found.is_empty() {
            inverse += views.search(&base, views::global, base_scale, true, &mut found);
        }
        if passes.other_thresholds
            && ((found.is_empty() && inverse.candidates > 0) || inverse.near_misses > 0)
        {
            let second = views.search(&base, views::midrange, base_scale, true, &mut found);
            inverse.candidates += second.candidates;
            inverse.near_misses = second.near_misses;
        }
        if full_size && found.is_empty() {
            let seen = inverse.candidates > 0;
            inverse += views.two_thresholds(image, 1.0, true, seen, false, &mut found);
        }
        if !found.is_empty() {
            views.sheet(&base, base_scale, inverse, true, &mut found);
            return found;
        }
        for (small, scale) in &shrunk {
            if !found.is_empty() {
                return found;
            }
            inverse += views.search(small, views::hybrid, *scale, true, &mut found);
        }
    }
    // The remaining views, each of the image and then, when that read nothing, of its
    // negative.
    let enlarged =
        (passes.enlarge && found.is_empty() && pixel_count(&base) < ENLARGE_BELOW_PIXELS)
            .then(|| views::enlarge(&base));
    if let Some(big) = &enlarged {
        let scale = base_scale / 2.0;
        views.both(
            big,
            views::hybrid,
            scale,
            false,
            &mut found,
            [&mut normal, &mut inverse],
        );
    }
    if passes.other_thresholds {
        // The global threshold before the local mean: it costs half as much. (The
        // negative's was searched with the negative's other thresholds.)
        if found.is_empty() {
            normal += views.search(&base, views::global, base_scale, false, &mut found);
        }
        if found.is_empty() {
            normal += views.search(&base, views::local_mean, base_scale, false, &mut found);
        }
        // The negative's local mean only when some view of the negative found a finder
        // pattern: light-on-dark codes are the rarer kind, and one that no other threshold
        // of the negative (hybrid, midrange, global, at every scale) shows a single finder
        // pattern of is not one a wider window finishes.
        if passes.inverted && found.is_empty() && inverse.candidates > 0 {
            inverse += views.search(&base, views::local_mean, base_scale, true, &mut found);
        }
        // The last two views help the sampler read symbols whose finder patterns were
        // found (module edges, blurred modules): in each polarity only when some view of
        // that polarity found a candidate (a photo without a code ends here).
        // A global threshold on the enlarged copy: interpolation smooths the module edges
        // of wavy prints (fabric) so the sampler's grid lands inside modules more often.
        if let Some(big) = &enlarged {
            let scale = base_scale / 2.0;
            views.both(
                big,
                views::global,
                scale,
                true,
                &mut found,
                [&mut normal, &mut inverse],
            );
        }
        // Last, the image sharpened: blurred symbols (out of focus, or curved away from
        // the focal plane) whose lone modules no threshold separates from their neighbours.
        if found.is_empty() && (normal.candidates > 0 || inverse.candidates > 0) {
            let sharp = views::sharpened(&base);
            views.both(
                &sharp,
                views::hybrid,
                base_scale,
                true,
                &mut found,
                [&mut normal, &mut inverse],
            );
        }
    }
    // Last, the shrunk copies again, dark-on-light, under the midrange threshold, as
    // zxing-cpp's downscaled passes threshold theirs: averaging halves a dark photo's
    // sensor noise, and the midrange threshold leaves out the flat blocks whose guessed
    // black points drag a dim code's thresholds off its modules. Last, not beside the
    // hybrid copies: a code read there ends the scan, and a light-on-dark code beside it
    // that a later view reads would go unread (differential seed 10383). Differential
    // search: tuning seeds 938 -> 940, evaluation 984 -> 990, six of the eight codes in
    // under-exposed photos; no image or bucket fewer; work units +1.7 % and +1.3 %, all
    // of it on photos no earlier view read.
    if passes.other_thresholds {
        for (small, scale) in &shrunk {
            if !found.is_empty() {
                break;
            }
            views.search(small, views::midrange, *scale, false, &mut found);
        }
    }
    // Last, for an image that no view read and that showed a pair of candidates: the
    // first view's threshold again, each pair completed with an assumed third pattern
    // (a glare spot or a blot over one finder pattern; see `reader::assume_thirds`), and
    // the same for the negative when its views showed a pair (differential tuning seeds
    // 950 -> 953, `inverted` 63 -> 66; evaluation seeds the same).
    if passes.other_thresholds && found.is_empty() && normal.unused >= 2 {
        views.assumed_thirds(&base, base_scale, false, &mut found);
    }
    if passes.other_thresholds && passes.inverted && found.is_empty() && inverse.unused >= 2 {
        views.assumed_thirds(&base, base_scale, true, &mut found);
    }
    found
}

/// Searches views of one image under one budget.
struct Views<'a> {
    passes: Passes,
    budget: &'a mut Budget,
}

impl Views<'_> {
    /// Searches one view: `view` binarised by `binarise`, as it is or, when `inverted`,
    /// its negative (binarised afresh rather than flipping the bits: the thresholds treat
    /// low-contrast blocks as background, which flipping would turn dark).
    fn search(
        &mut self,
        view: &GrayImage,
        binarise: views::Binariser,
        scale: f32,
        inverted: bool,
        found: &mut Vec<Code>,
    ) -> Unread {
        self.search_counting(view, binarise, scale, inverted, false, found)
    }

    /// [`Views::search`], counting the light-on-dark finder patterns the view shows
    /// outside the symbols read when `light_evidence` (see [`Unread::light_patterns`]).
    fn search_counting(
        &mut self,
        view: &GrayImage,
        binarise: views::Binariser,
        scale: f32,
        inverted: bool,
        light_evidence: bool,
        found: &mut Vec<Code>,
    ) -> Unread {
        self.search_view(
            view,
            binarise,
            scale,
            inverted,
            light_evidence,
            false,
            found,
        )
    }

    /// The last view of an image that no view read (see [`reader::ViewInfo::assume_thirds`]):
    /// the first view's threshold again, each pair of candidates left completed with a
    /// third pattern assumed where a glare spot or a blot may have wiped it.
    fn assumed_thirds(
        &mut self,
        view: &GrayImage,
        scale: f32,
        inverted: bool,
        found: &mut Vec<Code>,
    ) -> Unread {
        let hybrid = first_hybrid(view);
        self.search_view(view, hybrid, scale, inverted, false, true, found)
    }

    #[allow(clippy::too_many_arguments)]
    fn search_view(
        &mut self,
        view: &GrayImage,
        binarise: views::Binariser,
        scale: f32,
        inverted: bool,
        light_evidence: bool,
        assume_thirds: bool,
        found: &mut Vec<Code>,
    ) -> Unread {
        // Once the scan's units are spent, or a view as large was flooded with finder-like
        // structure, binarising this one would be wasted.
        let pixels = pixel_count(view);
        if self.budget.scan_exhausted() || self.budget.skips(pixels) {
            return Unread::default();
        }
        let Some(bits) = binarise(view, inverted) else {
            return Unread::default();
        };
        let info = ViewInfo {
            scale,
            inverted,
            micro: self.passes.micro,
            light_evidence,
            assume_thirds,
        };
        read_view(&bits, info, self.budget, found)
    }

    /// The hybrid threshold first; where it read nothing, or left triples unread, or left
    /// candidates unused (one beside [`MANY_CODES`] codes read), and `midrange` allows,
    /// the block-midrange threshold of the same pixels (lone modules of small, blurred or
    /// foreshortened symbols, which a block's mean puts on the wrong side). The hybrid
    /// view counts light-on-dark patterns when `light_evidence`, and so does the midrange
    /// view when the hybrid one read nothing (the count needs a symbol read beside it).
    ///
    /// At the working size (at most [`MAX_SCAN_PIXELS`]) the hybrid threshold guesses the
    /// black point of flat blocks from the ink around them (`views::hybrid_local_ink`):
    /// codes with lifted blacks read in the first view. The full-size view of a shrunk
    /// photo, searched only when the working size missed something, keeps zxing's guess:
    /// it is a second chance, and zxing's guess read a strongly tilted, low-contrast code
    /// there that the local-ink guess did not (differential seed 695).
    fn two_thresholds(
        &mut self,
        view: &GrayImage,
        scale: f32,
        inverted: bool,
        midrange: bool,
        light_evidence: bool,
        found: &mut Vec<Code>,
    ) -> Unread {
        let hybrid = first_hybrid(view);
        let before = found.len();
        let mut unread = self.search_counting(view, hybrid, scale, inverted, light_evidence, found);
        // Beside a sheet's worth of codes, one unused candidate is already a lead: a first
        // view that reads more of a sheet leaves fewer of a missed code's patterns over
        // (differential seed 653: five of six codes read, the sixth, tilted 47°, showed one
        // candidate, and only the midrange view reads it).
        let sheet_lead = found.len() >= MANY_CODES && unread.unused > 0;
        if self.passes.other_thresholds
            && midrange
            && (found.is_empty()
                || unread.near_misses > 0
                || unread.unused >= UNUSED_CANDIDATES
                || sheet_lead)
        {
            // Light-on-dark patterns are counted beside a symbol read, so where the hybrid
            // view read nothing new they are counted in this view as well: a dark code
            // that only the midrange threshold reads would otherwise leave no evidence,
            // and the light-on-dark codes beside it no search of the negative
            // (differential seed 912: an over-exposed photo whose dark code only this
            // view reads, and two light-on-dark codes that its evidence sends the
            // negative to read). Photos the hybrid view reads pay nothing for it.
            let light = light_evidence && found.len() == before;
            let second = self.search_counting(view, views::midrange, scale, inverted, light, found);
            unread.light_patterns = unread.light_patterns.max(second.light_patterns);
            unread.candidates += second.candidates;
            unread.small_candidates = unread.small_candidates.min(second.small_candidates);
            unread.near_misses = second.near_misses;
            unread.unused = second.unused;
        }
        unread
    }

    /// A busy image: several symbols read (a sheet, a shelf, where others may lie in
    /// other light), some triples failed, or [`UNUSED_CANDIDATES`] candidates were left
    /// over: the other thresholds of `base` get their
    /// chance, in the polarity the codes were read in (symbols read twice are kept once;
    /// their areas are left out of the finder search, so a sheet read in full costs these
    /// views little beyond binarising). Returns whether the image counted as busy.
    fn sheet(
        &mut self,
        base: &GrayImage,
        scale: f32,
        unread: Unread,
        inverted: bool,
        found: &mut Vec<Code>,
    ) -> bool {
        let busy = self.passes.other_thresholds
            && (found.len() >= MANY_CODES
                || unread.near_misses > 0
                || unread.unused >= UNUSED_CANDIDATES);
        if busy {
            self.search(base, views::local_mean, scale, inverted, found);
            self.search(base, views::global, scale, inverted, found);
        }
        busy
    }

    /// Searches `view` as it is and then, when that read nothing, its negative, adding to
    /// what each polarity left `unread` (dark-on-light first); when `gated`, a polarity is
    /// searched only if some earlier view of it found a finder candidate.
    fn both(
        &mut self,
        view: &GrayImage,
        binarise: views::Binariser,
        scale: f32,
        gated: bool,
        found: &mut Vec<Code>,
        unread: [&mut Unread; 2],
    ) {
        for (inverted, unread) in [false, true].into_iter().zip(unread) {
            if (inverted && !self.passes.inverted)
                || !found.is_empty()
                || (gated && unread.candidates == 0)
            {
                continue;
            }
            *unread += self.search(view, binarise, scale, inverted, found);
        }
    }
}

fn pixel_count(image: &GrayImage) -> u64 {
    u64::from(image.width()) * u64::from(image.height())
}

/// The hybrid threshold of a view: at the working size (at most [`MAX_SCAN_PIXELS`]) with
/// the black point of flat blocks guessed from the ink around them
/// (`views::hybrid_local_ink`), above it zxing's guess (`views::hybrid`): see
/// `Views::two_thresholds`.
fn first_hybrid(view: &GrayImage) -> views::Binariser {
    if pixel_count(view) <= MAX_SCAN_PIXELS {
        views::hybrid_local_ink
    } else {
        views::hybrid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qr_encode::{Style, encode, to_png};

    fn render(text: &str, ec: EcLevel) -> GrayImage {
        let png = to_png(
            &encode(text.as_bytes(), ec).expect("the text fits a symbol"),
            &Style {
                scale: 4,
                ..Style::default()
            },
        );
        image::load_from_memory(&png)
            .expect("our PNG loads")
            .to_luma8()
    }

    #[test]
    fn a_rendered_code_reads_back_with_its_level_and_version() {
        for ec in EcLevel::ALL {
            let codes = scan(&render("https://example.com/product/123", ec));
            assert_eq!(codes.len(), 1, "{ec}");
            assert_eq!(
                codes[0].text.as_deref(),
                Some("https://example.com/product/123")
            );
            assert_eq!(codes[0].ec_level, Some(ec));
            assert_eq!(
                codes[0].version,
                encode(b"https://example.com/product/123", ec)
                    .expect("the text fits a symbol")
                    .version()
            );
        }
    }

    #[test]
    fn slivers_and_specks_have_no_codes() {
        for (w, h) in [
            (1, 1),
            (1, 5000),
            (5000, 1),
            (20, 3_000_000),
            (3_000_000, 20),
            (47, 47),
        ] {
            assert!(
                scan(&GrayImage::from_pixel(w, h, image::Luma([0]))).is_empty(),
                "{w}x{h}"
            );
        }
    }

    /// The one code in `image`; fails the test unless there is exactly one.
    fn only_code(image: &GrayImage) -> Code {
        let mut codes = scan(image);
        assert_eq!(codes.len(), 1, "{codes:?}");
        codes.remove(0)
    }

    #[test]
    fn an_inverted_code_is_read_and_marked_inverted() {
        let mut image = render("light on dark", EcLevel::M);
        image::imageops::invert(&mut image);
        let code = only_code(&image);
        assert_eq!(
            (code.text.as_deref(), code.inverted),
            (Some("light on dark"), true)
        );
    }

    #[test]
    fn a_mirrored_code_is_read_and_marked_mirrored() {
        let image = image::imageops::flip_horizontal(&render("seen from behind glass", EcLevel::Q));
        let code = only_code(&image);
        assert_eq!(
            (code.text.as_deref(), code.mirrored),
            (Some("seen from behind glass"), true)
        );
    }

    #[test]
    fn every_code_in_an_image_is_returned_with_corners_around_it() {
        let left = render("left ticket", EcLevel::M);
        let right = render("right ticket", EcLevel::M);
        let mut both = GrayImage::from_pixel(
            left.width() + right.width(),
            left.height().max(right.height()),
            image::Luma([255]),
        );
        image::imageops::overlay(&mut both, &left, 0, 0);
        image::imageops::overlay(&mut both, &right, i64::from(left.width()), 0);
        let mut codes = scan(&both);
        codes.sort_by(|a, b| a.corners[0][0].total_cmp(&b.corners[0][0]));
        let texts: Vec<_> = codes.iter().map(|c| c.text.as_deref()).collect();
        assert_eq!(texts, [Some("left ticket"), Some("right ticket")]);
        assert!(
            codes[0]
                .corners
                .iter()
                .all(|[x, _]| *x < left.width() as f32)
        );
        assert!(
            codes[1]
                .corners
                .iter()
                .all(|[x, _]| *x > left.width() as f32)
        );
    }

    #[test]
    fn corners_go_around_the_symbol_from_its_top_left_whatever_the_rotation() {
        let upright = render("turn me", EcLevel::M);
        let side = upright.width() as f32;
        // Where the symbol's top-left corner lands, and which way "around" then runs.
        let cases = [
            (upright.clone(), [0.0, 0.0]),
            (image::imageops::rotate90(&upright), [side, 0.0]),
            (image::imageops::rotate180(&upright), [side, side]),
            (image::imageops::rotate270(&upright), [0.0, side]),
        ];
        for (i, (image, top_left)) in cases.into_iter().enumerate() {
            let c = only_code(&image).corners;
            let near = |p: [f32; 2], q: [f32; 2]| {
                (p[0] - q[0]).abs() < side / 4.0 && (p[1] - q[1]).abs() < side / 4.0
            };
            assert!(near(c[0], top_left), "rotation {i}: {c:?}");
            // Going around: corner 2 is opposite corner 0, and 1 and 3 are the other diagonal.
            let centre = [side / 2.0, side / 2.0];
            let mid = |a: [f32; 2], b: [f32; 2]| [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
            assert!(
                near(mid(c[0], c[2]), centre) && near(mid(c[1], c[3]), centre),
                "rotation {i}: {c:?}"
            );
            // Clockwise on screen (y down): top-left to top-right turns right.
            let cross = (c[1][0] - c[0][0]) * (c[2][1] - c[0][1])
                - (c[1][1] - c[0][1]) * (c[2][0] - c[0][0]);
            assert!(cross > 0.0, "rotation {i}: {c:?}");
        }
    }

    #[test]
    fn a_blank_image_has_no_codes() {
        assert!(scan(&GrayImage::from_pixel(64, 64, image::Luma([255]))).is_empty());
    }
}
