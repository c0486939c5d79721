//! Reports of result folders: `report.md` and a self-contained `report.html`.
//!
//! [`write_run_report`] reads the folder `entente run` writes and sets out, in order:
//! the scenario's name and description, the outcome table with its Wilson 95%
//! intervals (`outcomes.csv`), the triad configurations (`configurations.csv`, when
//! present), the charts (`charts/*.svg`), the parameter and evidence table
//! (`parameters.csv`) and what a reader needs to reproduce the run (`manifest.json`:
//! version, seed, runs, scenario file and its SHA-256, the command line).
//!
//! [`write_compare_report`] does the same for the folder `entente compare` writes:
//! the side-by-side table (`comparison.csv`), the comparison chart, and for each
//! scenario's subfolder its outcome table and outcome chart.
//!
//! Both reports are built once as a list of blocks and rendered twice. The Markdown
//! links the PNG charts; the HTML inlines the SVG charts and its style sheet, and
//! refers to no other file or address (no scripts, style sheets, fonts or images
//! from elsewhere), so it can be mailed or archived as one file. All text from the
//! folder is escaped. Each file is written under a temporary name and then renamed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::Value;

use crate::charts::{OutcomeRow, read_csv, read_outcomes};
use crate::format::{fmt_count, fmt_num, fmt_pct};
use crate::output::write_atomic;

/// Writes `report.md` and `report.html` into the run result folder `dir`.
pub fn write_run_report(dir: &Path) -> Result<()> {
    let manifest = read_manifest(dir)?;
    let outcomes = read_outcomes(&dir.join("outcomes.csv"))?;
    let name = scenario_field(&manifest, "name").unwrap_or_else(|| "unnamed scenario".into());

    let mut doc = Doc::default();
    doc.push(Block::Heading(1, format!("Scenario {name}")));
    if let Some(d) = scenario_field(&manifest, "description").filter(|d| !d.trim().is_empty()) {
        doc.push(Block::Para(vec![Span::Text(d)]));
    }
    doc.push(Block::Para(vec![Span::Text(run_facts(&manifest))]));

    doc.push(Block::Heading(2, "Outcomes".into()));
    doc.push(Block::Para(vec![Span::Text(
        "Share of runs ending in each named outcome, integrated over the parameter draws \
         when parameters are uncertain, with its Monte Carlo 95% interval. The rules are \
         tried in the order listed; a run takes the first that matches."
            .into(),
    )]));
    doc.push(outcome_table(&outcomes));
    doc.extend(how_sure(dir, &outcomes)?);
    let configurations = dir.join("configurations.csv");
    if configurations.is_file() {
        let rows = read_csv(&configurations)?;
        doc.push(Block::Heading(
            3,
            "Triad configuration at the horizon".into(),
        ));
        doc.push(probability_table("configuration", &rows));
    }

    doc.push(Block::Heading(2, "Charts".into()));
    let charts = chart_stems(&dir.join("charts"))?;
    if charts.is_empty() {
        doc.push(Block::Para(vec![
            Span::Text("No charts in this folder; draw them with ".into()),
            Span::Code("entente plot <folder>".into()),
            Span::Text(".".into()),
        ]));
    }
    for stem in &charts {
        doc.push(figure(
            dir,
            Path::new("charts"),
            stem,
            &chart_caption(stem),
        )?);
    }

    doc.push(Block::Heading(2, "Parameters and evidence".into()));
    doc.extend(parameter_blocks(dir, &manifest)?);

    doc.push(Block::Heading(2, "Reproducing this run".into()));
    doc.extend(reproduce_run(&manifest));

    write_both(dir, &format!("entente report: {name}"), &doc)
}

