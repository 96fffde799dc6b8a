//! `spec/spec.schema.json`: the real specs validate against it, and it accepts exactly the keys
//! the loader accepts.
//!
//! The agreement test asks the loader itself, so it fails as soon as `spec.rs` and the schema
//! drift apart. It walks `tests/schema/every-key.json` (a spec using every key the loader
//! accepts) and at every object:
//!
//! - injects an unknown key: the loader either names the keys it accepts there (a struct: they
//!   must be the schema's `properties`, with `additionalProperties: false`), or reads the key as
//!   an entry (a map: the schema must describe entries with `additionalProperties`), or accepts
//!   anything (free-form JSON);
//! - removes each key of a struct: the loader says "missing field" exactly for the schema's
//!   `required` keys;
//! - requires the sample to use every accepted key, so that new nested sections are walked too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use atlas_admin_codegen::load;
use serde_json::Value;

const BOGUS: &str = "notAKeyOfTheSpec";

/// The schema of a value the schema says nothing about.
static ANY: Value = Value::Bool(true);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read_json(relative: &str) -> Value {
    let path = root().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn schema() -> Value {
    read_json("spec/spec.schema.json")
}

#[test]
fn the_specs_validate_against_the_schema() {
    let schema = schema();
    let validator = jsonschema::draft202012::new(&schema).expect("the schema is valid 2020-12");
    let mut specs = vec![
        "spec/atlas-admin.json".to_owned(),
        "codegen/tests/keywords/spec.json".to_owned(),
        "codegen/tests/schema/every-key.json".to_owned(),
    ];
    let ok_dir = root().join("codegen/tests/corpus/ok");
    let mut ok: Vec<String> = std::fs::read_dir(&ok_dir)
        .expect("corpus/ok")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            format!(
                "codegen/tests/corpus/ok/{}",
                path.file_name().expect("name").to_string_lossy()
            )
        })
        .collect();
    ok.sort();
    specs.extend(ok);
    for spec in &specs {
        let instance = read_json(spec);
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|error| format!("  {}: {error}", error.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{spec} does not match the schema:\n{}",
            errors.join("\n")
        );
    }
}

#[test]
fn the_real_spec_references_the_schema() {
    let spec = read_json("spec/atlas-admin.json");
    assert_eq!(spec["$schema"], "./spec.schema.json");
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let schema = schema();
    let validator = jsonschema::draft202012::new(&schema).expect("valid schema");
    let mut spec = read_json("spec/atlas-admin.json");
    spec["operations"]["createPrivateEndpoint"]["sumary"] = Value::from("typo");
    assert!(!validator.is_valid(&spec), "an unknown key is refused");
    let mut spec = read_json("spec/atlas-admin.json");
    spec["info"]["auth"] = serde_json::json!(["digest", "user", "password"]);
    assert!(!validator.is_valid(&spec), "an array is not an object");
}

/// Loader errors (shape only: no semantic validation) for `document`, as `pointer: message`.
fn load_errors(document: &Value) -> Vec<(String, String)> {
    let text = serde_json::to_string_pretty(document).expect("serializable");
    match load::load("sample.json", &text) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .diagnostics
            .into_iter()
            .map(|diagnostic| (diagnostic.pointer, diagnostic.message))
            .collect(),
    }
}

/// A dotted pointer as the loader prints it; array indices are path segments like `[2]`.
fn pointer(path: &[String]) -> String {
    let mut text = String::new();
    for segment in path {
        if !text.is_empty() && !segment.starts_with('[') {
            text.push('.');
        }
        text.push_str(segment);
    }
    text
}

fn node_mut<'a>(document: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(document, |node, segment| {
        match segment
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|index| index.parse::<usize>().ok())
        {
            Some(index) => &mut node[index],
            None => &mut node[segment.as_str()],
        }
    })
}

/// Follows `$ref`s (local `#/$defs/...` only) to the schema that applies.
fn resolve<'a>(schema_root: &'a Value, mut node: &'a Value) -> &'a Value {
    while let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        let name = reference
            .strip_prefix("#/$defs/")
            .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
        node = &schema_root["$defs"][name];
        assert!(!node.is_null(), "dangling $ref {reference}");
    }
    node
}

/// The backquoted names in serde's "expected one of `a`, `b`" list.
fn accepted_keys(message: &str) -> BTreeSet<String> {
    let list = message
        .split_once(", expected ")
        .map(|(_, list)| list)
        .unwrap_or_default();
    let list = list.split("; did you mean").next().unwrap_or_default();
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Keys of one struct: those the loader accepts, and those the sample uses somewhere.
#[derive(Default)]
struct Usage {
    name: String,
    accepted: BTreeSet<String>,
    used: BTreeSet<String>,
}

struct Walk<'a> {
    sample: Value,
    schema: &'a Value,
    problems: Vec<String>,
    /// By the address of the struct's schema, so every place it is used counts.
    structs: BTreeMap<usize, Usage>,
}

