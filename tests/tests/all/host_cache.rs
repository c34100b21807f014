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

/// How many files (artifacts) the cache directory holds.
fn artifacts(cache: &Path) -> usize {
    std::fs::read_dir(cache).expect("cache dir").count()
}

#[test]
fn a_second_start_uses_the_precompiled_cache() {
    let cache = tempfile::tempdir().expect("temp dir");
    start_expecting(cache.path(), "compiled=5 cached=0").shutdown();
    assert_eq!(artifacts(cache.path()), 5, "one artifact per component");

    let second = start_expecting(cache.path(), "compiled=0 cached=5");
    assert_eq!(
        second.counter("qr_host_component_loads_total", &[("source", "cache")]),
        5.0
    );
    assert_eq!(second.get("/hello/cached").status(), 200);
    second.shutdown();
}

#[test]
fn no_cache_compiles_every_time_and_writes_nothing() {
    let cache = tempfile::tempdir().expect("temp dir");
    let builder = Host::builder(fixtures_manifest()).cache_dir(cache.path());
    let host = builder.args(["--no-cache"]).start();
    let line = host.startup_line();
    assert!(line.contains("compiled=5"), "{line}");
    host.shutdown();
    assert_eq!(artifacts(cache.path()), 0);
}

#[test]
fn a_cache_directory_others_can_write_is_refused_and_the_host_compiles() {
    use std::os::unix::fs::PermissionsExt as _;
    let cache = tempfile::tempdir().expect("temp dir");
    // Group-writable: anyone in the group could plant native code for the host to run.
    std::fs::set_permissions(cache.path(), std::fs::Permissions::from_mode(0o775)).expect("chmod");
    let host = start_expecting(cache.path(), "compiled=5 cached=0");
    assert_eq!(host.get("/hello/compiled").status(), 200);
    let logs = host.shutdown();
    assert!(
        logs.contains("not using the precompiled cache") && logs.contains("writable by group"),
        "{logs}"
    );
    let written = artifacts(cache.path());
    assert_eq!(written, 0, "nothing written to a refused directory");
}

#[test]
fn a_missing_cache_directory_is_created_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let parent = tempfile::tempdir().expect("temp dir");
    let cache = parent.path().join("qr-host");
    start_expecting(&cache, "compiled=5").shutdown();
    let mode = std::fs::metadata(&cache)
        .expect("created")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    start_expecting(&cache, "cached=5").shutdown();
}
