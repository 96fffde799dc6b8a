//! Child processes of `cargo xtask bench`: cargo builds, and the release `xtask gen` under
//! GNU `time` for its peak memory.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Instant, SystemTime};

use super::report::median;
use super::{BenchError, io_error, progress};

/// Where GNU time is expected.
const TIME_PATH: &str = "/usr/bin/time";
/// Elapsed seconds and maximum resident set size in KiB.
const TIME_FORMAT: &str = "%e %M";

/// The command line, as a shell would show it (environment overrides first).
pub fn describe(command: &Command) -> String {
    let mut parts: Vec<String> = command
        .get_envs()
        .filter_map(|(key, value)| {
            value.map(|value| format!("{}={}", key.to_string_lossy(), value.to_string_lossy()))
        })
        .collect();
    parts.push(command.get_program().to_string_lossy().into_owned());
    parts.extend(
        command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned()),
    );
    parts.join(" ")
}

/// Runs `command` with the terminal as its stdout and stderr (so progress shows).
pub fn run_inherited(command: &mut Command) -> Result<ExitStatus, BenchError> {
    command.status().map_err(|source| BenchError::Spawn {
        command: describe(command),
        source,
    })
}

/// Like [`run_inherited`], but a failure exit is an error.
fn run_inherited_ok(command: &mut Command) -> Result<(), BenchError> {
    let status = run_inherited(command)?;
    if status.success() {
        Ok(())
    } else {
        Err(BenchError::Failed {
            command: describe(command),
            status,
            output: "; see its output above".to_owned(),
        })
    }
}

/// Runs `command` with its output captured; returns its wall time in seconds, or an error
/// holding the output when it fails.
fn run_captured(command: &mut Command) -> Result<f64, BenchError> {
    command.stdin(Stdio::null());
    let start = Instant::now();
    let output = command.output().map_err(|source| BenchError::Spawn {
        command: describe(command),
        source,
    })?;
    let seconds = start.elapsed().as_secs_f64();
    if output.status.success() {
        Ok(seconds)
    } else {
        let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stdout));
        Err(BenchError::Failed {
            command: describe(command),
            status: output.status,
            output: format!(":\n{}", text.trim_end()),
        })
    }
}

/// GNU `time`, verified to understand `-f` and `-o`.
#[derive(Debug, Clone)]
pub struct TimeTool {
    program: PathBuf,
}

impl TimeTool {
    /// `/usr/bin/time` if it exists and reports `%e %M`; otherwise why not.
    pub fn detect(scratch: &Path) -> Result<TimeTool, String> {
        let program = PathBuf::from(TIME_PATH);
        if !program.is_file() {
            return Err(format!("{TIME_PATH} is missing"));
        }
        let tool = TimeTool { program };
        fs::create_dir_all(scratch).map_err(|error| format!("{}: {error}", scratch.display()))?;
        let probe = scratch.join("time-probe.txt");
        let exe = std::env::current_exe().map_err(|error| error.to_string())?;
        let mut command = tool.command(&probe, &exe);
        command
            .arg("--help")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match command.status() {
            Ok(status) if status.success() => {}
            Ok(status) => return Err(format!("`{}` failed ({status})", describe(&command))),
            Err(error) => return Err(format!("cannot run {TIME_PATH}: {error}")),
        }
        let text = fs::read_to_string(&probe).unwrap_or_default();
        let _ = fs::remove_file(&probe);
        match parse_time_output(&text) {
            Some(_) => Ok(tool),
            None => Err(format!(
                "{TIME_PATH} is not GNU time (`-f '{TIME_FORMAT}'` printed {text:?})"
            )),
        }
    }

    /// `time -f '%e %M' -o <report> <program>`.
    fn command(&self, report: &Path, program: &Path) -> Command {
        let mut command = Command::new(&self.program);
        command
            .arg("-f")
            .arg(TIME_FORMAT)
            .arg("-o")
            .arg(report)
            .arg(program);
        command
    }
}

/// The `%e %M` line GNU time wrote (the last non-empty line; a failed command adds a line
/// before it): elapsed seconds and peak RSS in KiB.
pub fn parse_time_output(text: &str) -> Option<(f64, u64)> {
    let line = text.lines().rev().find(|line| !line.trim().is_empty())?;
    let mut fields = line.split_whitespace();
    let seconds = fields.next()?.parse().ok()?;
    let kib = fields.next()?.parse().ok()?;
    if fields.next().is_some() {
        return None;
    }
    Some((seconds, kib))
}

/// One end-to-end `xtask gen` run.
#[derive(Debug, Clone, Copy)]
pub struct GenRun {
    /// Wall time, in seconds.
    pub seconds: f64,
    /// Peak resident set size in KiB, when GNU time is available.
    pub peak_kib: Option<u64>,
}

/// Runs `<xtask> gen --spec <spec> --out <out>`, under GNU time when given.
pub fn run_gen(
    xtask: &Path,
    spec: &Path,
    out: &Path,
    time: Option<&TimeTool>,
) -> Result<GenRun, BenchError> {
    let report = spec.with_file_name("gen-time.txt");
    let mut command = match time {
        Some(tool) => tool.command(&report, xtask),
        None => Command::new(xtask),
    };
    command
        .arg("gen")
        .arg("--spec")
        .arg(spec)
        .arg("--out")
        .arg(out);
    let seconds = run_captured(&mut command)?;
    let peak_kib = match time {
        Some(_) => {
            let text = fs::read_to_string(&report).map_err(io_error(&report))?;
            let (_, kib) = parse_time_output(&text).ok_or_else(|| BenchError::TimeOutput {
                path: report.clone(),
                content: text.clone(),
            })?;
            Some(kib)
        }
        None => None,
    };
    Ok(GenRun { seconds, peak_kib })
}

