//! Calibration against history: ABC-SMC over the priors of a calibration
//! file ([`spec`]), with the observation model of [`observe`], the
//! model-independent algorithm of [`abc`] and the held-out scores of
//! [`validate`] (docs/model.md, "Calibration against history").
//!
//! A calibration folder holds, while it runs, `calibration-state.json` and
//! one file per finished generation, `generations/gen-NNN.csv`, each written
//! atomically, so that a killed calibration resumes after its last finished
//! generation and ends with the same files. The finished folder (posterior,
//! predictive, validation, generations, manifest) replaces it atomically.

pub mod abc;
pub mod observe;
pub mod spec;
pub mod tables;
pub mod validate;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use abc::{Generation, Particle};
pub use observe::{Calendar, Link, Observations, Point};
pub use spec::{Calibration, Parameter, Prior, Target, load};

use crate::error::{InputError, Result};
use crate::model::Model;
use crate::model::RunRng;
use crate::scenario::ParamPath;
use validate::Forecast;

/// Salt of the generators that pick predictive draws and add noise.
const PREDICTIVE_SALT: u64 = 0x9_4ed1_c7ed;
/// Simulation key of predictive draw `d` (attempts use `(g + 1) << 40 | k`).
fn predictive_point(d: usize) -> u64 {
    (0xF_FFFF << 40) | d as u64
}
fn attempt_point(g: usize, k: u64) -> u64 {
    ((g as u64 + 1) << 40) | k
}

/// What to run, beyond the calibration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    pub seed: u64,
    pub particles: usize,
    /// Last year used; `None` uses every observation.
    pub until: Option<i32>,
    /// Forecast the held-out years with the actual later drivers and events.
    pub conditional: bool,
}

/// What `calibration-state.json` records, to refuse resuming another run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct State {
    calibration: PathBuf,
    sha256: String,
    options: Options,
}

const STATE: &str = "calibration-state.json";
const GENERATIONS: &str = "generations";

/// Why the sequence of generations ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    Generations,
    MinTolerance,
    MinAcceptance,
    /// A generation needed more than `abc.max_attempts` attempts; the
    /// previous one is the result.
    MaxAttempts,
}

impl Stop {
    pub fn describe(self) -> &'static str {
        match self {
            Stop::Generations => "reached the number of generations",
            Stop::MinTolerance => "tolerance reached abc.min_tolerance",
            Stop::MinAcceptance => "acceptance rate fell below abc.min_acceptance",
            Stop::MaxAttempts => "a generation needed more than abc.max_attempts attempts",
        }
    }
}

/// A finished calibration.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub generations: Vec<Generation>,
    pub stop: Stop,
    /// Runs simulated for the generations this process computed.
    pub simulations: u64,
    pub predictive: Vec<PredictiveRow>,
    /// Model, persistence and trend scores over held-out dyad-years.
    pub validation: Option<[validate::Scores; 3]>,
}

impl Outcome {
    pub fn posterior(&self) -> &Generation {
        self.generations.last().expect("at least one generation")
    }
}

/// One row of predictive.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictiveRow {
    pub dyad: String,
    pub year: i32,
    pub observed: f64,
    pub mean: f64,
    pub forecast: Forecast,
    pub held_out: bool,
}

/// The models a calibration simulates: the scenario with a particle's
/// values, then cut for the fit or held for the forecast.
pub struct Models {
    base: Model,
    calendar: Calendar,
    /// The last step of the last fit year: the fit simulates steps up to it.
    pub end: usize,
    /// The `--until` year: nothing after it enters the fit.
    pub until: Option<i32>,
    /// Whether the forecast uses the actual drivers and events after `until`.
    pub conditional: bool,
}

/// Makes `model` use nothing after `year` (docs/model.md, sections 6.1
/// and 11.3): series hold the value they have at the middle of `year`, and
/// scheduled shocks due after the last step of `year` never fire (they stay
/// in the list, so parameter paths and shock indices still resolve). Random
/// shocks stay: they are the model's own process, not data.
pub fn cut_after_year(model: &mut Model, calendar: &Calendar, year: i32) {
    crate::scenario::series::cut_after_year(model, calendar.start, year);
}

impl Models {
    /// The fit model of a particle and its observation-model parameters:
    /// cut after `until` ([`cut_after_year`]) and ending at the last step of
    /// the last fit year.
    pub fn fit(&self, cal: &Calibration, theta: &[f64]) -> (Model, Link) {
        let (mut model, link) = cal.apply(&self.base, theta);
        if let Some(year) = self.until {
            cut_after_year(&mut model, &self.calendar, year);
        }
        model.horizon = self.end;
        (model, link)
    }

