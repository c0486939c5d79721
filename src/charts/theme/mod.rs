//! Shared look of every chart: font, text sizes, canvas sizes, colours, legends and
//! number formats.
//!
//! The font is DejaVu Sans, embedded in the binary and registered with plotters under
//! the family name `sans-serif`, so drawing needs no system font and no fontconfig.
//! Colours come from the Okabe-Ito palette, which stays distinguishable under the
//! common forms of colour blindness. Each outcome name and each triad configuration
//! keeps one colour in every chart, so a reader can carry the key from one figure to
//! the next.
//!
//! | module | holds |
//! |---|---|
//! | `text` | the font, text sizes, text measurement and shortening |
//! | `palette` | colours, the outcome and scenario colour keys, viridis |
//! | `configuration` | colour, label and order of the triad configurations |
//! | `legend` | legend entries and their layout |
//! | `layout` | canvas sizes, margins, the header, house axes, small multiples |
//! | `time` | time axes: calendar dates or steps |

mod configuration;
mod layout;
mod legend;
mod palette;
mod text;
mod time;

pub(crate) use configuration::*;
pub(crate) use layout::*;
pub(crate) use legend::*;
pub(crate) use palette::*;
pub(crate) use text::*;
pub(crate) use time::*;
