//! What a scenario changes relative to another (its parent): values, shocks
//! and their effects and windows, outcome rules and uncertainty, one line
//! per change. `entente validate` prints it for a scenario with `extends`,
//! and the compare report shows it.

use super::schema::{EffectEntry, ShockEntry};
use super::{ParamPath, Scenario};
use crate::model::{Attribute, Driver, PARAM_SPECS};

/// Every difference of `child` from `parent`, in a stable order.
pub fn differences(parent: &Scenario, child: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let (pf, cf) = (&parent.file, &child.file);
    if pf.start != cf.start {
        out.push(format!(
            "start: {} -> {}",
            show(pf.start.as_ref()),
            show(cf.start.as_ref())
        ));
    }
    for (key, a, b) in [
        ("run.runs", pf.run.runs, cf.run.runs),
        ("run.seed", pf.run.seed, cf.run.seed),
        ("run.horizon", pf.run.horizon, cf.run.horizon),
    ] {
        if a != b {
            out.push(format!("{key}: {a} -> {b}"));
        }
    }
    value_differences(parent, child, &mut out);
    shock_differences(&pf.shocks, &cf.shocks, &mut out);
    let rules = |s: &Scenario| format!("{:?}", s.file.outcomes);
    if rules(parent) != rules(child) {
        let names = |s: &Scenario| {
            s.file
                .outcomes
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(format!(
            "outcome rules replaced: [{}] -> [{}]",
            names(parent),
            names(child)
        ));
    }
    for u in &child.built.uncertain {
        let before = parent.built.uncertain.iter().find(|p| p.name == u.name);
        match before {
            Some(p) if p.distribution == u.distribution => {}
            Some(p) => out.push(format!(
                "uncertainty {}: {} -> {}",
                u.name, p.distribution, u.distribution
            )),
            None => out.push(format!("uncertainty {}: added {}", u.name, u.distribution)),
        }
    }
    for p in &parent.built.uncertain {
        if !child.built.uncertain.iter().any(|u| u.name == p.name) {
            out.push(format!("uncertainty {}: removed (fixed)", p.name));
        }
    }
    out
}

fn show(v: Option<&toml::value::Datetime>) -> String {
    v.map_or("none".to_string(), ToString::to_string)
}

/// Paths of every number a model holds that a scenario can set.
fn value_paths(s: &Scenario) -> Vec<String> {
    let model = &s.built.model;
    let mut paths: Vec<String> = PARAM_SPECS
        .iter()
        .map(|p| format!("params.{}", p.name))
        .collect();
    for id in &model.ids {
        for a in Attribute::ALL {
            paths.push(format!("agent.{id}.{}", a.name()));
        }
    }
    for a in &model.ids {
        for b in &model.ids {
            if a == b {
                continue;
            }
            for d in Driver::ALL {
                paths.push(format!("dyad.{a}.{b}.{}", d.name()));
            }
            paths.push(format!("dyad.{a}.{b}.stance"));
            paths.push(format!("dyad.{a}.{b}.mu"));
        }
    }
    paths
}

fn value_differences(parent: &Scenario, child: &Scenario, out: &mut Vec<String>) {
    let pm = &parent.built.model;
    let cm = &child.built.model;
    for text in value_paths(child) {
        let now = ParamPath::parse(cm, &text).map(|p| p.get(cm));
        let before = ParamPath::parse(pm, &text).map(|p| p.get(pm));
        match (before, now) {
            (Ok(a), Ok(b)) if a == b || (a.is_nan() && b.is_nan()) => {}
            (Ok(a), Ok(b)) => out.push(format!("{text}: {a} -> {b}")),
            (Err(_), Ok(b)) => out.push(format!("{text}: {b} (new)")),
            _ => {}
        }
    }
    for id in &pm.ids {
        if !cm.ids.contains(id) {
            out.push(format!("agent {id}: removed"));
        }
    }
}

fn opt<T: std::fmt::Debug>(v: &Option<T>) -> String {
    v.as_ref().map_or("none".to_string(), |x| format!("{x:?}"))
}

fn effects(list: &[EffectEntry]) -> String {
    list.iter()
        .map(|e| {
            let op = format!("{:?}", e.op).to_lowercase();
            format!("{} {op} {}", e.target, e.value)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn shock_differences(parent: &[ShockEntry], child: &[ShockEntry], out: &mut Vec<String>) {
    for p in parent {
        if !child.iter().any(|c| c.id == p.id) {
            out.push(format!("shock {}: removed", p.id));
        }
    }
    for c in child {
        let Some(p) = parent.iter().find(|p| p.id == c.id) else {
            out.push(format!("shock {}: added", c.id));
            continue;
        };
        let fields = [
            ("rate", opt(&p.rate), opt(&c.rate)),
            ("at_step", opt(&p.at_step), opt(&c.at_step)),
            ("window", opt(&p.window), opt(&c.window)),
            ("max_count", opt(&p.max_count), opt(&c.max_count)),
            (
                "persistent",
                p.persistent.to_string(),
                c.persistent.to_string(),
            ),
            ("effects", effects(&p.effects), effects(&c.effects)),
            ("description", p.description.clone(), c.description.clone()),
        ];
        for (field, a, b) in fields {
            if a != b {
                out.push(format!("shock {}.{field}: {a} -> {b}", c.id));
            }
        }
    }
}
