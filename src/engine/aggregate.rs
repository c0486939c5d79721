//! Mergeable summaries of many runs. Every field is an integer count or a
//! fixed-point integer sum, so `a.merged(b)` is exact, associative and
//! commutative: the result is the same for any thread count or chunking.

use crate::model::{LaneTrace, Model};
use crate::outcome::{Classifier, Configuration, DyadState, GroupSummary, RunSummary};
use crate::stats::{Bins, to_fixed};

/// Bins of the per-step alignment histograms (resolution 0.005).
pub const STEP_BINS: Bins = Bins(400);
/// Bins of the final-alignment histograms written to `final.csv`.
pub const FINAL_BINS: Bins = Bins(40);

/// Dimensions of an aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Steps recorded: horizon + 1.
    pub steps: usize,
    pub dyads: usize,
    pub outcomes: usize,
    /// Configurations of the report triad (0 without a triad).
    pub configurations: usize,
    pub shocks: usize,
}

impl Shape {
    pub fn of(model: &Model, classifier: &Classifier) -> Shape {
        Shape {
            steps: model.horizon + 1,
            dyads: model.dyads().len(),
            outcomes: classifier.rules.names.len(),
            configurations: if classifier.triad.is_some() {
                Configuration::COUNT
            } else {
                0
            },
            shocks: model.shocks.len(),
        }
    }
}

/// Counts and sums over runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub shape: Shape,
    pub runs: u64,
    /// Runs ending in each named outcome (`other` last).
    pub outcomes: Vec<u64>,
    /// Runs ending in each configuration of the report triad.
    pub configurations: Vec<u64>,
    /// `[step][configuration]`: runs in each configuration at each step.
    pub configurations_by_step: Vec<u64>,
    /// `[step][dyad][bin]`: histogram of alignment z.
    pub alignment_hist: Vec<u64>,
    /// `[step][dyad]`: fixed-point sum of z.
    pub alignment_sum: Vec<i64>,
    /// `[step][dyad]`: smallest and largest z seen, which bound the quantiles.
    pub alignment_min: Vec<f64>,
    pub alignment_max: Vec<f64>,
    /// `[dyad][bin]`: histogram of the final averaged alignment zbar.
    pub final_hist: Vec<u64>,
    /// `[dyad]`: fixed-point sum of zbar.
    pub final_sum: Vec<i64>,
    /// `[dyad][state]`: final dyad states, in [`DyadState::ALL`] order.
    pub states: Vec<u64>,
    /// Runs in which a treaty formed, and the sum of the steps it formed at.
    pub treaty_runs: u64,
    pub first_treaty_step_sum: u64,
    /// `[shock]`: runs in which it fired, and times it fired in all.
    pub shock_runs: Vec<u64>,
    pub shock_fires: Vec<u64>,
    /// Fixed-point sum of the unbalanced-triad share.
    pub unbalanced_sum: i64,
    /// Sum of Wu's role score of each triad member.
    pub role_sums: [i64; 3],
}

impl Aggregate {
    pub fn new(shape: Shape) -> Aggregate {
        let Shape {
            steps,
            dyads,
            outcomes,
            configurations,
            shocks,
        } = shape;
        Aggregate {
            shape,
            runs: 0,
            outcomes: vec![0; outcomes],
            configurations: vec![0; configurations],
            configurations_by_step: vec![0; steps * configurations],
            alignment_hist: vec![0; steps * dyads * STEP_BINS.0],
            alignment_sum: vec![0; steps * dyads],
            alignment_min: vec![f64::INFINITY; steps * dyads],
            alignment_max: vec![f64::NEG_INFINITY; steps * dyads],
            final_hist: vec![0; dyads * FINAL_BINS.0],
            final_sum: vec![0; dyads],
            states: vec![0; dyads * DyadState::ALL.len()],
            treaty_runs: 0,
            first_treaty_step_sum: 0,
            shock_runs: vec![0; shocks],
            shock_fires: vec![0; shocks],
            unbalanced_sum: 0,
            role_sums: [0; 3],
        }
    }

