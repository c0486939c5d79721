//! The Morris scatter: sigma against mu*, one labelled point per factor, labels
//! placed clear of each other and of the points.

use super::*;

/// sigma against mu*, one labelled point per factor.
pub(super) struct MorrisScatter {
    target: String,
    /// (factor, mu*, sigma), largest mu* first.
    points: Vec<(String, f64, f64)>,
    subtitles: Vec<String>,
}

impl MorrisScatter {
    pub(super) fn new(data: &SweepData, rows: &[MorrisRow]) -> Self {
        let mut points: Vec<(String, f64, f64)> = rows
            .iter()
            .map(|r| (r.factor.clone(), finite(r.mu_star), finite(r.sigma)))
            .collect();
        points.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut subtitles = data.about();
        subtitles.push(
            "right: large effect; above the dashed line (σ > μ*): effect varies with the other factors or is non-monotonic"
                .to_string(),
        );
        MorrisScatter {
            target: data.target_name(),
            points,
            subtitles,
        }
    }
}

/// A placed label: its box in pixels (left, top, right, bottom).
type LabelBox = (i32, i32, i32, i32);

/// A line segment between two pixel positions.
type Segment = ((i32, i32), (i32, i32));

fn boxes_overlap(a: LabelBox, b: LabelBox) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Radius of a scatter point, in pixels.
const POINT_R: i32 = 9;

impl Chart for MorrisScatter {
    fn stem(&self) -> String {
        "morris_scatter".to_string()
    }

    fn size(&self) -> (u32, u32) {
        CANVAS
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let body = draw_header(
            root,
            &format!("Morris screening of P({}): μ* and σ", self.target),
            &self.subtitles,
        )?;
        let (w, _) = body.dim_in_pixel();
        let inner_w = w.saturating_sub(2 * MARGIN);
        let area = legend_on_top(&body, &[LegendItem::dashed("σ = μ*", NEUTRAL_DARK, 3)], 12)?;
        if self.points.is_empty() {
            return draw_note(&area, "no factors to show");
        }

        let label_style = text(TICK_SIZE, INK);
        let max_mu = self.points.iter().map(|p| p.1).fold(0.0_f64, f64::max);
        let max_sigma = self.points.iter().map(|p| p.2).fold(0.0_f64, f64::max);
        // Room on the right for the labels of the rightmost points.
        let widest = max_text_width(self.points.iter().map(|p| p.0.clone()), &label_style);
        let plot_w = inner_w.saturating_sub(150 + MARGIN + 20).max(200) as f64;
        let share = ((widest as f64 + 40.0) / plot_w).min(0.45);
        let x_max = (max_mu.max(1e-6) * 1.04) / (1.0 - share);
        let y_max = max_sigma.max(1e-6) * 1.15;

        let mut chart = ChartBuilder::on(&area)
            .margin_left(MARGIN)
            .margin_right(MARGIN + 20)
            .margin_top(20)
            .margin_bottom(MARGIN)
            .x_label_area_size(100)
            .y_label_area_size(150)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)
            .map_err(draw_err)?;
        let fmt = |v: &f64| fmt_level(*v);
        house_mesh(&mut chart.configure_mesh())
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&fmt)
            .y_label_formatter(&fmt)
            .x_desc("μ*: mean absolute elementary effect")
            .y_desc("σ: standard deviation of the effects")
            .axis_style(NEUTRAL_DARK.stroke_width(2))
            .draw()
            .map_err(draw_err)?;
        let diag = x_max.min(y_max);
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, 0.0), (diag, diag)],
                14,
                9,
                NEUTRAL_DARK.stroke_width(3),
            ))
            .map_err(draw_err)?;
        // Labels, placed before anything is drawn over the points so that leader
        // lines pass under them.
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let (bx, by) = area.get_base_pixel();
        let bounds = (xr.start - bx, yr.start - by, xr.end - bx, yr.end - by);
        let centres: Vec<(i32, i32)> = self
            .points
            .iter()
            .map(|p| local(&area, chart.backend_coord(&(p.1, p.2))))
            .collect();
        let max_label_w = (bounds.2 - bounds.0).max(50) as u32 / 2;
        let labels: Vec<String> = self
            .points
            .iter()
            .map(|p| fit_text(&p.0, &label_style, max_label_w))
            .collect();
        let sizes: Vec<(i32, i32)> = labels
            .iter()
            .map(|l| {
                let (w, h) = text_size(l, &label_style);
                (w as i32, h as i32)
            })
            .collect();
        let diagonal = (
            local(&area, chart.backend_coord(&(0.0, 0.0))),
            local(&area, chart.backend_coord(&(diag, diag))),
        );
        let placed = place_labels(&centres, &sizes, bounds, &[diagonal]);

        for (&(cx, cy), &(b, leader)) in centres.iter().zip(&placed) {
            if leader {
                let (lx, ly) = (cx.clamp(b.0, b.2), cy.clamp(b.1, b.3));
                area.draw(&PathElement::new(
                    vec![(cx, cy), (lx, ly)],
                    NEUTRAL.stroke_width(2),
                ))
                .map_err(draw_err)?;
            }
        }
        chart
            .draw_series(
                self.points
                    .iter()
                    .map(|p| Circle::new((p.1, p.2), POINT_R, OI_BLUE.filled())),
            )
            .map_err(draw_err)?;
        let style = anchored(label_style, HPos::Left, VPos::Top);
        for (label, &(b, _)) in labels.into_iter().zip(&placed) {
            // An opaque ground keeps the label readable over grid and dashed lines.
            area.draw(&Rectangle::new(
                [(b.0, b.1), (b.2, b.3)],
                WHITE.mix(0.85).filled(),
            ))
            .map_err(draw_err)?;
            area.draw(&Text::new(
                label,
                (b.0 + LABEL_PAD, b.1 + LABEL_PAD),
                style.clone(),
            ))
            .map_err(draw_err)?;
        }
        Ok(())
    }
}

