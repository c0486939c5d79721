//! Weighted parameter sets from a calibration (`posterior.csv`): a
//! `weight` column, one column per parameter path, and optionally a
//! `particle` column and observation-model columns (`observation.*`), which
//! a scenario run does not use.

use std::path::{Path, PathBuf};

use crate::error::InputError;
use crate::model::Model;
use crate::scenario::ParamPath;

/// Largest posterior file read, in bytes.
pub const MAX_POSTERIOR_BYTES: u64 = 64 << 20;

/// Parameter sets with weights that sum to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    pub file: PathBuf,
    pub names: Vec<String>,
    pub paths: Vec<ParamPath>,
    /// `[particle][parameter]`.
    pub particles: Vec<Vec<f64>>,
    /// Running sums of the weights, the last equal to 1.
    cumulative: Vec<f64>,
}

impl Posterior {
    /// Reads `file` and checks every path against `model` and every value
    /// against its path's range.
    pub fn load(file: &Path, model: &Model) -> Result<Posterior, InputError> {
        let err = |message: String| InputError::new(message).in_file(file);
        let size = std::fs::metadata(file)
            .map_err(|e| err(format!("cannot be read: {e}")))?
            .len();
        if size > MAX_POSTERIOR_BYTES {
            return Err(err(format!(
                "is {size} bytes, expected at most {MAX_POSTERIOR_BYTES}"
            )));
        }
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(file)
            .map_err(|e| err(format!("cannot be read: {e}")))?;
        let headers = reader
            .headers()
            .map_err(|e| err(format!("has no readable header: {e}")))?
            .clone();
        let weight = headers.iter().position(|h| h == "weight").ok_or_else(|| {
            err("has no `weight` column; expected `particle,weight,<parameter paths>`".into())
                .key("weight")
        })?;
        let mut columns = Vec::new();
        let mut names = Vec::new();
        let mut paths = Vec::new();
        for (c, h) in headers.iter().enumerate() {
            if c == weight || h == "particle" || h.starts_with("observation.") {
                continue;
            }
            let path = ParamPath::parse(model, h).map_err(|m| err(m).at(1, c + 1).key(h))?;
            columns.push(c);
            names.push(h.to_string());
            paths.push(path);
        }
        if names.is_empty() {
            return Err(err(
                "names no parameter path; expected one column per path besides `weight`".into(),
            ));
        }
        let mut particles = Vec::new();
        let mut weights = Vec::new();
        let mut scratch = model.clone();
        for (r, record) in reader.records().enumerate() {
            let line = r + 2;
            let record = record.map_err(|e| err(format!("malformed row: {e}")).at(line, 1))?;
            let number = |c: usize| -> Result<f64, InputError> {
                let text = record.get(c).unwrap_or("");
                text.parse::<f64>().map_err(|_| {
                    err(format!("found `{text}`, expected a number"))
                        .at(line, c + 1)
                        .key(&headers[c])
                })
            };
            let w = number(weight)?;
            if !(w.is_finite() && w >= 0.0) {
                return Err(
                    err(format!("found {w}, expected a finite weight of at least 0"))
                        .at(line, weight + 1)
                        .key("weight"),
                );
            }
            let mut values = Vec::with_capacity(columns.len());
            for (&c, path) in columns.iter().zip(&paths) {
                let v = number(c)?;
                path.set(&mut scratch, v)
                    .map_err(|m| err(m).at(line, c + 1).key(&headers[c]))?;
                values.push(v);
            }
            particles.push(values);
            weights.push(w);
        }
        let total: f64 = weights.iter().sum();
        if particles.is_empty() || total <= 0.0 || !total.is_finite() {
            return Err(err(
                "holds no particle with positive weight; expected at least one row".into(),
            ));
        }
        let mut sum = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                sum += w / total;
                sum
            })
            .collect();
        Ok(Posterior {
            file: file.to_path_buf(),
            names,
            paths,
            particles,
            cumulative,
        })
    }

    /// The particle whose weight interval holds `u` in (0, 1).
    pub fn particle_at(&self, u: f64) -> usize {
        self.cumulative
            .partition_point(|&c| c <= u)
            .min(self.particles.len() - 1)
    }
}
