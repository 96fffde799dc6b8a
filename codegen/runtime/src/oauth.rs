//! OAuth 2.0 bearer tokens (RFC 6750): a service account's, obtained with the client
//! credentials grant (RFC 6749 §4.4) on first use, shared by all clones and renewed before it
//! expires; or a token the caller obtained elsewhere.
//!
//! The exchange is a form POST and a small JSON answer, so it is written here on the client's
//! own `reqwest::Client` (connection pool, timeouts, retry policy and user agent included)
//! instead of pulling in an OAuth crate with an HTTP stack of its own.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue, USER_AGENT};
use tokio::time::Instant;

use crate::auth::{Credentials, Scheme};
use crate::client::{ApiClient, Client, ClientBuilder, ClientInner, OAuthEndpoints, Secret};
use crate::error::{AuthErrorKind, Error, OAuthError};
use crate::transport::{self, AttemptError, Outgoing, RawResponse};

/// How long before a service account token expires a new one is fetched, unless
/// [`ClientBuilder::token_renewal_margin`] says otherwise: 5 minutes. That is enough for clock
/// skew and for a call that starts just before the renewal to reach the server in time, and
/// costs one extra token request an hour. A token whose lifetime is shorter than twice the
/// margin is renewed halfway through its life instead.
pub const DEFAULT_TOKEN_RENEWAL_MARGIN: Duration = Duration::from_secs(5 * 60);

/// What `application/x-www-form-urlencoded` leaves as is besides letters and digits (the
/// space becomes `+`, see [`form_encode`]).
const FORM_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b' ');

/// Encodes a value as `application/x-www-form-urlencoded` does (and Go's `url.QueryEscape`,
/// which Go SDKs use for the client id and secret).
fn form_encode(value: &str) -> String {
    utf8_percent_encode(value, FORM_VALUE)
        .to_string()
        .replace(' ', "+")
}

impl<C: ApiClient> ClientBuilder<C> {
    /// Authenticates with a service account: the client id and secret are exchanged for a
    /// bearer token (OAuth 2.0 client credentials) when the first request needs one.
    ///
    /// The token is shared by all clones of the client. However many requests need one at
    /// once, one token request is made and the others wait for it. It is renewed before it
    /// expires (see [`token_renewal_margin`](Self::token_renewal_margin)), and when the API
    /// refuses it with `401` it is renewed once and the call is sent again once.
    ///
    /// The token request is retried as the [`RetryPolicy`](crate::RetryPolicy) retries an
    /// idempotent request (asking again has no effect beyond the answer): `429`, `502`–`504`
    /// and failed or lost connections; not `500` nor a timeout. What it finally answers, if
    /// not a token, is an [`Error::Authentication`] carrying the endpoint's OAuth error, of
    /// kind [`AuthErrorKind::TokenRefused`] for a client error (4xx: `invalid_client` for a
    /// wrong id or secret) and [`AuthErrorKind::TokenEndpointFailed`] for a server error
    /// (5xx); an endpoint that cannot be reached is an [`Error::Transport`].
    ///
    /// Requests that were waiting for a token request that fails with an answer of the
    /// endpoint get the same error without asking again (one token request for all of them);
    /// after a transport failure each waiting request sends its own. The error is not kept: a
    /// request that needs a token after it was returned sends a new token request.
    ///
    /// Neither the secret nor the token ever appears in `Debug` output, errors or tracing
    /// events.
    pub fn service_account(
        self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        let tokens = Tokens::service_account(client_id.into(), Secret::new(client_secret.into()));
        self.choose_credentials(
            "service_account",
            Scheme::Bearer,
            tokens.map(Credentials::Bearer),
        )
    }

    /// Authenticates with a bearer token obtained elsewhere (for example by another process
    /// that holds the service account's secret). The token is sent as is and never renewed:
    /// once it expires, calls fail with an [`Error::Api`] of status 401.
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        let tokens = Tokens::given(Secret::new(token.into()));
        self.choose_credentials(
            "bearer_token",
            Scheme::Bearer,
            tokens.map(Credentials::Bearer),
        )
    }

    /// Sets how long before a service account token expires a new one is fetched (default
    /// [`DEFAULT_TOKEN_RENEWAL_MARGIN`]). A token whose lifetime is shorter than twice the
    /// margin is renewed halfway through its life. Only service accounts renew tokens.
    pub fn token_renewal_margin(mut self, margin: Duration) -> Self {
        self.auth.token_renewal_margin = Some(margin);
        self
    }
}

