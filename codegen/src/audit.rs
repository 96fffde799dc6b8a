//! The audit: the hand-written spec against the API's official OpenAPI description.
//!
//! Every spec operation that names an official `operationId` is compared with that upstream
//! operation, field by field: method and path (path parameters are paired by position, so
//! their names may differ), parameters (location, type, enum values, pattern, required,
//! default), request and response bodies (field names, types, required, nullable, enum values
//! and patterns, nested objects, unions against `discriminator` mappings, type names), the
//! success status and the media type.
//!
//! Each difference becomes one line naming both places: the spec's `file:line:col` (from the
//! loader's [`PositionMap`]) and the upstream JSON pointer. A
//! difference whose aspect the spec declares in an `upstreamDeviations` list of the field,
//! parameter, enum, type, union or operation concerned is accepted; a declaration that matches
//! no difference is stale. The report ends with a coverage line.
//!
//! The comparison reads the spec document, after the whole load-and-validate pipeline accepted
//! it: its keys are the spec's own names, so every difference has a place in the file.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::error::{Anchor, GenerateError};
use crate::position::PositionMap;
use crate::spec::{
    FieldSpec, OperationSpec, ParameterLocation, ParameterSpec, ParameterType, SpecDocument,
    TypeSpec, UnionSpec, UpstreamAspect,
};
use crate::upstream::{self, Schema, SchemaKind, Upstream};

/// Primitive type names of the spec format.
const PRIMITIVES: &[&str] = &["string", "boolean", "integer", "number", "any"];

/// One line of the audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Line in the spec file, when known.
    pub line: Option<usize>,
    /// Column in the spec file, when known.
    pub column: Option<usize>,
    /// Dotted path of the spec node (`types.Foo.fields.bar`).
    pub spec_pointer: String,
    /// JSON pointer into the upstream file (`#/components/schemas/Foo/properties/bar`);
    /// empty when the spec node was never compared.
    pub upstream_pointer: String,
    /// What differs.
    pub message: String,
    /// The aspect of the difference (`None` when it cannot be declared, such as an official
    /// id the upstream file does not have).
    pub aspect: Option<UpstreamAspect>,
    /// Whether this is a stale declaration rather than a difference.
    pub stale: bool,
}

/// The outcome of an audit.
#[derive(Debug, Clone)]
pub struct AuditReport {
    /// The spec file as named by the user.
    pub spec_file: String,
    /// The upstream file as named by the user.
    pub upstream_file: String,
    /// Undeclared differences and stale declarations, sorted by spec position.
    pub findings: Vec<Finding>,
    /// How many differences were declared deviations.
    pub accepted: usize,
    /// Spec operations compared.
    pub audited: usize,
    /// Spec operations without `operationId` (not compared).
    pub skipped: Vec<String>,
    /// Official ids of upstream operations the spec has.
    pub covered: Vec<String>,
    /// Upstream operations the spec lacks (their ids, or `METHOD /path`).
    pub missing: Vec<String>,
}

impl AuditReport {
    /// Whether the spec and the upstream file agree, up to declared deviations.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// The findings located inside the spec node at `prefix` (`operations.getItem`).
    pub fn findings_under(&self, prefix: &str) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|finding| {
                finding.spec_pointer == prefix
                    || finding.spec_pointer.starts_with(&format!("{prefix}."))
            })
            .collect()
    }
}

impl fmt::Display for AuditReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            write!(f, "{}", self.spec_file)?;
            if let (Some(line), Some(column)) = (finding.line, finding.column) {
                write!(f, ":{line}:{column}")?;
            }
            if finding.upstream_pointer.is_empty() {
                writeln!(f, ": {} ({})", finding.message, self.upstream_file)?;
            } else {
                writeln!(
                    f,
                    ": {} ({}{})",
                    finding.message, self.upstream_file, finding.upstream_pointer
                )?;
            }
        }
        let differences = self.findings.iter().filter(|f| !f.stale).count();
        let stale = self.findings.len() - differences;
        writeln!(
            f,
            "audit: {} operation{} compared ({} without operationId skipped): {differences} undeclared difference{}, {stale} stale declaration{}, {} declared deviation{} accepted",
            self.audited,
            plural(self.audited),
            self.skipped.len(),
            plural(differences),
            plural(stale),
            self.accepted,
            plural(self.accepted),
        )?;
        let total = self.covered.len() + self.missing.len();
        write!(
            f,
            "coverage: {} of {total} upstream operation{} in the spec; missing: ",
            self.covered.len(),
            plural(total)
        )?;
        if self.missing.is_empty() {
            write!(f, "none")
        } else {
            write!(f, "{}", self.missing.join(", "))
        }
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// What can stop an audit before it compares anything.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The spec does not load or validate.
    #[error("{0}")]
    Spec(GenerateError),
    /// The upstream file is broken.
    #[error("{0}")]
    Upstream(upstream::UpstreamErrors),
}

/// A spec that loaded and validated, with the positions of its keys and values.
#[derive(Debug)]
pub struct CheckedSpec {
    /// The file as named by the user.
    pub file: String,
    /// The document.
    pub document: SpecDocument,
    positions: PositionMap,
}

