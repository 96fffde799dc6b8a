//! `src/types/models.rs`: object types, each a plain struct deriving the runtime's `Object`
//! (its JSON mapping, from each field's `#[member(wire name, kind)]`; see
//! `codegen/runtime/macros`), with a constructor taking the required fields and `with_*`
//! setters for the others (which start as `None` and are then left out of requests).
//! Response types have them too, so users can build values to test their own code.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Chunk, RustFile, docs, ident};
use crate::model::{Api, Field, StructDef, TypeRef};
use crate::naming::unraw;

/// Emits every object type of the API.
pub fn generate(api: &Api) -> RustFile<'_> {
    RustFile::new(
        quote! {
            //! Object types of the API: request bodies and responses.
        },
        api.structs.iter().map(struct_def),
    )
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
        TypeRef::Enum(name) | TypeRef::Struct(name) | TypeRef::Union(name) => {
            let name = ident(name);
            quote! { crate::types::#name }
        }
    }
}

/// A field's `#[member(..)]`: its wire name and kind (see the `Object` derive of
/// `codegen/runtime/macros`).
fn member_attribute(field: &Field) -> TokenStream {
    let wire = &field.wire;
    match (field.required, field.nullable) {
        (true, false) => quote! { #[member(#wire)] },
        (true, true) => quote! { #[member(#wire, nullable)] },
        (false, _) => quote! { #[member(#wire, optional)] },
    }
}

fn struct_def(def: &StructDef) -> Chunk {
    let name = ident(&def.ident);
    let type_docs = docs::outer(&docs::escape(&def.description));
    let fields = def.fields.iter().map(|field| {
        let mut doc = format!("{} Wire name `{}`", field.description, field.wire);
        doc.push_str(match (field.required, field.nullable) {
            (true, false) => "; always present.",
            (true, true) => "; always present, may be `null`.",
            (false, false) => "; optional.",
            (false, true) => "; optional, may be `null`.",
        });
        let doc = docs::outer(&docs::escape(&doc));
        let member = member_attribute(field);
        let field_ident = ident(&field.ident);
        let ty = rust_type(&field.ty);
        let ty = if field.is_optional() {
            quote! { ::std::option::Option<#ty> }
        } else {
            ty
        };
        quote! {
            #doc
            #member
            pub #field_ident: #ty,
        }
    });
    // Every type gets one, responses too: users build them to test their own code.
    let constructor = constructor(def);
    Chunk::new(quote! {
        #type_docs
        #[derive(Debug, Clone, PartialEq, ::codegen_runtime::Object)]
        #[non_exhaustive]
        pub struct #name {
            #( #fields )*
        }

        #constructor
    })
}

/// `new()` taking the required fields, and `with_*` setters for the others.
fn constructor(def: &StructDef) -> TokenStream {
    let name = ident(&def.ident);
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
            quote! { #field_ident: ::std::option::Option::None, }
        }
    });
    // Each optional field's setter takes what converts into it (a `&str` for a string, an
    // enum's wire value for an enum).
    let setters = def
        .fields
        .iter()
        .filter(|field| !field.is_constructor_arg())
        .map(|field| {
            let setter = ident(&field.setter_ident);
            let field_ident = ident(&field.ident);
            let ty = rust_type(&field.ty);
            let doc = docs::outer(&format!(
                "Sets [`{name}`](Self#structfield.{name}).",
                name = unraw(&field.ident)
            ));
            quote! {
                #doc
                pub fn #setter(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                    self.#field_ident = ::std::option::Option::Some(value.into());
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
    // A type without required fields can start empty: `Default` is `new()`.
    let default = required.is_empty().then(|| {
        quote! {
            impl ::std::default::Default for #name {
                fn default() -> Self {
                    #name::new()
                }
            }
        }
    });
    quote! {
        impl #name {
            #new_docs
            pub fn new( #( #params ),* ) -> Self {
                #name { #( #inits )* }
            }

            #( #setters )*
        }

        #default
    }
}
