//! Latency samples reduced to the figures the results report: count, p50, p90, p99, mean.

use std::time::{Duration, Instant};

use serde::Serialize;

/// One measured quantity: how many samples and their percentiles, in microseconds.
#[derive(Debug, Clone, Copy, Serialize)]
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
            return Summary {
                samples: 0,
                p50_us: 0.0,
                p90_us: 0.0,
                p99_us: 0.0,
                mean_us: 0.0,
            };
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

    /// Runs `f` `n` times and summarises how long each call took. Setup belongs outside `f`.
    pub fn time<T>(n: usize, mut f: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<Summary> {
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            let start = Instant::now();
            std::hint::black_box(f()?);
            samples.push(start.elapsed());
        }
        Ok(Summary::of(samples))
    }
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
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
