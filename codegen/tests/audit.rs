//! The audit against the official description, and the importer.
//!
//! - `audit/mutations/<case>.json`: a mutation of the frozen spec `audit/frozen/atlas-admin.json`
//!   (exact text replacements); the audit of the mutated spec against the frozen upstream file
//!   beside it must print exactly `<case>.expected` (every line with the spec's `file:line:col`
//!   and the upstream pointer).
//! - `audit/upstream/<case>.json`: a broken upstream file; reading it must fail with exactly
//!   `<case>.expected`, every problem located.
//!
//! The `.expected` files are `expect-test` snapshots: a case whose text changed fails with the
//! diff. After an intended change of messages, rewrite them and review the diff:
//!
//! ```text
//! UPDATE_EXPECT=1 cargo test -p atlas-admin-codegen --test audit
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use atlas_admin_codegen::audit::audit;
use atlas_admin_codegen::import::{ImportError, import};
use atlas_admin_codegen::upstream::{self, Upstream};
use expect_test::expect_file;

const SPEC: &str = "spec/atlas-admin.json";
const UPSTREAM: &str = "spec/upstream/atlas-openapi-private-endpoints.json";

/// Frozen copies of the spec and the upstream description (see `audit/frozen/README.md`): the
/// mutation cases assert exact `line:column` positions in the spec and pointers into the
/// upstream file, so they run on copies that do not change when the real files do. They are
/// not meant to track the real spec; tests about the real files use `SPEC` and `UPSTREAM`.
const FROZEN_SPEC: &str = "codegen/tests/audit/frozen/atlas-admin.json";
const FROZEN_UPSTREAM: &str = "codegen/tests/audit/frozen/atlas-openapi-private-endpoints.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/audit")
}

fn real_spec() -> String {
    fs::read_to_string(root().join(SPEC)).expect("the spec")
}

fn real_upstream() -> Upstream {
    read_upstream(UPSTREAM)
}

fn frozen_spec() -> String {
    fs::read_to_string(root().join(FROZEN_SPEC)).expect("the frozen spec")
}

fn frozen_upstream() -> Upstream {
    read_upstream(FROZEN_UPSTREAM)
}

/// Reads the upstream file at `path` (relative to the workspace root), named by that path.
fn read_upstream(path: &str) -> Upstream {
    let text = fs::read_to_string(root().join(path)).expect("the upstream file");
    upstream::parse(path, &text).unwrap_or_else(|errors| panic!("{errors}"))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

/// Applies a mutation case: `{"replace": [{"find", "with"}]}`, each `find` exactly once.
fn mutate(spec: &str, case: &Path) -> String {
    let mutation: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(case).expect("case")).expect("case JSON");
    let mut text = spec.to_owned();
    for replacement in mutation["replace"].as_array().into_iter().flatten() {
        let find = replacement["find"].as_str().expect("find");
        let with = replacement["with"].as_str().expect("with");
        assert_eq!(
            text.matches(find).count(),
            1,
            "{}: `find` must occur exactly once in the frozen spec: {find:?}",
            case.display()
        );
        text = text.replacen(find, with, 1);
    }
    text
}

#[test]
fn every_mutation_of_the_spec_is_reported_at_both_places() {
    let spec = frozen_spec();
    let up = frozen_upstream();
    let cases = json_files(&cases_dir().join("mutations"));
    assert!(cases.len() >= 6, "too few mutation cases");
    for case in &cases {
        let mutated = mutate(&spec, case);
        let actual = match audit(FROZEN_SPEC, &mutated, &up) {
            Ok(report) => format!("{report}\n"),
            Err(error) => format!("(the audit did not run) {error}\n"),
        };
        expect_file![case.with_extension("expected")].assert_eq(&actual);
    }
}

