//! The markdown report: per set, what each decoder read and how long it took, the equal-work
//! pairs side by side, native against wasm, and what each pass of qr-scan adds.

use std::fmt::Write as _;

use qr_scan_bench::peers::ZXING_CPP_VERSION;
use qr_scan_bench::{Case, MedianP90, format_ratios, format_times, quantile};

use crate::{Outcome, Runs};

/// Which cases a row of a table covers.
type Filter<'a> = dyn Fn(&Case) -> bool + 'a;

/// Tallies of one decoder over a group of cases.
struct Tally {
    found: usize,
    total: usize,
    median_ms: f64,
    p90_ms: f64,
}

fn tally(cases: &[Case], outcome: &Outcome, keep: &Filter<'_>) -> Tally {
    let (mut found, mut total, mut times) = (0, 0, Vec::new());
    for (case, (hits, ms)) in cases.iter().zip(&outcome.results) {
        if keep(case) {
            found += hits;
            total += case.expected.len();
            times.push(*ms);
        }
    }
    Tally {
        found,
        total,
        median_ms: quantile(&mut times, 0.5),
        p90_ms: quantile(&mut times, 0.9),
    }
}

fn percent(t: &Tally) -> f64 {
    100.0 * t.found as f64 / t.total.max(1) as f64
}

fn reads(t: Option<&Tally>) -> String {
    t.map_or("n/a".into(), |t| format!("{}/{}", t.found, t.total))
}

impl MedianP90 for Tally {
    fn median_ms(&self) -> f64 {
        self.median_ms
    }
    fn p90_ms(&self) -> f64 {
        self.p90_ms
    }
}

/// Why qr-scan is built the way it is; the tables carry the numbers.
const CHOICES: &str = "
## Why each part of qr-scan is there

- **rqrr 0.11 alone** is what qr-scan started as. It is slow on photos, has no inverted
  retry, fails error correction on wavy or small rotated codes, and panics inside its
  perspective fit on `zxing/qrcode-6` images; it is only a peer in this table now.
- **rxing's port of zxing-cpp's QR detector and decoder** (rxing 0.9.3, through its public
  building blocks) does most of the work; qr-scan drives it itself, to cap the work per scan
  and keep what rxing's result type drops (version, mirroring, payload bytes, ECI).
- **Our own hybrid threshold and finder row search**: the same bits and candidates as
  rxing's, computed a word at a time.
- **Inverted**, **shrunk copies**, **enlarged small images**, **other thresholds**: passes
  that run only when the ones before read nothing (see the variants table).
- **Text**: ECI when declared; otherwise the character set zxing's rules pick (UTF-8,
  Shift_JIS or ISO-8859-1, see `qr-scan/src/payload.rs`), else the decoder's per-segment
  reading (hanzi, kanji); raw bytes are always returned.
";

