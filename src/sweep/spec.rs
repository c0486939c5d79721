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
//! kind = "sobol"          # lhs | sobol | morris | oat | points
//! points = 256            # lhs: points; sobol: base sample N; morris: trajectories
//! target = "partnership_short_of_alliance"
//! factors = [{ path = "params.beta_E", from = 0.3, to = 1.0 }]
//! ```
//! or points chosen elsewhere, one CSV row per point under a header of
//! parameter paths:
//! ```toml
//! [design]
//! kind = "points"
//! file = "points.csv"     # relative to this file
//! ```
//! `common_random_numbers = true` (top level) runs every point on the same
//! random streams (`docs/model.md`, section 10).
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
    /// Every point runs on the same random numbers (default false: each
    /// point has its own).
    #[serde(default)]
    pub common_random_numbers: bool,
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
    /// The points file of kind = "points", relative to the sweep file.
    #[serde(default)]
    pub file: Option<PathBuf>,
    /// The factors and their ranges (none for kind = "points", whose file
    /// names them).
    #[serde(default)]
    pub factors: Vec<FactorEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorEntry {
    pub path: String,
    pub from: f64,
    pub to: f64,
}

/// How the points were chosen, with what its analysis needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Design {
    Grid,
    Lhs,
    /// Saltelli's sample for Sobol' indices and the bootstrap resamples of
    /// their intervals.
    Sobol {
        design: design::SaltelliDesign,
        bootstrap: usize,
    },
    Morris(design::MorrisDesign),
    /// One at a time: the base point, then each factor at `from` and at `to`.
    Oat,
    /// Points read from a CSV file (its path as resolved from the sweep file).
    Points {
        file: PathBuf,
    },
}

