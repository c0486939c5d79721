//! The lockstep kernel: [`LANES`] runs advanced together, one step at a
//! time, so that each equation becomes a short loop over the runs that the
//! compiler turns into vector instructions.
//!
//! Every quantity of [`State`](super::State) is stored here as a [`Lane`],
//! one value per run. Each run keeps its own generator and draws from it in
//! exactly the order of the one-run kernel in `step.rs`, and every value
//! comes from the same functions of `equations.rs`, called lane by lane, so
//! a run gives the same bits whichever kernel runs it and whichever lanes
//! it shares (`tests/suite/lockstep.rs` checks this on every bundled
//! scenario). The one-run kernel stays the readable statement of the
//! model; this one is what the engine runs.

use super::draws::{normal_block_lanes, uniform_pairs, uniforms};
use super::equations::{
    self as eq, TreatySide, acceptance_exponent, acceptance_from, capability_terms,
    choice_exponents, dissolve_probability, eligible_run, lower_exponents, pick_action,
    treaty_decision, weights_from,
};
use super::rng::LaneRng;
use super::shocks::{ShockTarget, Target, Trigger, fire, step_probabilities};
use super::step::step_normals;
use super::{Attribute, Driver, Model, Params, Trace, math};

/// Runs per lockstep group: two 512-bit registers per quantity with
/// AVX-512, which leaves each operation two independent halves to overlap
/// (measured 5-12% faster than 8 on every instruction set, and 32 slower).
pub const LANES: usize = 16;
// Masks of lanes are u32.
const _: () = assert!(LANES <= u32::BITS as usize);

/// One value per run of a group.
pub type Lane = [f64; LANES];

/// The state of [`LANES`] runs of one model, laid out `[pair][lane]`.
/// Allocated once per worker and reused, like [`State`](super::State).
#[derive(Debug, Clone)]
pub struct Lockstep {
    n: usize,
    x: Vec<Lane>,
    drivers: [Vec<Lane>; Driver::COUNT],
    baselines: [Vec<Lane>; Driver::COUNT],
    capability: Vec<Lane>,
    aggression: Vec<Lane>,
    tau: Vec<Lane>,
    /// Third-party weights, `(i * n + j) * n + k`, as in `State`.
    weights: Vec<Lane>,
    /// Autonomy cost of each ordered pair.
    autonomy: Vec<Lane>,
    /// Whether any lane's capabilities moved away from the model's.
    capabilities_changed: bool,
    /// Scratch: the capabilities of one lane.
    capability_lane: Vec<f64>,
    dissolve_probability: f64,
    treaty: Vec<[bool; LANES]>,
    eligible_steps: Vec<[u32; LANES]>,
    shocks_fired: Vec<[u32; LANES]>,
    shock_probability: Vec<f64>,
    first_treaty: [Option<usize>; LANES],
    /// Scratch, as in `State`.
    value: Vec<Lane>,
    entrapment: Vec<Lane>,
    next_x: Vec<Lane>,
    /// Scratch: growth factor of each ordered pair (diagonal left out), in
    /// row order.
    growth: Vec<Lane>,
    /// Scratch: logit exponents, `3 * pair + action`, pairs as in `growth`.
    choice: Vec<Lane>,
    /// Scratch: the two lower logit exponents of each pair, `2 * pair +
    /// rank`, kept to place the weights, and their exponentials (recomputing
    /// them in the choice loop measured 0.8% more instructions).
    lower: Vec<Lane>,
    scaled: Vec<Lane>,
    /// Scratch: the normals of the current step, as in `State`.
    noise: Vec<Lane>,
}

/// Sets every lane of `lanes` to `values`, element by element.
fn fill_from(lanes: &mut [Lane], values: &[f64]) {
    for (lane, &v) in lanes.iter_mut().zip(values) {
        *lane = [v; LANES];
    }
}

