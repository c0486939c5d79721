//! `entente validate`: checks a scenario and prints each parameter, its
//! value, whether it differs from the default, and its evidence: every
//! calibrated number, shock effect sizes (`shock.<id>.effects.<k>.value`)
//! and outcome thresholds (`outcome.<name>.when.<k>.<field>`) included. It
//! warns about outcome rules that can never match; with `--strict` a
//! calibrated value without evidence is an error (exit 2).

use super::ValidateArgs;
use crate::error::{InputError, Result, one_line};
use crate::scenario::{self, parameter_rows};

pub fn execute(args: &ValidateArgs) -> Result<()> {
    if crate::sweep::is_sweep_file(&args.scenario) {
        return super::sweep::validate(&args.scenario, &args.set);
    }
    let scenario = super::load_scenario(&args.scenario, &args.set)?;
    let built = &scenario.built;
    let model = &built.model;
    say!("{}: valid", one_line(&scenario.path.display().to_string()));
    say!(
        "  {} agents ({}), {} dyads, {} shocks, {} outcome rules, horizon {} steps\n",
        model.n(),
        model.ids.join(", "),
        model.dyads().len(),
        model.shocks.len(),
        built.rules.names.len() - 1,
        model.horizon
    );
    let rows = parameter_rows(&scenario);
    let width = rows.iter().map(|r| r.path.len()).max().unwrap_or(10);
    say!(
        "  {:<width$}  {:>10}  {:<24}  evidence",
        "parameter",
        "value",
        "status"
    );
    let mut missing = Vec::new();
    for row in &rows {
        let status = match (row.status, row.default) {
            ("changed", Some(d)) => format!("changed (default {d})"),
            (s, _) => s.to_string(),
        };
        let cite = |e: &scenario::schema::EvidenceEntry| {
            // Free text from the file: printed with its control characters
            // escaped, so it cannot drive the terminal.
            one_line(&format!("{} [{}]: {}", e.source, e.section, e.claim))
        };
        let first = match row.evidence.first() {
            Some(e) => cite(e),
            None if row.status == "default" => String::new(),
            None => "-".to_string(),
        };
        say!(
            "  {:<width$}  {:>10.4}  {status:<24}  {first}",
            row.path,
            row.value
        );
        for e in row.evidence.iter().skip(1) {
            say!("  {:<width$}  {:>10}  {:<24}  {}", "", "", "", cite(e));
        }
        let drawn_with_evidence = built
            .uncertain
            .iter()
            .any(|u| u.name == row.path && !u.evidence.trim().is_empty());
        if row.evidence.is_empty() && row.status != "default" && !drawn_with_evidence {
            missing.push(row.path.as_str());
        }
    }
    if !built.series.is_empty() {
        say!("\n  values that follow data series (docs/model.md, section 6.1):");
        for s in &built.series {
            let filter = if s.filter.is_empty() {
                String::new()
            } else {
                format!(" where {}", s.filter)
            };
            say!(
                "  {:<width$}  {}-{}  {} column `{}`{filter}",
                s.path.display(model).to_string(),
                s.years.0,
                s.years.1,
                s.file.display(),
                s.column,
            );
        }
    }
    let calibrated = rows.iter().filter(|r| r.status != "default").count();
    say!(
        "\n  {calibrated} values set or changed, {} of them with evidence",
        calibrated - missing.len()
    );
    if !missing.is_empty() {
        say!("  without evidence: {}", missing.join(", "));
    }
    let basis = scenario::table::EvidenceBasis::of(&rows);
    say!(
        "  calibrated values by what they rest on: {} data, {} literature, {} judgment alone ({} of them), {} unstated kind, {} no evidence",
        basis.data,
        basis.literature,
        basis.judgment,
        crate::format::fmt_pct(basis.judged_share()),
        basis.unstated,
        basis.none
    );
    print_evidence_kinds(&scenario);
    print_uncertainty(&scenario);
    print_parent_differences(&scenario)?;
    print_dead_rules(&scenario);
    if args.strict && !missing.is_empty() {
        return Err(InputError::new(format!(
            "{} calibrated values have no evidence: {}",
            missing.len(),
            missing.join(", ")
        ))
        .in_file(&scenario.path)
        .key(missing[0])
        .hint("add an [[evidence]] entry (path, source, section, claim, kind) for each; `--strict` accepts no calibrated value without one")
        .into());
    }
    Ok(())
}

/// Warns about the outcome rules that can never name a run.
fn print_dead_rules(scenario: &scenario::Scenario) {
    let names = &scenario.built.rules.names;
    for dead in scenario.dead_rules() {
        say!(
            "\n  warning: outcome rule `{}` can never match: {}; the outcome chart of a run leaves it out",
            one_line(&names[dead.rule]),
            dead.reason
        );
    }
}

/// How many evidence entries rest on data, the literature and judgment.
fn print_evidence_kinds(scenario: &scenario::Scenario) {
    let kinds = scenario
        .built
        .evidence
        .iter()
        .map(|(_, e)| e.kind)
        .chain(scenario.built.uncertain.iter().map(|u| u.kind));
    let mut counts = [0usize; 4];
    for kind in kinds {
        let slot = kind.map_or(3, |k| k as usize);
        counts[slot] += 1;
    }
    let total: usize = counts.iter().sum();
    say!(
        "  evidence entries: {total} ({} data, {} literature, {} judgment, {} of unstated kind)",
        counts[0],
        counts[1],
        counts[2],
        counts[3]
    );
}

/// Every uncertain parameter, its distribution and evidence.
fn print_uncertainty(scenario: &scenario::Scenario) {
    let uncertain = &scenario.built.uncertain;
    if uncertain.is_empty() {
        say!("  no uncertain parameters: every value is fixed");
        return;
    }
    say!(
        "\n  {} uncertain parameters, drawn by `run` and `compare` (`--nominal` fixes them):",
        uncertain.len()
    );
    let width = uncertain.iter().map(|u| u.name.len()).max().unwrap_or(10);
    for u in uncertain {
        let kind = u
            .kind
            .map_or("unstated".to_string(), |k| k.name().to_string());
        say!(
            "  {:<width$}  {:<34}  {kind}: {}",
            u.name,
            u.distribution.to_string(),
            if u.evidence.is_empty() {
                "-".to_string()
            } else {
                one_line(&u.evidence)
            }
        );
    }
}

/// For a scenario that extends another: every difference from the parent.
fn print_parent_differences(scenario: &scenario::Scenario) -> Result<()> {
    let Some(parent) = &scenario.extends else {
        return Ok(());
    };
    let parent = scenario::load(parent)?;
    let changes = scenario::diff::differences(&parent, scenario);
    say!(
        "\n  extends {} ({}): {} differences",
        one_line(&parent.path.display().to_string()),
        parent.name(),
        changes.len()
    );
    for line in changes {
        say!("    {}", one_line(&line));
    }
    for (path, value) in &scenario.overrides {
        say!("    {path} = {value} (--set)");
    }
    Ok(())
}
