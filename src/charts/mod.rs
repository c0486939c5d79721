//! Charts of a result folder.
//!
//! [`draw_run_charts`] reads the files a run writes (`manifest.json`, `outcomes.csv`,
//! `timeseries.csv`, `config_timeseries.csv`, `final.csv`, and `runs.csv` when
//! present) and draws into
//! `charts/` of the same folder, each chart as a PNG and an SVG:
//!
//! | file stem | chart |
//! |---|---|
//! | `outcomes` | probability of each named outcome with Wilson 95% whiskers |
//! | `fan_<DYAD>` | median alignment of one dyad over time with 50% and 90% bands, and when treaties formed |
//! | `fan_all` | the fan charts of all dyads as small multiples |
//! | `configurations` | share of each triad configuration over time, stacked |
//! | `final` | histogram of each dyad's final averaged alignment |
//! | `importance` | first-order index of each uncertain parameter per outcome (when `importance.csv` exists) |
//!
//! [`draw_comparison`] draws the outcome probabilities of several scenarios side by
//! side (`comparison`), from rows read with [`read_outcomes`], and
//! [`draw_differences`] their paired differences against the first
//! (`differences`).
//!
//! [`draw_sweep_charts`] draws the charts of a sweep result folder (line or heatmaps
//! for grids, Sobol bars, Morris tornado and scatter, LHS panels).
//!
//! Each file is first written under a temporary name in the same folder and then
//! renamed, so a reader never sees a half-written chart. The font is embedded, so
//! drawing needs no system font.

mod backend;
pub mod calibration;
mod comparison;
mod configurations;
mod data;
mod differences;
mod fan;
mod final_hist;
mod importance;
mod labels;
mod look;
mod outcomes;
mod sweep;
mod theme;
mod treaties;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::output::read_table;
pub use data::{OutcomeRow, read_outcomes};
pub use look::{ChartOptions, ChartSize, Preset, with_options};
pub use sweep::draw_sweep_charts;

use theme::draw_err;

/// Reads the result folder `dir` and writes `dir/charts/<name>.png` and
/// `dir/charts/<name>.svg` for every chart of the run; returns the written paths.
pub fn draw_run_charts(dir: &Path) -> Result<Vec<PathBuf>> {
    theme::register_fonts()?;
    let run = data::RunData::read(dir)?;
    let out_dir = charts_dir(dir)?;
    let mut written = Vec::new();
    written.extend(save(&outcomes::OutcomesChart::new(&run), &out_dir)?);
    let treaties = treaties::RunTreaties::read(dir, &run)?;
    for chart in fan::FanChart::all(&run, &treaties) {
        written.extend(save(&chart, &out_dir)?);
    }
    written.extend(save(&fan::FanGrid::new(&run, &treaties), &out_dir)?);
    written.extend(save(&configurations::ConfigChart::new(&run), &out_dir)?);
    written.extend(save(&final_hist::FinalChart::new(&run), &out_dir)?);
    let importance = dir.join("importance.csv");
    if importance.is_file() {
        let rows: Vec<importance::ImportanceRow> = read_table(&importance)?;
        let name = outcomes::scenario_name(&run);
        let names = labels::Names::of_run(&run);
        if let Some(chart) = importance::ImportanceChart::new(&name, names, &run.outcomes, &rows) {
            written.extend(save(&chart, &out_dir)?);
        }
    }
    Ok(written)
}

/// Draws the paired differences of a `compare` folder from its
/// `differences.csv` into `dir/charts/differences.png` and `.svg`.
pub fn draw_differences(dir: &Path) -> Result<Vec<PathBuf>> {
    theme::register_fonts()?;
    let rows: Vec<differences::DifferenceRow> = read_table(&dir.join("differences.csv"))?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let out_dir = charts_dir(dir)?;
    let scenarios = rows
        .iter()
        .flat_map(|r| [r.reference.as_str(), r.scenario.as_str()]);
    let names = labels::Names::new(&labels::compare_labels(dir, scenarios), &[]);
    save(&differences::DifferencesChart::new(rows, &names), &out_dir)
}

/// Draws grouped bars of the outcome probabilities of several scenarios, with Wilson
/// 95% whiskers, into `dir/charts/comparison.png` and `.svg`; returns the written
/// paths. `scenarios` holds each scenario's name and its `outcomes.csv` rows;
/// outcome labels come from the scenarios' subfolders of `dir`, when present.
pub fn draw_comparison(
    dir: &Path,
    scenarios: &[(String, Vec<OutcomeRow>)],
) -> Result<Vec<PathBuf>> {
    theme::register_fonts()?;
    let out_dir = charts_dir(dir)?;
    let labels = labels::compare_labels(dir, scenarios.iter().map(|(name, _)| name.as_str()));
    let names = labels::Names::new(&labels, &[]);
    let left_out = never_matching(dir, scenarios);
    let left_out: Vec<&str> = left_out.iter().map(String::as_str).collect();
    save(
        &comparison::ComparisonChart::new(scenarios, &names, &left_out),
        &out_dir,
    )
}