impl Client {
    /// Revokes the service account token the client currently holds (OAuth 2.0 token
    /// revocation, RFC 7009), for example before the program exits. The next call fetches a
    /// new token. Does nothing when no token has been fetched yet.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when the client does not authenticate with a service
    /// account (a token given with [`ClientBuilder::bearer_token`] cannot be revoked without
    /// the service account's credentials); [`Error::Authentication`] of kind
    /// [`AuthErrorKind::RevocationRefused`] when the endpoint refuses, with its OAuth error;
    /// [`Error::Transport`] when it cannot be reached. The token is kept when revocation fails.
    pub async fn revoke_token(&self) -> Result<(), Error> {
        match self.inner.credentials.tokens() {
            Some(tokens) => tokens.revoke(&self.inner).await,
            None => Err(Error::invalid_argument(
                "revoke_token",
                "the client does not authenticate with a service account: it has no token to revoke",
            )),
        }
    }
}

/// The API's token endpoints (the builder only accepts bearer tokens for an API that has them).
fn endpoints(client: &ClientInner) -> Result<OAuthEndpoints, Error> {
    client.api.oauth.ok_or_else(|| {
        Error::invalid_argument(
            "service_account",
            "this API declares no OAuth 2.0 token endpoint",
        )
    })
}

/// Where the tokens come from, and the one in use.
pub(crate) struct Tokens {
    origin: Origin,
    /// The token in use, if any; replaced when renewed.
    current: RwLock<Option<Arc<Token>>>,
    /// Held while a token is fetched or revoked: the first request that needs a token fetches
    /// it, the others wait here and then use it.
    exchanging: tokio::sync::Mutex<()>,
    /// Token requests finished so far, and the error of the last one the endpoint answered
    /// with something other than a token: requests that were waiting when it finished get
    /// that error instead of asking again, so a wrong secret costs one token request per
    /// group of requests waiting together, however many they are. A request that starts
    /// waiting later asks again (the endpoint may have changed its mind).
    exchanges: Mutex<Exchanges>,
    renewal_margin: Duration,
}

#[derive(Default)]
struct Exchanges {
    finished: u64,
    /// The number of the last exchange that failed with an answer, and its error's parts.
    failed: Option<(u64, Failure)>,
}

/// An `Error::Authentication` (a refused or failed token request, or an answer that is not a
/// token), kept to be handed to each request that waited for it.
struct Failure {
    kind: AuthErrorKind,
    message: String,
    oauth: Option<Box<OAuthError>>,
}

enum Origin {
    ServiceAccount {
        client_id: String,
        client_secret: Secret,
    },
    /// A token given by the caller: never renewed.
    Given,
}

struct Token {
    /// `Bearer …`, marked sensitive so that HTTP logging leaves it out.
    authorization: HeaderValue,
    value: Secret,
    /// When to fetch a new one; `None`: never (a given token, or one without `expires_in`,
    /// which is used until the API refuses it).
    renew_at: Option<Instant>,
}

/// A 2xx answer of the token endpoint (RFC 6749 §5.1).
#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    token_type: String,
    expires_in: Option<u64>,
}

impl Tokens {
    fn service_account(client_id: String, client_secret: Secret) -> Result<Tokens, Error> {
        if client_id.is_empty() {
            return Err(Error::invalid_argument(
                "service_account",
                "the client id is empty",
            ));
        }
        if client_secret.expose().is_empty() {
            return Err(Error::invalid_argument(
                "service_account",
                "the client secret is empty",
            ));
        }
        Ok(Tokens::new(
            Origin::ServiceAccount {
                client_id,
                client_secret,
            },
            None,
        ))
    }

