//! The spec file format: the one definition of its grammar.
//!
//! These types describe the JSON shape (wire names, required and optional keys, closed sets of
//! values as enums, unknown keys rejected). Everything else derives from them:
//! [`json_schema`] (written to `spec/spec.schema.json` by `cargo xtask gen`) is generated from
//! them, and [`crate::load`] checks a document's shape against that schema before
//! deserializing it. Adding a key to the format is one field here.
//!
//! They carry no Rust naming and no cross-references: [`crate::validate`] checks those and
//! turns a document into the [`crate::model`] that the emitters share.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

/// The JSON Schema (draft 2020-12) of the spec format, derived from [`SpecDocument`].
///
/// Optional keys may be left out but are never `null`.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<SpecDocument>();
    let mut schema = schema.to_value();
    tidy(&mut schema);
    schema
}

/// Adapts schemars' output to the format. schemars lets an `Option` field be `null` (and
/// defaults it to `null`); the format has no null values, so that alternative is removed
/// (`["string", "null"]` becomes `"string"`, `anyOf: [X, null]` becomes X). Descriptions come
/// from doc comments wrapped at 100 columns; they are joined back into one line.
fn tidy(schema: &mut serde_json::Value) {
    use serde_json::Value;
    let is_null = |schema: &Value| schema.get("type").and_then(Value::as_str) == Some("null");
    if let Some(object) = schema.as_object_mut() {
        if object.get("default") == Some(&Value::Null) {
            object.remove("default");
        }
        if let Some(Value::String(description)) = object.get_mut("description") {
            *description = description.replace('\n', " ");
        }
        if let Some(Value::Array(types)) = object.get_mut("type") {
            types.retain(|kind| kind != "null");
            if let [single] = types.as_slice() {
                let single = single.clone();
                object.insert("type".to_owned(), single);
            }
        }
        if let Some(Value::Array(alternatives)) = object.get("anyOf")
            && let [other] = alternatives
                .iter()
                .filter(|alternative| !is_null(alternative))
                .collect::<Vec<_>>()
                .as_slice()
            && alternatives.len() == 2
        {
            let other = (*other).clone();
            object.remove("anyOf");
            if let Value::Object(members) = other {
                for (key, value) in members {
                    object.entry(key).or_insert(value);
                }
            }
        }
    }
    match schema {
        Value::Object(members) => members.values_mut().for_each(tidy),
        Value::Array(elements) => elements.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// A hand-written description of an HTTP API, from which atlas-admin-codegen generates a Rust
/// client crate. Semantic rules (references, names, path templates) are checked by the
/// generator itself.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "atlas-admin-codegen API description")]
pub struct SpecDocument {
    /// This schema, for editors: `./spec.schema.json`.
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    /// Metadata of the generated crate.
    #[serde(rename = "crate")]
    pub crate_info: CrateInfo,
    /// Metadata of the API itself.
    pub info: ApiInfo,
    /// API versions, keyed by name (`v1`, `2024-01-01`): the path prefix and media type of the
    /// operations that name them. When any is declared, every operation must name one.
    #[serde(default)]
    pub api_versions: IndexMap<String, ApiVersionSpec>,
    /// Parameters shared by operations, keyed by their wire name (`ORG-ID`, `pretty`).
    /// Operations list the ones they take.
    #[serde(default)]
    pub parameters: IndexMap<String, ParameterSpec>,
    /// Enumerations, keyed by their UpperCamelCase type name. Generated enums are open:
    /// unknown values are kept.
    #[serde(default)]
    pub enums: IndexMap<String, EnumSpec>,
    /// Object types (request bodies and responses), keyed by their UpperCamelCase type name.
    #[serde(default)]
    pub types: IndexMap<String, TypeSpec>,
    /// Discriminated unions, keyed by their UpperCamelCase type name: an object that is one of
    /// several object types, told apart by the value of one member. Generated unions are open:
    /// an object with a value the crate does not know is kept whole.
    #[serde(default)]
    pub unions: IndexMap<String, UnionSpec>,
    /// Operations, keyed by their lowerCamelCase operation id; each becomes a `Client` method.
    #[serde(default)]
    pub operations: IndexMap<String, OperationSpec>,
    /// Waiters, keyed by lowerCamelCase id; each becomes `Client::wait_until_<id>`, polling a
    /// GET operation until a field of its response reaches a final value.
    #[serde(default)]
    pub waiters: IndexMap<String, WaiterSpec>,
}

/// Metadata of the generated crate.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CrateInfo {
    /// Package name: lower-case ASCII letters, digits, `-` and `_`, starting with a letter;
    /// not a Rust keyword.
    pub name: String,
    /// MAJOR.MINOR.PATCH version of the generated crate.
    pub version: String,
    /// One-sentence description for the crate's Cargo.toml.
    pub description: String,
}

/// Metadata of the API itself.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApiInfo {
    /// Name of the API.
    pub title: String,
    /// Version of the API the crate is generated for.
    pub version: String,
    /// Prose about the API, copied into the crate docs.
    #[serde(default)]
    pub description: Option<String>,
    /// Default base URL: http:// or https://, a host, an optional path; no query, fragment or
    /// credentials. Operation paths (after their version's prefix) are appended to it.
    pub base_url: String,
    /// How requests authenticate.
    pub auth: AuthSpec,
}

