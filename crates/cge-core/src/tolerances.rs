//! Every numerical tolerance of the crate, in one place.
//!
//! Tolerances are relative to the model's *scale*: the largest benchmark value of any sector,
//! consumer or endowment (at least 1), so that a model in billions and one in units behave
//! alike.

/// A benchmark condition counts as balanced when its residual is at most this times the
/// model's scale. Benchmark data are usually rounded to 6 or more significant digits.
pub const BENCHMARK_RELATIVE: f64 = 1e-6;

/// The Walras residual (the dropped equation evaluated at a solution) counts as round-off
/// when it is at most this times the model's scale.
pub const WALRAS_RELATIVE: f64 = 1e-8;

/// Step of the central finite differences that check analytic Jacobians in tests, relative to
/// max(1, |x_j|).
pub const FD_STEP: f64 = 1e-6;

/// An analytic Jacobian entry agrees with its central finite difference when the difference
/// is at most this times max(1, |entry|).
pub const FD_AGREEMENT: f64 = 1e-5;

/// Relative agreement with a reference value published to 6 significant digits (half a unit in
/// the 6th digit).
pub const SIX_SIGNIFICANT_DIGITS: f64 = 5e-6;

/// Relative agreement of two computations of the same equilibrium (a reference with full
/// digits, or the same model solved two ways): the solver stops at residuals of 1e-10.
pub const SAME_EQUILIBRIUM: f64 = 1e-8;

/// Value shares given as parameters (cost shares, demand shares) must sum to 1 within this:
/// they are typed in, not computed, so anything larger is a mistake rather than round-off.
pub const SHARE_SUM: f64 = 1e-9;

/// Relative accuracy to which the biproportional (RAS) balancing of synthetic bilateral trade
/// data matches its margins; far below [`BENCHMARK_RELATIVE`], so synthetic data always pass
/// the benchmark check.
pub const SYNTHETIC_BALANCE: f64 = 1e-12;

/// Convergence tolerance of large models relative to their scale: the solver's default
/// absolute tolerance (1e-10) lies below the round-off of residuals in the tens of thousands of
/// money units, where Newton then stalls; [`crate::Model::solver_options`] uses this times the
/// scale when that is larger.
pub const SOLVE_RELATIVE: f64 = 1e-12;
