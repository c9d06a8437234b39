//! Newton, quasi-Newton and semismooth complementarity solvers for square nonlinear systems
//! F(x) = 0 and mixed complementarity problems (MCP).
//!
//! This crate knows no economics: `cge-core` compiles an economy into a [`Problem`] and calls a
//! [`Solver`]. Converged means the residual ‖F(x)‖∞ — or, with bounds, the complementarity error
//! ‖x − mid(l, u, x − F(x))‖∞ — is below [`Options::tolerance`], never merely a small step; every
//! other outcome is an [`SolveError`] carrying [`Diagnostics`].
//!
//! ```
//! use cge_solver::{EvalError, Options, Pattern, Problem, Solver};
//!
//! /// x² − 2 = 0 and x·y − 1 = 0.
//! struct Example;
//! impl Problem for Example {
//!     fn dim(&self) -> usize { 2 }
//!     fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
//!         f[0] = x[0] * x[0] - 2.0;
//!         f[1] = x[0] * x[1] - 1.0;
//!         Ok(())
//!     }
//!     fn jacobian_pattern(&self) -> Pattern { Pattern::dense(2) }
//!     fn jacobian(&self, x: &[f64], v: &mut [f64]) -> Result<(), EvalError> {
//!         // Column-major: ∂f0/∂x, ∂f1/∂x, ∂f0/∂y, ∂f1/∂y.
//!         v.copy_from_slice(&[2.0 * x[0], x[1], 0.0, x[0]]);
//!         Ok(())
//!     }
//! }
//! let solution = Solver::new(Options::default())?.solve(&Example, &[1.0, 1.0])?;
//! assert!((solution.x[0] - 2f64.sqrt()).abs() < 1e-9);
//! assert!(solution.error < 1e-10);
//! # Ok::<(), cge_solver::SolveError>(())
//! ```
//!
//! # Methods
//!
//! | [`Method`] | what | reference |
//! |---|---|---|
//! | `NewtonLineSearch` | Newton–Raphson, Armijo backtracking on ½‖F‖² with safeguarded quadratic interpolation | Nocedal & Wright (2006), *Numerical Optimization*, §3.1, §3.5, §11.2 |
//! | `Dogleg` | Powell's hybrid dogleg trust region with MINPACK's column scaling | Powell (1970); Moré, Garbow & Hillstrom (1980), MINPACK `hybrj` |
//! | `Broyden` | Broyden's good update of the inverse, Jacobian refreshed when a step fails or the memory fills | Broyden (1965); Kelley (1995), *Iterative Methods for Linear and Nonlinear Equations*, ch. 7 |
//! | `Semismooth` | semismooth Newton on the Fischer–Burmeister reformulation with bounds, projected line search, min-map (active-set) steps at degenerate corners | De Luca, Facchinei & Kanzow (1996); Munson, Facchinei, Ferris, Fischer & Kanzow (2001); compare PATH, Dirkse & Ferris (1995) |
//! | `Auto` (default) | `Semismooth` when the problem has finite bounds; otherwise `NewtonLineSearch`, then `Dogleg` from the start if that fails | |
//!
//! [`Solver::solve_continuation`] follows a [`Homotopy`] from t = 0 to t = 1 (secant predictor,
//! solver as corrector, step halving on failure) for shocks too large for one solve.
//!
//! # Linear algebra
//!
//! The Jacobian is stored in compressed sparse columns. Below [`Options::dense_max_dim`]
//! unknowns (or for a nearly full pattern) Newton steps use faer's dense LU with partial
//! pivoting; above, faer's sparse LU with a COLAMD fill-reducing ordering whose symbolic analysis
//! is done once per solve and reused at every iteration. A numerically singular Jacobian is
//! regularized (J + μI with growing μ) and, failing that, replaced by the steepest-descent
//! direction; [`Diagnostics::regularized_steps`] counts these steps. Buffers are sized once per
//! solve: the iteration loop does not allocate.
#![warn(missing_docs)]
// Index loops over several parallel vectors mirror the algebra of the cited algorithms.
#![allow(clippy::needless_range_loop)]

mod broyden;
mod continuation;
mod dogleg;
mod engine;
mod finite_difference;
mod linalg;
mod newton;
mod options;
mod problem;
mod report;
mod semismooth;
pub mod test_problems;

pub use continuation::Homotopy;
pub use finite_difference::FiniteDifference;
pub use options::Options;
pub use problem::{Bounds, EvalError, Pattern, PatternError, Problem, Residual};
pub use report::{Diagnostics, LinearSolver, Method, Solution, SolveError, Termination};

use engine::Engine;

/// A configured solver.
#[derive(Debug, Clone, Default)]
pub struct Solver {
    options: Options,
}

impl Solver {
    /// A solver with the given options.
    ///
    /// # Errors
    /// [`SolveError::InvalidOption`] if an option is out of range.
    pub fn new(options: Options) -> Result<Self, SolveError> {
        options.validate()?;
        Ok(Self { options })
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Solves F(x) = 0 (or the complementarity problem when the problem has finite bounds) from
    /// `x0`.
    ///
    /// # Errors
    /// Bad input (empty problem, wrong lengths, non-finite start, inconsistent bounds, a start
    /// outside its bounds or rejected by the problem) is reported before iterating;
    /// [`SolveError::NotConverged`] carries the diagnostics when the tolerance is not reached.
    pub fn solve<P: Problem + ?Sized>(
        &self,
        problem: &P,
        x0: &[f64],
    ) -> Result<Solution, SolveError> {
        let opts = &self.options;
        let mut engine = Engine::new(problem, opts, x0)?;
        let has_bounds = engine.bounds.is_some();
        match opts.method {
            Method::Semismooth => semismooth::solve(&mut engine, x0),
            Method::Auto if has_bounds => semismooth::solve(&mut engine, x0),
            method if has_bounds => Err(SolveError::MethodIgnoresBounds {
                problem: problem.name().to_string(),
                method,
            }),
            Method::NewtonLineSearch => newton::solve(&mut engine, x0),
            Method::Dogleg => dogleg::solve(&mut engine, x0),
            Method::Broyden => broyden::solve(&mut engine, x0),
            _ => match newton::solve(&mut engine, x0) {
                Err(SolveError::NotConverged {
                    diagnostics: first, ..
                }) => {
                    // The trust region often succeeds where the line search stalls; its
                    // diagnostics keep the line search's evaluations in the totals.
                    let mut fallback = Engine::new(problem, opts, x0)?;
                    fallback.counts = engine.counts;
                    fallback.counts.iterations = 0;
                    dogleg::solve(&mut fallback, x0).map_err(|e| add_first_attempt(e, &first))
                }
                other => other,
            },
        }
    }
}

/// Records in a fallback's failure how many iterations the first attempt used.
fn add_first_attempt(error: SolveError, first: &Diagnostics) -> SolveError {
    match error {
        SolveError::NotConverged {
            mut diagnostics,
            last_x,
        } => {
            diagnostics.iterations += first.iterations;
            SolveError::NotConverged {
                diagnostics,
                last_x,
            }
        }
        other => other,
    }
}
