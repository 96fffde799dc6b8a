//! `src/types/models.rs`: object types, each a plain struct and an invocation of the runtime's
//! `object_codec!` (its JSON mapping: each field's wire name and kind; see
//! `codegen/runtime/src/codec.rs`), with a constructor taking
//! the required fields and `with_*` setters for the others (which start as `None` and are
//! then left out of requests). Response types have them too, so users can build values to
//! test their own code.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Chunk, RustFile, Verbatim, docs, ident, string_literal};
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

/// [`rust_type`] as source text, for code written out verbatim (a unit test keeps the two
/// in step).
pub fn type_text(ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "::std::string::String".to_owned(),
        TypeRef::Boolean => "bool".to_owned(),
        TypeRef::Integer => "i64".to_owned(),
        TypeRef::Number => "f64".to_owned(),
        TypeRef::Any => "::serde_json::Value".to_owned(),
        TypeRef::Array(inner) => format!("::std::vec::Vec<{}>", type_text(inner)),
        TypeRef::Enum(name) | TypeRef::Struct(name) | TypeRef::Union(name) => {
            format!("crate::types::{name}")
        }
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
        TypeRef::Enum(name) | TypeRef::Struct(name) | TypeRef::Union(name) => {
            let name = ident(name);
            quote! { crate::types::#name }
        }
    }
}

/// How a field maps to its member (see `object_codec!` in `codegen/runtime/src/codec.rs`).
fn field_kind(field: &Field) -> &'static str {
    match (field.required, field.nullable) {
        (true, false) => "required",
        (true, true) => "nullable",
        (false, _) => "optional",
    }
}

fn struct_def(def: &StructDef) -> Chunk {
    let mut verbatim = Verbatim::default();
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
        let field_ident = ident(&field.ident);
        let ty = rust_type(&field.ty);
        let ty = if field.is_optional() {
            quote! { ::std::option::Option<#ty> }
        } else {
            ty
        };
        quote! {
            #doc
            pub #field_ident: #ty,
        }
    });
    // The mapping, one member per line (written out: prettyplease would wrap a macro's
    // tokens at the line width).
    let mut mapping = format!("::codegen_runtime::object_codec!({} {{\n", def.ident);
    for field in &def.fields {
        mapping.push_str(&format!(
            "    {}: {} {},\n",
            field.ident,
            field_kind(field),
            string_literal(&field.wire)
        ));
    }
    mapping.push_str("});\n");
    let mapping = verbatim.item(mapping);
    // Every type gets one, responses too: users build them to test their own code.
    let constructor = constructor(def, &mut verbatim);
    Chunk::with_verbatim(
        quote! {
            #type_docs
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub struct #name {
                #( #fields )*
            }

            #mapping
            #constructor
        },
        verbatim,
    )
}

/// `new()` taking the required fields, and `with_*` setters for the others.
fn constructor(def: &StructDef, verbatim: &mut Verbatim) -> TokenStream {
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
    let setters: Vec<String> = def
        .fields
        .iter()
        .filter(|field| !field.is_constructor_arg())
        .map(|field| {
            format!(
                "    {} => {} {}: {},\n",
                field.setter_ident,
                field.ident,
                string_literal(unraw(&field.ident)),
                type_text(&field.ty),
            )
        })
        .collect();
    let setters = (!setters.is_empty()).then(|| {
        verbatim.item(format!(
            "::codegen_runtime::setters!({} {{\n{}}});\n",
            def.ident,
            setters.concat()
        ))
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
        }

        #default
        #setters
    }
}

#[cfg(test)]
mod tests {
    use super::{rust_type, type_text};
    use crate::model::TypeRef;

    #[test]
    fn type_text_spells_the_same_type_as_rust_type() {
        let types = [
            TypeRef::String,
            TypeRef::Boolean,
            TypeRef::Integer,
            TypeRef::Number,
            TypeRef::Any,
            TypeRef::Enum("Region".to_owned()),
            TypeRef::Struct("Endpoint".to_owned()),
            TypeRef::Array(Box::new(TypeRef::Array(Box::new(TypeRef::Struct(
                "Endpoint".to_owned(),
            ))))),
        ];
        for ty in types {
            assert_eq!(rust_type(&ty).to_string().replace(' ', ""), type_text(&ty));
        }
    }
}
