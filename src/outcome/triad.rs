//! Dittmer's strategic triangle: the configuration of three states from the
//! signs of their three ties (Dittmer 1981; unit veto added in 1987), and
//! Wu's role scores.

/// Kind of configuration, without the roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKind {
    MenageATrois,
    RomanticTriangle,
    StableMarriage,
    UnitVeto,
    Loose,
}

impl ConfigKind {
    pub const ALL: [ConfigKind; 5] = [
        ConfigKind::MenageATrois,
        ConfigKind::RomanticTriangle,
        ConfigKind::StableMarriage,
        ConfigKind::UnitVeto,
        ConfigKind::Loose,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ConfigKind::MenageATrois => "menage_a_trois",
            ConfigKind::RomanticTriangle => "romantic_triangle",
            ConfigKind::StableMarriage => "stable_marriage",
            ConfigKind::UnitVeto => "unit_veto",
            ConfigKind::Loose => "loose",
        }
    }

    pub fn from_name(name: &str) -> Option<ConfigKind> {
        ConfigKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A configuration with its roles, as positions 0, 1, 2 within the triad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Configuration {
    /// `+++`
    MenageATrois,
    /// `++-`: the pivot sits on both friendly ties.
    RomanticTriangle { pivot: usize },
    /// `+--`: the couple shares the friendly tie, the outcast is the third.
    StableMarriage {
        couple: (usize, usize),
        outcast: usize,
    },
    /// `---`
    UnitVeto,
    /// Any loose (zero) tie.
    Loose,
}

/// The three ties of a triad as position pairs, in the order signs are given.
pub const TIES: [(usize, usize); 3] = [(0, 1), (0, 2), (1, 2)];

/// The three ties of a triad of agents, as agent pairs in [`TIES`] order.
pub fn ties_of(members: [usize; 3]) -> [(usize, usize); 3] {
    TIES.map(|(a, b)| (members[a], members[b]))
}

impl Configuration {
    /// Number of distinct configurations with roles.
    pub const COUNT: usize = 9;

    /// Classifies the signs of ties (0,1), (0,2), (1,2).
    pub fn classify(signs: [i8; 3]) -> Configuration {
        if signs.contains(&0) {
            return Configuration::Loose;
        }
        let friendly = signs.map(|s| s > 0);
        match friendly.iter().filter(|&&f| f).count() {
            3 => Configuration::MenageATrois,
            0 => Configuration::UnitVeto,
            2 => {
                // The pivot sits on both friendly ties, so it is not on the
                // hostile one.
                let hostile = TIES[friendly.iter().position(|&f| !f).unwrap_or(0)];
                Configuration::RomanticTriangle {
                    pivot: 3 - hostile.0 - hostile.1,
                }
            }
            _ => {
                let couple = TIES[friendly.iter().position(|&f| f).unwrap_or(0)];
                let outcast = 3 - couple.0 - couple.1;
                Configuration::StableMarriage { couple, outcast }
            }
        }
    }

    pub fn kind(self) -> ConfigKind {
        match self {
            Configuration::MenageATrois => ConfigKind::MenageATrois,
            Configuration::RomanticTriangle { .. } => ConfigKind::RomanticTriangle,
            Configuration::StableMarriage { .. } => ConfigKind::StableMarriage,
            Configuration::UnitVeto => ConfigKind::UnitVeto,
            Configuration::Loose => ConfigKind::Loose,
        }
    }

    /// [`Configuration::index`] of [`Configuration::classify`]`(signs)`,
    /// read from a table of the 27 sign patterns.
    #[inline]
    pub fn index_of(signs: [i8; 3]) -> usize {
        static INDEX: std::sync::LazyLock<[u8; 27]> = std::sync::LazyLock::new(|| {
            std::array::from_fn(|code| {
                let sign = |k: u32| (code / 3usize.pow(k) % 3) as i8 - 1;
                Configuration::classify([sign(0), sign(1), sign(2)]).index() as u8
            })
        });
        let code = signs
            .iter()
            .rev()
            .fold(0, |code, &s| 3 * code + (s + 1) as usize);
        usize::from(INDEX[code])
    }

    /// Every configuration, in [`Configuration::index`] order.
    pub const ALL: [Configuration; Configuration::COUNT] = [
        Configuration::MenageATrois,
        Configuration::RomanticTriangle { pivot: 0 },
        Configuration::RomanticTriangle { pivot: 1 },
        Configuration::RomanticTriangle { pivot: 2 },
        Configuration::StableMarriage {
            couple: TIES[0],
            outcast: 2,
        },
        Configuration::StableMarriage {
            couple: TIES[1],
            outcast: 1,
        },
        Configuration::StableMarriage {
            couple: TIES[2],
            outcast: 0,
        },
        Configuration::UnitVeto,
        Configuration::Loose,
    ];

    /// Name of the configuration in a triad of agents `ids`, as written in
    /// the outputs: `romantic_triangle_RUS`, `stable_marriage_RUS-CHN`. A
    /// couple is named in the order of `rank` (the agents' places in the
    /// scenario), so it reads as its dyad does everywhere else.
    pub fn name(self, ids: &[String; 3], rank: &[usize; 3]) -> String {
        match self {
            Configuration::RomanticTriangle { pivot } => {
                format!("romantic_triangle_{}", ids[pivot])
            }
            Configuration::StableMarriage { couple: (a, b), .. } => {
                let (a, b) = if rank[a] <= rank[b] { (a, b) } else { (b, a) };
                format!("stable_marriage_{}-{}", ids[a], ids[b])
            }
            other => other.kind().name().to_string(),
        }
    }

    /// The configuration that `name` names in the triad `ids`, if any; a
    /// couple may be named in either order.
    pub fn from_name(name: &str, ids: &[String; 3]) -> Option<Configuration> {
        Configuration::ALL.into_iter().find(|c| {
            [[0, 1, 2], [2, 1, 0]]
                .iter()
                .any(|rank| c.name(ids, rank) == name)
        })
    }

    /// Dense index in `0..COUNT`: menage, three pivots, three couples, unit veto, loose.
    pub fn index(self) -> usize {
        match self {
            Configuration::MenageATrois => 0,
            Configuration::RomanticTriangle { pivot } => 1 + pivot,
            Configuration::StableMarriage { couple, .. } => {
                4 + TIES
                    .iter()
                    .position(|&t| t == couple)
                    .expect("couple is a tie")
            }
            Configuration::UnitVeto => 7,
            Configuration::Loose => 8,
        }
    }
}

/// Wu's role score of each member: the signs of its two ties minus the sign
/// of the tie between the other two.
pub fn wu_roles(signs: [i8; 3]) -> [i32; 3] {
    let s = signs.map(i32::from);
    // Ties: s[0] = (0,1), s[1] = (0,2), s[2] = (1,2).
    [s[0] + s[1] - s[2], s[0] + s[2] - s[1], s[1] + s[2] - s[0]]
}

/// The triad a scenario reports on, as agent indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triad {
    pub members: [usize; 3],
    pub ids: [String; 3],
}

