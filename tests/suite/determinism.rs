//! Same scenario and seed give byte-identical result files for any thread
//! count and across invocations; per-run output too.

use std::path::Path;
use std::process::Command;

use crate::common::cli::same_files;

const FILES: [&str; 7] = [
    "outcomes.csv",
    "configurations.csv",
    "timeseries.csv",
    "config_timeseries.csv",
    "final.csv",
    "dyads.csv",
    "shocks.csv",
];

fn run(scenario: &str, threads: u32, out: &Path, extra: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_entente"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            scenario,
            "--runs",
            "5120",
            "--seed",
            "7",
            "--no-charts",
            "--threads",
        ])
        .arg(threads.to_string())
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("entente runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn results_do_not_depend_on_threads_or_invocation() {
    for scenario in ["scenarios/baseline-2020.toml", "scenarios/asia-five.toml"] {
        let dir = tempfile::tempdir().unwrap();
        let (one, two, again, four) = (
            dir.path().join("t1"),
            dir.path().join("t2"),
            dir.path().join("t2b"),
            dir.path().join("t4"),
        );
        run(scenario, 1, &one, &[]);
        run(scenario, 2, &two, &[]);
        run(scenario, 2, &again, &[]);
        // More threads than cores: chunks finish in yet another order.
        run(scenario, 4, &four, &[]);
        same_files(&one, &two, &FILES);
        same_files(&two, &again, &FILES);
        same_files(&one, &four, &FILES);
    }
}

#[test]
fn per_run_rows_are_in_run_order_and_thread_independent() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("t1"), dir.path().join("t2"));
    run("scenarios/baseline-2020.toml", 1, &one, &["--per-run"]);
    run("scenarios/baseline-2020.toml", 2, &two, &["--per-run"]);
    same_files(&one, &two, &["runs.csv", "outcomes.csv"]);
    let text = std::fs::read_to_string(one.join("runs.csv")).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let outcome_column = header.iter().position(|&h| h == "outcome").unwrap();
    assert_eq!(rows.len(), 5120);
    for (k, row) in rows.iter().enumerate() {
        assert_eq!(row.split(',').next().unwrap(), k.to_string());
    }
    // Outcome counts in runs.csv agree with outcomes.csv.
    let outcomes = std::fs::read_to_string(one.join("outcomes.csv")).unwrap();
    for line in outcomes.lines().skip(1) {
        let mut cols = line.split(',');
        let (name, count): (&str, usize) =
            (cols.next().unwrap(), cols.next().unwrap().parse().unwrap());
        let counted = rows
            .iter()
            .filter(|r| r.split(',').nth(outcome_column) == Some(name))
            .count();
        assert_eq!(counted, count, "{name}");
    }
}
