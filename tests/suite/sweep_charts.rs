//! Sweep charts: the bundled small test sweeps (and a few written here: one grid
//! axis, three grid axes, a Latin hypercube) run through the binary, which draws
//! their charts. Every PNG must decode at 1600x1000 or more and not be blank, every
//! SVG must carry its title and axis labels as text, and `merge` must draw the same
//! charts as an unsharded sweep.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common;
use common::chart_files::{png_stats, svg_texts};
use common::cli::{entente_ok as entente, root};

/// Runs a sweep file into `out`.
fn sweep(file: &Path, out: &Path) {
    entente(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "2",
    ]);
}

fn bundled(name: &str) -> PathBuf {
    root().join("tests/sweeps").join(format!("{name}.toml"))
}

/// Writes a sweep file over the 2020 baseline into `dir` and returns its path.
fn write_sweep(dir: &Path, name: &str, body: &str) -> PathBuf {
    let scenario = root().join("scenarios/baseline-2020.toml");
    let text = format!(
        "name = \"{name}\"\nscenario = \"{}\"\nruns = 60\nseed = 11\n{body}",
        scenario.display()
    );
    let path = dir.join(format!("{name}.toml"));
    fs::write(&path, text).unwrap();
    path
}

/// Checks that `dir/charts` holds exactly a PNG and an SVG for each of `stems`,
/// that each PNG is large and colourful, and that each SVG has the texts listed for
/// its stem.
fn check_charts(dir: &Path, expected: &[(String, Vec<String>)]) {
    let charts = dir.join("charts");
    let mut listed: Vec<String> = fs::read_dir(&charts)
        .unwrap_or_else(|e| panic!("{}: {e}", charts.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    listed.sort();
    let mut wanted: Vec<String> = expected
        .iter()
        .flat_map(|(s, _)| [format!("{s}.png"), format!("{s}.svg")])
        .collect();
    wanted.sort();
    assert_eq!(listed, wanted, "charts of {}", dir.display());

    for (stem, texts) in expected {
        let png = charts.join(format!("{stem}.png"));
        let (w, h, colours) = png_stats(&png);
        assert!(w >= 1600 && h >= 1000, "{} is {w}x{h}", png.display());
        assert!(
            colours >= 6,
            "{} looks blank ({colours} colours)",
            png.display()
        );
        let svg = charts.join(format!("{stem}.svg"));
        let found = svg_texts(&svg);
        for t in texts {
            assert!(
                found.lines().any(|l| l.contains(t.as_str())),
                "{} lacks the text {t:?}; it has:\n{found}",
                svg.display()
            );
        }
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The outcome names a sweep reports, from its manifest.
fn outcomes(dir: &Path) -> Vec<String> {
    let m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    m["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn two_axis_grid_draws_a_heatmap_per_outcome() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("grid");
    sweep(&bundled("small-grid"), &out);
    let expected: Vec<(String, Vec<String>)> = outcomes(&out)
        .iter()
        .map(|o| {
            (
                format!("heatmap_{o}"),
                vec![
                    format!("Probability of {o}"),
                    format!("P({o})"),
                    "dyad.USA.CHN.P".to_string(),
                    "params.c_T".to_string(),
                    "small-grid on baseline-2020".to_string(),
                    "Wilson 95% intervals at most".to_string(),
                    "0.6".to_string(),
                    "0%".to_string(),
                ],
            )
        })
        .collect();
    assert!(expected.len() >= 2);
    check_charts(&out, &expected);

    // Drawing again through the library gives the same list of files.
    let mut written = entente::charts::draw_sweep_charts(&out).unwrap();
    written.sort();
    let mut wanted: Vec<PathBuf> = expected
        .iter()
        .flat_map(|(s, _)| {
            [
                out.join("charts").join(format!("{s}.png")),
                out.join("charts").join(format!("{s}.svg")),
            ]
        })
        .collect();
    wanted.sort();
    assert_eq!(written, wanted);
}

#[test]
fn sobol_sweep_draws_index_bars() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sobol");
    sweep(&bundled("small-sobol"), &out);
    check_charts(
        &out,
        &[(
            "sobol".to_string(),
            strings(&[
                "Sobol indices of P(partnership_short_of_alliance)",
                "Sobol index (share of variance)",
                "first-order index",
                "total index",
                "bootstrap 95% interval",
                "params.c_T",
                "params.beta_E",
                "dyad.USA.RUS.P",
            ]),
        )],
    );
}

#[test]
fn morris_sweep_draws_tornado_and_scatter() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("morris");
    sweep(&bundled("small-morris"), &out);
    check_charts(
        &out,
        &[
            (
                "morris".to_string(),
                strings(&[
                    "Morris screening of P(sino_russian_alliance)",
                    "μ*: mean absolute elementary effect",
                    "σ: standard deviation of the elementary effects",
                    "effect on P(sino_russian_alliance) per full range of the factor",
                    "params.c_T",
                    "params.M",
                ]),
            ),
            (
                "morris_scatter".to_string(),
                strings(&[
                    "Morris screening of P(sino_russian_alliance): μ* and σ",
                    "μ*: mean absolute elementary effect",
                    "σ: standard deviation of the effects",
                    "σ = μ*",
                    "params.c_T",
                    "params.M",
                ]),
            ),
        ],
    );
}

#[test]
fn oat_sweep_draws_a_tornado() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("oat");
    sweep(&bundled("small-oat"), &out);
    check_charts(
        &out,
        &[(
            "tornado".to_string(),
            strings(&[
                "One at a time: P(sino_russian_alliance)",
                "largest swing first",
                "P(sino_russian_alliance)",
                "at low end of range",
                "at high end of range",
                "base scenario: ",
                "Wilson 95% interval",
                "params.c_T",
                "params.M",
                "params.beta_E",
                "small-oat on baseline-2020",
                "oat design, 7 points",
                "%",
            ]),
        )],
    );
    // One tornado on the single-panel canvas: three factors fit its height.
    let (w, h, _) = png_stats(&out.join("charts/tornado.png"));
    assert_eq!((w, h), (1800, 1100));
    // The factor values are printed at the bar ends.
    let texts = svg_texts(&out.join("charts/tornado.svg"));
    for value in ["0.3", "12", "3"] {
        assert!(
            texts.lines().any(|l| l == value),
            "no bar-end text {value:?} in:\n{texts}"
        );
    }
}

#[test]
fn one_and_three_axis_grids_and_lhs() {
    let tmp = tempfile::tempdir().unwrap();

    let line = write_sweep(
        tmp.path(),
        "one-axis",
        "outcomes = [\"sino_russian_alliance\", \"partnership_short_of_alliance\"]\n\
         [grid]\naxes = [{ path = \"params.c_T\", from = 1.0, to = 3.0, steps = 5 }]\n",
    );
    let out = tmp.path().join("line");
    sweep(&line, &out);
    check_charts(
        &out,
        &[(
            "sweep_line".to_string(),
            strings(&[
                "Outcome probabilities across params.c_T",
                "probability (share of runs)",
                "params.c_T",
                "sino_russian_alliance",
                "partnership_short_of_alliance",
                "band: Wilson 95% interval",
            ]),
        )],
    );

    let three = write_sweep(
        tmp.path(),
        "three-axes",
        "outcomes = [\"sino_russian_alliance\"]\n[grid]\naxes = [\n\
         { path = \"shock.us_pressure_escalation.rate\", values = [0.0, 1.0] },\n\
         { path = \"shock.eu_china_deal_rail_bypass.rate\", values = [0.0, 0.5] },\n\
         { path = \"params.c_T\", values = [1.0, 3.0] },\n]\n",
    );
    let out = tmp.path().join("three");
    sweep(&three, &out);
    check_charts(
        &out,
        &[(
            "heatmap_sino_russian_alliance".to_string(),
            strings(&[
                "Probability of sino_russian_alliance",
                "shock.us_pressure_escalation.rate",
                "shock.eu_china_deal_rail_bypass.rate",
                "each cell is the mean over the other axes: params.c_T (2 values)",
            ]),
        )],
    );

    let lhs = write_sweep(
        tmp.path(),
        "lhs",
        "[design]\nkind = \"lhs\"\npoints = 20\ntarget = \"sino_russian_alliance\"\nfactors = [\n\
         { path = \"params.c_T\", from = 1.0, to = 3.0 },\n\
         { path = \"dyad.USA.CHN.P\", from = 0.0, to = 1.0 },\n\
         { path = \"shock.eu_china_deal_rail_bypass.rate\", from = 0.0, to = 0.5 },\n\
         { path = \"agent.CHN.aggression\", from = 0.0, to = 1.0 },\n]\n",
    );
    let out = tmp.path().join("lhs");
    sweep(&lhs, &out);
    check_charts(
        &out,
        &[(
            "lhs".to_string(),
            strings(&[
                "P(sino_russian_alliance) against each factor",
                "value of the factor named above each panel",
                "params.c_T",
                "dyad.USA.CHN.P",
                "shock.eu_china_deal_rail_bypass.rate",
                "agent.CHN.aggression",
                "design point (60 runs)",
            ]),
        )],
    );
}

#[test]
fn merge_draws_the_charts_of_the_whole_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    sweep(&bundled("small-sobol"), &whole);
    let file = bundled("small-sobol");
    let mut shards = Vec::new();
    for i in 0..2 {
        let dir = tmp.path().join(format!("shard-{i}"));
        entente(&[
            "sweep",
            file.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            "--shard",
            &format!("{i}/2"),
        ]);
        assert!(!dir.join("charts").exists(), "a shard draws no charts");
        shards.push(dir.display().to_string());
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(String::as_str));
    args.extend(["--out", merged.to_str().unwrap()]);
    entente(&args);
    for name in ["sobol.png", "sobol.svg"] {
        assert!(merged.join("charts").join(name).is_file(), "{name}");
    }
    assert_eq!(
        fs::read(whole.join("charts/sobol.svg")).unwrap(),
        fs::read(merged.join("charts/sobol.svg")).unwrap(),
        "merged and whole sweeps draw the same chart"
    );
}