    fn given(token: Secret) -> Result<Tokens, Error> {
        let invalid = |message| Err(Error::invalid_argument("bearer_token", message));
        if token.expose().is_empty() {
            return invalid("the token is empty");
        }
        let Ok(authorization) = bearer_header(token.expose()) else {
            return invalid("the token is not a valid header value (visible ASCII only)");
        };
        let token = Token {
            authorization,
            value: token,
            renew_at: None,
        };
        Ok(Tokens::new(Origin::Given, Some(Arc::new(token))))
    }

    fn new(origin: Origin, token: Option<Arc<Token>>) -> Tokens {
        Tokens {
            origin,
            current: RwLock::new(token),
            exchanging: tokio::sync::Mutex::new(()),
            exchanges: Mutex::new(Exchanges::default()),
            renewal_margin: DEFAULT_TOKEN_RENEWAL_MARGIN,
        }
    }

    pub(crate) fn set_renewal_margin(&mut self, margin: Duration) {
        self.renewal_margin = margin;
    }

    /// Sends one attempt with the current token, fetching one first if needed; a service
    /// account's token refused with 401 is renewed and the request sent again, once.
    pub(crate) async fn send(
        &self,
        client: &ClientInner,
        outgoing: &Outgoing<'_>,
    ) -> Result<reqwest::Response, AttemptError> {
        let token = self.token(client).await?;
        let response = send_with(outgoing, &token).await?;
        if response.status() != reqwest::StatusCode::UNAUTHORIZED
            || matches!(self.origin, Origin::Given)
        {
            return Ok(response);
        }
        tracing::debug!("the API refused the bearer token; fetching a new one");
        self.discard(&token);
        let token = self.token(client).await?;
        send_with(outgoing, &token).await
    }

