//! `entente compare`: runs several scenarios on the same parameter draws
//! and the same run streams (common random numbers), sets their outcome
//! probabilities side by side and reports each one's paired difference
//! against the first scenario.

use std::collections::HashSet;
use std::path::PathBuf;

use anyhow::Context;

use super::run::{settings, simulate_into};
use super::{CompareArgs, command_line};
use crate::charts::OutcomeRow;
use crate::comparison::{OutcomeDifference, differences, pair_layouts};
use crate::error::{InputError, Result};
use crate::format::fmt_counted;
use crate::output::manifest::{CompareManifest, ScenarioInfo, to_json};
use crate::output::{Staging, comparison_table, differences_table};
use crate::simulation::RunResult;

pub fn execute(args: &CompareArgs) -> Result<()> {
    if args
        .scenarios
        .iter()
        .filter(|p| p.as_os_str() == "-")
        .count()
        > 1
    {
        return Err(InputError::new(
            "found `-` twice, expected standard input to hold one scenario at most",
        )
        .key("SCENARIOS")
        .into());
    }
    let scenarios = args
        .scenarios
        .iter()
        .map(|p| super::load_scenario(p, &args.sim.set))
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
    let first = &scenarios[0];
    let mut all = scenarios
        .iter()
        .map(|s| settings(&args.sim, s, first))
        .collect::<Result<Vec<_>>>()?;
    pair_layouts(&scenarios, &mut all);
    let joined: Vec<&str> = scenarios.iter().map(|s| s.name()).collect();
    // As for `run`: the default folder is replaced, an --out folder only
    // with --force.
    let (out, force) = match &args.out {
        Some(out) => (out.clone(), args.sim.force),
        None => (
            PathBuf::from("output").join(format!("compare-{}", joined.join("+"))),
            true,
        ),
    };
    let staging = Staging::create(&out, force)?;

    let mut results = Vec::new();
    for (s, set) in scenarios.iter().zip(&all) {
        let dir = staging.path().join(s.name());
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let result = simulate_into(&dir, s, set, args.sim.per_run)?;
        if !args.sim.no_charts {
            crate::charts::draw_run_charts(&dir).context("drawing charts")?;
        }
        results.push(result);
    }
    let groups: Vec<(String, Vec<OutcomeRow>)> = results
        .iter()
        .map(|r| (r.scenario.clone(), crate::output::outcome_rows(r)))
        .collect();
    staging.write("comparison.csv", comparison_table(&results))?;
    let differences = differences(&results);
    staging.write("differences.csv", differences_table(&differences))?;
    let manifest = CompareManifest {
        entente_version: env!("CARGO_PKG_VERSION").to_string(),
        code_version: crate::output::manifest::code_version(),
        scenarios: scenarios.iter().map(ScenarioInfo::of).collect(),
        seed: results[0].seed,
        runs: results[0].runs(),
        draws: results.iter().map(|r| r.plan.draws).max().unwrap_or(1),
        threads: results[0].threads,
        command: command_line(),
    };
    staging.write("manifest.json", to_json(&manifest))?;
    if !args.sim.no_charts {
        crate::charts::draw_comparison(staging.path(), &groups)
            .context("drawing the comparison chart")?;
        crate::charts::draw_differences(staging.path()).context("drawing the difference chart")?;
    }
    if args.sim.report {
        crate::report::write_compare_report(staging.path()).context("writing the report")?;
    }
    let out = staging
        .commit()
        .with_context(|| format!("moving results into {}", out.display()))?;

    if args.sim.json {
        super::json::print(&super::json::CompareJson::of(
            &results,
            &differences,
            out.display().to_string(),
        ));
    } else {
        print_table(&groups, &results);
        print_differences(&differences);
        say!("\nresults: {}/", out.display());
    }
    Ok(())
}

fn print_table(groups: &[(String, Vec<OutcomeRow>)], results: &[RunResult]) {
    let first = &results[0];
    say!(
        "{} scenarios, {} each, seed {}, {}\n",
        groups.len(),
        fmt_counted(first.runs(), "run"),
        first.seed,
        fmt_counted(first.plan.draws as u64, "draw")
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

fn print_differences(differences: &[OutcomeDifference]) {
    if differences.is_empty() {
        return;
    }
    say!(
        "\npaired differences against {} (95% interval, paired; unpaired in brackets):",
        differences[0].reference
    );
    for d in differences {
        let p = &d.paired;
        say!(
            "  {} {}: {:+.4} [{:+.4}, {:+.4}]  ({:+.4}, {:+.4})",
            d.scenario,
            d.outcome,
            p.difference,
            p.ci_low,
            p.ci_high,
            d.unpaired.0,
            d.unpaired.1
        );
    }
}
