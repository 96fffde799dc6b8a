//! The whole legacy private-endpoint lifecycle with the generated operations and waiters, the
//! failure and timeout path of each waiter, and path safety for every path parameter.

mod common;

use std::time::Duration;

use atlas_admin::types::{
    CreateInterfaceEndpointRequest, InterfaceEndpointStatus, PrivateEndpoint,
    PrivateEndpointStatus, Region,
};
use atlas_admin::{Client, Error, RetryPolicy};
use atlas_test_server::{
    Fault, RecordedRequest, ServerConfig, TEST_GROUP_ID, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY,
    TestServer,
};
use common::{body, client_for, client_with};

const VPCE: &str = "vpce-0b9c5701325cb15dd";
const FAST: Duration = Duration::from_millis(20);
const SHORT: Duration = Duration::from_millis(250);
/// A pause no test waits out: a waiter given it as its interval polls once, then once more
/// at its deadline (the last poll happens at the deadline, not one pause past it).
const NEVER: Duration = Duration::from_secs(3600);

async fn create(client: &Client, region: Region) -> PrivateEndpoint {
    client
        .create_private_endpoint(TEST_GROUP_ID, body(region))
        .await
        .expect("created")
}

/// Adds the interface endpoint `VPCE` to the connection `connection_id`.
async fn add_interface_endpoint(client: &Client, connection_id: &str) {
    client
        .create_interface_endpoint(
            TEST_GROUP_ID,
            connection_id,
            CreateInterfaceEndpointRequest::new(VPCE),
        )
        .await
        .expect("added");
}

fn config(polls_until_ready: u32, polls_per_interface_step: u32) -> ServerConfig {
    ServerConfig {
        polls_until_ready,
        polls_per_interface_step,
        ..ServerConfig::default()
    }
}

#[tokio::test]
async fn the_whole_lifecycle_with_waiters() {
    let server = TestServer::start_with(config(2, 1)).await;
    let client = client_for(&server);

    let connection = create(&client, Region::UsEast1).await;
    assert_eq!(connection.status, PrivateEndpointStatus::Initiating);
    let ready = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(FAST)
        .max_wait(Duration::from_secs(5))
        .await
        .expect("becomes ready");
    assert_eq!(ready.id, connection.id);
    assert_eq!(ready.status, PrivateEndpointStatus::WaitingForUser);
    let service = ready
        .endpoint_service_name
        .as_deref()
        .expect("named once ready");
    assert!(
        service.starts_with("com.amazonaws.vpce.us-east-1.vpce-svc-"),
        "{service}"
    );

    let endpoint = client
        .create_interface_endpoint(
            TEST_GROUP_ID,
            &connection.id,
            CreateInterfaceEndpointRequest::new(VPCE),
        )
        .await
        .expect("interface endpoint added");
    assert_eq!(endpoint.interface_endpoint_id, VPCE);
    assert_eq!(
        endpoint.connection_status,
        InterfaceEndpointStatus::PendingAcceptance
    );
    assert_eq!(endpoint.delete_requested, Some(false));

    let listed = client
        .list_private_endpoints(TEST_GROUP_ID)
        .await
        .expect("listed");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].interface_endpoints, Some(vec![VPCE.to_owned()]));
    let enveloped = client
        .list_private_endpoints(TEST_GROUP_ID)
        .envelope(true)
        .await
        .expect("listed");
    assert_eq!(
        enveloped, listed,
        "an enveloped array unwraps to the same list"
    );
    let fetched = client
        .get_private_endpoint(TEST_GROUP_ID, &connection.id)
        .pretty(true)
        .await
        .expect("fetched");
    assert_eq!(fetched.interface_endpoints, Some(vec![VPCE.to_owned()]));

    // Atlas refuses to delete a connection that still has interface endpoints.
    match client
        .delete_private_endpoint(TEST_GROUP_ID, &connection.id)
        .await
    {
        Err(Error::Api(api)) => assert_eq!(api.status, 409, "{api:?}"),
        other => panic!("expected a 409, got {other:?}"),
    }

    let available = client
        .wait_until_interface_endpoint_available(TEST_GROUP_ID, &connection.id, VPCE)
        .interval(FAST)
        .await
        .expect("becomes available");
    assert_eq!(
        available.connection_status,
        InterfaceEndpointStatus::Available
    );

    client
        .delete_interface_endpoint(TEST_GROUP_ID, &connection.id, VPCE)
        .await
        .expect("removal accepted");
    client
        .wait_until_interface_endpoint_deleted(TEST_GROUP_ID, &connection.id, VPCE)
        .interval(FAST)
        .await
        .expect("interface endpoint gone");
    match client
        .get_interface_endpoint(TEST_GROUP_ID, &connection.id, VPCE)
        .await
    {
        Err(Error::Api(api)) => assert_eq!(
            (api.status, api.error_code.as_deref()),
            (404, Some("RESOURCE_NOT_FOUND"))
        ),
        other => panic!("expected a 404, got {other:?}"),
    }

    client
        .delete_private_endpoint(TEST_GROUP_ID, &connection.id)
        .envelope(true)
        .await
        .expect("deletion accepted");
    client
        .wait_until_private_endpoint_deleted(TEST_GROUP_ID, &connection.id)
        .interval(FAST)
        .await
        .expect("connection gone");
    assert!(
        client
            .list_private_endpoints(TEST_GROUP_ID)
            .await
            .expect("listed")
            .is_empty()
    );

    // Only requests with a body declare a content type; all accept JSON.
    for request in server.requests() {
        assert_eq!(request.header("accept"), Some("application/json"));
        let has_body = request.method == "POST";
        assert_eq!(
            request.header("content-type").is_some(),
            has_body,
            "{} {}",
            request.method,
            request.path
        );
        assert_eq!(
            !request.body.is_empty(),
            has_body,
            "{} {}",
            request.method,
            request.path
        );
    }
}

