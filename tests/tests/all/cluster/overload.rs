//! A host that answers 503 because it is over capacity (its one slot busy, no queue) is not
//! retried on another host: nginx passes the 503 and its Retry-After to the client once, so an
//! overload is never multiplied by the number of hosts. (Connection errors and timeouts are
//! retried; see `failover` and `rolling_restart`.)

use qr_tests::cluster::{Nginx, NginxOptions, wait_until};
use qr_tests::{Host, fixtures_manifest};

/// Requests sent through nginx while the small host is busy.
const REQUESTS: usize = 10;

#[test]
fn an_overload_503_reaches_the_client_once_with_retry_after_and_is_not_retried() {
    let manifest = fixtures_manifest();
    // One request at a time and no queue: a second concurrent request is refused at once.
    let small = Host::builder(&manifest)
        .args(["--max-concurrency", "1", "--max-queue", "0"])
        .start();
    let roomy = Host::start(&manifest);
    let nginx = Nginx::start(&[small.addr(), roomy.addr()], &NginxOptions::default());

    // Occupy the small host's only slot directly (nginx does not see this connection, so it
    // still considers both hosts equally free). The fixture streams its head, then sleeps.
    let busy = small.get("/slow?ms=3000");
    assert_eq!(busy.status(), 200);
    wait_until("the small host's slot to be taken", || {
        small.metric("qr_host_in_flight_requests", &[]) >= 1.0
    });

    let (mut ok, mut refused_seen) = (0, 0);
    for i in 0..REQUESTS {
        let response = nginx.get(&format!("/hello/{i}"));
        match response.status().as_u16() {
            200 => ok += 1,
            503 => {
                assert!(
                    response.headers().contains_key("retry-after"),
                    "the host's Retry-After reaches the client"
                );
                refused_seen += 1;
            }
            other => panic!("request {i} through nginx: unexpected status {other}"),
        }
    }
    println!("client totals (overload): sent={REQUESTS} ok={ok} refused={refused_seen} failed=0");

    let refused = small.requests(&[("route", "/hello/..."), ("status", "503")]);
    let served = roomy.requests(&[("route", "/hello/..."), ("status", "200")]);
    println!("small host refused {refused} with 503; the other host served {served}");
    assert!(
        refused >= 1.0,
        "nginx never offered the busy host a request, so the test proved nothing"
    );
    // Not retried: every refusal reached the client exactly once, and the other host served
    // only what was sent to it in the first place.
    assert_eq!(
        refused, refused_seen as f64,
        "each 503 was passed on, not retried"
    );
    assert_eq!(served, ok as f64, "the other host ran no retried request");
    assert_eq!(
        small.counter("qr_host_rejections_total", &[("reason", "queue-full")]),
        refused,
        "the small host counts its refusals as rejections"
    );

    let body = busy.text().expect("the slow request completes");
    assert!(body.contains("finished"), "{body}");
    small.shutdown();
    roomy.shutdown();
}
