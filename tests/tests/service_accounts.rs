//! Service Account authentication (OAuth 2.0 client credentials) and bearer tokens, against
//! the test server's token endpoint: one token for many concurrent requests, renewal before
//! expiry and after a refusal, typed token errors, revocation, and secrets kept out of sight.

mod common;

use std::task::Poll;
use std::time::Duration;

use atlas_admin::types::{
    CloudProvider, CloudProviderEndpointServiceRequest, EndpointService, Region,
};
use atlas_admin::{AuthErrorKind, Client, ClientBuilder, Error, ResponseFuture};
use atlas_test_server::{
    AuthScheme, OAUTH_REVOKE_PATH, OAUTH_TOKEN_PATH, ServerConfig, TEST_CLIENT_ID,
    TEST_CLIENT_SECRET, TEST_GROUP_ID, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, TestServer,
};

use common::{body, fast_retries};

fn builder_for(server: &TestServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.base_url())
        .timeout(Duration::from_secs(10))
        .retry_policy(fast_retries())
}

fn service_account_client(server: &TestServer) -> Client {
    builder_for(server)
        .service_account(TEST_CLIENT_ID, TEST_CLIENT_SECRET)
        .build()
        .expect("valid configuration")
}

/// A v2 call that needs no prior state.
async fn list_aws(client: &Client) -> Result<usize, Error> {
    client
        .list_private_endpoint_services(TEST_GROUP_ID, CloudProvider::Aws)
        .await
        .map(|services| services.len())
}

