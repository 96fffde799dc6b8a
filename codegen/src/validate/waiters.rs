//! Checks of the `waiters` section: each must poll a GET operation whose response has the
//! field it reads, with consistent value lists and timings.

use std::collections::BTreeMap;

use super::Checker;
use heck::ToSnakeCase;

use crate::model::{
    EnumDef, HttpMethod, Operation, ResponseType, StateField, StructDef, TypeRef, UnionDef, Waiter,
    WaiterState, WaiterSubject,
};
use crate::naming::{camel_ident, snake_ident};
use crate::spec::{NotFound, SpecDocument, WaiterSpec};

/// The parts of the model a waiter refers to, built before the waiters.
pub(super) struct Built<'a> {
    pub(super) operations: &'a [Operation],
    pub(super) structs: &'a [StructDef],
    pub(super) unions: &'a [UnionDef],
    pub(super) enums: &'a [EnumDef],
}

impl Checker {
    pub(super) fn waiters(&mut self, doc: &SpecDocument, built: &Built<'_>) -> Vec<Waiter> {
        let operations = built.operations;
        let client_methods: BTreeMap<&str, &str> = operations
            .iter()
            .map(|operation| (operation.method_ident.as_str(), operation.id.as_str()))
            .collect();
        let mut waiters = Vec::new();
        for (id, spec) in &doc.waiters {
            if let Some(waiter) = self.waiter(id, spec, doc, built) {
                if let Some(operation) = client_methods.get(waiter.method_ident.as_str()) {
                    self.error(
                        format!("waiters.{id}"),
                        format!(
                            "`{}` is already the method of operation `{operation}`",
                            waiter.method_ident
                        ),
                    );
                }
                waiters.push(waiter);
            }
        }
        waiters
    }

