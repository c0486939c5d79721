//! Comparison of scenarios: for every named outcome, one horizontal bar per scenario
//! with its Wilson 95% whisker and its probability written after it.
//!
//! Outcomes are ordered by their mean probability over the scenarios, largest first.
//! Each scenario keeps one colour, listed in a legend above the bars. An outcome a
//! scenario does not define is shown as an empty bar labelled `n/a`. The canvas grows
//! with the number of bars so that bars and labels stay readable.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::charts::Chart;
use crate::charts::data::{OutcomeRow, finite_or_zero};
use crate::charts::labels::Names;
use crate::charts::outcomes::{Bar, PROBABILITY_AXIS, draw_bar_rows, draw_range};
use crate::charts::theme::*;
use crate::format::{fmt_count, fmt_pct};

/// Grouped bars of outcome probabilities, one group per outcome.
pub(crate) struct ComparisonChart {
    scenarios: Vec<String>,
    /// `groups[s][k]`: bar of scenario `s` for outcome `k`.
    groups: Vec<Vec<Bar>>,
    subtitles: Vec<String>,
}

impl ComparisonChart {
    /// The chart of `scenarios`, leaving out the outcomes in `left_out`
    /// (rules that can never match, with no runs in any scenario).
    pub fn new(scenarios: &[(String, Vec<OutcomeRow>)], names: &Names, left_out: &[&str]) -> Self {
        let mut outcomes: Vec<String> = Vec::new();
        for (_, rows) in scenarios {
            for r in rows {
                if !outcomes.contains(&r.outcome) && !left_out.contains(&r.outcome.as_str()) {
                    outcomes.push(r.outcome.clone());
                }
            }
        }
        let find = |rows: &[OutcomeRow], name: &str| -> Option<OutcomeRow> {
            rows.iter().find(|r| r.outcome == name).cloned()
        };
        let mean_p = |name: &str| -> f64 {
            let n = scenarios.len().max(1) as f64;
            scenarios
                .iter()
                .filter_map(|(_, rows)| find(rows, name))
                .map(|r| finite_or_zero(r.probability))
                .sum::<f64>()
                / n
        };
        let mut order: Vec<(f64, String)> = outcomes.into_iter().map(|o| (mean_p(&o), o)).collect();
        order.sort_by(|a, b| b.0.total_cmp(&a.0));

        let groups = scenarios
            .iter()
            .enumerate()
            .map(|(s, (_, rows))| {
                order
                    .iter()
                    .map(|(_, name)| match find(rows, name) {
                        Some(r) => {
                            let p = finite_or_zero(r.probability).clamp(0.0, 1.0);
                            Bar {
                                label: names.outcome(name),
                                value: p,
                                low: finite_or_zero(r.ci_low).clamp(0.0, 1.0),
                                high: finite_or_zero(r.ci_high).clamp(0.0, 1.0),
                                color: scenario_color(s),
                                text: fmt_pct(p),
                                missing: false,
                                range: draw_range(&r),
                            }
                        }
                        None => Bar {
                            label: names.outcome(name),
                            value: 0.0,
                            low: 0.0,
                            high: 0.0,
                            color: scenario_color(s),
                            text: "n/a".to_string(),
                            missing: true,
                            range: None,
                        },
                    })
                    .collect()
            })
            .collect();

        let runs: Vec<u64> = scenarios
            .iter()
            .map(|(_, rows)| rows.iter().map(|r| r.count).sum())
            .collect();
        let runs_note = match runs.first() {
            Some(first) if runs.iter().all(|r| r == first) => {
                format!("{} runs per scenario", fmt_count(*first))
            }
            Some(_) => format!(
                "runs: {}",
                scenarios
                    .iter()
                    .zip(&runs)
                    .map(|((name, _), r)| format!("{name} {}", fmt_count(*r)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "no scenarios".to_string(),
        };
        ComparisonChart {
            scenarios: scenarios.iter().map(|(n, _)| n.clone()).collect(),
            groups,
            subtitles: [
                Some(runs_note),
                Some(
                    "bar: share of runs ending in each outcome; whisker: Wilson 95% interval"
                        .to_string(),
                ),
                super::outcomes::left_out_note(left_out),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }

    fn legend(&self) -> Vec<LegendItem> {
        self.scenarios
            .iter()
            .enumerate()
            .map(|(i, name)| LegendItem::fill(name.clone(), scenario_color(i).to_rgba()))
            .collect()
    }
}

impl Chart for ComparisonChart {
    fn stem(&self) -> String {
        "comparison".to_string()
    }

    fn size(&self) -> (u32, u32) {
        let n_cat = self.groups.first().map_or(0, Vec::len) as u32;
        let n_grp = self.groups.len().max(1) as u32;
        let legend_rows = legend_rows_count(&self.legend(), CANVAS.0 - 2 * MARGIN) as u32;
        let slot = (n_grp * 40 + 30).max(90);
        let h = header_height(self.subtitles.len())
            + legend_rows * LEGEND_ROW as u32
            + n_cat * slot
            + 200;
        (CANVAS.0, h.max(CANVAS.1))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let body = draw_header(root, "Outcome probabilities by scenario", &self.subtitles)?;
        draw_bar_rows(&body, &self.groups, &self.legend(), PROBABILITY_AXIS)
    }
}
