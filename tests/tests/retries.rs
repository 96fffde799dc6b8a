//! Retries, timeouts and response metadata of the generated client, against the Atlas-like
//! server. (Tracing has its own test binary: see `tracing.rs`.)
//!
//! No test here reads the clock. How long a retry waits is read from the client's `retrying`
//! events (`delay_ms`); so every test installs a recording subscriber first (see
//! `common/recorder.rs` for why every one). Timeouts are met by a server that never answers.

mod common;

use std::time::Duration;

use atlas_admin::types::{PrivateEndpoint, PrivateEndpointStatus, Region};
use atlas_admin::{Client, Error, RetryPolicy};
use atlas_test_server::{
    Fault, ServerConfig, TEST_GROUP_ID, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, TestServer,
};
use common::recorder::Recorder;
use common::{RefusingAddress, body, client_for, client_with, fast_retries};

/// Requests the server accepted (signed correctly), as `METHOD path`.
fn authenticated(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|request| request.authenticated)
        .map(|request| format!("{} {}", request.method, request.path))
        .collect()
}

async fn existing_connection(client: &Client) -> PrivateEndpoint {
    client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .await
        .expect("created")
}

/// GETs the connection while the server applies `fault` to one request; the GET must succeed.
async fn get_after_one_fault(
    server: &TestServer,
    client: &Client,
    connection_id: &str,
    fault: Fault,
) -> atlas_admin::ResponseValue<PrivateEndpoint> {
    server.set_fault_for(fault, 1);
    client
        .get_private_endpoint(TEST_GROUP_ID, connection_id)
        .send_with_metadata()
        .await
        .expect("the GET succeeds on its second attempt")
}

#[tokio::test]
async fn a_rate_limited_post_waits_retry_after_then_succeeds_on_the_second_attempt() {
    let (recorder, _guard) = Recorder::install();
    let server = TestServer::start().await;
    let client = client_with(&server, fast_retries());
    existing_connection(&client).await; // authenticate first: only the retry is sent twice
    server.clear_requests();
    server.set_fault_for(
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        1,
    );

    let response = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::EuWest1))
        .send_with_metadata()
        .await
        .expect("succeeds after the rate limit");

    assert_eq!(response.attempts(), 2);
    // The whole `Retry-After: 1`, not the 20 ms backoff.
    assert_eq!(recorder.retries(), [(1, 1000, "HTTP 429".to_owned())]);
    let path = format!("/api/atlas/v1.0/groups/{TEST_GROUP_ID}/privateEndpoint");
    assert_eq!(
        authenticated(&server),
        [format!("POST {path}"), format!("POST {path}")]
    );
    assert_eq!(server.connections(TEST_GROUP_ID).len(), 2);
}

#[tokio::test]
async fn a_503_is_retried_for_get_but_not_for_post() {
    let (_recorder, _guard) = Recorder::install();
    let server = TestServer::start().await;
    let client = client_with(&server, fast_retries());
    let connection = existing_connection(&client).await;
    server.clear_requests();

    let fetched = get_after_one_fault(
        &server,
        &client,
        &connection.id,
        Fault::ServiceUnavailableHtml,
    )
    .await;
    assert_eq!(fetched.attempts(), 2);
    assert_eq!(fetched.id, connection.id);
    assert_eq!(authenticated(&server).len(), 2);

    server.clear_requests();
    server.set_fault_for(Fault::ServiceUnavailableHtml, 1);
    let error = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::EuWest1))
        .await
        .expect_err("a POST is not retried on 503");
    let api = error.as_api_error().expect("an API error");
    assert_eq!((api.status, api.attempts), (503, 1));
    assert_eq!(authenticated(&server).len(), 1);
    assert!(!error.to_string().contains("attempts"), "{error}");
}

