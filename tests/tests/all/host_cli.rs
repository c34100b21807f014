//! `qr-host --help` documents every limit with its default and environment variable.

use qr_tests::host_binary;
use std::process::Command;

#[test]
fn help_lists_every_limit_with_its_default_and_env_var() {
    use clap::CommandFactory as _;
    let output = Command::new(host_binary())
        .arg("--help")
        .output()
        .expect("run --help");
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).expect("utf-8 help");
    // Every flag qr-host's own parser declares, so a new one cannot be left out of this check.
    let cli = qr_host::Cli::command();
    let flags: Vec<_> = cli
        .get_arguments()
        .filter(|a| a.get_long().is_some())
        .collect();
    assert!(flags.len() >= 20, "{} flags", flags.len());
    for arg in flags {
        let flag = format!("--{}", arg.get_long().unwrap_or_default());
        let line = help
            .lines()
            .position(|l| l.trim_start().starts_with(&flag))
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
        // Switches (--no-pooling) and the optional cache directory have no default.
        if arg.get_action().takes_values() && flag != "--cache-dir" {
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
