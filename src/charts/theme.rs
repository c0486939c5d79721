//! Shared look of every chart: font, text sizes, canvas sizes, colours, legends and
//! number formats.
//!
//! The font is DejaVu Sans, embedded in the binary and registered with plotters under
//! the family name `sans-serif`, so drawing needs no system font and no fontconfig.
//! Colours come from the Okabe-Ito palette, which stays distinguishable under the
//! common forms of colour blindness. Each outcome name and each triad configuration
//! keeps one colour in every chart, so a reader can carry the key from one figure to
//! the next.

use std::sync::OnceLock;

use crate::format::{fmt_num, fmt_signed};
use anyhow::{Result, anyhow};
use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

/// Font family name the embedded font is registered under.
pub(crate) const FAMILY: &str = "sans-serif";

/// Size of the single-panel charts, in pixels.
pub(crate) const CANVAS: (u32, u32) = (1800, 1100);
/// Width of the small-multiples charts, in pixels.
pub(crate) const GRID_WIDTH: u32 = 1800;
/// Height of one row of small multiples, in pixels.
pub(crate) const GRID_ROW_HEIGHT: u32 = 470;

/// Text sizes in pixels (the nominal size plotters passes to the font).
pub(crate) const TITLE_SIZE: u32 = 38;
pub(crate) const SUBTITLE_SIZE: u32 = 26;
pub(crate) const PANEL_TITLE_SIZE: u32 = 30;
pub(crate) const AXIS_DESC_SIZE: u32 = 28;
pub(crate) const TICK_SIZE: u32 = 26;
pub(crate) const LEGEND_SIZE: u32 = 26;
pub(crate) const BAR_LABEL_SIZE: u32 = 26;

/// Outer margin of every chart, in pixels.
pub(crate) const MARGIN: u32 = 30;
/// Height reserved at the top of a chart for the title and one subtitle line.
pub(crate) const HEADER_HEIGHT: u32 = 110;

/// Okabe-Ito palette.
pub(crate) const INK: RGBColor = RGBColor(0, 0, 0);
pub(crate) const OI_ORANGE: RGBColor = RGBColor(230, 159, 0);
pub(crate) const OI_SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
pub(crate) const OI_GREEN: RGBColor = RGBColor(0, 158, 115);
pub(crate) const OI_YELLOW: RGBColor = RGBColor(240, 228, 66);
pub(crate) const OI_BLUE: RGBColor = RGBColor(0, 114, 178);
pub(crate) const OI_VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub(crate) const OI_PURPLE: RGBColor = RGBColor(204, 121, 167);
/// Neutral greys for "other", "loose", grid lines and secondary text.
pub(crate) const NEUTRAL: RGBColor = RGBColor(153, 153, 153);
pub(crate) const NEUTRAL_LIGHT: RGBColor = RGBColor(205, 205, 205);
pub(crate) const NEUTRAL_DARK: RGBColor = RGBColor(70, 70, 70);
pub(crate) const GRID_LINE: RGBColor = RGBColor(228, 228, 228);

/// Colour of the fan charts and histograms of alignment.
pub(crate) const ALIGNMENT: RGBColor = OI_BLUE;
/// Colour of the partnership threshold line (+theta_P).
pub(crate) const PARTNERSHIP_LINE: RGBColor = OI_GREEN;
/// Colour of the antagonism threshold line (-theta_P).
pub(crate) const ANTAGONISM_LINE: RGBColor = OI_VERMILLION;

/// Colours handed out, in order, to outcome names the theme does not know and to
/// scenarios in a comparison.
const CYCLE: [RGBColor; 8] = [
    OI_BLUE,
    OI_ORANGE,
    OI_GREEN,
    OI_VERMILLION,
    OI_PURPLE,
    OI_SKY_BLUE,
    OI_YELLOW,
    RGBColor(120, 80, 30),
];

/// `color` mixed with white: `t = 1` gives the colour itself, `t = 0` white. Used for
/// opaque light fills that print the same as they look on screen.
pub(crate) fn tint(color: RGBColor, t: f64) -> RGBColor {
    let mix = |c: u8| (255.0 - (255.0 - c as f64) * t).round().clamp(0.0, 255.0) as u8;
    RGBColor(mix(color.0), mix(color.1), mix(color.2))
}

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

