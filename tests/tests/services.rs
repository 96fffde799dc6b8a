//! The v2 Private Endpoint Services family through the generated client, against the test
//! server: the whole lifecycle for each provider, the exact wire (versioned media type, paths
//! with `{cloudProvider}`, bodies with the discriminator), Atlas's example payloads, unknown
//! providers, PATCH semantics and the waiters' failure paths.

mod common;

use std::time::Duration;

use atlas_admin::types::{
    ApiAtlasModifyEndpointServiceRequestView, AwsEndpointConnectionStatus,
    AzurePrivateEndpointStatus, CloudProvider, CloudProviderEndpointServiceRequest,
    CreateAwsEndpointRequest, CreateAzureEndpointRequest, CreateEndpointRequest,
    CreateGcpEndpointGroupRequest, CreateGcpForwardingRuleRequest, EndpointService,
    EndpointServiceStatus, GcpEndpointGroupStatus, PrivateLinkEndpoint, ProjectSettingItemView,
};
use atlas_admin::{Client, Error};
use atlas_test_server::{RecordedRequest, TEST_GROUP_ID, TestServer};
use common::client_for;
use serde_json::{Value, json};

const V2_MEDIA_TYPE: &str = "application/vnd.atlas.2023-01-01+json";
const FAST: Duration = Duration::from_millis(20);
const VPCE: &str = "vpce-0b9c5701325cb15d1";
const AZURE_ENDPOINT: &str = "/subscriptions/19265c27-b60e-4c3b-9426-ae3f507300b5/resourceGroups/test/providers/Microsoft.Network/privateEndpoints/pe1";
const GCP_GROUP: &str = "google-endpoint-group";

/// Everything one provider's lifecycle needs.
struct Provider {
    provider: CloudProvider,
    region: &'static str,
    endpoint_id: &'static str,
    ready: EndpointServiceStatus,
}

fn providers() -> [Provider; 3] {
    [
        Provider {
            provider: CloudProvider::Aws,
            region: "us-east-1",
            endpoint_id: VPCE,
            ready: EndpointServiceStatus::WaitingForUser,
        },
        Provider {
            provider: CloudProvider::Azure,
            region: "US_EAST_2",
            endpoint_id: AZURE_ENDPOINT,
            ready: EndpointServiceStatus::Available,
        },
        Provider {
            provider: CloudProvider::Gcp,
            region: "us-central1",
            endpoint_id: GCP_GROUP,
            ready: EndpointServiceStatus::Available,
        },
    ]
}

/// The body that connects `provider.endpoint_id`, in the provider's shape.
fn endpoint_body(provider: &CloudProvider) -> CreateEndpointRequest {
    match provider {
        CloudProvider::Azure => CreateEndpointRequest::Azure(CreateAzureEndpointRequest::new(
            AZURE_ENDPOINT,
            "10.0.0.4",
        )),
        CloudProvider::Gcp => CreateEndpointRequest::Gcp(
            CreateGcpEndpointGroupRequest::new(GCP_GROUP, "p-dkfgoioogdksjei").with_endpoints(
                vec![
                    CreateGcpForwardingRuleRequest::new()
                        .with_endpoint_name(format!("{GCP_GROUP}-0"))
                        .with_ip_address("10.0.0.4".to_owned()),
                ],
            ),
        ),
        _ => CreateEndpointRequest::Aws(CreateAwsEndpointRequest::new(VPCE)),
    }
}

async fn create_service(client: &Client, provider: CloudProvider, region: &str) -> EndpointService {
    client
        .create_private_endpoint_service(
            TEST_GROUP_ID,
            CloudProviderEndpointServiceRequest::new(provider, region),
        )
        .await
        .expect("service created")
}

fn v2_requests(server: &TestServer) -> Vec<RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|request| request.authenticated && request.path.starts_with("/api/atlas/v2/"))
        .collect()
}

