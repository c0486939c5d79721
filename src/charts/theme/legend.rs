//! Legends: swatches and labels in a column or in centred rows.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::*;
use crate::format::fmt_signed;

/// How a legend entry shows its series.
#[derive(Debug, Clone)]
pub(crate) enum Swatch {
    /// A filled box.
    Fill(RGBAColor),
    /// A solid line of the given width.
    Line(RGBColor, u32),
    /// A dashed line of the given width.
    Dashed(RGBColor, u32),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub(crate) struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

impl LegendItem {
    pub fn fill(label: impl Into<String>, color: RGBAColor) -> Self {
        LegendItem {
            label: label.into(),
            swatch: Swatch::Fill(color),
        }
    }
    pub fn line(label: impl Into<String>, color: RGBColor, width: u32) -> Self {
        LegendItem {
            label: label.into(),
            swatch: Swatch::Line(color, width),
        }
    }
    pub fn dashed(label: impl Into<String>, color: RGBColor, width: u32) -> Self {
        LegendItem {
            label: label.into(),
            swatch: Swatch::Dashed(color, width),
        }
    }
}

/// Width of a legend swatch, in pixels.
const SWATCH_W: i32 = 46;
/// Gap between a swatch and its label, in pixels.
const SWATCH_GAP: i32 = 12;
/// Horizontal gap between legend entries in a row, in pixels.
const LEGEND_SPACING: i32 = 40;
/// Height of one legend row, in pixels.
pub(crate) const LEGEND_ROW: i32 = LEGEND_SIZE as i32 + 16;

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: &Swatch,
    x: i32,
    y_mid: i32,
) -> Result<()> {
    match swatch {
        Swatch::Fill(c) => {
            let h = LEGEND_SIZE as i32 / 2 + 2;
            area.draw(&Rectangle::new(
                [(x, y_mid - h), (x + SWATCH_W, y_mid + h)],
                c.filled(),
            ))
            .map_err(draw_err)?;
            area.draw(&Rectangle::new(
                [(x, y_mid - h), (x + SWATCH_W, y_mid + h)],
                ShapeStyle::from(&NEUTRAL_DARK.mix(0.6)).stroke_width(1),
            ))
            .map_err(draw_err)?;
        }
        Swatch::Line(c, w) => {
            area.draw(&PathElement::new(
                vec![(x, y_mid), (x + SWATCH_W, y_mid)],
                c.stroke_width(*w),
            ))
            .map_err(draw_err)?;
        }
        Swatch::Dashed(c, w) => {
            let dash = 10;
            let mut x0 = x;
            while x0 < x + SWATCH_W {
                let x1 = (x0 + dash).min(x + SWATCH_W);
                area.draw(&PathElement::new(
                    vec![(x0, y_mid), (x1, y_mid)],
                    c.stroke_width(*w),
                ))
                .map_err(draw_err)?;
                x0 += dash + 7;
            }
        }
    }
    Ok(())
}

/// Width in pixels of a legend drawn as one column.
pub(crate) fn legend_column_width(items: &[LegendItem]) -> u32 {
    let style = text(LEGEND_SIZE, INK);
    let w = max_text_width(items.iter().map(|i| i.label.clone()), &style);
    w + (SWATCH_W + SWATCH_GAP) as u32
}

