//! Mixed complementarity test problems with known solutions: MCPLIB's `josephy`, `kojshin` and a
//! Mathiesen equilibrium model (S. P. Dirkse & M. C. Ferris, "MCPLIB: a collection of nonlinear
//! mixed complementarity problems", Optimization Methods and Software 5:319–345, 1995), and small
//! linear complementarity problems constructed with known solutions.
//!
//! With bounds l ≤ x ≤ u a solution satisfies x_i = l_i ⇒ F_i ≥ 0, x_i = u_i ⇒ F_i ≤ 0 and
//! l_i < x_i < u_i ⇒ F_i = 0.

use super::{fill_dense, TestProblem};
use crate::problem::{Bounds, EvalError, Pattern, Problem};

/// x₁ = √(3/2) of the Josephy and Kojima–Shindo solutions.
const SQRT_3_2: f64 = 1.224_744_871_391_589;

/// The eight starting points of MCPLIB's AMPL/GAMS versions of josephy and kojshin.
fn mcplib_quadratic_starts() -> Vec<Vec<f64>> {
    vec![
        vec![0.0, 0.0, 0.0, 0.0],
        vec![1.0, 1.0, 1.0, 1.0],
        vec![100.0, 100.0, 100.0, 100.0],
        vec![1.0, 0.0, 1.0, 0.0],
        vec![1.0, 0.0, 0.0, 0.0],
        vec![0.0, 1.0, 1.0, 0.0],
        vec![0.0, 1.0, 0.0, 1.0],
        vec![1.25, 0.0, 0.0, 0.5],
    ]
}

/// MCPLIB `josephy`: Kojima's four-variable NCP as given by Josephy (1979); x ≥ 0, start 0,
/// unique solution (√(3/2), 0, 0, 1/2), strictly complementary.
#[derive(Debug, Clone)]
pub struct Josephy {
    name: String,
}

impl Josephy {
    /// The four-variable NCP (MCPLIB josephy).
    pub fn new() -> Self {
        Self {
            name: "josephy(4)".into(),
        }
    }

    /// All eight starting points used with MCPLIB josephy (the first is [`TestProblem::standard_start`]).
    pub fn mcplib_starts() -> Vec<Vec<f64>> {
        mcplib_quadratic_starts()
    }
}

impl Default for Josephy {
    fn default() -> Self {
        Self::new()
    }
}

impl Problem for Josephy {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        4
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let (a, b, c, d) = (x[0], x[1], x[2], x[3]);
        f[0] = 3.0 * a * a + 2.0 * a * b + 2.0 * b * b + c + 3.0 * d - 6.0;
        f[1] = 2.0 * a * a + a + b * b + 3.0 * c + 2.0 * d - 2.0;
        f[2] = 3.0 * a * a + a * b + 2.0 * b * b + 2.0 * c + 3.0 * d - 1.0;
        f[3] = a * a + 3.0 * b * b + 2.0 * c + 3.0 * d - 3.0;
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(4)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let (a, b) = (x[0], x[1]);
        let jac = [
            [6.0 * a + 2.0 * b, 2.0 * a + 4.0 * b, 1.0, 3.0],
            [4.0 * a + 1.0, 2.0 * b, 3.0, 2.0],
            [6.0 * a + b, a + 4.0 * b, 2.0, 3.0],
            [2.0 * a, 6.0 * b, 2.0, 3.0],
        ];
        fill_dense(4, values, |i, j| jac[i][j]);
        Ok(())
    }
    fn bounds(&self) -> Option<Bounds> {
        Some(Bounds::nonnegative(4))
    }
}

impl TestProblem for Josephy {
    fn standard_start(&self) -> Vec<f64> {
        vec![0.0; 4]
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        vec![vec![SQRT_3_2, 0.0, 0.0, 0.5]]
    }
}

/// MCPLIB `kojshin`: the Kojima–Shindo four-variable NCP (M. Kojima & S. Shindo, J. Oper. Res.
/// Soc. Japan 29:352–374, 1986); x ≥ 0, start 0, two solutions (√(3/2), 0, 0, 1/2), which is
/// degenerate (x₃ = 0 = F₃), and (1, 0, 3, 0).
#[derive(Debug, Clone)]
pub struct KojimaShindo {
    name: String,
}

impl KojimaShindo {
    /// The four-variable NCP (MCPLIB kojshin).
    pub fn new() -> Self {
        Self {
            name: "kojshin(4)".into(),
        }
    }

    /// All eight starting points used with MCPLIB kojshin (the first is [`TestProblem::standard_start`]).
    pub fn mcplib_starts() -> Vec<Vec<f64>> {
        mcplib_quadratic_starts()
    }
}

