//! Running a sweep's points, or one shard's share of them, into a folder.
//!
//! Points run in blocks (in parallel within a block, and each point's runs
//! in parallel too); each finished block is appended to
//! `points.partial.csv` and synced, so a killed sweep loses at most the
//! block in flight. `--resume` keeps the complete rows already written
//! (a torn last line is cut off) and carries on from the next point.

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Sweep;
use crate::engine::{self, Aggregate, Job};
use crate::error::{Error, InputError, Result};
use crate::outcome::Classifier;
use crate::stats::{Z95, fixed_mean, wilson};

/// Which share of the points a process runs: shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Parses `I/N` with 0 <= I < N.
    pub fn parse(text: &str) -> Result<Shard, InputError> {
        let bad = || {
            InputError::new(format!(
                "found `{text}`, expected I/N with 0 <= I < N, like 2/8"
            ))
            .key("--shard")
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The shard of a Slurm array task, from `SLURM_ARRAY_TASK_ID` and
    /// `SLURM_ARRAY_TASK_COUNT`, when both are set.
    pub fn from_slurm(env: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>, InputError> {
        match (env("SLURM_ARRAY_TASK_ID"), env("SLURM_ARRAY_TASK_COUNT")) {
            (Some(id), Some(count)) => Shard::parse(&format!("{id}/{count}"))
                .map(Some)
                .map_err(|e| e.key("SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT")),
            _ => Ok(None),
        }
    }

    /// The contiguous range of points of this shard.
    pub fn range(self, points: usize) -> std::ops::Range<usize> {
        (self.index * points / self.count)..((self.index + 1) * points / self.count)
    }
}

/// What a shard folder records about itself (`shard.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardRecord {
    /// Absolute path of the sweep file.
    pub sweep: PathBuf,
    pub sha256: String,
    pub seed: u64,
    pub shard: Shard,
    pub first_point: usize,
    pub end_point: usize,
    pub complete: bool,
}

pub const PARTIAL: &str = "points.partial.csv";
pub const STATE: &str = "shard.json";

/// Header of points.csv.
pub fn points_header(sweep: &Sweep) -> String {
    let names = &sweep.scenario.built.rules.names;
    let mut h = String::from("point");
    for f in &sweep.factors {
        h += &format!(",{f}");
    }
    for &o in &sweep.outcomes {
        let o = &names[o];
        h += &format!(",p_{o},ci_low_{o},ci_high_{o}");
    }
    let model = &sweep.scenario.built.model;
    for (i, j) in model.dyads() {
        h += &format!(",mean_final_{}", model.dyad_name(i, j));
    }
    h + "\n"
}

/// Runs point `p` and formats its row of points.csv.
pub fn point_row(sweep: &Sweep, p: usize) -> String {
    let model = sweep.model_at(p);
    let built = &sweep.scenario.built;
    let classifier = Classifier::new(&model, built.rules.clone(), built.triad.clone());
    let job = Job {
        model: &model,
        classifier: &classifier,
        seed: sweep.seed,
        point: p as u64,
        runs: sweep.runs,
    };
    let aggregate: Aggregate = engine::run(job, &|_| {});
    let mut row = p.to_string();
    for v in &sweep.points[p] {
        row += &format!(",{v}");
    }
    for &o in &sweep.outcomes {
        let count = aggregate.outcomes[o];
        let (lo, hi) = wilson(count, aggregate.runs, Z95);
        row += &format!(",{:.6},{lo:.6},{hi:.6}", aggregate.outcome_probability(o));
    }
    for d in 0..aggregate.shape.dyads {
        row += &format!(",{:.4}", fixed_mean(aggregate.final_sum[d], aggregate.runs));
    }
    row + "\n"
}

/// Reads the complete rows of a partial points file: those that end in a
/// newline, have the header's number of fields and number the points
/// `first, first + 1, ...`. Returns them and the byte length they span.
fn complete_rows(path: &Path, header: &str, first: usize) -> std::io::Result<(usize, u64)> {
    let mut reader = BufReader::new(File::open(path)?);
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

/// Runs the shard's points into `out`, leaving `points.partial.csv` complete
/// and `shard.json` marked complete. Returns the shard record.
pub fn execute(ex: &Execution<'_>) -> Result<ShardRecord> {
    let sweep = ex.sweep;
    let range = ex.shard.range(sweep.points.len());
    let record = ShardRecord {
        sweep: fs::canonicalize(&sweep.path)?,
        sha256: sweep.sha256.clone(),
        seed: sweep.seed,
        shard: ex.shard,
        first_point: range.start,
        end_point: range.end,
        complete: false,
    };
    let state_path = ex.out.join(STATE);
    let partial = ex.out.join(PARTIAL);
    let header = points_header(sweep);

    let mut done = 0;
    if ex.resume && state_path.exists() {
        let earlier: ShardRecord = serde_json::from_str(&fs::read_to_string(&state_path)?)
            .map_err(|e| {
                InputError::new(format!(
                    "cannot be read ({e}); start again without --resume"
                ))
                .in_file(&state_path)
            })?;
        let same = ShardRecord {
            complete: false,
            ..earlier.clone()
        } == record;
        if !same {
            return Err(InputError::new(
                "belongs to a different sweep, seed or shard; start again with --force instead of --resume",
            )
            .in_file(&state_path)
            .into());
        }
        if partial.exists() {
            let (rows, length) = complete_rows(&partial, &header, range.start)?;
            OpenOptions::new()
                .write(true)
                .open(&partial)?
                .set_len(length)?;
            done = rows;
        }
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
        if nonempty {
            // Only a folder this command wrote is removed, never an arbitrary one.
            let ours = ["points.csv", PARTIAL, STATE, "manifest.json"]
                .iter()
                .any(|f| ex.out.join(f).exists());
            if !ours {
                return Err(InputError::new(
                    "is not empty and does not hold sweep results; choose an empty or new folder for --out",
                )
                .in_file(ex.out)
                .into());
            }
            fs::remove_dir_all(ex.out)?;
        }
    }
    fs::create_dir_all(ex.out)?;
    crate::output::write_atomic(
        &state_path,
        serde_json::to_string_pretty(&record).expect("json"),
    )?;
    if done == 0 {
        fs::write(&partial, &header)?;
    }
    (ex.progress)(done as u64);

    let mut file = OpenOptions::new().append(true).open(&partial)?;
    let block = (rayon::current_num_threads() * 4).max(4);
    let mut next = range.start + done;
    while next < range.end {
        let end = (next + block).min(range.end);
        let rows: Vec<String> = (next..end)
            .into_par_iter()
            .map(|p| point_row(sweep, p))
            .collect();
        file.write_all(rows.concat().as_bytes())?;
        file.sync_data()?;
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
    Ok(record)
}

/// Reads the rows (without header) of a complete shard folder.
pub fn read_rows(dir: &Path) -> Result<(ShardRecord, String, Vec<String>)> {
    let state = dir.join(STATE);
    let text = fs::read_to_string(&state).map_err(|_| {
        Error::from(InputError::new("is not a sweep shard folder (no shard.json)").in_file(dir))
    })?;
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
    let points = fs::read_to_string(dir.join(PARTIAL))
        .or_else(|_| fs::read_to_string(dir.join("points.csv")))?;
    let mut lines = points.split_inclusive('\n');
    let header = lines.next().unwrap_or_default().to_string();
    let rows: Vec<String> = lines.map(str::to_string).collect();
    if rows.len() != record.end_point - record.first_point {
        return Err(InputError::new(format!(
            "holds {} points, expected {} for shard {}/{}",
            rows.len(),
            record.end_point - record.first_point,
            record.shard.index,
            record.shard.count
        ))
        .in_file(dir)
        .into());
    }
    Ok((record, header, rows))
}
