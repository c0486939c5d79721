//! Seeded Monte Carlo over runs, in parallel with rayon.
//!
//! Run `r` of a job draws from its own xoshiro256++ generator seeded from the
//! master seed, the point index (in sweeps) and `r` ([`RunRng`]), so its result
//! does not depend on which thread runs it or when. Runs are grouped in
//! chunks handed to threads; a worker runs its chunk [`LANES`] consecutive runs
//! at a time with the lockstep kernel ([`simulate_lanes`], each run with
//! its own generator in a [`LaneRng`]), summarises the group's runs together
//! from the kernel's lane-by-lane trace, and counts them into an
//! [`Aggregate`] of integer counts and fixed-point sums, which merge exactly
//! in any order. Memory is therefore independent of the number of runs.

mod aggregate;

pub use crate::model::{LaneRng, RunRng};
pub use aggregate::{Aggregate, FINAL_BINS, STEP_BINS, Shape};
use rayon::prelude::*;

use std::ops::Range;

use crate::model::{LANES, LaneTrace, Lockstep, Model, simulate_lanes};
use crate::outcome::{Classifier, GroupSummary, OutcomeRules, RunSummary, Triad};
use crate::uncertainty::DrawPlan;

/// Runs per chunk: the unit of work handed to a thread and of progress.
pub const CHUNK: u64 = 1024;

/// The generator of one run.
pub fn run_rng(seed: u64, point: u64, run: u64) -> RunRng {
    RunRng::new(seed, point, run)
}

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    pub model: &'a Model,
    pub classifier: &'a Classifier,
    pub seed: u64,
    /// Sweep point index (0 for a single scenario).
    pub point: u64,
    pub runs: u64,
}

/// One finished run, for per-run output.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub index: u64,
    /// The parameter draw the run belongs to (0 without uncertainty).
    pub draw: usize,
    pub summary: RunSummary,
    pub first_treaty: Option<usize>,
    /// Step at which each dyad's treaty first formed (in force at that step,
    /// not at the one before), in [`Model::dyads`] order.
    pub first_treaty_by_dyad: Vec<Option<usize>>,
    /// Alignment z of each dyad at the horizon, in [`Model::dyads`] order.
    pub final_alignment: Vec<f64>,
    pub shocks_fired: Vec<u32>,
}

/// The alignment path of one run, kept for `trajectories.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    pub run: u64,
    /// The parameter draw the run belongs to.
    pub draw: usize,
    /// Alignment z of every dyad at every step 0..=horizon, `t * dyads + d`
    /// with dyads in [`Model::dyads`] order.
    pub alignment: Vec<f64>,
}

/// `k` run indices out of `runs`, evenly spaced from run 0: run
/// `floor(i * runs / k)` for `i` in `0..k` (all runs when `k >= runs`).
/// Which runs are chosen depends only on `k` and `runs`, never on threads.
pub fn trajectory_runs(k: u64, runs: u64) -> Vec<u64> {
    let k = k.min(runs);
    (0..k)
        .map(|i| (u128::from(i) * u128::from(runs) / u128::from(k)) as u64)
        .collect()
}

/// The buffers one thread reuses across its runs.
struct Worker {
    /// The lockstep state and the draw it was built for: its per-run
    /// constants come from the model, so a new draw needs a new one.
    lanes: Option<(usize, Lockstep)>,
    trace: LaneTrace,
    group: GroupSummary,
    aggregate: Aggregate,
}

/// What a worker runs: one model and its classifier, under one seed.
#[derive(Clone, Copy)]
struct Setting<'a> {
    model: &'a Model,
    classifier: &'a Classifier,
    seed: u64,
    point: u64,
    draw: usize,
}

impl Worker {
    fn new(model: &Model, classifier: &Classifier) -> Worker {
        Worker {
            lanes: None,
            trace: LaneTrace::new(model),
            group: GroupSummary::default(),
            aggregate: Aggregate::new(Shape::of(model, classifier)),
        }
    }

