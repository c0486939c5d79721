//! `[[series]]`: yearly data read from CSV files and turned into the
//! per-step values of [`Schedule`]s (docs/model.md, section 6.1).
//!
//! Each yearly value is placed at the middle of its year (`year + 0.5`), and
//! the value for a step is interpolated linearly, at the calendar time of
//! the step's start, between the two neighbouring years. Before the middle
//! of the first year the file gives, and after the middle of the last, the
//! nearest yearly value holds. The file must give every calendar year the
//! run touches; errors name the data file, line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::Digest;

use super::build::problem;
use super::paths::ParamPath;
use super::schema::{ScenarioFile, SeriesEntry};
use super::{Built, located, start_year};
use crate::error::{InputError, nearest};
use crate::model::{Driver, Model, Schedule, Target, drop_scheduled_after, hold_after};
use crate::segs;

/// Where a series-driven value comes from, for `validate` and reports.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSource {
    pub path: ParamPath,
    /// The data file as resolved against the scenario's folder.
    pub file: PathBuf,
    pub column: String,
    /// The filter as `column=value` pairs joined by commas.
    pub filter: String,
    /// First and last year of the rows the filter selects.
    pub years: (i32, i32),
    pub description: String,
    /// SHA-256 of the data file's bytes, hex; part of the scenario's hash.
    pub sha256: String,
}

/// One yearly value and the line of the data file it comes from.
type Yearly = BTreeMap<i32, f64>;

/// Reads every `[[series]]` entry of `file` (found at `path`, with text
/// `source`) and adds its schedule to `built.model`; the value at step 0
/// becomes the target's initial value, replacing any constant the file
/// gives.
pub fn attach(
    built: &mut Built,
    file: &ScenarioFile,
    path: &Path,
    source: &str,
) -> Result<(), InputError> {
    if file.series.is_empty() {
        return Ok(());
    }
    let here = |k: usize, field: &str, message: String| {
        located(
            path,
            source,
            problem(
                segs!["series", k, field],
                format!("series.{field}"),
                message,
            ),
        )
    };
    let Some(start) = start_year(file) else {
        return Err(here(
            0,
            "target",
            "found [[series]] but no `start` date; expected `start = YYYY-MM-DD` at the top of the file, so that steps have calendar years".into(),
        ));
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let model = &mut built.model;
    let times: Vec<f64> = (0..model.horizon)
        .map(|t| start + t as f64 * model.params.dt)
        .collect();
    let first_year = times[0].floor() as i32;
    let last_year = times[times.len() - 1].floor() as i32;
    for (k, entry) in file.series.iter().enumerate() {
        let target_path =
            ParamPath::parse(model, &entry.target).map_err(|m| here(k, "target", m))?;
        let target = match target_path {
            ParamPath::Driver(d, i, j) => Target::Driver(d, i, j),
            ParamPath::Attribute(a, i) => Target::Attribute(a, i),
            _ => {
                return Err(here(
                    k,
                    "target",
                    format!(
                        "found `{}`, expected a driver (dyad.I.J.{}) or an agent attribute (agent.I.capability|aggression|tau)",
                        entry.target,
                        Driver::names()
                    ),
                ));
            }
        };
        if let Some(earlier) = built
            .series
            .iter()
            .find(|s| same_target(model, s.path, target_path))
        {
            return Err(here(
                k,
                "target",
                format!(
                    "found a second series for `{}` (the first reads {}); expected one series per value",
                    entry.target,
                    earlier.file.display()
                ),
            ));
        }
        let data_path = base.join(&entry.file);
        let text = std::fs::read_to_string(&data_path).map_err(|e| {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                _ => format!("cannot be read: {e}"),
            };
            here(
                k,
                "file",
                format!(
                    "found `{}` ({}): {why}; expected a CSV file, relative to the scenario file",
                    entry.file,
                    data_path.display()
                ),
            )
        })?;
        let check = |v: f64| {
            let mut probe = model.clone();
            target_path.set(&mut probe, v)
        };
        let yearly = read_yearly(&data_path, &text, entry, &check)?;
        let (Some(&y0), Some(&y1)) = (yearly.keys().next(), yearly.keys().last()) else {
            return Err(here(
                k,
                "filter",
                format!(
                    "no row of {} matches the filter {}; expected at least one",
                    data_path.display(),
                    filter_text(entry)
                ),
            ));
        };
        if let Some(missing) = (first_year..=last_year).find(|y| !yearly.contains_key(y)) {
            return Err(InputError::new(format!(
                "no row for {missing} in column `{}`{}; the run covers {first_year}-{last_year} and needs a value for each of these years (the file gives {y0}-{y1}, with gaps)",
                entry.column,
                filter_suffix(entry),
            ))
            .in_file(&data_path)
            .key(entry.column.clone()));
        }
        let values: Vec<f64> = times
            .iter()
            .map(|&t| interpolate(&yearly, t, first_year, last_year))
            .collect();
        target_path
            .set(model, values[0])
            .map_err(|m| here(k, "target", m))?;
        if !built.calibrated.contains(&target_path) {
            built.calibrated.push(target_path);
        }
        model.schedules.push(Schedule { target, values });
        built.series.push(SeriesSource {
            path: target_path,
            file: data_path,
            column: entry.column.clone(),
            filter: filter_text(entry),
            years: (y0, y1),
            description: entry.description.clone(),
            sha256: super::hex(&sha2::Sha256::digest(text.as_bytes())),
        });
    }
    Ok(())
}

