//! A restart loads precompiled components from the cache instead of running Cranelift again.

use qr_tests::{Host, fixtures_manifest};
use std::path::Path;

/// Starts the fixtures with `cache` and checks the startup line reports `loads`.
fn start_expecting(cache: &Path, loads: &str) -> Host {
    let host = Host::builder(fixtures_manifest()).cache_dir(cache).start();
    let line = host.startup_line();
    assert!(line.contains(loads), "want {loads:?} in {line:?}");
    host
}

#[test]
fn a_second_start_uses_the_precompiled_cache() {
    let cache = tempfile::tempdir().expect("temp dir");
    start_expecting(cache.path(), "compiled=5 cached=0").shutdown();
    assert_eq!(
        std::fs::read_dir(cache.path()).expect("cache dir").count(),
        5,
        "one artifact per component"
    );

    let second = start_expecting(cache.path(), "compiled=0 cached=5");
    assert_eq!(
        second.metric("qr_host_component_loads_total", &[("source", "cache")]),
        5.0
    );
    assert_eq!(second.get("/hello/cached").status(), 200);
    second.shutdown();
}

#[test]
fn no_cache_compiles_every_time_and_writes_nothing() {
    let cache = tempfile::tempdir().expect("temp dir");
    let host = Host::builder(fixtures_manifest())
        .cache_dir(cache.path())
        .arg("--no-cache")
        .start();
    assert!(
        host.startup_line().contains("compiled=5"),
        "{}",
        host.startup_line()
    );
    host.shutdown();
    assert_eq!(
        std::fs::read_dir(cache.path()).expect("cache dir").count(),
        0
    );
}
