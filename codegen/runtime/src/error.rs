//! Errors returned by the client.

use std::fmt;
use std::time::Duration;

/// Everything an operation can fail with.
///
/// ```
/// # fn handle(error: codegen_runtime::Error) {
/// match error {
///     codegen_runtime::Error::Api(api) if api.status == 409 => eprintln!("already exists: {api}"),
///     codegen_runtime::Error::Api(api) => eprintln!("the API said no: {api}"),
///     other => eprintln!("request failed: {other}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was rejected before anything was sent (for example a path parameter that
    /// does not match its pattern, or a client built without credentials).
    #[error("invalid argument `{name}`: {message}")]
    InvalidArgument {
        /// The argument, as named in the Rust API (a path parameter, `base_url`, ...).
        name: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The request could not be sent or the response could not be read: connection refused,
    /// timeout, connection closed mid-response.
    #[error("transport error{}: {source}", after_attempts(*.attempts))]
    Transport {
        /// What reqwest reported.
        #[source]
        source: reqwest::Error,
        /// How many attempts were made (see [`RetryPolicy`](crate::RetryPolicy)); 0 when the
        /// HTTP client itself could not be built.
        attempts: u32,
    },
    /// Authentication could not be carried out: the server's Digest challenge was missing or
    /// could not be understood, or the OAuth token endpoint refused the client's credentials,
    /// failed with a server error, or answered something that is not a token; [`kind`]
    /// says which. (An API call refused with 401 is an [`Error::Api`]; a token endpoint that
    /// cannot be reached is an [`Error::Transport`].)
    ///
    /// [`kind`]: AuthErrorKind
    #[error("authentication failed: {message}")]
    Authentication {
        /// Which step failed.
        kind: AuthErrorKind,
        /// Details; never contains a key, a secret or a token.
        message: String,
        /// What the endpoint answered, when a token request was refused or failed
        /// ([`AuthErrorKind::TokenRefused`], [`AuthErrorKind::TokenEndpointFailed`]) or a
        /// revocation was refused ([`AuthErrorKind::RevocationRefused`]).
        oauth: Option<Box<OAuthError>>,
    },
    /// The server answered with a status outside 2xx (or an envelope carrying one).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// A 2xx response whose body is not what the operation returns.
    #[error("{0}")]
    Decode(Box<DecodeError>),
    /// A waiter saw one of the states its spec lists as a failure. (A state in none of its
    /// lists does not end the wait: the waiter logs it and polls on.)
    #[error("{waiter}: the resource reached the failure state `{state}`")]
    WaiterFailed {
        /// The waiter method (`wait_until_...`).
        waiter: &'static str,
        /// The failure state seen, as on the wire.
        state: String,
    },
    /// A waiter gave up after its maximum wait.
    #[error(
        "{waiter}: gave up after {waited:?}; last state seen: {}",
        .last_state.as_deref().unwrap_or("none")
    )]
    WaiterTimedOut {
        /// The waiter method (`wait_until_...`).
        waiter: &'static str,
        /// How long it waited.
        waited: Duration,
        /// The last state seen (a pending one, or one the waiter does not list), as on the
        /// wire; `None` if no poll returned the resource.
        last_state: Option<String>,
    },
}

impl Error {
    pub(crate) fn invalid_argument(name: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            name,
            message: message.into(),
        }
    }

    pub(crate) fn authentication(kind: AuthErrorKind, message: impl Into<String>) -> Self {
        Error::Authentication {
            kind,
            message: message.into(),
            oauth: None,
        }
    }

    /// The API error, when the server answered with a non-2xx status.
    pub fn as_api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The OAuth error of a refused token or revocation request.
    pub fn as_oauth_error(&self) -> Option<&OAuthError> {
        match self {
            Error::Authentication {
                oauth: Some(oauth), ..
            } => Some(oauth),
            _ => None,
        }
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Authentication {
                oauth: Some(oauth), ..
            } => Some(oauth.status),
            Error::Decode(decode) => Some(decode.status),
            Error::Transport { source, .. } => source.status().map(|status| status.as_u16()),
            _ => None,
        }
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport { source, .. } if source.is_timeout())
    }

    /// How many attempts were made before giving up, when something was sent (see
    /// [`RetryPolicy`](crate::RetryPolicy)).
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Error::Api(api) => Some(api.attempts),
            Error::Transport { attempts, .. } => Some(*attempts),
            Error::Authentication {
                oauth: Some(oauth), ..
            } => Some(oauth.attempts),
            _ => None,
        }
    }
}

/// `" after N attempts"` when a call was retried, else nothing.
fn after_attempts(attempts: u32) -> String {
    if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    }
}

