//! The hand-written runtime of the generated crate (client, codec macros, authentication
//! schemes, errors, responses, retries, transport, polling).
//!
//! It does not depend on the spec, so it lives as ordinary Rust files under
//! `codegen/templates/` and is copied with the do-not-edit header. It is parsed first, so a
//! broken template fails generation instead of producing a crate that does not compile.

use super::{GeneratedFile, Provenance};
use crate::error::GenerateError;
use crate::model::Api;

pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    ("src/client.rs", include_str!("../../templates/client.rs")),
    ("src/codec.rs", include_str!("../../templates/codec.rs")),
    ("src/error.rs", include_str!("../../templates/error.rs")),
    // Compiled only with the `mock` feature (see `emit::mocks`).
    (
        "src/mock/runtime.rs",
        include_str!("../../templates/mock.rs"),
    ),
    ("src/pattern.rs", include_str!("../../templates/pattern.rs")),
    (
        "src/response.rs",
        include_str!("../../templates/response.rs"),
    ),
    ("src/retry.rs", include_str!("../../templates/retry.rs")),
    (
        "src/transport.rs",
        include_str!("../../templates/transport.rs"),
    ),
];

/// The polling loop, emitted only when the spec declares waiters.
pub(crate) const POLLING: (&str, &str) =
    ("src/polling.rs", include_str!("../../templates/polling.rs"));

/// HTTP Digest, emitted only when the spec declares it.
pub(crate) const DIGEST: (&str, &str) =
    ("src/digest.rs", include_str!("../../templates/digest.rs"));

/// OAuth 2.0 bearer tokens, emitted only when the spec declares client credentials.
pub(crate) const OAUTH: (&str, &str) = ("src/oauth.rs", include_str!("../../templates/oauth.rs"));

/// Doc examples in the templates name the crate `generated_crate`; it becomes the library name.
const CRATE_PLACEHOLDER: &str = "generated_crate::";

/// Doc examples in the templates authenticate with Digest; it becomes the first scheme the
/// spec declares.
const CREDENTIALS_PLACEHOLDER: &str = r#".digest_auth("PUBLIC-KEY", "PRIVATE-KEY")"#;

/// Emits the runtime files verbatim (they keep their comments), each checked to parse.
pub fn generate(provenance: &Provenance, api: &Api) -> Result<Vec<GeneratedFile>, GenerateError> {
    let lib = &api.crate_info.lib;
    let credentials = super::auth::example_credentials(&api.auth);
    TEMPLATES
        .iter()
        .chain((!api.waiters.is_empty()).then_some(&POLLING))
        .chain(api.auth.digest.is_some().then_some(&DIGEST))
        .chain(api.auth.client_credentials.is_some().then_some(&OAUTH))
        .map(|(path, source)| {
            syn::parse_file(source).map_err(|error| GenerateError::Internal {
                file: (*path).to_owned(),
                message: error.to_string(),
            })?;
            Ok(GeneratedFile {
                path: (*path).to_owned(),
                contents: format!(
                    "{}\n{}",
                    provenance.header("//"),
                    source
                        .replace(CRATE_PLACEHOLDER, &format!("{lib}::"))
                        .replace(CREDENTIALS_PLACEHOLDER, credentials)
                ),
            })
        })
        .collect()
}
