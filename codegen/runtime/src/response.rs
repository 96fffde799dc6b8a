//! A decoded answer together with its HTTP status and headers.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;

use reqwest::header::HeaderMap;

/// What a request builder's `send()` and `send_with_metadata()` return, and what awaiting the
/// builder itself runs: a boxed future, `Send`, so it can be spawned.
pub type ResponseFuture<T> = Pin<Box<dyn Future<Output = Result<T, crate::Error>> + Send>>;

/// What `send_with_metadata()` returns: the operation's value, plus the status and headers of
/// the answer (for example `RateLimit-Remaining`).
///
/// It dereferences to the value; [`into_inner`](Self::into_inner) takes the value out.
///
/// ```no_run
/// # async fn example(response: codegen_runtime::ResponseValue<String>) {
/// let remaining = response
///     .headers()
///     .get("RateLimit-Remaining")
///     .and_then(|value| value.to_str().ok());
/// println!("HTTP {}, {remaining:?} requests left", response.status());
/// let value: String = response.into_inner();
/// # let _ = value;
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ResponseValue<T> {
    value: T,
    status: u16,
    headers: HeaderMap,
    attempts: u32,
}

impl<T> ResponseValue<T> {
    pub(crate) fn new(value: T, status: u16, headers: HeaderMap, attempts: u32) -> Self {
        ResponseValue {
            value,
            status,
            headers,
            attempts,
        }
    }

    /// The HTTP status of the answer (of the envelope's `status` when `envelope(true)` was used).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// How many attempts the call took (1 when nothing was retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The decoded value.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The decoded value, status and headers.
    pub fn into_parts(self) -> (T, u16, HeaderMap) {
        (self.value, self.status, self.headers)
    }
}

impl<T> Deref for ResponseValue<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for ResponseValue<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}
