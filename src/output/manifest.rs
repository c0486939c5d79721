//! `manifest.json` of a run folder: what was run, how, and the summary
//! figures that are not tables. Written and read through one type, so the
//! writer and every reader agree on its fields.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::scenario::Scenario;
use crate::simulation::RunResult;
use crate::stats::fixed_mean;

/// The scenario a result came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScenarioInfo {
    pub name: String,
    pub description: String,
    pub file: String,
    /// SHA-256 of the file, or with `extends` of the file and its parents.
    pub sha256: String,
    /// The parent file named by `extends`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// `--set` assignments, as `PATH=VALUE`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// With `extends`: every difference from the parent, one per line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<String>,
}

impl ScenarioInfo {
    pub fn of(scenario: &Scenario) -> ScenarioInfo {
        ScenarioInfo {
            name: scenario.name().to_string(),
            description: scenario.file.description.clone(),
            file: scenario.path.display().to_string(),
            sha256: scenario.sha256.clone(),
            extends: scenario.extends.as_ref().map(|p| p.display().to_string()),
            overrides: scenario
                .overrides
                .iter()
                .map(|(path, value)| format!("{path}={value}"))
                .collect(),
            differences: scenario
                .extends
                .as_ref()
                .and_then(|parent| crate::scenario::load(parent).ok())
                .map(|parent| crate::scenario::diff::differences(&parent, scenario))
                .unwrap_or_default(),
        }
    }
}

/// One outcome rule of the scenario, as a reader needs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutcomeRuleInfo {
    pub name: String,
    /// The scenario's own description, if it gives one.
    pub description: String,
    /// The conditions in words.
    pub definition: String,
    /// Why the rule can never name a run, when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub never_matches: Option<String>,
}

impl OutcomeRuleInfo {
    /// Every rule of `scenario` in rule order (`other` aside).
    pub fn of(scenario: &Scenario) -> Vec<OutcomeRuleInfo> {
        let built = &scenario.built;
        let dead = scenario.dead_rules();
        built
            .rules
            .rules
            .iter()
            .enumerate()
            .map(|(r, conditions)| {
                let name = built.rules.names[r].clone();
                OutcomeRuleInfo {
                    description: scenario
                        .file
                        .outcomes
                        .iter()
                        .find(|o| o.name == name)
                        .map(|o| o.description.clone())
                        .unwrap_or_default(),
                    definition: crate::outcome::rule_in_words(conditions, &built.model.ids),
                    never_matches: dead.iter().find(|d| d.rule == r).map(|d| d.reason.clone()),
                    name,
                }
            })
            .collect()
    }
}

/// One shock of the scenario: what sets it off and what it does.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShockInfo {
    pub id: String,
    pub description: String,
    /// When it fires, in words.
    pub trigger: String,
    /// Whether its effects move the baselines drivers revert to.
    pub persistent: bool,
    /// Each effect as `<path> <op> <value>`, in file order; its value is
    /// the parameter `shock.<id>.effects.<k>.value`.
    pub effects: Vec<String>,
}

impl ShockInfo {
    /// Every shock of `scenario`, in file order.
    pub fn of(scenario: &Scenario) -> Vec<ShockInfo> {
        use crate::model::{EffectOp, Target, Trigger};
        use crate::scenario::ParamPath;
        let model = &scenario.built.model;
        model
            .shocks
            .iter()
            .map(|shock| {
                let mut trigger = match shock.trigger {
                    Trigger::Rate(r) => format!("at random, {r} times a year on average"),
                    Trigger::AtStep(t) => format!("at step {t}"),
                };
                if matches!(shock.trigger, Trigger::Rate(_)) {
                    if shock.first > 0 || shock.last + 1 < model.horizon {
                        trigger.push_str(&format!(", in steps {} to {}", shock.first, shock.last));
                    }
                    match shock.max_count {
                        u32::MAX => {}
                        1 => trigger.push_str(", at most once a run"),
                        n => trigger.push_str(&format!(", at most {n} times a run")),
                    }
                }
                let effects = shock
                    .effects
                    .iter()
                    .map(|e| {
                        let path = match e.target {
                            Target::Driver(d, i, j) => ParamPath::Driver(d, i, j),
                            Target::Attribute(a, i) => ParamPath::Attribute(a, i),
                            Target::Stance(i, j) => ParamPath::Stance(i, j),
                        };
                        let path = path.display(model).to_string();
                        match e.op {
                            EffectOp::Add => format!("add {} to {path}", e.value),
                            EffectOp::Multiply => format!("multiply {path} by {}", e.value),
                            EffectOp::Set => format!("set {path} to {}", e.value),
                        }
                    })
                    .collect();
                ShockInfo {
                    id: shock.id.clone(),
                    description: scenario
                        .file
                        .shocks
                        .iter()
                        .find(|s| s.id == shock.id)
                        .map(|s| s.description.clone())
                        .unwrap_or_default(),
                    trigger,
                    persistent: shock.persistent,
                    effects,
                }
            })
            .collect()
    }
}

