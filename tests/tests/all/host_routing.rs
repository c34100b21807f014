//! qr-host routes by the manifest, passes the full path through, and answers Spin's health check.
//! What needs no process runs qr-host's library in the test process (`HostBuilder::start_in_process`).

use qr_tests::{Host, assert_detail, assert_problem, fixtures_manifest};

/// What the fixture answers for each path: the full path and query it was asked for (a
/// wildcard route also matches its bare prefix), Spin's health path (the host's own answer,
/// before routing), and a path without a route (a 404 problem naming it).
#[test]
fn routes_pass_the_full_path_match_their_bare_prefix_and_health_comes_before_routing() {
    let host = Host::builder(fixtures_manifest()).start_in_process();
    for (path, body) in [
        ("/hello/a/b?x=1", "hello GET /hello/a/b?x=1\n"),
        ("/hello", "hello GET /hello\n"),
        ("/.well-known/spin/health", "OK"),
    ] {
        let response = host.get(path);
        assert_eq!(response.status(), 200, "{path}");
        if path.starts_with("/hello") {
            assert_eq!(response.headers()["x-fixture"], "hello");
        }
        assert_eq!(response.text().expect("body"), body);
    }
    let no_route = assert_problem(host.get("/nowhere"), 404, "#no-route");
    assert_detail(&no_route, "/nowhere");
    host.shutdown();
}

#[test]
fn the_startup_line_names_both_listeners_and_the_components_loaded() {
    let host = Host::start(fixtures_manifest());
    let line = host.startup_line().to_owned();
    assert!(line.contains(&format!("http://{}", host.addr())), "{line}");
    assert!(
        line.contains(&format!("admin http://{}", host.admin_addr())),
        "{line}"
    );
    assert!(line.contains("components=5"), "{line}");
    assert!(line.contains("load_ms="), "{line}");
    host.shutdown();
}

#[test]
fn the_startup_log_says_how_pooled_memories_are_reset() {
    let host = Host::builder(fixtures_manifest())
        .args(["--pool-pagemap-scan", "no"])
        .start();
    let logs = host.shutdown();
    assert!(
        logs.contains("instance pool ready") && logs.contains("pagemap_scan=false"),
        "{logs}"
    );
    assert!(logs.contains("keep_resident_bytes=0"), "{logs}");
}

#[test]
fn many_requests_on_one_keep_alive_connection_each_get_a_fresh_instance() {
    // One slot, so every request reuses the same pooled memory: under each way the pool can
    // reset it (dirty pages found by PAGEMAP_SCAN, a memset prefix, plain madvise) and
    // without a pool, the guest's static counter must start from zero every time.
    for reset in [
        "--pool-pagemap-scan auto",
        "--pool-pagemap-scan no --pool-memory-keep-resident 1048576",
        "--pool-pagemap-scan no --pool-memory-keep-resident 0",
        "--no-pooling",
    ] {
        let host = Host::builder(fixtures_manifest())
            .args(["--max-concurrency", "1"])
            .args(reset.split(' '))
            .start_in_process();
        for i in 0..20 {
            let response = host.get(&format!("/hello/{i}"));
            assert_eq!(response.status(), 200);
            assert_eq!(
                response.headers()["x-fixture-calls"],
                "1",
                "request {i} with {reset} saw a used instance"
            );
            assert_eq!(
                response.text().expect("body"),
                format!("hello GET /hello/{i}\n")
            );
        }
        host.shutdown();
    }
}
