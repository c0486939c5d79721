//! Sweep files: the TOML that describes a batch of scenario variants, and
//! its validation into a [`Sweep`] with every point's parameter values.
//!
//! ```toml
//! name = "us-pressure"
//! scenario = "../baseline-2020.toml"    # relative to this file
//! runs = 2000                           # per point
//! outcomes = ["sino_russian_alliance"]  # default: all named outcomes
//! [grid]
//! axes = [
//!   { path = "dyad.USA.CHN.P", from = 0.0, to = 1.0, steps = 11 },
//!   { path = "dyad.USA.RUS.P", values = [0.2, 0.6, 1.0] },
//! ]
//! ```
//! or a sampling design over factor ranges:
//! ```toml
//! [design]
//! kind = "sobol"          # lhs | sobol | morris | oat
//! points = 256            # lhs: points; sobol: base sample N; morris: trajectories
//! target = "partnership_short_of_alliance"
//! factors = [{ path = "params.beta_E", from = 0.3, to = 1.0 }]
//! ```
//! `oat` (one at a time) takes no `points`, `levels` or `bootstrap`: its
//! 2k+1 points are the base scenario itself, then for each factor in file
//! order the base with that factor alone at `from` and at `to`. The base
//! value may lie inside or outside [from, to].

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::design;
use crate::error::InputError;
use crate::output::sweep::{DesignKind, FactorRange, PointsSchema, SweepInfo, SweepManifest};
use crate::scenario::build::{Problem, problem};
use crate::scenario::locate::Seg;
use crate::scenario::{self, ParamPath, Scenario};
use crate::segs;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Base scenario, relative to the sweep file.
    pub scenario: PathBuf,
    /// Runs per point.
    pub runs: i64,
    /// Master seed (default: the scenario's).
    #[serde(default)]
    pub seed: Option<i64>,
    /// Outcomes reported in points.csv (default: all).
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// Largest number of points allowed (default 100,000).
    #[serde(default)]
    pub max_points: Option<i64>,
    /// Largest total number of runs, points x runs (default 10^9).
    #[serde(default)]
    pub max_runs: Option<i64>,
    #[serde(default)]
    pub grid: Option<GridSection>,
    #[serde(default)]
    pub design: Option<DesignSection>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridSection {
    pub axes: Vec<AxisEntry>,
}

/// One grid axis: explicit `values`, or `from`, `to` and `steps`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AxisEntry {
    pub path: String,
    #[serde(default)]
    pub values: Option<Vec<f64>>,
    #[serde(default)]
    pub from: Option<f64>,
    #[serde(default)]
    pub to: Option<f64>,
    #[serde(default)]
    pub steps: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignSection {
    /// `lhs`, `sobol`, `morris` or `oat`.
    pub kind: String,
    /// LHS: number of points; Sobol: base sample size N; Morris: trajectories;
    /// none for OAT.
    #[serde(default)]
    pub points: Option<i64>,
    /// Morris grid levels (default 4).
    #[serde(default)]
    pub levels: Option<i64>,
    /// Sobol bootstrap resamples for the intervals (default 200).
    #[serde(default)]
    pub bootstrap: Option<i64>,
    /// Outcome whose probability the sensitivity indices explain.
    #[serde(default)]
    pub target: Option<String>,
    pub factors: Vec<FactorEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorEntry {
    pub path: String,
    pub from: f64,
    pub to: f64,
}

/// How the points were chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Grid,
    Lhs,
    Sobol {
        base: usize,
        bootstrap: usize,
    },
    Morris {
        trajectories: usize,
        levels: usize,
    },
    /// One at a time: the base point, then each factor at `from` and at `to`.
    Oat,
}

impl Kind {
    pub fn name(&self) -> &'static str {
        self.design_kind().name()
    }

    pub fn design_kind(&self) -> DesignKind {
        match self {
            Kind::Grid => DesignKind::Grid,
            Kind::Lhs => DesignKind::Lhs,
            Kind::Sobol { .. } => DesignKind::Sobol,
            Kind::Morris { .. } => DesignKind::Morris,
            Kind::Oat => DesignKind::Oat,
        }
    }
}

