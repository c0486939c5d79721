//! Charts of a calibration folder, drawn from the calibration in memory:
//!
//! | file stem | chart |
//! |---|---|
//! | `posterior` | weighted histogram of each calibrated value against its prior density |
//! | `predictive` | observed distance over the predictive fan of each dyad, held-out years shaded |
//! | `validation` | held-out scores of the model, persistence and trend |

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Deserialize;

use crate::calibrate::Prior;
use crate::calibrate::validate::METRICS;
use crate::charts::fan::{draw_bands, inner_band, outer_band};
use crate::charts::theme::*;
use crate::charts::{Chart, charts_dir, save};
use crate::output::read_table;

/// True when `dir` holds a calibration result.
pub fn is_calibration(dir: &Path) -> bool {
    dir.join("posterior.csv").is_file() && dir.join("predictive.csv").is_file()
}

/// Draws the calibration charts of `dir` into `dir/charts/` from its files
/// (manifest.json, priors.csv, posterior.csv, predictive.csv and, when
/// present, validation.csv).
pub fn draw(dir: &Path) -> Result<Vec<PathBuf>> {
    register_fonts()?;
    let manifest = crate::output::manifest::CalibrationManifest::read(dir)?;
    let facts = Facts {
        name: manifest.calibration.name,
        label: manifest.forecast,
        generations: manifest.generations as u64,
    };
    let priors: Vec<PriorRow> = read_table(&dir.join("priors.csv"))?;
    let posterior = read_posterior(&dir.join("posterior.csv"))?;
    let predictive: Vec<PredictiveRow> = read_table(&dir.join("predictive.csv"))?;
    let out = charts_dir(dir)?;
    let mut written = save(&PosteriorChart::new(&facts, &priors, &posterior)?, &out)?;
    written.extend(save(&PredictiveChart::new(&facts, predictive), &out)?);
    let validation = dir.join("validation.csv");
    if validation.is_file() {
        let rows: Vec<ValidationRow> = read_table(&validation)?;
        written.extend(save(
            &ValidationChart {
                rows,
                label: facts.label.clone(),
            },
            &out,
        )?);
    }
    Ok(written)
}

/// What the charts say about the calibration, from its manifest.
struct Facts {
    name: String,
    label: String,
    generations: u64,
}

/// One row of priors.csv.
#[derive(Debug, Clone, Deserialize)]
struct PriorRow {
    parameter: String,
    kind: String,
    low: f64,
    high: f64,
    mean: Option<f64>,
    sd: Option<f64>,
}

impl PriorRow {
    fn prior(&self) -> Result<Prior> {
        let (low, high) = (self.low, self.high);
        Ok(match (self.kind.as_str(), self.mean, self.sd) {
            ("uniform", _, _) => Prior::Uniform { low, high },
            ("log_uniform", _, _) => Prior::LogUniform { low, high },
            ("normal", Some(mean), Some(sd)) => Prior::Normal {
                mean,
                sd,
                low,
                high,
            },
            _ => anyhow::bail!(
                "priors.csv: unknown prior `{}` of {}",
                self.kind,
                self.parameter
            ),
        })
    }
}

/// posterior.csv: names, weights and values by particle.
struct Posterior {
    names: Vec<String>,
    weights: Vec<f64>,
    values: Vec<Vec<f64>>,
}

fn read_posterior(path: &Path) -> Result<Posterior> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot open {}", path.display()))?;
    let names = reader
        .headers()?
        .iter()
        .skip(2)
        .map(str::to_string)
        .collect();
    let (mut weights, mut values) = (Vec::new(), Vec::new());
    for (i, record) in reader.records().enumerate() {
        let record =
            record.with_context(|| format!("{}: bad row on line {}", path.display(), i + 2))?;
        let numbers: Vec<f64> = record
            .iter()
            .skip(1)
            .map(|v| v.parse::<f64>())
            .collect::<Result<_, _>>()
            .with_context(|| format!("{}: bad number on line {}", path.display(), i + 2))?;
        weights.push(numbers[0]);
        values.push(numbers[1..].to_vec());
    }
    Ok(Posterior {
        names,
        weights,
        values,
    })
}

/// One row of predictive.csv.
#[derive(Debug, Clone, Deserialize)]
struct PredictiveRow {
    dyad: String,
    year: i32,
    observed: f64,
    p05: f64,
    p25: f64,
    p50: f64,
    p75: f64,
    p95: f64,
    held_out: u8,
}

