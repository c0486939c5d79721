//! The random numbers of the kernel, made from 64-bit generator outputs:
//! uniforms on [0, 1) (one per output, or two from its 32-bit halves), and
//! standard normals in pairs by the Box-Muller transform (Box and Muller
//! 1958, Ann. Math. Stat. 29(2)).
//!
//! A pair of normals costs exactly one output, split into a 32-bit word
//! for the radius and one for the angle, and the same operations whatever
//! the output is: no tables, no rejection. The lockstep kernel therefore
//! draws the normals of all its runs in one vector loop, and every run
//! still sees exactly the numbers the one-run kernel would draw.
//!
//! The transform is computed in single precision and widened to double:
//! the normals only scale noise terms, where a relative error of a few
//! 1e-7 is far below anything the model can resolve, and single precision
//! fits twice as many runs in a vector register. The logarithm comes from
//! [`math::ln_positive_single`](super::math::ln_positive_single); sine and
//! cosine from the Taylor polynomials below.

use rand::RngCore;

use super::math::{horner_single, ln_positive_single};

use super::rng::LaneRng;
use super::{LANES, Lane};

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

/// Two uniforms on [0, 1) from the halves of `bits`, the low half first:
/// each 32-bit word `w` gives `w / 2^32` exactly. Used where two draws
/// always go together and 32 bits resolve every probability the model
/// compares them with: the choices of two pairs, the two draws of a treaty.
#[inline(always)]
pub(crate) fn uniform_pair_from(bits: u64) -> [f64; 2] {
    let (low, high) = halves(bits);
    [low, high].map(|w| f64::from_bits(0x3FF0_0000_0000_0000 | (u64::from(w) << 20)) - 1.0)
}

/// [`uniform_pair_from`] the next output.
#[inline]
pub(crate) fn uniform_pair<R: RngCore>(rng: &mut R) -> [f64; 2] {
    uniform_pair_from(rng.next_u64())
}

/// [`uniform_pair`] for every lane.
#[inline(always)]
pub(crate) fn uniform_pairs(rng: &mut LaneRng) -> [Lane; 2] {
    let bits = rng.next_u64s();
    let pairs = bits.map(uniform_pair_from);
    [0, 1].map(|k| pairs.map(|pair| pair[k]))
}

/// cos and sin, in single precision, of the angle chosen by `bits`,
/// uniform on the circle: bits 30 and 31 pick a quarter turn `q`, bits 7
/// to 29 an offset `r` uniform on [-pi/4, pi/4), and the angle is
/// `q pi/2 + r`. On that range the Taylor polynomials of degree 10 (cos)
/// and 9 (sin) are within 2e-9 of the exact values, a thirtieth of a
/// single-precision epsilon; a quarter turn only swaps and negates them.
#[inline(always)]
pub(crate) fn unit_circle(bits: u32) -> (f32, f32) {
    // (-1)^k / (2k + 3)! and (-1)^k / (2k + 2)!: the coefficients of sin
    // after r, and of cos after 1, summed by Horner's scheme in r^2.
    const SIN: [f32; 4] = [-1.0 / 6.0, 1.0 / 120.0, -1.0 / 5_040.0, 1.0 / 362_880.0];
    const COS: [f32; 5] = [
        -1.0 / 2.0,
        1.0 / 24.0,
        -1.0 / 720.0,
        1.0 / 40_320.0,
        -1.0 / 3_628_800.0,
    ];
    let fraction = f32::from_bits(0x3F80_0000 | ((bits << 2) >> 9)) - 1.5;
    let r = fraction * std::f32::consts::FRAC_PI_2;
    let r2 = r * r;
    let sin = r + r * r2 * horner_single(&SIN, r2);
    let cos = 1.0 + r2 * horner_single(&COS, r2);
    // Quarter turns 0 to 3 map (cos, sin) to (c, s), (-s, c), (-c, -s),
    // (s, -c): bit 30 swaps, bit 31 negates the first, and the two bits
    // differing negate the second.
    let (first, second) = if (bits >> 30) & 1 == 1 {
        (sin, cos)
    } else {
        (cos, sin)
    };
    let negate = |v: f32, sign: u32| f32::from_bits(v.to_bits() ^ (sign << 31));
    (
        negate(first, bits >> 31),
        negate(second, ((bits >> 30) ^ (bits >> 31)) & 1),
    )
}

