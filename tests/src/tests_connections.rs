//! End-to-end tests of the legacy v1.0 private endpoint connections (AWS PrivateLink) over
//! loopback HTTP, with hand-signed Digest requests (the helpers of `tests.rs`): creating,
//! listing, polling and deleting connections and their interface endpoints, the 400/404/405
//! answers, `pretty` and `envelope`, and the hooks that force failures.

use crate::tests::{G, Session, conn_path, iface_path, is_hex, list_path};
use crate::*;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn create_answers_initiating_and_duplicate_answers_409() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    let reply = session
        .post(
            &list_path(G),
            r#"{"providerName":"AWS","region":"us-east-1"}"#,
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    assert!(is_hex(&id, 24), "{id}");
    assert_eq!(
        reply.body,
        format!(
            r#"{{"endpointServiceName":null,"errorMessage":null,"id":"{id}","interfaceEndpoints":[],"status":"INITIATING"}}"#
        )
    );
    // Same region in Atlas spelling.
    let reply = session
        .post(
            &list_path(G),
            r#"{"providerName":"AWS","region":"US_EAST_1"}"#,
        )
        .await;
    assert_eq!(reply.status, 409);
    assert_eq!(
        reply.body,
        r#"{"detail":"A private endpoint service already exists for AWS region US_EAST_1.","error":409,"errorCode":"PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION","parameters":["AWS","US_EAST_1"],"reason":"Conflict"}"#
    );
    // Another region or another group is fine.
    assert_eq!(
        session
            .post(
                &list_path(G),
                r#"{"providerName":"AWS","region":"eu-west-1"}"#
            )
            .await
            .status,
        200
    );
    let other = "0123456789abcdef01234567";
    assert_eq!(
        session
            .post(
                &list_path(other),
                r#"{"providerName":"AWS","region":"us-east-1"}"#
            )
            .await
            .status,
        200
    );
    let list = session.get(&list_path(G)).await.json();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(server.connections(G).len(), 2);
}

