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
            .replace("&amp;", "&");
        out.push(inner.split_whitespace().collect::<Vec<_>>().join(" "));
        rest = &after[close + 7..];
    }
    out.join("\n")
}
