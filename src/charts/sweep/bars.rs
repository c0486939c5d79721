//! Grouped horizontal bars per factor: Sobol indices, the Morris tornado of mu* and
//! sigma, and the one-at-a-time tornado.

use super::*;

/// One bar: where it starts, its value, an optional interval, and the text written
/// past its end.
struct HBar {
    /// 0 for indices and effects; the base probability in a tornado.
    start: f64,
    value: f64,
    interval: Option<(f64, f64)>,
    text: String,
}

impl HBar {
    /// A bar from 0.
    fn from_zero(value: f64, interval: Option<(f64, f64)>, text: String) -> Self {
        HBar {
            start: 0.0,
            value,
            interval,
            text,
        }
    }

    /// Whether the bar grows to the right of its start.
    fn rightward(&self) -> bool {
        self.value >= self.start
    }

    /// The outer end of the bar and its whisker, where its text goes.
    fn end(&self) -> f64 {
        match (self.interval, self.rightward()) {
            (Some((_, hi)), true) => hi.max(self.value),
            (Some((lo, _)), false) => lo.min(self.value),
            (None, _) => self.value,
        }
    }

    /// Smallest and largest x the bar and its whisker cover.
    fn extent(&self) -> (f64, f64) {
        let (lo, hi) = self.interval.unwrap_or((self.value, self.value));
        (
            self.start.min(self.value).min(lo),
            self.start.max(self.value).max(hi),
        )
    }

    /// Length of the bar itself.
    fn length(&self) -> f64 {
        (self.value - self.start).abs()
    }
}

/// One bar per factor, in one colour.
struct BarSeries {
    label: String,
    color: RGBColor,
    bars: Vec<HBar>,
}

/// Grouped horizontal bars per factor (Sobol indices, Morris mu* and sigma), or
/// overlaid bars from a common reference (the one-at-a-time tornado).
pub(super) struct BarsChart {
    stem: &'static str,
    title: String,
    subtitles: Vec<String>,
    x_desc: String,
    /// Factor names, top to bottom.
    factors: Vec<String>,
    series: Vec<BarSeries>,
    /// Whether a factor's bars share one band (longest drawn first) instead of
    /// lying one below the other.
    overlay: bool,
    /// A vertical line drawn where it is inside the plot: 0 for indices, the base
    /// probability in a tornado, with its legend entry if it has one.
    reference: (f64, Option<LegendItem>),
    /// Tick labels of the x axis.
    tick: fn(f64) -> String,
}

impl BarsChart {
    pub(super) fn sobol(data: &SweepData, rows: &[SobolRow]) -> Self {
        let mut rows: Vec<SobolRow> = rows.to_vec();
        // Stable sort: ties keep the file's (factor) order.
        rows.sort_by(|a, b| finite(b.total).total_cmp(&finite(a.total)));
        let bar = |v: f64, lo: f64, hi: f64| {
            HBar::from_zero(
                finite(v),
                Some((finite(lo).min(finite(v)), finite(hi).max(finite(v)))),
                fmt_index(finite(v)),
            )
        };
        let target = data.target_name();
        let mut subtitles = data.about();
        subtitles.push(format!(
            "share of the variance of P({target}) due to each factor; whisker: bootstrap 95% interval"
        ));
        let odd = rows.iter().any(|r| {
            [r.first_order, r.total, r.first_ci_low, r.total_ci_high]
                .iter()
                .any(|v| *v < 0.0 || *v > 1.0)
        });
        if odd {
            subtitles.push(
                "estimates and interval ends below 0 or above 1 are sampling error; more base points narrow them"
                    .to_string(),
            );
        }
        BarsChart {
            stem: "sobol",
            title: format!("Sobol indices of P({target}), largest total first"),
            subtitles,
            x_desc: "Sobol index (share of variance)".to_string(),
            factors: rows.iter().map(|r| r.factor.clone()).collect(),
            series: vec![
                BarSeries {
                    label: "first-order index (the factor alone)".to_string(),
                    color: tint(OI_BLUE, 0.45),
                    bars: rows
                        .iter()
                        .map(|r| bar(r.first_order, r.first_ci_low, r.first_ci_high))
                        .collect(),
                },
                BarSeries {
                    label: "total index (with its interactions)".to_string(),
                    color: OI_BLUE,
                    bars: rows
                        .iter()
                        .map(|r| bar(r.total, r.total_ci_low, r.total_ci_high))
                        .collect(),
                },
            ],
            overlay: false,
            reference: (0.0, None),
            tick: fmt_level,
        }
    }