/// API requests the server received (token and revocation requests left out).
fn api_requests(server: &TestServer) -> Vec<atlas_test_server::RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|request| request.path != OAUTH_TOKEN_PATH && request.path != OAUTH_REVOKE_PATH)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_requests_from_sixteen_tasks_on_a_fresh_client_make_one_token_request() {
    let server = TestServer::start().await;
    let client = service_account_client(&server);
    let tasks: Vec<_> = (0..16)
        .map(|task| {
            let client = client.clone();
            // 8 tasks send 13 requests, 8 send 12: 200 in all.
            let requests = if task < 8 { 13 } else { 12 };
            tokio::spawn(async move {
                for _ in 0..requests {
                    list_aws(&client).await.expect("listed");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task finished");
    }
    assert_eq!(server.token_requests(), 1);
    assert_eq!(server.tokens_issued(), 1);
    let api = api_requests(&server);
    assert_eq!(api.len(), 200);
    assert!(
        api.iter()
            .all(|request| request.authenticated && request.auth == Some(AuthScheme::Bearer))
    );
    assert_eq!(server.bearer_rejections(), 0);
    assert_eq!(server.challenges_issued(), 0, "no Digest round trips");
}

#[tokio::test]
async fn the_token_request_is_a_form_post_with_basic_client_credentials() {
    let server = TestServer::start().await;
    list_aws(&service_account_client(&server))
        .await
        .expect("listed");
    let requests = server.requests();
    let token = requests
        .iter()
        .find(|request| request.path == OAUTH_TOKEN_PATH)
        .expect("a token request");
    assert_eq!(token.method, "POST");
    assert_eq!(
        token.basic_credentials(),
        Some((TEST_CLIENT_ID.to_owned(), TEST_CLIENT_SECRET.to_owned()))
    );
    assert_eq!(
        token.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(token.header("accept"), Some("application/json"));
    assert_eq!(token.body, b"grant_type=client_credentials");
    let api = requests.last().expect("the API call");
    let bearer = api.bearer_token().expect("a bearer token");
    assert!(!bearer.is_empty());
}

#[tokio::test]
async fn client_credentials_are_form_encoded_before_basic() {
    // RFC 6749 §2.3.1: a secret with reserved characters still authenticates.
    let secret = "s3cr:t/+ &=%";
    let server = TestServer::start_with(ServerConfig {
        client_secret: secret.to_owned(),
        ..ServerConfig::default()
    })
    .await;
    let client = builder_for(&server)
        .service_account(TEST_CLIENT_ID, secret)
        .build()
        .expect("valid");
    list_aws(&client).await.expect("listed");
    assert_eq!(server.tokens_issued(), 1);
}

#[tokio::test]
async fn a_token_due_for_renewal_is_renewed_before_use_once_with_no_failed_call() {
    // The first token says it expires at once (`expires_in: 0`) but stays valid on the
    // server: the client renews it before its next use, as it would a token inside its
    // renewal margin. (When a token falls due: `tracing.rs`, from the `renew_in_s` the
    // client computes.)
    let server = TestServer::start().await;
    let client = builder_for(&server)
        .service_account(TEST_CLIENT_ID, TEST_CLIENT_SECRET)
        .token_renewal_margin(Duration::from_millis(500))
        .build()
        .expect("valid");
    server.set_token_expires_in(Some(0));
    list_aws(&client).await.expect("listed");
    assert_eq!(server.tokens_issued(), 1);
    server.set_token_expires_in(None);
    // Due, still valid on the server: renewed before use, by one request for all eight.
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { list_aws(&client).await })
        })
        .collect();
    for call in calls {
        call.await.expect("joined").expect("listed");
    }
    assert_eq!(server.tokens_issued(), 2);
    assert_eq!(server.token_requests(), 2);
    // An hour's token (renewed 500 ms before it expires) is not due: the same token.
    list_aws(&client).await.expect("listed");
    assert_eq!(server.tokens_issued(), 2);
    assert_eq!(server.bearer_rejections(), 0, "no call was refused");
    let tokens: Vec<String> = api_requests(&server)
        .iter()
        .filter_map(|request| request.bearer_token().map(str::to_owned))
        .collect();
    assert_eq!(tokens.len(), 10);
    assert!(tokens[1..].iter().all(|token| *token == tokens[1]));
    assert_ne!(tokens[0], tokens[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_revoked_on_the_server_is_replaced_after_one_401_and_the_call_succeeds() {
    let server = TestServer::start().await;
    let client = service_account_client(&server);
    list_aws(&client).await.expect("listed");
    server.revoke_all_tokens();
    list_aws(&client).await.expect("renewed and sent again");
    assert_eq!(server.bearer_rejections(), 1);
    assert_eq!(server.tokens_issued(), 2);

    // Concurrent calls refused together share one new token.
    server.revoke_all_tokens();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { list_aws(&client).await })
        })
        .collect();
    for call in calls {
        call.await.expect("joined").expect("listed");
    }
    assert_eq!(server.tokens_issued(), 3);
    assert!(
        server.bearer_rejections() <= 9,
        "{}",
        server.bearer_rejections()
    );
}

#[tokio::test]
async fn a_second_401_is_returned_as_an_api_error() {
    let server = TestServer::start().await;
    let client = service_account_client(&server);
    let path = format!("/api/atlas/v2/groups/{TEST_GROUP_ID}/privateEndpoint/AWS/endpointService");
    let refusal =
        serde_json::json!({"error": 401, "reason": "Unauthorized", "detail": "Token refused."});
    server.serve_verbatim_once(&path, 401, refusal.clone());
    server.serve_verbatim_once(&path, 401, refusal);
    match list_aws(&client).await {
        Err(Error::Api(api)) => {
            assert_eq!(api.status, 401);
            assert_eq!(api.detail.as_deref(), Some("Token refused."));
        }
        other => panic!("expected a 401 API error, got {other:?}"),
    }
    assert_eq!(server.tokens_issued(), 2, "renewed once, not twice");
    assert_eq!(api_requests(&server).len(), 2, "sent again once");
    list_aws(&client).await.expect("served normally again");
}

#[tokio::test]
async fn a_wrong_secret_is_a_typed_error_after_one_token_request_and_no_api_request() {
    let server = TestServer::start().await;
    let wrong_secret = "mdb_sa_sk_not-the-secret";
    let client = builder_for(&server)
        .service_account(TEST_CLIENT_ID, wrong_secret)
        .build()
        .expect("valid");
    let error = list_aws(&client).await.expect_err("refused");
    match &error {
        Error::Authentication {
            kind: AuthErrorKind::TokenRefused,
            oauth: Some(oauth),
            ..
        } => {
            assert_eq!(oauth.status, 401);
            assert_eq!(oauth.error.as_deref(), Some("invalid_client"));
            assert_eq!(
                oauth.error_description.as_deref(),
                Some("Invalid credentials provided.")
            );
            assert_eq!(oauth.attempts, 1);
        }
        other => panic!("expected a refused token, got {other:?}"),
    }
    assert_eq!(error.status(), Some(401));
    assert!(error.to_string().contains("invalid_client"), "{error}");
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains(wrong_secret), "{text}");
    }
    assert_eq!(server.token_requests(), 1);
    assert!(api_requests(&server).is_empty(), "no API call was made");
}

