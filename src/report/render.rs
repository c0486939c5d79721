//! Rendering a report as Markdown and as self-contained HTML, each file
//! written atomically.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

#[cfg(test)]
use super::doc::fmt_interval;
use super::doc::{Block, Cell, Doc, Span};
use crate::output::write_atomic;

pub(super) fn write_both(dir: &Path, title: &str, doc: &Doc) -> Result<()> {
    let md = dir.join("report.md");
    write_atomic(&md, render_markdown(doc))
        .with_context(|| format!("cannot write {}", md.display()))?;
    let html = dir.join("report.html");
    write_atomic(&html, render_html(title, doc))
        .with_context(|| format!("cannot write {}", html.display()))?;
    Ok(())
}

/// Escapes text for HTML element content and attribute values.
pub(super) fn html_escape(s: &str) -> String {
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
pub(super) fn md_escape(s: &str) -> String {
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
pub(super) fn md_code(s: &str) -> String {
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

pub(super) fn md_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(t) => md_escape(t),
            Span::Code(c) => md_code(c),
            Span::Link(l) => format!("[{}]({l})", md_escape(l)),
        })
        .collect()
}

pub(super) fn render_markdown(doc: &Doc) -> String {
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
table.rules td:first-child code, table.refs td:last-child code { white-space: nowrap; overflow-wrap: normal; }
table.rules td:nth-child(2) { min-width: 18rem; }
table.refs td:last-child { font-size: 0.85rem; }
figure { margin: 1.2rem 0 2rem; }
figure svg { width: 100%; height: auto; border: 1px solid #e2e2e2; }
figure svg text { font-family: 'DejaVu Sans', Verdana, sans-serif; }
.missing { color: #8a4b00; }
";

pub(super) fn html_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(t) => html_escape(t),
            Span::Code(c) => format!("<code>{}</code>", html_escape(c)),
            Span::Link(l) => format!("<a href=\"{}\">{}</a>", html_escape(l), html_escape(l)),
        })
        .collect()
}

pub(super) fn render_html(title: &str, doc: &Doc) -> String {
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
    }

    #[test]
    fn percentages() {
        use crate::format::fmt_pct;
        assert_eq!(fmt_pct(0.912), "91.2%");
        assert_eq!(fmt_pct(0.0066), "0.66%");
        assert_eq!(fmt_pct(0.0), "0%");
        assert_eq!(fmt_interval(0.88, 0.93), "88.0% – 93.0%");
    }
}
