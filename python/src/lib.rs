//! `entente._entente`: the compiled half of the Python package. It holds
//! loaded scenarios and run results and hands out the CSV text of each
//! table, written by the same functions as the command line's result
//! folder, so the Python tables equal the files byte for byte. The
//! pure-Python package `entente` turns that text into DataFrames.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use entente::Error;
use entente::comparison;
use entente::error::at_least_one;
use entente::output::manifest::{RunManifest, to_json};
use entente::output::{self, Staging};
use entente::scenario::{self as sc, Scenario as Loaded};
use entente::simulation::{self, RunResult, Settings};
use entente::uncertainty::Posterior;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

pyo3::create_exception!(
    entente,
    InputError,
    PyValueError,
    "Bad input: a scenario file, a parameter path or a setting. The message names the file, line, column and key, as the command line does."
);
pyo3::create_exception!(
    entente,
    EntenteError,
    PyException,
    "A failure that is not bad input: the file system, or a fault in entente."
);

/// The Python exception for a library error.
fn to_py(e: Error) -> PyErr {
    match e {
        Error::Input(e) => InputError::new_err(e.to_string()),
        Error::Other(e) => EntenteError::new_err(format!("{e:#}")),
    }
}

fn input(e: entente::InputError) -> PyErr {
    to_py(e.into())
}

/// A loaded and checked scenario.
#[pyclass(module = "entente._entente", frozen)]
struct Scenario {
    inner: Arc<Loaded>,
}

#[pymethods]
impl Scenario {
    /// Loads a scenario file, or parses scenario text when `text` is given
    /// (`path` then only names it in messages), and applies `PATH=VALUE`
    /// assignments as `--set` does.
    #[staticmethod]
    #[pyo3(signature = (path, text=None, set=Vec::new()))]
    fn load(path: PathBuf, text: Option<&str>, set: Vec<String>) -> PyResult<Scenario> {
        let mut loaded = match text {
            Some(text) => sc::parse(&path, text),
            None => sc::load(&path),
        }
        .map_err(input)?;
        for assignment in &set {
            loaded.set(assignment).map_err(input)?;
        }
        Ok(Scenario {
            inner: Arc::new(loaded),
        })
    }

    /// A copy with `PATH=VALUE` assignments applied.
    fn with_set(&self, set: Vec<String>) -> PyResult<Scenario> {
        let mut loaded = (*self.inner).clone();
        for assignment in &set {
            loaded.set(assignment).map_err(input)?;
        }
        Ok(Scenario {
            inner: Arc::new(loaded),
        })
    }

    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    #[getter]
    fn description(&self) -> &str {
        &self.inner.file.description
    }

    #[getter]
    fn path(&self) -> String {
        self.inner.path.display().to_string()
    }

    #[getter]
    fn agents(&self) -> Vec<String> {
        self.inner.built.model.ids.clone()
    }

    /// Dyad names (`USA-CHN`), in the order of the dyad tables.
    #[getter]
    fn dyads(&self) -> Vec<String> {
        let model = &self.inner.built.model;
        model
            .dyads()
            .into_iter()
            .map(|(i, j)| model.dyad_name(i, j))
            .collect()
    }

    #[getter]
    fn outcomes(&self) -> Vec<String> {
        self.inner.built.rules.names.clone()
    }

    /// The scenario's own number of runs and seed.
    #[getter]
    fn runs(&self) -> u64 {
        self.inner.built.runs
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.inner.built.seed
    }

    /// `--set` assignments applied, as `(path, value)`.
    #[getter]
    fn overrides(&self) -> Vec<(String, f64)> {
        self.inner.overrides.clone()
    }

