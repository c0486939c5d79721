//! The equations of the model for one pair of one run, each written once:
//! the one-run kernel (`step.rs`) calls them pair by pair, the lockstep
//! kernel (`lockstep.rs`) lane by lane inside its loops over runs. Both
//! kernels only decide the order of the loops, where the random draws come
//! from and which exponentials and logarithms are batched; every value of
//! the model comes from here, so the two give the same bits by
//! construction.
//!
//! Every function a kernel calls inside its loops is `#[inline(always)]`:
//! inside a loop over the lanes of a group, a call must vanish so that the
//! loop becomes vector instructions.
//! The sections cited are those of docs/model.md.

use super::{Driver, Params, math};

/// Alignment z_ij of a dyad from its two stances (section 7.2).
#[inline(always)]
pub fn alignment(x_ij: f64, x_ji: f64) -> f64 {
    0.5 * (x_ij + x_ji)
}

/// Standard deviation of the shock to log dependence over one step,
/// `sigma_E sqrt(dt)` (section 7.2).
#[inline(always)]
pub(crate) fn dependence_shock_scale(p: &Params) -> f64 {
    p.sigma_E * p.dt.sqrt()
}

/// The exponent of the growth factor of E_ij over one step (section 7.2),
/// `(mu_ij + psi z_ij) dt + shock_scale draw`, given the pair's normal
/// `draw`; 0 (a factor of exactly 1) when E_ij is 0, which therefore stays
/// 0.
#[inline(always)]
pub(crate) fn growth_exponent(
    p: &Params,
    mu_ij: f64,
    e_ij: f64,
    x_ij: f64,
    x_ji: f64,
    shock_scale: f64,
    draw: f64,
) -> f64 {
    let shock = shock_scale * draw;
    if e_ij == 0.0 {
        0.0
    } else {
        (mu_ij + p.psi * alignment(x_ij, x_ji)) * p.dt + shock
    }
}

/// One step of a reverting driver `d` toward `baseline` with `noise` added,
/// clipped to the driver's range (section 7.3). The noise is scaled by the
/// room the value has between its bounds, `2 sqrt((v - lo)(hi - v)) / (hi -
/// lo)`: 1 in the middle of the range, 0 at either bound (a Jacobi diffusion
/// rather than a clipped Gaussian one). A driver at a bound with its
/// baseline there therefore stays exactly there, and one near a bound is
/// rarely clipped, so the clip no longer pushes the mean away from the
/// baseline (section 9, item 3).
#[inline(always)]
pub(crate) fn revert(d: Driver, p: &Params, value: f64, baseline: f64, noise: f64) -> f64 {
    let (lo, hi) = d.range();
    let room = 2.0 * ((value - lo) * (hi - value)).sqrt() / (hi - lo);
    (value + p.phi * (baseline - value) + room * noise).clamp(lo, hi)
}

/// Hands over the terms that depend on capabilities `w` (sections 7.4 and
/// 7.5): the weight `wt_k` of every third party, `(i * n + j) * n + k`, its
/// share of the capability of all agents other than i and j (zero where `k`
/// is `i` or `j`), and the autonomy cost `kappa_A w_j / (w_i + w_j)` of every
/// ordered pair `i * n + j`. Both kernels call it when capabilities change,
/// not per step.
pub(crate) fn capability_terms(
    w: &[f64],
    kappa_a: f64,
    mut weight: impl FnMut(usize, f64),
    mut autonomy: impl FnMut(usize, f64),
) {
    let n = w.len();
    let total: f64 = w.iter().sum();
    for i in 0..n {
        for j in 0..n {
            let ij = i * n + j;
            autonomy(ij, kappa_a * w[j] / (w[i] + w[j]));
            let others = total - w[i] - w[j];
            for (k, &w_k) in w.iter().enumerate() {
                let share = if k != i && k != j && others > 0.0 {
                    w_k / others
                } else {
                    0.0
                };
                weight(ij * n + k, share);
            }
        }
    }
}

/// The argument `1 + E_ij / E0` of the dependence term (section 7.4).
#[inline(always)]
pub(crate) fn dependence_ratio(p: &Params, e_ij: f64) -> f64 {
    1.0 + e_ij / p.E0
}

/// The dependence term `ln(1 + E_ij / E0)` (sections 7.4 and 7.5), with the
/// logarithm in single precision.
#[inline(always)]
pub(crate) fn dependence(p: &Params, e_ij: f64) -> f64 {
    math::ln_via_single(dependence_ratio(p, e_ij))
}

/// Propensity pi_ij (section 7.4) from the dependence term and the
/// bilateral drivers: `driver(d, k)` is the value of driver `d` at the flat
/// pair index `k`, and `ij`, `ji` are the indices of i -> j and j -> i.
/// Pressure and coercion both enter from the partner's side (`P_ji`,
/// `G_ji`): i values j less the harder j presses and coerces i (section 9,
/// item 14).
#[inline(always)]
pub(crate) fn propensity(
    p: &Params,
    dependence: f64,
    driver: impl Fn(Driver, usize) -> f64,
    ij: usize,
    ji: usize,
) -> f64 {
    p.beta_E * dependence + p.beta_N * driver(Driver::N, ij)
        - p.beta_R * driver(Driver::R, ij)
        - p.beta_P * driver(Driver::P, ji)
        - p.beta_G * driver(Driver::G, ji)
}

