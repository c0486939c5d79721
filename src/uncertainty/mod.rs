//! What we do not know about the weights, carried into every headline
//! figure.
//!
//! A scenario's `[uncertainty]` table gives some parameter paths a
//! [`Distribution`] instead of a single value, and `--posterior FILE.csv`
//! gives weighted parameter sets from a calibration. A run then draws `D`
//! parameter sets ([`DrawPlan`]) and simulates the same number of runs under
//! each (nested Monte Carlo); [`estimate`] turns the outcome counts per draw
//! into the integrated probability, its Monte Carlo interval, its spread
//! over draws and the share of its variance due to the parameters.
//!
//! Draw k's value of a parameter comes from a generator keyed by (seed, the
//! parameter's path, k), and run r of the whole job keeps the stream
//! (seed, r) it has without uncertainty. So a draw is computable on its own
//! (any thread, any shard), two scenarios that share an uncertain path get
//! the same values of it in every draw, and with nothing uncertain the
//! result is exactly that of fixed parameters. See docs/model.md, section
//! 7.10.

mod distribution;
pub mod estimate;
mod posterior;

use std::borrow::Cow;

use rand::RngCore;

pub use distribution::{Distribution, normal_cdf, normal_quantile};
pub use posterior::Posterior;

use crate::engine::RunRng;
use crate::model::{LANES, Model};
use crate::scenario::ParamPath;
use crate::scenario::schema::EvidenceKind;

/// Default number of parameter draws of `run` and `compare`.
pub const DEFAULT_DRAWS: usize = 200;

/// One parameter whose value is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertain {
    pub path: ParamPath,
    /// The path as written, e.g. `params.c_T`.
    pub name: String,
    pub distribution: Distribution,
    /// Why this range, in the scenario author's words.
    pub evidence: String,
    pub kind: Option<EvidenceKind>,
}

/// Salts that keep the parameter streams apart from the run streams, which
/// use the same generator.
const VALUE_SALT: u64 = 0x005E_ED0F_D8A3;
const PARTICLE_SALT: u64 = 0x9A27_1C1E;

