//! The generated types against the reference page: example payloads, wire values, open enums.

use atlas_admin::types::{
    CreatePrivateEndpointRequest, PrivateEndpoint, PrivateEndpointStatus, ProviderName, Region,
};
use serde_json::json;

/// The example response of "Create One Private Endpoint Connection", verbatim.
const EXAMPLE_RESPONSE: &str = r#"{
  "endpointServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0aee615d3fe32c14e",
  "errorMessage": null,
  "id": "5df264b8f10fab7d2cad2f0d",
  "interfaceEndpoints": ["vpce-08fb7e9319909ec7b"],
  "status": "WAITING_FOR_USER"
}"#;

/// The 18 regions of the reference page, in its order.
const REFERENCE_REGIONS: [&str; 18] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "me-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-east-1",
];

#[test]
fn example_response_deserializes_with_every_field() {
    let endpoint: PrivateEndpoint =
        serde_json::from_str(EXAMPLE_RESPONSE).expect("example decodes");
    assert_eq!(
        endpoint.endpoint_service_name.as_deref(),
        Some("com.amazonaws.vpce.us-east-1.vpce-svc-0aee615d3fe32c14e")
    );
    assert_eq!(endpoint.error_message, None);
    assert_eq!(endpoint.id, "5df264b8f10fab7d2cad2f0d");
    assert_eq!(
        endpoint.interface_endpoints,
        Some(vec!["vpce-08fb7e9319909ec7b".to_owned()])
    );
    assert_eq!(endpoint.status, PrivateEndpointStatus::WaitingForUser);
}

#[test]
fn a_connection_still_being_created_has_no_service_name() {
    let endpoint: PrivateEndpoint = serde_json::from_value(json!({
        "endpointServiceName": null, "errorMessage": null, "id": "5df264b8f10fab7d2cad2f0d",
        "interfaceEndpoints": [], "status": "INITIATING"
    }))
    .expect("decodes");
    assert_eq!(endpoint.endpoint_service_name, None);
    assert_eq!(endpoint.interface_endpoints, Some(Vec::new()));
    assert_eq!(endpoint.status, PrivateEndpointStatus::Initiating);
    // Optional members may also be missing altogether.
    let minimal: PrivateEndpoint =
        serde_json::from_value(json!({"id": "5df264b8f10fab7d2cad2f0d", "status": "FAILED"}))
            .expect("decodes");
    assert_eq!(minimal.status, PrivateEndpointStatus::Failed);
    assert_eq!(
        minimal.interface_endpoints, None,
        "a missing list is not an empty one"
    );
}

#[test]
fn a_response_without_its_required_fields_is_rejected() {
    let error = serde_json::from_value::<PrivateEndpoint>(json!({"status": "FAILED"}))
        .expect_err("id is required");
    assert!(error.to_string().contains("missing field `id`"), "{error}");
}

#[test]
fn example_request_serializes_to_the_documented_json() {
    let body = CreatePrivateEndpointRequest::new(ProviderName::Aws, Region::UsEast1);
    assert_eq!(
        serde_json::to_string(&body).expect("serializes"),
        r#"{"providerName":"AWS","region":"us-east-1"}"#
    );
}

#[test]
fn region_has_exactly_the_reference_values_as_wire_values() {
    assert_eq!(Region::KNOWN_VALUES, REFERENCE_REGIONS);
    for value in REFERENCE_REGIONS {
        let region: Region = value.parse().expect("infallible");
        assert!(region.is_known(), "{value}");
        assert_eq!(region.as_str(), value);
        assert_eq!(region.to_string(), value);
        assert_eq!(
            serde_json::to_value(&region).expect("serializes"),
            json!(value)
        );
    }
}

#[test]
fn region_accepts_the_atlas_spelling_when_deserializing() {
    for value in REFERENCE_REGIONS {
        let atlas = value.to_uppercase().replace('-', "_");
        let from_aws: Region = serde_json::from_value(json!(value)).expect("decodes");
        let from_atlas: Region = serde_json::from_value(json!(atlas)).expect("decodes");
        assert_eq!(from_aws, from_atlas, "{atlas}");
        // It is always sent in the AWS spelling.
        assert_eq!(
            serde_json::to_value(&from_atlas).expect("serializes"),
            json!(value)
        );
    }
    assert_eq!(
        serde_json::from_value::<Region>(json!("US_EAST_1")).expect("decodes"),
        Region::UsEast1
    );
}

#[test]
fn unknown_values_round_trip_through_unknown() {
    let status: PrivateEndpointStatus =
        serde_json::from_value(json!("PENDING_RECONFIGURATION")).expect("decodes");
    assert!(
        matches!(&status, PrivateEndpointStatus::Unknown(value) if value.as_str() == "PENDING_RECONFIGURATION")
    );
    assert!(!status.is_known());
    assert_eq!(
        serde_json::to_value(&status).expect("serializes"),
        json!("PENDING_RECONFIGURATION")
    );

    // A region added after this crate was generated can still be sent.
    let region = Region::from("ca-west-1");
    assert!(!region.is_known());
    let body = CreatePrivateEndpointRequest::new(ProviderName::Aws, region);
    assert_eq!(
        serde_json::to_value(&body).expect("serializes"),
        json!({"providerName": "AWS", "region": "ca-west-1"})
    );
    let back: CreatePrivateEndpointRequest =
        serde_json::from_value(json!({"providerName": "GCP", "region": "ca-west-1"}))
            .expect("unknown provider and region decode");
    assert_eq!(back.provider_name.as_str(), "GCP");
    assert_eq!(back.region, Region::from("ca-west-1"));
}

