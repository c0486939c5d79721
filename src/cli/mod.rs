//! Command-line interface: flags, dispatch to one module per subcommand,
//! and the mapping of errors to exit codes (2 for bad input, 1 otherwise).

/// Prints a line to standard output, unless `--quiet` was given. A closed
/// pipe (`entente ... | head`) means the reader has seen enough: that write
/// error is ignored, never a panic. Any other write error (a full disk) is
/// kept by [`stdout_failed`] and turns the exit code into 1 once the command
/// is done.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if !$crate::cli::quiet() {
            $crate::cli::stdout_result(writeln!(std::io::stdout(), $($arg)*));
        }
    }};
}

/// Like [`say!`] without the newline.
macro_rules! say_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if !$crate::cli::quiet() {
            $crate::cli::stdout_result(write!(std::io::stdout(), $($arg)*));
        }
    }};
}

/// Whether `--quiet` was given: no progress bars, no summaries.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub(crate) fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// Writes what a command was asked to produce (JSON, a completion script, a
/// manual page) to standard output, also under `--quiet`.
fn write_stdout(bytes: &[u8]) {
    use std::io::Write as _;
    stdout_result(std::io::stdout().write_all(bytes));
}

/// A progress bar on standard error for `len` items, drawn with `template`
/// (an indicatif template; `{rate}` shows e.g. `1,234 runs/s`, with `unit`
/// the items' name). Hidden under `--quiet`, and by indicatif whenever
/// standard error is not a terminal.
fn progress_bar(len: u64, unit: &'static str, template: &str) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
    let bar = ProgressBar::new(len);
    if quiet() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let style = ProgressStyle::with_template(template)
        .expect("valid template")
        .with_key(
            "rate",
            move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{}", crate::format::fmt_rate(state.per_sec(), unit));
            },
        );
    bar.set_style(style);
    bar
}

/// The first error writing standard output other than a closed pipe.
static STDOUT_ERROR: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Records the outcome of a write to standard output (see [`say!`]).
pub(crate) fn stdout_result(result: std::io::Result<()>) {
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
        && let Ok(mut first) = STDOUT_ERROR.lock()
    {
        first.get_or_insert_with(|| e.to_string());
    }
}

/// Flushes standard output and returns the first write error that was not
/// a closed pipe, if any.
fn stdout_failed() -> Option<String> {
    use std::io::Write as _;
    stdout_result(std::io::stdout().flush());
    STDOUT_ERROR.lock().ok().and_then(|e| e.clone())
}

/// Prints a message to standard error; if even that fails there is no one
/// left to tell, so the error is dropped (never a panic).
fn tell(message: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{message}");
}

mod calibrate;
mod compare;
mod help;
mod json;
mod plot;
mod report;
mod run;
mod sweep;
mod validate;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::charts::{ChartOptions, ChartSize, with_options};
use crate::error::{Result, at_least_one};

/// Agent-based simulator of great-power alignment: seeded Monte Carlo over
/// scenario files.
#[derive(Debug, Parser)]
#[command(name = "entente", version, about, long_about = None, after_help = help::MAIN)]
pub struct Cli {
    /// Print nothing on success: no progress bar and no summary (errors
    /// still go to standard error; `--json` output is still printed).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario many times and write the distribution of outcomes.
    #[command(after_help = help::RUN)]
    Run(RunArgs),
    /// Check a scenario and print its parameters with their evidence.
    #[command(after_help = help::VALIDATE)]
    Validate(ValidateArgs),
    /// Run several scenarios with the same seed and runs (by default those of
    /// the first scenario), side by side.
    #[command(after_help = help::COMPARE)]
    Compare(CompareArgs),
    /// Re-draw the charts of a result folder from its CSV files.
    #[command(after_help = help::PLOT)]
    Plot(PlotArgs),
    /// Write (again) report.md and report.html of a result folder from its
    /// files, e.g. after `plot` drew its charts.
    Report(ReportArgs),
    /// Run a parameter sweep or sensitivity design, whole or one shard of it.
    #[command(after_help = help::SWEEP)]
    Sweep(SweepArgs),
    /// Join the shard folders of a sweep into one result.
    #[command(after_help = help::MERGE)]
    Merge(MergeArgs),
    /// Calibrate a scenario against observed history by ABC-SMC and score
    /// its forecasts of held-out years.
    #[command(after_help = help::CALIBRATE)]
    Calibrate(CalibrateArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell).
    #[command(after_help = help::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the manual page of entente or of one of its commands (roff).
    #[command(after_help = help::MAN)]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command (e.g. `run`) whose page to print instead of the main page.
    pub command: Option<String>,
}

