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
    /// refuses it with `401` it is renewed once and the call is sent again once. A refused
    /// token request is an [`Error::Authentication`] carrying the endpoint's OAuth error; `429`
    /// and gateway errors from the token endpoint are retried as the
    /// [`RetryPolicy`](crate::RetryPolicy) says. Neither the secret nor the token ever
    /// appears in `Debug` output, errors or tracing events.
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
    /// Token requests finished so far, and how the last refused one was refused: requests
    /// that waited for a token request which was refused get its error instead of asking
    /// again, so a wrong secret costs one token request however many calls needed a token.
    exchanges: Mutex<Exchanges>,
    renewal_margin: Duration,
}

#[derive(Default)]
struct Exchanges {
    finished: u64,
    /// The number of the refused exchange, and its error's parts.
    refused: Option<(u64, Refusal)>,
}

/// An `Error::Authentication`, kept to be handed to each request that waited for it.
struct Refusal {
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
        if let Some((exchange, refusal)) = &self.exchanges().refused
            && *exchange > finished_before
        {
            // Refused while this request waited: the same answer, without asking again.
            return Err(Error::Authentication {
                kind: refusal.kind,
                message: refusal.message.clone(),
                oauth: refusal.oauth.clone(),
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
        // Only refusals are shared: after a transport failure, a waiting request tries itself.
        if let Err(Error::Authentication {
            kind,
            message,
            oauth,
        }) = &fetched
        {
            let refusal = Refusal {
                kind: *kind,
                message: message.clone(),
                oauth: oauth.clone(),
            };
            exchanges.refused = Some((exchanges.finished, refusal));
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
        if !(200..300).contains(&response.status) {
            return Err(refused(
                AuthErrorKind::TokenRefused,
                "the token endpoint refused to issue a token",
                &response,
            ));
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
            return Err(refused(
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

/// The error for a refused token or revocation request.
fn refused(kind: AuthErrorKind, what: &str, response: &RawResponse) -> Error {
    let oauth = OAuthError::new(response.status, &response.body, response.attempts);
    Error::Authentication {
        kind,
        message: format!("{what}: {oauth}"),
        oauth: Some(Box::new(oauth)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
