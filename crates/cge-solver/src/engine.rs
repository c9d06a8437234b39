//! What every method shares: checked evaluations, the Jacobian and its factorization, Newton
//! directions with regularization, counters and diagnostics.

use std::sync::Arc;
use std::time::Instant;

use crate::linalg::{Factorization, Kind, SparseJacobian, Structure};
use crate::options::Options;
use crate::problem::{Bounds, Problem};
use crate::report::{Diagnostics, LinearSolver, Method, Solution, SolveError, Termination};

/// A Newton direction d is accepted when ‖J d + r‖∞ ≤ this × (‖r‖∞ + max|J|·‖d‖∞): a loose
/// test that catches pivots the LU did not flag, not a demand on accuracy.
pub(crate) const DIRECTION_ACCURACY: f64 = 1e-6;

/// How a Newton direction was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// d = −J⁻¹ r.
    Newton,
    /// d = −(J + μI)⁻¹ r: the Jacobian was (near) singular.
    Regularized,
    /// d = −Jᵀ r: no factorization succeeded.
    Gradient,
}

/// Evaluation counters.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counts {
    pub iterations: usize,
    pub residuals: usize,
    pub jacobians: usize,
    pub factorizations: usize,
    pub regularized: usize,
}

/// The state shared by all methods for one solve.
pub(crate) struct Engine<'a, P: Problem + ?Sized> {
    pub problem: &'a P,
    pub opts: &'a Options,
    pub n: usize,
    pub jac: SparseJacobian,
    factor: Option<Factorization>,
    kind: Kind,
    pub bounds: Option<Bounds>,
    pub counts: Counts,
    pub history: Vec<f64>,
    started: Instant,
    /// Scratch for the linear-residual check.
    check: Vec<f64>,
}

