//! Text: the embedded font, the house text sizes and text measurement.

use std::sync::OnceLock;

use anyhow::{Result, anyhow};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use crate::format::fmt_num;

/// Font family name the embedded font is registered under.
pub(crate) const FAMILY: &str = "sans-serif";

/// Text sizes in pixels (the nominal size plotters passes to the font).
pub(crate) const TITLE_SIZE: u32 = 38;
pub(crate) const SUBTITLE_SIZE: u32 = 26;
pub(crate) const PANEL_TITLE_SIZE: u32 = 30;
pub(crate) const AXIS_DESC_SIZE: u32 = 28;
pub(crate) const TICK_SIZE: u32 = 26;
pub(crate) const LEGEND_SIZE: u32 = 26;
pub(crate) const BAR_LABEL_SIZE: u32 = 26;

/// Registers the embedded font once per process.
pub(crate) fn register_fonts() -> Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = DONE.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if *ok {
        Ok(())
    } else {
        Err(anyhow!("the embedded DejaVu Sans font could not be loaded"))
    }
}

/// `size`, raised to the smallest text size of the current preset.
fn at_least_min(size: u32) -> f64 {
    size.max(crate::charts::look::current().size.preset().min_text) as f64
}

/// Regular text of the given size and colour.
pub(crate) fn text(size: u32, color: RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: (FAMILY, at_least_min(size)).into_font(),
        color: color.to_backend_color(),
        pos: Pos::default(),
    }
}

/// Bold text of the given size and colour.
pub(crate) fn bold(size: u32, color: RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: (FAMILY, at_least_min(size), FontStyle::Bold).into_font(),
        color: color.to_backend_color(),
        pos: Pos::default(),
    }
}

/// Anchors a text style at a given corner or edge of its box.
pub(crate) fn anchored(style: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, v))
}

/// Width and height in pixels that `s` takes in the given style.
pub(crate) fn text_size(s: &str, style: &TextStyle<'_>) -> (u32, u32) {
    style.font.box_size(s).unwrap_or_else(|_| {
        // Rough fallback: 0.6 em per character.
        let size = style.font.get_size();
        ((s.chars().count() as f64 * size * 0.6) as u32, size as u32)
    })
}

/// Widest text among `items` in the given style, in pixels.
pub(crate) fn max_text_width(
    items: impl IntoIterator<Item = String>,
    style: &TextStyle<'_>,
) -> u32 {
    items
        .into_iter()
        .map(|s| text_size(&s, style).0)
        .max()
        .unwrap_or(0)
}

/// Shortens `s` with an ellipsis until it fits in `max_width` pixels.
pub(crate) fn fit_text(s: &str, style: &TextStyle<'_>, max_width: u32) -> String {
    if text_size(s, style).0 <= max_width {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    for keep in (1..chars.len()).rev() {
        let candidate: String = chars[..keep].iter().collect::<String>() + "…";
        if text_size(&candidate, style).0 <= max_width {
            return candidate;
        }
    }
    "…".to_string()
}

/// Turns a plotters drawing error into an `anyhow` error.
pub(crate) fn draw_err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("drawing failed: {e}")
}

/// Tick label of an alignment value, with a true minus sign.
pub(crate) fn fmt_alignment_tick(v: f64) -> String {
    if v.abs() < 1e-9 {
        "0".to_string()
    } else if v < 0.0 {
        format!("−{}", fmt_num(-v))
    } else {
        fmt_num(v)
    }
}
