//! Semantic checks of a parsed spec, and the construction of the [`model`](crate::model).
//!
//! Every check records a [`Diagnostic`] and carries on, so one run reports every problem.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{Diagnostic, SpecErrors};
use crate::model::{
    Api, Body, BodyVariantCheck, CrateInfo, DiscriminatorArgument, DiscriminatorSource, EnumDef,
    EnumVariant, Field, HttpMethod, Operation, PathParam, PathSegment, QueryParam, Response,
    ResponseType, StructDef, TypeRef, UnionDef,
};
use crate::reserved;
use heck::ToSnakeCase;

use crate::naming::{camel_ident, is_keyword, snake_ident, unraw};
use crate::spec::{
    FieldSpec, OperationSpec, ParameterLocation, ParameterSpec, ParameterType, SpecDocument,
};
use crate::suggest::closest;

mod auth;
mod deviations;
mod unions;
mod versions;
mod waiters;

/// Primitive type names a field may use.
const PRIMITIVES: &[&str] = &["string", "boolean", "integer", "number", "any"];

/// The name of the catch-all variant every generated enum has.
const UNKNOWN_VARIANT: &str = "Unknown";

/// A parameter's Rust name: its snake_case name, with `_` appended when that is a name the
/// generated builders define themselves (`send` → `send_`, as a keyword `self` → `self_`), so
/// the spec never has to rename a parameter of the API.
fn parameter_ident(wire: &str) -> String {
    let ident = snake_ident(wire);
    if reserved::is_builder_name(unraw(&ident)) {
        format!("{}_", unraw(&ident))
    } else {
        ident
    }
}

