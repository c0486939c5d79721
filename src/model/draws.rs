//! The random numbers of the kernel, made from 64-bit generator outputs:
//! uniforms on [0, 1), and standard normals in pairs by the Box-Muller
//! transform (Box and Muller 1958, Ann. Math. Stat. 29(2)).
//!
//! A pair of normals costs exactly two outputs and the same operations
//! whatever the outputs are: no tables, no rejection. The lockstep kernel
//! therefore draws the normals of all its runs in one vector loop, and
//! every run still sees exactly the numbers the one-run kernel would draw.
//! The logarithm comes from
//! [`math::ln_positive`](super::math::ln_positive); sine and cosine from
//! the Taylor polynomials below.

use rand::RngCore;

use super::math::ln_positive;

use super::{LANES, Lane};
use crate::rng::LaneRng;

/// A uniform on [0, 1) from the top 52 bits of `bits`.
#[inline(always)]
pub(crate) fn uniform_from(bits: u64) -> f64 {
    f64::from_bits(0x3FF0_0000_0000_0000 | (bits >> 12)) - 1.0
}

/// A uniform on [0, 1).
#[inline]
pub(crate) fn uniform<R: RngCore>(rng: &mut R) -> f64 {
    uniform_from(rng.next_u64())
}

/// A uniform for every lane.
#[inline(always)]
pub(crate) fn uniforms(rng: &mut LaneRng) -> Lane {
    rng.next_u64s().map(uniform_from)
}

/// cos and sin of the angle chosen by `bits`, uniform on the circle: bits
/// 62 and 63 pick a quarter turn `q`, bits 10 to 61 an offset `r` uniform
/// on [-pi/4, pi/4), and the angle is `q pi/2 + r`. On that range the
/// Taylor polynomials of degree 16 (cos) and 17 (sin) are within 2e-17 of
/// the exact values; a quarter turn only swaps and negates them.
#[inline(always)]
pub(crate) fn unit_circle(bits: u64) -> (f64, f64) {
    // (-1)^k / (2k + 3)! and (-1)^k / (2k + 2)!: the coefficients of sin
    // after r, and of cos after 1.
    const SIN: [f64; 8] = [
        -1.0 / 6.0,
        1.0 / 120.0,
        -1.0 / 5_040.0,
        1.0 / 362_880.0,
        -1.0 / 39_916_800.0,
        1.0 / 6_227_020_800.0,
        -1.0 / 1_307_674_368_000.0,
        1.0 / 355_687_428_096_000.0,
    ];
    const COS: [f64; 8] = [
        -1.0 / 2.0,
        1.0 / 24.0,
        -1.0 / 720.0,
        1.0 / 40_320.0,
        -1.0 / 3_628_800.0,
        1.0 / 479_001_600.0,
        -1.0 / 87_178_291_200.0,
        1.0 / 20_922_789_888_000.0,
    ];
    // Estrin's scheme in r^2 for both series.
    let series = |c: &[f64; 8], r2: f64, r4: f64, r8: f64| {
        let low = (c[0] + c[1] * r2) + (c[2] + c[3] * r2) * r4;
        let high = (c[4] + c[5] * r2) + (c[6] + c[7] * r2) * r4;
        low + high * r8
    };
    let fraction = f64::from_bits(0x3FF0_0000_0000_0000 | ((bits << 2) >> 12)) - 1.5;
    let r = fraction * std::f64::consts::FRAC_PI_2;
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let sin = r + r * r2 * series(&SIN, r2, r4, r8);
    let cos = 1.0 + r2 * series(&COS, r2, r4, r8);
    // Quarter turns 0 to 3 map (cos, sin) to (c, s), (-s, c), (-c, -s),
    // (s, -c): bit 62 swaps, bit 63 negates the first, and the two bits
    // differing negate the second.
    let (first, second) = if (bits >> 62) & 1 == 1 {
        (sin, cos)
    } else {
        (cos, sin)
    };
    let negate = |v: f64, sign: u64| f64::from_bits(v.to_bits() ^ (sign << 63));
    (
        negate(first, bits >> 63),
        negate(second, ((bits >> 62) ^ (bits >> 63)) & 1),
    )
}

/// Two independent standard normals from two generator outputs: radius
/// `sqrt(-2 ln u)` with `u` on (0, 1] from `a` (so at most 8.5 in
/// absolute value), direction from `b` ([`unit_circle`]).
#[inline(always)]
pub(crate) fn normal_pair(a: u64, b: u64) -> (f64, f64) {
    let radius = (-2.0 * ln_positive(1.0 - uniform_from(a))).sqrt();
    let (cos, sin) = unit_circle(b);
    (radius * cos, radius * sin)
}

/// Fills `out` with standard normals, pair by pair in order; an odd last
/// element takes the first of a pair and the second is not used.
pub(crate) fn normal_block<R: RngCore>(rng: &mut R, out: &mut [f64]) {
    for pair in out.chunks_mut(2) {
        let (a, b) = (rng.next_u64(), rng.next_u64());
        let (x, y) = normal_pair(a, b);
        pair[0] = x;
        if let Some(second) = pair.get_mut(1) {
            *second = y;
        }
    }
}