    pub(super) fn morris(data: &SweepData, rows: &[MorrisRow]) -> Self {
        let mut rows: Vec<MorrisRow> = rows.to_vec();
        rows.sort_by(|a, b| finite(b.mu_star).total_cmp(&finite(a.mu_star)));
        let target = data.target_name();
        let mut subtitles = data.about();
        subtitles.push(format!(
            "elementary effect: change in P({target}) per full range of one factor, others fixed; μ (after the bar): its mean, with sign"
        ));
        BarsChart {
            stem: "morris",
            title: format!("Morris screening of P({target}), largest μ* first"),
            subtitles,
            x_desc: format!("effect on P({target}) per full range of the factor"),
            factors: rows.iter().map(|r| r.factor.clone()).collect(),
            series: vec![
                BarSeries {
                    label: "μ*: mean absolute elementary effect".to_string(),
                    color: OI_BLUE,
                    bars: rows
                        .iter()
                        .map(|r| {
                            HBar::from_zero(
                                finite(r.mu_star),
                                None,
                                format!(
                                    "{}   (μ {})",
                                    fmt_index(finite(r.mu_star)),
                                    fmt_index(finite(r.mu))
                                ),
                            )
                        })
                        .collect(),
                },
                BarSeries {
                    label: "σ: standard deviation of the elementary effects".to_string(),
                    color: NEUTRAL,
                    bars: rows
                        .iter()
                        .map(|r| HBar::from_zero(finite(r.sigma), None, fmt_index(finite(r.sigma))))
                        .collect(),
                },
            ],
            overlay: false,
            reference: (0.0, None),
            tick: fmt_level,
        }
    }

    /// The one-at-a-time tornado: per factor, a bar from the base probability to the
    /// probability with the factor alone at the low end of its range and one to the
    /// probability at the high end, largest swing on top.
    pub(super) fn tornado(data: &SweepData, rows: &[OatRow]) -> Self {
        let mut rows: Vec<OatRow> = rows.to_vec();
        rows.sort_by(|a, b| finite(b.swing).total_cmp(&finite(a.swing)));
        let base = rows.first().map_or(0.0, |r| clean_probability(r.p_base));
        let bar = |p: f64, lo: f64, hi: f64, level: f64| {
            let p = clean_probability(p);
            HBar {
                start: base,
                value: p,
                interval: Some((clean_probability(lo).min(p), clean_probability(hi).max(p))),
                text: fmt_level(level),
            }
        };
        let target = data.target_name();
        let mut subtitles = data.about();
        subtitles.push(format!(
            "each bar: P({target}) with one factor alone at an end of its range, every other parameter at the base scenario's value"
        ));
        subtitles.push(
            "number at a bar's end: the factor's value there;  whisker: Wilson 95% interval;  vertical line: the base scenario"
                .to_string(),
        );
        BarsChart {
            stem: "tornado",
            title: format!(
                "One at a time: P({target}) at the ends of each factor's range, largest swing first"
            ),
            subtitles,
            x_desc: format!("P({target})"),
            factors: rows.iter().map(|r| r.factor.clone()).collect(),
            series: vec![
                BarSeries {
                    label: "at low end of range".to_string(),
                    color: OI_SKY_BLUE,
                    bars: rows
                        .iter()
                        .map(|r| bar(r.p_low, r.p_low_ci_low, r.p_low_ci_high, r.low))
                        .collect(),
                },
                BarSeries {
                    label: "at high end of range".to_string(),
                    color: OI_ORANGE,
                    bars: rows
                        .iter()
                        .map(|r| bar(r.p_high, r.p_high_ci_low, r.p_high_ci_high, r.high))
                        .collect(),
                },
            ],
            overlay: true,
            reference: (
                base,
                Some(LegendItem::line(
                    format!("base scenario: {}", fmt_cell(base)),
                    NEUTRAL_DARK,
                    3,
                )),
            ),
            tick: |v| {
                if v < -1e-9 {
                    String::new()
                } else {
                    pct_tick(&v)
                }
            },
        }
    }

    fn legend(&self) -> Vec<LegendItem> {
        self.series
            .iter()
            .map(|s| LegendItem::fill(s.label.clone(), s.color.to_rgba()))
            .chain(self.reference.1.clone())
            .collect()
    }

