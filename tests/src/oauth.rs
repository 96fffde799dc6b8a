//! Service Account (OAuth 2.0 client credentials) support: the token and revocation
//! endpoints (RFC 6749 §4.4, RFC 7009), the tokens they issue, and bearer-token checking.

use crate::json;
use crate::random;
use crate::routes::{lock, percent_decode};
use crate::{OAUTH_REVOKE_PATH, OAUTH_TOKEN_PATH, ServerConfig};
use axum::body::Body;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The `WWW-Authenticate` header of an `invalid_client` answer (the realm is NOT VERIFIED).
pub(crate) const BASIC_CHALLENGE: &str = r#"Basic realm="MongoDB Atlas""#;

/// The `WWW-Authenticate` header of a rejected bearer token.
pub(crate) const BEARER_CHALLENGE: &str = r#"Bearer error="invalid_token""#;

/// The errorCode of a rejected bearer token (NOT VERIFIED against Atlas).
pub(crate) const INVALID_TOKEN_CODE: &str = "INVALID_ACCESS_TOKEN";

const FORM: &str = "application/x-www-form-urlencoded";

/// The authentication scheme named by a request's `Authorization` header.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthScheme {
    /// `Authorization: Digest …` (API keys).
    Digest,
    /// `Authorization: Bearer <access token>` (a Service Account token).
    Bearer,
    /// `Authorization: Basic …` (Service Account client credentials, on the OAuth endpoints).
    Basic,
}

impl AuthScheme {
    /// The scheme of an `Authorization` header value (its first word, case-insensitive);
    /// `None` for any other scheme.
    pub fn of(header_value: &str) -> Option<AuthScheme> {
        let scheme = header_value.split_whitespace().next()?;
        [
            ("Digest", AuthScheme::Digest),
            ("Bearer", AuthScheme::Bearer),
            ("Basic", AuthScheme::Basic),
        ]
        .into_iter()
        .find(|(name, _)| scheme.eq_ignore_ascii_case(name))
        .map(|(_, scheme)| scheme)
    }
}

/// The credentials after `Bearer `, if the header uses that scheme and has one.
pub(crate) fn bearer_token(header_value: &str) -> Option<&str> {
    let value = header_value.trim_start();
    let split = value.find(char::is_whitespace)?;
    let (scheme, rest) = value.split_at(split);
    let token = rest.trim();
    (scheme.eq_ignore_ascii_case("Bearer") && !token.is_empty()).then_some(token)
}

/// One issued access token.
struct Token {
    issued_at: Instant,
    /// Zero once expired by `TestServer::expire_all_tokens`.
    lifetime: Duration,
    revoked: bool,
}

/// Why a bearer token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// Not sent, or never issued by this server.
    Unknown,
    Expired,
    Revoked,
}

impl Rejection {
    fn detail(self) -> &'static str {
        match self {
            Rejection::Unknown => "The access token is invalid.",
            Rejection::Expired => "The access token has expired.",
            Rejection::Revoked => "The access token has been revoked.",
        }
    }
}

/// Token requests still to be failed by `TestServer::fail_token_requests`.
#[derive(Default)]
struct Failures {
    remaining: usize,
    status: Option<StatusCode>,
}

/// The OAuth state of one server: issued tokens, counters and the failure hook.
#[derive(Default)]
pub(crate) struct OAuth {
    tokens: Mutex<HashMap<String, Token>>,
    failures: Mutex<Failures>,
    /// The `expires_in` answered instead of the token lifetime, set by
    /// `TestServer::set_token_expires_in`.
    pub(crate) expires_in: Mutex<Option<u64>>,
    pub(crate) tokens_issued: AtomicUsize,
    pub(crate) token_requests: AtomicUsize,
    pub(crate) revocations: AtomicUsize,
    pub(crate) bearer_rejections: AtomicUsize,
}

impl OAuth {
    /// Mints a new token valid for `lifetime` from now.
    pub(crate) fn mint(&self, lifetime: Duration) -> String {
        let mut tokens = lock(&self.tokens);
        loop {
            let token = new_token();
            if !tokens.contains_key(&token) {
                tokens.insert(
                    token.clone(),
                    Token {
                        issued_at: Instant::now(),
                        lifetime,
                        revoked: false,
                    },
                );
                return token;
            }
        }
    }

