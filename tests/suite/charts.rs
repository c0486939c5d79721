//! Charts drawn from small result folders written by the tests themselves: every PNG
//! must decode at the expected size and not be blank, and every SVG must carry its
//! title and axis labels as text. One fixture has three agents (three dyads), one has
//! five agents (ten dyads) and long outcome names, one has no start year.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common;
use common::chart_files::{png_dpi, png_stats, svg_font_sizes, svg_texts};

use entente::charts::{
    ChartOptions, ChartSize, OutcomeRow, draw_comparison, draw_run_charts, read_outcomes,
    with_options,
};

const OUTCOMES: [&str; 6] = [
    "sino_russian_alliance",
    "us_russia_rapprochement",
    "partnership_short_of_alliance",
    "russia_pivot",
    "drift",
    "other",
];
const PROBS: [f64; 6] = [0.08, 0.012, 0.61, 0.05, 0.2, 0.048];

fn dyads(agents: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, a) in agents.iter().enumerate() {
        for b in &agents[i + 1..] {
            out.push(format!("{a}-{b}"));
        }
    }
    out
}

/// Wilson 95% interval of `k` successes in `n` trials.
fn wilson(k: u64, n: u64) -> (f64, f64) {
    let (p, n, z) = (k as f64 / n as f64, n as f64, 1.96_f64);
    let den = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / den;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / den;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Writes a complete result folder for `agents` into `dir`.
fn write_fixture(dir: &Path, agents: &[&str], start_year: Option<f64>) {
    let runs = 10_000u64;
    let horizon = 24u32;
    let dyads = dyads(agents);
    let triad = &agents[..3];
    let manifest = serde_json::json!({
        "entente_version": "0.1.0",
        "scenario": {"name": "baseline-2020", "description": "test", "file": "scenarios/baseline-2020.toml", "sha256": "00"},
        "start_year": start_year,
        "dt": 0.25,
        "seed": 2020,
        "runs": runs,
        "horizon": horizon,
        "agents": agents,
        "dyads": dyads,
        "triad": triad,
        "outcomes": OUTCOMES,
        "theta_P": 0.35,
        "threads": 2,
        "wall_seconds": 1.2,
        "command": "entente run scenarios/baseline-2020.toml",
        "a_field_from_the_future": {"x": 1}
    });
    fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();

    let mut s = String::from("outcome,count,probability,ci_low,ci_high\n");
    for (name, p) in OUTCOMES.iter().zip(PROBS) {
        let k = (p * runs as f64).round() as u64;
        let (lo, hi) = wilson(k, runs);
        writeln!(s, "{name},{k},{},{lo},{hi}", k as f64 / runs as f64).unwrap();
    }
    fs::write(dir.join("outcomes.csv"), s).unwrap();

    let (a, b, c) = (triad[0], triad[1], triad[2]);
    let configs = [
        "menage_a_trois".to_string(),
        format!("romantic_triangle_{a}"),
        format!("romantic_triangle_{b}"),
        format!("romantic_triangle_{c}"),
        format!("stable_marriage_{b}-{c}"),
        format!("stable_marriage_{a}-{c}"),
        format!("stable_marriage_{a}-{b}"),
        "unit_veto".to_string(),
        "loose".to_string(),
    ];
    let mut s = String::from("configuration,count,probability,ci_low,ci_high\n");
    for name in &configs {
        writeln!(s, "{name},1000,0.1,0.094,0.106").unwrap();
    }
    fs::write(dir.join("configurations.csv"), s).unwrap();

    let mut ts = String::from("step,date,dyad,mean,p05,p25,p50,p75,p95\n");
    let mut fin = String::from("dyad,bin_low,bin_high,count\n");
    let starts = [-0.55, -0.6, 0.5, 0.2, -0.1, 0.3, 0.0, 0.6, -0.3, 0.1];
    let ends = [-0.7, -0.5, 0.62, 0.3, 0.0, 0.4, -0.2, 0.5, -0.4, 0.2];
    for (k, dyad) in dyads.iter().enumerate() {
        let (z0, z1) = (starts[k % 10], ends[k % 10]);
        for step in 0..=horizon {
            let t = step as f64 / horizon as f64;
            let m = z0 + (z1 - z0) * (1.0 - (-3.0 * t).exp());
            let w = 0.02 + 0.35 * t.sqrt();
            let q: Vec<f64> = [-1.645, -0.674, 0.0, 0.674, 1.645]
                .iter()
                .map(|x| (m + w * x).clamp(-1.0, 1.0))
                .collect();
            writeln!(
                ts,
                "{step},step {step},{dyad},{m},{},{},{},{},{}",
                q[0], q[1], q[2], q[3], q[4]
            )
            .unwrap();
        }
        for bin in 0..40 {
            let lo = -1.0 + bin as f64 * 0.05;
            let x = (lo + 0.025 - z1) / 0.2;
            let count = (500.0 * (-x * x / 2.0).exp()).round() as u64;
            writeln!(fin, "{dyad},{lo:.2},{:.2},{count}", lo + 0.05).unwrap();
        }
    }
    fs::write(dir.join("timeseries.csv"), ts).unwrap();
    fs::write(dir.join("final.csv"), fin).unwrap();

    let mut cs = String::from("step,date,configuration,share\n");
    for step in 0..=horizon {
        let t = step as f64 / horizon as f64;
        let mut w = [
            0.02 * t,
            0.05 * t,
            0.03 * t,
            0.15 * t,
            0.3 * t + 0.5 * (1.0 - t),
            0.04 * t,
            0.03 * t,
            0.08 * t + 0.1 * (1.0 - t),
            0.0,
        ];
        w[8] = 1.0 - w[..8].iter().sum::<f64>();
        for (name, share) in configs.iter().zip(w) {
            writeln!(cs, "{step},step {step},{name},{share}").unwrap();
        }
    }
    fs::write(dir.join("config_timeseries.csv"), cs).unwrap();
}

fn assert_texts(path: &Path, expected: &[&str]) {
    let texts = svg_texts(path);
    for e in expected {
        assert!(
            texts.contains(e),
            "{} lacks the text {e:?}; it has:\n{texts}",
            path.display()
        );
    }
}

fn chart(dir: &Path, name: &str) -> PathBuf {
    dir.join("charts").join(name)
}

/// Draws the run charts of a fixture and checks everything common to all fixtures;
/// returns the size of `fan_all.png`.
fn check_run(agents: &[&str], start_year: Option<f64>) -> (u32, u32) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_fixture(dir, agents, start_year);
    let written = draw_run_charts(dir).unwrap();

    let dyads = dyads(agents);
    let mut stems = vec![
        "outcomes".to_string(),
        "fan_all".to_string(),
        "configurations".to_string(),
        "final".to_string(),
    ];
    stems.extend(dyads.iter().map(|d| format!("fan_{d}")));
    let mut expected: Vec<PathBuf> = stems
        .iter()
        .flat_map(|s| {
            [
                chart(dir, &format!("{s}.png")),
                chart(dir, &format!("{s}.svg")),
            ]
        })
        .collect();
    expected.sort();
    let mut got = written.clone();
    got.sort();
    assert_eq!(got, expected);

    // Nothing but the charts is left in the folder (no temporary files).
    let mut listed: Vec<PathBuf> = fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    listed.sort();
    assert_eq!(listed, expected);

    for path in written.iter().filter(|p| p.extension().unwrap() == "png") {
        let (w, h, colours) = png_stats(path);
        assert!(w >= 1600 && h >= 1000, "{} is {w}x{h}", path.display());
        assert!(
            colours >= 6,
            "{} looks blank ({colours} colours)",
            path.display()
        );
        let stem = path.file_stem().unwrap().to_str().unwrap();
        if stem != "fan_all" && stem != "final" {
            assert_eq!((w, h), (1800, 1100), "{}", path.display());
        }
    }

    let x_desc = if start_year.is_some() {
        "year"
    } else {
        "step (one step = 0.25 years)"
    };
    let mut outcome_texts = vec![
        "Outcomes of baseline-2020 (10,000 runs, seed 2020)",
        "probability (share of runs)",
        "Wilson 95% interval",
        "61.0%",
    ];
    outcome_texts.extend(OUTCOMES);
    assert_texts(&chart(dir, "outcomes.svg"), &outcome_texts);

    for d in &dyads {
        let title = format!("Alignment of {d} over time");
        assert_texts(
            &chart(dir, &format!("fan_{d}.svg")),
            &[
                &title,
                "alignment z (mean of both stances)",
                x_desc,
                "step (one step = 0.25 years)",
                "median",
                "partnership threshold +0.35",
                "antagonism threshold −0.35",
            ],
        );
    }
    let mut grid_texts = vec!["Alignment of every dyad over time", x_desc, "median"];
    grid_texts.extend(dyads.iter().map(String::as_str));
    assert_texts(&chart(dir, "fan_all.svg"), &grid_texts);

    let pivot = format!("romantic triangle, pivot {}", agents[2]);
    let couple = format!("stable marriage {}-{}", agents[1], agents[2]);
    assert_texts(
        &chart(dir, "configurations.svg"),
        &[
            "Configuration of the triad",
            "share of runs",
            x_desc,
            "ménage à trois",
            &pivot,
            &couple,
            "unit veto",
            "loose",
        ],
    );

    let mut final_texts = vec![
        "Final alignment of each dyad across runs",
        "final alignment z",
        "share of runs",
    ];
    final_texts.extend(dyads.iter().map(String::as_str));
    assert_texts(&chart(dir, "final.svg"), &final_texts);

    let (w, h, _) = png_stats(&chart(dir, "fan_all.png"));
    assert_eq!(png_stats(&chart(dir, "final.png")).0, w);
    (w, h)
}

