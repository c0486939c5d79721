//! `entente sweep`: runs a sweep file, whole or one shard of it, and
//! `entente merge`: joins shard folders into one result.

use std::path::PathBuf;
use std::time::Instant;

use crate::format::{fmt_counted, fmt_rate};
use anyhow::Context;

use super::{MergeArgs, SweepArgs};
use crate::error::Result;
use crate::simulation::thread_pool;
use crate::sweep::{self, Execution, Shard};

pub fn execute(args: &SweepArgs) -> Result<()> {
    let sweep = sweep::load(&args.sweep)?;
    let shard = match &args.shard {
        Some(text) => Some(Shard::parse(text)?),
        None => Shard::from_slurm(|k| std::env::var(k).ok())?,
    };
    let default_out = PathBuf::from("output").join(&sweep.file.name);
    let out = match (&args.out, shard) {
        (Some(out), _) => out.clone(),
        (None, Some(s)) if s.count > 1 => default_out.join(format!("shard-{}", s.index)),
        (None, _) => default_out,
    };
    let shard = shard.unwrap_or(Shard::WHOLE);
    let range = shard.range(sweep.points.len());
    let pool = thread_pool(args.threads)?;
    let _lock = crate::output::Lock::acquire(&out)?;
    if args.resume && shard.count == 1 && sweep::is_finished(&out, &sweep) {
        // Killed while drawing its charts: every point is in, only the
        // charts are left to draw.
        if !args.no_charts {
            crate::charts::draw_sweep_charts(&out).context("drawing the sweep charts")?;
        }
        say!(
            "{}: already complete; results: {}/",
            sweep.file.name,
            out.display()
        );
        return Ok(());
    }

    let bar = super::progress_bar(
        range.len() as u64,
        "points",
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} points  {rate}  ETA {eta}",
    );
    let started = Instant::now();
    let progress = |k: u64| bar.inc(k);
    let points = range.len();
    if shard.count > 1 {
        let execution = Execution {
            sweep: &sweep,
            shard,
            out: &out,
            resume: args.resume,
            force: args.force,
            progress: &progress,
        };
        pool.install(|| sweep::execute(&execution))?;
    } else {
        pool.install(|| sweep::run_whole(&sweep, &out, args.resume, args.force, &progress))?;
    }
    bar.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();
    say!(
        "{}: {} x {} in {wall:.2} s ({}, {} design)",
        sweep.file.name,
        fmt_counted(points as u64, "point"),
        fmt_counted(sweep.runs, "run"),
        fmt_rate(points as f64 / wall.max(1e-9), "points"),
        sweep.kind.name()
    );
    if shard.count > 1 {
        say!(
            "shard {}/{} (points {}..{}) done: {}/",
            shard.index,
            shard.count,
            range.start,
            range.end,
            out.display()
        );
        say!("join the shards with: entente merge <shard folders> --out <folder>");
    } else {
        if !args.no_charts {
            crate::charts::draw_sweep_charts(&out).context("drawing the sweep charts")?;
        }
        say!("results: {}/", out.display());
    }
    Ok(())
}

pub fn merge(args: &MergeArgs) -> Result<()> {
    let started = Instant::now();
    let sweep = sweep::merge(&args.dirs, &args.out, args.force, 1, 0.0)?;
    if !args.no_charts {
        crate::charts::draw_sweep_charts(&args.out).context("drawing the sweep charts")?;
    }
    say!(
        "merged {} shard folders of {} ({} points) in {:.2} s: {}/",
        args.dirs.len(),
        sweep.file.name,
        sweep.points.len(),
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(())
}
