//! Drafting spec entries from the official description: `cargo xtask import --operation <id>`.
//!
//! The upstream operation becomes an operation of the spec (keyed by its official id), with
//! its parameters, the object types, unions and enums its bodies need, and the upstream's
//! descriptions where it has them. What the spec format cannot say (an unanchored pattern, a
//! field pattern) is drafted as a declared deviation, so the audit of the result is clean.
//!
//! Nothing that exists is overwritten. An entry of the same name is reused when the audit's
//! comparison finds it equal to the upstream schema (up to its declared deviations); otherwise
//! it is a collision and nothing is drafted. The new entries are inserted into the spec's text
//! (its formatting kept), and the result must load, validate and generate before it is
//! returned; writing it is the caller's job.

use std::collections::BTreeSet;

use heck::{ToTitleCase, ToUpperCamelCase};
use indexmap::IndexMap;
use serde_json::{Value, json};

use crate::audit::{CheckedSpec, Comparator, undeclared};
use crate::error::GenerateError;
use crate::spec::UpstreamAspect;
use crate::upstream::{self, Schema, SchemaKind, Upstream};
use crate::{Provenance, generate_from_str};

/// The sections import adds to, in the order of the spec format.
const SECTIONS: &[&str] = &["parameters", "enums", "types", "unions", "operations"];

/// The root keys of a spec in the format's order (where a missing section goes).
const ROOT_ORDER: &[&str] = &[
    "$schema",
    "crate",
    "info",
    "apiVersions",
    "parameters",
    "enums",
    "types",
    "unions",
    "operations",
    "waiters",
];

/// What an import produced.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    /// The new spec text (equal to the old one when nothing was added).
    pub text: String,
    /// The entries added, as `section.name`.
    pub added: Vec<String>,
    /// The existing entries the operation uses as they are.
    pub reused: Vec<String>,
    /// The spec operation that already has this official id, if any (then nothing is added).
    pub already: Option<String>,
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The spec does not load or validate as it is.
    #[error("{0}")]
    Spec(GenerateError),
    /// The upstream file has no operation of that id.
    #[error("{file}: no operation has the id `{id}`; it has: {}", known.join(", "))]
    UnknownOperation {
        /// The upstream file.
        file: String,
        /// The id asked for.
        id: String,
        /// The ids it has.
        known: Vec<String>,
    },
    /// Entries of the spec have the names the draft needs, with other content.
    #[error("name collision: the spec already has these entries, and they differ from the upstream schema (rename or fix them; nothing was written):\n{}", .0.join("\n"))]
    Collision(Vec<String>),
    /// The upstream operation uses what the spec format cannot express.
    #[error("cannot draft this operation (nothing was written):\n{}", .0.join("\n"))]
    Unsupported(Vec<String>),
    /// The merged spec does not generate: a gap of the importer, reported rather than written.
    #[error("the drafted spec does not generate, so nothing was written:\n{0}")]
    Drafted(GenerateError),
}

/// Drafts the entries of upstream operation `id` and merges them into spec `text` (named
/// `file`).
pub fn import(
    file: &str,
    text: &str,
    up: &Upstream,
    id: &str,
) -> Result<ImportOutcome, ImportError> {
    let spec = CheckedSpec::new(file, text).map_err(ImportError::Spec)?;
    let Some(operation) = up.operation(id) else {
        return Err(ImportError::UnknownOperation {
            file: up.file.clone(),
            id: id.to_owned(),
            known: up.operations.iter().filter_map(|o| o.id.clone()).collect(),
        });
    };
    if let Some((key, _)) = spec
        .document
        .operations
        .iter()
        .find(|(_, spec)| spec.operation_id.as_deref() == Some(id))
    {
        return Ok(ImportOutcome {
            text: text.to_owned(),
            added: Vec::new(),
            reused: Vec::new(),
            already: Some(key.clone()),
        });
    }
    let mut drafter = Drafter {
        spec: &spec,
        up,
        sections: SECTIONS
            .iter()
            .map(|section| ((*section).to_owned(), IndexMap::new()))
            .collect(),
        enum_values: IndexMap::new(),
        reused: BTreeSet::new(),
        collisions: Vec::new(),
        unsupported: Vec::new(),
    };
    drafter.operation(id, operation);
    if !drafter.unsupported.is_empty() {
        return Err(ImportError::Unsupported(drafter.unsupported));
    }
    if !drafter.collisions.is_empty() {
        return Err(ImportError::Collision(drafter.collisions));
    }
    let added: Vec<String> = drafter
        .sections
        .iter()
        .flat_map(|(section, entries)| entries.keys().map(move |key| format!("{section}.{key}")))
        .collect();
    let merged = merge(text, &drafter.sections)
        .map_err(|message| ImportError::Unsupported(vec![format!("{file}: {message}")]))?;
    let provenance = Provenance {
        spec: file.to_owned(),
        command: "cargo xtask gen".to_owned(),
        runtime_path: "../codegen/runtime".to_owned(),
    };
    generate_from_str(&merged, &provenance).map_err(ImportError::Drafted)?;
    Ok(ImportOutcome {
        text: merged,
        added,
        reused: drafter.reused.into_iter().collect(),
        already: None,
    })
}

