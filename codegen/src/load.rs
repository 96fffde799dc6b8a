//! Reading the spec file: JSON syntax and shape, every problem located.
//!
//! 1. `serde_json` parses the text into a [`serde_json::Value`]; a syntax error stops here,
//!    located by serde_json's line and column.
//! 2. [`PositionMap`] maps the same text to the position of every key and value, and finds
//!    duplicate keys (which a parsed value silently collapses to the last one).
//! 3. The `shape` module checks the value against the JSON Schema derived from [`crate::spec`]: every
//!    unknown or missing key, wrong type and value outside a closed set, all at once.
//! 4. A value of the right shape is deserialized into [`SpecDocument`], once.
//!
//! [`Loaded::finish`] later merges these problems with the semantic ones of
//! [`crate::validate`], locates them all and sorts them by position.

mod shape;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Anchor, Diagnostic, SpecErrors};
use std::cell::OnceCell;

use crate::position::{DuplicateKey, PositionMap, Segment, pointer};
use crate::spec::SpecDocument;

/// A spec whose JSON shape is right, with what is needed to locate later problems.
#[derive(Debug)]
pub struct Loaded {
    /// The parsed document.
    pub document: SpecDocument,
    file: String,
    positions: LazyPositions,
    /// Problems that do not stop validation (duplicate keys), already located.
    problems: Vec<Diagnostic>,
}

impl Loaded {
    /// Where the keys and values of the document are.
    pub fn positions(&self) -> &PositionMap {
        self.positions.get()
    }

    /// Merges the problems found while loading with the outcome of validation, locates every
    /// problem and sorts them by position. `Ok` only when neither found anything.
    pub fn finish<T>(self, result: Result<T, SpecErrors>) -> Result<T, SpecErrors> {
        let mut diagnostics = self.problems;
        let value = match result {
            Ok(value) => Some(value),
            Err(errors) => {
                diagnostics.extend(errors.diagnostics);
                None
            }
        };
        match value {
            Some(value) if diagnostics.is_empty() => Ok(value),
            _ => {
                let positions = self.positions.get();
                for diagnostic in &mut diagnostics {
                    positions.locate(diagnostic);
                }
                Err(SpecErrors::new(self.file, diagnostics))
            }
        }
    }
}

/// The position map of a spec's text, built the first time a problem needs locating: a clean
/// spec never pays for the second parse.
#[derive(Debug)]
struct LazyPositions {
    text: String,
    map: OnceCell<PositionMap>,
}

impl LazyPositions {
    fn new(text: &str) -> Self {
        LazyPositions {
            text: text.to_owned(),
            map: OnceCell::new(),
        }
    }

    fn get(&self) -> &PositionMap {
        self.map.get_or_init(|| PositionMap::new(&self.text))
    }
}

/// Whether any JSON object in `text` (already known to be valid JSON) repeats a key. A quick
/// serde pass; [`PositionMap::duplicate_keys`] then says where.
fn has_duplicate_keys(text: &str) -> bool {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use std::cell::Cell;

    /// Walks one value, setting `found` when an object repeats a key.
    struct Scan<'a> {
        found: &'a Cell<bool>,
    }

    impl<'de> DeserializeSeed<'de> for Scan<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Scan<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(Scan { found: self.found })?.is_some() {}
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut keys = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if !keys.insert(key) {
                    self.found.set(true);
                }
                map.next_value_seed(Scan { found: self.found })?;
            }
            Ok(())
        }
    }

    let found = Cell::new(false);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    // On a parse error (not expected: the text already parsed) the full check decides.
    Scan { found: &found }
        .deserialize(&mut deserializer)
        .map_or(true, |()| found.get())
}

