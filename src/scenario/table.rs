//! The parameter/evidence table of a scenario: each parameter, its value,
//! whether it differs from the default, and the evidence given for it.
//! Printed by `entente validate` and written as `parameters.csv` by `run`.

use super::{ParamPath, Scenario};
use crate::model::{Attribute, PARAM_SPECS};
use crate::scenario::schema::EvidenceEntry;

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterRow {
    pub path: String,
    pub value: f64,
    /// The default, for global parameters.
    pub default: Option<f64>,
    /// `default`, `changed` (a global parameter off its default) or `set`
    /// (a value the file gives).
    pub status: &'static str,
    pub evidence: Vec<EvidenceEntry>,
    /// The distribution the value is drawn from, when it is uncertain.
    pub distribution: Option<String>,
}

/// Every global parameter and agent attribute, then every other value the
/// file sets, in file order (shock effect sizes included), then the
/// thresholds of the file's outcome rules.
pub fn parameter_rows(scenario: &Scenario) -> Vec<ParameterRow> {
    let built = &scenario.built;
    let model = &built.model;
    let mut paths: Vec<(ParamPath, Option<f64>, &'static str)> = PARAM_SPECS
        .iter()
        .map(|s| {
            let status = if model.params.get(s.name) == Some(s.default) {
                "default"
            } else {
                "changed"
            };
            (ParamPath::Param(s.name), Some(s.default), status)
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
            paths.push((path, None, status));
        }
    }
    for path in &built.calibrated {
        if !matches!(path, ParamPath::Param(_) | ParamPath::Attribute(..)) {
            paths.push((*path, None, "set"));
        }
    }
    for u in &built.uncertain {
        if !paths.iter().any(|(p, _, _)| *p == u.path) {
            paths.push((u.path, None, "set"));
        }
    }
    let thresholds = built.thresholds.iter().map(|(path, value)| ParameterRow {
        path: path.clone(),
        value: *value,
        default: None,
        status: "set",
        distribution: None,
        evidence: built
            .threshold_evidence
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, e)| e.clone())
            .collect(),
    });
    paths
        .into_iter()
        .map(|(path, default, status)| ParameterRow {
            path: path.display(model).to_string(),
            value: path.get(model),
            default,
            status,
            distribution: built
                .uncertain
                .iter()
                .find(|u| u.path == path)
                .map(|u| u.distribution.to_string()),
            evidence: built
                .evidence
                .iter()
                .filter(|(p, _)| *p == path)
                .map(|(_, e)| e.clone())
                .collect(),
        })
        .chain(thresholds)
        .collect()
}

/// The columns of `parameters.csv`.
pub const PARAMETER_COLUMNS: [&str; 9] = [
    "path",
    "value",
    "default",
    "status",
    "source",
    "section",
    "claim",
    "kind",
    "distribution",
];

/// `parameters.csv`: one line per row and evidence entry (a row without
/// evidence has empty evidence columns).
pub fn parameters_csv(rows: &[ParameterRow]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(PARAMETER_COLUMNS).expect("in memory");
    for row in rows {
        let value = format!("{}", row.value);
        let default = row.default.map(|d| d.to_string()).unwrap_or_default();
        let empty = EvidenceEntry {
            path: String::new(),
            source: String::new(),
            section: String::new(),
            claim: String::new(),
            kind: None,
        };
        let distribution = row.distribution.clone().unwrap_or_default();
        let evidence = if row.evidence.is_empty() {
            std::slice::from_ref(&empty)
        } else {
            &row.evidence[..]
        };
        for e in evidence {
            let kind = e.kind.map_or("", |k| k.name());
            w.write_record([
                &row.path,
                &value,
                &default,
                row.status,
                &e.source,
                &e.section,
                &e.claim,
                kind,
                &distribution,
            ])
            .expect("in memory");
        }
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("utf-8 fields")
}
