//! Tests of the sweep designs (grid, Latin hypercube, Sobol', Saltelli,
//! Morris) and of the sensitivity measures computed from them.

use std::f64::consts::PI;

use entente::sweep::design::{
    SOBOL_MAX_DIM, cartesian, grid_values, latin_hypercube, morris, saltelli, sobol_scrambled,
    sobol_sequence,
};
use entente::sweep::sensitivity::{morris_effects, sobol_indices};

// ---------------------------------------------------------------- grids --

#[test]
fn grid_values_are_evenly_spaced_with_exact_ends() {
    assert_eq!(grid_values(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(grid_values(1.0, 0.0, 3), vec![1.0, 0.5, 0.0]);
    assert_eq!(grid_values(0.3, 9.0, 1), vec![0.3]);
    assert!(grid_values(0.0, 1.0, 0).is_empty());

    let v = grid_values(0.1, 0.7, 7);
    assert_eq!(v.len(), 7);
    assert_eq!(v[0], 0.1);
    assert_eq!(v[6], 0.7);
    for (i, x) in v.iter().enumerate() {
        assert!((x - (0.1 + 0.1 * i as f64)).abs() < 1e-12, "{i}: {x}");
    }
}

#[test]
fn cartesian_varies_first_axis_slowest() {
    let points = cartesian(&[vec![1.0, 2.0], vec![10.0, 20.0, 30.0]]);
    assert_eq!(
        points,
        vec![
            vec![1.0, 10.0],
            vec![1.0, 20.0],
            vec![1.0, 30.0],
            vec![2.0, 10.0],
            vec![2.0, 20.0],
            vec![2.0, 30.0],
        ]
    );

    let three = cartesian(&[
        grid_values(0.0, 1.0, 2),
        grid_values(0.0, 1.0, 3),
        grid_values(0.0, 1.0, 4),
    ]);
    assert_eq!(three.len(), 24);
    assert_eq!(three[0], vec![0.0, 0.0, 0.0]);
    assert_eq!(three[1], vec![0.0, 0.0, 1.0 / 3.0]);
    assert_eq!(three[4], vec![0.0, 0.5, 0.0]);
    assert_eq!(three[12], vec![1.0, 0.0, 0.0]);
    assert_eq!(three[23], vec![1.0, 1.0, 1.0]);

    assert!(cartesian(&[vec![1.0], vec![]]).is_empty());
    assert_eq!(cartesian(&[]), vec![Vec::<f64>::new()]);
}

// ------------------------------------------------------ Latin hypercube --

#[test]
fn latin_hypercube_hits_every_stratum_once() {
    let n = 50;
    let k = 4;
    let points = latin_hypercube(n, k, 7);
    assert_eq!(points.len(), n);
    for dim in 0..k {
        let mut hits = vec![0; n];
        for p in &points {
            assert_eq!(p.len(), k);
            let x = p[dim];
            assert!((0.0..1.0).contains(&x), "{x} outside [0,1)");
            hits[(x * n as f64).floor() as usize] += 1;
        }
        assert!(hits.iter().all(|&h| h == 1), "dimension {dim}: {hits:?}");
    }
    // The position inside a stratum is random, not the stratum's centre.
    let offsets: Vec<f64> = points
        .iter()
        .map(|p| p[0] * n as f64 - (p[0] * n as f64).floor())
        .collect();
    assert!(offsets.iter().any(|&o| (o - 0.5).abs() > 0.1));
}

#[test]
fn latin_hypercube_is_deterministic_per_seed() {
    let a = latin_hypercube(20, 3, 42);
    let b = latin_hypercube(20, 3, 42);
    let c = latin_hypercube(20, 3, 43);
    assert_eq!(a, b);
    assert_ne!(a, c);
    let bits = |p: &[Vec<f64>]| -> Vec<u64> { p.iter().flatten().map(|x| x.to_bits()).collect() };
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(latin_hypercube(1, 2, 0).len(), 1);
    assert!(latin_hypercube(0, 2, 0).is_empty());
}

// --------------------------------------------------------------- Sobol' --

#[test]
fn sobol_sequence_matches_published_points() {
    // Unscrambled sequence in Gray-code order from the origin, as produced by
    // Joe and Kuo's reference generator for new-joe-kuo-6.21201.
    let expected = [
        [0.0, 0.0, 0.0],
        [0.5, 0.5, 0.5],
        [0.75, 0.25, 0.25],
        [0.25, 0.75, 0.75],
        [0.375, 0.375, 0.625],
        [0.875, 0.875, 0.125],
        [0.625, 0.125, 0.875],
        [0.125, 0.625, 0.375],
    ];
    let points = sobol_sequence(8, 3);
    for (p, e) in points.iter().zip(&expected) {
        assert_eq!(p.as_slice(), e.as_slice());
    }
    // A few further points of dimension 1 (van der Corput in Gray order).
    let longer = sobol_sequence(16, 1);
    let dim1: Vec<f64> = longer.iter().map(|p| p[0]).collect();
    assert_eq!(
        &dim1[8..],
        &[
            0.1875, 0.6875, 0.9375, 0.4375, 0.3125, 0.8125, 0.5625, 0.0625
        ]
    );
}

#[test]
fn sobol_sequence_matches_reference_in_all_dimensions() {
    // Points 21845 and 43690 (Gray codes 0x7fff and 0xffff, so each is the
    // XOR of the first 15 or 16 direction numbers of every dimension) of the
    // unscrambled sequence with the new-joe-kuo-6.21201 direction numbers,
    // times 2^16, as SciPy's `qmc.Sobol(d=64, scramble=False)` (same numbers,
    // same order) gives them. Any slip in the table changes some of them.
    let expected: [(usize, [u32; 64]); 2] = [
        (
            21845,
            [
                65534, 65534, 8362, 33270, 33726, 2730, 2250, 5742, 15910, 56994, 45670, 8090,
                36394, 26418, 59294, 61934, 45670, 10926, 34446, 64438, 8222, 34998, 56462, 42726,
                62710, 14430, 48062, 59230, 35158, 31790, 50902, 10014, 29422, 21518, 41206, 14686,
                55022, 43166, 1450, 15790, 23554, 54350, 8910, 24250, 24126, 45606, 42630, 42294,
                51530, 20418, 43130, 54870, 10666, 50254, 32646, 60978, 20418, 64646, 34950, 7598,
                50114, 30138, 50346, 44914,
            ],
        ),
        (
            43690,
            [
                65535, 1, 45311, 17139, 49925, 33041, 36013, 44071, 56067, 63319, 40553, 3581,
                24861, 13115, 37441, 35679, 39581, 1309, 42831, 35765, 45341, 58807, 55245, 57765,
                48645, 38191, 1037, 19407, 39953, 34387, 2801, 42321, 37441, 25155, 4355, 48387,
                12289, 31867, 30419, 21039, 13879, 46639, 57093, 16787, 12255, 14739, 17235, 39063,
                47461, 28873, 21743, 1349, 4389, 7681, 63691, 58677, 63245, 13961, 17567, 17759,
                38617, 31837, 41029, 58541,
            ],
        ),
    ];
    let points = sobol_sequence(1 << 16, SOBOL_MAX_DIM);
    for (index, numerators) in expected {
        for (dim, &m) in numerators.iter().enumerate() {
            assert_eq!(
                points[index][dim],
                f64::from(m) / 65536.0,
                "point {index}, dimension {}",
                dim + 1
            );
        }
    }
}

/// Counts, for the first `2^m` points, the points in each dyadic interval of
/// width `2^-m` along `dim`; a (t, m, s)-net in base 2 puts exactly one in
/// each.
fn dyadic_counts(points: &[Vec<f64>], dim: usize, m: u32) -> Vec<usize> {
    let cells = 1usize << m;
    let mut counts = vec![0; cells];
    for p in &points[..cells] {
        counts[(p[dim] * cells as f64).floor() as usize] += 1;
    }
    counts
}

#[test]
fn sobol_sequence_stratifies_every_dimension() {
    let points = sobol_sequence(1 << 10, SOBOL_MAX_DIM);
    for dim in 0..SOBOL_MAX_DIM {
        for m in 1..=10 {
            let counts = dyadic_counts(&points, dim, m);
            assert!(
                counts.iter().all(|&c| c == 1),
                "dimension {} fails at 2^{m} points",
                dim + 1
            );
        }
    }
    // Dimensions 1 and 2 form a (0, m, 2)-net: every dyadic box of area
    // 2^-m holds exactly one of the first 2^m points.
    let m = 8;
    let cells = 1usize << m;
    for row_bits in 0..=m {
        let (nx, ny) = (1usize << row_bits, 1usize << (m - row_bits));
        let mut counts = vec![0; cells];
        for p in &points[..cells] {
            let cx = (p[0] * nx as f64).floor() as usize;
            let cy = (p[1] * ny as f64).floor() as usize;
            counts[cx * ny + cy] += 1;
        }
        assert!(counts.iter().all(|&c| c == 1), "box {nx}x{ny}");
    }
}

#[test]
#[should_panic(expected = "dimensions")]
fn sobol_sequence_refuses_too_many_dimensions() {
    let _ = sobol_sequence(4, SOBOL_MAX_DIM + 1);
}

#[test]
fn scrambled_sobol_keeps_its_balance_and_stays_in_unit_cube() {
    let n = 1 << 9;
    let k = 10;
    let a = sobol_scrambled(n, k, 5);
    assert_eq!(a.len(), n);
    for p in &a {
        assert_eq!(p.len(), k);
        assert!(p.iter().all(|x| (0.0..1.0).contains(x)));
    }
    for dim in 0..k {
        for m in 1..=9 {
            assert!(dyadic_counts(&a, dim, m).iter().all(|&c| c == 1));
        }
    }
    assert_eq!(a, sobol_scrambled(n, k, 5));
    assert_ne!(a, sobol_scrambled(n, k, 6));
    assert_ne!(a, sobol_sequence(n, k));
}

// ------------------------------------------------------------- Saltelli --

#[test]
fn saltelli_design_has_the_standard_layout() {
    let base = 64;
    let k = 5;
    let d = saltelli(base, k, 11);
    assert_eq!(d.len(), base * (k + 2));
    assert_eq!(d.points.len(), d.len());
    assert!(!d.is_empty());
    assert!(
        d.points
            .iter()
            .all(|p| p.len() == k && p.iter().all(|x| (0.0..1.0).contains(x)))
    );
    for j in 0..base {
        let a = &d.points[d.row_a(j)];
        let b = &d.points[d.row_b(j)];
        assert_eq!(d.row_a(j), j);
        assert_eq!(d.row_b(j), base + j);
        assert!(a.iter().zip(b).all(|(x, y)| x != y));
        for i in 0..k {
            let ab = &d.points[d.row_ab(i, j)];
            assert_eq!(d.row_ab(i, j), (2 + i) * base + j);
            for c in 0..k {
                assert_eq!(ab[c], if c == i { b[c] } else { a[c] });
            }
        }
    }
    // A and B are balanced: one point per dyadic interval of every column.
    let a_block = d.points[..base].to_vec();
    let b_block = d.points[base..2 * base].to_vec();
    for dim in 0..k {
        assert!(dyadic_counts(&a_block, dim, 6).iter().all(|&c| c == 1));
        assert!(dyadic_counts(&b_block, dim, 6).iter().all(|&c| c == 1));
    }
    assert_eq!(d, saltelli(base, k, 11));
    assert_ne!(d.points, saltelli(base, k, 12).points);
}

fn ishigami(u: &[f64]) -> f64 {
    let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

#[test]
fn ishigami_indices_match_analytic_values() {
    // Analytic values for a = 7, b = 0.1 (Ishigami and Homma 1990).
    let (a, b) = (7.0, 0.1);
    let pi4 = PI.powi(4);
    let pi8 = PI.powi(8);
    let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * pi8 * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13 + 0.0;
    let s1 = [v1 / v, v2 / v, 0.0];
    let st = [(v1 + v13) / v, v2 / v, v13 / v];
    let published_s1 = [0.3139, 0.4424, 0.0];
    let published_st = [0.5576, 0.4424, 0.2437];
    for i in 0..3 {
        assert!((s1[i] - published_s1[i]).abs() < 1e-4);
        assert!((st[i] - published_st[i]).abs() < 1e-4);
    }

    // Tolerance 0.03. With N = 2^15 base rows (163 840 evaluations) the
    // bootstrap standard errors are at most about 0.008 (95% intervals about
    // 0.02 to 0.03 wide), so 0.03 is more than three bootstrap standard
    // errors; the loop below checks that for every index. The bootstrap
    // treats the rows as independent; with the randomised Sobol' rows the
    // actual error is smaller still (at most about 0.001 over 30 seeds), so
    // the test does not depend on a lucky seed.
    let tolerance = 0.03;
    let base = 1 << 15;
    let design = saltelli(base, 3, 2024);
    let y: Vec<f64> = design.points.iter().map(|p| ishigami(p)).collect();
    let indices = sobol_indices(&design, &y, 500, 99);
    assert_eq!(indices.len(), 3);
    for (i, idx) in indices.iter().enumerate() {
        assert!(
            (idx.first - s1[i]).abs() < tolerance,
            "S1[{i}] = {} vs {}",
            idx.first,
            s1[i]
        );
        assert!(
            (idx.total - st[i]).abs() < tolerance,
            "ST[{i}] = {} vs {}",
            idx.total,
            st[i]
        );
        for (ci, truth, name) in [(idx.first_ci, s1[i], "S1"), (idx.total_ci, st[i], "ST")] {
            assert!(
                ci.0 <= truth && truth <= ci.1,
                "{name}[{i}] interval {ci:?} misses {truth}"
            );
            // The bootstrap distribution is close to normal here: the estimate
            // sits inside its interval with arms of similar length.
            let estimate = if name == "S1" { idx.first } else { idx.total };
            let (below, above) = (estimate - ci.0, ci.1 - estimate);
            assert!(below > 0.0 && above > 0.0, "{name}[{i}] {estimate} {ci:?}");
            assert!(
                below < 1.5 * above && above < 1.5 * below,
                "{name}[{i}] {ci:?}"
            );
            let standard_error = (ci.1 - ci.0) / (2.0 * 1.96);
            assert!(
                tolerance > 3.0 * standard_error,
                "{name}[{i}]: bootstrap SE {standard_error} too wide for the tolerance"
            );
        }
    }
}

#[test]
fn linear_model_indices_are_squared_weights() {
    // y = x1 + 2 x2 + 3 x3 + 0 x4 with uniform inputs: S_i = ST_i = a_i^2 / 14.
    let weights = [1.0, 2.0, 3.0, 0.0];
    let design = saltelli(4096, 4, 3);
    let y: Vec<f64> = design
        .points
        .iter()
        .map(|p| p.iter().zip(&weights).map(|(x, w)| x * w).sum())
        .collect();
    let indices = sobol_indices(&design, &y, 200, 1);
    for (i, idx) in indices.iter().enumerate() {
        let truth = weights[i] * weights[i] / 14.0;
        assert!((idx.first - truth).abs() < 0.01, "S1[{i}] {}", idx.first);
        assert!((idx.total - truth).abs() < 0.01, "ST[{i}] {}", idx.total);
    }
    // A factor the output ignores has a total index of exactly 0.
    assert_eq!(indices[3].total, 0.0);
    assert_eq!(indices[3].total_ci, (0.0, 0.0));
}

#[test]
fn constant_output_gives_zero_indices_not_nan() {
    let design = saltelli(128, 3, 0);
    let y = vec![4.2; design.len()];
    for idx in sobol_indices(&design, &y, 50, 0) {
        assert_eq!(idx.first, 0.0);
        assert_eq!(idx.total, 0.0);
        assert_eq!(idx.first_ci, (0.0, 0.0));
        assert_eq!(idx.total_ci, (0.0, 0.0));
    }
}

#[test]
fn bootstrap_is_reproducible_and_optional() {
    let design = saltelli(256, 3, 8);
    let y: Vec<f64> = design.points.iter().map(|p| ishigami(p)).collect();
    let a = sobol_indices(&design, &y, 100, 5);
    assert_eq!(a, sobol_indices(&design, &y, 100, 5));
    let other = sobol_indices(&design, &y, 100, 6);
    assert_ne!(a, other);
    // The seed moves the intervals only, never the point estimates.
    for (x, o) in a.iter().zip(&other) {
        assert_eq!(x.first, o.first);
        assert_eq!(x.total, o.total);
    }
    for idx in sobol_indices(&design, &y, 0, 5) {
        assert_eq!(idx.first_ci, (idx.first, idx.first));
        assert_eq!(idx.total_ci, (idx.total, idx.total));
    }
}

// --------------------------------------------------------------- Morris --

#[test]
fn morris_design_moves_one_factor_at_a_time() {
    let (r, k, p) = (12, 5, 4);
    let d = morris(r, k, p, 17);
    let delta = p as f64 / (2.0 * (p as f64 - 1.0));
    assert_eq!(d.delta(), delta);
    assert_eq!(d.len(), r * (k + 1));
    assert_eq!(d.steps.len(), r * k);
    let grid = grid_values(0.0, 1.0, p);
    for point in &d.points {
        assert_eq!(point.len(), k);
        assert!(point.iter().all(|x| grid.contains(x)), "{point:?} off grid");
    }
    for t in 0..r {
        let mut moved = vec![0; k];
        for s in 0..k {
            let (row, factor, signed) = d.steps[t * k + s];
            assert_eq!(row, t * (k + 1) + s + 1);
            let (before, after) = (&d.points[row - 1], &d.points[row]);
            for c in 0..k {
                if c == factor {
                    assert!((after[c] - before[c] - signed).abs() < 1e-12);
                } else {
                    assert_eq!(after[c], before[c]);
                }
            }
            assert_eq!(signed.abs(), delta);
            moved[factor] += 1;
        }
        assert!(moved.iter().all(|&m| m == 1), "trajectory {t}: {moved:?}");
    }
    // Both directions and several starting points occur.
    assert!(d.steps.iter().any(|s| s.2 > 0.0) && d.steps.iter().any(|s| s.2 < 0.0));
    assert_eq!(d, morris(r, k, p, 17));
    assert_ne!(d.points, morris(r, k, p, 18).points);
}

#[test]
fn morris_ranks_a_linear_model_and_finds_no_spread() {
    let weights = [10.0, 3.0, 0.5, 0.0];
    let d = morris(20, 4, 4, 1);
    let y: Vec<f64> = d
        .points
        .iter()
        .map(|p| p.iter().zip(&weights).map(|(x, w)| x * w).sum())
        .collect();
    let effects = morris_effects(&d, &y);
    for (i, e) in effects.iter().enumerate() {
        assert!((e.mu_star - weights[i]).abs() < 1e-9, "{i}: {e:?}");
        assert!((e.mu - weights[i]).abs() < 1e-9, "{i}: {e:?}");
        assert!(e.sigma < 1e-9, "{i}: {e:?}");
    }
    for pair in effects.windows(2) {
        assert!(pair[0].mu_star > pair[1].mu_star);
    }
}

#[test]
fn morris_flags_interactions_with_sigma() {
    // y = 10 x1 + 3 x2 + 0.5 x3 + 0 x4 + 12 x5 x6: the effect of x5 is
    // 12 x6 (mean 6 over the grid), varying with x6, and vice versa.
    let d = morris(60, 6, 4, 3);
    let y: Vec<f64> = d
        .points
        .iter()
        .map(|x| 10.0 * x[0] + 3.0 * x[1] + 0.5 * x[2] + 12.0 * x[4] * x[5])
        .collect();
    let e = morris_effects(&d, &y);
    let rank = |i: usize| e[i].mu_star;
    assert!(rank(0) > rank(4) && rank(0) > rank(5));
    assert!(rank(4) > rank(1) && rank(5) > rank(1));
    assert!(rank(1) > rank(2) && rank(2) > rank(3));
    assert_eq!(rank(3), 0.0);
    for (i, linear) in e[..4].iter().enumerate() {
        assert!(linear.sigma < 1e-9, "linear factor {i}: {linear:?}");
    }
    for i in [4, 5] {
        assert!(e[i].sigma > 1.0, "interacting factor {i}: {:?}", e[i]);
        assert!((e[i].mu_star - 6.0).abs() < 1.5, "factor {i}: {:?}", e[i]);
    }
}

#[test]
fn morris_mu_star_sees_a_non_monotonic_effect_that_mu_misses() {
    // y = (x1 - 1/2)^2 on 4 levels: every elementary effect is +1/3 or -1/3,
    // so mu* = 1/3 exactly while mu averages signs out (Campolongo 2007).
    let d = morris(40, 2, 4, 9);
    let y: Vec<f64> = d.points.iter().map(|x| (x[0] - 0.5).powi(2)).collect();
    let e = morris_effects(&d, &y);
    assert!((e[0].mu_star - 1.0 / 3.0).abs() < 1e-12, "{:?}", e[0]);
    assert!(e[0].mu.abs() < 0.5 * e[0].mu_star, "{:?}", e[0]);
    assert!(e[0].sigma > 0.2);
    assert_eq!(e[1].mu_star, 0.0);
}

#[test]
#[should_panic(expected = "even number of levels")]
fn morris_refuses_odd_levels() {
    let _ = morris(4, 3, 5, 0);
}
