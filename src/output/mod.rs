//! Result files: CSV tables and the manifest, written into a staging folder
//! that replaces the result folder in one rename, so a reader never sees a
//! half-written result.

mod dates;
pub mod manifest;
pub mod rows;
mod run_folder;
pub mod safety;
mod staging;
pub mod sweep;
mod tables;

pub use dates::StepDates;
pub use manifest::{CompareManifest, RunManifest, read_manifest};
pub use rows::{read_table, write_table};
pub use run_folder::write_run;
pub use safety::Lock;
pub use staging::{Staging, write_atomic};
pub use tables::*;