impl CheckedSpec {
    /// Loads and validates `text` with the generator's pipeline.
    pub fn new(file: &str, text: &str) -> Result<Self, GenerateError> {
        // The whole pipeline first, so that every problem it knows is reported as it would be
        // by `cargo xtask gen`; then the document and its positions.
        crate::load_api(file, text)?;
        let loaded = crate::load::load(file, text).map_err(GenerateError::InvalidSpec)?;
        let positions = loaded.positions().clone();
        let crate::load::Loaded { document, .. } = loaded;
        Ok(CheckedSpec {
            file: file.to_owned(),
            document,
            positions,
        })
    }

    /// Line and column of the node at a dotted pointer.
    fn position(&self, pointer: &str, anchor: Anchor) -> (Option<usize>, Option<usize>) {
        match self.positions.resolve_pointer(pointer) {
            Some(node) => {
                let position = node.position(anchor);
                (Some(position.line), Some(position.column))
            }
            None => (None, None),
        }
    }
}

/// Audits spec `text` (named `file`) against `upstream`.
pub fn audit(file: &str, text: &str, upstream: &Upstream) -> Result<AuditReport, AuditError> {
    let spec = CheckedSpec::new(file, text).map_err(AuditError::Spec)?;
    Ok(audit_checked(&spec, upstream))
}

/// Audits a checked spec against `upstream`.
pub fn audit_checked(spec: &CheckedSpec, upstream: &Upstream) -> AuditReport {
    let doc = &spec.document;
    let mut comparator = Comparator::new(doc, upstream);
    let mut skipped = Vec::new();
    let mut audited = 0;
    for (key, operation) in &doc.operations {
        let Some(official) = &operation.operation_id else {
            skipped.push(key.clone());
            continue;
        };
        audited += 1;
        match upstream.operation(official) {
            Some(up) => comparator.operation(key, operation, up),
            None => comparator.raw.push(Raw {
                spec: format!("operations.{key}.operationId"),
                anchor: Anchor::Value,
                upstream: "#/paths".to_owned(),
                aspect: None,
                message: format!(
                    "operation `{key}` names the official id `{official}`, which the upstream file does not have"
                ),
                owners: Vec::new(),
            }),
        }
    }
    let (differences, accepted, unused) = comparator.settle();
    let mut findings: Vec<Finding> = differences
        .into_iter()
        .map(|raw| {
            let (line, column) = spec.position(&raw.spec, raw.anchor);
            Finding {
                line,
                column,
                spec_pointer: raw.spec,
                upstream_pointer: raw.upstream,
                message: raw.message,
                aspect: raw.aspect,
                stale: false,
            }
        })
        .collect();
    for declaration in unused {
        let pointer = format!(
            "{}.upstreamDeviations[{}]",
            declaration.owner, declaration.index
        );
        let (line, column) = spec.position(&pointer, Anchor::Value);
        let (upstream_pointer, message) = match &declaration.compared_with {
            Some(compared) => (
                compared.clone(),
                format!(
                    "stale declaration: `{}` of {} no longer differs from upstream; remove it",
                    declaration.aspect.as_str(),
                    describe_owner(&declaration.owner)
                ),
            ),
            None => (
                String::new(),
                format!(
                    "stale declaration: `{}` of {} is never compared with upstream (no audited operation reaches it); remove it",
                    declaration.aspect.as_str(),
                    describe_owner(&declaration.owner)
                ),
            ),
        };
        findings.push(Finding {
            line,
            column,
            spec_pointer: pointer,
            upstream_pointer,
            message,
            aspect: Some(declaration.aspect),
            stale: true,
        });
    }
    findings.sort_by(|a, b| {
        (a.line.is_none(), a.line, a.column, &a.message).cmp(&(
            b.line.is_none(),
            b.line,
            b.column,
            &b.message,
        ))
    });
    let in_spec: BTreeSet<&str> = doc
        .operations
        .values()
        .filter_map(|operation| operation.operation_id.as_deref())
        .collect();
    let (covered, missing): (Vec<_>, Vec<_>) = upstream.operations.iter().partition(|operation| {
        operation
            .id
            .as_deref()
            .is_some_and(|id| in_spec.contains(id))
    });
    AuditReport {
        spec_file: spec.file.clone(),
        upstream_file: upstream.file.clone(),
        findings,
        accepted,
        audited,
        skipped,
        covered: covered.iter().map(|operation| operation.label()).collect(),
        missing: missing.iter().map(|operation| operation.label()).collect(),
    }
}

/// `field `x` of `T``, `parameter `p``…: a spec node in words.
fn describe_owner(owner: &str) -> String {
    let parts: Vec<&str> = owner.splitn(4, '.').collect();
    match parts.as_slice() {
        ["types", name, "fields", field] => format!("field `{field}` of `{name}`"),
        ["types", name] => format!("type `{name}`"),
        ["unions", name] => format!("union `{name}`"),
        ["enums", name] => format!("enum `{name}`"),
        ["parameters", name] => format!("parameter `{name}`"),
        ["operations", name] => format!("operation `{name}`"),
        _ => format!("`{owner}`"),
    }
}

/// A difference before declarations are applied.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Raw {
    /// Where it is shown in the spec (dotted pointer).
    pub(crate) spec: String,
    pub(crate) anchor: Anchor,
    /// The upstream JSON pointer.
    pub(crate) upstream: String,
    pub(crate) aspect: Option<UpstreamAspect>,
    pub(crate) message: String,
    /// The spec nodes that may declare it, most specific first.
    pub(crate) owners: Vec<String>,
}

