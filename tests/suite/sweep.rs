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
        // The CSV files are the points files some of the sweeps name.
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
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

/// Writes a sweep file (on the bundled baseline) and, when given, its points
/// file into `dir`; returns the sweep file's path.
fn write_sweep(dir: &Path, name: &str, body: &str, points: Option<&str>) -> PathBuf {
    let scenario = root().join("scenarios/baseline-2020.toml");
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(
        &file,
        format!(
            "name = \"{name}\"\nscenario = \"{}\"\n{body}",
            scenario.display()
        ),
    )
    .unwrap();
    if let Some(points) = points {
        std::fs::write(dir.join(format!("{name}.csv")), points).unwrap();
    }
    file
}

fn sweep_into(file: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
    ];
    args.extend_from_slice(extra);
    ok(entente(&args))
}

/// A points file listing the points of small-grid in its order runs the
/// same points with the same streams (keyed by the point index), so its
/// points.csv equals the grid's byte for byte; its manifest says
/// `"kind": "points"`.
#[test]
fn points_design_runs_the_points_of_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let grid = dir.path().join("grid");
    run_sweep("small-grid", &grid, &[]);
    let mut csv = String::from("dyad.USA.CHN.P,params.c_T\n");
    for p in ["0.2", "0.6", "1"] {
        for c in ["1", "2", "3"] {
            csv += &format!("{p},{c}\n");
        }
    }
    let file = write_sweep(
        dir.path(),
        "from-file",
        "runs = 300\nseed = 5\n[design]\nkind = \"points\"\nfile = \"from-file.csv\"\n",
        Some(&csv),
    );
    let out = dir.path().join("points");
    sweep_into(&file, &out, &[]);
    assert_same(&grid, &out, &["points.csv"]);
    let manifest = String::from_utf8(read(&out, "manifest.json")).unwrap();
    assert!(manifest.contains("\"kind\": \"points\""), "{manifest}");
    assert!(manifest.contains("\"points\": 9"), "{manifest}");

    // The points file is part of the sweep's identity: a changed file is
    // another sweep, so --resume refuses the finished folder's state.
    let sha = |dir: &Path| {
        let m: serde_json::Value = serde_json::from_slice(&read(dir, "manifest.json")).unwrap();
        m["sweep"]["sha256"].as_str().unwrap().to_string()
    };
    let before = sha(&out);
    std::fs::write(dir.path().join("from-file.csv"), csv.replace("0.6", "0.5")).unwrap();
    sweep_into(&file, &out, &["--force"]);
    assert_ne!(sha(&out), before);
}

/// Bad points files: each error names the CSV file with its line and
/// column, what was found and what was expected, and exits with code 2.
#[test]
fn bad_points_files_are_located() {
    let dir = root().join("tests/bad_sweeps");
    let cases = [
        (
            "points_unknown_path",
            &["points_unknown_path.csv:1:12", "dyad.USA.RUS.Q", "unknown"][..],
        ),
        (
            "points_not_a_number",
            &[
                "points_not_a_number.csv:3:5",
                "found `lots`",
                "expected a number",
            ],
        ),
        (
            "points_out_of_range",
            &[
                "points_out_of_range.csv:3:5",
                "found 7.5",
                "expected a number from 0 to 1",
            ],
        ),
        (
            "points_empty",
            &["points_empty.csv:1:1", "is empty", "expected a header"],
        ),
        ("points_no_rows", &["points_no_rows.csv:2:1", "no points"]),
        (
            "points_wrong_count",
            &["points_wrong_count.csv:3:1", "expected 2"],
        ),
        (
            "points_missing_file",
            &["no-such-points.csv", "no such file"],
        ),
        (
            "points_with_factors",
            &[
                "points_with_factors.toml:7",
                "design.factors",
                "expected none",
            ],
        ),
    ];
    for (name, expected) in cases {
        let out = tempfile::tempdir().unwrap();
        let file = dir.join(format!("{name}.toml"));
        let o = entente(&[
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out.path().join("r").to_str().unwrap(),
        ])
        .output()
        .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        for e in expected {
            assert!(err.contains(e), "{name}: expected `{e}` in: {err}");
        }
        assert!(!out.path().join("r").exists(), "{name}: output left behind");
    }
}

