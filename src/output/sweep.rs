//! The files of a sweep folder, written and read through one type each:
//! `manifest.json` ([`SweepManifest`]), `points.csv` ([`PointRow`] under a
//! [`PointsSchema`]) and `sensitivity.csv` ([`SobolRow`], [`MorrisRow`],
//! [`OatRow`]). The sweep hands typed rows to the writers; merge, the charts
//! and the report read typed rows back. `docs/outputs.md` defines the
//! columns.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::manifest::read_manifest;
use crate::error::InputError;

/// How the points of a sweep were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DesignKind {
    Grid,
    Lhs,
    Sobol,
    Morris,
    Oat,
    /// Points read from a CSV file.
    Points,
}

impl DesignKind {
    /// Every kind a `[design]` table may name, in the order the docs list them.
    pub const DESIGNS: [DesignKind; 5] = [
        DesignKind::Lhs,
        DesignKind::Sobol,
        DesignKind::Morris,
        DesignKind::Oat,
        DesignKind::Points,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DesignKind::Grid => "grid",
            DesignKind::Lhs => "lhs",
            DesignKind::Sobol => "sobol",
            DesignKind::Morris => "morris",
            DesignKind::Oat => "oat",
            DesignKind::Points => "points",
        }
    }

    /// The `[design]` kind named `name`.
    pub fn design(name: &str) -> Option<DesignKind> {
        DesignKind::DESIGNS.into_iter().find(|k| k.name() == name)
    }
}

impl std::fmt::Display for DesignKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The `sweep` block of the manifest: which sweep file ran.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SweepInfo {
    pub description: String,
    pub file: String,
    pub name: String,
    /// SHA-256 of the sweep file and of its base scenario file together.
    pub sha256: String,
}

/// One varied parameter and its range (a grid axis: its smallest and
/// largest value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorRange {
    /// The base scenario's own value (absent in folders written before it
    /// was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<f64>,
    pub from: f64,
    pub path: String,
    pub to: f64,
}

/// `manifest.json` of a sweep (or merged) folder. The keys are declared in
/// alphabetical order, the order the file has always had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepManifest {
    /// The crate version and git commit that ran the sweep
    /// ([`super::manifest::code_version`]); empty in older folders.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub code_version: String,
    /// Whether every point ran on the same random numbers (`common_random_numbers = true`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub common_random_numbers: bool,
    pub entente_version: String,
    pub factors: Vec<FactorRange>,
    pub kind: DesignKind,
    /// The reported outcomes, in the column order of points.csv.
    pub outcomes: Vec<String>,
    pub points: usize,
    pub runs_per_point: u64,
    /// The base scenario's name.
    pub scenario: String,
    pub seed: u64,
    pub sweep: SweepInfo,
    /// The outcome the sensitivity analysis explains.
    pub target: String,
    pub threads: usize,
    pub wall_seconds: f64,
}

impl SweepManifest {
    /// Reads the manifest of the sweep folder `dir`.
    pub fn read(dir: &Path) -> Result<SweepManifest, InputError> {
        read_manifest(dir, "sweep")
    }

    /// The factor paths, in column order.
    pub fn factor_paths(&self) -> Vec<String> {
        self.factors.iter().map(|f| f.path.clone()).collect()
    }
}

// ---------------------------------------------------------------------------
// points.csv
// ---------------------------------------------------------------------------

/// An outcome's probability at a point and its Wilson 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub p: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Decimals of a probability in points.csv.
const PROBABILITY_DECIMALS: usize = 6;
/// Decimals of a mean final alignment in points.csv.
const ALIGNMENT_DECIMALS: usize = 4;

/// `v` rounded to `decimals` decimals exactly as the file writes it, so a
/// row held in memory equals the row read back from the file.
fn as_written(v: f64, decimals: usize) -> f64 {
    format!("{v:.decimals$}").parse().unwrap_or(v)
}

/// One row of points.csv: a point's parameter values, each reported
/// outcome's probability with its interval and each dyad's mean final
/// alignment. The numbers are held as the file writes them (probabilities
/// to six decimals, alignments to four), so whatever is computed from rows
/// in memory (the sensitivity indices) equals what a merge of shard files
/// computes.
#[derive(Debug, Clone, PartialEq)]
pub struct PointRow {
    pub point: usize,
    pub values: Vec<f64>,
    pub estimates: Vec<Estimate>,
    pub mean_final: Vec<f64>,
}

