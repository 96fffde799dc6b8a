//! `src/types/enums.rs`: open enums with an `Unknown` variant, `as_str`, `Display`, `FromStr`
//! and serde that round-trips values this crate does not know.

use proc_macro2::TokenStream;
use quote::quote;

use super::{docs, ident};
use crate::model::{Api, EnumDef};

/// Emits every enum of the API, preceded by the shared `UnknownValue` type.
pub fn generate(api: &Api) -> TokenStream {
    let enums = api.enums.iter().map(enum_def);
    quote! {
        //! Open enumerations of the API.

        /// A value that an enum of this crate does not know, kept exactly as received.
        ///
        /// It cannot be built directly, so a known value always maps to its own variant; use
        /// `From<&str>` or `FromStr` on the enum, which pick the known variant when there is one.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct UnknownValue(pub(crate) String);

        impl UnknownValue {
            /// The value as received.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for UnknownValue {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        #( #enums )*
    }
}

fn enum_def(def: &EnumDef) -> TokenStream {
    let name = ident(&def.ident);
    let type_docs = docs::outer(&format!(
        "{}\n\nOpen enum: values this crate does not know deserialize into [`{}::Unknown`] and serialize back unchanged.",
        docs::escape(&def.description),
        def.ident
    ));
    let variants = def.variants.iter().map(|variant| {
        let variant_ident = ident(&variant.ident);
        let mut text = format!("`{}`", variant.wire);
        if let Some(description) = &variant.description {
            text.push_str(&format!(": {}", docs::escape(description)));
        }
        if !variant.aliases.is_empty() {
            let aliases: Vec<String> = variant
                .aliases
                .iter()
                .map(|alias| format!("`{alias}`"))
                .collect();
            text.push_str(&format!("\n\nAlso read from {}.", aliases.join(", ")));
        }
        let variant_docs = docs::outer(&text);
        quote! { #variant_docs #variant_ident, }
    });
    let as_str_arms = def.variants.iter().map(|variant| {
        let variant_ident = ident(&variant.ident);
        let wire = &variant.wire;
        quote! { #name::#variant_ident => #wire, }
    });
    let from_arms = def.variants.iter().map(|variant| {
        let variant_ident = ident(&variant.ident);
        let spellings = std::iter::once(&variant.wire).chain(&variant.aliases);
        quote! { #( #spellings )|* => #name::#variant_ident, }
    });
    let known_values = def.variants.iter().map(|variant| &variant.wire);

    quote! {
        #type_docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #variants )*
            /// A value this version of the crate does not know, kept as received.
            Unknown(crate::types::UnknownValue),
        }

        impl #name {
            /// Every value this crate knows, as sent on the wire, in the order of the spec.
            pub const KNOWN_VALUES: &'static [&'static str] = &[ #( #known_values ),* ];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( #as_str_arms )*
                    #name::Unknown(value) => value.as_str(),
                }
            }

            /// Whether this is a value the crate knows (not [`Self::Unknown`]).
            pub fn is_known(&self) -> bool {
                !matches!(self, #name::Unknown(_))
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #from_arms )*
                    other => #name::Unknown(crate::types::UnknownValue(other.to_owned())),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                #name::from(value.as_str())
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(#name::from(value))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize<'de>>::deserialize(deserializer)?;
                ::std::result::Result::Ok(#name::from(value.as_ref()))
            }
        }
    }
}
