//! `cargo xtask`: project automation. See `cargo xtask --help`.

mod bench;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
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
    /// Measure the generator (in-process and end-to-end generation time, peak memory,
    /// generated lines per operation, compile time of a generated crate) and print a table,
    /// also written to target/bench/report.md; then run the client's throughput bench
    /// (target/bench/throughput.md). Exit 0 when measured, 1 when a step fails.
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