impl PointRow {
    /// A row from full-precision figures, rounded as the file writes them.
    pub fn new(
        point: usize,
        values: Vec<f64>,
        estimates: impl IntoIterator<Item = Estimate>,
        mean_final: impl IntoIterator<Item = f64>,
    ) -> PointRow {
        let p = |v| as_written(v, PROBABILITY_DECIMALS);
        PointRow {
            point,
            values,
            estimates: estimates
                .into_iter()
                .map(|e| Estimate {
                    p: p(e.p),
                    ci_low: p(e.ci_low),
                    ci_high: p(e.ci_high),
                })
                .collect(),
            mean_final: mean_final
                .into_iter()
                .map(|v| as_written(v, ALIGNMENT_DECIMALS))
                .collect(),
        }
    }

    fn fields(&self) -> Vec<String> {
        let mut fields = Vec::with_capacity(
            1 + self.values.len() + 3 * self.estimates.len() + self.mean_final.len(),
        );
        fields.push(self.point.to_string());
        fields.extend(self.values.iter().map(f64::to_string));
        for e in &self.estimates {
            for v in [e.p, e.ci_low, e.ci_high] {
                fields.push(format!("{v:.PROBABILITY_DECIMALS$}"));
            }
        }
        fields.extend(
            self.mean_final
                .iter()
                .map(|v| format!("{v:.ALIGNMENT_DECIMALS$}")),
        );
        fields
    }
}

/// The columns of points.csv: `point`, one per factor path, `p_`,
/// `ci_low_` and `ci_high_` per reported outcome, `mean_final_` per dyad.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PointsSchema {
    pub factors: Vec<String>,
    pub outcomes: Vec<String>,
    pub dyads: Vec<String>,
}

impl PointsSchema {
    pub fn header(&self) -> Vec<String> {
        let mut h = vec!["point".to_string()];
        h.extend(self.factors.iter().cloned());
        for o in &self.outcomes {
            h.extend([
                format!("p_{o}"),
                format!("ci_low_{o}"),
                format!("ci_high_{o}"),
            ]);
        }
        h.extend(self.dyads.iter().map(|d| format!("mean_final_{d}")));
        h
    }

    /// The header line, with its newline.
    pub fn header_line(&self) -> String {
        String::from_utf8(csv_bytes(std::iter::once(self.header()))).expect("UTF-8 header")
    }

    /// `rows` as CSV lines, without the header.
    pub fn rows_bytes(&self, rows: &[PointRow]) -> Vec<u8> {
        csv_bytes(rows.iter().map(PointRow::fields))
    }

    /// The whole file: header and `rows`.
    pub fn file_bytes(&self, rows: &[PointRow]) -> Vec<u8> {
        let mut bytes = self.header_line().into_bytes();
        bytes.extend(self.rows_bytes(rows));
        bytes
    }
}