/// The flags `run` and `compare` share: how much to simulate and what to write.
#[derive(Debug, Args)]
pub struct SimulationArgs {
    /// Runs per scenario (default: `run.runs` of the scenario file).
    #[arg(long, allow_negative_numbers = true)]
    pub runs: Option<u64>,
    /// Master seed (default: `run.seed` of the scenario file).
    #[arg(long, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Changes no result.
    #[arg(long, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Replace an existing result folder.
    #[arg(long)]
    pub force: bool,
    /// Skip drawing charts.
    #[arg(long)]
    pub no_charts: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
    /// Also write report.md and report.html.
    #[arg(long)]
    pub report: bool,
    /// Also write runs.csv with one row per run (per scenario in `compare`).
    #[arg(long)]
    pub per_run: bool,
    /// Print the summary as JSON on standard output instead of the table
    /// (shape in docs/outputs.md).
    #[arg(long)]
    pub json: bool,
    /// Parameter sets drawn when the scenario declares uncertain parameters
    /// (default 200); the runs are split evenly among them.
    #[arg(long, allow_negative_numbers = true)]
    pub draws: Option<u64>,
    /// Ignore the scenario's `[uncertainty]` table: every parameter at its
    /// written value, intervals from Monte Carlo error only.
    #[arg(long, conflicts_with = "posterior")]
    pub nominal: bool,
    /// Draw parameter sets from a calibration's posterior.csv (weighted
    /// particles, one column per parameter path).
    #[arg(long, value_name = "FILE.csv")]
    pub posterior: Option<PathBuf>,
    /// Set a value by parameter path, e.g. `--set params.c_T=1.5`
    /// (repeatable; fixes a parameter the scenario declares uncertain).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML), or `-` to read it from standard input.
    pub scenario: PathBuf,
    /// Result folder; `None` means `output/<scenario name>/`.
    #[arg(long, help = "Result folder (default: output/<scenario name>/)")]
    pub out: Option<PathBuf>,
    /// Also write trajectories.csv: the alignment of every dyad at every step
    /// of K runs spread evenly over all runs (run floor(i * runs / K)).
    #[arg(long, value_name = "K", allow_negative_numbers = true)]
    pub trajectories: Option<u64>,
    #[command(flatten)]
    pub sim: SimulationArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario file (TOML), or `-` to read it from standard input.
    pub scenario: PathBuf,
    /// Fail (exit 2) when a calibrated value has no evidence.
    #[arg(long)]
    pub strict: bool,
    /// Set a value by parameter path before checking (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files (TOML), two or more; one of them may be `-` (standard
    /// input).
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    /// Result folder; `None` means `output/compare-<names>/`.
    #[arg(long, help = "Result folder (default: output/compare-<names>/)")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub sim: SimulationArgs,
}

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// Result folder written by `entente run`, `compare`, `sweep` or `merge`.
    pub dir: PathBuf,
    #[command(flatten)]
    pub charts: ChartArgs,
}

/// How charts are drawn: the flags every command that draws charts shares.
#[derive(Debug, Clone, Args)]
pub struct ChartArgs {
    /// Chart size: `screen` (1800 px wide), `paper` (6.5 in at 300 DPI,
    /// no text under 8 pt) or `slide` (13.33 x 7.5 in at 150 DPI).
    #[arg(long, value_enum, default_value_t = ChartSize::Screen, value_name = "PRESET")]
    pub size: ChartSize,
    /// Draw charts without title and subtitle lines, for figures captioned
    /// in the text that shows them.
    #[arg(long)]
    pub no_title: bool,
}

