//! The crate scaffolding: `Cargo.toml`, `src/lib.rs` and `src/types/mod.rs`.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs;
use super::{GeneratedFile, Provenance};
use crate::model::Api;

/// The version of the runtime crate (`codegen/runtime/Cargo.toml`) generated crates require.
pub const RUNTIME_VERSION: &str = "0.1";

/// Minimum Rust version of the generated crate.
const RUST_VERSION: &str = "1.88";

/// `Cargo.toml`: self-contained (no workspace inheritance) so the folder can be vendored.
pub fn cargo_toml(api: &Api, provenance: &Provenance) -> GeneratedFile {
    let info = &api.crate_info;
    let mut schemes = Vec::new();
    if api.auth.digest.is_some() {
        schemes.push("\"digest\"");
    }
    if api.auth.client_credentials.is_some() {
        schemes.push("\"oauth\"");
    }
    let contents = format!(
        r#"{header}
[package]
name = "{package}"
version = "{version}"
edition = "2024"
rust-version = "{RUST_VERSION}"
description = {description}
license = "Apache-2.0"

[lib]
name = "{lib}"

[dependencies]
codegen-runtime = {{ path = {runtime_path}, version = "{RUNTIME_VERSION}", default-features = false, features = [{schemes}] }}
reqwest = {{ version = "0.13", default-features = false, features = ["rustls"] }}
serde = "1"
serde_json = "1"
tracing = {{ version = "0.1", default-features = false, features = ["std"] }}

[features]
# Typed mocks of the operations (`{lib}::mock`), for testing code that uses the client.
mock = ["codegen-runtime/mock"]

[dev-dependencies]
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}

[package.metadata.docs.rs]
features = ["mock"]
"#,
        header = provenance.header("#"),
        runtime_path = toml_string(&provenance.runtime_path),
        schemes = schemes.join(", "),
        package = info.package,
        version = info.version,
        lib = info.lib,
        description = toml_string(&info.description),
    );
    GeneratedFile {
        path: "Cargo.toml".to_owned(),
        contents,
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `src/lib.rs`: crate docs, modules, re-exports and defaults.
pub fn lib_rs(api: &Api) -> TokenStream {
    let info = &api.crate_info;
    let lib = &info.lib;
    let mut text = format!(
        "# {}\n\n{}\n",
        info.package,
        docs::escape(&info.description)
    );
    text.push_str(&format!(
        "\nA client for the {} (version {}), generated from a hand-written description of the API.\n",
        api.title, api.api_version
    ));
    if let Some(description) = &api.description {
        text.push_str(&format!("\n{}\n", docs::escape(description)));
    }
    text.push_str(&super::auth::crate_docs(&api.auth, lib));
    if !api.operations.is_empty() {
        text.push_str("\n## Operations\n\nEach operation is a method of [`Client`] returning a [`Request`] of its marker type in [`operations`]; path parameters and the body are arguments, optional query parameters are setters of the request, and the request is awaited (or `.send()`).\n\n| Method | HTTP | Summary |\n|---|---|---|\n");
        for operation in &api.operations {
            text.push_str(&format!(
                "| {} | `{} {}` | {} |\n",
                docs::member_link("Client", "method", &operation.method_ident),
                operation.http_method.as_str(),
                operation.path_template,
                docs::escape(&operation.summary),
            ));
        }
    }
    if !api.waiters.is_empty() {
        text.push_str("\n## Waiters\n\nEach waiter polls an operation until a resource reaches a final state; interval and maximum wait are setters of the builder in [`waiters`], and dropping the future stops polling.\n\n| Method | Polls | Description |\n|---|---|---|\n");
        for waiter in &api.waiters {
            text.push_str(&format!(
                "| {} | `{}` | {} |\n",
                docs::member_link("Client", "method", &waiter.method_ident),
                waiter.operation_http,
                docs::escape(&waiter.description),
            ));
        }
    }
    text.push_str("\n## Errors\n\nEvery operation returns [`Error`]: [`Error::InvalidArgument`] before anything is sent when a path parameter is empty, `.`/`..`, or does not match its pattern (or another argument is unusable); [`Error::Api`] for a non-2xx answer, with the decoded error body; [`Error::Decode`] when a 2xx body does not decode, keeping the raw body; [`Error::Transport`] and [`Error::Authentication`] when the exchange itself fails. Waiters add [`Error::WaiterFailed`] and [`Error::WaiterTimedOut`].\n");
    text.push_str("\n## Testing code that uses the client\n\nThe cargo feature `mock` (off by default) adds the module `mock`: a local mock server with one typed method per operation, which a real `Client` can be pointed at (see its docs).\n");
    text.push_str("\n## Retries, timeouts and tracing\n\nRate-limited answers (429), gateway errors (502, 503, 504: idempotent methods only) and connections that could not be opened are retried with jittered exponential backoff, honouring `Retry-After`: see [`RetryPolicy`] (default [`DEFAULT_MAX_ATTEMPTS`] attempts) and [`ClientBuilder::retry_policy`]. Each attempt is bounded by [`DEFAULT_TIMEOUT`] ([`ClientBuilder::timeout`], or [`Request::timeout`] on one request) and opening a connection by [`DEFAULT_CONNECT_TIMEOUT`]. [`Request::send_with_metadata`] returns a [`ResponseValue`] carrying the status and headers as well.\n\nEvery operation runs in a `tracing` span named `operation` with the fields `operation` (the operation id), `method`, `path_template` and `path` (the path sent, with its parameters), and target `codegen_runtime::transport`; retries are `INFO` events (`attempt`, `max_attempts`, `delay_ms`, `cause`); answered Digest challenges and fetched OAuth tokens (with `expires_in_s` and `renew_in_s`) are `DEBUG` events. No key, secret or token is ever recorded.\n");

    let crate_docs = docs::inner(&text);
    let base_url = &api.base_url;
    let user_agent = format!("{}/{}", info.package, info.version);
    let api_version = &api.api_version;
    let base_url_doc = docs::outer(&format!(
        "Base URL used unless [`ClientBuilder::base_url`] overrides it: `{base_url}`."
    ));
    let user_agent_doc = docs::outer(&format!(
        "`User-Agent` sent unless [`ClientBuilder::user_agent`] overrides it: `{user_agent}`."
    ));
    let api_version_doc = docs::outer(&format!(
        "Version of the API this crate was generated for: `{api_version}`."
    ));
    let oauth = api.auth.client_credentials.as_ref();
    let digest = api.auth.digest.is_some();
    let oauth_endpoints = match oauth {
        Some(credentials) => {
            let token_path = &credentials.token_path;
            let revoke_path = &credentials.revoke_path;
            quote! {
                ::std::option::Option::Some(::codegen_runtime::OAuthEndpoints {
                    token_path: #token_path,
                    revoke_path: #revoke_path,
                })
            }
        }
        None => quote! { ::std::option::Option::None },
    };
    let oauth_exports =
        oauth.map(|_| quote! { pub use ::codegen_runtime::DEFAULT_TOKEN_RENEWAL_MARGIN; });
    let revoke_token = oauth.map(|_| {
        quote! {
            /// Revokes the service account token the client currently holds (OAuth 2.0 token
            /// revocation, RFC 7009), for example before the program exits. The next call
            /// fetches a new token. Does nothing when no token has been fetched yet.
            ///
            /// # Errors
            ///
            /// [`Error::InvalidArgument`] when the client does not authenticate with a service
            /// account (a token given with `bearer_token` cannot be revoked without the service
            /// account's credentials); [`Error::Authentication`] of kind
            /// [`AuthErrorKind::RevocationRefused`] when the endpoint refuses, with its OAuth
            /// error; [`Error::Transport`] when it cannot be reached. The token is kept when
            /// revocation fails.
            pub async fn revoke_token(&self) -> ::std::result::Result<(), Error> {
                self.inner.revoke_token().await
            }
        }
    });
    let waiter_module = (!api.waiters.is_empty()).then(|| {
        quote! {
            #[rustfmt::skip]
            pub mod waiters;
        }
    });
    let example_credentials = super::auth::example_credentials(&api.auth);
    let builder_docs = docs::outer(&format!(
        "Configures a [`Client`].\n\nExactly one way to authenticate must be chosen (see \"Authentication\" in the crate docs).\n\nDefaults: [`DEFAULT_BASE_URL`], [`DEFAULT_USER_AGENT`], [`DEFAULT_TIMEOUT`] per attempt, [`DEFAULT_CONNECT_TIMEOUT`] to connect, and [`RetryPolicy::standard`] ({{max}} attempts for rate limits, gateway errors and failed connections).\n\n```\nuse std::time::Duration;\nuse {lib}::{{Client, RetryPolicy}};\n\nlet client = Client::builder()\n    {example_credentials}\n    .timeout(Duration::from_secs(30))\n    .connect_timeout(Duration::from_secs(5))\n    .retry_policy(RetryPolicy::standard().with_max_attempts(5))\n    .build()?;\nassert_eq!(client.base_url(), {lib}::DEFAULT_BASE_URL);\nassert_eq!(client.retry_policy().max_attempts(), 5);\n# Ok::<(), {lib}::Error>(())\n```"
    ).replace("{max}", "3"));
    quote! {
        #crate_docs
        #![deny(missing_docs)]
        #![forbid(unsafe_code)]

        #[rustfmt::skip]
        pub mod operations;
        #[rustfmt::skip]
        pub mod types;
        #waiter_module
        #[cfg(feature = "mock")]
        #[rustfmt::skip]
        pub mod mock;

        // Short lists in rustfmt's order, so the file is the same whether or not it runs.
        pub use self::operations::Request;
        #oauth_exports
        /// The `reqwest` this crate is built on, for [`ClientBuilder::http_client`].
        pub use ::codegen_runtime::reqwest;
        pub use ::codegen_runtime::{ApiError, AuthErrorKind, DecodeError, Error, OAuthError};
        pub use ::codegen_runtime::{DEFAULT_BASE_DELAY, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_DELAY};
        pub use ::codegen_runtime::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
        pub use ::codegen_runtime::{ResponseFuture, ResponseValue, RetryPolicy};

        #base_url_doc
        pub const DEFAULT_BASE_URL: &str = #base_url;
        #user_agent_doc
        pub const DEFAULT_USER_AGENT: &str = #user_agent;
        #api_version_doc
        pub const API_VERSION: &str = #api_version;

        /// An authenticated client for the API.
        ///
        /// Build one with [`Client::builder`]. Cloning is cheap: clones share the HTTP
        /// connection pool and the authentication state (Digest nonces, OAuth tokens), and can
        /// be used from many tasks at once. Each operation is a method returning a request
        /// builder; await it (or call `.send()`).
        ///
        /// `Debug` output never shows a private key, a secret or a token.
        #[derive(Clone)]
        pub struct Client {
            inner: ::codegen_runtime::Client,
        }

        #builder_docs
        pub type ClientBuilder = ::codegen_runtime::ClientBuilder<Client>;

        impl Client {
            /// Starts configuring a client. Choosing credentials is required (see [`ClientBuilder`]).
            pub fn builder() -> ClientBuilder {
                ClientBuilder::new()
            }

            /// The base URL every operation path is appended to, without a trailing slash.
            pub fn base_url(&self) -> &str {
                self.inner.base_url()
            }

            /// The retry policy of every request of this client.
            pub fn retry_policy(&self) -> RetryPolicy {
                self.inner.retry_policy()
            }

            #revoke_token
        }

        impl ::codegen_runtime::ApiClient for Client {
            const API: &'static ::codegen_runtime::ApiInfo = &::codegen_runtime::ApiInfo {
                default_base_url: DEFAULT_BASE_URL,
                default_user_agent: DEFAULT_USER_AGENT,
                digest: #digest,
                oauth: #oauth_endpoints,
            };

            fn from_client(client: ::codegen_runtime::Client) -> Self {
                Client { inner: client }
            }
        }

        impl ::std::convert::From<Client> for ::codegen_runtime::Client {
            fn from(client: Client) -> Self {
                client.inner
            }
        }

        impl ::std::fmt::Debug for Client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&self.inner, f)
            }
        }
    }
}

/// `src/types/mod.rs`: the request and response types, enums and objects side by side.
pub fn types_mod_rs(api: &Api) -> TokenStream {
    // A module per kind the spec has (an empty one would leave its glob re-export unused).
    let module = |present: bool, name: &str| {
        let name = super::ident(name);
        present.then(|| quote! { mod #name; pub use self::#name::*; })
    };
    let enums = module(!api.enums.is_empty(), "enums");
    let models = module(!api.structs.is_empty(), "models");
    let unions = module(!api.unions.is_empty(), "unions");
    quote! {
        //! Request and response types: open enums, object types and discriminated unions.
        #![doc = ""]
        #![doc = " Enums and unions are open: a value (or an object of a variant) this crate does not"]
        #![doc = " know is kept in the `Unknown` variant instead of failing to deserialize, and can be"]
        #![doc = " sent back unchanged."]

        #enums
        #models
        #unions
        pub use ::codegen_runtime::{UnknownObject, UnknownValue};
    }
}