/// Two independent standard normals, in single precision, from the two
/// halves of one generator output: radius `sqrt(-2 ln u)` with
/// `u = (k + 1/2) / 2^31` for the top 31 bits `k` of `radius_bits` (so
/// `u` is in (0, 1] and no normal exceeds 6.7 in absolute value),
/// direction from `angle_bits` ([`unit_circle`]).
#[inline(always)]
pub(crate) fn normal_pair(radius_bits: u32, angle_bits: u32) -> (f32, f32) {
    // 31 bits convert as a signed integer, which every vector unit can do.
    let k = (radius_bits >> 1) as i32;
    let u = (k as f32 + 0.5) * (1.0 / 2_147_483_648.0);
    let radius = (-2.0 * ln_positive_single(u)).sqrt();
    let (cos, sin) = unit_circle(angle_bits);
    (radius * cos, radius * sin)
}

/// The halves of a generator output that [`normal_pair`] takes: the low
/// word for the radius, the high word for the angle.
#[inline(always)]
fn halves(bits: u64) -> (u32, u32) {
    (bits as u32, (bits >> 32) as u32)
}

/// Fills `out` with standard normals, pair by pair in order; an odd last
/// element takes the first of a pair and the second is not used.
pub(crate) fn normal_block<R: RngCore>(rng: &mut R, out: &mut [f64]) {
    for pair in out.chunks_mut(2) {
        let (radius_bits, angle_bits) = halves(rng.next_u64());
        let (x, y) = normal_pair(radius_bits, angle_bits);
        pair[0] = f64::from(x);
        if let Some(second) = pair.get_mut(1) {
            *second = f64::from(y);
        }
    }
}

/// [`normal_block`] for every lane at once: lane `l` of `out` holds
/// exactly the block its run would draw alone.
#[inline(always)]
pub(crate) fn normal_block_lanes(rng: &mut LaneRng, out: &mut [Lane]) {
    for pair in out.chunks_mut(2) {
        let bits = rng.next_u64s();
        // The halves are split off first, so that the single-precision
        // loop below works on 32-bit lanes only and fills whole vectors.
        let radius_bits: [u32; LANES] = std::array::from_fn(|l| halves(bits[l]).0);
        let angle_bits: [u32; LANES] = std::array::from_fn(|l| halves(bits[l]).1);
        let mut first = [0.0f32; LANES];
        let mut second = [0.0f32; LANES];
        for l in 0..LANES {
            (first[l], second[l]) = normal_pair(radius_bits[l], angle_bits[l]);
        }
        pair[0] = first.map(f64::from);
        if let Some(lane) = pair.get_mut(1) {
            *lane = second.map(f64::from);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RunRng;

    /// The polynomials against libm (in double precision) at every 64th
    /// offset, and the four quarter turns of each offset.
    #[test]
    fn unit_circle_matches_libm_in_every_quarter() {
        let mut worst = 0.0f64;
        for k in (0..1u32 << 23).step_by(64).chain([(1 << 23) - 1]) {
            let offset = k << 7;
            let (c, s) = unit_circle(offset);
            let r = f64::from(f32::from_bits(0x3F80_0000 | k) - 1.5) * std::f64::consts::FRAC_PI_2;
            worst = worst
                .max((f64::from(c) - r.cos()).abs())
                .max((f64::from(s) - r.sin()).abs());
            let turns = [0b01u32, 0b10, 0b11].map(|q| unit_circle(offset | q << 30));
            assert_eq!(turns[0], (s, -c), "bit 30");
            assert_eq!(turns[1], (-c, -s), "bit 31");
            assert_eq!(turns[2], (-s, c), "both");
        }
        assert!(
            worst <= 1.5 * f64::from(f32::EPSILON),
            "worst error {worst}"
        );
    }

    /// The radius of the pair from the smallest and the largest words, at
    /// angle 0 (offset bits 1000...0).
    #[test]
    fn radius_stays_finite_and_bounded() {
        let angle_zero = 1 << 29;
        let (x, y) = normal_pair(0, angle_zero);
        let largest = (-2.0 * (0.5f64 / 2_147_483_648.0).ln()).sqrt();
        assert!(
            (f64::from(x) - largest).abs() < 1e-5,
            "{x} against {largest}"
        );
        assert_eq!(y, 0.0);
        assert_eq!(normal_pair(u32::MAX, angle_zero), (0.0, 0.0));
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
        assert_eq!(uniform_pair_from(0), [0.0, 0.0]);
        let top = 1.0 - 2f64.powi(-32);
        assert_eq!(uniform_pair_from(u64::MAX), [top, top]);
        assert_eq!(
            uniform_pair_from(1 << 32 | 3),
            [3.0 / 2f64.powi(32), 1.0 / 2f64.powi(32)]
        );
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
