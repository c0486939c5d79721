//! Exponentials and logarithms without libm calls, so that loops over many
//! arguments inline them and the compiler vectorises them (SSE2 on any
//! x86-64, AVX2 or AVX-512 where the lockstep kernel is compiled for
//! them). All use only additions, multiplications, at most one division
//! and bit operations, which give the same bits in scalar and vector code.
//!
//! The exponential comes in double precision ([`exp`]: shock and
//! dissolution probabilities, and the reference `choice_probabilities`)
//! and in single precision ([`exp_single`]); the logarithm in single
//! precision only ([`ln_positive_single`]). The kernel uses single
//! precision wherever the error cannot matter (docs/model.md section 10),
//! since a vector holds twice as many numbers and the polynomials are half
//! as long.
//!
//! Accuracy of `exp`: at most 1.5 machine epsilons relative error against
//! libm wherever the result is at least exp(-708) ~ 3.3e-308; smaller
//! results are flushed to zero, which no use in the kernel can tell apart
//! from the denormal libm returns. Overflow gives infinity, NaN gives NaN.

use super::{LANES, Lane};

/// exp(x): Cody-Waite reduction x = k ln 2 + r with |r| <= ln 2 / 2, the
/// Taylor polynomial of degree 12 in r (truncation error below 2e-16 of the
/// result) evaluated by Estrin's scheme, then scaling by 2^k.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    const LN2_HI: f64 = 6.931_471_803_691_238_e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // 1.5 * 2^52: adding it rounds to an integer, left in the low mantissa bits.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    const LOWEST: f64 = -708.0;
    // 1 / (i + 2)!, the coefficients after 1 + r.
    const C: [f64; 11] = [
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
    ];
    // max and min (rather than clamp) compile to maxpd and minpd; a NaN
    // becomes finite here and is restored by the final select.
    #[allow(clippy::manual_clamp)]
    let clamped = x.max(LOWEST).min(709.9);
    let t = clamped * std::f64::consts::LOG2_E + ROUND;
    let k = t - ROUND;
    let r = (clamped - k * LN2_HI) - k * LN2_LO;
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let low = (C[0] + C[1] * r) + (C[2] + C[3] * r) * r2;
    let mid = (C[4] + C[5] * r) + (C[6] + C[7] * r) * r2;
    let high = (C[8] + C[9] * r) + C[10] * r2;
    let p = 1.0 + (r + r2 * (low + mid * r4 + high * r8));
    // 2^(k - 1) from the integer in the low bits of t; k - 1 + 1023 is in
    // [1, 2046] for the clamped range, and the factor 2 restores 2^k.
    let scale = f64::from_bits(t.to_bits().wrapping_sub(ROUND.to_bits()).wrapping_add(1022) << 52);
    let y = p * scale * 2.0;
    if x < LOWEST {
        0.0
    } else if x.is_nan() {
        x
    } else {
        y
    }
}

/// exp(x) in single precision, as [`exp`]: Cody-Waite reduction
/// x = k ln 2 + r with |r| <= ln 2 / 2, the Taylor polynomial of degree 7
/// in r (truncation error below 5.2e-9 of the result, a twentieth of a
/// single-precision epsilon) by Horner's scheme, then scaling by 2^k.
/// Results below exp(-86) ~ 4.5e-38 are flushed to zero; overflow gives
/// infinity, NaN gives NaN.
#[inline(always)]
pub fn exp_single(x: f32) -> f32 {
    // LN2_HI has 15 significant bits, so k LN2_HI is exact for |k| < 2^9.
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // 1.5 * 2^23: adding it rounds to an integer, left in the low mantissa bits.
    const ROUND: f32 = 12_582_912.0;
    const LOWEST: f32 = -86.0;
    // 1 / (i + 2)!, the coefficients after 1 + r.
    const C: [f32; 6] = [
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
    ];
    #[allow(clippy::manual_clamp)]
    let clamped = x.max(LOWEST).min(88.8);
    let t = clamped * std::f32::consts::LOG2_E + ROUND;
    let k = t - ROUND;
    let r = (clamped - k * LN2_HI) - k * LN2_LO;
    let p = 1.0 + (r + r * r * horner_single(&C, r));
    // 2^(k - 1) from the integer in the low bits of t; k - 1 + 127 is in
    // [2, 254] for the clamped range, and the factor 2 restores 2^k.
    let scale = f32::from_bits(t.to_bits().wrapping_sub(ROUND.to_bits()).wrapping_add(126) << 23);
    let y = p * scale * 2.0;
    if x < LOWEST {
        0.0
    } else if x.is_nan() {
        x
    } else {
        y
    }
}

