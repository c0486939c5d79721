//! Turns a parsed [`ScenarioFile`] into a validated [`Model`], outcome
//! rules and report triad. Every check names the place in the file it is
//! about (as a [`Seg`] path) so the caller can point at a line.

use std::collections::{BTreeMap, HashSet};

use super::locate::Seg;
use super::paths::ParamPath;
use super::schema::{
    ConditionEntry, DyadEntry, EvidenceEntry, NormalEntry, ScenarioFile, ShockEntry,
    UncertaintyEntry,
};
use crate::error::nearest;
use crate::model::{Driver, Effect, Model, Shock, Target, Trigger};
use crate::outcome::{Condition, ConfigKind, DyadState, OutcomeRules, Triad};
use crate::segs;
use crate::uncertainty::{Distribution, Uncertain};

/// A problem found while building, located by its path in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub at: Vec<Seg>,
    pub key: String,
    pub message: String,
}

pub fn problem(at: Vec<Seg>, key: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        at,
        key: key.into(),
        message: message.into(),
    }
}

/// What a scenario file describes, validated.
#[derive(Debug, Clone)]
pub struct Built {
    pub model: Model,
    pub rules: OutcomeRules,
    pub triad: Option<Triad>,
    pub runs: u64,
    pub seed: u64,
    /// Paths of the values the file sets explicitly, in file order.
    pub calibrated: Vec<ParamPath>,
    pub evidence: Vec<(ParamPath, EvidenceEntry)>,
    /// Where each series-driven value comes from, in file order.
    pub series: Vec<super::series::SeriesSource>,
    /// Parameters drawn from a distribution by `run` and `compare`, in path
    /// order. Degenerate distributions are not here: they set their value.
    pub uncertain: Vec<Uncertain>,
    /// The thresholds the file's outcome rules set, as
    /// `(outcome.<name>.when.<k>.<field>, value)`, in file order.
    pub thresholds: Vec<(String, f64)>,
    /// Evidence entries for those thresholds, by path.
    pub threshold_evidence: Vec<(String, EvidenceEntry)>,
}

/// The fields of an outcome condition that hold a calibrated threshold.
pub const THRESHOLD_FIELDS: [&str; 3] =
    ["alignment_at_least", "alignment_at_most", "rise_at_least"];

/// Every threshold the file's `[[outcomes]]` set, as
/// `(outcome.<name>.when.<k>.<field>, value)`, in file order. The default
/// rules' thresholds are model defaults, not calibrated, so they are not here.
fn outcome_thresholds(file: &ScenarioFile) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for rule in &file.outcomes {
        for (k, c) in rule.when.iter().enumerate() {
            let values = [c.alignment_at_least, c.alignment_at_most, c.rise_at_least];
            for (field, value) in THRESHOLD_FIELDS.iter().zip(values) {
                if let Some(v) = value {
                    out.push((format!("outcome.{}.when.{k}.{field}", rule.name), v));
                }
            }
        }
    }
    out
}

/// Ids must be usable in dyad names (`A-B`) and paths (`agent.A.x`).
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

const ID_EXPECTED: &str = "letters, digits and underscores only (no spaces, dots or dashes)";

/// Longest scenario or sweep name, in characters. A name becomes a folder
/// name (`output/<name>/`), and file systems cap those at 255 bytes.
pub const MAX_NAME_LEN: usize = 100;

/// Checks that a scenario or sweep `name` is one safe path component:
/// ASCII letters, digits, `-`, `_` and `.`, not starting with `.`, at most
/// [`MAX_NAME_LEN`] characters. Such a name can never climb out of the
/// folder it is joined to (no `/`, no `..`), never names a hidden or
/// temporary file of entente, and prints without control characters.
/// On failure returns the message "found ..., expected ...".
pub fn safe_name(name: &str) -> Result<(), String> {
    let expected = format!(
        "expected a name of 1 to {MAX_NAME_LEN} letters, digits, `-`, `_` or `.`, not starting with `.` (it names the result folder)"
    );
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_NAME_LEN
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        return Ok(());
    }
    let found = if name.is_empty() {
        "an empty name".to_string()
    } else if name.chars().count() > MAX_NAME_LEN {
        format!("a name of {} characters", name.chars().count())
    } else {
        format!("`{}`", name.escape_debug())
    };
    Err(format!("found {found}, {expected}"))
}

/// Most agents a scenario may have. Each worker thread keeps `16 n^3`
/// numbers (the pairwise weights of 16 runs in lockstep), so memory grows
/// with the cube of the agent count: 100 agents take 128 MB per thread.
pub const MAX_AGENTS: usize = 100;

/// Most memory, in bytes, that the tables of one worker thread may need
/// ([`worker_bytes`]): the lockstep state, the trace of 16 runs and the
/// per-step histograms. A run uses about this much per thread.
pub const MAX_WORKER_BYTES: u64 = 512 << 20;