#[test]
fn three_agent_run() {
    let (w, h) = check_run(&["USA", "CHN", "RUS"], Some(2020.56));
    assert_eq!(w, 1800);
    assert!(h >= 1100);
}

#[test]
fn five_agent_run_has_a_taller_grid() {
    let (_, h3) = check_run(&["USA", "CHN", "RUS"], None);
    let (w, h5) = check_run(&["USA", "CHN", "RUS", "IND", "VNM"], Some(2020.56));
    assert_eq!(w, 1800);
    assert!(h5 > h3, "10 dyads: {h5} px, 3 dyads: {h3} px");
}

#[test]
fn outcomes_round_trip_and_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_fixture(dir, &["USA", "CHN", "RUS"], Some(2020.56));
    let rows = read_outcomes(&dir.join("outcomes.csv")).unwrap();
    assert_eq!(rows.len(), OUTCOMES.len());
    assert_eq!(rows[2].outcome, "partnership_short_of_alliance");
    assert_eq!(rows[2].count, 6100);
    assert!((rows[2].probability - 0.61).abs() < 1e-12);
    assert!(rows[2].ci_low < 0.61 && rows[2].ci_high > 0.61);

    let mut other: Vec<OutcomeRow> = rows.clone();
    other.retain(|r| r.outcome != "russia_pivot");
    other.push(OutcomeRow {
        outcome: "a_custom_outcome_with_a_rather_long_name".to_string(),
        count: 10,
        probability: 0.001,
        ci_low: 0.0005,
        ci_high: 0.0018,
        draw_p05: None,
        draw_p50: None,
        draw_p95: None,
        parameter_share: None,
    });
    let out = tempfile::tempdir().unwrap();
    let written = draw_comparison(
        out.path(),
        &[
            ("baseline-2020".to_string(), rows),
            ("us-pressure-high".to_string(), other),
        ],
    )
    .unwrap();
    assert_eq!(
        written,
        vec![
            out.path().join("charts/comparison.png"),
            out.path().join("charts/comparison.svg")
        ]
    );
    let (w, h, colours) = png_stats(&written[0]);
    assert!(w >= 1600 && h >= 1000 && colours >= 6);
    assert_texts(
        &written[1],
        &[
            "Outcome probabilities by scenario",
            "baseline-2020",
            "us-pressure-high",
            "probability (share of runs)",
            "a_custom_outcome_with_a_rather_long_name",
            "n/a",
        ],
    );
}

