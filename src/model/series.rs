//! Baselines that follow data (docs/model.md, section 6.1): a driver or an
//! agent attribute whose value at each step is given by a yearly series,
//! read and interpolated when the scenario is loaded. The kernel only sees
//! the per-step values; each step moves the target by the change of its
//! series since the previous step, as a persistent shock would, so the
//! model's own noise, reversion and shocks act around the data.

use super::shocks::{Effect, EffectOp, ShockTarget, Target, Trigger, apply_effect};
use super::{Attribute, Driver, Model, Params};

/// The value of one driver or attribute at every step `0..horizon`.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// A driver or an attribute (never a stance).
    pub target: Target,
    /// `values[t]` is the target's baseline during step `t`.
    pub values: Vec<f64>,
}

impl Schedule {
    /// The effect that carries the target from its value at step `t - 1` to
    /// its value at step `t`, or `None` when the series does not move (so a
    /// constant series changes nothing, bit for bit). Quantities that are
    /// positive by nature (dependence, capability, temperature) follow the
    /// ratio of the series, so that the model's log-normal noise on them
    /// stays relative; the others follow its difference.
    pub(crate) fn change(&self, t: usize) -> Option<Effect> {
        let (before, now) = (self.values[t - 1], self.values[t]);
        if before == now {
            return None;
        }
        let relative = match self.target {
            Target::Driver(d, ..) => d == Driver::E,
            Target::Attribute(a, _) => a != Attribute::Aggression,
            Target::Stance(..) => false,
        };
        let (op, value) = if relative && before > 0.0 {
            (EffectOp::Multiply, now / before)
        } else {
            (EffectOp::Add, now - before)
        };
        Some(Effect {
            target: self.target,
            op,
            value,
        })
    }
}

/// Moves every scheduled target of `model` to its value for step `t`, at
/// the start of the step (before its shocks), in the one-run kernel. The
/// lockstep kernel applies the same [`Schedule::change`] with the same
/// [`EffectOp`] arithmetic to all its lanes at once.
#[inline]
pub(crate) fn follow<S: ShockTarget>(state: &mut S, schedules: &[Schedule], t: usize, p: &Params) {
    if t == 0 {
        return;
    }
    for schedule in schedules {
        if let Some(effect) = schedule.change(t) {
            apply_effect(state, &effect, true, p);
        }
    }
}

/// Makes the model use nothing after step `step`: every schedule holds its
/// value at `step` for all later steps, and every scheduled shock due after
/// `step` is disabled (its count limit set to 0; it stays in the list so
/// shock indices and output columns do not move). Random shocks stay: they
/// are the model's own stochastic process, not data.
pub fn cut_after(model: &mut Model, step: usize) {
    hold_after(model, step);
    drop_scheduled_after(model, step);
}

/// Holds every schedule at its value at `step` from then on.
pub fn hold_after(model: &mut Model, step: usize) {
    for schedule in &mut model.schedules {
        if let Some(&held) = schedule.values.get(step) {
            for v in &mut schedule.values[step + 1..] {
                *v = held;
            }
        }
    }
}

/// Disables the scheduled shocks due after `step`.
pub fn drop_scheduled_after(model: &mut Model, step: usize) {
    for shock in &mut model.shocks {
        if matches!(shock.trigger, Trigger::AtStep(at) if at > step) {
            shock.max_count = 0;
        }
    }
}
