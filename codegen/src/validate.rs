//! Semantic checks of a parsed spec, and the construction of the [`model`](crate::model).
//!
//! Every check records a [`Diagnostic`] and carries on, so one run reports every problem.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{Diagnostic, SpecErrors};
use crate::model::{
    Api, Body, CrateInfo, DigestAuth, EnumDef, EnumVariant, Field, HttpMethod, Operation,
    PathParam, PathSegment, QueryParam, QueryType, Response, ResponseType, StructDef, TypeRef,
};
use heck::ToSnakeCase;

use crate::naming::{camel_ident, snake_ident, unraw};
use crate::spec::{FieldSpec, OperationSpec, ParameterSpec, SpecDocument};

/// Primitive type names a field may use.
const PRIMITIVES: &[&str] = &["string", "boolean", "integer", "number", "any"];

/// The name of the catch-all variant every generated enum has.
const UNKNOWN_VARIANT: &str = "Unknown";

/// Checks `document` and builds the model, or returns every problem found.
pub fn validate(file: &str, document: &SpecDocument) -> Result<Api, SpecErrors> {
    let mut checker = Checker {
        diagnostics: Vec::new(),
    };
    let api = checker.api(document);
    if checker.diagnostics.is_empty() {
        Ok(api)
    } else {
        Err(SpecErrors {
            file: file.to_owned(),
            diagnostics: checker.diagnostics,
        })
    }
}

struct Checker {
    diagnostics: Vec<Diagnostic>,
}

