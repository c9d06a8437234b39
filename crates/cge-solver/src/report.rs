//! What a solve returns: the solution with its diagnostics, or an error carrying them.

use serde::{Deserialize, Serialize};

use crate::problem::EvalError;

/// The solution methods. See the crate docs for each method's reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub enum Method {
    /// Semismooth Newton for problems with bounds; for plain systems Newton with a line search,
    /// falling back to the dogleg trust region when the line search fails.
    #[default]
    Auto,
    /// Newton–Raphson with an Armijo backtracking line search on ½‖F‖².
    NewtonLineSearch,
    /// Powell's dogleg trust region (the idea of MINPACK's `hybrj`).
    Dogleg,
    /// Broyden's "good" quasi-Newton update, refreshing the Jacobian when progress stalls.
    Broyden,
    /// Semismooth Newton on the Fischer–Burmeister reformulation of the complementarity problem.
    Semismooth,
}

/// The linear solver for Newton steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub enum LinearSolver {
    /// Dense LU below [`crate::Options::dense_max_dim`] unknowns (or when the pattern is dense),
    /// the iterative solver for large sparse patterns, sparse LU otherwise: see
    /// [`LinearSolver::resolve`].
    #[default]
    Auto,
    /// Dense LU with partial pivoting.
    Dense,
    /// Sparse LU with a fill-reducing column ordering computed once per solve.
    Sparse,
    /// Restarted GMRES (Saad & Schultz 1986) with right preconditioning by ILU(0) (on the rows
    /// permuted by a greedy matching, so that large entries lie on the diagonal), to the relative
    /// residual [`crate::Options::krylov_tolerance`]; a system GMRES does not solve within
    /// [`crate::Options::krylov_max_iterations`] is solved by the sparse LU instead (counted in
    /// [`Diagnostics::krylov_fallbacks`]). The preconditioner is kept across Newton systems
    /// while GMRES converges quickly with it, and refreshed before the LU is tried. Its memory is
    /// linear in the Jacobian's entries as long as no system falls back to the LU.
    Iterative,
}

impl LinearSolver {
    /// Every choice with the name [`LinearSolver::from_str`](std::str::FromStr) accepts for it
    /// and [`Diagnostics::linear_solver`] reports.
    pub const ALL: [(Self, &'static str); 4] = [
        (Self::Auto, "auto"),
        (Self::Dense, "dense"),
        (Self::Sparse, "sparse"),
        (Self::Iterative, "iterative"),
    ];

    /// The names [`LinearSolver::from_str`](std::str::FromStr) accepts, in order.
    pub const NAMES: [&'static str; 4] = [
        Self::ALL[0].1,
        Self::ALL[1].1,
        Self::ALL[2].1,
        Self::ALL[3].1,
    ];

    /// This choice's name, as [`LinearSolver::from_str`](std::str::FromStr) reads it.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or("auto", |(_, name)| name)
    }

    /// Patterns fuller than this (stored entries / n²) get an ILU(0) that leaves out weak
    /// couplings ([`crate::Options::ilu_drop_tolerance`]); sparser ones keep every entry. On the
    /// synthetic worlds (1–3 % full) every position helps: dropping entries under 1 % of their
    /// column's largest takes GMRES from ~80 iterations per system to its limit. On the dense
    /// standard SAM model (12 % full) the full ILU(0) costs as much as the sparse LU, the
    /// dropped one next to nothing, and GMRES still needs only ~11 iterations
    /// (`docs/performance.md`).
    pub const ILU_DROP_MIN_DENSITY: f64 = 0.05;

    /// Patterns fuller than this go to the dense LU under `Auto`.
    pub const DENSE_MIN_DENSITY: f64 = 0.3;

    /// The solver `Auto` stands for on an n × n Jacobian with `stored` entries (after merging
    /// duplicates, diagonal included): dense LU up to [`crate::Options::dense_max_dim`]
    /// unknowns or above [`Self::DENSE_MIN_DENSITY`] fill; the iterative solver from
    /// [`crate::Options::iterative_min_dim`] unknowns; the sparse LU in between. Any other
    /// choice is returned as it is. Decided from the structure alone, so that runs are
    /// reproducible. From n = 1,000 the sparse LU of these models fills to dense blocks: on the
    /// synthetic worlds GMRES is 3–10× faster from n = 1,720, on the dense standard SAM model
    /// (n = 5,132) 4× faster (`docs/performance.md`).
    pub fn resolve(self, n: usize, stored: usize, options: &crate::Options) -> Self {
        if self != Self::Auto {
            return self;
        }
        let density = stored as f64 / (n as f64 * n as f64);
        if n <= options.dense_max_dim || density > Self::DENSE_MIN_DENSITY {
            Self::Dense
        } else if n >= options.iterative_min_dim && u32::try_from(n).is_ok() {
            Self::Iterative
        } else {
            Self::Sparse
        }
    }
}

impl std::str::FromStr for LinearSolver {
    type Err = SolveError;

    /// `auto`, `dense`, `sparse` or `iterative`, as on a command line.
    fn from_str(name: &str) -> Result<Self, SolveError> {
        Self::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(kind, _)| *kind)
            .ok_or_else(|| SolveError::UnknownLinearSolver {
                found: name.to_string(),
            })
    }
}

