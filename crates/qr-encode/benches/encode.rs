//! Generation speed: our encoder against the `qrcode`, `fast_qr` and `qrcodegen` crates on the
//! seed request and on a 1200-byte payload, PNG and SVG output, and every version × level.
//!
//! Run with `cargo bench -p qr-encode --bench encode`; BENCHMARKS.md records the figures.

// A failed unwrap here is a failed test (or bench setup) with its message.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use qr_encode::{EcLevel, Options, Style, encode, encode_with, to_png, to_svg};

/// The Python service's fixture request (`generate.json`): ECC H, version 4.
const SEED: &[u8] = b"https://example.com/product/123";

/// A long URL-like payload: 1200 bytes need version 39 at ECC H.
fn long_payload() -> Vec<u8> {
    let unit = b"https://example.com/product/123?ref=qr-workshop&lang=en-GB&";
    unit.iter().copied().cycle().take(1200).collect()
}

fn peers(c: &mut Criterion, name: &str, data: &[u8]) {
    let mut g = c.benchmark_group(name);
    g.bench_function("ours/encode", |b| {
        b.iter(|| encode(black_box(data), EcLevel::H).unwrap())
    });
    g.bench_function("ours/encode+png", |b| {
        let style = Style::default();
        b.iter(|| to_png(&encode(black_box(data), EcLevel::H).unwrap(), &style))
    });
    g.bench_function("qrcode-0.14/encode", |b| {
        b.iter(|| {
            qrcode::QrCode::with_error_correction_level(black_box(data), qrcode::EcLevel::H)
                .unwrap()
        })
    });
    g.bench_function("fast_qr-0.14/encode", |b| {
        b.iter(|| {
            fast_qr::QRBuilder::new(black_box(data).to_vec())
                .ecl(fast_qr::ECL::H)
                .build()
                .unwrap()
        })
    });
    g.bench_function("qrcodegen-1.8/encode", |b| {
        b.iter(|| {
            qrcodegen::QrCode::encode_binary(black_box(data), qrcodegen::QrCodeEcc::High).unwrap()
        })
    });
    g.finish();
}

fn seed(c: &mut Criterion) {
    peers(c, "seed", SEED);
    let s = encode(SEED, EcLevel::H).unwrap();
    let mut g = c.benchmark_group("seed-output");
    g.bench_function("png-410px", |b| {
        b.iter(|| to_png(black_box(&s), &Style::default()))
    });
    g.bench_function("svg", |b| {
        b.iter(|| to_svg(black_box(&s), &Style::default()))
    });
    let forced = Options {
        min_version: 1,
        mask: Some(s.mask()),
    };
    g.bench_function("encode-forced-mask", |b| {
        b.iter(|| encode_with(black_box(SEED), EcLevel::H, &forced).unwrap())
    });
    g.finish();
}

fn long(c: &mut Criterion) {
    peers(c, "1200-bytes-H", &long_payload());
}

fn every_version(c: &mut Criterion) {
    let mut g = c.benchmark_group("version");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(600));
    for version in 1..=40u8 {
        for ec in EcLevel::ALL {
            // The largest ASCII payload of this version at this level, whatever segments the
            // encoder picks: grow until the version would change.
            let fill = fill(version, ec);
            let opts = Options {
                min_version: version,
                mask: None,
            };
            g.bench_with_input(
                BenchmarkId::new(format!("{ec}"), version),
                &fill,
                |b, data| b.iter(|| encode_with(black_box(data), ec, &opts).unwrap()),
            );
        }
    }
    g.finish();
}

/// The longest lower-case payload that still fits `version` at `ec`.
fn fill(version: u8, ec: EcLevel) -> Vec<u8> {
    let mut data = Vec::new();
    let opts = Options {
        min_version: version,
        mask: Some(0),
    };
    loop {
        data.push(b'a' + (data.len() % 26) as u8);
        if encode_with(&data, ec, &opts).map(|s| s.version()) != Ok(version) {
            data.pop();
            return data;
        }
    }
}

criterion_group!(benches, seed, long, every_version);
criterion_main!(benches);
