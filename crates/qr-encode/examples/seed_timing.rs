//! Times the seed request (encode + 410 px PNG) in a plain loop, for targets criterion does
//! not run on: build for wasm32-wasip2 and run under `wasmtime run`, then compare with the
//! same binary built natively. Prints the median of several batches in microseconds.
//!
//! `cargo run --release -p qr-encode --example seed_timing [-- OUT.png]`
//!
//! `SEED_TIMING_BATCHES` (default 15) sets the number of batches: on a shared machine, the CPU
//! time of a run with 15 batches minus that of a run with 1 (`perf stat -e task-clock`, with
//! `wasmtime run --env` for the wasm build) is the cost of 14 batches without start-up or
//! compilation, and does not count time spent waiting for a core.

use std::time::Instant;

use qr_encode::{EcLevel, Style, encode, to_png};

/// The Python service's fixture request.
const SEED: &[u8] = b"https://example.com/product/123";
/// Calls per timed batch, and default batches; the median batch is reported.
const CALLS: u32 = 2_000;
const BATCHES: usize = 15;

fn main() {
    let style = Style::default();
    let png = to_png(&encode(SEED, EcLevel::H).expect("seed fits"), &style);
    if let Some(path) = std::env::args().nth(1) {
        std::fs::write(&path, &png).expect("write the PNG");
    }
    let batches = std::env::var("SEED_TIMING_BATCHES")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or(BATCHES)
        .max(1);
    let mut per_call: Vec<f64> = (0..batches)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..CALLS {
                let s = encode(std::hint::black_box(SEED), EcLevel::H).expect("seed fits");
                std::hint::black_box(to_png(&s, &style));
            }
            t.elapsed().as_secs_f64() * 1e6 / f64::from(CALLS)
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    println!(
        "seed encode+png: median {:.2} us/call (min {:.2}), {} PNG bytes",
        per_call[batches / 2],
        per_call[0],
        png.len()
    );
}
