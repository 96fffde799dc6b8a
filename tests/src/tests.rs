//! End-to-end tests of the server over loopback HTTP, with hand-signed Digest requests: Digest
//! authentication, faults, recording and the server's lifetime (on v1.0 paths), and the
//! helpers the other `tests_*` modules use. The resources of each API family are tested in
//! `tests_connections.rs` (v1.0) and `tests_endpoint_services.rs` (v2); Service Accounts in
//! `tests_oauth.rs`.

use crate::digest::parse_params;
use crate::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub(crate) const G: &str = TEST_GROUP_ID;
const UNAUTHORIZED: &str =
    r#"{"error":401,"reason":"Unauthorized","detail":"You are not authorized for this resource."}"#;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

/// An answer, fully read.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The parameters of the `WWW-Authenticate: Digest …` challenge.
    fn challenge(&self) -> Vec<(String, String)> {
        let value = self.header("www-authenticate").expect("a challenge");
        let params = value.strip_prefix("Digest ").expect("Digest scheme");
        parse_params(params).expect("parsable challenge")
    }

    fn challenge_param(&self, name: &str) -> String {
        self.challenge()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("no {name} in challenge"))
    }
}

/// Sends one request; `path_and_query` starts with the family prefix ([`V1_PATH`], …).
async fn send(
    client: &reqwest::Client,
    server: &TestServer,
    method: Method,
    path_and_query: &str,
    body: Option<&str>,
    authorization: Option<String>,
    extra_headers: &[(String, String)],
) -> Reply {
    let mut request = client.request(method, server.url(path_and_query));
    let has_content_type = extra_headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
    for (name, value) in extra_headers {
        request = request.header(name.as_str(), value.as_str());
    }
    if let Some(body) = body {
        if !has_content_type {
            request = request.header("content-type", "application/json");
        }
        request = request.body(body.to_owned());
    }
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.expect("body read");
    Reply {
        status,
        headers,
        body,
    }
}

/// A Digest client that reuses one nonce with increasing `nc`, like diqwest.
pub(crate) struct Session<'a> {
    pub(crate) server: &'a TestServer,
    pub(crate) client: reqwest::Client,
    username: String,
    password: String,
    pub(crate) nonce: Option<String>,
    pub(crate) nc: u32,
    /// Sent with every request (e.g. the v2 `Accept`); a `content-type` here replaces the
    /// default `application/json` of a body.
    pub(crate) headers: Vec<(String, String)>,
}

