//! Errors of the generator: spec problems (located, all reported at once) and I/O.

use std::fmt;
use std::path::PathBuf;

/// One problem found in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Line (1-based) in the spec file, when known.
    pub line: Option<usize>,
    /// Column (1-based) in the spec file, when known.
    pub column: Option<usize>,
    /// Dotted path inside the document, e.g. `operations.createPrivateEndpoint.path`.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    /// A problem at `pointer`, position not yet known.
    pub fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            line: None,
            column: None,
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// Everything that can go wrong while generating.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The spec could not be read.
    #[error("{}: cannot read spec: {source}", path.display())]
    ReadSpec {
        /// The spec file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The spec is malformed or inconsistent.
    #[error("{0}")]
    InvalidSpec(SpecErrors),
    /// Emitted code did not parse: a bug in the generator, never in the spec.
    #[error("internal error: generated {file} is not valid Rust: {message}")]
    Internal {
        /// The generated file.
        file: String,
        /// What the parser said.
        message: String,
    },
}

/// All problems found in one spec file, sorted by position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecErrors {
    /// The spec file as the user named it.
    pub file: String,
    /// The problems, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.diagnostics.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if let Some(line) = diagnostic.line {
                write!(f, ":{line}")?;
                if let Some(column) = diagnostic.column {
                    write!(f, ":{column}")?;
                }
            }
            if diagnostic.pointer.is_empty() {
                write!(f, ": {}", diagnostic.message)?;
            } else {
                write!(f, ": {}: {}", diagnostic.pointer, diagnostic.message)?;
            }
        }
        Ok(())
    }
}
