//! Minimum-distance fit of the world model's free parameters — the ones the literature does not
//! pin down — to some published figures, which are then reported as calibration targets; every
//! other figure is a prediction.
//!
//! The fit minimizes Σ_k ((computed_k − published_k) / published_k)² over the free parameters
//! with argmin's Nelder–Mead simplex (Nelder & Mead 1965), each evaluation solving the model.
//! Parameters are kept inside their admissible ranges by a smooth change of variables
//! (a logistic map of an unconstrained value onto the range), so the simplex never leaves it.

use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use serde::{Deserialize, Serialize};

use crate::error::CalibrateError;
use crate::world::{migration, MigrationOutcome, WorldData, WorldParameters};

/// A free parameter: which one, and the range it may take.
#[derive(Debug, Clone, Copy)]
pub struct FreeParameter {
    /// The parameter's name in [`WorldParameters`].
    pub name: &'static str,
    /// Smallest admissible value.
    pub low: f64,
    /// Largest admissible value.
    pub high: f64,
    /// The field it names.
    pub field: fn(&mut WorldParameters) -> &mut f64,
}

/// The migration scenario's free parameters and the ranges searched: migrants' relative wage
/// ω, the remittance share ρ, and the native–migrant elasticity σ_m.
pub const MIGRATION_FREE: [FreeParameter; 3] = [
    FreeParameter {
        name: "migrant_relative_wage",
        low: 0.2,
        high: 0.9,
        field: |p| &mut p.migrant_relative_wage,
    },
    FreeParameter {
        name: "remittance_share",
        low: 0.05,
        high: 0.5,
        field: |p| &mut p.remittance_share,
    },
    FreeParameter {
        name: "sigma_migrants",
        low: 0.5,
        high: 30.0,
        field: |p| &mut p.sigma_migrants,
    },
];

/// A published figure the fit aims at.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The figure's id in the reproduction report.
    pub id: &'static str,
    /// The published value.
    pub published: f64,
    /// The figure in a solved migration scenario.
    pub value: fn(&MigrationOutcome) -> f64,
}

/// The migration scenario's targets: the World Bank (2006) gains of the three groups whose
/// incomes the free parameters govern most directly. The high-income natives' gain and the world
/// total are predictions.
pub const MIGRATION_TARGETS: [Target; 3] = [
    Target {
        id: "gep2006.new_migrants",
        published: 162.0,
        value: |o| o.new_migrants,
    },
    Target {
        id: "gep2006.earlier_migrants",
        published: -88.0,
        value: |o| o.earlier_migrants,
    },
    Target {
        id: "gep2006.developing_residents",
        published: 143.0,
        value: |o| o.developing_residents,
    },
];

/// The value of a free parameter in `p`.
fn get(p: &WorldParameters, f: &FreeParameter) -> f64 {
    *(f.field)(&mut p.clone())
}

/// Logistic map of an unconstrained u onto (low, high).
fn to_range(u: f64, f: &FreeParameter) -> f64 {
    f.low + (f.high - f.low) / (1.0 + (-u).exp())
}

/// Inverse of [`to_range`].
fn from_range(v: f64, f: &FreeParameter) -> f64 {
    let s = ((v - f.low) / (f.high - f.low)).clamp(1e-9, 1.0 - 1e-9);
    (s / (1.0 - s)).ln()
}

/// The result of a fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// The parameters with the fitted values in place.
    pub parameters: WorldParameters,
    /// The fitted values, by parameter name.
    pub fitted: Vec<(String, f64)>,
    /// The targets with their computed values at the optimum.
    pub targets: Vec<(String, f64, f64)>,
    /// The migration scenario at the optimum.
    pub outcome: MigrationOutcome,
    /// The objective at the optimum (sum of squared relative gaps).
    pub objective: f64,
    /// Nelder–Mead iterations.
    pub iterations: u64,
}

impl FitReport {
    /// The largest gap of a target at the optimum, |computed / published − 1| [%].
    pub fn largest_target_gap_pct(&self) -> f64 {
        self.targets
            .iter()
            .map(|(_, published, computed)| (100.0 * (computed / published - 1.0)).abs())
            .fold(0.0, f64::max)
    }
}

struct MigrationFit<'a> {
    data: &'a WorldData,
    base: &'a WorldParameters,
    free: &'a [FreeParameter],
    targets: &'a [Target],
}

impl MigrationFit<'_> {
    fn parameters(&self, u: &[f64]) -> WorldParameters {
        let mut p = self.base.clone();
        for (f, &ui) in self.free.iter().zip(u) {
            *(f.field)(&mut p) = to_range(ui, f);
        }
        p
    }
}

impl CostFunction for MigrationFit<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, u: &Self::Param) -> Result<f64, argmin::core::Error> {
        let p = self.parameters(u);
        // A point where the model cannot be solved is a bad point for the simplex, not a
        // failure of the fit.
        let Ok(outcome) = migration(self.data, &p) else {
            return Ok(1e6);
        };
        Ok(self
            .targets
            .iter()
            .map(|t| (((t.value)(&outcome) - t.published) / t.published).powi(2))
            .sum())
    }
}

