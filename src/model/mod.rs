//! The simulation kernel: what the world looks like at step 0 ([`Model`]),
//! what changes during a run ([`State`]), and one step of the dynamics
//! ([`step`]). Nothing here reads files, prints or knows about threads; a run
//! is a pure function of the model and its random-number stream.
//!
//! `equations.rs` holds every equation of one pair of one run, written
//! once. Two kernels loop over pairs and draw random numbers around them:
//! `step.rs` for one run, as the documentation tells the dynamics;
//! `lockstep.rs` for [`LANES`] runs at once, which is what the engine runs
//! (see [`simulate_lanes`]). Both call the same equations in the same
//! order, so a run gives the same bits in either. `rng.rs` holds the
//! generators, `draws.rs` makes uniforms and normals from their outputs,
//! `math.rs` the exponentials and logarithms, and `shocks.rs` fires shocks
//! for either kernel.
//!
//! Pairs are stored in flat `n * n` arrays indexed by [`Model::pair`]
//! (`i * n + j` for the ordered pair i -> j); the diagonal is unused.

mod draws;
mod equations;
mod lockstep;
mod math;
mod params;
mod rng;
mod series;
mod shocks;
mod state;
mod step;

pub use equations::{alignment, choice_probabilities, sample_action};
pub use lockstep::{Isa, LANES, Lane, LaneTrace, Lockstep, simulate_lanes, simulate_lanes_on};
pub use params::{PARAM_SPECS, ParamSpec, Params};
pub use rng::{LaneRng, RunRng};
pub use series::{Schedule, cut_after, drop_scheduled_after, hold_after};
pub use shocks::{Effect, EffectOp, Shock, Target, Trigger};
pub use state::{State, Trace};
pub use step::{PairTerms, simulate, step};

/// A driver of closeness between two states (docs/model.md sections 2,
/// 7.2 and 7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Driver {
    /// Economic dependence of i on j, % of i's GDP (directed, >= 0).
    E,
    /// Normative affinity (symmetric, in [-1, 1]).
    N,
    /// Regional rivalry (symmetric, in [0, 1]).
    R,
    /// Pressure i applies to j (directed, in [0, 1]).
    P,
    /// Coercion by i of a modelled target j (directed, in [0, 1]).
    G,
}

impl Driver {
    /// How many drivers there are: the length of every array of drivers.
    pub const COUNT: usize = 5;

    pub const ALL: [Driver; Driver::COUNT] =
        [Driver::E, Driver::N, Driver::R, Driver::P, Driver::G];

    /// The names of all drivers as `E|N|R|P|G`, for messages that list
    /// them.
    pub fn names() -> String {
        Driver::ALL.map(Driver::name).join("|")
    }

    pub fn name(self) -> &'static str {
        match self {
            Driver::E => "E",
            Driver::N => "N",
            Driver::R => "R",
            Driver::P => "P",
            Driver::G => "G",
        }
    }

    /// The drivers that revert to a baseline with noise (docs/model.md
    /// section 7.3), in the order they are updated.
    pub const REVERTING: [Driver; 4] = [Driver::N, Driver::R, Driver::P, Driver::G];

    /// The pairs a driver's update visits, in draw order, as the flat
    /// indices `(i * n + j, j * n + i)`: every ordered pair in row order, or
    /// for a symmetric driver each unordered pair once (`i < j`).
    #[inline(always)]
    pub(crate) fn update_pairs(self, n: usize) -> impl Iterator<Item = (usize, usize)> {
        let symmetric = self.symmetric();
        (0..n).flat_map(move |i| {
            let first = if symmetric { i + 1 } else { 0 };
            (first..n)
                .filter(move |&j| j != i)
                .map(move |j| (i * n + j, j * n + i))
        })
    }

    /// The flat indices an effect on the pair (i, j) changes: `i * n + j`,
    /// and `j * n + i` too for a symmetric driver.
    #[inline(always)]
    pub(crate) fn pairs_of(self, n: usize, i: usize, j: usize) -> impl Iterator<Item = usize> {
        let both = self.symmetric();
        [i * n + j, j * n + i]
            .into_iter()
            .take(1 + usize::from(both))
    }

    pub fn symmetric(self) -> bool {
        matches!(self, Driver::N | Driver::R)
    }

    /// Admissible range.
    #[inline(always)]
    pub fn range(self) -> (f64, f64) {
        match self {
            Driver::E => (0.0, f64::INFINITY),
            Driver::N => (-1.0, 1.0),
            Driver::R | Driver::P | Driver::G => (0.0, 1.0),
        }
    }
}