#[tokio::test]
async fn waiters_stop_on_a_failure_state_with_that_state() {
    let server = TestServer::start_with(config(1000, 1000)).await;
    let client = client_for(&server);
    let connection = create(&client, Region::EuWest1).await;
    assert!(server.set_connection_failed(TEST_GROUP_ID, &connection.id));
    let error = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(FAST)
        .await
        .expect_err("fails");
    assert!(
        matches!(&error, Error::WaiterFailed { state, .. } if state == "FAILED"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "wait_until_private_endpoint_ready: the resource reached the failure state `FAILED`"
    );
    let error = client
        .wait_until_private_endpoint_deleted(TEST_GROUP_ID, &connection.id)
        .interval(FAST)
        .await
        .expect_err("a failed connection is not deleted");
    assert!(
        matches!(&error, Error::WaiterFailed { state, .. } if state == "FAILED"),
        "{error:?}"
    );

    let other = create(&client, Region::EuWest2).await;
    add_interface_endpoint(&client, &other.id).await;
    assert!(server.set_interface_endpoint_rejected(TEST_GROUP_ID, &other.id, VPCE));
    let error = client
        .wait_until_interface_endpoint_available(TEST_GROUP_ID, &other.id, VPCE)
        .interval(FAST)
        .await
        .expect_err("rejected");
    assert!(
        matches!(&error, Error::WaiterFailed { state, .. } if state == "REJECTED"),
        "{error:?}"
    );
}

#[tokio::test]
async fn waiters_time_out_with_the_last_state_seen() {
    let server = TestServer::start_with(config(1000, 1000)).await;
    let client = client_for(&server);
    let connection = create(&client, Region::ApSouth1).await;
    add_interface_endpoint(&client, &connection.id).await;

    // A pause of an hour is due when the deadline comes: a waiter that slept it (instead of
    // polling one last time at the deadline) would not return.
    let timed_out = |error: Error, expected_state: &str| match error {
        Error::WaiterTimedOut {
            waited, last_state, ..
        } => {
            assert!(waited >= SHORT, "{waited:?}");
            assert_eq!(last_state.as_deref(), Some(expected_state));
        }
        other => panic!("expected a timeout, got {other:?}"),
    };
    let ready = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(NEVER)
        .max_wait(SHORT);
    timed_out(ready.await.expect_err("times out"), "INITIATING");
    let available = client
        .wait_until_interface_endpoint_available(TEST_GROUP_ID, &connection.id, VPCE)
        .interval(NEVER)
        .max_wait(SHORT);
    timed_out(
        available.await.expect_err("times out"),
        "PENDING_ACCEPTANCE",
    );
    let deleted = client
        .wait_until_private_endpoint_deleted(TEST_GROUP_ID, &connection.id)
        .interval(NEVER)
        .max_wait(SHORT);
    timed_out(deleted.await.expect_err("never deleted"), "INITIATING");
    let removed = client
        .wait_until_interface_endpoint_deleted(TEST_GROUP_ID, &connection.id, VPCE)
        .interval(NEVER)
        .max_wait(SHORT);
    let error = removed.await.expect_err("never removed");
    assert!(error.to_string().contains("gave up after"), "{error}");
    timed_out(error, "PENDING_ACCEPTANCE");
}

/// The authenticated `GET`s the server received, in order.
fn authenticated_gets(server: &TestServer) -> Vec<RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|request| request.authenticated && request.method == "GET")
        .collect()
}

