//! The OpenAPI document (`crates/qr-web/assets/openapi.json`, served at `/openapi.json`) is
//! the contract: schemathesis (PyPI, in `target/ui-venv` from `scripts/setup --test`) reads it
//! from the running qr-host, generates valid and invalid requests for every operation, and
//! checks every response against it: documented status, content type, headers and body
//! schema, `allow` on 405, and never a 5xx.

use std::process::{Command, Stdio};

use qr_tests::{Host, app_manifest, target_dir, workspace_root};

/// Generated requests per operation (valid and invalid): enough to reach every documented
/// status of every operation, bounded so the run takes well under a minute.
const MAX_EXAMPLES: &str = "40";

/// A hard cap on the whole run, whatever the examples cost.
const MAX_SECONDS: &str = "120";

/// Fixed, so a failure reproduces (`--seed` in the output) and CI is deterministic.
const SEED: &str = "20261130";

/// Every check that applies to an API without authentication or stored resources.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
response_headers_conformance,response_schema_conformance,negative_data_rejection,\
missing_required_header,unsupported_method,allow_header_conformance";

#[test]
fn every_response_of_the_running_service_matches_the_openapi_document() {
    let schemathesis = target_dir().join("ui-venv/bin/schemathesis");
    assert!(
        schemathesis.is_file(),
        "missing {}: run scripts/setup --test",
        schemathesis.display()
    );
    let host = Host::start(app_manifest());
    let report = tempfile::tempdir().expect("temp dir");
    let output = Command::new(&schemathesis)
        .arg("--config-file")
        .arg(workspace_root().join("tests/contract/schemathesis.toml"))
        .arg("run")
        .arg(host.url("/openapi.json"))
        .args(["--checks", CHECKS])
        .args(["--max-examples", MAX_EXAMPLES, "--max-time", MAX_SECONDS])
        .args(["--seed", SEED, "--workers", "2", "--request-timeout", "30"])
        .args(["--report", "junit", "--report-dir"])
        .arg(report.path())
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .stdin(Stdio::null())
        .output()
        .expect("run schemathesis");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{text}");
    assert!(output.status.success(), "schemathesis failed:\n{text}");
    host.shutdown();
}
