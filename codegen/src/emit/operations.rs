//! `src/operations.rs`: the generic request builder `Request<E>` (once), then per operation
//! its marker type `E` with its metadata, its `Client` method and the setters of its own
//! query parameters.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::example_values::ExampleValues;
use super::models::rust_type;
use super::{Chunk, RustFile, docs, ident};
use crate::model::{
    Api, DiscriminatorArgument, HttpMethod, Operation, ParameterType, PathParam, PathSegment,
    QueryParam, ResponseType, TypeRef,
};
use crate::naming::unraw;

/// Emits the request builder and the shared path-parameter helpers, then one chunk per
/// operation.
pub fn generate(api: &Api) -> RustFile<'_> {
    let shared = Shared::of(api);
    let helpers = Chunk::new({
        let request = request_type(api);
        let segments = shared.helpers();
        quote! { #request #segments }
    });
    let operations = api
        .operations
        .iter()
        .map(move |operation| operation_chunk(api, &shared, operation));
    RustFile::new(
        quote! {
            //! The operations: one marker type each, whose [`Request`] the
            //! [`Client`](crate::Client) method of the operation returns.
            //!
            //! Set optional query parameters on the request, then `.await` it (or call
            //! [`send`](Request::send)).
        },
        std::iter::once(helpers).chain(operations),
    )
}

/// The request builder every operation shares, `Request<E>`, with the setters of the query
/// parameters all operations take, `timeout`, `send`, `send_with_metadata` and `IntoFuture`.
fn request_type(api: &Api) -> TokenStream {
    let common_setters = api.common_query_params.iter().map(query_setter);
    quote! {
        /// A request to the operation `E` (a marker type of this module), returned by its
        /// [`Client`](crate::Client) method: set optional parameters, then `.await` it (or call
        /// [`send`](Self::send)).
        ///
        /// The setters here apply to every operation; an operation's own query parameters are
        /// setters of its `Request<E>`, listed in the docs of its `Client` method.
        #[must_use = "a request does nothing until it is awaited or `.send()` is called"]
        pub struct Request<E> {
            call: ::codegen_runtime::transport::Call,
            endpoint: ::std::marker::PhantomData<fn() -> E>,
        }

        impl<E> ::std::clone::Clone for Request<E> {
            fn clone(&self) -> Self {
                Request { call: ::std::clone::Clone::clone(&self.call), endpoint: ::std::marker::PhantomData }
            }
        }

        impl<E> ::std::fmt::Debug for Request<E> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&self.call, f)
            }
        }

        impl<E: ::codegen_runtime::Endpoint> Request<E> {
            /// A request from `client` with the operation's path parameters, checked and
            /// encoded.
            pub(crate) fn new(
                client: &crate::Client,
                path: &[::std::result::Result<::std::string::String, ::codegen_runtime::transport::ArgumentError>],
            ) -> Self {
                Request {
                    call: ::codegen_runtime::transport::Call::new(::std::clone::Clone::clone(&client.inner), E::OPERATION, path),
                    endpoint: ::std::marker::PhantomData,
                }
            }

            /// Changes what the request collects.
            pub(crate) fn with(mut self, change: impl ::std::ops::FnOnce(&mut ::codegen_runtime::transport::Call)) -> Self {
                change(&mut self.call);
                self
            }

            #( #common_setters )*

            /// Overrides the client's timeout ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout))
            /// for this request: the longest one attempt may take, from sending to reading the
            /// whole answer.
            pub fn timeout(self, timeout: ::std::time::Duration) -> Self {
                self.with(|call| call.timeout(timeout))
            }

            /// Sends the request and returns the operation's result.
            ///
            /// # Errors
            ///
            /// See [Errors](crate#errors) in the crate docs.
            pub fn send(self) -> ::codegen_runtime::ResponseFuture<E::Output> {
                self.call.send()
            }

            /// Sends the request and returns the result together with the HTTP status and
            /// headers of the answer (for example `RateLimit-Remaining`).
            ///
            /// # Errors
            ///
            /// See [Errors](crate#errors) in the crate docs.
            pub fn send_with_metadata(self) -> ::codegen_runtime::ResponseFuture<::codegen_runtime::ResponseValue<E::Output>> {
                self.call.send_with_metadata()
            }
        }

        impl<E: ::codegen_runtime::Endpoint> ::std::future::IntoFuture for Request<E> {
            type Output = ::std::result::Result<E::Output, crate::Error>;
            type IntoFuture = ::codegen_runtime::ResponseFuture<E::Output>;

            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    }
}