    /// The uncertain parameters: path, distribution, support, evidence.
    fn uncertain<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.inner
            .built
            .uncertain
            .iter()
            .map(|u| {
                let d = PyDict::new(py);
                let (low, high) = u.distribution.support();
                d.set_item("path", &u.name)?;
                d.set_item("distribution", u.distribution.to_string())?;
                d.set_item("low", low)?;
                d.set_item("high", high)?;
                d.set_item("mean", u.distribution.mean())?;
                d.set_item("evidence", &u.evidence)?;
                d.set_item("kind", u.kind.map(|k| k.name()))?;
                Ok(d)
            })
            .collect()
    }

    /// `parameters.csv` of the scenario (the table `entente validate` shows).
    fn parameters_csv(&self) -> String {
        sc::parameters_csv(&sc::parameter_rows(&self.inner))
    }

    /// Runs the scenario; `None` means the scenario's own runs and seed,
    /// all cores, the default number of draws. `trajectories` keeps the
    /// alignment paths of that many runs (`run --trajectories K`). Ctrl-C
    /// stops it.
    #[pyo3(signature = (runs=None, seed=None, threads=None, draws=None, nominal=false, posterior=None, trajectories=None))]
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        py: Python<'_>,
        runs: Option<u64>,
        seed: Option<u64>,
        threads: Option<usize>,
        draws: Option<usize>,
        nominal: bool,
        posterior: Option<PathBuf>,
        trajectories: Option<u64>,
    ) -> PyResult<Result> {
        let options = Options {
            runs,
            seed,
            threads,
            draws,
            nominal,
            posterior,
        };
        let mut settings = options.settings(&self.inner, &self.inner).map_err(to_py)?;
        if let Some(k) = trajectories {
            settings.trajectories = at_least_one("trajectories", k).map_err(to_py)?;
        }
        let scenario = Arc::clone(&self.inner);
        let result = interruptible(py, move |cancel| run_one(&scenario, &settings, cancel))?;
        Ok(Result {
            scenario: Arc::clone(&self.inner),
            result,
        })
    }
}

/// What a caller may choose about a run; unset values default as on the
/// command line.
struct Options {
    runs: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    draws: Option<usize>,
    nominal: bool,
    posterior: Option<PathBuf>,
}

impl Options {
    /// The settings of `scenario`; runs and seed default to `first`'s.
    fn settings(&self, scenario: &Loaded, first: &Loaded) -> entente::Result<Settings> {
        let mut settings = Settings::for_scenario(first);
        settings.runs = self.runs.unwrap_or(first.built.runs);
        settings.seed = self.seed.unwrap_or(first.built.seed);
        settings.threads = Some(simulation::check_threads(self.threads)?);
        if let Some(draws) = self.draws {
            settings.draws = at_least_one("draws", draws as u64)? as usize;
        }
        settings.nominal = self.nominal;
        settings.posterior = match &self.posterior {
            Some(file) => Some(Posterior::load(file, &scenario.built.model)?),
            None => None,
        };
        Ok(settings)
    }
}

/// The panic payload that stops a run when Ctrl-C was pressed.
struct Cancelled;

/// Runs `scenario`, giving up at the next finished chunk of runs once
/// `cancel` is set.
fn run_one(
    scenario: &Loaded,
    settings: &Settings,
    cancel: &AtomicBool,
) -> entente::Result<RunResult> {
    // The engine reports every finished chunk; unwinding from there stops
    // the job (rayon carries the unwind to the caller). `resume_unwind`
    // skips the panic hook, so nothing is printed.
    let progress = |_: u64| {
        if cancel.load(Ordering::Relaxed) {
            resume_unwind(Box::new(Cancelled));
        }
    };
    simulation::run_observed(scenario, settings, &progress, None)
}

