//! entente: an agent-based simulator of great-power alignment.
//!
//! Data flows one way: a scenario file is read and checked ([`scenario`]),
//! becomes a [`model::Model`], runs many times under seeded randomness
//! ([`engine`]), each run is summarised ([`outcome`]) and merged into
//! aggregates, which [`output`] writes as CSV and JSON and [`charts`] draws.
//! The kernel ([`model`]) and the outcome rules do no I/O.

pub mod calibrate;
pub mod charts;
pub mod cli;
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
