//! HTTP Digest sessions: a pool of server nonces, each used by one request at a time.
//!
//! A Digest server checks that the nonce count (`nc`) of each nonce only goes up. With one
//! nonce shared by concurrent requests, a request signed with `nc=5` can overtake one signed
//! with `nc=4` on the way to the server, and the later one is refused. Here a nonce is owned
//! by one request until its answer arrives, then returned to the pool: its counts reach the
//! server in order, sequential requests reuse one nonce (one round trip each), and N
//! concurrent requests need at most N challenges in all.

use std::sync::{Mutex, PoisonError};

use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};

use crate::client::PrivateKey;
use crate::error::{AuthErrorKind, Error};

/// Most idle sessions kept. More concurrent requests than this still work; the surplus
/// sessions are dropped when their requests finish.
const MAX_IDLE_SESSIONS: usize = 64;

/// The credentials, and the sessions (nonce and count) not in use right now.
pub(crate) struct SessionPool {
    public_key: String,
    private_key: PrivateKey,
    idle: Mutex<Vec<diqwest::DigestAuthSession>>,
}

impl SessionPool {
    pub(crate) fn new(public_key: String, private_key: PrivateKey) -> Self {
        SessionPool {
            public_key,
            private_key,
            idle: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn public_key(&self) -> &str {
        &self.public_key
    }

    pub(crate) fn private_key(&self) -> &PrivateKey {
        &self.private_key
    }

    /// The most recently used idle session (its nonce is the least likely to have expired),
    /// or `None` when every session is busy.
    pub(crate) fn take(&self) -> Option<diqwest::DigestAuthSession> {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    /// A session without a nonce: its first request fetches a challenge.
    pub(crate) fn fresh(&self) -> diqwest::DigestAuthSession {
        diqwest::DigestAuthSession::new(self.public_key.clone(), self.private_key.expose())
    }

    /// Returns a session whose nonce the server just accepted.
    pub(crate) fn put_back(&self, session: diqwest::DigestAuthSession) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE_SESSIONS {
            idle.push(session);
        }
    }
}

/// The Digest challenge of a 401, if it has one.
pub(crate) fn challenge(headers: &HeaderMap) -> Option<String> {
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
pub(crate) fn is_stale(challenge: &str) -> Result<bool, Error> {
    digest_auth::parse(challenge)
        .map(|header| header.stale)
        .map_err(|error| Error::Authentication {
            kind: AuthErrorKind::InvalidChallenge,
            message: format!("the server's Digest challenge could not be parsed: {error}"),
        })
}

/// The `Authorization` header value of a Digest answer.
pub(crate) fn header_value(
    authorization: &digest_auth::AuthorizationHeader,
) -> Result<reqwest::header::HeaderValue, Error> {
    reqwest::header::HeaderValue::from_str(&authorization.to_header_string()).map_err(|_| {
        Error::Authentication {
            kind: AuthErrorKind::InvalidChallenge,
            message: "the Digest answer is not a valid header value".to_owned(),
        }
    })
}
