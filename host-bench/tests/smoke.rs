//! The benchmarks cannot rot: a quick run of every part (`host-bench all --quick
//! --require-tools`) must succeed and measure every HTTP cell, so scripts/test, which runs
//! this with the rest of the suite, fails when a part breaks or its load tool is missing.
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
}

/// A fresh directory under the target dir for this run's report.
fn fresh_out_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("host-bench-smoke");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the smoke output directory");
    dir
}
