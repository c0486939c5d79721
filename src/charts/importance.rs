//! What drives the uncertainty of each outcome: for every outcome whose
//! probability moves with the parameters, the uncertain parameters ranked by
//! their first-order index (the share of the outcome's variance over draws
//! each explains alone). Read from `importance.csv` and `outcomes.csv`.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::charts::Chart;
use crate::charts::data::{OutcomeRow, finite_or_zero};
use crate::charts::labels::Names;
use crate::charts::outcomes::{Bar, draw_bar_rows};
use crate::charts::theme::*;

/// Parameters shown per outcome.
const TOP: usize = 6;

/// Smallest share of an outcome's variance due to the parameters for which
/// the chart ranks them.
const MIN_SHARE: f64 = 0.05;

pub(crate) use crate::output::rows::ImportanceRow;

pub(crate) struct ImportanceChart {
    scenario: String,
    names: Names,
    /// Outcomes with their top parameters, largest index first.
    panels: Vec<(String, Vec<ImportanceRow>)>,
    colors: OutcomeColors,
}

impl ImportanceChart {
    /// `None` when no outcome has a parameter with a positive index.
    pub fn new(
        scenario: &str,
        names: Names,
        outcomes: &[OutcomeRow],
        rows: &[ImportanceRow],
    ) -> Option<Self> {
        let mut panels = Vec::new();
        for o in outcomes {
            let mut mine: Vec<ImportanceRow> = rows
                .iter()
                .filter(|r| r.outcome == o.outcome && finite_or_zero(r.first_order) > 0.0)
                .cloned()
                .collect();
            // An outcome whose spread over draws is almost all chance has
            // no parameter ranking worth showing.
            if mine.is_empty() || o.parameter_share.unwrap_or(1.0) < MIN_SHARE {
                continue;
            }
            mine.sort_by(|a, b| b.first_order.total_cmp(&a.first_order));
            mine.truncate(TOP);
            panels.push((o.outcome.clone(), mine));
        }
        (!panels.is_empty()).then(|| ImportanceChart {
            scenario: scenario.to_string(),
            names,
            colors: OutcomeColors::new(outcomes.iter().map(|o| o.outcome.as_str())),
            panels,
        })
    }
}

impl Chart for ImportanceChart {
    fn stem(&self) -> String {
        "importance".to_string()
    }

    fn size(&self) -> (u32, u32) {
        let rows: usize = self.panels.iter().map(|(_, r)| r.len() + 2).sum();
        (
            CANVAS.0,
            (header_height(2) + 60 * rows as u32 + 80).max(CANVAS.1),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let subtitles = vec![
            "share of each outcome's variance over parameter draws explained by one parameter alone".to_string(),
            "first-order index from the draws (given-data estimator, chance removed); top parameters per outcome".to_string(),
        ];
        let mut body = draw_header(
            root,
            &format!("What drives the uncertainty of {}", self.scenario),
            &subtitles,
        )?;
        let total: usize = self.panels.iter().map(|(_, r)| r.len() + 2).sum();
        let (_, height) = body.dim_in_pixel();
        for (outcome, rows) in &self.panels {
            let share = (rows.len() + 2) as f64 / total as f64;
            let h = (height as f64 * share) as u32;
            let (panel, rest) = body.split_vertically(h);
            body = rest;
            let title_style = bold(PANEL_TITLE_SIZE, INK);
            panel
                .draw(&Text::new(
                    self.names.outcome(outcome),
                    (MARGIN as i32, 4),
                    title_style,
                ))
                .map_err(draw_err)?;
            let (_, plot) = panel.split_vertically(PANEL_TITLE_SIZE + 10);
            let bars: Vec<Bar> = rows
                .iter()
                .map(|r| {
                    let v = finite_or_zero(r.first_order).clamp(0.0, 1.0);
                    Bar {
                        label: self.names.parameter(&r.parameter),
                        value: v,
                        low: v,
                        high: v,
                        color: self.colors.get(outcome),
                        text: format!("{:.0}%", v * 100.0),
                        missing: true,
                        range: None,
                    }
                })
                .collect();
            draw_bar_rows(
                &plot,
                &[bars],
                &[],
                "first-order index (share of the variance over draws)",
            )?;
        }
        Ok(())
    }
}