impl Triad {
    pub fn ties(&self) -> [(usize, usize); 3] {
        ties_of(self.members)
    }

    /// Names of the configurations in index order, e.g. `romantic_triangle_RUS`,
    /// `stable_marriage_RUS-CHN`. A couple is named as its dyad is
    /// everywhere else (`Model::dyad_name`): its two agents in scenario
    /// order, whatever their order in the triad.
    pub fn configuration_names(&self) -> Vec<String> {
        Configuration::ALL
            .map(|c| c.name(&self.ids, &self.members))
            .to_vec()
    }

    /// Position of an agent within the triad.
    pub fn position(&self, agent: usize) -> Option<usize> {
        self.members.iter().position(|&m| m == agent)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn all_configurations_in_index_order() {
        for (i, c) in super::Configuration::ALL.into_iter().enumerate() {
            assert_eq!(c.index(), i, "{c:?}");
        }
        let ids = ["USA", "CHN", "RUS"].map(String::from);
        for c in super::Configuration::ALL {
            for rank in [[0, 1, 2], [0, 2, 1], [2, 1, 0]] {
                assert_eq!(
                    super::Configuration::from_name(&c.name(&ids, &rank), &ids),
                    Some(c)
                );
            }
        }
        // The couple in the order of the agents' places in the scenario.
        let couple = super::Configuration::StableMarriage {
            couple: (1, 2),
            outcast: 0,
        };
        assert_eq!(couple.name(&ids, &[0, 2, 1]), "stable_marriage_RUS-CHN");
        assert_eq!(couple.name(&ids, &[0, 1, 2]), "stable_marriage_CHN-RUS");
    }

    use super::*;

    #[test]
    fn the_index_table_agrees_with_classify_for_every_sign_pattern() {
        let signs = [-1i8, 0, 1];
        for a in signs {
            for b in signs {
                for c in signs {
                    let expected = Configuration::classify([a, b, c]).index();
                    assert_eq!(Configuration::index_of([a, b, c]), expected, "{a} {b} {c}");
                }
            }
        }
    }
}
