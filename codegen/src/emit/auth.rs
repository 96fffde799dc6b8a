//! `src/auth.rs`: the authentication schemes the spec declares, as one enum the client holds,
//! and what the builder records until `build()`.
//!
//! Each scheme's mechanism (and its builder methods) is a runtime template, emitted only when
//! the scheme is declared: `digest.rs` for HTTP Digest, `oauth.rs` for OAuth 2.0 client
//! credentials. This file is the part that depends on which of them exist.

use proc_macro2::TokenStream;
use quote::quote;

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
             first request needs one. All clones share the token; concurrent requests cause one \
             token request; it is renewed [`DEFAULT_TOKEN_RENEWAL_MARGIN`] before it expires \
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

pub fn generate(auth: &Auth) -> TokenStream {
    let digest = auth.digest.is_some();
    let oauth = auth.client_credentials.as_ref();

    let digest_variant = digest.then(|| {
        quote! {
            /// HTTP Digest, with the server's nonces ([`ClientBuilder::digest_auth`](crate::ClientBuilder::digest_auth)).
            Digest(crate::digest::SessionPool),
        }
    });
    let bearer_variant = oauth.map(|_| {
        quote! {
            /// OAuth 2.0 bearer tokens ([`ClientBuilder::service_account`](crate::ClientBuilder::service_account),
            /// [`ClientBuilder::bearer_token`](crate::ClientBuilder::bearer_token)).
            Bearer(crate::oauth::Tokens),
        }
    });
    let digest_arm =
        |body: TokenStream| digest.then(|| quote! { Credentials::Digest(sessions) => #body, });
    let bearer_arm =
        |body: TokenStream| oauth.map(|_| quote! { Credentials::Bearer(tokens) => #body, });
    let send_digest = digest_arm(quote! { sessions.send(outgoing).await });
    let send_bearer = bearer_arm(quote! { tokens.send(client, outgoing).await });
    let debug_digest = digest_arm(quote! { ::std::fmt::Debug::fmt(sessions, f) });
    let debug_bearer = bearer_arm(quote! { ::std::fmt::Debug::fmt(tokens, f) });

    let oauth_items = oauth.map(|credentials| {
        let token_path = &credentials.token_path;
        let revoke_path = &credentials.revoke_path;
        let other_schemes = digest.then(|| quote! { _ => ::std::option::Option::None, });
        quote! {
            /// Path of the OAuth 2.0 token endpoint, below the base URL.
            pub(crate) const TOKEN_PATH: &str = #token_path;
            /// Path of the OAuth 2.0 token revocation endpoint, below the base URL.
            pub(crate) const REVOKE_PATH: &str = #revoke_path;

            impl Credentials {
                /// The bearer tokens, when the client uses them.
                pub(crate) fn tokens(&self) -> ::std::option::Option<&crate::oauth::Tokens> {
                    match self {
                        Credentials::Bearer(tokens) => ::std::option::Option::Some(tokens),
                        #other_schemes
                    }
                }
            }
        }
    });
    let margin_field = oauth.map(|_| {
        quote! {
            /// [`ClientBuilder::token_renewal_margin`](crate::ClientBuilder::token_renewal_margin).
            pub(crate) token_renewal_margin: ::std::option::Option<::std::time::Duration>,
        }
    });
    let apply_margin = oauth.map(|_| {
        quote! {
            if let (Credentials::Bearer(tokens), ::std::option::Option::Some(margin)) =
                (&mut credentials, self.token_renewal_margin)
            {
                tokens.set_renewal_margin(margin);
            }
        }
    });
    // Only bearer tokens need the client (to fetch them).
    let client = if oauth.is_some() {
        quote! { client }
    } else {
        quote! { _client }
    };
    let missing = format!(
        "credentials are required: call {}",
        join_or(&choosers(auth))
    );

    quote! {
        //! The authentication schemes the API accepts; a client uses the one its builder chose.

        use crate::error::Error;
        use crate::transport::{AttemptError, Outgoing};
        use crate::client::ClientInner;

        /// The credentials of a client, with the state its clones share.
        pub(crate) enum Credentials {
            #digest_variant
            #bearer_variant
        }

        impl Credentials {
            /// Sends one attempt of a request with these credentials.
            pub(crate) async fn send(
                &self,
                #client: &ClientInner,
                outgoing: &Outgoing<'_>,
            ) -> ::std::result::Result<::reqwest::Response, AttemptError> {
                match self {
                    #send_digest
                    #send_bearer
                }
            }
        }

        impl ::std::fmt::Debug for Credentials {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #debug_digest
                    #debug_bearer
                }
            }
        }

        #oauth_items

        /// What the builder recorded about authentication.
        #[derive(Debug, Default)]
        pub(crate) struct AuthChoice {
            /// Each method that chose credentials, in call order, with what it chose (or why
            /// that was refused): exactly one is allowed.
            pub(crate) chosen: ::std::vec::Vec<(&'static str, ::std::result::Result<Credentials, Error>)>,
            #margin_field
        }

        impl AuthChoice {
            /// The one choice made, with the settings that apply to it.
            pub(crate) fn finish(self) -> ::std::result::Result<Credentials, Error> {
                let mut chosen = self.chosen.into_iter();
                let ::std::option::Option::Some((first, credentials)) = chosen.next() else {
                    return ::std::result::Result::Err(Error::invalid_argument("credentials", #missing));
                };
                if let ::std::option::Option::Some((second, _)) = chosen.next() {
                    return ::std::result::Result::Err(Error::invalid_argument(
                        second,
                        ::std::format!("`{first}` already chose the credentials: a client authenticates one way"),
                    ));
                }
                #[allow(unused_mut, reason = "settings of some schemes change the credentials")]
                let mut credentials = credentials?;
                #apply_margin
                ::std::result::Result::Ok(credentials)
            }
        }
    }
}