#[tokio::test]
async fn rate_limited_and_unavailable_token_endpoints_are_retried() {
    let server = TestServer::start().await;
    let client = service_account_client(&server);
    server.fail_token_requests(1, 429);
    list_aws(&client)
        .await
        .expect("second token request succeeds");
    assert_eq!(server.token_requests(), 2);

    let server = TestServer::start().await;
    let client = service_account_client(&server);
    server.fail_token_requests(2, 503);
    list_aws(&client)
        .await
        .expect("third token request succeeds");
    assert_eq!(server.token_requests(), 3);

    // A 500 is not retried (as for API calls); it is a failure of the endpoint, not a
    // refusal of the credentials, with the OAuth error.
    let server = TestServer::start().await;
    let client = service_account_client(&server);
    server.fail_token_requests(1, 500);
    let error = list_aws(&client).await.expect_err("failed");
    assert!(
        matches!(
            error,
            Error::Authentication {
                kind: AuthErrorKind::TokenEndpointFailed,
                ..
            }
        ),
        "{error:?}"
    );
    let oauth = error.as_oauth_error().expect("an OAuth error");
    assert_eq!(
        (oauth.status, oauth.error.as_deref()),
        (500, Some("server_error"))
    );
    assert_eq!(server.token_requests(), 1);
    // Nothing was cached: the next call asks again.
    list_aws(&client).await.expect("listed");
    assert_eq!(server.tokens_issued(), 1);

    // Retries are bounded by the policy's attempts; then the last answer is the error: a
    // refusal for a 4xx, a failure of the endpoint for a 5xx.
    for (status, kind) in [
        (429, AuthErrorKind::TokenRefused),
        (503, AuthErrorKind::TokenEndpointFailed),
    ] {
        let server = TestServer::start().await;
        let client = service_account_client(&server);
        server.fail_token_requests(10, status);
        let error = list_aws(&client).await.expect_err("still failing");
        assert_eq!(error.attempts(), Some(3), "{error}");
        assert_eq!(error.status(), Some(status));
        assert!(
            matches!(&error, Error::Authentication { kind: found, .. } if *found == kind),
            "{error:?}"
        );
        assert_eq!(server.token_requests(), 3);
    }
}

