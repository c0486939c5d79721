//! The report of a `run` folder.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use serde_json::Value;

use super::doc::{Block, Cell, Doc, Span, fmt_interval};
use super::evidence::{self, read_parameters};
use super::folder::{chart_caption, charts_section, read_manifest, scenario_field};
use super::render::write_both;
use super::scenario;
use crate::charts::read_outcomes;
use crate::format::{fmt_count, fmt_num, fmt_pct};
use crate::output::read_table;
use crate::output::rows::{ConfigurationRow, ImportanceRow, OutcomeRow};

/// Writes `report.md` and `report.html` into the run result folder `dir`.
pub fn write_run_report(dir: &Path) -> Result<()> {
    let manifest = read_manifest(dir)?;
    let outcomes = read_outcomes(&dir.join("outcomes.csv"))?;
    let name = scenario_field(&manifest, "name").unwrap_or_else(|| "unnamed scenario".into());

    let mut doc = Doc::default();
    doc.push(Block::Heading(1, format!("Scenario {name}")));
    if let Some(d) = scenario_field(&manifest, "description").filter(|d| !d.trim().is_empty()) {
        doc.push(Block::Para(vec![Span::Text(d)]));
    }
    doc.push(Block::Para(vec![Span::Text(run_facts(&manifest))]));
    if let Some(code) = code_version(&manifest) {
        doc.push(Block::Para(vec![
            Span::Text("Produced by entente ".into()),
            Span::Code(code),
            Span::Text(".".into()),
        ]));
    }
    let parameters = read_parameters(dir)?;
    let parameters = parameters.as_deref();

    doc.push(Block::Heading(2, "Outcomes".into()));
    doc.push(Block::Para(vec![Span::Text(
        "Share of runs ending in each named outcome, integrated over the parameter draws \
         when parameters are uncertain, with its Monte Carlo 95% interval. The rules are \
         tried in the order listed; a run takes the first that matches."
            .into(),
    )]));
    doc.push(outcome_table(&outcomes));
    doc.extend(scenario::outcome_rules(&manifest));
    doc.extend(how_sure(dir, &outcomes)?);
    let configurations = dir.join("configurations.csv");
    if configurations.is_file() {
        let rows: Vec<OutcomeRow> = read_table::<ConfigurationRow>(&configurations)?
            .into_iter()
            .map(OutcomeRow::from)
            .collect();
        doc.push(Block::Heading(
            3,
            "Triad configuration at the horizon".into(),
        ));
        doc.push(probability_table("configuration", &rows));
    }

    doc.extend(scenario::treaties_and_dyads(dir, &manifest)?);
    doc.extend(scenario::shocks(dir, &manifest, parameters)?);

    doc.extend(charts_section(dir, chart_caption)?);

    doc.push(Block::Heading(2, "Parameters and evidence".into()));
    doc.extend(evidence::parameter_blocks(parameters, &manifest));
    if let Some(lines) = parameters {
        doc.push(Block::Heading(2, "References".into()));
        doc.extend(evidence::references(lines));
    }
    doc.extend(scenario::limitations(&manifest, parameters));

    doc.push(Block::Heading(2, "Reproducing this run".into()));
    doc.extend(reproduce_run(&manifest));

    write_both(dir, &format!("entente report: {name}"), &doc)
}