/// The sums over third parties of a pair before the first term: balance
/// field B_ij, pivot sum and entrapment exposure Ent_ij, which starts from
/// `g_j theta0` (sections 7.4 and 7.5).
#[inline(always)]
pub(crate) fn third_party_start(p: &Params, aggression_j: f64) -> [f64; 3] {
    [0.0, 0.0, aggression_j * p.theta0]
}

/// What third party k adds to the sums of pair i -> j (sections 7.4 and
/// 7.5): `wt_k x_ik x_jk` to the balance field, `wt_k max(0, -x_kj)
/// max(0, x_ki)` to the pivot sum and `G_jk (theta0 + max(0, x_ik))` to the
/// entrapment exposure.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn third_party_terms(
    p: &Params,
    wt: f64,
    x_ik: f64,
    x_jk: f64,
    x_kj: f64,
    x_ki: f64,
    coercion_jk: f64,
) -> [f64; 3] {
    [
        wt * x_ik * x_jk,
        wt * (-x_kj).max(0.0) * x_ki.max(0.0),
        coercion_jk * (p.theta0 + x_ik.max(0.0)),
    ]
}

/// Value of closeness `V_ij = pi_ij + lambda_B B_ij + rho x_ji` (section
/// 7.4).
#[inline(always)]
pub(crate) fn value(p: &Params, propensity: f64, balance: f64, x_ji: f64) -> f64 {
    propensity + p.lambda_B * balance + p.rho * x_ji
}

/// Utilities of oppose, hedge and align (section 7.5), given the value of
/// closeness, the dependence term, the pivot sum, the autonomy cost
/// `kappa_A w_j / (w_i + w_j)`, the entrapment exposure and the stance
/// `x_ij` already held. Deepening that stance costs `kappa_S x_ij`:
/// aligning costs that much more and opposing that much less when `x_ij > 0`,
/// the other way round when it is negative (section 9, item 13). With
/// `kappa_S = 0` the utilities are those of the specification, bit for bit.
#[inline(always)]
pub(crate) fn utilities(
    p: &Params,
    value: f64,
    dependence: f64,
    pivot: f64,
    autonomy: f64,
    entrapment: f64,
    x_ij: f64,
) -> [f64; 3] {
    let deepening = p.kappa_S * x_ij;
    [
        -value - p.kappa_O * dependence + deepening,
        p.mu_H * pivot,
        value - autonomy - p.kappa_E * entrapment - deepening,
    ]
}

/// The exponents (u_a - max u) / tau of the logit weights of utilities `u`,
/// given 1 / tau (section 7.5). Subtracting the largest utility keeps the
/// weights in (0, 1], so they cannot overflow; the largest has weight
/// exp(0) = 1 exactly.
#[inline(always)]
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

/// Picks -1, 0 or +1 with probabilities proportional to `weights` (section
/// 7.5): `uniform < w0 / total` is tested as `uniform * total < w0`, without
/// branches since the outcome is unpredictable.
#[inline(always)]
pub(crate) fn pick_action(weights: [f64; 3], uniform: f64) -> f64 {
    let [oppose, hedge, align] = weights;
    let c = uniform * (oppose + hedge + align);
    f64::from(u8::from(c >= oppose)) + f64::from(u8::from(c >= oppose + hedge)) - 1.0
}

/// Logit choice probabilities of oppose, hedge and align for utilities `u`
/// at temperature `tau`, in double precision. The kernels' weights are
/// exponentials in single precision (`math::exp_via_single`), which give
/// probabilities within 1e-7 of these: a uniform then picks another action
/// than with these probabilities at most 1e-7 of the time.
pub fn choice_probabilities(u: [f64; 3], tau: f64) -> [f64; 3] {
    let w = choice_exponents(u, 1.0 / tau).map(math::exp);
    let total = w[0] + w[1] + w[2];
    w.map(|v| v / total)
}

/// Picks -1, 0 or +1 with the logit probabilities of `u`, given a uniform
/// draw `uniform` in [0, 1), with the kernels' weights.
pub fn sample_action(u: [f64; 3], tau: f64, uniform: f64) -> f64 {
    pick_action(
        choice_exponents(u, 1.0 / tau).map(math::exp_via_single),
        uniform,
    )
}

/// The stance of the next step (section 7.6), from the current stance, the
/// chosen action and the stance noise `sigma_x eps_ij`.
#[inline(always)]
pub(crate) fn next_stance(p: &Params, x_ij: f64, action: f64, noise: f64) -> f64 {
    ((1.0 - p.eta) * x_ij + p.eta * action + noise).clamp(-1.0, 1.0)
}

