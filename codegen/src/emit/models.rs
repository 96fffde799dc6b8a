//! `src/types/models.rs`: object types with serde wire names, a constructor taking the
//! required fields, and `with_*` setters for the others.

use proc_macro2::TokenStream;
use quote::quote;

use super::{docs, ident};
use crate::model::{Api, Field, StructDef, TypeRef};

/// Emits every object type of the API.
pub fn generate(api: &Api) -> TokenStream {
    let structs = api.structs.iter().map(struct_def);
    quote! {
        //! Object types of the API: request bodies and responses.

        #( #structs )*
    }
}

/// The Rust type of a field's value, without the `Option` an optional field adds.
pub fn rust_type(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::String => quote! { ::std::string::String },
        TypeRef::Boolean => quote! { bool },
        TypeRef::Integer => quote! { i64 },
        TypeRef::Number => quote! { f64 },
        TypeRef::Any => quote! { ::serde_json::Value },
        TypeRef::Array(inner) => {
            let inner = rust_type(inner);
            quote! { ::std::vec::Vec<#inner> }
        }
        TypeRef::Enum(name) | TypeRef::Struct(name) => {
            let name = ident(name);
            quote! { crate::types::#name }
        }
    }
}

fn field_type(field: &Field) -> TokenStream {
    let inner = rust_type(&field.ty);
    if field.is_optional() {
        quote! { ::std::option::Option<#inner> }
    } else {
        inner
    }
}

fn struct_def(def: &StructDef) -> TokenStream {
    let name = ident(&def.ident);
    let type_docs = docs::outer(&docs::escape(&def.description));
    let fields = def.fields.iter().map(|field| {
        let field_ident = ident(&field.ident);
        let wire = &field.wire;
        let ty = field_type(field);
        let mut text = docs::escape(&field.description);
        text.push_str(&format!("\n\nWire name `{wire}`"));
        text.push_str(match (field.required, field.nullable) {
            (true, false) => "; always present.",
            (true, true) => "; always present, may be `null`.",
            (false, false) => "; optional.",
            (false, true) => "; optional, may be `null`.",
        });
        let field_docs = docs::outer(&text);
        let serde_attr = if field.is_optional() && !field.required {
            quote! { #[serde(rename = #wire, default, skip_serializing_if = "::std::option::Option::is_none")] }
        } else if !field.required {
            quote! { #[serde(rename = #wire, default)] }
        } else {
            quote! { #[serde(rename = #wire)] }
        };
        quote! {
            #field_docs
            #serde_attr
            pub #field_ident: #ty,
        }
    });

    let required: Vec<&Field> = def
        .fields
        .iter()
        .filter(|field| field.is_constructor_arg())
        .collect();
    let params = required.iter().map(|field| {
        let field_ident = ident(&field.ident);
        match field.ty {
            TypeRef::String => {
                quote! { #field_ident: impl ::std::convert::Into<::std::string::String> }
            }
            _ => {
                let ty = rust_type(&field.ty);
                quote! { #field_ident: #ty }
            }
        }
    });
    let inits = def.fields.iter().map(|field| {
        let field_ident = ident(&field.ident);
        if field.is_constructor_arg() {
            match field.ty {
                TypeRef::String => quote! { #field_ident: #field_ident.into(), },
                _ => quote! { #field_ident, },
            }
        } else {
            quote! { #field_ident: ::std::default::Default::default(), }
        }
    });
    let setters = def
        .fields
        .iter()
        .filter(|field| !field.is_constructor_arg())
        .map(|field| {
            let field_ident = ident(&field.ident);
            let setter = ident(&field.setter_ident);
            let inner = rust_type(&field.ty);
            let setter_docs = docs::outer(&format!(
                "Sets {}.",
                docs::member_link("Self", "structfield", &field.ident)
            ));
            let value = if field.is_optional() {
                quote! { ::std::option::Option::Some(value) }
            } else {
                quote! { value }
            };
            quote! {
                #setter_docs
                pub fn #setter(mut self, value: #inner) -> Self {
                    self.#field_ident = #value;
                    self
                }
            }
        });
    let new_docs = if required.is_empty() {
        "Creates a value with every field empty.".to_owned()
    } else {
        let names: Vec<String> = required
            .iter()
            .map(|field| format!("`{}`", field.wire))
            .collect();
        format!(
            "Creates a value from its required fields ({}); the others start empty.",
            names.join(", ")
        )
    };
    let new_docs = docs::outer(&new_docs);

    quote! {
        #type_docs
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #( #fields )*
        }

        impl #name {
            #new_docs
            pub fn new( #( #params ),* ) -> Self {
                #name { #( #inits )* }
            }

            #( #setters )*
        }
    }
}
