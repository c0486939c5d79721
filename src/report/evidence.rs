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
use crate::scenario::schema::EvidenceKind;
use crate::scenario::table::{EvidenceBasis, PARAMETER_COLUMNS};

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

/// What the calibrated values rest on ([`EvidenceBasis`]), from the lines
/// of `parameters.csv`.
pub(super) fn basis(lines: &[ParamLine]) -> EvidenceBasis {
    let mut by_path: BTreeMap<&str, Vec<Option<EvidenceKind>>> = BTreeMap::new();
    for line in lines.iter().filter(|l| l.calibrated()) {
        let kinds = by_path.entry(line.path()).or_default();
        if line.cited() {
            kinds.push(
                EvidenceKind::ALL
                    .into_iter()
                    .find(|k| k.name() == line.kind()),
            );
        }
    }
    let mut basis = EvidenceBasis::default();
    for kinds in by_path.values() {
        basis.add(kinds);
    }
    basis
}

/// The basis in one sentence.
pub(super) fn basis_sentence(b: &EvidenceBasis) -> String {
    format!(
        "{} values are calibrated (set by the scenario or moved off their default): {} rest \
         on data, {} on the literature and {} on judgment alone, so {} of the calibrated \
         values rest on judgment; {} cite evidence of unstated kind and {} cite none.",
        b.total(),
        b.data,
        b.literature,
        b.judgment,
        fmt_pct(b.judged_share()),
        b.unstated,
        b.none
    )
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
        basis_sentence(&basis(lines))
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
