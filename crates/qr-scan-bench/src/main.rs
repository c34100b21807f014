//! `qr-scan-bench`: decode accuracy and speed of qr-scan beside zxing-cpp, per set, on the
//! shared photo corpus (`../shared/qr-corpus`, each of its sets) and on the synthetic sets
//! (`qr_scan::sets`, one per hard case of real photos), natively and in wasm32-wasip2.
//!
//! Timing compares equal work: qr-scan as shipped runs extra passes (inverted, shrunk,
//! enlarged, other thresholds) only when its first pass reads nothing, while zxing-cpp with
//! its defaults always runs its inverted and downscaled passes too (it looks for up to 255
//! symbols). So two pairs are timed: qr-scan as shipped beside zxing-cpp's defaults (what
//! each reads, as each is used), and qr-scan's first pass alone beside zxing-cpp with
//! `try_invert` and `try_downscale` off (one binarisation and one search at full size each).
//!
//! zxing-cpp runs through its Python binding (PyPI `zxing-cpp`) in a venv under the target
//! directory, created on first use. It is a bench-only peer: when it cannot be installed the
//! report says so and our figures are still printed.

mod differential;
mod report;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use image::GrayImage;
use qr_scan::Passes;
use qr_scan::corpus::score;
use qr_scan::sets::Category;
use qr_scan_bench::{Case, corpus_cases, default_corpus, peers, synthetic_cases};

/// Where the full run's report goes, relative to this crate.
const RESULTS_FILE: &str = "results/decode.md";

/// Synthetic samples per category in a full run: enough for a rate per category that moves
/// in steps of 10 %, few enough that the whole bench stays within minutes.
const SAMPLES: usize = 10;

#[derive(Debug, Parser)]
#[command(
    name = "qr-scan-bench",
    about = "qr-scan beside zxing-cpp: accuracy and time per set, equal work, native and wasm"
)]
struct Cli {
    /// Smoke run for CI: one timed decode per image, every corpus set, one sample per
    /// synthetic category (not the 12 Mpx one), no zxing-cpp, no wasm; nothing written
    /// under results/.
    #[arg(long)]
    quick: bool,
    /// Timed decodes per image and decoder (the median is kept).
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// The shared QR corpus.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Synthetic samples per category.
    #[arg(long, default_value_t = SAMPLES)]
    samples: usize,
    /// Leave out zxing-cpp.
    #[arg(long)]
    no_peer: bool,
    /// Leave out the wasm32-wasip2 run.
    #[arg(long)]
    no_wasm: bool,
    /// Only these synthetic categories (comma-separated names, e.g. `monitor,shadows`) and
    /// no corpus: a quick look at a few categories beside zxing-cpp while working on them;
    /// nothing is written under results/.
    #[arg(long, value_delimiter = ',')]
    sets: Vec<String>,
    /// Instead of the sets: the differential search over the random photo-like samples
    /// `qr_scan::sets::random` makes for these seeds (`START..END`), qr-scan beside
    /// zxing-cpp's defaults, tallied per condition bucket (see `src/differential.rs`).
    #[arg(long)]
    differential: Option<String>,
}

/// What one decoder did on every case.
#[derive(Debug)]
pub struct Outcome {
    pub name: String,
    /// Per case, in case order: expected texts found, and decode time in ms.
    pub results: Vec<(usize, f64)>,
    /// Per case, in case order: the texts read.
    pub texts: Vec<Vec<String>>,
}

