//! Treaty marks on the fan charts: when runs formed their first treaty.
//!
//! The run aggregates only two figures about treaties: the share of runs in
//! which one formed and the mean step of the first (`manifest.json`,
//! `summary`). Those give one dashed vertical line at the mean step. When the
//! folder also has `runs.csv` (`entente run --per-run`), every run's first
//! treaty step is known, and the fan charts add a rug along their bottom
//! edge: one tick per step at which some run formed its first treaty, its
//! height proportional to the number of such runs. The first treaty of a run
//! may be in any dyad, so the marks are the same on every dyad's fan; the
//! legend says so. A run with no treaty draws no mark at all.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::charts::data::RunData;
use crate::charts::theme::*;
use crate::format::fmt_pct;
use crate::output::RunsTable;

/// Colour of the treaty marks (used for nothing else on a fan chart).
const TREATY: RGBColor = OI_PURPLE;
/// Height of the tallest rug tick, in alignment units from the bottom edge.
const RUG_HEIGHT: f64 = 0.2;

/// When runs formed their first treaty.
#[derive(Debug, Clone, Default)]
pub(crate) struct TreatyMarks {
    /// Share of runs in which a treaty formed, and the mean step of the
    /// first, when any did.
    mean: Option<(f64, f64)>,
    /// Runs whose first treaty formed at each step (from `runs.csv`).
    by_step: Vec<(u32, u64)>,
}

impl TreatyMarks {
    /// The marks of the run folder `dir`.
    pub fn read(dir: &Path, run: &RunData) -> Result<TreatyMarks> {
        let summary = &run.manifest.summary;
        let mean = match (summary.treaty_probability, summary.mean_first_treaty_step) {
            (Some(share), Some(step)) if share > 0.0 && step.is_finite() => Some((share, step)),
            _ => None,
        };
        let runs = dir.join("runs.csv");
        let by_step = if runs.is_file() {
            first_treaty_steps(&runs)?
        } else {
            Vec::new()
        };
        Ok(TreatyMarks { mean, by_step })
    }

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
        if !self.by_step.is_empty() {
            items.push(LegendItem::line(
                "first treaties per step, any dyad (tick height ∝ runs)",
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
        let most = self.by_step.iter().map(|(_, n)| *n).max().unwrap_or(0);
        let ticks = self
            .by_step
            .iter()
            .filter(|(s, _)| *s <= end)
            .map(|&(s, n)| {
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
/// `runs.csv` (empty for a run without a treaty).
fn first_treaty_steps(path: &Path) -> Result<Vec<(u32, u64)>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot open {}", path.display()))?;
    let column = reader
        .headers()
        .with_context(|| format!("cannot read the header of {}", path.display()))?
        .iter()
        .position(|h| h == RunsTable::FIRST_TREATY_STEP)
        .with_context(|| {
            format!(
                "{} has no {} column",
                path.display(),
                RunsTable::FIRST_TREATY_STEP
            )
        })?;
    let mut counts: BTreeMap<u32, u64> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record =
            record.with_context(|| format!("{}: bad row on line {line}", path.display()))?;
        let value = record.get(column).unwrap_or_default().trim();
        if value.is_empty() {
            continue;
        }
        let step: u32 = value.parse().with_context(|| {
            format!(
                "{}: line {line}: first_treaty_step `{value}` is not a step number",
                path.display()
            )
        })?;
        *counts.entry(step).or_default() += 1;
    }
    Ok(counts.into_iter().collect())
}
