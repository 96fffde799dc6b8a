//! The generator and its runtime crate know nothing about this particular API: no operation,
//! type, enum, parameter or waiter name of the spec appears in the generator's sources or in
//! the runtime crate (test modules aside), and the runtime does not even name the API or its
//! vendor. Everything API-specific must come from `spec/`.

use std::path::{Path, PathBuf};

use atlas_admin_codegen::load_api;
use heck::{ToSnakeCase, ToUpperCamelCase};

fn rust_sources(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_sources(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn no_name_of_the_api_is_hard_coded_in_the_generator() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let spec_path = root.join("../spec/atlas-admin.json");
    let text = std::fs::read_to_string(&spec_path).expect("spec");
    let api = load_api("spec/atlas-admin.json", &text).expect("valid spec");
    let document: serde_json::Value = serde_json::from_str(&text).expect("json");

    let mut names: Vec<String> = Vec::new();
    for operation in &api.operations {
        names.extend([
            operation.id.clone(),
            operation.method_ident.clone(),
            operation.builder_ident.clone(),
        ]);
        // The first distinctive word of the operation's own path (its version's prefix names
        // the API, and so does the generator's package name).
        let path = document["operations"][&operation.id]["path"]
            .as_str()
            .unwrap_or_default();
        names.extend(
            path.split('/')
                .filter(|part| !part.starts_with('{'))
                .find(|part| part.len() > 3)
                .map(str::to_owned),
        );
    }
    for definition in &api.enums {
        names.push(definition.name.clone());
    }
    for definition in &api.structs {
        names.push(definition.name.clone());
    }
    for definition in &api.unions {
        names.extend([
            definition.name.clone(),
            definition.discriminator_wire.clone(),
        ]);
    }
    for waiter in &api.waiters {
        names.extend([
            waiter.id.clone(),
            waiter.method_ident.clone(),
            waiter.builder_ident.clone(),
        ]);
    }
    // Path parameters are API names; query flags such as `pretty` are ordinary words, and the
    // envelope behaviour they switch is declared in the spec (`responseEnvelope`).
    if let Some(parameters) = document["parameters"].as_object() {
        for (name, parameter) in parameters {
            if parameter["in"] == "path" {
                names.extend([
                    name.clone(),
                    name.to_snake_case(),
                    name.to_upper_camel_case(),
                ]);
            }
        }
    }

    let mut sources = Vec::new();
    rust_sources(&root.join("src"), &mut sources);
    rust_sources(&root.join("runtime/src"), &mut sources);
    rust_sources(&root.join("runtime/macros/src"), &mut sources);
    let mut found = Vec::new();
    for source in &sources {
        let text = std::fs::read_to_string(source).expect("source");
        // Unit tests may use example names; the generator itself may not.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for name in &names {
            if code.contains(name.as_str()) {
                found.push(format!("{}: {name}", source.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "API names hard-coded in the generator:\n{}",
        found.join("\n")
    );
    // The runtime is API-neutral: not even the API's or its vendor's name.
    let mut runtime_sources = Vec::new();
    rust_sources(&root.join("runtime/src"), &mut runtime_sources);
    rust_sources(&root.join("runtime/macros/src"), &mut runtime_sources);
    runtime_sources.push(root.join("runtime/Cargo.toml"));
    runtime_sources.push(root.join("runtime/macros/Cargo.toml"));
    for source in &runtime_sources {
        let text = std::fs::read_to_string(source).expect("source");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for word in ["atlas", "mongodb"] {
            if code.to_lowercase().contains(word) {
                found.push(format!("{}: {word}", source.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "API names in the runtime crate:\n{}",
        found.join("\n")
    );
    assert!(
        names.len() > 20,
        "the check covers the spec's names: {names:?}"
    );
}
