//! Standard test problems for the solvers: the Moré–Garbow–Hillstrom / MINPACK-1 nonlinear
//! equations ([`mgh`]) and small mixed complementarity problems from MCPLIB ([`mcp`]), each with
//! its starting point from the literature and, where known, its solutions.

pub mod mcp;
pub mod mgh;

use crate::problem::Problem;

pub use mcp::{Josephy, KojimaShindo, Lcp, Mathinum};
pub use mgh::{
    BrownAlmostLinear, BroydenBanded, BroydenTridiagonal, Chebyquad, DiscreteBoundaryValue,
    DiscreteIntegralEquation, ExtendedRosenbrock, FreudensteinRoth, HelicalValley,
    PowellBadlyScaled, PowellSingular, Rosenbrock, Trigonometric, VariablyDimensioned, Watson,
    Wood,
};

/// A problem with its standard starting point and known solutions, for tests and benchmarks.
pub trait TestProblem: Problem + Send + Sync {
    /// The starting point given in the literature.
    fn standard_start(&self) -> Vec<f64>;

    /// Roots (or MCP solutions) given in the literature; empty where none is known in closed form.
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        Vec::new()
    }

    /// Whether the system is known to have a root / the MCP a solution (false e.g. for a system
    /// with no root).
    fn has_solution(&self) -> bool {
        true
    }
}

/// The Moré–Garbow–Hillstrom / MINPACK-1 nonlinear-equation set at its default sizes (MGH 1981,
/// ACM TOMS 7(1):17–41; MINPACK-1 `hybrj` test driver), plus the extended Rosenbrock function.
pub fn mgh_set() -> Vec<Box<dyn TestProblem>> {
    vec![
        Box::new(Rosenbrock::new()),
        Box::new(PowellSingular::new()),
        Box::new(PowellBadlyScaled::new()),
        Box::new(Wood::new()),
        Box::new(HelicalValley::new()),
        Box::new(Watson::new(6)),
        Box::new(Watson::new(9)),
        Box::new(Chebyquad::new(5)),
        Box::new(BrownAlmostLinear::new(10)),
        Box::new(DiscreteBoundaryValue::new(10)),
        Box::new(DiscreteIntegralEquation::new(10)),
        Box::new(Trigonometric::new(10)),
        Box::new(VariablyDimensioned::new(10)),
        Box::new(BroydenTridiagonal::new(10)),
        Box::new(BroydenBanded::new(10)),
        Box::new(FreudensteinRoth::new()),
        Box::new(ExtendedRosenbrock::new(10)),
    ]
}

/// The mixed complementarity set: MCPLIB's josephy, kojshin and a Mathiesen model (Dirkse &
/// Ferris 1995), plus small linear complementarity problems with known solutions.
pub fn mcp_set() -> Vec<Box<dyn TestProblem>> {
    vec![
        Box::new(Josephy::new()),
        Box::new(KojimaShindo::new()),
        Box::new(Mathinum::new()),
        Box::new(Lcp::p_matrix()),
        Box::new(Lcp::degenerate()),
        Box::new(Lcp::box_constrained()),
    ]
}