    /// Number of bands a factor's row is split into.
    fn bands(&self) -> usize {
        if self.overlay {
            1
        } else {
            self.series.len().max(1)
        }
    }

    /// Factor `k`'s bars as (series index, bar), in the order their texts are placed:
    /// shortest first, so that the texts of an overlay row line up outwards.
    fn row(&self, k: usize) -> Vec<(usize, &HBar)> {
        let mut bars: Vec<(usize, &HBar)> = self
            .series
            .iter()
            .enumerate()
            .filter_map(|(g, s)| s.bars.get(k).map(|b| (g, b)))
            .collect();
        if self.overlay {
            bars.sort_by(|a, b| a.1.length().total_cmp(&b.1.length()));
        }
        bars
    }

    /// Pixels taken past bar `g`'s end in row `k` by the texts placed before its own:
    /// those of shorter bars on the same side of the same band.
    fn text_offset(&self, k: usize, g: usize, style: &TextStyle<'_>) -> f64 {
        if !self.overlay {
            return 0.0;
        }
        let row = self.row(k);
        let Some(me) = row.iter().position(|&(h, _)| h == g) else {
            return 0.0;
        };
        row[..me]
            .iter()
            .filter(|(_, b)| b.rightward() == row[me].1.rightward())
            .map(|(_, b)| (text_size(&b.text, style).0 as i32 + LABEL_GAP) as f64)
            .sum()
    }
}

/// Gap between a bar's (or whisker's) end and its text, in pixels.
const LABEL_GAP: i32 = 14;

impl Chart for BarsChart {
    fn stem(&self) -> String {
        self.stem.to_string()
    }

