//! Charts of a sweep result folder.
//!
//! [`draw_sweep_charts`] reads the files `entente sweep` (or `entente merge`) writes:
//! `manifest.json` (sweep name, scenario, design kind, factors, reported outcomes,
//! target outcome), `points.csv` (one row per point: factor values, then
//! `p_`/`ci_low_`/`ci_high_` of every reported outcome) and, for Sobol, Morris and
//! one-at-a-time designs, `sensitivity.csv`. It draws into `charts/` of the same folder, each chart
//! as a PNG and an SVG, written like the run charts (temporary name, then rename):
//!
//! | design | file stem | chart |
//! |---|---|---|
//! | grid, one axis | `sweep_line` | probability of each outcome against the axis, with its Wilson 95% band |
//! | grid, two or more axes | `heatmap_<outcome>` | probability of one outcome over the first two axes, averaged over any further axes, with a colour bar |
//! | sobol | `sobol` | first-order and total indices of each factor with their bootstrap 95% intervals, largest total first |
//! | morris | `morris` | tornado of mu* per factor, largest first, with sigma as a second bar |
//! | morris | `morris_scatter` | sigma against mu*, one labelled point per factor |
//! | lhs | `lhs` | probability of the target outcome against each factor, one panel per factor |
//! | oat | `tornado` | probability of the target outcome with each factor alone at the low and at the high end of its range: bars from the base scenario's probability (a vertical line), largest swing on top, the factor's value at each bar's end, Wilson 95% whiskers |
//!
//! Heatmaps use the viridis colour map from 0 up to a round value above the largest
//! probability of that outcome, and print each cell's value when the cells are large
//! enough. Factor paths such as `dyad.USA.CHN.P` label axes and bars as they are: label
//! columns are as wide as the longest path (within limits, beyond which a label is
//! shortened with an ellipsis), tick labels are thinned until they do not touch, and
//! the labels of the Morris scatter are placed where they overlap neither each other
//! nor a point.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Deserialize;

use super::data::read_csv;
use super::theme::{self, *};
use super::{Chart, charts_dir, file_safe, save};
use crate::format::{fmt_count, fmt_pct_tick};

/// Reads the sweep result folder `dir` and writes `dir/charts/<name>.png` and `.svg`
/// for every chart of its design; returns the written paths.
pub fn draw_sweep_charts(dir: &Path) -> Result<Vec<PathBuf>> {
    theme::register_fonts()?;
    let data = SweepData::read(dir)?;
    let out_dir = charts_dir(dir)?;
    let mut written = Vec::new();
    match data.manifest.kind.as_str() {
        "grid" => match data.factors.len() {
            0 => {}
            1 => written.extend(save(&LineChart::new(&data), &out_dir)?),
            _ => {
                for o in 0..data.outcomes.len() {
                    written.extend(save(&Heatmap::new(&data, o), &out_dir)?);
                }
            }
        },
        "sobol" => {
            let rows: Vec<SobolRow> = read_csv(&dir.join("sensitivity.csv"))?;
            written.extend(save(&BarsChart::sobol(&data, &rows), &out_dir)?);
        }
        "morris" => {
            let rows: Vec<MorrisRow> = read_csv(&dir.join("sensitivity.csv"))?;
            written.extend(save(&BarsChart::morris(&data, &rows), &out_dir)?);
            written.extend(save(&MorrisScatter::new(&data, &rows), &out_dir)?);
        }
        "oat" => {
            let rows: Vec<OatRow> = read_csv(&dir.join("sensitivity.csv"))?;
            written.extend(save(&BarsChart::tornado(&data, &rows), &out_dir)?);
        }
        "lhs" => written.extend(save(&LhsChart::new(&data), &out_dir)?),
        other => bail!(
            "{}: unknown sweep kind `{other}`, expected grid, lhs, sobol, morris or oat",
            dir.join("manifest.json").display()
        ),
    }
    Ok(written)
}

// ---------------------------------------------------------------------------------
// Reading the folder
// ---------------------------------------------------------------------------------

/// The `sweep` block of the manifest.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct SweepInfo {
    name: String,
    description: String,
}

