//! `cargo xtask bench`: the one entry point of the benchmarks. It measures the generator,
//! runs the client bench, and prints one table (also written to `target/bench/report.md`),
//! whose statistics and formatting all come from [`report`].
//!
//! 1. `cargo build --release -p xtask`, then everything else runs in that release binary
//!    (`cargo xtask` is a debug build; a debug build re-runs itself as `target/release/xtask
//!    bench --skip-build`), so in-process and end-to-end numbers come from the same build.
//! 2. In-process [`atlas_admin_codegen::load_api`] (parse and validate) and
//!    [`atlas_admin_codegen::generate_from_str`] (everything but file I/O) on
//!    `spec/atlas-admin.json`, and `generate_from_str` on [`synth::synthetic_spec`] specs of
//!    10, 100 and 1,000 operations: median after warm-up.
//! 3. End to end: each synthetic spec is written to `target/bench/synthetic-N/spec.json` and
//!    `target/release/xtask gen --spec … --out target/bench/synthetic-N/crate` is spawned
//!    several times (output deleted before each run): median wall time and peak RSS, read with
//!    `/usr/bin/time -f '%e %M'` (the memory rows are skipped, with a message, without it).
//! 4. Lines of generated Rust per operation of the 100-operation crate.
//! 5. Crate-only compile time of the 100-operation crate (`cargo build`, dev profile,
//!    `CARGO_INCREMENTAL=0`, after `touch src/lib.rs`; dependencies built once beforehand in
//!    `target/bench/compile-target`), and the same for `cargo check`; then both for the real
//!    crate, generated from `spec/atlas-admin.json` into `target/bench/real-crate`. `--quick`
//!    skips these and repeats everything fewer times.
//! 6. The client: `cargo bench -p atlas-admin-tests --bench throughput [-- --quick]` (the
//!    generated client against hand-written Digest and bearer clients, in alternating rounds;
//!    nonce reuse; 401 challenges under concurrency). It lives in the tests crate, beside the
//!    test server it needs (xtask cannot depend on the generated crate it regenerates); it
//!    builds its rows with the same [`report`] module (included by `#[path]`) and writes them
//!    to `target/bench/throughput.json`, which is appended to this report.
//!
//! The generator's rows are written to `target/bench/report.md` before step 6, so they are
//! kept if the client bench fails to build.

pub mod process;
pub mod report;
pub mod synth;

use std::fs;
use std::hint::black_box;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

use atlas_admin_codegen::{GenerateError, Provenance, generate_from_str, load_api};

use self::process::{Cargo, TimeTool};
use self::report::{Goal, Measured, Report, Row, Summary, Unit, median};

/// The synthetic spec sizes, in operations.
pub const SIZES: [usize; 3] = [10, 100, 1000];

/// How `bench` was invoked.
#[derive(Debug, Clone, Copy, Default)]
pub struct BenchOptions {
    /// Fewer repetitions, no compile measurement.
    pub quick: bool,
    /// Do not run `cargo build --release -p xtask` first.
    pub skip_build: bool,
}

/// What went wrong; every variant says which step failed.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The generator rejected a spec.
    #[error("the generator rejected {what}:\n{source}")]
    Generate {
        /// Which spec.
        what: String,
        /// Its diagnostics.
        source: GenerateError,
    },
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A command could not be started.
    #[error("cannot run `{command}`: {source}")]
    Spawn {
        /// The command line.
        command: String,
        /// Why it did not start.
        source: io::Error,
    },
    /// A command ran and failed.
    #[error("`{command}` failed ({status}){output}")]
    Failed {
        /// The command line.
        command: String,
        /// How it exited.
        status: std::process::ExitStatus,
        /// Its output (prefixed with a newline), or a pointer to the output printed above.
        output: String,
    },
    /// The client bench wrote something this build cannot read.
    #[error("{}: cannot read the client bench's rows: {source}", path.display())]
    ClientRows {
        /// `target/bench/throughput.json`.
        path: PathBuf,
        /// Why not.
        source: serde_json::Error,
    },
    /// `/usr/bin/time` wrote something unexpected.
    #[error("{}: cannot read the peak memory from {content:?}", path.display())]
    TimeOutput {
        /// The file `/usr/bin/time -o` wrote.
        path: PathBuf,
        /// What it holds.
        content: String,
    },
}

