//! Behaviour of the command line: exit codes, refusal to overwrite, flags
//! checked, manifest contents and no partial folders left behind.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::cli::entente_in as entente;

fn scenario() -> String {
    format!(
        "{}/scenarios/baseline-2020.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The README's first command works twice in a row: the default folder
/// `output/<name>/` is the tool's own and a new run replaces the result
/// there, but never a folder that holds something else.
#[test]
fn the_default_folder_is_replaced_by_a_new_run_and_nothing_else_is() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario();
    let args = ["run", &s, "--runs", "64", "--no-charts"];
    for _ in 0..2 {
        let o = entente(&args, dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let result = dir.path().join("output/baseline-2020");
    assert!(result.join("outcomes.csv").is_file());
    std::fs::remove_dir_all(&result).unwrap();
    std::fs::create_dir_all(&result).unwrap();
    std::fs::write(result.join("notes.txt"), "mine").unwrap();
    let o = entente(&args, dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(result.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn run_writes_the_result_folder_and_refuses_to_overwrite_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario();
    let args = ["run", &s, "--runs", "300", "--no-charts", "--out", "res"];
    let first = entente(&args, dir.path());
    assert!(first.status.success(), "{}", stderr(&first));
    for f in [
        "manifest.json",
        "outcomes.csv",
        "configurations.csv",
        "timeseries.csv",
        "config_timeseries.csv",
    ] {
        assert!(dir.path().join("res").join(f).is_file(), "{f} missing");
    }
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("partnership_short_of_alliance"), "{stdout}");

    let again = entente(&args, dir.path());
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));

    let mut forced = args.to_vec();
    forced.push("--force");
    assert!(entente(&forced, dir.path()).status.success());
    // Only the result folder remains: no staging or backup folders.
    let entries: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, vec![std::ffi::OsString::from("res")]);
}

#[test]
fn default_output_folder_is_named_after_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let o = entente(
        &["run", &scenario(), "--runs", "200", "--no-charts"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        dir.path()
            .join("output/baseline-2020/outcomes.csv")
            .is_file()
    );
}

#[test]
fn manifest_names_the_scenario_hash_seed_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let o = entente(
        &[
            "run",
            &scenario(),
            "--runs",
            "256",
            "--seed",
            "99",
            "--no-charts",
            "--out",
            "m",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("m/manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(m["runs"], 256);
    assert_eq!(m["seed"], 99);
    assert_eq!(m["horizon"], 24);
    assert_eq!(m["scenario"]["name"], "baseline-2020");
    let sha = m["scenario"]["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    use sha2::Digest;
    let bytes = std::fs::read(scenario()).unwrap();
    let expected: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(sha, expected);
}

#[test]
fn bad_flags_exit_with_code_2_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario();
    for (args, fragment) in [
        (vec!["run", &s, "--runs", "0"], "--runs"),
        (vec!["run", &s, "--runs", "-5"], "--runs"),
        (vec!["run", &s, "--threads", "0"], "--threads"),
        (vec!["run", &s, "--seed", "abc"], "--seed"),
        (vec!["run", &s, "--bogus"], "--bogus"),
        (vec!["frobnicate"], "frobnicate"),
        (vec!["run"], "SCENARIO"),
    ] {
        let o = entente(&args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(fragment), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
    assert!(
        !dir.path().join("output").exists(),
        "a failed run left output behind"
    );
}

#[test]
fn validate_prints_parameters_with_status_and_evidence() {
    let o = entente(
        &["validate", &scenario()],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let line = |key: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap_or_else(|| panic!("{key}"))
    };
    assert!(line("params.beta_E ").contains("default"));
    let e = line("dyad.RUS.CHN.E ");
    assert!(
        e.contains("6.5") && e.contains("set") && e.contains("[A]"),
        "{e}"
    );
}

#[test]
fn help_and_version_exit_with_code_0() {
    let cwd = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(entente(&["--help"], cwd).status.code(), Some(0));
    assert_eq!(entente(&["--version"], cwd).status.code(), Some(0));
}

#[test]
fn compare_runs_every_scenario_with_the_same_seed_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let (a, b) = (
        format!("{root}/scenarios/baseline-2020.toml"),
        format!("{root}/scenarios/us-courts-russia.toml"),
    );
    let o = entente(
        &[
            "compare",
            &a,
            &b,
            "--runs",
            "400",
            "--seed",
            "3",
            "--no-charts",
            "--out",
            "cmp",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let table = std::fs::read_to_string(dir.path().join("cmp/comparison.csv")).unwrap();
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("baseline-2020,partnership_short_of_alliance,"))
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("us-courts-russia,partnership_short_of_alliance,"))
    );
    // Each scenario's folder is exactly what a standalone run gives.
    let alone = entente(
        &[
            "run",
            &b,
            "--runs",
            "400",
            "--seed",
            "3",
            "--no-charts",
            "--out",
            "alone",
        ],
        dir.path(),
    );
    assert!(alone.status.success());
    for f in ["outcomes.csv", "timeseries.csv"] {
        let x = std::fs::read(dir.path().join("cmp/us-courts-russia").join(f)).unwrap();
        let y = std::fs::read(dir.path().join("alone").join(f)).unwrap();
        assert!(x == y, "{f} differs");
    }
    let o = entente(&["compare", &a], dir.path());
    assert_eq!(o.status.code(), Some(2), "one scenario is not a comparison");
}

#[test]
fn a_closed_output_pipe_does_not_make_entente_panic() {
    use std::process::Stdio;
    // As in `entente validate ... | head -n 0`: the reader goes away before
    // entente prints anything. Its prints must not panic (exit 101).
    let validate = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_entente"));
        c.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["validate", &scenario()]);
        c
    };
    // The command does print, so the write below really meets a closed pipe.
    let printed = validate().output().unwrap();
    assert!(printed.status.success() && !printed.stdout.is_empty());
    // The read end is closed before the child starts, so its first write
    // fails with a broken pipe whatever the timing.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = validate()
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.status.success(), "exit {:?}: {err}", out.status);
}

/// The SVG charts under `dir`, by path relative to `dir`, with their text.
fn svg_charts(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "svg") {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn plot_redraws_the_charts_of_run_compare_and_sweep_folders() {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let s = scenario();
    let other = format!("{root}/scenarios/us-courts-russia.toml");
    let grid = dir.path().join("grid.toml");
    std::fs::write(
        &grid,
        format!(
            "name = \"g\"\nscenario = \"{s}\"\nruns = 50\nseed = 1\n\n[grid]\n\
             axes = [{{ path = \"dyad.USA.CHN.P\", from = 0.0, to = 1.0, steps = 3 }}]\n"
        ),
    )
    .unwrap();
    let folders: [(&str, Vec<&str>); 3] = [
        ("run", vec!["run", &s, "--runs", "200"]),
        ("cmp", vec!["compare", &s, &other, "--runs", "200"]),
        ("sweep", vec!["sweep", grid.to_str().unwrap()]),
    ];
    for (name, mut args) in folders {
        args.extend(["--out", name]);
        let o = entente(&args, dir.path());
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let folder = dir.path().join(name);
        let first = svg_charts(&folder);
        assert!(!first.is_empty(), "{name}: no charts drawn");
        for chart in first.keys() {
            std::fs::remove_file(folder.join(chart)).unwrap();
        }
        let o = entente(&["plot", name], dir.path());
        assert!(o.status.success(), "plot {name}: {}", stderr(&o));
        assert_eq!(svg_charts(&folder), first, "plot {name} drew other charts");
    }
    let o = entente(&["plot", "."], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no manifest.json"), "{}", stderr(&o));
}
