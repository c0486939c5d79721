//! Sweep charts of a grid with two or more axes: one heatmap per outcome over the
//! first two axes, with a viridis colour bar.

use super::*;

/// Probability of one outcome over the first two axes of a grid.
pub(super) struct Heatmap {
    outcome: String,
    x_desc: String,
    y_desc: String,
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// `cells[iy][ix]`: mean probability, `None` where the grid has no point.
    cells: Vec<Vec<Option<f64>>>,
    v_max: f64,
    v_step: f64,
    subtitles: Vec<String>,
    /// The cell `(ix, iy)` of the base scenario's own values, outlined.
    base: Option<(usize, usize)>,
}

/// The level of `levels` that holds `v`: the nearest one, when `v` lies
/// within half a level spacing of the axis. `exact` when `v` is that level.
fn level_of(levels: &[f64], v: f64) -> Option<(usize, bool)> {
    let (first, last) = (*levels.first()?, *levels.last()?);
    let tolerance = 1e-9 * (1.0 + v.abs());
    let half = if levels.len() > 1 {
        (last - first) / (levels.len() - 1) as f64 / 2.0
    } else {
        tolerance
    };
    if !(v.is_finite() && v >= first - half && v <= last + half) {
        return None;
    }
    let i = level_index(levels, v);
    Some((i, (levels[i] - v).abs() <= tolerance))
}

impl Heatmap {
    pub(super) fn new(data: &SweepData, o: usize) -> Self {
        let xs = levels(data.x.iter().map(|r| r[0]));
        let ys = levels(data.x.iter().map(|r| r[1]));
        let mut sum = vec![vec![(0.0_f64, 0usize); xs.len()]; ys.len()];
        for (i, row) in data.x.iter().enumerate() {
            if !(row[0].is_finite() && row[1].is_finite()) {
                continue;
            }
            let cell = &mut sum[level_index(&ys, row[1])][level_index(&xs, row[0])];
            cell.0 += data.p[i][o];
            cell.1 += 1;
        }
        let cells: Vec<Vec<Option<f64>>> = sum
            .iter()
            .map(|r| {
                r.iter()
                    .map(|&(s, n)| (n > 0).then(|| s / n as f64))
                    .collect()
            })
            .collect();
        let max = cells
            .iter()
            .flatten()
            .flatten()
            .fold(0.0_f64, |a, &b| a.max(b));
        let (v_max, v_step) = nice_probability_max(max);
        let outcome = data.outcomes[o].clone();

        let half_width = (0..data.x.len())
            .map(|i| (data.hi[i][o] - data.lo[i][o]) / 2.0)
            .fold(0.0_f64, f64::max);
        let mut subtitles = data.about();
        subtitles.push(format!(
            "cell: share of runs ending in {outcome}; Wilson 95% intervals at most ±{:.1} percentage points",
            half_width * 100.0
        ));
        let bases = data
            .manifest
            .factors
            .get(..2)
            .map(|f| (f[0].base, f[1].base));
        let mut base = None;
        if let Some((Some(bx), Some(by))) = bases {
            let values = format!(
                "{} = {}, {} = {}",
                data.factors[0],
                fmt_level(bx),
                data.factors[1],
                fmt_level(by)
            );
            subtitles.push(match (level_of(&xs, bx), level_of(&ys, by)) {
                (Some((ix, ex)), Some((iy, ey))) => {
                    base = Some((ix, iy));
                    if ex && ey {
                        format!("outlined cell: the scenario's own values ({values})")
                    } else {
                        format!("outlined cell: nearest to the scenario's own values ({values})")
                    }
                }
                _ => format!("the scenario's own values lie outside the grid ({values})"),
            });
        }
        if data.factors.len() > 2 {
            let others: Vec<String> = (2..data.factors.len())
                .map(|f| {
                    let n = levels(data.x.iter().map(|r| r[f])).len();
                    format!("{} ({n} values)", data.factors[f])
                })
                .collect();
            subtitles.push(format!(
                "each cell is the mean over the other axes: {}",
                others.join(", ")
            ));
        }
        Heatmap {
            outcome,
            x_desc: data.factors[0].clone(),
            y_desc: data.factors[1].clone(),
            xs,
            ys,
            cells,
            v_max,
            v_step,
            subtitles,
            base,
        }
    }
}

/// Width of the colour bar, in pixels.
const COLOR_BAR_W: i32 = 40;