/// How requests authenticate: the schemes the API accepts (at least one). A client uses one of
/// them, chosen when it is built.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AuthSpec {
    /// Prose about authentication, copied into the crate docs.
    #[serde(default)]
    pub description: Option<String>,
    /// HTTP Digest (RFC 7616) with a user name and a password (an API key pair).
    #[serde(default)]
    pub digest: Option<DigestSpec>,
    /// OAuth 2.0 client credentials (RFC 6749 §4.4): a client id and secret are exchanged at
    /// the token endpoint for a bearer token, sent as `Authorization: Bearer` (RFC 6750).
    #[serde(default)]
    pub client_credentials: Option<ClientCredentialsSpec>,
}

/// HTTP Digest authentication.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DigestSpec {
    /// What the user name is (documentation).
    pub username: String,
    /// What the password is (documentation).
    pub password: String,
}

/// OAuth 2.0 client credentials, with bearer tokens.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClientCredentialsSpec {
    /// Path of the token endpoint below the base URL, starting with `/` (`/oauth/token`).
    pub token_path: String,
    /// Path of the token revocation endpoint (RFC 7009) below the base URL.
    pub revoke_path: String,
    /// What the client id is (documentation).
    pub client_id: String,
    /// What the client secret is (documentation).
    pub client_secret: String,
    /// Prose about these credentials (documentation).
    #[serde(default)]
    pub description: Option<String>,
}

/// One version of the API: where its operations live and the media type they speak.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApiVersionSpec {
    /// Prefix of the paths of this version's operations: starts with `/`, does not end with
    /// one (`/api/v2`); may be empty.
    pub path_prefix: String,
    /// Media type sent as `Accept` (and as `Content-Type` with a body) by this version's
    /// operations, e.g. `application/vnd.example.2024-01-01+json`.
    pub media_type: String,
    /// Prose about the version (documentation).
    #[serde(default)]
    pub description: Option<String>,
}

/// A path or query parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ParameterSpec {
    /// Where the parameter goes.
    #[serde(rename = "in")]
    pub location: ParameterLocation,
    /// Value type; path parameters are strings.
    #[serde(rename = "type")]
    pub ty: ParameterType,
    /// Name of an enum of `enums` whose values the (string) parameter takes: the argument is
    /// then that enum.
    #[serde(rename = "enum", default)]
    pub enum_type: Option<String>,
    /// What the parameter means.
    pub description: String,
    /// Default the server applies when the parameter is absent (documentation only).
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    /// Regular expression, anchored with `^` and `$`, that a string value must match before
    /// any request is sent: the `regex` crate's syntax with Unicode mode off (`\d`, `\w` and
    /// `(?i)` are ASCII-only, as in ECMA-262).
    #[serde(default)]
    pub pattern: Option<String>,
    /// Human description of `pattern`, used in error messages and docs.
    #[serde(default)]
    pub pattern_description: Option<String>,
    /// Example value, used in generated docs.
    #[serde(default)]
    pub example: Option<serde_json::Value>,
    /// Setting this boolean query flag makes the server wrap responses as
    /// `{"status", "content"}`.
    #[serde(default)]
    pub response_envelope: bool,
    /// Intentional differences from the API's official description, each with its reason:
    /// `cargo xtask audit` accepts a difference of a declared aspect here and reports a
    /// declaration that no longer differs as stale.
    #[serde(default)]
    pub upstream_deviations: Vec<DeviationSpec>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ParameterLocation {
    /// A `{NAME}` placeholder of the path template: a positional argument of the method.
    Path,
    /// The query string: an optional setter of the request builder.
    Query,
}