/// Writes `report.md` and `report.html` into the calibration folder `dir`:
/// what was fitted to what, the held-out scores against the two reference
/// forecasts, the posterior against the prior, the tolerance schedule and the
/// charts, all read from the folder.
pub fn write_calibration_report(dir: &Path) -> Result<()> {
    let m = read_manifest(dir)?;
    let field = |block: &str, key: &str| {
        m.get(block)
            .and_then(|b| b.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let name = field("calibration", "name").unwrap_or_else(|| "calibration".into());
    let mut doc = Doc::default();
    doc.push(Block::Heading(1, format!("Calibration {name}")));
    if let Some(d) = field("calibration", "description").filter(|d| !d.trim().is_empty()) {
        doc.push(Block::Para(vec![Span::Text(d)]));
    }
    let until = m.get("until").and_then(Value::as_i64);
    let mut facts = vec![Span::Text("Scenario ".into())];
    facts.push(Span::Code(field("scenario", "name").unwrap_or_default()));
    facts.push(Span::Text(format!(
        "; {} particles, {} generations, seed {}; fitted to observations up to {}; {}.",
        m.get("particles").and_then(Value::as_u64).unwrap_or(0),
        m.get("generations").and_then(Value::as_u64).unwrap_or(0),
        m.get("seed").and_then(Value::as_u64).unwrap_or(0),
        until.map_or("the last year".into(), |y| y.to_string()),
        m.get("forecast")
            .and_then(Value::as_str)
            .unwrap_or("forecast")
    )));
    doc.push(Block::Para(facts));

    doc.push(Block::Heading(2, "Held-out years".into()));
    doc.push(Block::Para(vec![Span::Text(
        "Scores over the dyad-years after the fit: coverage of the central 50% and 90% \
         predictive intervals (calibrated forecasts cover 0.5 and 0.9), mean absolute \
         error of the median and CRPS (lower is better), against persistence (the last \
         fitted year's value) and a linear trend over the last ten fitted years."
            .into(),
    )]));
    doc.push(csv_table(&dir.join("validation.csv"))?);
    doc.push(Block::Heading(2, "Posterior against prior".into()));
    doc.push(csv_table(&dir.join("summary.csv"))?);
    doc.push(Block::Heading(2, "Generations".into()));
    doc.push(csv_table(&dir.join("generations.csv"))?);
    doc.push(Block::Heading(2, "Charts".into()));
    for stem in chart_stems(&dir.join("charts"))? {
        doc.push(figure(
            dir,
            Path::new("charts"),
            &stem,
            &stem.replace('_', " "),
        )?);
    }
    doc.push(Block::Heading(2, "Reproducing this calibration".into()));
    if let Some(command) = m.get("command").and_then(Value::as_str) {
        doc.push(Block::Command(command.to_string()));
    }
    write_both(dir, &format!("entente report: {name}"), &doc)
}

/// A CSV file of the folder as a table, every cell as written.
fn csv_table(path: &Path) -> Result<Block> {
    let mut reader = csv::ReaderBuilder::new()
        .from_path(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let header = reader
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record =
            record.with_context(|| format!("{}: bad row on line {}", path.display(), i + 2))?;
        rows.push(
            record
                .iter()
                .enumerate()
                .map(|(c, v)| {
                    if c == 0 {
                        Cell::code(v)
                    } else {
                        Cell::number(v)
                    }
                })
                .collect(),
        );
    }
    Ok(Block::Table {
        header,
        rows,
        class: "numbers",
    })
}

/// Writes `report.md` and `report.html` into the comparison folder `dir`.
pub fn write_compare_report(dir: &Path) -> Result<()> {
    let manifest = read_manifest(dir).ok();
    let rows = read_csv::<ComparisonRow>(&dir.join("comparison.csv"))?;
    let mut names: Vec<String> = Vec::new();
    for r in &rows {
        if !names.contains(&r.scenario) {
            names.push(r.scenario.clone());
        }
    }
    let mut doc = Doc::default();
    doc.push(Block::Heading(
        1,
        format!("Comparison of {}", names.join(", ")),
    ));
    if let Some(m) = &manifest {
        let mut facts = Vec::new();
        if let Some(runs) = m.get("runs").and_then(Value::as_u64) {
            facts.push(format!("{} runs per scenario", fmt_count(runs)));
        }
        if let Some(seed) = m.get("seed").and_then(Value::as_u64) {
            facts.push(format!("seed {seed}"));
        }
        if !facts.is_empty() {
            doc.push(Block::Para(vec![Span::Text(format!(
                "{}; every scenario ran with the same seed and number of runs.",
                facts.join(", ")
            ))]));
        }
    }

    doc.push(Block::Heading(2, "Outcomes side by side".into()));
    doc.push(Block::Para(vec![Span::Text(
        "Share of runs ending in each outcome, with its Wilson 95% interval in parentheses; \
         a dash marks an outcome the scenario does not define."
            .into(),
    )]));
    doc.push(comparison_table(&names, &rows));
    if chart_exists(dir, Path::new("charts"), "comparison") {
        doc.push(figure(
            dir,
            Path::new("charts"),
            "comparison",
            "Outcome probabilities by scenario, with Wilson 95% intervals",
        )?);
    }
    doc.extend(difference_blocks(dir)?);

    for sub in scenario_folders(dir, &names)? {
        let sub_dir = dir.join(&sub);
        let sub_manifest = read_manifest(&sub_dir)?;
        let name = scenario_field(&sub_manifest, "name").unwrap_or_else(|| sub.clone());
        doc.push(Block::Heading(2, format!("Scenario {name}")));
        if let Some(d) =
            scenario_field(&sub_manifest, "description").filter(|d| !d.trim().is_empty())
        {
            doc.push(Block::Para(vec![Span::Text(d)]));
        }
        let mut about = vec![Span::Text(run_facts(&sub_manifest))];
        if let Some(file) = scenario_field(&sub_manifest, "file") {
            about.push(Span::Text(". Scenario file ".into()));
            about.push(Span::Code(file));
            if let Some(sha) = scenario_field(&sub_manifest, "sha256") {
                about.push(Span::Text(", SHA-256 ".into()));
                about.push(Span::Code(sha));
            }
        }
        about.push(Span::Text(".".into()));
        doc.push(Block::Para(about));
        doc.extend(parent_differences(&sub_manifest));
        let outcomes = read_outcomes(&sub_dir.join("outcomes.csv"))?;
        doc.push(outcome_table(&outcomes));
        let rel = Path::new(&sub).join("charts");
        if chart_exists(dir, &rel, "outcomes") {
            doc.push(figure(
                dir,
                &rel,
                "outcomes",
                &format!("Outcomes of {name}, with Wilson 95% intervals"),
            )?);
        }
        if sub_dir.join("report.html").is_file() {
            doc.push(Block::Para(vec![
                Span::Text("Full report of this scenario: ".into()),
                Span::Link(format!("{sub}/report.html")),
                Span::Text(".".into()),
            ]));
        }
    }

    doc.push(Block::Heading(2, "Reproducing this comparison".into()));
    doc.extend(reproduce_comparison(manifest.as_ref()));
    write_both(
        dir,
        &format!("entente comparison: {}", names.join(", ")),
        &doc,
    )
}

// ---------------------------------------------------------------------------------
// Document model
// ---------------------------------------------------------------------------------

/// A piece of running text.
#[derive(Debug, Clone)]
enum Span {
    Text(String),
    /// An identifier, path, number or command, set in a monospace font.
    Code(String),
    /// A relative link to a file of the result folder.
    Link(String),
}

/// A table cell.
#[derive(Debug, Clone)]
struct Cell {
    text: String,
    code: bool,
    numeric: bool,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            code: false,
            numeric: false,
        }
    }
    fn code(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            code: true,
            numeric: false,
        }
    }
    fn number(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            code: false,
            numeric: true,
        }
    }
}

