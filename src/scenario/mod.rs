//! Scenario files: reading, checking and turning them into a model.
//!
//! A scenario is TOML written and reviewed by people (see [`schema`] for
//! every key). Loading never panics on bad input: every problem becomes an
//! [`InputError`] naming the file, line, column, key, what was found and
//! what is expected.

pub mod build;
pub mod locate;
pub mod paths;
pub mod schema;
pub mod series;
pub mod table;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use build::Built;
pub use paths::ParamPath;
pub use schema::ScenarioFile;
pub use table::{ParameterRow, parameter_rows, parameters_csv};

use crate::error::{InputError, nearest};

/// A loaded and validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, hex; for a scenario with `[[series]]`,
    /// of the file's bytes followed by the hex SHA-256 of each data file its
    /// series read, in file order.
    pub sha256: String,
    pub file: ScenarioFile,
    pub built: Built,
}

impl Scenario {
    pub fn name(&self) -> &str {
        &self.file.name
    }

    /// Calendar year (with fraction) of step 0, when the file gives a start date.
    pub fn start_year(&self) -> Option<f64> {
        start_year(&self.file)
    }
}

/// Calendar year (with fraction) of step 0 of `file`, when it gives a start
/// date: the year plus (month - 1) / 12 plus (day - 1) / 365.25.
pub fn start_year(file: &ScenarioFile) -> Option<f64> {
    let date = file.start.as_ref()?.date?;
    Some(
        f64::from(date.year)
            + (f64::from(date.month) - 1.0) / 12.0
            + (f64::from(date.day) - 1.0) / 365.25,
    )
}

/// Reads, parses and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, InputError> {
    let source = read_source(path)?;
    parse(path, &source)
}

/// Reads a text input file, turning the usual mistakes into clear errors.
pub fn read_source(path: &Path) -> Result<String, InputError> {
    if path.is_dir() {
        return Err(InputError::new("is a directory, expected a TOML file").in_file(path));
    }
    std::fs::read_to_string(path).map_err(|e| {
        let what = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::InvalidData => {
                "is not UTF-8 text, expected a TOML file".to_string()
            }
            _ => format!("cannot be read: {e}"),
        };
        InputError::new(what).in_file(path)
    })
}

/// Parses and validates scenario text; `path` names it in errors.
pub fn parse(path: &Path, source: &str) -> Result<Scenario, InputError> {
    let file: ScenarioFile = toml::from_str(source).map_err(|e| toml_error(path, source, &e))?;
    let mut built = build::build(&file).map_err(|p| located(path, source, p))?;
    series::attach(&mut built, &file, path, source)?;
    // The results depend on the data files as much as on the scenario text,
    // so the hash of a scenario with series covers both.
    let sha256 = if built.series.is_empty() {
        hex_sha256(source.as_bytes())
    } else {
        let mut all = source.as_bytes().to_vec();
        for s in &built.series {
            all.extend_from_slice(s.sha256.as_bytes());
        }
        hex_sha256(&all)
    };
    Ok(Scenario {
        path: path.to_path_buf(),
        sha256,
        file,
        built,
    })
}

/// SHA-256 of `bytes`, hex.
pub(crate) fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Turns a problem found after parsing into an error that points at its line.
pub fn located(path: &Path, source: &str, p: build::Problem) -> InputError {
    let mut err = InputError::new(p.message).in_file(path).key(p.key);
    if let Some((line, column)) = locate::locate(source, &p.at) {
        err = err.at(line, column);
    }
    err
}

/// Turns a TOML or serde error into an [`InputError`] with a position and,
/// for an unknown key, the nearest valid one.
pub fn toml_error(path: &Path, source: &str, e: &toml::de::Error) -> InputError {
    // serde names Rust types; say what a scenario author would call them.
    let message = e
        .message()
        .trim()
        .replace("expected f64", "expected a number")
        .replace("expected i64", "expected a whole number");
    let mut err = InputError::new(message.clone()).in_file(path);
    if let Some(span) = e.span() {
        let (line, column) = locate::line_col(source, span.start);
        err = err.at(line, column);
        if let Some(key) = locate::key_at(source, span.start) {
            err = err.key(key);
        }
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        err.message = format!("missing key `{field}`, which is required here");
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let unknown = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        err = err.key(unknown);
        err.message = format!(
            "unknown key `{unknown}`; expected one of {}",
            expected.join(", ")
        );
        if let Some(best) = nearest(unknown, expected.iter().copied()) {
            err = err.hint(format!("did you mean `{best}`?"));
        }
    }
    err
}