/// The type of a parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ParameterType {
    /// Text.
    String,
    /// `true` or `false`.
    Boolean,
    /// A whole number.
    Integer,
}

impl ParameterType {
    /// The type as written in the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterType::String => "string",
            ParameterType::Boolean => "boolean",
            ParameterType::Integer => "integer",
        }
    }
}

/// An enumeration of string values.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnumSpec {
    /// What the enum means.
    pub description: String,
    /// The known values, at least one.
    pub values: Vec<EnumValueSpec>,
    /// Intentional differences from the API's official description, each with its reason:
    /// `cargo xtask audit` accepts a difference of a declared aspect here and reports a
    /// declaration that no longer differs as stale.
    #[serde(default)]
    pub upstream_deviations: Vec<DeviationSpec>,
}

/// One value of an enum.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnumValueSpec {
    /// The exact wire value.
    pub value: String,
    /// What the value means.
    #[serde(default)]
    pub description: Option<String>,
    /// Other spellings accepted when deserializing (never sent).
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// An object type.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TypeSpec {
    /// What the type is.
    pub description: String,
    /// Fields, keyed by their wire name; at least one.
    pub fields: IndexMap<String, FieldSpec>,
    /// Intentional differences from the API's official description, each with its reason:
    /// `cargo xtask audit` accepts a difference of a declared aspect here and reports a
    /// declaration that no longer differs as stale.
    #[serde(default)]
    pub upstream_deviations: Vec<DeviationSpec>,
}

/// A discriminated union: an object that is one of several object types, chosen by the value
/// of one member (the discriminator).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UnionSpec {
    /// What the union is.
    pub description: String,
    /// Wire name of the member whose value says which variant an object is (`kind`).
    /// Variant types do not declare it: the union reads and writes it.
    pub discriminator: String,
    /// Name of the enum of the discriminator's values.
    pub discriminator_enum: String,
    /// The variants: object type names keyed by the discriminator value that selects them (a
    /// value of `discriminatorEnum`); at least one.
    pub variants: IndexMap<String, String>,
    /// Intentional differences from the API's official description, each with its reason:
    /// `cargo xtask audit` accepts a difference of a declared aspect here and reports a
    /// declaration that no longer differs as stale.
    #[serde(default)]
    pub upstream_deviations: Vec<DeviationSpec>,
}

/// One field of an object type, keyed by its wire name.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FieldSpec {
    /// A primitive (`string`, `boolean`, `integer`, `number`, `any`), `array` (with `items`),
    /// or the name of an enum, type or union.
    #[serde(rename = "type")]
    pub ty: String,
    /// Element type when `type` is `array`: a primitive or the name of an enum, type or union.
    #[serde(default)]
    pub items: Option<String>,
    /// The key is always present: requests must send it, responses always carry it. An
    /// optional field is left out of requests when unset.
    #[serde(default)]
    pub required: bool,
    /// The value may be JSON `null`.
    #[serde(default)]
    pub nullable: bool,
    /// What the field means.
    pub description: String,
    /// Intentional differences from the API's official description, each with its reason:
    /// `cargo xtask audit` accepts a difference of a declared aspect here and reports a
    /// declaration that no longer differs as stale.
    #[serde(default)]
    pub upstream_deviations: Vec<DeviationSpec>,
}

