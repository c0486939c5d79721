//! Sensitivity measures computed from the outputs of a design.
//!
//! - [`sobol_indices`]: first-order and total Sobol' indices from a
//!   [`SaltelliDesign`], with the first-order estimator of Saltelli et al.
//!   (2010) and the total-effect estimator of Jansen (1999), plus 95%
//!   bootstrap percentile intervals.
//! - [`morris_effects`]: the elementary-effect statistics mu, mu* and sigma
//!   from a [`MorrisDesign`] (Morris 1991; mu* as proposed by Campolongo et
//!   al. 2007).
//!
//! With `N` base rows, `f_A`, `f_B` and `f_ABi` the outputs of the rows of
//! blocks `A`, `B` and `A_B^(i)`, and `V` the variance of the `2N` outputs of
//! `A` and `B` together:
//!
//! ```text
//! S_i  = (1/N)  sum_j f_B[j] (f_ABi[j] - f_A[j]) / V      (Saltelli 2010)
//! ST_i = (1/2N) sum_j (f_A[j] - f_ABi[j])^2 / V            (Jansen 1999)
//! ```
//!
//! The outputs are centred on the mean of `f_A` and `f_B` before the first
//! formula, which leaves its expectation unchanged and lowers its variance.
//! When `V` is zero every index is 0.
//!
//! The bootstrap draws `N` base rows with replacement (the same rows for every
//! block, so each resample is itself a Saltelli sample), recomputes every
//! index, and reports the 2.5% and 97.5% quantiles of the replicates (linear
//! interpolation between order statistics). The resampling uses one
//! `ChaCha8Rng` seeded with `seed`, so the intervals are reproducible.
//!
//! The bootstrap treats the base rows as independent draws. With rows from a
//! randomised Sobol' sequence the estimates are usually more accurate than
//! that, so the intervals tend to be conservative.
//!
//! References:
//!
//! - A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola
//!   (2010). Variance based sensitivity analysis of model output. Design and
//!   estimator for the total sensitivity index. Comput. Phys. Commun. 181,
//!   259-270.
//! - M. J. W. Jansen (1999). Analysis of variance designs for model output.
//!   Comput. Phys. Commun. 117, 35-43.
//! - M. D. Morris (1991). Factorial sampling plans for preliminary
//!   computational experiments. Technometrics 33(2), 161-174.
//! - F. Campolongo, J. Cariboni, A. Saltelli (2007). An effective screening
//!   design for sensitivity analysis of large models. Environ. Model. Softw.
//!   22, 1509-1518.
//! - B. Efron, R. J. Tibshirani (1993). An Introduction to the Bootstrap.
//!   Chapman & Hall (percentile intervals).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::sweep::design::{MorrisDesign, SaltelliDesign, below};

/// First-order and total Sobol' indices of one factor, with 95% bootstrap
/// percentile intervals `(low, high)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    /// First-order index `S_i` (Saltelli 2010 estimator).
    pub first: f64,
    /// 95% bootstrap percentile interval of `first`.
    pub first_ci: (f64, f64),
    /// Total-effect index `ST_i` (Jansen 1999 estimator).
    pub total: f64,
    /// 95% bootstrap percentile interval of `total`.
    pub total_ci: (f64, f64),
}

/// First-order and total Sobol' indices of each of the `design.k` factors.
///
/// `y[r]` is the model output at `design.points[r]`. `bootstrap` is the
/// number of bootstrap resamples; with 0 each interval collapses to its point
/// estimate. Estimates are not clipped to `[0, 1]`: small negative values or
/// values above 1 are sampling error and are reported as computed.
///
/// # Panics
///
/// If `y.len() != design.len()`.
pub fn sobol_indices(
    design: &SaltelliDesign,
    y: &[f64],
    bootstrap: usize,
    seed: u64,
) -> Vec<SobolIndex> {
    assert_eq!(
        y.len(),
        design.len(),
        "one output per design point is needed"
    );
    let n = design.base;
    let k = design.k;
    let all_rows: Vec<usize> = (0..n).collect();
    let mut first = vec![0.0; k];
    let mut total = vec![0.0; k];
    estimate(design, y, &all_rows, &mut first, &mut total);

    let mut first_reps = vec![Vec::with_capacity(bootstrap); k];
    let mut total_reps = vec![Vec::with_capacity(bootstrap); k];
    if n > 0 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut rows = vec![0usize; n];
        let mut f = vec![0.0; k];
        let mut t = vec![0.0; k];
        for _ in 0..bootstrap {
            for r in rows.iter_mut() {
                *r = below(&mut rng, n as u64) as usize;
            }
            estimate(design, y, &rows, &mut f, &mut t);
            for i in 0..k {
                first_reps[i].push(f[i]);
                total_reps[i].push(t[i]);
            }
        }
    }

    (0..k)
        .map(|i| SobolIndex {
            first: first[i],
            first_ci: percentile_interval(&mut first_reps[i], first[i]),
            total: total[i],
            total_ci: percentile_interval(&mut total_reps[i], total[i]),
        })
        .collect()
}

