//! The CSV tables of a result folder, as strings. Numbers are written with
//! fixed decimals so equal aggregates give equal bytes.

use std::fmt::Write;

use crate::engine::{Aggregate, FINAL_BINS};
use crate::outcome::DyadState;
use crate::simulation::RunResult;
use crate::stats::{Z95, fixed_mean, wilson};
use crate::uncertainty::estimate::OutcomeSummary;

/// Header of every probability table.
const PROBABILITY_HEADER: &str = "count,probability,ci_low,ci_high";

/// `name,count,probability,ci_low,ci_high` rows for counts out of `runs`.
pub fn probability_table(
    first_column: &str,
    names: &[String],
    counts: &[u64],
    runs: u64,
) -> String {
    let mut out = format!("{first_column},{PROBABILITY_HEADER}\n");
    for (name, &count) in names.iter().zip(counts) {
        let (lo, hi) = wilson(count, runs, Z95);
        let p = count as f64 / runs.max(1) as f64;
        writeln!(out, "{name},{count},{p:.6},{lo:.6},{hi:.6}").expect("write to string");
    }
    out
}

/// `outcomes.csv`: per outcome, the count and probability integrated over
/// the parameter draws, its Monte Carlo interval, its 5%, 50% and 95%
/// quantiles over draws and the share of its variance due to the
/// parameters.
pub fn outcomes_table(result: &RunResult) -> String {
    let mut out = format!("outcome,{OUTCOME_COLUMNS}\n");
    for (name, o) in result.outcome_names.iter().zip(&result.outcomes) {
        writeln!(out, "{},{}", csv_field(name), outcome_fields(o)).expect("write to string");
    }
    out
}

/// The columns of an outcome's summary, after its name.
pub const OUTCOME_COLUMNS: &str =
    "count,probability,ci_low,ci_high,draw_p05,draw_p50,draw_p95,parameter_share";

/// An outcome's summary as CSV fields, in the order of [`OUTCOME_COLUMNS`].
pub fn outcome_fields(o: &OutcomeSummary) -> String {
    format!(
        "{},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.4}",
        o.count,
        o.probability,
        o.ci_low,
        o.ci_high,
        o.draw_p05,
        o.draw_p50,
        o.draw_p95,
        o.parameter_share
    )
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
    let mut out = String::from("outcome,parameter,first_order,rank\n");
    let mut rank = 0;
    let mut last = "";
    for i in &result.importance {
        rank = if i.outcome == last { rank + 1 } else { 1 };
        last = &i.outcome;
        writeln!(
            out,
            "{},{},{:.4},{rank}",
            csv_field(&i.outcome),
            csv_field(&i.parameter),
            i.first_order
        )
        .expect("write to string");
    }
    out
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
    let mut out = String::from("step,date,dyad,mean,p05,p25,p50,p75,p95\n");
    for t in 0..aggregate.shape.steps {
        let date = result.dates.date(t);
        for (d, dyad) in result.dyads.iter().enumerate() {
            let mean = fixed_mean(
                aggregate.alignment_sum[t * aggregate.shape.dyads + d],
                aggregate.runs,
            );
            write!(out, "{t},{date},{dyad},{mean:.4}").expect("write to string");
            for q in QUANTILES {
                write!(out, ",{:.4}", aggregate.step_quantile(t, d, q)).expect("write to string");
            }
            out.push('\n');
        }
    }
    out
}

/// `config_timeseries.csv`: share of runs in each configuration per step.
pub fn config_timeseries_table(result: &RunResult) -> String {
    let aggregate = &result.ensemble.aggregate;
    let mut out = String::from("step,date,configuration,share\n");
    let k = aggregate.shape.configurations;
    for t in 0..aggregate.shape.steps {
        let date = result.dates.date(t);
        for (c, name) in result.configuration_names.iter().enumerate() {
            let share =
                aggregate.configurations_by_step[t * k + c] as f64 / aggregate.runs.max(1) as f64;
            writeln!(out, "{t},{date},{name},{share:.6}").expect("write to string");
        }
    }
    out
}