/// Writes the dense Jacobian stored column by column (`Pattern::dense`) from a closure giving
/// entry (i, j).
pub(crate) fn fill_dense(n: usize, values: &mut [f64], mut entry: impl FnMut(usize, usize) -> f64) {
    for (k, v) in values.iter_mut().enumerate().take(n * n) {
        *v = entry(k % n, k / n);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::problem::Bounds;

    /// A small deterministic generator of uniform numbers in [0, 1) (64-bit LCG, Knuth's MMIX
    /// constants), so that test points are reproducible without extra dependencies.
    pub(crate) struct Lcg(u64);

    impl Lcg {
        pub(crate) fn new(seed: u64) -> Self {
            Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
        }

        pub(crate) fn next_f64(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// `count` points near `x`: each coordinate moved by up to ±`radius`·max(1, |x_i|).
    pub(crate) fn perturbed_points(
        x: &[f64],
        radius: f64,
        count: usize,
        seed: u64,
    ) -> Vec<Vec<f64>> {
        let mut rng = Lcg::new(seed);
        (0..count)
            .map(|_| {
                x.iter()
                    .map(|&xi| xi + radius * xi.abs().max(1.0) * (2.0 * rng.next_f64() - 1.0))
                    .collect()
            })
            .collect()
    }

    /// The Jacobian at x as a dense row-major matrix, summing duplicated triplets; also checks
    /// that the pattern is square n × n and that every value slot is written.
    pub(crate) fn dense_jacobian<P: Problem + ?Sized>(p: &P, x: &[f64]) -> Vec<Vec<f64>> {
        let n = p.dim();
        let pattern = p.jacobian_pattern();
        assert_eq!(pattern.dim(), n, "{}: pattern dimension", p.name());
        assert_eq!(pattern.rows().len(), pattern.len());
        assert_eq!(pattern.cols().len(), pattern.len());
        let mut values = vec![f64::NAN; pattern.len()];
        p.jacobian(x, &mut values)
            .unwrap_or_else(|e| panic!("{}: jacobian failed: {e}", p.name()));
        let mut jac = vec![vec![0.0; n]; n];
        for (k, &v) in values.iter().enumerate() {
            assert!(
                v.is_finite(),
                "{}: Jacobian value {k} not written or not finite",
                p.name()
            );
            jac[pattern.rows()[k]][pattern.cols()[k]] += v;
        }
        jac
    }

    /// Asserts that the analytic Jacobian equals a central finite-difference Jacobian at x, to a
    /// relative tolerance of about 1e-6 (steps scaled to |x_j|).
    pub(crate) fn assert_jacobian_matches_fd<P: Problem + ?Sized>(p: &P, x: &[f64]) {
        let n = p.dim();
        assert_eq!(x.len(), n);
        let jac = dense_jacobian(p, x);
        let mut f0 = vec![0.0; n];
        p.residual(x, &mut f0).unwrap();
        let mut fp = vec![0.0; n];
        let mut fm = vec![0.0; n];
        let mut xp = x.to_vec();
        for j in 0..n {
            let h = 6e-6 * x[j].abs().max(1.0);
            xp[j] = x[j] + h;
            p.residual(&xp, &mut fp).unwrap();
            xp[j] = x[j] - h;
            p.residual(&xp, &mut fm).unwrap();
            xp[j] = x[j];
            let h2 = (x[j] + h) - (x[j] - h);
            for i in 0..n {
                let fd = (fp[i] - fm[i]) / h2;
                let exact = jac[i][j];
                // Truncation O(h²) relative to the entry; rounding O(ε·|F_i|/h).
                let tol = 1e-6 * exact.abs().max(1.0) + 1e-9 * f0[i].abs();
                assert!(
                    (fd - exact).abs() <= tol,
                    "{}: dF_{i}/dx_{j} = {exact} but finite difference gives {fd} at x = {x:?}",
                    p.name()
                );
            }
        }
    }

    /// ‖F(x)‖∞.
    pub(crate) fn residual_norm<P: Problem + ?Sized>(p: &P, x: &[f64]) -> f64 {
        let mut f = vec![0.0; p.dim()];
        p.residual(x, &mut f).unwrap();
        f.iter().fold(0.0, |m, v| m.max(v.abs()))
    }

    /// Asserts the complementarity conditions of an MCP at x to `tol`: x within its bounds,
    /// x_i = l_i ⇒ F_i ≥ 0, x_i = u_i ⇒ F_i ≤ 0, strictly between ⇒ F_i = 0.
    pub(crate) fn assert_complementary<P: Problem + ?Sized>(p: &P, x: &[f64], tol: f64) {
        let n = p.dim();
        let b = p.bounds().unwrap_or_else(|| Bounds::free(n));
        let mut f = vec![0.0; n];
        p.residual(x, &mut f).unwrap();
        for i in 0..n {
            let (l, u) = (b.lower[i], b.upper[i]);
            assert!(
                x[i] >= l - tol && x[i] <= u + tol,
                "{}: x_{i} = {} outside [{l}, {u}]",
                p.name(),
                x[i]
            );
            let at_lower = (x[i] - l).abs() <= tol;
            let at_upper = (x[i] - u).abs() <= tol;
            let ok = match (at_lower, at_upper) {
                (true, true) => true,
                (true, false) => f[i] >= -tol,
                (false, true) => f[i] <= tol,
                (false, false) => f[i].abs() <= tol,
            };
            assert!(
                ok,
                "{}: complementarity fails for component {i}: x = {}, F = {}, bounds [{l}, {u}]",
                p.name(),
                x[i],
                f[i]
            );
        }
    }

    /// The natural residual ‖x − Π_[l,u](x − F(x))‖∞, zero exactly at solutions of the MCP.
    pub(crate) fn natural_residual<P: Problem + ?Sized>(p: &P, x: &[f64]) -> f64 {
        let n = p.dim();
        let b = p.bounds().unwrap_or_else(|| Bounds::free(n));
        let mut f = vec![0.0; n];
        p.residual(x, &mut f).unwrap();
        (0..n)
            .map(|i| (x[i] - (x[i] - f[i]).clamp(b.lower[i], b.upper[i])).abs())
            .fold(0.0, f64::max)
    }

    /// The checks shared by every problem of a set: sizes, pattern, starting point, Jacobian
    /// against finite differences at the start and at seeded perturbed points.
    pub(crate) fn check_problem<P: TestProblem + ?Sized>(p: &P, seed: u64) {
        let n = p.dim();
        assert!(!p.name().is_empty());
        let x0 = p.standard_start();
        assert_eq!(x0.len(), n, "{}: start length", p.name());
        if let Some(b) = p.bounds() {
            assert_eq!(b.lower.len(), n);
            assert_eq!(b.upper.len(), n);
            for (i, &xi) in x0.iter().enumerate() {
                assert!(b.lower[i] <= xi && xi <= b.upper[i]);
            }
        }
        for s in p.known_solutions() {
            assert_eq!(s.len(), n, "{}: solution length", p.name());
        }
        let pattern = p.jacobian_pattern();
        assert_eq!(pattern.dim(), n);
        assert_jacobian_matches_fd(p, &x0);
        for x in perturbed_points(&x0, 0.5, 8, seed) {
            assert_jacobian_matches_fd(p, &x);
        }
        for s in p.known_solutions() {
            for x in perturbed_points(&s, 0.3, 2, seed ^ 0xABCD) {
                assert_jacobian_matches_fd(p, &x);
            }
        }
    }

    #[test]
    fn sets_have_expected_members() {
        let names: Vec<String> = mgh_set().iter().map(|p| p.name().to_string()).collect();
        assert_eq!(names.len(), 17);
        assert!(names.contains(&"broyden_tridiagonal(10)".to_string()));
        assert!(names.contains(&"watson(9)".to_string()));
        let mcp = mcp_set();
        assert_eq!(mcp.len(), 6);
        assert!(mcp
            .iter()
            .all(|p| p.bounds().is_some_and(|b| b.any_finite())));
        assert!(mgh_set().iter().all(|p| p.bounds().is_none()));
    }

    #[test]
    fn lcg_is_uniform_in_unit_interval() {
        let mut rng = Lcg::new(7);
        let xs: Vec<f64> = (0..1000).map(|_| rng.next_f64()).collect();
        assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
        let mean = xs.iter().sum::<f64>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.05);
    }
}