/// Parses `text` (the contents of `file`) and checks its shape.
pub fn load(file: &str, text: &str) -> Result<Loaded, SpecErrors> {
    let value: Value = serde_json::from_str(text)
        .map_err(|error| SpecErrors::new(file, vec![syntax_error(text, &error)]))?;
    let positions = LazyPositions::new(text);
    let mut problems: Vec<Diagnostic> = if has_duplicate_keys(text) {
        positions
            .get()
            .duplicate_keys()
            .iter()
            .map(duplicate_key)
            .collect()
    } else {
        Vec::new()
    };
    control_characters(&value, &mut Vec::new(), &positions, &mut problems);
    match deserialize(&value, &positions) {
        Ok(document) => Ok(Loaded {
            document,
            file: file.to_owned(),
            positions,
            problems,
        }),
        Err(shape) => {
            problems.extend(shape);
            Err(SpecErrors::new(file, problems))
        }
    }
}

/// Parses `text` (the contents of `file`) into the raw spec document; any problem found while
/// loading, duplicate keys included, is an error.
pub fn parse(file: &str, text: &str) -> Result<SpecDocument, SpecErrors> {
    let loaded = load(file, text)?;
    let Loaded {
        document,
        file,
        problems,
        ..
    } = loaded;
    if problems.is_empty() {
        Ok(document)
    } else {
        Err(SpecErrors::new(file, problems))
    }
}

/// A located syntax error in our own words. serde_json only says where it stopped, so the
/// text is parsed again with jsonc-parser (strict JSON options), whose errors have a kind.
fn syntax_error(text: &str, error: &serde_json::Error) -> Diagnostic {
    use jsonc_parser::errors::ParseErrorKind as Kind;
    let lines = crate::position::LineIndex::new(text);
    let (message, position) = match crate::position::parse_strict(text) {
        Err(parsed) => {
            let ends_early = error.classify() == serde_json::error::Category::Eof;
            let message = match parsed.kind() {
                Kind::String(_) if ends_early => "the file ends inside a string".to_owned(),
                _ if ends_early && !text.trim().is_empty() => {
                    "the file ends before the JSON value does (an object or array is not closed)"
                        .to_owned()
                }
                Kind::CommentsNotAllowed => {
                    "JSON has no comments; put notes in a `description`".to_owned()
                }
                Kind::ExpectedColonAfterObjectKey => "expected `:` after the key".to_owned(),
                Kind::ExpectedObjectValue => "expected a value after `:`".to_owned(),
                Kind::ExpectedStringObjectProperty | Kind::UnexpectedWord => {
                    "expected a key in double quotes".to_owned()
                }
                Kind::ExpectedComma => "expected `,` between two members".to_owned(),
                Kind::MultipleRootJsonValues => {
                    "trailing characters after the end of the JSON value".to_owned()
                }
                Kind::TrailingCommasNotAllowed => {
                    "trailing comma: JSON allows no `,` before `}` or `]`".to_owned()
                }
                Kind::UnterminatedArray => "the array is not closed with `]`".to_owned(),
                Kind::UnterminatedObject => "the object is not closed with `}`".to_owned(),
                Kind::String(_) => {
                    "the string is not closed with `\"` on its line (or has an invalid escape)"
                        .to_owned()
                }
                Kind::NestingDepthExceeded => "the document is nested too deeply".to_owned(),
                Kind::UnexpectedToken | Kind::UnexpectedTokenInObject => {
                    "unexpected text: expected `,` or the end of the object or array (is a string left open on the line before?)".to_owned()
                }
                Kind::UnexpectedCloseBrace => "unexpected `}`".to_owned(),
                Kind::UnexpectedCloseBracket => "unexpected `]`".to_owned(),
                Kind::UnexpectedColon => "unexpected `:`".to_owned(),
                Kind::UnexpectedComma => "unexpected `,`".to_owned(),
                _ => "invalid JSON syntax".to_owned(),
            };
            (message, lines.position(parsed.range().start))
        }
        // Accepted there but refused by serde_json: an empty file, or a limit of serde_json's.
        Ok(()) => {
            let message = if text.trim().is_empty() {
                "the file is empty; a spec is a JSON object".to_owned()
            } else if error.classify() == serde_json::error::Category::Eof {
                "the file ends before the JSON value does".to_owned()
            } else {
                "invalid JSON value".to_owned()
            };
            (
                message,
                lines.from_serde(error.line().max(1), error.column()),
            )
        }
    };
    let mut diagnostic = Diagnostic::at("", message);
    diagnostic.line = Some(position.line);
    diagnostic.column = Some(position.column);
    diagnostic
}

