//! Calibration: a posterior that recovers parameters the data were simulated
//! with; `--until` uses nothing after its year; byte-identical results for
//! any thread count and after a kill and `--resume`; a conditional forecast
//! says so; bad calibration files exit with code 2.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use crate::common::cli::{entente_command as entente, kill_when, root};

use entente::calibrate::abc::{standard_normal, uniform};
use entente::calibrate::observe::{Calendar, Dyad, Point, yearly_alignment};
use entente::model::RunRng;
use entente::scenario;

fn small_scenario() -> PathBuf {
    root().join("tests/calibration/small.toml")
}

/// The values the synthetic observations are simulated with.
const BETA_N: f64 = 1.5;
const ALPHA: f64 = 2.0;
const GAMMA: f64 = 1.5;
const SIGMA: f64 = 0.1;

/// Ideal points of USA, RUS and CHN for 2000-2011 such that the USA-RUS
/// and USA-CHN distances are one simulated run of the small scenario (with
/// params.beta_N = BETA_N) read through the observation model, plus rows of
/// another state and other years that must be ignored. `change_after`
/// shifts every value after that year.
pub(crate) fn synthetic_data(change_after: Option<i32>) -> String {
    synthetic_dataset(change_after, 0)
}

/// Synthetic dataset number `k`: another simulated run and other
/// observation noise for each k (k = 0 is the one the tests use).
fn synthetic_dataset(change_after: Option<i32>, k: u64) -> String {
    let mut s = scenario::load(&small_scenario()).unwrap();
    let path = scenario::ParamPath::parse(&s.built.model, "params.beta_N").unwrap();
    path.set(&mut s.built.model, BETA_N).unwrap();
    let calendar = Calendar::of(&s).unwrap();
    let dyads = [
        Dyad {
            name: "USA-RUS".into(),
            i: 0,
            j: 1,
        },
        Dyad {
            name: "USA-CHN".into(),
            i: 0,
            j: 2,
        },
    ];
    let years: Vec<i32> = (2000..=2011).collect();
    let points: Vec<Point> = (0..2)
        .flat_map(|d| {
            years.iter().map(move |&year| Point {
                dyad: d,
                year,
                value: 0.0,
                sd: 0.0,
            })
        })
        .collect();
    let z = yearly_alignment(&s.built.model, &calendar, &dyads, &points, 4242 + k, 0, 1);
    let mut rng = RunRng::new(1, 2, 3 + k);
    let distance: Vec<f64> = z
        .iter()
        .map(|z| ALPHA - GAMMA * z + SIGMA * standard_normal(&mut || uniform(&mut rng)))
        .collect();
    let mut csv = String::from("iso3,year,ideal_point,q05,q95,n_votes\n");
    let n = years.len();
    for (k, &year) in years.iter().enumerate() {
        let shift = if change_after.is_some_and(|c| year > c) {
            0.77
        } else {
            0.0
        };
        for (iso, ip) in [
            ("USA", 0.0),
            ("RUS", distance[k] + shift),
            ("CHN", -distance[n + k] - shift),
            ("FRA", 1.0),
        ] {
            csv += &format!("{iso},{year},{ip},{},{},70\n", ip - 0.1, ip + 0.1);
        }
    }
    csv += "USA,1999,0.5,0.4,0.6,70\nRUS,2015,3.0,2.9,3.1,70\n";
    csv
}

/// Writes a calibration of the small scenario (or `scenario`) with the
/// synthetic data into `dir` and returns the calibration file.
pub(crate) fn fixture(dir: &Path, data: &str, scenario: &Path, abc: &str) -> PathBuf {
    std::fs::write(dir.join("data.csv"), data).unwrap();
    let file = dir.join("calibration.toml");
    std::fs::write(
        &file,
        format!(
            r#"name = "small"
scenario = "{}"
seed = 11

[[prior]]
path = "params.beta_N"
kind = "uniform"
low = 0.0
high = 3.0
evidence = "test"

[observation]
data = "data.csv"
dyads = ["USA-RUS", "CHN-USA"]
from = 2000
to = 2011
alpha = {{ kind = "uniform", low = 0.0, high = 4.0 }}
gamma = {{ kind = "log_uniform", low = 0.2, high = 5.0 }}
sigma = {{ kind = "log_uniform", low = 0.02, high = 1.0 }}

[predictive]
draws = 40
runs = 16

[abc]
{abc}
"#,
            scenario.display()
        ),
    )
    .unwrap();
    file
}