/// Regular text of the given size and colour.
pub(crate) fn text(size: u32, color: RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: (FAMILY, size as f64).into_font(),
        color: color.to_backend_color(),
        pos: Pos::default(),
    }
}

/// Bold text of the given size and colour.
pub(crate) fn bold(size: u32, color: RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: (FAMILY, size as f64, FontStyle::Bold).into_font(),
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

/// Draws the title and subtitle lines at the top of `root` and returns the area below
/// them. Subtitle lines that are too long for the canvas are shortened.
pub(crate) fn draw_header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitles: &[String],
) -> Result<DrawingArea<DB, Shift>> {
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

/// Height of the header drawn by [`draw_header`] for `lines` subtitle lines.
pub(crate) fn header_height(lines: usize) -> u32 {
    (MARGIN + TITLE_SIZE + 6 + lines as u32 * (SUBTITLE_SIZE + 8) + 14).max(HEADER_HEIGHT)
}

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

/// Fixed colours of the named outcomes of the default rules; other names take the
/// next free colour of the palette in the order they are first seen.
#[derive(Debug, Clone)]
pub(crate) struct OutcomeColors {
    assigned: Vec<(String, RGBColor)>,
}

impl OutcomeColors {
    /// Builds the colour key for a list of outcome names (e.g. the manifest's order).
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut assigned: Vec<(String, RGBColor)> = Vec::new();
        let mut unknown = Vec::new();
        for name in names {
            if assigned.iter().any(|(n, _)| n == name) || unknown.contains(&name) {
                continue;
            }
            match known_outcome_color(name) {
                Some(c) => assigned.push((name.to_string(), c)),
                None => unknown.push(name),
            }
        }
        // Colours no known outcome uses come first, then those of known outcomes
        // absent from this list, so that a custom name never borrows the colour of a
        // default outcome unless the palette runs out.
        let reserved: Vec<RGBColor> = KNOWN_OUTCOMES.iter().map(|(_, c)| *c).collect();
        let used = |c: &RGBColor| assigned.iter().any(|(_, a)| a == c);
        let mut order: Vec<RGBColor> = CYCLE
            .iter()
            .copied()
            .filter(|c| !reserved.contains(c))
            .collect();
        order.extend(
            CYCLE
                .iter()
                .copied()
                .filter(|c| reserved.contains(c) && !used(c)),
        );
        let mut free = order.into_iter().cycle();
        for name in unknown {
            let c = free.next().unwrap_or(NEUTRAL);
            assigned.push((name.to_string(), c));
        }
        OutcomeColors { assigned }
    }

    /// Colour of an outcome name (grey for a name not in the key).
    pub fn get(&self, name: &str) -> RGBColor {
        self.assigned
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| *c)
            .unwrap_or(NEUTRAL)
    }
}

/// Outcome names of the default rules and their colours.
const KNOWN_OUTCOMES: [(&str, RGBColor); 6] = [
    ("sino_russian_alliance", OI_VERMILLION),
    ("partnership_short_of_alliance", OI_ORANGE),
    ("us_russia_rapprochement", OI_BLUE),
    ("russia_pivot", OI_PURPLE),
    ("drift", OI_SKY_BLUE),
    ("other", NEUTRAL),
];

fn known_outcome_color(name: &str) -> Option<RGBColor> {
    KNOWN_OUTCOMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
}

/// Colour of the `i`-th scenario in a comparison.
pub(crate) fn scenario_color(i: usize) -> RGBColor {
    CYCLE[i % CYCLE.len()]
}

/// Kind of a triad configuration, parsed from its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConfigKind {
    MenageATrois,
    /// Romantic triangle with the given pivot.
    RomanticTriangle(String),
    /// Stable marriage with the given couple (`A-B`).
    StableMarriage(String),
    UnitVeto,
    Loose,
    Unknown(String),
}

impl ConfigKind {
    pub fn parse(name: &str) -> ConfigKind {
        if name == "menage_a_trois" {
            ConfigKind::MenageATrois
        } else if let Some(p) = name.strip_prefix("romantic_triangle_") {
            ConfigKind::RomanticTriangle(p.to_string())
        } else if let Some(c) = name.strip_prefix("stable_marriage_") {
            ConfigKind::StableMarriage(c.to_string())
        } else if name == "unit_veto" {
            ConfigKind::UnitVeto
        } else if name == "loose" {
            ConfigKind::Loose
        } else {
            ConfigKind::Unknown(name.to_string())
        }
    }

