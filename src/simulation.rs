//! The library's "run this scenario" call: a loaded scenario and
//! [`Settings`] in, a typed [`RunResult`] out. The command line, `compare`,
//! the tests, the benches and the Python package all run scenarios through
//! [`run`]; the result folder is written from its result by
//! [`crate::output::write_run`].
//!
//! ```no_run
//! let scenario = entente::scenario::load("scenarios/baseline-2020.toml".as_ref())?;
//! let settings = entente::Settings::for_scenario(&scenario).runs(20_000);
//! let result = entente::run(&scenario, &settings)?;
//! for (name, o) in result.outcome_names.iter().zip(&result.outcomes) {
//!     println!("{name}: {:.3} [{:.3}, {:.3}]", o.probability, o.ci_low, o.ci_high);
//! }
//! # Ok::<(), entente::Error>(())
//! ```

use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;

use crate::engine::{self, Ensemble, EnsembleAggregate, RunRecord};
use crate::error::{InputError, Result};
use crate::output::StepDates;
use crate::scenario::Scenario;
use crate::uncertainty::estimate::{self, Clustered, OutcomeSummary};
use crate::uncertainty::{DEFAULT_DRAWS, DrawPlan, Posterior};

/// How to run a scenario.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Runs in all (the draws may round it up to whole lockstep groups).
    pub runs: u64,
    pub seed: u64,
    /// Worker threads; `None` uses the current rayon pool. Changes no result.
    pub threads: Option<usize>,
    /// Parameter sets drawn when the scenario has uncertain parameters.
    pub draws: usize,
    /// Run every parameter at its written value, ignoring `[uncertainty]`.
    pub nominal: bool,
    /// Weighted parameter sets (from `entente calibrate`) to draw from.
    pub posterior: Option<Posterior>,
    /// Clusters to count runs in when no parameter is uncertain (runs per
    /// cluster, runs in all): `compare` gives every scenario the layout of
    /// its draws, so that outcome counts pair cluster by cluster.
    pub layout: Option<(u64, u64)>,
    /// Runs whose whole alignment path is kept in
    /// [`EnsembleAggregate::trajectories`], chosen by
    /// [`engine::trajectory_runs`] (0: none).
    pub trajectories: u64,
}

impl Settings {
    /// The scenario's own runs and seed, [`DEFAULT_DRAWS`] draws.
    pub fn for_scenario(scenario: &Scenario) -> Settings {
        Settings {
            runs: scenario.built.runs,
            seed: scenario.built.seed,
            threads: None,
            draws: DEFAULT_DRAWS,
            nominal: false,
            posterior: None,
            layout: None,
            trajectories: 0,
        }
    }

    pub fn runs(mut self, runs: u64) -> Settings {
        self.runs = runs;
        self
    }

    pub fn seed(mut self, seed: u64) -> Settings {
        self.seed = seed;
        self
    }

    pub fn threads(mut self, threads: usize) -> Settings {
        self.threads = Some(threads);
        self
    }

    pub fn draws(mut self, draws: usize) -> Settings {
        self.draws = draws;
        self
    }

    pub fn trajectories(mut self, k: u64) -> Settings {
        self.trajectories = k;
        self
    }

    /// The parameter sets these settings run `scenario` under.
    pub fn plan(&self, scenario: &Scenario) -> DrawPlan {
        let plan = if self.nominal {
            DrawPlan::fixed(self.runs)
        } else {
            DrawPlan::new(
                &scenario.built.uncertain,
                self.posterior.as_ref(),
                self.draws,
                self.runs,
                self.seed,
            )
        };
        match self.layout {
            Some((size, runs)) if !plan.is_nested() => plan.with_clusters(size, runs),
            _ => plan,
        }
    }
}

/// How much one uncertain parameter explains of one outcome's spread over
/// draws (first-order index).
#[derive(Debug, Clone, PartialEq)]
pub struct Importance {
    pub outcome: String,
    pub parameter: String,
    pub first_order: f64,
}

/// Everything a run of a scenario produced, before anything is written.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub scenario: String,
    pub seed: u64,
    pub threads: usize,
    pub wall_seconds: f64,
    pub plan: DrawPlan,
    /// Whether `[uncertainty]` was ignored.
    pub nominal: bool,
    /// The posterior file the draws came from.
    pub posterior: Option<String>,
    pub ensemble: EnsembleAggregate,
    pub outcome_names: Vec<String>,
    /// One per outcome, in rule order (`other` last).
    pub outcomes: Vec<OutcomeSummary>,
    /// Configuration names of the report triad (empty without one).
    pub configuration_names: Vec<String>,
    pub dyads: Vec<String>,
    pub shocks: Vec<String>,
    /// The calendar date of each step, for the `date` columns.
    pub dates: StepDates,
    /// First-order importance of each uncertain parameter for each outcome,
    /// largest first within an outcome; empty without uncertainty.
    pub importance: Vec<Importance>,
}

impl RunResult {
    /// Runs in all.
    pub fn runs(&self) -> u64 {
        self.ensemble.aggregate.runs
    }

    /// Outcome `k`'s counts per cluster of runs.
    pub fn clustered(&self, k: usize) -> (Vec<u64>, Vec<u64>) {
        let counts = self.ensemble.outcome_by_cluster(k);
        let runs = (0..self.plan.clusters())
            .map(|c| {
                let r = self.plan.cluster_runs(c);
                r.end - r.start
            })
            .collect();
        (counts, runs)
    }

