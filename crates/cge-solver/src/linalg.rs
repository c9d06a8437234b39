//! Linear algebra for Newton steps: the Jacobian in compressed sparse column form, and its LU
//! factorization, dense (partial pivoting) or sparse (COLAMD ordering, symbolic analysis once),
//! or an iterative solver: restarted GMRES with an ILU(0) preconditioner, falling back to the
//! sparse LU when GMRES does not converge.
//!
//! Both LU factorizations come from faer; every buffer is sized when the solve starts, so the
//! iteration loop does not allocate (except the iterative solver's LU fallback, at its first
//! use).

use std::ops::Range;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::lu::partial_pivoting::{factor as dense_factor, solve as dense_solve};
use faer::perm::PermRef;
use faer::sparse::linalg::lu::{factorize_symbolic_lu, LuRef, NumericLu, SymbolicLu};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Conj, Mat, MatMut, Par};

use crate::engine::{dot, inf_norm, two_norm, DIRECTION_ACCURACY};
use crate::problem::Pattern;

/// The compressed-column structure of a Jacobian pattern plus its diagonal and its fill
/// positions, and where each of the problem's triplets (possibly duplicated) is summed. It
/// depends on the pattern alone, so it is built once per pattern and shared (see
/// [`crate::StructureCache`]).
#[derive(Debug)]
pub(crate) struct Structure {
    n: usize,
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    /// The triplets sorted by slot (then by index), and the slot of each: assembly sums each
    /// slot's triplets in index order, writing the slots in order. 32 bits each: the pattern
    /// has fewer than 2³² slots (checked).
    order: Vec<u32>,
    slot_of_order: Vec<u32>,
    /// Consecutive ranges of `order` with the slots they cover, for parallel assembly.
    assembly_chunks: Vec<(Range<usize>, Range<usize>)>,
    diag_slot: Vec<usize>,
    /// Whether a slot can hold a value (a triplet's or the diagonal's), not only fill.
    valued: Vec<bool>,
    valued_count: usize,
}

/// A column entry while the structure is built: row << 32 | triplet index, so that sorting
/// the keys sorts by row, and repeated positions by triplet. Half the size of a (row, triplet)
/// pair of `usize`s, which matters with millions of triplets.
type Key = u64;

/// The triplet index of the diagonal's keys.
const DIAGONAL_KEY: u64 = u32::MAX as u64;

fn key(row: usize, triplet: u64) -> Key {
    ((row as u64) << 32) | triplet
}

fn key_row(k: Key) -> usize {
    (k >> 32) as usize
}

fn key_triplet(k: Key) -> u64 {
    k & DIAGONAL_KEY
}

/// A pattern too large for [`Structure`]'s 32-bit indices: 2³² unknowns, 2³² − 1 triplets,
/// or 2³² − 1 stored entries with the fill and the diagonal (a pattern that size needs over
/// 64 GiB for its triplets alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooLarge;

/// The Jacobian stored column by column. The problem's triplets are summed into their slots;
/// the diagonal is always stored so that a shift μI never changes the structure.
#[derive(Debug, Clone)]
pub(crate) struct SparseJacobian {
    s: Arc<Structure>,
    /// Values in CSC order.
    pub values: Vec<f64>,
    /// Values in the problem's triplet order, as the problem writes them.
    pub triplet_values: Vec<f64>,
}

impl Structure {
    /// The CSC structure of `pattern` plus the diagonal and the fill positions. Built in
    /// parallel; the result depends on the pattern alone, never on the number of threads.
    ///
    /// # Errors
    /// [`TooLarge`] for 2³² unknowns, 2³² − 1 triplets or as many stored entries.
    pub fn new(pattern: &Pattern) -> Result<Self, TooLarge> {
        let threads = rayon::current_num_threads();
        // Two chunks of triplets and four groups of columns per thread, not too small: each
        // also keeps an array of the dimension, so at least 4n entries each.
        let n = pattern.dim();
        let chunk = pattern.len().div_ceil(2 * threads).max(1 << 16).max(4 * n);
        let group = (pattern.len() + n)
            .div_ceil(4 * threads)
            .max(1 << 14)
            .max(4 * n);
        Self::in_parts(pattern, chunk, group)
    }

    /// [`Structure::new`] with counting-sort chunks of `chunk` triplets and merge groups of
    /// about `group` keys (the result does not depend on either).
    fn in_parts(pattern: &Pattern, chunk: usize, group: usize) -> Result<Self, TooLarge> {
        let n = pattern.dim();
        let (rows, cols) = (pattern.rows(), pattern.cols());
        if u32::try_from(n).is_err() || rows.len() as u64 >= DIAGONAL_KEY {
            return Err(TooLarge);
        }
        let columns = sorted_columns(n, rows, cols, chunk.max(1));
        let (fill_starts, fill) = bucket_fill(n, pattern.fill_rows(), pattern.fill_cols());
        // Each column's rows: its keys' rows once each, merged with its fill rows (which
        // repeat by the million: a dense input–output table's fill has N² entries in the
        // exchange rate's column, so they are deduplicated with a marker per row rather than
        // sorted). Groups of consecutive columns in parallel: first each column's length,
        // then the rows written in place.
        let groups = column_groups(&columns.starts, n, group.max(1));
        let lens: Vec<Vec<usize>> = groups
            .par_iter()
            .map(|g| {
                let (mut marked_in, mut extra) = (vec![usize::MAX; n], Vec::new());
                g.clone()
                    .map(|j| {
                        let rows = fill_rows_apart(
                            j,
                            columns.column(j),
                            &fill[fill_starts[j]..fill_starts[j + 1]],
                            &mut marked_in,
                            &mut extra,
                        );
                        rows + extra.len()
                    })
                    .collect()
            })
            .collect();
        let mut col_ptr = Vec::with_capacity(n + 1);
        col_ptr.push(0);
        for len in lens.into_iter().flatten() {
            col_ptr.push(col_ptr[col_ptr.len() - 1] + len);
        }
        let total = col_ptr[n];
        // Slots in 32 bits, also for the ILU(0)'s pattern (these slots, plus at most a
        // diagonal per column).
        if (total + n) as u64 >= DIAGONAL_KEY {
            return Err(TooLarge);
        }
        let (mut row_idx, mut valued) = (vec![0; total], vec![false; total]);
        let (mut order, mut slot_of_order) = (vec![0; rows.len()], vec![0; rows.len()]);
        let mut parts = Vec::with_capacity(groups.len());
        let mut assembly_chunks = Vec::with_capacity(groups.len());
        let (mut rows_rest, mut valued_rest) = (&mut row_idx[..], &mut valued[..]);
        let (mut order_rest, mut slot_rest) = (&mut order[..], &mut slot_of_order[..]);
        let mut first_key = 0;
        for g in &groups {
            let len = col_ptr[g.end] - col_ptr[g.start];
            let (r, r_tail) = std::mem::take(&mut rows_rest).split_at_mut(len);
            let (v, v_tail) = std::mem::take(&mut valued_rest).split_at_mut(len);
            // The group's triplets: its keys but the diagonal's.
            let keys = columns.starts[g.end] - columns.starts[g.start] - g.len();
            let (o, o_tail) = std::mem::take(&mut order_rest).split_at_mut(keys);
            let (so, so_tail) = std::mem::take(&mut slot_rest).split_at_mut(keys);
            parts.push((g.clone(), r, v, o, so));
            assembly_chunks.push((
                first_key..first_key + keys,
                col_ptr[g.start]..col_ptr[g.end],
            ));
            first_key += keys;
            (rows_rest, valued_rest, order_rest, slot_rest) = (r_tail, v_tail, o_tail, so_tail);
        }
        // Each triplet's slot is its row's place in its column; the keys come in slot order.
        let diag_slot: Vec<usize> = parts
            .into_par_iter()
            .flat_map_iter(|(g, out_rows, out_valued, out_order, out_slot)| {
                let base = col_ptr[g.start];
                let mut placed = 0;
                let mut marked_in = vec![usize::MAX; n];
                let mut extra = Vec::new();
                let mut diagonal = Vec::with_capacity(g.len());
                let mut at = 0;
                for j in g.clone() {
                    let first = at;
                    let column = columns.column(j);
                    fill_rows_apart(
                        j,
                        column,
                        &fill[fill_starts[j]..fill_starts[j + 1]],
                        &mut marked_in,
                        &mut extra,
                    );
                    extra.sort_unstable();
                    let mut extra_rows = extra.iter().copied().peekable();
                    let mut diag = 0;
                    for &k in column {
                        let r = key_row(k);
                        while let Some(e) = extra_rows.next_if(|&e| e < r) {
                            out_rows[at] = e;
                            at += 1;
                        }
                        if at == first || out_rows[at - 1] != r {
                            out_rows[at] = r;
                            out_valued[at] = true;
                            at += 1;
                        }
                        match key_triplet(k) {
                            DIAGONAL_KEY => diag = base + at - 1,
                            t => {
                                // Both below 2³², checked above.
                                out_order[placed] = t as u32;
                                out_slot[placed] = (base + at - 1) as u32;
                                placed += 1;
                            }
                        }
                    }
                    for e in extra_rows {
                        out_rows[at] = e;
                        at += 1;
                    }
                    diagonal.push(diag);
                }
                diagonal
            })
            .collect();
        Ok(Self {
            n,
            col_ptr,
            row_idx,
            order,
            slot_of_order,
            assembly_chunks,
            diag_slot,
            valued_count: valued.iter().filter(|&&v| v).count(),
            valued,
        })
    }