/// One factor (or grid axis) of the manifest.
#[derive(Debug, Clone, Deserialize)]
struct FactorInfo {
    path: String,
    #[serde(default)]
    from: Option<f64>,
    #[serde(default)]
    to: Option<f64>,
}

/// The fields of a sweep's `manifest.json` that the charts use.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct SweepManifest {
    sweep: SweepInfo,
    scenario: String,
    kind: String,
    seed: Option<u64>,
    runs_per_point: Option<u64>,
    points: Option<u64>,
    factors: Vec<FactorInfo>,
    outcomes: Vec<String>,
    target: String,
}

/// A sweep result folder: manifest and `points.csv`.
struct SweepData {
    manifest: SweepManifest,
    /// Factor paths, in column order.
    factors: Vec<String>,
    /// Reported outcomes, in column order.
    outcomes: Vec<String>,
    /// `x[i][f]`: value of factor `f` at point `i`.
    x: Vec<Vec<f64>>,
    /// `p[i][o]`, `lo[i][o]`, `hi[i][o]`: probability of outcome `o` at point `i` and
    /// its Wilson 95% interval.
    p: Vec<Vec<f64>>,
    lo: Vec<Vec<f64>>,
    hi: Vec<Vec<f64>>,
    colors: OutcomeColors,
}

impl SweepData {
    fn read(dir: &Path) -> Result<SweepData> {
        let manifest_path = dir.join("manifest.json");
        let file = File::open(&manifest_path)
            .with_context(|| format!("cannot open {}", manifest_path.display()))?;
        let manifest: SweepManifest = serde_json::from_reader(std::io::BufReader::new(file))
            .with_context(|| format!("cannot parse {}", manifest_path.display()))?;

        let path = dir.join("points.csv");
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let headers = reader
            .headers()
            .with_context(|| format!("cannot read the header of {}", path.display()))?
            .clone();
        let column = |name: &str| -> Result<usize> {
            headers
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| anyhow!("{}: no column `{name}` in the header", path.display()))
        };
        let factors: Vec<String> = manifest.factors.iter().map(|f| f.path.clone()).collect();
        let outcomes: Vec<String> = if manifest.outcomes.is_empty() {
            headers
                .iter()
                .filter_map(|h| h.strip_prefix("p_"))
                .map(str::to_string)
                .collect()
        } else {
            manifest.outcomes.clone()
        };
        let factor_cols = factors
            .iter()
            .map(|f| column(f))
            .collect::<Result<Vec<_>>>()?;
        let outcome_cols = outcomes
            .iter()
            .map(|o| {
                Ok([
                    column(&format!("p_{o}"))?,
                    column(&format!("ci_low_{o}"))?,
                    column(&format!("ci_high_{o}"))?,
                ])
            })
            .collect::<Result<Vec<_>>>()?;

        let (mut x, mut p, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (i, record) in reader.records().enumerate() {
            // Line 1 is the header, so data row i sits on line i + 2.
            let line = i + 2;
            let record =
                record.with_context(|| format!("{}: bad row on line {line}", path.display()))?;
            let number = |c: usize| -> Result<f64> {
                let field = record.get(c).unwrap_or("");
                field.parse::<f64>().with_context(|| {
                    format!(
                        "{}: line {line}, column `{}`: found `{field}`, expected a number",
                        path.display(),
                        &headers[c]
                    )
                })
            };
            x.push(
                factor_cols
                    .iter()
                    .map(|&c| number(c))
                    .collect::<Result<Vec<_>>>()?,
            );
            let mut row = [Vec::new(), Vec::new(), Vec::new()];
            for cols in &outcome_cols {
                for (k, &c) in cols.iter().enumerate() {
                    row[k].push(clean_probability(number(c)?));
                }
            }
            let [rp, rlo, rhi] = row;
            p.push(rp);
            lo.push(rlo);
            hi.push(rhi);
        }
        let colors = OutcomeColors::new(outcomes.iter().map(String::as_str));
        Ok(SweepData {
            manifest,
            factors,
            outcomes,
            x,
            p,
            lo,
            hi,
            colors,
        })
    }