impl Default for KojimaShindo {
    fn default() -> Self {
        Self::new()
    }
}

impl Problem for KojimaShindo {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        4
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let (a, b, c, d) = (x[0], x[1], x[2], x[3]);
        f[0] = 3.0 * a * a + 2.0 * a * b + 2.0 * b * b + c + 3.0 * d - 6.0;
        f[1] = 2.0 * a * a + a + b * b + 10.0 * c + 2.0 * d - 2.0;
        f[2] = 3.0 * a * a + a * b + 2.0 * b * b + 2.0 * c + 9.0 * d - 9.0;
        f[3] = a * a + 3.0 * b * b + 2.0 * c + 3.0 * d - 3.0;
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(4)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let (a, b) = (x[0], x[1]);
        let jac = [
            [6.0 * a + 2.0 * b, 2.0 * a + 4.0 * b, 1.0, 3.0],
            [4.0 * a + 1.0, 2.0 * b, 10.0, 2.0],
            [6.0 * a + b, a + 4.0 * b, 2.0, 9.0],
            [2.0 * a, 6.0 * b, 2.0, 3.0],
        ];
        fill_dense(4, values, |i, j| jac[i][j]);
        Ok(())
    }
    fn bounds(&self) -> Option<Bounds> {
        Some(Bounds::nonnegative(4))
    }
}

impl TestProblem for KojimaShindo {
    fn standard_start(&self) -> Vec<f64> {
        vec![0.0; 4]
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        vec![vec![SQRT_3_2, 0.0, 0.0, 0.5], vec![1.0, 0.0, 3.0, 0.0]]
    }
}

/// Mathiesen's Walrasian equilibrium model in numeraire form, after MCPLIB `mathinum` (L.
/// Mathiesen, Math. Programming Study 23:144–162, 1985; data of Math. Programming 37:1–18, 1987):
/// one activity y turning one unit each of goods 2 and 3 into good 1, a Cobb–Douglas consumer
/// with budget shares (0.9, 0.1, 0) and endowment (0, 5, 3), good 2 the numeraire (p₂ = 1, its
/// market dropped by Walras' law). Variables (y, p₁, p₃) ≥ 0, start (1, 1, 1), unique solution
/// (3, 6, 5).
///
/// F = (p₂ + p₃ − p₁, y − 0.9(5p₂ + 3p₃)/p₁, 3 − y): zero profit, and excess supply of goods 1
/// and 3. F is undefined for p₁ ≤ 0, where [`Problem::residual`] returns an [`EvalError`].
#[derive(Debug, Clone)]
pub struct Mathinum {
    name: String,
}

impl Mathinum {
    /// Budget share of good 1.
    const SHARE_1: f64 = 0.9;
    /// Endowment of good 2 (the numeraire).
    const ENDOW_2: f64 = 5.0;
    /// Endowment of good 3.
    const ENDOW_3: f64 = 3.0;

    /// The three-variable NCP (after MCPLIB mathinum).
    pub fn new() -> Self {
        Self {
            name: "mathinum(3)".into(),
        }
    }

    fn check_domain(x: &[f64]) -> Result<(), EvalError> {
        if x[1] > 0.0 {
            Ok(())
        } else {
            Err(EvalError::at(
                1,
                "Mathiesen model: price p1 must be positive",
            ))
        }
    }
}

impl Default for Mathinum {
    fn default() -> Self {
        Self::new()
    }
}

impl Problem for Mathinum {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        3
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        Self::check_domain(x)?;
        let (y, p1, p3) = (x[0], x[1], x[2]);
        let income = Self::ENDOW_2 + Self::ENDOW_3 * p3;
        f[0] = 1.0 + p3 - p1;
        f[1] = y - Self::SHARE_1 * income / p1;
        f[2] = Self::ENDOW_3 - y;
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(3)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        Self::check_domain(x)?;
        let (p1, p3) = (x[1], x[2]);
        let income = Self::ENDOW_2 + Self::ENDOW_3 * p3;
        let jac = [
            [0.0, -1.0, 1.0],
            [
                1.0,
                Self::SHARE_1 * income / (p1 * p1),
                -Self::SHARE_1 * Self::ENDOW_3 / p1,
            ],
            [-1.0, 0.0, 0.0],
        ];
        fill_dense(3, values, |i, j| jac[i][j]);
        Ok(())
    }
    fn bounds(&self) -> Option<Bounds> {
        Some(Bounds::nonnegative(3))
    }
}

impl TestProblem for Mathinum {
    fn standard_start(&self) -> Vec<f64> {
        vec![1.0; 3]
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        vec![vec![3.0, 6.0, 5.0]]
    }
}