impl<'a, P: Problem + ?Sized> Engine<'a, P> {
    /// Validates the problem and the starting point and sizes every buffer.
    pub fn new(problem: &'a P, opts: &'a Options, x0: &[f64]) -> Result<Self, SolveError> {
        let name = problem.name().to_string();
        let n = problem.dim();
        if n == 0 {
            return Err(SolveError::EmptyProblem { problem: name });
        }
        if x0.len() != n {
            return Err(SolveError::DimensionMismatch {
                problem: name,
                what: "x0",
                expected: n,
                found: x0.len(),
            });
        }
        if let Some((index, &value)) = x0.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(SolveError::NonFiniteStart {
                problem: name,
                index,
                value,
            });
        }
        let bounds = problem.bounds();
        if let Some(b) = &bounds {
            for (what, len) in [
                ("lower bounds", b.lower.len()),
                ("upper bounds", b.upper.len()),
            ] {
                if len != n {
                    return Err(SolveError::DimensionMismatch {
                        problem: name,
                        what,
                        expected: n,
                        found: len,
                    });
                }
            }
            for i in 0..n {
                let (lower, upper) = (b.lower[i], b.upper[i]);
                if lower.is_nan()
                    || upper.is_nan()
                    || lower > upper
                    || lower == f64::INFINITY
                    || upper == f64::NEG_INFINITY
                {
                    return Err(SolveError::InvalidBounds {
                        problem: name,
                        index: i,
                        lower,
                        upper,
                    });
                }
                if x0[i] < lower || x0[i] > upper {
                    return Err(SolveError::StartOutsideBounds {
                        problem: name,
                        index: i,
                        value: x0[i],
                        lower,
                        upper,
                    });
                }
            }
        }
        let bounds = bounds.filter(Bounds::any_finite);
        // The pattern's analysis, once per problem when it keeps it.
        let analysed = match problem.structure_cache() {
            Some(cache) => cache.get_or_analyse(|| problem.jacobian_pattern()),
            None => {
                let pattern = problem.jacobian_pattern();
                Structure::new(&pattern).map(Arc::new).map_err(|_| pattern)
            }
        };
        let structure = analysed.map_err(|pattern| SolveError::PatternTooLarge {
            problem: name.clone(),
            dim: pattern.dim(),
            triplets: pattern.len(),
        })?;
        if structure.dim() != n {
            return Err(SolveError::PatternMismatch {
                problem: name,
                expected: n,
                found: structure.dim(),
            });
        }
        let jac = SparseJacobian::with_structure(structure);
        // Fill positions hold no values: they do not make a pattern fuller.
        let kind = match opts.linear_solver.resolve(n, jac.valued_nnz(), opts) {
            LinearSolver::Dense => Kind::Dense,
            LinearSolver::Iterative => Kind::Iterative,
            _ => Kind::Sparse,
        };
        Ok(Self {
            problem,
            opts,
            n,
            jac,
            factor: None,
            kind,
            bounds,
            counts: Counts::default(),
            history: Vec::with_capacity(opts.max_iterations + 1),
            started: Instant::now(),
            check: vec![0.0; n],
        })
    }

    /// The reason to stop before the next iteration, if any: convergence of `error`, or a limit
    /// on iterations or residual evaluations reached. Every method checks this first.
    pub fn stop(&self, error: f64) -> Option<Termination> {
        if error <= self.opts.tolerance {
            Some(Termination::Converged)
        } else if self.counts.iterations >= self.opts.max_iterations {
            Some(Termination::MaxIterations)
        } else if self.counts.residuals >= self.opts.max_evaluations {
            Some(Termination::MaxEvaluations)
        } else {
            None
        }
    }

    /// Evaluates F at a trial point. `Ok(false)` when the problem rejects the point or returns a
    /// non-finite value there: the caller shortens its step.
    pub fn trial_residual(&mut self, x: &[f64], f: &mut [f64]) -> bool {
        self.counts.residuals += 1;
        self.problem.residual(x, f).is_ok() && f.iter().all(|v| v.is_finite())
    }

    /// Evaluates F at the starting point, where rejection and non-finite values are errors.
    pub fn start_residual(&mut self, x: &[f64], f: &mut [f64]) -> Result<(), SolveError> {
        self.counts.residuals += 1;
        self.problem
            .residual(x, f)
            .map_err(|source| SolveError::StartRejected {
                problem: self.problem.name().to_string(),
                source,
            })?;
        if let Some((index, &value)) = f.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(SolveError::NonFiniteEvaluation {
                problem: self.problem.name().to_string(),
                what: "residual",
                index,
                value,
                iteration: 0,
            });
        }
        Ok(())
    }

    /// Evaluates and assembles the Jacobian at an accepted point, whose residual every method
    /// has evaluated.
    pub fn jacobian(&mut self, x: &[f64]) -> Result<(), SolveError> {
        self.counts.jacobians += 1;
        self.problem
            .jacobian_after_residual(x, &mut self.jac.triplet_values)
            .map_err(|source| SolveError::JacobianRejected {
                problem: self.problem.name().to_string(),
                iteration: self.counts.iterations,
                source,
            })?;
        if let Some((index, value)) = self.jac.first_non_finite_triplet() {
            return Err(SolveError::NonFiniteEvaluation {
                problem: self.problem.name().to_string(),
                what: "jacobian",
                index,
                value,
                iteration: self.counts.iterations,
            });
        }
        self.jac.assemble();
        Ok(())
    }

    fn factorization(&mut self) -> Option<&mut Factorization> {
        if self.factor.is_none() {
            let density = self.jac.valued_nnz() as f64 / (self.n as f64 * self.n as f64);
            let (pivot, krylov) = (self.opts.singular_pivot, self.opts.krylov(density));
            let built = Factorization::new(self.kind, &self.jac, pivot, krylov)
                .or_else(|_| Factorization::new(Kind::Dense, &self.jac, pivot, krylov));
            self.factor = built.ok();
        }
        self.factor.as_mut()
    }

    /// Factorizes J + shift·I.
    fn factor(&mut self, shift: f64) -> bool {
        self.counts.factorizations += 1;
        let jac = &self.jac;
        match self.factor.as_mut() {
            Some(f) => f.factor(jac, shift).is_ok(),
            None => false,
        }
    }

    /// Solves with the current factorization.
    pub fn solve_factored(&mut self, rhs: &mut [f64]) {
        if let Some(f) = self.factor.as_mut() {
            f.solve(rhs);
        }
    }

    /// Solves the transposed system with the current factorization.
    pub fn solve_factored_transpose(&mut self, rhs: &mut [f64]) {
        if let Some(f) = self.factor.as_mut() {
            f.solve_transpose(rhs);
        }
    }

    /// Writes d = −J⁻¹ r into `d`, regularizing J + μI (μ growing ×100 from 1e-10·max|J|) when
    /// J is numerically singular, and falling back to d = −Jᵀ r when nothing factorizes.
    pub fn newton_direction(&mut self, r: &[f64], d: &mut [f64]) -> Direction {
        if self.factorization().is_none() {
            self.gradient_direction(r, d);
            return Direction::Gradient;
        }
        if self.factor(0.0) && self.solve_checked(r, d, true) {
            return Direction::Newton;
        }
        let scale = self.jac.max_abs().max(f64::MIN_POSITIVE);
        let mut shift = 1e-10 * scale;
        for _ in 0..8 {
            if self.factor(shift) && self.solve_checked(r, d, false) {
                self.counts.regularized += 1;
                return Direction::Regularized;
            }
            shift *= 100.0;
        }
        self.counts.regularized += 1;
        self.gradient_direction(r, d);
        Direction::Gradient
    }

    /// d = −(factored matrix)⁻¹ r, accepted only if finite and solving the system accurately.
    /// `unshifted`: the factored matrix is J itself, so a solution that the factorization
    /// verified by its true residual (GMRES) needs no second product.
    fn solve_checked(&mut self, r: &[f64], d: &mut [f64], unshifted: bool) -> bool {
        for (di, ri) in d.iter_mut().zip(r) {
            *di = -ri;
        }
        self.solve_factored(d);
        if !d.iter().all(|v| v.is_finite()) {
            return false;
        }
        if unshifted
            && self
                .factor
                .as_ref()
                .is_some_and(Factorization::last_solve_verified)
        {
            // ‖J d + r‖∞ ≤ DIRECTION_ACCURACY · ‖r‖∞, within the bound below.
            return true;
        }
        // ‖J d + r‖ small relative to ‖r‖ + ‖J‖‖d‖: catches pivots that LU did not flag.
        self.jac.mul(d, &mut self.check);
        let scale = inf_norm(r) + self.jac.max_abs() * inf_norm(d);
        let err = self
            .check
            .iter()
            .zip(r)
            .fold(0.0f64, |m, (a, b)| m.max((a + b).abs()));
        // A shifted factorization does not solve J d = −r exactly; only reject garbage.
        err <= DIRECTION_ACCURACY * scale.max(f64::MIN_POSITIVE)
            || self.counts.regularized > 0 && err <= 0.5 * scale
    }

    /// d = −Jᵀ r, the steepest-descent direction of ½‖r‖².
    pub fn gradient_direction(&self, r: &[f64], d: &mut [f64]) {
        self.jac.mul_transpose(r, d);
        d.iter_mut().for_each(|v| *v = -*v);
    }

    /// Whether a factorization costs far more than a solve with it, so that reusing it for a
    /// chord step pays: a dense matrix from n = 200, or a sparse one from n = 200 with 20 or
    /// more entries per column on average (where fill makes the LU nearly dense). Decided from
    /// the structure alone, so that runs are reproducible. Never for the iterative solver, whose
    /// ILU(0) costs about a matrix–vector product per GMRES iteration.
    pub fn factorization_is_costly(&self) -> bool {
        let per_column = self.jac.nnz() as f64 / self.n as f64;
        self.n >= 200
            && (self.kind == Kind::Dense || self.kind == Kind::Sparse && per_column >= 20.0)
    }

    /// Name of the linear solver in use.
    pub fn linear_solver_name(&self) -> &'static str {
        match self
            .factor
            .as_ref()
            .map(Factorization::kind)
            .unwrap_or(self.kind)
        {
            Kind::Dense => LinearSolver::Dense,
            Kind::Sparse => LinearSolver::Sparse,
            Kind::Iterative => LinearSolver::Iterative,
        }
        .name()
    }

    /// Diagnostics of the solve so far.
    pub fn diagnostics(&self, method: Method, termination: Termination) -> Diagnostics {
        let krylov = self
            .factor
            .as_ref()
            .map(Factorization::krylov_stats)
            .unwrap_or_default();
        Diagnostics {
            problem: self.problem.name().to_string(),
            method,
            linear_solver: self.linear_solver_name().to_string(),
            dim: self.n,
            nonzeros: self.jac.nnz(),
            iterations: self.counts.iterations,
            residual_evaluations: self.counts.residuals,
            jacobian_evaluations: self.counts.jacobians,
            factorizations: self.counts.factorizations,
            regularized_steps: self.counts.regularized,
            krylov_solves: krylov.solves,
            krylov_iterations: krylov.iterations,
            krylov_fallbacks: krylov.fallbacks,
            krylov_preconditioners: krylov.preconditioners,
            residual_history: self.history.clone(),
            termination,
            wall_time_secs: self.started.elapsed().as_secs_f64(),
            continuation: Vec::new(),
        }
    }

    /// The result of a finished method: a solution when converged, the error otherwise.
    pub fn finish(
        &self,
        method: Method,
        termination: Termination,
        x: &[f64],
        f: &[f64],
        error: f64,
    ) -> Result<Solution, SolveError> {
        let diagnostics = self.diagnostics(method, termination);
        if termination == Termination::Converged {
            Ok(Solution {
                x: x.to_vec(),
                residual: f.to_vec(),
                error,
                diagnostics,
            })
        } else {
            Err(SolveError::NotConverged {
                diagnostics: Box::new(diagnostics),
                last_x: x.to_vec(),
            })
        }
    }

    /// Why a method that can make no more progress stopped: a local minimum of ‖F‖ when the
    /// gradient Jᵀ F of ½‖F‖² is negligible against ‖J‖‖F‖, otherwise a stall.
    pub fn classify_stall(&self, f: &[f64], grad: &[f64]) -> Termination {
        let scale = self.jac.max_abs() * two_norm(f);
        if inf_norm(grad) <= 1e-8 * scale.max(f64::MIN_POSITIVE) {
            Termination::LocalMinimum
        } else {
            Termination::Stalled
        }
    }
}

