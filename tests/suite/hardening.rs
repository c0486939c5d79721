//! Hostile or careless input: a shared scenario or sweep file, a wrong
//! `--out`, a damaged result folder, a concurrent command or a full disk
//! must never delete, overwrite or crash anything. Each test names the class
//! of problem it covers:
//!
//! 1. names used as paths and the `--force` rule;
//! 2. sizes that would exhaust memory or time;
//! 3. corrupt shards given to `merge`;
//! 4. concurrency, interruption and planted links;
//! 5. text and streams (reports, terminals, full devices, `--shard`, `plot`);
//! 6. messages that name the path and state the real limit.
//!
//! Malformed names and the messages of single values are also fixtures in
//! `tests/bad/` (see `bad_input.rs`) and `tests/bad_sweeps/`.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scenario(name: &str) -> PathBuf {
    root().join("scenarios").join(format!("{name}.toml"))
}

fn sweep_file(name: &str) -> PathBuf {
    root().join("tests/sweeps").join(format!("{name}.toml"))
}

fn command<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_entente"));
    c.current_dir(cwd)
        .args(args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env_remove("SLURM_ARRAY_TASK_MIN")
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1");
    c
}

/// Runs entente in `cwd` and returns its output.
fn entente<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> Output {
    command(cwd, args).output().expect("entente runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts exit code `code`, no panic, and returns stderr.
fn expect_code(o: &Output, code: i32, what: &str) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "{what}: stderr:\n{err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    err
}

fn ok(o: &Output, what: &str) {
    expect_code(o, 0, what);
}

/// A copy of a bundled scenario with its `name` replaced, written to `dir`.
fn renamed(dir: &Path, base: &str, name: &str, file: &str) -> PathBuf {
    let text = fs::read_to_string(scenario(base)).unwrap();
    let old = format!("name = \"{base}\"");
    assert!(text.contains(&old));
    let path = dir.join(file);
    fs::write(&path, text.replacen(&old, &format!("name = \"{name}\""), 1)).unwrap();
    path
}

/// Runs a small run of the baseline into `out`.
fn small_run(cwd: &Path, out: &Path, extra: &[&str]) -> Output {
    let file = scenario("baseline-2020");
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("run"),
        file.as_os_str(),
        OsStr::new("--runs"),
        OsStr::new("16"),
        OsStr::new("--no-charts"),
        OsStr::new("--out"),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    entente(cwd, &args)
}

/// Every path below `dir`, relative to it.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            found.push(path.strip_prefix(dir).unwrap().to_path_buf());
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The three shard folders of `small-grid` under `dir`.
fn grid_shards(dir: &Path) -> Vec<PathBuf> {
    let file = sweep_file("small-grid");
    (0..3)
        .map(|i| {
            let out = dir.join(format!("shard-{i}"));
            let o = entente(
                dir,
                &[
                    OsStr::new("sweep"),
                    file.as_os_str(),
                    OsStr::new("--shard"),
                    OsStr::new(&format!("{i}/3")),
                    OsStr::new("--out"),
                    out.as_os_str(),
                ],
            );
            ok(&o, "sweep shard");
            out
        })
        .collect()
}

fn merge(cwd: &Path, shards: &[PathBuf], out: &Path, force: bool) -> Output {
    let mut args: Vec<&OsStr> = vec![OsStr::new("merge")];
    args.extend(shards.iter().map(|s| s.as_os_str()));
    args.extend([
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--no-charts"),
    ]);
    if force {
        args.push(OsStr::new("--force"));
    }
    entente(cwd, &args)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

// ---------------------------------------------------------------- class 1 --

/// `--force` replaces only a folder holding an entente result: a folder of
/// other files, or one whose manifest.json entente did not write, is left
/// alone by run, compare, sweep and merge.
#[test]
fn force_never_replaces_a_folder_without_an_entente_result() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let shards = grid_shards(w);
    let a = renamed(w, "baseline-2020", "a", "a.toml");
    let b = renamed(w, "baseline-2020", "b", "b.toml");
    for (k, manifest) in [None, Some("{\"name\": \"not entente\"}")]
        .iter()
        .enumerate()
    {
        for name in ["run", "compare", "sweep", "merge"] {
            let victim = w.join(format!("victim-{name}-{k}"));
            fs::create_dir_all(&victim).unwrap();
            fs::write(victim.join("thesis.txt"), "years of work").unwrap();
            if let Some(m) = manifest {
                fs::write(victim.join("manifest.json"), m).unwrap();
            }
            let o = match name {
                "run" => small_run(w, &victim, &["--force"]),
                "compare" => entente(
                    w,
                    &[
                        OsStr::new("compare"),
                        a.as_os_str(),
                        b.as_os_str(),
                        OsStr::new("--runs"),
                        OsStr::new("16"),
                        OsStr::new("--no-charts"),
                        OsStr::new("--force"),
                        OsStr::new("--out"),
                        victim.as_os_str(),
                    ],
                ),
                "sweep" => entente(
                    w,
                    &[
                        OsStr::new("sweep"),
                        sweep_file("small-grid").as_os_str(),
                        OsStr::new("--force"),
                        OsStr::new("--no-charts"),
                        OsStr::new("--out"),
                        victim.as_os_str(),
                    ],
                ),
                _ => merge(w, &shards, &victim, true),
            };
            let err = expect_code(&o, 2, name);
            assert!(err.contains("no entente result"), "{name}: {err}");
            assert_eq!(
                fs::read_to_string(victim.join("thesis.txt")).unwrap(),
                "years of work",
                "{name} touched a foreign folder"
            );
        }
    }
}

/// With `--force`, an earlier entente result is replaced whole: no file of
/// it survives beside the new files (run and merge).
#[test]
fn force_replaces_an_entente_result_whole() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let out = w.join("result");
    ok(&small_run(w, &out, &[]), "first run");
    fs::write(out.join("stale.csv"), "old").unwrap();
    let o = small_run(w, &out, &[]);
    let err = expect_code(&o, 2, "second run without --force");
    assert!(err.contains("--force"), "{err}");
    ok(&small_run(w, &out, &["--force"]), "run --force");
    assert!(out.join("manifest.json").is_file());
    assert!(
        !out.join("stale.csv").exists(),
        "run --force kept an old file"
    );

    let shards = grid_shards(w);
    let merged = w.join("merged");
    ok(&merge(w, &shards, &merged, false), "merge");
    fs::write(merged.join("stale.csv"), "old").unwrap();
    expect_code(
        &merge(w, &shards, &merged, false),
        2,
        "merge without --force",
    );
    ok(&merge(w, &shards, &merged, true), "merge --force");
    assert!(merged.join("points.csv").is_file());
    assert!(
        !merged.join("stale.csv").exists(),
        "merge --force kept an old file"
    );
}