pub(crate) const FAST: &str = "particles = 60\ngenerations = 3\nruns = 16";

/// Runs `entente calibrate` into `out`; charts only when `extra` holds
/// `--charts` (which is not passed on).
pub(crate) fn calibrate(cal: &Path, out: &Path, extra: &[&str]) -> Output {
    let charts = extra.contains(&"--charts");
    let mut args = vec![
        "calibrate",
        cal.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    if !charts {
        args.push("--no-charts");
    }
    args.extend(extra.iter().copied().filter(|&a| a != "--charts"));
    let o = entente(&args).output().expect("entente runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
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

/// summary.csv rows: parameter -> (p05, median, p95).
fn summary(dir: &Path) -> Vec<(String, [f64; 3])> {
    read(dir, "summary.csv")
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.rsplitn(4, ',').collect();
            let name = f[3].split(',').next().unwrap().to_string();
            (
                name,
                [
                    f[2].parse().unwrap(),
                    f[1].parse().unwrap(),
                    f[0].parse().unwrap(),
                ],
            )
        })
        .collect()
}

#[test]
fn the_posterior_recovers_the_values_the_data_were_simulated_with() {
    let dir = tempfile::tempdir().unwrap();
    let cal = fixture(
        dir.path(),
        &synthetic_data(None),
        &small_scenario(),
        "particles = 200\ngenerations = 6\nruns = 16",
    );
    let out = dir.path().join("out");
    // Every year is fitted: the scheduled break of 2010 moves the USA-RUS
    // alignment, which separates the intercept from the slope.
    calibrate(&cal, &out, &[]);
    let rows = summary(&out);
    let truth = [
        ("params.beta_N", BETA_N),
        ("observation.alpha", ALPHA),
        ("observation.gamma", GAMMA),
        ("observation.sigma", SIGMA),
    ];
    for (name, value) in truth {
        let (_, [lo, _, hi]) = rows
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert!(
            *lo <= value && value <= *hi,
            "{name} = {value} outside the 90% interval [{lo}, {hi}]\n{}\n{}",
            read(&out, "summary.csv"),
            read(&out, "generations.csv")
        );
    }
    // The data inform alpha and sigma: their intervals are much narrower
    // than the priors' (4 wide and 0.02 to 1).
    let width = |name: &str| {
        rows.iter()
            .find(|(n, _)| n == name)
            .map(|(_, q)| q[2] - q[0])
            .unwrap()
    };
    assert!(
        width("observation.alpha") < 1.5,
        "alpha interval {}",
        width("observation.alpha")
    );
    assert!(
        width("observation.sigma") < 0.4,
        "sigma interval {}",
        width("observation.sigma")
    );

    let posterior = read(&out, "posterior.csv");
    let header = posterior.lines().next().unwrap();
    assert_eq!(
        header,
        "particle,weight,params.beta_N,observation.alpha,observation.gamma,observation.sigma"
    );
    let total: f64 = posterior
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-9, "weights sum to {total}");
    // `run --posterior` reads it: the model columns are parameter paths.
    let model = scenario::load(&small_scenario()).unwrap().built.model;
    let read_back =
        entente::uncertainty::Posterior::load(&out.join("posterior.csv"), &model).unwrap();
    assert_eq!(read_back.names, ["params.beta_N"]);
    assert_eq!(read_back.particles.len(), 200);

    let predictive = read(&out, "predictive.csv");
    assert!(predictive.starts_with("dyad,year,observed,mean,p05,p25,p50,p75,p95,held_out\n"));
    assert!(
        predictive.lines().skip(1).all(|l| l.ends_with(",0")),
        "nothing is held out without --until"
    );
    assert!(!out.join("validation.csv").exists());
    let generations = read(&out, "generations.csv");
    assert_eq!(generations.lines().count(), 1 + 6);
}