impl<'a> Session<'a> {
    pub(crate) fn new(server: &'a TestServer) -> Session<'a> {
        Session::with_keys(server, TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
    }

    fn with_keys(server: &'a TestServer, username: &str, password: &str) -> Session<'a> {
        Session {
            server,
            client: client(),
            username: username.to_owned(),
            password: password.to_owned(),
            nonce: None,
            nc: 0,
            headers: Vec::new(),
        }
    }

    /// Gets a fresh challenge with an unauthenticated request.
    pub(crate) async fn challenge(&mut self) -> Reply {
        let reply = self.raw(Method::GET, &list_path(G), None, None).await;
        assert_eq!(reply.status, 401);
        self.nonce = Some(reply.challenge_param("nonce"));
        self.nc = 0;
        reply
    }

    /// The Authorization header for the next request (`nc` incremented).
    pub(crate) fn sign(&mut self, method: &Method, path_and_query: &str) -> String {
        self.nc += 1;
        self.sign_with_nc(method, path_and_query, self.nc)
    }

    fn sign_with_nc(&self, method: &Method, path_and_query: &str, nc: u32) -> String {
        DigestAuthorization::sign(
            method.as_str(),
            path_and_query,
            &self.username,
            &self.password,
            REALM,
            self.nonce.as_deref().expect("challenge first"),
            nc,
            "0a4f113b0a4f113b",
        )
        .to_header_value()
    }

    pub(crate) async fn raw(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&str>,
        authorization: Option<String>,
    ) -> Reply {
        send(
            &self.client,
            self.server,
            method,
            path_and_query,
            body,
            authorization,
            &self.headers,
        )
        .await
    }

    /// A signed request (fetching a challenge first if needed).
    pub(crate) async fn call(
        &mut self,
        method: Method,
        path_and_query: &str,
        body: Option<&str>,
    ) -> Reply {
        if self.nonce.is_none() {
            self.challenge().await;
        }
        let authorization = self.sign(&method, path_and_query);
        self.raw(method, path_and_query, body, Some(authorization))
            .await
    }

    pub(crate) async fn get(&mut self, path_and_query: &str) -> Reply {
        self.call(Method::GET, path_and_query, None).await
    }

    pub(crate) async fn post(&mut self, path_and_query: &str, body: &str) -> Reply {
        self.call(Method::POST, path_and_query, Some(body)).await
    }

    pub(crate) async fn delete(&mut self, path_and_query: &str) -> Reply {
        self.call(Method::DELETE, path_and_query, None).await
    }

    /// Creates a connection in `region` and returns its id.
    pub(crate) async fn create(&mut self, region: &str) -> String {
        let reply = self
            .post(
                &list_path(G),
                &format!(r#"{{"providerName":"AWS","region":"{region}"}}"#),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()["id"].as_str().expect("id").to_owned()
    }
}

pub(crate) fn list_path(group: &str) -> String {
    format!("{V1_PATH}/groups/{group}/privateEndpoint")
}

pub(crate) fn conn_path(id: &str) -> String {
    format!("{V1_PATH}/groups/{G}/privateEndpoint/{id}")
}

pub(crate) fn iface_path(id: &str, iface: &str) -> String {
    format!("{V1_PATH}/groups/{G}/privateEndpoint/{id}/interfaceEndpoints/{iface}")
}

pub(crate) fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

// ---------------------------------------------------------------- Digest

#[tokio::test]
async fn challenge_header_and_body_are_exactly_atlas() {
    let server = TestServer::start().await;
    let client = client();
    let reply = send(
        &client,
        &server,
        Method::GET,
        &list_path(G),
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.body, UNAUTHORIZED);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let header = reply.header("www-authenticate").expect("challenge");
    let nonce = reply.challenge_param("nonce");
    assert_eq!(
        header,
        format!(
            r#"Digest realm="MMS Public API", domain="", nonce="{nonce}", algorithm=MD5, qop="auth", stale=false"#
        )
    );
    assert_eq!(nonce.len(), 32);
    assert!(nonce.contains('+') && nonce.contains('/'), "{nonce}");
    assert_eq!(server.challenges_issued(), 1);

    // Every challenge carries a new nonce.
    let again = send(
        &client,
        &server,
        Method::GET,
        &list_path(G),
        None,
        None,
        &[],
    )
    .await;
    assert_ne!(again.challenge_param("nonce"), nonce);
    assert_eq!(server.challenges_issued(), 2);
    assert_eq!(server.request_count(), 2);
    assert!(server.requests().iter().all(|r| !r.authenticated));
}

#[tokio::test]
async fn signed_request_succeeds_and_nonce_is_reused_with_increasing_nc() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    let reply = session.get(&list_path(G)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, "[]");
    assert_eq!(reply.header("content-type"), Some("application/json"));
    // nc 2, then skipping to 5: strictly increasing is enough.
    assert_eq!(session.get(&list_path(G)).await.status, 200);
    session.nc = 4;
    assert_eq!(session.get(&list_path(G)).await.status, 200);
    assert_eq!(server.challenges_issued(), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert!(!requests[0].authenticated);
    assert!(requests[1..].iter().all(|r| r.authenticated));
    assert_eq!(
        requests[3].authorization().map(|a| a.nc),
        Some("00000005".to_owned())
    );
}

#[tokio::test]
async fn wrong_password_or_username_gets_a_fresh_challenge() {
    let server = TestServer::start().await;
    let mut session = Session::with_keys(&server, TEST_PUBLIC_KEY, "wrong");
    let reply = session.get(&list_path(G)).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.body, UNAUTHORIZED);
    assert_eq!(reply.challenge_param("stale"), "false");
    assert_ne!(Some(reply.challenge_param("nonce")), session.nonce);
    assert_eq!(server.challenges_issued(), 2);

    let mut session = Session::with_keys(&server, "someone-else", TEST_PRIVATE_KEY);
    assert_eq!(session.get(&list_path(G)).await.status, 401);
    assert!(server.requests().iter().all(|r| !r.authenticated));
}

#[tokio::test]
async fn replayed_or_lower_nc_is_refused() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    session.challenge().await;
    let path = list_path(G);
    let auth3 = session.sign_with_nc(&Method::GET, &path, 3);
    assert_eq!(
        session
            .raw(Method::GET, &path, None, Some(auth3.clone()))
            .await
            .status,
        200
    );
    // Replay of nc=3.
    let replay = session.raw(Method::GET, &path, None, Some(auth3)).await;
    assert_eq!(replay.status, 401);
    assert_eq!(replay.challenge_param("stale"), "false");
    // Lower nc.
    let auth2 = session.sign_with_nc(&Method::GET, &path, 2);
    assert_eq!(
        session
            .raw(Method::GET, &path, None, Some(auth2))
            .await
            .status,
        401
    );
    // A higher one still works on the same nonce.
    let auth4 = session.sign_with_nc(&Method::GET, &path, 4);
    assert_eq!(
        session
            .raw(Method::GET, &path, None, Some(auth4))
            .await
            .status,
        200
    );
    assert_eq!(server.challenges_issued(), 3);
}

#[tokio::test]
async fn uri_must_match_the_raw_request_target() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    session.challenge().await;
    // Signed for another path.
    let auth = session.sign(&Method::GET, &list_path("000000000000000000000000"));
    let reply = session
        .raw(Method::GET, &list_path(G), None, Some(auth))
        .await;
    assert_eq!(reply.status, 401);
    // Signed without the query that is sent.
    let auth = session.sign(&Method::GET, &list_path(G));
    let with_query = format!("{}?pretty=true", list_path(G));
    assert_eq!(
        session
            .raw(Method::GET, &with_query, None, Some(auth))
            .await
            .status,
        401
    );
    // Signed for another method.
    let auth = session.sign(&Method::POST, &list_path(G));
    assert_eq!(
        session
            .raw(Method::GET, &list_path(G), None, Some(auth))
            .await
            .status,
        401
    );
    // Signed with the query: fine.
    assert_eq!(session.get(&with_query).await.status, 200);
}

#[tokio::test]
async fn expired_nonce_is_refused_with_stale_true() {
    let server = TestServer::start_with(ServerConfig {
        nonce_max_age: Duration::from_millis(1),
        ..ServerConfig::default()
    })
    .await;
    let mut session = Session::new(&server);
    session.challenge().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let reply = session.get(&list_path(G)).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.body, UNAUTHORIZED);
    assert_eq!(reply.challenge_param("stale"), "true");
    assert!(
        reply
            .header("www-authenticate")
            .unwrap()
            .ends_with("stale=true")
    );

    // A wrong password on an expired nonce is not "stale".
    let mut wrong = Session::with_keys(&server, TEST_PUBLIC_KEY, "wrong");
    wrong.nonce = session.nonce.clone();
    let reply = wrong.get(&list_path(G)).await;
    assert_eq!(reply.challenge_param("stale"), "false");
}

#[tokio::test]
async fn expire_nonces_makes_the_issued_nonces_stale_at_once() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    assert_eq!(session.get(&list_path(G)).await.status, 200);
    server.expire_nonces();
    let reply = session.get(&list_path(G)).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.challenge_param("stale"), "true");
    // The new nonce is fresh.
    session.nonce = Some(reply.challenge_param("nonce"));
    session.nc = 0;
    assert_eq!(session.get(&list_path(G)).await.status, 200);
    assert_eq!(server.challenges_issued(), 2);
}

