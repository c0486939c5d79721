//! Running a sweep's points, or one shard's share of them, into a folder.
//!
//! Points run in blocks (in parallel within a block, and each point's runs
//! in parallel too); each finished block is appended to
//! `points.partial.csv` and synced, so a killed sweep loses at most the
//! block in flight. `--resume` keeps the complete rows already written
//! (a torn last line is cut off) and carries on from the next point.

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Sweep;
use crate::engine::{self, Aggregate, Job};
use crate::error::{Error, InputError, Result};
use crate::outcome::Classifier;
use crate::output::safety::{self, at_path, open_nofollow};
use crate::output::sweep::{Estimate, PointRow, PointsTable};
use crate::stats::{Z95, fixed_mean, wilson};

/// Which share of the points a process runs: shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Parses `I/N`: shard I of N, counted from 0, so 0 <= I < N.
    pub fn parse(text: &str) -> Result<Shard, InputError> {
        let bad = || {
            InputError::new(format!(
                "found `{}`, expected I/N with shards counted from 0, so 0 <= I < N (like 0/8 to 7/8), and N at most {MAX_SHARDS}",
                crate::error::clip(text)
            ))
            .key("--shard")
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count || count > MAX_SHARDS {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The shard of a Slurm array task, when `SLURM_ARRAY_TASK_ID` and
    /// `SLURM_ARRAY_TASK_COUNT` are set. The task ids of an array may start
    /// anywhere and go in steps (`--array=1-8`, `--array=0-14:2`), so the
    /// shard index is the task's position in the array:
    /// `(ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP`.
    pub fn from_slurm(env: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>, InputError> {
        const KEY: &str = "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT";
        let (Some(id), Some(count)) = (env("SLURM_ARRAY_TASK_ID"), env("SLURM_ARRAY_TASK_COUNT"))
        else {
            return Ok(None);
        };
        let number = |name: &str, text: &str| -> Result<usize, InputError> {
            text.trim().parse().map_err(|_| {
                InputError::new(format!(
                    "found {name} = `{}`, expected a whole number",
                    crate::error::clip(text)
                ))
                .key(KEY)
            })
        };
        let id = number("SLURM_ARRAY_TASK_ID", &id)?;
        let min = match env("SLURM_ARRAY_TASK_MIN") {
            Some(m) => number("SLURM_ARRAY_TASK_MIN", &m)?,
            None => 0,
        };
        let step = match env("SLURM_ARRAY_TASK_STEP") {
            Some(s) => number("SLURM_ARRAY_TASK_STEP", &s)?.max(1),
            None => 1,
        };
        let index = id.checked_sub(min).ok_or_else(|| {
            InputError::new(format!(
                "found SLURM_ARRAY_TASK_ID = {id} below SLURM_ARRAY_TASK_MIN = {min}"
            ))
            .key(KEY)
        })? / step;
        Shard::parse(&format!("{index}/{count}"))
            .map(Some)
            .map_err(|e| e.key(KEY))
    }

    /// The contiguous range of points of this shard, computed without
    /// overflow for any shard and point count.
    pub fn range(self, points: usize) -> std::ops::Range<usize> {
        let at = |i: usize| (i as u128 * points as u128 / self.count.max(1) as u128) as usize;
        at(self.index.min(self.count))..at((self.index + 1).min(self.count))
    }
}

/// Most shards a sweep may be split into.
pub const MAX_SHARDS: usize = 1_000_000;

/// What a shard folder records about itself (`shard.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardRecord {
    /// Absolute path of the sweep file.
    pub sweep: PathBuf,
    /// The sweep file's path relative to the shard folder, used by `merge`
    /// when the absolute path no longer exists (the folders were moved or
    /// copied to another machine).
    #[serde(default)]
    pub sweep_from_shard: Option<PathBuf>,
    pub sha256: String,
    pub seed: u64,
    pub shard: Shard,
    pub first_point: usize,
    pub end_point: usize,
    pub complete: bool,
}

pub const PARTIAL: &str = "points.partial.csv";
pub const STATE: &str = "shard.json";

/// Runs the first `runs` runs of point `p`. Each point's runs draw from the
/// streams of (seed, point, run); with common random numbers every point
/// draws from those of point 0, the same (seed, run) streams.
pub fn run_point(sweep: &Sweep, p: usize, runs: u64) -> Aggregate {
    let model = sweep.model_at(p);
    let built = &sweep.scenario.built;
    let classifier = Classifier::new(&model, built.rules.clone(), built.triad.clone());
    let job = Job {
        model: &model,
        classifier: &classifier,
        seed: sweep.seed,
        point: if sweep.common_random_numbers {
            0
        } else {
            p as u64
        },
        runs,
    };
    engine::run(job, &|_| {})
}

/// Runs point `p`: its row of points.csv.
pub fn point_row(sweep: &Sweep, p: usize) -> PointRow {
    let aggregate = run_point(sweep, p, sweep.runs);
    let estimates = sweep.outcomes.iter().map(|&o| {
        let (ci_low, ci_high) = wilson(aggregate.outcomes[o], aggregate.runs, Z95);
        Estimate {
            p: aggregate.outcome_probability(o),
            ci_low,
            ci_high,
        }
    });
    let mean_final =
        (0..aggregate.shape.dyads).map(|d| fixed_mean(aggregate.final_sum[d], aggregate.runs));
    PointRow::new(p, sweep.points[p].clone(), estimates, mean_final)
}

/// Reads the complete rows of a partial points file: those that end in a
/// newline, have the header's number of fields and number the points
/// `first, first + 1, ...`. Returns them and the byte length they span.
fn complete_rows(path: &Path, header: &str, first: usize) -> Result<(usize, u64)> {
    let file = open_nofollow(path, OpenOptions::new().read(true)).map_err(|e| at_path(path, e))?;
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    if line != header {
        return Ok((0, 0));
    }
    let fields = header.split(',').count();
    let mut length = line.len() as u64;
    let mut rows = 0;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || !line.ends_with('\n') {
            break;
        }
        let ok = line.split(',').count() == fields
            && line.split(',').next() == Some(&(first + rows).to_string());
        if !ok {
            break;
        }
        rows += 1;
        length += line.len() as u64;
    }
    Ok((rows, length))
}

/// Options of one sweep execution.
pub struct Execution<'a> {
    pub sweep: &'a Sweep,
    pub shard: Shard,
    pub out: &'a Path,
    pub resume: bool,
    pub force: bool,
    /// Called with the number of points finished.
    pub progress: &'a (dyn Fn(u64) + Sync),
}