    /// Outcome `k`'s probability in each draw.
    pub fn draw_probabilities(&self, k: usize) -> Vec<f64> {
        let (counts, runs) = self.clustered(k);
        counts
            .iter()
            .zip(&runs)
            .map(|(&c, &m)| c as f64 / m as f64)
            .collect()
    }
}

/// Receives finished runs in index order (for `runs.csv`).
pub type RecordSink<'a> = dyn FnMut(&RunRecord) -> std::io::Result<()> + Send + 'a;

/// Runs `scenario` under `settings` and summarises it.
pub fn run(scenario: &Scenario, settings: &Settings) -> Result<RunResult> {
    run_observed(scenario, settings, &|_| {}, None)
}

/// [`run`] with a progress callback (runs finished since the last call) and,
/// optionally, a sink that receives every run in index order.
pub fn run_observed(
    scenario: &Scenario,
    settings: &Settings,
    progress: &(dyn Fn(u64) + Sync),
    sink: Option<&mut RecordSink<'_>>,
) -> Result<RunResult> {
    if settings.runs == 0 {
        return Err(
            InputError::new("found 0, expected a whole number of at least 1")
                .key("runs")
                .into(),
        );
    }
    let built = &scenario.built;
    let plan = settings.plan(scenario);
    let kept = engine::trajectory_runs(settings.trajectories, plan.runs);
    let ensemble = Ensemble {
        model: &built.model,
        rules: &built.rules,
        triad: built.triad.as_ref(),
        seed: settings.seed,
        point: 0,
        plan: &plan,
        trajectories: &kept,
    };
    let pool = thread_pool(settings.threads)?;
    let started = Instant::now();
    let aggregate = pool.install(|| -> Result<EnsembleAggregate> {
        Ok(match sink {
            Some(sink) => engine::run_ensemble_with_records(ensemble, progress, sink)
                .context("writing per-run records")?,
            None => engine::run_ensemble(ensemble, progress),
        })
    })?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let model = &built.model;
    let mut result = RunResult {
        scenario: scenario.name().to_string(),
        seed: settings.seed,
        threads: pool.current_num_threads(),
        wall_seconds,
        outcome_names: built.rules.names.clone(),
        outcomes: Vec::new(),
        configuration_names: built
            .triad
            .as_ref()
            .map(|t| t.configuration_names())
            .unwrap_or_default(),
        dyads: model
            .dyads()
            .into_iter()
            .map(|(i, j)| model.dyad_name(i, j))
            .collect(),
        shocks: model.shocks.iter().map(|s| s.id.clone()).collect(),
        dates: StepDates::of(scenario),
        importance: Vec::new(),
        plan,
        nominal: settings.nominal,
        posterior: settings
            .posterior
            .as_ref()
            .map(|p| p.file.display().to_string()),
        ensemble: aggregate,
    };
    summarise(&mut result);
    Ok(result)
}

/// Fills the outcome summaries and the importance ranking.
fn summarise(result: &mut RunResult) {
    let nested = result.plan.is_nested();
    for k in 0..result.outcome_names.len() {
        let (counts, runs) = result.clustered(k);
        let outcome = Clustered {
            counts: &counts,
            runs: &runs,
        };
        result.outcomes.push(estimate::summarise(outcome, nested));
        if !nested {
            continue;
        }
        let mut ranked: Vec<Importance> = result
            .plan
            .names
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let x: Vec<f64> = (0..result.plan.draws)
                    .map(|d| result.plan.values(d)[j])
                    .collect();
                Importance {
                    outcome: result.outcome_names[k].clone(),
                    parameter: name.clone(),
                    first_order: estimate::first_order(&x, outcome),
                }
            })
            .collect();
        ranked.sort_by(|a, b| b.first_order.total_cmp(&a.first_order));
        result.importance.extend(ranked);
    }
}

/// A rayon pool of `threads` workers (default: all cores). At most
/// [`MAX_THREADS`]: more threads than that only cost start-up time. Pools
/// are kept and handed out again for the same count, so a program that runs
/// many small jobs (a sweep driven from Python, say) does not start threads
/// for each.
pub fn thread_pool(threads: Option<usize>) -> Result<Arc<rayon::ThreadPool>> {
    static POOLS: Mutex<Vec<(usize, Arc<rayon::ThreadPool>)>> = Mutex::new(Vec::new());
    let threads = check_threads(threads)?;
    let mut pools = POOLS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, pool)) = pools.iter().find(|(n, _)| *n == threads) {
        return Ok(Arc::clone(pool));
    }
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .context("starting worker threads")?,
    );
    pools.push((threads, Arc::clone(&pool)));
    Ok(pool)
}

/// The number of worker threads `threads` asks for (default: all cores),
/// checked against [`MAX_THREADS`].
pub fn check_threads(threads: Option<usize>) -> Result<usize> {
    let default = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = threads.unwrap_or(default);
    if !(1..=MAX_THREADS).contains(&threads) {
        return Err(InputError::new(format!(
            "found {threads}, expected a whole number from 1 to {MAX_THREADS}"
        ))
        .key("--threads")
        .into());
    }
    Ok(threads)
}

/// Most worker threads a job may ask for.
pub const MAX_THREADS: usize = 1024;
