//! A seeded mutation fuzzer over the bundled scenario and sweep files.
//!
//! Each case takes a bundled file and applies one to three mutations: a
//! number swapped for an extreme (0, -1, 2^63-1, 1e308, nan, ...), a string
//! swapped for a hostile one (empty, `..`, an absolute path, control
//! characters, 300 characters, the name of a result file), a line deleted,
//! duplicated or swapped, a key renamed, stray bytes inserted, or the text
//! cut short. Every case is parsed and validated in-process, where a panic
//! is caught and reported; a smaller share also runs the binary (`validate`
//! and a tiny `run --runs 16 --no-charts`, or a small `sweep --no-charts`)
//! from inside a temporary root. Every case must:
//!
//! - never panic (in-process: no unwinding; binary: no `panicked` text);
//! - exit with 0, 1 or 2 (binary);
//! - write nothing outside the folder it was given (binary): after all
//!   cases, the temporary root holds nothing beside the inputs and the
//!   working folder of the runs.
//!
//! The defaults (5,000 in-process cases, 40 binary cases) take well under
//! a minute. A longer run, for example before a release:
//!
//! ```sh
//! ENTENTE_FUZZ_CASES=200000 ENTENTE_FUZZ_BINARY=2000 ENTENTE_FUZZ_SEED=7 \
//!     cargo test --test suite fuzz:: -- --nocapture
//! ```

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// SplitMix64: a tiny seeded generator, so a failing case can be replayed
/// from the seed printed with it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "3",
    "0.5",
    "-0.0",
    "1e308",
    "-1e308",
    "1e-320",
    "nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "-9223372036854775808",
    "4294967295",
    "4611686018427387904",
    "100000",
    "100001",
    "1000000000",
    "24",
    "16",
];

/// Hostile strings, as TOML basic-string contents. `{ROOT}` is replaced by
/// the temporary root, so an absolute path that escaped would land there.
const STRINGS: &[&str] = &[
    "",
    ".",
    "..",
    "../escape",
    "../../../escape",
    "{ROOT}/escape",
    "/",
    "a/b",
    "\\u001b[31mred\\u001b[0m",
    "line\\nbreak",
    "tab\\there",
    "manifest.json",
    "charts",
    "comparison.csv",
    "http://example.org",
    "a,b",
    "```",
    "USA",
    "RUS-CHN",
    "CHN-CHN",
    "alliance",
    "sobol",
    "morris",
    "oat",
    "lhs",
    "dyad.USA.CHN.P",
    "params.beta_E",
    "shock.us_pressure_escalation.rate",
    "agent.RUS.capability",
    "../baseline-2020.toml",
    "/dev/zero",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
];

const SNIPPETS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "=",
    ",",
    "\n",
    "[[agents]]\n",
    "[run]\n",
    "[[shocks]]\n",
    "[grid]\n",
    "[design]\n",
    "#",
    "\\",
    "\u{0}",
    "\u{1b}",
    "é",
    "\"\"\"",
    "0x",
    "1_",
];

/// Byte spans of the numbers (outside strings and comments) of `text`.
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let (mut i, mut in_string, mut in_comment) = (0, false, false);
    while i < bytes.len() {
        let b = bytes[i];
        if in_comment {
            in_comment = b != b'\n';
        } else if in_string {
            if b == b'\\' {
                i += 1;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'#' {
            in_comment = true;
        } else if b == b'"' {
            in_string = true;
        } else if b.is_ascii_digit()
            || (b == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || b"+-._".contains(&bytes[i]))
            {
                i += 1;
            }
            if i > start && !(start > 0 && bytes[start - 1].is_ascii_alphabetic()) {
                spans.push((start, i));
            }
            continue;
        }
        i += 1;
    }
    spans
}

/// Byte spans of the contents of the one-line basic strings of `text`.
fn string_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = line.split('#').next().unwrap_or("");
        let quotes: Vec<usize> = code.match_indices('"').map(|(i, _)| i).collect();
        for pair in quotes.chunks(2) {
            if let [a, b] = pair {
                spans.push((offset + a + 1, offset + b));
            }
        }
        offset += line.len();
    }
    spans
}

