//! Reports of result folders: `report.md` and a self-contained `report.html`.
//!
//! [`write_run_report`] reads the folder `entente run` writes and sets out, in order:
//! the scenario's name and description, the code version, the outcome table with its
//! intervals (`outcomes.csv`), each outcome rule in words with those that can never
//! match, how sure the figures are, the triad configurations (`configurations.csv`),
//! the treaty summary and `dyads.csv`, each shock with its effects and their evidence
//! and `shocks.csv`, the charts (`charts/*.svg`), the parameter and evidence table
//! (`parameters.csv`) with the share of calibrated values resting on judgment, the
//! references, the limitations, and what a reader needs to reproduce the run
//! (`manifest.json`: versions, seed, runs, scenario file and its SHA-256, command).
//!
//! [`write_compare_report`] does the same for the folder `entente compare` writes:
//! the side-by-side table (`comparison.csv`), the comparison chart, and for each
//! scenario's subfolder its outcome table and outcome chart.
//!
//! [`write_calibration_report`] and [`write_sweep_report`] cover the folders of
//! `entente calibrate` and of `entente sweep` / `entente merge`; [`write_report`]
//! tells the kind of a folder from its files and writes the matching report, so
//! `entente report DIR` can rebuild a report after `entente plot` drew charts.
//!
//! Every report is built once as a list of blocks and rendered twice. The Markdown
//! links the PNG charts; the HTML inlines the SVG charts and its style sheet, and
//! refers to no other file or address (no scripts, style sheets, fonts or images
//! from elsewhere), so it can be mailed or archived as one file. All text from the
//! folder is escaped. Each file is written under a temporary name and then renamed.

mod calibration;
mod compare;
mod doc;
mod evidence;
mod folder;
mod render;
mod run;
mod scenario;
mod sweep;

use std::path::Path;

pub use calibration::write_calibration_report;
pub use compare::write_compare_report;
pub use run::write_run_report;
pub use sweep::write_sweep_report;

/// The kinds of result folder a report can be written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderKind {
    Run,
    Compare,
    Sweep,
    Calibration,
}

impl FolderKind {
    pub fn name(self) -> &'static str {
        match self {
            FolderKind::Run => "run",
            FolderKind::Compare => "comparison",
            FolderKind::Sweep => "sweep",
            FolderKind::Calibration => "calibration",
        }
    }

    /// The kind of the result folder `dir`, from its manifest and the
    /// tables beside it, or `None` when it is not a result folder.
    pub fn of(dir: &Path) -> Option<FolderKind> {
        let manifest = folder::read_manifest(dir).ok()?;
        let has = |name: &str| dir.join(name).is_file();
        if manifest.get("calibration").is_some() && crate::charts::calibration::is_calibration(dir)
        {
            Some(FolderKind::Calibration)
        } else if manifest.get("sweep").is_some() && has("points.csv") {
            Some(FolderKind::Sweep)
        } else if manifest.get("scenarios").is_some() && has("comparison.csv") {
            Some(FolderKind::Compare)
        } else if manifest.get("scenario").is_some() && has("outcomes.csv") {
            Some(FolderKind::Run)
        } else {
            None
        }
    }
}

/// Writes `report.md` and `report.html` for a folder of the given kind.
pub fn write_report(dir: &Path, kind: FolderKind) -> anyhow::Result<()> {
    match kind {
        FolderKind::Run => write_run_report(dir),
        FolderKind::Compare => write_compare_report(dir),
        FolderKind::Sweep => write_sweep_report(dir),
        FolderKind::Calibration => write_calibration_report(dir),
    }
}
