//! Paired differences of a comparison: for each later scenario and outcome,
//! the change in probability against the first scenario, with the 5-95%
//! range of the per-draw difference (thick) and the paired 95% interval
//! (thin), around a zero line. Read from `differences.csv`.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::charts::Chart;
use crate::charts::data::finite_or_zero;
use crate::charts::labels::Names;
use crate::charts::theme::*;
use crate::format::fmt_signed;

pub(crate) use crate::output::rows::DifferenceRow;

pub(crate) struct DifferencesChart {
    rows: Vec<DifferenceRow>,
    /// `scenario: outcome` of each row, with the outcome's label.
    labels: Vec<String>,
    subtitles: Vec<String>,
}

impl DifferencesChart {
    /// Rows whose difference is exactly zero in every draw (outcomes that
    /// neither scenario ever reaches) are left out.
    pub fn new(mut rows: Vec<DifferenceRow>, names: &Names) -> Self {
        rows.retain(|r| {
            [r.difference, r.ci_low, r.ci_high, r.draw_p05, r.draw_p95]
                .iter()
                .any(|&v| v != 0.0)
        });
        let reference = rows.first().map_or(String::new(), |r| r.reference.clone());
        let uncertain = rows.iter().any(|r| r.draw_p05 < r.draw_p95);
        let mut subtitles = vec![format!(
            "change in probability against {reference}, on the same parameter draws and run streams"
        )];
        subtitles.push(if uncertain {
            "dot: difference; thick band: 5-95% of the difference over draws; thin whisker: paired 95% interval".into()
        } else {
            "dot: difference; whisker: paired 95% interval (Monte Carlo error only)".into()
        });
        let labels = rows
            .iter()
            .map(|r| format!("{}: {}", r.scenario, names.outcome(&r.outcome)))
            .collect();
        DifferencesChart {
            rows,
            labels,
            subtitles,
        }
    }
}

impl Chart for DifferencesChart {
    fn stem(&self) -> String {
        "differences".to_string()
    }

    fn size(&self) -> (u32, u32) {
        let rows = self.rows.len().max(1) as u32;
        (CANVAS.0, CANVAS.1.max(header_height(2) + 200 + rows * 56))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let body = draw_header(
            root,
            "Paired differences between scenarios",
            &self.subtitles,
        )?;
        let uncertain = self.rows.iter().any(|r| r.draw_p05 < r.draw_p95);
        let legend = if uncertain {
            vec![
                LegendItem::line("5-95% over parameter draws", NEUTRAL, 14),
                LegendItem::line("paired 95% interval", NEUTRAL_DARK, 3),
            ]
        } else {
            Vec::new()
        };
        let area = legend_on_top(&body, &legend, 16)?;
        let labels = &self.labels;
        let (w, _) = area.dim_in_pixel();
        let name_style = text(TICK_SIZE, INK);
        let name_w = max_text_width(labels.iter().cloned(), &name_style).min(w * 45 / 100);
        let reach = self
            .rows
            .iter()
            .flat_map(|r| [r.ci_low, r.ci_high, r.draw_p05, r.draw_p95, r.difference])
            .map(|v| finite_or_zero(v).abs())
            .fold(0.005_f64, f64::max)
            * 1.15;
        let n = self.rows.len();
        let mut chart = bar_rows_chart(&area, (90, name_w + 28), -reach..reach, n.max(1))?;
        house_mesh(&mut chart.configure_mesh())
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(9)
            .x_label_formatter(&|v| format!("{:+.1} pp", v * 100.0))
            .x_desc("difference in probability (percentage points)")
            .draw()
            .map_err(draw_err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, n as f64)],
                NEUTRAL_DARK.stroke_width(2),
            )))
            .map_err(draw_err)?;
        let name_style = anchored(name_style, HPos::Right, VPos::Center);
        let value_style = anchored(text(TICK_SIZE, INK), HPos::Left, VPos::Bottom);
        for (k, (r, label)) in self.rows.iter().zip(labels).enumerate() {
            let mid = n as f64 - k as f64 - 0.5;
            let color = scenario_color(1 + self.scenario_index(&r.scenario));
            let (px, py) = local(&area, chart.backend_coord(&(-reach, mid)));
            area.draw(&Text::new(
                fit_text(label, &name_style, name_w),
                (px - 16, py),
                name_style.clone(),
            ))
            .map_err(draw_err)?;
            let v = |x: f64| finite_or_zero(x).clamp(-reach, reach);
            if r.draw_p05 < r.draw_p95 {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(v(r.draw_p05), mid - 0.14), (v(r.draw_p95), mid + 0.14)],
                        NEUTRAL.mix(0.85).filled(),
                    )))
                    .map_err(draw_err)?;
            }
            let whisker = NEUTRAL_DARK.stroke_width(3);
            let (lo, hi) = (v(r.ci_low), v(r.ci_high));
            chart
                .draw_series([
                    PathElement::new(vec![(lo, mid), (hi, mid)], whisker),
                    PathElement::new(vec![(lo, mid - 0.2), (lo, mid + 0.2)], whisker),
                    PathElement::new(vec![(hi, mid - 0.2), (hi, mid + 0.2)], whisker),
                ])
                .map_err(draw_err)?;
            chart
                .draw_series(std::iter::once(Circle::new(
                    (v(r.difference), mid),
                    9,
                    color.filled(),
                )))
                .map_err(draw_err)?;
            let (tx, ty) = local(&area, chart.backend_coord(&(v(r.difference), mid + 0.22)));
            area.draw(&Text::new(
                format!("{} pp", fmt_signed(r.difference * 100.0)),
                (tx + 12, ty),
                value_style.clone(),
            ))
            .map_err(draw_err)?;
        }
        Ok(())
    }
}

impl DifferencesChart {
    /// Position of a scenario among the compared ones after the reference.
    fn scenario_index(&self, scenario: &str) -> usize {
        let mut seen: Vec<&str> = Vec::new();
        for r in &self.rows {
            if !seen.contains(&r.scenario.as_str()) {
                seen.push(&r.scenario);
            }
        }
        seen.iter().position(|s| *s == scenario).unwrap_or(0)
    }
}
