//! The random numbers of the kernel, made from 64-bit generator outputs:
//! uniforms on [0, 1) and standard normals by the ziggurat method of
//! Marsaglia and Tsang (2000, J. Stat. Softw. 5(8)), 256 layers.
//!
//! Each draw is split into a fast path, a pure function of one generator
//! output that decides about 99% of draws, and a slow path that may read
//! more outputs from the same generator. The lockstep kernel evaluates the
//! fast path of all its runs with vector instructions and takes the slow
//! path run by run, so every run sees exactly the numbers the one-run
//! kernel would draw.

use std::sync::LazyLock;

use rand::RngCore;

use super::math::{exp, ln};

use super::{LANES, Lane};
use crate::rng::LaneRng;

/// Number of layers.
const LAYERS: usize = 256;
/// Where the tail begins, and the area of each layer, for the density
/// `exp(-x^2 / 2)` with 256 layers (Marsaglia and Tsang 2000, section 2).
const TAIL_START: f64 = 3.654_152_885_361_009;
const LAYER_AREA: f64 = 4.928_673_233_99e-3;

/// Layer edges and the heights of the density at them.
pub(crate) struct Ziggurat {
    /// Right edge of layer `i`, decreasing; `x[0]` is the width of a
    /// rectangle of the base layer's area, `x[1]` the tail start, `x[256]` 0.
    x: [f64; LAYERS + 1],
    /// `x[i + 1] / x[i]`: a candidate `u x[i]` with `|u|` below this lies
    /// under the density whatever its height.
    inner: [f64; LAYERS],
    /// `exp(-x[i]^2 / 2)`.
    height: [f64; LAYERS + 1],
}

static ZIGGURAT: LazyLock<Ziggurat> = LazyLock::new(|| {
    let density = |x: f64| exp(-0.5 * x * x);
    let mut x = [0.0; LAYERS + 1];
    x[0] = LAYER_AREA / density(TAIL_START);
    x[1] = TAIL_START;
    for i in 1..LAYERS - 1 {
        x[i + 1] = (-2.0 * ln(LAYER_AREA / x[i] + density(x[i])))
            .max(0.0)
            .sqrt();
    }
    x[LAYERS] = 0.0;
    Ziggurat {
        x,
        inner: std::array::from_fn(|i| x[i + 1] / x[i]),
        height: x.map(density),
    }
});

/// The tables, built on first use.
#[inline]
pub(crate) fn ziggurat() -> &'static Ziggurat {
    &ZIGGURAT
}

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

/// The fast path of a normal draw from generator output `bits`: the
/// candidate and whether it is accepted. Bits 0-7 choose the layer, bits
/// 12-63 a uniform `u` on [-1, 1); the candidate is `u x[layer]`.
#[inline(always)]
pub(crate) fn normal_candidate(z: &Ziggurat, bits: u64) -> (f64, bool) {
    let layer = (bits & 0xFF) as usize;
    let u = f64::from_bits(0x4000_0000_0000_0000 | (bits >> 12)) - 3.0;
    (u * z.x[layer], u.abs() < z.inner[layer])
}

/// A standard normal draw.
#[inline]
pub(crate) fn normal<R: RngCore>(rng: &mut R) -> f64 {
    let z = ziggurat();
    let bits = rng.next_u64();
    match normal_candidate(z, bits) {
        (x, true) => x,
        (_, false) => normal_slow(z, bits, rng),
    }
}

/// A uniform for every lane.
#[inline(always)]
pub(crate) fn uniforms(rng: &mut LaneRng) -> Lane {
    rng.next_u64s().map(uniform_from)
}

/// A standard normal for every lane: the fast path for all lanes at once,
/// then the slow path for the lanes it did not decide.
#[inline(always)]
pub(crate) fn normals(z: &Ziggurat, rng: &mut LaneRng) -> Lane {
    let bits = rng.next_u64s();
    let mut values = [0.0; LANES];
    let mut accepted = [false; LANES];
    for l in 0..LANES {
        (values[l], accepted[l]) = normal_candidate(z, bits[l]);
    }
    if !accepted.iter().all(|&a| a) {
        for l in 0..LANES {
            if !accepted[l] {
                values[l] = normal_slow(z, bits[l], &mut rng.lane(l));
            }
        }
    }
    values
}

/// The rest of a normal draw whose first candidate, from `bits`, was not
/// accepted by the fast path: the tail of the base layer, or the wedge of
/// another layer tested against the density, then new candidates until one
/// is accepted.
#[cold]
pub(crate) fn normal_slow<R: RngCore>(z: &Ziggurat, mut bits: u64, rng: &mut R) -> f64 {
    loop {
        let (x, accepted) = normal_candidate(z, bits);
        if accepted {
            return x;
        }
        let layer = (bits & 0xFF) as usize;
        if layer == 0 {
            // Marsaglia (1964): beyond r, x = r + e1 / r with e2 exponential,
            // accepted when 2 e2 > (e1 / r)^2.
            loop {
                let over = -ln(1.0 - uniform(rng)) / TAIL_START;
                let e = -ln(1.0 - uniform(rng));
                if 2.0 * e > over * over {
                    return (TAIL_START + over).copysign(x);
                }
            }
        }
        let (low, high) = (z.height[layer], z.height[layer + 1]);
        if low + uniform(rng) * (high - low) < exp(-0.5 * x * x) {
            return x;
        }
        bits = rng.next_u64();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::RunRng;

    #[test]
    fn layers_tile_the_density() {
        let z = ziggurat();
        for i in 1..LAYERS {
            assert!(z.x[i + 1] < z.x[i], "edges decrease at {i}");
            // Every layer has the same area.
            let area = z.x[i] * (z.height[i + 1] - z.height[i]);
            assert!((area / LAYER_AREA - 1.0).abs() < 1e-9, "layer {i}: {area}");
        }
        // The top layer ends at the mode, where the density is 1.
        assert!((z.height[LAYERS - 1] + LAYER_AREA / z.x[LAYERS - 1] - 1.0).abs() < 1e-9);
    }

    #[test]
    fn uniforms_stay_in_the_unit_interval() {
        assert_eq!(uniform_from(0), 0.0);
        assert!(uniform_from(u64::MAX) < 1.0);
    }

    /// Moments and tail frequencies of 2 million draws. The standard error
    /// of the mean is 1 / sqrt(2e6) = 7.1e-4 and that of the variance about
    /// 1.0e-3; tolerances are five of them. The tail counts are compared to
    /// the normal's within five binomial standard errors.
    #[test]
    fn normals_have_the_moments_and_tails_of_the_standard_normal() {
        let mut rng = RunRng::new(99, 0, 0);
        let n = 2_000_000;
        let (mut sum, mut sum2, mut sum4) = (0.0, 0.0, 0.0);
        let thresholds = [1.0, 2.0, 3.0, TAIL_START, 4.5];
        // P(|X| > t) for the thresholds above.
        let expected = [
            0.317_310_5,
            0.045_500_26,
            0.002_699_8,
            2.580_7e-4,
            6.795_7e-6,
        ];
        let mut beyond = [0u64; 5];
        for _ in 0..n {
            let x = normal(&mut rng);
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