/// Point estimates of every first-order and total index from the base rows
/// `rows` (indices into `0..design.base`, repetitions allowed).
fn estimate(
    design: &SaltelliDesign,
    y: &[f64],
    rows: &[usize],
    first: &mut [f64],
    total: &mut [f64],
) {
    first.fill(0.0);
    total.fill(0.0);
    let count = rows.len() as f64;
    if rows.is_empty() {
        return;
    }
    let mut sum = 0.0;
    for &j in rows {
        sum += y[design.row_a(j)] + y[design.row_b(j)];
    }
    let mean = sum / (2.0 * count);
    let mut squares = 0.0;
    for &j in rows {
        let a = y[design.row_a(j)] - mean;
        let b = y[design.row_b(j)] - mean;
        squares += a * a + b * b;
    }
    let variance = squares / (2.0 * count);
    if variance == 0.0 {
        return;
    }
    for i in 0..design.k {
        let mut partial = 0.0;
        let mut jansen = 0.0;
        for &j in rows {
            let fa = y[design.row_a(j)];
            let fb = y[design.row_b(j)] - mean;
            let fab = y[design.row_ab(i, j)];
            partial += fb * (fab - fa);
            jansen += (fa - fab) * (fa - fab);
        }
        first[i] = partial / count / variance;
        total[i] = jansen / (2.0 * count) / variance;
    }
}

/// The 2.5% and 97.5% quantiles of `replicates` (sorted in place); the
/// point estimate twice when there are none.
fn percentile_interval(replicates: &mut [f64], estimate: f64) -> (f64, f64) {
    if replicates.is_empty() {
        return (estimate, estimate);
    }
    replicates.sort_by(f64::total_cmp);
    (quantile(replicates, 0.025), quantile(replicates, 0.975))
}

/// Quantile `p` of sorted, non-empty `values` by linear interpolation between
/// order statistics (Hyndman and Fan's definition 7).
fn quantile(values: &[f64], p: f64) -> f64 {
    let h = (values.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(values.len() - 1);
    values[lo] + (h - lo as f64) * (values[hi] - values[lo])
}

/// Elementary-effect statistics of one factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisEffect {
    /// Mean of the elementary effects (Morris 1991).
    pub mu: f64,
    /// Mean of the absolute elementary effects (Campolongo et al. 2007).
    pub mu_star: f64,
    /// Sample standard deviation of the elementary effects (denominator
    /// `r - 1`; 0 with fewer than two trajectories). A large `sigma` points at
    /// non-linearity or interactions.
    pub sigma: f64,
}

/// Morris statistics of each of the `design.k` factors, from `y[r]`, the
/// model output at `design.points[r]`.
///
/// The elementary effect of a move is `(y[row] - y[row - 1]) / delta` with
/// the signed `delta` of the move.
///
/// # Panics
///
/// If `y.len() != design.len()`.
pub fn morris_effects(design: &MorrisDesign, y: &[f64]) -> Vec<MorrisEffect> {
    assert_eq!(
        y.len(),
        design.len(),
        "one output per design point is needed"
    );
    let mut effects: Vec<Vec<f64>> = vec![Vec::with_capacity(design.trajectories); design.k];
    for &(row, factor, delta) in &design.steps {
        effects[factor].push((y[row] - y[row - 1]) / delta);
    }
    effects
        .iter()
        .map(|ee| {
            if ee.is_empty() {
                return MorrisEffect {
                    mu: 0.0,
                    mu_star: 0.0,
                    sigma: 0.0,
                };
            }
            let r = ee.len() as f64;
            let mu = ee.iter().sum::<f64>() / r;
            let mu_star = ee.iter().map(|e| e.abs()).sum::<f64>() / r;
            let sigma = if ee.len() < 2 {
                0.0
            } else {
                (ee.iter().map(|e| (e - mu) * (e - mu)).sum::<f64>() / (r - 1.0)).sqrt()
            };
            MorrisEffect { mu, mu_star, sigma }
        })
        .collect()
}
