//! The shape of a document, checked against the JSON Schema of the format.
//!
//! The schema is derived from [`crate::spec`] ([`crate::spec::json_schema`]), so the grammar
//! has one definition. A JSON Schema validator reports every violation with its instance path
//! and a structured kind (an unknown key, a missing key, a wrong type, a value outside a closed
//! set); each becomes one [`Diagnostic`] in our own words, located with the position map.
//! Nothing here reads an error message.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::{Location, LocationSegment};
use jsonschema::{JsonType, Validator};
use serde_json::Value;

use super::LazyPositions;
use crate::error::{Anchor, Diagnostic};
use crate::position::{Segment, pointer};
use crate::suggest::closest;

/// The format's schema and its compiled validator, built once per process.
struct Grammar {
    schema: Value,
    validator: Validator,
}

fn grammar() -> Result<&'static Grammar, String> {
    static GRAMMAR: OnceLock<Result<Grammar, String>> = OnceLock::new();
    GRAMMAR
        .get_or_init(|| {
            let schema = crate::spec::json_schema();
            let validator = jsonschema::draft202012::new(&schema).map_err(|error| {
                format!("internal error: the spec format's own schema does not compile: {error}")
            })?;
            Ok(Grammar { schema, validator })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Every shape problem of `document`, located with `positions`.
pub(super) fn problems(document: &Value, positions: &LazyPositions) -> Vec<Diagnostic> {
    if !document.is_object() {
        let mut diagnostic = Diagnostic::at(
            "",
            format!(
                "the spec must be a JSON object with `crate`, `info` and the API's sections, not {}",
                article(document)
            ),
        );
        positions.get().locate(&mut diagnostic);
        return vec![diagnostic];
    }
    let grammar = match grammar() {
        Ok(grammar) => grammar,
        Err(message) => return vec![Diagnostic::at("", message)],
    };
    let violations: Vec<(Vec<Segment>, ValidationErrorKind, Value)> = grammar
        .validator
        .iter_errors(document)
        .map(|error| {
            let parts = error.into_parts();
            (
                segments(&parts.instance_path),
                parts.kind,
                parts.instance.into_owned(),
            )
        })
        .collect();

    // An unknown key that is a likely typo of an allowed key is reported with that key as a
    // suggestion; the "missing" error of the key it was meant to be is then not repeated.
    let mut meant: Vec<(Vec<Segment>, String)> = Vec::new();
    let mut diagnostics = Vec::new();
    for (path, kind, _) in &violations {
        if let ValidationErrorKind::AdditionalProperties { unexpected } = kind {
            let allowed = allowed_keys(&grammar.schema, path);
            for key in unexpected {
                let suggestion = closest(key, allowed.iter().copied()).map(str::to_owned);
                diagnostics.push(unknown_key(
                    path,
                    key,
                    &allowed,
                    suggestion.as_deref(),
                    positions,
                ));
                if let Some(suggestion) = suggestion {
                    meant.push((path.clone(), suggestion));
                }
            }
        }
    }
    for (path, kind, instance) in violations {
        let message = match kind {
            ValidationErrorKind::AdditionalProperties { .. } => continue,
            ValidationErrorKind::Required { property } => {
                let key = property.as_str().unwrap_or_default().to_owned();
                if meant
                    .iter()
                    .any(|(parent, meant)| *parent == path && *meant == key)
                {
                    continue;
                }
                let mut text = format!("missing field `{key}`");
                if let Some(hint) = missing_key_hint(&path, &key) {
                    text.push_str(": ");
                    text.push_str(hint);
                }
                text
            }
            ValidationErrorKind::Type { kind } => format!(
                "invalid type: {}, expected {}",
                describe(&instance),
                expected_types(&kind)
            ),
            ValidationErrorKind::Enum { .. }
            | ValidationErrorKind::Constant { .. }
            | ValidationErrorKind::OneOfNotValid { .. }
            | ValidationErrorKind::AnyOf { .. } => {
                let values = allowed_values(&grammar.schema, &path);
                if values.is_empty() {
                    "the value does not match any form this key allows".to_owned()
                } else {
                    value_not_allowed(&instance, &values)
                }
            }
            ValidationErrorKind::Minimum { limit } => {
                format!(
                    "{} is too small: the least allowed value is {limit}",
                    describe(&instance)
                )
            }
            ValidationErrorKind::Maximum { limit } => {
                format!(
                    "{} is too large: the greatest allowed value is {limit}",
                    describe(&instance)
                )
            }
            // The format's schema uses no other keyword that can fail; should it one day, the
            // keyword is named rather than the problem lost.
            other => format!(
                "the value breaks the `{}` rule of the spec format",
                other.keyword()
            ),
        };
        let mut diagnostic = Diagnostic::at(pointer(&path), message);
        positions.get().locate(&mut diagnostic);
        diagnostics.push(diagnostic);
    }
    diagnostics
}

/// The instance path of a violation as position-map segments.
fn segments(location: &Location) -> Vec<Segment> {
    location
        .iter()
        .map(|segment| match segment {
            LocationSegment::Property(key) => Segment::Key(key.into_owned()),
            LocationSegment::Index(index) => Segment::Index(index),
        })
        .collect()
}

/// `unknown field `x`, expected one of `a`, `b``, pointing at the key.
fn unknown_key(
    parent: &[Segment],
    key: &str,
    allowed: &[&str],
    suggestion: Option<&str>,
    positions: &LazyPositions,
) -> Diagnostic {
    let mut text = format!("unknown field `{key}`, {}", expected_names(allowed));
    if let Some(suggestion) = suggestion {
        text.push_str(&format!("; did you mean `{suggestion}`?"));
    }
    let mut diagnostic = Diagnostic::at_key(pointer(parent), text);
    let mut path = parent.to_vec();
    path.push(Segment::Key(key.to_owned()));
    let position = positions
        .get()
        .find(&path)
        .map(|node| node.position(Anchor::Key))
        .or_else(|| {
            positions
                .get()
                .find_nearest(parent)
                .map(|node| node.position(Anchor::Value))
        });
    if let Some(position) = position {
        diagnostic.line = Some(position.line);
        diagnostic.column = Some(position.column);
    }
    diagnostic
}

/// A value outside a closed set: the set, and the closest member when one is close.
fn value_not_allowed(instance: &Value, values: &[&str]) -> String {
    let mut text = match instance {
        Value::String(value) => format!("unknown value `{value}`, {}", expected_names(values)),
        other => format!(
            "invalid type: {}, {}",
            describe(other),
            expected_names(values)
        ),
    };
    if let Some(suggestion) = instance
        .as_str()
        .and_then(|value| closest(value, values.iter().copied()))
    {
        text.push_str(&format!("; did you mean `{suggestion}`?"));
    }
    text
}

/// `expected `a``, `expected `a` or `b``, or `expected one of `a`, `b`, `c``.
fn expected_names(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.as_slice() {
        [one] => format!("expected {one}"),
        [one, other] => format!("expected {one} or {other}"),
        many => format!("expected one of {}", many.join(", ")),
    }
}

/// The schema that describes the value at `path`, following `$ref`s.
fn schema_at<'a>(root: &'a Value, path: &[Segment]) -> Option<&'a Value> {
    let mut node = resolve(root, root)?;
    for segment in path {
        let child = match segment {
            Segment::Key(key) => node
                .get("properties")
                .and_then(|properties| properties.get(key))
                .or_else(|| {
                    node.get("additionalProperties")
                        .filter(|schema| schema.is_object())
                }),
            Segment::Index(_) => node.get("items"),
        }?;
        node = resolve(root, child)?;
    }
    Some(node)
}