#[tokio::test]
async fn unknown_nonce_and_malformed_authorization_get_a_challenge() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    session.nonce = Some("never+issued/by+this+server=====".to_owned());
    assert_eq!(session.get(&list_path(G)).await.status, 401);

    session.challenge().await;
    let nonce = session.nonce.clone().unwrap();
    let uri = list_path(G);
    let good = DigestAuthorization::sign(
        "GET",
        &uri,
        TEST_PUBLIC_KEY,
        TEST_PRIVATE_KEY,
        REALM,
        &nonce,
        1,
        "abc",
    );
    let mut variants: Vec<String> = vec![
        "Basic dGVzdDp0ZXN0".into(),
        "Digest".into(),
        "Digest username=\"unterminated".into(),
        "Digest ,,,===,,".into(),
        "Digest username=\"caf\u{e9}\", realm=\"\u{2603}\"".into(),
    ];
    let mut bad_nc = good.clone();
    bad_nc.nc = "1".into();
    variants.push(bad_nc.to_header_value());
    let mut bad_qop = good.clone();
    bad_qop.qop = "auth-int".into();
    variants.push(bad_qop.to_header_value());
    let mut bad_algorithm = good.clone();
    bad_algorithm.algorithm = Some("SHA-256".into());
    variants.push(bad_algorithm.to_header_value());
    let mut bad_realm = good.clone();
    bad_realm.realm = "Other".into();
    variants.push(bad_realm.to_header_value());
    let mut no_cnonce = good.clone();
    no_cnonce.cnonce = String::new();
    variants.push(no_cnonce.to_header_value());
    for authorization in variants {
        let reply = session
            .raw(
                Method::GET,
                &list_path(G),
                None,
                Some(authorization.clone()),
            )
            .await;
        assert_eq!(reply.status, 401, "{authorization}");
        assert!(reply.header("www-authenticate").is_some());
    }
    // The untouched header still works: none of the above consumed nc=1.
    let reply = session
        .raw(
            Method::GET,
            &list_path(G),
            None,
            Some(good.to_header_value()),
        )
        .await;
    assert_eq!(reply.status, 200);
    // Lowercase scheme, unquoted values, reordered parameters.
    let reordered = format!(
        "digest nc=00000002, cnonce=abc, qop=auth, response={}, uri=\"{uri}\", nonce=\"{nonce}\", realm=\"{REALM}\", username={TEST_PUBLIC_KEY}",
        DigestAuthorization::sign(
            "GET",
            &uri,
            TEST_PUBLIC_KEY,
            TEST_PRIVATE_KEY,
            REALM,
            &nonce,
            2,
            "abc"
        )
        .response
    );
    let reply = session
        .raw(Method::GET, &list_path(G), None, Some(reordered))
        .await;
    assert_eq!(reply.status, 200);
}