/// A compared scenario may not take the name of a file of the comparison.
#[test]
fn compare_refuses_names_of_its_own_files() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let a = renamed(w, "baseline-2020", "a", "a.toml");
    for name in ["manifest.json", "charts", "comparison.csv", "report.html"] {
        let b = renamed(w, "baseline-2020", name, "b.toml");
        let out = w.join("cmp");
        let o = entente(
            w,
            &[
                OsStr::new("compare"),
                a.as_os_str(),
                b.as_os_str(),
                OsStr::new("--runs"),
                OsStr::new("16"),
                OsStr::new("--no-charts"),
                OsStr::new("--out"),
                out.as_os_str(),
            ],
        );
        let err = expect_code(&o, 2, name);
        assert!(
            err.contains("b.toml") && err.contains("key `name`"),
            "{err}"
        );
        assert!(!out.exists());
    }
}

/// `plot` takes the scenario subfolders of a compare folder from its
/// manifest; a name edited into a path elsewhere is refused.
#[test]
fn plot_refuses_scenario_names_outside_the_folder() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let a = renamed(w, "baseline-2020", "a", "a.toml");
    let b = renamed(w, "baseline-2020", "b", "b.toml");
    let out = w.join("deep/cmp");
    ok(
        &entente(
            w,
            &[
                OsStr::new("compare"),
                a.as_os_str(),
                b.as_os_str(),
                OsStr::new("--runs"),
                OsStr::new("16"),
                OsStr::new("--no-charts"),
                OsStr::new("--out"),
                out.as_os_str(),
            ],
        ),
        "compare",
    );
    // A copy of a's results outside the compare folder, which a plot
    // following `../../escape` would draw into.
    copy_dir(&out.join("a"), &w.join("escape"));
    let manifest = out.join("manifest.json");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(
        &manifest,
        text.replacen("\"name\": \"a\"", "\"name\": \"../../escape\"", 1),
    )
    .unwrap();
    let before = tree(w);
    let o = entente(w, &[OsStr::new("plot"), out.as_os_str()]);
    let err = expect_code(&o, 2, "plot");
    assert!(err.contains("manifest.json"), "{err}");
    assert_eq!(tree(w), before, "plot wrote files");
}

