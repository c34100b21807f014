//! Scans image files named one per line on stdin and prints one JSON line per file:
//! `{"texts": [...], "ms": <median scan time>}`. `scan_paths [REPEATS]` times each scan
//! REPEATS times (default 1) and reports the median.
//!
//! Built for wasm32-wasip2 and run under wasmtime by `qr-scan-bench`, which compares its
//! answers and times with the native library's: the decode component links this same
//! crate, so this shows the component reads what the native tests and benchmarks read.

use std::io::{BufRead, Write};
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let repeats: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .max(1);
    let mut out = std::io::stdout().lock();
    for path in std::io::stdin().lock().lines() {
        let path = path?;
        let row = match image::open(&path) {
            Ok(image) => {
                let grey = image.to_luma8();
                let mut times = Vec::with_capacity(repeats);
                let mut codes = Vec::new();
                for _ in 0..repeats {
                    let start = Instant::now();
                    codes = qr_scan::scan(&grey);
                    times.push(start.elapsed().as_secs_f64() * 1000.0);
                }
                times.sort_by(f64::total_cmp);
                let texts: Vec<Option<String>> = codes.into_iter().map(|c| c.text).collect();
                serde_json::json!({ "texts": texts, "ms": times[times.len() / 2] })
            }
            Err(error) => serde_json::json!({ "error": error.to_string() }),
        };
        writeln!(out, "{row}")?;
    }
    Ok(())
}