    /// Dimension.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Triplets of the pattern it was built from.
    pub fn triplets(&self) -> usize {
        self.order.len()
    }

    /// out = Aᵀ v for the matrix A with this structure and CSC `values` (column by column: a
    /// gather, the same bits on any thread count).
    fn mul_transpose(&self, values: &[f64], v: &[f64], out: &mut [f64]) {
        for (j, o) in out.iter_mut().enumerate() {
            *o = (self.col_ptr[j]..self.col_ptr[j + 1])
                .map(|k| values[k] * v[self.row_idx[k]])
                .sum();
        }
    }

    /// Stored entries that can hold a value (fill positions left out).
    pub fn valued_entries(&self) -> usize {
        self.valued_count
    }
}

/// The keys of a pattern's triplets and of the diagonal, column by column, each column sorted.
struct SortedColumns {
    /// Column j is `keys[starts[j]..starts[j + 1]]`.
    starts: Vec<usize>,
    keys: Vec<Key>,
}

impl SortedColumns {
    fn column(&self, j: usize) -> &[Key] {
        &self.keys[self.starts[j]..self.starts[j + 1]]
    }
}

/// A counting sort of the triplets by column in parallel chunks of `chunk` triplets, then each
/// column gathered from the chunks and sorted, columns in parallel. Keys are unique, so the sorted
/// columns do not depend on the chunks.
fn sorted_columns(n: usize, rows: &[usize], cols: &[usize], chunk: usize) -> SortedColumns {
    let local: Vec<(Vec<usize>, Vec<Key>)> = rows
        .par_chunks(chunk)
        .zip(cols.par_chunks(chunk))
        .enumerate()
        .map(|(c, (rows, cols))| {
            let starts = column_starts(n, cols);
            let mut next = starts[..n].to_vec();
            let mut keys = vec![0; rows.len()];
            let first = (c * chunk) as u64;
            for (i, (&r, &j)) in rows.iter().zip(cols).enumerate() {
                keys[next[j]] = key(r, first + i as u64);
                next[j] += 1;
            }
            (starts, keys)
        })
        .collect();
    // One more entry per column: the diagonal.
    let mut starts = vec![0; n + 1];
    for j in 0..n {
        let len: usize = local.iter().map(|(s, _)| s[j + 1] - s[j]).sum();
        starts[j + 1] = starts[j] + len + 1;
    }
    let mut keys = vec![0; starts[n]];
    let mut columns = Vec::with_capacity(n);
    let mut rest = &mut keys[..];
    for j in 0..n {
        let (column, tail) = std::mem::take(&mut rest).split_at_mut(starts[j + 1] - starts[j]);
        columns.push(column);
        rest = tail;
    }
    columns
        .into_par_iter()
        .enumerate()
        .with_min_len(64)
        .for_each(|(j, column)| {
            let mut at = 0;
            for (s, k) in &local {
                let part = &k[s[j]..s[j + 1]];
                column[at..at + part.len()].copy_from_slice(part);
                at += part.len();
            }
            column[at] = key(j, DIAGONAL_KEY);
            column.sort_unstable();
        });
    SortedColumns { starts, keys }
}

/// Where each column's entries start when `cols` (the entries' columns) are bucketed by
/// column, with the total last.
fn column_starts(n: usize, cols: &[usize]) -> Vec<usize> {
    let mut starts = vec![0; n + 1];
    for &j in cols {
        starts[j + 1] += 1;
    }
    for j in 0..n {
        starts[j + 1] += starts[j];
    }
    starts
}

/// Column j's distinct key rows, counted, and its fill rows that are not among them, once
/// each, into `extra` (unsorted). `marked_in[r]` holds the last column that saw row r: columns
/// are unique, so the markers serve any number of columns without being cleared.
fn fill_rows_apart(
    j: usize,
    keys: &[Key],
    fill: &[usize],
    marked_in: &mut [usize],
    extra: &mut Vec<usize>,
) -> usize {
    let mut rows = 0;
    for &k in keys {
        let r = key_row(k);
        if marked_in[r] != j {
            marked_in[r] = j;
            rows += 1;
        }
    }
    extra.clear();
    for &r in fill {
        if marked_in[r] != j {
            marked_in[r] = j;
            extra.push(r);
        }
    }
    rows
}

/// Fill rows bucketed by column: column j's are `fill[starts[j]..starts[j + 1]]`.
fn bucket_fill(n: usize, rows: &[usize], cols: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let starts = column_starts(n, cols);
    let mut next = starts[..n].to_vec();
    let mut fill = vec![0; starts[n]];
    for (&c, &r) in cols.iter().zip(rows) {
        fill[next[c]] = r;
        next[c] += 1;
    }
    (starts, fill)
}

/// Sums the triplets of `chunks` into `values` (the slots from the first chunk's on): each
/// slot's triplets in index order whatever the split, so the same bits on any number of
/// threads. Halves run in parallel with `rayon::join`, which keeps its jobs on the stack
/// (collecting the chunks into a vector for a parallel iterator would allocate at every
/// Jacobian).
fn assemble_chunks(
    s: &Structure,
    chunks: &[(Range<usize>, Range<usize>)],
    triplets: &[f64],
    values: &mut [f64],
    parallel: bool,
) {
    match chunks {
        [] => {}
        [(keys, slots)] => {
            values.fill(0.0);
            for i in keys.clone() {
                values[s.slot_of_order[i] as usize - slots.start] += triplets[s.order[i] as usize];
            }
        }
        _ => {
            let (left, right) = chunks.split_at(chunks.len() / 2);
            let (lv, rv) = values.split_at_mut(right[0].1.start - left[0].1.start);
            if parallel {
                rayon::join(
                    || assemble_chunks(s, left, triplets, lv, parallel),
                    || assemble_chunks(s, right, triplets, rv, parallel),
                );
            } else {
                assemble_chunks(s, left, triplets, lv, parallel);
                assemble_chunks(s, right, triplets, rv, parallel);
            }
        }
    }
}

/// Consecutive columns in groups of at least `target` keys (the last one may have fewer).
fn column_groups(starts: &[usize], n: usize, target: usize) -> Vec<Range<usize>> {
    let mut groups = Vec::new();
    let mut first = 0;
    for j in 0..n {
        if starts[j + 1] - starts[first] >= target || j + 1 == n {
            groups.push(first..j + 1);
            first = j + 1;
        }
    }
    groups
}

impl SparseJacobian {
    /// A Jacobian of `pattern`'s structure, all zero.
    #[cfg(test)]
    pub fn new(pattern: &Pattern) -> Self {
        Self::with_structure(Arc::new(Structure::new(pattern).expect("a small pattern")))
    }

    /// A Jacobian of the given structure, all zero.
    pub fn with_structure(s: Arc<Structure>) -> Self {
        Self {
            values: vec![0.0; s.row_idx.len()],
            triplet_values: vec![0.0; s.triplets()],
            s,
        }
    }

    /// Dimension.
    pub fn dim(&self) -> usize {
        self.s.n
    }

    /// Stored entries (after merging duplicates, with the diagonal and the fill positions).
    pub fn nnz(&self) -> usize {
        self.s.row_idx.len()
    }

    /// Stored entries that can hold values (fill positions left out): what decides the linear
    /// solver and its preconditioner.
    pub fn valued_nnz(&self) -> usize {
        self.s.valued_entries()
    }

    /// Sums the triplet values into the CSC values.
    pub fn assemble(&mut self) {
        let parallel = self.triplet_values.len() >= PARALLEL_MIN_ENTRIES;
        assemble_chunks(
            &self.s,
            &self.s.assembly_chunks,
            &self.triplet_values,
            &mut self.values,
            parallel,
        );
    }

    /// out = J v.
    pub fn mul(&self, v: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for (j, &vj) in v.iter().enumerate() {
            if vj != 0.0 {
                for k in self.s.col_ptr[j]..self.s.col_ptr[j + 1] {
                    out[self.s.row_idx[k]] += self.values[k] * vj;
                }
            }
        }
    }

    /// out = Jᵀ v.
    pub fn mul_transpose(&self, v: &[f64], out: &mut [f64]) {
        self.s.mul_transpose(&self.values, v, out);
    }

    /// Euclidean norm of each column.
    pub fn column_norms(&self, out: &mut [f64]) {
        for (j, o) in out.iter_mut().enumerate() {
            *o = (self.s.col_ptr[j]..self.s.col_ptr[j + 1])
                .map(|k| self.values[k] * self.values[k])
                .sum::<f64>()
                .sqrt();
        }
    }

    /// Scales row i by `row_scale[i]` and adds `diag_add[i]` on the diagonal: J ← diag(a) + diag(b) J,
    /// the generalized Jacobian of a complementarity reformulation.
    pub fn scale_rows_add_diagonal(&mut self, row_scale: &[f64], diag_add: &[f64]) {
        for (v, &r) in self.values.iter_mut().zip(&self.s.row_idx) {
            *v *= row_scale[r];
        }
        for (i, &s) in self.s.diag_slot.iter().enumerate() {
            self.values[s] += diag_add[i];
        }
    }