// ---------------------------------------------------------------- class 2 --

/// A scenario with `agents` agents (the first three USA, CHN and RUS, so the
/// default outcome rules apply) and the given horizon.
fn many_agents(agents: usize, horizon: u64) -> String {
    let mut text = format!("name = \"many\"\n[run]\nruns = 10\nseed = 1\nhorizon = {horizon}\n");
    for k in 0..agents {
        let id = match k {
            0 => "USA".to_string(),
            1 => "CHN".to_string(),
            2 => "RUS".to_string(),
            _ => format!("A{k}"),
        };
        text += &format!("[[agents]]\nid = \"{id}\"\ncapability = 0.1\n");
    }
    text
}

/// Memory grows with the cube of the agent count and with horizon times
/// dyads: both are refused by `validate` (the same checks as `run`) with
/// the limit in the message, at once and without allocating.
#[test]
fn sizes_that_would_exhaust_memory_are_refused_by_validate_and_run() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let cases = [
        (many_agents(500, 24), "at most 100"),
        (many_agents(20_000, 24), "at most 100"),
        (many_agents(10, 100_000), "MiB"),
        (many_agents(60, 240), "MiB"),
    ];
    for (k, (text, expected)) in cases.iter().enumerate() {
        let file = w.join(format!("big-{k}.toml"));
        fs::write(&file, text).unwrap();
        let out = w.join("out");
        let validate = [OsStr::new("validate"), file.as_os_str()];
        let run = [
            OsStr::new("run"),
            file.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ];
        for (cmd, args) in [("validate", &validate[..]), ("run", &run[..])] {
            let started = Instant::now();
            let o = entente(w, args);
            let err = expect_code(&o, 2, cmd);
            assert!(err.contains(expected), "{cmd} case {k}: {err}");
            assert!(started.elapsed() < Duration::from_secs(20));
        }
    }
    assert!(!w.join("out").exists());
}

