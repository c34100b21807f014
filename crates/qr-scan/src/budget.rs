//! The work budget every scan runs under: counted operations, not time, so a scan stops at
//! the same place on every machine and the limit can be asserted in a test.
//!
//! Each step of the search spends a fixed number of units (the weights below, in rough
//! proportion to their cost: one unit is a few nanoseconds of work). When a view's or the
//! scan's units run out the search stops and returns what it has read so far.

/// Units a whole scan may spend on finding and grouping finder patterns and on sampling
/// and decoding symbols, over all its views.
///
/// One unit is one to three nanoseconds of work natively (the weights below were set
/// from profiles of the corpus, of sheets of many codes and of the hostile tile), so this
/// is at most a few hundred milliseconds of search. Binarising the views is not counted:
/// it is linear in the pixels, which the image limits bound.
pub const SCAN_BUDGET: u64 = 80_000_000;

/// Units one view (one scale, one threshold, one polarity) may spend.
///
/// A sheet of a hundred codes needs less than half of it (8.6 million units for the
/// test sheet of `tests/search.rs`); a tile of thousands of finder patterns runs out of it
/// in about 30 ms (1000×1000) to 60 ms (2000×2000) natively. A quarter of the scan's, so
/// that views which spend much on hard-to-read symbols leave
/// room for the views after them. A view that runs out of its units is flooded with
/// finder-like structure (a crafted tile of patterns, dense halftone, a screen's pixel
/// grid photographed close up): every other threshold of the same pixels sees the same
/// structure, so views of that size or larger are skipped from then on. Shrunk views are
/// still searched: averaging blocks of pixels wipes out structure finer than the block
/// (a screen's grid, halftone), which is how a photo of a screen reads at all. A second
/// flooded view ends the scan with what it has read: halving did not help.
pub const VIEW_BUDGET: u64 = SCAN_BUDGET / 4;

/// A step could not be paid for: the view's (or the scan's) units ran out, and the caller
/// stops with what it has.
pub(crate) struct OutOfUnits;

/// Units for one finder-pattern window found in a row (the run test and the duplicate check).
pub(crate) const COST_ROW_HIT: u64 = 5;

/// Units for trying to confirm a row's candidate, plus [`COST_CELL`] per pixel of its
/// width: most tries fail on the first walk across the pattern, which is cheap.
pub(crate) const COST_LOCATE_TRY: u64 = 200;

/// Units for a confirmed candidate (rxing's `LocateConcentricPattern` walked four
/// directions through the pattern and traced its rings to fine-tune the centre) ...
pub(crate) const COST_LOCATE: u64 = 2_000;

/// ... plus these per pixel of the candidate's width in the row, as the walks and the
/// ring tracing grow with the pattern.
pub(crate) const COST_LOCATE_PER_PIXEL: u64 = 150;

/// Units for one grid cell, or one candidate in it, visited while indexing or looking up
/// candidates.
pub(crate) const COST_CELL: u64 = 3;

/// Units for testing one triple of candidates for a symbol's geometry.
pub(crate) const COST_TRIPLE: u64 = 40;

/// Units for one attempt to sample a symbol's grid and decode it, before the per-module
/// part: estimating the dimension traces edges between the patterns.
pub(crate) const COST_DECODE: u64 = 15_000;

/// Units for decoding a failed QR grid again with the codewords in its flat areas taken as
/// erasures (`ecc::decode_model2_erasures`, once per window size), before the per-module
/// part ([`COST_ERASURE_MODULE`]): the format read again and a Reed-Solomon decode with
/// erasures per block. Only grids that fail pay it. Calibrated on the corpus: its retries
/// run 52.7 million instructions (callgrind, 2026-12-01), and at this price and
/// [`COST_ERASURE_MODULE`] they are charged about 2.4 million units, the ratio of units to
/// instructions the rest of the search has (51.6 million units, 1,096 million
/// instructions, binarising included).
pub(crate) const COST_ERASURE_RETRY: u64 = 1_000;

/// Units per module of an erasure retry ([`COST_ERASURE_RETRY`]): one pass over the grid
/// for flat areas and the data modules read again, no sampling.
pub(crate) const COST_ERASURE_MODULE: u64 = 4;

/// Units for sampling one finder candidate as a Micro QR or an rMQR symbol, before the
/// per-module part: tracing the pattern's corners and reading the format information in
/// four orientations. Only candidates that no QR symbol read used pay it, twice (Micro
/// QR, then rMQR).
pub(crate) const COST_SINGLE_FINDER: u64 = 15_000;

/// Units per module sampled (and run through error correction) in a decode attempt.
pub(crate) const COST_MODULE: u64 = 20;

/// Units per module for fitting a grid that did not decode to its module edges and
/// sampling it again ([`crate::edge_fit`]), on top of [`COST_MODULE`] for decoding it:
/// probing the edges and taking each module's median cost about what sampling and
/// decoding it does (callgrind, the unreadable glare, damaged and blurred sets).
pub(crate) const COST_EDGE_FIT_MODULE: u64 = 20;

/// Share of a view's units the finder-pattern search may spend, in percent; the rest is
/// left for grouping and decoding, so a view flooded with candidates still tries the
/// most plausible of them.
pub(crate) const FINDER_SHARE_PERCENT: u64 = 50;