#[tokio::test]
async fn every_provider_goes_through_the_whole_lifecycle() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    for Provider {
        provider,
        region,
        endpoint_id,
        ready,
    } in providers()
    {
        let service = create_service(&client, provider.clone(), region).await;
        assert_eq!(service.cloud_provider(), Some(provider.clone()));
        assert_eq!(service.status(), Some(&EndpointServiceStatus::Initiating));
        let id = service.id().expect("an id").to_owned();

        let service = client
            .wait_until_private_endpoint_service_ready(TEST_GROUP_ID, provider.clone(), &id)
            .interval(FAST)
            .await
            .expect("service ready");
        assert_eq!(service.status(), Some(&ready), "{provider}");
        match (&provider, &service) {
            (CloudProvider::Aws, EndpointService::Aws(aws)) => assert!(
                aws.endpoint_service_name
                    .as_deref()
                    .is_some_and(|name| name.starts_with("com.amazonaws.vpce.")),
                "{aws:?}"
            ),
            (CloudProvider::Azure, EndpointService::Azure(azure)) => assert!(
                azure
                    .private_link_service_name
                    .as_deref()
                    .is_some_and(|name| name.starts_with("pls_")),
                "{azure:?}"
            ),
            (CloudProvider::Gcp, EndpointService::Gcp(gcp)) => assert!(
                gcp.service_attachment_names
                    .as_ref()
                    .is_some_and(|names| !names.is_empty()),
                "{gcp:?}"
            ),
            other => panic!("wrong variant: {other:?}"),
        }

        let endpoint = client
            .create_private_endpoint_service_endpoint(
                TEST_GROUP_ID,
                provider.clone(),
                &id,
                endpoint_body(&provider),
            )
            .await
            .expect("endpoint connected");
        assert_eq!(endpoint.cloud_provider(), Some(provider.clone()));
        let endpoint = client
            .wait_until_private_endpoint_service_endpoint_available(
                TEST_GROUP_ID,
                provider.clone(),
                &id,
                endpoint_id,
            )
            .interval(FAST)
            .await
            .expect("endpoint available");
        match endpoint {
            PrivateLinkEndpoint::Aws(aws) => {
                assert_eq!(
                    aws.connection_status,
                    AwsEndpointConnectionStatus::Available
                );
                assert_eq!(aws.interface_endpoint_id.as_deref(), Some(VPCE));
            }
            PrivateLinkEndpoint::Azure(azure) => {
                assert_eq!(azure.status, AzurePrivateEndpointStatus::Available);
                assert_eq!(
                    azure.private_endpoint_ip_address.as_deref(),
                    Some("10.0.0.4")
                );
            }
            PrivateLinkEndpoint::Gcp(gcp) => {
                assert_eq!(gcp.status, Some(GcpEndpointGroupStatus::Available));
                assert_eq!(gcp.endpoints.as_ref().map(Vec::len), Some(1));
            }
            other => panic!("unexpected {other:?}"),
        }

        client
            .delete_private_endpoint_service_endpoint(
                TEST_GROUP_ID,
                provider.clone(),
                &id,
                endpoint_id,
            )
            .await
            .expect("endpoint removed: 204");
        client
            .wait_until_private_endpoint_service_endpoint_deleted(
                TEST_GROUP_ID,
                provider.clone(),
                &id,
                endpoint_id,
            )
            .interval(FAST)
            .await
            .expect("endpoint gone");
        // Removing the last endpoint removes the service too: it is already going.
        client
            .delete_private_endpoint_service(TEST_GROUP_ID, provider.clone(), &id)
            .await
            .expect("service removal accepted: 204");
        client
            .wait_until_private_endpoint_service_deleted(TEST_GROUP_ID, provider.clone(), &id)
            .interval(FAST)
            .await
            .expect("service gone");
        let error = client
            .get_private_endpoint_service(TEST_GROUP_ID, provider.clone(), &id)
            .await
            .expect_err("gone");
        assert_eq!(error.status(), Some(404));
    }
}

