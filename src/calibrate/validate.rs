//! Scores of probabilistic forecasts and the held-out validation table:
//! interval coverage, mean absolute error and the continuous ranked
//! probability score (CRPS; Gneiting and Raftery 2007) of the calibrated
//! model against two reference forecasts, persistence and a linear trend.

use std::f64::consts::PI;

pub use crate::uncertainty::{normal_cdf, normal_quantile};

/// Standard normal density.
pub fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// E|X| for X ~ Normal(mu, s^2).
fn mean_abs_normal(mu: f64, s: f64) -> f64 {
    if s <= 0.0 {
        return mu.abs();
    }
    let u = mu / s;
    mu * (2.0 * normal_cdf(u) - 1.0) + 2.0 * s * normal_pdf(u)
}

/// CRPS of Normal(mu, s^2) at `y` (Gneiting and Raftery 2007, eq. 21).
pub fn crps_normal(mu: f64, s: f64, y: f64) -> f64 {
    mean_abs_normal(y - mu, s) - s / PI.sqrt()
}

/// CRPS at `y` of the equal-weight mixture of Normal(m, s^2) over `means`:
/// E|X - y| - E|X - X'| / 2, in closed form for normal components.
pub fn crps_normal_mixture(means: &[f64], s: f64, y: f64) -> f64 {
    let k = means.len() as f64;
    let first: f64 = means
        .iter()
        .map(|&m| mean_abs_normal(y - m, s))
        .sum::<f64>()
        / k;
    let pair = std::f64::consts::SQRT_2 * s;
    let mut second = 0.0;
    for (a, &ma) in means.iter().enumerate() {
        second += mean_abs_normal(0.0, pair);
        for &mb in &means[a + 1..] {
            second += 2.0 * mean_abs_normal(ma - mb, pair);
        }
    }
    first - 0.5 * second / (k * k)
}

/// CRPS at `y` of the empirical distribution of `sorted` (ascending):
/// E|X - y| - E|X - X'| / 2 over the sample.
pub fn crps_sample(sorted: &[f64], y: f64) -> f64 {
    let n = sorted.len() as f64;
    let first: f64 = sorted.iter().map(|x| (x - y).abs()).sum::<f64>() / n;
    // sum over ordered pairs |x_a - x_b| = 2 sum_i (2i - n - 1) x_(i), i from 1.
    let spread: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i as f64 + 1.0) - n - 1.0) * x)
        .sum::<f64>()
        * 2.0
        / (n * n);
    first - 0.5 * spread
}

/// Quantile `q` of an ascending sample, interpolating linearly between
/// order statistics (Hyndman and Fan's type 7, R's default).
pub fn sample_quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// One held-out forecast of a forecaster: its median and central 50% and
/// 90% intervals, and its CRPS at the observation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Forecast {
    pub median: f64,
    pub p25: f64,
    pub p75: f64,
    pub p05: f64,
    pub p95: f64,
    pub crps: f64,
}

impl Forecast {
    /// A normal forecast.
    pub fn normal(mu: f64, s: f64, observed: f64) -> Forecast {
        let (z50, z90) = (normal_quantile(0.75), normal_quantile(0.95));
        Forecast {
            median: mu,
            p25: mu - z50 * s,
            p75: mu + z50 * s,
            p05: mu - z90 * s,
            p95: mu + z90 * s,
            crps: crps_normal(mu, s, observed),
        }
    }

    /// The forecast given by a sample, sorted in place.
    pub fn sample(sample: &mut [f64], observed: f64) -> Forecast {
        sample.sort_by(f64::total_cmp);
        Forecast {
            median: sample_quantile(sample, 0.5),
            p25: sample_quantile(sample, 0.25),
            p75: sample_quantile(sample, 0.75),
            p05: sample_quantile(sample, 0.05),
            p95: sample_quantile(sample, 0.95),
            crps: crps_sample(sample, observed),
        }
    }
}

/// A dyad's observed series up to the last fit year, for the reference
/// forecasts: `(year, value)` in year order.
pub type Series = [(i32, f64)];

/// Persistence: the last value observed up to the fit end, as a random walk
/// whose annual steps have the standard deviation of the observed year-on-year
/// changes of the last ten fit years; h years ahead its sd is s sqrt(h).
/// `None` when fewer than three values are known.
pub fn persistence(series: &Series, year: i32, observed: f64) -> Option<Forecast> {
    let recent = last_years(series, 10);
    let &(last_year, last) = recent.last()?;
    let changes: Vec<f64> = recent
        .windows(2)
        .filter(|w| w[1].0 == w[0].0 + 1)
        .map(|w| w[1].1 - w[0].1)
        .collect();
    if changes.len() < 2 {
        return None;
    }
    let s = (changes.iter().map(|c| c * c).sum::<f64>() / changes.len() as f64).sqrt();
    let h = f64::from((year - last_year).max(1));
    Some(Forecast::normal(last, s * h.sqrt(), observed))
}