/// One row of validation.csv.
#[derive(Debug, Clone, Deserialize)]
struct ValidationRow {
    metric: String,
    model: f64,
    persistence: f64,
    trend: f64,
}

const BINS: usize = 24;

struct Marginal {
    name: String,
    low: f64,
    high: f64,
    /// Posterior share per bin, and the prior's share of the same bin.
    posterior: Vec<f64>,
    prior: Vec<f64>,
}

fn prior_shares(prior: &Prior, low: f64, high: f64) -> Vec<f64> {
    // Midpoint rule with 20 points per bin on the (possibly truncated) range.
    let width = (high - low) / BINS as f64;
    let mass: Vec<f64> = (0..BINS)
        .map(|b| {
            (0..20)
                .map(|k| prior.density(low + width * (b as f64 + (k as f64 + 0.5) / 20.0)))
                .sum::<f64>()
        })
        .collect();
    let total: f64 = mass.iter().sum();
    mass.iter()
        .map(|m| if total > 0.0 { m / total } else { 0.0 })
        .collect()
}

struct PosteriorChart {
    panels: Vec<Marginal>,
    subtitles: Vec<String>,
}

impl PosteriorChart {
    fn new(facts: &Facts, priors: &[PriorRow], posterior: &Posterior) -> Result<Self> {
        let mut panels = Vec::new();
        for (v, name) in posterior.names.iter().enumerate() {
            let row = priors
                .iter()
                .find(|p| &p.parameter == name)
                .with_context(|| format!("priors.csv has no prior for {name}"))?;
            let prior = row.prior()?;
            let (mut low, mut high) = prior.bounds();
            let values = posterior.values.iter().map(|q| q[v]);
            if !low.is_finite() {
                low = values.clone().fold(f64::INFINITY, f64::min);
            }
            if !high.is_finite() {
                high = values.clone().fold(f64::NEG_INFINITY, f64::max);
            }
            let width = (high - low).max(1e-12) / BINS as f64;
            let mut shares = vec![0.0; BINS];
            for (q, w) in posterior.values.iter().zip(&posterior.weights) {
                let b = (((q[v] - low) / width).max(0.0) as usize).min(BINS - 1);
                shares[b] += w;
            }
            panels.push(Marginal {
                name: name.clone(),
                low,
                high,
                posterior: shares,
                prior: prior_shares(&prior, low, high),
            });
        }
        let ess = crate::calibrate::abc::effective_sample_size(&posterior.weights);
        Ok(PosteriorChart {
            panels,
            subtitles: vec![
                format!(
                    "{}: last of {} generations, {} particles (ESS {ess:.0})",
                    facts.name,
                    facts.generations,
                    posterior.weights.len()
                ),
                facts.label.clone(),
            ],
        })
    }
}

fn legend_posterior() -> Vec<LegendItem> {
    vec![
        LegendItem::fill("posterior (weighted share per bin)", ALIGNMENT.to_rgba()),
        LegendItem::line("prior", NEUTRAL_DARK, 3),
    ]
}

impl Chart for PosteriorChart {
    fn stem(&self) -> String {
        "posterior".into()
    }

    fn size(&self) -> (u32, u32) {
        grid_canvas(self.panels.len(), 2, 1)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let body = draw_header(root, "Posterior against prior", &self.subtitles)?;
        let body = legend_on_top(&body, &legend_posterior(), 10)?;
        let (rows, cols) = grid_shape(self.panels.len());
        for (panel, area) in self.panels.iter().zip(body.split_evenly((rows, cols))) {
            let top = panel
                .posterior
                .iter()
                .chain(&panel.prior)
                .fold(0.0_f64, |a, &b| a.max(b))
                * 1.1;
            let mut chart = ChartBuilder::on(&area)
                .margin(12)
                .caption(&panel.name, bold(PANEL_TITLE_SIZE, INK))
                .x_label_area_size(50)
                .y_label_area_size(80)
                .build_cartesian_2d(panel.low..panel.high, 0.0..top.max(1e-9))
                .map_err(draw_err)?;
            house_mesh(&mut chart.configure_mesh())
                .x_labels(5)
                .y_labels(4)
                .draw()
                .map_err(draw_err)?;
            let width = (panel.high - panel.low) / BINS as f64;
            let x = |b: usize| panel.low + width * b as f64;
            chart
                .draw_series(panel.posterior.iter().enumerate().map(|(b, &s)| {
                    Rectangle::new([(x(b), 0.0), (x(b + 1), s)], ALIGNMENT.mix(0.75).filled())
                }))
                .map_err(draw_err)?;
            chart
                .draw_series(LineSeries::new(
                    panel
                        .prior
                        .iter()
                        .enumerate()
                        .map(|(b, &s)| (x(b) + width / 2.0, s)),
                    NEUTRAL_DARK.stroke_width(3),
                ))
                .map_err(draw_err)?;
        }
        Ok(())
    }
}

