//! One step of the dynamics (docs/model.md section 3) and a whole run, for
//! one run at a time: the loops over pairs and the order of the draws. The
//! equations themselves are in `equations.rs`, shared with the lockstep
//! kernel.
//!
//! The update is synchronous: values of closeness, choices and treaty
//! decisions all read the stances of the start of the step; new stances are
//! written to a scratch buffer and swapped in at the end.

use rand::RngCore;

use super::draws::{normal_block, uniform_pair};
use super::equations::{
    self as eq, TreatySide, acceptance_exponent, acceptance_from, choice_exponents, eligible_run,
    pick_action, treaty_decision,
};
use super::math;
use super::series;
use super::shocks::fire_shocks;
use super::{Driver, Model, State, Trace};

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

/// How many normals a step draws (in the order of docs/model.md section
/// 10): one per ordered pair for dependence, then one per update pair of N,
/// R, P and G when `sigma_d > 0`, then one per ordered pair for the stance
/// noise when `sigma_x > 0`. The count depends on the model only, never on
/// the state, so a step draws them as one block.
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

/// docs/model.md sections 7.2 and 7.3: dependence follows a geometric
/// random walk; N, R, P and G revert to their baselines with noise, clipped
/// to their ranges. Draws the step's block of normals first.
fn update_drivers<R: RngCore>(model: &Model, s: &mut State, rng: &mut R) {
    let p = &model.params;
    let n = s.n;
    let shock_scale = eq::dependence_shock_scale(p);
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
                let draw = *noise.next().expect("a normal per pair");
                eq::growth_exponent(
                    p,
                    model.mu[ij],
                    s.drivers[Driver::E as usize][ij],
                    s.x[ij],
                    s.x[j * n + i],
                    shock_scale,
                    draw,
                )
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
            let next = eq::revert(d, p, values[ij], baselines[ij], noise);
            values[ij] = next;
            if d.symmetric() {
                values[ji] = next;
            }
        }
    }
}

/// The terms of docs/model.md sections 7.4 and 7.5 for the ordered pair
/// i -> j.
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
    /// x_ij, the stance whose deepening costs kappa_S per unit.
    pub stance: f64,
}

impl PairTerms {
    /// Computes the terms from the current state.
    pub fn of(model: &Model, s: &State, i: usize, j: usize) -> PairTerms {
        let p = &model.params;
        let n = s.n;
        let (ij, ji) = (i * n + j, j * n + i);
        let drivers = &s.drivers;
        let dependence = eq::dependence(p, drivers[Driver::E as usize][ij]);
        let propensity = eq::propensity(p, dependence, |d, k| drivers[d as usize][k], ij, ji);
        let x = &s.x[..n * n];
        let (x_i, x_j) = (&x[i * n..i * n + n], &x[j * n..j * n + n]);
        let weights = &s.weights[ij * n..ij * n + n];
        let coercion_j = &drivers[Driver::G as usize][j * n..j * n + n];
        let [mut balance, mut pivot, mut entrapment] = eq::third_party_start(p, s.aggression[j]);
        for k in 0..n {
            if k == i || k == j {
                continue;
            }
            let terms = eq::third_party_terms(
                p,
                weights[k],
                x_i[k],
                x_j[k],
                x[k * n + j],
                x[k * n + i],
                coercion_j[k],
            );
            balance += terms[0];
            pivot += terms[1];
            entrapment += terms[2];
        }
        let value = eq::value(p, propensity, balance, s.x[ji]);
        let autonomy = s.autonomy[ij];
        PairTerms {
            dependence,
            propensity,
            balance,
            pivot,
            entrapment,
            value,
            autonomy,
            stance: s.x[ij],
        }
    }

    /// Utilities of oppose, hedge and align (docs/model.md section 7.5).
    pub fn utilities(&self, model: &Model) -> [f64; 3] {
        eq::utilities(
            &model.params,
            self.value,
            self.dependence,
            self.pivot,
            self.autonomy,
            self.entrapment,
            self.stance,
        )
    }
}

/// docs/model.md sections 7.4 to 7.6: value of closeness, logit choice, stance update.
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
            s.next_x[ij] = eq::next_stance(p, s.x[ij], action, noise);
        }
    }
}

/// docs/model.md section 7.7: treaties form after a run of eligible steps when both sides
/// accept, and dissolve with a hazard or when either stance turns negative.
fn update_treaties<R: RngCore>(model: &Model, s: &mut State, t: usize, rng: &mut R) {
    let p = &model.params;
    let n = s.n;
    for i in 0..n {
        for j in i + 1..n {
            let (ij, ji) = (i * n + j, j * n + i);
            let low = eq::lower_stance(s.x[ij], s.x[ji]);
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