/// The outcomes that no scenario of a `compare` folder can ever name: every
/// scenario's manifest (in its subfolder of `dir`) marks the rule as never
/// matching and no run ended in it. A scenario without a readable manifest
/// leaves every outcome in.
fn never_matching(dir: &Path, scenarios: &[(String, Vec<OutcomeRow>)]) -> Vec<String> {
    let manifests: Vec<Option<crate::output::manifest::RunManifest>> = scenarios
        .iter()
        .map(|(name, _)| {
            crate::output::safety::compare_subfolder(name)
                .ok()
                .and_then(|_| crate::output::manifest::RunManifest::read(&dir.join(name)).ok())
        })
        .collect();
    let Some((_, first)) = scenarios.first() else {
        return Vec::new();
    };
    first
        .iter()
        .map(|r| &r.outcome)
        .filter(|outcome| {
            scenarios.iter().zip(&manifests).all(|((_, rows), m)| {
                let no_runs = rows.iter().all(|r| &r.outcome != *outcome || r.count == 0);
                let never = m.as_ref().is_some_and(|m| {
                    m.outcome_rules
                        .iter()
                        .any(|rule| &rule.name == *outcome && rule.never_matches.is_some())
                });
                no_runs && never
            })
        })
        .cloned()
        .collect()
}

/// The `charts` folder of a result folder, created if missing. A link in
/// its place is refused: a shared folder must not redirect the charts.
pub(crate) fn charts_dir(dir: &Path) -> Result<PathBuf> {
    let out_dir = dir.join("charts");
    if fs::symlink_metadata(&out_dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(crate::error::Error::from(
            crate::error::InputError::new(
                "is a symbolic link; entente draws charts only into a real folder",
            )
            .in_file(&out_dir),
        )
        .into());
    }
    fs::create_dir_all(&out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;
    Ok(out_dir)
}

/// A chart that can be drawn on any plotters backend.
pub(crate) trait Chart {
    /// File name without extension.
    fn stem(&self) -> String;
    /// Canvas size in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws the chart on a white canvas.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// Writes a chart as `<stem>.png` and `<stem>.svg` in `out_dir`, each through a
/// temporary file and a rename, at the size the current [`ChartOptions`] ask
/// for; the PNG records its resolution.
pub(crate) fn save<C: Chart>(chart: &C, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let stem = chart.stem();
    let preset = look::current().size.preset();
    let design = preset.design_canvas(chart.size());
    let size = preset.output_canvas(design);

    let png = out_dir.join(format!("{stem}.png"));
    let png_tmp = out_dir.join(format!("{stem}.tmp.png"));
    // Whatever sits at a temporary name (a link, a stale file) is removed,
    // never written through.
    let _ = fs::remove_file(&png_tmp);
    let drawn = (|| -> Result<()> {
        let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
        {
            let root = backend::Scaled::new(
                BitMapBackend::with_buffer(&mut pixels, size),
                design,
                &preset,
            )
            .into_drawing_area();
            root.fill(&WHITE).map_err(draw_err)?;
            chart.draw(&root)?;
            root.present().map_err(draw_err)?;
        }
        backend::write_png(&png_tmp, &pixels, size, preset.dpi)
    })();
    finish(drawn, &png_tmp, &png).with_context(|| format!("cannot write {}", png.display()))?;

    let svg = out_dir.join(format!("{stem}.svg"));
    let svg_tmp = out_dir.join(format!("{stem}.svg.tmp"));
    let _ = fs::remove_file(&svg_tmp);
    let mut text = String::new();
    let drawn = (|| -> Result<()> {
        {
            let root =
                backend::Scaled::new(SVGBackend::with_string(&mut text, size), design, &preset)
                    .into_drawing_area();
            root.fill(&WHITE).map_err(draw_err)?;
            chart.draw(&root)?;
            root.present().map_err(draw_err)?;
        }
        fs::write(&svg_tmp, &text)?;
        Ok(())
    })();
    finish(drawn, &svg_tmp, &svg).with_context(|| format!("cannot write {}", svg.display()))?;

    Ok(vec![png, svg])
}

/// Renames a finished temporary file into place, or removes it after a failure.
fn finish(drawn: Result<()>, tmp: &Path, dest: &Path) -> Result<()> {
    match drawn.and_then(|()| fs::rename(tmp, dest).map_err(Into::into)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_file(tmp);
            Err(e)
        }
    }
}

/// A file-name-safe form of a dyad or scenario name.
pub(crate) fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
