//! The generators of runs: xoshiro256++ (Blackman and Vigna), seeded from
//! (master seed, sweep point, run index) through the SplitMix64 finaliser.
//! [`RunRng`] is the generator of one run; [`LaneRng`] holds the generators
//! of the runs of a lockstep group side by side, so that all of them can
//! advance in one vector operation, and each still gives exactly the
//! numbers of its own [`RunRng`].
//!
//! Each of the three inputs fills its own word of the 256-bit state through a
//! bijective mixer, and the fourth word mixes all three, so distinct
//! (seed, point, run) triples always start from distinct states. The first
//! outputs are discarded so that states differing in one input word are
//! decorrelated before any draw is used. The generator needs two shifts, two
//! rotations and a few xors per 64-bit output, against a ChaCha block refill
//! every 32 outputs for the generator it replaces.

use rand::RngCore;
use rand::rand_core::impls;

use super::LANES;

/// Outputs dropped after seeding.
const WARM_UP: usize = 8;

/// SplitMix64's output function, a bijection of u64 with good avalanche.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256++ with the state of one run.
#[derive(Debug, Clone)]
pub struct RunRng {
    s: [u64; 4],
}

impl RunRng {
    /// The generator of run `run` of sweep point `point` under master seed
    /// `seed`.
    pub fn new(seed: u64, point: u64, run: u64) -> RunRng {
        const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
        let a = mix(seed.wrapping_add(GOLDEN));
        let b = mix(point.wrapping_add(GOLDEN.wrapping_mul(2)));
        let c = mix(run.wrapping_add(GOLDEN.wrapping_mul(3)));
        let d = mix(a ^ b.rotate_left(21) ^ c.rotate_left(42) ^ GOLDEN.wrapping_mul(4));
        let mut rng = RunRng { s: [a, b, c, d] };
        for _ in 0..WARM_UP {
            rng.next_u64();
        }
        rng
    }
}

/// One xoshiro256++ step on the state words `s0..s3`: returns the output
/// and advances the state. Written on values so that the same code serves a
/// single generator and each lane of [`LaneRng`].
#[inline(always)]
fn advance(s0: &mut u64, s1: &mut u64, s2: &mut u64, s3: &mut u64) -> u64 {
    let result = s0.wrapping_add(*s3).rotate_left(23).wrapping_add(*s0);
    let t = *s1 << 17;
    *s2 ^= *s0;
    *s3 ^= *s1;
    *s1 ^= *s2;
    *s0 ^= *s3;
    *s2 ^= t;
    *s3 = s3.rotate_left(45);
    result
}

impl RngCore for RunRng {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = &mut self.s;
        advance(s0, s1, s2, s3)
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        impls::fill_bytes_via_next(self, dst)
    }
}

/// The generators of [`LANES`] runs, stored word by word (`s[word][lane]`)
/// so that [`LaneRng::next_u64s`] advances all of them with vector
/// instructions. Lane `l` gives the numbers of its own [`RunRng`] in order.
/// A kernel step draws as many numbers in every run, whatever the run's
/// history, so the lanes never need to draw alone.
#[derive(Debug, Clone)]
pub struct LaneRng {
    s: [[u64; LANES]; 4],
}

impl LaneRng {
    /// The generators of runs `first..first + LANES` of `point` under `seed`.
    pub fn new(seed: u64, point: u64, first: u64) -> LaneRng {
        let mut s = [[0; LANES]; 4];
        for l in 0..LANES {
            let one = RunRng::new(seed, point, first + l as u64);
            for (word, value) in s.iter_mut().zip(one.s) {
                word[l] = value;
            }
        }
        LaneRng { s }
    }

    /// The next number of every lane.
    #[inline(always)]
    pub fn next_u64s(&mut self) -> [u64; LANES] {
        let [s0, s1, s2, s3] = &mut self.s;
        let mut out = [0; LANES];
        for l in 0..LANES {
            out[l] = advance(&mut s0[l], &mut s1[l], &mut s2[l], &mut s3[l]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_xoshiro256plusplus() {
        // Reference: xoshiro256plusplus.c with s = {1, 2, 3, 4}.
        let mut rng = RunRng { s: [1, 2, 3, 4] };
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(first, [41943041, 58720359, 3588806011781223]);
    }

    #[test]
    fn neighbouring_runs_draw_different_numbers() {
        let mut a = RunRng::new(1, 0, 0);
        let mut b = RunRng::new(1, 0, 1);
        let mut c = RunRng::new(1, 1, 0);
        let (x, y, z) = (a.next_u64(), b.next_u64(), c.next_u64());
        assert!(x != y && y != z && x != z);
    }

    #[test]
    fn each_lane_gives_its_runs_numbers() {
        let mut lanes = LaneRng::new(5, 2, 40);
        let mut alone: Vec<RunRng> = (0..LANES as u64)
            .map(|l| RunRng::new(5, 2, 40 + l))
            .collect();
        for round in 0..50 {
            let together = lanes.next_u64s();
            for (l, one) in alone.iter_mut().enumerate() {
                assert_eq!(together[l], one.next_u64(), "lane {l}, round {round}");
            }
        }
    }
}
