//! `host-bench native-hello` (hidden): the floor for host overhead, a native hyper server
//! answering every request with a short text body, on tokio's multi-threaded runtime like
//! qr-host. Prints `listening on http://ADDR` once bound.

use std::convert::Infallible;
use std::io::Write as _;

use anyhow::Result;
use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

pub fn run() -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        println!(
            "native-hello listening on http://{}",
            listener.local_addr()?
        );
        std::io::stdout().flush()?;
        loop {
            let (stream, _) = listener.accept().await?;
            tokio::spawn(async move {
                let service = service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
                    let body = format!("hello {} {}\n", req.method(), req.uri().path());
                    Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from(body))))
                });
                // A client that goes away mid-request is not an error worth reporting here.
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
