//! Malformed scenario files must be rejected as bad input, never crash.
//!
//! Every file in `tests/bad/` is a small valid three-agent scenario (the text
//! of `BASE` below) with exactly one fault, and the file is named for that
//! fault. For each one, both `entente validate FILE` and
//! `entente run FILE --runs 10 --out DIR` must:
//!
//! - exit with code 2 (bad input);
//! - name the file and say what is wrong: the offending key, agent id or value,
//!   as listed per file in `CASES`;
//! - not panic or suggest a backtrace;
//! - leave no output files behind, neither in `--out` nor in the working
//!   directory.
//!
//! A missing file and a directory given in place of a file are checked the
//! same way.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// One fixture and what its error message must contain: every group must be
/// matched by at least one of its alternatives (case-sensitive substrings).
/// Fragments are looked for in stderr after the file's path and name are
/// removed from it, so that a file named `zero_runs.toml` does not by itself
/// satisfy the fragment `runs`.
struct Case {
    file: &'static str,
    expect: &'static [&'static [&'static str]],
}

const CASES: &[Case] = &[
    // TOML syntax: an unclosed string on line 25. The position is the only
    // thing that locates a syntax error, so the message must give the line
    // (`FILE:LINE:COL`, which reads `:25:` once the path is removed).
    Case {
        file: "syntax_error.toml",
        expect: &[&[":25:"]],
    },
    // Structure and key names.
    Case {
        file: "unknown_top_level_key.toml",
        expect: &[&["reprot"]],
    },
    Case {
        file: "unknown_param.toml",
        expect: &[&["beta_X"]],
    },
    Case {
        file: "unknown_agent_key.toml",
        expect: &[&["aggresion"]],
    },
    Case {
        file: "unknown_dyad_key.toml",
        expect: &[&["mew"]],
    },
    Case {
        file: "unknown_shock_key.toml",
        expect: &[&["persistant"]],
    },
    Case {
        file: "missing_name.toml",
        expect: &[&["name"]],
    },
    Case {
        file: "wrong_type.toml",
        expect: &[&["capability"]],
    },
    // Agents.
    Case {
        file: "empty_agent_list.toml",
        expect: &[&["agents"]],
    },
    Case {
        file: "single_agent.toml",
        expect: &[&["agents"]],
    },
    Case {
        file: "duplicate_agent_id.toml",
        expect: &[&["RUS"]],
    },
    Case {
        file: "infinite_capability.toml",
        expect: &[&["capability"], &["inf", "Inf"]],
    },
    Case {
        file: "negative_capability.toml",
        expect: &[&["capability"], &["-0.0365"]],
    },
    // Dyads.
    Case {
        file: "unknown_agent_in_dyad.toml",
        expect: &[&["JPN"]],
    },
    Case {
        file: "self_dyad.toml",
        expect: &[&["RUS.RUS", "RUS-RUS"]],
    },
    Case {
        file: "value_out_of_range.toml",
        expect: &[&["1.7"]],
    },
    Case {
        file: "stance_out_of_range.toml",
        expect: &[&["stance"], &["1.5"]],
    },
    Case {
        file: "symmetric_twice.toml",
        expect: &[&["0.61", "0.83"]],
    },
    // Parameters and run settings.
    Case {
        file: "nan_param.toml",
        expect: &[&["beta_E"], &["NaN", "nan"]],
    },
    Case {
        file: "fractional_step_count.toml",
        expect: &[&["7.5"]],
    },
    Case {
        file: "negative_runs.toml",
        expect: &[&["runs"], &["-5"]],
    },
    Case {
        file: "zero_runs.toml",
        expect: &[&["runs"]],
    },
    Case {
        file: "zero_horizon.toml",
        expect: &[&["horizon"]],
    },
    // Shocks.
    Case {
        file: "negative_shock_rate.toml",
        expect: &[&["rate"], &["-0.5"]],
    },
    Case {
        file: "rate_and_at_step.toml",
        expect: &[&["at_step"]],
    },
    Case {
        file: "reversed_window.toml",
        expect: &[&["window"]],
    },
    Case {
        file: "duplicate_shock_id.toml",
        expect: &[&["us_pressure_escalation"]],
    },
    Case {
        file: "bad_effect_target.toml",
        expect: &[&["dyad.USA.CHN.Q", "`Q`"]],
    },
    Case {
        file: "bad_effect_op.toml",
        expect: &[&["subtract"]],
    },
    // Outcomes, report, evidence.
    Case {
        file: "outcome_missing_dyad.toml",
        expect: &[&["IND"]],
    },
    Case {
        file: "unknown_dyad_state.toml",
        expect: &[&["allaince"]],
    },
    Case {
        file: "unknown_configuration.toml",
        expect: &[&["love_triangle"]],
    },
    Case {
        file: "unknown_triad_agent.toml",
        expect: &[&["JPN"]],
    },
    Case {
        file: "bad_evidence_path.toml",
        expect: &[&["charisma"]],
    },
    Case {
        file: "unknown_shock_in_evidence.toml",
        expect: &[&["trade_war"]],
    },
    // The scenario name becomes a folder name: anything but one safe path
    // component is refused when the file is read.
    Case {
        file: "name_absolute_path.toml",
        expect: &[&["key `name`"], &["/tmp/entente-escape"]],
    },
    Case {
        file: "name_parent_folder.toml",
        expect: &[&["key `name`"], &["../escape"]],
    },
    Case {
        file: "name_empty.toml",
        expect: &[&["key `name`"], &["empty name"]],
    },
    Case {
        file: "name_control_character.toml",
        expect: &[&["key `name`"], &["\\u{1b}"]],
    },
    Case {
        file: "name_too_long.toml",
        expect: &[&["key `name`"], &["300 characters"], &["100"]],
    },
    Case {
        file: "name_dot.toml",
        expect: &[&["key `name`"], &["`.`"]],
    },
    // Messages state the real limits and quote values exactly.
    Case {
        file: "max_count_zero.toml",
        expect: &[&["max_count"], &["1000000000"]],
    },
    Case {
        file: "shock_rate_too_high.toml",
        expect: &[&["rate"], &["1000000"]],
    },
    Case {
        file: "at_step_huge.toml",
        expect: &[&["at_step"], &["9223372036854775807"]],
    },
    Case {
        file: "duplicate_key.toml",
        expect: &[&["duplicate key `E`"]],
    },
    Case {
        file: "unknown_shock_none_defined.toml",
        expect: &[&["unknown shock `s1`"], &["defines none"]],
    },
    Case {
        file: "empty_label.toml",
        expect: &[&["agents.USA.label"], &["1 to 60 characters"]],
    },
];

/// The valid scenario every fixture departs from.
const BASE: &str = r#"name = "bad-input-fixture"
description = "Small valid scenario used as the base of the malformed-input fixtures."
start = 2020-07-23

[run]
runs = 100
seed = 2020
horizon = 8

[params]
beta_E = 0.6

[report]
triad = ["USA", "CHN", "RUS"]

[[agents]]
id = "USA"
name = "United States"
capability = 0.1331
aggression = 0.1

[[agents]]
id = "RUS"
name = "Russia"
capability = 0.0365
aggression = 0.4

[[agents]]
id = "CHN"
name = "China"
capability = 0.2306
aggression = 0.4

[dyad.USA.CHN]
E = 3.2
P = 0.8
stance = -0.5
N = -0.45
R = 0.6

[dyad.CHN.USA]
E = 4.85
P = 0.3
stance = -0.4

[dyad.USA.RUS]
E = 0.12
P = 0.6
stance = -0.6

[dyad.RUS.USA]
E = 1.5
P = 0.3
stance = -0.6
N = -0.28
R = 0.5

[dyad.RUS.CHN]
E = 6.5
stance = 0.5
mu = 0.05
N = 0.83
R = 0.35

[dyad.CHN.RUS]
E = 0.79
stance = 0.5

[[shocks]]
id = "us_pressure_escalation"
rate = 0.5
window = [0, 7]
max_count = 2
effects = [ { target = "dyad.USA.CHN.P", op = "add", value = 0.2 } ]

[[outcomes]]
name = "sino_russian_alliance"
when = [ { dyad = "RUS-CHN", state = "alliance" } ]

[[outcomes]]
name = "partnership_short_of_alliance"
when = [ { dyad = "RUS-CHN", state = "partnership" } ]

[[outcomes]]
name = "drift"
when = []

[[evidence]]
path = "dyad.RUS.CHN.E"
source = "[A] The Enemy of My Enemy is My Friend (2020)"
section = "The Alignment of Political and Economic Spheres"
claim = "Trade with China is a large share of Russia's economy."
"#;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("bad")
}

