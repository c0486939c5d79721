//! Latin hypercube charts: the target probability against each factor, one panel
//! per factor.

use super::*;

/// Small multiples of the target probability against each factor.
pub(super) struct LhsChart {
    target: String,
    color: RGBColor,
    factors: Vec<String>,
    ranges: Vec<(f64, f64)>,
    /// `points[i]`: (factor values, p, low, high) of the target outcome.
    points: Vec<(Vec<f64>, f64, f64, f64)>,
    y_max: f64,
    subtitles: Vec<String>,
    runs: Option<u64>,
}

/// Number of equal-width bins of the running mean in the LHS panels.
const LHS_BINS: usize = 10;

impl LhsChart {
    pub(super) fn new(data: &SweepData) -> Self {
        let t = data.target();
        let target = data.target_name();
        let points: Vec<(Vec<f64>, f64, f64, f64)> = (0..data.x.len())
            .map(|i| {
                (
                    data.x[i].clone(),
                    data.p[i][t],
                    data.lo[i][t],
                    data.hi[i][t],
                )
            })
            .collect();
        let max_hi = points.iter().map(|p| p.3.max(p.1)).fold(0.0_f64, f64::max);
        let (y_max, _) = nice_probability_max(max_hi * 1.02);
        let mut subtitles = data.about();
        subtitles.push(format!(
            "dot: P({target}) at one design point, whisker: its Wilson 95% interval; line: mean over tenths of the factor's range"
        ));
        LhsChart {
            color: data.colors.get(&target),
            target,
            factors: data.factors.clone(),
            ranges: (0..data.factors.len())
                .map(|f| data.factor_range(f))
                .collect(),
            points,
            y_max,
            subtitles,
            runs: Some(data.manifest.runs_per_point),
        }
    }

    fn legend(&self) -> Vec<LegendItem> {
        let runs = self
            .runs
            .map_or(String::new(), |r| format!(" ({} runs)", fmt_count(r)));
        vec![
            LegendItem::fill(format!("design point{runs}"), self.color.to_rgba()),
            LegendItem::line("Wilson 95% interval", tint(self.color, 0.45), 2),
            LegendItem::line("mean over a tenth of the range", NEUTRAL_DARK, 4),
        ]
    }

    /// Mean probability in each of [`LHS_BINS`] equal-width bins of factor `f`, at the
    /// bins' centres; empty bins are skipped.
    fn binned(&self, f: usize) -> Vec<(f64, f64)> {
        let (lo, hi) = self.ranges[f];
        let width = (hi - lo) / LHS_BINS as f64;
        let mut sums = [(0.0_f64, 0usize); LHS_BINS];
        for (x, p, _, _) in &self.points {
            let v = x[f];
            if !v.is_finite() {
                continue;
            }
            let b = (((v - lo) / width).floor().max(0.0) as usize).min(LHS_BINS - 1);
            sums[b].0 += p;
            sums[b].1 += 1;
        }
        sums.iter()
            .enumerate()
            .filter(|(_, s)| s.1 > 0)
            .map(|(b, s)| (lo + (b as f64 + 0.5) * width, s.0 / s.1 as f64))
            .collect()
    }
}

impl Chart for LhsChart {
    fn stem(&self) -> String {
        "lhs".to_string()
    }

    fn size(&self) -> (u32, u32) {
        let rows = legend_rows_count(&self.legend(), GRID_WIDTH - 2 * MARGIN);
        grid_canvas(self.factors.len(), self.subtitles.len(), rows)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let body = draw_header(
            root,
            &format!("P({}) against each factor", self.target),
            &self.subtitles,
        )?;
        if self.factors.is_empty() {
            return draw_note(&body, "no factors to show");
        }
        let panels = grid_panels(
            &body,
            self.factors.len(),
            "value of the factor named above each panel",
            &format!("P({})", self.target),
            &self.legend(),
        )?;
        let dot = self.color.mix(0.85);
        let whisker = tint(self.color, 0.45).stroke_width(2);
        for (f, panel) in panels.iter().enumerate() {
            let (pw, _) = panel.dim_in_pixel();
            let (caption, caption_style) = panel_caption(&self.factors[f], pw.saturating_sub(40));
            let (x0, x1) = self.ranges[f];
            let mut chart = ChartBuilder::on(panel)
                .margin_left(10)
                .margin_right(MARGIN)
                .margin_top(10)
                .margin_bottom(10)
                .caption(caption, caption_style)
                .x_label_area_size(48)
                .y_label_area_size(96)
                .build_cartesian_2d(x0..x1, 0.0..self.y_max)
                .map_err(draw_err)?;
            let x_fmt = |v: &f64| fmt_level(*v);
            house_mesh(&mut chart.configure_mesh())
                .x_labels(4)
                .y_labels(5)
                .x_label_formatter(&x_fmt)
                .y_label_formatter(&pct_tick)
                .axis_style(NEUTRAL_DARK.stroke_width(2))
                .draw()
                .map_err(draw_err)?;
            chart
                .draw_series(self.points.iter().map(|(x, _, lo, hi)| {
                    PathElement::new(vec![(x[f], *lo), (x[f], *hi)], whisker)
                }))
                .map_err(draw_err)?;
            chart
                .draw_series(
                    self.points
                        .iter()
                        .map(|(x, p, _, _)| Circle::new((x[f], *p), 5, dot.filled())),
                )
                .map_err(draw_err)?;
            chart
                .draw_series(LineSeries::new(
                    self.binned(f),
                    NEUTRAL_DARK.stroke_width(4),
                ))
                .map_err(draw_err)?;
        }
        Ok(())
    }
}
