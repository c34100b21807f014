//! `decode-sets`: the decoder as it ships, per set of images, beside zxing-cpp doing the same
//! job. Every image file's bytes go, exactly as the service receives them, to
//!
//! - the decode component, through qr-host's `Runtime::call` (`POST /decode`: a fresh store
//!   with the shipped limits, instantiation, the handler, the whole body, the release), the
//!   per-request part's code path ([`Guest`], [`workload::native`]);
//! - the same `qr-api` handler natively;
//! - zxing-cpp (qr-scan-bench's peer, its Python binding) with Pillow decoding the same bytes
//!   to greyscale inside the timing, with its defaults and with one pass (`try_invert` and
//!   `try_downscale` off).
//!
//! The decoders take turns image by image, as in qr-scan-bench, so a change in the shared
//! machine's load falls on all of them alike. The sets are qr-scan-bench's: every set of the
//! shared corpus, scored by `qr_scan::corpus`, and every synthetic category of
//! `qr_scan::sets` written to files by its writer.
//!
//! **Equal work.** The service runs qr-scan as shipped: its extra passes (inverted, shrunk,
//! enlarged, other thresholds) only when its first pass reads nothing. So on an image its
//! first pass reads it does about zxing-cpp's single pass's work, and otherwise about its
//! defaults' (which always search the inverted image and downscaled copies too). Per image,
//! the equal-work zxing-cpp time is the single pass's when qr-scan's first pass
//! (`Passes::FIRST`, run natively outside the timing on the pixels the service decodes)
//! reads a code, else the defaults'.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use bytes::Bytes;
use qr_scan::Passes;
use qr_scan::corpus::score;
use qr_scan::sets::Category;
use qr_scan_bench::peers::{self, LinePeer, Timing, ZXING_CPP_VERSION};
use qr_scan_bench::{Case, FileFormat, MedianP90, format_ratios, format_times, quantile};
use serde::Serialize;

use crate::Run;
use crate::report::{Report, Table};
use crate::wasm::{self, Allocation, Call, Guest};
use crate::workload;

pub const SECTION: &str = "decode-sets";

/// Timed requests per image and decoder in a full run, the median kept (as qr-scan-bench).
const REPEATS: usize = 3;

/// Samples of each synthetic set in a full run (the 12 Mpx one has
/// [`qr_scan_bench::LARGE_SAMPLES`]).
const SAMPLES: usize = 10;

/// The synthetic sets beside the corpus: every category of `qr_scan::sets`, one per hard
/// case of real photos (the 12 Mpx sheet of 60 codes, the size phone photos arrive at, among
/// them), as qr-scan-bench measures them.
const SYNTHETIC: [Category; 26] = Category::ALL;

/// The quality the 12 Mpx set is saved at: a phone sends such a photo as a colour JPEG of a
/// few MiB, never as a PNG. The other synthetic sets are PNG files of qr-scan-bench's pixels (the
/// photo-like ones were made through JPEG already).
const PHOTO_JPEG_QUALITY: u8 = 90;

/// Untimed requests on the first image before any timing, so the pool slot, the caches and
/// the peers' image plugins are warm (the first image would otherwise pay for them).
const WARMUP: usize = 3;

/// The one synthetic sample a quick run decodes (small and quick to make).
const QUICK_SYNTHETIC: Category = Category::Nominal;

/// What one decoder did on one image: codes found of those expected, and the median time.
#[derive(Debug, Clone, Copy)]
struct Read {
    found: usize,
    ms: f64,
}

/// One image and what each decoder did on it.
#[derive(Debug)]
struct Measured {
    case: Case,
    /// qr-scan's first pass reads a code in it (the service then runs no other pass).
    first_pass_reads: bool,
    component: Read,
    native: Read,
    /// The native handler's first step alone: file bytes to the greyscale pixels it scans.
    native_pixels_ms: f64,
    /// `qr_scan::scan` alone in wasm32-wasip2 (qr-scan-bench's wasm peer under the wasmtime
    /// CLI, on pixels it decoded before timing); full runs only.
    wasm_scan: Option<Read>,
    zxing_defaults: Option<Read>,
    zxing_single: Option<Read>,
}

