//! Reading an official OpenAPI 3.0 description of the API: the plain model of it that the
//! audit and the importer need.
//!
//! Operations are read from `paths`, object types from `components/schemas`. Local `$ref`s are
//! checked once for the whole file (a dangling one is an error), parameter, request-body and
//! response references are followed, and `allOf` is merged into one object (members that are
//! discriminated unions contribute only their properties, which breaks the usual
//! variant → base → `oneOf` → variant cycle). Schema references are kept as
//! [`SchemaKind::Ref`] and looked up in [`Upstream::schemas`], so recursive schemas are fine.
//!
//! Every part of the model knows its JSON pointer (`#/components/schemas/Name/properties/x`),
//! the location the audit prints. A broken file is reported with the pointer, line and column
//! of each problem; nothing here panics on input.

use std::collections::BTreeSet;
use std::fmt;

use indexmap::IndexMap;
use serde_json::Value;

use crate::position::{PositionMap, Segment};

/// An official OpenAPI description, read.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// The file as the user named it.
    pub file: String,
    /// Every operation of `paths`, in document order.
    pub operations: Vec<Operation>,
    /// `components/schemas`, by name.
    pub schemas: IndexMap<String, Schema>,
}

impl Upstream {
    /// The operation with this `operationId`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|operation| operation.id.as_deref() == Some(id))
    }

    /// Follows references from `schema` to the schema they name; also returns the name of the
    /// last component schema followed, if any.
    pub fn resolve<'a>(&'a self, schema: &'a Schema) -> (Option<&'a str>, &'a Schema) {
        let mut name = None;
        let mut current = schema;
        // A chain of references longer than the number of schemas is a cycle of references.
        for _ in 0..=self.schemas.len() {
            match &current.kind {
                SchemaKind::Ref(target) => match self.schemas.get_key_value(target) {
                    Some((key, next)) => {
                        name = Some(key.as_str());
                        current = next;
                    }
                    None => break,
                },
                _ => break,
            }
        }
        (name, current)
    }
}

/// One HTTP operation of the official description.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Its `operationId`, if it has one.
    pub id: Option<String>,
    /// The HTTP method, upper-case.
    pub method: String,
    /// The full path template (`/api/v2/items/{itemId}`).
    pub path: String,
    /// Pointer of the operation object.
    pub pointer: String,
    /// Pointer of the path item holding it.
    pub path_pointer: String,
    /// One-line summary.
    pub summary: Option<String>,
    /// Prose.
    pub description: Option<String>,
    /// Path-level and operation-level parameters (the operation's win).
    pub parameters: Vec<Parameter>,
    /// The request body.
    pub request_body: Option<Body>,
    /// The first success (2xx) answer.
    pub success: Option<Success>,
}

impl Operation {
    /// `GET /path`, or the operation id: how messages name the operation.
    pub fn label(&self) -> String {
        match &self.id {
            Some(id) => id.clone(),
            None => format!("{} {}", self.method, self.path),
        }
    }
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Whether it must be sent.
    pub required: bool,
    /// Prose.
    pub description: Option<String>,
    /// Its value's schema.
    pub schema: Schema,
    /// Pointer of the parameter object (the referenced one, for a `$ref`).
    pub pointer: String,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// Whether it must be sent.
    pub required: bool,
    /// Prose.
    pub description: Option<String>,
    /// Its media types.
    pub content: Vec<Content>,
    /// Pointer of the request body object.
    pub pointer: String,
}

/// The success answer of an operation.
#[derive(Debug, Clone)]
pub struct Success {
    /// The status code (200..=299).
    pub status: u16,
    /// Prose.
    pub description: Option<String>,
    /// Its media types.
    pub content: Vec<Content>,
    /// Pointer of the response object.
    pub pointer: String,
}

/// One media type of a body.
#[derive(Debug, Clone)]
pub struct Content {
    /// The media type (`application/json`).
    pub media_type: String,
    /// The body's schema; `None` when the media type has none (no body).
    pub schema: Option<Schema>,
    /// Pointer of the media type object.
    pub pointer: String,
}