// ---------------------------------------------------------------- faults

#[tokio::test]
async fn error_faults() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);

    server.set_fault(Some(Fault::InternalError));
    let reply = session.get(&list_path(G)).await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(
        reply.body,
        r#"{"detail":"Unexpected error.","error":500,"errorCode":"UNEXPECTED_ERROR","parameters":[],"reason":"Internal Server Error"}"#
    );
    // Faults do not touch unauthenticated requests.
    let unauthenticated = session.raw(Method::GET, &list_path(G), None, None).await;
    assert_eq!(unauthenticated.status, 401);
    assert!(unauthenticated.header("www-authenticate").is_some());

    server.set_fault(Some(Fault::ServiceUnavailableHtml));
    let reply = session.get(&list_path(G)).await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.header("content-type"), Some("text/html"));
    assert!(reply.body.starts_with("<!DOCTYPE html>"));

    server.set_fault(Some(Fault::RateLimited {
        retry_after_secs: 7,
    }));
    for _ in 0..2 {
        let reply = session.get(&list_path(G)).await;
        assert_eq!(reply.status, 429);
        assert_eq!(reply.header("retry-after"), Some("7"));
        let json = reply.json();
        assert_eq!(json["errorCode"], "RATE_LIMITED");
        assert_eq!(json["reason"], "Too Many Requests");
        assert_eq!(json["error"], 429);
        assert!(json["detail"].as_str().unwrap().contains("is limited to"));
        assert!(json["parameters"].is_array());
    }

    // Nothing was created while faulted.
    server.set_fault(Some(Fault::InternalError));
    let body = r#"{"providerName":"AWS","region":"us-east-1"}"#;
    assert_eq!(session.post(&list_path(G), body).await.status, 500);
    assert!(server.connections(G).is_empty());

    server.set_fault(None);
    assert_eq!(server.fault(), None);
    assert_eq!(session.get(&list_path(G)).await.status, 200);
}

