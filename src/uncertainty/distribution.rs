//! Distributions of uncertain parameters, sampled by their quantile function
//! so that one uniform number gives one value.

use std::fmt;

/// The distribution of one uncertain parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Every value from `low` to `high` equally likely.
    Uniform { low: f64, high: f64 },
    /// Density rising linearly from `low` to `mode`, falling to `high`.
    Triangular { low: f64, mode: f64, high: f64 },
    /// A normal distribution truncated to `[low, high]`.
    Normal {
        mean: f64,
        sd: f64,
        low: f64,
        high: f64,
    },
    /// `ln(value)` uniform from `ln(low)` to `ln(high)`: a scale known to
    /// within a factor.
    LogUniform { low: f64, high: f64 },
}

impl Distribution {
    /// The value at quantile `u` in (0, 1).
    pub fn quantile(&self, u: f64) -> f64 {
        match *self {
            Distribution::Uniform { low, high } => low + u * (high - low),
            Distribution::Triangular { low, mode, high } => {
                let width = high - low;
                if width == 0.0 {
                    return low;
                }
                let split = (mode - low) / width;
                if u < split {
                    low + (u * width * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * width * (high - mode)).sqrt()
                }
            }
            Distribution::Normal {
                mean,
                sd,
                low,
                high,
            } => {
                if sd == 0.0 {
                    return mean.clamp(low, high);
                }
                let a = normal_cdf((low - mean) / sd);
                let b = normal_cdf((high - mean) / sd);
                let q = a + u * (b - a);
                (mean + sd * normal_quantile(q)).clamp(low, high)
            }
            Distribution::LogUniform { low, high } => (low.ln() + u * (high.ln() - low.ln())).exp(),
        }
    }

    /// The smallest and largest value the distribution can give.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Distribution::Uniform { low, high }
            | Distribution::Triangular { low, high, .. }
            | Distribution::Normal { low, high, .. }
            | Distribution::LogUniform { low, high } => (low, high),
        }
    }

    /// Whether every draw gives the same value: a constant written as a
    /// distribution.
    pub fn is_degenerate(&self) -> bool {
        match *self {
            Distribution::Normal { sd, low, high, .. } => sd == 0.0 || low == high,
            _ => {
                let (low, high) = self.support();
                low == high
            }
        }
    }

    /// The mean of the distribution (of the truncated normal: approximately,
    /// by the quantile midpoint rule on 1,000 points).
    pub fn mean(&self) -> f64 {
        match *self {
            Distribution::Uniform { low, high } => (low + high) / 2.0,
            Distribution::Triangular { low, mode, high } => (low + mode + high) / 3.0,
            Distribution::LogUniform { low, high } => {
                if low == high {
                    low
                } else {
                    (high - low) / (high.ln() - low.ln())
                }
            }
            Distribution::Normal { .. } => {
                const POINTS: usize = 1000;
                (0..POINTS)
                    .map(|k| self.quantile((k as f64 + 0.5) / POINTS as f64))
                    .sum::<f64>()
                    / POINTS as f64
            }
        }
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Distribution::Uniform { low, high } => write!(f, "uniform({low}, {high})"),
            Distribution::Triangular { low, mode, high } => {
                write!(f, "triangular({low}, {mode}, {high})")
            }
            Distribution::Normal {
                mean,
                sd,
                low,
                high,
            } => write!(f, "normal({mean}, sd {sd}) on [{low}, {high}]"),
            Distribution::LogUniform { low, high } => write!(f, "log-uniform({low}, {high})"),
        }
    }
}

/// The standard normal distribution function, from the complementary error
/// function.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The complementary error function, with fractional error below 1.2e-7
/// everywhere: the Chebyshev-fitted approximation `erfcc` of W. H. Press et
/// al., Numerical Recipes in C, 2nd ed. (1992), section 6.2. Precise enough
/// to place the truncation bounds of a normal.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// The standard normal quantile function: P. J. Acklam's rational
/// approximation (relative error below 1.2e-9), refined by one step of
/// Halley's method.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const LOW: f64 = 0.024_25;
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - LOW {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    // One Halley step against the distribution function.
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_inverts_the_distribution_function() {
        for &p in &[1e-6, 0.001, 0.025, 0.1, 0.5, 0.8, 0.975, 0.999] {
            let x = normal_quantile(p);
            assert!(
                (normal_cdf(x) - p).abs() < 2e-7 * p.max(1e-3),
                "p {p}: x {x}"
            );
        }
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-5);
        assert!(normal_quantile(0.5).abs() < 1e-7);
    }

    #[test]
    fn quantiles_stay_in_the_support_and_rise() {
        let cases = [
            Distribution::Uniform {
                low: 1.0,
                high: 3.0,
            },
            Distribution::Triangular {
                low: 0.6,
                mode: 0.8,
                high: 1.0,
            },
            Distribution::Normal {
                mean: 1.0,
                sd: 0.25,
                low: 0.3,
                high: 2.0,
            },
            Distribution::LogUniform {
                low: 0.1,
                high: 10.0,
            },
        ];
        for d in cases {
            let (low, high) = d.support();
            let mut last = f64::NEG_INFINITY;
            for k in 0..1000 {
                let v = d.quantile((k as f64 + 0.5) / 1000.0);
                assert!(v >= low && v <= high, "{d}: {v}");
                assert!(v >= last, "{d}: not monotone at {k}");
                last = v;
            }
        }
    }

    #[test]
    fn triangular_quantile_matches_its_distribution_function() {
        let d = Distribution::Triangular {
            low: 0.0,
            mode: 0.25,
            high: 1.0,
        };
        // F(x) = x^2 / 0.25 below the mode, 1 - (1 - x)^2 / 0.75 above.
        assert!((d.quantile(0.25) - 0.25).abs() < 1e-12);
        assert!((d.quantile(0.0625 / 0.25) - 0.25).abs() < 1e-12);
        let x = d.quantile(0.9);
        assert!((1.0 - (1.0 - x).powi(2) / 0.75 - 0.9).abs() < 1e-12);
        assert!((d.mean() - 1.25 / 3.0).abs() < 1e-12);
    }
}