/// Sweep sizes far beyond the budget are refused before the design is made
/// (fixtures `huge_*.toml` in tests/bad_sweeps), so at once.
#[test]
fn huge_sweep_designs_are_refused_at_once() {
    let work = TempDir::new().unwrap();
    for file in [
        "huge_steps",
        "huge_grid_product",
        "huge_bootstrap",
        "huge_sobol_points",
        "huge_morris_points",
        "huge_levels",
        "negative_max_points",
    ] {
        let path = root().join("tests/bad_sweeps").join(format!("{file}.toml"));
        let started = Instant::now();
        let o = entente(
            work.path(),
            &[
                OsStr::new("sweep"),
                path.as_os_str(),
                OsStr::new("--out"),
                work.path().join("r").as_os_str(),
            ],
        );
        expect_code(&o, 2, file);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{file} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn threads_beyond_the_limit_are_refused() {
    let work = TempDir::new().unwrap();
    let started = Instant::now();
    let o = small_run(
        work.path(),
        &work.path().join("r"),
        &["--threads", "100000"],
    );
    let err = expect_code(&o, 2, "--threads 100000");
    assert!(err.contains("--threads") && err.contains("1024"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// Input files are read with a size cap: an endless device and a huge file
/// are refused without reading them whole, and a huge unknown key is not
/// echoed in full.
#[test]
fn input_files_are_read_with_a_size_cap() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let o = entente(w, &["validate", "/dev/zero"]);
    let err = expect_code(&o, 2, "/dev/zero");
    assert!(err.contains("/dev/zero") && err.contains("KiB"), "{err}");

    let brackets = w.join("brackets.toml");
    fs::write(&brackets, "[".repeat(3 << 20)).unwrap();
    let o = entente(w, &[OsStr::new("validate"), brackets.as_os_str()]);
    expect_code(&o, 2, "brackets");

    let long_key = w.join("long-key.toml");
    let text = fs::read_to_string(scenario("baseline-2020")).unwrap();
    fs::write(&long_key, format!("{} = 1\n{text}", "k".repeat(500_000))).unwrap();
    let o = entente(w, &[OsStr::new("validate"), long_key.as_os_str()]);
    let err = expect_code(&o, 2, "long key");
    assert!(err.len() < 4000, "message of {} bytes", err.len());
    assert!(err.contains("characters"), "{err}");
}

// ---------------------------------------------------------------- class 3 --

/// Merge checks each shard's rows against its range and the design, and
/// every number, and names the shard and row of the fault.
#[test]
fn merge_refuses_corrupt_shards() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let pristine = grid_shards(w);
    let partial = "points.partial.csv";
    type Damage = fn(&[PathBuf]);
    let cases: [(&str, Damage, &[&str]); 6] = [
        (
            "another shard's rows",
            |s| {
                fs::copy(
                    s[1].join("points.partial.csv"),
                    s[0].join("points.partial.csv"),
                )
                .unwrap();
            },
            &["shard-0", "row 1"],
        ),
        (
            "rows out of order",
            |s| {
                let path = s[1].join("points.partial.csv");
                let text = fs::read_to_string(&path).unwrap();
                let mut lines: Vec<&str> = text.lines().collect();
                lines.swap(1, 2);
                fs::write(&path, lines.join("\n") + "\n").unwrap();
            },
            &["shard-1", "row 1"],
        ),
        (
            "NaN",
            |s| edit_field(&s[2].join("points.partial.csv"), 2, 3, "NaN"),
            // Row 2 is line 3 of the file, after the header.
            &["shard-2", "points.partial.csv:3:", "NaN"],
        ),
        (
            "garbage",
            |s| edit_field(&s[0].join("points.partial.csv"), 1, 4, "lots"),
            &["shard-0", "points.partial.csv:2:", "lots"],
        ),
        (
            "a value from another design",
            |s| edit_field(&s[0].join("points.partial.csv"), 1, 1, "0.25"),
            &["shard-0", "row 1", "dyad.USA.CHN.P"],
        ),
        (
            "a probability above 1",
            |s| edit_field(&s[1].join("points.partial.csv"), 1, 3, "1.5"),
            &["shard-1", "row 1", "probability"],
        ),
    ];
    for (what, damage, expected) in cases {
        let shards: Vec<PathBuf> = (0..3).map(|i| w.join(format!("case/shard-{i}"))).collect();
        for (from, to) in pristine.iter().zip(&shards) {
            let _ = fs::remove_dir_all(to);
            copy_dir(from, to);
            assert!(to.join(partial).is_file());
        }
        damage(&shards);
        let out = w.join("merged");
        let o = merge(w, &shards, &out, false);
        let err = expect_code(&o, 2, what);
        for e in expected {
            assert!(err.contains(e), "{what}: expected `{e}` in: {err}");
        }
        assert!(!out.exists(), "{what}: merge wrote a result");
    }

    // A fourth shard whose index is beyond the count, and a shard record
    // claiming another shard's range.
    let shards: Vec<PathBuf> = (0..3).map(|i| w.join(format!("case/shard-{i}"))).collect();
    for (from, to) in pristine.iter().zip(&shards) {
        let _ = fs::remove_dir_all(to);
        copy_dir(from, to);
    }
    let extra = w.join("case/shard-3");
    copy_dir(&shards[2], &extra);
    let state = extra.join("shard.json");
    let text = fs::read_to_string(&state).unwrap();
    fs::write(&state, text.replace("\"index\": 2", "\"index\": 3")).unwrap();
    let mut four = shards.clone();
    four.push(extra);
    let err = expect_code(&merge(w, &four, &w.join("m4"), false), 2, "index >= count");
    assert!(err.contains("shard-3"), "{err}");
    let state = shards[0].join("shard.json");
    let text = fs::read_to_string(&state).unwrap();
    fs::write(&state, text.replace("\"end_point\": 3", "\"end_point\": 4")).unwrap();
    let err = expect_code(&merge(w, &shards, &w.join("m5"), false), 2, "range");
    assert!(err.contains("shard-0"), "{err}");
}

/// Replaces field `field` (0-based) of line `line` (0 is the header).
fn edit_field(path: &Path, line: usize, field: usize, value: &str) {
    let text = fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut fields: Vec<&str> = lines[line].split(',').collect();
    fields[field] = value;
    lines[line] = fields.join(",");
    fs::write(path, lines.join("\n") + "\n").unwrap();
}

// ---------------------------------------------------------------- class 4 --

/// While one command writes a result folder, a second one on the same
/// folder is refused with a message saying why, and the first one's result
/// is untouched.
#[test]
fn a_second_writer_on_the_same_folder_is_refused() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let out = w.join("shared");
    let lock = entente::output::Lock::acquire(&out).expect("lock");
    for o in [
        small_run(w, &out, &[]),
        entente(
            w,
            &[
                OsStr::new("sweep"),
                sweep_file("small-grid").as_os_str(),
                OsStr::new("--out"),
                out.as_os_str(),
            ],
        ),
    ] {
        let err = expect_code(&o, 1, "second writer");
        assert!(err.contains("another entente command"), "{err}");
    }
    assert!(!out.exists());
    drop(lock);
    ok(&small_run(w, &out, &[]), "run after the lock is released");
    assert!(!w.join(".shared.lock").exists(), "lock file left behind");
}

/// `sweep --resume` never writes through a link planted as its partial
/// points file or its state file.
#[test]
fn state_files_are_never_followed_through_links() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let shards = grid_shards(w);
    let victim = w.join("victim.txt");
    for state in ["points.partial.csv", "shard.json"] {
        fs::write(&victim, "precious").unwrap();
        let target = shards[0].join(state);
        let _ = fs::remove_file(&target);
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        let o = entente(
            w,
            &[
                OsStr::new("sweep"),
                sweep_file("small-grid").as_os_str(),
                OsStr::new("--shard"),
                OsStr::new("0/3"),
                OsStr::new("--resume"),
                OsStr::new("--out"),
                shards[0].as_os_str(),
            ],
        );
        let err = expect_code(&o, 2, state);
        assert!(err.contains("link"), "{state}: {err}");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious", "{state}");
        fs::remove_file(&target).unwrap();
    }
}

/// A process id that no process has (above the kernel's largest).
fn dead_pid() -> u32 {
    let max: u32 = fs::read_to_string("/proc/sys/kernel/pid_max")
        .map(|t| t.trim().parse().unwrap())
        .unwrap_or(4_194_304);
    max + 17
}

/// Staging folders left by killed commands are removed by the next command
/// on the same result folder when their process is gone; those of live
/// processes are kept.
#[test]
fn stale_partial_folders_of_dead_processes_are_removed() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let dead = w.join(format!(".result.partial-{}", dead_pid()));
    let dead_old = w.join(format!(".result.partial-{}.old", dead_pid()));
    let live = w.join(".result.partial-1");
    for d in [&dead, &dead_old, &live] {
        fs::create_dir_all(d).unwrap();
        fs::write(d.join("runs.csv"), "x".repeat(1000)).unwrap();
    }
    ok(&small_run(w, &w.join("result"), &[]), "run");
    assert!(!dead.exists() && !dead_old.exists(), "stale folder kept");
    assert!(live.exists(), "a live process's folder was removed");

    // The same for a sweep folder.
    let dead = w.join(format!(".grid.partial-{}", dead_pid()));
    fs::create_dir_all(&dead).unwrap();
    let o = entente(
        w,
        &[
            OsStr::new("sweep"),
            sweep_file("small-grid").as_os_str(),
            OsStr::new("--no-charts"),
            OsStr::new("--out"),
            w.join("grid").as_os_str(),
        ],
    );
    ok(&o, "sweep");
    assert!(!dead.exists(), "stale sweep staging folder kept");
}