#[test]
fn missing_input_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let err = draw_run_charts(tmp.path()).unwrap_err();
    assert!(format!("{err:#}").contains("manifest.json"), "{err:#}");

    write_fixture(tmp.path(), &["USA", "CHN", "RUS"], Some(2020.56));
    fs::remove_file(tmp.path().join("final.csv")).unwrap();
    let err = draw_run_charts(tmp.path()).unwrap_err();
    assert!(format!("{err:#}").contains("final.csv"), "{err:#}");
}

/// Draws the run charts and a comparison of the three-agent fixture into a new
/// folder under `options`; returns the folder and the written files.
fn draw_all_with(options: &ChartOptions) -> (tempfile::TempDir, Vec<PathBuf>) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_fixture(dir, &["USA", "CHN", "RUS", "IND", "VNM"], Some(2020.56));
    let rows = read_outcomes(&dir.join("outcomes.csv")).unwrap();
    let written = with_options(options, || {
        let mut written = draw_run_charts(dir).unwrap();
        let groups = [("a".to_string(), rows.clone()), ("b".to_string(), rows)];
        written.extend(draw_comparison(dir, &groups).unwrap());
        written
    });
    (tmp, written)
}

fn with_extension<'a>(files: &'a [PathBuf], ext: &'a str) -> impl Iterator<Item = &'a PathBuf> {
    files.iter().filter(move |p| p.extension().unwrap() == ext)
}

