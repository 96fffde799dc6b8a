//! Reading the spec file: JSON syntax and shape, with the location of the first problem.

use crate::error::{Diagnostic, SpecErrors};
use crate::spec::SpecDocument;

/// Parses `text` (the contents of `file`) into the raw spec document.
pub fn parse(file: &str, text: &str) -> Result<SpecDocument, SpecErrors> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let document: SpecDocument = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| one_error(file, &error))?;
    // Trailing characters after the document are a syntax error too.
    deserializer.end().map_err(|error| SpecErrors {
        file: file.to_owned(),
        diagnostics: vec![Diagnostic {
            line: Some(error.line()),
            column: Some(error.column()),
            pointer: String::new(),
            message: error.to_string(),
        }],
    })?;
    Ok(document)
}

fn one_error(file: &str, error: &serde_path_to_error::Error<serde_json::Error>) -> SpecErrors {
    let inner = error.inner();
    let pointer = error.path().to_string();
    let pointer = if pointer == "." {
        String::new()
    } else {
        pointer
    };
    // serde_json appends " at line L column C"; the location is printed in front instead.
    let message = inner.to_string();
    let message = match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message,
    };
    SpecErrors {
        file: file.to_owned(),
        diagnostics: vec![Diagnostic {
            line: (inner.line() > 0).then_some(inner.line()),
            column: (inner.line() > 0).then_some(inner.column()),
            pointer,
            message,
        }],
    }
}
