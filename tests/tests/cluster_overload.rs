//! A host that answers 503 under backpressure (its one slot busy, no queue) makes nginx retry
//! the request on another host: the client sees only 200s, and the busy host's own metrics
//! show it did refuse.

mod cluster;

use cluster::{ClusterHost, Nginx, NginxOptions, free_port, wait_until};
use qr_tests::fixtures_manifest;

/// Requests sent through nginx while the small host is busy.
const REQUESTS: usize = 10;

#[test]
fn a_503_from_a_saturated_host_is_retried_on_another_and_the_client_sees_200() {
    let manifest = fixtures_manifest();
    // One request at a time and no queue: a second concurrent request is refused at once.
    let small = ClusterHost::start(
        &manifest,
        free_port(),
        &["--max-concurrency", "1", "--max-queue", "0"],
    );
    let roomy = ClusterHost::start(&manifest, free_port(), &[]);
    let nginx = Nginx::start(&[small.addr, roomy.addr], &NginxOptions::default());

    // Occupy the small host's only slot directly (nginx does not see this connection, so it
    // still considers both hosts equally free). The fixture streams its head, then sleeps.
    let client = qr_tests::client();
    let busy = client
        .get(format!("http://{}/slow?ms=3000", small.addr))
        .send()
        .expect("GET /slow on the small host");
    assert_eq!(busy.status(), 200);
    wait_until("the small host's slot to be taken", || {
        small.metric("qr_host_in_flight_requests", &[]) >= 1.0
    });

    let mut ok = 0;
    for i in 0..REQUESTS {
        let response = client
            .get(nginx.url(&format!("/hello/{i}")))
            .send()
            .expect("GET /hello through nginx");
        assert_eq!(response.status(), 200, "request {i} through nginx");
        ok += 1;
    }
    println!(
        "client totals (backpressure retry): sent={REQUESTS} ok={ok} failed={}",
        REQUESTS - ok
    );

    let refused = small.requests(&[("route", "/hello/..."), ("status", "503")]);
    let served = roomy.requests(&[("route", "/hello/..."), ("status", "200")]);
    println!("small host refused {refused} with 503; the other host served {served}");
    assert!(
        refused >= 1.0,
        "nginx never offered the busy host a request, so nothing was retried"
    );
    assert_eq!(
        served, REQUESTS as f64,
        "every request ended on the host with room"
    );
    assert!(
        small.metric("qr_host_rejections_total", &[]) >= refused,
        "the small host counts its refusals as rejections"
    );

    let body = busy.text().expect("the slow request completes");
    assert!(body.contains("finished"), "{body}");
    small.drain();
    roomy.drain();
}