/// Share of a view's units that grouping candidates into triples may spend, in percent.
pub(crate) const GROUPING_SHARE_PERCENT: u64 = 25;

/// A countdown of work units, shared by a scan and narrowed for each view.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    /// Units left for the whole scan.
    scan_left: u64,
    /// Units left for the current view (never more than `scan_left`).
    view_left: u64,
    /// Units left for the current stage of the view (finding, grouping, decoding).
    stage_left: u64,
    /// Units spent so far by the scan.
    spent: u64,
    /// The budget ran out at least once (a view or the scan was cut short).
    exhausted: bool,
    /// The current view ran out of units.
    view_cut: bool,
    /// Pixels of the view that ran out of units (see [`VIEW_BUDGET`]), once one has.
    flooded: Option<u64>,
}

impl Budget {
    /// A scan's budget of `units`.
    pub(crate) fn new(units: u64) -> Self {
        Budget {
            scan_left: units,
            view_left: units,
            stage_left: units,
            spent: 0,
            exhausted: false,
            view_cut: false,
            flooded: None,
        }
    }

    /// Starts a view: it may spend up to `units` of what the scan has left.
    pub(crate) fn start_view(&mut self, units: u64) {
        self.view_left = units.min(self.scan_left);
        self.stage_left = self.view_left;
        self.view_cut = false;
    }

    /// Ends the view, of `pixels` pixels. When it (or one of its stages) ran out of units,
    /// views as large are skipped from then on; when one had already run out, the scan
    /// ends (see [`VIEW_BUDGET`]).
    pub(crate) fn end_view(&mut self, pixels: u64) {
        if self.view_cut {
            if self.flooded.is_some() {
                self.scan_left = 0;
            }
            self.flooded = Some(pixels);
        }
    }

    /// A view of `pixels` pixels is not worth searching: one at least half as large was
    /// flooded with finder-like structure.
    pub(crate) fn skips(&self, pixels: u64) -> bool {
        self.flooded.is_some_and(|flooded| 2 * pixels > flooded)
    }

    /// Starts a stage of the view that may spend up to `units` of what the view has left.
    pub(crate) fn start_stage(&mut self, units: u64) {
        self.stage_left = units.min(self.view_left);
    }

    /// Spends `units` when they are there; `false` (spending nothing) when the view or the
    /// scan would run out, and from then on for this view.
    pub(crate) fn spend(&mut self, units: u64) -> bool {
        if units > self.stage_left {
            self.stage_left = 0;
            self.exhausted = true;
            self.view_cut = true;
            return false;
        }
        self.stage_left -= units;
        self.view_left -= units;
        self.scan_left -= units;
        self.spent += units;
        true
    }

    /// The scan has nothing left to spend.
    pub(crate) fn scan_exhausted(&self) -> bool {
        self.scan_left < COST_DECODE
    }

    /// Units spent so far.
    pub(crate) fn spent(&self) -> u64 {
        self.spent
    }

    /// Some view, or the scan, ran out of units.
    pub(crate) fn was_exhausted(&self) -> bool {
        self.exhausted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_spends_up_to_its_share_and_running_out_skips_views_as_large() {
        let mut budget = Budget::new(10 * COST_DECODE);
        budget.start_view(4 * COST_DECODE);
        assert!(budget.spend(4 * COST_DECODE));
        assert!(!budget.spend(1), "the view's share is spent");
        assert_eq!(budget.spent(), 4 * COST_DECODE);
        budget.end_view(1000);
        assert!(budget.was_exhausted());
        assert!(
            budget.skips(1000) && budget.skips(501) && !budget.skips(500),
            "views as large are skipped, shrunk ones not"
        );
        assert!(!budget.scan_exhausted(), "a shrunk view may still run");
        budget.start_view(4 * COST_DECODE);
        assert!(!budget.spend(4 * COST_DECODE + 1));
        budget.end_view(250);
        assert!(
            budget.scan_exhausted(),
            "a second flooded view ends the scan"
        );
    }

    #[test]
    fn a_view_within_its_share_leaves_the_rest_to_the_next() {
        let mut budget = Budget::new(10 * COST_DECODE);
        budget.start_view(4 * COST_DECODE);
        budget.start_stage(COST_DECODE);
        assert!(budget.spend(COST_DECODE));
        budget.start_stage(4 * COST_DECODE);
        assert!(budget.spend(2 * COST_DECODE), "the view has three left");
        budget.end_view(1000);
        assert!(!budget.scan_exhausted() && !budget.was_exhausted() && !budget.skips(1000));
        budget.start_view(4 * COST_DECODE);
        assert!(
            budget.spend(4 * COST_DECODE),
            "the next view has its whole share"
        );
        assert_eq!(budget.spent(), 7 * COST_DECODE);
    }

    #[test]
    fn a_stage_that_runs_out_cuts_its_view() {
        let mut budget = Budget::new(10 * COST_DECODE);
        budget.start_view(4 * COST_DECODE);
        budget.start_stage(COST_DECODE);
        assert!(!budget.spend(COST_DECODE + 1));
        budget.start_stage(4 * COST_DECODE);
        assert!(
            budget.spend(COST_DECODE),
            "later stages of the view still run"
        );
        budget.end_view(1000);
        assert!(budget.skips(1000));
    }
}