/// The coverage study of docs/model.md section 11: the recovery calibration
/// on 20 synthetic datasets (other simulated runs and observation noise),
/// counting how often each true value falls inside its 90% posterior
/// interval. About a minute; run it with
/// `cargo test --test suite calibrate::coverage_study -- --ignored --nocapture`.
#[test]
#[ignore]
fn coverage_study() {
    const DATASETS: u64 = 20;
    let truth = [
        ("params.beta_N", BETA_N),
        ("observation.alpha", ALPHA),
        ("observation.gamma", GAMMA),
        ("observation.sigma", SIGMA),
    ];
    let mut covered = [0u64; 4];
    for k in 0..DATASETS {
        let dir = tempfile::tempdir().unwrap();
        let cal = fixture(
            dir.path(),
            &synthetic_dataset(None, k),
            &small_scenario(),
            "particles = 200\ngenerations = 6\nruns = 16",
        );
        let out = dir.path().join("out");
        calibrate(&cal, &out, &[]);
        let rows = summary(&out);
        for (c, (name, value)) in covered.iter_mut().zip(truth) {
            let (_, [lo, _, hi]) = rows.iter().find(|(n, _)| n == name).unwrap();
            *c += u64::from(*lo <= value && value <= *hi);
        }
    }
    for ((name, _), c) in truth.iter().zip(covered) {
        println!("{name}: inside the 90% interval in {c} of {DATASETS} datasets");
    }
    // A 90% interval that is right covers in about 18 of 20; fewer than 12
    // would be off by more than four binomial standard deviations.
    assert!(covered.iter().all(|&c| c >= 12), "{covered:?}");
}

