//! The generated typed mocks (`atlas_admin::mock`, feature `mock`), used the way a user of the
//! crate would: only its public API, a real `Client` pointed at the mock server.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use atlas_admin::mock::{
    MockServer, NO_MATCH_ERROR_CODE, OAUTH_REVOKE_PATH, OAUTH_TOKEN_PATH, Reply,
};
use atlas_admin::types::{
    AwsPrivateLinkConnection, AzurePrivateLinkConnection, CloudProvider,
    CloudProviderEndpointServiceRequest, CreatePrivateEndpointRequest, EndpointService,
    EndpointServiceStatus, GcpEndpointService, PrivateEndpoint, PrivateEndpointStatus,
    ProviderName, Region,
};
use atlas_admin::{Client, Error, RetryPolicy};

const GROUP: &str = "5df264b8f10fab7d2cad2f0d";
const SERVICE: &str = "6a7b8c9d0e1f2a3b4c5d6e7f";
const CONNECTION: &str = "5e0f4b8cf10fab7d2cad2f1a";

/// A client as the code under test would build it, with quick retries.
fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .digest_auth("PUBLIC-KEY", "PRIVATE-KEY")
        .retry_policy(
            RetryPolicy::standard()
                .with_base_delay(Duration::from_millis(5))
                .with_max_delay(Duration::from_millis(20)),
        )
        .build()
        .expect("client")
}

fn aws_service(status: EndpointServiceStatus) -> EndpointService {
    EndpointService::Aws(
        AwsPrivateLinkConnection::new(SERVICE, status, Vec::new()).with_region_name("US_EAST_1"),
    )
}

