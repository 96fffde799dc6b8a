//! Where things are in the spec text: the line and column of every key and value, by path.
//!
//! The spec is parsed a second time with [`jsonc_parser`] (strict JSON options), which keeps the
//! byte range of every node; [`PositionMap`] turns that tree into line/column positions keyed by
//! path segments. Diagnostics then name their place by path (serde's path for shape errors, a
//! dotted pointer for semantic errors) and [`PositionMap::locate`] finds the line and column.
//! Duplicate keys, which every JSON map type silently collapses, are found here too.

use crate::error::{Anchor, Diagnostic};

/// A 1-based line and column; the column counts characters (Unicode scalar values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// One step of a path inside the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A key of an object.
    Key(String),
    /// An index of an array.
    Index(usize),
}

/// Renders segments the way diagnostics show them: `operations.createX.parameters[2]`.
pub fn pointer(segments: &[Segment]) -> String {
    let mut text = String::new();
    for segment in segments {
        match segment {
            Segment::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
            Segment::Index(index) => {
                text.push('[');
                text.push_str(&index.to_string());
                text.push(']');
            }
        }
    }
    text
}

/// Byte offsets to line/column.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
    text: String,
}

impl LineIndex {
    /// Indexes the lines of `text`.
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(index, _)| index + 1))
            .collect();
        LineIndex {
            starts,
            text: text.to_owned(),
        }
    }

    /// The position of the byte at `offset` (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|start| *start <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        Position {
            line,
            column: char_count(&self.text, start, offset) + 1,
        }
    }

    /// Converts serde_json's line and byte column into a character column.
    pub fn from_serde(&self, line: usize, byte_column: usize) -> Position {
        let Some(start) = line.checked_sub(1).and_then(|index| self.starts.get(index)) else {
            return Position {
                line,
                column: byte_column,
            };
        };
        // serde_json's column counts the bytes of the line up to and including the byte it
        // stopped at, so it is the 1-based byte column of that byte.
        let end = start.saturating_add(byte_column.saturating_sub(1));
        Position {
            line,
            column: char_count(&self.text, *start, end) + 1,
        }
    }
}

/// Characters in `text[start..end]`, rounding `end` down to a character boundary.
fn char_count(text: &str, start: usize, end: usize) -> usize {
    let mut end = end.min(text.len());
    while end > start && !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(start..end)
        .map_or(0, |slice| slice.chars().count())
}

/// A node of the document with its positions.
#[derive(Debug, Clone)]
pub struct Node {
    /// Where its key starts (the opening quote), for object members.
    pub key: Option<Position>,
    /// Where its value starts.
    pub value: Position,
    children: Children,
}

#[derive(Debug, Clone)]
enum Children {
    Leaf,
    /// Members in document order, duplicates included.
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
}

impl Node {
    /// Where a diagnostic anchored at `anchor` points.
    pub fn position(&self, anchor: Anchor) -> Position {
        match anchor {
            Anchor::Key => self.key.unwrap_or(self.value),
            Anchor::Value => self.value,
        }
    }

    /// The member `key` (the last one if the key is duplicated: JSON maps keep the last).
    fn member(&self, key: &str) -> Option<&Node> {
        match &self.children {
            Children::Object(members) => members
                .iter()
                .rev()
                .find(|(name, _)| name == key)
                .map(|(_, node)| node),
            _ => None,
        }
    }

    fn element(&self, index: usize) -> Option<&Node> {
        match &self.children {
            Children::Array(elements) => elements.get(index),
            _ => None,
        }
    }
}

/// A key that appears more than once in one object.
#[derive(Debug, Clone)]
pub struct DuplicateKey {
    /// The object holding the key.
    pub parent: Vec<Segment>,
    /// The key.
    pub key: String,
    /// Where it first appears.
    pub first: Position,
    /// Where it appears again.
    pub again: Position,
}

/// Positions of every key and value of a document.
#[derive(Debug, Clone)]
pub struct PositionMap {
    lines: LineIndex,
    root: Option<Node>,
}