struct PredictiveChart {
    dyads: Vec<(String, Vec<PredictiveRow>)>,
    until: Option<i32>,
    subtitles: Vec<String>,
}

impl PredictiveChart {
    fn new(facts: &Facts, rows: Vec<PredictiveRow>) -> Self {
        let mut dyads: Vec<(String, Vec<PredictiveRow>)> = Vec::new();
        for row in rows {
            match dyads.iter_mut().find(|(d, _)| *d == row.dyad) {
                Some((_, list)) => list.push(row),
                None => dyads.push((row.dyad.clone(), vec![row])),
            }
        }
        let all = dyads.iter().flat_map(|(_, r)| r);
        let until = all
            .clone()
            .filter(|r| r.held_out == 0)
            .map(|r| r.year)
            .max();
        let held = all.clone().any(|r| r.held_out == 1);
        PredictiveChart {
            dyads,
            until: until.filter(|_| held),
            subtitles: vec![
                format!(
                    "{}: UNGA ideal-point distance (dots) and the posterior predictive, 50% and 90% bands",
                    facts.name
                ),
                facts.label.clone(),
            ],
        }
    }
}

impl Chart for PredictiveChart {
    fn stem(&self) -> String {
        "predictive".into()
    }

    fn size(&self) -> (u32, u32) {
        grid_canvas(self.dyads.len(), 2, 1)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let body = draw_header(
            root,
            "Observed distances and the predictive distribution",
            &self.subtitles,
        )?;
        let mut legend = vec![
            LegendItem::fill("90% band", outer_band().to_rgba()),
            LegendItem::fill("50% band", inner_band().to_rgba()),
            LegendItem::line("median", ALIGNMENT, 3),
            LegendItem::line("observed", INK, 3),
        ];
        if self.until.is_some() {
            legend.push(LegendItem::fill("held-out years", NEUTRAL_LIGHT.mix(0.5)));
        }
        let body = legend_on_top(&body, &legend, 10)?;
        let (rows, cols) = grid_shape(self.dyads.len());
        for ((name, rows), area) in self.dyads.iter().zip(body.split_evenly((rows, cols))) {
            let (x0, x1) = rows.iter().fold((i32::MAX, i32::MIN), |(a, b), r| {
                (a.min(r.year), b.max(r.year))
            });
            let top = rows
                .iter()
                .map(|r| r.p95.max(r.observed))
                .fold(0.0_f64, f64::max)
                * 1.08;
            let bottom = rows
                .iter()
                .map(|r| r.p05.min(r.observed))
                .fold(0.0_f64, f64::min);
            let mut chart = ChartBuilder::on(&area)
                .margin(12)
                .caption(name, bold(PANEL_TITLE_SIZE, INK))
                .x_label_area_size(50)
                .y_label_area_size(80)
                .build_cartesian_2d(
                    f64::from(x0) - 0.5..f64::from(x1) + 0.5,
                    bottom..top.max(bottom + 1e-9),
                )
                .map_err(draw_err)?;
            if let Some(until) = self.until {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(f64::from(until) + 0.5, bottom), (f64::from(x1) + 0.5, top)],
                        NEUTRAL_LIGHT.mix(0.5).filled(),
                    )))
                    .map_err(draw_err)?;
            }
            let fmt = |v: &f64| format!("{v:.0}");
            house_mesh(&mut chart.configure_mesh())
                .x_labels(6)
                .y_labels(5)
                .x_label_formatter(&fmt)
                .draw()
                .map_err(draw_err)?;
            let band = |lo: fn(&PredictiveRow) -> f64, hi: fn(&PredictiveRow) -> f64| {
                let mut p: Vec<(f64, f64)> =
                    rows.iter().map(|r| (f64::from(r.year), hi(r))).collect();
                p.extend(rows.iter().rev().map(|r| (f64::from(r.year), lo(r))));
                p
            };
            draw_bands(
                &mut chart,
                band(|r| r.p05, |r| r.p95),
                band(|r| r.p25, |r| r.p75),
            )?;
            chart
                .draw_series(LineSeries::new(
                    rows.iter().map(|r| (f64::from(r.year), r.p50)),
                    ALIGNMENT.stroke_width(3),
                ))
                .map_err(draw_err)?;
            chart
                .draw_series(LineSeries::new(
                    rows.iter().map(|r| (f64::from(r.year), r.observed)),
                    INK.stroke_width(2),
                ))
                .map_err(draw_err)?;
            chart
                .draw_series(
                    rows.iter()
                        .map(|r| Circle::new((f64::from(r.year), r.observed), 5, INK.filled())),
                )
                .map_err(draw_err)?;
        }
        Ok(())
    }
}

