//! `entente run`: Monte Carlo over one scenario, written to a result folder.

use std::fs;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::{RunArgs, at_least_one, command_line};
use crate::engine::{self, Aggregate, Job, RunRecord};
use crate::error::Result;
use crate::model::Model;
use crate::outcome::{Classifier, OutcomeRules};
use crate::output::{self, Staging};

fn write(dir: &Path, name: &str, contents: String) -> Result<()> {
    let path = dir.join(name);
    fs::write(&path, contents).map_err(|e| crate::output::safety::at_path(&path, e))
}
use crate::scenario::{self, Scenario};
use crate::stats::{Z95, wilson};

pub fn execute(args: &RunArgs) -> Result<()> {
    let scenario = scenario::load(&args.scenario)?;
    let runs = at_least_one("--runs", args.sim.runs.unwrap_or(scenario.built.runs))?;
    let seed = args.sim.seed.unwrap_or(scenario.built.seed);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(scenario.name()));
    let pool = thread_pool(args.sim.threads)?;
    let staging = Staging::create(&out, args.sim.force)?;
    let options = RunOptions {
        runs,
        seed,
        per_run: args.per_run,
        charts: !args.sim.no_charts,
    };
    let done = simulate_into(staging.path(), &scenario, &options, &pool)?;
    if args.sim.report {
        crate::report::write_run_report(staging.path()).context("writing the report")?;
    }
    let out = staging
        .commit()
        .with_context(|| format!("moving results into {}", out.display()))?;
    print_summary(&scenario, &done, seed, pool.current_num_threads());
    say!("\nresults: {}/", out.display());
    Ok(())
}

/// Most worker threads `--threads` may ask for. Threads beyond the cores
/// change no result and only cost memory (see `MAX_WORKER_BYTES` in
/// `scenario::build`) and start-up time.
pub const MAX_THREADS: usize = 1024;

/// A rayon pool of `threads` workers (default: all cores).
pub(super) fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let default = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = at_least_one(
        "--threads",
        threads.unwrap_or(default.min(MAX_THREADS)) as u64,
    )? as usize;
    if threads > MAX_THREADS {
        return Err(crate::error::InputError::new(format!(
            "found {threads}, expected at most {MAX_THREADS} worker threads (one per core is fastest)"
        ))
        .key("--threads")
        .into());
    }
    Ok(rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("starting worker threads")?)
}

/// How to run one scenario.
pub(super) struct RunOptions {
    pub runs: u64,
    pub seed: u64,
    pub per_run: bool,
    pub charts: bool,
}

/// What a finished scenario run produced.
pub(super) struct Done {
    pub aggregate: Aggregate,
    pub rules: OutcomeRules,
    pub wall: f64,
}

/// Runs a scenario and writes its whole result folder into `dir`.
pub(super) fn simulate_into(
    dir: &Path,
    scenario: &Scenario,
    options: &RunOptions,
    pool: &rayon::ThreadPool,
) -> Result<Done> {
    let built = &scenario.built;
    let model = &built.model;
    let classifier = Classifier::new(model, built.rules.clone(), built.triad.clone());
    let job = Job {
        model,
        classifier: &classifier,
        seed: options.seed,
        point: 0,
        runs: options.runs,
    };
    let bar = progress_bar(options.runs);
    let started = Instant::now();
    let aggregate = pool.install(|| -> Result<Aggregate> {
        let progress = |k: u64| bar.inc(k);
        if options.per_run {
            let path = dir.join("runs.csv");
            let file = File::create(&path).map_err(|e| crate::output::safety::at_path(&path, e))?;
            let mut writer = BufWriter::new(file);
            writer.write_all(runs_header(model, &classifier).as_bytes())?;
            let mut sink =
                |r: &RunRecord| writer.write_all(runs_row(model, &classifier, r).as_bytes());
            let aggregate = engine::run_with_records(job, &progress, &mut sink)?;
            writer.flush()?;
            Ok(aggregate)
        } else {
            Ok(engine::run(job, &progress))
        }
    })?;
    let wall = started.elapsed().as_secs_f64();
    bar.finish_and_clear();

    write_tables(dir, scenario, &classifier, &aggregate)?;
    let threads = pool.current_num_threads();
    let manifest = manifest(
        scenario,
        &classifier,
        &aggregate,
        options.seed,
        threads,
        wall,
    );
    write(
        dir,
        "manifest.json",
        serde_json::to_string_pretty(&manifest).expect("json") + "\n",
    )?;
    if options.charts {
        crate::charts::draw_run_charts(dir).context("drawing charts")?;
    }
    Ok(Done {
        aggregate,
        rules: classifier.rules,
        wall,
    })
}

fn progress_bar(runs: u64) -> ProgressBar {
    let bar = ProgressBar::new(runs);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} runs  {per_sec}  ETA {eta}")
            .expect("valid template"),
    );
    bar
}

fn dyad_names(model: &Model) -> Vec<String> {
    model
        .dyads()
        .into_iter()
        .map(|(i, j)| model.dyad_name(i, j))
        .collect()
}

