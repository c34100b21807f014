//! `decode-corpus`: decode accuracy and speed of qr-scan on the shared QR photo corpus,
//! measured beside zxing-cpp in the same run.
//!
//! Scoring follows `shared/qr-corpus/README.md` (see `qr_scan::corpus`); the headline is
//! the de-duplicated 207 targets.
//!
//! zxing-cpp runs through its Python binding (PyPI `zxing-cpp`) in a venv under the
//! target directory, created on first use. It is a bench-only peer: when it cannot be
//! installed the table says so and our figures are still printed.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use image::GrayImage;
use qr_scan::Passes;
use qr_scan::corpus::{self, Case, score};

/// Timed decodes per image and decoder; the median is kept, so one preempted run on a
/// shared 2-core machine does not decide an image's time.
const REPEATS: usize = 3;

/// Where the results table is written, relative to this crate.
const RESULTS_FILE: &str = "results/decode-corpus.md";

/// What one decoder did on every case.
#[derive(Debug)]
struct Outcome {
    name: String,
    /// Per case, in case order: expected texts found, and decode time in ms.
    results: Vec<(usize, f64)>,
}

/// Entry point: `host-bench decode-corpus [--quick] [--corpus DIR]`.
pub fn run(args: &[String]) -> Result<()> {
    let mut quick = false;
    let mut corpus = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--corpus" => corpus = args.next().map(PathBuf::from),
            other => bail!("unknown argument {other:?}; usage: decode-corpus [--quick] [--corpus DIR]"),
        }
    }
    let root = corpus.unwrap_or_else(default_corpus);
    let cases = corpus::load(&root).with_context(|| format!("reading the corpus at {}", root.display()))?;
    if cases.is_empty() {
        bail!("no images with expectations under {}", root.display());
    }
    let images = load_images(&cases)?;
    let targets: usize = cases.iter().filter(|c| c.target).map(|c| c.expected.len()).sum();
    eprintln!("{} images, {targets} de-duplicated targets, from {}", cases.len(), root.display());

    let ours = measure("qr-scan", &cases, &images, |image| texts(&qr_scan::scan(image)));
    let peer = match zxing_cpp(&cases) {
        Ok(peer) => Some(peer),
        Err(error) => {
            eprintln!("zxing-cpp peer unavailable: {error:#}");
            None
        }
    };
    let mut variants = Vec::new();
    if !quick {
        variants.push(measure("rqrr 0.11 alone", &cases, &images, rqrr_texts));
        let steps = [
            ("rxing detector, hybrid threshold only", Passes::FIRST),
            ("+ inverted", Passes { inverted: true, ..Passes::FIRST }),
            ("+ shrunk copies", Passes { inverted: true, shrink: true, ..Passes::FIRST }),
            ("+ enlarged small images", Passes { other_thresholds: false, ..Passes::ALL }),
        ];
        for (name, passes) in steps {
            variants.push(measure(name, &cases, &images, |image| {
                texts(&qr_scan::scan_with(image, passes))
            }));
        }
    }

    let report = render(&root, &cases, &ours, peer.as_ref(), &variants);
    println!("{report}");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join(RESULTS_FILE);
    if quick {
        eprintln!("--quick: not writing {}", out.display());
    } else {
        std::fs::write(&out, report).with_context(|| format!("writing {}", out.display()))?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}

/// The corpus beside the project root, where CI and every session find it.
fn default_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/qr-corpus")
}

fn load_images(cases: &[Case]) -> Result<Vec<GrayImage>> {
    cases
        .iter()
        .map(|c| {
            image::open(&c.path).map(|i| i.to_luma8()).with_context(|| format!("loading {}", c.path.display()))
        })
        .collect()
}

fn texts(codes: &[qr_scan::Code]) -> Vec<String> {
    codes.iter().filter_map(|c| c.text.clone()).collect()
}

/// rqrr as the project first used it. It panics on some corpus images; this is a bench
/// peer, so the panic is caught here and counted as nothing found.
fn rqrr_texts(image: &GrayImage) -> Vec<String> {
    let image = image.clone();
    std::panic::catch_unwind(move || {
        let mut prepared = rqrr::PreparedImage::prepare(image);
        prepared
            .detect_grids()
            .into_iter()
            .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
            .collect()
    })
    .unwrap_or_default()
}