#[tokio::test]
async fn rate_limited_once_then_succeeds() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    session.challenge().await;
    server.set_fault_for(
        Fault::RateLimited {
            retry_after_secs: 2,
        },
        1,
    );
    // An unauthenticated request does not use it up.
    assert_eq!(
        session
            .raw(Method::GET, &list_path(G), None, None)
            .await
            .status,
        401
    );
    let reply = session.get(&list_path(G)).await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.header("retry-after"), Some("2"));
    assert_eq!(reply.json()["errorCode"], "RATE_LIMITED");
    assert_eq!(reply.header("ratelimit-remaining"), Some("0"));
    assert_eq!(server.fault(), None);
    let reply = session.get(&list_path(G)).await;
    assert_eq!(reply.status, 200);
    // Two authenticated requests so far (the 429 and this one).
    assert_eq!(reply.header("ratelimit-limit"), Some("4000"));
    assert_eq!(reply.header("ratelimit-remaining"), Some("3998"));
}

#[tokio::test]
async fn a_counted_fault_applies_to_that_many_requests() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    session.challenge().await;
    server.set_fault_for(Fault::ServiceUnavailableHtml, 2);
    assert_eq!(session.get(&list_path(G)).await.status, 503);
    assert_eq!(server.fault(), Some(Fault::ServiceUnavailableHtml));
    assert_eq!(session.get(&list_path(G)).await.status, 503);
    assert_eq!(server.fault(), None);
    assert_eq!(session.get(&list_path(G)).await.status, 200);
    server.set_fault_for(Fault::InternalError, 0);
    assert_eq!(server.fault(), None);
}

#[tokio::test]
async fn body_faults() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    let id = session.create("us-east-2").await;

    server.set_fault(Some(Fault::MalformedJson));
    let reply = session.get(&conn_path(&id)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert!(!reply.body.is_empty());
    assert!(
        serde_json::from_str::<Value>(&reply.body).is_err(),
        "{}",
        reply.body
    );

    server.set_fault(Some(Fault::EmptyBody));
    let reply = session.get(&conn_path(&id)).await;
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));
    assert_eq!(reply.header("content-type"), Some("application/json"));

    server.set_fault(Some(Fault::UnknownStatus("SOMETHING_NEW".into())));
    let reply = session.get(&conn_path(&id)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], "SOMETHING_NEW");
    assert_eq!(reply.json()["id"], id.as_str());
    assert_eq!(
        session.get(&list_path(G)).await.json()[0]["status"],
        "SOMETHING_NEW"
    );
    // Errors keep their body.
    let missing = session.get(&conn_path("000000000000000000000000")).await;
    assert_eq!(missing.json()["errorCode"], "RESOURCE_NOT_FOUND");

    server.set_fault(Some(Fault::ExtraFields));
    let json = session.get(&conn_path(&id)).await.json();
    assert_eq!(json["id"], id.as_str());
    assert!(json["status"].is_string());
    assert!(json["futureNestedObject"]["inner"].is_object());
    assert!(json["futureArray"].is_array());
    assert!(json["futureNumber"].is_number());
    let list = session.get(&list_path(G)).await.json();
    assert!(list[0]["futureNestedObject"].is_object());

    server.set_fault(None);
    // The faulted GETs still counted as polls: the connection is ready now.
    assert_eq!(
        session.get(&conn_path(&id)).await.json()["status"],
        "WAITING_FOR_USER"
    );
}