/// A validated sweep: the base scenario, the varied paths and every point.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub path: PathBuf,
    /// SHA-256 of the sweep file and of the base scenario file together.
    pub sha256: String,
    pub file: SweepFile,
    pub scenario: Scenario,
    pub kind: Kind,
    pub runs: u64,
    pub seed: u64,
    /// The varied parameter paths, as written.
    pub factors: Vec<String>,
    pub paths: Vec<ParamPath>,
    /// Factor ranges (grid: smallest and largest axis value).
    pub ranges: Vec<(f64, f64)>,
    /// Indices of the reported outcomes in the scenario's rule list.
    pub outcomes: Vec<usize>,
    /// Index of the outcome analysed by Sobol or Morris.
    pub target: usize,
    /// Every point's parameter values, in point order.
    pub points: Vec<Vec<f64>>,
    /// The design, kept for the sensitivity analysis.
    pub sobol: Option<design::SaltelliDesign>,
    pub morris: Option<design::MorrisDesign>,
}

/// Points allowed when the file sets no `max_points`.
pub const DEFAULT_MAX_POINTS: i64 = 100_000;
/// Total runs (points x runs) allowed when the file sets no `max_runs`.
pub const DEFAULT_MAX_RUNS: i64 = 1_000_000_000;
/// Most points any sweep may have, whatever its `max_points`: every point's
/// values are held in memory and each point is one row of points.csv.
pub const MAX_POINTS: i64 = 10_000_000;
/// Most Sobol bootstrap resamples; each one recomputes every index.
pub const MAX_BOOTSTRAP: i64 = 100_000;
/// Most Morris grid levels.
pub const MAX_LEVELS: i64 = 1_000;

/// Reads and validates a sweep file and its base scenario.
pub fn load(path: &Path) -> Result<Sweep, InputError> {
    let source = scenario::read_source(path)?;
    parse(path, &source)
}

/// Parses and validates sweep text; `path` names it in errors and locates
/// the base scenario, which is read from disk.
pub fn parse(path: &Path, source: &str) -> Result<Sweep, InputError> {
    let file: SweepFile =
        toml::from_str(source).map_err(|e| scenario::toml_error(path, source, &e))?;
    scenario::build::safe_name(&file.name)
        .map_err(|m| scenario::located(path, source, problem(segs!["name"], "name", m)))?;
    let base = path.parent().unwrap_or(Path::new("")).join(&file.scenario);
    let scenario = scenario::load(&base).map_err(|e| {
        let hint = format!(
            "the scenario is named by the key `scenario` of {}",
            path.display()
        );
        if e.position.is_none() {
            e.hint(hint)
        } else {
            e
        }
    })?;
    let scenario_bytes = scenario::read_source(&base)?;
    let mut hash = Sha256::new();
    hash.update(source.as_bytes());
    hash.update(&scenario_bytes);
    let sha256 = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    build(path, file, scenario, sha256).map_err(|p| scenario::located(path, source, p))
}

fn whole(at: Vec<Seg>, key: &str, value: i64, min: i64) -> Result<usize, Problem> {
    whole_in(at, key, value, min, i64::MAX)
}

/// `value` as a count, checked to lie in `min..=max`.
fn whole_in(at: Vec<Seg>, key: &str, value: i64, min: i64, max: i64) -> Result<usize, Problem> {
    if value < min || value > max {
        let expected = if max == i64::MAX {
            format!("a whole number of at least {min}")
        } else {
            format!("a whole number from {min} to {max}")
        };
        return Err(problem(
            at,
            key,
            format!("found {value}, expected {expected}"),
        ));
    }
    usize::try_from(value).map_err(|_| {
        problem(
            Vec::new(),
            key,
            format!("found {value}, too large for this machine"),
        )
    })
}

/// The budget of a sweep file: most points and most runs in all.
#[derive(Debug, Clone, Copy)]
struct Budget {
    max_points: u64,
    max_runs: u64,
}

