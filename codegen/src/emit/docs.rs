//! Rustdoc helpers shared by the emitters.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` attributes, one per line of `text` (rendered as `///` lines).
pub fn outer(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc = "..."]` attributes, one per line of `text` (rendered as `//!` lines).
pub fn inner(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote! { #( #![doc = #lines] )* }
}

/// A fenced JSON block for rustdoc (not compiled as a doctest).
pub fn json_block(value: &serde_json::Value) -> String {
    let pretty = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    format!("```json\n{pretty}\n```")
}

/// Escapes prose from the spec so rustdoc does not read `[x]` as a link or `<x>` as HTML.
/// Inline code spans (between backticks) are left as written.
pub fn escape(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(index, part)| {
            if index % 2 == 1 {
                part.to_owned()
            } else {
                part.replace('[', "\\[")
                    .replace(']', "\\]")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// `text` with its first letter in lower case and no final period, to continue a sentence.
pub fn lower_first(text: &str) -> String {
    let text = text.trim_end_matches('.');
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// An intra-doc link to a method or field of `owner` that works for raw identifiers too
/// (`[`Client::match`](crate::Client#method.match)`): rustdoc cannot resolve `r#` paths.
pub fn member_link(owner: &str, kind: &str, ident: &str) -> String {
    let name = crate::naming::unraw(ident);
    let short = owner.rsplit("::").next().unwrap_or(owner);
    let label = if short == "Self" {
        name.to_owned()
    } else {
        format!("{short}::{name}")
    };
    format!("[`{label}`]({owner}#{kind}.{name})")
}

/// Rust string literals for the path parameters of a doc example: each parameter's `example`
/// from the spec, or a placeholder naming it.
pub fn example_arguments(params: &[crate::model::PathParam]) -> Vec<String> {
    params
        .iter()
        .map(|param| {
            format!(
                "{:?}",
                param
                    .example
                    .clone()
                    .unwrap_or_else(|| format!("{}-VALUE", param.wire))
            )
        })
        .collect()
}
