//! Our deflater against `miniz_oxide` and `fdeflate` on the same filtered scanlines: the seed
//! request's 410 px PNG and the 1200-byte payload's of `benches/encode.rs` (version 39, level
//! H, 1810 px).
//!
//! `cargo run --release -p qr-encode --example deflate_peers`
//!
//! The scanlines are read back from our own PNG (filter 0 on every line, so the zlib input is
//! a zero byte before each packed row). Times are CPU time of this thread per call (median of
//! batches, interleaved so load hits every variant alike). Ours is the whole `to_png` (drawing
//! the rows, deflate, CRC, framing); the peers only compress rows already drawn, so the
//! comparison favours them.

use std::time::Duration;

use qr_encode::{EcLevel, Style, Symbol, encode, to_png};

const BATCHES: usize = 9;

/// The 1200-byte payload of `benches/encode.rs`.
fn long_payload() -> Vec<u8> {
    let unit = b"https://example.com/product/123?ref=qr-workshop&lang=en-GB&";
    unit.iter().copied().cycle().take(1200).collect()
}

/// CPU time of the calling thread: unaffected by time spent waiting for a core.
fn thread_cpu() -> Duration {
    let now = nix::time::ClockId::CLOCK_THREAD_CPUTIME_ID.now();
    Duration::from(now.expect("the thread CPU clock is readable"))
}

/// The zlib input our PNG encodes: a filter byte 0 before each packed row.
fn scanlines(png: &[u8]) -> Vec<u8> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(png::Transformations::IDENTITY);
    let mut reader = decoder.read_info().expect("our PNG reads");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("frame");
    buf[..info.buffer_size()]
        .chunks_exact(info.line_size)
        .flat_map(|row| std::iter::once(0).chain(row.iter().copied()))
        .collect()
}

/// Bytes of the IDAT chunks of a PNG.
fn idat_len(png: &[u8]) -> usize {
    let mut at = 8;
    let mut total = 0;
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes")) as usize;
        if &png[at + 4..at + 8] == b"IDAT" {
            total += len;
        }
        at += 12 + len;
    }
    total
}

/// Median CPU time per call of `f`, over `BATCHES` batches of `calls`.
fn time(calls: u32, mut f: impl FnMut() -> usize) -> f64 {
    let mut per_call: Vec<f64> = (0..BATCHES)
        .map(|_| {
            let start = thread_cpu();
            for _ in 0..calls {
                std::hint::black_box(f());
            }
            (thread_cpu() - start).as_secs_f64() * 1e6 / f64::from(calls)
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    per_call[BATCHES / 2]
}

fn main() {
    let style = Style::default();
    let cases: [(&str, Symbol, u32); 2] = [
        (
            "seed (31 B, v4, 410 px)",
            encode(b"https://example.com/product/123", EcLevel::H).expect("fits"),
            2000,
        ),
        (
            "1200 B (v39, 1810 px)",
            encode(&long_payload(), EcLevel::H).expect("fits"),
            40,
        ),
    ];
    println!(
        "| scanlines | deflater | zlib bytes | CPU µs per call | size vs ours | time vs ours |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, symbol, calls) in cases {
        let png = to_png(&symbol, &style);
        let raw = scanlines(&png);
        let ours_len = idat_len(&png);
        let ours_us = time(calls, || to_png(&symbol, &style).len());
        let peers: Vec<(&str, usize, f64)> = vec![
            (
                "`miniz_oxide` 0.8 level 1",
                miniz_oxide::deflate::compress_to_vec_zlib(&raw, 1).len(),
                time(calls, || {
                    miniz_oxide::deflate::compress_to_vec_zlib(&raw, 1).len()
                }),
            ),
            (
                "`miniz_oxide` 0.8 level 6",
                miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6).len(),
                time(calls, || {
                    miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6).len()
                }),
            ),
            (
                "`miniz_oxide` 0.8 level 9",
                miniz_oxide::deflate::compress_to_vec_zlib(&raw, 9).len(),
                time(calls, || {
                    miniz_oxide::deflate::compress_to_vec_zlib(&raw, 9).len()
                }),
            ),
            (
                "`fdeflate` 0.3",
                fdeflate::compress_to_vec(&raw).len(),
                time(calls, || fdeflate::compress_to_vec(&raw).len()),
            ),
        ];
        println!(
            "| {name}, {} B raw | ours (whole `to_png`) | {ours_len} | {ours_us:.1} | 1 | 1 |",
            raw.len()
        );
        for (peer, len, us) in peers {
            println!(
                "| | {peer} | {len} | {us:.1} | {:.2}× | {:.2}× |",
                len as f64 / ours_len as f64,
                us / ours_us
            );
        }
    }
}
