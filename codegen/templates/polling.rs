//! The polling loop shared by the generated waiters (see `waiters.rs`).

use std::future::Future;
use std::time::Duration;

use crate::error::Error;

/// What one poll saw.
pub(crate) enum Poll<T> {
    /// A success state (or a 404, for a waiter that waits for deletion): stop with `T`.
    Done(T),
    /// A state the waiter lists as "not yet": poll again after the next pause.
    Pending(String),
    /// A state in none of the waiter's lists (one this crate does not know, or a known one
    /// the waiter does not list): logged, then treated as pending, since a new intermediate
    /// state must not end a wait that would have succeeded.
    Unlisted(String),
    /// One of the waiter's failure states: stop with [`Error::WaiterFailed`].
    Failed(String),
}

impl Poll<()> {
    /// The same verdict, returning `value` when done.
    pub(crate) fn done_with<T>(self, value: T) -> Poll<T> {
        match self {
            Poll::Done(()) => Poll::Done(value),
            Poll::Pending(state) => Poll::Pending(state),
            Poll::Unlisted(state) => Poll::Unlisted(state),
            Poll::Failed(state) => Poll::Failed(state),
        }
    }
}

/// The pause before poll number `pauses_taken + 1`: `interval` first, then doubling with each
/// pause, capped at `max_interval` (or at `interval`, if that is longer).
pub(crate) fn backoff(interval: Duration, max_interval: Duration, pauses_taken: u32) -> Duration {
    let factor = 1_u32.checked_shl(pauses_taken).unwrap_or(u32::MAX);
    interval
        .saturating_mul(factor)
        .min(max_interval.max(interval))
}

/// Polls until `poll` reports [`Poll::Done`], a failure, or `max_wait` runs out.
///
/// The pauses follow [`backoff`]. A 429 answer is not a failure: its pause is the longer of
/// its `Retry-After` and the pause due at that point, and it counts as one step of the
/// schedule like any other pause. Dropping the returned future stops polling.
pub(crate) async fn wait<T, F, Fut>(
    waiter: &'static str,
    interval: Duration,
    max_interval: Duration,
    max_wait: Duration,
    mut poll: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, Error>>,
{
    let started = tokio::time::Instant::now();
    let mut last_state: Option<String> = None;
    let mut pauses_taken: u32 = 0;
    loop {
        let pause = backoff(interval, max_interval, pauses_taken);
        let pause = match poll().await {
            Ok(Poll::Done(value)) => return Ok(value),
            Ok(Poll::Pending(state)) => {
                last_state = Some(state);
                pause
            }
            Ok(Poll::Unlisted(state)) => {
                // Once per entry into the state, not once per poll: a long wait must not
                // flood the log.
                if last_state.as_deref() != Some(state.as_str()) {
                    tracing::warn!(
                        waiter,
                        state = %state,
                        "unlisted waiter state; polling on"
                    );
                }
                last_state = Some(state);
                pause
            }
            Ok(Poll::Failed(state)) => return Err(Error::WaiterFailed { waiter, state }),
            Err(Error::Api(api)) if api.status == 429 => {
                api.retry_after().map_or(pause, |after| after.max(pause))
            }
            Err(error) => return Err(error),
        };
        let waited = started.elapsed();
        if waited >= max_wait {
            return Err(Error::WaiterTimedOut {
                waiter,
                waited,
                last_state,
            });
        }
        // The last poll happens at the deadline, not one pause past it.
        tokio::time::sleep(pause.min(max_wait - waited)).await;
        pauses_taken = pauses_taken.saturating_add(1);
    }
}
