//! The CSV tables of a result folder, as strings. Numbers are written with
//! fixed decimals so equal aggregates give equal bytes. Tables with a fixed
//! set of columns are written from their row type in [`super::rows`];
//! `draws.csv` and `runs.csv` have columns that depend on the scenario (its
//! uncertain parameters, outcomes, dyads and shocks), so their header is
//! built here, by [`draws_table`] and [`RunsTable::header`] only.

use std::fmt::Write;

use super::rows::*;
use crate::engine::{Aggregate, FINAL_BINS};
use crate::outcome::DyadState;
use crate::simulation::RunResult;
use crate::stats::{Z95, fixed_mean, wilson};

/// `configurations.csv`: per triad configuration, the count of runs out of
/// `runs` that ended in it, their share and its Wilson 95% interval.
pub fn configurations_table(names: &[String], counts: &[u64], runs: u64) -> String {
    write_table(names.iter().zip(counts).map(|(name, &count)| {
        let (ci_low, ci_high) = wilson(count, runs, Z95);
        ConfigurationRow {
            configuration: name.clone(),
            count,
            probability: count as f64 / runs.max(1) as f64,
            ci_low,
            ci_high,
        }
    }))
}

/// `outcomes.csv`: per outcome, the count and probability integrated over
/// the parameter draws, its Monte Carlo interval, its 5%, 50% and 95%
/// quantiles over draws and the share of its variance due to the
/// parameters.
pub fn outcomes_table(result: &RunResult) -> String {
    write_table(outcome_rows(result))
}

/// The rows of `outcomes.csv`.
pub fn outcome_rows(result: &RunResult) -> Vec<OutcomeRow> {
    result
        .outcome_names
        .iter()
        .zip(&result.outcomes)
        .map(|(name, o)| OutcomeRow::new(name, o))
        .collect()
}

/// `draws.csv`: one row per parameter draw: its runs, the value of each
/// uncertain parameter and each outcome's probability under it.
pub fn draws_table(result: &RunResult) -> String {
    let plan = &result.plan;
    let mut out = String::from("draw,runs");
    for name in plan.names.iter().chain(&result.outcome_names) {
        write!(out, ",{}", csv_field(name)).expect("write to string");
    }
    out.push('\n');
    let shares: Vec<Vec<f64>> = (0..result.outcome_names.len())
        .map(|k| result.draw_probabilities(k))
        .collect();
    for d in 0..plan.draws {
        let runs = plan.cluster_runs(d);
        write!(out, "{d},{}", runs.end - runs.start).expect("write to string");
        for v in plan.values(d) {
            write!(out, ",{v}").expect("write to string");
        }
        for s in &shares {
            write!(out, ",{:.6}", s[d]).expect("write to string");
        }
        out.push('\n');
    }
    out
}

/// `importance.csv`: for each outcome, the uncertain parameters ranked by
/// the share of the outcome's variance over draws each explains alone.
pub fn importance_table(result: &RunResult) -> String {
    let mut rank = 0;
    let mut last = "";
    write_table(result.importance.iter().map(|i| {
        rank = if i.outcome == last { rank + 1 } else { 1 };
        last = &i.outcome;
        ImportanceRow {
            outcome: i.outcome.clone(),
            parameter: i.parameter.clone(),
            first_order: i.first_order,
            rank,
        }
    }))
}

/// A CSV field, quoted when it holds a comma, quote or line break.
pub fn csv_field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\"")).into()
    } else {
        text.into()
    }
}

/// Quantiles written per step and dyad.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// `timeseries.csv`: mean and quantiles of each dyad's alignment per step.
pub fn timeseries_table(result: &RunResult) -> String {
    let aggregate = &result.ensemble.aggregate;
    let dyads = aggregate.shape.dyads;
    write_table((0..aggregate.shape.steps).flat_map(|t| {
        let date = result.dates.date(t);
        result.dyads.iter().enumerate().map(move |(d, dyad)| {
            let [p05, p25, p50, p75, p95] = QUANTILES.map(|q| aggregate.step_quantile(t, d, q));
            TimeseriesRow {
                step: t as u32,
                date: date.clone(),
                dyad: dyad.clone(),
                mean: fixed_mean(aggregate.alignment_sum[t * dyads + d], aggregate.runs),
                p05,
                p25,
                p50,
                p75,
                p95,
            }
        })
    }))
}

