//! Synthetic specs of any size, shaped like `spec/atlas-admin.json`, for `cargo xtask bench`.
//!
//! Operation `i` is `createThing{i}`: `POST /groups/{GROUP-ID}/things{i}/{THING-ID}` with the
//! two path parameters, the `pretty` and `envelope` (response envelope) query parameters, a
//! ten-field request body `Thing{i}Request`, an eight-field response `Thing{i}` with its own
//! five-value status enum `Thing{i}Status`, and an example request and response. All
//! operations share one twenty-value `Region` enum with Atlas aliases, as the real spec does.
//!
//! The real spec declares no per-operation error responses: every non-2xx answer is the Atlas
//! error document (`error`, `errorCode`, `detail`, `reason`, `parameters`), decoded by the
//! generated runtime into `Error::Api`. The synthetic operations therefore get the same
//! error handling without declaring anything.

use serde_json::{Map, Value, json};

/// The 24-hex-digit identifier pattern the real spec uses for `GROUP-ID`.
const ID_PATTERN: &str = "^[0-9a-fA-F]{24}$";
/// The example identifier the real spec uses.
const EXAMPLE_ID: &str = "5df264b8f10fab7d2cad2f0d";

/// The shared region enum: twenty AWS regions, with the Atlas spelling accepted as an alias.
const REGIONS: [&str; 20] = [
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
    "eu-south-1",
    "me-south-1",
    "af-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-east-1",
];

/// The per-operation status enum's values.
const STATUSES: [(&str, &str); 5] = [
    ("CREATING", "Atlas is creating the thing."),
    ("IDLE", "The thing is ready."),
    ("UPDATING", "Atlas is applying a change to the thing."),
    ("DELETING", "Atlas is deleting the thing."),
    ("FAILED", "A system failure has occurred."),
];

/// Spec JSON text with `operations` operations, accepted by the generator.
///
/// The crate is `synthetic-admin`; every name derived from `i` (`createThing{i}`,
/// `Thing{i}Request`, `Thing{i}`, `Thing{i}Status`, `/things{i}/`) is unique.
pub fn synthetic_spec(operations: usize) -> String {
    let mut enums = Map::new();
    enums.insert("Region".to_owned(), region_enum());
    let mut types = Map::new();
    let mut ops = Map::new();
    for i in 0..operations {
        enums.insert(format!("Thing{i}Status"), status_enum(i));
        types.insert(format!("Thing{i}Request"), request_type(i));
        types.insert(format!("Thing{i}"), response_type(i));
        ops.insert(format!("createThing{i}"), operation(i));
    }
    let spec = json!({
        "crate": {
            "name": "synthetic-admin",
            "version": "0.1.0",
            "description": format!("Synthetic Atlas-like client with {operations} operations, generated for benchmarks.")
        },
        "info": {
            "title": "Synthetic Atlas Administration API",
            "version": "1.0",
            "description": "A synthetic API shaped like the MongoDB Atlas Administration API (v1.0), used to measure the generator. Groups and projects are synonymous terms: a `{GROUP-ID}` is the project ID.",
            "baseUrl": "https://cloud.mongodb.com/api/atlas/v1.0",
            "auth": {
                "description": "The Atlas Administration API authenticates using HTTP Digest Authentication. Provide a programmatic API public key and corresponding private key as the username and password.",
                "digest": {
                    "username": "Programmatic API public key.",
                    "password": "Programmatic API private key."
                }
            }
        },
        "parameters": parameters(),
        "enums": enums,
        "types": types,
        "operations": ops
    });
    let mut text = serde_json::to_string_pretty(&spec).unwrap_or_default();
    text.push('\n');
    text
}

fn parameters() -> Value {
    json!({
        "GROUP-ID": {
            "in": "path",
            "type": "string",
            "description": "Unique identifier for the project. Groups and projects are synonymous terms: the group ID is the project ID.",
            "pattern": ID_PATTERN,
            "patternDescription": "exactly 24 hexadecimal characters",
            "example": EXAMPLE_ID
        },
        "THING-ID": {
            "in": "path",
            "type": "string",
            "description": "Unique identifier of the thing.",
            "pattern": ID_PATTERN,
            "patternDescription": "exactly 24 hexadecimal characters",
            "example": EXAMPLE_ID
        },
        "pretty": {
            "in": "query",
            "type": "boolean",
            "default": false,
            "description": "Flag indicating whether the response body should be in a prettyprint format."
        },
        "envelope": {
            "in": "query",
            "type": "boolean",
            "default": false,
            "responseEnvelope": true,
            "description": "Flag indicating if Atlas should wrap the response in a JSON envelope. This option may be needed for some API clients that cannot access the HTTP response headers or status code. For endpoints that return one result, the response body includes `status` (the HTTP response code) and `content` (the expected response body)."
        }
    })
}

fn region_enum() -> Value {
    let values: Vec<Value> = REGIONS
        .iter()
        .map(|region| json!({ "value": region, "aliases": [region.replace('-', "_").to_uppercase()] }))
        .collect();
    json!({
        "description": "Cloud provider region. Requests send the AWS spelling (`us-east-1`); responses from Atlas may use the Atlas spelling (`US_EAST_1`), which is accepted when deserializing.",
        "values": values
    })
}

fn status_enum(i: usize) -> Value {
    let values: Vec<Value> = STATUSES
        .iter()
        .map(|(value, description)| json!({ "value": value, "description": description }))
        .collect();
    json!({
        "description": format!("Status of a thing {i}."),
        "values": values
    })
}

