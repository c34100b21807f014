//! `/metrics` on the admin listener is valid Prometheus text and counts what was sent.

use qr_tests::{Host, Metrics, app_manifest, assert_problem, fixtures_manifest, junk_method};

#[test]
fn metrics_parse_as_prometheus_text_and_match_the_requests_sent() {
    let host = Host::start(fixtures_manifest());
    for i in 0..5 {
        assert_eq!(host.get(&format!("/hello/{i}")).status(), 200);
    }
    assert_eq!(host.get("/nowhere").status(), 404);
    assert_eq!(host.get("/panic").status(), 500);

    let response = host.admin_get("/metrics");
    let content_type = qr_tests::header(&response, "content-type").to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = response.text().expect("text");

    let metrics = Metrics::parse(&text);
    assert!(metrics.sample_count() > 10, "{text}");
    assert!(text.trim_end().ends_with("# EOF"), "OpenMetrics terminator");

    let requests = |labels: &[(&str, &str)]| metrics.value("qr_host_requests_total", labels);
    assert_eq!(
        requests(&[
            ("route", "/hello/..."),
            ("method", "GET"),
            ("status", "200")
        ]),
        5.0
    );
    assert_eq!(requests(&[("route", "none"), ("status", "404")]), 1.0);
    assert_eq!(requests(&[("route", "/panic"), ("status", "500")]), 1.0);
    assert_eq!(requests(&[]), 7.0);
    assert_eq!(
        metrics.value("qr_host_request_duration_seconds_count", &[]),
        7.0
    );
    assert_eq!(
        metrics.value("qr_host_instantiation_seconds_count", &[]),
        6.0
    );
    // `value` fails on a missing sample: 0 means "nothing in flight", not "not exported".
    assert_eq!(metrics.value("qr_host_in_flight_requests", &[]), 0.0);
    assert_eq!(metrics.value("qr_host_component_loads_total", &[]), 5.0);
    host.shutdown();
}

#[test]
fn the_admin_listener_serves_probes_and_nothing_of_the_app() {
    let host = Host::start(fixtures_manifest());
    let get = |path: &str| host.admin_get(path).status();
    assert_eq!(get("/livez"), 200);
    assert_eq!(get("/readyz"), 200);
    assert_eq!(get("/hello"), 404);
    // And the app listener does not expose metrics.
    assert_eq!(host.get("/metrics").status(), 404);
    host.shutdown();
}

#[test]
fn a_flood_of_distinct_methods_is_answered_by_the_routes_and_adds_one_series_per_route() {
    // The product's app: its components answer unknown methods with 405 or 404 problem+json,
    // as they do under Spin.
    let host = Host::start(app_manifest());
    let paths = ["/generate", "/.well-known/spin/health", "/nowhere"];
    // One ordinary request per path first, so the per-route series (durations) exist.
    for path in paths {
        host.get(path);
    }
    let before = host.metrics();
    let before = before.text();

    const FLOOD: usize = 400;
    for i in 0..FLOOD {
        let path = paths[i % 3];
        let method = junk_method(i, 4096);
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a token");
        let response = host
            .client()
            .request(method, host.url(path))
            .send()
            .expect("junk method request");
        if path == "/nowhere" {
            assert_problem(response, 404, "#not-found");
        } else {
            assert_problem(response, 405, "#method-not-allowed");
        }
    }
    let after = host.metrics();
    let after = after.text();

    let series = |text: &str| {
        text.lines()
            .filter(|l| l.starts_with("qr_host_requests_total"))
            .count()
    };
    // The whole flood lands in one series per route (method `other`), whatever the methods.
    assert_eq!(series(after), series(before) + paths.len(), "{after}");
    assert_eq!(
        Metrics::parse(after).value("qr_host_requests_total", &[("method", "other")]),
        FLOOD as f64
    );
    assert!(
        after.len() < before.len() + 2048,
        "/metrics grew from {} to {} bytes",
        before.len(),
        after.len()
    );
    host.shutdown();
}

#[test]
fn the_spin_health_endpoint_answers_get_and_head_and_refuses_other_methods() {
    let host = Host::start(fixtures_manifest());
    let send = |method: reqwest::Method| {
        host.client()
            .request(method, host.url("/.well-known/spin/health"))
            .send()
            .expect("health request")
    };
    assert_eq!(send(reqwest::Method::GET).status(), 200);
    assert_eq!(send(reqwest::Method::HEAD).status(), 200);
    let refused = send(reqwest::Method::POST);
    assert_eq!(refused.headers()["allow"], "GET, HEAD");
    assert_problem(refused, 405, "#method-not-allowed");
    host.shutdown();
}