/// Estimated bytes one worker thread allocates to run a model of `agents`
/// agents and `shocks` shocks over `horizon` steps, or `None` on overflow.
/// It counts the three large tables: the lockstep weights (`16 n^3` f64),
/// the trace of 16 runs (`(horizon + 1) n^2` f64 and bool per lane) and the
/// aggregate's per-step alignment histograms and sums for every dyad.
pub fn worker_bytes(agents: u64, horizon: u64, shocks: u64) -> Option<u64> {
    let lanes = crate::model::LANES as u64;
    let steps = horizon.checked_add(1)?;
    let pairs = agents.checked_mul(agents)?;
    let dyads = agents.checked_mul(agents.saturating_sub(1))? / 2;
    let weights = pairs.checked_mul(agents)?.checked_mul(lanes * 8)?;
    let trace = steps.checked_mul(pairs)?.checked_mul(lanes * 9)?;
    let per_step = crate::engine::STEP_BINS.0 as u64 * 8 + 3 * 8;
    let aggregate = steps.checked_mul(dyads)?.checked_mul(per_step)?;
    let shock_state = shocks.checked_mul(lanes * 8)?;
    weights
        .checked_add(trace)?
        .checked_add(aggregate)?
        .checked_add(shock_state)
}

/// Checks the scenario's size against [`MAX_WORKER_BYTES`], before anything
/// that size is allocated.
fn check_memory(file: &ScenarioFile, horizon: usize) -> Result<(), Problem> {
    let agents = file.agents.len() as u64;
    let bytes = worker_bytes(agents, horizon as u64, file.shocks.len() as u64);
    match bytes {
        Some(b) if b <= MAX_WORKER_BYTES => Ok(()),
        _ => Err(problem(
            segs!["run", "horizon"],
            "run.horizon",
            format!(
                "{agents} agents over {horizon} steps need about {} of memory per worker thread, more than the limit of {} MiB; lower run.horizon or the number of agents",
                bytes.map_or("more than 2^64 bytes".to_string(), |b| format!(
                    "{} MiB",
                    b.div_ceil(1 << 20)
                )),
                MAX_WORKER_BYTES >> 20
            ),
        )),
    }
}

/// Longest chart label, in characters.
pub const MAX_LABEL_CHARS: usize = 60;

/// Checks every `label` of agents, outcomes and uncertain parameters: one
/// line of 1 to [`MAX_LABEL_CHARS`] characters, since charts set it as a
/// single text.
fn check_labels(file: &ScenarioFile) -> Result<(), Problem> {
    let agents = file.agents.iter().enumerate().map(|(k, a)| {
        (
            segs!["agents", k, "label"],
            format!("agents.{}.label", a.id),
            &a.label,
        )
    });
    let outcomes = file.outcomes.iter().enumerate().map(|(k, o)| {
        (
            segs!["outcomes", k, "label"],
            format!("outcomes.{}.label", o.name),
            &o.label,
        )
    });
    let parameters = file.uncertainty.iter().map(|(path, u)| {
        (
            segs!["uncertainty", path.as_str(), "label"],
            format!("uncertainty.{path}.label"),
            &u.label,
        )
    });
    for (at, key, label) in agents.chain(outcomes).chain(parameters) {
        let Some(label) = label else { continue };
        let chars = label.chars().count();
        if label.trim().is_empty() || chars > MAX_LABEL_CHARS || label.chars().any(char::is_control)
        {
            return Err(problem(
                at,
                key,
                format!("found {label:?}, expected one line of 1 to {MAX_LABEL_CHARS} characters"),
            ));
        }
    }
    Ok(())
}

