//! `entente sweep`: runs a sweep file, whole or one shard of it, and
//! `entente merge`: joins shard folders into one result.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::{MergeArgs, SweepArgs};
use crate::error::{InputError, Result, one_line};
use crate::format::{fmt_count, fmt_counted, fmt_rate};
use crate::simulation::thread_pool;
use crate::sweep::{self, Design, Execution, Shard, Sweep};

/// `entente validate SWEEP.toml`: checks a sweep file, its base scenario
/// and any points file, and prints what the sweep would run.
pub fn validate(path: &Path, set: &[String]) -> Result<()> {
    if !set.is_empty() {
        return Err(InputError::new(
            "applies to scenarios; a sweep varies its parameters through its grid or design",
        )
        .key("--set")
        .into());
    }
    let sweep = sweep::load(path)?;
    say!("{}: valid sweep", one_line(&path.display().to_string()));
    for line in describe(&sweep, Shard::WHOLE) {
        say!("  {line}");
    }
    Ok(())
}

/// What a sweep (or one shard of it) runs: design, points, runs, factors.
fn describe(sweep: &Sweep, shard: Shard) -> Vec<String> {
    let names = &sweep.scenario.built.rules.names;
    let k = sweep.factors.len();
    let n = sweep.points.len();
    let design = match &sweep.design {
        Design::Grid => {
            let sizes: Vec<String> = sweep
                .file
                .grid
                .iter()
                .flat_map(|g| &g.axes)
                .map(|a| match (&a.values, a.steps) {
                    (Some(v), _) => v.len().to_string(),
                    (None, s) => s.unwrap_or(1).to_string(),
                })
                .collect();
            format!("grid of {k} axes ({} values)", sizes.join(" x "))
        }
        Design::Lhs => format!("Latin hypercube of {n} points over {k} factors"),
        Design::Sobol { design, bootstrap } => format!(
            "Sobol (Saltelli) with N = {} base points and k = {k} factors: N(k+2) = {n} points; {bootstrap} bootstrap resamples",
            design.base
        ),
        Design::Morris(m) => format!(
            "Morris with r = {} trajectories, k = {k} factors, {} levels: r(k+1) = {n} points",
            m.trajectories, m.levels
        ),
        Design::Oat => format!("one at a time over k = {k} factors: 2k+1 = {n} points"),
        Design::Points { file } => format!(
            "{n} points read from {} over {k} parameters",
            one_line(&file.display().to_string())
        ),
    };
    let range = shard.range(n);
    let mut lines = vec![
        format!(
            "{} on scenario {}",
            sweep.file.name,
            one_line(sweep.scenario.name())
        ),
        format!("design: {design}"),
        format!(
            "points: {}, runs per point: {}, runs in all: {}",
            fmt_count(n as u64),
            fmt_count(sweep.runs),
            fmt_count(n as u64 * sweep.runs)
        ),
    ];
    if shard.count > 1 {
        lines.push(format!(
            "shard {}/{}: points {}..{} ({} points, {} runs)",
            shard.index,
            shard.count,
            range.start,
            range.end,
            fmt_count(range.len() as u64),
            fmt_count(range.len() as u64 * sweep.runs)
        ));
    }
    lines.push(format!(
        "seed {}; {}",
        sweep.seed,
        if sweep.common_random_numbers {
            "common random numbers: every point runs on the same streams"
        } else {
            "each point runs on its own random streams"
        }
    ));
    let outcomes: Vec<&str> = sweep.outcomes.iter().map(|&o| names[o].as_str()).collect();
    lines.push(format!(
        "outcomes: {}; target: {}",
        outcomes.join(", "),
        names[sweep.target]
    ));
    let width = sweep.factors.iter().map(String::len).max().unwrap_or(0);
    for (f, (&(from, to), path)) in sweep.ranges.iter().zip(&sweep.factors).enumerate() {
        let base = sweep.paths[f].get(&sweep.scenario.built.model);
        lines.push(format!(
            "  {:<width$}  from {from} to {to} (scenario: {base})",
            one_line(path)
        ));
    }
    lines
}

/// Runs in the timed pilot of `--dry-run`.
const PILOT_RUNS: u64 = 200;

/// `entente sweep --dry-run`: counts, and the time estimated from a pilot
/// of a few runs of the shard's first point on this machine and thread
/// count.
fn dry_run(sweep: &Sweep, shard: Shard, threads: Option<usize>) -> Result<()> {
    for line in describe(sweep, shard) {
        say!("{line}");
    }
    let range = shard.range(sweep.points.len());
    let total = range.len() as u64 * sweep.runs;
    if range.is_empty() {
        say!("this shard has no points; nothing to run");
        return Ok(());
    }
    let pool = thread_pool(threads)?;
    let pilot = PILOT_RUNS.min(sweep.runs);
    let started = Instant::now();
    pool.install(|| sweep::run_point(sweep, range.start, pilot));
    let seconds = started.elapsed().as_secs_f64();
    let estimate = seconds / pilot as f64 * total as f64;
    say!(
        "estimated time: {} on {} threads ({} runs in all; a pilot of {pilot} runs of point {} took {seconds:.3} s)",
        fmt_duration(estimate),
        pool.current_num_threads(),
        fmt_count(total),
        range.start
    );
    say!("dry run: nothing was written");
    Ok(())
}

/// Seconds as a rough duration: `45 s`, `12 min`, `3.4 h`.
fn fmt_duration(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{seconds:.0} s")
    } else if seconds < 5400.0 {
        format!("{:.0} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

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
    if args.dry_run {
        return dry_run(&sweep, shard, args.threads);
    }
    if args.report && shard.count > 1 {
        return Err(InputError::new(
            "found --report with a shard, expected it on the whole sweep: a shard has no report; pass --report to `entente merge`",
        )
        .key("--report")
        .into());
    }
    let range = shard.range(sweep.points.len());
    let pool = thread_pool(args.threads)?;
    let _lock = crate::output::Lock::acquire(&out)?;
    if args.resume && shard.count == 1 && sweep::is_finished(&out, &sweep) {
        // Killed while drawing its charts: every point is in, only the
        // charts are left to draw.
        finish_folder(&out, args.no_charts, args.report)?;
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
        sweep.design.name()
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
        finish_folder(&out, args.no_charts, args.report)?;
        say!("results: {}/", out.display());
    }
    Ok(())
}

/// Draws the charts and writes the report of a finished sweep folder, as
/// asked.
fn finish_folder(out: &Path, no_charts: bool, report: bool) -> Result<()> {
    if !no_charts {
        crate::charts::draw_sweep_charts(out).context("drawing the sweep charts")?;
    }
    if report {
        crate::report::write_sweep_report(out).context("writing the report")?;
    }
    Ok(())
}

pub fn merge(args: &MergeArgs) -> Result<()> {
    let started = Instant::now();
    let sweep = sweep::merge(&args.dirs, &args.out, args.force, 1, 0.0)?;
    finish_folder(&args.out, args.no_charts, args.report)?;
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
