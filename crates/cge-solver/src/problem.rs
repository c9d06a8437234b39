//! The problem interface: square systems F(x) = 0 and mixed complementarity problems.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::linalg::{Structure, TooLarge};

/// A point rejected by the problem's own code, for example a negative price entering a CES
/// function. The solver treats it as "outside the domain": a line search shortens its step; at
/// the starting point it is an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalError {
    /// Index of the variable or equation concerned, when the problem knows it.
    pub index: Option<usize>,
    /// What was wrong, in the problem's own words.
    pub message: String,
}

impl EvalError {
    /// An evaluation error about variable or equation `index`.
    pub fn at(index: usize, message: impl Into<String>) -> Self {
        Self {
            index: Some(index),
            message: message.into(),
        }
    }

    /// An evaluation error not tied to one index.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            index: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(i) => write!(f, "{} (index {i})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for EvalError {}

/// The sparsity pattern of a Jacobian as triplets: entry `k` is at row `rows[k]`, column
/// `cols[k]`. Duplicated positions are allowed and their values are summed, so a model may emit
/// one triplet per term without merging them itself.
///
/// A pattern may also name *fill positions* ([`Pattern::with_fill`]): places where the
/// Jacobian is zero at every point but where eliminating other unknowns creates entries. They
/// have no values and take no part in products with J; the solver keeps them in the structure
/// of its factorizations (the sparse LU's ordering, the ILU(0)'s pattern), which they can make
/// much better.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PatternData")]
pub struct Pattern {
    n: usize,
    rows: Vec<usize>,
    cols: Vec<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fill_rows: Vec<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fill_cols: Vec<usize>,
}

/// A pattern as read, checked like [`Pattern::from_triplets`] and [`Pattern::with_fill`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternData {
    n: usize,
    rows: Vec<usize>,
    cols: Vec<usize>,
    #[serde(default)]
    fill_rows: Vec<usize>,
    #[serde(default)]
    fill_cols: Vec<usize>,
}

impl TryFrom<PatternData> for Pattern {
    type Error = PatternError;

    fn try_from(d: PatternData) -> Result<Self, PatternError> {
        Pattern::from_triplets(d.n, d.rows, d.cols)?.with_fill(d.fill_rows, d.fill_cols)
    }
}

impl Pattern {
    /// A dense n × n pattern, column by column (entry `k` is row `k % n`, column `k / n`).
    pub fn dense(n: usize) -> Self {
        let rows = (0..n * n).map(|k| k % n).collect();
        let cols = (0..n * n).map(|k| k / n).collect();
        Self {
            n,
            rows,
            cols,
            fill_rows: Vec::new(),
            fill_cols: Vec::new(),
        }
    }

    /// A pattern from triplet positions.
    ///
    /// # Errors
    /// [`PatternError`] if the two lists differ in length or a position lies outside n × n.
    pub fn from_triplets(
        n: usize,
        rows: Vec<usize>,
        cols: Vec<usize>,
    ) -> Result<Self, PatternError> {
        check_positions(n, &rows, &cols)?;
        Ok(Self {
            n,
            rows,
            cols,
            fill_rows: Vec::new(),
            fill_cols: Vec::new(),
        })
    }

    /// The pattern with fill positions (row `rows[k]`, column `cols[k]`): where the Jacobian
    /// is always zero but elimination fills in (see [`Pattern`]). Positions that are also
    /// triplets, and repeated ones, count once.
    ///
    /// # Errors
    /// As [`Pattern::from_triplets`], with `entry` indexing the fill positions.
    pub fn with_fill(mut self, rows: Vec<usize>, cols: Vec<usize>) -> Result<Self, PatternError> {
        check_positions(self.n, &rows, &cols)?;
        self.fill_rows = rows;
        self.fill_cols = cols;
        Ok(self)
    }

    /// A banded pattern with `lower` sub-diagonals and `upper` super-diagonals, row by row.
    pub fn banded(n: usize, lower: usize, upper: usize) -> Self {
        let mut rows = Vec::new();
        let mut cols = Vec::new();
        for i in 0..n {
            for j in i.saturating_sub(lower)..(i + upper + 1).min(n) {
                rows.push(i);
                cols.push(j);
            }
        }
        Self {
            n,
            rows,
            cols,
            fill_rows: Vec::new(),
            fill_cols: Vec::new(),
        }
    }

    /// Dimension n of the square matrix.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Number of triplets (duplicates counted).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the pattern has no entries.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row of each triplet.
    pub fn rows(&self) -> &[usize] {
        &self.rows
    }

    /// Column of each triplet.
    pub fn cols(&self) -> &[usize] {
        &self.cols
    }

    /// Rows of the fill positions.
    pub fn fill_rows(&self) -> &[usize] {
        &self.fill_rows
    }

