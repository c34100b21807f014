//! Scans image files named one per line on stdin and prints one JSON line per file:
//! `{"texts": [...], "ms": <scan time>}`.
//!
//! Built for wasm32-wasip2 and run under wasmtime by `host-bench decode-corpus`, which
//! compares its answers with the native library's: the decode component links this same
//! crate, so this shows the component reads what the native tests and benchmarks read.

use std::io::{BufRead, Write};
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for path in std::io::stdin().lock().lines() {
        let path = path?;
        let row = match image::open(&path) {
            Ok(image) => {
                let grey = image.to_luma8();
                let start = Instant::now();
                let codes = qr_scan::scan(&grey);
                let ms = start.elapsed().as_secs_f64() * 1000.0;
                let texts: Vec<Option<String>> = codes.into_iter().map(|c| c.text).collect();
                serde_json::json!({ "texts": texts, "ms": ms })
            }
            Err(error) => serde_json::json!({ "error": error.to_string() }),
        };
        writeln!(out, "{row}")?;
    }
    Ok(())
}
