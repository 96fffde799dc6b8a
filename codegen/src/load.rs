//! Reading the spec file: JSON syntax and shape, every problem located.
//!
//! 1. `serde_json` parses the text into a [`serde_json::Value`]; a syntax error stops here,
//!    located by serde_json's line and column.
//! 2. [`PositionMap`] maps the same text to the position of every key and value, and finds
//!    duplicate keys (which a parsed value silently collapses to the last one).
//! 3. The value is deserialized into [`SpecDocument`] with `serde_path_to_error`, which names
//!    the path of a wrong type, a missing key or an unknown key; the path gives the position.
//!    serde stops at the first error, so after each one the offending key (or the smallest
//!    enclosing value) is removed and deserialization runs again, to report every shape error
//!    of the file at once. Errors that only follow from such a removal are not reported.
//!
//! [`Loaded::finish`] later merges these problems with the semantic ones of
//! [`crate::validate`], locates them all and sorts them by position.

mod strict;

use serde_json::Value;

use self::strict::Strict;

use crate::error::{Anchor, Diagnostic, MAX_DIAGNOSTICS, SpecErrors};
use std::cell::OnceCell;

use crate::position::{DuplicateKey, PositionMap, Segment, pointer};
use crate::spec::SpecDocument;
use crate::suggest::closest;

/// Deserialization attempts before giving up on finding more shape errors.
const MAX_ATTEMPTS: usize = 400;

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
    let value: Value = serde_json::from_str(text).map_err(|error| {
        let lines = crate::position::LineIndex::new(text);
        let mut diagnostic = Diagnostic::at("", strip_location(&error.to_string()));
        if error.line() > 0 {
            let position = lines.from_serde(error.line(), error.column());
            diagnostic.line = Some(position.line);
            diagnostic.column = Some(position.column);
            if starts_comment(text, error.line(), error.column()) {
                diagnostic
                    .message
                    .push_str(": JSON has no comments; put notes in a `description`");
            }
        }
        SpecErrors::new(file, vec![diagnostic])
    })?;
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
    match deserialize(value, &positions) {
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

/// Whether a `//` or `/*` starts at serde_json's (line, byte column) in `text`.
fn starts_comment(text: &str, line: usize, byte_column: usize) -> bool {
    let Some(line_text) = line
        .checked_sub(1)
        .and_then(|index| text.split('\n').nth(index))
    else {
        return false;
    };
    let start = byte_column.saturating_sub(1);
    line_text
        .get(start..)
        .is_some_and(|rest| rest.starts_with("//") || rest.starts_with("/*"))
}

/// serde_json appends " at line L column C"; the location is printed in front instead.
fn strip_location(message: &str) -> String {
    match message.rsplit_once(" at line ") {
        Some((before, after))
            if after.split_once(" column ").is_some_and(|(line, column)| {
                line.chars().all(|c| c.is_ascii_digit())
                    && column.chars().all(|c| c.is_ascii_digit())
            }) =>
        {
            before.to_owned()
        }
        _ => message.to_owned(),
    }
}

/// Deserializes `value`, collecting every shape error (see the module docs).
fn deserialize(
    mut value: Value,
    positions: &LazyPositions,
) -> Result<SpecDocument, Vec<Diagnostic>> {
    if !value.is_object() {
        let found = match value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        };
        let mut diagnostic = Diagnostic::at(
            "",
            format!(
                "the spec must be a JSON object with `crate`, `info` and the API's sections, not {found}"
            ),
        );
        if let Some(node) = positions.get().find(&[]) {
            diagnostic.line = Some(node.value.line);
            diagnostic.column = Some(node.value.column);
        }
        return Err(vec![diagnostic]);
    }
    let mut diagnostics = Vec::new();
    // Keys removed to get past a wrong value: the "missing field" they leave behind is not
    // reported again.
    let mut removed: Vec<Vec<Segment>> = Vec::new();
    for _ in 0..MAX_ATTEMPTS {
        let error = match serde_path_to_error::deserialize::<_, SpecDocument>(Strict(&value)) {
            Ok(document) if diagnostics.is_empty() => return Ok(document),
            Ok(_) => return Err(diagnostics),
            Err(error) => error,
        };
        let mut path = segments(error.path());
        let message = error.inner().to_string();

        if let Some(key) = quoted_after(&message, "unknown field `") {
            let key = key.to_owned();
            // serde_path_to_error's path ends with the unknown key itself.
            if path.last() == Some(&Segment::Key(key.clone())) {
                path.pop();
            }
            let (diagnostic, suggestion) = unknown_key(&path, &key, &message, positions);
            diagnostics.push(diagnostic);
            // A likely typo is read as the key it was meant to be, so the object is checked
            // further (and not reported as missing that key); any other unknown key is dropped.
            if rename(&mut value, &path, &key, suggestion.as_deref()) {
                if diagnostics.len() > MAX_DIAGNOSTICS {
                    break;
                }
                continue;
            }
        } else {
            let consequence = quoted_after(&message, "missing field `").is_some_and(|key| {
                let mut missing = path.clone();
                missing.push(Segment::Key(key.to_owned()));
                removed.contains(&missing)
            });
            if !consequence {
                diagnostics.push(shape_error(&path, &message, positions));
            }
        }
        if diagnostics.len() > MAX_DIAGNOSTICS {
            break;
        }

        // Remove the smallest value around the error that can go: a whole array rather than
        // one element, so later elements keep their index (and position).
        let mut target = path;
        while matches!(target.last(), Some(Segment::Index(_))) {
            target.pop();
        }
        let Some(Segment::Key(key)) = target.pop() else {
            break; // The root itself is wrong: nothing more can be learned.
        };
        if !remove(&mut value, &target, &key) {
            break;
        }
        target.push(Segment::Key(key));
        removed.push(target);
    }
    Err(diagnostics)
}

