//! The client: configuration, credentials, and the connection pool and authentication state
//! (Digest nonces, OAuth tokens) that all clones share.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use std::marker::PhantomData;

use crate::auth::{AuthChoice, Credentials, Scheme};
use crate::error::Error;
use crate::retry::RetryPolicy;

/// What a generated crate tells the runtime about its API: the defaults of its clients and
/// the authentication schemes it accepts.
#[derive(Debug)]
pub struct ApiInfo {
    /// Base URL used unless the builder overrides it.
    pub default_base_url: &'static str,
    /// `User-Agent` sent unless the builder overrides it.
    pub default_user_agent: &'static str,
    /// Whether the API accepts HTTP Digest.
    pub digest: bool,
    /// The OAuth 2.0 endpoints, when the API accepts bearer tokens.
    pub oauth: Option<OAuthEndpoints>,
}

/// Where an API mints and revokes OAuth 2.0 tokens, below its base URL.
#[derive(Debug, Clone, Copy)]
pub struct OAuthEndpoints {
    /// Path of the token endpoint (client credentials grant).
    pub token_path: &'static str,
    /// Path of the token revocation endpoint.
    pub revoke_path: &'static str,
}

/// A generated crate's client type: a [`Client`] of its API, with one method per operation.
///
/// The generated crate implements it; [`ClientBuilder`] builds one.
pub trait ApiClient: Sized {
    /// The API's defaults and authentication schemes.
    const API: &'static ApiInfo;

    /// Wraps a runtime client built for [`Self::API`].
    fn from_client(client: Client) -> Self;
}

/// Timeout of one attempt unless [`ClientBuilder::timeout`] (or a request's own `.timeout(..)`)
/// says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Time allowed to open a connection unless [`ClientBuilder::connect_timeout`] says otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An authenticated client for an API: the part of a generated crate's `Client` that does not
/// depend on the API.
///
/// Generated crates wrap it in their own `Client` (built with [`ClientBuilder`]). Cloning is cheap: clones share the HTTP connection pool
/// and the authentication state (Digest nonces, OAuth tokens), and can be used from many tasks
/// at once. Each operation is a method returning a request builder; await it (or call
/// `.send()`).
///
/// `Debug` output never shows a private key, a secret or a token.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    /// Base URL without a trailing slash; operation paths start with `/`.
    pub(crate) base_url: String,
    /// The credentials, with the Digest nonces or OAuth tokens shared by every request of
    /// this client and its clones.
    pub(crate) credentials: Credentials,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: reqwest::header::HeaderValue,
    /// The API's defaults and schemes.
    #[cfg_attr(
        not(feature = "oauth"),
        allow(dead_code, reason = "only bearer tokens read the API's endpoints")
    )]
    pub(crate) api: &'static ApiInfo,
}

/// A private key, secret or token. Its `Debug` output is redacted, and it never appears in
/// errors.
#[derive(Clone)]
pub(crate) struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub(crate) fn new(secret: String) -> Self {
        Secret(secret)
    }

    /// The secret itself, to send it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("credentials", &self.inner.credentials)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field("user_agent", &self.inner.user_agent)
            .finish()
    }
}

impl Client {
    /// The base URL every operation path is appended to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The retry policy of every request of this client.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }
}

/// Configures a client of the API `C` (a generated crate's `Client`).
///
/// Exactly one way to authenticate must be chosen, among those the API accepts (listed in the
/// generated crate's docs, "Authentication").
///
/// Defaults: [`DEFAULT_TIMEOUT`] per attempt, [`DEFAULT_CONNECT_TIMEOUT`] to connect, and
/// [`RetryPolicy::standard`] (3 attempts for rate limits, gateway errors and failed connections).
///
/// ```
/// use std::time::Duration;
/// use codegen_runtime::{ApiClient, ApiInfo, Client, ClientBuilder, RetryPolicy};
///
/// // What a generated crate provides: its client type and the API's defaults.
/// struct ExampleClient(Client);
/// impl ApiClient for ExampleClient {
///     const API: &'static ApiInfo = &ApiInfo {
///         default_base_url: "https://api.example.com",
///         default_user_agent: "example/1.0",
///         digest: true,
///         oauth: None,
///     };
///     fn from_client(client: Client) -> Self {
///         ExampleClient(client)
///     }
/// }
///
/// let client = ClientBuilder::<ExampleClient>::new()
///     .digest_auth("PUBLIC-KEY", "PRIVATE-KEY")
///     .timeout(Duration::from_secs(30))
///     .connect_timeout(Duration::from_secs(5))
///     .retry_policy(RetryPolicy::standard().with_max_attempts(5))
///     .build()?;
/// assert_eq!(client.0.base_url(), "https://api.example.com");
/// assert_eq!(client.0.retry_policy().max_attempts(), 5);
/// # Ok::<(), codegen_runtime::Error>(())
/// ```
pub struct ClientBuilder<C> {
    base_url: Option<String>,
    pub(crate) auth: AuthChoice,
    http_client: Option<reqwest::Client>,
    timeout: Option<Option<Duration>>,
    connect_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    user_agent: Option<String>,
    client: PhantomData<fn() -> C>,
}

