//! Errors of the generator: spec problems (located, all reported at once) and I/O.

use std::fmt;
use std::path::PathBuf;

/// The most diagnostics reported for one spec; the rest are counted in [`SpecErrors::omitted`].
pub const MAX_DIAGNOSTICS: usize = 50;

/// Which part of the node at a diagnostic's pointer the line and column point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Anchor {
    /// The value (a bad value, a missing key's object).
    #[default]
    Value,
    /// The key naming the value (a bad or duplicated name, an unknown key).
    Key,
}

/// One problem found in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Line (1-based) in the spec file, when known.
    pub line: Option<usize>,
    /// Column (1-based, in characters) in the spec file, when known.
    pub column: Option<usize>,
    /// Dotted path inside the document, e.g. `operations.getWidget.path`; array
    /// elements are `[index]`. Keys are written as they are, so the path is resolved against
    /// the document's real keys (see [`crate::position::PositionMap::resolve_pointer`]).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// Whether the position is that of the key or of the value at `pointer`.
    pub anchor: Anchor,
}

impl Diagnostic {
    /// A problem with the value at `pointer`, position not yet known.
    pub fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            line: None,
            column: None,
            pointer: pointer.into(),
            message: message.into(),
            anchor: Anchor::Value,
        }
    }

    /// A problem with the key (the name) at `pointer`, position not yet known.
    pub fn at_key(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            anchor: Anchor::Key,
            ..Diagnostic::at(pointer, message)
        }
    }

    /// The sort key: by position, unknown positions last.
    fn order(&self) -> (bool, usize, usize) {
        (
            self.line.is_none(),
            self.line.unwrap_or(0),
            self.column.unwrap_or(0),
        )
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
    /// An example program beside the spec could not be read or is not valid Rust.
    #[error("{}: {message}", path.display())]
    Example {
        /// The example file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
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
    /// The problems, sorted by position (at most [`MAX_DIAGNOSTICS`]).
    pub diagnostics: Vec<Diagnostic>,
    /// How many more problems were found but not listed.
    pub omitted: usize,
}

impl SpecErrors {
    /// Sorts `diagnostics` by position (stable: problems at one place keep the order in which
    /// they were found), drops exact repeats and keeps the first [`MAX_DIAGNOSTICS`].
    pub fn new(file: impl Into<String>, mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by_key(Diagnostic::order);
        diagnostics.dedup();
        let omitted = diagnostics.len().saturating_sub(MAX_DIAGNOSTICS);
        diagnostics.truncate(MAX_DIAGNOSTICS);
        SpecErrors {
            file: file.into(),
            diagnostics,
            omitted,
        }
    }

    /// How many problems were found, listed or not.
    pub fn count(&self) -> usize {
        self.diagnostics.len() + self.omitted
    }
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
        if self.omitted > 0 {
            write!(
                f,
                "\n{}: ...and {} more problem{} not shown; fix these first",
                self.file,
                self.omitted,
                if self.omitted == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}
