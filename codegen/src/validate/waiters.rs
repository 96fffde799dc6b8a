//! Checks of the `waiters` section: each must poll a GET operation whose response has the
//! field it reads, with consistent value lists and timings.

use std::collections::BTreeMap;

use super::Checker;
use heck::ToSnakeCase;

use crate::model::{
    EnumDef, HttpMethod, Operation, ResponseType, StructDef, TypeRef, Waiter, WaiterState,
};
use crate::naming::{camel_ident, snake_ident};
use crate::spec::{NotFound, SpecDocument, WaiterSpec};

impl Checker {
    pub(super) fn waiters(
        &mut self,
        doc: &SpecDocument,
        operations: &[Operation],
        structs: &[StructDef],
        enums: &[EnumDef],
    ) -> Vec<Waiter> {
        let client_methods: BTreeMap<&str, &str> = operations
            .iter()
            .map(|operation| (operation.method_ident.as_str(), operation.id.as_str()))
            .collect();
        let mut waiters = Vec::new();
        for (id, spec) in &doc.waiters {
            if let Some(waiter) = self.waiter(id, spec, doc, operations, structs, enums) {
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
        operations: &[Operation],
        structs: &[StructDef],
        enums: &[EnumDef],
    ) -> Option<Waiter> {
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
        let ResponseType::Struct(response_ident) = &operation.response.ty else {
            self.error(
                format!("{pointer}.operation"),
                format!(
                    "`{}` does not answer with one object to read `{}` from",
                    operation.id, spec.field
                ),
            );
            return None;
        };
        let fields = structs
            .iter()
            .find(|def| def.ident == *response_ident)
            .map(|def| &def.fields);
        let field = fields.and_then(|fields| fields.iter().find(|field| field.wire == spec.field));
        let Some(field) = field else {
            let mut message = format!("`{response_ident}` has no field `{}`", spec.field);
            if let Some(suggestion) = fields.and_then(|fields| {
                crate::suggest::closest(&spec.field, fields.iter().map(|field| field.wire.as_str()))
            }) {
                message.push_str(&format!("; did you mean `{suggestion}`?"));
            }
            self.error(format!("{pointer}.field"), message);
            return None;
        };
        let field_enum = match &field.ty {
            TypeRef::Enum(name) => enums.iter().find(|def| def.ident == *name),
            _ => None,
        };
        if !(field_enum.is_some() || field.ty == TypeRef::String)
            || !field.required
            || field.nullable
        {
            self.error(
                format!("{pointer}.field"),
                format!(
                    "`{}` must be a required, non-nullable string or enum field to be waited on",
                    spec.field
                ),
            );
        }

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
                if let Some(def) = field_enum
                    && !value.is_empty()
                    && !def.variants.iter().any(|variant| variant.wire == *value)
                {
                    let mut message = format!(
                        "`{value}` is not a value of `{}`, the enum of `{}`",
                        def.name, spec.field
                    );
                    match crate::suggest::closest(
                        value,
                        def.variants.iter().map(|variant| variant.wire.as_str()),
                    ) {
                        Some(suggestion) => {
                            message.push_str(&format!("; did you mean `{suggestion}`?"));
                        }
                        None => message.push_str(&format!(
                            "; its values are {}",
                            def.variants
                                .iter()
                                .map(|variant| format!("`{}`", variant.wire))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    }
                    self.error(format!("{pointer}.{list}[{index}]"), message);
                }
            }
        }
        let states = |values: &[String]| -> Vec<WaiterState> {
            values
                .iter()
                .map(|value| WaiterState {
                    wire: value.clone(),
                    variant: field_enum.and_then(|def| {
                        def.variants
                            .iter()
                            .find(|variant| variant.wire == *value)
                            .map(|variant| variant.ident.clone())
                    }),
                })
                .collect()
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
            response_ident: response_ident.clone(),
            field_wire: spec.field.clone(),
            field_ident: snake_ident(&spec.field),
            field_enum: field_enum.map(|def| def.ident.clone()),
            success: states(&spec.success),
            failure: states(&spec.failure),
            pending: states(&spec.pending),
            not_found_is_success,
            interval_seconds: spec.interval_seconds,
            max_interval_seconds: spec.max_interval_seconds,
            max_wait_seconds: spec.max_wait_seconds,
        })
    }
}