/// exp(x) computed in single precision ([`exp_single`]) and widened: for
/// the kernel's logit weights and growth factors, whose relative error of
/// about 1e-7 lies far below the Monte Carlo error of any estimate.
#[inline(always)]
pub fn exp_via_single(x: f64) -> f64 {
    f64::from(exp_single(x as f32))
}

/// `f` applied in single precision to one value per lane: all are
/// narrowed first and widened last, so that the loop over `f` works on
/// 32-bit numbers only and fills whole vectors of them (sixteen lanes are
/// one 512-bit register).
#[inline(always)]
pub fn map_single(values: Lane, f: impl Fn(f32) -> f32) -> Lane {
    let mut narrow: [f32; LANES] = values.map(|v| v as f32);
    for v in &mut narrow {
        *v = f(*v);
    }
    narrow.map(f64::from)
}

/// Replaces every element by [`exp_via_single`] of it, [`LANES`] at a
/// time through [`map_single`].
#[inline(always)]
pub fn exp_via_single_in_place(values: &mut [f64]) {
    let (chunks, rest) = values.as_chunks_mut::<LANES>();
    for chunk in chunks {
        *chunk = map_single(*chunk, exp_single);
    }
    for v in rest {
        *v = exp_via_single(*v);
    }
}

/// ln(x) computed in single precision ([`ln_positive_single`]) and widened,
/// for x >= 1: the dependence term of the kernel. Beyond the largest
/// single-precision number (3.4e38) it stays at 128 ln 2 ~ 88.7.
#[inline(always)]
pub fn ln_via_single(x: f64) -> f64 {
    f64::from(ln_positive_single(x as f32))
}

/// ln(x) in single precision for positive, normal x (+infinity gives
/// 128 ln 2): x = 2^k m with m in [sqrt(1/2), sqrt(2)), and
/// ln m = 2 atanh(f) with f = (m - 1) / (m + 1), summed as
/// 2 f (1 + f^2/3 + f^4/5 + f^6/7 + f^8/9) by Horner's scheme; the first
/// term left out, f^10/11 < 2.1e-9, is a thirtieth of a single-precision
/// epsilon.
#[inline(always)]
pub fn ln_positive_single(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    const SQRT_HALF_BITS: u32 = 0x3F35_04F3;
    const MANTISSA: u32 = 0x007F_FFFF;
    // 1 / (2 i + 1), the coefficients after 1.
    const C: [f32; 4] = [1.0 / 3.0, 1.0 / 5.0, 1.0 / 7.0, 1.0 / 9.0];
    let shifted = x.to_bits().wrapping_add(0x3F80_0000 - SQRT_HALF_BITS);
    // 32-bit integers convert directly, on every vector unit.
    let k = ((shifted >> 23) as i32 - 127) as f32;
    let m = f32::from_bits((shifted & MANTISSA) + SQRT_HALF_BITS);
    let f = (m - 1.0) / (m + 1.0);
    let f2 = f * f;
    let series = f2 * horner_single(&C, f2);
    k * LN2_HI + (2.0 * f + (2.0 * f * series + k * LN2_LO))
}