    /// Index of the target outcome among the reported ones (the first when the
    /// manifest names none that is reported).
    fn target(&self) -> usize {
        self.outcomes
            .iter()
            .position(|o| *o == self.manifest.target)
            .unwrap_or(0)
    }

    /// Name of the target outcome.
    fn target_name(&self) -> String {
        if self.manifest.target.is_empty() {
            self.outcomes.first().cloned().unwrap_or_default()
        } else {
            self.manifest.target.clone()
        }
    }

    /// The subtitle lines every sweep chart starts with: the sweep's description
    /// (when it has one) and its facts.
    fn about(&self) -> Vec<String> {
        let m = &self.manifest;
        let mut lines = Vec::new();
        if !m.sweep.description.trim().is_empty() {
            lines.push(m.sweep.description.trim().to_string());
        }
        let name = if m.sweep.name.is_empty() {
            "unnamed sweep".to_string()
        } else {
            m.sweep.name.clone()
        };
        let mut facts = if m.scenario.is_empty() {
            vec![name]
        } else {
            vec![format!("{name} on {}", m.scenario)]
        };
        let points = m.points.unwrap_or(self.x.len() as u64);
        let mut design = if m.kind.is_empty() {
            String::new()
        } else {
            format!("{} design, ", m.kind)
        };
        design.push_str(&plural(points, "point"));
        if let Some(r) = m.runs_per_point {
            design.push_str(&format!(" × {} each", plural(r, "run")));
        }
        facts.push(design);
        if let Some(seed) = m.seed {
            facts.push(format!("seed {seed}"));
        }
        lines.push(facts.join("  ·  "));
        lines
    }

    /// Range of factor `f`: the manifest's `from` and `to`, else the data's.
    fn factor_range(&self, f: usize) -> (f64, f64) {
        let info = self.manifest.factors.get(f);
        let (dmin, dmax) = self
            .x
            .iter()
            .map(|r| r[f])
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let from = info.and_then(|i| i.from).unwrap_or(dmin).min(dmin);
        let to = info.and_then(|i| i.to).unwrap_or(dmax).max(dmax);
        pad_range(from, to)
    }
}

/// `n` and a noun, with the noun in the plural unless `n` is 1: `1 point`, `2,000 runs`.
fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", fmt_count(n))
    }
}

/// A probability as drawn: NaN and infinities become 0, and values are kept in [0, 1].
fn clean_probability(v: f64) -> f64 {
    if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// A range that plotters can draw: finite, and not empty.
fn pad_range(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    if hi - lo > 1e-12 {
        (lo, hi)
    } else {
        let d = if lo.abs() > 1e-9 { lo.abs() * 0.1 } else { 0.5 };
        (lo - d, hi + d)
    }
}

/// One row of a Sobol `sensitivity.csv`.
#[derive(Debug, Clone, Deserialize)]
struct SobolRow {
    factor: String,
    first_order: f64,
    first_ci_low: f64,
    first_ci_high: f64,
    total: f64,
    total_ci_low: f64,
    total_ci_high: f64,
}

/// One row of a Morris `sensitivity.csv`.
#[derive(Debug, Clone, Deserialize)]
struct MorrisRow {
    factor: String,
    mu: f64,
    mu_star: f64,
    sigma: f64,
}

/// One row of a one-at-a-time `sensitivity.csv`.
#[derive(Debug, Clone, Deserialize)]
struct OatRow {
    factor: String,
    low: f64,
    high: f64,
    p_base: f64,
    p_low: f64,
    p_high: f64,
    swing: f64,
    p_low_ci_low: f64,
    p_low_ci_high: f64,
    p_high_ci_low: f64,
    p_high_ci_high: f64,
}

/// Finite value or 0.
fn finite(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

// ---------------------------------------------------------------------------------
// Formats and small layout helpers
// ---------------------------------------------------------------------------------

/// A factor value: at most four decimals, no trailing zeros, a true minus sign.
fn fmt_level(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    match s.as_str() {
        "-0" => "0".to_string(),
        _ => s.replacen('-', "−", 1),
    }
}

/// A sensitivity index or effect: two decimals (three below 0.1), a true minus sign.
fn fmt_index(v: f64) -> String {
    let s = if v.abs() < 0.1 {
        format!("{:.3}", v.abs())
    } else {
        format!("{:.2}", v.abs())
    };
    if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("−{s}")
    } else {
        s
    }
}

/// A probability in a heatmap cell: whole percents from 10%, one decimal below.
fn fmt_cell(p: f64) -> String {
    let pct = p * 100.0;
    if pct <= 0.0 {
        "0%".to_string()
    } else if pct < 0.05 {
        "<0.1%".to_string()
    } else if pct < 9.95 {
        format!("{pct:.1}%")
    } else {
        format!("{pct:.0}%")
    }
}

/// A round upper end for a probability axis that holds `max`, and the tick spacing
/// that goes with it (at most about six intervals).
fn nice_probability_max(max: f64) -> (f64, f64) {
    if !(max.is_finite() && max > 0.0) {
        return (0.01, 0.002);
    }
    let steps = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2];
    let step = steps
        .iter()
        .copied()
        .find(|s| max / s <= 6.0)
        .unwrap_or(0.2);
    let top = ((max / step) - 1e-9).ceil().max(1.0) * step;
    (top.min(1.0), step)
}

