//! Turning complete point rows into a sweep's result files, for a whole
//! sweep or for shards merged back together. Both paths go through
//! [`finish`], which is why a merged result equals an unsharded one byte for
//! byte.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::fs;
use std::path::Path;

use super::execute::{self, PARTIAL, STATE, ShardRecord};
use super::{Kind, Sweep, sensitivity};
use crate::error::{InputError, Result};
use crate::output::safety::at_path;
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

/// Column of the target outcome's probability in points.csv.
fn target_column(sweep: &Sweep) -> usize {
    let position = sweep
        .outcomes
        .iter()
        .position(|&o| o == sweep.target)
        .expect("target is reported");
    1 + sweep.factors.len() + 3 * position
}

/// The value `offset` columns right of the target probability in each row:
/// 0 for the probability, 1 and 2 for its Wilson interval.
fn target_field(sweep: &Sweep, rows: &[String], offset: usize) -> Vec<f64> {
    let column = target_column(sweep) + offset;
    rows.iter()
        .map(|r| {
            r.trim_end()
                .split(',')
                .nth(column)
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN)
        })
        .collect()
}

/// The target probability of each row.
fn target_values(sweep: &Sweep, rows: &[String]) -> Vec<f64> {
    target_field(sweep, rows, 0)
}

/// `sensitivity.csv` for Sobol, Morris and one-at-a-time designs.
pub fn sensitivity_table(sweep: &Sweep, rows: &[String]) -> Option<String> {
    let y = target_values(sweep, rows);
    let mut out = String::new();
    match (&sweep.kind, &sweep.sobol, &sweep.morris) {
        (Kind::Sobol { bootstrap, .. }, Some(design), _) => {
            out.push_str(
                "factor,first_order,first_ci_low,first_ci_high,total,total_ci_low,total_ci_high\n",
            );
            let indices = sensitivity::sobol_indices(design, &y, *bootstrap, sweep.seed);
            for (f, s) in sweep.factors.iter().zip(indices) {
                writeln!(
                    out,
                    "{f},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6}",
                    s.first, s.first_ci.0, s.first_ci.1, s.total, s.total_ci.0, s.total_ci.1
                )
                .expect("write to string");
            }
        }
        (Kind::Morris { .. }, _, Some(design)) => {
            out.push_str("factor,mu,mu_star,sigma\n");
            for (f, e) in sweep
                .factors
                .iter()
                .zip(sensitivity::morris_effects(design, &y))
            {
                writeln!(out, "{f},{:.6},{:.6},{:.6}", e.mu, e.mu_star, e.sigma)
                    .expect("write to string");
            }
        }
        (Kind::Oat, _, _) => {
            out.push_str(
                "factor,low,high,p_base,p_low,p_high,swing,p_low_ci_low,p_low_ci_high,p_high_ci_low,p_high_ci_high\n",
            );
            let (ci_low, ci_high) = (target_field(sweep, rows, 1), target_field(sweep, rows, 2));
            // Point 0 is the base; factor f sits at `from` in 2f+1 and `to` in 2f+2.
            for (f, (name, &(low, high))) in sweep.factors.iter().zip(&sweep.ranges).enumerate() {
                let (l, h) = (2 * f + 1, 2 * f + 2);
                writeln!(
                    out,
                    "{name},{low},{high},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6}",
                    y[0],
                    y[l],
                    y[h],
                    (y[h] - y[l]).abs(),
                    ci_low[l],
                    ci_high[l],
                    ci_low[h],
                    ci_high[h]
                )
                .expect("write to string");
            }
        }
        _ => return None,
    }
    Some(out)
}

/// Writes points.csv, sensitivity.csv (for Sobol, Morris and OAT) and
/// manifest.json into `out` from the header and all rows in point order.
pub fn finish(
    sweep: &Sweep,
    out: &Path,
    header: &str,
    rows: &[String],
    threads: usize,
    wall: f64,
) -> Result<()> {
    fs::create_dir_all(out).map_err(|e| at_path(out, e))?;
    let mut points =
        String::with_capacity(header.len() + rows.iter().map(String::len).sum::<usize>());
    points.push_str(header);
    rows.iter().for_each(|r| points.push_str(r));
    write_atomic(&out.join("points.csv"), points)?;
    if let Some(table) = sensitivity_table(sweep, rows) {
        write_atomic(&out.join("sensitivity.csv"), table)?;
    }
    let names = &sweep.scenario.built.rules.names;
    let manifest = serde_json::json!({
        "entente_version": env!("CARGO_PKG_VERSION"),
        "code_version": crate::output::manifest::code_version(),
        "sweep": {
            "name": sweep.file.name,
            "description": sweep.file.description,
            "file": sweep.path.display().to_string(),
            "sha256": sweep.sha256,
        },
        "scenario": sweep.scenario.name(),
        "kind": sweep.kind.name(),
        "seed": sweep.seed,
        "runs_per_point": sweep.runs,
        "points": sweep.points.len(),
        "factors": sweep.factors.iter().zip(&sweep.ranges).map(|(f, r)| serde_json::json!({"path": f, "from": r.0, "to": r.1})).collect::<Vec<_>>(),
        "outcomes": sweep.outcomes.iter().map(|&o| &names[o]).collect::<Vec<_>>(),
        "target": names[sweep.target],
        "threads": threads,
        "wall_seconds": wall,
    });
    write_atomic(
        &out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).expect("json") + "\n",
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
/// finishes. A sweep finishing its own folder (`dirs` is `[out]`) writes in
/// place; any other merge writes a new folder that replaces `out` whole
/// (under the `--force` rule of [`Staging`]), so no earlier file survives.
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
    let mut shards: BTreeMap<usize, (ShardRecord, String, Vec<String>, &Path)> = BTreeMap::new();
    let mut first: Option<(ShardRecord, &Path)> = None;
    for dir in dirs {
        let dir = dir.as_ref();
        let (record, header, rows) = execute::read_rows(dir)?;
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
        if shards.insert(index, (record, header, rows, dir)).is_some() {
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
    let header = execute::points_header(&sweep);
    let mut rows = Vec::with_capacity(sweep.points.len());
    for (_, (record, shard_header, shard_rows, dir)) in shards {
        if shard_header != header {
            return Err(
                InputError::new("the header of its points file does not match the sweep")
                    .in_file(dir)
                    .into(),
            );
        }
        execute::check_rows(&sweep, dir, &record, &header, &shard_rows)?;
        rows.extend(shard_rows);
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
    let in_place = dirs.len() == 1 && dirs[0].as_ref() == out;
    if in_place {
        finish(&sweep, out, &header, &rows, threads, wall)?;
    } else {
        let staging = Staging::create(out, force)?;
        finish(&sweep, staging.path(), &header, &rows, threads, wall)?;
        staging.commit()?;
    }
    Ok(sweep)
}