/// The code version a manifest records, when it records one.
pub(super) fn code_version(m: &Value) -> Option<String> {
    m.get("code_version")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// "10,000 runs · seed 2020 · 24 steps of 0.25 years (2020.56 to 2026.56)".
pub(super) fn run_facts(m: &Value) -> String {
    let mut facts = Vec::new();
    if let Some(runs) = m.get("runs").and_then(Value::as_u64) {
        facts.push(format!("{} runs", fmt_count(runs)));
    }
    if let Some(seed) = m.get("seed").and_then(Value::as_u64) {
        facts.push(format!("seed {seed}"));
    }
    if let Some(h) = m.get("horizon").and_then(Value::as_u64) {
        let dt = m.get("dt").and_then(Value::as_f64).unwrap_or(0.25);
        let mut s = format!("{h} steps of {} years", fmt_num(dt));
        if let Some(y0) = m.get("start_year").and_then(Value::as_f64) {
            write!(s, " ({} to {})", fmt_num(y0), fmt_num(y0 + h as f64 * dt))
                .expect("write to string");
        }
        facts.push(s);
    }
    facts.join(" · ")
}

/// "How sure is this": both kinds of uncertainty of each outcome, in words.
fn how_sure(dir: &Path, outcomes: &[OutcomeRow]) -> Result<Vec<Block>> {
    let mut out = vec![Block::Heading(3, "How sure is this".into())];
    let nested = outcomes
        .iter()
        .any(|r| matches!((r.draw_p05, r.draw_p95), (Some(a), Some(b)) if a < b));
    if !nested {
        out.push(Block::Para(vec![Span::Text(
            "The intervals above are Monte Carlo error only: this run drew no parameter \
             sets (the scenario declares no uncertain parameter, or the run used \
             --nominal). They say how precisely the runs pin down the probability under \
             these exact weights, not how much the weights themselves could move it."
                .into(),
        )]));
        return Ok(out);
    }
    out.push(Block::Para(vec![Span::Text(
        "Two kinds of uncertainty are stated separately. The Monte Carlo interval says how \
         precisely the runs pin down the probability, integrated over the uncertain \
         parameters; more runs narrow it. The range over draws says how much the \
         probability moves across plausible values of the weights; more runs do not \
         narrow it, only better knowledge of the weights does."
            .into(),
    )]));
    let importance = dir.join("importance.csv");
    let ranked: Vec<ImportanceRow> = if importance.is_file() {
        read_table(&importance)?
    } else {
        Vec::new()
    };
    for r in outcomes
        .iter()
        .filter(|r| r.probability > 0.0 || r.draw_p95.unwrap_or(0.0) > 0.0)
    {
        let mut text = format!(
            "{}: {} (Monte Carlo 95% interval {}). Across the parameter draws it ranges \
             from {} to {} (5th to 95th percentile)",
            r.outcome,
            fmt_pct(r.probability),
            fmt_interval(r.ci_low, r.ci_high),
            fmt_pct(r.draw_p05.unwrap_or(r.probability)),
            fmt_pct(r.draw_p95.unwrap_or(r.probability)),
        );
        if let Some(share) = r.parameter_share {
            text.push_str(&format!(
                "; {} of its variance comes from the parameters, the rest from chance",
                fmt_pct(share)
            ));
        }
        let top: Vec<String> = ranked
            .iter()
            .filter(|i| i.outcome == r.outcome && i.first_order > 0.0)
            .take(3)
            .map(|i| format!("{} ({})", i.parameter, fmt_pct(i.first_order)))
            .collect();
        if !top.is_empty() {
            text.push_str(&format!(". Largest drivers: {}", top.join(", ")));
        }
        text.push('.');
        out.push(Block::Para(vec![Span::Text(text)]));
    }
    Ok(out)
}

pub(super) fn outcome_table(rows: &[OutcomeRow]) -> Block {
    probability_table("outcome", rows)
}

fn probability_table(what: &str, rows: &[OutcomeRow]) -> Block {
    let nested = rows
        .iter()
        .any(|r| matches!((r.draw_p05, r.draw_p95), (Some(a), Some(b)) if a < b));
    let mut header = vec![
        what.to_string(),
        "runs".into(),
        "probability".into(),
        "95% interval (Monte Carlo)".into(),
    ];
    if nested {
        header.push("5-95% over parameter draws".into());
    }
    Block::Table {
        header,
        rows: rows
            .iter()
            .map(|r| {
                let mut row = vec![
                    Cell::code(&r.outcome),
                    Cell::number(fmt_count(r.count)),
                    Cell::number(fmt_pct(r.probability)),
                    Cell::number(fmt_interval(r.ci_low, r.ci_high)),
                ];
                if nested {
                    let (a, b) = (
                        r.draw_p05.unwrap_or(r.probability),
                        r.draw_p95.unwrap_or(r.probability),
                    );
                    row.push(Cell::number(fmt_interval(a, b)));
                }
                row
            })
            .collect(),
        class: "numbers",
    }
}

fn reproduce_run(m: &Value) -> Vec<Block> {
    let mut rows = Vec::new();
    let mut add = |k: &str, v: Option<String>, code: bool| {
        if let Some(v) = v {
            rows.push(vec![
                Cell::text(k),
                if code { Cell::code(v) } else { Cell::text(v) },
            ]);
        }
    };
    let s = |key: &str| m.get(key).and_then(Value::as_str).map(str::to_string);
    let n = |key: &str| m.get(key).and_then(Value::as_u64);
    add("entente version", s("entente_version"), true);
    add("code version", code_version(m), true);
    add("scenario file", scenario_field(m, "file"), true);
    add("scenario SHA-256", scenario_field(m, "sha256"), true);
    add("seed", n("seed").map(|v| v.to_string()), true);
    add("runs", n("runs").map(fmt_count), false);
    add("horizon", n("horizon").map(|h| format!("{h} steps")), false);
    add(
        "threads",
        n("threads").map(|t| format!("{t} (results do not depend on it)")),
        false,
    );
    add(
        "wall time",
        m.get("wall_seconds")
            .and_then(Value::as_f64)
            .map(|w| format!("{w:.2} s")),
        false,
    );
    add("command", s("command"), true);

    let mut out = vec![
        Block::Para(vec![Span::Text(
            "From manifest.json of this folder:".into(),
        )]),
        Block::Table {
            header: vec!["field".into(), "value".into()],
            rows,
            class: "facts",
        },
    ];
    if let (Some(file), Some(seed), Some(runs)) = (scenario_field(m, "file"), n("seed"), n("runs"))
    {
        let relative = if Path::new(&file).is_relative() {
            " Run it from the folder the recorded command ran in, since the scenario path is relative to it."
        } else {
            ""
        };
        out.push(Block::Para(vec![Span::Text(format!(
            "The same entente version, scenario file and seed give the same results, \
             for any number of threads.{relative}"
        ))]));
        let mut command = format!("entente run {file} --runs {runs} --seed {seed}");
        let uncertainty = m.get("uncertainty");
        let field = |key: &str| uncertainty.and_then(|u| u.get(key));
        if field("nominal").and_then(Value::as_bool) == Some(true) {
            command.push_str(" --nominal");
        } else if let Some(draws) = field("draws").and_then(Value::as_u64).filter(|&d| d > 1) {
            command.push_str(&format!(" --draws {draws}"));
        }
        if let Some(posterior) = field("posterior").and_then(Value::as_str) {
            command.push_str(&format!(" --posterior {posterior}"));
        }
        let overrides = m
            .get("scenario")
            .and_then(|s| s.get("overrides"))
            .and_then(Value::as_array);
        for o in overrides.into_iter().flatten().filter_map(Value::as_str) {
            command.push_str(&format!(" --set {o}"));
        }
        out.push(Block::Command(command));
        if let Some(parent) = scenario_field(m, "extends") {
            out.push(Block::Para(vec![
                Span::Text("The scenario extends ".into()),
                Span::Code(parent),
                Span::Text("; its SHA-256 covers the file and every parent, in that order.".into()),
            ]));
        } else if let Some(sha) = scenario_field(m, "sha256") {
            out.push(Block::Para(vec![
                Span::Text("Check first that the scenario file is unchanged: ".into()),
                Span::Code(format!("sha256sum {file}")),
                Span::Text(" must print ".into()),
                Span::Code(sha),
                Span::Text(".".into()),
            ]));
        }
    }
    out
}
