//! The intermediate model every emitter reads.
//!
//! Built by [`crate::validate`] from a checked spec: every reference is resolved, every Rust
//! name is derived, and nothing here can be inconsistent, so emitters never fail.

// Closed vocabularies of the format are the model's too: one definition each.
pub use crate::spec::{HttpMethod, ParameterType};

/// The whole API, ready to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    pub crate_info: CrateInfo,
    pub title: String,
    pub api_version: String,
    pub description: Option<String>,
    pub base_url: String,
    pub auth: Auth,
    pub enums: Vec<EnumDef>,
    pub structs: Vec<StructDef>,
    pub unions: Vec<UnionDef>,
    /// The query parameters every operation takes alike (not repeated in their
    /// [`Operation::query_params`]).
    pub common_query_params: Vec<QueryParam>,
    pub operations: Vec<Operation>,
    pub waiters: Vec<Waiter>,
}

impl Api {
    /// Every query parameter `operation` takes: the common ones, then its own.
    pub fn query_params_of<'a>(
        &'a self,
        operation: &'a Operation,
    ) -> impl Iterator<Item = &'a QueryParam> {
        self.common_query_params
            .iter()
            .chain(&operation.query_params)
    }
}

/// Metadata of the generated crate.
#[derive(Debug, Clone, PartialEq)]
pub struct CrateInfo {
    /// Package name, e.g. `atlas-admin`.
    pub package: String,
    /// Library name, e.g. `atlas_admin`.
    pub lib: String,
    pub version: String,
    pub description: String,
}

/// How requests authenticate: the schemes the API declares, at least one.
#[derive(Debug, Clone, PartialEq)]
pub struct Auth {
    pub description: Option<String>,
    pub digest: Option<DigestAuth>,
    pub client_credentials: Option<ClientCredentials>,
}

/// HTTP Digest authentication, as documented by the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestAuth {
    pub username_doc: String,
    pub password_doc: String,
}

/// OAuth 2.0 client credentials with bearer tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientCredentials {
    /// Below the base URL, starting with `/`.
    pub token_path: String,
    pub revoke_path: String,
    pub client_id_doc: String,
    pub client_secret_doc: String,
    pub description: Option<String>,
}

/// An open enumeration of string values.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// Name in the spec, also the Rust type name.
    pub name: String,
    pub ident: String,
    pub description: String,
    pub variants: Vec<EnumVariant>,
}

/// One known value of an enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumVariant {
    pub wire: String,
    pub ident: String,
    pub description: Option<String>,
    pub aliases: Vec<String>,
}

/// An object type with named fields.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    pub name: String,
    pub ident: String,
    pub description: String,
    pub fields: Vec<Field>,
    /// The client sends it: a request body, or inside one.
    pub sent: bool,
    /// The client receives it: a response, or inside one.
    pub received: bool,
}

/// One field of an object type.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub wire: String,
    /// Rust field name (may be a raw identifier such as `r#type`).
    pub ident: String,
    /// Name of the `with_*` setter.
    pub setter_ident: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    pub description: String,
}

impl Field {
    /// Whether `new()` takes this field: it is required and cannot be `null`.
    pub fn is_constructor_arg(&self) -> bool {
        self.required && !self.nullable
    }

    /// Whether the Rust field is an `Option`: it may be missing or `null`. An unset optional
    /// field is never sent.
    pub fn is_optional(&self) -> bool {
        self.nullable || !self.required
    }
}

/// A discriminated union: an open enum of object types, told apart by one member.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionDef {
    pub name: String,
    pub ident: String,
    pub description: String,
    /// Wire name of the discriminator member.
    pub discriminator_wire: String,
    /// Rust name of the discriminator's accessor.
    pub discriminator_ident: String,
    /// Rust type name of the discriminator's enum.
    pub discriminator_enum: String,
    pub variants: Vec<UnionVariant>,
    /// Fields every variant has (same wire name and type): accessors on the union.
    pub common_fields: Vec<CommonField>,
    /// The client sends it: a request body, or inside one.
    pub sent: bool,
    /// The client receives it: a response, or inside one.
    pub received: bool,
}