/// Summary figures of a run that are not tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunSummaryInfo {
    /// Share of runs in which a treaty formed (absent in folders written
    /// before it was recorded).
    pub treaty_probability: Option<f64>,
    pub mean_first_treaty_step: Option<f64>,
    pub mean_unbalanced_share: f64,
    pub mean_wu_role_score: Option<BTreeMap<String, f64>>,
}

/// How parameter uncertainty entered the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UncertaintyInfo {
    /// Parameter sets drawn (1 when nothing is uncertain).
    pub draws: usize,
    /// Runs under each draw.
    pub runs_per_draw: u64,
    /// The drawn parameter paths.
    pub parameters: Vec<String>,
    /// Whether `[uncertainty]` was ignored (`--nominal`).
    pub nominal: bool,
    /// The posterior file the draws came from, if any.
    pub posterior: Option<String>,
}

/// The code a result came from: the crate version and, when the binary
/// was built from a git checkout, the commit, e.g. `0.1.0 (git 1a2b...)`.
/// Recorded as `code_version` in every manifest.
pub fn code_version() -> String {
    match option_env!("ENTENTE_GIT_COMMIT") {
        Some(commit) => format!("{} (git {commit})", env!("CARGO_PKG_VERSION")),
        None => env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// Labels the scenario gives for charts (`label = "..."` of agents, outcomes
/// and `[uncertainty]` entries), keyed by agent id, outcome name and
/// parameter path. Absent from manifests of scenarios without labels.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Labels {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub agents: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub outcomes: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
}

impl Labels {
    pub fn of(scenario: &Scenario) -> Labels {
        let file = &scenario.file;
        let labelled = |pairs: Vec<(&String, &Option<String>)>| {
            pairs
                .into_iter()
                .filter_map(|(key, label)| Some((key.clone(), label.clone()?)))
                .collect()
        };
        Labels {
            agents: labelled(file.agents.iter().map(|a| (&a.id, &a.label)).collect()),
            outcomes: labelled(file.outcomes.iter().map(|o| (&o.name, &o.label)).collect()),
            parameters: labelled(
                file.uncertainty
                    .iter()
                    .map(|(p, u)| (p, &u.label))
                    .collect(),
            ),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.agents.is_empty() && self.outcomes.is_empty() && self.parameters.is_empty()
    }
}

/// `manifest.json` of a `run` folder (and of each scenario of a `compare`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
// Read leniently: a field missing from an older folder takes its default
// (the step length and partnership threshold of the model's defaults), so
// the charts of any folder can be drawn again.
#[serde(default)]
pub struct RunManifest {
    pub entente_version: String,
    /// [`code_version`]; empty in folders written before it was recorded.
    #[serde(default)]
    pub code_version: String,
    pub scenario: ScenarioInfo,
    pub start_year: Option<f64>,
    pub dt: f64,
    /// Master seed and number of runs (always written; `None` only when
    /// read from a folder that lacks them).
    pub seed: Option<u64>,
    pub runs: Option<u64>,
    pub horizon: Option<usize>,
    pub agents: Vec<String>,
    pub dyads: Vec<String>,
    pub triad: Option<Vec<String>>,
    pub outcomes: Vec<String>,
    /// The outcome rules in words; empty in folders written before they
    /// were recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcome_rules: Vec<OutcomeRuleInfo>,
    /// The shocks in words; empty in older folders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shocks: Vec<ShockInfo>,
    /// Chart labels from the scenario (absent when it gives none).
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub labels: Labels,
    #[serde(rename = "theta_P")]
    pub theta_p: f64,
    pub summary: RunSummaryInfo,
    #[serde(default)]
    pub uncertainty: UncertaintyInfo,
    pub threads: usize,
    pub wall_seconds: f64,
    pub command: String,
}

impl Default for RunManifest {
    /// A manifest that states nothing: its step length and partnership
    /// threshold are the model's defaults, never copies of them.
    fn default() -> Self {
        let params = crate::model::Params::default();
        RunManifest {
            entente_version: String::new(),
            code_version: String::new(),
            scenario: ScenarioInfo::default(),
            start_year: None,
            dt: params.dt,
            seed: None,
            runs: None,
            horizon: None,
            agents: Vec::new(),
            dyads: Vec::new(),
            triad: None,
            outcomes: Vec::new(),
            outcome_rules: Vec::new(),
            shocks: Vec::new(),
            labels: Labels::default(),
            theta_p: params.theta_P,
            summary: RunSummaryInfo::default(),
            uncertainty: UncertaintyInfo::default(),
            threads: 0,
            wall_seconds: 0.0,
            command: String::new(),
        }
    }
}

impl RunManifest {
    /// The triad's agents, none when the scenario has no triad.
    pub fn triad_ids(&self) -> &[String] {
        self.triad.as_deref().unwrap_or_default()
    }

    /// The manifest of `result`, a run of `scenario` started by `command`.
    pub fn of(scenario: &Scenario, result: &RunResult, command: &str) -> RunManifest {
        let model = &scenario.built.model;
        let aggregate = &result.ensemble.aggregate;
        let runs = aggregate.runs.max(1) as f64;
        let triad = scenario.built.triad.as_ref();
        RunManifest {
            entente_version: env!("CARGO_PKG_VERSION").to_string(),
            code_version: code_version(),
            scenario: ScenarioInfo::of(scenario),
            start_year: scenario.start_year(),
            dt: model.params.dt,
            seed: Some(result.seed),
            runs: Some(aggregate.runs),
            horizon: Some(model.horizon),
            agents: model.ids.clone(),
            dyads: result.dyads.clone(),
            triad: triad.map(|t| t.ids.to_vec()),
            outcomes: result.outcome_names.clone(),
            outcome_rules: OutcomeRuleInfo::of(scenario),
            shocks: ShockInfo::of(scenario),
            labels: Labels::of(scenario),
            theta_p: model.params.theta_P,
            summary: RunSummaryInfo {
                treaty_probability: Some(aggregate.treaty_runs as f64 / runs),
                mean_first_treaty_step: (aggregate.treaty_runs > 0)
                    .then(|| aggregate.first_treaty_step_sum as f64 / aggregate.treaty_runs as f64),
                mean_unbalanced_share: fixed_mean(aggregate.unbalanced_sum, aggregate.runs),
                mean_wu_role_score: triad.map(|t| {
                    t.ids
                        .iter()
                        .zip(aggregate.role_sums)
                        .map(|(id, sum)| (id.clone(), sum as f64 / runs))
                        .collect()
                }),
            },
            uncertainty: UncertaintyInfo {
                draws: result.plan.draws,
                runs_per_draw: if result.plan.is_nested() {
                    result.plan.cluster_size
                } else {
                    result.plan.runs
                },
                parameters: result.plan.names.clone(),
                nominal: result.nominal,
                posterior: result.posterior.clone(),
            },
            threads: result.threads,
            wall_seconds: result.wall_seconds,
            command: command.to_string(),
        }
    }

    /// Reads a run folder's manifest.
    pub fn read(dir: &Path) -> Result<RunManifest, InputError> {
        read_manifest(dir, "run")
    }
}

/// `manifest.json` of a `calibrate` folder. The keys are declared in
/// alphabetical order, the order the file has always had. Every field has a
/// default, so a folder written before a field existed still reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CalibrationManifest {
    pub calibration: CalibrationFileInfo,
    pub code_version: String,
    pub command: String,
    /// Whether the forecast used the drivers and events that followed
    /// `until` (`--conditional`).
    pub conditional: bool,
    /// `crps` or `rmse`.
    pub distance: String,
    pub distance_scaled_by_observation_sd: bool,
    pub entente_version: String,
    /// What kind of forecast the held-out years got, in words.
    pub forecast: String,
    pub generations: usize,
    pub particles: usize,
    pub predictive_draws: usize,
    pub predictive_runs: u64,
    pub runs_per_evaluation: u64,
    pub scenario: CalibrationFileInfo,
    pub seed: u64,
    pub simulated_runs: u64,
    pub simulated_runs_per_second: f64,
    /// Why the sequence of generations stopped, in words.
    pub stop: String,
    pub threads: usize,
    /// The last fitted year (`--until`), if the fit stopped before the data.
    pub until: Option<i32>,
    pub wall_seconds: f64,
}

/// The calibration file or the scenario a calibration folder came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CalibrationFileInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub file: String,
    pub name: String,
    pub sha256: String,
}

