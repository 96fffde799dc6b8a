//! Checks of the `unions` section: each names an enum for its discriminator and maps values
//! of that enum to object types that leave the discriminator to it.

use super::Checker;
use crate::model::{CommonField, EnumDef, StructDef, UnionDef, UnionVariant};
use crate::naming::{camel_ident, snake_ident, unraw};
use crate::spec::UnionSpec;
use crate::suggest::closest;

impl Checker {
    pub(super) fn union_def(
        &mut self,
        name: &str,
        spec: &UnionSpec,
        structs: &[StructDef],
        enums: &[EnumDef],
    ) -> UnionDef {
        let pointer = format!("unions.{name}");
        let discriminator_ident = snake_ident(&spec.discriminator);
        self.check_ascii_ident(
            &format!("{pointer}.discriminator"),
            false,
            &spec.discriminator,
            &discriminator_ident,
        );
        if spec.discriminator.is_empty() {
            self.error(
                format!("{pointer}.discriminator"),
                "the discriminator must not be empty",
            );
        }
        let discriminator_enum = enums.iter().find(|def| def.name == spec.discriminator_enum);
        if discriminator_enum.is_none() {
            let mut message = format!("`{}` is not a declared enum", spec.discriminator_enum);
            if let Some(suggestion) = closest(
                &spec.discriminator_enum,
                enums.iter().map(|def| def.name.as_str()),
            ) {
                message.push_str(&format!("; did you mean `{suggestion}`?"));
            }
            self.error(format!("{pointer}.discriminatorEnum"), message);
        }
        if spec.variants.is_empty() {
            self.error(
                format!("{pointer}.variants"),
                "a union needs at least one variant",
            );
        }

        let mut variants = Vec::new();
        let mut variant_structs = Vec::new();
        for (value, type_name) in &spec.variants {
            let variant_pointer = format!("{pointer}.variants.{value}");
            let enum_variant = discriminator_enum
                .and_then(|def| def.variants.iter().find(|variant| variant.wire == *value));
            if let Some(def) = discriminator_enum
                && enum_variant.is_none()
            {
                let mut message = format!(
                    "`{value}` is not a value of `{}`, the discriminator's enum",
                    def.name
                );
                match closest(
                    value,
                    def.variants.iter().map(|variant| variant.wire.as_str()),
                ) {
                    Some(suggestion) => {
                        message.push_str(&format!("; did you mean `{suggestion}`?"))
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
                self.key_error(variant_pointer.clone(), message);
            }
            let Some(def) = structs.iter().find(|def| def.name == *type_name) else {
                let mut message = if enums.iter().any(|def| def.name == *type_name) {
                    format!("`{type_name}` is an enum; a variant must be an object type of `types`")
                } else {
                    format!(
                        "`{type_name}` is not a declared type (a variant must be one of `types`)"
                    )
                };
                if let Some(suggestion) =
                    closest(type_name, structs.iter().map(|def| def.name.as_str()))
                {
                    message.push_str(&format!("; did you mean `{suggestion}`?"));
                }
                self.error(variant_pointer, message);
                continue;
            };
            if def
                .fields
                .iter()
                .any(|field| field.wire == spec.discriminator)
            {
                self.key_error(
                    format!("types.{type_name}.fields.{}", spec.discriminator),
                    format!(
                        "`{type_name}` is a variant of `{name}`, which reads and writes `{}` itself; remove the field from the type",
                        spec.discriminator
                    ),
                );
            }
            variants.push(UnionVariant {
                wire: value.clone(),
                ident: enum_variant
                    .map_or_else(|| camel_ident(value), |variant| variant.ident.clone()),
                struct_ident: def.ident.clone(),
            });
            variant_structs.push(def);
        }

        let common_fields = match variant_structs.split_first() {
            Some((first, others)) => first
                .fields
                .iter()
                .filter_map(|field| {
                    let mut optional_in = vec![field.is_optional()];
                    for other in others {
                        let same = other.fields.iter().find(|candidate| {
                            candidate.wire == field.wire && candidate.ty == field.ty
                        })?;
                        optional_in.push(same.is_optional());
                    }
                    Some(CommonField {
                        wire: field.wire.clone(),
                        ident: field.ident.clone(),
                        ty: field.ty.clone(),
                        optional_in,
                        description: field.description.clone(),
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        for field in &common_fields {
            if unraw(&field.ident) == unraw(&discriminator_ident) {
                self.error(
                    format!("{pointer}.variants"),
                    format!(
                        "every variant has a field `{}`, whose accessor would clash with the discriminator's accessor `{}`; rename the field",
                        field.wire,
                        unraw(&discriminator_ident)
                    ),
                );
            }
            if crate::reserved::UNION_METHODS.contains(&unraw(&field.ident)) {
                self.error(
                    format!("{pointer}.variants"),
                    format!(
                        "every variant has a field `{}`, whose accessor would clash with the union's own `{}` method",
                        field.wire,
                        unraw(&field.ident)
                    ),
                );
            }
        }

        UnionDef {
            name: name.to_owned(),
            ident: camel_ident(name),
            description: spec.description.clone(),
            discriminator_wire: spec.discriminator.clone(),
            discriminator_ident,
            discriminator_enum: discriminator_enum.map_or_else(
                || camel_ident(&spec.discriminator_enum),
                |def| def.ident.clone(),
            ),
            variants,
            common_fields,
            sent: false,
            received: false,
        }
    }
}
