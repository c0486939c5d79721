//! Turning complete point rows into a sweep's result files: a whole sweep
//! finishes from the rows it holds in memory, shards merged back together
//! from the rows read from their folders. Both paths go through [`finish`]
//! with the same typed rows, which is why a merged result equals an
//! unsharded one byte for byte.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::execute::{self, PARTIAL, STATE, ShardRecord};
use super::{Design, Sweep, sensitivity};
use crate::error::{InputError, Result};
use crate::output::manifest::to_json;
use crate::output::safety::at_path;
use crate::output::sweep::{Estimate, MorrisRow, OatRow, PointRow, Sensitivity, SobolRow};
use crate::output::{Staging, write_atomic};

/// The sweep file a shard was run from: its recorded absolute path, or,
/// when that is gone (the folders were moved), the path recorded relative
/// to the shard folder.
fn sweep_file(record: &ShardRecord, dir: &Path) -> std::path::PathBuf {
    if record.sweep.exists() {
        return record.sweep.clone();
    }
    match &record.sweep_from_shard {
        Some(relative) if dir.join(relative).exists() => dir.join(relative),
        _ => record.sweep.clone(),
    }
}

/// The target outcome's estimate at every point, in point order.
fn target_estimates(sweep: &Sweep, rows: &[PointRow]) -> Vec<Estimate> {
    let position = sweep
        .outcomes
        .iter()
        .position(|&o| o == sweep.target)
        .expect("target is reported");
    rows.iter().map(|r| r.estimates[position]).collect()
}

/// `sensitivity.csv` for Sobol, Morris and one-at-a-time designs.
pub fn sensitivity_table(sweep: &Sweep, rows: &[PointRow]) -> Option<Sensitivity> {
    let target = target_estimates(sweep, rows);
    let y: Vec<f64> = target.iter().map(|e| e.p).collect();
    let factors = sweep.factors.iter().cloned();
    Some(match &sweep.design {
        Design::Sobol { design, bootstrap } => Sensitivity::Sobol(
            factors
                .zip(sensitivity::sobol_indices(
                    design, &y, *bootstrap, sweep.seed,
                ))
                .map(|(factor, s)| SobolRow {
                    factor,
                    first_order: s.first,
                    first_ci_low: s.first_ci.0,
                    first_ci_high: s.first_ci.1,
                    total: s.total,
                    total_ci_low: s.total_ci.0,
                    total_ci_high: s.total_ci.1,
                })
                .collect(),
        ),
        Design::Morris(design) => Sensitivity::Morris(
            factors
                .zip(sensitivity::morris_effects(design, &y))
                .map(|(factor, e)| MorrisRow {
                    factor,
                    mu: e.mu,
                    mu_star: e.mu_star,
                    sigma: e.sigma,
                })
                .collect(),
        ),
        // Point 0 is the base; factor f sits at `from` in 2f+1 and `to` in 2f+2.
        Design::Oat => Sensitivity::Oat(
            factors
                .zip(&sweep.ranges)
                .enumerate()
                .map(|(f, (factor, &(low, high)))| {
                    let (l, h) = (target[2 * f + 1], target[2 * f + 2]);
                    OatRow {
                        factor,
                        low,
                        high,
                        p_base: target[0].p,
                        p_low: l.p,
                        p_high: h.p,
                        swing: (h.p - l.p).abs(),
                        p_low_ci_low: l.ci_low,
                        p_low_ci_high: l.ci_high,
                        p_high_ci_low: h.ci_low,
                        p_high_ci_high: h.ci_high,
                    }
                })
                .collect(),
        ),
        Design::Grid | Design::Lhs | Design::Points { .. } => return None,
    })
}

