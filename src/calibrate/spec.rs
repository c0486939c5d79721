//! Calibration files: the TOML that names a scenario, the priors over its
//! parameter paths and over the observation model, the observations and the
//! ABC settings, checked into a [`Calibration`].
//!
//! ```toml
//! name = "history"
//! scenario = "../history-1992.toml"      # relative to this file
//! seed = 1992
//! until = 2013                           # default for --until
//!
//! [[prior]]
//! path = "params.beta_N"
//! kind = "uniform"                       # uniform | normal | log_uniform
//! low = 0.0
//! high = 2.0
//! evidence = "why this range"
//!
//! [observation]
//! data = "../../data/unga-ideal-points.csv"
//! dyads = ["USA-RUS", "USA-CHN", "RUS-CHN"]
//! from = 1992
//! to = 2022
//! alpha = { kind = "uniform", low = 0.0, high = 5.0, per_dyad = true }
//! gamma = { kind = "log_uniform", low = 0.1, high = 10.0 }
//! sigma = { kind = "log_uniform", low = 0.05, high = 2.0 }
//!
//! [distance]
//! kind = "crps"                          # crps | rmse
//! scale = "none"                         # none | observation_sd
//!
//! [abc]
//! particles = 200
//! generations = 8
//! quantile = 0.5
//! runs = 16
//!
//! [predictive]
//! draws = 200
//! runs = 16
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::observe::{self, Observations};
use crate::error::InputError;
use crate::model::Model;
use crate::scenario::build::{Problem, problem};
use crate::scenario::locate::Seg;
use crate::scenario::{self, ParamPath, Scenario};
use crate::segs;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationFile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The scenario, relative to the calibration file.
    pub scenario: PathBuf,
    /// Master seed (default: the scenario's).
    #[serde(default)]
    pub seed: Option<i64>,
    /// Last year whose observations are used (default for `--until`).
    #[serde(default)]
    pub until: Option<i64>,
    #[serde(default)]
    pub prior: Vec<PriorEntry>,
    pub observation: ObservationSection,
    #[serde(default)]
    pub distance: DistanceSection,
    #[serde(default)]
    pub abc: AbcSection,
    #[serde(default)]
    pub predictive: PredictiveSection,
}

