//! Outcome rules in words, and the rules that can never name a run.
//!
//! A run takes the first rule whose conditions all hold (docs/model.md
//! section 7.8), so a rule can be dead in two ways: its conditions
//! contradict each other, or every end state that meets them also meets an
//! earlier rule. With the default rules, `russia_pivot` is dead the second
//! way: a romantic triangle with Russia as pivot needs a friendly Russia-China
//! tie, which is either an alliance (`sino_russian_alliance`) or a
//! partnership (`partnership_short_of_alliance`), both tried first.
//!
//! The check is exhaustive over the states (alliance, partnership, hedging,
//! antagonism) of the dyads the rules mention, and treats alignments as
//! intervals. It errs one way only: when it cannot prove a rule dead it says
//! nothing, so a rule it names can truly never match.

use super::{Condition, ConfigKind, Configuration, DyadState, OutcomeRules};

/// A rule that can never name a run, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadRule {
    /// Index into [`OutcomeRules::rules`].
    pub rule: usize,
    pub reason: String,
}

/// Most dyads the check enumerates the states of (4^8 = 65,536 cases per
/// rule); with more it proves nothing and names no rule.
const MAX_DYADS: usize = 8;

/// The rules of `rules` that can never match, in rule order.
///
/// `theta` is the lowest and highest value the partnership threshold
/// `theta_P` can take (equal when it is fixed); the dyad states bound the
/// alignment through it.
pub fn dead_rules(rules: &OutcomeRules, theta: (f64, f64)) -> Vec<DeadRule> {
    let mut dyads: Vec<(usize, usize)> = Vec::new();
    let mut add = |i: usize, j: usize| {
        let pair = (i.min(j), i.max(j));
        if !dyads.contains(&pair) {
            dyads.push(pair);
        }
    };
    for c in rules.rules.iter().flatten() {
        match *c {
            Condition::Dyad { i, j, .. } => add(i, j),
            Condition::Triad { members, .. } => {
                for (a, b) in super::triad::ties_of(members) {
                    add(a, b);
                }
            }
        }
    }
    if dyads.len() > MAX_DYADS {
        return Vec::new();
    }
    let cases = 4usize.pow(dyads.len() as u32);
    let mut dead = Vec::new();
    for (r, conditions) in rules.rules.iter().enumerate() {
        let mut possible = false;
        let mut covering: Vec<usize> = Vec::new();
        let mut live = false;
        for case in 0..cases {
            let world = World::new(&dyads, case, theta);
            let Some(region) = world.region(conditions) else {
                continue;
            };
            possible = true;
            match (0..r).find(|&e| world.surely(&rules.rules[e], &region)) {
                Some(e) => {
                    if !covering.contains(&e) {
                        covering.push(e);
                    }
                }
                None => {
                    live = true;
                    break;
                }
            }
        }
        if live {
            continue;
        }
        let reason = if !possible {
            "its conditions contradict each other, so no run can meet them".to_string()
        } else {
            covering.sort_unstable();
            let names: Vec<String> = covering.iter().map(|&e| rules.names[e].clone()).collect();
            format!(
                "every run that meets its conditions meets an earlier rule first ({}), so it never names a run",
                names.join(" or ")
            )
        };
        dead.push(DeadRule { rule: r, reason });
    }
    dead
}

/// One combination of dyad states.
struct World<'a> {
    dyads: &'a [(usize, usize)],
    states: Vec<DyadState>,
    theta: (f64, f64),
}

/// What a rule's conditions allow of each dyad's averaged alignment: a
/// closed interval and the least rise since step 0.
#[derive(Debug, Clone)]
struct Region {
    low: Vec<f64>,
    high: Vec<f64>,
    rise: Vec<f64>,
}

