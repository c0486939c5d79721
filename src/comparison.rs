//! Paired comparison of scenarios: every scenario runs on the same
//! parameter draws and run streams (common random numbers) and counts its
//! runs in the same clusters, so that the difference of an outcome between
//! two scenarios is estimated cluster by cluster (docs/model.md 7.10).
//! `entente compare` and the Python package's `compare` use it.

use crate::scenario::Scenario;
use crate::simulation::{RunResult, Settings};
use crate::uncertainty::estimate::{self, Clustered, Difference};

/// Gives every scenario the cluster layout of the first one whose parameters
/// are drawn, so that each counts its runs in the clusters of the draws and
/// the paired differences compare like with like.
pub fn pair_layouts(scenarios: &[Scenario], settings: &mut [Settings]) {
    let layout = scenarios
        .iter()
        .zip(settings.iter())
        .map(|(s, set)| set.plan(s))
        .find(|plan| plan.is_nested())
        .map(|plan| (plan.cluster_size, plan.runs));
    for set in settings {
        set.layout = layout;
    }
}

/// One outcome's difference between a scenario and the first one.
#[derive(Debug, Clone)]
pub struct OutcomeDifference {
    pub scenario: String,
    pub reference: String,
    pub outcome: String,
    pub paired: Difference,
    /// The interval the difference would have if the two scenarios had been
    /// run on independent streams and draws.
    pub unpaired: (f64, f64),
}

/// The paired differences of every later scenario against the first, for
/// the outcomes both name.
pub fn differences(results: &[RunResult]) -> Vec<OutcomeDifference> {
    let reference = &results[0];
    let mut out = Vec::new();
    for r in &results[1..] {
        let nested = r.plan.is_nested() || reference.plan.is_nested();
        for (k, name) in r.outcome_names.iter().enumerate() {
            let Some(j) = reference.outcome_names.iter().position(|n| n == name) else {
                continue;
            };
            let (a, runs) = reference.clustered(j);
            let (b, _) = r.clustered(k);
            let ca = Clustered {
                counts: &a,
                runs: &runs,
            };
            let cb = Clustered {
                counts: &b,
                runs: &runs,
            };
            let paired = estimate::paired_difference(ca, cb, nested);
            let half = |o: &estimate::OutcomeSummary| (o.ci_high - o.ci_low) / 2.0;
            let unpaired = half(&reference.outcomes[j]).hypot(half(&r.outcomes[k]));
            out.push(OutcomeDifference {
                scenario: r.scenario.clone(),
                reference: reference.scenario.clone(),
                outcome: name.clone(),
                paired,
                unpaired: (paired.difference - unpaired, paired.difference + unpaired),
            });
        }
    }
    out
}
