//! The result files as data: dyads named one way in every table, dates
//! beside steps, sampled trajectories, the per-run table's columns, the JSON
//! summary, scenarios from standard input, `--quiet`, and the command-line
//! conventions (help, completions, manual pages).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use crate::common::cli::{entente_command, entente_command_in, entente_ok, root, same_files};
use crate::common::docs::assert_documented;

/// A small CSV file as its header and rows of fields (no quoted commas in
/// the files read here).
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn read(path: &Path) -> Csv {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut lines = text.lines();
        let split = |l: &str| l.split(',').map(str::to_string).collect::<Vec<_>>();
        Csv {
            header: split(lines.next().expect("a header")),
            rows: lines.map(split).collect(),
        }
    }

    fn column(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }

    fn values(&self, name: &str) -> Vec<&str> {
        let c = self.column(name);
        self.rows.iter().map(|r| r[c].as_str()).collect()
    }

    /// The suffixes of the columns named `<prefix>_<suffix>`, in order.
    fn suffixes(&self, prefix: &str) -> Vec<String> {
        let start = format!("{prefix}_");
        self.header
            .iter()
            .filter_map(|h| h.strip_prefix(&start).map(str::to_string))
            .collect()
    }
}

/// Runs the bundled baseline scenario into `out` with `runs` runs, seed 5,
/// no charts, and `extra` flags.
fn run_baseline(out: &Path, runs: &str, extra: &[&str]) {
    let mut args = vec![
        "run",
        "scenarios/baseline-2020.toml",
        "--runs",
        runs,
        "--seed",
        "5",
        "--no-charts",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    entente_ok(&args);
}

/// Runs `entente args...` in `cwd` with `input` on standard input.
fn entente_with_stdin(args: &[&str], cwd: &Path, input: &[u8]) -> Output {
    let mut child = entente_command_in(args, cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("entente starts");
    // A command that rejects its arguments exits without reading: a closed
    // pipe here is not the test's concern.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().expect("entente runs")
}

fn dyads_of(dir: &Path) -> Vec<String> {
    Csv::read(&dir.join("dyads.csv"))
        .values("dyad")
        .into_iter()
        .map(str::to_string)
        .collect()
}

#[test]
fn runs_csv_names_every_dyad_as_dyads_csv_does_and_its_columns_agree_with_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    run_baseline(&out, "640", &["--per-run"]);
    let dyads = dyads_of(&out);
    assert_eq!(dyads, ["USA-RUS", "USA-CHN", "RUS-CHN"]);
    let runs = Csv::read(&out.join("runs.csv"));
    assert_eq!(runs.rows.len(), 640);
    for prefix in ["zbar", "z_final", "state", "first_treaty_step"] {
        assert_eq!(runs.suffixes(prefix), dyads, "{prefix}_ columns");
    }
    // Directed stances: every ordered pair once, named A-B like the dyads.
    let xbar = runs.suffixes("xbar");
    assert_eq!(xbar.len(), 6);
    for pair in &xbar {
        let (a, b) = pair.split_once('-').expect("A-B");
        let forward = format!("{a}-{b}");
        let backward = format!("{b}-{a}");
        assert!(
            dyads.contains(&forward) || dyads.contains(&backward),
            "{pair}"
        );
    }
    assert!(xbar.iter().all(|pair| !pair.contains('_')), "{xbar:?}");

    // Configuration names put a couple in the dyads' orientation.
    let configurations = Csv::read(&out.join("configurations.csv"));
    for name in configurations.values("configuration") {
        if let Some(couple) = name.strip_prefix("stable_marriage_") {
            assert!(dyads.iter().any(|d| d == couple), "{name}");
        }
    }

    // Final states per dyad agree with dyads.csv's probabilities.
    let table = Csv::read(&out.join("dyads.csv"));
    for (d, dyad) in dyads.iter().enumerate() {
        let states = runs.values(&format!("state_{dyad}"));
        for state in ["alliance", "partnership", "hedging", "antagonism"] {
            let counted = states.iter().filter(|&&s| s == state).count() as f64;
            let p: f64 = table.rows[d][table.column(&format!("p_{state}"))]
                .parse()
                .unwrap();
            assert!((counted / 640.0 - p).abs() < 1e-6, "{dyad} {state}");
        }
        for z in runs.values(&format!("z_final_{dyad}")) {
            let z: f64 = z.parse().unwrap();
            assert!((-1.0..=1.0).contains(&z));
        }
    }

    // Shock counts: the per-shock columns sum to shocks_fired and agree
    // with shocks.csv.
    let shocks = Csv::read(&out.join("shocks.csv"));
    let ids: Vec<String> = shocks
        .values("shock")
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(runs.suffixes("fires"), ids);
    let count = |row: &Vec<String>, c: usize| row[c].parse::<u64>().unwrap();
    let total = runs.column("shocks_fired");
    let columns: Vec<usize> = ids
        .iter()
        .map(|id| runs.column(&format!("fires_{id}")))
        .collect();
    for row in &runs.rows {
        let sum: u64 = columns.iter().map(|&c| count(row, c)).sum();
        assert_eq!(sum, count(row, total));
    }
    for (s, &c) in columns.iter().enumerate() {
        let fired = runs.rows.iter().filter(|r| count(r, c) > 0).count();
        assert_eq!(
            fired.to_string(),
            shocks.rows[s][shocks.column("runs_fired")]
        );
    }

    // The first treaty of any dyad is the earliest of the per-dyad steps,
    // and first_treaty_dyad names the dyad it formed in; their share and
    // mean agree with the manifest's summary.
    let (step, dyad) = (
        runs.column("first_treaty_step"),
        runs.column("first_treaty_dyad"),
    );
    let mut formed: Vec<u64> = Vec::new();
    for row in &runs.rows {
        let earliest = dyads
            .iter()
            .filter_map(|d| {
                let t: Option<u64> = row[runs.column(&format!("first_treaty_step_{d}"))]
                    .parse()
                    .ok();
                t.map(|t| (t, d.as_str()))
            })
            .min_by_key(|&(t, _)| t);
        match earliest {
            Some((t, d)) => {
                assert_eq!(row[step], t.to_string());
                assert_eq!(row[dyad], d);
                let own = row[runs.column(&format!("first_treaty_step_{}", row[dyad]))].as_str();
                assert_eq!(own, row[step]);
                formed.push(t);
            }
            None => assert_eq!((row[step].as_str(), row[dyad].as_str()), ("", "")),
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let summary = &manifest["summary"];
    let p = summary["treaty_probability"].as_f64().unwrap();
    assert!(!formed.is_empty(), "no treaty formed in 640 runs");
    assert!((formed.len() as f64 / 640.0 - p).abs() < 1e-12);
    let mean = formed.iter().sum::<u64>() as f64 / formed.len() as f64;
    assert!((mean - summary["mean_first_treaty_step"].as_f64().unwrap()).abs() < 1e-9);
}

#[test]
fn time_series_tables_carry_the_date_of_each_step() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    run_baseline(&out, "64", &[]);
    // baseline-2020 starts on 2020-07-23 with quarterly steps (dt = 0.25).
    for file in ["timeseries.csv", "config_timeseries.csv"] {
        let t = Csv::read(&out.join(file));
        assert_eq!(&t.header[..2], ["step", "date"], "{file}");
        let expected = |step: u32| -> String {
            let months = 6 + 3 * step; // July is month 6 counted from 0.
            format!("{}-{:02}-23", 2020 + months / 12, months % 12 + 1)
        };
        for row in &t.rows {
            let step: u32 = row[0].parse().unwrap();
            assert_eq!(row[1], expected(step), "{file} step {step}");
        }
        assert!(
            t.rows.iter().any(|r| r[1] == "2026-07-23"),
            "{file}: horizon"
        );
    }

    // Without a start date the column is there and empty (read from
    // standard input in the scenarios folder).
    let text = std::fs::read_to_string(root().join("scenarios/baseline-2020.toml")).unwrap();
    let undated: String = text
        .lines()
        .filter(|l| !l.starts_with("start ="))
        .map(|l| format!("{l}\n"))
        .collect();
    let plain = dir.path().join("undated");
    let o = entente_with_stdin(
        &[
            "run",
            "-",
            "--runs",
            "16",
            "--no-charts",
            "-q",
            "--out",
            plain.to_str().unwrap(),
        ],
        &root().join("scenarios"),
        undated.as_bytes(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = Csv::read(&plain.join("timeseries.csv"));
    assert!(t.rows.iter().all(|r| r[1].is_empty()));
}

#[test]
fn trajectories_keep_k_evenly_spaced_runs_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    for (out, threads) in [(&one, "1"), (&two, "2")] {
        run_baseline(
            out,
            "512",
            &["--trajectories", "5", "--per-run", "--threads", threads],
        );
    }
    same_files(&one, &two, &["trajectories.csv", "runs.csv"]);
    let t = Csv::read(&one.join("trajectories.csv"));
    assert_eq!(
        t.header,
        ["run", "draw", "step", "date", "dyad", "alignment"]
    );
    let dyads = dyads_of(&one);
    let steps = 25; // horizon 24, steps 0..=24
    assert_eq!(t.rows.len(), 5 * steps * dyads.len());
    let mut kept: Vec<&str> = t.values("run");
    kept.dedup();
    assert_eq!(kept, ["0", "102", "204", "307", "409"]);

    // Each kept run's last step equals its z_final in runs.csv, and its
    // draw is the one runs.csv gives it.
    let runs = Csv::read(&one.join("runs.csv"));
    let last: BTreeMap<(String, String), (String, String)> = t
        .rows
        .iter()
        .filter(|r| r[2] == "24")
        .map(|r| ((r[0].clone(), r[4].clone()), (r[1].clone(), r[5].clone())))
        .collect();
    assert_eq!(last.len(), 5 * dyads.len());
    for ((run, dyad), (draw, z)) in &last {
        let row = &runs.rows[run.parse::<usize>().unwrap()];
        assert_eq!(&row[runs.column("draw")], draw);
        assert_eq!(
            &row[runs.column(&format!("z_final_{dyad}"))],
            z,
            "run {run} {dyad}"
        );
    }

    // Without the flag there is no such file.
    let plain = dir.path().join("plain");
    run_baseline(&plain, "64", &[]);
    assert!(!plain.join("trajectories.csv").exists());
    let o = entente_command(&["run", "scenarios/baseline-2020.toml", "--trajectories", "0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--trajectories"));
}

fn json_of(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// Fails unless a JSON outcome list agrees with an `outcomes.csv`-shaped
/// table (six decimals in the file, so within one unit of the sixth).
fn assert_outcomes_agree(json: &serde_json::Value, table: &Csv, rows: &[&Vec<String>]) {
    let list = json.as_array().unwrap();
    assert_eq!(list.len(), rows.len());
    for (o, row) in list.iter().zip(rows) {
        assert_eq!(o["outcome"].as_str().unwrap(), row[table.column("outcome")]);
        assert_eq!(
            o["count"].as_u64().unwrap().to_string(),
            row[table.column("count")]
        );
        for field in [
            "probability",
            "ci_low",
            "ci_high",
            "draw_p05",
            "draw_p50",
            "draw_p95",
        ] {
            let v: f64 = row[table.column(field)].parse().unwrap();
            assert!((o[field].as_f64().unwrap() - v).abs() <= 1e-6, "{field}");
        }
    }
}

#[test]
fn json_summaries_parse_and_agree_with_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    let o = entente_command(&[
        "run",
        "scenarios/baseline-2020.toml",
        "--runs",
        "256",
        "--no-charts",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let json = json_of(&o);
    assert_eq!(json["scenario"], "baseline-2020");
    assert_eq!(json["runs"], 256);
    assert_eq!(json["results"].as_str().unwrap(), out.to_str().unwrap());
    let table = Csv::read(&out.join("outcomes.csv"));
    assert_outcomes_agree(
        &json["outcomes"],
        &table,
        &table.rows.iter().collect::<Vec<_>>(),
    );

    let cmp = dir.path().join("c");
    let o = entente_command(&[
        "compare",
        "scenarios/baseline-2020.toml",
        "scenarios/us-courts-russia.toml",
        "--runs",
        "128",
        "--no-charts",
        "--json",
        "--per-run",
        "--out",
        cmp.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let json = json_of(&o);
    let comparison = Csv::read(&cmp.join("comparison.csv"));
    let scenarios = json["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 2);
    for s in scenarios {
        let name = s["scenario"].as_str().unwrap();
        let rows: Vec<&Vec<String>> = comparison.rows.iter().filter(|r| r[0] == name).collect();
        assert_outcomes_agree(&s["outcomes"], &comparison, &rows);
        // compare --per-run: each scenario's runs, agreeing with its outcomes.
        let runs = Csv::read(&cmp.join(name).join("runs.csv"));
        assert_eq!(runs.rows.len() as u64, s["runs"].as_u64().unwrap());
        for o in s["outcomes"].as_array().unwrap() {
            let counted = runs
                .values("outcome")
                .iter()
                .filter(|&&v| v == o["outcome"].as_str().unwrap())
                .count() as u64;
            assert_eq!(counted, o["count"].as_u64().unwrap());
        }
    }
    let differences = Csv::read(&cmp.join("differences.csv"));
    let listed = json["differences"].as_array().unwrap();
    assert_eq!(listed.len(), differences.rows.len());
    for (d, row) in listed.iter().zip(&differences.rows) {
        assert_eq!(
            d["outcome"].as_str().unwrap(),
            row[differences.column("outcome")]
        );
        let v: f64 = row[differences.column("difference")].parse().unwrap();
        assert!((d["difference"].as_f64().unwrap() - v).abs() <= 1e-6);
    }
}

/// The CSV files of a run folder, by name.
fn csv_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    names
}

#[test]
fn a_scenario_from_standard_input_gives_the_same_files_as_from_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let (file, piped) = (dir.path().join("file"), dir.path().join("piped"));
    // biden-dual-pressure extends baseline-2020.toml: from standard input
    // that parent is found in the current folder.
    let scenarios = root().join("scenarios");
    let flags = [
        "--runs",
        "96",
        "--per-run",
        "--trajectories",
        "3",
        "--no-charts",
        "-q",
    ];
    let mut args = vec![
        "run",
        "biden-dual-pressure.toml",
        "--out",
        file.to_str().unwrap(),
    ];
    args.extend(flags);
    let o = entente_command_in(&args, &scenarios).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read(scenarios.join("biden-dual-pressure.toml")).unwrap();
    let mut args = vec!["run", "-", "--out", piped.to_str().unwrap()];
    args.extend(flags);
    let o = entente_with_stdin(&args, &scenarios, &text);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = csv_files(&file);
    assert!(files.len() >= 10, "{files:?}");
    assert_eq!(files, csv_files(&piped));
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    same_files(&file, &piped, &names);

    // validate reads standard input too, and names it in errors.
    let o = entente_with_stdin(&["validate", "-"], &scenarios, &text);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("<stdin>: valid"));
    let o = entente_with_stdin(&["validate", "-"], &scenarios, b"name = 3\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("<stdin>"));
    // compare takes one scenario from standard input, not two.
    let o = entente_with_stdin(&["compare", "-", "-"], &scenarios, &text);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn quiet_prints_nothing_on_success_and_errors_still_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("q");
    let o = entente_command(&[
        "--quiet",
        "run",
        "scenarios/baseline-2020.toml",
        "--runs",
        "32",
        "--out",
        out.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(o.status.success());
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.join("outcomes.csv").is_file());
    let o = entente_command(&["validate", "tests/bad/zero_runs.toml", "-q"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("zero_runs.toml"));
}

#[test]
fn the_summary_reads_as_counts_and_rounded_rates() {
    let dir = tempfile::tempdir().unwrap();
    let o = entente_command(&[
        "run",
        "scenarios/baseline-2020.toml",
        "--runs",
        "1000",
        "--threads",
        "1",
        "--no-charts",
        "--out",
        dir.path().join("r").to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    let first = text.lines().next().unwrap();
    assert!(first.contains(" 1 thread, "), "{first}");
    let runs = first
        .split(": ")
        .nth(1)
        .unwrap()
        .split(" runs")
        .next()
        .unwrap();
    assert!(runs.starts_with("1,0") && runs.len() == 5, "{first}");
    let rate = first.rsplit_once('(').unwrap().1;
    let number = rate.strip_suffix(" runs/s)").expect("a rate in runs/s");
    assert!(
        number
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.'),
        "{first}"
    );
    assert!(!number.contains('.') || number.len() <= 4, "{first}");
}

#[test]
fn completions_man_pages_and_help_follow_the_conventions() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = entente_command(&["completions", shell]).output().unwrap();
        assert!(o.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&o.stdout);
        assert!(
            script.contains("entente") && script.contains("trajectories"),
            "{shell}"
        );
    }
    let o = entente_command(&["man"]).output().unwrap();
    assert!(o.status.success());
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(page.contains(".TH entente 1"), "{page}");
    assert!(page.contains("Exit codes"));
    let o = entente_command(&["man", "compare"]).output().unwrap();
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(
        page.contains("entente\\-compare") && page.contains("per\\-run"),
        "{page}"
    );
    let o = entente_command(&["man", "nonsense"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));

    for command in [
        "run",
        "validate",
        "compare",
        "plot",
        "sweep",
        "merge",
        "calibrate",
        "completions",
        "man",
    ] {
        let o = entente_command(&[command, "--help"]).output().unwrap();
        assert!(o.status.success(), "{command}");
        let help = String::from_utf8_lossy(&o.stdout);
        assert!(help.contains("Example"), "{command}: {help}");
        assert!(
            help.contains(&format!("entente {command} ")),
            "{command}: {help}"
        );
        for code in ["0  success", "1  failure", "2  bad input"] {
            assert!(help.contains(code), "{command}: {help}");
        }
    }
}

/// Runs every kind of command once into `dir` and returns the folders.
fn every_kind_of_folder(dir: &Path) -> Vec<PathBuf> {
    let at = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let run = at("run");
    run_baseline(
        Path::new(&run),
        "64",
        &["--per-run", "--trajectories", "2", "--report"],
    );
    let compare = at("compare");
    entente_ok(&[
        "compare",
        "scenarios/baseline-2020.toml",
        "scenarios/us-courts-russia.toml",
        "--runs",
        "32",
        "--per-run",
        "--no-charts",
        "-q",
        "--out",
        &compare,
    ]);
    let mut folders = vec![PathBuf::from(run), PathBuf::from(compare)];
    for sweep in ["small-grid", "small-sobol", "small-oat", "small-morris"] {
        let out = at(sweep);
        entente_ok(&[
            "sweep",
            &format!("tests/sweeps/{sweep}.toml"),
            "--no-charts",
            "-q",
            "--out",
            &out,
        ]);
        folders.push(PathBuf::from(out));
    }
    let shards: Vec<String> = (0..2).map(|i| at(&format!("shard-{i}"))).collect();
    for (i, shard) in shards.iter().enumerate() {
        entente_ok(&[
            "sweep",
            "tests/sweeps/small-grid.toml",
            "--shard",
            &format!("{i}/2"),
            "--no-charts",
            "-q",
            "--out",
            shard,
        ]);
    }
    let merged = at("merged");
    entente_ok(&[
        "merge",
        &shards[0],
        &shards[1],
        "--no-charts",
        "-q",
        "--out",
        &merged,
    ]);
    folders.push(PathBuf::from(merged));
    folders
}

#[test]
fn docs_outputs_md_defines_every_column_the_commands_write() {
    let dir = tempfile::tempdir().unwrap();
    let folders = every_kind_of_folder(dir.path());
    let checked: usize = folders.iter().map(|f| assert_documented(f)).sum();
    // Run: 12 tables (with runs and trajectories); compare: 2 + 2 x 11.
    assert!(checked >= 12 + 24 + 5 + 3, "only {checked} files checked");
}
