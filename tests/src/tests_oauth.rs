//! End-to-end tests of the Service Account (OAuth 2.0 client credentials) support over
//! loopback HTTP: the token and revocation endpoints, and bearer tokens on both API
//! families beside Digest.

use crate::tests::{Reply, Session};
use crate::*;
use base64::Engine as _;
use reqwest::Method;
use serde_json::Value;
use std::time::Duration;

const G: &str = TEST_GROUP_ID;

fn base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}
const FORM: &str = "application/x-www-form-urlencoded";
const GRANT: &str = "grant_type=client_credentials";
const INVALID_CLIENT: &str =
    r#"{"error":"invalid_client","error_description":"Invalid credentials provided."}"#;
const SERVER_ERROR: &str = r#"{"error":"server_error","error_description":"Unexpected error."}"#;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

fn v1_list() -> String {
    format!("{V1_PATH}/groups/{G}/privateEndpoint")
}

fn v2_list() -> String {
    format!("{V2_PATH}/groups/{G}/privateEndpoint/AWS/endpointService")
}

/// `application/x-www-form-urlencoded` encoding of one value (RFC 6749 Appendix B).
fn form_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))`.
fn basic(id: &str, secret: &str) -> String {
    let pair = format!("{}:{}", form_encode(id), form_encode(secret));
    format!("Basic {}", base64(pair.as_bytes()))
}

fn test_basic() -> String {
    basic(TEST_CLIENT_ID, TEST_CLIENT_SECRET)
}

/// One request with optional `Authorization`, `Content-Type`, `Accept` and body.
async fn send(
    server: &TestServer,
    method: Method,
    path: &str,
    authorization: Option<&str>,
    content_type: Option<&str>,
    accept: Option<&str>,
    body: Option<&str>,
) -> Reply {
    let mut request = client().request(method, server.url(path));
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    if let Some(body) = body {
        request = request.body(body.to_owned());
    }
    let response = request.send().await.expect("request sent");
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.expect("body read"),
    }
}

/// `POST /api/oauth/token` with a form body.
async fn token_request(server: &TestServer, authorization: Option<&str>, body: &str) -> Reply {
    send(
        server,
        Method::POST,
        OAUTH_TOKEN_PATH,
        authorization,
        Some(FORM),
        Some("application/json"),
        Some(body),
    )
    .await
}

/// A fresh access token from the token endpoint.
async fn fetch_token(server: &TestServer) -> String {
    let reply = token_request(server, Some(&test_basic()), GRANT).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// `POST /api/oauth/revoke` of `token`.
async fn revoke(server: &TestServer, authorization: Option<&str>, token: &str) -> Reply {
    let body = format!("token={}&token_type_hint=access_token", form_encode(token));
    send(
        server,
        Method::POST,
        OAUTH_REVOKE_PATH,
        authorization,
        Some(FORM),
        None,
        Some(&body),
    )
    .await
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A bearer-authenticated v1.0 `GET`.
async fn v1_get(server: &TestServer, token: &str) -> Reply {
    send(
        server,
        Method::GET,
        &v1_list(),
        Some(&bearer(token)),
        None,
        None,
        None,
    )
    .await
}

/// A bearer-authenticated v2 `GET` with the v2 `Accept`.
async fn v2_get(server: &TestServer, token: &str) -> Reply {
    send(
        server,
        Method::GET,
        &v2_list(),
        Some(&bearer(token)),
        None,
        Some(V2_MEDIA_TYPE),
        None,
    )
    .await
}

fn assert_oauth_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let json = reply.json();
    assert_eq!(json["error"], code, "{}", reply.body);
    assert!(json["error_description"].is_string(), "{}", reply.body);
    assert_eq!(json.as_object().map(serde_json::Map::len), Some(2));
}

fn assert_invalid_client(reply: &Reply) {
    assert_oauth_error(reply, 401, "invalid_client");
    assert_eq!(reply.body, INVALID_CLIENT);
    assert_eq!(
        reply.header("www-authenticate"),
        Some(r#"Basic realm="MongoDB Atlas""#)
    );
}

/// The 401 of a rejected bearer token, with `detail`.
fn assert_bearer_rejected(reply: &Reply, detail: &str) {
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(
        reply.header("www-authenticate"),
        Some(r#"Bearer error="invalid_token""#)
    );
    assert_eq!(
        reply.body,
        format!(
            r#"{{"detail":"{detail}","error":401,"errorCode":"INVALID_ACCESS_TOKEN","parameters":[],"reason":"Unauthorized"}}"#
        )
    );
}

const EXPIRED: &str = "The access token has expired.";
const REVOKED: &str = "The access token has been revoked.";
const INVALID: &str = "The access token is invalid.";

// ---------------------------------------------------------------- token endpoint

#[tokio::test]
async fn token_success_fields_and_headers() {
    let server = TestServer::start().await;
    let reply = token_request(&server, Some(&test_basic()), GRANT).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("pragma"), Some("no-cache"));
    let json = reply.json();
    let keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["access_token", "expires_in", "token_type"]);
    assert_eq!(json["expires_in"], 3600);
    assert_eq!(json["token_type"], "Bearer");
    let token = json["access_token"].as_str().expect("token");
    assert!(token.len() >= 40, "{token}");
    assert!(
        token
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
        "{token}"
    );
    let second = fetch_token(&server).await;
    assert_ne!(token, second);
    assert_eq!(server.tokens_issued(), 2);
    assert_eq!(server.token_requests(), 2);
    assert_eq!(server.challenges_issued(), 0);

    let recorded = server.requests();
    assert_eq!(recorded.len(), 2);
    let first = recorded.first().expect("recorded");
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, OAUTH_TOKEN_PATH);
    assert_eq!(first.body, GRANT.as_bytes());
    assert!(first.authenticated);
    assert_eq!(first.auth, Some(AuthScheme::Basic));
    assert_eq!(
        first.basic_credentials(),
        Some((TEST_CLIENT_ID.to_owned(), TEST_CLIENT_SECRET.to_owned()))
    );
    assert_eq!(first.bearer_token(), None);
}

#[tokio::test]
async fn expires_in_follows_the_configured_lifetime() {
    let server = TestServer::start_with(ServerConfig {
        token_lifetime: Duration::from_millis(2500),
        ..ServerConfig::default()
    })
    .await;
    let reply = token_request(&server, Some(&test_basic()), GRANT).await;
    assert_eq!(reply.json()["expires_in"], 2);
}

#[tokio::test]
async fn percent_encoded_credentials_are_decoded() {
    let id = "my client:1";
    let secret = "s€c+r/t%&=~ x";
    let server = TestServer::start_with(ServerConfig {
        client_id: id.to_owned(),
        client_secret: secret.to_owned(),
        ..ServerConfig::default()
    })
    .await;
    let reply = token_request(&server, Some(&basic(id, secret)), GRANT).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // Sent raw (not form-encoded), `+` would decode to a space and `%&=` is no escape.
    let raw = format!("Basic {}", base64(format!("{id}:{secret}").as_bytes()));
    assert_invalid_client(&token_request(&server, Some(&raw), GRANT).await);
    // Percent-encoding every byte works too (lower-case hex included).
    let all: String = secret.bytes().map(|b| format!("%{b:02x}")).collect();
    let header = format!(
        "Basic {}",
        base64(format!("{}:{all}", form_encode(id)).as_bytes())
    );
    assert_eq!(
        token_request(&server, Some(&header), GRANT).await.status,
        200
    );
    assert_eq!(server.tokens_issued(), 2);
    assert_eq!(server.token_requests(), 3);

    // Plain default credentials need no encoding.
    let server = TestServer::start().await;
    let plain = format!(
        "Basic {}",
        base64(format!("{TEST_CLIENT_ID}:{TEST_CLIENT_SECRET}").as_bytes())
    );
    assert_eq!(
        token_request(&server, Some(&plain), GRANT).await.status,
        200
    );
}

#[tokio::test]
async fn token_errors() {
    let server = TestServer::start().await;
    let good = test_basic();
    let wrong_secret = basic(TEST_CLIENT_ID, "nope");
    let wrong_id = basic("mdb_sa_id_other", TEST_CLIENT_SECRET);
    let no_colon = format!("Basic {}", base64(TEST_CLIENT_ID.as_bytes()));
    let bearer_scheme = format!(
        "Bearer {}",
        base64(format!("{TEST_CLIENT_ID}:{TEST_CLIENT_SECRET}").as_bytes())
    );
    for authorization in [
        None,
        Some(wrong_secret.as_str()),
        Some(wrong_id.as_str()),
        Some(no_colon.as_str()),
        Some("Basic !!!not-base64!!!"),
        Some("Basic"),
        Some(bearer_scheme.as_str()),
    ] {
        let reply = token_request(&server, authorization, GRANT).await;
        assert_invalid_client(&reply);
    }

    // Wrong or missing content type.
    for content_type in [Some("application/json"), Some("text/plain"), None] {
        let reply = send(
            &server,
            Method::POST,
            OAUTH_TOKEN_PATH,
            Some(&good),
            content_type,
            None,
            Some(GRANT),
        )
        .await;
        assert_oauth_error(&reply, 400, "invalid_request");
    }
    // Parameters and case of the content type are fine.
    let reply = send(
        &server,
        Method::POST,
        OAUTH_TOKEN_PATH,
        Some(&good),
        Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
        None,
        Some(GRANT),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    for body in [
        "",
        "scope=x",
        "grant_type=",
        "grant_type=client_credentials&grant_type=client_credentials",
    ] {
        let reply = token_request(&server, Some(&good), body).await;
        assert_oauth_error(&reply, 400, "invalid_request");
    }
    for body in ["grant_type=password", "grant_type=refresh_token&x=1"] {
        let reply = token_request(&server, Some(&good), body).await;
        assert_oauth_error(&reply, 400, "unsupported_grant_type");
    }
    // Extra parameters are ignored; `+`/`%` decoding applies to the body too.
    let reply = token_request(
        &server,
        Some(&good),
        "scope=a+b&grant_type=client%5Fcredentials",
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // Other methods.
    let reply = send(
        &server,
        Method::GET,
        OAUTH_TOKEN_PATH,
        Some(&good),
        None,
        None,
        None,
    )
    .await;
    assert_oauth_error(&reply, 405, "invalid_request");
    assert_eq!(reply.header("allow"), Some("POST"));

    assert_eq!(server.tokens_issued(), 2);
    assert_eq!(server.token_requests(), 7 + 3 + 1 + 4 + 2 + 1 + 1);
    assert_eq!(server.challenges_issued(), 0);
    assert_eq!(server.bearer_rejections(), 0);
    let recorded = server.requests();
    assert_eq!(recorded.len(), server.token_requests());
    assert!(!recorded.first().expect("first").authenticated);
    assert_eq!(recorded.first().expect("first").auth, None);
    assert_eq!(
        recorded.get(1).map(|r| (r.authenticated, r.auth)),
        Some((false, Some(AuthScheme::Basic)))
    );
    assert_eq!(
        recorded.get(6).map(|r| r.auth),
        Some(Some(AuthScheme::Bearer))
    );
}

#[tokio::test]
async fn failure_hook_for_retries() {
    let server = TestServer::start().await;
    let good = test_basic();
    server.fail_token_requests(2, 429);
    for _ in 0..2 {
        let reply = token_request(&server, Some(&good), GRANT).await;
        assert_oauth_error(&reply, 429, "rate_limit_exceeded");
        assert_eq!(reply.header("retry-after"), Some("0"));
    }
    assert_eq!(token_request(&server, Some(&good), GRANT).await.status, 200);

    for status in [500, 503] {
        server.fail_token_requests(1, status);
        let reply = token_request(&server, Some(&good), GRANT).await;
        assert_oauth_error(&reply, status, "server_error");
        assert_eq!(reply.body, SERVER_ERROR);
        assert_eq!(reply.header("retry-after"), None);
        assert_eq!(token_request(&server, Some(&good), GRANT).await.status, 200);
    }

    // Before the credential check; not a valid error status: 500.
    server.fail_token_requests(1, 200);
    let reply = token_request(&server, None, GRANT).await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.body, SERVER_ERROR);
    server.fail_token_requests(1, 401);
    assert_invalid_client(&token_request(&server, Some(&good), GRANT).await);
    server.fail_token_requests(1, 403);
    assert_oauth_error(
        &token_request(&server, Some(&good), GRANT).await,
        403,
        "invalid_request",
    );

    // Zero clears the hook; the revocation endpoint is not affected.
    server.fail_token_requests(3, 503);
    server.fail_token_requests(0, 503);
    assert_eq!(token_request(&server, Some(&good), GRANT).await.status, 200);
    server.fail_token_requests(1, 503);
    assert_eq!(revoke(&server, Some(&good), "x").await.status, 200);
    assert_eq!(token_request(&server, Some(&good), GRANT).await.status, 503);

    assert_eq!(server.tokens_issued(), 4);
    assert_eq!(server.token_requests(), 12);
    assert_eq!(server.revocations(), 1);
    // A hook-failed request with the right credentials still records them as right.
    let last = server.requests().pop().expect("recorded");
    assert!(last.authenticated);
    assert_eq!(last.auth, Some(AuthScheme::Basic));
}

// ---------------------------------------------------------------- bearer on the API

#[tokio::test]
async fn bearer_is_accepted_on_v1_and_v2() {
    let server = TestServer::start_with(ServerConfig {
        polls_until_ready: 0,
        ..ServerConfig::default()
    })
    .await;
    let token = fetch_token(&server).await;

    let reply = v1_get(&server, &token).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body, "[]");
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("ratelimit-limit"), Some("4000"));

    let create = send(
        &server,
        Method::POST,
        &format!("{V2_PATH}/groups/{G}/privateEndpoint/endpointService"),
        Some(&bearer(&token)),
        Some(V2_MEDIA_TYPE),
        Some(V2_MEDIA_TYPE),
        Some(r#"{"providerName":"AWS","region":"us-east-1"}"#),
    )
    .await;
    assert_eq!(create.status, 200, "{}", create.body);
    assert_eq!(create.header("content-type"), Some(V2_MEDIA_TYPE));
    let reply = v2_get(&server, &token).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some(V2_MEDIA_TYPE));
    assert_eq!(reply.json().as_array().map(Vec::len), Some(1));

    // The v2 media-type checks apply as with Digest.
    let reply = send(
        &server,
        Method::GET,
        &v2_list(),
        Some(&bearer(&token)),
        None,
        Some("application/json"),
        None,
    )
    .await;
    assert_eq!(reply.status, 406, "{}", reply.body);

    // So do faults and canned answers.
    server.set_fault_for(Fault::InternalError, 1);
    assert_eq!(v1_get(&server, &token).await.status, 500);
    assert_eq!(v1_get(&server, &token).await.status, 200);
    server.serve_verbatim_once(&v2_list(), 200, Value::Array(vec![]));
    let reply = v2_get(&server, &token).await;
    assert_eq!(reply.body, "[]");
    // Unknown paths answer 404 once authenticated.
    let reply = send(
        &server,
        Method::GET,
        "/api/atlas/v3/x",
        Some(&bearer(&token)),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(reply.status, 404);

    // Scheme name case-insensitive.
    let reply = send(
        &server,
        Method::GET,
        &v1_list(),
        Some(&format!("bearer {token}")),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(reply.status, 200);

    assert_eq!(server.bearer_rejections(), 0);
    assert_eq!(server.challenges_issued(), 0);
    let api: Vec<RecordedRequest> = server
        .requests()
        .into_iter()
        .filter(|r| r.path != OAUTH_TOKEN_PATH)
        .collect();
    assert_eq!(api.len(), 9);
    assert!(api.iter().all(|r| r.authenticated));
    assert!(api.iter().all(|r| r.auth == Some(AuthScheme::Bearer)));
    assert!(api.iter().all(|r| r.bearer_token() == Some(token.as_str())));
}

#[tokio::test]
async fn issued_tokens_work_without_the_endpoint() {
    let server = TestServer::start().await;
    let token = server.issue_token();
    assert!(token.len() >= 40);
    assert_ne!(token, server.issue_token());
    assert_eq!(v1_get(&server, &token).await.status, 200);
    assert_eq!(v2_get(&server, &token).await.status, 200);
    assert_eq!(server.tokens_issued(), 0);
    assert_eq!(server.token_requests(), 0);
}

#[tokio::test]
async fn expired_token_is_rejected() {
    // Tokens as old as their lifetime are expired: with no lifetime, at once. (That a token
    // works until then is `oauth::unit::a_token_expires_once_it_is_as_old_as_its_lifetime`.)
    let server = TestServer::start_with(ServerConfig {
        token_lifetime: Duration::ZERO,
        ..ServerConfig::default()
    })
    .await;
    let reply = token_request(&server, Some(&test_basic()), GRANT).await;
    assert_eq!(reply.json()["expires_in"], 0);
    let token = reply.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_bearer_rejected(&v1_get(&server, &token).await, EXPIRED);
    assert_bearer_rejected(&v2_get(&server, &token).await, EXPIRED);
    assert_eq!(server.bearer_rejections(), 2);
    assert_eq!(server.challenges_issued(), 0);
    let last = server.requests().pop().expect("recorded");
    assert!(!last.authenticated);
    assert_eq!(last.auth, Some(AuthScheme::Bearer));
    // (That expiry is per token, and a fresh token works: `expire_all_tokens_expires_the_issued_ones`.)
}

#[tokio::test]
async fn set_token_expires_in_changes_the_answer_but_not_the_lifetime() {
    let server = TestServer::start().await;
    server.set_token_expires_in(Some(0));
    let reply = token_request(&server, Some(&test_basic()), GRANT).await;
    assert_eq!(reply.json()["expires_in"], 0);
    let token = reply.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    // Still valid for the configured hour.
    assert_eq!(v1_get(&server, &token).await.status, 200);
    server.set_token_expires_in(None);
    let reply = token_request(&server, Some(&test_basic()), GRANT).await;
    assert_eq!(reply.json()["expires_in"], 3600);
    assert_eq!(server.bearer_rejections(), 0);
}

#[tokio::test]
async fn expire_all_tokens_expires_the_issued_ones() {
    let server = TestServer::start().await;
    let fetched = fetch_token(&server).await;
    let minted = server.issue_token();
    server.expire_all_tokens();
    assert_bearer_rejected(&v1_get(&server, &fetched).await, EXPIRED);
    assert_bearer_rejected(&v2_get(&server, &minted).await, EXPIRED);
    let fresh = fetch_token(&server).await;
    assert_eq!(v1_get(&server, &fresh).await.status, 200);
    assert_eq!(server.bearer_rejections(), 2);
}

#[tokio::test]
async fn revoked_token_is_rejected() {
    let server = TestServer::start().await;
    let good = test_basic();
    let token = fetch_token(&server).await;
    let other = fetch_token(&server).await;
    assert_eq!(v1_get(&server, &token).await.status, 200);

    let reply = revoke(&server, Some(&good), &token).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body, "");
    assert_eq!(reply.header("content-type"), None);
    assert_bearer_rejected(&v1_get(&server, &token).await, REVOKED);
    assert_bearer_rejected(&v2_get(&server, &token).await, REVOKED);
    // Only that token.
    assert_eq!(v1_get(&server, &other).await.status, 200);
    // Again, and an unknown token: 200 (RFC 7009 §2.2).
    assert_eq!(revoke(&server, Some(&good), &token).await.status, 200);
    assert_eq!(
        revoke(&server, Some(&good), "never-issued").await.status,
        200
    );

    // Errors.
    assert_invalid_client(&revoke(&server, None, &other).await);
    assert_invalid_client(&revoke(&server, Some(&basic(TEST_CLIENT_ID, "x")), &other).await);
    let reply = send(
        &server,
        Method::POST,
        OAUTH_REVOKE_PATH,
        Some(&good),
        Some(FORM),
        None,
        Some("token_type_hint=access_token"),
    )
    .await;
    assert_oauth_error(&reply, 400, "invalid_request");
    let reply = send(
        &server,
        Method::POST,
        OAUTH_REVOKE_PATH,
        Some(&good),
        Some("application/json"),
        None,
        Some(&format!("token={other}")),
    )
    .await;
    assert_oauth_error(&reply, 400, "invalid_request");
    let reply = send(
        &server,
        Method::DELETE,
        OAUTH_REVOKE_PATH,
        Some(&good),
        None,
        None,
        None,
    )
    .await;
    assert_oauth_error(&reply, 405, "invalid_request");
    assert_eq!(v1_get(&server, &other).await.status, 200);

    assert_eq!(server.revocations(), 3);
    assert_eq!(server.token_requests(), 2);
    assert_eq!(server.tokens_issued(), 2);
    assert_eq!(server.bearer_rejections(), 2);
    let recorded = server.requests();
    let revokes: Vec<&RecordedRequest> = recorded
        .iter()
        .filter(|r| r.path == OAUTH_REVOKE_PATH)
        .collect();
    assert_eq!(revokes.len(), 8);
    assert_eq!(
        revokes.first().map(|r| (r.authenticated, r.auth)),
        Some((true, Some(AuthScheme::Basic)))
    );
}

#[tokio::test]
async fn revoke_all_tokens_rejects_every_issued_token() {
    let server = TestServer::start().await;
    let first = fetch_token(&server).await;
    let second = fetch_token(&server).await;
    let minted = server.issue_token();
    server.revoke_all_tokens();
    for token in [&first, &second, &minted] {
        assert_bearer_rejected(&v1_get(&server, token).await, REVOKED);
    }
    assert_bearer_rejected(&v2_get(&server, &first).await, REVOKED);
    let fresh = fetch_token(&server).await;
    assert_eq!(v2_get(&server, &fresh).await.status, 200);
    assert_eq!(server.bearer_rejections(), 4);
    assert_eq!(server.revocations(), 0);
    assert_eq!(server.tokens_issued(), 3);
}

#[tokio::test]
async fn unknown_or_empty_bearer_tokens_are_rejected() {
    let server = TestServer::start().await;
    assert_bearer_rejected(&v1_get(&server, "not-a-token").await, INVALID);
    for authorization in ["Bearer", "Bearer   "] {
        let reply = send(
            &server,
            Method::GET,
            &v1_list(),
            Some(authorization),
            None,
            None,
            None,
        )
        .await;
        assert_bearer_rejected(&reply, INVALID);
    }
    // The client credentials are not an access token.
    assert_bearer_rejected(&v1_get(&server, TEST_CLIENT_SECRET).await, INVALID);
    // The 401 is never enveloped, and uses no fault budget.
    server.set_fault_for(Fault::InternalError, 1);
    let reply = send(
        &server,
        Method::GET,
        &format!("{}?envelope=true", v1_list()),
        Some("Bearer nope"),
        None,
        None,
        None,
    )
    .await;
    assert_bearer_rejected(&reply, INVALID);
    assert_eq!(server.fault(), Some(Fault::InternalError));
    server.set_fault(None);
    assert_eq!(server.bearer_rejections(), 5);
    assert_eq!(server.challenges_issued(), 0);
}

// ---------------------------------------------------------------- Digest beside bearer

#[tokio::test]
async fn digest_still_works_beside_bearer() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    let reply = session.get(&v1_list()).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(server.challenges_issued(), 1);

    let token = fetch_token(&server).await;
    assert_eq!(v1_get(&server, &token).await.status, 200);
    // The same nonce keeps working between bearer requests.
    assert_eq!(session.get(&v1_list()).await.status, 200);
    assert_eq!(server.challenges_issued(), 1);

    // No Authorization, or Basic on an API path: a Digest challenge.
    for authorization in [None, Some(test_basic())] {
        let reply = send(
            &server,
            Method::GET,
            &v1_list(),
            authorization.as_deref(),
            None,
            None,
            None,
        )
        .await;
        assert_eq!(reply.status, 401);
        assert!(
            reply
                .header("www-authenticate")
                .is_some_and(|h| h.starts_with("Digest realm=\"MMS Public API\"")),
            "{:?}",
            reply.header("www-authenticate")
        );
        assert_eq!(
            reply.body,
            r#"{"error":401,"reason":"Unauthorized","detail":"You are not authorized for this resource."}"#
        );
    }
    assert_eq!(server.challenges_issued(), 3);
    assert_eq!(server.bearer_rejections(), 0);

    let recorded = server.requests();
    let digest: Vec<&RecordedRequest> = recorded
        .iter()
        .filter(|r| r.auth == Some(AuthScheme::Digest))
        .collect();
    assert_eq!(digest.len(), 2);
    assert!(digest.iter().all(|r| r.authenticated));
    // The first request of the session was the unauthenticated challenge request.
    assert_eq!(recorded.first().map(|r| r.auth), Some(None));
}

#[tokio::test]
async fn faults_and_the_oauth_endpoints() {
    let server = TestServer::start().await;
    let token = server.issue_token();
    // UnauthorizedWithoutChallenge answers every API request, bearer ones included.
    server.set_fault(Some(Fault::UnauthorizedWithoutChallenge));
    let reply = v1_get(&server, &token).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("www-authenticate"), None);
    // The OAuth endpoints ignore faults.
    server.set_fault(Some(Fault::InternalError));
    assert_eq!(fetch_token(&server).await.len(), 64);
    assert_eq!(revoke(&server, Some(&test_basic()), "x").await.status, 200);
    assert_eq!(v1_get(&server, &token).await.status, 500);
    server.set_fault(None);
    assert_eq!(server.bearer_rejections(), 0);
    // The OAuth endpoints are not under the API prefixes and need no Digest.
    assert_eq!(server.challenges_issued(), 0);
}
