//! `src/operations.rs`: one request builder per operation, and the `Client` methods that
//! create them.

use std::collections::BTreeMap;

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::quote;

use super::example_values::ExampleValues;
use super::models::{rust_type, type_text};
use super::{Chunk, RustFile, Verbatim, docs, ident, string_literal};
use crate::model::{
    Api, DiscriminatorArgument, HttpMethod, Operation, ParameterType, PathParam, PathSegment,
    QueryParam, ResponseType, TypeRef,
};
use crate::naming::unraw;

/// Emits the shared path-parameter helpers, then one chunk per operation: its metadata, its
/// `Client` method and its request builder.
pub fn generate(api: &Api) -> RustFile<'_> {
    let shared = Shared::of(api);
    let helpers = Chunk::new(shared.helpers());
    let operations = api
        .operations
        .iter()
        .map(move |operation| operation_chunk(api, &shared, operation));
    RustFile::new(
        quote! {
            //! Request builders, one per operation.
            //!
            //! Create them with the methods of [`Client`](crate::Client); set optional query
            //! parameters; then `.await` the builder (or call `.send().await`).
        },
        std::iter::once(helpers).chain(operations),
    )
}

/// Code several operations share: one function per path parameter (check and encode), so each
/// exists once however many operations use it.
struct Shared<'a> {
    /// Path parameters by wire name, with their function names.
    segments: BTreeMap<&'a str, (&'a PathParam, syn::Ident)>,
}

impl<'a> Shared<'a> {
    fn of(api: &'a Api) -> Self {
        let mut segments = BTreeMap::new();
        for operation in &api.operations {
            for param in &operation.path_params {
                segments.entry(param.wire.as_str()).or_insert_with(|| {
                    (
                        param,
                        ident(&format!("{}_segment", snake_name(&param.ident))),
                    )
                });
            }
        }
        Shared { segments }
    }

    fn segment_fn(&self, param: &PathParam) -> Option<&syn::Ident> {
        self.segments.get(param.wire.as_str()).map(|(_, name)| name)
    }

