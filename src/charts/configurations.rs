//! Triad configurations over time: the share of runs in each configuration of the
//! triad at every step, stacked to 100%.
//!
//! Bands are stacked from the balanced ménage à trois at the bottom, through the
//! romantic triangles (one band per pivot) and stable marriages (one band per couple),
//! to unit veto and loose at the top. The legend sits right of the plot, in the same
//! top-to-bottom order as the bands, so it never covers data.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::charts::Chart;
use crate::charts::data::RunData;
use crate::charts::labels::Names;
use crate::charts::outcomes::scenario_name;
use crate::charts::theme::*;
use crate::format::{fmt_count, fmt_pct_tick};

/// One stacked band: a configuration and its share at every step.
struct Band {
    label: String,
    color: RGBColor,
    shares: Vec<f64>,
}

/// The stacked area chart of triad configurations.
pub(crate) struct ConfigChart {
    title: String,
    subtitles: Vec<String>,
    axis: TimeAxis,
    steps: Vec<u32>,
    bands: Vec<Band>,
}

impl ConfigChart {
    pub fn new(run: &RunData) -> Self {
        let m = &run.manifest;
        let axis = TimeAxis {
            start_year: m.start_year,
            dt: m.dt,
        };
        let table = run.config_table();
        let mut steps: Vec<u32> = table
            .values()
            .flat_map(|by_step| by_step.keys().copied())
            .collect();
        steps.sort_unstable();
        steps.dedup();
        let shown = Names::of_run(run);
        let style = ConfigStyle::new(m.triad_ids(), |id| shown.agent(id));
        let mut names: Vec<&String> = table.keys().collect();
        names.sort_by_key(|n| style.sort_key(n));
        let bands = names
            .into_iter()
            .map(|name| Band {
                label: style.label(name),
                color: style.color(name),
                shares: steps
                    .iter()
                    .map(|s| table[name].get(s).copied().unwrap_or(0.0).max(0.0))
                    .collect(),
            })
            .collect();
        let triad = if m.triad_ids().is_empty() {
            String::new()
        } else {
            let triad: Vec<String> = m.triad_ids().iter().map(|id| shown.agent(id)).collect();
            format!(" {}", triad.join("–"))
        };
        let mut facts = vec![scenario_name(run)];
        if let Some(runs) = m.runs {
            facts.push(format!("{} runs", fmt_count(runs)));
        }
        if let Some(seed) = m.seed {
            facts.push(format!("seed {seed}"));
        }
        ConfigChart {
            title: format!("Configuration of the triad{triad} over time"),
            subtitles: vec![
                format!("{}  ·  share of runs in each configuration", facts.join("  ·  ")),
                "tie signs: + alliance or partnership, − antagonism, 0 hedging; loose: at least one hedging tie"
                    .to_string(),
            ],
            axis,
            steps,
            bands,
        }
    }
}

impl Chart for ConfigChart {
    fn stem(&self) -> String {
        "configurations".to_string()
    }

    fn size(&self) -> (u32, u32) {
        CANVAS
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let body = draw_header(root, &self.title, &self.subtitles)?;
        let (w, h) = body.dim_in_pixel();
        if self.steps.is_empty() || self.bands.is_empty() {
            let style = anchored(
                text(AXIS_DESC_SIZE, NEUTRAL_DARK),
                HPos::Center,
                VPos::Center,
            );
            body.draw(&Text::new(
                "no configuration shares in config_timeseries.csv",
                (w as i32 / 2, h as i32 / 2),
                style,
            ))
            .map_err(draw_err)?;
            return Ok(());
        }

        // Legend column on the right, top to bottom in the order the bands appear.
        let legend: Vec<LegendItem> = self
            .bands
            .iter()
            .rev()
            .map(|b| LegendItem::fill(b.label.clone(), b.color.to_rgba()))
            .collect();
        let legend_w = legend_column_width(&legend).min(w * 40 / 100);
        let (plot, side) = body.split_horizontally(w - legend_w - 2 * MARGIN);

        let first = *self.steps.first().unwrap_or(&0);
        let last = (*self.steps.last().unwrap_or(&0)).max(first + 1);
        let ticks = self.axis.ticks(first, last, 8);
        let totals: Vec<f64> = (0..self.steps.len())
            .map(|i| self.bands.iter().map(|b| b.shares[i]).sum())
            .collect();
        let y_max = totals.iter().copied().fold(1.0, f64::max);

        let mut chart = ChartBuilder::on(&plot)
            .margin_left(MARGIN)
            .margin_right(20)
            .margin_top(10)
            .margin_bottom(MARGIN)
            .x_label_area_size(95)
            .y_label_area_size(130)
            .build_cartesian_2d(ticks.coord(), 0.0..y_max)
            .map_err(draw_err)?;
        let x_fmt = |v: &f64| ticks.label(*v);
        let y_fmt = |v: &f64| fmt_pct_tick(*v);
        house_mesh(&mut chart.configure_mesh())
            .y_labels(6)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc(self.axis.desc())
            .y_desc("share of runs")
            .axis_style(NEUTRAL_DARK.stroke_width(2))
            .draw()
            .map_err(draw_err)?;

        let xs: Vec<f64> = self.steps.iter().map(|s| self.axis.x(*s)).collect();
        let mut lower = vec![0.0; self.steps.len()];
        for band in &self.bands {
            let upper: Vec<f64> = lower.iter().zip(&band.shares).map(|(l, s)| l + s).collect();
            if band.shares.iter().any(|s| *s > 0.0) {
                let mut poly: Vec<(f64, f64)> = xs.iter().copied().zip(upper.clone()).collect();
                poly.extend(xs.iter().copied().zip(lower.clone()).rev());
                chart
                    .draw_series(std::iter::once(Polygon::new(poly, band.color.filled())))
                    .map_err(draw_err)?;
                // A thin white edge keeps neighbouring shades apart.
                chart
                    .draw_series(LineSeries::new(
                        xs.iter().copied().zip(upper.clone()),
                        WHITE.stroke_width(2),
                    ))
                    .map_err(draw_err)?;
            }
            lower = upper;
        }

        // Legend, vertically centred on the plot.
        let (_, side_h) = side.dim_in_pixel();
        let legend_h = legend.len() as i32 * LEGEND_ROW;
        let top = ((side_h as i32 - legend_h) / 2).max(0);
        let head = anchored(bold(LEGEND_SIZE, INK), HPos::Left, VPos::Bottom);
        side.draw(&Text::new("configuration", (MARGIN as i32, top - 8), head))
            .map_err(draw_err)?;
        draw_legend_column(&side, &legend, (MARGIN as i32, top), legend_w)
    }
}