#[derive(Debug, Clone)]
enum Block {
    Heading(u8, String),
    Para(Vec<Span>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<Cell>>,
        /// Extra CSS class of the HTML table.
        class: &'static str,
    },
    /// A chart: the PNG (relative path) for Markdown, the SVG text for HTML.
    Figure {
        caption: String,
        png: String,
        svg: Option<String>,
    },
    /// A command to type.
    Command(String),
}

#[derive(Debug, Default)]
struct Doc {
    blocks: Vec<Block>,
}

impl Doc {
    fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }
    fn extend(&mut self, bs: Vec<Block>) {
        self.blocks.extend(bs);
    }
}

// ---------------------------------------------------------------------------------
// Reading the folder
// ---------------------------------------------------------------------------------

fn read_manifest(dir: &Path) -> Result<Value> {
    let path = dir.join("manifest.json");
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("cannot parse {}", path.display()))
}

/// A string field of the manifest's `scenario` block.
fn scenario_field(m: &Value, key: &str) -> Option<String> {
    m.get("scenario")?.get(key)?.as_str().map(str::to_string)
}

/// One row of `comparison.csv`.
#[derive(Debug, Clone, serde::Deserialize)]
struct ComparisonRow {
    scenario: String,
    outcome: String,
    #[allow(dead_code)]
    count: u64,
    probability: f64,
    ci_low: f64,
    ci_high: f64,
}

/// Subfolders of a comparison that are run result folders: those named after the
/// compared scenarios first, in their order, then any other, by name.
fn scenario_folders(dir: &Path, names: &[String]) -> Result<Vec<String>> {
    let is_run = |p: &Path| p.join("manifest.json").is_file() && p.join("outcomes.csv").is_file();
    let mut out: Vec<String> = names
        .iter()
        .filter(|n| is_run(&dir.join(n)))
        .cloned()
        .collect();
    let mut others = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if entry.path().is_dir() && is_run(&entry.path()) && !out.contains(&name) {
            others.push(name);
        }
    }
    others.sort();
    out.extend(others);
    Ok(out)
}

/// Stems of the SVG charts in `charts`, the run's main charts first.
fn chart_stems(charts: &Path) -> Result<Vec<String>> {
    if !charts.is_dir() {
        return Ok(Vec::new());
    }
    let mut stems: Vec<String> = Vec::new();
    for entry in
        fs::read_dir(charts).with_context(|| format!("cannot list {}", charts.display()))?
    {
        let path = entry?.path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|_| path.extension().and_then(|e| e.to_str()) == Some("svg"));
        stems.extend(stem.map(str::to_string));
    }
    let rank = |s: &str| match s {
        "outcomes" => 0,
        "fan_all" => 1,
        "configurations" => 2,
        "final" => 3,
        _ => 4,
    };
    stems.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    Ok(stems)
}

fn chart_caption(stem: &str) -> String {
    match stem {
        "outcomes" => "Outcome probabilities, with Wilson 95% intervals".into(),
        "fan_all" => {
            "Alignment of every dyad over time: median, middle 50% and middle 90% of runs".into()
        }
        "configurations" => "Share of runs in each triad configuration over time".into(),
        "final" => "Final alignment of each dyad across runs".into(),
        "comparison" => "Outcome probabilities by scenario".into(),
        "differences" => "Paired differences against the first scenario".into(),
        "importance" => "What drives the uncertainty of each outcome".into(),
        s => match s.strip_prefix("fan_") {
            Some(dyad) => format!("Alignment of {dyad} over time"),
            None => s.replace('_', " "),
        },
    }
}

fn chart_exists(dir: &Path, rel: &Path, stem: &str) -> bool {
    let base = dir.join(rel);
    base.join(format!("{stem}.svg")).is_file() || base.join(format!("{stem}.png")).is_file()
}

/// A figure block for `rel/<stem>` (relative to `dir`).
fn figure(dir: &Path, rel: &Path, stem: &str, caption: &str) -> Result<Block> {
    let svg_path = dir.join(rel).join(format!("{stem}.svg"));
    let svg = if svg_path.is_file() {
        let text = fs::read_to_string(&svg_path)
            .with_context(|| format!("cannot read {}", svg_path.display()))?;
        inline_svg(&text, caption)
    } else {
        None
    };
    let png: PathBuf = rel.join(format!("{stem}.png"));
    Ok(Block::Figure {
        caption: caption.to_string(),
        png: url_path(&png),
        svg,
    })
}

/// An SVG file made ready to sit inside HTML: no XML prolog or doctype, no namespace
/// attributes (HTML puts `<svg>` in the SVG namespace itself), a `viewBox` so that it
/// scales, and an accessible name. Returns `None` for anything that would load a
/// resource from elsewhere or run code.
fn inline_svg(text: &str, label: &str) -> Option<String> {
    let start = text.find("<svg")?;
    let mut svg = text[start..].trim_end().to_string();
    for ns in [
        " xmlns=\"http://www.w3.org/2000/svg\"",
        " xmlns:xlink=\"http://www.w3.org/1999/xlink\"",
    ] {
        svg = svg.replace(ns, "");
    }
    let lower = svg.to_ascii_lowercase();
    if [
        "<script",
        "javascript:",
        "@import",
        "<foreignobject",
        " src=",
    ]
    .iter()
    .any(|bad| lower.contains(bad))
        || !only_local_references(&lower)
    {
        return None;
    }
    let tag_end = svg.find('>')?;
    let tag = &svg[..tag_end];
    let mut extra = String::new();
    if !tag.contains("viewBox") {
        let attr = |name: &str| -> Option<String> {
            let key = format!(" {name}=\"");
            let i = tag.find(&key)? + key.len();
            let j = tag[i..].find('"')? + i;
            Some(tag[i..j].to_string())
        };
        if let (Some(w), Some(h)) = (attr("width"), attr("height")) {
            write!(extra, " viewBox=\"0 0 {w} {h}\"").expect("write to string");
        }
    }
    write!(extra, " role=\"img\" aria-label=\"{}\"", html_escape(label)).expect("write to string");
    svg.insert_str(tag_end, &extra);
    Some(svg)
}

