//! # codegen-runtime
//!
//! The runtime of the API clients that this repository's code generator (`codegen/`) writes:
//! what every generated crate needs and nothing of any particular API. A generated crate holds
//! only what its spec says (its operations, types, waiters and mocks) and builds on this crate
//! for the rest:
//!
//! - [`Client`] and [`ClientBuilder`]: configuration, the connection pool, and the
//!   authentication state that all clones share; a generated `Client` wraps a [`Client`] and
//!   implements [`ApiClient`] to give the builder its API's defaults ([`ApiInfo`]);
//! - authentication: HTTP Digest (feature `digest`) and OAuth 2.0 bearer tokens, from a
//!   service account or given (feature `oauth`);
//! - [`transport`]: requests, retries ([`RetryPolicy`]), timeouts, tracing and decoding into
//!   a typed result or an [`Error`];
//! - the derives [`Object`], [`Union`] and [`OpenEnum`]: the JSON mapping of generated types,
//!   with the helpers of `codec`;
//! - [`polling`]: the loop that generated waiters run;
//! - `mock` (feature `mock`): the mock server that generated typed mocks build on.
//!
//! Users do not depend on this crate directly: a generated crate re-exports what they name
//! (its `Error`, `RetryPolicy`, `ResponseValue`, ...).

#![deny(missing_docs)]
#![forbid(unsafe_code)]

// A client authenticates somehow: generated crates enable the schemes their API declares.
#[cfg(not(any(feature = "digest", feature = "oauth")))]
compile_error!("enable at least one authentication scheme: the `digest` or `oauth` feature");

// The derives expand to `::codegen_runtime::…` paths, which this crate's own tests use too.
#[cfg(test)]
extern crate self as codegen_runtime;

mod auth;
mod backoff;
mod client;
#[doc(hidden)]
pub mod codec;
#[cfg(feature = "digest")]
mod digest;
mod error;
#[cfg(feature = "mock")]
pub mod mock;
#[cfg(feature = "oauth")]
mod oauth;
mod operation;
pub mod pattern;
pub mod polling;
mod response;
mod retry;
pub mod transport;

pub use crate::client::{
    ApiClient, ApiInfo, Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
    OAuthEndpoints,
};
pub use crate::codec::{UnknownObject, UnknownValue};
pub use crate::error::{ApiError, AuthErrorKind, DecodeError, Error, OAuthError};
#[cfg(feature = "oauth")]
pub use crate::oauth::DEFAULT_TOKEN_RENEWAL_MARGIN;
pub use crate::operation::{Endpoint, Operation, Segment};
pub use crate::response::{ResponseFuture, ResponseValue};
pub use crate::retry::{DEFAULT_BASE_DELAY, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_DELAY, RetryPolicy};
pub use codegen_runtime_macros::{Object, OpenEnum, Union};

/// The `reqwest` this crate is built on.
pub use reqwest;