    /// Runs `runs` (at most [`LANES`] consecutive indices) in lockstep and
    /// adds them to the aggregate, then hands each to `each`, in index order.
    fn run_group(&mut self, at: Setting<'_>, runs: Range<u64>, each: &mut impl FnMut(RunView<'_>)) {
        let first = runs.start;
        let count = (runs.end - runs.start) as usize;
        let mut rng = LaneRng::new(at.seed, at.point, first);
        let lanes = match &mut self.lanes {
            Some((draw, lanes)) if *draw == at.draw => lanes,
            slot => &mut slot.insert((at.draw, Lockstep::new(at.model))).1,
        };
        simulate_lanes(at.model, &mut rng, lanes, &mut self.trace);
        at.classifier.summarise(&self.trace, count, &mut self.group);
        self.aggregate.add_group(&self.group, &self.trace, count);
        for (lane, index) in runs.enumerate() {
            each(RunView {
                index,
                draw: at.draw,
                lane,
                summary: &self.group.runs[lane],
                alignment: &self.group.alignment,
                trace: &self.trace,
            });
        }
    }

    /// Runs every run of `runs`, in groups of [`LANES`].
    fn run_all(&mut self, at: Setting<'_>, runs: Range<u64>, mut each: impl FnMut(RunView<'_>)) {
        let mut start = runs.start;
        while start < runs.end {
            let end = (start + LANES as u64).min(runs.end);
            self.run_group(at, start..end, &mut each);
            start = end;
        }
    }
}

/// A run just finished by a worker: lane `lane` of its group.
struct RunView<'a> {
    index: u64,
    draw: usize,
    lane: usize,
    summary: &'a RunSummary,
    /// The group's alignments, `[t * dyads + d][lane]`.
    alignment: &'a [crate::model::Lane],
    trace: &'a LaneTrace,
}

impl RunView<'_> {
    fn record(&self) -> RunRecord {
        RunRecord {
            index: self.index,
            draw: self.draw,
            summary: self.summary.clone(),
            first_treaty: self.trace.first_treaty[self.lane],
            first_treaty_by_dyad: self.first_treaty_by_dyad(),
            final_alignment: self.alignment_path(self.trace.horizon).collect(),
            shocks_fired: self.trace.shocks_fired(self.lane).collect(),
        }
    }

    /// Number of dyads.
    fn dyads(&self) -> usize {
        self.trace.n * (self.trace.n - 1) / 2
    }

    /// Alignment z of every dyad at steps `from..=horizon`, step by step.
    fn alignment_path(&self, from: usize) -> impl Iterator<Item = f64> + '_ {
        let cells = from * self.dyads()..(self.trace.horizon + 1) * self.dyads();
        self.alignment[cells].iter().map(|z| z[self.lane])
    }

    fn trajectory(&self) -> Trajectory {
        Trajectory {
            run: self.index,
            draw: self.draw,
            alignment: self.alignment_path(0).collect(),
        }
    }

    /// The first step at which each dyad's treaty is in force and was not at
    /// the step before.
    fn first_treaty_by_dyad(&self) -> Vec<Option<usize>> {
        let n = self.trace.n;
        let in_force =
            |t: usize, i: usize, j: usize| self.trace.treaty[t * n * n + i * n + j][self.lane];
        (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .map(|(i, j)| {
                (1..=self.trace.horizon).find(|&t| in_force(t, i, j) && !in_force(t - 1, i, j))
            })
            .collect()
    }
}

fn chunk_runs(chunk: u64, runs: u64) -> Range<u64> {
    chunk * CHUNK..((chunk + 1) * CHUNK).min(runs)
}

impl Job<'_> {
    fn setting(&self) -> Setting<'_> {
        Setting {
            model: self.model,
            classifier: self.classifier,
            seed: self.seed,
            point: self.point,
            draw: 0,
        }
    }
}

/// Runs `job` on the current rayon pool and returns the merged aggregate.
/// `progress` is called with the number of runs each finished chunk held.
pub fn run(job: Job<'_>, progress: &(dyn Fn(u64) + Sync)) -> Aggregate {
    let chunks = job.runs.div_ceil(CHUNK);
    let at = job.setting();
    (0..chunks)
        .into_par_iter()
        .fold(
            || Worker::new(job.model, job.classifier),
            |mut worker, chunk| {
                let range = chunk_runs(chunk, job.runs);
                let len = range.end - range.start;
                worker.run_all(at, range, |_| ());
                progress(len);
                worker
            },
        )
        .map(|w| w.aggregate)
        .reduce(
            || Aggregate::new(Shape::of(job.model, job.classifier)),
            Aggregate::merged,
        )
}

