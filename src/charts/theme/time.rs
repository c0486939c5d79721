//! Time axes.

use crate::format::fmt_num;

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