/// A copy of the small scenario in `dir` whose USA-RUS affinity follows a
/// yearly series (0.1 in 2000 falling by 0.05 a year); `changed` moves every
/// value after 2008 and the scheduled event of 2010.
fn scenario_with_series(dir: &Path, changed: bool) -> PathBuf {
    let mut csv = String::from("year,N\n");
    for year in 2000..=2012 {
        let mut n = 0.1 - 0.05 * f64::from(year - 2000);
        if changed && year > 2008 {
            n = 0.9;
        }
        csv += &format!("{year},{n}\n");
    }
    std::fs::write(dir.join("affinity.csv"), csv).unwrap();
    let mut scenario = std::fs::read_to_string(small_scenario()).unwrap();
    if changed {
        scenario = scenario.replace(r#"op = "set", value = -0.9"#, r#"op = "set", value = 0.9"#);
        assert!(scenario.contains("value = 0.9 }"));
    }
    scenario +=
        "\n[[series]]\ntarget = \"dyad.USA.RUS.N\"\nfile = \"affinity.csv\"\ncolumn = \"N\"\n";
    let path = dir.join("scenario.toml");
    std::fs::write(&path, scenario).unwrap();
    path
}

#[test]
fn until_uses_nothing_after_its_year() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    // The copy changes every observation after 2008, every later value of
    // the driver series and the scheduled event of 2010.
    let cal_a = fixture(
        &a,
        &synthetic_data(None),
        &scenario_with_series(&a, false),
        FAST,
    );
    let cal_b = fixture(
        &b,
        &synthetic_data(Some(2008)),
        &scenario_with_series(&b, true),
        FAST,
    );
    assert_ne!(read(&a, "data.csv"), read(&b, "data.csv"));
    calibrate(&cal_a, &a.join("out"), &["--until", "2008"]);
    calibrate(&cal_b, &b.join("out"), &["--until", "2008"]);
    assert_same(
        &a.join("out"),
        &b.join("out"),
        &["posterior.csv", "generations.csv"],
    );
    // The forecasts agree too (only the observed column differs).
    let columns = |dir: &Path| -> Vec<String> {
        read(dir, "predictive.csv")
            .lines()
            .map(|l| l.split(',').skip(3).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(columns(&a.join("out")), columns(&b.join("out")));
    // With the actual later drivers and events, the forecasts differ.
    calibrate(
        &cal_a,
        &a.join("conditional"),
        &["--until", "2008", "--conditional"],
    );
    calibrate(
        &cal_b,
        &b.join("conditional"),
        &["--until", "2008", "--conditional"],
    );
    assert_same(
        &a.join("conditional"),
        &b.join("conditional"),
        &["posterior.csv"],
    );
    assert_ne!(
        columns(&a.join("conditional")),
        columns(&b.join("conditional"))
    );
    // Without --until the later values enter the fit.
    calibrate(&cal_a, &a.join("all"), &[]);
    calibrate(&cal_b, &b.join("all"), &[]);
    assert_ne!(
        read(&a.join("all"), "posterior.csv"),
        read(&b.join("all"), "posterior.csv")
    );
}

#[test]
fn a_conditional_forecast_is_labelled() {
    let dir = tempfile::tempdir().unwrap();
    let cal = fixture(dir.path(), &synthetic_data(None), &small_scenario(), FAST);
    let out = dir.path().join("out");
    let o = calibrate(
        &cal,
        &out,
        &["--until", "2009", "--conditional", "--charts", "--report"],
    );
    // The report states the forecast's kind and inlines every chart.
    let html = read(&out, "report.html");
    assert!(
        html.contains("CONDITIONAL"),
        "the report labels the forecast"
    );
    assert!(html.contains("Held-out years") && html.contains("Posterior against prior"));
    assert!(html.matches("<svg").count() >= 3, "charts are inlined");
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    assert!(read(&out, "report.md").contains("| `coverage50` |"));
    for stem in ["posterior", "predictive", "validation"] {
        for ext in ["png", "svg"] {
            let chart = out.join(format!("charts/{stem}.{ext}"));
            assert!(
                std::fs::metadata(&chart)
                    .map(|m| m.len() > 1000)
                    .unwrap_or(false),
                "{}",
                chart.display()
            );
        }
    }
    assert!(String::from_utf8_lossy(&o.stdout).contains("CONDITIONAL"));
    // `plot` draws them again from the files alone, to the same SVG.
    let svg = read(&out, "charts/predictive.svg");
    std::fs::remove_dir_all(out.join("charts")).unwrap();
    let o = entente(&["plot", out.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(read(&out, "charts/predictive.svg"), svg);
    assert!(out.join("charts/validation.png").is_file());
    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["conditional"], true);
    let predictive = read(&out, "predictive.csv");
    assert_eq!(predictive.lines().count(), 1 + 24);
    assert!(
        predictive.contains("\nUSA-CHN,2011,"),
        "dyads are named in scenario order"
    );
    let held: Vec<&str> = predictive.lines().filter(|l| l.ends_with(",1")).collect();
    assert_eq!(held.len(), 4, "2010 and 2011 of two dyads are held out");
    let validation = read(&out, "validation.csv");
    assert!(validation.starts_with("metric,model,persistence,trend\ncoverage50,"));
    assert!(validation.contains("\ndyad_years,4,4,4\n"), "{validation}");
    assert_eq!(manifest["until"], 2009);
    assert!(
        manifest["forecast"]
            .as_str()
            .unwrap()
            .contains("CONDITIONAL")
    );
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let cal = fixture(dir.path(), &synthetic_data(None), &small_scenario(), FAST);
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    calibrate(&cal, &one, &["--until", "2009", "--threads", "1"]);
    calibrate(&cal, &two, &["--until", "2009", "--threads", "2"]);
    // Every column written is defined in docs/outputs.md.
    assert!(crate::common::docs::assert_documented(&one) >= 6);
    assert_same(
        &one,
        &two,
        &[
            "posterior.csv",
            "generations.csv",
            "predictive.csv",
            "validation.csv",
            "summary.csv",
        ],
    );
}

/// Kills a calibration with SIGKILL once generation `g` is written; false
/// if it finished first (see `kill_when`).
fn kill_after(cal: &Path, out: &Path, g: usize) -> bool {
    let file = out.join(format!("generations/gen-{g:03}.csv"));
    let args = [
        "calibrate",
        cal.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
        "--threads",
        "2",
    ];
    kill_when(&args, || file.exists(), Duration::from_secs(120))
}

#[test]
fn a_killed_calibration_resumes_to_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let abc = "particles = 200\ngenerations = 5\nruns = 32";
    let cal = fixture(dir.path(), &synthetic_data(None), &small_scenario(), abc);
    let whole = dir.path().join("whole");
    calibrate(&cal, &whole, &[]);
    let resumed = dir.path().join("resumed");
    assert!(
        kill_after(&cal, &resumed, 1),
        "the calibration finished before it could be interrupted"
    );
    assert!(
        !resumed.join("posterior.csv").exists(),
        "an interrupted calibration must not look finished"
    );
    // Without --resume the folder is refused.
    let o = entente(&[
        "calibrate",
        cal.to_str().unwrap(),
        "--out",
        resumed.to_str().unwrap(),
        "--no-charts",
    ])
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2));
    calibrate(&cal, &resumed, &["--resume"]);
    assert_same(
        &whole,
        &resumed,
        &[
            "posterior.csv",
            "generations.csv",
            "predictive.csv",
            "summary.csv",
        ],
    );
    // A resumed run with another seed is refused.
    let o = entente(&[
        "calibrate",
        cal.to_str().unwrap(),
        "--out",
        resumed.to_str().unwrap(),
        "--resume",
        "--seed",
        "5",
    ])
    .output()
    .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn bad_calibration_files_exit_2_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cal = fixture(dir.path(), &synthetic_data(None), &small_scenario(), FAST);
    let good = std::fs::read_to_string(&cal).unwrap();
    let cases: [(&str, &str, &str); 8] = [
        ("seed = 11", "seed = 11\nsead = 3", "sead"),
        (
            "kind = \"uniform\"\nlow = 0.0",
            "kind = \"gamma\"\nlow = 0.0",
            "prior[0].kind",
        ),
        (
            "path = \"params.beta_N\"",
            "path = \"params.beta_Q\"",
            "prior[0].path",
        ),
        ("high = 3.0", "high = 30.0", "prior[0].high"),
        ("\"CHN-USA\"", "\"CHN-GBR\"", "observation.dyads"),
        (
            "data = \"data.csv\"",
            "data = \"missing.csv\"",
            "missing.csv",
        ),
        (
            "sigma = { kind = \"log_uniform\", low = 0.02",
            "sigma = { kind = \"uniform\", low = -0.02",
            "observation.sigma.low",
        ),
        ("particles = 60", "particles = 1", "abc.particles"),
    ];
    for (from, to, key) in cases {
        assert!(good.contains(from), "{from}");
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, good.replacen(from, to, 1)).unwrap();
        let o = entente(&[
            "calibrate",
            bad.to_str().unwrap(),
            "--out",
            dir.path().join("x").to_str().unwrap(),
        ])
        .output()
        .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{to}: {err}");
        assert!(err.contains(key), "{to}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let o = entente(&["calibrate", cal.to_str().unwrap(), "--until", "1990"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--until"));
}