impl<'a> World<'a> {
    fn new(dyads: &'a [(usize, usize)], case: usize, theta: (f64, f64)) -> World<'a> {
        let states = (0..dyads.len())
            .map(|d| DyadState::ALL[(case >> (2 * d)) & 3])
            .collect();
        World {
            dyads,
            states,
            theta,
        }
    }

    fn index(&self, i: usize, j: usize) -> usize {
        let pair = (i.min(j), i.max(j));
        self.dyads
            .iter()
            .position(|&p| p == pair)
            .expect("every dyad of the rules is enumerated")
    }

    /// The alignment range a dyad state allows (docs/model.md section
    /// 7.8): a partnership needs z >= theta_P, antagonism z <= -theta_P,
    /// hedging z > -theta_P; a treaty allows any alignment.
    fn state_range(&self, s: DyadState) -> (f64, f64) {
        let (lo, hi) = self.theta;
        match s {
            DyadState::Alliance => (-1.0, 1.0),
            DyadState::Partnership => (lo, 1.0),
            DyadState::Antagonism => (-1.0, -lo),
            DyadState::Hedging => (-hi, 1.0),
        }
    }

    fn configuration(&self, members: [usize; 3]) -> Configuration {
        let signs =
            super::triad::ties_of(members).map(|(a, b)| self.states[self.index(a, b)].sign());
        Configuration::classify(signs)
    }

    /// The region `conditions` leave in this world, or `None` when they
    /// cannot all hold in it. Errs towards a region: it never drops a case
    /// that could hold.
    fn region(&self, conditions: &[Condition]) -> Option<Region> {
        let mut region = Region {
            low: Vec::new(),
            high: Vec::new(),
            rise: vec![f64::NEG_INFINITY; self.dyads.len()],
        };
        for &s in &self.states {
            let (lo, hi) = self.state_range(s);
            region.low.push(lo);
            region.high.push(hi);
        }
        for c in conditions {
            match *c {
                Condition::Dyad {
                    i,
                    j,
                    state,
                    alignment_at_least,
                    alignment_at_most,
                    rise_at_least,
                } => {
                    let d = self.index(i, j);
                    if state.is_some_and(|s| s != self.states[d]) {
                        return None;
                    }
                    if let Some(lo) = alignment_at_least {
                        region.low[d] = region.low[d].max(lo);
                    }
                    if let Some(hi) = alignment_at_most {
                        region.high[d] = region.high[d].min(hi);
                    }
                    if let Some(rise) = rise_at_least {
                        region.rise[d] = region.rise[d].max(rise);
                        // The step-0 alignment is at most 1, so z >= rise - 1.
                        region.low[d] = region.low[d].max(rise - 1.0);
                    }
                }
                Condition::Triad { .. } => {
                    if !self.triad_holds(c) {
                        return None;
                    }
                }
            }
        }
        let empty = (0..self.dyads.len()).any(|d| region.low[d] > region.high[d]);
        (!empty).then_some(region)
    }

    /// Whether a triad condition holds in this world (it depends on the
    /// dyad states alone).
    fn triad_holds(&self, c: &Condition) -> bool {
        match *c {
            Condition::Triad { members, .. } => c.triad_matches(self.configuration(members)),
            Condition::Dyad { .. } => false,
        }
    }

    /// Whether `conditions` hold at every point of `region` in this world.
    /// Errs towards "not sure": it never claims a rule holds when it might
    /// not.
    fn surely(&self, conditions: &[Condition], region: &Region) -> bool {
        conditions.iter().all(|c| match *c {
            Condition::Dyad {
                i,
                j,
                state,
                alignment_at_least,
                alignment_at_most,
                rise_at_least,
            } => {
                let d = self.index(i, j);
                state.is_none_or(|s| s == self.states[d])
                    && alignment_at_least.is_none_or(|lo| region.low[d] >= lo)
                    && alignment_at_most.is_none_or(|hi| region.high[d] <= hi)
                    && rise_at_least
                        .is_none_or(|rise| region.rise[d] >= rise || region.low[d] - 1.0 >= rise)
            }
            Condition::Triad { .. } => self.triad_holds(c),
        })
    }
}

/// A rule's conditions in words; an empty rule matches every run.
pub fn rule_in_words(conditions: &[Condition], ids: &[String]) -> String {
    if conditions.is_empty() {
        return "always (it catches every run that no earlier rule named)".to_string();
    }
    let words: Vec<String> = conditions
        .iter()
        .map(|c| condition_in_words(c, ids))
        .collect();
    words.join("; and ")
}

fn condition_in_words(c: &Condition, ids: &[String]) -> String {
    let id = |a: usize| ids.get(a).map_or("?", String::as_str);
    match *c {
        Condition::Dyad {
            i,
            j,
            state,
            alignment_at_least,
            alignment_at_most,
            rise_at_least,
        } => {
            let pair = format!("{}-{}", id(i), id(j));
            let mut parts = Vec::new();
            if let Some(s) = state {
                parts.push(format!("{pair} is in {} at the horizon", state_words(s)));
            }
            let z = format!("the {pair} alignment at the horizon");
            match (alignment_at_least, alignment_at_most) {
                (Some(lo), Some(hi)) => parts.push(format!("{z} is between {lo} and {hi}")),
                (Some(lo), None) => parts.push(format!("{z} is at least {lo}")),
                (None, Some(hi)) => parts.push(format!("{z} is at most {hi}")),
                (None, None) => {}
            }
            if let Some(rise) = rise_at_least {
                parts.push(format!(
                    "the {pair} alignment rose by at least {rise} from step 0"
                ));
            }
            if parts.is_empty() {
                parts.push(format!("{pair} is in any state"));
            }
            parts.join(", and ")
        }
        Condition::Triad {
            members,
            kind,
            pivot,
            couple,
            outcast,
        } => {
            let who = members.map(id).join(", ");
            let mut text = format!("the triad {who} is {}", config_words(kind));
            if let Some(p) = pivot {
                text.push_str(&format!(
                    " with {} as pivot (friendly with both others, who are hostile to each other)",
                    id(p)
                ));
            }
            if let Some((a, b)) = couple {
                text.push_str(&format!(" with {} and {} as the couple", id(a), id(b)));
            }
            if let Some(o) = outcast {
                text.push_str(&format!(" with {} as the outcast", id(o)));
            }
            text
        }
    }
}

fn state_words(s: DyadState) -> &'static str {
    match s {
        DyadState::Alliance => "alliance (a treaty in force)",
        DyadState::Partnership => {
            "partnership (no treaty; alignment at least theta_P and both stances at least theta_P/2)"
        }
        DyadState::Hedging => "hedging (neither partnership nor antagonism)",
        DyadState::Antagonism => "antagonism (no treaty; alignment at most -theta_P)",
    }
}