#[test]
fn presets_keep_every_text_at_8_pt_or_more_at_their_width() {
    for size in [ChartSize::Paper, ChartSize::Slide] {
        let preset = size.preset();
        let (_tmp, written) = draw_all_with(&ChartOptions { size, title: true });
        // A text of 8 pt printed at `dpi` has an em of 8 * dpi / 72 pixels.
        let needed = 8.0 * preset.dpi as f64 / 72.0;
        for svg in with_extension(&written, "svg") {
            let sizes = svg_font_sizes(svg);
            assert!(sizes.len() > 5, "{}", svg.display());
            let smallest = sizes.iter().copied().fold(f64::INFINITY, f64::min);
            assert!(
                smallest >= needed,
                "{size:?}: {} has text of {smallest} px, below {needed} px",
                svg.display()
            );
        }
        let width = match size {
            ChartSize::Paper => 1950, // 6.5 in at 300 DPI
            _ => 2000,                // 13.33 in at 150 DPI
        };
        for png in with_extension(&written, "png") {
            let (w, h, colours) = png_stats(png);
            assert_eq!(w, width, "{}", png.display());
            assert!(colours >= 6 && h >= 1000, "{}", png.display());
            let stem = png.file_stem().unwrap().to_str().unwrap();
            if stem.starts_with("fan_") && stem != "fan_all" && size == ChartSize::Slide {
                assert_eq!(h, 1125, "7.5 in at 150 DPI: {}", png.display());
            }
        }
    }
}

#[test]
fn pngs_state_their_resolution() {
    for size in [ChartSize::Screen, ChartSize::Paper, ChartSize::Slide] {
        let (_tmp, written) = draw_all_with(&ChartOptions { size, title: true });
        let dpi = size.preset().dpi as f64;
        for png in with_extension(&written, "png") {
            let (x, y) = png_dpi(png).unwrap_or_else(|| panic!("{} has no pHYs", png.display()));
            // Pixels per metre are whole numbers, so the stated resolution is
            // within half a pixel per metre (0.0127 DPI) of the preset's:
            // 150 DPI is written as 5906 px/m, 150.012 DPI.
            assert!(
                (x - dpi).abs() < 0.0127 && (y - dpi).abs() < 0.0127,
                "{x} {y}"
            );
        }
    }
}

#[test]
fn no_title_leaves_out_the_title_and_keeps_the_axes() {
    let titled = draw_all_with(&ChartOptions::default());
    let bare = draw_all_with(&ChartOptions {
        size: ChartSize::Screen,
        title: false,
    });
    let cases = [
        (
            "outcomes.svg",
            "Outcomes of baseline-2020",
            "probability (share of runs)",
        ),
        (
            "fan_USA-CHN.svg",
            "Alignment of USA-CHN over time",
            "alignment z (mean of both stances)",
        ),
        ("fan_all.svg", "Alignment of every dyad over time", "median"),
        (
            "final.svg",
            "Final alignment of each dyad across runs",
            "share of runs",
        ),
        (
            "comparison.svg",
            "Outcome probabilities by scenario",
            "probability (share of runs)",
        ),
    ];
    for (file, title, axis) in cases {
        let with = svg_texts(&chart(titled.0.path(), file));
        let without = svg_texts(&chart(bare.0.path(), file));
        assert!(with.contains(title), "{file}: {with}");
        assert!(!without.contains(title), "{file}: {without}");
        assert!(
            !without.contains("seed 2020"),
            "{file}: subtitle left: {without}"
        );
        assert!(without.contains(axis), "{file}: {without}");
    }
}

#[test]
fn plot_takes_the_size_and_title_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_fixture(dir, &["USA", "CHN", "RUS"], Some(2020.56));
    common::cli::entente_ok(&[
        "plot",
        dir.to_str().unwrap(),
        "--size",
        "paper",
        "--no-title",
    ]);
    let (w, _, _) = png_stats(&chart(dir, "outcomes.png"));
    assert_eq!(w, 1950);
    assert!(!svg_texts(&chart(dir, "outcomes.svg")).contains("Outcomes of"));
    let out = common::cli::entente_command(&["plot", dir.to_str().unwrap(), "--size", "poster"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("poster"));
}