    /// Checks a bearer token (`None`: the header had no token).
    pub(crate) fn check(&self, token: Option<&str>) -> Result<(), Rejection> {
        let tokens = lock(&self.tokens);
        let Some(found) = token.and_then(|token| tokens.get(token)) else {
            return Err(Rejection::Unknown);
        };
        if found.revoked {
            Err(Rejection::Revoked)
        } else if found.issued_at.elapsed() >= found.lifetime {
            Err(Rejection::Expired)
        } else {
            Ok(())
        }
    }

    /// Revokes one token; unknown tokens are ignored.
    fn revoke(&self, token: &str) {
        if let Some(found) = lock(&self.tokens).get_mut(token) {
            found.revoked = true;
        }
    }

    pub(crate) fn revoke_all(&self) {
        for token in lock(&self.tokens).values_mut() {
            token.revoked = true;
        }
    }

    pub(crate) fn expire_all(&self) {
        for token in lock(&self.tokens).values_mut() {
            token.lifetime = Duration::ZERO;
        }
    }

    pub(crate) fn fail_next(&self, requests: usize, status: StatusCode) {
        *lock(&self.failures) = Failures {
            remaining: requests,
            status: (requests > 0).then_some(status),
        };
    }

    /// The status to fail this token request with, counting it against the budget.
    fn use_failure(&self) -> Option<StatusCode> {
        let mut failures = lock(&self.failures);
        let status = failures.status?;
        failures.remaining = failures.remaining.saturating_sub(1);
        if failures.remaining == 0 {
            *failures = Failures::default();
        }
        Some(status)
    }
}

/// An opaque access token: 64 URL-safe base64 characters (48 random-looking bytes).
fn new_token() -> String {
    let mut bytes = Vec::with_capacity(48);
    for _ in 0..3 {
        bytes.extend_from_slice(&random::bytes16());
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes)
}

/// Whether `path` is one of the OAuth endpoints.
pub(crate) fn is_oauth_path(path: &str) -> bool {
    path == OAUTH_TOKEN_PATH || path == OAUTH_REVOKE_PATH
}

/// Whether `headers` carry `Authorization: Basic` with the configured client credentials.
pub(crate) fn client_authenticated(headers: &HeaderMap, config: &ServerConfig) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(basic_credentials)
        .is_some_and(|(id, secret)| id == config.client_id && secret == config.client_secret)
}

/// The client id and secret of an `Authorization: Basic …` value, each form-urlencoded
/// before base64 (RFC 6749 §2.3.1) and decoded here.
pub(crate) fn basic_credentials(header_value: &str) -> Option<(String, String)> {
    let value = header_value.trim();
    let split = value.find(char::is_whitespace)?;
    let (scheme, rest) = value.split_at(split);
    if !scheme.eq_ignore_ascii_case("Basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(rest.trim())?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_decode(id), form_decode(secret)))
}

/// Standard base64, padding optional; `None` on any other character.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()
}

/// One `application/x-www-form-urlencoded` name or value: `+` is a space, then `%XX`.
pub(crate) fn form_decode(text: &str) -> String {
    percent_decode(&text.replace('+', " "))
}

/// The decoded `name=value` pairs of a form body, empty pairs skipped.
pub(crate) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// A form parameter: `Ok(None)` when absent or empty (RFC 6749 §3.2: treated as
/// omitted), `Err` when sent more than once.
fn single<'a>(pairs: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, ()> {
    let mut values = pairs
        .iter()
        .filter(|(key, value)| key == name && !value.is_empty());
    let first = values.next().map(|(_, value)| value.as_str());
    if values.next().is_some() {
        Err(())
    } else {
        Ok(first)
    }
}

/// Whether the request body is declared as a form (parameters allowed, case-insensitive).
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(FORM))
}

/// An RFC 6749 §5.2 error answer.
fn error(status: StatusCode, code: &str, description: &str) -> Response {
    let body = json::object([
        ("error", json::string(code)),
        ("error_description", json::string(description)),
    ]);
    json_answer(status, &body)
}

