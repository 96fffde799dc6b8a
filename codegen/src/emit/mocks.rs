//! `src/mock.rs` and `src/mock/operations.rs`: typed mocks of the operations, compiled only
//! with the generated crate's `mock` feature. The spec-independent part (the server, auth,
//! matching, reports) is the runtime crate's `mock` module (`codegen/runtime/src/mock.rs`).

use proc_macro2::TokenStream;
use quote::quote;

use super::example_values::ExampleValues;
use super::models::rust_type;
use super::{Chunk, RustFile, docs, ident};
use crate::model::{Api, Operation, ParameterType, QueryParam, ResponseType, TypeRef};
use crate::naming::unraw;

/// `src/mock.rs`: the module docs (with an example that runs), and its submodules.
pub fn module(api: &Api) -> RustFile<'_> {
    let text = module_docs(api);
    let mock_type = mock_type(api);
    let docs = docs::inner(&text);
    // The spec's token endpoints, served only when it declares OAuth client credentials.
    let (oauth_constants, oauth_endpoints) = match &api.auth.client_credentials {
        Some(credentials) => {
            let token_path = &credentials.token_path;
            let revoke_path = &credentials.revoke_path;
            (
                quote! {
                    /// Path of the OAuth 2.0 token endpoint the mock serves (the spec's): a `POST`
                    /// with Basic authentication and the form `grant_type=client_credentials` is
                    /// answered with `{"access_token": "…", "expires_in": 3600, "token_type": "Bearer"}`.
                    pub const OAUTH_TOKEN_PATH: &str = #token_path;
                    /// Path of the OAuth 2.0 token revocation endpoint the mock serves (the spec's):
                    /// a `POST` with the form `token=…` is answered with `200 OK`.
                    pub const OAUTH_REVOKE_PATH: &str = #revoke_path;
                },
                quote! {
                    ::std::option::Option::Some(::codegen_runtime::OAuthEndpoints {
                        token_path: OAUTH_TOKEN_PATH,
                        revoke_path: OAUTH_REVOKE_PATH,
                    })
                },
            )
        }
        None => (quote! {}, quote! { ::std::option::Option::None }),
    };
    RustFile::whole(quote! {
        #docs

        #[rustfmt::skip]
        pub mod operations;

        pub use ::codegen_runtime::mock::{
            DIGEST_REALM, Mocked, Mount, NO_MATCH_ERROR_CODE, OAUTH_TOKEN_LIFETIME_SECONDS, Reply,
        };

        #oauth_constants

        /// What the mock server knows of the API: its operations and token endpoints.
        static API: ::codegen_runtime::mock::MockApi = ::codegen_runtime::mock::MockApi {
            operations: &self::operations::OPERATIONS,
            oauth: #oauth_endpoints,
        };

        /// A local HTTP server that answers the API's operations as its mocks say.
        ///
        /// Point a real [`Client`](crate::Client) at [`uri`](Self::uri): the server accepts any
        /// well-formed HTTP Digest answer to its challenge, any `Authorization: Bearer` token,
        /// and serves the OAuth 2.0 token and revocation endpoints when the API declares them
        /// (see the module docs). Each operation has a method returning a typed mock builder
        /// (see [`operations`]).
        ///
        /// A request no mock matches is answered with HTTP 400 and errorCode
        /// [`NO_MATCH_ERROR_CODE`], whose `detail` names the operation and what differed; the
        /// same message fails the test when the server is dropped, together with every mock
        /// whose expected number of requests was not met.
        #[derive(Debug)]
        pub struct MockServer {
            inner: ::codegen_runtime::mock::MockServer,
        }

        impl MockServer {
            /// Starts a server on a free local port, with the authentication and Service
            /// Account endpoints mounted and no operation mocked yet.
            pub async fn start() -> MockServer {
                MockServer {
                    inner: ::codegen_runtime::mock::MockServer::start(&API).await,
                }
            }

            /// The server's root URL (`http://127.0.0.1:PORT`): the client's base URL.
            pub fn uri(&self) -> ::std::string::String {
                self.inner.uri()
            }

            /// Same as [`uri`](Self::uri), named like
            /// [`ClientBuilder::base_url`](crate::ClientBuilder#method.base_url).
            pub fn base_url(&self) -> ::std::string::String {
                self.inner.base_url()
            }

            /// Takes the messages of the requests no mock matched so far (and of
            /// authentication failures), so they no longer fail the test on drop. Use it to
            /// assert on them.
            pub fn take_failures(&self) -> ::std::vec::Vec<::std::string::String> {
                self.inner.take_failures()
            }

            /// Checks now what dropping the server checks: no request went unmatched or
            /// unauthenticated, and every mock got its expected number of requests.
            ///
            /// # Panics
            ///
            /// With the list of problems, if there is any: that is how it fails the test.
            pub fn verify(&self) {
                self.inner.verify()
            }
        }

        #mock_type
    })
}

