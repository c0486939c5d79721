//! Experimental designs for parameter sweeps.
//!
//! Every design here produces points in the unit hypercube `[0, 1]^k`; the
//! sweep maps each coordinate onto the range of its parameter. Every random
//! choice is drawn from one `ChaCha8Rng` seeded with `seed_from_u64(seed)`, in
//! a fixed order, and turned into numbers by the small helpers at the end of
//! this file (which only read raw 64-bit words from the generator), so a design
//! is a pure function of its arguments: the same bytes on every run, platform
//! and thread count.
//!
//! Designs:
//!
//! - [`grid_values`] and [`cartesian`]: full factorial grids.
//! - [`latin_hypercube`]: Latin hypercube sampling (McKay et al. 1979).
//! - [`sobol_sequence`] and [`sobol_scrambled`]: the Sobol' low-discrepancy
//!   sequence in base 2 with the direction numbers of Joe and Kuo (2008),
//!   optionally randomised by a digital shift (XOR with a random word per
//!   dimension).
//! - [`saltelli`]: the `A`, `B`, `A_B^(i)` sample of Saltelli et al. (2010)
//!   for first-order and total Sobol' indices, analysed by
//!   [`crate::sweep::sensitivity::sobol_indices`].
//! - [`morris`]: one-at-a-time trajectories of Morris (1991), analysed by
//!   [`crate::sweep::sensitivity::morris_effects`] (mu* of Campolongo et al.
//!   2007).
//!
//! References:
//!
//! - M. D. McKay, R. J. Beckman, W. J. Conover (1979). A comparison of three
//!   methods for selecting values of input variables in the analysis of output
//!   from a computer code. Technometrics 21(2), 239-245.
//! - I. M. Sobol' (1967). On the distribution of points in a cube and the
//!   approximate evaluation of integrals. USSR Comput. Math. Math. Phys. 7(4).
//! - S. Joe, F. Y. Kuo (2008). Constructing Sobol sequences with better
//!   two-dimensional projections. SIAM J. Sci. Comput. 30(5), 2635-2654.
//!   Direction numbers: file `new-joe-kuo-6.21201`, dimensions 2 to 64.
//! - A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola
//!   (2010). Variance based sensitivity analysis of model output. Design and
//!   estimator for the total sensitivity index. Comput. Phys. Commun. 181,
//!   259-270.
//! - M. D. Morris (1991). Factorial sampling plans for preliminary
//!   computational experiments. Technometrics 33(2), 161-174.
//! - F. Campolongo, J. Cariboni, A. Saltelli (2007). An effective screening
//!   design for sensitivity analysis of large models. Environ. Model. Softw.
//!   22, 1509-1518.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `steps` evenly spaced values from `from` to `to`, both ends included.
///
/// `steps == 1` gives `[from]` and `steps == 0` gives an empty vector. The
/// first and last values are exactly `from` and `to`.
pub fn grid_values(from: f64, to: f64, steps: usize) -> Vec<f64> {
    match steps {
        0 => Vec::new(),
        1 => vec![from],
        _ => {
            let last = (steps - 1) as f64;
            (0..steps)
                .map(|i| {
                    if i == steps - 1 {
                        to
                    } else {
                        let t = i as f64 / last;
                        from * (1.0 - t) + to * t
                    }
                })
                .collect()
        }
    }
}

/// The Cartesian product of `axes`: one point per combination of values,
/// with the first axis varying slowest and the last fastest.
///
/// The product of no axes is one empty point; any empty axis gives no points.
pub fn cartesian(axes: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let total: usize = axes.iter().map(Vec::len).product();
    let mut points = Vec::with_capacity(total);
    for index in 0..total {
        let mut point = vec![0.0; axes.len()];
        let mut rest = index;
        for (slot, axis) in point.iter_mut().zip(axes).rev() {
            *slot = axis[rest % axis.len()];
            rest /= axis.len();
        }
        points.push(point);
    }
    points
}

/// A Latin hypercube sample of `n` points in `[0, 1)^k` (McKay et al. 1979).
///
/// Each dimension is cut into `n` equal strata; every stratum of every
/// dimension holds exactly one point, at a uniformly random position inside
/// it, and the strata are paired across dimensions by independent random
/// permutations.
pub fn latin_hypercube(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut points = vec![vec![0.0; k]; n];
    let width = 1.0 / n as f64;
    for dim in 0..k {
        let mut strata: Vec<usize> = (0..n).collect();
        shuffle(&mut rng, &mut strata);
        for (point, &stratum) in points.iter_mut().zip(&strata) {
            let u = unit_f64(&mut rng);
            // Clamp guards against the sum rounding up onto the next stratum.
            let x = (stratum as f64 + u) * width;
            let upper = (stratum + 1) as f64 * width;
            point[dim] = if x < upper { x } else { prev_f64(upper) };
        }
    }
    points
}

