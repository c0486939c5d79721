//! Batch parameter sweeps and sensitivity analysis.
//!
//! A sweep file names a base scenario and either a grid of parameter values
//! or a sampling design (Latin hypercube, Sobol/Saltelli, Morris, one at a
//! time). Each point is the base scenario with some values changed by
//! parameter path, run `runs` times with seeds keyed by the master seed and
//! the point index, so no two points share random numbers and any point can
//! be rerun alone.
//! Points can be split into shards (`--shard I/N` or a Slurm array task)
//! whose folders `merge` joins into the same files as an unsharded run.

pub mod design;
mod execute;
mod finish;
pub mod sensitivity;
mod spec;

pub use execute::{
    Execution, MAX_SHARDS, Shard, ShardRecord, execute, is_finished, point_row, points_header,
};
pub use finish::{finish, merge, sensitivity_table};
pub(crate) use spec::path_is_integer;
pub use spec::{
    DEFAULT_MAX_POINTS, DEFAULT_MAX_RUNS, Kind, MAX_BOOTSTRAP, MAX_LEVELS, MAX_POINTS, Sweep,
    SweepFile, load, parse,
};
