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

/// The zxing-cpp release the peer venv installs (latest on PyPI when this was written).
const ZXING_CPP_VERSION: &str = "3.1.1";

/// The decode component's target, where the wasm parity run builds qr-scan.
const WASM_TARGET: &str = "wasm32-wasip2";

/// Where the results table is written, relative to this crate.
const RESULTS_FILE: &str = "results/decode-corpus.md";

/// What one decoder did on every case.
#[derive(Debug)]
struct Outcome {
    name: String,
    /// Per case, in case order: expected texts found, and decode time in ms.
    results: Vec<(usize, f64)>,
    /// Per case, in case order: the texts read.
    texts: Vec<Vec<String>>,
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
            other => {
                bail!("unknown argument {other:?}; usage: decode-corpus [--quick] [--corpus DIR]")
            }
        }
    }
    let root = corpus.unwrap_or_else(default_corpus);
    let cases =
        corpus::load(&root).with_context(|| format!("reading the corpus at {}", root.display()))?;
    if cases.is_empty() {
        bail!("no images with expectations under {}", root.display());
    }
    let images = load_images(&cases)?;
    let targets: usize = cases
        .iter()
        .filter(|c| c.target)
        .map(|c| c.expected.len())
        .sum();
    eprintln!(
        "{} images, {targets} de-duplicated targets, from {}",
        cases.len(),
        root.display()
    );

    let ours = measure("qr-scan", &cases, &images, |image| {
        texts(&qr_scan::scan(image))
    });
    let peer = zxing_cpp(&cases)
        .inspect_err(|e| eprintln!("zxing-cpp peer unavailable: {e:#}"))
        .ok();
    let mut variants = Vec::new();
    let mut in_wasm = None;
    if !quick {
        in_wasm = wasm(&cases, &root)
            .inspect_err(|e| eprintln!("wasm run unavailable: {e:#}"))
            .ok();
        variants.push(measure("rqrr 0.11 alone", &cases, &images, rqrr_texts));
        let steps = [
            ("rxing detector, hybrid threshold only", Passes::FIRST),
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
        ];
        for (name, passes) in steps {
            variants.push(measure(name, &cases, &images, |image| {
                texts(&qr_scan::scan_with(image, passes))
            }));
        }
    }

    let runs = Runs {
        ours,
        peer,
        in_wasm,
        variants,
    };
    let report = render(&cases, &runs);
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
            image::open(&c.path)
                .map(|i| i.to_luma8())
                .with_context(|| format!("loading {}", c.path.display()))
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
    let mut results = Vec::with_capacity(cases.len());
    let mut texts = Vec::with_capacity(cases.len());
    for (case, image) in cases.iter().zip(images) {
        let mut times = Vec::with_capacity(REPEATS);
        let mut found = Vec::new();
        for _ in 0..REPEATS {
            let start = Instant::now();
            found = decode(image);
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        results.push((score(&case.expected, &found), median(&mut times)));
        texts.push(found);
    }
    if let Some(hook) = hook {
        std::panic::set_hook(hook);
    }
    eprintln!("measured {name}");
    Outcome {
        name: name.to_owned(),
        results,
        texts,
    }
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Runs zxing-cpp on every case through `peers/zxing_cpp_peer.py`.
fn zxing_cpp(cases: &[Case]) -> Result<Outcome> {
    let python = peer_python()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/zxing_cpp_peer.py");
    let mut command = Command::new(&python);
    command.arg(&script).arg(REPEATS.to_string());
    run_lines("zxing-cpp", command, cases)
}

/// Runs qr-scan compiled to wasm32-wasip2 under wasmtime (the `scan_paths` example),
/// building it first, so the table shows what the decode component reads.
fn wasm(cases: &[Case], root: &Path) -> Result<Outcome> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "--target",
            WASM_TARGET,
            "-p",
            "qr-scan",
            "--example",
            "scan_paths",
        ])
        .status()
        .context("running cargo build for wasm32-wasip2")?;
    if !built.success() {
        bail!("cargo build --target {WASM_TARGET} -p qr-scan --example scan_paths failed");
    }
    let module = target_dir()
        .join(WASM_TARGET)
        .join("release/examples/scan_paths.wasm");
    let root = root.canonicalize()?;
    let mut command = Command::new("wasmtime");
    command
        .arg("run")
        .arg("--dir")
        .arg(format!("{0}::{0}", root.display()))
        .arg(&module);
    run_lines("qr-scan in wasm32-wasip2 (wasmtime)", command, cases)
}