/// A sweep killed while drawing its charts holds every point: `--resume`
/// draws the charts instead of refusing.
#[test]
fn a_sweep_killed_while_drawing_charts_resumes() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let out = w.join("grid");
    let file = sweep_file("small-grid");
    let sweep = |extra: &[&str]| {
        let mut args = vec![
            OsStr::new("sweep"),
            file.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ];
        args.extend(extra.iter().map(OsStr::new));
        entente(w, &args)
    };
    ok(&sweep(&["--no-charts"]), "sweep");
    let points = fs::read(out.join("points.csv")).unwrap();
    assert!(!out.join("charts").exists());
    ok(&sweep(&["--resume"]), "sweep --resume");
    assert!(out.join("charts").is_dir(), "charts not drawn on resume");
    assert_eq!(fs::read(out.join("points.csv")).unwrap(), points);
}

/// `plot` on a shared folder never draws through a link planted as its
/// charts folder or as a chart's temporary file.
#[test]
fn plot_never_draws_through_planted_links() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let out = w.join("r");
    ok(&small_run(w, &out, &[]), "run");
    let elsewhere = w.join("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("charts")).unwrap();
    let o = entente(w, &[OsStr::new("plot"), out.as_os_str()]);
    let err = expect_code(&o, 2, "charts is a link");
    assert!(err.contains("link"), "{err}");
    assert!(tree(&elsewhere).is_empty(), "plot drew through the link");

    fs::remove_file(out.join("charts")).unwrap();
    fs::create_dir_all(out.join("charts")).unwrap();
    let victim = w.join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    for tmp in ["outcomes.tmp.png", "outcomes.svg.tmp"] {
        std::os::unix::fs::symlink(&victim, out.join("charts").join(tmp)).unwrap();
    }
    ok(&entente(w, &[OsStr::new("plot"), out.as_os_str()]), "plot");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert!(out.join("charts/outcomes.png").is_file());
}

