//! The parameter and evidence sections of a run report, from
//! `parameters.csv`: the table of every value with its evidence, how many
//! calibrated values rest on data, the literature or judgment, and the
//! full list of the sources cited.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use super::doc::{Block, Cell, Span};
use super::folder::scenario_field;
use crate::format::fmt_pct;
use crate::scenario::table::PARAMETER_COLUMNS;

/// One line of `parameters.csv`: a value and one of its evidence entries
/// (a value with several entries has several lines).
#[derive(Debug, Clone, Default)]
pub(super) struct ParamLine {
    /// The cells in [`PARAMETER_COLUMNS`] order, trimmed.
    cells: [String; 9],
}

impl ParamLine {
    pub(super) fn path(&self) -> &str {
        &self.cells[0]
    }
    fn status(&self) -> &str {
        &self.cells[3]
    }
    pub(super) fn source(&self) -> &str {
        &self.cells[4]
    }
    pub(super) fn section(&self) -> &str {
        &self.cells[5]
    }
    pub(super) fn claim(&self) -> &str {
        &self.cells[6]
    }
    pub(super) fn kind(&self) -> &str {
        &self.cells[7]
    }
    fn cited(&self) -> bool {
        !self.source().is_empty() || !self.claim().is_empty()
    }
    /// A value the scenario sets, or a parameter off its default.
    fn calibrated(&self) -> bool {
        self.status() != "default"
    }
}

/// The lines of `parameters.csv`, or `None` when the folder has none.
/// Columns are found by name, so a file with extra or reordered columns
/// reads the same.
pub(super) fn read_parameters(dir: &Path) -> Result<Option<Vec<ParamLine>>> {
    let path = dir.join("parameters.csv");
    if !path.is_file() {
        return Ok(None);
    }
    let mut reader = csv::ReaderBuilder::new()
        .from_path(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?
        .clone();
    let index: Vec<Option<usize>> = PARAMETER_COLUMNS
        .iter()
        .map(|c| headers.iter().position(|h| h.trim() == *c))
        .collect();
    let mut lines = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record =
            record.with_context(|| format!("{}: bad row on line {}", path.display(), i + 2))?;
        let mut line = ParamLine::default();
        for (k, cell) in line.cells.iter_mut().enumerate() {
            *cell = index[k]
                .and_then(|c| record.get(c))
                .unwrap_or("")
                .trim()
                .to_string();
        }
        lines.push(line);
    }
    Ok(Some(lines))
}

/// What the calibrated values rest on, value by value: a value counts as
/// resting on data when any of its entries is data, else on the literature
/// when any is, else on judgment; `unstated` when its entries give no kind,
/// `none` when it has no evidence.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Basis {
    pub data: usize,
    pub literature: usize,
    pub judgment: usize,
    pub unstated: usize,
    pub none: usize,
}

impl Basis {
    pub(super) fn of(lines: &[ParamLine]) -> Basis {
        let mut by_path: BTreeMap<&str, Vec<&ParamLine>> = BTreeMap::new();
        for line in lines.iter().filter(|l| l.calibrated()) {
            by_path.entry(line.path()).or_default().push(line);
        }
        let mut basis = Basis::default();
        for entries in by_path.values() {
            let has = |k: &str| entries.iter().any(|e| e.cited() && e.kind() == k);
            if has("data") {
                basis.data += 1;
            } else if has("literature") {
                basis.literature += 1;
            } else if has("judgment") {
                basis.judgment += 1;
            } else if entries.iter().any(|e| e.cited()) {
                basis.unstated += 1;
            } else {
                basis.none += 1;
            }
        }
        basis
    }

    pub(super) fn total(&self) -> usize {
        self.data + self.literature + self.judgment + self.unstated + self.none
    }

    /// Share of the calibrated values that rest on judgment alone.
    pub(super) fn judged_share(&self) -> f64 {
        self.judgment as f64 / self.total().max(1) as f64
    }

    pub(super) fn sentence(&self) -> String {
        format!(
            "{} values are calibrated (set by the scenario or moved off their default): {} rest \
             on data, {} on the literature and {} on judgment alone, so {} of the calibrated \
             values rest on judgment; {} cite evidence of unstated kind and {} cite none.",
            self.total(),
            self.data,
            self.literature,
            self.judgment,
            fmt_pct(self.judged_share()),
            self.unstated,
            self.none
        )
    }
}

/// The parameter/evidence table, or a note that the folder has none.
pub(super) fn parameter_blocks(lines: Option<&[ParamLine]>, manifest: &Value) -> Vec<Block> {
    let Some(lines) = lines else {
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
        return vec![Block::Para(note)];
    };
    let mut paths: Vec<&str> = lines.iter().map(ParamLine::path).collect();
    paths.dedup();
    let defaults = lines
        .iter()
        .filter(|l| !l.calibrated())
        .map(ParamLine::path)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let intro = format!(
        "{} values, {} of them at their model default. {} Each evidence entry \
         gives its source, the section of it relied on, the claim and its kind. A \
         distribution marks a value drawn from it in every parameter draw. An empty \
         default: the value has no model default. A shock's effect sizes are the values \
         shock.<id>.effects.<k>.value, counted from 0 in the order the scenario lists them.",
        paths.len(),
        defaults,
        Basis::of(lines).sentence()
    );
    let rows = lines
        .iter()
        .map(|l| {
            let c = &l.cells;
            vec![
                Cell::code(&c[0]),
                Cell::number(&c[1]),
                Cell::number(&c[2]),
                Cell::text(&c[3]),
                Cell::text(&c[4]),
                Cell::text(&c[5]),
                Cell::text(&c[6]),
                Cell::text(&c[7]),
                Cell::text(&c[8]),
            ]
        })
        .collect();
    vec![
        Block::Para(vec![Span::Text(intro)]),
        Block::Table {
            header: PARAMETER_COLUMNS.iter().map(|c| c.to_string()).collect(),
            rows,
            class: "params",
        },
    ]
}

/// Every source the evidence cites, in full as the scenario gives it, with
/// the values that cite it. Entries that are judgment without a source
/// document are counted, not listed.
pub(super) fn references(lines: &[ParamLine]) -> Vec<Block> {
    let mut sources: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut bare_judgment = 0usize;
    for l in lines.iter().filter(|l| l.cited()) {
        if l.source().eq_ignore_ascii_case("judgment") {
            bare_judgment += 1;
            continue;
        }
        let paths = sources.entry(l.source()).or_default();
        if !paths.contains(&l.path()) {
            paths.push(l.path());
        }
    }
    if sources.is_empty() && bare_judgment == 0 {
        return vec![Block::Para(vec![Span::Text(
            "The scenario cites no sources.".into(),
        )])];
    }
    let mut out = vec![Block::Para(vec![Span::Text(format!(
        "{} sources, as the scenario's evidence entries give them, with the values that \
         cite each; {} further entries are the modeller's judgment without a source document.",
        sources.len(),
        bare_judgment
    ))])];
    out.push(Block::Table {
        header: vec!["source".into(), "values citing it".into()],
        rows: sources
            .iter()
            .map(|(source, paths)| vec![Cell::text(*source), Cell::code(paths.join(", "))])
            .collect(),
        class: "refs",
    });
    out
}
