//! The sections of a run report that explain the scenario's mechanics: the
//! outcome rules in words, treaties and the dyads at the horizon, each shock
//! with its effects and evidence, and the limitations of the results.

use std::path::Path;

use anyhow::Result;
use serde_json::Value;

use super::doc::{Block, Cell, Span};
use super::evidence::ParamLine;
use crate::format::{fmt_num, fmt_pct};
use crate::output::manifest::{OutcomeRuleInfo, ShockInfo};

/// A typed field of the manifest, or its default when absent or malformed.
fn field<T: serde::de::DeserializeOwned + Default>(m: &Value, key: &str) -> T {
    m.get(key)
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// "How the outcomes are defined": the dyad states, then each rule in
/// words, and the rules that can never match.
pub(super) fn outcome_rules(m: &Value) -> Vec<Block> {
    let rules: Vec<OutcomeRuleInfo> = field(m, "outcome_rules");
    let theta = m.get("theta_P").and_then(Value::as_f64);
    let mut out = vec![Block::Heading(3, "How the outcomes are defined".into())];
    out.push(Block::Para(vec![Span::Text(format!(
        "Each dyad ends in one of four states, read from the stances averaged over the \
         last steps (docs/model.md section 7.8): alliance when a treaty is in force; \
         partnership when its alignment (the mean of the two stances) is at least \
         theta_P{} and each stance at least theta_P/2; antagonism when the alignment is \
         at most -theta_P; hedging otherwise. A tie is friendly in an alliance or \
         partnership, hostile in antagonism, loose when hedging. The rules are tried in \
         this order and a run takes the first that matches; a run no rule matches is \
         other.",
        theta.map_or(String::new(), |t| format!(" = {}", fmt_num(t)))
    ))]));
    if rules.is_empty() {
        out.push(Block::Para(vec![Span::Text(
            "This folder's manifest does not record the rules; `entente validate` prints \
             them for the scenario file."
                .into(),
        )]));
        return out;
    }
    // The default rules carry no descriptions: no empty column for them.
    let described = rules.iter().any(|r| !r.description.trim().is_empty());
    let mut header = vec!["outcome".to_string(), "matches a run when".to_string()];
    if described {
        header.push("scenario's description".into());
    }
    out.push(Block::Table {
        header,
        rows: rules
            .iter()
            .map(|r| {
                let mut row = vec![Cell::code(&r.name), Cell::text(&r.definition)];
                if described {
                    row.push(Cell::text(&r.description));
                }
                row
            })
            .collect(),
        class: "rules",
    });
    out.extend(dead_rule_notes(&rules));
    out
}

/// One paragraph for each rule that can never match.
fn dead_rule_notes(rules: &[OutcomeRuleInfo]) -> Vec<Block> {
    rules
        .iter()
        .filter_map(|r| {
            let reason = r.never_matches.as_deref()?;
            Some(Block::Para(vec![
                Span::Code(r.name.clone()),
                Span::Text(format!(
                    " can never match: {reason}. Its row is zero by construction, and the \
                     outcome chart leaves it out."
                )),
            ]))
        })
        .collect()
}

/// The notes on rules that can never match, from a run manifest (for the
/// scenario sections of a comparison).
pub(super) fn dead_rules_of(m: &Value) -> Vec<Block> {
    dead_rule_notes(&field::<Vec<OutcomeRuleInfo>>(m, "outcome_rules"))
}

/// "Treaties and dyads": how often a treaty was signed and when, and the
/// state of each dyad at the horizon (`dyads.csv`).
pub(super) fn treaties_and_dyads(dir: &Path, m: &Value) -> Result<Vec<Block>> {
    let mut out = vec![Block::Heading(2, "Treaties and dyads".into())];
    let summary = m.get("summary");
    let treaty = summary
        .and_then(|s| s.get("treaty_probability"))
        .and_then(Value::as_f64);
    if let Some(p) = treaty {
        let mut text = format!(
            "A defence treaty was signed in {} of runs (any dyad, at any step)",
            fmt_pct(p)
        );
        let first = summary
            .and_then(|s| s.get("mean_first_treaty_step"))
            .and_then(Value::as_f64);
        if let Some(step) = first {
            let dt = m.get("dt").and_then(Value::as_f64).unwrap_or(0.25);
            text.push_str(&format!(
                "; in those runs the first came at step {} on average",
                fmt_num((step * 10.0).round() / 10.0)
            ));
            if let Some(y0) = m.get("start_year").and_then(Value::as_f64) {
                text.push_str(&format!(" (around {:.1})", y0 + step * dt));
            }
        }
        text.push_str(
            ". A treaty in force ends at once when either stance falls below zero, and \
             otherwise at the dissolution hazard h_D (docs/model.md section 7.7).",
        );
        out.push(Block::Para(vec![Span::Text(text)]));
    }
    let path = dir.join("dyads.csv");
    if path.is_file() {
        out.push(Block::Para(vec![Span::Text(
            "Each dyad at the horizon (dyads.csv): its mean averaged alignment over the \
             runs and the share of runs ending in each state."
                .into(),
        )]));
        out.push(super::folder::csv_table_with(&path, |column, cell| {
            if column.starts_with("p_") {
                cell.parse::<f64>()
                    .map(fmt_pct)
                    .unwrap_or_else(|_| cell.into())
            } else {
                cell.to_string()
            }
        })?);
    }
    Ok(out)
}

/// "Shocks": each shock with what sets it off, its effects and the
/// evidence for its numbers, then how often each fired (`shocks.csv`).
pub(super) fn shocks(dir: &Path, m: &Value, lines: Option<&[ParamLine]>) -> Result<Vec<Block>> {
    let shocks: Vec<ShockInfo> = field(m, "shocks");
    let path = dir.join("shocks.csv");
    if shocks.is_empty() && !path.is_file() {
        return Ok(Vec::new());
    }
    let mut out = vec![Block::Heading(2, "Shocks".into())];
    out.push(Block::Para(vec![Span::Text(
        "Shocks are events that change a driver, an attribute or a stance when they fire \
         (docs/model.md section 7.1). A change of N, R, P or G decays back toward its \
         baseline at the rate phi, unless the shock is persistent and moves the baseline \
         too; a change of E carries on in its random walk; a change of an attribute or a \
         stance lasts until the dynamics or another shock move it. Each number below is \
         a parameter with its own path and evidence."
            .into(),
    )]));
    for s in &shocks {
        out.push(Block::Heading(3, s.id.clone()));
        if !s.description.trim().is_empty() {
            out.push(Block::Para(vec![Span::Text(s.description.clone())]));
        }
        out.push(Block::Para(vec![Span::Text(format!(
            "Fires {}; {}.",
            s.trigger,
            if s.persistent {
                "persistent"
            } else {
                "not persistent"
            }
        ))]));
        let prefix = format!("shock.{}.", s.id);
        let mut rows: Vec<Vec<Cell>> = s
            .effects
            .iter()
            .enumerate()
            .map(|(k, effect)| {
                let path = format!("shock.{}.effects.{k}.value", s.id);
                vec![
                    Cell::code(&path),
                    Cell::text(effect),
                    Cell::text(evidence_of(lines, &path)),
                ]
            })
            .collect();
        for (key, what) in [
            ("rate", "how often it fires, per year"),
            ("at_step", "the step it fires at"),
            ("max_count", "the most times it fires in a run"),
        ] {
            let path = format!("{prefix}{key}");
            if lines.is_some_and(|ls| ls.iter().any(|l| l.path() == path)) {
                rows.push(vec![
                    Cell::code(&path),
                    Cell::text(what),
                    Cell::text(evidence_of(lines, &path)),
                ]);
            }
        }
        out.push(Block::Table {
            header: vec!["parameter".into(), "what it does".into(), "evidence".into()],
            rows,
            class: "rules",
        });
    }
    if path.is_file() {
        out.push(Block::Para(vec![Span::Text(
            "How often each shock fired (shocks.csv): the runs in which it fired at least \
             once, their share, and the mean number of times per run."
                .into(),
        )]));
        out.push(super::folder::csv_table_with(&path, |column, cell| {
            if column == "probability" {
                cell.parse::<f64>()
                    .map(fmt_pct)
                    .unwrap_or_else(|_| cell.into())
            } else {
                cell.to_string()
            }
        })?);
    }
    Ok(out)
}

/// The evidence entries of `path` in one line each, or a dash.
fn evidence_of(lines: Option<&[ParamLine]>, path: &str) -> String {
    let entries: Vec<String> = lines
        .into_iter()
        .flatten()
        .filter(|l| l.path() == path && (!l.source().is_empty() || !l.claim().is_empty()))
        .map(|l| {
            let kind = if l.kind().is_empty() {
                String::new()
            } else {
                format!(" ({})", l.kind())
            };
            let section = if l.section().is_empty() {
                String::new()
            } else {
                format!(", {}", l.section())
            };
            format!("{}{section}{kind}: {}", l.source(), l.claim())
        })
        .collect();
    if entries.is_empty() {
        "no evidence recorded".into()
    } else {
        entries.join(" / ")
    }
}

/// "Limitations": what the numbers of this report do and do not say.
pub(super) fn limitations(m: &Value, lines: Option<&[ParamLine]>) -> Vec<Block> {
    let mut items = vec![
        "The model is a stylised account of alignment: a handful of drivers (economic dependence, \
         normative affinity, regional rivalry, pressure and coercion) move each state's stance toward \
         another. It leaves out domestic politics except through shocks, and every state \
         that is not modelled."
            .to_string(),
        "Probabilities are shares of simulated runs under the scenario's assumptions, not \
         forecasts of the world; they are conditional on the drivers, weights and shock \
         rates written in the scenario."
            .to_string(),
        "The Monte Carlo interval measures only how precisely the runs pin down each share. \
         Uncertainty about the weights enters only through the parameters the scenario \
         declares uncertain; uncertainty about the model's form does not enter at all."
            .to_string(),
        "Outcomes are named by rules tried in order; a run that meets several rules counts \
         only under the first, so the shares depend on the order as well as the conditions."
            .to_string(),
    ];
    if let Some(lines) = lines {
        let basis = super::evidence::basis(lines);
        items.push(format!(
            "{} of the calibrated values rest on judgment alone ({} of {}); results that \
             move with those values are only as good as that judgment. The codebook \
             (docs/codebook.md) anchors the judged scales.",
            fmt_pct(basis.judged_share()),
            basis.judgment,
            basis.total()
        ));
        if basis.none > 0 {
            items.push(format!(
                "{} calibrated values cite no evidence at all.",
                basis.none
            ));
        }
    }
    let rules: Vec<OutcomeRuleInfo> = field(m, "outcome_rules");
    let dead: Vec<&str> = rules
        .iter()
        .filter(|r| r.never_matches.is_some())
        .map(|r| r.name.as_str())
        .collect();
    if !dead.is_empty() {
        items.push(format!(
            "Some outcome rules can never match under this rule order ({}); their zero \
             says nothing about how likely those configurations are.",
            dead.join(", ")
        ));
    }
    let mut out = vec![Block::Heading(2, "Limitations".into())];
    out.extend(items.into_iter().map(|t| Block::Para(vec![Span::Text(t)])));
    out
}
