//! The derives a generated crate puts on its types, re-exported by `codegen-runtime`:
//! [`Object`](macro@Object), [`Union`](macro@Union) and [`OpenEnum`](macro@OpenEnum).
//!
//! They implement the JSON mapping (and, for enums, the open-enum conveniences) from what the
//! type states in attributes, and expand to calls of the helpers in `codegen_runtime::codec`.
//! serde's own derives would do the mapping too, but expand to about 470 lines per struct,
//! which dominated a generated crate's compile time (BENCHMARKS.md); these expand to what the
//! mapping needs and nothing else.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Path, Token};

/// Implements `Serialize` and `Deserialize` for an object type: a struct with named fields,
/// each marked with its member's wire name and kind.
///
/// ```text
/// #[derive(codegen_runtime::Object)]
/// pub struct Widget {
///     #[member("id")]
///     pub id: String,
///     #[member("displayName", optional)]
///     pub display_name: Option<String>,
///     #[member("comment", nullable)]
///     pub comment: Option<String>,
/// }
/// ```
///
/// | kind | field type | reading a missing / `null` member | writing |
/// |---|---|---|---|
/// | (none: required) | `T` | error / error | always |
/// | `nullable` | `Option<T>` | `None` / `None` | always (`null` for `None`) |
/// | `optional` | `Option<T>` | `None` / `None` | only when `Some` |
///
/// Members nobody asks for are ignored when reading; each member is decoded straight into
/// its field, with no map built in between.
#[proc_macro_derive(Object, attributes(member))]
pub fn derive_object(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as DeriveInput);
    object(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements a discriminated union: an enum with one variant per known discriminator value,
/// each holding an object type that leaves the discriminator member to the union, and
/// `Unknown(UnknownObject)`, which keeps any other object whole. Adds `DISCRIMINATOR` and
/// `is_known`, `Serialize` (the discriminator member first) and `Deserialize` (the variant
/// chosen by the discriminator, read as the open enum `kind`, whose variants are named like
/// the union's).
///
/// ```text
/// #[derive(codegen_runtime::Union)]
/// #[union(discriminator = "kind", kind = crate::types::ShapeKind)]
/// pub enum Shape {
///     Circle(Circle),
///     Square(Square),
///     Unknown(codegen_runtime::UnknownObject),
/// }
/// ```
#[proc_macro_derive(Union, attributes(union))]
pub fn derive_union(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as DeriveInput);
    union(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements an open enum from its variants' wire values (and the aliases also accepted when
/// reading): `KNOWN_VALUES`, `as_str`, `is_known`, `From<&str>`, `From<String>`, `FromStr`,
/// `AsRef<str>`, `PartialEq`, `Eq`, `Hash` and `Ord` (by wire value: the same as comparing
/// variants, since a known value never ends up in `Unknown`, and far cheaper to compile than
/// the derives), `Display`, `Serialize` and `Deserialize`.
///
/// ```text
/// #[derive(codegen_runtime::OpenEnum)]
/// pub enum Color {
///     #[value("dark-red", alias = "DARK_RED")]
///     DarkRed,
///     Unknown(codegen_runtime::UnknownValue),
/// }
/// ```
#[proc_macro_derive(OpenEnum, attributes(value))]
pub fn derive_open_enum(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as DeriveInput);
    open_enum(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// How a field maps to its member.
enum Kind {
    Required,
    Optional,
    Nullable,
}

/// A field of an object type and its `#[member(..)]`.
struct Member<'a> {
    field: &'a Ident,
    wire: LitStr,
    kind: Kind,
}

fn member(field: &syn::Field) -> syn::Result<Member<'_>> {
    let name = field
        .ident
        .as_ref()
        .ok_or_else(|| syn::Error::new(field.span(), "an object type has named fields"))?;
    let attribute = field
        .attrs
        .iter()
        .find(|attribute| attribute.path().is_ident("member"))
        .ok_or_else(|| {
            syn::Error::new(
                name.span(),
                format!("field `{name}` needs `#[member(\"wireName\")]`"),
            )
        })?;
    attribute.parse_args_with(|input: ParseStream<'_>| {
        let wire: LitStr = input.parse()?;
        let kind = if input.is_empty() {
            Kind::Required
        } else {
            input.parse::<Token![,]>()?;
            let kind: Ident = input.parse()?;
            match kind.to_string().as_str() {
                "optional" => Kind::Optional,
                "nullable" => Kind::Nullable,
                _ => {
                    return Err(syn::Error::new(
                        kind.span(),
                        "expected `optional` or `nullable` (a member without a kind is required)",
                    ));
                }
            }
        };
        Ok(Member {
            field: name,
            wire,
            kind,
        })
    })
}