/// A declaration that no difference used.
#[derive(Debug, Clone)]
pub(crate) struct Unused {
    pub(crate) owner: String,
    pub(crate) index: usize,
    pub(crate) aspect: UpstreamAspect,
    /// The upstream pointer the owner was compared with, if it was.
    pub(crate) compared_with: Option<String>,
}

/// Where a value's comparison is shown and who may declare its differences.
#[derive(Debug, Clone)]
struct Ctx {
    /// Pointer of the spec's `type` value.
    spec: String,
    /// `field `x` of `T``, for messages.
    what: String,
    owners: Vec<String>,
    /// The aspect of a kind mismatch (`type` for fields; `requestBody`/`response` for bodies).
    kind_aspect: UpstreamAspect,
}

impl Ctx {
    /// The same value's array items (`…items` beside `…type`).
    fn items(&self) -> Ctx {
        let spec = match self.spec.strip_suffix(".type") {
            Some(parent) => format!("{parent}.items"),
            None => self.spec.clone(),
        };
        Ctx {
            spec,
            what: format!("each item of {}", self.what),
            ..self.clone()
        }
    }
}

/// Compares spec nodes with upstream schemas, collecting [`Raw`] differences.
pub(crate) struct Comparator<'a> {
    doc: &'a SpecDocument,
    up: &'a Upstream,
    pub(crate) raw: Vec<Raw>,
    /// Spec node → the first upstream pointer it was compared with.
    compared: BTreeMap<String, String>,
    /// (spec type or union, upstream pointer) pairs already compared.
    visited: BTreeSet<(String, String)>,
}

impl<'a> Comparator<'a> {
    pub(crate) fn new(doc: &'a SpecDocument, up: &'a Upstream) -> Self {
        Comparator {
            doc,
            up,
            raw: Vec::new(),
            compared: BTreeMap::new(),
            visited: BTreeSet::new(),
        }
    }

    fn note(&mut self, spec: &str, upstream: &str) {
        self.compared
            .entry(spec.to_owned())
            .or_insert_with(|| upstream.to_owned());
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        spec: impl Into<String>,
        anchor: Anchor,
        upstream: impl Into<String>,
        aspect: UpstreamAspect,
        message: impl Into<String>,
        owners: Vec<String>,
    ) {
        self.raw.push(Raw {
            spec: spec.into(),
            anchor,
            upstream: upstream.into(),
            aspect: Some(aspect),
            message: message.into(),
            owners,
        });
    }

    /// Applies the document's declarations: returns the undeclared differences (deduplicated,
    /// sorted), how many were declared, and the declarations no difference used.
    pub(crate) fn settle(&mut self) -> (Vec<Raw>, usize, Vec<Unused>) {
        // One line per difference: a shared parameter or enum compared through several
        // operations differs once (the first upstream place is shown).
        let mut seen = BTreeSet::new();
        let raws: Vec<Raw> = std::mem::take(&mut self.raw)
            .into_iter()
            .filter(|raw| seen.insert((raw.spec.clone(), raw.aspect, raw.message.clone())))
            .collect();
        let declarations = declarations(self.doc);
        let mut used: BTreeSet<(String, usize)> = BTreeSet::new();
        let mut accepted = 0;
        let mut left = Vec::new();
        for raw in raws {
            let declared = raw.aspect.and_then(|aspect| {
                raw.owners.iter().find_map(|owner| {
                    declarations.get(owner).and_then(|list| {
                        list.iter()
                            .find(|(_, declared)| *declared == aspect)
                            .map(|(index, _)| (owner.clone(), *index))
                    })
                })
            });
            match declared {
                Some(key) => {
                    used.insert(key);
                    accepted += 1;
                }
                None => left.push(raw),
            }
        }
        let mut unused = Vec::new();
        for (owner, list) in &declarations {
            for (index, aspect) in list {
                if !used.contains(&(owner.clone(), *index)) {
                    unused.push(Unused {
                        owner: owner.clone(),
                        index: *index,
                        aspect: *aspect,
                        compared_with: self.compared.get(owner).cloned(),
                    });
                }
            }
        }
        (left, accepted, unused)
    }

