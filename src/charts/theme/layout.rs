//! Layout: canvas sizes, margins, the header, axes in the house style and
//! small-multiples grids.

use anyhow::Result;
use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::*;

/// Size of the single-panel charts, in pixels.
pub(crate) const CANVAS: (u32, u32) = (1800, 1100);
/// Width of the small-multiples charts, in pixels.
pub(crate) const GRID_WIDTH: u32 = 1800;
/// Height of one row of small multiples, in pixels.
pub(crate) const GRID_ROW_HEIGHT: u32 = 470;

/// Outer margin of every chart, in pixels.
pub(crate) const MARGIN: u32 = 30;
/// Height reserved at the top of a chart for the title and one subtitle line.
pub(crate) const HEADER_HEIGHT: u32 = 110;

/// Draws the title and subtitle lines at the top of `root` and returns the area below
/// them (only a top margin when the chart options turn titles off). Subtitle lines that are too long for the canvas are shortened.
pub(crate) fn draw_header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitles: &[String],
) -> Result<DrawingArea<DB, Shift>> {
    if !crate::charts::look::current().title {
        return Ok(root.split_vertically(header_height(subtitles.len())).1);
    }
    let (w, _) = root.dim_in_pixel();
    let max_w = w.saturating_sub(2 * MARGIN);
    let title_style = anchored(bold(TITLE_SIZE, INK), HPos::Left, VPos::Top);
    let title = fit_text(title, &title_style, max_w);
    root.draw(&Text::new(
        title,
        (MARGIN as i32, MARGIN as i32 - 6),
        title_style,
    ))
    .map_err(draw_err)?;
    let sub_style = anchored(text(SUBTITLE_SIZE, NEUTRAL_DARK), HPos::Left, VPos::Top);
    let mut y = MARGIN as i32 + TITLE_SIZE as i32 + 6;
    for line in subtitles {
        let line = fit_text(line, &sub_style, max_w);
        root.draw(&Text::new(line, (MARGIN as i32, y), sub_style.clone()))
            .map_err(draw_err)?;
        y += SUBTITLE_SIZE as i32 + 8;
    }
    let used = (y + 14).max(HEADER_HEIGHT as i32) as u32;
    Ok(root.split_vertically(used).1)
}

/// Height of the header drawn by [`draw_header`] for `lines` subtitle lines (a
/// margin only when titles are off).
pub(crate) fn header_height(lines: usize) -> u32 {
    if !crate::charts::look::current().title {
        return MARGIN;
    }
    (MARGIN + TITLE_SIZE + 6 + lines as u32 * (SUBTITLE_SIZE + 8) + 14).max(HEADER_HEIGHT)
}

/// The coordinates of a chart of horizontal bars: `x` along the value axis,
/// one unit of height per category row, label areas of `x_area` (below) and
/// `y_area` (left), and the house margins with room on the right for the
/// labels that follow the bars.
pub(crate) fn bar_rows_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    (x_area, y_area): (u32, u32),
    x: std::ops::Range<f64>,
    rows: usize,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>> {
    ChartBuilder::on(area)
        .margin_left(MARGIN)
        .margin_right(MARGIN + 20)
        .margin_top(10)
        .margin_bottom(MARGIN)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x, 0.0..rows as f64)
        .map_err(draw_err)
}

/// Gives the axes of a chart the house style: tick and description fonts, a light
/// grid at the labelled ticks only, dark axis lines. Tick counts, formatters and
/// descriptions stay with each chart.
pub(crate) fn house_mesh<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged,
    Y: Ranged,
    DB: DrawingBackend,
{
    mesh.label_style(text(TICK_SIZE, INK))
        .axis_desc_style(text(AXIS_DESC_SIZE, INK))
        .bold_line_style(GRID_LINE.stroke_width(1))
        .light_line_style(WHITE.mix(0.0))
        .axis_style(NEUTRAL_DARK.stroke_width(2))
}

/// Rows and columns of a small-multiples grid for `n` panels, chosen so that panels
/// stay wide enough for their axis labels on a [`GRID_WIDTH`] canvas.
pub(crate) fn grid_shape(n: usize) -> (usize, usize) {
    let cols = match n {
        0 | 1 => 1,
        2 => 2,
        4 => 2,
        3 | 5..=12 => 3,
        _ => 4,
    };
    (n.max(1).div_ceil(cols), cols)
}

/// Canvas size of a small-multiples chart with `n` panels.
pub(crate) fn grid_canvas(n: usize, header_lines: usize, legend_rows: usize) -> (u32, u32) {
    let (rows, _) = grid_shape(n);
    let h = header_height(header_lines)
        + rows as u32 * GRID_ROW_HEIGHT
        + legend_rows as u32 * LEGEND_ROW as u32
        + 2 * MARGIN
        + AXIS_DESC_SIZE
        + 20;
    (GRID_WIDTH, h.max(CANVAS.1))
}

/// Converts a backend pixel position into `area`'s own pixel coordinates.
pub(crate) fn local<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
) -> (i32, i32) {
    let (bx, by) = area.get_base_pixel();
    (x - bx, y - by)
}

/// Panels of a small-multiples figure, laid out by [`grid_shape`] inside `body`, with
/// one shared x description and legend below the grid and one shared y description
/// left of it. Returns one drawing area per panel, row by row.
pub(crate) fn grid_panels<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    n: usize,
    x_desc: &str,
    y_desc: &str,
    legend: &[LegendItem],
) -> Result<Vec<DrawingArea<DB, Shift>>> {
    let (w, h) = body.dim_in_pixel();
    let inner_w = w.saturating_sub(2 * MARGIN);
    let legend_h = legend_rows_count(legend, inner_w) as u32 * LEGEND_ROW as u32;
    let x_desc_h = AXIS_DESC_SIZE + 20;
    let bottom_h = x_desc_h + legend_h + MARGIN;
    let y_desc_w = AXIS_DESC_SIZE + 24;

    let (grid, bottom) = body.split_vertically(h.saturating_sub(bottom_h));
    let (y_strip, grid) = grid.split_horizontally(MARGIN + y_desc_w);
    let grid = grid.margin(0, 0, 0, MARGIN);

    let (gw, _) = grid.dim_in_pixel();
    let desc_style = anchored(text(AXIS_DESC_SIZE, INK), HPos::Center, VPos::Top);
    let grid_left = (MARGIN + y_desc_w) as i32;
    bottom
        .draw(&Text::new(
            x_desc.to_string(),
            (grid_left + gw as i32 / 2, 4),
            desc_style,
        ))
        .map_err(draw_err)?;
    draw_legend_rows(&bottom, legend, (MARGIN as i32, x_desc_h as i32), inner_w)?;

    let (_, sh) = y_strip.dim_in_pixel();
    let y_style = anchored(text(AXIS_DESC_SIZE, INK), HPos::Center, VPos::Top)
        .transform(FontTransform::Rotate270);
    y_strip
        .draw(&Text::new(
            y_desc.to_string(),
            (MARGIN as i32, sh as i32 / 2),
            y_style,
        ))
        .map_err(draw_err)?;

    let (rows, cols) = grid_shape(n);
    Ok(grid
        .split_evenly((rows, cols))
        .into_iter()
        .take(n)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_fits_ten_dyads() {
        assert_eq!(grid_shape(3), (1, 3));
        assert_eq!(grid_shape(10), (4, 3));
        assert_eq!(grid_shape(1), (1, 1));
    }
}