/// True when every `href` and `url(...)` of an SVG (lower-cased) points
/// inside the document (`#id`). Text such as a scenario name that mentions
/// `http:` is harmless, since the chart writer escapes text content.
fn only_local_references(lower: &str) -> bool {
    let local_after = |pattern: &str, skip: &[char]| {
        lower.match_indices(pattern).all(|(i, _)| {
            lower[i + pattern.len()..]
                .trim_start_matches(skip)
                .starts_with('#')
        })
    };
    local_after("href=", &['"', '\'', ' ']) && local_after("url(", &['"', '\'', ' '])
}

/// A relative path as a URL path: `/` separators, unsafe bytes percent-encoded.
fn url_path(p: &Path) -> String {
    let joined = p
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    let mut out = String::new();
    for b in joined.bytes() {
        if b.is_ascii_alphanumeric() || b"-_./~".contains(&b) {
            out.push(b as char);
        } else {
            write!(out, "%{b:02X}").expect("write to string");
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------------

/// "10,000 runs · seed 2020 · 24 steps of 0.25 years (2020.56 to 2026.56)".
fn run_facts(m: &Value) -> String {
    let mut facts = Vec::new();
    if let Some(runs) = m.get("runs").and_then(Value::as_u64) {
        facts.push(format!("{} runs", fmt_count(runs)));
    }
    if let Some(seed) = m.get("seed").and_then(Value::as_u64) {
        facts.push(format!("seed {seed}"));
    }
    if let Some(h) = m.get("horizon").and_then(Value::as_u64) {
        let dt = m.get("dt").and_then(Value::as_f64).unwrap_or(0.25);
        let mut s = format!("{h} steps of {} years", fmt_num(dt));
        if let Some(y0) = m.get("start_year").and_then(Value::as_f64) {
            write!(s, " ({} to {})", fmt_num(y0), fmt_num(y0 + h as f64 * dt))
                .expect("write to string");
        }
        facts.push(s);
    }
    facts.join(" · ")
}

/// The paired differences of a comparison (`differences.csv`), as a table
/// with its chart.
fn difference_blocks(dir: &Path) -> Result<Vec<Block>> {
    let path = dir.join("differences.csv");
    if !path.is_file() {
        return Ok(Vec::new());
    }
    #[derive(serde::Deserialize)]
    struct Row {
        scenario: String,
        reference: String,
        outcome: String,
        difference: f64,
        ci_low: f64,
        ci_high: f64,
        draw_p05: f64,
        draw_p95: f64,
        unpaired_ci_low: f64,
        unpaired_ci_high: f64,
    }
    let rows: Vec<Row> = read_csv(&path)?;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let pp = |v: f64| format!("{:+.1} pp", v * 100.0);
    let mut out = vec![
        Block::Heading(2, format!("Differences against {}", first.reference)),
        Block::Para(vec![Span::Text(
            "Every scenario ran on the same parameter draws and the same run streams, so \
             each difference is paired: its interval leaves out the chance the scenarios \
             share. The unpaired interval is what independent runs would have given."
                .into(),
        )]),
        Block::Table {
            header: vec![
                "scenario".into(),
                "outcome".into(),
                "difference".into(),
                "paired 95% interval".into(),
                "5-95% over draws".into(),
                "unpaired 95% interval".into(),
            ],
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::code(&r.scenario),
                        Cell::code(&r.outcome),
                        Cell::number(pp(r.difference)),
                        Cell::number(format!("{} to {}", pp(r.ci_low), pp(r.ci_high))),
                        Cell::number(format!("{} to {}", pp(r.draw_p05), pp(r.draw_p95))),
                        Cell::number(format!(
                            "{} to {}",
                            pp(r.unpaired_ci_low),
                            pp(r.unpaired_ci_high)
                        )),
                    ]
                })
                .collect(),
            class: "numbers",
        },
    ];
    if chart_exists(dir, Path::new("charts"), "differences") {
        out.push(figure(
            dir,
            Path::new("charts"),
            "differences",
            &chart_caption("differences"),
        )?);
    }
    Ok(out)
}

