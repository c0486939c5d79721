//! Outcome distribution: one horizontal bar per named outcome, longest first, with the
//! Wilson 95% interval as a whisker and the probability written after it.
//!
//! Outcome names are drawn as plain text left of the plot, in a label column as wide
//! as the longest name, so long names such as `partnership_short_of_alliance` are never
//! cut. The x range is widened until every percentage label fits right of its whisker.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::charts::Chart;
use crate::charts::data::{OutcomeRow, RunData, finite_or_zero};
use crate::charts::labels::Names;
use crate::charts::theme::*;
use crate::format::{fmt_count, fmt_num, fmt_pct, fmt_pct_tick};

/// Description of the x axis of probability bars.
pub(crate) const PROBABILITY_AXIS: &str = "probability (share of runs)";

/// Gap between a whisker's end and its label, in pixels.
const LABEL_GAP: i32 = 14;

/// The subtitle that names the outcome rules a chart leaves out because they
/// can never match, if any.
pub(crate) fn left_out_note(left_out: &[&str]) -> Option<String> {
    (!left_out.is_empty()).then(|| {
        format!(
            "left out, since an earlier rule always takes their runs or their conditions contradict: {}",
            left_out.join(", ")
        )
    })
}

/// The outcome distribution of one run.
pub(crate) struct OutcomesChart {
    names: Names,
    title: String,
    subtitles: Vec<String>,
    rows: Vec<OutcomeRow>,
    colors: OutcomeColors,
}

impl OutcomesChart {
    pub fn new(run: &RunData) -> Self {
        let m = &run.manifest;
        // A rule that can never match has no runs and no bar to draw; it is
        // named below the title instead, so its absence is explained.
        let never = |name: &str| {
            m.outcome_rules
                .iter()
                .any(|r| r.name == name && r.never_matches.is_some())
        };
        let left_out: Vec<&str> = run
            .outcomes
            .iter()
            .filter(|r| r.count == 0 && never(&r.outcome))
            .map(|r| r.outcome.as_str())
            .collect();
        let mut rows: Vec<OutcomeRow> = run
            .outcomes
            .iter()
            .filter(|r| !left_out.contains(&r.outcome.as_str()))
            .map(|r| OutcomeRow {
                probability: finite_or_zero(r.probability).clamp(0.0, 1.0),
                ci_low: finite_or_zero(r.ci_low).clamp(0.0, 1.0),
                ci_high: finite_or_zero(r.ci_high).clamp(0.0, 1.0),
                ..r.clone()
            })
            .collect();
        // Stable sort: ties keep the file's order.
        rows.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        let names = m
            .outcomes
            .iter()
            .map(String::as_str)
            .chain(run.outcomes.iter().map(|r| r.outcome.as_str()));
        let colors = OutcomeColors::new(names);
        let scenario = scenario_name(run);
        let mut about = Vec::new();
        if let Some(runs) = m.runs {
            about.push(format!("{} runs", fmt_count(runs)));
        }
        if let Some(seed) = m.seed {
            about.push(format!("seed {seed}"));
        }
        let about = if about.is_empty() {
            String::new()
        } else {
            format!(" ({})", about.join(", "))
        };
        let mut subtitles = Vec::new();
        if let Some(h) = m.horizon {
            let mut s = format!("horizon {h} steps of {} years", fmt_num(m.dt));
            if let Some(y0) = m.start_year {
                s.push_str(&format!(
                    ", {} to {}",
                    fmt_month(y0),
                    fmt_month(y0 + h as f64 * m.dt)
                ));
            }
            subtitles.push(s);
        }
        let uncertain = rows.iter().any(|r| draw_range(r).is_some());
        subtitles.push(if uncertain {
            "bar: probability integrated over the parameter draws; thick band: 5-95% over draws; thin whisker: Monte Carlo 95% interval".to_string()
        } else {
            "bar: share of runs ending in each outcome; whisker: Wilson 95% interval (Monte Carlo error only)".to_string()
        });
        subtitles.extend(left_out_note(&left_out));
        OutcomesChart {
            names: Names::of_run(run),
            title: format!("Outcomes of {scenario}{about}"),
            subtitles,
            rows,
            colors,
        }
    }
}

