//! `cargo xtask audit`, `cargo xtask import` and `cargo xtask upstream-trim`: the spec against
//! the API's official OpenAPI description (vendored in `spec/upstream/`).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use atlas_admin_codegen::audit::{AuditError, AuditReport, audit};
use atlas_admin_codegen::import::{ImportError, ImportOutcome, import};
use atlas_admin_codegen::upstream::{self, Upstream};
use serde_json::Value;

use crate::{XtaskError, display_path, workspace_root, write_atomically};

/// The vendored official description `audit` and `import` read by default.
pub fn default_upstream() -> PathBuf {
    workspace_root()
        .join("spec")
        .join("upstream")
        .join("atlas-openapi-private-endpoints.json")
}

/// What went wrong in one of these commands, with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamCommandError {
    /// The spec is invalid, or the upstream file is broken (exit code 1).
    #[error("{0}")]
    Input(String),
    /// The import would collide or cannot be drafted (exit code 1).
    #[error("{0}")]
    Import(String),
    /// A file could not be read or written (exit code 2).
    #[error("{0}")]
    Io(String),
}

impl UpstreamCommandError {
    /// Process exit code: 1 for bad input, 2 for I/O.
    pub fn exit_code(&self) -> i32 {
        match self {
            UpstreamCommandError::Input(_) | UpstreamCommandError::Import(_) => 1,
            UpstreamCommandError::Io(_) => 2,
        }
    }
}

fn read(path: &Path) -> Result<String, UpstreamCommandError> {
    fs::read_to_string(path)
        .map_err(|error| UpstreamCommandError::Io(format!("{}: {error}", path.display())))
}

/// How a path is shown: relative to the workspace when inside it.
fn shown(path: &Path) -> String {
    display_path(path, &workspace_root())
}

/// Reads and parses an upstream file.
pub fn read_upstream(path: &Path) -> Result<Upstream, UpstreamCommandError> {
    let text = read(path)?;
    upstream::parse(&shown(path), &text).map_err(|errors| {
        let count = errors.problems.len();
        UpstreamCommandError::Input(format!(
            "{errors}\nerror: {count} problem{} in the upstream file",
            if count == 1 { "" } else { "s" }
        ))
    })
}

/// `cargo xtask audit`: the report (clean or not), or why it could not run.
pub fn run_audit(spec: &Path, upstream: &Path) -> Result<AuditReport, UpstreamCommandError> {
    let up = read_upstream(upstream)?;
    let text = read(spec)?;
    audit(&shown(spec), &text, &up).map_err(|error| match error {
        AuditError::Spec(error) => {
            UpstreamCommandError::Input(crate::SpecFailure(error).to_string())
        }
        AuditError::Upstream(errors) => UpstreamCommandError::Input(errors.to_string()),
    })
}

/// `cargo xtask import`: drafts the operation's entries and writes the spec (atomically) when
/// anything was added.
pub fn run_import(
    spec: &Path,
    upstream: &Path,
    operation: &str,
) -> Result<ImportOutcome, UpstreamCommandError> {
    let up = read_upstream(upstream)?;
    let text = read(spec)?;
    let outcome = import(&shown(spec), &text, &up, operation).map_err(|error| match error {
        ImportError::Spec(error) => {
            UpstreamCommandError::Input(crate::SpecFailure(error).to_string())
        }
        other => UpstreamCommandError::Import(format!("error: {other}")),
    })?;
    if !outcome.added.is_empty() {
        write_atomically(spec, &outcome.text).map_err(|error| match error {
            XtaskError::Io { path, source } => {
                UpstreamCommandError::Io(format!("{}: {source}", path.display()))
            }
            other => UpstreamCommandError::Io(other.to_string()),
        })?;
    }
    Ok(outcome)
}

