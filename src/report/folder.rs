//! Reading a result folder for its report: the manifest, CSV tables and
//! charts, with SVG charts made safe to inline.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::Value;

use super::doc::{Block, Cell, Span};
use super::render::html_escape;

pub(super) fn read_manifest(dir: &Path) -> Result<Value> {
    let path = dir.join("manifest.json");
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("cannot parse {}", path.display()))
}

/// A string field of the manifest's `scenario` block.
pub(super) fn scenario_field(m: &Value, key: &str) -> Option<String> {
    m.get("scenario")?.get(key)?.as_str().map(str::to_string)
}

/// Stems of the SVG charts in `charts`, the run's main charts first.
pub(super) fn chart_stems(charts: &Path) -> Result<Vec<String>> {
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

pub(super) fn chart_caption(stem: &str) -> String {
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

pub(super) fn chart_exists(dir: &Path, rel: &Path, stem: &str) -> bool {
    let base = dir.join(rel);
    base.join(format!("{stem}.svg")).is_file() || base.join(format!("{stem}.png")).is_file()
}

/// A figure block for `rel/<stem>` (relative to `dir`).
pub(super) fn figure(dir: &Path, rel: &Path, stem: &str, caption: &str) -> Result<Block> {
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
pub(super) fn inline_svg(text: &str, label: &str) -> Option<String> {
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
pub(super) fn only_local_references(lower: &str) -> bool {
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
pub(super) fn url_path(p: &Path) -> String {
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

/// A CSV file of the folder as a table, every cell as written.
pub(super) fn csv_table(path: &Path) -> Result<Block> {
    csv_table_with(path, |_, cell| cell.to_string())
}

/// A CSV file of the folder as a table, each cell shown as `show(column
/// name, cell)` gives it; the first column is set as code, the others as
/// numbers.
pub(super) fn csv_table_with(path: &Path, show: impl Fn(&str, &str) -> String) -> Result<Block> {
    let mut reader = csv::ReaderBuilder::new()
        .from_path(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let header: Vec<String> = reader
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
                    let column = header.get(c).map_or("", String::as_str);
                    if c == 0 {
                        Cell::code(v)
                    } else {
                        Cell::number(show(column, v))
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

/// The "Charts" section: every chart of `dir/charts`, the main ones first,
/// each with the caption `caption(stem)`; or a paragraph saying how to draw
/// them when there are none.
pub(super) fn charts_section(dir: &Path, caption: impl Fn(&str) -> String) -> Result<Vec<Block>> {
    let mut blocks = vec![Block::Heading(2, "Charts".into())];
    let charts = chart_stems(&dir.join("charts"))?;
    if charts.is_empty() {
        blocks.push(no_charts());
    }
    for stem in &charts {
        blocks.push(figure(dir, Path::new("charts"), stem, &caption(stem))?);
    }
    Ok(blocks)
}

/// The paragraph that says a folder has no charts yet.
fn no_charts() -> Block {
    Block::Para(vec![
        Span::Text("No charts in this folder; draw them with ".into()),
        Span::Code("entente plot <folder>".into()),
        Span::Text(", then rebuild this report with ".into()),
        Span::Code("entente report <folder>".into()),
        Span::Text(".".into()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_are_encoded() {
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
}
