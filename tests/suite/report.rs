//! Reports: `entente run --report` and `entente compare --report` write report.md
//! and a self-contained report.html (charts inlined as SVG, nothing loaded from
//! elsewhere) that name the outcomes and the scenario's SHA-256; text from the
//! folder is escaped; a folder without parameters.csv says so.
//!
//! `entente report DIR` rebuilds the same report from the folder alone, for
//! run, compare, sweep and calibrate folders; after `plot` it brings in the
//! charts; it writes report.md and report.html and nothing else; a folder
//! that is not a result folder is bad input (exit 2). The run report states
//! each rule in words, the shocks with their effects and evidence, the
//! treaty summary, dyads.csv and shocks.csv, references, limitations, the
//! share of values resting on judgment and the code version.

use std::fs;
use std::path::Path;

use crate::common;
use common::cli::entente_command;
use common::cli::entente_ok as entente;

fn run_with_report(out: &Path) {
    entente(&[
        "run",
        "scenarios/baseline-2020.toml",
        "--runs",
        "500",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
        "--report",
    ]);
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Fails if the HTML refers to anything outside itself.
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
        "<script",
        "<link",
        "src='http",
        "href='http",
    ] {
        assert!(!lower.contains(bad), "report.html contains {bad:?}");
    }
}

/// Names of the files in `dir` (no temporary files may be left behind).
fn assert_no_temporary_files(dir: &Path) {
    for entry in fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !name.contains("tmp") && !name.starts_with('.'),
            "leftover file {name} in {}",
            dir.display()
        );
    }
}

#[test]
fn run_report_is_complete_and_self_contained() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    run_with_report(&out);
    let m = manifest(&out);
    let sha = m["scenario"]["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);

    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(
        html.matches("<svg").count() >= 4,
        "charts are inlined as SVG"
    );
    for o in m["outcomes"].as_array().unwrap() {
        assert!(html.contains(o.as_str().unwrap()), "{o} missing");
    }
    assert!(html.contains(sha), "SHA-256 missing");
    assert!(html.contains("baseline-2020"));
    assert!(
        html.contains("Pompeo&#39;s July 2020 speech"),
        "description, escaped"
    );
    // 500 runs asked; 32 draws of 16 runs were done (whole lockstep groups).
    assert!(
        html.contains("entente run scenarios/baseline-2020.toml --runs 512 --seed 2020 --draws 32")
    );
    // The parameter and evidence table.
    assert!(html.contains("<code>dyad.RUS.CHN.E</code>"));
    assert!(html.contains("The Enemy of My Enemy is My Friend"));
    assert_self_contained(&html);

    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.starts_with("# Scenario baseline-2020"));
    assert!(md.contains("](charts/outcomes.png)"));
    assert!(md.contains(sha));
    assert!(md.contains("| `partnership_short_of_alliance` |"));
    assert!(md.contains("`dyad.RUS.CHN.E`"));
    assert_no_temporary_files(&out);
}

#[test]
fn report_escapes_text_and_notes_missing_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    entente(&[
        "run",
        "scenarios/baseline-2020.toml",
        "--runs",
        "200",
        "--out",
        out.to_str().unwrap(),
    ]);
    let mut m = manifest(&out);
    m["scenario"]["description"] =
        serde_json::json!("<script>alert(1)</script> & a \"quoted\" <b>word</b> | *x*");
    fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&m).unwrap(),
    )
    .unwrap();
    let _ = fs::remove_file(out.join("parameters.csv"));

    entente::report::write_run_report(&out).unwrap();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; a &quot;quoted&quot;"));
    assert!(!html.contains("<b>word</b>"));
    assert_self_contained(&html);
    assert!(html.contains("no parameters.csv"));
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("\\<script\\>"));
    assert!(md.contains("no parameters.csv"));
    assert_no_temporary_files(&out);
}