/// The 2020 baseline with chart labels for USA, one outcome and every
/// uncertain parameter (`weight beta_E` for `params.beta_E`), written into `dir`.
fn labelled_baseline(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(common::cli::root().join("scenarios/baseline-2020.toml"))
        .unwrap()
        .replacen(
            "id = \"USA\"\n",
            "id = \"USA\"\nlabel = \"United States\"\n",
            1,
        )
        .replacen(
            "name = \"sino_russian_alliance\"\n",
            "name = \"sino_russian_alliance\"\nlabel = \"Sino-Russian alliance\"\n",
            1,
        );
    let mut labelled = String::new();
    for line in text.lines() {
        match line
            .strip_prefix("\"params.")
            .and_then(|rest| rest.split_once("\" = { "))
        {
            Some((name, rest)) => writeln!(
                labelled,
                "\"params.{name}\" = {{ label = \"weight {name}\", {rest}"
            )
            .unwrap(),
            None => writeln!(labelled, "{line}").unwrap(),
        }
    }
    assert!(labelled.matches("label = ").count() > 5);
    let path = dir.join("labelled.toml");
    fs::write(&path, labelled).unwrap();
    path
}

#[test]
fn scenario_labels_name_agents_outcomes_and_parameters_in_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = labelled_baseline(tmp.path());
    let out = tmp.path().join("out");
    common::cli::entente_ok(&[
        "run",
        scenario.to_str().unwrap(),
        "--runs",
        "800",
        "--out",
        out.to_str().unwrap(),
    ]);
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["labels"]["agents"]["USA"], "United States");
    assert_texts(
        &chart(&out, "fan_USA-CHN.svg"),
        &["Alignment of United States–CHN over time"],
    );
    assert_texts(
        &chart(&out, "fan_RUS-CHN.svg"),
        &["Alignment of RUS-CHN over time"],
    );
    assert_texts(
        &chart(&out, "fan_all.svg"),
        &["United States–CHN", "RUS-CHN"],
    );
    assert_texts(&chart(&out, "final.svg"), &["United States–RUS"]);
    assert_texts(
        &chart(&out, "configurations.svg"),
        &["romantic triangle, pivot United States"],
    );
    let outcomes = svg_texts(&chart(&out, "outcomes.svg"));
    assert!(outcomes.contains("Sino-Russian alliance"), "{outcomes}");
    assert!(!outcomes.contains("sino_russian_alliance"), "{outcomes}");
    assert!(
        outcomes.contains("drift"),
        "unlabelled outcomes keep their names"
    );
    let importance = svg_texts(&chart(&out, "importance.svg"));
    assert!(importance.contains("weight "), "{importance}");
    assert!(!importance.contains("params."), "{importance}");
    // The tables keep the ids.
    let table = fs::read_to_string(out.join("outcomes.csv")).unwrap();
    assert!(table.contains("sino_russian_alliance") && !table.contains("Sino-Russian"));
}

#[test]
fn folders_without_labels_still_draw() {
    // A manifest written before labels existed has no `labels` key.
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), &["USA", "CHN", "RUS"], Some(2020.56));
    let manifest = fs::read_to_string(tmp.path().join("manifest.json")).unwrap();
    assert!(!manifest.contains("labels"));
    draw_run_charts(tmp.path()).unwrap();
    assert_texts(
        &chart(tmp.path(), "fan_USA-CHN.svg"),
        &["Alignment of USA-CHN over time"],
    );
}

/// Keeps only steps up to `last` in the time series of a fixture folder.
fn cut_series(dir: &Path, last: u32) {
    for file in ["timeseries.csv", "config_timeseries.csv"] {
        let path = dir.join(file);
        let text = fs::read_to_string(&path).unwrap();
        let kept: Vec<&str> = text
            .lines()
            .enumerate()
            .filter(|(i, line)| {
                *i == 0 || line.split(',').next().unwrap().parse::<u32>().unwrap() <= last
            })
            .map(|(_, line)| line)
            .collect();
        fs::write(&path, kept.join("\n") + "\n").unwrap();
    }
}

