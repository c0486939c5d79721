//! One-at-a-time designs: the 2k+1 points in their stated order, the base point
//! equal to a plain `run` of the base scenario, the sensitivity table read off
//! points.csv, and clear errors for bad OAT files.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common;
use common::cli::{entente_ok as entente, root};

/// Rows of a CSV file as maps from column name to field.
fn csv(path: &Path) -> Vec<HashMap<String, String>> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

fn num(row: &HashMap<String, String>, column: &str) -> f64 {
    row.get(column)
        .unwrap_or_else(|| panic!("no column {column} in {row:?}"))
        .parse()
        .unwrap()
}

const FACTORS: [(&str, f64, f64); 3] = [
    ("params.c_T", 1.0, 3.0),
    ("params.M", 4.0, 12.0),
    ("params.beta_E", 0.3, 1.0),
];

#[test]
fn oat_runs_the_base_then_each_factor_at_its_ends() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("oat");
    let file = root().join("tests/sweeps/small-oat.toml");
    entente(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
    ]);
    let points = csv(&out.join("points.csv"));
    assert_eq!(points.len(), 2 * FACTORS.len() + 1);

    // The base point holds the scenario's own values, as `validate` reads them.
    let base: Vec<f64> = FACTORS.iter().map(|(f, _, _)| num(&points[0], f)).collect();
    for (p, row) in points.iter().enumerate() {
        assert_eq!(num(row, "point"), p as f64);
        for (f, &(name, from, to)) in FACTORS.iter().enumerate() {
            let expected = match p {
                0 => base[f],
                _ if p == 2 * f + 1 => from,
                _ if p == 2 * f + 2 => to,
                _ => base[f],
            };
            assert_eq!(num(row, name), expected, "point {p}, {name}");
        }
    }
    // Every end differs from the base here, so each point really moved one factor.
    for (f, &(name, from, to)) in FACTORS.iter().enumerate() {
        assert!(
            from != base[f] || to != base[f],
            "{name} at base {}",
            base[f]
        );
    }

    // p_base equals a plain run of the base scenario at its written values
    // (sweeps do not draw the scenario's uncertain parameters): same seed
    // (the scenario's), same runs, and point 0 draws from the streams of
    // point index 0 as `run` does.
    let run_dir = tmp.path().join("run");
    entente(&[
        "run",
        "scenarios/baseline-2020.toml",
        "--runs",
        "300",
        "--nominal",
        "--no-charts",
        "--out",
        run_dir.to_str().unwrap(),
    ]);
    let run_p = csv(&run_dir.join("outcomes.csv"))
        .into_iter()
        .find(|r| r.values().any(|v| v == "sino_russian_alliance"))
        .expect("the run reports the alliance");
    let run_p = run_p
        .iter()
        .find(|(k, _)| k.as_str() == "probability" || k.as_str() == "p")
        .map(|(_, v)| v.parse::<f64>().unwrap())
        .expect("a probability column");

    let table = csv(&out.join("sensitivity.csv"));
    assert_eq!(table.len(), FACTORS.len());
    for (f, (row, &(name, from, to))) in table.iter().zip(&FACTORS).enumerate() {
        assert_eq!(
            row["factor"], name,
            "sensitivity.csv keeps the file's order"
        );
        assert_eq!(num(row, "low"), from);
        assert_eq!(num(row, "high"), to);
        let p = |point: usize| num(&points[point], "p_sino_russian_alliance");
        assert_eq!(num(row, "p_base"), p(0));
        assert!(
            (num(row, "p_base") - run_p).abs() < 1e-6,
            "p_base {} vs run {run_p}",
            num(row, "p_base")
        );
        assert_eq!(num(row, "p_low"), p(2 * f + 1), "{name}");
        assert_eq!(num(row, "p_high"), p(2 * f + 2), "{name}");
        let swing = (num(row, "p_high") - num(row, "p_low")).abs();
        assert!((num(row, "swing") - swing).abs() < 2e-6, "{name}");
        assert_eq!(
            num(row, "p_low_ci_low"),
            num(&points[2 * f + 1], "ci_low_sino_russian_alliance")
        );
        assert_eq!(
            num(row, "p_high_ci_high"),
            num(&points[2 * f + 2], "ci_high_sino_russian_alliance")
        );
    }
    // The treaty cost moves the alliance a lot (c_T = 1 against 3, 300 runs each).
    assert!(num(&table[0], "swing") > 0.05, "{:?}", table[0]);
}

#[test]
fn bad_oat_files_exit_2_and_say_what_is_wrong() {
    for (file, says) in [
        ("oat_with_points", ["design.points", "expected none"]),
        ("oat_no_factors", ["design.factors", "found no factors"]),
        (
            "oat_unknown_path",
            ["design.factors[1].path", "no_such_weight"],
        ),
    ] {
        let path = root().join("tests/bad_sweeps").join(format!("{file}.toml"));
        let out = tempfile::tempdir().unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_entente"))
            .current_dir(root())
            .args(["sweep", path.to_str().unwrap(), "--out"])
            .arg(out.path().join("r"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(&format!("{file}.toml")), "{file}: {err}");
        for s in says {
            assert!(err.contains(s), "{file}: no `{s}` in: {err}");
        }
        assert!(!out.path().join("r").exists(), "{file}: output left behind");
    }
}
