//! The files of a run folder, written from a [`RunResult`]: the tables, the
//! parameter table of the scenario, the draws and importance tables when
//! parameters are uncertain, and the manifest. `docs/outputs.md` defines
//! every column.

use std::path::Path;

use anyhow::Context;

use super::manifest::{RunManifest, to_json};
use super::tables;
use crate::error::Result;
use crate::scenario::{self, Scenario};
use crate::simulation::RunResult;

/// Writes every file of `result` into `dir` (charts and report aside).
pub fn write_run(dir: &Path, scenario: &Scenario, result: &RunResult, command: &str) -> Result<()> {
    let aggregate = &result.ensemble.aggregate;
    let put = |name: &str, contents: String| -> Result<()> {
        std::fs::write(dir.join(name), contents)
            .with_context(|| format!("writing {}", dir.join(name).display()))?;
        Ok(())
    };
    put("outcomes.csv", tables::outcomes_table(result))?;
    if !result.configuration_names.is_empty() {
        let names = &result.configuration_names;
        put(
            "configurations.csv",
            tables::configurations_table(names, &aggregate.configurations, aggregate.runs),
        )?;
        put(
            "config_timeseries.csv",
            tables::config_timeseries_table(result),
        )?;
    }
    put("timeseries.csv", tables::timeseries_table(result))?;
    if !result.ensemble.trajectories.is_empty() {
        put("trajectories.csv", tables::trajectories_table(result))?;
    }
    put("final.csv", tables::final_table(aggregate, &result.dyads))?;
    put("dyads.csv", tables::dyads_table(aggregate, &result.dyads))?;
    put(
        "shocks.csv",
        tables::shocks_table(aggregate, &result.shocks),
    )?;
    put(
        "parameters.csv",
        scenario::parameters_csv(&scenario::parameter_rows(scenario)),
    )?;
    if result.plan.is_nested() {
        put("draws.csv", tables::draws_table(result))?;
        put("importance.csv", tables::importance_table(result))?;
    }
    put(
        "manifest.json",
        to_json(&RunManifest::of(scenario, result, command)),
    )?;
    Ok(())
}
