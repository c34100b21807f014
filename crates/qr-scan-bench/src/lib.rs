//! What the decoder benchmarks share: the images of each set with what they hold (every set of
//! the shared photo corpus, and the synthetic samples of `qr_scan::sets` written to files),
//! the per-set quantile, and the decoders that run in another process (zxing-cpp, and
//! qr-scan built for wasm32-wasip2; see [`peers`]).
//!
//! The `qr-scan-bench` binary times `qr_scan::scan` on decoded pixels beside them;
//! `host-bench decode-sets` times the shipped decode component on the same files, so both
//! read the same images and score them the same way.

pub mod peers;

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use qr_scan::corpus;
use qr_scan::sets::{self, Category};

/// Samples of the 12-megapixel category in a full run: each takes seconds to make and to
/// decode.
pub const LARGE_SAMPLES: usize = 3;

/// One image with what it holds.
#[derive(Debug, Clone)]
pub struct Case {
    /// `corpus/<folder>/<set>` or `synthetic/<category>`.
    pub set: String,
    /// The image file (synthetic samples are written under the target directory).
    pub path: PathBuf,
    /// The texts it holds.
    pub expected: Vec<String>,
    /// Counts towards its group's headline: the corpus's de-duplicated targets, and every
    /// synthetic sample.
    pub target: bool,
}

impl Case {
    pub fn synthetic(&self) -> bool {
        self.set.starts_with("synthetic/")
    }
}

/// How a synthetic sample is stored as a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Lossless: the file holds the sample's pixels exactly (the photo-like categories were
    /// already through JPEG when they were made).
    Png,
    /// As a phone saves a photo: in colour (the sample's grey as white paper under warm
    /// indoor light, [`PAPER_TINT`]), YCbCr with 4:2:0 chroma as phone cameras write it, at
    /// this quality (1-100).
    Jpeg(u8),
}

impl FileFormat {
    fn extension(self) -> &'static str {
        match self {
            FileFormat::Png => "png",
            FileFormat::Jpeg(_) => "jpg",
        }
    }
}

/// Each RGB channel of a [`FileFormat::Jpeg`] photo as `grey × scale + offset` of the
/// sample's grey: white paper under warm light comes out cream (black ink a dark brown-grey),
/// so a decoder gets a colour photo's chroma to handle, as from a phone, with the sample's
/// contrast nearly unchanged.
pub const PAPER_TINT: [(f32, f32); 3] = [(0.95, 8.0), (0.90, 14.0), (0.76, 28.0)];

/// The corpus beside the project root, where CI and every session find it.
pub fn default_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/qr-corpus")
}

/// Every image of the corpus at `root` with an expectation, scored as `qr_scan::corpus` says.
pub fn corpus_cases(root: &Path) -> Result<Vec<Case>> {
    let cases =
        corpus::load(root).with_context(|| format!("reading the corpus at {}", root.display()))?;
    if cases.is_empty() {
        bail!("no images with expectations under {}", root.display());
    }
    Ok(cases
        .into_iter()
        .map(|c| Case {
            set: format!("corpus/{}/{}", c.folder, c.set),
            path: c.path,
            expected: c.expected,
            target: c.target,
        })
        .collect())
}

/// Writes `samples` images of each of `categories` as PNG under the target directory
/// (the peers read files), [`LARGE_SAMPLES`] at most of the 12 Mpx one and none without
/// `large`. Samples are deterministic, so a rerun writes the same pixels.
pub fn synthetic_cases(categories: &[Category], samples: usize, large: bool) -> Result<Vec<Case>> {
    let mut cases = Vec::new();
    for &category in categories {
        let count = match category {
            Category::Lots60Large if !large => 0,
            Category::Lots60Large => LARGE_SAMPLES.min(samples),
            _ => samples,
        };
        for index in 0..count {
            cases.push(synthetic_case(category, index, FileFormat::Png)?);
        }
    }
    Ok(cases)
}

/// Sample `index` of `category` written as `format` under
/// `target/qr-scan-bench/sets/<category>/`, and what it holds.
pub fn synthetic_case(category: Category, index: usize, format: FileFormat) -> Result<Case> {
    let sample = sets::sample(category, index);
    let dir = peers::target_dir()
        .join("qr-scan-bench/sets")
        .join(category.name());
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{index:02}.{}", format.extension()));
    let written = match format {
        FileFormat::Png => sample.image.save(&path).map_err(anyhow::Error::from),
        FileFormat::Jpeg(quality) => std::fs::File::create(&path)
            .map_err(anyhow::Error::from)
            .and_then(|file| {
                let image = &sample.image;
                let photo: Vec<u8> = image
                    .as_raw()
                    .iter()
                    .flat_map(|&grey| {
                        PAPER_TINT.map(|(scale, offset)| {
                            (f32::from(grey) * scale + offset).round().min(255.0) as u8
                        })
                    })
                    .collect();
                let side = |v: u32| u16::try_from(v).context("a side over 65535 pixels");
                let mut encoder = jpeg_encoder::Encoder::new(BufWriter::new(file), quality);
                encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
                encoder
                    .encode(
                        &photo,
                        side(image.width())?,
                        side(image.height())?,
                        jpeg_encoder::ColorType::Rgb,
                    )
                    .map_err(anyhow::Error::from)
            }),
    };
    written.with_context(|| format!("writing {}", path.display()))?;
    Ok(Case {
        set: format!("synthetic/{}", category.name()),
        path,
        expected: sample.expected,
        target: true,
    })
}

/// A time in milliseconds as the reports print it: three significant figures at most
/// (0.14, 22.7, 125), enough for ratios between decoders measured in the same run.
pub fn format_ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A decoder's time over a group of images, as the reports compare them: the median and
/// the 90th percentile of its per-image times.
pub trait MedianP90 {
    fn median_ms(&self) -> f64;
    fn p90_ms(&self) -> f64;
}

/// `median / p90` in milliseconds ([`format_ms`]), or `n/a` when not measured.
pub fn format_times(t: Option<&impl MedianP90>) -> String {
    t.map_or("n/a".into(), |t| {
        format!("{} / {}", format_ms(t.median_ms()), format_ms(t.p90_ms()))
    })
}

/// `ours` over `theirs` at the median and at the p90 (`1.07 / 1.00`), or `n/a` when
/// `theirs` was not measured.
pub fn format_ratios(ours: &impl MedianP90, theirs: Option<&impl MedianP90>) -> String {
    theirs.map_or("n/a".into(), |t| {
        format!(
            "{:.2} / {:.2}",
            ours.median_ms() / t.median_ms(),
            ours.p90_ms() / t.p90_ms()
        )
    })
}

/// The `q` quantile (0 to 1) of `values`, interpolating between neighbours; NaN when empty.
pub fn quantile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let at = q * (values.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    values[lo] + (values[hi] - values[lo]) * (at - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn quantiles_interpolate_between_neighbours() {
        let mut even = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(quantile(&mut even, 0.5), 2.5);
        let mut ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((quantile(&mut ten, 0.9) - 9.1).abs() < 1e-9);
        assert_eq!(quantile(&mut [7.0], 0.9), 7.0);
        assert!(quantile(&mut [], 0.5).is_nan());
    }
}
