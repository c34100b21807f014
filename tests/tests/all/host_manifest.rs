//! A manifest qr-host cannot serve is refused before it listens, with a message naming the cause.
//!
//! Each case is a folder under `tests/fixtures/bad-manifests/`: a `spin.toml` and an
//! `expected.txt` holding a phrase the error must contain. In `spin.toml`, `HELLO_WASM` stands
//! for a real component and `CASE_DIR` for the case's folder.

use qr_tests::{Host, STARTUP_PREFIX, wasm, workspace_root, write_if_changed};

#[test]
fn every_bad_manifest_is_refused_before_listening() {
    let hello = wasm("fixture_hello");
    let cases = workspace_root().join("tests/fixtures/bad-manifests");
    let scratch = tempfile::tempdir().expect("temp dir");
    let entries = std::fs::read_dir(&cases).expect("read bad-manifests");
    let mut entries: Vec<_> = entries.map(|e| e.expect("dir entry").path()).collect();
    entries.sort();
    for case in &entries {
        let name = case.file_name().expect("name").to_string_lossy();
        let text = std::fs::read_to_string(case.join("spin.toml"))
            .expect("case spin.toml")
            .replace("HELLO_WASM", &hello.display().to_string())
            .replace("CASE_DIR", &case.display().to_string());
        let expected = std::fs::read_to_string(case.join("expected.txt")).expect("expected.txt");
        let manifest = scratch.path().join(format!("{name}.toml"));
        write_if_changed(&manifest, &text);

        let (status, output) = Host::builder(&manifest).run_to_exit();
        assert!(
            !status.success(),
            "case {name}: host accepted the manifest:\n{output}"
        );
        assert!(
            output.contains(expected.trim()),
            "case {name}: expected {:?} in the error:\n{output}",
            expected.trim()
        );
        assert!(
            !output.contains(STARTUP_PREFIX),
            "case {name}: listened:\n{output}"
        );
    }
    let seen = entries.len();
    assert!(seen >= 5, "only {seen} cases found in {}", cases.display());
}

#[test]
fn a_missing_manifest_file_is_refused_with_its_path() {
    let (status, output) = Host::builder("/nonexistent/spin.toml").run_to_exit();
    assert!(!status.success());
    assert!(output.contains("/nonexistent/spin.toml"), "{output}");
}

#[test]
fn keys_qr_host_ignores_are_named_in_a_startup_warning() {
    let hello = wasm("fixture_hello");
    let scratch = tempfile::tempdir().expect("temp dir");
    let manifest = scratch.path().join("spin.toml");
    let text = format!(
        "spin_manifest_version = 2\n[application]\nname = \"grants\"\n\
         [[trigger.http]]\nroute = \"/hello/...\"\ncomponent = \"hello\"\n\
         [component.hello]\nsource = {:?}\nallowed_outbound_hosts = [\"https://example.com\"]\n\
         [component.hello.environment]\nGREETING = \"hi\"\n",
        hello.display().to_string()
    );
    write_if_changed(&manifest, &text);
    let host = Host::start(&manifest);
    assert_eq!(host.get("/hello/x").status(), 200, "the app still serves");
    let logs = host.shutdown();
    let warning = logs
        .lines()
        .find(|line| line.contains("WARN") && line.contains("qr-host ignores"))
        .unwrap_or_else(|| panic!("no warning about ignored keys:\n{logs}"));
    assert!(
        warning.contains("\"hello\"") && warning.contains("allowed_outbound_hosts, environment"),
        "{warning}"
    );
}