    /// Rank used to order the bands of a stack: balanced `+++` first, then `++-`,
    /// `+--`, `---`, loose, and unknown names last.
    fn group_rank(&self) -> u8 {
        match self {
            ConfigKind::MenageATrois => 0,
            ConfigKind::RomanticTriangle(_) => 1,
            ConfigKind::StableMarriage(_) => 2,
            ConfigKind::UnitVeto => 3,
            ConfigKind::Loose => 4,
            ConfigKind::Unknown(_) => 5,
        }
    }
}

/// Shades used for the three romantic triangles (one per pivot).
const TRIANGLE_SHADES: [RGBColor; 3] = [OI_ORANGE, OI_YELLOW, RGBColor(150, 95, 0)];
/// Shades used for the three stable marriages (one per couple).
const MARRIAGE_SHADES: [RGBColor; 3] = [OI_BLUE, OI_SKY_BLUE, RGBColor(0, 60, 110)];

/// Colour, label and sort key of the triad configurations, keyed by the triad's agent
/// order so that the same pivot or couple always gets the same shade.
#[derive(Debug, Clone)]
pub(crate) struct ConfigStyle {
    triad: Vec<String>,
}

impl ConfigStyle {
    /// Builds the style from the manifest's triad; when that does not list three
    /// agents, the agents are taken from the configuration names in `names`.
    pub fn new<'a>(triad: &[String], names: impl IntoIterator<Item = &'a str>) -> Self {
        if triad.len() == 3 {
            return ConfigStyle {
                triad: triad.to_vec(),
            };
        }
        let mut agents: Vec<String> = Vec::new();
        for name in names {
            let found: Vec<&str> = match ConfigKind::parse(name) {
                ConfigKind::RomanticTriangle(_) => {
                    vec![name.trim_start_matches("romantic_triangle_")]
                }
                ConfigKind::StableMarriage(_) => name
                    .trim_start_matches("stable_marriage_")
                    .split('-')
                    .collect(),
                _ => Vec::new(),
            };
            for a in found {
                if !agents.iter().any(|x| x == a) {
                    agents.push(a.to_string());
                }
            }
        }
        ConfigStyle { triad: agents }
    }

    /// Index of the vertex a configuration is about: the pivot of a romantic triangle,
    /// or the outcast of a stable marriage (the triad agent not in the couple).
    fn vertex_index(&self, kind: &ConfigKind) -> Option<usize> {
        match kind {
            ConfigKind::RomanticTriangle(p) => self.triad.iter().position(|a| a == p),
            ConfigKind::StableMarriage(couple) => {
                let members: Vec<&str> = couple.split('-').collect();
                let outcasts: Vec<usize> = self
                    .triad
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| !members.contains(&a.as_str()))
                    .map(|(i, _)| i)
                    .collect();
                if outcasts.len() == 1 && members.len() == 2 {
                    Some(outcasts[0])
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Key that sorts configurations into stacking (and legend) order.
    pub fn sort_key(&self, name: &str) -> (u8, usize, String) {
        let kind = ConfigKind::parse(name);
        let idx = self.vertex_index(&kind).unwrap_or(usize::MAX);
        (kind.group_rank(), idx, name.to_string())
    }

    /// Fill colour of a configuration.
    pub fn color(&self, name: &str) -> RGBColor {
        let kind = ConfigKind::parse(name);
        let idx = self.vertex_index(&kind);
        match kind {
            ConfigKind::MenageATrois => OI_GREEN,
            ConfigKind::RomanticTriangle(_) => {
                TRIANGLE_SHADES[idx.unwrap_or(0) % TRIANGLE_SHADES.len()]
            }
            ConfigKind::StableMarriage(_) => {
                MARRIAGE_SHADES[idx.unwrap_or(0) % MARRIAGE_SHADES.len()]
            }
            ConfigKind::UnitVeto => OI_VERMILLION,
            ConfigKind::Loose => NEUTRAL_LIGHT,
            ConfigKind::Unknown(_) => OI_PURPLE,
        }
    }

    /// Reader-facing label of a configuration.
    pub fn label(&self, name: &str) -> String {
        match ConfigKind::parse(name) {
            ConfigKind::MenageATrois => "ménage à trois (+++)".to_string(),
            ConfigKind::RomanticTriangle(p) => format!("romantic triangle, pivot {p} (++−)"),
            ConfigKind::StableMarriage(c) => format!("stable marriage {c} (+−−)"),
            ConfigKind::UnitVeto => "unit veto (−−−)".to_string(),
            ConfigKind::Loose => "loose (any 0 tie)".to_string(),
            ConfigKind::Unknown(n) => n,
        }
    }
}

/// How the x axis of the time charts is labelled: calendar years when the manifest
/// gives a start year, steps otherwise.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeAxis {
    pub start_year: Option<f64>,
    pub dt: f64,
}

impl TimeAxis {
    /// x coordinate of a step.
    pub fn x(&self, step: u32) -> f64 {
        match self.start_year {
            Some(y0) => y0 + step as f64 * self.dt,
            None => step as f64,
        }
    }

    /// Description of the x axis.
    pub fn desc(&self) -> String {
        match self.start_year {
            Some(_) => "year".to_string(),
            None => format!("step (one step = {} years)", fmt_num(self.dt)),
        }
    }

    /// A sentence relating years and steps, for subtitles.
    pub fn note(&self, last_step: u32) -> String {
        match self.start_year {
            Some(y0) => format!(
                "step 0 = {}, one step = {} years, {} steps to {}",
                fmt_num(y0),
                fmt_num(self.dt),
                last_step,
                fmt_num(y0 + last_step as f64 * self.dt)
            ),
            None => format!(
                "{} steps of {} years; no start year given",
                last_step,
                fmt_num(self.dt)
            ),
        }
    }
}

/// Anchors of the viridis colour map (matplotlib), at `t = 0, 1/8, ..., 1`.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (72, 40, 120),
    (62, 74, 137),
    (49, 104, 142),
    (38, 130, 142),
    (31, 158, 137),
    (53, 183, 121),
    (109, 205, 89),
    (253, 231, 37),
];