struct ValidationChart {
    rows: Vec<ValidationRow>,
    label: String,
}

impl Chart for ValidationChart {
    fn stem(&self) -> String {
        "validation".into()
    }

    fn size(&self) -> (u32, u32) {
        grid_canvas(4, 2, 1)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let subtitles = [
            format!(
                "{} held-out dyad-years; coverage: nominal 0.5 and 0.9 (dashed); mae and crps: lower is better",
                self.rows
                    .iter()
                    .find(|r| r.metric == "dyad_years")
                    .map_or(0.0, |r| r.model)
            ),
            self.label.clone(),
        ];
        let body = draw_header(root, "Held-out validation", &subtitles)?;
        let colors = [OI_BLUE, OI_ORANGE, OI_GREEN];
        let names = ["model", "persistence", "trend"];
        let legend: Vec<LegendItem> = names
            .iter()
            .zip(colors)
            .map(|(n, c)| LegendItem::fill(*n, c.to_rgba()))
            .collect();
        let body = legend_on_top(&body, &legend, 10)?;
        for ((metric, _), area) in METRICS.iter().zip(body.split_evenly(grid_shape(4))) {
            let values: Vec<f64> = self
                .rows
                .iter()
                .find(|r| r.metric == *metric)
                .map_or(vec![f64::NAN; 3], |r| vec![r.model, r.persistence, r.trend]);
            let nominal = match *metric {
                "coverage50" => Some(0.5),
                "coverage90" => Some(0.9),
                _ => None,
            };
            let top = values
                .iter()
                .copied()
                .chain(nominal)
                .filter(|v| v.is_finite())
                .fold(0.0_f64, f64::max)
                .max(1e-9)
                * 1.15;
            let mut chart = ChartBuilder::on(&area)
                .margin(12)
                .caption(*metric, bold(PANEL_TITLE_SIZE, INK))
                .x_label_area_size(50)
                .y_label_area_size(80)
                .build_cartesian_2d(0.0..3.0, 0.0..top)
                .map_err(draw_err)?;
            let fmt = |v: &f64| {
                names
                    .get(*v as usize)
                    .map_or(String::new(), |s| s.to_string())
            };
            house_mesh(&mut chart.configure_mesh())
                .x_labels(0)
                .y_labels(5)
                .x_label_formatter(&fmt)
                .draw()
                .map_err(draw_err)?;
            chart
                .draw_series(
                    values
                        .iter()
                        .zip(colors)
                        .enumerate()
                        .filter(|(_, (v, _))| v.is_finite())
                        .map(|(k, (&v, c))| {
                            Rectangle::new(
                                [(k as f64 + 0.15, 0.0), (k as f64 + 0.85, v)],
                                c.filled(),
                            )
                        }),
                )
                .map_err(draw_err)?;
            let label = text(BAR_LABEL_SIZE, INK);
            chart
                .draw_series(values.iter().enumerate().map(|(k, v)| {
                    Text::new(
                        format!("{} {v:.3}", names[k]),
                        (k as f64 + 0.18, v.max(0.0) + top * 0.02),
                        label.clone(),
                    )
                }))
                .map_err(draw_err)?;
            if let Some(n) = nominal {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(0.0, n), (3.0, n)],
                        10,
                        8,
                        NEUTRAL_DARK.stroke_width(3),
                    ))
                    .map_err(draw_err)?;
            }
        }
        Ok(())
    }
}
