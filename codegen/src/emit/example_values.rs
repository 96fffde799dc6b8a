//! Rust expressions that build a value of a spec type, for doc examples: from the spec's
//! example JSON where it fits the type, else from placeholders of the right type, so the
//! example always compiles.

use serde_json::Value;

use super::string_literal;
use crate::model::{Api, TypeRef};

/// Builds Rust source text for values of the API's types, naming them through `lib`.
pub struct ExampleValues<'a> {
    api: &'a Api,
    lib: &'a str,
}

/// Where a string goes: an `impl Into<String>` constructor argument takes a literal, anything
/// else needs an owned `String`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    ConstructorArgument,
    Value,
}

/// Nested constructors deeper than this use placeholders, which ends recursive types.
const MAX_DEPTH: usize = 4;

impl<'a> ExampleValues<'a> {
    pub fn new(api: &'a Api, lib: &'a str) -> Self {
        ExampleValues { api, lib }
    }

    /// A request body of type `ty` (an object type or a union), from `example` where it fits.
    pub fn body(&self, ty: &TypeRef, example: Option<&Value>) -> String {
        self.value(ty, example, Position::Value, 0)
    }

    /// `Union::Variant(Type::new(..))`: the variant `example`'s discriminator names, else the
    /// first.
    fn union_at(&self, union_ident: &str, example: Option<&Value>, depth: usize) -> String {
        let path = format!("{}::types::{union_ident}", self.lib);
        let Some(def) = self.api.unions.iter().find(|def| def.ident == union_ident) else {
            return format!("todo!(\"a {union_ident}\")");
        };
        let named = example
            .and_then(|example| example.get(&def.discriminator_wire))
            .and_then(Value::as_str);
        let variant = def
            .variants
            .iter()
            .find(|variant| Some(variant.wire.as_str()) == named)
            .or_else(|| def.variants.first());
        match variant {
            Some(variant) => format!(
                "{path}::{}({})",
                variant.ident,
                self.object_at(&variant.struct_ident, example, depth)
            ),
            None => format!("todo!(\"a {union_ident}\")"),
        }
    }

    fn object_at(&self, type_ident: &str, example: Option<&Value>, depth: usize) -> String {
        let path = format!("{}::types::{type_ident}", self.lib);
        let Some(def) = self.api.structs.iter().find(|def| def.ident == type_ident) else {
            return format!("{path}::new()");
        };
        let members = example.and_then(Value::as_object);
        let member = |wire: &str| members.and_then(|members| members.get(wire));
        let args: Vec<String> = def
            .fields
            .iter()
            .filter(|field| field.is_constructor_arg())
            .map(|field| {
                self.value(
                    &field.ty,
                    member(&field.wire),
                    Position::ConstructorArgument,
                    depth + 1,
                )
            })
            .collect();
        let mut text = format!("{path}::new({})", args.join(", "));
        if depth < MAX_DEPTH {
            for field in def
                .fields
                .iter()
                .filter(|field| !field.is_constructor_arg())
            {
                if let Some(value) = member(&field.wire).filter(|value| !value.is_null()) {
                    let value = self.value(&field.ty, Some(value), Position::Value, depth + 1);
                    text.push_str(&format!(".{}({value})", field.setter_ident));
                }
            }
        }
        text
    }

    fn value(
        &self,
        ty: &TypeRef,
        example: Option<&Value>,
        position: Position,
        depth: usize,
    ) -> String {
        let string = |text: &str| match position {
            Position::ConstructorArgument => string_literal(text),
            Position::Value => format!("{}.to_owned()", string_literal(text)),
        };
        match (ty, example) {
            (TypeRef::String, Some(Value::String(text))) => string(text),
            (TypeRef::String, _) => string("..."),
            (TypeRef::Boolean, Some(Value::Bool(flag))) => flag.to_string(),
            (TypeRef::Boolean, _) => "false".to_owned(),
            (TypeRef::Integer, Some(Value::Number(number))) if number.is_i64() => {
                number.to_string()
            }
            (TypeRef::Integer, _) => "0".to_owned(),
            (TypeRef::Number, Some(Value::Number(number))) => {
                let number = number.as_f64().unwrap_or_default();
                if number.is_finite() {
                    format!("{number:?}")
                } else {
                    "0.0".to_owned()
                }
            }
            (TypeRef::Number, _) => "0.0".to_owned(),
            (TypeRef::Any, Some(value)) => format!("serde_json::json!({value})"),
            (TypeRef::Any, None) => "serde_json::Value::Null".to_owned(),
            (TypeRef::Enum(name), example) => {
                self.enum_value(name, example.and_then(Value::as_str))
            }
            (TypeRef::Array(inner), Some(Value::Array(items))) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|item| self.value(inner, Some(item), Position::Value, depth + 1))
                    .collect();
                format!("vec![{}]", items.join(", "))
            }
            (TypeRef::Array(_), _) => "vec![]".to_owned(),
            (TypeRef::Struct(name), example) if depth <= MAX_DEPTH => {
                self.object_at(name, example, depth)
            }
            (TypeRef::Union(name), example) if depth <= MAX_DEPTH => {
                self.union_at(name, example, depth)
            }
            // Only a type that requires itself gets here: it has no finite value.
            (TypeRef::Struct(name) | TypeRef::Union(name), _) => format!("todo!(\"a {name}\")"),
        }
    }

    /// The variant whose wire value or alias is `wire`, else the first variant (or `from`).
    fn enum_value(&self, name: &str, wire: Option<&str>) -> String {
        let path = format!("{}::types::{name}", self.lib);
        let Some(def) = self.api.enums.iter().find(|def| def.ident == name) else {
            return format!("{path}::from(\"...\")");
        };
        let matching = wire.and_then(|wire| {
            def.variants.iter().find(|variant| {
                variant.wire == wire || variant.aliases.iter().any(|alias| alias == wire)
            })
        });
        match (matching, wire, def.variants.first()) {
            (Some(variant), _, _) => format!("{path}::{}", variant.ident),
            (None, Some(wire), _) => format!("{path}::from({})", string_literal(wire)),
            (None, None, Some(first)) => format!("{path}::{}", first.ident),
            (None, None, None) => format!("{path}::from(\"...\")"),
        }
    }
}
