//! The lockstep kernel the engine runs must give every run exactly the
//! trace of the one-run kernel that documents the model: same stances, same
//! treaties, same shock counts, bit for bit, whatever lanes a run shares.

use std::path::Path;

use entente::engine::{LaneRng, run_rng};
use entente::model::{
    Attribute, Driver, Effect, EffectOp, Isa, LANES, LaneTrace, Lockstep, Model, Shock, State,
    Target, Trace, Trigger, simulate, simulate_lanes_on,
};
use entente::scenario;

/// The versions of the lockstep kernel this processor can run. Any it
/// cannot is left out of the comparisons, and a line on stderr (written
/// past the test harness's capture, once per test binary) says which and
/// why, so a machine without AVX-512 does not check less in silence.
fn supported_isas() -> Vec<Isa> {
    static REPORTED: std::sync::Once = std::sync::Once::new();
    let (isas, missing): (Vec<Isa>, Vec<Isa>) =
        Isa::ALL.into_iter().partition(|isa| isa.supported());
    REPORTED.call_once(|| {
        use std::io::Write;
        for isa in missing {
            let features = match isa {
                Isa::Baseline => "none",
                Isa::Avx2 => "avx2",
                Isa::Avx512 => "avx512f, avx512dq and avx512vl",
            };
            let _ = writeln!(
                std::io::stderr(),
                "lockstep: the {isa:?} kernel is not compared (skipped): this processor lacks {features}"
            );
        }
    });
    isas
}

/// Checks runs `first..first + groups * LANES` of `model` under `seed`, with
/// every version of the lockstep kernel this processor can run, and returns
/// how many of the runs formed a treaty.
fn assert_lockstep_matches_one_run_kernel(
    model: &Model,
    seed: u64,
    first: u64,
    groups: u64,
) -> usize {
    let mut state = State::new(model);
    let mut alone = Trace::new(model);
    let mut lanes = Lockstep::new(model);
    let mut lane_trace = LaneTrace::new(model);
    let mut together = Trace::new(model);
    let mut treaties = 0;
    let isas = supported_isas();
    for (group, isa) in (0..groups).flat_map(|g| isas.iter().map(move |&isa| (g, isa))) {
        let start = first + group * LANES as u64;
        let mut rng = LaneRng::new(seed, 3, start);
        simulate_lanes_on(isa, model, &mut rng, &mut lanes, &mut lane_trace);
        for l in 0..LANES {
            lane_trace.lane(l, &mut together);
            let run = start + l as u64;
            simulate(model, &mut run_rng(seed, 3, run), &mut state, &mut alone);
            let same_bits = alone
                .x
                .iter()
                .zip(&together.x)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same_bits, "run {run} ({isa:?}): stances differ");
            assert_eq!(alone.treaty, together.treaty, "run {run}: treaties differ");
            assert_eq!(alone.shocks_fired, together.shocks_fired, "run {run}");
            assert_eq!(alone.first_treaty, together.first_treaty, "run {run}");
            if isa == Isa::Baseline {
                treaties += usize::from(alone.first_treaty.is_some());
            }
        }
    }
    treaties
}

#[test]
fn every_bundled_scenario_runs_the_same_in_lockstep() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let (mut checked, mut treaties) = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let s = scenario::load(&path).expect("bundled scenario");
            treaties += assert_lockstep_matches_one_run_kernel(&s.built.model, 2020, 0, 40);
            checked += 1;
        }
    }
    assert!(checked >= 5);
    assert!(treaties > 0, "the treaty branch was never exercised");
}

