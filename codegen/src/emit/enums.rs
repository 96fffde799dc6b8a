//! `src/types/enums.rs`: open enums with an `Unknown` variant, deriving the runtime's
//! `OpenEnum` (`as_str`, `Display`, `FromStr`, and serde that round-trips values this crate
//! does not know) from each variant's `#[value(wire value, alias = ..)]`.

use quote::quote;

use super::{Chunk, RustFile, docs, ident};
use crate::model::{Api, EnumDef};

/// Emits every enum of the API (their `Unknown` variants hold the runtime's `UnknownValue`).
pub fn generate(api: &Api) -> RustFile<'_> {
    RustFile::new(
        quote! {
            //! Open enumerations of the API.
        },
        api.enums.iter().map(enum_def),
    )
}

fn enum_def(def: &EnumDef) -> Chunk {
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
        let wire = &variant.wire;
        let aliases = &variant.aliases;
        quote! {
            #variant_docs
            #[value(#wire #( , alias = #aliases )*)]
            #variant_ident,
        }
    });
    Chunk::new(quote! {
        #type_docs
        #[derive(Debug, Clone, ::codegen_runtime::OpenEnum)]
        #[non_exhaustive]
        pub enum #name {
            #( #variants )*
            /// A value this version of the crate does not know, kept as received.
            Unknown(::codegen_runtime::UnknownValue),
        }
    })
}