impl Measured {
    /// zxing-cpp doing the work the service did on this image (see the module doc).
    fn zxing_equal_work(&self) -> Option<Read> {
        if self.first_pass_reads {
            self.zxing_single
        } else {
            self.zxing_defaults
        }
    }
}

/// One decoder over a group of images: codes found, and the median and 90th percentile of
/// the per-image times.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Side {
    pub found: usize,
    pub median_ms: f64,
    pub p90_ms: f64,
}

/// One set (or summary group) as the JSON report records it.
#[derive(Debug, Clone, Serialize)]
pub struct SetRow {
    pub set: String,
    /// A summary over several sets (left out when goals are judged per set).
    pub summary: bool,
    pub images: usize,
    pub expected: usize,
    /// Images whose codes qr-scan's first pass reads (some of them), where the service does
    /// about zxing-cpp's single pass's work.
    pub first_pass_reads: usize,
    pub component: Side,
    pub native: Side,
    /// The native handler's file bytes → greyscale pixels alone (`found` is 0): what part of
    /// its time is the image decoding, not the QR search.
    pub native_file_to_pixels: Side,
    /// `qr_scan::scan` alone in wasm (full runs; `found` from its texts).
    pub wasm_scan: Option<Side>,
    /// Per image the component's time less the wasm scan's: its image decoding in wasm, the
    /// fresh instance and the JSON reply (`found` is 0).
    pub component_beyond_scan: Option<Side>,
    pub zxing_defaults: Option<Side>,
    pub zxing_single: Option<Side>,
    /// Per image the single pass's time where the first pass reads, else the defaults'.
    pub zxing_equal_work: Option<Side>,
}

pub fn run(run: &Run, report: &mut Report) -> Result<()> {
    let repeats = run.pick(1, REPEATS);
    let cases = cases(run.quick, &run.sets)?;
    let guest = Guest::new("qr_decode", Allocation::qr_host_default())?;
    let rt = wasm::current_thread()?;
    let [mut defaults, mut single] = zxing(run.quick, repeats, report);
    let mut in_wasm = wasm_scan(run.quick, &cases, repeats, report);
    let mut measured = Vec::new();
    let mut refused = Vec::new();
    // Images where the component and the native handler return different texts.
    let mut differ = Vec::new();
    eprintln!("  {} images, {repeats} timed decodes each", cases.len());
    if let Some(first) = cases.first() {
        let call = call(&first.path)?;
        for _ in 0..WARMUP {
            rt.block_on(guest.handle(&call))?;
            workload::native(&call)?;
        }
        take_turn(&mut defaults, first, report);
        take_turn(&mut single, first, report);
        take_turn(&mut in_wasm, first, report);
    }
    for (i, case) in cases.into_iter().enumerate() {
        let call = call(&case.path)?;
        // Untimed: the answer (always the same for the same bytes), and whether the
        // component, within its shipped limits, takes the image at all.
        let answer = rt.block_on(guest.respond(&call));
        let body = match answer {
            Ok((status, body)) if status == 200 => body,
            Ok((status, body)) => {
                let why = String::from_utf8_lossy(&body);
                refused.push(format!("{}: {status} {why}", case.path.display()));
                continue;
            }
            Err(e) => {
                refused.push(format!("{}: {e:#}", case.path.display()));
                continue;
            }
        };
        let component_texts = texts(&body)?;
        let component = Read {
            found: score(&case.expected, &component_texts),
            ms: median(repeats, || rt.block_on(guest.time_call(&call)))?,
        };
        let zxing_defaults = take_turn(&mut defaults, &case, report);
        let native_texts = texts(&workload::native(&call)?.into())?;
        if native_texts != component_texts {
            differ.push(case.path.display().to_string());
        }
        let native = Read {
            found: score(&case.expected, &native_texts),
            ms: median(repeats, || {
                let start = Instant::now();
                std::hint::black_box(workload::native(&call)?);
                Ok(start.elapsed())
            })?,
        };
        let zxing_single = take_turn(&mut single, &case, report);
        let wasm_scan = take_turn(&mut in_wasm, &case, report);
        let pixels = qr_core::load_image(&call.body).context("the pixels the service scans")?;
        let native_pixels_ms = median(repeats, || {
            let start = Instant::now();
            std::hint::black_box(qr_core::load_image(&call.body)?);
            Ok(start.elapsed())
        })?;
        let first_pass_reads = !qr_scan::scan_with(&pixels, Passes::FIRST).is_empty();
        measured.push(Measured {
            case,
            first_pass_reads,
            component,
            native,
            native_pixels_ms,
            wasm_scan,
            zxing_defaults,
            zxing_single,
        });
        if (i + 1) % 50 == 0 {
            eprintln!("  {} images measured", i + 1);
        }
    }
    for peer in [defaults, single, in_wasm].into_iter().flatten() {
        peer.finish()?;
    }
    if let Some(first) = differ.first() {
        let text = format!(
            "**The component and the native handler read different texts in {} images** \
             (the first: {first}): one decoder, two builds, the same bytes, so the component \
             was most likely built from other sources than this binary; rebuild both \
             (`scripts/build`) before quoting these figures.",
            differ.len()
        );
        eprintln!("warning: {text}");
        report.note(SECTION, text);
    }
    for why in &refused {
        report.note(
            SECTION,
            format!("refused by the component, left out: {why}"),
        );
    }
    notes(report, run.quick, repeats, &measured, &refused);
    let rows = rows(&measured);
    report.tables.push(table(&rows));
    report.tables.push(breakdown(&rows));
    report.decode_sets = rows;
    Ok(())
}

