//! Reading the files of a result folder that the charts are drawn from.
//!
//! The charts treat the result folder as their only input: `manifest.json` for the
//! labels (scenario, runs, seed, agents, dyads, outcome order, threshold), and the CSV
//! summaries for the numbers. Every reader names the file it failed on, so a broken
//! or missing file gives a message a user can act on. Unknown JSON fields and extra
//! CSV columns are ignored, so newer simulators can add to the files freely.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, bail};

use crate::output::{RunManifest, read_table};

pub(crate) use crate::output::rows::TimeseriesRow as TimeRow;
pub use crate::output::rows::{ConfigShareRow, FinalBin, OutcomeRow, TrajectoryRow};

/// Reads `outcomes.csv`, in file order.
pub fn read_outcomes(path: &Path) -> Result<Vec<OutcomeRow>> {
    Ok(read_table(path)?)
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
            timeseries: read_table(&dir.join("timeseries.csv"))?,
            config_shares: read_table(&dir.join("config_timeseries.csv"))?,
            finals: read_table(&dir.join("final.csv"))?,
            trajectories: match dir.join("trajectories.csv") {
                path if path.is_file() => read_table(&path)?,
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