/// Feeds every case's absolute path to `command`, one per line, and reads one JSON line
/// `{"texts": [...], "ms": ...}` back per case.
fn run_lines(name: &str, mut command: Command, cases: &[Case]) -> Result<Outcome> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    let mut stdin = child.stdin.take().context("child stdin")?;
    let paths = cases
        .iter()
        .map(|c| c.path.canonicalize().map(|p| format!("{}\n", p.display())))
        .collect::<std::io::Result<String>>()?;
    let writer = std::thread::spawn(move || stdin.write_all(paths.as_bytes()));
    let stdout = child.stdout.take().context("child stdout")?;
    let mut results = Vec::with_capacity(cases.len());
    let mut texts = Vec::with_capacity(cases.len());
    for (case, line) in cases.iter().zip(BufReader::new(stdout).lines()) {
        let row: serde_json::Value = serde_json::from_str(&line?)?;
        let found: Vec<Option<String>> = serde_json::from_value(row["texts"].clone())
            .with_context(|| format!("{name} on {}: {row}", case.path.display()))?;
        let found: Vec<String> = found.into_iter().flatten().collect();
        let ms = row["ms"].as_f64().context("row without ms")?;
        results.push((score(&case.expected, &found), ms));
        texts.push(found);
    }
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("{name} writer panicked"))??;
    let status = child.wait()?;
    if !status.success() || results.len() != cases.len() {
        bail!(
            "{name} exited with {status} after {} of {} images",
            results.len(),
            cases.len()
        );
    }
    eprintln!("measured {name}");
    Ok(Outcome {
        name: name.to_owned(),
        results,
        texts,
    })
}

/// Cargo's target directory, where the venv and the wasm build go.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// The venv's Python with `zxing-cpp` installed, creating the venv on first use.
fn peer_python() -> Result<PathBuf> {
    let venv = target_dir().join("zxing-cpp-venv");
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
    eprintln!(
        "creating {} with zxing-cpp (bench-only peer)",
        venv.display()
    );
    let created = Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(&venv)
        .status()?;
    if !created.success() {
        bail!("python3 -m venv failed");
    }
    let installed = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            &format!("zxing-cpp=={ZXING_CPP_VERSION}"),
            "numpy",
            "pillow",
        ])
        .status()?;
    if !installed.success() || !ready(&python) {
        bail!("pip install zxing-cpp numpy pillow failed");
    }
    Ok(python)
}

/// Why qr-scan is built the way it is; the tables above carry the numbers.
const CHOICES: &str = "
## Why each part is there

- **rqrr 0.11 alone** is what qr-scan started as. It is slow on photos, has no inverted
  retry, fails error correction on wavy or small rotated codes, and panics inside its
  perspective fit (`assert!` in `Perspective::map`) on `zxing/qrcode-6` images. The panic
  cannot be guarded from outside, and panics abort in wasm32-wasip2, so rqrr is only a
  peer in this table now.
- **rxing's port of zxing-cpp's QR detector and decoder** (rxing 0.9.3, used through its
  public building blocks: finder-pattern confirmation, finder-set generation, grid sampling,
  decoding) does most of the work. It builds for wasm32-wasip2. qr-scan drives it itself
  so that it can cap the grid samplings per scan (no runaway on noise) and keep what
  rxing's result type drops: version, mirroring, the payload bytes and whether ECI was used.
- **Our own hybrid threshold and finder row search.** Profiling the median image (240×240)
  showed rxing's `HybridBinarizer` (per-pixel trait calls, one `set` per bit) at half of
  the scan and its per-bit row reader at a fifth of the rest: qr-scan was 1.8× zxing-cpp's
  time. qr-scan now computes the same threshold in row loops that pack bits a word at a
  time, and cuts rows into runs from the row's words; both produce exactly rxing's bits
  and candidates (unit tests compare them on every corpus image), so accuracy is unchanged.
- **Inverted**: the inverted image is binarised again (flipping the thresholded bits is
  not the same: low-contrast blocks are treated as background), which reads light-on-dark
  and light-on-grey codes.
- **Shrunk copies** (halves, quarters, ...): large codes in photos, and noisy ones, read at
  lower resolution.
- **Enlarged small images** (twice the size, bilinear): thumbnails whose modules are one
  or two pixels.
