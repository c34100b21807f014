//! Benchmarks for QR Workshop. `host-bench decode-corpus` measures decode accuracy.

mod decode_corpus;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("decode-corpus") => decode_corpus::run(&args[1..]),
        _ => anyhow::bail!("usage: host-bench decode-corpus [--quick] [--corpus DIR]"),
    }
}