/// One HTTP operation.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OperationSpec {
    /// One-line summary.
    pub summary: String,
    /// What the operation does.
    pub description: String,
    /// HTTP method. GET and DELETE cannot have a request body.
    pub method: HttpMethod,
    /// Path template relative to the base URL and the version's prefix, starting with `/`, with
    /// a `{NAME}` placeholder for every path parameter the operation lists.
    pub path: String,
    /// Name of the entry of `apiVersions` the operation belongs to. Without versions, paths
    /// get no prefix and the media type is `application/json`.
    #[serde(default)]
    pub api_version: Option<String>,
    /// The operation's id in the API's official description (documentation, audits).
    #[serde(default)]
    pub operation_id: Option<String>,
    /// Names of entries in the top-level `parameters`.
    #[serde(default)]
    pub parameters: Vec<String>,
    /// The JSON request body.
    #[serde(default)]
    pub request_body: Option<BodySpec>,
    /// What a success (2xx) answer carries.
    pub response: ResponseSpec,
    /// Roles needed to call the operation (documentation).
    #[serde(default)]
    pub required_roles: Vec<String>,
    /// Notes for callers (documentation).
    #[serde(default)]
    pub considerations: Vec<String>,
    /// Documented example request and response.
    #[serde(default)]
    pub examples: Option<ExamplesSpec>,
    /// Intentional differences from the API's official description, each with its reason:
    /// `cargo xtask audit` accepts a difference of a declared aspect here and reports a
    /// declaration that no longer differs as stale.
    #[serde(default)]
    pub upstream_deviations: Vec<DeviationSpec>,
}

/// The supported HTTP methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// Reads; may be polled by a waiter.
    Get,
    /// Creates.
    Post,
    /// Replaces.
    Put,
    /// Changes some fields.
    Patch,
    /// Removes.
    Delete,
}

impl HttpMethod {
    /// The method as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// The JSON request body of an operation.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BodySpec {
    /// Name of an object type or union.
    #[serde(rename = "type")]
    pub ty: String,
    /// What the body is.
    #[serde(default)]
    pub description: Option<String>,
}

/// What a success (2xx) answer carries.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResponseSpec {
    /// Name of an object type or union, `array` (with `items`), or `empty` for no body. When a
    /// union object in the answer lacks its discriminator, the client takes it from the
    /// operation's path parameter of the discriminator's enum, else from the request body's
    /// required field of that enum.
    #[serde(rename = "type")]
    pub ty: String,
    /// Element type when `type` is `array`.
    #[serde(default)]
    pub items: Option<String>,
    /// The success status the API answers with (documentation; any 2xx is accepted). `204`
    /// requires `type: empty`.
    #[serde(default = "default_success_status")]
    #[schemars(range(min = 200, max = 299))]
    pub status: u16,
    /// What the response is.
    #[serde(default)]
    pub description: Option<String>,
}

fn default_success_status() -> u16 {
    200
}

/// An intentional difference from the API's official description (checked by `cargo xtask
/// audit`), declared on the field, parameter, enum, type, union or operation it concerns.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeviationSpec {
    /// What differs. Each aspect may be declared where it can occur: see [`UpstreamAspect`].
    pub aspect: UpstreamAspect,
    /// Why the spec differs on purpose (evidence: real payloads, other clients).
    pub reason: String,
}

/// What a declared deviation concerns. A declaration on a field or parameter covers that
/// field or parameter; on an enum, every use of the enum; on a type or union, the differences
/// of that type (not of its fields); on an operation, the operation's own line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum UpstreamAspect {
    /// Operation: the HTTP method.
    Method,
    /// Operation: the path (literal segments, or the number of segments).
    Path,
    /// Operation: the success status.
    Status,
    /// Operation: the media type of the success answer or of the request body.
    MediaType,
    /// Operation: a parameter one side has and the other lacks.
    Parameters,
    /// Operation: the request body (presence or kind).
    RequestBody,
    /// Operation: the success answer's body (presence or kind).
    Response,
    /// Parameter: where it goes (`in`).
    Location,
    /// Field or parameter: the value type (primitive, array, object, union).
    Type,
    /// Field, parameter or enum: the set of allowed values.
    EnumValues,
    /// Field or parameter: the pattern the value matches (the format has no field patterns).
    Pattern,
    /// Field or parameter: whether the value must be present.
    Required,
    /// Field: whether the value may be `null`.
    Nullable,
    /// Parameter: the default the server applies.
    Default,
    /// Field: the field exists here but not upstream. Type: upstream has fields the type
    /// lacks.
    Fields,
    /// Type or union: the name differs from the official schema's.
    Name,
    /// Union: the discriminator member's name.
    Discriminator,
    /// Union: a discriminator value one side maps and the other does not.
    Variants,
}