/// Validates `file` and builds the model it describes.
pub fn build(file: &ScenarioFile) -> Result<Built, Problem> {
    safe_name(&file.name).map_err(|m| problem(segs!["name"], "name", m))?;
    let run = &file.run;
    if run.runs < 1 {
        return Err(problem(
            segs!["run", "runs"],
            "run.runs",
            format!("found {}, expected a whole number of at least 1", run.runs),
        ));
    }
    if run.seed < 0 {
        return Err(problem(
            segs!["run", "seed"],
            "run.seed",
            format!("found {}, expected a whole number of at least 0", run.seed),
        ));
    }
    if !(1..=100_000).contains(&run.horizon) {
        return Err(problem(
            segs!["run", "horizon"],
            "run.horizon",
            format!(
                "found {}, expected a whole number of steps from 1 to 100000",
                run.horizon
            ),
        ));
    }
    let horizon = run.horizon as usize;

    let ids = agent_ids(file)?;
    check_labels(file)?;
    check_memory(file, horizon)?;
    let mut model = Model::blank(ids, horizon);
    model.params = file.params.clone();
    if let Some((spec, value)) = model.params.out_of_range() {
        return Err(problem(
            segs!["params", spec.name],
            format!("params.{}", spec.name),
            format!("found {value}, expected {}", spec.expected()),
        ));
    }
    if model.params.W > horizon as f64 {
        return Err(problem(
            segs!["params", "W"],
            "params.W",
            format!(
                "found {}, expected at most the horizon ({horizon} steps)",
                model.params.W
            ),
        ));
    }

    let mut calibrated: Vec<ParamPath> = crate::model::PARAM_SPECS
        .iter()
        .filter(|spec| file.params.get(spec.name) != Some(spec.default))
        .map(|spec| ParamPath::Param(spec.name))
        .collect();
    let mut set =
        |model: &mut Model, at: Vec<Seg>, path: &str, value: f64| -> Result<(), Problem> {
            let resolved =
                ParamPath::parse(model, path).map_err(|m| problem(at.clone(), path, m))?;
            resolved
                .set(model, value)
                .map_err(|m| problem(at, path, m))?;
            calibrated.push(resolved);
            Ok(())
        };

    let default_tau = model.params.tau;
    for (k, agent) in file.agents.iter().enumerate() {
        let at = |key: &str| segs!["agents", k, key];
        let id = &agent.id;
        set(
            &mut model,
            at("capability"),
            &format!("agent.{id}.capability"),
            agent.capability,
        )?;
        if let Some(g) = agent.aggression {
            set(
                &mut model,
                at("aggression"),
                &format!("agent.{id}.aggression"),
                g,
            )?;
        }
        match agent.tau {
            Some(tau) => set(&mut model, at("tau"), &format!("agent.{id}.tau"), tau)?,
            None => model.tau[k] = default_tau,
        }
    }

    let mut symmetric: BTreeMap<(usize, usize, &str), (f64, String)> = BTreeMap::new();
    for (from, row) in &file.dyad {
        for (to, entry) in row {
            let at = segs!["dyad", from.as_str(), to.as_str()];
            let (i, j) = dyad_agents(&model, from, to)?;
            for (key, value) in dyad_values(entry) {
                let path = format!("dyad.{from}.{to}.{key}");
                let mut here = at.clone();
                here.push(Seg::from(key));
                if key == "N" || key == "R" {
                    let pair = (i.min(j), i.max(j), key);
                    if let Some((earlier, earlier_path)) = symmetric.get(&pair)
                        && *earlier != value
                    {
                        return Err(problem(
                            here,
                            path,
                            format!(
                                "found {value}, but {earlier_path} = {earlier}; {key} is symmetric, so give it on one direction only"
                            ),
                        ));
                    }
                    symmetric.insert(pair, (value, path.clone()));
                }
                set(&mut model, here, &path, value)?;
            }
        }
    }

    let shock_ids: Vec<&str> = file.shocks.iter().map(|s| s.id.as_str()).collect();
    for (k, entry) in file.shocks.iter().enumerate() {
        let shock = build_shock(&model, k, entry, &shock_ids)?;
        model.shocks.push(shock);
    }
    for (k, entry) in file.shocks.iter().enumerate() {
        let id = &entry.id;
        if let Some(rate) = entry.rate {
            set(
                &mut model,
                segs!["shocks", k, "rate"],
                &format!("shock.{id}.rate"),
                rate,
            )?;
        }
        if let Some(step) = entry.at_step {
            // Checked here, on the whole number, so that the message quotes it
            // exactly (a step near 2^63 has no exact f64).
            let last = horizon - 1;
            if !(0..=last as i64).contains(&step) {
                return Err(problem(
                    segs!["shocks", k, "at_step"],
                    format!("shock.{id}.at_step"),
                    format!(
                        "found {step}, expected a whole step from 0 to {last} (the horizon is {horizon})"
                    ),
                ));
            }
            set(
                &mut model,
                segs!["shocks", k, "at_step"],
                &format!("shock.{id}.at_step"),
                step as f64,
            )?;
        }
        if let Some(count) = entry.max_count {
            if !(1..=1_000_000_000).contains(&count) {
                return Err(problem(
                    segs!["shocks", k, "max_count"],
                    format!("shock.{id}.max_count"),
                    format!("found {count}, expected a whole number from 1 to 1000000000"),
                ));
            }
            set(
                &mut model,
                segs!["shocks", k, "max_count"],
                &format!("shock.{id}.max_count"),
                count as f64,
            )?;
        }
    }

    // A shock's effect sizes are calibrated values like its rate: each is
    // listed with its evidence under `shock.<id>.effects.<k>.value`.
    for (s, shock) in model.shocks.iter().enumerate() {
        for k in 0..shock.effects.len() {
            calibrated.push(ParamPath::EffectValue(s, k));
        }
    }

    let triad = report_triad(file, &model)?;
    let rules = outcome_rules(file, &model, triad.as_ref())?;
    let thresholds = outcome_thresholds(file);
    let (evidence, threshold_evidence) = evidence(file, &model, &thresholds)?;
    let uncertain = uncertainty(file, &mut model)?;

    Ok(Built {
        model,
        rules,
        triad,
        runs: run.runs as u64,
        seed: run.seed as u64,
        calibrated,
        evidence,
        series: Vec::new(),
        uncertain,
        thresholds,
        threshold_evidence,
    })
}

