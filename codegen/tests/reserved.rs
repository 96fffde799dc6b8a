//! The reserved names of `codegen/src/reserved.rs` are exactly the names the generated code and
//! the runtime crate give the client, the builders and the mock server besides what comes from
//! the spec: a name added to either without a line in the list (a spec parameter could then
//! become it, and the crate would not compile) fails here, and so does a stale line.

use std::collections::BTreeSet;

use atlas_admin_codegen::reserved;
use atlas_admin_codegen::{GeneratedFile, Provenance, generate_from_str, load_api};

fn spec_text() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/atlas-admin.json");
    std::fs::read_to_string(path).expect("the real spec")
}

fn generated() -> Vec<GeneratedFile> {
    let provenance = Provenance {
        spec: "spec/atlas-admin.json".to_owned(),
        command: "cargo xtask gen".to_owned(),
        runtime_path: "../codegen/runtime".to_owned(),
    };
    generate_from_str(&spec_text(), &provenance).expect("the real spec generates")
}

fn parse(files: &[GeneratedFile], path: &str) -> syn::File {
    let file = files
        .iter()
        .find(|file| file.path == path)
        .unwrap_or_else(|| panic!("{path} is generated"));
    syn::parse_file(&file.contents).expect("generated code parses")
}

/// Inherent methods of the type named `name` in `file`, and the named fields of its struct.
fn members(file: &syn::File, name: &str) -> BTreeSet<String> {
    let mut members = BTreeSet::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(item) if item.ident == name => {
                members.extend(
                    item.fields
                        .iter()
                        .filter_map(|field| field.ident.as_ref())
                        .map(ToString::to_string),
                );
            }
            syn::Item::Impl(block) if block.trait_.is_none() => {
                let syn::Type::Path(path) = block.self_ty.as_ref() else {
                    continue;
                };
                if path
                    .path
                    .segments
                    .last()
                    .is_none_or(|last| last.ident != name)
                {
                    continue;
                }
                for item in &block.items {
                    if let syn::ImplItem::Fn(function) = item {
                        members.insert(function.sig.ident.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    members
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

#[test]
fn the_reserved_names_are_the_names_the_generated_code_and_the_runtime_define() {
    let files = generated();
    let api = load_api("spec/atlas-admin.json", &spec_text()).expect("valid spec");
    let from_spec: BTreeSet<String> = api
        .operations
        .iter()
        .flat_map(|operation| {
            operation
                .path_params
                .iter()
                .map(|param| param.ident.clone())
                .chain(
                    operation
                        .query_params
                        .iter()
                        .map(|param| param.ident.clone()),
                )
        })
        .chain(
            api.common_query_params
                .iter()
                .map(|param| param.ident.clone()),
        )
        .chain(["body".to_owned()])
        .collect();
    let without_spec_names = |names: BTreeSet<String>| -> BTreeSet<String> { &names - &from_spec };

    let lib = parse(&files, "src/lib.rs");
    assert_eq!(
        members(&lib, "Client")
            .difference(&set(&["inner"]))
            .cloned()
            .collect::<BTreeSet<_>>(),
        set(reserved::CLIENT_METHODS)
    );

    // Every operation's request is the generic `Request<E>`: its own methods (the setters of
    // the common query parameters aside) and the client method's `body` argument.
    let operations = parse(&files, "src/operations.rs");
    let mut request =
        &without_spec_names(members(&operations, "Request")) - &set(&["call", "endpoint"]);
    request.insert("body".to_owned());
    assert_eq!(request, set(reserved::REQUEST_BUILDER_NAMES));

    // Waiters are the runtime's generic `Waiter` (type aliases): no generated struct whose
    // names a parameter could meet.
    let waiters = parse(&files, "src/waiters.rs");
    assert!(
        !waiters
            .items
            .iter()
            .any(|item| matches!(item, syn::Item::Struct(_))),
        "waiters.rs defines a struct: its names belong in reserved.rs"
    );

    let mock = parse(&files, "src/mock.rs");
    assert_eq!(
        members(&mock, "MockServer")
            .difference(&set(&["inner"]))
            .cloned()
            .collect::<BTreeSet<_>>(),
        set(reserved::MOCK_SERVER_METHODS)
    );
    // Every typed mock is the generic `Mock<'a, E>`: its own methods, and each operation's
    // `respond` and `body`.
    let mock_operations = parse(&files, "src/mock/operations.rs");
    let mut mock_builder =
        &without_spec_names(members(&mock, "Mock")) - &set(&["pending", "endpoint"]);
    mock_builder.extend(without_spec_names(members(&mock_operations, "Mock")));
    mock_builder.insert("body".to_owned());
    assert_eq!(mock_builder, set(reserved::MOCK_BUILDER_NAMES));
}

/// A parameter named like a builder's own name is escaped, not refused.
#[test]
fn parameters_named_like_builder_names_are_escaped() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/keywords/spec.json");
    let text = std::fs::read_to_string(path).expect("the keyword fixture");
    let api = load_api("keywords/spec.json", &text).expect("the fixture loads");
    let operation = api
        .operations
        .iter()
        .find(|operation| operation.id == "self")
        .expect("the operation named `self`");
    let query: Vec<&str> = operation
        .query_params
        .iter()
        .map(|param| param.ident.as_str())
        .collect();
    assert_eq!(query, ["send_", "timeout_", "respond_"]);
    let path: Vec<&str> = operation
        .path_params
        .iter()
        .map(|param| param.ident.as_str())
        .collect();
    // `crate` is a keyword; `client` names nothing of a request any more.
    assert_eq!(path, ["crate_", "client"]);
    assert!(reserved::is_builder_name("respond"));
    assert!(!reserved::is_builder_name("group_id"));
}