#[tokio::test]
async fn unknown_status_applies_to_interface_endpoints() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    let id = session.create("us-west-1").await;
    let vpce = "vpce-0123456789abcdef0";
    let interfaces = format!("{}/interfaceEndpoints", conn_path(&id));
    session
        .post(
            &interfaces,
            &format!(r#"{{"interfaceEndpointId":"{vpce}"}}"#),
        )
        .await;
    server.set_fault(Some(Fault::UnknownStatus("NONE".into())));
    let json = session.get(&iface_path(&id, vpce)).await.json();
    assert_eq!(json["connectionStatus"], "NONE");
}

#[tokio::test]
async fn delay_fault_waits_then_answers() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    session.challenge().await;
    server.set_fault(Some(Fault::Delay(Duration::from_millis(150))));
    let started = Instant::now();
    let reply = session.get(&list_path(G)).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!((reply.status, reply.body.as_str()), (200, "[]"));
    // The request was recorded before the delay.
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn no_answer_holds_the_request_until_the_client_gives_up() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    session.challenge().await;
    server.set_fault_for(Fault::NoAnswer, 1);
    let authorization = session.sign(&Method::GET, &list_path(G));
    let request = session
        .client
        .get(server.url(&list_path(G)))
        .header("authorization", authorization)
        .send();
    let held = tokio::spawn(request);
    // Recorded, then held: no answer comes.
    server.wait_for_requests(2).await;
    assert_eq!(server.abandoned_requests(), 0);
    assert!(!held.is_finished());
    // The client gives up: the server sees the connection close.
    held.abort();
    assert!(held.await.expect_err("aborted").is_cancelled());
    server.wait_for_abandoned_requests(1).await;
    assert_eq!(server.abandoned_requests(), 1);
    // The fault was used up: the next request is answered.
    assert_eq!(session.get(&list_path(G)).await.status, 200);
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn close_mid_response_truncates_the_body() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    let id = session.create("sa-east-1").await;
    server.set_fault(Some(Fault::CloseMidResponse));
    let authorization = session.sign(&Method::GET, &conn_path(&id));
    let response = session
        .client
        .get(server.url(&conn_path(&id)))
        .header("authorization", authorization)
        .send()
        .await
        .expect("headers arrive");
    assert_eq!(response.status().as_u16(), 200);
    let declared = response.content_length().expect("a Content-Length");
    let mut response = response;
    let mut received = 0;
    let mut failed = false;
    // Bounded: the body is well under 200 bytes.
    for _ in 0..200 {
        match response.chunk().await {
            Ok(Some(chunk)) => received += chunk.len() as u64,
            Ok(None) => break,
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    assert!(failed, "body must fail mid-way");
    assert!(
        received > 0 && received < declared,
        "{received} of {declared}"
    );

    // The server keeps working on new connections.
    server.set_fault(None);
    assert_eq!(session.get(&conn_path(&id)).await.status, 200);
}

#[tokio::test]
async fn unauthorized_without_challenge() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    session.challenge().await;
    server.set_fault(Some(Fault::UnauthorizedWithoutChallenge));
    for authorization in [None, Some(session.sign(&Method::GET, &list_path(G)))] {
        let reply = session
            .raw(Method::GET, &list_path(G), None, authorization)
            .await;
        assert_eq!(reply.status, 401);
        assert_eq!(reply.body, UNAUTHORIZED);
        assert_eq!(reply.header("www-authenticate"), None);
        assert_eq!(reply.header("content-type"), Some("application/json"));
    }
    assert_eq!(server.challenges_issued(), 1);
    server.set_fault(None);
    assert_eq!(session.get(&list_path(G)).await.status, 200);
}

#[tokio::test]
async fn garbage_challenge() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    session.challenge().await;
    server.set_fault(Some(Fault::GarbageChallenge));
    let reply = session.raw(Method::GET, &list_path(G), None, None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Digest @@garbage,,==")
    );
    assert_eq!(reply.body, UNAUTHORIZED);
    assert_eq!(server.challenges_issued(), 1);
    // A still-valid nonce keeps working.
    assert_eq!(session.get(&list_path(G)).await.status, 200);
}

