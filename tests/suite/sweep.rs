//! Sweeps: byte-identical results for any thread count, for sharded and
//! merged runs (explicit shards and Slurm array variables), and for a sweep
//! killed part-way and resumed; merge refuses inconsistent shard sets; bad
//! sweep files exit with code 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::common::cli::{entente_command as entente, kill_when, root};

fn sweep_file(name: &str) -> PathBuf {
    root().join("tests/sweeps").join(format!("{name}.toml"))
}

fn ok(mut c: Command) -> Output {
    let o = c.output().expect("entente runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn run_sweep(name: &str, out: &Path, extra: &[&str]) {
    let file = sweep_file(name);
    let mut args = vec![
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(entente(&args));
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

fn assert_same(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        assert!(
            read(a, f) == read(b, f),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn merge(out: &Path, shards: &[PathBuf]) -> Output {
    let mut args = vec!["merge".to_string()];
    args.extend(shards.iter().map(|s| s.display().to_string()));
    args.extend(["--out".into(), out.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    entente(&args).output().unwrap()
}

#[test]
fn grid_points_cover_the_axes_in_order() {
    let dir = tempfile::tempdir().unwrap();
    run_sweep("small-grid", dir.path(), &[]);
    let text = String::from_utf8(read(dir.path(), "points.csv")).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 9);
    // First axis varies slowest.
    assert_eq!(rows[0][1..3], ["0.2", "1"]);
    assert_eq!(rows[1][1..3], ["0.2", "2"]);
    assert_eq!(rows[8][1..3], ["1", "3"]);
    // A higher treaty cost c_T makes an alliance rarer: compare c_T = 1 and 3
    // summed over the pressure axis (900 runs each; the gap is many SEs).
    let alliance = |c: &str| -> f64 {
        rows.iter()
            .filter(|r| r[2] == c)
            .map(|r| r[3].parse::<f64>().unwrap())
            .sum()
    };
    assert!(
        alliance("1") > alliance("3") + 0.1,
        "c_T=1: {} c_T=3: {}",
        alliance("1"),
        alliance("3")
    );
}

#[test]
fn threads_do_not_change_sweep_results() {
    for name in ["small-grid", "small-sobol", "small-morris", "small-oat"] {
        let dir = tempfile::tempdir().unwrap();
        let (one, two) = (dir.path().join("t1"), dir.path().join("t2"));
        run_sweep(name, &one, &["--threads", "1"]);
        run_sweep(name, &two, &["--threads", "2"]);
        let mut files = vec!["points.csv"];
        if name != "small-grid" {
            files.push("sensitivity.csv");
        }
        assert_same(&one, &two, &files);
    }
}

#[test]
fn merged_shards_equal_the_whole_sweep() {
    for name in ["small-grid", "small-sobol", "small-oat"] {
        let dir = tempfile::tempdir().unwrap();
        let whole = dir.path().join("whole");
        run_sweep(name, &whole, &[]);
        let shards: Vec<PathBuf> = (0..3).map(|i| dir.path().join(format!("s{i}"))).collect();
        // Run the shards in reverse order: order must not matter.
        for (i, s) in shards.iter().enumerate().rev() {
            run_sweep(name, s, &["--shard", &format!("{i}/3")]);
        }
        let merged = dir.path().join("merged");
        let o = merge(&merged, &shards);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut files = vec!["points.csv"];
        if name != "small-grid" {
            files.push("sensitivity.csv");
        }
        assert_same(&whole, &merged, &files);
    }
}

#[test]
fn slurm_array_variables_pick_the_shard() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    run_sweep("small-grid", &whole, &[]);
    let file = sweep_file("small-grid");
    let shards: Vec<PathBuf> = (0..8)
        .map(|i| dir.path().join(format!("task{i}")))
        .collect();
    for (i, s) in shards.iter().enumerate() {
        let mut c = entente(&[
            "sweep",
            file.to_str().unwrap(),
            "--out",
            s.to_str().unwrap(),
        ]);
        c.env("SLURM_ARRAY_TASK_ID", i.to_string())
            .env("SLURM_ARRAY_TASK_COUNT", "8");
        ok(c);
    }
    let merged = dir.path().join("merged");
    assert!(merge(&merged, &shards).status.success());
    assert_same(&whole, &merged, &["points.csv"]);
}

#[test]
fn merge_refuses_missing_duplicate_and_foreign_shards() {
    let dir = tempfile::tempdir().unwrap();
    let shards: Vec<PathBuf> = (0..3).map(|i| dir.path().join(format!("s{i}"))).collect();
    for (i, s) in shards.iter().enumerate() {
        run_sweep("small-grid", s, &["--shard", &format!("{i}/3")]);
    }
    let other = dir.path().join("other");
    run_sweep("small-sobol", &other, &["--shard", "0/3"]);
    let cases: Vec<(Vec<PathBuf>, &str)> = vec![
        (vec![shards[0].clone(), shards[2].clone()], "missing"),
        (
            vec![
                shards[0].clone(),
                shards[1].clone(),
                shards[1].clone(),
                shards[2].clone(),
            ],
            "twice",
        ),
        (
            vec![shards[1].clone(), shards[2].clone(), other.clone()],
            "different sweep",
        ),
        (vec![dir.path().join("nope")], "shard"),
    ];
    for (set, fragment) in cases {
        let o = merge(&dir.path().join("m"), &set);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{fragment}: {err}");
        assert!(err.contains(fragment), "expected `{fragment}` in: {err}");
    }
    assert!(!dir.path().join("m").exists());
}

/// Starts sweep `file` into `out` and kills it once `points.partial.csv`
/// holds more than `rows` lines while the sweep is still running; false if
/// the sweep finished first (see `kill_when`).
fn kill_after(file: &Path, out: &Path, rows: usize) -> bool {
    let partial = out.join("points.partial.csv");
    let args = [
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "2",
    ];
    let rows_written = || std::fs::read_to_string(&partial).map_or(0, |t| t.lines().count()) > rows;
    kill_when(&args, rows_written, Duration::from_secs(300))
}

#[test]
fn a_killed_sweep_resumes_to_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    // slow-grid with more runs per point at each try, until a sweep is
    // still running when its third point is written: on a machine fast
    // enough to finish the first tries, the test still interrupts one.
    let text = std::fs::read_to_string(sweep_file("slow-grid")).unwrap();
    let scenario = root().join("scenarios/baseline-2020.toml");
    assert!(text.contains("runs = 4000") && text.contains("../../scenarios/baseline-2020.toml"));
    let resumed = dir.path().join("resumed");
    let mut interrupted = None;
    for runs in [4_000, 16_000, 64_000] {
        let file = dir.path().join(format!("slow-grid-{runs}.toml"));
        let text = text
            .replace("runs = 4000", &format!("runs = {runs}"))
            .replace(
                "../../scenarios/baseline-2020.toml",
                &scenario.display().to_string(),
            );
        std::fs::write(&file, text).unwrap();
        let _ = std::fs::remove_dir_all(&resumed);
        if kill_after(&file, &resumed, 3) {
            interrupted = Some(file);
            break;
        }
    }
    let file = interrupted.expect("the sweep finished before it could be interrupted, thrice");
    let whole = dir.path().join("whole");
    ok(entente(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        whole.to_str().unwrap(),
    ]));
    assert!(
        !resumed.join("points.csv").exists(),
        "an interrupted sweep must not look finished"
    );
    // A torn last line, as a kill in the middle of a write would leave.
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(resumed.join("points.partial.csv"))
        .unwrap();
    f.write_all(b"17,2.5,0.01").unwrap();
    drop(f);

    // Without --resume the folder is protected.
    let o = entente(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        resumed.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--resume"));

    ok(entente(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        resumed.to_str().unwrap(),
        "--resume",
    ]));
    assert_same(&whole, &resumed, &["points.csv"]);
    assert!(!resumed.join("points.partial.csv").exists());
}

#[test]
fn bad_sweep_files_exit_with_code_2() {
    let dir = root().join("tests/bad_sweeps");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let out = tempfile::tempdir().unwrap();
        let o = entente(&[
            "sweep",
            path.to_str().unwrap(),
            "--out",
            out.path().join("r").to_str().unwrap(),
        ])
        .output()
        .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: {err}", path.display());
        assert!(
            err.contains(".toml"),
            "{}: message names no file: {err}",
            path.display()
        );
        assert!(
            err.contains("key `"),
            "{}: message names no key: {err}",
            path.display()
        );
        assert!(!err.contains("panicked"));
        assert!(
            !out.path().join("r").exists(),
            "{}: output left behind",
            path.display()
        );
        count += 1;
    }
    assert!(count >= 8, "only {count} bad sweep files");
}

#[test]
fn shard_flag_is_checked() {
    let file = sweep_file("small-grid");
    for bad in ["3/3", "1/0", "a/b", "2"] {
        let o = entente(&[
            "sweep",
            file.to_str().unwrap(),
            "--shard",
            bad,
            "--out",
            "/tmp/never",
        ])
        .output()
        .unwrap();
        assert_eq!(o.status.code(), Some(2), "--shard {bad}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--shard"));
    }
}