#[tokio::test]
async fn the_wire_carries_the_versioned_media_type_the_provider_and_the_discriminator() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    let service = create_service(&client, CloudProvider::Azure, "US_EAST_2").await;
    let id = service.id().expect("id").to_owned();
    client
        .wait_until_private_endpoint_service_ready(TEST_GROUP_ID, CloudProvider::Azure, &id)
        .interval(FAST)
        .await
        .expect("ready");
    server.clear_requests();
    client
        .create_private_endpoint_service_endpoint(
            TEST_GROUP_ID,
            CloudProvider::Azure,
            &id,
            endpoint_body(&CloudProvider::Azure),
        )
        .await
        .expect("connected");
    client
        .get_private_endpoint_service_endpoint(TEST_GROUP_ID, "AZURE", &id, AZURE_ENDPOINT)
        .await
        .expect("fetched");

    let requests = v2_requests(&server);
    let [create, get] = requests.as_slice() else {
        panic!("two authenticated requests: {requests:?}");
    };
    let base = format!(
        "/api/atlas/v2/groups/{TEST_GROUP_ID}/privateEndpoint/AZURE/endpointService/{id}/endpoint"
    );
    assert_eq!(create.method, "POST");
    assert_eq!(create.path, base);
    assert_eq!(create.header("accept"), Some(V2_MEDIA_TYPE));
    assert_eq!(create.header("content-type"), Some(V2_MEDIA_TYPE));
    assert_eq!(
        create.body_json(),
        Some(
            json!({"cloudProvider": "AZURE", "id": AZURE_ENDPOINT, "privateEndpointIPAddress": "10.0.0.4"})
        )
    );
    assert_eq!(get.method, "GET");
    // The Azure resource id travels as one percent-encoded segment.
    assert_eq!(
        get.path,
        format!(
            "{base}/%2Fsubscriptions%2F19265c27-b60e-4c3b-9426-ae3f507300b5%2FresourceGroups%2Ftest%2Fproviders%2FMicrosoft.Network%2FprivateEndpoints%2Fpe1"
        )
    );
    assert_eq!(get.header("accept"), Some(V2_MEDIA_TYPE));
    assert_eq!(get.header("content-type"), None, "no body, no Content-Type");
    assert!(get.body.is_empty());

    // A DELETE answers 204 with nothing to decode.
    let deleted = client
        .delete_private_endpoint_service_endpoint(
            TEST_GROUP_ID,
            CloudProvider::Azure,
            &id,
            AZURE_ENDPOINT,
        )
        .send_with_metadata()
        .await
        .expect("deleted");
    assert_eq!(deleted.status(), 204);

    // The legacy family keeps plain JSON under its own prefix.
    server.clear_requests();
    client
        .list_private_endpoints(TEST_GROUP_ID)
        .await
        .expect("listed");
    let legacy = server
        .requests()
        .into_iter()
        .rfind(|request| request.authenticated)
        .expect("sent");
    assert_eq!(
        legacy.path,
        format!("/api/atlas/v1.0/groups/{TEST_GROUP_ID}/privateEndpoint")
    );
    assert_eq!(legacy.header("accept"), Some("application/json"));
}

#[tokio::test]
async fn a_second_service_in_the_same_region_is_a_typed_conflict() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    create_service(&client, CloudProvider::Aws, "us-east-1").await;
    let error = client
        .create_private_endpoint_service(
            TEST_GROUP_ID,
            CloudProviderEndpointServiceRequest::new(CloudProvider::Aws, "US_EAST_1"),
        )
        .await
        .expect_err("conflict");
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.status, 409);
    assert_eq!(
        api.error_code.as_deref(),
        Some("PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION")
    );
    // Another provider in the "same" region is fine.
    create_service(&client, CloudProvider::Gcp, "us-central1").await;
}