impl<C: ApiClient> Default for ClientBuilder<C> {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("http_client", &self.http_client.is_some())
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

impl<C: ApiClient> ClientBuilder<C> {
    /// A builder with every setting at its default and no credentials chosen.
    pub fn new() -> Self {
        ClientBuilder {
            base_url: None,
            auth: AuthChoice::default(),
            http_client: None,
            timeout: None,
            connect_timeout: None,
            retry: None,
            user_agent: None,
            client: PhantomData,
        }
    }

    /// Overrides the API's default base URL (its crate's `DEFAULT_BASE_URL`), for
    /// example to reach a proxy or a local test server. A trailing slash is ignored.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Records the credentials a method (`name`) chose; [`build`](Self::build) checks that
    /// exactly one was.
    #[cfg_attr(
        not(any(feature = "digest", feature = "oauth")),
        allow(dead_code, reason = "the schemes call it")
    )]
    pub(crate) fn choose_credentials(
        mut self,
        name: &'static str,
        scheme: Scheme,
        credentials: Result<Credentials, Error>,
    ) -> Self {
        self.auth.chosen.push((name, scheme, credentials));
        self
    }

    /// Uses the caller's own `reqwest::Client` (proxies, TLS roots, connection pool settings).
    /// The timeout, retry policy and user agent of this builder still apply to every request;
    /// the connect timeout is the caller's client's own (so [`connect_timeout`](Self::connect_timeout)
    /// cannot be combined with it).
    pub fn http_client(mut self, http_client: reqwest::Client) -> Self {
        self.http_client = Some(http_client);
        self
    }

    /// Sets the timeout of one attempt, from sending the request to reading the whole
    /// response (default [`DEFAULT_TIMEOUT`]). A request builder's `.timeout(..)` overrides it
    /// for that request. Timed-out attempts are not retried, so a call without other failures
    /// returns within this bound.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(Some(timeout));
        self
    }

    /// Removes the timeout: requests wait for the server as long as it takes.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = Some(None);
        self
    }

    /// Sets how long opening a connection (TCP and TLS) may take (default
    /// [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, connect_timeout: Duration) -> Self {
        self.connect_timeout = Some(connect_timeout);
        self
    }

    /// Sets which failures are retried and how (default [`RetryPolicy::standard`]);
    /// [`RetryPolicy::disabled`] turns retries off.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Sets the `User-Agent` header (default: the API crate's `DEFAULT_USER_AGENT`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when no credentials or two kinds were chosen, the API does
    /// not accept the kind chosen, or they are empty, the base URL is not an
    /// absolute `http` or `https` URL without query or fragment, the user agent is not a
    /// valid header value, the retry policy has zero attempts or a base delay above its
    /// maximum, or a connect timeout is combined with [`http_client`](Self::http_client);
    /// [`Error::Transport`] when the HTTP client cannot be built (TLS initialisation).
    pub fn build(self) -> Result<C, Error> {
        let api = C::API;
        let credentials = self.auth.finish(api)?;
        let base_url = self
            .base_url
            .unwrap_or_else(|| api.default_base_url.to_owned());
        let base_url = check_base_url(&base_url)?;
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| api.default_user_agent.to_owned());
        let user_agent = reqwest::header::HeaderValue::from_str(&user_agent).map_err(|_| {
            Error::invalid_argument(
                "user_agent",
                format!("`{user_agent}` is not a valid header value"),
            )
        })?;
        let retry = self.retry.unwrap_or_default();
        if let Some(problem) = retry.problem() {
            return Err(Error::invalid_argument("retry_policy", problem));
        }
        let http = match (self.http_client, self.connect_timeout) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_argument(
                    "connect_timeout",
                    "cannot be combined with `.http_client(..)`: set it on that reqwest client",
                ));
            }
            (Some(http), None) => http,
            (None, connect_timeout) => reqwest::Client::builder()
                .connect_timeout(connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .build()
                .map_err(|source| Error::Transport {
                    source,
                    attempts: 0,
                })?,
        };
        Ok(C::from_client(Client {
            inner: Arc::new(ClientInner {
                http,
                base_url,
                credentials,
                timeout: self.timeout.unwrap_or(Some(DEFAULT_TIMEOUT)),
                retry,
                user_agent,
                api,
            }),
        }))
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
            "must not carry credentials; choose them on the builder",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}