/// A schema, read.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Pointer of the schema object.
    pub pointer: String,
    /// What the value is.
    pub kind: SchemaKind,
    /// The allowed values (`enum`), as text.
    pub enum_values: Option<Vec<String>>,
    /// `pattern`.
    pub pattern: Option<String>,
    /// `nullable`.
    pub nullable: bool,
    /// `default`.
    pub default: Option<Value>,
    /// `description`.
    pub description: Option<String>,
}

/// What a schema describes.
#[derive(Debug, Clone)]
pub enum SchemaKind {
    /// A reference to the component schema of this name.
    Ref(String),
    /// Text.
    String,
    /// `true` or `false`.
    Boolean,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// Anything (no type, or a `oneOf`/`anyOf` without discriminator).
    Any,
    /// A list of items.
    Array(Box<Schema>),
    /// An object (with `allOf` merged).
    Object(Object),
    /// A discriminated union.
    Union(Union),
}

impl SchemaKind {
    /// The kind in OpenAPI words, for messages.
    pub fn describe(&self) -> String {
        match self {
            SchemaKind::Ref(name) => format!("`{name}`"),
            SchemaKind::String => "a string".to_owned(),
            SchemaKind::Boolean => "a boolean".to_owned(),
            SchemaKind::Integer => "an integer".to_owned(),
            SchemaKind::Number => "a number".to_owned(),
            SchemaKind::Any => "any value".to_owned(),
            SchemaKind::Array(_) => "an array".to_owned(),
            SchemaKind::Object(_) => "an object".to_owned(),
            SchemaKind::Union(_) => "a discriminated union".to_owned(),
        }
    }
}

/// The members of an object schema.
#[derive(Debug, Clone, Default)]
pub struct Object {
    /// Properties by name, `allOf` members merged in order.
    pub properties: IndexMap<String, Schema>,
    /// Names of the required properties.
    pub required: Vec<String>,
    /// Pointer of the `required` list (of the schema itself when it has none).
    pub required_pointer: String,
}

/// A schema with a `discriminator`.
#[derive(Debug, Clone)]
pub struct Union {
    /// `discriminator.propertyName`.
    pub property: String,
    /// Pointer of the `discriminator` object.
    pub pointer: String,
    /// Discriminator value → (component schema name, pointer of the mapping entry). Without an
    /// explicit `mapping`, each `oneOf` reference maps its schema's name.
    pub mapping: IndexMap<String, (String, String)>,
    /// The union's own properties (the discriminator among them, usually).
    pub base: Object,
}

/// A problem of an upstream file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamProblem {
    /// JSON pointer of the offending value (`#/paths/...`), empty for the whole file.
    pub pointer: String,
    /// Line (1-based), when known.
    pub line: Option<usize>,
    /// Column (1-based, in characters), when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// Everything wrong with an upstream file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamErrors {
    /// The file as the user named it.
    pub file: String,
    /// The problems, in the order found.
    pub problems: Vec<UpstreamProblem>,
}

