//! HTTP Digest sessions: a pool of server nonces, each used by one request at a time.
//!
//! A Digest server checks that the nonce count (`nc`) of each nonce only goes up. With one
//! nonce shared by concurrent requests, a request signed with `nc=5` can overtake one signed
//! with `nc=4` on the way to the server, and the later one is refused. Here a nonce is owned
//! by one request until its answer arrives, then returned to the pool: its counts reach the
//! server in order, sequential requests reuse one nonce (one round trip each), and N
//! concurrent requests need at most N challenges in all.

use std::sync::{Mutex, PoisonError};

use diqwest::{DigestAuthCredentials, WithDigestAuth};
use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};

use crate::auth::{Credentials, Scheme};
use crate::client::{ApiClient, ClientBuilder, Secret};
use crate::error::{AuthErrorKind, Error};
use crate::transport::{AttemptError, Outgoing};

impl<C: ApiClient> ClientBuilder<C> {
    /// Authenticates with HTTP Digest: the programmatic API public key is the user name, the
    /// private key the password.
    ///
    /// The client keeps the server's nonces for all its clones, each used by one request at a
    /// time: later requests need one round trip, concurrent ones never send a nonce count out
    /// of order, and an expired nonce is renewed transparently.
    pub fn digest_auth(
        self,
        public_key: impl Into<String>,
        private_key: impl Into<String>,
    ) -> Self {
        let sessions = SessionPool::new(public_key.into(), Secret::new(private_key.into()));
        self.choose_credentials(
            "digest_auth",
            Scheme::Digest,
            sessions.map(Credentials::Digest),
        )
    }
}

/// Most idle sessions kept. More concurrent requests than this still work; the surplus
/// sessions are dropped when their requests finish.
const MAX_IDLE_SESSIONS: usize = 64;

/// The credentials, and the sessions (nonce and count) not in use right now.
pub(crate) struct SessionPool {
    public_key: String,
    private_key: Secret,
    idle: Mutex<Vec<diqwest::DigestAuthSession>>,
}

impl std::fmt::Debug for SessionPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Digest")
            .field("public_key", &self.public_key)
            .field("private_key", &self.private_key)
            .finish_non_exhaustive()
    }
}

impl SessionPool {
    /// Checks the key pair.
    pub(crate) fn new(public_key: String, private_key: Secret) -> Result<Self, Error> {
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
        Ok(SessionPool {
            public_key,
            private_key,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// The most recently used idle session (its nonce is the least likely to have expired),
    /// or `None` when every session is busy.
    fn take(&self) -> Option<diqwest::DigestAuthSession> {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    /// A session without a nonce: its first request fetches a challenge.
    fn fresh(&self) -> diqwest::DigestAuthSession {
        diqwest::DigestAuthSession::new(self.public_key.clone(), self.private_key.expose())
    }

    /// Returns a session whose nonce the server just accepted.
    fn put_back(&self, session: diqwest::DigestAuthSession) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE_SESSIONS {
            idle.push(session);
        }
    }
}

impl SessionPool {
    /// Sends one attempt with Digest authentication.
    ///
    /// An idle session's nonce is used straight away (one round trip); without one, diqwest
    /// sends the request bare, answers the 401 challenge and keeps its nonce in the session.
    pub(crate) async fn send(
        &self,
        outgoing: &Outgoing<'_>,
    ) -> Result<reqwest::Response, AttemptError> {
        let target = outgoing.target;
        let (host, uri) = (target.host(), target.uri());
        let method = outgoing.request.operation.method.as_str();
        // The Authorization header for the nonce `session` holds, with its next nonce count.
        let authorize = |session: &diqwest::DigestAuthSession| {
            session
                .calculate_authorization(
                    host,
                    &uri,
                    method.into(),
                    outgoing.request.body.as_deref(),
                    &HeaderMap::new(),
                )
                .map_err(digest_error)
                .and_then(|authorization| Ok(header_value(&authorization)?))
        };
        let send_signed = |session: &diqwest::DigestAuthSession| {
            let request = authorize(session)
                .map(|authorization| outgoing.with_authorization(Some(authorization)));
            async move { request?.send().await.map_err(AttemptError::Transport) }
        };
        let (session, reused) = match self.take() {
            Some(session) => (session, true),
            None => (self.fresh(), false),
        };
        let mut response = if reused {
            send_signed(&session).await?
        } else {
            outgoing
                .with_authorization(None)
                .send_digest_auth(&session)
                .await
                .map_err(digest_error)?
        };
        // A reused nonce may have expired (`stale=true`) or been forgotten by the server:
        // answer the challenge its 401 carries, once, instead of paying another bare round
        // trip. A refused answer to a fresh challenge means wrong credentials: no retry.
        if reused
            && response.status() == reqwest::StatusCode::UNAUTHORIZED
            && let Some(challenge) = challenge(response.headers())
        {
            let stale = is_stale(&challenge)?;
            tracing::debug!(stale, "answering a new Digest challenge");
            // diqwest implements its credentials trait for `&DigestAuthSession`.
            (&session)
                .store_context(host, &challenge)
                .map_err(digest_error)?;
            response = send_signed(&session).await?;
        }
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            // The session is dropped: its nonce was refused.
            if challenge(response.headers()).is_none() {
                return Err(AttemptError::Other(Error::authentication(
                    AuthErrorKind::MissingChallenge,
                    "the server answered 401 without a WWW-Authenticate: Digest challenge",
                )));
            }
        } else if matches!((&session).cached_context(host), Ok(Some(_))) {
            // Only a session holding a nonce is worth reusing: one the server never
            // challenged (it answered without asking for Digest) has nothing to answer with.
            self.put_back(session);
        }
        Ok(response)
    }
}

fn digest_error(error: diqwest::error::Error) -> AttemptError {
    use diqwest::error::Error as Digest;
    let (kind, message) = match error {
        Digest::Reqwest(error) => return AttemptError::Transport(error),
        Digest::AuthHeaderMissing => (
            AuthErrorKind::MissingChallenge,
            "the server answered 401 without a WWW-Authenticate challenge".to_owned(),
        ),
        Digest::DigestAuth(error) => (
            AuthErrorKind::InvalidChallenge,
            format!("the server's Digest challenge could not be parsed: {error}"),
        ),
        other => (AuthErrorKind::InvalidChallenge, other.to_string()),
    };
    AttemptError::Other(Error::authentication(kind, message))
}

/// The Digest challenge of a 401, if it has one.
fn challenge(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| {
            value
                .trim_start()
                .get(..7)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("digest "))
        })
        .map(str::to_owned)
}

/// Whether a challenge says the nonce was only too old (`stale=true`), not the key wrong.
fn is_stale(challenge: &str) -> Result<bool, Error> {
    digest_auth::parse(challenge)
        .map(|header| header.stale)
        .map_err(|error| {
            Error::authentication(
                AuthErrorKind::InvalidChallenge,
                format!("the server's Digest challenge could not be parsed: {error}"),
            )
        })
}

/// The `Authorization` header value of a Digest answer.
fn header_value(
    authorization: &digest_auth::AuthorizationHeader,
) -> Result<reqwest::header::HeaderValue, Error> {
    reqwest::header::HeaderValue::from_str(&authorization.to_header_string()).map_err(|_| {
        Error::authentication(
            AuthErrorKind::InvalidChallenge,
            "the Digest answer is not a valid header value",
        )
    })
}
