//! The crate scaffolding: `Cargo.toml`, `src/lib.rs` and `src/types/mod.rs`.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs;
use super::{GeneratedFile, Provenance};
use crate::model::Api;

/// Minimum Rust version of the generated crate.
const RUST_VERSION: &str = "1.88";

/// `Cargo.toml`: self-contained (no workspace inheritance) so the folder can be vendored.
pub fn cargo_toml(api: &Api, provenance: &Provenance) -> GeneratedFile {
    let info = &api.crate_info;
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
{digest_dependencies}httpdate = "1"
percent-encoding = "2"
regex = {{ version = "1", default-features = false, features = ["std", "perf-dfa"] }}
reqwest = {{ version = "0.13", default-features = false, features = ["rustls"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
thiserror = "2"
tokio = {{ version = "1", features = ["time"] }}
tracing = {{ version = "0.1", default-features = false, features = ["std"] }}
# Only with the `mock` feature: the local server of `{lib}::mock`.
wiremock = {{ version = "0.6.5", optional = true }}

[features]
# Typed mocks of the operations (`{lib}::mock`), for testing code that uses the client.
mock = ["dep:wiremock"]

[dev-dependencies]
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}

[package.metadata.docs.rs]
features = ["mock"]
"#,
        header = provenance.header("#"),
        // Only Digest needs them.
        digest_dependencies = if api.auth.digest.is_some() {
            "diqwest = \"3.2\"\ndigest_auth = { version = \"0.3\", default-features = false }\n"
        } else {
            ""
        },
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
        text.push_str("\n## Operations\n\nEach operation is a method of [`Client`] returning a request builder in [`operations`]; path parameters and the body are arguments, optional query parameters are setters, and the builder is awaited (or `.send()`).\n\n| Method | HTTP | Summary |\n|---|---|---|\n");
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
    text.push_str("\n## Errors\n\nEvery operation returns [`Error`]: invalid arguments are caught before any request is sent; non-2xx answers are [`Error::Api`] with the decoded error body; bodies that do not decode are [`Error::Decode`], keeping the raw body; waiters add [`Error::WaiterFailed`] and [`Error::WaiterTimedOut`].\n");
    text.push_str("\n## Testing code that uses the client\n\nThe cargo feature `mock` (off by default) adds the module `mock`: a local mock server with one typed method per operation, which a real `Client` can be pointed at (see its docs).\n");
    text.push_str("\n## Retries, timeouts and tracing\n\nRate-limited answers (429), gateway errors (502, 503, 504: idempotent methods only) and connections that could not be opened are retried with jittered exponential backoff, honouring `Retry-After`: see [`RetryPolicy`] (default [`DEFAULT_MAX_ATTEMPTS`] attempts) and [`ClientBuilder::retry_policy`]. Each attempt is bounded by [`DEFAULT_TIMEOUT`] ([`ClientBuilder::timeout`], or `.timeout(..)` on one request builder) and opening a connection by [`DEFAULT_CONNECT_TIMEOUT`]. `send_with_metadata()` on a request builder returns a [`ResponseValue`] carrying the status and headers as well.\n\nEvery operation runs in a `tracing` span named `operation` with the fields `operation` (the operation id), `method`, `path_template` and one field per path parameter; retries are `INFO` events (`attempt`, `max_attempts`, `delay_ms`, `cause`); answered Digest challenges and fetched OAuth tokens (with `expires_in_s` and `renew_in_s`) are `DEBUG` events. No key, secret or token is ever recorded.\n");

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
    let digest_module = api.auth.digest.as_ref().map(|_| quote! { mod digest; });
    let oauth_module = api
        .auth
        .client_credentials
        .as_ref()
        .map(|_| quote! { mod oauth; });
    let oauth_exports = api
        .auth
        .client_credentials
        .as_ref()
        .map(|_| quote! { pub use crate::oauth::DEFAULT_TOKEN_RENEWAL_MARGIN; });
    let waiter_modules = (!api.waiters.is_empty()).then(|| {
        quote! {
            mod polling;
            #[rustfmt::skip]
            pub mod waiters;
        }
    });
    quote! {
        #crate_docs
        #![deny(missing_docs)]
        #![forbid(unsafe_code)]

        mod client;
        #[rustfmt::skip]
        mod auth;
        mod codec;
        #digest_module
        mod error;
        #oauth_module
        #[rustfmt::skip]
        pub mod operations;
        mod pattern;
        mod response;
        mod retry;
        mod transport;
        #[rustfmt::skip]
        pub mod types;
        #waiter_modules
        #[cfg(feature = "mock")]
        #[rustfmt::skip]
        pub mod mock;

        pub use crate::client::{Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
        pub use crate::error::{ApiError, AuthErrorKind, DecodeError, Error, OAuthError};
        #oauth_exports
        pub use crate::response::{ResponseFuture, ResponseValue};
        pub use crate::retry::RetryPolicy;
        pub use crate::retry::{DEFAULT_BASE_DELAY, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_DELAY};
        /// The `reqwest` this crate is built on, for [`ClientBuilder::http_client`].
        pub use reqwest;

        #base_url_doc
        pub const DEFAULT_BASE_URL: &str = #base_url;
        #user_agent_doc
        pub const DEFAULT_USER_AGENT: &str = #user_agent;
        #api_version_doc
        pub const API_VERSION: &str = #api_version;
    }
}

/// `src/types/mod.rs`: the request and response types, enums and objects side by side.
pub fn types_mod_rs(_api: &Api) -> TokenStream {
    quote! {
        //! Request and response types: open enums, object types and discriminated unions.
        #![doc = ""]
        #![doc = " Enums and unions are open: a value (or an object of a variant) this crate does not"]
        #![doc = " know is kept in the `Unknown` variant instead of failing to deserialize, and can be"]
        #![doc = " sent back unchanged."]

        mod enums;
        mod models;
        mod unions;

        pub use self::enums::*;
        pub use self::models::*;
        pub use self::unions::*;
    }
}