/// Draws a legend as one column with its top-left corner at `(x, y)`. Labels that do
/// not fit in `max_width` are shortened.
pub(crate) fn draw_legend_column<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[LegendItem],
    (x, y): (i32, i32),
    max_width: u32,
) -> Result<()> {
    let style = anchored(text(LEGEND_SIZE, INK), HPos::Left, VPos::Center);
    let label_w = max_width.saturating_sub((SWATCH_W + SWATCH_GAP) as u32);
    for (i, item) in items.iter().enumerate() {
        let y_mid = y + i as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        draw_swatch(area, &item.swatch, x, y_mid)?;
        let label = fit_text(&item.label, &style, label_w);
        area.draw(&Text::new(
            label,
            (x + SWATCH_W + SWATCH_GAP, y_mid),
            style.clone(),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}

/// Places legend entries greedily in rows no wider than `width`; returns for each
/// entry its (row, x offset from the row start) and the width of each row.
fn legend_rows_greedy(items: &[LegendItem], width: u32) -> (Vec<(usize, i32)>, Vec<i32>) {
    let style = text(LEGEND_SIZE, INK);
    let mut placed = Vec::with_capacity(items.len());
    let mut row_ends: Vec<i32> = Vec::new();
    let (mut row, mut x) = (0usize, 0i32);
    for item in items {
        let w = SWATCH_W + SWATCH_GAP + text_size(&item.label, &style).0 as i32;
        if x > 0 && x + w > width as i32 {
            row_ends.push(x - LEGEND_SPACING);
            row += 1;
            x = 0;
        }
        placed.push((row, x));
        x += w + LEGEND_SPACING;
    }
    row_ends.push(x - LEGEND_SPACING);
    (placed, row_ends)
}

/// Places legend entries in as few rows as fit in `width` pixels, balancing the rows'
/// lengths and centring each row; returns for each entry its (row, x offset) and the
/// number of rows.
fn legend_rows_layout(items: &[LegendItem], width: u32) -> (Vec<(usize, i32)>, usize) {
    if items.is_empty() {
        return (Vec::new(), 0);
    }
    let rows = legend_rows_greedy(items, width).1.len();
    // The narrowest width that still needs no more rows gives the most even rows.
    let (mut lo, mut hi) = (1u32, width.max(1));
    while lo < hi {
        let mid = (lo + hi) / 2;
        if legend_rows_greedy(items, mid).1.len() <= rows {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let (mut placed, row_ends) = legend_rows_greedy(items, hi);
    for (r, dx) in placed.iter_mut() {
        *dx += ((width as i32 - row_ends[*r]) / 2).max(0);
    }
    (placed, row_ends.len())
}

/// Number of rows a legend takes when laid out across `width` pixels.
pub(crate) fn legend_rows_count(items: &[LegendItem], width: u32) -> usize {
    legend_rows_layout(items, width).1
}

/// Draws a legend in centred rows (wrapping as needed) starting at `(x, y)` and
/// spanning `width` pixels.
pub(crate) fn draw_legend_rows<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[LegendItem],
    (x, y): (i32, i32),
    width: u32,
) -> Result<()> {
    let style = anchored(text(LEGEND_SIZE, INK), HPos::Left, VPos::Center);
    let (placed, _) = legend_rows_layout(items, width);
    for (item, (row, dx)) in items.iter().zip(placed) {
        let y_mid = y + row as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        draw_swatch(area, &item.swatch, x + dx, y_mid)?;
        let label = fit_text(&item.label, &style, width);
        area.draw(&Text::new(
            label,
            (x + dx + SWATCH_W + SWATCH_GAP, y_mid),
            style.clone(),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}

/// Draws `items` as a legend across the top of `area`, inside its margins, and
/// returns the part of `area` below it, `gap` pixels further down. An empty
/// legend takes no room.
pub(crate) fn legend_on_top<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[LegendItem],
    gap: u32,
) -> Result<DrawingArea<DB, Shift>> {
    if items.is_empty() {
        return Ok(area.clone());
    }
    let inner_w = area.dim_in_pixel().0.saturating_sub(2 * MARGIN);
    draw_legend_rows(area, items, (MARGIN as i32, 0), inner_w)?;
    let height = legend_rows_count(items, inner_w) as u32 * LEGEND_ROW as u32 + gap;
    Ok(area.split_vertically(height).1)
}

/// Legend entries of the dashed partnership (+theta) and antagonism (-theta)
/// threshold lines.
pub(crate) fn threshold_legend(theta: f64) -> [LegendItem; 2] {
    [
        LegendItem::dashed(
            format!("partnership threshold {}", fmt_signed(theta)),
            PARTNERSHIP_LINE,
            3,
        ),
        LegendItem::dashed(
            format!("antagonism threshold {}", fmt_signed(-theta)),
            ANTAGONISM_LINE,
            3,
        ),
    ]
}