/// The result of [`run`].
#[derive(Debug)]
pub enum Outcome {
    /// The measurements ran here; the report (table and notes) was printed and written.
    Report {
        /// The full report, as printed.
        text: String,
        /// How many rows with a target miss it.
        missed: usize,
    },
    /// This was not the release binary: the release binary ran the benchmark and exited with
    /// this code.
    Delegated(i32),
}

/// How many times each measurement repeats.
#[derive(Debug, Clone, Copy)]
struct Plan {
    real_warmup: usize,
    real_runs: usize,
    /// In-process runs per synthetic size, in [`SIZES`] order (after one warm-up run).
    synthetic_runs: [usize; 3],
    /// End-to-end runs per size (after one warm-up run).
    e2e_runs: usize,
    /// Compile runs (build and check each), or `None` to skip the compile measurement.
    compile_runs: Option<usize>,
}

impl Plan {
    fn new(quick: bool) -> Self {
        if quick {
            Plan {
                real_warmup: 3,
                real_runs: 10,
                synthetic_runs: [5, 3, 1],
                e2e_runs: 2,
                compile_runs: None,
            }
        } else {
            Plan {
                real_warmup: 10,
                real_runs: 50,
                synthetic_runs: [20, 10, 3],
                e2e_runs: 5,
                compile_runs: Some(3),
            }
        }
    }
}

/// Where everything lives.
#[derive(Debug, Clone)]
struct Paths {
    root: PathBuf,
    bench: PathBuf,
    release_xtask: PathBuf,
}

impl Paths {
    fn new() -> Self {
        let root = xtask::workspace_root();
        let target = root.join("target");
        Paths {
            bench: target.join("bench"),
            release_xtask: target
                .join("release")
                .join(format!("xtask{}", std::env::consts::EXE_SUFFIX)),
            root,
        }
    }

    fn synthetic_dir(&self, operations: usize) -> PathBuf {
        self.bench.join(format!("synthetic-{operations}"))
    }

    /// `path` relative to the workspace root, for display.
    fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// Runs the benchmark (see the module docs).
pub fn run(options: BenchOptions) -> Result<Outcome, BenchError> {
    let paths = Paths::new();
    let cargo = Cargo::from_env();
    if !options.skip_build {
        progress("building the release xtask (cargo build --release -p xtask)");
        cargo.build_release_xtask(&paths.root)?;
    }
    if !is_current_exe(&paths.release_xtask) {
        progress(&format!(
            "running the measurements in the release build ({})",
            paths.show(&paths.release_xtask)
        ));
        let mut command = std::process::Command::new(&paths.release_xtask);
        command
            .arg("bench")
            .arg("--skip-build")
            .current_dir(&paths.root);
        if options.quick {
            command.arg("--quick");
        }
        let status = process::run_inherited(&mut command)?;
        return Ok(Outcome::Delegated(status.code().unwrap_or(1)));
    }
    let mut report = measure(options, &paths, &cargo)?;
    let report_path = paths.bench.join("report.md");
    write_report(&report, &report_path)?;

    // Step 6: the client's bench lives in the tests crate, beside the test server it needs.
    let rows_path = paths.bench.join("throughput.json");
    if rows_path.exists() {
        fs::remove_file(&rows_path).map_err(io_error(&rows_path))?;
    }
    progress("client: cargo bench -p atlas-admin-tests --bench throughput");
    let (command, status) = cargo.bench_client(&paths.root, options.quick)?;
    // The bench exits with 1 after writing its rows when a request of the generated client
    // failed; without its rows, it did not run.
    let text = match fs::read_to_string(&rows_path) {
        Ok(text) => text,
        Err(_) if !status.success() => {
            return Err(BenchError::Failed {
                command,
                status,
                output: format!(
                    "; see its output above (the generator's rows are in {})",
                    paths.show(&report_path)
                ),
            });
        }
        Err(source) => {
            return Err(BenchError::Io {
                path: rows_path,
                source,
            });
        }
    };
    let client: Report = serde_json::from_str(&text).map_err(|source| BenchError::ClientRows {
        path: rows_path.clone(),
        source,
    })?;
    report.append(client);
    let text = write_report(&report, &report_path)?;
    if !status.success() {
        // Requests of the generated client failed: the table shows which; the run fails.
        print!("{text}");
        return Err(BenchError::Failed {
            command,
            status,
            output: format!(
                ": requests of the generated client failed (see the table above, also in {})",
                paths.show(&report_path)
            ),
        });
    }
    Ok(Outcome::Report {
        missed: report.missed().len(),
        text,
    })
}

/// Writes `report` as markdown to `path`; returns the text.
fn write_report(report: &Report, path: &Path) -> Result<String, BenchError> {
    let text = report.to_markdown();
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io_error(dir))?;
    }
    fs::write(path, &text).map_err(io_error(path))?;
    Ok(text)
}

