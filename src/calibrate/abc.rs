//! Approximate Bayesian computation by sequential Monte Carlo (population
//! Monte Carlo; docs/model.md, "Calibration against history"), independent
//! of the model: a particle is a vector of numbers, and a caller-supplied
//! function turns a particle (and the key of its attempt) into a distance.
//!
//! Generation 0 draws from the prior and accepts every draw. Generation
//! g > 0 has the tolerance eps_g = the weighted `quantile` of generation
//! g - 1's distances (Del Moral, Doucet and Jasra 2012; pyabc's default
//! median epsilon); each attempt picks a particle of g - 1 by weight and
//! moves it by a normal kernel with covariance twice the weighted covariance
//! of g - 1, redrawing until the move lands inside the prior's support; the
//! attempt is accepted if its distance is at most eps_g. Accepted particles
//! get the weights of Beaumont et al. (2009),
//! w_i proportional to prior(theta_i) / sum_j w_j K(theta_i | theta_j).
//!
//! Attempt k of generation g draws only from a generator keyed by
//! (seed, g, k). Attempts run in parallel in batches, in index order, and a
//! generation keeps the first N acceptable attempts by index, so the result
//! depends on neither the thread count nor the batch size.

use rand::RngCore;
use rayon::prelude::*;

use super::spec::Prior;
use crate::model::RunRng;

/// Salt that separates the proposal generators from the simulations'.
const PROPOSAL_SALT: u64 = 0xab5c_0000_0000_0001;

