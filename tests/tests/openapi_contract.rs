//! The OpenAPI document (`crates/qr-web/assets/openapi.json`, served at `/openapi.json`) is
//! the contract: schemathesis (PyPI, in `target/ui-venv` from `scripts/setup --test`) reads it
//! from the running service (qr-host, and real Spin 4.0.2), generates valid and invalid requests for every operation, and
//! checks every response against it: documented status, content type, headers and body
//! schema, `allow` on 405, and never a 5xx.

use std::process::Command;
use std::time::Duration;

use qr_tests::{Host, run_bounded, target_dir, workspace_root};

/// Generated requests per operation and phase (valid and invalid): enough to reach every
/// documented status of every operation; about 700 requests and 30 s in all on the (busy)
/// build machine.
const MAX_EXAMPLES: &str = "30";

/// A hard cap on the whole run, whatever the examples cost. (schemathesis's own `--max-time`
/// is a budget it fills by repeating the fuzzing, not a cap.)
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// Fixed, so a failure reproduces (`--seed` in the output) and CI is deterministic.
const SEED: &str = "20261130";

/// Every check that applies to an API without authentication or stored resources.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
response_headers_conformance,response_schema_conformance,negative_data_rejection,\
missing_required_header,unsupported_method,allow_header_conformance";

qr_tests::on_every_host!(every_response_of_the_running_service_matches_the_openapi_document);

fn every_response_of_the_running_service_matches_the_openapi_document(host: &Host) {
    let schemathesis = target_dir().join("ui-venv/bin/schemathesis");
    assert!(
        schemathesis.is_file(),
        "missing {}: run scripts/setup --test",
        schemathesis.display()
    );
    // schemathesis keeps a cache (.schemathesis/) in its working directory: not in the tree.
    let scratch = tempfile::tempdir().expect("temp dir");
    let (status, output) = run_bounded(
        Command::new(&schemathesis)
            .current_dir(scratch.path())
            .arg("--no-color")
            .arg("--config-file")
            .arg(workspace_root().join("tests/contract/schemathesis.toml"))
            .arg("run")
            .arg(host.url("/openapi.json"))
            .args([
                "--checks",
                CHECKS,
                "--max-examples",
                MAX_EXAMPLES,
                "--seed",
                SEED,
            ])
            // One worker: schemathesis 4.32 can hit an internal KeyError with two.
            .args(["--workers", "1", "--request-timeout", "30"])
            .env("SCHEMATHESIS_TELEMETRY", "false"),
        RUN_TIMEOUT,
    );
    println!("{output}");
    match status {
        Some(s) if s.success() => {}
        Some(s) => panic!("schemathesis failed ({s}):\n{output}"),
        None => panic!("schemathesis ran past {RUN_TIMEOUT:?}:\n{output}"),
    }
}
