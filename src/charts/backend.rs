//! Drawing for a medium: a backend that enlarges a chart drawn on its design
//! canvas onto the output canvas (see [`super::look`]), and the PNG writer
//! that records the resolution.

use std::path::Path;

use anyhow::{Context, Result};
use plotters::prelude::*;
use plotters::style::FontDesc;

use super::look::Preset;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

/// A backend that takes drawing in design pixels and draws it `scale` times
/// larger on `inner`, with no text below `min_text` nominal design pixels.
/// With a scale of 1 and no floor every call passes through unchanged.
pub(crate) struct Scaled<DB> {
    inner: DB,
    scale: f64,
    design: (u32, u32),
    min_text: f64,
}

impl<DB: DrawingBackend> Scaled<DB> {
    pub fn new(inner: DB, design: (u32, u32), preset: &Preset) -> Self {
        Scaled {
            inner,
            scale: preset.scale,
            design,
            min_text: f64::from(preset.min_text),
        }
    }

    fn up(&self, v: i32) -> i32 {
        (v as f64 * self.scale).round() as i32
    }

    fn point(&self, (x, y): BackendCoord) -> BackendCoord {
        (self.up(x), self.up(y))
    }

    fn stroke<S: BackendStyle>(&self, style: &S) -> Stroke {
        let w = style.stroke_width();
        Stroke {
            color: style.color(),
            width: if self.scale == 1.0 {
                w
            } else {
                ((w as f64 * self.scale).round() as u32).max(1)
            },
        }
    }
}

/// A line or fill style with its width in output pixels.
struct Stroke {
    color: BackendColor,
    width: u32,
}

impl BackendStyle for Stroke {
    fn color(&self) -> BackendColor {
        self.color
    }
    fn stroke_width(&self) -> u32 {
        self.width
    }
}

type DrawResult<E> = Result<(), DrawingErrorKind<E>>;

impl<DB: DrawingBackend> DrawingBackend for Scaled<DB> {
    type ErrorType = DB::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.design
    }

    fn ensure_prepared(&mut self) -> DrawResult<DB::ErrorType> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> DrawResult<DB::ErrorType> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, p: BackendCoord, color: BackendColor) -> DrawResult<DB::ErrorType> {
        if self.scale == 1.0 {
            return self.inner.draw_pixel(p, color);
        }
        let (x0, y0) = self.point(p);
        let (x1, y1) = self.point((p.0 + 1, p.1 + 1));
        let fill = Stroke { color, width: 1 };
        self.inner
            .draw_rect((x0, y0), (x1 - 1, y1 - 1), &fill, true)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> DrawResult<DB::ErrorType> {
        let stroke = self.stroke(style);
        self.inner
            .draw_line(self.point(from), self.point(to), &stroke)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> DrawResult<DB::ErrorType> {
        let stroke = self.stroke(style);
        let (a, b) = (self.point(upper_left), self.point(bottom_right));
        self.inner.draw_rect(a, b, &stroke, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult<DB::ErrorType> {
        let stroke = self.stroke(style);
        let points: Vec<BackendCoord> = path.into_iter().map(|p| self.point(p)).collect();
        self.inner.draw_path(points, &stroke)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> DrawResult<DB::ErrorType> {
        let stroke = self.stroke(style);
        let r = (radius as f64 * self.scale).round() as u32;
        self.inner.draw_circle(self.point(center), r, &stroke, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> DrawResult<DB::ErrorType> {
        let stroke = self.stroke(style);
        let points: Vec<BackendCoord> = vert.into_iter().map(|p| self.point(p)).collect();
        self.inner.fill_polygon(points, &stroke)
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> DrawResult<DB::ErrorType> {
        if self.scale == 1.0 && style.size() >= self.min_text {
            return self.inner.draw_text(text, style, pos);
        }
        let size = style.size().max(self.min_text) * self.scale;
        let font = FontDesc::new(style.family(), size, style.style()).transform(style.transform());
        let scaled = TextStyle {
            font,
            color: style.color(),
            pos: style.anchor(),
        };
        self.inner.draw_text(text, &scaled, self.point(pos))
    }
}

/// Pixels per metre of `dpi` dots per inch, as the PNG `pHYs` chunk states
/// resolution.
pub(crate) fn pixels_per_metre(dpi: u32) -> u32 {
    (f64::from(dpi) / 0.0254).round() as u32
}

/// Writes 8-bit RGB pixels as a PNG whose `pHYs` chunk records `dpi`.
pub(crate) fn write_png(path: &Path, rgb: &[u8], (w, h): (u32, u32), dpi: u32) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let ppm = pixels_per_metre(dpi);
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: ppm,
        yppu: ppm,
        unit: png::Unit::Meter,
    }));
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::look::ChartSize;
    use crate::charts::theme::{INK, register_fonts, text};

    /// Draws a line, a circle and a text on `root`.
    fn sketch<DB: DrawingBackend>(root: &DrawingArea<DB, plotters::coord::Shift>) {
        root.fill(&WHITE).unwrap();
        root.draw(&PathElement::new(
            vec![(10, 10), (100, 50)],
            ShapeStyle::from(&INK).stroke_width(2),
        ))
        .unwrap();
        root.draw(&Circle::new((50, 50), 5, INK.filled())).unwrap();
        root.draw(&Text::new("label", (20, 30), text(20, INK)))
            .unwrap();
        root.present().unwrap();
    }

    fn svg_of(preset: Option<&Preset>) -> String {
        register_fonts().unwrap();
        let mut svg = String::new();
        {
            let backend = SVGBackend::with_string(&mut svg, (200, 100));
            match preset {
                Some(p) => sketch(&Scaled::new(backend, (200, 100), p).into_drawing_area()),
                None => sketch(&backend.into_drawing_area()),
            }
        }
        svg
    }

    #[test]
    fn scale_one_passes_every_call_through() {
        assert_eq!(svg_of(Some(&ChartSize::Screen.preset())), svg_of(None));
    }

    #[test]
    fn a_scale_enlarges_coordinates_strokes_and_text_and_raises_small_text() {
        let preset = Preset {
            dpi: 300,
            design: (200, 100),
            scale: 2.0,
            min_text: 26,
        };
        let svg = svg_of(Some(&preset));
        assert!(svg.contains("points=\"20,20 200,100 \""), "{svg}");
        assert!(svg.contains("stroke-width=\"4\""), "{svg}");
        assert!(svg.contains("r=\"10\""), "{svg}");
        // 20 nominal px is raised to the floor of 26, then doubled: an em of
        // 52 / 1.24 px.
        let em = format!("font-size=\"{}\"", 52.0 / 1.24);
        assert!(svg.contains(&em), "{svg}");
    }

    #[test]
    fn resolution_in_pixels_per_metre() {
        assert_eq!(pixels_per_metre(300), 11811);
        assert_eq!(pixels_per_metre(150), 5906);
    }
}
