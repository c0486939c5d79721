//! Drivers and attributes from data series (docs/model.md, section 6.1):
//! interpolation, equivalence with constants, the `--until` cut, bad input,
//! and the driver noise that keeps a zero baseline at zero (section 7.3).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use entente::engine::RunRng;
use entente::model::{Driver, Model, State, Trace, Trigger, cut_after, simulate};
use entente::scenario::{self, Scenario, series::cut_after_year};
use tempfile::TempDir;

use crate::common::{bundled, scenario_path};

/// baseline-2020 with `edit` applied to its text, written to `dir` with
/// `files` (name, content) beside it.
fn variant(
    dir: &Path,
    name: &str,
    edit: impl Fn(&str) -> String,
    files: &[(&str, &str)],
) -> PathBuf {
    let text = fs::read_to_string(scenario_path("baseline-2020")).unwrap();
    for (file, content) in files {
        fs::write(dir.join(file), content).unwrap();
    }
    let path = dir.join(format!("{name}.toml"));
    fs::write(&path, edit(&text)).unwrap();
    path
}

/// A `[[series]]` table.
fn series(target: &str, file: &str, column: &str, filter: &str) -> String {
    format!(
        "\n[[series]]\ntarget = \"{target}\"\nfile = \"{file}\"\ncolumn = \"{column}\"\nfilter = {{ {filter} }}\n"
    )
}

/// Appends `tables` after the `[report]` table of a scenario text (before its
/// arrays of tables, so that a plain table may follow).
fn with_series(text: &str, tables: &str) -> String {
    text.replacen(
        "triad = [\"USA\", \"CHN\", \"RUS\"]\n",
        &format!("triad = [\"USA\", \"CHN\", \"RUS\"]\n{tables}"),
        1,
    )
}

