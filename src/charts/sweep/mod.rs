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

use std::path::{Path, PathBuf};

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::theme::{self, *};
use super::{Chart, charts_dir, file_safe, save};
use crate::format::{fmt_count, fmt_pct_tick};
use crate::output::sweep::{
    DesignKind, Estimate, MorrisRow, OatRow, PointsTable, Sensitivity, SobolRow, SweepManifest,
};

mod bars;
mod heatmap;
mod lhs;
mod line;
mod scatter;

use bars::BarsChart;
use heatmap::Heatmap;
use lhs::LhsChart;
use line::LineChart;
use scatter::MorrisScatter;

/// Reads the sweep result folder `dir` and writes `dir/charts/<name>.png` and `.svg`
/// for every chart of its design; returns the written paths.
pub fn draw_sweep_charts(dir: &Path) -> Result<Vec<PathBuf>> {
    theme::register_fonts()?;
    let data = SweepData::read(dir)?;
    let out_dir = charts_dir(dir)?;
    let mut written = Vec::new();
    match data.manifest.kind {
        DesignKind::Grid => match data.factors.len() {
            0 => {}
            1 => written.extend(save(&LineChart::new(&data), &out_dir)?),
            _ => {
                for o in 0..data.outcomes.len() {
                    written.extend(save(&Heatmap::new(&data, o), &out_dir)?);
                }
            }
        },
        DesignKind::Sobol | DesignKind::Morris | DesignKind::Oat => {
            let table = Sensitivity::read(dir, data.manifest.kind)
                .map_err(crate::error::Error::from)?
                .expect("these designs have a sensitivity table");
            match table {
                Sensitivity::Sobol(rows) => {
                    written.extend(save(&BarsChart::sobol(&data, &rows), &out_dir)?)
                }
                Sensitivity::Morris(rows) => {
                    written.extend(save(&BarsChart::morris(&data, &rows), &out_dir)?);
                    written.extend(save(&MorrisScatter::new(&data, &rows), &out_dir)?);
                }
                Sensitivity::Oat(rows) => {
                    written.extend(save(&BarsChart::tornado(&data, &rows), &out_dir)?)
                }
            }
        }
        DesignKind::Lhs | DesignKind::Points => {
            written.extend(save(&LhsChart::new(&data), &out_dir)?)
        }
    }
    Ok(written)
}

// ---------------------------------------------------------------------------------
// Reading the folder
// ---------------------------------------------------------------------------------

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
        let manifest = SweepManifest::read(dir).map_err(crate::error::Error::from)?;

        let table = PointsTable::read(dir, &manifest).map_err(crate::error::Error::from)?;
        let factors = manifest.factor_paths();
        let outcomes = manifest.outcomes.clone();
        let x = table.rows.iter().map(|r| r.values.clone()).collect();
        let column = |f: fn(&Estimate) -> f64| -> Vec<Vec<f64>> {
            table
                .rows
                .iter()
                .map(|r| {
                    r.estimates
                        .iter()
                        .map(|e| clean_probability(f(e)))
                        .collect()
                })
                .collect()
        };
        let (p, lo, hi) = (column(|e| e.p), column(|e| e.ci_low), column(|e| e.ci_high));
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
        let mut design = format!("{} design, ", m.kind);
        design.push_str(&plural(m.points as u64, "point"));
        design.push_str(&format!(" × {} each", plural(m.runs_per_point, "run")));
        facts.push(design);
        facts.push(format!("seed {}", m.seed));
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
        let from = info.map_or(dmin, |i| i.from).min(dmin);
        let to = info.map_or(dmax, |i| i.to).max(dmax);
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