impl Lockstep {
    /// A group sized for `model`, every lane at step 0.
    pub fn new(model: &Model) -> Lockstep {
        let n = model.n();
        let zeros = |len: usize| vec![[0.0; LANES]; len];
        let mut lanes = Lockstep {
            n,
            x: zeros(n * n),
            drivers: std::array::from_fn(|_| zeros(n * n)),
            baselines: std::array::from_fn(|_| zeros(n * n)),
            capability: zeros(n),
            aggression: zeros(n),
            tau: zeros(n),
            weights: zeros(n * n * n),
            autonomy: zeros(n * n),
            capabilities_changed: true,
            capability_lane: vec![0.0; n],
            dissolve_probability: dissolve_probability(&model.params),
            treaty: vec![[false; LANES]; n * n],
            eligible_steps: vec![[0; LANES]; n * n],
            shocks_fired: vec![[0; LANES]; model.shocks.len()],
            shock_probability: step_probabilities(&model.shocks, model.params.dt),
            first_treaty: [None; LANES],
            value: zeros(n * n),
            entrapment: zeros(n * n),
            next_x: zeros(n * n),
            growth: zeros(n * (n - 1)),
            choice: zeros(3 * n * (n - 1)),
            lower: zeros(2 * n * (n - 1)),
            scaled: zeros(2 * n * (n - 1)),
            noise: zeros(step_normals(model)),
        };
        lanes.reset(model);
        lanes
    }

    /// Puts every lane back to step 0 without reallocating.
    pub fn reset(&mut self, model: &Model) {
        fill_from(&mut self.x, &model.stance);
        for d in Driver::ALL {
            fill_from(&mut self.drivers[d as usize], &model.drivers[d as usize]);
            fill_from(&mut self.baselines[d as usize], &model.drivers[d as usize]);
        }
        fill_from(&mut self.capability, &model.capability);
        fill_from(&mut self.aggression, &model.aggression);
        fill_from(&mut self.tau, &model.tau);
        self.treaty.fill([false; LANES]);
        self.eligible_steps.fill([0; LANES]);
        self.shocks_fired.fill([0; LANES]);
        self.first_treaty = [None; LANES];
        if self.capabilities_changed {
            let (weights, autonomy) = (&mut self.weights, &mut self.autonomy);
            capability_terms(
                &model.capability,
                model.params.kappa_A,
                |ijk, w| weights[ijk] = [w; LANES],
                |ij, a| autonomy[ij] = [a; LANES],
            );
            self.capabilities_changed = false;
        }
    }

    /// Copies the current stances and treaties of every lane into step `t`
    /// of `trace`.
    #[inline(always)]
    fn record(&self, t: usize, trace: &mut LaneTrace) {
        let nn = self.n * self.n;
        trace.x[t * nn..(t + 1) * nn].copy_from_slice(&self.x);
        trace.treaty[t * nn..(t + 1) * nn].copy_from_slice(&self.treaty);
    }
}

/// The [`Trace`]s of the [`LANES`] runs of a group, laid out like
/// [`Lockstep`]: `x[t * n * n + i * n + j][lane]`. Recording a step is one
/// copy, and the summaries read every run of the group at once.
#[derive(Debug, Clone)]
pub struct LaneTrace {
    pub n: usize,
    pub horizon: usize,
    pub x: Vec<Lane>,
    pub treaty: Vec<[bool; LANES]>,
    pub shocks_fired: Vec<[u32; LANES]>,
    pub first_treaty: [Option<usize>; LANES],
}

impl LaneTrace {
    pub fn new(model: &Model) -> LaneTrace {
        let cells = (model.horizon + 1) * model.n() * model.n();
        LaneTrace {
            n: model.n(),
            horizon: model.horizon,
            x: vec![[0.0; LANES]; cells],
            treaty: vec![[false; LANES]; cells],
            shocks_fired: vec![[0; LANES]; model.shocks.len()],
            first_treaty: [None; LANES],
        }
    }

