//! The polling loop shared by generated waiters: each waiter classifies what one poll saw
//! ([`Poll`]) and [`wait`] runs the schedule.

use std::future::Future;
use std::time::Duration;

use crate::error::Error;

/// What one poll saw.
pub enum Poll<T> {
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
    pub fn done_with<T>(self, value: T) -> Poll<T> {
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
pub fn backoff(interval: Duration, max_interval: Duration, pauses_taken: u32) -> Duration {
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
pub async fn wait<T, F, Fut>(
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use tokio::time::Instant;

    use super::*;

    type Verdict = Result<Poll<&'static str>, Error>;

    /// Polls at the paused clock's instants: each poll records when it ran (since the start)
    /// and answers the next verdict of `script` (then `Pending("still")`).
    fn scripted(
        script: Vec<Verdict>,
    ) -> (
        Arc<Mutex<Vec<Duration>>>,
        impl FnMut() -> std::future::Ready<Verdict>,
    ) {
        let started = Instant::now();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        let mut script = script.into_iter().peekable();
        let poll = move || {
            record.lock().expect("lock").push(started.elapsed());
            let verdict = match script.next() {
                Some(verdict) => verdict,
                None => Ok(Poll::Pending("still".to_owned())),
            };
            std::future::ready(verdict)
        };
        (seen, poll)
    }

    #[test]
    fn pauses_double_from_the_interval_up_to_the_cap() {
        let second = Duration::from_secs(1);
        let pauses: Vec<Duration> = (0..6).map(|n| backoff(second, 10 * second, n)).collect();
        assert_eq!(
            pauses,
            [1, 2, 4, 8, 10, 10].map(Duration::from_secs).to_vec()
        );
        // An interval above the cap is kept; a huge count does not overflow.
        assert_eq!(backoff(5 * second, second, 3), 5 * second);
        assert_eq!(backoff(second, 10 * second, u32::MAX), 10 * second);
    }

    #[tokio::test(start_paused = true)]
    async fn polls_on_the_backoff_schedule_until_done() {
        let (seen, poll) = scripted(vec![
            Ok(Poll::Pending("CREATING".to_owned())),
            Ok(Poll::Unlisted("MIGRATING".to_owned())),
            Ok(Poll::Pending("CREATING".to_owned())),
            Ok(Poll::Done("ready")),
        ]);
        let second = Duration::from_secs(1);
        let value = wait("waiter", second, 3 * second, 60 * second, poll)
            .await
            .expect("done");
        assert_eq!(value, "ready");
        // Pauses of 1, 2 and 3 (capped) seconds between the polls.
        assert_eq!(
            *seen.lock().expect("lock"),
            [0, 1, 3, 6].map(Duration::from_secs).to_vec()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_state_ends_the_wait_at_once() {
        let (seen, poll) = scripted(vec![
            Ok(Poll::Pending("CREATING".to_owned())),
            Ok(Poll::Failed("FAILED".to_owned())),
        ]);
        let second = Duration::from_secs(1);
        let error = wait("waiter", second, second, 60 * second, poll)
            .await
            .expect_err("failed");
        assert!(
            matches!(&error, Error::WaiterFailed { waiter: "waiter", state } if state == "FAILED"),
            "{error:?}"
        );
        assert_eq!(seen.lock().expect("lock").len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn the_last_poll_is_at_the_deadline_and_the_timeout_keeps_the_last_state() {
        let (seen, poll) = scripted(vec![Ok(Poll::Pending("CREATING".to_owned()))]);
        let second = Duration::from_secs(1);
        let error = wait("waiter", 4 * second, 4 * second, 10 * second, poll)
            .await
            .expect_err("times out");
        match error {
            Error::WaiterTimedOut {
                waiter,
                waited,
                last_state,
            } => {
                assert_eq!(waiter, "waiter");
                assert_eq!(waited, 10 * second);
                assert_eq!(last_state.as_deref(), Some("still"));
            }
            other => panic!("{other:?}"),
        }
        // 0, 4, 8, then the deadline (10) rather than 12.
        assert_eq!(
            *seen.lock().expect("lock"),
            [0, 4, 8, 10].map(Duration::from_secs).to_vec()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_limited_poll_waits_for_its_retry_after_when_that_is_longer() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "7".parse().expect("value"));
        let limited = Error::Api(Box::new(crate::error::ApiError::new(
            429,
            headers,
            String::new(),
            None,
            1,
        )));
        let (seen, poll) = scripted(vec![
            Err(limited),
            Ok(Poll::Pending("CREATING".to_owned())),
            Ok(Poll::Done("ready")),
        ]);
        let second = Duration::from_secs(1);
        wait("waiter", second, 60 * second, 600 * second, poll)
            .await
            .expect("done");
        // Retry-After 7 s instead of the 1 s pause; the schedule then goes on (2 s).
        assert_eq!(
            *seen.lock().expect("lock"),
            [0, 7, 9].map(Duration::from_secs).to_vec()
        );
    }
}
