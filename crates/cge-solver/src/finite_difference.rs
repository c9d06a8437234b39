//! Finite-difference Jacobians for problems that supply only a residual.
//!
//! With a known sparsity pattern, columns that share no row are perturbed together (Curtis,
//! Powell & Reid 1974), so a banded n × n Jacobian costs a handful of residual evaluations
//! instead of n.

use std::cell::RefCell;

use crate::problem::{Bounds, EvalError, Pattern, Problem, Residual};

/// Wraps a [`Residual`] into a [`Problem`] whose Jacobian is computed by forward differences.
///
/// ```
/// use cge_solver::{FiniteDifference, EvalError, Residual, Solver, Options};
/// struct Circle;
/// impl Residual for Circle {
///     fn dim(&self) -> usize { 2 }
///     fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
///         f[0] = x[0] * x[0] + x[1] * x[1] - 1.0;
///         f[1] = x[0] - x[1];
///         Ok(())
///     }
/// }
/// let problem = FiniteDifference::new(Circle);
/// let solution = Solver::new(Options::default())?.solve(&problem, &[1.0, 0.5])?;
/// assert!((solution.x[0] - 0.5f64.sqrt()).abs() < 1e-8);
/// # Ok::<(), cge_solver::SolveError>(())
/// ```
pub struct FiniteDifference<R: Residual> {
    inner: R,
    pattern: Pattern,
    /// Column groups: columns in one group share no row.
    groups: Vec<Vec<usize>>,
    /// For each triplet, the group of its column.
    scratch: RefCell<Scratch>,
}

struct Scratch {
    base: Vec<f64>,
    shifted: Vec<f64>,
    x: Vec<f64>,
    steps: Vec<f64>,
}

impl<R: Residual> FiniteDifference<R> {
    /// A dense finite-difference Jacobian (n residual evaluations per Jacobian).
    pub fn new(inner: R) -> Self {
        let n = inner.dim();
        Self::build(inner, Pattern::dense(n))
    }

    /// A finite-difference Jacobian over a known sparsity pattern, with column grouping.
    ///
    /// # Errors
    /// [`EvalError`] if the pattern's dimension differs from the residual's.
    pub fn with_pattern(inner: R, pattern: Pattern) -> Result<Self, EvalError> {
        if pattern.dim() != inner.dim() {
            return Err(EvalError::new(format!(
                "pattern dimension {} differs from the residual's {}",
                pattern.dim(),
                inner.dim()
            )));
        }
        Ok(Self::build(inner, pattern))
    }

    fn build(inner: R, pattern: Pattern) -> Self {
        let n = inner.dim();
        let groups = column_groups(&pattern);
        Self {
            inner,
            pattern,
            groups,
            scratch: RefCell::new(Scratch {
                base: vec![0.0; n],
                shifted: vec![0.0; n],
                x: vec![0.0; n],
                steps: vec![0.0; n],
            }),
        }
    }

    /// Number of residual evaluations per Jacobian (one per column group, plus the base point).
    pub fn evaluations_per_jacobian(&self) -> usize {
        self.groups.len() + 1
    }

    /// The wrapped residual.
    pub fn inner(&self) -> &R {
        &self.inner
    }
}

/// Greedy grouping of columns such that no two columns of a group have a row in common.
fn column_groups(pattern: &Pattern) -> Vec<Vec<usize>> {
    let n = pattern.dim();
    let mut rows_of_col: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut cols_of_row: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (&r, &c) in pattern.rows().iter().zip(pattern.cols()) {
        rows_of_col[c].push(r);
        cols_of_row[r].push(c);
    }
    let mut group_of = vec![usize::MAX; n];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut forbidden = vec![usize::MAX; n + 1];
    for c in 0..n {
        // Groups already holding a column that shares a row with c are forbidden for c.
        for &r in &rows_of_col[c] {
            for &other in &cols_of_row[r] {
                if group_of[other] != usize::MAX {
                    forbidden[group_of[other]] = c;
                }
            }
        }
        let g = (0..groups.len())
            .find(|&g| forbidden[g] != c)
            .unwrap_or(groups.len());
        if g == groups.len() {
            groups.push(Vec::new());
        }
        groups[g].push(c);
        group_of[c] = g;
    }
    groups
}