    /// How many times each shock fired in the run of lane `lane`.
    pub fn shocks_fired(&self, lane: usize) -> impl Iterator<Item = u32> + '_ {
        self.shocks_fired.iter().map(move |fired| fired[lane])
    }

    /// Copies the run of lane `lane` into `trace`.
    pub fn lane(&self, lane: usize, trace: &mut Trace) {
        for (to, from) in trace.x.iter_mut().zip(&self.x) {
            *to = from[lane];
        }
        for (to, from) in trace.treaty.iter_mut().zip(&self.treaty) {
            *to = from[lane];
        }
        trace.shocks_fired.clear();
        trace.shocks_fired.extend(self.shocks_fired(lane));
        trace.first_treaty = self.first_treaty[lane];
    }
}

/// The instruction sets the lockstep kernel is compiled for. Every version
/// does the same IEEE operations in the same order (no fused multiply-add),
/// so they give the same bits; wider vectors only take fewer instructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// What every processor of the target has (SSE2 on x86-64).
    Baseline,
    /// x86-64 with AVX2: 256-bit vectors.
    Avx2,
    /// x86-64 with AVX-512 (F, DQ, VL): 512-bit vectors.
    Avx512,
}

impl Isa {
    pub const ALL: [Isa; 3] = [Isa::Baseline, Isa::Avx2, Isa::Avx512];

