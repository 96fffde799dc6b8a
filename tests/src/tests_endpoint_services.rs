//! End-to-end tests of the v2 private endpoint services (AWS, Azure, GCP) over loopback
//! HTTP, with hand-signed Digest requests (the helpers of `tests.rs`).

use crate::tests::{Reply, Session, is_hex};
use crate::*;
use reqwest::Method;
use serde_json::{Value, json};

const G: &str = TEST_GROUP_ID;
const VPCE: &str = "vpce-0123456789abcdef0";
const AZURE_ID: &str = "/subscriptions/19265c27-b60e-4c3b-9426-ae3f507300b5/resourceGroups/test/providers/Microsoft.Network/privateEndpoints/test";

/// `P` of the reference: `/api/atlas/v2/groups/{G}/privateEndpoint` + `tail`.
fn p(tail: &str) -> String {
    format!("{V2_PATH}/groups/{G}/privateEndpoint{tail}")
}

fn service_path(provider: &str, id: &str) -> String {
    p(&format!("/{provider}/endpointService/{id}"))
}

fn endpoint_path(provider: &str, id: &str, endpoint: &str) -> String {
    format!("{}/endpoint/{endpoint}", service_path(provider, id))
}

/// The Azure ARM id as one path segment.
fn encoded(id: &str) -> String {
    id.replace('/', "%2F")
}

/// A session that sends the v2 `Accept` and `Content-Type`.
fn v2_session(server: &TestServer) -> Session<'_> {
    let mut session = Session::new(server);
    session.headers = vec![
        ("accept".to_owned(), V2_MEDIA_TYPE.to_owned()),
        ("content-type".to_owned(), V2_MEDIA_TYPE.to_owned()),
    ];
    session
}

fn fast() -> ServerConfig {
    ServerConfig {
        polls_until_ready: 0,
        polls_per_interface_step: 0,
        ..ServerConfig::default()
    }
}

fn assert_success(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some(V2_MEDIA_TYPE));
}

fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let json = reply.json();
    assert_eq!(json["error"], status, "{}", reply.body);
    assert_eq!(json["errorCode"], code, "{}", reply.body);
    assert!(json["detail"].is_string() && json["parameters"].is_array());
    assert!(json["reason"].is_string());
}

async fn patch(session: &mut Session<'_>, path: &str, body: &str) -> Reply {
    session.call(Method::PATCH, path, Some(body)).await
}