/// Median crate-only compile times, in seconds.
#[derive(Debug, Clone, Copy)]
pub struct CompileTimes {
    /// `cargo build` (dev profile).
    pub build: f64,
    /// `cargo check`.
    pub check: f64,
}

/// The cargo that runs `cargo xtask` (`$CARGO`), or `cargo` from `PATH`.
#[derive(Debug, Clone)]
pub struct Cargo {
    program: OsString,
}

impl Cargo {
    /// From the environment `cargo run` sets.
    pub fn from_env() -> Self {
        Cargo {
            program: std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
        }
    }

    fn command(&self) -> Command {
        Command::new(&self.program)
    }

    /// `cargo bench -p atlas-admin-tests --bench throughput [-- --quick]`, its progress
    /// (stderr) shown as it runs; its table (stdout) is not, since its rows join this report.
    /// Returns the command line and how it exited.
    pub fn bench_client(
        &self,
        root: &Path,
        quick: bool,
    ) -> Result<(String, ExitStatus), BenchError> {
        let mut command = self.command();
        command
            .args(["bench", "-p", "atlas-admin-tests", "--bench", "throughput"])
            .current_dir(root)
            .stdout(Stdio::null());
        if quick {
            command.args(["--", "--quick"]);
        }
        let status = run_inherited(&mut command)?;
        Ok((describe(&command), status))
    }

    /// `cargo build --release -p xtask` into the workspace's `target/`.
    pub fn build_release_xtask(&self, root: &Path) -> Result<(), BenchError> {
        let mut command = self.command();
        command
            .args(["build", "--release", "-p", "xtask", "--target-dir"])
            .arg(root.join("target"))
            .current_dir(root);
        run_inherited_ok(&mut command)
    }

    /// Turns the generated crate at `crate_dir` into a standalone package, builds its
    /// dependencies once, then times `cargo build` and `cargo check` of the crate alone
    /// (`touch src/lib.rs` before each run), `runs` times each.
    pub fn compile_times(
        &self,
        root: &Path,
        crate_dir: &Path,
        target_dir: &Path,
        runs: usize,
    ) -> Result<CompileTimes, BenchError> {
        make_standalone(root, crate_dir)?;
        let lib_rs = crate_dir.join("src").join("lib.rs");
        let cargo = |subcommand: &str| {
            let mut command = self.command();
            command
                .arg(subcommand)
                .current_dir(crate_dir)
                .env("CARGO_TARGET_DIR", target_dir)
                .env("CARGO_INCREMENTAL", "0");
            command
        };
        let mut times = [0.0; 2];
        for (slot, subcommand) in times.iter_mut().zip(["build", "check"]) {
            progress(&format!(
                "cargo {subcommand} of {} once, with its dependencies (the first time this takes minutes)",
                crate_dir.display()
            ));
            run_inherited_ok(&mut cargo(subcommand))?;
            progress(&format!(
                "timing crate-only cargo {subcommand} ({runs} runs)"
            ));
            let mut seconds = Vec::with_capacity(runs);
            for _ in 0..runs {
                touch(&lib_rs)?;
                seconds.push(run_captured(&mut cargo(subcommand))?);
            }
            *slot = median(&mut seconds);
        }
        let [build, check] = times;
        Ok(CompileTimes { build, check })
    }
}

/// Marks the generated package as its own workspace (it lives below the atlas-admin
/// workspace, which does not list it) and gives it the workspace's lock file, so dependency
/// versions are the ones the workspace uses.
fn make_standalone(root: &Path, crate_dir: &Path) -> Result<(), BenchError> {
    let manifest = crate_dir.join("Cargo.toml");
    let text = fs::read_to_string(&manifest).map_err(io_error(&manifest))?;
    if !text.lines().any(|line| line.trim() == "[workspace]") {
        let standalone = format!(
            "{text}\n# Added by `cargo xtask bench`: a standalone package, not a member of the workspace above.\n[workspace]\n"
        );
        fs::write(&manifest, standalone).map_err(io_error(&manifest))?;
    }
    let lock = root.join("Cargo.lock");
    let copy = crate_dir.join("Cargo.lock");
    fs::copy(&lock, &copy).map_err(io_error(&lock))?;
    Ok(())
}

/// Sets the modification time of `path` to now.
fn touch(path: &Path) -> Result<(), BenchError> {
    fs::File::options()
        .write(true)
        .open(path)
        .and_then(|file| file.set_modified(SystemTime::now()))
        .map_err(io_error(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_output_is_parsed() {
        assert_eq!(parse_time_output("0.42 51234\n"), Some((0.42, 51234)));
        assert_eq!(
            parse_time_output("Command exited with non-zero status 1\n0.01 4000\n"),
            Some((0.01, 4000))
        );
        assert_eq!(parse_time_output(""), None);
        assert_eq!(parse_time_output("0.42\n"), None);
        assert_eq!(parse_time_output("real 0.42\n"), None);
    }

    #[test]
    fn commands_are_described_with_their_environment() {
        let mut command = Command::new("cargo");
        command.arg("build").env("CARGO_INCREMENTAL", "0");
        assert_eq!(describe(&command), "CARGO_INCREMENTAL=0 cargo build");
    }
}
