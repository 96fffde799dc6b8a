//! The generated client against the Atlas-like server: real Digest, the exact wire request,
//! typed errors for every fault, nonce reuse and concurrency.

mod common;

use std::time::Duration;

use atlas_admin::types::{
    CreatePrivateEndpointRequest, PrivateEndpoint, PrivateEndpointStatus, ProviderName, Region,
};
use atlas_admin::{AuthErrorKind, Client, Error, RetryPolicy};
use atlas_test_server::{
    DigestAuthorization, Fault, REALM, TEST_GROUP_ID, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, TestServer,
};
use common::{body, client_for};

fn api_error(result: Result<PrivateEndpoint, Error>) -> Box<atlas_admin::ApiError> {
    match result {
        Err(Error::Api(api)) => api,
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

/// A distinct valid group id per index, so concurrent creates never collide on a region.
fn group_id(index: usize) -> String {
    format!("{index:024x}")
}

#[tokio::test]
async fn creates_a_connection_in_each_of_the_18_regions() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    for value in Region::KNOWN_VALUES {
        let endpoint = client
            .create_private_endpoint(TEST_GROUP_ID, body(Region::from(*value)))
            .await
            .unwrap_or_else(|error| panic!("create in {value}: {error}"));
        assert_eq!(
            endpoint.status,
            PrivateEndpointStatus::Initiating,
            "{value}"
        );
        assert_eq!(endpoint.endpoint_service_name, None);
        assert_eq!(endpoint.id.len(), 24);
        assert!(endpoint.id.chars().all(|c| c.is_ascii_hexdigit()));
    }
    assert_eq!(server.connections(TEST_GROUP_ID).len(), 18);
}

#[tokio::test]
async fn sends_exactly_the_documented_request() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .pretty(true)
        .await
        .expect("created");
    client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast2))
        .send()
        .await
        .expect("created");

    let requests = server.requests();
    assert_eq!(
        requests.len(),
        3,
        "challenge, answer, then a reused nonce: {requests:#?}"
    );
    let path = format!("/api/atlas/v1.0/groups/{TEST_GROUP_ID}/privateEndpoint");
    for request in &requests {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, path);
        assert_eq!(request.header("accept"), Some("application/json"));
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(
            request.header("user-agent"),
            Some(atlas_admin::DEFAULT_USER_AGENT)
        );
    }
    assert_eq!(
        requests[0].authorization(),
        None,
        "the first attempt carries no credentials"
    );
    assert_eq!(requests[0].query.as_deref(), Some("pretty=true"));
    assert_eq!(requests[1].query.as_deref(), Some("pretty=true"));
    assert_eq!(requests[2].query, None, "unset query flags are not sent");
    assert_eq!(
        requests[1].body_json(),
        Some(serde_json::json!({"providerName": "AWS", "region": "us-east-1"}))
    );
    assert_eq!(
        requests[1].body,
        br#"{"providerName":"AWS","region":"us-east-1"}"#
    );
    assert_eq!(
        requests[2].body,
        br#"{"providerName":"AWS","region":"us-east-2"}"#
    );

    assert!(!requests[0].authenticated);
    assert!(
        requests[1].authenticated && requests[2].authenticated,
        "the server accepted both answers"
    );
    let first: DigestAuthorization = requests[1].authorization().expect("answered the challenge");
    assert_eq!(first.username, TEST_PUBLIC_KEY);
    assert_eq!(first.realm, REALM);
    assert_eq!(first.uri, format!("{path}?pretty=true"));
    assert_eq!(first.qop, "auth");
    assert_eq!(first.nc, "00000001");
    assert!(!first.cnonce.is_empty());
    assert_eq!(
        first.response,
        first.expected_response("POST", TEST_PRIVATE_KEY)
    );
    assert!(!format!("{first:?}").contains(TEST_PRIVATE_KEY));

    let second = requests[2].authorization().expect("preemptive credentials");
    assert_eq!(second.nonce, first.nonce, "the nonce is reused");
    assert_eq!(second.nc, "00000002", "with the next nonce count");
    assert_eq!(second.uri, path);
    assert_eq!(
        second.response,
        second.expected_response("POST", TEST_PRIVATE_KEY)
    );
    assert_eq!(server.challenges_issued(), 1);
}