/// `config_timeseries.csv`: share of runs in each configuration per step.
pub fn config_timeseries_table(result: &RunResult) -> String {
    let aggregate = &result.ensemble.aggregate;
    let k = aggregate.shape.configurations;
    write_table((0..aggregate.shape.steps).flat_map(|t| {
        let date = result.dates.date(t);
        result
            .configuration_names
            .iter()
            .enumerate()
            .map(move |(c, name)| ConfigShareRow {
                step: t as u32,
                date: date.clone(),
                configuration: name.clone(),
                share: aggregate.configurations_by_step[t * k + c] as f64
                    / aggregate.runs.max(1) as f64,
            })
    }))
}

/// `trajectories.csv` (with `--trajectories K`): the alignment z of every
/// dyad at every step of each kept run, one row per run, step and dyad.
pub fn trajectories_table(result: &RunResult) -> String {
    let dyads = result.dyads.len();
    let dates: Vec<String> = (0..result.ensemble.aggregate.shape.steps)
        .map(|t| result.dates.date(t))
        .collect();
    write_table(result.ensemble.trajectories.iter().flat_map(|path| {
        dates.iter().enumerate().flat_map(move |(t, date)| {
            result
                .dyads
                .iter()
                .enumerate()
                .map(move |(d, dyad)| TrajectoryRow {
                    run: path.run,
                    draw: path.draw as u64,
                    step: t as u32,
                    date: date.clone(),
                    dyad: dyad.clone(),
                    alignment: path.alignment[t * dyads + d],
                })
        })
    }))
}

/// `final.csv`: histogram of each dyad's final averaged alignment.
pub fn final_table(aggregate: &Aggregate, dyads: &[String]) -> String {
    write_table(dyads.iter().enumerate().flat_map(|(d, dyad)| {
        (0..FINAL_BINS.0).map(move |b| {
            let bin_low = FINAL_BINS.low(b);
            FinalBin {
                dyad: dyad.clone(),
                bin_low,
                bin_high: bin_low + FINAL_BINS.width(),
                count: aggregate.final_hist[d * FINAL_BINS.0 + b],
            }
        })
    }))
}

/// `dyads.csv`: mean final alignment and probability of each final state.
pub fn dyads_table(aggregate: &Aggregate, dyads: &[String]) -> String {
    let k = DyadState::ALL.len();
    let runs = aggregate.runs.max(1) as f64;
    write_table(dyads.iter().enumerate().map(|(d, dyad)| {
        let [p_alliance, p_partnership, p_hedging, p_antagonism] =
            std::array::from_fn(|s| aggregate.states[d * k + s] as f64 / runs);
        DyadRow {
            dyad: dyad.clone(),
            mean_final_alignment: fixed_mean(aggregate.final_sum[d], aggregate.runs),
            p_alliance,
            p_partnership,
            p_hedging,
            p_antagonism,
        }
    }))
}

/// `shocks.csv`: how often each shock fired.
pub fn shocks_table(aggregate: &Aggregate, shocks: &[String]) -> String {
    let runs = aggregate.runs.max(1) as f64;
    write_table(shocks.iter().enumerate().map(|(s, id)| ShockRow {
        shock: id.clone(),
        runs_fired: aggregate.shock_runs[s],
        probability: aggregate.shock_runs[s] as f64 / runs,
        mean_fires_per_run: aggregate.shock_fires[s] as f64 / runs,
    }))
}

/// `runs.csv`: one row per run (with `--per-run`), written as runs finish.
/// Dyads are named `A-B` as in `dyads.csv`; a directed stance `xbar_A-B` is
/// A's stance toward B.
pub struct RunsTable {
    dyads: Vec<String>,
    pairs: Vec<(usize, usize)>,
    ids: Vec<String>,
    outcomes: Vec<String>,
    configurations: Vec<String>,
    triad: Option<Vec<String>>,
    shocks: Vec<String>,
}

impl RunsTable {
    pub fn new(scenario: &crate::scenario::Scenario) -> RunsTable {
        let built = &scenario.built;
        let model = &built.model;
        let n = model.n();
        RunsTable {
            dyads: model
                .dyads()
                .into_iter()
                .map(|(i, j)| model.dyad_name(i, j))
                .collect(),
            pairs: (0..n)
                .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
                .collect(),
            ids: model.ids.clone(),
            outcomes: built.rules.names.clone(),
            configurations: built
                .triad
                .as_ref()
                .map(|t| t.configuration_names())
                .unwrap_or_default(),
            triad: built.triad.as_ref().map(|t| t.ids.to_vec()),
            shocks: model.shocks.iter().map(|s| s.id.clone()).collect(),
        }
    }