fn budget(file: &SweepFile) -> Result<Budget, Problem> {
    let max_points = whole_in(
        segs!["max_points"],
        "max_points",
        file.max_points.unwrap_or(DEFAULT_MAX_POINTS),
        1,
        MAX_POINTS,
    )? as u64;
    let max_runs = whole(
        segs!["max_runs"],
        "max_runs",
        file.max_runs.unwrap_or(DEFAULT_MAX_RUNS),
        1,
    )? as u64;
    Ok(Budget {
        max_points,
        max_runs,
    })
}

fn build(
    path: &Path,
    file: SweepFile,
    scenario: Scenario,
    sha256: String,
) -> Result<Sweep, Problem> {
    let runs = whole(segs!["runs"], "runs", file.runs, 1)? as u64;
    let budget = budget(&file)?;
    let seed = match file.seed {
        Some(s) => whole(segs!["seed"], "seed", s, 0)? as u64,
        None => scenario.built.seed,
    };
    let names = &scenario.built.rules.names;
    let outcome_index = |name: &str, at: Vec<Seg>, key: &str| {
        names.iter().position(|n| n == name).ok_or_else(|| {
            problem(
                at,
                key,
                format!(
                    "unknown outcome `{name}`; the scenario's outcomes are {}",
                    names.join(", ")
                ),
            )
        })
    };
    let outcomes = if file.outcomes.is_empty() {
        (0..names.len()).collect()
    } else {
        file.outcomes
            .iter()
            .enumerate()
            .map(|(k, o)| outcome_index(o, segs!["outcomes", k], "outcomes"))
            .collect::<Result<Vec<_>, _>>()?
    };

    let model = &scenario.built.model;
    let resolve = |text: &str, at: Vec<Seg>, key: &str| -> Result<ParamPath, Problem> {
        ParamPath::parse(model, text).map_err(|m| problem(at, key, m))
    };
    // Checks that a value is admissible at a path, on a scratch copy.
    let admissible = |p: &ParamPath, v: f64, at: Vec<Seg>, key: &str| -> Result<(), Problem> {
        p.set(&mut model.clone(), v)
            .map_err(|m| problem(at, key, m))
    };

    let design_seed = seed ^ 0x5eed_de51_9000_0000;
    let (kind, factors, paths, ranges, points, sobol, morris, target) = match (
        &file.grid,
        &file.design,
    ) {
        (Some(_), Some(_)) => {
            return Err(problem(
                segs!["design"],
                "design",
                "found both [grid] and [design]; a sweep has one or the other",
            ));
        }
        (None, None) => {
            return Err(problem(
                segs!["name"],
                "grid",
                "found neither [grid] nor [design]; expected one of them",
            ));
        }
        (Some(grid), None) => {
            if grid.axes.is_empty() {
                return Err(problem(
                    segs!["grid", "axes"],
                    "grid.axes",
                    "found no axes, expected at least one",
                ));
            }
            let mut axes = Vec::new();
            // The number of points is checked against the budget before any
            // axis's values are made.
            let count = grid.axes.iter().try_fold(1u64, |c, axis| {
                let len = match (&axis.values, axis.steps) {
                    (Some(v), _) => v.len() as u64,
                    (None, Some(steps)) => u64::try_from(steps).ok()?,
                    (None, None) => 1,
                };
                c.checked_mul(len)
            });
            if grid.axes.iter().all(|a| a.steps.is_none_or(|s| s >= 1)) {
                check_budget(budget, count, runs)?;
            }
            let (mut factors, mut paths, mut ranges) = (Vec::new(), Vec::new(), Vec::new());
            for (a, axis) in grid.axes.iter().enumerate() {
                let at = |k: &str| segs!["grid", "axes", a, k];
                let key = format!("grid.axes[{a}]");
                let p = resolve(&axis.path, at("path"), &format!("{key}.path"))?;
                if paths.contains(&p) {
                    return Err(problem(
                        at("path"),
                        format!("{key}.path"),
                        format!("`{}` is swept twice", axis.path),
                    ));
                }
                let values = match (&axis.values, axis.from, axis.to, axis.steps) {
                    (Some(v), None, None, None) => {
                        if v.is_empty() {
                            return Err(problem(
                                at("values"),
                                format!("{key}.values"),
                                "found an empty list, expected at least one value",
                            ));
                        }

                        v.clone()
                    }
                    (None, Some(from), Some(to), Some(steps)) => {
                        let steps = whole(at("steps"), &format!("{key}.steps"), steps, 1)?;

                        if from.partial_cmp(&to).is_none_or(|o| o.is_gt()) {
                            return Err(problem(
                                at("to"),
                                format!("{key}.to"),
                                format!("found from = {from} and to = {to}, expected from <= to"),
                            ));
                        }
                        if steps > 1 && from == to {
                            return Err(problem(
                                at("steps"),
                                format!("{key}.steps"),
                                "an empty range (from = to) takes steps = 1",
                            ));
                        }
                        design::grid_values(from, to, steps)
                    }
                    _ => {
                        return Err(problem(
                            at("path"),
                            key,
                            "an axis takes either `values = [...]` or all of `from`, `to` and `steps`",
                        ));
                    }
                };
                let mut scratch = model.clone();
                for (k, &v) in values.iter().enumerate() {
                    let at = if axis.values.is_some() {
                        segs!["grid", "axes", a, "values", k]
                    } else {
                        at("from")
                    };
                    p.set(&mut scratch, v)
                        .map_err(|m| problem(at, format!("{key}.values"), m))?;
                }
                let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                factors.push(axis.path.clone());
                paths.push(p);
                ranges.push((lo, hi));
                axes.push(values);
            }
            (
                Kind::Grid,
                factors,
                paths,
                ranges,
                design::cartesian(&axes),
                None,
                None,
                outcomes[0],
            )
        }
        (None, Some(d)) => {
            if d.factors.is_empty() {
                return Err(problem(
                    segs!["design", "factors"],
                    "design.factors",
                    "found no factors, expected at least one",
                ));
            }
            let (mut factors, mut paths, mut ranges) = (Vec::new(), Vec::new(), Vec::new());
            for (f, factor) in d.factors.iter().enumerate() {
                let at = |k: &str| segs!["design", "factors", f, k];
                let key = format!("design.factors[{f}]");
                let p = resolve(&factor.path, at("path"), &format!("{key}.path"))?;
                if paths.contains(&p) {
                    return Err(problem(
                        at("path"),
                        format!("{key}.path"),
                        format!("`{}` is listed twice", factor.path),
                    ));
                }
                if factor
                    .from
                    .partial_cmp(&factor.to)
                    .is_none_or(|o| o.is_ge())
                {
                    return Err(problem(
                        at("to"),
                        format!("{key}.to"),
                        format!(
                            "found from = {} and to = {}, expected from < to",
                            factor.from, factor.to
                        ),
                    ));
                }
                admissible(&p, factor.from, at("from"), &format!("{key}.from"))?;
                admissible(&p, factor.to, at("to"), &format!("{key}.to"))?;
                factors.push(factor.path.clone());
                paths.push(p);
                ranges.push((factor.from, factor.to));
            }
            let target = match &d.target {
                Some(t) => outcome_index(t, segs!["design", "target"], "design.target")?,
                None => outcomes[0],
            };
            let (kind, points, sobol, morris) = if d.kind == "oat" {
                let points = oat_points(d, budget, runs, &paths, &ranges, model)?;
                (Kind::Oat, points, None, None)
            } else {
                sampled_design(d, budget, runs, &ranges, design_seed)?
            };
            (kind, factors, paths, ranges, points, sobol, morris, target)
        }
    };
    let mut outcomes = outcomes;
    if !outcomes.contains(&target) {
        outcomes.push(target);
    }
    Ok(Sweep {
        path: path.to_path_buf(),
        sha256,
        file,
        scenario,
        kind,
        runs,
        seed,
        factors,
        paths,
        ranges,
        outcomes,
        target,
        points,
        sobol,
        morris,
    })
}

