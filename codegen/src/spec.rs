//! The hand-written spec file format, exactly as it appears on disk.
//!
//! These types only describe the JSON shape (wire names, unknown keys rejected). They carry no
//! Rust naming and no cross-references: [`crate::validate`] checks them and turns them into the
//! [`crate::model`] that the emitters share.

use indexmap::IndexMap;
use serde::Deserialize;

/// The whole spec document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SpecDocument {
    /// Optional JSON Schema reference, for editors.
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    /// Metadata of the generated crate.
    #[serde(rename = "crate")]
    pub crate_info: CrateInfo,
    /// Metadata of the API itself.
    pub info: ApiInfo,
    /// Parameters shared by operations, keyed by their wire name.
    #[serde(default)]
    pub parameters: IndexMap<String, ParameterSpec>,
    /// Enumerations, keyed by their type name.
    #[serde(default)]
    pub enums: IndexMap<String, EnumSpec>,
    /// Object types, keyed by their type name.
    #[serde(default)]
    pub types: IndexMap<String, TypeSpec>,
    /// Operations, keyed by operation id (lowerCamelCase).
    #[serde(default)]
    pub operations: IndexMap<String, OperationSpec>,
    /// Waiters, keyed by id (lowerCamelCase); each becomes `Client::wait_until_<id>`.
    #[serde(default)]
    pub waiters: IndexMap<String, WaiterSpec>,
}

/// `crate`: name and version of the generated crate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CrateInfo {
    pub name: String,
    pub version: String,
    pub description: String,
}

/// `info`: title, version, base URL and authentication of the API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApiInfo {
    pub title: String,
    pub version: String,
    #[serde(default)]
    pub description: Option<String>,
    pub base_url: String,
    pub auth: AuthSpec,
}

/// `info.auth`: how requests authenticate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AuthSpec {
    /// Only `digest` is supported.
    pub scheme: String,
    /// What the user name is (documentation).
    pub username: String,
    /// What the password is (documentation).
    pub password: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// One entry of `parameters`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ParameterSpec {
    /// `path` or `query`.
    #[serde(rename = "in")]
    pub location: String,
    /// `string`, `boolean` or `integer`.
    #[serde(rename = "type")]
    pub ty: String,
    pub description: String,
    /// Default the server applies when the parameter is absent (documentation only).
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    /// Regular expression a value must match, checked before any request is sent.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Human description of `pattern`, used in error messages and docs.
    #[serde(default)]
    pub pattern_description: Option<String>,
    /// Example value, used in generated docs.
    #[serde(default)]
    pub example: Option<serde_json::Value>,
    /// `true` when setting this flag makes the server wrap responses as `{"status", "content"}`.
    #[serde(default)]
    pub response_envelope: bool,
}

/// One entry of `enums`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnumSpec {
    pub description: String,
    pub values: Vec<EnumValueSpec>,
}

/// One value of an enum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnumValueSpec {
    /// The exact wire value.
    pub value: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Other spellings accepted when deserializing (never sent).
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// One entry of `types`: an object type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TypeSpec {
    pub description: String,
    pub fields: IndexMap<String, FieldSpec>,
}

/// One field of an object type, keyed by its wire name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FieldSpec {
    /// A primitive (`string`, `boolean`, `integer`, `number`, `any`), `array`, or the name of an
    /// enum or type.
    #[serde(rename = "type")]
    pub ty: String,
    /// Element type when `type` is `array`.
    #[serde(default)]
    pub items: Option<String>,
    /// The key is always present (requests must send it, responses always carry it).
    #[serde(default)]
    pub required: bool,
    /// The value may be JSON `null`.
    #[serde(default)]
    pub nullable: bool,
    pub description: String,
}

/// One entry of `operations`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OperationSpec {
    pub summary: String,
    pub description: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template relative to the base URL, with `{NAME}` placeholders.
    pub path: String,
    /// Names of entries in the top-level `parameters`.
    #[serde(default)]
    pub parameters: Vec<String>,
    #[serde(default)]
    pub request_body: Option<BodySpec>,
    pub response: ResponseSpec,
    #[serde(default)]
    pub required_roles: Vec<String>,
    #[serde(default)]
    pub considerations: Vec<String>,
    #[serde(default)]
    pub examples: Option<ExamplesSpec>,
}

/// `requestBody` of an operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BodySpec {
    /// Name of a type.
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// `response` of an operation: what a 2xx answer carries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResponseSpec {
    /// Name of a type, or `array` (with `items`), or `empty`.
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub items: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Documented example request and response of an operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExamplesSpec {
    #[serde(default)]
    pub request: Option<ExampleRequestSpec>,
    #[serde(default)]
    pub response: Option<serde_json::Value>,
}

/// The example request of an operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExampleRequestSpec {
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub body: Option<serde_json::Value>,
}

/// One entry of `waiters`: poll an operation until a field reaches a final value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WaiterSpec {
    pub description: String,
    /// Id of the GET operation to poll; its path parameters become the waiter's arguments.
    pub operation: String,
    /// Wire name of the field of the operation's response to read.
    pub field: String,
    /// Values that end the wait successfully (the last object is returned).
    #[serde(default)]
    pub success: Vec<String>,
    /// Values that end the wait with an error.
    #[serde(default)]
    pub failure: Vec<String>,
    /// Values that mean "keep polling". Any value in none of the lists is an error.
    #[serde(default)]
    pub pending: Vec<String>,
    /// What a 404 means: `error` (the default) or `success` (waiting for deletion).
    #[serde(default)]
    pub not_found: Option<String>,
    /// Default pause before the second poll, in seconds; each later pause doubles, up to
    /// `maxIntervalSeconds`.
    pub interval_seconds: u64,
    /// The longest pause between two polls, in seconds (the ceiling of the doubling).
    pub max_interval_seconds: u64,
    /// Default maximum total wait, in seconds.
    pub max_wait_seconds: u64,
}
