//! One step of the dynamics (MODEL-SPEC section 2) and a whole run.
//!
//! The update is synchronous: values of closeness, choices and treaty
//! decisions all read the stances of the start of the step; new stances are
//! written to a scratch buffer and swapped in at the end.

use rand::RngCore;

use super::draws::{normal_block, uniform_pair};
use super::math;
use super::series;
use super::shocks::fire_shocks;
use super::{Driver, Model, Params, State, Trace};

/// Runs the model from step 0 to its horizon, recording every step in `trace`.
pub fn simulate<R: RngCore>(model: &Model, rng: &mut R, state: &mut State, trace: &mut Trace) {
    state.reset(model);
    trace.record(0, state);
    for t in 0..model.horizon {
        step(model, state, t, rng);
        trace.record(t + 1, state);
    }
    trace.shocks_fired.clone_from(&state.shocks_fired);
    trace.first_treaty = state.first_treaty;
}

/// Advances `state` from step `t` to step `t + 1`.
pub fn step<R: RngCore>(model: &Model, state: &mut State, t: usize, rng: &mut R) {
    series::follow(state, &model.schedules, t, &model.params);
    fire_shocks(state, &model.shocks, &model.params, t, rng);
    update_drivers(model, state, rng);
    choose_stances(model, state, rng);
    update_treaties(model, state, t, rng);
    std::mem::swap(&mut state.x, &mut state.next_x);
}

/// How many normals a step draws (MODEL-SPEC section 2, in the order of
/// docs/model.md section 10): one per ordered pair for dependence, then one
/// per update pair of N, R, P and G when `sigma_d > 0`, then one per ordered
/// pair for the stance noise when `sigma_x > 0`. The count depends on the
/// model only, never on the state, so a step draws them as one block.
pub(crate) fn step_normals(model: &Model) -> usize {
    let n = model.n();
    let pairs = n * (n - 1);
    let drivers: usize = Driver::REVERTING
        .iter()
        .map(|d| d.update_pairs(n).count())
        .sum();
    let p = &model.params;
    pairs + usize::from(p.sigma_d > 0.0) * drivers + usize::from(p.sigma_x > 0.0) * pairs
}

/// Section 2.2: dependence follows a geometric random walk; N, R, P and G
/// revert to their baselines with noise, clipped to their ranges. Draws the
/// step's block of normals first.
fn update_drivers<R: RngCore>(model: &Model, s: &mut State, rng: &mut R) {
    let p = &model.params;
    let n = s.n;
    let shock_scale = p.sigma_E * p.dt.sqrt();
    normal_block(rng, &mut s.noise);
    let mut noise = s.noise.iter();
    // Exponents first, then all exponentials in one vectorisable pass; a
    // growth of exp(0) = 1 leaves a pair unchanged. The scratch buffer is
    // taken out of the state for the loop, so the loop can read the state
    // through its own methods.
    let mut growth = std::mem::take(&mut s.growth);
    for i in 0..n {
        for j in 0..n {
            let ij = i * n + j;
            growth[ij] = if i == j {
                0.0
            } else {
                // Every ordered pair has its draw, used or not.
                let shock = shock_scale * noise.next().expect("a normal per pair");
                if s.drivers[Driver::E as usize][ij] == 0.0 {
                    0.0
                } else {
                    (model.mu[ij] + p.psi * s.alignment(i, j)) * p.dt + shock
                }
            };
        }
    }
    math::exp_via_single_in_place(&mut growth);
    for (e, g) in s.drivers[Driver::E as usize].iter_mut().zip(&growth) {
        *e *= g;
    }
    s.growth = growth;
    for d in Driver::REVERTING {
        let (values, baselines) = (&mut s.drivers[d as usize], &s.baselines[d as usize]);
        for (ij, ji) in d.update_pairs(n) {
            let noise = if p.sigma_d > 0.0 {
                p.sigma_d * noise.next().expect("a normal per update pair")
            } else {
                0.0
            };
            let next = d.revert(p, values[ij], baselines[ij], noise);
            values[ij] = next;
            if d.symmetric() {
                values[ji] = next;
            }
        }
    }
}

/// The terms of MODEL-SPEC sections 2.3 and 2.4 for the ordered pair i -> j.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairTerms {
    /// ln(1 + E_ij / E0).
    pub dependence: f64,
    /// pi_ij.
    pub propensity: f64,
    /// B_ij: weighted agreement of i's and j's stances toward third parties.
    pub balance: f64,
    /// Sum over third parties k of wt_k max(0, -x_kj) max(0, x_ki).
    pub pivot: f64,
    /// Ent_ij.
    pub entrapment: f64,
    /// V_ij.
    pub value: f64,
    /// Autonomy cost kappa_A w_j / (w_i + w_j).
    pub autonomy: f64,
}

