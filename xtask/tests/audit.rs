//! `cargo xtask audit` and `cargo xtask import` as a user runs them: exit codes, output, and an
//! import that writes the spec only when the draft generates.

use std::fs;
use std::process::{Command, Output};

use xtask::upstream::default_upstream;
use xtask::{default_spec, workspace_root};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(workspace_root())
        .output()
        .expect("xtask runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The real spec's `crate`, `info` and `apiVersions` only.
fn empty_spec() -> String {
    let spec: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(default_spec()).expect("spec")).expect("json");
    let mut empty = serde_json::Map::new();
    for key in ["crate", "info", "apiVersions"] {
        empty.insert(key.to_owned(), spec[key].clone());
    }
    serde_json::to_string_pretty(&serde_json::Value::Object(empty)).expect("json")
}

#[test]
fn the_audit_of_the_real_spec_is_green_and_ends_with_the_coverage() {
    let output = xtask(&["audit"]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    assert!(
        stdout.ends_with("coverage: 10 of 10 upstream operations in the spec; missing: none\n"),
        "{stdout}"
    );
}

#[test]
fn a_difference_exits_1_and_a_missing_file_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("spec.json");
    let real = fs::read_to_string(default_spec()).expect("spec");
    fs::write(
        &spec,
        real.replacen(
            "\"enabled\": { \"type\": \"boolean\", \"required\": true,",
            "\"enabled\": { \"type\": \"boolean\", \"required\": false,",
            1,
        ),
    )
    .expect("write");
    let output = xtask(&["audit", "--spec", spec.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("field `enabled` of `ProjectSettingItemView` is optional here but required upstream (spec/upstream/atlas-openapi-private-endpoints.json#/components/schemas/ProjectSettingItemView/required)"),
        "{stdout}"
    );
    let output = xtask(&["audit", "--upstream", "no/such/file.json"]);
    assert_eq!(output.status.code(), Some(2));
    let broken = dir.path().join("broken.json");
    fs::write(&broken, "{\"openapi\": \"3.0.1\", \"paths\": [").expect("write");
    let output = xtask(&["audit", "--upstream", broken.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("not valid JSON"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn import_writes_the_spec_and_a_collision_leaves_it_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("spec.json");
    fs::write(&spec, empty_spec()).expect("write");
    let spec_arg = spec.to_str().expect("utf-8");
    let upstream = default_upstream();
    let upstream_arg = upstream.to_str().expect("utf-8");
    let output = xtask(&[
        "import",
        "--operation",
        "getGroupPrivateEndpointEndpointServiceEndpoint",
        "--spec",
        spec_arg,
        "--upstream",
        upstream_arg,
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("added   unions.PrivateLinkEndpoint"),
        "{stdout}"
    );
    let audit = xtask(&["audit", "--spec", spec_arg, "--upstream", upstream_arg]);
    assert!(audit.status.success(), "{}", text(&audit.stdout));
    // Nothing left behind but the spec.
    let names: Vec<String> = fs::read_dir(dir.path())
        .expect("dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names, ["spec.json"]);

    // A type of the same name with other content: exit 1, the file is unchanged.
    let mut colliding: serde_json::Value = serde_json::from_str(&empty_spec()).expect("json");
    colliding["types"] = serde_json::json!({
        "ProjectSettingItemView": {
            "description": "Other content.",
            "fields": { "on": { "type": "boolean", "description": "Not `enabled`." } }
        }
    });
    let before = serde_json::to_string_pretty(&colliding).expect("json");
    fs::write(&spec, &before).expect("write");
    let output = xtask(&[
        "import",
        "--operation",
        "getGroupPrivateEndpointRegionalMode",
        "--spec",
        spec_arg,
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("name collision"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(fs::read_to_string(&spec).expect("read"), before);
}

#[test]
fn importing_an_operation_the_spec_has_changes_nothing() {
    let before = fs::read_to_string(default_spec()).expect("spec");
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("spec.json");
    fs::write(&spec, &before).expect("write");
    let output = xtask(&[
        "import",
        "--operation",
        "toggleGroupPrivateEndpointRegionalMode",
        "--spec",
        spec.to_str().expect("utf-8"),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout)
            .contains("already in the spec as `operations.toggleRegionalEndpointMode`")
    );
    assert_eq!(fs::read_to_string(&spec).expect("read"), before);
}
