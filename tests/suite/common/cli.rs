//! Running the `entente` binary from tests.

use std::path::Path;
use std::process::Command;

/// The repository root, where the bundled scenarios live.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `entente args...` in the repository root, outside any Slurm array job,
/// and fails the test with entente's error message unless it succeeds.
pub fn entente_ok(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_entente"))
        .current_dir(root())
        .args(args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .output()
        .expect("entente runs");
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
    Command::new(env!("CARGO_BIN_EXE_entente"))
        .current_dir(cwd)
        .args(args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .output()
        .expect("entente runs")
}
