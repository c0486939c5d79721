//! The observation model (docs/model.md, "Calibration against history"):
//! the observed distance between two states' UN General Assembly ideal
//! points in year y is
//!
//! d_ij(y) = alpha_ij - gamma * zbar_ij(y) + eps,   eps ~ Normal(0, sigma^2),
//!
//! with zbar_ij(y) the simulated alignment of the dyad averaged over the
//! steps of year y. This module reads the observations, turns a lockstep
//! trace into yearly alignments and scores a particle's predictions against
//! the observations. Observed values are only ever compared with
//! predictions, never fed into them.

use std::ops::Range;
use std::path::Path;

use crate::error::InputError;
use crate::model::LaneRng;
use crate::model::{LANES, LaneTrace, Lockstep, Model, simulate_lanes};
use crate::scenario::Scenario;
use crate::scenario::build::{Problem, problem};
use crate::segs;

use super::spec::Distance;
use super::validate::{crps_normal_mixture, normal_quantile};

/// An observed dyad: its name (`A-B` in scenario order) and agents.
#[derive(Debug, Clone, PartialEq)]
pub struct Dyad {
    pub name: String,
    pub i: usize,
    pub j: usize,
}

/// One observed dyad-year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Index into [`Observations::dyads`].
    pub dyad: usize,
    pub year: i32,
    /// Absolute distance between the two ideal points.
    pub value: f64,
    /// Standard deviation of that distance implied by the two ideal points'
    /// 90% intervals (normal approximation, independent estimates).
    pub sd: f64,
}

/// The observations a calibration compares with, in dyad then year order.
#[derive(Debug, Clone, PartialEq)]
pub struct Observations {
    pub dyads: Vec<Dyad>,
    pub points: Vec<Point>,
    pub calendar: Calendar,
}

impl Observations {
    /// The points of years up to `until` (all when `None`).
    pub fn fit_points(&self, until: Option<i32>) -> Vec<Point> {
        self.points
            .iter()
            .copied()
            .filter(|p| until.is_none_or(|u| p.year <= u))
            .collect()
    }
}

/// Calendar years of steps: step t falls in year floor(start + t dt).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calendar {
    pub start: f64,
    pub dt: f64,
    pub horizon: usize,
}

impl Calendar {
    pub fn of(scenario: &Scenario) -> Option<Calendar> {
        Some(Calendar {
            start: scenario.start_year()?,
            dt: scenario.built.model.params.dt,
            horizon: scenario.built.model.horizon,
        })
    }

    pub fn year(&self, step: usize) -> i32 {
        // A tolerance of a minute keeps 1992.0 + 4 * 0.25 in 1993.
        (self.start + step as f64 * self.dt + 2e-6).floor() as i32
    }

    /// The steps (of `0..=horizon`) that fall in `year`.
    pub fn steps(&self, year: i32) -> Range<usize> {
        let first = (0..=self.horizon).find(|&t| self.year(t) >= year);
        let Some(first) = first.filter(|&t| self.year(t) == year) else {
            return 0..0;
        };
        let end = (first..=self.horizon)
            .find(|&t| self.year(t) > year)
            .unwrap_or(self.horizon + 1);
        first..end
    }

    /// The last step in or before `year`, if any.
    pub fn last_step_of(&self, year: i32) -> Option<usize> {
        (0..=self.horizon).rev().find(|&t| self.year(t) <= year)
    }
}

/// Why observations could not be read: a problem in the data file, or one
/// in the calibration file to be located there.
#[derive(Debug)]
pub enum ReadError {
    Input(InputError),
    Problem(Problem),
}

/// Resolves `A-B` to agent indices.
pub fn parse_dyad(model: &Model, text: &str) -> Result<(usize, usize), String> {
    let (a, b) = text.split_once('-').ok_or_else(|| {
        format!("found `{text}`, expected two agent ids joined by `-`, like USA-RUS")
    })?;
    let find = |id: &str| {
        model.agent(id).ok_or_else(|| {
            format!(
                "unknown agent `{id}` in `{text}`; the scenario's agents are {}",
                model.ids.join(", ")
            )
        })
    };
    let (i, j) = (find(a)?, find(b)?);
    if i == j {
        return Err(format!("`{text}` names one agent twice"));
    }
    Ok((i.min(j), i.max(j)))
}

