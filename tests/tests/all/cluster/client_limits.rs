//! nginx's per-client limits and access log, with the rendered config's real directives: a
//! client over the (stricter) /decode rate gets 429 problem+json with Retry-After while its
//! other requests still pass, and the access log keeps paths without their query strings.

use qr_tests::cluster::{Nginx, NginxOptions, UNLIMITED_CLIENT, wait_until};
use qr_tests::{Host, app_manifest, assert_problem};

/// The /decode burst in this test: this many requests pass at once, the next is refused.
const DECODE_BURST: u32 = 2;

#[test]
fn a_client_over_the_decode_rate_gets_429_and_its_generate_requests_still_pass() {
    let host = Host::start(app_manifest());
    let mut client_limits: Vec<_> = UNLIMITED_CLIENT
        .iter()
        .copied()
        .filter(|(option, _)| !option.starts_with("--decode-"))
        .collect();
    // One /decode per minute after the burst: the refusals below cannot depend on timing.
    client_limits.extend([
        ("--decode-rate", 1),
        ("--decode-burst", DECODE_BURST),
        ("--decode-connections", 4),
    ]);
    let options = NginxOptions {
        client_limits,
        ..NginxOptions::default()
    };
    let nginx = Nginx::start(&[host.addr()], &options);
    let decode = || nginx.post("/decode", "image/png", "not an image");

    // rate=1r/s with burst=2 nodelay: the first request and the burst pass (3), the next
    // within the same second is refused. The app answers the junk image itself (4xx).
    let mut passed = 0;
    let refused = loop {
        let response = decode();
        if response.status() == 429 {
            break response;
        }
        assert!(response.status().is_client_error(), "{}", response.status());
        passed += 1;
        assert!(
            passed <= DECODE_BURST + 1,
            "the decode rate limit never applied"
        );
    };
    assert!(passed >= 1, "the first decode must pass");
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_problem(refused, 429, "#too-many-requests");
    let generate = nginx.get("/generate?data=still%20served").status();
    assert_eq!(
        generate, 200,
        "the stricter /decode limit is /decode's only"
    );
    assert_eq!(
        host.requests(&[("route", "/decode")]),
        f64::from(passed),
        "refused requests never reached the host"
    );
    host.shutdown();
}

#[test]
fn the_access_log_has_the_path_and_status_but_never_the_query_string() {
    let host = Host::start(app_manifest());
    let options = NginxOptions {
        access_log: true,
        ..NginxOptions::default()
    };
    let nginx = Nginx::start(&[host.addr()], &options);
    let secret = "wifi-password-Tr0ub4dor";
    let response = nginx.get(&format!("/generate?data=WIFI:T:WPA;S:home;P:{secret};;"));
    assert_eq!(response.status(), 200);
    // nginx writes the line when it finalises the request, which may be just after we read.
    let path = nginx.prefix().join("access.log");
    let read = || std::fs::read_to_string(&path).unwrap_or_default();
    wait_until("nginx to log the request", || read().contains("/generate"));
    let log = read();
    assert!(log.contains("\"GET /generate HTTP/1.1\" 200"), "{log}");
    assert!(
        !log.contains(secret),
        "the query string leaked into the log: {log}"
    );
    host.shutdown();
}