/// Distinct values of `values`, sorted, with values equal to 9 significant digits
/// treated as one.
fn levels(values: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v.dedup_by(|a, b| (*a - *b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs())));
    v
}

/// Index of the level nearest to `v`.
fn level_index(levels: &[f64], v: f64) -> usize {
    levels
        .iter()
        .enumerate()
        .min_by(|a, b| (a.1 - v).abs().total_cmp(&(b.1 - v).abs()))
        .map_or(0, |(i, _)| i)
}

/// Every how many ticks a label can be drawn so that labels of `label_px` pixels stay
/// apart on ticks `spacing_px` pixels apart.
fn thinning(label_px: u32, spacing_px: f64) -> usize {
    if spacing_px <= 0.0 {
        return 1;
    }
    ((label_px as f64 + 14.0) / spacing_px).ceil().max(1.0) as usize
}

/// Draws `s` rotated by 270 degrees (reading upwards), centred on `(x, y)` with its
/// top edge at `x`.
fn draw_vertical_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    (x, y): (i32, i32),
    style: TextStyle<'static>,
) -> Result<()> {
    let style = anchored(style, HPos::Center, VPos::Top).transform(FontTransform::Rotate270);
    area.draw(&Text::new(s.to_string(), (x, y), style))
        .map_err(draw_err)
}

/// Text in the middle of an empty chart body.
fn draw_note<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, note: &str) -> Result<()> {
    let (w, h) = area.dim_in_pixel();
    let style = anchored(
        text(AXIS_DESC_SIZE, NEUTRAL_DARK),
        HPos::Center,
        VPos::Center,
    );
    area.draw(&Text::new(
        note.to_string(),
        (w as i32 / 2, h as i32 / 2),
        style,
    ))
    .map_err(draw_err)
}

/// A panel caption of at most `width` pixels: bold, at the panel title size or smaller
/// (down to the tick size) for a long name, shortened only when even that is too wide.
fn panel_caption(name: &str, width: u32) -> (String, TextStyle<'static>) {
    let mut size = PANEL_TITLE_SIZE;
    while size > TICK_SIZE && text_size(name, &bold(size, INK)).0 > width {
        size -= 1;
    }
    let style = bold(size, INK);
    (fit_text(name, &style, width), style)
}

/// Tick label style of the probability axes.
fn pct_tick(v: &f64) -> String {
    if *v > 1.0 + 1e-9 {
        String::new()
    } else {
        fmt_pct_tick(*v)
    }
}

// ---------------------------------------------------------------------------------
// Grid with one axis: probability against the axis
// ---------------------------------------------------------------------------------

/// One outcome's probability along the axis: (x, p, low, high), sorted by x.
struct Series {
    name: String,
    color: RGBColor,
    points: Vec<(f64, f64, f64, f64)>,
}