    /// Counts runs `0..runs` of a lockstep group, summarised in `group`.
    pub fn add_group(&mut self, group: &GroupSummary, trace: &LaneTrace, runs: usize) {
        let Shape { steps, dyads, .. } = self.shape;
        // Cell `t * dyads + d`, as in the group's alignments. Sums, minima
        // and maxima are taken over the group's runs first: integer sums and
        // extremes do not depend on the order.
        let cells = group.alignment[..steps * dyads].iter().enumerate();
        for (cell, z) in cells {
            let z = &z[..runs];
            let histogram = &mut self.alignment_hist[cell * STEP_BINS.0..][..STEP_BINS.0];
            for &v in z {
                histogram[STEP_BINS.of(v)] += 1;
            }
            self.alignment_sum[cell] += z.iter().map(|&v| to_fixed(v)).sum::<i64>();
            let low = &mut self.alignment_min[cell];
            *low = z.iter().fold(*low, |low, &v| low.min(v));
            let high = &mut self.alignment_max[cell];
            *high = z.iter().fold(*high, |high, &v| high.max(v));
        }
        for (l, summary) in group.runs[..runs].iter().enumerate() {
            self.add_run(summary, trace.first_treaty[l], trace.shocks_fired(l));
        }
    }

    /// Counts what one run adds besides its alignments over time.
    fn add_run(
        &mut self,
        summary: &RunSummary,
        first_treaty: Option<usize>,
        shocks_fired: impl Iterator<Item = u32>,
    ) {
        let configurations = self.shape.configurations;
        self.runs += 1;
        self.outcomes[summary.outcome] += 1;
        if let Some(c) = summary.configuration {
            self.configurations[c] += 1;
        }
        for (t, &c) in summary.configuration_by_step.iter().enumerate() {
            self.configurations_by_step[t * configurations + c] += 1;
        }
        for (d, (&z, &state)) in summary.zbar.iter().zip(&summary.states).enumerate() {
            self.final_hist[d * FINAL_BINS.0 + FINAL_BINS.of(z)] += 1;
            self.final_sum[d] += to_fixed(z);
            self.states[d * DyadState::ALL.len() + state as usize] += 1;
        }
        if let Some(t) = first_treaty {
            self.treaty_runs += 1;
            self.first_treaty_step_sum += t as u64;
        }
        for (s, fired) in shocks_fired.enumerate() {
            self.shock_runs[s] += u64::from(fired > 0);
            self.shock_fires[s] += u64::from(fired);
        }
        if let Some(share) = summary.unbalanced_share {
            self.unbalanced_sum += to_fixed(share);
        }
        if let Some(roles) = summary.roles {
            for (sum, r) in self.role_sums.iter_mut().zip(roles) {
                *sum += i64::from(r);
            }
        }
    }

    /// The sum of two aggregates of the same shape.
    pub fn merged(mut self, other: Aggregate) -> Aggregate {
        assert_eq!(self.shape, other.shape, "aggregates of different shapes");
        fn add<T: Copy + std::ops::AddAssign>(a: &mut [T], b: &[T]) {
            a.iter_mut().zip(b).for_each(|(x, &y)| *x += y);
        }
        self.runs += other.runs;
        add(&mut self.outcomes, &other.outcomes);
        add(&mut self.configurations, &other.configurations);
        add(
            &mut self.configurations_by_step,
            &other.configurations_by_step,
        );
        add(&mut self.alignment_hist, &other.alignment_hist);
        add(&mut self.alignment_sum, &other.alignment_sum);
        let lowest = self.alignment_min.iter_mut().zip(&other.alignment_min);
        lowest.for_each(|(a, &b)| *a = a.min(b));
        let highest = self.alignment_max.iter_mut().zip(&other.alignment_max);
        highest.for_each(|(a, &b)| *a = a.max(b));
        add(&mut self.final_hist, &other.final_hist);
        add(&mut self.final_sum, &other.final_sum);
        add(&mut self.states, &other.states);
        self.treaty_runs += other.treaty_runs;
        self.first_treaty_step_sum += other.first_treaty_step_sum;
        add(&mut self.shock_runs, &other.shock_runs);
        add(&mut self.shock_fires, &other.shock_fires);
        self.unbalanced_sum += other.unbalanced_sum;
        add(&mut self.role_sums, &other.role_sums);
        self
    }

    /// Histogram of alignment of dyad `d` at step `t`.
    pub fn step_histogram(&self, t: usize, d: usize) -> &[u64] {
        let cell = t * self.shape.dyads + d;
        &self.alignment_hist[cell * STEP_BINS.0..(cell + 1) * STEP_BINS.0]
    }

    /// The `q` quantile of dyad `d`'s alignment at step `t`, read off the
    /// histogram and kept within the values actually seen.
    pub fn step_quantile(&self, t: usize, d: usize, q: f64) -> f64 {
        let cell = t * self.shape.dyads + d;
        STEP_BINS
            .quantile(self.step_histogram(t, d), q)
            .clamp(self.alignment_min[cell], self.alignment_max[cell])
    }

    /// Probability of outcome `k`.
    pub fn outcome_probability(&self, k: usize) -> f64 {
        self.outcomes[k] as f64 / self.runs.max(1) as f64
    }
}
