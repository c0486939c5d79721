//! The CSV tables of a result folder, as strings. Numbers are written with
//! fixed decimals so equal aggregates give equal bytes.

use std::fmt::Write;

use crate::engine::{Aggregate, FINAL_BINS};
use crate::outcome::DyadState;
use crate::stats::{Z95, fixed_mean, wilson};

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

/// Quantiles written per step and dyad.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// `timeseries.csv`: mean and quantiles of each dyad's alignment per step.
pub fn timeseries_table(aggregate: &Aggregate, dyads: &[String]) -> String {
    let mut out = String::from("step,dyad,mean,p05,p25,p50,p75,p95\n");
    for t in 0..aggregate.shape.steps {
        for (d, dyad) in dyads.iter().enumerate() {
            let mean = fixed_mean(
                aggregate.alignment_sum[t * aggregate.shape.dyads + d],
                aggregate.runs,
            );
            write!(out, "{t},{dyad},{mean:.4}").expect("write to string");
            for q in QUANTILES {
                write!(out, ",{:.4}", aggregate.step_quantile(t, d, q)).expect("write to string");
            }
            out.push('\n');
        }
    }
    out
}

/// `config_timeseries.csv`: share of runs in each configuration per step.
pub fn config_timeseries_table(aggregate: &Aggregate, configurations: &[String]) -> String {
    let mut out = String::from("step,configuration,share\n");
    let k = aggregate.shape.configurations;
    for t in 0..aggregate.shape.steps {
        for (c, name) in configurations.iter().enumerate() {
            let share =
                aggregate.configurations_by_step[t * k + c] as f64 / aggregate.runs.max(1) as f64;
            writeln!(out, "{t},{name},{share:.6}").expect("write to string");
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