fn agent_ids(file: &ScenarioFile) -> Result<Vec<String>, Problem> {
    match file.agents.len() {
        0 => {
            return Err(problem(
                segs!["agents"],
                "agents",
                "found an empty list, expected at least two agents",
            ));
        }
        1 => {
            return Err(problem(
                segs!["agents"],
                "agents",
                format!(
                    "found one agent (`{}`), expected at least two",
                    file.agents[0].id
                ),
            ));
        }
        n if n > MAX_AGENTS => {
            return Err(problem(
                segs!["agents"],
                "agents",
                format!(
                    "found {n} agents, expected at most {MAX_AGENTS} (memory grows with the cube of the agent count); drop agents or merge minor ones"
                ),
            ));
        }
        _ => {}
    }
    let mut seen = HashSet::new();
    for (k, agent) in file.agents.iter().enumerate() {
        if !valid_id(&agent.id) {
            return Err(problem(
                segs!["agents", k, "id"],
                "agents.id",
                format!("found `{}`, expected {ID_EXPECTED}", agent.id),
            ));
        }
        if !seen.insert(agent.id.as_str()) {
            return Err(problem(
                segs!["agents", k, "id"],
                "agents.id",
                format!(
                    "agent `{}` is listed twice; each agent id must be unique",
                    agent.id
                ),
            ));
        }
    }
    Ok(file.agents.iter().map(|a| a.id.clone()).collect())
}

fn unknown_agent(model: &Model, id: &str) -> String {
    let hint = match nearest(id, model.ids.iter().map(String::as_str)) {
        Some(c) => format!("did you mean `{c}`?"),
        None => format!("the agents are {}", model.ids.join(", ")),
    };
    format!("unknown agent `{id}`; {hint}")
}

fn dyad_agents(model: &Model, from: &str, to: &str) -> Result<(usize, usize), Problem> {
    let i = model.agent(from).ok_or_else(|| {
        problem(
            segs!["dyad", from],
            format!("dyad.{from}"),
            unknown_agent(model, from),
        )
    })?;
    let j = model.agent(to).ok_or_else(|| {
        problem(
            segs!["dyad", from, to],
            format!("dyad.{from}.{to}"),
            unknown_agent(model, to),
        )
    })?;
    if i == j {
        return Err(problem(
            segs!["dyad", from, to],
            format!("dyad.{from}.{to}"),
            format!("a dyad of `{from}` with itself; expected two different agents"),
        ));
    }
    Ok((i, j))
}

