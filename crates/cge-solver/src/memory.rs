//! What a solve allocates for its linear algebra, so that a caller can refuse a problem too
//! large for the machine before starting it. The counts follow the solver's own buffers: the
//! Jacobian in the problem's triplet form and in compressed columns, and the LU factors or the
//! iterative solver's matrices and preconditioner. The triplet counts are the caller's; the LU
//! fill is an upper estimate ([`LU_FILL_FACTOR`]).

use serde::{Deserialize, Serialize};

use crate::{LinearSolver, Options};

/// Nonzeros of the sparse LU factors per stored Jacobian entry, an upper estimate from the
/// synthetic multi-region and SAM families of `cge-core` (COLAMD ordering): fill between 1.5
/// and 6 measured (`docs/performance.md`).
pub const LU_FILL_FACTOR: f64 = 8.0;

/// Bytes per Jacobian triplet while a solve runs: the pattern's row and column (16), the sort
/// keys while the pattern is analysed (8, in two copies), the triplets in slot order with their
/// slots (8) and the triplet's value (8).
const BYTES_PER_TRIPLET: u64 = 48;

/// Bytes per compressed-column entry: row index and value, the shifted copy the sparse LU
/// factorizes, and its own copy of the structure.
const BYTES_PER_STORED: u64 = 32;

/// Bytes per LU factor entry: value and row index.
const BYTES_PER_FACTOR_ENTRY: u64 = 16;

/// Bytes per compressed-column entry for the iterative solver: its copy of J + μI by columns
/// (value, row index) and by rows (value, column, slot), and ILU(0)'s factors on the permuted
/// pattern (value, row, source slot, and their copy by rows) with its setup scratch (matching
/// candidates).
const BYTES_PER_ITERATIVE_ENTRY: u64 = 112;

/// The linear algebra of a solve \[bytes\].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinearAlgebraMemory {
    /// The linear solver whose memory is counted: the given one, or for
    /// [`LinearSolver::Auto`] the most memory-hungry of those [`LinearSolver::resolve`] can
    /// pick for this size (it decides on the Jacobian's entries after duplicates merge, known
    /// only when the solve starts: between one per unknown and one per triplet).
    pub linear_solver: LinearSolver,
    /// The Jacobian in triplet and compressed-column form.
    pub jacobian_bytes: u64,
    /// The LU factors (dense, or sparse with [`LU_FILL_FACTOR`]), or the iterative solver's
    /// preconditioner, matrix copies and Krylov basis.
    pub factor_bytes: u64,
}

impl LinearAlgebraMemory {
    /// The Jacobian and the factors together \[bytes\].
    pub fn total(&self) -> u64 {
        self.jacobian_bytes.saturating_add(self.factor_bytes)
    }

    /// The estimate for `unknowns` unknowns and `triplets` Jacobian triplets (duplicated
    /// positions and fill positions counted) solved with `options`: its linear solver, the
    /// thresholds by which [`LinearSolver::resolve`] chooses one, and its Krylov restart.
    pub fn estimate(unknowns: u64, triplets: u64, options: &Options) -> Self {
        // Duplicated positions merge and the diagonal is added: the stored entries lie between
        // these two.
        let (fewest, most) = (unknowns, triplets + unknowns);
        let factor_bytes = |kind: LinearSolver| match kind {
            LinearSolver::Dense => unknowns.saturating_mul(unknowns).saturating_mul(8),
            LinearSolver::Iterative => {
                let basis = (options.krylov_restart as u64 + 8) * unknowns * 8;
                most * BYTES_PER_ITERATIVE_ENTRY + basis
            }
            _ => (LU_FILL_FACTOR * most as f64) as u64 * BYTES_PER_FACTOR_ENTRY,
        };
        let n = unknowns as usize;
        let (sparsest, fullest) = (
            options.linear_solver.resolve(n, fewest as usize, options),
            options.linear_solver.resolve(n, most as usize, options),
        );
        // `resolve` is monotone in the density: when the two ends differ, the sparse LU (the
        // choice between the thresholds) is possible too. The iterative solver's LU fallback
        // is not counted (docs/performance.md).
        let candidates: &[LinearSolver] = if sparsest == fullest {
            &[fullest]
        } else {
            &[fullest, sparsest, LinearSolver::Sparse]
        };
        let chosen = candidates
            .iter()
            .copied()
            .max_by_key(|&kind| factor_bytes(kind))
            .unwrap_or(fullest);
        Self {
            linear_solver: chosen,
            jacobian_bytes: triplets * BYTES_PER_TRIPLET + most * BYTES_PER_STORED,
            factor_bytes: factor_bytes(chosen),
        }
    }

    /// The estimate with sparse LU factors at least as large as a dense `core` × `core` block,
    /// for problems whose unknowns are all coupled. The dense and iterative solvers' estimates
    /// do not change.
    pub fn with_dense_core(mut self, core: u64) -> Self {
        if self.linear_solver == LinearSolver::Sparse {
            let dense = core
                .saturating_mul(core)
                .saturating_mul(BYTES_PER_FACTOR_ENTRY);
            self.factor_bytes = self.factor_bytes.max(dense);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_follows_the_options_choice_of_solver() {
        // 2,000 unknowns, 20,000 triplets: GMRES by default (from 1,000 unknowns), the sparse
        // LU when the iterative solver starts only at 5,000.
        let default = LinearAlgebraMemory::estimate(2_000, 20_000, &Options::default());
        assert_eq!(default.linear_solver, LinearSolver::Iterative);
        let options = Options {
            iterative_min_dim: 5_000,
            ..Options::default()
        };
        let later = LinearAlgebraMemory::estimate(2_000, 20_000, &options);
        assert_eq!(later.linear_solver, LinearSolver::Sparse);
        assert_ne!(later.factor_bytes, default.factor_bytes);
        // A dense core raises only the sparse LU's factors.
        let core = later.with_dense_core(10_000);
        assert_eq!(core.factor_bytes, 10_000 * 10_000 * BYTES_PER_FACTOR_ENTRY);
        assert_eq!(default.with_dense_core(10_000), default);
    }
}