// ---------------------------------------------------------------- recording & lifetime

#[tokio::test]
async fn requests_are_recorded_raw() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    session.challenge().await;
    let path = format!("{}?pretty=true&x=a%20b", list_path(G));
    let body = r#"{"providerName":"AWS","region":"ca-central-1"}"#;
    let authorization = session.sign(&Method::POST, &path);
    let response = session
        .client
        .post(server.url(&path))
        .header("content-type", "application/json")
        .header("X-Custom-Header", "Value")
        .header("authorization", authorization.clone())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let escaped = session.get(&conn_path("abc%2Fdef")).await;
    assert_eq!(escaped.status, 404);

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(first.method, "GET");
    assert!(!first.authenticated);
    assert_eq!(first.authorization(), None);

    let post = &requests[1];
    assert_eq!(post.method, "POST");
    assert_eq!(post.path, list_path(G));
    assert_eq!(post.query.as_deref(), Some("pretty=true&x=a%20b"));
    assert_eq!(post.path_and_query(), path);
    assert_eq!(post.header("x-custom-header"), Some("Value"));
    assert_eq!(post.header("Content-Type"), Some("application/json"));
    assert!(
        post.headers
            .iter()
            .all(|(k, _)| *k == k.to_ascii_lowercase())
    );
    assert_eq!(post.body, body.as_bytes());
    assert_eq!(
        post.body_json(),
        Some(json!({"providerName":"AWS","region":"ca-central-1"}))
    );
    assert!(post.authenticated);
    let auth = post.authorization().expect("parsed");
    assert_eq!(auth.username, TEST_PUBLIC_KEY);
    assert_eq!(auth.uri, post.path_and_query());
    assert_eq!(auth.nc, "00000001");
    assert_eq!(auth.to_header_value(), authorization);

    assert_eq!(
        requests[2].path,
        format!("{V1_PATH}/groups/{G}/privateEndpoint/abc%2Fdef")
    );
    assert_eq!(requests[2].query, None);
    assert_eq!(requests[2].body_json(), None);

    server.clear_requests();
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let server = TestServer::start().await;
    let addr = server.addr();
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    assert_eq!(server.base_url(), format!("http://{addr}"));
    assert_eq!(server.url("/x?y=1"), format!("http://{addr}/x?y=1"));
    assert_eq!(server.config(), &ServerConfig::default());
    // An idle connection, accepted before the drop: the server closes it when it stops.
    let mut idle = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    let state = std::sync::Arc::downgrade(&server.shared);
    drop(server);
    let mut buffer = [0_u8; 16];
    let read = tokio::io::AsyncReadExt::read(&mut idle, &mut buffer).await;
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    // The serving task has ended, taking the listener and the server's state with it.
    while state.strong_count() > 0 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn start_on_reports_bind_errors() {
    let server = TestServer::start().await;
    let taken = TestServer::start_on(server.addr(), ServerConfig::default()).await;
    assert!(taken.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sessions_and_shared_nonce_races() {
    let server = std::sync::Arc::new(TestServer::start().await);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let server = std::sync::Arc::clone(&server);
        tasks.push(tokio::spawn(async move {
            let mut session = Session::new(&server);
            let mut ok = 0;
            for _ in 0..5 {
                if session.get(&list_path(G)).await.status == 200 {
                    ok += 1;
                }
            }
            ok
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 5);
    }
    assert_eq!(server.challenges_issued(), 8);
    assert_eq!(server.request_count(), 48);

    // Two requests signed on one nonce, sent out of order: the lower nc loses.
    let mut session = Session::new(&server);
    session.challenge().await;
    let first = session.sign(&Method::GET, &list_path(G));
    let second = session.sign(&Method::GET, &list_path(G));
    let late = session
        .raw(Method::GET, &list_path(G), None, Some(second))
        .await;
    let early = session
        .raw(Method::GET, &list_path(G), None, Some(first))
        .await;
    assert_eq!((late.status, early.status), (200, 401));
}
