//! Small statistics used by the aggregates: Wilson score intervals,
//! fixed-point sums and quantiles read off histograms.

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval for `successes` out of `trials` at normal quantile
/// `z` (Wilson 1927). Returns (0, 0) for no trials.
pub fn wilson(successes: u64, trials: u64, z: f64) -> (f64, f64) {
    if trials == 0 {
        return (0.0, 0.0);
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Scale of the fixed-point sums: values in [-1, 1] are summed as integers
/// so that partial sums merge exactly, in any order.
pub const FIXED_SCALE: f64 = (1u64 << 32) as f64;

/// A value in [-1, 1] as a fixed-point integer, rounded half away from
/// zero. Equal to `(v * FIXED_SCALE).round() as i64`, without the libm call
/// that `round` compiles to on x86-64: truncation and the fraction it drops
/// are exact below 2^52. NaN gives 0, as `as i64` would.
#[inline(always)]
pub fn to_fixed(v: f64) -> i64 {
    const LIMIT: f64 = (1u64 << 52) as f64;
    let scaled = v * FIXED_SCALE;
    // Bounded and never NaN, so the truncation below is defined; unlike a
    // saturating `as`, it then compiles to one vector instruction per
    // register where the processor has one (AVX-512 DQ).
    let bounded = if scaled.is_nan() {
        0.0
    } else {
        scaled.clamp(-LIMIT, LIMIT)
    };
    // SAFETY: `bounded` is finite and within i64.
    let whole: i64 = unsafe { bounded.to_int_unchecked() };
    let fraction = bounded - whole as f64;
    whole + i64::from(fraction >= 0.5) - i64::from(fraction <= -0.5)
}

/// Mean of `count` values from their fixed-point sum.
pub fn fixed_mean(sum: i64, count: u64) -> f64 {
    if count == 0 {
        0.0
    } else {
        sum as f64 / FIXED_SCALE / count as f64
    }
}

/// Equal-width bins over [-1, 1].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bins(pub usize);

impl Bins {
    /// Bin of a value in [-1, 1] (values outside, and NaN, are put in the
    /// end bins).
    #[inline(always)]
    pub fn of(self, v: f64) -> usize {
        let last = self.0.saturating_sub(1).min(i32::MAX as usize) as f64;
        // `max` first turns NaN into 0; the bounded position then truncates
        // without the checks of a saturating `as`, in vector registers.
        let position = ((v + 1.0) * 0.5 * self.0 as f64).max(0.0).min(last);
        // SAFETY: `position` is finite, in [0, i32::MAX].
        let bin: i32 = unsafe { position.to_int_unchecked() };
        bin as usize
    }

    pub fn width(self) -> f64 {
        2.0 / self.0 as f64
    }

    pub fn low(self, bin: usize) -> f64 {
        -1.0 + bin as f64 * self.width()
    }

    /// The `q` quantile of the values counted in `counts`, interpolating
    /// linearly inside the bin where it falls.
    pub fn quantile(self, counts: &[u64], q: f64) -> f64 {
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return f64::NAN;
        }
        let target = q.clamp(0.0, 1.0) * total as f64;
        let mut below = 0u64;
        for (bin, &c) in counts.iter().enumerate() {
            if c > 0 && (below + c) as f64 >= target {
                let inside = ((target - below as f64) / c as f64).clamp(0.0, 1.0);
                return self.low(bin) + inside * self.width();
            }
            below += c;
        }
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_rounds_like_round() {
        let ulp = 1.0 / FIXED_SCALE;
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5 * ulp,
            -0.5 * ulp,
            1.5 * ulp,
            -2.5 * ulp,
        ];
        values.extend((0..=20_000).map(|k| -1.0 + f64::from(k) * 1e-4 + 0.37 * ulp));
        values.extend((0..=2_000).map(|k| f64::from(k) * ulp * 0.25 - 250.0 * ulp));
        for v in values {
            assert_eq!(to_fixed(v), (v * FIXED_SCALE).round() as i64, "{v}");
        }
    }

    #[test]
    fn fixed_point_of_nan_is_zero() {
        assert_eq!(to_fixed(f64::NAN), 0);
    }

    /// The bin is the truncated position, clamped to the bins, for values
    /// across and beyond [-1, 1], infinities and NaN.
    #[test]
    fn bins_clamp_every_value_to_the_ends() {
        let bins = Bins(400);
        let mut values = vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300];
        values.extend((0..=40_000).map(|k| -1.5 + f64::from(k) * 7.5e-5));
        for v in values {
            let position = (v + 1.0) * 0.5 * 400.0;
            let expected = if position.is_nan() {
                0
            } else {
                position.clamp(0.0, 399.0).floor() as usize
            };
            assert_eq!(bins.of(v), expected, "{v}");
        }
        assert_eq!(bins.of(-1.0), 0);
        assert_eq!(bins.of(1.0), 399);
        assert_eq!(bins.of(-1.0 + 0.005), 1);
    }

    #[test]
    fn quantile_of_uniform_counts_is_linear() {
        let bins = Bins(4);
        let counts = [10, 10, 10, 10];
        assert!((bins.quantile(&counts, 0.5) - 0.0).abs() < 1e-12);
        assert!((bins.quantile(&counts, 0.25) + 0.5).abs() < 1e-12);
        assert!((bins.quantile(&counts, 1.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn bins_clamp_the_ends() {
        let bins = Bins(400);
        assert_eq!(bins.of(-1.0), 0);
        assert_eq!(bins.of(1.0), 399);
        assert_eq!(bins.of(0.0), 200);
    }
}