#[test]
fn comparison_report_covers_every_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("compare");
    entente(&[
        "compare",
        "scenarios/baseline-2020.toml",
        "scenarios/us-courts-russia.toml",
        "--runs",
        "300",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
        "--report",
    ]);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.matches("<svg").count() >= 3,
        "comparison and outcome charts"
    );
    for name in ["baseline-2020", "us-courts-russia"] {
        assert!(
            html.contains(&format!("<h2>Scenario {name}</h2>")),
            "{name}"
        );
        let sha = manifest(&out.join(name))["scenario"]["sha256"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(html.contains(&sha), "SHA-256 of {name}");
    }
    assert!(html.contains("partnership_short_of_alliance"));
    assert_self_contained(&html);
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("](charts/comparison.png)"));
    assert!(md.contains("](us-courts-russia/charts/outcomes.png)"));
    assert!(md.contains("| outcome | baseline-2020 | us-courts-russia |"));
}

/// Runs `entente report DIR` and fails the test unless it succeeds.
fn report(dir: &Path) {
    entente(&["report", dir.to_str().unwrap()]);
}

/// Every file under `dir` (relative path) with its bytes.
fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// Removes the report files of `dir` and rebuilds them with `entente report`;
/// fails unless the new files equal the old ones byte for byte and no other
/// file of the folder changed.
fn assert_rebuilt_identically(dir: &Path) {
    let before = snapshot(dir);
    for f in ["report.md", "report.html"] {
        assert!(before.contains_key(f), "{f} missing before the rebuild");
        fs::remove_file(dir.join(f)).unwrap();
    }
    report(dir);
    let after = snapshot(dir);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "report DIR writes report.md and report.html only"
    );
    for (name, bytes) in &before {
        assert!(after[name] == *bytes, "{name} differs after the rebuild");
    }
}

#[test]
fn report_dir_rebuilds_the_run_report_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    run_with_report(&out);
    assert_rebuilt_identically(&out);
    assert_no_temporary_files(&out);
}

#[test]
fn the_run_report_explains_rules_shocks_treaties_and_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    run_with_report(&out);
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    let m = manifest(&out);
    // Each rule in words, and the dead one named as such.
    assert!(md.contains("### How the outcomes are defined"));
    assert!(md.contains("RUS-CHN is in alliance (a treaty in force) at the horizon"));
    assert!(md.contains("rose by at least 0.5 from step 0"));
    assert!(
        md.contains("`russia_pivot` can never match"),
        "dead rule named"
    );
    // Shocks: each with its effects as parameters with evidence.
    assert!(md.contains("## Shocks"));
    assert!(md.contains("### russia\\_political\\_change"));
    assert!(
        md.contains(
            "`shock.russia_political_change.effects.0.value` | add 0.8 to dyad.RUS.USA.N |"
        )
    );
    assert!(
        !md.contains("no evidence recorded"),
        "every effect has evidence"
    );
    // Treaties, dyads.csv and shocks.csv as tables.
    let treaty = m["summary"]["treaty_probability"].as_f64().unwrap();
    let said = md
        .split("A defence treaty was signed in ")
        .nth(1)
        .and_then(|rest| rest.split('%').next())
        .and_then(|p| p.parse::<f64>().ok())
        .expect("the treaty share is stated");
    assert!(
        (said / 100.0 - treaty).abs() < 0.001,
        "{said}% against {treaty}"
    );
    assert!(md.contains("| dyad | mean\\_final\\_alignment | p\\_alliance |"));
    assert!(md.contains("| `RUS-CHN` |"));
    assert!(md.contains("| shock | runs\\_fired | probability | mean\\_fires\\_per\\_run |"));
    // Evidence kinds, references, limitations and the code version.
    assert!(md.contains("of the calibrated values rest on judgment"));
    assert!(md.contains("## References"));
    assert!(md.contains("Estimating Dynamic State Preferences"));
    assert!(md.contains("## Limitations"));
    let code = m["code_version"].as_str().unwrap();
    assert!(md.contains(code), "code version {code}");
}

