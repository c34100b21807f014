//! `--differential START..END`: qr-scan and zxing-cpp (defaults) on the random photo-like
//! samples of `qr_scan::sets::random`, seed by seed, tallied per condition bucket: how many
//! codes each reads, and which codes only one of them reads. The codes only zxing-cpp reads
//! are the leads for accuracy work; their images are kept as PNG for a closer look. A text
//! that no code of the sample holds is a misread, worse than no read (a ticket gate would
//! act on it): each decoder's are counted and listed.
//!
//! Every code qr-scan reads is also checked for where it says the code is: the centre of its
//! returned corners must lie inside the symbol as drawn ([`RandomCode::corners`]), the
//! criterion a benchmark of labelled photos scores by. A code read with its corners elsewhere
//! (a view's coordinates mapped back wrong) would count as missed there.
//!
//! zxing-cpp's answers are cached per seed and image (a hash of the pixels), so a rerun with
//! a changed decoder only pays for generating the images and our own scan.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::Write as _;
use std::ops::Range;
use std::path::Path;
use std::sync::mpsc;

use anyhow::{Context, Result, bail};
use image::{GrayImage, ImageEncoder};
use qr_scan::sets::random::{self, BUCKETS, RandomCode, RandomSample};

use qr_scan_bench::{peers, quantile};

/// Parses `START..END` (seeds, end excluded).
pub fn parse_range(text: &str) -> Result<Range<u64>> {
    let (start, end) = text
        .split_once("..")
        .context("a seed range is START..END, e.g. 0..2000")?;
    let range = start.trim().parse()?..end.trim().parse()?;
    if range.is_empty() {
        bail!("empty seed range {text}");
    }
    Ok(range)
}

/// Per bucket: codes, read by us, read by zxing-cpp, zxing-cpp only, ours only.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    codes: usize,
    ours: usize,
    theirs: usize,
    theirs_only: usize,
    ours_only: usize,
}

/// Runs the differential over `seeds`, writes its report under the target directory and
/// returns it.
pub fn run(seeds: Range<u64>) -> Result<String> {
    let dir = peers::target_dir().join("qr-scan-bench/differential");
    let images = dir.join("images");
    std::fs::create_dir_all(&images)?;
    let cache_path = dir.join("zxing-cpp.jsonl");
    let mut cache = load_cache(&cache_path);
    let mut cache_out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&cache_path)?;
    let mut peer: Option<peers::LinePeer> = None;

    // Samples are made (or loaded from an earlier run) on another thread, a couple ahead,
    // while both decoders read the last.
    let samples = dir.join(format!("samples-v{}", random::GENERATOR_VERSION));
    std::fs::create_dir_all(&samples)?;
    let (send, receive) = mpsc::sync_channel::<Result<Sample>>(2);
    let range = seeds.clone();
    let maker = std::thread::spawn(move || {
        for seed in range {
            if send.send(cached_sample(&samples, seed)).is_err() {
                break;
            }
        }
    });
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut all = Tally::default();
    let (mut theirs_only, mut ours_only, mut neither) = (Vec::new(), Vec::new(), Vec::new());
    let mut misreads = Misreads::default();
    let mut places = Places::default();
    let started = std::time::Instant::now();
    let mut times = Vec::new();
    // Work units per image (deterministic, unlike the times) and what each read, one line
    // per seed, so two builds can be compared image by image.
    let mut work = 0u64;
    let mut per_seed = Vec::new();
    for sample in receive {
        let sample = sample?;
        let key = format!("{}:{:016x}", sample.seed, pixel_hash(&sample));
        let file = images.join(format!("{}.bmp", sample.seed));
        let cached = cache.remove(&key);
        if cached.is_none() {
            sample.image.save(&file)?;
            if peer.is_none() {
                peer = Some(peers::zxing_cpp(1, "defaults", peers::Timing::Pixels)?);
            }
            peer.as_mut().expect("started").send(&file)?;
        }
        let start = std::time::Instant::now();
        let scan = qr_scan::scan_measured(&sample.image, qr_scan::Passes::ALL);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        work += scan.work;
        places.check(&sample, &scan.codes);
        let ours: Vec<String> = scan.codes.into_iter().filter_map(|c| c.text).collect();
        let read = sample
            .codes
            .iter()
            .filter(|c| ours.contains(&c.text))
            .count();
        per_seed.push(format!("{} {read} {}", sample.seed, scan.work));
        let theirs = match cached {
            Some(texts) => texts,
            None => {
                let (texts, _) = peer.as_mut().expect("started").receive()?;
                std::fs::remove_file(&file)?;
                writeln!(
                    cache_out,
                    "{}",
                    serde_json::json!({"key": key, "texts": texts})
                )?;
                texts
            }
        };
        misreads.check(&sample, &ours, &theirs);
        let mut keep = false;
        for code in &sample.codes {
            let (a, b) = (ours.contains(&code.text), theirs.contains(&code.text));
            let count = |t: &mut Tally| {
                t.codes += 1;
                t.ours += usize::from(a);
                t.theirs += usize::from(b);
                t.theirs_only += usize::from(b && !a);
                t.ours_only += usize::from(a && !b);
            };
            count(&mut all);
            for bucket in &code.buckets {
                count(tallies.entry(bucket.clone()).or_default());
            }
            let line = format!(
                "seed {}: {} [{}] — {}",
                sample.seed,
                code.description,
                code.buckets.join(", "),
                sample.description
            );
            if b && !a {
                theirs_only.push(line);
                keep = true;
            } else if a && !b {
                ours_only.push(line);
            } else if !a {
                neither.push(line);
            }
        }
        if keep {
            sample
                .image
                .save(images.join(format!("{}.png", sample.seed)))?;
        }
    }
    maker.join().ok().context("the sample maker panicked")?;
    if let Some(peer) = peer {
        peer.finish()?;
    }
    let report = render(
        &seeds,
        &tallies,
        &all,
        (&theirs_only, &ours_only),
        &misreads,
        &places,
        (&mut times, work),
    );
    let out = dir.join(format!("{}-{}.md", seeds.start, seeds.end));
    std::fs::write(&out, &report)?;
    std::fs::write(
        dir.join(format!("{}-{}-neither.txt", seeds.start, seeds.end)),
        neither.join("\n"),
    )?;
    std::fs::write(
        dir.join(format!("{}-{}-per-seed.txt", seeds.start, seeds.end)),
        per_seed.join("\n") + "\n",
    )?;
    eprintln!(
        "differential over seeds {}..{} in {:.0} s; wrote {} (images of zxing-only codes in {})",
        seeds.start,
        seeds.end,
        started.elapsed().as_secs_f64(),
        out.display(),
        images.display()
    );
    Ok(report)
}