impl fmt::Display for UpstreamErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if let (Some(line), Some(column)) = (problem.line, problem.column) {
                write!(f, ":{line}:{column}")?;
            }
            if problem.pointer.is_empty() {
                write!(f, ": {}", problem.message)?;
            } else {
                write!(f, ": {}: {}", problem.pointer, problem.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for UpstreamErrors {}

/// Escapes one reference token of a JSON pointer (`/` → `~1`, `~` → `~0`).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `parent/token`, escaped.
pub fn child(parent: &str, token: &str) -> String {
    format!("{parent}/{}", escape_token(token))
}

/// The HTTP methods an OpenAPI path item may hold.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Parses `text`, the contents of `file`.
pub fn parse(file: &str, text: &str) -> Result<Upstream, UpstreamErrors> {
    let root: Value = serde_json::from_str(text).map_err(|error| {
        let lines = crate::position::LineIndex::new(text);
        let position = lines.from_serde(error.line().max(1), error.column());
        UpstreamErrors {
            file: file.to_owned(),
            problems: vec![UpstreamProblem {
                pointer: String::new(),
                line: Some(position.line),
                column: Some(position.column),
                message: format!("not valid JSON: {}", strip_position(&error.to_string())),
            }],
        }
    })?;
    let mut reader = Reader {
        root: &root,
        problems: Vec::new(),
    };
    let upstream = reader.document(file);
    if reader.problems.is_empty() {
        return Ok(upstream);
    }
    let positions = PositionMap::new(text);
    let mut problems = reader.problems;
    for problem in &mut problems {
        if let Some(segments) = segments(&root, &problem.pointer)
            && let Some(node) = positions.find_nearest(&segments)
        {
            problem.line = Some(node.value.line);
            problem.column = Some(node.value.column);
        }
    }
    Err(UpstreamErrors {
        file: file.to_owned(),
        problems,
    })
}

/// serde_json's message without its ` at line L column C` tail (the position is printed
/// before it).
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .and_then(|index| message.get(..index))
        .unwrap_or(message)
}

/// The position-map path of a JSON pointer into `root`.
fn segments(root: &Value, pointer: &str) -> Option<Vec<Segment>> {
    let rest = pointer.strip_prefix('#').unwrap_or(pointer);
    let mut node = root;
    let mut path = Vec::new();
    for token in rest.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        match node {
            Value::Object(members) => {
                let Some(next) = members.get(&token) else {
                    break;
                };
                node = next;
                path.push(Segment::Key(token));
            }
            Value::Array(elements) => {
                let Some((index, next)) = token
                    .parse::<usize>()
                    .ok()
                    .and_then(|index| elements.get(index).map(|next| (index, next)))
                else {
                    break;
                };
                node = next;
                path.push(Segment::Index(index));
            }
            _ => break,
        }
    }
    Some(path)
}

struct Reader<'a> {
    root: &'a Value,
    problems: Vec<UpstreamProblem>,
}

impl<'a> Reader<'a> {
    fn problem(&mut self, pointer: &str, message: impl Into<String>) {
        self.problems.push(UpstreamProblem {
            pointer: pointer.to_owned(),
            line: None,
            column: None,
            message: message.into(),
        });
    }

