//! The report of a `calibrate` folder.

use std::path::Path;

use anyhow::Result;
use serde_json::Value;

use super::doc::{Block, Doc, Span};
use super::folder::{chart_stems, csv_table, figure, no_charts, read_manifest};
use super::render::write_both;

/// Writes `report.md` and `report.html` into the calibration folder `dir`:
/// what was fitted to what, the held-out scores against the two reference
/// forecasts, the posterior against the prior, the tolerance schedule and the
/// charts, all read from the folder.
pub fn write_calibration_report(dir: &Path) -> Result<()> {
    let m = read_manifest(dir)?;
    let field = |block: &str, key: &str| {
        m.get(block)
            .and_then(|b| b.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let name = field("calibration", "name").unwrap_or_else(|| "calibration".into());
    let mut doc = Doc::default();
    doc.push(Block::Heading(1, format!("Calibration {name}")));
    if let Some(d) = field("calibration", "description").filter(|d| !d.trim().is_empty()) {
        doc.push(Block::Para(vec![Span::Text(d)]));
    }
    let until = m.get("until").and_then(Value::as_i64);
    let mut facts = vec![Span::Text("Scenario ".into())];
    facts.push(Span::Code(field("scenario", "name").unwrap_or_default()));
    facts.push(Span::Text(format!(
        "; {} particles, {} generations, seed {}; fitted to observations up to {}; {}.",
        m.get("particles").and_then(Value::as_u64).unwrap_or(0),
        m.get("generations").and_then(Value::as_u64).unwrap_or(0),
        m.get("seed").and_then(Value::as_u64).unwrap_or(0),
        until.map_or("the last year".into(), |y| y.to_string()),
        m.get("forecast")
            .and_then(Value::as_str)
            .unwrap_or("forecast")
    )));
    doc.push(Block::Para(facts));

    doc.push(Block::Heading(2, "Held-out years".into()));
    let validation = dir.join("validation.csv");
    if validation.is_file() {
        doc.push(Block::Para(vec![Span::Text(
            "Scores over the dyad-years after the fit: coverage of the central 50% and 90% \
             predictive intervals (calibrated forecasts cover 0.5 and 0.9), mean absolute \
             error of the median and CRPS (lower is better), against persistence (the last \
             fitted year's value) and a linear trend over the last ten fitted years."
                .into(),
        )]));
        doc.push(csv_table(&validation)?);
    } else {
        doc.push(Block::Para(vec![
            Span::Text(
                "None: the fit used every observed year, so no forecast could be scored. \
                 Fit up to an earlier year with "
                    .into(),
            ),
            Span::Code("--until".into()),
            Span::Text(" to score the years after it.".into()),
        ]));
    }
    doc.push(Block::Heading(2, "Posterior against prior".into()));
    doc.push(csv_table(&dir.join("summary.csv"))?);
    doc.push(Block::Heading(2, "Generations".into()));
    doc.push(csv_table(&dir.join("generations.csv"))?);
    doc.push(Block::Heading(2, "Charts".into()));
    let charts = chart_stems(&dir.join("charts"))?;
    if charts.is_empty() {
        doc.push(no_charts());
    }
    for stem in charts {
        doc.push(figure(
            dir,
            Path::new("charts"),
            &stem,
            &stem.replace('_', " "),
        )?);
    }
    doc.push(Block::Heading(2, "Reproducing this calibration".into()));
    if let Some(code) = super::run::code_version(&m) {
        doc.push(Block::Para(vec![
            Span::Text("Produced by entente ".into()),
            Span::Code(code),
            Span::Text("; the same code, files and seed give the same results:".into()),
        ]));
    }
    if let Some(command) = m.get("command").and_then(Value::as_str) {
        doc.push(Block::Command(command.to_string()));
    }
    write_both(dir, &format!("entente report: {name}"), &doc)
}
