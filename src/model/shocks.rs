//! Shocks: random (Poisson) or scheduled events that change a driver, an
//! agent attribute or a stance (docs/model.md section 7.1).

use rand::RngCore;

use super::draws::uniform;
use super::{Attribute, Driver, Params, State};

/// When a shock may fire.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trigger {
    /// With probability `1 - exp(-rate * dt)` in each step of its window.
    Rate(f64),
    /// Exactly at this step.
    AtStep(usize),
}

/// What an effect changes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// A driver of the ordered pair (flat index); symmetric drivers change
    /// on both directions.
    Driver(Driver, usize, usize),
    /// An attribute of one agent.
    Attribute(Attribute, usize),
    /// The stance of i toward j.
    Stance(usize, usize),
}

/// How an effect combines with the value it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EffectOp {
    Add,
    Multiply,
    Set,
}

/// One change made by a shock.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub target: Target,
    pub op: EffectOp,
    pub value: f64,
}

/// A shock type of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Shock {
    pub id: String,
    pub trigger: Trigger,
    /// First and last step (inclusive) in which it may fire.
    pub first: usize,
    pub last: usize,
    pub max_count: u32,
    /// Persistent effects move driver baselines as well as current values.
    pub persistent: bool,
    pub effects: Vec<Effect>,
}

impl Shock {
    /// Whether step `t` lies in the shock's window.
    #[inline]
    pub(crate) fn in_window(&self, t: usize) -> bool {
        (self.first..=self.last).contains(&t)
    }
}

impl EffectOp {
    fn apply(self, old: f64, value: f64) -> f64 {
        match self {
            EffectOp::Add => old + value,
            EffectOp::Multiply => old * value,
            EffectOp::Set => value,
        }
    }

    /// Driver `d` at `old` changed by `value`, clipped to its range.
    #[inline(always)]
    pub(crate) fn driver(self, d: Driver, old: f64, value: f64) -> f64 {
        let (lo, hi) = d.range();
        self.apply(old, value).clamp(lo, hi)
    }

    /// Attribute `a` at `old` changed by `value`, kept in its range.
    #[inline(always)]
    pub(crate) fn attribute(self, a: Attribute, old: f64, value: f64) -> f64 {
        let (lo, hi) = a.range();
        let v = self.apply(old, value).min(hi);
        if a.lower_exclusive() {
            // Capability and temperature must stay positive.
            v.max(1e-9)
        } else {
            v.max(lo)
        }
    }
}

/// Probability that a shock of `rate` per year fires in a step of `dt` years.
pub fn step_probability(trigger: Trigger, dt: f64) -> f64 {
    match trigger {
        Trigger::Rate(rate) => 1.0 - super::math::exp(-rate * dt),
        Trigger::AtStep(_) => 0.0,
    }
}

/// The per-step firing probability of each shock of `shocks`, fixed for a
/// run (0 for a scheduled shock).
pub(crate) fn step_probabilities(shocks: &[Shock], dt: f64) -> Vec<f64> {
    shocks
        .iter()
        .map(|s| step_probability(s.trigger, dt))
        .collect()
}

/// What a shock can change: the state of one run. Implemented by
/// [`State`](super::State) and by one lane of the lockstep kernel, so both
/// fire shocks with the same code and the same draws.
pub(crate) trait ShockTarget {
    fn agents(&self) -> usize;
    /// Times shock `s` has fired.
    fn fired(&mut self, s: usize) -> &mut u32;
    fn driver(&mut self, d: Driver, ij: usize) -> &mut f64;
    fn baseline(&mut self, d: Driver, ij: usize) -> &mut f64;
    fn attribute(&mut self, a: Attribute, i: usize) -> &mut f64;
    fn stance(&mut self, ij: usize) -> &mut f64;
    /// Recomputes what depends on capabilities after one changed.
    fn capability_changed(&mut self, p: &Params);
}

/// Fires the shocks due at step `t` in one run. Draws one uniform per rate
/// shock inside its window, in file order, even once the shock has reached
/// its count (the draw is then unused), so that the number of draws does not
/// depend on the run's history. The lockstep kernel does the same for all
/// its lanes at once.
pub(crate) fn fire_shocks<R: RngCore>(
    state: &mut State,
    shocks: &[Shock],
    p: &Params,
    t: usize,
    rng: &mut R,
) {
    for (s, shock) in shocks.iter().enumerate() {
        if !shock.in_window(t) {
            continue;
        }
        let due = match shock.trigger {
            Trigger::AtStep(at) => at == t,
            Trigger::Rate(_) => uniform(rng) < state.shock_probability[s],
        };
        if due && *state.fired(s) < shock.max_count {
            fire(state, s, shock, p);
        }
    }
}

/// Counts a firing of shock `s` and applies its effects.
#[inline(always)]
pub(crate) fn fire<S: ShockTarget>(state: &mut S, s: usize, shock: &Shock, p: &Params) {
    *state.fired(s) += 1;
    for effect in &shock.effects {
        apply_effect(state, effect, shock.persistent, p);
    }
}

#[inline(always)]
pub(crate) fn apply_effect<S: ShockTarget>(
    state: &mut S,
    effect: &Effect,
    persistent: bool,
    p: &Params,
) {
    let n = state.agents();
    match effect.target {
        Target::Driver(d, i, j) => {
            for ij in d.pairs_of(n, i, j) {
                let current = state.driver(d, ij);
                *current = effect.op.driver(d, *current, effect.value);
                if persistent {
                    let base = state.baseline(d, ij);
                    *base = effect.op.driver(d, *base, effect.value);
                }
            }
        }
        Target::Attribute(a, i) => {
            let value = state.attribute(a, i);
            *value = effect.op.attribute(a, *value, effect.value);
            if a == Attribute::Capability {
                state.capability_changed(p);
            }
        }
        Target::Stance(i, j) => {
            let x = state.stance(i * n + j);
            *x = effect.op.apply(*x, effect.value).clamp(-1.0, 1.0);
        }
    }
}