/// Trend: a least-squares line through the last ten fit years, extended;
/// its predictive sd is the usual prediction-interval one,
/// s sqrt(1 + 1/n + (x - xbar)^2 / Sxx), with s the residual sd (n - 2
/// degrees of freedom). `None` when fewer than three values are known.
pub fn trend(series: &Series, year: i32, observed: f64) -> Option<Forecast> {
    let recent = last_years(series, 10);
    let n = recent.len() as f64;
    if recent.len() < 3 {
        return None;
    }
    let xbar = recent.iter().map(|&(x, _)| f64::from(x)).sum::<f64>() / n;
    let ybar = recent.iter().map(|&(_, y)| y).sum::<f64>() / n;
    let sxx: f64 = recent
        .iter()
        .map(|&(x, _)| (f64::from(x) - xbar).powi(2))
        .sum();
    let sxy: f64 = recent
        .iter()
        .map(|&(x, y)| (f64::from(x) - xbar) * (y - ybar))
        .sum();
    let slope = sxy / sxx;
    let fit = |x: f64| ybar + slope * (x - xbar);
    let rss: f64 = recent
        .iter()
        .map(|&(x, y)| (y - fit(f64::from(x))).powi(2))
        .sum();
    let s = (rss / (n - 2.0)).sqrt();
    let x = f64::from(year);
    let sd = s * (1.0 + 1.0 / n + (x - xbar).powi(2) / sxx).sqrt();
    Some(Forecast::normal(fit(x), sd, observed))
}

/// The entries of the last `years` calendar years of `series`.
fn last_years(series: &Series, years: i32) -> &Series {
    let Some(&(end, _)) = series.last() else {
        return series;
    };
    let start = series.partition_point(|&(y, _)| y <= end - years);
    &series[start..]
}

/// Scores of one forecaster over the held-out dyad-years.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    pub coverage50: f64,
    pub coverage90: f64,
    pub mae: f64,
    pub crps: f64,
    pub count: usize,
}

impl Scores {
    /// Means over `(forecast, observed)` pairs.
    pub fn of(pairs: &[(Forecast, f64)]) -> Scores {
        let n = pairs.len() as f64;
        let mean = |f: &dyn Fn(&Forecast, f64) -> f64| {
            pairs.iter().map(|(g, y)| f(g, *y)).sum::<f64>() / n
        };
        let inside = |lo: f64, y: f64, hi: f64| f64::from(u8::from(lo <= y && y <= hi));
        Scores {
            coverage50: mean(&|g, y| inside(g.p25, y, g.p75)),
            coverage90: mean(&|g, y| inside(g.p05, y, g.p95)),
            mae: mean(&|g, y| (g.median - y).abs()),
            crps: mean(&|g, _| g.crps),
            count: pairs.len(),
        }
    }
}

/// A named score of a forecaster.
pub type Metric = (&'static str, fn(&Scores) -> f64);

/// The scores of validation.csv, in row order.
pub const METRICS: [Metric; 4] = [
    ("coverage50", |s| s.coverage50),
    ("coverage90", |s| s.coverage90),
    ("mae", |s| s.mae),
    ("crps", |s| s.crps),
];

/// validation.csv: one row per metric, one column per forecaster.
pub fn validation_table(model: &Scores, persistence: &Scores, trend: &Scores) -> String {
    let mut out = String::from("metric,model,persistence,trend\n");
    for (name, f) in METRICS {
        out += &format!(
            "{name},{:.4},{:.4},{:.4}\n",
            f(model),
            f(persistence),
            f(trend)
        );
    }
    out += &format!(
        "dyad_years,{},{},{}\n",
        model.count, persistence.count, trend.count
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_functions_match_tabulated_values() {
        assert!((normal_cdf(1.959_963_985) - 0.975).abs() < 1e-7);
        // The erfc fit is good to 1.2e-7 relative.
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_quantile(0.95) - 1.644_853_627).abs() < 1e-6);
        assert!((normal_quantile(0.025) + 1.959_963_985).abs() < 1e-6);
    }

    #[test]
    fn sample_crps_matches_a_hand_computation() {
        // Sample {1, 2, 4}, y = 2.5: E|X - y| = (1.5 + 0.5 + 1.5) / 3 = 7/6;
        // E|X - X'| over the 9 ordered pairs = 2 (1 + 3 + 2) / 9 = 4/3;
        // CRPS = 7/6 - 2/3 = 1/2.
        assert!((crps_sample(&[1.0, 2.0, 4.0], 2.5) - 0.5).abs() < 1e-12);
        // A single value: CRPS is the absolute error.
        assert!((crps_sample(&[3.0], 1.0) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn normal_crps_matches_the_closed_form_and_the_mixture() {
        // At the mean, CRPS of N(0, 1) is 2 phi(0) - 1/sqrt(pi) = 0.233695.
        assert!((crps_normal(0.0, 1.0, 0.0) - 0.233_695).abs() < 1e-6);
        // A mixture of identical components is that normal.
        let one = crps_normal(0.3, 0.7, 1.1);
        let many = crps_normal_mixture(&[0.3; 5], 0.7, 1.1);
        assert!((one - many).abs() < 1e-9, "{one} vs {many}");
        // A large sample from the mixture scores close to the closed form.
        let means = [0.0, 1.0];
        let mut sample: Vec<f64> = (1..4000)
            .flat_map(|k| {
                let z = normal_quantile(k as f64 / 4000.0) * 0.5;
                means.map(|m| m + z)
            })
            .collect();
        sample.sort_by(f64::total_cmp);
        let exact = crps_normal_mixture(&means, 0.5, 0.8);
        assert!((crps_sample(&sample, 0.8) - exact).abs() < 2e-3);
    }

    #[test]
    fn references_extend_the_last_value_and_the_line() {
        let series: Vec<(i32, f64)> = (2000..=2013)
            .map(|y| (y, 0.1 * f64::from(y - 2000)))
            .collect();
        let t = trend(&series, 2016, 1.6).unwrap();
        assert!((t.median - 1.6).abs() < 1e-9);
        let mut wobbly = series.clone();
        wobbly[13].1 += 0.05;
        let p = persistence(&wobbly, 2015, 0.0).unwrap();
        assert!((p.median - wobbly[13].1).abs() < 1e-12);
        assert!(p.p95 > p.median && p.p05 < p.median);
    }
}