fn load(path: &Path) -> Scenario {
    scenario::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Yearly rows `from,to,year,value` for the years of `values`.
fn yearly_csv(
    header: &str,
    key: &str,
    years: std::ops::RangeInclusive<i32>,
    value: impl Fn(i32) -> String,
) -> String {
    let mut text = format!("# test data\n{header}\n");
    for y in years {
        text.push_str(&format!("{key},{y},{}\n", value(y)));
    }
    text
}

#[test]
fn interpolation_hits_the_yearly_values_at_mid_year() {
    let dir = TempDir::new().unwrap();
    // Steps start on 1 January 2021 and are quarters, so steps 2, 6, 10
    // fall on the middles of 2021, 2022 and 2023.
    let data = yearly_csv("from,to,year,P", "USA,CHN", 2021..=2027, |y| {
        format!("{}", 0.1 * f64::from(y - 2020))
    });
    let path = variant(
        dir.path(),
        "interp",
        |t| {
            with_series(
                &t.replace("start = 2020-07-23", "start = 2021-01-01"),
                &series(
                    "dyad.USA.CHN.P",
                    "p.csv",
                    "P",
                    "from = \"USA\", to = \"CHN\"",
                ),
            )
        },
        &[("p.csv", &data)],
    );
    let s = load(&path);
    let model = &s.built.model;
    assert_eq!(model.schedules.len(), 1);
    let v = &model.schedules[0].values;
    assert_eq!(v.len(), model.horizon);
    for (step, year) in [(2, 2021), (6, 2022), (10, 2023), (22, 2026)] {
        assert_eq!(v[step], 0.1 * f64::from(year - 2020), "step {step}");
    }
    // Between anchors: linear; a quarter from 2022.5 is a quarter of the way to 2023.
    assert!((v[7] - (0.2 + 0.25 * 0.1)).abs() < 1e-12, "{}", v[7]);
    assert!((v[4] - 0.15).abs() < 1e-12, "{}", v[4]);
    // Before the middle of the first year of the file, its value holds.
    assert_eq!(v[0], 0.1);
    assert_eq!(v[1], 0.1);
    // The step-0 value is the driver's initial value and baseline.
    let usa_chn = model.pair(0, 2);
    assert_eq!(model.driver(Driver::P)[usa_chn], 0.1);
    assert_eq!(s.built.series[0].years, (2021, 2027));
}

/// Runs `entente run` with per-run output; returns the output folder.
fn run_cli(scenario: &Path, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_entente"))
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--runs",
            "3001",
            "--per-run",
            "--no-charts",
            "--out",
        ])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn constant_series_give_the_bytes_of_constant_values() {
    let dir = TempDir::new().unwrap();
    let constant = |v: &'static str| move |_| v.to_string();
    let p = yearly_csv("from,to,year,P", "USA,CHN", 2019..=2027, constant("0.8"));
    let e = yearly_csv("from,to,year,E", "RUS,CHN", 2019..=2027, constant("6.5"));
    let w = yearly_csv("iso3,x,year,w", "CHN,0", 2019..=2027, constant("0.2306"));
    let files = [
        ("p.csv", p.as_str()),
        ("e.csv", e.as_str()),
        ("w.csv", w.as_str()),
    ];
    let plain = variant(dir.path(), "plain", |t| t.to_string(), &files);
    let driven = variant(
        dir.path(),
        "driven",
        |t| {
            let tables = [
                series(
                    "dyad.USA.CHN.P",
                    "p.csv",
                    "P",
                    "from = \"USA\", to = \"CHN\"",
                ),
                series("dyad.RUS.CHN.E", "e.csv", "E", "from = \"RUS\""),
                series("agent.CHN.capability", "w.csv", "w", "iso3 = \"CHN\""),
            ]
            .concat();
            // The constants the series replace are removed from the file.
            let t = t
                .replace("P = 0.8                   # Pompeo", "# P from series")
                .replace(
                    "E = 6.5                   # Russia-China",
                    "# E from series",
                );
            with_series(&t, &tables)
        },
        &files,
    );
    let driven_scenario = load(&driven);
    assert_eq!(driven_scenario.built.model.schedules.len(), 3);
    // The scenario's hash covers its data files: the same text with other
    // data has another hash.
    let other = dir.path().join("other");
    fs::create_dir(&other).unwrap();
    for (file, content) in &files {
        fs::write(other.join(file), content.replace("0.8", "0.7")).unwrap();
    }
    fs::copy(&driven, other.join("driven.toml")).unwrap();
    assert_ne!(
        load(&other.join("driven.toml")).sha256,
        driven_scenario.sha256
    );
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run_cli(&plain, &a);
    run_cli(&driven, &b);
    let mut compared = 0;
    for entry in fs::read_dir(&a).unwrap() {
        let name = entry.unwrap().file_name();
        // The manifest names the scenario file and its hash; the parameter
        // table lists the series' values in another order.
        if name == "manifest.json" || name == "parameters.csv" {
            continue;
        }
        let (x, y) = (
            fs::read(a.join(&name)).unwrap(),
            fs::read(b.join(&name)).unwrap(),
        );
        assert!(x == y, "{} differs", name.to_string_lossy());
        compared += 1;
    }
    assert!(compared >= 5, "only {compared} files compared");
}

#[test]
fn cut_after_keeps_earlier_steps_and_holds_later_ones() {
    let s = bundled("history-1992");
    let cut = 40;
    let mut model = s.built.model.clone();
    cut_after(&mut model, cut);
    for (before, after) in s.built.model.schedules.iter().zip(&model.schedules) {
        assert_eq!(before.values[..=cut], after.values[..=cut]);
        assert!(
            after.values[cut + 1..]
                .iter()
                .all(|&v| v == before.values[cut])
        );
    }
    // Some series really move after the cut, so the test can fail.
    assert!(
        s.built
            .model
            .schedules
            .iter()
            .any(|sc| sc.values[cut + 1..].iter().any(|&v| v != sc.values[cut]))
    );
    for (before, after) in s.built.model.shocks.iter().zip(&model.shocks) {
        match before.trigger {
            Trigger::AtStep(at) if at > cut => assert_eq!(after.max_count, 0, "{}", before.id),
            _ => assert_eq!(before, after),
        }
    }
    // Runs agree step for step up to the cut (the stances of step cut + 1
    // are made in step cut, which uses only values up to it) and differ later.
    let mut same_until_cut = true;
    let mut differ_later = false;
    for run in 0..20 {
        let trace = |m: &Model| {
            let (mut state, mut trace) = (State::new(m), Trace::new(m));
            simulate(m, &mut RunRng::new(7, 0, run), &mut state, &mut trace);
            trace
        };
        let (full, held) = (trace(&s.built.model), trace(&model));
        let nn = model.n() * model.n();
        same_until_cut &= full.x[..(cut + 2) * nn] == held.x[..(cut + 2) * nn];
        differ_later |= full.x[(cut + 2) * nn..] != held.x[(cut + 2) * nn..];
    }
    assert!(same_until_cut);
    assert!(differ_later);
}

