//! The summary `run --json` and `compare --json` print on standard output.
//! Its fields carry the names of the CSV columns they repeat; the shape is
//! documented in docs/outputs.md and only grows (fields are added, never
//! renamed or removed).

use serde::Serialize;

use crate::comparison::OutcomeDifference;
use crate::simulation::RunResult;
use crate::uncertainty::estimate::OutcomeSummary;

/// One outcome's row of `outcomes.csv`.
#[derive(Debug, Serialize)]
pub struct OutcomeJson<'a> {
    pub outcome: &'a str,
    #[serde(flatten)]
    pub summary: OutcomeSummary,
}

/// The summary of one scenario's run.
#[derive(Debug, Serialize)]
pub struct RunJson<'a> {
    pub scenario: &'a str,
    pub seed: u64,
    pub runs: u64,
    /// Parameter sets drawn (1 without uncertainty).
    pub draws: usize,
    pub outcomes: Vec<OutcomeJson<'a>>,
    /// The result folder (`run` only; `compare` gives it once, at the top).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<String>,
}

impl<'a> RunJson<'a> {
    pub fn of(result: &'a RunResult, results: Option<String>) -> RunJson<'a> {
        RunJson {
            scenario: &result.scenario,
            seed: result.seed,
            runs: result.runs(),
            draws: result.plan.draws,
            outcomes: result
                .outcome_names
                .iter()
                .zip(&result.outcomes)
                .map(|(name, o)| OutcomeJson {
                    outcome: name,
                    summary: *o,
                })
                .collect(),
            results,
        }
    }
}

/// One row of `differences.csv`.
#[derive(Debug, Serialize)]
pub struct DifferenceJson<'a> {
    pub scenario: &'a str,
    pub reference: &'a str,
    pub outcome: &'a str,
    pub difference: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub draw_p05: f64,
    pub draw_p95: f64,
    pub unpaired_ci_low: f64,
    pub unpaired_ci_high: f64,
}

/// The summary of a comparison.
#[derive(Debug, Serialize)]
pub struct CompareJson<'a> {
    pub scenarios: Vec<RunJson<'a>>,
    pub differences: Vec<DifferenceJson<'a>>,
    pub results: String,
}

impl<'a> CompareJson<'a> {
    pub fn of(
        results: &'a [RunResult],
        differences: &'a [OutcomeDifference],
        folder: String,
    ) -> CompareJson<'a> {
        CompareJson {
            scenarios: results.iter().map(|r| RunJson::of(r, None)).collect(),
            differences: differences
                .iter()
                .map(|d| DifferenceJson {
                    scenario: &d.scenario,
                    reference: &d.reference,
                    outcome: &d.outcome,
                    difference: d.paired.difference,
                    ci_low: d.paired.ci_low,
                    ci_high: d.paired.ci_high,
                    draw_p05: d.paired.draw_p05,
                    draw_p95: d.paired.draw_p95,
                    unpaired_ci_low: d.unpaired.0,
                    unpaired_ci_high: d.unpaired.1,
                })
                .collect(),
            results: folder,
        }
    }
}

/// Prints `value` as pretty JSON on standard output.
pub fn print<T: Serialize>(value: &T) {
    super::write_stdout(crate::output::manifest::to_json(value).as_bytes());
}