#[derive(Debug, serde::Deserialize)]
struct Row {
    iso3: String,
    year: i32,
    ideal_point: f64,
    q05: f64,
    q95: f64,
}

/// Standard deviation of an estimate from its 90% interval.
fn sd_from_interval(q05: f64, q95: f64) -> f64 {
    (q95 - q05) / (2.0 * normal_quantile(0.95))
}

/// Reads the ideal points of the agents of `dyads` for the years `from..=to`
/// and forms the observed distances.
pub fn read_observations(
    path: &Path,
    text: &str,
    scenario: &Scenario,
    dyads: &[String],
    (from, to): (i64, i64),
) -> Result<Observations, ReadError> {
    let model = &scenario.built.model;
    let obs = |k: &str| segs!["observation", k];
    let calendar = Calendar::of(scenario).ok_or_else(|| {
        ReadError::Problem(problem(
            segs!["scenario"],
            "scenario",
            format!(
                "the scenario {} has no `start` date; calibration needs one to match steps to years",
                scenario.path.display()
            ),
        ))
    })?;
    let (first, last) = (calendar.year(0), calendar.year(calendar.horizon));
    if from > to {
        return Err(ReadError::Problem(problem(
            obs("to"),
            "observation.to",
            format!("found from = {from} and to = {to}, expected from <= to"),
        )));
    }
    for (key, year) in [("from", from), ("to", to)] {
        if year < i64::from(first) || year > i64::from(last) {
            return Err(ReadError::Problem(problem(
                obs(key),
                format!("observation.{key}"),
                format!("found {year}, expected a year the scenario simulates ({first} to {last})"),
            )));
        }
    }
    if dyads.is_empty() {
        return Err(ReadError::Problem(problem(
            obs("dyads"),
            "observation.dyads",
            "found no dyads, expected at least one, like [\"USA-RUS\"]",
        )));
    }
    let mut resolved: Vec<Dyad> = Vec::new();
    for (k, text) in dyads.iter().enumerate() {
        let (i, j) = parse_dyad(model, text).map_err(|m| {
            ReadError::Problem(problem(
                segs!["observation", "dyads", k],
                "observation.dyads",
                m,
            ))
        })?;
        if resolved.iter().any(|d| (d.i, d.j) == (i, j)) {
            return Err(ReadError::Problem(problem(
                segs!["observation", "dyads", k],
                "observation.dyads",
                format!("`{text}` is listed twice"),
            )));
        }
        resolved.push(Dyad {
            name: model.dyad_name(i, j),
            i,
            j,
        });
    }

    // ideal[agent][year - from] = (point, sd)
    let span = (to - from + 1) as usize;
    let mut ideal = vec![vec![None; span]; model.n()];
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for (line, row) in reader.deserialize::<Row>().enumerate() {
        let row = row.map_err(|e| {
            ReadError::Input(
                InputError::new(format!("cannot be read: {e}"))
                    .in_file(path)
                    .hint("expected the columns iso3,year,ideal_point,q05,q95,n_votes"),
            )
        })?;
        let Some(agent) = model.agent(&row.iso3) else {
            continue;
        };
        if i64::from(row.year) < from || i64::from(row.year) > to {
            continue;
        }
        let sd = sd_from_interval(row.q05, row.q95);
        if !(row.ideal_point.is_finite() && sd.is_finite() && sd >= 0.0) {
            return Err(ReadError::Input(
                InputError::new(format!(
                    "row {} ({} {}): found ideal_point = {}, q05 = {}, q95 = {}, expected finite numbers with q05 <= q95",
                    line + 2,
                    row.iso3,
                    row.year,
                    row.ideal_point,
                    row.q05,
                    row.q95
                ))
                .in_file(path),
            ));
        }
        ideal[agent][(i64::from(row.year) - from) as usize] = Some((row.ideal_point, sd));
    }
    let mut points = Vec::new();
    for (d, dyad) in resolved.iter().enumerate() {
        let before = points.len();
        for (y, (first, second)) in ideal[dyad.i].iter().zip(&ideal[dyad.j]).enumerate() {
            if let (Some((a, sa)), Some((b, sb))) = (*first, *second) {
                let sd: f64 = f64::hypot(sa, sb);
                points.push(Point {
                    dyad: d,
                    year: (from + y as i64) as i32,
                    value: (a - b).abs(),
                    sd,
                });
            }
        }
        if points.len() == before {
            return Err(ReadError::Input(
                InputError::new(format!(
                    "holds no year from {from} to {to} with ideal points of both {} and {}",
                    model.ids[dyad.i], model.ids[dyad.j]
                ))
                .in_file(path)
                .hint("agent ids must be the ISO3 codes of the data's `iso3` column"),
            ));
        }
    }
    Ok(Observations {
        dyads: resolved,
        points,
        calendar,
    })
}

