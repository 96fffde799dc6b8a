//! `cargo xtask`: project automation. See `cargo xtask --help`.

mod bench;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::upstream::{default_upstream, run_audit, run_import, run_trim};
use xtask::{
    GenOptions, Target, default_out, default_schema, default_spec, default_targets, run_gen,
};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Project automation for atlas-admin codegen"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the client crate from the spec (exit 0 ok, 1 invalid spec or stale output, 2 usage or I/O error).
    Gen {
        /// Write nothing; print a unified diff of every file that differs and fail if any does.
        #[arg(long)]
        check: bool,
        /// Generate from this spec only [default: spec/atlas-admin.json, plus the keyword fixture].
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
        /// Generate into this directory [default: generated/ for spec/atlas-admin.json].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Compare every spec operation that has an `operationId` with the official OpenAPI
    /// description, field by field; print one line per undeclared difference or stale
    /// declaration, then a coverage line (exit 0 when they agree up to declared deviations,
    /// 1 on differences or broken input, 2 on I/O errors).
    Audit {
        /// The spec [default: spec/atlas-admin.json].
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
        /// The official description [default: spec/upstream/atlas-openapi-private-endpoints.json].
        #[arg(long, value_name = "PATH")]
        upstream: Option<PathBuf>,
    },
    /// Draft the spec entries of an upstream operation (the operation, its parameters, types,
    /// unions and enums) and add them to the spec without changing what exists; a name that
    /// exists with other content is an error (exit 0 imported or already there, 1 collision
    /// or invalid input, 2 I/O error).
    Import {
        /// The official operation id.
        #[arg(long, value_name = "ID")]
        operation: String,
        /// The spec to add to [default: spec/atlas-admin.json].
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
        /// The official description [default: spec/upstream/atlas-openapi-private-endpoints.json].
        #[arg(long, value_name = "PATH")]
        upstream: Option<PathBuf>,
    },
    /// Refresh the vendored official description from a full one: keep the operations the
    /// spec names, those already vendored and `--operation`s, and the components they reach.
    UpstreamTrim {
        /// The full official description (OpenAPI JSON).
        #[arg(long, value_name = "PATH")]
        from: PathBuf,
        /// The trimmed file to write [default: spec/upstream/atlas-openapi-private-endpoints.json].
        #[arg(long, value_name = "PATH")]
        to: Option<PathBuf>,
        /// The spec whose `operationId`s are kept [default: spec/atlas-admin.json].
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
        /// Also keep this operation (repeatable): the next one to import.
        #[arg(long, value_name = "ID")]
        operation: Vec<String>,
        /// The new `x-source` line: where the full file came from [default: the current one's].
        #[arg(long, value_name = "TEXT")]
        source: Option<String>,
    },
    /// Measure the generator (in-process and end-to-end generation time, peak memory,
    /// generated lines per operation, compile time of a generated crate) and the client (its
    /// throughput bench against hand-written clients), and print one table with every target,
    /// also written to target/bench/report.md. Exit 0 when measured, 1 when a step fails.
    Bench {
        /// Fewer repetitions, and no compile-time measurement: a fast smoke run.
        #[arg(long)]
        quick: bool,
        /// Do not run `cargo build --release -p xtask` first (target/release/xtask must be
        /// up to date).
        #[arg(long)]
        skip_build: bool,
    },
}

/// The generator builds and drops millions of small token, syntax-tree and string allocations
/// per 1,000 operations: mimalloc handles them in about half the time of the system allocator
/// (BENCHMARKS.md, "Generation speed").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // Help and version are not errors; everything else is a usage error.
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Audit { spec, upstream } => {
            let spec = spec.unwrap_or_else(default_spec);
            let upstream = upstream.unwrap_or_else(default_upstream);
            match run_audit(&spec, &upstream) {
                Ok(report) => {
                    println!("{report}");
                    if report.is_clean() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    }
                }
                Err(error) => {
                    eprintln!("{error}");
                    ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2))
                }
            }
        }
        Command::Import {
            operation,
            spec,
            upstream,
        } => {
            let spec = spec.unwrap_or_else(default_spec);
            let upstream = upstream.unwrap_or_else(default_upstream);
            match run_import(&spec, &upstream, &operation) {
                Ok(outcome) => {
                    if let Some(existing) = &outcome.already {
                        println!(
                            "`{operation}` is already in the spec as `operations.{existing}`; nothing to import"
                        );
                    } else {
                        for entry in &outcome.added {
                            println!("added   {entry}");
                        }
                        for entry in &outcome.reused {
                            println!("reused  {entry}");
                        }
                        println!(
                            "{} entries added to {}; review the drafted descriptions, then run `cargo xtask gen` and `cargo xtask audit`",
                            outcome.added.len(),
                            spec.display()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("{error}");
                    ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2))
                }
            }
        }
        Command::UpstreamTrim {
            from,
            to,
            spec,
            operation,
            source,
        } => {
            let to = to.unwrap_or_else(default_upstream);
            let spec = spec.unwrap_or_else(default_spec);
            match run_trim(&from, &to, &spec, &operation, source.as_deref()) {
                Ok(kept) => {
                    println!(
                        "wrote {} with {} operation{}: {}",
                        to.display(),
                        kept.len(),
                        if kept.len() == 1 { "" } else { "s" },
                        kept.join(", ")
                    );
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("{error}");
                    ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2))
                }
            }
        }
        Command::Bench { quick, skip_build } => {
            match bench::run(bench::BenchOptions { quick, skip_build }) {
                Ok(bench::Outcome::Report { text, missed }) => {
                    print!("{text}");
                    if missed > 0 {
                        eprintln!("bench: {missed} target(s) missed (see the table)");
                    }
                    eprintln!("bench: report written to target/bench/report.md");
                    ExitCode::SUCCESS
                }
                Ok(bench::Outcome::Delegated(code)) => {
                    ExitCode::from(u8::try_from(code).unwrap_or(1))
                }
                Err(error) => {
                    eprintln!("error: cargo xtask bench: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Gen { check, spec, out } => {
            // Plain `gen` also writes the spec format's JSON Schema; `--spec`/`--out` only
            // generate the one crate asked for.
            let (targets, schema) = if spec.is_none() && out.is_none() {
                (default_targets(), Some(default_schema()))
            } else {
                (
                    vec![Target {
                        spec: spec.unwrap_or_else(default_spec),
                        out: out.unwrap_or_else(default_out),
                    }],
                    None,
                )
            };
            let options = GenOptions {
                targets,
                check,
                schema,
            };
            match run_gen(&options) {
                Ok(report) => {
                    if check {
                        println!("generated code is up to date ({} files)", report.unchanged);
                    } else {
                        for path in &report.written {
                            println!("wrote   {path}");
                        }
                        for path in &report.removed {
                            println!("removed {path}");
                        }
                        println!(
                            "{} written, {} removed, {} unchanged",
                            report.written.len(),
                            report.removed.len(),
                            report.unchanged
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("{error}");
                    ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2))
                }
            }
        }
    }
}