    /// The current token if it is not due for renewal.
    fn usable(&self) -> Option<Arc<Token>> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|token| token.renew_at.is_none_or(|at| Instant::now() < at))
            .cloned()
    }

    /// A usable token: the current one, or one fetched now (by this request or by another
    /// that was already fetching).
    async fn token(&self, client: &ClientInner) -> Result<Arc<Token>, Error> {
        if let Some(token) = self.usable() {
            return Ok(token);
        }
        let finished_before = self.exchanges().finished;
        let _exchanging = self.exchanging.lock().await;
        if let Some(token) = self.usable() {
            return Ok(token);
        }
        if let Some((exchange, failure)) = &self.exchanges().failed
            && *exchange > finished_before
        {
            // Failed while this request waited: the same answer, without asking again.
            return Err(Error::Authentication {
                kind: failure.kind,
                message: failure.message.clone(),
                oauth: failure.oauth.clone(),
            });
        }
        let Origin::ServiceAccount {
            client_id,
            client_secret,
        } = &self.origin
        else {
            // A given token is always usable; it is only ever discarded by a service account.
            return Err(Error::invalid_argument(
                "bearer_token",
                "the token is no longer available",
            ));
        };
        let fetched = self.fetch(client, client_id, client_secret).await;
        let mut exchanges = self.exchanges();
        exchanges.finished += 1;
        // Only the endpoint's answers are shared (a refusal, a server error once the retry
        // policy gave up, an answer that is not a token): after a transport failure (whose
        // `reqwest::Error` cannot be copied), a waiting request tries itself.
        if let Err(Error::Authentication {
            kind,
            message,
            oauth,
        }) = &fetched
        {
            let failure = Failure {
                kind: *kind,
                message: message.clone(),
                oauth: oauth.clone(),
            };
            exchanges.failed = Some((exchanges.finished, failure));
        }
        drop(exchanges);
        let token = Arc::new(fetched?);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&token));
        Ok(token)
    }

    fn exchanges(&self) -> MutexGuard<'_, Exchanges> {
        self.exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets `token` if it is still the current one (requests refused together discard it
    /// once, and then share one new token).
    fn discard(&self, token: &Arc<Token>) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        if current
            .as_ref()
            .is_some_and(|current| Arc::ptr_eq(current, token))
        {
            *current = None;
        }
    }

    async fn fetch(
        &self,
        client: &ClientInner,
        client_id: &str,
        client_secret: &Secret,
    ) -> Result<Token, Error> {
        let requested_at = Instant::now();
        let response = post_form(
            client,
            endpoints(client)?.token_path,
            (client_id, client_secret),
            "grant_type=client_credentials".to_owned(),
        )
        .await?;
        match response.status {
            200..=299 => {}
            400..=499 => {
                return Err(endpoint_error(
                    AuthErrorKind::TokenRefused,
                    "the token endpoint refused to issue a token",
                    &response,
                ));
            }
            // 5xx, or a status that is neither (a redirect the HTTP client did not follow).
            _ => {
                return Err(endpoint_error(
                    AuthErrorKind::TokenEndpointFailed,
                    "the token endpoint failed to issue a token",
                    &response,
                ));
            }
        }
        let invalid = |message: String| {
            Error::authentication(
                AuthErrorKind::InvalidTokenResponse,
                format!(
                    "the token endpoint's HTTP {} answer {message}",
                    response.status
                ),
            )
        };
        // serde's message is left out: it could quote a piece of the token.
        let answer: TokenAnswer = serde_json::from_slice(&response.body).map_err(|error| {
            invalid(format!(
                "is not a token: expected a JSON object with `access_token` and `token_type` (error at line {}, column {})",
                error.line(),
                error.column()
            ))
        })?;
        if !answer.token_type.eq_ignore_ascii_case("bearer") {
            return Err(invalid(format!(
                "has token type `{}`, not `Bearer`",
                answer.token_type
            )));
        }
        let authorization = bearer_header(&answer.access_token)
            .map_err(|()| invalid("carries a token that is not a valid header value".into()))?;
        let renew_in = answer
            .expires_in
            .map(|seconds| renew_after(Duration::from_secs(seconds), self.renewal_margin));
        tracing::debug!(
            expires_in_s = answer.expires_in,
            renew_in_s = renew_in.map(|renew_in| renew_in.as_secs()),
            "fetched an OAuth token"
        );
        Ok(Token {
            authorization,
            value: Secret::new(answer.access_token),
            renew_at: renew_in.map(|renew_in| requested_at + renew_in),
        })
    }

    async fn revoke(&self, client: &ClientInner) -> Result<(), Error> {
        let Origin::ServiceAccount {
            client_id,
            client_secret,
        } = &self.origin
        else {
            return Err(Error::invalid_argument(
                "revoke_token",
                "a token given with `bearer_token` cannot be revoked by this client: revoking needs the service account's client id and secret",
            ));
        };
        // No token is fetched while this one is revoked.
        let _exchanging = self.exchanging.lock().await;
        let current = self
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let Some(token) = current else {
            return Ok(());
        };
        let form = format!(
            "token={}&token_type_hint=access_token",
            form_encode(token.value.expose())
        );
        let response = post_form(
            client,
            endpoints(client)?.revoke_path,
            (client_id.as_str(), client_secret),
            form,
        )
        .await?;
        if !(200..300).contains(&response.status) {
            return Err(endpoint_error(
                AuthErrorKind::RevocationRefused,
                "the revocation endpoint refused to revoke the token",
                &response,
            ));
        }
        self.discard(&token);
        tracing::debug!("revoked the OAuth token");
        Ok(())
    }
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        let token = current.as_ref().map(|_| "<redacted>");
        match &self.origin {
            Origin::ServiceAccount {
                client_id,
                client_secret,
            } => f
                .debug_struct("ServiceAccount")
                .field("client_id", client_id)
                .field("client_secret", client_secret)
                .field("token", &token)
                .field("renewal_margin", &self.renewal_margin)
                .finish(),
            Origin::Given => f
                .debug_struct("BearerToken")
                .field("token", &token)
                .finish(),
        }
    }
}

/// How long after it was requested a token living `lifetime` is renewed: `margin` before it
/// expires, or halfway through its life when that is sooner.
fn renew_after(lifetime: Duration, margin: Duration) -> Duration {
    lifetime.saturating_sub(margin.min(lifetime / 2))
}

/// `Bearer <token>`, marked sensitive.
fn bearer_header(token: &str) -> Result<HeaderValue, ()> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| ())?;
    value.set_sensitive(true);
    Ok(value)
}

