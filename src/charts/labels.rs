//! How charts name agents, dyads, outcomes and parameters: by the labels the
//! scenario gives (`label = "..."`, carried in `manifest.json`), falling back
//! to ids, outcome names and parameter paths.

use std::path::Path;

use serde::Deserialize;

use crate::output::manifest::Labels;

/// Reader-facing names from a set of labels.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    labels: Labels,
    /// Agent ids, to split dyad names.
    agents: Vec<String>,
}

impl Names {
    /// The names of a run folder, from its manifest.
    pub fn of_run(run: &crate::charts::data::RunData) -> Self {
        Names::new(&run.manifest.labels, &run.manifest.agents)
    }

    pub fn new(labels: &Labels, agents: &[String]) -> Self {
        Names {
            labels: labels.clone(),
            agents: agents.to_vec(),
        }
    }

    /// The label of an agent, or its id.
    pub fn agent(&self, id: &str) -> String {
        self.labels
            .agents
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    /// A dyad `I-J` as `label(I)–label(J)`; unchanged when neither agent has
    /// a label.
    pub fn dyad(&self, dyad: &str) -> String {
        let split = self
            .agents
            .iter()
            .filter_map(|a| {
                Some((
                    a.as_str(),
                    dyad.strip_prefix(a.as_str())?.strip_prefix('-')?,
                ))
            })
            .find(|(_, b)| self.agents.iter().any(|x| x == b))
            .or_else(|| dyad.split_once('-'));
        match split {
            Some((a, b))
                if self.labels.agents.contains_key(a) || self.labels.agents.contains_key(b) =>
            {
                format!("{}–{}", self.agent(a), self.agent(b))
            }
            _ => dyad.to_string(),
        }
    }

    /// The label of an outcome, or its name.
    pub fn outcome(&self, name: &str) -> String {
        self.labels
            .outcomes
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }

    /// The label of a parameter, or its path.
    pub fn parameter(&self, path: &str) -> String {
        self.labels
            .parameters
            .get(path)
            .cloned()
            .unwrap_or_else(|| path.to_string())
    }
}

/// The labels of the scenario subfolders `names` of a `compare` folder, the
/// first scenario's first: an outcome or agent keeps the label the first
/// scenario that labels it gives. A subfolder without a readable manifest
/// adds no labels (labels only dress the charts).
pub(crate) fn compare_labels<'a>(dir: &Path, names: impl IntoIterator<Item = &'a str>) -> Labels {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct OnlyLabels {
        labels: Labels,
    }
    let mut all = Labels::default();
    for name in names {
        if crate::output::safety::compare_subfolder(name).is_err() {
            continue;
        }
        let Ok(found) =
            crate::output::manifest::read_manifest::<OnlyLabels>(&dir.join(name), "run")
        else {
            continue;
        };
        for (mine, theirs) in [
            (&mut all.agents, found.labels.agents),
            (&mut all.outcomes, found.labels.outcomes),
            (&mut all.parameters, found.labels.parameters),
        ] {
            for (k, v) in theirs {
                mine.entry(k).or_insert(v);
            }
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        let mut labels = Labels::default();
        labels.agents.insert("USA".into(), "United States".into());
        labels.outcomes.insert("drift".into(), "Drift".into());
        let agents = ["USA", "CHN", "RUS"].map(String::from);
        Names::new(&labels, &agents)
    }

    #[test]
    fn labels_fall_back_to_ids() {
        let n = names();
        assert_eq!(n.agent("USA"), "United States");
        assert_eq!(n.agent("CHN"), "CHN");
        assert_eq!(n.dyad("USA-CHN"), "United States–CHN");
        assert_eq!(n.dyad("RUS-CHN"), "RUS-CHN");
        assert_eq!(n.outcome("drift"), "Drift");
        assert_eq!(n.outcome("other"), "other");
        assert_eq!(n.parameter("params.eta"), "params.eta");
    }
}