/// The typed mock every operation shares, `Mock<'a, E>`: the matchers of the query parameters
/// all operations take, and the answers besides the operation's own `respond`.
fn mock_type(api: &Api) -> TokenStream {
    let common_matchers = api.common_query_params.iter().map(query_setter);
    quote! {
        /// A typed mock of the operation `E` (a marker type of [`operations`](crate::operations)),
        /// made by the [`MockServer`] method named like the operation's `Client` method.
        ///
        /// It takes what a request must carry (whatever is left unset matches anything): the
        /// matchers here apply to every operation; path parameters, an operation's own query
        /// parameters, `body` and `respond` (the typed success value) are methods of its
        /// `Mock<'a, E>`. Then an answer gives a [`Mount`]: set [`times`](Mount::times) if you
        /// like, then `.await` it.
        #[must_use = "a mock does nothing until it is given an answer and awaited"]
        pub struct Mock<'a, E> {
            pending: ::codegen_runtime::mock::Pending<'a>,
            endpoint: ::std::marker::PhantomData<fn() -> E>,
        }

        impl<E> ::std::fmt::Debug for Mock<'_, E> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&self.pending, f)
            }
        }

        impl<'a, E: ::codegen_runtime::Endpoint> Mock<'a, E> {
            /// A mock of `E` on `server` that matches any of its requests so far.
            pub(crate) fn new(server: &'a MockServer) -> Self {
                Mock {
                    pending: ::codegen_runtime::mock::Pending::new(&server.inner, E::OPERATION),
                    endpoint: ::std::marker::PhantomData,
                }
            }

            /// Changes what the mock matches.
            pub(crate) fn with(mut self, change: impl ::std::ops::FnOnce(&mut ::codegen_runtime::mock::Pending<'a>)) -> Self {
                change(&mut self.pending);
                self
            }

            #( #common_matchers )*

            /// Answers with an API error: `status` and the JSON error body with `error_code` and
            /// `detail`, which the client returns as [`Error::Api`](crate::Error::Api).
            pub fn respond_error(
                self,
                status: u16,
                error_code: impl ::std::convert::Into<::std::string::String>,
                detail: impl ::std::convert::Into<::std::string::String>,
            ) -> Mount<'a> {
                self.respond_with(Reply::error(status, error_code, detail))
            }

            /// Answers with `reply`: a success value, an error, or any status and body.
            pub fn respond_with(self, reply: Reply<E::Output>) -> Mount<'a> {
                self.pending.respond(reply)
            }

            /// Answers matching requests with `replies` in order, one each (the mock then
            /// expects exactly that many requests, unless [`times`](Mount::times) says more: the
            /// last reply repeats). Values convert into replies, so a waiter can be driven
            /// through states: `[pending.into(), ready.into()]`.
            pub fn respond_sequence<I>(self, replies: I) -> Mount<'a>
            where
                I: ::std::iter::IntoIterator,
                I::Item: ::std::convert::Into<Reply<E::Output>>,
            {
                self.pending.respond_sequence(replies)
            }
        }
    }
}

/// `src/mock/operations.rs`: the table the server matches requests against, then per
/// operation its `MockServer` method and typed builder.
pub fn generate(api: &Api) -> RustFile<'_> {
    let markers = api
        .operations
        .iter()
        .map(|operation| ident(&operation.builder_ident));
    let count = api.operations.len();
    let table = Chunk::new(quote! {
        /// Every operation, as the mock server matches requests against them.
        pub(crate) static OPERATIONS: [&::codegen_runtime::Operation; #count] = [
            #( <crate::operations::#markers as ::codegen_runtime::Endpoint>::OPERATION ),*
        ];
    });
    let chunks = api
        .operations
        .iter()
        .map(|operation| Chunk::new(operation_mock(operation)));
    RustFile::new(
        quote! {
            //! Per operation, its [`MockServer`](crate::mock::MockServer) method (named like the
            //! client's) and what its [`Mock`](crate::mock::Mock) matches on and answers with.
        },
        std::iter::once(table).chain(chunks),
    )
}

