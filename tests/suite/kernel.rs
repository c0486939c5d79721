//! Unit checks of the kernel's pieces against hand computations.

use entente::model::{Model, PairTerms, State, choice_probabilities, sample_action};
use entente::outcome::{Configuration, triad_roles};
use entente::stats::{Z95, wilson};

fn blank(n: usize) -> Model {
    let ids = ["A", "B", "C", "D", "E"][..n]
        .iter()
        .map(|s| s.to_string())
        .collect();
    Model::blank(ids, 8)
}

fn set_stance(model: &mut Model, i: usize, j: usize, x: f64) {
    let ij = model.pair(i, j);
    model.stance[ij] = x;
}

#[test]
fn logit_probabilities_sum_to_one_and_match_a_hand_computation() {
    let u = [-1.0, 0.0, 1.0];
    let tau = 0.5;
    let p = choice_probabilities(u, tau);
    let w = [(-2.0f64).exp(), 1.0, 2.0f64.exp()];
    let total: f64 = w.iter().sum();
    for k in 0..3 {
        assert!((p[k] - w[k] / total).abs() < 1e-12, "p[{k}] = {}", p[k]);
    }
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // Huge utilities must not overflow.
    let p = choice_probabilities([1e6, 0.0, -1e6], 0.01);
    assert!((p[0] - 1.0).abs() < 1e-12 && p.iter().all(|v| v.is_finite()));
}

#[test]
fn sampled_action_follows_the_cumulative_probabilities() {
    let u = [0.0, 0.0, 0.0];
    assert_eq!(sample_action(u, 1.0, 0.10), -1.0);
    assert_eq!(sample_action(u, 1.0, 0.50), 0.0);
    assert_eq!(sample_action(u, 1.0, 0.90), 1.0);
}

#[test]
fn balance_field_is_positive_for_a_common_enemy_and_negative_across_camps() {
    let mut model = blank(3);
    // A and B both oppose C: the enemy of my enemy.
    set_stance(&mut model, 0, 2, -0.8);
    set_stance(&mut model, 1, 2, -0.8);
    let state = State::new(&model);
    let terms = PairTerms::of(&model, &state, 0, 1);
    assert!(
        (terms.balance - 0.64).abs() < 1e-12,
        "balance {}",
        terms.balance
    );
    assert!(terms.value > 0.0);

    // A befriends C, whom B opposes: the balance pulls A and B apart.
    set_stance(&mut model, 0, 2, 0.8);
    let state = State::new(&model);
    assert!(PairTerms::of(&model, &state, 0, 1).balance < 0.0);
}

#[test]
fn balance_weights_third_parties_by_capability() {
    let mut model = blank(4);
    model.capability = vec![1.0, 1.0, 3.0, 1.0];
    // C (weight 3/4) is opposed by both; D (weight 1/4) is befriended by A, opposed by B.
    for (k, x) in [(2, -1.0), (3, 1.0)] {
        set_stance(&mut model, 0, k, x);
        set_stance(&mut model, 1, k, -x * if k == 2 { -1.0 } else { 1.0 });
    }
    let state = State::new(&model);
    let b = PairTerms::of(&model, &state, 0, 1).balance;
    assert!((b - (0.75 - 0.25)).abs() < 1e-12, "balance {b}");
}

#[test]
fn entrapment_and_autonomy_follow_the_specification() {
    let mut model = blank(3);
    model.capability = vec![1.0, 3.0, 1.0];
    model.aggression[1] = 0.5;
    let g = model.pair(1, 2);
    model.drivers[entente::model::Driver::G as usize][g] = 0.4;
    set_stance(&mut model, 0, 2, 0.5);
    let state = State::new(&model);
    let t = PairTerms::of(&model, &state, 0, 1);
    let p = &model.params;
    let expected = 0.5 * p.theta0 + 0.4 * (p.theta0 + 0.5);
    assert!((t.entrapment - expected).abs() < 1e-12);
    assert!((t.autonomy - p.kappa_A * 0.75).abs() < 1e-12);
}

/// All 27 sign patterns of the three ties (0,1), (0,2), (1,2).
#[test]
fn dittmer_classification_of_all_sign_patterns() {
    let ties = [(0, 1), (0, 2), (1, 2)];
    let mut seen = std::collections::HashSet::new();
    for a in -1i8..=1 {
        for b in -1i8..=1 {
            for c in -1i8..=1 {
                let signs = [a, b, c];
                let config = Configuration::classify(signs);
                seen.insert(config.index());
                let plus = signs.iter().filter(|&&s| s > 0).count();
                match config {
                    Configuration::Loose => assert!(signs.contains(&0)),
                    Configuration::MenageATrois => assert_eq!(signs, [1, 1, 1]),
                    Configuration::UnitVeto => assert_eq!(signs, [-1, -1, -1]),
                    Configuration::RomanticTriangle { pivot } => {
                        assert_eq!(plus, 2);
                        for (t, &(x, y)) in ties.iter().enumerate() {
                            // The pivot's ties are friendly, the other is hostile.
                            assert_eq!(signs[t] > 0, x == pivot || y == pivot, "{signs:?}");
                        }
                    }
                    Configuration::StableMarriage { couple, outcast } => {
                        assert_eq!(plus, 1);
                        let t = ties.iter().position(|&p| p == couple).unwrap();
                        assert_eq!(signs[t], 1);
                        assert!(outcast != couple.0 && outcast != couple.1);
                    }
                }
                if !signs.contains(&0) {
                    let balanced = signs[0] * signs[1] * signs[2] > 0;
                    let heider = matches!(
                        config,
                        Configuration::MenageATrois | Configuration::StableMarriage { .. }
                    );
                    assert_eq!(balanced, heider, "{signs:?}");
                }
            }
        }
    }
    assert_eq!(
        seen.len(),
        Configuration::COUNT,
        "every configuration reachable"
    );
}

#[test]
fn wu_role_scores_reward_the_pivot() {
    // Romantic triangle with pivot 0: ties (0,1)+, (0,2)+, (1,2)-.
    assert_eq!(triad_roles([1, 1, -1]), [3, -1, -1]);
    assert_eq!(triad_roles([1, 1, 1]), [1, 1, 1]);
    assert_eq!(triad_roles([-1, -1, -1]), [-1, -1, -1]);
}

#[test]
fn wilson_interval_matches_known_values() {
    // Reference values from Newcombe (1998), Table I, and direct computation.
    let (lo, hi) = wilson(5, 10, Z95);
    assert!(
        (lo - 0.2366).abs() < 1e-4 && (hi - 0.7634).abs() < 1e-4,
        "{lo} {hi}"
    );
    let (lo, hi) = wilson(0, 10, Z95);
    assert!(lo == 0.0 && (hi - 0.2775).abs() < 1e-4, "{lo} {hi}");
    let (lo, hi) = wilson(81, 263, Z95);
    assert!(
        (lo - 0.2553).abs() < 1e-4 && (hi - 0.3662).abs() < 1e-4,
        "{lo} {hi}"
    );
    assert_eq!(wilson(0, 0, Z95), (0.0, 0.0));
}
