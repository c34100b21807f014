//! The OpenAPI document (`crates/qr-web/assets/openapi.json`, served at `/openapi.json`) is
//! the contract: schemathesis (PyPI, in `target/ui-venv` from `scripts/setup --test`) reads it
//! from the running service (qr-host, and real Spin 4.0.2), generates valid and invalid requests for every operation, and
//! checks every response against it: documented status, content type, headers and body
//! schema, `allow` on 405, and never a 5xx. The payload builders' schemas, which the web
//! page builds its forms from, are checked against qr-core's builders directly.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use qr_tests::{Host, run_bounded, venv_program, workspace_root};

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
    // schemathesis keeps a cache (.schemathesis/) in its working directory: not in the tree.
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut schemathesis = Command::new(venv_program("ui-venv", "schemathesis"));
    schemathesis.current_dir(scratch.path()).arg("--no-color");
    let config = workspace_root().join("tests/contract/schemathesis.toml");
    schemathesis.arg("--config-file").arg(config);
    schemathesis.args(["run", &host.url("/openapi.json"), "--checks", CHECKS]);
    schemathesis.args(["--max-examples", MAX_EXAMPLES, "--seed", SEED]);
    // One worker: schemathesis 4.32 can hit an internal KeyError with two.
    schemathesis.args(["--workers", "1", "--request-timeout", "30"]);
    schemathesis.env("SCHEMATHESIS_TELEMETRY", "false");
    run_bounded("schemathesis", &mut schemathesis, RUN_TIMEOUT);
}

/// The document as committed (the ui component serves it compacted, same content).
fn document() -> Value {
    let path = workspace_root().join("crates/qr-web/assets/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(&path).expect("read openapi.json"))
        .expect("openapi.json is JSON")
}

/// Every payload kind qr-core builds has a form schema (`x-fields` on its `GenerateRequest`
/// property), and every field a schema offers is one its builder reads: for each field, some
/// example of the schema builds a different text (or an error) without it. So a field renamed
/// on one side, or a new builder without a form, fails here rather than on the page.
#[test]
fn every_payload_builder_has_a_form_schema_whose_fields_the_builder_reads() {
    let doc = document();
    let request = &doc["components"]["schemas"]["GenerateRequest"]["properties"];
    let kinds: Vec<&str> = qr_core::payload::KINDS
        .iter()
        .copied()
        .filter(|k| *k != "data")
        .collect();
    for kind in &kinds {
        let pointer = request[kind]["x-fields"]
            .as_str()
            .unwrap_or_else(|| panic!("GenerateRequest.{kind} has no x-fields"));
        let schema = doc
            .pointer(pointer.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{pointer} does not resolve"));
        let properties = schema["properties"].as_object().expect("properties");
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().expect("a field name");
            assert!(properties.contains_key(name), "{pointer}: required {name}");
        }
        let examples = schema["examples"].as_array().expect("examples");
        for example in examples {
            qr_core::payload::build(kind, example)
                .unwrap_or_else(|e| panic!("{pointer} example {example}: {e}"));
        }
        for field in properties.keys() {
            let read = examples.iter().any(|example| {
                let Some(object) = example.as_object().filter(|o| o.contains_key(field)) else {
                    return false;
                };
                let mut without = object.clone();
                without.remove(field);
                let full = qr_core::payload::build(kind, example).map(|b| b.text);
                let less = qr_core::payload::build(kind, &Value::Object(without)).map(|b| b.text);
                full.ok() != less.ok()
            });
            assert!(
                read,
                "{pointer}: no example shows that {kind} reads `{field}`"
            );
        }
    }
    let with_fields = request
        .as_object()
        .expect("properties")
        .values()
        .filter(|p| p.get("x-fields").is_some())
        .count();
    assert_eq!(
        with_fields,
        kinds.len(),
        "a form schema for a kind qr-core lacks"
    );
}
