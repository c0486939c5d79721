//! Fan charts of dyad alignment over time.
//!
//! For each dyad, the median of the alignment `z` across runs is drawn as a line over
//! two bands: the middle 50% of runs (p25 to p75) and the middle 90% (p05 to p95). A
//! solid line marks zero and dashed lines the partnership (`+theta_P`) and antagonism
//! (`-theta_P`) thresholds. The x axis shows calendar years when the manifest has a
//! start year; the single-dyad charts then also carry the step number on a top axis.
//!
//! `fan_<DYAD>` is one chart per dyad; `fan_all` shows every dyad as small multiples
//! with shared axes and one legend, in a grid that stays readable with ten dyads.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::charts::data::{RunData, TimeRow, finite_or_zero};
use crate::charts::labels::Names;
use crate::charts::outcomes::scenario_name;
use crate::charts::theme::*;
use crate::charts::treaties::{RunTreaties, TreatyMarks};
use crate::charts::{Chart, file_safe};
use crate::format::{fmt_count, fmt_num};

/// Fill of the 90% band.
pub(crate) fn outer_band() -> RGBColor {
    tint(ALIGNMENT, 0.22)
}

/// Fill of the 50% band.
pub(crate) fn inner_band() -> RGBColor {
    tint(ALIGNMENT, 0.5)
}

/// Draws a fan's 90% band (`outer`) and 50% band (`inner`), each a closed
/// polygon of points.
pub(crate) fn draw_bands<DB: DrawingBackend, X: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, RangedCoordf64>>,
    outer: Vec<(f64, f64)>,
    inner: Vec<(f64, f64)>,
) -> Result<()> {
    for (points, fill) in [(outer, outer_band()), (inner, inner_band())] {
        chart
            .draw_series(std::iter::once(Polygon::new(points, fill.filled())))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// Description of the alignment axis.
const Y_DESC: &str = "alignment z (mean of both stances)";

/// Colour of the sampled runs drawn over a fan.
fn path_color() -> RGBColor {
    tint(NEUTRAL_DARK, 0.45)
}

/// Legend of the fan charts; `paths` sampled runs are drawn over them.
fn fan_legend(theta: f64, paths: usize, treaties: &TreatyMarks) -> Vec<LegendItem> {
    let sampled =
        (paths > 0).then(|| LegendItem::line(format!("{paths} sampled runs"), path_color(), 1));
    [
        LegendItem::line("median", ALIGNMENT, 5),
        LegendItem::fill("middle 50% of runs (p25–p75)", inner_band().to_rgba()),
        LegendItem::fill("middle 90% of runs (p05–p95)", outer_band().to_rgba()),
    ]
    .into_iter()
    .chain(sampled)
    .chain(threshold_legend(theta))
    .chain(treaties.legend())
    .collect()
}

/// How one fan panel is dressed.
struct PanelStyle {
    caption: Option<String>,
    x_desc: Option<String>,
    y_desc: Option<String>,
    /// Draw the step number on a top axis (only with calendar years below).
    step_axis: bool,
    x_area: u32,
    y_area: u32,
    top_area: u32,
    x_ticks: usize,
    y_ticks: usize,
    median_width: u32,
}

/// Draws one fan into `area`.
fn draw_fan_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fan: &FanChart,
    style: &PanelStyle,
) -> Result<()> {
    let (rows, axis, theta) = (&fan.rows, fan.axis, fan.theta);
    let end = fan.last_step.max(1);
    let (x0, x1) = (axis.x(0), axis.x(end));
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_left(10)
        .margin_right(MARGIN)
        .margin_top(10)
        .margin_bottom(10)
        .x_label_area_size(style.x_area)
        .y_label_area_size(style.y_area);
    if style.top_area > 0 {
        builder.margin_top(style.top_area);
    }
    if let Some(c) = &style.caption {
        builder.caption(c, bold(PANEL_TITLE_SIZE, INK));
    }
    let ticks = axis.ticks(0, end, style.x_ticks);
    let mut chart = builder
        .build_cartesian_2d(ticks.coord(), -1.0..1.0)
        .map_err(draw_err)?;

    let x_fmt = |v: &f64| ticks.label(*v);
    let y_fmt = |v: &f64| fmt_alignment_tick(*v);
    {
        let mut mesh = chart.configure_mesh();
        house_mesh(&mut mesh)
            .y_labels(style.y_ticks)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt);
        if let Some(d) = &style.x_desc {
            mesh.x_desc(d);
        }
        if let Some(d) = &style.y_desc {
            mesh.y_desc(d);
        }
        mesh.draw().map_err(draw_err)?;
    }

    let pts = |f: fn(&TimeRow) -> f64| -> Vec<(f64, f64)> {
        rows.iter()
            .map(|r| (axis.x(r.step), finite_or_zero(f(r)).clamp(-1.0, 1.0)))
            .collect()
    };
    let band = |lo: fn(&TimeRow) -> f64, hi: fn(&TimeRow) -> f64| -> Vec<(f64, f64)> {
        let mut p = pts(hi);
        p.extend(pts(lo).into_iter().rev());
        p
    };
    if !rows.is_empty() {
        draw_bands(
            &mut chart,
            band(|r| r.p05, |r| r.p95),
            band(|r| r.p25, |r| r.p75),
        )?;
    }
    for path in &fan.paths {
        let points = path
            .iter()
            .map(|&(t, z)| (axis.x(t), finite_or_zero(z).clamp(-1.0, 1.0)));
        chart
            .draw_series(LineSeries::new(points, path_color().stroke_width(1)))
            .map_err(draw_err)?;
    }
    chart
        .draw_series(LineSeries::new(
            vec![(x0, 0.0), (x1, 0.0)],
            NEUTRAL_DARK.stroke_width(2),
        ))
        .map_err(draw_err)?;
    for (y, color) in [(theta, PARTNERSHIP_LINE), (-theta, ANTAGONISM_LINE)] {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x0, y), (x1, y)],
                14,
                9,
                color.stroke_width(3),
            ))
            .map_err(draw_err)?;
    }
    fan.treaties.draw(&mut chart, axis, end)?;
    if !rows.is_empty() {
        chart
            .draw_series(LineSeries::new(
                pts(|r| r.p50),
                ALIGNMENT.stroke_width(style.median_width),
            ))
            .map_err(draw_err)?;
    }

    if style.step_axis && axis.start_year.is_some() {
        draw_step_axis(area, &chart, axis, end)?;
    }
    Ok(())
}