/// The setter of an optional query parameter: on `Request<E>` for one operation, or for all.
fn query_setter(param: &QueryParam) -> TokenStream {
    let name = ident(&param.ident);
    let wire = &param.wire;
    let ty = query_rust_type(param);
    let mut text = format!(
        "`{}` query parameter: {}",
        param.wire,
        docs::escape(&param.description)
    );
    if let Some(default) = &param.default {
        text.push_str(&format!(
            " The server's default is `{default}`; the parameter is only sent when set."
        ));
    }
    if param.response_envelope {
        text.push_str(" The client unwraps the `{\"status\", \"content\"}` envelope, so the result is the same, and an enveloped non-2xx status still becomes [`Error::Api`](crate::Error::Api).");
    }
    let setter_docs = docs::outer(&text);
    // Every value is sent as its `Display` text (an enum's wire value).
    let (arg_ty, value) = match param.ty {
        ParameterType::String => (
            quote! { impl ::std::convert::Into<#ty> },
            quote! { ::std::convert::Into::<#ty>::into(value) },
        ),
        _ => (ty, quote! { value }),
    };
    let set = if param.response_envelope {
        quote! { call.envelope(#wire, value) }
    } else {
        quote! { call.query(#wire, #value) }
    };
    quote! {
        #setter_docs
        pub fn #name(self, value: #arg_ty) -> Self {
            self.with(|call| #set)
        }
    }
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
                fn #name(value: &str) -> ::std::result::Result<::std::string::String, ::codegen_runtime::transport::ArgumentError> {
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

/// An operation's marker type: the `E` of its `Request<E>`, implementing
/// [`Endpoint`](codegen_runtime::Endpoint) with its result type and its metadata, which its
/// request, tracing span and mock read.
fn marker(api: &Api, operation: &Operation) -> TokenStream {
    let name = ident(&operation.builder_ident);
    let docs = docs::outer(&format!(
        "The operation `{}` (`{} {}`): {}, whose [`Request`] {} returns.",
        operation.id,
        operation.http_method.as_str(),
        operation.path_template,
        docs::escape(&operation.summary),
        docs::member_link("crate::Client", "method", &operation.method_ident),
    ));
    let output = response_type(operation);
    let id = &operation.id;
    let client_method = unraw(&operation.method_ident);
    let method = http_method(operation);
    let template = &operation.path_template;
    let media_type = &operation.media_type;
    let has_body = operation.body.is_some();
    let status = operation.response.status;
    let empty = matches!(operation.response.ty, ResponseType::Empty);
    let envelope = match api
        .query_params_of(operation)
        .find(|param| param.response_envelope)
    {
        Some(param) => {
            let wire = &param.wire;
            quote! { ::std::option::Option::Some(#wire) }
        }
        None => quote! { ::std::option::Option::None },
    };
    let query = api.query_params_of(operation).map(|param| &param.wire);
    quote! {
        #docs
        pub enum #name {}

        impl ::codegen_runtime::Endpoint for #name {
            type Output = #output;
            const OPERATION: &'static ::codegen_runtime::Operation = &::codegen_runtime::Operation {
                id: #id,
                client_method: #client_method,
                method: ::codegen_runtime::reqwest::Method::#method,
                path_template: #template,
                media_type: #media_type,
                has_body: #has_body,
                status: #status,
                empty: #empty,
                envelope: #envelope,
                query: &[#( #query ),*],
            };
        }
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

/// An operation's marker type, `Client` method and the setters of its own query parameters.
fn operation_chunk(api: &Api, shared: &Shared<'_>, operation: &Operation) -> Chunk {
    let marker = marker(api, operation);
    let method = client_method(api, shared, operation);
    let name = ident(&operation.builder_ident);
    let setters = (!operation.query_params.is_empty()).then(|| {
        let setters = operation.query_params.iter().map(query_setter);
        quote! {
            impl crate::Request<#name> {
                #( #setters )*
            }
        }
    });
    Chunk::new(quote! {
        #marker

        impl crate::Client {
            #method
        }

        #setters
    })
}

/// The type an operation returns.
fn response_type(operation: &Operation) -> TokenStream {
    match &operation.response.ty {
        ResponseType::Object(ty) => rust_type(ty),
        ResponseType::Array(item) => rust_type(&TypeRef::Array(Box::new(item.clone()))),
        ResponseType::Empty => quote! { () },
    }
}

/// The type of a path parameter's method argument: its enum, or any string.
pub(super) fn path_arg_type(param: &PathParam) -> TokenStream {
    match &param.enum_ident {
        Some(name) => {
            let name = ident(name);
            quote! { impl ::std::convert::Into<crate::types::#name> }
        }
        None => quote! { impl ::std::convert::AsRef<str> },
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
            .map(|param| docs::member_link("crate::Request", "method", &param.ident))
            .collect();
        text.push_str(&format!(
            "\nOptional query parameters of this operation are setters of the returned request: {}.\n",
            setters.join(", ")
        ));
    }
    if let Some(description) = &operation.response.description {
        text.push_str(&format!(
            "\nThe request resolves to {}.\n",
            docs::escape(&docs::lower_first(description))
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

/// The `Client` method: it checks and encodes the path parameters and the body into the
/// operation's `Request`, whose sending reports the first refused argument.
fn client_method(api: &Api, shared: &Shared<'_>, operation: &Operation) -> TokenStream {
    let method = ident(&operation.method_ident);
    let marker = ident(&operation.builder_ident);
    let method_docs = docs::outer(&operation_docs(api, operation));
    let args = operation.path_params.iter().map(|param| {
        let name = ident(&param.ident);
        let ty = path_arg_type(param);
        quote! { #name: #ty }
    });
    let body_arg = operation.body.as_ref().map(|body| {
        let ty = rust_type(&body.ty);
        quote! { body: #ty }
    });
    // Enum arguments are converted once: the path, a discriminator and a body check read them.
    let conversions = operation.path_params.iter().filter_map(|param| {
        let enum_name = ident(param.enum_ident.as_ref()?);
        let name = ident(&param.ident);
        Some(quote! { let #name: crate::types::#enum_name = ::std::convert::Into::into(#name); })
    });
    // The path parameters, checked and encoded, in the order of the template's placeholders.
    let path_values = operation.path.iter().filter_map(|segment| match segment {
        PathSegment::Literal(_) => None,
        PathSegment::Param(index) => {
            let param = operation.path_params.get(*index)?;
            let segment_fn = shared.segment_fn(param)?;
            let name = ident(&param.ident);
            let value = if param.enum_ident.is_some() {
                quote! { #name.as_str() }
            } else {
                quote! { #name.as_ref() }
            };
            Some(quote! { #segment_fn(#value) })
        }
    });
    let mut changes = Vec::new();
    if let Some(source) = &operation.response.discriminator_source {
        let member = &source.member;
        let value = match &source.from {
            DiscriminatorArgument::PathParam(name) => {
                let name = ident(name);
                quote! { #name.as_str() }
            }
            DiscriminatorArgument::BodyField(name) => {
                let name = ident(name);
                quote! { body.#name.as_str() }
            }
        };
        changes.push(quote! { call.discriminator(#member, #value); });
    }
    if let Some(check) = &operation.body_variant_check {
        let accessor = ident(&check.accessor);
        let param = ident(&check.param_ident);
        let name = unraw(&check.param_ident);
        changes.push(quote! {
            call.check(::codegen_runtime::transport::check_body_variant(body.#accessor(), &#param, #name));
        });
    }
    if operation.body.is_some() {
        changes.push(quote! { call.body(&body); });
    }
    let with = (!changes.is_empty()).then(|| quote! { .with(|call| { #( #changes )* }) });
    quote! {
        #method_docs
        pub fn #method(&self, #( #args, )* #body_arg) -> crate::Request<#marker> {
            #( #conversions )*
            crate::Request::new(self, &[#( #path_values ),*]) #with
        }
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