/// `--dry-run` prints the counts and an estimate, and writes nothing: not
/// the result folder, not its parent.
#[test]
fn dry_run_prints_counts_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("parent/never");
    let file = sweep_file("small-grid");
    let o = ok(entente(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--dry-run",
    ]));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("points: 9, runs per point: 300, runs in all: 2,700"),
        "{text}"
    );
    assert!(text.contains("estimated time:"), "{text}");
    assert!(!dir.path().join("parent").exists());
    // A shard's share: points 3..6 of 9.
    let o = ok(entente(&[
        "sweep",
        file.to_str().unwrap(),
        "--shard",
        "1/3",
        "--out",
        out.to_str().unwrap(),
        "--dry-run",
    ]));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("shard 1/3: points 3..6 (3 points, 900 runs)"),
        "{text}"
    );
    assert!(!dir.path().join("parent").exists());
}

/// `entente validate` knows a sweep file by its keys and prints its design.
#[test]
fn validate_describes_a_sweep_file() {
    let file = sweep_file("small-sobol");
    let o = ok(entente(&["validate", file.to_str().unwrap()]));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("valid sweep"), "{text}");
    // N = 8 base points, k = 3 factors: 8 x 5 = 40 points of 100 runs.
    assert!(text.contains("N(k+2) = 40 points"), "{text}");
    assert!(text.contains("runs in all: 4,000"), "{text}");
    let file = sweep_file("small-morris");
    let o = ok(entente(&["validate", file.to_str().unwrap()]));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("r(k+1) = 12 points"), "{text}");
    // A bad sweep file fails validation like a bad scenario.
    let bad = root().join("tests/bad_sweeps/unknown_outcome.toml");
    let o = entente(&["validate", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// With common random numbers, two grid points with equal parameters give
/// identical rows; without, their runs draw from different streams and the
/// rows differ.
#[test]
fn common_random_numbers_make_equal_points_equal() {
    let dir = tempfile::tempdir().unwrap();
    let body = |crn: bool| {
        format!(
            "runs = 400\nseed = 11\ncommon_random_numbers = {crn}\n[grid]\naxes = [{{ path = \"params.c_T\", values = [2.0, 2.0, 3.0] }}]\n"
        )
    };
    let rows = |crn: bool| -> Vec<String> {
        let name = format!("crn-{crn}");
        let file = write_sweep(dir.path(), &name, &body(crn), None);
        let out = dir.path().join(&name);
        sweep_into(&file, &out, &[]);
        String::from_utf8(read(&out, "points.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split_once(',').unwrap().1.to_string())
            .collect()
    };
    let crn = rows(true);
    assert_eq!(crn[0], crn[1], "equal points on common random numbers");
    assert_ne!(crn[1], crn[2], "c_T = 2 and 3 differ");
    let own = rows(false);
    // 400 runs on independent streams: the mean final alignments (four
    // decimals, three dyads) coincide with negligible probability.
    assert_ne!(own[0], own[1], "independent streams");
    // Point 0 runs on the streams of point 0 either way.
    assert_eq!(crn[0], own[0]);
    let manifest = String::from_utf8(read(&dir.path().join("crn-true"), "manifest.json")).unwrap();
    assert!(
        manifest.contains("\"common_random_numbers\": true"),
        "{manifest}"
    );
}

/// `sweep --report` and `merge --report` write the report of the folder;
/// a single shard has none and says so.
#[test]
fn report_flag_writes_the_sweep_report() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    run_sweep("small-oat", &whole, &["--no-charts", "--report"]);
    let report = String::from_utf8(read(&whole, "report.md")).unwrap();
    assert!(report.contains("small-oat"), "{report}");
    assert!(whole.join("report.html").is_file());

    let file = sweep_file("small-oat");
    let o = entente(&[
        "sweep",
        file.to_str().unwrap(),
        "--shard",
        "0/2",
        "--report",
        "--out",
        dir.path().join("s0").to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--report"));
    assert!(!dir.path().join("s0").exists());
}
