//! Graceful shutdown: on SIGTERM the host stops accepting, turns readiness to 503, lets
//! in-flight requests finish with their full body, and exits 0.

use qr_tests::{Host, fixtures_manifest, wait_until};
use std::net::TcpStream;

#[test]
fn sigterm_during_slow_requests_lets_them_complete_and_exits_zero() {
    let host = Host::builder(fixtures_manifest())
        .args(["--max-concurrency", "2"])
        .start();
    assert_eq!(host.admin_get("/readyz").status(), 200);

    // Two slow requests, each provably in flight: their response heads have arrived.
    let slow: Vec<_> = (0..2).map(|_| host.hold_a_slot(3000)).collect();

    host.terminate();
    // The admin listener stays up during the drain and reports not ready.
    // Readiness flips when the signal is handled; the first answer that is not 200 is a 503.
    let mut readiness = 200;
    wait_until("readiness to flip", || {
        readiness = host.admin_get("/readyz").status().as_u16();
        readiness != 200
    });
    assert_eq!(readiness, 503);
    // Draining means the app listener is closed: new connections are refused.
    assert!(
        TcpStream::connect(host.addr()).is_err(),
        "app port still accepts during drain"
    );

    for handle in slow {
        let (status, body) = handle.join().expect("slow thread");
        assert_eq!(status, 200);
        assert_eq!(body, "started\nfinished after 3000 ms\n", "body was cut");
    }
    let (status, logs) = host.wait();
    assert!(status.success(), "exit {status}:\n{logs}");
    assert!(logs.contains("drained"), "{logs}");
}