/// A design's kind, its points, and the Sobol or Morris structure its
/// analysis needs.
type SampledDesign = (
    Kind,
    Vec<Vec<f64>>,
    Option<design::SaltelliDesign>,
    Option<design::MorrisDesign>,
);

/// The points of a sampled design (LHS, Sobol/Saltelli or Morris) over the
/// factor `ranges`, with the Sobol or Morris structure its analysis needs.
fn sampled_design(
    d: &DesignSection,
    budget: Budget,
    runs: u64,
    ranges: &[(f64, f64)],
    design_seed: u64,
) -> Result<SampledDesign, Problem> {
    let k = ranges.len();
    let n = match d.points {
        Some(n) => whole_in(segs!["design", "points"], "design.points", n, 1, MAX_POINTS)?,
        None => {
            return Err(problem(
                segs!["design", "kind"],
                "design.points",
                format!(
                    "found no `points`, expected a whole number of points for kind = \"{}\"",
                    d.kind
                ),
            ));
        }
    };
    let (kind, unit, sobol, morris) = match d.kind.as_str() {
        "lhs" => {
            check_budget(budget, Some(n as u64), runs)?;
            (
                Kind::Lhs,
                design::latin_hypercube(n, k, design_seed),
                None,
                None,
            )
        }
        "sobol" => {
            let n = whole(segs!["design", "points"], "design.points", n as i64, 2)?;
            if 2 * k > design::SOBOL_MAX_DIM {
                return Err(problem(
                    segs!["design", "factors"],
                    "design.factors",
                    format!(
                        "found {k} factors, expected at most {} for kind = \"sobol\"",
                        design::SOBOL_MAX_DIM / 2
                    ),
                ));
            }
            check_budget(budget, (n as u64).checked_mul(k as u64 + 2), runs)?;
            let bootstrap = whole_in(
                segs!["design", "bootstrap"],
                "design.bootstrap",
                d.bootstrap.unwrap_or(200),
                10,
                MAX_BOOTSTRAP,
            )?;
            let s = design::saltelli(n, k, design_seed);
            (
                Kind::Sobol { base: n, bootstrap },
                s.points.clone(),
                Some(s),
                None,
            )
        }
        "morris" => {
            let levels = whole_in(
                segs!["design", "levels"],
                "design.levels",
                d.levels.unwrap_or(4),
                2,
                MAX_LEVELS,
            )?;
            check_budget(budget, (n as u64).checked_mul(k as u64 + 1), runs)?;
            if levels % 2 == 1 {
                return Err(problem(
                    segs!["design", "levels"],
                    "design.levels",
                    format!("found {levels}, expected an even number of levels (4 is usual)"),
                ));
            }
            let m = design::morris(n, k, levels, design_seed);
            (
                Kind::Morris {
                    trajectories: n,
                    levels,
                },
                m.points.clone(),
                None,
                Some(m),
            )
        }
        other => {
            return Err(problem(
                segs!["design", "kind"],
                "design.kind",
                format!("found `{other}`, expected lhs, sobol, morris or oat"),
            ));
        }
    };
    let points = unit
        .iter()
        .map(|u| {
            u.iter()
                .zip(ranges)
                .map(|(&u, &(lo, hi))| lo + u * (hi - lo))
                .collect()
        })
        .collect();
    Ok((kind, points, sobol, morris))
}