fn config_words(k: ConfigKind) -> &'static str {
    match k {
        ConfigKind::MenageATrois => "a ménage à trois (all three ties friendly)",
        ConfigKind::RomanticTriangle => "a romantic triangle (two friendly ties, one hostile)",
        ConfigKind::StableMarriage => "a stable marriage (one friendly tie, two hostile)",
        ConfigKind::UnitVeto => "a unit veto (all three ties hostile)",
        ConfigKind::Loose => "loose (at least one tie neither friendly nor hostile)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USA: usize = 0;
    const RUS: usize = 1;
    const CHN: usize = 2;

    fn ids() -> Vec<String> {
        ["USA", "RUS", "CHN"].map(String::from).to_vec()
    }

    fn dyad(i: usize, j: usize) -> Condition {
        Condition::Dyad {
            i,
            j,
            state: None,
            alignment_at_least: None,
            alignment_at_most: None,
            rise_at_least: None,
        }
    }

    fn state(i: usize, j: usize, s: DyadState) -> Condition {
        match dyad(i, j) {
            Condition::Dyad {
                i,
                j,
                alignment_at_least,
                alignment_at_most,
                rise_at_least,
                ..
            } => Condition::Dyad {
                i,
                j,
                state: Some(s),
                alignment_at_least,
                alignment_at_most,
                rise_at_least,
            },
            c => c,
        }
    }

    fn pivot(p: usize) -> Condition {
        Condition::Triad {
            members: [USA, RUS, CHN],
            kind: ConfigKind::RomanticTriangle,
            pivot: Some(p),
            couple: None,
            outcast: None,
        }
    }

    fn rules(list: Vec<(&str, Vec<Condition>)>) -> OutcomeRules {
        OutcomeRules::new(list.into_iter().map(|(n, c)| (n.to_string(), c)).collect())
    }

    #[test]
    fn russia_pivot_behind_alliance_and_partnership_is_dead() {
        let r = rules(vec![
            ("alliance", vec![state(RUS, CHN, DyadState::Alliance)]),
            ("partnership", vec![state(RUS, CHN, DyadState::Partnership)]),
            ("russia_pivot", vec![pivot(RUS)]),
            ("drift", vec![]),
        ]);
        let dead = dead_rules(&r, (0.3, 0.3));
        assert_eq!(dead.len(), 1, "{dead:?}");
        assert_eq!(dead[0].rule, 2);
        assert!(dead[0].reason.contains("(alliance or partnership)"));
    }

    #[test]
    fn a_rule_first_in_line_or_half_covered_is_live() {
        // Tried first, the pivot rule can match.
        let first = rules(vec![
            ("russia_pivot", vec![pivot(RUS)]),
            ("alliance", vec![state(RUS, CHN, DyadState::Alliance)]),
        ]);
        assert!(dead_rules(&first, (0.3, 0.3)).is_empty());
        // Behind the alliance rule alone, a partnership still leaves it room.
        let half = rules(vec![
            ("alliance", vec![state(RUS, CHN, DyadState::Alliance)]),
            ("russia_pivot", vec![pivot(RUS)]),
        ]);
        assert!(dead_rules(&half, (0.3, 0.3)).is_empty());
        // A pivot other than Russia needs no Russia-China friendship.
        let other = rules(vec![
            ("alliance", vec![state(RUS, CHN, DyadState::Alliance)]),
            ("partnership", vec![state(RUS, CHN, DyadState::Partnership)]),
            ("us_pivot", vec![pivot(USA)]),
        ]);
        assert!(dead_rules(&other, (0.3, 0.3)).is_empty());
    }

    #[test]
    fn contradictions_and_catch_alls_kill_later_rules() {
        let mut bounded = dyad(USA, RUS);
        if let Condition::Dyad {
            alignment_at_least,
            alignment_at_most,
            ..
        } = &mut bounded
        {
            *alignment_at_least = Some(0.5);
            *alignment_at_most = Some(0.2);
        }
        let mut partners_low = state(USA, RUS, DyadState::Partnership);
        if let Condition::Dyad {
            alignment_at_most, ..
        } = &mut partners_low
        {
            // Partnership needs z >= theta_P = 0.3.
            *alignment_at_most = Some(0.1);
        }
        let r = rules(vec![
            ("empty_interval", vec![bounded]),
            ("low_partners", vec![partners_low]),
            ("anything", vec![]),
            ("after_anything", vec![state(USA, CHN, DyadState::Hedging)]),
        ]);
        let dead: Vec<usize> = dead_rules(&r, (0.3, 0.3)).iter().map(|d| d.rule).collect();
        assert_eq!(dead, vec![0, 1, 3]);
        // With theta_P drawn as low as 0.05 a partnership at z <= 0.1 is possible.
        let dead: Vec<usize> = dead_rules(&r, (0.05, 0.3)).iter().map(|d| d.rule).collect();
        assert_eq!(dead, vec![0, 3]);
    }

    #[test]
    fn rises_and_bounds_are_compared_soundly() {
        let mut rise = dyad(USA, RUS);
        if let Condition::Dyad {
            alignment_at_least,
            rise_at_least,
            ..
        } = &mut rise
        {
            *alignment_at_least = Some(0.0);
            *rise_at_least = Some(0.5);
        }
        let mut wider = dyad(USA, RUS);
        if let Condition::Dyad {
            alignment_at_least, ..
        } = &mut wider
        {
            *alignment_at_least = Some(-0.2);
        }
        // Everything that meets `rise` meets `wider` (z >= 0 >= -0.2).
        let r = rules(vec![
            ("wider", vec![wider.clone()]),
            ("rise", vec![rise.clone()]),
        ]);
        assert_eq!(dead_rules(&r, (0.3, 0.3)).len(), 1);
        // Not the other way round.
        let r = rules(vec![("rise", vec![rise]), ("wider", vec![wider])]);
        assert!(dead_rules(&r, (0.3, 0.3)).is_empty());
    }

    #[test]
    fn rules_in_words() {
        let words = rule_in_words(&[pivot(RUS)], &ids());
        assert!(words.contains("romantic triangle"), "{words}");
        assert!(words.contains("RUS as pivot"), "{words}");
        let words = rule_in_words(&[state(RUS, CHN, DyadState::Alliance)], &ids());
        assert_eq!(
            words,
            "RUS-CHN is in alliance (a treaty in force) at the horizon"
        );
        assert!(rule_in_words(&[], &ids()).starts_with("always"));
    }
}