/// The pauses between consecutive requests, as the server saw them arrive.
fn gaps(requests: &[RecordedRequest]) -> Vec<Duration> {
    requests
        .windows(2)
        .map(|pair| pair[1].received_at.duration_since(pair[0].received_at))
        .collect()
}

/// Checks that a waiter which only ever saw `value` (a state it does not list) kept polling
/// and timed out with `value` as its last state.
fn assert_polled_on_and_timed_out(server: &TestServer, error: &Error, value: &str) {
    match error {
        Error::WaiterTimedOut {
            waited, last_state, ..
        } => {
            assert!(*waited >= SHORT, "{waited:?}");
            assert_eq!(last_state.as_deref(), Some(value));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .ends_with(&format!("last state seen: {value}")),
        "{error}"
    );
    // It polled on after seeing the state: the first poll, and the last at the deadline.
    let polls = authenticated_gets(server).len();
    assert_eq!(polls, 2, "{value}: polled {polls} times");
}

#[tokio::test]
async fn a_state_the_waiter_does_not_list_keeps_polling_until_the_deadline() {
    let server = TestServer::start_with(config(1000, 1000)).await;
    let client = client_for(&server);
    let connection = create(&client, Region::UsWest2).await;

    // A value this crate does not know.
    server.clear_requests();
    server.set_fault(Some(Fault::UnknownStatus("MIGRATING".to_owned())));
    let error = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(NEVER)
        .max_wait(SHORT)
        .await
        .expect_err("never reaches a listed state");
    assert_polled_on_and_timed_out(&server, &error, "MIGRATING");

    // A known interface endpoint status that the availability waiter does not list.
    server.set_fault(None);
    add_interface_endpoint(&client, &connection.id).await;
    server.clear_requests();
    server.set_fault(Some(Fault::UnknownStatus("DELETING".to_owned())));
    let error = client
        .wait_until_interface_endpoint_available(TEST_GROUP_ID, &connection.id, VPCE)
        .interval(NEVER)
        .max_wait(SHORT)
        .await
        .expect_err("never reaches a listed state");
    assert_polled_on_and_timed_out(&server, &error, "DELETING");
}

#[tokio::test]
async fn an_unlisted_state_is_polled_through_until_a_success_state() {
    // Three polls see `MIGRATING` (the fault), then the connection is ready.
    let server = TestServer::start_with(config(3, 1)).await;
    let client = client_for(&server);
    let connection = create(&client, Region::UsEast2).await;
    server.clear_requests();
    server.set_fault_for(Fault::UnknownStatus("MIGRATING".to_owned()), 3);
    let ready = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(FAST)
        .max_interval(FAST)
        .max_wait(Duration::from_secs(5))
        .await
        .expect("ready once the resource gets there");
    assert_eq!(ready.status, PrivateEndpointStatus::WaitingForUser);
    assert_eq!(authenticated_gets(&server).len(), 4);
}

#[tokio::test]
async fn a_missing_resource_is_an_error_for_a_ready_waiter() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    let error = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, "aaaaaaaaaaaaaaaaaaaaaaaa")
        .interval(FAST)
        .await
        .expect_err("404");
    assert_eq!(error.status(), Some(404), "{error:?}");
    // ...but success for a deletion waiter.
    client
        .wait_until_private_endpoint_deleted(TEST_GROUP_ID, "aaaaaaaaaaaaaaaaaaaaaaaa")
        .interval(FAST)
        .await
        .expect("already gone");
}

