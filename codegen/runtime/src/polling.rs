//! Waiters: a generated waiter is a [`Waiter`] of the operation it polls, plus one named
//! matcher function that says what one answer means ([`Poll`]); [`wait`] runs the schedule.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::time::Duration;

use crate::backoff::doubling;
use crate::error::Error;
use crate::response::ResponseFuture;

/// What a waiter makes of one answer of the operation it polls: done (with the waiter's
/// result), pending, unlisted, failed, or an error to return. Generated, one per waiter.
pub type Matcher<R, O> = fn(<R as IntoFuture>::Output) -> Result<Poll<O>, Error>;

/// A waiter: sends the request `R` again and again until its [`Matcher`] says the resource
/// reached a final state, pausing as [`wait`] schedules. Generated crates name one type alias
/// per waiter (`waiters::WaitUntil…`) and create them with `Client::wait_until_…`.
///
/// Set [`interval`](Self::interval), [`max_interval`](Self::max_interval) and
/// [`max_wait`](Self::max_wait), then `.await` it (or call [`send`](Self::send)). Dropping the
/// future stops polling.
#[must_use = "a waiter does nothing until it is awaited or `.send()` is called"]
pub struct Waiter<R: IntoFuture, O> {
    name: &'static str,
    request: R,
    matcher: Matcher<R, O>,
    interval: Duration,
    max_interval: Duration,
    max_wait: Duration,
}

impl<R: IntoFuture + Clone, O> Clone for Waiter<R, O> {
    fn clone(&self) -> Self {
        Waiter {
            request: self.request.clone(),
            ..*self
        }
    }
}

impl<R: IntoFuture + fmt::Debug, O> fmt::Debug for Waiter<R, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter")
            .field("name", &self.name)
            .field("request", &self.request)
            .field("interval", &self.interval)
            .field("max_interval", &self.max_interval)
            .field("max_wait", &self.max_wait)
            .finish_non_exhaustive()
    }
}

impl<R, O> Waiter<R, O>
where
    R: IntoFuture + Clone + Send + 'static,
    R::IntoFuture: Send,
    O: Send + 'static,
{
    /// A waiter named `name` (its `Client` method, as tracing events and errors name it) that
    /// polls `request` and reads each answer with `matcher`, with its default schedule.
    pub fn new(
        name: &'static str,
        request: R,
        matcher: Matcher<R, O>,
        interval: Duration,
        max_interval: Duration,
        max_wait: Duration,
    ) -> Self {
        Waiter {
            name,
            request,
            matcher,
            interval,
            max_interval,
            max_wait,
        }
    }

    /// Sets the first pause between two polls; each following pause doubles, up to
    /// [`max_interval`](Self::max_interval).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Sets the longest pause between two polls, where the doubling stops. An
    /// [`interval`](Self::interval) longer than this wins: every pause is then the interval.
    pub fn max_interval(mut self, max_interval: Duration) -> Self {
        self.max_interval = max_interval;
        self
    }

    /// Sets the maximum total wait, after which the waiter fails with
    /// [`Error::WaiterTimedOut`].
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// Polls until the final state.
    ///
    /// # Errors
    ///
    /// [`Error::WaiterFailed`] when the resource reaches a failure state,
    /// [`Error::WaiterTimedOut`] when [`max_wait`](Self::max_wait) runs out, and any error of
    /// a poll other than a rate limit (which waits for its `Retry-After` and polls again).
    pub fn send(self) -> ResponseFuture<O> {
        let Waiter {
            name,
            request,
            matcher,
            interval,
            max_interval,
            max_wait,
        } = self;
        Box::pin(wait(name, interval, max_interval, max_wait, move || {
            let request = request.clone();
            async move { matcher(request.await) }
        }))
    }
}

impl<R, O> IntoFuture for Waiter<R, O>
where
    R: IntoFuture + Clone + Send + 'static,
    R::IntoFuture: Send,
    O: Send + 'static,
{
    type Output = Result<O, Error>;
    type IntoFuture = ResponseFuture<O>;

    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

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

/// Polls until `poll` reports [`Poll::Done`], a failure, or `max_wait` runs out.
///
/// The pauses double from `interval` up to `max_interval` (the schedule retries use too, see
/// `backoff::doubling`; an interval longer than the maximum is kept). A 429 answer is not a failure: its pause is the longer of
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
        let pause = doubling(interval, max_interval, pauses_taken);
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

    /// A request of the paused-clock tests: each send answers the next status of its script.
    #[derive(Clone)]
    struct Scripted {
        states: Arc<Mutex<std::vec::IntoIter<&'static str>>>,
    }

    impl IntoFuture for Scripted {
        type Output = Result<&'static str, Error>;
        type IntoFuture = std::future::Ready<Self::Output>;

        fn into_future(self) -> Self::IntoFuture {
            let state = self.states.lock().expect("lock").next().unwrap_or("READY");
            std::future::ready(Ok(state))
        }
    }

    fn ready_matcher(answer: Result<&'static str, Error>) -> Result<Poll<String>, Error> {
        let state = answer?;
        Ok(match state {
            "READY" => Poll::Done(state.to_lowercase()),
            "FAILED" => Poll::Failed(state.to_owned()),
            "CREATING" => Poll::Pending(state.to_owned()),
            other => Poll::Unlisted(other.to_owned()),
        })
    }

    fn waiter(states: Vec<&'static str>) -> Waiter<Scripted, String> {
        let second = Duration::from_secs(1);
        Waiter::new(
            "wait_until_ready",
            Scripted {
                states: Arc::new(Mutex::new(states.into_iter())),
            },
            ready_matcher,
            second,
            2 * second,
            60 * second,
        )
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiter_sends_its_request_until_its_matcher_says_done() {
        let started = Instant::now();
        let result = waiter(vec!["CREATING", "MIGRATING", "CREATING", "READY"])
            .interval(Duration::from_secs(2))
            .max_interval(Duration::from_secs(4))
            .await
            .expect("ready");
        assert_eq!(result, "ready");
        // Pauses of 2, 4 and 4 seconds (capped) between the four polls.
        assert_eq!(started.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiter_stops_at_a_failure_state_and_at_its_maximum_wait() {
        let error = waiter(vec!["CREATING", "FAILED"])
            .await
            .expect_err("failed");
        assert!(
            matches!(&error, Error::WaiterFailed { waiter: "wait_until_ready", state } if state == "FAILED"),
            "{error:?}"
        );
        let started = Instant::now();
        let error = waiter(vec!["CREATING"; 100])
            .max_wait(Duration::from_secs(5))
            .send()
            .await
            .expect_err("times out");
        assert!(
            matches!(&error, Error::WaiterTimedOut { last_state: Some(state), .. } if state == "CREATING"),
            "{error:?}"
        );
        assert_eq!(started.elapsed(), Duration::from_secs(5));
    }
}
