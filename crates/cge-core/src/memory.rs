//! Memory estimates, so that a model too large for the machine is refused with an error that
//! names the estimate instead of being killed by the operating system half-way through a solve.
//!
//! The estimate adds the model's own arrays to what the solver's linear algebra allocates
//! ([`cge_solver::memory::LinearAlgebraMemory`]): the Jacobian in triplet and compressed-column
//! form, and the LU factors or the iterative solver's preconditioner, for the most
//! memory-hungry linear solver a default solve can pick. The triplet counts are exact
//! ([`crate::Model::jacobian_len`], or closed forms in the model families); the LU fill is an
//! upper estimate ([`LU_FILL_FACTOR`] nonzeros of the factors per Jacobian nonzero, measured on
//! the synthetic families of this crate, see `docs/performance.md`).

use cge_solver::memory::LinearAlgebraMemory;
pub use cge_solver::memory::LU_FILL_FACTOR;
use cge_solver::{LinearSolver, Options};
use serde::{Deserialize, Serialize};

use crate::error::CoreError;

/// Fraction of physical memory that [`default_limit`] allows.
pub const DEFAULT_LIMIT_FRACTION: f64 = 0.75;

/// The limit used when the physical memory cannot be read: 8 GiB.
pub const FALLBACK_LIMIT: u64 = 8 << 30;

/// What a solve of a model is expected to allocate \[bytes\].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MemoryEstimate {
    /// Unknowns (= equations).
    pub unknowns: u64,
    /// Jacobian triplets, duplicated positions counted, and fill positions (see
    /// [`cge_solver::Pattern::with_fill`]).
    pub triplets: u64,
    /// The model's own arrays and evaluation state \[bytes\].
    pub model_bytes: u64,
    /// The solver's linear algebra: the Jacobian's forms, the linear solver counted and its
    /// factors or preconditioner ([`LinearAlgebraMemory`]).
    #[serde(flatten)]
    pub solve: LinearAlgebraMemory,
}

impl MemoryEstimate {
    /// The estimate for a model with `unknowns` unknowns, `triplets` Jacobian triplets and
    /// `model_bytes` of its own, solved with the default options.
    pub fn new(unknowns: u64, triplets: u64, model_bytes: u64) -> Self {
        Self::for_solver(unknowns, triplets, model_bytes, LinearSolver::Auto)
    }

    /// The same for a solve with `linear_solver` and otherwise the default options.
    pub fn for_solver(
        unknowns: u64,
        triplets: u64,
        model_bytes: u64,
        linear_solver: LinearSolver,
    ) -> Self {
        let options = Options {
            linear_solver,
            ..Options::default()
        };
        Self::with_options(unknowns, triplets, model_bytes, &options)
    }

    /// The same for a solve with `options`: its linear solver, the thresholds by which
    /// [`LinearSolver::resolve`] chooses one, and its Krylov restart.
    pub fn with_options(unknowns: u64, triplets: u64, model_bytes: u64, options: &Options) -> Self {
        Self {
            unknowns,
            triplets,
            model_bytes,
            solve: LinearAlgebraMemory::estimate(unknowns, triplets, options),
        }
    }

    /// The estimate with sparse LU factors at least as large as a dense `core` × `core` block:
    /// the fill of models whose unknowns are all coupled (a multi-region model with
    /// input–output links and trade between all regions eliminates into a dense block of about
    /// three unknowns per sector and region; measured in `docs/performance.md`). The dense and
    /// iterative solvers' estimates do not change.
    pub fn with_dense_core(mut self, core: u64) -> Self {
        self.solve = self.solve.with_dense_core(core);
        self
    }

    /// Everything together \[bytes\].
    pub fn total(&self) -> u64 {
        self.model_bytes.saturating_add(self.solve.total())
    }

    /// Checks the estimate against `limit` bytes.
    ///
    /// # Errors
    /// [`CoreError::TooLarge`] naming `what`, the estimate and the limit.
    pub fn check(&self, what: &str, limit: u64) -> Result<(), CoreError> {
        if self.total() <= limit {
            Ok(())
        } else {
            Err(CoreError::TooLarge {
                what: what.to_string(),
                unknowns: self.unknowns,
                triplets: self.triplets,
                estimate_bytes: self.total(),
                limit_bytes: limit,
            })
        }
    }
}

/// Physical memory from `/proc/meminfo` (`MemTotal`) \[bytes\]; `None` where it cannot be read.
pub fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_meminfo(&text)
}

fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The default memory limit: [`DEFAULT_LIMIT_FRACTION`] of physical memory, or
/// [`FALLBACK_LIMIT`] when it cannot be read \[bytes\].
pub fn default_limit() -> u64 {
    physical_memory()
        .map(|m| (m as f64 * DEFAULT_LIMIT_FRACTION) as u64)
        .unwrap_or(FALLBACK_LIMIT)
}

/// Peak resident memory of this process so far (`VmHWM` in `/proc/self/status`) \[bytes\];
/// `None` where it cannot be read.
pub fn peak_resident() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Bytes of a model's own arrays for `elems` tree elements and `leaves` leaves: per element
/// seven words of structure and four of evaluation state (twice: the solver keeps two points),
/// per leaf eight words and 40 bytes for its tax (an 8-byte pointer, and the boxed tax itself
/// for the leaves that are taxed).
pub(crate) fn model_bytes(elems: u64, leaves: u64) -> u64 {
    elems * 8 * (7 + 8) + leaves * (8 * 8 + 40)
}

/// Bytes as GiB for messages.
pub(crate) fn gib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 30) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_is_parsed() {
        let text = "MemTotal:       24563588 kB\nMemFree:        19000000 kB\n";
        assert_eq!(parse_meminfo(text), Some(24_563_588 * 1024));
        assert_eq!(parse_meminfo("nothing here"), None);
    }

    #[test]
    fn estimate_grows_with_triplets_and_checks_the_limit() {
        let small = MemoryEstimate::new(1_000, 10_000, 1_000_000);
        let large = MemoryEstimate::new(1_000, 100_000, 1_000_000);
        assert!(large.total() > small.total());
        small.check("small", u64::MAX).unwrap();
        let e = small.check("the small model", 1_000).unwrap_err();
        assert!(matches!(
            e,
            CoreError::TooLarge {
                limit_bytes: 1_000,
                ..
            }
        ));
        assert!(e.to_string().contains("the small model"), "{e}");
        assert!(default_limit() > 0);
    }
}