    /// Compares one operation.
    pub(crate) fn operation(&mut self, key: &str, spec: &OperationSpec, up: &upstream::Operation) {
        let pointer = format!("operations.{key}");
        self.note(&pointer, &up.pointer);
        let owners = vec![pointer.clone()];
        if spec.method.as_str() != up.method {
            self.push(
                format!("{pointer}.method"),
                Anchor::Value,
                &up.pointer,
                UpstreamAspect::Method,
                format!(
                    "operation `{key}` is `{}` here but `{}` upstream",
                    spec.method.as_str(),
                    up.method
                ),
                owners.clone(),
            );
        }
        let version = spec
            .api_version
            .as_ref()
            .and_then(|name| self.doc.api_versions.get(name));
        let prefix = version.map_or("", |version| version.path_prefix.as_str());
        let media_type = version.map_or("application/json", |version| version.media_type.as_str());
        let full_path = format!("{prefix}{}", spec.path);
        let mapping = match pair_paths(&full_path, &up.path) {
            Ok(mapping) => mapping,
            Err(mapping) => {
                self.push(
                    format!("{pointer}.path"),
                    Anchor::Value,
                    &up.path_pointer,
                    UpstreamAspect::Path,
                    format!(
                        "the path of operation `{key}` is `{full_path}` here but `{}` upstream",
                        up.path
                    ),
                    owners.clone(),
                );
                mapping
            }
        };
        // Parameters: path ones through the path pairing, query ones by name.
        let mut matched = BTreeSet::new();
        for (index, name) in spec.parameters.iter().enumerate() {
            let Some(parameter) = self.doc.parameters.get(name) else {
                continue;
            };
            let (upstream_name, location) = match parameter.location {
                ParameterLocation::Path => (
                    mapping.get(name).cloned().unwrap_or_else(|| name.clone()),
                    "path",
                ),
                ParameterLocation::Query => (name.clone(), "query"),
            };
            let found = up
                .parameters
                .iter()
                .position(|p| p.name == upstream_name && p.location == location)
                .or_else(|| up.parameters.iter().position(|p| p.name == upstream_name));
            match found.and_then(|position| up.parameters.get(position).map(|p| (position, p))) {
                Some((position, up_parameter)) => {
                    matched.insert(position);
                    self.parameter(name, parameter, up_parameter);
                }
                None => self.push(
                    format!("{pointer}.parameters[{index}]"),
                    Anchor::Value,
                    upstream::child(&up.pointer, "parameters"),
                    UpstreamAspect::Parameters,
                    format!(
                        "operation `{key}` takes the {location} parameter `{name}`, which upstream does not have"
                    ),
                    owners.clone(),
                ),
            }
        }
        for (position, up_parameter) in up.parameters.iter().enumerate() {
            if !matched.contains(&position) {
                self.push(
                    format!("{pointer}.parameters"),
                    Anchor::Key,
                    &up_parameter.pointer,
                    UpstreamAspect::Parameters,
                    format!(
                        "operation `{key}` lacks the upstream {} parameter `{}`",
                        up_parameter.location, up_parameter.name
                    ),
                    owners.clone(),
                );
            }
        }
        // Request body.
        match (&spec.request_body, &up.request_body) {
            (None, None) => {}
            (Some(_), None) => self.push(
                format!("{pointer}.requestBody"),
                Anchor::Key,
                &up.pointer,
                UpstreamAspect::RequestBody,
                format!("operation `{key}` sends a request body; upstream has none"),
                owners.clone(),
            ),
            (None, Some(body)) => self.push(
                &pointer,
                Anchor::Key,
                &body.pointer,
                UpstreamAspect::RequestBody,
                format!("operation `{key}` sends no request body; upstream has one"),
                owners.clone(),
            ),
            (Some(body), Some(up_body)) => {
                if !up_body.required {
                    self.push(
                        format!("{pointer}.requestBody"),
                        Anchor::Key,
                        &up_body.pointer,
                        UpstreamAspect::RequestBody,
                        format!(
                            "the request body of operation `{key}` is always sent here but optional upstream"
                        ),
                        owners.clone(),
                    );
                }
                let content = self.media(
                    key,
                    &pointer,
                    media_type,
                    &up_body.content,
                    &up_body.pointer,
                );
                match content.and_then(|content| content.schema.as_ref()) {
                    Some(schema) => self.value(
                        &Ctx {
                            spec: format!("{pointer}.requestBody.type"),
                            what: format!("the request body of operation `{key}`"),
                            owners: owners.clone(),
                            kind_aspect: UpstreamAspect::RequestBody,
                        },
                        &body.ty,
                        None,
                        schema,
                    ),
                    None => self.push(
                        format!("{pointer}.requestBody.type"),
                        Anchor::Value,
                        &up_body.pointer,
                        UpstreamAspect::RequestBody,
                        format!(
                            "the request body of operation `{key}` is `{}` here; upstream gives it no schema",
                            body.ty
                        ),
                        owners.clone(),
                    ),
                }
            }
        }
        // Success answer.
        let response = format!("{pointer}.response");
        let Some(success) = &up.success else {
            self.push(
                format!("{response}.status"),
                Anchor::Value,
                upstream::child(&up.pointer, "responses"),
                UpstreamAspect::Status,
                format!(
                    "operation `{key}` answers {} here; upstream declares no 2xx answer",
                    spec.response.status
                ),
                owners,
            );
            return;
        };
        if spec.response.status != success.status {
            self.push(
                format!("{response}.status"),
                Anchor::Value,
                &success.pointer,
                UpstreamAspect::Status,
                format!(
                    "operation `{key}` answers {} here but {} upstream",
                    spec.response.status, success.status
                ),
                owners.clone(),
            );
        }
        let content = if success.content.is_empty() {
            None
        } else {
            self.media(
                key,
                &pointer,
                media_type,
                &success.content,
                &success.pointer,
            )
        };
        let schema = content.and_then(|content| content.schema.as_ref());
        match (spec.response.ty.as_str(), schema) {
            ("empty", None) => {}
            ("empty", Some(schema)) => self.push(
                format!("{response}.type"),
                Anchor::Value,
                &schema.pointer,
                UpstreamAspect::Response,
                format!(
                    "operation `{key}` answers with no body here; upstream answers {}",
                    schema.kind.describe()
                ),
                owners,
            ),
            (ty, None) => self.push(
                format!("{response}.type"),
                Anchor::Value,
                &success.pointer,
                UpstreamAspect::Response,
                format!("operation `{key}` answers `{ty}` here; upstream answers with no body"),
                owners,
            ),
            (ty, Some(schema)) => self.value(
                &Ctx {
                    spec: format!("{response}.type"),
                    what: format!("the answer of operation `{key}`"),
                    owners,
                    kind_aspect: UpstreamAspect::Response,
                },
                ty,
                spec.response.items.as_deref(),
                schema,
            ),
        }
    }