/// jsonc-parser's options for plain JSON: no comments, trailing commas or other extensions.
const STRICT_JSON: jsonc_parser::ParseOptions = jsonc_parser::ParseOptions {
    allow_comments: false,
    allow_loose_object_property_names: false,
    allow_trailing_commas: false,
    allow_missing_commas: false,
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

/// Parses `text` as strict JSON only to learn whether, and where, its syntax is wrong.
pub fn parse_strict(text: &str) -> Result<(), jsonc_parser::errors::ParseError> {
    jsonc_parser::parse_to_ast(text, &Default::default(), &STRICT_JSON).map(|_| ())
}

impl PositionMap {
    /// Maps `text`. Text that is not strict JSON gives a map that locates nothing.
    pub fn new(text: &str) -> Self {
        let lines = LineIndex::new(text);
        let root = jsonc_parser::parse_to_ast(text, &Default::default(), &STRICT_JSON)
            .ok()
            .and_then(|result| result.value)
            .map(|value| node(&lines, None, &value));
        PositionMap { lines, root }
    }

    /// The line index of the text.
    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }

    /// The node at `segments`, if the document has it.
    pub fn find(&self, segments: &[Segment]) -> Option<&Node> {
        let mut node = self.root.as_ref()?;
        for segment in segments {
            node = match segment {
                Segment::Key(key) => node.member(key)?,
                Segment::Index(index) => node.element(*index)?,
            };
        }
        Some(node)
    }

    /// The deepest node along `segments`: the node itself, or its nearest ancestor present in
    /// the document (a key left out because it has a default, for instance).
    pub fn find_nearest(&self, segments: &[Segment]) -> Option<&Node> {
        let mut node = self.root.as_ref()?;
        for segment in segments {
            let next = match segment {
                Segment::Key(key) => node.member(key),
                Segment::Index(index) => node.element(*index),
            };
            match next {
                Some(next) => node = next,
                None => break,
            }
        }
        Some(node)
    }

    /// Resolves a dotted pointer such as `types.Foo.fields.a.b[2]` against the document.
    ///
    /// Keys are matched against the keys the document really has, so keys containing `.`,
    /// `[`, `-`, `{` or `/` resolve; when the full pointer does not resolve, the deepest node
    /// it reaches is returned.
    pub fn resolve_pointer(&self, pointer: &str) -> Option<&Node> {
        let root = self.root.as_ref()?;
        let mut best = (0, root);
        walk_pointer(root, pointer, true, 0, &mut best);
        Some(best.1)
    }

    /// Fills in the line and column of `diagnostic` from its pointer, if it has none yet.
    pub fn locate(&self, diagnostic: &mut Diagnostic) {
        if diagnostic.line.is_some() {
            return;
        }
        if let Some(node) = self.resolve_pointer(&diagnostic.pointer) {
            let position = node.position(diagnostic.anchor);
            diagnostic.line = Some(position.line);
            diagnostic.column = Some(position.column);
        }
    }

    /// Every key that appears more than once in its object, in document order.
    pub fn duplicate_keys(&self) -> Vec<DuplicateKey> {
        let mut found = Vec::new();
        if let Some(root) = &self.root {
            let mut path = Vec::new();
            collect_duplicates(root, &mut path, &mut found);
        }
        found
    }
}

/// Depth-first match of `rest` against the keys of `node`; `best` keeps the deepest node
/// reached (by consumed length).
fn walk_pointer<'a>(
    node: &'a Node,
    rest: &str,
    at_root: bool,
    consumed: usize,
    best: &mut (usize, &'a Node),
) -> bool {
    if consumed > best.0 {
        *best = (consumed, node);
    }
    if rest.is_empty() {
        return true;
    }
    match &node.children {
        Children::Object(members) => {
            let Some(after_dot) = (if at_root {
                Some(rest)
            } else {
                rest.strip_prefix('.')
            }) else {
                return false;
            };
            let skipped = rest.len() - after_dot.len();
            // Keys that fit the pointer here: the longest first (`a.b` before `a` then `b`),
            // later duplicates before earlier ones, as in the parsed document.
            let mut candidates: Vec<(&String, &Node, &str)> = members
                .iter()
                .rev()
                .filter_map(|(key, child)| {
                    let after = after_dot.strip_prefix(key.as_str())?;
                    (after.is_empty() || after.starts_with('.') || after.starts_with('['))
                        .then_some((key, child, after))
                })
                .collect();
            candidates.sort_by_key(|(key, _, _)| std::cmp::Reverse(key.len()));
            for (key, child, after) in candidates {
                let consumed = consumed + skipped + key.len();
                if walk_pointer(child, after, false, consumed, best) {
                    return true;
                }
            }
            false
        }
        Children::Array(elements) => {
            let Some(inner) = rest.strip_prefix('[') else {
                return false;
            };
            let Some(close) = inner.find(']') else {
                return false;
            };
            let (digits, after) = inner.split_at(close);
            let after = after.strip_prefix(']').unwrap_or(after);
            let Some(child) = digits
                .parse::<usize>()
                .ok()
                .and_then(|index| elements.get(index))
            else {
                return false;
            };
            walk_pointer(child, after, false, consumed + close + 2, best)
        }
        Children::Leaf => false,
    }
}

