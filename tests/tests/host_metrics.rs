//! `/metrics` on the admin listener is valid Prometheus text and counts what was sent.

use qr_tests::{Host, fixtures_manifest, sum_samples};

#[test]
fn metrics_parse_as_prometheus_text_and_match_the_requests_sent() {
    let host = Host::start(fixtures_manifest());
    for i in 0..5 {
        assert_eq!(host.get(&format!("/hello/{i}")).status(), 200);
    }
    assert_eq!(host.get("/nowhere").status(), 404);
    assert_eq!(host.get("/panic").status(), 500);

    let response = host
        .client()
        .get(host.admin_url("/metrics"))
        .send()
        .expect("metrics");
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = response.text().expect("text");

    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned())))
        .expect("parses as Prometheus text");
    assert!(scrape.samples.len() > 10, "{text}");
    assert!(text.trim_end().ends_with("# EOF"), "OpenMetrics terminator");

    let requests = |labels: &[(&str, &str)]| sum_samples(&text, "qr_host_requests_total", labels);
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
        sum_samples(&text, "qr_host_request_duration_seconds_count", &[]),
        7.0
    );
    assert_eq!(
        sum_samples(&text, "qr_host_instantiation_seconds_count", &[]),
        6.0
    );
    assert_eq!(sum_samples(&text, "qr_host_in_flight_requests", &[]), 0.0);
    assert_eq!(
        sum_samples(&text, "qr_host_component_loads_total", &[]),
        5.0
    );
    host.shutdown();
}

#[test]
fn the_admin_listener_serves_probes_and_nothing_of_the_app() {
    let host = Host::start(fixtures_manifest());
    let get = |path: &str| {
        host.client()
            .get(host.admin_url(path))
            .send()
            .expect("admin request")
            .status()
    };
    assert_eq!(get("/livez"), 200);
    assert_eq!(get("/readyz"), 200);
    assert_eq!(get("/hello"), 404);
    // And the app listener does not expose metrics.
    assert_eq!(host.get("/metrics").status(), 404);
    host.shutdown();
}