    /// Largest |entry| of each row.
    pub fn row_max_abs(&self, out: &mut [f64]) {
        out.fill(0.0);
        for (v, &r) in self.values.iter().zip(&self.s.row_idx) {
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
    Iterative,
}

/// An LU factorization of (J + μI), dense or sparse, reusing its storage across iterations.
pub(crate) enum Factorization {
    Dense(DenseLu),
    Sparse(Box<SparseLu>),
    /// Not a factorization: ILU(0) of J + μI and GMRES at each solve.
    Iterative(Box<Gmres>),
}

impl Factorization {
    /// Storage for factorizing `jac`'s structure with the given kind.
    pub fn new(
        kind: Kind,
        jac: &SparseJacobian,
        singular_pivot: f64,
        krylov: KrylovSettings,
    ) -> Result<Self, Singular> {
        Ok(match kind {
            Kind::Dense => Self::Dense(DenseLu::new(jac.dim(), singular_pivot)),
            Kind::Sparse => Self::Sparse(Box::new(SparseLu::new(jac)?)),
            Kind::Iterative => Self::Iterative(Box::new(Gmres::new(jac, krylov))),
        })
    }

    pub fn kind(&self) -> Kind {
        match self {
            Self::Dense(_) => Kind::Dense,
            Self::Sparse(_) => Kind::Sparse,
            Self::Iterative(_) => Kind::Iterative,
        }
    }

    /// The iterative solver's counters (zero for the LU factorizations).
    pub fn krylov_stats(&self) -> KrylovStats {
        match self {
            Self::Iterative(g) => g.stats,
            _ => KrylovStats::default(),
        }
    }

    /// Factorizes J + shift·I.
    pub fn factor(&mut self, jac: &SparseJacobian, shift: f64) -> Result<(), Singular> {
        match self {
            Self::Dense(d) => d.factor(jac, shift),
            Self::Sparse(s) => s.factor(jac, shift),
            Self::Iterative(g) => g.factor(jac, shift),
        }
    }

    /// Overwrites `rhs` with (J + μI)⁻¹ rhs.
    pub fn solve(&mut self, rhs: &mut [f64]) {
        match self {
            Self::Dense(d) => d.solve(rhs, false),
            Self::Sparse(s) => s.solve(rhs, false),
            Self::Iterative(g) => g.solve(rhs, false),
        }
    }

    /// Whether the last forward solve was checked against the factored matrix by its true
    /// residual, ‖b − (J + μI) x‖∞ ≤ [`DIRECTION_ACCURACY`] · ‖b‖∞: true after a converged
    /// forward GMRES solve whose tolerance is not looser than that (GMRES computes that
    /// residual anyway); false after a transposed solve and for the LU factorizations, whose
    /// solutions the caller checks.
    pub fn last_solve_verified(&self) -> bool {
        match self {
            Self::Iterative(g) => g.last_verified,
            _ => false,
        }
    }

    /// Overwrites `rhs` with (J + μI)⁻ᵀ rhs.
    pub fn solve_transpose(&mut self, rhs: &mut [f64]) {
        match self {
            Self::Dense(d) => d.solve(rhs, true),
            Self::Sparse(s) => s.solve(rhs, true),
            Self::Iterative(g) => g.solve(rhs, true),
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
            for k in jac.s.col_ptr[j]..jac.s.col_ptr[j + 1] {
                self.lu[(jac.s.row_idx[k], j)] = jac.values[k];
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
    a: Arc<Structure>,
    shifted: Vec<f64>,
    symbolic: SymbolicLu<usize>,
    numeric: NumericLu<usize, f64>,
    mem: MemBuffer,
}

impl SparseLu {
    fn new(jac: &SparseJacobian) -> Result<Self, Singular> {
        Self::from_structure(Arc::clone(&jac.s))
    }

    fn from_structure(a: Arc<Structure>) -> Result<Self, Singular> {
        let structure =
            SymbolicSparseColMatRef::new_checked(a.n, a.n, &a.col_ptr, None, &a.row_idx);
        let symbolic =
            factorize_symbolic_lu(structure, Default::default()).map_err(|_| Singular)?;
        let req = StackReq::any_of(&[
            symbolic.factorize_numeric_lu_scratch::<f64>(Par::Seq, Default::default()),
            symbolic.solve_in_place_scratch::<f64>(1, Par::Seq),
            symbolic.solve_transpose_in_place_scratch::<f64>(1, Par::Seq),
        ]);
        Ok(Self {
            shifted: vec![0.0; a.row_idx.len()],
            a,
            symbolic,
            numeric: NumericLu::new(),
            mem: MemBuffer::new(req),
        })
    }

    fn factor(&mut self, jac: &SparseJacobian, shift: f64) -> Result<(), Singular> {
        self.shifted.copy_from_slice(&jac.values);
        for &s in &self.a.diag_slot {
            self.shifted[s] += shift;
        }
        self.factor_shifted()
    }

    /// Factors the given CSC values (of this structure) as they are.
    fn factor_values(&mut self, values: &[f64]) -> Result<(), Singular> {
        self.shifted.copy_from_slice(values);
        self.factor_shifted()
    }

    fn factor_shifted(&mut self) -> Result<(), Singular> {
        let a = &self.a;
        let structure =
            SymbolicSparseColMatRef::new_checked(a.n, a.n, &a.col_ptr, None, &a.row_idx);
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

/// A pivot of ILU(0) under 1e-12 times its column's largest entry is replaced by this multiple of
/// that entry (with its sign). Tiny replacements (1e-8) make the preconditioner nearly singular:
/// on `examples/scale.rs` (50 × 30 × 5, 26 replaced pivots) GMRES(100) then needs ~160–260
/// iterations per system, against ~80 with 1e-2 (1e-1: the same; 1e-3: ~87).
const PIVOT_FLOOR: f64 = 1e-2;

/// Incomplete LU factorization with zero fill, ILU(0) (Saad 2003, §10.3), of the row-permuted
/// matrix P·A: L (unit lower) and U share the sparsity pattern of P·A, stored in CSC slots.
/// With a drop tolerance τ > 0 the pattern leaves out the entries under τ times their column's
/// largest at the first factorization (the diagonal of P·A always stays): ILU(0) of a
/// sparsified matrix, for patterns too full for a full ILU(0).
pub(crate) struct Ilu0 {
    n: usize,
    /// The matrix A's structure.
    a: Arc<Structure>,
    /// Structure of P·A (rows permuted so that large entries lie on the diagonal, the diagonal
    /// always stored), built at the first factorization.
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    diag_slot: Vec<usize>,
    /// For each slot of P·A, the slot of A it comes from (`usize::MAX` for an added diagonal).
    from_a: Vec<usize>,
    /// Row i of A is row `row_perm[i]` of P·A.
    row_perm: Vec<usize>,
    /// Whether the permutation and the structure of P·A are built.
    permuted: bool,
    /// L below the diagonal, U on and above it, slot by slot of P·A.
    factors: Vec<f64>,
    /// The factors by rows, for the gathers of the triangular solves with L and U.
    rows: CsrMirror,
    /// Slot of row i in the column being factored, or `usize::MAX`.
    slot_in_column: Vec<usize>,
    /// Scratch for permuting a vector.
    scratch: Vec<f64>,
    /// Entries under this fraction of their column's largest (at the first factorization) are
    /// not in the pattern of P·A.
    drop_tolerance: f64,
}

impl Ilu0 {
    fn new(jac: &SparseJacobian, drop_tolerance: f64) -> Self {
        let (n, nnz) = (jac.dim(), jac.nnz());
        Self {
            n,
            a: Arc::clone(&jac.s),
            col_ptr: vec![0; n + 1],
            row_idx: Vec::with_capacity(nnz + n),
            diag_slot: vec![0; n],
            from_a: Vec::with_capacity(nnz + n),
            row_perm: vec![usize::MAX; n],
            permuted: false,
            factors: Vec::with_capacity(nnz + n),
            rows: CsrMirror::new(0, &[0], &[]),
            slot_in_column: vec![usize::MAX; n],
            scratch: vec![0.0; n],
            drop_tolerance,
        }
    }

    /// Row permutation by a greedy matching on |a_ij| / max_i |a_ij| (largest first; rows and
    /// columns left over are paired in order), a cheap stand-in for MC64 (Duff & Koster 2001):
    /// the Jacobian's stored diagonal often holds zeros (an equation is not "its" variable's),
    /// where ILU(0) without pivoting breaks down. Then the structure of P·A.
    fn permute(&mut self, values: &[f64]) {
        let (n, drop) = (self.n, self.drop_tolerance);
        let (cp, ri) = (&self.a.col_ptr, &self.a.row_idx);
        // Set-up scratch, used once per solve.
        let col_max: Vec<f64> = (0..n)
            .map(|j| inf_norm(&values[cp[j]..cp[j + 1]]))
            .collect();
        let mut col_matched = vec![false; n];
        let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
        let mut column: Vec<(usize, usize)> = Vec::new();
        // Entries the preconditioner keeps are matched first; the rest only for rows that
        // they leave unmatched. Sorting only the kept entries matters for dense patterns.
        self.row_perm.fill(usize::MAX);
        let mut unmatched = n;
        for keep in [true, false] {
            if unmatched == 0 {
                break;
            }
            candidates.clear();
            for j in (0..n).filter(|&j| !col_matched[j] && col_max[j] > 0.0) {
                for s in cp[j]..cp[j + 1] {
                    let rel = values[s].abs() / col_max[j];
                    if values[s] != 0.0
                        && (rel >= drop) == keep
                        && self.row_perm[ri[s]] == usize::MAX
                    {
                        candidates.push((rel, s, j));
                    }
                }
            }
            candidates.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(_, s, j) in &candidates {
                let i = ri[s];
                if self.row_perm[i] == usize::MAX && !col_matched[j] {
                    self.row_perm[i] = j;
                    col_matched[j] = true;
                    unmatched -= 1;
                }
            }
        }
        let mut free_cols = (0..n).filter(|&j| !col_matched[j]);
        for p in self.row_perm.iter_mut() {
            if *p == usize::MAX {
                *p = free_cols.next().expect("as many columns as rows");
            }
        }
        self.row_idx.clear();
        self.from_a.clear();
        for j in 0..n {
            column.clear();
            let m = col_max[j];
            for s in cp[j]..cp[j + 1] {
                let r = self.row_perm[ri[s]];
                let rel = if m > 0.0 { values[s].abs() / m } else { 0.0 };
                if r == j || rel >= drop {
                    column.push((r, s));
                }
            }
            if !column.iter().any(|&(r, _)| r == j) {
                column.push((j, usize::MAX));
            }
            column.sort_unstable();
            for &(r, s) in &column {
                if r == j {
                    self.diag_slot[j] = self.row_idx.len();
                }
                self.row_idx.push(r);
                self.from_a.push(s);
            }
            self.col_ptr[j + 1] = self.row_idx.len();
        }
        self.factors.resize(self.row_idx.len(), 0.0);
        self.rows = CsrMirror::new(n, &self.col_ptr, &self.row_idx);
        self.permuted = true;
    }

    /// Left-looking ILU(0) of P·A, A given by its CSC `values`: column j is updated by the
    /// finished columns k < j with u_kj ≠ 0, keeping only entries of the pattern. A pivot that
    /// vanishes (or is not finite) is replaced by [`PIVOT_FLOOR`] times the column's scale, the
    /// usual safeguard: the preconditioner is then poor, not undefined, and GMRES (or its LU
    /// fallback) decides. The permutation is chosen at the first factorization and kept:
    /// recomputing it for every Jacobian of the semismooth method made GMRES stagnate on
    /// `examples/scale.rs` (the rows D_b·J of active bounds shrink, and the greedy matching then
    /// picks worse diagonals).
    fn factor(&mut self, values: &[f64]) {
        if !self.permuted {
            self.permute(values);
        }
        let n = self.n;
        for (f, &s) in self.factors.iter_mut().zip(&self.from_a) {
            *f = if s == usize::MAX { 0.0 } else { values[s] };
        }
        for j in 0..n {
            let (start, end) = (self.col_ptr[j], self.col_ptr[j + 1]);
            let column_scale = self.factors[start..end]
                .iter()
                .fold(0.0f64, |m, v| m.max(v.abs()))
                .max(f64::MIN_POSITIVE);
            for s in start..end {
                self.slot_in_column[self.row_idx[s]] = s;
            }
            // U part of column j, in increasing row order.
            for s in start..self.diag_slot[j] {
                let k = self.row_idx[s];
                let ukj = self.factors[s];
                if ukj == 0.0 {
                    continue;
                }
                for t in self.diag_slot[k] + 1..self.col_ptr[k + 1] {
                    let target = self.slot_in_column[self.row_idx[t]];
                    if target != usize::MAX {
                        self.factors[target] -= self.factors[t] * ukj;
                    }
                }
            }
            let d = self.diag_slot[j];
            let pivot = self.factors[d];
            if !pivot.is_finite() || pivot.abs() <= 1e-12 * column_scale {
                self.factors[d] = PIVOT_FLOOR.copysign(pivot) * column_scale;
            }
            let pivot = self.factors[d];
            for s in d + 1..end {
                self.factors[s] /= pivot;
            }
            for s in start..end {
                self.slot_in_column[self.row_idx[s]] = usize::MAX;
            }
        }
        self.rows.refresh(&self.factors);
    }

    /// z ← M⁻¹ z or M⁻ᵀ z for M = Pᵀ L U.
    fn apply(&mut self, z: &mut [f64], transpose: bool) {
        if transpose {
            self.solve_transpose(z);
            // z ← Pᵀ z.
            for (i, &p) in self.row_perm.iter().enumerate() {
                self.scratch[i] = z[p];
            }
            z.copy_from_slice(&self.scratch);
        } else {
            // z ← P z.
            for (i, &p) in self.row_perm.iter().enumerate() {
                self.scratch[p] = z[i];
            }
            z.copy_from_slice(&self.scratch);
            self.solve_plain(z);
        }
    }

    /// z ← (LU)⁻¹ z, row by row: z_i −= Σ_{j<i} l_ij z_j, then z_i = (z_i − Σ_{j>i} u_ij z_j) / u_ii.
    fn solve_plain(&self, z: &mut [f64]) {
        let r = &self.rows;
        for i in 0..z.len() {
            let lower = r.row_dot(r.row_ptr[i]..r.diag[i], z);
            z[i] -= lower;
        }
        for i in (0..z.len()).rev() {
            let d = r.diag[i];
            let upper = r.row_dot(d + 1..r.row_ptr[i + 1], z);
            z[i] = (z[i] - upper) / r.values[d];
        }
    }

    /// z ← (LU)⁻ᵀ z = L⁻ᵀ U⁻ᵀ z.
    fn solve_transpose(&self, z: &mut [f64]) {
        let n = z.len();
        for j in 0..n {
            let mut zj = z[j];
            for s in self.col_ptr[j]..self.diag_slot[j] {
                zj -= self.factors[s] * z[self.row_idx[s]];
            }
            z[j] = zj / self.factors[self.diag_slot[j]];
        }
        for j in (0..n).rev() {
            let mut zj = z[j];
            for s in self.diag_slot[j] + 1..self.col_ptr[j + 1] {
                zj -= self.factors[s] * z[self.row_idx[s]];
            }
            z[j] = zj;
        }
    }
}

/// Settings of the iterative solver, from [`crate::Options`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct KrylovSettings {
    /// Relative residual ‖b − Ax‖₂ ≤ tolerance·‖b‖₂ at which GMRES stops.
    pub tolerance: f64,
    /// Krylov basis size before a restart.
    pub restart: usize,
    /// Total GMRES iterations per solve before falling back to the sparse LU.
    pub max_iterations: usize,
    /// Entries under this fraction of their column's largest are left out of the ILU(0)'s
    /// pattern (see [`Ilu0`]).
    pub drop_tolerance: f64,
}

#[cfg(test)]
impl Default for KrylovSettings {
    /// The defaults of [`crate::Options`] on a sparse pattern (every entry kept).
    fn default() -> Self {
        crate::Options::default().krylov(0.0)
    }
}

/// Counters of the iterative solver.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KrylovStats {
    /// Systems solved by GMRES.
    pub solves: usize,
    /// GMRES iterations (matrix–vector products) over all solves, converged or not.
    pub iterations: usize,
    /// Solves where GMRES did not converge and the sparse LU took over.
    pub fallbacks: usize,
    /// ILU(0) factorizations (the preconditioner is kept across nearby matrices).
    pub preconditioners: usize,
}

/// Restarted GMRES (Saad & Schultz 1986) with right preconditioning by the ILU(0) of a row
/// permutation of the matrix (see [`Ilu0`]), on a copy of
/// J + μI taken when "factoring" — so that a solve after a later change of the Jacobian (a chord
/// or Broyden step) still solves with the matrix that was factored, as with the LU. When GMRES
/// does not reach its tolerance within its iteration limit the system is solved by the sparse
/// LU, built at the first such fallback (that first fallback allocates) and refactored at most
/// once per matrix.
pub(crate) struct Gmres {
    n: usize,
    settings: KrylovSettings,
    /// The matrix's structure.
    a: Arc<Structure>,
    /// J + μI in CSC order.
    values: Vec<f64>,
    /// The same by rows, for the products A v (the CSC order serves Aᵀ v).
    rows: CsrMirror,
    ilu: Ilu0,
    /// Krylov basis, restart + 1 vectors of length n, one after the other.
    basis: Vec<f64>,
    /// Hessenberg matrix, (restart + 1) × restart, column-major.
    hessenberg: Vec<f64>,
    cosines: Vec<f64>,
    sines: Vec<f64>,
    /// Rotated right-hand side of the least-squares problem.
    g: Vec<f64>,
    y: Vec<f64>,
    x: Vec<f64>,
    w: Vec<f64>,
    z: Vec<f64>,
    /// GMRES iterations of the first solve after the last ILU(0) factorization (`None` until
    /// that solve), and of the latest solve, with whether it converged: the preconditioner is
    /// kept for the next matrix while the latest solve converged within twice the first's
    /// iterations plus 10.
    fresh_iterations: Option<usize>,
    latest: (usize, bool),
    /// Whether the ILU(0) was factored from `values`.
    ilu_current: bool,
    /// Whether `values` holds a matrix that was factored successfully.
    valid: bool,
    lu: Option<Box<SparseLu>>,
    /// Whether `lu` holds the factorization of `values`.
    lu_current: bool,
    /// Whether the LU fallback's symbolic analysis failed (for every matrix: it depends on
    /// the structure alone).
    lu_structure_failed: bool,
    /// Whether the last solve was verified (see [`Factorization::last_solve_verified`]).
    last_verified: bool,
    pub stats: KrylovStats,
}

impl Gmres {
    fn new(jac: &SparseJacobian, settings: KrylovSettings) -> Self {
        let n = jac.dim();
        let m = settings.restart.clamp(1, n.max(1));
        Self {
            n,
            settings: KrylovSettings {
                restart: m,
                ..settings
            },
            a: Arc::clone(&jac.s),
            values: vec![0.0; jac.nnz()],
            // Fill positions are zeros of J: left out of the products.
            rows: CsrMirror::with_slots(n, &jac.s.col_ptr, &jac.s.row_idx, |s| jac.s.valued[s]),
            ilu: Ilu0::new(jac, settings.drop_tolerance),
            basis: vec![0.0; (m + 1) * n],
            hessenberg: vec![0.0; (m + 1) * m],
            cosines: vec![0.0; m],
            sines: vec![0.0; m],
            g: vec![0.0; m + 1],
            y: vec![0.0; m],
            x: vec![0.0; n],
            w: vec![0.0; n],
            z: vec![0.0; n],
            fresh_iterations: None,
            latest: (0, false),
            ilu_current: false,
            valid: false,
            lu: None,
            lu_current: false,
            lu_structure_failed: false,
            last_verified: false,
            stats: KrylovStats::default(),
        }
    }

    fn factor(&mut self, jac: &SparseJacobian, shift: f64) -> Result<(), Singular> {
        // A matrix that cannot be solved leaves nothing to solve with: `solve` answers NaN
        // until the next good matrix (the copy below may overwrite the last one first).
        self.valid = false;
        self.lu_current = false;
        // Copied and checked in one pass, in parallel chunks for large matrices: at N = 1,280
        // the dense standard SAM model's matrix has 5 × 10⁶ entries.
        let copy_chunk = |(to, from): (&mut [f64], &[f64])| {
            let mut finite = true;
            for (t, &f) in to.iter_mut().zip(from) {
                *t = f;
                finite &= f.is_finite();
            }
            finite
        };
        let finite = if jac.values.len() < PARALLEL_MIN_ENTRIES {
            copy_chunk((&mut self.values, &jac.values))
        } else {
            self.values
                .par_chunks_mut(PARALLEL_CHUNK)
                .zip(jac.values.par_chunks(PARALLEL_CHUNK))
                .map(copy_chunk)
                .reduce(|| true, |a, b| a && b)
        };
        if !finite {
            return Err(Singular);
        }
        for &s in &self.a.diag_slot {
            self.values[s] += shift;
            if !self.values[s].is_finite() {
                return Err(Singular);
            }
        }
        self.rows.refresh(&self.values);
        // Newton–Krylov with a lagged preconditioner (Kelley 1995, §6.4; Knoll & Keyes 2004):
        // GMRES multiplies by the new matrix, so its solutions are as accurate with the old
        // ILU(0), which costs far more than the few iterations it saves between nearby
        // Jacobians (one full ILU(0) of the dense standard SAM model, N = 1,280, is several
        // seconds). A kept preconditioner that fails is refreshed before the LU is tried.
        let stale = match self.fresh_iterations {
            // No ILU(0) yet, or none measured since the last refresh.
            None => true,
            Some(fresh) => !self.latest.1 || self.latest.0 > 2 * fresh + 10,
        };
        self.ilu_current = false;
        if stale {
            self.refresh_preconditioner();
        }
        self.valid = true;
        Ok(())
    }

    /// ILU(0) of the current matrix.
    fn refresh_preconditioner(&mut self) {
        self.ilu.factor(&self.values);
        self.ilu_current = true;
        self.fresh_iterations = None;
        self.stats.preconditioners += 1;
    }

    /// GMRES into `self.x`, recording its iterations for the preconditioner's upkeep.
    fn gmres_counted(&mut self, rhs: &[f64], transpose: bool) -> bool {
        let before = self.stats.iterations;
        let converged = self.gmres(rhs, transpose);
        let used = self.stats.iterations - before;
        // Only forward systems with a right-hand side measure the preconditioner.
        if used > 0 && !transpose {
            self.latest = (used, converged);
            self.fresh_iterations.get_or_insert(used);
        }
        converged
    }

    /// Overwrites `rhs` with A⁻¹ rhs (or A⁻ᵀ rhs): GMRES (again with a fresh ILU(0) if a kept
    /// one fails), else the sparse LU; NaN when everything fails or no matrix is factored, so
    /// that the caller's accuracy check rejects the direction.
    fn solve(&mut self, rhs: &mut [f64], transpose: bool) {
        self.last_verified = false;
        if !self.valid {
            rhs.fill(f64::NAN);
            return;
        }
        if !self.lu_current {
            self.stats.solves += 1;
            let mut converged = self.gmres_counted(rhs, transpose);
            if !converged && !self.ilu_current {
                self.refresh_preconditioner();
                converged = self.gmres_counted(rhs, transpose);
            }
            if converged {
                rhs.copy_from_slice(&self.x);
                // GMRES's residual bound is the engine's only when its tolerance is not looser.
                self.last_verified = !transpose && self.settings.tolerance <= DIRECTION_ACCURACY;
                return;
            }
            self.stats.fallbacks += 1;
        }
        if self.factor_lu() {
            if let Some(lu) = self.lu.as_mut() {
                lu.solve(rhs, transpose);
                return;
            }
        }
        rhs.fill(f64::NAN);
    }

    /// Factors `values` with the sparse LU unless already done; false when that fails.
    fn factor_lu(&mut self) -> bool {
        if self.lu_current {
            return true;
        }
        if self.lu.is_none() {
            if self.lu_structure_failed {
                return false;
            }
            match SparseLu::from_structure(Arc::clone(&self.a)) {
                Ok(lu) => self.lu = Some(Box::new(lu)),
                Err(Singular) => {
                    // The symbolic analysis depends on the structure alone: never retried.
                    self.lu_structure_failed = true;
                    return false;
                }
            }
        }
        let ok = self
            .lu
            .as_mut()
            .is_some_and(|lu| lu.factor_values(&self.values).is_ok());
        self.lu_current = ok;
        ok
    }

    /// Right-preconditioned restarted GMRES for A x = b from x = 0, into `self.x`. True when
    /// ‖b − A x‖₂ ≤ tolerance·‖b‖₂ within the iteration limit.
    fn gmres(&mut self, b: &[f64], transpose: bool) -> bool {
        let n = self.n;
        let m = self.settings.restart;
        self.x.fill(0.0);
        let b_norm = two_norm(b);
        if b_norm == 0.0 {
            return true;
        }
        if !b_norm.is_finite() {
            return false;
        }
        let target = self.settings.tolerance * b_norm;
        // Converged also means ‖b − Ax‖∞ within the engine's acceptance of a direction
        // ([`DIRECTION_ACCURACY`] · ‖b‖∞): a 2-norm bound alone allows a residual concentrated
        // in a few rows of a large system, which the engine would reject. The cycles aim lower
        // until both hold.
        let target_inf = DIRECTION_ACCURACY.max(self.settings.tolerance) * inf_norm(b);
        let mut cycle_target = target;
        // r0 = b − A x; x = 0 at the first cycle.
        self.w.copy_from_slice(b);
        let mut done = 0;
        loop {
            let beta = two_norm(&self.w);
            if beta <= target {
                if self.w.iter().all(|r| r.abs() <= target_inf) {
                    return true;
                }
                cycle_target = 0.1 * cycle_target.min(beta);
            }
            if done >= self.settings.max_iterations || !beta.is_finite() {
                return false;
            }
            for (v, &r) in self.basis[..n].iter_mut().zip(&self.w) {
                *v = r / beta;
            }
            self.g.fill(0.0);
            self.g[0] = beta;
            let mut k = 0;
            let mut estimate = beta;
            while k < m && done < self.settings.max_iterations && estimate > cycle_target {
                // w = A M⁻¹ v_k.
                self.z.copy_from_slice(&self.basis[k * n..(k + 1) * n]);
                self.ilu.apply(&mut self.z, transpose);
                product(
                    &self.rows,
                    &self.a,
                    &self.values,
                    &self.z,
                    &mut self.w,
                    transpose,
                );
                let w = &mut self.w;
                // Modified Gram–Schmidt.
                let h = &mut self.hessenberg[k * (m + 1)..(k + 1) * (m + 1)];
                for (i, hi) in h.iter_mut().enumerate().take(k + 1) {
                    let v = &self.basis[i * n..(i + 1) * n];
                    let c = dot(w, v);
                    *hi = c;
                    for (wj, vj) in w.iter_mut().zip(v) {
                        *wj -= c * vj;
                    }
                }
                let w_norm = two_norm(w);
                h[k + 1] = w_norm;
                if w_norm > 0.0 {
                    for (v, wj) in self.basis[(k + 1) * n..(k + 2) * n]
                        .iter_mut()
                        .zip(w.iter())
                    {
                        *v = wj / w_norm;
                    }
                }
                // Apply the previous rotations, then a new one zeroing h[k+1].
                for i in 0..k {
                    let (c, s) = (self.cosines[i], self.sines[i]);
                    let (a, bb) = (h[i], h[i + 1]);
                    h[i] = c * a + s * bb;
                    h[i + 1] = -s * a + c * bb;
                }
                let r = h[k].hypot(h[k + 1]);
                let (c, s) = if r == 0.0 {
                    (1.0, 0.0)
                } else {
                    (h[k] / r, h[k + 1] / r)
                };
                self.cosines[k] = c;
                self.sines[k] = s;
                h[k] = r;
                h[k + 1] = 0.0;
                self.g[k + 1] = -s * self.g[k];
                self.g[k] *= c;
                estimate = self.g[k + 1].abs();
                k += 1;
                done += 1;
                self.stats.iterations += 1;
                if w_norm == 0.0 {
                    // Lucky breakdown: the Krylov space is invariant, the solution is exact.
                    break;
                }
            }
            // y = H⁻¹ g (upper triangular k × k), x += M⁻¹ V y.
            for i in (0..k).rev() {
                let mut s = self.g[i];
                for j in i + 1..k {
                    s -= self.hessenberg[j * (m + 1) + i] * self.y[j];
                }
                let hii = self.hessenberg[i * (m + 1) + i];
                self.y[i] = if hii != 0.0 { s / hii } else { 0.0 };
            }
            self.z.fill(0.0);
            for i in 0..k {
                let yi = self.y[i];
                for (zj, vj) in self.z.iter_mut().zip(&self.basis[i * n..(i + 1) * n]) {
                    *zj += yi * vj;
                }
            }
            self.ilu.apply(&mut self.z, transpose);
            for (xj, zj) in self.x.iter_mut().zip(&self.z) {
                *xj += zj;
            }
            // True residual for the restart (and the convergence decision).
            product(
                &self.rows,
                &self.a,
                &self.values,
                &self.x,
                &mut self.w,
                transpose,
            );
            for (wj, bj) in self.w.iter_mut().zip(b) {
                *wj = bj - *wj;
            }
            if k == 0 {
                return false;
            }
        }
    }
}

/// A row-by-row copy of a CSC matrix, for gathers: each row sums in a fixed order
/// ([`CsrMirror::row_dot`]) and rows are independent, so a product can run on any number of
/// threads and give the same bits. Its structure is built once; [`CsrMirror::refresh`] copies the values.
struct CsrMirror {
    row_ptr: Vec<usize>,
    /// Column of each entry; 32 bits, since the products are limited by memory traffic (the
    /// 50 × 30 × 5 synthetic world solves 15 % faster than with 64-bit columns). A problem with
    /// 2³² unknowns would need terabytes for its Krylov basis alone.
    col_idx: Vec<u32>,
    /// CSC slot of each entry (32 bits, like the columns).
    slot: Vec<u32>,
    values: Vec<f64>,
    /// Position of the diagonal in each row (`usize::MAX` when it is not stored).
    diag: Vec<usize>,
}

/// Products with fewer entries than this run on one thread: below it, rayon's overhead exceeds
/// the work.
const PARALLEL_MIN_ENTRIES: usize = 100_000;

/// Entries per task of the parallel copies.
const PARALLEL_CHUNK: usize = 1 << 16;

impl CsrMirror {
    fn new(n: usize, col_ptr: &[usize], row_idx: &[usize]) -> Self {
        Self::with_slots(n, col_ptr, row_idx, |_| true)
    }

    /// The copy of the slots s with `keep(s)` only. Built in parallel by chunks of columns:
    /// each row's entries come out in column order whatever the chunks.
    fn with_slots(
        n: usize,
        col_ptr: &[usize],
        row_idx: &[usize],
        keep: impl Fn(usize) -> bool + Sync,
    ) -> Self {
        // Two chunks per thread, with at least 4n entries each (each keeps two arrays of n);
        // one for small matrices.
        let chunk_count = if row_idx.len() < PARALLEL_MIN_ENTRIES {
            1
        } else {
            (2 * rayon::current_num_threads())
                .min(row_idx.len() / (4 * n.max(1)))
                .max(1)
        };
        let per_chunk = n.div_ceil(chunk_count).max(1);
        let chunks: Vec<Range<usize>> = (0..n.div_ceil(per_chunk))
            .map(|c| c * per_chunk..((c + 1) * per_chunk).min(n))
            .collect();
        // Entries per row in each chunk of columns.
        let counts: Vec<Vec<usize>> = chunks
            .par_iter()
            .map(|cols| {
                let mut count = vec![0; n];
                for s in col_ptr[cols.start]..col_ptr[cols.end] {
                    if keep(s) {
                        count[row_idx[s]] += 1;
                    }
                }
                count
            })
            .collect();
        let mut row_ptr = vec![0; n + 1];
        for i in 0..n {
            row_ptr[i + 1] = row_ptr[i] + counts.iter().map(|c| c[i]).sum::<usize>();
        }
        let nnz = row_ptr[n];
        // Each chunk's entries of row i start after the earlier chunks' (so in column order).
        let mut next: Vec<Vec<usize>> = Vec::with_capacity(chunks.len());
        let mut at = row_ptr[..n].to_vec();
        for count in &counts {
            next.push(at.clone());
            for (a, c) in at.iter_mut().zip(count) {
                *a += c;
            }
        }
        // Every entry has one place: the chunks write disjoint ones.
        let col_idx: Vec<AtomicU32> = (0..nnz).map(|_| AtomicU32::new(0)).collect();
        let slot: Vec<AtomicU32> = (0..nnz).map(|_| AtomicU32::new(0)).collect();
        let diag: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(usize::MAX)).collect();
        chunks.par_iter().zip(next).for_each(|(cols, mut next)| {
            for j in cols.clone() {
                for s in (col_ptr[j]..col_ptr[j + 1]).filter(|&s| keep(s)) {
                    let i = row_idx[s];
                    let k = next[i];
                    next[i] += 1;
                    // n and the slots are below 2³² (with the ILU(0)'s added diagonals),
                    // checked by `Structure::new`.
                    col_idx[k].store(j as u32, Ordering::Relaxed);
                    slot[k].store(s as u32, Ordering::Relaxed);
                    if i == j {
                        diag[i].store(k, Ordering::Relaxed);
                    }
                }
            }
        });
        Self {
            row_ptr,
            col_idx: col_idx.into_iter().map(AtomicU32::into_inner).collect(),
            slot: slot.into_iter().map(AtomicU32::into_inner).collect(),
            values: vec![0.0; nnz],
            diag: diag.into_iter().map(AtomicUsize::into_inner).collect(),
        }
    }

    /// Copies the values of the CSC matrix with this structure.
    fn refresh(&mut self, csc_values: &[f64]) {
        let gather = |(to, slots): (&mut [f64], &[u32])| {
            for (v, &s) in to.iter_mut().zip(slots) {
                *v = csc_values[s as usize];
            }
        };
        if self.values.len() < PARALLEL_MIN_ENTRIES {
            gather((&mut self.values, &self.slot));
        } else {
            self.values
                .par_chunks_mut(PARALLEL_CHUNK)
                .zip(self.slot.par_chunks(PARALLEL_CHUNK))
                .for_each(gather);
        }
    }

    /// Σ over entries k of row i in `range` of values[k]·v[col[k]]. Four partial sums, in a
    /// fixed order: one running sum makes each addition wait for the previous one, and these
    /// dot products (most of the ILU(0)'s triangular solves, which cannot run in parallel) are
    /// limited by that latency rather than by memory.
    fn row_dot(&self, range: Range<usize>, v: &[f64]) -> f64 {
        let values = &self.values[range.clone()];
        let cols = &self.col_idx[range];
        let mut acc = [0.0; 4];
        let (value_chunks, col_chunks) = (values.chunks_exact(4), cols.chunks_exact(4));
        let rest: f64 = value_chunks
            .remainder()
            .iter()
            .zip(col_chunks.remainder())
            .map(|(a, &j)| a * v[j as usize])
            .sum();
        for (a, j) in value_chunks.zip(col_chunks) {
            for k in 0..4 {
                acc[k] += a[k] * v[j[k] as usize];
            }
        }
        (acc[0] + acc[1]) + (acc[2] + acc[3]) + rest
    }

    /// out = A v, rows in parallel for large matrices.
    fn mul(&self, v: &[f64], out: &mut [f64]) {
        let row = |i: usize| self.row_dot(self.row_ptr[i]..self.row_ptr[i + 1], v);
        if self.values.len() < PARALLEL_MIN_ENTRIES {
            for (i, o) in out.iter_mut().enumerate() {
                *o = row(i);
            }
        } else {
            out.par_iter_mut()
                .enumerate()
                .with_min_len(256)
                .for_each(|(i, o)| *o = row(i));
        }
    }
}

/// out = A v (by rows) or Aᵀ v (by the columns of A, with structure `a` and CSC `values`).
fn product(
    rows: &CsrMirror,
    a: &Structure,
    values: &[f64],
    v: &[f64],
    out: &mut [f64],
    transpose: bool,
) {
    if transpose {
        a.mul_transpose(values, v, out);
    } else {
        rows.mul(v, out);
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

    proptest::proptest! {
        /// Against a direct construction from ordered sets, whatever the chunks and groups.
        #[test]
        fn structure_holds_every_position_once_in_order(
            n in 1usize..30,
            triplets in proptest::collection::vec((0usize..1000, 0usize..1000), 0..200),
            fill in proptest::collection::vec((0usize..1000, 0usize..1000), 0..100),
            chunk in 1usize..50,
            group in 1usize..50,
        ) {
            use std::collections::{BTreeMap, BTreeSet};
            let (rows, cols): (Vec<usize>, Vec<usize>) =
                triplets.iter().map(|&(r, c)| (r % n, c % n)).unzip();
            let (fill_rows, fill_cols): (Vec<usize>, Vec<usize>) =
                fill.iter().map(|&(r, c)| (r % n, c % n)).unzip();
            let pattern = Pattern::from_triplets(n, rows.clone(), cols.clone())
                .unwrap()
                .with_fill(fill_rows.clone(), fill_cols.clone())
                .unwrap();
            let s = Structure::in_parts(&pattern, chunk, group).unwrap();
            // (column, row) → valued.
            let mut expected = BTreeMap::new();
            for (&r, &c) in fill_rows.iter().zip(&fill_cols) {
                expected.insert((c, r), false);
            }
            for (&r, &c) in rows.iter().zip(&cols) {
                expected.insert((c, r), true);
            }
            for i in 0..n {
                expected.insert((i, i), true);
            }
            let mut found = BTreeMap::new();
            for j in 0..n {
                let column: Vec<usize> = s.row_idx[s.col_ptr[j]..s.col_ptr[j + 1]].to_vec();
                let unique: BTreeSet<usize> = column.iter().copied().collect();
                proptest::prop_assert_eq!(unique.into_iter().collect::<Vec<_>>(), column.clone());
                for slot in s.col_ptr[j]..s.col_ptr[j + 1] {
                    found.insert((j, s.row_idx[slot]), s.valued[slot]);
                }
                proptest::prop_assert_eq!(s.row_idx[s.diag_slot[j]], j);
                proptest::prop_assert!(s.diag_slot[j] >= s.col_ptr[j] && s.diag_slot[j] < s.col_ptr[j + 1]);
            }
            proptest::prop_assert_eq!(&found, &expected);
            let mut slot_of_triplet = vec![usize::MAX; rows.len()];
            for (&k, &slot) in s.order.iter().zip(&s.slot_of_order) {
                slot_of_triplet[k as usize] = slot as usize;
            }
            for (k, (&r, &c)) in rows.iter().zip(&cols).enumerate() {
                let slot = slot_of_triplet[k];
                proptest::prop_assert!(slot >= s.col_ptr[c] && slot < s.col_ptr[c + 1]);
                proptest::prop_assert_eq!(s.row_idx[slot], r);
            }
            proptest::prop_assert_eq!(s.valued_count, expected.values().filter(|&&v| v).count());
            let whole = Structure::new(&pattern).unwrap();
            proptest::prop_assert_eq!(&whole.row_idx, &s.row_idx);
            // Assembly sums each slot's triplets in index order, in any chunks.
            let values: Vec<f64> = (0..rows.len()).map(|k| 1.0 / (k as f64 + 3.0)).collect();
            let mut expected_values = vec![0.0; s.row_idx.len()];
            for (k, &v) in values.iter().enumerate() {
                expected_values[slot_of_triplet[k]] += v;
            }
            let mut jac = SparseJacobian::with_structure(Arc::new(s));
            jac.triplet_values.copy_from_slice(&values);
            jac.assemble();
            proptest::prop_assert_eq!(&jac.values, &expected_values);
            let s = &jac.s;
            proptest::prop_assert_eq!(&whole.order, &s.order);
            proptest::prop_assert_eq!(&whole.slot_of_order, &s.slot_of_order);
        }
    }

    #[test]
    fn patterns_beyond_32_bit_indices_are_refused() {
        let huge = Pattern::from_triplets(1 << 32, Vec::new(), Vec::new()).unwrap();
        assert_eq!(Structure::new(&huge).unwrap_err(), TooLarge);
        let e = crate::SolveError::PatternTooLarge {
            problem: "p".into(),
            dim: 1 << 32,
            triplets: 0,
        };
        assert!(
            e.to_string().contains("too large for 32-bit indices"),
            "{e}"
        );
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
            let mut f = Factorization::new(kind, &jac, 1e-13, KrylovSettings::default()).unwrap();
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
        let mut f =
            Factorization::new(Kind::Dense, &jac, 1e-13, KrylovSettings::default()).unwrap();
        assert_eq!(f.factor(&jac, 0.0), Err(Singular));
        assert!(f.factor(&jac, 1e-3).is_ok());
    }
    /// Convection–diffusion on a g × g grid (5-point stencil, upwind convection): nonsymmetric,
    /// and ILU(0) is not exact on it.
    fn convection_diffusion(g: usize) -> SparseJacobian {
        let n = g * g;
        let (mut rows, mut cols, mut vals) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..g {
            for j in 0..g {
                let k = i * g + j;
                let mut push = |c: usize, v: f64| {
                    rows.push(k);
                    cols.push(c);
                    vals.push(v);
                };
                push(k, 4.0 + 3.0);
                if j > 0 {
                    push(k - 1, -1.0 - 3.0);
                }
                if j + 1 < g {
                    push(k + 1, -1.0);
                }
                if i > 0 {
                    push(k - g, -1.0 + 0.5 * (j as f64 / g as f64));
                }
                if i + 1 < g {
                    push(k + g, -1.0 - 0.5);
                }
            }
        }
        let pattern = Pattern::from_triplets(n, rows, cols).unwrap();
        let mut jac = SparseJacobian::new(&pattern);
        jac.triplet_values.copy_from_slice(&vals);
        jac.assemble();
        jac
    }

    /// Solves and transpose-solves with `f`, checking both residuals.
    fn check_solves(f: &mut Factorization, jac: &SparseJacobian, b: &[f64], tol: f64) -> Vec<f64> {
        let n = b.len();
        let distance = |out: &[f64]| {
            out.iter()
                .zip(b)
                .map(|(a, c)| (a - c).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        let b_norm = two_norm(b);
        let mut out = vec![0.0; n];
        let mut x = b.to_vec();
        f.solve(&mut x);
        jac.mul(&x, &mut out);
        let r = distance(&out);
        assert!(r <= tol * b_norm, "residual {r:e}");
        let mut y = b.to_vec();
        f.solve_transpose(&mut y);
        jac.mul_transpose(&y, &mut out);
        let r = distance(&out);
        assert!(r <= tol * b_norm, "transposed residual {r:e}");
        x
    }

    #[test]
    fn gmres_with_ilu0_solves_the_tridiagonal_system() {
        let n = 30;
        let jac = tridiagonal(n);
        let b: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        let mut f =
            Factorization::new(Kind::Iterative, &jac, 1e-13, KrylovSettings::default()).unwrap();
        f.factor(&jac, 0.0).unwrap();
        check_solves(&mut f, &jac, &b, 1e-10);
        // ILU(0) of a tridiagonal matrix is its exact LU: one iteration per system.
        let stats = f.krylov_stats();
        assert_eq!(stats.solves, 2);
        assert!(stats.iterations <= 2, "{stats:?}");
        assert_eq!(stats.fallbacks, 0);
    }

    #[test]
    fn gmres_with_ilu0_solves_a_nonsymmetric_system_like_the_lu() {
        let jac = convection_diffusion(20);
        let n = jac.dim();
        let b: Vec<f64> = (0..n).map(|i| 1.0 + (0.37 * i as f64).cos()).collect();
        let settings = KrylovSettings {
            tolerance: 1e-10,
            restart: 10,
            max_iterations: 500,
            ..KrylovSettings::default()
        };
        let mut f = Factorization::new(Kind::Iterative, &jac, 1e-13, settings).unwrap();
        f.factor(&jac, 0.0).unwrap();
        let x = check_solves(&mut f, &jac, &b, 1e-10);
        let stats = f.krylov_stats();
        assert_eq!(stats.fallbacks, 0);
        // Not exact: several iterations, across restarts of 10.
        assert!(stats.iterations > 2 && stats.iterations < 200, "{stats:?}");
        let mut lu =
            Factorization::new(Kind::Sparse, &jac, 1e-13, KrylovSettings::default()).unwrap();
        lu.factor(&jac, 0.0).unwrap();
        let mut x_lu = b.clone();
        lu.solve(&mut x_lu);
        for i in 0..n {
            approx::assert_abs_diff_eq!(x[i], x_lu[i], epsilon = 1e-8);
        }
    }

    /// A full matrix like a dense input–output table: a tridiagonal core and weak couplings
    /// between all unknowns (each under 1 % of its column's largest, 25 % in all).
    fn weakly_coupled(n: usize) -> SparseJacobian {
        let pattern = Pattern::dense(n);
        let mut jac = SparseJacobian::new(&pattern);
        for (k, (&r, &c)) in pattern.rows().iter().zip(pattern.cols()).enumerate() {
            let weak = 0.25 * (1.0 + 0.5 * ((r * 7 + c * 3) % 5) as f64 / 4.0) / n as f64;
            jac.triplet_values[k] = match r.abs_diff(c) {
                0 => 4.0,
                1 => -1.0,
                _ => -weak,
            };
        }
        jac.assemble();
        jac
    }

    #[test]
    fn gmres_with_a_dropped_ilu_solves_a_weakly_coupled_dense_system() {
        let n = 200;
        let jac = weakly_coupled(n);
        let b: Vec<f64> = (0..n).map(|i| 1.0 + (0.3 * i as f64).sin()).collect();
        let settings = KrylovSettings {
            drop_tolerance: 1e-2,
            tolerance: 1e-8,
            ..KrylovSettings::default()
        };
        let mut f = Factorization::new(Kind::Iterative, &jac, 1e-13, settings).unwrap();
        f.factor(&jac, 0.0).unwrap();
        check_solves(&mut f, &jac, &b, settings.tolerance);
        let Factorization::Iterative(g) = &f else {
            panic!("iterative")
        };
        // The preconditioner keeps the tridiagonal core only, and GMRES the rest.
        assert_eq!(g.ilu.row_idx.len(), 3 * n - 2);
        let stats = f.krylov_stats();
        assert_eq!(stats.fallbacks, 0);
        assert!(stats.iterations <= 2 * 20, "{stats:?}");
    }

    #[test]
    fn fill_positions_serve_the_ilu_and_stay_out_of_the_products() {
        // A periodic tridiagonal matrix: its LU fills the last row and column, which the fill
        // positions name. ILU(0) on that pattern is the exact LU.
        let n = 40;
        let mut rows: Vec<usize> = Pattern::banded(n, 1, 1).rows().to_vec();
        let mut cols: Vec<usize> = Pattern::banded(n, 1, 1).cols().to_vec();
        rows.extend([0, n - 1]);
        cols.extend([n - 1, 0]);
        let values = |r: usize, c: usize| if r == c { 4.0 } else { -1.0 - 0.01 * r as f64 };
        let plain = Pattern::from_triplets(n, rows.clone(), cols.clone()).unwrap();
        let (fill_rows, fill_cols): (Vec<usize>, Vec<usize>) =
            (0..n).flat_map(|j| [(n - 1, j), (j, n - 1)]).unzip();
        let filled = plain.clone().with_fill(fill_rows, fill_cols).unwrap();
        let b: Vec<f64> = (0..n).map(|i| 1.0 + (0.2 * i as f64).cos()).collect();
        let mut iterations = Vec::new();
        for pattern in [&plain, &filled] {
            let mut jac = SparseJacobian::new(pattern);
            for (k, (&r, &c)) in pattern.rows().iter().zip(pattern.cols()).enumerate() {
                jac.triplet_values[k] = values(r, c);
            }
            jac.assemble();
            let mut f = Factorization::new(Kind::Iterative, &jac, 1e-13, KrylovSettings::default())
                .unwrap();
            f.factor(&jac, 0.0).unwrap();
            check_solves(&mut f, &jac, &b, 1e-10);
            let Factorization::Iterative(g) = &f else {
                panic!("iterative")
            };
            // The products skip the fill: the rows hold the triplets' positions only.
            assert_eq!(g.rows.values.len(), 3 * n);
            iterations.push(f.krylov_stats().iterations);
        }
        // The triplets (3n), the rest of the last row and column.
        assert_eq!(SparseJacobian::new(&filled).nnz(), 5 * n - 6);
        // Two systems (plain and transposed): one iteration each with the exact LU.
        assert_eq!(iterations[1], 2, "{iterations:?}");
        assert!(iterations[0] > iterations[1], "{iterations:?}");
    }

    #[test]
    fn gmres_falls_back_to_the_sparse_lu() {
        let jac = convection_diffusion(12);
        let n = jac.dim();
        let b: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        let settings = KrylovSettings {
            tolerance: 1e-12,
            restart: 2,
            max_iterations: 2,
            ..KrylovSettings::default()
        };
        let mut f = Factorization::new(Kind::Iterative, &jac, 1e-13, settings).unwrap();
        f.factor(&jac, 0.0).unwrap();
        check_solves(&mut f, &jac, &b, 1e-12);
        // The first system falls back and factors the LU; the transposed one reuses it.
        assert_eq!(
            f.krylov_stats(),
            KrylovStats {
                solves: 1,
                iterations: 2,
                fallbacks: 1,
                preconditioners: 1,
            }
        );
        // A new matrix: GMRES is tried again, with a new preconditioner since the old one
        // failed.
        f.factor(&jac, 1.0).unwrap();
        let mut x = b.clone();
        f.solve(&mut x);
        assert_eq!(f.krylov_stats().solves, 2);
        assert_eq!(f.krylov_stats().preconditioners, 2);
    }

    /// The row-parallel product gives the same bits on one thread and on several, and the
    /// same values as the column-oriented product.
    #[test]
    fn row_products_are_identical_for_any_thread_count() {
        let n = 20_000;
        let (mut rows, mut cols) = (Vec::new(), Vec::new());
        let mut state = 12345u64;
        for i in 0..n {
            for _ in 0..7 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                rows.push(i);
                cols.push((state >> 33) as usize % n);
            }
        }
        let pattern = Pattern::from_triplets(n, rows, cols).unwrap();
        let mut jac = SparseJacobian::new(&pattern);
        for (k, v) in jac.triplet_values.iter_mut().enumerate() {
            *v = ((k * 7919) % 1000) as f64 / 997.0 - 0.4;
        }
        jac.assemble();
        assert!(jac.nnz() >= PARALLEL_MIN_ENTRIES);
        let mut mirror = CsrMirror::new(n, &jac.s.col_ptr, &jac.s.row_idx);
        mirror.refresh(&jac.values);
        let v: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut out = vec![0.0; n];
            pool.install(|| mirror.mul(&v, &mut out));
            out
        };
        let one = on(1);
        assert_eq!(one, on(2));
        assert_eq!(one, on(3));
        let mut by_columns = vec![0.0; n];
        jac.mul(&v, &mut by_columns);
        for (a, b) in one.iter().zip(&by_columns) {
            approx::assert_abs_diff_eq!(a, b, epsilon = 1e-12);
        }
    }

    /// M⁻¹ b and M⁻ᵀ b solve J x = b and Jᵀ x = b: the ILU(0) is an exact factorization.
    fn assert_ilu_solves_exactly(ilu: &mut Ilu0, jac: &SparseJacobian, b: &[f64]) {
        let n = b.len();
        for transpose in [false, true] {
            let mut x = b.to_vec();
            ilu.apply(&mut x, transpose);
            let mut out = vec![0.0; n];
            if transpose {
                jac.mul_transpose(&x, &mut out);
            } else {
                jac.mul(&x, &mut out);
            }
            for i in 0..n {
                approx::assert_abs_diff_eq!(out[i], b[i], epsilon = 1e-12);
            }
        }
    }

    /// Rows of a diagonally dominant matrix shuffled, so that every stored diagonal is zero:
    /// the matching must undo the shuffle, after which ILU(0) of the arrow pattern is exact, and
    /// both M⁻¹ and M⁻ᵀ (with the permutation on the right sides) solve the system.
    #[test]
    fn ilu0_undoes_a_row_permutation() {
        let n = 7;
        // Row i of the matrix is row shuffle[i] of an arrow matrix pointing down-right.
        let shuffle = [3, 0, 6, 1, 5, 2, 4];
        let (mut rows, mut cols, mut vals) = (Vec::new(), Vec::new(), Vec::new());
        for (i, &a) in shuffle.iter().enumerate() {
            let mut entry = |c: usize, v: f64| {
                rows.push(i);
                cols.push(c);
                vals.push(v);
            };
            entry(a, 10.0 + a as f64);
            if a + 1 < n {
                entry(n - 1, 0.5 + 0.1 * a as f64);
            } else {
                for c in 0..n - 1 {
                    entry(c, -0.3 - 0.05 * c as f64);
                }
            }
        }
        let pattern = Pattern::from_triplets(n, rows, cols).unwrap();
        let mut jac = SparseJacobian::new(&pattern);
        jac.triplet_values.copy_from_slice(&vals);
        jac.assemble();
        let mut ilu = Ilu0::new(&jac, 0.0);
        ilu.factor(&jac.values);
        assert_ne!(
            ilu.row_perm,
            (0..n).collect::<Vec<_>>(),
            "the matching permutes"
        );
        let b: Vec<f64> = (0..n).map(|i| 1.0 + i as f64).collect();
        assert_ilu_solves_exactly(&mut ilu, &jac, &b);
    }

    /// A solve before any successful factorization, or after a failed one, answers NaN (the
    /// caller rejects the direction) instead of using a stale or missing matrix.
    #[test]
    fn gmres_without_a_factored_matrix_answers_nan() {
        let mut jac = tridiagonal(5);
        let mut f =
            Factorization::new(Kind::Iterative, &jac, 1e-13, KrylovSettings::default()).unwrap();
        let mut x = vec![1.0; 5];
        f.solve(&mut x);
        assert!(x.iter().all(|v| v.is_nan()));
        f.factor(&jac, 0.0).unwrap();
        let mut x = vec![1.0; 5];
        f.solve(&mut x);
        assert!(x.iter().all(|v| v.is_finite()));
        jac.values[0] = f64::INFINITY;
        assert_eq!(f.factor(&jac, 0.0), Err(Singular));
        let mut x = vec![1.0; 5];
        f.solve_transpose(&mut x);
        assert!(x.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn ilu0_is_exact_when_the_pattern_admits_no_fill() {
        // Arrow matrix pointing down-right: LU has no fill, so ILU(0) = LU.
        let n = 6;
        let (mut rows, mut cols) = (Vec::new(), Vec::new());
        for i in 0..n {
            rows.extend([i, i, n - 1]);
            cols.extend([i, n - 1, i]);
        }
        let pattern = Pattern::from_triplets(n, rows, cols).unwrap();
        let mut jac = SparseJacobian::new(&pattern);
        for (k, v) in jac.triplet_values.iter_mut().enumerate() {
            *v = match k % 3 {
                0 => 5.0 + k as f64,
                1 => 1.0 + 0.1 * k as f64,
                _ => -0.5 - 0.2 * k as f64,
            };
        }
        jac.assemble();
        let mut ilu = Ilu0::new(&jac, 0.0);
        ilu.factor(&jac.values);
        let b: Vec<f64> = (0..n).map(|i| i as f64 - 2.0).collect();
        assert_ilu_solves_exactly(&mut ilu, &jac, &b);
    }
}