/// Runs `job` on a worker thread with the GIL released, checking for
/// Ctrl-C (and other signals) every 100 ms. A signal raises its exception
/// (KeyboardInterrupt) at once; the worker, told by the flag it watches,
/// gives up in the background (the engine finishes the chunks of runs it
/// has started, which can take seconds) and its result is dropped.
fn interruptible<T: Send + 'static>(
    py: Python<'_>,
    job: impl FnOnce(&AtomicBool) -> entente::Result<T> + Send + 'static,
) -> PyResult<T> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    let (done, finished) = mpsc::channel();
    std::thread::Builder::new()
        .name("entente-run".to_string())
        .spawn(move || {
            let outcome = catch_unwind(AssertUnwindSafe(|| job(&flag)));
            let _ = done.send(outcome);
        })
        .map_err(|e| EntenteError::new_err(format!("starting a worker thread: {e}")))?;
    py.detach(move || {
        loop {
            match finished.recv_timeout(Duration::from_millis(100)) {
                Ok(Ok(result)) => return result.map_err(to_py),
                Ok(Err(panic)) => {
                    return Err(EntenteError::new_err(format!(
                        "internal error: {}",
                        panic_text(&*panic)
                    )));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(EntenteError::new_err(
                        "internal error: the worker thread stopped without a result",
                    ));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(e) = Python::attach(|py| py.check_signals()) {
                        cancel.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                }
            }
        }
    })
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "the simulation stopped unexpectedly".to_string()
    }
}

/// The result of running a scenario: its tables as CSV text.
#[pyclass(module = "entente._entente", frozen)]
struct Result {
    scenario: Arc<Loaded>,
    result: RunResult,
}

#[pymethods]
impl Result {
    #[getter]
    fn scenario(&self) -> &str {
        &self.result.scenario
    }

    #[getter]
    fn runs(&self) -> u64 {
        self.result.runs()
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.result.seed
    }

    #[getter]
    fn wall_seconds(&self) -> f64 {
        self.result.wall_seconds
    }

    /// The CSV text of a table of the result folder (`outcomes`,
    /// `configurations`, `config_timeseries`, `timeseries`, `final`,
    /// `dyads`, `shocks`, `parameters`, `draws`, `importance`,
    /// `trajectories`), or `None` when this run has no such table.
    fn table(&self, name: &str) -> PyResult<Option<String>> {
        let r = &self.result;
        let aggregate = &r.ensemble.aggregate;
        let configurations = &r.configuration_names;
        let nested = r.plan.is_nested();
        Ok(match name {
            "outcomes" => Some(output::outcomes_table(r)),
            "configurations" if !configurations.is_empty() => Some(output::configurations_table(
                configurations,
                &aggregate.configurations,
                aggregate.runs,
            )),
            "config_timeseries" if !configurations.is_empty() => {
                Some(output::config_timeseries_table(r))
            }
            "configurations" | "config_timeseries" => None,
            "timeseries" => Some(output::timeseries_table(r)),
            "final" => Some(output::final_table(aggregate, &r.dyads)),
            "dyads" => Some(output::dyads_table(aggregate, &r.dyads)),
            "shocks" => Some(output::shocks_table(aggregate, &r.shocks)),
            "parameters" => Some(sc::parameters_csv(&sc::parameter_rows(&self.scenario))),
            "draws" if nested => Some(output::draws_table(r)),
            "importance" if nested => Some(output::importance_table(r)),
            "draws" | "importance" => None,
            "trajectories" if !r.ensemble.trajectories.is_empty() => {
                Some(output::trajectories_table(r))
            }
            "trajectories" => None,
            _ => {
                return Err(PyValueError::new_err(format!(
                    "no table `{name}`; expected one of outcomes, configurations, \
                     config_timeseries, timeseries, final, dyads, shocks, parameters, \
                     draws, importance, trajectories"
                )));
            }
        })
    }

    /// `manifest.json` of this result, as JSON text.
    fn manifest_json(&self, command: &str) -> String {
        to_json(&RunManifest::of(&self.scenario, &self.result, command))
    }

    /// Writes the run folder (tables and manifest; no charts) to `dir`,
    /// replacing an existing folder only when `force` is true.
    #[pyo3(signature = (dir, command, force=false))]
    fn write(&self, py: Python<'_>, dir: PathBuf, command: &str, force: bool) -> PyResult<String> {
        py.detach(|| write_folder(&dir, &self.scenario, &self.result, command, force))
            .map_err(to_py)
    }
}

