//! The summaries and counts of a lockstep group, computed for all its runs
//! at once, must give each run what a direct reading of its own trace gives,
//! whatever lane the run sits in and however many of the group's runs count.

use crate::common;

use entente::engine::{Aggregate, LaneRng, Shape};
use entente::model::{LANES, LaneTrace, Lockstep, Model, Trace, alignment, simulate_lanes};
use entente::outcome::{Classifier, Configuration, DyadState, GroupSummary};

fn classifier(name: &str) -> (Model, Classifier) {
    let s = common::bundled(name);
    let model = s.built.model.clone();
    let classifier = Classifier::new(&model, s.built.rules.clone(), s.built.triad.clone());
    (model, classifier)
}

/// Runs `first..first + LANES` of `model` under seed 11, summarised.
fn group(model: &Model, classifier: &Classifier, first: u64) -> (LaneTrace, GroupSummary) {
    let mut trace = LaneTrace::new(model);
    let mut rng = LaneRng::new(11, 0, first);
    simulate_lanes(model, &mut rng, &mut Lockstep::new(model), &mut trace);
    let mut summary = GroupSummary::default();
    classifier.summarise(&trace, LANES, &mut summary);
    (trace, summary)
}

#[test]
fn tie_signs_agree_with_the_dyad_states() {
    let theta = 0.3;
    let values = [
        -1.0, -0.31, -0.3, -0.29, -0.15, 0.0, 0.149, 0.15, 0.29, 0.3, 0.31, 1.0,
    ];
    for treaty in [false, true] {
        for &x_ij in &values {
            for &x_ji in &values {
                for &z in &values {
                    let state = DyadState::classify(treaty, z, x_ij, x_ji, theta);
                    let sign = DyadState::tie_sign(treaty, z, x_ij, x_ji, theta);
                    assert_eq!(sign, state.sign(), "{treaty} {z} {x_ij} {x_ji}: {state:?}");
                }
            }
        }
    }
}

#[test]
fn every_lane_is_summarised_as_its_own_trace_reads() {
    let mut seen_unbalanced = false;
    for name in ["baseline-2020", "asia-five"] {
        let (model, classifier) = classifier(name);
        let (lanes, group) = group(&model, &classifier, 0);
        let (n, dyads) = (model.n(), model.dyads());
        let window = (model.params.W as usize).clamp(1, model.horizon);
        let mut trace = Trace::new(&model);
        for l in 0..LANES {
            lanes.lane(l, &mut trace);
            let summary = &group.runs[l];
            for ij in 0..n * n {
                let mut sum = 0.0;
                for t in model.horizon + 1 - window..=model.horizon {
                    sum += trace.x[t * n * n + ij];
                }
                assert_eq!(summary.xbar[ij], sum / window as f64, "{name} lane {l}");
            }
            let mut unbalanced = 0;
            for t in 0..=model.horizon {
                let mut signs = Vec::new();
                for (d, &(i, j)) in dyads.iter().enumerate() {
                    let z = trace.alignment(t, i, j);
                    let (x_ij, x_ji) = (trace.stance(t, i, j), trace.stance(t, j, i));
                    let state = DyadState::classify(
                        trace.treaty(t, i, j),
                        z,
                        x_ij,
                        x_ji,
                        model.params.theta_P,
                    );
                    assert_eq!(group.alignment[t * dyads.len() + d][l], z);
                    assert_eq!(group.tie_signs[t * dyads.len() + d][l], state.sign());
                    signs.push(state.sign());
                }
                if let Some(triad) = &classifier.triad {
                    let ties = triad
                        .ties()
                        .map(|(a, b)| signs[classifier.dyad_index(a, b)]);
                    let expected = Configuration::index_of(ties);
                    assert_eq!(
                        summary.configuration_by_step[t], expected,
                        "{name} step {t}"
                    );
                }
                if t > 0 {
                    for a in 0..n {
                        for b in a + 1..n {
                            for c in b + 1..n {
                                let sign = |p: usize, q: usize| signs[classifier.dyad_index(p, q)];
                                unbalanced += usize::from(sign(a, b) * sign(a, c) * sign(b, c) < 0);
                            }
                        }
                    }
                }
            }
            let triads = n * (n - 1) * (n - 2) / 6;
            let share = unbalanced as f64 / (triads * model.horizon) as f64;
            assert_eq!(summary.unbalanced_share, Some(share), "{name} lane {l}");
            seen_unbalanced |= unbalanced > 0;
            for (d, &(i, j)) in dyads.iter().enumerate() {
                let z = alignment(summary.xbar[i * n + j], summary.xbar[j * n + i]);
                assert_eq!(summary.zbar[d], z);
            }
        }
    }
    assert!(seen_unbalanced, "no run was ever unbalanced: a weak check");
}

#[test]
fn a_run_counts_the_same_in_any_lane_and_any_part_of_a_group() {
    let (model, classifier) = classifier("baseline-2020");
    let shape = Shape::of(&model, &classifier);
    // Runs 0..LANES as one group, and as the first 7 runs of one group and
    // the first LANES - 7 runs of the group starting at run 7.
    let (trace, summary) = group(&model, &classifier, 0);
    let mut whole = Aggregate::new(shape);
    whole.add_group(&summary, &trace, LANES);
    let mut head = Aggregate::new(shape);
    head.add_group(&summary, &trace, 7);
    let (trace, summary) = group(&model, &classifier, 7);
    let mut tail = Aggregate::new(shape);
    tail.add_group(&summary, &trace, LANES - 7);
    assert_eq!(head.runs, 7);
    assert_eq!(tail.runs, LANES as u64 - 7);
    assert_eq!(head.merged(tail), whole);
}
