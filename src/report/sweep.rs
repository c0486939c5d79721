//! The report of a `sweep` or `merge` folder.

use std::path::Path;

use anyhow::Result;

use super::doc::{Block, Cell, Doc, Span};
use super::folder::{charts_section, csv_table};
use super::render::write_both;
use crate::format::{fmt_count, fmt_num, fmt_pct};
use crate::output::sweep::{PointsTable, SweepManifest};

/// Writes `report.md` and `report.html` into the sweep folder `dir` (written
/// by `entente sweep` or `entente merge`): the design and its factors, the
/// range of each outcome's probability over the points, the sensitivity
/// indices when the design has them, the charts, and how to run it again.
pub fn write_sweep_report(dir: &Path) -> Result<()> {
    let m = SweepManifest::read(dir)?;
    let name = if m.sweep.name.is_empty() {
        "sweep".to_string()
    } else {
        m.sweep.name.clone()
    };
    let mut doc = Doc::default();
    doc.push(Block::Heading(1, format!("Sweep {name}")));
    if !m.sweep.description.trim().is_empty() {
        doc.push(Block::Para(vec![Span::Text(m.sweep.description.clone())]));
    }
    doc.push(Block::Para(vec![
        Span::Text(format!("A {} design over scenario ", m.kind)),
        Span::Code(m.scenario.clone()),
        Span::Text(format!(
            ": {} points of {} runs each, seed {}{}; the target outcome of the sensitivity \
             measures is ",
            fmt_count(m.points as u64),
            fmt_count(m.runs_per_point),
            m.seed,
            if m.common_random_numbers {
                ", every point on the same random numbers"
            } else {
                ""
            }
        )),
        Span::Code(m.target.clone()),
        Span::Text(".".into()),
    ]));

    doc.push(Block::Heading(2, "Factors".into()));
    let factors: Vec<Vec<Cell>> = m
        .factors
        .iter()
        .map(|f| {
            vec![
                Cell::code(&f.path),
                Cell::number(fmt_num(f.from)),
                Cell::number(fmt_num(f.to)),
            ]
        })
        .collect();
    doc.push(Block::Table {
        header: vec!["parameter path".into(), "from".into(), "to".into()],
        rows: factors,
        class: "numbers",
    });

    doc.push(Block::Heading(2, "Outcomes across the points".into()));
    doc.push(Block::Para(vec![Span::Text(
        "Each point ran the scenario with the factors set to that point's values; the \
         table gives, for each outcome, the lowest, median and highest probability over \
         the points. points.csv holds every point with its Wilson 95% intervals."
            .into(),
    )]));
    doc.push(outcome_ranges(&PointsTable::read(dir, &m)?));
    let sensitivity = dir.join("sensitivity.csv");
    if sensitivity.is_file() {
        doc.push(Block::Heading(2, "Sensitivity".into()));
        doc.push(csv_table(&sensitivity)?);
    }

    doc.extend(charts_section(dir, |stem| stem.replace('_', " "))?);

    doc.push(Block::Heading(2, "Reproducing this sweep".into()));
    let mut facts = Vec::new();
    for (label, value) in [
        ("code version", &m.code_version),
        ("entente version", &m.entente_version),
        ("sweep file", &m.sweep.file),
        ("sweep SHA-256", &m.sweep.sha256),
    ] {
        if !value.is_empty() {
            facts.push(vec![Cell::text(label), Cell::code(value)]);
        }
    }
    doc.push(Block::Table {
        header: vec!["field".into(), "value".into()],
        rows: facts,
        class: "facts",
    });
    let file = &m.sweep.file;
    if !file.is_empty() {
        doc.push(Block::Para(vec![Span::Text(
            "The same code, sweep file and scenario give the same points.csv, for any \
             number of threads and any split into shards:"
                .into(),
        )]));
        doc.push(Block::Command(format!("entente sweep {file}")));
    }
    write_both(dir, &format!("entente sweep: {name}"), &doc)
}

/// The lowest, median and highest probability of each outcome over the
/// points.
fn outcome_ranges(points: &PointsTable) -> Block {
    let rows = points
        .schema
        .outcomes
        .iter()
        .enumerate()
        .map(|(o, name)| {
            let mut v: Vec<f64> = points.rows.iter().map(|r| r.estimates[o].p).collect();
            v.sort_by(f64::total_cmp);
            let pick = |q: f64| {
                v.get((v.len().saturating_sub(1) as f64 * q).round() as usize)
                    .map(|&p| fmt_pct(p))
                    .unwrap_or_default()
            };
            vec![
                Cell::code(name),
                Cell::number(pick(0.0)),
                Cell::number(pick(0.5)),
                Cell::number(pick(1.0)),
            ]
        })
        .collect();
    Block::Table {
        header: vec![
            "outcome".into(),
            "lowest".into(),
            "median".into(),
            "highest".into(),
        ],
        rows,
        class: "numbers",
    }
}