/// Like [`run`], and also hands every run, in index order, to `sink`.
/// Runs are done in blocks of chunks so memory stays bounded.
pub fn run_with_records(
    job: Job<'_>,
    progress: &(dyn Fn(u64) + Sync),
    sink: &mut dyn FnMut(&RunRecord) -> std::io::Result<()>,
) -> std::io::Result<Aggregate> {
    const BLOCK: u64 = 64;
    let chunks = job.runs.div_ceil(CHUNK);
    let at = job.setting();
    let mut total = Aggregate::new(Shape::of(job.model, job.classifier));
    for block in (0..chunks).step_by(BLOCK as usize) {
        let done: Vec<(Aggregate, Vec<RunRecord>)> = (block..(block + BLOCK).min(chunks))
            .into_par_iter()
            .map(|chunk| {
                let mut worker = Worker::new(job.model, job.classifier);
                let mut records = Vec::new();
                worker.run_all(at, chunk_runs(chunk, job.runs), |run| {
                    records.push(run.record())
                });
                progress(records.len() as u64);
                (worker.aggregate, records)
            })
            .collect();
        for (aggregate, records) in done {
            total = total.merged(aggregate);
            records.iter().try_for_each(&mut *sink)?;
        }
    }
    Ok(total)
}

/// A scenario run under a [`DrawPlan`]: several parameter sets, the runs
/// split among them (nested Monte Carlo). Run `r` draws from the stream
/// (seed, point, r) whatever its draw, so an ensemble whose draws all equal
/// the base model gives exactly the aggregate of [`run`].
#[derive(Debug, Clone, Copy)]
pub struct Ensemble<'a> {
    pub model: &'a Model,
    pub rules: &'a OutcomeRules,
    pub triad: Option<&'a Triad>,
    pub seed: u64,
    pub point: u64,
    pub plan: &'a DrawPlan,
    /// Runs whose whole alignment path is kept (sorted; see
    /// [`trajectory_runs`]).
    pub trajectories: &'a [u64],
}

/// What an ensemble produced: the aggregate over all runs, and the outcome
/// counts of each cluster of runs (each draw, or each block of runs without
/// uncertainty), from which the nested estimators work.
#[derive(Debug, Clone, PartialEq)]
pub struct EnsembleAggregate {
    pub aggregate: Aggregate,
    /// `[cluster][outcome]`.
    pub cluster_outcomes: Vec<u64>,
    /// The kept runs' alignment paths, in run order.
    pub trajectories: Vec<Trajectory>,
}

impl EnsembleAggregate {
    /// Outcome `k`'s count in each cluster.
    pub fn outcome_by_cluster(&self, k: usize) -> Vec<u64> {
        let outcomes = self.aggregate.shape.outcomes;
        self.cluster_outcomes
            .iter()
            .skip(k)
            .step_by(outcomes)
            .copied()
            .collect()
    }
}

/// The unit of work of an ensemble: at most [`CHUNK`] runs of one cluster.
#[derive(Debug, Clone, Copy)]
struct Unit {
    cluster: usize,
    runs: (u64, u64),
}

fn units(plan: &DrawPlan) -> Vec<Unit> {
    let mut units = Vec::new();
    for cluster in 0..plan.clusters() {
        let range = plan.cluster_runs(cluster);
        let mut start = range.start;
        while start < range.end {
            let end = (start + CHUNK).min(range.end);
            units.push(Unit {
                cluster,
                runs: (start, end),
            });
            start = end;
        }
    }
    units
}