impl Design {
    pub fn kind(&self) -> DesignKind {
        match self {
            Design::Grid => DesignKind::Grid,
            Design::Lhs => DesignKind::Lhs,
            Design::Sobol { .. } => DesignKind::Sobol,
            Design::Morris(_) => DesignKind::Morris,
            Design::Oat => DesignKind::Oat,
            Design::Points { .. } => DesignKind::Points,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind().name()
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
    pub design: Design,
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
    /// Whether every point runs on the same random numbers.
    pub common_random_numbers: bool,
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

/// True when `path` reads as a sweep file rather than a scenario: a TOML
/// table with a `scenario` string (the base scenario) or a `[grid]` or
/// `[design]` table, keys no scenario has.
pub fn is_sweep_file(path: &Path) -> bool {
    scenario::read_source(path)
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .is_some_and(|t| {
            t.get("scenario").is_some_and(toml::Value::is_str)
                || t.get("grid").is_some_and(toml::Value::is_table)
                || t.get("design").is_some_and(toml::Value::is_table)
        })
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
    build(path, source, file, scenario, hash)
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

/// What a sweep file's `[grid]` or `[design]` table resolves to: the
/// design, the varied parameters and every point.
struct Plan {
    design: Design,
    /// The varied parameter paths, as written, resolved, and their ranges.
    factors: Vec<String>,
    paths: Vec<ParamPath>,
    ranges: Vec<(f64, f64)>,
    points: Vec<Vec<f64>>,
    /// Index of the analysed outcome.
    target: usize,
}

/// What every part of a sweep file is checked against.
struct Context<'a> {
    path: &'a Path,
    model: &'a crate::model::Model,
    budget: Budget,
    runs: u64,
    /// The reported outcomes' indices; the first is the default target.
    outcomes: &'a [usize],
    names: &'a [String],
}

impl Context<'_> {
    fn resolve(&self, text: &str, at: Vec<Seg>, key: &str) -> Result<ParamPath, Problem> {
        ParamPath::parse(self.model, text).map_err(|m| problem(at, key, m))
    }

    /// Checks that a value is admissible at a path, on a scratch copy.
    fn admissible(&self, p: &ParamPath, v: f64, at: Vec<Seg>, key: &str) -> Result<(), Problem> {
        p.set(&mut self.model.clone(), v)
            .map_err(|m| problem(at, key, m))
    }

    fn outcome_index(&self, name: &str, at: Vec<Seg>, key: &str) -> Result<usize, Problem> {
        self.names.iter().position(|n| n == name).ok_or_else(|| {
            problem(
                at,
                key,
                format!(
                    "unknown outcome `{name}`; the scenario's outcomes are {}",
                    self.names.join(", ")
                ),
            )
        })
    }
}

/// Validates a parsed sweep file against its base scenario. `source` is the
/// file's text, which locates problems; `hash` has taken in the sweep and
/// scenario files and takes in a points file too.
fn build(
    path: &Path,
    source: &str,
    file: SweepFile,
    scenario: Scenario,
    mut hash: Sha256,
) -> Result<Sweep, InputError> {
    let located = |p: Problem| scenario::located(path, source, p);
    let runs = whole(segs!["runs"], "runs", file.runs, 1).map_err(located)? as u64;
    let budget = budget(&file).map_err(located)?;
    let seed = match file.seed {
        Some(s) => whole(segs!["seed"], "seed", s, 0).map_err(located)? as u64,
        None => scenario.built.seed,
    };
    let names = &scenario.built.rules.names;
    let cx = Context {
        path,
        model: &scenario.built.model,
        budget,
        runs,
        outcomes: &[],
        names,
    };
    let outcomes = if file.outcomes.is_empty() {
        (0..names.len()).collect()
    } else {
        file.outcomes
            .iter()
            .enumerate()
            .map(|(k, o)| cx.outcome_index(o, segs!["outcomes", k], "outcomes"))
            .collect::<Result<Vec<_>, _>>()
            .map_err(located)?
    };
    let cx = Context {
        outcomes: &outcomes,
        ..cx
    };
    let plan = match (&file.grid, &file.design) {
        (Some(_), Some(_)) => Err(problem(
            segs!["design"],
            "design",
            "found both [grid] and [design]; a sweep has one or the other",
        )),
        (None, None) => Err(problem(
            segs!["name"],
            "grid",
            "found neither [grid] nor [design]; expected one of them",
        )),
        (Some(grid), None) => grid_plan(&cx, grid),
        (None, Some(d)) => design_plan(&cx, d, seed ^ 0x5eed_de51_9000_0000, &mut hash)?,
    }
    .map_err(located)?;
    let mut outcomes = outcomes;
    if !outcomes.contains(&plan.target) {
        outcomes.push(plan.target);
    }
    Ok(Sweep {
        path: path.to_path_buf(),
        sha256: hash.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        common_random_numbers: file.common_random_numbers,
        file,
        scenario,
        design: plan.design,
        runs,
        seed,
        factors: plan.factors,
        paths: plan.paths,
        ranges: plan.ranges,
        outcomes,
        target: plan.target,
        points: plan.points,
    })
}

/// A `[grid]`: the Cartesian product of its axes.
fn grid_plan(cx: &Context<'_>, grid: &GridSection) -> Result<Plan, Problem> {
    if grid.axes.is_empty() {
        return Err(problem(
            segs!["grid", "axes"],
            "grid.axes",
            "found no axes, expected at least one",
        ));
    }
    // The number of points is checked against the budget before any axis's
    // values are made.
    let count = grid.axes.iter().try_fold(1u64, |c, axis| {
        let len = match (&axis.values, axis.steps) {
            (Some(v), _) => v.len() as u64,
            (None, Some(steps)) => u64::try_from(steps).ok()?,
            (None, None) => 1,
        };
        c.checked_mul(len)
    });
    if grid.axes.iter().all(|a| a.steps.is_none_or(|s| s >= 1)) {
        check_budget(cx.budget, count, cx.runs)?;
    }
    let (mut factors, mut paths, mut ranges, mut axes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (a, axis) in grid.axes.iter().enumerate() {
        let key = format!("grid.axes[{a}]");
        let p = cx.resolve(
            &axis.path,
            segs!["grid", "axes", a, "path"],
            &format!("{key}.path"),
        )?;
        if paths.contains(&p) {
            return Err(problem(
                segs!["grid", "axes", a, "path"],
                format!("{key}.path"),
                format!("`{}` is swept twice", axis.path),
            ));
        }
        let values = axis_values(cx, a, axis, &p)?;
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        factors.push(axis.path.clone());
        paths.push(p);
        ranges.push((lo, hi));
        axes.push(values);
    }
    Ok(Plan {
        design: Design::Grid,
        factors,
        paths,
        ranges,
        points: design::cartesian(&axes),
        target: cx.outcomes[0],
    })
}

/// The values of grid axis `a`, each checked to be admissible at `p`.
fn axis_values(
    cx: &Context<'_>,
    a: usize,
    axis: &AxisEntry,
    p: &ParamPath,
) -> Result<Vec<f64>, Problem> {
    let at = |k: &str| segs!["grid", "axes", a, k];
    let key = format!("grid.axes[{a}]");
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
    let mut scratch = cx.model.clone();
    for (k, &v) in values.iter().enumerate() {
        let at = if axis.values.is_some() {
            segs!["grid", "axes", a, "values", k]
        } else {
            at("from")
        };
        p.set(&mut scratch, v)
            .map_err(|m| problem(at, format!("{key}.values"), m))?;
    }
    Ok(values)
}

/// A `[design]`: its factors, target and points. A points file's bytes go
/// into `hash`, so a changed file is another sweep.
fn design_plan(
    cx: &Context<'_>,
    d: &DesignSection,
    design_seed: u64,
    hash: &mut Sha256,
) -> Result<Result<Plan, Problem>, InputError> {
    let Some(kind) = DesignKind::design(&d.kind) else {
        let names: Vec<&str> = DesignKind::DESIGNS.iter().map(|k| k.name()).collect();
        return Ok(Err(problem(
            segs!["design", "kind"],
            "design.kind",
            format!(
                "found `{}`, expected {}",
                crate::error::clip(&d.kind),
                names.join(", ")
            ),
        )));
    };
    let target = match &d.target {
        Some(t) => match cx.outcome_index(t, segs!["design", "target"], "design.target") {
            Ok(t) => t,
            Err(p) => return Ok(Err(p)),
        },
        None => cx.outcomes[0],
    };
    if kind == DesignKind::Points {
        return points_plan(cx, d, hash, target).map_err(|e| {
            let e = if e.key.is_none() {
                e.key("design.file")
            } else {
                e
            };
            e.hint(format!(
                "the points file is named by `design.file` of {}, relative to that file",
                cx.path.display()
            ))
        });
    }
    Ok(sampled_plan(cx, d, kind, design_seed, target))
}

/// The varied parameters of a design: as written, resolved, and their ranges.
struct Factors {
    names: Vec<String>,
    paths: Vec<ParamPath>,
    ranges: Vec<(f64, f64)>,
}

/// The factors of a `[design]` with their ranges, each end admissible.
fn design_factors(cx: &Context<'_>, d: &DesignSection) -> Result<Factors, Problem> {
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
        let p = cx.resolve(&factor.path, at("path"), &format!("{key}.path"))?;
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
        cx.admissible(&p, factor.from, at("from"), &format!("{key}.from"))?;
        cx.admissible(&p, factor.to, at("to"), &format!("{key}.to"))?;
        factors.push(factor.path.clone());
        paths.push(p);
        ranges.push((factor.from, factor.to));
    }
    Ok(Factors {
        names: factors,
        paths,
        ranges,
    })
}

/// An LHS, Sobol/Saltelli, Morris or one-at-a-time design over its factors.
fn sampled_plan(
    cx: &Context<'_>,
    d: &DesignSection,
    kind: DesignKind,
    design_seed: u64,
    target: usize,
) -> Result<Plan, Problem> {
    if d.file.is_some() {
        return Err(problem(
            segs!["design", "file"],
            "design.file",
            format!("found `file` for kind = \"{kind}\", expected it only with kind = \"points\""),
        ));
    }
    let Factors {
        names: factors,
        paths,
        ranges,
    } = design_factors(cx, d)?;
    let (design, points) = if kind == DesignKind::Oat {
        (Design::Oat, oat_points(cx, d, &paths, &ranges)?)
    } else {
        sampled_design(cx, d, kind, &ranges, design_seed)?
    };
    Ok(Plan {
        design,
        factors,
        paths,
        ranges,
        points,
        target,
    })
}

/// The design and points of a sampled design (LHS, Sobol/Saltelli or
/// Morris) over the factor `ranges`.
fn sampled_design(
    cx: &Context<'_>,
    d: &DesignSection,
    kind: DesignKind,
    ranges: &[(f64, f64)],
    design_seed: u64,
) -> Result<(Design, Vec<Vec<f64>>), Problem> {
    let (budget, runs) = (cx.budget, cx.runs);
    let k = ranges.len();
    let n = match d.points {
        Some(n) => whole_in(segs!["design", "points"], "design.points", n, 1, MAX_POINTS)?,
        None => {
            return Err(problem(
                segs!["design", "kind"],
                "design.points",
                format!(
                    "found no `points`, expected a whole number of points for kind = \"{kind}\""
                ),
            ));
        }
    };
    let (design, unit) = match kind {
        DesignKind::Sobol => {
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
            let unit = s.points.clone();
            (
                Design::Sobol {
                    design: s,
                    bootstrap,
                },
                unit,
            )
        }
        DesignKind::Morris => {
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
            let unit = m.points.clone();
            (Design::Morris(m), unit)
        }
        _ => {
            check_budget(budget, Some(n as u64), runs)?;
            (Design::Lhs, design::latin_hypercube(n, k, design_seed))
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
    Ok((design, points))
}

/// The points of a one-at-a-time design: the base values, then for each factor
/// the base with that factor alone at `from` and at `to`.
fn oat_points(
    cx: &Context<'_>,
    d: &DesignSection,
    paths: &[ParamPath],
    ranges: &[(f64, f64)],
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
    check_budget(cx.budget, Some(2 * paths.len() as u64 + 1), cx.runs)?;
    let base: Vec<f64> = paths.iter().map(|p| p.get(cx.model)).collect();
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

/// Most bytes of a points file.
pub const MAX_POINTS_FILE_BYTES: u64 = 1 << 30;

/// The text of a points file of at most [`MAX_POINTS_FILE_BYTES`].
fn read_points_file(file: &Path) -> Result<String, InputError> {
    let fail = |m: String| InputError::new(m).in_file(file);
    let size = std::fs::metadata(file)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => fail("no such file".into()),
            _ => fail(format!("cannot be read ({e})")),
        })?
        .len();
    if size > MAX_POINTS_FILE_BYTES {
        return Err(fail(format!(
            "has {size} bytes, more than the {MAX_POINTS_FILE_BYTES} a points file may have"
        )));
    }
    std::fs::read_to_string(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => fail("is not UTF-8 text, expected a CSV file".into()),
        _ => fail(format!("cannot be read ({e})")),
    })
}

/// A `points` design: the points of a CSV file whose header names the
/// parameter paths and whose rows are the points, so any tool (SALib, the
/// EMA Workbench, a spreadsheet) can choose them. Problems with the sweep
/// file are `Problem`s; problems with the points file are errors naming its
/// line and column.
fn points_plan(
    cx: &Context<'_>,
    d: &DesignSection,
    hash: &mut Sha256,
    target: usize,
) -> Result<Result<Plan, Problem>, InputError> {
    for (key, given) in [
        ("points", d.points.is_some()),
        ("levels", d.levels.is_some()),
        ("bootstrap", d.bootstrap.is_some()),
        ("factors", !d.factors.is_empty()),
    ] {
        if given {
            return Ok(Err(problem(
                segs!["design", key],
                format!("design.{key}"),
                format!(
                    "found `{key}` for kind = \"points\", expected none: the points file names the parameters (its header) and the points (its rows)"
                ),
            )));
        }
    }
    let Some(name) = &d.file else {
        return Ok(Err(problem(
            segs!["design", "kind"],
            "design.file",
            "found no `file` for kind = \"points\", expected the path of a CSV file of points, relative to the sweep file",
        )));
    };
    let file = cx.path.parent().unwrap_or(Path::new("")).join(name);
    let text = read_points_file(&file)?;
    hash.update(text.as_bytes());
    let fail = |line: usize, column: usize, message: String| {
        InputError::new(message).in_file(&file).at(line, column)
    };
    // Character column of field `f` on a line (fields hold numbers and
    // paths, never quoted commas).
    let column_of = |line: &str, f: usize| -> usize {
        line.split(',')
            .take(f)
            .map(|x| x.chars().count() + 1)
            .sum::<usize>()
            + 1
    };
    let mut lines = text.lines();
    let header_line = lines.next().unwrap_or("");
    if header_line.trim().is_empty() {
        return Err(fail(
            1,
            1,
            "is empty, expected a header of parameter paths (like `params.beta_E,dyad.USA.CHN.P`) and one row per point".into(),
        ));
    }
    let mut factors = Vec::new();
    let mut paths: Vec<ParamPath> = Vec::new();
    for (f, name) in header_line.split(',').enumerate() {
        let name = name.trim();
        let column = column_of(header_line, f);
        let p = ParamPath::parse(cx.model, name)
            .map_err(|m| fail(1, column, format!("column {}: {m}", f + 1)).key(name.to_string()))?;
        if paths.contains(&p) {
            return Err(fail(
                1,
                column,
                format!(
                    "found `{}` twice in the header, expected each parameter once",
                    crate::error::clip(name)
                ),
            ));
        }
        factors.push(name.to_string());
        paths.push(p);
    }
    // The budget is checked on the number of rows before any is read.
    let rows = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    if let Err(p) = check_budget(cx.budget, Some(rows as u64), cx.runs) {
        return Ok(Err(p));
    }
    let mut points = Vec::with_capacity(rows);
    let mut scratch = cx.model.clone();
    for (k, line) in lines.enumerate() {
        let number = k + 2;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != factors.len() {
            return Err(fail(
                number,
                1,
                format!(
                    "found {} {}, expected {} (one per column of the header)",
                    fields.len(),
                    if fields.len() == 1 { "value" } else { "values" },
                    factors.len()
                ),
            ));
        }
        let mut point = Vec::with_capacity(fields.len());
        for (f, field) in fields.iter().enumerate() {
            let column = column_of(line, f);
            let v: f64 = field
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| {
                    fail(
                        number,
                        column,
                        format!(
                            "found `{}` for `{}`, expected a number",
                            crate::error::clip(field.trim()),
                            factors[f]
                        ),
                    )
                    .key(factors[f].clone())
                })?;
            paths[f]
                .set(&mut scratch, v)
                .map_err(|m| fail(number, column, m).key(factors[f].clone()))?;
            point.push(v);
        }
        points.push(point);
    }
    if points.is_empty() {
        return Err(fail(
            2,
            1,
            "holds a header but no points, expected at least one row of values".into(),
        ));
    }
    let ranges = (0..factors.len())
        .map(|f| {
            let column = points.iter().map(|p| p[f]);
            (
                column.clone().fold(f64::INFINITY, f64::min),
                column.fold(f64::NEG_INFINITY, f64::max),
            )
        })
        .collect();
    Ok(Ok(Plan {
        design: Design::Points { file },
        factors,
        paths,
        ranges,
        points,
        target,
    }))
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
            entente_version: env!("CARGO_PKG_VERSION").to_string(),
            factors: self
                .factors
                .iter()
                .zip(&self.ranges)
                .zip(&self.paths)
                .map(|((path, &(from, to)), resolved)| FactorRange {
                    base: Some(resolved.get(&self.scenario.built.model)),
                    from,
                    path: path.clone(),
                    to,
                })
                .collect(),
            common_random_numbers: self.common_random_numbers,
            kind: self.design.kind(),
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