#[tokio::test]
async fn a_wrong_private_key_is_a_401_api_error_without_code_and_no_retry_loop() {
    let server = TestServer::start().await;
    let client = Client::builder()
        .base_url(server.base_url())
        .digest_auth(TEST_PUBLIC_KEY, "not-the-private-key")
        .build()
        .expect("valid configuration");
    let error = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .await
        .expect_err("refused");
    assert!(!error.to_string().contains("not-the-private-key"));
    assert!(!format!("{error:?}").contains("not-the-private-key"));
    assert!(!format!("{client:?}").contains("not-the-private-key"));
    let api = match error {
        Error::Api(api) => api,
        other => panic!("expected Error::Api, got {other:?}"),
    };
    assert_eq!(api.status, 401);
    assert_eq!(api.error_code, None);
    assert_eq!(api.reason.as_deref(), Some("Unauthorized"));
    assert_eq!(
        api.detail.as_deref(),
        Some("You are not authorized for this resource.")
    );
    let first_call = server.request_count();
    assert_eq!(
        first_call, 2,
        "a wrong key costs the bare request and one answer to its challenge"
    );

    // A second call does not keep answering the stale challenge: it fails the same way.
    let again = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .await
        .expect_err("refused");
    assert_eq!(again.status(), Some(401));
    assert_eq!(server.request_count() - first_call, 2);
    assert!(server.connections(TEST_GROUP_ID).is_empty());
}

#[tokio::test]
async fn a_duplicate_region_is_a_409_with_code_and_parameters() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .await
        .expect("first create");
    let api = api_error(
        client
            .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
            .await,
    );
    assert_eq!(api.status, 409);
    assert_eq!(
        api.error_code.as_deref(),
        Some("PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION")
    );
    assert_eq!(api.reason.as_deref(), Some("Conflict"));
    assert_eq!(
        api.detail.as_deref(),
        Some("A private endpoint service already exists for AWS region US_EAST_1.")
    );
    assert_eq!(
        api.parameters,
        vec![serde_json::json!("AWS"), serde_json::json!("US_EAST_1")]
    );
    assert!(
        api.body
            .contains("PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION")
    );
    assert_eq!(
        api.to_string(),
        "API error: HTTP 409 Conflict (PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION): \
         A private endpoint service already exists for AWS region US_EAST_1."
    );
}

#[tokio::test]
async fn a_rejected_body_is_a_400_api_error() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    let api = api_error(
        client
            .create_private_endpoint(TEST_GROUP_ID, body(Region::from("mars-north-1")))
            .await,
    );
    assert_eq!(api.status, 400);
    assert!(api.error_code.is_some(), "{api:?}");
    assert!(
        api.detail
            .as_deref()
            .unwrap_or_default()
            .contains("mars-north-1"),
        "{api:?}"
    );
    let api = api_error(
        client
            .create_private_endpoint(
                TEST_GROUP_ID,
                CreatePrivateEndpointRequest::new(ProviderName::from("GCP"), Region::UsEast1),
            )
            .await,
    );
    assert_eq!(api.status, 400);
}

#[tokio::test]
async fn envelope_and_pretty_yield_the_same_connection_as_a_plain_call() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    let plain = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .await
        .expect("plain");
    let enveloped = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast2))
        .envelope(true)
        .await
        .expect("envelope");
    let pretty = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsWest1))
        .pretty(true)
        .await
        .expect("pretty");
    let both = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsWest2))
        .envelope(true)
        .pretty(true)
        .await
        .expect("both");
    for other in [&enveloped, &pretty, &both] {
        // Only the server-assigned id differs between the four connections.
        let mut same = other.clone();
        same.id = plain.id.clone();
        assert_eq!(same, plain);
    }
    let queries: Vec<Option<String>> = server
        .requests()
        .iter()
        .filter(|r| r.authenticated)
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(
        queries,
        [
            None,
            Some("envelope=true".to_owned()),
            Some("pretty=true".to_owned()),
            Some("pretty=true&envelope=true".to_owned())
        ]
    );

    // An enveloped error arrives as HTTP 200 but is still an API error with the real status.
    let api = api_error(
        client
            .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
            .envelope(true)
            .await,
    );
    assert_eq!(api.status, 409);
    assert_eq!(
        api.error_code.as_deref(),
        Some("PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION")
    );
}

