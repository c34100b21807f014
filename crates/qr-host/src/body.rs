//! Request bodies are read in full, within their limits, before a request may take a wasm slot.
//!
//! A slot is the scarce thing (one per core); a client that sends a body slowly, or stops, must
//! not hold one. So the host reads the body first, under four bounds: `--max-body-bytes` per
//! request, `--max-buffered-body-bytes` for all bodies in memory at once (the byte budget, held
//! until the request's instance is gone), `--body-read-timeout` as the longest pause, and
//! `--body-min-rate` as the slowest average a body may arrive at once that pause has passed.
//! The guest then reads from memory. A body that breaks a bound gets 413, 408 or 503 without
//! ever touching a slot.

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::config::Limits;

/// Why a body was not buffered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    /// Over `--max-body-bytes`.
    TooLarge,
    /// A pause longer than `--body-read-timeout`, or an average below `--body-min-rate`.
    TooSlow,
    /// The host-wide byte budget is spent by other bodies in flight.
    BudgetFull,
    /// The client closed the connection or sent a malformed body.
    Aborted,
}

/// A body in memory and its share of the byte budget (given back on drop).
#[derive(Debug)]
pub struct Buffered {
    pub bytes: Bytes,
    pub budget: Option<OwnedSemaphorePermit>,
}

/// The host-wide budget of buffered body bytes, in permits of one byte.
#[derive(Debug, Clone)]
pub struct BodyBudget {
    bytes: Arc<Semaphore>,
}

impl BodyBudget {
    pub fn new(limits: &Limits) -> Self {
        Self {
            bytes: Arc::new(Semaphore::new(limits.max_buffered_body_bytes)),
        }
    }

    /// Bytes of the budget currently free.
    pub fn available(&self) -> usize {
        self.bytes.available_permits()
    }

    /// Takes `n` bytes of the budget now, or fails: waiting would let slow bodies queue up
    /// memory on behalf of each other.
    fn take(&self, n: u64) -> Result<Option<OwnedSemaphorePermit>, BodyError> {
        if n == 0 {
            return Ok(None);
        }
        let n = u32::try_from(n).map_err(|_| BodyError::TooLarge)?;
        self.bytes
            .clone()
            .try_acquire_many_owned(n)
            .map(Some)
            .map_err(|_| BodyError::BudgetFull)
    }
}

/// Reads `body` into memory. `declared` is the `Content-Length`, already checked against the
/// limit; its bytes are reserved up front, a chunked body reserves as it arrives.
pub async fn buffer(
    mut body: Incoming,
    declared: Option<u64>,
    limits: &Limits,
    budget: &BodyBudget,
) -> Result<Buffered, BodyError> {
    let mut permit = budget.take(declared.unwrap_or(0))?;
    let reserved = |permit: &Option<OwnedSemaphorePermit>| {
        permit.as_ref().map_or(0, |p| p.num_permits() as u64)
    };
    let mut data = BytesMut::with_capacity(declared.unwrap_or(0) as usize);
    let start = Instant::now();
    let mut last = start;
    loop {
        let deadline = read_deadline(start, last, data.len() as u64, limits);
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return Err(BodyError::TooSlow),
            Ok(None) => break,
            Ok(Some(Err(_))) => return Err(BodyError::Aborted),
            Ok(Some(Ok(frame))) => frame,
        };
        last = Instant::now();
        let Ok(chunk) = frame.into_data() else {
            continue; // trailers: nothing for the guest
        };
        let len = (data.len() + chunk.len()) as u64;
        if len > limits.max_body_bytes {
            return Err(BodyError::TooLarge);
        }
        let have = reserved(&permit);
        if len > have
            && let Some(more) = budget.take(len - have)?
        {
            if let Some(held) = permit.as_mut() {
                held.merge(more);
            } else {
                permit = Some(more);
            }
        }
        data.extend_from_slice(&chunk);
    }
    // A body shorter than its Content-Length cannot happen (hyper errors); give back any slack.
    if let Some(p) = permit.as_mut() {
        let slack = p.num_permits().saturating_sub(data.len());
        if slack > 0 {
            drop(p.split(slack));
        }
    }
    Ok(Buffered {
        bytes: data.freeze(),
        budget: permit,
    })
}

/// When the next chunk must have arrived: within `--body-read-timeout` of the last one, and,
/// once that grace has passed, no later than the `--body-min-rate` average allows for the bytes
/// received so far (a client that trickles one byte per pause is cut off all the same).
fn read_deadline(start: Instant, last: Instant, received: u64, limits: &Limits) -> Instant {
    let pause = last + limits.body_read_timeout;
    if limits.body_min_rate == 0 {
        return pause;
    }
    let earned = Duration::from_secs_f64(received as f64 / limits.body_min_rate as f64);
    pause.min(start + limits.body_read_timeout + earned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(rate: u64) -> Limits {
        Limits {
            body_read_timeout: Duration::from_secs(10),
            body_min_rate: rate,
            ..Limits::default()
        }
    }

    #[test]
    fn a_fresh_body_gets_the_whole_pause() {
        let now = Instant::now();
        assert_eq!(
            read_deadline(now, now, 0, &limits(1000)),
            now + Duration::from_secs(10)
        );
    }

    #[test]
    fn after_the_grace_a_body_must_keep_the_minimum_average() {
        let start = Instant::now();
        // 5 000 bytes at 1 000 B/s earn 5 s past the 10 s grace, even if a chunk just came.
        let last = start + Duration::from_secs(14);
        assert_eq!(
            read_deadline(start, last, 5_000, &limits(1000)),
            start + Duration::from_secs(15)
        );
        // A body well ahead of the rate is bounded only by the pause.
        assert_eq!(
            read_deadline(start, last, 1_000_000, &limits(1000)),
            last + Duration::from_secs(10)
        );
    }

    #[test]
    fn rate_zero_turns_the_average_off() {
        let start = Instant::now();
        let last = start + Duration::from_secs(100);
        assert_eq!(
            read_deadline(start, last, 1, &limits(0)),
            last + Duration::from_secs(10)
        );
    }

    #[test]
    fn the_budget_refuses_what_it_does_not_have_and_gets_it_back_on_drop() {
        let budget = BodyBudget::new(&Limits {
            max_buffered_body_bytes: 100,
            ..Limits::default()
        });
        let held = budget.take(60).expect("fits");
        assert_eq!(budget.take(41).err(), Some(BodyError::BudgetFull));
        drop(held);
        assert!(budget.take(100).expect("fits again").is_some());
        assert_eq!(budget.available(), 100, "the temporary took and gave back");
    }
}