impl PairTerms {
    /// Computes the terms from the current state.
    pub fn of(model: &Model, s: &State, i: usize, j: usize) -> PairTerms {
        let p = &model.params;
        let n = s.n;
        let (ij, ji) = (i * n + j, j * n + i);
        let [e, affinity, rivalry, pressure, coercion] = &s.drivers;
        let dependence = math::ln_via_single(1.0 + e[ij] / p.E0);
        let propensity = p.beta_E * dependence + p.beta_N * affinity[ij]
            - p.beta_R * rivalry[ij]
            - p.beta_P * pressure[ji];
        let x = &s.x[..n * n];
        let (x_i, x_j) = (&x[i * n..i * n + n], &x[j * n..j * n + n]);
        let weights = &s.weights[ij * n..ij * n + n];
        let coercion_j = &coercion[j * n..j * n + n];
        let mut balance = 0.0;
        let mut pivot = 0.0;
        let mut entrapment = s.aggression[j] * p.theta0;
        for k in 0..n {
            if k == i || k == j {
                continue;
            }
            let wt = weights[k];
            let (x_ik, x_jk) = (x_i[k], x_j[k]);
            balance += wt * x_ik * x_jk;
            pivot += wt * (-x[k * n + j]).max(0.0) * x[k * n + i].max(0.0);
            entrapment += coercion_j[k] * (p.theta0 + x_ik.max(0.0));
        }
        let value = propensity + p.lambda_B * balance + p.rho * s.x[ji];
        let autonomy = s.autonomy[ij];
        PairTerms {
            dependence,
            propensity,
            balance,
            pivot,
            entrapment,
            value,
            autonomy,
        }
    }

    /// Utilities of oppose, hedge and align (section 2.4).
    pub fn utilities(&self, model: &Model) -> [f64; 3] {
        let p = &model.params;
        [
            -self.value - p.kappa_O * self.dependence,
            p.mu_H * self.pivot,
            self.value - self.autonomy - p.kappa_E * self.entrapment,
        ]
    }
}

/// Sections 2.3 to 2.5: value of closeness, logit choice, stance update.
/// The logit exponents of every pair are computed first and exponentiated in
/// one vectorisable pass; the uniforms of the choices then follow in row
/// order.
fn choose_stances<R: RngCore>(model: &Model, s: &mut State, rng: &mut R) {
    let p = &model.params;
    let n = s.n;
    for i in 0..n {
        let inverse_tau = 1.0 / s.tau[i];
        for j in 0..n {
            let ij = i * n + j;
            let exponents = if i == j {
                [0.0; 3]
            } else {
                let terms = PairTerms::of(model, s, i, j);
                s.value[ij] = terms.value;
                s.entrapment[ij] = terms.entrapment;
                choice_exponents(terms.utilities(model), inverse_tau)
            };
            s.choice[3 * ij..3 * ij + 3].copy_from_slice(&exponents);
        }
    }
    math::exp_via_single_in_place(&mut s.choice);
    // The stance noise closes the step's block of normals.
    let mut stance_noise = s.noise[s.noise.len() - n * (n - 1)..].iter();
    // One output per two pairs (n (n - 1) is even).
    let mut choice_uniforms = [0.0; 2];
    let mut pair = 0;
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let ij = i * n + j;
            if pair % 2 == 0 {
                choice_uniforms = uniform_pair(rng);
            }
            let uniform = choice_uniforms[pair % 2];
            pair += 1;
            let weights = &s.choice[3 * ij..3 * ij + 3];
            let action = pick_action([weights[0], weights[1], weights[2]], uniform);
            let noise = if p.sigma_x > 0.0 {
                p.sigma_x * stance_noise.next().expect("a normal per pair")
            } else {
                0.0
            };
            s.next_x[ij] = ((1.0 - p.eta) * s.x[ij] + p.eta * action + noise).clamp(-1.0, 1.0);
        }
    }
}

/// The exponents (u_a - max u) / tau of the logit weights of utilities `u`,
/// given 1 / tau. Subtracting the largest utility keeps the weights in
/// (0, 1], so they cannot overflow; the largest has weight exp(0) = 1 exactly.
pub(crate) fn choice_exponents(u: [f64; 3], inverse_tau: f64) -> [f64; 3] {
    let top = u[0].max(u[1]).max(u[2]);
    u.map(|v| (v - top) * inverse_tau)
}

