//! Estimators for nested Monte Carlo: outcome counts in clusters of runs
//! (one cluster per parameter draw; blocks of runs when nothing is
//! uncertain), turned into the integrated probability, its Monte Carlo
//! interval, its spread over draws, the share of its variance due to the
//! parameters, the first-order importance of each parameter and paired
//! differences between scenarios. See docs/model.md, section 7.10.

use crate::stats::{Z95, wilson};

/// What `outcomes.csv` reports for one outcome.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct OutcomeSummary {
    pub count: u64,
    pub probability: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub draw_p05: f64,
    pub draw_p50: f64,
    pub draw_p95: f64,
    pub parameter_share: f64,
}

/// Counts of one outcome in each cluster, with the runs of each cluster.
#[derive(Debug, Clone, Copy)]
pub struct Clustered<'a> {
    pub counts: &'a [u64],
    pub runs: &'a [u64],
}

impl Clustered<'_> {
    fn total(&self) -> (u64, u64) {
        (self.counts.iter().sum(), self.runs.iter().sum())
    }

    /// Each cluster's share of runs with the outcome.
    fn shares(&self) -> Vec<f64> {
        self.counts
            .iter()
            .zip(self.runs)
            .map(|(&c, &m)| c as f64 / m.max(1) as f64)
            .collect()
    }
}

/// The pooled share `sum c / sum m` and the variance of that ratio estimator
/// over independent clusters (Cochran 1977, Sampling Techniques, 3rd ed.,
/// section 9.9): `C / (C - 1) * sum (c_i - p m_i)^2 / (sum m)^2`. `values`
/// are per-cluster totals (counts, or differences of counts).
pub fn ratio_variance(values: &[f64], runs: &[u64]) -> (f64, f64) {
    let clusters = values.len();
    let total: f64 = runs.iter().map(|&m| m as f64).sum();
    if clusters == 0 || total == 0.0 {
        return (0.0, 0.0);
    }
    let p = values.iter().sum::<f64>() / total;
    if clusters == 1 {
        return (p, 0.0);
    }
    let squares: f64 = values
        .iter()
        .zip(runs)
        .map(|(&v, &m)| (v - p * m as f64).powi(2))
        .sum();
    let c = clusters as f64;
    (p, c / (c - 1.0) * squares / (total * total))
}

/// Quantile `q` of `values` by linear interpolation between order statistics
/// (Hyndman and Fan 1996, definition 7).
pub fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let h = (sorted.len() - 1) as f64 * q;
    let below = h.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    sorted[below] + (h - below as f64) * (sorted[above] - sorted[below])
}

/// Variance of the per-draw shares that chance alone would give: the mean
/// over draws of the unbiased binomial variance `p(1 - p) / (m - 1)`.
fn chance_variance(shares: &[f64], runs: &[u64]) -> f64 {
    let terms = shares
        .iter()
        .zip(runs)
        .map(|(&p, &m)| p * (1.0 - p) / (m.max(2) - 1) as f64);
    terms.sum::<f64>() / shares.len().max(1) as f64
}

/// The variance of the outcome probability across parameter sets,
/// `Var(p_theta)`: the variance of the per-draw shares less what chance
/// adds (law of total variance), never below 0.
fn parameter_variance(shares: &[f64], runs: &[u64]) -> f64 {
    let d = shares.len();
    if d < 2 {
        return 0.0;
    }
    let mean = shares.iter().sum::<f64>() / d as f64;
    let spread = shares.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / (d - 1) as f64;
    (spread - chance_variance(shares, runs)).max(0.0)
}

/// Summarises one outcome. `nested` says whether the clusters are parameter
/// draws; without it they are blocks of runs of one parameter set, and the
/// interval is Wilson's on the pooled count, as for independent runs.
pub fn summarise(outcome: Clustered<'_>, nested: bool) -> OutcomeSummary {
    let (count, runs) = outcome.total();
    let probability = count as f64 / runs.max(1) as f64;
    let (w_low, w_high) = wilson(count, runs, Z95);
    if !nested {
        return OutcomeSummary {
            count,
            probability,
            ci_low: w_low,
            ci_high: w_high,
            draw_p05: probability,
            draw_p50: probability,
            draw_p95: probability,
            parameter_share: 0.0,
        };
    }
    let totals: Vec<f64> = outcome.counts.iter().map(|&c| c as f64).collect();
    let (_, variance) = ratio_variance(&totals, outcome.runs);
    let half = Z95 * variance.sqrt();
    // Chance alone always contributes: the interval is never narrower than
    // Wilson's for the pooled runs, which also keeps it honest when every
    // draw gives the same count (0 runs with the outcome, say).
    let ci_low = (probability - half).min(w_low).max(0.0);
    let ci_high = (probability + half).max(w_high).min(1.0);
    let shares = outcome.shares();
    let total_variance = probability * (1.0 - probability);
    let parameter_share = if total_variance > 0.0 {
        (parameter_variance(&shares, outcome.runs) / total_variance).min(1.0)
    } else {
        0.0
    };
    OutcomeSummary {
        count,
        probability,
        ci_low,
        ci_high,
        draw_p05: quantile(&shares, 0.05),
        draw_p50: quantile(&shares, 0.5),
        draw_p95: quantile(&shares, 0.95),
        parameter_share,
    }
}