#[tokio::test]
async fn patch_sends_only_the_fields_that_were_set() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    let service = client
        .create_private_endpoint_service(
            TEST_GROUP_ID,
            CloudProviderEndpointServiceRequest::new(CloudProvider::Aws, "us-east-1")
                .with_supported_remote_regions(vec!["US_WEST_2".to_owned()]),
        )
        .await
        .expect("created");
    let id = service.id().expect("id").to_owned();

    server.clear_requests();
    let unchanged = client
        .update_private_endpoint_service(
            TEST_GROUP_ID,
            &id,
            ApiAtlasModifyEndpointServiceRequestView::new(CloudProvider::Aws),
        )
        .await
        .expect("updated");
    let sent = v2_requests(&server);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "PATCH");
    assert_eq!(sent[0].body_json(), Some(json!({"cloudProvider": "AWS"})));
    let EndpointService::Aws(aws) = unchanged else {
        panic!("{unchanged:?}")
    };
    assert_eq!(
        aws.supported_remote_regions,
        Some(vec!["US_WEST_2".to_owned()]),
        "an unset list is not sent, so it is kept"
    );

    server.clear_requests();
    let cleared = client
        .update_private_endpoint_service(
            TEST_GROUP_ID,
            &id,
            ApiAtlasModifyEndpointServiceRequestView::new(CloudProvider::Aws)
                .with_supported_remote_regions(Vec::new()),
        )
        .await
        .expect("updated");
    assert_eq!(
        v2_requests(&server)[0].body_json(),
        Some(json!({"cloudProvider": "AWS", "supportedRemoteRegions": []}))
    );
    let EndpointService::Aws(aws) = cleared else {
        panic!("{cleared:?}")
    };
    assert_eq!(
        aws.supported_remote_regions.unwrap_or_default(),
        Vec::<String>::new()
    );
}