/// Writes points.csv, sensitivity.csv (for Sobol, Morris and OAT) and
/// manifest.json into `out` from every point's row in point order, and
/// removes the state of the run in progress.
pub fn finish(
    sweep: &Sweep,
    out: &Path,
    rows: &[PointRow],
    threads: usize,
    wall: f64,
) -> Result<()> {
    fs::create_dir_all(out).map_err(|e| at_path(out, e))?;
    write_atomic(
        &out.join("points.csv"),
        sweep.points_schema().file_bytes(rows),
    )?;
    if let Some(table) = sensitivity_table(sweep, rows) {
        write_atomic(&out.join("sensitivity.csv"), table.to_bytes())?;
    }
    write_atomic(
        &out.join("manifest.json"),
        to_json(&sweep.manifest(threads, wall)),
    )?;
    for leftover in [PARTIAL, STATE] {
        let path = out.join(leftover);
        if fs::symlink_metadata(&path).is_ok() {
            fs::remove_file(&path).map_err(|e| at_path(&path, e))?;
        }
    }
    Ok(())
}

/// Merges shard folders into `out`: checks they come from one sweep, seed
/// and shard count, that none is missing or given twice, and that every
/// row belongs to its shard and the design (`check_rows`), then
/// finishes into a new folder that replaces `out` whole (under the
/// `--force` rule of [`Staging`]), so no earlier file survives.
pub fn merge(
    dirs: &[impl AsRef<Path>],
    out: &Path,
    force: bool,
    threads: usize,
    wall: f64,
) -> Result<Sweep> {
    if dirs.is_empty() {
        return Err(
            InputError::new("found no shard folders, expected at least one")
                .key("DIR")
                .into(),
        );
    }
    let mut shards: BTreeMap<usize, (ShardRecord, &Path)> = BTreeMap::new();
    let mut first: Option<(ShardRecord, &Path)> = None;
    for dir in dirs {
        let dir = dir.as_ref();
        let record = execute::read_record(dir)?;
        if let Some((reference, ref_dir)) = &first {
            let clash = |what: &str| {
                InputError::new(format!(
                    "has a different {what} from {}; shards of one sweep must agree",
                    ref_dir.display()
                ))
                .in_file(dir)
            };
            if record.sha256 != reference.sha256 {
                return Err(clash("sweep file (SHA-256)").into());
            }
            if record.seed != reference.seed {
                return Err(clash("seed").into());
            }
            if record.shard.count != reference.shard.count {
                return Err(clash("number of shards").into());
            }
        } else {
            first = Some((record.clone(), dir));
        }
        let index = record.shard.index;
        if shards.insert(index, (record, dir)).is_some() {
            return Err(InputError::new(format!("shard {index} is given twice"))
                .in_file(dir)
                .into());
        }
    }
    let (reference, reference_dir) = first.expect("at least one shard");
    let missing: Vec<String> = (0..reference.shard.count)
        .filter(|i| !shards.contains_key(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(InputError::new(format!(
            "shards {} of {} are missing; merge needs every shard",
            missing.join(", "),
            reference.shard.count
        ))
        .key("DIR")
        .into());
    }
    let sweep = super::load(&sweep_file(&reference, reference_dir))?;
    if sweep.sha256 != reference.sha256 {
        return Err(InputError::new(
            "has changed since the shards ran (its SHA-256 differs); rerun the shards",
        )
        .in_file(&reference.sweep)
        .into());
    }
    let header = sweep.points_schema().header();
    let mut rows = Vec::with_capacity(sweep.points.len());
    for (_, (record, dir)) in shards {
        let table = execute::read_shard_points(&sweep, dir, &record)?;
        if table.header != header {
            return Err(
                InputError::new("the header of its points file does not match the sweep")
                    .in_file(dir)
                    .into(),
            );
        }
        execute::check_rows(&sweep, dir, &record, &table.rows)?;
        rows.extend(table.rows);
    }
    if rows.len() != sweep.points.len() {
        return Err(InputError::new(format!(
            "the shards hold {} points in all, but the sweep has {}",
            rows.len(),
            sweep.points.len()
        ))
        .key("DIR")
        .into());
    }
    let staging = Staging::create(out, force)?;
    finish(&sweep, staging.path(), &rows, threads, wall)?;
    staging.commit()?;
    Ok(sweep)
}