/// Largest dimension of the Sobol' sequence (1 plus the 63 rows of direction
/// numbers carried below). A Saltelli design needs `2k` dimensions, so it
/// supports at most `SOBOL_MAX_DIM / 2` factors.
pub const SOBOL_MAX_DIM: usize = 64;

/// Largest number of points of the Sobol' sequence (32-bit direction numbers).
pub const SOBOL_MAX_POINTS: u64 = 1 << 32;

/// Joe and Kuo (2008), `new-joe-kuo-6.21201`, dimensions 2 to 64: the degree
/// `s` of the primitive polynomial, its inner coefficients `a` as a binary
/// number, and the initial direction numbers `m_1 .. m_s`.
const JOE_KUO: [(u32, u32, &[u32]); SOBOL_MAX_DIM - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),
    (7, 50, &[1, 3, 1, 3, 5, 53, 69]),
    (7, 55, &[1, 1, 5, 5, 23, 33, 13]),
    (7, 56, &[1, 1, 7, 7, 1, 61, 123]),
    (7, 59, &[1, 1, 7, 9, 13, 61, 49]),
    (7, 62, &[1, 3, 3, 5, 3, 55, 33]),
    (8, 14, &[1, 3, 1, 15, 31, 13, 49, 245]),
    (8, 21, &[1, 3, 5, 15, 31, 59, 63, 97]),
    (8, 22, &[1, 3, 1, 11, 11, 11, 77, 249]),
    (8, 38, &[1, 3, 1, 11, 27, 43, 71, 9]),
    (8, 47, &[1, 1, 7, 15, 21, 11, 81, 45]),
    (8, 49, &[1, 3, 7, 3, 25, 31, 65, 79]),
    (8, 50, &[1, 3, 1, 1, 19, 11, 3, 205]),
    (8, 52, &[1, 1, 5, 9, 19, 21, 29, 157]),
    (8, 56, &[1, 3, 7, 11, 1, 33, 89, 185]),
    (8, 67, &[1, 3, 3, 3, 15, 9, 79, 71]),
    (8, 70, &[1, 3, 7, 11, 15, 39, 119, 27]),
    (8, 84, &[1, 1, 3, 1, 11, 31, 97, 225]),
    (8, 97, &[1, 1, 1, 3, 23, 43, 57, 177]),
    (8, 103, &[1, 3, 7, 7, 17, 17, 37, 71]),
    (8, 115, &[1, 3, 1, 5, 27, 63, 123, 213]),
    (8, 122, &[1, 1, 3, 5, 11, 43, 53, 133]),
    (9, 8, &[1, 3, 5, 5, 29, 17, 47, 173, 479]),
    (9, 13, &[1, 3, 3, 11, 3, 1, 109, 9, 69]),
    (9, 16, &[1, 1, 1, 5, 17, 39, 23, 5, 343]),
    (9, 22, &[1, 3, 1, 5, 25, 15, 31, 103, 499]),
    (9, 25, &[1, 1, 1, 11, 11, 17, 63, 105, 183]),
    (9, 44, &[1, 1, 5, 11, 9, 29, 97, 231, 363]),
    (9, 47, &[1, 1, 5, 15, 19, 45, 41, 7, 383]),
    (9, 52, &[1, 3, 7, 7, 31, 19, 83, 137, 221]),
    (9, 55, &[1, 1, 1, 3, 23, 15, 111, 223, 83]),
    (9, 59, &[1, 1, 5, 13, 31, 15, 55, 25, 161]),
    (9, 62, &[1, 1, 3, 13, 25, 47, 39, 87, 257]),
];

/// The 32 direction numbers `v_1 .. v_32` of dimension `dim` (0-based), each
/// left-aligned in a 32-bit word.
fn direction_numbers(dim: usize) -> [u32; 32] {
    let mut v = [0u32; 32];
    if dim == 0 {
        // The first coordinate is van der Corput's sequence: every m_j = 1.
        for (j, slot) in v.iter_mut().enumerate() {
            *slot = 1u32 << (31 - j);
        }
        return v;
    }
    let (s, a, m) = JOE_KUO[dim - 1];
    let s = s as usize;
    for j in 0..32 {
        v[j] = if j < s {
            m[j] << (31 - j)
        } else {
            // Bratley and Fox's recurrence for the polynomial
            // x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1, with a_q the bit
            // (s-1-q) of `a`.
            let mut x = v[j - s] ^ (v[j - s] >> s);
            for q in 1..s {
                if (a >> (s - 1 - q)) & 1 == 1 {
                    x ^= v[j - q];
                }
            }
            x
        };
    }
    v
}