/// Why a solve stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Termination {
    /// The residual (or complementarity error) fell below the tolerance.
    Converged,
    /// The iteration limit was reached.
    MaxIterations,
    /// The limit on residual evaluations was reached.
    MaxEvaluations,
    /// The merit function ½‖F‖² stopped decreasing at a point where its gradient vanishes: a
    /// local minimum of ‖F‖ that is not a root.
    LocalMinimum,
    /// No acceptable step could be found (line search or trust region collapsed).
    Stalled,
    /// Every trial point was rejected by the problem (outside the domain).
    DomainError,
}

/// Diagnostics of a solve, successful or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    /// The problem's name.
    pub problem: String,
    /// The method that produced the final point.
    pub method: Method,
    /// Linear solver used: "dense", "sparse" or "iterative".
    pub linear_solver: String,
    /// Number of unknowns.
    pub dim: usize,
    /// Number of Jacobian triplets.
    pub nonzeros: usize,
    /// Outer iterations.
    pub iterations: usize,
    /// Residual evaluations.
    pub residual_evaluations: usize,
    /// Jacobian evaluations.
    pub jacobian_evaluations: usize,
    /// Matrix factorizations requested (with [`LinearSolver::Iterative`], matrices handed to
    /// the iterative solver; [`Diagnostics::krylov_preconditioners`] counts its ILU(0)
    /// factorizations).
    pub factorizations: usize,
    /// Steps where the Jacobian was (near) singular and was regularized.
    pub regularized_steps: usize,
    /// [`LinearSolver::Iterative`]: linear systems given to GMRES.
    #[serde(default)]
    pub krylov_solves: usize,
    /// [`LinearSolver::Iterative`]: GMRES iterations over all systems.
    #[serde(default)]
    pub krylov_iterations: usize,
    /// [`LinearSolver::Iterative`]: systems where GMRES did not converge within its iteration
    /// limit and the sparse LU solved them instead.
    #[serde(default)]
    pub krylov_fallbacks: usize,
    /// [`LinearSolver::Iterative`]: ILU(0) factorizations of the preconditioner, which is kept
    /// from one Newton system to the next while GMRES converges quickly with it.
    #[serde(default)]
    pub krylov_preconditioners: usize,
    /// ‖F‖∞ (or the complementarity error for a problem with bounds) at each iterate, starting
    /// with the initial point.
    pub residual_history: Vec<f64>,
    /// Why the solve stopped.
    pub termination: Termination,
    /// Wall time in seconds.
    pub wall_time_secs: f64,
    /// Parameter values solved along a continuation path (empty for a single solve).
    #[serde(default)]
    pub continuation: Vec<f64>,
}

impl Diagnostics {
    /// The last entry of the residual history.
    pub fn final_residual(&self) -> f64 {
        self.residual_history.last().copied().unwrap_or(f64::NAN)
    }

    /// Why a solve stopped, in one line: termination, iterations, final error, method and the
    /// [`Diagnostics::round_off_note`] (the text of [`SolveError::NotConverged`]).
    pub fn summary(&self) -> String {
        format!(
            "{:?} after {} iterations, final error {:.3e} (method {:?}){}",
            self.termination,
            self.iterations,
            self.final_residual(),
            self.method,
            self.round_off_note()
        )
    }

    /// For a solve that stalled (or whose error stopped falling for its last iterations) although
    /// its error had fallen close to zero (below 10⁻⁶ of the starting error): a note that the
    /// tolerance may lie below the round-off of the residuals. Empty otherwise, e.g. for a solve
    /// cut short by its iteration limit while still converging.
    pub fn round_off_note(&self) -> String {
        let start = self.residual_history.first().copied().unwrap_or(f64::NAN);
        let last = self.final_residual();
        let near = last < crate::engine::NEAR_SOLUTION * (1.0 + start);
        let stuck = self.termination == Termination::Stalled
            || (self.termination != Termination::Converged
                && crate::engine::stagnated(&self.residual_history));
        if near && stuck {
            format!(
                "; the error stopped falling at {last:.3e}, {:.0e} of its start: the tolerance may lie below the round-off of the residuals at this scale (raise it)",
                last / start.max(f64::MIN_POSITIVE)
            )
        } else {
            String::new()
        }
    }

    /// "S systems, I iterations (I/S per system), P ILU(0) factorizations, F LU fallbacks" when
    /// GMRES solved any system.
    pub fn krylov_summary(&self) -> Option<String> {
        (self.krylov_solves > 0).then(|| {
            format!(
                "{} systems, {} iterations ({:.1} per system), {} ILU(0) factorizations, {} LU \
                 fallbacks",
                self.krylov_solves,
                self.krylov_iterations,
                self.krylov_iterations as f64 / self.krylov_solves as f64,
                self.krylov_preconditioners,
                self.krylov_fallbacks
            )
        })
    }
}

