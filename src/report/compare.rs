//! The report of a `compare` folder.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use super::doc::{Block, Cell, Doc, Span, fmt_interval};
use super::folder::{chart_caption, chart_exists, figure, read_manifest, scenario_field};
use super::render::write_both;
use super::run::{outcome_table, run_facts};
use crate::charts::read_outcomes;
use crate::format::{fmt_count, fmt_pct};
use crate::output::read_table;
use crate::output::rows::{ComparisonRow, DifferenceRow};

/// Writes `report.md` and `report.html` into the comparison folder `dir`.
pub fn write_compare_report(dir: &Path) -> Result<()> {
    let manifest = read_manifest(dir).ok();
    let rows = read_table::<ComparisonRow>(&dir.join("comparison.csv"))?;
    let mut names: Vec<String> = Vec::new();
    for r in &rows {
        if !names.contains(&r.scenario) {
            names.push(r.scenario.clone());
        }
    }
    let mut doc = Doc::default();
    doc.push(Block::Heading(
        1,
        format!("Comparison of {}", names.join(", ")),
    ));
    if let Some(m) = &manifest {
        let mut facts = Vec::new();
        if let Some(runs) = m.get("runs").and_then(Value::as_u64) {
            facts.push(format!("{} runs per scenario", fmt_count(runs)));
        }
        if let Some(seed) = m.get("seed").and_then(Value::as_u64) {
            facts.push(format!("seed {seed}"));
        }
        if !facts.is_empty() {
            doc.push(Block::Para(vec![Span::Text(format!(
                "{}; every scenario ran with the same seed and number of runs.",
                facts.join(", ")
            ))]));
        }
    }

    doc.push(Block::Heading(2, "Outcomes side by side".into()));
    doc.push(Block::Para(vec![Span::Text(
        "Share of runs ending in each outcome, with its Wilson 95% interval in parentheses; \
         a dash marks an outcome the scenario does not define."
            .into(),
    )]));
    doc.push(comparison_table(&names, &rows));
    if chart_exists(dir, Path::new("charts"), "comparison") {
        doc.push(figure(
            dir,
            Path::new("charts"),
            "comparison",
            "Outcome probabilities by scenario, with Wilson 95% intervals",
        )?);
    }
    doc.extend(difference_blocks(dir)?);

    for sub in scenario_folders(dir, &names)? {
        let sub_dir = dir.join(&sub);
        let sub_manifest = read_manifest(&sub_dir)?;
        let name = scenario_field(&sub_manifest, "name").unwrap_or_else(|| sub.clone());
        doc.push(Block::Heading(2, format!("Scenario {name}")));
        if let Some(d) =
            scenario_field(&sub_manifest, "description").filter(|d| !d.trim().is_empty())
        {
            doc.push(Block::Para(vec![Span::Text(d)]));
        }
        let mut about = vec![Span::Text(run_facts(&sub_manifest))];
        if let Some(file) = scenario_field(&sub_manifest, "file") {
            about.push(Span::Text(". Scenario file ".into()));
            about.push(Span::Code(file));
            if let Some(sha) = scenario_field(&sub_manifest, "sha256") {
                about.push(Span::Text(", SHA-256 ".into()));
                about.push(Span::Code(sha));
            }
        }
        about.push(Span::Text(".".into()));
        doc.push(Block::Para(about));
        doc.extend(parent_differences(&sub_manifest));
        let outcomes = read_outcomes(&sub_dir.join("outcomes.csv"))?;
        doc.push(outcome_table(&outcomes));
        doc.extend(super::scenario::dead_rules_of(&sub_manifest));
        let rel = Path::new(&sub).join("charts");
        if chart_exists(dir, &rel, "outcomes") {
            doc.push(figure(
                dir,
                &rel,
                "outcomes",
                &format!("Outcomes of {name}, with Wilson 95% intervals"),
            )?);
        }
        if sub_dir.join("report.html").is_file() {
            doc.push(Block::Para(vec![
                Span::Text("Full report of this scenario: ".into()),
                Span::Link(format!("{sub}/report.html")),
                Span::Text(".".into()),
            ]));
        }
    }

    doc.push(Block::Heading(2, "Reproducing this comparison".into()));
    doc.extend(reproduce_comparison(manifest.as_ref()));
    write_both(
        dir,
        &format!("entente comparison: {}", names.join(", ")),
        &doc,
    )
}

/// Subfolders of a comparison that are run result folders: those named after the
/// compared scenarios first, in their order, then any other, by name.
fn scenario_folders(dir: &Path, names: &[String]) -> Result<Vec<String>> {
    let is_run = |p: &Path| p.join("manifest.json").is_file() && p.join("outcomes.csv").is_file();
    let mut out: Vec<String> = names
        .iter()
        .filter(|n| is_run(&dir.join(n)))
        .cloned()
        .collect();
    let mut others = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if entry.path().is_dir() && is_run(&entry.path()) && !out.contains(&name) {
            others.push(name);
        }
    }
    others.sort();
    out.extend(others);
    Ok(out)
}