#[tokio::test]
async fn the_waiter_itself_waits_retry_after_when_transport_retries_are_disabled() {
    // One `INITIATING` poll, then ready.
    let server = TestServer::start_with(config(1, 1)).await;
    let client = client_with(&server, RetryPolicy::disabled());
    let connection = create(&client, Region::EuCentral1).await;
    server.clear_requests();
    server.set_fault_for(
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        1,
    );
    let ready = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(FAST)
        .max_interval(Duration::from_secs(2))
        .max_wait(Duration::from_secs(10))
        .await
        .expect("the waiter, not the transport, handles the 429");
    assert_eq!(ready.status, PrivateEndpointStatus::WaitingForUser);

    // 429, `INITIATING`, `WAITING_FOR_USER`: one request each, none retried by the transport.
    let polls = authenticated_gets(&server);
    assert_eq!(polls.len(), 3, "{polls:?}");
    assert_eq!(server.fault(), None, "the 429 was served");
    // The waiter emits no event with its pauses: the arrival times are the only evidence, so
    // only lower bounds (a pause was at least this long; never flaky). That the pause after
    // the Retry-After is not doubled from it needs a paused clock.
    let gaps = gaps(&polls);
    assert!(gaps[0] >= Duration::from_secs(1), "waited {:?}", gaps[0]);
    // The 429 took the first step of the schedule: the next pause is the second one (40 ms),
    // not back to the first.
    assert!(gaps[1] >= 2 * FAST - TOLERANCE, "{:?}", gaps[1]);
}

/// Slack for the arrival times the server records (the client's sleeps are never short).
const TOLERANCE: Duration = Duration::from_millis(2);

#[tokio::test]
async fn pauses_double_from_the_interval_up_to_the_ceiling() {
    // Six `INITIATING` polls, then ready: six pauses.
    let server = TestServer::start_with(config(6, 1)).await;
    let client = client_for(&server);
    let connection = create(&client, Region::EuWest3).await;
    server.clear_requests();
    let interval = Duration::from_millis(40);
    let ceiling = Duration::from_millis(160);
    client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(interval)
        .max_interval(ceiling)
        .max_wait(Duration::from_secs(30))
        .await
        .expect("ready");
    let polls = authenticated_gets(&server);
    assert_eq!(polls.len(), 7, "{polls:?}");
    let gaps = gaps(&polls);
    let expected = [40, 80, 160, 160, 160, 160].map(Duration::from_millis);
    // Lower bounds only (see above); that the pauses stop growing at the ceiling needs a
    // paused clock.
    for (gap, expected) in gaps.iter().zip(expected) {
        assert!(*gap >= expected - TOLERANCE, "{gaps:?}");
    }
}

