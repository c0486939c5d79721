//! What a run ended in (docs/model.md section 7.8): dyad states, Dittmer's triad
//! configurations, named-outcome rules, Heider balance and Wu's role scores.
//! Reads the [`LaneTrace`] of a lockstep group; knows nothing of files or
//! aggregation.

mod reach;
mod rules;
mod triad;

pub use reach::{DeadRule, dead_rules, rule_in_words};

pub use rules::{Condition, OTHER, OutcomeRules};
pub use triad::{ConfigKind, Configuration, Triad, wu_roles as triad_roles};

use crate::model::{LANES, Lane, LaneTrace, Model, alignment};

/// State of a dyad at the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DyadState {
    Alliance,
    Partnership,
    Hedging,
    Antagonism,
}

impl DyadState {
    pub const ALL: [DyadState; 4] = [
        DyadState::Alliance,
        DyadState::Partnership,
        DyadState::Hedging,
        DyadState::Antagonism,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DyadState::Alliance => "alliance",
            DyadState::Partnership => "partnership",
            DyadState::Hedging => "hedging",
            DyadState::Antagonism => "antagonism",
        }
    }

    pub fn from_name(name: &str) -> Option<DyadState> {
        DyadState::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Classifies a dyad from its treaty flag, alignment and the two stances.
    pub fn classify(treaty: bool, z: f64, x_ij: f64, x_ji: f64, theta_p: f64) -> DyadState {
        if treaty {
            DyadState::Alliance
        } else if z >= theta_p && x_ij >= theta_p / 2.0 && x_ji >= theta_p / 2.0 {
            DyadState::Partnership
        } else if z <= -theta_p {
            DyadState::Antagonism
        } else {
            DyadState::Hedging
        }
    }

    /// `classify(treaty, z, x_ij, x_ji, theta_p).sign()` without branches,
    /// for loops over many runs.
    #[inline(always)]
    pub fn tie_sign(treaty: bool, z: f64, x_ij: f64, x_ji: f64, theta_p: f64) -> i8 {
        let partnership = (z >= theta_p) & (x_ij >= theta_p / 2.0) & (x_ji >= theta_p / 2.0);
        let friendly = treaty | partnership;
        let hostile = !friendly & (z <= -theta_p);
        i8::from(friendly) - i8::from(hostile)
    }

    /// Sign of the tie in Dittmer's terms: +1 friendly, -1 hostile, 0 loose.
    pub fn sign(self) -> i8 {
        match self {
            DyadState::Alliance | DyadState::Partnership => 1,
            DyadState::Antagonism => -1,
            DyadState::Hedging => 0,
        }
    }
}

/// The end of one run as outcomes and aggregates see it.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// Index into [`OutcomeRules::names`].
    pub outcome: usize,
    /// Configuration of the report triad at the horizon (index into
    /// [`Triad::configuration_names`]), when the scenario has a triad.
    pub configuration: Option<usize>,
    /// Stances averaged over the last W steps, flat `i * n + j`.
    pub xbar: Vec<f64>,
    /// Averaged alignment of each dyad, in [`Model::dyads`] order.
    pub zbar: Vec<f64>,
    /// State of each dyad, in [`Model::dyads`] order.
    pub states: Vec<DyadState>,
    /// Wu's role score of each member of the report triad.
    pub roles: Option<[i32; 3]>,
    /// Share of (triad, step) pairs that are unbalanced, over all triads and
    /// steps 1..=horizon; `None` with fewer than three agents.
    pub unbalanced_share: Option<f64>,
    /// Configuration of the report triad at each step 0..=horizon.
    pub configuration_by_step: Vec<usize>,
}

/// The summaries of the runs of a lockstep group, and what the aggregate
/// reads of every step, kept lane by lane.
#[derive(Debug, Clone, Default)]
pub struct GroupSummary {
    /// One summary per lane; those past the group's runs are stale.
    pub runs: Vec<RunSummary>,
    /// Alignment z of every dyad at every step 0..=horizon, `t * dyads + d`
    /// with dyads in [`Model::dyads`] order.
    pub alignment: Vec<Lane>,
    /// Sign of every dyad's tie at every step, indexed like `alignment`.
    pub tie_signs: Vec<[i8; LANES]>,
    /// Scratch: the sum of every stance over the averaging window.
    window_sums: Vec<Lane>,
}

/// Everything needed to turn a trace into a [`RunSummary`].
#[derive(Debug, Clone)]
pub struct Classifier {
    pub rules: OutcomeRules,
    pub triad: Option<Triad>,
    theta_p: f64,
    window: usize,
    dyads: Vec<(usize, usize)>,
    /// Index of the dyad of each ordered pair `i * n + j` (unused diagonal).
    dyad_of: Vec<usize>,
    /// The dyads of the ties of every triad of agents, in [`triad::TIES`]
    /// order, for the balance share.
    triads: Vec<[usize; 3]>,
    n: usize,
}

