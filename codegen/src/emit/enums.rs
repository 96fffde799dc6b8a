//! `src/types/enums.rs`: open enums with an `Unknown` variant; `as_str`, `Display`, `FromStr`
//! and serde that round-trips values this crate does not know come from the runtime's `open_enum!`.

use quote::quote;

use super::{Chunk, RustFile, Verbatim, docs, ident, string_literal};
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
        quote! { #variant_docs #variant_ident, }
    });
    let mut verbatim = Verbatim::default();
    let mut invocation = format!("::codegen_runtime::open_enum!({} {{\n", def.ident);
    for variant in &def.variants {
        invocation.push_str(&format!(
            "    {} = {}",
            variant.ident,
            string_literal(&variant.wire)
        ));
        for alias in &variant.aliases {
            invocation.push_str(&format!(" | {}", string_literal(alias)));
        }
        invocation.push_str(",\n");
    }
    invocation.push_str("});\n");
    let impls = verbatim.item(invocation);

    Chunk::with_verbatim(
        quote! {
            #type_docs
            #[derive(Debug, Clone)]
            #[non_exhaustive]
            pub enum #name {
                #( #variants )*
                /// A value this version of the crate does not know, kept as received.
                Unknown(::codegen_runtime::UnknownValue),
            }

            #impls
        },
        verbatim,
    )
}