/// `trajectories.csv` (with `--trajectories K`): the alignment z of every
/// dyad at every step of each kept run, one row per run, step and dyad.
pub fn trajectories_table(result: &RunResult) -> String {
    let mut out = String::from("run,draw,step,date,dyad,alignment\n");
    let dyads = result.dyads.len();
    let dates: Vec<String> = (0..result.ensemble.aggregate.shape.steps)
        .map(|t| result.dates.date(t))
        .collect();
    for path in &result.ensemble.trajectories {
        for (t, date) in dates.iter().enumerate() {
            for (d, dyad) in result.dyads.iter().enumerate() {
                writeln!(
                    out,
                    "{},{},{t},{date},{dyad},{:.4}",
                    path.run,
                    path.draw,
                    path.alignment[t * dyads + d]
                )
                .expect("write to string");
            }
        }
    }
    out
}

/// `final.csv`: histogram of each dyad's final averaged alignment.
pub fn final_table(aggregate: &Aggregate, dyads: &[String]) -> String {
    let mut out = String::from("dyad,bin_low,bin_high,count\n");
    for (d, dyad) in dyads.iter().enumerate() {
        for b in 0..FINAL_BINS.0 {
            let count = aggregate.final_hist[d * FINAL_BINS.0 + b];
            let low = FINAL_BINS.low(b);
            writeln!(
                out,
                "{dyad},{low:.2},{:.2},{count}",
                low + FINAL_BINS.width()
            )
            .expect("write to string");
        }
    }
    out
}

/// `dyads.csv`: mean final alignment and probability of each final state.
pub fn dyads_table(aggregate: &Aggregate, dyads: &[String]) -> String {
    let mut out = String::from("dyad,mean_final_alignment");
    for s in DyadState::ALL {
        write!(out, ",p_{}", s.name()).expect("write to string");
    }
    out.push('\n');
    let k = DyadState::ALL.len();
    for (d, dyad) in dyads.iter().enumerate() {
        write!(
            out,
            "{dyad},{:.4}",
            fixed_mean(aggregate.final_sum[d], aggregate.runs)
        )
        .expect("write to string");
        for s in 0..k {
            let p = aggregate.states[d * k + s] as f64 / aggregate.runs.max(1) as f64;
            write!(out, ",{p:.6}").expect("write to string");
        }
        out.push('\n');
    }
    out
}

/// `shocks.csv`: how often each shock fired.
pub fn shocks_table(aggregate: &Aggregate, shocks: &[String]) -> String {
    let mut out = String::from("shock,runs_fired,probability,mean_fires_per_run\n");
    let runs = aggregate.runs.max(1) as f64;
    for (s, id) in shocks.iter().enumerate() {
        let fired = aggregate.shock_runs[s];
        writeln!(
            out,
            "{id},{fired},{:.6},{:.4}",
            fired as f64 / runs,
            aggregate.shock_fires[s] as f64 / runs
        )
        .expect("write to string");
    }
    out
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

    pub fn header(&self) -> String {
        let mut h = String::from(
            "run,draw,outcome,configuration,first_treaty_step,first_treaty_dyad,shocks_fired,unbalanced_share",
        );
        for prefix in ["zbar", "z_final", "state", "first_treaty_step"] {
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
    let mut table = format!("scenario,outcome,{OUTCOME_COLUMNS}\n");
    for r in results {
        for (name, o) in r.outcome_names.iter().zip(&r.outcomes) {
            writeln!(
                table,
                "{},{},{}",
                csv_field(&r.scenario),
                csv_field(name),
                outcome_fields(o)
            )
            .expect("write to string");
        }
    }
    table
}

/// `differences.csv`.
pub fn differences_table(differences: &[crate::comparison::OutcomeDifference]) -> String {
    let mut out = String::from(
        "scenario,reference,outcome,difference,ci_low,ci_high,draw_p05,draw_p95,unpaired_ci_low,unpaired_ci_high\n",
    );
    for d in differences {
        let p = &d.paired;
        writeln!(
            out,
            "{},{},{},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6}",
            csv_field(&d.scenario),
            csv_field(&d.reference),
            csv_field(&d.outcome),
            p.difference,
            p.ci_low,
            p.ci_high,
            p.draw_p05,
            p.draw_p95,
            d.unpaired.0,
            d.unpaired.1
        )
        .expect("write to string");
    }
    out
}
