//! The request body as the guest reads it, with the host's size limit and read timeout.
//!
//! `Content-Length` over the limit is refused before a slot is taken; this wrapper covers
//! chunked bodies and lying lengths, and stops clients that trickle a body (slowloris). When a
//! limit trips, the guest's read fails and [`BodyGuardState`] tells the handler which limit it
//! was, so the client gets 413 or 408 rather than whatever the guest made of the error.

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

use crate::runtime::BodyGuardState;

/// An incoming body with a byte limit and an idle timeout between frames.
#[derive(Debug)]
pub struct GuardedBody {
    inner: Incoming,
    remaining: u64,
    limit: u64,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
    state: Arc<BodyGuardState>,
}

impl GuardedBody {
    pub fn new(inner: Incoming, limit: u64, idle: Duration, state: Arc<BodyGuardState>) -> Self {
        Self {
            inner,
            remaining: limit,
            limit,
            idle,
            timer: Box::pin(tokio::time::sleep(idle)),
            state,
        }
    }
}

impl Body for GuardedBody {
    type Data = Bytes;
    type Error = wasmtime_wasi_http::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let len = data.len() as u64;
                    if len > this.remaining {
                        this.state.trip_too_large();
                        return Poll::Ready(Some(Err(
                            wasmtime_wasi_http::Error::HttpRequestBodySize(Some(this.limit)),
                        )));
                    }
                    this.remaining -= len;
                }
                let deadline = Instant::now() + this.idle;
                this.timer.as_mut().reset(deadline);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                if this.timer.as_mut().poll(cx).is_ready() {
                    this.state.trip_too_slow();
                    return Poll::Ready(Some(Err(
                        wasmtime_wasi_http::Error::ConnectionReadTimeout,
                    )));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
