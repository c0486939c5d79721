//! Helpers shared by the integration tests: load a bundled scenario, change
//! it by parameter path, run it through the library and read probabilities.
#![allow(dead_code)]

pub mod chart_files;
pub mod cli;
pub mod docs;

use std::path::{Path, PathBuf};

use entente::engine::{self, Aggregate};
use entente::scenario::{self, ParamPath, Scenario};

pub fn scenario_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"))
}

/// A bundled scenario, loaded and validated.
pub fn bundled(name: &str) -> Scenario {
    scenario::load(&scenario_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Sets `path` to `value` in the scenario's model.
pub fn set(s: &mut Scenario, path: &str, value: f64) {
    let p = ParamPath::parse(&s.built.model, path).unwrap_or_else(|e| panic!("{path}: {e}"));
    p.set(&mut s.built.model, value)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
}

/// The current value at `path`.
pub fn get(s: &Scenario, path: &str) -> f64 {
    ParamPath::parse(&s.built.model, path)
        .unwrap()
        .get(&s.built.model)
}

/// Results of a scenario run.
pub struct Results {
    pub aggregate: Aggregate,
    pub outcomes: Vec<String>,
    pub dyads: Vec<String>,
}

/// Runs a scenario through the library call at its written values (no
/// parameter draws), as the statistical tests compare fixed settings.
pub fn run(s: &Scenario, runs: u64, seed: u64) -> Results {
    let mut settings = entente::Settings::for_scenario(s).runs(runs).seed(seed);
    settings.nominal = true;
    let result = entente::run(s, &settings).unwrap_or_else(|e| panic!("{}: {e}", s.name()));
    Results {
        aggregate: result.ensemble.aggregate,
        outcomes: result.outcome_names,
        dyads: result.dyads,
    }
}

impl Results {
    pub fn runs(&self) -> u64 {
        self.aggregate.runs
    }

    /// Probability of a named outcome.
    pub fn p(&self, outcome: &str) -> f64 {
        let k = self
            .outcomes
            .iter()
            .position(|o| o == outcome)
            .unwrap_or_else(|| panic!("no outcome {outcome}"));
        self.aggregate.outcome_probability(k)
    }

    fn dyad_index(&self, a: &str, b: &str) -> usize {
        self.dyads
            .iter()
            .position(|d| *d == format!("{a}-{b}") || *d == format!("{b}-{a}"))
            .unwrap_or_else(|| panic!("no dyad {a}-{b}"))
    }

    /// Mean final (averaged) alignment of a dyad.
    pub fn mean_final(&self, a: &str, b: &str) -> f64 {
        let d = self.dyad_index(a, b);
        entente::stats::fixed_mean(self.aggregate.final_sum[d], self.aggregate.runs)
    }

    /// Median alignment of a dyad at the last step, from its 400-bin
    /// histogram (resolution 0.005).
    pub fn median_last(&self, a: &str, b: &str) -> f64 {
        let d = self.dyad_index(a, b);
        self.aggregate
            .step_quantile(self.aggregate.shape.steps - 1, d, 0.5)
    }

    /// Share of runs whose dyad ends in one of `states` (by name: alliance,
    /// partnership, hedging, antagonism).
    pub fn state_share(&self, a: &str, b: &str, states: &[&str]) -> f64 {
        let d = self.dyad_index(a, b);
        let all = entente::outcome::DyadState::ALL;
        let count: u64 = all
            .iter()
            .enumerate()
            .filter(|(_, s)| states.contains(&s.name()))
            .map(|(k, _)| self.aggregate.states[d * all.len() + k])
            .sum();
        count as f64 / self.aggregate.runs as f64
    }

    /// Standard deviation of the final alignment of a dyad, from its histogram
    /// (bin centres; good to about the bin width).
    pub fn sd_final(&self, a: &str, b: &str) -> f64 {
        let d = self.dyad_index(a, b);
        let bins = engine::FINAL_BINS;
        let hist = &self.aggregate.final_hist[d * bins.0..(d + 1) * bins.0];
        let n = self.aggregate.runs as f64;
        let centre = |k: usize| bins.low(k) + bins.width() / 2.0;
        let mean: f64 = hist
            .iter()
            .enumerate()
            .map(|(k, &c)| centre(k) * c as f64)
            .sum::<f64>()
            / n;
        let var: f64 = hist
            .iter()
            .enumerate()
            .map(|(k, &c)| (centre(k) - mean).powi(2) * c as f64)
            .sum::<f64>()
            / n;
        (var + bins.width().powi(2) / 12.0).sqrt()
    }
}

/// Standard error of the difference of two independent proportions.
pub fn se_diff(p1: f64, n1: u64, p2: f64, n2: u64) -> f64 {
    (p1 * (1.0 - p1) / n1 as f64 + p2 * (1.0 - p2) / n2 as f64).sqrt()
}
