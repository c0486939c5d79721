//! Time axes: calendar dates from the scenario's start date and step length,
//! or step numbers when the scenario gives no start date.
//!
//! The x coordinate of step `t` is the calendar year with its fraction,
//! `start + t * dt`, where the start date counts as
//! `year + (month - 1) / 12 + (day - 1) / 365.25` (`scenario::start_year`). Quarter `q` of year `Y`
//! begins at `Y + (q - 1) / 4`, the same place the start-date formula puts
//! January, April, July and October 1, so ticks fall on calendar quarters
//! and years and are labelled `2021` or `2021 Q3`.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

use crate::format::{fmt_num, fmt_tick};

/// How the x axis of the time charts is labelled: calendar dates when the manifest
/// gives a start year, steps otherwise.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeAxis {
    pub start_year: Option<f64>,
    pub dt: f64,
}

/// Tick spacings tried for calendar axes, in quarters, finest first.
const QUARTER_SPACINGS: [i64; 10] = [1, 2, 4, 8, 20, 40, 80, 200, 400, 800];

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The month and year a fractional calendar year falls in, e.g. `Jul 2020`
/// for 2020.56.
pub(crate) fn fmt_month(year: f64) -> String {
    let whole = year.floor();
    let month = (((year - whole) * 12.0 + 1e-9).floor() as usize).min(11);
    format!("{} {}", MONTHS[month], whole as i64)
}

/// The x axis of a time chart: its coordinate with the tick positions, and
/// the label of each tick.
pub(crate) struct TimeTicks {
    range: (f64, f64),
    labels: Vec<(f64, String)>,
}

impl TimeTicks {
    /// The x coordinate, with ticks at the labelled points only.
    pub fn coord(&self) -> TickedCoord {
        TickedCoord {
            inner: (self.range.0..self.range.1).into(),
            ticks: self.labels.iter().map(|(v, _)| *v).collect(),
        }
    }

    /// Label of the tick at `v`.
    pub fn label(&self, v: f64) -> String {
        self.labels
            .iter()
            .find(|(x, _)| (x - v).abs() < 1e-9)
            .map_or_else(|| fmt_tick(v), |(_, l)| l.clone())
    }
}

/// A linear coordinate whose ticks (and grid lines) sit at given points.
pub(crate) struct TickedCoord {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ranged for TickedCoord {
    type ValueType = f64;
    // Labels come from the chart's formatter.
    type FormatOption = DefaultFormatting;

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }
}

impl TimeAxis {
    /// x coordinate of a step.
    pub fn x(&self, step: u32) -> f64 {
        self.x_at(f64::from(step))
    }

    /// x coordinate of a fractional step, such as a mean.
    pub fn x_at(&self, step: f64) -> f64 {
        match self.start_year {
            Some(y0) => y0 + step * self.dt,
            None => step,
        }
    }

    /// Description of the x axis.
    pub fn desc(&self) -> String {
        match self.start_year {
            Some(_) => "year".to_string(),
            None => format!("step (one step = {} years)", fmt_num(self.dt)),
        }
    }

    /// The x axis from step `first` to step `last` with at most `max_ticks`
    /// ticks: on calendar quarters or years when there is a start date, at
    /// round step numbers otherwise.
    pub fn ticks(&self, first: u32, last: u32, max_ticks: usize) -> TimeTicks {
        let (x0, x1) = (self.x(first), self.x(last));
        let labels = match self.start_year {
            Some(_) => calendar_ticks(x0, x1, max_ticks),
            None => RangedCoordf64::from(x0..x1)
                .key_points(max_ticks)
                .into_iter()
                .map(|v| (v, fmt_tick(v)))
                .collect(),
        };
        TimeTicks {
            range: (x0, x1),
            labels,
        }
    }

