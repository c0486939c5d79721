//! Sweep chart of a grid with one axis: each outcome's probability against the axis,
//! with its Wilson 95% band.

use super::*;

/// One outcome's probability along the axis: (x, p, low, high), sorted by x.
struct Series {
    name: String,
    color: RGBColor,
    points: Vec<(f64, f64, f64, f64)>,
}

/// Probability of each reported outcome against a grid's only axis.
pub(super) struct LineChart {
    axis: String,
    range: (f64, f64),
    series: Vec<Series>,
    subtitles: Vec<String>,
}

impl LineChart {
    pub(super) fn new(data: &SweepData) -> Self {
        let series = data
            .outcomes
            .iter()
            .enumerate()
            .map(|(o, name)| {
                let mut points: Vec<(f64, f64, f64, f64)> = (0..data.x.len())
                    .map(|i| (data.x[i][0], data.p[i][o], data.lo[i][o], data.hi[i][o]))
                    .filter(|pt| pt.0.is_finite())
                    .collect();
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                Series {
                    name: name.clone(),
                    color: data.colors.get(name),
                    points,
                }
            })
            .collect();
        let mut subtitles = data.about();
        subtitles.push(if data.x.len() == 1 {
            "dot: share of runs ending in each outcome; whisker: Wilson 95% interval".to_string()
        } else {
            "line: share of runs ending in each outcome at each value; band: Wilson 95% interval"
                .to_string()
        });
        LineChart {
            axis: data.factors[0].clone(),
            range: data.factor_range(0),
            series,
            subtitles,
        }
    }

    /// One entry per outcome; an outcome that is 0 at every value says so, since its
    /// line lies under the others on the x axis.
    fn legend(&self) -> Vec<LegendItem> {
        self.series
            .iter()
            .map(|s| {
                let label = if s.points.iter().all(|p| p.1 <= 0.0) {
                    format!("{} (0 everywhere)", s.name)
                } else {
                    s.name.clone()
                };
                LegendItem::line(label, s.color, 5)
            })
            .collect()
    }
}

impl Chart for LineChart {
    fn stem(&self) -> String {
        "sweep_line".to_string()
    }

    fn size(&self) -> (u32, u32) {
        CANVAS
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let body = draw_header(
            root,
            &format!("Outcome probabilities across {}", self.axis),
            &self.subtitles,
        )?;
        let (w, _) = body.dim_in_pixel();
        let inner_w = w.saturating_sub(2 * MARGIN);
        let plot_area = legend_on_top(&body, &self.legend(), 12)?;

        let max_hi = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.3.max(p.1)))
            .fold(0.0_f64, f64::max);
        let (y_max, _) = nice_probability_max(max_hi * 1.02);
        let (x0, x1) = self.range;
        let span = x1 - x0;
        let (x0, x1) = (x0 - span * 0.02, x1 + span * 0.02);
        let x_desc = fit_text(
            &self.axis,
            &text(AXIS_DESC_SIZE, INK),
            inner_w.saturating_sub(200),
        );

        let mut chart = ChartBuilder::on(&plot_area)
            .margin_left(MARGIN)
            .margin_right(MARGIN + 20)
            .margin_top(24)
            .margin_bottom(MARGIN)
            .x_label_area_size(100)
            .y_label_area_size(150)
            .build_cartesian_2d(x0..x1, 0.0..y_max)
            .map_err(draw_err)?;
        let x_fmt = |v: &f64| fmt_level(*v);
        house_mesh(&mut chart.configure_mesh())
            .x_labels(10)
            .y_labels(8)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&pct_tick)
            .x_desc(x_desc)
            .y_desc("probability (share of runs)")
            .axis_style(NEUTRAL_DARK.stroke_width(2))
            .draw()
            .map_err(draw_err)?;

        for s in &self.series {
            if s.points.len() >= 2 {
                let mut band: Vec<(f64, f64)> = s.points.iter().map(|p| (p.0, p.3)).collect();
                band.extend(s.points.iter().rev().map(|p| (p.0, p.2)));
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        band,
                        s.color.mix(0.2).filled(),
                    )))
                    .map_err(draw_err)?;
            } else {
                // A single value: the interval as a whisker.
                let whisker = s.color.stroke_width(3);
                chart
                    .draw_series(
                        s.points
                            .iter()
                            .map(|p| PathElement::new(vec![(p.0, p.2), (p.0, p.3)], whisker)),
                    )
                    .map_err(draw_err)?;
            }
        }
        let most = self
            .series
            .iter()
            .map(|s| s.points.len())
            .max()
            .unwrap_or(0);
        let radius = if most <= 25 { 6 } else { 4 };
        for s in &self.series {
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().map(|p| (p.0, p.1)),
                    s.color.stroke_width(4),
                ))
                .map_err(draw_err)?;
            chart
                .draw_series(
                    s.points
                        .iter()
                        .map(|p| Circle::new((p.0, p.1), radius, s.color.filled())),
                )
                .map_err(draw_err)?;
        }
        Ok(())
    }
}