impl Classifier {
    pub fn new(model: &Model, rules: OutcomeRules, triad: Option<Triad>) -> Classifier {
        let n = model.n();
        let mut dyad_of = vec![usize::MAX; n * n];
        for (d, (i, j)) in model.dyads().into_iter().enumerate() {
            dyad_of[i * n + j] = d;
            dyad_of[j * n + i] = d;
        }
        let ties = |members: [usize; 3]| triad::ties_of(members).map(|(a, b)| dyad_of[a * n + b]);
        let mut triads = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                for c in b + 1..n {
                    triads.push(ties([a, b, c]));
                }
            }
        }
        Classifier {
            dyad_of,
            triads,
            rules,
            triad,
            theta_p: model.params.theta_P,
            window: (model.params.W as usize).clamp(1, model.horizon.max(1)),
            dyads: model.dyads(),
            n: model.n(),
        }
    }

    /// Index of a dyad in output order.
    pub fn dyad_index(&self, i: usize, j: usize) -> usize {
        assert!(i != j, "a dyad joins two agents");
        self.dyad_of[i * self.n + j]
    }

    /// Summarises runs `0..runs` of a lockstep group into `out`, reusing its
    /// buffers. The alignment and tie sign of every dyad at every step, and
    /// the sums over the averaging window, are computed for all lanes at
    /// once; the rest run by run.
    pub fn summarise(&self, trace: &LaneTrace, runs: usize, out: &mut GroupSummary) {
        let (n, nn, horizon) = (self.n, self.n * self.n, trace.horizon);
        let GroupSummary {
            runs: summaries,
            alignment: alignments,
            tie_signs,
            window_sums,
        } = out;
        summaries.resize_with(LANES, RunSummary::default);

        alignments.clear();
        tie_signs.clear();
        let steps = trace.x.chunks_exact(nn).zip(trace.treaty.chunks_exact(nn));
        for (x, treaty) in steps {
            for &(i, j) in &self.dyads {
                let (x_ij, x_ji, treaty) = (&x[i * n + j], &x[j * n + i], &treaty[i * n + j]);
                let mut z = [0.0; LANES];
                let mut sign = [0; LANES];
                for l in 0..LANES {
                    z[l] = alignment(x_ij[l], x_ji[l]);
                    sign[l] = DyadState::tie_sign(treaty[l], z[l], x_ij[l], x_ji[l], self.theta_p);
                }
                alignments.push(z);
                tie_signs.push(sign);
            }
        }
        let unbalanced = self.unbalanced_steps(tie_signs);

        // Each lane adds its window's stances in step order, as a run alone would.
        window_sums.clear();
        window_sums.resize(nn, [0.0; LANES]);
        let first = horizon + 1 - self.window;
        for x in trace.x[first * nn..].chunks_exact(nn) {
            for (sum, x) in window_sums.iter_mut().zip(x) {
                for l in 0..LANES {
                    sum[l] += x[l];
                }
            }
        }

        let w = self.window as f64;
        let at_horizon = &trace.treaty[horizon * nn..];
        for (l, out) in summaries.iter_mut().enumerate().take(runs) {
            out.xbar.clear();
            out.xbar.extend(window_sums.iter().map(|sum| sum[l] / w));
            out.zbar.clear();
            out.states.clear();
            for &(i, j) in &self.dyads {
                let (x_ij, x_ji) = (out.xbar[i * n + j], out.xbar[j * n + i]);
                let z = alignment(x_ij, x_ji);
                let treaty = at_horizon[i * n + j][l];
                out.zbar.push(z);
                out.states
                    .push(DyadState::classify(treaty, z, x_ij, x_ji, self.theta_p));
            }
            self.classify_triad(tie_signs, l, out);
            out.unbalanced_share =
                unbalanced.map(|(counts, total)| counts[l] as f64 / total as f64);
            let initial =
                |i: usize, j: usize| alignment(trace.x[i * n + j][l], trace.x[j * n + i][l]);
            out.outcome = self.rules.evaluate(
                |i, j| {
                    let d = self.dyad_index(i, j);
                    (out.states[d], out.zbar[d], initial(i, j))
                },
                |members| {
                    let signs = triad::ties_of(members)
                        .map(|(a, b)| out.states[self.dyad_index(a, b)].sign());
                    Configuration::classify(signs)
                },
            );
        }
    }

    /// The configuration and roles of the report triad at the horizon, and
    /// its configuration at every step, of lane `l`.
    fn classify_triad(&self, tie_signs: &[[i8; LANES]], l: usize, out: &mut RunSummary) {
        out.configuration = None;
        out.roles = None;
        out.configuration_by_step.clear();
        if let Some(triad) = &self.triad {
            let signs = triad
                .ties()
                .map(|(a, b)| out.states[self.dyad_index(a, b)].sign());
            out.configuration = Some(Configuration::classify(signs).index());
            out.roles = Some(triad::wu_roles(signs));
            let ties = triad.ties().map(|(a, b)| self.dyad_index(a, b));
            for row in tie_signs.chunks_exact(self.dyads.len()) {
                let signs = ties.map(|d| row[d][l]);
                out.configuration_by_step
                    .push(Configuration::index_of(signs));
            }
        }
    }

    /// For each lane, the number of (triad, step) pairs that are unbalanced
    /// (an odd number of hostile ties and none loose, so the product of the
    /// signs is negative) over all triads and steps 1..=horizon, and the
    /// number of pairs; `None` with fewer than three agents.
    fn unbalanced_steps(&self, tie_signs: &[[i8; LANES]]) -> Option<([u64; LANES], u64)> {
        if self.triads.is_empty() {
            return None;
        }
        let (mut unbalanced, mut total) = ([0u64; LANES], 0u64);
        for row in tie_signs.chunks_exact(self.dyads.len()).skip(1) {
            for ties in &self.triads {
                let [a, b, c] = ties.map(|d| row[d]);
                for l in 0..LANES {
                    unbalanced[l] += u64::from(a[l] * b[l] * c[l] < 0);
                }
                total += 1;
            }
        }
        Some((unbalanced, total.max(1)))
    }
}
