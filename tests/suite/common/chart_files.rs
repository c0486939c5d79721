//! Reading chart files back in tests: the size and colours of a PNG, the
//! texts of an SVG.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

/// Decodes a PNG; returns its size and the number of distinct colours (capped).
pub fn png_stats(path: &Path) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let mut colours = HashSet::new();
    for px in buf[..info.buffer_size()].chunks(channels) {
        colours.insert(px[..3.min(channels)].to_vec());
        if colours.len() >= 64 {
            break;
        }
    }
    (info.width, info.height, colours.len())
}

/// Text content of every `<text>` element of an SVG, joined by newlines, with runs of
/// whitespace collapsed.
pub fn svg_texts(path: &Path) -> String {
    let svg = fs::read_to_string(path).unwrap();
    assert!(svg.trim_start().starts_with("<svg"), "{}", path.display());
    assert!(svg.trim_end().ends_with("</svg>"), "{}", path.display());
    let mut out = Vec::new();
    let mut rest = svg.as_str();
    while let Some(start) = rest.find("<text") {
        let after = &rest[start..];
        let open_end = after.find('>').unwrap() + 1;
        let close = after.find("</text>").unwrap();
        let inner = after[open_end..close]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&apos;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        out.push(inner.split_whitespace().collect::<Vec<_>>().join(" "));
        rest = &after[close + 7..];
    }
    out.join("\n")
}

/// The `font-size` of every `<text>` element of an SVG, in pixels.
pub fn svg_font_sizes(path: &Path) -> Vec<f64> {
    let svg = fs::read_to_string(path).unwrap();
    svg.split("<text")
        .skip(1)
        .map(|element| {
            let at = element
                .find("font-size=\"")
                .expect("a text has a font size")
                + 11;
            let value = &element[at..];
            value[..value.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

/// The resolution a PNG's `pHYs` chunk states, in dots per inch (horizontal,
/// vertical), or `None` without the chunk.
pub fn png_dpi(path: &Path) -> Option<(f64, f64)> {
    let decoder = png::Decoder::new(fs::File::open(path).unwrap());
    let reader = decoder.read_info().unwrap();
    let dims = reader.info().pixel_dims?;
    assert_eq!(dims.unit, png::Unit::Meter, "{}", path.display());
    let dpi = |ppm: u32| f64::from(ppm) * 0.0254;
    Some((dpi(dims.xppu), dpi(dims.yppu)))
}
