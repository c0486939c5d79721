//! What a run ended in (MODEL-SPEC section 3): dyad states, Dittmer's triad
//! configurations, named-outcome rules, Heider balance and Wu's role scores.
//! Reads a [`Trace`]; knows nothing of files or aggregation.

mod rules;
mod triad;

pub use rules::{Condition, OTHER, OutcomeRules};
pub use triad::{ConfigKind, Configuration, Triad, wu_roles as triad_roles};

use crate::model::{Model, Trace, alignment};

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
    /// Sign of every dyad's tie at every step 0..=horizon, `t * dyads + d`
    /// with dyads in [`Model::dyads`] order.
    pub tie_signs: Vec<i8>,
    /// Alignment z of every dyad at every step, indexed like `tie_signs`.
    pub alignment: Vec<f64>,
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

    /// Summarises one run into `out`, reusing its buffers.
    pub fn summarise(&self, trace: &Trace, out: &mut RunSummary) {
        let n = self.n;
        let horizon = trace.horizon;
        let first = horizon + 1 - self.window;
        out.xbar.clear();
        out.xbar.resize(n * n, 0.0);
        for t in first..=horizon {
            for (k, v) in out.xbar.iter_mut().enumerate() {
                *v += trace.x[t * n * n + k];
            }
        }
        let w = self.window as f64;
        out.xbar.iter_mut().for_each(|v| *v /= w);

        out.zbar.clear();
        out.states.clear();
        for &(i, j) in &self.dyads {
            let (x_ij, x_ji) = (out.xbar[i * n + j], out.xbar[j * n + i]);
            let z = alignment(x_ij, x_ji);
            out.zbar.push(z);
            out.states.push(DyadState::classify(
                trace.treaty(horizon, i, j),
                z,
                x_ij,
                x_ji,
                self.theta_p,
            ));
        }

        // The alignment and the sign of every tie at every step, computed
        // once for the configurations over time, the balance share and the
        // aggregates.
        out.alignment.clear();
        out.tie_signs.clear();
        let nn = n * n;
        for (x, treaty) in trace.x.chunks_exact(nn).zip(trace.treaty.chunks_exact(nn)) {
            for &(i, j) in &self.dyads {
                let (x_ij, x_ji) = (x[i * n + j], x[j * n + i]);
                let z = alignment(x_ij, x_ji);
                let state = DyadState::classify(treaty[i * n + j], z, x_ij, x_ji, self.theta_p);
                out.alignment.push(z);
                out.tie_signs.push(state.sign());
            }
        }
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
            for row in out.tie_signs.chunks_exact(self.dyads.len()) {
                let signs = ties.map(|d| row[d]);
                out.configuration_by_step
                    .push(Configuration::index_of(signs));
            }
        }
        out.unbalanced_share = self.unbalanced_share(&out.tie_signs);

        let initial = |i: usize, j: usize| trace.alignment(0, i, j);
        out.outcome = self.rules.evaluate(
            |i, j| {
                let d = self.dyad_index(i, j);
                (out.states[d], out.zbar[d], initial(i, j))
            },
            |members| {
                let signs =
                    triad::ties_of(members).map(|(a, b)| out.states[self.dyad_index(a, b)].sign());
                Configuration::classify(signs)
            },
        );
    }

    /// Share of (triad, step) pairs that are unbalanced (an odd number of
    /// hostile ties and none loose, so the product of the signs is
    /// negative), over all triads and steps 1..=horizon.
    fn unbalanced_share(&self, tie_signs: &[i8]) -> Option<f64> {
        if self.triads.is_empty() {
            return None;
        }
        let (mut unbalanced, mut total) = (0u64, 0u64);
        for row in tie_signs.chunks_exact(self.dyads.len()).skip(1) {
            for ties in &self.triads {
                let [a, b, c] = ties.map(|d| row[d]);
                unbalanced += u64::from(a * b * c < 0);
                total += 1;
            }
        }
        Some(unbalanced as f64 / total.max(1) as f64)
    }
}
