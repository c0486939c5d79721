//! The report of a `sweep` or `merge` folder.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use super::doc::{Block, Cell, Doc, Span};
use super::folder::{chart_stems, csv_table, figure, no_charts, read_manifest};
use super::render::write_both;
use crate::format::{fmt_count, fmt_num, fmt_pct};

/// Writes `report.md` and `report.html` into the sweep folder `dir` (written
/// by `entente sweep` or `entente merge`): the design and its factors, the
/// range of each outcome's probability over the points, the sensitivity
/// indices when the design has them, the charts, and how to run it again.
pub fn write_sweep_report(dir: &Path) -> Result<()> {
    let m = read_manifest(dir)?;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let name = Some(text(&m["sweep"]["name"]))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "sweep".into());
    let kind = text(&m["kind"]);
    let mut doc = Doc::default();
    doc.push(Block::Heading(1, format!("Sweep {name}")));
    let description = text(&m["sweep"]["description"]);
    if !description.trim().is_empty() {
        doc.push(Block::Para(vec![Span::Text(description)]));
    }
    let points = m["points"].as_u64().unwrap_or(0);
    let runs = m["runs_per_point"].as_u64().unwrap_or(0);
    doc.push(Block::Para(vec![
        Span::Text(format!("A {kind} design over scenario ")),
        Span::Code(text(&m["scenario"])),
        Span::Text(format!(
            ": {} points of {} runs each, seed {}; the target outcome of the sensitivity \
             measures is ",
            fmt_count(points),
            fmt_count(runs),
            m["seed"].as_u64().unwrap_or(0)
        )),
        Span::Code(text(&m["target"])),
        Span::Text(".".into()),
    ]));

    doc.push(Block::Heading(2, "Factors".into()));
    let factors: Vec<Vec<Cell>> = m["factors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let end = |k: &str| f[k].as_f64().map(fmt_num).unwrap_or_default();
            vec![
                Cell::code(text(&f["path"])),
                Cell::number(end("from")),
                Cell::number(end("to")),
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
    doc.push(outcome_ranges(&dir.join("points.csv"))?);
    let sensitivity = dir.join("sensitivity.csv");
    if sensitivity.is_file() {
        doc.push(Block::Heading(2, "Sensitivity".into()));
        doc.push(csv_table(&sensitivity)?);
    }

    doc.push(Block::Heading(2, "Charts".into()));
    let charts = chart_stems(&dir.join("charts"))?;
    if charts.is_empty() {
        doc.push(no_charts());
    }
    for stem in &charts {
        doc.push(figure(
            dir,
            Path::new("charts"),
            stem,
            &stem.replace('_', " "),
        )?);
    }

    doc.push(Block::Heading(2, "Reproducing this sweep".into()));
    let mut facts = Vec::new();
    for (label, value) in [
        ("code version", text(&m["code_version"])),
        ("entente version", text(&m["entente_version"])),
        ("sweep file", text(&m["sweep"]["file"])),
        ("sweep SHA-256", text(&m["sweep"]["sha256"])),
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
    let file = text(&m["sweep"]["file"]);
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
/// points of `points.csv` (its `p_<outcome>` columns).
fn outcome_ranges(path: &Path) -> Result<Block> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot open {}", path.display()))?;
    let header = reader
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?
        .clone();
    let columns: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter_map(|(k, h)| h.strip_prefix("p_").map(|o| (k, o.to_string())))
        .collect();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); columns.len()];
    for (line, record) in reader.records().enumerate() {
        let record =
            record.with_context(|| format!("{}: bad row on line {}", path.display(), line + 2))?;
        for (slot, (k, name)) in columns.iter().enumerate() {
            let cell = record.get(*k).unwrap_or("");
            let v: f64 = cell.parse().with_context(|| {
                format!(
                    "{}: line {}, column p_{name}: found `{cell}`, expected a probability",
                    path.display(),
                    line + 2
                )
            })?;
            values[slot].push(v);
        }
    }
    let rows = columns
        .iter()
        .zip(values.iter_mut())
        .map(|((_, name), v)| {
            v.sort_by(f64::total_cmp);
            let pick = |q: f64| {
                v.get(((v.len().saturating_sub(1)) as f64 * q).round() as usize)
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
    Ok(Block::Table {
        header: vec![
            "outcome".into(),
            "lowest".into(),
            "median".into(),
            "highest".into(),
        ],
        rows,
        class: "numbers",
    })
}
