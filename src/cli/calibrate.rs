//! `entente calibrate`: ABC-SMC calibration against observed history, with
//! a posterior predictive and held-out validation, written to a result folder.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use crate::format::{fmt_counted, fmt_rate};
use anyhow::Context;

use super::{CalibrateArgs, at_least_one, command_line};
use crate::calibrate::{self, Calibration, Options, Outcome, Run, tables, validate};
use crate::error::Result;
use crate::output::Staging;
use crate::output::manifest::{CalibrationFileInfo, CalibrationManifest, to_json};
use crate::simulation::thread_pool;

pub fn execute(args: &CalibrateArgs) -> Result<()> {
    let cal = calibrate::load(&args.calibration)?;
    let until = match args.until.or(cal.file.until) {
        Some(u) => Some(calibrate::check_until(&cal, u)?),
        None => None,
    };
    let particles = match args.particles {
        Some(p) => at_least_one("--particles", p)? as usize,
        None => cal.settings.particles,
    };
    if particles < 2 {
        return Err(
            crate::InputError::new(format!("found {particles}, expected at least 2"))
                .key("--particles")
                .into(),
        );
    }
    let options = Options {
        seed: args.seed.unwrap_or(cal.seed),
        particles,
        until,
        conditional: args.conditional,
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&cal.file.name));
    let pool = thread_pool(args.threads)?;

    let total = (cal.settings.generations * particles) as u64;
    let bar = super::progress_bar(
        total,
        "particles",
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} particles  {msg}  ETA {eta}",
    );
    let current = Mutex::new(0usize);
    let start_generation = |g: usize, tolerance: f64| {
        *current.lock().expect("lock") = g;
        bar.set_message(if tolerance.is_finite() {
            format!("generation {g}, tolerance {tolerance:.4}")
        } else {
            format!("generation {g}")
        });
    };
    let progress = |k: u64| bar.inc(k);
    let started = Instant::now();
    let run = Run {
        calibration: &cal,
        options: options.clone(),
        out: &out,
        resume: args.resume,
        force: args.force,
        start_generation: &start_generation,
        progress: &progress,
    };
    let outcome = pool.install(|| calibrate::calibrate(&run))?;
    bar.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();

    let staging = Staging::create(&out, true)?;
    write_folder(
        staging.path(),
        &cal,
        &options,
        &outcome,
        wall,
        pool.current_num_threads(),
    )?;
    copy_generations(&out, staging.path())?;
    if !args.no_charts {
        crate::charts::calibration::draw(staging.path())
            .context("drawing the calibration charts")?;
    }
    if args.report {
        crate::report::write_calibration_report(staging.path()).context("writing the report")?;
    }
    let out = staging
        .commit()
        .with_context(|| format!("moving results into {}", out.display()))?;
    print_summary(&cal, &options, &outcome, wall);
    say!("\nresults: {}/", out.display());
    Ok(())
}

fn copy_generations(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    let (src, dst) = (from.join("generations"), to.join("generations"));
    std::fs::create_dir_all(&dst)?;
    for entry in std::fs::read_dir(&src)? {
        let entry = entry?;
        std::fs::copy(entry.path(), dst.join(entry.file_name()))?;
    }
    for name in ["calibration-state.json"] {
        if from.join(name).exists() {
            std::fs::copy(from.join(name), to.join(name))?;
        }
    }
    Ok(())
}

fn label(options: &Options) -> &'static str {
    match (options.until, options.conditional) {
        (None, _) => "in-sample (no --until)",
        (Some(_), false) => "unconditional forecast (drivers and events held after --until)",
        (Some(_), true) => "CONDITIONAL forecast (actual drivers and events after --until)",
    }
}