fn object(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            name.span(),
            "`Object` is derived for structs",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new(
            name.span(),
            "`Object` is derived for structs with named fields",
        ));
    };
    let members = fields
        .named
        .iter()
        .map(member)
        .collect::<syn::Result<Vec<_>>>()?;
    let kind_name = |member: &Member<'_>| match member.kind {
        Kind::Required => format_ident!("required"),
        Kind::Optional => format_ident!("optional"),
        Kind::Nullable => format_ident!("nullable"),
    };
    let writes = members.iter().map(|member| {
        let (field, wire, kind) = (member.field, &member.wire, kind_name(member));
        quote! { writer.#kind(#wire, &self.#field)?; }
    });
    let slots = members.iter().map(|member| member.field);
    let reads = members.iter().map(|member| {
        let (field, wire) = (member.field, &member.wire);
        quote! { #wire => ::codegen_runtime::codec::read_member(&mut map, &mut #field, #wire)?, }
    });
    let finishes = members.iter().map(|member| {
        let (field, wire, kind) = (member.field, &member.wire, kind_name(member));
        quote! { #field: ::codegen_runtime::codec::#kind(#field, #wire)?, }
    });
    let expecting = format!("a {name} object");
    Ok(quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                let mut writer = ::codegen_runtime::codec::ObjectWriter::new(serializer)?;
                ::codegen_runtime::codec::ToObject::write_members(self, &mut writer)?;
                writer.end()
            }
        }

        impl ::codegen_runtime::codec::ToObject for #name {
            fn write_members<M: ::serde::ser::SerializeMap>(
                &self,
                writer: &mut ::codegen_runtime::codec::ObjectWriter<M>,
            ) -> ::std::result::Result<(), M::Error> {
                #( #writes )*
                ::std::result::Result::Ok(())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                struct Members;

                impl<'de> ::serde::de::Visitor<'de> for Members {
                    type Value = #name;

                    fn expecting(
                        &self,
                        formatter: &mut ::std::fmt::Formatter<'_>,
                    ) -> ::std::fmt::Result {
                        formatter.write_str(#expecting)
                    }

                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<#name, A::Error> {
                        #( let mut #slots = ::std::option::Option::None; )*
                        while let ::std::option::Option::Some(key) =
                            map.next_key::<::codegen_runtime::codec::Key<'de>>()?
                        {
                            match key.as_str() {
                                #( #reads )*
                                _ => ::codegen_runtime::codec::skip_member(&mut map)?,
                            }
                        }
                        ::std::result::Result::Ok(#name {
                            #( #finishes )*
                        })
                    }
                }

                deserializer.deserialize_map(Members)
            }
        }
    })
}

/// The variants of an enum deriving `Union` or `OpenEnum`: the known ones, and `Unknown`.
fn variants<'a>(input: &'a DeriveInput, derive: &str) -> syn::Result<Vec<&'a syn::Variant>> {
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            format!("`{derive}` is derived for enums"),
        ));
    };
    if !data
        .variants
        .iter()
        .any(|variant| variant.ident == "Unknown")
    {
        return Err(syn::Error::new(
            input.ident.span(),
            format!("an enum deriving `{derive}` has an `Unknown` variant"),
        ));
    }
    Ok(data
        .variants
        .iter()
        .filter(|variant| variant.ident != "Unknown")
        .collect())
}

