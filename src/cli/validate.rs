//! `entente validate`: checks a scenario and prints each parameter, its
//! value, whether it differs from the default, and its evidence.

use super::ValidateArgs;
use crate::error::{Result, one_line};
use crate::scenario::{self, parameter_rows};

pub fn execute(args: &ValidateArgs) -> Result<()> {
    let scenario = scenario::load(&args.scenario)?;
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
        if row.evidence.is_empty() && row.status != "default" {
            missing.push(row.path.as_str());
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
    Ok(())
}