    /// Columns of the fill positions.
    pub fn fill_cols(&self) -> &[usize] {
        &self.fill_cols
    }
}

/// Checks that `rows` and `cols` have one entry per position, all inside the n × n matrix.
fn check_positions(n: usize, rows: &[usize], cols: &[usize]) -> Result<(), PatternError> {
    if rows.len() != cols.len() {
        return Err(PatternError::LengthMismatch {
            rows: rows.len(),
            cols: cols.len(),
        });
    }
    match (0..rows.len()).find(|&k| rows[k] >= n || cols[k] >= n) {
        Some(k) => Err(PatternError::OutOfRange {
            entry: k,
            row: rows[k],
            col: cols[k],
            n,
        }),
        None => Ok(()),
    }
}

/// Why a [`Pattern`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// The row and column lists have different lengths.
    #[error("pattern has {rows} row indices but {cols} column indices")]
    LengthMismatch {
        /// Length of the row list.
        rows: usize,
        /// Length of the column list.
        cols: usize,
    },
    /// An entry lies outside the n × n matrix.
    #[error("pattern entry {entry} at ({row}, {col}) lies outside the {n} x {n} matrix")]
    OutOfRange {
        /// Index of the triplet.
        entry: usize,
        /// Its row.
        row: usize,
        /// Its column.
        col: usize,
        /// The dimension.
        n: usize,
    },
}

/// Box bounds l ≤ x ≤ u (entries may be ±∞). With bounds, F(x) = 0 becomes the mixed
/// complementarity problem: x_i = l_i ⇒ F_i ≥ 0, x_i = u_i ⇒ F_i ≤ 0, l_i < x_i < u_i ⇒ F_i = 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// Lower bounds (may be −∞).
    pub lower: Vec<f64>,
    /// Upper bounds (may be +∞).
    pub upper: Vec<f64>,
}

impl Bounds {
    /// No bound on any of n variables.
    pub fn free(n: usize) -> Self {
        Self {
            lower: vec![f64::NEG_INFINITY; n],
            upper: vec![f64::INFINITY; n],
        }
    }

    /// Every one of n variables non-negative.
    pub fn nonnegative(n: usize) -> Self {
        Self {
            lower: vec![0.0; n],
            upper: vec![f64::INFINITY; n],
        }
    }

    /// Whether some bound is finite (so the problem is a genuine complementarity problem).
    pub fn any_finite(&self) -> bool {
        self.lower.iter().chain(&self.upper).any(|b| b.is_finite())
    }
}

/// A square system of n equations in n unknowns, F(x) = 0, or with [`Problem::bounds`] a mixed
/// complementarity problem. Implementors write the residual into a buffer and the Jacobian's
/// values in the order of [`Problem::jacobian_pattern`]; both may reject a point with an
/// [`EvalError`].
///
/// Implementations that cannot supply a Jacobian wrap a residual in
/// [`crate::FiniteDifference`].
pub trait Problem {
    /// A name used in errors and diagnostics.
    fn name(&self) -> &str {
        "problem"
    }

    /// Number of unknowns and of equations.
    fn dim(&self) -> usize;

    /// Writes F(x) into `f` (length n).
    ///
    /// # Errors
    /// [`EvalError`] when x lies outside the domain of F.
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError>;

    /// The Jacobian's sparsity pattern; the solver asks for it once per solve, or once while
    /// [`Problem::structure_cache`] keeps its analysis. Positions whose value happens to be
    /// zero at some x must still be listed if they can be non-zero elsewhere.
    fn jacobian_pattern(&self) -> Pattern;

    /// Writes the Jacobian's values at x, one per triplet of [`Problem::jacobian_pattern`], in
    /// the same order.
    ///
    /// # Errors
    /// [`EvalError`] when x lies outside the domain of F.
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError>;

    /// The same as [`Problem::jacobian`], called by the solver at a point whose residual it has
    /// evaluated during the same solve (Newton's methods evaluate both at every accepted
    /// point), so that a problem may reuse work from that evaluation. The default calls
    /// [`Problem::jacobian`].
    ///
    /// # Errors
    /// As [`Problem::jacobian`].
    fn jacobian_after_residual(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        self.jacobian(x, values)
    }

    /// Box bounds turning the system into a mixed complementarity problem; `None` for a plain
    /// system of equations.
    fn bounds(&self) -> Option<Bounds> {
        None
    }

    /// Where the solver keeps the analysis of [`Problem::jacobian_pattern`] (its compressed
    /// structure) between solves of a problem whose pattern does not change; `None` (the
    /// default) analyses it at every solve. A problem whose pattern changes must clear it.
    fn structure_cache(&self) -> Option<&StructureCache> {
        None
    }
}

