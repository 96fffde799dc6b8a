//! `src/types/unions.rs`: discriminated unions, each a plain enum (a variant per discriminator
//! value and `Unknown`) deriving the runtime's `Union` (its JSON mapping, from
//! `#[union(discriminator = .., kind = ..)]`; see `codegen/runtime/macros`), plus accessors for
//! the discriminator and for the fields every variant has, and `From` each variant's type.

use proc_macro2::TokenStream;
use quote::quote;

use super::models::rust_type;
use super::{Chunk, RustFile, docs, ident};
use crate::model::{Api, CommonField, TypeRef, UnionDef};

/// Emits every union of the API (their `Unknown` variants hold the runtime's `UnknownObject`).
pub fn generate(api: &Api) -> RustFile<'_> {
    RustFile::new(
        quote! {
            //! Discriminated unions of the API: one variant per known discriminator value, and
            //! `Unknown` for the others.
        },
        api.unions.iter().map(union_def),
    )
}

fn union_def(def: &UnionDef) -> Chunk {
    let name = ident(&def.ident);
    let type_docs = docs::outer(&format!(
        "{}\n\nOne variant per `{disc}` value; an object with a `{disc}` this crate does not know (or none) decodes into [`Unknown`]({name}::Unknown) and is sent back unchanged. Serializing a variant writes its `{disc}` first. The fields every variant has can be read without a `match`.",
        docs::escape(&def.description),
        disc = def.discriminator_wire,
        name = def.ident,
    ));
    let variants = def.variants.iter().map(|variant| {
        let doc = docs::outer(&format!(
            "`{}: \"{}\"`, read as [`{}`](crate::types::{}).",
            def.discriminator_wire, variant.wire, variant.struct_ident, variant.struct_ident
        ));
        let variant_ident = ident(&variant.ident);
        let ty = ident(&variant.struct_ident);
        quote! {
            #doc
            #variant_ident(crate::types::#ty),
        }
    });
    let discriminator = &def.discriminator_wire;
    let kind = ident(&def.discriminator_enum);
    let accessors = accessors(def);
    Chunk::new(quote! {
        #type_docs
        #[derive(Debug, Clone, PartialEq, ::codegen_runtime::Union)]
        #[union(discriminator = #discriminator, kind = crate::types::#kind)]
        #[non_exhaustive]
        pub enum #name {
            #( #variants )*
            /// An object whose discriminator this crate does not know (or which has none),
            /// kept exactly as received.
            Unknown(::codegen_runtime::UnknownObject),
        }

        #accessors
    })
}

fn accessors(def: &UnionDef) -> TokenStream {
    let name = ident(&def.ident);
    let discriminator = ident(&def.discriminator_ident);
    let discriminator_enum = ident(&def.discriminator_enum);
    let discriminator_doc = docs::outer(&format!(
        "The `{}` of the object: the variant's, or for [`Unknown`](Self::Unknown) the member as received (`None` when it is missing or not a string).",
        def.discriminator_wire
    ));
    let discriminator_arms = def.variants.iter().map(|variant| {
        let variant = ident(&variant.ident);
        quote! {
            #name::#variant(_) => ::std::option::Option::Some(crate::types::#discriminator_enum::#variant),
        }
    });
    let wire = &def.discriminator_wire;
    let fields = def
        .common_fields
        .iter()
        .map(|field| common_accessor(def, field));
    // `From<Variant type>` builds the union from its variant's value; a type that two variants
    // hold would be ambiguous, so it gets none.
    let conversions = def
        .variants
        .iter()
        .filter(|variant| {
            def.variants
                .iter()
                .filter(|other| other.struct_ident == variant.struct_ident)
                .count()
                == 1
        })
        .map(|variant| {
            let ty = ident(&variant.struct_ident);
            let variant_ident = ident(&variant.ident);
            let doc = docs::outer(&format!(
                "The [`{}`](Self::{}) variant (`{}: \"{}\"`).",
                variant.ident, variant.ident, def.discriminator_wire, variant.wire
            ));
            quote! {
                impl ::std::convert::From<crate::types::#ty> for #name {
                    #doc
                    fn from(value: crate::types::#ty) -> Self {
                        #name::#variant_ident(value)
                    }
                }
            }
        });
    quote! {
        #( #conversions )*

        impl #name {
            #discriminator_doc
            pub fn #discriminator(&self) -> ::std::option::Option<crate::types::#discriminator_enum> {
                match self {
                    #( #discriminator_arms )*
                    #name::Unknown(object) => object
                        .get(#wire)
                        .and_then(::serde_json::Value::as_str)
                        .map(crate::types::#discriminator_enum::from),
                }
            }

            #( #fields )*
        }
    }
}

/// `fn field(&self) -> Option<..>`: the field of whichever variant this is.
fn common_accessor(def: &UnionDef, field: &CommonField) -> TokenStream {
    let name = ident(&def.ident);
    let accessor = ident(&field.ident);
    let member = ident(&field.ident);
    let doc = docs::outer(&format!(
        "{} Wire name `{}`, in every variant; `None` for [`Unknown`](Self::Unknown) or when the variant's value is unset.",
        docs::escape(&field.description),
        field.wire
    ));
    let returns = match &field.ty {
        TypeRef::String => quote! { &str },
        TypeRef::Boolean | TypeRef::Integer | TypeRef::Number => rust_type(&field.ty),
        TypeRef::Array(inner) => {
            let inner = rust_type(inner);
            quote! { &[#inner] }
        }
        other => {
            let ty = rust_type(other);
            quote! { &#ty }
        }
    };
    let arms = def
        .variants
        .iter()
        .zip(&field.optional_in)
        .map(|(variant, &optional)| {
            let variant = ident(&variant.ident);
            let read = match (&field.ty, optional) {
                (TypeRef::String | TypeRef::Array(_), true) => quote! { value.#member.as_deref() },
                (TypeRef::Boolean | TypeRef::Integer | TypeRef::Number, true) => {
                    quote! { value.#member }
                }
                (_, true) => quote! { value.#member.as_ref() },
                (TypeRef::String, false) => {
                    quote! { ::std::option::Option::Some(value.#member.as_str()) }
                }
                (TypeRef::Array(_), false) => {
                    quote! { ::std::option::Option::Some(value.#member.as_slice()) }
                }
                (TypeRef::Boolean | TypeRef::Integer | TypeRef::Number, false) => {
                    quote! { ::std::option::Option::Some(value.#member) }
                }
                (_, false) => quote! { ::std::option::Option::Some(&value.#member) },
            };
            quote! { #name::#variant(value) => #read, }
        });
    quote! {
        #doc
        pub fn #accessor(&self) -> ::std::option::Option<#returns> {
            match self {
                #( #arms )*
                #name::Unknown(_) => ::std::option::Option::None,
            }
        }
    }
}