/// The first-order index of one parameter for one outcome: the share of
/// `Var(p_theta)` explained by that parameter alone, `Var(E[p | x]) /
/// Var(p)`, estimated from the draws by sorting them on `x` and averaging
/// within equal-count classes (the given-data estimator of Plischke,
/// Borgonovo and Smith 2013, EJOR 226(3): 536-550), less the spread that
/// the class means show even for a parameter without effect. `x[k]` is the parameter's
/// value in draw k.
pub fn first_order(x: &[f64], outcome: Clustered<'_>) -> f64 {
    let d = x.len();
    let shares = outcome.shares();
    let v_theta = parameter_variance(&shares, outcome.runs);
    if d < 4 || v_theta <= 0.0 {
        return 0.0;
    }
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let classes = ((d as f64).sqrt().round() as usize).clamp(2, d / 2);
    let mean = shares.iter().sum::<f64>() / d as f64;
    let mut between = 0.0;
    for c in 0..classes {
        let members = &order[c * d / classes..(c + 1) * d / classes];
        let class_mean = members.iter().map(|&k| shares[k]).sum::<f64>() / members.len() as f64;
        between += members.len() as f64 * (class_mean - mean).powi(2);
    }
    between /= d as f64;
    // Even a parameter that does nothing spreads the class means: each is
    // the mean of d / classes draws of the whole spread, so over the classes
    // that adds about (classes - 1) / d times the variance of the shares.
    let spread = shares.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / (d - 1) as f64;
    let noise = (classes - 1) as f64 / d as f64 * spread;
    ((between - noise) / v_theta).clamp(0.0, 1.0)
}

/// The paired difference `b - a` of one outcome between two scenarios run on
/// the same draws and run streams.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    pub difference: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// 5% and 95% quantiles over draws of the per-draw difference (equal to
    /// `difference` when nothing is uncertain).
    pub draw_p05: f64,
    pub draw_p95: f64,
}