/// Every set of the shared corpus and the synthetic sets, or those `only` names (a part of
/// their name each); a quick run takes the first image of each corpus set and one small
/// synthetic sample.
fn cases(quick: bool, only: &[String]) -> Result<Vec<Case>> {
    let wanted = |set: &str| only.is_empty() || only.iter().any(|o| set.contains(o.as_str()));
    let mut cases = qr_scan_bench::corpus_cases(&crate::paths::corpus())?;
    cases.retain(|c| wanted(&c.set));
    if quick {
        cases.dedup_by(|later, first| later.set == first.set);
        cases.push(qr_scan_bench::synthetic_case(
            QUICK_SYNTHETIC,
            0,
            FileFormat::Png,
        )?);
        return Ok(cases);
    }
    let synthetic = SYNTHETIC.into_iter();
    for category in synthetic.filter(|c| wanted(&format!("synthetic/{}", c.name()))) {
        let (count, format) = match category {
            Category::Lots60Large => (
                qr_scan_bench::LARGE_SAMPLES,
                FileFormat::Jpeg(PHOTO_JPEG_QUALITY),
            ),
            _ => (SAMPLES, FileFormat::Png),
        };
        eprintln!("  writing {count} samples of {}", category.name());
        for index in 0..count {
            cases.push(qr_scan_bench::synthetic_case(category, index, format)?);
        }
    }
    Ok(cases)
}

/// zxing-cpp with its defaults and with one pass, timing file bytes to codes. A quick run
/// uses the venv only when it is there (`scripts/setup --test` makes it); a full run makes it
/// when it is missing. Without it the part still measures the service, and says so.
fn zxing(quick: bool, repeats: usize, report: &mut Report) -> [Option<LinePeer>; 2] {
    let start = |mode| -> Result<LinePeer> {
        if quick {
            let python = peers::zxing_cpp_python().context(
                "no zxing-cpp venv at target/zxing-cpp-venv (scripts/setup --test makes it; a \
                 full run makes it itself)",
            )?;
            peers::zxing_cpp_with(&python, repeats, mode, Timing::FileBytes)
        } else {
            peers::zxing_cpp(repeats, mode, Timing::FileBytes)
        }
    };
    match (start("defaults"), start("single")) {
        (Ok(defaults), Ok(single)) => [Some(defaults), Some(single)],
        (Err(e), _) | (_, Err(e)) => {
            report.note(SECTION, format!("zxing-cpp skipped: {e:#}"));
            [None, None]
        }
    }
}