#[tokio::test]
async fn bad_create_requests_get_atlas_400s() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    let cases = [
        (
            r#"{"providerName":"AWS","region":"mars-north-1"}"#,
            "INVALID_ENUM_VALUE",
        ),
        (
            r#"{"providerName":"AWS","region":"us_east_1"}"#,
            "INVALID_ENUM_VALUE",
        ),
        (
            r#"{"providerName":"AZURE","region":"us-east-1"}"#,
            "INVALID_ENUM_VALUE",
        ),
        (r#"{"region":"us-east-1"}"#, "MISSING_ATTRIBUTE"),
        (r#"{"providerName":"AWS"}"#, "MISSING_ATTRIBUTE"),
        (
            r#"{"providerName":"AWS","region":["us-east-1"]}"#,
            "INVALID_ATTRIBUTE",
        ),
        (r#"{"providerName":"AWS","#, "INVALID_JSON"),
        ("", "INVALID_JSON"),
        ("\"AWS\"", "INVALID_JSON"),
    ];
    for (body, code) in cases {
        let reply = session.post(&list_path(G), body).await;
        assert_eq!(reply.status, 400, "{body}");
        let json = reply.json();
        assert_eq!(json["errorCode"], code, "{body}");
        assert_eq!(json["error"], 400);
        assert_eq!(json["reason"], "Bad Request");
        assert!(json["detail"].is_string() && json["parameters"].is_array());
    }
    let reply = session
        .post(
            &list_path("not-a-group"),
            r#"{"providerName":"AWS","region":"us-east-1"}"#,
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["errorCode"], "INVALID_GROUP_ID");
    assert_eq!(reply.json()["parameters"], json!(["not-a-group"]));
    assert!(server.connections(G).is_empty());
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    for path in [
        "/nope",
        "/groups",
        &format!("{V1_PATH}/nope"),
        &format!("{V1_PATH}/groups"),
        &format!("{V1_PATH}/groups/{G}/clusters"),
        &format!("{V1_PATH}/groups/{G}//privateEndpoint"),
        &format!("/api/atlas/v1.0x/groups/{G}/privateEndpoint"),
    ] {
        let reply = session.get(path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.json()["errorCode"], "RESOURCE_NOT_FOUND");
        assert_eq!(reply.json()["reason"], "Not Found");
        assert_eq!(reply.header("content-type"), Some("application/json"));
    }
    let reply = session.call(Method::PUT, &list_path(G), Some("{}")).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("GET, POST"));
    let reply = session.get(&conn_path("5f7cac1e8becbf2e769f7abd")).await;
    assert_eq!(reply.status, 404);
    let json = reply.json();
    assert_eq!(json["errorCode"], "RESOURCE_NOT_FOUND");
    assert_eq!(json["error"], 404);
    assert!(json["parameters"].as_array().is_some_and(|p| !p.is_empty()));
    // A trailing slash, as in the Atlas docs example, is accepted.
    let reply = session
        .post(
            &format!("{}/?pretty=true", list_path(G)),
            r#"{"providerName":"AWS","region":"us-east-1"}"#,
        )
        .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn pretty_and_envelope() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    let id = session.create("us-west-2").await;

    let pretty = session.get(&format!("{}?pretty=true", list_path(G))).await;
    assert_eq!(pretty.status, 200);
    let value = pretty.json();
    assert_eq!(pretty.body, serde_json::to_string_pretty(&value).unwrap());
    assert!(pretty.body.contains("\n    \"id\": "));

    let compact = session.get(&list_path(G)).await;
    assert!(!compact.body.contains('\n'));

    let enveloped = session
        .get(&format!("{}?envelope=true", conn_path(&id)))
        .await;
    assert_eq!(enveloped.status, 200);
    assert!(
        enveloped
            .body
            .starts_with(r#"{"status":200,"content":{"endpointServiceName""#)
    );
    assert_eq!(enveloped.json()["content"]["id"], id.as_str());

    // Errors are enveloped too, with HTTP 200.
    let missing = session
        .get(&format!(
            "{}?envelope=true",
            conn_path("000000000000000000000000")
        ))
        .await;
    assert_eq!(missing.status, 200);
    assert_eq!(missing.json()["status"], 404);
    assert_eq!(missing.json()["content"]["errorCode"], "RESOURCE_NOT_FOUND");

    let both = session
        .get(&format!("{}?envelope=true&pretty=true", list_path(G)))
        .await;
    assert_eq!(both.status, 200);
    let value = both.json();
    // `status` comes first, so compare with a re-pretty-printed, reordered rendering.
    assert_eq!(
        both.body,
        format!(
            "{{\n  \"status\": 200,\n  \"content\": {}\n}}",
            serde_json::to_string_pretty(&value["content"])
                .unwrap()
                .replace('\n', "\n  ")
        )
    );
    assert_eq!(value["status"], 200);
    assert_eq!(value["content"].as_array().map(Vec::len), Some(1));
    assert!(
        both.body
            .starts_with("{\n  \"status\": 200,\n  \"content\": [")
    );
}

#[tokio::test]
async fn connection_and_interface_endpoint_lifecycle() {
    let server = TestServer::start().await;
    let mut session = Session::new(&server);
    let id = session.create("eu-central-1").await;

    let statuses: Vec<Value> = {
        let mut out = Vec::new();
        for _ in 0..3 {
            out.push(session.get(&conn_path(&id)).await.json());
        }
        out
    };
    assert_eq!(statuses[0]["status"], "INITIATING");
    assert_eq!(statuses[0]["endpointServiceName"], Value::Null);
    assert_eq!(statuses[1]["status"], "INITIATING");
    assert_eq!(statuses[2]["status"], "WAITING_FOR_USER");
    let service = statuses[2]["endpointServiceName"].as_str().unwrap();
    let suffix = service
        .strip_prefix("com.amazonaws.vpce.eu-central-1.vpce-svc-")
        .expect(service);
    assert!(is_hex(suffix, 17), "{service}");

    let vpce = "vpce-0b9c5701325cb15dd";
    let interfaces = format!("{}/interfaceEndpoints", conn_path(&id));
    let reply = session.post(&interfaces, "{}").await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["errorCode"], "MISSING_ATTRIBUTE");
    let reply = session
        .post(&interfaces, r#"{"interfaceEndpointId":"not-a-vpce"}"#)
        .await;
    assert_eq!(reply.status, 400);
    let reply = session
        .post(
            &interfaces,
            &format!(r#"{{"interfaceEndpointId":"{vpce}"}}"#),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.body,
        format!(
            r#"{{"interfaceEndpointId":"{vpce}","connectionStatus":"PENDING_ACCEPTANCE","errorMessage":null,"deleteRequested":false}}"#
        )
    );
    let reply = session
        .post(
            &interfaces,
            &format!(r#"{{"interfaceEndpointId":"{vpce}"}}"#),
        )
        .await;
    assert_eq!(reply.status, 409);
    assert_eq!(
        session.get(&conn_path(&id)).await.json()["interfaceEndpoints"],
        json!([vpce])
    );

    let mut seen = Vec::new();
    for _ in 0..4 {
        let reply = session.get(&iface_path(&id, vpce)).await;
        assert_eq!(reply.status, 200);
        seen.push(
            reply.json()["connectionStatus"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(
        seen,
        ["PENDING_ACCEPTANCE", "PENDING", "AVAILABLE", "AVAILABLE"]
    );
    assert_eq!(
        session
            .get(&iface_path(&id, "vpce-00000000000000000"))
            .await
            .status,
        404
    );

    // Cannot delete the connection while it has interface endpoints.
    let reply = session.delete(&conn_path(&id)).await;
    assert_eq!(reply.status, 409);
    let json = reply.json();
    assert_eq!(
        json["errorCode"],
        "CANNOT_DELETE_PRIVATE_ENDPOINT_WITH_INTERFACE_ENDPOINTS"
    );
    assert_eq!(json["reason"], "Conflict");
    assert_eq!(json["error"], 409);

    let reply = session.delete(&iface_path(&id, vpce)).await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "{}"));
    assert_eq!(session.get(&iface_path(&id, vpce)).await.status, 404);
    assert_eq!(session.delete(&iface_path(&id, vpce)).await.status, 404);
    assert_eq!(
        session.get(&conn_path(&id)).await.json()["interfaceEndpoints"],
        json!([])
    );

    let reply = session.delete(&conn_path(&id)).await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "{}"));
    assert_eq!(server.connections(G)[0]["status"], "DELETING");
    assert_eq!(
        session.get(&list_path(G)).await.json()[0]["status"],
        "DELETING"
    );
    let gone = session.get(&conn_path(&id)).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json()["errorCode"], "RESOURCE_NOT_FOUND");
    assert_eq!(session.get(&list_path(G)).await.body, "[]");
    assert_eq!(session.delete(&conn_path(&id)).await.status, 404);
}

#[tokio::test]
async fn hooks_force_failed_and_rejected() {
    let server = TestServer::start_with(ServerConfig {
        polls_until_ready: 0,
        polls_per_interface_step: 0,
        ..ServerConfig::default()
    })
    .await;
    let mut session = Session::new(&server);
    let id = session.create("ap-east-1").await;
    assert_eq!(
        session.get(&conn_path(&id)).await.json()["status"],
        "WAITING_FOR_USER"
    );
    let vpce = "vpce-0123456789abcdef0";
    let interfaces = format!("{}/interfaceEndpoints", conn_path(&id));
    session
        .post(
            &interfaces,
            &format!(r#"{{"interfaceEndpointId":"{vpce}"}}"#),
        )
        .await;
    assert_eq!(
        session.get(&iface_path(&id, vpce)).await.json()["connectionStatus"],
        "AVAILABLE"
    );

    assert!(server.set_interface_endpoint_rejected(G, &id, vpce));
    assert!(!server.set_interface_endpoint_rejected(G, &id, "vpce-unknown"));
    for _ in 0..2 {
        let json = session.get(&iface_path(&id, vpce)).await.json();
        assert_eq!(json["connectionStatus"], "REJECTED");
        assert!(json["errorMessage"].is_string());
    }

    assert!(server.set_connection_failed(G, &id));
    assert!(!server.set_connection_failed(G, "000000000000000000000000"));
    for _ in 0..2 {
        let json = session.get(&conn_path(&id)).await.json();
        assert_eq!(json["status"], "FAILED");
        assert!(json["errorMessage"].is_string());
    }
}
