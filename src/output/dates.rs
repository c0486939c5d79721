//! Calendar dates of steps, for the `date` column of the time-series tables.
//!
//! Step `t` starts `t * dt` years after the scenario's `start` date. When a
//! step is a whole number of months (`dt * 12` an integer, as with the
//! default quarterly `dt = 0.25`), the date is the start date moved on by
//! that many calendar months, its day kept (or the month's last day when the
//! month is shorter); otherwise it is the start date plus `t * dt` years of
//! 365.2425 days, rounded to the nearest day. Without a start date the column
//! is empty (a missing value to pandas and R). `docs/outputs.md` says the same.

use crate::scenario::Scenario;

/// The dates of a scenario's steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepDates {
    /// Year, month (1-12) and day (1-31) of step 0.
    pub start: Option<(i64, u32, u32)>,
    /// Years per step.
    pub dt: f64,
}

impl StepDates {
    pub fn of(scenario: &Scenario) -> StepDates {
        StepDates {
            start: scenario
                .file
                .start
                .as_ref()
                .and_then(|s| s.date)
                .map(|d| (i64::from(d.year), u32::from(d.month), u32::from(d.day))),
            dt: scenario.built.model.params.dt,
        }
    }

    /// `YYYY-MM-DD` of the start of step `t`, or the empty string without a
    /// start date.
    pub fn date(&self, t: usize) -> String {
        let Some((year, month, day)) = self.start else {
            return String::new();
        };
        let months = self.dt * 12.0;
        let (y, m, d) = if months >= 1.0 && (months - months.round()).abs() < 1e-9 {
            let total = year * 12 + i64::from(month - 1) + t as i64 * months.round() as i64;
            let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
            (y, m, day.min(days_in_month(y, m)))
        } else {
            let days = (t as f64 * self.dt * 365.2425).round() as i64;
            civil_from_days(days_from_civil(year, month, day) + days)
        };
        format!("{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` days after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(start: (i64, u32, u32), dt: f64) -> StepDates {
        StepDates {
            start: Some(start),
            dt,
        }
    }

    #[test]
    fn quarterly_steps_keep_the_day_of_the_month() {
        let q = dates((2020, 7, 23), 0.25);
        assert_eq!(q.date(0), "2020-07-23");
        assert_eq!(q.date(1), "2020-10-23");
        assert_eq!(q.date(2), "2021-01-23");
        assert_eq!(q.date(24), "2026-07-23");
    }

    #[test]
    fn a_day_past_the_end_of_a_short_month_becomes_its_last_day() {
        let m = dates((2023, 1, 31), 1.0 / 12.0);
        assert_eq!(m.date(1), "2023-02-28");
        assert_eq!(m.date(13), "2024-02-29");
        assert_eq!(m.date(2), "2023-03-31");
    }

    #[test]
    fn other_steps_count_days_of_a_mean_year() {
        let w = dates((2020, 1, 1), 7.0 / 365.2425);
        assert_eq!(w.date(1), "2020-01-08");
        assert_eq!(w.date(9), "2020-03-04");
        let y = dates((1999, 12, 31), 0.1);
        // 36.52 days.
        assert_eq!(y.date(1), "2000-02-06");
    }

    #[test]
    fn the_day_count_round_trips_over_four_centuries() {
        for days in -200_000..200_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn no_start_date_gives_an_empty_field() {
        let none = StepDates {
            start: None,
            dt: 0.25,
        };
        assert_eq!(none.date(3), "");
    }
}