/// One random mutation of `text`.
fn mutate(rng: &mut Rng, text: &str, root: &Path) -> String {
    let replace = |text: &str, (a, b): (usize, usize), with: &str| {
        format!("{}{with}{}", &text[..a], &text[b..])
    };
    match rng.below(9) {
        0 | 1 => {
            let spans = number_spans(text);
            if spans.is_empty() {
                return text.to_string();
            }
            let span = *rng.pick(&spans);
            let with = *rng.pick(NUMBERS);
            replace(text, span, with)
        }
        2 | 3 => {
            let spans = string_spans(text);
            if spans.is_empty() {
                return text.to_string();
            }
            let span = *rng.pick(&spans);
            let with = rng
                .pick(STRINGS)
                .replace("{ROOT}", &root.display().to_string());
            replace(text, span, &with)
        }
        4 => {
            // Delete, duplicate or swap lines.
            let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
            if lines.len() < 2 {
                return text.to_string();
            }
            let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
            match rng.below(3) {
                0 => {
                    lines.remove(i);
                }
                1 => lines.insert(j, lines[i]),
                _ => lines.swap(i, j),
            }
            lines.concat()
        }
        5 => {
            // Rename a key to another key of the file.
            let keys: Vec<(usize, usize)> = text
                .split_inclusive('\n')
                .scan(0, |offset, line| {
                    let start = *offset;
                    *offset += line.len();
                    Some((start, line))
                })
                .filter_map(|(start, line)| {
                    let key = line.split('=').next()?;
                    (line.contains('=') && !line.trim_start().starts_with('#'))
                        .then(|| (start, start + key.trim_end().len()))
                })
                .collect();
            if keys.len() < 2 {
                return text.to_string();
            }
            let (a, b) = (*rng.pick(&keys), *rng.pick(&keys));
            let other = text[b.0..b.1].trim().to_string();
            replace(text, a, &other)
        }
        6 | 7 => {
            let at = rng.below(text.len() + 1);
            let at = (0..=at)
                .rev()
                .find(|&k| text.is_char_boundary(k))
                .unwrap_or(0);
            let snippet = *rng.pick(SNIPPETS);
            format!("{}{snippet}{}", &text[..at], &text[at..])
        }
        _ => {
            let at = rng.below(text.len() + 1);
            let at = (0..=at)
                .rev()
                .find(|&k| text.is_char_boundary(k))
                .unwrap_or(0);
            text[..at].to_string()
        }
    }
}

/// The corpus: bundled scenarios and sweeps, the sweeps pointed at the base
/// scenario beside them (`../baseline-2020.toml`).
/// Files of the corpus: (file name, text).
type Files = Vec<(String, String)>;

fn corpus() -> (Files, Files) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read_all = |dir: &Path| -> Files {
        let mut files: Files = fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    fs::read_to_string(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let scenarios = read_all(&root.join("scenarios"));
    let mut sweeps = read_all(&root.join("scenarios/sweeps"));
    for (name, text) in read_all(&root.join("tests/sweeps")) {
        if name == "slow-grid.toml" {
            continue;
        }
        sweeps.push((
            name,
            text.replace(
                "../../scenarios/baseline-2020.toml",
                "../baseline-2020.toml",
            ),
        ));
    }
    assert!(scenarios.len() >= 4 && sweeps.len() >= 6);
    (scenarios, sweeps)
}

/// Every path below `dir`.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path.clone());
            }
            found.push(path);
        }
    }
    found
}

/// How the binary tries a fuzzed case: not at all (a valid sweep too big
/// to run in a test), as a scenario, or as a sweep.
enum Binary {
    Skip,
    Scenario,
    Sweep,
}