/// The two lower of three logit exponents from [`choice_exponents`], lowest
/// first. The largest exponent is exactly 0, and its weight exp(0) exactly
/// 1, so only these two need an exponential.
#[inline(always)]
pub(crate) fn lower_exponents([a, b, c]: [f64; 3]) -> [f64; 2] {
    let (low, high) = (a.min(b), a.max(b));
    [low.min(c), low.max(high.min(c))]
}

/// The logit weights of `exponents`, given the exponentials of their two
/// lower values ([`lower_exponents`]): each weight is the exponential of
/// its exponent, read from `scaled`, or 1 for the largest. The same bits as
/// exponentiating all three, since exp(0) is exactly 1.
#[inline(always)]
pub(crate) fn weights_from(exponents: [f64; 3], lower: [f64; 2], scaled: [f64; 2]) -> [f64; 3] {
    exponents.map(|v| {
        if v == lower[0] {
            scaled[0]
        } else if v == lower[1] {
            scaled[1]
        } else {
            1.0
        }
    })
}

/// Logit choice probabilities of oppose, hedge and align for utilities `u`
/// at temperature `tau`, in double precision. The kernel's weights are
/// exponentials in single precision (`math::exp_via_single`), which give
/// probabilities within 1e-7 of these: a uniform then picks another action
/// than with these probabilities at most 1e-7 of the time.
pub fn choice_probabilities(u: [f64; 3], tau: f64) -> [f64; 3] {
    let w = choice_exponents(u, 1.0 / tau).map(math::exp);
    let total = w[0] + w[1] + w[2];
    w.map(|v| v / total)
}

/// Picks -1, 0 or +1 with the logit probabilities of `u`, given a uniform
/// draw `uniform` in [0, 1), with the kernel's weights.
pub fn sample_action(u: [f64; 3], tau: f64, uniform: f64) -> f64 {
    pick_action(
        choice_exponents(u, 1.0 / tau).map(math::exp_via_single),
        uniform,
    )
}

/// Picks -1, 0 or +1 with probabilities proportional to `weights`:
/// `uniform < w0 / total` is tested as `uniform * total < w0`, without
/// branches since the outcome is unpredictable.
#[inline]
pub(crate) fn pick_action(weights: [f64; 3], uniform: f64) -> f64 {
    let [oppose, hedge, align] = weights;
    let c = uniform * (oppose + hedge + align);
    f64::from(u8::from(c >= oppose)) + f64::from(u8::from(c >= oppose + hedge)) - 1.0
}

/// Section 2.6: treaties form after a run of eligible steps when both sides
/// accept, and dissolve with a hazard or when either stance turns negative.
fn update_treaties<R: RngCore>(model: &Model, s: &mut State, t: usize, rng: &mut R) {
    let p = &model.params;
    let n = s.n;
    for i in 0..n {
        for j in i + 1..n {
            let (ij, ji) = (i * n + j, j * n + i);
            let low = s.x[ij].min(s.x[ji]);
            let eligible = eligible_run(p, low, s.eligible_steps[ij]);
            s.eligible_steps[ij] = eligible;
            s.eligible_steps[ji] = eligible;
            let mut in_force = s.treaty[ij];
            let acceptance = |k: usize| {
                let (ab, a) = [(ij, i), (ji, j)][k];
                let side = TreatySide {
                    value: s.value[ab],
                    autonomy: s.autonomy[ab],
                    entrapment: s.entrapment[ab],
                    tau: s.tau[a],
                };
                acceptance_from(math::exp_via_single(acceptance_exponent(p, &side)))
            };
            let draws = uniform_pair(rng);
            let formed = treaty_decision(
                p,
                s.dissolve_probability,
                low,
                eligible,
                &mut in_force,
                acceptance,
                draws,
            );
            s.treaty[ij] = in_force;
            s.treaty[ji] = in_force;
            if formed {
                s.first_treaty.get_or_insert(t + 1);
            }
        }
    }
}

/// Per-step treaty dissolution probability 1 - exp(-h_D dt).
pub(crate) fn dissolve_probability(p: &Params) -> f64 {
    1.0 - math::exp(-p.h_D * p.dt)
}

/// What one side of a dyad weighs when offered a treaty.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TreatySide {
    /// V of the side toward the other.
    pub value: f64,
    pub autonomy: f64,
    pub entrapment: f64,
    /// The side's choice temperature.
    pub tau: f64,
}

/// The run of eligible steps of a dyad, `run` before a step whose lower
/// stance is `low`.
#[inline(always)]
pub(crate) fn eligible_run(p: &Params, low: f64, run: u32) -> u32 {
    if low >= p.theta_T { run + 1 } else { 0 }
}