#[test]
fn time_axes_show_calendar_years_and_quarters() {
    // 24 quarters from 2020-07-23 (2020.56): yearly ticks, months in the notes.
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), &["USA", "CHN", "RUS"], Some(2020.56));
    draw_run_charts(tmp.path()).unwrap();
    for file in ["fan_USA-CHN.svg", "configurations.svg"] {
        let texts = svg_texts(&chart(tmp.path(), file));
        for year in 2021..=2026 {
            assert!(
                texts.lines().any(|l| l == year.to_string()),
                "{file}: {year} in {texts}"
            );
        }
        assert!(
            !texts.contains("2020.5") && !texts.contains(" Q"),
            "{file}: {texts}"
        );
    }
    assert_texts(
        &chart(tmp.path(), "fan_USA-CHN.svg"),
        &["step 0 = Jul 2020, one step = 0.25 years, 24 steps to Jul 2026"],
    );
    assert_texts(
        &chart(tmp.path(), "outcomes.svg"),
        &["Jul 2020 to Jul 2026"],
    );

    // 8 quarters: ticks on calendar quarters.
    let short = tempfile::tempdir().unwrap();
    write_fixture(short.path(), &["USA", "CHN", "RUS"], Some(2020.56));
    cut_series(short.path(), 8);
    draw_run_charts(short.path()).unwrap();
    for file in ["fan_USA-CHN.svg", "configurations.svg"] {
        assert_texts(
            &chart(short.path(), file),
            &["2020 Q4", "2021 Q1", "2022 Q3"],
        );
    }
    // The small multiples have room for four ticks: every other quarter.
    let grid = svg_texts(&chart(short.path(), "fan_all.svg"));
    assert!(
        grid.contains("2021 Q1") && !grid.contains("2021 Q2"),
        "{grid}"
    );
}

/// Adds treaty figures to a fixture: the manifest's summary and a runs.csv
/// whose first treaty steps are `steps` (`None`: no treaty in that run).
fn add_treaties(dir: &Path, steps: &[Option<u32>]) {
    let path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let formed: Vec<u32> = steps.iter().flatten().copied().collect();
    manifest["summary"] = serde_json::json!({
        "treaty_probability": formed.len() as f64 / steps.len() as f64,
        "mean_first_treaty_step": (!formed.is_empty())
            .then(|| formed.iter().sum::<u32>() as f64 / formed.len() as f64),
        "mean_unbalanced_share": 0.0,
    });
    fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let mut runs = String::from(
        "run,draw,outcome,configuration,first_treaty_step,shocks_fired,unbalanced_share\n",
    );
    for (i, s) in steps.iter().enumerate() {
        let step = s.map_or(String::new(), |s| s.to_string());
        writeln!(runs, "{i},0,drift,loose,{step},0,0").unwrap();
    }
    fs::write(dir.join("runs.csv"), runs).unwrap();
}

/// The treaty marks' colour (Okabe-Ito reddish purple), used for nothing
/// else on a fan chart.
const TREATY_STROKE: &str = "stroke=\"#CC79A7\"";

#[test]
fn fans_mark_when_treaties_formed() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), &["USA", "CHN", "RUS"], Some(2020.56));
    // Four of ten runs formed a treaty, first at steps 4, 4, 10 and 12.
    let steps = [
        Some(4),
        None,
        Some(4),
        None,
        None,
        Some(10),
        None,
        Some(12),
        None,
        None,
    ];
    add_treaties(tmp.path(), &steps);
    draw_run_charts(tmp.path()).unwrap();
    for file in ["fan_USA-CHN.svg", "fan_all.svg"] {
        let path = chart(tmp.path(), file);
        assert_texts(
            &path,
            &[
                "mean step of a run's first treaty, any dyad (40.0% of runs)",
                "first treaties of a run, any dyad, per step (tick height ∝ runs)",
            ],
        );
        assert!(fs::read_to_string(&path).unwrap().contains(TREATY_STROKE));
    }
    // Vertical marks at four places: a rug tick at each of the steps 4, 10
    // and 12, and the dashed line at the mean step 7.5.
    let svg = fs::read_to_string(chart(tmp.path(), "fan_USA-CHN.svg")).unwrap();
    let mut xs: Vec<i64> = svg
        .lines()
        .filter(|l| l.starts_with("<polyline") && l.contains(TREATY_STROKE))
        .filter_map(|l| {
            let points = l.split("points=\"").nth(1)?.split('"').next()?;
            let xs: Vec<i64> = points
                .split_whitespace()
                .map(|p| p.split(',').next().unwrap().parse().unwrap())
                .collect();
            (xs.len() == 2 && xs[0] == xs[1]).then_some(xs[0])
        })
        .collect();
    xs.sort_unstable();
    xs.dedup();
    assert_eq!(xs.len(), 4, "vertical treaty marks at {xs:?}");
}

