//! The report of a `calibrate` folder.

use std::path::Path;

use anyhow::Result;

use super::doc::{Block, Doc, Span};
use super::folder::{charts_section, csv_table};
use super::render::write_both;
use crate::output::manifest::CalibrationManifest;

/// Writes `report.md` and `report.html` into the calibration folder `dir`:
/// what was fitted to what, the held-out scores against the two reference
/// forecasts, the posterior against the prior, the tolerance schedule and the
/// charts, all read from the folder.
pub fn write_calibration_report(dir: &Path) -> Result<()> {
    let m = CalibrationManifest::read(dir)?;
    let name = if m.calibration.name.is_empty() {
        "calibration".to_string()
    } else {
        m.calibration.name.clone()
    };
    let mut doc = Doc::default();
    doc.push(Block::Heading(1, format!("Calibration {name}")));
    if let Some(d) = m
        .calibration
        .description
        .clone()
        .filter(|d| !d.trim().is_empty())
    {
        doc.push(Block::Para(vec![Span::Text(d)]));
    }
    let mut facts = vec![Span::Text("Scenario ".into())];
    facts.push(Span::Code(m.scenario.name.clone()));
    let forecast = if m.forecast.is_empty() {
        "forecast"
    } else {
        m.forecast.as_str()
    };
    facts.push(Span::Text(format!(
        "; {} particles, {} generations, seed {}; fitted to observations up to {}; {}.",
        m.particles,
        m.generations,
        m.seed,
        m.until.map_or("the last year".into(), |y| y.to_string()),
        forecast
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
    doc.extend(charts_section(dir, |stem| stem.replace('_', " "))?);
    doc.push(Block::Heading(2, "Reproducing this calibration".into()));
    if !m.code_version.is_empty() {
        let code = m.code_version.clone();
        doc.push(Block::Para(vec![
            Span::Text("Produced by entente ".into()),
            Span::Code(code),
            Span::Text("; the same code, files and seed give the same results:".into()),
        ]));
    }
    if !m.command.is_empty() {
        doc.push(Block::Command(m.command.clone()));
    }
    write_both(dir, &format!("entente report: {name}"), &doc)
}