/// Checks the shape of `value` and deserializes it, or returns every shape problem.
fn deserialize(value: &Value, positions: &LazyPositions) -> Result<SpecDocument, Vec<Diagnostic>> {
    let problems = shape::problems(value, positions);
    if !problems.is_empty() {
        return Err(problems);
    }
    // The schema is derived from these very types, so this cannot fail on a value it accepts;
    // should it, the spec is refused rather than half-read.
    SpecDocument::deserialize(value).map_err(|error| {
        vec![Diagnostic::at(
            "",
            format!("internal error: the spec matches the format's schema but cannot be read ({error}); please report this"),
        )]
    })
}

/// Reports keys and strings holding control characters other than newline and tab: text of
/// the spec ends up in doc comments, where a carriage return (for one) is not allowed.
fn control_characters(
    value: &Value,
    path: &mut Vec<Segment>,
    positions: &LazyPositions,
    problems: &mut Vec<Diagnostic>,
) {
    let check = |text: &str, path: &[Segment], anchor: Anchor| {
        let c = text
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))?;
        let what = if anchor == Anchor::Key { "key" } else { "text" };
        let mut diagnostic = Diagnostic::at(
            pointer(path),
            format!(
                "the {what} contains the control character U+{:04X}; only newlines and tabs are allowed",
                u32::from(c)
            ),
        );
        diagnostic.anchor = anchor;
        if let Some(node) = positions.get().find(path) {
            let position = node.position(anchor);
            diagnostic.line = Some(position.line);
            diagnostic.column = Some(position.column);
        }
        Some(diagnostic)
    };
    match value {
        Value::String(text) => problems.extend(check(text, path, Anchor::Value)),
        Value::Array(elements) => {
            for (index, element) in elements.iter().enumerate() {
                path.push(Segment::Index(index));
                control_characters(element, path, positions, problems);
                path.pop();
            }
        }
        Value::Object(members) => {
            for (key, member) in members {
                path.push(Segment::Key(key.clone()));
                problems.extend(check(key, path, Anchor::Key));
                control_characters(member, path, positions, problems);
                path.pop();
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// A key that appears twice in one object: JSON parsers keep only the last one.
fn duplicate_key(duplicate: &DuplicateKey) -> Diagnostic {
    let what = match duplicate.parent.as_slice() {
        [Segment::Key(section)] => match section.as_str() {
            "operations" => "operation id",
            "types" => "type name",
            "enums" => "enum name",
            "parameters" => "parameter name",
            _ => "key",
        },
        [Segment::Key(section), Segment::Key(_), Segment::Key(fields)]
            if section == "types" && fields == "fields" =>
        {
            "field name"
        }
        _ => "key",
    };
    let mut path = duplicate.parent.clone();
    path.push(Segment::Key(duplicate.key.clone()));
    let mut diagnostic = Diagnostic::at_key(
        pointer(&path),
        format!(
            "duplicate {what} `{}`: it is already defined at line {}, column {}; a JSON object keeps only the last of two equal keys, so rename or remove one",
            duplicate.key, duplicate.first.line, duplicate.first.column
        ),
    );
    diagnostic.line = Some(duplicate.again.line);
    diagnostic.column = Some(duplicate.again.column);
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::has_duplicate_keys;

    #[test]
    fn the_quick_duplicate_check_looks_into_nested_objects_and_arrays() {
        assert!(!has_duplicate_keys(
            r#"{"a":{"b":1,"c":[{"b":2},{"b":3}]},"b":4}"#
        ));
        assert!(has_duplicate_keys(r#"{"a":1,"a":2}"#));
        assert!(has_duplicate_keys(r#"{"a":{"x":[{"k":1,"k":2}]}}"#));
        assert!(has_duplicate_keys(r#"[{"k":{"m":true,"m":null}}]"#));
    }
}
