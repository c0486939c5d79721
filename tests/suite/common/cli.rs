//! Running the `entente` binary from tests.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The repository root, where the bundled scenarios live.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `entente args...` to be run in `cwd`, outside any Slurm array job.
pub fn entente_command_in(args: &[&str], cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_entente"));
    c.current_dir(cwd)
        .args(args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT");
    c
}

/// `entente args...` to be run in the repository root, outside any Slurm
/// array job.
pub fn entente_command(args: &[&str]) -> Command {
    entente_command_in(args, root())
}

/// Runs `entente args...` in the repository root, outside any Slurm array job,
/// and fails the test with entente's error message unless it succeeds.
pub fn entente_ok(args: &[&str]) {
    let out = entente_command(args).output().expect("entente runs");
    assert!(
        out.status.success(),
        "entente {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Fails unless each of `files` is non-empty and has the same bytes in both
/// folders.
pub fn same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(!x.is_empty(), "{f} is empty");
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// Runs `entente args...` in `cwd` and returns its output, whatever it is.
pub fn entente_in(args: &[&str], cwd: &Path) -> std::process::Output {
    entente_command_in(args, cwd)
        .output()
        .expect("entente runs")
}

/// Starts `entente args...` and kills it with SIGKILL as soon as `ready()`
/// holds while it is still running. Returns true if it was killed part-way;
/// false if it finished first (before `ready()` held, or between the last
/// look and the kill: a process that exits 0 was not killed). Fails the test
/// if it exits with an error or `ready()` does not hold within `limit`.
pub fn kill_when(args: &[&str], ready: impl Fn() -> bool, limit: Duration) -> bool {
    let mut child = entente_command(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("entente starts");
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "entente {}: {status:?}", args.join(" "));
            return false;
        }
        if ready() {
            // Killing a process that has just exited is not an error: its
            // exit status tells which happened.
            let _ = child.kill();
            return !child.wait().unwrap().success();
        }
        assert!(
            Instant::now() < deadline,
            "entente {}: not ready after {limit:?}",
            args.join(" ")
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}