/// Runs the binary in `cwd` with a clean backtrace setting, so that a panic
/// would show its usual "note: run with `RUST_BACKTRACE=1`" line.
fn entente<I, S>(cwd: &Path, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_entente"))
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .env("NO_COLOR", "1")
        .output()
        .expect("the entente binary can be started")
}

/// Every regular file below `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Checks one rejected invocation of `file`; returns what is wrong with it,
/// if anything.
fn problems(output: &Output, file: &Path, expect: &[&[&str]], workdir: &Path) -> Vec<String> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let name = file
        .file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned();
    let mut found = Vec::new();
    if output.status.code() != Some(2) {
        found.push(format!(
            "exit status {:?}, expected code 2",
            output.status.code()
        ));
    }
    if !stderr.contains(&name) {
        found.push(format!("stderr does not name the file `{name}`"));
    }
    let message = stderr
        .replace(file.to_string_lossy().as_ref(), "")
        .replace(&name, "");
    for group in expect {
        if !group.iter().any(|fragment| message.contains(fragment)) {
            found.push(format!("the message contains none of {group:?}"));
        }
    }
    for forbidden in ["panicked", "RUST_BACKTRACE"] {
        if stderr.contains(forbidden) {
            found.push(format!("stderr contains `{forbidden}`"));
        }
    }
    let left = files_under(workdir);
    if !left.is_empty() {
        found.push(format!("files left behind: {left:?}"));
    }
    if !found.is_empty() {
        found.push(format!("stderr was:\n{}", stderr.trim_end()));
    }
    found
}