/// An operation's `MockServer` method, its matchers and its `respond`.
fn operation_mock(operation: &Operation) -> TokenStream {
    let method = ident(&operation.method_ident);
    let marker = ident(&operation.builder_ident);
    let http = format!(
        "`{} {}`",
        operation.http_method.as_str(),
        operation.path_template
    );
    let client_link = docs::member_link("crate::Client", "method", &operation.method_ident);
    let method_docs = docs::outer(&format!(
        "Mocks {client_link} ({http}): {}\n\nThe returned mock takes what a request must carry; whatever is left unset matches anything. The request must also send `Accept: {}`{}.",
        docs::escape(&operation.summary),
        operation.media_type,
        if operation.body.is_some() {
            " and a body of that `Content-Type`"
        } else {
            ""
        }
    ));
    let path_setters = operation.path_params.iter().map(|param| {
        let name = ident(&param.ident);
        let wire = &param.wire;
        let rust_name = unraw(&param.ident);
        let doc = docs::outer(&format!(
            "Matches only requests whose `{wire}` path parameter is `value`."
        ));
        let (arg, value) = match &param.enum_ident {
            Some(enum_ident) => {
                let enum_ident = ident(enum_ident);
                (
                    quote! { impl ::std::convert::Into<crate::types::#enum_ident> },
                    quote! { ::std::convert::Into::<crate::types::#enum_ident>::into(value).as_str().to_owned() },
                )
            }
            None => (
                quote! { impl ::std::convert::Into<::std::string::String> },
                quote! { ::std::convert::Into::into(value) },
            ),
        };
        quote! {
            #doc
            pub fn #name(self, value: #arg) -> Self {
                self.with(|mock| mock.path(#wire, #rust_name, #value))
            }
        }
    });
    let query_setters = operation.query_params.iter().map(query_setter);
    let body_setter = operation.body.as_ref().map(|body| {
        let ty = rust_type(&body.ty);
        let doc = docs::outer(&format!(
            "Matches only requests whose body equals `body` as JSON (a difference is reported member by member): a [`{}`](crate::types::{}).",
            body.type_ident(),
            body.type_ident()
        ));
        quote! {
            #doc
            pub fn body(self, body: #ty) -> Self {
                self.with(|mock| mock.body(&body))
            }
        }
    });
    let status = operation.response.status;
    let respond = match &operation.response.ty {
        ResponseType::Empty => {
            let doc = docs::outer(&format!(
                "Answers with HTTP {status} and no body, the operation's success."
            ));
            quote! {
                #doc
                pub fn respond(self) -> crate::mock::Mount<'a> {
                    self.respond_with(crate::mock::Reply::ok(()))
                }
            }
        }
        ResponseType::Object(_) | ResponseType::Array(_) => {
            let doc = docs::outer(&format!(
                "Answers with HTTP {status} and `value` as the JSON body, which the client decodes back into an equal value."
            ));
            quote! {
                #doc
                pub fn respond(self, value: <crate::operations::#marker as ::codegen_runtime::Endpoint>::Output) -> crate::mock::Mount<'a> {
                    self.respond_with(crate::mock::Reply::ok(value))
                }
            }
        }
    };
    quote! {
        impl crate::mock::MockServer {
            #method_docs
            pub fn #method(&self) -> crate::mock::Mock<'_, crate::operations::#marker> {
                crate::mock::Mock::new(self)
            }
        }

        impl<'a> crate::mock::Mock<'a, crate::operations::#marker> {
            #( #path_setters )*
            #( #query_setters )*
            #body_setter
            #respond
        }
    }
}