/// Atlas's documented example payloads (reference §8), answered verbatim: each decodes into the
/// variant of its provider, although none of them carries `cloudProvider`.
#[tokio::test]
async fn every_documented_example_payload_decodes_into_its_provider() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    let services = format!("/api/atlas/v2/groups/{TEST_GROUP_ID}/privateEndpoint");
    let id = "5f7cac1e8becbf2e769f7abd";

    server.serve_verbatim_once(
        &format!("{services}/AWS/endpointService"),
        200,
        json!([{"endpointServiceName":"com.amazonaws.vpce.us-east-2.vpce-svc-0fec9a0700b25cd2f","errorMessage":null,"id":"5f7cac1e8becbf2e769f7abd","interfaceEndpoints":[],"status":"WAITING_FOR_USER"}]),
    );
    let listed = client
        .list_private_endpoint_services(TEST_GROUP_ID, CloudProvider::Aws)
        .await
        .expect("decodes");
    let [EndpointService::Aws(aws)] = listed.as_slice() else {
        panic!("{listed:?}")
    };
    assert_eq!(aws.status, EndpointServiceStatus::WaitingForUser);
    assert_eq!(aws.interface_endpoints, Vec::<String>::new());

    server.serve_verbatim_once(
        &format!("{services}/AZURE/endpointService/5f7c8d4702d59b7fc0b4b842"),
        200,
        json!({"errorMessage":null,"id":"5f7c8d4702d59b7fc0b4b842","privateEndpoints":[],"privateLinkServiceName":"pls_5f7b96cd8c39f93d0e5f1911","privateLinkServiceResourceId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg_5f7b96cd8c39f93d0e5f1911_8nw06xue/providers/Microsoft.Network/privateLinkServices/pls_5f7b96cd8c39f93d0e5f1911","status":"AVAILABLE"}),
    );
    let azure = client
        .get_private_endpoint_service(
            TEST_GROUP_ID,
            CloudProvider::Azure,
            "5f7c8d4702d59b7fc0b4b842",
        )
        .await
        .expect("decodes");
    let EndpointService::Azure(azure) = &azure else {
        panic!("{azure:?}")
    };
    assert_eq!(
        azure.private_link_service_name.as_deref(),
        Some("pls_5f7b96cd8c39f93d0e5f1911")
    );

    // A create answer: the provider comes from the request body's `providerName`.
    server.serve_verbatim_once(
        &format!("{services}/endpointService"),
        200,
        json!({"endpointGroupNames":[],"errorMessage":null,"id":"5f7cac1adf5d6c6306f4b756","regionName":"WESTERN_US","serviceAttachmentNames":[],"status":"INITIATING"}),
    );
    let gcp = create_service(&client, CloudProvider::Gcp, "us-west1").await;
    let EndpointService::Gcp(gcp) = &gcp else {
        panic!("{gcp:?}")
    };
    assert_eq!(gcp.region_name.as_deref(), Some("WESTERN_US"));

    let endpoint = format!("{services}/AWS/endpointService/{id}/endpoint/vpce-08fb7e9319909ec7b");
    server.serve_verbatim_once(
        &endpoint,
        200,
        json!({"interfaceEndpointId":"vpce-08fb7e9319909ec7b","connectionStatus":"PENDING","errorMessage":null,"deleteRequested":false}),
    );
    let aws = client
        .get_private_endpoint_service_endpoint(
            TEST_GROUP_ID,
            CloudProvider::Aws,
            id,
            "vpce-08fb7e9319909ec7b",
        )
        .await
        .expect("decodes");
    let PrivateLinkEndpoint::Aws(aws) = &aws else {
        panic!("{aws:?}")
    };
    assert_eq!(aws.connection_status, AwsEndpointConnectionStatus::Pending);

    server.serve_verbatim_once(
        &format!("{services}/AZURE/endpointService/{id}/endpoint/%2Fsubscriptions%2Fx"),
        200,
        json!({"privateEndpointResourceId":"/subscriptions/19265c27-b60e-4c3b-9426-ae3f507300b5/resourceGroups/test/providers/Microsoft.Network/privateEndpoints/test","privateEndpointIPAddress":"10.0.0.4","status":"INITIATING","deleteRequested":false}),
    );
    let azure = client
        .get_private_endpoint_service_endpoint(
            TEST_GROUP_ID,
            CloudProvider::Azure,
            id,
            "/subscriptions/x",
        )
        .await
        .expect("decodes");
    let PrivateLinkEndpoint::Azure(azure) = &azure else {
        panic!("{azure:?}")
    };
    assert_eq!(azure.status, AzurePrivateEndpointStatus::Initiating);

    server.serve_verbatim_once(
        &format!("{services}/GCP/endpointService/{id}/endpoint/{GCP_GROUP}"),
        200,
        json!({"endpointGroupName":"google-endpoint-group","gcpProjectId":"p-dkfgoioogdksjei","endpoints":[{"ipAddress":"10.0.0.4","endpointName":"google-endpoint-group-0"}]}),
    );
    let gcp = client
        .get_private_endpoint_service_endpoint(TEST_GROUP_ID, CloudProvider::Gcp, id, GCP_GROUP)
        .await
        .expect("decodes");
    let PrivateLinkEndpoint::Gcp(gcp) = &gcp else {
        panic!("{gcp:?}")
    };
    let endpoints = gcp.endpoints.as_deref().unwrap_or_default();
    assert_eq!(
        endpoints[0].endpoint_name.as_deref(),
        Some("google-endpoint-group-0")
    );
    assert_eq!(gcp.status, None, "the example has no status");

    server.serve_verbatim_once(
        &format!("{services}/regionalMode"),
        200,
        json!({"enabled": true}),
    );
    let mode: ProjectSettingItemView = client
        .get_regional_endpoint_mode(TEST_GROUP_ID)
        .await
        .expect("decodes");
    assert!(mode.enabled);
}

#[tokio::test]
async fn an_unknown_provider_round_trips_through_unknown() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    let answer = json!({
        "cloudProvider": "ORACLE", "id": "5f7cac1e8becbf2e769f7abd", "status": "AVAILABLE",
        "vcnName": "vcn-1", "nested": {"a": [1, 2]}
    });
    server.serve_verbatim_once(
        &format!("/api/atlas/v2/groups/{TEST_GROUP_ID}/privateEndpoint/ORACLE/endpointService/5f7cac1e8becbf2e769f7abd"),
        200,
        answer.clone(),
    );
    let service = client
        .get_private_endpoint_service(TEST_GROUP_ID, "ORACLE", "5f7cac1e8becbf2e769f7abd")
        .await
        .expect("an unknown provider still decodes");
    let EndpointService::Unknown(object) = &service else {
        panic!("{service:?}")
    };
    assert_eq!(object.get("vcnName"), Some(&json!("vcn-1")));
    assert!(!service.is_known());
    assert_eq!(
        service.cloud_provider(),
        Some(CloudProvider::from("ORACLE"))
    );
    assert_eq!(
        service.id(),
        None,
        "common accessors do not guess into unknown objects"
    );
    assert_eq!(serde_json::to_value(&service).expect("serializes"), answer);
}

