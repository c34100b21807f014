//! Latency samples reduced to the figures the results report (count, p50, p90, p99, mean),
//! and the loops that take them behind a progress bar.

use std::time::{Duration, Instant};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

/// One measured quantity: how many samples and their percentiles, in microseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Summary {
    pub samples: usize,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub mean_us: f64,
}

impl Summary {
    /// Sorts `samples` and reads the nearest-rank percentiles. Empty input gives zeros.
    pub fn of(mut samples: Vec<Duration>) -> Summary {
        samples.sort_unstable();
        let n = samples.len();
        if n == 0 {
            return Summary::default();
        }
        let at = |q: f64| {
            let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
            micros(samples[rank - 1])
        };
        let total: Duration = samples.iter().sum();
        Summary {
            samples: n,
            p50_us: at(0.50),
            p90_us: at(0.90),
            p99_us: at(0.99),
            mean_us: micros(total) / n as f64,
        }
    }
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// `n` samples behind a progress bar on stderr (hidden when it is not a terminal): each call
/// of `f` returns how long its timed part took, so setup and teardown can stay outside it.
pub fn sample(what: &str, n: usize, mut f: impl FnMut() -> Result<Duration>) -> Result<Summary> {
    eprintln!("  {what}");
    let bar = ProgressBar::new(n as u64).with_message(what.to_owned());
    if let Ok(style) = ProgressStyle::with_template("  {bar:30} {pos}/{len} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    let samples = (0..n).map(|_| f().inspect(|_| bar.inc(1)));
    let samples = samples.collect::<Result<Vec<_>>>()?;
    bar.finish_and_clear();
    Ok(Summary::of(samples))
}

/// [`sample`] of `f` timed whole, dropping its result inside the timing. Setup belongs outside `f`.
pub fn timed<T>(what: &str, n: usize, mut f: impl FnMut() -> Result<T>) -> Result<Summary> {
    sample(what, n, || {
        let start = Instant::now();
        std::hint::black_box(f()?);
        Ok(start.elapsed())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_over_sorted_samples() {
        let samples = (1..=100).rev().map(Duration::from_micros).collect();
        let s = Summary::of(samples);
        assert_eq!(s.samples, 100);
        assert_eq!(s.p50_us, 50.0);
        assert_eq!(s.p90_us, 90.0);
        assert_eq!(s.p99_us, 99.0);
        assert_eq!(s.mean_us, 50.5);
    }

    #[test]
    fn a_single_sample_is_every_percentile() {
        let s = Summary::of(vec![Duration::from_micros(7)]);
        assert_eq!((s.p50_us, s.p90_us, s.p99_us), (7.0, 7.0, 7.0));
    }
}
