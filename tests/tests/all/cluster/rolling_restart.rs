//! Rolling restart under steady load: each host in turn is sent SIGTERM, drains and exits 0,
//! and is started again on its port; nginx moves the traffic around it and no client request
//! fails.

use qr_tests::cluster::{GENERATE_OK, Load, NginxOptions, start_cluster, wait_until};
use qr_tests::{Host, app_manifest};

/// Hosts behind nginx in this test.
const HOSTS: usize = 3;

/// Requests completed between two steps of the restart.
const REQUESTS_PER_STEP: u64 = 100;

#[test]
fn a_rolling_restart_with_sigterm_drain_fails_no_client_request() {
    let manifest = app_manifest();
    let (mut hosts, nginx) = start_cluster(&manifest, HOSTS, &[], &NginxOptions::default());

    let load = Load::generate("rolling restart", nginx.url("/generate"), 4);
    load.wait_for_more(REQUESTS_PER_STEP);

    for slot in 0..HOSTS {
        let old = hosts.remove(slot);
        let port = old.addr().port();
        let served = old.requests(&GENERATE_OK);
        old.shutdown();
        println!("host :{port} drained and exited 0 after serving {served} requests");
        load.wait_for_more(REQUESTS_PER_STEP);

        let new = Host::builder(&manifest).port(port).start();
        wait_until(
            "the restarted host to receive traffic through nginx",
            || new.requests(&GENERATE_OK) > 0.0,
        );
        hosts.insert(slot, new);
        load.wait_for_more(REQUESTS_PER_STEP);
    }

    let totals = load.finish();
    assert_eq!(totals.failed, 0, "a client request failed: {totals}");
    assert_eq!(totals.sent, totals.ok, "{totals}");
    println!("nginx log:\n{}", nginx.log());

    for host in hosts {
        host.shutdown();
    }
}
