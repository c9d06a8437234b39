//! Linear algebra for Newton steps: the Jacobian in compressed sparse column form, and its LU
//! factorization, dense (partial pivoting) or sparse (COLAMD ordering, symbolic analysis once).
//!
//! Both factorizations come from faer; every buffer is sized when the solve starts, so the
//! iteration loop does not allocate.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::lu::partial_pivoting::{factor as dense_factor, solve as dense_solve};
use faer::perm::PermRef;
use faer::sparse::linalg::lu::{factorize_symbolic_lu, LuRef, NumericLu, SymbolicLu};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Conj, Mat, MatMut, Par};

use crate::problem::Pattern;

/// The Jacobian stored column by column. The problem's triplets (possibly duplicated) are summed
/// into their slots; the diagonal is always stored so that a shift μI never changes the
/// structure.
#[derive(Debug, Clone)]
pub(crate) struct SparseJacobian {
    n: usize,
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    /// Values in CSC order.
    pub values: Vec<f64>,
    /// Values in the problem's triplet order, as the problem writes them.
    pub triplet_values: Vec<f64>,
    slot_of_triplet: Vec<usize>,
    diag_slot: Vec<usize>,
}

impl SparseJacobian {
    /// Builds the CSC structure of `pattern` plus the diagonal.
    pub fn new(pattern: &Pattern) -> Self {
        let n = pattern.dim();
        // Collect (col, row) pairs including the diagonal, sort, deduplicate.
        let mut entries: Vec<(usize, usize)> = pattern
            .cols()
            .iter()
            .zip(pattern.rows())
            .map(|(&c, &r)| (c, r))
            .chain((0..n).map(|i| (i, i)))
            .collect();
        entries.sort_unstable();
        entries.dedup();
        let mut col_ptr = vec![0; n + 1];
        let mut row_idx = Vec::with_capacity(entries.len());
        for &(c, r) in &entries {
            col_ptr[c + 1] += 1;
            row_idx.push(r);
        }
        for j in 0..n {
            col_ptr[j + 1] += col_ptr[j];
        }
        let slot = |r: usize, c: usize| -> usize {
            let col = &row_idx[col_ptr[c]..col_ptr[c + 1]];
            col_ptr[c]
                + col
                    .binary_search(&r)
                    .expect("entry present by construction")
        };
        let slot_of_triplet = pattern
            .rows()
            .iter()
            .zip(pattern.cols())
            .map(|(&r, &c)| slot(r, c))
            .collect();
        let diag_slot = (0..n).map(|i| slot(i, i)).collect();
        let nnz = row_idx.len();
        Self {
            n,
            col_ptr,
            row_idx,
            values: vec![0.0; nnz],
            triplet_values: vec![0.0; pattern.len()],
            slot_of_triplet,
            diag_slot,
        }
    }

    /// Dimension.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Stored entries (after merging duplicates, with the diagonal).
    pub fn nnz(&self) -> usize {
        self.row_idx.len()
    }

    /// Sums the triplet values into the CSC values.
    pub fn assemble(&mut self) {
        self.values.fill(0.0);
        for (&slot, &v) in self.slot_of_triplet.iter().zip(&self.triplet_values) {
            self.values[slot] += v;
        }
    }

    /// out = J v.
    pub fn mul(&self, v: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for (j, &vj) in v.iter().enumerate() {
            if vj != 0.0 {
                for k in self.col_ptr[j]..self.col_ptr[j + 1] {
                    out[self.row_idx[k]] += self.values[k] * vj;
                }
            }
        }
    }

    /// out = Jᵀ v.
    pub fn mul_transpose(&self, v: &[f64], out: &mut [f64]) {
        for (j, o) in out.iter_mut().enumerate() {
            *o = (self.col_ptr[j]..self.col_ptr[j + 1])
                .map(|k| self.values[k] * v[self.row_idx[k]])
                .sum();
        }
    }

    /// Euclidean norm of each column.
    pub fn column_norms(&self, out: &mut [f64]) {
        for (j, o) in out.iter_mut().enumerate() {
            *o = (self.col_ptr[j]..self.col_ptr[j + 1])
                .map(|k| self.values[k] * self.values[k])
                .sum::<f64>()
                .sqrt();
        }
    }

    /// Scales row i by `row_scale[i]` and adds `diag_add[i]` on the diagonal: J ← diag(a) + diag(b) J,
    /// the generalized Jacobian of a complementarity reformulation.
    pub fn scale_rows_add_diagonal(&mut self, row_scale: &[f64], diag_add: &[f64]) {
        for (v, &r) in self.values.iter_mut().zip(&self.row_idx) {
            *v *= row_scale[r];
        }
        for (i, &s) in self.diag_slot.iter().enumerate() {
            self.values[s] += diag_add[i];
        }
    }

    /// Largest |entry| of each row.
    pub fn row_max_abs(&self, out: &mut [f64]) {
        out.fill(0.0);
        for (v, &r) in self.values.iter().zip(&self.row_idx) {
            out[r] = out[r].max(v.abs());
        }
    }