fn collect_duplicates(node: &Node, path: &mut Vec<Segment>, found: &mut Vec<DuplicateKey>) {
    match &node.children {
        Children::Leaf => {}
        Children::Array(elements) => {
            for (index, element) in elements.iter().enumerate() {
                path.push(Segment::Index(index));
                collect_duplicates(element, path, found);
                path.pop();
            }
        }
        Children::Object(members) => {
            for (index, (key, child)) in members.iter().enumerate() {
                let first = members
                    .iter()
                    .take(index)
                    .find(|(name, _)| name == key)
                    .map(|(_, earlier)| earlier);
                if let Some(first) = first {
                    found.push(DuplicateKey {
                        parent: path.clone(),
                        key: key.clone(),
                        first: first.position(Anchor::Key),
                        again: child.position(Anchor::Key),
                    });
                }
                path.push(Segment::Key(key.clone()));
                collect_duplicates(child, path, found);
                path.pop();
            }
        }
    }
}

fn node(lines: &LineIndex, key: Option<Position>, value: &jsonc_parser::ast::Value<'_>) -> Node {
    use jsonc_parser::ast::{ObjectPropName, Value};
    use jsonc_parser::common::Ranged;

    let position = lines.position(value.start());
    let children = match value {
        Value::Object(object) => Children::Object(
            object
                .properties
                .iter()
                .map(|property| {
                    let (name, key_start) = match &property.name {
                        ObjectPropName::String(name) => (name.value.to_string(), name.start()),
                        ObjectPropName::Word(word) => (word.value.to_string(), word.start()),
                    };
                    let key = Some(lines.position(key_start));
                    (name, node(lines, key, &property.value))
                })
                .collect(),
        ),
        Value::Array(array) => Children::Array(
            array
                .elements
                .iter()
                .map(|element| node(lines, None, element))
                .collect(),
        ),
        _ => Children::Leaf,
    };
    Node {
        key,
        value: position,
        children,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\n  \"a.b\": {\"x-y\": [1, {\"{z}\": true}]},\n  \"a\": {\"b\": 2},\n  \"é\": \"ü\", \"k\": 1\n}";

    #[test]
    fn positions_are_one_based_character_columns() {
        let map = PositionMap::new(TEXT);
        let node = map.find(&[Segment::Key("k".into())]).expect("k is present");
        assert_eq!(
            node.key,
            Some(Position {
                line: 4,
                column: 13
            })
        );
        assert_eq!(
            node.value,
            Position {
                line: 4,
                column: 18
            }
        );
    }

    #[test]
    fn pointers_resolve_against_real_keys() {
        let map = PositionMap::new(TEXT);
        let node = map.resolve_pointer("a.b.x-y[1].{z}").expect("resolves");
        assert_eq!(
            node.value,
            Position {
                line: 2,
                column: 30
            }
        );
        let node = map.resolve_pointer("a.b").expect("resolves");
        assert_eq!(
            node.value,
            Position {
                line: 2,
                column: 10
            }
        );
        // The deepest existing node when the rest is missing.
        let node = map.resolve_pointer("a.b.x-y[7]").expect("resolves");
        assert_eq!(
            node.value,
            Position {
                line: 2,
                column: 18
            }
        );
        let node = map.resolve_pointer("a.c").expect("resolves");
        assert_eq!(node.value, Position { line: 3, column: 8 });
    }

    #[test]
    fn finds_duplicate_keys() {
        let map = PositionMap::new("{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2},\n \"a\": 3}");
        let duplicates = map.duplicate_keys();
        assert_eq!(duplicates.len(), 2);
        assert_eq!(duplicates[0].key, "c");
        assert_eq!(duplicates[0].parent, vec![Segment::Key("b".into())]);
        assert_eq!(duplicates[1].key, "a");
        assert_eq!(duplicates[1].first, Position { line: 1, column: 2 });
        assert_eq!(duplicates[1].again, Position { line: 3, column: 2 });
    }

    #[test]
    fn serde_columns_become_character_columns() {
        let lines = LineIndex::new("{\n  \"é\": x\n}");
        // serde_json reports byte column 9 for the `x`.
        assert_eq!(lines.from_serde(2, 9), Position { line: 2, column: 8 });
    }
}