/// One variant of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// The discriminator value selecting it.
    pub wire: String,
    /// The Rust variant name, also the discriminator enum's variant.
    pub ident: String,
    /// Rust type name of the object type it holds.
    pub struct_ident: String,
}

/// A field every variant of a union has, read through an accessor.
#[derive(Debug, Clone, PartialEq)]
pub struct CommonField {
    pub wire: String,
    /// Rust field name in the variants, and name of the accessor.
    pub ident: String,
    pub ty: TypeRef,
    /// Whether the field is an `Option` in each variant, in the order of
    /// [`UnionDef::variants`].
    pub optional_in: Vec<bool>,
    pub description: String,
}

/// The type of a field, body or response.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    String,
    Boolean,
    Integer,
    Number,
    Any,
    Array(Box<TypeRef>),
    /// An enum, by its Rust type name.
    Enum(String),
    /// An object type, by its Rust type name.
    Struct(String),
    /// A discriminated union, by its Rust type name.
    Union(String),
}

/// One API operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// Operation id as written in the spec (lowerCamelCase).
    pub id: String,
    /// Client method name, snake_case.
    pub method_ident: String,
    /// Request builder type name, UpperCamelCase.
    pub builder_ident: String,
    pub summary: String,
    pub description: String,
    /// The operation's id in the API's official description.
    pub official_id: Option<String>,
    pub http_method: HttpMethod,
    /// The path template with its version's prefix, for documentation.
    pub path_template: String,
    /// The path template (with its prefix) split into literal text and parameters.
    pub path: Vec<PathSegment>,
    /// Name of the API version, if the spec declares versions.
    pub api_version: Option<String>,
    /// Sent as `Accept`, and as `Content-Type` with a body.
    pub media_type: String,
    /// Path parameters, in the order they appear in the template.
    pub path_params: Vec<PathParam>,
    /// The query parameters of this operation only (see [`Api::common_query_params`]).
    pub query_params: Vec<QueryParam>,
    pub body: Option<Body>,
    /// A union body whose discriminator must equal a path parameter of the same enum.
    pub body_variant_check: Option<BodyVariantCheck>,
    pub response: Response,
    pub required_roles: Vec<String>,
    pub considerations: Vec<String>,
    pub example_request_body: Option<serde_json::Value>,
    pub example_request_query: Option<String>,
    pub example_response: Option<serde_json::Value>,
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq)]
pub enum PathSegment {
    Literal(String),
    /// Index into [`Operation::path_params`].
    Param(usize),
}

/// A path parameter: positional argument of the client method.
#[derive(Debug, Clone, PartialEq)]
pub struct PathParam {
    pub wire: String,
    pub ident: String,
    pub description: String,
    pub pattern: Option<String>,
    pub pattern_description: Option<String>,
    pub example: Option<String>,
    /// Rust type name of the enum the parameter takes, if any.
    pub enum_ident: Option<String>,
}

/// An optional query parameter: fluent setter on the request builder.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryParam {
    pub wire: String,
    pub ident: String,
    pub ty: ParameterType,
    /// Rust type name of the enum the parameter takes, if any.
    pub enum_ident: Option<String>,
    pub description: String,
    pub default: Option<serde_json::Value>,
    /// Setting it to `true` makes the server wrap the response in `{"status", "content"}`.
    pub response_envelope: bool,
}

/// The request body of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The body's type: [`TypeRef::Struct`] or [`TypeRef::Union`].
    pub ty: TypeRef,
    pub description: Option<String>,
}

impl Body {
    /// Rust type name of the body.
    pub fn type_ident(&self) -> &str {
        match &self.ty {
            TypeRef::Struct(name) | TypeRef::Union(name) => name,
            _ => "",
        }
    }
}