    /// Largest |entry|.
    pub fn max_abs(&self) -> f64 {
        self.values.iter().fold(0.0, |m, v| m.max(v.abs()))
    }

    /// First triplet index with a non-finite value.
    pub fn first_non_finite_triplet(&self) -> Option<(usize, f64)> {
        self.triplet_values
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_finite())
            .map(|(k, &v)| (k, v))
    }
}

/// The factorization failed or the matrix is numerically singular.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Singular;

/// Which factorization is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Dense,
    Sparse,
}

/// An LU factorization of (J + μI), dense or sparse, reusing its storage across iterations.
pub(crate) enum Factorization {
    Dense(DenseLu),
    Sparse(Box<SparseLu>),
}

impl Factorization {
    /// Storage for factorizing `jac`'s structure with the given kind.
    pub fn new(kind: Kind, jac: &SparseJacobian, singular_pivot: f64) -> Result<Self, Singular> {
        Ok(match kind {
            Kind::Dense => Self::Dense(DenseLu::new(jac.dim(), singular_pivot)),
            Kind::Sparse => Self::Sparse(Box::new(SparseLu::new(jac)?)),
        })
    }

    pub fn kind(&self) -> Kind {
        match self {
            Self::Dense(_) => Kind::Dense,
            Self::Sparse(_) => Kind::Sparse,
        }
    }

    /// Factorizes J + shift·I.
    pub fn factor(&mut self, jac: &SparseJacobian, shift: f64) -> Result<(), Singular> {
        match self {
            Self::Dense(d) => d.factor(jac, shift),
            Self::Sparse(s) => s.factor(jac, shift),
        }
    }

    /// Overwrites `rhs` with (J + μI)⁻¹ rhs.
    pub fn solve(&mut self, rhs: &mut [f64]) {
        match self {
            Self::Dense(d) => d.solve(rhs, false),
            Self::Sparse(s) => s.solve(rhs, false),
        }
    }

    /// Overwrites `rhs` with (J + μI)⁻ᵀ rhs.
    pub fn solve_transpose(&mut self, rhs: &mut [f64]) {
        match self {
            Self::Dense(d) => d.solve(rhs, true),
            Self::Sparse(s) => s.solve(rhs, true),
        }
    }
}

fn parallelism(n: usize) -> Par {
    // Threads pay off only for large dense blocks.
    if n >= 400 {
        Par::rayon(0)
    } else {
        Par::Seq
    }
}

/// Dense LU with partial pivoting, in place.
pub(crate) struct DenseLu {
    lu: Mat<f64>,
    perm: Vec<usize>,
    perm_inv: Vec<usize>,
    mem: MemBuffer,
    singular_pivot: f64,
}

impl DenseLu {
    fn new(n: usize, singular_pivot: f64) -> Self {
        let par = parallelism(n);
        let req = StackReq::any_of(&[
            dense_factor::lu_in_place_scratch::<usize, f64>(n, n, par, Default::default()),
            dense_solve::solve_in_place_scratch::<usize, f64>(n, 1, par),
            dense_solve::solve_transpose_in_place_scratch::<usize, f64>(n, 1, par),
        ]);
        Self {
            lu: Mat::zeros(n, n),
            perm: vec![0; n],
            perm_inv: vec![0; n],
            mem: MemBuffer::new(req),
            singular_pivot,
        }
    }

    fn factor(&mut self, jac: &SparseJacobian, shift: f64) -> Result<(), Singular> {
        let n = jac.dim();
        self.lu.fill(0.0);
        for j in 0..n {
            for k in jac.col_ptr[j]..jac.col_ptr[j + 1] {
                self.lu[(jac.row_idx[k], j)] = jac.values[k];
            }
            self.lu[(j, j)] += shift;
        }
        let par = parallelism(n);
        dense_factor::lu_in_place(
            self.lu.as_mut(),
            &mut self.perm,
            &mut self.perm_inv,
            par,
            MemStack::new(&mut self.mem),
            Default::default(),
        );
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for i in 0..n {
            let u = self.lu[(i, i)].abs();
            if !u.is_finite() {
                return Err(Singular);
            }
            lo = lo.min(u);
            hi = hi.max(u);
        }
        if hi == 0.0 || lo <= self.singular_pivot * hi {
            return Err(Singular);
        }
        Ok(())
    }

    fn solve(&mut self, rhs: &mut [f64], transpose: bool) {
        let n = rhs.len();
        let par = parallelism(n);
        let perm = PermRef::new_checked(&self.perm, &self.perm_inv, n);
        let rhs = MatMut::from_column_major_slice_mut(rhs, n, 1);
        let stack = MemStack::new(&mut self.mem);
        let lu = self.lu.as_ref();
        if transpose {
            dense_solve::solve_transpose_in_place_with_conj(
                lu,
                lu,
                perm,
                Conj::No,
                rhs,
                par,
                stack,
            );
        } else {
            dense_solve::solve_in_place_with_conj(lu, lu, perm, Conj::No, rhs, par, stack);
        }
    }
}

