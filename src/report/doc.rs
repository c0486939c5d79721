//! The document model of a report: blocks of text, tables, figures and
//! commands, built once and rendered as Markdown and as HTML.

/// A piece of running text.
#[derive(Debug, Clone)]
pub(super) enum Span {
    Text(String),
    /// An identifier, path, number or command, set in a monospace font.
    Code(String),
    /// A relative link to a file of the result folder.
    Link(String),
}

/// A table cell.
#[derive(Debug, Clone)]
pub(super) struct Cell {
    pub(super) text: String,
    pub(super) code: bool,
    pub(super) numeric: bool,
}

impl Cell {
    pub(super) fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            code: false,
            numeric: false,
        }
    }
    pub(super) fn code(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            code: true,
            numeric: false,
        }
    }
    pub(super) fn number(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            code: false,
            numeric: true,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) enum Block {
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
pub(super) struct Doc {
    pub(super) blocks: Vec<Block>,
}

impl Doc {
    pub(super) fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }
    pub(super) fn extend(&mut self, bs: Vec<Block>) {
        self.blocks.extend(bs);
    }
}

/// "88.0% – 93.0%".
pub(super) fn fmt_interval(lo: f64, hi: f64) -> String {
    format!(
        "{} – {}",
        crate::format::fmt_pct(lo),
        crate::format::fmt_pct(hi)
    )
}
