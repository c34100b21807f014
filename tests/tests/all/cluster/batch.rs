//! `POST /generate/batch` through nginx in front of several qr-hosts: parallel batch requests
//! (the seed's "millions of product codes for a sale", split into `MAX_BATCH_ITEMS`-code
//! requests) each come back as a complete archive, spread over the hosts.
//!
//! The same code, with more requests and the figures written out, is the batch benchmark
//! (`batch_throughput_through_nginx`, ignored here; `scripts/bench-batch` runs it): codes per
//! second, and codes per second per core from the hosts' own CPU time.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::readback::{ok, rxing_png, unzip};
use qr_tests::cluster::{NginxOptions, start_cluster};
use qr_tests::{StatusCode, app_manifest, cpu_seconds};

/// The most time one benchmark configuration may take, whatever the machine's load.
const MAX_RUN_TIME: Duration = Duration::from_secs(120);

/// One batch body: `items` product codes from `first_sku` on, as JSON lines.
fn product_batch(first_sku: usize, items: usize) -> String {
    (first_sku..first_sku + items)
        .map(|sku| {
            format!(
                "{{\"data\":\"https://shop.example.com/p/{sku:07}\",\"name\":\"sku-{sku:07}\"}}\n"
            )
        })
        .collect()
}

/// What one configuration measured.
struct Measured {
    hosts: usize,
    clients: usize,
    requests: usize,
    codes: usize,
    seconds: f64,
    host_cpu_seconds: f64,
}

/// `clients` threads each send `per_client` batches of `items` codes through nginx to `hosts`
/// qr-hosts; every answer must be a complete archive of `items` PNGs. With `check_reads`, the
/// first and last code of each archive are read back with rxing.
fn measure(
    hosts: usize,
    clients: usize,
    per_client: usize,
    items: usize,
    check_reads: bool,
) -> Measured {
    let (cluster, nginx) = start_cluster(&app_manifest(), hosts, &[], &NginxOptions::default());
    // One untimed batch per host: components loaded, pools warm.
    let http = qr_tests::client();
    for _ in 0..hosts {
        let warm = http
            .post(nginx.url("/generate/batch"))
            .body(product_batch(0, 10));
        assert_eq!(warm.send().unwrap().status(), StatusCode::OK);
    }
    let cpu_before: f64 = cluster.iter().map(|h| cpu_seconds(h.pid())).sum();
    let start = Instant::now();
    let url = nginx.url("/generate/batch");
    std::thread::scope(|s| {
        for c in 0..clients {
            let (url, http) = (&url, &http);
            s.spawn(move || {
                for r in 0..per_client {
                    assert!(
                        start.elapsed() < MAX_RUN_TIME,
                        "the run took over {MAX_RUN_TIME:?}"
                    );
                    let first = (c * per_client + r) * items;
                    let request = http.post(url).body(product_batch(first, items));
                    let response = request
                        .header("content-type", "application/x-ndjson")
                        .send();
                    let members = unzip(ok(response.unwrap()));
                    assert_eq!(members.len(), items, "a complete archive");
                    if check_reads {
                        for (i, sku) in [(0, first), (items - 1, first + items - 1)] {
                            let (name, png) = &members[i];
                            assert_eq!(name, &format!("sku-{sku:07}.png"));
                            let text = format!("https://shop.example.com/p/{sku:07}");
                            assert_eq!(rxing_png(png), text);
                        }
                    }
                }
            });
        }
    });
    let seconds = start.elapsed().as_secs_f64();
    let host_cpu_seconds = cluster.iter().map(|h| cpu_seconds(h.pid())).sum::<f64>() - cpu_before;
    let served: Vec<f64> = cluster
        .iter()
        // Only batches are sent to this cluster, under the manifest's catch-all route.
        .map(|h| h.requests(&[("status", "200")]))
        .collect();
    assert_eq!(
        served.iter().sum::<f64>() as usize,
        clients * per_client + hosts,
        "every batch served once: {served:?}"
    );
    drop(nginx);
    for host in cluster {
        host.shutdown();
    }
    Measured {
        hosts,
        clients,
        requests: clients * per_client,
        codes: clients * per_client * items,
        seconds,
        host_cpu_seconds,
    }
}

#[test]
fn parallel_batches_through_nginx_come_back_complete_from_every_host() {
    let m = measure(2, 2, 2, 200, true);
    assert_eq!(m.codes, 800);
}

/// The benchmark: full batches, 1 and 2 hosts, as many parallel clients as twice the hosts.
/// Writes markdown to `$QR_BATCH_BENCH_OUT` (else only prints it).
#[test]
#[ignore = "benchmark: scripts/bench-batch runs it"]
fn batch_throughput_through_nginx() {
    let items = qr_core::limits::MAX_BATCH_ITEMS;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut md = format!(
        "## Through nginx in front of N qr-hosts\n\n`cargo test --release -p qr-tests -- \
         --ignored cluster::batch::` (the cluster harness of the `cluster::` tests: real nginx, \
         real qr-host processes, loopback), {items}-code batches (PNG, level H, 10 px a \
         module), each archive checked complete; the load generator, nginx and the hosts \
         share this machine's {cores} logical CPUs. Load average before: {}. Codes per \
         core-second = codes / the hosts' CPU seconds (`/proc/<pid>/stat`), nginx excluded.\n\n\
         | hosts | parallel requests | batches | codes | wall s | codes/s | hosts' CPU s | codes per core-second |\n\
         |---|---|---|---|---|---|---|---|\n",
        qr_tests::load_average()
    );
    for (hosts, clients, per_client) in [(1, 2, 10), (2, 4, 8)] {
        let m = measure(hosts, clients, per_client, items, false);
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.2} | {:.0} | {:.2} | {:.0} |",
            m.hosts,
            m.clients,
            m.requests,
            m.codes,
            m.seconds,
            m.codes as f64 / m.seconds,
            m.host_cpu_seconds,
            // Codes per second of one core: codes per CPU-second the hosts spent.
            m.codes as f64 / m.host_cpu_seconds
        );
    }
    println!("{md}");
    if let Some(path) = std::env::var_os("QR_BATCH_BENCH_OUT") {
        std::fs::write(path, md).unwrap();
    }
}