    /// The upstream content of the spec's media type, reporting a difference when absent.
    fn media<'c>(
        &mut self,
        key: &str,
        pointer: &str,
        media_type: &str,
        content: &'c [upstream::Content],
        body_pointer: &str,
    ) -> Option<&'c upstream::Content> {
        if let Some(found) = content.iter().find(|c| c.media_type == media_type) {
            return Some(found);
        }
        let listed: Vec<String> = content
            .iter()
            .map(|c| format!("`{}`", c.media_type))
            .collect();
        let spec = match self
            .doc
            .operations
            .get(key)
            .and_then(|o| o.api_version.as_ref())
        {
            Some(_) => format!("{pointer}.apiVersion"),
            None => pointer.to_owned(),
        };
        self.push(
            spec,
            Anchor::Value,
            upstream::child(body_pointer, "content"),
            UpstreamAspect::MediaType,
            format!(
                "operation `{key}` speaks `{media_type}` here; upstream {}",
                if listed.is_empty() {
                    "declares no media type".to_owned()
                } else {
                    format!("declares {}", listed.join(", "))
                }
            ),
            vec![pointer.to_owned()],
        );
        content.first()
    }

    /// Compares one shared parameter with its upstream counterpart.
    pub(crate) fn parameter(&mut self, name: &str, spec: &ParameterSpec, up: &upstream::Parameter) {
        let pointer = format!("parameters.{name}");
        self.note(&pointer, &up.pointer);
        let owners = vec![pointer.clone()];
        let location = match spec.location {
            ParameterLocation::Path => "path",
            ParameterLocation::Query => "query",
        };
        if location != up.location {
            self.push(
                format!("{pointer}.in"),
                Anchor::Value,
                upstream::child(&up.pointer, "in"),
                UpstreamAspect::Location,
                format!(
                    "parameter `{name}` goes in the {location} here but in the {} upstream",
                    up.location
                ),
                owners.clone(),
            );
        }
        let required = spec.location == ParameterLocation::Path;
        if required != up.required {
            self.push(
                &pointer,
                Anchor::Key,
                &up.pointer,
                UpstreamAspect::Required,
                format!(
                    "parameter `{name}` is {} here but {} upstream",
                    if required { "required" } else { "optional" },
                    if up.required { "required" } else { "optional" }
                ),
                owners.clone(),
            );
        }
        let (_, schema) = self.up.resolve(&up.schema);
        let kind_matches = matches!(
            (spec.ty, &schema.kind),
            (ParameterType::String, SchemaKind::String)
                | (ParameterType::Boolean, SchemaKind::Boolean)
                | (ParameterType::Integer, SchemaKind::Integer)
                | (_, SchemaKind::Any)
        );
        if !kind_matches {
            self.push(
                format!("{pointer}.type"),
                Anchor::Value,
                &schema.pointer,
                UpstreamAspect::Type,
                format!(
                    "parameter `{name}` is a {} here but {} upstream",
                    spec.ty.as_str(),
                    schema.kind.describe()
                ),
                owners.clone(),
            );
        }
        match &spec.enum_type {
            Some(enum_name) => {
                let ctx = Ctx {
                    spec: format!("{pointer}.enum"),
                    what: format!("parameter `{name}`"),
                    owners: owners.clone(),
                    kind_aspect: UpstreamAspect::Type,
                };
                self.enum_values(&ctx, enum_name, schema);
            }
            None => {
                if let Some(values) = &schema.enum_values {
                    self.push(
                        format!("{pointer}.type"),
                        Anchor::Value,
                        upstream::child(&schema.pointer, "enum"),
                        UpstreamAspect::EnumValues,
                        format!(
                            "parameter `{name}` takes any {} here; upstream only {}",
                            spec.ty.as_str(),
                            quoted(values)
                        ),
                        owners.clone(),
                    );
                }
            }
        }
        if spec.pattern != schema.pattern {
            let message = match (&spec.pattern, &schema.pattern) {
                (Some(ours), Some(theirs)) => {
                    format!("parameter `{name}` must match `{ours}` here but `{theirs}` upstream")
                }
                (Some(ours), None) => {
                    format!("parameter `{name}` must match `{ours}` here; upstream has no pattern")
                }
                (None, Some(theirs)) => format!(
                    "parameter `{name}` has no pattern here; upstream it must match `{theirs}`"
                ),
                (None, None) => String::new(),
            };
            let spec_pointer = if spec.pattern.is_some() {
                format!("{pointer}.pattern")
            } else {
                pointer.clone()
            };
            let anchor = if spec.pattern.is_some() {
                Anchor::Value
            } else {
                Anchor::Key
            };
            let up_pointer = if schema.pattern.is_some() {
                upstream::child(&schema.pointer, "pattern")
            } else {
                schema.pointer.clone()
            };
            self.push(
                spec_pointer,
                anchor,
                up_pointer,
                UpstreamAspect::Pattern,
                message,
                owners.clone(),
            );
        }
        if spec.default != schema.default {
            let show = |value: &Option<serde_json::Value>| {
                value
                    .as_ref()
                    .map_or("none".to_owned(), |value| format!("`{value}`"))
            };
            self.push(
                format!("{pointer}.default"),
                Anchor::Value,
                upstream::child(&schema.pointer, "default"),
                UpstreamAspect::Default,
                format!(
                    "parameter `{name}` defaults to {} here but to {} upstream",
                    show(&spec.default),
                    show(&schema.default)
                ),
                owners,
            );
        }
    }

    /// Compares a spec value type (`ty`, with `items` for arrays) with an upstream schema.
    fn value(&mut self, ctx: &Ctx, ty: &str, items: Option<&str>, up: &Schema) {
        let (name, schema) = self.up.resolve(up);
        let mismatch = |this: &mut Self, expected: &str| {
            this.push(
                &ctx.spec,
                Anchor::Value,
                &schema.pointer,
                ctx.kind_aspect,
                format!(
                    "{} is {expected} here but {} upstream",
                    ctx.what,
                    schema.kind.describe()
                ),
                ctx.owners.clone(),
            );
        };
        if ty == "any" {
            return;
        }
        if ty == "array" {
            match &schema.kind {
                SchemaKind::Array(up_items) => {
                    let up_items = up_items.as_ref().clone();
                    self.value(&ctx.items(), items.unwrap_or("any"), None, &up_items);
                }
                SchemaKind::Any => {}
                _ => mismatch(self, "an array"),
            }
            return;
        }
        if PRIMITIVES.contains(&ty) {
            let matches = matches!(
                (ty, &schema.kind),
                ("string", SchemaKind::String)
                    | ("boolean", SchemaKind::Boolean)
                    | ("integer", SchemaKind::Integer)
                    | ("number", SchemaKind::Number)
                    | (_, SchemaKind::Any)
            );
            if !matches {
                let described = if ty == "integer" {
                    "an integer".to_owned()
                } else {
                    format!("a {ty}")
                };
                mismatch(self, &described);
                return;
            }
            if let Some(values) = &schema.enum_values {
                self.push(
                    &ctx.spec,
                    Anchor::Value,
                    upstream::child(&schema.pointer, "enum"),
                    UpstreamAspect::EnumValues,
                    format!(
                        "{} takes any {ty} here; upstream only {}",
                        ctx.what,
                        quoted(values)
                    ),
                    ctx.owners.clone(),
                );
            }
            self.pattern(ctx, schema);
            return;
        }
        if self.doc.enums.contains_key(ty) {
            if !matches!(schema.kind, SchemaKind::String | SchemaKind::Any) {
                mismatch(self, &format!("the enum `{ty}`"));
                return;
            }
            self.enum_values(ctx, ty, schema);
            self.pattern(ctx, schema);
            return;
        }
        if let Some(spec_type) = self.doc.types.get(ty) {
            let SchemaKind::Object(_) = &schema.kind else {
                if !matches!(schema.kind, SchemaKind::Any) {
                    mismatch(self, &format!("the object type `{ty}`"));
                }
                return;
            };
            self.name(&format!("types.{ty}"), "type", ty, name, &schema.pointer);
            self.object(ty, spec_type, schema, None);
            return;
        }
        if let Some(union) = self.doc.unions.get(ty) {
            let SchemaKind::Union(_) = &schema.kind else {
                if !matches!(schema.kind, SchemaKind::Any) {
                    mismatch(self, &format!("the union `{ty}`"));
                }
                return;
            };
            self.name(&format!("unions.{ty}"), "union", ty, name, &schema.pointer);
            self.union(ty, union, schema);
        }
    }

    /// A type or union named differently from the official schema it stands for.
    fn name(&mut self, pointer: &str, what: &str, ours: &str, theirs: Option<&str>, at: &str) {
        if let Some(theirs) = theirs
            && theirs != ours
        {
            self.push(
                pointer,
                Anchor::Key,
                at,
                UpstreamAspect::Name,
                format!("{what} `{ours}` is `{theirs}` upstream"),
                vec![pointer.to_owned()],
            );
        }
    }

    /// The spec format has no field patterns: an upstream one is always a difference.
    fn pattern(&mut self, ctx: &Ctx, schema: &Schema) {
        if ctx.kind_aspect != UpstreamAspect::Type {
            return;
        }
        if let Some(pattern) = &schema.pattern {
            self.push(
                &ctx.spec,
                Anchor::Value,
                upstream::child(&schema.pointer, "pattern"),
                UpstreamAspect::Pattern,
                format!(
                    "{} is not checked against a pattern here; upstream it must match `{pattern}`",
                    ctx.what
                ),
                ctx.owners.clone(),
            );
        }
    }

    /// Compares the values of the spec enum `name` with an upstream `enum`.
    fn enum_values(&mut self, ctx: &Ctx, name: &str, schema: &Schema) {
        let Some(definition) = self.doc.enums.get(name) else {
            return;
        };
        let enum_pointer = format!("enums.{name}");
        self.note(&enum_pointer, &schema.pointer);
        let mut owners = ctx.owners.clone();
        owners.push(enum_pointer.clone());
        let Some(up_values) = &schema.enum_values else {
            self.push(
                &ctx.spec,
                Anchor::Value,
                &schema.pointer,
                UpstreamAspect::EnumValues,
                format!(
                    "{} takes the values of enum `{name}` here; upstream any string",
                    ctx.what
                ),
                owners,
            );
            return;
        };
        let enum_at = upstream::child(&schema.pointer, "enum");
        for value in up_values {
            if !definition.values.iter().any(|known| &known.value == value) {
                self.push(
                    format!("{enum_pointer}.values"),
                    Anchor::Key,
                    &enum_at,
                    UpstreamAspect::EnumValues,
                    format!(
                        "enum `{name}` (of {}) lacks `{value}`, which upstream allows",
                        ctx.what
                    ),
                    owners.clone(),
                );
            }
        }
        for (index, known) in definition.values.iter().enumerate() {
            if !up_values.contains(&known.value) {
                self.push(
                    format!("{enum_pointer}.values[{index}].value"),
                    Anchor::Value,
                    &enum_at,
                    UpstreamAspect::EnumValues,
                    format!(
                        "enum `{name}` (of {}) has `{}`, which upstream does not allow",
                        ctx.what, known.value
                    ),
                    owners.clone(),
                );
            }
        }
    }

    /// Compares an object type with an upstream object; `skip` is the member a union reads
    /// itself (its discriminator).
    pub(crate) fn object(&mut self, name: &str, spec: &TypeSpec, up: &Schema, skip: Option<&str>) {
        let SchemaKind::Object(object) = &up.kind else {
            return;
        };
        if !self
            .visited
            .insert((format!("types.{name}"), up.pointer.clone()))
        {
            return;
        }
        let pointer = format!("types.{name}");
        self.note(&pointer, &up.pointer);
        for (field, field_spec) in &spec.fields {
            let field_pointer = format!("{pointer}.fields.{field}");
            match object.properties.get(field) {
                Some(property) => {
                    self.note(&field_pointer, &property.pointer);
                    self.field(name, field, field_spec, property, object);
                }
                None => self.push(
                    &field_pointer,
                    Anchor::Key,
                    upstream::child(&up.pointer, "properties"),
                    UpstreamAspect::Fields,
                    format!("field `{field}` of `{name}` is not upstream"),
                    vec![field_pointer.clone(), pointer.clone()],
                ),
            }
        }
        for (property, schema) in &object.properties {
            if Some(property.as_str()) == skip || spec.fields.contains_key(property) {
                continue;
            }
            self.push(
                format!("{pointer}.fields"),
                Anchor::Key,
                &schema.pointer,
                UpstreamAspect::Fields,
                format!(
                    "`{name}` lacks the upstream {}field `{property}`",
                    if object.required.contains(property) {
                        "required "
                    } else {
                        ""
                    }
                ),
                vec![pointer.clone()],
            );
        }
    }

    fn field(
        &mut self,
        type_name: &str,
        field: &str,
        spec: &FieldSpec,
        up: &Schema,
        object: &upstream::Object,
    ) {
        let pointer = format!("types.{type_name}.fields.{field}");
        let owners = vec![pointer.clone()];
        let what = format!("field `{field}` of `{type_name}`");
        let required = object.required.iter().any(|name| name == field);
        if spec.required != required {
            self.push(
                format!("{pointer}.required"),
                Anchor::Value,
                &object.required_pointer,
                UpstreamAspect::Required,
                format!(
                    "{what} is {} here but {} upstream",
                    if spec.required {
                        "required"
                    } else {
                        "optional"
                    },
                    if required { "required" } else { "optional" }
                ),
                owners.clone(),
            );
        }
        let (_, resolved) = self.up.resolve(up);
        let nullable = up.nullable || resolved.nullable;
        if spec.nullable != nullable {
            self.push(
                format!("{pointer}.nullable"),
                Anchor::Value,
                &up.pointer,
                UpstreamAspect::Nullable,
                format!(
                    "{what} {} here but {} upstream",
                    if spec.nullable {
                        "may be null"
                    } else {
                        "is never null"
                    },
                    if nullable {
                        "may be null"
                    } else {
                        "is never null"
                    }
                ),
                owners.clone(),
            );
        }
        let ctx = Ctx {
            spec: format!("{pointer}.type"),
            what,
            owners,
            kind_aspect: UpstreamAspect::Type,
        };
        self.value(&ctx, &spec.ty, spec.items.as_deref(), up);
    }

    /// Compares a union with an upstream schema that has a `discriminator`.
    pub(crate) fn union(&mut self, name: &str, spec: &UnionSpec, up: &Schema) {
        let SchemaKind::Union(union) = &up.kind else {
            return;
        };
        let pointer = format!("unions.{name}");
        if !self.visited.insert((pointer.clone(), up.pointer.clone())) {
            return;
        }
        self.note(&pointer, &up.pointer);
        let owners = vec![pointer.clone()];
        if spec.discriminator != union.property {
            self.push(
                format!("{pointer}.discriminator"),
                Anchor::Value,
                upstream::child(&union.pointer, "propertyName"),
                UpstreamAspect::Discriminator,
                format!(
                    "union `{name}` is told apart by `{}` here but by `{}` upstream",
                    spec.discriminator, union.property
                ),
                owners.clone(),
            );
        }
        if let Some(property) = union.base.properties.get(&union.property) {
            let (_, property) = self.up.resolve(property);
            if property.enum_values.is_some() {
                let ctx = Ctx {
                    spec: format!("{pointer}.discriminatorEnum"),
                    what: format!("the discriminator of union `{name}`"),
                    owners: owners.clone(),
                    kind_aspect: UpstreamAspect::Type,
                };
                self.enum_values(&ctx, &spec.discriminator_enum, property);
            }
        }
        let mapping_pointer = upstream::child(&union.pointer, "mapping");
        for (value, variant) in &spec.variants {
            let variant_pointer = format!("{pointer}.variants.{value}");
            let Some((target, entry)) = union.mapping.get(value) else {
                self.push(
                    &variant_pointer,
                    Anchor::Key,
                    &mapping_pointer,
                    UpstreamAspect::Variants,
                    format!(
                        "union `{name}` maps `{value}` to `{variant}` here; upstream does not map `{value}`"
                    ),
                    owners.clone(),
                );
                continue;
            };
            if target != variant {
                self.push(
                    &variant_pointer,
                    Anchor::Value,
                    entry,
                    UpstreamAspect::Name,
                    format!(
                        "union `{name}` maps `{value}` to `{variant}` here but to `{target}` upstream"
                    ),
                    vec![format!("types.{variant}"), pointer.clone()],
                );
            }
            let (Some(variant_spec), Some(variant_schema)) =
                (self.doc.types.get(variant), self.up.schemas.get(target))
            else {
                continue;
            };
            let (_, variant_schema) = self.up.resolve(variant_schema);
            match &variant_schema.kind {
                SchemaKind::Object(_) => {
                    self.object(variant, variant_spec, variant_schema, Some(&union.property));
                }
                other => self.push(
                    &variant_pointer,
                    Anchor::Value,
                    &variant_schema.pointer,
                    UpstreamAspect::Variants,
                    format!(
                        "variant `{value}` of union `{name}` is the object type `{variant}` here but {} upstream",
                        other.describe()
                    ),
                    owners.clone(),
                ),
            }
        }
        for (value, (target, entry)) in &union.mapping {
            if !spec.variants.contains_key(value) {
                self.push(
                    format!("{pointer}.variants"),
                    Anchor::Key,
                    entry,
                    UpstreamAspect::Variants,
                    format!(
                        "union `{name}` has no variant for `{value}`, which upstream maps to `{target}`"
                    ),
                    owners.clone(),
                );
            }
        }
    }
}

