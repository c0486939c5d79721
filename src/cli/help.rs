//! The examples and exit codes shown after each command's `--help`, and the
//! `completions` and `man` commands.

use clap::CommandFactory;

use super::Cli;
use crate::error::{InputError, Result};

/// What every command's exit status means (`src/cli/mod.rs` maps errors to
/// these codes).
macro_rules! exit_codes {
    () => {
        "Exit codes:\n  0  success\n  1  failure other than bad input (a file that cannot be written, a damaged result folder)\n  2  bad input: a bad flag, or a scenario, sweep or calibration file with an error (the message names file, line and key)"
    };
}

pub const MAIN: &str = concat!(
    "Examples:\n",
    "  entente run scenarios/baseline-2020.toml --runs 20000\n",
    "  entente compare scenarios/baseline-2020.toml scenarios/us-courts-russia.toml\n",
    "  entente completions bash > ~/.local/share/bash-completion/completions/entente\n",
    "\n",
    "Global flag: --quiet (-q) prints nothing on success. docs/outputs.md defines every output file and column.\n",
    "\n",
    exit_codes!()
);

pub const RUN: &str = concat!(
    "Examples:\n",
    "  entente run scenarios/baseline-2020.toml\n",
    "  entente run scenarios/baseline-2020.toml --runs 20000 --seed 7 --per-run --trajectories 20\n",
    "  entente run - --json --quiet < my-scenario.toml   (scenario on standard input; paths in it resolve against the current folder)\n",
    "\n",
    exit_codes!()
);

pub const VALIDATE: &str = concat!(
    "Examples:\n",
    "  entente validate scenarios/baseline-2020.toml\n",
    "  entente validate - < my-scenario.toml\n",
    "\n",
    exit_codes!()
);

pub const COMPARE: &str = concat!(
    "Examples:\n",
    "  entente compare scenarios/baseline-2020.toml scenarios/us-courts-russia.toml --runs 20000\n",
    "  entente compare scenarios/baseline-2020.toml - --per-run --json < variant.toml\n",
    "\n",
    exit_codes!()
);

pub const PLOT: &str = concat!(
    "Example:\n",
    "  entente plot output/baseline-2020\n",
    "\n",
    exit_codes!()
);

pub const SWEEP: &str = concat!(
    "Examples:\n",
    "  entente sweep scenarios/sweeps/us-pressure-grid.toml\n",
    "  entente sweep scenarios/sweeps/sobol-partnership.toml --shard 0/4 --no-charts\n",
    "\n",
    exit_codes!()
);

pub const MERGE: &str = concat!(
    "Example:\n",
    "  entente merge output/sobol-partnership/shard-* --out output/sobol-partnership\n",
    "\n",
    exit_codes!()
);

pub const CALIBRATE: &str = concat!(
    "Examples:\n",
    "  entente calibrate scenarios/calibration/history.toml\n",
    "  entente calibrate scenarios/calibration/history.toml --until 2014 --particles 200\n",
    "\n",
    exit_codes!()
);

pub const COMPLETIONS: &str = concat!(
    "Examples:\n",
    "  entente completions bash > ~/.local/share/bash-completion/completions/entente\n",
    "  entente completions zsh > ~/.zfunc/_entente\n",
    "  entente completions fish > ~/.config/fish/completions/entente.fish\n",
    "\n",
    exit_codes!()
);

pub const MAN: &str = concat!(
    "Examples:\n",
    "  entente man > entente.1 && man ./entente.1\n",
    "  entente man run > entente-run.1\n",
    "\n",
    exit_codes!()
);

/// `entente completions SHELL`: the completion script on standard output.
pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "entente", &mut script);
    super::write_stdout(&script);
    Ok(())
}

/// `entente man [COMMAND]`: the roff manual page of entente, or of one
/// command (`entente-run(1)`), on standard output.
pub fn man(command: Option<&str>) -> Result<()> {
    let mut main = Cli::command();
    main.build();
    let page = match command {
        None => main,
        Some(name) => {
            let names: Vec<String> = main
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            let Some(sub) = main.find_subcommand(name).cloned() else {
                return Err(InputError::new(format!(
                    "found `{name}`, expected one of {}",
                    names.join(", ")
                ))
                .key("COMMAND")
                .into());
            };
            let full = format!("entente-{name}");
            sub.name(full.clone())
                .bin_name(full)
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|e| anyhow::anyhow!("rendering the manual page: {e}"))?;
    super::write_stdout(&roff);
    Ok(())
}