#[test]
fn mutated_inputs_never_panic_or_write_outside_their_folder() {
    let cases = env_number("ENTENTE_FUZZ_CASES", 5_000);
    let binary_cases = env_number("ENTENTE_FUZZ_BINARY", 40);
    let seed = env_number("ENTENTE_FUZZ_SEED", 2020);
    let (scenarios, sweeps) = corpus();

    let temp = TempDir::new().unwrap();
    let root = temp.path().canonicalize().unwrap();
    let inputs = root.join("scenarios");
    fs::create_dir_all(inputs.join("sweeps")).unwrap();
    for (name, text) in &scenarios {
        fs::write(inputs.join(name), text).unwrap();
    }
    let work = root.join("sandbox/a/b");
    fs::create_dir_all(&work).unwrap();

    let mut rng = Rng(seed);
    let mut failures = Vec::new();
    let mut binary_run = 0u64;
    let mut accepted = 0u64;
    // Every `every`-th case also runs the binary.
    let every = (cases / binary_cases.max(1)).max(1);
    for case in 0..cases {
        let is_sweep = rng.below(3) == 0;
        let (name, original) = if is_sweep {
            rng.pick(&sweeps)
        } else {
            rng.pick(&scenarios)
        };
        let mut text = original.clone();
        for _ in 0..1 + rng.below(3) {
            text = mutate(&mut rng, &text, &root);
        }
        let path = if is_sweep {
            inputs.join("sweeps").join(format!("fuzz-{case}.toml"))
        } else {
            inputs.join(format!("fuzz-{case}.toml"))
        };

        // In-process: parse and validate, catching any panic.
        let parsed = catch_unwind(AssertUnwindSafe(|| {
            if is_sweep {
                entente::sweep::parse(&path, &text).map(|s| {
                    let size = s.points.len() as u64 * s.runs;
                    if s.points.len() <= 30 && size <= 6_000 {
                        Binary::Sweep
                    } else {
                        Binary::Skip
                    }
                })
            } else {
                entente::scenario::parse(&path, &text).map(|_| Binary::Scenario)
            }
        }));
        let plan = match parsed {
            Err(_) => {
                failures.push(format!("case {case} ({name}) panicked in-process:\n{text}"));
                continue;
            }
            Ok(Ok(plan)) => {
                accepted += 1;
                plan
            }
            Ok(Err(_)) => {
                if is_sweep {
                    Binary::Sweep
                } else {
                    Binary::Scenario
                }
            }
        };
        if case % every != 0 || binary_run >= binary_cases {
            continue;
        }
        let mut runs: Vec<Vec<String>> = Vec::new();
        let file = path.display().to_string();
        let out = work.join(format!("out-{case}")).display().to_string();
        match plan {
            Binary::Skip => continue,
            Binary::Scenario => {
                runs.push(vec!["validate".into(), file.clone()]);
                let mut run: Vec<String> = ["run", &file, "--runs", "16", "--no-charts"]
                    .map(String::from)
                    .to_vec();
                // Half the runs go to the default folder, output/<name>/.
                if case % 2 == 0 {
                    run.extend(["--out".to_string(), out]);
                }
                runs.push(run);
            }
            Binary::Sweep => {
                let mut sweep: Vec<String> = ["sweep", &file, "--no-charts", "--threads", "2"]
                    .map(String::from)
                    .to_vec();
                if case % 2 == 0 {
                    sweep.extend(["--out".to_string(), out]);
                }
                runs.push(sweep);
            }
        }
        binary_run += 1;
        fs::write(&path, &text).unwrap();
        for args in runs {
            let o = Command::new(env!("CARGO_BIN_EXE_entente"))
                .args(&args)
                .current_dir(&work)
                .env_remove("SLURM_ARRAY_TASK_ID")
                .env_remove("SLURM_ARRAY_TASK_COUNT")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr);
            if !matches!(o.status.code(), Some(0..=2)) || stderr.contains("panicked") {
                failures.push(format!(
                    "case {case} ({name}): entente {} exited {:?}:\n{stderr}\ninput:\n{text}",
                    args.join(" "),
                    o.status.code()
                ));
            }
        }
    }

    // Nothing outside the inputs and the working folder.
    let stray: Vec<PathBuf> = tree(&root)
        .into_iter()
        .filter(|p| {
            let allowed = p.starts_with(&work)
                || p == &root.join("sandbox")
                || p == &root.join("sandbox/a")
                || p == &inputs
                || p == &inputs.join("sweeps")
                || (p.parent() == Some(&inputs) || p.parent() == Some(&inputs.join("sweeps")))
                    && p.extension().is_some_and(|x| x == "toml");
            !allowed
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {cases} fuzzed cases failed (seed {seed}); the first:\n\n{}",
        failures.len(),
        failures[..failures.len().min(3)].join("\n\n---\n\n")
    );
    assert!(stray.is_empty(), "files written outside --out: {stray:?}");
    // The mutations must leave some inputs valid, or the binary would only
    // ever see rejections.
    assert!(
        accepted > cases / 20,
        "only {accepted} of {cases} cases were valid"
    );
    assert!(
        binary_run >= binary_cases.min(cases) / 2,
        "only {binary_run} binary cases ran"
    );
    eprintln!(
        "fuzz: {cases} cases (seed {seed}), {accepted} valid, {binary_run} run by the binary"
    );
}