// ---------------------------------------------------------------- class 5 --

/// A file name holding a newline and a code fence stays inside the code
/// block of report.md.
#[test]
fn report_markdown_keeps_a_hostile_file_name_in_its_code_block() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let text = fs::read_to_string(scenario("baseline-2020")).unwrap();
    let file = w.join("x\n```\nrm -rf ~\n```\n.toml");
    fs::write(&file, text).unwrap();
    let out = w.join("r");
    let o = entente(
        w,
        &[
            OsStr::new("run"),
            file.as_os_str(),
            OsStr::new("--runs"),
            OsStr::new("16"),
            OsStr::new("--no-charts"),
            OsStr::new("--report"),
            OsStr::new("--out"),
            out.as_os_str(),
        ],
    );
    ok(&o, "run --report");
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        !md.lines().any(|l| l.trim() == "rm -rf ~"),
        "the file name broke out of its code block:\n{md}"
    );
    let fences = md.lines().filter(|l| l.starts_with("```")).count();
    assert_eq!(fences % 2, 0, "unbalanced code fences:\n{md}");
}

/// Text from a scenario file is printed with its control characters
/// escaped, by `validate` and in error messages.
#[test]
fn control_characters_are_escaped_when_printed() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let text = fs::read_to_string(scenario("baseline-2020")).unwrap();
    let marker = "claim = \"";
    assert!(text.contains(marker));
    let hostile = text.replacen(marker, "claim = \"\\u001b[2J\\u001b]0;owned\\u0007", 1);
    let file = w.join("escapes.toml");
    fs::write(&file, &hostile).unwrap();
    let o = entente(w, &[OsStr::new("validate"), file.as_os_str()]);
    ok(&o, "validate");
    assert!(!o.stdout.contains(&0x1b) && !o.stdout.contains(&0x07));
    assert!(String::from_utf8_lossy(&o.stdout).contains("\\u{1b}[2J"));

    let bad = w.join("bad-key.toml");
    fs::write(&bad, format!("\"\\u001b[31mred\" = 1\n{text}")).unwrap();
    let o = entente(w, &[OsStr::new("validate"), bad.as_os_str()]);
    expect_code(&o, 2, "escape in a key");
    assert!(!o.stderr.contains(&0x1b), "{}", stderr(&o));
}

