//! The evidence record and the outcome-rule check of `entente validate`:
//! every calibrated number is listed with its evidence, shock effect sizes
//! (`shock.<id>.effects.<k>.value`) and outcome thresholds
//! (`outcome.<name>.when.<k>.<field>`) included; `--strict` exits 2 naming
//! the file and key when one has none, and passes on every bundled
//! scenario; a rule that can never match is warned about, a live one is
//! not, and the outcome chart leaves a dead rule out, saying so.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common;
use common::cli::{entente_command, root};

fn validate(args: &[&str]) -> Output {
    let mut all = vec!["validate"];
    all.extend(args);
    entente_command(&all).output().expect("entente runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A copy of the baseline scenario in `dir`, with `edit` applied to its text.
fn baseline_copy(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let text = fs::read_to_string(root().join("scenarios/baseline-2020.toml")).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit changes the scenario");
    let path = dir.join("edited.toml");
    fs::write(&path, edited).unwrap();
    path
}

/// The `[[evidence]]` entry of `path` removed from a scenario's text.
fn without_evidence(text: String, path: &str) -> String {
    let start = text
        .find(&format!("[[evidence]]\npath = \"{path}\""))
        .unwrap_or_else(|| panic!("no evidence entry for {path}"));
    let end = text[start + 1..]
        .find("[[evidence]]")
        .map_or(text.len(), |e| start + 1 + e);
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn every_bundled_scenario_passes_strict() {
    let mut checked = 0;
    for entry in fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let o = validate(&["--strict", path.to_str().unwrap()]);
        assert!(o.status.success(), "{}: {}", path.display(), stderr(&o));
        checked += 1;
    }
    assert!(checked >= 7, "found only {checked} scenarios");
}

#[test]
fn validate_lists_effects_and_thresholds_with_their_evidence() {
    let o = validate(&["scenarios/baseline-2020.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let line = |path: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{path} ")))
            .unwrap_or_else(|| panic!("{path} not listed:\n{out}"))
            .to_string()
    };
    let effect = line("shock.russia_political_change.effects.0.value");
    assert!(effect.contains("0.8000"), "{effect}");
    assert!(
        effect.contains("Old Habits Die Hard"),
        "its evidence: {effect}"
    );
    let threshold = line("outcome.us_russia_rapprochement.when.0.rise_at_least");
    assert!(threshold.contains("0.5000"), "{threshold}");
    assert!(
        threshold.contains("definition of the outcome"),
        "{threshold}"
    );
    assert!(!out.contains("without evidence"), "{out}");
    assert!(
        out.contains("calibrated values by what they rest on:") && out.contains(" no evidence"),
        "{out}"
    );
}