#[test]
fn cut_after_year_holds_series_from_mid_year_and_drops_later_events() {
    let s = bundled("history-1992");
    let mut model = s.built.model.clone();
    let held = cut_after_year(&mut model, s.start_year().unwrap(), 2013);
    // Step 86 starts at 1992 + 86/4 = 2013.5, the middle of 2013.
    assert_eq!(held, Some(86));
    let fired = |id: &str| {
        let k = model.shocks.iter().position(|sh| sh.id == id).unwrap();
        model.shocks[k].max_count
    };
    assert_eq!(fired("belt_and_road"), 1); // step 86, September 2013
    assert_eq!(fired("crimea"), 0); // step 88, March 2014
    assert_eq!(fired("reset"), 1);
    assert_eq!(
        cut_after_year(&mut model.clone(), s.start_year().unwrap(), 1990),
        None
    );
}

/// Runs `entente validate` on `path`; returns stderr after checking exit 2.
fn rejected(path: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_entente"))
        .args(["validate", path.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{}: {stderr}", path.display());
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn bad_series_input_is_rejected_with_file_line_and_key() {
    let dir = TempDir::new().unwrap();
    let good = yearly_csv("from,to,year,P", "USA,CHN", 2019..=2027, |_| "0.5".into());
    let gap = good.replace("USA,CHN,2023,0.5\n", "");
    let word = good.replace("USA,CHN,2022,0.5", "USA,CHN,2022,high");
    let range = good.replace("USA,CHN,2022,0.5", "USA,CHN,2022,1.5");
    let twice = good.replace("USA,CHN,2022,0.5", "USA,CHN,2022,0.5\nUSA,CHN,2022,0.6");
    let files = [
        ("good.csv", good.as_str()),
        ("gap.csv", gap.as_str()),
        ("word.csv", word.as_str()),
        ("range.csv", range.as_str()),
        ("twice.csv", twice.as_str()),
    ];
    let case = |name: &str, target: &str, file: &str, column: &str| {
        variant(
            dir.path(),
            name,
            |t| {
                with_series(
                    t,
                    &series(target, file, column, "from = \"USA\", to = \"CHN\""),
                )
            },
            &files,
        )
    };
    // (scenario, fragments that must all appear in the message)
    let cases = [
        (
            case("missing_file", "dyad.USA.CHN.P", "nowhere.csv", "P"),
            vec![
                "missing_file.toml:",
                "series.file",
                "nowhere.csv",
                "no such file",
            ],
        ),
        (
            case("missing_column", "dyad.USA.CHN.P", "good.csv", "Q"),
            vec!["good.csv:2:", "key `Q`", "no column `Q`"],
        ),
        (
            case("year_gap", "dyad.USA.CHN.P", "gap.csv", "P"),
            vec!["gap.csv", "key `P`", "no row for 2023"],
        ),
        (
            case("not_a_number", "dyad.USA.CHN.P", "word.csv", "P"),
            vec!["word.csv:6:4", "key `P`", "`high`"],
        ),
        (
            case("out_of_range", "dyad.USA.CHN.P", "range.csv", "P"),
            vec!["range.csv:6:", "key `P`", "1.5"],
        ),
        (
            case("two_rows", "dyad.USA.CHN.P", "twice.csv", "P"),
            vec!["twice.csv:7:", "key `year`", "line 6"],
        ),
        (
            case("bad_target", "dyad.USA.CHN.stance", "good.csv", "P"),
            vec!["bad_target.toml:", "series.target", "expected a driver"],
        ),
        (case("no_start", "dyad.USA.CHN.P", "good.csv", "P"), vec![]),
    ];
    for (path, fragments) in &cases[..cases.len() - 1] {
        let stderr = rejected(path);
        for f in fragments {
            assert!(
                stderr.contains(f),
                "{}: `{f}` not in: {stderr}",
                path.display()
            );
        }
    }
    // Without a start date, steps have no calendar years.
    let text = fs::read_to_string(&cases[cases.len() - 1].0).unwrap();
    let no_start = dir.path().join("no_start.toml");
    fs::write(&no_start, text.replace("start = 2020-07-23\n", "")).unwrap();
    assert!(rejected(&no_start).contains("`start`"));
}

/// Mean and values of driver `d` of pair (i, j) at the horizon over `runs`
/// runs of `model`.
fn final_driver(model: &Model, d: Driver, i: usize, j: usize, runs: u64) -> Vec<f64> {
    let (mut state, mut trace) = (State::new(model), Trace::new(model));
    (0..runs)
        .map(|run| {
            simulate(model, &mut RunRng::new(11, 0, run), &mut state, &mut trace);
            state.drivers[d as usize][model.pair(i, j)]
        })
        .collect()
}

#[test]
fn a_zero_baseline_stays_zero_and_others_keep_their_mean() {
    let ids = ["A", "B", "C"].map(String::from).to_vec();
    let mut model = Model::blank(ids, 24);
    let (ab, ba) = (model.pair(0, 1), model.pair(1, 0));
    model.driver_mut(Driver::P)[ab] = 0.5;
    model.driver_mut(Driver::G)[ba] = 0.1;
    let runs = 10_000;
    // Every other P and G has baseline 0 and no shock: exactly 0 in every run.
    for (d, i, j) in [(Driver::P, 1, 0), (Driver::G, 0, 2), (Driver::P, 2, 1)] {
        let values = final_driver(&model, d, i, j, runs);
        assert!(values.iter().all(|&v| v == 0.0), "{d:?} {i}->{j}");
    }
    // Away from the bounds the mean stays at the baseline. The stationary
    // standard deviation is about sigma_d s / sqrt(1 - (1 - phi)^2) = 0.046
    // at 0.5, so the mean of 10,000 runs has a standard error near 0.0005;
    // the tolerance is about six of them.
    let mean = |v: Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
    let mid = mean(final_driver(&model, Driver::P, 0, 1, runs));
    assert!((mid - 0.5).abs() < 0.003, "mean {mid}");
    // Near the bound (0.1) the noise shrinks to 0.6 sigma_d, so the clip
    // hardly acts: the stationary standard deviation is about 0.028 and the
    // standard error of the mean 0.0003; the tolerance is five of them. (A
    // simulation of the first version's clipped noise gives +0.03 at a
    // baseline of 0 and +0.001 at 0.1 by step 24.)
    let low = mean(final_driver(&model, Driver::G, 1, 0, runs));
    assert!((low - 0.1).abs() < 0.0015, "mean {low}");
}

#[test]
fn the_history_scenario_validates_and_reads_its_series() {
    let s = bundled("history-1992");
    let model = &s.built.model;
    assert_eq!(model.horizon, 124);
    assert_eq!(s.start_year(), Some(1992.0));
    // E, N, P and capability from data: 6 + 3 + 4 + 3 series.
    assert_eq!(s.built.series.len(), 16);
    assert!(
        s.built
            .series
            .iter()
            .all(|x| x.years.0 <= 1992 && x.years.1 >= 2022)
    );
    // Every value the file sets has evidence.
    let rows = entente::scenario::parameter_rows(&s);
    let missing: Vec<_> = rows
        .iter()
        .filter(|r| r.status != "default" && r.evidence.is_empty())
        .map(|r| r.path.clone())
        .collect();
    assert!(missing.is_empty(), "without evidence: {missing:?}");
}

#[test]
fn a_variant_reads_its_parents_series_relative_to_the_parent() {
    let dir = TempDir::new().unwrap();
    let child = dir.path().join("child.toml");
    let parent = scenario_path("history-1992");
    fs::write(
        &child,
        format!(
            "extends = \"{}\"\nname = \"child\"\n\n[params]\nphi = 0.2\n",
            parent.display()
        ),
    )
    .unwrap();
    let s = load(&child);
    assert_eq!(s.built.series.len(), 16);
    assert_eq!(s.built.model.params.phi, 0.2);
    assert_eq!(
        s.built.model.schedules,
        bundled("history-1992").built.model.schedules
    );
}