async fn send_with(
    outgoing: &Outgoing<'_>,
    token: &Token,
) -> Result<reqwest::Response, AttemptError> {
    outgoing
        .with_authorization(Some(token.authorization.clone()))
        .send()
        .await
        .map_err(AttemptError::Transport)
}

/// POSTs `form` to the endpoint at `path` with the service account's credentials as HTTP
/// Basic (each form-encoded first, as RFC 6749 §2.3.1 says), retrying as the client's policy
/// allows: asking for a token again has no effect beyond the answer.
async fn post_form(
    client: &ClientInner,
    path: &str,
    (client_id, client_secret): (&str, &Secret),
    form: String,
) -> Result<RawResponse, Error> {
    let url = format!("{}{path}", client.base_url);
    let user = form_encode(client_id);
    let password = form_encode(client_secret.expose());
    transport::with_retries(client.retry, true, || {
        let mut request = client
            .http
            .post(&url)
            .basic_auth(&user, Some(&password))
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(USER_AGENT, client.user_agent.clone())
            .body(form.clone());
        if let Some(timeout) = client.timeout {
            request = request.timeout(timeout);
        }
        async move {
            let response = request.send().await.map_err(AttemptError::Transport)?;
            transport::read_response(response).await
        }
    })
    .await
}

impl OAuthError {
    /// Reads an error answer: its JSON `error` and `error_description`, if it has them.
    pub(crate) fn new(status: u16, body: &[u8], attempts: u32) -> Self {
        #[derive(serde::Deserialize)]
        struct Fields {
            error: Option<String>,
            error_description: Option<String>,
        }
        let fields = serde_json::from_slice::<Fields>(body).ok();
        let (error, error_description) = fields
            .map(|fields| (fields.error, fields.error_description))
            .unwrap_or_default();
        OAuthError {
            status,
            error,
            error_description,
            body: String::from_utf8_lossy(body).into_owned(),
            attempts,
        }
    }
}