#[test]
fn known_values_never_land_in_unknown() {
    assert_eq!(Region::from("us-east-1"), Region::UsEast1);
    assert_eq!(
        "WAITING_FOR_USER".parse::<PrivateEndpointStatus>(),
        Ok(PrivateEndpointStatus::WaitingForUser)
    );
    assert_eq!(ProviderName::from(String::from("AWS")), ProviderName::Aws);
    assert_eq!(
        PrivateEndpointStatus::KNOWN_VALUES,
        ["INITIATING", "WAITING_FOR_USER", "FAILED", "DELETING"]
    );
}

#[test]
fn extra_fields_in_a_response_are_ignored() {
    let mut value: serde_json::Value = serde_json::from_str(EXAMPLE_RESPONSE).expect("json");
    value["regionName"] = json!("US_EAST_1");
    value["cloudProvider"] = json!("AWS");
    value["nested"] = json!({"a": [1, 2, 3]});
    let endpoint: PrivateEndpoint =
        serde_json::from_value(value).expect("extra fields are ignored");
    assert_eq!(endpoint.id, "5df264b8f10fab7d2cad2f0d");
}

#[test]
fn keyword_named_fields_and_values_keep_their_wire_names() {
    use keywords_client::types::{Match, Type};
    let value = Type::new("t", Match::Self_)
        .with_match(true)
        .with_crate(7)
        .with_super(vec![Match::V2fa, Match::Fn]);
    let json = serde_json::to_value(&value).expect("serializes");
    assert_eq!(
        json,
        json!({"type": "t", "self": "self", "match": true, "crate": 7, "super": ["2fa", "fn"]})
    );
    let back: Type = serde_json::from_value(json).expect("decodes");
    assert_eq!(back, value);
    assert_eq!(back.r#type, "t");
    assert_eq!(back.self_, Match::Self_);
    assert_eq!(Match::from("SUPER_USER"), Match::SuperUser);
    assert_eq!(Match::SuperUser.as_str(), "super-user");
}

#[test]
fn enums_compare_hash_and_sort_by_wire_value() {
    use std::collections::HashSet;
    // The Atlas spelling reads as the same variant, so it is equal and hashes the same.
    let atlas_spelling = Region::from("US_EAST_1");
    assert_eq!(atlas_spelling, Region::UsEast1);
    let set: HashSet<Region> = [Region::UsEast1, atlas_spelling].into_iter().collect();
    assert_eq!(set.len(), 1);
    // Unknown values compare by their text too.
    assert_eq!(Region::from("mars-north-1"), Region::from("mars-north-1"));
    assert_ne!(Region::from("mars-north-1"), Region::UsEast1);
    let mut regions = [
        Region::UsWest2,
        Region::from("mars-north-1"),
        Region::ApEast1,
        Region::EuWest1,
    ];
    regions.sort();
    let sorted: Vec<&str> = regions.iter().map(Region::as_str).collect();
    assert_eq!(
        sorted,
        ["ap-east-1", "eu-west-1", "mars-north-1", "us-west-2"]
    );
}

/// Users build response values to test their own code: every type has `new(required fields)`
/// and `with_*` setters, and a union is built from its variant's value.
#[test]
fn response_types_and_unions_can_be_built_by_users() {
    use atlas_admin::types::{
        AwsEndpointConnectionStatus, AwsInterfaceEndpoint, AwsPrivateLinkConnection,
        EndpointService, EndpointServiceStatus, PrivateLinkEndpoint,
    };
    let connection = PrivateEndpoint::new(
        "5df264b8f10fab7d2cad2f0d",
        PrivateEndpointStatus::Initiating,
    )
    .with_interface_endpoints(vec!["vpce-08fb7e9319909ec7b".to_owned()]);
    assert_eq!(
        serde_json::to_value(&connection).expect("serializes"),
        json!({
            "id": "5df264b8f10fab7d2cad2f0d",
            "interfaceEndpoints": ["vpce-08fb7e9319909ec7b"],
            "status": "INITIATING"
        }),
        "unset optional members are left out"
    );

    let service = EndpointService::from(
        AwsPrivateLinkConnection::new(
            "5f7cac1e8becbf2e769f7abd",
            EndpointServiceStatus::WaitingForUser,
            Vec::new(),
        )
        .with_region_name("US_EAST_1"),
    );
    assert_eq!(service.id(), Some("5f7cac1e8becbf2e769f7abd"));
    assert_eq!(service.region_name(), Some("US_EAST_1"));
    let json = serde_json::to_value(&service).expect("serializes");
    assert_eq!(json["cloudProvider"], "AWS");
    assert_eq!(
        serde_json::from_value::<EndpointService>(json).expect("decodes"),
        service
    );

    let endpoint: PrivateLinkEndpoint =
        AwsInterfaceEndpoint::new(AwsEndpointConnectionStatus::Available).into();
    assert!(matches!(endpoint, PrivateLinkEndpoint::Aws(_)));
}