struct Drafter<'a> {
    spec: &'a CheckedSpec,
    up: &'a Upstream,
    /// Drafted entries by section.
    sections: IndexMap<String, IndexMap<String, Value>>,
    /// Values of the drafted enums.
    enum_values: IndexMap<String, Vec<String>>,
    reused: BTreeSet<String>,
    collisions: Vec<String>,
    unsupported: Vec<String>,
}

/// A drafted value type: `type`, `items`, and the deviations it needs.
struct Drafted {
    ty: String,
    items: Option<String>,
    deviations: Vec<Value>,
}

impl Drafter<'_> {
    fn drafted(&self, section: &str, name: &str) -> bool {
        self.sections
            .get(section)
            .is_some_and(|entries| entries.contains_key(name))
    }

    fn insert(&mut self, section: &str, name: &str, value: Value) {
        if let Some(entries) = self.sections.get_mut(section) {
            entries.insert(name.to_owned(), value);
        }
    }

    fn unsupported(&mut self, pointer: &str, message: impl Into<String>) {
        self.unsupported
            .push(format!("{}{pointer}: {}", self.up.file, message.into()));
    }

    /// Whether spec entry `section.name` exists; if so, it is reused or a collision.
    fn existing(&mut self, section: &str, name: &str, differences: Vec<String>) {
        if differences.is_empty() {
            self.reused.insert(format!("{section}.{name}"));
        } else {
            self.collisions.push(format!(
                "`{section}.{name}` exists and differs from upstream:"
            ));
            self.collisions
                .extend(differences.into_iter().map(|line| format!("  {line}")));
        }
    }

    /// Any entry named `name` in another section of the spec or the draft.
    fn taken_elsewhere(&self, section: &str, name: &str) -> Option<&'static str> {
        let doc = &self.spec.document;
        [
            ("enums", doc.enums.contains_key(name)),
            ("types", doc.types.contains_key(name)),
            ("unions", doc.unions.contains_key(name)),
        ]
        .into_iter()
        .filter(|(other, _)| *other != section)
        .find(|(other, present)| *present || self.drafted(other, name))
        .map(|(other, _)| other)
    }

    fn operation(&mut self, id: &str, up: &upstream::Operation) {
        let doc = &self.spec.document;
        if doc.operations.contains_key(id) {
            self.collisions.push(format!(
                "`operations.{id}` exists with another official id (or none); the imported operation is keyed by its official id"
            ));
            return;
        }
        // The version: its prefix starts the path, its media type is the operation's.
        let mut media_types: Vec<&str> = Vec::new();
        for content in up
            .success
            .iter()
            .flat_map(|success| &success.content)
            .chain(up.request_body.iter().flat_map(|body| &body.content))
        {
            media_types.push(&content.media_type);
        }
        let fits = |prefix: &str, media_type: &str| {
            (prefix.is_empty() || up.path == prefix || up.path.starts_with(&format!("{prefix}/")))
                && (media_types.is_empty() || media_types.contains(&media_type))
        };
        let (version, prefix) = if doc.api_versions.is_empty() {
            if !fits("", "application/json") {
                self.unsupported(
                    &up.pointer,
                    "the operation speaks another media type than `application/json`; declare an entry of `apiVersions` for it first",
                );
                return;
            }
            (None, String::new())
        } else {
            match doc
                .api_versions
                .iter()
                .filter(|(_, version)| fits(&version.path_prefix, &version.media_type))
                .max_by_key(|(_, version)| version.path_prefix.len())
            {
                Some((name, version)) => (Some(name.clone()), version.path_prefix.clone()),
                None => {
                    self.unsupported(
                        &up.pointer,
                        format!(
                            "no entry of `apiVersions` has a path prefix that starts `{}` and the media type {}; declare one first",
                            up.path,
                            media_types
                                .iter()
                                .map(|media| format!("`{media}`"))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        ),
                    );
                    return;
                }
            }
        };
        let path = up.path.get(prefix.len()..).unwrap_or_default().to_owned();
        let path = if path.is_empty() {
            "/".to_owned()
        } else {
            path
        };
        // Parameters: path ones in template order, then the others in upstream order.
        let placeholders: Vec<&str> = path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let mut ordered: Vec<&upstream::Parameter> = placeholders
            .iter()
            .filter_map(|name| {
                up.parameters
                    .iter()
                    .find(|p| p.location == "path" && p.name == *name)
            })
            .collect();
        ordered.extend(up.parameters.iter().filter(|p| p.location != "path"));
        let mut parameters = Vec::new();
        for parameter in ordered {
            if let Some(name) = self.parameter(parameter) {
                parameters.push(Value::from(name));
            }
        }
        let summary = up.summary.clone().unwrap_or_else(|| id.to_title_case());
        let description = up.description.clone().unwrap_or_else(|| {
            format!(
                "{summary}. Drafted by `cargo xtask import` from the official description, which has no prose for it."
            )
        });
        let mut operation = serde_json::Map::new();
        operation.insert("summary".into(), summary.into());
        operation.insert("description".into(), description.into());
        operation.insert("method".into(), up.method.clone().into());
        operation.insert("path".into(), path.into());
        if let Some(version) = version {
            operation.insert("apiVersion".into(), version.into());
        }
        operation.insert("operationId".into(), id.into());
        operation.insert("parameters".into(), Value::Array(parameters));
        let base = id.to_upper_camel_case();
        if let Some(body) = &up.request_body {
            match body
                .content
                .first()
                .and_then(|content| content.schema.as_ref())
            {
                Some(schema) => {
                    let drafted = self.value(schema, &format!("{base}Request"));
                    if drafted.items.is_some() || is_primitive(&drafted.ty) {
                        self.unsupported(
                            &schema.pointer,
                            "a request body must be an object or a discriminated union",
                        );
                    }
                    let mut entry = serde_json::Map::new();
                    entry.insert("type".into(), drafted.ty.into());
                    if let Some(description) = &body.description {
                        entry.insert("description".into(), description.clone().into());
                    }
                    operation.insert("requestBody".into(), Value::Object(entry));
                }
                None => self.unsupported(&body.pointer, "a request body needs a schema"),
            }
        }
        let Some(success) = &up.success else {
            self.unsupported(
                &up.pointer,
                "the operation declares no success (2xx) answer",
            );
            return;
        };
        let mut response = serde_json::Map::new();
        match success
            .content
            .first()
            .and_then(|content| content.schema.as_ref())
        {
            Some(schema) => {
                let drafted = self.value(schema, &format!("{base}Response"));
                if is_primitive(&drafted.ty) {
                    self.unsupported(
                        &schema.pointer,
                        "an answer must be an object, a union or an array of them",
                    );
                }
                response.insert("type".into(), drafted.ty.into());
                if let Some(items) = drafted.items {
                    response.insert("items".into(), items.into());
                }
            }
            None => {
                response.insert("type".into(), "empty".into());
            }
        }
        if success.status != 200 {
            response.insert("status".into(), success.status.into());
        }
        if let Some(description) = &success.description {
            response.insert("description".into(), description.clone().into());
        }
        operation.insert("response".into(), Value::Object(response));
        self.insert("operations", id, Value::Object(operation));
    }

    /// Drafts (or reuses) a shared parameter; returns its name.
    fn parameter(&mut self, up: &upstream::Parameter) -> Option<String> {
        let name = up.name.clone();
        if !matches!(up.location.as_str(), "path" | "query") {
            self.unsupported(
                &up.pointer,
                format!(
                    "the {} parameter `{name}`: the spec format has path and query parameters only",
                    up.location
                ),
            );
            return None;
        }
        if let Some(existing) = self.spec.document.parameters.get(&name) {
            let mut comparator = Comparator::new(&self.spec.document, self.up);
            comparator.parameter(&name, existing, up);
            let differences = undeclared(&mut comparator);
            self.existing("parameters", &name, differences);
            return Some(name);
        }
        if self.drafted("parameters", &name) {
            return Some(name);
        }
        let (_, schema) = self.up.resolve(&up.schema);
        let ty = match schema.kind {
            SchemaKind::String | SchemaKind::Any => "string",
            SchemaKind::Boolean => "boolean",
            SchemaKind::Integer => "integer",
            _ => {
                self.unsupported(
                    &schema.pointer,
                    format!(
                        "parameter `{name}` is {}; the spec format has string, boolean and integer parameters",
                        schema.kind.describe()
                    ),
                );
                return None;
            }
        };
        let mut parameter = serde_json::Map::new();
        let mut deviations = Vec::new();
        parameter.insert("in".into(), up.location.clone().into());
        parameter.insert("type".into(), ty.into());
        let enum_name = match (&schema.enum_values, ty) {
            (Some(values), "string") => {
                self.enum_named(&name.to_upper_camel_case(), None, values, schema)
            }
            _ => None,
        };
        if let Some(enum_name) = &enum_name {
            parameter.insert("enum".into(), enum_name.clone().into());
        }
        let description = up
            .description
            .clone()
            .or_else(|| schema.description.clone())
            .unwrap_or_else(|| placeholder(&format!("Parameter `{name}`")));
        parameter.insert("description".into(), description.into());
        if let Some(default) = &schema.default {
            parameter.insert("default".into(), default.clone());
        }
        if let Some(pattern) = &schema.pattern {
            if enum_name.is_none() && ty == "string" && checkable(pattern) {
                parameter.insert("pattern".into(), pattern.clone().into());
                parameter.insert(
                    "patternDescription".into(),
                    format!("matches `{pattern}`").into(),
                );
            } else {
                deviations.push(deviation(
                    UpstreamAspect::Pattern,
                    &format!(
                        "Drafted by `cargo xtask import`: the official pattern `{pattern}` is not an anchored regular expression the client can check."
                    ),
                ));
            }
        }
        if up.location == "query" && up.required {
            deviations.push(deviation(
                UpstreamAspect::Required,
                "Drafted by `cargo xtask import`: query parameters are optional setters in the spec format.",
            ));
        }
        if !deviations.is_empty() {
            parameter.insert("upstreamDeviations".into(), Value::Array(deviations));
        }
        self.insert("parameters", &name, Value::Object(parameter));
        Some(name)
    }

    /// Drafts (or reuses) an enum of these values, preferably named `preferred`, else
    /// `fallback`; `None` (with a collision recorded) when neither name is free.
    fn enum_named(
        &mut self,
        preferred: &str,
        fallback: Option<&str>,
        values: &[String],
        schema: &Schema,
    ) -> Option<String> {
        let same = |known: &[String]| {
            let a: BTreeSet<&String> = known.iter().collect();
            let b: BTreeSet<&String> = values.iter().collect();
            a == b
        };
        let mut reasons = Vec::new();
        for name in std::iter::once(preferred).chain(fallback) {
            if let Some(section) = self.taken_elsewhere("enums", name) {
                reasons.push(format!("`{name}` is already one of the {section}"));
                continue;
            }
            if let Some(existing) = self.spec.document.enums.get(name) {
                let known: Vec<String> = existing.values.iter().map(|v| v.value.clone()).collect();
                if same(&known) {
                    self.reused.insert(format!("enums.{name}"));
                    return Some(name.to_owned());
                }
                reasons.push(format!(
                    "`enums.{name}` exists with the values {}",
                    known.join(", ")
                ));
                continue;
            }
            if let Some(known) = self.enum_values.get(name) {
                if same(known) {
                    return Some(name.to_owned());
                }
                reasons.push(format!("the draft already has another enum `{name}`"));
                continue;
            }
            if values.is_empty() {
                self.unsupported(&schema.pointer, "an empty `enum`");
                return None;
            }
            let description = schema
                .description
                .clone()
                .unwrap_or_else(|| placeholder(&format!("The values of `{name}`")));
            let entries: Vec<Value> = values
                .iter()
                .map(|value| json!({ "value": value }))
                .collect();
            self.insert(
                "enums",
                name,
                json!({ "description": description, "values": entries }),
            );
            self.enum_values.insert(name.to_owned(), values.to_vec());
            return Some(name.to_owned());
        }
        self.collisions.push(format!(
            "the enum at {}{} (values {}) needs a name: {}",
            self.up.file,
            upstream::child(&schema.pointer, "enum"),
            values.join(", "),
            reasons.join("; ")
        ));
        None
    }

    /// Drafts the type of a value; `suggested` names it when it is an inline object or enum.
    fn value(&mut self, up: &Schema, suggested: &str) -> Drafted {
        let (name, schema) = self.up.resolve(up);
        let mut drafted = Drafted {
            ty: "any".to_owned(),
            items: None,
            deviations: Vec::new(),
        };
        match &schema.kind {
            SchemaKind::String | SchemaKind::Boolean | SchemaKind::Integer | SchemaKind::Number => {
                drafted.ty = match schema.kind {
                    SchemaKind::Boolean => "boolean",
                    SchemaKind::Integer => "integer",
                    SchemaKind::Number => "number",
                    _ => "string",
                }
                .to_owned();
                if let (Some(values), SchemaKind::String) = (&schema.enum_values, &schema.kind) {
                    let enum_name = name.map_or_else(|| suggested.to_owned(), str::to_owned);
                    if let Some(enum_name) = self.enum_named(&enum_name, None, values, schema) {
                        drafted.ty = enum_name;
                    }
                }
                if let Some(pattern) = &schema.pattern {
                    drafted.deviations.push(deviation(
                        UpstreamAspect::Pattern,
                        &format!(
                            "Drafted by `cargo xtask import`: the spec format has no field patterns; upstream the value matches `{pattern}`."
                        ),
                    ));
                }
            }
            SchemaKind::Any | SchemaKind::Ref(_) => {}
            SchemaKind::Array(items) => {
                let inner = self.value(items, suggested);
                if inner.items.is_some() {
                    self.unsupported(
                        &items.pointer,
                        "arrays of arrays are not in the spec format",
                    );
                }
                drafted.ty = "array".to_owned();
                drafted.items = Some(inner.ty);
                drafted.deviations = inner.deviations;
            }
            SchemaKind::Object(object) => {
                if object.properties.is_empty() {
                    return drafted;
                }
                let type_name = name.map_or_else(|| suggested.to_owned(), str::to_owned);
                self.object_type(&type_name, schema, None);
                drafted.ty = type_name;
            }
            SchemaKind::Union(_) => {
                let union_name = name.map_or_else(|| suggested.to_owned(), str::to_owned);
                self.union_type(&union_name, schema);
                drafted.ty = union_name;
            }
        }
        drafted
    }

    /// Drafts (or reuses) object type `name` from `schema`, without member `skip`.
    fn object_type(&mut self, name: &str, schema: &Schema, skip: Option<&str>) {
        let SchemaKind::Object(object) = &schema.kind else {
            return;
        };
        if let Some(existing) = self.spec.document.types.get(name) {
            let mut comparator = Comparator::new(&self.spec.document, self.up);
            comparator.object(name, existing, schema, skip);
            let differences = undeclared(&mut comparator);
            self.existing("types", name, differences);
            return;
        }
        if let Some(section) = self.taken_elsewhere("types", name) {
            self.collisions.push(format!(
                "the object type `{name}` ({}{}) is needed, but `{name}` is already one of the {section}",
                self.up.file, schema.pointer
            ));
            return;
        }
        if self.drafted("types", name) {
            return;
        }
        // Reserve the name first: a type may contain itself through a list.
        self.insert("types", name, Value::Null);
        let mut fields = serde_json::Map::new();
        for (property, property_schema) in &object.properties {
            if Some(property.as_str()) == skip {
                continue;
            }
            let drafted = self.value(
                property_schema,
                &format!("{name}{}", property.to_upper_camel_case()),
            );
            let (_, resolved) = self.up.resolve(property_schema);
            let mut field = serde_json::Map::new();
            field.insert("type".into(), drafted.ty.into());
            if let Some(items) = drafted.items {
                field.insert("items".into(), items.into());
            }
            if object.required.contains(property) {
                field.insert("required".into(), true.into());
            }
            if property_schema.nullable || resolved.nullable {
                field.insert("nullable".into(), true.into());
            }
            let description = property_schema
                .description
                .clone()
                .or_else(|| resolved.description.clone())
                .unwrap_or_else(|| placeholder(&format!("Field `{property}`")));
            field.insert("description".into(), description.into());
            if !drafted.deviations.is_empty() {
                field.insert(
                    "upstreamDeviations".into(),
                    Value::Array(drafted.deviations),
                );
            }
            fields.insert(property.clone(), Value::Object(field));
        }
        let description = schema
            .description
            .clone()
            .unwrap_or_else(|| placeholder(&format!("The object `{name}`")));
        self.insert(
            "types",
            name,
            json!({ "description": description, "fields": fields }),
        );
    }

    /// Drafts (or reuses) union `name` from a schema with a discriminator.
    fn union_type(&mut self, name: &str, schema: &Schema) {
        let SchemaKind::Union(union) = &schema.kind else {
            return;
        };
        if let Some(existing) = self.spec.document.unions.get(name) {
            let mut comparator = Comparator::new(&self.spec.document, self.up);
            comparator.union(name, existing, schema);
            let differences = undeclared(&mut comparator);
            self.existing("unions", name, differences);
            return;
        }
        if let Some(section) = self.taken_elsewhere("unions", name) {
            self.collisions.push(format!(
                "the union `{name}` ({}{}) is needed, but `{name}` is already one of the {section}",
                self.up.file, schema.pointer
            ));
            return;
        }
        if self.drafted("unions", name) {
            return;
        }
        self.insert("unions", name, Value::Null);
        let property = union.property.clone();
        let (values, enum_schema) = match union
            .base
            .properties
            .get(&property)
            .map(|property| self.up.resolve(property).1)
        {
            Some(resolved) if resolved.enum_values.is_some() => (
                resolved.enum_values.clone().unwrap_or_default(),
                resolved.clone(),
            ),
            _ => (union.mapping.keys().cloned().collect(), schema.clone()),
        };
        let fallback = format!("{name}{}", property.to_upper_camel_case());
        let discriminator_enum = self.enum_named(
            &property.to_upper_camel_case(),
            Some(&fallback),
            &values,
            &enum_schema,
        );
        let mut variants = serde_json::Map::new();
        for (value, (target, _)) in &union.mapping {
            if let Some(variant) = self.up.schemas.get(target) {
                let (_, variant) = self.up.resolve(variant);
                match &variant.kind {
                    SchemaKind::Object(_) => self.object_type(target, variant, Some(&property)),
                    other => self.unsupported(
                        &variant.pointer,
                        format!(
                            "variant `{value}` of `{name}` is {}; union variants are object types",
                            other.describe()
                        ),
                    ),
                }
            }
            variants.insert(value.clone(), target.clone().into());
        }
        let description = schema
            .description
            .clone()
            .unwrap_or_else(|| placeholder(&format!("The union `{name}`")));
        self.insert(
            "unions",
            name,
            json!({
                "description": description,
                "discriminator": property,
                "discriminatorEnum": discriminator_enum.unwrap_or_default(),
                "variants": variants,
            }),
        );
    }
}

