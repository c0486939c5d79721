//! Named-outcome rules: an ordered list of conjunctions of conditions; the
//! first rule whose conditions all hold names the run, else `other`.

use super::{ConfigKind, Configuration, DyadState};

/// One condition of a rule, on agent indices.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// On the dyad (i, j) at the horizon.
    Dyad {
        i: usize,
        j: usize,
        state: Option<DyadState>,
        alignment_at_least: Option<f64>,
        alignment_at_most: Option<f64>,
        /// Minimum rise of the averaged alignment over its step-0 value.
        rise_at_least: Option<f64>,
    },
    /// On the configuration of a triad at the horizon.
    Triad {
        members: [usize; 3],
        kind: ConfigKind,
        pivot: Option<usize>,
        couple: Option<(usize, usize)>,
        outcast: Option<usize>,
    },
}

impl Condition {
    /// Whether this condition, a triad condition, holds for the triad's
    /// configuration `config` (false for a dyad condition).
    #[inline]
    pub fn triad_matches(&self, config: Configuration) -> bool {
        let Condition::Triad {
            members,
            kind,
            pivot,
            couple,
            outcast,
        } = *self
        else {
            return false;
        };
        config.kind() == kind
            && match config {
                Configuration::RomanticTriangle { pivot: p } => {
                    pivot.is_none_or(|a| members[p] == a)
                }
                Configuration::StableMarriage {
                    couple: (a, b),
                    outcast: o,
                } => {
                    let pair = (members[a], members[b]);
                    couple.is_none_or(|(x, y)| (x, y) == pair || (y, x) == pair)
                        && outcast.is_none_or(|x| members[o] == x)
                }
                _ => true,
            }
    }
}

/// The outcome rules of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRules {
    /// Outcome names in rule order, then `other`.
    pub names: Vec<String>,
    /// Conditions of each rule (all must hold), in the order of `names`.
    pub rules: Vec<Vec<Condition>>,
}

/// The catch-all outcome.
pub const OTHER: &str = "other";

impl OutcomeRules {
    pub fn new(rules: Vec<(String, Vec<Condition>)>) -> OutcomeRules {
        let (mut names, rules): (Vec<String>, Vec<_>) = rules.into_iter().unzip();
        names.push(OTHER.to_string());
        OutcomeRules { names, rules }
    }

    /// Index of the first matching rule, or of `other`.
    ///
    /// `dyad(i, j)` gives the state, averaged alignment and step-0 alignment
    /// of a dyad; `triad(members)` its configuration at the horizon.
    pub fn evaluate(
        &self,
        dyad: impl Fn(usize, usize) -> (DyadState, f64, f64),
        triad: impl Fn([usize; 3]) -> Configuration,
    ) -> usize {
        let holds = |c: &Condition| match *c {
            Condition::Dyad {
                i,
                j,
                state,
                alignment_at_least,
                alignment_at_most,
                rise_at_least,
            } => {
                let (s, z, z0) = dyad(i, j);
                state.is_none_or(|want| want == s)
                    && alignment_at_least.is_none_or(|lo| z >= lo)
                    && alignment_at_most.is_none_or(|hi| z <= hi)
                    && rise_at_least.is_none_or(|rise| z - z0 >= rise)
            }
            Condition::Triad { members, .. } => c.triad_matches(triad(members)),
        };
        self.rules
            .iter()
            .position(|conditions| conditions.iter().all(holds))
            .unwrap_or(self.rules.len())
    }
}