/// Texts a decoder returned that no code of their sample holds.
#[derive(Debug, Default)]
struct Misreads {
    ours: usize,
    theirs: usize,
    /// One line per misread: the seed, the decoder and the text.
    lines: Vec<String>,
}

impl Misreads {
    fn check(&mut self, sample: &Sample, ours: &[String], theirs: &[String]) {
        for (decoder, texts, count) in [
            ("qr-scan", ours, &mut self.ours),
            ("zxing-cpp", theirs, &mut self.theirs),
        ] {
            for text in texts {
                if !sample.codes.iter().any(|c| &c.text == text) {
                    *count += 1;
                    let shown: String = text.chars().take(60).collect();
                    self.lines.push(format!(
                        "seed {}: {decoder} read {:?} — {}",
                        sample.seed, shown, sample.description
                    ));
                }
            }
        }
    }
}

/// Where qr-scan said the codes it read are, against where they were drawn.
#[derive(Debug, Default)]
struct Places {
    /// Codes read whose drawn corners are known (samples cached before the corners were
    /// recorded have none).
    checked: usize,
    /// One line per code read with its returned corners' centre outside the drawn symbol.
    outside: Vec<String>,
}

impl Places {
    fn check(&mut self, sample: &Sample, read: &[qr_scan::Code]) {
        for code in read {
            let Some(drawn) = sample
                .codes
                .iter()
                .find(|c| code.text.as_ref() == Some(&c.text))
            else {
                continue;
            };
            let Some(corners) = drawn.corners else {
                continue;
            };
            self.checked += 1;
            let centre = code.corners.iter().fold([0.0, 0.0], |[x, y], [cx, cy]| {
                [x + f64::from(*cx) / 4.0, y + f64::from(*cy) / 4.0]
            });
            if !inside(centre, &corners) {
                self.outside.push(format!(
                    "seed {}: {} returned at {:?}, centre {centre:.0?}, drawn at {:.0?} — {}",
                    sample.seed, drawn.description, code.corners, corners, sample.description
                ));
            }
        }
    }
}

/// `p` lies inside the convex quadrilateral `quad` (corners in order, either way round).
fn inside(p: [f64; 2], quad: &[[f64; 2]; 4]) -> bool {
    let sides: [f64; 4] = std::array::from_fn(|i| {
        let ([ax, ay], [bx, by]) = (quad[i], quad[(i + 1) % 4]);
        (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax)
    });
    sides.iter().all(|s| *s >= 0.0) || sides.iter().all(|s| *s <= 0.0)
}

/// A random sample as the differential uses it: the image, and per code its text, buckets
/// and description.
struct Sample {
    seed: u64,
    image: GrayImage,
    codes: Vec<Code>,
    description: String,
}

struct Code {
    text: String,
    buckets: Vec<String>,
    description: String,
    /// [`RandomCode::corners`]; `None` when read back from a cache written before they were.
    corners: Option<[[f64; 2]; 4]>,
}