/// What a scenario changes relative to the parent it extends, as recorded
/// in its manifest.
fn parent_differences(m: &Value) -> Vec<Block> {
    let Some(parent) = scenario_field(m, "extends") else {
        return Vec::new();
    };
    let lines: Vec<String> = m
        .get("scenario")
        .and_then(|s| s.get("differences"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let mut out = vec![Block::Para(vec![
        Span::Text("Extends ".into()),
        Span::Code(parent),
        Span::Text(format!(", with {} differences:", lines.len())),
    ])];
    out.push(Block::Table {
        header: vec!["difference from the parent".into()],
        rows: lines.iter().map(|l| vec![Cell::code(l)]).collect(),
        class: "",
    });
    out
}

/// One row of `importance.csv`.
#[derive(Debug, Clone, serde::Deserialize)]
struct ImportanceRow {
    outcome: String,
    parameter: String,
    first_order: f64,
}

/// "How sure is this": both kinds of uncertainty of each outcome, in words.
fn how_sure(dir: &Path, outcomes: &[OutcomeRow]) -> Result<Vec<Block>> {
    let mut out = vec![Block::Heading(3, "How sure is this".into())];
    let nested = outcomes
        .iter()
        .any(|r| matches!((r.draw_p05, r.draw_p95), (Some(a), Some(b)) if a < b));
    if !nested {
        out.push(Block::Para(vec![Span::Text(
            "The intervals above are Monte Carlo error only: this run drew no parameter \
             sets (the scenario declares no uncertain parameter, or the run used \
             --nominal). They say how precisely the runs pin down the probability under \
             these exact weights, not how much the weights themselves could move it."
                .into(),
        )]));
        return Ok(out);
    }
    out.push(Block::Para(vec![Span::Text(
        "Two kinds of uncertainty are stated separately. The Monte Carlo interval says how \
         precisely the runs pin down the probability, integrated over the uncertain \
         parameters; more runs narrow it. The range over draws says how much the \
         probability moves across plausible values of the weights; more runs do not \
         narrow it, only better knowledge of the weights does."
            .into(),
    )]));
    let importance = dir.join("importance.csv");
    let ranked: Vec<ImportanceRow> = if importance.is_file() {
        read_csv(&importance)?
    } else {
        Vec::new()
    };
    for r in outcomes
        .iter()
        .filter(|r| r.probability > 0.0 || r.draw_p95.unwrap_or(0.0) > 0.0)
    {
        let mut text = format!(
            "{}: {} (Monte Carlo 95% interval {}). Across the parameter draws it ranges \
             from {} to {} (5th to 95th percentile)",
            r.outcome,
            fmt_pct(r.probability),
            fmt_interval(r.ci_low, r.ci_high),
            fmt_pct(r.draw_p05.unwrap_or(r.probability)),
            fmt_pct(r.draw_p95.unwrap_or(r.probability)),
        );
        if let Some(share) = r.parameter_share {
            text.push_str(&format!(
                "; {} of its variance comes from the parameters, the rest from chance",
                fmt_pct(share)
            ));
        }
        let top: Vec<String> = ranked
            .iter()
            .filter(|i| i.outcome == r.outcome && i.first_order > 0.0)
            .take(3)
            .map(|i| format!("{} ({})", i.parameter, fmt_pct(i.first_order)))
            .collect();
        if !top.is_empty() {
            text.push_str(&format!(". Largest drivers: {}", top.join(", ")));
        }
        text.push('.');
        out.push(Block::Para(vec![Span::Text(text)]));
    }
    Ok(out)
}

fn outcome_table(rows: &[OutcomeRow]) -> Block {
    probability_table("outcome", rows)
}

fn probability_table(what: &str, rows: &[OutcomeRow]) -> Block {
    let nested = rows
        .iter()
        .any(|r| matches!((r.draw_p05, r.draw_p95), (Some(a), Some(b)) if a < b));
    let mut header = vec![
        what.to_string(),
        "runs".into(),
        "probability".into(),
        "95% interval (Monte Carlo)".into(),
    ];
    if nested {
        header.push("5-95% over parameter draws".into());
    }
    Block::Table {
        header,
        rows: rows
            .iter()
            .map(|r| {
                let mut row = vec![
                    Cell::code(&r.outcome),
                    Cell::number(fmt_count(r.count)),
                    Cell::number(fmt_pct(r.probability)),
                    Cell::number(fmt_interval(r.ci_low, r.ci_high)),
                ];
                if nested {
                    let (a, b) = (
                        r.draw_p05.unwrap_or(r.probability),
                        r.draw_p95.unwrap_or(r.probability),
                    );
                    row.push(Cell::number(fmt_interval(a, b)));
                }
                row
            })
            .collect(),
        class: "numbers",
    }
}

fn comparison_table(names: &[String], rows: &[ComparisonRow]) -> Block {
    let mut outcomes: Vec<String> = Vec::new();
    for r in rows {
        if !outcomes.contains(&r.outcome) {
            outcomes.push(r.outcome.clone());
        }
    }
    let index: BTreeMap<(&str, &str), &ComparisonRow> = rows
        .iter()
        .map(|r| ((r.scenario.as_str(), r.outcome.as_str()), r))
        .collect();
    let mut header = vec!["outcome".to_string()];
    header.extend(names.iter().cloned());
    Block::Table {
        header,
        rows: outcomes
            .iter()
            .map(|o| {
                let mut row = vec![Cell::code(o)];
                for n in names {
                    row.push(match index.get(&(n.as_str(), o.as_str())) {
                        Some(r) => Cell::number(format!(
                            "{} ({})",
                            fmt_pct(r.probability),
                            fmt_interval(r.ci_low, r.ci_high)
                        )),
                        None => Cell::number("–"),
                    });
                }
                row
            })
            .collect(),
        class: "numbers",
    }
}

/// The parameter/evidence table from `parameters.csv`, or a note that it is missing.
fn parameter_blocks(dir: &Path, manifest: &Value) -> Result<Vec<Block>> {
    let path = dir.join("parameters.csv");
    if !path.is_file() {
        let mut note = vec![Span::Text(
            "This folder has no parameters.csv, so the parameter and evidence table cannot be shown here. "
                .into(),
        )];
        match scenario_field(manifest, "file") {
            Some(file) => {
                note.push(Span::Text("It is printed by ".into()));
                note.push(Span::Code(format!("entente validate {file}")));
                note.push(Span::Text(".".into()));
            }
            None => note.push(Span::Text(
                "`entente validate` prints it for the scenario file.".into(),
            )),
        }
        return Ok(vec![Block::Para(note)]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .from_path(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?
        .clone();
    let columns = crate::scenario::table::PARAMETER_COLUMNS;
    let index: Vec<Option<usize>> = columns
        .iter()
        .map(|c| headers.iter().position(|h| h.trim() == *c))
        .collect();
    let mut rows = Vec::new();
    let (mut set, mut cited) = (0usize, 0usize);
    // Evidence entries by kind: data, literature, judgment, unstated.
    let mut kinds = [0usize; 4];
    for (i, record) in reader.records().enumerate() {
        let record =
            record.with_context(|| format!("{}: bad row on line {}", path.display(), i + 2))?;
        let field = |k: usize| -> String {
            index[k]
                .and_then(|c| record.get(c))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        if field(3) != "default" {
            set += 1;
        }
        if !field(4).is_empty() || !field(6).is_empty() {
            cited += 1;
            let slot = ["data", "literature", "judgment"]
                .iter()
                .position(|k| *k == field(7))
                .unwrap_or(3);
            kinds[slot] += 1;
        }
        rows.push(vec![
            Cell::code(field(0)),
            Cell::number(field(1)),
            Cell::number(field(2)),
            Cell::text(field(3)),
            Cell::text(field(4)),
            Cell::text(field(5)),
            Cell::text(field(6)),
            Cell::text(field(7)),
            Cell::text(field(8)),
        ]);
    }
    let judged = if cited > 0 {
        kinds[2] as f64 / cited as f64
    } else {
        0.0
    };
    let intro = format!(
        "{} parameters: {} set by the scenario, {} at their default; {} evidence entries \
         (source, section and claim): {} resting on data, {} on the literature, {} on \
         judgment ({} of the entries), {} of unstated kind. A distribution marks a value \
         drawn from it in every parameter draw. An empty default: the value has no model \
         default.",
        rows.len(),
        set,
        rows.len() - set,
        cited,
        kinds[0],
        kinds[1],
        kinds[2],
        fmt_pct(judged),
        kinds[3]
    );
    Ok(vec![
        Block::Para(vec![Span::Text(intro)]),
        Block::Table {
            header: columns.iter().map(|c| c.to_string()).collect(),
            rows,
            class: "params",
        },
    ])
}

fn reproduce_run(m: &Value) -> Vec<Block> {
    let mut rows = Vec::new();
    let mut add = |k: &str, v: Option<String>, code: bool| {
        if let Some(v) = v {
            rows.push(vec![
                Cell::text(k),
                if code { Cell::code(v) } else { Cell::text(v) },
            ]);
        }
    };
    let s = |key: &str| m.get(key).and_then(Value::as_str).map(str::to_string);
    let n = |key: &str| m.get(key).and_then(Value::as_u64);
    add("entente version", s("entente_version"), true);
    add("scenario file", scenario_field(m, "file"), true);
    add("scenario SHA-256", scenario_field(m, "sha256"), true);
    add("seed", n("seed").map(|v| v.to_string()), true);
    add("runs", n("runs").map(fmt_count), false);
    add("horizon", n("horizon").map(|h| format!("{h} steps")), false);
    add(
        "threads",
        n("threads").map(|t| format!("{t} (results do not depend on it)")),
        false,
    );
    add(
        "wall time",
        m.get("wall_seconds")
            .and_then(Value::as_f64)
            .map(|w| format!("{w:.2} s")),
        false,
    );
    add("command", s("command"), true);

    let mut out = vec![
        Block::Para(vec![Span::Text(
            "From manifest.json of this folder:".into(),
        )]),
        Block::Table {
            header: vec!["field".into(), "value".into()],
            rows,
            class: "facts",
        },
    ];
    if let (Some(file), Some(seed), Some(runs)) = (scenario_field(m, "file"), n("seed"), n("runs"))
    {
        let relative = if Path::new(&file).is_relative() {
            " Run it from the folder the recorded command ran in, since the scenario path is relative to it."
        } else {
            ""
        };
        out.push(Block::Para(vec![Span::Text(format!(
            "The same entente version, scenario file and seed give the same results, \
             for any number of threads.{relative}"
        ))]));
        let mut command = format!("entente run {file} --runs {runs} --seed {seed}");
        let uncertainty = m.get("uncertainty");
        let field = |key: &str| uncertainty.and_then(|u| u.get(key));
        if field("nominal").and_then(Value::as_bool) == Some(true) {
            command.push_str(" --nominal");
        } else if let Some(draws) = field("draws").and_then(Value::as_u64).filter(|&d| d > 1) {
            command.push_str(&format!(" --draws {draws}"));
        }
        if let Some(posterior) = field("posterior").and_then(Value::as_str) {
            command.push_str(&format!(" --posterior {posterior}"));
        }
        let overrides = m
            .get("scenario")
            .and_then(|s| s.get("overrides"))
            .and_then(Value::as_array);
        for o in overrides.into_iter().flatten().filter_map(Value::as_str) {
            command.push_str(&format!(" --set {o}"));
        }
        out.push(Block::Command(command));
        if let Some(parent) = scenario_field(m, "extends") {
            out.push(Block::Para(vec![
                Span::Text("The scenario extends ".into()),
                Span::Code(parent),
                Span::Text("; its SHA-256 covers the file and every parent, in that order.".into()),
            ]));
        } else if let Some(sha) = scenario_field(m, "sha256") {
            out.push(Block::Para(vec![
                Span::Text("Check first that the scenario file is unchanged: ".into()),
                Span::Code(format!("sha256sum {file}")),
                Span::Text(" must print ".into()),
                Span::Code(sha),
                Span::Text(".".into()),
            ]));
        }
    }
    out
}

fn reproduce_comparison(m: Option<&Value>) -> Vec<Block> {
    let Some(m) = m else {
        return vec![Block::Para(vec![Span::Text(
            "This folder has no manifest.json; each scenario's own section gives its file and SHA-256."
                .into(),
        )])];
    };
    let mut out = Vec::new();
    let scenarios: Vec<(String, String, String)> = m
        .get("scenarios")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|s| {
                    let f = |k: &str| {
                        s.get(k)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string()
                    };
                    (f("name"), f("file"), f("sha256"))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut facts = Vec::new();
    if let Some(v) = m.get("entente_version").and_then(Value::as_str) {
        facts.push(vec![Cell::text("entente version"), Cell::code(v)]);
    }
    if let Some(seed) = m.get("seed").and_then(Value::as_u64) {
        facts.push(vec![Cell::text("seed"), Cell::code(seed.to_string())]);
    }
    if let Some(runs) = m.get("runs").and_then(Value::as_u64) {
        facts.push(vec![
            Cell::text("runs per scenario"),
            Cell::text(fmt_count(runs)),
        ]);
    }
    if let Some(c) = m.get("command").and_then(Value::as_str) {
        facts.push(vec![Cell::text("command"), Cell::code(c)]);
    }
    out.push(Block::Para(vec![Span::Text(
        "From manifest.json of this folder:".into(),
    )]));
    out.push(Block::Table {
        header: vec!["field".into(), "value".into()],
        rows: facts,
        class: "facts",
    });
    if !scenarios.is_empty() {
        out.push(Block::Table {
            header: vec!["scenario".into(), "file".into(), "SHA-256".into()],
            rows: scenarios
                .iter()
                .map(|(n, f, s)| vec![Cell::code(n), Cell::code(f), Cell::code(s)])
                .collect(),
            class: "",
        });
        if let (Some(seed), Some(runs)) = (
            m.get("seed").and_then(Value::as_u64),
            m.get("runs").and_then(Value::as_u64),
        ) {
            let files: Vec<&str> = scenarios.iter().map(|s| s.1.as_str()).collect();
            out.push(Block::Para(vec![Span::Text(
                "The same entente version, scenario files and seed give the same results:".into(),
            )]));
            out.push(Block::Command(format!(
                "entente compare {} --runs {runs} --seed {seed}",
                files.join(" ")
            )));
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------------

fn fmt_interval(lo: f64, hi: f64) -> String {
    format!("{} – {}", fmt_pct(lo), fmt_pct(hi))
}

// ---------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------

fn write_both(dir: &Path, title: &str, doc: &Doc) -> Result<()> {
    let md = dir.join("report.md");
    write_atomic(&md, render_markdown(doc))
        .with_context(|| format!("cannot write {}", md.display()))?;
    let html = dir.join("report.html");
    write_atomic(&html, render_html(title, doc))
        .with_context(|| format!("cannot write {}", html.display()))?;
    Ok(())
}

/// Escapes text for HTML element content and attribute values.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes running text for Markdown (and collapses line breaks, which would end a
/// paragraph or a table row).
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Markdown code span that holds `s` whatever backticks it contains.
fn md_code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    let mut fence = "`".to_string();
    while s.contains(&fence) {
        fence.push('`');
    }
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

fn md_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(t) => md_escape(t),
            Span::Code(c) => md_code(c),
            Span::Link(l) => format!("[{}]({l})", md_escape(l)),
        })
        .collect()
}

fn render_markdown(doc: &Doc) -> String {
    let mut out = String::new();
    for b in &doc.blocks {
        match b {
            Block::Heading(level, t) => {
                writeln!(out, "{} {}\n", "#".repeat(*level as usize), md_escape(t))
            }
            Block::Para(spans) => writeln!(out, "{}\n", md_spans(spans)),
            Block::Table { header, rows, .. } => {
                let cell = |c: &Cell| {
                    // A `|` ends a cell even inside a code span.
                    let s = if c.code {
                        md_code(&c.text)
                    } else {
                        md_escape(&c.text)
                    };
                    s.replace("`|", "`\\|").replace("|`", "\\|`")
                };
                let numeric: Vec<bool> = (0..header.len())
                    .map(|k| {
                        !rows.is_empty() && rows.iter().all(|r| r.get(k).is_some_and(|c| c.numeric))
                    })
                    .collect();
                let head: Vec<String> = header.iter().map(|h| md_escape(h)).collect();
                writeln!(out, "| {} |", head.join(" | ")).expect("write to string");
                let rule: Vec<&str> = numeric
                    .iter()
                    .map(|n| if *n { "---:" } else { "---" })
                    .collect();
                writeln!(out, "|{}|", rule.join("|")).expect("write to string");
                for r in rows {
                    let cells: Vec<String> = r.iter().map(cell).collect();
                    writeln!(out, "| {} |", cells.join(" | ")).expect("write to string");
                }
                writeln!(out)
            }
            Block::Figure { caption, png, .. } => {
                writeln!(out, "![{}]({png})\n", md_escape(caption))
            }
            Block::Command(c) => {
                // One line whatever the file names hold, inside a fence longer
                // than any run of backticks in it, so nothing can close the
                // block early.
                let c = crate::error::one_line(c);
                let mut fence = "```".to_string();
                while c.contains(&fence) {
                    fence.push('`');
                }
                writeln!(out, "{fence}sh\n{c}\n{fence}\n")
            }
        }
        .expect("write to string");
    }
    out
}

/// The style sheet of the HTML report, inlined in its head.
const CSS: &str = "
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif;
  color: #1a1a1a; background: #fff; line-height: 1.5; margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 1.9rem; margin: 0 0 0.6rem; }
h2 { font-size: 1.4rem; margin: 2.4rem 0 0.6rem; padding-bottom: 0.2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.1rem; margin: 1.6rem 0 0.5rem; }
p { margin: 0.5rem 0 0.9rem; max-width: 60rem; }
code, pre { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 0.92em; }
code { background: #f3f3f3; padding: 0.05em 0.3em; border-radius: 3px; overflow-wrap: anywhere; }
pre { background: #f3f3f3; padding: 0.8rem 1rem; border-radius: 4px; overflow-x: auto; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1.2rem; font-size: 0.95rem; }
th, td { border-bottom: 1px solid #e2e2e2; padding: 0.3rem 0.7rem; text-align: left; vertical-align: top; }
th { background: #f6f6f6; border-bottom: 2px solid #ccc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.params { font-size: 0.85rem; width: 100%; }
table.params td:first-child code { white-space: nowrap; overflow-wrap: normal; }
table.params td:nth-child(7) { min-width: 22rem; }
table.facts td:first-child { color: #555; white-space: nowrap; }
figure { margin: 1.2rem 0 2rem; }
figure svg { width: 100%; height: auto; border: 1px solid #e2e2e2; }
figure svg text { font-family: 'DejaVu Sans', Verdana, sans-serif; }
.missing { color: #8a4b00; }
";

fn html_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(t) => html_escape(t),
            Span::Code(c) => format!("<code>{}</code>", html_escape(c)),
            Span::Link(l) => format!("<a href=\"{}\">{}</a>", html_escape(l), html_escape(l)),
        })
        .collect()
}

fn render_html(title: &str, doc: &Doc) -> String {
    let mut out = String::new();
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        html_escape(title)
    )
    .expect("write to string");
    for b in &doc.blocks {
        match b {
            Block::Heading(level, t) => {
                writeln!(out, "<h{level}>{}</h{level}>", html_escape(t))
            }
            Block::Para(spans) => writeln!(out, "<p>{}</p>", html_spans(spans)),
            Block::Table {
                header,
                rows,
                class,
            } => {
                if class.is_empty() {
                    out.push_str("<table>\n");
                } else {
                    writeln!(out, "<table class=\"{class}\">").expect("write to string");
                }
                out.push_str("<thead><tr>");
                for h in header {
                    write!(out, "<th>{}</th>", html_escape(h)).expect("write to string");
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        let text = html_escape(&c.text);
                        let inner = if c.code && !c.text.is_empty() {
                            format!("<code>{text}</code>")
                        } else {
                            text
                        };
                        if c.numeric {
                            write!(out, "<td class=\"num\">{inner}</td>").expect("write to string");
                        } else {
                            write!(out, "<td>{inner}</td>").expect("write to string");
                        }
                    }
                    out.push_str("</tr>\n");
                }
                writeln!(out, "</tbody>\n</table>")
            }
            Block::Figure { caption, svg, .. } => match svg {
                // The chart carries its own title; the caption is its accessible name.
                Some(svg) => writeln!(out, "<figure>\n{svg}\n</figure>"),
                None => writeln!(
                    out,
                    "<p class=\"missing\">Chart not available as SVG: {}.</p>",
                    html_escape(caption)
                ),
            },
            Block::Command(c) => writeln!(out, "<pre><code>{}</code></pre>", html_escape(c)),
        }
        .expect("write to string");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            html_escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(md_escape("a_b|c*"), "a\\_b\\|c\\*");
        assert_eq!(md_code("x`y"), "``x`y``");
        assert_eq!(
            url_path(Path::new("my run/charts/a.png")),
            "my%20run/charts/a.png"
        );
    }

    #[test]
    fn inlined_svg_scales_and_loads_nothing() {
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"10\" height=\"5\" xmlns=\"http://www.w3.org/2000/svg\"><text>a</text></svg>\n";
        let out = inline_svg(svg, "a & b").unwrap();
        assert!(out.starts_with("<svg width=\"10\" height=\"5\" viewBox=\"0 0 10 5\""));
        assert!(out.contains("aria-label=\"a &amp; b\""));
        assert!(!out.contains("http"));
        assert!(inline_svg("<svg><image href=\"https://x/y.png\"/></svg>", "x").is_none());
        assert!(inline_svg("<svg><script>alert(1)</script></svg>", "x").is_none());
    }

    #[test]
    fn text_mentioning_a_web_address_keeps_its_chart() {
        // A title such as a scenario description may mention a web address;
        // the chart writer escapes text, so only references load anything.
        let svg = "<svg width=\"10\" height=\"5\"><text>see http://example.org</text><use href=\"#a\"/><rect fill=\"url(#g)\"/></svg>";
        assert!(inline_svg(svg, "x").is_some());
        for bad in [
            "<svg><use href=\"http://x/y.svg#a\"/></svg>",
            "<svg><use xlink:href='data:image/svg+xml,x'/></svg>",
            "<svg><rect fill=\"url(https://x/p)\"/></svg>",
            "<svg><img src=\"x.png\"/></svg>",
        ] {
            assert!(inline_svg(bad, "x").is_none(), "{bad}");
        }
    }

    #[test]
    fn percentages() {
        assert_eq!(fmt_pct(0.912), "91.2%");
        assert_eq!(fmt_pct(0.0066), "0.66%");
        assert_eq!(fmt_pct(0.0), "0%");
        assert_eq!(fmt_interval(0.88, 0.93), "88.0% – 93.0%");
    }
}