/// [`normal_block`] for every lane at once: lane `l` of `out` holds
/// exactly the block its run would draw alone.
#[inline(always)]
pub(crate) fn normal_block_lanes(rng: &mut LaneRng, out: &mut [Lane]) {
    for pair in out.chunks_mut(2) {
        let (a, b) = (rng.next_u64s(), rng.next_u64s());
        let mut first = [0.0; LANES];
        let mut second = [0.0; LANES];
        for l in 0..LANES {
            (first[l], second[l]) = normal_pair(a[l], b[l]);
        }
        pair[0] = first;
        if let Some(lane) = pair.get_mut(1) {
            *lane = second;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::RunRng;

    /// The polynomials against libm on a grid of offsets, and the four
    /// quarter turns of each offset.
    #[test]
    fn unit_circle_matches_libm_in_every_quarter() {
        let mut worst = 0.0f64;
        for k in 0..=100_000u64 {
            // Bits 10 to 61 spread over their whole range.
            let offset = (k * ((1u64 << 52) - 1) / 100_000) << 10;
            let (c, s) = unit_circle(offset);
            let r = (f64::from_bits(0x3FF0_0000_0000_0000 | (offset >> 10)) - 1.5)
                * std::f64::consts::FRAC_PI_2;
            worst = worst.max((c - r.cos()).abs()).max((s - r.sin()).abs());
            let turns = [0b01u64, 0b10, 0b11].map(|q| unit_circle(offset | q << 62));
            assert_eq!(turns[0], (s, -c), "bit 62");
            assert_eq!(turns[1], (-c, -s), "bit 63");
            assert_eq!(turns[2], (-s, c), "both");
        }
        assert!(worst <= 2.0 * f64::EPSILON, "worst error {worst}");
    }

    #[test]
    fn each_lane_draws_the_block_of_its_run() {
        let mut lanes = LaneRng::new(7, 1, 16);
        let mut runs: Vec<RunRng> = (0..LANES as u64)
            .map(|l| RunRng::new(7, 1, 16 + l))
            .collect();
        // An odd length, so the last pair is cut.
        let mut block = vec![[0.0; LANES]; 151];
        let mut alone = vec![0.0; 151];
        for _ in 0..20 {
            normal_block_lanes(&mut lanes, &mut block);
            for (l, run) in runs.iter_mut().enumerate() {
                normal_block(run, &mut alone);
                for (k, x) in alone.iter().enumerate() {
                    assert_eq!(block[k][l].to_bits(), x.to_bits(), "lane {l}, draw {k}");
                }
            }
        }
        // The stream after the blocks agrees too.
        let after = lanes.next_u64s();
        for (l, run) in runs.iter_mut().enumerate() {
            assert_eq!(after[l], run.next_u64());
        }
    }

    #[test]
    fn uniforms_stay_in_the_unit_interval() {
        assert_eq!(uniform_from(0), 0.0);
        assert!(uniform_from(u64::MAX) < 1.0);
    }

    /// Moments and tail frequencies of 2 million draws, and the correlation
    /// of the two members of each pair. The standard error of the mean is
    /// 1 / sqrt(2e6) = 7.1e-4, that of the variance about 1.0e-3 and that of
    /// the mean product of the 1e6 pairs 1e-3; tolerances are five of them.
    /// The tail counts are compared to the normal's within five binomial
    /// standard errors.
    #[test]
    fn normals_have_the_moments_and_tails_of_the_standard_normal() {
        let mut rng = RunRng::new(99, 0, 0);
        let n = 2_000_000;
        let (mut sum, mut sum2, mut sum4) = (0.0, 0.0, 0.0);
        let mut products = 0.0;
        let thresholds = [1.0, 2.0, 3.0, 3.5, 4.5];
        // P(|X| > t) for the thresholds above.
        let expected = [
            0.317_310_5,
            0.045_500_26,
            0.002_699_8,
            4.652_6e-4,
            6.795_7e-6,
        ];
        let mut beyond = [0u64; 5];
        let mut block = [0.0; 100];
        for x in (0..n / 100).flat_map(|_| {
            normal_block(&mut rng, &mut block);
            for pair in block.chunks(2) {
                products += pair[0] * pair[1];
            }
            block
        }) {
            sum += x;
            sum2 += x * x;
            sum4 += x * x * x * x;
            for (k, t) in thresholds.iter().enumerate() {
                beyond[k] += u64::from(x.abs() > *t);
            }
        }
        let nf = n as f64;
        let (mean, var) = (sum / nf, sum2 / nf);
        assert!(mean.abs() < 5.0 * 7.1e-4, "mean {mean}");
        assert!((var - 1.0).abs() < 5.0 * 1.0e-3, "variance {var}");
        let correlation = products / (nf / 2.0);
        assert!(
            correlation.abs() < 5.0 * 1e-3,
            "pair correlation {correlation}"
        );
        // Fourth moment 3, standard error sqrt(96 / n) = 6.9e-3.
        assert!(
            (sum4 / nf - 3.0).abs() < 5.0 * 6.9e-3,
            "fourth moment {}",
            sum4 / nf
        );
        for k in 0..5 {
            let p = expected[k];
            let se = (p * (1.0 - p) / nf).sqrt();
            let found = beyond[k] as f64 / nf;
            assert!(
                (found - p).abs() < 5.0 * se,
                "P(|X| > {}) = {found}, expected {p}",
                thresholds[k]
            );
        }
    }
}