// reqwest reports a body cut mid-response as a `Decode` error caused by a `Body` error; the
// transport must still see a lost connection and retry the GET.
#[tokio::test]
async fn a_get_that_loses_its_connection_mid_response_is_retried_and_succeeds() {
    let (_recorder, _guard) = Recorder::install();
    let server = TestServer::start().await;
    let client = client_with(&server, fast_retries());
    let connection = existing_connection(&client).await;
    server.clear_requests();

    let fetched =
        get_after_one_fault(&server, &client, &connection.id, Fault::CloseMidResponse).await;
    assert_eq!(fetched.attempts(), 2);
    assert_eq!(fetched.status(), 200);
    let fetched = fetched.into_inner();
    assert_eq!(fetched.id, connection.id);
    assert_eq!(fetched.status, PrivateEndpointStatus::Initiating);
    assert_eq!(fetched.interface_endpoints, Some(Vec::new()));
    let path = format!(
        "/api/atlas/v1.0/groups/{TEST_GROUP_ID}/privateEndpoint/{}",
        connection.id
    );
    assert_eq!(
        authenticated(&server),
        [format!("GET {path}"), format!("GET {path}")]
    );
    assert_eq!(server.fault(), None, "the cut answer was served");
}

#[tokio::test]
async fn exhausted_retries_say_how_many_attempts_were_made() {
    let (_recorder, _guard) = Recorder::install();
    let server = TestServer::start().await;
    let client = client_with(&server, fast_retries().with_max_attempts(4));
    let connection = existing_connection(&client).await;
    server.clear_requests();
    server.set_fault(Some(Fault::ServiceUnavailableHtml));

    let error = client
        .get_private_endpoint(TEST_GROUP_ID, &connection.id)
        .await
        .expect_err("every attempt fails");
    assert_eq!(error.attempts(), Some(4));
    assert_eq!(error.status(), Some(503));
    assert!(error.to_string().ends_with("(after 4 attempts)"), "{error}");
    assert_eq!(authenticated(&server).len(), 4);
}

#[tokio::test]
async fn other_client_errors_are_never_retried() {
    let (_recorder, _guard) = Recorder::install();
    let server = TestServer::start().await;
    let client = client_with(&server, fast_retries());
    existing_connection(&client).await;
    server.clear_requests();

    // 409: a second connection in the same region; 500: a server error that is not a gateway's.
    let error = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .await
        .expect_err("duplicate region");
    assert_eq!((error.status(), error.attempts()), (Some(409), Some(1)));
    server.set_fault(Some(Fault::InternalError));
    let error = client
        .list_private_endpoints(TEST_GROUP_ID)
        .await
        .expect_err("500");
    assert_eq!((error.status(), error.attempts()), (Some(500), Some(1)));
    assert_eq!(authenticated(&server).len(), 2);
}