fn dyad_values(entry: &DyadEntry) -> impl Iterator<Item = (&'static str, f64)> {
    [
        ("E", entry.e),
        ("N", entry.n),
        ("R", entry.r),
        ("P", entry.p),
        ("G", entry.g),
        ("stance", entry.stance),
        ("mu", entry.mu),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
}

fn build_shock(
    model: &Model,
    k: usize,
    entry: &ShockEntry,
    ids: &[&str],
) -> Result<Shock, Problem> {
    let at = |key: &str| segs!["shocks", k, key];
    let key = |field: &str| format!("shocks.{}.{field}", entry.id);
    if !valid_id(&entry.id) {
        return Err(problem(
            at("id"),
            "shocks.id",
            format!("found `{}`, expected {ID_EXPECTED}", entry.id),
        ));
    }
    if ids[..k].contains(&entry.id.as_str()) {
        return Err(problem(
            at("id"),
            "shocks.id",
            format!("shock `{}` is defined twice; ids must be unique", entry.id),
        ));
    }
    let trigger = match (entry.rate, entry.at_step) {
        (Some(_), Some(_)) => {
            return Err(problem(
                at("at_step"),
                key("at_step"),
                "found both `rate` and `at_step`, expected exactly one: a rate per year or a scheduled step",
            ));
        }
        (None, None) => {
            return Err(problem(
                at("id"),
                key("rate"),
                "found neither `rate` nor `at_step`, expected exactly one",
            ));
        }
        (Some(_), None) => Trigger::Rate(0.0),
        (None, Some(_)) => Trigger::AtStep(0),
    };
    let last_step = model.horizon as i64 - 1;
    let (first, last) = match entry.window {
        None => (0, last_step),
        Some([a, b]) => {
            if a < 0 || b < a || b > last_step {
                return Err(problem(
                    at("window"),
                    key("window"),
                    format!(
                        "found [{a}, {b}], expected [first, last] with 0 <= first <= last <= {last_step}"
                    ),
                ));
            }
            (a, b)
        }
    };
    let max_count = match trigger {
        Trigger::AtStep(_) => 1,
        Trigger::Rate(_) => u32::MAX,
    };
    let mut effects = Vec::new();
    for (e, effect) in entry.effects.iter().enumerate() {
        let here = segs!["shocks", k, "effects", e, "target"];
        let target_key = format!("shocks.{}.effects.{e}.target", entry.id);
        let path = ParamPath::parse(model, &effect.target)
            .map_err(|m| problem(here.clone(), &target_key, m))?;
        let target = match path {
            ParamPath::Driver(d, i, j) => Target::Driver(d, i, j),
            ParamPath::Attribute(a, i) => Target::Attribute(a, i),
            ParamPath::Stance(i, j) => Target::Stance(i, j),
            _ => {
                return Err(problem(
                    here,
                    target_key,
                    format!(
                        "found `{}`, expected a driver (dyad.I.J.{}), an agent attribute (agent.I.capability|aggression|tau) or a stance (dyad.I.J.stance)",
                        effect.target,
                        Driver::names()
                    ),
                ));
            }
        };
        if !effect.value.is_finite() {
            return Err(problem(
                segs!["shocks", k, "effects", e, "value"],
                format!("shocks.{}.effects.{e}.value", entry.id),
                format!("found {}, expected a finite number", effect.value),
            ));
        }
        effects.push(Effect {
            target,
            op: effect.op,
            value: effect.value,
        });
    }
    Ok(Shock {
        id: entry.id.clone(),
        trigger,
        first: first as usize,
        last: last as usize,
        max_count,
        persistent: entry.persistent,
        effects,
    })
}

const DEFAULT_TRIAD: [&str; 3] = ["USA", "CHN", "RUS"];

fn report_triad(file: &ScenarioFile, model: &Model) -> Result<Option<Triad>, Problem> {
    match &file.report.triad {
        Some(ids) => parse_triad(model, ids, segs!["report", "triad"], "report.triad").map(Some),
        None if model.n() < 3 => Ok(None),
        None => {
            let members = if DEFAULT_TRIAD.iter().all(|id| model.agent(id).is_some()) {
                let mut m = DEFAULT_TRIAD.map(|id| model.agent(id).expect("checked"));
                m.sort_unstable();
                m
            } else {
                [0, 1, 2]
            };
            Ok(Some(Triad {
                members,
                ids: members.map(|i| model.ids[i].clone()),
            }))
        }
    }
}

fn parse_triad(model: &Model, ids: &[String], at: Vec<Seg>, key: &str) -> Result<Triad, Problem> {
    if ids.len() != 3 {
        return Err(problem(
            at,
            key,
            format!("found {} agents, expected exactly three", ids.len()),
        ));
    }
    let mut members = [0; 3];
    for (p, id) in ids.iter().enumerate() {
        members[p] = model
            .agent(id)
            .ok_or_else(|| problem(at.clone(), key, unknown_agent(model, id)))?;
    }
    if members[0] == members[1] || members[0] == members[2] || members[1] == members[2] {
        return Err(problem(
            at,
            key,
            format!(
                "found [{}], expected three different agents",
                ids.join(", ")
            ),
        ));
    }
    Ok(Triad {
        members,
        ids: members.map(|i| model.ids[i].clone()),
    })
}

fn outcome_rules(
    file: &ScenarioFile,
    model: &Model,
    triad: Option<&Triad>,
) -> Result<OutcomeRules, Problem> {
    if file.outcomes.is_empty() {
        if DEFAULT_TRIAD.iter().all(|id| model.agent(id).is_some()) {
            return Ok(default_rules(model));
        }
        return Err(problem(
            segs!["agents"],
            "outcomes",
            "found no [[outcomes]] rules; the default rules need agents USA, CHN and RUS, so write rules for these agents",
        ));
    }
    let mut names = HashSet::new();
    let mut rules = Vec::new();
    for (r, rule) in file.outcomes.iter().enumerate() {
        if !valid_id(&rule.name) || rule.name == crate::outcome::OTHER {
            return Err(problem(
                segs!["outcomes", r, "name"],
                "outcomes.name",
                format!(
                    "found `{}`, expected a name of {ID_EXPECTED}, other than `other`",
                    rule.name
                ),
            ));
        }
        if !names.insert(rule.name.as_str()) {
            return Err(problem(
                segs!["outcomes", r, "name"],
                "outcomes.name",
                format!(
                    "outcome `{}` is defined twice; names must be unique",
                    rule.name
                ),
            ));
        }
        let conditions = rule
            .when
            .iter()
            .enumerate()
            .map(|(c, entry)| {
                condition(
                    model,
                    triad,
                    entry,
                    segs!["outcomes", r, "when", c],
                    &rule.name,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        rules.push((rule.name.clone(), conditions));
    }
    Ok(OutcomeRules::new(rules))
}

/// Where in the file a condition sits, for its error messages.
struct ConditionSite<'a> {
    model: &'a Model,
    rule: &'a str,
    at: Vec<Seg>,
}

impl ConditionSite<'_> {
    /// A problem with `field` of this condition.
    fn problem(&self, field: &str, message: impl Into<String>) -> Problem {
        let mut at = self.at.clone();
        at.push(Seg::from(field));
        problem(at, format!("outcomes.{}.when.{field}", self.rule), message)
    }

    fn agent(&self, id: &str, field: &str) -> Result<usize, Problem> {
        self.model
            .agent(id)
            .ok_or_else(|| self.problem(field, unknown_agent(self.model, id)))
    }

    fn pair<'n>(&self, name: &'n str, field: &str) -> Result<(&'n str, &'n str), Problem> {
        split_pair(name).ok_or_else(|| {
            self.problem(
                field,
                format!("found `{name}`, expected two agent ids joined by a dash, like RUS-CHN"),
            )
        })
    }
}

fn condition(
    model: &Model,
    triad: Option<&Triad>,
    c: &ConditionEntry,
    at: Vec<Seg>,
    rule: &str,
) -> Result<Condition, Problem> {
    let site = ConditionSite { model, rule, at };
    match (&c.dyad, &c.configuration) {
        (Some(_), Some(_)) => Err(site.problem(
            "configuration",
            "found both `dyad` and `configuration`; put each in its own condition of the `when` list",
        )),
        (None, None) => Err(problem(
            site.at,
            format!("outcomes.{rule}.when.dyad"),
            "a condition needs `dyad` or `configuration`",
        )),
        (Some(name), None) => dyad_condition(&site, name, c),
        (None, Some(config)) => configuration_condition(&site, triad, config, c),
    }
}

fn has_dyad_fields(c: &ConditionEntry) -> bool {
    c.state.is_some()
        || c.alignment_at_least.is_some()
        || c.alignment_at_most.is_some()
        || c.rise_at_least.is_some()
}

fn dyad_condition(
    site: &ConditionSite,
    name: &str,
    c: &ConditionEntry,
) -> Result<Condition, Problem> {
    if c.triad.is_some() || c.pivot.is_some() || c.couple.is_some() || c.outcast.is_some() {
        return Err(site.problem(
            "dyad",
            "`triad`, `pivot`, `couple` and `outcast` go with `configuration`, not `dyad`",
        ));
    }
    let (a, b) = site.pair(name, "dyad")?;
    let (i, j) = (site.agent(a, "dyad")?, site.agent(b, "dyad")?);
    if i == j {
        return Err(site.problem(
            "dyad",
            format!("found `{name}`, expected two different agents"),
        ));
    }
    let state = match &c.state {
        None => None,
        Some(s) => Some(DyadState::from_name(s).ok_or_else(|| {
            site.problem(
                "state",
                format!("found `{s}`, expected alliance, partnership, hedging or antagonism"),
            )
        })?),
    };
    for (field, v) in [
        ("alignment_at_least", c.alignment_at_least),
        ("alignment_at_most", c.alignment_at_most),
        ("rise_at_least", c.rise_at_least),
    ] {
        if let Some(v) = v {
            let limit = if field == "rise_at_least" { 2.0 } else { 1.0 };
            if !(v.is_finite() && v.abs() <= limit) {
                return Err(site.problem(
                    field,
                    format!("found {v}, expected a number from -{limit} to {limit}"),
                ));
            }
        }
    }
    if !has_dyad_fields(c) {
        return Err(site.problem(
            "dyad",
            "a dyad condition needs `state`, `alignment_at_least`, `alignment_at_most` or `rise_at_least`",
        ));
    }
    Ok(Condition::Dyad {
        i,
        j,
        state,
        alignment_at_least: c.alignment_at_least,
        alignment_at_most: c.alignment_at_most,
        rise_at_least: c.rise_at_least,
    })
}

fn configuration_condition(
    site: &ConditionSite,
    triad: Option<&Triad>,
    config: &str,
    c: &ConditionEntry,
) -> Result<Condition, Problem> {
    if has_dyad_fields(c) {
        return Err(site.problem(
            "configuration",
            "`state` and the alignment bounds go with `dyad`, not `configuration`",
        ));
    }
    let kind = ConfigKind::from_name(config).ok_or_else(|| {
        site.problem(
            "configuration",
            format!("found `{config}`, expected menage_a_trois, romantic_triangle, stable_marriage, unit_veto or loose"),
        )
    })?;
    let triad = match &c.triad {
        Some(ids) => {
            let mut at = site.at.clone();
            at.push(Seg::from("triad"));
            let key = format!("outcomes.{}.when.triad", site.rule);
            parse_triad(site.model, ids, at, &key)?
        }
        None => triad
            .cloned()
            .ok_or_else(|| site.problem("configuration", "a configuration needs three agents"))?,
    };
    let member = |id: &str, field: &str| -> Result<usize, Problem> {
        let a = site.agent(id, field)?;
        if triad.position(a).is_none() {
            return Err(site.problem(
                field,
                format!("`{id}` is not in the triad [{}]", triad.ids.join(", ")),
            ));
        }
        Ok(a)
    };
    let pivot = c.pivot.as_deref().map(|p| member(p, "pivot")).transpose()?;
    let outcast = c
        .outcast
        .as_deref()
        .map(|p| member(p, "outcast"))
        .transpose()?;
    let couple = match &c.couple {
        None => None,
        Some(name) => {
            let (a, b) = site.pair(name, "couple")?;
            Some((member(a, "couple")?, member(b, "couple")?))
        }
    };
    if pivot.is_some() && kind != ConfigKind::RomanticTriangle {
        return Err(site.problem("pivot", "`pivot` applies only to romantic_triangle"));
    }
    if (couple.is_some() || outcast.is_some()) && kind != ConfigKind::StableMarriage {
        return Err(site.problem(
            "couple",
            "`couple` and `outcast` apply only to stable_marriage",
        ));
    }
    Ok(Condition::Triad {
        members: triad.members,
        kind,
        pivot,
        couple,
        outcast,
    })
}

fn split_pair(name: &str) -> Option<(&str, &str)> {
    let (a, b) = name.split_once('-')?;
    (!a.is_empty() && !b.is_empty() && !b.contains('-')).then_some((a, b))
}

/// The default rules of docs/model.md section 7.8 for USA, CHN and RUS.
pub fn default_rules(model: &Model) -> OutcomeRules {
    let id = |a: &str| model.agent(a).expect("default triad present");
    let (usa, chn, rus) = (id("USA"), id("CHN"), id("RUS"));
    let dyad_state = |i, j, state| Condition::Dyad {
        i,
        j,
        state: Some(state),
        alignment_at_least: None,
        alignment_at_most: None,
        rise_at_least: None,
    };
    let mut members = [usa, chn, rus];
    members.sort_unstable();
    OutcomeRules::new(vec![
        (
            "sino_russian_alliance".into(),
            vec![dyad_state(rus, chn, DyadState::Alliance)],
        ),
        (
            "us_russia_rapprochement".into(),
            vec![Condition::Dyad {
                i: usa,
                j: rus,
                state: None,
                alignment_at_least: Some(0.0),
                alignment_at_most: None,
                rise_at_least: Some(0.5),
            }],
        ),
        (
            "partnership_short_of_alliance".into(),
            vec![dyad_state(rus, chn, DyadState::Partnership)],
        ),
        (
            "russia_pivot".into(),
            vec![Condition::Triad {
                members,
                kind: ConfigKind::RomanticTriangle,
                pivot: Some(rus),
                couple: None,
                outcast: None,
            }],
        ),
        ("drift".into(), vec![]),
    ])
}

/// Evidence entries by parameter path, and those for outcome thresholds
/// (`outcome.<name>.when.<k>.<field>`) apart, since a threshold is no model
/// parameter.
#[allow(clippy::type_complexity)]
fn evidence(
    file: &ScenarioFile,
    model: &Model,
    thresholds: &[(String, f64)],
) -> Result<
    (
        Vec<(ParamPath, EvidenceEntry)>,
        Vec<(String, EvidenceEntry)>,
    ),
    Problem,
> {
    let mut params = Vec::new();
    let mut outcomes = Vec::new();
    for (k, e) in file.evidence.iter().enumerate() {
        for (field, text) in [("source", &e.source), ("claim", &e.claim)] {
            if text.trim().is_empty() {
                return Err(problem(
                    segs!["evidence", k, field],
                    format!("evidence.{field}"),
                    format!("found an empty {field} for `{}`, expected text", e.path),
                ));
            }
        }
        if e.path.starts_with("outcome.") {
            if !thresholds.iter().any(|(p, _)| *p == e.path) {
                let known: Vec<&str> = thresholds.iter().map(|(p, _)| p.as_str()).collect();
                let hint = match nearest(&e.path, known.iter().copied()) {
                    Some(p) => format!("; did you mean `{p}`?"),
                    None if known.is_empty() => {
                        "; the file's [[outcomes]] set no thresholds".to_string()
                    }
                    None => format!("; the file's thresholds are {}", known.join(", ")),
                };
                return Err(problem(
                    segs!["evidence", k, "path"],
                    "evidence.path",
                    format!(
                        "found `{}`, expected outcome.<name>.when.<k>.<field> naming a threshold \
                         (alignment_at_least, alignment_at_most or rise_at_least) an outcome rule sets{hint}",
                        e.path
                    ),
                ));
            }
            outcomes.push((e.path.clone(), e.clone()));
            continue;
        }
        // `shock.<id>.effects` gives one entry for every effect of a shock,
        // as if written for each `shock.<id>.effects.<k>.value`.
        let all_effects = e
            .path
            .strip_prefix("shock.")
            .and_then(|rest| rest.strip_suffix(".effects"))
            .and_then(|id| model.shocks.iter().position(|s| s.id == id));
        if let Some(s) = all_effects {
            for k in 0..model.shocks[s].effects.len() {
                params.push((ParamPath::EffectValue(s, k), e.clone()));
            }
            continue;
        }
        let path = ParamPath::parse(model, &e.path)
            .map_err(|m| problem(segs!["evidence", k, "path"], "evidence.path", m))?;
        params.push((path, e.clone()));
    }
    Ok((params, outcomes))
}

/// Reads `[uncertainty]`: each entry names one distribution whose support
/// lies within its path's range. A distribution that can give only one value
/// sets that value, so that it runs exactly as the constant would.
fn uncertainty(file: &ScenarioFile, model: &mut Model) -> Result<Vec<Uncertain>, Problem> {
    let mut uncertain = Vec::new();
    for (name, entry) in &file.uncertainty {
        let at = |key: &str| segs!["uncertainty", name.as_str(), key];
        let here = segs!["uncertainty", name.as_str()];
        let key = format!("uncertainty.{name}");
        let path = ParamPath::parse(model, name).map_err(|m| problem(here.clone(), &key, m))?;
        let distribution = distribution_of(entry, &here, &key)?;
        let (low, high) = distribution.support();
        let mut scratch = model.clone();
        for (end, value) in [("low", low), ("high", high)] {
            path.set(&mut scratch, value).map_err(|m| {
                problem(
                    here.clone(),
                    &key,
                    format!("the distribution's {end} end is out of range: {m}"),
                )
            })?;
        }
        if path.is_whole() && distribution.is_degenerate() && low.fract() != 0.0 {
            return Err(problem(
                at("uniform"),
                &key,
                format!("found {low}, expected a whole number"),
            ));
        }
        if distribution.is_degenerate() {
            path.set(model, low)
                .map_err(|m| problem(here.clone(), &key, m))?;
            continue;
        }
        uncertain.push(Uncertain {
            path,
            name: name.clone(),
            distribution,
            evidence: entry.evidence.clone(),
            kind: entry.kind,
        });
    }
    Ok(uncertain)
}

/// The one distribution an `[uncertainty]` entry gives.
fn distribution_of(
    entry: &UncertaintyEntry,
    here: &[Seg],
    key: &str,
) -> Result<Distribution, Problem> {
    let fail = |message: String| problem(here.to_vec(), key, message);
    let given = [
        entry.uniform.is_some(),
        entry.triangular.is_some(),
        entry.normal.is_some(),
        entry.loguniform.is_some(),
    ];
    if given.iter().filter(|&&g| g).count() != 1 {
        return Err(fail(
            "expected exactly one of `uniform = [low, high]`, `triangular = [low, mode, high]`, `normal = { mean, sd }` with `low` and `high`, or `loguniform = [low, high]`".into(),
        ));
    }
    if entry.normal.is_none() && (entry.low.is_some() || entry.high.is_some()) {
        return Err(fail(
            "`low` and `high` bound a normal only; the other distributions state their own ends"
                .into(),
        ));
    }
    let finite = |values: &[f64]| values.iter().all(|v| v.is_finite());
    let distribution = if let Some([low, high]) = entry.uniform {
        Distribution::Uniform { low, high }
    } else if let Some([low, mode, high]) = entry.triangular {
        if !(low <= mode && mode <= high) {
            return Err(fail(format!(
                "found [{low}, {mode}, {high}], expected low <= mode <= high"
            )));
        }
        Distribution::Triangular { low, mode, high }
    } else if let Some([low, high]) = entry.loguniform {
        if low.is_nan() || low <= 0.0 {
            return Err(fail(format!(
                "found low {low}, expected a log-uniform's ends above 0"
            )));
        }
        Distribution::LogUniform { low, high }
    } else {
        let NormalEntry { mean, sd } = entry.normal.expect("one distribution is given");
        let (Some(low), Some(high)) = (entry.low, entry.high) else {
            return Err(fail(
                "a normal needs `low` and `high`, the range it is truncated to".into(),
            ));
        };
        if !finite(&[mean, sd]) || sd < 0.0 {
            return Err(fail(format!(
                "found sd {sd}, expected a finite number of at least 0"
            )));
        }
        if !(low <= mean && mean <= high) {
            return Err(fail(format!(
                "found mean {mean} outside [{low}, {high}], expected low <= mean <= high"
            )));
        }
        Distribution::Normal {
            mean,
            sd,
            low,
            high,
        }
    };
    let (low, high) = distribution.support();
    if !finite(&[low, high]) || low > high {
        return Err(fail(format!(
            "found ends {low} and {high}, expected finite numbers with low <= high"
        )));
    }
    Ok(distribution)
}