/// A linear (mixed) complementarity problem F(x) = Mx + q with box bounds, a starting point and
/// its known solution; the named constructors give the test instances.
#[derive(Debug, Clone)]
pub struct Lcp {
    name: String,
    /// M stored column by column, as [`Pattern::dense`] orders its values.
    m: Vec<f64>,
    q: Vec<f64>,
    bounds: Bounds,
    start: Vec<f64>,
    solutions: Vec<Vec<f64>>,
}

impl Lcp {
    /// An LCP from M given row by row, q, bounds, a starting point and known solutions.
    ///
    /// # Panics
    /// If the sizes disagree.
    pub fn new(
        name: impl Into<String>,
        m_rows: &[Vec<f64>],
        q: Vec<f64>,
        bounds: Bounds,
        start: Vec<f64>,
        solutions: Vec<Vec<f64>>,
    ) -> Self {
        let n = q.len();
        assert!(m_rows.len() == n && m_rows.iter().all(|r| r.len() == n));
        assert!(bounds.lower.len() == n && bounds.upper.len() == n && start.len() == n);
        assert!(solutions.iter().all(|s| s.len() == n));
        let m = (0..n * n).map(|k| m_rows[k % n][k / n]).collect();
        Self {
            name: name.into(),
            m,
            q,
            bounds,
            start,
            solutions,
        }
    }

    /// The tridiagonal positive definite (hence P-) matrix with 4 on the diagonal and −1 beside.
    fn tridiagonal(n: usize) -> Vec<Vec<f64>> {
        (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| match i.abs_diff(j) {
                        0 => 4.0,
                        1 => -1.0,
                        _ => 0.0,
                    })
                    .collect()
            })
            .collect()
    }

    /// A 3-variable NCP with a P-matrix, x ≥ 0 ⊥ Mx + q ≥ 0, M = tridiag(−1, 4, −1),
    /// q = (−4, 6, −8): unique, strictly complementary solution (1, 0, 2) with F = (0, 3, 0).
    pub fn p_matrix() -> Self {
        Self::new(
            "lcp_p_matrix(3)",
            &Self::tridiagonal(3),
            vec![-4.0, 6.0, -8.0],
            Bounds::nonnegative(3),
            vec![0.0; 3],
            vec![vec![1.0, 0.0, 2.0]],
        )
    }

    /// A degenerate 3-variable NCP, M = tridiag(−1, 4, −1), q = (−4, 3, −8): unique solution
    /// (1, 0, 2) with F = 0, so x₂ = 0 and F₂ = 0 together.
    pub fn degenerate() -> Self {
        Self::new(
            "lcp_degenerate(3)",
            &Self::tridiagonal(3),
            vec![-4.0, 3.0, -8.0],
            Bounds::nonnegative(3),
            vec![0.0; 3],
            vec![vec![1.0, 0.0, 2.0]],
        )
    }

    /// A 4-variable box-constrained MCP, M = tridiag(−1, 4, −1), q = (−5.5, −1, 1.25, 1),
    /// bounds [0, 1] × [−1, 2] × [0, 10] × (−∞, ∞): unique solution (1, 0.5, 0, −0.25) with
    /// F = (−2, 0, 1, 0), x₁ at its upper bound, x₂ interior, x₃ at its lower bound, x₄ free.
    pub fn box_constrained() -> Self {
        Self::new(
            "lcp_box(4)",
            &Self::tridiagonal(4),
            vec![-5.5, -1.0, 1.25, 1.0],
            Bounds {
                lower: vec![0.0, -1.0, 0.0, f64::NEG_INFINITY],
                upper: vec![1.0, 2.0, 10.0, f64::INFINITY],
            },
            vec![0.0; 4],
            vec![vec![1.0, 0.5, 0.0, -0.25]],
        )
    }
}

impl Problem for Lcp {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        self.q.len()
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let n = self.q.len();
        f[..n].copy_from_slice(&self.q);
        for (j, col) in self.m.chunks_exact(n).enumerate() {
            for (fi, mij) in f.iter_mut().zip(col) {
                *fi += mij * x[j];
            }
        }
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(self.q.len())
    }
    fn jacobian(&self, _x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        values[..self.m.len()].copy_from_slice(&self.m);
        Ok(())
    }
    fn bounds(&self) -> Option<Bounds> {
        Some(self.bounds.clone())
    }
}

