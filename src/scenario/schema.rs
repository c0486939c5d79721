//! The scenario file as written by people: serde types that mirror the TOML.
//!
//! Nothing here is checked beyond TOML syntax and key names (every table
//! rejects unknown keys). Ranges, agent names and cross references are checked
//! when the file is turned into a [`crate::model::Model`] by
//! [`super::build`], so that sweeps, which set values by parameter path, share
//! the same checks.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::{EffectOp, Params};

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Short identifier; also the default result folder `output/<name>/`.
    pub name: String,
    /// What the scenario represents, in a sentence or two.
    #[serde(default)]
    pub description: String,
    /// Calendar date of step 0 (a TOML date such as `2020-07-23`), used to
    /// label time axes in years.
    #[serde(default)]
    pub start: Option<toml::value::Datetime>,
    /// Run settings (runs, seed, horizon); command-line flags override them.
    #[serde(default)]
    pub run: RunSection,
    /// Model parameters; any one omitted takes its default (the parameter
    /// tables of docs/model.md section 7).
    #[serde(default)]
    pub params: Params,
    /// The states, in the order used for dyad names (`RUS-CHN`) and outputs.
    pub agents: Vec<AgentEntry>,
    /// Directed drivers and initial stances: `[dyad.RUS.CHN]` holds what RUS
    /// has or does toward CHN. `N` and `R` are symmetric and may be given on
    /// either direction (not on both with different values).
    #[serde(default)]
    pub dyad: BTreeMap<String, BTreeMap<String, DyadEntry>>,
    /// Random or scheduled events that change drivers, attributes or stances.
    #[serde(default)]
    pub shocks: Vec<ShockEntry>,
    /// Named-outcome rules, tried in order; the first that matches names the run.
    #[serde(default)]
    pub outcomes: Vec<OutcomeRule>,
    /// Drivers and attributes whose baseline follows a yearly data series.
    #[serde(default)]
    pub series: Vec<SeriesEntry>,
    /// Where calibrated values come from, keyed by parameter path.
    #[serde(default)]
    pub evidence: Vec<EvidenceEntry>,
    /// Which triad the configuration outputs describe.
    #[serde(default)]
    pub report: ReportSection,
    /// Parameters whose values are uncertain, keyed by parameter path: each
    /// carries a distribution that `run` and `compare` draw from.
    #[serde(default)]
    pub uncertainty: BTreeMap<String, UncertaintyEntry>,
}

/// What an evidence entry rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// A value read or computed from a data set.
    Data,
    /// A value stated or implied by published analysis.
    Literature,
    /// The scenario author's judgment.
    Judgment,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 3] = [
        EvidenceKind::Data,
        EvidenceKind::Literature,
        EvidenceKind::Judgment,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EvidenceKind::Data => "data",
            EvidenceKind::Literature => "literature",
            EvidenceKind::Judgment => "judgment",
        }
    }
}

/// `normal = { mean = 1.0, sd = 0.25 }` in an uncertainty entry.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormalEntry {
    pub mean: f64,
    pub sd: f64,
}

/// One entry of `[uncertainty]`: exactly one distribution, and for a normal
/// the bounds it is truncated to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertaintyEntry {
    /// `[low, high]`
    pub uniform: Option<[f64; 2]>,
    /// `[low, mode, high]`
    pub triangular: Option<[f64; 3]>,
    pub normal: Option<NormalEntry>,
    /// `[low, high]`, both above 0: uniform on the log scale.
    pub loguniform: Option<[f64; 2]>,
    /// Truncation bounds of a normal.
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Why this range.
    #[serde(default)]
    pub evidence: String,
    pub kind: Option<EvidenceKind>,
    /// How charts name the parameter (default: its path).
    #[serde(default)]
    pub label: Option<String>,
}

/// `[run]`: defaults for the command line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// Number of Monte Carlo runs.
    #[serde(default = "default_runs")]
    pub runs: i64,
    /// Master seed.
    #[serde(default = "default_seed")]
    pub seed: i64,
    /// Number of steps (quarters).
    #[serde(default = "default_horizon")]
    pub horizon: i64,
}

fn default_runs() -> i64 {
    10_000
}
fn default_seed() -> i64 {
    1
}
fn default_horizon() -> i64 {
    24
}

impl Default for RunSection {
    fn default() -> Self {
        RunSection {
            runs: default_runs(),
            seed: default_seed(),
            horizon: default_horizon(),
        }
    }
}

/// One `[[agents]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentEntry {
    /// Short id such as `USA`, used in dyad names and parameter paths.
    pub id: String,
    /// Full name for reports.
    #[serde(default)]
    pub name: String,
    /// How charts name the agent, also in dyad names (default: its id).
    #[serde(default)]
    pub label: Option<String>,
    /// Capability `w > 0` (CINC share or similar).
    pub capability: f64,
    /// Aggression `g` in [0, 1]: coercion of states outside the model (default 0).
    #[serde(default)]
    pub aggression: Option<f64>,
    /// Choice temperature; `params.tau` when omitted.
    #[serde(default)]
    pub tau: Option<f64>,
}

