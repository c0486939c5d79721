//! Finds where in a TOML source a key lives, so that errors found after
//! parsing (a value out of range, an unknown agent) can name a line and
//! column.

use toml::de::{DeTable, DeValue};

/// A step into a TOML document: a key of a table or an index of an array.
#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(k: &str) -> Seg {
        Seg::Key(k.to_string())
    }
}

impl From<String> for Seg {
    fn from(k: String) -> Seg {
        Seg::Key(k)
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Seg {
        Seg::Index(i)
    }
}

/// Builds a `Vec<Seg>` from keys and indices: `segs!["dyad", a, b, "E"]`.
#[macro_export]
#[doc(hidden)]
macro_rules! segs {
    ($($s:expr),* $(,)?) => { vec![$($crate::scenario::locate::Seg::from($s)),*] };
}

/// 1-based line and column of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Line and column of the deepest part of `path` that exists in `source`:
/// the value of the last key found (its key, for a key of a table).
pub fn locate(source: &str, path: &[Seg]) -> Option<(usize, usize)> {
    let doc = DeTable::parse(source).ok()?;
    let mut span = None;
    let mut table = Some(doc.get_ref());
    let mut array = None;
    for seg in path {
        let value = match (seg, table, array) {
            (Seg::Key(k), Some(t), _) => {
                let (key, value) = t.iter().find(|(key, _)| key.get_ref().as_ref() == k)?;
                span = Some(key.span());
                value
            }
            (Seg::Index(i), _, Some(a)) => {
                let value: &toml::Spanned<DeValue> = (a as &toml::de::DeArray).get(*i)?;
                span = Some(value.span());
                value
            }
            _ => break,
        };
        (table, array) = match value.get_ref() {
            DeValue::Table(t) => (Some(t), None),
            DeValue::Array(a) => (None, Some(a)),
            _ => (None, None),
        };
    }
    span.map(|s| line_col(source, s.start))
}

/// The path of the deepest key whose key or value contains byte `offset`,
/// written like `agents[2].capability`.
pub fn key_at(source: &str, offset: usize) -> Option<String> {
    let doc = DeTable::parse(source).ok()?;
    let mut best = None;
    search_table(doc.get_ref(), offset, String::new(), &mut best);
    best
}

fn contains(span: std::ops::Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset < span.end.max(span.start + 1)
}

fn search_table(table: &DeTable, offset: usize, prefix: String, best: &mut Option<String>) {
    for (key, value) in table.iter() {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        if contains(key.span(), offset) || contains(value.span(), offset) {
            *best = Some(path.clone());
        }
        search_value(value.get_ref(), offset, path, best);
    }
}

fn search_value(value: &DeValue, offset: usize, path: String, best: &mut Option<String>) {
    match value {
        DeValue::Table(t) => search_table(t, offset, path, best),
        DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                let here = format!("{path}[{i}]");
                if contains(item.span(), offset) && !matches!(item.get_ref(), DeValue::Table(_)) {
                    *best = Some(here.clone());
                }
                search_value(item.get_ref(), offset, here, best);
            }
        }
        _ => {}
    }
}