/// The points of a one-at-a-time design: the base values, then for each factor
/// the base with that factor alone at `from` and at `to`.
fn oat_points(
    d: &DesignSection,
    budget: Budget,
    runs: u64,
    paths: &[ParamPath],
    ranges: &[(f64, f64)],
    model: &crate::model::Model,
) -> Result<Vec<Vec<f64>>, Problem> {
    for (key, given) in [
        ("points", d.points.is_some()),
        ("levels", d.levels.is_some()),
        ("bootstrap", d.bootstrap.is_some()),
    ] {
        if given {
            return Err(problem(
                segs!["design", key],
                format!("design.{key}"),
                format!(
                    "found `{key}` for kind = \"oat\", expected none: a one-at-a-time design has 2k+1 points (the base, then each factor at `from` and at `to`)"
                ),
            ));
        }
    }
    check_budget(budget, Some(2 * paths.len() as u64 + 1), runs)?;
    let base: Vec<f64> = paths.iter().map(|p| p.get(model)).collect();
    let mut points = vec![base.clone()];
    for (f, &(from, to)) in ranges.iter().enumerate() {
        for v in [from, to] {
            let mut point = base.clone();
            point[f] = v;
            points.push(point);
        }
    }
    Ok(points)
}

/// Checks a design of `points` points (`None`: more than 2^64) of `runs`
/// runs each against the budget, in whole numbers that cannot overflow.
fn check_budget(budget: Budget, points: Option<u64>, runs: u64) -> Result<(), Problem> {
    let Budget {
        max_points,
        max_runs,
    } = budget;
    let shown = points.map_or("more than 2^64".to_string(), |p| p.to_string());
    if points.is_none_or(|p| p > max_points) {
        let hint = if max_points < MAX_POINTS as u64 {
            "shrink the design or raise max_points"
        } else {
            "shrink the design"
        };
        return Err(problem(
            segs!["max_points"],
            "max_points",
            format!(
                "the design has {shown} points, more than the budget of {max_points} (no sweep may exceed {MAX_POINTS}); {hint}"
            ),
        ));
    }
    let total = points.and_then(|p| p.checked_mul(runs));
    if total.is_none_or(|t| t > max_runs) {
        let total = total.map_or("more than 2^64".to_string(), |t| t.to_string());
        return Err(problem(
            segs!["max_runs"],
            "max_runs",
            format!(
                "the design needs {total} runs ({shown} points x {runs}), more than the budget of {max_runs}; lower runs or raise max_runs"
            ),
        ));
    }
    Ok(())
}