fn write_folder(
    dir: &Path,
    scenario: &Loaded,
    result: &RunResult,
    command: &str,
    force: bool,
) -> entente::Result<String> {
    let staging = Staging::create(dir, force)?;
    output::write_run(staging.path(), scenario, result, command)?;
    Ok(staging.commit()?.display().to_string())
}

/// Runs scenarios on common random numbers as `entente compare` does:
/// returns each one's result, `comparison.csv` and `differences.csv`.
#[pyfunction]
#[pyo3(signature = (scenarios, runs=None, seed=None, threads=None, draws=None, nominal=false, posterior=None))]
#[allow(clippy::too_many_arguments)]
fn compare_scenarios(
    py: Python<'_>,
    scenarios: Vec<Py<Scenario>>,
    runs: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    draws: Option<usize>,
    nominal: bool,
    posterior: Option<PathBuf>,
) -> PyResult<(Vec<Result>, String, String)> {
    let loaded: Vec<Arc<Loaded>> = scenarios
        .iter()
        .map(|s| Arc::clone(&s.get().inner))
        .collect();
    let Some(first) = loaded.first() else {
        return Err(input(entente::InputError::new(
            "found no scenario, expected at least one",
        )));
    };
    for (i, s) in loaded.iter().enumerate() {
        if loaded[..i].iter().any(|t| t.name() == s.name()) {
            return Err(input(
                entente::InputError::new(format!(
                    "scenario name `{}` appears twice; each compared scenario needs its own name",
                    s.name()
                ))
                .in_file(&s.path)
                .key("name"),
            ));
        }
    }
    let options = Options {
        runs,
        seed,
        threads,
        draws,
        nominal,
        posterior,
    };
    let mut all = loaded
        .iter()
        .map(|s| options.settings(s, first))
        .collect::<entente::Result<Vec<_>>>()
        .map_err(to_py)?;
    let plain: Vec<Loaded> = loaded.iter().map(|s| (**s).clone()).collect();
    comparison::pair_layouts(&plain, &mut all);
    let results = interruptible(py, move |cancel| {
        plain
            .iter()
            .zip(&all)
            .map(|(s, set)| run_one(s, set, cancel))
            .collect::<entente::Result<Vec<_>>>()
    })?;
    let side_by_side = output::comparison_table(&results);
    let differences = output::differences_table(&comparison::differences(&results));
    let results = loaded
        .into_iter()
        .zip(results)
        .map(|(scenario, result)| Result { scenario, result })
        .collect();
    Ok((results, side_by_side, differences))
}

/// Runs a whole sweep file into `out`, as `entente sweep --no-charts` does
/// (resumable with `resume`; an existing result replaced only with
/// `force`), and returns the folder.
#[pyfunction]
#[pyo3(signature = (path, out, threads=None, resume=false, force=false))]
fn run_sweep(
    py: Python<'_>,
    path: PathBuf,
    out: PathBuf,
    threads: Option<usize>,
    resume: bool,
    force: bool,
) -> PyResult<String> {
    let sweep = entente::sweep::load(&path).map_err(input)?;
    let pool = simulation::thread_pool(threads).map_err(to_py)?;
    let folder = out.clone();
    interruptible(py, move |cancel| {
        let progress = |_: u64| {
            if cancel.load(Ordering::Relaxed) {
                resume_unwind(Box::new(Cancelled));
            }
        };
        let _lock = output::Lock::acquire(&folder)?;
        pool.install(|| entente::sweep::run_whole(&sweep, &folder, resume, force, &progress))
    })?;
    Ok(out.display().to_string())
}

#[pymodule]
fn _entente(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Scenario>()?;
    m.add_class::<Result>()?;
    m.add_function(wrap_pyfunction!(compare_scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(run_sweep, m)?)?;
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("EntenteError", m.py().get_type::<EntenteError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