/// The `detail` of an `Error::Api`, or a panic naming what came instead.
fn api_detail(result: Result<impl std::fmt::Debug, Error>) -> (u16, Option<String>, String) {
    match result {
        Err(Error::Api(api)) => (api.status, api.error_code, api.detail.unwrap_or_default()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_v2_operation_with_a_typed_body_and_a_union_answer() {
    let server = MockServer::start().await;
    let request = CloudProviderEndpointServiceRequest::new(CloudProvider::Aws, "US_EAST_1");
    let created = aws_service(EndpointServiceStatus::Initiating);
    let mock = server
        .create_private_endpoint_service()
        .group_id(GROUP)
        .body(request.clone())
        .respond(created.clone())
        .times(1)
        .await;

    let answer = client(&server)
        .create_private_endpoint_service(GROUP, request)
        .send_with_metadata()
        .await
        .expect("created");
    // The documented status, the union's variant with its discriminator, decoded back equal.
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.into_inner(), created);
    assert_eq!(mock.hits(), 1);
}

#[tokio::test]
async fn a_legacy_v1_operation_and_its_media_type() {
    let server = MockServer::start().await;
    let connection = PrivateEndpoint::new(CONNECTION, PrivateEndpointStatus::WaitingForUser)
        .with_endpoint_service_name("com.amazonaws.vpce.us-east-1.vpce-svc-0aee615d3fe32c14e");
    server
        .create_private_endpoint()
        .group_id(GROUP)
        .body(CreatePrivateEndpointRequest::new(
            ProviderName::Aws,
            Region::UsEast1,
        ))
        .respond(connection.clone())
        .await;
    server
        .get_private_endpoint()
        .group_id(GROUP)
        .privatelink_id(CONNECTION)
        .respond(connection.clone())
        .times(2)
        .await;

    let client = client(&server);
    let created = client
        .create_private_endpoint(
            GROUP,
            CreatePrivateEndpointRequest::new(ProviderName::Aws, Region::UsEast1),
        )
        .await
        .expect("created");
    assert_eq!(created, connection);
    assert_eq!(
        client
            .get_private_endpoint(GROUP, CONNECTION)
            .await
            .expect("read"),
        connection
    );
    // The `{"status", "content"}` envelope is honoured too.
    assert_eq!(
        client
            .get_private_endpoint(GROUP, CONNECTION)
            .envelope(true)
            .await
            .expect("read enveloped"),
        connection
    );
}

#[tokio::test]
async fn each_union_variant_can_be_mocked_by_its_enum_path_parameter() {
    let server = MockServer::start().await;
    let azure = EndpointService::Azure(
        AzurePrivateLinkConnection::new(SERVICE, EndpointServiceStatus::Available)
            .with_private_link_service_name("pls_6a7b"),
    );
    let gcp = EndpointService::Gcp(GcpEndpointService::new(
        SERVICE,
        EndpointServiceStatus::Initiating,
    ));
    server
        .get_private_endpoint_service()
        .group_id(GROUP)
        .cloud_provider(CloudProvider::Azure)
        .endpoint_service_id(SERVICE)
        .respond(azure.clone())
        .await;
    server
        .get_private_endpoint_service()
        .group_id(GROUP)
        .cloud_provider("GCP")
        .endpoint_service_id(SERVICE)
        .respond(gcp.clone())
        .await;

    let client = client(&server);
    let read = client
        .get_private_endpoint_service(GROUP, CloudProvider::Azure, SERVICE)
        .await
        .expect("azure");
    assert!(
        matches!(&read, EndpointService::Azure(azure) if azure.private_link_service_name.as_deref() == Some("pls_6a7b"))
    );
    assert_eq!(read, azure);
    assert_eq!(
        client
            .get_private_endpoint_service(GROUP, CloudProvider::Gcp, SERVICE)
            .await
            .expect("gcp"),
        gcp
    );
}

#[tokio::test]
async fn a_typed_api_error() {
    let server = MockServer::start().await;
    server
        .create_private_endpoint_service()
        .group_id(GROUP)
        .respond_error(
            409,
            "PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION",
            "An endpoint service already exists in this region.",
        )
        .await;

    let result = client(&server)
        .create_private_endpoint_service(
            GROUP,
            CloudProviderEndpointServiceRequest::new(CloudProvider::Azure, "US_EAST_2"),
        )
        .await;
    let Err(Error::Api(api)) = result else {
        panic!("expected Error::Api, got {result:?}");
    };
    assert_eq!(api.status, 409);
    assert_eq!(
        api.error_code.as_deref(),
        Some("PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION")
    );
    assert_eq!(
        api.detail.as_deref(),
        Some("An endpoint service already exists in this region.")
    );
    assert_eq!(api.reason.as_deref(), Some("Conflict"));
}

#[tokio::test]
async fn a_rate_limited_answer_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    let connection = PrivateEndpoint::new(CONNECTION, PrivateEndpointStatus::WaitingForUser);
    // Mocks of one operation answer in the order they were mounted.
    let limited = server
        .get_private_endpoint()
        .group_id(GROUP)
        .privatelink_id(CONNECTION)
        .respond_with(
            Reply::error(429, "RATE_LIMIT_EXCEEDED", "slow down").header("Retry-After", "0"),
        )
        .times(1)
        .await;
    let answered = server
        .get_private_endpoint()
        .group_id(GROUP)
        .privatelink_id(CONNECTION)
        .respond(connection.clone())
        .times(1)
        .await;

    let answer = client(&server)
        .get_private_endpoint(GROUP, CONNECTION)
        .send_with_metadata()
        .await
        .expect("retried");
    assert_eq!(answer.attempts(), 2);
    assert_eq!(answer.into_inner(), connection);
    assert_eq!((limited.hits(), answered.hits()), (1, 1));
}

#[tokio::test]
async fn a_waiter_is_driven_through_a_sequence_of_states() {
    let server = MockServer::start().await;
    let polled = server
        .get_private_endpoint_service()
        .group_id(GROUP)
        .cloud_provider(CloudProvider::Aws)
        .endpoint_service_id(SERVICE)
        .respond_sequence([
            aws_service(EndpointServiceStatus::Initiating).into(),
            Reply::error(503, "SERVICE_UNAVAILABLE", "try again"),
            aws_service(EndpointServiceStatus::Initiating).into(),
            aws_service(EndpointServiceStatus::WaitingForUser).into(),
        ])
        .await;

    let ready = client(&server)
        .wait_until_private_endpoint_service_ready(GROUP, CloudProvider::Aws, SERVICE)
        .interval(Duration::from_millis(5))
        .max_wait(Duration::from_secs(30))
        .await
        .expect("ready");
    assert_eq!(ready.status(), Some(&EndpointServiceStatus::WaitingForUser));
    assert_eq!(polled.hits(), 4);
}

#[tokio::test]
async fn a_deletion_waiter_ends_on_a_mocked_404() {
    let server = MockServer::start().await;
    server
        .get_private_endpoint_service()
        .group_id(GROUP)
        .cloud_provider(CloudProvider::Aws)
        .endpoint_service_id(SERVICE)
        .respond_sequence([
            aws_service(EndpointServiceStatus::Deleting).into(),
            Reply::error(404, "ENDPOINT_SERVICE_NOT_FOUND", "gone"),
        ])
        .await;
    server
        .delete_private_endpoint_service()
        .group_id(GROUP)
        .cloud_provider(CloudProvider::Aws)
        .endpoint_service_id(SERVICE)
        .respond()
        .times(1)
        .await;

    let client = client(&server);
    client
        .delete_private_endpoint_service(GROUP, CloudProvider::Aws, SERVICE)
        .await
        .expect("deleted");
    client
        .wait_until_private_endpoint_service_deleted(GROUP, CloudProvider::Aws, SERVICE)
        .interval(Duration::from_millis(5))
        .await
        .expect("gone");
}

#[tokio::test]
async fn a_different_body_gets_a_clear_message_and_fails_the_test() {
    let server = MockServer::start().await;
    server
        .create_private_endpoint_service()
        .group_id(GROUP)
        .body(CloudProviderEndpointServiceRequest::new(
            CloudProvider::Aws,
            "US_EAST_1",
        ))
        .respond(aws_service(EndpointServiceStatus::Initiating))
        .any_times()
        .await;

    let result = client(&server)
        .create_private_endpoint_service(
            GROUP,
            CloudProviderEndpointServiceRequest::new(CloudProvider::Aws, "US_WEST_2"),
        )
        .await;
    // The client gets the message at once, as an ordinary API error...
    let (status, code, detail) = api_detail(result);
    assert_eq!((status, code.as_deref()), (400, Some(NO_MATCH_ERROR_CODE)));
    assert!(
        detail.contains("operation createPrivateEndpointService"),
        "{detail}"
    );
    assert!(
        detail.contains(r#"/region: expected "US_EAST_1", got "US_WEST_2""#),
        "{detail}"
    );
    // ...and the test would fail when the server is dropped: take the message instead.
    let failures = server.take_failures();
    assert_eq!(failures, [detail]);
}

#[tokio::test]
async fn unmatched_requests_name_the_operation_and_what_differed() {
    let server = MockServer::start().await;
    server
        .get_private_endpoint_service()
        .group_id(GROUP)
        .cloud_provider(CloudProvider::Aws)
        .endpoint_service_id(SERVICE)
        .respond(aws_service(EndpointServiceStatus::Available))
        .any_times()
        .await;
    let client = client(&server);

    // Another value of the enum path parameter.
    let (_, _, detail) = api_detail(
        client
            .get_private_endpoint_service(GROUP, CloudProvider::Azure, SERVICE)
            .await,
    );
    assert!(
        detail.contains("operation getPrivateEndpointService"),
        "{detail}"
    );
    assert!(
        detail.contains(
            r#"path parameter `cloud_provider` (`cloudProvider`): expected "AWS", got "AZURE""#
        ),
        "{detail}"
    );
    // An operation nothing was mounted for.
    let (_, _, detail) = api_detail(client.list_private_endpoints(GROUP).await);
    assert!(
        detail.contains("operation listPrivateEndpoints"),
        "{detail}"
    );
    assert!(detail.contains("no mock is mounted for it"), "{detail}");
    assert_eq!(server.take_failures().len(), 2);
}

#[tokio::test]
async fn times_limits_the_answers_and_the_next_request_says_so() {
    let server = MockServer::start().await;
    server
        .get_private_endpoint()
        .group_id(GROUP)
        .privatelink_id(CONNECTION)
        .respond(PrivateEndpoint::new(
            CONNECTION,
            PrivateEndpointStatus::WaitingForUser,
        ))
        .times(1)
        .await;
    let client = client(&server);
    client
        .get_private_endpoint(GROUP, CONNECTION)
        .await
        .expect("first");
    let (_, _, detail) = api_detail(client.get_private_endpoint(GROUP, CONNECTION).await);
    assert!(
        detail.contains("matches, but already answered its 1 request"),
        "{detail}"
    );
    server.take_failures();
}

#[tokio::test]
async fn media_type_query_and_bearer_auth_are_checked() {
    let server = MockServer::start().await;
    server
        .list_private_endpoint_services()
        .group_id(GROUP)
        .cloud_provider(CloudProvider::Aws)
        .pretty(true)
        .respond(vec![aws_service(EndpointServiceStatus::Available)])
        .any_times()
        .await;
    let http = reqwest::Client::new();
    let url = format!(
        "{}/api/atlas/v2/groups/{GROUP}/privateEndpoint/AWS/endpointService",
        server.uri()
    );

    // A bearer token is accepted; the v2 media type and the query parameter match.
    let response = http
        .get(format!("{url}?pretty=true"))
        .bearer_auth("any-token")
        .header("Accept", "application/vnd.atlas.2023-01-01+json")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.expect("body")).expect("json");
    assert_eq!(body[0]["cloudProvider"], "AWS");

    // The wrong media type and a missing query parameter are both named.
    let response = http
        .get(&url)
        .bearer_auth("any-token")
        .header("Accept", "application/json")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 400);
    let failures = server.take_failures();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].contains(
            "`accept`: expected `application/vnd.atlas.2023-01-01+json`, got `application/json`"
        ),
        "{}",
        failures[0]
    );
    assert!(
        failures[0].contains(r#"query parameter `pretty` (`pretty`): expected "true", not sent"#),
        "{}",
        failures[0]
    );

    // Without credentials: a Digest challenge, and the request is reported.
    let response = http.get(&url).send().await.expect("sent");
    assert_eq!(response.status(), 401);
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(challenge.starts_with("Digest realm="), "{challenge}");
    assert!(challenge.contains("qop=\"auth\""), "{challenge}");
    let failures = server.take_failures();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].contains("without an `Authorization` header"),
        "{}",
        failures[0]
    );
}