/// `cargo xtask upstream-trim`: keeps, of the full official description at `from`, the
/// operations the spec names (`operationId`), those of the current trimmed file `to`, and
/// `extra`; and the components they reach. `source` replaces the `x-source` line (else the
/// current file's is kept). Writes `to` atomically; returns the ids kept.
pub fn run_trim(
    from: &Path,
    to: &Path,
    spec: &Path,
    extra: &[String],
    source: Option<&str>,
) -> Result<Vec<String>, UpstreamCommandError> {
    let full_text = read(from)?;
    // The full file must be a readable description itself.
    upstream::parse(&shown(from), &full_text).map_err(|errors| {
        UpstreamCommandError::Input(format!("{errors}\nerror: the full description is broken"))
    })?;
    let full: Value = serde_json::from_str(&full_text)
        .map_err(|error| UpstreamCommandError::Input(format!("{}: {error}", shown(from))))?;
    let mut wanted: BTreeSet<String> = extra.iter().cloned().collect();
    let spec_text = read(spec)?;
    let spec_json: Value = serde_json::from_str(&spec_text)
        .map_err(|error| UpstreamCommandError::Input(format!("{}: {error}", shown(spec))))?;
    if let Some(operations) = spec_json.get("operations").and_then(Value::as_object) {
        wanted.extend(
            operations
                .values()
                .filter_map(|operation| operation.get("operationId")?.as_str())
                .map(str::to_owned),
        );
    }
    let mut current_source = None;
    if to.exists() {
        let current: Value = serde_json::from_str(&read(to)?)
            .map_err(|error| UpstreamCommandError::Input(format!("{}: {error}", shown(to))))?;
        current_source = current.get("x-source").cloned();
        if let Some(paths) = current.get("paths").and_then(Value::as_object) {
            for item in paths.values().filter_map(Value::as_object) {
                wanted.extend(
                    item.values()
                        .filter_map(|operation| operation.get("operationId")?.as_str())
                        .map(str::to_owned),
                );
            }
        }
    }
    let trimmed = trim(&full, &wanted, source.map(Value::from).or(current_source));
    let kept = kept_ids(&trimmed);
    let missing: Vec<&String> = wanted.iter().filter(|id| !kept.contains(*id)).collect();
    if !missing.is_empty() {
        return Err(UpstreamCommandError::Input(format!(
            "{}: no operation has the id{} {}",
            shown(from),
            if missing.len() == 1 { "" } else { "s" },
            missing
                .iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut text = pretty(&trimmed);
    text.push('\n');
    write_atomically(to, &text).map_err(|error| UpstreamCommandError::Io(error.to_string()))?;
    Ok(kept.into_iter().collect())
}

fn kept_ids(document: &Value) -> BTreeSet<String> {
    document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .filter_map(|operation| operation.get("operationId")?.as_str())
        .map(str::to_owned)
        .collect()
}

/// The document with only the `wanted` operations and the components they reach.
pub fn trim(full: &Value, wanted: &BTreeSet<String>, source: Option<Value>) -> Value {
    const METHODS: &[&str] = &[
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut out = serde_json::Map::new();
    for key in ["openapi", "info"] {
        if let Some(value) = full.get(key) {
            out.insert(key.to_owned(), value.clone());
        }
    }
    if let Some(source) = source.or_else(|| full.get("x-source").cloned()) {
        out.insert("x-source".to_owned(), source);
    }
    for key in ["servers", "security", "tags"] {
        if let Some(value) = full.get(key) {
            out.insert(key.to_owned(), value.clone());
        }
    }
    let mut paths = serde_json::Map::new();
    for (path, item) in full
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(item) = item.as_object() else {
            continue;
        };
        let mut kept = serde_json::Map::new();
        for (key, value) in item {
            let is_method = METHODS.contains(&key.as_str());
            let wanted_here = value
                .get("operationId")
                .and_then(Value::as_str)
                .is_some_and(|id| wanted.contains(id));
            if !is_method || wanted_here {
                kept.insert(key.clone(), value.clone());
            }
        }
        if kept.keys().any(|key| METHODS.contains(&key.as_str())) {
            paths.insert(path.clone(), Value::Object(kept));
        }
    }
    let paths = Value::Object(paths);
    // The components reached from the kept paths (and every security scheme).
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<Value> = vec![paths.clone()];
    while let Some(value) = queue.pop() {
        let mut references = Vec::new();
        collect_refs(&value, &mut references);
        for reference in references {
            if reached.insert(reference.clone())
                && let Some(target) = full.pointer(reference.trim_start_matches('#'))
            {
                queue.push(target.clone());
            }
        }
    }
    out.insert("paths".to_owned(), paths);
    if let Some(components) = full.get("components").and_then(Value::as_object) {
        let mut kept = serde_json::Map::new();
        for (kind, entries) in components {
            let Some(entries) = entries.as_object() else {
                continue;
            };
            let chosen: serde_json::Map<String, Value> = entries
                .iter()
                .filter(|(name, _)| {
                    kind == "securitySchemes"
                        || reached.contains(&format!(
                            "#/components/{kind}/{}",
                            upstream::escape_token(name)
                        ))
                })
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect();
            if !chosen.is_empty() {
                kept.insert(kind.clone(), Value::Object(chosen));
            }
        }
        out.insert("components".to_owned(), Value::Object(kept));
    }
    Value::Object(out)
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                match (key.as_str(), member) {
                    ("$ref", Value::String(target)) => out.push(target.clone()),
                    ("mapping", Value::Object(mapping)) => {
                        out.extend(
                            mapping
                                .values()
                                .filter_map(Value::as_str)
                                .map(str::to_owned),
                        );
                    }
                    _ => collect_refs(member, out),
                }
            }
        }
        Value::Array(elements) => elements
            .iter()
            .for_each(|element| collect_refs(element, out)),
        _ => {}
    }
}

/// One-space indentation, as the vendored file has.
fn pretty(value: &Value) -> String {
    use serde::Serialize;
    let mut bytes = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
    if value.serialize(&mut serializer).is_err() {
        return String::new();
    }
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_keeps_the_wanted_operations_and_what_they_reach() {
        let full: Value = serde_json::from_str(
            r##"{"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
                "paths": {"/a": {"get": {"operationId": "getA", "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}},
                          "/b": {"get": {"operationId": "getB", "responses": {"200": {"$ref": "#/components/responses/B"}}}}},
                "components": {"schemas": {"A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}}, "B": {"type": "string"}, "C": {"type": "string"}},
                               "responses": {"B": {"description": "b"}},
                               "securitySchemes": {"Digest": {"type": "http", "scheme": "digest"}}}}"##,
        )
        .expect("json");
        let wanted = BTreeSet::from(["getA".to_owned()]);
        let trimmed = trim(&full, &wanted, Some(Value::from("source")));
        assert_eq!(trimmed["x-source"], "source");
        assert!(trimmed["paths"].get("/b").is_none());
        let schemas = trimmed["components"]["schemas"]
            .as_object()
            .expect("schemas");
        assert_eq!(schemas.keys().collect::<Vec<_>>(), ["A", "B"]);
        assert!(trimmed["components"].get("responses").is_none());
        assert!(
            trimmed["components"]["securitySchemes"]
                .get("Digest")
                .is_some()
        );
    }
}