- **Other thresholds**: a wide local mean (our own, integral image), zxing's global
  histogram, and the global one on the enlarged copy, which reads a wavy fabric print.
- **Text**: ECI when declared, else UTF-8, else Shift_JIS, else the decoder's per-segment
  reading (hanzi, kanji), else ISO-8859-1; raw bytes are always returned.
- Passes after the first run only when nothing was read, so the common image costs one
  binarisation and one finder search; each later pass adds time only on hard images.
";

/// Everything one benchmark run measured.
struct Runs {
    ours: Outcome,
    peer: Option<Outcome>,
    in_wasm: Option<Outcome>,
    /// qr-scan with fewer passes, and rqrr, to show what each part adds.
    variants: Vec<Outcome>,
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
    Tally {
        found,
        total,
        median_ms: median(&mut times),
    }
}

fn percent(t: &Tally) -> f64 {
    100.0 * t.found as f64 / t.total.max(1) as f64
}

fn render(cases: &[Case], runs: &Runs) -> String {
    let (ours, peer, variants) = (&runs.ours, runs.peer.as_ref(), &runs.variants);
    let mut out = String::new();
    let unique = |c: &Case| c.target;
    let ours_unique = tally(cases, ours, unique);
    let peer_unique = peer.map(|p| tally(cases, p, unique));
    out.push_str("# Decode accuracy on the shared QR corpus\n\n");
    out.push_str(&format!(
        "Written by `cargo run --release -p host-bench -- decode-corpus` from `shared/qr-corpus`.\n\
         Scoring: shared/qr-corpus/README.md; median of {REPEATS} timed decodes per image for the \
         native runs, file loading not timed, same machine, same run. zxing-cpp {} through its \
         Python binding (time of the `read_barcodes` call, QR only, otherwise its defaults: it \
         always also reads the inverted image and, when a side exceeds 500 px, downscaled copies, since it \
         looks for up to 255 symbols; qr-scan stops after the first pass that reads a code, \
         which is what the product does).\n\n",
        ZXING_CPP_VERSION
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
    let mut groups: Vec<(String, String)> = cases
        .iter()
        .map(|c| (c.folder.clone(), c.set.clone()))
        .collect();
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
        row(&format!("{folder}/{set}"), &|c: &Case| {
            &c.folder == folder && &c.set == set
        });
    }
    row("**all images**", &|_: &Case| true);
    row("**unique targets**", &unique);

    if let Some(w) = &runs.in_wasm {
        let t = tally(cases, w, unique);
        let same = ours
            .texts
            .iter()
            .zip(&w.texts)
            .filter(|(a, b)| a == b)
            .count();
        out.push_str(&format!(
            "\n## Native and wasm32-wasip2 agree\n\nqr-scan built for wasm32-wasip2 (what the decode \
             component links) and run under wasmtime reads {}/{} unique targets and returns the same \
             texts as the native build on {same}/{} images; median {:.2} ms per image inside the \
             guest (one decode each).\n",
            t.found,
            t.total,
            cases.len(),
            t.median_ms
        ));
    }

    if !variants.is_empty() {
        out.push_str("\n## What each part adds (unique targets)\n\n");
        out.push_str("| decoder | found/total | success | median ms | time ratio to zxing-cpp |\n|---|---|---|---|---|\n");
        for outcome in variants.iter().chain(std::iter::once(ours)).chain(peer) {
            let t = tally(cases, outcome, unique);
            let ratio = peer_unique.as_ref().map_or("n/a".into(), |p| {
                format!("{:.2}", t.median_ms / p.median_ms)
            });
            out.push_str(&format!(
                "| {} | {}/{} | {:.1}% | {:.2} | {ratio} |\n",
                if outcome.name == "qr-scan" {
                    "qr-scan (all passes: + other thresholds)"
                } else {
                    &outcome.name
                },
                t.found,
                t.total,
                percent(&t),
                t.median_ms
            ));
        }
    }

    out.push_str(CHOICES);
    out.push_str("\n## Targets qr-scan misses\n\n");
    for (case, (hits, _)) in cases.iter().zip(&ours.results) {
        if case.target && *hits < case.expected.len() {
            let peer_hits = peer.map_or("n/a".into(), |p| {
                let i = cases
                    .iter()
                    .position(|c| std::ptr::eq(c, case))
                    .unwrap_or(0);
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