/// Reads a small JSON state file without following a link, with a clear
/// error naming the file.
fn read_state(path: &Path) -> Result<ShardRecord> {
    let text = read_text(path, 1 << 20)?;
    serde_json::from_str(&text).map_err(|e| {
        InputError::new(format!(
            "cannot be read ({e}); start again with --force instead of --resume"
        ))
        .in_file(path)
        .into()
    })
}

/// Reads a text file of at most `limit` bytes without following a link at
/// its name.
pub(crate) fn read_text(path: &Path, limit: u64) -> Result<String> {
    use std::io::Read;
    let file = open_nofollow(path, OpenOptions::new().read(true)).map_err(|e| {
        if e.raw_os_error() == Some(libc_eloop()) {
            Error::from(
                InputError::new(
                    "is a symbolic link; entente does not follow links for its state files",
                )
                .in_file(path),
            )
        } else {
            at_path(path, e)
        }
    })?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| at_path(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(
            InputError::new(format!("is larger than the {limit} bytes expected"))
                .in_file(path)
                .into(),
        );
    }
    String::from_utf8(bytes).map_err(|_| {
        InputError::new("is not UTF-8 text; the folder has been altered")
            .in_file(path)
            .into()
    })
}

/// The error number of a refused link (`O_NOFOLLOW` on a link).
fn libc_eloop() -> i32 {
    #[cfg(unix)]
    {
        libc::ELOOP
    }
    #[cfg(not(unix))]
    {
        -1
    }
}

/// True when `path` is a symbolic link (or anything but a regular file)
/// where entente expects a state file of its own.
fn not_a_plain_file(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| !m.is_file())
}

/// `to` relative to the folder `from`, both absolute and canonical.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut path = PathBuf::new();
    for _ in common..from.len() {
        path.push("..");
    }
    for c in &to[common..] {
        path.push(c);
    }
    path
}

/// True when `out` already holds the finished result of `sweep` (a
/// `manifest.json` with its SHA-256 and a `points.csv`) and no state of a
/// run in progress: a sweep killed while drawing its charts, whose charts
/// `--resume` or `entente plot` can draw again.
pub fn is_finished(out: &Path, sweep: &Sweep) -> bool {
    if out.join(STATE).exists() || !out.join("points.csv").is_file() {
        return false;
    }
    crate::output::sweep::SweepManifest::read(out).is_ok_and(|m| m.sweep.sha256 == sweep.sha256)
}

