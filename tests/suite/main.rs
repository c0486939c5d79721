//! The integration tests of entente, compiled as one test binary (one link,
//! one set of dependencies) with a module per area. Fixtures live beside this
//! folder: `tests/bad/`, `tests/bad_sweeps/` and `tests/sweeps/`.

mod common;

mod bad_input;
mod calibrate;
mod charts;
mod cli;
mod determinism;
mod evidence;
mod fuzz;
mod hardening;
mod invariance;
mod kernel;
mod lockstep;
mod oat;
mod outputs;
mod report;
mod revisions;
mod sensitivity;
mod series;
mod stylized_facts;
mod summary;
mod sweep;
mod sweep_charts;
mod uncertainty;
