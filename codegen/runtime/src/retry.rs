//! When a failed attempt is tried again, and how long to wait first.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::backoff::doubling;

/// Attempts per call unless [`RetryPolicy::with_max_attempts`] says otherwise (the first try
/// and two retries).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Upper bound of the first backoff delay unless [`RetryPolicy::with_base_delay`] says
/// otherwise; it doubles with each retry.
pub const DEFAULT_BASE_DELAY: Duration = Duration::from_secs(1);
/// Longest single wait unless [`RetryPolicy::with_max_delay`] says otherwise. It also caps a
/// server's `Retry-After`.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(60);

/// Which failed attempts are tried again, how often, and how long the client waits in between.
///
/// Retried, up to [`max_attempts`](Self::max_attempts) attempts in all:
///
/// - `429 Too Many Requests`, for every method: the server did not process the request. The
///   wait is the answer's `Retry-After` (seconds or an HTTP date), capped by the maximum delay;
/// - `502`, `503` and `504`, and connections lost mid-exchange, for the idempotent methods
///   `GET`, `PUT` and `DELETE` only: a `POST` may already have created something (a service
///   account's token and revocation requests, `POST`s that may be repeated harmlessly,
///   count as idempotent);
/// - a connection that could not be opened, for every method: nothing was sent.
///
/// Never retried: any other status (other 4xx and 5xx), a timed-out attempt (the server may
/// still be working on it, and the configured timeout would otherwise be multiplied), and
/// arguments rejected before sending. Without `Retry-After` the wait is "full jitter"
/// exponential backoff: a random duration between zero and `base_delay × 2^(retry − 1)`,
/// capped by `max_delay`.
///
/// ```
/// use std::time::Duration;
/// use codegen_runtime::RetryPolicy;
///
/// let patient = RetryPolicy::standard()
///     .with_max_attempts(5)
///     .with_base_delay(Duration::from_secs(2))
///     .with_max_delay(Duration::from_secs(120));
/// assert_eq!(patient.max_attempts(), 5);
/// assert_eq!(RetryPolicy::disabled().max_attempts(), 1);
/// assert_eq!(RetryPolicy::default(), RetryPolicy::standard());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::standard()
    }
}

impl RetryPolicy {
    /// [`DEFAULT_MAX_ATTEMPTS`] attempts, backoff from [`DEFAULT_BASE_DELAY`] up to
    /// [`DEFAULT_MAX_DELAY`]: what a client uses unless told otherwise.
    pub const fn standard() -> Self {
        RetryPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            base_delay: DEFAULT_BASE_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
        }
    }

    /// One attempt: every failure is returned as it happened.
    pub const fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::standard()
        }
    }

    /// Sets the number of attempts, the first one included (1 disables retries). Zero is
    /// refused by [`ClientBuilder::build`](crate::ClientBuilder::build).
    pub const fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    /// Sets the upper bound of the first backoff delay; it doubles with each retry.
    pub const fn with_base_delay(mut self, base_delay: Duration) -> Self {
        self.base_delay = base_delay;
        self
    }

    /// Sets the longest single wait, which also caps a server's `Retry-After`.
    pub const fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// Attempts per call, the first one included.
    pub const fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Upper bound of the first backoff delay.
    pub const fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// Longest single wait.
    pub const fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// Why this policy cannot be used, if it cannot.
    pub(crate) fn problem(&self) -> Option<&'static str> {
        if self.max_attempts == 0 {
            Some("max_attempts must be at least 1 (1 disables retries)")
        } else if self.base_delay > self.max_delay {
            Some("base_delay must not exceed max_delay")
        } else {
            None
        }
    }

    /// How long to wait before attempt `failed_attempt + 1`: the server's `Retry-After` if it
    /// gave one, else full-jitter backoff; never more than `max_delay`.
    pub(crate) fn delay(&self, failed_attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(retry_after) = retry_after {
            return retry_after.min(self.max_delay);
        }
        let ceiling = doubling(
            self.base_delay,
            self.max_delay,
            failed_attempt.saturating_sub(1),
        );
        ceiling.mul_f64(random_fraction())
    }
}

/// A uniformly distributed number in `[0, 1)`. Jitter needs no cryptographic quality, and the
/// standard library's randomly keyed hasher avoids a dependency for it.
fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    (bits >> 11) as f64 / (1_u64 << 53) as f64
}

/// Why an attempt is worth repeating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RetryCause {
    /// The server answered with this retryable status.
    Status(u16),
    /// No connection could be opened: nothing was sent.
    ConnectFailed(String),
    /// The connection broke during the exchange.
    ConnectionLost(String),
}

