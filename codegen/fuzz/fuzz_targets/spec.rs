//! Feeds arbitrary bytes, and mutations of valid specs, through load, validate and emit.
//!
//! The first byte picks the mode: odd, the rest of the input is the spec text (lossy UTF-8);
//! even, the rest drives structured mutations of one of the valid specs built in below
//! (delete, replace or rename a JSON node, put a tricky name or value in, duplicate a line,
//! splice bytes). Whatever the input, generation must not panic, and:
//!
//! - a rejected spec gives at least one problem, each with a line and column;
//! - an accepted spec gives Rust files that parse (never an "internal error").
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run spec --sanitizer none -- -max_total_time=600`
//! (from `codegen/fuzz`, or `cargo fuzz run --fuzz-dir codegen/fuzz ...` from the root).

#![no_main]

use atlas_admin_codegen::{GenerateError, Provenance, generate_from_str};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Valid specs to mutate.
const SEEDS: &[&str] = &[
    include_str!("../../../spec/atlas-admin.json"),
    include_str!("../../tests/keywords/spec.json"),
    include_str!("../../tests/corpus/ok/minimal.json"),
    include_str!("../../tests/corpus/ok/keywords.json"),
    include_str!("../../tests/corpus/ok/odd-names.json"),
];

/// Strings that hit naming, template, regex and URL rules.
const TOKENS: &[&str] = &[
    "",
    " ",
    "array",
    "empty",
    "string",
    "boolean",
    "integer",
    "number",
    "any",
    "Self",
    "self",
    "super",
    "crate",
    "type",
    "match",
    "fn",
    "_",
    "__",
    "-",
    "Unknown",
    "UNKNOWN",
    "unknown",
    "UnknownValue",
    "builder",
    "baseUrl",
    "execute",
    "send",
    "client",
    "body",
    "std",
    "test",
    "GET",
    "POST",
    "DELETE",
    "get",
    "path",
    "query",
    "digest",
    "{",
    "}",
    "{}",
    "{{a}}",
    "{GROUP-ID}",
    "/a/{x}/{x}",
    "/{self}/{crate}",
    "a{b",
    "^$",
    "^(a$",
    "[",
    "(",
    "^a{99999}$",
    "https://",
    "http://[::1]:80/v",
    "https://h/p?q",
    "ftp://x",
    "mailto:x",
    "ü",
    "größe",
    "é",
    "ǅ",
    "²",
    "a-b",
    "a_b",
    "aB",
    "AB",
    "a.b",
    "a[0]",
    "\r\n",
    "\r",
    "\u{0}",
    "*/",
    "/*",
    "\"#",
    "r#",
    "#[",
    "`",
    "``",
    "\\",
    "0",
    "0.1.0",
    "1.2.3.4",
    "Region",
    "Regoin",
    "US_EAST_1",
    "us-east-1",
    "2fa",
    "9",
    "V",
    "with_a",
    "aliases",
    "🚀",
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = if mode % 2 == 1 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let seed = SEEDS[usize::from(mode / 2) % SEEDS.len()];
        mutate(seed, rest)
    };
    // To turn a crash into a corpus case: `ATLAS_FUZZ_DUMP=case.json cargo fuzz run spec <crash>`.
    if let Some(path) = std::env::var_os("ATLAS_FUZZ_DUMP") {
        let _ = std::fs::write(path, &text);
    }
    check(&text);
});

fn check(text: &str) {
    let provenance = Provenance {
        spec: "fuzz.json".to_owned(),
        command: "cargo xtask gen".to_owned(),
        runtime_path: "../codegen/runtime".to_owned(),
    };
    match generate_from_str(text, &provenance) {
        Ok(files) => {
            for file in files.iter().filter(|file| file.path.ends_with(".rs")) {
                if let Err(error) = syn::parse_file(&file.contents) {
                    panic!(
                        "generated {} does not parse: {error}\n{}",
                        file.path, file.contents
                    );
                }
            }
        }
        Err(GenerateError::InvalidSpec(errors)) => {
            assert!(!errors.diagnostics.is_empty(), "an error without problems");
            for diagnostic in &errors.diagnostics {
                assert!(
                    diagnostic.line.is_some() && diagnostic.column.is_some(),
                    "unlocated problem: {diagnostic:?}"
                );
            }
            let _ = errors.to_string();
        }
        Err(other) => panic!("not a spec error: {other}"),
    }
}