impl CalibrationManifest {
    /// Reads a calibration folder's manifest.
    pub fn read(dir: &Path) -> Result<CalibrationManifest, InputError> {
        read_manifest(dir, "calibration")
    }
}

/// Reads `dir/manifest.json` into `T`: a missing file, bad JSON or a
/// missing field is an [`InputError`] naming the file and, for bad JSON, the
/// line and column. `what` names the kind of folder expected (`run`,
/// `sweep`, ...).
pub fn read_manifest<T: serde::de::DeserializeOwned>(
    dir: &Path,
    what: &str,
) -> Result<T, InputError> {
    let path = dir.join("manifest.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(InputError::new(format!(
                "is not a {what} result folder (no manifest.json)"
            ))
            .in_file(dir));
        }
        Err(e) => {
            return Err(InputError::new(format!("cannot be read ({e})")).in_file(&path));
        }
    };
    serde_json::from_str(&text).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or_default();
        let mut err = InputError::new(format!(
            "cannot be read as the manifest of a {what} folder: {message}"
        ))
        .in_file(&path)
        .hint(
            "the result folder is damaged or of another kind; run the command that wrote it again",
        );
        if e.line() > 0 {
            err = err.at(e.line(), e.column());
        }
        err
    })
}

/// A value as pretty JSON with a final newline.
pub fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("manifests serialise") + "\n"
}