    /// The forecast model of a particle and its observation-model parameters:
    /// the whole period, cut after `until` unless conditional.
    pub fn forecast(&self, cal: &Calibration, theta: &[f64]) -> (Model, Link) {
        let (mut model, link) = cal.apply(&self.base, theta);
        if let Some(year) = self.until.filter(|_| !self.conditional) {
            cut_after_year(&mut model, &self.calendar, year);
        }
        (model, link)
    }
}

impl Calibration {
    /// The last year whose observations are fitted.
    pub fn fit_end(&self, until: Option<i32>) -> i32 {
        let to = self.file.observation.to as i32;
        until.map_or(to, |u| u.min(to))
    }

    /// The value names, in particle order: the posterior.csv columns.
    pub fn names(&self) -> Vec<&str> {
        self.parameters.iter().map(|p| p.name.as_str()).collect()
    }

    pub fn priors(&self) -> Vec<Prior> {
        self.parameters.iter().map(|p| p.prior).collect()
    }

    /// A particle's values as the model uses them: whole-number paths
    /// rounded.
    pub fn as_used(&self, theta: &[f64]) -> Vec<f64> {
        self.parameters
            .iter()
            .zip(theta)
            .map(|(p, &v)| match p.target {
                Target::Path(path) if crate::sweep::path_is_integer(&path) => v.round(),
                _ => v,
            })
            .collect()
    }

    /// Sets a particle's model values on a copy of `base` and returns its
    /// observation-model parameters.
    pub fn apply(&self, base: &Model, theta: &[f64]) -> (Model, Link) {
        let mut model = base.clone();
        let mut link = Link {
            alpha: vec![0.0; self.observations.dyads.len()],
            gamma: 0.0,
            sigma: 0.0,
        };
        for (p, &v) in self.parameters.iter().zip(theta) {
            match p.target {
                Target::Path(path) => set_value(&mut model, path, v),
                Target::Alpha(Some(d)) => link.alpha[d] = v,
                Target::Alpha(None) => link.alpha.iter_mut().for_each(|a| *a = v),
                Target::Gamma => link.gamma = v,
                Target::Sigma => link.sigma = v,
            }
        }
        (model, link)
    }

    /// The fit and forecast models for `options`.
    pub fn models(&self, options: &Options) -> Models {
        let end = self
            .observations
            .calendar
            .last_step_of(self.fit_end(options.until))
            .expect("the fit years lie in the simulated period");
        Models {
            base: self.scenario.built.model.clone(),
            calendar: self.observations.calendar,
            end,
            until: options.until,
            conditional: options.conditional,
        }
    }
}

fn set_value(model: &mut Model, path: ParamPath, v: f64) {
    let v = if crate::sweep::path_is_integer(&path) {
        v.round()
    } else {
        v
    };
    path.set(model, v)
        .expect("priors lie inside the admissible range, checked on loading");
}

/// How to run a calibration into a folder.
pub struct Run<'a> {
    pub calibration: &'a Calibration,
    pub options: Options,
    pub out: &'a Path,
    pub resume: bool,
    pub force: bool,
    /// Called once per generation with its index and the particles wanted.
    pub start_generation: &'a (dyn Fn(usize, f64) + Sync),
    /// Called with the number of particles newly accepted.
    pub progress: &'a (dyn Fn(u64) + Sync),
}

fn gen_path(out: &Path, g: usize) -> PathBuf {
    out.join(GENERATIONS).join(format!("gen-{g:03}.csv"))
}

