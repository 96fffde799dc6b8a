//! How long the generator takes on `spec/atlas-admin.json`, and how it scales with the size of
//! the spec.
//!
//! - `load_api/atlas-admin`: parse and validate the spec (`atlas_admin_codegen::load_api`);
//! - `generate_from_str/atlas-admin`: everything in memory (load, validate, every emitter,
//!   `syn` + `prettyplease`), as `cargo xtask gen` does before writing files;
//! - `generate_from_str/scaled/N` and `load_api/scaled/N`: the same on a spec holding N
//!   renamed copies of every enum, type, operation and waiter (N = 10, 50), to show how the
//!   cost grows with the spec.
//!
//! Throughput is reported in bytes of spec text. Run with
//!
//! ```sh
//! cargo bench -p atlas-admin-codegen --bench generate
//! ```
//!
//! (add a filter such as `-- scaled` to run part of it). Warm-up and measurement times are set
//! in code so the whole file runs in well under a minute per group.

use std::hint::black_box;
use std::time::Duration;

use atlas_admin_codegen::{Provenance, generate_from_str, load_api};
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use serde_json::{Map, Value};

const SPEC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../spec/atlas-admin.json"
));
const SPEC_FILE: &str = "spec/atlas-admin.json";
const COPIES: [usize; 2] = [10, 50];

fn provenance() -> Provenance {
    Provenance {
        spec: SPEC_FILE.into(),
        command: "cargo xtask gen".into(),
        runtime_path: "../codegen/runtime".to_owned(),
    }
}

/// `name` with `suffix` when it is one of the renamed enum or type names.
fn renamed(name: &str, names: &[String], suffix: &str) -> String {
    if names.iter().any(|n| n == name) {
        format!("{name}{suffix}")
    } else {
        name.to_owned()
    }
}

/// Renames the `type` and `items` references of a field, body or response.
fn rename_refs(object: &mut Value, names: &[String], suffix: &str) {
    for key in ["type", "items"] {
        if let Some(Value::String(name)) = object.get_mut(key) {
            *name = renamed(name, names, suffix);
        }
    }
}

/// The sections that are copied, in this order.
const SECTIONS: [&str; 4] = ["enums", "types", "operations", "waiters"];

/// One map per entry of [`SECTIONS`].
type Sections = [Map<String, Value>; 4];

/// One copy of every enum, type, operation and waiter of `base`, each renamed with `suffix`
/// (references updated, paths prefixed with `prefix` so they stay distinct).
fn renamed_copy(base: &Value, suffix: &str, prefix: &str) -> Sections {
    let [enums, types, operations, waiters] = SECTIONS.map(|name| {
        base.get(name)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(|| panic!("the spec has a `{name}` object"))
    });
    let names: Vec<String> = enums.keys().chain(types.keys()).cloned().collect();

    let enums = enums
        .into_iter()
        .map(|(name, def)| (format!("{name}{suffix}"), def))
        .collect();
    let types = types
        .into_iter()
        .map(|(name, mut def)| {
            if let Some(Value::Object(fields)) = def.get_mut("fields") {
                for field in fields.values_mut() {
                    rename_refs(field, &names, suffix);
                }
            }
            (format!("{name}{suffix}"), def)
        })
        .collect();
    let operations = operations
        .into_iter()
        .map(|(id, mut op)| {
            for key in ["requestBody", "response"] {
                if let Some(part) = op.get_mut(key) {
                    rename_refs(part, &names, suffix);
                }
            }
            if let Some(Value::String(path)) = op.get_mut("path") {
                *path = format!("{prefix}{path}");
            }
            (format!("{id}{suffix}"), op)
        })
        .collect();
    let waiters = waiters
        .into_iter()
        .map(|(id, mut waiter)| {
            if let Some(Value::String(operation)) = waiter.get_mut("operation") {
                operation.push_str(suffix);
            }
            (format!("{id}{suffix}"), waiter)
        })
        .collect();
    [enums, types, operations, waiters]
}

/// The spec with `copies` renamed copies (`V0`, `V1`, …) of its enums, types, operations
/// and waiters in place of the originals.
fn scaled_spec(copies: usize) -> String {
    let base: Value = serde_json::from_str(SPEC).expect("the spec is JSON");
    let mut sections = Sections::default();
    for i in 0..copies {
        let copy = renamed_copy(&base, &format!("V{i}"), &format!("/v{i}"));
        for (section, entries) in sections.iter_mut().zip(copy) {
            section.extend(entries);
        }
    }
    let mut spec = base;
    let object = spec.as_object_mut().expect("the spec is an object");
    for (name, entries) in SECTIONS.into_iter().zip(sections) {
        object.insert(name.into(), Value::Object(entries));
    }
    serde_json::to_string_pretty(&spec).expect("serializable")
}

fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

fn bench_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load_api");
    group.throughput(Throughput::Bytes(SPEC.len() as u64));
    group.bench_function("atlas-admin", |b| {
        b.iter(|| load_api(SPEC_FILE, black_box(SPEC)).expect("valid spec"));
    });
    for copies in COPIES {
        let spec = scaled_spec(copies);
        group.throughput(Throughput::Bytes(spec.len() as u64));
        group.bench_with_input(BenchmarkId::new("scaled", copies), &spec, |b, spec| {
            b.iter(|| load_api(SPEC_FILE, black_box(spec)).expect("valid scaled spec"));
        });
    }
    group.finish();
}

fn bench_generate(c: &mut Criterion) {
    let provenance = provenance();
    let mut group = c.benchmark_group("generate_from_str");
    group.throughput(Throughput::Bytes(SPEC.len() as u64));
    group.bench_function("atlas-admin", |b| {
        b.iter(|| generate_from_str(black_box(SPEC), &provenance).expect("valid spec"));
    });
    // A scaled run takes up to about half a second: ten single-iteration samples.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(6));
    for copies in COPIES {
        let spec = scaled_spec(copies);
        let files = generate_from_str(&spec, &provenance).expect("valid scaled spec");
        let generated: usize = files.iter().map(|f| f.contents.len()).sum();
        println!(
            "scaled/{copies}: {} bytes of spec -> {} files, {generated} bytes of Rust",
            spec.len(),
            files.len()
        );
        group.throughput(Throughput::Bytes(spec.len() as u64));
        group.bench_with_input(BenchmarkId::new("scaled", copies), &spec, |b, spec| {
            b.iter(|| generate_from_str(black_box(spec), &provenance).expect("valid scaled spec"));
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = bench_load, bench_generate
}
criterion_main!(benches);