/// Everything one run measured.
#[derive(Debug)]
pub struct Runs {
    /// The machine's load average (1 min) at the start and the end: times on a shared box
    /// are only as good as it was quiet.
    pub load: String,
    pub repeats: usize,
    /// qr-scan as shipped.
    pub ours: Outcome,
    /// qr-scan's first pass only.
    pub ours_first: Outcome,
    /// zxing-cpp with its defaults, and with inversion and downscaling off.
    pub peer: Option<Outcome>,
    pub peer_single: Option<Outcome>,
    /// qr-scan built for wasm32-wasip2 under wasmtime.
    pub in_wasm: Option<Outcome>,
    /// qr-scan with fewer passes, and rqrr, on the corpus: what each part adds.
    pub variants: Vec<Outcome>,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    if let Some(range) = &cli.differential {
        println!("{}", differential::run(differential::parse_range(range)?)?);
        return Ok(());
    }
    let load_at_start = load_average();
    let repeats = if cli.quick { 1 } else { cli.repeats.max(1) };
    let root = cli.corpus.clone().unwrap_or_else(default_corpus);
    let only = cli
        .sets
        .iter()
        .map(|name| Category::from_name(name).with_context(|| format!("no set named {name}")))
        .collect::<Result<Vec<Category>>>()?;
    let mut cases = if only.is_empty() {
        corpus_cases(&root)?
    } else {
        Vec::new()
    };
    let samples = if cli.quick { 1 } else { cli.samples };
    let categories = if only.is_empty() {
        Category::ALL.to_vec()
    } else {
        only.clone()
    };
    cases.extend(synthetic_cases(&categories, samples, !cli.quick)?);
    let images = cases
        .iter()
        .map(|c| {
            image::open(&c.path)
                .map(|i| i.to_luma8())
                .with_context(|| format!("loading {}", c.path.display()))
        })
        .collect::<Result<Vec<GrayImage>>>()?;
    eprintln!(
        "{} images ({} synthetic)",
        cases.len(),
        cases.iter().filter(|c| c.synthetic()).count()
    );