/// A uniform in (0, 1) from 53 bits of the generator.
pub fn uniform(rng: &mut RunRng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal from two uniforms (Box and Muller).
pub fn standard_normal(next: &mut impl FnMut() -> f64) -> f64 {
    let (u, v) = (next(), next());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// One accepted particle.
#[derive(Debug, Clone, PartialEq)]
pub struct Particle {
    pub theta: Vec<f64>,
    /// Normalised importance weight.
    pub weight: f64,
    pub distance: f64,
}

/// A finished generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    pub index: usize,
    /// Largest distance accepted (infinite for generation 0).
    pub tolerance: f64,
    /// Attempts made up to and including the last accepted one.
    pub attempts: u64,
    pub particles: Vec<Particle>,
}

impl Generation {
    pub fn acceptance_rate(&self) -> f64 {
        self.particles.len() as f64 / self.attempts.max(1) as f64
    }

    /// Effective sample size 1 / sum w_i^2 of the normalised weights.
    pub fn ess(&self) -> f64 {
        let weights: Vec<f64> = self.particles.iter().map(|p| p.weight).collect();
        effective_sample_size(&weights)
    }

    /// The tolerance of the next generation: the weighted `q`-quantile of
    /// this generation's distances.
    pub fn next_tolerance(&self, q: f64) -> f64 {
        let mut pairs: Vec<(f64, f64)> = self
            .particles
            .iter()
            .map(|p| (p.distance, p.weight))
            .collect();
        weighted_quantile(&mut pairs, q)
    }
}

/// 1 / sum w_i^2 after normalising the weights to sum 1.
pub fn effective_sample_size(weights: &[f64]) -> f64 {
    let total: f64 = weights.iter().sum();
    1.0 / weights.iter().map(|w| (w / total).powi(2)).sum::<f64>()
}

/// The smallest value whose cumulative weight reaches `q` of the total.
pub fn weighted_quantile(pairs: &mut [(f64, f64)], q: f64) -> f64 {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut cumulative = 0.0;
    for &(value, weight) in pairs.iter() {
        cumulative += weight;
        if cumulative >= q * total {
            return value;
        }
    }
    pairs.last().map_or(f64::NAN, |p| p.0)
}

/// The prior over whole particles: independent components.
pub fn prior_density(priors: &[Prior], theta: &[f64]) -> f64 {
    priors
        .iter()
        .zip(theta)
        .map(|(p, &x)| p.density(x))
        .product()
}

/// Weighted mean and covariance (normalised weights), row-major.
pub fn weighted_covariance(particles: &[Particle]) -> Vec<f64> {
    let k = particles.first().map_or(0, |p| p.theta.len());
    let mut mean = vec![0.0; k];
    for p in particles {
        for (m, x) in mean.iter_mut().zip(&p.theta) {
            *m += p.weight * x;
        }
    }
    let mut cov = vec![0.0; k * k];
    for p in particles {
        for a in 0..k {
            for b in 0..k {
                cov[a * k + b] += p.weight * (p.theta[a] - mean[a]) * (p.theta[b] - mean[b]);
            }
        }
    }
    cov
}

/// Lower Cholesky factor of a symmetric matrix; a component with no spread
/// gets a tiny one so that the factor exists.
pub fn cholesky(matrix: &[f64], k: usize) -> Vec<f64> {
    let mut m = matrix.to_vec();
    for a in 0..k {
        let floor = 1e-12 * (1.0 + m[a * k + a].abs());
        m[a * k + a] = m[a * k + a].max(floor);
    }
    let mut l = vec![0.0; k * k];
    for a in 0..k {
        for b in 0..=a {
            let s: f64 = (0..b).map(|c| l[a * k + c] * l[b * k + c]).sum();
            if a == b {
                l[a * k + a] = (m[a * k + a] - s).max(1e-12 * m[a * k + a]).sqrt();
            } else {
                l[a * k + b] = (m[a * k + b] - s) / l[b * k + b];
            }
        }
    }
    l
}

/// The perturbation kernel: a normal with covariance `L L^T`.
#[derive(Debug, Clone)]
pub struct Kernel {
    pub k: usize,
    pub lower: Vec<f64>,
}

impl Kernel {
    /// Twice the weighted covariance of `particles` (Beaumont et al. 2009).
    pub fn of(particles: &[Particle]) -> Kernel {
        let k = particles.first().map_or(0, |p| p.theta.len());
        let cov: Vec<f64> = weighted_covariance(particles)
            .iter()
            .map(|c| 2.0 * c)
            .collect();
        Kernel {
            k,
            lower: cholesky(&cov, k),
        }
    }

    /// Moves `center` by one draw of the kernel.
    pub fn perturb(&self, center: &[f64], next: &mut impl FnMut() -> f64) -> Vec<f64> {
        let z: Vec<f64> = (0..self.k).map(|_| standard_normal(next)).collect();
        (0..self.k)
            .map(|a| {
                center[a]
                    + (0..=a)
                        .map(|b| self.lower[a * self.k + b] * z[b])
                        .sum::<f64>()
            })
            .collect()
    }

    /// The kernel density of `x - center`, up to its constant factor.
    pub fn density(&self, x: &[f64], center: &[f64]) -> f64 {
        let k = self.k;
        // Solve L y = x - center by forward substitution.
        let mut y = vec![0.0; k];
        for a in 0..k {
            let s: f64 = (0..a).map(|b| self.lower[a * k + b] * y[b]).sum();
            y[a] = (x[a] - center[a] - s) / self.lower[a * k + a];
        }
        (-0.5 * y.iter().map(|v| v * v).sum::<f64>()).exp()
    }
}

/// Beaumont et al. (2009) weights of new particles `thetas` given the
/// previous generation and its kernel, normalised to sum 1.
pub fn importance_weights(
    thetas: &[Vec<f64>],
    priors: &[Prior],
    previous: &[Particle],
    kernel: &Kernel,
) -> Vec<f64> {
    let raw: Vec<f64> = thetas
        .iter()
        .map(|theta| {
            let mixture: f64 = previous
                .iter()
                .map(|p| p.weight * kernel.density(theta, &p.theta))
                .sum();
            prior_density(priors, theta) / mixture
        })
        .collect();
    let total: f64 = raw.iter().sum();
    raw.iter().map(|w| w / total).collect()
}

/// How one generation is sampled.
pub struct Step<'a> {
    pub seed: u64,
    pub index: usize,
    pub particles: usize,
    pub priors: &'a [Prior],
    /// The previous generation and the tolerance; none for generation 0.
    pub previous: Option<(&'a Generation, f64)>,
    pub max_attempts: u64,
    /// Called with the number of particles newly accepted.
    pub progress: &'a (dyn Fn(u64) + Sync),
}

/// A generation could not be filled within the attempt budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exhausted {
    pub attempts: u64,
    pub accepted: usize,
}

