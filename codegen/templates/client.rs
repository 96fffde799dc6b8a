//! The client: configuration, credentials, and the connection pool and Digest session that all
//! clones share.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::error::Error;

/// Timeout of one HTTP exchange unless [`ClientBuilder::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// An authenticated client for the API.
///
/// Build one with [`Client::builder`]. Cloning is cheap: clones share the HTTP connection pool
/// and the Digest session (so they reuse the server's nonce), and can be used from many tasks at
/// once. Each operation is a method returning a request builder; await it (or call `.send()`).
///
/// `Debug` output never shows the private key.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    /// Base URL without a trailing slash; operation paths start with `/`.
    pub(crate) base_url: String,
    pub(crate) public_key: String,
    pub(crate) private_key: PrivateKey,
    /// Nonce cache shared by every request of this client and its clones.
    pub(crate) session: diqwest::DigestAuthSession,
    /// Set once the server has accepted these credentials; from then on a 401 on a reused
    /// nonce is treated as a race (retried), not as a wrong key.
    pub(crate) credentials_accepted: AtomicBool,
    pub(crate) timeout: Option<Duration>,
    pub(crate) user_agent: reqwest::header::HeaderValue,
}

/// A private key. Its `Debug` output is redacted, and it never appears in errors.
#[derive(Clone)]
pub(crate) struct PrivateKey(String);

impl PrivateKey {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("public_key", &self.inner.public_key)
            .field("private_key", &self.inner.private_key)
            .field("timeout", &self.inner.timeout)
            .field("user_agent", &self.inner.user_agent)
            .finish()
    }
}

impl Client {
    /// Starts configuring a client. [`ClientBuilder::digest_auth`] is required.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL every operation path is appended to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }
}

/// Configures a [`Client`].
///
/// ```
/// let client = generated_crate::Client::builder()
///     .digest_auth("PUBLIC-KEY", "PRIVATE-KEY")
///     .timeout(std::time::Duration::from_secs(30))
///     .build()?;
/// assert_eq!(client.base_url(), generated_crate::DEFAULT_BASE_URL);
/// # Ok::<(), generated_crate::Error>(())
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    credentials: Option<(String, PrivateKey)>,
    http_client: Option<reqwest::Client>,
    timeout: Option<Option<Duration>>,
    user_agent: Option<String>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field(
                "public_key",
                &self.credentials.as_ref().map(|(public, _)| public),
            )
            .field(
                "private_key",
                &self.credentials.as_ref().map(|(_, private)| private),
            )
            .field("http_client", &self.http_client.is_some())
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

impl ClientBuilder {
    /// Overrides the base URL (default [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL)), for
    /// example to reach a proxy or a local test server. A trailing slash is ignored.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Authenticates with HTTP Digest: the programmatic API public key is the user name, the
    /// private key the password. Required.
    pub fn digest_auth(
        mut self,
        public_key: impl Into<String>,
        private_key: impl Into<String>,
    ) -> Self {
        self.credentials = Some((public_key.into(), PrivateKey(private_key.into())));
        self
    }

    /// Uses the caller's own `reqwest::Client` (proxies, TLS roots, connection pool settings).
    /// The timeout and user agent of this builder still apply to every request.
    pub fn http_client(mut self, http_client: reqwest::Client) -> Self {
        self.http_client = Some(http_client);
        self
    }

    /// Sets the timeout of one HTTP exchange, from sending the request to reading the whole
    /// response (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(Some(timeout));
        self
    }

    /// Removes the timeout: requests wait for the server as long as it takes.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = Some(None);
        self
    }

    /// Sets the `User-Agent` header (default [`DEFAULT_USER_AGENT`](crate::DEFAULT_USER_AGENT)).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when credentials are missing or empty, the base URL is not an
    /// absolute `http` or `https` URL without query or fragment, or the user agent is not a
    /// valid header value.
    pub fn build(self) -> Result<Client, Error> {
        let (public_key, private_key) = self.credentials.ok_or_else(|| {
            Error::invalid_argument(
                "digest_auth",
                "credentials are required: call `.digest_auth(public_key, private_key)`",
            )
        })?;
        if public_key.is_empty() {
            return Err(Error::invalid_argument(
                "digest_auth",
                "the public key is empty",
            ));
        }
        if private_key.expose().is_empty() {
            return Err(Error::invalid_argument(
                "digest_auth",
                "the private key is empty",
            ));
        }
        let base_url = self
            .base_url
            .unwrap_or_else(|| crate::DEFAULT_BASE_URL.to_owned());
        let base_url = check_base_url(&base_url)?;
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| crate::DEFAULT_USER_AGENT.to_owned());
        let user_agent = reqwest::header::HeaderValue::from_str(&user_agent).map_err(|_| {
            Error::invalid_argument(
                "user_agent",
                format!("`{user_agent}` is not a valid header value"),
            )
        })?;
        Ok(Client {
            inner: Arc::new(ClientInner {
                http: self.http_client.unwrap_or_default(),
                base_url,
                session: diqwest::DigestAuthSession::new(public_key.clone(), private_key.expose()),
                public_key,
                private_key,
                credentials_accepted: AtomicBool::new(false),
                timeout: self.timeout.unwrap_or(Some(DEFAULT_TIMEOUT)),
                user_agent,
            }),
        })
    }
}

fn check_base_url(base_url: &str) -> Result<String, Error> {
    // The URL itself is not echoed: it could carry a password.
    let invalid =
        |reason: &str| Error::invalid_argument("base_url", format!("the base URL {reason}"));
    let url = reqwest::Url::parse(base_url)
        .map_err(|error| invalid(&format!("is not a valid URL: {error}")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(invalid("must use http or https"));
    }
    if url.host_str().is_none() {
        return Err(invalid("has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "must not carry credentials; use `.digest_auth(..)`",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}