/// Records as CSV lines ending in `\n`.
fn csv_bytes<I: IntoIterator<Item = Vec<String>>>(records: I) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for record in records {
        writer.write_record(&record).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

/// points.csv as read: its header, the schema found in it, and every row.
#[derive(Debug, Clone, PartialEq)]
pub struct PointsTable {
    pub header: Vec<String>,
    pub schema: PointsSchema,
    pub rows: Vec<PointRow>,
}

impl PointsTable {
    /// Reads points.csv of a sweep folder, whose manifest names the factors
    /// and outcomes to find by column name.
    pub fn read(dir: &Path, manifest: &SweepManifest) -> Result<PointsTable, InputError> {
        let path = dir.join("points.csv");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            InputError::new(format!("cannot be read ({e})"))
                .in_file(&path)
                .hint("the result folder is damaged; run the command that wrote it again")
        })?;
        PointsTable::parse(&path, &text, &manifest.factor_paths(), &manifest.outcomes)
    }

    /// Parses points text (`path` names it in errors), finding the columns
    /// of `factors` and `outcomes` by name; every `mean_final_` column is a
    /// dyad. Every field read must be a number, and the point numbers whole.
    pub fn parse(
        path: &Path,
        text: &str,
        factors: &[String],
        outcomes: &[String],
    ) -> Result<PointsTable, InputError> {
        let damaged = |e: InputError| {
            e.in_file(path)
                .hint("the result folder is damaged; run the command that wrote it again")
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| damaged(InputError::new(format!("has no readable header ({e})"))))?
            .iter()
            .map(str::to_string)
            .collect();
        let column = |name: &str| {
            header.iter().position(|h| h == name).ok_or_else(|| {
                damaged(
                    InputError::new(format!(
                        "found no column `{}` in the header, expected one (the manifest names it)",
                        crate::error::clip(name)
                    ))
                    .at(1, 1),
                )
            })
        };
        let point_col = column("point")?;
        let factor_cols = factors
            .iter()
            .map(|f| column(f))
            .collect::<Result<Vec<_>, _>>()?;
        let outcome_cols = outcomes
            .iter()
            .map(|o| {
                Ok([
                    column(&format!("p_{o}"))?,
                    column(&format!("ci_low_{o}"))?,
                    column(&format!("ci_high_{o}"))?,
                ])
            })
            .collect::<Result<Vec<_>, InputError>>()?;
        let dyad_cols: Vec<usize> = (0..header.len())
            .filter(|&c| header[c].starts_with("mean_final_"))
            .collect();
        let schema = PointsSchema {
            factors: factors.to_vec(),
            outcomes: outcomes.to_vec(),
            dyads: dyad_cols
                .iter()
                .map(|&c| header[c]["mean_final_".len()..].to_string())
                .collect(),
        };
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| damaged(super::rows::bad_record(&e, header.len())))?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            let number = |c: usize| -> Result<f64, InputError> {
                let field = record.get(c).unwrap_or("");
                field
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        damaged(
                            InputError::new(format!(
                                "found `{}` in column `{}`, expected a finite number",
                                crate::error::clip(field),
                                header[c]
                            ))
                            .at(line, c + 1),
                        )
                    })
            };
            let point_field = record.get(point_col).unwrap_or("");
            let point = point_field.parse::<usize>().map_err(|_| {
                damaged(
                    InputError::new(format!(
                        "found `{}` in column `point`, expected a point number",
                        crate::error::clip(point_field)
                    ))
                    .at(line, point_col + 1),
                )
            })?;
            let values = factor_cols
                .iter()
                .map(|&c| number(c))
                .collect::<Result<_, _>>()?;
            let estimates = outcome_cols
                .iter()
                .map(|&[p, lo, hi]| {
                    Ok(Estimate {
                        p: number(p)?,
                        ci_low: number(lo)?,
                        ci_high: number(hi)?,
                    })
                })
                .collect::<Result<_, InputError>>()?;
            let mean_final = dyad_cols
                .iter()
                .map(|&c| number(c))
                .collect::<Result<_, _>>()?;
            rows.push(PointRow {
                point,
                values,
                estimates,
                mean_final,
            });
        }
        Ok(PointsTable {
            header,
            schema,
            rows,
        })
    }
}

// ---------------------------------------------------------------------------
// sensitivity.csv
// ---------------------------------------------------------------------------

fn six<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{v:.6}"))
}

fn shortest<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// One row of a Sobol `sensitivity.csv`: first-order and total indices of a
/// factor with their bootstrap 95% intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolRow {
    pub factor: String,
    #[serde(serialize_with = "six")]
    pub first_order: f64,
    #[serde(serialize_with = "six")]
    pub first_ci_low: f64,
    #[serde(serialize_with = "six")]
    pub first_ci_high: f64,
    #[serde(serialize_with = "six")]
    pub total: f64,
    #[serde(serialize_with = "six")]
    pub total_ci_low: f64,
    #[serde(serialize_with = "six")]
    pub total_ci_high: f64,
}

/// One row of a Morris `sensitivity.csv`: a factor's elementary effects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisRow {
    pub factor: String,
    #[serde(serialize_with = "six")]
    pub mu: f64,
    #[serde(serialize_with = "six")]
    pub mu_star: f64,
    #[serde(serialize_with = "six")]
    pub sigma: f64,
}

/// One row of a one-at-a-time `sensitivity.csv`: the target probability
/// with a factor alone at the low and at the high end of its range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OatRow {
    pub factor: String,
    #[serde(serialize_with = "shortest")]
    pub low: f64,
    #[serde(serialize_with = "shortest")]
    pub high: f64,
    #[serde(serialize_with = "six")]
    pub p_base: f64,
    #[serde(serialize_with = "six")]
    pub p_low: f64,
    #[serde(serialize_with = "six")]
    pub p_high: f64,
    #[serde(serialize_with = "six")]
    pub swing: f64,
    #[serde(serialize_with = "six")]
    pub p_low_ci_low: f64,
    #[serde(serialize_with = "six")]
    pub p_low_ci_high: f64,
    #[serde(serialize_with = "six")]
    pub p_high_ci_low: f64,
    #[serde(serialize_with = "six")]
    pub p_high_ci_high: f64,
}

/// `sensitivity.csv` of a Sobol, Morris or one-at-a-time sweep.
#[derive(Debug, Clone, PartialEq)]
pub enum Sensitivity {
    Sobol(Vec<SobolRow>),
    Morris(Vec<MorrisRow>),
    Oat(Vec<OatRow>),
}

