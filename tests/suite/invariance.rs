//! Renaming nothing but the order of agents in a file leaves outcome
//! probabilities unchanged within sampling error (docs/model.md section 9,
//! item 12).

use crate::common;

use common::{Results, run, scenario_path, se_diff};
use entente::scenario;

const RUNS: u64 = 30_000;

fn reordered(name: &str, order: impl Fn(&mut Vec<toml::Value>)) -> entente::scenario::Scenario {
    let path = scenario_path(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut doc: toml::Table = toml::from_str(&text).unwrap();
    let agents = doc
        .get_mut("agents")
        .and_then(|a| a.as_array_mut())
        .unwrap();
    order(agents);
    scenario::parse(&path, &toml::to_string(&doc).unwrap()).unwrap()
}

fn assert_same_distribution(a: &Results, b: &Results) {
    assert_eq!(a.outcomes, b.outcomes);
    for (k, name) in a.outcomes.iter().enumerate() {
        let (p, q) = (
            a.aggregate.outcome_probability(k),
            b.aggregate.outcome_probability(k),
        );
        // Four standard errors of the difference, plus a floor for outcomes
        // that never occur (where the standard error is zero).
        let tolerance = 4.0 * se_diff(p, a.runs(), q, b.runs()) + 1e-3;
        assert!(
            (p - q).abs() <= tolerance,
            "{name}: {p:.4} vs {q:.4} (tolerance {tolerance:.4})"
        );
    }
}

#[test]
fn reversing_the_agents_changes_no_outcome_probability() {
    for name in ["baseline-2020", "asia-five"] {
        let original = common::bundled(name);
        let reversed = reordered(name, |agents| agents.reverse());
        assert_ne!(original.built.model.ids, reversed.built.model.ids);
        assert_same_distribution(&run(&original, RUNS, 11), &run(&reversed, RUNS, 11));
    }
}

#[test]
fn rotating_the_agents_changes_no_outcome_probability() {
    let original = common::bundled("baseline-2020");
    let rotated = reordered("baseline-2020", |agents| agents.rotate_left(1));
    assert_same_distribution(&run(&original, RUNS, 12), &run(&rotated, RUNS, 12));
}

#[test]
fn with_no_drivers_and_no_costs_stances_stay_centred() {
    // docs/model.md section 9, item 11: with lambda_B = 0 and all drivers zero, nothing
    // pushes stances either way, provided aligning carries no autonomy or
    // entrapment cost (otherwise opposing is cheaper than aligning).
    let ids: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
    let mut model = entente::model::Model::blank(ids, 24);
    model.params.lambda_B = 0.0;
    model.params.kappa_A = 0.0;
    model.params.sigma_d = 0.0;
    let rules = entente::outcome::OutcomeRules::new(vec![("any".into(), vec![])]);
    let classifier = entente::outcome::Classifier::new(&model, rules, None);
    let job = entente::engine::Job {
        model: &model,
        classifier: &classifier,
        seed: 3,
        point: 0,
        runs: 20_000,
    };
    let agg = entente::engine::run(job, &|_| {});
    for d in 0..3 {
        let mean = entente::stats::fixed_mean(agg.final_sum[d], agg.runs);
        // Final alignments have sd below 0.5, so SE < 0.004; 0.02 is 5 SE.
        assert!(
            mean.abs() < 0.02,
            "dyad {d}: mean final alignment {mean:.4}"
        );
    }
}
