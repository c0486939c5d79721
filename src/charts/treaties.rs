//! Treaty marks on the fan charts: when runs formed their first treaty.
//!
//! The run aggregates only two figures about treaties: the share of runs in
//! which one formed and the mean step of the first (`manifest.json`,
//! `summary`). Those give one dashed vertical line at the mean step; the first
//! treaty of a run may be in any dyad, so the line is the same on every
//! dyad's fan, and the legend says so. When the folder also has `runs.csv`
//! (`entente run --per-run`), every run's first treaty step is known, and the
//! fan charts add a rug along their bottom edge: one tick per step at which
//! some run formed a first treaty, its height proportional to the number of
//! such runs (on one scale for all dyads). When `runs.csv` has a
//! `first_treaty_step_<DYAD>` column, a dyad's rug counts that dyad's own
//! first treaties; otherwise the run's first treaty in any dyad. A run with
//! no treaty draws no mark at all.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::charts::data::RunData;
use crate::charts::theme::*;
use crate::format::fmt_pct;

/// Colour of the treaty marks (used for nothing else on a fan chart).
const TREATY: RGBColor = OI_PURPLE;
/// Height of the tallest rug tick, in alignment units from the bottom edge.
const RUG_HEIGHT: f64 = 0.2;

/// Runs per first-treaty step.
type Counts = Vec<(u32, u64)>;

/// When the runs of a folder formed their first treaties.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunTreaties {
    /// Share of runs in which a treaty formed, and the mean step of the
    /// first, when any did.
    mean: Option<(f64, f64)>,
    /// First treaty of each run, any dyad (from `runs.csv`).
    any: Counts,
    /// First treaty of each dyad (from `runs.csv`, when it has the columns).
    by_dyad: BTreeMap<String, Counts>,
}

/// The treaty marks of one fan chart.
#[derive(Debug, Clone, Default)]
pub(crate) struct TreatyMarks {
    mean: Option<(f64, f64)>,
    rug: Counts,
    /// Whether the rug counts the dyad's own first treaties.
    own: bool,
    /// Runs of the highest tick of any dyad's rug, which sets the scale.
    most: u64,
}

impl RunTreaties {
    /// The treaties of the run folder `dir`.
    pub fn read(dir: &Path, run: &RunData) -> Result<RunTreaties> {
        let summary = &run.manifest.summary;
        let mean = match (summary.treaty_probability, summary.mean_first_treaty_step) {
            (Some(share), Some(step)) if share > 0.0 && step.is_finite() => Some((share, step)),
            _ => None,
        };
        let runs = dir.join("runs.csv");
        let (any, by_dyad) = if runs.is_file() {
            first_treaty_steps(&runs)?
        } else {
            Default::default()
        };
        Ok(RunTreaties { mean, any, by_dyad })
    }

    /// The marks on the fan of `dyad`.
    pub fn of_dyad(&self, dyad: &str) -> TreatyMarks {
        let own = self.by_dyad.get(dyad);
        let most = if self.by_dyad.is_empty() {
            self.any.iter().map(|(_, n)| *n).max()
        } else {
            self.by_dyad.values().flatten().map(|(_, n)| *n).max()
        };
        TreatyMarks {
            mean: self.mean,
            rug: own.unwrap_or(&self.any).clone(),
            own: own.is_some(),
            most: most.unwrap_or(0),
        }
    }
}

impl TreatyMarks {
    /// Legend entries of the marks (none without a treaty).
    pub fn legend(&self) -> Vec<LegendItem> {
        let mut items = Vec::new();
        if let Some((share, _)) = self.mean {
            items.push(LegendItem::dashed(
                format!(
                    "mean step of a run's first treaty, any dyad ({} of runs)",
                    fmt_pct(share)
                ),
                TREATY,
                3,
            ));
        }
        if !self.rug.is_empty() {
            let whose = if self.own {
                "of the dyad shown"
            } else {
                "of a run, any dyad"
            };
            items.push(LegendItem::line(
                format!("first treaties {whose}, per step (tick height ∝ runs)"),
                TREATY,
                3,
            ));
        }
        items
    }

    /// Draws the marks on a fan chart whose x axis is `axis`, up to step `end`.
    pub fn draw<DB: DrawingBackend, X: Ranged<ValueType = f64>>(
        &self,
        chart: &mut ChartContext<'_, DB, Cartesian2d<X, RangedCoordf64>>,
        axis: TimeAxis,
        end: u32,
    ) -> Result<()> {
        let most = self.most.max(1);
        let ticks = self.rug.iter().filter(|(s, _)| *s <= end).map(|&(s, n)| {
            let x = axis.x(s);
            let h = RUG_HEIGHT * n as f64 / most as f64;
            PathElement::new(vec![(x, -1.0), (x, -1.0 + h)], TREATY.stroke_width(3))
        });
        chart.draw_series(ticks).map_err(draw_err)?;
        if let Some((_, step)) = self.mean {
            let x = axis.x_at(step);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x, -1.0), (x, 1.0)],
                    6,
                    6,
                    TREATY.stroke_width(3),
                ))
                .map_err(draw_err)?;
        }
        Ok(())
    }
}

/// Runs per first-treaty step, from the `first_treaty_step` column of
/// `runs.csv` (any dyad) and from each `first_treaty_step_<DYAD>` column
/// (empty for a run without a treaty).
fn first_treaty_steps(path: &Path) -> Result<(Counts, BTreeMap<String, Counts>)> {
    const ANY: &str = crate::output::RunsTable::FIRST_TREATY_STEP;
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot open {}", path.display()))?;
    // Each column with its dyad (`None`: any dyad).
    let columns: Vec<(usize, Option<String>)> = reader
        .headers()
        .with_context(|| format!("cannot read the header of {}", path.display()))?
        .iter()
        .enumerate()
        .filter_map(|(i, h)| match h.strip_prefix(ANY)? {
            "" => Some((i, None)),
            rest => Some((i, Some(rest.strip_prefix('_')?.to_string()))),
        })
        .collect();
    anyhow::ensure!(
        columns.iter().any(|(_, d)| d.is_none()),
        "{} has no {ANY} column",
        path.display()
    );
    let mut counts: BTreeMap<Option<String>, BTreeMap<u32, u64>> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record =
            record.with_context(|| format!("{}: bad row on line {line}", path.display()))?;
        for (column, dyad) in &columns {
            let value = record.get(*column).unwrap_or_default().trim();
            if value.is_empty() {
                continue;
            }
            let step: u32 = value.parse().with_context(|| {
                format!(
                    "{}: line {line}: first treaty step `{value}` is not a step number",
                    path.display()
                )
            })?;
            *counts
                .entry(dyad.clone())
                .or_default()
                .entry(step)
                .or_default() += 1;
        }
    }
    let mut take = |dyad: &Option<String>| -> Counts {
        counts
            .remove(dyad)
            .unwrap_or_default()
            .into_iter()
            .collect()
    };
    let any = take(&None);
    let by_dyad = columns
        .iter()
        .filter_map(|(_, d)| Some((d.clone()?, take(d))))
        .collect();
    Ok((any, by_dyad))
}
