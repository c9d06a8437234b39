//! Solver options with documented defaults. Tolerances live here and nowhere else.

use serde::{Deserialize, Serialize};

use crate::report::{LinearSolver, Method, SolveError};

/// Options of a solve. `Options::default()` suits equilibrium models of any size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Solution method (default [`Method::Auto`]).
    pub method: Method,
    /// Linear solver for Newton steps (default [`LinearSolver::Auto`]).
    pub linear_solver: LinearSolver,
    /// Converged when ‖F‖∞ (or the complementarity error) is at most this (default 1e-10).
    pub tolerance: f64,
    /// Iteration limit (default 200).
    pub max_iterations: usize,
    /// Limit on residual evaluations (default 5,000).
    pub max_evaluations: usize,
    /// Largest dimension for which [`LinearSolver::Auto`] chooses the dense LU whatever the
    /// pattern (default 50: on banded problems the sparse LU is as fast at n = 10 and 3–6×
    /// faster at n = 100; see `examples/scaling.rs`). Patterns fuller than 30% always use the
    /// dense LU.
    pub dense_max_dim: usize,
    /// Smallest dimension for which [`LinearSolver::Auto`] chooses the iterative solver, on
    /// patterns at most [`LinearSolver::DENSE_MIN_DENSITY`] full (default 1,000: GMRES with
    /// ILU(0) is 3× faster than the sparse LU on the 20 × 20 × 3 synthetic world, n = 1,720, and
    /// as fast at 10 × 10 × 3, n = 460; see `docs/performance.md`).
    pub iterative_min_dim: usize,
    /// Armijo sufficient-decrease constant (default 1e-4, Nocedal & Wright 2006, §3.1).
    pub armijo: f64,
    /// Smallest step length a line search tries before giving up (default 1e-12).
    pub min_step: f64,
    /// Broyden: iterations between forced Jacobian refreshes (default 20).
    pub broyden_memory: usize,
    /// Relative pivot size under which a Jacobian counts as singular and is regularized
    /// (default 1e-13).
    pub singular_pivot: f64,
    /// [`LinearSolver::Iterative`]: GMRES stops when ‖b − Ax‖₂ ≤ this·‖b‖₂ (default 1e-7; the
    /// Newton direction then solves its system ten times more accurately than the accuracy
    /// check of a direction, 1e-6 relative, requires). It was 1e-8 until a system of the
    /// largest benchmark met a plateau of the preconditioned residual just above it; the
    /// measurements are in `docs/performance.md`. Must lie in (0, 1).
    pub krylov_tolerance: f64,
    /// [`LinearSolver::Iterative`]: Krylov vectors kept before GMRES restarts (default 200; the
    /// basis takes (restart + 1)·n numbers, allocated once per solve and touched only as far as
    /// GMRES goes). On the Jacobians of `examples/scale.rs` GMRES needs 60–110 iterations per
    /// system when it does not restart; it stagnates with a restart of 50, and a restart of 100
    /// takes about two fifths more iterations than 200 at 100 × 50 × 5 (measured in
    /// `docs/performance.md`). At most [`MAX_KRYLOV_RESTART`].
    pub krylov_restart: usize,
    /// [`LinearSolver::Iterative`]: GMRES iterations per linear system, over all restarts,
    /// before the system is solved by the sparse LU instead (default 500).
    pub krylov_max_iterations: usize,
    /// [`LinearSolver::Iterative`] on patterns fuller than [`LinearSolver::ILU_DROP_MIN_DENSITY`]:
    /// entries under this fraction of their column's largest are left out of the ILU(0)
    /// (default 1e-2). On such patterns ILU(0) costs as much as a sparse LU; dropping the weak
    /// couplings (a dense input–output table's many small coefficients) keeps it sparse, and
    /// GMRES resolves them: the dense standard SAM model, N = 1,280, takes ~11 iterations per
    /// system with it. Sparser patterns keep every entry, which their ILU(0) needs. In [0, 1).
    pub ilu_drop_tolerance: f64,
}

/// Largest [`Options::krylov_restart`]: 10,001 vectors of length n are already 3 GiB at
/// GTAP's size.
pub const MAX_KRYLOV_RESTART: usize = 10_000;

impl Default for Options {
    fn default() -> Self {
        Self {
            method: Method::Auto,
            linear_solver: LinearSolver::Auto,
            tolerance: 1e-10,
            max_iterations: 200,
            max_evaluations: 5_000,
            dense_max_dim: 50,
            iterative_min_dim: 1_000,
            armijo: 1e-4,
            min_step: 1e-12,
            broyden_memory: 20,
            singular_pivot: 1e-13,
            krylov_tolerance: 1e-7,
            krylov_restart: 200,
            krylov_max_iterations: 500,
            ilu_drop_tolerance: 1e-2,
        }
    }
}