/// qr-scan-bench's wasm peer (qr-scan's `scan_paths` example built for wasm32-wasip2, under
/// the wasmtime CLI `scripts/setup --test` installs), timing `qr_scan::scan` alone in wasm:
/// with the component's whole time beside it, what its image decoding costs in wasm. Full
/// runs only (it builds the example); without it the breakdown table says n/a. The peer
/// runs under a deadline ([`peers::WASM_PEER_DEADLINE`]), so its code carries the same epoch
/// checks as the component's and they are not counted as image decoding.
fn wasm_scan(quick: bool, cases: &[Case], repeats: usize, report: &mut Report) -> Option<LinePeer> {
    if quick {
        return None;
    }
    let started = crate::servers::tool("wasmtime")
        .context("the wasmtime CLI is not installed (scripts/setup --test)")
        .and_then(|wasmtime| peers::wasm_with(&wasmtime, cases, repeats));
    started
        .inspect_err(|e| report.note(SECTION, format!("wasm scan alone skipped: {e:#}")))
        .ok()
}

/// `POST /decode` with the file's bytes as the body, labelled by its extension.
fn call(path: &Path) -> Result<Call> {
    let body = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let content_type = match ext {
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        _ => "image/png",
    };
    Ok(Call {
        method: "POST",
        path_and_query: "/decode".into(),
        content_type,
        body: Bytes::from(body),
    })
}

/// The texts of a `/decode` reply (`codes[].text`; binary payloads have none).
fn texts(body: &Bytes) -> Result<Vec<String>> {
    let reply: serde_json::Value = serde_json::from_slice(body).context("a /decode reply")?;
    let codes = reply["codes"].as_array().context("a reply without codes")?;
    Ok(codes
        .iter()
        .filter_map(|c| c["text"].as_str().map(str::to_owned))
        .collect())
}

/// The median in ms of `repeats` timings by `f`.
fn median(repeats: usize, mut f: impl FnMut() -> Result<Duration>) -> Result<f64> {
    let mut ms = (0..repeats)
        .map(|_| Ok(f()?.as_secs_f64() * 1000.0))
        .collect::<Result<Vec<f64>>>()?;
    Ok(quantile(&mut ms, 0.5))
}

/// `peer`'s answer on `case`; a peer that fails is reported and dropped (the sets it then
/// misses images of show no zxing-cpp figures, and the goals leave them out).
fn take_turn(peer: &mut Option<LinePeer>, case: &Case, report: &mut Report) -> Option<Read> {
    let running = peer.as_mut()?;
    match running.decode(case) {
        Ok((found, ms)) => Some(Read {
            found: score(&case.expected, &found),
            ms,
        }),
        Err(e) => {
            let text = format!(
                "{} failed on {}, left out from there on: {e:#}",
                running.name,
                case.path.display()
            );
            eprintln!("{text}");
            report.note(SECTION, text);
            *peer = None;
            None
        }
    }
}

fn side(group: &[&Measured], read: impl Fn(&Measured) -> Option<Read>) -> Option<Side> {
    let reads: Vec<Read> = group.iter().map(|m| read(m)).collect::<Option<_>>()?;
    let mut ms: Vec<f64> = reads.iter().map(|r| r.ms).collect();
    Some(Side {
        found: reads.iter().map(|r| r.found).sum(),
        median_ms: quantile(&mut ms, 0.5),
        p90_ms: quantile(&mut ms, 0.9),
    })
}

fn row(set: &str, summary: bool, group: &[&Measured]) -> SetRow {
    let both = |r: Option<Side>| {
        r.unwrap_or(Side {
            found: 0,
            median_ms: f64::NAN,
            p90_ms: f64::NAN,
        })
    };
    SetRow {
        set: set.to_owned(),
        summary,
        images: group.len(),
        expected: group.iter().map(|m| m.case.expected.len()).sum(),
        first_pass_reads: group.iter().filter(|m| m.first_pass_reads).count(),
        component: both(side(group, |m| Some(m.component))),
        native: both(side(group, |m| Some(m.native))),
        native_file_to_pixels: both(side(group, |m| {
            Some(Read {
                found: 0,
                ms: m.native_pixels_ms,
            })
        })),
        wasm_scan: side(group, |m| m.wasm_scan),
        component_beyond_scan: side(group, |m| {
            let scan = m.wasm_scan?;
            Some(Read {
                found: 0,
                ms: m.component.ms - scan.ms,
            })
        }),
        zxing_defaults: side(group, |m| m.zxing_defaults),
        zxing_single: side(group, |m| m.zxing_single),
        zxing_equal_work: side(group, Measured::zxing_equal_work),
    }
}

