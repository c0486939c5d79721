//! The files of a calibration folder: one generation's particles
//! (`generations/gen-NNN.csv`, exact to the bit so that a resumed run
//! continues from the same numbers), posterior.csv, predictive.csv,
//! generations.csv and priors.csv.

use std::fmt::Write as _;
use std::path::Path;

use super::PredictiveRow;
use super::abc::{Generation, Particle};
use super::spec::{Parameter, Prior};
use crate::error::{InputError, Result};

/// A generation's file: a comment line with its tolerance and attempts, then
/// `particle,weight,distance,<names>` with every number written in Rust's
/// shortest form that reads back to the same bits.
pub fn generation_file(g: &Generation, names: &[&str]) -> String {
    let mut out = format!(
        "# generation={} tolerance={} attempts={}\n",
        g.index, g.tolerance, g.attempts
    );
    out += "particle,weight,distance";
    for name in names {
        out += &format!(",{name}");
    }
    out.push('\n');
    for (k, p) in g.particles.iter().enumerate() {
        write!(out, "{k},{},{}", p.weight, p.distance).expect("write to string");
        for v in &p.theta {
            write!(out, ",{v}").expect("write to string");
        }
        out.push('\n');
    }
    out
}

/// Reads a generation file written by [`generation_file`]; `None` if it
/// does not exist.
pub fn read_generation(path: &Path, values: usize) -> Result<Option<Generation>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    let bad = |what: &str| {
        InputError::new(format!(
            "{what}; start again with --force instead of --resume"
        ))
        .in_file(path)
    };
    let (first, rest) = text.split_once('\n').ok_or_else(|| bad("is empty"))?;
    let field = |key: &str| -> Result<String, InputError> {
        first
            .split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{key}=")))
            .map(str::to_string)
            .ok_or_else(|| bad(&format!("has no `{key}` on its first line")))
    };
    let number = |text: String| {
        text.parse::<f64>()
            .map_err(|_| bad(&format!("holds `{text}`, not a number")))
    };
    let index: usize = field("generation")?
        .parse()
        .map_err(|_| bad("has a bad generation index"))?;
    let tolerance = number(field("tolerance")?)?;
    let attempts: u64 = field("attempts")?
        .parse()
        .map_err(|_| bad("has a bad attempt count"))?;
    let mut reader = csv::Reader::from_reader(rest.as_bytes());
    let mut particles = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(&format!("cannot be read: {e}")))?;
        if record.len() != 3 + values {
            return Err(bad(&format!(
                "has {} columns, expected {}",
                record.len(),
                3 + values
            ))
            .into());
        }
        let v: Vec<f64> = record
            .iter()
            .skip(1)
            .map(|s| number(s.to_string()))
            .collect::<Result<_, _>>()?;
        particles.push(Particle {
            weight: v[0],
            distance: v[1],
            theta: v[2..].to_vec(),
        });
    }
    Ok(Some(Generation {
        index,
        tolerance,
        attempts,
        particles,
    }))
}

fn csv_bytes(header: Vec<String>, rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).expect("write to memory");
    for row in rows {
        writer.write_record(&row).expect("write to memory");
    }
    String::from_utf8(writer.into_inner().expect("flush to memory")).expect("utf-8")
}

/// posterior.csv: `particle,weight,<one column per value>`, weights summing
/// to 1, values exact (whole-number paths rounded as the model uses them).
pub fn posterior_csv(cal: &super::Calibration, g: &Generation) -> String {
    let header = ["particle", "weight"]
        .into_iter()
        .chain(cal.names())
        .map(str::to_string)
        .collect();
    csv_bytes(
        header,
        g.particles.iter().enumerate().map(|(k, p)| {
            [k.to_string(), p.weight.to_string()]
                .into_iter()
                .chain(cal.as_used(&p.theta).iter().map(f64::to_string))
                .collect()
        }),
    )
}

/// generations.csv: one row per generation.
pub fn generations_csv(generations: &[Generation]) -> String {
    let header = [
        "generation",
        "tolerance",
        "acceptance_rate",
        "attempts",
        "accepted",
        "ess",
    ]
    .map(String::from)
    .to_vec();
    csv_bytes(
        header,
        generations.iter().map(|g| {
            vec![
                g.index.to_string(),
                if g.tolerance.is_finite() {
                    format!("{:.6}", g.tolerance)
                } else {
                    String::new()
                },
                format!("{:.6}", g.acceptance_rate()),
                g.attempts.to_string(),
                g.particles.len().to_string(),
                format!("{:.2}", g.ess()),
            ]
        }),
    )
}

/// predictive.csv: observed distance against the predictive distribution of
/// every observed dyad-year.
pub fn predictive_csv(rows: &[PredictiveRow]) -> String {
    let header = [
        "dyad", "year", "observed", "mean", "p05", "p25", "p50", "p75", "p95", "held_out",
    ]
    .map(String::from)
    .to_vec();
    csv_bytes(
        header,
        rows.iter().map(|r| {
            let f = &r.forecast;
            let mut row = vec![r.dyad.clone(), r.year.to_string()];
            row.extend(
                [r.observed, r.mean, f.p05, f.p25, f.median, f.p75, f.p95]
                    .map(|v| format!("{v:.6}")),
            );
            row.push(u8::from(r.held_out).to_string());
            row
        }),
    )
}

/// priors.csv: each value's prior and evidence.
pub fn priors_csv(parameters: &[Parameter]) -> String {
    let header = ["parameter", "kind", "low", "high", "mean", "sd", "evidence"]
        .map(String::from)
        .to_vec();
    csv_bytes(
        header,
        parameters.iter().map(|p| {
            let (kind, mean, sd) = match p.prior {
                Prior::Uniform { .. } => ("uniform", String::new(), String::new()),
                Prior::LogUniform { .. } => ("log_uniform", String::new(), String::new()),
                Prior::Normal { mean, sd, .. } => ("normal", mean.to_string(), sd.to_string()),
            };
            let (low, high) = p.prior.bounds();
            vec![
                p.name.clone(),
                kind.into(),
                low.to_string(),
                high.to_string(),
                mean,
                sd,
                p.evidence.clone(),
            ]
        }),
    )
}

/// summary.csv: each value's prior and posterior median and 90% interval.
pub fn summary_csv(cal: &super::Calibration, g: &Generation) -> String {
    let header = ["parameter", "prior", "p05", "median", "p95"]
        .map(String::from)
        .to_vec();
    let quantiles = super::posterior_quantiles(g, cal.parameters.len());
    csv_bytes(
        header,
        cal.parameters.iter().zip(quantiles).map(|(p, q)| {
            let mut row = vec![p.name.clone(), p.prior.describe()];
            row.extend(q.map(|v| format!("{v:.6}")));
            row
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generation_file_reads_back_to_the_same_bits() {
        let g = Generation {
            index: 3,
            tolerance: 0.1 + 0.2,
            attempts: 77,
            particles: vec![
                Particle {
                    theta: vec![1.0 / 3.0, -2e-300, 7.0],
                    weight: 0.6,
                    distance: f64::MIN_POSITIVE,
                },
                Particle {
                    theta: vec![0.1, 5.5, f64::MAX],
                    weight: 0.4,
                    distance: 1.0 / 7.0,
                },
            ],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gen.csv");
        std::fs::write(&path, generation_file(&g, &["a", "b", "c"])).unwrap();
        assert_eq!(read_generation(&path, 3).unwrap(), Some(g));
        assert_eq!(
            read_generation(&dir.path().join("none.csv"), 3).unwrap(),
            None
        );
    }
}
