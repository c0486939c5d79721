//! The row types of the result folder's tables. Each table with a fixed set
//! of columns has exactly one row type here: the writers in
//! `output::tables` serialize it and every reader (charts, reports, the
//! `plot` command) deserializes it with [`read_table`], so a column is named
//! in one place only. The header is the row type's field names, in order.
//!
//! Numbers keep the fixed decimals the tables have always had (`{:.6}` for
//! probabilities, `{:.4}` for alignments, `{:.2}` for histogram edges), so
//! equal results give equal bytes; readers parse them as plain floats.

use std::path::Path;

use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::error::{InputError, clip};
use crate::uncertainty::estimate::OutcomeSummary;

/// Writes `v` with `digits` decimals.
fn fixed<S: Serializer>(v: f64, digits: usize, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{v:.digits$}"))
}
fn f6<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    fixed(*v, 6, s)
}
fn f4<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    fixed(*v, 4, s)
}
fn f2<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    fixed(*v, 2, s)
}
/// An absent value is an empty field.
fn opt<S: Serializer>(v: &Option<f64>, digits: usize, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => fixed(*v, digits, s),
        None => s.serialize_none(),
    }
}
fn opt_f6<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    opt(v, 6, s)
}
fn opt_f4<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    opt(v, 4, s)
}

/// A row of `outcomes.csv`: a named outcome, how many runs ended in it, its
/// share of the runs integrated over the parameter draws, the Monte Carlo
/// 95% interval of that share, its 5%, 50% and 95% quantiles over draws and
/// the share of its variance due to the parameters. The last four are
/// absent in folders written before parameters could be uncertain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeRow {
    pub outcome: String,
    pub count: u64,
    #[serde(serialize_with = "f6")]
    pub probability: f64,
    #[serde(serialize_with = "f6")]
    pub ci_low: f64,
    #[serde(serialize_with = "f6")]
    pub ci_high: f64,
    #[serde(default, serialize_with = "opt_f6")]
    pub draw_p05: Option<f64>,
    #[serde(default, serialize_with = "opt_f6")]
    pub draw_p50: Option<f64>,
    #[serde(default, serialize_with = "opt_f6")]
    pub draw_p95: Option<f64>,
    #[serde(default, serialize_with = "opt_f4")]
    pub parameter_share: Option<f64>,
}

impl OutcomeRow {
    /// The row of the outcome `name` with summary `o`.
    pub fn new(name: &str, o: &OutcomeSummary) -> OutcomeRow {
        OutcomeRow {
            outcome: name.to_string(),
            count: o.count,
            probability: o.probability,
            ci_low: o.ci_low,
            ci_high: o.ci_high,
            draw_p05: Some(o.draw_p05),
            draw_p50: Some(o.draw_p50),
            draw_p95: Some(o.draw_p95),
            parameter_share: Some(o.parameter_share),
        }
    }
}

/// A row of `configurations.csv`: how many runs ended in a triad
/// configuration, their share and its Wilson 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigurationRow {
    pub configuration: String,
    pub count: u64,
    #[serde(serialize_with = "f6")]
    pub probability: f64,
    #[serde(serialize_with = "f6")]
    pub ci_low: f64,
    #[serde(serialize_with = "f6")]
    pub ci_high: f64,
}

impl From<ConfigurationRow> for OutcomeRow {
    /// A configuration as an outcome without draw quantiles, for code that
    /// shows both alike.
    fn from(c: ConfigurationRow) -> OutcomeRow {
        OutcomeRow {
            outcome: c.configuration,
            count: c.count,
            probability: c.probability,
            ci_low: c.ci_low,
            ci_high: c.ci_high,
            draw_p05: None,
            draw_p50: None,
            draw_p95: None,
            parameter_share: None,
        }
    }
}

/// A row of `comparison.csv`: one scenario's row of `outcomes.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    pub scenario: String,
    pub outcome: String,
    pub count: u64,
    #[serde(serialize_with = "f6")]
    pub probability: f64,
    #[serde(serialize_with = "f6")]
    pub ci_low: f64,
    #[serde(serialize_with = "f6")]
    pub ci_high: f64,
    #[serde(default, serialize_with = "opt_f6")]
    pub draw_p05: Option<f64>,
    #[serde(default, serialize_with = "opt_f6")]
    pub draw_p50: Option<f64>,
    #[serde(default, serialize_with = "opt_f6")]
    pub draw_p95: Option<f64>,
    #[serde(default, serialize_with = "opt_f4")]
    pub parameter_share: Option<f64>,
}