/// Observation-model parameters of one particle.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Intercept per observed dyad.
    pub alpha: Vec<f64>,
    pub gamma: f64,
    pub sigma: f64,
}

impl Link {
    /// The mean predicted distance of a dyad at alignment `z`.
    pub fn mean(&self, dyad: usize, z: f64) -> f64 {
        self.alpha[dyad] - self.gamma * z
    }
}

/// Simulates `runs` runs of `model` (under `seed` and `point`, in lockstep
/// groups) and returns the yearly mean alignment of every point of `points`
/// in every run, `z[p * runs + r]`.
pub fn yearly_alignment(
    model: &Model,
    calendar: &Calendar,
    dyads: &[Dyad],
    points: &[Point],
    seed: u64,
    point: u64,
    runs: u64,
) -> Vec<f64> {
    let n = model.n();
    let cells = n * n;
    let steps: Vec<Range<usize>> = points
        .iter()
        .map(|p| {
            let s = calendar.steps(p.year);
            s.start.min(model.horizon + 1)..s.end.min(model.horizon + 1)
        })
        .collect();
    let runs = runs as usize;
    let mut z = vec![0.0; points.len() * runs];
    let mut lanes = Lockstep::new(model);
    let mut trace = LaneTrace::new(model);
    for first in (0..runs).step_by(LANES) {
        let mut rng = LaneRng::new(seed, point, first as u64);
        simulate_lanes(model, &mut rng, &mut lanes, &mut trace);
        for lane in 0..LANES.min(runs - first) {
            for (p, (obs, steps)) in points.iter().zip(&steps).enumerate() {
                let Dyad { i, j, .. } = dyads[obs.dyad];
                let sum: f64 = steps
                    .clone()
                    .map(|t| {
                        0.5 * (trace.x[t * cells + i * n + j][lane]
                            + trace.x[t * cells + j * n + i][lane])
                    })
                    .sum();
                z[p * runs + first + lane] = sum / steps.len().max(1) as f64;
            }
        }
    }
    z
}

/// The distance between the observations `points` and a particle's
/// predictions from alignments `z` (as [`yearly_alignment`] lays them out):
/// the mean continuous ranked probability score of the predictive mixture
/// (one normal of sd sigma per simulated run), or the root mean squared
/// error of the mean prediction; with `scaled`, each dyad-year's term is
/// divided by the observation's standard deviation.
pub fn distance(kind: Distance, points: &[Point], z: &[f64], link: &Link) -> f64 {
    let runs = z.len() / points.len().max(1);
    let mut total = 0.0;
    let mut means = vec![0.0; runs];
    for (p, obs) in points.iter().enumerate() {
        for (m, &z) in means.iter_mut().zip(&z[p * runs..(p + 1) * runs]) {
            *m = link.mean(obs.dyad, z);
        }
        let scale = if kind.scaled { obs.sd.max(1e-9) } else { 1.0 };
        total += if kind.crps {
            crps_normal_mixture(&means, link.sigma, obs.value) / scale
        } else {
            let mean = means.iter().sum::<f64>() / runs as f64;
            ((obs.value - mean) / scale).powi(2)
        };
    }
    let mean = total / points.len().max(1) as f64;
    if kind.crps { mean } else { mean.sqrt() }
}