    /// The value at a `#/…` pointer.
    fn at(&self, pointer: &str) -> Option<&'a Value> {
        self.root
            .pointer(pointer.strip_prefix('#').unwrap_or(pointer))
    }

    fn document(&mut self, file: &str) -> Upstream {
        let mut upstream = Upstream {
            file: file.to_owned(),
            operations: Vec::new(),
            schemas: IndexMap::new(),
        };
        let Some(root) = self.root.as_object() else {
            self.problem(
                "",
                "an OpenAPI description is a JSON object with `openapi` and `paths`",
            );
            return upstream;
        };
        match root.get("openapi").and_then(Value::as_str) {
            Some(version) if version.starts_with("3.") => {}
            Some(version) => self.problem(
                "#/openapi",
                format!("OpenAPI {version} is not supported; only 3.0 and 3.1 are"),
            ),
            None => self.problem("", "missing `openapi` (the OpenAPI version, `3.0.1`)"),
        }
        let before = self.problems.len();
        self.references(self.root, "#");
        if self.problems.len() > before {
            // Dangling references would be reported again, less clearly, by every reader.
            return upstream;
        }
        if let Some(schemas) = root.get("components").and_then(|c| c.get("schemas")) {
            match schemas.as_object() {
                Some(schemas) => {
                    for (name, schema) in schemas {
                        let pointer = child("#/components/schemas", name);
                        let schema = self.schema(schema, &pointer);
                        upstream.schemas.insert(name.clone(), schema);
                    }
                }
                None => self.problem("#/components/schemas", "`schemas` must be an object"),
            }
        }
        match root.get("paths") {
            Some(Value::Object(paths)) => {
                for (path, item) in paths {
                    let path_pointer = child("#/paths", path);
                    self.path_item(path, item, &path_pointer, &mut upstream.operations);
                }
            }
            Some(_) => self.problem("#/paths", "`paths` must be an object of path items"),
            None => self.problem("", "missing `paths`"),
        }
        upstream
    }

    /// Reports every `$ref` that is not a string, not local, or names nothing.
    fn references(&mut self, value: &'a Value, pointer: &str) {
        match value {
            Value::Object(members) => {
                for (key, member) in members {
                    let inner = child(pointer, key);
                    if key == "$ref" {
                        match member.as_str() {
                            Some(target) if target.starts_with("#/") || target == "#" => {
                                if self.at(target).is_none() {
                                    self.problem(
                                        &inner,
                                        format!(
                                            "dangling reference `{target}`: the file has nothing there"
                                        ),
                                    );
                                }
                            }
                            Some(target) => self.problem(
                                &inner,
                                format!(
                                    "reference `{target}` leaves the file; only local references (`#/…`) are supported"
                                ),
                            ),
                            None => self.problem(&inner, "`$ref` must be a string"),
                        }
                    } else {
                        self.references(member, &inner);
                    }
                }
            }
            Value::Array(elements) => {
                for (index, element) in elements.iter().enumerate() {
                    self.references(element, &format!("{pointer}/{index}"));
                }
            }
            _ => {}
        }
    }

    /// Follows a `$ref` (of a parameter, body or response) to its target.
    fn follow(&mut self, value: &'a Value, pointer: &str) -> (&'a Value, String) {
        let mut value = value;
        let mut pointer = pointer.to_owned();
        let mut seen = BTreeSet::new();
        while let Some(target) = value.get("$ref").and_then(Value::as_str) {
            if !seen.insert(target.to_owned()) {
                self.problem(&pointer, format!("reference cycle through `{target}`"));
                break;
            }
            match self.at(target) {
                Some(next) => {
                    value = next;
                    pointer = target.to_owned();
                }
                None => break,
            }
        }
        (value, pointer)
    }

    fn path_item(
        &mut self,
        path: &str,
        item: &'a Value,
        pointer: &str,
        operations: &mut Vec<Operation>,
    ) {
        let Some(members) = item.as_object() else {
            self.problem(pointer, "a path item must be an object");
            return;
        };
        if !path.starts_with('/') {
            self.problem(pointer, "a path must start with `/`");
        }
        let shared = self.parameters(members.get("parameters"), &child(pointer, "parameters"));
        for (method, operation) in members {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let operation_pointer = child(pointer, method);
            let Some(fields) = operation.as_object() else {
                self.problem(&operation_pointer, "an operation must be an object");
                continue;
            };
            let mut parameters = shared.clone();
            for parameter in self.parameters(
                fields.get("parameters"),
                &child(&operation_pointer, "parameters"),
            ) {
                parameters.retain(|existing| {
                    existing.name != parameter.name || existing.location != parameter.location
                });
                parameters.push(parameter);
            }
            let id = match fields.get("operationId") {
                Some(Value::String(id)) => Some(id.clone()),
                Some(_) => {
                    self.problem(
                        &child(&operation_pointer, "operationId"),
                        "`operationId` must be a string",
                    );
                    None
                }
                None => None,
            };
            let request_body = fields
                .get("requestBody")
                .and_then(|body| self.body(body, &child(&operation_pointer, "requestBody")));
            let success = self.success(
                fields.get("responses"),
                &child(&operation_pointer, "responses"),
            );
            operations.push(Operation {
                id,
                method: method.to_uppercase(),
                path: path.to_owned(),
                pointer: operation_pointer,
                path_pointer: pointer.to_owned(),
                summary: text(fields.get("summary")),
                description: text(fields.get("description")),
                parameters,
                request_body,
                success,
            });
        }
    }

    fn parameters(&mut self, list: Option<&'a Value>, pointer: &str) -> Vec<Parameter> {
        let Some(list) = list else {
            return Vec::new();
        };
        let Some(elements) = list.as_array() else {
            self.problem(pointer, "`parameters` must be an array");
            return Vec::new();
        };
        let mut parameters = Vec::new();
        for (index, element) in elements.iter().enumerate() {
            let (value, pointer) = self.follow(element, &format!("{pointer}/{index}"));
            let name = value.get("name").and_then(Value::as_str);
            let location = value.get("in").and_then(Value::as_str);
            let (Some(name), Some(location)) = (name, location) else {
                self.problem(
                    &pointer,
                    "a parameter needs a string `name` and `in` (`path`, `query`, `header` or `cookie`)",
                );
                continue;
            };
            let schema = match value.get("schema") {
                Some(schema) => self.schema(schema, &child(&pointer, "schema")),
                None => any_schema(&pointer),
            };
            parameters.push(Parameter {
                name: name.to_owned(),
                location: location.to_owned(),
                required: value.get("required").and_then(Value::as_bool) == Some(true),
                description: text(value.get("description")),
                schema,
                pointer,
            });
        }
        parameters
    }

    fn body(&mut self, body: &'a Value, pointer: &str) -> Option<Body> {
        let (value, pointer) = self.follow(body, pointer);
        if !value.is_object() {
            self.problem(&pointer, "a request body must be an object");
            return None;
        }
        Some(Body {
            required: value.get("required").and_then(Value::as_bool) == Some(true),
            description: text(value.get("description")),
            content: self.content(value.get("content"), &child(&pointer, "content")),
            pointer,
        })
    }

    fn success(&mut self, responses: Option<&'a Value>, pointer: &str) -> Option<Success> {
        let Some(responses) = responses else {
            self.problem(pointer, "an operation needs `responses`");
            return None;
        };
        let Some(members) = responses.as_object() else {
            self.problem(
                pointer,
                "`responses` must be an object keyed by status code",
            );
            return None;
        };
        let (status, response) = members
            .iter()
            .filter_map(|(code, response)| {
                let code = code.parse::<u16>().ok()?;
                (200..=299).contains(&code).then_some((code, response))
            })
            .min_by_key(|(code, _)| *code)?;
        let (value, pointer) = self.follow(response, &child(pointer, &status.to_string()));
        if !value.is_object() {
            self.problem(&pointer, "a response must be an object");
            return None;
        }
        Some(Success {
            status,
            description: text(value.get("description")),
            content: self.content(value.get("content"), &child(&pointer, "content")),
            pointer,
        })
    }

    fn content(&mut self, content: Option<&'a Value>, pointer: &str) -> Vec<Content> {
        let Some(content) = content else {
            return Vec::new();
        };
        let Some(members) = content.as_object() else {
            self.problem(pointer, "`content` must be an object keyed by media type");
            return Vec::new();
        };
        members
            .iter()
            .map(|(media_type, entry)| {
                let entry_pointer = child(pointer, media_type);
                let schema = entry
                    .get("schema")
                    .map(|schema| self.schema(schema, &child(&entry_pointer, "schema")));
                Content {
                    media_type: media_type.clone(),
                    schema,
                    pointer: entry_pointer,
                }
            })
            .collect()
    }

    /// Reads a schema; references stay references.
    fn schema(&mut self, value: &'a Value, pointer: &str) -> Schema {
        let mut schema = any_schema(pointer);
        let Some(members) = value.as_object() else {
            if !value.is_boolean() {
                self.problem(pointer, "a schema must be an object");
            }
            return schema;
        };
        schema.description = text(members.get("description"));
        schema.nullable = members.get("nullable").and_then(Value::as_bool) == Some(true);
        schema.default = members.get("default").cloned();
        match members.get("pattern") {
            Some(Value::String(pattern)) => schema.pattern = Some(pattern.clone()),
            Some(_) => self.problem(&child(pointer, "pattern"), "`pattern` must be a string"),
            None => {}
        }
        match members.get("enum") {
            Some(Value::Array(values)) => {
                schema.enum_values = Some(
                    values
                        .iter()
                        .filter(|value| !value.is_null())
                        .map(|value| match value {
                            Value::String(text) => text.clone(),
                            other => other.to_string(),
                        })
                        .collect(),
                );
            }
            Some(_) => self.problem(&child(pointer, "enum"), "`enum` must be an array"),
            None => {}
        }
        if let Some(target) = members.get("$ref").and_then(Value::as_str) {
            match target.strip_prefix("#/components/schemas/") {
                Some(name) if !name.contains('/') => {
                    schema.kind = SchemaKind::Ref(name.replace("~1", "/").replace("~0", "~"));
                }
                _ => self.problem(
                    &child(pointer, "$ref"),
                    format!(
                        "a schema may only refer to `#/components/schemas/<name>`, not `{target}`"
                    ),
                ),
            }
            return schema;
        }
        if let Some(discriminator) = members.get("discriminator") {
            schema.kind = self.union(members, discriminator, pointer);
            return schema;
        }
        let declared = match members.get("type") {
            Some(Value::String(kind)) => Some(kind.as_str()),
            // OpenAPI 3.1: `["string", "null"]`.
            Some(Value::Array(kinds)) => {
                if kinds.iter().any(|kind| kind == "null") {
                    schema.nullable = true;
                }
                kinds
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|kind| *kind != "null")
            }
            Some(_) => {
                self.problem(&child(pointer, "type"), "`type` must be a string");
                None
            }
            None => None,
        };
        schema.kind = match declared {
            Some("string") => SchemaKind::String,
            Some("boolean") => SchemaKind::Boolean,
            Some("integer") => SchemaKind::Integer,
            Some("number") => SchemaKind::Number,
            Some("array") => match members.get("items") {
                Some(items) => {
                    SchemaKind::Array(Box::new(self.schema(items, &child(pointer, "items"))))
                }
                None => {
                    self.problem(pointer, "an array schema needs `items`");
                    SchemaKind::Array(Box::new(any_schema(&child(pointer, "items"))))
                }
            },
            Some("object") | None
                if members.contains_key("properties") || members.contains_key("allOf") =>
            {
                SchemaKind::Object(self.object(members, pointer, &mut BTreeSet::new()))
            }
            Some("object") => SchemaKind::Object(Object {
                required_pointer: pointer.to_owned(),
                ..Object::default()
            }),
            None => SchemaKind::Any,
            Some(other) => {
                self.problem(
                    &child(pointer, "type"),
                    format!("unknown schema type `{other}`"),
                );
                SchemaKind::Any
            }
        };
        schema
    }

    /// The properties of an object schema, `allOf` members merged in order. `seen` holds the
    /// component schemas already merged (a cycle of `allOf`s merges each once).
    fn object(
        &mut self,
        members: &'a serde_json::Map<String, Value>,
        pointer: &str,
        seen: &mut BTreeSet<String>,
    ) -> Object {
        let mut object = Object {
            required_pointer: pointer.to_owned(),
            ..Object::default()
        };
        match members.get("allOf") {
            Some(Value::Array(parts)) => {
                for (index, part) in parts.iter().enumerate() {
                    let mut part_pointer = format!("{pointer}/allOf/{index}");
                    let mut part = part;
                    if let Some(target) = part.get("$ref").and_then(Value::as_str) {
                        if !seen.insert(target.to_owned()) {
                            continue;
                        }
                        match self.at(target) {
                            Some(next) => {
                                part = next;
                                part_pointer = target.to_owned();
                            }
                            None => continue,
                        }
                    }
                    let Some(part_members) = part.as_object() else {
                        self.problem(&part_pointer, "an `allOf` member must be a schema object");
                        continue;
                    };
                    let merged = self.object(part_members, &part_pointer, seen);
                    for (name, property) in merged.properties {
                        object.properties.insert(name, property);
                    }
                    for name in merged.required {
                        if !object.required.contains(&name) {
                            object.required.push(name);
                        }
                    }
                }
            }
            Some(_) => self.problem(&child(pointer, "allOf"), "`allOf` must be an array"),
            None => {}
        }
        match members.get("properties") {
            Some(Value::Object(properties)) => {
                let properties_pointer = child(pointer, "properties");
                for (name, property) in properties {
                    let schema = self.schema(property, &child(&properties_pointer, name));
                    object.properties.insert(name.clone(), schema);
                }
            }
            Some(_) => self.problem(
                &child(pointer, "properties"),
                "`properties` must be an object",
            ),
            None => {}
        }
        match members.get("required") {
            Some(Value::Array(names)) => {
                object.required_pointer = child(pointer, "required");
                for (index, name) in names.iter().enumerate() {
                    match name.as_str() {
                        Some(name) => {
                            if !object.required.iter().any(|known| known == name) {
                                object.required.push(name.to_owned());
                            }
                        }
                        None => self.problem(
                            &format!("{pointer}/required/{index}"),
                            "a required property is named by a string",
                        ),
                    }
                }
            }
            Some(_) => self.problem(&child(pointer, "required"), "`required` must be an array"),
            None => {}
        }
        object
    }

    fn union(
        &mut self,
        members: &'a serde_json::Map<String, Value>,
        discriminator: &'a Value,
        pointer: &str,
    ) -> SchemaKind {
        let discriminator_pointer = child(pointer, "discriminator");
        let Some(property) = discriminator.get("propertyName").and_then(Value::as_str) else {
            self.problem(
                &discriminator_pointer,
                "a discriminator needs a string `propertyName`",
            );
            return SchemaKind::Any;
        };
        let mut mapping = IndexMap::new();
        match discriminator.get("mapping") {
            Some(Value::Object(entries)) => {
                let mapping_pointer = child(&discriminator_pointer, "mapping");
                for (value, target) in entries {
                    let entry_pointer = child(&mapping_pointer, value);
                    match target
                        .as_str()
                        .and_then(|target| target.strip_prefix("#/components/schemas/"))
                    {
                        Some(name) if self.at(&format!("#/components/schemas/{name}")).is_some() => {
                            mapping.insert(
                                value.clone(),
                                (name.replace("~1", "/").replace("~0", "~"), entry_pointer),
                            );
                        }
                        _ => self.problem(
                            &entry_pointer,
                            "a discriminator mapping names a schema of this file: `#/components/schemas/<name>`",
                        ),
                    }
                }
            }
            Some(_) => self.problem(
                &child(&discriminator_pointer, "mapping"),
                "`mapping` must be an object",
            ),
            None => {
                // Implicit mapping: each `oneOf` schema under its own name.
                let variants = members
                    .get("oneOf")
                    .or_else(|| members.get("anyOf"))
                    .and_then(Value::as_array);
                for (index, variant) in variants.into_iter().flatten().enumerate() {
                    if let Some(name) = variant
                        .get("$ref")
                        .and_then(Value::as_str)
                        .and_then(|target| target.strip_prefix("#/components/schemas/"))
                    {
                        mapping.insert(
                            name.to_owned(),
                            (name.to_owned(), format!("{pointer}/oneOf/{index}")),
                        );
                    }
                }
            }
        }
        let base = self.object(members, pointer, &mut BTreeSet::new());
        SchemaKind::Union(Union {
            property: property.to_owned(),
            pointer: discriminator_pointer,
            mapping,
            base,
        })
    }
}