/// The solver's analysis of a Jacobian pattern, kept by a problem across solves (see
/// [`Problem::structure_cache`]): the first solve fills it, later ones reuse it. Cloning shares
/// the analysis.
#[derive(Debug, Default)]
pub struct StructureCache {
    kept: OnceLock<Arc<Structure>>,
    /// Analyses run through this cache since it was created or cleared.
    analyses: AtomicUsize,
}

impl Clone for StructureCache {
    fn clone(&self) -> Self {
        Self {
            kept: self.kept.clone(),
            analyses: AtomicUsize::new(self.analyses()),
        }
    }
}

impl StructureCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets the analysis (after a change of the pattern).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Whether an analysis is kept.
    pub fn is_filled(&self) -> bool {
        self.kept.get().is_some()
    }

    /// How many times the pattern was analysed since the cache was created or cleared: 1 after
    /// any number of solves of one problem (more only when solves on several threads start
    /// together).
    pub fn analyses(&self) -> usize {
        self.analyses.load(Ordering::Relaxed)
    }

    /// The kept analysis, or a new one of `pattern()` (kept from now on). The analysis runs
    /// outside the cell's initialisation: it uses rayon, and a thread waiting on it may run
    /// another solve of the same problem, which must not re-enter the cell.
    ///
    /// # Errors
    /// The pattern when it is too large for [`Structure`] (nothing is kept).
    pub(crate) fn get_or_analyse(
        &self,
        pattern: impl FnOnce() -> Pattern,
    ) -> Result<Arc<Structure>, Pattern> {
        if let Some(kept) = self.kept.get() {
            return Ok(Arc::clone(kept));
        }
        let pattern = pattern();
        let analysed = Arc::new(Structure::new(&pattern).map_err(|TooLarge| pattern)?);
        self.analyses.fetch_add(1, Ordering::Relaxed);
        Ok(Arc::clone(self.kept.get_or_init(|| analysed)))
    }
}

impl<P: Problem + ?Sized> Problem for &P {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        (**self).residual(x, f)
    }
    fn jacobian_pattern(&self) -> Pattern {
        (**self).jacobian_pattern()
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        (**self).jacobian(x, values)
    }
    fn jacobian_after_residual(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        (**self).jacobian_after_residual(x, values)
    }
    fn bounds(&self) -> Option<Bounds> {
        (**self).bounds()
    }
    fn structure_cache(&self) -> Option<&StructureCache> {
        (**self).structure_cache()
    }
}

/// A residual function alone, for [`crate::FiniteDifference`] to differentiate.
pub trait Residual {
    /// A name used in errors and diagnostics.
    fn name(&self) -> &str {
        "problem"
    }
    /// Number of unknowns and of equations.
    fn dim(&self) -> usize;
    /// Writes F(x) into `f`.
    ///
    /// # Errors
    /// [`EvalError`] when x lies outside the domain of F.
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError>;
    /// Optional box bounds, as for [`Problem::bounds`].
    fn bounds(&self) -> Option<Bounds> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_pattern_is_column_major() {
        let p = Pattern::dense(2);
        assert_eq!(p.rows(), &[0, 1, 0, 1]);
        assert_eq!(p.cols(), &[0, 0, 1, 1]);
    }

    #[test]
    fn banded_pattern_counts() {
        let p = Pattern::banded(4, 1, 1);
        assert_eq!(p.len(), 10);
    }

    #[test]
    fn pattern_errors_name_the_entry() {
        let e = Pattern::from_triplets(2, vec![0, 1], vec![0]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "pattern has 2 row indices but 1 column indices"
        );
        let e = Pattern::from_triplets(2, vec![0, 2], vec![0, 1]).unwrap_err();
        assert_eq!(
            e,
            PatternError::OutOfRange {
                entry: 1,
                row: 2,
                col: 1,
                n: 2
            }
        );
        let diagonal = Pattern::from_triplets(2, vec![0, 1], vec![0, 1]).unwrap();
        let e = diagonal
            .clone()
            .with_fill(vec![1, 0], vec![0, 5])
            .unwrap_err();
        assert_eq!(
            e,
            PatternError::OutOfRange {
                entry: 1,
                row: 0,
                col: 5,
                n: 2
            }
        );
        // A pattern read from a file is checked the same way.
        let read: Result<Pattern, _> =
            serde_json::from_str(r#"{"n": 2, "rows": [0, 1], "cols": [0, 2]}"#);
        assert!(read
            .unwrap_err()
            .to_string()
            .contains("outside the 2 x 2 matrix"));
        let json = serde_json::to_string(&diagonal).unwrap();
        assert_eq!(serde_json::from_str::<Pattern>(&json).unwrap(), diagonal);
        let filled = diagonal.with_fill(vec![1], vec![0]).unwrap();
        assert_eq!(
            (filled.len(), filled.fill_rows(), filled.fill_cols()),
            (2, &[1][..], &[0][..])
        );
    }
}