/// Viridis, a sequential colour map that stays ordered in lightness and readable
/// under the common forms of colour blindness: dark purple at `t = 0`, yellow at
/// `t = 1` (values outside [0, 1] are clamped, NaN gives the low end).
pub(crate) fn viridis(t: f64) -> RGBColor {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Text colour that reads well on a fill: black on light fills, white on dark ones.
pub(crate) fn ink_on(fill: RGBColor) -> RGBColor {
    let lum = 0.2126 * fill.0 as f64 + 0.7152 * fill.1 as f64 + 0.0722 * fill.2 as f64;
    if lum > 120.0 { INK } else { WHITE }
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

    #[test]
    fn configuration_colours_are_distinct() {
        let triad: Vec<String> = ["USA", "CHN", "RUS"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let style = ConfigStyle::new(&triad, []);
        let names = [
            "menage_a_trois",
            "romantic_triangle_USA",
            "romantic_triangle_CHN",
            "romantic_triangle_RUS",
            "stable_marriage_CHN-RUS",
            "stable_marriage_USA-RUS",
            "stable_marriage_USA-CHN",
            "unit_veto",
            "loose",
        ];
        let colours: Vec<RGBColor> = names.iter().map(|n| style.color(n)).collect();
        for i in 0..colours.len() {
            for j in i + 1..colours.len() {
                assert_ne!(colours[i], colours[j], "{} vs {}", names[i], names[j]);
            }
        }
    }

    #[test]
    fn configuration_agents_from_names_without_triad() {
        let names = [
            "romantic_triangle_A",
            "romantic_triangle_B",
            "stable_marriage_B-C",
        ];
        let style = ConfigStyle::new(&[], names);
        assert_ne!(style.color(names[0]), style.color(names[1]));
        assert_eq!(
            style.color("stable_marriage_B-C"),
            style.color("stable_marriage_C-B")
        );
    }

    #[test]
    fn outcome_colours_are_fixed() {
        let a = OutcomeColors::new(["drift", "sino_russian_alliance", "custom"]);
        let b = OutcomeColors::new(["custom", "sino_russian_alliance"]);
        assert_eq!(
            a.get("sino_russian_alliance"),
            b.get("sino_russian_alliance")
        );
        assert_ne!(a.get("custom"), a.get("drift"));
    }
}
