//! The polling loop shared by the generated waiters (see `waiters.rs`).

use std::future::Future;
use std::time::Duration;

use crate::error::Error;

/// What one poll saw.
pub(crate) enum Poll<T> {
    /// A success state (or a 404, for a waiter that waits for deletion): stop with `T`.
    Done(T),
    /// A state that means "not yet": poll again after the interval.
    Pending(String),
    /// A failure state, or (`expected: false`) a state the waiter does not know what to do
    /// with: stop with an error.
    Failed { state: String, expected: bool },
}

/// Polls until `poll` reports [`Poll::Done`], a failure, or `max_wait` runs out.
///
/// A 429 answer is not a failure: the next poll waits for its `Retry-After` (at least one
/// interval). Dropping the returned future stops polling.
pub(crate) async fn wait<T, F, Fut>(
    waiter: &'static str,
    interval: Duration,
    max_wait: Duration,
    mut poll: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, Error>>,
{
    let started = tokio::time::Instant::now();
    let mut last_state = None;
    loop {
        let pause = match poll().await {
            Ok(Poll::Done(value)) => return Ok(value),
            Ok(Poll::Pending(state)) => {
                last_state = Some(state);
                interval
            }
            Ok(Poll::Failed { state, expected }) => {
                return Err(Error::WaiterFailed {
                    waiter,
                    state,
                    expected,
                });
            }
            Err(Error::Api(api)) if api.status == 429 => api
                .retry_after()
                .map_or(interval, |after| after.max(interval)),
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
        // The last poll happens at the deadline, not one interval past it.
        tokio::time::sleep(pause.min(max_wait - waited)).await;
    }
}