    /// A sentence relating dates and steps, for subtitles.
    pub fn note(&self, last_step: u32) -> String {
        match self.start_year {
            Some(y0) => format!(
                "step 0 = {}, one step = {} years, {} steps to {}",
                fmt_month(y0),
                fmt_num(self.dt),
                last_step,
                fmt_month(y0 + last_step as f64 * self.dt)
            ),
            None => format!(
                "{} steps of {} years; no start year given",
                last_step,
                fmt_num(self.dt)
            ),
        }
    }
}

/// Ticks on calendar quarters or years within `[x0, x1]`: the finest spacing
/// of [`QUARTER_SPACINGS`] that gives at most `max_ticks` ticks, labelled
/// `2021 Q3` when finer than a year and `2021` otherwise.
fn calendar_ticks(x0: f64, x1: f64, max_ticks: usize) -> Vec<(f64, String)> {
    let eps = 1e-9;
    let first_q = ((x0 - eps) * 4.0).ceil() as i64;
    let last_q = ((x1 + eps) * 4.0).floor() as i64;
    let in_range = |spacing: i64| {
        (first_q..=last_q)
            .filter(move |q| q.rem_euclid(spacing) == 0)
            .collect::<Vec<i64>>()
    };
    let spacing = QUARTER_SPACINGS
        .into_iter()
        .find(|&s| in_range(s).len() <= max_ticks.max(1))
        .unwrap_or(QUARTER_SPACINGS[QUARTER_SPACINGS.len() - 1]);
    in_range(spacing)
        .into_iter()
        .map(|q| {
            let (year, quarter) = (q.div_euclid(4), q.rem_euclid(4) + 1);
            let label = if spacing < 4 {
                format!("{year} Q{quarter}")
            } else {
                year.to_string()
            };
            (q as f64 / 4.0, label)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(x0: f64, x1: f64, max: usize) -> Vec<String> {
        calendar_ticks(x0, x1, max)
            .into_iter()
            .map(|(_, l)| l)
            .collect()
    }

    #[test]
    fn six_years_get_yearly_ticks() {
        // 2020-07-23 plus 24 quarters.
        let start = 2020.0 + 6.0 / 12.0 + 22.0 / 365.25;
        assert_eq!(
            labels(start, start + 6.0, 8),
            ["2021", "2022", "2023", "2024", "2025", "2026"]
        );
        assert_eq!(labels(start, start + 6.0, 4), ["2022", "2024", "2026"]);
    }

    #[test]
    fn short_spans_get_quarters() {
        assert_eq!(
            labels(2021.5, 2022.5, 8),
            ["2021 Q3", "2021 Q4", "2022 Q1", "2022 Q2", "2022 Q3"]
        );
        // Both ends are on the axis, so 2023 Q1 (= 2023.0) is the fourth tick.
        assert_eq!(
            labels(2021.5, 2023.0, 4),
            ["2021 Q3", "2022 Q1", "2022 Q3", "2023 Q1"]
        );
        assert_eq!(labels(2021.5, 2022.9, 4), ["2021 Q3", "2022 Q1", "2022 Q3"]);
    }

    #[test]
    fn long_spans_get_round_years() {
        assert_eq!(
            labels(1992.0, 2022.0, 8),
            ["1995", "2000", "2005", "2010", "2015", "2020"]
        );
    }

    #[test]
    fn months_of_fractional_years() {
        assert_eq!(fmt_month(2020.0 + 6.0 / 12.0 + 22.0 / 365.25), "Jul 2020");
        assert_eq!(fmt_month(2020.0 + 11.0 / 12.0 + 30.0 / 365.25), "Dec 2020");
        assert_eq!(fmt_month(2026.0), "Jan 2026");
    }

    #[test]
    fn steps_keep_round_numbers() {
        let axis = TimeAxis {
            start_year: None,
            dt: 0.25,
        };
        let ticks = axis.ticks(0, 24, 8);
        assert_eq!(ticks.label(8.0), "8");
        assert!(ticks.labels.len() >= 4);
    }
}