/// An attribute of one agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attribute {
    /// Capability w > 0.
    Capability,
    /// Aggression g in [0, 1] toward states outside the model.
    Aggression,
    /// Choice temperature tau > 0.
    Tau,
}

impl Attribute {
    pub const ALL: [Attribute; 3] = [Attribute::Capability, Attribute::Aggression, Attribute::Tau];

    pub fn name(self) -> &'static str {
        match self {
            Attribute::Capability => "capability",
            Attribute::Aggression => "aggression",
            Attribute::Tau => "tau",
        }
    }

    /// Admissible range; the lower bound of capability and tau is exclusive.
    pub fn range(self) -> (f64, f64) {
        match self {
            Attribute::Capability => (0.0, f64::INFINITY),
            Attribute::Aggression => (0.0, 1.0),
            Attribute::Tau => (0.0, f64::INFINITY),
        }
    }

    pub fn lower_exclusive(self) -> bool {
        matches!(self, Attribute::Capability | Attribute::Tau)
    }
}

/// The world at step 0 and the rules of its evolution: everything a run
/// needs, validated. Built from a scenario file by `scenario::build`.
#[derive(Debug, Clone)]
pub struct Model {
    /// Agent ids in scenario order.
    pub ids: Vec<String>,
    pub params: Params,
    /// Steps per run.
    pub horizon: usize,
    pub capability: Vec<f64>,
    pub aggression: Vec<f64>,
    pub tau: Vec<f64>,
    /// Initial (and baseline) value of each driver, `drivers[d][pair]`,
    /// in the order of [`Driver::ALL`].
    pub drivers: [Vec<f64>; Driver::COUNT],
    /// Drift of log dependence per year.
    pub mu: Vec<f64>,
    /// Initial stances.
    pub stance: Vec<f64>,
    pub shocks: Vec<Shock>,
    /// Drivers and attributes whose baseline follows a data series
    /// (docs/model.md, section 6.1), applied at the start of every step.
    pub schedules: Vec<Schedule>,
}

impl Model {
    /// A model of `ids` with every driver, stance and drift at zero,
    /// aggression zero, capability one and default parameters.
    pub fn blank(ids: Vec<String>, horizon: usize) -> Model {
        let n = ids.len();
        let params = Params::default();
        Model {
            capability: vec![1.0; n],
            aggression: vec![0.0; n],
            tau: vec![params.tau; n],
            drivers: std::array::from_fn(|_| vec![0.0; n * n]),
            mu: vec![0.0; n * n],
            stance: vec![0.0; n * n],
            shocks: Vec::new(),
            schedules: Vec::new(),
            ids,
            params,
            horizon,
        }
    }

    /// Number of agents.
    pub fn n(&self) -> usize {
        self.ids.len()
    }

    /// Flat index of the ordered pair i -> j.
    #[inline]
    pub fn pair(&self, i: usize, j: usize) -> usize {
        i * self.n() + j
    }

    /// Index of an agent id.
    pub fn agent(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|a| a == id)
    }

    /// Unordered dyads `(i, j)` with `i < j` in scenario order; the order of
    /// every per-dyad output.
    pub fn dyads(&self) -> Vec<(usize, usize)> {
        let n = self.n();
        (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .collect()
    }

    /// Name of a dyad, `A-B` in scenario order.
    pub fn dyad_name(&self, i: usize, j: usize) -> String {
        let (a, b) = if i < j { (i, j) } else { (j, i) };
        format!("{}-{}", self.ids[a], self.ids[b])
    }

    pub fn driver(&self, d: Driver) -> &[f64] {
        &self.drivers[d as usize]
    }

    pub fn driver_mut(&mut self, d: Driver) -> &mut Vec<f64> {
        &mut self.drivers[d as usize]
    }

    pub fn attribute(&self, a: Attribute) -> &[f64] {
        match a {
            Attribute::Capability => &self.capability,
            Attribute::Aggression => &self.aggression,
            Attribute::Tau => &self.tau,
        }
    }

    pub fn attribute_mut(&mut self, a: Attribute) -> &mut Vec<f64> {
        match a {
            Attribute::Capability => &mut self.capability,
            Attribute::Aggression => &mut self.aggression,
            Attribute::Tau => &mut self.tau,
        }
    }
}
