//! Parameter paths: the names by which sweeps, shocks and evidence entries
//! refer to one number of a scenario, e.g. `params.beta_N`,
//! `agent.CHN.aggression`, `dyad.RUS.CHN.E`, `shock.us_pressure.rate`.
//!
//! Setting a value by path checks its range, so the scenario builder and the
//! sweep runner share one set of checks.

use std::fmt;

use crate::error::nearest;
use crate::model::{Attribute, Driver, Model, PARAM_SPECS, Params, Trigger};

/// A resolved parameter path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamPath {
    /// `params.<name>`
    Param(&'static str),
    /// `agent.<ID>.<capability|aggression|tau>`
    Attribute(Attribute, usize),
    /// `dyad.<I>.<J>.<E|N|R|P|G>`
    Driver(Driver, usize, usize),
    /// `dyad.<I>.<J>.stance`
    Stance(usize, usize),
    /// `dyad.<I>.<J>.mu`
    Drift(usize, usize),
    /// `shock.<id>.rate`
    ShockRate(usize),
    /// `shock.<id>.at_step`
    ShockStep(usize),
    /// `shock.<id>.max_count`
    ShockMaxCount(usize),
    /// `shock.<id>.effects.<k>.value`
    EffectValue(usize, usize),
}

/// Keys of a `[dyad.I.J]` table.
pub const DYAD_KEYS: [&str; 7] = ["E", "N", "R", "P", "G", "stance", "mu"];

fn suggest(word: &str, candidates: &[&str]) -> String {
    match nearest(word, candidates.iter().copied()) {
        Some(c) => format!("; did you mean `{c}`?"),
        None if candidates.is_empty() => "; the scenario defines none".to_string(),
        None => format!("; expected one of {}", candidates.join(", ")),
    }
}

fn agent_index(model: &Model, id: &str) -> Result<usize, String> {
    model.agent(id).ok_or_else(|| {
        let ids: Vec<&str> = model.ids.iter().map(String::as_str).collect();
        format!("unknown agent `{id}`{}", suggest(id, &ids))
    })
}

impl ParamPath {
    /// Resolves `text` against the agents and shocks of `model`.
    pub fn parse(model: &Model, text: &str) -> Result<ParamPath, String> {
        let parts: Vec<&str> = text.split('.').collect();
        let kinds = ["params", "agent", "dyad", "shock"];
        match parts.as_slice() {
            ["params", name] => {
                let names: Vec<&str> = PARAM_SPECS.iter().map(|s| s.name).collect();
                Params::spec(name)
                    .map(|s| ParamPath::Param(s.name))
                    .ok_or_else(|| format!("unknown parameter `{name}`{}", suggest(name, &names)))
            }
            ["agent", id, attr] => {
                let i = agent_index(model, id)?;
                let names = Attribute::ALL.map(Attribute::name);
                Attribute::ALL
                    .into_iter()
                    .find(|a| a.name() == *attr)
                    .map(|a| ParamPath::Attribute(a, i))
                    .ok_or_else(|| {
                        format!("unknown agent attribute `{attr}`{}", suggest(attr, &names))
                    })
            }
            ["dyad", a, b, key] => {
                let (i, j) = (agent_index(model, a)?, agent_index(model, b)?);
                if i == j {
                    return Err(format!(
                        "a dyad needs two different agents, found `{a}` twice"
                    ));
                }
                match *key {
                    "stance" => Ok(ParamPath::Stance(i, j)),
                    "mu" => Ok(ParamPath::Drift(i, j)),
                    _ => Driver::ALL
                        .into_iter()
                        .find(|d| d.name() == *key)
                        .map(|d| ParamPath::Driver(d, i, j))
                        .ok_or_else(|| {
                            format!("unknown dyad key `{key}`{}", suggest(key, &DYAD_KEYS))
                        }),
                }
            }
            ["shock", id, rest @ ..] => {
                let s = model
                    .shocks
                    .iter()
                    .position(|s| s.id == *id)
                    .ok_or_else(|| {
                        let ids: Vec<&str> = model.shocks.iter().map(|s| s.id.as_str()).collect();
                        format!("unknown shock `{id}`{}", suggest(id, &ids))
                    })?;
                match rest {
                    ["rate"] => Ok(ParamPath::ShockRate(s)),
                    ["at_step"] => Ok(ParamPath::ShockStep(s)),
                    ["max_count"] => Ok(ParamPath::ShockMaxCount(s)),
                    ["effects", k, "value"] => {
                        let k: usize = k
                            .parse()
                            .map_err(|_| format!("effect index `{k}` is not a number"))?;
                        if k < model.shocks[s].effects.len() {
                            Ok(ParamPath::EffectValue(s, k))
                        } else {
                            Err(format!(
                                "shock `{id}` has {} effects, found index {k}",
                                model.shocks[s].effects.len()
                            ))
                        }
                    }
                    _ => Err(format!(
                        "unknown shock field `{}`; expected rate, at_step, max_count or effects.<k>.value",
                        rest.join(".")
                    )),
                }
            }
            [kind, ..] if !kinds.contains(kind) => Err(format!(
                "a parameter path starts with params, agent, dyad or shock, found `{kind}`{}",
                suggest(kind, &kinds)
            )),
            _ => Err(format!(
                "malformed parameter path `{text}`; expected params.NAME, agent.ID.ATTR, dyad.I.J.KEY or shock.ID.FIELD"
            )),
        }
    }

