//! `entente run`: Monte Carlo over one scenario, written to a result folder.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{RunArgs, SimulationArgs, at_least_one, command_line};
use crate::engine::RunRecord;
use crate::error::Result;
use crate::format::{fmt_counted, fmt_rate};
use crate::output::{self, RunsTable, Staging};
use crate::scenario::Scenario;
use crate::simulation::{self, RunResult, Settings};
use crate::uncertainty::Posterior;

pub fn execute(args: &RunArgs) -> Result<()> {
    let scenario = super::load_scenario(&args.scenario, &args.sim.set)?;
    let mut settings = settings(&args.sim, &scenario, &scenario)?;
    if let Some(k) = args.trajectories {
        settings.trajectories = at_least_one("--trajectories", k)?;
    }
    // The default folder `output/<name>/` is the tool's own: a new run of the
    // same scenario replaces the result there. A folder named with --out
    // is the user's, and is replaced only with --force.
    let (out, force) = match &args.out {
        Some(out) => (out.clone(), args.sim.force),
        None => (PathBuf::from("output").join(scenario.name()), true),
    };
    let staging = Staging::create(&out, force)?;
    let result = simulate_into(staging.path(), &scenario, &settings, args.sim.per_run)?;
    if !args.sim.no_charts {
        crate::charts::draw_run_charts(staging.path()).context("drawing charts")?;
    }
    if args.sim.report {
        crate::report::write_run_report(staging.path()).context("writing the report")?;
    }
    let out = staging
        .commit()
        .with_context(|| format!("moving results into {}", out.display()))?;
    if args.sim.json {
        super::json::print(&super::json::RunJson::of(
            &result,
            Some(out.display().to_string()),
        ));
    } else {
        print_summary(&result);
        say!("\nresults: {}/", out.display());
    }
    Ok(())
}

/// The settings of a run of `scenario` from the command line; runs and seed
/// default to those of `first` (the first scenario of a comparison).
pub(super) fn settings(
    sim: &SimulationArgs,
    scenario: &Scenario,
    first: &Scenario,
) -> Result<Settings> {
    let mut settings = Settings::for_scenario(first);
    settings.runs = at_least_one("--runs", sim.runs.unwrap_or(first.built.runs))?;
    settings.seed = sim.seed.unwrap_or(first.built.seed);
    settings.threads = Some(simulation::check_threads(sim.threads)?);
    settings.draws = at_least_one("--draws", sim.draws.unwrap_or(settings.draws as u64))? as usize;
    settings.nominal = sim.nominal;
    settings.posterior = match &sim.posterior {
        Some(file) => Some(Posterior::load(file, &scenario.built.model)?),
        None => None,
    };
    Ok(settings)
}

/// Runs a scenario with a progress bar and writes its result files (not
/// the charts) into `dir`.
pub(super) fn simulate_into(
    dir: &Path,
    scenario: &Scenario,
    settings: &Settings,
    per_run: bool,
) -> Result<RunResult> {
    let bar = super::progress_bar(
        settings.plan(scenario).runs,
        "runs",
        "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} runs  {rate}  ETA {eta}",
    );
    let progress = |k: u64| bar.inc(k);
    let result = if per_run {
        let path = dir.join("runs.csv");
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        let mut writer = BufWriter::new(file);
        let table = RunsTable::new(scenario);
        writer
            .write_all(table.header().as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        // The error names the file, as every error about a file does.
        let mut sink = |r: &RunRecord| {
            writer
                .write_all(table.row(r).as_bytes())
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))
        };
        let result = simulation::run_observed(scenario, settings, &progress, Some(&mut sink))?;
        writer
            .flush()
            .with_context(|| format!("writing {}", path.display()))?;
        result
    } else {
        simulation::run_observed(scenario, settings, &progress, None)?
    };
    bar.finish_and_clear();
    output::write_run(dir, scenario, &result, &command_line())?;
    Ok(result)
}

fn print_summary(result: &RunResult) {
    let runs = result.runs();
    let wall = result.wall_seconds;
    say!(
        "{}: {}, seed {}, {}, {wall:.2} s ({})",
        result.scenario,
        fmt_counted(runs, "run"),
        result.seed,
        fmt_counted(result.threads as u64, "thread"),
        fmt_rate(runs as f64 / wall.max(1e-9), "runs")
    );
    let plan = &result.plan;
    if plan.is_nested() {
        say!(
            "parameter uncertainty: {} of {} over {}{}\n",
            fmt_counted(plan.draws as u64, "draw"),
            fmt_counted(plan.cluster_size, "run"),
            fmt_counted(plan.names.len() as u64, "uncertain parameter"),
            result
                .posterior
                .as_ref()
                .map_or(String::new(), |p| format!(" (posterior {p})"))
        );
    } else if result.nominal {
        say!("parameter uncertainty: ignored (--nominal); intervals are Monte Carlo error only\n");
    } else {
        say!("parameter uncertainty: none declared; intervals are Monte Carlo error only\n");
    }
    let width = result
        .outcome_names
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(7)
        .max(7);
    if plan.is_nested() {
        say!(
            "  {:<width$}  probability  95% interval (Monte Carlo)  5-95% over draws  from parameters",
            "outcome"
        );
    } else {
        say!("  {:<width$}  probability  95% interval", "outcome");
    }
    let mut order: Vec<usize> = (0..result.outcomes.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(result.outcomes[k].count));
    for k in order {
        let o = &result.outcomes[k];
        let name = &result.outcome_names[k];
        if plan.is_nested() {
            say!(
                "  {name:<width$}  {:>11.4}  [{:.4}, {:.4}]            [{:.4}, {:.4}]  {:>14.0}%",
                o.probability,
                o.ci_low,
                o.ci_high,
                o.draw_p05,
                o.draw_p95,
                100.0 * o.parameter_share
            );
        } else {
            say!(
                "  {name:<width$}  {:>11.4}  [{:.4}, {:.4}]",
                o.probability,
                o.ci_low,
                o.ci_high
            );
        }
    }
}