/// The exponent `-net / tau` of a side's acceptance of a treaty, whose
/// probability is `logistic(net / tau) = 1 / (1 + exp(-net / tau))`
/// ([`acceptance_from`]).
#[inline(always)]
pub(crate) fn acceptance_exponent(p: &Params, side: &TreatySide) -> f64 {
    let net = side.value - 2.0 * side.autonomy - 2.0 * p.kappa_E * side.entrapment - p.c_T;
    -(net / side.tau)
}

/// The acceptance probability `1 / (1 + w)`, given `w` the exponential of
/// its [`acceptance_exponent`] (in single precision, as the logit weights).
#[inline(always)]
pub(crate) fn acceptance_from(weight: f64) -> f64 {
    1.0 / (1.0 + weight)
}

/// The treaty decision of one dyad in one run. `low` is the lower of its two
/// stances and `eligible` its run of eligible steps including this one
/// ([`eligible_run`]); `in_force` is updated in place; `acceptance(0)` and
/// `acceptance(1)` are the probabilities that i -> j and j -> i accept, read
/// only when a treaty is offered. `draws` are the dyad's two uniforms of the
/// step: the first decides the hazard of a treaty in force whose stances are
/// both non-negative, both the acceptances of an offer. Returns whether a
/// treaty formed.
pub(crate) fn treaty_decision(
    p: &Params,
    dissolve: f64,
    low: f64,
    eligible: u32,
    in_force: &mut bool,
    acceptance: impl Fn(usize) -> f64,
    draws: [f64; 2],
) -> bool {
    if *in_force {
        if low < 0.0 || draws[0] < dissolve {
            *in_force = false;
        }
        false
    } else if f64::from(eligible) >= p.M {
        let formed = draws[0] < acceptance(0) && draws[1] < acceptance(1);
        *in_force |= formed;
        formed
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exponentiating only the two lower exponents must give the bits of
    /// exponentiating all three, ties included.
    #[test]
    fn two_exponentials_give_the_weights_of_three() {
        let utilities = [
            [-1.0, 0.0, 1.0],
            [1.0, 0.0, -1.0],
            [0.0, 2.0, 0.5],
            [0.3, 0.3, -0.2],
            [0.3, -0.2, 0.3],
            [-0.2, 0.3, 0.3],
            [-0.4, -0.4, -0.9],
            [0.7, 0.7, 0.7],
            [1e6, 0.0, -1e6],
        ];
        for u in utilities {
            for inverse_tau in [0.5, 1.0, 7.0] {
                let exponents = choice_exponents(u, inverse_tau);
                let lower = lower_exponents(exponents);
                assert!(lower[0] <= lower[1] && lower[1] <= 0.0, "{u:?}");
                let weights = weights_from(exponents, lower, lower.map(math::exp_via_single));
                let all = exponents.map(math::exp_via_single);
                assert_eq!(weights.map(f64::to_bits), all.map(f64::to_bits), "{u:?}");
            }
        }
    }

    /// The kernel's weights, exponentials in single precision, give the
    /// probabilities of `choice_probabilities` within 1e-7 (the worst found
    /// is 1.9e-8), over utilities from -4 to 4 and three
    /// temperatures.
    #[test]
    fn single_precision_weights_give_the_logit_probabilities() {
        let mut worst = 0.0f64;
        for a in -8..=8 {
            for b in -8..=8 {
                let u = [f64::from(a) * 0.5, 0.1, f64::from(b) * 0.5];
                for tau in [0.3, 1.0, 2.5] {
                    let w = choice_exponents(u, 1.0 / tau).map(math::exp_via_single);
                    let total = w[0] + w[1] + w[2];
                    for (v, exact) in w.iter().zip(choice_probabilities(u, tau)) {
                        worst = worst.max((v / total - exact).abs());
                    }
                }
            }
        }
        assert!(worst < 1e-7, "worst error {worst}");
    }

    /// Treaty acceptances from the single-precision exponential stay within
    /// 1e-7 of the logistic in double precision, for net / tau from -40 to 40.
    #[test]
    fn single_precision_acceptance_gives_the_logistic() {
        let mut worst = 0.0f64;
        for k in -4000..=4000 {
            let v = f64::from(k) * 0.01;
            let exact = 1.0 / (1.0 + (-v).exp());
            worst = worst.max((acceptance_from(math::exp_via_single(-v)) - exact).abs());
        }
        assert!(worst < 1e-7, "worst error {worst}");
    }
}
