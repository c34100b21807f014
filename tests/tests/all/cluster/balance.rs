//! Load through nginx reaches every host: per-host request counters from each host's own
//! `/metrics` add up to what the client sent. Also: nginx refuses a body over the host's limit
//! itself, as problem+json, before any host sees it.

use qr_tests::app_manifest;
use qr_tests::cluster::{GENERATE_JSON, GENERATE_OK, Load, NginxOptions, start_cluster};

/// Hosts behind nginx in this test.
const HOSTS: usize = 3;

/// Requests the test sends through nginx (bounded load).
const REQUESTS: u64 = 300;

/// The body limit of hosts and nginx in this test: small, so the oversized upload is small.
const MAX_BODY_BYTES: u64 = 1024 * 1024;

#[test]
fn load_through_nginx_reaches_every_host_and_the_counts_add_up() {
    let manifest = app_manifest();
    let limit = MAX_BODY_BYTES.to_string();
    let options = NginxOptions {
        max_body_bytes: MAX_BODY_BYTES,
        ..NginxOptions::default()
    };
    let (hosts, nginx) = start_cluster(&manifest, HOSTS, &["--max-body-bytes", &limit], &options);

    let load = Load::generate("balance", nginx.url("/generate"), 6);
    load.wait_for_more(REQUESTS);
    let totals = load.finish();
    assert_eq!(totals.failed, 0, "{totals}");
    assert_eq!(
        totals.sent,
        totals.ok + totals.failed,
        "every request sent got an answer: {totals}"
    );

    let per_host: Vec<f64> = hosts.iter().map(|h| h.requests(&GENERATE_OK)).collect();
    println!("per-host /generate 200 counts: {per_host:?}");
    for (host, count) in hosts.iter().zip(&per_host) {
        assert!(
            *count > 0.0,
            "host {} got no request through nginx: {per_host:?}",
            host.addr()
        );
    }
    assert_eq!(
        per_host.iter().sum::<f64>(),
        totals.ok as f64,
        "each ok request was served exactly once"
    );

    // One byte over the limit: nginx answers 413 problem+json and no host counts a request.
    let requests = || hosts.iter().map(|h| h.requests(&[])).sum::<f64>();
    let before = requests();
    let over = vec![0u8; MAX_BODY_BYTES as usize + 1];
    let over = nginx.post("/decode", "application/octet-stream", over);
    qr_tests::assert_api_problem(over, 413, "body-too-large");
    let after = requests();
    assert_eq!(after, before, "the oversized body never reached a host");

    // A body exactly at the limit is passed on (the host, not nginx, decides about it).
    let padding = " ".repeat(MAX_BODY_BYTES as usize - GENERATE_JSON.len());
    let at_limit = format!("{GENERATE_JSON}{padding}");
    let at_limit = nginx.post("/generate", "application/json", at_limit);
    println!("body at the limit: {} from a host", at_limit.status());
    let seen = requests() - after;
    assert_eq!(seen, 1.0, "exactly one host saw the body at the limit");

    for host in hosts {
        host.shutdown();
    }
}
