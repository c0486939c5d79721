//! `entente report DIR`: (re)writes report.md and report.html of a result
//! folder from the folder alone, for the folders of `entente run`,
//! `compare`, `sweep`, `merge` and `calibrate`. Run after `entente plot`,
//! it brings the charts into a report written without them. It writes
//! those two files only, each under a temporary name then renamed.

use super::ReportArgs;
use crate::error::{InputError, Result};
use crate::report::FolderKind;

pub fn execute(args: &ReportArgs) -> Result<()> {
    let dir = &args.dir;
    super::plot::require_result_folder(dir)?;
    let Some(kind) = FolderKind::of(dir) else {
        return Err(InputError::new(
            "has a manifest.json but not the files of a run, comparison, sweep or \
             calibration folder (outcomes.csv, comparison.csv, points.csv or posterior.csv)",
        )
        .in_file(dir)
        .hint("the result folder is damaged or was not written by entente; run the command that wrote it again")
        .into());
    };
    crate::report::write_report(dir, kind).map_err(super::plot::damaged)?;
    say!(
        "{} report written: {}/report.md and report.html",
        kind.name(),
        dir.display()
    );
    Ok(())
}