/// The polynomial `c[0] + c[1] x + c[2] x^2 + ...` by Horner's scheme,
/// in single precision.
#[inline(always)]
pub fn horner_single(c: &[f32], x: f32) -> f32 {
    match c.split_last() {
        Some((&last, rest)) => rest.iter().rev().fold(last, |sum, &c| sum * x + c),
        None => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_libm_to_two_epsilons() {
        let mut worst = 0.0f64;
        for (lo, hi) in [(-1.0, 1.0), (-40.0, 0.0), (-707.9, 709.7), (-1e-3, 1e-3)] {
            for step in 0..=100_000 {
                let x = lo + (hi - lo) * f64::from(step) / 100_000.0;
                let (a, b) = (exp(x), x.exp());
                worst = worst.max(((a - b) / b).abs() / f64::EPSILON);
            }
        }
        assert!(worst <= 2.0, "worst relative error {worst} epsilons");
    }

    /// Within 2 single-precision epsilons (relative) away from 1, and 1.8e-9
    /// (absolute) near 1, against libm in double precision, for every 97th
    /// single-precision number from 2^-33 up to the largest (the normals use
    /// [2^-33, 1], the dependence term [1, 3.4e38]).
    #[test]
    fn single_precision_ln_agrees_with_libm() {
        let (lowest, highest) = (2f32.powi(-33).to_bits(), f32::MAX.to_bits());
        let mut worst = 0.0f64;
        let mut worst_near_one = 0.0f64;
        for bits in (lowest..=highest).step_by(97).chain([highest]) {
            let x = f32::from_bits(bits);
            let (a, b) = (f64::from(ln_positive_single(x)), f64::from(x).ln());
            if (x - 1.0).abs() < 0.01 {
                worst_near_one = worst_near_one.max((a - b).abs());
            } else {
                worst = worst.max(((a - b) / b).abs() / f64::from(f32::EPSILON));
            }
        }
        assert!(worst <= 2.0, "worst relative error {worst} epsilons");
        assert!(
            worst_near_one <= 1.5 * f64::from(f32::EPSILON) * 0.01,
            "worst absolute error near 1: {worst_near_one}"
        );
        assert_eq!(ln_positive_single(1.0), 0.0);
        // Past the largest single, the dependence term stays at 128 ln 2.
        let top = f64::from(ln_positive_single(f32::MAX));
        assert!((top - 128.0 * std::f64::consts::LN_2).abs() < 1e-5, "{top}");
        assert_eq!(
            ln_via_single(1e300),
            f64::from(ln_positive_single(f32::INFINITY))
        );
        assert!((ln_via_single(1e300) - top).abs() < 1e-5);
    }

    /// Every 101st single-precision number in [-86, 88.7] against libm in
    /// double precision, the edges, and exp(0) = 1 exactly (the largest
    /// logit weight relies on it).
    #[test]
    fn single_precision_exp_agrees_with_libm() {
        let mut worst = 0.0f64;
        let grid = |from: f32, to: f32| (from.to_bits()..=to.to_bits()).step_by(101);
        let negatives = grid(-0.0, -86.0).map(f32::from_bits);
        let positives = grid(0.0, 88.7).map(f32::from_bits);
        for x in negatives.chain(positives) {
            let (a, b) = (f64::from(exp_single(x)), f64::from(x).exp());
            worst = worst.max(((a - b) / b).abs() / f64::from(f32::EPSILON));
        }
        assert!(worst <= 2.0, "worst relative error {worst} epsilons");
        assert_eq!(exp_single(0.0), 1.0);
        assert_eq!(exp_single(-0.0), 1.0);
        assert_eq!(exp_single(-87.0), 0.0);
        assert_eq!(exp_single(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_single(89.0), f32::INFINITY);
        assert!(exp_single(f32::NAN).is_nan());
        let mut values: Vec<f64> = (0..37).map(|k| f64::from(k) * 0.37 - 9.0).collect();
        let expected: Vec<f64> = values.iter().map(|&v| exp_via_single(v)).collect();
        exp_via_single_in_place(&mut values);
        assert_eq!(values, expected, "the vector pass and one at a time");
    }

    #[test]
    fn edges() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert_eq!(exp(-1e6), 0.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
        assert!((exp(709.7) / 709.7f64.exp() - 1.0).abs() < 4.0 * f64::EPSILON);
    }
}