#[test]
fn unions_write_their_discriminator_and_reject_bad_variants_by_name() {
    let body = endpoint_body(&CloudProvider::Gcp);
    let text = serde_json::to_string(&body).expect("serializes");
    assert!(text.starts_with(r#"{"cloudProvider":"GCP","#), "{text}");
    let back: CreateEndpointRequest = serde_json::from_str(&text).expect("decodes");
    assert_eq!(back, body);

    let error = serde_json::from_value::<EndpointService>(json!({"cloudProvider": "AWS", "id": 5}))
        .expect_err("a known provider with bad fields is an error, not Unknown")
        .to_string();
    assert!(error.contains("AwsPrivateLinkConnection"), "{error}");
    let missing: Value = json!({"id": "5f7cac1e8becbf2e769f7abd", "status": "AVAILABLE"});
    let service: EndpointService = serde_json::from_value(missing).expect("decodes");
    assert!(
        !service.is_known(),
        "without a request to imply it, a missing discriminator is Unknown"
    );
}

#[tokio::test]
async fn waiters_stop_on_failure_states_of_each_provider() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    let service = create_service(&client, CloudProvider::Azure, "US_EAST_2").await;
    let id = service.id().expect("id").to_owned();
    assert!(server.set_endpoint_service_failed(TEST_GROUP_ID, "AZURE", &id));
    let error = client
        .wait_until_private_endpoint_service_ready(TEST_GROUP_ID, CloudProvider::Azure, &id)
        .interval(FAST)
        .await
        .expect_err("FAILED ends the wait");
    assert!(
        matches!(&error, Error::WaiterFailed { state, .. } if state == "FAILED"),
        "{error:?}"
    );

    let service = create_service(&client, CloudProvider::Aws, "eu-west-1").await;
    let id = service.id().expect("id").to_owned();
    client
        .wait_until_private_endpoint_service_ready(TEST_GROUP_ID, CloudProvider::Aws, &id)
        .interval(FAST)
        .await
        .expect("ready");
    client
        .create_private_endpoint_service_endpoint(
            TEST_GROUP_ID,
            CloudProvider::Aws,
            &id,
            endpoint_body(&CloudProvider::Aws),
        )
        .await
        .expect("connected");
    assert!(server.set_private_endpoint_failed(TEST_GROUP_ID, "AWS", &id, VPCE));
    let error = client
        .wait_until_private_endpoint_service_endpoint_available(
            TEST_GROUP_ID,
            CloudProvider::Aws,
            &id,
            VPCE,
        )
        .interval(FAST)
        .await
        .expect_err("REJECTED ends the wait");
    assert!(
        matches!(&error, Error::WaiterFailed { state, .. } if state == "REJECTED"),
        "the AWS endpoint waiter reads connectionStatus: {error:?}"
    );
}

#[tokio::test]
async fn a_body_for_another_provider_than_the_path_is_refused_before_sending() {
    let server = TestServer::start().await;
    let client = client_for(&server);
    let error = client
        .create_private_endpoint_service_endpoint(
            TEST_GROUP_ID,
            CloudProvider::Azure,
            "5f7cac1e8becbf2e769f7abd",
            endpoint_body(&CloudProvider::Aws),
        )
        .await
        .expect_err("mismatch");
    match &error {
        Error::InvalidArgument {
            name: "body",
            message,
        } => assert_eq!(
            message,
            "is for `AWS` but `cloud_provider` is `AZURE`; they must name the same variant"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.request_count(), 0, "nothing was sent");
}
