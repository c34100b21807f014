//! Times the whole seed request natively, as the generate component runs it minus the wasm:
//! `POST /generate {"data":"https://example.com/product/123"}` through `qr_api::GENERATE`
//! (JSON parsing, options, checks, encode, 410 px PNG). Prints the median of several batches.
//!
//! `cargo run --release -p qr-api --example seed_request_timing`
//!
//! Used to check that new generation options leave the plain request no slower: run it on
//! both commits, interleaved, under `perf stat -e task-clock` on a shared machine
//! (`crates/qr-encode/BENCHMARKS.md`).

use std::time::Instant;

use qr_api::{GENERATE, Request};

const BODY: &[u8] = br#"{"data":"https://example.com/product/123"}"#;
const CALLS: u32 = 2_000;

fn main() {
    let batches: usize = std::env::var("SEED_TIMING_BATCHES")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or(15)
        .max(1);
    let request = Request {
        method: "POST",
        path: "/generate",
        query: "",
        content_type: Some("application/json"),
        if_none_match: None,
        body: BODY,
    };
    let mut per_call: Vec<f64> = (0..batches)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..CALLS {
                let reply = (GENERATE.handle)(std::hint::black_box(&request));
                assert_eq!(reply.status, 200);
                std::hint::black_box(reply);
            }
            t.elapsed().as_secs_f64() * 1e6 / f64::from(CALLS)
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    println!(
        "seed request: median {:.2} us/call (min {:.2})",
        per_call[batches / 2],
        per_call[0]
    );
}