/// Space kept around a label's text, in pixels.
const LABEL_PAD: i32 = 3;

/// True when the segment from `a` to `b` passes through the box.
fn segment_hits_box(a: (i32, i32), b: (i32, i32), r: LabelBox) -> bool {
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let steps = (dx.abs().max(dy.abs()) / 2.0).ceil().max(1.0) as i32;
    (0..=steps).any(|k| {
        let t = k as f64 / steps as f64;
        let (x, y) = (a.0 as f64 + dx * t, a.1 as f64 + dy * t);
        x > r.0 as f64 && x < r.2 as f64 && y > r.1 as f64 && y < r.3 as f64
    })
}

/// True when the segments `a`-`b` and `c`-`d` cross (touching ends do not count).
fn segments_cross(a: (i32, i32), b: (i32, i32), c: (i32, i32), d: (i32, i32)) -> bool {
    let orient = |p: (i32, i32), q: (i32, i32), r: (i32, i32)| {
        let v = (q.0 - p.0) as i64 * (r.1 - p.1) as i64 - (q.1 - p.1) as i64 * (r.0 - p.0) as i64;
        v.signum()
    };
    let (o1, o2) = (orient(a, b, c), orient(a, b, d));
    let (o3, o4) = (orient(c, d, a), orient(c, d, b));
    o1 * o2 < 0 && o3 * o4 < 0
}