    fn size(&self) -> (u32, u32) {
        let n = self.factors.len() as u32;
        let per = (self.bands() as u32 * 40 + 30).max(90);
        let legend_rows = legend_rows_count(&self.legend(), CANVAS.0 - 2 * MARGIN) as u32;
        let h =
            header_height(self.subtitles.len()) + legend_rows * LEGEND_ROW as u32 + n * per + 220;
        (CANVAS.0, h.max(CANVAS.1))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let body = draw_header(root, &self.title, &self.subtitles)?;
        let (w, _) = body.dim_in_pixel();
        let inner_w = w.saturating_sub(2 * MARGIN);
        let area = legend_on_top(&body, &self.legend(), 16)?;
        let n_cat = self.factors.len();
        if n_cat == 0 {
            return draw_note(&area, "no factors to show");
        }
        let n_grp = self.bands();

        let name_style = text(TICK_SIZE + 2, INK);
        let name_w = max_text_width(self.factors.iter().cloned(), &name_style).min(inner_w * 2 / 5);
        let y_area = name_w + 28;
        let x_area = 100;
        let (_, plot_h) = area.dim_in_pixel();
        let plot_px_w = inner_w.saturating_sub(y_area + 20).max(100) as f64;
        let plot_px_h = plot_h.saturating_sub(x_area + MARGIN + 10).max(50) as f64;
        let bar_px = plot_px_h / n_cat as f64 * 0.76 / n_grp as f64;
        let label_size = ((bar_px * 0.9).floor() as u32).clamp(14, BAR_LABEL_SIZE);
        let label_style = text(label_size, INK);

        // x range: the reference, every bar and interval, then room past each end for
        // its text (and for the texts before it in an overlay row).
        let reference = self.reference.0;
        let bars: Vec<(usize, usize, &HBar)> = (0..n_cat)
            .flat_map(|k| self.row(k).into_iter().map(move |(g, b)| (k, g, b)))
            .collect();
        let data_min = bars
            .iter()
            .map(|b| b.2.extent().0)
            .fold(reference, f64::min);
        let data_max = bars
            .iter()
            .map(|b| b.2.extent().1)
            .fold(reference, f64::max);
        let pad = (data_max - data_min).max(0.01);
        let mut x_min = if data_min < reference {
            data_min - pad * 0.03
        } else {
            data_min
        };
        let mut x_max = (data_max + pad * 0.02).max(x_min + 0.01);
        let room: Vec<(f64, bool, f64)> = bars
            .iter()
            .map(|&(k, g, b)| {
                let tw = text_size(&b.text, &label_style).0 as f64 + LABEL_GAP as f64 + 12.0;
                (
                    b.end(),
                    b.rightward(),
                    tw + self.text_offset(k, g, &label_style),
                )
            })
            .filter(|&(_, _, px)| px < plot_px_w - 10.0)
            .collect();
        for _ in 0..30 {
            let per_px = (x_max - x_min) / plot_px_w;
            let (mut lo, mut hi) = (x_min, x_max);
            for &(end, rightward, px) in &room {
                if rightward {
                    hi = hi.max(end + px * per_px);
                } else {
                    lo = lo.min(end - px * per_px);
                }
            }
            let settled =
                hi <= x_max * (1.0 + 1e-6) + 1e-12 && lo >= x_min - 1e-6 * x_min.abs() - 1e-12;
            (x_min, x_max) = (lo, hi);
            if settled {
                break;
            }
        }

        let mut chart = bar_rows_chart(&area, (x_area, y_area), x_min..x_max, n_cat)?;
        // No ticks in the room kept for texts.
        let x_fmt = |v: &f64| {
            let slack = (x_max - x_min) * 0.08;
            if *v > data_max + slack || *v < data_min - slack {
                String::new()
            } else {
                (self.tick)(*v)
            }
        };
        house_mesh(&mut chart.configure_mesh())
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(10)
            .x_label_formatter(&x_fmt)
            .x_desc(fit_text(
                &self.x_desc,
                &text(AXIS_DESC_SIZE, INK),
                plot_px_w as u32,
            ))
            .draw()
            .map_err(draw_err)?;

        let name_style = anchored(name_style, HPos::Right, VPos::Center);
        let band = 0.76 / n_grp as f64;
        for (k, factor) in self.factors.iter().enumerate() {
            let centre = n_cat as f64 - k as f64 - 0.5;
            let (px, py) = local(&area, chart.backend_coord(&(x_min, centre)));
            area.draw(&Text::new(
                fit_text(factor, &name_style, name_w),
                (px - 16, py),
                name_style.clone(),
            ))
            .map_err(draw_err)?;
            let row = self.row(k);
            let mid_of = |g: usize| {
                let top = centre + 0.38 - if self.overlay { 0 } else { g } as f64 * band;
                (top, top - band, top - band / 2.0)
            };
            // Longest first, so that in an overlay row a shorter bar shows on top.
            for &(g, b) in row.iter().rev() {
                let (top, bottom, mid) = mid_of(g);
                let inset = band * 0.08;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(b.start, bottom + inset), (b.value, top - inset)],
                        self.series[g].color.filled(),
                    )))
                    .map_err(draw_err)?;
                if let Some((lo, hi)) = b.interval {
                    let cap = band * 0.26;
                    let whisker = NEUTRAL_DARK.stroke_width(3);
                    chart
                        .draw_series([
                            PathElement::new(vec![(lo, mid), (hi, mid)], whisker),
                            PathElement::new(vec![(lo, mid - cap), (lo, mid + cap)], whisker),
                            PathElement::new(vec![(hi, mid - cap), (hi, mid + cap)], whisker),
                        ])
                        .map_err(draw_err)?;
                }
            }
            // Texts shortest first, each past its bar's end and past the texts
            // already placed on that side of the band.
            let (mut right_edge, mut left_edge) = (i32::MIN, i32::MAX);
            for &(g, b) in &row {
                let (ex, ey) = local(&area, chart.backend_coord(&(b.end(), mid_of(g).2)));
                let tw = text_size(&b.text, &label_style).0 as i32;
                let (x, h) = if b.rightward() {
                    let x = (ex + LABEL_GAP).max(right_edge);
                    right_edge = if self.overlay {
                        x + tw + LABEL_GAP
                    } else {
                        i32::MIN
                    };
                    (x, HPos::Left)
                } else {
                    let x = (ex - LABEL_GAP).min(left_edge);
                    left_edge = if self.overlay {
                        x - tw - LABEL_GAP
                    } else {
                        i32::MAX
                    };
                    (x, HPos::Right)
                };
                let style = anchored(label_style.clone(), h, VPos::Center);
                area.draw(&Text::new(b.text.clone(), (x, ey), style))
                    .map_err(draw_err)?;
            }
        }
        if x_min < reference {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(reference, 0.0), (reference, n_cat as f64)],
                    NEUTRAL_DARK.stroke_width(3),
                )))
                .map_err(draw_err)?;
        }
        Ok(())
    }
}