    fn waiter(
        &mut self,
        id: &str,
        spec: &WaiterSpec,
        doc: &SpecDocument,
        built: &Built<'_>,
    ) -> Option<Waiter> {
        let Built {
            operations,
            structs,
            unions,
            enums,
        } = *built;
        let pointer = format!("waiters.{id}");
        if !id.starts_with(|c: char| c.is_ascii_lowercase())
            || !id.chars().all(|c| c.is_ascii_alphanumeric())
        {
            self.error(
                pointer.clone(),
                format!("waiter id `{id}` must be lowerCamelCase ASCII letters and digits"),
            );
        }
        let Some(operation) = operations
            .iter()
            .find(|operation| operation.id == spec.operation)
        else {
            let mut message = format!("unknown operation `{}`", spec.operation);
            if let Some(suggestion) =
                crate::suggest::closest(&spec.operation, doc.operations.keys().map(String::as_str))
            {
                message.push_str(&format!("; did you mean `{suggestion}`?"));
            }
            self.error(format!("{pointer}.operation"), message);
            return None;
        };
        if operation.http_method != HttpMethod::Get || operation.body.is_some() {
            self.error(
                format!("{pointer}.operation"),
                format!(
                    "a waiter polls a GET operation; `{}` is a {}",
                    operation.id,
                    operation.http_method.as_str()
                ),
            );
        }
        let (response_ident, subject) = match &operation.response.ty {
            ResponseType::Object(TypeRef::Struct(name)) => {
                for key in spec.variant_fields.keys() {
                    self.key_error(
                        format!("{pointer}.variantFields.{key}"),
                        format!("`variantFields` is for union responses; `{}` answers with the object type `{name}`", operation.id),
                    );
                }
                let def = structs.iter().find(|def| def.ident == *name)?;
                let field =
                    self.state_field(&format!("{pointer}.field"), def, &spec.field, enums, None)?;
                (name.clone(), WaiterSubject::Field(field))
            }
            ResponseType::Object(TypeRef::Union(name)) => {
                let union = unions.iter().find(|def| def.ident == *name)?;
                for key in spec.variant_fields.keys() {
                    if !union.variants.iter().any(|variant| variant.wire == *key) {
                        let mut message = format!("`{name}` has no variant `{key}`");
                        if let Some(suggestion) = crate::suggest::closest(
                            key,
                            union.variants.iter().map(|variant| variant.wire.as_str()),
                        ) {
                            message.push_str(&format!("; did you mean `{suggestion}`?"));
                        }
                        self.key_error(format!("{pointer}.variantFields.{key}"), message);
                    }
                }
                let mut variants = Vec::new();
                for variant in &union.variants {
                    let (field_pointer, field_name) = match spec.variant_fields.get(&variant.wire) {
                        Some(field) => (format!("{pointer}.variantFields.{}", variant.wire), field),
                        None => (format!("{pointer}.field"), &spec.field),
                    };
                    let Some(def) = structs.iter().find(|def| def.ident == variant.struct_ident)
                    else {
                        continue;
                    };
                    let variant_of = Some((variant.wire.as_str(), union.name.as_str()));
                    if let Some(field) =
                        self.state_field(&field_pointer, def, field_name, enums, variant_of)
                    {
                        variants.push((variant.ident.clone(), field));
                    }
                }
                (
                    name.clone(),
                    WaiterSubject::Union {
                        variants,
                        default_field_wire: spec.field.clone(),
                    },
                )
            }
            _ => {
                self.error(
                    format!("{pointer}.operation"),
                    format!(
                        "`{}` does not answer with one object to read `{}` from",
                        operation.id, spec.field
                    ),
                );
                return None;
            }
        };
        let fields: Vec<&StateField> = match &subject {
            WaiterSubject::Field(field) => vec![field],
            WaiterSubject::Union { variants, .. } => {
                variants.iter().map(|(_, field)| field).collect()
            }
        };
        let field_enums: Vec<&EnumDef> = fields
            .iter()
            .filter_map(|field| field.enum_ident.as_ref())
            .filter_map(|name| enums.iter().find(|def| def.ident == *name))
            .collect();
        // A plain string field takes any state; otherwise a state must belong to some enum.
        let checked = fields.iter().all(|field| field.enum_ident.is_some()) && !fields.is_empty();

        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for (list, values) in [
            ("success", &spec.success),
            ("failure", &spec.failure),
            ("pending", &spec.pending),
        ] {
            for (index, value) in values.iter().enumerate() {
                if value.is_empty() {
                    self.error(
                        format!("{pointer}.{list}[{index}]"),
                        "a state must not be empty",
                    );
                }
                if let Some(previous) = seen.insert(value, list) {
                    self.error(
                        format!("{pointer}.{list}[{index}]"),
                        format!("`{value}` is already listed in `{previous}`"),
                    );
                }
                let known = field_enums
                    .iter()
                    .any(|def| def.variants.iter().any(|variant| variant.wire == *value));
                if checked && !value.is_empty() && !known {
                    let mut names: Vec<String> = Vec::new();
                    let mut values: Vec<&str> = Vec::new();
                    for def in &field_enums {
                        if !names.contains(&def.name) {
                            names.push(def.name.clone());
                        }
                        for variant in &def.variants {
                            if !values.contains(&variant.wire.as_str()) {
                                values.push(&variant.wire);
                            }
                        }
                    }
                    let mut message = match names.as_slice() {
                        [single] => format!(
                            "`{value}` is not a value of `{single}`, the enum of `{}`",
                            spec.field
                        ),
                        _ => format!(
                            "`{value}` is not a value of any of the variants' state enums ({})",
                            names
                                .iter()
                                .map(|name| format!("`{name}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    match crate::suggest::closest(value, values.iter().copied()) {
                        Some(suggestion) => {
                            message.push_str(&format!("; did you mean `{suggestion}`?"));
                        }
                        None => message.push_str(&format!(
                            "; its values are {}",
                            values
                                .iter()
                                .map(|value| format!("`{value}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    }
                    self.error(format!("{pointer}.{list}[{index}]"), message);
                }
            }
        }
        let subject = match subject {
            WaiterSubject::Field(field) => WaiterSubject::Field(with_states(field, spec, enums)),
            WaiterSubject::Union {
                variants,
                default_field_wire,
            } => WaiterSubject::Union {
                variants: variants
                    .into_iter()
                    .map(|(variant, field)| (variant, with_states(field, spec, enums)))
                    .collect(),
                default_field_wire,
            },
        };
        let not_found_is_success = spec.not_found == NotFound::Success;
        if not_found_is_success && !spec.success.is_empty() {
            self.error(
                format!("{pointer}.success"),
                "a waiter that succeeds on 404 returns nothing, so it cannot also succeed on a state; leave `success` empty",
            );
        }
        if !not_found_is_success && spec.success.is_empty() {
            self.error(
                format!("{pointer}.success"),
                "a waiter needs at least one success state (or `notFound: success`)",
            );
        }
        if spec.interval_seconds == 0 {
            self.error(
                format!("{pointer}.intervalSeconds"),
                "the interval must be at least 1 second",
            );
        }
        if spec.max_interval_seconds < spec.interval_seconds {
            self.error(
                format!("{pointer}.maxIntervalSeconds"),
                "the longest pause must be at least the first interval",
            );
        }
        if spec.max_wait_seconds < spec.interval_seconds {
            self.error(
                format!("{pointer}.maxWaitSeconds"),
                "the maximum wait must be at least one interval",
            );
        }

        Some(Waiter {
            id: id.to_owned(),
            method_ident: snake_ident(&format!("wait_until_{}", id.to_snake_case())),
            builder_ident: camel_ident(&format!("wait_until_{}", id.to_snake_case())),
            description: spec.description.clone(),
            operation_method: operation.method_ident.clone(),
            operation_http: format!(
                "{} {}",
                operation.http_method.as_str(),
                operation.path_template
            ),
            path_params: operation.path_params.clone(),
            response_ident,
            subject,
            success: spec.success.clone(),
            failure: spec.failure.clone(),
            pending: spec.pending.clone(),
            not_found_is_success,
            interval_seconds: spec.interval_seconds,
            max_interval_seconds: spec.max_interval_seconds,
            max_wait_seconds: spec.max_wait_seconds,
        })
    }

    /// The field `name` of `def` a waiter reads, reported at `pointer` unless it is a string
    /// or enum field. Its state lists are filled later.
    fn state_field(
        &mut self,
        pointer: &str,
        def: &StructDef,
        name: &str,
        enums: &[EnumDef],
        variant_of: Option<(&str, &str)>,
    ) -> Option<StateField> {
        let Some(field) = def.fields.iter().find(|field| field.wire == name) else {
            let mut message = match variant_of {
                Some((value, union)) => format!(
                    "`{}` (the `{value}` variant of `{union}`) has no field `{name}`",
                    def.name
                ),
                None => format!("`{}` has no field `{name}`", def.name),
            };
            if let Some(suggestion) =
                crate::suggest::closest(name, def.fields.iter().map(|field| field.wire.as_str()))
            {
                message.push_str(&format!("; did you mean `{suggestion}`?"));
            }
            if let Some((value, _)) = variant_of {
                message.push_str(&format!(
                    " (`variantFields` can name the field to read for `{value}`)"
                ));
            }
            self.error(pointer, message);
            return None;
        };
        let field_enum = match &field.ty {
            TypeRef::Enum(name) => enums.iter().find(|def| def.ident == *name),
            _ => None,
        };
        if !(field_enum.is_some() || field.ty == TypeRef::String) {
            self.error(
                pointer,
                format!(
                    "`{name}` of `{}` must be a string or enum field to be waited on",
                    def.name
                ),
            );
        }
        Some(StateField {
            wire: field.wire.clone(),
            ident: field.ident.clone(),
            optional: field.is_optional(),
            enum_ident: field_enum.map(|def| def.ident.clone()),
            success: Vec::new(),
            failure: Vec::new(),
            pending: Vec::new(),
        })
    }
}

/// `field` with the listed states that apply to it: those of its enum, or all of them.
fn with_states(field: StateField, spec: &WaiterSpec, enums: &[EnumDef]) -> StateField {
    let field_enum = field
        .enum_ident
        .as_ref()
        .and_then(|name| enums.iter().find(|def| def.ident == *name));
    let states = |values: &[String]| -> Vec<WaiterState> {
        values
            .iter()
            .filter_map(|value| match field_enum {
                None => Some(WaiterState {
                    wire: value.clone(),
                    variant: None,
                }),
                Some(def) => def
                    .variants
                    .iter()
                    .find(|variant| variant.wire == *value)
                    .map(|variant| WaiterState {
                        wire: value.clone(),
                        variant: Some(variant.ident.clone()),
                    }),
            })
            .collect()
    };
    StateField {
        success: states(&spec.success),
        failure: states(&spec.failure),
        pending: states(&spec.pending),
        ..field
    }
}
