//! `src/operations.rs`: one request builder per operation, and the `Client` methods that
//! create them.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::models::rust_type;
use super::{docs, ident};
use crate::model::{
    Api, HttpMethod, Operation, PathParam, PathSegment, QueryType, ResponseType, TypeRef,
};
use crate::naming::unraw;

/// Emits the request builders, the `Client` methods and the compiled path patterns.
pub fn generate(api: &Api) -> TokenStream {
    let lib = ident(&api.crate_info.lib);
    // Path parameters are shared between operations: one compiled pattern per parameter.
    let mut patterns: BTreeMap<&str, &PathParam> = BTreeMap::new();
    for operation in &api.operations {
        for param in &operation.path_params {
            if param.pattern.is_some() {
                patterns.entry(param.wire.as_str()).or_insert(param);
            }
        }
    }
    let pattern_statics = patterns.values().map(|param| {
        let static_ident = pattern_ident(param);
        let pattern = param.pattern.as_deref().unwrap_or_default();
        let description = param.pattern_description.clone().unwrap_or_else(|| format!("a match of `{pattern}`"));
        quote! {
            static #static_ident: ::std::sync::LazyLock<crate::transport::Pattern> =
                ::std::sync::LazyLock::new(|| crate::transport::Pattern::new(#pattern, #description));
        }
    });
    let methods = api
        .operations
        .iter()
        .map(|operation| client_method(operation, &lib));
    let builders = api.operations.iter().map(request_builder);
    quote! {
        //! Request builders, one per operation.
        //!
        //! Create them with the methods of [`Client`](crate::Client); set optional query
        //! parameters; then `.await` the builder (or call `.send().await`).

        #( #pattern_statics )*

        impl crate::Client {
            #( #methods )*
        }

        #( #builders )*
    }
}

fn pattern_ident(param: &PathParam) -> syn::Ident {
    ident(&format!(
        "{}_PATTERN",
        unraw(&param.ident).trim_end_matches('_').to_uppercase()
    ))
}

fn response_type(operation: &Operation) -> TokenStream {
    match &operation.response.ty {
        ResponseType::Struct(name) => rust_type(&TypeRef::Struct(name.clone())),
        ResponseType::Array(item) => rust_type(&TypeRef::Array(Box::new(item.clone()))),
        ResponseType::Empty => quote! { () },
    }
}

/// The operation's documentation: summary, description, HTTP line, roles, considerations,
/// arguments, examples.
fn operation_docs(operation: &Operation, lib: &syn::Ident) -> String {
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
        text.push('\n');
    }
    if let Some(body) = &operation.body {
        text.push_str(&format!(
            "- `body`: the request body, [`{}`](crate::types::{}).",
            body.type_ident, body.type_ident
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
    text.push_str("\n# Errors\n\n");
    if !operation.path_params.is_empty() {
        text.push_str("[`Error::InvalidArgument`](crate::Error::InvalidArgument) before anything is sent when a path parameter is empty, `.`/`..`, or does not match its pattern; ");
    }
    text.push_str("[`Error::Api`](crate::Error::Api) for a non-2xx answer; [`Error::Decode`](crate::Error::Decode) when a 2xx body does not decode; [`Error::Transport`](crate::Error::Transport) and [`Error::Authentication`](crate::Error::Authentication) when the exchange itself fails.\n");

    // A compiled (not run) example built from the spec's examples.
    let args = docs::example_arguments(&operation.path_params);
    let mut example = format!(
        "\n# Example\n\n```no_run\n# async fn example(client: {lib}::Client) -> Result<(), Box<dyn std::error::Error>> {{\n"
    );
    let mut call_args = args;
    if let Some(body) = &operation.body {
        let json = operation
            .example_request_body
            .as_ref()
            .map(|value| value.to_string())
            .unwrap_or_else(|| "{}".to_owned());
        example.push_str(&format!(
            "let body: {lib}::types::{} = serde_json::from_str(r#\"{json}\"#)?;\n",
            body.type_ident
        ));
        call_args.push("body".to_owned());
    }
    example.push_str(&format!(
        "let result = client.{}({}).await?;\n",
        operation.method_ident,
        call_args.join(", ")
    ));
    example.push_str("println!(\"{result:?}\");\n# Ok(())\n# }\n```\n");
    text.push_str(&example);

    if let Some(body) = &operation.example_request_body {
        text.push_str("\nExample request body");
        if let Some(query) = &operation.example_request_query {
            text.push_str(&format!(" (sent with `?{query}`)"));
        }
        text.push_str(&format!(":\n\n{}\n", docs::json_block(body)));
    }
    if let Some(response) = &operation.example_response {
        text.push_str(&format!(
            "\nExample response:\n\n{}\n",
            docs::json_block(response)
        ));
    }
    text
}

fn client_method(operation: &Operation, lib: &syn::Ident) -> TokenStream {
    let method = ident(&operation.method_ident);
    let builder = ident(&operation.builder_ident);
    let method_docs = docs::outer(&operation_docs(operation, lib));
    let path_args = operation.path_params.iter().map(|param| {
        let name = ident(&param.ident);
        quote! { #name: impl ::std::convert::Into<::std::string::String> }
    });
    let path_inits = operation.path_params.iter().map(|param| {
        let name = ident(&param.ident);
        quote! { #name: #name.into(), }
    });
    let body_arg = operation.body.as_ref().map(|body| {
        let ty = rust_type(&TypeRef::Struct(body.type_ident.clone()));
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

fn request_builder(operation: &Operation) -> TokenStream {
    let builder = ident(&operation.builder_ident);
    let output = response_type(operation);
    let builder_docs = docs::outer(&format!(
        "Request builder for {method}: {summary}.\n\nSet optional query parameters, then `.await` it (or call [`send`](Self::send)).",
        method = docs::member_link("crate::Client", "method", &operation.method_ident),
        summary = docs::escape(&operation.summary),
    ));

    let path_fields = operation.path_params.iter().map(|param| {
        let name = ident(&param.ident);
        quote! { #name: ::std::string::String, }
    });
    let body_field = operation.body.as_ref().map(|body| {
        let ty = rust_type(&TypeRef::Struct(body.type_ident.clone()));
        quote! { pub(crate) body: #ty, }
    });
    let query_fields = operation.query_params.iter().map(|param| {
        let name = ident(&param.ident);
        let ty = query_rust_type(param.ty);
        quote! { #name: ::std::option::Option<#ty>, }
    });
    let setters = operation.query_params.iter().map(|param| {
        let name = ident(&param.ident);
        let ty = query_rust_type(param.ty);
        let mut text = format!("`{}` query parameter: {}", param.wire, docs::escape(&param.description));
        if let Some(default) = &param.default {
            text.push_str(&format!("\n\nThe server's default is `{default}`; the parameter is only sent when set."));
        }
        if param.response_envelope {
            text.push_str("\n\nWhen `true`, the server wraps the answer in `{\"status\", \"content\"}`; the client unwraps it, so the result is the same, and an enveloped non-2xx status still becomes [`Error::Api`](crate::Error::Api).");
        }
        let setter_docs = docs::outer(&text);
        let value = match param.ty {
            QueryType::String => quote! { ::std::option::Option::Some(::std::convert::Into::into(value)) },
            _ => quote! { ::std::option::Option::Some(value) },
        };
        let arg_ty = match param.ty {
            QueryType::String => quote! { impl ::std::convert::Into<::std::string::String> },
            _ => ty,
        };
        quote! {
            #setter_docs
            pub fn #name(mut self, value: #arg_ty) -> Self {
                self.#name = #value;
                self
            }
        }
    });

    // Path: literal text and validated, percent-encoded parameters.
    let path_pushes = operation.path.iter().map(|segment| match segment {
        PathSegment::Literal(text) => quote! { path.push_str(#text); },
        PathSegment::Param(index) => match operation.path_params.get(*index) {
            Some(param) => {
                let name = ident(&param.ident);
                let arg_name = unraw(&param.ident);
                let pattern = if param.pattern.is_some() {
                    let static_ident = pattern_ident(param);
                    quote! { ::std::option::Option::Some(&*#static_ident) }
                } else {
                    quote! { ::std::option::Option::None }
                };
                quote! { path.push_str(&crate::transport::path_segment(#arg_name, &self.#name, #pattern)?); }
            }
            None => quote! {},
        },
    });
    let query_pushes = operation.query_params.iter().map(|param| {
        let name = ident(&param.ident);
        let wire = &param.wire;
        quote! {
            if let ::std::option::Option::Some(value) = &self.#name {
                query.push((#wire, ::std::string::ToString::to_string(value)));
            }
        }
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
    let body = if operation.body.is_some() {
        quote! { ::std::option::Option::Some(crate::transport::encode_body(&self.body)?) }
    } else {
        quote! { ::std::option::Option::None }
    };
    let method = match operation.http_method {
        HttpMethod::Get => quote! { GET },
        HttpMethod::Post => quote! { POST },
        HttpMethod::Put => quote! { PUT },
        HttpMethod::Patch => quote! { PATCH },
        HttpMethod::Delete => quote! { DELETE },
    };
    let decode = match operation.response.ty {
        ResponseType::Empty => quote! { crate::transport::decode_empty },
        _ => quote! { crate::transport::decode_json },
    };
    let returns = match &operation.response.description {
        Some(description) => docs::escape(&docs::lower_first(description)),
        None => "the decoded response".to_owned(),
    };
    let client_method = unraw(&operation.method_ident);
    let query_mut = if operation.query_params.is_empty() {
        quote! {}
    } else {
        quote! { mut }
    };
    let span = operation_span(operation);

    quote! {
        #builder_docs
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is awaited or `.send()` is called"]
        pub struct #builder {
            pub(crate) client: crate::Client,
            pub(crate) options: crate::transport::RequestOptions,
            #( pub(crate) #path_fields )*
            #body_field
            #( pub(crate) #query_fields )*
        }

        impl #builder {
            #( #setters )*

            fn request(&self) -> ::std::result::Result<crate::transport::ApiRequest, crate::Error> {
                let mut path = ::std::string::String::new();
                #( #path_pushes )*
                let #query_mut query: ::std::vec::Vec<(&'static str, ::std::string::String)> = ::std::vec::Vec::new();
                #( #query_pushes )*
                ::std::result::Result::Ok(crate::transport::ApiRequest {
                    method: ::reqwest::Method::#method,
                    path,
                    query,
                    body: #body,
                    envelope: #envelope,
                })
            }

            fn span(&self) -> ::tracing::Span {
                #span
            }
        }

        crate::transport::request_builder!(#builder => #output, #decode, #client_method, #returns);
    }
}

/// The operation's tracing span: its id, method and path template, and every path parameter
/// (identifiers, never secrets).
fn operation_span(operation: &Operation) -> TokenStream {
    let id = &operation.id;
    let method = operation.http_method.as_str();
    let template = &operation.path_template;
    let params = operation.path_params.iter().map(|param| {
        let field = unraw(&param.ident);
        let name = ident(&param.ident);
        quote! { , #field = %self.#name }
    });
    quote! {
        ::tracing::info_span!("operation", operation = #id, method = #method, path_template = #template #( #params )*)
    }
}

fn query_rust_type(ty: QueryType) -> TokenStream {
    match ty {
        QueryType::Boolean => quote! { bool },
        QueryType::Integer => quote! { i64 },
        QueryType::String => quote! { ::std::string::String },
    }
}