/// Height above the plot taken by the step axis, in pixels.
const STEP_AXIS_HEIGHT: u32 = 8 + 10 + TICK_SIZE + 14 + AXIS_DESC_SIZE + 6;

/// Tick spacing for a step axis of `end` steps: a round number giving at most 9 ticks.
fn step_tick_spacing(end: u32) -> u32 {
    let mut base = 1;
    loop {
        for m in [1, 2, 4, 5] {
            let spacing = base * m;
            if end / spacing <= 8 {
                return spacing;
            }
        }
        base *= 10;
    }
}

/// Draws the step numbers on a secondary axis along the top of the plot.
fn draw_step_axis<DB: DrawingBackend, X: Ranged<ValueType = f64>>(
    area: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Cartesian2d<X, RangedCoordf64>>,
    axis: TimeAxis,
    end: u32,
) -> Result<()> {
    let line = NEUTRAL_DARK.stroke_width(2);
    let (lx, top) = local(area, chart.backend_coord(&(axis.x(0), 1.0)));
    let (rx, _) = local(area, chart.backend_coord(&(axis.x(end), 1.0)));
    area.draw(&PathElement::new(vec![(lx, top), (rx, top)], line))
        .map_err(draw_err)?;
    let label = anchored(text(TICK_SIZE, NEUTRAL_DARK), HPos::Center, VPos::Bottom);
    let spacing = step_tick_spacing(end);
    for s in (0..=end).step_by(spacing as usize) {
        let (x, _) = local(area, chart.backend_coord(&(axis.x(s), 1.0)));
        area.draw(&PathElement::new(vec![(x, top), (x, top - 8)], line))
            .map_err(draw_err)?;
        area.draw(&Text::new(s.to_string(), (x, top - 8 - 10), label.clone()))
            .map_err(draw_err)?;
    }
    let desc = anchored(
        text(AXIS_DESC_SIZE, NEUTRAL_DARK),
        HPos::Center,
        VPos::Bottom,
    );
    area.draw(&Text::new(
        format!("step (one step = {} years)", fmt_num(axis.dt)),
        ((lx + rx) / 2, top - 8 - 10 - TICK_SIZE as i32 - 14),
        desc,
    ))
    .map_err(draw_err)
}

/// Shared facts of a run for subtitles.
fn run_facts(run: &RunData) -> String {
    let m = &run.manifest;
    let mut facts = vec![scenario_name(run)];
    if let Some(runs) = m.runs {
        facts.push(format!("{} runs", fmt_count(runs)));
    }
    if let Some(seed) = m.seed {
        facts.push(format!("seed {seed}"));
    }
    facts.join("  ·  ")
}

