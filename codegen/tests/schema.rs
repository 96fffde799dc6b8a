//! `spec/spec.schema.json` is derived from the grammar (`codegen/src/spec.rs`): the checked-in
//! copy is current, and every spec of the repository validates against it. The loader checks
//! shapes with the same schema, so the two cannot disagree.

use std::path::PathBuf;

use serde_json::Value;

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
fn the_checked_in_schema_is_derived_from_the_grammar() {
    let path = root().join("spec/spec.schema.json");
    let checked_in = std::fs::read_to_string(&path).expect("spec/spec.schema.json");
    assert!(
        checked_in == atlas_admin_codegen::spec_schema_text("cargo xtask gen"),
        "spec/spec.schema.json is stale: run `cargo xtask gen` and commit it"
    );
}