    /// The column with the step of a run's first treaty, empty for a run
    /// without one; readers find it by this name.
    pub const FIRST_TREATY_STEP: &'static str = "first_treaty_step";

    /// The columns every `runs.csv` starts with; the columns per dyad,
    /// directed pair, triad member and shock follow (see [`RunsTable::header`]).
    pub const FIXED_COLUMNS: [&'static str; 8] = [
        "run",
        "draw",
        "outcome",
        "configuration",
        RunsTable::FIRST_TREATY_STEP,
        "first_treaty_dyad",
        "shocks_fired",
        "unbalanced_share",
    ];

    /// The header line of `runs.csv`, the only place its columns are named.
    pub fn header(&self) -> String {
        let mut h = RunsTable::FIXED_COLUMNS.join(",");
        for prefix in ["zbar", "z_final", "state", RunsTable::FIRST_TREATY_STEP] {
            for name in &self.dyads {
                write!(h, ",{prefix}_{name}").expect("write to string");
            }
        }
        for &(i, j) in &self.pairs {
            write!(h, ",xbar_{}-{}", self.ids[i], self.ids[j]).expect("write to string");
        }
        for id in self.triad.iter().flatten() {
            write!(h, ",role_{id}").expect("write to string");
        }
        for id in &self.shocks {
            write!(h, ",fires_{}", csv_field(id)).expect("write to string");
        }
        h + "\n"
    }

    pub fn row(&self, r: &crate::engine::RunRecord) -> String {
        let s = &r.summary;
        let config = s
            .configuration
            .and_then(|c| self.configurations.get(c))
            .map_or("", String::as_str);
        // The dyad of the run's first treaty: the earliest of the dyads'
        // first treaties (the first in dyad order when several formed then).
        let first_dyad = r
            .first_treaty_by_dyad
            .iter()
            .enumerate()
            .filter_map(|(d, t)| t.map(|t| (t, d)))
            .min()
            .map_or("", |(_, d)| self.dyads[d].as_str());
        let mut row = format!(
            "{},{},{},{},{},{first_dyad},{},{}",
            r.index,
            r.draw,
            self.outcomes[s.outcome],
            config,
            r.first_treaty.map_or(String::new(), |t| t.to_string()),
            r.shocks_fired.iter().sum::<u32>(),
            s.unbalanced_share
                .map_or(String::new(), |u| format!("{u:.4}")),
        );
        for z in s.zbar.iter().chain(&r.final_alignment) {
            write!(row, ",{z:.4}").expect("write to string");
        }
        for state in &s.states {
            write!(row, ",{}", state.name()).expect("write to string");
        }
        for step in &r.first_treaty_by_dyad {
            row.push(',');
            if let Some(t) = step {
                write!(row, "{t}").expect("write to string");
            }
        }
        let n = self.ids.len();
        for &(i, j) in &self.pairs {
            write!(row, ",{:.4}", s.xbar[i * n + j]).expect("write to string");
        }
        if let Some(roles) = s.roles {
            for r in roles {
                write!(row, ",{r}").expect("write to string");
            }
        }
        for fired in &r.shocks_fired {
            write!(row, ",{fired}").expect("write to string");
        }
        row + "\n"
    }
}

/// `comparison.csv`: every scenario's outcome table, one after the other.
pub fn comparison_table(results: &[RunResult]) -> String {
    write_table(results.iter().flat_map(|r| {
        outcome_rows(r)
            .into_iter()
            .map(|o| ComparisonRow::new(&r.scenario, o))
    }))
}

/// `differences.csv`.
pub fn differences_table(differences: &[crate::comparison::OutcomeDifference]) -> String {
    write_table(differences.iter().map(|d| DifferenceRow {
        scenario: d.scenario.clone(),
        reference: d.reference.clone(),
        outcome: d.outcome.clone(),
        difference: d.paired.difference,
        ci_low: d.paired.ci_low,
        ci_high: d.paired.ci_high,
        draw_p05: d.paired.draw_p05,
        draw_p95: d.paired.draw_p95,
        unpaired_ci_low: d.unpaired.0,
        unpaired_ci_high: d.unpaired.1,
    }))
}