/// Prepares the folder: checks a resumed one belongs to this calibration,
/// or clears one this command wrote before (with `force`).
fn prepare(run: &Run<'_>) -> Result<Vec<Generation>> {
    let state = State {
        calibration: fs::canonicalize(&run.calibration.path)?,
        sha256: run.calibration.sha256.clone(),
        options: run.options.clone(),
    };
    let state_path = run.out.join(STATE);
    let nonempty = fs::read_dir(run.out)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if run.resume && state_path.exists() {
        let earlier: State =
            serde_json::from_str(&fs::read_to_string(&state_path)?).map_err(|e| {
                InputError::new(format!(
                    "cannot be read ({e}); start again without --resume"
                ))
                .in_file(&state_path)
            })?;
        if earlier != state {
            return Err(InputError::new(
                "belongs to a different calibration file, data, seed, particle count, --until or --conditional; start again with --force instead of --resume",
            )
            .in_file(&state_path)
            .into());
        }
        let mut generations = Vec::new();
        while let Some(g) = tables::read_generation(
            &gen_path(run.out, generations.len()),
            run.calibration.parameters.len(),
        )? {
            generations.push(g);
        }
        return Ok(generations);
    }
    if nonempty && !run.force {
        let hint = if run.resume {
            "it holds no calibration state to resume; "
        } else {
            ""
        };
        return Err(InputError::new(format!(
            "holds earlier results; {hint}pass --resume to continue an interrupted calibration or --force to start again"
        ))
        .in_file(run.out)
        .into());
    }
    // Only a folder entente wrote is removed, never an arbitrary one.
    if crate::output::safety::check_target(run.out, run.force)? {
        crate::output::safety::remove_result(run.out)?;
    }
    fs::create_dir_all(run.out.join(GENERATIONS))?;
    crate::output::write_atomic(
        &state_path,
        serde_json::to_string_pretty(&state).expect("json") + "\n",
    )?;
    Ok(Vec::new())
}

/// Whether the sequence stops after `last`.
fn stop_after(settings: &spec::Settings, last: &Generation) -> Option<Stop> {
    if last.index + 1 >= settings.generations {
        Some(Stop::Generations)
    } else if last.index > 0 && last.tolerance <= settings.min_tolerance {
        Some(Stop::MinTolerance)
    } else if last.index > 0 && last.acceptance_rate() < settings.min_acceptance {
        Some(Stop::MinAcceptance)
    } else {
        None
    }
}

/// Runs (or resumes) the generations, then the posterior predictive and the
/// validation. Writes the generation files into `run.out`; the caller writes
/// the final tables.
pub fn calibrate(run: &Run<'_>) -> Result<Outcome> {
    let cal = run.calibration;
    let options = &run.options;
    let settings = &cal.settings;
    let models = cal.models(options);
    let fit_points = cal
        .observations
        .fit_points(Some(cal.fit_end(options.until)));
    let priors = cal.priors();
    let simulated = AtomicU64::new(0);
    let distance = |g: usize| {
        let (models, fit_points, simulated) = (&models, &fit_points, &simulated);
        move |theta: &[f64], k: u64| {
            let (model, link) = models.fit(cal, theta);
            let z = observe::yearly_alignment(
                &model,
                &cal.observations.calendar,
                &cal.observations.dyads,
                fit_points,
                options.seed,
                attempt_point(g, k),
                settings.runs,
            );
            simulated.fetch_add(settings.runs, Ordering::Relaxed);
            observe::distance(cal.distance, fit_points, &z, &link)
        }
    };

    let mut generations = prepare(run)?;
    let mut stop = generations.last().and_then(|g| stop_after(settings, g));
    for g in &generations {
        (run.start_generation)(g.index, 0.0);
        (run.progress)(g.particles.len() as u64);
    }
    while stop.is_none() {
        let index = generations.len();
        let previous = generations.last();
        let tolerance = previous.map(|p| p.next_tolerance(settings.quantile));
        (run.start_generation)(index, tolerance.unwrap_or(f64::INFINITY));
        let step = abc::Step {
            seed: options.seed,
            index,
            particles: options.particles,
            priors: &priors,
            previous: previous.zip(tolerance),
            max_attempts: settings.max_attempts,
            progress: run.progress,
        };
        match abc::generation(&step, &distance(index)) {
            Ok(generation) => {
                crate::output::write_atomic(
                    &gen_path(run.out, index),
                    tables::generation_file(&generation, &cal.names()),
                )?;
                stop = stop_after(settings, &generation);
                generations.push(generation);
            }
            Err(_) if index > 0 => stop = Some(Stop::MaxAttempts),
            Err(e) => {
                return Err(InputError::new(format!(
                    "the prior generation took more than {} attempts ({} accepted)",
                    e.attempts, e.accepted
                ))
                .key("abc.max_attempts")
                .into());
            }
        }
    }
    let posterior = generations.last().expect("generation 0 always finishes");
    let predictive = predictive(cal, options, &models, posterior);
    let validation = options.until.map(|u| validation(cal, &predictive, u));
    Ok(Outcome {
        stop: stop.expect("loop ends with a reason"),
        simulations: simulated.load(Ordering::Relaxed),
        predictive,
        validation,
        generations,
    })
}