impl<R: Residual> Problem for FiniteDifference<R> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        self.inner.residual(x, f)
    }

    fn jacobian_pattern(&self) -> Pattern {
        self.pattern.clone()
    }

    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let mut guard = self.scratch.borrow_mut();
        let s = &mut *guard;
        self.inner.residual(x, &mut s.base)?;
        s.x.copy_from_slice(x);
        // Step √ε·max(|x_j|, 1), the usual forward-difference choice (Nocedal & Wright §8.1).
        let eps = f64::EPSILON.sqrt();
        for (j, h) in s.steps.iter_mut().enumerate() {
            *h = eps * x[j].abs().max(1.0);
        }
        let rows = self.pattern.rows();
        let cols = self.pattern.cols();
        let mut group_of = vec![0usize; x.len()];
        for (g, group) in self.groups.iter().enumerate() {
            for &c in group {
                group_of[c] = g;
            }
        }
        for (g, group) in self.groups.iter().enumerate() {
            for &c in group {
                s.x[c] = x[c] + s.steps[c];
            }
            self.inner.residual(&s.x, &mut s.shifted)?;
            for &c in group {
                s.x[c] = x[c];
            }
            for k in 0..rows.len() {
                if group_of[cols[k]] == g {
                    values[k] = (s.shifted[rows[k]] - s.base[rows[k]]) / s.steps[cols[k]];
                }
            }
        }
        // Duplicated triplets would be summed by the solver: keep the value on the first only.
        let mut seen = std::collections::HashSet::with_capacity(rows.len());
        for k in 0..rows.len() {
            if !seen.insert((rows[k], cols[k])) {
                values[k] = 0.0;
            }
        }
        Ok(())
    }

    fn bounds(&self) -> Option<Bounds> {
        self.inner.bounds()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Tridiagonal(usize);
    impl Residual for Tridiagonal {
        fn dim(&self) -> usize {
            self.0
        }
        fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
            let n = self.0;
            for i in 0..n {
                let left = if i > 0 { x[i - 1] } else { 0.0 };
                let right = if i + 1 < n { x[i + 1] } else { 0.0 };
                f[i] = (3.0 - 2.0 * x[i]) * x[i] - left - 2.0 * right + 1.0;
            }
            Ok(())
        }
    }

    #[test]
    fn banded_pattern_needs_three_groups() {
        let fd =
            FiniteDifference::with_pattern(Tridiagonal(50), Pattern::banded(50, 1, 1)).unwrap();
        assert_eq!(fd.evaluations_per_jacobian(), 4);
    }

    #[test]
    fn grouped_differences_match_dense_differences() {
        let n = 12;
        let sparse =
            FiniteDifference::with_pattern(Tridiagonal(n), Pattern::banded(n, 1, 1)).unwrap();
        let dense = FiniteDifference::new(Tridiagonal(n));
        let x: Vec<f64> = (0..n).map(|i| 0.1 * i as f64 - 0.3).collect();
        let mut vs = vec![0.0; sparse.jacobian_pattern().len()];
        let mut vd = vec![0.0; n * n];
        sparse.jacobian(&x, &mut vs).unwrap();
        dense.jacobian(&x, &mut vd).unwrap();
        let p = sparse.jacobian_pattern();
        for k in 0..p.len() {
            let (r, c) = (p.rows()[k], p.cols()[k]);
            approx::assert_abs_diff_eq!(vs[k], vd[c * n + r], epsilon = 1e-9);
            // Analytic value of the tridiagonal Jacobian.
            let exact = if r == c {
                3.0 - 4.0 * x[r]
            } else if c + 1 == r {
                -1.0
            } else {
                -2.0
            };
            approx::assert_abs_diff_eq!(vs[k], exact, epsilon = 1e-6);
        }
    }

    #[test]
    fn mismatched_pattern_is_an_error() {
        assert!(FiniteDifference::with_pattern(Tridiagonal(3), Pattern::dense(4)).is_err());
    }
}
