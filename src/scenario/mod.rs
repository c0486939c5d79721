//! Scenario files: reading, checking and turning them into a model.
//!
//! A scenario is TOML written and reviewed by people (see [`schema`] for
//! every key). Loading never panics on bad input: every problem becomes an
//! [`InputError`] naming the file, line, column, key, what was found and
//! what is expected.

pub mod build;
pub mod diff;
pub mod inherit;
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
    /// SHA-256 of the file's bytes, hex; with `extends`, of the file and
    /// every parent, in that order; with `[[series]]`, followed by the hex
    /// SHA-256 of each data file the series read, in file order.
    pub sha256: String,
    pub file: ScenarioFile,
    pub built: Built,
    /// The parent file named by `extends`, if any.
    pub extends: Option<PathBuf>,
    /// Values set with `--set PATH=VALUE`, in the order given.
    pub overrides: Vec<(String, f64)>,
}

impl Scenario {
    pub fn name(&self) -> &str {
        &self.file.name
    }

    /// The outcome rules that can never name a run of this scenario
    /// ([`crate::outcome::dead_rules`]), over every value `theta_P` can take
    /// in it: its written value, or the support of its distribution when it
    /// is uncertain.
    pub fn dead_rules(&self) -> Vec<crate::outcome::DeadRule> {
        let theta = self.built.model.params.theta_P;
        let range = self
            .built
            .uncertain
            .iter()
            .find(|u| u.path == ParamPath::Param("theta_P"))
            .map_or((theta, theta), |u| u.distribution.support());
        crate::outcome::dead_rules(&self.built.rules, range)
    }

    /// Sets `PATH=VALUE` (as given to `--set`): the value is range-checked,
    /// counts as set by the scenario, and fixes a parameter the scenario
    /// declared uncertain.
    pub fn set(&mut self, assignment: &str) -> Result<(), InputError> {
        let err = |message: String| InputError::new(message).key("--set");
        let (path, value) = assignment.split_once('=').ok_or_else(|| {
            err(format!(
                "found `{assignment}`, expected PATH=VALUE, e.g. params.c_T=1.5"
            ))
        })?;
        let (path, value) = (path.trim(), value.trim());
        let number: f64 = value
            .parse()
            .map_err(|_| err(format!("found `{value}` for {path}, expected a number")))?;
        let model = &mut self.built.model;
        let resolved =
            ParamPath::parse(model, path).map_err(|m| err(format!("{m} (in `{path}`)")))?;
        resolved
            .set(model, number)
            .map_err(|m| err(format!("{path}: {m}")))?;
        if !self.built.calibrated.contains(&resolved) {
            self.built.calibrated.push(resolved);
        }
        self.built.uncertain.retain(|u| u.path != resolved);
        self.overrides.push((path.to_string(), number));
        Ok(())
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

/// Largest scenario or sweep file read, in bytes. The bundled scenarios
/// are under 50 KB; the cap keeps a wrong path (`/dev/zero`, a log file)
/// from being read without end.
pub const MAX_INPUT_BYTES: u64 = 1 << 20;

/// Reads a text input file of at most [`MAX_INPUT_BYTES`], turning the usual
/// mistakes into clear errors.
pub fn read_source(path: &Path) -> Result<String, InputError> {
    if path.is_dir() {
        return Err(InputError::new("is a directory, expected a TOML file").in_file(path));
    }
    let cannot = |e: std::io::Error| {
        let what = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            _ => format!("cannot be read: {e}"),
        };
        InputError::new(what).in_file(path)
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    read_text(file, path)
}

/// Reads at most [`MAX_INPUT_BYTES`] of TOML text from `reader` (a file or
/// standard input); `path` names it in errors.
pub fn read_text(reader: impl std::io::Read, path: &Path) -> Result<String, InputError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::new(format!("cannot be read: {e}")).in_file(path))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(InputError::new(format!(
            "is larger than {} KiB, the limit for a scenario or sweep file; expected a TOML file",
            MAX_INPUT_BYTES >> 10
        ))
        .in_file(path));
    }
    String::from_utf8(bytes)
        .map_err(|_| InputError::new("is not UTF-8 text, expected a TOML file").in_file(path))
}

/// Parses and validates scenario text; `path` names it in errors.
pub fn parse(path: &Path, source: &str) -> Result<Scenario, InputError> {
    let extends = source.contains("extends")
        && toml::from_str::<toml::Table>(source).is_ok_and(|t| t.contains_key("extends"));
    if !extends {
        let file: ScenarioFile =
            toml::from_str(source).map_err(|e| toml_error(path, source, &e))?;
        let mut built = build::build(&file).map_err(|p| located(path, source, p))?;
        series::attach(&mut built, &file, path, source)?;
        let sha256 = hash(&[source], &built);
        return Ok(Scenario {
            path: path.to_path_buf(),
            sha256,
            file,
            built,
            extends: None,
            overrides: Vec::new(),
        });
    }
    let (table, layers) = inherit::resolve(path, source)?;
    // Through text, which keeps TOML dates as dates; positions in the merged
    // text mean nothing to the user, so errors keep only the key.
    let merged = toml::to_string(&table).map_err(|e| {
        InputError::new(format!("cannot combine with its parents: {e}")).in_file(path)
    })?;
    let file: ScenarioFile = toml::from_str(&merged).map_err(|e| {
        let mut err = toml_error(path, &merged, &e);
        err.position = None;
        err
    })?;
    let mut built = build::build(&file).map_err(|p| located_in_layers(&layers, p))?;
    // A child's `[[series]]` replaces its parent's whole, so the entries come
    // from one layer, the nearest that has them: their files are relative to
    // it, and errors point into it.
    let series_layer = layers
        .iter()
        .find(|l| toml::from_str::<toml::Table>(&l.source).is_ok_and(|t| t.contains_key("series")))
        .unwrap_or(&layers[0]);
    series::attach(&mut built, &file, &series_layer.path, &series_layer.source)?;
    let sources: Vec<&str> = layers.iter().map(|l| l.source.as_str()).collect();
    let sha256 = hash(&sources, &built);
    Ok(Scenario {
        path: path.to_path_buf(),
        sha256,
        file,
        built,
        extends: layers.get(1).map(|l| l.path.clone()),
        overrides: Vec::new(),
    })
}

/// The scenario's hash: of its texts (the file, then its parents), and,
/// since results depend on the data as much as on the text, of the data
/// files its series read (their hashes, in file order).
fn hash(sources: &[&str], built: &Built) -> String {
    let mut hasher = Sha256::new();
    for source in sources {
        hasher.update(source.as_bytes());
    }
    for s in &built.series {
        hasher.update(s.sha256.as_bytes());
    }
    hex(&hasher.finalize())
}

/// `bytes` as lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Names the file of a chain of parents where a problem's key is written:
/// the child's first, else the nearest parent's that has it.
fn located_in_layers(layers: &[inherit::Layer], p: build::Problem) -> InputError {
    let layer = layers
        .iter()
        .find(|l| locate::locate(&l.source, &p.at).is_some())
        .unwrap_or(&layers[0]);
    located(&layer.path, &layer.source, p)
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
    if message.starts_with("duplicate key")
        && let Some(span) = e.span()
        && let Some(text) = source.get(span.clone())
    {
        let duplicate = text.trim().trim_matches('"');
        err = err.key(crate::error::clip(duplicate));
        err.message = format!(
            "duplicate key `{}`; a key may appear only once in a table",
            crate::error::clip(duplicate)
        );
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let unknown = crate::error::clip(rest.split('`').next().unwrap_or_default());
        let unknown = unknown.as_str();
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