fn write_tables(
    dir: &Path,
    scenario: &Scenario,
    classifier: &Classifier,
    aggregate: &Aggregate,
) -> Result<()> {
    let model = &scenario.built.model;
    let dyads = dyad_names(model);
    let runs = aggregate.runs;
    write(
        dir,
        "outcomes.csv",
        output::probability_table(
            "outcome",
            &classifier.rules.names,
            &aggregate.outcomes,
            runs,
        ),
    )?;
    if let Some(triad) = &classifier.triad {
        let names = triad.configuration_names();
        write(
            dir,
            "configurations.csv",
            output::probability_table("configuration", &names, &aggregate.configurations, runs),
        )?;
        write(
            dir,
            "config_timeseries.csv",
            output::config_timeseries_table(aggregate, &names),
        )?;
    }
    write(
        dir,
        "timeseries.csv",
        output::timeseries_table(aggregate, &dyads),
    )?;
    write(dir, "final.csv", output::final_table(aggregate, &dyads))?;
    write(dir, "dyads.csv", output::dyads_table(aggregate, &dyads))?;
    let shocks: Vec<String> = model.shocks.iter().map(|s| s.id.clone()).collect();
    write(dir, "shocks.csv", output::shocks_table(aggregate, &shocks))?;
    let parameters = crate::scenario::parameter_rows(scenario);
    write(
        dir,
        "parameters.csv",
        crate::scenario::parameters_csv(&parameters),
    )?;
    Ok(())
}

fn manifest(
    scenario: &Scenario,
    classifier: &Classifier,
    aggregate: &Aggregate,
    seed: u64,
    threads: usize,
    wall: f64,
) -> serde_json::Value {
    let model = &scenario.built.model;
    let runs = aggregate.runs.max(1) as f64;
    let roles = classifier.triad.as_ref().map(|t| {
        t.ids
            .iter()
            .zip(aggregate.role_sums)
            .map(|(id, sum)| (id.clone(), serde_json::json!(sum as f64 / runs)))
            .collect::<serde_json::Map<_, _>>()
    });
    serde_json::json!({
        "entente_version": env!("CARGO_PKG_VERSION"),
        "scenario": {
            "name": scenario.name(),
            "description": scenario.file.description,
            "file": scenario.path.display().to_string(),
            "sha256": scenario.sha256,
        },
        "start_year": scenario.start_year(),
        "dt": model.params.dt,
        "seed": seed,
        "runs": aggregate.runs,
        "horizon": model.horizon,
        "agents": model.ids,
        "dyads": dyad_names(model),
        "triad": classifier.triad.as_ref().map(|t| t.ids.clone()),
        "outcomes": classifier.rules.names,
        "theta_P": model.params.theta_P,
        "summary": {
            "treaty_probability": aggregate.treaty_runs as f64 / runs,
            "mean_first_treaty_step": (aggregate.treaty_runs > 0)
                .then(|| aggregate.first_treaty_step_sum as f64 / aggregate.treaty_runs as f64),
            "mean_unbalanced_share": crate::stats::fixed_mean(aggregate.unbalanced_sum, aggregate.runs),
            "mean_wu_role_score": roles,
        },
        "threads": threads,
        "wall_seconds": wall,
        "command": command_line(),
    })
}

fn runs_header(model: &Model, classifier: &Classifier) -> String {
    let mut h =
        String::from("run,outcome,configuration,first_treaty_step,shocks_fired,unbalanced_share");
    for name in dyad_names(model) {
        h += &format!(",zbar_{name}");
    }
    for i in 0..model.n() {
        for j in 0..model.n() {
            if i != j {
                h += &format!(",xbar_{}_{}", model.ids[i], model.ids[j]);
            }
        }
    }
    if let Some(t) = &classifier.triad {
        for id in &t.ids {
            h += &format!(",role_{id}");
        }
    }
    h + "\n"
}

fn runs_row(model: &Model, classifier: &Classifier, r: &RunRecord) -> String {
    use std::fmt::Write;
    let s = &r.summary;
    let rules = &classifier.rules;
    let config = match (&classifier.triad, s.configuration) {
        (Some(t), Some(c)) => t.configuration_names()[c].clone(),
        _ => String::new(),
    };
    let mut row = format!(
        "{},{},{},{},{},{}",
        r.index,
        rules.names[s.outcome],
        config,
        r.first_treaty.map_or(String::new(), |t| t.to_string()),
        r.shocks_fired.iter().sum::<u32>(),
        s.unbalanced_share
            .map_or(String::new(), |u| format!("{u:.4}")),
    );
    for z in &s.zbar {
        write!(row, ",{z:.4}").expect("write to string");
    }
    let n = model.n();
    for i in 0..n {
        for j in 0..n {
            if i != j {
                write!(row, ",{:.4}", s.xbar[i * n + j]).expect("write to string");
            }
        }
    }
    if let Some(roles) = s.roles {
        for r in roles {
            write!(row, ",{r}").expect("write to string");
        }
    }
    row + "\n"
}

fn print_summary(scenario: &Scenario, done: &Done, seed: u64, threads: usize) {
    let (rules, aggregate, wall) = (&done.rules, &done.aggregate, done.wall);
    let runs = aggregate.runs;
    say!(
        "{}: {runs} runs, seed {seed}, {} steps, {threads} threads, {wall:.2} s ({:.0} runs/s)\n",
        scenario.name(),
        scenario.built.model.horizon,
        runs as f64 / wall.max(1e-9)
    );
    let width = rules
        .names
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(7)
        .max(7);
    say!("  {:<width$}  probability  95% interval", "outcome");
    let mut order: Vec<usize> = (0..rules.names.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(aggregate.outcomes[k]));
    for k in order {
        let (lo, hi) = wilson(aggregate.outcomes[k], runs, Z95);
        say!(
            "  {:<width$}  {:>11.4}  [{lo:.4}, {hi:.4}]",
            rules.names[k],
            aggregate.outcome_probability(k)
        );
    }
}