#[tokio::test]
async fn disabled_retries_return_the_first_error_at_once() {
    let (recorder, _guard) = Recorder::install();
    let server = TestServer::start().await;
    let client = client_with(&server, RetryPolicy::disabled());
    existing_connection(&client).await;
    server.clear_requests();
    server.set_fault(Some(Fault::RateLimited {
        retry_after_secs: 30,
    }));

    let error = client
        .list_private_endpoints(TEST_GROUP_ID)
        .await
        .expect_err("rate limited");
    // At once: no wait for the `Retry-After: 30`.
    assert_eq!(recorder.retries(), []);
    let api = error.as_api_error().expect("an API error");
    assert_eq!((api.status, api.attempts), (429, 1));
    assert_eq!(api.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(authenticated(&server).len(), 1);
}

#[tokio::test]
async fn retry_after_is_capped_by_the_maximum_delay() {
    let (recorder, _guard) = Recorder::install();
    let server = TestServer::start().await;
    let client = client_with(
        &server,
        fast_retries()
            .with_max_attempts(2)
            .with_max_delay(Duration::from_millis(100)),
    );
    existing_connection(&client).await;
    server.set_fault(Some(Fault::RateLimited {
        retry_after_secs: 30,
    }));
    let error = client
        .list_private_endpoints(TEST_GROUP_ID)
        .await
        .expect_err("still rate limited");
    assert_eq!(error.attempts(), Some(2));
    // 100 ms, not the `Retry-After: 30`.
    assert_eq!(recorder.retries(), [(1, 100, "HTTP 429".to_owned())]);
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_post() {
    let (recorder, _guard) = Recorder::install();
    // A port nobody listens on: the connection is refused, so nothing was sent.
    let refusing = RefusingAddress::new();
    let client = Client::builder()
        .base_url(refusing.url())
        .digest_auth(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
        .retry_policy(fast_retries())
        .build()
        .expect("valid configuration");
    let error = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .await
        .expect_err("nothing listens");
    match &error {
        Error::Transport { source, attempts } => {
            assert!(source.is_connect(), "{source:?}");
            assert_eq!(*attempts, 3);
        }
        other => panic!("expected Error::Transport, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .starts_with("transport error after 3 attempts: "),
        "{error}"
    );
    let retries = recorder.retries();
    assert_eq!(retries.len(), 2, "{retries:?}");
    for (index, (attempt, _, cause)) in retries.iter().enumerate() {
        assert_eq!(*attempt as usize, index + 1);
        assert!(cause.starts_with("connection failed: "), "{cause}");
    }
}

#[tokio::test]
async fn a_slow_server_times_out_within_the_request_timeout_without_retrying() {
    let (recorder, _guard) = Recorder::install();
    let server = TestServer::start().await;
    // The client has no timeout of its own and the server never answers: only this one
    // request's 300 ms can end the call.
    let client = Client::builder()
        .base_url(server.base_url())
        .digest_auth(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
        .no_timeout()
        .retry_policy(fast_retries())
        .build()
        .expect("valid configuration");
    let connection = existing_connection(&client).await;
    server.clear_requests();
    server.set_fault(Some(Fault::NoAnswer));

    let error = client
        .get_private_endpoint(TEST_GROUP_ID, &connection.id)
        .timeout(Duration::from_millis(300))
        .await
        .expect_err("times out");
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(error.attempts(), Some(1));
    assert_eq!(authenticated(&server).len(), 1);
    assert_eq!(recorder.retries(), [], "a timeout is not retried");
    // The client gave the request up: it closed the connection.
    server.wait_for_abandoned_requests(1).await;
}

#[tokio::test]
async fn metadata_carries_status_and_rate_limit_headers() {
    let (_recorder, _guard) = Recorder::install();
    let server = TestServer::start().await;
    let client = client_with(&server, fast_retries());
    let response = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .send_with_metadata()
        .await
        .expect("created");
    assert_eq!(response.status(), 200);
    assert_eq!(response.attempts(), 1);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("RateLimit-Limit").as_deref(), Some("4000"));
    assert_eq!(header("RateLimit-Remaining").as_deref(), Some("3999"));
    let id = response.id.clone(); // `ResponseValue` dereferences to the value
    let (endpoint, status, headers) = response.into_parts();
    assert_eq!((endpoint.id, status), (id, 200));
    assert!(headers.contains_key("ratelimit-remaining"));

    // With the envelope the HTTP status is always 200; the metadata reports the envelope's.
    let listed = client
        .list_private_endpoints(TEST_GROUP_ID)
        .envelope(true)
        .send_with_metadata()
        .await
        .expect("listed");
    assert_eq!((listed.status(), listed.len()), (200, 1));
}

/// A waiter's poll answered 429 is retried by the transport after the `Retry-After`.
#[tokio::test]
async fn a_waiter_honours_retry_after() {
    let (recorder, _guard) = Recorder::install();
    // One `INITIATING` poll, then ready.
    let server = TestServer::start_with(ServerConfig {
        polls_until_ready: 1,
        ..ServerConfig::default()
    })
    .await;
    let client = client_for(&server);
    let connection = existing_connection(&client).await;
    server.clear_requests();
    server.set_fault_for(
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        1,
    );
    let ready = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(Duration::from_millis(20))
        .await
        .expect("ready after the rate limit");
    assert_eq!(ready.status, PrivateEndpointStatus::WaitingForUser);
    assert_eq!(recorder.retries(), [(1, 1000, "HTTP 429".to_owned())]);
    // 429 (retried), `INITIATING`, `WAITING_FOR_USER`.
    assert_eq!(authenticated(&server).len(), 3);
}