    /// Whether this processor can run the version.
    pub fn supported(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            match self {
                Isa::Baseline => true,
                Isa::Avx2 => has!("avx2"),
                Isa::Avx512 => has!("avx512f") && has!("avx512dq") && has!("avx512vl"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == Isa::Baseline
        }
    }

    /// The widest version this processor can run.
    pub fn best() -> Isa {
        static BEST: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
        *BEST.get_or_init(|| {
            Isa::ALL
                .into_iter()
                .rev()
                .find(|isa| isa.supported())
                .unwrap_or(Isa::Baseline)
        })
    }
}

/// Runs [`LANES`] runs of `model` from step 0 to the horizon, run `l`
/// drawing from lane `l` of `rng` and recorded in lane `l` of `trace`, with
/// the widest vectors the processor has ([`Isa::best`]).
pub fn simulate_lanes(
    model: &Model,
    rng: &mut LaneRng,
    lanes: &mut Lockstep,
    trace: &mut LaneTrace,
) {
    simulate_lanes_on(Isa::best(), model, rng, lanes, trace);
}

/// [`simulate_lanes`] with the version compiled for `isa`.
///
/// # Panics
/// If the processor does not support `isa`.
pub fn simulate_lanes_on(
    isa: Isa,
    model: &Model,
    rng: &mut LaneRng,
    lanes: &mut Lockstep,
    trace: &mut LaneTrace,
) {
    assert!(isa.supported(), "this processor lacks {isa:?}");
    match isa {
        Isa::Baseline => simulate_lanes_inline(model, rng, lanes, trace),
        // SAFETY: the processor supports the version's features, as just
        // asserted.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { simulate_lanes_avx2(model, rng, lanes, trace) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { simulate_lanes_avx512(model, rng, lanes, trace) },
        #[cfg(not(target_arch = "x86_64"))]
        _ => unreachable!("only the baseline is supported off x86-64"),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn simulate_lanes_avx2(
    model: &Model,
    rng: &mut LaneRng,
    lanes: &mut Lockstep,
    trace: &mut LaneTrace,
) {
    simulate_lanes_inline(model, rng, lanes, trace);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
fn simulate_lanes_avx512(
    model: &Model,
    rng: &mut LaneRng,
    lanes: &mut Lockstep,
    trace: &mut LaneTrace,
) {
    simulate_lanes_inline(model, rng, lanes, trace);
}

/// The body of [`simulate_lanes`], inlined into each compiled version.
#[inline(always)]
fn simulate_lanes_inline(
    model: &Model,
    rng: &mut LaneRng,
    lanes: &mut Lockstep,
    trace: &mut LaneTrace,
) {
    lanes.reset(model);
    lanes.record(0, trace);
    for t in 0..model.horizon {
        step_lanes(model, lanes, t, rng);
        lanes.record(t + 1, trace);
    }
    trace.shocks_fired.copy_from_slice(&lanes.shocks_fired);
    trace.first_treaty = lanes.first_treaty;
}

/// Advances every lane from step `t` to step `t + 1`.
#[inline(always)]
fn step_lanes(model: &Model, s: &mut Lockstep, t: usize, rng: &mut LaneRng) {
    if !model.schedules.is_empty() {
        follow_schedules(model, s, t);
    }
    fire_shocks(model, s, t, rng);
    update_drivers(model, s, rng);
    choose_stances(model, s, rng);
    update_treaties(model, s, t, rng);
    std::mem::swap(&mut s.x, &mut s.next_x);
}

/// docs/model.md section 7.1, as `fire_shocks` in `shocks.rs`: shock by
/// shock, every lane draws its uniform and the lanes it fires in take its
/// effects.
#[inline(always)]
fn fire_shocks(model: &Model, s: &mut Lockstep, t: usize, rng: &mut LaneRng) {
    for (k, shock) in model.shocks.iter().enumerate() {
        if !shock.in_window(t) {
            continue;
        }
        let due = match shock.trigger {
            Trigger::AtStep(at) => [at == t; LANES],
            Trigger::Rate(_) => {
                let probability = s.shock_probability[k];
                uniforms(rng).map(|u| u < probability)
            }
        };
        let open = s.shocks_fired[k].map(|fired| fired < shock.max_count);
        // Bit `l` is set if the shock fires in lane `l`, and the set bits are
        // visited lowest first: one branch per firing, where a branch on
        // every lane mispredicts on most of these random events (this form
        // measured 5% faster all-in; with the mask built by a helper taking
        // a closure, the gain was lost).
        let mut fires = (0..LANES).fold(0u32, |bits, l| bits | u32::from(due[l] && open[l]) << l);
        while fires != 0 {
            let lane = take_lowest(&mut fires);
            fire(&mut LaneTarget { s, lane }, k, shock, &model.params);
        }
    }
}

/// docs/model.md section 6.1, as `series::follow` for one run: every lane
/// takes the same change of each series, so each change is one loop over
/// the lanes.
#[inline(always)]
fn follow_schedules(model: &Model, s: &mut Lockstep, t: usize) {
    if t == 0 {
        return;
    }
    let n = s.n;
    let mut capability_moved = false;
    for schedule in &model.schedules {
        let Some(effect) = schedule.change(t) else {
            continue;
        };
        let (op, by) = (effect.op, effect.value);
        match effect.target {
            Target::Driver(d, i, j) => {
                for ij in d.pairs_of(n, i, j) {
                    for values in [
                        &mut s.drivers[d as usize][ij],
                        &mut s.baselines[d as usize][ij],
                    ] {
                        *values = values.map(|v| op.driver(d, v, by));
                    }
                }
            }
            Target::Attribute(a, i) => {
                let values = match a {
                    Attribute::Capability => &mut s.capability[i],
                    Attribute::Aggression => &mut s.aggression[i],
                    Attribute::Tau => &mut s.tau[i],
                };
                *values = values.map(|v| op.attribute(a, v, by));
                capability_moved |= a == Attribute::Capability;
            }
            // Series never target stances (checked when they are read).
            Target::Stance(..) => {}
        }
    }
    if capability_moved {
        for lane in 0..LANES {
            s.refresh_weights_of(lane, &model.params);
        }
    }
}

impl Lockstep {
    /// Recomputes the third-party weights and autonomy costs of lane `lane`
    /// from its capabilities.
    fn refresh_weights_of(&mut self, lane: usize, p: &Params) {
        for (w, c) in self.capability_lane.iter_mut().zip(&self.capability) {
            *w = c[lane];
        }
        let (weights, autonomy) = (&mut self.weights, &mut self.autonomy);
        capability_terms(
            &self.capability_lane,
            p.kappa_A,
            |ijk, w| weights[ijk][lane] = w,
            |ij, a| autonomy[ij][lane] = a,
        );
        self.capabilities_changed = true;
    }
}

/// One lane seen as the state of one run, for shocks.
struct LaneTarget<'a> {
    s: &'a mut Lockstep,
    lane: usize,
}

impl ShockTarget for LaneTarget<'_> {
    fn agents(&self) -> usize {
        self.s.n
    }

    fn fired(&mut self, s: usize) -> &mut u32 {
        &mut self.s.shocks_fired[s][self.lane]
    }

    fn driver(&mut self, d: Driver, ij: usize) -> &mut f64 {
        &mut self.s.drivers[d as usize][ij][self.lane]
    }

    fn baseline(&mut self, d: Driver, ij: usize) -> &mut f64 {
        &mut self.s.baselines[d as usize][ij][self.lane]
    }

    fn attribute(&mut self, a: Attribute, i: usize) -> &mut f64 {
        let values = match a {
            Attribute::Capability => &mut self.s.capability,
            Attribute::Aggression => &mut self.s.aggression,
            Attribute::Tau => &mut self.s.tau,
        };
        &mut values[i][self.lane]
    }

    fn stance(&mut self, ij: usize) -> &mut f64 {
        &mut self.s.x[ij][self.lane]
    }

    fn capability_changed(&mut self, p: &Params) {
        self.s.refresh_weights_of(self.lane, p);
    }
}

/// Clears the lowest set bit of a non-zero lane mask and returns its lane.
#[inline(always)]
fn take_lowest(mask: &mut u32) -> usize {
    let lane = mask.trailing_zeros() as usize;
    *mask &= *mask - 1;
    lane
}

/// `f` applied lane by lane.
#[inline(always)]
fn each(mut f: impl FnMut(usize) -> f64) -> Lane {
    let mut lane = [0.0; LANES];
    for (l, value) in lane.iter_mut().enumerate() {
        *value = f(l);
    }
    lane
}

/// docs/model.md sections 7.2 and 7.3, as `update_drivers` in `step.rs`.
#[inline(always)]
fn update_drivers(model: &Model, s: &mut Lockstep, rng: &mut LaneRng) {
    let p = &model.params;
    let n = s.n;
    let shock_scale = eq::dependence_shock_scale(p);
    normal_block_lanes(rng, &mut s.noise);
    let mut noise = s.noise.iter();
    // Growth is kept for the ordered pairs only, in row order.
    for (pair, (ij, ji)) in Driver::E.update_pairs(n).enumerate() {
        let (x_ij, x_ji, e) = (s.x[ij], s.x[ji], s.drivers[Driver::E as usize][ij]);
        let draw = noise.next().expect("a normal per pair");
        let mu = model.mu[ij];
        s.growth[pair] =
            each(|l| eq::growth_exponent(p, mu, e[l], x_ij[l], x_ji[l], shock_scale, draw[l]));
    }
    math::exp_via_single_in_place(s.growth.as_flattened_mut());
    for ((ij, _), g) in Driver::E.update_pairs(n).zip(&s.growth) {
        let e = &mut s.drivers[Driver::E as usize][ij];
        *e = each(|l| e[l] * g[l]);
    }
    for d in Driver::REVERTING {
        let (values, baselines) = (&mut s.drivers[d as usize], &s.baselines[d as usize]);
        for (ij, ji) in d.update_pairs(n) {
            let noise = if p.sigma_d > 0.0 {
                noise
                    .next()
                    .expect("a normal per update pair")
                    .map(|v| p.sigma_d * v)
            } else {
                [0.0; LANES]
            };
            let (v, base) = (values[ij], baselines[ij]);
            let next = each(|l| eq::revert(d, p, v[l], base[l], noise[l]));
            values[ij] = next;
            if d.symmetric() {
                values[ji] = next;
            }
        }
    }
}

/// docs/model.md sections 7.4 to 7.6, as `choose_stances` and `PairTerms`
/// in `step.rs`.
#[inline(always)]
fn choose_stances(model: &Model, s: &mut Lockstep, rng: &mut LaneRng) {
    let p = &model.params;
    let n = s.n;
    let drivers = &s.drivers;
    let (e, coercion) = (&drivers[Driver::E as usize], &drivers[Driver::G as usize]);
    let x = &s.x;
    // Logit weights are kept for the ordered pairs only, in row order.
    let mut pair = 0;
    for i in 0..n {
        let inverse_tau = each(|l| 1.0 / s.tau[i][l]);
        for j in 0..n {
            let ij = i * n + j;
            if i == j {
                continue;
            }
            let ji = j * n + i;
            let dependence = each(|l| eq::dependence(p, e[ij][l]));
            let propensity = each(|l| {
                eq::propensity(p, dependence[l], |d, k| drivers[d as usize][k][l], ij, ji)
            });
            let mut balance = [0.0; LANES];
            let mut pivot = [0.0; LANES];
            let mut entrapment = [0.0; LANES];
            for l in 0..LANES {
                [balance[l], pivot[l], entrapment[l]] =
                    eq::third_party_start(p, s.aggression[j][l]);
            }
            for k in 0..n {
                if k == i || k == j {
                    continue;
                }
                let wt = s.weights[ij * n + k];
                let (x_ik, x_jk, x_kj, x_ki) =
                    (x[i * n + k], x[j * n + k], x[k * n + j], x[k * n + i]);
                let coercion_jk = coercion[j * n + k];
                for l in 0..LANES {
                    let terms = eq::third_party_terms(
                        p,
                        wt[l],
                        x_ik[l],
                        x_jk[l],
                        x_kj[l],
                        x_ki[l],
                        coercion_jk[l],
                    );
                    balance[l] += terms[0];
                    pivot[l] += terms[1];
                    entrapment[l] += terms[2];
                }
            }
            let value = each(|l| eq::value(p, propensity[l], balance[l], x[ji][l]));
            let autonomy = s.autonomy[ij];
            s.value[ij] = value;
            s.entrapment[ij] = entrapment;
            let mut exponents = [[0.0; LANES]; 3];
            let mut lower = [[0.0; LANES]; 2];
            for l in 0..LANES {
                let utilities = eq::utilities(
                    p,
                    value[l],
                    dependence[l],
                    pivot[l],
                    autonomy[l],
                    entrapment[l],
                    x[ij][l],
                );
                let e = choice_exponents(utilities, inverse_tau[l]);
                [exponents[0][l], exponents[1][l], exponents[2][l]] = e;
                [lower[0][l], lower[1][l]] = lower_exponents(e);
            }
            s.choice[3 * pair..3 * pair + 3].copy_from_slice(&exponents);
            s.lower[2 * pair..2 * pair + 2].copy_from_slice(&lower);
            pair += 1;
        }
    }
    // Two exponentials per pair: the largest exponent's weight is 1.
    s.scaled.copy_from_slice(&s.lower);
    math::exp_via_single_in_place(s.scaled.as_flattened_mut());
    // The stance noise closes the step's block of normals.
    let mut stance_noise = s.noise[s.noise.len() - n * (n - 1)..].iter();
    // One output per two pairs, as in `step.rs`.
    let mut choice_uniforms = [[0.0; LANES]; 2];
    let mut pair = 0;
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let ij = i * n + j;
            if pair % 2 == 0 {
                choice_uniforms = uniform_pairs(rng);
            }
            let uniform = choice_uniforms[pair % 2];
            let noise = if p.sigma_x > 0.0 {
                let draw = stance_noise.next().expect("a normal per pair");
                draw.map(|v| p.sigma_x * v)
            } else {
                [0.0; LANES]
            };
            let [oppose, hedge, align] = [0, 1, 2].map(|a| s.choice[3 * pair + a]);
            let [low, middle] = [0, 1].map(|r| s.lower[2 * pair + r]);
            let [low_weight, middle_weight] = [0, 1].map(|r| s.scaled[2 * pair + r]);
            pair += 1;
            let x_ij = s.x[ij];
            s.next_x[ij] = each(|l| {
                let weights = weights_from(
                    [oppose[l], hedge[l], align[l]],
                    [low[l], middle[l]],
                    [low_weight[l], middle_weight[l]],
                );
                let action = pick_action(weights, uniform[l]);
                eq::next_stance(p, x_ij[l], action, noise[l])
            });
        }
    }
}