#[tokio::test]
async fn an_interval_above_the_ceiling_is_kept_and_does_not_grow() {
    let server = TestServer::start_with(config(4, 1)).await;
    let client = client_for(&server);
    let connection = create(&client, Region::ApNortheast1).await;
    server.clear_requests();
    let interval = Duration::from_millis(60);
    client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(interval)
        .max_interval(Duration::from_millis(1))
        .max_wait(Duration::from_secs(30))
        .await
        .expect("ready");
    let polls = authenticated_gets(&server);
    assert_eq!(polls.len(), 5, "{polls:?}");
    let gaps = gaps(&polls);
    // Lower bounds only (see above); that the pauses do not grow needs a paused clock.
    for gap in &gaps {
        assert!(*gap >= interval - TOLERANCE, "{gaps:?}");
    }
}

#[tokio::test]
async fn dropping_a_waiter_stops_polling() {
    let server = TestServer::start_with(config(1_000_000, 1)).await;
    let client = client_for(&server);
    let connection = create(&client, Region::SaEast1).await;
    let created = server.request_count(); // the create and its challenge
    // Its poll is held unanswered: the waiter is dropped while it waits for the answer.
    server.set_fault(Some(Fault::NoAnswer));
    let waiter = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(FAST);
    let task = tokio::spawn(waiter.into_future());
    server.wait_for_requests(created + 1).await; // it was polling
    task.abort();
    assert!(task.await.expect_err("aborted").is_cancelled());
    // The poll in flight went with the dropped future (its connection was closed), and no
    // poll followed it.
    server.wait_for_abandoned_requests(1).await;
    assert_eq!(
        server.request_count(),
        created + 1,
        "no poll after the drop"
    );
}

#[tokio::test]
async fn path_parameters_cannot_change_the_request_path() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    let hostile = [
        "",
        ".",
        "..",
        "a/b",
        "../../../x",
        "x?admin=true",
        "x#frag",
        "vpce-1/../..",
        "vpce-1?x",
        "vpce-1%2F",
    ];
    for value in hostile {
        let cases = [
            client
                .get_private_endpoint(TEST_GROUP_ID, value)
                .send()
                .await
                .map(drop),
            client
                .delete_private_endpoint(TEST_GROUP_ID, value)
                .send()
                .await,
            client
                .get_interface_endpoint(TEST_GROUP_ID, "5df264b8f10fab7d2cad2f0d", value)
                .send()
                .await
                .map(drop),
            client
                .delete_interface_endpoint(value, "5df264b8f10fab7d2cad2f0d", "vpce-1")
                .send()
                .await,
            client
                .wait_until_interface_endpoint_deleted(TEST_GROUP_ID, value, "vpce-1")
                .interval(FAST)
                .await,
        ];
        for result in cases {
            assert!(
                matches!(result, Err(Error::InvalidArgument { .. })),
                "{value:?}: {result:?}"
            );
        }
    }
    assert_eq!(server.request_count(), 0, "nothing reached the server");

    // A parameter without a pattern is percent-encoded as one segment.
    let keywords = keywords_client::Client::builder()
        .base_url(server.base_url())
        .digest_auth(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
        .build()
        .expect("valid configuration");
    let error = keywords
        .r#loop("a/b?c#d %..")
        .await
        .expect_err("the test server has no such route");
    assert_eq!(error.status(), Some(404));
    let recorded = server.requests();
    let last = recorded.last().expect("a request reached the server");
    assert_eq!(last.path, "/api/v1/crates/a%2Fb%3Fc%23d%20%25..");
    assert_eq!(last.query, None);
    for value in ["", ".", ".."] {
        let error = keywords.r#loop(value).await.expect_err("rejected");
        assert!(
            matches!(
                error,
                keywords_client::Error::InvalidArgument { name: "crate_", .. }
            ),
            "{error:?}"
        );
    }
}