impl<'a> Walk<'a> {
    fn object(&mut self, path: Vec<String>, schema_node: &'a Value) {
        let schema_node = resolve(self.schema, schema_node);
        let here = if path.is_empty() {
            "the root".to_owned()
        } else {
            format!("`{}`", pointer(&path))
        };

        // Inject an unknown key first in the object, so it is read before anything else.
        let mut injected = self.sample.clone();
        let target = node_mut(&mut injected, &path);
        let mut object = serde_json::Map::new();
        object.insert(BOGUS.to_owned(), Value::Null);
        object.extend(target.as_object().cloned().unwrap_or_default());
        *target = Value::Object(object);
        let errors = load_errors(&injected);
        let unknown = errors.iter().find(|(at, message)| {
            *at == pointer(&path) && message.starts_with(&format!("unknown field `{BOGUS}`"))
        });

        let properties: BTreeSet<String> = schema_node
            .get("properties")
            .and_then(Value::as_object)
            .map(|properties| properties.keys().cloned().collect())
            .unwrap_or_default();
        let additional = schema_node.get("additionalProperties");

        if let Some((_, message)) = unknown {
            // A struct.
            let accepted = accepted_keys(message);
            if accepted != properties {
                self.problems.push(format!(
                    "{here}: the loader accepts {accepted:?} but the schema lists {properties:?}"
                ));
            }
            if additional != Some(&Value::Bool(false)) {
                self.problems.push(format!(
                    "{here}: the schema must set `additionalProperties: false`"
                ));
            }
            let present: BTreeSet<String> = node_mut(&mut self.sample.clone(), &path)
                .as_object()
                .map(|object| object.keys().cloned().collect())
                .unwrap_or_default();
            let usage = self
                .structs
                .entry(std::ptr::from_ref(schema_node) as usize)
                .or_default();
            if usage.name.is_empty() {
                usage.name = here.clone();
            }
            usage.accepted.extend(accepted.iter().cloned());
            usage.used.extend(present.iter().cloned());
            // Required keys: removing one is a "missing field" error.
            let schema_required: BTreeSet<String> = schema_node
                .get("required")
                .and_then(Value::as_array)
                .map(|keys| {
                    keys.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let mut loader_required = BTreeSet::new();
            for key in accepted.intersection(&present) {
                let mut without = self.sample.clone();
                if let Some(object) = node_mut(&mut without, &path).as_object_mut() {
                    object.remove(key);
                }
                let missing = format!("missing field `{key}`");
                if load_errors(&without)
                    .iter()
                    .any(|(at, message)| *at == pointer(&path) && message.starts_with(&missing))
                {
                    loader_required.insert(key.clone());
                }
            }
            if loader_required != schema_required {
                self.problems.push(format!(
                    "{here}: the loader requires {loader_required:?} but the schema requires {schema_required:?}"
                ));
            }
            // Walk into the values of the accepted keys.
            for key in accepted.intersection(&present) {
                let child_schema = schema_node
                    .get("properties")
                    .and_then(|properties| properties.get(key))
                    .unwrap_or(&ANY);
                let mut child_path = path.clone();
                child_path.push(key.clone());
                self.value(child_path, child_schema);
            }
        } else if errors.is_empty() {
            // Free-form JSON: the schema must not restrict its keys.
            if !properties.is_empty() || additional == Some(&Value::Bool(false)) {
                self.problems.push(format!(
                    "{here}: the loader accepts any JSON here but the schema restricts its keys"
                ));
            }
        } else {
            // A map: the injected key was read as an entry (and its `null` value refused).
            let entry_schema = match additional {
                Some(entry) if entry.is_object() && properties.is_empty() => entry,
                _ => {
                    self.problems.push(format!(
                        "{here}: the loader reads any key as an entry but the schema does not describe entries with `additionalProperties`"
                    ));
                    return;
                }
            };
            let keys: Vec<String> = node_mut(&mut self.sample.clone(), &path)
                .as_object()
                .map(|object| object.keys().cloned().collect())
                .unwrap_or_default();
            if keys.is_empty() {
                self.problems.push(format!(
                    "{here}: every-key.json needs at least one entry here"
                ));
            }
            for key in keys {
                let mut child_path = path.clone();
                child_path.push(key);
                self.value(child_path, entry_schema);
            }
        }
    }

    fn value(&mut self, path: Vec<String>, schema_node: &'a Value) {
        let schema_node = resolve(self.schema, schema_node);
        let value = node_mut(&mut self.sample.clone(), &path).clone();
        match value {
            Value::Object(_) => self.object(path, schema_node),
            Value::Array(elements) => {
                let items = schema_node.get("items").unwrap_or(&ANY);
                for (index, element) in elements.iter().enumerate() {
                    if element.is_object() {
                        let mut element_path = path.clone();
                        element_path.push(format!("[{index}]"));
                        self.object(element_path, items);
                    }
                }
            }
            _ => {}
        }
    }
}

#[test]
fn the_schema_and_the_loader_accept_the_same_keys() {
    let schema = schema();
    let sample = read_json("codegen/tests/schema/every-key.json");
    assert!(
        load_errors(&sample).is_empty(),
        "every-key.json must load: {:?}",
        load_errors(&sample)
    );
    let mut walk = Walk {
        sample,
        schema: &schema,
        problems: Vec::new(),
        structs: BTreeMap::new(),
    };
    walk.object(Vec::new(), &schema);
    for usage in walk.structs.values() {
        for key in usage.accepted.difference(&usage.used) {
            walk.problems.push(format!(
                "{} (and every object like it): codegen/tests/schema/every-key.json never uses `{key}`; add it so its value is checked too",
                usage.name
            ));
        }
    }
    assert!(
        walk.problems.is_empty(),
        "spec/spec.schema.json and the loader (codegen/src/spec.rs) disagree:\n{}",
        walk.problems.join("\n")
    );
    // Root, crate, info, auth, parameter, enum, enum value, type, field, operation, body,
    // response, examples, example request, waiter.
    assert!(
        walk.structs.len() >= 15,
        "only {} structs were checked",
        walk.structs.len()
    );
}