/// Paired difference of `b` against `a`, counted in the same clusters: the
/// clusters are the pairs, so the interval reflects only the variation the
/// two scenarios do not share.
pub fn paired_difference(a: Clustered<'_>, b: Clustered<'_>, nested: bool) -> Difference {
    let deltas: Vec<f64> = a
        .counts
        .iter()
        .zip(b.counts)
        .map(|(&x, &y)| y as f64 - x as f64)
        .collect();
    let (difference, variance) = ratio_variance(&deltas, a.runs);
    let half = Z95 * variance.sqrt();
    let (draw_p05, draw_p95) = if nested {
        let shares: Vec<f64> = deltas
            .iter()
            .zip(a.runs)
            .map(|(&d, &m)| d / m.max(1) as f64)
            .collect();
        (quantile(&shares, 0.05), quantile(&shares, 0.95))
    } else {
        (difference, difference)
    };
    Difference {
        difference,
        ci_low: difference - half,
        ci_high: difference + half,
        draw_p05,
        draw_p95,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RunRng;
    use rand::RngCore;

    fn uniform(rng: &mut RunRng) -> f64 {
        ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn binomial(rng: &mut RunRng, m: u64, p: f64) -> u64 {
        (0..m).filter(|_| uniform(rng) < p).count() as u64
    }

    #[test]
    fn nothing_uncertain_gives_wilson_and_no_parameter_share() {
        let counts = [10, 12, 9];
        let runs = [100, 100, 100];
        let s = summarise(
            Clustered {
                counts: &counts,
                runs: &runs,
            },
            false,
        );
        let (lo, hi) = wilson(31, 300, Z95);
        assert_eq!((s.ci_low, s.ci_high), (lo, hi));
        assert_eq!(s.parameter_share, 0.0);
        assert_eq!(s.draw_p05, s.probability);
        assert_eq!(s.draw_p95, s.probability);
    }

    /// The nested interval covers the true integrated probability at about
    /// the nominal 95%. Toy model with a known answer: p(theta) = theta^2
    /// with theta uniform on (0, 1), so the integrated probability is 1/3.
    /// 100 draws of 20 runs each, 2,000 replications: the coverage
    /// estimate's standard error is about 0.005, and the accepted band
    /// [0.93, 0.975] is at least 3 standard errors wide on each side of 0.95
    /// (the Wilson floor can only widen the interval, so coverage may sit a
    /// little above nominal).
    #[test]
    fn nested_interval_covers_at_the_nominal_rate() {
        let truth = 1.0 / 3.0;
        let (draws, m, replications) = (100, 20, 2000);
        let mut covered = 0;
        let mut rng = RunRng::new(7, 0, 0);
        for _ in 0..replications {
            let counts: Vec<u64> = (0..draws)
                .map(|_| {
                    let theta = uniform(&mut rng);
                    binomial(&mut rng, m, theta * theta)
                })
                .collect();
            let runs = vec![m; draws];
            let s = summarise(
                Clustered {
                    counts: &counts,
                    runs: &runs,
                },
                true,
            );
            covered += u32::from(s.ci_low <= truth && truth <= s.ci_high);
        }
        let coverage = f64::from(covered) / replications as f64;
        assert!((0.93..=0.975).contains(&coverage), "coverage {coverage}");
    }

    /// When the parameter switches the outcome on and off, almost all
    /// variance is the parameter's; when it does nothing, none is. 400 draws
    /// of 64 runs: the share's sampling error is about 0.01 in the first case
    /// and 0.01 in the second, so 0.9 and 0.05 leave several of them.
    #[test]
    fn parameter_share_is_near_one_for_a_switch_and_near_zero_without_effect() {
        let (draws, m) = (400, 64);
        let mut rng = RunRng::new(11, 0, 0);
        let runs = vec![m; draws];
        let mut x = Vec::new();
        let switch: Vec<u64> = (0..draws)
            .map(|_| {
                let theta = uniform(&mut rng);
                x.push(theta);
                binomial(&mut rng, m, if theta < 0.5 { 0.0 } else { 1.0 })
            })
            .collect();
        let on_off = Clustered {
            counts: &switch,
            runs: &runs,
        };
        let s = summarise(on_off, true);
        assert!(s.parameter_share > 0.9, "{}", s.parameter_share);
        assert!(first_order(&x, on_off) > 0.9);
        let inert: Vec<u64> = (0..draws).map(|_| binomial(&mut rng, m, 0.3)).collect();
        let flat = Clustered {
            counts: &inert,
            runs: &runs,
        };
        let s = summarise(flat, true);
        assert!(s.parameter_share < 0.05, "{}", s.parameter_share);
        assert!(first_order(&x, flat) < 0.05);
    }

    #[test]
    fn first_order_separates_a_driving_parameter_from_an_inert_one() {
        let (draws, m) = (400, 64);
        let mut rng = RunRng::new(5, 0, 0);
        let runs = vec![m; draws];
        let (mut driver, mut inert) = (Vec::new(), Vec::new());
        let counts: Vec<u64> = (0..draws)
            .map(|_| {
                let (a, b) = (uniform(&mut rng), uniform(&mut rng));
                driver.push(a);
                inert.push(b);
                binomial(&mut rng, m, 0.1 + 0.8 * a)
            })
            .collect();
        let outcome = Clustered {
            counts: &counts,
            runs: &runs,
        };
        assert!(first_order(&driver, outcome) > 0.8);
        assert!(first_order(&inert, outcome) < 0.1);
    }

    #[test]
    fn paired_difference_of_identical_scenarios_is_exactly_zero() {
        let counts = [3, 5, 8, 2];
        let runs = [16, 16, 16, 16];
        let a = Clustered {
            counts: &counts,
            runs: &runs,
        };
        let d = paired_difference(a, a, true);
        assert_eq!(
            (d.difference, d.ci_low, d.ci_high, d.draw_p05, d.draw_p95),
            (0.0, 0.0, 0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn ratio_variance_matches_a_hand_computation() {
        // p = 6 / 30 = 0.2; residuals 2 - 2 = 0, 1 - 2 = -1, 3 - 2 = 1.
        let (p, v) = ratio_variance(&[2.0, 1.0, 3.0], &[10, 10, 10]);
        assert!((p - 0.2).abs() < 1e-15);
        assert!((v - 1.5 * 2.0 / 900.0).abs() < 1e-15);
    }
}