/// A byte source that yields zeros when exhausted.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&first, rest)) => {
                self.0 = rest;
                first
            }
            None => 0,
        }
    }

    fn index(&mut self, len: usize) -> usize {
        if len == 0 {
            return 0;
        }
        let value = usize::from(self.byte()) << 8 | usize::from(self.byte());
        value % len
    }

    fn string(&mut self) -> String {
        if self.byte() % 2 == 0 {
            return TOKENS[self.index(TOKENS.len())].to_owned();
        }
        let len = usize::from(self.byte() % 16).min(self.0.len());
        let (taken, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8_lossy(taken).into_owned()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn paths(value: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(members) => {
            for (key, child) in members {
                prefix.push(Step::Key(key.clone()));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(elements) => {
            for (index, child) in elements.iter().enumerate() {
                prefix.push(Step::Index(index));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn node_mut<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut node = value;
    for step in path {
        node = match step {
            Step::Key(key) => node.get_mut(key.as_str())?,
            Step::Index(index) => node.get_mut(*index)?,
        };
    }
    Some(node)
}

fn mutate(seed: &str, data: &[u8]) -> String {
    let Ok(mut value) = serde_json::from_str::<Value>(seed) else {
        return seed.to_owned();
    };
    let mut bytes = Bytes(data);
    let rounds = 1 + bytes.byte() % 4;
    for _ in 0..rounds {
        let mut all = Vec::new();
        paths(&value, &mut Vec::new(), &mut all);
        let path = all[bytes.index(all.len())].clone();
        let donor = all[bytes.index(all.len())].clone();
        let donor_value = node_mut(&mut value, &donor).cloned().unwrap_or(Value::Null);
        let op = bytes.byte() % 10;
        let Some((last, parent_path)) = path.split_last() else {
            continue;
        };
        let Some(parent) = node_mut(&mut value, parent_path) else {
            continue;
        };
        match (op, last, parent) {
            (0, Step::Key(key), Value::Object(members)) => {
                members.shift_remove(key);
            }
            (0, Step::Index(index), Value::Array(elements)) if *index < elements.len() => {
                elements.remove(*index);
            }
            (1 | 2, Step::Key(key), Value::Object(members)) => {
                // Rename the key, keeping its value and place.
                let new_key = bytes.string();
                let renamed: serde_json::Map<String, Value> = std::mem::take(members)
                    .into_iter()
                    .map(|(name, child)| {
                        if name == *key {
                            (new_key.clone(), child)
                        } else {
                            (name, child)
                        }
                    })
                    .collect();
                *members = renamed;
            }
            (op, last, parent) => {
                let replacement = match op {
                    3 | 4 | 5 => Value::String(bytes.string()),
                    6 => match bytes.byte() % 4 {
                        0 => Value::from(i64::from(bytes.byte()) - 128),
                        1 => Value::from(f64::from(bytes.byte()) / 3.0),
                        2 => Value::from(u64::MAX),
                        _ => Value::from(-1e300),
                    },
                    7 => match bytes.byte() % 4 {
                        0 => Value::Null,
                        1 => Value::Bool(bytes.byte() % 2 == 0),
                        2 => Value::Array(Vec::new()),
                        _ => Value::Object(serde_json::Map::new()),
                    },
                    _ => donor_value,
                };
                let slot = match (last, parent) {
                    (Step::Key(key), Value::Object(members)) => members.get_mut(key.as_str()),
                    (Step::Index(index), Value::Array(elements)) => elements.get_mut(*index),
                    _ => None,
                };
                if let Some(slot) = slot {
                    *slot = replacement;
                }
            }
        }
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    // Text-level mutations: duplicate a line (a duplicate key, mostly) or splice bytes.
    while !bytes.is_empty() {
        let lines: Vec<&str> = text.lines().collect();
        match bytes.byte() % 3 {
            0 if !lines.is_empty() => {
                let line = bytes.index(lines.len());
                let mut edited: Vec<&str> = lines.clone();
                edited.insert(line, lines[line]);
                text = edited.join("\n");
            }
            1 => {
                let mut at = bytes.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let insert = bytes.string();
                text.insert_str(at, &insert);
            }
            _ => break,
        }
    }
    text
}
