//! SIGKILL one host in the middle of a steady load through nginx: no client request fails
//! (nginx retries refused and reset connections on another host), nginx marks the host down,
//! and once the host is back on its port it receives traffic again.

use qr_tests::cluster::{GENERATE_OK, Load, NginxOptions, start_cluster, wait_until};
use qr_tests::{Host, Signal, app_manifest};

/// Hosts behind nginx in this test.
const HOSTS: usize = 3;

/// Requests each host serves before the kill: the load is steady on all of them.
const WARM_REQUESTS_PER_HOST: f64 = 20.0;

/// Requests completed after the kill before the host comes back.
const REQUESTS_WHILE_DOWN: u64 = 200;

#[test]
fn killing_a_host_mid_load_fails_no_request_and_the_restarted_host_gets_traffic_again() {
    let manifest = app_manifest();
    let (mut hosts, nginx) = start_cluster(&manifest, HOSTS, &[], &NginxOptions::default());

    let load = Load::generate("failover", nginx.url("/generate"), 4);
    wait_until("every host to serve part of the load", || {
        hosts
            .iter()
            .all(|h| h.requests(&GENERATE_OK) >= WARM_REQUESTS_PER_HOST)
    });

    let mut victim = hosts.remove(1);
    let victim_addr = victim.addr();
    let status = victim.process().stop_with(Signal::SIGKILL);
    println!(
        "killed qr-host {victim_addr} (pid {}): {status}",
        victim.pid()
    );
    load.wait_for_more(REQUESTS_WHILE_DOWN);

    // nginx's own account: connections to the dead host failed and it took the host out.
    wait_until("nginx to mark the killed host down", || {
        nginx.log().lines().any(|l| {
            l.contains("upstream server temporarily disabled")
                && l.contains(&victim_addr.to_string())
        })
    });
    println!("nginx log:\n{}", nginx.log());

    let restarted = Host::builder(&manifest).port(victim_addr.port()).start();
    wait_until(
        "the restarted host to receive traffic through nginx",
        || restarted.requests(&GENERATE_OK) > 0.0,
    );
    load.wait_for_more(REQUESTS_WHILE_DOWN);

    let totals = load.finish();
    assert_eq!(totals.failed, 0, "a client request failed: {totals}");
    assert_eq!(totals.sent, totals.ok, "{totals}");
    println!(
        "restarted host served {} requests",
        restarted.requests(&GENERATE_OK)
    );

    restarted.shutdown();
    for host in hosts {
        host.shutdown();
    }
}