    fn helpers(&self) -> TokenStream {
        let segment_fns = self.segments.values().map(|(param, name)| {
            let arg_name = unraw(&param.ident);
            let pattern = param.pattern.as_ref().map(|pattern| {
                let description = param
                    .pattern_description
                    .clone()
                    .unwrap_or_else(|| format!("a match of `{pattern}`"));
                quote! {
                    static PATTERN: ::std::sync::LazyLock<::codegen_runtime::pattern::Pattern> =
                        ::std::sync::LazyLock::new(|| ::codegen_runtime::pattern::Pattern::new(#pattern, #description));
                }
            });
            let pattern_arg = if pattern.is_some() {
                quote! { ::std::option::Option::Some(&*PATTERN) }
            } else {
                quote! { ::std::option::Option::None }
            };
            let doc = docs::outer(&format!(
                "Checks the `{}` path parameter{} and percent-encodes it as one segment.",
                param.wire,
                param
                    .pattern_description
                    .as_ref()
                    .map(|description| format!(" (it must be {description})"))
                    .unwrap_or_default()
            ));
            quote! {
                #doc
                fn #name(value: &str) -> ::std::result::Result<::std::string::String, crate::Error> {
                    #pattern
                    ::codegen_runtime::transport::path_segment(#arg_name, value, #pattern_arg)
                }
            }
        });
        quote! {
            #( #segment_fns )*
        }
    }
}

/// A parameter's Rust name as part of another name: no `r#`, no `_` added after a keyword.
fn snake_name(ident: &str) -> &str {
    unraw(ident).trim_end_matches('_')
}

/// The name of an operation's metadata `static` (see [`operation_metadata`]).
pub(super) fn operation_static(operation: &Operation) -> syn::Ident {
    ident(&unraw(&operation.method_ident).to_shouty_snake_case())
}

/// What is said once about an operation, and its request, tracing span and mock read: a
/// `static` [`Operation`](codegen_runtime::Operation).
fn operation_metadata(operation: &Operation) -> TokenStream {
    let name = operation_static(operation);
    let docs = docs::outer(&format!(
        "The operation `{}`: what its request, tracing span and mock read.",
        operation.id
    ));
    let id = &operation.id;
    let client_method = unraw(&operation.method_ident);
    let method = http_method(operation);
    let template = &operation.path_template;
    let media_type = &operation.media_type;
    let has_body = operation.body.is_some();
    let status = operation.response.status;
    let empty = matches!(operation.response.ty, ResponseType::Empty);
    let envelope = match operation
        .query_params
        .iter()
        .find(|param| param.response_envelope)
    {
        Some(param) => {
            let wire = &param.wire;
            quote! { ::std::option::Option::Some(#wire) }
        }
        None => quote! { ::std::option::Option::None },
    };
    quote! {
        #docs
        pub(crate) static #name: ::codegen_runtime::Operation = ::codegen_runtime::Operation {
            id: #id,
            client_method: #client_method,
            method: ::codegen_runtime::reqwest::Method::#method,
            path_template: #template,
            media_type: #media_type,
            has_body: #has_body,
            status: #status,
            empty: #empty,
            envelope: #envelope,
        };
    }
}

/// The `reqwest::Method` constant of an operation's method.
fn http_method(operation: &Operation) -> TokenStream {
    match operation.http_method {
        HttpMethod::Get => quote! { GET },
        HttpMethod::Post => quote! { POST },
        HttpMethod::Put => quote! { PUT },
        HttpMethod::Patch => quote! { PATCH },
        HttpMethod::Delete => quote! { DELETE },
    }
}

/// An operation's `Client` method and request builder.
fn operation_chunk(api: &Api, shared: &Shared<'_>, operation: &Operation) -> Chunk {
    let mut verbatim = Verbatim::default();
    let metadata = operation_metadata(operation);
    let method = client_method(api, operation, &mut verbatim);
    let builder = request_builder(shared, operation, &mut verbatim);
    Chunk::with_verbatim(
        quote! {
            #metadata

            impl crate::Client {
                #method
            }

            #builder
        },
        verbatim,
    )
}

/// The type an operation returns, as source text.
fn response_type(operation: &Operation) -> String {
    match &operation.response.ty {
        ResponseType::Object(ty) => type_text(ty),
        ResponseType::Array(item) => type_text(&TypeRef::Array(Box::new(item.clone()))),
        ResponseType::Empty => "()".to_owned(),
    }
}

/// The type of a path parameter's method argument: its enum, or any string.
pub(super) fn path_arg_type(param: &PathParam) -> TokenStream {
    match &param.enum_ident {
        Some(name) => {
            let name = ident(name);
            quote! { impl ::std::convert::Into<crate::types::#name> }
        }
        None => quote! { impl ::std::convert::Into<::std::string::String> },
    }
}

/// The type a builder stores a path parameter as.
fn path_field_type(param: &PathParam) -> TokenStream {
    match &param.enum_ident {
        Some(name) => {
            let name = ident(name);
            quote! { crate::types::#name }
        }
        None => quote! { ::std::string::String },
    }
}

/// The operation's documentation: summary, description, HTTP line, roles, considerations,
/// arguments, a compiled example and the example response.
fn operation_docs(api: &Api, operation: &Operation) -> String {
    let lib = &api.crate_info.lib;
    let mut text = format!(
        "{}\n\n{}\n",
        docs::escape(&operation.summary),
        docs::escape(&operation.description)
    );
    text.push_str(&format!(
        "\n`{} {}`\n",
        operation.http_method.as_str(),
        operation.path_template
    ));
    let mut facts = Vec::new();
    if let Some(version) = &operation.api_version {
        facts.push(format!(
            "API version `{version}`: sends `Accept: {}`{}.",
            operation.media_type,
            if operation.body.is_some() {
                " and a body of the same media type"
            } else {
                ""
            }
        ));
    }
    if operation.response.status != 200 {
        facts.push(format!(
            "Succeeds with HTTP {}{}.",
            operation.response.status,
            if operation.response.status == 204 {
                " No Content"
            } else {
                ""
            }
        ));
    }
    if let Some(official) = &operation.official_id {
        facts.push(format!("Official operation id: `{official}`."));
    }
    if !facts.is_empty() {
        text.push_str(&format!("\n{}\n", facts.join(" ")));
    }
    if !operation.required_roles.is_empty() {
        let roles: Vec<String> = operation
            .required_roles
            .iter()
            .map(|role| format!("`{role}`"))
            .collect();
        text.push_str(&format!(
            "\n# Required roles\n\nOne of: {}.\n",
            roles.join(", ")
        ));
    }
    if !operation.considerations.is_empty() {
        text.push_str("\n# Considerations\n\n");
        for consideration in &operation.considerations {
            text.push_str(&format!("- {}\n", docs::escape(consideration)));
        }
    }
    text.push_str("\n# Arguments\n\n");
    for param in &operation.path_params {
        text.push_str(&format!(
            "- `{}` (`{}`): {}",
            unraw(&param.ident),
            param.wire,
            docs::escape(&param.description)
        ));
        if let Some(description) = &param.pattern_description {
            text.push_str(&format!(" Must be {description}."));
        }
        if let Some(name) = &param.enum_ident {
            text.push_str(&format!(
                " A [`{name}`](crate::types::{name}) (or its wire value as a string)."
            ));
        }
        text.push('\n');
    }
    if let Some(body) = &operation.body {
        text.push_str(&format!(
            "- `body`: the request body, [`{}`](crate::types::{}).",
            body.type_ident(),
            body.type_ident()
        ));
        if let Some(description) = &body.description {
            text.push_str(&format!(" {}", docs::escape(description)));
        }
        text.push('\n');
    }
    if !operation.query_params.is_empty() {
        let setters: Vec<String> = operation
            .query_params
            .iter()
            .map(|param| {
                docs::member_link(
                    &format!("crate::operations::{}", operation.builder_ident),
                    "method",
                    &param.ident,
                )
            })
            .collect();
        text.push_str(&format!(
            "\nOptional query parameters are setters of the returned builder: {}.\n",
            setters.join(", ")
        ));
    }
    // What can go wrong is the same for every operation: said once, in the crate docs.
    text.push_str("\n# Errors\n\nSee [Errors](crate#errors) in the crate docs.\n");

    // A compiled (not run) example built from the spec's examples.
    let mut call_args = docs::example_arguments(&operation.path_params);
    let mut example = format!(
        "\n# Example\n\n```no_run\n# async fn example(client: {lib}::Client) -> Result<(), {lib}::Error> {{\n"
    );
    if let Some(body) = &operation.body {
        let value =
            ExampleValues::new(api, lib).body(&body.ty, operation.example_request_body.as_ref());
        example.push_str(&format!("let body = {value};\n"));
        call_args.push("body".to_owned());
    }
    example.push_str(&format!(
        "let result = client.{}({}).await?;\n",
        operation.method_ident,
        call_args.join(", ")
    ));
    example.push_str("println!(\"{result:?}\");\n# Ok(())\n# }\n```\n");
    text.push_str(&example);

    if let Some(response) = &operation.example_response {
        text.push_str(&format!(
            "\nExample response:\n\n{}\n",
            docs::json_block(response)
        ));
    }
    text
}

fn client_method(api: &Api, operation: &Operation, verbatim: &mut Verbatim) -> TokenStream {
    let method = ident(&operation.method_ident);
    let builder = ident(&operation.builder_ident);
    let method_docs = verbatim.doc(&operation_docs(api, operation));
    let path_args = operation.path_params.iter().map(|param| {
        let name = ident(&param.ident);
        let ty = path_arg_type(param);
        quote! { #name: #ty }
    });
    let path_inits = operation.path_params.iter().map(|param| {
        let name = ident(&param.ident);
        quote! { #name: #name.into(), }
    });
    let body_arg = operation.body.as_ref().map(|body| {
        let ty = rust_type(&body.ty);
        quote! { body: #ty }
    });
    let body_init = operation.body.as_ref().map(|_| quote! { body, });
    let query_inits = operation.query_params.iter().map(|param| {
        let name = ident(&param.ident);
        quote! { #name: ::std::option::Option::None, }
    });
    quote! {
        #method_docs
        pub fn #method(&self, #( #path_args, )* #body_arg) -> crate::operations::#builder {
            crate::operations::#builder {
                client: ::std::clone::Clone::clone(self),
                options: ::std::default::Default::default(),
                #( #path_inits )*
                #body_init
                #( #query_inits )*
            }
        }
    }
}

fn request_builder(
    shared: &Shared<'_>,
    operation: &Operation,
    verbatim: &mut Verbatim,
) -> TokenStream {
    let builder = ident(&operation.builder_ident);
    let builder_docs = verbatim.doc(&format!(
        "Request builder for {method}: {summary}.\n\nSet optional query parameters, then `.await` it (or call [`send`](Self::send)).",
        method = docs::member_link("crate::Client", "method", &operation.method_ident),
        summary = docs::escape(&operation.summary),
    ));

    let path_fields = operation.path_params.iter().map(|param| {
        let name = ident(&param.ident);
        let ty = path_field_type(param);
        quote! { #name: #ty, }
    });
    let body_field = operation.body.as_ref().map(|body| {
        let ty = rust_type(&body.ty);
        quote! { pub(crate) body: #ty, }
    });
    let query_fields = operation.query_params.iter().map(|param| {
        let name = ident(&param.ident);
        let ty = query_rust_type(param);
        quote! { #name: ::std::option::Option<#ty>, }
    });
    let setters: Vec<TokenStream> = operation.query_params.iter().map(|param| {
        let name = ident(&param.ident);
        let ty = query_rust_type(param);
        let mut text = format!("`{}` query parameter: {}", param.wire, docs::escape(&param.description));
        if let Some(default) = &param.default {
            text.push_str(&format!(" The server's default is `{default}`; the parameter is only sent when set."));
        }
        if param.response_envelope {
            text.push_str(" The client unwraps the `{\"status\", \"content\"}` envelope, so the result is the same, and an enveloped non-2xx status still becomes [`Error::Api`](crate::Error::Api).");
        }
        let setter_docs = verbatim.doc(&text);
        let value = match param.ty {
            ParameterType::String => quote! { ::std::option::Option::Some(::std::convert::Into::into(value)) },
            _ => quote! { ::std::option::Option::Some(value) },
        };
        let arg_ty = match param.ty {
            ParameterType::String => quote! { impl ::std::convert::Into<#ty> },
            _ => ty,
        };
        quote! {
            #setter_docs
            pub fn #name(mut self, value: #arg_ty) -> Self {
                self.#name = #value;
                self
            }
        }
    }).collect();

    // The path parameters, checked and encoded, in the order of the template's placeholders.
    let path_values = operation.path.iter().filter_map(|segment| match segment {
        PathSegment::Literal(_) => None,
        PathSegment::Param(index) => {
            let param = operation.path_params.get(*index)?;
            let segment_fn = shared.segment_fn(param)?;
            let name = ident(&param.ident);
            let value = if param.enum_ident.is_some() {
                quote! { self.#name.as_str() }
            } else {
                quote! { &self.#name }
            };
            Some(quote! { &#segment_fn(#value)? })
        }
    });
    let operation_static = operation_static(operation);
    let path = quote! { #operation_static.path_with(&[#( #path_values ),*]) };
    let query_pushes = operation.query_params.iter().map(|param| {
        let name = ident(&param.ident);
        let wire = &param.wire;
        quote! { ::codegen_runtime::transport::push_query(&mut query, #wire, &self.#name); }
    });
    let envelope = operation
        .query_params
        .iter()
        .find(|param| param.response_envelope)
        .map(|param| {
            let name = ident(&param.ident);
            quote! { self.#name.unwrap_or(false) }
        })
        .unwrap_or_else(|| quote! { false });
    let discriminator = match &operation.response.discriminator_source {
        Some(source) => {
            let member = &source.member;
            let value = match &source.from {
                DiscriminatorArgument::PathParam(name) => {
                    let name = ident(name);
                    quote! { self.#name.as_str() }
                }
                DiscriminatorArgument::BodyField(name) => {
                    let name = ident(name);
                    quote! { self.body.#name.as_str() }
                }
            };
            quote! { ::std::option::Option::Some((#member, ::std::borrow::ToOwned::to_owned(#value))) }
        }
        None => quote! { ::std::option::Option::None },
    };
    let variant_check = operation.body_variant_check.as_ref().map(|check| {
        let accessor = ident(&check.accessor);
        let param = ident(&check.param_ident);
        let name = unraw(&check.param_ident);
        quote! {
            ::codegen_runtime::transport::check_body_variant(self.body.#accessor(), &self.#param, #name)?;
        }
    });
    let body = if operation.body.is_some() {
        quote! { ::std::option::Option::Some(::codegen_runtime::transport::encode_body(&self.body)?) }
    } else {
        quote! { ::std::option::Option::None }
    };
    let query_mut = (!operation.query_params.is_empty()).then(|| quote! { mut });

    // The span: the operation's metadata and one field per path parameter.
    let span_values = operation.path_params.iter().map(|param| {
        let name = ident(&param.ident);
        quote! { let #name = self.#name.as_str(); }
    });
    let span_fields = operation.path_params.iter().map(|param| {
        let field = unraw(&param.ident);
        let name = ident(&param.ident);
        quote! { , #field = #name }
    });

    let output = response_type(operation);
    let decode = match operation.response.ty {
        ResponseType::Empty => "::codegen_runtime::transport::decode_empty",
        _ => "::codegen_runtime::transport::decode_json",
    };
    let returns = match &operation.response.description {
        Some(description) => docs::escape(&docs::lower_first(description)),
        None => "the decoded response".to_owned(),
    };
    let shared_methods = verbatim.item(format!(
        "::codegen_runtime::request_builder!(\n    {} => {output}, {decode}, {}, {}\n);\n",
        operation.builder_ident,
        string_literal(unraw(&operation.method_ident)),
        string_literal(&returns),
    ));

    quote! {
        #builder_docs
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is awaited or `.send()` is called"]
        pub struct #builder {
            pub(crate) client: crate::Client,
            pub(crate) options: ::codegen_runtime::transport::RequestOptions,
            #( pub(crate) #path_fields )*
            #body_field
            #( pub(crate) #query_fields )*
        }

        impl #builder {
            #( #setters )*

            fn span(&self) -> ::tracing::Span {
                #( #span_values )*
                ::tracing::info_span!(
                    "operation",
                    operation = #operation_static.id,
                    method = #operation_static.method.as_str(),
                    path_template = #operation_static.path_template
                    #( #span_fields )*
                )
            }

            fn request(&self) -> ::std::result::Result<::codegen_runtime::transport::ApiRequest, crate::Error> {
                #variant_check
                let #query_mut query = ::std::vec::Vec::new();
                #( #query_pushes )*
                ::std::result::Result::Ok(::codegen_runtime::transport::ApiRequest {
                    operation: &#operation_static,
                    path: #path,
                    query,
                    body: #body,
                    answer: ::codegen_runtime::transport::AnswerShape {
                        envelope: #envelope,
                        discriminator: #discriminator,
                    },
                })
            }
        }

        #shared_methods
    }
}

fn query_rust_type(param: &QueryParam) -> TokenStream {
    match (&param.enum_ident, param.ty) {
        (Some(name), _) => {
            let name = ident(name);
            quote! { crate::types::#name }
        }
        (None, ParameterType::Boolean) => quote! { bool },
        (None, ParameterType::Integer) => quote! { i64 },
        (None, ParameterType::String) => quote! { ::std::string::String },
    }
}