#[test]
fn strict_fails_on_a_value_without_evidence_naming_file_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let file = baseline_copy(tmp.path(), |t| {
        without_evidence(t, "shock.joint_unsc_veto.effects")
    });
    let name = file.to_str().unwrap();
    // Without --strict the gap is reported but the scenario is valid.
    let o = validate(&[name]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("without evidence: shock.joint_unsc_veto.effects.0.value"));

    let o = validate(&["--strict", name]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(name), "names the file: {err}");
    assert!(
        err.contains("key `shock.joint_unsc_veto.effects.0.value`"),
        "names the key: {err}"
    );
    assert!(
        err.contains("1 calibrated values have no evidence"),
        "{err}"
    );
    assert!(!err.contains("panicked"));

    // An entry for the one effect, by index, closes the gap.
    let text = fs::read_to_string(&file).unwrap()
        + "\n[[evidence]]\npath = \"shock.joint_unsc_veto.effects.0.value\"\n\
           source = \"Judgment\"\nsection = \"\"\nclaim = \"A test entry.\"\nkind = \"judgment\"\n";
    fs::write(&file, text).unwrap();
    let o = validate(&["--strict", name]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn an_evidence_path_naming_no_threshold_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let file = baseline_copy(tmp.path(), |t| {
        t.replace(
            "path = \"outcome.us_russia_rapprochement.when.0.rise_at_least\"",
            "path = \"outcome.us_russia_rapprochement.when.0.rise_at_most\"",
        )
    });
    let o = validate(&[file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("evidence.path"), "{err}");
    assert!(
        err.contains("did you mean `outcome.us_russia_rapprochement.when.0.rise_at_least`"),
        "{err}"
    );
}

const DEAD: &str = "warning: outcome rule `russia_pivot` can never match";

#[test]
fn a_rule_shadowed_by_earlier_rules_is_warned_about() {
    let o = validate(&["scenarios/baseline-2020.toml"]);
    let out = stdout(&o);
    assert!(out.contains(DEAD), "{out}");
    assert!(
        out.contains("sino_russian_alliance or partnership_short_of_alliance"),
        "names the rules that take its runs: {out}"
    );
    assert_eq!(out.matches("warning:").count(), 1, "no other rule is dead");
}

/// The baseline with its `russia_pivot` rule tried first, where it can match.
fn pivot_first(dir: &Path) -> PathBuf {
    let pivot = "[[outcomes]]\nname = \"russia_pivot\"\n\
                 description = \"Romantic triangle with Russia on both positive ties.\"\n\
                 when = [ { configuration = \"romantic_triangle\", pivot = \"RUS\" } ]\n\n";
    baseline_copy(dir, |t| {
        let first = t.find("[[outcomes]]").unwrap();
        let moved = t.replacen(pivot, "", 1);
        assert_ne!(moved, t, "the pivot rule is found");
        format!("{}{pivot}{}", &moved[..first], &moved[first..])
    })
}

#[test]
fn the_same_rule_tried_first_is_live() {
    let tmp = tempfile::tempdir().unwrap();
    let file = pivot_first(tmp.path());
    let o = validate(&[file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("warning:"), "{}", stdout(&o));
}

#[test]
fn the_outcome_chart_leaves_a_dead_rule_out_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    common::cli::entente_ok(&[
        "run",
        "scenarios/baseline-2020.toml",
        "--runs",
        "100",
        "--out",
        out.to_str().unwrap(),
    ]);
    let texts = common::chart_files::svg_texts(&out.join("charts/outcomes.svg"));
    assert!(texts.contains("left out"), "{texts}");
    // Named once, in the note; no bar of its own.
    assert_eq!(texts.matches("russia_pivot").count(), 1, "{texts}");
    assert!(texts.contains("partnership_short_of_alliance"), "{texts}");
}

#[test]
fn the_comparison_chart_leaves_out_a_rule_dead_in_every_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("compare");
    common::cli::entente_ok(&[
        "compare",
        "scenarios/baseline-2020.toml",
        "scenarios/us-courts-russia.toml",
        "--runs",
        "100",
        "--out",
        out.to_str().unwrap(),
    ]);
    let texts = common::chart_files::svg_texts(&out.join("charts/comparison.svg"));
    assert!(texts.contains("left out"), "{texts}");
    assert_eq!(texts.matches("russia_pivot").count(), 1, "{texts}");
    assert!(texts.contains("partnership_short_of_alliance"), "{texts}");
}

/// A rule that matches in the second scenario (tried first there) keeps its
/// bars in the comparison, though it is dead in the first.
#[test]
fn the_comparison_chart_keeps_a_rule_that_one_scenario_can_match() {
    let tmp = tempfile::tempdir().unwrap();
    let live = pivot_first(tmp.path());
    let text = fs::read_to_string(&live).unwrap();
    fs::write(
        &live,
        text.replacen("name = \"baseline-2020\"", "name = \"pivot-first\"", 1),
    )
    .unwrap();
    let out = tmp.path().join("compare");
    common::cli::entente_ok(&[
        "compare",
        "scenarios/baseline-2020.toml",
        live.to_str().unwrap(),
        "--runs",
        "100",
        "--out",
        out.to_str().unwrap(),
    ]);
    let texts = common::chart_files::svg_texts(&out.join("charts/comparison.svg"));
    assert!(!texts.contains("left out"), "{texts}");
    assert!(texts.contains("russia_pivot"), "{texts}");
}