#[test]
fn a_report_rebuilt_after_plot_shows_the_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let dir = out.to_str().unwrap();
    entente(&[
        "run",
        "scenarios/baseline-2020.toml",
        "--runs",
        "200",
        "--out",
        dir,
        "--no-charts",
        "--report",
    ]);
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("No charts in this folder"));
    assert!(!md.contains("charts/outcomes.png"));

    entente(&["plot", dir]);
    report(&out);
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!md.contains("No charts in this folder"), "{md}");
    assert!(md.contains("](charts/outcomes.png)"));
    assert!(md.contains("](charts/fan_all.png)"));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.matches("<svg").count() >= 4, "charts inlined");
    assert_self_contained(&html);
}

#[test]
fn report_dir_rebuilds_compare_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("compare");
    entente(&[
        "compare",
        "scenarios/baseline-2020.toml",
        "scenarios/us-courts-russia.toml",
        "--runs",
        "200",
        "--out",
        out.to_str().unwrap(),
        "--report",
    ]);
    assert_rebuilt_identically(&out);
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert_eq!(
        md.matches("`russia_pivot` can never match").count(),
        2,
        "noted under each scenario"
    );
}

#[test]
fn report_dir_writes_a_sweep_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let dir = out.to_str().unwrap();
    entente(&[
        "sweep",
        "tests/sweeps/small-grid.toml",
        "--out",
        dir,
        "--no-charts",
    ]);
    report(&out);
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.starts_with("# Sweep small-grid"));
    assert!(md.contains("| `dyad.USA.CHN.P` | 0.2 | 1 |"));
    assert!(md.contains("| `params.c_T` | 1 | 3 |"));
    assert!(md.contains("| `sino_russian_alliance` |"));
    assert!(md.contains("No charts in this folder"));
    entente(&["plot", dir]);
    report(&out);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg"), "the grid's heatmaps once drawn");
    assert_self_contained(&html);
    assert_no_temporary_files(&out);
}

#[test]
fn report_dir_rebuilds_calibration_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("calibration");
    let cal = crate::calibrate::fixture(
        tmp.path(),
        &crate::calibrate::synthetic_data(None),
        &common::cli::root().join("tests/calibration/small.toml"),
        crate::calibrate::FAST,
    );
    crate::calibrate::calibrate(&cal, &out, &["--report"]);
    assert_rebuilt_identically(&out);
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.starts_with("# Calibration small"));
    // Fitted to every year: no held-out scores, and the report says so.
    assert!(md.contains("the fit used every observed year"), "{md}");
    assert!(md.contains("## Posterior against prior"));
}

#[test]
fn report_on_a_folder_that_is_no_result_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("notes.txt"), "not a result").unwrap();
    let o = entente_command(&["report", tmp.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("is not a result folder (no manifest.json)"),
        "{err}"
    );
    assert!(
        err.contains(tmp.path().to_str().unwrap()),
        "names the folder: {err}"
    );
    // A manifest beside no table of any kind is no result folder either.
    fs::write(tmp.path().join("manifest.json"), "{}").unwrap();
    let o = entente_command(&["report", tmp.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not the files of a run"));
    assert!(!tmp.path().join("report.md").exists());
    assert!(!tmp.path().join("report.html").exists());
}

#[test]
fn manifests_carry_the_code_version() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    entente(&[
        "run",
        "scenarios/baseline-2020.toml",
        "--runs",
        "16",
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
    ]);
    let m = manifest(&out);
    let code = m["code_version"].as_str().unwrap();
    let version = m["entente_version"].as_str().unwrap();
    assert!(code.starts_with(version), "{code}");
    // Built from a git checkout, the commit follows as 40 hex digits.
    if let Some(commit) = code.strip_prefix(&format!("{version} (git ")) {
        let commit = commit.strip_suffix(')').unwrap();
        assert_eq!(commit.len(), 40, "{code}");
        assert!(commit.chars().all(|c| c.is_ascii_hexdigit()), "{code}");
    } else {
        assert_eq!(code, version);
    }
}
