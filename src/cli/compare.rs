//! `entente compare`: runs several scenarios with the same seed and number
//! of runs, and sets their outcome probabilities side by side.

use std::collections::HashSet;
use std::path::PathBuf;

use anyhow::Context;

use super::run::{RunOptions, simulate_into, thread_pool};
use super::{CompareArgs, at_least_one, command_line};
use crate::charts::OutcomeRow;
use crate::error::{InputError, Result};
use crate::output::Staging;
use crate::scenario;
use crate::stats::{Z95, wilson};

pub fn execute(args: &CompareArgs) -> Result<()> {
    let scenarios = args
        .scenarios
        .iter()
        .map(|p| scenario::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut names = HashSet::new();
    for s in &scenarios {
        crate::output::safety::compare_subfolder(s.name())
            .map_err(|m| InputError::new(m).in_file(&s.path).key("name"))?;
        if !names.insert(s.name().to_string()) {
            return Err(InputError::new(format!(
                "scenario name `{}` appears twice; each compared scenario needs its own name",
                s.name()
            ))
            .in_file(&s.path)
            .key("name")
            .into());
        }
    }
    let first = &scenarios[0].built;
    let runs = at_least_one("--runs", args.sim.runs.unwrap_or(first.runs))?;
    let seed = args.sim.seed.unwrap_or(first.seed);
    let joined: Vec<&str> = scenarios.iter().map(|s| s.name()).collect();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("compare-{}", joined.join("+"))));
    let pool = thread_pool(args.sim.threads)?;
    let staging = Staging::create(&out, args.sim.force)?;
    let options = RunOptions {
        runs,
        seed,
        per_run: false,
        charts: !args.sim.no_charts,
    };

    let mut table = csv::Writer::from_writer(Vec::new());
    table
        .write_record([
            "scenario",
            "outcome",
            "count",
            "probability",
            "ci_low",
            "ci_high",
        ])
        .context("writing comparison.csv")?;
    let mut groups: Vec<(String, Vec<OutcomeRow>)> = Vec::new();
    for s in &scenarios {
        let dir = staging.path().join(s.name());
        std::fs::create_dir(&dir).map_err(|e| crate::output::safety::at_path(&dir, e))?;
        let done = simulate_into(&dir, s, &options, &pool)?;
        let mut rows = Vec::new();
        for (k, outcome) in done.rules.names.iter().enumerate() {
            let count = done.aggregate.outcomes[k];
            let (lo, hi) = wilson(count, runs, Z95);
            let p = done.aggregate.outcome_probability(k);
            table
                .write_record([
                    s.name().to_string(),
                    outcome.clone(),
                    count.to_string(),
                    format!("{p:.6}"),
                    format!("{lo:.6}"),
                    format!("{hi:.6}"),
                ])
                .context("writing comparison.csv")?;
            rows.push(OutcomeRow {
                outcome: outcome.clone(),
                count,
                probability: p,
                ci_low: lo,
                ci_high: hi,
            });
        }
        groups.push((s.name().to_string(), rows));
    }
    let table = table.into_inner().context("writing comparison.csv")?;
    staging.write("comparison.csv", &table)?;
    let manifest = serde_json::json!({
        "entente_version": env!("CARGO_PKG_VERSION"),
        "scenarios": scenarios.iter().map(|s| serde_json::json!({
            "name": s.name(), "file": s.path.display().to_string(), "sha256": s.sha256,
        })).collect::<Vec<_>>(),
        "seed": seed,
        "runs": runs,
        "threads": pool.current_num_threads(),
        "command": command_line(),
    });
    staging.write(
        "manifest.json",
        serde_json::to_string_pretty(&manifest).expect("json") + "\n",
    )?;
    if !args.sim.no_charts {
        crate::charts::draw_comparison(staging.path(), &groups)
            .context("drawing the comparison chart")?;
    }
    if args.sim.report {
        crate::report::write_compare_report(staging.path()).context("writing the report")?;
    }
    let out = staging
        .commit()
        .with_context(|| format!("moving results into {}", out.display()))?;

    print_table(&groups, runs, seed);
    say!("\nresults: {}/", out.display());
    Ok(())
}

fn print_table(groups: &[(String, Vec<OutcomeRow>)], runs: u64, seed: u64) {
    say!(
        "{} scenarios, {runs} runs each, seed {seed}\n",
        groups.len()
    );
    let mut outcomes: Vec<&str> = Vec::new();
    for (_, rows) in groups {
        for r in rows {
            if !outcomes.contains(&r.outcome.as_str()) {
                outcomes.push(&r.outcome);
            }
        }
    }
    let width = outcomes.iter().map(|o| o.len()).max().unwrap_or(7).max(7);
    let columns: Vec<usize> = groups.iter().map(|(n, _)| n.len().max(8)).collect();
    say_part!("  {:<width$}", "outcome");
    for ((name, _), w) in groups.iter().zip(&columns) {
        say_part!("  {name:>w$}");
    }
    say!();
    for o in outcomes {
        say_part!("  {o:<width$}");
        for ((_, rows), w) in groups.iter().zip(&columns) {
            match rows.iter().find(|r| r.outcome == o) {
                Some(r) => say_part!("  {:>w$.4}", r.probability),
                None => say_part!("  {:>w$}", "-"),
            }
        }
        say!();
    }
}
