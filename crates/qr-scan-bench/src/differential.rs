//! `--differential START..END`: qr-scan and zxing-cpp (defaults) on the random photo-like
//! samples of `qr_scan::sets::random`, seed by seed, tallied per condition bucket: how many
//! codes each reads, and which codes only one of them reads. The codes only zxing-cpp reads
//! are the leads for accuracy work; their images are kept as PNG for a closer look. A text
//! that no code of the sample holds is a misread, worse than no read (a ticket gate would
//! act on it): each decoder's are counted and listed.
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
use qr_scan::sets::random::{self, BUCKETS, RandomSample};

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
    let started = std::time::Instant::now();
    let mut times = Vec::new();
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
        let ours: Vec<String> = qr_scan::scan(&sample.image)
            .into_iter()
            .filter_map(|c| c.text)
            .collect();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
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
        &mut times,
    );
    let out = dir.join(format!("{}-{}.md", seeds.start, seeds.end));
    std::fs::write(&out, &report)?;
    std::fs::write(
        dir.join(format!("{}-{}-neither.txt", seeds.start, seeds.end)),
        neither.join("\n"),
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
            .map(|c| Code {
                text: c.text,
                buckets: c.buckets.iter().map(|b| (*b).to_owned()).collect(),
                description: c.description,
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
            serde_json::json!({"text": c.text, "buckets": c.buckets, "description": c.description})
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
    times: &mut [f64],
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
         median {:.1} ms, p90 {:.1} ms, total {:.1} s.\n",
        times.len(),
        quantile(times, 0.5),
        quantile(times, 0.9),
        total / 1000.0
    );
    let _ = writeln!(
        out,
        "Misreads (a text that no code of its sample holds): qr-scan {}, zxing-cpp {}.\n",
        misreads.ours, misreads.theirs
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
    if !misreads.lines.is_empty() {
        let _ = writeln!(out, "\n## Misreads\n");
        for line in &misreads.lines {
            let _ = writeln!(out, "- {line}");
        }
    }
    out
}