/// A full standard output is an error (exit 1, with a message on standard
/// error); a full standard error never makes entente panic; a closed pipe
/// is still exit 0.
#[test]
fn full_devices_are_reported_never_panic() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let file = scenario("baseline-2020");
    let full = || {
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let o = command(w, &[OsStr::new("validate"), file.as_os_str()])
        .stdout(full())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = expect_code(&o, 1, "stdout on /dev/full");
    assert!(err.contains("standard output"), "{err}");

    let o = command(
        w,
        &[OsStr::new("validate"), w.join("missing.toml").as_os_str()],
    )
    .stdout(Stdio::piped())
    .stderr(full())
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2), "stderr on /dev/full");

    let o = command(w, &[OsStr::new("validate"), file.as_os_str()])
        .stdout(full())
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "both on /dev/full");

    let o = command(w, &[OsStr::new("--help")])
        .stdout(full())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "--help on /dev/full");
}

/// `--shard I/N` counts I from 0, as its help says; I >= N and numbers that
/// overflow are refused with exit 2 before anything runs.
#[test]
fn shard_counts_from_zero_and_refuses_overflow() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let help = entente(w, &["sweep", "--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("counted from 0"), "{text}");
    let file = sweep_file("small-grid");
    for bad in [
        "3/3",
        "8/8",
        "0/0",
        "18446744073709551615/18446744073709551615",
        "9223372036854775807/18446744073709551615",
        "18446744073709551616/2",
        "-1/3",
    ] {
        let o = entente(
            w,
            &[
                OsStr::new("sweep"),
                file.as_os_str(),
                OsStr::new("--shard"),
                OsStr::new(bad),
                OsStr::new("--out"),
                w.join("r").as_os_str(),
            ],
        );
        let err = expect_code(&o, 2, bad);
        assert!(err.contains("--shard"), "{bad}: {err}");
        assert!(!w.join("r").exists());
    }
    // The last shard covers the last point, for any count.
    let shard = entente::sweep::Shard::parse("7/8").unwrap();
    assert_eq!(shard.range(usize::MAX).end, usize::MAX);
    assert_eq!(shard.range(9), 7..9);
}

/// A Slurm array numbered from 1 (`--array=1-8`) or in steps maps its tasks
/// onto shards 0 to N-1.
#[test]
fn slurm_arrays_numbered_from_one_pick_every_shard() {
    use entente::sweep::Shard;
    let env = |id: usize, min: usize, step: usize| {
        move |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" => Some(id.to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("8".to_string()),
            "SLURM_ARRAY_TASK_MIN" => Some(min.to_string()),
            "SLURM_ARRAY_TASK_STEP" => Some(step.to_string()),
            _ => None,
        }
    };
    let from_one: Vec<usize> = (1..=8)
        .map(|id| Shard::from_slurm(env(id, 1, 1)).unwrap().unwrap().index)
        .collect();
    assert_eq!(from_one, (0..8).collect::<Vec<_>>());
    let stepped: Vec<usize> = (0..8)
        .map(|k| {
            Shard::from_slurm(env(10 + 3 * k, 10, 3))
                .unwrap()
                .unwrap()
                .index
        })
        .collect();
    assert_eq!(stepped, (0..8).collect::<Vec<_>>());
    assert!(
        Shard::from_slurm(env(9, 1, 1)).is_err(),
        "task beyond the count"
    );
}