    /// Whether the path holds a whole number (a step or a count).
    pub fn is_whole(&self) -> bool {
        matches!(self, ParamPath::ShockStep(_) | ParamPath::ShockMaxCount(_))
    }

    /// The current value at this path.
    pub fn get(&self, model: &Model) -> f64 {
        let n = model.n();
        match *self {
            ParamPath::Param(name) => model.params.get(name).expect("resolved parameter"),
            ParamPath::Attribute(a, i) => model.attribute(a)[i],
            ParamPath::Driver(d, i, j) => model.driver(d)[i * n + j],
            ParamPath::Stance(i, j) => model.stance[i * n + j],
            ParamPath::Drift(i, j) => model.mu[i * n + j],
            ParamPath::ShockRate(s) => match model.shocks[s].trigger {
                Trigger::Rate(r) => r,
                Trigger::AtStep(_) => f64::NAN,
            },
            ParamPath::ShockStep(s) => match model.shocks[s].trigger {
                Trigger::AtStep(t) => t as f64,
                Trigger::Rate(_) => f64::NAN,
            },
            ParamPath::ShockMaxCount(s) => f64::from(model.shocks[s].max_count),
            ParamPath::EffectValue(s, k) => model.shocks[s].effects[k].value,
        }
    }

    /// Sets the value at this path after checking its range; on error returns
    /// what was expected.
    pub fn set(&self, model: &mut Model, value: f64) -> Result<(), String> {
        let n = model.n();
        let check = |ok: bool, expected: &str| {
            if ok {
                Ok(())
            } else {
                Err(format!("found {value}, expected {expected}"))
            }
        };
        let in_range = |lo: f64, hi: f64| value.is_finite() && value >= lo && value <= hi;
        match *self {
            ParamPath::Param(name) => {
                let spec = Params::spec(name).expect("resolved parameter");
                check(spec.admits(value), &spec.expected())?;
                *model.params.get_mut(name).expect("resolved parameter") = value;
            }
            ParamPath::Attribute(a, i) => {
                let (lo, hi) = a.range();
                if a.lower_exclusive() {
                    check(value.is_finite() && value > lo, "a finite number above 0")?;
                } else {
                    check(in_range(lo, hi), &format!("a number from {lo} to {hi}"))?;
                }
                model.attribute_mut(a)[i] = value;
            }
            ParamPath::Driver(d, i, j) => {
                let (lo, hi) = d.range();
                let expected = if hi.is_finite() {
                    format!("a number from {lo} to {hi}")
                } else {
                    format!("a finite number of at least {lo}")
                };
                check(in_range(lo, hi), &expected)?;
                model.driver_mut(d)[i * n + j] = value;
                if d.symmetric() {
                    model.driver_mut(d)[j * n + i] = value;
                }
            }
            ParamPath::Stance(i, j) => {
                check(in_range(-1.0, 1.0), "a number from -1 to 1")?;
                model.stance[i * n + j] = value;
            }
            ParamPath::Drift(i, j) => {
                check(in_range(-10.0, 10.0), "a number from -10 to 10 (per year)")?;
                model.mu[i * n + j] = value;
            }
            ParamPath::ShockRate(s) => {
                check(in_range(0.0, 1e6), "a rate per year from 0 to 1000000")?;
                model.shocks[s].trigger = Trigger::Rate(value);
            }
            ParamPath::ShockStep(s) => {
                let last = model.horizon.saturating_sub(1) as f64;
                check(
                    in_range(0.0, last) && value.fract() == 0.0,
                    &format!(
                        "a whole step from 0 to {last} (the horizon is {})",
                        model.horizon
                    ),
                )?;
                model.shocks[s].trigger = Trigger::AtStep(value as usize);
            }
            ParamPath::ShockMaxCount(s) => {
                check(
                    in_range(1.0, 1e9) && value.fract() == 0.0,
                    "a whole number from 1 to 1000000000",
                )?;
                model.shocks[s].max_count = value as u32;
            }
            ParamPath::EffectValue(s, k) => {
                check(value.is_finite(), "a finite number")?;
                model.shocks[s].effects[k].value = value;
            }
        }
        Ok(())
    }

    /// Writes the path in its canonical text form.
    pub fn display<'a>(&'a self, model: &'a Model) -> impl fmt::Display + 'a {
        PathDisplay { path: self, model }
    }
}

struct PathDisplay<'a> {
    path: &'a ParamPath,
    model: &'a Model,
}

impl fmt::Display for PathDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = |i: usize| self.model.ids[i].as_str();
        let shock = |s: usize| self.model.shocks[s].id.as_str();
        match *self.path {
            ParamPath::Param(name) => write!(f, "params.{name}"),
            ParamPath::Attribute(a, i) => write!(f, "agent.{}.{}", id(i), a.name()),
            ParamPath::Driver(d, i, j) => write!(f, "dyad.{}.{}.{}", id(i), id(j), d.name()),
            ParamPath::Stance(i, j) => write!(f, "dyad.{}.{}.stance", id(i), id(j)),
            ParamPath::Drift(i, j) => write!(f, "dyad.{}.{}.mu", id(i), id(j)),
            ParamPath::ShockRate(s) => write!(f, "shock.{}.rate", shock(s)),
            ParamPath::ShockStep(s) => write!(f, "shock.{}.at_step", shock(s)),
            ParamPath::ShockMaxCount(s) => write!(f, "shock.{}.max_count", shock(s)),
            ParamPath::EffectValue(s, k) => write!(f, "shock.{}.effects.{k}.value", shock(s)),
        }
    }
}