/// Iterates over which [`stagnated`] looks for progress.
const STAGNATION_WINDOW: usize = 10;

/// Whether the error has stopped falling close to a solution: it is below
/// [`NEAR_SOLUTION`] of the starting error, and the last [`STAGNATION_WINDOW`] iterates have
/// not lowered the best error at all. There round-off, not the method, limits the error
/// (residuals that sum terms in the tens of thousands cannot fall much below 10⁻¹¹), and the
/// semismooth method's non-monotone line search would otherwise accept steps until the
/// iteration limit. (Monotone methods detect their stalls themselves; slow progress, as
/// Broyden's on Wood's function, is progress.) It is judged on the error the tolerance tests,
/// not on the line search's row-scaled merit: what it detects is that this test is out of
/// reach.
pub(crate) fn stagnated(history: &[f64]) -> bool {
    if history.len() <= STAGNATION_WINDOW {
        return false;
    }
    let (before, recent) = history.split_at(history.len() - STAGNATION_WINDOW);
    let best = |v: &[f64]| v.iter().fold(f64::INFINITY, |m, &e| m.min(e));
    let best_before = best(before);
    best_before < NEAR_SOLUTION * (1.0 + history[0]) && best(recent) >= best_before
}

/// Error relative to the starting one (plus 1) below which a solve is close to its solution,
/// for [`stagnated`] and the round-off note of [`crate::Diagnostics::round_off_note`].
pub(crate) const NEAR_SOLUTION: f64 = 1e-6;

/// max |v_i|.
pub(crate) fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Euclidean norm.
pub(crate) fn two_norm(v: &[f64]) -> f64 {
    dot(v, v).sqrt()
}

/// Inner product.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// ½‖v‖².
pub(crate) fn half_sq(v: &[f64]) -> f64 {
    0.5 * dot(v, v)
}