/// One `[dyad.I.J]` table: what I has toward J.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DyadEntry {
    /// Economic dependence of I on J, % of I's GDP.
    #[serde(rename = "E")]
    pub e: Option<f64>,
    /// Pressure I applies to J, in [0, 1].
    #[serde(rename = "P")]
    pub p: Option<f64>,
    /// Coercion by I of J, in [0, 1].
    #[serde(rename = "G")]
    pub g: Option<f64>,
    /// Normative affinity (symmetric), in [-1, 1].
    #[serde(rename = "N")]
    pub n: Option<f64>,
    /// Regional rivalry (symmetric), in [0, 1].
    #[serde(rename = "R")]
    pub r: Option<f64>,
    /// Initial stance of I toward J, in [-1, 1].
    pub stance: Option<f64>,
    /// Drift of log dependence per year.
    pub mu: Option<f64>,
}

/// One `[[shocks]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShockEntry {
    /// Identifier used in parameter paths (`shock.<id>.rate`).
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// Poisson rate per year (exclusive with `at_step`).
    #[serde(default)]
    pub rate: Option<f64>,
    /// Fires exactly at this step (exclusive with `rate`).
    #[serde(default)]
    pub at_step: Option<i64>,
    /// First and last step (inclusive) in which the shock may fire.
    #[serde(default)]
    pub window: Option<[i64; 2]>,
    /// Most times it may fire in one run (default: unlimited for a rate, 1 for a schedule).
    #[serde(default)]
    pub max_count: Option<i64>,
    /// Persistent effects move the baseline a driver reverts to as well.
    #[serde(default)]
    pub persistent: bool,
    /// What the shock does.
    pub effects: Vec<EffectEntry>,
}

/// One effect of a shock on the value at a parameter path.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectEntry {
    /// Parameter path of a driver, an agent attribute or a stance,
    /// e.g. `dyad.USA.CHN.P`, `agent.RUS.aggression`, `dyad.RUS.IND.stance`.
    pub target: String,
    /// `add`, `multiply` or `set`.
    pub op: EffectOp,
    pub value: f64,
}

/// One `[[outcomes]]` rule: a name and conditions that must all hold.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRule {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// How charts name the outcome (default: its name).
    #[serde(default)]
    pub label: Option<String>,
    /// All must hold; an empty list always matches.
    #[serde(default)]
    pub when: Vec<ConditionEntry>,
}

/// A condition on one dyad (`dyad` with any of `state`, `alignment_at_least`,
/// `alignment_at_most`, `rise_at_least`) or on a triad (`configuration` with
/// optional `pivot`, `couple`, `outcast`, and `triad`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionEntry {
    pub dyad: Option<String>,
    pub state: Option<String>,
    pub alignment_at_least: Option<f64>,
    pub alignment_at_most: Option<f64>,
    pub rise_at_least: Option<f64>,
    pub triad: Option<Vec<String>>,
    pub configuration: Option<String>,
    pub pivot: Option<String>,
    pub couple: Option<String>,
    pub outcast: Option<String>,
}

/// One `[[series]]` entry: the baseline of a driver or attribute read, year
/// by year, from a column of a CSV file (docs/model.md, section 6.1).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesEntry {
    /// Parameter path of a driver (`dyad.I.J.E|N|R|P|G`) or an agent
    /// attribute (`agent.I.capability|aggression|tau`).
    pub target: String,
    /// CSV file with a header row, relative to the scenario file; lines
    /// starting with `#` are comments.
    pub file: String,
    /// Column holding the values.
    pub column: String,
    /// Column holding the calendar year of each value (default `year`).
    #[serde(default = "default_year_column")]
    pub year_column: String,
    /// Only rows whose columns equal these values, e.g.
    /// `{ from = "USA", to = "CHN" }`.
    #[serde(default)]
    pub filter: BTreeMap<String, String>,
    /// What the series is, for reports.
    #[serde(default)]
    pub description: String,
}

fn default_year_column() -> String {
    "year".to_string()
}

/// One `[[evidence]]` entry: where a calibrated value comes from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceEntry {
    /// Parameter path of the value, e.g. `dyad.RUS.CHN.E`.
    pub path: String,
    /// Source document or data set.
    pub source: String,
    /// Section heading or table within the source.
    #[serde(default)]
    pub section: String,
    /// What the source supports, in the scenario author's words.
    pub claim: String,
    /// Whether the value comes from data, the literature or judgment.
    pub kind: Option<EvidenceKind>,
}

/// `[report]`: presentation choices.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSection {
    /// The triad for configuration outputs; default USA, CHN, RUS when all
    /// are present, else the first three agents.
    #[serde(default)]
    pub triad: Option<Vec<String>>,
}
