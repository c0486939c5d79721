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
use crate::outcome::{Classifier, GroupSummary, RunSummary};

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
    pub summary: RunSummary,
    pub first_treaty: Option<usize>,
    pub shocks_fired: Vec<u32>,
}

/// The buffers one thread reuses across its runs.
struct Worker<'a> {
    job: Job<'a>,
    lanes: Lockstep,
    trace: LaneTrace,
    group: GroupSummary,
    aggregate: Aggregate,
}

impl<'a> Worker<'a> {
    fn new(job: Job<'a>) -> Worker<'a> {
        Worker {
            job,
            lanes: Lockstep::new(job.model),
            trace: LaneTrace::new(job.model),
            group: GroupSummary::default(),
            aggregate: Aggregate::new(Shape::of(job.model, job.classifier)),
        }
    }

    /// Runs `runs` (at most [`LANES`] consecutive indices) in lockstep and
    /// adds them to the aggregate, then hands each to `each`, in index order.
    fn run_group(&mut self, runs: Range<u64>, each: &mut impl FnMut(RunView<'_>)) {
        let first = runs.start;
        let count = (runs.end - runs.start) as usize;
        let mut rng = LaneRng::new(self.job.seed, self.job.point, first);
        simulate_lanes(self.job.model, &mut rng, &mut self.lanes, &mut self.trace);
        self.job
            .classifier
            .summarise(&self.trace, count, &mut self.group);
        self.aggregate.add_group(&self.group, &self.trace, count);
        for (lane, index) in runs.enumerate() {
            each(RunView {
                index,
                lane,
                summary: &self.group.runs[lane],
                trace: &self.trace,
            });
        }
    }

    /// Runs every run of `runs`, in groups of [`LANES`].
    fn run_all(&mut self, runs: Range<u64>, mut each: impl FnMut(RunView<'_>)) {
        let mut start = runs.start;
        while start < runs.end {
            let end = (start + LANES as u64).min(runs.end);
            self.run_group(start..end, &mut each);
            start = end;
        }
    }
}

/// A run just finished by a worker: lane `lane` of its group.
struct RunView<'a> {
    index: u64,
    lane: usize,
    summary: &'a RunSummary,
    trace: &'a LaneTrace,
}

impl RunView<'_> {
    fn record(&self) -> RunRecord {
        RunRecord {
            index: self.index,
            summary: self.summary.clone(),
            first_treaty: self.trace.first_treaty[self.lane],
            shocks_fired: self.trace.shocks_fired(self.lane).collect(),
        }
    }
}

fn chunk_runs(chunk: u64, runs: u64) -> Range<u64> {
    chunk * CHUNK..((chunk + 1) * CHUNK).min(runs)
}

/// Runs `job` on the current rayon pool and returns the merged aggregate.
/// `progress` is called with the number of runs each finished chunk held.
pub fn run(job: Job<'_>, progress: &(dyn Fn(u64) + Sync)) -> Aggregate {
    let chunks = job.runs.div_ceil(CHUNK);
    (0..chunks)
        .into_par_iter()
        .fold(
            || Worker::new(job),
            |mut worker, chunk| {
                let range = chunk_runs(chunk, job.runs);
                let len = range.end - range.start;
                worker.run_all(range, |_| ());
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
    let mut total = Aggregate::new(Shape::of(job.model, job.classifier));
    for block in (0..chunks).step_by(BLOCK as usize) {
        let done: Vec<(Aggregate, Vec<RunRecord>)> = (block..(block + BLOCK).min(chunks))
            .into_par_iter()
            .map(|chunk| {
                let mut worker = Worker::new(job);
                let mut records = Vec::new();
                worker.run_all(chunk_runs(chunk, job.runs), |run| {
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