pub fn render(cases: &[Case], runs: &Runs) -> String {
    let mut out = String::new();
    let peer = runs.peer.as_ref();
    let single = runs.peer_single.as_ref();
    let unique = |c: &Case| c.target && !c.synthetic();
    let synthetic = |c: &Case| c.synthetic();
    let _ = write!(
        out,
        "# Decode accuracy and time per set: qr-scan beside zxing-cpp\n\n\
         Written by `cargo run --release -p qr-scan-bench` (crates/qr-scan-bench). Images: every \
         set of `shared/qr-corpus` (scored as its README says) and the synthetic sets of \
         `qr_scan::sets` (each sample scores one per code it holds). Times: the median of {} \
         timed decodes per image, file loading not timed, same machine, same run (load average {}); \
         per set the median and the 90th percentile of those per-image times.\n\n\
         **Equal work.** zxing-cpp {ZXING_CPP_VERSION} (Python binding, the QR family: QR, Micro QR, rMQR; plain text) \
         runs twice. With its defaults it always also searches the inverted image and, when a \
         side exceeds 500 px, downscaled copies (it looks for up to 255 symbols, so it never \
         stops early); qr-scan as shipped runs its extra passes (inverted, shrunk, enlarged, \
         other thresholds) only when its first pass reads nothing. These two are compared as \
         each is used, and that is not equal work: on an image qr-scan reads at once, zxing-cpp \
         does several passes more. The equal-work pair is qr-scan's first pass alone \
         (`Passes::FIRST`: one hybrid binarisation, one finder search at full size) beside \
         zxing-cpp with `try_invert` and `try_downscale` off (one binarisation, one search at \
         full size). Ratios are qr-scan's time over zxing-cpp's (median / p90); under 1 is \
         faster.\n\n",
        runs.repeats, runs.load
    );
    let ours_unique = tally(cases, &runs.ours, &unique);
    let ours_synth = tally(cases, &runs.ours, &synthetic);
    match peer {
        Some(p) => {
            let pu = tally(cases, p, &unique);
            let ps = tally(cases, p, &synthetic);
            let _ = writeln!(
                out,
                "**Corpus, de-duplicated targets: qr-scan {}/{} ({:.1}%), zxing-cpp {}/{} ({:.1}%). \
                 Synthetic sets: qr-scan {}/{} ({:.1}%), zxing-cpp {}/{} ({:.1}%).**\n",
                ours_unique.found,
                ours_unique.total,
                percent(&ours_unique),
                pu.found,
                pu.total,
                percent(&pu),
                ours_synth.found,
                ours_synth.total,
                percent(&ours_synth),
                ps.found,
                ps.total,
                percent(&ps)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "**Corpus, de-duplicated targets: qr-scan {}/{} ({:.1}%). Synthetic sets: \
                 qr-scan {}/{} ({:.1}%). zxing-cpp was not run.**\n",
                ours_unique.found,
                ours_unique.total,
                percent(&ours_unique),
                ours_synth.found,
                ours_synth.total,
                percent(&ours_synth)
            );
        }
    }

    out.push_str("## Per set\n\n");
    out.push_str(
        "| set | images | qr-scan | zxing-cpp defaults | qr-scan ms median / p90 | zxing-cpp defaults ms | ratio | \
         qr-scan first pass | zxing-cpp single pass | first pass ms | single pass ms | equal-work ratio |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let mut sets: Vec<String> = cases.iter().map(|c| c.set.clone()).collect();
    sets.dedup();
    let mut row = |label: &str, keep: &Filter<'_>| {
        let images = cases.iter().filter(|c| keep(c)).count();
        let o = tally(cases, &runs.ours, keep);
        let f = tally(cases, &runs.ours_first, keep);
        let p = peer.map(|p| tally(cases, p, keep));
        let s = single.map(|p| tally(cases, p, keep));
        let _ = writeln!(
            out,
            "| {label} | {images} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            reads(Some(&o)),
            reads(p.as_ref()),
            format_times(Some(&o)),
            format_times(p.as_ref()),
            format_ratios(&o, p.as_ref()),
            reads(Some(&f)),
            reads(s.as_ref()),
            format_times(Some(&f)),
            format_times(s.as_ref()),
            format_ratios(&f, s.as_ref()),
        );
    };
    for set in &sets {
        row(set, &|c: &Case| &c.set == set);
    }
    row("**corpus: all images**", &|c: &Case| !c.synthetic());
    row("**corpus: unique targets**", &unique);
    row("**synthetic: all**", &synthetic);

    if let Some(w) = &runs.in_wasm {
        out.push_str(
            "\n## Native and wasm32-wasip2\n\nqr-scan built for wasm32-wasip2 (what the decode \
             component links), run under wasmtime with a deadline (so with the epoch checks \
             the component carries), the same images and repeats; times inside the \
             guest.\n\n| images | same texts as native | wasm ms median / p90 | native ms | wasm / native (median / p90) |\n|---|---:|---:|---:|---:|\n",
        );
        let groups: [(&str, &Filter<'_>); 4] = [
            ("corpus, all images", &|c: &Case| !c.synthetic()),
            ("synthetic, under 12 Mpx", &|c: &Case| {
                c.synthetic() && !c.set.ends_with("-12mp")
            }),
            ("synthetic, 12 Mpx (4032 × 3024)", &|c: &Case| {
                c.set.ends_with("-12mp")
            }),
            ("everything", &|_: &Case| true),
        ];
        for (label, keep) in groups {
            let idx: Vec<usize> = (0..cases.len()).filter(|&i| keep(&cases[i])).collect();
            if idx.is_empty() {
                continue;
            }
            let same = idx
                .iter()
                .filter(|&&i| runs.ours.texts[i] == w.texts[i])
                .count();
            let wt = tally(cases, w, keep);
            let nt = tally(cases, &runs.ours, keep);
            let _ = writeln!(
                out,
                "| {label} | {same}/{} | {} | {} | {:.2} / {:.2} |",
                idx.len(),
                format_times(Some(&wt)),
                format_times(Some(&nt)),
                wt.median_ms / nt.median_ms,
                wt.p90_ms / nt.p90_ms
            );
        }
    }

    if !runs.variants.is_empty() {
        out.push_str("\n## What each pass adds (corpus, unique targets)\n\n");
        out.push_str("| decoder | found/total | success | ms median / p90 |\n|---|---|---|---|\n");
        // The variants ran on the corpus cases only, in case order.
        let corpus: Vec<Case> = cases.iter().filter(|c| !c.synthetic()).cloned().collect();
        for v in &runs.variants {
            let t = tally(&corpus, v, &unique);
            let _ = writeln!(
                out,
                "| {} | {}/{} | {:.1}% | {} |",
                v.name,
                t.found,
                t.total,
                percent(&t),
                format_times(Some(&t))
            );
        }
        for (name, outcome) in [
            (
                "qr-scan first pass (hybrid threshold only)",
                Some(&runs.ours_first),
            ),
            (
                "qr-scan as shipped (all passes, + Micro QR and rMQR)",
                Some(&runs.ours),
            ),
            ("zxing-cpp single pass", single),
            ("zxing-cpp defaults", peer),
        ] {
            if let Some(o) = outcome {
                let t = tally(cases, o, &unique);
                let _ = writeln!(
                    out,
                    "| {name} | {}/{} | {:.1}% | {} |",
                    t.found,
                    t.total,
                    percent(&t),
                    format_times(Some(&t))
                );
            }
        }
    }

    out.push_str(CHOICES);
    out.push_str("\n## Images qr-scan does not fully read\n\n");
    for (i, case) in cases.iter().enumerate() {
        let hits = runs.ours.results[i].0;
        if case.target && hits < case.expected.len() {
            let peer_hits = peer.map_or("n/a".into(), |p| p.results[i].0.to_string());
            let name = case
                .path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("?");
            let _ = writeln!(
                out,
                "- {}/{name}: {hits}/{} (zxing-cpp {peer_hits})",
                case.set,
                case.expected.len()
            );
        }
    }
    out
}