fn query_setter(param: &QueryParam) -> TokenStream {
    let name = ident(&param.ident);
    let wire = &param.wire;
    let rust_name = unraw(&param.ident);
    let doc = docs::outer(&format!(
        "Matches only requests that send the `{wire}` query parameter with this value."
    ));
    let (arg, value) = match (&param.enum_ident, param.ty) {
        (Some(enum_ident), _) => {
            let enum_ident = ident(enum_ident);
            (
                quote! { impl ::std::convert::Into<crate::types::#enum_ident> },
                quote! {{
                    let value: crate::types::#enum_ident = ::std::convert::Into::into(value);
                    ::std::string::ToString::to_string(&value)
                }},
            )
        }
        (None, ParameterType::String) => (
            quote! { impl ::std::convert::Into<::std::string::String> },
            quote! { ::std::convert::Into::into(value) },
        ),
        (None, ParameterType::Boolean) => (
            quote! { bool },
            quote! { ::std::string::ToString::to_string(&value) },
        ),
        (None, ParameterType::Integer) => (
            quote! { i64 },
            quote! { ::std::string::ToString::to_string(&value) },
        ),
    };
    quote! {
        #doc
        pub fn #name(self, value: #arg) -> Self {
            self.with(|mock| mock.query(#wire, #rust_name, #value))
        }
    }
}

/// The module docs: what the mock does, and an example that runs.
fn module_docs(api: &Api) -> String {
    let lib = &api.crate_info.lib;
    let mut text = format!(
        "Typed mocks of the API for testing code that uses the client, without the real service (cargo feature `mock`, off by default).\n\n\
         [`MockServer::start`] runs a local HTTP server (built on `wiremock`) with one method per operation, named like the [`Client`](crate::Client)'s; each returns a builder that takes the same typed arguments as the client method to match requests by (path parameters, optional query parameters, the body compared as JSON), and a typed answer. Point a real client at [`MockServer::uri`]: the server answers HTTP Digest challenges and accepts any well-formed Digest answer or bearer token, {oauth}and checks the media type each operation sends.\n\n\
         - `respond(value)` answers with the operation's success status and `value` (a union value serializes with its discriminator, so each variant can be mocked); `respond_error(status, error_code, detail)` with an API error; `respond_with` takes any [`Reply`]; `respond_sequence` answers one reply per request, in order, to drive a waiter through states.\n\
         - A mock expects at least one request unless [`Mount::times`] (exactly n, answering no more) or [`Mount::any_times`] says otherwise; mocks are tried in the order they were mounted.\n\
         - A request no mock matches is answered with HTTP 400 ([`NO_MATCH_ERROR_CODE`]) whose detail names the operation and what differed; when the server is dropped, that message, requests left unauthenticated and mocks whose expected number of requests was not met fail the test ([`MockServer::verify`] checks earlier, [`MockServer::take_failures`] takes the messages to assert on them).\n",
        oauth = if api.auth.client_credentials.is_some() {
            "serves the OAuth 2.0 token endpoints ([`OAUTH_TOKEN_PATH`] and [`OAUTH_REVOKE_PATH`], below the server's URL), "
        } else {
            ""
        },
    );
    match example_operation(api) {
        Some(operation) => text.push_str(&runnable_example(api, operation)),
        None => text.push_str(&format!(
            "\n```no_run\n# async fn example() {{\nlet server = {lib}::mock::MockServer::start().await;\nlet client = {lib}::Client::builder()\n    .base_url(server.uri())\n    {credentials}\n    .build();\n# let _ = client;\n# }}\n```\n",
            credentials = super::auth::example_credentials(&api.auth),
        )),
    }
    text
}

/// An operation the module example can call for real: every path parameter has an example or
/// no pattern to fail, and there is no body to agree with a path parameter.
fn example_operation(api: &Api) -> Option<&Operation> {
    let callable = |operation: &&Operation| {
        operation.body_variant_check.is_none()
            && operation
                .path_params
                .iter()
                .all(|param| param.example.is_some() || param.pattern.is_none())
    };
    api.operations
        .iter()
        .filter(callable)
        .find(|operation| {
            operation.body.is_none() && !matches!(operation.response.ty, ResponseType::Empty)
        })
        .or_else(|| api.operations.iter().find(callable))
}

fn runnable_example(api: &Api, operation: &Operation) -> String {
    let lib = &api.crate_info.lib;
    let values = ExampleValues::new(api, lib);
    let arguments = docs::example_arguments(&operation.path_params);
    let mut example = format!(
        "\n```\n# #[tokio::main(flavor = \"current_thread\")]\n# async fn main() -> Result<(), {lib}::Error> {{\nlet server = {lib}::mock::MockServer::start().await;\n"
    );
    let expected = match &operation.response.ty {
        ResponseType::Object(ty) => Some(values.body(ty, operation.example_response.as_ref())),
        ResponseType::Array(item) => Some(values.body(
            &TypeRef::Array(Box::new(item.clone())),
            operation.example_response.as_ref(),
        )),
        ResponseType::Empty => None,
    };
    if let Some(expected) = &expected {
        example.push_str(&format!("let expected = {expected};\n"));
    }
    example.push_str(&format!(
        "let mock = server\n    .{}()\n",
        operation.method_ident
    ));
    for (param, argument) in operation.path_params.iter().zip(&arguments) {
        example.push_str(&format!("    .{}({argument})\n", param.ident));
    }
    example.push_str(match expected {
        Some(_) => "    .respond(expected.clone())\n",
        None => "    .respond()\n",
    });
    example.push_str("    .times(1)\n    .await;\n\n");
    example.push_str(&format!(
        "let client = {lib}::Client::builder()\n    .base_url(server.uri())\n    {}\n    .build()?;\n",
        super::auth::example_credentials(&api.auth)
    ));
    let mut call_arguments = arguments;
    if let Some(body) = &operation.body {
        example.push_str(&format!(
            "let body = {};\n",
            values.body(&body.ty, operation.example_request_body.as_ref())
        ));
        call_arguments.push("body".to_owned());
    }
    example.push_str(&format!(
        "let answer = client.{}({}).await?;\n",
        operation.method_ident,
        call_arguments.join(", ")
    ));
    if operation.response.ty == ResponseType::Empty {
        example.push_str("assert_eq!(answer, ());\n");
    } else {
        example.push_str("assert_eq!(answer, expected);\n");
    }
    example.push_str(
        "assert_eq!(mock.hits(), 1);\n// Dropping the server checks that every mock got its requests.\n# Ok(())\n# }\n```\n",
    );
    example
}