/// Draws the candidate of attempt `k`: from the prior, or a move of a
/// weighted draw from the previous generation that stays inside the
/// prior's support. `None` if 10,000 moves all left the support.
pub fn propose(step: &Step<'_>, kernel: Option<&Kernel>, k: u64) -> Option<Vec<f64>> {
    let mut rng = RunRng::new(step.seed ^ PROPOSAL_SALT, step.index as u64, k);
    let mut next = || uniform(&mut rng);
    match (step.previous, kernel) {
        (Some((previous, _)), Some(kernel)) => {
            for _ in 0..10_000 {
                let u = next();
                let mut cumulative = 0.0;
                let parent = previous
                    .particles
                    .iter()
                    .find(|p| {
                        cumulative += p.weight;
                        cumulative >= u
                    })
                    .unwrap_or_else(|| {
                        previous
                            .particles
                            .last()
                            .expect("a generation has particles")
                    });
                let theta = kernel.perturb(&parent.theta, &mut next);
                if prior_density(step.priors, &theta) > 0.0 {
                    return Some(theta);
                }
            }
            None
        }
        _ => Some(step.priors.iter().map(|p| p.sample(&mut next)).collect()),
    }
}

/// Samples one generation. `distance(theta, k)` simulates attempt `k`.
pub fn generation(
    step: &Step<'_>,
    distance: &(dyn Fn(&[f64], u64) -> f64 + Sync),
) -> Result<Generation, Exhausted> {
    let kernel = step.previous.map(|(g, _)| Kernel::of(&g.particles));
    let tolerance = step.previous.map_or(f64::INFINITY, |(_, t)| t);
    let rate = step.previous.map_or(1.0, |(g, _)| g.acceptance_rate());
    let mut accepted: Vec<(Vec<f64>, f64)> = Vec::with_capacity(step.particles);
    let mut next = 0u64;
    let mut attempts = 0u64;
    while accepted.len() < step.particles {
        if next >= step.max_attempts {
            return Err(Exhausted {
                attempts: next,
                accepted: accepted.len(),
            });
        }
        // Batch size changes only how much work is done ahead, never which
        // attempts are kept.
        let missing = (step.particles - accepted.len()) as f64;
        let size = ((missing / rate.max(0.02)).ceil() as u64)
            .clamp(32, 8192)
            .min(step.max_attempts - next);
        let results: Vec<Option<(Vec<f64>, f64)>> = (next..next + size)
            .into_par_iter()
            .map(|k| {
                let theta = propose(step, kernel.as_ref(), k)?;
                let d = distance(&theta, k);
                (d <= tolerance).then_some((theta, d))
            })
            .collect();
        let before = accepted.len();
        for (offset, result) in results.into_iter().enumerate() {
            if accepted.len() == step.particles {
                break;
            }
            if let Some(found) = result {
                accepted.push(found);
                attempts = next + offset as u64 + 1;
            }
        }
        (step.progress)((accepted.len() - before) as u64);
        next += size;
    }
    let thetas: Vec<Vec<f64>> = accepted.iter().map(|(t, _)| t.clone()).collect();
    let weights = match (step.previous, &kernel) {
        (Some((previous, _)), Some(kernel)) => {
            importance_weights(&thetas, step.priors, &previous.particles, kernel)
        }
        _ => vec![1.0 / step.particles as f64; step.particles],
    };
    Ok(Generation {
        index: step.index,
        tolerance,
        attempts,
        particles: accepted
            .into_iter()
            .zip(weights)
            .map(|((theta, distance), weight)| Particle {
                theta,
                weight,
                distance,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn particle(theta: Vec<f64>, weight: f64) -> Particle {
        Particle {
            theta,
            weight,
            distance: 0.0,
        }
    }

    #[test]
    fn ess_is_n_for_equal_weights_and_one_for_a_single_weight() {
        assert!((effective_sample_size(&[0.25; 4]) - 4.0).abs() < 1e-12);
        assert!((effective_sample_size(&[1.0, 0.0, 0.0]) - 1.0).abs() < 1e-12);
        // Unnormalised weights 1, 1, 2: normalised 1/4, 1/4, 1/2, sum of squares 3/8.
        assert!((effective_sample_size(&[1.0, 1.0, 2.0]) - 8.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn weights_follow_the_beaumont_formula_by_hand() {
        // One dimension, previous particles 0 (weight 0.25) and 1 (weight
        // 0.75); kernel sd 1 (variance 1 given directly).
        let previous = [particle(vec![0.0], 0.25), particle(vec![1.0], 0.75)];
        let kernel = Kernel {
            k: 1,
            lower: vec![1.0],
        };
        let priors = [Prior::Uniform {
            low: -5.0,
            high: 5.0,
        }];
        let thetas = [vec![0.0], vec![2.0]];
        let w = importance_weights(&thetas, &priors, &previous, &kernel);
        // Unnormalised: 1 / (0.25 + 0.75 e^{-1/2}) and 1 / (0.25 e^{-2} + 0.75 e^{-1/2}).
        let a = 1.0 / (0.25 + 0.75 * (-0.5f64).exp());
        let b = 1.0 / (0.25 * (-2.0f64).exp() + 0.75 * (-0.5f64).exp());
        assert!((w[0] - a / (a + b)).abs() < 1e-12);
        assert!((w[1] - b / (a + b)).abs() < 1e-12);
        // A particle outside the prior gets weight zero.
        let w = importance_weights(&[vec![0.0], vec![6.0]], &priors, &previous, &kernel);
        assert_eq!(w[1], 0.0);
    }

    #[test]
    fn the_kernel_has_twice_the_weighted_covariance() {
        let ps = [particle(vec![0.0, 0.0], 0.5), particle(vec![2.0, 4.0], 0.5)];
        // Weighted variances 1 and 4, covariance 2: doubled 2, 8, 4.
        let k = Kernel::of(&ps);
        let l = &k.lower;
        let product = [l[0] * l[0], l[2] * l[0], l[2] * l[2] + l[3] * l[3]];
        for (got, want) in product.iter().zip([2.0, 4.0, 8.0]) {
            assert!((got - want).abs() < 1e-6, "{product:?}");
        }
    }

    #[test]
    fn weighted_quantile_takes_weights_into_account() {
        let mut pairs = [(1.0, 0.1), (3.0, 0.6), (2.0, 0.3)];
        assert_eq!(weighted_quantile(&mut pairs, 0.5), 3.0);
        assert_eq!(weighted_quantile(&mut pairs, 0.1), 1.0);
    }

    /// A normal mean with known variance: the ABC posterior of a
    /// sufficient-statistic distance approaches the exact posterior.
    #[test]
    fn recovers_a_normal_mean() {
        // Data: mean 1.3 of 25 draws with sd 1; flat prior on [-5, 5]; exact
        // posterior Normal(1.3, 0.2^2). Simulated mean: theta + 0.2 z.
        let priors = [Prior::Uniform {
            low: -5.0,
            high: 5.0,
        }];
        let distance = |theta: &[f64], k: u64| {
            let mut rng = RunRng::new(99, 7, k);
            let z = standard_normal(&mut || uniform(&mut rng));
            (theta[0] + 0.2 * z - 1.3).abs()
        };
        let mut previous: Option<Generation> = None;
        for g in 0..6 {
            let tolerance = previous.as_ref().map(|p| p.next_tolerance(0.5));
            let step = Step {
                seed: 3,
                index: g,
                particles: 400,
                priors: &priors,
                previous: previous.as_ref().zip(tolerance),
                max_attempts: 1_000_000,
                progress: &|_| {},
            };
            previous = Some(generation(&step, &distance).unwrap());
        }
        let last = previous.unwrap();
        let mean: f64 = last.particles.iter().map(|p| p.weight * p.theta[0]).sum();
        let var: f64 = last
            .particles
            .iter()
            .map(|p| p.weight * (p.theta[0] - mean).powi(2))
            .sum();
        // ESS is a few hundred, so the mean's standard error is about
        // 0.2 / sqrt(200) = 0.014; allow 0.08. The ABC spread exceeds the
        // exact 0.2 by the tolerance, so allow 0.15 to 0.35.
        assert!((mean - 1.3).abs() < 0.08, "mean {mean}");
        assert!(var.sqrt() > 0.15 && var.sqrt() < 0.35, "sd {}", var.sqrt());
        assert!(last.ess() > 50.0);
    }
}