/// `manifest.json` of a `compare` folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareManifest {
    pub entente_version: String,
    /// [`code_version`]; empty in folders written before it was recorded.
    #[serde(default)]
    pub code_version: String,
    pub scenarios: Vec<ScenarioInfo>,
    pub seed: u64,
    pub runs: u64,
    #[serde(default)]
    pub draws: usize,
    pub threads: usize,
    pub command: String,
}

impl CompareManifest {
    /// Reads a compare folder's manifest.
    pub fn read(dir: &Path) -> Result<CompareManifest, InputError> {
        read_manifest(dir, "compare")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A calibration manifest reads back to the value written, and its keys
    /// keep the alphabetical order that folders written as untyped JSON have.
    #[test]
    fn calibration_manifest_round_trips_in_alphabetical_order() {
        let m = CalibrationManifest {
            calibration: CalibrationFileInfo {
                description: Some("a fit".into()),
                file: "cal.toml".into(),
                name: "cal".into(),
                sha256: "ab".into(),
            },
            code_version: "0.1.0".into(),
            command: "entente calibrate cal.toml".into(),
            distance: "crps".into(),
            generations: 3,
            particles: 100,
            seed: 7,
            until: Some(2013),
            wall_seconds: 1.5,
            ..CalibrationManifest::default()
        };
        let text = to_json(&m);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("manifest.json"), &text).unwrap();
        assert_eq!(CalibrationManifest::read(dir.path()).unwrap(), m);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| text.find(&format!("\"{k}\"")).unwrap())
            .collect();
        assert!(positions.is_sorted(), "keys out of order: {keys:?}");
        // A folder written before a field existed still reads.
        std::fs::write(dir.path().join("manifest.json"), "{\"seed\": 3}").unwrap();
        assert_eq!(CalibrationManifest::read(dir.path()).unwrap().seed, 3);
    }
}