/// Which step of authentication failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// Digest: the server answered 401 without a `WWW-Authenticate: Digest` challenge.
    MissingChallenge,
    /// Digest: the server's challenge could not be parsed or answered.
    InvalidChallenge,
    /// OAuth: the token endpoint refused to issue a token: it answered a client error (4xx),
    /// e.g. `401 invalid_client` for a wrong client id or secret, or a `429` that outlasted
    /// the retries the [`RetryPolicy`](crate::RetryPolicy) allows. See [`Error::as_oauth_error`]
    /// for the status and the endpoint's `error`.
    TokenRefused,
    /// OAuth: the token endpoint failed to issue a token on its side: it answered a server
    /// error (5xx, e.g. `500 server_error`; `502`–`504` only after the retries the
    /// [`RetryPolicy`](crate::RetryPolicy) allows), or another status that is neither a token
    /// nor a refusal. It says nothing about the credentials: a later call may succeed. See
    /// [`Error::as_oauth_error`].
    TokenEndpointFailed,
    /// OAuth: the token endpoint answered 2xx with something that is not a bearer token.
    InvalidTokenResponse,
    /// OAuth: the revocation endpoint refused to revoke the token; see
    /// [`Error::as_oauth_error`].
    RevocationRefused,
}

/// An error answer of an OAuth 2.0 token or revocation endpoint (RFC 6749 §5.2), e.g.
/// `invalid_client` for a wrong client secret or `server_error` for a failure of the
/// endpoint. The raw body is kept; it never holds a token.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OAuthError {
    /// HTTP status.
    pub status: u16,
    /// The `error` code, e.g. `invalid_client`, `invalid_request`, `server_error`.
    pub error: Option<String>,
    /// The `error_description`, e.g. `Invalid credentials provided.`.
    pub error_description: Option<String>,
    /// The raw response body, lossily decoded as UTF-8.
    pub body: String,
    /// How many attempts were made (429 and gateway errors are retried, see
    /// [`RetryPolicy`](crate::RetryPolicy)).
    pub attempts: u32,
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(error) = &self.error {
            write!(f, " {error}")?;
        }
        if let Some(description) = &self.error_description {
            write!(f, ": {description}")?;
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

/// An error answer from the API: any non-2xx status, with the fields of its JSON body.
///
/// Every body field is optional: an API's own 401 body may lack `errorCode`, and proxies may answer
/// with HTML. The raw body and headers are kept.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status (from the envelope when `envelope(true)` was used).
    pub status: u16,
    /// Application error code, e.g. `RESOURCE_NOT_FOUND`.
    pub error_code: Option<String>,
    /// Human-readable explanation.
    pub detail: Option<String>,
    /// HTTP reason phrase, e.g. `Conflict`.
    pub reason: Option<String>,
    /// Values substituted into `detail`, in order.
    pub parameters: Vec<serde_json::Value>,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
    /// The raw response body, lossily decoded as UTF-8.
    pub body: String,
    /// How many attempts were made; more than 1 when retryable answers (429, 5xx) were retried
    /// (see [`RetryPolicy`](crate::RetryPolicy)).
    pub attempts: u32,
}

impl ApiError {
    /// Builds the error from a non-2xx answer, reading whatever fields the body has.
    pub(crate) fn new(
        status: u16,
        headers: reqwest::header::HeaderMap,
        body: String,
        fields: Option<&serde_json::Value>,
        attempts: u32,
    ) -> Self {
        let text = |key: &str| {
            fields
                .and_then(|fields| fields.get(key))
                .and_then(|value| value.as_str())
                .map(str::to_owned)
        };
        let parameters = fields
            .and_then(|fields| fields.get("parameters"))
            .and_then(|value| value.as_array())
            .cloned()
            .unwrap_or_default();
        ApiError {
            status,
            error_code: text("errorCode"),
            detail: text("detail"),
            reason: text("reason"),
            parameters,
            headers,
            body,
            attempts,
        }
    }

    /// How long the server asked to wait before retrying: its `Retry-After` header, in seconds
    /// or as an HTTP date (counted from now), if it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        crate::retry::retry_after(&self.headers)
    }

    /// A response header as text, e.g. `RateLimit-Remaining`, if present and printable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error: HTTP {}", self.status)?;
        if let Some(reason) = &self.reason {
            write!(f, " {reason}")?;
        }
        if let Some(code) = &self.error_code {
            write!(f, " ({code})")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A 2xx response whose body could not be decoded. Keeps the status and the raw body.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// HTTP status of the response.
    pub status: u16,
    /// The raw response body, lossily decoded as UTF-8.
    pub body: String,
    /// What the JSON decoder said (with the line and column, when it read the body itself).
    pub source: serde_json::Error,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the HTTP {} response body: {}",
            self.status, self.source
        )
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}
