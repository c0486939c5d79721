//! Kernel benchmarks: one step for 3 and 5 agents and whole runs with the
//! one-run kernel (the readable statement of the model), whole groups of
//! `LANES` runs with the lockstep kernel the engine uses, and the summary
//! and aggregation of such a group. Divide a run's time by
//! `horizon * n * (n - 1)` for the cost per directed-pair-step, and a
//! group's time by `LANES` times that (both printed below the benchmarks).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use entente::engine::{Aggregate, LaneRng, Shape, run_rng};
use entente::model::{
    Isa, LANES, LaneTrace, Lockstep, State, Trace, simulate, simulate_lanes, step,
};
use entente::outcome::{Classifier, GroupSummary};
use entente::scenario::{self, Scenario};

fn load(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    scenario::load(&path).expect("bundled scenario")
}

fn bench_step(c: &mut Criterion) {
    for (name, label) in [
        ("baseline-2020", "step/3 agents"),
        ("asia-five", "step/5 agents"),
    ] {
        let s = load(name);
        let model = &s.built.model;
        let mut state = State::new(model);
        let mut rng = run_rng(1, 0, 0);
        let mut t = 0;
        c.bench_function(label, |b| {
            b.iter(|| {
                if t == model.horizon {
                    state.reset(model);
                    t = 0;
                }
                step(model, &mut state, t, &mut rng);
                t += 1;
            })
        });
    }
}

fn bench_run(c: &mut Criterion) {
    for name in ["baseline-2020", "asia-five"] {
        let s = load(name);
        let model = &s.built.model;
        let mut state = State::new(model);
        let mut trace = Trace::new(model);
        let mut index = 0u64;
        c.bench_function(&format!("run/{name}"), |b| {
            b.iter(|| {
                let mut rng = run_rng(1, 0, index);
                index += 1;
                simulate(model, &mut rng, &mut state, &mut trace);
                black_box(trace.x[trace.x.len() - 1])
            })
        });
        let n = model.n();
        eprintln!(
            "run/{name}: {} directed-pair-steps per run",
            model.horizon * n * (n - 1)
        );
    }
}

fn bench_lockstep(c: &mut Criterion) {
    for name in ["baseline-2020", "asia-five"] {
        let s = load(name);
        let model = &s.built.model;
        let mut lanes = Lockstep::new(model);
        let mut trace = LaneTrace::new(model);
        let mut first = 0u64;
        c.bench_function(&format!("lockstep/{name}/{LANES} runs"), |b| {
            b.iter(|| {
                let mut rng = LaneRng::new(1, 0, first);
                first += LANES as u64;
                simulate_lanes(model, &mut rng, &mut lanes, &mut trace);
                black_box(trace.x[trace.x.len() - 1][LANES - 1])
            })
        });
        let n = model.n();
        eprintln!(
            "lockstep/{name}: {} directed-pair-steps per group of {LANES} runs ({:?} version)",
            LANES * model.horizon * n * (n - 1),
            Isa::best()
        );
    }
}

fn bench_aggregate(c: &mut Criterion) {
    let s = load("baseline-2020");
    let model = &s.built.model;
    let classifier = Classifier::new(model, s.built.rules.clone(), s.built.triad.clone());
    let mut trace = LaneTrace::new(model);
    simulate_lanes(
        model,
        &mut LaneRng::new(1, 0, 0),
        &mut Lockstep::new(model),
        &mut trace,
    );
    let mut group = GroupSummary::default();
    let mut aggregate = Aggregate::new(Shape::of(model, &classifier));
    c.bench_function(
        &format!("aggregate/summarise and count {LANES} runs"),
        |b| {
            b.iter(|| {
                classifier.summarise(&trace, LANES, &mut group);
                aggregate.add_group(&group, &trace, LANES);
            })
        },
    );
}

criterion_group!(
    benches,
    bench_step,
    bench_run,
    bench_lockstep,
    bench_aggregate
);
criterion_main!(benches);