/// The scenario name, or a placeholder when the manifest has none.
pub(crate) fn scenario_name(run: &RunData) -> String {
    if run.manifest.scenario.name.is_empty() {
        "unnamed scenario".to_string()
    } else {
        run.manifest.scenario.name.clone()
    }
}

impl Chart for OutcomesChart {
    fn stem(&self) -> String {
        "outcomes".to_string()
    }

    fn size(&self) -> (u32, u32) {
        CANVAS
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let body = draw_header(root, &self.title, &self.subtitles)?;
        let bars: Vec<Bar> = self
            .rows
            .iter()
            .map(|r| Bar {
                label: self.names.outcome(&r.outcome),
                value: r.probability,
                low: r.ci_low,
                high: r.ci_high,
                color: self.colors.get(&r.outcome),
                text: fmt_pct(r.probability),
                missing: false,
                range: draw_range(r),
            })
            .collect();
        let legend = if bars.iter().any(|b| b.range.is_some()) {
            range_legend()
        } else {
            Vec::new()
        };
        draw_bar_rows(&body, &[bars], &legend, PROBABILITY_AXIS)
    }
}

/// One bar of a horizontal bar chart.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    pub label: String,
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub color: RGBColor,
    pub text: String,
    /// The scenario has no such outcome: no bar and no whisker, only the text.
    pub missing: bool,
    /// The 5-95% range over parameter draws, drawn as a thick band under the
    /// whisker; `None` when parameters were fixed.
    pub range: Option<(f64, f64)>,
}

/// The 5-95% range over draws of an outcome row, when it differs from the
/// probability (that is, when parameters were uncertain).
pub(crate) fn draw_range(r: &OutcomeRow) -> Option<(f64, f64)> {
    let (low, high) = (r.draw_p05?, r.draw_p95?);
    let clean = |v: f64| finite_or_zero(v).clamp(0.0, 1.0);
    (low < high).then(|| (clean(low), clean(high)))
}

/// Colour of the band of the range over draws.
const RANGE_COLOR: RGBColor = NEUTRAL;

/// The legend of a chart whose bars carry ranges over draws.
pub(crate) fn range_legend() -> Vec<LegendItem> {
    vec![
        LegendItem::line("5-95% over parameter draws", RANGE_COLOR, 14),
        LegendItem::line("Monte Carlo 95% interval", NEUTRAL_DARK, 3),
    ]
}