/// Creates a service and polls it until ready; returns its id.
async fn ready_service(session: &mut Session<'_>, provider: &str, region: &str) -> String {
    let body = format!(r#"{{"providerName":"{provider}","region":"{region}"}}"#);
    let reply = session.post(&p("/endpointService"), &body).await;
    assert_success(&reply, 200);
    let id = reply.json()["id"].as_str().expect("id").to_owned();
    for _ in 0..session.server.config().polls_until_ready {
        let json = session.get(&service_path(provider, &id)).await.json();
        assert_eq!(json["status"], "INITIATING");
    }
    let json = session.get(&service_path(provider, &id)).await.json();
    assert_ne!(json["status"], "INITIATING");
    id
}

#[tokio::test]
async fn aws_full_lifecycle() {
    let server = TestServer::start().await;
    let mut session = v2_session(&server);
    let reply = session
        .post(
            &p("/endpointService"),
            r#"{"providerName":"AWS","region":"us-east-1"}"#,
        )
        .await;
    assert_success(&reply, 200);
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    assert!(is_hex(&id, 24), "{id}");
    assert_eq!(
        reply.body,
        format!(
            r#"{{"cloudProvider":"AWS","endpointServiceName":null,"errorMessage":null,"id":"{id}","interfaceEndpoints":[],"regionName":"US_EAST_1","status":"INITIATING"}}"#
        )
    );
    let list = session.get(&p("/AWS/endpointService")).await;
    assert_success(&list, 200);
    assert_eq!(list.json().as_array().map(Vec::len), Some(1));
    assert_eq!(session.get(&p("/AZURE/endpointService")).await.body, "[]");

    // polls_until_ready = 2 (default).
    for _ in 0..2 {
        let json = session.get(&service_path("AWS", &id)).await.json();
        assert_eq!(json["status"], "INITIATING");
    }
    let json = session.get(&service_path("AWS", &id)).await.json();
    assert_eq!(json["status"], "WAITING_FOR_USER");
    let name = json["endpointServiceName"].as_str().unwrap();
    let suffix = name
        .strip_prefix("com.amazonaws.vpce.us-east-1.vpce-svc-")
        .unwrap_or_else(|| panic!("{name}"));
    assert!(is_hex(suffix, 17), "{name}");

    let endpoints = format!("{}/endpoint", service_path("AWS", &id));
    let reply = session
        .post(&endpoints, &format!(r#"{{"id":"{VPCE}"}}"#))
        .await;
    assert_success(&reply, 200);
    assert_eq!(
        reply.body,
        format!(
            r#"{{"cloudProvider":"AWS","interfaceEndpointId":"{VPCE}","connectionStatus":"PENDING_ACCEPTANCE","errorMessage":null,"deleteRequested":false}}"#
        )
    );
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let reply = session.get(&endpoint_path("AWS", &id, VPCE)).await;
        assert_success(&reply, 200);
        statuses.push(
            reply.json()["connectionStatus"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(statuses, ["PENDING_ACCEPTANCE", "PENDING", "AVAILABLE"]);
    let json = session.get(&service_path("AWS", &id)).await.json();
    assert_eq!(json["status"], "AVAILABLE");
    assert_eq!(json["interfaceEndpoints"], json!([VPCE]));

    // The service cannot go while it has endpoints.
    let reply = session.delete(&service_path("AWS", &id)).await;
    assert_error(&reply, 409, "CANNOT_DELETE_ENDPOINT_SERVICE_WITH_ENDPOINTS");

    let reply = session.delete(&endpoint_path("AWS", &id, VPCE)).await;
    assert_eq!((reply.status, reply.body.as_str()), (204, ""));
    let listed = server.endpoint_services(G, "AWS");
    assert_eq!(listed[0]["interfaceEndpoints"], json!([VPCE]));
    // The last endpoint is removed: its service goes with it.
    let reply = session.get(&endpoint_path("AWS", &id, VPCE)).await;
    assert_error(&reply, 404, "RESOURCE_NOT_FOUND");
    let listed = server.endpoint_services(G, "AWS");
    assert_eq!(listed[0]["status"], "DELETING");
    assert_eq!(listed[0]["interfaceEndpoints"], json!([]));
    let reply = session.delete(&service_path("AWS", &id)).await;
    assert_eq!((reply.status, reply.body.as_str()), (204, ""));
    let reply = session.get(&service_path("AWS", &id)).await;
    assert_error(&reply, 404, "RESOURCE_NOT_FOUND");
    assert!(server.endpoint_services(G, "AWS").is_empty());
}

#[tokio::test]
async fn delete_of_a_service_without_endpoints() {
    let server = TestServer::start_with(fast()).await;
    let mut session = v2_session(&server);
    let id = ready_service(&mut session, "AWS", "eu-west-1").await;
    for _ in 0..2 {
        let reply = session.delete(&service_path("AWS", &id)).await;
        assert_eq!((reply.status, reply.body.as_str()), (204, ""));
        assert_eq!(reply.header("content-type"), Some(V2_MEDIA_TYPE));
    }
    let listed = session.get(&p("/AWS/endpointService")).await.json();
    assert_eq!(listed[0]["status"], "DELETING");
    assert_eq!(session.get(&service_path("AWS", &id)).await.status, 404);
    assert_eq!(session.delete(&service_path("AWS", &id)).await.status, 404);
}

#[tokio::test]
async fn azure_lifecycle_with_a_percent_encoded_id() {
    let server = TestServer::start_with(ServerConfig {
        polls_until_ready: 1,
        polls_per_interface_step: 1,
        ..ServerConfig::default()
    })
    .await;
    let mut session = v2_session(&server);
    let id = ready_service(&mut session, "AZURE", "eastus2").await;
    let json = session.get(&service_path("AZURE", &id)).await.json();
    assert_eq!(json["status"], "AVAILABLE");
    assert_eq!(json["regionName"], "US_EAST_2");
    let link = json["privateLinkServiceName"].as_str().unwrap();
    assert!(is_hex(link.strip_prefix("pls_").unwrap(), 24), "{link}");
    assert!(
        json["privateLinkServiceResourceId"]
            .as_str()
            .unwrap()
            .starts_with("/subscriptions/")
    );

    let endpoints = format!("{}/endpoint", service_path("AZURE", &id));
    let reply = session
        .post(
            &endpoints,
            &format!(r#"{{"id":"{AZURE_ID}","privateEndpointIPAddress":"10.0.0.4"}}"#),
        )
        .await;
    assert_success(&reply, 200);
    let json = reply.json();
    assert_eq!(json["cloudProvider"], "AZURE");
    assert_eq!(json["privateEndpointResourceId"], AZURE_ID);
    assert_eq!(json["privateEndpointIPAddress"], "10.0.0.4");
    assert_eq!(json["status"], "INITIATING");
    assert_eq!(json["deleteRequested"], false);
    assert!(json["privateEndpointConnectionName"].is_string());

    let path = endpoint_path("AZURE", &id, &encoded(AZURE_ID));
    assert!(path.contains("%2Fsubscriptions%2F"));
    let statuses: Vec<Value> = [
        session.get(&path).await.json()["status"].clone(),
        session.get(&path).await.json()["status"].clone(),
    ]
    .into();
    assert_eq!(statuses, [json!("INITIATING"), json!("AVAILABLE")]);
    let service = session.get(&service_path("AZURE", &id)).await.json();
    assert_eq!(service["privateEndpoints"], json!([AZURE_ID]));
    // Recorded raw, still percent-encoded.
    let last_get = server
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path.contains("/endpoint/"))
        .unwrap();
    assert_eq!(last_get.path, path);
    assert_eq!(last_get.header("accept"), Some(V2_MEDIA_TYPE));

    assert_eq!(session.delete(&path).await.status, 204);
    let json = server.endpoint_services(G, "AZURE");
    assert_eq!(json[0]["privateEndpoints"], json!([AZURE_ID]));
    assert_error(&session.get(&path).await, 404, "RESOURCE_NOT_FOUND");
    assert_error(
        &session.get(&service_path("AZURE", &id)).await,
        404,
        "RESOURCE_NOT_FOUND",
    );
}

#[tokio::test]
async fn gcp_lifecycle() {
    let server = TestServer::start_with(ServerConfig {
        polls_until_ready: 0,
        polls_per_interface_step: 1,
        ..ServerConfig::default()
    })
    .await;
    let mut session = v2_session(&server);
    let reply = session
        .post(
            &p("/endpointService"),
            r#"{"providerName":"GCP","region":"us-central1"}"#,
        )
        .await;
    assert_success(&reply, 200);
    let json = reply.json();
    assert_eq!(json["regionName"], "CENTRAL_US");
    assert_eq!(json["status"], "INITIATING");
    assert_eq!(json["endpointGroupNames"], json!([]));
    assert_eq!(json["serviceAttachmentNames"], json!([]));
    assert_eq!(json["portMappingEnabled"], false);
    let id = json["id"].as_str().unwrap().to_owned();

    let endpoints = format!("{}/endpoint", service_path("GCP", &id));
    let body = r#"{"endpointGroupName":"group-1","gcpProjectId":"customer-project","endpoints":[{"endpointName":"group-1-0","ipAddress":"10.0.0.4"},{"endpointName":"group-1-1","ipAddress":"10.0.0.5"}]}"#;
    // Not ready before its first poll.
    assert_error(
        &session.post(&endpoints, body).await,
        409,
        "PRIVATE_ENDPOINT_SERVICE_NOT_READY",
    );
    let json = session.get(&service_path("GCP", &id)).await.json();
    assert_eq!(json["status"], "AVAILABLE");
    let attachments = json["serviceAttachmentNames"].as_array().unwrap();
    assert!(!attachments.is_empty());
    assert!(
        attachments[0]
            .as_str()
            .unwrap()
            .contains("/regions/us-central1/serviceAttachments/")
    );

    let reply = session.post(&endpoints, body).await;
    assert_success(&reply, 200);
    let json = reply.json();
    assert_eq!(json["endpointGroupName"], "group-1");
    assert_eq!(json["gcpProjectId"], "customer-project");
    assert_eq!(json["status"], "INITIATING");
    assert_eq!(json["endpoints"][1]["status"], "INITIATING");
    assert_eq!(json["endpoints"][1]["ipAddress"], "10.0.0.5");
    assert_error(
        &session.post(&endpoints, body).await,
        409,
        "PRIVATE_ENDPOINT_ALREADY_EXISTS",
    );

    let path = endpoint_path("GCP", &id, "group-1");
    let mut seen = Vec::new();
    for _ in 0..3 {
        let json = session.get(&path).await.json();
        seen.push((
            json["status"].clone(),
            json["endpoints"][0]["status"].clone(),
        ));
    }
    assert_eq!(
        seen,
        [
            (json!("INITIATING"), json!("INITIATING")),
            (json!("VERIFIED"), json!("INITIATING")),
            (json!("AVAILABLE"), json!("AVAILABLE")),
        ]
    );
    assert!(server.set_private_endpoint_failed(G, "GCP", &id, "group-1"));
    let json = session.get(&path).await.json();
    assert_eq!(json["status"], "FAILED");
    assert!(json["errorMessage"].is_string());
    assert_eq!(session.delete(&path).await.status, 204);
    let json = server.endpoint_services(G, "GCP");
    assert_eq!(json[0]["endpointGroupNames"], json!(["group-1"]));
}

#[tokio::test]
async fn accept_must_name_the_versioned_media_type() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    let path = p("/AWS/endpointService");
    for accept in [
        None,
        Some("*/*"),
        Some("application/json"),
        Some("application/vnd.atlas.2099-01-01+json"),
    ] {
        session.headers = accept
            .map(|a| vec![("accept".to_owned(), a.to_owned())])
            .unwrap_or_default();
        let reply = session.get(&path).await;
        assert_error(&reply, 406, "INVALID_VERSION_OR_MEDIA_TYPE");
        assert_eq!(reply.json()["reason"], "Not Acceptable");
        let keys: Vec<String> = reply.json().as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            ["detail", "error", "errorCode", "parameters", "reason"]
        );
    }
    for accept in [
        "application/vnd.atlas.2023-01-01+json",
        "application/vnd.atlas.2023-01-01+json; charset=utf-8",
        "application/json, application/vnd.atlas.2023-01-01+json;q=0.9",
    ] {
        session.headers = vec![("accept".to_owned(), accept.to_owned())];
        let reply = session.get(&path).await;
        assert_success(&reply, 200);
        assert_eq!(reply.body, "[]");
    }
    // The Digest 401 of a v2 path is application/json.
    let reply = session.raw(Method::GET, &path, None, None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    // v1.0 does not need the versioned type.
    session.headers.clear();
    let reply = session
        .get(&format!("{V1_PATH}/groups/{G}/privateEndpoint"))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn body_media_types() {
    let server = TestServer::start().await;
    let mut session = v2_session(&server);
    let body = r#"{"providerName":"AWS","region":"us-east-1"}"#;
    session.headers[1].1 = "text/plain".to_owned();
    assert_error(
        &session.post(&p("/endpointService"), body).await,
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    );
    assert!(server.endpoint_services(G, "AWS").is_empty());
    session.headers[1].1 = "application/json; charset=utf-8".to_owned();
    assert_success(&session.post(&p("/endpointService"), body).await, 200);
    session.headers[1].1 = format!("{V2_MEDIA_TYPE}; charset=utf-8");
    let reply = session
        .post(
            &p("/endpointService"),
            r#"{"providerName":"AWS","region":"us-east-2"}"#,
        )
        .await;
    assert_success(&reply, 200);
    // Bad JSON: an Atlas 400.
    assert_error(
        &session.post(&p("/endpointService"), "{nope").await,
        400,
        "INVALID_JSON",
    );
}

#[tokio::test]
async fn duplicate_provider_and_region_is_409() {
    let server = TestServer::start().await;
    let mut session = v2_session(&server);
    let create = |provider: &str, region: &str| {
        format!(r#"{{"providerName":"{provider}","region":"{region}"}}"#)
    };
    let path = p("/endpointService");
    assert_success(&session.post(&path, &create("AWS", "us-west-2")).await, 200);
    let reply = session.post(&path, &create("AWS", "US_WEST_2")).await;
    assert_error(
        &reply,
        409,
        "PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION",
    );
    assert_eq!(
        reply.body,
        r#"{"detail":"A private endpoint service already exists for AWS region US_WEST_2.","error":409,"errorCode":"PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION","parameters":["AWS","US_WEST_2"],"reason":"Conflict"}"#
    );
    // The same (Atlas) region under another provider is fine.
    let reply = session.post(&path, &create("GCP", "us-west2")).await;
    assert_success(&reply, 200);
    assert_eq!(reply.json()["regionName"], "US_WEST_2");
    for (body, code) in [
        (create("IBM", "us-east-1"), "INVALID_ENUM_VALUE"),
        (create("AZURE", "us-east-1"), "INVALID_REGION"),
        (r#"{"providerName":"AWS"}"#.to_owned(), "MISSING_ATTRIBUTE"),
        (r#"{"region":"us-east-1"}"#.to_owned(), "MISSING_ATTRIBUTE"),
    ] {
        assert_error(&session.post(&path, &body).await, 400, code);
    }
}

#[tokio::test]
async fn patch_changes_only_what_is_sent() {
    let server = TestServer::start_with(fast()).await;
    let mut session = v2_session(&server);
    let reply = session
        .post(
            &p("/endpointService"),
            r#"{"providerName":"AWS","region":"us-east-1","supportedRemoteRegions":["US_EAST_2","us-west-1"]}"#,
        )
        .await;
    assert_success(&reply, 200);
    let json = reply.json();
    assert_eq!(
        json["supportedRemoteRegions"],
        json!(["US_EAST_2", "us-west-1"])
    );
    let id = json["id"].as_str().unwrap().to_owned();
    let path = p(&format!("/endpointService/{id}"));

    let reply = patch(&mut session, &path, r#"{"cloudProvider":"AWS"}"#).await;
    assert_success(&reply, 200);
    assert_eq!(
        reply.json()["supportedRemoteRegions"],
        json!(["US_EAST_2", "us-west-1"])
    );
    let reply = patch(
        &mut session,
        &path,
        r#"{"cloudProvider":"AWS","supportedRemoteRegions":["EU_WEST_1"]}"#,
    )
    .await;
    assert_eq!(reply.json()["supportedRemoteRegions"], json!(["EU_WEST_1"]));
    let reply = patch(
        &mut session,
        &path,
        r#"{"cloudProvider":"AWS","supportedRemoteRegions":[]}"#,
    )
    .await;
    assert_eq!(reply.json()["supportedRemoteRegions"], json!([]));
    assert_eq!(
        server.endpoint_services(G, "AWS")[0]["supportedRemoteRegions"],
        json!([])
    );
    assert_error(
        &patch(&mut session, &path, r#"{"cloudProvider":"AZURE"}"#).await,
        400,
        "INVALID_ENUM_VALUE",
    );
    assert_error(
        &patch(
            &mut session,
            &p("/endpointService/000000000000000000000000"),
            r#"{"cloudProvider":"AWS"}"#,
        )
        .await,
        404,
        "RESOURCE_NOT_FOUND",
    );
}

#[tokio::test]
async fn regional_mode_get_toggle_and_409() {
    let server = TestServer::start().await;
    let mut session = v2_session(&server);
    let path = p("/regionalMode");
    let reply = session.get(&path).await;
    assert_success(&reply, 200);
    assert_eq!(reply.body, r#"{"enabled":false}"#);
    let reply = patch(&mut session, &path, r#"{"enabled":true}"#).await;
    assert_success(&reply, 200);
    assert_eq!(reply.body, r#"{"enabled":true}"#);
    assert_eq!(session.get(&path).await.body, r#"{"enabled":true}"#);
    assert_error(
        &patch(&mut session, &path, r#"{"enabled":"no"}"#).await,
        400,
        "INVALID_ATTRIBUTE",
    );
    assert_error(
        &patch(&mut session, &path, "{}").await,
        400,
        "MISSING_ATTRIBUTE",
    );
    for region in ["us-east-1", "eu-west-1"] {
        let body = format!(r#"{{"providerName":"AWS","region":"{region}"}}"#);
        assert_eq!(
            session.post(&p("/endpointService"), &body).await.status,
            200
        );
    }
    assert_error(
        &patch(&mut session, &path, r#"{"enabled":false}"#).await,
        409,
        "CANNOT_DISABLE_REGIONALIZED_PRIVATE_ENDPOINTS",
    );
    assert_eq!(session.get(&path).await.body, r#"{"enabled":true}"#);
    // Per group.
    let other = format!("{V2_PATH}/groups/0123456789abcdef01234567/privateEndpoint/regionalMode");
    assert_eq!(session.get(&other).await.body, r#"{"enabled":false}"#);
}

#[tokio::test]
async fn wrong_provider_bad_provider_and_unknown_routes() {
    let server = TestServer::start_with(fast()).await;
    let mut session = v2_session(&server);
    let id = ready_service(&mut session, "AWS", "us-east-1").await;
    assert_error(
        &session.get(&service_path("GCP", &id)).await,
        404,
        "RESOURCE_NOT_FOUND",
    );
    assert_error(
        &session.delete(&service_path("AZURE", &id)).await,
        404,
        "RESOURCE_NOT_FOUND",
    );
    for provider in ["IBM", "aws"] {
        assert_error(
            &session
                .get(&p(&format!("/{provider}/endpointService")))
                .await,
            400,
            "INVALID_ENUM_VALUE",
        );
    }
    assert_error(
        &session
            .get(&format!(
                "{V2_PATH}/groups/not-a-group/privateEndpoint/regionalMode"
            ))
            .await,
        400,
        "INVALID_GROUP_ID",
    );
    for path in [
        format!("{V2_PATH}/nope"),
        p("/AWS/endpointService/x/y"),
        format!("/api/atlas/v2x/groups/{G}/privateEndpoint/regionalMode"),
    ] {
        assert_error(&session.get(&path).await, 404, "RESOURCE_NOT_FOUND");
    }
    let reply = session
        .call(Method::PUT, &p("/regionalMode"), Some("{}"))
        .await;
    assert_error(&reply, 405, "METHOD_NOT_ALLOWED");
    assert_eq!(reply.header("allow"), Some("GET, PATCH"));
    // Endpoint bodies: bad id, provider mismatch.
    let endpoints = format!("{}/endpoint", service_path("AWS", &id));
    for body in [
        r#"{"id":"vpce-short"}"#,
        r#"{"cloudProvider":"GCP","id":"vpce-0123456789abcdef0"}"#,
        r#"{}"#,
    ] {
        let reply = session.post(&endpoints, body).await;
        assert_eq!(reply.status, 400, "{body}");
    }
    assert_success(
        &session
            .post(
                &endpoints,
                r#"{"cloudProvider":"AWS","id":"vpce-0123456789abcdef0"}"#,
            )
            .await,
        200,
    );
}

#[tokio::test]
async fn pretty_envelope_faults_and_rate_limit_headers() {
    let server = TestServer::start_with(fast()).await;
    let mut session = v2_session(&server);
    let id = ready_service(&mut session, "AWS", "us-east-1").await;
    let reply = session
        .get(&format!("{}?pretty=true", service_path("AWS", &id)))
        .await;
    assert_success(&reply, 200);
    assert_eq!(
        reply.body,
        serde_json::to_string_pretty(&reply.json()).unwrap()
    );
    assert_eq!(reply.header("ratelimit-limit"), Some("4000"));
    assert!(reply.header("ratelimit-remaining").is_some());

    let reply = session
        .delete(&format!("{}?envelope=true", service_path("AWS", &id)))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, r#"{"status":204,"content":{}}"#);
    assert_eq!(reply.header("content-type"), Some(V2_MEDIA_TYPE));
    let reply = session
        .get(&format!("{}?envelope=true", service_path("AWS", &id)))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], 404);
    assert_eq!(reply.json()["content"]["errorCode"], "RESOURCE_NOT_FOUND");
    assert_eq!(reply.header("content-type"), Some("application/json"));

    server.set_fault_for(Fault::InternalError, 1);
    let reply = session.get(&p("/AWS/endpointService")).await;
    assert_error(&reply, 500, "UNEXPECTED_ERROR");
    server.set_fault(Some(Fault::UnknownStatus("SOMETHING_NEW".into())));
    let reply = session
        .post(
            &p("/endpointService"),
            r#"{"providerName":"GCP","region":"us-west3"}"#,
        )
        .await;
    assert_success(&reply, 200);
    assert_eq!(reply.json()["status"], "SOMETHING_NEW");
    server.set_fault(Some(Fault::EmptyBody));
    let reply = session.get(&p("/GCP/endpointService")).await;
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));
    server.set_fault(None);
    // A 406 does not use up a counted fault.
    server.set_fault_for(Fault::InternalError, 1);
    session.headers[0].1 = "application/json".to_owned();
    assert_eq!(session.get(&p("/GCP/endpointService")).await.status, 406);
    assert_eq!(server.fault(), Some(Fault::InternalError));
}

#[tokio::test]
async fn hooks_and_verbatim_answers() {
    let server = TestServer::start_with(fast()).await;
    let mut session = v2_session(&server);
    let id = ready_service(&mut session, "AWS", "us-east-1").await;
    assert!(server.set_endpoint_service_failed(G, "AWS", &id));
    assert!(!server.set_endpoint_service_failed(G, "GCP", &id));
    assert!(!server.set_endpoint_service_failed(G, "IBM", &id));
    for _ in 0..2 {
        let json = session.get(&service_path("AWS", &id)).await.json();
        assert_eq!(json["status"], "FAILED");
        assert!(json["errorMessage"].is_string());
    }
    assert!(server.endpoint_services(G, "IBM").is_empty());

    let example = json!([{"endpointServiceName":"com.amazonaws.vpce.us-east-2.vpce-svc-0fec9a0700b25cd2f","errorMessage":null,"id":"5f7cac1e8becbf2e769f7abd","interfaceEndpoints":[],"status":"WAITING_FOR_USER"}]);
    let path = p("/AWS/endpointService");
    server.serve_verbatim_once(&path, 200, example.clone());
    let reply = session.get(&path).await;
    assert_success(&reply, 200);
    assert_eq!(reply.json(), example);
    // Once only.
    let reply = session.get(&path).await;
    assert_eq!(reply.json().as_array().map(Vec::len), Some(1));
    assert_eq!(reply.json()[0]["id"], id.as_str());
    // A 204 has no body.
    server.serve_verbatim_once(&service_path("AWS", &id), 204, Value::Null);
    let reply = session.delete(&service_path("AWS", &id)).await;
    assert_eq!((reply.status, reply.body.as_str()), (204, ""));
    assert_eq!(server.endpoint_services(G, "AWS")[0]["status"], "FAILED");
}
