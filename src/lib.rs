//! entente: an agent-based simulator of great-power alignment.
//!
//! Data flows one way: a scenario file is read and checked ([`scenario`]),
//! becomes a [`model::Model`], runs many times under seeded randomness
//! ([`engine`]), each run is summarised ([`outcome`]) and merged into
//! aggregates, which [`output`] writes as CSV and JSON and [`charts`] draws.
//! The kernel ([`model`]) and the outcome rules do no I/O.
//!
//! The one call a library user needs is [`run`]: a loaded scenario and
//! [`Settings`] in, a typed [`RunResult`] out, with the scenario's uncertain
//! parameters drawn ([`uncertainty`]); [`output::write_run`] writes its
//! result folder. `examples/library.rs` shows both. The command-line
//! interface (`cli`) is the binary's and not part of the library's API.

pub mod calibrate;
pub mod charts;
#[doc(hidden)]
pub mod cli;
pub mod comparison;
pub mod engine;
pub mod error;
mod format;
pub mod model;
pub mod outcome;
pub mod output;
pub mod report;
pub mod scenario;
pub mod simulation;
pub mod stats;
pub mod sweep;
pub mod uncertainty;

pub use error::{Error, InputError, Result};
pub use simulation::{RunResult, Settings, run};