/// The fan chart of one dyad.
pub(crate) struct FanChart {
    dyad: String,
    /// The dyad as the chart names it.
    shown: String,
    rows: Vec<TimeRow>,
    /// Sampled runs from `trajectories.csv`, drawn as thin lines.
    paths: Vec<Vec<(u32, f64)>>,
    axis: TimeAxis,
    theta: f64,
    last_step: u32,
    subtitles: Vec<String>,
    treaties: TreatyMarks,
}

impl FanChart {
    /// One fan chart per dyad of the run, with marks of when treaties formed.
    pub fn all(run: &RunData, treaties: &RunTreaties) -> Vec<FanChart> {
        let axis = TimeAxis {
            start_year: run.manifest.start_year,
            dt: run.manifest.dt,
        };
        let last_step = run.last_step();
        let names = Names::of_run(run);
        run.dyads()
            .into_iter()
            .map(|dyad| FanChart {
                rows: run.series_of(&dyad),
                paths: run.paths_of(&dyad),
                shown: names.dyad(&dyad),
                axis,
                theta: run.manifest.theta_p,
                last_step,
                subtitles: vec![
                    format!(
                        "{}  ·  distribution of z across runs at each step",
                        run_facts(run)
                    ),
                    axis.note(last_step),
                ],
                treaties: treaties.of_dyad(&dyad),
                dyad,
            })
            .collect()
    }
}

impl Chart for FanChart {
    fn stem(&self) -> String {
        format!("fan_{}", file_safe(&self.dyad))
    }

    fn size(&self) -> (u32, u32) {
        CANVAS
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let title = format!("Alignment of {} over time", self.shown);
        let body = draw_header(root, &title, &self.subtitles)?;
        let (w, h) = body.dim_in_pixel();
        let legend = fan_legend(self.theta, self.paths.len(), &self.treaties);
        let inner_w = w - 2 * MARGIN;
        let legend_h = legend_rows_count(&legend, inner_w) as u32 * LEGEND_ROW as u32;
        let (plot, bottom) = body.split_vertically(h - legend_h - MARGIN - 16);
        let years = self.axis.start_year.is_some();
        draw_fan_panel(
            &plot.margin(0, 0, MARGIN, 0),
            self,
            &PanelStyle {
                caption: None,
                x_desc: Some(self.axis.desc()),
                y_desc: Some(Y_DESC.to_string()),
                step_axis: true,
                x_area: 95,
                y_area: 125,
                top_area: if years { STEP_AXIS_HEIGHT } else { 0 },
                x_ticks: 8,
                y_ticks: 9,
                median_width: 5,
            },
        )?;
        draw_legend_rows(&bottom, &legend, (MARGIN as i32, 16), inner_w)
    }
}

/// All dyads' fan charts as small multiples.
pub(crate) struct FanGrid {
    fans: Vec<FanChart>,
    subtitles: Vec<String>,
    legend_rows: usize,
}

impl FanGrid {
    pub fn new(run: &RunData, treaties: &RunTreaties) -> Self {
        let fans = FanChart::all(run, treaties);
        let axis = TimeAxis {
            start_year: run.manifest.start_year,
            dt: run.manifest.dt,
        };
        let paths = fans.first().map_or(0, |f| f.paths.len());
        let marks = fans.first().map(|f| f.treaties.clone()).unwrap_or_default();
        let legend = fan_legend(run.manifest.theta_p, paths, &marks);
        let legend_rows = legend_rows_count(&legend, GRID_WIDTH - 2 * MARGIN);
        FanGrid {
            fans,
            subtitles: vec![
                format!(
                    "{}  ·  median and middle 50% / 90% of runs at each step",
                    run_facts(run)
                ),
                axis.note(run.last_step()),
            ],
            legend_rows,
        }
    }
}

impl Chart for FanGrid {
    fn stem(&self) -> String {
        "fan_all".to_string()
    }

    fn size(&self) -> (u32, u32) {
        grid_canvas(self.fans.len(), self.subtitles.len(), self.legend_rows)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let body = draw_header(root, "Alignment of every dyad over time", &self.subtitles)?;
        let Some(first) = self.fans.first() else {
            return Ok(());
        };
        let panels = grid_panels(
            &body,
            self.fans.len(),
            &first.axis.desc(),
            Y_DESC,
            &fan_legend(first.theta, first.paths.len(), &first.treaties),
        )?;
        for (fan, panel) in self.fans.iter().zip(panels) {
            draw_fan_panel(
                &panel,
                fan,
                &PanelStyle {
                    caption: Some(fan.shown.clone()),
                    x_desc: None,
                    y_desc: None,
                    step_axis: false,
                    x_area: 48,
                    y_area: 80,
                    top_area: 0,
                    x_ticks: 4,
                    y_ticks: 5,
                    median_width: 4,
                },
            )?;
        }
        Ok(())
    }
}