/// Follows local `$ref`s (`#/$defs/Name`) to the schema they name.
fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> Option<&'a Value> {
    while let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        node = root.pointer(reference.strip_prefix('#')?)?;
    }
    Some(node)
}

/// The keys the object at `path` may have, in the order the format declares them.
fn allowed_keys<'a>(root: &'a Value, path: &[Segment]) -> Vec<&'a str> {
    schema_at(root, path)
        .and_then(|schema| schema.get("properties"))
        .and_then(Value::as_object)
        .map(|properties| properties.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The values of the closed set the value at `path` belongs to (`enum`, `const`, or a `oneOf`
/// of documented constants, as schemars writes a Rust enum).
fn allowed_values<'a>(root: &'a Value, path: &[Segment]) -> Vec<&'a str> {
    fn collect<'a>(root: &'a Value, schema: &'a Value, values: &mut Vec<&'a str>) {
        let Some(schema) = resolve(root, schema) else {
            return;
        };
        if let Some(value) = schema.get("const").and_then(Value::as_str) {
            values.push(value);
        }
        for key in ["enum", "oneOf", "anyOf"] {
            for member in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                match member.as_str() {
                    Some(value) => values.push(value),
                    None => collect(root, member, values),
                }
            }
        }
    }
    let mut values = Vec::new();
    if let Some(schema) = schema_at(root, path) {
        collect(root, schema, &mut values);
    }
    values
}