impl ChartArgs {
    pub fn options(&self) -> ChartOptions {
        ChartOptions {
            size: self.size,
            title: !self.no_title,
        }
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Result folder written by `entente run`, `compare`, `sweep`, `merge` or `calibrate`.
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Sweep file (TOML).
    pub sweep: PathBuf,
    /// Result folder; `None` means `output/<sweep name>/`, or `.../shard-I/` for a shard.
    #[arg(
        long,
        help = "Result folder (default: output/<sweep name>/, or .../shard-I/ for a shard)"
    )]
    pub out: Option<PathBuf>,
    /// Run only shard I of N, counted from 0: I is 0 to N-1 (default: the
    /// task's position in a Slurm array, from SLURM_ARRAY_TASK_ID,
    /// SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT, when set; else the
    /// whole sweep).
    #[arg(long, value_name = "I/N", allow_hyphen_values = true)]
    pub shard: Option<String>,
    /// Continue an interrupted sweep in the same folder.
    #[arg(long)]
    pub resume: bool,
    /// Replace an existing result folder.
    #[arg(long)]
    pub force: bool,
    /// Skip the charts (draw them later with `entente plot`).
    #[arg(long)]
    pub no_charts: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
    /// Worker threads (default: all cores). Changes no result.
    #[arg(long, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Print the number of points and runs and an estimated time (from a
    /// short timed pilot), then stop: nothing is written.
    #[arg(long, conflicts_with_all = ["resume", "force", "report"])]
    pub dry_run: bool,
    /// Also write report.md and report.html (not for a single shard: the
    /// report of a sharded sweep comes with `merge --report`).
    #[arg(long)]
    pub report: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `entente sweep --shard`.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Folder for the merged result.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing result folder.
    #[arg(long)]
    pub force: bool,
    /// Skip the charts (draw them later with `entente plot`).
    #[arg(long)]
    pub no_charts: bool,
    /// Also write report.md and report.html.
    #[arg(long)]
    pub report: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Calibration file (TOML).
    pub calibration: PathBuf,
    /// Use nothing after this year: not its observations, driver values or
    /// scheduled events (default: `until` of the calibration file).
    #[arg(long, allow_negative_numbers = true)]
    pub until: Option<i64>,
    /// Result folder; `None` means `output/<calibration name>/`.
    #[arg(long, help = "Result folder (default: output/<calibration name>/)")]
    pub out: Option<PathBuf>,
    /// Master seed (default: `seed` of the calibration file).
    #[arg(long, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Changes no result.
    #[arg(long, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Particles per generation (default: `abc.particles`).
    #[arg(long, allow_negative_numbers = true)]
    pub particles: Option<u64>,
    /// Continue an interrupted calibration in the same folder.
    #[arg(long)]
    pub resume: bool,
    /// Replace an existing result folder.
    #[arg(long)]
    pub force: bool,
    /// Forecast held-out years with the drivers and events that actually
    /// followed (a conditional forecast, labelled as such).
    #[arg(long)]
    pub conditional: bool,
    /// Skip the charts.
    #[arg(long)]
    pub no_charts: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
    /// Also write report.md and report.html.
    #[arg(long)]
    pub report: bool,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            if let Err(failed) = e.print()
                && code == 0
                && failed.kind() != std::io::ErrorKind::BrokenPipe
            {
                tell(&format!("error: cannot write to standard output: {failed}"));
                return 1;
            }
            return code;
        }
    };
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
    // Charts are drawn on this thread, under the options of the command.
    let charts = |c: &ChartArgs| c.options();
    let result = match cli.command {
        Command::Run(args) => with_options(&charts(&args.sim.charts), || run::execute(&args)),
        Command::Validate(args) => validate::execute(&args),
        Command::Compare(args) => {
            with_options(&charts(&args.sim.charts), || compare::execute(&args))
        }
        Command::Plot(args) => with_options(&charts(&args.charts), || plot::execute(&args)),
        Command::Report(args) => report::execute(&args),
        Command::Sweep(args) => with_options(&charts(&args.charts), || sweep::execute(&args)),
        Command::Merge(args) => with_options(&charts(&args.charts), || sweep::merge(&args)),
        Command::Calibrate(args) => {
            with_options(&charts(&args.charts), || calibrate::execute(&args))
        }
        Command::Completions(args) => help::completions(args.shell),
        Command::Man(args) => help::man(args.command.as_deref()),
    };
    let code = match result {
        Ok(()) => 0,
        Err(e) => {
            tell(&format!(
                "error: {}",
                crate::error::printable(&e.to_string())
            ));
            e.exit_code()
        }
    };
    match stdout_failed() {
        Some(e) if code == 0 => {
            tell(&format!("error: cannot write to standard output: {e}"));
            1
        }
        _ => code,
    }
}

/// The name a scenario read from standard input goes by in messages and
/// manifests. Its `extends` and data paths resolve against the current
/// directory, as this name has no folder.
pub const STDIN_NAME: &str = "<stdin>";

/// Loads a scenario (`-`: from standard input) and applies `--set`
/// assignments to it.
fn load_scenario(path: &std::path::Path, set: &[String]) -> Result<crate::scenario::Scenario> {
    let mut scenario = if path == std::path::Path::new("-") {
        let name = std::path::Path::new(STDIN_NAME);
        let source = crate::scenario::read_text(std::io::stdin().lock(), name)?;
        crate::scenario::parse(name, &source)?
    } else {
        crate::scenario::load(path)?
    };
    for assignment in set {
        scenario.set(assignment)?;
    }
    Ok(scenario)
}

/// The command line as typed, for the manifest.
fn command_line() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}