#[tokio::test]
async fn a_bearer_token_obtained_elsewhere_is_sent_as_is_and_never_renewed() {
    let server = TestServer::start().await;
    let token = server.issue_token();
    let client = builder_for(&server)
        .bearer_token(token.clone())
        .build()
        .expect("valid");
    list_aws(&client).await.expect("listed");
    assert_eq!(
        api_requests(&server)
            .last()
            .and_then(|request| request.bearer_token().map(str::to_owned)),
        Some(token.clone())
    );
    server.revoke_all_tokens();
    match list_aws(&client).await {
        Err(Error::Api(api)) => assert_eq!(api.status, 401),
        other => panic!("expected a 401 API error, got {other:?}"),
    }
    assert_eq!(server.token_requests(), 0, "a given token is never renewed");
    assert_eq!(server.bearer_rejections(), 1);
    match client.revoke_token().await {
        Err(Error::InvalidArgument { name, .. }) => assert_eq!(name, "revoke_token"),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    assert!(!format!("{client:?}").contains(&token));
}

#[tokio::test]
async fn revoke_token_revokes_the_current_token_and_the_next_call_fetches_another() {
    let server = TestServer::start().await;
    let client = service_account_client(&server);
    client.revoke_token().await.expect("nothing to revoke yet");
    assert_eq!(server.revocations(), 0);

    list_aws(&client).await.expect("listed");
    let first = api_requests(&server)
        .last()
        .and_then(|request| request.bearer_token().map(str::to_owned))
        .expect("a token");
    client.revoke_token().await.expect("revoked");
    assert_eq!(server.revocations(), 1);
    let revoke = server
        .requests()
        .into_iter()
        .find(|request| request.path == OAUTH_REVOKE_PATH)
        .expect("a revocation request");
    assert_eq!(
        revoke.basic_credentials(),
        Some((TEST_CLIENT_ID.to_owned(), TEST_CLIENT_SECRET.to_owned()))
    );
    let form = String::from_utf8(revoke.body.clone()).expect("UTF-8");
    assert!(
        form.contains("token_type_hint=access_token") && form.contains("token="),
        "{form}"
    );

    // The revoked token is gone on both sides: a new one, and no refused call.
    list_aws(&client).await.expect("listed");
    assert_eq!(server.tokens_issued(), 2);
    assert_eq!(server.bearer_rejections(), 0);
    let second = api_requests(&server)
        .last()
        .and_then(|request| request.bearer_token().map(str::to_owned))
        .expect("a token");
    assert_ne!(first, second);

    let digest = builder_for(&server)
        .digest_auth(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
        .build()
        .expect("valid");
    match digest.revoke_token().await {
        Err(Error::InvalidArgument { name, .. }) => assert_eq!(name, "revoke_token"),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

#[tokio::test]
async fn both_schemes_work_against_both_api_families() {
    let server = TestServer::start().await;
    let digest = builder_for(&server)
        .digest_auth(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
        .build()
        .expect("valid");
    let service_account = service_account_client(&server);
    let bearer = builder_for(&server)
        .bearer_token(server.issue_token())
        .build()
        .expect("valid");
    let regions = [
        (Region::UsEast1, "US_EAST_2"),
        (Region::UsWest2, "EUROPE_WEST"),
        (Region::EuWest1, "US_WEST"),
    ];
    for (client, (region, azure_region)) in [digest, service_account, bearer].iter().zip(regions) {
        // v1.0
        let connection = client
            .create_private_endpoint(TEST_GROUP_ID, body(region))
            .await
            .expect("v1.0 create");
        client
            .get_private_endpoint(TEST_GROUP_ID, &connection.id)
            .await
            .expect("v1.0 get");
        // v2
        let service = client
            .create_private_endpoint_service(
                TEST_GROUP_ID,
                CloudProviderEndpointServiceRequest::new(CloudProvider::Azure, azure_region),
            )
            .await
            .expect("v2 create");
        client
            .get_private_endpoint_service(
                TEST_GROUP_ID,
                CloudProvider::Azure,
                service.id().expect("an id"),
            )
            .await
            .expect("v2 get");
    }
    let schemes: Vec<_> = api_requests(&server)
        .into_iter()
        .filter(|request| request.authenticated)
        .map(|request| request.auth)
        .collect();
    assert_eq!(
        schemes
            .iter()
            .filter(|scheme| **scheme == Some(AuthScheme::Digest))
            .count(),
        4
    );
    assert_eq!(
        schemes
            .iter()
            .filter(|scheme| **scheme == Some(AuthScheme::Bearer))
            .count(),
        8
    );
}

#[tokio::test]
async fn neither_the_secret_nor_the_token_appears_in_debug_output() {
    let server = TestServer::start().await;
    let builder = builder_for(&server).service_account(TEST_CLIENT_ID, TEST_CLIENT_SECRET);
    let builder_debug = format!("{builder:?}");
    assert!(
        !builder_debug.contains(TEST_CLIENT_SECRET),
        "{builder_debug}"
    );
    let client = builder.build().expect("valid");
    list_aws(&client).await.expect("listed");
    let token = api_requests(&server)
        .last()
        .and_then(|request| request.bearer_token().map(str::to_owned))
        .expect("a token");
    let debug = format!("{client:?}");
    assert!(debug.contains(TEST_CLIENT_ID), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
    assert!(!debug.contains(TEST_CLIENT_SECRET), "{debug}");
    assert!(!debug.contains(&token), "{debug}");
    let alternate = format!("{client:#?}");
    assert!(!alternate.contains(TEST_CLIENT_SECRET) && !alternate.contains(&token));
}

#[test]
fn bad_credentials_are_an_invalid_argument_from_build() {
    let cases: [(ClientBuilder, &str); 7] = [
        (Client::builder(), "credentials"),
        (
            Client::builder().service_account("", "secret"),
            "service_account",
        ),
        (
            Client::builder().service_account("id", ""),
            "service_account",
        ),
        (Client::builder().bearer_token(""), "bearer_token"),
        (
            Client::builder().bearer_token("line\nbreak"),
            "bearer_token",
        ),
        (
            Client::builder()
                .digest_auth("public", "private")
                .service_account("id", "secret"),
            "service_account",
        ),
        (
            Client::builder()
                .bearer_token("token")
                .digest_auth("public", "private"),
            "digest_auth",
        ),
    ];
    for (builder, expected) in cases {
        match builder.build() {
            Err(Error::InvalidArgument { name, message }) => {
                assert_eq!(name, expected, "{message}");
            }
            other => panic!("expected InvalidArgument for {expected}, got {other:?}"),
        }
    }
    match Client::builder().build() {
        Err(error) => {
            let text = error.to_string();
            assert!(
                text.contains("digest_auth")
                    && text.contains("service_account")
                    && text.contains("bearer_token"),
                "the error names every way to authenticate: {text}"
            );
        }
        Ok(client) => panic!("built without credentials: {client:?}"),
    }
}

/// The call of `list_aws`, polled once: it runs until it waits for a token (sending the
/// token request, or queueing behind the call that sends it).
async fn waiting_call(client: &Client) -> ResponseFuture<Vec<EndpointService>> {
    let mut call = client
        .list_private_endpoint_services(TEST_GROUP_ID, CloudProvider::Aws)
        .send();
    std::future::poll_fn(|context| {
        assert!(
            call.as_mut().poll(context).is_pending(),
            "waits for a token"
        );
        Poll::Ready(())
    })
    .await;
    call
}

#[tokio::test]
async fn concurrent_calls_with_a_wrong_secret_share_one_refused_token_request() {
    let server = TestServer::start().await;
    let client = builder_for(&server)
        .service_account(TEST_CLIENT_ID, "mdb_sa_sk_not-the-secret")
        .build()
        .expect("valid");
    // Sixteen calls, all waiting before the token request (sent by the first) is answered.
    let mut waiting = Vec::new();
    for _ in 0..16 {
        waiting.push(waiting_call(&client).await);
    }
    let calls: Vec<_> = waiting.into_iter().map(tokio::spawn).collect();
    for call in calls {
        let error = call.await.expect("task").expect_err("refused");
        let oauth = error.as_oauth_error().expect("the token endpoint's answer");
        assert_eq!(
            (oauth.status, oauth.error.as_deref()),
            (401, Some("invalid_client"))
        );
    }
    assert_eq!(
        server.token_requests(),
        1,
        "the waiting calls did not ask again"
    );
    assert!(api_requests(&server).is_empty());

    // The refusal is not kept: a call that needs a token after it was returned asks again.
    list_aws(&client).await.expect_err("still refused");
    assert_eq!(server.token_requests(), 2);
}