impl ComparisonRow {
    /// The row of `scenario` for outcome `o`.
    pub fn new(scenario: &str, o: OutcomeRow) -> ComparisonRow {
        ComparisonRow {
            scenario: scenario.to_string(),
            outcome: o.outcome,
            count: o.count,
            probability: o.probability,
            ci_low: o.ci_low,
            ci_high: o.ci_high,
            draw_p05: o.draw_p05,
            draw_p50: o.draw_p50,
            draw_p95: o.draw_p95,
            parameter_share: o.parameter_share,
        }
    }
}

/// A row of `differences.csv`: an outcome's probability in `scenario` minus
/// that in `reference`, its paired 95% interval, its 5% and 95% quantiles
/// over draws and the interval independent runs would have given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DifferenceRow {
    pub scenario: String,
    pub reference: String,
    pub outcome: String,
    #[serde(serialize_with = "f6")]
    pub difference: f64,
    #[serde(serialize_with = "f6")]
    pub ci_low: f64,
    #[serde(serialize_with = "f6")]
    pub ci_high: f64,
    #[serde(serialize_with = "f6")]
    pub draw_p05: f64,
    #[serde(serialize_with = "f6")]
    pub draw_p95: f64,
    #[serde(serialize_with = "f6")]
    pub unpaired_ci_low: f64,
    #[serde(serialize_with = "f6")]
    pub unpaired_ci_high: f64,
}

/// A row of `importance.csv`: an uncertain parameter, the share of an
/// outcome's variance over draws it explains alone, and its rank for that
/// outcome (1 = most).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportanceRow {
    pub outcome: String,
    pub parameter: String,
    #[serde(serialize_with = "f4")]
    pub first_order: f64,
    pub rank: u32,
}

/// A row of `timeseries.csv`: mean and quantiles of one dyad's alignment at
/// one step. The quantile columns are those of [`super::QUANTILES`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeseriesRow {
    pub step: u32,
    pub date: String,
    pub dyad: String,
    #[serde(serialize_with = "f4")]
    pub mean: f64,
    #[serde(serialize_with = "f4")]
    pub p05: f64,
    #[serde(serialize_with = "f4")]
    pub p25: f64,
    #[serde(serialize_with = "f4")]
    pub p50: f64,
    #[serde(serialize_with = "f4")]
    pub p75: f64,
    #[serde(serialize_with = "f4")]
    pub p95: f64,
}

/// A row of `config_timeseries.csv`: share of runs in a triad configuration
/// at a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigShareRow {
    pub step: u32,
    pub date: String,
    pub configuration: String,
    #[serde(serialize_with = "f6")]
    pub share: f64,
}

/// A row of `trajectories.csv`: one kept run's alignment of one dyad at one
/// step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrajectoryRow {
    pub run: u64,
    pub draw: u64,
    pub step: u32,
    pub date: String,
    pub dyad: String,
    #[serde(serialize_with = "f4")]
    pub alignment: f64,
}

/// A row of `final.csv`: a histogram bin of a dyad's final averaged
/// alignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinalBin {
    pub dyad: String,
    #[serde(serialize_with = "f2")]
    pub bin_low: f64,
    #[serde(serialize_with = "f2")]
    pub bin_high: f64,
    pub count: u64,
}

/// A row of `dyads.csv`: a dyad's mean final alignment and the share of runs
/// ending in each final state, one column `p_<state>` per
/// [`crate::outcome::DyadState`] (a unit test checks they match).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DyadRow {
    pub dyad: String,
    #[serde(serialize_with = "f4")]
    pub mean_final_alignment: f64,
    #[serde(serialize_with = "f6")]
    pub p_alliance: f64,
    #[serde(serialize_with = "f6")]
    pub p_partnership: f64,
    #[serde(serialize_with = "f6")]
    pub p_hedging: f64,
    #[serde(serialize_with = "f6")]
    pub p_antagonism: f64,
}

/// A row of `shocks.csv`: how often a shock fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShockRow {
    pub shock: String,
    pub runs_fired: u64,
    #[serde(serialize_with = "f6")]
    pub probability: f64,
    #[serde(serialize_with = "f4")]
    pub mean_fires_per_run: f64,
}

/// The column names of row type `T`, in the order its rows are written: the
/// field names its `Deserialize` asks for.
pub fn columns<T: DeserializeOwned>() -> &'static [&'static str] {
    /// A deserializer that only records the fields a struct asks for.
    struct Fields<'a>(&'a mut &'static [&'static str]);
    impl<'de> de::Deserializer<'de> for Fields<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("fields recorded"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Fields(&mut fields));
    fields
}