/// Fits the migration scenario's free parameters ([`MIGRATION_FREE`]) to
/// [`MIGRATION_TARGETS`], starting from `base`'s values.
///
/// # Errors
/// [`CalibrateError::Fit`] if the optimizer fails; model errors at the optimum.
pub fn fit_migration(
    data: &WorldData,
    base: &WorldParameters,
) -> Result<FitReport, CalibrateError> {
    fit_migration_with(data, base, &MIGRATION_FREE, &MIGRATION_TARGETS)
}

/// Fits the parameters `free` of the migration scenario to `targets`, the other parameters
/// kept at `base`'s values — e.g. with the remittance share fixed at a value from data.
///
/// # Errors
/// [`CalibrateError::Fit`] if the optimizer fails; model errors at the optimum.
pub fn fit_migration_with(
    data: &WorldData,
    base: &WorldParameters,
    free: &[FreeParameter],
    targets: &[Target],
) -> Result<FitReport, CalibrateError> {
    let problem = MigrationFit {
        data,
        base,
        free,
        targets,
    };
    let start: Vec<f64> = free.iter().map(|f| from_range(get(base, f), f)).collect();
    // Initial simplex: the start and one vertex displaced along each coordinate.
    let mut simplex = vec![start.clone()];
    for i in 0..start.len() {
        let mut v = start.clone();
        v[i] += 0.5;
        simplex.push(v);
    }
    let fit_error = |e: argmin::core::Error| CalibrateError::Fit {
        what: e.to_string(),
    };
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(1e-10)
        .map_err(fit_error)?;
    let result = Executor::new(problem, solver)
        .configure(|state| state.max_iters(400))
        .run()
        .map_err(fit_error)?;
    let state = result.state();
    let best = state.get_best_param().cloned().unwrap_or(start);
    let iterations = state.get_iter();
    let objective = state.get_best_cost();
    let problem = MigrationFit {
        data,
        base,
        free,
        targets,
    };
    let parameters = problem.parameters(&best);
    let outcome = migration(data, &parameters)?;
    Ok(FitReport {
        fitted: free
            .iter()
            .map(|f| (f.name.to_string(), get(&parameters, f)))
            .collect(),
        targets: targets
            .iter()
            .map(|t| (t.id.to_string(), t.published, (t.value)(&outcome)))
            .collect(),
        parameters,
        outcome,
        objective,
        iterations,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The top-level keys whose values differ between two serialized parameter sets.
    pub(crate) fn changed_keys<T: Serialize>(a: &T, b: &T) -> Vec<String> {
        let (a, b) = (
            serde_json::to_value(a).unwrap(),
            serde_json::to_value(b).unwrap(),
        );
        let (a, b) = (a.as_object().unwrap(), b.as_object().unwrap());
        a.keys().filter(|k| a[*k] != b[*k]).cloned().collect()
    }

    #[test]
    fn free_parameters_and_targets_are_what_they_name() {
        let base = WorldParameters::default();
        for f in MIGRATION_FREE {
            let mut p = base.clone();
            *(f.field)(&mut p) = 0.5 * (f.low + f.high) + 0.01;
            assert_eq!(changed_keys(&base, &p), [f.name], "{}", f.name);
            assert_eq!(get(&p, &f), 0.5 * (f.low + f.high) + 0.01);
        }
        let outcome = MigrationOutcome {
            new_migrants: 1.0,
            hic_natives: 2.0,
            earlier_migrants: 3.0,
            developing_residents: 4.0,
            world: 10.0,
            world_pct: 0.1,
            new_migrant_persons: 5.0,
            developing_terms_of_trade_pct: 0.2,
        };
        let expected = [
            ("gep2006.new_migrants", 1.0),
            ("gep2006.earlier_migrants", 3.0),
            ("gep2006.developing_residents", 4.0),
        ];
        for (t, (id, value)) in MIGRATION_TARGETS.iter().zip(expected) {
            assert_eq!((t.id, (t.value)(&outcome)), (id, value));
        }
    }

    #[test]
    fn range_maps_are_inverse() {
        for f in MIGRATION_FREE {
            for v in [
                f.low + 0.01 * (f.high - f.low),
                0.5 * (f.low + f.high),
                f.high - 1e-3,
            ] {
                approx::assert_relative_eq!(
                    to_range(from_range(v, &f), &f),
                    v,
                    max_relative = 1e-9
                );
            }
        }
    }

    #[test]
    fn print_fit() {
        let data = WorldData::load().unwrap();
        let report = fit_migration(&data, &WorldParameters::default()).unwrap();
        println!("{report:#?}");
        println!("{:?}", migration(&data, &report.parameters).unwrap());
    }
}