impl TestProblem for Lcp {
    fn standard_start(&self) -> Vec<f64> {
        self.start.clone()
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        self.solutions.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_problems::mcp_set;
    use crate::test_problems::tests::{
        assert_complementary, assert_jacobian_matches_fd, check_problem, natural_residual,
    };

    #[test]
    fn every_problem_jacobian_matches_finite_differences() {
        for (seed, p) in mcp_set().iter().enumerate() {
            check_problem(&**p, 1000 + seed as u64);
        }
    }

    #[test]
    fn stated_solutions_are_complementary() {
        for p in mcp_set() {
            assert!(p.has_solution());
            let sols = p.known_solutions();
            assert!(!sols.is_empty(), "{}", p.name());
            for s in &sols {
                assert_complementary(&*p, s, 1e-6);
                assert!(natural_residual(&*p, s) < 1e-6, "{}", p.name());
            }
        }
    }

    #[test]
    fn starting_points_are_not_solutions() {
        for p in mcp_set() {
            assert!(
                natural_residual(&*p, &p.standard_start()) > 1e-2,
                "{}",
                p.name()
            );
        }
    }

    #[test]
    fn mcplib_starts_are_feasible_and_jacobians_match_there() {
        let j = Josephy::new();
        let k = KojimaShindo::new();
        let starts = Josephy::mcplib_starts();
        assert_eq!(starts.len(), 8);
        assert_eq!(starts[0], j.standard_start());
        assert_eq!(KojimaShindo::mcplib_starts(), starts);
        for x in &starts {
            assert!(x.iter().all(|&v| v >= 0.0));
            assert_jacobian_matches_fd(&j, x);
            assert_jacobian_matches_fd(&k, x);
        }
    }

    #[test]
    fn kojshin_has_a_degenerate_and_a_nondegenerate_solution() {
        let p = KojimaShindo::new();
        let sols = p.known_solutions();
        assert_eq!(sols.len(), 2);
        let mut f = vec![0.0; 4];
        p.residual(&sols[0], &mut f).unwrap();
        // x₃ = 0 and F₃ = 0 together at the first solution.
        assert_eq!(sols[0][2], 0.0);
        assert!(f[2].abs() < 1e-12);
        p.residual(&sols[1], &mut f).unwrap();
        for i in 0..4 {
            assert!(sols[1][i] > 0.0 || f[i] > 1e-3, "component {i}");
        }
    }

    #[test]
    fn josephy_solution_is_strictly_complementary() {
        let p = Josephy::new();
        let s = &p.known_solutions()[0];
        let mut f = vec![0.0; 4];
        p.residual(s, &mut f).unwrap();
        for i in 0..4 {
            assert!(
                (s[i] > 0.0) != (f[i] > 1e-3),
                "component {i}: x = {}, F = {}",
                s[i],
                f[i]
            );
        }
    }

    #[test]
    fn lcp_instances_have_the_advertised_structure() {
        // P-matrix LCP: strictly complementary.
        let p = Lcp::p_matrix();
        let s = &p.known_solutions()[0];
        let mut f = vec![0.0; 3];
        p.residual(s, &mut f).unwrap();
        assert_eq!(f, vec![0.0, 3.0, 0.0]);
        // Degenerate LCP: x₂ = 0 = F₂.
        let p = Lcp::degenerate();
        let s = &p.known_solutions()[0];
        p.residual(s, &mut f).unwrap();
        assert_eq!(s[1], 0.0);
        assert_eq!(f, vec![0.0; 3]);
        // Box LCP: x₁ at its upper bound with F₁ < 0, x₃ at its lower bound with F₃ > 0.
        let p = Lcp::box_constrained();
        let b = p.bounds().unwrap();
        let s = &p.known_solutions()[0];
        let mut f = vec![0.0; 4];
        p.residual(s, &mut f).unwrap();
        assert_eq!(s[0], b.upper[0]);
        assert!(f[0] < 0.0);
        assert_eq!(s[2], b.lower[2]);
        assert!(f[2] > 0.0);
        assert!(b.lower[1] < s[1] && s[1] < b.upper[1] && f[1] == 0.0);
        assert!(b.lower[3].is_infinite() && b.upper[3].is_infinite() && f[3] == 0.0);
    }

    #[test]
    fn mathinum_rejects_nonpositive_price() {
        let p = Mathinum::new();
        let mut f = vec![0.0; 3];
        let e = p.residual(&[1.0, 0.0, 1.0], &mut f).unwrap_err();
        assert_eq!(e.index, Some(1));
        let mut v = vec![0.0; 9];
        assert!(p.jacobian(&[1.0, -1.0, 1.0], &mut v).is_err());
        // Walras' law: the dropped market for good 2 clears at the solution too.
        let (y, p3): (f64, f64) = (3.0, 5.0);
        let demand_2 = 0.1 * (5.0 + 3.0 * p3);
        assert!((5.0 - y - demand_2).abs() < 1e-12);
    }
}