impl fmt::Display for RetryCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryCause::Status(status) => write!(f, "HTTP {status}"),
            RetryCause::ConnectFailed(error) => write!(f, "connection failed: {error}"),
            RetryCause::ConnectionLost(error) => write!(f, "connection lost: {error}"),
        }
    }
}

/// Whether an answer with `status` may be retried; gateway errors only when the request is
/// `idempotent` (see [`is_idempotent`]): the server may have acted on it.
pub(crate) fn retryable_status(idempotent: bool, status: u16) -> Option<RetryCause> {
    let retryable = match status {
        429 => true,
        502..=504 => idempotent,
        _ => false,
    };
    retryable.then_some(RetryCause::Status(status))
}

/// Whether the connection closed while the answer's body was read: reqwest reports that as a
/// decode error caused by a body error.
fn lost_mid_body(error: &reqwest::Error) -> bool {
    error.is_decode()
        && std::error::Error::source(error)
            .and_then(|source| source.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_body)
}

/// Whether a transport failure may be retried: a connection that could not be opened always,
/// one lost during the exchange only when the request is `idempotent`; a timeout never.
pub(crate) fn retryable_error(idempotent: bool, error: &reqwest::Error) -> Option<RetryCause> {
    if error.is_timeout() {
        None
    } else if error.is_connect() {
        Some(RetryCause::ConnectFailed(error_chain(error)))
    } else if (error.is_request() || error.is_body() || lost_mid_body(error)) && idempotent {
        Some(RetryCause::ConnectionLost(error_chain(error)))
    } else {
        None
    }
}

/// Whether repeating a `method` request cannot do more than doing it once.
pub(crate) fn is_idempotent(method: &reqwest::Method) -> bool {
    matches!(
        *method,
        reqwest::Method::GET
            | reqwest::Method::PUT
            | reqwest::Method::DELETE
            | reqwest::Method::HEAD
    )
}

/// An error and its sources on one line (reqwest's own message is only the outermost).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The `Retry-After` of an answer, as a wait from now: delay-seconds or an HTTP date (a date in
/// the past is no wait at all).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, retry_after.parse().expect("header value"));
        headers
    }

    #[test]
    fn backoff_stays_under_its_doubling_ceiling_and_the_maximum() {
        let policy = RetryPolicy::standard()
            .with_base_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_millis(300));
        for _ in 0..200 {
            assert!(policy.delay(1, None) < Duration::from_millis(100));
            assert!(policy.delay(2, None) < Duration::from_millis(200));
            assert!(policy.delay(3, None) < Duration::from_millis(300));
            assert!(policy.delay(40, None) < Duration::from_millis(300));
        }
    }

    #[test]
    fn backoff_is_jittered() {
        let policy = RetryPolicy::standard();
        let delays: std::collections::HashSet<Duration> =
            (0..20).map(|_| policy.delay(3, None)).collect();
        assert!(delays.len() > 10, "{delays:?}");
    }

    #[test]
    fn retry_after_wins_over_backoff_but_not_over_the_maximum() {
        let policy = RetryPolicy::standard().with_max_delay(Duration::from_secs(5));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(90))),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(retry_after(&headers("7")), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let wait = retry_after(&headers(&later)).expect("a date");
        assert!(
            wait > Duration::from_secs(27) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        assert_eq!(
            retry_after(&headers("Wed, 21 Oct 2015 07:28:00 GMT")),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers("soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn only_rate_limits_are_retried_for_post() {
        let post = is_idempotent(&reqwest::Method::POST);
        let get = is_idempotent(&reqwest::Method::GET);
        assert_eq!(retryable_status(post, 429), Some(RetryCause::Status(429)));
        assert_eq!(retryable_status(post, 503), None);
        assert_eq!(retryable_status(get, 503), Some(RetryCause::Status(503)));
        assert!(is_idempotent(&reqwest::Method::DELETE));
        assert!(!is_idempotent(&reqwest::Method::PATCH));
        for status in [400, 401, 403, 404, 409, 500, 501] {
            assert_eq!(retryable_status(get, status), None, "{status}");
        }
    }

    #[test]
    fn unusable_policies_are_named() {
        assert!(RetryPolicy::standard().problem().is_none());
        assert!(RetryPolicy::disabled().problem().is_none());
        assert!(
            RetryPolicy::standard()
                .with_max_attempts(0)
                .problem()
                .is_some()
        );
        assert!(
            RetryPolicy::standard()
                .with_base_delay(Duration::from_secs(9))
                .with_max_delay(Duration::from_secs(1))
                .problem()
                .is_some()
        );
    }
}