impl UpstreamAspect {
    /// The aspect as written in the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            UpstreamAspect::Method => "method",
            UpstreamAspect::Path => "path",
            UpstreamAspect::Status => "status",
            UpstreamAspect::MediaType => "mediaType",
            UpstreamAspect::Parameters => "parameters",
            UpstreamAspect::RequestBody => "requestBody",
            UpstreamAspect::Response => "response",
            UpstreamAspect::Location => "location",
            UpstreamAspect::Type => "type",
            UpstreamAspect::EnumValues => "enumValues",
            UpstreamAspect::Pattern => "pattern",
            UpstreamAspect::Required => "required",
            UpstreamAspect::Nullable => "nullable",
            UpstreamAspect::Default => "default",
            UpstreamAspect::Fields => "fields",
            UpstreamAspect::Name => "name",
            UpstreamAspect::Discriminator => "discriminator",
            UpstreamAspect::Variants => "variants",
        }
    }

    /// Where the aspect may be declared: the sections (`parameters`, `enums`, `types`,
    /// `fields`, `unions`, `operations`) whose differences can have it.
    pub fn declared_on(self) -> &'static [&'static str] {
        match self {
            UpstreamAspect::Method
            | UpstreamAspect::Path
            | UpstreamAspect::Status
            | UpstreamAspect::MediaType
            | UpstreamAspect::Parameters
            | UpstreamAspect::RequestBody
            | UpstreamAspect::Response => &["operations"],
            UpstreamAspect::Location | UpstreamAspect::Default => &["parameters"],
            UpstreamAspect::Type | UpstreamAspect::Pattern | UpstreamAspect::Required => {
                &["fields", "parameters"]
            }
            UpstreamAspect::EnumValues => &["fields", "parameters", "enums", "unions"],
            UpstreamAspect::Nullable => &["fields"],
            UpstreamAspect::Fields => &["fields", "types"],
            UpstreamAspect::Name => &["types", "unions"],
            UpstreamAspect::Discriminator | UpstreamAspect::Variants => &["unions"],
        }
    }
}

/// Documented example request and response of an operation.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExamplesSpec {
    /// The example request.
    #[serde(default)]
    pub request: Option<ExampleRequestSpec>,
    /// Example response body (any JSON).
    #[serde(default)]
    pub response: Option<serde_json::Value>,
}

/// The example request of an operation.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExampleRequestSpec {
    /// Example query string.
    #[serde(default)]
    pub query: Option<String>,
    /// Example request body (any JSON).
    #[serde(default)]
    pub body: Option<serde_json::Value>,
}

/// Polls a GET operation until a field of its response reaches a final value.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WaiterSpec {
    /// What the waiter waits for.
    pub description: String,
    /// Id of the GET operation to poll; its path parameters become the waiter's arguments.
    pub operation: String,
    /// Wire name of the field of the operation's response to read: a string or enum field
    /// (when optional and missing, the state is `""`, which no list can hold: polling goes on
    /// with a warning). Every listed state must be a value of its enum. For a union response, the field
    /// of every variant not named in `variantFields`.
    pub field: String,
    /// For a union response: the field to read instead of `field` in some variants, keyed by
    /// their discriminator value. A listed state applies to the variants whose field's enum
    /// has it, and must be a value of at least one.
    #[serde(default)]
    pub variant_fields: IndexMap<String, String>,
    /// Values that end the wait successfully (the last object is returned).
    #[serde(default)]
    pub success: Vec<String>,
    /// Values that end the wait with an error.
    #[serde(default)]
    pub failure: Vec<String>,
    /// Values that mean "keep polling". A value in none of the lists also keeps polling, with
    /// a warning.
    #[serde(default)]
    pub pending: Vec<String>,
    /// What a 404 answer to a poll means.
    #[serde(default)]
    pub not_found: NotFound,
    /// Default pause before the second poll, in seconds; each later pause doubles, up to
    /// `maxIntervalSeconds`.
    pub interval_seconds: u64,
    /// The longest pause between two polls, in seconds (the ceiling of the doubling).
    pub max_interval_seconds: u64,
    /// Default maximum total wait, in seconds.
    pub max_wait_seconds: u64,
}

/// What a 404 answer to a poll means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NotFound {
    /// The resource should exist: the 404 is returned as an error.
    #[default]
    Error,
    /// The waiter waits for deletion: a 404 ends it successfully.
    Success,
}