impl Chart for Heatmap {
    fn stem(&self) -> String {
        format!("heatmap_{}", file_safe(&self.outcome))
    }

    fn size(&self) -> (u32, u32) {
        // Room for the subtitles; rows of at least 40 px for long axes.
        let h = header_height(self.subtitles.len()) + 240 + self.ys.len() as u32 * 40;
        (CANVAS.0, h.max(CANVAS.1))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let body = draw_header(
            root,
            &format!("Probability of {}", self.outcome),
            &self.subtitles,
        )?;
        let (w, h) = body.dim_in_pixel();
        let (nx, ny) = (self.xs.len(), self.ys.len());
        if nx == 0 || ny == 0 {
            return draw_note(&body, "no points to show");
        }
        let tick_style = text(TICK_SIZE, INK);
        let desc_style = text(AXIS_DESC_SIZE, INK);

        let x_labels: Vec<String> = self.xs.iter().map(|v| fmt_level(*v)).collect();
        let y_labels: Vec<String> = self.ys.iter().map(|v| fmt_level(*v)).collect();
        let y_label_w = max_text_width(y_labels.iter().cloned(), &tick_style);
        let bar_ticks: Vec<f64> = {
            let n = (self.v_max / self.v_step).round() as usize;
            (0..=n).map(|k| k as f64 * self.v_step).collect()
        };
        let bar_labels: Vec<String> = bar_ticks.iter().map(|v| fmt_pct_tick(*v)).collect();
        let bar_label_w = max_text_width(bar_labels.iter().cloned(), &tick_style);

        let left = (MARGIN + AXIS_DESC_SIZE + 24 + y_label_w + 18) as i32;
        let right_w = 40 + COLOR_BAR_W as u32 + 10 + 8 + bar_label_w + 20 + AXIS_DESC_SIZE + MARGIN;
        let right = w as i32 - right_w as i32;
        let top = 16;
        let bottom = h as i32 - (14 + TICK_SIZE + 16 + AXIS_DESC_SIZE + MARGIN) as i32;
        let (pw, ph) = ((right - left).max(10), (bottom - top).max(10));
        let x_edge = |i: usize| left + (i as f64 * pw as f64 / nx as f64).round() as i32;
        let y_edge = |i: usize| bottom - (i as f64 * ph as f64 / ny as f64).round() as i32;
        let (cell_w, cell_h) = (pw as f64 / nx as f64, ph as f64 / ny as f64);

        // Cells, with a thin white gap when they are large enough.
        let gap = if cell_w >= 14.0 && cell_h >= 14.0 {
            1
        } else {
            0
        };
        for iy in 0..ny {
            for ix in 0..nx {
                let fill = match self.cells[iy][ix] {
                    Some(v) => viridis(v / self.v_max),
                    None => NEUTRAL_LIGHT,
                };
                body.draw(&Rectangle::new(
                    [
                        (x_edge(ix) + gap, y_edge(iy + 1) + gap),
                        (x_edge(ix + 1) - gap, y_edge(iy) - gap),
                    ],
                    fill.filled(),
                ))
                .map_err(draw_err)?;
            }
        }

        // Cell values, at the largest size that fits every cell.
        let values: Vec<String> = self
            .cells
            .iter()
            .flatten()
            .map(|c| c.map_or_else(|| "n/a".to_string(), fmt_cell))
            .collect();
        let mut size = ((cell_h * 0.42).floor() as u32).min(TICK_SIZE);
        while size >= 15 {
            let widest = max_text_width(values.iter().cloned(), &text(size, INK));
            if (widest as f64) <= cell_w - 10.0 {
                break;
            }
            size -= 1;
        }
        if size >= 15 {
            for iy in 0..ny {
                for ix in 0..nx {
                    let (label, fill) = match self.cells[iy][ix] {
                        Some(v) => (fmt_cell(v), viridis(v / self.v_max)),
                        None => ("n/a".to_string(), NEUTRAL_LIGHT),
                    };
                    let style = anchored(text(size, ink_on(fill)), HPos::Center, VPos::Center);
                    let cx = (x_edge(ix) + x_edge(ix + 1)) / 2;
                    let cy = (y_edge(iy) + y_edge(iy + 1)) / 2;
                    body.draw(&Text::new(label, (cx, cy), style))
                        .map_err(draw_err)?;
                }
            }
        }

        // The base scenario's cell: a black frame with a white inner line,
        // visible on every colour of the map.
        if let Some((ix, iy)) = self.base {
            let corners = [(x_edge(ix), y_edge(iy + 1)), (x_edge(ix + 1), y_edge(iy))];
            body.draw(&Rectangle::new(corners, INK.stroke_width(6)))
                .map_err(draw_err)?;
            body.draw(&Rectangle::new(corners, WHITE.stroke_width(2)))
                .map_err(draw_err)?;
        }

        // Frame and axes.
        let axis = NEUTRAL_DARK.stroke_width(2);
        body.draw(&Rectangle::new([(left, top), (right, bottom)], axis))
            .map_err(draw_err)?;
        let x_every = thinning(
            max_text_width(x_labels.iter().cloned(), &tick_style),
            cell_w,
        );
        let x_tick = anchored(tick_style.clone(), HPos::Center, VPos::Top);
        for (ix, label) in x_labels.iter().enumerate() {
            if ix % x_every != 0 {
                continue;
            }
            let cx = (x_edge(ix) + x_edge(ix + 1)) / 2;
            body.draw(&PathElement::new(
                vec![(cx, bottom), (cx, bottom + 8)],
                axis,
            ))
            .map_err(draw_err)?;
            body.draw(&Text::new(label.clone(), (cx, bottom + 14), x_tick.clone()))
                .map_err(draw_err)?;
        }
        let y_every = thinning(TICK_SIZE, cell_h);
        let y_tick = anchored(tick_style.clone(), HPos::Right, VPos::Center);
        for (iy, label) in y_labels.iter().enumerate() {
            if iy % y_every != 0 {
                continue;
            }
            let cy = (y_edge(iy) + y_edge(iy + 1)) / 2;
            body.draw(&PathElement::new(vec![(left - 8, cy), (left, cy)], axis))
                .map_err(draw_err)?;
            body.draw(&Text::new(label.clone(), (left - 14, cy), y_tick.clone()))
                .map_err(draw_err)?;
        }
        let x_desc = fit_text(&self.x_desc, &desc_style, pw as u32);
        body.draw(&Text::new(
            x_desc,
            ((left + right) / 2, bottom + 14 + TICK_SIZE as i32 + 16),
            anchored(desc_style.clone(), HPos::Center, VPos::Top),
        ))
        .map_err(draw_err)?;
        let y_desc = fit_text(&self.y_desc, &desc_style, ph as u32);
        draw_vertical_text(
            &body,
            &y_desc,
            (MARGIN as i32, (top + bottom) / 2),
            desc_style.clone(),
        )?;

        // Colour bar.
        let bx = right + 40;
        let steps = 200;
        for k in 0..steps {
            let y0 = bottom - (k as f64 * ph as f64 / steps as f64).round() as i32;
            let y1 = bottom - ((k + 1) as f64 * ph as f64 / steps as f64).round() as i32;
            let t = (k as f64 + 0.5) / steps as f64;
            body.draw(&Rectangle::new(
                [(bx, y1), (bx + COLOR_BAR_W, y0)],
                viridis(t).filled(),
            ))
            .map_err(draw_err)?;
        }
        body.draw(&Rectangle::new(
            [(bx, top), (bx + COLOR_BAR_W, bottom)],
            NEUTRAL_DARK.stroke_width(1),
        ))
        .map_err(draw_err)?;
        let bar_tick = anchored(tick_style, HPos::Left, VPos::Center);
        let bar_every = thinning(TICK_SIZE, ph as f64 / (bar_ticks.len().max(2) - 1) as f64);
        for (k, (v, label)) in bar_ticks.iter().zip(&bar_labels).enumerate() {
            if k % bar_every != 0 {
                continue;
            }
            let y = bottom - (v / self.v_max * ph as f64).round() as i32;
            let x = bx + COLOR_BAR_W;
            body.draw(&PathElement::new(vec![(x, y), (x + 10, y)], axis))
                .map_err(draw_err)?;
            body.draw(&Text::new(label.clone(), (x + 18, y), bar_tick.clone()))
                .map_err(draw_err)?;
        }
        let bar_desc = format!("P({})", self.outcome);
        let bar_desc = fit_text(&bar_desc, &desc_style, ph as u32);
        draw_vertical_text(
            &body,
            &bar_desc,
            (
                bx + COLOR_BAR_W + 10 + 8 + bar_label_w as i32 + 20,
                (top + bottom) / 2,
            ),
            desc_style,
        )?;
        Ok(())
    }
}