/// Pairs the path templates: `Ok` with spec placeholder → upstream placeholder when the
/// literal segments agree, `Err` with the pairing by position (as far as it goes) otherwise.
fn pair_paths(
    ours: &str,
    theirs: &str,
) -> Result<BTreeMap<String, String>, BTreeMap<String, String>> {
    let placeholder = |segment: &str| {
        segment
            .strip_prefix('{')
            .and_then(|rest| rest.strip_suffix('}'))
            .map(str::to_owned)
    };
    let ours: Vec<&str> = ours.trim_end_matches('/').split('/').collect();
    let theirs: Vec<&str> = theirs.trim_end_matches('/').split('/').collect();
    let mut mapping = BTreeMap::new();
    let mut same = ours.len() == theirs.len();
    for (a, b) in ours.iter().zip(theirs.iter()) {
        match (placeholder(a), placeholder(b)) {
            (Some(a), Some(b)) => {
                mapping.insert(a, b);
            }
            (None, None) if a == b => {}
            _ => same = false,
        }
    }
    if same { Ok(mapping) } else { Err(mapping) }
}

/// `` `A`, `B` ``.
fn quoted(values: &[String]) -> String {
    values
        .iter()
        .map(|value| format!("`{value}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every declared deviation of the document: owner pointer → (index, aspect).
fn declarations(doc: &SpecDocument) -> BTreeMap<String, Vec<(usize, UpstreamAspect)>> {
    let mut all: BTreeMap<String, Vec<(usize, UpstreamAspect)>> = BTreeMap::new();
    let mut add = |owner: String, list: &[crate::spec::DeviationSpec]| {
        if !list.is_empty() {
            all.entry(owner).or_default().extend(
                list.iter()
                    .enumerate()
                    .map(|(index, deviation)| (index, deviation.aspect)),
            );
        }
    };
    for (name, parameter) in &doc.parameters {
        add(format!("parameters.{name}"), &parameter.upstream_deviations);
    }
    for (name, definition) in &doc.enums {
        add(format!("enums.{name}"), &definition.upstream_deviations);
    }
    for (name, definition) in &doc.types {
        add(format!("types.{name}"), &definition.upstream_deviations);
        for (field, spec) in &definition.fields {
            add(
                format!("types.{name}.fields.{field}"),
                &spec.upstream_deviations,
            );
        }
    }
    for (name, definition) in &doc.unions {
        add(format!("unions.{name}"), &definition.upstream_deviations);
    }
    for (name, operation) in &doc.operations {
        add(format!("operations.{name}"), &operation.upstream_deviations);
    }
    all
}

/// The differences of one comparison that the document does not declare, as text lines
/// `pointer: message (upstream pointer)`; used to tell an existing entry from a collision.
pub(crate) fn undeclared(comparator: &mut Comparator<'_>) -> Vec<String> {
    let (left, _, _) = comparator.settle();
    left.into_iter()
        .map(|raw| format!("{}: {} ({})", raw.spec, raw.message, raw.upstream))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::pair_paths;

    #[test]
    fn path_parameters_pair_by_position_whatever_their_names() {
        let mapping = pair_paths(
            "/v2/groups/{group}/items/{id}",
            "/v2/groups/{groupId}/items/{itemId}",
        )
        .expect("same literals");
        assert_eq!(mapping.get("group").map(String::as_str), Some("groupId"));
        assert_eq!(mapping.get("id").map(String::as_str), Some("itemId"));
        assert!(pair_paths("/v2/groups/{g}/item", "/v2/groups/{g}/items").is_err());
        assert!(pair_paths("/v2/groups/{g}", "/v2/groups/{g}/items").is_err());
    }
}
