//! The corpus of broken specs: every `corpus/<name>.json` must fail with exactly the text of
//! `corpus/<name>.expected` (the full error output, the file shown as `<name>.json`), and every
//! `corpus/ok/<name>.json` must generate a crate whose Rust files parse; `cargo xtask gen`
//! writes that crate to `corpus/ok/crates/<name>/`, a workspace member that CI compiles, lints
//! and doc-tests.
//!
//! The `.expected` files are `expect-test` snapshots: a case whose text changed fails with the
//! diff. After an intended change of messages, rewrite them and review the diff:
//!
//! ```text
//! UPDATE_EXPECT=1 cargo test -p atlas-admin-codegen --test corpus
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use atlas_admin_codegen::{GenerateError, Provenance, generate_from_str};
use expect_test::expect_file;

/// The issue asks for at least this many broken specs.
const MINIMUM_CASES: usize = 30;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The files in `dir` ending in `.{extension}`, sorted by name.
fn files(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == extension))
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

fn provenance(name: &str) -> Provenance {
    Provenance {
        spec: name.to_owned(),
        command: "cargo xtask gen".to_owned(),
        runtime_path: "../codegen/runtime".to_owned(),
    }
}

/// What generating `text` prints: the spec errors, or a note that it did not fail as a spec.
fn outcome(name: &str, text: &str) -> String {
    match generate_from_str(text, &provenance(name)) {
        Ok(_) => "(no error: the spec generated)\n".to_owned(),
        Err(GenerateError::InvalidSpec(errors)) => format!("{errors}\n"),
        Err(other) => format!("(not a spec error) {other}\n"),
    }
}

#[test]
fn every_broken_spec_fails_with_its_expected_message() {
    let dir = corpus_dir();
    let cases = files(&dir, "json");
    assert!(
        cases.len() >= MINIMUM_CASES,
        "only {} cases in {}",
        cases.len(),
        dir.display()
    );
    for case in &cases {
        let bytes = fs::read(case).expect("readable case");
        let actual = outcome(&file_name(case), &String::from_utf8_lossy(&bytes));
        expect_file![case.with_extension("expected")].assert_eq(&actual);
    }
}

#[test]
fn every_expected_file_has_its_spec_and_every_error_is_located() {
    let dir = corpus_dir();
    for expected in files(&dir, "expected") {
        assert!(
            expected.with_extension("json").is_file(),
            "{} has no spec beside it",
            expected.display()
        );
        let text = fs::read_to_string(&expected).expect("readable");
        assert!(
            !text.starts_with('('),
            "{}: the case does not fail as a spec error:\n{text}",
            expected.display()
        );
        let name = file_name(&expected.with_extension("json"));
        for line in text.lines() {
            let rest = line.strip_prefix(&format!("{name}:")).unwrap_or_else(|| {
                panic!("{}: {line:?} does not name the file", expected.display())
            });
            if rest.starts_with(" ...and ") {
                continue;
            }
            let mut parts = rest.splitn(3, ':');
            let line_number = parts.next().unwrap_or_default();
            let column = parts.next().unwrap_or_default();
            assert!(
                line_number.parse::<usize>().is_ok_and(|n| n > 0)
                    && column.parse::<usize>().is_ok_and(|n| n > 0),
                "{}: {line:?} has no line:column",
                expected.display()
            );
        }
    }
}

#[test]
fn keyword_and_odd_names_generate_valid_rust() {
    let dir = corpus_dir().join("ok");
    let cases = files(&dir, "json");
    assert!(!cases.is_empty());
    for case in cases {
        let name = file_name(&case);
        let text = fs::read_to_string(&case).expect("readable");
        let generated = generate_from_str(&text, &provenance(&name))
            .unwrap_or_else(|error| panic!("{name} must generate:\n{error}"));
        // `cargo xtask gen` writes each one's crate here, and the workspace compiles it.
        let stem = name.trim_end_matches(".json");
        assert!(
            dir.join("crates").join(stem).join("Cargo.toml").is_file(),
            "{name} has no generated crate in corpus/ok/crates/{stem}; run `cargo xtask gen`"
        );
        for file in generated.iter().filter(|file| file.path.ends_with(".rs")) {
            if let Err(error) = syn::parse_file(&file.contents) {
                panic!("{name}: generated {} does not parse: {error}", file.path);
            }
        }
    }
}