fn request_type(i: usize) -> Value {
    json!({
        "description": format!("Request body of *Create One Thing {i}*."),
        "fields": {
            "name": { "type": "string", "required": true, "description": "Human-readable label of the thing." },
            "description": { "type": "string", "description": "Free-form description of the thing." },
            "region": { "type": "Region", "required": true, "description": "Cloud provider region in which to create the thing." },
            "instanceCount": { "type": "integer", "required": true, "description": "Number of instances to run." },
            "diskSizeGb": { "type": "integer", "description": "Storage capacity of each instance, in gigabytes." },
            "enabled": { "type": "boolean", "required": true, "description": "Whether the thing serves traffic once created." },
            "terminationProtection": { "type": "boolean", "description": "Whether Atlas refuses to delete the thing." },
            "tags": { "type": "array", "items": "string", "description": "Labels attached to the thing." },
            "comment": { "type": "string", "nullable": true, "description": "Operator comment; `null` clears it." },
            "externalId": { "type": "string", "description": "Identifier of the thing in another system." }
        }
    })
}

fn response_type(i: usize) -> Value {
    json!({
        "description": format!("A thing {i} of an Atlas project."),
        "fields": {
            "id": { "type": "string", "required": true, "description": "Unique identifier of the thing." },
            "groupId": { "type": "string", "required": true, "description": "Unique identifier of the project that owns the thing." },
            "name": { "type": "string", "required": true, "description": "Human-readable label of the thing." },
            "status": { "type": format!("Thing{i}Status"), "required": true, "description": "Status of the thing." },
            "region": { "type": "Region", "description": "Cloud provider region of the thing." },
            "instanceCount": { "type": "integer", "description": "Number of instances running." },
            "tags": { "type": "array", "items": "string", "description": "Labels attached to the thing." },
            "errorMessage": { "type": "string", "nullable": true, "description": "Error message pertaining to the thing. Returns `null` if there are no errors." }
        }
    })
}

fn operation(i: usize) -> Value {
    json!({
        "summary": format!("Create One Thing {i}"),
        "description": format!("Create one thing {i} in an Atlas project."),
        "method": "POST",
        "path": format!("/groups/{{GROUP-ID}}/things{i}/{{THING-ID}}"),
        "parameters": ["GROUP-ID", "THING-ID", "pretty", "envelope"],
        "requestBody": { "type": format!("Thing{i}Request") },
        "response": { "type": format!("Thing{i}"), "description": "The created thing." },
        "requiredRoles": ["Organization Owner", "Project Owner"],
        "considerations": [
            "Atlas creates the thing asynchronously: poll it until its status is `IDLE`."
        ],
        "examples": {
            "request": {
                "query": "pretty=true",
                "body": {
                    "name": format!("thing-{i}"),
                    "region": "us-east-1",
                    "instanceCount": 3,
                    "enabled": true,
                    "tags": ["benchmark"],
                    "comment": null
                }
            },
            "response": {
                "id": EXAMPLE_ID,
                "groupId": EXAMPLE_ID,
                "name": format!("thing-{i}"),
                "status": "CREATING",
                "region": "us-east-1",
                "instanceCount": 3,
                "tags": ["benchmark"],
                "errorMessage": null
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_admin_codegen::{Provenance, generate_from_str, load_api};

    fn provenance() -> Provenance {
        Provenance {
            spec: "target/bench/synthetic-10/spec.json".into(),
            command: "cargo xtask bench".into(),
            runtime_path: "../codegen/runtime".to_owned(),
        }
    }

    #[test]
    fn ten_operation_spec_loads_with_ten_operations() {
        let text = synthetic_spec(10);
        let api = match load_api("synthetic.json", &text) {
            Ok(api) => api,
            Err(error) => panic!("the synthetic spec is rejected:\n{error}"),
        };
        assert_eq!(api.operations.len(), 10);
        assert_eq!(api.structs.len(), 20);
        // Ten status enums and the shared region enum.
        assert_eq!(api.enums.len(), 11);
        assert_eq!(api.crate_info.package, "synthetic-admin");
    }

    #[test]
    fn ten_operation_spec_generates() {
        let files = match generate_from_str(&synthetic_spec(10), &provenance()) {
            Ok(files) => files,
            Err(error) => panic!("the synthetic spec does not generate:\n{error}"),
        };
        let operations = files
            .iter()
            .find(|file| file.path == "src/operations.rs")
            .map(|file| file.contents.as_str())
            .unwrap_or_default();
        for i in 0..10 {
            assert!(
                operations.contains(&format!("things{i}")),
                "operation {i} is missing from src/operations.rs"
            );
        }
    }

    #[test]
    fn names_are_unique_per_operation() {
        let text = synthetic_spec(3);
        let spec: Value = serde_json::from_str(&text).expect("valid JSON");
        let operations = spec["operations"].as_object().expect("operations");
        let ids: Vec<&String> = operations.keys().collect();
        assert_eq!(ids, ["createThing0", "createThing1", "createThing2"]);
        assert_eq!(
            operations["createThing2"]["path"],
            "/groups/{GROUP-ID}/things2/{THING-ID}"
        );
        assert_eq!(
            spec["enums"]["Region"]["values"].as_array().map(Vec::len),
            Some(20)
        );
        assert_eq!(
            spec["types"]["Thing1Request"]["fields"]
                .as_object()
                .map(Map::len),
            Some(10)
        );
        assert_eq!(
            spec["types"]["Thing1"]["fields"].as_object().map(Map::len),
            Some(8)
        );
    }
}