/// The paired differences of a comparison (`differences.csv`), as a table
/// with its chart.
fn difference_blocks(dir: &Path) -> Result<Vec<Block>> {
    let path = dir.join("differences.csv");
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let rows: Vec<DifferenceRow> = read_table(&path)?;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let pp = |v: f64| format!("{:+.1} pp", v * 100.0);
    let mut out = vec![
        Block::Heading(2, format!("Differences against {}", first.reference)),
        Block::Para(vec![Span::Text(
            "Every scenario ran on the same parameter draws and the same run streams, so \
             each difference is paired: its interval leaves out the chance the scenarios \
             share. The unpaired interval is what independent runs would have given."
                .into(),
        )]),
        Block::Table {
            header: vec![
                "scenario".into(),
                "outcome".into(),
                "difference".into(),
                "paired 95% interval".into(),
                "5-95% over draws".into(),
                "unpaired 95% interval".into(),
            ],
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::code(&r.scenario),
                        Cell::code(&r.outcome),
                        Cell::number(pp(r.difference)),
                        Cell::number(format!("{} to {}", pp(r.ci_low), pp(r.ci_high))),
                        Cell::number(format!("{} to {}", pp(r.draw_p05), pp(r.draw_p95))),
                        Cell::number(format!(
                            "{} to {}",
                            pp(r.unpaired_ci_low),
                            pp(r.unpaired_ci_high)
                        )),
                    ]
                })
                .collect(),
            class: "numbers",
        },
    ];
    if chart_exists(dir, Path::new("charts"), "differences") {
        out.push(figure(
            dir,
            Path::new("charts"),
            "differences",
            &chart_caption("differences"),
        )?);
    }
    Ok(out)
}

/// What a scenario changes relative to the parent it extends, as recorded
/// in its manifest.
fn parent_differences(m: &Value) -> Vec<Block> {
    let Some(parent) = scenario_field(m, "extends") else {
        return Vec::new();
    };
    let lines: Vec<String> = m
        .get("scenario")
        .and_then(|s| s.get("differences"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let mut out = vec![Block::Para(vec![
        Span::Text("Extends ".into()),
        Span::Code(parent),
        Span::Text(format!(", with {} differences:", lines.len())),
    ])];
    out.push(Block::Table {
        header: vec!["difference from the parent".into()],
        rows: lines.iter().map(|l| vec![Cell::code(l)]).collect(),
        class: "",
    });
    out
}

fn comparison_table(names: &[String], rows: &[ComparisonRow]) -> Block {
    let mut outcomes: Vec<String> = Vec::new();
    for r in rows {
        if !outcomes.contains(&r.outcome) {
            outcomes.push(r.outcome.clone());
        }
    }
    let index: BTreeMap<(&str, &str), &ComparisonRow> = rows
        .iter()
        .map(|r| ((r.scenario.as_str(), r.outcome.as_str()), r))
        .collect();
    let mut header = vec!["outcome".to_string()];
    header.extend(names.iter().cloned());
    Block::Table {
        header,
        rows: outcomes
            .iter()
            .map(|o| {
                let mut row = vec![Cell::code(o)];
                for n in names {
                    row.push(match index.get(&(n.as_str(), o.as_str())) {
                        Some(r) => Cell::number(format!(
                            "{} ({})",
                            fmt_pct(r.probability),
                            fmt_interval(r.ci_low, r.ci_high)
                        )),
                        None => Cell::number("–"),
                    });
                }
                row
            })
            .collect(),
        class: "numbers",
    }
}

fn reproduce_comparison(m: Option<&Value>) -> Vec<Block> {
    let Some(m) = m else {
        return vec![Block::Para(vec![Span::Text(
            "This folder has no manifest.json; each scenario's own section gives its file and SHA-256."
                .into(),
        )])];
    };
    let mut out = Vec::new();
    let scenarios: Vec<(String, String, String)> = m
        .get("scenarios")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|s| {
                    let f = |k: &str| {
                        s.get(k)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string()
                    };
                    (f("name"), f("file"), f("sha256"))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut facts = Vec::new();
    if let Some(v) = m.get("entente_version").and_then(Value::as_str) {
        facts.push(vec![Cell::text("entente version"), Cell::code(v)]);
    }
    if let Some(v) = super::run::code_version(m) {
        facts.push(vec![Cell::text("code version"), Cell::code(v)]);
    }
    if let Some(seed) = m.get("seed").and_then(Value::as_u64) {
        facts.push(vec![Cell::text("seed"), Cell::code(seed.to_string())]);
    }
    if let Some(runs) = m.get("runs").and_then(Value::as_u64) {
        facts.push(vec![
            Cell::text("runs per scenario"),
            Cell::text(fmt_count(runs)),
        ]);
    }
    if let Some(c) = m.get("command").and_then(Value::as_str) {
        facts.push(vec![Cell::text("command"), Cell::code(c)]);
    }
    out.push(Block::Para(vec![Span::Text(
        "From manifest.json of this folder:".into(),
    )]));
    out.push(Block::Table {
        header: vec!["field".into(), "value".into()],
        rows: facts,
        class: "facts",
    });
    if !scenarios.is_empty() {
        out.push(Block::Table {
            header: vec!["scenario".into(), "file".into(), "SHA-256".into()],
            rows: scenarios
                .iter()
                .map(|(n, f, s)| vec![Cell::code(n), Cell::code(f), Cell::code(s)])
                .collect(),
            class: "",
        });
        if let (Some(seed), Some(runs)) = (
            m.get("seed").and_then(Value::as_u64),
            m.get("runs").and_then(Value::as_u64),
        ) {
            let files: Vec<&str> = scenarios.iter().map(|s| s.1.as_str()).collect();
            out.push(Block::Para(vec![Span::Text(
                "The same entente version, scenario files and seed give the same results:".into(),
            )]));
            out.push(Block::Command(format!(
                "entente compare {} --runs {runs} --seed {seed}",
                files.join(" ")
            )));
        }
    }
    out
}