fn any_schema(pointer: &str) -> Schema {
    Schema {
        pointer: pointer.to_owned(),
        kind: SchemaKind::Any,
        enum_values: None,
        pattern: None,
        nullable: false,
        default: None,
        description: None,
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_all_of_through_a_cycle_and_keeps_references() {
        let text = r##"{"openapi": "3.0.1", "paths": {}, "components": {"schemas": {
            "Base": {"discriminator": {"propertyName": "kind", "mapping": {"a": "#/components/schemas/A"}},
                     "oneOf": [{"$ref": "#/components/schemas/A"}],
                     "properties": {"kind": {"type": "string", "enum": ["a"]}}},
            "A": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"x": {"$ref": "#/components/schemas/A"}}}],
                  "required": ["x"]}}}}"##;
        let upstream = parse("u.json", text).expect("parses");
        let Some(SchemaKind::Object(a)) = upstream.schemas.get("A").map(|s| &s.kind) else {
            panic!("A is an object");
        };
        assert_eq!(a.properties.keys().collect::<Vec<_>>(), ["kind", "x"]);
        assert_eq!(a.required, ["x"]);
        assert_eq!(a.required_pointer, "#/components/schemas/A/required");
        let Some(SchemaKind::Union(base)) = upstream.schemas.get("Base").map(|s| &s.kind) else {
            panic!("Base is a union");
        };
        assert_eq!(
            base.mapping.get("a").map(|(name, _)| name.as_str()),
            Some("A")
        );
    }
}
