//! The files of a sweep folder, written and read through one type each:
//! `manifest.json` ([`SweepManifest`]), `points.csv` ([`PointRow`] under a
//! [`PointsSchema`]) and `sensitivity.csv` ([`SobolRow`], [`MorrisRow`],
//! [`OatRow`]). The sweep hands typed rows to the writers; merge, the charts
//! and the report read typed rows back. `docs/outputs.md` defines the
//! columns.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::manifest::read_manifest;
use crate::error::InputError;

/// How the points of a sweep were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DesignKind {
    Grid,
    Lhs,
    Sobol,
    Morris,
    Oat,
    /// Points read from a CSV file.
    Points,
}

impl DesignKind {
    /// Every kind a `[design]` table may name, in the order the docs list them.
    pub const DESIGNS: [DesignKind; 5] = [
        DesignKind::Lhs,
        DesignKind::Sobol,
        DesignKind::Morris,
        DesignKind::Oat,
        DesignKind::Points,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DesignKind::Grid => "grid",
            DesignKind::Lhs => "lhs",
            DesignKind::Sobol => "sobol",
            DesignKind::Morris => "morris",
            DesignKind::Oat => "oat",
            DesignKind::Points => "points",
        }
    }

    /// The `[design]` kind named `name`.
    pub fn design(name: &str) -> Option<DesignKind> {
        DesignKind::DESIGNS.into_iter().find(|k| k.name() == name)
    }
}

impl std::fmt::Display for DesignKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The `sweep` block of the manifest: which sweep file ran.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SweepInfo {
    pub description: String,
    pub file: String,
    pub name: String,
    /// SHA-256 of the sweep file and of its base scenario file together.
    pub sha256: String,
}

/// One varied parameter and its range (a grid axis: its smallest and
/// largest value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorRange {
    pub from: f64,
    pub path: String,
    pub to: f64,
}

/// `manifest.json` of a sweep (or merged) folder. The keys are declared in
/// alphabetical order, the order the file has always had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepManifest {
    /// Whether every point ran on the same random numbers (`common_random_numbers = true`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub common_random_numbers: bool,
    pub entente_version: String,
    pub factors: Vec<FactorRange>,
    pub kind: DesignKind,
    /// The reported outcomes, in the column order of points.csv.
    pub outcomes: Vec<String>,
    pub points: usize,
    pub runs_per_point: u64,
    /// The base scenario's name.
    pub scenario: String,
    pub seed: u64,
    pub sweep: SweepInfo,
    /// The outcome the sensitivity analysis explains.
    pub target: String,
    pub threads: usize,
    pub wall_seconds: f64,
}

impl SweepManifest {
    /// Reads the manifest of the sweep folder `dir`.
    pub fn read(dir: &Path) -> Result<SweepManifest, InputError> {
        read_manifest(dir, "sweep")
    }

    /// The factor paths, in column order.
    pub fn factor_paths(&self) -> Vec<String> {
        self.factors.iter().map(|f| f.path.clone()).collect()
    }
}
