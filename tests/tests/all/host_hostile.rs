//! Clients that misbehave on purpose, over time, cost the host a bounded amount and never the
//! service of others: stalled bodies hold no wasm slot, clients that stop reading and idle
//! connections are cut, one address cannot take every connection, readiness says when the
//! listener is full, the admin port is capped, and a stuck stderr never blocks a request.

use qr_test_images::png_with_icc_profile;
use qr_tests::{Host, client_with_timeout, fixtures_manifest, wait_until};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Opens a connection and sends the head of a POST that promises `declared` bytes, plus one.
fn stalled_body(host: &Host, declared: usize) -> TcpStream {
    let mut stream = host.connect();
    write!(
        stream,
        "POST /hello/stalled HTTP/1.1\r\nhost: x\r\ncontent-length: {declared}\r\n\r\na"
    )
    .expect("send head");
    stream
}

#[test]
fn three_stalled_bodies_do_not_make_other_requests_wait_for_a_slot() {
    // The measured failure: on a 2-slot host, three `Content-Length: 10000000` bodies that
    // stop after one byte took every slot and the queue wait, and a GET got 503 after 2 s.
    let host = Host::builder(fixtures_manifest())
        .args(["--max-concurrency", "2", "--body-read-timeout", "60s"])
        .start();
    const DECLARED: usize = 10_000_000;
    let stalled: Vec<_> = (0..3).map(|_| stalled_body(&host, DECLARED)).collect();
    // Each body has its declared size reserved from the budget while it is read.
    wait_until("the three bodies to be buffering", || {
        host.metric("qr_host_body_buffer_bytes", &[]) >= (3 * DECLARED) as f64
    });
    for i in 0..5 {
        assert_eq!(host.get(&format!("/hello/{i}")).status(), 200);
    }
    drop(stalled);
    host.shutdown();
}

#[test]
fn a_body_below_the_minimum_rate_gets_408_even_if_it_never_pauses_long() {
    let host = Host::builder(fixtures_manifest())
        .args(["--body-read-timeout", "300ms", "--body-min-rate", "1000"])
        .start();
    // One byte every 100 ms (10 B/s) never pauses 300 ms, but is far below 1000 B/s: once the
    // 300 ms grace has passed, the body is cut.
    // The bytes go out on another thread until the host has answered and closed (a write
    // then fails) or for 10 s; this one reads the answer.
    let stream = stalled_body(&host, 1000);
    let mut reply = Vec::new();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for _ in 0..100 {
                std::thread::sleep(Duration::from_millis(100));
                if (&stream).write_all(b"b").is_err() {
                    break;
                }
            }
        });
        let _ = (&stream).read_to_end(&mut reply);
    });
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("#body-read-timeout"), "{reply}");
    host.shutdown();
}

#[test]
fn a_client_that_never_reads_its_pipelined_responses_is_disconnected() {
    let host = Host::builder(fixtures_manifest())
        .args(["--write-timeout", "300ms"])
        .start();
    // Each response echoes the 8 KiB path; thousands of them fill both socket buffers.
    let mut reader = host.connect();
    let mut writer = reader.try_clone().expect("clone");
    let path = "a".repeat(8 * 1024);
    let pipeliner = std::thread::spawn(move || {
        for _ in 0..4000 {
            let request = format!("GET /hello/{path} HTTP/1.1\r\nhost: x\r\n\r\n");
            if writer.write_all(request.as_bytes()).is_err() {
                return; // the host closed the connection
            }
        }
    });
    wait_until("the host to give up writing to the client", || {
        host.counter("qr_host_rejections_total", &[("reason", "write-timeout")]) >= 1.0
    });
    // Reading now gets what the buffers held, then the end: the connection is closed.
    let mut sink = Vec::new();
    let _ = reader.read_to_end(&mut sink);
    pipeliner.join().expect("pipeliner");
    assert_eq!(host.get("/hello/after").status(), 200);
    host.shutdown();
}