fn union(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let known = variants(input, "Union")?;
    let attribute = input
        .attrs
        .iter()
        .find(|attribute| attribute.path().is_ident("union"))
        .ok_or_else(|| {
            syn::Error::new(
                name.span(),
                "`Union` needs `#[union(discriminator = \"member\", kind = path::ToKindEnum)]`",
            )
        })?;
    let mut discriminator: Option<LitStr> = None;
    let mut kind: Option<Path> = None;
    attribute.parse_nested_meta(|meta| {
        if meta.path.is_ident("discriminator") {
            discriminator = Some(meta.value()?.parse()?);
            Ok(())
        } else if meta.path.is_ident("kind") {
            kind = Some(meta.value()?.parse()?);
            Ok(())
        } else {
            Err(meta.error("expected `discriminator = \"member\"` or `kind = EnumPath`"))
        }
    })?;
    let discriminator = discriminator
        .ok_or_else(|| syn::Error::new(attribute.span(), "missing `discriminator = \"member\"`"))?;
    let kind =
        kind.ok_or_else(|| syn::Error::new(attribute.span(), "missing `kind = EnumPath`"))?;
    let variants: Vec<&Ident> = known.iter().map(|variant| &variant.ident).collect();
    Ok(quote! {
        impl #name {
            /// Wire name of the member that says which variant an object is.
            pub const DISCRIMINATOR: &'static str = #discriminator;

            /// Whether this is a variant the crate knows (not [`Self::Unknown`]).
            pub fn is_known(&self) -> bool {
                !matches!(self, #name::Unknown(_))
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #( #name::#variants(value) => ::codegen_runtime::codec::write_variant(
                        serializer,
                        #discriminator,
                        #kind::#variants.as_str(),
                        value,
                    ), )*
                    #name::Unknown(object) => ::serde::Serialize::serialize(object.as_map(), serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                // The discriminator may come after the members it decides on, so the object is
                // read whole first.
                let members = ::codegen_runtime::codec::read_object(deserializer)?;
                let value = members
                    .get(#discriminator)
                    .and_then(::serde_json::Value::as_str)
                    .map(#kind::from);
                match value {
                    #( ::std::option::Option::Some(#kind::#variants) => {
                        ::codegen_runtime::codec::variant(members).map(#name::#variants)
                    } )*
                    _ => ::std::result::Result::Ok(#name::Unknown(
                        ::codegen_runtime::UnknownObject::new(members),
                    )),
                }
            }
        }
    })
}

/// A known variant of an open enum: its wire value and the aliases also read.
fn wire_values(variant: &syn::Variant) -> syn::Result<(LitStr, Vec<LitStr>)> {
    let attribute = variant
        .attrs
        .iter()
        .find(|attribute| attribute.path().is_ident("value"))
        .ok_or_else(|| {
            syn::Error::new(
                variant.ident.span(),
                format!(
                    "variant `{}` needs `#[value(\"WIRE\")]` (only `Unknown` has none)",
                    variant.ident
                ),
            )
        })?;
    attribute.parse_args_with(|input: ParseStream<'_>| {
        let wire: LitStr = input.parse()?;
        let mut aliases = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            let key: Ident = input.parse()?;
            if key != "alias" {
                return Err(syn::Error::new(key.span(), "expected `alias = \"VALUE\"`"));
            }
            input.parse::<Token![=]>()?;
            aliases.push(input.parse()?);
        }
        Ok((wire, aliases))
    })
}

