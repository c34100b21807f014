//! Our CRC-32 (`qr_encode::crc32`, slicing by 4 over a 4 KiB table) against `crc32fast` on
//! the bytes the PNG writer really checksums: each chunk (type and data) of the seed request's
//! 410 px PNG and of the 1200-byte payload's 1810 px one, plus the whole seed PNG as a
//! `/generate/batch` ZIP entry does. Runs natively and in wasm32-wasip2 (crc32fast takes its
//! portable slicing-by-16 path there, no SIMD), so both builds of one source compare:
//!
//! ```sh
//! cargo run --release -p qr-encode --example crc_peers
//! cargo build --release -p qr-encode --example crc_peers --target wasm32-wasip2
//! wasmtime run target/wasm32-wasip2/release/examples/crc_peers.wasm
//! ```
//!
//! Times are wall clock per PNG (all its chunks), the median of batches interleaved so load
//! falls on both alike. A loop keeps the tables in cache: what a fresh instance pays to fault
//! in a table is measured by the seed request itself (`scripts/bench-seed-ab`).

use std::time::Instant;

use qr_encode::{EcLevel, Style, crc32, encode, to_png};

const BATCHES: usize = 15;
const CALLS: u32 = 20_000;

/// The checksummed spans of a PNG file: each chunk's type and data.
fn chunks(png: &[u8]) -> Vec<&[u8]> {
    let mut spans = Vec::new();
    let mut at = 8;
    while at + 12 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes")) as usize;
        spans.push(&png[at + 4..at + 8 + len]);
        at += 12 + len;
    }
    spans
}

/// Median nanoseconds per call of `f` over all `spans`, for each of the two functions.
fn time(spans: &[&[u8]]) -> (f64, f64) {
    let run = |f: fn(&[u8]) -> u32| {
        let t = Instant::now();
        for _ in 0..CALLS {
            for span in spans {
                std::hint::black_box(f(std::hint::black_box(span)));
            }
        }
        t.elapsed().as_secs_f64() * 1e9 / f64::from(CALLS)
    };
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..BATCHES {
        ours.push(run(crc32));
        theirs.push(run(crc32fast::hash));
    }
    ours.sort_by(f64::total_cmp);
    theirs.sort_by(f64::total_cmp);
    (ours[BATCHES / 2], theirs[BATCHES / 2])
}

fn main() {
    let style = Style::default();
    let seed = to_png(
        &encode(b"https://example.com/product/123", EcLevel::H).expect("seed fits"),
        &style,
    );
    let long: Vec<u8> = b"https://example.com/product/123?ref=qr-workshop&lang=en-GB&"
        .iter()
        .copied()
        .cycle()
        .take(1200)
        .collect();
    let long = to_png(&encode(&long, EcLevel::H).expect("1200 B fit"), &style);
    for (name, spans) in [
        ("seed PNG chunks", chunks(&seed)),
        ("1200 B PNG chunks", chunks(&long)),
        ("seed PNG as a ZIP entry", vec![&seed[..]]),
    ] {
        for span in &spans {
            assert_eq!(crc32(span), crc32fast::hash(span));
        }
        let sizes: Vec<usize> = spans.iter().map(|s| s.len()).collect();
        let (ours, theirs) = time(&spans);
        println!(
            "{name} {sizes:?} B: ours {ours:.0} ns, crc32fast {theirs:.0} ns ({:.2}x ours)",
            theirs / ours
        );
    }
}
