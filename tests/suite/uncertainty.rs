//! Parameter uncertainty: nested Monte Carlo through the library call and
//! the command line, scenario variants (`extends`, `--set`) and posteriors.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::cli::{entente_in as entente, same_files};
use crate::common::{bundled, scenario_path};
use entente::engine::{self, Job};
use entente::outcome::Classifier;
use entente::scenario::{self, Scenario};
use entente::uncertainty::{Distribution, Posterior, Uncertain};
use entente::{Settings, run};

fn ok(args: &[&str], cwd: &Path) -> String {
    let o = entente(args, cwd);
    assert!(
        o.status.success(),
        "entente {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The baseline with nothing uncertain.
fn fixed_baseline() -> Scenario {
    let mut s = bundled("baseline-2020");
    s.built.uncertain.clear();
    s
}

/// Writes a child of the baseline into `dir` and returns its path.
fn child(dir: &Path, file: &str, body: &str) -> PathBuf {
    let parent = scenario_path("baseline-2020");
    let text = format!("extends = {:?}\n{body}", parent.display().to_string());
    let path = dir.join(file);
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn draws_that_all_equal_the_base_give_the_fixed_aggregate_bit_for_bit() {
    let s = fixed_baseline();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("posterior.csv");
    // Three particles, each exactly the scenario's own values.
    fs::write(
        &file,
        "particle,weight,params.c_T,dyad.USA.CHN.P\n0,0.2,2.0,0.8\n1,0.5,2.0,0.8\n2,0.3,2.0,0.8\n",
    )
    .unwrap();
    let mut settings = Settings::for_scenario(&s).runs(4096).draws(32).threads(2);
    settings.posterior = Some(Posterior::load(&file, &s.built.model).unwrap());
    let nested = run(&s, &settings).unwrap();
    assert!(nested.plan.is_nested());
    assert_eq!(nested.plan.draws, 32);
    let classifier = Classifier::new(&s.built.model, s.built.rules.clone(), s.built.triad.clone());
    let job = Job {
        model: &s.built.model,
        classifier: &classifier,
        seed: settings.seed,
        point: 0,
        runs: 4096,
    };
    let fixed = engine::run(job, &|_| {});
    assert_eq!(nested.ensemble.aggregate, fixed);
}

#[test]
fn a_degenerate_distribution_runs_exactly_as_the_constant() {
    let dir = tempfile::tempdir().unwrap();
    let constant = child(
        dir.path(),
        "constant.toml",
        "name = \"constant\"\n[params]\nc_T = 2.5\n",
    );
    let degenerate = child(
        dir.path(),
        "degenerate.toml",
        "name = \"degenerate\"\n[uncertainty]\n\"params.c_T\" = { uniform = [2.5, 2.5] }\n",
    );
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for (file, out) in [(&constant, &a), (&degenerate, &b)] {
        let args = [
            "run",
            file.to_str().unwrap(),
            "--runs",
            "2048",
            "--draws",
            "32",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ];
        ok(&args, dir.path());
    }
    same_files(
        &a,
        &b,
        &[
            "outcomes.csv",
            "draws.csv",
            "importance.csv",
            "timeseries.csv",
            "configurations.csv",
            "dyads.csv",
            "final.csv",
            "shocks.csv",
        ],
    );
}

#[test]
fn nested_results_are_byte_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for threads in ["1", "2", "3"] {
        let out = dir.path().join(threads);
        ok(
            &[
                "run",
                "scenarios/baseline-2020.toml",
                "--runs",
                "1600",
                "--draws",
                "40",
                "--threads",
                threads,
                "--per-run",
                "--no-charts",
                "--out",
                out.to_str().unwrap(),
            ],
            root,
        );
    }
    let files = [
        "outcomes.csv",
        "draws.csv",
        "importance.csv",
        "timeseries.csv",
        "runs.csv",
    ];
    same_files(&dir.path().join("1"), &dir.path().join("2"), &files);
    same_files(&dir.path().join("1"), &dir.path().join("3"), &files);
    let outcomes = fs::read_to_string(dir.path().join("1/outcomes.csv")).unwrap();
    assert!(outcomes.starts_with(
        "outcome,count,probability,ci_low,ci_high,draw_p05,draw_p50,draw_p95,parameter_share\n"
    ));
}

/// The treaty cost moves the alliance from about 85% at 1 to near 0 at 3.
/// With only c_T uncertain, the variance of the alliance probability over
/// draws is then a large part of the outcome's variance p(1 - p) (about 0.44
/// here: not 1, since p(c_T) is not 0 or 1 everywhere), and all of it is
/// c_T's, so c_T's first-order index is near 1. 100 draws of 64 runs: chance
/// adds a variance of about 0.16 / 64 = 0.0025 per draw against a parameter
/// variance near 0.07, so the share is estimated within a few hundredths and
/// the bounds 0.3 and 0.8 are several of them away. With nothing uncertain
/// the share is exactly 0.
#[test]
fn parameter_share_is_large_for_a_switching_weight_and_zero_without_uncertainty() {
    let mut s = fixed_baseline();
    let settings = Settings::for_scenario(&s).runs(6400).draws(100);
    let fixed = run(&s, &settings).unwrap();
    let alliance = fixed
        .outcome_names
        .iter()
        .position(|n| n == "sino_russian_alliance")
        .unwrap();
    assert_eq!(fixed.outcomes[alliance].parameter_share, 0.0);
    assert!(fixed.importance.is_empty());

    let c_t = scenario::ParamPath::parse(&s.built.model, "params.c_T").unwrap();
    s.built.uncertain = vec![Uncertain {
        path: c_t,
        name: "params.c_T".into(),
        distribution: Distribution::Uniform {
            low: 1.0,
            high: 3.0,
        },
        evidence: String::new(),
        kind: None,
    }];
    let nested = run(&s, &settings).unwrap();
    let o = nested.outcomes[alliance];
    assert!(o.parameter_share > 0.3, "share {}", o.parameter_share);
    assert!(o.draw_p05 < 0.05 && o.draw_p95 > 0.5, "{o:?}");
    assert!(o.ci_low <= o.probability && o.probability <= o.ci_high);
    let top = nested
        .importance
        .iter()
        .find(|i| i.outcome == "sino_russian_alliance")
        .unwrap();
    assert_eq!(top.parameter, "params.c_T");
    assert!(top.first_order > 0.8, "{top:?}");
}

#[test]
fn compare_pairs_scenarios_on_common_draws_and_streams() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = dir.path().join("cmp");
    ok(
        &[
            "compare",
            "scenarios/baseline-2020.toml",
            "scenarios/biden-dual-pressure.toml",
            "--runs",
            "3200",
            "--draws",
            "50",
            "--out",
            out.to_str().unwrap(),
        ],
        root,
    );
    assert!(out.join("charts/differences.svg").is_file());
    let text = fs::read_to_string(out.join("differences.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header = rows.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut checked = 0;
    for row in rows.records() {
        let row = row.unwrap();
        let v = |name: &str| row[col(name)].parse::<f64>().unwrap();
        if !["sino_russian_alliance", "partnership_short_of_alliance"]
            .contains(&&row[col("outcome")])
        {
            continue;
        }
        // Common random numbers: the paired interval is narrower than the
        // one of independent runs.
        let paired = v("ci_high") - v("ci_low");
        let unpaired = v("unpaired_ci_high") - v("unpaired_ci_low");
        assert!(paired < unpaired, "{row:?}");
        assert!(v("ci_low") <= v("difference") && v("difference") <= v("ci_high"));
        checked += 1;
    }
    assert_eq!(checked, 2);
}

#[test]
fn extends_and_set_change_only_what_they_name() {
    let dir = tempfile::tempdir().unwrap();
    let renamed = child(dir.path(), "renamed.toml", "name = \"renamed\"\n");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let common = ["--runs", "1600", "--draws", "25", "--no-charts", "--out"];
    let base = scenario_path("baseline-2020");
    let mut args = vec!["run", base.to_str().unwrap()];
    args.extend(common);
    args.push(a.to_str().unwrap());
    ok(&args, root);
    let mut args = vec!["run", renamed.to_str().unwrap()];
    args.extend(common);
    args.push(b.to_str().unwrap());
    ok(&args, root);
    same_files(
        &a,
        &b,
        &[
            "outcomes.csv",
            "draws.csv",
            "timeseries.csv",
            "parameters.csv",
        ],
    );

    let listing = ok(
        &[
            "validate",
            "scenarios/russia-political-change.toml",
            "--set",
            "params.c_T=1.5",
        ],
        root,
    );
    for expected in [
        "extends scenarios/baseline-2020.toml",
        "shock russian_aggression.window: none -> [0, 1]",
        "shock russia_political_change.at_step: none -> 2",
        "shock russia_political_change.rate: 0.02 -> none",
        "dyad.usa.rus.p add 0.1 -> dyad.USA.CHN.P add 0.2",
        "params.c_T = 1.5 (--set)",
    ] {
        let found =
            listing.contains(expected) || listing.to_lowercase().contains(&expected.to_lowercase());
        assert!(found, "missing `{expected}` in:\n{listing}");
    }
}

#[test]
fn bad_variants_posteriors_and_assignments_exit_2_and_say_where() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = d.join("missing.toml");
    fs::write(&missing, "extends = \"nowhere.toml\"\nname = \"m\"\n").unwrap();
    let cycle_a = d.join("a.toml");
    let cycle_b = d.join("b.toml");
    fs::write(&cycle_a, "extends = \"b.toml\"\nname = \"a\"\n").unwrap();
    fs::write(&cycle_b, "extends = \"a.toml\"\nname = \"b\"\n").unwrap();
    let unknown_shock = child(d, "u.toml", "name = \"u\"\nremove_shocks = [\"no_such\"]\n");
    let nameless = child(d, "n.toml", "[params]\nc_T = 2.5\n");
    let bad_range = child(
        d,
        "r.toml",
        "name = \"r\"\n[uncertainty]\n\"params.eta\" = { uniform = [0.5, 1.5] }\n",
    );
    let two = child(
        d,
        "t.toml",
        "name = \"t\"\n[uncertainty]\n\"params.eta\" = { uniform = [0.1, 0.2], triangular = [0.1, 0.15, 0.2] }\n",
    );
    let posterior = d.join("posterior.csv");
    fs::write(&posterior, "weight,params.c_T\n0.5,2.0\nlots,2.5\n").unwrap();
    let base = scenario_path("baseline-2020");
    let base = base.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["validate", missing.to_str().unwrap()], "nowhere.toml"),
        (vec!["validate", cycle_a.to_str().unwrap()], "own ancestor"),
        (vec!["validate", unknown_shock.to_str().unwrap()], "no_such"),
        (vec!["validate", nameless.to_str().unwrap()], "name"),
        (vec!["validate", bad_range.to_str().unwrap()], "params.eta"),
        (vec!["validate", two.to_str().unwrap()], "exactly one"),
        (vec!["validate", base, "--set", "params.c_T"], "PATH=VALUE"),
        (vec!["validate", base, "--set", "params.nope=1"], "nope"),
        (
            vec!["validate", base, "--set", "params.eta=7"],
            "params.eta",
        ),
        (
            vec![
                "run",
                base,
                "--posterior",
                posterior.to_str().unwrap(),
                "--runs",
                "64",
            ],
            "posterior.csv:3:",
        ),
    ];
    for (args, fragment) in cases {
        let o = entente(&args, d);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(fragment), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    assert!(!d.join("output").exists(), "a failed command wrote output");
}
