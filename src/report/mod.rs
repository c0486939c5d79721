//! Reports of result folders: `report.md` and a self-contained `report.html`.
//!
//! [`write_run_report`] reads the folder `entente run` writes and sets out, in order:
//! the scenario's name and description, the outcome table with its Wilson 95%
//! intervals (`outcomes.csv`), the triad configurations (`configurations.csv`, when
//! present), the charts (`charts/*.svg`), the parameter and evidence table
//! (`parameters.csv`) and what a reader needs to reproduce the run (`manifest.json`:
//! version, seed, runs, scenario file and its SHA-256, the command line).
//!
//! [`write_compare_report`] does the same for the folder `entente compare` writes:
//! the side-by-side table (`comparison.csv`), the comparison chart, and for each
//! scenario's subfolder its outcome table and outcome chart.
//!
//! Both reports are built once as a list of blocks and rendered twice. The Markdown
//! links the PNG charts; the HTML inlines the SVG charts and its style sheet, and
//! refers to no other file or address (no scripts, style sheets, fonts or images
//! from elsewhere), so it can be mailed or archived as one file. All text from the
//! folder is escaped. Each file is written under a temporary name and then renamed.

mod calibration;
mod compare;
mod doc;
mod folder;
mod render;
mod run;

pub use calibration::write_calibration_report;
pub use compare::write_compare_report;
pub use run::write_run_report;
