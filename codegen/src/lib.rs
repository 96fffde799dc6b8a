//! The atlas-admin code generator.
//!
//! A hand-written JSON description of the API (`spec/atlas-admin.json`) goes through four
//! stages, each in its own module:
//!
//! 1. [`load`]: JSON syntax and shape ([`spec`] describes the file format), with the
//!    [`position`] of every key and value;
//! 2. [`validate`]: cross-references, names and templates, building the [`model`];
//! 3. [`emit`]: one emitter per generated file, each assembling `quote!` fragments that are
//!    parsed with `syn` and formatted with `prettyplease`;
//! 4. the caller (`cargo xtask gen`) writes or compares the files.
//!
//! Everything happens in memory; a broken spec produces [`GenerateError::InvalidSpec`] listing
//! every problem, and nothing is written.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod emit;
pub mod error;
pub mod examples;
pub mod load;
pub mod model;
pub mod naming;
pub mod position;
pub mod spec;
pub mod suggest;
pub mod validate;

use std::path::Path;

pub use crate::emit::{GeneratedFile, Provenance};
pub use crate::error::{Diagnostic, GenerateError, SpecErrors};

/// Parses and validates spec text; `file` names it in error messages.
///
/// Every problem is reported at once, each with its line and column, sorted by position.
pub fn load_api(file: &str, text: &str) -> Result<model::Api, GenerateError> {
    let loaded = load::load(file, text).map_err(GenerateError::InvalidSpec)?;
    let validated = validate::validate(file, &loaded.document);
    loaded.finish(validated).map_err(GenerateError::InvalidSpec)
}

/// Generates every file of the client crate from spec text, entirely in memory.
pub fn generate_from_str(
    text: &str,
    provenance: &Provenance,
) -> Result<Vec<GeneratedFile>, GenerateError> {
    let api = load_api(&provenance.spec, text)?;
    emit::emit_all(&api, provenance)
}

/// Reads the spec at `path` and generates every file of the client crate, including the
/// example programs kept in `examples/` beside the spec.
pub fn generate(path: &Path, provenance: &Provenance) -> Result<Vec<GeneratedFile>, GenerateError> {
    let text = std::fs::read_to_string(path).map_err(|source| GenerateError::ReadSpec {
        path: path.to_owned(),
        source,
    })?;
    let mut files = generate_from_str(&text, provenance)?;
    files.extend(examples::collect(path, provenance)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