/// Runs the shard's points into `out`, leaving `points.partial.csv` complete
/// and `shard.json` marked complete. Returns the shard record and every
/// row of the shard, in point order (those of an earlier run resumed read
/// back from its file). The caller holds the folder's
/// [`crate::output::Lock`].
pub fn execute(ex: &Execution<'_>) -> Result<(ShardRecord, Vec<PointRow>)> {
    let sweep = ex.sweep;
    let range = ex.shard.range(sweep.points.len());
    let state_path = ex.out.join(STATE);
    let partial = ex.out.join(PARTIAL);
    let schema = sweep.points_schema();
    let header = schema.header_line();
    let (parent, name) = safety::split_target(ex.out)?;
    safety::clean_stale(&parent, &name);
    for path in [&state_path, &partial] {
        if not_a_plain_file(path) {
            return Err(InputError::new(
                "is not a plain file (a symbolic link?); entente does not follow links for its state files; remove it or start again in another folder",
            )
            .in_file(path)
            .into());
        }
    }

    let mut rows = Vec::with_capacity(range.len());
    let mut earlier = None;
    if ex.resume && state_path.exists() {
        earlier = Some(read_state(&state_path)?);
    } else {
        let nonempty = fs::read_dir(ex.out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false);
        if nonempty && !ex.force {
            let hint = if ex.resume {
                "it holds no sweep state to resume; "
            } else {
                ""
            };
            return Err(InputError::new(format!(
                "holds earlier results; {hint}pass --resume to continue an interrupted sweep or --force to start again"
            ))
            .in_file(ex.out)
            .into());
        }
        // Only a folder entente wrote is removed, never an arbitrary one.
        if safety::check_target(ex.out, true)? {
            safety::remove_result(ex.out)?;
        }
    }
    fs::create_dir_all(ex.out).map_err(|e| at_path(ex.out, e))?;
    safety::clean_stale_files(ex.out);
    let sweep_path = fs::canonicalize(&sweep.path).map_err(|e| at_path(&sweep.path, e))?;
    let out_path = fs::canonicalize(ex.out).map_err(|e| at_path(ex.out, e))?;
    let record = ShardRecord {
        sweep_from_shard: Some(relative(&out_path, &sweep_path)),
        sweep: sweep_path,
        sha256: sweep.sha256.clone(),
        seed: sweep.seed,
        shard: ex.shard,
        first_point: range.start,
        end_point: range.end,
        complete: false,
    };
    if let Some(earlier) = earlier {
        // The folder may have moved since: where it finds the sweep file
        // does not make it another sweep.
        let same = ShardRecord {
            complete: false,
            sweep_from_shard: record.sweep_from_shard.clone(),
            ..earlier
        } == record;
        if !same {
            return Err(InputError::new(
                "belongs to a different sweep, seed or shard; start again with --force instead of --resume",
            )
            .in_file(&state_path)
            .into());
        }
        if partial.exists() {
            let (kept, length) = complete_rows(&partial, &header, range.start)?;
            open_nofollow(&partial, OpenOptions::new().write(true))
                .and_then(|f| f.set_len(length))
                .map_err(|e| at_path(&partial, e))?;
            if kept > 0 {
                rows = read_points(sweep, &partial)?.rows;
            }
        }
    }
    crate::output::write_atomic(
        &state_path,
        serde_json::to_string_pretty(&record).expect("json"),
    )?;
    let done = rows.len();
    if done == 0 {
        open_nofollow(
            &partial,
            OpenOptions::new().write(true).create(true).truncate(true),
        )
        .and_then(|mut f| f.write_all(header.as_bytes()))
        .map_err(|e| at_path(&partial, e))?;
    }
    (ex.progress)(done as u64);

    let mut file = open_nofollow(&partial, OpenOptions::new().append(true))
        .map_err(|e| at_path(&partial, e))?;
    let block = (rayon::current_num_threads() * 4).max(4);
    let mut next = range.start + done;
    while next < range.end {
        let end = (next + block).min(range.end);
        let finished: Vec<PointRow> = (next..end)
            .into_par_iter()
            .map(|p| point_row(sweep, p))
            .collect();
        file.write_all(&schema.rows_bytes(&finished))
            .and_then(|()| file.sync_data())
            .map_err(|e| at_path(&partial, e))?;
        rows.extend(finished);
        (ex.progress)((end - next) as u64);
        next = end;
    }
    let record = ShardRecord {
        complete: true,
        ..record
    };
    crate::output::write_atomic(
        &state_path,
        serde_json::to_string_pretty(&record).expect("json"),
    )?;
    Ok((record, rows))
}