/// The first `n` points of the `k`-dimensional Sobol' sequence as 32-bit
/// integers (coordinate times 2^32), in Gray-code order starting at the
/// origin.
fn sobol_words(n: usize, k: usize) -> Vec<Vec<u32>> {
    assert!(
        k <= SOBOL_MAX_DIM,
        "the Sobol' sequence has {SOBOL_MAX_DIM} dimensions, {k} were asked for"
    );
    assert!(
        n as u64 <= SOBOL_MAX_POINTS,
        "the Sobol' sequence has 2^32 points, {n} were asked for"
    );
    let directions: Vec<[u32; 32]> = (0..k).map(direction_numbers).collect();
    let mut points = Vec::with_capacity(n);
    let mut current = vec![0u32; k];
    for index in 0..n {
        if index > 0 {
            // Point i differs from point i-1 by the direction number at the
            // lowest set bit of i (Antonov and Saleev's Gray-code update).
            let bit = index.trailing_zeros() as usize;
            for (x, v) in current.iter_mut().zip(&directions) {
                *x ^= v[bit];
            }
        }
        points.push(current.clone());
    }
    points
}

/// The first `n` points of the unscrambled `k`-dimensional Sobol' sequence
/// (Joe and Kuo 2008 direction numbers), starting with the origin.
///
/// Dimension 1 reads 0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125, ...
///
/// # Panics
///
/// If `k > SOBOL_MAX_DIM` or `n > SOBOL_MAX_POINTS`.
pub fn sobol_sequence(n: usize, k: usize) -> Vec<Vec<f64>> {
    let scale = 1.0 / 4_294_967_296.0;
    sobol_words(n, k)
        .into_iter()
        .map(|p| p.into_iter().map(|x| f64::from(x) * scale).collect())
        .collect()
}

/// The first `n` points of the `k`-dimensional Sobol' sequence randomised by
/// a digital shift: every coordinate is XORed, bit by bit, with a random
/// 64-bit word drawn once per dimension from `seed`. The shifted sequence
/// keeps the net structure of the original (the first `2^m` points still put
/// one point in each of `2^m` dyadic intervals of every coordinate), each
/// point is uniform on `[0, 1)^k`, and all coordinates lie in `[0, 1)`.
///
/// # Panics
///
/// If `k > SOBOL_MAX_DIM` or `n > SOBOL_MAX_POINTS`.
pub fn sobol_scrambled(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let shifts: Vec<u64> = (0..k).map(|_| rng.next_u64()).collect();
    sobol_words(n, k)
        .into_iter()
        .map(|p| {
            p.into_iter()
                .zip(&shifts)
                .map(|(x, shift)| word_to_unit((u64::from(x) << 32) ^ shift))
                .collect()
        })
        .collect()
}

/// A Saltelli (2010) sample for first-order and total Sobol' indices.
///
/// `points` holds `base * (k + 2)` rows in blocks of `base` rows:
/// `A`, then `B`, then `A_B^(1)`, ..., `A_B^(k)`, where `A_B^(i)` is `A` with
/// its column `i` taken from `B`. [`SaltelliDesign::row_a`],
/// [`SaltelliDesign::row_b`] and [`SaltelliDesign::row_ab`] give the row of a
/// base sample in each block.
#[derive(Debug, Clone, PartialEq)]
pub struct SaltelliDesign {
    /// Number of base samples `N` (rows of `A` and of `B`).
    pub base: usize,
    /// Number of factors.
    pub k: usize,
    /// All points, `base * (k + 2)` of them, each of length `k`.
    pub points: Vec<Vec<f64>>,
}

impl SaltelliDesign {
    /// Number of points (model evaluations) of the design.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when the design has no point.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Row of base sample `j` in block `A`.
    pub fn row_a(&self, j: usize) -> usize {
        j
    }

    /// Row of base sample `j` in block `B`.
    pub fn row_b(&self, j: usize) -> usize {
        self.base + j
    }

    /// Row of base sample `j` in block `A_B^(i)` (factor `i`, 0-based).
    pub fn row_ab(&self, i: usize, j: usize) -> usize {
        (2 + i) * self.base + j
    }
}

/// Builds the Saltelli et al. (2010) sample with `base` base rows for `k`
/// factors.
///
/// `A` and `B` are the first and last `k` coordinates of the first `base`
/// points of a `2k`-dimensional Sobol' sequence randomised by a digital shift
/// drawn from `seed` (see [`sobol_scrambled`]). A power of two for `base`
/// keeps the balance properties of the sequence.
///
/// # Panics
///
/// If `2 * k > SOBOL_MAX_DIM` or `base > SOBOL_MAX_POINTS`.
pub fn saltelli(base: usize, k: usize, seed: u64) -> SaltelliDesign {
    assert!(
        2 * k <= SOBOL_MAX_DIM,
        "a Saltelli design supports at most {} factors, {k} were asked for",
        SOBOL_MAX_DIM / 2
    );
    let sequence = sobol_scrambled(base, 2 * k, seed);
    let mut points = Vec::with_capacity(base * (k + 2));
    points.extend(sequence.iter().map(|p| p[..k].to_vec()));
    points.extend(sequence.iter().map(|p| p[k..].to_vec()));
    for i in 0..k {
        points.extend(sequence.iter().map(|p| {
            let mut row = p[..k].to_vec();
            row[i] = p[k + i];
            row
        }));
    }
    SaltelliDesign { base, k, points }
}