/// Decodes every case `REPEATS` times with `decode` and scores the last result.
fn measure(
    name: &str,
    cases: &[Case],
    images: &[GrayImage],
    decode: impl Fn(&GrayImage) -> Vec<String>,
) -> Outcome {
    let quiet = name.starts_with("rqrr");
    let hook = quiet.then(std::panic::take_hook);
    if quiet {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let results = cases
        .iter()
        .zip(images)
        .map(|(case, image)| {
            let mut times = Vec::with_capacity(REPEATS);
            let mut found = Vec::new();
            for _ in 0..REPEATS {
                let start = Instant::now();
                found = decode(image);
                times.push(start.elapsed().as_secs_f64() * 1000.0);
            }
            (score(&case.expected, &found), median(&mut times))
        })
        .collect();
    if let Some(hook) = hook {
        std::panic::set_hook(hook);
    }
    eprintln!("measured {name}");
    Outcome { name: name.to_owned(), results }
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 }
}

/// Runs zxing-cpp on every case through `peers/zxing_cpp_peer.py`.
fn zxing_cpp(cases: &[Case]) -> Result<Outcome> {
    let python = peer_python()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/zxing_cpp_peer.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .arg(REPEATS.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", python.display()))?;
    let mut stdin = child.stdin.take().context("peer stdin")?;
    let paths: String = cases.iter().map(|c| format!("{}\n", c.path.display())).collect();
    let writer = std::thread::spawn(move || stdin.write_all(paths.as_bytes()));
    let stdout = child.stdout.take().context("peer stdout")?;
    let mut results = Vec::with_capacity(cases.len());
    for (case, line) in cases.iter().zip(BufReader::new(stdout).lines()) {
        let row: serde_json::Value = serde_json::from_str(&line?)?;
        let found: Vec<String> = serde_json::from_value(row["texts"].clone())?;
        let ms = row["ms"].as_f64().context("peer row without ms")?;
        results.push((score(&case.expected, &found), ms));
    }
    writer.join().map_err(|_| anyhow::anyhow!("peer writer panicked"))??;
    let status = child.wait()?;
    if !status.success() || results.len() != cases.len() {
        bail!("zxing-cpp peer exited with {status} after {} of {} images", results.len(), cases.len());
    }
    eprintln!("measured zxing-cpp");
    Ok(Outcome { name: "zxing-cpp".to_owned(), results })
}

/// The venv's Python with `zxing-cpp` installed, creating the venv on first use.
fn peer_python() -> Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let venv = target.join("zxing-cpp-venv");
    let python = venv.join("bin/python");
    let ready = |python: &Path| {
        Command::new(python)
            .args(["-c", "import zxingcpp, numpy, PIL"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if ready(&python) {
        return Ok(python);
    }
    eprintln!("creating {} with zxing-cpp (bench-only peer)", venv.display());
    let created = Command::new("python3").arg("-m").arg("venv").arg(&venv).status()?;
    if !created.success() {
        bail!("python3 -m venv failed");
    }
    let installed = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "zxing-cpp", "numpy", "pillow"])
        .status()?;
    if !installed.success() || !ready(&python) {
        bail!("pip install zxing-cpp numpy pillow failed");
    }
    Ok(python)
}

/// Tallies of one decoder over a group of cases.
struct Tally {
    found: usize,
    total: usize,
    median_ms: f64,
}

fn tally(cases: &[Case], outcome: &Outcome, keep: impl Fn(&Case) -> bool) -> Tally {
    let mut found = 0;
    let mut total = 0;
    let mut times = Vec::new();
    for (case, (hits, ms)) in cases.iter().zip(&outcome.results) {
        if keep(case) {
            found += hits;
            total += case.expected.len();
            times.push(*ms);
        }
    }
    Tally { found, total, median_ms: median(&mut times) }
}

fn percent(t: &Tally) -> f64 {
    100.0 * t.found as f64 / t.total.max(1) as f64
}

fn render(root: &Path, cases: &[Case], ours: &Outcome, peer: Option<&Outcome>, variants: &[Outcome]) -> String {
    let mut out = String::new();
    let unique = |c: &Case| c.target;
    let ours_unique = tally(cases, ours, unique);
    let peer_unique = peer.map(|p| tally(cases, p, unique));
    out.push_str("# Decode accuracy on the shared QR corpus\n\n");
    out.push_str(&format!(
        "Written by `cargo run --release -p host-bench -- decode-corpus` from `{}`.\n\
         Scoring: shared/qr-corpus/README.md; median of {REPEATS} timed decodes per image, \
         file loading not timed, same machine, same run.\n\n",
        root.display()
    ));
    let headline = match &peer_unique {
        Some(p) => format!(
            "**qr-scan: {}/{} ({:.1}%), median {:.2} ms; zxing-cpp: {}/{} ({:.1}%), median {:.2} ms; \
             time ratio {:.2}× zxing-cpp.**\n\n",
            ours_unique.found,
            ours_unique.total,
            percent(&ours_unique),
            ours_unique.median_ms,
            p.found,
            p.total,
            percent(p),
            p.median_ms,
            ours_unique.median_ms / p.median_ms
        ),
        None => format!(
            "**qr-scan: {}/{} ({:.1}%), median {:.2} ms; zxing-cpp peer unavailable in this run.**\n\n",
            ours_unique.found,
            ours_unique.total,
            percent(&ours_unique),
            ours_unique.median_ms
        ),
    };
    out.push_str(&headline);
    out.push_str("| folder/set | qr-scan found/total | zxing-cpp found/total | qr-scan median ms | zxing-cpp median ms | time ratio |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    let mut groups: Vec<(String, String)> = cases.iter().map(|c| (c.folder.clone(), c.set.clone())).collect();
    groups.dedup();
    let mut row = |label: &str, keep: &dyn Fn(&Case) -> bool| {
        let o = tally(cases, ours, keep);
        let (pf, pm, ratio) = match peer.map(|p| tally(cases, p, keep)) {
            Some(p) => (
                format!("{}/{}", p.found, p.total),
                format!("{:.2}", p.median_ms),
                format!("{:.2}", o.median_ms / p.median_ms),
            ),
            None => ("n/a".into(), "n/a".into(), "n/a".into()),
        };
        out.push_str(&format!(
            "| {label} | {}/{} | {pf} | {:.2} | {pm} | {ratio} |\n",
            o.found, o.total, o.median_ms
        ));
    };
    for (folder, set) in &groups {
        row(&format!("{folder}/{set}"), &|c: &Case| &c.folder == folder && &c.set == set);
    }
    row("**all images**", &|_: &Case| true);
    row("**unique targets**", &unique);

    if !variants.is_empty() {
        out.push_str("\n## What each part adds (unique targets)\n\n");
        out.push_str("| decoder | found/total | success | median ms | time ratio to zxing-cpp |\n|---|---|---|---|---|\n");
        for outcome in variants.iter().chain(std::iter::once(ours)).chain(peer) {
            let t = tally(cases, outcome, unique);
            let ratio = peer_unique.as_ref().map_or("n/a".into(), |p| format!("{:.2}", t.median_ms / p.median_ms));
            out.push_str(&format!(
                "| {} | {}/{} | {:.1}% | {:.2} | {ratio} |\n",
                if outcome.name == "qr-scan" { "qr-scan (all passes: + other thresholds)" } else { &outcome.name },
                t.found,
                t.total,
                percent(&t),
                t.median_ms
            ));
        }
    }

    out.push_str("\n## Targets qr-scan misses\n\n");
    for (case, (hits, _)) in cases.iter().zip(&ours.results) {
        if case.target && *hits < case.expected.len() {
            let peer_hits = peer.map_or("n/a".into(), |p| {
                let i = cases.iter().position(|c| std::ptr::eq(c, case)).unwrap_or(0);
                format!("{}", p.results[i].0)
            });
            out.push_str(&format!(
                "- {}/{}/{}: {hits}/{} (zxing-cpp {peer_hits})\n",
                case.folder,
                case.set,
                case.stem,
                case.expected.len()
            ));
        }
    }
    out
}