fn is_current_exe(path: &Path) -> bool {
    match (std::env::current_exe(), fs::canonicalize(path)) {
        (Ok(current), Ok(release)) => fs::canonicalize(&current).unwrap_or(current) == release,
        _ => false,
    }
}

fn progress(message: &str) {
    eprintln!("bench: {message}");
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> BenchError + '_ {
    move |source| BenchError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Rows for the crate generated from `spec/atlas-admin.json`.
const REAL_BUILD: &str =
    "crate-only `cargo build` (dev, CARGO_INCREMENTAL=0) of the real crate (spec/atlas-admin.json)";
const REAL_CHECK: &str =
    "crate-only `cargo check` (CARGO_INCREMENTAL=0) of the real crate (spec/atlas-admin.json)";

/// Steps 2 to 5: the generator's rows.
fn measure(options: BenchOptions, paths: &Paths, cargo: &Cargo) -> Result<Report, BenchError> {
    let plan = Plan::new(options.quick);
    let mut rows = Vec::new();
    let mut notes = vec![format!(
        "Mode: {}; {} CPUs; in-process and end-to-end numbers from the release build `{}`.",
        if options.quick { "--quick" } else { "full" },
        std::thread::available_parallelism().map_or(0, usize::from),
        paths.show(&paths.release_xtask),
    )];

    // 1. The real spec, in process.
    let spec_path = paths.root.join("spec").join("atlas-admin.json");
    let text = fs::read_to_string(&spec_path).map_err(io_error(&spec_path))?;
    progress(&format!(
        "in-process generate_from_str on spec/atlas-admin.json ({} runs)",
        plan.real_runs
    ));
    let provenance = Provenance {
        spec: "spec/atlas-admin.json".into(),
        command: xtask::GEN_COMMAND.into(),
        runtime_path: "../codegen/runtime".to_owned(),
    };
    let what = "spec/atlas-admin.json";
    let loaded = time_in_process(plan.real_warmup, plan.real_runs, what, || {
        load_api(what, black_box(&text))
    })?;
    let real = time_in_process(plan.real_warmup, plan.real_runs, what, || {
        generate_from_str(black_box(&text), &provenance)
    })?;
    rows.push(Row::info(
        format!(
            "in-process `load_api` (parse, validate), spec/atlas-admin.json (median of {})",
            plan.real_runs
        ),
        Unit::Millis,
        Measured::of(loaded),
    ));
    rows.push(Row::with_goal(
        format!(
            "in-process `generate_from_str`, spec/atlas-admin.json (median of {})",
            plan.real_runs
        ),
        Unit::Millis,
        Measured::of(real),
        Goal::Below(20.0),
    ));

    // 2. Synthetic specs, in process and end to end.
    let time_tool = TimeTool::detect(&paths.bench);
    if let Err(reason) = &time_tool {
        let message = format!(
            "peak memory is not measured: {reason} (install GNU time, e.g. `apt-get install -y time`)"
        );
        progress(&message);
        notes.push(message);
    }
    notes.push(
        "End to end: wall time of `target/release/xtask gen --spec target/bench/synthetic-N/spec.json --out target/bench/synthetic-N/crate` (output deleted before each run, one uncounted warm-up run), peak memory = max RSS of that process (`/usr/bin/time -f '%e %M'`).".to_owned(),
    );
    let mut in_process = Vec::new();
    let mut e2e = Vec::new();
    for (&operations, &runs) in SIZES.iter().zip(&plan.synthetic_runs) {
        let dir = paths.synthetic_dir(operations);
        fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        let spec = dir.join("spec.json");
        let out = dir.join("crate");
        let text = synth::synthetic_spec(operations);
        fs::write(&spec, &text).map_err(io_error(&spec))?;

        progress(&format!(
            "in-process generate_from_str, {} operations ({})",
            thousands(operations),
            runs_text(runs)
        ));
        let provenance = Provenance {
            spec: paths.show(&spec),
            command: format!(
                "{} --spec {} --out {}",
                xtask::GEN_COMMAND,
                paths.show(&spec),
                paths.show(&out)
            ),
            runtime_path: xtask::runtime_path_from(&out),
        };
        let what = format!("the synthetic spec of {operations} operations");
        in_process.push(time_in_process(1, runs, &what, || {
            generate_from_str(black_box(&text), &provenance)
        })?);

        progress(&format!(
            "end to end `xtask gen`, {} operations ({} + 1 warm-up)",
            thousands(operations),
            runs_text(plan.e2e_runs)
        ));
        let mut seconds = Vec::new();
        let mut peak_kib: Option<u64> = None;
        for run in 0..=plan.e2e_runs {
            if out.exists() {
                fs::remove_dir_all(&out).map_err(io_error(&out))?;
            }
            let result =
                process::run_gen(&paths.release_xtask, &spec, &out, time_tool.as_ref().ok())?;
            // Run 0 warms the page cache and is not counted.
            if run > 0 {
                seconds.push(result.seconds);
                peak_kib = peak_kib.max(result.peak_kib);
            }
        }
        let seconds = Summary::of(seconds);
        notes.push(format!(
            "End to end, {} ops: {} over {} runs.",
            thousands(operations),
            seconds.format(Unit::Seconds),
            seconds.runs
        ));
        e2e.push((seconds.median, peak_kib));
    }
    let e2e_time = |index: usize| e2e.get(index).map_or(f64::NAN, |(seconds, _)| *seconds);
    for ((operations, in_process), runs) in SIZES.iter().zip(&in_process).zip(&plan.synthetic_runs)
    {
        rows.push(Row::info(
            format!(
                "in-process `generate_from_str`, {} ops (median of {runs})",
                thousands(*operations)
            ),
            Unit::Millis,
            Measured::of(*in_process),
        ));
    }
    if let (Some(t100), Some(t1000)) = (in_process.get(1), in_process.get(2)) {
        rows.push(Row::info(
            "in-process scaling: time(1,000 ops) / time(100 ops)",
            Unit::Ratio,
            Measured::of(t1000 / t100),
        ));
    }
    for (index, operations) in SIZES.iter().enumerate() {
        let name = format!(
            "end to end `xtask gen`, {} ops (median of {})",
            thousands(*operations),
            plan.e2e_runs
        );
        let measured = Measured::of(e2e_time(index));
        rows.push(if *operations == 1000 {
            Row::with_goal(name, Unit::Seconds, measured, Goal::Below(0.7))
        } else {
            Row::info(name, Unit::Seconds, measured)
        });
    }
    rows.push(Row::with_goal(
        "end-to-end scaling: time(1,000 ops) / time(100 ops)",
        Unit::Ratio,
        Measured::of(e2e_time(2) / e2e_time(1)),
        Goal::AtMost(11.0),
    ));
    for (operations, (_, peak_kib)) in SIZES.iter().zip(&e2e) {
        let name = format!(
            "peak memory (max RSS) of `xtask gen`, {} ops",
            thousands(*operations)
        );
        let measured = match (peak_kib, &time_tool) {
            (Some(kib), _) => Measured::of(*kib as f64 / 1024.0),
            (None, Err(_)) => Measured::Skipped("no GNU /usr/bin/time".into()),
            (None, Ok(_)) => Measured::Skipped("not reported".into()),
        };
        rows.push(if *operations == 1000 {
            Row::with_goal(name, Unit::MiB, measured, Goal::Below(100.0))
        } else {
            Row::info(name, Unit::MiB, measured)
        });
    }

    // 3. Generated code size.
    let lines_100 = rust_lines(&paths.synthetic_dir(100).join("crate").join("src"))?;
    let lines_1000 = rust_lines(&paths.synthetic_dir(1000).join("crate").join("src"))?;
    rows.push(Row::with_goal(
        format!(
            "generated Rust lines per op, 100-op crate, with mocks ({} lines in src/ ÷ 100)",
            thousands(lines_100)
        ),
        Unit::Lines,
        Measured::of(lines_100 as f64 / 100.0),
        Goal::AtMost(150.0),
    ));
    let src_100 = paths.synthetic_dir(100).join("crate").join("src");
    let mock_lines = rust_lines(&src_100.join("mock"))? + rust_lines_of(&src_100.join("mock.rs"))?;
    rows.push(Row::info(
        format!(
            "generated Rust lines per op, 100-op crate, without mocks ({} lines ÷ 100)",
            thousands(lines_100 - mock_lines)
        ),
        Unit::Lines,
        Measured::of((lines_100 - mock_lines) as f64 / 100.0),
    ));
    rows.push(Row::info(
        "generated Rust lines per added op (1,000-op crate − 100-op crate) / 900",
        Unit::Lines,
        Measured::of((lines_1000 as f64 - lines_100 as f64) / 900.0),
    ));

    // 4. Crate-only compile time of the 100-operation crate.
    let build_name = "crate-only `cargo build` (dev, CARGO_INCREMENTAL=0) of the 100-op crate";
    let check_name = "crate-only `cargo check` (CARGO_INCREMENTAL=0) of the 100-op crate";
    match plan.compile_runs {
        Some(runs) => {
            let crate_dir = paths.synthetic_dir(100).join("crate");
            let target_dir = paths.bench.join("compile-target");
            let times = cargo.compile_times(&paths.root, &crate_dir, &target_dir, runs)?;
            rows.push(Row::with_goal(
                format!("{build_name}, after `touch src/lib.rs` (median of {runs})"),
                Unit::Seconds,
                Measured::of(times.build),
                Goal::AtMost(4.5),
            ));
            rows.push(Row::info(
                format!("{check_name}, after `touch src/lib.rs` (median of {runs})"),
                Unit::Seconds,
                Measured::of(times.check),
            ));
            notes.push(format!(
                "Compile: in `{}` (its Cargo.toml gets an empty `[workspace]`, Cargo.lock copied from the workspace), CARGO_TARGET_DIR=`{}`, dependencies built once before timing.",
                paths.show(&crate_dir),
                paths.show(&target_dir)
            ));

            // The same for the real crate, generated afresh outside the workspace.
            let real_dir = paths.bench.join("real-crate");
            process::run_gen(&paths.release_xtask, &spec_path, &real_dir, None)?;
            let times = cargo.compile_times(&paths.root, &real_dir, &target_dir, runs)?;
            rows.push(Row::info(
                format!("{REAL_BUILD}, after `touch src/lib.rs` (median of {runs})"),
                Unit::Seconds,
                Measured::of(times.build),
            ));
            rows.push(Row::info(
                format!("{REAL_CHECK}, after `touch src/lib.rs` (median of {runs})"),
                Unit::Seconds,
                Measured::of(times.check),
            ));
        }
        None => {
            rows.push(Row::with_goal(
                build_name,
                Unit::Seconds,
                Measured::Skipped("--quick".into()),
                Goal::AtMost(4.5),
            ));
            rows.push(Row::info(
                check_name,
                Unit::Seconds,
                Measured::Skipped("--quick".into()),
            ));
            for name in [REAL_BUILD, REAL_CHECK] {
                rows.push(Row::info(
                    name,
                    Unit::Seconds,
                    Measured::Skipped("--quick".into()),
                ));
            }
        }
    }

    let mut report = Report::new("cargo xtask bench");
    report.rows = rows;
    report.notes = notes;
    Ok(report)
}

/// Median wall time of `generate` in milliseconds, after `warmup` uncounted runs; `what`
/// names the spec when the generator rejects it.
fn time_in_process<T>(
    warmup: usize,
    runs: usize,
    what: &str,
    mut generate: impl FnMut() -> Result<T, GenerateError>,
) -> Result<f64, BenchError> {
    let mut millis = Vec::with_capacity(runs);
    for run in 0..warmup + runs.max(1) {
        let start = Instant::now();
        let output = generate().map_err(|source| BenchError::Generate {
            what: what.to_owned(),
            source,
        })?;
        let elapsed = start.elapsed();
        black_box(output);
        if run >= warmup {
            millis.push(elapsed.as_secs_f64() * 1000.0);
        }
    }
    Ok(median(&mut millis))
}

/// `1 run`, `3 runs`.
fn runs_text(runs: usize) -> String {
    format!("{runs} run{}", if runs == 1 { "" } else { "s" })
}

/// `1000` → `1,000`.
fn thousands(value: usize) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Lines of one file (0 when it does not exist).
fn rust_lines_of(file: &Path) -> Result<usize, BenchError> {
    if !file.exists() {
        return Ok(0);
    }
    Ok(fs::read_to_string(file)
        .map_err(io_error(file))?
        .lines()
        .count())
}

/// Lines of the Rust files below `dir` (0 when it does not exist).
fn rust_lines(dir: &Path) -> Result<usize, BenchError> {
    if !dir.exists() {
        return Ok(0);
    }
    let mut total = 0;
    let mut pending = vec![dir.to_owned()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).map_err(io_error(&current))? {
            let path = entry.map_err(io_error(&current))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                total += fs::read_to_string(&path)
                    .map_err(io_error(&path))?
                    .lines()
                    .count();
            }
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provenance() -> Provenance {
        Provenance {
            spec: "synthetic.json".into(),
            command: "cargo xtask bench".into(),
            runtime_path: "../codegen/runtime".to_owned(),
        }
    }

    #[test]
    fn synthetic_specs_of_one_and_ten_operations_generate() {
        for operations in [1, 10] {
            let files = generate_from_str(&synth::synthetic_spec(operations), &provenance())
                .unwrap_or_else(|error| panic!("{operations} operations: {error}"));
            let operations_rs = files
                .iter()
                .find(|file| file.path == "src/operations.rs")
                .expect("src/operations.rs is generated");
            assert!(operations_rs.contents.contains("create_thing0"));
            let cargo = files
                .iter()
                .find(|file| file.path == "Cargo.toml")
                .expect("Cargo.toml is generated");
            assert!(cargo.contents.contains("name = \"synthetic-admin\""));
        }
    }

    #[test]
    fn in_process_timing_reports_the_generator_diagnostics() {
        let broken = synth::synthetic_spec(1).replace("\"Region\",", "\"Regoin\",");
        let error = time_in_process(0, 1, "the broken spec", || {
            generate_from_str(&broken, &provenance())
        })
        .expect_err("the broken spec is rejected");
        let message = error.to_string();
        assert!(
            message.starts_with("the generator rejected the broken spec:\n"),
            "{message}"
        );
        assert!(message.contains("Regoin"), "{message}");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(10), "10");
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