/// `plot` on a folder with a damaged CSV file or manifest is bad input.
#[test]
fn plot_on_a_damaged_folder_is_bad_input() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let out = w.join("r");
    ok(&small_run(w, &out, &[]), "run");
    let plot = || entente(w, &[OsStr::new("plot"), out.as_os_str()]);
    ok(&plot(), "plot of an intact folder");
    let outcomes = fs::read(out.join("outcomes.csv")).unwrap();
    fs::write(out.join("outcomes.csv"), "outcome,count\nx,not a number\n").unwrap();
    let err = expect_code(&plot(), 2, "damaged outcomes.csv");
    assert!(err.contains("outcomes.csv"), "{err}");
    fs::write(out.join("outcomes.csv"), outcomes).unwrap();
    fs::write(out.join("manifest.json"), "{ \"entente_version\": ").unwrap();
    let err = expect_code(&plot(), 2, "damaged manifest.json");
    assert!(err.contains("manifest.json"), "{err}");
}

// ---------------------------------------------------------------- class 6 --

/// Operating-system errors name the path they are about.
#[test]
fn os_errors_name_their_path() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let file = w.join("plain-file");
    fs::write(&file, "x").unwrap();
    let out = file.join("sub");
    let o = small_run(w, &out, &[]);
    let err = stderr(&o);
    assert!(matches!(o.status.code(), Some(1 | 2)), "{err}");
    assert!(
        err.contains("plain-file"),
        "the message names no path: {err}"
    );
}

/// `merge` finds the sweep file relative to the shard folders when the
/// absolute path recorded in them is gone (the tree was moved).
#[test]
fn merge_finds_the_sweep_file_beside_moved_shards() {
    let work = TempDir::new().unwrap();
    let w = work.path();
    let before = w.join("before");
    fs::create_dir_all(before.join("scenarios")).unwrap();
    fs::create_dir_all(before.join("sweeps")).unwrap();
    fs::copy(
        scenario("baseline-2020"),
        before.join("scenarios/baseline-2020.toml"),
    )
    .unwrap();
    let text = fs::read_to_string(sweep_file("small-grid")).unwrap();
    let text = text.replace("../../scenarios/", "../scenarios/");
    let file = before.join("sweeps/grid.toml");
    fs::write(&file, text).unwrap();
    for i in 0..2 {
        let o = entente(
            w,
            &[
                OsStr::new("sweep"),
                file.as_os_str(),
                OsStr::new("--shard"),
                OsStr::new(&format!("{i}/2")),
                OsStr::new("--out"),
                before.join(format!("out/shard-{i}")).as_os_str(),
            ],
        );
        ok(&o, "shard");
    }
    let after = w.join("after");
    fs::rename(&before, &after).unwrap();
    let shards: Vec<PathBuf> = (0..2)
        .map(|i| after.join(format!("out/shard-{i}")))
        .collect();
    ok(
        &merge(w, &shards, &after.join("merged"), false),
        "merge after the move",
    );
    assert!(after.join("merged/points.csv").is_file());
}
