//! `entente plot DIR`: re-draws every chart of a result folder from its CSV
//! files and manifest alone. The folder may come from `entente run`,
//! `entente compare` (comparison chart plus each scenario's charts) or
//! `entente sweep` / `entente merge` (the charts of its design) or
//! `entente calibrate` (posterior, predictive and validation charts).

use std::path::{Path, PathBuf};

use super::PlotArgs;
use crate::error::{Error, InputError, Result};

/// Fails with a clear message unless `dir` holds a `manifest.json`, as the
/// folder of every command that writes results does.
pub(super) fn require_result_folder(dir: &Path) -> Result<()> {
    if dir.join("manifest.json").is_file() {
        return Ok(());
    }
    Err(InputError::new(
        "is not a result folder (no manifest.json); expected the --out folder of \
         `entente run`, `entente compare`, `entente sweep`, `entente merge` or `entente calibrate`",
    )
    .in_file(dir)
    .into())
}

pub fn execute(args: &PlotArgs) -> Result<()> {
    let dir = &args.dir;
    require_result_folder(dir)?;
    let written = if crate::charts::calibration::is_calibration(dir) {
        crate::charts::calibration::draw(dir).map_err(damaged)?
    } else if dir.join("points.csv").is_file() {
        crate::charts::draw_sweep_charts(dir).map_err(damaged)?
    } else if dir.join("comparison.csv").is_file() {
        draw_comparison_folder(dir)?
    } else {
        crate::charts::draw_run_charts(dir).map_err(damaged)?
    };
    say!(
        "{} chart files written under {}/",
        written.len(),
        dir.display()
    );
    Ok(())
}

/// A chart error as bad input (exit 2) when a file of the folder is missing
/// or does not parse, so a damaged folder is reported like any bad file;
/// other failures (a full disk) stay exit 1.
pub(super) fn damaged(e: anyhow::Error) -> Error {
    let input = e
        .chain()
        .find_map(|cause| match cause.downcast_ref::<Error>() {
            Some(Error::Input(input)) => Some(input.clone()),
            _ => cause.downcast_ref::<InputError>().cloned(),
        });
    if let Some(input) = input {
        return input.into();
    }
    let bad_content = e.chain().any(|cause| {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            matches!(
                io.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::InvalidData
            )
        } else if let Some(c) = cause.downcast_ref::<csv::Error>() {
            !c.is_io_error()
        } else if let Some(j) = cause.downcast_ref::<serde_json::Error>() {
            !j.is_io()
        } else {
            false
        }
    });
    if bad_content {
        InputError::new(format!("{e:#}"))
            .hint("the result folder is damaged; run the command that wrote it again")
            .into()
    } else {
        Error::Other(e)
    }
}

/// Draws the comparison chart of a `compare` folder and the charts of each
/// scenario subfolder, in the order the manifest lists the scenarios.
fn draw_comparison_folder(dir: &Path) -> Result<Vec<PathBuf>> {
    let path = dir.join("manifest.json");
    let names: Vec<String> = crate::output::CompareManifest::read(dir)?
        .scenarios
        .into_iter()
        .map(|s| s.name)
        .collect();
    let mut written = Vec::new();
    let mut groups = Vec::new();
    for name in names {
        // The names come from a file anyone may have edited: each must be a
        // subfolder of this folder, never a path elsewhere.
        crate::output::safety::compare_subfolder(&name).map_err(|m| {
            InputError::new(format!("lists a scenario name that is no subfolder: {m}"))
                .in_file(&path)
                .key("scenarios.name")
        })?;
        let sub = dir.join(&name);
        let rows = crate::charts::read_outcomes(&sub.join("outcomes.csv")).map_err(damaged)?;
        written.extend(crate::charts::draw_run_charts(&sub).map_err(damaged)?);
        groups.push((name, rows));
    }
    if groups.is_empty() {
        return Err(InputError::new("manifest.json lists no scenarios")
            .in_file(dir)
            .into());
    }
    written.extend(crate::charts::draw_comparison(dir, &groups).map_err(damaged)?);
    if dir.join("differences.csv").is_file() {
        written.extend(crate::charts::draw_differences(dir).map_err(damaged)?);
    }
    Ok(written)
}
