//! Batch parameter sweeps and sensitivity analysis.
//!
//! A sweep file names a base scenario and either a grid of parameter values
//! or a sampling design (Latin hypercube, Sobol/Saltelli, Morris, one at a
//! time). Each point is the base scenario with some values changed by
//! parameter path, run `runs` times with seeds keyed by the master seed and
//! the point index, so no two points share random numbers and any point can
//! be rerun alone; with `common_random_numbers = true` every point runs on
//! the streams of point 0 instead, so points differ by their parameters
//! alone.
//! Points can be split into shards (`--shard I/N` or a Slurm array task)
//! whose folders `merge` joins into the same files as an unsharded run.

pub mod design;
mod execute;
mod finish;
pub mod sensitivity;
mod spec;

pub use execute::{
    Execution, MAX_SHARDS, Shard, ShardRecord, execute, is_finished, point_row, run_point,
};
pub use finish::{finish, merge, sensitivity_table};
pub(crate) use spec::path_is_integer;
pub use spec::{
    DEFAULT_MAX_POINTS, DEFAULT_MAX_RUNS, Design, MAX_BOOTSTRAP, MAX_LEVELS, MAX_POINTS, Sweep,
    SweepFile, is_sweep_file, load, parse,
};

/// Runs a whole sweep (every point, one process) into `out` on the current
/// rayon pool and finishes it: `points.csv`, `sensitivity.csv` and the
/// manifest, without charts. `progress` receives the points of each finished
/// block. The command line's unsharded `entente sweep` and the Python
/// package run sweeps through this call.
pub fn run_whole(
    sweep: &Sweep,
    out: &std::path::Path,
    resume: bool,
    force: bool,
    progress: &(dyn Fn(u64) + Sync),
) -> crate::error::Result<()> {
    let started = std::time::Instant::now();
    let execution = Execution {
        sweep,
        shard: Shard::WHOLE,
        out,
        resume,
        force,
        progress,
    };
    let (_, rows) = execute(&execution)?;
    let wall = started.elapsed().as_secs_f64();
    finish(sweep, out, &rows, rayon::current_num_threads(), wall)
}