#[test]
fn one_address_gets_its_connection_cap_and_no_more() {
    let host = Host::builder(fixtures_manifest())
        .args(["--max-connections-per-peer", "2"])
        .start();
    let held: Vec<_> = (0..2).map(|_| host.connect()).collect();
    let mut third = host.connect();
    // The host closes it at once, before reading anything: no answer.
    let _ = third.write_all(b"GET /hello/third HTTP/1.1\r\nhost: x\r\n\r\n");
    let mut reply = Vec::new();
    let _ = third.read_to_end(&mut reply);
    assert!(reply.is_empty(), "{}", String::from_utf8_lossy(&reply));
    assert_eq!(
        host.counter(
            "qr_host_rejections_total",
            &[("reason", "peer-connections")]
        ),
        1.0
    );
    drop(held);
    wait_until("the held connections to be closed", || {
        host.metric("qr_host_open_connections", &[]) == 0.0
    });
    assert_eq!(host.get("/hello/again").status(), 200);
    host.shutdown();
}

#[test]
fn readiness_is_false_while_every_app_connection_is_taken() {
    let host = Host::builder(fixtures_manifest())
        .args(["--max-connections", "2"])
        .start();
    let ready = || host.admin_get("/readyz").status().as_u16();
    assert_eq!(ready(), 200);
    let held: Vec<_> = (0..2).map(|_| host.connect()).collect();
    wait_until("readiness to turn false", || ready() == 503);
    drop(held);
    wait_until("readiness to come back", || ready() == 200);
    assert_eq!(host.get("/hello/ready").status(), 200);
    host.shutdown();
}

#[test]
fn the_admin_listener_serves_a_bounded_number_of_connections() {
    let host = Host::start(fixtures_manifest());
    // Idle admin connections up to the cap (qr-host's ADMIN_MAX_CONNECTIONS)...
    let mut held: Vec<_> = (0..16)
        .map(|_| TcpStream::connect(host.admin_addr()).expect("connect"))
        .collect();
    let probe = |timeout| {
        let livez = client_with_timeout(timeout).get(host.admin_url("/livez"));
        livez.send().map(|r| r.status().as_u16())
    };
    wait_until("the cap to be reached", || {
        probe(Duration::from_millis(300)).is_err()
    });
    // ...and one more is served as soon as one of them closes.
    held.pop();
    assert_eq!(probe(qr_tests::REQUEST_TIMEOUT).expect("served"), 200);
    drop(held);
    host.shutdown();
}

#[test]
fn a_stderr_nobody_reads_never_blocks_a_request() {
    // A pipe holds 64 KiB; 3000 access-log lines are several times that. With logs written on
    // the request's own thread, the requests would stop once the pipe is full.
    let host = Host::builder(fixtures_manifest()).stderr_unread().start();
    let client = client_with_timeout(Duration::from_secs(10));
    for i in 0..3000 {
        let response = client
            .get(host.url(&format!("/hello/{i}")))
            .send()
            .unwrap_or_else(|e| panic!("request {i}: {e}"));
        assert_eq!(response.status(), 200, "request {i}");
    }
    host.shutdown();
}

#[test]
fn a_png_whose_icc_profile_inflates_to_80_mib_is_decoded_within_a_96_mib_instance() {
    // The decoder used to allow any image the allocation cap of the largest one (144 MiB):
    // this file made the guest inflate the whole profile and hit the instance's memory limit.
    let host = Host::builder(qr_tests::app_manifest())
        .args(["--max-memory-bytes", &(96 * 1024 * 1024).to_string()])
        .start();
    let bomb = png_with_icc_profile(80 * 1024 * 1024);
    assert!(bomb.len() < 512 * 1024, "{} bytes", bomb.len());
    crate::readback::ok(host.post("/decode", "image/png", bomb));
    let peak = host.metric(
        "qr_host_guest_memory_peak_bytes_sum",
        &[("component", "decode")],
    );
    assert!(
        peak < (32 * 1024 * 1024) as f64,
        "decode grew to {peak} bytes"
    );
    host.shutdown();
}