/// Probability of each reported outcome against a grid's only axis.
struct LineChart {
    axis: String,
    range: (f64, f64),
    series: Vec<Series>,
    subtitles: Vec<String>,
}

impl LineChart {
    fn new(data: &SweepData) -> Self {
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

// ---------------------------------------------------------------------------------
// Grid with two or more axes: heatmap per outcome
// ---------------------------------------------------------------------------------

/// Probability of one outcome over the first two axes of a grid.
struct Heatmap {
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
}

impl Heatmap {
    fn new(data: &SweepData, o: usize) -> Self {
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

// ---------------------------------------------------------------------------------
// Sobol indices and the Morris tornado: grouped horizontal bars per factor
// ---------------------------------------------------------------------------------

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
struct BarsChart {
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
    fn sobol(data: &SweepData, rows: &[SobolRow]) -> Self {
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

    fn morris(data: &SweepData, rows: &[MorrisRow]) -> Self {
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
    fn tornado(data: &SweepData, rows: &[OatRow]) -> Self {
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

        let mut chart = ChartBuilder::on(&area)
            .margin_left(MARGIN)
            .margin_right(MARGIN + 20)
            .margin_top(10)
            .margin_bottom(MARGIN)
            .x_label_area_size(x_area)
            .y_label_area_size(y_area)
            .build_cartesian_2d(x_min..x_max, 0.0..n_cat as f64)
            .map_err(draw_err)?;
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

// ---------------------------------------------------------------------------------
// Morris: sigma against mu*
// ---------------------------------------------------------------------------------

/// sigma against mu*, one labelled point per factor.
struct MorrisScatter {
    target: String,
    /// (factor, mu*, sigma), largest mu* first.
    points: Vec<(String, f64, f64)>,
    subtitles: Vec<String>,
}

impl MorrisScatter {
    fn new(data: &SweepData, rows: &[MorrisRow]) -> Self {
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

// ---------------------------------------------------------------------------------
// Latin hypercube: target probability against each factor
// ---------------------------------------------------------------------------------

/// Small multiples of the target probability against each factor.
struct LhsChart {
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
    fn new(data: &SweepData) -> Self {
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
            runs: data.manifest.runs_per_point,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(fmt_level(0.30000000000000004), "0.3");
        assert_eq!(fmt_level(-0.5), "−0.5");
        assert_eq!(fmt_level(12.0), "12");
        assert_eq!(fmt_level(-0.00001), "0");
        assert_eq!(fmt_index(-0.172521), "−0.17");
        assert_eq!(fmt_index(0.022464), "0.022");
        assert_eq!(fmt_index(-0.0001), "0.000");
        assert_eq!(fmt_cell(0.912), "91%");
        assert_eq!(fmt_cell(0.027), "2.7%");
        assert_eq!(fmt_cell(0.0), "0%");
    }

    #[test]
    fn probability_axis_ends_on_a_round_value() {
        assert_eq!(nice_probability_max(0.93), (1.0, 0.2));
        let (top, step) = nice_probability_max(0.3);
        assert!((top - 0.3).abs() < 1e-12 && (step - 0.05).abs() < 1e-12);
        let (top, step) = nice_probability_max(0.061);
        assert!((top - 0.08).abs() < 1e-12 && (step - 0.02).abs() < 1e-12);
        assert_eq!(nice_probability_max(0.0), (0.01, 0.002));
    }

    #[test]
    fn levels_merge_rounding_noise() {
        let l = levels([0.3, 0.1, 0.30000000000000004, 0.2, 0.1]);
        assert_eq!(l.len(), 3);
        assert_eq!(level_index(&l, 0.29999), 2);
    }

    #[test]
    fn viridis_runs_dark_to_light() {
        let lum = |c: RGBColor| 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
        let mut last = -1.0;
        for k in 0..=20 {
            let l = lum(viridis(k as f64 / 20.0));
            assert!(l > last, "viridis is not increasing in lightness at {k}");
            last = l;
        }
    }
}
