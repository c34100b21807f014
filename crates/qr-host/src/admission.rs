//! Backpressure: a bounded number of requests run wasm, a bounded FIFO queue waits in front.
//!
//! A request first tries to take a slot. If none is free, the host estimates its wait from
//! measured capacity: the requests ahead of it, divided by the slots, times the average time a
//! slot is held (a moving average over recent requests). A request whose estimate is within the
//! queue-wait budget (`--queue-timeout`) queues; tokio's semaphore is fair, so slots go to
//! waiters in arrival order. One whose estimate is over it is refused at once (503 with
//! Retry-After) instead of waiting to be refused: so a burst the host can serve within the
//! budget is served, and a burst beyond it is shed early. A full queue or an expired wait is
//! refused too. Slots also bound the instance pool, which is sized to the same number.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
// tokio's clock, so tests with paused time measure hold times too.
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::config::Limits;
use crate::metrics::Metrics;

/// Why a request got no slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// Every slot was busy and the queue was full on arrival.
    QueueFull,
    /// The request waited the whole queue timeout.
    QueueTimeout,
    /// The estimated wait (requests ahead x measured slot time) was over the budget.
    OverCapacity,
}

impl Rejected {
    /// The `reason` label in `qr_host_rejections_total`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rejected::QueueFull => "queue-full",
            Rejected::QueueTimeout => "queue-timeout",
            Rejected::OverCapacity => "over-capacity",
        }
    }
}

/// The right to run one request's wasm; released (and counted out of in-flight) on drop.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
    metrics: Metrics,
    taken: Instant,
    hold: Arc<HoldTime>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.metrics.in_flight.dec();
        self.hold.record(self.taken.elapsed());
    }
}

/// Weight of the newest request in the moving average of slot hold time (1/8: a burst of
/// slow requests moves it within a few of them, one outlier does not).
const HOLD_AVERAGE_WEIGHT: f64 = 0.125;

/// The moving average of how long a request holds a slot, in microseconds (0: none yet).
#[derive(Debug, Default)]
struct HoldTime(AtomicU64);

impl HoldTime {
    fn record(&self, held: Duration) {
        let sample = held.as_micros() as f64;
        let _ = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
                let avg = if old == 0 {
                    sample
                } else {
                    old as f64 + HOLD_AVERAGE_WEIGHT * (sample - old as f64)
                };
                Some((avg as u64).max(1))
            });
    }

    fn average(&self) -> Duration {
        Duration::from_micros(self.0.load(Ordering::Relaxed))
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
    hold: Arc<HoldTime>,
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
            hold: Arc::default(),
            metrics,
        }
    }

    /// Takes a slot, waiting in the queue if needed.
    pub async fn enter(&self) -> Result<Slot, Rejected> {
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            return Ok(self.slot(permit));
        }
        if self.estimated_wait() > self.queue_timeout {
            return Err(Rejected::OverCapacity);
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

    /// How long a request arriving now would wait for a slot: the waiters ahead of it and
    /// itself, in rounds of `total` slots, each round the average slot hold time. Zero until a
    /// request has finished (nothing measured yet: queue, and let the timeout bound it).
    pub fn estimated_wait(&self) -> Duration {
        let ahead = self.waiting.load(Ordering::SeqCst) + 1;
        let rounds = ahead.div_ceil(self.total);
        self.hold.average() * u32::try_from(rounds).unwrap_or(u32::MAX)
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
            taken: Instant::now(),
            hold: self.hold.clone(),
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

    #[tokio::test(start_paused = true)]
    async fn a_wait_over_the_budget_is_refused_at_once_and_one_within_it_queues() {
        let admission = admission(1, 100, Duration::from_secs(3));
        // One request held its slot for 1 s: the average is now 1 s.
        let first = admission.enter().await.expect("slot");
        tokio::time::advance(Duration::from_secs(1)).await;
        drop(first);
        assert_eq!(admission.estimated_wait(), Duration::from_secs(1));

        let _busy = admission.enter().await.expect("slot");
        // Waiters 1, 2 and 3 would wait 1, 2 and 3 s: within the budget, they queue.
        let waiters: Vec<_> = (0..3).map(|_| Box::pin(admission.enter())).collect();
        let mut waiters: Vec<_> = waiters.into_iter().map(tokio_test_poll).collect();
        tokio::task::yield_now().await;
        assert_eq!(admission.metrics.queue_depth.get(), 3);
        // A fourth would wait 4 s: refused without queueing.
        assert_eq!(admission.enter().await.err(), Some(Rejected::OverCapacity));
        waiters.clear();
    }

    /// Polls a future once (to take its queue place) and keeps it alive.
    fn tokio_test_poll<F: std::future::Future + Unpin>(mut future: F) -> F {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let _ = std::pin::Pin::new(&mut future).poll(&mut cx);
        future
    }
}