/// Per-step treaty dissolution probability `1 - exp(-h_D dt)` (section
/// 7.7).
pub(crate) fn dissolve_probability(p: &Params) -> f64 {
    1.0 - math::exp(-p.h_D * p.dt)
}

/// The lower of a dyad's two stances, which decides its eligibility for a
/// treaty and the end of one in force (section 7.7).
#[inline(always)]
pub(crate) fn lower_stance(x_ij: f64, x_ji: f64) -> f64 {
    x_ij.min(x_ji)
}

/// The run of eligible steps of a dyad, `run` before a step whose lower
/// stance is `low` (section 7.7).
#[inline(always)]
pub(crate) fn eligible_run(p: &Params, low: f64, run: u32) -> u32 {
    if low >= p.theta_T { run + 1 } else { 0 }
}

/// Whether a dyad without a treaty is offered one after `eligible` eligible
/// steps (section 7.7).
#[inline(always)]
pub(crate) fn offered(p: &Params, eligible: u32) -> bool {
    f64::from(eligible) >= p.M
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

/// The exponent `-net / tau` of a side's acceptance of a treaty (section
/// 7.7), whose probability is `logistic(net / tau) = 1 / (1 + exp(-net /
/// tau))` ([`acceptance_from`]).
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

/// The treaty decision of one dyad in one run (section 7.7). `low` is the
/// lower of its two stances and `eligible` its run of eligible steps
/// including this one ([`eligible_run`]); `in_force` is updated in place;
/// `acceptance(0)` and `acceptance(1)` are the probabilities that i -> j
/// and j -> i accept, read only when a treaty is offered. `draws` are the
/// dyad's two uniforms of the step: the first decides the hazard of a
/// treaty in force whose stances are both non-negative, both the
/// acceptances of an offer. Returns whether a treaty formed.
#[inline(always)]
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
    } else if offered(p, eligible) {
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

    /// With `kappa_S = 0` and `beta_G = 0` the revised propensity and
    /// utilities (docs/model.md section 9, items 13 and 14) are those of the
    /// specification bit for bit, whatever the stance and the coercion; with
    /// them on, each moves by its term exactly as documented.
    #[test]
    fn revised_terms_vanish_at_zero_and_act_as_documented() {
        let mut p = Params {
            kappa_S: 0.0,
            beta_G: 0.0,
            ..Params::default()
        };
        let drivers =
            |d: Driver, k: usize| [0.3, -0.7, 0.45, 0.9][d as usize % 4] + k as f64 * 0.01;
        for x_ij in [-1.0, -0.37, -0.0, 0.0, 0.61, 1.0] {
            for (v, dep, piv, aut, ent) in [(1.3, 0.4, 0.2, 0.5, 0.1), (-0.8, 2.1, 0.0, 0.08, 0.7)]
            {
                let old = [
                    -v - p.kappa_O * dep,
                    p.mu_H * piv,
                    v - aut - p.kappa_E * ent,
                ];
                let new = utilities(&p, v, dep, piv, aut, ent, x_ij);
                assert_eq!(new.map(f64::to_bits), old.map(f64::to_bits), "x_ij {x_ij}");
            }
        }
        let old = p.beta_E * 1.2 + p.beta_N * drivers(Driver::N, 1)
            - p.beta_R * drivers(Driver::R, 1)
            - p.beta_P * drivers(Driver::P, 2);
        assert_eq!(propensity(&p, 1.2, drivers, 1, 2).to_bits(), old.to_bits());
        p.kappa_S = 0.8;
        p.beta_G = 1.5;
        let [oppose, hedge, align] = utilities(&p, 1.3, 0.4, 0.2, 0.5, 0.1, 0.5);
        assert!((oppose - (-1.3 - p.kappa_O * 0.4 + 0.4)).abs() < 1e-12);
        assert_eq!(hedge, p.mu_H * 0.2);
        assert!((align - (1.3 - 0.5 - p.kappa_E * 0.1 - 0.4)).abs() < 1e-12);
        let coerced = old - 1.5 * drivers(Driver::G, 2);
        assert!((propensity(&p, 1.2, drivers, 1, 2) - coerced).abs() < 1e-12);
    }

    /// The weights of the third-party sums are read from `wt_k`, and the
    /// pivot term needs k hostile to j and friendly to i.
    #[test]
    fn pivot_term_needs_a_rival_of_the_partner_friendly_to_the_chooser() {
        let p = Params::default();
        let [_, pivot, _] = third_party_terms(&p, 0.5, 0.0, 0.0, -0.4, 0.6, 0.0);
        assert_eq!(pivot, 0.5 * 0.4 * 0.6);
        for (x_kj, x_ki) in [(0.4, 0.6), (-0.4, -0.6), (0.0, 0.6)] {
            let [_, pivot, _] = third_party_terms(&p, 0.5, 0.0, 0.0, x_kj, x_ki, 0.0);
            assert_eq!(pivot, 0.0, "x_kj {x_kj}, x_ki {x_ki}");
        }
    }
}
