//! A misbehaving guest costs only its own request: loop -> 504, memory hog -> 422 (the
//! request asked for more than an instance may have), trap -> 500,
//! and the host keeps serving. Each fault is a one-file fixture under `tests/fixtures/`.

use qr_tests::{Host, assert_problem, fixtures_manifest};

fn assert_still_serving(host: &Host) {
    let status = host.get("/hello/after").status();
    assert_eq!(status, 200, "host stopped serving after a guest fault");
}

#[test]
fn an_endless_loop_gets_504_and_the_next_request_succeeds() {
    let host = Host::builder(fixtures_manifest())
        .args(["--request-timeout", "300ms"])
        .start_in_process();
    assert_problem(host.get("/loop"), 504, "#request-timeout");
    assert_still_serving(&host);
    assert_eq!(
        host.counter("qr_host_timeouts_total", &[("component", "spin-loop")]),
        1.0
    );
    host.shutdown();
}

#[test]
fn memory_growth_past_the_cap_fails_only_that_request() {
    let host = Host::builder(fixtures_manifest())
        .args(["--max-memory-bytes", &(32 * 1024 * 1024).to_string()])
        .start_in_process();
    assert_problem(host.get("/hog?mb=64"), 422, "#memory-limit");
    // The same component, inside the cap, still works: the next instance starts clean.
    assert_eq!(host.get("/hog?mb=4").status(), 200);
    assert_still_serving(&host);
    assert_eq!(
        host.counter(
            "qr_host_memory_limit_hits_total",
            &[("component", "memory-hog")]
        ),
        1.0
    );
    host.shutdown();
}

#[test]
fn a_trap_gets_a_500_problem_and_the_host_keeps_serving() {
    let host = Host::start(fixtures_manifest());
    for _ in 0..3 {
        assert_problem(host.get("/panic"), 500, "#guest-trap");
    }
    assert_still_serving(&host);
    assert_eq!(
        host.counter("qr_host_traps_total", &[("component", "panic")]),
        3.0
    );
    let logs = host.shutdown();
    assert!(
        logs.contains("fixture-panic was asked for /panic"),
        "guest panic message is logged"
    );
}
