//! `qr-host --help` documents every limit with its default and environment variable.

use qr_tests::host_binary;
use std::process::Command;

#[test]
fn help_lists_every_limit_with_its_default_and_env_var() {
    let output = Command::new(host_binary())
        .arg("--help")
        .output()
        .expect("run --help");
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).expect("utf-8 help");
    for flag in [
        "--listen",
        "--admin-listen",
        "--cache-dir",
        "--max-concurrency",
        "--max-queue",
        "--queue-timeout",
        "--retry-after-secs",
        "--request-timeout",
        "--max-memory-bytes",
        "--max-body-bytes",
        "--max-header-bytes",
        "--header-read-timeout",
        "--body-read-timeout",
        "--max-connections",
        "--drain-timeout",
        "--pool-memory-keep-resident",
        "--pool-pagemap-scan",
        "--pool-table-keep-resident",
    ] {
        let line = help
            .lines()
            .position(|l| l.trim_start().starts_with(flag))
            .unwrap_or_else(|| panic!("{flag} missing from --help:\n{help}"));
        // The flag's paragraph (up to the next flag) names its env var and, for limits, a default.
        let mut lines = help.lines().skip(line);
        let paragraph: String = lines
            .next()
            .into_iter()
            .chain(lines.take_while(|l| !l.trim_start().starts_with('-')))
            .collect();
        assert!(
            paragraph.contains("[env: QR_HOST_"),
            "{flag} has no env var:\n{paragraph}"
        );
        if flag != "--cache-dir" {
            assert!(
                paragraph.contains("[default: "),
                "{flag} has no default:\n{paragraph}"
            );
        }
    }
}

#[test]
fn a_bad_flag_value_is_refused_before_anything_starts() {
    let output = Command::new(host_binary())
        .args(["--request-timeout", "soon"])
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--request-timeout"));
}