/// A Morris (1991) screening design.
///
/// `points` holds `trajectories` blocks of `k + 1` points. Within a block each
/// point differs from the one before it in exactly one factor, by `+delta` or
/// `-delta`, and every factor moves exactly once. `steps` lists, for every
/// move, the row of the point after the move, the factor moved and the
/// signed change: the elementary effect is
/// `(y[row] - y[row - 1]) / change`.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisDesign {
    /// Number of factors.
    pub k: usize,
    /// Number of grid levels `p` per factor.
    pub levels: usize,
    /// Number of trajectories `r`.
    pub trajectories: usize,
    /// All points, `trajectories * (k + 1)` of them, each of length `k`, on
    /// the grid `{0, 1/(p-1), ..., 1}`.
    pub points: Vec<Vec<f64>>,
    /// `(row, factor, signed delta)` for each of the `trajectories * k` moves.
    pub steps: Vec<(usize, usize, f64)>,
}

impl MorrisDesign {
    /// Number of points (model evaluations) of the design.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when the design has no point.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The step size `delta = p / (2 (p - 1))`.
    pub fn delta(&self) -> f64 {
        morris_delta(self.levels)
    }
}

fn morris_delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// Builds `trajectories` random one-at-a-time trajectories of Morris (1991)
/// for `k` factors on a grid of `levels` levels per factor.
///
/// Each trajectory starts at a random grid point, then moves the factors one
/// by one in a random order, each by `delta = p / (2 (p - 1))` up or down
/// (direction drawn per factor and trajectory). This is the distribution of
/// Morris's `B* = (J x* + delta/2 ((2B - J) D* + J)) P*` with `x*` uniform on
/// the levels that leave room for a step up.
///
/// # Panics
///
/// If `levels` is odd or smaller than 2 (with an even `p` every step joins
/// two grid levels, as Morris recommends).
pub fn morris(trajectories: usize, k: usize, levels: usize, seed: u64) -> MorrisDesign {
    assert!(
        levels >= 2 && levels.is_multiple_of(2),
        "a Morris design needs an even number of levels (at least 2), got {levels}"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let half = levels / 2; // delta measured in grid steps
    let top = (levels - 1) as f64;
    let delta = morris_delta(levels);
    let mut points = Vec::with_capacity(trajectories * (k + 1));
    let mut steps = Vec::with_capacity(trajectories * k);
    for _ in 0..trajectories {
        // Start: level index per factor; a factor that will move down starts
        // `half` levels higher.
        let mut level = vec![0usize; k];
        let mut up = vec![true; k];
        for (l, u) in level.iter_mut().zip(up.iter_mut()) {
            let base = below(&mut rng, half as u64) as usize;
            *u = below(&mut rng, 2) == 0;
            *l = if *u { base } else { base + half };
        }
        let mut order: Vec<usize> = (0..k).collect();
        shuffle(&mut rng, &mut order);
        points.push(level.iter().map(|&l| l as f64 / top).collect());
        for &factor in &order {
            let signed = if up[factor] {
                level[factor] += half;
                delta
            } else {
                level[factor] -= half;
                -delta
            };
            steps.push((points.len(), factor, signed));
            points.push(level.iter().map(|&l| l as f64 / top).collect());
        }
    }
    MorrisDesign {
        k,
        levels,
        trajectories,
        points,
        steps,
    }
}

/// A uniform double in `[0, 1)` from the top 53 bits of a 64-bit word.
fn word_to_unit(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// A uniform double in `[0, 1)` (53 random bits).
pub(crate) fn unit_f64(rng: &mut ChaCha8Rng) -> f64 {
    word_to_unit(rng.next_u64())
}

/// A uniform integer in `[0, n)`, `n > 0`, by Lemire's multiply-and-reject
/// method (exact, no modulo bias).
pub(crate) fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    assert!(n > 0, "empty range");
    let threshold = n.wrapping_neg() % n;
    loop {
        let product = u128::from(rng.next_u64()) * u128::from(n);
        if (product as u64) >= threshold {
            return (product >> 64) as u64;
        }
    }
}

/// Fisher-Yates shuffle driven by [`below`].
pub(crate) fn shuffle<T>(rng: &mut ChaCha8Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// The largest double below a positive finite `x`.
fn prev_f64(x: f64) -> f64 {
    f64::from_bits(x.to_bits() - 1)
}
