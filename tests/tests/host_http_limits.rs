//! Request size and slow-client limits: 413 for large bodies, 408 for stalled bodies, 431 for
//! oversized heads, and silent clients are disconnected.

use qr_tests::{Host, assert_problem, fixtures_manifest};
use std::io::{Read, Write};
use std::net::TcpStream;

const LIMIT: usize = 1024;

fn host_with_body_limit() -> Host {
    Host::builder(fixtures_manifest())
        .args(["--max-body-bytes", &LIMIT.to_string()])
        .args([
            "--body-read-timeout",
            "200ms",
            "--header-read-timeout",
            "300ms",
        ])
        .start()
}

/// Sends raw bytes and reads until the server closes; returns the response text.
fn raw_exchange(host: &Host, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(host.addr()).expect("connect");
    stream
        .set_read_timeout(Some(qr_tests::REQUEST_TIMEOUT))
        .expect("read timeout");
    stream.write_all(request).expect("send");
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    String::from_utf8_lossy(&reply).into_owned()
}

#[test]
fn a_body_at_the_limit_is_accepted_and_one_byte_more_gets_413() {
    let host = host_with_body_limit();
    assert_eq!(
        host.post("/hello", "application/octet-stream", vec![b'a'; LIMIT])
            .status(),
        200
    );
    let response = host.post("/hello", "application/octet-stream", vec![b'a'; LIMIT + 1]);
    assert_problem(response, 413, "#body-too-large");
    host.shutdown();
}

#[test]
fn a_chunked_body_over_the_limit_gets_413() {
    let host = host_with_body_limit();
    // A reader body has no length, so it is sent chunked: only the streaming guard can see it.
    let body = reqwest::blocking::Body::new(std::io::Cursor::new(vec![b'a'; 4 * LIMIT]));
    let response = host
        .client()
        .post(host.url("/hello"))
        .body(body)
        .send()
        .expect("send");
    assert_problem(response, 413, "#body-too-large");
    host.shutdown();
}

#[test]
fn a_body_that_stalls_gets_408() {
    let host = host_with_body_limit();
    // Promise ten bytes, send one, then go quiet: the body read timeout answers for us.
    let reply = raw_exchange(
        &host,
        b"POST /hello HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\nconnection: close\r\n\r\na",
    );
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("#body-read-timeout"), "{reply}");
    host.shutdown();
}

#[test]
fn a_client_that_never_finishes_its_head_is_disconnected() {
    let host = host_with_body_limit();
    // Slowloris: half a request head, then silence. The server must close the connection.
    let reply = raw_exchange(&host, b"GET /hello HTTP/1.1\r\nhost: x\r\n");
    assert!(!reply.contains("200 OK"), "{reply}");
    assert_eq!(host.get("/hello").status(), 200, "others are still served");
    host.shutdown();
}

#[test]
fn an_oversized_request_head_gets_431() {
    let host = Host::builder(fixtures_manifest())
        .args(["--max-header-bytes", "8192"])
        .start();
    let response = host
        .client()
        .get(host.url("/hello"))
        .header("x-big", "a".repeat(16 * 1024))
        .send()
        .expect("send");
    assert_eq!(response.status(), 431);
    host.shutdown();
}
