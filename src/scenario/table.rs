//! The parameter/evidence table of a scenario: each parameter, its value,
//! whether it differs from the default, and the evidence given for it.
//! Printed by `entente validate` and written as `parameters.csv` by `run`.

use super::{ParamPath, Scenario};
use crate::model::{Attribute, PARAM_SPECS};
use crate::scenario::schema::{EvidenceEntry, EvidenceKind};

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

/// What the calibrated values of a scenario rest on, value by value: a value
/// rests on data when any of its evidence entries is data, else on the
/// literature when any is, else on judgment; `unstated` when its entries
/// give no kind, `none` when it has no evidence.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceBasis {
    pub data: usize,
    pub literature: usize,
    pub judgment: usize,
    pub unstated: usize,
    pub none: usize,
}

impl EvidenceBasis {
    /// Counts one value with the kinds of its evidence entries (`None` for
    /// an entry that states no kind).
    pub fn add(&mut self, kinds: &[Option<EvidenceKind>]) {
        let has = |k: EvidenceKind| kinds.contains(&Some(k));
        if kinds.is_empty() {
            self.none += 1;
        } else if has(EvidenceKind::Data) {
            self.data += 1;
        } else if has(EvidenceKind::Literature) {
            self.literature += 1;
        } else if has(EvidenceKind::Judgment) {
            self.judgment += 1;
        } else {
            self.unstated += 1;
        }
    }

    /// The basis of the calibrated rows (status other than `default`).
    pub fn of(rows: &[ParameterRow]) -> EvidenceBasis {
        let mut basis = EvidenceBasis::default();
        for row in rows.iter().filter(|r| r.status != "default") {
            let kinds: Vec<_> = row.evidence.iter().map(|e| e.kind).collect();
            basis.add(&kinds);
        }
        basis
    }

    pub fn total(&self) -> usize {
        self.data + self.literature + self.judgment + self.unstated + self.none
    }

    /// Share of the counted values that rest on judgment alone.
    pub fn judged_share(&self) -> f64 {
        self.judgment as f64 / self.total().max(1) as f64
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_rests_on_its_strongest_evidence() {
        use EvidenceKind::*;
        let mut b = EvidenceBasis::default();
        b.add(&[Some(Judgment), Some(Data)]);
        b.add(&[Some(Judgment), Some(Literature)]);
        b.add(&[Some(Judgment)]);
        b.add(&[Some(Judgment), Some(Judgment)]);
        b.add(&[None]);
        b.add(&[]);
        let want = EvidenceBasis {
            data: 1,
            literature: 1,
            judgment: 2,
            unstated: 1,
            none: 1,
        };
        assert_eq!(b, want);
        assert_eq!(b.total(), 6);
        assert!((b.judged_share() - 2.0 / 6.0).abs() < 1e-12);
    }
}