#[test]
fn a_dyads_rug_counts_its_own_first_treaties_when_runs_csv_has_them() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), &["USA", "CHN", "RUS"], Some(2020.56));
    add_treaties(tmp.path(), &[Some(4), Some(6), None]);
    // Per-dyad columns, as `--per-run` writes them: CHN-RUS formed its first
    // treaties at steps 4 and 6, USA-CHN never.
    let path = tmp.path().join("runs.csv");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[0].push_str(",first_treaty_step_USA-CHN,first_treaty_step_CHN-RUS");
    for (line, chn_rus) in lines[1..].iter_mut().zip(["4", "6", ""]) {
        line.push_str(&format!(",,{chn_rus}"));
    }
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    draw_run_charts(tmp.path()).unwrap();
    let own = "first treaties of the dyad shown, per step (tick height ∝ runs)";
    for dyad in ["USA-CHN", "CHN-RUS"] {
        let file = chart(tmp.path(), &format!("fan_{dyad}.svg"));
        let texts = svg_texts(&file);
        // USA-CHN formed none: its legend has no rug entry, only the mean line.
        assert_eq!(texts.contains(own), dyad == "CHN-RUS", "{dyad}: {texts}");
        assert!(
            texts.contains("mean step of a run's first treaty"),
            "{dyad}"
        );
    }
}

#[test]
fn fans_have_no_treaty_marks_without_treaties() {
    for steps in [&[None, None, None][..], &[]] {
        let tmp = tempfile::tempdir().unwrap();
        write_fixture(tmp.path(), &["USA", "CHN", "RUS"], Some(2020.56));
        if !steps.is_empty() {
            add_treaties(tmp.path(), steps);
        }
        draw_run_charts(tmp.path()).unwrap();
        for file in ["fan_USA-CHN.svg", "fan_all.svg"] {
            let path = chart(tmp.path(), file);
            assert!(!svg_texts(&path).contains("treat"), "{file}");
            assert!(
                !fs::read_to_string(&path).unwrap().contains(TREATY_STROKE),
                "{file}"
            );
        }
    }
}

#[test]
fn sweep_charts_follow_the_presets_too() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let file = common::cli::root().join("tests/sweeps/small-grid.toml");
    common::cli::entente_ok(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "2",
        "--size",
        "slide",
        "--no-title",
    ]);
    let slide = ChartSize::Slide.preset();
    let needed = 8.0 * slide.dpi as f64 / 72.0;
    let charts: Vec<PathBuf> = fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(charts.len() >= 4);
    for path in &charts {
        if path.extension().unwrap() == "svg" {
            let smallest = svg_font_sizes(path)
                .into_iter()
                .fold(f64::INFINITY, f64::min);
            assert!(smallest >= needed, "{}: {smallest} px", path.display());
            assert!(
                !svg_texts(path).contains("Probability of"),
                "{}",
                path.display()
            );
        } else {
            assert_eq!(png_stats(path).0, 2000, "{}", path.display());
            assert!(png_dpi(path).is_some_and(|(x, _)| (x - 150.0).abs() < 0.0127));
        }
    }
}

#[test]
fn compare_charts_show_the_outcome_labels_of_the_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    let labelled = labelled_baseline(tmp.path());
    let plain = common::cli::root().join("scenarios/us-courts-russia.toml");
    let out = tmp.path().join("cmp");
    common::cli::entente_ok(&[
        "compare",
        labelled.to_str().unwrap(),
        plain.to_str().unwrap(),
        "--runs",
        "320",
        "--out",
        out.to_str().unwrap(),
    ]);
    let comparison = svg_texts(&out.join("charts/comparison.svg"));
    assert!(comparison.contains("Sino-Russian alliance"), "{comparison}");
    assert!(
        !comparison.contains("sino_russian_alliance"),
        "{comparison}"
    );
    let differences = svg_texts(&out.join("charts/differences.svg"));
    assert!(
        !differences.contains(": sino_russian_alliance"),
        "{differences}"
    );
}