/// Which command to try on a bad file.
#[derive(Clone, Copy, Debug)]
enum Mode {
    Validate,
    Run,
}

/// Runs `mode` on `file` from a fresh, empty working directory and checks the
/// rejection.
fn check(mode: Mode, file: &Path, expect: &[&[&str]]) -> Vec<String> {
    let work = TempDir::new().expect("temporary directory");
    let output = match mode {
        Mode::Validate => entente(work.path(), [OsStr::new("validate"), file.as_os_str()]),
        Mode::Run => {
            let out = work.path().join("out");
            entente(
                work.path(),
                [
                    OsStr::new("run"),
                    file.as_os_str(),
                    OsStr::new("--runs"),
                    OsStr::new("10"),
                    OsStr::new("--out"),
                    out.as_os_str(),
                ],
            )
        }
    };
    problems(&output, file, expect, work.path())
}

fn check_all_fixtures(mode: Mode) {
    let dir = fixtures();
    let mut failures = Vec::new();
    for case in CASES {
        let file = dir.join(case.file);
        assert!(file.is_file(), "missing fixture {}", file.display());
        let found = check(mode, &file, case.expect);
        if !found.is_empty() {
            failures.push(format!(
                "{:?} {}:\n  {}",
                mode,
                case.file,
                found.join("\n  ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad files not rejected as expected:\n\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_fixture_has_a_case_and_every_case_a_fixture() {
    let mut on_disk: Vec<String> = fs::read_dir(fixtures())
        .expect("tests/bad exists")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.file.to_string()).collect();
    listed.sort();
    let mut unique = listed.clone();
    unique.dedup();
    assert_eq!(listed, unique, "a fixture is listed twice in CASES");
    assert_eq!(on_disk, listed, "tests/bad and CASES disagree");
    assert!(CASES.len() >= 18);
}

#[test]
fn the_base_of_the_fixtures_is_valid() {
    let work = TempDir::new().expect("temporary directory");
    let file = work.path().join("base.toml");
    fs::write(&file, BASE).expect("write the base scenario");
    let output = entente(work.path(), [OsStr::new("validate"), file.as_os_str()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "the base scenario must be valid, so that each fixture has exactly one fault; stderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn validate_rejects_every_bad_file() {
    check_all_fixtures(Mode::Validate);
}

#[test]
fn run_rejects_every_bad_file() {
    check_all_fixtures(Mode::Run);
}

#[test]
fn a_missing_file_is_bad_input() {
    let holder = TempDir::new().expect("temporary directory");
    let missing = holder.path().join("no-such-scenario.toml");
    let mut failures = Vec::new();
    for mode in [Mode::Validate, Mode::Run] {
        let found = check(mode, &missing, &[]);
        if !found.is_empty() {
            failures.push(format!("{mode:?}:\n  {}", found.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_directory_instead_of_a_file_is_bad_input() {
    let holder = TempDir::new().expect("temporary directory");
    let dir = holder.path().join("scenario-folder.toml");
    fs::create_dir(&dir).expect("create a directory");
    let mut failures = Vec::new();
    for mode in [Mode::Validate, Mode::Run] {
        let found = check(mode, &dir, &[]);
        if !found.is_empty() {
            failures.push(format!("{mode:?}:\n  {}", found.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