/// The union body's discriminator must agree with a path parameter (checked before sending).
#[derive(Debug, Clone, PartialEq)]
pub struct BodyVariantCheck {
    /// The union's discriminator accessor.
    pub accessor: String,
    /// The path parameter's Rust name.
    pub param_ident: String,
}

/// What a successful response carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub ty: ResponseType,
    pub description: Option<String>,
    /// The documented success status.
    pub status: u16,
    /// Where the client finds the discriminator of a union answer that lacks it.
    pub discriminator_source: Option<DiscriminatorSource>,
}

/// The operation argument that stands in for a union answer's missing discriminator.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscriminatorSource {
    /// Wire name of the discriminator member.
    pub member: String,
    pub from: DiscriminatorArgument,
}

/// An argument of the discriminator's enum type.
#[derive(Debug, Clone, PartialEq)]
pub enum DiscriminatorArgument {
    /// The path parameter with this Rust name.
    PathParam(String),
    /// The required field of the (object) request body with this Rust name.
    BodyField(String),
}

/// The shape of a successful response body.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseType {
    /// One object of the named type (a [`TypeRef::Struct`] or [`TypeRef::Union`]).
    Object(TypeRef),
    /// A plain JSON array of the named type.
    Array(TypeRef),
    /// No meaningful body (empty, or `{}`).
    Empty,
}

/// A waiter: polls a GET operation until a field of its response reaches a final value.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiter {
    /// Id as written in the spec (lowerCamelCase).
    pub id: String,
    /// Client method name, `wait_until_<id>`.
    pub method_ident: String,
    /// Builder type name, `WaitUntil<Id>`.
    pub builder_ident: String,
    pub description: String,
    /// Client method of the polled operation.
    pub operation_method: String,
    /// Summary and HTTP line of the polled operation, for docs.
    pub operation_http: String,
    /// Path parameters of the polled operation: the waiter's arguments.
    pub path_params: Vec<PathParam>,
    /// Rust type name of the polled response (an object type or a union).
    pub response_ident: String,
    /// Where the state is read.
    pub subject: WaiterSubject,
    /// The listed states as on the wire, for docs.
    pub success: Vec<String>,
    pub failure: Vec<String>,
    pub pending: Vec<String>,
    /// A 404 ends the wait successfully (and the waiter returns nothing).
    pub not_found_is_success: bool,
    /// First pause between polls; later pauses double up to `max_interval_seconds`.
    pub interval_seconds: u64,
    pub max_interval_seconds: u64,
    pub max_wait_seconds: u64,
}

/// What a waiter reads the state from.
#[derive(Debug, Clone, PartialEq)]
pub enum WaiterSubject {
    /// A field of the polled object type.
    Field(StateField),
    /// A field of each variant of the polled union.
    Union {
        /// `(variant ident, its field)`, one per variant.
        variants: Vec<(String, StateField)>,
        /// Wire name of the member read in an object of a variant the crate does not know.
        default_field_wire: String,
    },
}

/// The field a waiter reads in one object type, and how its values end the wait.
#[derive(Debug, Clone, PartialEq)]
pub struct StateField {
    pub wire: String,
    pub ident: String,
    /// The field is an `Option`: a missing state counts as an unlisted one (`""`).
    pub optional: bool,
    /// Rust type name of the field's enum, or `None` for a plain string field.
    pub enum_ident: Option<String>,
    /// The listed states that apply to this field (all of them without an enum).
    pub success: Vec<WaiterState>,
    pub failure: Vec<WaiterState>,
    pub pending: Vec<WaiterState>,
}

/// A state a waiter lists: always a known value of the field's enum when it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct WaiterState {
    /// The value as on the wire.
    pub wire: String,
    /// The enum variant (Rust name) of the value, when the field is an enum.
    pub variant: Option<String>,
}
