//! What the server received ([`RecordedRequest`]).

use crate::digest::DigestAuthorization;
use crate::oauth::{self, AuthScheme};

/// One HTTP request as the server received it (recorded before it was answered).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method, e.g. `"POST"`.
    pub method: String,
    /// The path, raw (still percent-encoded), e.g. `/api/atlas/v1.0/groups/…/privateEndpoint`.
    pub path: String,
    /// The query string without `?`, raw, if the request target had one.
    pub query: Option<String>,
    /// All headers in the order received, names lower-case; values that are not UTF-8 are
    /// converted lossily.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// When the request reached the server (before its body was read), for tests of the
    /// pauses between requests.
    pub received_at: std::time::Instant,
    /// Whether the server accepted the request's credentials: on the API paths its Digest
    /// credentials (nonce fresh, `nc` new, response correct) or its bearer token (issued
    /// here, not expired, not revoked), and went on to serve it; on
    /// [`OAUTH_TOKEN_PATH`](crate::OAUTH_TOKEN_PATH) and
    /// [`OAUTH_REVOKE_PATH`](crate::OAUTH_REVOKE_PATH) whether its Basic client
    /// credentials were right (even when
    /// [`fail_token_requests`](crate::TestServer::fail_token_requests) failed it).
    pub authenticated: bool,
    /// The scheme named by the request's `Authorization` header (whether or not the
    /// credentials were accepted); `None` without one, or for another scheme.
    pub auth: Option<AuthScheme>,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The parsed `Authorization: Digest …` header, if present and parsable.
    pub fn authorization(&self) -> Option<DigestAuthorization> {
        self.header("authorization")
            .and_then(DigestAuthorization::parse)
    }

    /// The token of an `Authorization: Bearer <token>` header, if present.
    pub fn bearer_token(&self) -> Option<&str> {
        self.header("authorization").and_then(oauth::bearer_token)
    }

    /// The client id and secret of an `Authorization: Basic …` header (each
    /// form-urlencoded decoded, as RFC 6749 §2.3.1 has it), if present and parsable.
    pub fn basic_credentials(&self) -> Option<(String, String)> {
        self.header("authorization")
            .and_then(oauth::basic_credentials)
    }

    /// The request target as sent: path plus `?query` (what a Digest `uri` must equal).
    pub fn path_and_query(&self) -> String {
        match &self.query {
            Some(query) => format!("{}?{}", self.path, query),
            None => self.path.clone(),
        }
    }
}