/// The path of a serde error as segments.
fn segments(path: &serde_path_to_error::Path) -> Vec<Segment> {
    path.iter()
        .filter_map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
            serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
            serde_path_to_error::Segment::Enum { variant } => Some(Segment::Key(variant.clone())),
            serde_path_to_error::Segment::Unknown => None,
        })
        .collect()
}

/// Renames `key` of the object at `parent` to `to` if that key is free, else removes it;
/// whether `key` was there.
fn rename(value: &mut Value, parent: &[Segment], key: &str, to: Option<&str>) -> bool {
    let Some(object) = object_at(value, parent) else {
        return false;
    };
    let Some(moved) = object.shift_remove(key) else {
        return false;
    };
    if let Some(to) = to
        && !object.contains_key(to)
    {
        object.insert(to.to_owned(), moved);
    }
    true
}

/// Removes `key` from the object at `parent`; whether it was there.
fn remove(value: &mut Value, parent: &[Segment], key: &str) -> bool {
    object_at(value, parent)
        .and_then(|object| object.shift_remove(key))
        .is_some()
}

/// The object at `path`, if there is one.
fn object_at<'a>(
    value: &'a mut Value,
    path: &[Segment],
) -> Option<&'a mut serde_json::Map<String, Value>> {
    let mut node = value;
    for segment in path {
        node = match segment {
            Segment::Key(name) => node.get_mut(name.as_str())?,
            Segment::Index(index) => node.get_mut(*index)?,
        };
    }
    node.as_object_mut()
}

/// The text between `prefix` and the next backtick in `message`.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let (_, rest) = message.split_once(prefix)?;
    rest.split_once('`').map(|(quoted, _)| quoted)
}

/// `unknown field `x`, expected one of `a`, `b``, with a suggestion when `x` is a likely typo
/// (also returned).
fn unknown_key(
    parent: &[Segment],
    key: &str,
    message: &str,
    positions: &LazyPositions,
) -> (Diagnostic, Option<String>) {
    let allowed: Vec<&str> = message
        .split_once("expected ")
        .map(|(_, list)| list.split('`').skip(1).step_by(2).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut text = message.to_owned();
    let suggestion = closest(key, allowed.iter().copied()).map(str::to_owned);
    if let Some(suggestion) = &suggestion {
        text.push_str(&format!("; did you mean `{suggestion}`?"));
    }
    let mut diagnostic = Diagnostic::at_key(pointer(parent), text);
    let mut path = parent.to_vec();
    path.push(Segment::Key(key.to_owned()));
    let node = positions
        .get()
        .find(&path)
        .map(|node| node.position(Anchor::Key))
        .or_else(|| {
            positions
                .get()
                .find_nearest(parent)
                .map(|node| node.position(Anchor::Value))
        });
    if let Some(position) = node {
        diagnostic.line = Some(position.line);
        diagnostic.column = Some(position.column);
    }
    (diagnostic, suggestion)
}

/// A wrong type or a missing key at `path`, in the words of a JSON reader.
fn shape_error(path: &[Segment], message: &str, positions: &LazyPositions) -> Diagnostic {
    let mut text = json_words(message);
    if let Some(key) = quoted_after(message, "missing field `")
        && let Some(hint) = missing_key_hint(path, key)
    {
        text.push_str(": ");
        text.push_str(hint);
    }
    let mut diagnostic = Diagnostic::at(pointer(path), text);
    if let Some(node) = positions.get().find_nearest(path) {
        let position = node.position(Anchor::Value);
        diagnostic.line = Some(position.line);
        diagnostic.column = Some(position.column);
    }
    diagnostic
}

/// What to write when a required key is missing, for the keys whose purpose is not obvious.
fn missing_key_hint(path: &[Segment], key: &str) -> Option<&'static str> {
    let in_operation =
        matches!(path, [Segment::Key(section), Segment::Key(_)] if section == "operations");
    match key {
        "response" if in_operation => Some(
            "every operation needs a success response: `\"response\": { \"type\": ... }` with a type name, `array` (plus `items`), or `empty` when a 2xx answer has no body",
        ),
        "crate" if path.is_empty() => Some(
            "add `\"crate\": { \"name\": ..., \"version\": ..., \"description\": ... }` describing the generated crate",
        ),
        "info" if path.is_empty() => Some(
            "add `\"info\": { \"title\": ..., \"version\": ..., \"baseUrl\": ..., \"auth\": ... }` describing the API",
        ),
        _ => None,
    }
}

/// serde speaks of Rust types (`map`, `sequence`, `struct OperationSpec`); say JSON instead.
fn json_words(message: &str) -> String {
    let mut text = message
        .replace("invalid type: map", "invalid type: object")
        .replace("invalid type: sequence", "invalid type: array")
        .replace("invalid type: unit value", "invalid type: null")
        .replace("expected a map", "expected an object")
        .replace("expected a sequence", "expected an array")
        .replace("expected a boolean", "expected `true` or `false`");
    while let Some((before, after)) = text.split_once("expected struct ") {
        let rest = after.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
        text = format!("{before}expected an object{rest}");
    }
    text
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
