//! The authentication schemes a client can use, and the one its builder chose.
//!
//! Each scheme is a cargo feature (`digest`, `oauth`) so a crate whose API declares only one
//! does not build the other; the API's [`ApiInfo`] says which it accepts, and the builder
//! refuses the others.

use crate::client::{ApiInfo, ClientInner};
use crate::error::Error;
use crate::transport::{AttemptError, Outgoing};

/// The credentials of a client, with the state its clones share.
pub(crate) enum Credentials {
    /// HTTP Digest, with the server's nonces.
    #[cfg(feature = "digest")]
    Digest(crate::digest::SessionPool),
    /// OAuth 2.0 bearer tokens.
    #[cfg(feature = "oauth")]
    Bearer(crate::oauth::Tokens),
}

impl Credentials {
    /// Sends one attempt of a request with these credentials.
    #[cfg_attr(
        not(feature = "oauth"),
        allow(unused_variables, reason = "only bearer tokens need the client")
    )]
    pub(crate) async fn send(
        &self,
        client: &ClientInner,
        outgoing: &Outgoing<'_>,
    ) -> Result<reqwest::Response, AttemptError> {
        match *self {
            #[cfg(feature = "digest")]
            Credentials::Digest(ref sessions) => sessions.send(outgoing).await,
            #[cfg(feature = "oauth")]
            Credentials::Bearer(ref tokens) => tokens.send(client, outgoing).await,
        }
    }

    /// The bearer tokens, when the client uses them.
    #[cfg(feature = "oauth")]
    pub(crate) fn tokens(&self) -> Option<&crate::oauth::Tokens> {
        match self {
            Credentials::Bearer(tokens) => Some(tokens),
            #[cfg(feature = "digest")]
            _ => None,
        }
    }
}

impl std::fmt::Debug for Credentials {
    #[cfg_attr(
        not(any(feature = "digest", feature = "oauth")),
        allow(unused_variables, reason = "no scheme, nothing to show")
    )]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            #[cfg(feature = "digest")]
            Credentials::Digest(ref sessions) => std::fmt::Debug::fmt(sessions, f),
            #[cfg(feature = "oauth")]
            Credentials::Bearer(ref tokens) => std::fmt::Debug::fmt(tokens, f),
        }
    }
}

/// A kind of credentials, as the API declares the schemes it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// HTTP Digest ([`ApiInfo::digest`]).
    #[cfg_attr(not(feature = "digest"), allow(dead_code))]
    Digest,
    /// OAuth 2.0 bearer tokens ([`ApiInfo::oauth`]).
    #[cfg_attr(not(feature = "oauth"), allow(dead_code))]
    Bearer,
}

impl Scheme {
    fn accepted_by(self, api: &ApiInfo) -> bool {
        match self {
            Scheme::Digest => api.digest,
            Scheme::Bearer => api.oauth.is_some(),
        }
    }
}

/// What the builder recorded about authentication.
#[derive(Debug, Default)]
pub(crate) struct AuthChoice {
    /// Each method that chose credentials, in call order, with its scheme and what it chose
    /// (or why that was refused): exactly one is allowed.
    pub(crate) chosen: Vec<(&'static str, Scheme, Result<Credentials, Error>)>,
    /// The builder's `token_renewal_margin`.
    #[cfg(feature = "oauth")]
    pub(crate) token_renewal_margin: Option<std::time::Duration>,
}

/// The builder methods that choose credentials the API accepts, as the error for missing
/// credentials lists them (the generated crate docs list the same calls: `choosers` in
/// `codegen/src/emit/auth.rs`).
fn choosers(api: &ApiInfo) -> String {
    let mut choosers = Vec::new();
    if api.digest {
        choosers.push("`.digest_auth(public_key, private_key)`");
    }
    if api.oauth.is_some() {
        choosers.push("`.service_account(client_id, client_secret)`");
        choosers.push("`.bearer_token(token)`");
    }
    match choosers.as_slice() {
        [] => "nothing: the API declares no authentication scheme".to_owned(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

impl AuthChoice {
    /// The one choice made, with the settings that apply to it.
    pub(crate) fn finish(self, api: &ApiInfo) -> Result<Credentials, Error> {
        let mut chosen = self.chosen.into_iter();
        let Some((first, scheme, credentials)) = chosen.next() else {
            return Err(Error::invalid_argument(
                "credentials",
                format!("credentials are required: call {}", choosers(api)),
            ));
        };
        if let Some((second, _, _)) = chosen.next() {
            return Err(Error::invalid_argument(
                second,
                format!("`{first}` already chose the credentials: a client authenticates one way"),
            ));
        }
        if !scheme.accepted_by(api) {
            return Err(Error::invalid_argument(
                first,
                format!(
                    "this API does not accept these credentials: call {}",
                    choosers(api)
                ),
            ));
        }
        #[allow(unused_mut, reason = "settings of some schemes change the credentials")]
        let mut credentials = credentials?;
        #[cfg(feature = "oauth")]
        if let (Credentials::Bearer(tokens), Some(margin)) =
            (&mut credentials, self.token_renewal_margin)
        {
            tokens.set_renewal_margin(margin);
        }
        Ok(credentials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(digest: bool, oauth: bool) -> ApiInfo {
        ApiInfo {
            default_base_url: "https://api.example.com",
            default_user_agent: "example/1.0",
            digest,
            oauth: oauth.then_some(crate::client::OAuthEndpoints {
                token_path: "/token",
                revoke_path: "/revoke",
            }),
        }
    }

    fn message(error: Error) -> String {
        error.to_string()
    }

    #[test]
    fn missing_credentials_name_the_methods_the_api_accepts() {
        let error = AuthChoice::default()
            .finish(&api(false, true))
            .expect_err("no credentials");
        assert_eq!(
            message(error),
            "invalid argument `credentials`: credentials are required: call `.service_account(client_id, client_secret)` or `.bearer_token(token)`"
        );
        let error = AuthChoice::default()
            .finish(&api(true, true))
            .expect_err("no credentials");
        assert!(
            message(error).contains("`.digest_auth(public_key, private_key)`, `.service_account")
        );
    }

    #[cfg(feature = "digest")]
    #[test]
    fn a_scheme_the_api_does_not_declare_is_refused_by_name() {
        let mut choice = AuthChoice::default();
        let sessions = crate::digest::SessionPool::new(
            "public".to_owned(),
            crate::client::Secret::new("private".to_owned()),
        )
        .map(Credentials::Digest);
        choice
            .chosen
            .push(("digest_auth", Scheme::Digest, sessions));
        let error = choice.finish(&api(false, true)).expect_err("refused");
        let text = message(error);
        assert!(
            text.starts_with(
                "invalid argument `digest_auth`: this API does not accept these credentials"
            ),
            "{text}"
        );
        assert!(!text.contains("private"), "{text}");
    }
}