/// Whether two paths name the same value (a symmetric driver on either
/// direction counts once).
fn same_target(model: &Model, a: ParamPath, b: ParamPath) -> bool {
    match (a, b) {
        (ParamPath::Driver(d, i, j), ParamPath::Driver(e, k, l)) if d == e && d.symmetric() => {
            (i.min(j), i.max(j)) == (k.min(l), k.max(l))
        }
        _ => a.display(model).to_string() == b.display(model).to_string(),
    }
}

fn filter_text(entry: &SeriesEntry) -> String {
    let pairs: Vec<String> = entry
        .filter
        .iter()
        .map(|(c, v)| format!("{c}={v}"))
        .collect();
    pairs.join(", ")
}

fn filter_suffix(entry: &SeriesEntry) -> String {
    if entry.filter.is_empty() {
        String::new()
    } else {
        format!(" where {}", filter_text(entry))
    }
}

/// The 1-based line of the header: the first line that is neither blank
/// nor a comment.
fn header_line(text: &str) -> usize {
    text.lines()
        .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map_or(1, |p| p + 1)
}

/// The yearly values of the rows of `text` that pass the entry's filter.
/// `check` tests a value against the target's range.
fn read_yearly(
    data_path: &Path,
    text: &str,
    entry: &SeriesEntry,
    check: &dyn Fn(f64) -> Result<(), String>,
) -> Result<Yearly, InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let bad_csv = |e: csv::Error| {
        let mut err =
            InputError::new(format!("is not a readable CSV file: {e}")).in_file(data_path);
        if let Some(p) = e.position() {
            err = err.at(p.line() as usize, 1);
        }
        err
    };
    let headers = reader.headers().map_err(bad_csv)?.clone();
    let head = header_line(text);
    let column = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            let mut err = InputError::new(format!(
                "no column `{name}`; the columns are {}",
                headers.iter().collect::<Vec<_>>().join(", ")
            ))
            .in_file(data_path)
            .at(head, 1)
            .key(name.to_string());
            if let Some(best) = nearest(name, headers.iter()) {
                err = err.hint(format!("did you mean `{best}`?"));
            }
            err
        })
    };
    let value_col = column(&entry.column)?;
    let year_col = column(&entry.year_column)?;
    let filters = entry
        .filter
        .iter()
        .map(|(c, v)| Ok((column(c)?, v.as_str())))
        .collect::<Result<Vec<_>, InputError>>()?;
    let mut yearly = Yearly::new();
    let mut lines = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(bad_csv)?;
        if !filters.iter().all(|&(c, v)| record.get(c) == Some(v)) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line() as usize);
        let at = |col: usize, key: &str, message: String| {
            InputError::new(message)
                .in_file(data_path)
                .at(line, col + 1)
                .key(key.to_string())
        };
        let cell = |col: usize| record.get(col).unwrap_or("");
        let year: i32 = cell(year_col).parse().map_err(|_| {
            at(
                year_col,
                &entry.year_column,
                format!("found `{}`, expected a whole year", cell(year_col)),
            )
        })?;
        let value: f64 = cell(value_col)
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                at(
                    value_col,
                    &entry.column,
                    format!("found `{}`, expected a number", cell(value_col)),
                )
            })?;
        check(value).map_err(|m| {
            at(
                value_col,
                &entry.column,
                format!("{m} (the range of `{}`)", entry.target),
            )
        })?;
        if let Some(earlier) = lines.insert(year, line) {
            return Err(at(
                year_col,
                &entry.year_column,
                format!(
                    "a second row for {year}{} (the first is on line {earlier}); expected one row per year",
                    filter_suffix(entry)
                ),
            ));
        }
        yearly.insert(year, value);
    }
    Ok(yearly)
}

/// The value at calendar time `t`: linear between the mid-year points of
/// the two years around it; a year outside `first..=last` missing from the
/// file takes the value of the nearest of `first` and `last`.
fn interpolate(yearly: &Yearly, t: f64, first: i32, last: i32) -> f64 {
    let at = |y: i32| match yearly.get(&y) {
        Some(&v) => v,
        None => yearly[&y.clamp(first, last)],
    };
    let x = t - 0.5;
    let y0 = x.floor();
    let f = x - y0;
    let y0 = y0 as i32;
    if f == 0.0 {
        at(y0)
    } else {
        at(y0) * (1.0 - f) + at(y0 + 1) * f
    }
}

/// Applies the `--until YEAR` rule to a scenario's model: nothing after
/// `year` is used. Series hold, from the last step at or before the middle
/// of `year` (the point where the year's own value sits; later steps would
/// interpolate toward the next year), the value they have there; scheduled
/// shocks due after the last step that starts in `year` are disabled; random
/// shocks stay. Returns the step from which series hold, or `None` when the
/// scenario has no start date or starts after the middle of `year` (then
/// nothing is changed).
pub fn cut_after_year(model: &mut Model, start_year: f64, year: i32) -> Option<usize> {
    let time = |t: usize| start_year + t as f64 * model.params.dt;
    let steps = 0..model.horizon;
    let held = steps
        .clone()
        .take_while(|&t| time(t) <= f64::from(year) + 0.5)
        .last()?;
    let last = steps
        .take_while(|&t| time(t) < f64::from(year) + 1.0)
        .last()
        .unwrap_or(held);
    hold_after(model, held);
    drop_scheduled_after(model, last);
    Some(held)
}
