//! How charts are drawn for their medium: the size presets and whether the
//! title shows.
//!
//! A preset fixes the width of the figure in inches, its resolution and the
//! smallest text on it. Every chart is laid out on a *design* canvas in the
//! house pixel sizes (text of 26 to 38 nominal pixels) and then drawn
//! enlarged by a factor `k` onto the output canvas, so that the layout never
//! changes with the medium; a preset narrows the design canvas instead, which
//! makes the text larger relative to the figure.
//!
//! Font sizes: a nominal size `s` (the size plotters passes to the font) has
//! an em of `s / 1.24` pixels, the ratio both plotters' SVG writer and its
//! font layout use. A text of `pt` points on a figure printed at `dpi` dots per
//! inch needs an em of `pt * dpi / 72` pixels. So:
//!
//! | preset | output | smallest em | needed for 8 pt |
//! |---|---|---|---|
//! | `screen` | 1800 px wide (12 in at 150 DPI), as before | 26 / 1.24 = 21.0 px (10 pt) except bar values, which may shrink to 12 nominal px | none promised |
//! | `paper` | 6.5 in × 4.5 in at 300 DPI = 1950 × 1350 px; design 1219 px wide, `k` = 1.6 | 26 × 1.6 / 1.24 = 33.5 px (8.05 pt) | 8 × 300 / 72 = 33.3 px |
//! | `slide` | 13.33 in × 7.5 in at 150 DPI = 2000 × 1125 px; design 1500 px wide, `k` = 4/3 | 26 × 4/3 / 1.24 = 28.0 px (13.4 pt) | 8 × 150 / 72 = 16.7 px |
//!
//! Under `paper` and `slide` no text is drawn below 26 nominal design pixels:
//! text that would shrink to fit (bar values, heatmap cells) stops at that
//! floor. Single-panel charts take the preset's height; charts that grow with
//! their content (small multiples, long bar lists) keep their extra height,
//! scaled with the width.
//!
//! The options hold for the current thread while [`with_options`] runs;
//! charts are drawn on the thread that asks for them.

use std::cell::Cell;

use super::theme::CANVAS;

/// Size preset of the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ChartSize {
    /// 1800 pixels wide, text from 26 nominal pixels (12 in at 150 DPI).
    #[default]
    Screen,
    /// 6.5 in wide at 300 DPI, no text under 8 pt.
    Paper,
    /// 13.33 in × 7.5 in at 150 DPI.
    Slide,
}

/// How charts are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartOptions {
    pub size: ChartSize,
    /// Draw the title and subtitle lines (off for figures captioned elsewhere).
    pub title: bool,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            size: ChartSize::Screen,
            title: true,
        }
    }
}

/// The numbers behind a [`ChartSize`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preset {
    /// Resolution written into the PNG, in dots per inch.
    pub dpi: u32,
    /// Width and height of a single-panel chart's design canvas, in pixels.
    pub design: (u32, u32),
    /// Enlargement from design to output pixels.
    pub scale: f64,
    /// Smallest nominal text size on the design canvas (0: no floor).
    pub min_text: u32,
}

/// Nominal font size per pixel of em (see the module notes).
pub const NOMINAL_PER_EM: f64 = 1.24;

impl ChartSize {
    pub fn preset(self) -> Preset {
        match self {
            ChartSize::Screen => Preset {
                dpi: 150,
                design: CANVAS,
                scale: 1.0,
                min_text: 0,
            },
            // 6.5 in × 300 DPI = 1950 px; 1950 / 1.6 = 1219 design pixels;
            // 4.5 in × 300 DPI = 1350 px; 1350 / 1.6 = 844.
            ChartSize::Paper => Preset {
                dpi: 300,
                design: (1219, 844),
                scale: 1.6,
                min_text: 26,
            },
            // 13.33 in × 150 DPI = 2000 px; 2000 / (4/3) = 1500 design
            // pixels; 7.5 in × 150 DPI = 1125 px; 1125 / (4/3) = 844.
            ChartSize::Slide => Preset {
                dpi: 150,
                design: (1500, 844),
                scale: 4.0 / 3.0,
                min_text: 26,
            },
        }
    }
}

impl Preset {
    /// Design canvas of a chart that asks for `size` on the house canvas.
    pub fn design_canvas(&self, (w, h): (u32, u32)) -> (u32, u32) {
        if self.scale == 1.0 && self.design == CANVAS {
            return (w, h);
        }
        let (dw, dh) = self.design;
        let extra = h.saturating_sub(CANVAS.1) as f64 * dw as f64 / w.max(1) as f64;
        (dw, dh + extra.round() as u32)
    }

    /// Output canvas of a design canvas.
    pub fn output_canvas(&self, (w, h): (u32, u32)) -> (u32, u32) {
        let up = |v: u32| (v as f64 * self.scale).round() as u32;
        (up(w), up(h))
    }

    /// Smallest em, in output pixels, of any text the preset draws (for
    /// presets with a floor).
    pub fn min_em_px(&self) -> f64 {
        self.min_text as f64 * self.scale / NOMINAL_PER_EM
    }
}

thread_local! {
    static CURRENT: Cell<ChartOptions> = Cell::new(ChartOptions::default());
}

/// Runs `f` with the chart options `options` on this thread, then restores the
/// previous ones (also when `f` panics).
pub fn with_options<T>(options: &ChartOptions, f: impl FnOnce() -> T) -> T {
    struct Restore(ChartOptions);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(*options)));
    f()
}

/// The chart options in force on this thread.
pub(crate) fn current() -> ChartOptions {
    CURRENT.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_keep_text_at_8_pt_or_more() {
        for size in [ChartSize::Paper, ChartSize::Slide] {
            let p = size.preset();
            let needed = 8.0 * p.dpi as f64 / 72.0;
            assert!(p.min_em_px() >= needed, "{size:?}: {}", p.min_em_px());
        }
    }

    #[test]
    fn presets_have_their_stated_width() {
        let paper = ChartSize::Paper.preset();
        assert_eq!(paper.output_canvas(paper.design).0, 1950); // 6.5 in at 300 DPI
        let slide = ChartSize::Slide.preset();
        assert_eq!(slide.output_canvas(slide.design), (2000, 1125)); // 13.33 x 7.5 in at 150
        let screen = ChartSize::Screen.preset();
        assert_eq!(screen.design_canvas((1800, 2300)), (1800, 2300));
    }

    #[test]
    fn options_are_restored() {
        let paper = ChartOptions {
            size: ChartSize::Paper,
            title: false,
        };
        with_options(&paper, || assert_eq!(current(), paper));
        assert_eq!(current(), ChartOptions::default());
    }
}
