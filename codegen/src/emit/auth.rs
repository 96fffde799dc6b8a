//! The documentation of the authentication schemes the spec declares. Their mechanisms (and
//! builder methods) are in the runtime crate, each behind a cargo feature the generated
//! `Cargo.toml` enables only when the spec declares the scheme (see `crate_files`).

use super::docs;
use crate::model::Auth;

/// The builder call that documentation examples use to authenticate: the first scheme the
/// spec declares.
pub(crate) fn example_credentials(auth: &Auth) -> &'static str {
    if auth.digest.is_some() {
        r#".digest_auth("PUBLIC-KEY", "PRIVATE-KEY")"#
    } else {
        r#".service_account("CLIENT-ID", "CLIENT-SECRET")"#
    }
}

/// The "Authentication" section of the crate docs.
pub(crate) fn crate_docs(auth: &Auth, lib: &str) -> String {
    let mut text = String::from("\n## Authentication\n\n");
    if let Some(description) = &auth.description {
        text.push_str(&format!("{}\n\n", docs::escape(description)));
    }
    text.push_str(&format!(
        "A client authenticates one way, chosen on its builder with {}.\n",
        join_or(&choosers(auth))
    ));
    if let Some(digest) = &auth.digest {
        text.push_str(&format!(
            "\n[`ClientBuilder::digest_auth`] takes the user name ({}) and the password ({}) of \
             HTTP Digest. The client keeps the server's nonces for all its clones, each used by \
             one request at a time, so later requests need one round trip and concurrent ones \
             never send a nonce count out of order; an expired nonce is renewed transparently.\n",
            docs::lower_first(&digest.username_doc),
            docs::lower_first(&digest.password_doc),
        ));
    }
    if let Some(credentials) = &auth.client_credentials {
        text.push_str(&format!(
            "\n[`ClientBuilder::service_account`] takes the client id ({}) and the client secret \
             ({}) of OAuth 2.0 client credentials, exchanged at `{}` for a bearer token when the \
             first request needs one. All clones share the token; requests that need one at the \
             same time wait for a single token request and share its token or its error (a \
             later request asks again); it is renewed [`DEFAULT_TOKEN_RENEWAL_MARGIN`] before it expires \
             ([`ClientBuilder::token_renewal_margin`]), and once more when the API refuses it \
             with 401. [`Client::revoke_token`] revokes it at `{}`. \
             [`ClientBuilder::bearer_token`] sends a token obtained elsewhere, as is.\n",
            docs::lower_first(&credentials.client_id_doc),
            docs::lower_first(&credentials.client_secret_doc),
            credentials.token_path,
            credentials.revoke_path,
        ));
        if let Some(description) = &credentials.description {
            text.push_str(&format!("\n{}\n", docs::escape(description)));
        }
    }
    text.push_str(
        "\nKeys, secrets and tokens never appear in `Debug` output, errors or tracing events.\n",
    );
    let example = |call: &str| {
        format!(
            "\n```no_run\n# async fn example() -> Result<(), {lib}::Error> {{\nlet client = {lib}::Client::builder()\n    {call}\n    .build()?;\n# let _ = client;\n# Ok(())\n# }}\n```\n"
        )
    };
    if auth.digest.is_some() {
        text.push_str(&example(r#".digest_auth("PUBLIC-KEY", "PRIVATE-KEY")"#));
    }
    if auth.client_credentials.is_some() {
        text.push_str(&example(
            r#".service_account("CLIENT-ID", "CLIENT-SECRET")"#,
        ));
    }
    text
}

/// The builder methods that choose credentials, in the order the crate docs list them.
// The runtime's error for missing credentials lists the same calls (`choosers` in
// `codegen/runtime/src/auth.rs`): the generator cannot depend on the runtime, so the two
// lists are kept in step by hand.
fn choosers(auth: &Auth) -> Vec<&'static str> {
    let mut choosers = Vec::new();
    if auth.digest.is_some() {
        choosers.push("`.digest_auth(public_key, private_key)`");
    }
    if auth.client_credentials.is_some() {
        choosers.push("`.service_account(client_id, client_secret)`");
        choosers.push("`.bearer_token(token)`");
    }
    choosers
}

/// `a`, `a or b`, `a, b or c`.
fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
