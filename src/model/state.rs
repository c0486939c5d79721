//! The mutable state of one run, and the trace of it that outcomes and
//! aggregates read. Buffers are allocated once per worker and reused across
//! runs, so the step loop never allocates.

use super::equations::{alignment, capability_terms, dissolve_probability};
use super::shocks::{ShockTarget, step_probabilities};
use super::step::step_normals;
use super::{Attribute, Driver, Model, Params};

/// Everything that changes during a run.
#[derive(Debug, Clone)]
pub struct State {
    pub n: usize,
    /// Stances x_ij, flat `i * n + j`.
    pub x: Vec<f64>,
    /// Current value of each driver, indexed like [`Driver::ALL`].
    pub drivers: [Vec<f64>; Driver::COUNT],
    /// The values drivers revert to.
    pub baselines: [Vec<f64>; Driver::COUNT],
    pub capability: Vec<f64>,
    pub aggression: Vec<f64>,
    pub tau: Vec<f64>,
    /// Third-party weights, `(i * n + j) * n + k` (see
    /// `equations::capability_terms`);
    /// zero where `k` is `i` or `j`. Kept current with the capabilities.
    pub(crate) weights: Vec<f64>,
    /// Autonomy cost kappa_A w_j / (w_i + w_j) of each ordered pair, kept
    /// current with the capabilities.
    pub(crate) autonomy: Vec<f64>,
    /// Whether a capability changed since `weights` and `autonomy` were
    /// computed from the model's (so `reset` must recompute them).
    pub(crate) capabilities_changed: bool,
    /// Per-step treaty dissolution probability 1 - exp(-h_D dt).
    pub(crate) dissolve_probability: f64,
    /// Treaty in force (symmetric).
    pub treaty: Vec<bool>,
    /// Consecutive steps each pair has been eligible for a treaty (symmetric).
    pub eligible_steps: Vec<u32>,
    /// Times each shock has fired.
    pub shocks_fired: Vec<u32>,
    /// Per-step firing probability of each rate shock, fixed for the run.
    pub(crate) shock_probability: Vec<f64>,
    /// Step at which the first treaty formed.
    pub first_treaty: Option<usize>,
    /// Scratch: value of closeness V_ij of the current step.
    pub(crate) value: Vec<f64>,
    /// Scratch: entrapment Ent_ij of the current step.
    pub(crate) entrapment: Vec<f64>,
    /// Scratch: stances being computed.
    pub(crate) next_x: Vec<f64>,
    /// Scratch: growth factor of each dependence in the current step.
    pub(crate) growth: Vec<f64>,
    /// Scratch: logit weights of oppose, hedge and align, `3 * (i * n + j)`.
    pub(crate) choice: Vec<f64>,
    /// Scratch: the normals of the current step ([`step_normals`]).
    pub(crate) noise: Vec<f64>,
}

impl State {
    /// A state sized for `model`, set to its step-0 values.
    pub fn new(model: &Model) -> State {
        let n = model.n();
        let mut state = State {
            n,
            x: Vec::new(),
            drivers: model.drivers.clone(),
            baselines: model.drivers.clone(),
            capability: Vec::new(),
            aggression: Vec::new(),
            tau: Vec::new(),
            weights: vec![0.0; n * n * n],
            autonomy: vec![0.0; n * n],
            capabilities_changed: true,
            dissolve_probability: dissolve_probability(&model.params),
            treaty: vec![false; n * n],
            eligible_steps: vec![0; n * n],
            shocks_fired: vec![0; model.shocks.len()],
            shock_probability: step_probabilities(&model.shocks, model.params.dt),
            first_treaty: None,
            value: vec![0.0; n * n],
            entrapment: vec![0.0; n * n],
            next_x: vec![0.0; n * n],
            growth: vec![0.0; n * n],
            choice: vec![0.0; 3 * n * n],
            noise: vec![0.0; step_normals(model)],
        };
        state.reset(model);
        state
    }

