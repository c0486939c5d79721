//! Reports: `entente run --report` and `entente compare --report` write report.md
//! and a self-contained report.html (charts inlined as SVG, nothing loaded from
//! elsewhere) that name the outcomes and the scenario's SHA-256; text from the
//! folder is escaped; a folder without parameters.csv says so.

use std::fs;
use std::path::Path;

use crate::common;
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