/// Four agents under every kind of shock effect, with treaties easy to form
/// and to lose, so lanes diverge in draws, weights and temperatures.
fn every_effect_model() -> Model {
    let ids = ["A", "B", "C", "D"].map(String::from).to_vec();
    let mut m = Model::blank(ids, 30);
    m.params.theta_T = 0.1;
    m.params.M = 1.0;
    m.params.h_D = 0.5;
    m.params.c_T = 0.0;
    // Both revised terms switched on (docs/model.md section 9, items 13-14),
    // whatever the defaults.
    m.params.kappa_S = 0.7;
    m.params.beta_G = 0.5;
    m.capability = vec![0.3, 0.2, 0.4, 0.1];
    m.aggression = vec![0.2, 0.0, 0.5, 0.3];
    let n = 4;
    for i in 0..n {
        for j in 0..n {
            if i != j {
                let ij = i * n + j;
                m.drivers[Driver::E as usize][ij] = 1.0 + (i + 2 * j) as f64;
                m.drivers[Driver::N as usize][ij] = if i.min(j) == 0 { 0.6 } else { -0.2 };
                m.drivers[Driver::R as usize][ij] = 0.3;
                m.drivers[Driver::P as usize][ij] = 0.1 * j as f64;
                m.drivers[Driver::G as usize][ij] = 0.2;
                m.stance[ij] = if i.min(j) == 0 { 0.5 } else { -0.1 };
                m.mu[ij] = 0.02;
            }
        }
    }
    let shock = |id: &str, trigger, effects: Vec<(Target, EffectOp, f64)>| Shock {
        id: id.to_string(),
        trigger,
        first: 0,
        last: 29,
        max_count: 4,
        persistent: id.ends_with("persistent"),
        effects: effects
            .into_iter()
            .map(|(target, op, value)| Effect { target, op, value })
            .collect(),
    };
    m.shocks = vec![
        shock(
            "rise",
            Trigger::Rate(1.5),
            vec![(
                Target::Attribute(Attribute::Capability, 1),
                EffectOp::Multiply,
                1.5,
            )],
        ),
        shock(
            "calm",
            Trigger::Rate(1.0),
            vec![(
                Target::Attribute(Attribute::Tau, 2),
                EffectOp::Multiply,
                0.7,
            )],
        ),
        shock(
            "snub",
            Trigger::Rate(1.0),
            vec![(Target::Stance(3, 0), EffectOp::Set, -0.9)],
        ),
        shock(
            "embargo persistent",
            Trigger::Rate(0.8),
            vec![
                (Target::Driver(Driver::E, 2, 3), EffectOp::Set, 0.0),
                (Target::Driver(Driver::N, 1, 2), EffectOp::Add, 0.3),
            ],
        ),
        shock(
            "summit",
            Trigger::AtStep(5),
            vec![(
                Target::Attribute(Attribute::Aggression, 2),
                EffectOp::Set,
                0.0,
            )],
        ),
    ];
    m
}

#[test]
fn every_kind_of_shock_runs_the_same_in_lockstep() {
    let model = every_effect_model();
    let treaties = assert_lockstep_matches_one_run_kernel(&model, 9, 0, 60);
    assert!(treaties > 0, "the treaty branch was never exercised");
    // Groups that start off a multiple of LANES.
    assert_lockstep_matches_one_run_kernel(&model, 9, 3, 5);
}

#[test]
fn noiseless_drivers_and_stances_run_the_same_in_lockstep() {
    let mut model = every_effect_model();
    model.params.sigma_d = 0.0;
    model.params.sigma_x = 0.0;
    assert!(assert_lockstep_matches_one_run_kernel(&model, 4, 0, 30) > 0);
}

/// A generator that counts the numbers drawn from it.
struct Counting {
    rng: entente::engine::RunRng,
    drawn: usize,
}

impl rand::RngCore for Counting {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.drawn += 1;
        self.rng.next_u64()
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        rand::rand_core::impls::fill_bytes_via_next(self, dst)
    }
}

/// The lockstep kernel relies on every run drawing as many numbers in a
/// step whatever its history (docs/model.md section 10): one uniform per
/// random shock in its window, one output per pair of normals, one per two
/// ordered pairs for the choices and one per unordered pair for treaties.
/// Checked step by step over runs in which treaties form and dissolve and
/// shocks reach their counts, with and without driver and stance noise.
#[test]
fn every_step_draws_as_many_numbers_whatever_the_history() {
    for noise in [true, false] {
        let mut model = every_effect_model();
        if !noise {
            model.params.sigma_d = 0.0;
            model.params.sigma_x = 0.0;
        }
        let n = model.n();
        let (ordered, unordered) = (n * (n - 1), n * (n - 1) / 2);
        let normals = if noise { 5 * ordered } else { ordered };
        let mut state = State::new(&model);
        let (mut treaty_steps, mut shocks_at_count) = (0, 0);
        for run in 0..40 {
            let mut rng = Counting {
                rng: run_rng(21, 0, run),
                drawn: 0,
            };
            state.reset(&model);
            for t in 0..model.horizon {
                let rate_shocks = model
                    .shocks
                    .iter()
                    .filter(|s| matches!(s.trigger, Trigger::Rate(_)))
                    .filter(|s| (s.first..=s.last).contains(&t))
                    .count();
                let expected = rate_shocks + normals.div_ceil(2) + ordered / 2 + unordered;
                let before = rng.drawn;
                entente::model::step(&model, &mut state, t, &mut rng);
                assert_eq!(rng.drawn - before, expected, "run {run}, step {t}");
                treaty_steps += usize::from(state.treaty.contains(&true));
            }
            let at_count = model.shocks.iter().zip(&state.shocks_fired);
            shocks_at_count += at_count.filter(|(s, f)| **f == s.max_count).count();
        }
        assert!(treaty_steps > 0, "no treaty was ever in force");
        assert!(shocks_at_count > 0, "no shock reached its count");
    }
}
