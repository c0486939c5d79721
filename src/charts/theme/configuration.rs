//! Colour, label and stacking order of the triad configurations, read through
//! the typed [`Configuration`] of the outcome module rather than by taking
//! names apart.

use plotters::prelude::*;

use super::*;
use crate::outcome::{ConfigKind, Configuration};

/// Shades used for the three romantic triangles (one per pivot).
const TRIANGLE_SHADES: [RGBColor; 3] = [OI_ORANGE, OI_YELLOW, RGBColor(150, 95, 0)];
/// Shades used for the three stable marriages (one per outcast).
const MARRIAGE_SHADES: [RGBColor; 3] = [OI_BLUE, OI_SKY_BLUE, RGBColor(0, 60, 110)];

/// Colour, label and sort key of the triad configurations, keyed by the triad's agent
/// order so that the same pivot or couple always gets the same shade.
#[derive(Debug, Clone)]
pub(crate) struct ConfigStyle {
    /// The triad's agent ids, when the manifest names three.
    triad: Option<[String; 3]>,
    /// Reader-facing names of the three agents.
    shown: [String; 3],
}

impl ConfigStyle {
    /// Builds the style from the manifest's triad; `agent` gives the label an
    /// agent id is shown with. Without a triad of three, every name is shown
    /// as written.
    pub fn new(triad: &[String], agent: impl Fn(&str) -> String) -> Self {
        let triad: Option<[String; 3]> = triad.to_vec().try_into().ok();
        let shown = match &triad {
            Some(ids) => ids.clone().map(|id| agent(&id)),
            None => Default::default(),
        };
        ConfigStyle { triad, shown }
    }

    fn parse(&self, name: &str) -> Option<Configuration> {
        Configuration::from_name(name, self.triad.as_ref()?)
    }

    /// Key that sorts configurations into stacking (and legend) order: balanced
    /// `+++` first, then `++-` by pivot, `+--` by outcast, `---`, loose, and
    /// unknown names last.
    pub fn sort_key(&self, name: &str) -> (usize, usize, String) {
        let (kind, vertex) = match self.parse(name) {
            Some(c) => {
                let rank = ConfigKind::ALL.iter().position(|k| *k == c.kind());
                let vertex = match c {
                    Configuration::RomanticTriangle { pivot } => pivot,
                    Configuration::StableMarriage { outcast, .. } => outcast,
                    _ => 0,
                };
                (rank.unwrap_or(ConfigKind::ALL.len()), vertex)
            }
            None => (ConfigKind::ALL.len(), 0),
        };
        (kind, vertex, name.to_string())
    }

    /// Fill colour of a configuration.
    pub fn color(&self, name: &str) -> RGBColor {
        match self.parse(name) {
            Some(Configuration::MenageATrois) => OI_GREEN,
            Some(Configuration::RomanticTriangle { pivot }) => TRIANGLE_SHADES[pivot],
            Some(Configuration::StableMarriage { outcast, .. }) => MARRIAGE_SHADES[outcast],
            Some(Configuration::UnitVeto) => OI_VERMILLION,
            Some(Configuration::Loose) => NEUTRAL_LIGHT,
            None => OI_PURPLE,
        }
    }

    /// Reader-facing label of a configuration.
    pub fn label(&self, name: &str) -> String {
        let Some(c) = self.parse(name) else {
            return name.to_string();
        };
        let who = |p: usize| self.shown[p].as_str();
        match c {
            Configuration::MenageATrois => "ménage à trois (+++)".to_string(),
            Configuration::RomanticTriangle { pivot } => {
                format!("romantic triangle, pivot {} (++−)", who(pivot))
            }
            Configuration::StableMarriage { couple: (a, b), .. } => {
                format!("stable marriage {}-{} (+−−)", who(a), who(b))
            }
            Configuration::UnitVeto => "unit veto (−−−)".to_string(),
            Configuration::Loose => "loose (any 0 tie)".to_string(),
        }
    }

    /// Whether `name` is a configuration of the kind `kind`.
    #[cfg(test)]
    fn is(&self, name: &str, kind: ConfigKind) -> bool {
        self.parse(name).is_some_and(|c| c.kind() == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triad() -> Vec<String> {
        ["USA", "CHN", "RUS"].map(String::from).to_vec()
    }

    const NAMES: [&str; 9] = [
        "menage_a_trois",
        "romantic_triangle_USA",
        "romantic_triangle_CHN",
        "romantic_triangle_RUS",
        "stable_marriage_CHN-RUS",
        "stable_marriage_USA-RUS",
        "stable_marriage_USA-CHN",
        "unit_veto",
        "loose",
    ];

    #[test]
    fn configuration_colours_are_distinct() {
        let style = ConfigStyle::new(&triad(), str::to_string);
        let colours: Vec<RGBColor> = NAMES.iter().map(|n| style.color(n)).collect();
        for i in 0..colours.len() {
            for j in i + 1..colours.len() {
                assert_ne!(colours[i], colours[j], "{} vs {}", NAMES[i], NAMES[j]);
            }
        }
        assert!(style.is("stable_marriage_CHN-RUS", ConfigKind::StableMarriage));
    }

    #[test]
    fn stacking_runs_from_balanced_to_loose_and_unknown_names_go_last() {
        let style = ConfigStyle::new(&triad(), str::to_string);
        let mut names: Vec<&str> = NAMES.iter().rev().copied().collect();
        names.insert(3, "something_else");
        names.sort_by_key(|n| style.sort_key(n));
        assert_eq!(&names[..9], &NAMES);
        assert_eq!(names[9], "something_else");
        assert_eq!(style.color("something_else"), OI_PURPLE);
        assert_eq!(style.label("something_else"), "something_else");
    }

    #[test]
    fn labels_use_the_agent_labels() {
        let style = ConfigStyle::new(&triad(), |id| match id {
            "USA" => "United States".to_string(),
            other => other.to_string(),
        });
        assert_eq!(
            style.label("romantic_triangle_USA"),
            "romantic triangle, pivot United States (++−)"
        );
        assert_eq!(
            style.label("stable_marriage_USA-RUS"),
            "stable marriage United States-RUS (+−−)"
        );
    }

    #[test]
    fn without_a_triad_names_are_shown_as_written() {
        let style = ConfigStyle::new(&[], str::to_string);
        assert_eq!(style.label("romantic_triangle_A"), "romantic_triangle_A");
    }
}
