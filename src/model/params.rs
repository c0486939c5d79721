//! Global model parameters, their defaults and admissible ranges (the
//! parameter tables of docs/model.md section 7, and section 9 for those
//! added to the specification). One macro declares each parameter once, so the
//! struct, its defaults, the range checks and the `validate` table can never
//! disagree.

use serde::Deserialize;

/// What is known about one parameter: its name in files and paths, default,
/// admissible range (hard limits, not the calibration range) and meaning.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    /// True for parameters that count steps and must be whole numbers.
    pub integer: bool,
    pub meaning: &'static str,
}

macro_rules! params {
    ($( $field:ident : $default:expr, [$min:expr, $max:expr], $int:expr, $meaning:expr; )*) => {
        /// Global parameters of the kernel. Field names are the symbols of the
        /// specification, which are also the keys of `[params]` and the
        /// parameter paths `params.<name>`.
        #[allow(non_snake_case)]
        #[derive(Debug, Clone, PartialEq, Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct Params {
            $( #[doc = $meaning] pub $field: f64, )*
        }

        impl Default for Params {
            fn default() -> Self {
                Params { $( $field: $default, )* }
            }
        }

        /// Every parameter, in declaration order.
        pub const PARAM_SPECS: &[ParamSpec] = &[
            $( ParamSpec { name: stringify!($field), default: $default, min: $min, max: $max, integer: $int, meaning: $meaning }, )*
        ];

        impl Params {
            /// The value of a parameter by name.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $( stringify!($field) => Some(self.$field), )*
                    _ => None,
                }
            }

            /// A mutable reference to a parameter by name.
            pub fn get_mut(&mut self, name: &str) -> Option<&mut f64> {
                match name {
                    $( stringify!($field) => Some(&mut self.$field), )*
                    _ => None,
                }
            }
        }
    };
}

params! {
    beta_E: 0.6, [0.0, 10.0], false, "weight of economic dependence ln(1 + E/E0) in the propensity";
    beta_N: 1.0, [0.0, 10.0], false, "weight of normative affinity N";
    beta_R: 0.6, [0.0, 10.0], false, "weight of regional rivalry R";
    beta_P: 1.0, [0.0, 10.0], false, "weight of the pressure the partner applies, P_ji";
    beta_G: 1.0, [0.0, 10.0], false, "weight of the coercion the partner applies to me, G_ji";
    lambda_B: 0.5, [0.0, 10.0], false, "weight of the balance field (the enemy of my enemy)";
    rho: 0.4, [0.0, 10.0], false, "reciprocity: weight of the partner's stance toward me";
    kappa_A: 0.6, [0.0, 10.0], false, "autonomy cost of aligning, scaled by the partner's capability share";
    kappa_E: 1.0, [0.0, 10.0], false, "entrapment cost: risk of underwriting the partner's aggression";
    theta0: 0.3, [0.0, 1.0], false, "base exposure to each act of a partner's coercion";
    kappa_O: 0.5, [0.0, 10.0], false, "cost of opposing a trade partner, per unit of ln(1 + E/E0)";
    mu_H: 0.3, [0.0, 10.0], false, "pivot premium for hedging while the partner's rivals court me";
    kappa_S: 0.5, [0.0, 10.0], false, "cost of deepening the stance already held, per unit of x_ij";
    tau: 0.35, [1e-3, 100.0], false, "default choice temperature of agents";
    eta: 0.15, [0.0, 1.0], false, "stance adjustment rate per step (inertia is 1 - eta)";
    sigma_x: 0.05, [0.0, 1.0], false, "standard deviation of idiosyncratic stance noise per step";
    c_T: 2.0, [0.0, 100.0], false, "cost of entering a formal treaty";
    h_D: 0.05, [0.0, 100.0], false, "treaty dissolution hazard per year";
    theta_T: 0.7, [-1.0, 1.0], false, "both stances at least this high make a pair eligible for a treaty";
    M: 8.0, [1.0, 10000.0], true, "consecutive eligible steps before a treaty can form";
    phi: 0.1, [0.0, 1.0], false, "per-step reversion of N, R, P, G to their baselines";
    sigma_d: 0.02, [0.0, 1.0], false, "per-step noise of N, R, P, G";
    sigma_E: 0.05, [0.0, 2.0], false, "volatility of log dependence per year";
    psi: 0.0, [-10.0, 10.0], false, "how much trade growth follows political alignment";
    E0: 1.0, [1e-6, 1e6], false, "scale of dependence in ln(1 + E/E0)";
    dt: 0.25, [1e-3, 10.0], false, "years per step";
    theta_P: 0.35, [0.0, 1.0], false, "alignment threshold of partnership (and of antagonism, negated)";
    W: 4.0, [1.0, 10000.0], true, "steps averaged at the horizon to classify outcomes";
}

impl Params {
    /// Checks every value against its range; returns the first offender as
    /// (name, value, spec).
    pub fn out_of_range(&self) -> Option<(&'static ParamSpec, f64)> {
        PARAM_SPECS.iter().find_map(|spec| {
            let value = self.get(spec.name).expect("spec names are fields");
            (!spec.admits(value)).then_some((spec, value))
        })
    }

    /// The spec of a parameter by name.
    pub fn spec(name: &str) -> Option<&'static ParamSpec> {
        PARAM_SPECS.iter().find(|s| s.name == name)
    }
}

impl ParamSpec {
    /// Whether `value` is finite, inside the range and whole where required.
    pub fn admits(&self, value: f64) -> bool {
        value.is_finite()
            && value >= self.min
            && value <= self.max
            && (!self.integer || value.fract() == 0.0)
    }

    /// Human-readable description of the admissible values.
    pub fn expected(&self) -> String {
        if self.integer {
            format!("a whole number from {} to {}", self.min, self.max)
        } else {
            format!("a number from {} to {}", self.min, self.max)
        }
    }
}