/// docs/model.md section 7.7, as `update_treaties` in `step.rs`: every lane
/// draws its two uniforms per dyad; unless every lane is quiet (no treaty in
/// force, none offered), the acceptance probabilities are computed for all
/// lanes at once when any lane has an offer, and every lane takes the
/// decision.
#[inline(always)]
fn update_treaties(model: &Model, s: &mut Lockstep, t: usize, rng: &mut LaneRng) {
    let p = &model.params;
    let n = s.n;
    for i in 0..n {
        for j in i + 1..n {
            let (ij, ji) = (i * n + j, j * n + i);
            let low = each(|l| eq::lower_stance(s.x[ij][l], s.x[ji][l]));
            let draws = uniform_pairs(rng);
            // In most steps and lanes no treaty is in force and none is
            // offered: the lane is quiet, and only its run of eligible steps
            // moves. The tests below combine lanes without short-circuits,
            // which would branch on random outcomes.
            let before = s.eligible_steps[ij];
            let mut runs = [0; LANES];
            let mut quiet = [false; LANES];
            for l in 0..LANES {
                runs[l] = eligible_run(p, low[l], before[l]);
                quiet[l] = !s.treaty[ij][l] && !eq::offered(p, runs[l]);
            }
            s.eligible_steps[ij] = runs;
            s.eligible_steps[ji] = runs;
            if quiet.iter().fold(true, |all, &q| all & q) {
                continue;
            }
            // The acceptance probabilities of both sides in every lane, as
            // vectors, if any lane has an offer; only those lanes read them.
            let offered = (0..LANES).fold(false, |any, l| any | (!quiet[l] & !s.treaty[ij][l]));
            let mut acceptance = [[0.0; LANES]; 2];
            if offered {
                for (k, (ab, a)) in [(ij, i), (ji, j)].into_iter().enumerate() {
                    acceptance[k] = each(|l| {
                        let side = TreatySide {
                            value: s.value[ab][l],
                            autonomy: s.autonomy[ab][l],
                            entrapment: s.entrapment[ab][l],
                            tau: s.tau[a][l],
                        };
                        acceptance_exponent(p, &side)
                    });
                }
                math::exp_via_single_in_place(acceptance.as_flattened_mut());
                acceptance = acceptance.map(|side| side.map(acceptance_from));
            }
            // A quiet lane's decision keeps its state and forms nothing, so
            // all lanes decide in one loop free of per-lane branches
            // (measured 2% faster all-in than visiting the busy lanes); the
            // lanes where a treaty formed are then visited as the set bits
            // of a mask, as in `fire_shocks`.
            let mut formed = 0u32;
            for l in 0..LANES {
                let mut in_force = s.treaty[ij][l];
                let formed_here = treaty_decision(
                    p,
                    s.dissolve_probability,
                    low[l],
                    runs[l],
                    &mut in_force,
                    |k| acceptance[k][l],
                    [draws[0][l], draws[1][l]],
                );
                s.treaty[ij][l] = in_force;
                s.treaty[ji][l] = in_force;
                formed |= u32::from(formed_here) << l;
            }
            while formed != 0 {
                let l = take_lowest(&mut formed);
                s.first_treaty[l].get_or_insert(t + 1);
            }
        }
    }
}
