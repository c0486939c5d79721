//! Reading the files of a result folder that the charts are drawn from.
//!
//! The charts treat the result folder as their only input: `manifest.json` for the
//! labels (scenario, runs, seed, agents, dyads, outcome order, threshold), and the CSV
//! summaries for the numbers. Every reader names the file it failed on, so a broken
//! or missing file gives a message a user can act on. Unknown JSON fields and extra
//! CSV columns are ignored, so newer simulators can add to the files freely.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::output::RunManifest;
use serde::{Deserialize, Serialize};

/// One row of `outcomes.csv`: a named outcome, how many runs ended in it, its share of
/// the runs and the Wilson 95% interval of that share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeRow {
    /// Outcome name, e.g. `partnership_short_of_alliance` or `other` (or, read
    /// from `configurations.csv`, a configuration name).
    #[serde(alias = "configuration")]
    pub outcome: String,
    /// Number of runs that ended in this outcome.
    pub count: u64,
    /// Share of runs, in [0, 1].
    pub probability: f64,
    /// Lower end of the Wilson 95% interval.
    pub ci_low: f64,
    /// Upper end of the Wilson 95% interval.
    pub ci_high: f64,
    /// 5% and 95% quantiles over parameter draws (absent in files written
    /// before parameters could be uncertain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw_p05: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw_p95: Option<f64>,
    /// Share of the outcome's variance due to the uncertain parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_share: Option<f64>,
}

/// Reads `outcomes.csv` (header `outcome,count,probability,ci_low,ci_high`), in file
/// order.
pub fn read_outcomes(path: &Path) -> Result<Vec<OutcomeRow>> {
    read_csv(path)
}

/// One row of `timeseries.csv`: quantiles of one dyad's alignment at one step (the
/// `mean` column is not drawn).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TimeRow {
    pub step: u32,
    pub dyad: String,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

/// One row of `config_timeseries.csv`: share of runs in a triad configuration at a step.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ConfigShareRow {
    pub step: u32,
    pub configuration: String,
    pub share: f64,
}

/// One row of `final.csv`: a histogram bin of a dyad's final averaged alignment.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct FinalBin {
    pub dyad: String,
    pub bin_low: f64,
    pub bin_high: f64,
    pub count: u64,
}

/// Everything the run charts need, read from one result folder.
#[derive(Debug, Clone)]
pub(crate) struct RunData {
    pub manifest: RunManifest,
    pub outcomes: Vec<OutcomeRow>,
    pub timeseries: Vec<TimeRow>,
    pub config_shares: Vec<ConfigShareRow>,
    pub finals: Vec<FinalBin>,
    /// The sampled runs of `trajectories.csv`, when the run wrote one.
    pub trajectories: Vec<TrajectoryRow>,
}

/// One row of `trajectories.csv`: one sampled run's alignment of one dyad at
/// one step.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TrajectoryRow {
    pub run: u64,
    pub step: u32,
    pub dyad: String,
    pub alignment: f64,
}

impl RunData {
    /// Reads `manifest.json`, `outcomes.csv`, `timeseries.csv`, `config_timeseries.csv`
    /// and `final.csv` from `dir`.
    pub fn read(dir: &Path) -> Result<RunData> {
        let manifest = RunManifest::read(dir).map_err(crate::error::Error::from)?;
        if !(manifest.dt.is_finite() && manifest.dt > 0.0) {
            bail!(
                "{}: dt must be a positive number, found {}",
                dir.join("manifest.json").display(),
                manifest.dt
            );
        }
        Ok(RunData {
            outcomes: read_outcomes(&dir.join("outcomes.csv"))?,
            timeseries: read_csv(&dir.join("timeseries.csv"))?,
            config_shares: read_csv(&dir.join("config_timeseries.csv"))?,
            finals: read_csv(&dir.join("final.csv"))?,
            trajectories: match dir.join("trajectories.csv") {
                path if path.is_file() => read_csv(&path)?,
                _ => Vec::new(),
            },
            manifest,
        })
    }

    /// Dyads in manifest order, followed by any dyad that only appears in the CSVs
    /// (in order of first appearance).
    pub fn dyads(&self) -> Vec<String> {
        let mut out = self.manifest.dyads.clone();
        let extra = self
            .timeseries
            .iter()
            .map(|r| &r.dyad)
            .chain(self.finals.iter().map(|b| &b.dyad));
        for d in extra {
            if !out.contains(d) {
                out.push(d.clone());
            }
        }
        out
    }

    /// Rows of `timeseries.csv` for one dyad, sorted by step.
    pub fn series_of(&self, dyad: &str) -> Vec<TimeRow> {
        let mut rows: Vec<TimeRow> = self
            .timeseries
            .iter()
            .filter(|r| r.dyad == dyad)
            .cloned()
            .collect();
        rows.sort_by_key(|r| r.step);
        rows
    }

    /// The sampled runs' paths of one dyad, each as (step, alignment) in
    /// step order, in run order.
    pub fn paths_of(&self, dyad: &str) -> Vec<Vec<(u32, f64)>> {
        let mut paths: Vec<(u64, Vec<(u32, f64)>)> = Vec::new();
        for r in self.trajectories.iter().filter(|r| r.dyad == dyad) {
            match paths.last_mut() {
                Some((run, path)) if *run == r.run => path.push((r.step, r.alignment)),
                _ => paths.push((r.run, vec![(r.step, r.alignment)])),
            }
        }
        paths
            .into_iter()
            .map(|(_, mut path)| {
                path.sort_by_key(|p| p.0);
                path
            })
            .collect()
    }

    /// Histogram bins of one dyad, sorted by their lower edge.
    pub fn bins_of(&self, dyad: &str) -> Vec<FinalBin> {
        let mut bins: Vec<FinalBin> = self
            .finals
            .iter()
            .filter(|b| b.dyad == dyad)
            .cloned()
            .collect();
        bins.sort_by(|a, b| a.bin_low.total_cmp(&b.bin_low));
        bins
    }

    /// Shares of every configuration per step: configuration name -> (step -> share).
    pub fn config_table(&self) -> BTreeMap<String, BTreeMap<u32, f64>> {
        let mut table: BTreeMap<String, BTreeMap<u32, f64>> = BTreeMap::new();
        for r in &self.config_shares {
            table
                .entry(r.configuration.clone())
                .or_default()
                .insert(r.step, finite_or_zero(r.share));
        }
        table
    }

    /// The last step present in the time series, or the manifest horizon.
    pub fn last_step(&self) -> u32 {
        let data_max = self
            .timeseries
            .iter()
            .map(|r| r.step)
            .chain(self.config_shares.iter().map(|r| r.step))
            .max();
        data_max.unwrap_or(self.manifest.horizon.unwrap_or(0) as u32)
    }
}

/// Replaces NaN and infinities by zero, so a degenerate summary draws as empty.
pub(crate) fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

/// Reads every row of the CSV file `path`; a bad row is named by its line.
pub(crate) fn read_csv<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let mut rows = Vec::new();
    for (i, record) in reader.deserialize().enumerate() {
        // Line 1 is the header, so data row i sits on line i + 2.
        let row =
            record.with_context(|| format!("{}: bad row on line {}", path.display(), i + 2))?;
        rows.push(row);
    }
    Ok(rows)
}
