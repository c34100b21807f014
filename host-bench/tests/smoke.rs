//! The benchmarks cannot rot: a quick run of every part (`host-bench all --quick
//! --require-tools`) must succeed, measure every HTTP cell and decode a few images of every
//! corpus set through the real decode component, natively and (when its venv is there, as
//! `scripts/setup --test` makes it) with zxing-cpp, so scripts/test, which runs this with the
//! rest of the suite, fails when a part breaks or its load tool is missing.
//!
//! Built by the same `cargo test` invocation as every other test, so the benchmark binary
//! shares the suite's dependency builds instead of compiling them a second time.

use std::process::Command;

#[test]
fn a_quick_run_of_every_part_measures_http_load() {
    let out = fresh_out_dir();
    let status = Command::new(env!("CARGO_BIN_EXE_host-bench"))
        .args(["all", "--quick", "--require-tools", "--out"])
        .arg(&out)
        .status()
        .expect("spawn host-bench");
    assert!(status.success(), "host-bench all --quick failed: {status}");
    let report = std::fs::read_dir(&out)
        .expect("the results directory")
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "json"))
        .expect("a JSON report");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report).expect("read the report"))
            .expect("the report is JSON");
    let loads = report["loads"].as_array().expect("a `loads` list");
    assert!(
        !loads.is_empty(),
        "the quick run measured no HTTP load cell: {report}"
    );
    decode_sets_were_measured(&report);
}

/// The quick `decode-sets` covered every corpus set and a synthetic one; the component and the
/// native handler (one decoder, two builds, the same bytes) read the same codes, and read
/// some; zxing-cpp ran when its venv is there.
fn decode_sets_were_measured(report: &serde_json::Value) {
    let rows = report["decode_sets"]
        .as_array()
        .expect("a `decode_sets` list");
    let sets: Vec<&serde_json::Value> = rows.iter().filter(|r| r["summary"] == false).collect();
    let named = |prefix: &str| {
        sets.iter()
            .filter(|r| r["set"].as_str().is_some_and(|s| s.starts_with(prefix)))
            .count()
    };
    assert_eq!(named("corpus/"), 13, "every corpus set: {rows:?}");
    assert_eq!(named("synthetic/"), 1, "one synthetic set: {rows:?}");
    let zxing = qr_scan_bench::peers::zxing_cpp_python().is_some();
    let read: u64 = sets
        .iter()
        .filter_map(|r| r["component"]["found"].as_u64())
        .sum();
    assert!(read > 0, "the component read nothing: {rows:?}");
    for row in sets {
        let found = |side: &str| row[side]["found"].as_u64();
        assert_eq!(found("component"), found("native"), "{row}");
        assert!(row["component"]["median_ms"].as_f64() > Some(0.0), "{row}");
        let pixels = row["native_file_to_pixels"]["median_ms"].as_f64();
        assert!(pixels > Some(0.0), "{row}");
        if zxing {
            assert!(
                found("zxing_defaults").is_some(),
                "zxing-cpp did not run: {row}"
            );
            assert!(found("zxing_single").is_some(), "{row}");
            assert!(
                row["zxing_equal_work"]["median_ms"].as_f64() > Some(0.0),
                "{row}"
            );
        }
    }
}

/// A fresh directory under the target dir for this run's report.
fn fresh_out_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("host-bench-smoke");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the smoke output directory");
    dir
}