/// Simulates the posterior predictive distribution of every observed
/// dyad-year: `predictive.draws` particles drawn by weight, each run
/// `predictive.runs` times on the forecast model, with observation noise.
pub fn predictive(
    cal: &Calibration,
    options: &Options,
    models: &Models,
    posterior: &Generation,
) -> Vec<PredictiveRow> {
    let points = &cal.observations.points;
    let settings = &cal.settings;
    let runs = settings.predictive_runs as usize;
    let draws: Vec<Vec<f64>> = (0..settings.predictive_draws)
        .into_par_iter()
        .map(|d| {
            let mut rng = RunRng::new(options.seed ^ PREDICTIVE_SALT, 0, d as u64);
            let u = abc::uniform(&mut rng);
            let mut cumulative = 0.0;
            let particle = posterior
                .particles
                .iter()
                .find(|p| {
                    cumulative += p.weight;
                    cumulative >= u
                })
                .unwrap_or_else(|| posterior.particles.last().expect("particles"));
            let (model, link) = models.forecast(cal, &particle.theta);
            let z = observe::yearly_alignment(
                &model,
                &cal.observations.calendar,
                &cal.observations.dyads,
                points,
                options.seed,
                predictive_point(d),
                runs as u64,
            );
            let mut next = || abc::uniform(&mut rng);
            points
                .iter()
                .enumerate()
                .flat_map(|(p, obs)| (0..runs).map(move |r| (p, obs, r)))
                .map(|(p, obs, r)| {
                    link.mean(obs.dyad, z[p * runs + r])
                        + link.sigma * abc::standard_normal(&mut next)
                })
                .collect()
        })
        .collect();
    let held = |year: i32| options.until.is_some_and(|u| year > u);
    points
        .iter()
        .enumerate()
        .map(|(p, obs)| {
            let mut sample: Vec<f64> = draws
                .iter()
                .flat_map(|d| d[p * runs..(p + 1) * runs].iter().copied())
                .collect();
            let mean = sample.iter().sum::<f64>() / sample.len() as f64;
            PredictiveRow {
                dyad: cal.observations.dyads[obs.dyad].name.clone(),
                year: obs.year,
                observed: obs.value,
                mean,
                forecast: Forecast::sample(&mut sample, obs.value),
                held_out: held(obs.year),
            }
        })
        .collect()
}

/// Scores of the model, persistence and trend over the held-out rows.
pub fn validation(cal: &Calibration, rows: &[PredictiveRow], until: i32) -> [validate::Scores; 3] {
    let (mut model, mut persistence, mut trend) = (Vec::new(), Vec::new(), Vec::new());
    for dyad in &cal.observations.dyads {
        let series: Vec<(i32, f64)> = rows
            .iter()
            .filter(|r| r.dyad == dyad.name && r.year <= until)
            .map(|r| (r.year, r.observed))
            .collect();
        for row in rows.iter().filter(|r| r.dyad == dyad.name && r.held_out) {
            model.push((row.forecast, row.observed));
            if let Some(f) = validate::persistence(&series, row.year, row.observed) {
                persistence.push((f, row.observed));
            }
            if let Some(f) = validate::trend(&series, row.year, row.observed) {
                trend.push((f, row.observed));
            }
        }
    }
    [
        validate::Scores::of(&model),
        validate::Scores::of(&persistence),
        validate::Scores::of(&trend),
    ]
}

/// Weighted 5%, 50% and 95% quantiles of each value over a generation.
pub fn posterior_quantiles(g: &Generation, values: usize) -> Vec<[f64; 3]> {
    (0..values)
        .map(|v| {
            let mut pairs: Vec<(f64, f64)> =
                g.particles.iter().map(|p| (p.theta[v], p.weight)).collect();
            [0.05, 0.5, 0.95].map(|q| abc::weighted_quantile(&mut pairs, q))
        })
        .collect()
}

/// The value of the last fit year as `--until` must give it: inside the
/// observed years.
pub fn check_until(cal: &Calibration, until: i64) -> Result<i32, InputError> {
    let (from, to) = (cal.file.observation.from, cal.file.observation.to);
    if until < from || until > to {
        return Err(InputError::new(format!(
            "found {until}, expected a year from {from} to {to} (the observed years of {})",
            cal.path.display()
        ))
        .key("--until"));
    }
    Ok(until as i32)
}