fn open_enum(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let known = variants(input, "OpenEnum")?;
    let values = known
        .iter()
        .map(|variant| wire_values(variant))
        .collect::<syn::Result<Vec<_>>>()?;
    let variants: Vec<&Ident> = known.iter().map(|variant| &variant.ident).collect();
    let wires: Vec<&LitStr> = values.iter().map(|(wire, _)| wire).collect();
    let patterns = values.iter().map(|(wire, aliases)| {
        quote! { #wire #( | #aliases )* }
    });
    Ok(quote! {
        impl #name {
            /// Every value this crate knows, as sent on the wire, in the order of the spec.
            pub const KNOWN_VALUES: &'static [&'static str] = &[#( #wires ),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( #name::#variants => #wires, )*
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
                    #( #patterns => #name::#variants, )*
                    other => #name::Unknown(::codegen_runtime::UnknownValue::new(other.to_owned())),
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

        impl ::std::cmp::PartialEq for #name {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl ::std::cmp::Eq for #name {}

        impl ::std::hash::Hash for #name {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                ::std::hash::Hash::hash(self.as_str(), state);
            }
        }

        impl ::std::cmp::Ord for #name {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl ::std::cmp::PartialOrd for #name {
            fn partial_cmp(&self, other: &Self) -> ::std::option::Option<::std::cmp::Ordering> {
                ::std::option::Option::Some(::std::cmp::Ord::cmp(self, other))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                ::codegen_runtime::codec::string(deserializer).map(|value| #name::from(value.as_ref()))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(result: syn::Result<Tokens>) -> String {
        result.expect_err("refused").to_string()
    }

    #[test]
    fn a_field_without_its_member_attribute_is_named() {
        let input: DeriveInput = syn::parse_quote! {
            struct Widget { #[member("id")] id: String, label: String }
        };
        assert_eq!(
            error(object(&input)),
            "field `label` needs `#[member(\"wireName\")]`"
        );
    }

    #[test]
    fn an_unknown_member_kind_is_refused_with_the_known_ones() {
        let input: DeriveInput = syn::parse_quote! {
            struct Widget { #[member("id", sometimes)] id: Option<String> }
        };
        assert_eq!(
            error(object(&input)),
            "expected `optional` or `nullable` (a member without a kind is required)"
        );
    }

    #[test]
    fn objects_read_and_write_each_member_by_its_wire_name_and_kind() {
        let input: DeriveInput = syn::parse_quote! {
            struct Widget {
                #[member("id")] id: String,
                #[member("displayName", optional)] display_name: Option<String>,
                #[member("note", nullable)] note: Option<String>,
            }
        };
        let code = object(&input).expect("derives").to_string();
        for expected in [
            r#"writer . required ("id" , & self . id)"#,
            r#"writer . optional ("displayName" , & self . display_name)"#,
            r#"writer . nullable ("note" , & self . note)"#,
            r#""displayName" => :: codegen_runtime :: codec :: read_member (& mut map , & mut display_name , "displayName")"#,
            r#"note : :: codegen_runtime :: codec :: nullable (note , "note") ?"#,
        ] {
            assert!(code.contains(expected), "{expected} missing from {code}");
        }
    }

    #[test]
    fn enums_need_an_unknown_variant_and_a_value_per_known_one() {
        let without_unknown: DeriveInput = syn::parse_quote! {
            enum Region { #[value("us-east-1")] UsEast1 }
        };
        assert_eq!(
            error(open_enum(&without_unknown)),
            "an enum deriving `OpenEnum` has an `Unknown` variant"
        );
        let without_value: DeriveInput = syn::parse_quote! {
            enum Region { UsEast1, Unknown(UnknownValue) }
        };
        assert_eq!(
            error(open_enum(&without_value)),
            "variant `UsEast1` needs `#[value(\"WIRE\")]` (only `Unknown` has none)"
        );
        let with_aliases: DeriveInput = syn::parse_quote! {
            enum Region {
                #[value("us-east-1", alias = "US_EAST_1", alias = "USE1")] UsEast1,
                Unknown(UnknownValue),
            }
        };
        let code = open_enum(&with_aliases).expect("derives").to_string();
        assert!(
            code.contains(r#""us-east-1" | "US_EAST_1" | "USE1" => Region :: UsEast1"#),
            "{code}"
        );
    }

    #[test]
    fn unions_need_their_discriminator_and_kind() {
        let input: DeriveInput = syn::parse_quote! {
            #[union(discriminator = "kind")]
            enum Shape { Circle(Circle), Unknown(UnknownObject) }
        };
        assert_eq!(error(union(&input)), "missing `kind = EnumPath`");
        let input: DeriveInput = syn::parse_quote! {
            #[union(discriminator = "kind", kind = crate::types::ShapeKind)]
            enum Shape { Circle(Circle), Unknown(UnknownObject) }
        };
        let code = union(&input).expect("derives").to_string();
        assert!(
            code.contains(r#"pub const DISCRIMINATOR : & 'static str = "kind""#),
            "{code}"
        );
        assert!(
            code.contains("Some (crate :: types :: ShapeKind :: Circle)"),
            "{code}"
        );
    }
}
