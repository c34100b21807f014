//! Backpressure: a bounded number of requests run wasm, a bounded FIFO queue waits in front.
//!
//! A request first tries to take a slot. If none is free it takes a place in the queue, if one
//! is free, and waits up to the queue timeout; tokio's semaphore is fair, so slots go to
//! waiters in arrival order. Only a full queue or an expired wait is refused (503 with
//! Retry-After). Slots also bound the instance pool, which is sized to the same number.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::Limits;
use crate::metrics::Metrics;

/// Why a request got no slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// Every slot was busy and the queue was full on arrival.
    QueueFull,
    /// The request waited the whole queue timeout.
    QueueTimeout,
}

impl Rejected {
    /// The `reason` label in `qr_host_rejections_total`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rejected::QueueFull => "queue-full",
            Rejected::QueueTimeout => "queue-timeout",
        }
    }
}

/// The right to run one request's wasm; released (and counted out of in-flight) on drop.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
    metrics: Metrics,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.metrics.in_flight.dec();
    }
}

/// The slots and the queue.
#[derive(Debug)]
pub struct Admission {
    slots: Arc<Semaphore>,
    total: usize,
    waiting: AtomicUsize,
    max_queue: usize,
    queue_timeout: Duration,
    metrics: Metrics,
}

impl Admission {
    pub fn new(limits: &Limits, metrics: Metrics) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(limits.max_concurrency)),
            total: limits.max_concurrency,
            waiting: AtomicUsize::new(0),
            max_queue: limits.max_queue,
            queue_timeout: limits.queue_timeout,
            metrics,
        }
    }

    /// Takes a slot, waiting in the queue if needed.
    pub async fn enter(&self) -> Result<Slot, Rejected> {
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            return Ok(self.slot(permit));
        }
        let _place = self.queue_place().ok_or(Rejected::QueueFull)?;
        let start = Instant::now();
        let acquired =
            tokio::time::timeout(self.queue_timeout, self.slots.clone().acquire_owned()).await;
        self.metrics
            .queue_wait
            .observe(start.elapsed().as_secs_f64());
        match acquired {
            Ok(Ok(permit)) => Ok(self.slot(permit)),
            // The semaphore is never closed; treat it like a timeout if it ever were.
            Ok(Err(_)) | Err(_) => Err(Rejected::QueueTimeout),
        }
    }

    /// Resolves once no slot is in use (used when draining).
    pub async fn wait_idle(&self) {
        let total = u32::try_from(self.total).unwrap_or(u32::MAX);
        if let Ok(all) = self.slots.acquire_many(total).await {
            drop(all);
        }
    }

    fn slot(&self, permit: OwnedSemaphorePermit) -> Slot {
        self.metrics.in_flight.inc();
        Slot {
            _permit: permit,
            metrics: self.metrics.clone(),
        }
    }

    fn queue_place(&self) -> Option<QueuePlace<'_>> {
        self.waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |w| {
                (w < self.max_queue).then_some(w + 1)
            })
            .ok()?;
        self.metrics.queue_depth.inc();
        Some(QueuePlace(self))
    }
}

/// A place in the queue, given back on drop (served, timed out or client gone).
struct QueuePlace<'a>(&'a Admission);

impl Drop for QueuePlace<'_> {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::SeqCst);
        self.0.metrics.queue_depth.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::registry::Registry;

    fn admission(concurrency: usize, queue: usize, timeout: Duration) -> Admission {
        let limits = Limits {
            max_concurrency: concurrency,
            max_queue: queue,
            queue_timeout: timeout,
            ..Limits::default()
        };
        Admission::new(&limits, Metrics::new(&mut Registry::default()))
    }

    #[tokio::test]
    async fn a_free_slot_is_taken_without_queueing() {
        let admission = admission(1, 0, Duration::ZERO);
        let slot = admission.enter().await.expect("free slot");
        assert_eq!(admission.metrics.in_flight.get(), 1);
        drop(slot);
        assert_eq!(admission.metrics.in_flight.get(), 0);
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once() {
        let admission = admission(1, 0, Duration::from_secs(3600));
        let _busy = admission.enter().await.expect("first slot");
        assert_eq!(admission.enter().await.err(), Some(Rejected::QueueFull));
    }

    #[tokio::test(start_paused = true)]
    async fn a_queued_request_times_out_when_no_slot_frees() {
        let admission = admission(1, 1, Duration::from_secs(2));
        let _busy = admission.enter().await.expect("first slot");
        // Paused time auto-advances to the timeout: no real waiting.
        assert_eq!(admission.enter().await.err(), Some(Rejected::QueueTimeout));
        assert_eq!(admission.metrics.queue_depth.get(), 0, "place given back");
    }

    #[tokio::test(start_paused = true)]
    async fn a_queued_request_gets_the_slot_when_it_frees() {
        let admission = Arc::new(admission(1, 1, Duration::from_secs(3600)));
        let busy = admission.enter().await.expect("first slot");
        let waiter = tokio::spawn({
            let admission = admission.clone();
            async move { admission.enter().await.map(drop) }
        });
        tokio::task::yield_now().await;
        assert_eq!(admission.metrics.queue_depth.get(), 1);
        drop(busy);
        assert_eq!(waiter.await.expect("join"), Ok(()));
    }
}