fn write_folder(
    dir: &std::path::Path,
    cal: &Calibration,
    options: &Options,
    outcome: &Outcome,
    wall: f64,
    threads: usize,
) -> Result<()> {
    let write = |name: &str, text: String| std::fs::write(dir.join(name), text);
    write(
        "posterior.csv",
        tables::posterior_csv(cal, outcome.posterior()),
    )?;
    write(
        "generations.csv",
        tables::generations_csv(&outcome.generations),
    )?;
    write(
        "predictive.csv",
        tables::predictive_csv(&outcome.predictive),
    )?;
    write("priors.csv", tables::priors_csv(&cal.parameters))?;
    write("summary.csv", tables::summary_csv(cal, outcome.posterior()))?;
    if let Some([model, persistence, trend]) = &outcome.validation {
        write(
            "validation.csv",
            validate::validation_table(model, persistence, trend),
        )?;
    }
    let runs_per_second = outcome.simulations as f64 / wall.max(1e-9);
    let manifest = CalibrationManifest {
        calibration: CalibrationFileInfo {
            description: Some(cal.file.description.clone()),
            file: cal.path.display().to_string(),
            name: cal.file.name.clone(),
            sha256: cal.sha256.clone(),
        },
        code_version: crate::output::manifest::code_version(),
        command: command_line(),
        conditional: options.conditional,
        distance: if cal.distance.crps { "crps" } else { "rmse" }.to_string(),
        distance_scaled_by_observation_sd: cal.distance.scaled,
        entente_version: env!("CARGO_PKG_VERSION").to_string(),
        forecast: label(options).to_string(),
        generations: outcome.generations.len(),
        particles: options.particles,
        predictive_draws: cal.settings.predictive_draws,
        predictive_runs: cal.settings.predictive_runs,
        runs_per_evaluation: cal.settings.runs,
        scenario: CalibrationFileInfo {
            description: None,
            file: cal.scenario.path.display().to_string(),
            name: cal.scenario.name().to_string(),
            sha256: cal.scenario.sha256.clone(),
        },
        seed: options.seed,
        simulated_runs: outcome.simulations,
        simulated_runs_per_second: runs_per_second,
        stop: outcome.stop.describe().to_string(),
        threads,
        until: options.until,
        wall_seconds: wall,
    };
    write("manifest.json", to_json(&manifest))?;
    Ok(())
}

fn print_summary(cal: &Calibration, options: &Options, outcome: &Outcome, wall: f64) {
    let g = outcome.posterior();
    say!(
        "{}: {} of {}, seed {}, {:.1} s ({} simulated, {}); {}",
        cal.file.name,
        fmt_counted(outcome.generations.len() as u64, "generation"),
        fmt_counted(options.particles as u64, "particle"),
        options.seed,
        wall,
        fmt_counted(outcome.simulations, "run"),
        fmt_rate(outcome.simulations as f64 / wall.max(1e-9), "runs"),
        outcome.stop.describe()
    );
    say!("{}", label(options));
    say!(
        "final tolerance {:.4}, acceptance rate {:.3}, ESS {:.1}\n",
        g.tolerance,
        g.acceptance_rate(),
        g.ess()
    );
    let width = cal
        .names()
        .iter()
        .map(|n| n.len())
        .max()
        .unwrap_or(9)
        .max(9);
    say!(
        "  {:<width$}  {:>9}  {:>21}  prior",
        "parameter",
        "median",
        "90% interval"
    );
    for (p, [lo, mid, hi]) in cal
        .parameters
        .iter()
        .zip(calibrate::posterior_quantiles(g, cal.parameters.len()))
    {
        say!(
            "  {:<width$}  {mid:>9.4}  [{lo:>8.4}, {hi:>8.4}]  {}",
            p.name,
            p.prior.describe()
        );
    }
    if let Some([model, persistence, trend]) = &outcome.validation {
        say!(
            "\nheld-out years after {} ({} dyad-years):",
            options.until.unwrap_or_default(),
            model.count
        );
        say!(
            "  {:<10}  {:>8}  {:>11}  {:>8}",
            "metric",
            "model",
            "persistence",
            "trend"
        );
        for (name, f) in validate::METRICS {
            say!(
                "  {name:<10}  {:>8.4}  {:>11.4}  {:>8.4}",
                f(model),
                f(persistence),
                f(trend)
            );
        }
    }
}