#[tokio::test]
async fn the_service_account_token_endpoints_are_served() {
    let server = MockServer::start().await;
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{}{OAUTH_TOKEN_PATH}", server.uri()))
        .basic_auth("mdb_sa_id_1234", Some("mdb_sa_sk_secret"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let token: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.expect("body")).expect("json");
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 3600);
    let access_token = token["access_token"].as_str().expect("token").to_owned();

    // The token works as a bearer token for the operations.
    server
        .list_private_endpoints()
        .group_id(GROUP)
        .respond(Vec::new())
        .times(1)
        .await;
    let response = http
        .get(format!(
            "{}/api/atlas/v1.0/groups/{GROUP}/privateEndpoint",
            server.uri()
        ))
        .bearer_auth(&access_token)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);

    let response = http
        .post(format!("{}{OAUTH_REVOKE_PATH}", server.uri()))
        .basic_auth("mdb_sa_id_1234", Some("mdb_sa_sk_secret"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("token={access_token}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);

    // A token request without the grant type is refused and reported.
    let response = http
        .post(format!("{}{OAUTH_TOKEN_PATH}", server.uri()))
        .basic_auth("mdb_sa_id_1234", Some("mdb_sa_sk_secret"))
        .body("")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 400);
    assert_eq!(server.take_failures().len(), 1);
}

#[tokio::test]
async fn an_unmet_expectation_fails_the_test_when_the_server_is_dropped() {
    let server = MockServer::start().await;
    server
        .get_private_endpoint()
        .group_id(GROUP)
        .privatelink_id(CONNECTION)
        .respond(PrivateEndpoint::new(
            CONNECTION,
            PrivateEndpointStatus::WaitingForUser,
        ))
        .times(1)
        .await;
    server
        .list_private_endpoints()
        .group_id(GROUP)
        .respond(Vec::new())
        .await;

    let panic = std::panic::catch_unwind(AssertUnwindSafe(move || drop(server)))
        .expect_err("dropping the server fails the test");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("2 problems"), "{message}");
    assert!(
        message.contains(r#"mock #1 of getPrivateEndpoint (group_id = "5df264b8f10fab7d2cad2f0d", privatelink_id = "5e0f4b8cf10fab7d2cad2f1a") (`get_private_endpoint`): expected 1 request, got 0"#),
        "{message}"
    );
    assert!(
        message.contains("mock #2 of listPrivateEndpoints"),
        "{message}"
    );
    assert!(
        message.contains("expected at least 1 request, got 0"),
        "{message}"
    );
}

#[tokio::test]
#[should_panic(
    expected = "no mock matched GET /api/atlas/v1.0/groups/5df264b8f10fab7d2cad2f0d/privateEndpoint"
)]
async fn an_unmatched_request_fails_the_test_on_drop() {
    let server = MockServer::start().await;
    // Nothing mounted: the client gets an error, and the drop at the end of the test panics.
    let result = client(&server).list_private_endpoints(GROUP).await;
    assert!(result.is_err());
}