/// The error for a refused or failed token request, or a refused revocation request.
fn endpoint_error(kind: AuthErrorKind, what: &str, response: &RawResponse) -> Error {
    let oauth = OAuthError::new(response.status, &response.body, response.attempts);
    Error::Authentication {
        kind,
        message: format!("{what}: {oauth}"),
        oauth: Some(Box::new(oauth)),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::future::Future;
    use std::net::Ipv4Addr;
    use std::pin::Pin;
    use std::task::Poll;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;
    use crate::client::ApiInfo;
    use crate::operation::Operation;
    use crate::response::ResponseFuture;
    use crate::retry::RetryPolicy;
    use crate::transport::Call;

    #[test]
    fn values_are_form_encoded_like_a_query_string() {
        assert_eq!(form_encode("mdb_sa_id_0123"), "mdb_sa_id_0123");
        assert_eq!(form_encode("a b+c/d:é*~"), "a+b%2Bc%2Fd%3A%C3%A9*%7E");
    }

    #[test]
    fn tokens_are_renewed_a_margin_early_or_halfway_through_a_short_life() {
        let hour = Duration::from_secs(3600);
        assert_eq!(
            renew_after(hour, DEFAULT_TOKEN_RENEWAL_MARGIN),
            Duration::from_secs(3300)
        );
        assert_eq!(
            renew_after(hour, Duration::from_secs(10)),
            Duration::from_secs(3590)
        );
        assert_eq!(
            renew_after(Duration::from_secs(4), DEFAULT_TOKEN_RENEWAL_MARGIN),
            Duration::from_secs(2)
        );
        assert_eq!(renew_after(Duration::ZERO, Duration::ZERO), Duration::ZERO);
    }

    // The tests below run a client against a scripted token endpoint on loopback, in the
    // test's own runtime and on its paused clock: waits between attempts take no time, and
    // when each token request arrived is exact.

    const TOKEN_PATH: &str = "/oauth/token";
    const SECRET: &str = "mdb_sa_sk_never-shown";

    struct Api(Client);

    impl ApiClient for Api {
        const API: &'static ApiInfo = &ApiInfo {
            default_base_url: "https://api.example.com",
            default_user_agent: "example/1.0",
            digest: false,
            oauth: Some(OAuthEndpoints {
                token_path: TOKEN_PATH,
                revoke_path: "/oauth/revoke",
            }),
        };
        fn from_client(client: Client) -> Self {
            Api(client)
        }
    }

    static THINGS: Operation = Operation {
        id: "listThings",
        client_method: "list_things",
        method: reqwest::Method::GET,
        path_template: "/things",
        media_type: "application/json",
        has_body: false,
        status: 200,
        empty: false,
        envelope: None,
        query: &[],
    };

    /// What the token endpoint answers to one request.
    #[derive(Clone, Copy)]
    enum Answer {
        /// `200` with a bearer token valid for an hour.
        Token,
        /// This error status and OAuth `error` code, with `Retry-After: seconds` if given.
        Error(u16, &'static str, Option<u64>),
        /// Reads the request, then closes the connection without answering.
        Close,
        /// The answer to any request but a token request: `200 {}` if it carries the token
        /// the endpoint issues, else `400`.
        Api { authorized: bool },
    }

    #[derive(Default)]
    struct Log {
        /// The answers still to give to token requests, in order.
        script: VecDeque<Answer>,
        /// When each token request arrived, since the server started.
        token_requests: Vec<Duration>,
        /// API requests (anything but a token request).
        api_requests: usize,
    }

    /// A token endpoint (and an API answering `200 {}` to anything else) on loopback.
    struct Server {
        url: String,
        log: Arc<Mutex<Log>>,
    }

    impl Server {
        async fn start() -> Server {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .await
                .expect("a loopback port");
            let url = format!("http://{}", listener.local_addr().expect("an address"));
            let log = Arc::new(Mutex::new(Log::default()));
            let started = Instant::now();
            let shared = Arc::clone(&log);
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(serve(stream, Arc::clone(&shared), started));
                }
            });
            Server { url, log }
        }

        /// Adds answers for the next token requests.
        fn script(&self, answers: impl IntoIterator<Item = Answer>) {
            self.log().script.extend(answers);
        }

        fn token_requests(&self) -> Vec<Duration> {
            self.log().token_requests.clone()
        }

        fn api_requests(&self) -> usize {
            self.log().api_requests
        }

        fn log(&self) -> MutexGuard<'_, Log> {
            self.log.lock().expect("the log")
        }

        /// A service account client of this server. No timeout and no connection pool: no
        /// timer runs while a request is in flight, which the paused clock would otherwise
        /// advance to at once (firing a timeout early). The server closes each connection.
        fn client(&self, retry: RetryPolicy) -> Client {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .expect("a reqwest client");
            ClientBuilder::<Api>::new()
                .base_url(&self.url)
                .service_account("mdb_sa_id_test", SECRET)
                .http_client(http)
                .no_timeout()
                .retry_policy(retry)
                .build()
                .expect("a client")
                .0
        }
    }

    /// Reads one request and answers it (token requests from the script), then closes.
    async fn serve(mut stream: TcpStream, log: Arc<Mutex<Log>>, started: Instant) {
        let mut request = Vec::new();
        let mut buffer = [0; 4096];
        let head_end = loop {
            if let Some(end) = request.windows(4).position(|window| window == b"\r\n\r\n") {
                break end + 4;
            }
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => request.extend_from_slice(&buffer[..read]),
            }
        };
        let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or(0);
        // The whole body, so that closing the connection does not reset it.
        while request.len() < head_end + length {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => request.extend_from_slice(&buffer[..read]),
            }
        }
        let path = head
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        let answer = {
            let mut log = log.lock().expect("the log");
            if path == TOKEN_PATH {
                log.token_requests.push(started.elapsed());
                log.script
                    .pop_front()
                    .expect("an answer scripted for each token request")
            } else {
                log.api_requests += 1;
                Answer::Api {
                    authorized: head.contains("\r\nauthorization: bearer an-access-token\r\n"),
                }
            }
        };
        let (status, body, retry_after) = match answer {
            Answer::Close => return,
            Answer::Api { authorized: true } => (200, "{}".to_owned(), None),
            Answer::Api { authorized: false } => (400, "{}".to_owned(), None),
            Answer::Token => (
                200,
                r#"{"access_token":"an-access-token","token_type":"Bearer","expires_in":3600}"#
                    .to_owned(),
                None,
            ),
            Answer::Error(status, error, retry_after) => (
                status,
                format!(r#"{{"error":"{error}","error_description":"Scripted."}}"#),
                retry_after,
            ),
        };
        let retry_after = retry_after
            .map(|seconds| format!("retry-after: {seconds}\r\n"))
            .unwrap_or_default();
        let answer = format!(
            "HTTP/1.1 {status} Scripted\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{retry_after}\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
    }

    fn call(client: &Client) -> ResponseFuture<serde_json::Value> {
        Call::new(client.clone(), &THINGS, &[]).send()
    }

    /// Polls `call` once: it runs until it waits (for a token request, or to take its turn
    /// at making one).
    async fn start(
        mut call: ResponseFuture<serde_json::Value>,
    ) -> ResponseFuture<serde_json::Value> {
        std::future::poll_fn(|context| {
            assert!(
                Pin::new(&mut call).poll(context).is_pending(),
                "the call needs the token endpoint's answer"
            );
            Poll::Ready(())
        })
        .await;
        call
    }

    /// The kind and HTTP status of a token error, checking that the secret is not shown.
    fn token_error(outcome: Result<serde_json::Value, Error>) -> (AuthErrorKind, u16, u32) {
        let error = outcome.expect_err("no token");
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains(SECRET), "{text}");
        }
        match &error {
            Error::Authentication {
                kind,
                oauth: Some(oauth),
                ..
            } => (*kind, oauth.status, oauth.attempts),
            other => panic!("expected a token error, got {other:?}"),
        }
    }

    fn seconds(times: &[u64]) -> Vec<Duration> {
        times.iter().copied().map(Duration::from_secs).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_error_of_the_token_endpoint_is_not_a_refusal_and_is_not_retried() {
        let server = Server::start().await;
        let client = server.client(RetryPolicy::standard());
        server.script([Answer::Error(500, "server_error", None)]);
        let error = call(&client).await.expect_err("no token");
        assert_eq!(error.status(), Some(500));
        assert_eq!(error.attempts(), Some(1));
        assert_eq!(
            error.to_string(),
            "authentication failed: the token endpoint failed to issue a token: HTTP 500 server_error: Scripted."
        );
        assert_eq!(
            token_error(Err(error)),
            (AuthErrorKind::TokenEndpointFailed, 500, 1)
        );
        assert_eq!(server.token_requests(), seconds(&[0]), "500 is not retried");
        assert_eq!(server.api_requests(), 0);

        // Nothing is kept: the next call asks again.
        server.script([Answer::Token]);
        call(&client).await.expect("a token, then the answer");
        assert_eq!(server.token_requests().len(), 2);
        assert_eq!(server.api_requests(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn gateway_errors_of_the_token_endpoint_are_retried_as_the_policy_says() {
        let server = Server::start().await;
        let client = server.client(RetryPolicy::standard());
        server.script([
            Answer::Error(503, "temporarily_unavailable", Some(5)),
            Answer::Error(502, "server_error", Some(7)),
            Answer::Token,
        ]);
        call(&client).await.expect("a token on the third attempt");
        assert_eq!(server.token_requests(), seconds(&[0, 5, 12]));
        assert_eq!(server.api_requests(), 1);

        // Until the policy's attempts are used up; then the last answer is the error.
        let server = Server::start().await;
        let client = server.client(RetryPolicy::standard().with_max_attempts(4));
        server.script([Answer::Error(504, "server_error", Some(2)); 4]);
        assert_eq!(
            token_error(call(&client).await),
            (AuthErrorKind::TokenEndpointFailed, 504, 4)
        );
        assert_eq!(server.token_requests(), seconds(&[0, 2, 4, 6]));

        // A rate limit that outlasts the retries is a refusal (4xx).
        let server = Server::start().await;
        let client = server.client(RetryPolicy::standard());
        server.script([Answer::Error(429, "rate_limit_exceeded", Some(30)); 3]);
        assert_eq!(
            token_error(call(&client).await),
            (AuthErrorKind::TokenRefused, 429, 3)
        );
        assert_eq!(server.token_requests(), seconds(&[0, 30, 60]));
        assert_eq!(server.api_requests(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn client_errors_of_the_token_endpoint_are_refusals_and_are_not_retried() {
        for (status, code) in [(401, "invalid_client"), (400, "invalid_request")] {
            let server = Server::start().await;
            let client = server.client(RetryPolicy::standard());
            server.script([Answer::Error(status, code, None)]);
            let error = call(&client).await.expect_err("refused");
            assert_eq!(
                error
                    .as_oauth_error()
                    .and_then(|oauth| oauth.error.as_deref()),
                Some(code)
            );
            assert!(
                error
                    .to_string()
                    .contains("the token endpoint refused to issue a token"),
                "{error}"
            );
            assert_eq!(
                token_error(Err(error)),
                (AuthErrorKind::TokenRefused, status, 1)
            );
            assert_eq!(server.token_requests().len(), 1);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_endpoint_that_cannot_be_reached_is_retried_then_a_transport_error() {
        // Connections lost before the answer: retried (the token request is idempotent).
        let server = Server::start().await;
        let client = server.client(RetryPolicy::standard());
        server.script([Answer::Close, Answer::Close, Answer::Token]);
        call(&client).await.expect("a token on the third attempt");
        assert_eq!(server.token_requests().len(), 3);
        server.script([Answer::Close; 3]);
        let client = server.client(RetryPolicy::standard());
        match call(&client).await {
            Err(error @ Error::Transport { .. }) => assert_eq!(error.attempts(), Some(3)),
            other => panic!("expected a transport error, got {other:?}"),
        }
        assert_eq!(server.token_requests().len(), 6);
        assert_eq!(server.api_requests(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn calls_waiting_for_a_failed_token_request_share_its_error_and_later_calls_ask_again() {
        let server = Server::start().await;
        let client = server.client(RetryPolicy::standard());
        server.script([Answer::Error(401, "invalid_client", None)]);
        // Sixteen calls, each waiting before the first token request is answered (the first
        // one sends it): one token request, sixteen refusals.
        let mut waiting = Vec::new();
        for _ in 0..16 {
            waiting.push(start(call(&client)).await);
        }
        let calls: Vec<_> = waiting.into_iter().map(tokio::spawn).collect();
        for call in calls {
            let outcome = call.await.expect("joined");
            assert_eq!(token_error(outcome), (AuthErrorKind::TokenRefused, 401, 1));
        }
        assert_eq!(server.token_requests().len(), 1);

        // The refusal is not kept: calls that start after it was returned ask again, once
        // for all that wait together.
        server.script([Answer::Error(401, "invalid_client", None)]);
        let first = start(call(&client)).await;
        let second = start(call(&client)).await;
        for outcome in [first.await, second.await] {
            assert_eq!(token_error(outcome), (AuthErrorKind::TokenRefused, 401, 1));
        }
        assert_eq!(server.token_requests().len(), 2);

        // A server error is shared the same way.
        server.script([Answer::Error(500, "server_error", None)]);
        let first = start(call(&client)).await;
        let second = start(call(&client)).await;
        for outcome in [first.await, second.await] {
            assert_eq!(
                token_error(outcome),
                (AuthErrorKind::TokenEndpointFailed, 500, 1)
            );
        }
        assert_eq!(server.token_requests().len(), 3);

        // So a secret the endpoint comes to accept works from the next call on.
        server.script([Answer::Token]);
        call(&client).await.expect("a token, then the answer");
        assert_eq!(server.token_requests().len(), 4);
        assert_eq!(server.api_requests(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_transport_failure_each_waiting_call_asks_itself() {
        let server = Server::start().await;
        let client = server.client(RetryPolicy::disabled());
        server.script([Answer::Close, Answer::Close, Answer::Token]);
        let first = start(call(&client)).await;
        let second = start(call(&client)).await;
        let third = start(call(&client)).await;
        assert!(matches!(first.await, Err(Error::Transport { .. })));
        assert!(matches!(second.await, Err(Error::Transport { .. })));
        third
            .await
            .expect("the third call's own token request succeeds");
        assert_eq!(server.token_requests().len(), 3);
        assert_eq!(server.api_requests(), 1);
    }
}