/// Draws horizontal bars with whiskers into `area`. `groups[g][k]` is bar `k` of group
/// `g`; all groups list their bars for the same categories in the same order, and a
/// category's bars are drawn next to each other (one per group). The category label is
/// taken from the first group. `legend` (may be empty) goes in a row above the plot.
pub(crate) fn draw_bar_rows<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    groups: &[Vec<Bar>],
    legend: &[LegendItem],
    axis: &str,
) -> Result<()> {
    let w = area.dim_in_pixel().0;
    let n_cat = groups.first().map_or(0, Vec::len);
    let n_grp = groups.len().max(1);
    let inner_w = w.saturating_sub(2 * MARGIN);

    let plot_area = legend_on_top(area, legend, 16)?;

    if n_cat == 0 {
        let style = anchored(
            text(AXIS_DESC_SIZE, NEUTRAL_DARK),
            HPos::Center,
            VPos::Center,
        );
        plot_area
            .draw(&Text::new(
                "no outcomes to show",
                (w as i32 / 2, plot_area.dim_in_pixel().1 as i32 / 2),
                style,
            ))
            .map_err(draw_err)?;
        return Ok(());
    }

    let name_style = text(TICK_SIZE + 2, INK);
    let name_w = max_text_width(groups[0].iter().map(|b| b.label.clone()), &name_style);
    // Keep at least 55% of the width for the bars; longer names are shortened.
    let name_w = name_w.min(inner_w * 45 / 100);
    let y_area = name_w + 28;
    let x_area = 90;
    let (_, plot_h) = plot_area.dim_in_pixel();
    let plot_px_w = inner_w.saturating_sub(y_area + 20).max(100) as f64;
    let plot_px_h = plot_h.saturating_sub(x_area + MARGIN).max(50) as f64;

    // Text size of the value labels: as large as the bar thickness allows.
    let slot_px = plot_px_h / n_cat as f64;
    let bar_px = slot_px * 0.72 / n_grp as f64;
    let label_size = ((bar_px * 0.95).floor() as u32).clamp(12, BAR_LABEL_SIZE);
    let label_style = text(label_size, INK);

    // Widen the x range until each label fits right of its whisker.
    let all: Vec<&Bar> = groups.iter().flatten().collect();
    let max_end = all
        .iter()
        .map(|b| b.value.max(b.high).max(b.range.map_or(0.0, |r| r.1)))
        .fold(0.0_f64, f64::max)
        .max(0.01);
    let mut x_max = max_end * 1.03;
    for _ in 0..20 {
        let mut needed = x_max;
        for b in &all {
            let tw = text_size(&b.text, &label_style).0 as f64 + LABEL_GAP as f64 + 12.0;
            let room = plot_px_w - tw;
            if room > 10.0 {
                needed = needed.max(bar_end(b) * plot_px_w / room);
            }
        }
        if needed <= x_max * 1.0001 {
            break;
        }
        x_max = needed;
    }

    let mut chart = bar_rows_chart(&plot_area, (x_area, y_area), 0.0..x_max, n_cat)?;
    let tick_fmt = |v: &f64| {
        if *v > 1.0 + 1e-9 {
            String::new()
        } else {
            fmt_pct_tick(*v)
        }
    };
    house_mesh(&mut chart.configure_mesh())
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(8)
        .x_label_formatter(&tick_fmt)
        .x_label_style(text(TICK_SIZE, INK))
        .x_desc(axis)
        .axis_style(NEUTRAL_DARK.stroke_width(2))
        .draw()
        .map_err(draw_err)?;

    let name_style = anchored(name_style, HPos::Right, VPos::Center);
    let value_style = anchored(label_style, HPos::Left, VPos::Center);
    for k in 0..n_cat {
        // Category k from the top.
        let slot_top = n_cat as f64 - k as f64;
        let centre = slot_top - 0.5;
        let label = &groups[0][k].label;
        let (px, py) = local(area, chart.backend_coord(&(0.0, centre)));
        let shown = fit_text(label, &name_style, name_w);
        area.draw(&Text::new(shown, (px - 16, py), name_style.clone()))
            .map_err(draw_err)?;

        let band = 0.72 / n_grp as f64;
        let start = centre + 0.36;
        for (g, group) in groups.iter().enumerate() {
            let Some(b) = group.get(k) else { continue };
            let top = start - g as f64 * band;
            let bottom = top - band;
            let inset = band * 0.08;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, bottom + inset), (b.value, top - inset)],
                    b.color.filled(),
                )))
                .map_err(draw_err)?;
            let mid = (top + bottom) / 2.0;
            let cap = band * 0.28;
            let whisker = NEUTRAL_DARK.stroke_width(3);
            if let Some((low, high)) = b.range {
                let half = (band * 0.16).max(0.0);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(low, mid - half), (high, mid + half)],
                        RANGE_COLOR.mix(0.85).filled(),
                    )))
                    .map_err(draw_err)?;
            }
            if !b.missing {
                chart
                    .draw_series([
                        PathElement::new(vec![(b.low, mid), (b.high, mid)], whisker),
                        PathElement::new(vec![(b.low, mid - cap), (b.low, mid + cap)], whisker),
                        PathElement::new(vec![(b.high, mid - cap), (b.high, mid + cap)], whisker),
                    ])
                    .map_err(draw_err)?;
            }
            let (ex, ey) = local(area, chart.backend_coord(&(bar_end(b), mid)));
            area.draw(&Text::new(
                b.text.clone(),
                (ex + LABEL_GAP, ey),
                value_style.clone(),
            ))
            .map_err(draw_err)?;
        }
    }
    Ok(())
}

/// Where a bar's drawing ends on the right: its value, whisker or range.
fn bar_end(b: &Bar) -> f64 {
    b.value.max(b.high).max(b.range.map_or(0.0, |r| r.1))
}
