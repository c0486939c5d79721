//! Final alignment distribution: for each dyad, a histogram of its alignment averaged
//! over the last steps of the horizon (`zbar`), as small multiples.
//!
//! Bars show the share of runs in each bin, on one y scale for all panels so that
//! dyads compare at a glance. Dashed lines mark the partnership (`+theta_P`) and
//! antagonism (`-theta_P`) thresholds, as in the fan charts.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::charts::Chart;
use crate::charts::data::{FinalBin, RunData};
use crate::charts::labels::Names;
use crate::charts::outcomes::scenario_name;
use crate::charts::theme::*;
use crate::format::{fmt_count, fmt_pct_tick};

/// Histogram bars of one dyad: (low, high, share of runs).
struct Panel {
    /// The dyad as the chart names it.
    dyad: String,
    bars: Vec<(f64, f64, f64)>,
}

/// The small multiples of final alignment histograms.
pub(crate) struct FinalChart {
    panels: Vec<Panel>,
    theta: f64,
    y_max: f64,
    subtitles: Vec<String>,
    legend_rows: usize,
}

fn to_bars(bins: &[FinalBin]) -> Vec<(f64, f64, f64)> {
    let total: u64 = bins.iter().map(|b| b.count).sum();
    bins.iter()
        .filter(|b| b.bin_low.is_finite() && b.bin_high.is_finite())
        .map(|b| {
            let share = if total > 0 {
                b.count as f64 / total as f64
            } else {
                0.0
            };
            (b.bin_low.max(-1.0), b.bin_high.min(1.0), share)
        })
        .collect()
}

fn legend(theta: f64) -> Vec<LegendItem> {
    [LegendItem::fill(
        "share of runs in the bin",
        ALIGNMENT.to_rgba(),
    )]
    .into_iter()
    .chain(threshold_legend(theta))
    .collect()
}

impl FinalChart {
    pub fn new(run: &RunData) -> Self {
        let m = &run.manifest;
        let names = Names::of_run(run);
        let panels: Vec<Panel> = run
            .dyads()
            .into_iter()
            .map(|dyad| Panel {
                bars: to_bars(&run.bins_of(&dyad)),
                dyad: names.dyad(&dyad),
            })
            .collect();
        let peak = panels
            .iter()
            .flat_map(|p| p.bars.iter().map(|b| b.2))
            .fold(0.0_f64, f64::max);
        let y_max = if peak > 0.0 { peak * 1.08 } else { 1.0 };
        let mut facts = vec![scenario_name(run)];
        if let Some(runs) = m.runs {
            facts.push(format!("{} runs", fmt_count(runs)));
        }
        if let Some(seed) = m.seed {
            facts.push(format!("seed {seed}"));
        }
        let at = match (m.horizon, m.start_year) {
            (Some(h), Some(y0)) => format!("at step {h} ({})", fmt_month(y0 + h as f64 * m.dt)),
            (Some(h), None) => format!("at step {h}"),
            _ => "at the horizon".to_string(),
        };
        let theta = m.theta_p;
        FinalChart {
            theta,
            y_max,
            subtitles: vec![
                facts.join("  ·  "),
                format!(
                    "alignment averaged over the last steps of the run, {at}{}",
                    if panels.len() > 1 {
                        "; same y scale in every panel"
                    } else {
                        ""
                    }
                ),
            ],
            legend_rows: legend_rows_count(&legend(theta), GRID_WIDTH - 2 * MARGIN),
            panels,
        }
    }
}

impl Chart for FinalChart {
    fn stem(&self) -> String {
        "final".to_string()
    }

    fn size(&self) -> (u32, u32) {
        grid_canvas(self.panels.len(), self.subtitles.len(), self.legend_rows)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let body = draw_header(
            root,
            "Final alignment of each dyad across runs",
            &self.subtitles,
        )?;
        if self.panels.is_empty() {
            return Ok(());
        }
        let areas = grid_panels(
            &body,
            self.panels.len(),
            "final alignment z (averaged over the last steps)",
            "share of runs",
            &legend(self.theta),
        )?;
        let y_fmt = |v: &f64| fmt_pct_tick(*v);
        let x_fmt = |v: &f64| fmt_alignment_tick(*v);
        for (panel, area) in self.panels.iter().zip(areas) {
            let mut chart = ChartBuilder::on(&area)
                .margin_left(10)
                .margin_right(MARGIN)
                .margin_top(10)
                .margin_bottom(10)
                .caption(&panel.dyad, bold(PANEL_TITLE_SIZE, INK))
                .x_label_area_size(48)
                .y_label_area_size(95)
                .build_cartesian_2d(-1.0..1.0, 0.0..self.y_max)
                .map_err(draw_err)?;
            house_mesh(&mut chart.configure_mesh())
                .x_labels(5)
                .y_labels(5)
                .x_label_formatter(&x_fmt)
                .y_label_formatter(&y_fmt)
                .axis_style(NEUTRAL_DARK.stroke_width(2))
                .draw()
                .map_err(draw_err)?;
            chart
                .draw_series(
                    panel.bars.iter().filter(|b| b.2 > 0.0).map(|&(lo, hi, s)| {
                        Rectangle::new([(lo, 0.0), (hi, s)], ALIGNMENT.filled())
                    }),
                )
                .map_err(draw_err)?;
            // White edges separate neighbouring bars.
            chart
                .draw_series(panel.bars.iter().filter(|b| b.2 > 0.0).map(|&(lo, hi, s)| {
                    Rectangle::new([(lo, 0.0), (hi, s)], WHITE.stroke_width(1))
                }))
                .map_err(draw_err)?;
            for (x, color) in [
                (self.theta, PARTNERSHIP_LINE),
                (-self.theta, ANTAGONISM_LINE),
            ] {
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(x, 0.0), (x, self.y_max)],
                        14,
                        9,
                        color.stroke_width(3),
                    ))
                    .map_err(draw_err)?;
            }
        }
        Ok(())
    }
}
