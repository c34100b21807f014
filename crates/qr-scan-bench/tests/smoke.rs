//! The decoder benchmark cannot rot: its quick run (the corpus and one synthetic sample per
//! category, one timed decode each, no zxing-cpp, no wasm; it writes no results file) must
//! succeed and report every image. scripts/test runs it with the rest of the suite, built by
//! the same cargo invocation, so the benchmark shares the suite's dependency builds.

use std::process::Command;

#[test]
fn a_quick_run_reports_the_corpus_and_every_synthetic_category() {
    let out = Command::new(env!("CARGO_BIN_EXE_qr-scan-bench"))
        .arg("--quick")
        .output()
        .expect("spawn qr-scan-bench");
    let report = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "qr-scan-bench --quick failed:\n{log}");
    assert!(
        log.lines().any(|l| l.ends_with("synthetic)")),
        "no image count in the log:\n{log}"
    );
    assert!(
        report.contains("qr-scan"),
        "the report names no decoder:\n{report}"
    );
}