/// One prior: over a parameter path (`[[prior]]`, with `path`) or over an
/// observation-model parameter (`[observation]`, without).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorEntry {
    #[serde(default)]
    pub path: Option<String>,
    /// `uniform`, `normal` or `log_uniform`.
    pub kind: String,
    #[serde(default)]
    pub low: Option<f64>,
    #[serde(default)]
    pub high: Option<f64>,
    #[serde(default)]
    pub mean: Option<f64>,
    #[serde(default)]
    pub sd: Option<f64>,
    /// One intercept per dyad (alpha only).
    #[serde(default)]
    pub per_dyad: Option<bool>,
    /// Why this prior: sources or reasoning.
    #[serde(default)]
    pub evidence: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservationSection {
    /// Ideal-point file (iso3,year,ideal_point,q05,q95,n_votes), relative to
    /// the calibration file.
    pub data: PathBuf,
    /// Observed dyads, `A-B` with agent ids that are ISO3 codes in the data.
    pub dyads: Vec<String>,
    /// First and last year observed.
    pub from: i64,
    pub to: i64,
    pub alpha: PriorEntry,
    pub gamma: PriorEntry,
    pub sigma: PriorEntry,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistanceSection {
    /// `crps` (default) or `rmse`.
    #[serde(default = "default_distance")]
    pub kind: String,
    /// `none` (default) or `observation_sd`.
    #[serde(default = "default_scale")]
    pub scale: String,
}

fn default_distance() -> String {
    "crps".into()
}
fn default_scale() -> String {
    "none".into()
}

impl Default for DistanceSection {
    fn default() -> Self {
        DistanceSection {
            kind: default_distance(),
            scale: default_scale(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbcSection {
    #[serde(default = "default_particles")]
    pub particles: i64,
    /// Most generations, the first (prior) one included.
    #[serde(default = "default_generations")]
    pub generations: i64,
    /// The tolerance of a generation is this weighted quantile of the
    /// previous generation's distances.
    #[serde(default = "default_quantile")]
    pub quantile: f64,
    /// Stop once a generation's tolerance is at most this.
    #[serde(default)]
    pub min_tolerance: f64,
    /// Stop once a generation's acceptance rate is below this.
    #[serde(default = "default_min_acceptance")]
    pub min_acceptance: f64,
    /// Simulated runs per particle evaluation.
    #[serde(default = "default_runs")]
    pub runs: i64,
    /// Most proposals in one generation before calibration stops.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: i64,
}

fn default_particles() -> i64 {
    200
}
fn default_generations() -> i64 {
    8
}
fn default_quantile() -> f64 {
    0.5
}
fn default_min_acceptance() -> f64 {
    0.01
}
fn default_runs() -> i64 {
    16
}
fn default_max_attempts() -> i64 {
    1_000_000
}

impl Default for AbcSection {
    fn default() -> Self {
        AbcSection {
            particles: default_particles(),
            generations: default_generations(),
            quantile: default_quantile(),
            min_tolerance: 0.0,
            min_acceptance: default_min_acceptance(),
            runs: default_runs(),
            max_attempts: default_max_attempts(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictiveSection {
    /// Posterior particles drawn (by weight) for the predictive distribution.
    #[serde(default = "default_draws")]
    pub draws: i64,
    /// Runs simulated per draw.
    #[serde(default = "default_runs")]
    pub runs: i64,
}

fn default_draws() -> i64 {
    200
}

impl Default for PredictiveSection {
    fn default() -> Self {
        PredictiveSection {
            draws: default_draws(),
            runs: default_runs(),
        }
    }
}

/// A prior distribution over one number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prior {
    Uniform {
        low: f64,
        high: f64,
    },
    /// Normal, truncated to `[low, high]` (either may be infinite).
    Normal {
        mean: f64,
        sd: f64,
        low: f64,
        high: f64,
    },
    /// Uniform in the logarithm on `[low, high]`, `0 < low`.
    LogUniform {
        low: f64,
        high: f64,
    },
}

impl Prior {
    /// Support bounds.
    pub fn bounds(&self) -> (f64, f64) {
        match *self {
            Prior::Uniform { low, high }
            | Prior::Normal { low, high, .. }
            | Prior::LogUniform { low, high } => (low, high),
        }
    }

    /// Density up to a constant factor (zero outside the support).
    pub fn density(&self, x: f64) -> f64 {
        let (low, high) = self.bounds();
        if !(x >= low && x <= high) {
            return 0.0;
        }
        match *self {
            Prior::Uniform { .. } => 1.0,
            Prior::Normal { mean, sd, .. } => (-0.5 * ((x - mean) / sd).powi(2)).exp(),
            Prior::LogUniform { .. } => 1.0 / x,
        }
    }

    /// One draw from `u`, uniforms in (0, 1) handed out by `next`.
    pub fn sample(&self, next: &mut impl FnMut() -> f64) -> f64 {
        match *self {
            Prior::Uniform { low, high } => low + next() * (high - low),
            Prior::LogUniform { low, high } => (low.ln() + next() * (high / low).ln()).exp(),
            Prior::Normal {
                mean,
                sd,
                low,
                high,
            } => loop {
                let x = mean + sd * super::abc::standard_normal(next);
                if x >= low && x <= high {
                    break x;
                }
            },
        }
    }

    /// Median and 90% interval, for reports.
    pub fn describe(&self) -> String {
        match *self {
            Prior::Uniform { low, high } => format!("uniform({low}, {high})"),
            Prior::LogUniform { low, high } => format!("log-uniform({low}, {high})"),
            Prior::Normal {
                mean,
                sd,
                low,
                high,
            } => {
                format!("normal({mean}, {sd}) on [{low}, {high}]")
            }
        }
    }
}

/// One calibrated number: where it goes and its prior.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Column name: a parameter path, or `observation.alpha`,
    /// `observation.alpha.USA-RUS`, `observation.gamma`, `observation.sigma`.
    pub name: String,
    pub target: Target,
    pub prior: Prior,
    pub evidence: String,
}

/// What a calibrated number sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    Path(ParamPath),
    /// Intercept of the observed dyad with this index (or of all dyads).
    Alpha(Option<usize>),
    Gamma,
    Sigma,
}

/// How a particle's predictions are compared with the observations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Distance {
    /// Continuous ranked probability score (true) or root mean squared
    /// error of the mean prediction (false).
    pub crps: bool,
    /// Divide each dyad-year's term by the observation's standard deviation.
    pub scaled: bool,
}

/// ABC settings, checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub particles: usize,
    pub generations: usize,
    pub quantile: f64,
    pub min_tolerance: f64,
    pub min_acceptance: f64,
    pub runs: u64,
    pub max_attempts: u64,
    pub predictive_draws: usize,
    pub predictive_runs: u64,
}

/// A checked calibration file with its scenario and observations.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub path: PathBuf,
    /// SHA-256 of the calibration file, the scenario file and the data file.
    pub sha256: String,
    pub file: CalibrationFile,
    pub scenario: Scenario,
    pub seed: u64,
    pub until: Option<i32>,
    pub parameters: Vec<Parameter>,
    pub observations: Observations,
    pub distance: Distance,
    pub settings: Settings,
}

/// Reads and checks a calibration file, its scenario and its data.
pub fn load(path: &Path) -> Result<Calibration, InputError> {
    let source = scenario::read_source(path)?;
    let file: CalibrationFile =
        toml::from_str(&source).map_err(|e| scenario::toml_error(path, &source, &e))?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let scenario_path = dir.join(&file.scenario);
    let scenario = scenario::load(&scenario_path).map_err(|e| {
        if e.position.is_none() {
            e.hint(format!(
                "the scenario is named by the key `scenario` of {}",
                path.display()
            ))
        } else {
            e
        }
    })?;
    let data_path = dir.join(&file.observation.data);
    let data = std::fs::read_to_string(&data_path).map_err(|e| {
        InputError::new(format!("cannot be read: {e}"))
            .in_file(&data_path)
            .hint(format!(
                "the data file is named by the key `observation.data` of {}",
                path.display()
            ))
    })?;
    let scenario_bytes = std::fs::read(&scenario_path)
        .map_err(|e| InputError::new(e.to_string()).in_file(&scenario_path))?;
    let mut hash = Sha256::new();
    hash.update(source.as_bytes());
    hash.update(&scenario_bytes);
    hash.update(data.as_bytes());
    let sha256 = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let located = |p: Problem| scenario::located(path, &source, p);
    let (parameters, distance, settings, seed, until) = build(&file, &scenario).map_err(located)?;
    let observations = observe::read_observations(
        &data_path,
        &data,
        &scenario,
        &file.observation.dyads,
        (file.observation.from, file.observation.to),
    )
    .map_err(|r| match r {
        observe::ReadError::Input(e) => e,
        observe::ReadError::Problem(p) => located(p),
    })?;
    Ok(Calibration {
        path: path.to_path_buf(),
        sha256,
        file,
        scenario,
        seed,
        until,
        parameters,
        observations,
        distance,
        settings,
    })
}

fn whole(at: Vec<Seg>, key: &str, value: i64, min: i64) -> Result<u64, Problem> {
    if value < min {
        return Err(problem(
            at,
            key,
            format!("found {value}, expected a whole number of at least {min}"),
        ));
    }
    Ok(value as u64)
}

fn fraction(at: Vec<Seg>, key: &str, value: f64, open: bool) -> Result<f64, Problem> {
    let ok = if open {
        value > 0.0 && value < 1.0
    } else {
        (0.0..=1.0).contains(&value)
    };
    if !ok {
        let range = if open {
            "between 0 and 1 (exclusive)"
        } else {
            "from 0 to 1"
        };
        return Err(problem(
            at,
            key,
            format!("found {value}, expected a number {range}"),
        ));
    }
    Ok(value)
}

type Built = (Vec<Parameter>, Distance, Settings, u64, Option<i32>);

fn build(file: &CalibrationFile, scenario: &Scenario) -> Result<Built, Problem> {
    let model = &scenario.built.model;
    let seed = match file.seed {
        Some(s) => whole(segs!["seed"], "seed", s, 0)?,
        None => scenario.built.seed,
    };
    let until = file
        .until
        .map(|u| whole(segs!["until"], "until", u, 1).map(|u| u as i32))
        .transpose()?;
    let mut parameters = Vec::new();
    for (k, entry) in file.prior.iter().enumerate() {
        let key = format!("prior[{k}]");
        let at = |f: &str| segs!["prior", k, f];
        let Some(text) = &entry.path else {
            return Err(problem(
                at("kind"),
                format!("{key}.path"),
                "missing key `path`, which is required here (a parameter path such as params.beta_N)",
            ));
        };
        let path = ParamPath::parse(model, text)
            .map_err(|m| problem(at("path"), format!("{key}.path"), m))?;
        if parameters
            .iter()
            .any(|p: &Parameter| p.target == Target::Path(path))
        {
            return Err(problem(
                at("path"),
                format!("{key}.path"),
                format!("`{text}` has two priors"),
            ));
        }
        if entry.per_dyad.is_some() {
            return Err(problem(
                at("per_dyad"),
                format!("{key}.per_dyad"),
                "`per_dyad` applies to observation.alpha only",
            ));
        }
        let prior = prior(
            entry,
            &key,
            &|f| segs!["prior", k, f],
            Some((path, model)),
            false,
        )?;
        parameters.push(Parameter {
            name: text.clone(),
            target: Target::Path(path),
            prior,
            evidence: entry.evidence.clone(),
        });
    }
    let obs = &file.observation;
    for (name, entry) in [
        ("alpha", &obs.alpha),
        ("gamma", &obs.gamma),
        ("sigma", &obs.sigma),
    ] {
        let key = format!("observation.{name}");
        let at = |f: &str| segs!["observation", name, f];
        if entry.path.is_some() {
            return Err(problem(
                at("path"),
                format!("{key}.path"),
                "an observation-model prior takes no `path`",
            ));
        }
        if name != "alpha" && entry.per_dyad.is_some() {
            return Err(problem(
                at("per_dyad"),
                format!("{key}.per_dyad"),
                "`per_dyad` applies to observation.alpha only",
            ));
        }
        let positive = name != "alpha";
        let prior = prior(entry, &key, &at, None, positive)?;
        let mut push = |name: String, target| {
            parameters.push(Parameter {
                name,
                target,
                prior,
                evidence: entry.evidence.clone(),
            })
        };
        match name {
            "alpha" if entry.per_dyad == Some(true) => {
                for (d, dyad) in obs.dyads.iter().enumerate() {
                    let canonical = observe::parse_dyad(model, dyad)
                        .map(|(i, j)| model.dyad_name(i, j))
                        .unwrap_or_else(|_| dyad.clone());
                    push(
                        format!("observation.alpha.{canonical}"),
                        Target::Alpha(Some(d)),
                    );
                }
            }
            "alpha" => push(key.clone(), Target::Alpha(None)),
            "gamma" => push(key.clone(), Target::Gamma),
            _ => push(key.clone(), Target::Sigma),
        }
    }
    let distance = Distance {
        crps: match file.distance.kind.as_str() {
            "crps" => true,
            "rmse" => false,
            other => {
                return Err(problem(
                    segs!["distance", "kind"],
                    "distance.kind",
                    format!("found `{other}`, expected crps or rmse"),
                ));
            }
        },
        scaled: match file.distance.scale.as_str() {
            "none" => false,
            "observation_sd" => true,
            other => {
                return Err(problem(
                    segs!["distance", "scale"],
                    "distance.scale",
                    format!("found `{other}`, expected none or observation_sd"),
                ));
            }
        },
    };
    let abc = &file.abc;
    let a = |k: &str| segs!["abc", k];
    let settings = Settings {
        particles: whole(a("particles"), "abc.particles", abc.particles, 2)? as usize,
        generations: whole(a("generations"), "abc.generations", abc.generations, 1)? as usize,
        quantile: fraction(a("quantile"), "abc.quantile", abc.quantile, true)?,
        min_tolerance: if abc.min_tolerance >= 0.0 {
            abc.min_tolerance
        } else {
            return Err(problem(
                a("min_tolerance"),
                "abc.min_tolerance",
                format!(
                    "found {}, expected a number of at least 0",
                    abc.min_tolerance
                ),
            ));
        },
        min_acceptance: fraction(
            a("min_acceptance"),
            "abc.min_acceptance",
            abc.min_acceptance,
            false,
        )?,
        runs: whole(a("runs"), "abc.runs", abc.runs, 1)?,
        max_attempts: whole(a("max_attempts"), "abc.max_attempts", abc.max_attempts, 1)?,
        predictive_draws: whole(
            segs!["predictive", "draws"],
            "predictive.draws",
            file.predictive.draws,
            1,
        )? as usize,
        predictive_runs: whole(
            segs!["predictive", "runs"],
            "predictive.runs",
            file.predictive.runs,
            1,
        )?,
    };
    Ok((parameters, distance, settings, seed, until))
}

/// Checks one prior entry. `path` is the parameter path it sets, whose range
/// the support must respect; `positive` asks for support above zero.
fn prior(
    entry: &PriorEntry,
    key: &str,
    at: &dyn Fn(&str) -> Vec<Seg>,
    path: Option<(ParamPath, &Model)>,
    positive: bool,
) -> Result<Prior, Problem> {
    let need = |field: &str, value: Option<f64>| {
        value.filter(|v| v.is_finite()).ok_or_else(|| {
            problem(
                at("kind"),
                format!("{key}.{field}"),
                format!("a {} prior needs a finite `{field}`", entry.kind),
            )
        })
    };
    let refuse = |field: &str, value: Option<f64>| match value {
        Some(_) => Err(problem(
            at(field),
            format!("{key}.{field}"),
            format!("a {} prior takes no `{field}`", entry.kind),
        )),
        None => Ok(()),
    };
    let prior = match entry.kind.as_str() {
        "uniform" => {
            refuse("mean", entry.mean)?;
            refuse("sd", entry.sd)?;
            Prior::Uniform {
                low: need("low", entry.low)?,
                high: need("high", entry.high)?,
            }
        }
        "log_uniform" => {
            refuse("mean", entry.mean)?;
            refuse("sd", entry.sd)?;
            let low = need("low", entry.low)?;
            if low <= 0.0 {
                return Err(problem(
                    at("low"),
                    format!("{key}.low"),
                    format!("found {low}, expected a number above 0 for a log_uniform prior"),
                ));
            }
            Prior::LogUniform {
                low,
                high: need("high", entry.high)?,
            }
        }
        "normal" => {
            let sd = need("sd", entry.sd)?;
            if sd <= 0.0 {
                return Err(problem(
                    at("sd"),
                    format!("{key}.sd"),
                    format!("found {sd}, expected a number above 0"),
                ));
            }
            Prior::Normal {
                mean: need("mean", entry.mean)?,
                sd,
                low: entry.low.unwrap_or(f64::NEG_INFINITY),
                high: entry.high.unwrap_or(f64::INFINITY),
            }
        }
        other => {
            return Err(problem(
                at("kind"),
                format!("{key}.kind"),
                format!("found `{other}`, expected uniform, normal or log_uniform"),
            ));
        }
    };
    let (low, high) = prior.bounds();
    if low.is_nan() || high.is_nan() || low >= high {
        return Err(problem(
            at("high"),
            format!("{key}.high"),
            format!("found low = {low} and high = {high}, expected low < high"),
        ));
    }
    if positive && low < 0.0 {
        return Err(problem(
            at("low"),
            format!("{key}.low"),
            format!("found {low}, expected at least 0: this parameter is positive"),
        ));
    }
    if let Some((path, model)) = path {
        for (field, v) in [("low", low), ("high", high)] {
            if v.is_finite() {
                path.set(&mut model.clone(), v)
                    .map_err(|m| problem(at(field), format!("{key}.{field}"), m))?;
            } else {
                return Err(problem(
                    at("kind"),
                    format!("{key}.{field}"),
                    "a prior over a parameter path needs finite `low` and `high` (truncate a normal prior to the admissible range)",
                ));
            }
        }
    }
    Ok(prior)
}
