//! `entente plot DIR`: re-draws every chart of a result folder from its CSV
//! files and manifest alone. The folder may come from `entente run`,
//! `entente compare` (comparison chart plus each scenario's charts) or
//! `entente sweep` / `entente merge` (the charts of its design).

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::PlotArgs;
use crate::error::{InputError, Result};

pub fn execute(args: &PlotArgs) -> Result<()> {
    let dir = &args.dir;
    if !dir.join("manifest.json").is_file() {
        return Err(InputError::new(
            "is not a result folder (no manifest.json); expected the --out folder of \
             `entente run`, `entente compare`, `entente sweep` or `entente merge`",
        )
        .in_file(dir)
        .into());
    }
    let written = if dir.join("points.csv").is_file() {
        crate::charts::draw_sweep_charts(dir)?
    } else if dir.join("comparison.csv").is_file() {
        draw_comparison_folder(dir)?
    } else {
        crate::charts::draw_run_charts(dir)?
    };
    say!(
        "{} chart files written under {}/",
        written.len(),
        dir.display()
    );
    Ok(())
}

/// Draws the comparison chart of a `compare` folder and the charts of each
/// scenario subfolder, in the order the manifest lists the scenarios.
fn draw_comparison_folder(dir: &Path) -> Result<Vec<PathBuf>> {
    let text = std::fs::read_to_string(dir.join("manifest.json"))
        .with_context(|| format!("cannot read {}/manifest.json", dir.display()))?;
    let manifest: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{}/manifest.json is not valid JSON", dir.display()))?;
    let names: Vec<String> = manifest["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str().map(str::to_string))
        .collect();
    let mut written = Vec::new();
    let mut groups = Vec::new();
    for name in names {
        let sub = dir.join(&name);
        let rows = crate::charts::read_outcomes(&sub.join("outcomes.csv"))?;
        written.extend(crate::charts::draw_run_charts(&sub)?);
        groups.push((name, rows));
    }
    if groups.is_empty() {
        return Err(InputError::new("manifest.json lists no scenarios")
            .in_file(dir)
            .into());
    }
    written.extend(crate::charts::draw_comparison(dir, &groups)?);
    if dir.join("differences.csv").is_file() {
        written.extend(crate::charts::draw_differences(dir)?);
    }
    Ok(written)
}