fn json_answer(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut response = Response::new(Body::from(json::render(body, false)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn invalid_client() -> Response {
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "Invalid credentials provided.",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(BASIC_CHALLENGE),
    );
    response
}

fn invalid_request(description: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// The answer of a token request failed by the hook.
fn injected_failure(status: StatusCode) -> Response {
    if status == StatusCode::TOO_MANY_REQUESTS {
        let mut response = error(status, "rate_limit_exceeded", "Too many requests.");
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("0"));
        response
    } else if status == StatusCode::UNAUTHORIZED {
        invalid_client()
    } else if status.is_client_error() {
        error(status, "invalid_request", "The request failed.")
    } else {
        error(status, "server_error", "Unexpected error.")
    }
}

fn method_not_allowed(method: &Method) -> Response {
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        &format!("Method {method} is not allowed; use POST."),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

/// The checks shared by both endpoints (method, client credentials, form body): the
/// error answer of the first that fails.
fn check_request(request: &OAuthRequest<'_>) -> Option<Response> {
    if *request.method != Method::POST {
        return Some(method_not_allowed(request.method));
    }
    if !request.client_ok {
        return Some(invalid_client());
    }
    if !is_form(request.headers) {
        return Some(invalid_request(
            "The request body must be sent as application/x-www-form-urlencoded.",
        ));
    }
    if !request.body_complete {
        return Some(invalid_request("The request body could not be read."));
    }
    None
}

/// Serves a request to [`OAUTH_TOKEN_PATH`] or [`OAUTH_REVOKE_PATH`] (already recorded).
pub(crate) fn serve(
    oauth: &OAuth,
    config: &ServerConfig,
    path: &str,
    request: OAuthRequest<'_>,
) -> Response {
    if path == OAUTH_TOKEN_PATH {
        serve_token(oauth, config, request)
    } else {
        serve_revoke(oauth, request)
    }
}

/// What the OAuth endpoints need of a request.
pub(crate) struct OAuthRequest<'a> {
    pub(crate) method: &'a Method,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
    pub(crate) body_complete: bool,
    /// Whether the Basic client credentials are right.
    pub(crate) client_ok: bool,
}

fn serve_token(oauth: &OAuth, config: &ServerConfig, request: OAuthRequest<'_>) -> Response {
    oauth.token_requests.fetch_add(1, Ordering::SeqCst);
    if let Some(status) = oauth.use_failure() {
        return injected_failure(status);
    }
    if let Some(response) = check_request(&request) {
        return response;
    }
    let pairs = form_pairs(request.body);
    match single(&pairs, "grant_type") {
        Err(()) => invalid_request("The grant_type parameter was sent more than once."),
        Ok(None) => invalid_request("The request is missing the grant_type parameter."),
        Ok(Some("client_credentials")) => {
            let token = oauth.mint(config.token_lifetime);
            oauth.tokens_issued.fetch_add(1, Ordering::SeqCst);
            let expires_in = (*lock(&oauth.expires_in)).unwrap_or(config.token_lifetime.as_secs());
            let body = json::object([
                ("access_token", json::string(token)),
                ("expires_in", json::int(expires_in)),
                ("token_type", json::string("Bearer")),
            ]);
            json_answer(StatusCode::OK, &body)
        }
        Ok(Some(other)) => error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("The grant type {other} is not supported."),
        ),
    }
}

fn serve_revoke(oauth: &OAuth, request: OAuthRequest<'_>) -> Response {
    if let Some(response) = check_request(&request) {
        return response;
    }
    let pairs = form_pairs(request.body);
    match single(&pairs, "token") {
        Err(()) => invalid_request("The token parameter was sent more than once."),
        Ok(None) => invalid_request("The request is missing the token parameter."),
        Ok(Some(token)) => {
            oauth.revoke(token);
            oauth.revocations.fetch_add(1, Ordering::SeqCst);
            let mut response = Response::new(Body::empty());
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
    }
}

/// The 401 answer to a rejected bearer token: an Atlas-shaped body (errorCode and detail
/// NOT VERIFIED) and `WWW-Authenticate: Bearer error="invalid_token"`.
pub(crate) fn bearer_rejected(rejection: Rejection) -> Response {
    let error = crate::error::ApiError::new(
        StatusCode::UNAUTHORIZED,
        INVALID_TOKEN_CODE,
        rejection.detail(),
        vec![],
    );
    let mut response = Response::new(Body::from(json::render(&error.body(), false)));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(BEARER_CHALLENGE),
    );
    response
}

#[cfg(test)]
mod unit {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn base64_round_trips_and_rejects_garbage() {
        for data in [&b""[..], b"f", b"fo", b"foo", b"foob", &[0xfb, 0xff, 0xbf]] {
            let encoded = STANDARD.encode(data);
            assert_eq!(base64_decode(&encoded).as_deref(), Some(data));
            assert_eq!(
                base64_decode(encoded.trim_end_matches('=')).as_deref(),
                Some(data)
            );
        }
        assert_eq!(base64_decode("Zm9v!"), None);
        assert_eq!(base64_decode("Z"), None);
        assert_eq!(base64_decode("Zm9v-_"), None);
    }

    #[test]
    fn forms_decode_plus_and_percent() {
        assert_eq!(form_decode("a+b%2Bc%3A%25"), "a b+c:%");
        assert_eq!(
            form_pairs(b"grant_type=client_credentials&&x&y=1+2"),
            vec![
                ("grant_type".to_owned(), "client_credentials".to_owned()),
                ("x".to_owned(), String::new()),
                ("y".to_owned(), "1 2".to_owned()),
            ]
        );
    }

    #[test]
    fn basic_and_bearer_headers() {
        let header = format!("basic  {}", STANDARD.encode(b"id%3Ax:s+e%2Bcret:more"));
        assert_eq!(
            basic_credentials(&header),
            Some(("id:x".to_owned(), "s e+cret:more".to_owned()))
        );
        assert_eq!(basic_credentials("Basic"), None);
        assert_eq!(basic_credentials("Basic !!!"), None);
        assert_eq!(
            basic_credentials(&format!("Basic {}", STANDARD.encode(b"nocolon"))),
            None
        );
        assert_eq!(
            basic_credentials(&format!("Bearer {}", STANDARD.encode(b"a:b"))),
            None
        );
        assert_eq!(bearer_token("Bearer abc "), Some("abc"));
        assert_eq!(bearer_token("bearer\tabc"), Some("abc"));
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(AuthScheme::of("bEaReR x"), Some(AuthScheme::Bearer));
        assert_eq!(AuthScheme::of("Digest x=1"), Some(AuthScheme::Digest));
        assert_eq!(AuthScheme::of("Basic"), Some(AuthScheme::Basic));
        assert_eq!(AuthScheme::of("Negotiate x"), None);
        assert_eq!(AuthScheme::of(""), None);
    }

    #[test]
    fn tokens_are_url_safe_unique_and_expire() {
        let oauth = OAuth::default();
        let a = oauth.mint(Duration::from_secs(60));
        let b = oauth.mint(Duration::ZERO);
        assert_eq!(a.len(), 64);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
            "{a}"
        );
        assert_ne!(a, b);
        assert_eq!(oauth.check(Some(&a)), Ok(()));
        assert_eq!(oauth.check(Some(&b)), Err(Rejection::Expired));
        assert_eq!(oauth.check(Some("nope")), Err(Rejection::Unknown));
        assert_eq!(oauth.check(None), Err(Rejection::Unknown));
        let huge = oauth.mint(Duration::MAX);
        assert_eq!(oauth.check(Some(&huge)), Ok(()));
        oauth.revoke(&a);
        assert_eq!(oauth.check(Some(&a)), Err(Rejection::Revoked));
        oauth.expire_all();
        assert_eq!(oauth.check(Some(&huge)), Err(Rejection::Expired));
    }

    #[test]
    fn a_token_expires_once_it_is_as_old_as_its_lifetime() {
        let oauth = OAuth::default();
        let token = oauth.mint(Duration::from_secs(60));
        let age = |seconds| {
            let issued_at = Instant::now()
                .checked_sub(Duration::from_secs(seconds))
                .expect("the clock goes back that far");
            lock(&oauth.tokens)
                .get_mut(&token)
                .expect("minted")
                .issued_at = issued_at;
        };
        age(59);
        assert_eq!(oauth.check(Some(&token)), Ok(()));
        age(60);
        assert_eq!(oauth.check(Some(&token)), Err(Rejection::Expired));
    }
}
