//! The whole legacy private-endpoint lifecycle with the generated operations and waiters, the
//! failure and timeout path of each waiter, and path safety for every path parameter.

mod common;

use std::time::Duration;

use atlas_admin::types::{
    CreateInterfaceEndpointRequest, InterfaceEndpointStatus, PrivateEndpoint,
    PrivateEndpointStatus, Region,
};
use atlas_admin::{Client, Error};
use atlas_test_server::{
    Fault, ServerConfig, TEST_GROUP_ID, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, TestServer,
};
use common::{body, client_for};

const VPCE: &str = "vpce-0b9c5701325cb15dd";
const FAST: Duration = Duration::from_millis(20);
const SHORT: Duration = Duration::from_millis(150);

async fn create(client: &Client, region: Region) -> PrivateEndpoint {
    client
        .create_private_endpoint(TEST_GROUP_ID, body(region))
        .await
        .expect("created")
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
    assert_eq!(listed[0].interface_endpoints, vec![VPCE.to_owned()]);
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
    assert_eq!(fetched.interface_endpoints, vec![VPCE.to_owned()]);

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
        matches!(&error, Error::WaiterFailed { state, expected: true, .. } if state == "FAILED"),
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
        matches!(&error, Error::WaiterFailed { state, expected: true, .. } if state == "FAILED"),
        "{error:?}"
    );

    let other = create(&client, Region::EuWest2).await;
    client
        .create_interface_endpoint(
            TEST_GROUP_ID,
            &other.id,
            CreateInterfaceEndpointRequest::new(VPCE),
        )
        .await
        .expect("added");
    assert!(server.set_interface_endpoint_rejected(TEST_GROUP_ID, &other.id, VPCE));
    let error = client
        .wait_until_interface_endpoint_available(TEST_GROUP_ID, &other.id, VPCE)
        .interval(FAST)
        .await
        .expect_err("rejected");
    assert!(
        matches!(&error, Error::WaiterFailed { state, expected: true, .. } if state == "REJECTED"),
        "{error:?}"
    );
}

#[tokio::test]
async fn waiters_time_out_with_the_last_state_seen() {
    let server = TestServer::start_with(config(1000, 1000)).await;
    let client = client_for(&server);
    let connection = create(&client, Region::ApSouth1).await;
    client
        .create_interface_endpoint(
            TEST_GROUP_ID,
            &connection.id,
            CreateInterfaceEndpointRequest::new(VPCE),
        )
        .await
        .expect("added");

    let timed_out = |error: Error, expected_state: &str| match error {
        Error::WaiterTimedOut {
            waited, last_state, ..
        } => {
            assert!(waited >= SHORT, "{waited:?}");
            assert!(waited < Duration::from_secs(3), "{waited:?}");
            assert_eq!(last_state.as_deref(), Some(expected_state));
        }
        other => panic!("expected a timeout, got {other:?}"),
    };
    let ready = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(FAST)
        .max_wait(SHORT);
    timed_out(ready.await.expect_err("times out"), "INITIATING");
    let available = client
        .wait_until_interface_endpoint_available(TEST_GROUP_ID, &connection.id, VPCE)
        .interval(FAST)
        .max_wait(SHORT);
    timed_out(
        available.await.expect_err("times out"),
        "PENDING_ACCEPTANCE",
    );
    let deleted = client
        .wait_until_private_endpoint_deleted(TEST_GROUP_ID, &connection.id)
        .interval(FAST)
        .max_wait(SHORT);
    timed_out(deleted.await.expect_err("never deleted"), "INITIATING");
    let removed = client
        .wait_until_interface_endpoint_deleted(TEST_GROUP_ID, &connection.id, VPCE)
        .interval(FAST)
        .max_wait(SHORT);
    let error = removed.await.expect_err("never removed");
    assert!(error.to_string().contains("gave up after"), "{error}");
    timed_out(error, "PENDING_ACCEPTANCE");
}

#[tokio::test]
async fn a_state_the_waiter_does_not_list_is_an_unexpected_failure() {
    let server = TestServer::start_with(config(1000, 1000)).await;
    let client = client_for(&server);
    let connection = create(&client, Region::UsWest2).await;
    server.set_fault(Some(Fault::UnknownStatus("MIGRATING".to_owned())));
    let error = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(FAST)
        .await
        .expect_err("unexpected");
    assert!(
        matches!(&error, Error::WaiterFailed { state, expected: false, .. } if state == "MIGRATING"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("an unexpected state `MIGRATING`"),
        "{error}"
    );
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
async fn a_waiter_honours_retry_after() {
    let server = TestServer::start_with(config(1, 1)).await;
    let client = client_for(&server);
    let connection = create(&client, Region::CaCentral1).await;
    server.set_fault_for(
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        1,
    );
    let started = std::time::Instant::now();
    let ready = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(FAST)
        .await
        .expect("ready after the rate limit");
    assert_eq!(ready.status, PrivateEndpointStatus::WaitingForUser);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn dropping_a_waiter_stops_polling() {
    let server = TestServer::start_with(config(1_000_000, 1)).await;
    let client = client_for(&server);
    let connection = create(&client, Region::SaEast1).await;
    let waiter = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(FAST);
    let task = tokio::spawn(waiter.into_future());
    tokio::time::sleep(Duration::from_millis(200)).await;
    task.abort();
    let _ = task.await;
    // A request already on the wire when the future was dropped may still be recorded.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let polls = server.request_count();
    assert!(
        polls >= 3,
        "it was polling (2 exchanges were the create): {polls}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.request_count(), polls, "no poll after the drop");
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
    assert_eq!(last.path, "/api/atlas/v1.0/crates/a%2Fb%3Fc%23d%20%25..");
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