impl Checker {
    fn error(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::at(pointer, message));
    }

    fn api(&mut self, doc: &SpecDocument) -> Api {
        self.crate_info(doc);
        let base_url = doc.info.base_url.trim_end_matches('/').to_owned();
        if let Err(reason) = check_base_url(&doc.info.base_url) {
            self.error(
                "info.baseUrl",
                format!("`{}` is not a usable base URL: {reason}", doc.info.base_url),
            );
        }
        if doc.info.auth.scheme != "digest" {
            self.error(
                "info.auth.scheme",
                format!(
                    "unsupported auth scheme `{}`; the only supported scheme is `digest`",
                    doc.info.auth.scheme
                ),
            );
        }

        let mut type_names = BTreeMap::new();
        for name in doc.enums.keys() {
            type_names.insert(name.clone(), Kind::Enum);
        }
        for name in doc.types.keys() {
            if type_names.insert(name.clone(), Kind::Struct).is_some() {
                self.error(
                    format!("types.{name}"),
                    format!("`{name}` is declared both as an enum and as a type"),
                );
            }
        }
        let mut rust_type_names = BTreeMap::new();
        for (section, name) in doc
            .enums
            .keys()
            .map(|name| ("enums", name))
            .chain(doc.types.keys().map(|name| ("types", name)))
        {
            self.check_type_name(section, name);
            let ident = camel_ident(name);
            if let Some(previous) = rust_type_names.insert(ident.clone(), name.clone())
                && previous != *name
            {
                self.error(
                    format!("{section}.{name}"),
                    format!("`{name}` and `{previous}` both become the Rust type `{ident}`"),
                );
            }
        }

        let enums = doc
            .enums
            .iter()
            .map(|(name, spec)| self.enum_def(name, spec))
            .collect();
        let structs = doc
            .types
            .iter()
            .map(|(name, spec)| StructDef {
                name: name.clone(),
                ident: camel_ident(name),
                description: spec.description.clone(),
                fields: self.fields(name, &spec.fields, &type_names),
            })
            .collect();
        for (name, parameter) in &doc.parameters {
            self.parameter(name, parameter);
        }
        let mut method_names = BTreeMap::new();
        let mut operations = Vec::new();
        for (id, spec) in &doc.operations {
            let operation = self.operation(id, spec, doc, &type_names);
            if let Some(previous) = method_names.insert(operation.method_ident.clone(), id.clone())
            {
                self.error(
                    format!("operations.{id}"),
                    format!(
                        "`{id}` and `{previous}` both become the client method `{}`",
                        operation.method_ident
                    ),
                );
            }
            operations.push(operation);
        }

        Api {
            crate_info: CrateInfo {
                package: doc.crate_info.name.clone(),
                lib: doc.crate_info.name.replace('-', "_"),
                version: doc.crate_info.version.clone(),
                description: doc.crate_info.description.clone(),
            },
            title: doc.info.title.clone(),
            api_version: doc.info.version.clone(),
            description: doc.info.description.clone(),
            base_url,
            auth: DigestAuth {
                username_doc: doc.info.auth.username.clone(),
                password_doc: doc.info.auth.password.clone(),
                description: doc.info.auth.description.clone(),
            },
            enums,
            structs,
            operations,
        }
    }

    fn crate_info(&mut self, doc: &SpecDocument) {
        let name = &doc.crate_info.name;
        let valid = !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid {
            self.error(
                "crate.name",
                format!("`{name}` is not a valid crate name (lower-case ASCII letters, digits, `-` and `_`, starting with a letter)"),
            );
        }
        let version = &doc.crate_info.version;
        let parts: Vec<&str> = version.split('.').collect();
        if parts.len() != 3
            || parts
                .iter()
                .any(|part| part.is_empty() || !part.chars().all(|c| c.is_ascii_digit()))
        {
            self.error(
                "crate.version",
                format!("`{version}` is not a MAJOR.MINOR.PATCH version"),
            );
        }
    }

    fn check_type_name(&mut self, section: &str, name: &str) {
        let valid = name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid {
            self.error(
                format!("{section}.{name}"),
                format!("type name `{name}` must be UpperCamelCase ASCII letters and digits"),
            );
        } else if PRIMITIVES.contains(&name) || name == "Self" {
            self.error(
                format!("{section}.{name}"),
                format!("type name `{name}` is reserved"),
            );
        }
    }

    fn enum_def(&mut self, name: &str, spec: &crate::spec::EnumSpec) -> EnumDef {
        let pointer = format!("enums.{name}");
        if spec.values.is_empty() {
            self.error(
                format!("{pointer}.values"),
                "an enum needs at least one value",
            );
        }
        let mut wire_values = BTreeSet::new();
        let mut idents: BTreeMap<String, String> = BTreeMap::new();
        let mut variants = Vec::new();
        for (index, value) in spec.values.iter().enumerate() {
            let value_pointer = format!("{pointer}.values[{index}]");
            if value.value.is_empty() {
                self.error(
                    format!("{value_pointer}.value"),
                    "an enum value must not be empty",
                );
            }
            for spelling in std::iter::once(&value.value).chain(&value.aliases) {
                if !wire_values.insert(spelling.clone()) {
                    self.error(
                        value_pointer.clone(),
                        format!("value `{spelling}` appears more than once"),
                    );
                }
            }
            let ident = camel_ident(&value.value);
            if ident == UNKNOWN_VARIANT {
                self.error(
                    format!("{value_pointer}.value"),
                    format!("value `{}` becomes the variant `Unknown`, which is reserved for values this crate does not know", value.value),
                );
            }
            if let Some(previous) = idents.insert(ident.clone(), value.value.clone()) {
                self.error(
                    format!("{value_pointer}.value"),
                    format!(
                        "values `{previous}` and `{}` both become the variant `{ident}`",
                        value.value
                    ),
                );
            }
            variants.push(EnumVariant {
                wire: value.value.clone(),
                ident,
                description: value.description.clone(),
                aliases: value.aliases.clone(),
            });
        }
        EnumDef {
            name: name.to_owned(),
            ident: camel_ident(name),
            description: spec.description.clone(),
            variants,
        }
    }

    fn fields(
        &mut self,
        type_name: &str,
        fields: &indexmap::IndexMap<String, FieldSpec>,
        types: &BTreeMap<String, Kind>,
    ) -> Vec<Field> {
        let mut idents: BTreeMap<String, String> = BTreeMap::new();
        let mut result = Vec::new();
        if fields.is_empty() {
            self.error(
                format!("types.{type_name}.fields"),
                "a type needs at least one field",
            );
        }
        for (wire, spec) in fields {
            let pointer = format!("types.{type_name}.fields.{wire}");
            let ident = snake_ident(wire);
            if let Some(previous) = idents.insert(unraw(&ident).to_owned(), wire.clone()) {
                self.error(
                    pointer.clone(),
                    format!(
                        "fields `{previous}` and `{wire}` both become the Rust field `{ident}`"
                    ),
                );
            }
            let ty = self.type_ref(&pointer, &spec.ty, spec.items.as_deref(), types);
            result.push(Field {
                wire: wire.clone(),
                setter_ident: snake_ident(&format!("with_{}", wire.to_snake_case())),
                ident,
                ty,
                required: spec.required,
                nullable: spec.nullable,
                description: spec.description.clone(),
            });
        }
        result
    }

    fn type_ref(
        &mut self,
        pointer: &str,
        ty: &str,
        items: Option<&str>,
        types: &BTreeMap<String, Kind>,
    ) -> TypeRef {
        match (ty, items) {
            ("array", Some(items)) => {
                if items == "array" {
                    self.error(
                        format!("{pointer}.items"),
                        "nested arrays are not supported",
                    );
                    return TypeRef::Any;
                }
                TypeRef::Array(Box::new(self.type_ref(pointer, items, None, types)))
            }
            ("array", None) => {
                self.error(
                    pointer,
                    "`type: array` needs `items` naming the element type",
                );
                TypeRef::Any
            }
            (_, Some(_)) => {
                self.error(
                    format!("{pointer}.items"),
                    format!("`items` is only allowed with `type: array`, not `{ty}`"),
                );
                TypeRef::Any
            }
            ("string", None) => TypeRef::String,
            ("boolean", None) => TypeRef::Boolean,
            ("integer", None) => TypeRef::Integer,
            ("number", None) => TypeRef::Number,
            ("any", None) => TypeRef::Any,
            (name, None) => match types.get(name) {
                Some(Kind::Enum) => TypeRef::Enum(camel_ident(name)),
                Some(Kind::Struct) => TypeRef::Struct(camel_ident(name)),
                None => {
                    let mut message = format!("unknown type `{name}`");
                    if let Some(suggestion) = closest(
                        name,
                        types
                            .keys()
                            .map(String::as_str)
                            .chain(PRIMITIVES.iter().copied()),
                    ) {
                        message.push_str(&format!("; did you mean `{suggestion}`?"));
                    }
                    self.error(pointer, message);
                    TypeRef::Any
                }
            },
        }
    }

    fn parameter(&mut self, name: &str, spec: &ParameterSpec) {
        let pointer = format!("parameters.{name}");
        if spec.location != "path" && spec.location != "query" {
            self.error(
                format!("{pointer}.in"),
                format!("`in` must be `path` or `query`, not `{}`", spec.location),
            );
        }
        if !matches!(spec.ty.as_str(), "string" | "boolean" | "integer") {
            self.error(
                format!("{pointer}.type"),
                format!(
                    "parameter type must be `string`, `boolean` or `integer`, not `{}`",
                    spec.ty
                ),
            );
        }
        if spec.location == "path" && spec.ty != "string" {
            self.error(format!("{pointer}.type"), "path parameters must be strings");
        }
        if let Some(pattern) = &spec.pattern {
            if spec.ty != "string" {
                self.error(
                    format!("{pointer}.pattern"),
                    "`pattern` is only allowed on string parameters",
                );
            }
            if let Err(error) = regex_lite::Regex::new(pattern) {
                self.error(
                    format!("{pointer}.pattern"),
                    format!("invalid regular expression: {error}"),
                );
            } else if !pattern.starts_with('^') || !pattern.ends_with('$') {
                self.error(
                    format!("{pointer}.pattern"),
                    "a pattern must be anchored with `^` and `$` so it checks the whole value",
                );
            }
        }
        if spec.response_envelope && (spec.location != "query" || spec.ty != "boolean") {
            self.error(
                format!("{pointer}.responseEnvelope"),
                "only a boolean query parameter can switch the response envelope",
            );
        }
    }

    fn operation(
        &mut self,
        id: &str,
        spec: &OperationSpec,
        doc: &SpecDocument,
        types: &BTreeMap<String, Kind>,
    ) -> Operation {
        let pointer = format!("operations.{id}");
        if !id.starts_with(|c: char| c.is_ascii_lowercase())
            || !id.chars().all(|c| c.is_ascii_alphanumeric())
        {
            self.error(
                pointer.clone(),
                format!("operation id `{id}` must be lowerCamelCase ASCII letters and digits"),
            );
        }
        let http_method = match spec.method.as_str() {
            "GET" => HttpMethod::Get,
            "POST" => HttpMethod::Post,
            "PUT" => HttpMethod::Put,
            "PATCH" => HttpMethod::Patch,
            "DELETE" => HttpMethod::Delete,
            other => {
                self.error(
                    format!("{pointer}.method"),
                    format!(
                        "unsupported HTTP method `{other}`; use GET, POST, PUT, PATCH or DELETE"
                    ),
                );
                HttpMethod::Get
            }
        };

        // Parameters: resolve references, split path and query.
        let mut path_specs: BTreeMap<&str, &ParameterSpec> = BTreeMap::new();
        let mut query_params = Vec::new();
        let mut seen = BTreeSet::new();
        for (index, name) in spec.parameters.iter().enumerate() {
            let param_pointer = format!("{pointer}.parameters[{index}]");
            if !seen.insert(name.as_str()) {
                self.error(
                    param_pointer.clone(),
                    format!("parameter `{name}` is listed twice"),
                );
                continue;
            }
            let Some(parameter) = doc.parameters.get(name) else {
                let mut message = format!("unknown parameter `{name}`");
                if let Some(suggestion) = closest(name, doc.parameters.keys().map(String::as_str)) {
                    message.push_str(&format!("; did you mean `{suggestion}`?"));
                }
                self.error(param_pointer, message);
                continue;
            };
            if parameter.location == "path" {
                path_specs.insert(name, parameter);
            } else {
                query_params.push(QueryParam {
                    wire: name.clone(),
                    ident: snake_ident(name),
                    ty: match parameter.ty.as_str() {
                        "boolean" => QueryType::Boolean,
                        "integer" => QueryType::Integer,
                        _ => QueryType::String,
                    },
                    description: parameter.description.clone(),
                    default: parameter.default.clone(),
                    response_envelope: parameter.response_envelope,
                });
            }
        }

        // Path template: literal text and `{NAME}` placeholders, each declared exactly once.
        let mut path = Vec::new();
        let mut path_params: Vec<PathParam> = Vec::new();
        match split_template(&spec.path) {
            Err(message) => self.error(format!("{pointer}.path"), message),
            Ok(pieces) => {
                if !spec.path.starts_with('/') {
                    self.error(format!("{pointer}.path"), "the path must start with `/`");
                }
                for piece in pieces {
                    match piece {
                        TemplatePiece::Literal(text) => path.push(PathSegment::Literal(text)),
                        TemplatePiece::Placeholder(name) => {
                            if path_params.iter().any(|param| param.wire == name) {
                                self.error(
                                    format!("{pointer}.path"),
                                    format!("placeholder {{{name}}} appears more than once"),
                                );
                                continue;
                            }
                            match path_specs.get(name.as_str()) {
                                Some(parameter) => {
                                    path.push(PathSegment::Param(path_params.len()));
                                    path_params.push(PathParam {
                                        wire: name.clone(),
                                        ident: snake_ident(&name),
                                        description: parameter.description.clone(),
                                        pattern: parameter.pattern.clone(),
                                        pattern_description: parameter.pattern_description.clone(),
                                        example: parameter.example.as_ref().and_then(|value| value.as_str()).map(str::to_owned),
                                    });
                                }
                                None => self.error(
                                    format!("{pointer}.path"),
                                    format!("placeholder {{{name}}} is not declared as a path parameter in `parameters`"),
                                ),
                            }
                        }
                    }
                }
            }
        }
        for name in path_specs.keys() {
            if !path_params.iter().any(|param| param.wire == *name) {
                self.error(
                    format!("{pointer}.parameters"),
                    format!("path parameter `{name}` is not used in the path template"),
                );
            }
        }
        let mut argument_names: BTreeMap<String, String> = BTreeMap::new();
        for (wire, ident) in path_params
            .iter()
            .map(|param| (&param.wire, &param.ident))
            .chain(query_params.iter().map(|param| (&param.wire, &param.ident)))
        {
            if let Some(previous) = argument_names.insert(unraw(ident).to_owned(), wire.clone()) {
                self.error(
                    format!("{pointer}.parameters"),
                    format!("parameters `{previous}` and `{wire}` both become `{ident}`"),
                );
            }
        }
        if query_params
            .iter()
            .filter(|param| param.response_envelope)
            .count()
            > 1
        {
            self.error(
                format!("{pointer}.parameters"),
                "at most one parameter may switch the response envelope",
            );
        }

        let body = spec.request_body.as_ref().and_then(|body| {
            if matches!(http_method, HttpMethod::Get | HttpMethod::Delete) {
                self.error(
                    format!("{pointer}.requestBody"),
                    format!("a {} request cannot have a body", http_method.as_str()),
                );
            }
            match types.get(&body.ty) {
                Some(Kind::Struct) => Some(Body {
                    type_ident: camel_ident(&body.ty),
                    description: body.description.clone(),
                }),
                _ => {
                    self.error(
                        format!("{pointer}.requestBody.type"),
                        format!(
                            "`{}` is not a declared type (a request body must be one of `types`)",
                            body.ty
                        ),
                    );
                    None
                }
            }
        });

        let response_pointer = format!("{pointer}.response");
        let response_ty = match (spec.response.ty.as_str(), spec.response.items.as_deref()) {
            ("empty", None) => ResponseType::Empty,
            ("array", _) => match self.type_ref(
                &response_pointer,
                "array",
                spec.response.items.as_deref(),
                types,
            ) {
                TypeRef::Array(inner) => ResponseType::Array(*inner),
                _ => ResponseType::Empty,
            },
            (name, None) => match types.get(name) {
                Some(Kind::Struct) => ResponseType::Struct(camel_ident(name)),
                _ => {
                    self.error(format!("{response_pointer}.type"), format!("`{name}` is not a declared type; a response is a type, `array` (with `items`) or `empty`"));
                    ResponseType::Empty
                }
            },
            (_, Some(_)) => {
                self.error(
                    format!("{response_pointer}.items"),
                    "`items` is only allowed with `type: array`",
                );
                ResponseType::Empty
            }
        };

        let examples = spec.examples.as_ref();
        let example_request = examples.and_then(|examples| examples.request.as_ref());
        Operation {
            id: id.to_owned(),
            method_ident: snake_ident(id),
            builder_ident: camel_ident(id),
            summary: spec.summary.clone(),
            description: spec.description.clone(),
            http_method,
            path_template: spec.path.clone(),
            path,
            path_params,
            query_params,
            body,
            response: Response {
                ty: response_ty,
                description: spec.response.description.clone(),
            },
            required_roles: spec.required_roles.clone(),
            considerations: spec.considerations.clone(),
            example_request_body: example_request.and_then(|request| request.body.clone()),
            example_request_query: example_request.and_then(|request| request.query.clone()),
            example_response: examples.and_then(|examples| examples.response.clone()),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Enum,
    Struct,
}

enum TemplatePiece {
    Literal(String),
    Placeholder(String),
}

/// Splits `/groups/{GROUP-ID}/x` into literals and placeholders, rejecting malformed braces.
fn split_template(template: &str) -> Result<Vec<TemplatePiece>, String> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!("unmatched `}}` in path template `{template}`"));
        }
        if open > 0 {
            pieces.push(TemplatePiece::Literal(rest[..open].to_owned()));
        }
        let after = &rest[open + 1..];
        let close = after
            .find(['{', '}'])
            .ok_or_else(|| format!("unclosed `{{` in path template `{template}`"))?;
        if after[close..].starts_with('{') {
            return Err(format!("nested `{{` in path template `{template}`"));
        }
        let name = &after[..close];
        if name.is_empty() {
            return Err(format!(
                "empty placeholder `{{}}` in path template `{template}`"
            ));
        }
        pieces.push(TemplatePiece::Placeholder(name.to_owned()));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(TemplatePiece::Literal(rest.to_owned()));
    }
    Ok(pieces)
}

/// A light check of the base URL; the generated client parses it properly at run time.
fn check_base_url(url: &str) -> Result<(), &'static str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("it must start with http:// or https://")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err("it has no host");
    }
    if url.contains(['?', '#']) {
        return Err("it must not contain a query or fragment");
    }
    Ok(())
}

/// The candidate closest to `name` by edit distance, if it is close enough to be a likely typo.
fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|candidate| {
            (
                edit_distance(&name.to_lowercase(), &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            let deletion = previous[j + 1] + 1;
            let insertion = current[j] + 1;
            current.push(substitution.min(deletion).min(insertion));
        }
        previous = current;
    }
    previous[b.len()]
}