fn is_primitive(ty: &str) -> bool {
    matches!(ty, "string" | "boolean" | "integer" | "number" | "any")
}

/// Whether the client can check `pattern` as the spec format requires (anchored, and
/// understood by its regular-expression engine).
fn checkable(pattern: &str) -> bool {
    pattern.starts_with('^') && pattern.ends_with('$') && crate::pattern::check(pattern).is_ok()
}

fn deviation(aspect: UpstreamAspect, reason: &str) -> Value {
    json!({ "aspect": aspect.as_str(), "reason": reason })
}

fn placeholder(what: &str) -> String {
    format!(
        "{what}. Drafted by `cargo xtask import`: the official description has no prose for it."
    )
}

/// Inserts the drafted entries into `text`, keeping its formatting: each entry goes at the end
/// of its section (a missing section is added after the sections that precede it).
fn merge(
    text: &str,
    sections: &IndexMap<String, IndexMap<String, Value>>,
) -> Result<String, String> {
    use jsonc_parser::ast::{ObjectPropName, Value as Ast};
    use jsonc_parser::common::Ranged;

    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
        .map_err(|error| format!("cannot read the spec's text again: {error}"))?;
    let Some(Ast::Object(root)) = parsed.value else {
        return Err("the spec is not a JSON object".to_owned());
    };
    let name_of = |name: &ObjectPropName<'_>| match name {
        ObjectPropName::String(name) => name.value.to_string(),
        ObjectPropName::Word(word) => word.value.to_owned(),
    };
    let mut edits: Vec<(usize, String)> = Vec::new();
    for (section, entries) in sections {
        if entries.is_empty() {
            continue;
        }
        let members: Vec<String> = entries
            .iter()
            .map(|(key, value)| member(key, value, 4))
            .collect();
        let existing = root
            .properties
            .iter()
            .find(|property| name_of(&property.name) == *section);
        match existing.map(|property| &property.value) {
            Some(Ast::Object(object)) => match object.properties.last() {
                Some(last) => edits.push((last.end(), format!(",\n{}", members.join(",\n")))),
                None => {
                    // `{}` or `{ }`: replace the inside.
                    edits.push((object.start() + 1, format!("\n{}\n  ", members.join(",\n"))));
                }
            },
            Some(_) => return Err(format!("`{section}` is not an object")),
            None => {
                let position = ROOT_ORDER
                    .iter()
                    .position(|key| key == section)
                    .unwrap_or(0);
                let before = root
                    .properties
                    .iter()
                    .rev()
                    .find(|property| {
                        ROOT_ORDER
                            .iter()
                            .position(|key| *key == name_of(&property.name))
                            .is_some_and(|index| index < position)
                    })
                    .or_else(|| root.properties.last());
                let block = format!("  \"{section}\": {{\n{}\n  }}", members.join(",\n"));
                match before {
                    Some(property) => edits.push((property.end(), format!(",\n{block}"))),
                    None => edits.push((root.start() + 1, format!("\n{block}\n"))),
                }
            }
        }
    }
    // Apply from the end so earlier offsets stay valid; edits at one offset keep their order.
    let mut merged = text.to_owned();
    let mut indexed: Vec<(usize, usize, String)> = edits
        .into_iter()
        .enumerate()
        .map(|(order, (offset, insert))| (offset, order, insert))
        .collect();
    indexed.sort_by_key(|edit| std::cmp::Reverse((edit.0, edit.1)));
    for (offset, _, insert) in indexed {
        if !merged.is_char_boundary(offset) || offset > merged.len() {
            return Err("cannot place the new entries".to_owned());
        }
        merged.insert_str(offset, &insert);
    }
    Ok(merged)
}

/// `"key": value`, pretty-printed, every line indented by `indent` spaces.
fn member(key: &str, value: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let body = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".to_owned());
    let key = serde_json::to_string(key).unwrap_or_else(|_| format!("\"{key}\""));
    let mut lines = body.lines();
    let mut out = format!("{pad}{key}: {}", lines.next().unwrap_or_default());
    for line in lines {
        out.push('\n');
        out.push_str(&pad);
        out.push_str(line);
    }
    out
}
