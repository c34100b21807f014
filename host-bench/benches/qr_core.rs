//! Criterion benches for qr-core's hot paths, natively: generate (PNG, SVG) on the Python
//! service's payload, and decode of a clean PNG and a phone photo. `host-bench per-request`
//! puts the same calls beside their wasm components; these isolate the library.

use criterion::{Criterion, criterion_group, criterion_main};
use qr_core::{Format, GenerateOptions};

/// The Python service's own generate payload (`generate.json`).
const PAYLOAD: &str = "https://example.com/product/123";

fn generate(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    for format in [Format::Png, Format::Svg] {
        let opts = GenerateOptions {
            format,
            ..GenerateOptions::new(PAYLOAD)
        };
        group.bench_function(format!("{format:?}"), |b| {
            b.iter(|| qr_core::generate(&opts))
        });
    }
    group.finish();
}

fn decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");
    for (name, path) in [
        ("clean png 287px", "peers/python-seed/qr_287.png"),
        ("phone photo 640x480", "qr-corpus/zxing-java/qrcode-1/1.png"),
    ] {
        let bytes = qr_tests::shared_file(path);
        group.bench_function(name, |b| b.iter(|| qr_core::decode(&bytes)));
    }
    group.finish();
}

criterion_group!(benches, generate, decode);
criterion_main!(benches);