/// Places a label of `sizes[i]` pixels next to each point `centres[i]`, in order,
/// inside `bounds`. Each label takes the candidate position (around the point, at
/// growing distances) of lowest cost: overlapping another label, a point or a leader
/// line costs most, crossing one of `lines` or a leader line crossing a label costs
/// less, and distance from the point costs a little. Returns each label's box and
/// whether it is far enough from its point to need a leader line.
fn place_labels(
    centres: &[(i32, i32)],
    sizes: &[(i32, i32)],
    bounds: LabelBox,
    lines: &[Segment],
) -> Vec<(LabelBox, bool)> {
    let dot = |&(x, y): &(i32, i32)| (x - POINT_R, y - POINT_R, x + POINT_R, y + POINT_R);
    let dots: Vec<LabelBox> = centres.iter().map(dot).collect();
    let mut labels: Vec<LabelBox> = Vec::new();
    let mut leaders: Vec<Segment> = Vec::new();
    let mut placed = Vec::new();
    for (i, (&(cx, cy), &(tw, th))) in centres.iter().zip(sizes).enumerate() {
        let (w, h) = (tw + 2 * LABEL_PAD, th + 2 * LABEL_PAD);
        let mut best: Option<(f64, LabelBox, bool)> = None;
        for dist in [0, 14, 30, 50, 76, 110, 150, 200, 260] {
            for k in 0..16 {
                let angle = k as f64 * std::f64::consts::PI / 8.0;
                let (ux, uy) = (angle.cos(), -angle.sin());
                // Centre of a box whose nearest side is `gap` pixels from the point.
                let gap = (POINT_R + 4 + dist) as f64;
                let reach = gap + ux.abs() * w as f64 / 2.0 + uy.abs() * h as f64 / 2.0;
                let (bx, by) = (cx as f64 + ux * reach, cy as f64 + uy * reach);
                let b = (
                    (bx - w as f64 / 2.0).round() as i32,
                    (by - h as f64 / 2.0).round() as i32,
                    (bx + w as f64 / 2.0).round() as i32,
                    (by + h as f64 / 2.0).round() as i32,
                );
                if b.0 < bounds.0 || b.2 > bounds.2 || b.1 < bounds.1 || b.3 > bounds.3 {
                    continue;
                }
                // Only a label straight right or left of its point goes without a
                // leader line.
                let leader = dist > 0 || (k != 0 && k != 8);
                let end = (cx.clamp(b.0, b.2), cy.clamp(b.1, b.3));
                let mut cost = 3.0 * dist as f64;
                // Right of the point reads best, then left, then the rest.
                cost += match k {
                    0 => 0.0,
                    8 => 4.0,
                    _ => 10.0,
                };
                cost += 10_000.0 * labels.iter().filter(|l| boxes_overlap(**l, b)).count() as f64;
                cost += 5_000.0 * dots.iter().filter(|d| boxes_overlap(**d, b)).count() as f64;
                // A label close to another point reads as that point's label.
                let near = (b.0 - 12, b.1 - 12, b.2 + 12, b.3 + 12);
                cost += 400.0
                    * dots
                        .iter()
                        .enumerate()
                        .filter(|(j, d)| *j != i && boxes_overlap(**d, near))
                        .count() as f64;
                cost += 2_000.0
                    * leaders
                        .iter()
                        .filter(|(p, q)| segment_hits_box(*p, *q, b))
                        .count() as f64;
                cost += 60.0
                    * lines
                        .iter()
                        .filter(|(p, q)| segment_hits_box(*p, *q, b))
                        .count() as f64;
                if leader {
                    cost += 1_500.0
                        * leaders
                            .iter()
                            .filter(|(p, q)| segments_cross((cx, cy), end, *p, *q))
                            .count() as f64;
                    cost += 2_000.0
                        * labels
                            .iter()
                            .filter(|l| segment_hits_box((cx, cy), end, **l))
                            .count() as f64;
                    cost += 800.0
                        * dots
                            .iter()
                            .enumerate()
                            .filter(|(j, d)| *j != i && segment_hits_box((cx, cy), end, **d))
                            .count() as f64;
                }
                if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
                    best = Some((cost, b, leader));
                }
            }
        }
        let (b, leader) = match best {
            Some((_, b, leader)) => (b, leader),
            // No candidate fits inside the plot: right of the point, clamped inside.
            None => {
                let x = (cx + POINT_R + 4).min(bounds.2 - w).max(bounds.0);
                let y = (cy - h / 2).clamp(bounds.1, (bounds.3 - h).max(bounds.1));
                ((x, y, x + w, y + h), false)
            }
        };
        if leader {
            leaders.push(((cx, cy), (cx.clamp(b.0, b.2), cy.clamp(b.1, b.3))));
        }
        labels.push(b);
        placed.push((b, leader));
    }
    placed
}