#[tokio::test]
async fn response_faults_become_typed_results() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    let mut regions = Region::KNOWN_VALUES
        .iter()
        .map(|value| Region::from(*value));
    let mut create = || {
        client.create_private_endpoint(TEST_GROUP_ID, body(regions.next().expect("enough regions")))
    };

    server.set_fault(Some(Fault::UnknownStatus(
        "PENDING_RECONFIGURATION".to_owned(),
    )));
    let endpoint = create().await.expect("an unknown status still decodes");
    assert_eq!(endpoint.status.as_str(), "PENDING_RECONFIGURATION");
    assert!(matches!(endpoint.status, PrivateEndpointStatus::Unknown(_)));

    server.set_fault(Some(Fault::ExtraFields));
    let endpoint = create().await.expect("extra fields are ignored");
    assert_eq!(endpoint.status, PrivateEndpointStatus::Initiating);

    server.set_fault(Some(Fault::MalformedJson));
    match create().await {
        Err(Error::Decode(decode)) => {
            assert_eq!(decode.status, 200);
            assert!(
                decode.body.starts_with("{\"endpointServiceName\""),
                "raw body kept: {}",
                decode.body
            );
            assert!(
                decode
                    .to_string()
                    .contains("could not decode the HTTP 200 response body")
            );
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }

    server.set_fault(Some(Fault::EmptyBody));
    match create().await {
        Err(Error::Decode(decode)) => {
            assert_eq!(decode.status, 200);
            assert_eq!(decode.body, "");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }

    server.set_fault(Some(Fault::InternalError));
    let api = api_error(create().await);
    assert_eq!(
        (api.status, api.error_code.as_deref()),
        (500, Some("UNEXPECTED_ERROR"))
    );

    server.set_fault(Some(Fault::ServiceUnavailableHtml));
    let api = api_error(create().await);
    assert_eq!(api.status, 503);
    assert_eq!(api.error_code, None);
    assert!(api.body.to_lowercase().contains("<html"), "{}", api.body);

    // A 429 is retried by default (see tests/retries.rs); with retries off it comes back as is.
    server.set_fault(Some(Fault::RateLimited {
        retry_after_secs: 7,
    }));
    let no_retries = Client::builder()
        .base_url(server.base_url())
        .digest_auth(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("valid configuration");
    let api = api_error(
        no_retries
            .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
            .await,
    );
    assert_eq!(
        (api.status, api.error_code.as_deref()),
        (429, Some("RATE_LIMITED"))
    );
    assert_eq!(api.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(api.header("RateLimit-Remaining"), Some("0"));
    assert_eq!(api.attempts, 1);

    // Losing the connection mid-answer is not retried for a POST: it may have created something.
    server.set_fault(Some(Fault::CloseMidResponse));
    match create().await {
        Err(error @ Error::Transport { .. }) => {
            assert!(!error.is_timeout());
            assert_eq!(error.attempts(), Some(1));
        }
        other => panic!("expected Error::Transport, got {other:?}"),
    }
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_is_a_timeout_error() {
    let server = TestServer::start().await;
    let client = Client::builder()
        .base_url(server.base_url())
        .digest_auth(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
        .timeout(Duration::from_millis(200))
        .build()
        .expect("valid configuration");
    // Never answered: only the client's timeout can end the call.
    server.set_fault(Some(Fault::NoAnswer));
    let error = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .await
        .expect_err("times out");
    assert!(error.is_timeout(), "{error:?}");
    assert!(matches!(error, Error::Transport { attempts: 1, .. }));
    server.wait_for_abandoned_requests(1).await;
}

#[tokio::test]
async fn challenge_faults_are_authentication_errors() {
    let server = TestServer::start().await;
    server.set_fault(Some(Fault::UnauthorizedWithoutChallenge));
    let error = client_for(&server)
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .await
        .expect_err("fails");
    assert!(
        matches!(
            error,
            Error::Authentication {
                kind: AuthErrorKind::MissingChallenge,
                ..
            }
        ),
        "{error:?}"
    );

    server.set_fault(Some(Fault::GarbageChallenge));
    let error = client_for(&server)
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .await
        .expect_err("fails");
    assert!(
        matches!(
            error,
            Error::Authentication {
                kind: AuthErrorKind::InvalidChallenge,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.to_string().contains(TEST_PRIVATE_KEY));
}

#[tokio::test]
async fn an_invalid_group_id_is_rejected_before_any_request() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    let invalid = [
        "",
        "5df264b8f10fab7d2cad2f0",
        "5df264b8f10fab7d2cad2f0d0",
        "5df264b8f10fab7d2cad2f0g",
        "zzzzzzzzzzzzzzzzzzzzzzzz",
        "5df264b8f10fab7d2cad2f/d",
        "5df264b8f10fab7d2cad2f?d",
        "5df264b8f10fab7d2cad2f#d",
        "..",
        "../../../../../../../../",
        "5df264b8f10fab7d2cad2f0d/../x",
        " 5df264b8f10fab7d2cad2f0d",
    ];
    for group_id in invalid {
        match client
            .create_private_endpoint(group_id, body(Region::UsEast1))
            .await
        {
            Err(Error::InvalidArgument { name, message }) => {
                assert_eq!(name, "group_id", "{group_id:?}");
                assert!(!message.is_empty());
            }
            other => panic!("{group_id:?}: expected Error::InvalidArgument, got {other:?}"),
        }
    }
    let error = client
        .create_private_endpoint("nope", body(Region::UsEast1))
        .await
        .expect_err("invalid");
    assert_eq!(
        error.to_string(),
        "invalid argument `group_id`: \"nope\" must be exactly 24 hexadecimal characters"
    );
    assert_eq!(server.request_count(), 0, "no request reached the server");
}

#[tokio::test]
async fn sequential_requests_reuse_the_nonce() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    const N: usize = 12;
    for index in 0..N {
        client
            .create_private_endpoint(group_id(index), body(Region::UsEast1))
            .await
            .expect("created");
    }
    assert_eq!(
        server.request_count(),
        N + 1,
        "N requests cost N+1 round trips"
    );
    assert_eq!(server.challenges_issued(), 1);
}

#[tokio::test]
async fn an_expired_nonce_recovers_transparently() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    client
        .create_private_endpoint(group_id(1), body(Region::UsEast1))
        .await
        .expect("first");
    server.expire_nonces();
    client
        .create_private_endpoint(group_id(2), body(Region::UsEast1))
        .await
        .expect("after expiry");
    client
        .create_private_endpoint(group_id(3), body(Region::UsEast1))
        .await
        .expect("with the new nonce");
    assert_eq!(
        server.challenges_issued(),
        2,
        "one fresh challenge after the expiry"
    );
    // 2 for the first call, the refused one and its answer to the new challenge, then 1.
    assert_eq!(server.request_count(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_requests_from_clones_all_succeed() {
    const TASKS: usize = 16;
    const REQUESTS: usize = 200;
    // Repeated with fresh clients: the nonce-count race is timing dependent.
    for round in 0..3 {
        let server = TestServer::start().await;
        let client = client_for(&server);
        let mut tasks = Vec::new();
        for task in 0..TASKS {
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                let mut failures = Vec::new();
                for index in (task..REQUESTS).step_by(TASKS) {
                    if let Err(error) = client
                        .create_private_endpoint(group_id(index), body(Region::EuWest1))
                        .await
                    {
                        failures.push(format!("request {index}: {error}"));
                    }
                }
                failures
            }));
        }
        let mut failures = Vec::new();
        for task in tasks {
            failures.extend(task.await.expect("task finished"));
        }
        assert!(failures.is_empty(), "round {round}: {failures:#?}");
        // Each nonce serves one request at a time, so no count arrives out of order and at
        // most one challenge per concurrent task is needed.
        let challenges = server.challenges_issued();
        assert!(
            challenges <= TASKS,
            "round {round}: {challenges} challenges for {TASKS} tasks"
        );
        let exchanges = server.request_count();
        assert_eq!(
            exchanges,
            REQUESTS + challenges,
            "round {round}: one exchange per request plus one per challenge"
        );
    }
}

#[test]
fn client_is_send_sync_clone_and_redacts_the_key() {
    fn assert_traits<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_traits::<Client>();
    let client = Client::builder()
        .digest_auth("public", "super-secret")
        .build()
        .expect("valid configuration");
    let debug = format!("{client:?}");
    assert!(debug.contains("public"));
    assert!(!debug.contains("super-secret"), "{debug}");
    assert!(debug.contains("<redacted>"));
    let builder = Client::builder().digest_auth("public", "super-secret");
    assert!(!format!("{builder:?}").contains("super-secret"));
}

#[test]
fn bad_client_configuration_is_an_invalid_argument() {
    let cases: [(atlas_admin::ClientBuilder, &str); 9] = [
        (Client::builder(), "credentials"),
        (Client::builder().digest_auth("", "secret"), "digest_auth"),
        (Client::builder().digest_auth("public", ""), "digest_auth"),
        (
            Client::builder()
                .digest_auth("p", "s")
                .base_url("not a url"),
            "base_url",
        ),
        (
            Client::builder()
                .digest_auth("p", "s")
                .base_url("ftp://example.com/api"),
            "base_url",
        ),
        (
            Client::builder()
                .digest_auth("p", "s")
                .base_url("https://user:hunter2@example.com/api"),
            "base_url",
        ),
        (
            Client::builder()
                .digest_auth("p", "s")
                .retry_policy(RetryPolicy::standard().with_max_attempts(0)),
            "retry_policy",
        ),
        (
            Client::builder().digest_auth("p", "s").retry_policy(
                RetryPolicy::standard()
                    .with_base_delay(Duration::from_secs(10))
                    .with_max_delay(Duration::from_secs(1)),
            ),
            "retry_policy",
        ),
        (
            Client::builder()
                .digest_auth("p", "s")
                .http_client(atlas_admin::reqwest::Client::new())
                .connect_timeout(Duration::from_secs(1)),
            "connect_timeout",
        ),
    ];
    for (builder, expected) in cases {
        match builder.build() {
            Err(error @ Error::InvalidArgument { name, .. }) => {
                assert_eq!(name, expected);
                assert!(!error.to_string().contains("hunter2"), "{error}");
            }
            other => panic!("expected Error::InvalidArgument for {expected}, got {other:?}"),
        }
    }
    let client = Client::builder()
        .digest_auth("p", "s")
        .base_url("http://127.0.0.1:1/api/")
        .build()
        .expect("valid");
    assert_eq!(client.base_url(), "http://127.0.0.1:1/api");
}

#[tokio::test]
async fn a_callers_own_reqwest_client_and_user_agent_are_used() {
    let server = TestServer::start().await;
    let mut headers = atlas_admin::reqwest::header::HeaderMap::new();
    headers.insert(
        "x-team",
        atlas_admin::reqwest::header::HeaderValue::from_static("platform"),
    );
    let http = atlas_admin::reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("reqwest client");
    let client = Client::builder()
        .base_url(server.base_url())
        .digest_auth(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
        .http_client(http)
        .user_agent("my-automation/2.0")
        .build()
        .expect("valid configuration");
    client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .await
        .expect("created");
    for request in server.requests() {
        assert_eq!(request.header("x-team"), Some("platform"));
        assert_eq!(request.header("user-agent"), Some("my-automation/2.0"));
    }
}