    // The peers are started first and then every image is decoded by each decoder in
    // turn, so a change in the shared machine's load falls on all of them alike, and the
    // ratios per image and per set compare times taken within moments of each other.
    // A peer that was asked for and cannot start fails the run: a results table whose
    // comparison columns quietly went missing would read as a complete benchmark.
    let with_peer = !cli.quick && !cli.no_peer;
    let mut peer = with_peer
        .then(|| peers::zxing_cpp(repeats, "defaults", peers::Timing::Pixels))
        .transpose()
        .context("starting zxing-cpp (or pass --no-peer)")?;
    let mut peer_single = with_peer
        .then(|| peers::zxing_cpp(repeats, "single", peers::Timing::Pixels))
        .transpose()
        .context("starting zxing-cpp (or pass --no-peer)")?;
    let mut in_wasm = (!cli.quick && !cli.no_wasm)
        .then(|| peers::wasm(&cases, repeats))
        .transpose()
        .context(
            "starting qr-scan under wasmtime: put the wasmtime CLI on PATH (scripts/setup --test \
             installs it in ~/.cache/qr-workshop/tools/bin), or pass --no-wasm",
        )?;
    let mut ours = Outcome::new("qr-scan", cases.len());
    let mut ours_first = Outcome::new("qr-scan first pass", cases.len());
    let mut theirs = peer.as_ref().map(|p| Outcome::new(&p.name, cases.len()));
    let mut theirs_single = peer_single
        .as_ref()
        .map(|p| Outcome::new(&p.name, cases.len()));
    let mut guest = in_wasm.as_ref().map(|p| Outcome::new(&p.name, cases.len()));
    for (case, image) in cases.iter().zip(&images) {
        ours.push(
            case,
            time(image, repeats, |image| texts(&qr_scan::scan(image))),
        );
        take_turn(&mut peer, &mut theirs, case);
        ours_first.push(
            case,
            time(image, repeats, |image| {
                texts(&qr_scan::scan_with(image, Passes::FIRST))
            }),
        );
        take_turn(&mut peer_single, &mut theirs_single, case);
        take_turn(&mut in_wasm, &mut guest, case);
    }
    for peer in [peer, peer_single, in_wasm].into_iter().flatten() {
        peer.finish()?;
    }
    eprintln!("measured qr-scan, its first pass and the peers, image by image");
    let (peer, peer_single, in_wasm) = (theirs, theirs_single, guest);
    let mut variants = Vec::new();
    if !cli.quick && only.is_empty() {
        variants = pass_variants(&cases, &images, repeats);
    }
    let runs = Runs {
        load: format!(
            "{load_at_start} at the start, {} at the end",
            load_average()
        ),
        repeats,
        ours,
        ours_first,
        peer,
        peer_single,
        in_wasm,
        variants,
    };
    let report = report::render(&cases, &runs);
    println!("{report}");
    if cli.quick || !only.is_empty() {
        eprintln!("--quick or --sets: not writing {RESULTS_FILE}");
    } else {
        let out = Path::new(env!("CARGO_MANIFEST_DIR")).join(RESULTS_FILE);
        std::fs::write(&out, report).with_context(|| format!("writing {}", out.display()))?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}

/// The 1-minute load average from /proc/loadavg, or "unknown".
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

fn texts(codes: &[qr_scan::Code]) -> Vec<String> {
    codes.iter().filter_map(|c| c.text.clone()).collect()
}

/// qr-scan pass by pass and rqrr, on the corpus only (the table they feed is about it).
fn pass_variants(cases: &[Case], images: &[GrayImage], repeats: usize) -> Vec<Outcome> {
    let corpus: Vec<(Case, GrayImage)> = cases
        .iter()
        .zip(images)
        .filter(|(c, _)| !c.synthetic())
        .map(|(c, i)| (c.clone(), i.clone()))
        .collect();
    let (cases, images): (Vec<Case>, Vec<GrayImage>) = corpus.into_iter().unzip();
    let mut variants = vec![measure(
        "rqrr 0.11 alone",
        &cases,
        &images,
        repeats,
        rqrr_texts,
    )];
    let steps = [
        (
            "+ inverted",
            Passes {
                inverted: true,
                ..Passes::FIRST
            },
        ),
        (
            "+ shrunk copies",
            Passes {
                inverted: true,
                shrink: true,
                ..Passes::FIRST
            },
        ),
        (
            "+ enlarged small images",
            Passes {
                other_thresholds: false,
                ..Passes::ALL
            },
        ),
        (
            "+ other thresholds (all QR passes; as shipped without Micro QR and rMQR)",
            Passes {
                micro: false,
                ..Passes::ALL
            },
        ),
    ];
    for (name, passes) in steps {
        variants.push(measure(name, &cases, &images, repeats, |image| {
            texts(&qr_scan::scan_with(image, passes))
        }));
    }
    variants
}

/// rqrr as the project first used it. It panics on some corpus images; this is a bench
/// peer, so the panic is caught here and counted as nothing found.
fn rqrr_texts(image: &GrayImage) -> Vec<String> {
    let image = image.clone();
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let found = std::panic::catch_unwind(move || {
        let mut prepared = rqrr::PreparedImage::prepare(image);
        prepared
            .detect_grids()
            .into_iter()
            .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
            .collect()
    })
    .unwrap_or_default();
    std::panic::set_hook(hook);
    found
}

/// Decodes every case `repeats` times with `decode`; keeps the median time and the last
/// result.
fn measure(
    name: &str,
    cases: &[Case],
    images: &[GrayImage],
    repeats: usize,
    decode: impl Fn(&GrayImage) -> Vec<String>,
) -> Outcome {
    let mut outcome = Outcome::new(name, cases.len());
    for (case, image) in cases.iter().zip(images) {
        outcome.push(case, time(image, repeats, &decode));
    }
    eprintln!("measured {name}");
    outcome
}

/// Decodes `image` `repeats` times with `decode`: the last result and the median time in ms.
fn time(
    image: &GrayImage,
    repeats: usize,
    decode: impl Fn(&GrayImage) -> Vec<String>,
) -> (Vec<String>, f64) {
    let mut times = Vec::with_capacity(repeats);
    let mut found = Vec::new();
    for _ in 0..repeats {
        let start = Instant::now();
        found = decode(image);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    (found, qr_scan_bench::quantile(&mut times, 0.5))
}

/// `peer`'s turn on `case`, recorded in `outcome`; a peer that fails is reported and
/// dropped, with what it measured so far (the report then leaves it out).
fn take_turn(peer: &mut Option<peers::LinePeer>, outcome: &mut Option<Outcome>, case: &Case) {
    let Some(running) = peer else {
        return;
    };
    match running.decode(case) {
        Ok(answer) => {
            if let Some(outcome) = outcome {
                outcome.push(case, answer);
            }
        }
        Err(e) => {
            eprintln!("{} failed, left out: {e:#}", running.name);
            *peer = None;
            *outcome = None;
        }
    }
}

impl Outcome {
    fn new(name: &str, cases: usize) -> Self {
        Outcome {
            name: name.to_owned(),
            results: Vec::with_capacity(cases),
            texts: Vec::with_capacity(cases),
        }
    }

    /// Records what a decoder read in `case` and its time.
    fn push(&mut self, case: &Case, (found, ms): (Vec<String>, f64)) {
        self.results.push((score(&case.expected, &found), ms));
        self.texts.push(found);
    }
}