/// A converged solve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    /// The solution point.
    pub x: Vec<f64>,
    /// F(x) at the solution.
    pub residual: Vec<f64>,
    /// ‖F(x)‖∞ for plain systems, the complementarity error ‖x − mid(l, u, x − F(x))‖∞ for
    /// problems with bounds.
    pub error: f64,
    /// How the solve went.
    pub diagnostics: Diagnostics,
}

/// Why a solve failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SolveError {
    /// The problem has no unknowns.
    #[error("problem `{problem}` has no unknowns")]
    EmptyProblem {
        /// The problem's name.
        problem: String,
    },
    /// A vector has the wrong length.
    #[error("problem `{problem}`: {what} has length {found}, expected {expected}")]
    DimensionMismatch {
        /// The problem's name.
        problem: String,
        /// Which vector.
        what: &'static str,
        /// The problem's dimension.
        expected: usize,
        /// The vector's length.
        found: usize,
    },
    /// The starting point holds NaN or ±∞.
    #[error("problem `{problem}`: starting point x0[{index}] = {value} is not finite")]
    NonFiniteStart {
        /// The problem's name.
        problem: String,
        /// The offending index.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// A lower bound exceeds its upper bound, or a bound is NaN.
    #[error("problem `{problem}`: bounds at index {index} are inconsistent (lower {lower} > upper {upper} or NaN)")]
    InvalidBounds {
        /// The problem's name.
        problem: String,
        /// The offending index.
        index: usize,
        /// Its lower bound.
        lower: f64,
        /// Its upper bound.
        upper: f64,
    },
    /// The starting point lies outside its bounds.
    #[error("problem `{problem}`: starting point x0[{index}] = {value} lies outside its bounds [{lower}, {upper}]")]
    StartOutsideBounds {
        /// The problem's name.
        problem: String,
        /// The offending index.
        index: usize,
        /// Its value.
        value: f64,
        /// Its lower bound.
        lower: f64,
        /// Its upper bound.
        upper: f64,
    },
    /// The residual or Jacobian holds NaN or ±∞ at a point the problem accepted.
    #[error(
        "problem `{problem}`: {what}[{index}] = {value} is not finite at iteration {iteration}"
    )]
    NonFiniteEvaluation {
        /// The problem's name.
        problem: String,
        /// "residual" or "jacobian".
        what: &'static str,
        /// Index of the equation (residual) or triplet (Jacobian).
        index: usize,
        /// Its value.
        value: f64,
        /// The iteration.
        iteration: usize,
    },
    /// The problem rejected the starting point.
    #[error("problem `{problem}` rejected the starting point: {source}")]
    StartRejected {
        /// The problem's name.
        problem: String,
        /// The problem's reason.
        source: EvalError,
    },
    /// The problem rejected the Jacobian at a point whose residual it accepted.
    #[error("problem `{problem}` rejected the Jacobian at iteration {iteration}: {source}")]
    JacobianRejected {
        /// The problem's name.
        problem: String,
        /// The iteration.
        iteration: usize,
        /// The problem's reason.
        source: EvalError,
    },
    /// The chosen method solves plain systems only, but the problem has bounds.
    #[error("problem `{problem}` has bounds (a complementarity problem); method {method:?} ignores bounds: use Method::Semismooth or Method::Auto")]
    MethodIgnoresBounds {
        /// The problem's name.
        problem: String,
        /// The method asked for.
        method: Method,
    },
    /// The Jacobian pattern does not match the problem's dimension.
    #[error(
        "problem `{problem}`: Jacobian pattern is for dimension {found}, problem has {expected}"
    )]
    PatternMismatch {
        /// The problem's name.
        problem: String,
        /// The problem's dimension.
        expected: usize,
        /// The pattern's dimension.
        found: usize,
    },
    /// A Jacobian pattern with 2³² unknowns, or 2³² − 1 triplets or stored entries (fill and
    /// diagonal included), beyond the solver's 32-bit indices (such a pattern needs over
    /// 64 GiB for its triplets alone).
    #[error(
        "problem `{problem}`: Jacobian pattern with {dim} unknowns and {triplets} triplets is too large for 32-bit indices (at most 2^32 - 1 unknowns, and fewer than 2^32 - 1 triplets and stored entries with the fill and the diagonal)"
    )]
    PatternTooLarge {
        /// The problem's name.
        problem: String,
        /// The pattern's dimension.
        dim: usize,
        /// The pattern's triplets.
        triplets: usize,
    },
    /// A linear solver's name that is not one of [`LinearSolver::NAMES`].
    #[error("unknown linear solver `{found}`: expected auto, dense, sparse or iterative")]
    UnknownLinearSolver {
        /// The name given.
        found: String,
    },
    /// An option has a value outside its range.
    #[error("option `{option}` = {value} is invalid: {reason}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// Its value.
        value: f64,
        /// The allowed range.
        reason: &'static str,
    },
    /// The solver stopped without reaching the tolerance. The diagnostics say why and where.
    #[error("problem `{}` not solved: {}", .diagnostics.problem, .diagnostics.summary())]
    NotConverged {
        /// The full diagnostics of the failed solve.
        diagnostics: Box<Diagnostics>,
        /// The last iterate, for inspection (never a solution).
        last_x: Vec<f64>,
    },
}
