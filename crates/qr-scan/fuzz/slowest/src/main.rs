//! `qr-scan-fuzz-slowest DIR [N]`: runs every file of DIR (a fuzz corpus) through what the
//! `decode` fuzz target runs (`qr_core::decode`, or a raw-pixel scan for non-images), three
//! times each, and prints the N (default 20) slowest by their best time, with what they
//! are: the bounded-work goal is that no input within the limits takes over about 1 s.

use std::time::{Duration, Instant};

/// Runs per input; the best is reported, so a busy machine does not make an input look slow.
const RUNS: usize = 3;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: qr-scan-fuzz-slowest DIR [N]");
    let shown: usize = args.next().map_or(20, |n| n.parse().expect("N is a count"));
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        let data = std::fs::read(&path)?;
        let best = (0..RUNS)
            .map(|_| timed(&data))
            .min()
            .unwrap_or(Duration::MAX);
        let what = describe(&data);
        rows.push((best, data.len(), what, path));
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0));
    let total: Duration = rows.iter().map(|r| r.0).sum();
    println!(
        "{} inputs, {:.1} s in all (best of {RUNS}); slowest {shown}:",
        rows.len(),
        total.as_secs_f64()
    );
    println!("{:>10} {:>8}  {:<40} file", "ms", "bytes", "input");
    for (time, len, what, path) in rows.iter().take(shown) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        println!(
            "{:>10.1} {len:>8}  {what:<40} {name}",
            time.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}

/// The time of what the fuzz target does with `data`.
fn timed(data: &[u8]) -> Duration {
    let start = Instant::now();
    if let Err(qr_core::Error::UnsupportedImage) = qr_core::decode(data)
        && let Some(image) = qr_scan_fuzz_input::image_from(data)
    {
        qr_scan::scan(&image);
    }
    start.elapsed()
}

/// What the input turned out to be (not timed).
fn describe(data: &[u8]) -> String {
    match qr_core::decode(data) {
        Ok(codes) => {
            let size = qr_core::load_image(data)
                .map(|i| format!("{}x{}", i.width(), i.height()))
                .unwrap_or_default();
            format!("image {size}, {} codes", codes.len())
        }
        Err(qr_core::Error::UnsupportedImage) => match qr_scan_fuzz_input::image_from(data) {
            Some(image) => format!(
                "pixels {}x{}, {} codes",
                image.width(),
                image.height(),
                qr_scan::scan(&image).len()
            ),
            None => "too short".to_owned(),
        },
        Err(e) => format!(
            "error: {}",
            e.to_string().chars().take(30).collect::<String>()
        ),
    }
}