/// A table of rows of type `T` as CSV text: the header (see [`columns`]),
/// then one line per row, fields quoted only when they hold a comma, quote
/// or line break.
pub fn write_table<T: Serialize + DeserializeOwned>(rows: impl IntoIterator<Item = T>) -> String {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    writer
        .write_record(columns::<T>())
        .expect("write to memory");
    for row in rows {
        writer.serialize(row).expect("a table row serializes");
    }
    let bytes = writer.into_inner().expect("write to memory");
    String::from_utf8(bytes).expect("the fields are text")
}

/// The error for a CSV record that cannot be read, at its line: a record
/// with another number of fields than the header's `fields`, or another
/// fault of the file.
pub(crate) fn bad_record(e: &csv::Error, fields: usize) -> InputError {
    let line = e.position().map_or(0, |p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { len, .. } => {
            format!("found {len} fields, expected {fields} (the header's)")
        }
        _ => format!("cannot be read ({e})"),
    };
    InputError::new(message).at(line, 1)
}

/// Reads every row of the table `path` into `T`, by column name; extra
/// columns are ignored. A bad file is an [`InputError`] naming the file, the
/// line and column (the field's position, counted from 1) and the value
/// found where another was expected.
pub fn read_table<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, InputError> {
    let damaged = |e: InputError| {
        e.in_file(path)
            .hint("the result folder is damaged; run the command that wrote it again")
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| damaged(InputError::new(format!("cannot be read ({e})"))))?;
    let header = reader
        .headers()
        .map_err(|e| damaged(InputError::new(format!("has no readable header ({e})")).at(1, 1)))?
        .clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| damaged(bad_record(&e, header.len())))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let row = record.deserialize(Some(&header)).map_err(|e| {
            let csv::ErrorKind::Deserialize { err: e, .. } = e.kind() else {
                return damaged(InputError::new(format!("cannot be read ({e})")).at(line, 1));
            };
            let Some(c) = e.field().map(|c| c as usize) else {
                return damaged(InputError::new(e.kind().to_string()).at(line, 1));
            };
            let expected = match e.kind() {
                csv::DeserializeErrorKind::ParseInt(_) => "a whole number".to_string(),
                csv::DeserializeErrorKind::ParseFloat(_) => "a number".to_string(),
                csv::DeserializeErrorKind::ParseBool(_) => "true or false".to_string(),
                kind => kind.to_string(),
            };
            let column = header.get(c).unwrap_or("");
            damaged(
                InputError::new(format!(
                    "found `{}` in column `{}`, expected {expected}",
                    clip(record.get(c).unwrap_or("")),
                    clip(column)
                ))
                .at(line, c + 1)
                .key(column),
            )
        })?;
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `rows`, reads them back from a file and checks they are equal.
    fn round_trip<T>(rows: Vec<T>)
    where
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + Clone,
    {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("table.csv");
        std::fs::write(&path, write_table(rows.clone())).unwrap();
        let back: Vec<T> = read_table(&path).unwrap();
        assert_eq!(back, rows);
    }

    #[test]
    fn every_row_type_round_trips() {
        // Values with no more decimals than their column keeps, so writing
        // and reading gives them back exactly.
        round_trip(vec![
            OutcomeRow {
                outcome: "a, \"quoted\" name".into(),
                count: 3,
                probability: 0.25,
                ci_low: 0.125,
                ci_high: 0.5,
                draw_p05: Some(0.0625),
                draw_p50: Some(0.25),
                draw_p95: Some(0.75),
                parameter_share: Some(0.5),
            },
            OutcomeRow {
                outcome: "old".into(),
                count: 0,
                probability: 0.0,
                ci_low: 0.0,
                ci_high: 1.0,
                draw_p05: None,
                draw_p50: None,
                draw_p95: None,
                parameter_share: None,
            },
        ]);
        round_trip(vec![ConfigurationRow {
            configuration: "balanced".into(),
            count: 7,
            probability: 0.875,
            ci_low: 0.5,
            ci_high: 0.96875,
        }]);
        round_trip(vec![ComparisonRow::new(
            "base",
            OutcomeRow::new(
                "x",
                &OutcomeSummary {
                    count: 1,
                    probability: 0.5,
                    ci_low: 0.25,
                    ci_high: 0.75,
                    draw_p05: 0.5,
                    draw_p50: 0.5,
                    draw_p95: 0.5,
                    parameter_share: 0.0,
                },
            ),
        )]);
        round_trip(vec![DifferenceRow {
            scenario: "b".into(),
            reference: "a".into(),
            outcome: "x".into(),
            difference: -0.125,
            ci_low: -0.25,
            ci_high: 0.0,
            draw_p05: -0.5,
            draw_p95: 0.5,
            unpaired_ci_low: -0.375,
            unpaired_ci_high: 0.125,
        }]);
        round_trip(vec![ImportanceRow {
            outcome: "x".into(),
            parameter: "params.beta_E".into(),
            first_order: 0.5,
            rank: 1,
        }]);
        round_trip(vec![TimeseriesRow {
            step: 4,
            date: "2021-01".into(),
            dyad: "USA-CHN".into(),
            mean: -0.25,
            p05: -0.75,
            p25: -0.5,
            p50: -0.25,
            p75: 0.0,
            p95: 0.5,
        }]);
        round_trip(vec![ConfigShareRow {
            step: 0,
            date: "2020-01".into(),
            configuration: "balanced".into(),
            share: 0.5,
        }]);
        round_trip(vec![TrajectoryRow {
            run: 12,
            draw: 3,
            step: 2,
            date: "2020-07".into(),
            dyad: "RUS-CHN".into(),
            alignment: 0.375,
        }]);
        round_trip(vec![FinalBin {
            dyad: "USA-RUS".into(),
            bin_low: -1.0,
            bin_high: -0.75,
            count: 9,
        }]);
        round_trip(vec![DyadRow {
            dyad: "USA-CHN".into(),
            mean_final_alignment: -0.5,
            p_alliance: 0.0,
            p_partnership: 0.125,
            p_hedging: 0.375,
            p_antagonism: 0.5,
        }]);
        round_trip(vec![ShockRow {
            shock: "taiwan".into(),
            runs_fired: 2,
            probability: 0.5,
            mean_fires_per_run: 0.75,
        }]);
        round_trip(Vec::<ShockRow>::new());
    }

    #[test]
    fn numbers_keep_their_fixed_decimals() {
        let text = write_table([FinalBin {
            dyad: "A-B".into(),
            bin_low: -1.0,
            bin_high: -0.9,
            count: 1,
        }]);
        assert_eq!(text, "dyad,bin_low,bin_high,count\nA-B,-1.00,-0.90,1\n");
        let text = write_table([ShockRow {
            shock: "s".into(),
            runs_fired: 1,
            probability: 1.0 / 3.0,
            mean_fires_per_run: 2.0 / 3.0,
        }]);
        assert_eq!(
            text,
            "shock,runs_fired,probability,mean_fires_per_run\ns,1,0.333333,0.6667\n"
        );
    }

    #[test]
    fn dyad_row_has_a_column_per_final_state() {
        let states: Vec<String> = crate::outcome::DyadState::ALL
            .iter()
            .map(|s| format!("p_{}", s.name()))
            .collect();
        assert_eq!(columns::<DyadRow>()[2..], states[..]);
    }

    #[test]
    fn a_damaged_table_names_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shocks.csv");
        std::fs::write(
            &path,
            "shock,runs_fired,probability,mean_fires_per_run\na,1,0.5,0.5\nb,2,lots,0.5\n",
        )
        .unwrap();
        let e = read_table::<ShockRow>(&path).unwrap_err();
        assert_eq!(e.file.as_deref(), Some(path.as_path()));
        assert_eq!(e.position, Some((3, 3)));
        assert_eq!(e.key.as_deref(), Some("probability"));
        assert!(e.message.contains("found `lots`"), "{}", e.message);
        assert!(e.message.contains("expected a number"), "{}", e.message);

        std::fs::write(&path, "shock,runs_fired,probability\na,1,0.5\n").unwrap();
        let e = read_table::<ShockRow>(&path).unwrap_err();
        assert_eq!(e.position, Some((2, 1)));
        assert!(
            e.message.contains("missing field `mean_fires_per_run`"),
            "{}",
            e.message
        );

        std::fs::write(
            &path,
            "shock,runs_fired,probability,mean_fires_per_run\na,1,0.5\n",
        )
        .unwrap();
        let e = read_table::<ShockRow>(&path).unwrap_err();
        assert_eq!(e.position, Some((2, 1)));
        assert!(
            e.message.contains("found 3 fields, expected 4"),
            "{}",
            e.message
        );

        std::fs::write(
            &path,
            "shock,runs_fired,probability,mean_fires_per_run\na,-1,0.5,0.5\n",
        )
        .unwrap();
        let e = read_table::<ShockRow>(&path).unwrap_err();
        assert_eq!(e.position, Some((2, 2)));
        assert!(
            e.message.contains("expected a whole number"),
            "{}",
            e.message
        );
    }
}