/// Sparse LU: the column ordering and symbolic structure are computed once, the numeric
/// factorization reuses them at every iteration.
pub(crate) struct SparseLu {
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    shifted: Vec<f64>,
    diag_slot: Vec<usize>,
    symbolic: SymbolicLu<usize>,
    numeric: NumericLu<usize, f64>,
    mem: MemBuffer,
}

impl SparseLu {
    fn new(jac: &SparseJacobian) -> Result<Self, Singular> {
        let n = jac.dim();
        let structure =
            SymbolicSparseColMatRef::new_checked(n, n, &jac.col_ptr, None, &jac.row_idx);
        let symbolic =
            factorize_symbolic_lu(structure, Default::default()).map_err(|_| Singular)?;
        let req = StackReq::any_of(&[
            symbolic.factorize_numeric_lu_scratch::<f64>(Par::Seq, Default::default()),
            symbolic.solve_in_place_scratch::<f64>(1, Par::Seq),
            symbolic.solve_transpose_in_place_scratch::<f64>(1, Par::Seq),
        ]);
        Ok(Self {
            col_ptr: jac.col_ptr.clone(),
            row_idx: jac.row_idx.clone(),
            shifted: vec![0.0; jac.nnz()],
            diag_slot: jac.diag_slot.clone(),
            symbolic,
            numeric: NumericLu::new(),
            mem: MemBuffer::new(req),
        })
    }

    fn factor(&mut self, jac: &SparseJacobian, shift: f64) -> Result<(), Singular> {
        let n = jac.dim();
        self.shifted.copy_from_slice(&jac.values);
        for &s in &self.diag_slot {
            self.shifted[s] += shift;
        }
        let structure =
            SymbolicSparseColMatRef::new_checked(n, n, &self.col_ptr, None, &self.row_idx);
        let matrix = SparseColMatRef::new(structure, &self.shifted);
        self.symbolic
            .factorize_numeric_lu(
                &mut self.numeric,
                matrix,
                Par::Seq,
                MemStack::new(&mut self.mem),
                Default::default(),
            )
            .map(|_| ())
            .map_err(|_| Singular)
    }

    fn solve(&mut self, rhs: &mut [f64], transpose: bool) {
        let n = rhs.len();
        let lu = LuRef::new_unchecked(&self.symbolic, &self.numeric);
        let rhs = MatMut::from_column_major_slice_mut(rhs, n, 1);
        let stack = MemStack::new(&mut self.mem);
        if transpose {
            lu.solve_transpose_in_place_with_conj(Conj::No, rhs, Par::Seq, stack);
        } else {
            lu.solve_in_place_with_conj(Conj::No, rhs, Par::Seq, stack);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tridiagonal(n: usize) -> SparseJacobian {
        let pattern = Pattern::banded(n, 1, 1);
        let mut jac = SparseJacobian::new(&pattern);
        for (k, (&r, &c)) in pattern.rows().iter().zip(pattern.cols()).enumerate() {
            jac.triplet_values[k] = if r == c { 4.0 } else { -1.0 - 0.1 * r as f64 };
        }
        jac.assemble();
        jac
    }

    #[test]
    fn duplicates_are_summed_and_diagonal_added() {
        let pattern = Pattern::from_triplets(2, vec![0, 0, 1], vec![1, 1, 0]).unwrap();
        let mut jac = SparseJacobian::new(&pattern);
        jac.triplet_values.copy_from_slice(&[1.0, 2.0, 5.0]);
        jac.assemble();
        assert_eq!(jac.nnz(), 4);
        let mut out = [0.0; 2];
        jac.mul(&[1.0, 1.0], &mut out);
        assert_eq!(out, [3.0, 5.0]);
        jac.mul_transpose(&[1.0, 1.0], &mut out);
        assert_eq!(out, [5.0, 3.0]);
    }

    #[test]
    fn dense_and_sparse_lu_solve_the_same_system() {
        let n = 30;
        let jac = tridiagonal(n);
        let b: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        for kind in [Kind::Dense, Kind::Sparse] {
            let mut f = Factorization::new(kind, &jac, 1e-13).unwrap();
            f.factor(&jac, 0.0).unwrap();
            let mut x = b.clone();
            f.solve(&mut x);
            let mut jx = vec![0.0; n];
            jac.mul(&x, &mut jx);
            for i in 0..n {
                approx::assert_abs_diff_eq!(jx[i], b[i], epsilon = 1e-12);
            }
            let mut y = b.clone();
            f.solve_transpose(&mut y);
            jac.mul_transpose(&y, &mut jx);
            for i in 0..n {
                approx::assert_abs_diff_eq!(jx[i], b[i], epsilon = 1e-12);
            }
        }
    }

    #[test]
    fn dense_lu_detects_singular_matrix() {
        let pattern = Pattern::dense(2);
        let mut jac = SparseJacobian::new(&pattern);
        jac.triplet_values.copy_from_slice(&[1.0, 2.0, 2.0, 4.0]);
        jac.assemble();
        let mut f = Factorization::new(Kind::Dense, &jac, 1e-13).unwrap();
        assert_eq!(f.factor(&jac, 0.0), Err(Singular));
        assert!(f.factor(&jac, 1e-3).is_ok());
    }
}