/// A stable 64-bit key of a parameter path (FNV-1a), so that a path's draws
/// do not depend on where it is listed.
fn path_key(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A uniform number in (0, 1) from 53 bits.
fn open_unit(rng: &mut RunRng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// The parameter sets of a job and how its runs are split among them.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawPlan {
    /// The drawn paths, as written.
    pub names: Vec<String>,
    paths: Vec<ParamPath>,
    /// `[draw][parameter]`.
    values: Vec<f64>,
    pub draws: usize,
    /// Runs of each draw; with nothing uncertain, the size of the blocks of
    /// runs that serve as independent clusters for paired intervals.
    pub cluster_size: u64,
    /// Runs in all.
    pub runs: u64,
}

/// Runs per block when nothing is uncertain: about 256 blocks, each a
/// multiple of the lockstep group, at most 1024 runs.
fn block_size(runs: u64) -> u64 {
    let lanes = LANES as u64;
    (runs / 256).div_ceil(lanes).clamp(1, 1024 / lanes) * lanes
}

impl DrawPlan {
    /// One parameter set (the scenario's values) for `runs` runs.
    pub fn fixed(runs: u64) -> DrawPlan {
        DrawPlan {
            names: Vec::new(),
            paths: Vec::new(),
            values: Vec::new(),
            draws: 1,
            cluster_size: block_size(runs),
            runs,
        }
    }

    /// About `draws` parameter sets for `runs` runs in all. Each draw gets
    /// the same number of runs, a multiple of the lockstep group so that no
    /// lane idles: `ceil(runs / draws)` rounded up to [`LANES`]. The number
    /// of draws is then `ceil(runs / that)`, and the runs done may exceed
    /// `runs` by less than one draw's share. Parameters of the posterior are
    /// drawn as whole particles (by weight); those of `uncertain` that the
    /// posterior does not hold are drawn from their distributions.
    pub fn new(
        uncertain: &[Uncertain],
        posterior: Option<&Posterior>,
        draws: usize,
        runs: u64,
        seed: u64,
    ) -> DrawPlan {
        let from_posterior = posterior.map_or(0, |p| p.names.len());
        let own: Vec<&Uncertain> = uncertain
            .iter()
            .filter(|u| posterior.is_none_or(|p| !p.names.contains(&u.name)))
            .collect();
        if from_posterior + own.len() == 0 {
            return DrawPlan::fixed(runs);
        }
        let draws = draws.max(1) as u64;
        let lanes = LANES as u64;
        let per_draw = runs.div_ceil(draws).div_ceil(lanes) * lanes;
        let count = runs.div_ceil(per_draw) as usize;
        let mut names = Vec::new();
        let mut paths = Vec::new();
        if let Some(p) = posterior {
            names.extend(p.names.iter().cloned());
            paths.extend(p.paths.iter().copied());
        }
        for u in &own {
            names.push(u.name.clone());
            paths.push(u.path);
        }
        let width = names.len();
        let mut values = vec![0.0; count * width];
        for k in 0..count {
            let row = &mut values[k * width..(k + 1) * width];
            if let Some(p) = posterior {
                let mut rng = RunRng::new(seed ^ PARTICLE_SALT, 0, k as u64);
                let particle = p.particle_at(open_unit(&mut rng));
                row[..from_posterior].copy_from_slice(&p.particles[particle]);
            }
            for (slot, u) in row[from_posterior..].iter_mut().zip(&own) {
                let mut rng = RunRng::new(seed ^ VALUE_SALT, path_key(&u.name), k as u64);
                *slot = u.distribution.quantile(open_unit(&mut rng));
                if u.path.is_whole() {
                    *slot = slot.round();
                }
            }
        }
        DrawPlan {
            names,
            paths,
            values,
            draws: count,
            cluster_size: per_draw,
            runs: per_draw * count as u64,
        }
    }

    /// The same parameter set counted in clusters of `size` runs, `runs` in
    /// all: the layout of another scenario's draws, for paired comparisons.
    pub fn with_clusters(mut self, size: u64, runs: u64) -> DrawPlan {
        self.cluster_size = size.max(1);
        self.runs = runs;
        self
    }

    /// Whether parameters vary between draws.
    pub fn is_nested(&self) -> bool {
        !self.paths.is_empty()
    }

    /// The values of draw `k`, in the order of [`DrawPlan::names`].
    pub fn values(&self, k: usize) -> &[f64] {
        let width = self.names.len();
        &self.values[k * width..(k + 1) * width]
    }

    /// The model of draw `k`: `base` itself when nothing is uncertain.
    ///
    /// # Panics
    /// If a drawn value is outside its path's range, which the checks of
    /// [`crate::scenario`] and [`Posterior`] rule out.
    pub fn model<'a>(&self, base: &'a Model, k: usize) -> Cow<'a, Model> {
        if !self.is_nested() {
            return Cow::Borrowed(base);
        }
        let mut model = base.clone();
        for (path, &value) in self.paths.iter().zip(self.values(k)) {
            path.set(&mut model, value)
                .expect("drawn values are checked against their ranges");
        }
        Cow::Owned(model)
    }

    /// Clusters of runs: one per draw, or blocks of runs without
    /// uncertainty. Cluster `c` holds runs `c * size .. min((c + 1) * size,
    /// runs)`.
    pub fn clusters(&self) -> usize {
        self.runs.div_ceil(self.cluster_size) as usize
    }

    /// The draw whose parameters cluster `c` runs under.
    pub fn draw_of(&self, cluster: usize) -> usize {
        if self.is_nested() { cluster } else { 0 }
    }

    /// The runs of cluster `c`.
    pub fn cluster_runs(&self, cluster: usize) -> std::ops::Range<u64> {
        let start = cluster as u64 * self.cluster_size;
        start..(start + self.cluster_size).min(self.runs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uncertain(model: &Model, name: &str, distribution: Distribution) -> Uncertain {
        Uncertain {
            path: ParamPath::parse(model, name).unwrap(),
            name: name.to_string(),
            distribution,
            evidence: String::new(),
            kind: None,
        }
    }

    fn model() -> Model {
        Model::blank(vec!["A".into(), "B".into(), "C".into()], 8)
    }

    #[test]
    fn draws_split_runs_in_whole_lockstep_groups() {
        let m = model();
        let u = [uncertain(
            &m,
            "params.c_T",
            Distribution::Uniform {
                low: 1.0,
                high: 3.0,
            },
        )];
        let plan = DrawPlan::new(&u, None, 200, 10_000, 1);
        assert_eq!(plan.cluster_size, 64);
        assert_eq!(plan.draws, 157);
        assert_eq!(plan.runs, 157 * 64);
        assert_eq!(plan.clusters(), plan.draws);
        for k in 0..plan.draws {
            let v = plan.values(k)[0];
            assert!((1.0..=3.0).contains(&v));
        }
    }

    #[test]
    fn a_paths_draws_do_not_depend_on_the_other_paths() {
        let m = model();
        let c_t = uncertain(
            &m,
            "params.c_T",
            Distribution::Uniform {
                low: 1.0,
                high: 3.0,
            },
        );
        let beta = uncertain(
            &m,
            "params.beta_N",
            Distribution::Uniform {
                low: 0.5,
                high: 1.5,
            },
        );
        let alone = DrawPlan::new(std::slice::from_ref(&c_t), None, 50, 3200, 9);
        let both = DrawPlan::new(&[beta, c_t], None, 50, 3200, 9);
        for k in 0..alone.draws {
            assert_eq!(alone.values(k)[0], both.values(k)[1]);
        }
    }

    #[test]
    fn without_uncertainty_blocks_cover_the_runs_exactly() {
        for runs in [1, 15, 16, 1000, 10_000, 1_000_003] {
            let plan = DrawPlan::fixed(runs);
            assert_eq!(plan.cluster_size % LANES as u64, 0);
            let covered: u64 = (0..plan.clusters())
                .map(|c| plan.cluster_runs(c).end - plan.cluster_runs(c).start)
                .sum();
            assert_eq!(covered, runs);
            assert!(plan.clusters() <= 4096, "{runs}: {}", plan.clusters());
        }
    }
}