/// Which images a row covers.
type Keep<'a> = dyn Fn(&Case) -> bool + 'a;

/// Per set in the order measured, then the corpus (all images, de-duplicated targets) and
/// the synthetic sets together.
fn rows(measured: &[Measured]) -> Vec<SetRow> {
    let mut sets: Vec<&str> = measured.iter().map(|m| m.case.set.as_str()).collect();
    sets.dedup();
    let group =
        |keep: &Keep<'_>| -> Vec<&Measured> { measured.iter().filter(|m| keep(&m.case)).collect() };
    let mut rows: Vec<SetRow> = sets
        .iter()
        .map(|set| row(set, false, &group(&|c| c.set == *set)))
        .collect();
    let summaries: [(&str, &Keep<'_>); 3] = [
        ("corpus: all images", &|c| !c.synthetic()),
        ("corpus: unique targets", &|c| !c.synthetic() && c.target),
        ("synthetic: all", &Case::synthetic),
    ];
    for (label, keep) in summaries {
        let members = group(keep);
        if !members.is_empty() {
            rows.push(row(label, true, &members));
        }
    }
    rows
}

impl MedianP90 for Side {
    fn median_ms(&self) -> f64 {
        self.median_ms
    }
    fn p90_ms(&self) -> f64 {
        self.p90_ms
    }
}

fn reads(s: Option<&Side>, expected: usize) -> String {
    s.map_or("n/a".into(), |s| format!("{}/{expected}", s.found))
}

fn table(rows: &[SetRow]) -> Table {
    let cells = rows.iter().map(|r| {
        let label = if r.summary {
            format!("**{}**", r.set)
        } else {
            r.set.clone()
        };
        let (d, s, e) = (
            r.zxing_defaults.as_ref(),
            r.zxing_single.as_ref(),
            r.zxing_equal_work.as_ref(),
        );
        vec![
            label,
            r.images.to_string(),
            r.first_pass_reads.to_string(),
            reads(Some(&r.component), r.expected),
            reads(Some(&r.native), r.expected),
            reads(d, r.expected),
            reads(s, r.expected),
            format_times(Some(&r.component)),
            format_times(Some(&r.native)),
            format_times(d),
            format_times(s),
            format_times(e),
            format_ratios(&r.component, d),
            format_ratios(&r.component, s),
            format!("**{}**", format_ratios(&r.component, e)),
            format_ratios(&r.native, e),
            format_ratios(&r.component, Some(&r.native)),
        ]
    });
    Table {
        section: SECTION,
        title: "per set: reads, ms per image (median / p90), ratios (median / p90; under 1 is \
                faster)"
            .into(),
        columns: vec![
            "set",
            "images",
            "first pass reads",
            "component reads",
            "native reads",
            "zxing-cpp defaults reads",
            "zxing-cpp single reads",
            "component ms",
            "native ms",
            "zxing-cpp defaults ms",
            "zxing-cpp single ms",
            "zxing-cpp equal work ms",
            "component / defaults",
            "component / single",
            "**component / equal work**",
            "native / equal work",
            "wasm / native",
        ],
        rows: cells.collect(),
    }
}

/// Where the time goes: the image decoding and the scan, natively and in wasm.
fn breakdown(rows: &[SetRow]) -> Table {
    let cells = rows.iter().map(|r| {
        let native_scan = Side {
            found: 0,
            median_ms: r.native.median_ms - r.native_file_to_pixels.median_ms,
            p90_ms: r.native.p90_ms - r.native_file_to_pixels.p90_ms,
        };
        let beyond = r.component_beyond_scan.as_ref();
        vec![
            r.set.clone(),
            format_times(Some(&r.native)),
            format_times(Some(&r.native_file_to_pixels)),
            format_times(Some(&native_scan)),
            format_times(Some(&r.component)),
            format_times(r.wasm_scan.as_ref()),
            format_times(beyond),
            beyond.map_or("n/a".into(), |b| {
                let n = &r.native_file_to_pixels;
                format!(
                    "{:.2} / {:.2}",
                    b.median_ms / n.median_ms,
                    b.p90_ms / n.p90_ms
                )
            }),
        ]
    });
    Table {
        section: SECTION,
        title: "where the time goes: ms per image (median / p90)".into(),
        columns: vec![
            "set",
            "native handler",
            "native file → pixels",
            "native rest (scan, reply)",
            "component",
            "wasm scan alone",
            "component beyond the scan",
            "beyond the scan / native file → pixels",
        ],
        rows: cells.collect(),
    }
}

fn notes(
    report: &mut Report,
    quick: bool,
    repeats: usize,
    measured: &[Measured],
    refused: &[String],
) {
    let subset = if quick {
        format!(
            "Quick run: the first image of each corpus set and one {} sample, one timed \
             decode each; too few to quote.",
            QUICK_SYNTHETIC.name()
        )
    } else {
        format!(
            "Every set of the shared corpus (scored by `qr_scan::corpus`: a point per expected \
             text returned, trailing newline ignored; the unique-targets row is its \
             de-duplicated headline) and synthetic sets of `qr_scan::sets` written by \
             qr-scan-bench's writer ({SAMPLES} samples each, {} of the 12 Mpx set; a sample \
             scores one per code it holds): the 12 Mpx set as a colour JPEG (4:2:0, quality \
             {PHOTO_JPEG_QUALITY}; the sheet as cream paper under warm light, \
             `qr_scan_bench::PAPER_TINT`), as a phone sends it, the others as PNG of \
             qr-scan-bench's pixels. Per image the median of {repeats} timed decodes; per set the median and \
             the 90th percentile of those.",
            qr_scan_bench::LARGE_SAMPLES
        )
    };
    report.note(SECTION, subset);
    report.note(
        SECTION,
        format!(
            "Each decoder does the whole job, file bytes to codes: the component through \
             qr-host's `Runtime::call` (`POST /decode`, the file's bytes as the body; fresh \
             store with the shipped limits, instantiate, handle, whole body read, instance \
             released; qr-host's default pool), native = the same `qr-api` handler in this \
             process (as per-request), zxing-cpp {ZXING_CPP_VERSION} (Python binding, QR \
             family, plain text) with the file's bytes read beforehand and Pillow's decode to \
             greyscale (`Image.open(BytesIO(bytes)).convert(\"L\")`) inside the timing. The \
             decoders take turns image by image."
        ),
    );
    report.note(
        SECTION,
        "Where the time goes: `native file → pixels` is the native handler's image decoding \
         alone (`qr_core::load_image` on the same bytes, timed apart), `native rest` the \
         handler less it (median less median); `wasm scan alone` is `qr_scan::scan` in \
         wasm32-wasip2 (qr-scan-bench's wasm peer, qr-scan's `scan_paths` example under the \
         wasmtime CLI under a deadline, so with the same epoch deadline checks compiled in as \
         the component; on pixels decoded before its timing), and `component \
         beyond the scan` the component's time less it, per image: its image decoding in \
         wasm, the body read, the fresh instance and its release, and the JSON reply.",
    );
    report.note(
        SECTION,
        "Equal work: the service runs qr-scan as shipped, its extra passes (inverted, shrunk, \
         enlarged, other thresholds) only when its first pass reads nothing; zxing-cpp's \
         defaults always search the inverted image and downscaled copies too. So on an image \
         qr-scan's first pass reads (the `first pass reads` column: `Passes::FIRST` run \
         natively on the same pixels, outside the timing) the service does about zxing-cpp's \
         single pass's work (`try_invert` and `try_downscale` off), and otherwise about its \
         defaults'. `zxing-cpp equal work` takes, per image, the single pass's time or the \
         defaults' accordingly: **component / equal work is the equal-work pair**; component \
         / defaults compares the two as each is used, component / single the service's whole \
         job with zxing-cpp's least.",
    );
    let large: Vec<&Measured> = measured
        .iter()
        .filter(|m| m.case.set.ends_with(Category::Lots60Large.name()))
        .collect();
    let large_refused = refused
        .iter()
        .filter(|why| why.contains(Category::Lots60Large.name()))
        .count();
    if let Some(biggest) = large.iter().map(|m| file_len(&m.case.path)).max()
        && large_refused == 0
    {
        report.note(
            SECTION,
            format!(
                "The 12 Mpx images (4032 × 3024 = 12.2 Mpx, JPEG up to {:.1} MiB) are inside the \
                 component's shipped limits: body ≤ {} MiB (`MAX_DECODE_BODY_BYTES`), ≤ {} Mpx \
                 and ≤ {} px a side (`MAX_IMAGE_PIXELS`, `MAX_IMAGE_SIDE`), and the component \
                 answered all {} within qr-host's memory cap ({} MiB) and request timeout ({} s).",
                biggest as f64 / (1024.0 * 1024.0),
                qr_core::limits::MAX_DECODE_BODY_BYTES / (1024 * 1024),
                qr_core::limits::MAX_IMAGE_PIXELS / (1024 * 1024),
                qr_core::limits::MAX_IMAGE_SIDE,
                large.len(),
                qr_host::Limits::default().max_memory_bytes / (1024 * 1024),
                qr_host::Limits::default().request_timeout.as_secs_f64(),
            ),
        );
    }
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(set: &str, first_pass_reads: bool, times: [f64; 4]) -> Measured {
        let read = |ms| Read { found: 1, ms };
        Measured {
            case: Case {
                set: set.into(),
                path: "x.png".into(),
                expected: vec!["a".into()],
                target: true,
            },
            first_pass_reads,
            component: read(times[0]),
            native: read(times[1]),
            native_pixels_ms: times[1] / 2.0,
            wasm_scan: None,
            zxing_defaults: Some(read(times[2])),
            zxing_single: Some(read(times[3])),
        }
    }

    #[test]
    fn equal_work_takes_the_single_pass_where_the_first_pass_reads_else_the_defaults() {
        let measured = [
            image("corpus/zxing/qrcode-1", true, [4.0, 2.0, 3.0, 1.0]),
            image("corpus/zxing/qrcode-1", false, [8.0, 4.0, 6.0, 5.0]),
            image("synthetic/glare", false, [9.0, 3.0, 7.0, 2.0]),
        ];
        let rows = rows(&measured);
        let names: Vec<(&str, bool)> = rows.iter().map(|r| (r.set.as_str(), r.summary)).collect();
        assert_eq!(
            names,
            [
                ("corpus/zxing/qrcode-1", false),
                ("synthetic/glare", false),
                ("corpus: all images", true),
                ("corpus: unique targets", true),
                ("synthetic: all", true),
            ]
        );
        let corpus = &rows[0];
        assert_eq!((corpus.images, corpus.first_pass_reads), (2, 1));
        // Per image: the single pass (1.0) where the first pass read, the defaults (6.0) where not.
        let equal = corpus.zxing_equal_work.expect("zxing-cpp ran");
        assert_eq!(equal.median_ms, 3.5);
        assert_eq!(corpus.zxing_defaults.map(|s| s.median_ms), Some(4.5));
        assert_eq!(corpus.zxing_single.map(|s| s.median_ms), Some(3.0));
        assert_eq!(rows[1].zxing_equal_work.map(|s| s.median_ms), Some(7.0));
    }

    #[test]
    fn without_zxing_cpp_the_rows_have_no_peer_side() {
        let mut lone = image("synthetic/nominal", true, [1.0, 1.0, 1.0, 1.0]);
        lone.zxing_defaults = None;
        lone.zxing_single = None;
        let rows = rows(&[lone]);
        assert!(rows[0].zxing_equal_work.is_none() && rows[0].zxing_defaults.is_none());
        assert_eq!(rows[0].component.found, 1);
    }
}
