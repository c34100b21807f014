//! Request size and slow-client limits: 413 for large bodies, 408 for stalled bodies, 431 for
//! oversized heads, and silent clients are disconnected. Limits need no process: each test runs
//! qr-host's library in the test process on port-0 listeners.

use qr_tests::{Host, assert_problem, fixtures_manifest};
use std::io::{Read, Write};
use std::net::TcpStream;

const LIMIT: usize = 1024;

fn host_with_body_limit() -> Host {
    Host::builder(fixtures_manifest())
        .args(["--max-body-bytes", &LIMIT.to_string()])
        .args("--body-read-timeout 200ms --header-read-timeout 300ms".split(' '))
        .start_in_process()
}

#[test]
fn a_body_at_the_limit_is_accepted_and_one_byte_more_gets_413() {
    let host = host_with_body_limit();
    let at_limit = host.post("/hello", "application/octet-stream", vec![b'a'; LIMIT]);
    assert_eq!(at_limit.status(), 200);
    let response = host.post("/hello", "application/octet-stream", vec![b'a'; LIMIT + 1]);
    assert_problem(response, 413, "#body-too-large");
    host.shutdown();
}

#[test]
fn a_body_declared_over_the_limit_is_answered_413_before_any_of_it_arrives() {
    let host = host_with_body_limit();
    // Only the head is sent: a host that waited for the body would answer 408 after the
    // 200 ms body-read timeout instead of refusing the declared length at once.
    let head = format!(
        "POST /hello HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        LIMIT + 1
    );
    let reply = host.exchange(head.as_bytes());
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("#body-too-large"), "{reply}");
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
    let reply = host.exchange(
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
    // `exchange` fails unless the host closes the connection itself, after at most a 408.
    let reply = host.exchange(b"GET /hello HTTP/1.1\r\nhost: x\r\n");
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 408"),
        "{reply}"
    );
    assert_eq!(host.get("/hello").status(), 200, "others are still served");
    host.shutdown();
}

#[test]
fn an_oversized_request_head_gets_431() {
    let host = Host::builder(fixtures_manifest())
        .args(["--max-header-bytes", "8192"])
        .start_in_process();
    let response = host
        .client()
        .get(host.url("/hello"))
        .header("x-big", "a".repeat(16 * 1024))
        .send()
        .expect("send");
    assert_eq!(response.status(), 431);
    host.shutdown();
}

/// Reads one HTTP/1.1 response (its head, then a `content-length` or chunked body) from a
/// keep-alive connection; returns the head. Panics if the server closes before it is complete.
fn read_one_response(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    let complete = |buf: &[u8]| -> bool {
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            return false;
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let body = &buf[end + 4..];
        match head.lines().find_map(|l| l.strip_prefix("content-length:")) {
            Some(n) => body.len() >= n.trim().parse::<usize>().expect("content-length"),
            None => body.ends_with(b"0\r\n\r\n"),
        }
    };
    while !complete(&buf) {
        let n = stream.read(&mut byte).expect("read response");
        assert_eq!(
            n,
            1,
            "the server closed the connection before a whole response: {}",
            String::from_utf8_lossy(&buf)
        );
        buf.push(byte[0]);
    }
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase()
}

fn host_with_lifetime(lifetime: &str, idle: &str) -> Host {
    Host::builder(fixtures_manifest())
        .args(["--max-connection-lifetime", lifetime])
        .args(["--header-read-timeout", idle])
        .start_in_process()
}

#[test]
fn a_keep_alive_client_idle_across_the_lifetime_gets_its_next_answer_with_connection_close() {
    let host = host_with_lifetime("1s", "10s");
    let mut stream = host.connect();
    let request = b"GET /hello/again HTTP/1.1\r\nhost: x\r\n\r\n";
    stream.write_all(request).expect("first request");
    let head = read_one_response(&mut stream);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(!head.contains("connection: close"), "{head}");
    // The stimulus is the passing of the lifetime itself while the client is idle (well
    // inside its 10 s idle allowance). Closing the socket at that moment would lose a request
    // the client is sending: instead the next request is answered and says `close`.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    stream.write_all(request).expect("second request");
    let head = read_one_response(&mut stream);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("connection: close"), "{head}");
    let mut rest = Vec::new();
    stream
        .read_to_end(&mut rest)
        .expect("the server closes after that answer");
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    host.shutdown();
}

#[test]
fn a_keep_alive_connection_silent_for_the_idle_time_is_closed() {
    let host = host_with_lifetime("10m", "1s");
    // Reads time out far later than the idle time: a server that never closes fails them.
    let mut stream = host.connect();
    stream
        .write_all(b"GET /hello HTTP/1.1\r\nhost: x\r\n\r\n")
        .expect("request");
    let head = read_one_response(&mut stream);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let mut rest = Vec::new();
    stream
        .read_to_end(&mut rest)
        .expect("closed by the server, not by the read timeout");
    assert!(rest.is_empty());
    host.shutdown();
}