impl Sweep {
    /// The columns of this sweep's points.csv.
    pub fn points_schema(&self) -> PointsSchema {
        let names = &self.scenario.built.rules.names;
        let model = &self.scenario.built.model;
        PointsSchema {
            factors: self.factors.clone(),
            outcomes: self.outcomes.iter().map(|&o| names[o].clone()).collect(),
            dyads: model
                .dyads()
                .into_iter()
                .map(|(i, j)| model.dyad_name(i, j))
                .collect(),
        }
    }

    /// The manifest of this sweep's result folder, finished on `threads`
    /// threads in `wall` seconds.
    pub fn manifest(&self, threads: usize, wall: f64) -> SweepManifest {
        let names = &self.scenario.built.rules.names;
        SweepManifest {
            code_version: crate::output::manifest::code_version(),
            common_random_numbers: false,
            entente_version: env!("CARGO_PKG_VERSION").to_string(),
            factors: self
                .factors
                .iter()
                .zip(&self.ranges)
                .map(|(path, &(from, to))| FactorRange {
                    from,
                    path: path.clone(),
                    to,
                })
                .collect(),
            kind: self.kind.design_kind(),
            outcomes: self.points_schema().outcomes,
            points: self.points.len(),
            runs_per_point: self.runs,
            scenario: self.scenario.name().to_string(),
            seed: self.seed,
            sweep: SweepInfo {
                description: self.file.description.clone(),
                file: self.path.display().to_string(),
                name: self.file.name.clone(),
                sha256: self.sha256.clone(),
            },
            target: names[self.target].clone(),
            threads,
            wall_seconds: wall,
        }
    }

    /// The model of point `p`: the base scenario with the point's values set.
    /// Whole-number parameters (steps, counts) take the nearest whole value.
    pub fn model_at(&self, p: usize) -> crate::model::Model {
        let mut model = self.scenario.built.model.clone();
        for (path, &v) in self.paths.iter().zip(&self.points[p]) {
            let v = if path_is_integer(path) { v.round() } else { v };
            path.set(&mut model, v)
                .expect("values checked when the sweep was loaded");
        }
        model
    }
}

pub(crate) fn path_is_integer(path: &ParamPath) -> bool {
    match path {
        ParamPath::Param(name) => crate::model::Params::spec(name).is_some_and(|s| s.integer),
        ParamPath::ShockStep(_) | ParamPath::ShockMaxCount(_) => true,
        _ => false,
    }
}