impl Options {
    /// The settings of the iterative linear solver on a pattern `density` full (stored
    /// entries / n²).
    pub(crate) fn krylov(&self, density: f64) -> crate::linalg::KrylovSettings {
        crate::linalg::KrylovSettings {
            tolerance: self.krylov_tolerance,
            restart: self.krylov_restart,
            max_iterations: self.krylov_max_iterations,
            drop_tolerance: if density > LinearSolver::ILU_DROP_MIN_DENSITY {
                self.ilu_drop_tolerance
            } else {
                0.0
            },
        }
    }

    /// Options with the given method and defaults otherwise.
    pub fn with_method(method: Method) -> Self {
        Self {
            method,
            ..Self::default()
        }
    }

    /// Checks every option's range.
    ///
    /// # Errors
    /// [`SolveError::InvalidOption`] naming the first option out of range.
    pub fn validate(&self) -> Result<(), SolveError> {
        let positive = |option: &'static str, value: f64| {
            if value.is_finite() && value > 0.0 {
                Ok(())
            } else {
                Err(SolveError::InvalidOption {
                    option,
                    value,
                    reason: "must be finite and > 0",
                })
            }
        };
        positive("tolerance", self.tolerance)?;
        positive("min_step", self.min_step)?;
        positive("singular_pivot", self.singular_pivot)?;
        if !(self.armijo > 0.0 && self.armijo < 0.5) {
            return Err(SolveError::InvalidOption {
                option: "armijo",
                value: self.armijo,
                reason: "must lie in (0, 0.5)",
            });
        }
        if self.max_iterations == 0 {
            return Err(SolveError::InvalidOption {
                option: "max_iterations",
                value: 0.0,
                reason: "must be at least 1",
            });
        }
        if !(self.krylov_tolerance > 0.0 && self.krylov_tolerance < 1.0) {
            return Err(SolveError::InvalidOption {
                option: "krylov_tolerance",
                value: self.krylov_tolerance,
                reason: "must lie in (0, 1)",
            });
        }
        if !(self.ilu_drop_tolerance >= 0.0 && self.ilu_drop_tolerance < 1.0) {
            return Err(SolveError::InvalidOption {
                option: "ilu_drop_tolerance",
                value: self.ilu_drop_tolerance,
                reason: "must lie in [0, 1)",
            });
        }
        if self.krylov_restart > MAX_KRYLOV_RESTART {
            return Err(SolveError::InvalidOption {
                option: "krylov_restart",
                value: self.krylov_restart as f64,
                reason: "must be at most 10,000 (the basis takes restart + 1 vectors of length n)",
            });
        }
        for (option, value) in [
            ("krylov_restart", self.krylov_restart),
            ("krylov_max_iterations", self.krylov_max_iterations),
        ] {
            if value == 0 {
                return Err(SolveError::InvalidOption {
                    option,
                    value: 0.0,
                    reason: "must be at least 1",
                });
            }
        }
        if self.broyden_memory == 0 {
            return Err(SolveError::InvalidOption {
                option: "broyden_memory",
                value: 0.0,
                reason: "must be at least 1",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        Options::default().validate().unwrap();
    }

    #[test]
    fn rejected_values_name_the_option() {
        let o = Options {
            tolerance: -1.0,
            ..Options::default()
        };
        assert_eq!(
            o.validate().unwrap_err().to_string(),
            "option `tolerance` = -1 is invalid: must be finite and > 0"
        );
        let d = Options::default;
        let rejected = [
            ("armijo", Options { armijo: 0.7, ..d() }),
            (
                "max_iterations",
                Options {
                    max_iterations: 0,
                    ..d()
                },
            ),
            (
                "krylov_tolerance",
                Options {
                    krylov_tolerance: 1.0,
                    ..d()
                },
            ),
            (
                "krylov_restart",
                Options {
                    krylov_restart: 0,
                    ..d()
                },
            ),
            (
                "krylov_restart",
                Options {
                    krylov_restart: MAX_KRYLOV_RESTART + 1,
                    ..d()
                },
            ),
        ];
        for (name, o) in rejected {
            assert!(
                matches!(o.validate(), Err(SolveError::InvalidOption { option, .. }) if option == name),
                "{name}: {:?}",
                o.validate()
            );
        }
    }

    #[test]
    fn options_reject_unknown_fields() {
        let r: Result<Options, _> = serde_json::from_str(r#"{"tolerance": 1e-8, "tol": 1}"#);
        assert!(r.is_err());
        let o: Options = serde_json::from_str(r#"{"tolerance": 1e-8}"#).unwrap();
        assert_eq!(o.tolerance, 1e-8);
    }
}