#[tokio::test]
async fn a_service_account_client_works_against_the_mock_unchanged() {
    let server = MockServer::start().await;
    let services = server
        .list_private_endpoint_services()
        .group_id(GROUP)
        .cloud_provider(CloudProvider::Aws)
        .respond(vec![aws_service(EndpointServiceStatus::Available)])
        .times(2)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .service_account("mdb_sa_id_mock", "mdb_sa_sk_mock")
        .build()
        .expect("client");
    for _ in 0..2 {
        let listed = client
            .list_private_endpoint_services(GROUP, CloudProvider::Aws)
            .await
            .expect("listed with a mock token");
        assert_eq!(listed.len(), 1);
    }
    client.revoke_token().await.expect("the mock revokes it");
    assert_eq!(services.hits(), 2);
    server.verify();
}

#[tokio::test]
async fn a_malformed_answer_is_a_decode_error_that_says_what_and_where() {
    let server = MockServer::start().await;
    // The connection's first interface endpoint is a number, not a string.
    let mut connection = serde_json::to_value(PrivateEndpoint::new(
        CONNECTION,
        PrivateEndpointStatus::WaitingForUser,
    ))
    .expect("serializes");
    connection["interfaceEndpoints"] = serde_json::json!([7]);
    let body = connection.to_string();
    let column = body.find("7]").expect("the number") + 1;
    server
        .get_private_endpoint()
        .group_id(GROUP)
        .privatelink_id(CONNECTION)
        .respond_with(Reply::json(200, connection))
        .await;
    match client(&server)
        .get_private_endpoint(GROUP, CONNECTION)
        .await
    {
        Err(Error::Decode(decode)) => {
            assert_eq!(decode.status, 200);
            assert_eq!(decode.body, body, "the raw body is kept");
            assert_eq!(
                decode.to_string(),
                format!(
                    "could not decode the HTTP 200 response body: invalid type: integer `7`, \
                     expected a string at line 1 column {column}"
                )
            );
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }

    // In a list of unions: the variant's type, and what is wrong in it.
    let good = serde_json::to_value(aws_service(EndpointServiceStatus::Available)).expect("json");
    let mut bad = good.clone();
    bad.as_object_mut().expect("an object").remove("id");
    server
        .list_private_endpoint_services()
        .group_id(GROUP)
        .cloud_provider(CloudProvider::Aws)
        .respond_with(Reply::json(200, serde_json::json!([good, bad])))
        .await;
    match client(&server)
        .list_private_endpoint_services(GROUP, CloudProvider::Aws)
        .await
    {
        Err(Error::Decode(decode)) => {
            let message = decode.to_string();
            assert!(
                message.ends_with(": AwsPrivateLinkConnection: missing field `id`"),
                "{message}"
            );
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}