    /// Puts the state back to step 0 without reallocating. `model` must be
    /// the one the state was made for: what depends only on the model
    /// (shock and dissolution probabilities, and the weights unless a
    /// capability changed) is kept from [`State::new`].
    pub fn reset(&mut self, model: &Model) {
        self.x.clone_from(&model.stance);
        for d in Driver::ALL {
            self.drivers[d as usize].clone_from(&model.drivers[d as usize]);
            self.baselines[d as usize].clone_from(&model.drivers[d as usize]);
        }
        self.capability.clone_from(&model.capability);
        self.aggression.clone_from(&model.aggression);
        self.tau.clone_from(&model.tau);
        self.treaty.fill(false);
        self.eligible_steps.fill(0);
        self.shocks_fired.fill(0);
        self.first_treaty = None;
        if self.capabilities_changed {
            self.refresh_weights(&model.params);
            self.capabilities_changed = false;
        }
    }

    /// Recomputes what depends on capabilities: the third-party weights and
    /// the autonomy costs. Called whenever a capability changes,
    /// so the step loop only reads them.
    pub(crate) fn refresh_weights(&mut self, p: &Params) {
        let (weights, autonomy) = (&mut self.weights, &mut self.autonomy);
        capability_terms(
            &self.capability,
            p.kappa_A,
            |ijk, w| weights[ijk] = w,
            |ij, a| autonomy[ij] = a,
        );
    }

    /// Dyad alignment z_ij.
    #[inline]
    pub fn alignment(&self, i: usize, j: usize) -> f64 {
        alignment(self.x[i * self.n + j], self.x[j * self.n + i])
    }
}

/// The history of one run that outcomes and aggregates need: the stances
/// and treaty flags of every step `0..=horizon`.
#[derive(Debug, Clone)]
pub struct Trace {
    pub n: usize,
    pub horizon: usize,
    /// `x[t * n * n + i * n + j]`.
    pub x: Vec<f64>,
    /// `treaty[t * n * n + i * n + j]`.
    pub treaty: Vec<bool>,
    pub shocks_fired: Vec<u32>,
    pub first_treaty: Option<usize>,
}

impl Trace {
    pub fn new(model: &Model) -> Trace {
        let n = model.n();
        let steps = model.horizon + 1;
        Trace {
            n,
            horizon: model.horizon,
            x: vec![0.0; steps * n * n],
            treaty: vec![false; steps * n * n],
            shocks_fired: vec![0; model.shocks.len()],
            first_treaty: None,
        }
    }

    pub(crate) fn record(&mut self, t: usize, state: &State) {
        let nn = self.n * self.n;
        self.x[t * nn..(t + 1) * nn].copy_from_slice(&state.x);
        self.treaty[t * nn..(t + 1) * nn].copy_from_slice(&state.treaty);
    }

    /// Stance of i toward j at step t.
    #[inline]
    pub fn stance(&self, t: usize, i: usize, j: usize) -> f64 {
        self.x[t * self.n * self.n + i * self.n + j]
    }

    /// Alignment z_ij at step t.
    #[inline]
    pub fn alignment(&self, t: usize, i: usize, j: usize) -> f64 {
        alignment(self.stance(t, i, j), self.stance(t, j, i))
    }

    #[inline]
    pub fn treaty(&self, t: usize, i: usize, j: usize) -> bool {
        self.treaty[t * self.n * self.n + i * self.n + j]
    }
}

impl ShockTarget for State {
    fn agents(&self) -> usize {
        self.n
    }

    fn fired(&mut self, s: usize) -> &mut u32 {
        &mut self.shocks_fired[s]
    }

    fn driver(&mut self, d: Driver, ij: usize) -> &mut f64 {
        &mut self.drivers[d as usize][ij]
    }

    fn baseline(&mut self, d: Driver, ij: usize) -> &mut f64 {
        &mut self.baselines[d as usize][ij]
    }

    fn attribute(&mut self, a: Attribute, i: usize) -> &mut f64 {
        match a {
            Attribute::Capability => &mut self.capability[i],
            Attribute::Aggression => &mut self.aggression[i],
            Attribute::Tau => &mut self.tau[i],
        }
    }

    fn stance(&mut self, ij: usize) -> &mut f64 {
        &mut self.x[ij]
    }

    fn capability_changed(&mut self, p: &Params) {
        self.refresh_weights(p);
        self.capabilities_changed = true;
    }
}