impl Ensemble<'_> {
    fn shape(&self) -> Shape {
        Shape::of(self.model, &self.classifier(self.model))
    }

    fn classifier(&self, model: &Model) -> Classifier {
        Classifier::new(model, self.rules.clone(), self.triad.cloned())
    }

    /// Adds `run`'s alignment path to `kept` when it is one of the runs whose
    /// trajectory is kept.
    fn keep(&self, run: &RunView<'_>, kept: &mut Vec<Trajectory>) {
        if self.trajectories.binary_search(&run.index).is_ok() {
            kept.push(run.trajectory());
        }
    }

    /// Runs one unit on `worker`, adding its outcome counts to its cluster
    /// in `counts`.
    fn run_unit(
        &self,
        worker: &mut Worker,
        base: &Classifier,
        unit: Unit,
        counts: &mut [u64],
        each: impl FnMut(RunView<'_>),
    ) {
        let draw = self.plan.draw_of(unit.cluster);
        let model = self.plan.model(self.model, draw);
        let own;
        let classifier = if self.plan.is_nested() {
            own = self.classifier(&model);
            &own
        } else {
            base
        };
        let at = Setting {
            model: &model,
            classifier,
            seed: self.seed,
            point: self.point,
            draw,
        };
        let before = worker.aggregate.outcomes.clone();
        worker.run_all(at, unit.runs.0..unit.runs.1, each);
        let k = before.len();
        let slot = &mut counts[unit.cluster * k..(unit.cluster + 1) * k];
        for ((c, after), was) in slot.iter_mut().zip(&worker.aggregate.outcomes).zip(before) {
            *c += after - was;
        }
    }
}

fn add_counts(mut a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
    a
}

/// Runs an ensemble on the current rayon pool. `progress` is called with
/// the number of runs of each finished unit.
pub fn run_ensemble(ensemble: Ensemble<'_>, progress: &(dyn Fn(u64) + Sync)) -> EnsembleAggregate {
    let shape = ensemble.shape();
    let base = ensemble.classifier(ensemble.model);
    let slots = ensemble.plan.clusters() * shape.outcomes;
    let (aggregate, cluster_outcomes, mut trajectories) = units(ensemble.plan)
        .into_par_iter()
        .fold(
            || {
                (
                    Worker::new(ensemble.model, &base),
                    vec![0; slots],
                    Vec::new(),
                )
            },
            |(mut worker, mut counts, mut kept), unit| {
                ensemble.run_unit(&mut worker, &base, unit, &mut counts, |run| {
                    ensemble.keep(&run, &mut kept)
                });
                progress(unit.runs.1 - unit.runs.0);
                (worker, counts, kept)
            },
        )
        .map(|(w, counts, kept)| (w.aggregate, counts, kept))
        .reduce(
            || (Aggregate::new(shape), vec![0; slots], Vec::new()),
            |(a, x, mut s), (b, y, t)| {
                s.extend(t);
                (a.merged(b), add_counts(x, y), s)
            },
        );
    trajectories.sort_by_key(|t: &Trajectory| t.run);
    EnsembleAggregate {
        aggregate,
        cluster_outcomes,
        trajectories,
    }
}

/// Like [`run_ensemble`], and also hands every run, in index order, to
/// `sink`. Units are done in blocks so memory stays bounded.
pub fn run_ensemble_with_records(
    ensemble: Ensemble<'_>,
    progress: &(dyn Fn(u64) + Sync),
    sink: &mut dyn FnMut(&RunRecord) -> std::io::Result<()>,
) -> std::io::Result<EnsembleAggregate> {
    const BLOCK: usize = 64;
    let shape = ensemble.shape();
    let base = ensemble.classifier(ensemble.model);
    let slots = ensemble.plan.clusters() * shape.outcomes;
    let mut total = EnsembleAggregate {
        aggregate: Aggregate::new(shape),
        cluster_outcomes: vec![0; slots],
        trajectories: Vec::new(),
    };
    for block in units(ensemble.plan).chunks(BLOCK) {
        type Done = (Aggregate, Vec<u64>, Vec<RunRecord>, Vec<Trajectory>);
        let done: Vec<Done> = block
            .par_iter()
            .map(|&unit| {
                let mut worker = Worker::new(ensemble.model, &base);
                let mut counts = vec![0; slots];
                let (mut records, mut kept) = (Vec::new(), Vec::new());
                ensemble.run_unit(&mut worker, &base, unit, &mut counts, |run| {
                    ensemble.keep(&run, &mut kept);
                    records.push(run.record())
                });
                progress(records.len() as u64);
                (worker.aggregate, counts, records, kept)
            })
            .collect();
        for (aggregate, counts, records, kept) in done {
            total.trajectories.extend(kept);
            total.aggregate =
                std::mem::replace(&mut total.aggregate, Aggregate::new(shape)).merged(aggregate);
            total.cluster_outcomes =
                add_counts(std::mem::take(&mut total.cluster_outcomes), counts);
            records.iter().try_for_each(&mut *sink)?;
        }
    }
    Ok(total)
}