#[test]
fn every_difference_line_names_a_spec_position_and_an_upstream_pointer() {
    let mut checked = 0;
    for expected in fs::read_dir(cases_dir().join("mutations"))
        .expect("dir")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "expected"))
    {
        let text = fs::read_to_string(&expected).expect("readable");
        for line in text.lines().filter(|line| line.starts_with(FROZEN_SPEC)) {
            let rest = line
                .strip_prefix(&format!("{FROZEN_SPEC}:"))
                .expect("spec file");
            let mut parts = rest.splitn(3, ':');
            let (line_number, column) = (parts.next(), parts.next());
            assert!(
                line_number.is_some_and(|n| n.parse::<usize>().is_ok())
                    && column.is_some_and(|n| n.parse::<usize>().is_ok()),
                "{}: {line:?} has no line:column",
                expected.display()
            );
            assert!(
                line.contains(&format!("({FROZEN_UPSTREAM}#/"))
                    || line.ends_with(&format!("({FROZEN_UPSTREAM})")),
                "{}: {line:?} names no upstream place",
                expected.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 10,
        "only {checked} difference lines name {FROZEN_SPEC}"
    );
}

/// The five mutations of the issue, each caught at the right two places (lines of the frozen
/// spec).
#[test]
fn the_issue_mutations_are_caught_with_the_exact_locations() {
    let spec = frozen_spec();
    let up = frozen_upstream();
    let dir = cases_dir().join("mutations");
    let lines = |case: &str| -> Vec<String> {
        let mutated = mutate(&spec, &dir.join(format!("{case}.json")));
        let report = audit(FROZEN_SPEC, &mutated, &up).expect("the audit runs");
        report
            .findings
            .iter()
            .map(|finding| {
                format!(
                    "{}:{} {}",
                    finding.line.unwrap_or(0),
                    finding.column.unwrap_or(0),
                    finding.upstream_pointer
                )
            })
            .collect()
    };
    let pointer = |rest: &str| format!("#/components/schemas/{rest}");
    assert_eq!(
        lines("enum-value-dropped"),
        [format!(
            "236:7 {}",
            pointer("AzurePrivateEndpoint/properties/status/enum")
        )]
    );
    assert_eq!(
        lines("field-renamed"),
        [
            // The type lacks the upstream field; the renamed field is not upstream.
            format!(
                "455:7 {}",
                pointer("AzurePrivateLinkConnection/properties/privateLinkServiceResourceId")
            ),
            format!("500:9 {}", pointer("AzurePrivateLinkConnection/properties")),
        ]
    );
    assert_eq!(
        lines("required-flipped"),
        [format!(
            "742:53 {}",
            pointer("ProjectSettingItemView/required")
        )]
    );
    assert_eq!(
        lines("path-segment-wrong"),
        ["988:15 #/paths/~1api~1atlas~1v2~1groups~1{groupId}~1privateEndpoint~1endpointService~1{endpointServiceId}".to_owned()]
    );
    // The variant types of the removed value are no longer compared: their two declared
    // deviations are reported as stale (no upstream place), after the missing mapping.
    assert_eq!(
        lines("discriminator-value-missing"),
        [
            "711:13 ".to_owned(),
            "729:13 ".to_owned(),
            format!(
                "767:7 {}",
                pointer("CreateEndpointRequest/discriminator/mapping/GCP")
            ),
        ]
    );
}

#[test]
fn the_real_spec_agrees_with_the_vendored_upstream_file() {
    let report = audit(SPEC, &real_spec(), &real_upstream()).expect("the audit runs");
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.audited, 10);
    assert!(report.missing.is_empty(), "{report}");
    assert!(report.accepted > 0);
}

#[test]
fn every_broken_upstream_file_gets_a_located_error() {
    let cases = json_files(&cases_dir().join("upstream"));
    assert!(cases.len() >= 5, "too few broken upstream cases");
    for case in &cases {
        let name = case
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = fs::read_to_string(case).expect("case");
        let actual = match upstream::parse(&name, &text) {
            Ok(_) => "(no error: the file was read)\n".to_owned(),
            Err(errors) => {
                for problem in &errors.problems {
                    assert!(
                        problem.line.is_some() && problem.column.is_some(),
                        "{name}: unlocated problem {problem:?}"
                    );
                }
                format!("{errors}\n")
            }
        };
        assert!(!actual.starts_with('('), "{name} was read without error");
        expect_file![case.with_extension("expected")].assert_eq(&actual);
    }
}

/// Every truncation and many one-character deletions of the real upstream file are read or
/// refused, never a panic.
#[test]
fn damaged_upstream_files_never_panic() {
    let text = fs::read_to_string(root().join(UPSTREAM)).expect("upstream");
    let spec = real_spec();
    for cut in (0..text.len()).step_by(211) {
        let Some(prefix) = text.get(..cut) else {
            continue;
        };
        assert!(upstream::parse("u.json", prefix).is_err());
    }
    for at in (0..text.len()).step_by(1499) {
        let (Some(before), Some(after)) = (text.get(..at), text.get(at + 1..)) else {
            continue;
        };
        if let Ok(up) = upstream::parse("u.json", &format!("{before}{after}")) {
            // Whatever was read can be audited and imported from.
            let _ = audit(SPEC, &spec, &up);
            if let Some(id) = up.operations.iter().find_map(|o| o.id.clone()) {
                let _ = import(SPEC, &empty_spec(), &up, &id);
            }
        }
    }
}

