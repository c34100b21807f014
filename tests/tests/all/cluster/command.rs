//! The README's one command: `deploy/local/cluster up --hosts 2` starts two hosts and nginx
//! that serve the app, `status` lists them by PID, and `down` stops exactly those PIDs.

use qr_tests::cluster::{GENERATE_JSON, GENERATE_OK, free_port};
use qr_tests::{Metrics, pid_is_alive};
use std::net::TcpListener;
use std::process::Command;

/// Hosts the command starts in this test.
const HOSTS: u16 = 2;

/// Requests sent through the cluster's nginx.
const REQUESTS: usize = 20;

/// The first of `HOSTS` consecutive free loopback ports (the command numbers its hosts' ports
/// from a base).
fn free_port_run() -> u16 {
    loop {
        let base = free_port();
        let all_free = (base..base + HOSTS).all(|p| TcpListener::bind(("127.0.0.1", p)).is_ok());
        if all_free && base + HOSTS < u16::MAX {
            return base;
        }
    }
}

/// Runs `cluster down` for a state directory when dropped; a no-op once the cluster is down.
#[derive(Debug)]
struct DownOnDrop(std::path::PathBuf);

impl Drop for DownOnDrop {
    fn drop(&mut self) {
        let _ = Command::new(qr_tests::workspace_root().join("deploy/local/cluster"))
            .arg("down")
            .env("QR_CLUSTER_DIR", &self.0)
            .status();
    }
}

#[test]
fn cluster_up_serves_through_nginx_and_down_stops_every_recorded_pid() {
    qr_tests::app_manifest();
    let state = tempfile::tempdir().expect("state dir");
    let (port, host_port, admin_port) = (free_port_run(), free_port_run(), free_port_run());
    let cluster = |args: &[&str]| {
        let mut command = Command::new(qr_tests::workspace_root().join("deploy/local/cluster"));
        command
            .args(args)
            .env("QR_CLUSTER_DIR", state.path())
            .env("QR_CLUSTER_PORT", port.to_string())
            .env("QR_CLUSTER_FIRST_HOST_PORT", host_port.to_string())
            .env("QR_CLUSTER_FIRST_ADMIN_PORT", admin_port.to_string());
        let (stdout, stderr) = qr_tests::run_ok(&mut command, &format!("cluster {args:?}"));
        stdout + &stderr
    };

    println!("{}", cluster(&["up", "--hosts", &HOSTS.to_string()]));
    // If an assertion below fails, still stop what `up` started (by its recorded PIDs).
    let _down_on_failure = DownOnDrop(state.path().to_owned());
    let files = std::fs::read_dir(state.path())
        .expect("state dir")
        .flatten();
    let pid_files = files
        .map(|e| e.path())
        .filter(|p| p.extension() == Some("pid".as_ref()));
    let read = |file| std::fs::read_to_string(file).expect("pid file");
    let pids: Vec<u32> = pid_files
        .map(|p| read(p).trim().parse().expect("pid"))
        .collect();
    assert_eq!(
        pids.len(),
        usize::from(HOSTS) + 1,
        "a PID per host and one for nginx"
    );
    let status = cluster(&["status"]);
    assert_eq!(status.matches(" running").count(), pids.len(), "{status}");

    let client = qr_tests::client();
    for _ in 0..REQUESTS {
        let response = client
            .post(format!("http://127.0.0.1:{port}/generate"))
            .header("content-type", "application/json")
            .body(GENERATE_JSON)
            .send()
            .expect("POST /generate through the cluster");
        assert_eq!(response.status(), 200);
    }
    println!("client totals (cluster command): sent={REQUESTS} ok={REQUESTS} failed=0");
    let served: f64 = (0..HOSTS)
        .map(|i| {
            let metrics = client
                .get(format!("http://127.0.0.1:{}/metrics", admin_port + i))
                .send()
                .and_then(|r| r.text())
                .expect("host metrics");
            Metrics::parse(&metrics).counter("qr_host_requests_total", &GENERATE_OK)
        })
        .sum();
    assert_eq!(
        served, REQUESTS as f64,
        "the cluster's hosts served every request"
    );

    println!("{}", cluster(&["down"]));
    for pid in pids {
        assert!(
            !pid_is_alive(pid),
            "pid {pid} still runs after `cluster down`"
        );
    }
    assert!(cluster(&["status"]).contains("cluster is down"));
}
