//! The hand-written runtime of the generated crate (client, codec macros, Digest sessions,
//! errors, responses, retries, transport, polling).
//!
//! It does not depend on the spec, so it lives as ordinary Rust files under
//! `codegen/templates/` and is copied with the do-not-edit header. It is parsed first, so a
//! broken template fails generation instead of producing a crate that does not compile.

use super::{GeneratedFile, Provenance};
use crate::error::GenerateError;

pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    ("src/client.rs", include_str!("../../templates/client.rs")),
    ("src/codec.rs", include_str!("../../templates/codec.rs")),
    ("src/digest.rs", include_str!("../../templates/digest.rs")),
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

/// Doc examples in the templates name the crate `generated_crate`; it becomes the library name.
const CRATE_PLACEHOLDER: &str = "generated_crate::";

/// Emits the runtime files verbatim (they keep their comments), each checked to parse.
pub fn generate(
    provenance: &Provenance,
    lib: &str,
    with_waiters: bool,
) -> Result<Vec<GeneratedFile>, GenerateError> {
    TEMPLATES
        .iter()
        .chain(with_waiters.then_some(&POLLING))
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
                    source.replace(CRATE_PLACEHOLDER, &format!("{lib}::"))
                ),
            })
        })
        .collect()
}