/// Checks `document` and builds the model, or returns every problem found.
pub fn validate(file: &str, document: &SpecDocument) -> Result<Api, SpecErrors> {
    let mut checker = Checker {
        diagnostics: Vec::new(),
    };
    let api = checker.api(document);
    if checker.diagnostics.is_empty() {
        Ok(api)
    } else {
        // Unsorted and unlocated: `load::Loaded::finish` locates and sorts them.
        Err(SpecErrors {
            file: file.to_owned(),
            diagnostics: checker.diagnostics,
            omitted: 0,
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

    /// A problem with the name (the key) at `pointer` rather than with its value.
    fn key_error(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::at_key(pointer, message));
    }

    /// Reports `ident` (derived from `wire`) unless it is an ASCII identifier: the generated
    /// code, and every Rust tool reading it, can rely on that.
    fn check_ascii_ident(&mut self, pointer: &str, at_key: bool, wire: &str, ident: &str) {
        if unraw(ident)
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return;
        }
        let message = format!(
            "`{wire}` becomes the Rust name `{ident}`, which is not ASCII; use ASCII letters, digits, `-` or `_`"
        );
        if at_key {
            self.key_error(pointer, message);
        } else {
            self.error(pointer, message);
        }
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
        let mut type_names = BTreeMap::new();
        for name in doc.enums.keys() {
            type_names.insert(name.clone(), Kind::Enum);
        }
        for (section, kind, names) in [
            ("types", Kind::Struct, &doc.types.keys().collect::<Vec<_>>()),
            (
                "unions",
                Kind::Union,
                &doc.unions.keys().collect::<Vec<_>>(),
            ),
        ] {
            for name in names {
                if let Some(previous) = type_names.insert((*name).clone(), kind) {
                    self.key_error(
                        format!("{section}.{name}"),
                        format!(
                            "`{name}` is declared both as {} and as {}",
                            previous.described(),
                            kind.described()
                        ),
                    );
                }
            }
        }
        let mut rust_type_names = BTreeMap::new();
        for (section, name) in doc
            .enums
            .keys()
            .map(|name| ("enums", name))
            .chain(doc.types.keys().map(|name| ("types", name)))
            .chain(doc.unions.keys().map(|name| ("unions", name)))
        {
            self.check_type_name(section, name);
            let ident = camel_ident(name);
            if let Some(previous) = rust_type_names.insert(ident.clone(), name.clone())
                && previous != *name
            {
                self.key_error(
                    format!("{section}.{name}"),
                    format!("`{name}` and `{previous}` both become the Rust type `{ident}`"),
                );
            }
        }

        let enums: Vec<EnumDef> = doc
            .enums
            .iter()
            .map(|(name, spec)| self.enum_def(name, spec))
            .collect();
        let structs: Vec<StructDef> = doc
            .types
            .iter()
            .map(|(name, spec)| StructDef {
                name: name.clone(),
                ident: camel_ident(name),
                description: spec.description.clone(),
                fields: self.fields(name, &spec.fields, &type_names),
                sent: false,
                received: false,
            })
            .collect();
        let versions = self.api_versions(doc);
        let auth = self.auth(&doc.info.auth);
        // Parameters become arguments, setters and (with a pattern) statics named after them,
        // so two that become the same Rust name would clash wherever both are used.
        let mut parameter_idents: BTreeMap<String, String> = BTreeMap::new();
        for (name, parameter) in &doc.parameters {
            self.parameter(name, parameter, &type_names);
            let ident = snake_ident(name);
            if let Some(previous) = parameter_idents.insert(unraw(&ident).to_owned(), name.clone())
            {
                self.key_error(
                    format!("parameters.{name}"),
                    format!(
                        "parameters `{previous}` and `{name}` both become the Rust name `{ident}`"
                    ),
                );
            }
        }
        let mut method_names = BTreeMap::new();
        let mut operations = Vec::new();
        for (id, spec) in &doc.operations {
            let operation = self.operation(id, spec, doc, &type_names, &versions);
            if let Some(previous) = method_names.insert(operation.method_ident.clone(), id.clone())
            {
                self.key_error(
                    format!("operations.{id}"),
                    format!(
                        "`{id}` and `{previous}` both become the client method `{}`",
                        operation.method_ident
                    ),
                );
            }
            operations.push(operation);
        }
        let mut structs = structs;
        let mut unions: Vec<UnionDef> = doc
            .unions
            .iter()
            .map(|(name, spec)| self.union_def(name, spec, &structs, &enums))
            .collect();
        let mut operations = operations;
        for operation in &mut operations {
            operation.response.discriminator_source =
                discriminator_source(operation, &structs, &unions);
            operation.body_variant_check = body_variant_check(operation, &unions);
        }
        let common_query_params = common_query_params(&mut operations);
        self.check_recursion(&doc.types, &structs, &unions);
        self.upstream_deviations(doc);
        mark_directions(&mut structs, &mut unions, &operations);
        let waiters = self.waiters(
            doc,
            &waiters::Built {
                operations: &operations,
                structs: &structs,
                unions: &unions,
                enums: &enums,
            },
        );

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
            auth,
            enums,
            structs,
            unions,
            common_query_params,
            operations,
            waiters,
        }
    }

    /// Reports each object type that contains itself without a list in between (directly,
    /// or through other types and unions): Rust cannot give such a value a size.
    fn check_recursion(
        &mut self,
        specs: &indexmap::IndexMap<String, crate::spec::TypeSpec>,
        structs: &[StructDef],
        unions: &[UnionDef],
    ) {
        /// The object types a value of `ty` holds inline (lists hold theirs on the heap).
        fn inline_structs<'a>(ty: &'a TypeRef, unions: &'a [UnionDef]) -> Vec<&'a str> {
            match ty {
                TypeRef::Struct(name) => vec![name.as_str()],
                TypeRef::Union(name) => unions
                    .iter()
                    .filter(|def| def.ident == *name)
                    .flat_map(|def| {
                        def.variants
                            .iter()
                            .map(|variant| variant.struct_ident.as_str())
                    })
                    .collect(),
                _ => Vec::new(),
            }
        }
        for start in structs {
            // Depth-first over inline containment, remembering the path back to `start`.
            let mut stack: Vec<(&str, Vec<&str>)> = vec![(start.ident.as_str(), Vec::new())];
            let mut seen = BTreeSet::new();
            let mut cycle = None;
            while let Some((name, path)) = stack.pop() {
                let Some(def) = structs.iter().find(|def| def.ident == name) else {
                    continue;
                };
                for field in &def.fields {
                    for next in inline_structs(&field.ty, unions) {
                        let mut route = path.clone();
                        route.push(name);
                        if next == start.ident {
                            cycle.get_or_insert((route, field.wire.clone()));
                        } else if seen.insert(next) {
                            stack.push((next, route));
                        }
                    }
                }
            }
            let Some((route, first_field)) = cycle else {
                continue;
            };
            // Report once per cycle, at the type first declared in it.
            let first_declared = specs
                .keys()
                .map(|name| camel_ident(name))
                .find(|ident| route.contains(&ident.as_str()));
            if first_declared.as_deref() != Some(start.ident.as_str()) {
                continue;
            }
            let mut chain: Vec<&str> = route.clone();
            chain.push(&start.ident);
            // The field of `start` that leads into the cycle.
            let field = match route.get(1) {
                None => first_field,
                Some(next) => start
                    .fields
                    .iter()
                    .find(|field| inline_structs(&field.ty, unions).contains(next))
                    .map_or(first_field, |field| field.wire.clone()),
            };
            self.key_error(
                format!("types.{}.fields.{field}", start.name),
                format!(
                    "`{}` contains itself with no list in between ({}), so it would have no finite size; make one of these fields an `array`",
                    start.name,
                    chain.join(" → ")
                ),
            );
        }
    }

    fn crate_info(&mut self, doc: &SpecDocument) {
        let name = &doc.crate_info.name;
        let valid = !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        let lib = name.replace('-', "_");
        if !valid {
            self.error(
                "crate.name",
                format!("`{name}` is not a valid crate name (lower-case ASCII letters, digits, `-` and `_`, starting with a letter)"),
            );
        } else if is_keyword(&lib) || reserved::CRATE_NAMES.contains(&lib.as_str()) {
            self.error(
                "crate.name",
                format!("`{name}` cannot be a crate name: `{lib}` is a Rust keyword or the name of a standard crate"),
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
            self.key_error(
                format!("{section}.{name}"),
                format!("type name `{name}` must be UpperCamelCase ASCII letters and digits"),
            );
        } else if reserved::TYPE_NAMES.contains(&name) {
            self.key_error(
                format!("{section}.{name}"),
                format!(
                    "type name `{name}` is reserved: the generated `types` module defines it itself"
                ),
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
        // Every spelling (value or alias) and where it is first listed.
        let mut wire_values: BTreeMap<String, String> = BTreeMap::new();
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
            let spellings = std::iter::once((format!("{value_pointer}.value"), &value.value))
                .chain(value.aliases.iter().enumerate().map(|(alias, spelling)| {
                    (format!("{value_pointer}.aliases[{alias}]"), spelling)
                }));
            // A repeated value is reported as such, not again as a variant name collision.
            let repeated = wire_values.contains_key(&value.value);
            for (spelling_pointer, spelling) in spellings {
                if let Some(first) = wire_values.get(spelling) {
                    let message = format!(
                        "value `{spelling}` appears more than once in the enum (first at `{first}`)"
                    );
                    self.error(spelling_pointer, message);
                } else {
                    wire_values.insert(spelling.clone(), spelling_pointer);
                }
            }
            let ident = camel_ident(&value.value);
            self.check_ascii_ident(
                &format!("{value_pointer}.value"),
                false,
                &value.value,
                &ident,
            );
            if ident == UNKNOWN_VARIANT {
                self.error(
                    format!("{value_pointer}.value"),
                    format!("value `{}` becomes the variant `Unknown`, which is reserved for values this crate does not know", value.value),
                );
            }
            if let Some(previous) = idents.insert(ident.clone(), value.value.clone())
                && !repeated
            {
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
            self.check_ascii_ident(&pointer, true, wire, &ident);
            if let Some(previous) = idents.insert(unraw(&ident).to_owned(), wire.clone()) {
                self.key_error(
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
            ("array", Some(items)) => TypeRef::Array(Box::new(self.named_type(
                &format!("{pointer}.items"),
                items,
                types,
            ))),
            ("array", None) => {
                self.error(
                    format!("{pointer}.type"),
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
            (name, None) => self.named_type(&format!("{pointer}.type"), name, types),
        }
    }

    /// A primitive or declared type named by the string at `pointer`.
    fn named_type(&mut self, pointer: &str, name: &str, types: &BTreeMap<String, Kind>) -> TypeRef {
        match name {
            "string" => TypeRef::String,
            "boolean" => TypeRef::Boolean,
            "integer" => TypeRef::Integer,
            "number" => TypeRef::Number,
            "any" => TypeRef::Any,
            "array" => {
                self.error(pointer, "nested arrays are not supported");
                TypeRef::Any
            }
            name => match types.get(name) {
                Some(Kind::Enum) => TypeRef::Enum(camel_ident(name)),
                Some(Kind::Struct) => TypeRef::Struct(camel_ident(name)),
                Some(Kind::Union) => TypeRef::Union(camel_ident(name)),
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

    fn parameter(&mut self, name: &str, spec: &ParameterSpec, types: &BTreeMap<String, Kind>) {
        let pointer = format!("parameters.{name}");
        let ident = parameter_ident(name);
        self.check_ascii_ident(&pointer, true, name, &ident);
        if spec.location == ParameterLocation::Path && spec.ty != ParameterType::String {
            self.error(format!("{pointer}.type"), "path parameters must be strings");
        }
        if let Some(enum_name) = &spec.enum_type {
            if spec.ty != ParameterType::String {
                self.error(
                    format!("{pointer}.enum"),
                    format!(
                        "`enum` is only allowed on string parameters; this one is `{}`",
                        spec.ty.as_str()
                    ),
                );
            }
            if spec.pattern.is_some() {
                self.error(
                    format!("{pointer}.pattern"),
                    "an enum parameter takes the enum's values; it cannot also have a pattern",
                );
            }
            if !matches!(types.get(enum_name), Some(Kind::Enum)) {
                let mut message = format!("`{enum_name}` is not a declared enum");
                if let Some(suggestion) = closest(
                    enum_name,
                    types
                        .iter()
                        .filter(|(_, kind)| matches!(kind, Kind::Enum))
                        .map(|(name, _)| name.as_str()),
                ) {
                    message.push_str(&format!("; did you mean `{suggestion}`?"));
                }
                self.error(format!("{pointer}.enum"), message);
            }
        }
        if let Some(pattern) = &spec.pattern {
            if spec.ty != ParameterType::String {
                self.error(
                    format!("{pointer}.pattern"),
                    "`pattern` is only allowed on string parameters",
                );
            }
            if let Err(error) = crate::pattern::check(pattern) {
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
        if spec.response_envelope
            && (spec.location != ParameterLocation::Query || spec.ty != ParameterType::Boolean)
        {
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
        versions: &versions::Versions,
    ) -> Operation {
        let pointer = format!("operations.{id}");
        if !id.starts_with(|c: char| c.is_ascii_lowercase())
            || !id.chars().all(|c| c.is_ascii_alphanumeric())
        {
            self.key_error(
                pointer.clone(),
                format!("operation id `{id}` must be lowerCamelCase ASCII letters and digits"),
            );
        } else if reserved::CLIENT_METHODS.contains(&unraw(&snake_ident(id))) {
            self.key_error(
                pointer.clone(),
                format!(
                    "operation id `{id}` would become the method `{}`, which `Client` already has; rename the operation",
                    snake_ident(id)
                ),
            );
        } else if reserved::MOCK_SERVER_METHODS.contains(&unraw(&snake_ident(id))) {
            // The mock server has one method per operation beside its own.
            self.key_error(
                pointer.clone(),
                format!(
                    "operation id `{id}` would become the method `{}`, which the generated mock server already has; rename the operation",
                    snake_ident(id)
                ),
            );
        }
        let http_method = spec.method;

        // Parameters: resolve references, split path and query.
        // Path parameters by name, with their index in the operation's `parameters`.
        let mut path_specs: BTreeMap<&str, (usize, &ParameterSpec)> = BTreeMap::new();
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
            if parameter.location == ParameterLocation::Path {
                path_specs.insert(name, (index, parameter));
            } else {
                query_params.push(QueryParam {
                    wire: name.clone(),
                    ident: parameter_ident(name),
                    ty: parameter.ty,
                    enum_ident: enum_ident(parameter, types),
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
                if spec.path.contains(['?', '#']) {
                    self.error(
                        format!("{pointer}.path"),
                        "the path must not contain `?` or `#`; declare query parameters in `parameters` instead",
                    );
                }
                if spec
                    .path
                    .contains(|c: char| c.is_whitespace() || c.is_control())
                {
                    self.error(
                        format!("{pointer}.path"),
                        "the path must not contain spaces or control characters",
                    );
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
                                Some((_, parameter)) => {
                                    path.push(PathSegment::Param(path_params.len()));
                                    path_params.push(PathParam {
                                        wire: name.clone(),
                                        ident: parameter_ident(&name),
                                        description: parameter.description.clone(),
                                        pattern: parameter.pattern.clone(),
                                        pattern_description: parameter.pattern_description.clone(),
                                        // Doc examples need a value the argument accepts.
                                        example: parameter
                                            .example
                                            .as_ref()
                                            .and_then(|value| value.as_str())
                                            .map(str::to_owned)
                                            .or_else(|| {
                                                let name = parameter.enum_type.as_ref()?;
                                                let first = doc.enums.get(name)?.values.first()?;
                                                Some(first.value.clone())
                                            }),
                                        enum_ident: enum_ident(parameter, types),
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
        if split_template(&spec.path).is_ok() {
            for (name, (index, _)) in &path_specs {
                if !path_params.iter().any(|param| param.wire == *name) {
                    self.error(
                        format!("{pointer}.parameters[{index}]"),
                        format!("path parameter `{name}` is not used in the path template"),
                    );
                }
            }
        }
        let version = self.operation_version(&pointer, spec, versions);
        if let Some(PathSegment::Literal(first)) = path.first_mut() {
            first.insert_str(0, &version.path_prefix);
        }
        // Two parameters of one operation cannot become the same Rust name: the top-level
        // check in `api` reports that for every pair of declared parameters.
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
            let ty = match types.get(&body.ty) {
                Some(Kind::Struct) => TypeRef::Struct(camel_ident(&body.ty)),
                Some(Kind::Union) => TypeRef::Union(camel_ident(&body.ty)),
                _ => {
                    self.error(
                        format!("{pointer}.requestBody.type"),
                        format!(
                            "`{}` is not a declared type (a request body must be one of `types` or `unions`)",
                            body.ty
                        ),
                    );
                    return None;
                }
            };
            Some(Body {
                ty,
                description: body.description.clone(),
            })
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
                Some(Kind::Struct) => ResponseType::Object(TypeRef::Struct(camel_ident(name))),
                Some(Kind::Union) => ResponseType::Object(TypeRef::Union(camel_ident(name))),
                _ => {
                    self.error(format!("{response_pointer}.type"), format!("`{name}` is not a declared type; a response is a type, a union, `array` (with `items`) or `empty`"));
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

        if spec.response.status == 204 && response_ty != ResponseType::Empty {
            self.error(
                format!("{response_pointer}.status"),
                format!(
                    "a 204 answer has no body, so the response type must be `empty`, not `{}`",
                    spec.response.ty
                ),
            );
        }

        let examples = spec.examples.as_ref();
        let example_request = examples.and_then(|examples| examples.request.as_ref());
        Operation {
            id: id.to_owned(),
            method_ident: snake_ident(id),
            builder_ident: camel_ident(id),
            summary: spec.summary.clone(),
            description: spec.description.clone(),
            official_id: spec.operation_id.clone(),
            http_method,
            path_template: format!("{}{}", version.path_prefix, spec.path),
            path,
            api_version: version.name,
            media_type: version.media_type,
            path_params,
            query_params,
            body,
            body_variant_check: None,
            response: Response {
                ty: response_ty,
                description: spec.response.description.clone(),
                status: spec.response.status,
                discriminator_source: None,
            },
            required_roles: spec.required_roles.clone(),
            considerations: spec.considerations.clone(),
            example_request_body: example_request.and_then(|request| request.body.clone()),
            example_request_query: example_request.and_then(|request| request.query.clone()),
            example_response: examples.and_then(|examples| examples.response.clone()),
        }
    }
}

/// Takes out the query parameters that every operation declares alike (Atlas's `pretty` and
/// `envelope`): the generated crate defines their setters once, for every request.
fn common_query_params(operations: &mut [Operation]) -> Vec<QueryParam> {
    let Some((first, rest)) = operations.split_first() else {
        return Vec::new();
    };
    let common: Vec<QueryParam> = first
        .query_params
        .iter()
        .filter(|param| {
            rest.iter()
                .all(|operation| operation.query_params.contains(param))
        })
        .cloned()
        .collect();
    for operation in operations {
        operation
            .query_params
            .retain(|param| !common.contains(param));
    }
    common
}

/// Marks which object types and unions the client sends (request bodies and what they
/// contain) and which it receives (responses and what they contain).
fn mark_directions(structs: &mut [StructDef], unions: &mut [UnionDef], operations: &[Operation]) {
    /// The object types and unions `ty` is or contains, transitively, added to `seen`.
    fn reach(
        structs: &[StructDef],
        unions: &[UnionDef],
        ty: &TypeRef,
        seen: &mut BTreeSet<String>,
    ) {
        match ty {
            TypeRef::Struct(name) => {
                if !seen.insert(name.clone()) {
                    return;
                }
                if let Some(def) = structs.iter().find(|def| def.ident == *name) {
                    for field in &def.fields {
                        reach(structs, unions, &field.ty, seen);
                    }
                }
            }
            TypeRef::Union(name) => {
                if !seen.insert(name.clone()) {
                    return;
                }
                if let Some(def) = unions.iter().find(|def| def.ident == *name) {
                    for variant in &def.variants {
                        let ty = TypeRef::Struct(variant.struct_ident.clone());
                        reach(structs, unions, &ty, seen);
                    }
                }
            }
            TypeRef::Array(inner) => reach(structs, unions, inner, seen),
            _ => {}
        }
    }
    let mut sent = BTreeSet::new();
    let mut received = BTreeSet::new();
    for operation in operations {
        if let Some(body) = &operation.body {
            reach(structs, unions, &body.ty, &mut sent);
        }
        match &operation.response.ty {
            ResponseType::Object(ty) | ResponseType::Array(ty) => {
                reach(structs, unions, ty, &mut received);
            }
            ResponseType::Empty => {}
        }
    }
    for def in structs {
        def.sent = sent.contains(&def.ident);
        def.received = received.contains(&def.ident);
    }
    for def in unions {
        def.sent = sent.contains(&def.ident);
        def.received = received.contains(&def.ident);
    }
}

/// Where a union answer's missing discriminator comes from: the operation's path parameter of
/// the discriminator's enum, else the object body's required field of that enum.
fn discriminator_source(
    operation: &Operation,
    structs: &[StructDef],
    unions: &[UnionDef],
) -> Option<DiscriminatorSource> {
    let union_name = match &operation.response.ty {
        ResponseType::Object(TypeRef::Union(name)) => name,
        ResponseType::Array(TypeRef::Union(name)) => name,
        _ => return None,
    };
    let union = unions.iter().find(|def| def.ident == *union_name)?;
    let from = discriminator_param(operation, union)
        .map(|param| DiscriminatorArgument::PathParam(param.ident.clone()))
        .or_else(|| {
            let TypeRef::Struct(body) = &operation.body.as_ref()?.ty else {
                return None;
            };
            let body = structs.iter().find(|def| def.ident == *body)?;
            body.fields
                .iter()
                .find(|field| {
                    field.is_constructor_arg()
                        && field.ty == TypeRef::Enum(union.discriminator_enum.clone())
                })
                .map(|field| DiscriminatorArgument::BodyField(field.ident.clone()))
        })?;
    Some(DiscriminatorSource {
        member: union.discriminator_wire.clone(),
        from,
    })
}

/// A union body and a path parameter of its discriminator's enum must name the same variant.
fn body_variant_check(operation: &Operation, unions: &[UnionDef]) -> Option<BodyVariantCheck> {
    let TypeRef::Union(name) = &operation.body.as_ref()?.ty else {
        return None;
    };
    let union = unions.iter().find(|def| def.ident == *name)?;
    let param = discriminator_param(operation, union)?;
    Some(BodyVariantCheck {
        accessor: union.discriminator_ident.clone(),
        param_ident: param.ident.clone(),
    })
}

/// The operation's path parameter that takes the values of `union`'s discriminator.
fn discriminator_param<'a>(operation: &'a Operation, union: &UnionDef) -> Option<&'a PathParam> {
    operation
        .path_params
        .iter()
        .find(|param| param.enum_ident.as_deref() == Some(union.discriminator_enum.as_str()))
}

/// The Rust name of the enum a parameter takes, when it names a declared one.
fn enum_ident(parameter: &ParameterSpec, types: &BTreeMap<String, Kind>) -> Option<String> {
    let name = parameter.enum_type.as_ref()?;
    matches!(types.get(name), Some(Kind::Enum)).then(|| camel_ident(name))
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Enum,
    Struct,
    Union,
}

impl Kind {
    fn described(self) -> &'static str {
        match self {
            Kind::Enum => "an enum",
            Kind::Struct => "a type",
            Kind::Union => "a union",
        }
    }
}

enum TemplatePiece {
    Literal(String),
    Placeholder(String),
}

/// Splits `/orgs/{ORG-ID}/x` into literals and placeholders, rejecting malformed braces.
fn split_template(template: &str) -> Result<Vec<TemplatePiece>, String> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    // The name of the placeholder being read, between `{` and `}`.
    let mut placeholder: Option<String> = None;
    for c in template.chars() {
        match (c, placeholder.as_mut()) {
            ('{', None) => {
                if !literal.is_empty() {
                    pieces.push(TemplatePiece::Literal(std::mem::take(&mut literal)));
                }
                placeholder = Some(String::new());
            }
            ('{', Some(_)) => {
                return Err(format!("nested `{{` in path template `{template}`"));
            }
            ('}', None) => {
                return Err(format!("unmatched `}}` in path template `{template}`"));
            }
            ('}', Some(name)) => {
                if name.is_empty() {
                    return Err(format!(
                        "empty placeholder `{{}}` in path template `{template}`"
                    ));
                }
                pieces.push(TemplatePiece::Placeholder(std::mem::take(name)));
                placeholder = None;
            }
            (c, Some(name)) => name.push(c),
            (c, None) => literal.push(c),
        }
    }
    if placeholder.is_some() {
        return Err(format!("unclosed `{{` in path template `{template}`"));
    }
    if !literal.is_empty() {
        pieces.push(TemplatePiece::Literal(literal));
    }
    Ok(pieces)
}

/// Checks the base URL the way the generated client parses it at run time (`url::Url`).
fn check_base_url(text: &str) -> Result<(), String> {
    if text.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Err("it must not contain spaces or control characters".to_owned());
    }
    let url = url::Url::parse(text).map_err(|error| format!("it does not parse: {error}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("it must start with http:// or https://".to_owned());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("it has no host".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("it must not contain a query or fragment".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "it must not contain credentials; they are given to the client at run time".to_owned(),
        );
    }
    Ok(())
}