/// The sample of `seed`, from `dir` when an earlier run wrote it there (making a 12 Mpx
/// sample takes longer than reading it back), else made and written there.
fn cached_sample(dir: &Path, seed: u64) -> Result<Sample> {
    let (png, meta) = (
        dir.join(format!("{seed}.png")),
        dir.join(format!("{seed}.json")),
    );
    if let (Ok(image), Ok(text)) = (image::open(&png), std::fs::read_to_string(&meta)) {
        let row: serde_json::Value = serde_json::from_str(&text)?;
        let strings = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        };
        let codes = row["codes"]
            .as_array()
            .context("codes")?
            .iter()
            .map(|c| Code {
                text: c["text"].as_str().unwrap_or_default().to_owned(),
                buckets: strings(&c["buckets"]),
                description: c["description"].as_str().unwrap_or_default().to_owned(),
                corners: serde_json::from_value(c["corners"].clone()).ok(),
            })
            .collect();
        return Ok(Sample {
            seed,
            image: image.to_luma8(),
            codes,
            description: row["description"].as_str().unwrap_or_default().to_owned(),
        });
    }
    let made: RandomSample = random::sample(seed);
    let sample = Sample {
        seed,
        image: made.image,
        codes: made
            .codes
            .into_iter()
            .map(|c: RandomCode| Code {
                text: c.text,
                buckets: c.buckets.iter().map(|b| (*b).to_owned()).collect(),
                description: c.description,
                corners: Some(c.corners),
            })
            .collect(),
        description: made.description,
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(&png)?);
    image::codecs::png::PngEncoder::new_with_quality(
        &mut file,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Sub,
    )
    .write_image(
        sample.image.as_raw(),
        sample.image.width(),
        sample.image.height(),
        image::ExtendedColorType::L8,
    )?;
    let codes: Vec<serde_json::Value> = sample
        .codes
        .iter()
        .map(|c| {
            serde_json::json!({
                "text": c.text,
                "buckets": c.buckets,
                "description": c.description,
                "corners": c.corners,
            })
        })
        .collect();
    std::fs::write(
        &meta,
        serde_json::json!({"codes": codes, "description": sample.description}).to_string(),
    )?;
    Ok(sample)
}

/// FNV-1a of the pixels: a cached answer is only used for the very same image.
fn pixel_hash(sample: &Sample) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for &b in sample.image.as_raw() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    hash ^ u64::from(sample.image.width()) << 32 ^ u64::from(sample.image.height())
}

fn load_cache(path: &Path) -> HashMap<String, Vec<String>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| {
            let row: serde_json::Value = serde_json::from_str(line).ok()?;
            let key = row["key"].as_str()?.to_owned();
            let texts = serde_json::from_value(row["texts"].clone()).ok()?;
            Some((key, texts))
        })
        .collect()
}

fn render(
    seeds: &Range<u64>,
    tallies: &BTreeMap<String, Tally>,
    all: &Tally,
    (theirs_only, ours_only): (&[String], &[String]),
    misreads: &Misreads,
    places: &Places,
    (times, work): (&mut [f64], u64),
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Differential, seeds {}..{}: qr-scan beside zxing-cpp {} (defaults)\n",
        seeds.start,
        seeds.end,
        peers::ZXING_CPP_VERSION
    );
    let total: f64 = times.iter().sum();
    let _ = writeln!(
        out,
        "{} images; qr-scan's time per image (as shipped, one run on a shared machine): \
         median {:.1} ms, p90 {:.1} ms, total {:.1} s; work units (deterministic) {:.4} billion.\n",
        times.len(),
        quantile(times, 0.5),
        quantile(times, 0.9),
        total / 1000.0,
        work as f64 / 1e9
    );
    let _ = writeln!(
        out,
        "Misreads (a text that no code of its sample holds): qr-scan {}, zxing-cpp {}.\n",
        misreads.ours, misreads.theirs
    );
    let _ = writeln!(
        out,
        "Positions (qr-scan): of {} codes read whose drawn corners are known, {} have their \
         returned corners' centre inside the drawn symbol, {} outside.\n",
        places.checked,
        places.checked - places.outside.len(),
        places.outside.len()
    );
    let _ = writeln!(
        out,
        "| bucket | codes | qr-scan | zxing-cpp | zxing-cpp only | qr-scan only |\n|---|---:|---:|---:|---:|---:|"
    );
    let row = |out: &mut String, name: &str, t: &Tally| {
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} |",
            t.codes, t.ours, t.theirs, t.theirs_only, t.ours_only
        );
    };
    row(&mut out, "**all**", all);
    for name in BUCKETS {
        if let Some(t) = tallies.get(name) {
            row(&mut out, name, t);
        }
    }
    let _ = writeln!(out, "\n## Codes only zxing-cpp reads\n");
    for line in theirs_only {
        let _ = writeln!(out, "- {line}");
    }
    let _ = writeln!(out, "\n## Codes only qr-scan reads\n");
    for line in ours_only {
        let _ = writeln!(out, "- {line}");
    }
    if !places.outside.is_empty() {
        let _ = writeln!(
            out,
            "\n## Codes qr-scan read with their corners elsewhere\n"
        );
        for line in &places.outside {
            let _ = writeln!(out, "- {line}");
        }
    }
    if !misreads.lines.is_empty() {
        let _ = writeln!(out, "\n## Misreads\n");
        for line in &misreads.lines {
            let _ = writeln!(out, "- {line}");
        }
    }
    out
}
