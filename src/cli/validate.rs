//! `entente validate`: checks a scenario and prints each parameter, its
//! value, whether it differs from the default, and its evidence.

use super::ValidateArgs;
use crate::error::Result;
use crate::model::{Attribute, PARAM_SPECS};
use crate::scenario::{self, ParamPath};

pub fn execute(args: &ValidateArgs) -> Result<()> {
    let scenario = scenario::load(&args.scenario)?;
    let built = &scenario.built;
    let model = &built.model;
    println!("{}: valid", scenario.path.display());
    println!(
        "  {} agents ({}), {} dyads, {} shocks, {} outcome rules, horizon {} steps\n",
        model.n(),
        model.ids.join(", "),
        model.dyads().len(),
        model.shocks.len(),
        built.rules.names.len() - 1,
        model.horizon
    );

    let mut rows: Vec<(ParamPath, String)> = PARAM_SPECS
        .iter()
        .map(|s| {
            let status = if model.params.get(s.name) == Some(s.default) {
                "default".to_string()
            } else {
                format!("changed (default {})", s.default)
            };
            (ParamPath::Param(s.name), status)
        })
        .collect();
    for i in 0..model.n() {
        for a in Attribute::ALL {
            let path = ParamPath::Attribute(a, i);
            let status = if built.calibrated.contains(&path) {
                "set"
            } else {
                "default"
            };
            rows.push((path, status.to_string()));
        }
    }
    for path in &built.calibrated {
        if !matches!(path, ParamPath::Param(_) | ParamPath::Attribute(..)) {
            rows.push((*path, "set".to_string()));
        }
    }

    let width = rows
        .iter()
        .map(|(p, _)| p.display(model).to_string().len())
        .max()
        .unwrap_or(10);
    println!(
        "  {:<width$}  {:>10}  {:<24}  evidence",
        "parameter", "value", "status"
    );
    let mut missing = Vec::new();
    for (path, status) in &rows {
        let name = path.display(model).to_string();
        let evidence: Vec<_> = built
            .evidence
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, e)| e)
            .collect();
        let first = evidence.first().map_or_else(
            || {
                if status == "default" {
                    String::new()
                } else {
                    "-".to_string()
                }
            },
            |e| format!("{} [{}]: {}", e.source, e.section, e.claim),
        );
        println!(
            "  {name:<width$}  {:>10}  {status:<24}  {first}",
            format!("{:.4}", path.get(model))
        );
        for e in evidence.iter().skip(1) {
            println!(
                "  {:<width$}  {:>10}  {:<24}  {} [{}]: {}",
                "", "", "", e.source, e.section, e.claim
            );
        }
        if evidence.is_empty() && status != "default" {
            missing.push(name);
        }
    }
    println!(
        "\n  {} values set or changed, {} of them with evidence",
        rows.iter().filter(|(_, s)| s != "default").count(),
        rows.iter().filter(|(_, s)| s != "default").count() - missing.len()
    );
    if !missing.is_empty() {
        println!("  without evidence: {}", missing.join(", "));
    }
    Ok(())
}