/// The real spec's `crate`, `info` and `apiVersions`, and nothing else.
fn empty_spec() -> String {
    let spec: serde_json::Value = serde_json::from_str(&real_spec()).expect("spec JSON");
    let mut empty = serde_json::Map::new();
    for key in ["$schema", "crate", "info", "apiVersions"] {
        if let Some(value) = spec.get(key) {
            empty.insert(key.to_owned(), value.clone());
        }
    }
    let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(empty)).expect("json");
    text.push('\n');
    text
}

#[test]
fn importing_each_operation_of_the_spec_into_an_empty_spec_audits_clean() {
    let up = real_upstream();
    let spec: serde_json::Value = serde_json::from_str(&real_spec()).expect("spec JSON");
    let ids: Vec<String> = spec["operations"]
        .as_object()
        .expect("operations")
        .values()
        .filter_map(|operation| operation["operationId"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 10);
    let mut together = empty_spec();
    for id in &ids {
        // Alone, into an empty spec.
        let outcome = import("empty.json", &empty_spec(), &up, id)
            .unwrap_or_else(|error| panic!("{id}: {error}"));
        assert!(outcome.added.contains(&format!("operations.{id}")));
        let report = audit("empty.json", &outcome.text, &up).expect("the audit runs");
        assert!(
            report
                .findings_under(&format!("operations.{id}"))
                .is_empty()
                && report.is_clean(),
            "{id}:\n{report}"
        );
        assert_eq!(report.covered, std::slice::from_ref(id));
        // And one after the other into one spec, which reuses what is there.
        together = import("together.json", &together, &up, id)
            .unwrap_or_else(|error| panic!("{id}: {error}"))
            .text;
    }
    let report = audit("together.json", &together, &up).expect("the audit runs");
    assert!(report.is_clean(), "{report}");
    assert!(report.missing.is_empty(), "{report}");
    // Importing again changes nothing.
    let again = import("together.json", &together, &up, &ids[0]).expect("import");
    assert_eq!(again.already.as_deref(), Some(ids[0].as_str()));
    assert_eq!(again.text, together);
}

#[test]
fn importing_into_the_real_spec_finds_the_operation_there() {
    let outcome = import(
        SPEC,
        &real_spec(),
        &real_upstream(),
        "getGroupPrivateEndpointRegionalMode",
    )
    .expect("import");
    assert_eq!(outcome.already.as_deref(), Some("getRegionalEndpointMode"));
    assert!(outcome.added.is_empty());
}

#[test]
fn an_existing_entry_with_other_content_is_a_collision() {
    let mut spec: serde_json::Value = serde_json::from_str(&empty_spec()).expect("json");
    spec["types"] = serde_json::json!({
        "ProjectSettingItemView": {
            "description": "Same name, other content.",
            "fields": { "enabled": { "type": "string", "description": "Not a boolean." } }
        }
    });
    let text = serde_json::to_string_pretty(&spec).expect("json");
    match import(
        "s.json",
        &text,
        &real_upstream(),
        "toggleGroupPrivateEndpointRegionalMode",
    ) {
        Err(ImportError::Collision(lines)) => {
            let text = lines.join("\n");
            assert!(
                text.contains("`types.ProjectSettingItemView` exists"),
                "{text}"
            );
            assert!(text.contains("field `enabled` of `ProjectSettingItemView` is optional here but required upstream"), "{text}");
        }
        other => panic!("expected a collision, got {other:?}"),
    }
    // The same name for an enum is a collision too, not a rename.
    let mut spec: serde_json::Value = serde_json::from_str(&empty_spec()).expect("json");
    spec["enums"] = serde_json::json!({
        "CloudProvider": { "description": "Other values.", "values": [{ "value": "ON_PREMISES" }] }
    });
    let text = serde_json::to_string_pretty(&spec).expect("json");
    match import(
        "s.json",
        &text,
        &real_upstream(),
        "listGroupPrivateEndpointEndpointService",
    ) {
        Err(ImportError::Collision(lines)) => {
            assert!(
                lines.join("\n").contains("`enums.CloudProvider` exists"),
                "{lines:#?}"
            );
        }
        other => panic!("expected a collision, got {other:?}"),
    }
}

#[test]
fn an_unknown_operation_id_lists_the_known_ones() {
    match import(SPEC, &real_spec(), &real_upstream(), "noSuchOperation") {
        Err(ImportError::UnknownOperation { known, .. }) => assert_eq!(known.len(), 10),
        other => panic!("expected an unknown operation, got {other:?}"),
    }
}