impl Sensitivity {
    /// The file's bytes, header first (a sweep has at least one factor, so
    /// at least one row names the columns).
    pub fn to_bytes(&self) -> Vec<u8> {
        fn table<T: Serialize>(rows: &[T]) -> Vec<u8> {
            let mut writer = csv::Writer::from_writer(Vec::new());
            for row in rows {
                writer.serialize(row).expect("writing to memory");
            }
            writer.into_inner().expect("writing to memory")
        }
        match self {
            Sensitivity::Sobol(rows) => table(rows),
            Sensitivity::Morris(rows) => table(rows),
            Sensitivity::Oat(rows) => table(rows),
        }
    }

    /// Reads `sensitivity.csv` of a sweep folder of design `kind` (none for
    /// a grid, an LHS or a points design).
    pub fn read(dir: &Path, kind: DesignKind) -> Result<Option<Sensitivity>, InputError> {
        let path = dir.join("sensitivity.csv");
        Ok(Some(match kind {
            DesignKind::Sobol => Sensitivity::Sobol(super::read_table(&path)?),
            DesignKind::Morris => Sensitivity::Morris(super::read_table(&path)?),
            DesignKind::Oat => Sensitivity::Oat(super::read_table(&path)?),
            DesignKind::Grid | DesignKind::Lhs | DesignKind::Points => return Ok(None),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> SweepManifest {
        SweepManifest {
            code_version: String::new(),
            common_random_numbers: false,
            entente_version: "0.1.0".into(),
            factors: vec![FactorRange {
                base: Some(0.8),
                from: 0.2,
                path: "dyad.USA.CHN.P".into(),
                to: 1.0,
            }],
            kind: DesignKind::Grid,
            outcomes: vec!["sino_russian_alliance".into()],
            points: 2,
            runs_per_point: 10,
            scenario: "baseline-2020".into(),
            seed: 5,
            sweep: SweepInfo {
                description: String::new(),
                file: "s.toml".into(),
                name: "s".into(),
                sha256: "00".into(),
            },
            target: "sino_russian_alliance".into(),
            threads: 1,
            wall_seconds: 0.5,
        }
    }

    #[test]
    fn manifest_round_trips_and_keeps_its_key_order() {
        let dir = tempfile::TempDir::new().unwrap();
        let m = manifest();
        let text = super::super::manifest::to_json(&m);
        std::fs::write(dir.path().join("manifest.json"), &text).unwrap();
        assert_eq!(SweepManifest::read(dir.path()).unwrap(), m);
        // Keys in alphabetical order, as the file has always had them; the
        // default common_random_numbers = false is left out.
        let keys: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("  \""))
            .map(|l| l.trim().split('"').nth(1).unwrap())
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert!(!text.contains("common_random_numbers"));
    }

    #[test]
    fn manifest_errors_name_the_file_and_what_is_wrong() {
        let dir = tempfile::TempDir::new().unwrap();
        let e = SweepManifest::read(dir.path()).unwrap_err();
        assert!(e.message.contains("no manifest.json"), "{e}");
        std::fs::write(
            dir.path().join("manifest.json"),
            "{\n  \"kind\": \"spiral\"\n}",
        )
        .unwrap();
        let e = SweepManifest::read(dir.path()).unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(2), "{e}");
        assert!(e.message.contains("spiral"), "{e}");
    }

    #[test]
    fn points_rows_read_back_as_written() {
        let schema = PointsSchema {
            factors: vec!["params.c_T".into()],
            outcomes: vec!["a".into()],
            dyads: vec!["USA-CHN".into()],
        };
        let rows: Vec<PointRow> = (0..3)
            .map(|p| {
                let e = Estimate {
                    p: 0.1234567 * p as f64,
                    ci_low: 0.0,
                    ci_high: 1.0 / 3.0,
                };
                PointRow::new(p, vec![0.1 * p as f64 + 1.0], [e], [-2.0 / 3.0])
            })
            .collect();
        let bytes = schema.file_bytes(&rows);
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.starts_with("point,params.c_T,p_a,ci_low_a,ci_high_a,mean_final_USA-CHN\n"),
            "{text}"
        );
        assert!(
            text.contains("\n1,1.1,0.123457,0.000000,0.333333,-0.6667\n"),
            "{text}"
        );
        let table = PointsTable::parse(
            Path::new("points.csv"),
            &text,
            &schema.factors,
            &schema.outcomes,
        )
        .unwrap();
        assert_eq!(table.schema, schema);
        assert_eq!(table.rows, rows);
        // Written again from what was read: the same bytes.
        assert_eq!(schema.file_bytes(&table.rows), text.as_bytes());
    }
}