/// `history-per-dyad.toml` is a documented copy of `history.toml` (calibration
/// files have no inheritance): it must differ only in its name, description and
/// `per_dyad` on alpha, and give one intercept per observed dyad where the
/// default gives one for all, so the two stay comparable (docs/model.md, 11.5).
#[test]
fn the_per_dyad_calibration_differs_from_the_default_only_in_its_intercepts() {
    let dir = root().join("scenarios/calibration");
    let parse = |file: &str| -> toml::Table {
        toml::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap()
    };
    let strip = |mut t: toml::Table| {
        t.remove("name");
        t.remove("description");
        let mut alpha = t["observation"]["alpha"].as_table().unwrap().clone();
        let per_dyad = alpha.remove("per_dyad");
        t["observation"]
            .as_table_mut()
            .unwrap()
            .insert("alpha".into(), alpha.into());
        (t, per_dyad)
    };
    let (default, default_flag) = strip(parse("history.toml"));
    let (per_dyad, per_dyad_flag) = strip(parse("history-per-dyad.toml"));
    assert_eq!(default, per_dyad);
    assert_eq!(default_flag, None);
    assert_eq!(per_dyad_flag, Some(toml::Value::Boolean(true)));

    let alphas = |file: &str| {
        let cal = entente::calibrate::load(&dir.join(file)).unwrap();
        cal.parameters
            .iter()
            .filter(|p| p.name.starts_with("observation.alpha"))
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(alphas("history.toml"), ["observation.alpha"]);
    assert_eq!(
        alphas("history-per-dyad.toml"),
        [
            "observation.alpha.USA-RUS",
            "observation.alpha.USA-CHN",
            "observation.alpha.RUS-CHN"
        ]
    );
}
