//! A restart loads precompiled components from the cache instead of running Cranelift again.

use qr_tests::{Host, fixtures_manifest};

#[test]
fn a_second_start_uses_the_precompiled_cache() {
    let cache = tempfile::tempdir().expect("temp dir");
    let first = Host::builder(fixtures_manifest()).cache_dir(cache.path()).start();
    assert!(first.startup_line().contains("compiled=5 cached=0"), "{}", first.startup_line());
    first.shutdown();
    assert_eq!(
        std::fs::read_dir(cache.path()).expect("cache dir").count(),
        5,
        "one artifact per component"
    );

    let second = Host::builder(fixtures_manifest()).cache_dir(cache.path()).start();
    assert!(second.startup_line().contains("compiled=0 cached=5"), "{}", second.startup_line());
    assert_eq!(second.metric("qr_host_component_loads_total", &[("source", "cache")]), 5.0);
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
    assert!(host.startup_line().contains("compiled=5"), "{}", host.startup_line());
    host.shutdown();
    assert_eq!(std::fs::read_dir(cache.path()).expect("cache dir").count(), 0);
}