/// A JSON value as a reader of the file would name it.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(value) => format!("boolean `{value}`"),
        Value::Number(number) if number.is_f64() => format!("number `{number}`"),
        Value::Number(number) => format!("integer `{number}`"),
        Value::String(text) => format!("string {text:?}"),
        Value::Array(_) => "array".to_owned(),
        Value::Object(_) => "object".to_owned(),
    }
}

/// `a string`, `an array`: the kind of a value with its article.
fn article(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// What a `type` rule asks for, in JSON words.
fn expected_types(kind: &TypeKind) -> String {
    fn one(kind: JsonType) -> &'static str {
        match kind {
            JsonType::Null => "null",
            JsonType::Boolean => "`true` or `false`",
            JsonType::Integer => "a whole number",
            JsonType::Number => "a number",
            JsonType::String => "a string",
            JsonType::Array => "an array",
            JsonType::Object => "an object",
        }
    }
    match kind {
        TypeKind::Single(kind) => one(*kind).to_owned(),
        TypeKind::Multiple(kinds) => kinds.iter().map(one).collect::<Vec<_>>().join(" or "),
    }
}

/// What to write when a required key is missing, for the keys whose purpose is not obvious.
fn missing_key_hint(path: &[Segment], key: &str) -> Option<&'static str> {
    let in_operation =
        matches!(path, [Segment::Key(section), Segment::Key(_)] if section == "operations");
    match key {
        "response" if in_operation => Some(
            "every operation needs a success response: `\"response\": { \"type\": ... }` with a type name, `array` (plus `items`), or `empty` when a 2xx answer has no body",
        ),
        "crate" if path.is_empty() => Some(
            "add `\"crate\": { \"name\": ..., \"version\": ..., \"description\": ... }` describing the generated crate",
        ),
        "info" if path.is_empty() => Some(
            "add `\"info\": { \"title\": ..., \"version\": ..., \"baseUrl\": ..., \"auth\": { \"digest\": ... } }` describing the API",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grammar_compiles_and_describes_closed_sets() {
        let grammar = grammar().expect("the format's schema compiles");
        let method = [
            Segment::Key("operations".into()),
            Segment::Key("anyOperation".into()),
            Segment::Key("method".into()),
        ];
        assert_eq!(
            allowed_values(&grammar.schema, &method),
            ["GET", "POST", "PUT", "PATCH", "DELETE"]
        );
        let auth = [Segment::Key("info".into()), Segment::Key("auth".into())];
        assert_eq!(
            allowed_keys(&grammar.schema, &auth),
            ["description", "digest", "clientCredentials"]
        );
    }
}
