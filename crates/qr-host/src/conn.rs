//! Per-connection bounds hyper does not have: a write timeout and a cap per peer address.
//!
//! hyper's HTTP/1 server bounds the request head (`header_read_timeout`, which also covers an
//! idle keep-alive connection, since it waits for the next head) but nothing else. A client
//! that pipelines requests and never reads the responses leaves hyper blocked in a write for
//! ever; [`TimedIo`] fails that write after `--write-timeout`. [`PeerConnections`] caps the
//! connections one IP address holds, so one client cannot take every connection permit.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

/// A TCP stream whose writes fail once they have made no progress for `timeout`.
#[derive(Debug)]
pub struct TimedIo {
    stream: TcpStream,
    timeout: Duration,
    /// Armed while a write is pending; any progress disarms it.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl TimedIo {
    pub fn new(stream: TcpStream, timeout: Duration) -> Self {
        Self {
            stream,
            timeout,
            stalled: None,
        }
    }

    /// Turns a pending write into a timeout error once the stall has lasted `timeout`.
    fn on_write<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match polled {
            Poll::Ready(result) => {
                self.stalled = None;
                Poll::Ready(result)
            }
            Poll::Pending => {
                let timeout = self.timeout;
                let timer = self.stalled.get_or_insert_with(|| {
                    Box::pin(tokio::time::sleep_until(Instant::now() + timeout))
                });
                ready!(timer.as_mut().poll(cx));
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client read nothing for the write timeout",
                )))
            }
        }
    }
}

impl AsyncRead for TimedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for TimedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.on_write(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.on_write(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.stream).poll_flush(cx);
        self.on_write(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.stream).poll_shutdown(cx);
        self.on_write(cx, polled)
    }
}

/// Open connections per peer IP address, capped.
#[derive(Debug, Default)]
pub struct PeerConnections {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One connection's place in its peer's count; given back on drop.
#[derive(Debug)]
pub struct PeerPlace {
    peers: Arc<PeerConnections>,
    ip: IpAddr,
}

impl PeerConnections {
    /// Counts a new connection from `ip`, or refuses it when `ip` already holds `cap`. The map
    /// holds only peers with open connections, so it is bounded by `--max-connections`.
    pub fn enter(self: &Arc<Self>, ip: IpAddr, cap: usize) -> Option<PeerPlace> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(ip).or_insert(0);
        if *count >= cap {
            return None;
        }
        *count += 1;
        Some(PeerPlace {
            peers: self.clone(),
            ip,
        })
    }
}

impl Drop for PeerPlace {
    fn drop(&mut self) {
        let mut open = self.peers.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_gets_its_cap_and_no_more_and_places_come_back() {
        let peers = Arc::new(PeerConnections::default());
        let a: IpAddr = "127.0.0.2".parse().expect("ip");
        let b: IpAddr = "127.0.0.3".parse().expect("ip");
        let first = peers.enter(a, 2).expect("1 of 2");
        let _second = peers.enter(a, 2).expect("2 of 2");
        assert!(peers.enter(a, 2).is_none(), "third from the same address");
        assert!(
            peers.enter(b, 2).is_some(),
            "another address is counted apart"
        );
        drop(first);
        assert!(
            peers.enter(a, 2).is_some(),
            "a closed connection frees its place"
        );
    }

    #[test]
    fn the_map_forgets_peers_with_no_connection() {
        let peers = Arc::new(PeerConnections::default());
        drop(peers.enter("127.0.0.9".parse().expect("ip"), 1));
        assert!(peers.open.lock().expect("lock").is_empty());
    }

    #[tokio::test]
    async fn a_write_the_peer_never_reads_fails_after_the_timeout() {
        use tokio::io::AsyncWriteExt as _;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let client = TcpStream::connect(listener.local_addr().expect("addr"))
            .await
            .expect("connect");
        let (server, _) = listener.accept().await.expect("accept");
        let mut io = TimedIo::new(server, Duration::from_millis(200));
        // The client never reads: the socket buffers fill and the write stalls, then fails.
        let chunk = vec![0u8; 1 << 20];
        let error = loop {
            if let Err(error) = io.write_all(&chunk).await {
                break error;
            }
        };
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        drop(client);
    }
}