/// Reads a points file of `sweep` (at most [`MAX_POINTS_FILE_BYTES`],
/// without following a link) through the typed reader.
fn read_points(sweep: &Sweep, path: &Path) -> Result<PointsTable> {
    let text = read_text(path, MAX_POINTS_FILE_BYTES)?;
    let schema = sweep.points_schema();
    Ok(PointsTable::parse(
        path,
        &text,
        &schema.factors,
        &schema.outcomes,
    )?)
}

/// Reads the record of a complete shard folder.
pub fn read_record(dir: &Path) -> Result<ShardRecord> {
    let state = dir.join(STATE);
    if !state.exists() && fs::symlink_metadata(&state).is_err() {
        return Err(
            InputError::new("is not a sweep shard folder (no shard.json)")
                .in_file(dir)
                .into(),
        );
    }
    let text = read_text(&state, 1 << 20)?;
    let record: ShardRecord = serde_json::from_str(&text).map_err(|e| {
        Error::from(InputError::new(format!("cannot be read: {e}")).in_file(&state))
    })?;
    if !record.complete {
        return Err(InputError::new(
            "holds an unfinished shard; run it again with --resume before merging",
        )
        .in_file(dir)
        .into());
    }
    if record.shard.count == 0
        || record.shard.index >= record.shard.count
        || record.first_point > record.end_point
    {
        return Err(InputError::new(format!(
            "records shard {}/{} of points {}..{}, which is no shard; the folder has been altered",
            record.shard.index, record.shard.count, record.first_point, record.end_point
        ))
        .in_file(&state)
        .into());
    }
    Ok(record)
}

/// Reads the points of the complete shard folder `dir` of `sweep`, whose
/// record says how many it holds.
pub fn read_shard_points(sweep: &Sweep, dir: &Path, record: &ShardRecord) -> Result<PointsTable> {
    let partial = dir.join(PARTIAL);
    let points_path = if fs::symlink_metadata(&partial).is_ok() {
        partial
    } else {
        dir.join("points.csv")
    };
    let table = read_points(sweep, &points_path)?;
    if table.rows.len() != record.end_point - record.first_point {
        return Err(InputError::new(format!(
            "holds {} points, expected {} for shard {}/{}",
            table.rows.len(),
            record.end_point - record.first_point,
            record.shard.index,
            record.shard.count
        ))
        .in_file(dir)
        .into());
    }
    Ok(table)
}

/// Largest points file `merge` reads from a shard folder.
pub const MAX_POINTS_FILE_BYTES: u64 = 1 << 34;

/// Checks that a shard's rows belong to `sweep`: the shard's range is the
/// one its index gives, every row numbers its point in order, repeats the
/// design's values for that point, and has probabilities from 0 to 1 (the
/// reader has checked that every field is a finite number).
pub fn check_rows(
    sweep: &Sweep,
    dir: &Path,
    record: &ShardRecord,
    rows: &[PointRow],
) -> Result<()> {
    let expected = record.shard.range(sweep.points.len());
    if (record.first_point, record.end_point) != (expected.start, expected.end) {
        return Err(InputError::new(format!(
            "records points {}..{} for shard {}/{}, but that shard of this sweep is points {}..{}",
            record.first_point,
            record.end_point,
            record.shard.index,
            record.shard.count,
            expected.start,
            expected.end
        ))
        .in_file(dir.join(STATE))
        .into());
    }
    for (k, row) in rows.iter().enumerate() {
        let p = record.first_point + k;
        let bad = |what: String| -> Error {
            InputError::new(format!("row {} (point {p}): {what}", k + 1))
                .in_file(dir)
                .hint(
                    "the shard folder has been altered or mixed with another; run that shard again",
                )
                .into()
        };
        if row.point != p {
            return Err(bad(format!(
                "found point number {}, expected {p}",
                row.point
            )));
        }
        for (f, (&found, &design)) in row.values.iter().zip(&sweep.points[p]).enumerate() {
            if found.to_bits() != design.to_bits() {
                return Err(bad(format!(
                    "found {} = {found}, but this sweep's point {p} has {design}",
                    sweep.factors[f]
                )));
            }
        }
        for e in &row.estimates {
            for value in [e.p, e.ci_low, e.ci_high] {
                if !(0.0..=1.0).contains(&value) {
                    return Err(bad(format!(
                        "found {value}, expected a probability from 0 to 1"
                    )));
                }
            }
        }
    }
    Ok(())
}
