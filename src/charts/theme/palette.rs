//! Colours: the Okabe-Ito palette, fixed colours of the named outcomes and of
//! scenarios, and the viridis map.

use plotters::prelude::*;

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

#[cfg(test)]
mod tests {
    use super::*;

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
