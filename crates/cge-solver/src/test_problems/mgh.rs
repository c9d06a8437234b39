//! The Moré–Garbow–Hillstrom / MINPACK-1 nonlinear-equation test set: square systems F(x) = 0
//! with analytic Jacobians, as in MINPACK-1's `hybrj` test driver (`vecfcn`, `vecjac`, `initpt`)
//! and J. J. Moré, B. S. Garbow & K. E. Hillstrom, "Testing unconstrained optimization software",
//! ACM TOMS 7(1):17–41, 1981 (problem numbers "MGH n" below refer to that paper).
//!
//! The scalable banded problems ([`BroydenTridiagonal`], [`BroydenBanded`],
//! [`DiscreteBoundaryValue`], [`ExtendedRosenbrock`]) have sparse patterns and evaluate their
//! residual and Jacobian in O(n) time without allocating, for benchmarks at large n. The others
//! use the dense column-major pattern [`Pattern::dense`].

use std::f64::consts::PI;

use super::{fill_dense, TestProblem};
use crate::problem::{EvalError, Pattern, Problem};

/// Rosenbrock's function as a system (MGH 1, MINPACK-1 problem 1): f₁ = 10(x₂ − x₁²),
/// f₂ = 1 − x₁; start (−1.2, 1), root (1, 1).
#[derive(Debug, Clone)]
pub struct Rosenbrock {
    name: String,
}

impl Rosenbrock {
    /// The two-variable system (MGH 1).
    pub fn new() -> Self {
        Self {
            name: "rosenbrock(2)".into(),
        }
    }
}

impl Default for Rosenbrock {
    fn default() -> Self {
        Self::new()
    }
}

impl Problem for Rosenbrock {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        2
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        f[0] = 10.0 * (x[1] - x[0] * x[0]);
        f[1] = 1.0 - x[0];
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(2)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        fill_dense(2, values, |i, j| match (i, j) {
            (0, 0) => -20.0 * x[0],
            (0, 1) => 10.0,
            (1, 0) => -1.0,
            _ => 0.0,
        });
        Ok(())
    }
}

impl TestProblem for Rosenbrock {
    fn standard_start(&self) -> Vec<f64> {
        vec![-1.2, 1.0]
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        vec![vec![1.0, 1.0]]
    }
}

/// Powell's singular function as a system (MGH 13, MINPACK-1 problem 2): start (3, −1, 0, 1),
/// root 0 where the Jacobian is singular.
#[derive(Debug, Clone)]
pub struct PowellSingular {
    name: String,
}

impl PowellSingular {
    /// The four-variable system (MGH 13).
    pub fn new() -> Self {
        Self {
            name: "powell_singular(4)".into(),
        }
    }
}

impl Default for PowellSingular {
    fn default() -> Self {
        Self::new()
    }
}

impl Problem for PowellSingular {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        4
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        f[0] = x[0] + 10.0 * x[1];
        f[1] = 5f64.sqrt() * (x[2] - x[3]);
        f[2] = (x[1] - 2.0 * x[2]).powi(2);
        f[3] = 10f64.sqrt() * (x[0] - x[3]).powi(2);
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(4)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let s5 = 5f64.sqrt();
        let a = 2.0 * (x[1] - 2.0 * x[2]);
        let b = 2.0 * 10f64.sqrt() * (x[0] - x[3]);
        fill_dense(4, values, |i, j| match (i, j) {
            (0, 0) => 1.0,
            (0, 1) => 10.0,
            (1, 2) => s5,
            (1, 3) => -s5,
            (2, 1) => a,
            (2, 2) => -2.0 * a,
            (3, 0) => b,
            (3, 3) => -b,
            _ => 0.0,
        });
        Ok(())
    }
}

impl TestProblem for PowellSingular {
    fn standard_start(&self) -> Vec<f64> {
        vec![3.0, -1.0, 0.0, 1.0]
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        vec![vec![0.0; 4]]
    }
}

/// Powell's badly scaled function (MGH 3, MINPACK-1 problem 3): f₁ = 10⁴x₁x₂ − 1,
/// f₂ = e^{−x₁} + e^{−x₂} − 1.0001; start (0, 1), root ≈ (1.098159e−5, 9.106146).
#[derive(Debug, Clone)]
pub struct PowellBadlyScaled {
    name: String,
}

impl PowellBadlyScaled {
    /// The two-variable system (MGH 3).
    pub fn new() -> Self {
        Self {
            name: "powell_badly_scaled(2)".into(),
        }
    }
}

impl Default for PowellBadlyScaled {
    fn default() -> Self {
        Self::new()
    }
}

impl Problem for PowellBadlyScaled {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        2
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        f[0] = 1e4 * x[0] * x[1] - 1.0;
        f[1] = (-x[0]).exp() + (-x[1]).exp() - 1.0001;
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(2)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        fill_dense(2, values, |i, j| match (i, j) {
            (0, 0) => 1e4 * x[1],
            (0, 1) => 1e4 * x[0],
            (1, 0) => -(-x[0]).exp(),
            _ => -(-x[1]).exp(),
        });
        Ok(())
    }
}

impl TestProblem for PowellBadlyScaled {
    fn standard_start(&self) -> Vec<f64> {
        vec![0.0, 1.0]
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        // MGH give (1.098…e−5, 9.106…); digits completed by Newton's method in double precision.
        vec![vec![1.098_159_329_699_712_2e-5, 9.106_146_739_867_398]]
    }
}

/// Wood's function in MINPACK-1's system form (MGH 14, MINPACK-1 problem 4); start
/// (−3, −1, −3, −1), root (1, 1, 1, 1).
#[derive(Debug, Clone)]
pub struct Wood {
    name: String,
}

impl Wood {
    /// The four-variable system (MGH 14).
    pub fn new() -> Self {
        Self {
            name: "wood(4)".into(),
        }
    }
}

impl Default for Wood {
    fn default() -> Self {
        Self::new()
    }
}

impl Problem for Wood {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        4
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let c = x[1] - x[0] * x[0];
        let d = x[3] - x[2] * x[2];
        f[0] = -200.0 * x[0] * c - (1.0 - x[0]);
        f[1] = 200.0 * c + 20.2 * (x[1] - 1.0) + 19.8 * (x[3] - 1.0);
        f[2] = -180.0 * x[2] * d - (1.0 - x[2]);
        f[3] = 180.0 * d + 20.2 * (x[3] - 1.0) + 19.8 * (x[1] - 1.0);
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(4)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        fill_dense(4, values, |i, j| match (i, j) {
            (0, 0) => -200.0 * (x[1] - 3.0 * x[0] * x[0]) + 1.0,
            (0, 1) => -200.0 * x[0],
            (1, 0) => -400.0 * x[0],
            (1, 1) => 220.2,
            (1, 3) | (3, 1) => 19.8,
            (2, 2) => -180.0 * (x[3] - 3.0 * x[2] * x[2]) + 1.0,
            (2, 3) => -180.0 * x[2],
            (3, 2) => -360.0 * x[2],
            (3, 3) => 200.2,
            _ => 0.0,
        });
        Ok(())
    }
}

impl TestProblem for Wood {
    fn standard_start(&self) -> Vec<f64> {
        vec![-3.0, -1.0, -3.0, -1.0]
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        vec![vec![1.0; 4]]
    }
}

/// The helical valley function (MGH 7, MINPACK-1 problem 5): f₁ = 10(x₃ − 10θ(x₁, x₂)),
/// f₂ = 10(‖(x₁, x₂)‖ − 1), f₃ = x₃; start (−1, 0, 0), root (1, 0, 0).
///
/// θ is the angle of (x₁, x₂) divided by 2π, in (−1/4, 3/4] with MINPACK's branch choice, so F
/// jumps across the half-axis x₁ = 0, x₂ < 0. The Jacobian is undefined at x₁ = x₂ = 0, where
/// [`Problem::jacobian`] returns an [`EvalError`].
#[derive(Debug, Clone)]
pub struct HelicalValley {
    name: String,
}

impl HelicalValley {
    /// The three-variable system (MGH 7).
    pub fn new() -> Self {
        Self {
            name: "helical_valley(3)".into(),
        }
    }
}

impl Default for HelicalValley {
    fn default() -> Self {
        Self::new()
    }
}

impl Problem for HelicalValley {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        3
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let theta = if x[0] > 0.0 {
            (x[1] / x[0]).atan() / (2.0 * PI)
        } else if x[0] < 0.0 {
            (x[1] / x[0]).atan() / (2.0 * PI) + 0.5
        } else if x[1] < 0.0 {
            -0.25
        } else {
            0.25
        };
        f[0] = 10.0 * (x[2] - 10.0 * theta);
        f[1] = 10.0 * (x[0].hypot(x[1]) - 1.0);
        f[2] = x[2];
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(3)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let r2 = x[0] * x[0] + x[1] * x[1];
        if r2 == 0.0 {
            return Err(EvalError::new(
                "helical valley: Jacobian undefined at x1 = x2 = 0",
            ));
        }
        let r = r2.sqrt();
        let c = 2.0 * PI * r2;
        fill_dense(3, values, |i, j| match (i, j) {
            (0, 0) => 100.0 * x[1] / c,
            (0, 1) => -100.0 * x[0] / c,
            (0, 2) => 10.0,
            (1, 0) => 10.0 * x[0] / r,
            (1, 1) => 10.0 * x[1] / r,
            (2, 2) => 1.0,
            _ => 0.0,
        });
        Ok(())
    }
}

impl TestProblem for HelicalValley {
    fn standard_start(&self) -> Vec<f64> {
        vec![-1.0, 0.0, 0.0]
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        vec![vec![1.0, 0.0, 0.0]]
    }
}

/// Watson's function in MINPACK-1's system form (MGH 20, MINPACK-1 problem 6): F is half the
/// gradient of Watson's 31-term sum of squares, so its roots are that function's stationary
/// points; start 0, no root in closed form.
#[derive(Debug, Clone)]
pub struct Watson {
    n: usize,
    name: String,
}

impl Watson {
    /// Number of sample points t_i = i/29 of Watson's function.
    const SAMPLES: usize = 29;

    /// Watson's system in n variables (MGH 20 allows 2 ≤ n ≤ 31; MINPACK-1 tests n = 6 and 9).
    ///
    /// # Panics
    /// If n < 2 or n > 31.
    pub fn new(n: usize) -> Self {
        assert!(
            (2..=31).contains(&n),
            "Watson's function needs 2 <= n <= 31"
        );
        Self {
            n,
            name: format!("watson({n})"),
        }
    }

    /// For sample t: (s1 − s2² − 1, s2) where s1 = Σ (j−1) x_j t^{j−2}, s2 = Σ x_j t^{j−1}.
    fn sums(x: &[f64], t: f64) -> (f64, f64) {
        let mut s1 = 0.0;
        let mut s2 = 0.0;
        let mut pow = 1.0; // t^{j-1} for 1-based j, i.e. t^jj for 0-based jj
        for (jj, &xj) in x.iter().enumerate() {
            s2 += pow * xj;
            if jj + 1 < x.len() {
                // term of s1 for 1-based j = jj + 2: (j − 1) t^{j−2} x_j = (jj + 1) t^jj x_{jj+1}
                s1 += (jj + 1) as f64 * pow * x[jj + 1];
            }
            pow *= t;
        }
        (s1 - s2 * s2 - 1.0, s2)
    }
}

impl Problem for Watson {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        self.n
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let n = self.n;
        f[..n].fill(0.0);
        for i in 1..=Self::SAMPLES {
            let t = i as f64 / Self::SAMPLES as f64;
            let (r, s2) = Self::sums(x, t);
            // ∂r/∂x_k = (k−1) t^{k−2} − 2 s2 t^{k−1} (1-based k).
            let mut pow = 1.0; // t^{k-1}
            let mut pow_prev = 0.0; // (k−1) t^{k−2}
            for (k, fk) in f.iter_mut().enumerate().take(n) {
                *fk += (pow_prev - 2.0 * s2 * pow) * r;
                pow_prev = (k + 1) as f64 * pow;
                pow *= t;
            }
        }
        let temp = x[1] - x[0] * x[0] - 1.0;
        f[0] += x[0] * (1.0 - 2.0 * temp);
        f[1] += temp;
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(self.n)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let n = self.n;
        values[..n * n].fill(0.0);
        let mut dr = vec![0.0; n];
        let mut pw = vec![0.0; 2 * n - 1];
        for i in 1..=Self::SAMPLES {
            let t = i as f64 / Self::SAMPLES as f64;
            let (r, s2) = Self::sums(x, t);
            // pw[m] = t^m; dr[m] = ∂r/∂x_{m+1} = m t^{m−1} − 2 s2 t^m.
            let mut pow = 1.0;
            let mut lead = 0.0;
            for (m, p) in pw.iter_mut().enumerate() {
                *p = pow;
                if m < n {
                    dr[m] = lead - 2.0 * s2 * pow;
                }
                lead = (m + 1) as f64 * pow;
                pow *= t;
            }
            // ∂²r/∂x_k∂x_j = −2 t^{k+j−2}.
            for j in 0..n {
                for k in 0..n {
                    values[j * n + k] += dr[k] * dr[j] - 2.0 * r * pw[k + j];
                }
            }
        }
        values[0] += 6.0 * x[0] * x[0] - 2.0 * x[1] + 3.0;
        values[n] -= 2.0 * x[0];
        values[1] -= 2.0 * x[0];
        values[n + 1] += 1.0;
        Ok(())
    }
}

impl TestProblem for Watson {
    fn standard_start(&self) -> Vec<f64> {
        vec![0.0; self.n]
    }
}

/// The Chebyquad function (MGH 35, MINPACK-1 problem 7): f_i = (1/n) Σ_j T_i(2x_j − 1) − ∫₀¹
/// T_i(2s − 1) ds with T_i the Chebyshev polynomials; start x_j = j/(n+1). It has roots only for
/// n ≤ 7 and n = 9 (the Chebyshev quadrature nodes, in any order).
#[derive(Debug, Clone)]
pub struct Chebyquad {
    n: usize,
    name: String,
}

impl Chebyquad {
    /// Chebyquad in n ≥ 1 variables (MINPACK-1 tests n = 5, 6, 7, 8, 9).
    ///
    /// # Panics
    /// If n = 0.
    pub fn new(n: usize) -> Self {
        assert!(n >= 1, "Chebyquad needs n >= 1");
        Self {
            n,
            name: format!("chebyquad({n})"),
        }
    }
}

impl Problem for Chebyquad {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        self.n
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let n = self.n;
        f[..n].fill(0.0);
        for &xj in &x[..n] {
            let y = 2.0 * xj - 1.0;
            let (mut t_prev, mut t) = (1.0, y);
            for fi in f.iter_mut().take(n) {
                *fi += t;
                (t_prev, t) = (t, 2.0 * y * t - t_prev);
            }
        }
        let inv_n = 1.0 / n as f64;
        for (i, fi) in f.iter_mut().enumerate().take(n) {
            *fi *= inv_n;
            let degree = i + 1;
            if degree % 2 == 0 {
                *fi += 1.0 / ((degree * degree) as f64 - 1.0);
            }
        }
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(self.n)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let n = self.n;
        let inv_n = 1.0 / n as f64;
        for (j, &xj) in x.iter().enumerate().take(n) {
            let y = 2.0 * xj - 1.0;
            // T_i(y) and d/dx_j T_i(2x_j − 1), by the three-term recurrence.
            let (mut t_prev, mut t) = (1.0, y);
            let (mut d_prev, mut d) = (0.0, 2.0);
            for i in 0..n {
                values[j * n + i] = inv_n * d;
                let d_next = 4.0 * t + 2.0 * y * d - d_prev;
                (d_prev, d) = (d, d_next);
                (t_prev, t) = (t, 2.0 * y * t - t_prev);
            }
        }
        Ok(())
    }
}

impl TestProblem for Chebyquad {
    fn standard_start(&self) -> Vec<f64> {
        let h = 1.0 / (self.n + 1) as f64;
        (1..=self.n).map(|j| j as f64 * h).collect()
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        // Chebyshev's quadrature nodes mapped to [0, 1]: closed forms for n ≤ 3, and for larger
        // n the nodes computed by Newton's method in double precision.
        let r = match self.n {
            1 => vec![0.5],
            2 => vec![0.5 - 0.5 / 3f64.sqrt(), 0.5 + 0.5 / 3f64.sqrt()],
            3 => vec![0.5 - 0.25 * 2f64.sqrt(), 0.5, 0.5 + 0.25 * 2f64.sqrt()],
            4 => vec![
                0.102_672_763_854_116_9,
                0.406_203_762_957_460_1,
                0.593_796_237_042_539_9,
                0.897_327_236_145_883_1,
            ],
            5 => vec![
                0.083_751_256_499_509_06,
                0.312_729_295_223_209_4,
                0.5,
                0.687_270_704_776_790_5,
                0.916_248_743_500_490_9,
            ],
            6 => vec![
                0.066_876_590_946_089_69,
                0.288_740_673_119_444_2,
                0.366_682_299_241_647_7,
                0.633_317_700_758_352_3,
                0.711_259_326_880_555_8,
                0.933_123_409_053_910_3,
            ],
            7 => vec![
                0.058_069_149_620_975_52,
                0.235_171_612_357_421_6,
                0.338_044_094_740_046_2,
                0.5,
                0.661_955_905_259_953_8,
                0.764_828_387_642_578_4,
                0.941_930_850_379_024_6,
            ],
            9 => vec![
                0.044_205_346_135_782_78,
                0.199_490_672_309_880_96,
                0.235_619_108_471_060_05,
                0.416_046_907_892_598_1,
                0.5,
                0.583_953_092_107_402,
                0.764_380_891_528_94,
                0.800_509_327_690_119_1,
                0.955_794_653_864_217_2,
            ],
            _ => return Vec::new(),
        };
        vec![r]
    }
    fn has_solution(&self) -> bool {
        self.n <= 7 || self.n == 9
    }
}

/// Brown's almost-linear function (MGH 27, MINPACK-1 problem 8): f_i = x_i + Σ_j x_j − (n+1)
/// for i < n, f_n = Π_j x_j − 1; start 0.5, roots (1, …, 1) and (α, …, α, α^{1−n}) with
/// nαⁿ − (n+1)α^{n−1} + 1 = 0, 0 < α < 1.
#[derive(Debug, Clone)]
pub struct BrownAlmostLinear {
    n: usize,
    name: String,
}

impl BrownAlmostLinear {
    /// Brown's almost-linear system in n ≥ 1 variables (MINPACK-1 tests n = 10, 30, 40).
    ///
    /// # Panics
    /// If n = 0.
    pub fn new(n: usize) -> Self {
        assert!(n >= 1, "Brown's almost-linear function needs n >= 1");
        Self {
            n,
            name: format!("brown_almost_linear({n})"),
        }
    }

    /// The root α in (0, 1) of nαⁿ − (n+1)α^{n−1} + 1, by bisection (n ≥ 2).
    fn alpha(&self) -> f64 {
        let n = self.n as i32;
        let g = |a: f64| f64::from(n) * a.powi(n) - f64::from(n + 1) * a.powi(n - 1) + 1.0;
        // g(0) = 1 > 0 and g is negative at its minimiser (n² − 1)/n² < 1.
        let (mut lo, mut hi) = (0.0, f64::from(n * n - 1) / f64::from(n * n));
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if g(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }
}

impl Problem for BrownAlmostLinear {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        self.n
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let n = self.n;
        let sum: f64 = x[..n].iter().sum::<f64>() - (n + 1) as f64;
        let prod: f64 = x[..n].iter().product();
        for (fi, &xi) in f.iter_mut().zip(x).take(n - 1) {
            *fi = xi + sum;
        }
        f[n - 1] = prod - 1.0;
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(self.n)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let n = self.n;
        // Product of all x_k but x_j, without division: prefix × suffix products.
        let mut suffix = vec![1.0; n + 1];
        for j in (0..n).rev() {
            suffix[j] = suffix[j + 1] * x[j];
        }
        let mut prefix = 1.0;
        for j in 0..n {
            for i in 0..n - 1 {
                values[j * n + i] = if i == j { 2.0 } else { 1.0 };
            }
            values[j * n + n - 1] = prefix * suffix[j + 1];
            prefix *= x[j];
        }
        Ok(())
    }
}

impl TestProblem for BrownAlmostLinear {
    fn standard_start(&self) -> Vec<f64> {
        vec![0.5; self.n]
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        let mut roots = vec![vec![1.0; self.n]];
        if self.n >= 2 {
            let a = self.alpha();
            let mut r = vec![a; self.n];
            r[self.n - 1] = a.powi(1 - self.n as i32);
            roots.push(r);
        }
        roots
    }
}

/// The discrete boundary value function (MGH 28, MINPACK-1 problem 9): f_k = 2x_k − x_{k−1} −
/// x_{k+1} + h²(x_k + t_k + 1)³/2 with h = 1/(n+1), t_k = kh, x₀ = x_{n+1} = 0; start
/// x_k = t_k(t_k − 1); tridiagonal Jacobian.
#[derive(Debug, Clone)]
pub struct DiscreteBoundaryValue {
    n: usize,
    name: String,
}

impl DiscreteBoundaryValue {
    /// The discretisation with n ≥ 1 interior points.
    ///
    /// # Panics
    /// If n = 0.
    pub fn new(n: usize) -> Self {
        assert!(n >= 1, "the discrete boundary value function needs n >= 1");
        Self {
            n,
            name: format!("discrete_boundary_value({n})"),
        }
    }
}

impl Problem for DiscreteBoundaryValue {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        self.n
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let n = self.n;
        let h = 1.0 / (n + 1) as f64;
        for k in 0..n {
            let tk = (k + 1) as f64 * h;
            let left = if k > 0 { x[k - 1] } else { 0.0 };
            let right = if k + 1 < n { x[k + 1] } else { 0.0 };
            f[k] = 2.0 * x[k] - left - right + 0.5 * h * h * (x[k] + tk + 1.0).powi(3);
        }
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::banded(self.n, 1, 1)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let n = self.n;
        let h = 1.0 / (n + 1) as f64;
        let mut idx = 0;
        for (k, &xk) in x.iter().enumerate().take(n) {
            let tk = (k + 1) as f64 * h;
            if k > 0 {
                values[idx] = -1.0;
                idx += 1;
            }
            values[idx] = 2.0 + 1.5 * h * h * (xk + tk + 1.0).powi(2);
            idx += 1;
            if k + 1 < n {
                values[idx] = -1.0;
                idx += 1;
            }
        }
        Ok(())
    }
}

impl TestProblem for DiscreteBoundaryValue {
    fn standard_start(&self) -> Vec<f64> {
        let h = 1.0 / (self.n + 1) as f64;
        (1..=self.n)
            .map(|k| {
                let t = k as f64 * h;
                t * (t - 1.0)
            })
            .collect()
    }
}

/// The discrete integral equation function (MGH 29, MINPACK-1 problem 10): f_k = x_k +
/// h[(1 − t_k) Σ_{j≤k} t_j (x_j + t_j + 1)³ + t_k Σ_{j>k} (1 − t_j)(x_j + t_j + 1)³]/2; start
/// x_k = t_k(t_k − 1); dense Jacobian.
#[derive(Debug, Clone)]
pub struct DiscreteIntegralEquation {
    n: usize,
    name: String,
}

impl DiscreteIntegralEquation {
    /// The discretisation with n ≥ 1 points.
    ///
    /// # Panics
    /// If n = 0.
    pub fn new(n: usize) -> Self {
        assert!(
            n >= 1,
            "the discrete integral equation function needs n >= 1"
        );
        Self {
            n,
            name: format!("discrete_integral_equation({n})"),
        }
    }
}

impl Problem for DiscreteIntegralEquation {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        self.n
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let n = self.n;
        let h = 1.0 / (n + 1) as f64;
        let cube = |j: usize| (x[j] + (j + 1) as f64 * h + 1.0).powi(3);
        // Running sums: lower = Σ_{j≤k} t_j c_j, upper = Σ_{j>k} (1 − t_j) c_j.
        let mut upper: f64 = (0..n).map(|j| (1.0 - (j + 1) as f64 * h) * cube(j)).sum();
        let mut lower = 0.0;
        for k in 0..n {
            let tk = (k + 1) as f64 * h;
            let ck = cube(k);
            lower += tk * ck;
            upper -= (1.0 - tk) * ck;
            f[k] = x[k] + 0.5 * h * ((1.0 - tk) * lower + tk * upper);
        }
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(self.n)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let n = self.n;
        let h = 1.0 / (n + 1) as f64;
        fill_dense(n, values, |k, j| {
            let tk = (k + 1) as f64 * h;
            let tj = (j + 1) as f64 * h;
            let d = 3.0 * (x[j] + tj + 1.0).powi(2);
            let weight = if j <= k {
                (1.0 - tk) * tj
            } else {
                tk * (1.0 - tj)
            };
            let diag = if j == k { 1.0 } else { 0.0 };
            diag + 0.5 * h * weight * d
        });
        Ok(())
    }
}

impl TestProblem for DiscreteIntegralEquation {
    fn standard_start(&self) -> Vec<f64> {
        let h = 1.0 / (self.n + 1) as f64;
        (1..=self.n)
            .map(|k| {
                let t = k as f64 * h;
                t * (t - 1.0)
            })
            .collect()
    }
}

/// The trigonometric function (MGH 26, MINPACK-1 problem 11): f_k = n − Σ_j cos x_j +
/// k(1 − cos x_k) − sin x_k; start 1/n, root 0.
#[derive(Debug, Clone)]
pub struct Trigonometric {
    n: usize,
    name: String,
}

impl Trigonometric {
    /// The trigonometric system in n ≥ 1 variables.
    ///
    /// # Panics
    /// If n = 0.
    pub fn new(n: usize) -> Self {
        assert!(n >= 1, "the trigonometric function needs n >= 1");
        Self {
            n,
            name: format!("trigonometric({n})"),
        }
    }
}

impl Problem for Trigonometric {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        self.n
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let n = self.n;
        let sum_cos: f64 = x[..n].iter().map(|v| v.cos()).sum();
        for (k, fk) in f.iter_mut().enumerate().take(n) {
            let kk = (k + 1) as f64;
            *fk = n as f64 - sum_cos + kk * (1.0 - x[k].cos()) - x[k].sin();
        }
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(self.n)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        fill_dense(self.n, values, |k, j| {
            let s = x[j].sin();
            if k == j {
                s + (k + 1) as f64 * s - x[k].cos()
            } else {
                s
            }
        });
        Ok(())
    }
}

impl TestProblem for Trigonometric {
    fn standard_start(&self) -> Vec<f64> {
        vec![1.0 / self.n as f64; self.n]
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        vec![vec![0.0; self.n]]
    }
}

/// The variably dimensioned function (MGH 25, MINPACK-1 problem 12): f_k = x_k − 1 +
/// k·s(1 + 2s²) with s = Σ_j j(x_j − 1); start x_j = 1 − j/n, root (1, …, 1).
#[derive(Debug, Clone)]
pub struct VariablyDimensioned {
    n: usize,
    name: String,
}

impl VariablyDimensioned {
    /// The variably dimensioned system in n ≥ 1 variables.
    ///
    /// # Panics
    /// If n = 0.
    pub fn new(n: usize) -> Self {
        assert!(n >= 1, "the variably dimensioned function needs n >= 1");
        Self {
            n,
            name: format!("variably_dimensioned({n})"),
        }
    }

    fn s(x: &[f64]) -> f64 {
        x.iter()
            .enumerate()
            .map(|(j, &v)| (j + 1) as f64 * (v - 1.0))
            .sum()
    }
}

impl Problem for VariablyDimensioned {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        self.n
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let s = Self::s(&x[..self.n]);
        let g = s * (1.0 + 2.0 * s * s);
        for (k, fk) in f.iter_mut().enumerate().take(self.n) {
            *fk = x[k] - 1.0 + (k + 1) as f64 * g;
        }
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(self.n)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let s = Self::s(&x[..self.n]);
        let dg = 1.0 + 6.0 * s * s;
        fill_dense(self.n, values, |k, j| {
            let diag = if k == j { 1.0 } else { 0.0 };
            diag + ((k + 1) * (j + 1)) as f64 * dg
        });
        Ok(())
    }
}

impl TestProblem for VariablyDimensioned {
    fn standard_start(&self) -> Vec<f64> {
        let h = 1.0 / self.n as f64;
        (1..=self.n).map(|j| 1.0 - j as f64 * h).collect()
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        vec![vec![1.0; self.n]]
    }
}

/// Broyden's tridiagonal function (MGH 30, MINPACK-1 problem 13): f_k = (3 − 2x_k)x_k −
/// x_{k−1} − 2x_{k+1} + 1 with x₀ = x_{n+1} = 0; start −1; no root in closed form.
#[derive(Debug, Clone)]
pub struct BroydenTridiagonal {
    n: usize,
    name: String,
}

impl BroydenTridiagonal {
    /// Broyden's tridiagonal system in n ≥ 1 variables.
    ///
    /// # Panics
    /// If n = 0.
    pub fn new(n: usize) -> Self {
        assert!(n >= 1, "Broyden's tridiagonal function needs n >= 1");
        Self {
            n,
            name: format!("broyden_tridiagonal({n})"),
        }
    }
}

impl Problem for BroydenTridiagonal {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        self.n
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let n = self.n;
        for k in 0..n {
            let left = if k > 0 { x[k - 1] } else { 0.0 };
            let right = if k + 1 < n { x[k + 1] } else { 0.0 };
            f[k] = (3.0 - 2.0 * x[k]) * x[k] - left - 2.0 * right + 1.0;
        }
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::banded(self.n, 1, 1)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let n = self.n;
        let mut idx = 0;
        for (k, &xk) in x.iter().enumerate().take(n) {
            if k > 0 {
                values[idx] = -1.0;
                idx += 1;
            }
            values[idx] = 3.0 - 4.0 * xk;
            idx += 1;
            if k + 1 < n {
                values[idx] = -2.0;
                idx += 1;
            }
        }
        Ok(())
    }
}

impl TestProblem for BroydenTridiagonal {
    fn standard_start(&self) -> Vec<f64> {
        vec![-1.0; self.n]
    }
}

/// Broyden's banded function (MGH 31, MINPACK-1 problem 14) with ml = 5, mu = 1:
/// f_k = x_k(2 + 5x_k²) + 1 − Σ_{j ∈ J_k} x_j(1 + x_j), J_k = {j ≠ k : k − 5 ≤ j ≤ k + 1};
/// start −1; no root in closed form.
#[derive(Debug, Clone)]
pub struct BroydenBanded {
    n: usize,
    name: String,
}

impl BroydenBanded {
    /// Lower bandwidth ml of MGH 31.
    const LOWER: usize = 5;
    /// Upper bandwidth mu of MGH 31.
    const UPPER: usize = 1;

    /// Broyden's banded system in n ≥ 1 variables.
    ///
    /// # Panics
    /// If n = 0.
    pub fn new(n: usize) -> Self {
        assert!(n >= 1, "Broyden's banded function needs n >= 1");
        Self {
            n,
            name: format!("broyden_banded({n})"),
        }
    }

    fn band(&self, k: usize) -> std::ops::Range<usize> {
        k.saturating_sub(Self::LOWER)..(k + Self::UPPER + 1).min(self.n)
    }
}

impl Problem for BroydenBanded {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        self.n
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        for k in 0..self.n {
            let coupling: f64 = self
                .band(k)
                .filter(|&j| j != k)
                .map(|j| x[j] * (1.0 + x[j]))
                .sum();
            f[k] = x[k] * (2.0 + 5.0 * x[k] * x[k]) + 1.0 - coupling;
        }
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::banded(self.n, Self::LOWER, Self::UPPER)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let mut idx = 0;
        for k in 0..self.n {
            for j in self.band(k) {
                values[idx] = if j == k {
                    2.0 + 15.0 * x[k] * x[k]
                } else {
                    -(1.0 + 2.0 * x[j])
                };
                idx += 1;
            }
        }
        Ok(())
    }
}

impl TestProblem for BroydenBanded {
    fn standard_start(&self) -> Vec<f64> {
        vec![-1.0; self.n]
    }
}

/// The Freudenstein–Roth function (MGH 2): f₁ = −13 + x₁ + ((5 − x₂)x₂ − 2)x₂,
/// f₂ = −29 + x₁ + ((x₂ + 1)x₂ − 14)x₂; start (0.5, −2), root (5, 4). ‖F‖ also has a local
/// minimum that is not a root, ‖F‖² = 48.9842… at (11.41…, −0.8968…), which traps Newton-type
/// methods with a merit-function line search.
#[derive(Debug, Clone)]
pub struct FreudensteinRoth {
    name: String,
}

impl FreudensteinRoth {
    /// The two-variable system (MGH 2).
    pub fn new() -> Self {
        Self {
            name: "freudenstein_roth(2)".into(),
        }
    }
}

impl Default for FreudensteinRoth {
    fn default() -> Self {
        Self::new()
    }
}

impl Problem for FreudensteinRoth {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        2
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let y = x[1];
        f[0] = -13.0 + x[0] + ((5.0 - y) * y - 2.0) * y;
        f[1] = -29.0 + x[0] + ((y + 1.0) * y - 14.0) * y;
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(2)
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let y = x[1];
        fill_dense(2, values, |i, j| match (i, j) {
            (_, 0) => 1.0,
            (0, _) => (10.0 - 3.0 * y) * y - 2.0,
            _ => (3.0 * y + 2.0) * y - 14.0,
        });
        Ok(())
    }
}

impl TestProblem for FreudensteinRoth {
    fn standard_start(&self) -> Vec<f64> {
        vec![0.5, -2.0]
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        vec![vec![5.0, 4.0]]
    }
}

/// The extended Rosenbrock function (MGH 21): pairs f_{2i−1} = 10(x_{2i} − x_{2i−1}²),
/// f_{2i} = 1 − x_{2i−1}; start (−1.2, 1, −1.2, 1, …), root (1, …, 1); block-diagonal Jacobian
/// with 3 entries per pair.
#[derive(Debug, Clone)]
pub struct ExtendedRosenbrock {
    n: usize,
    name: String,
}

impl ExtendedRosenbrock {
    /// The extended Rosenbrock system in an even number n ≥ 2 of variables.
    ///
    /// # Panics
    /// If n is odd or zero.
    pub fn new(n: usize) -> Self {
        assert!(
            n >= 2 && n % 2 == 0,
            "the extended Rosenbrock function needs an even n >= 2"
        );
        Self {
            n,
            name: format!("extended_rosenbrock({n})"),
        }
    }
}

impl Problem for ExtendedRosenbrock {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        self.n
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        for (fp, xp) in f[..self.n]
            .chunks_exact_mut(2)
            .zip(x[..self.n].chunks_exact(2))
        {
            fp[0] = 10.0 * (xp[1] - xp[0] * xp[0]);
            fp[1] = 1.0 - xp[0];
        }
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        let nnz = 3 * self.n / 2;
        let mut rows = Vec::with_capacity(nnz);
        let mut cols = Vec::with_capacity(nnz);
        for i in (0..self.n).step_by(2) {
            rows.extend_from_slice(&[i, i, i + 1]);
            cols.extend_from_slice(&[i, i + 1, i]);
        }
        Pattern::from_triplets(self.n, rows, cols).expect("pattern positions lie inside n x n")
    }
    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        for (v, xp) in values[..3 * self.n / 2]
            .chunks_exact_mut(3)
            .zip(x[..self.n].chunks_exact(2))
        {
            v[0] = -20.0 * xp[0];
            v[1] = 10.0;
            v[2] = -1.0;
        }
        Ok(())
    }
}

impl TestProblem for ExtendedRosenbrock {
    fn standard_start(&self) -> Vec<f64> {
        (0..self.n)
            .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
            .collect()
    }
    fn known_solutions(&self) -> Vec<Vec<f64>> {
        vec![vec![1.0; self.n]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_problems::mgh_set;
    use crate::test_problems::tests::{
        assert_jacobian_matches_fd, check_problem, dense_jacobian, perturbed_points, residual_norm,
    };

    #[test]
    fn every_problem_jacobian_matches_finite_differences() {
        for (seed, p) in mgh_set().iter().enumerate() {
            check_problem(&**p, seed as u64 + 1);
        }
    }

    #[test]
    fn known_roots_are_roots() {
        for p in mgh_set() {
            assert!(p.has_solution(), "{}", p.name());
            for s in p.known_solutions() {
                let r = residual_norm(&*p, &s);
                assert!(r < 1e-8, "{}: ‖F‖∞ = {r} at stated root {s:?}", p.name());
            }
        }
    }

    #[test]
    fn default_names_carry_sizes() {
        let names: Vec<String> = mgh_set().iter().map(|p| p.name().to_string()).collect();
        let expected = [
            "rosenbrock(2)",
            "powell_singular(4)",
            "powell_badly_scaled(2)",
            "wood(4)",
            "helical_valley(3)",
            "watson(6)",
            "watson(9)",
            "chebyquad(5)",
            "brown_almost_linear(10)",
            "discrete_boundary_value(10)",
            "discrete_integral_equation(10)",
            "trigonometric(10)",
            "variably_dimensioned(10)",
            "broyden_tridiagonal(10)",
            "broyden_banded(10)",
            "freudenstein_roth(2)",
            "extended_rosenbrock(10)",
        ];
        assert_eq!(names, expected);
        for p in mgh_set() {
            let size: usize = p
                .name()
                .rsplit('(')
                .next()
                .unwrap()
                .trim_end_matches(')')
                .parse()
                .unwrap();
            assert_eq!(size, p.dim());
        }
    }

    #[test]
    fn scalable_problems_at_other_sizes() {
        let problems: Vec<Box<dyn TestProblem>> = vec![
            Box::new(BroydenTridiagonal::new(1)),
            Box::new(BroydenTridiagonal::new(2)),
            Box::new(BroydenTridiagonal::new(17)),
            Box::new(BroydenBanded::new(1)),
            Box::new(BroydenBanded::new(3)),
            Box::new(BroydenBanded::new(7)),
            Box::new(BroydenBanded::new(23)),
            Box::new(DiscreteBoundaryValue::new(1)),
            Box::new(DiscreteBoundaryValue::new(2)),
            Box::new(DiscreteBoundaryValue::new(19)),
            Box::new(DiscreteIntegralEquation::new(1)),
            Box::new(DiscreteIntegralEquation::new(13)),
            Box::new(ExtendedRosenbrock::new(2)),
            Box::new(ExtendedRosenbrock::new(14)),
            Box::new(Watson::new(2)),
            Box::new(Watson::new(12)),
            Box::new(BrownAlmostLinear::new(1)),
            Box::new(BrownAlmostLinear::new(5)),
            Box::new(Trigonometric::new(3)),
            Box::new(VariablyDimensioned::new(4)),
        ];
        for (seed, p) in problems.iter().enumerate() {
            check_problem(&**p, 100 + seed as u64);
            for s in p.known_solutions() {
                assert!(residual_norm(&**p, &s) < 1e-8, "{}", p.name());
            }
        }
    }

    #[test]
    fn chebyquad_roots_for_all_sizes_with_roots() {
        for n in 1..=10 {
            let p = Chebyquad::new(n);
            check_problem(&p, n as u64);
            assert_eq!(p.has_solution(), n != 8 && n != 10);
            let roots = p.known_solutions();
            assert_eq!(roots.len(), usize::from(p.has_solution()));
            for s in roots {
                assert!(residual_norm(&p, &s) < 1e-12, "chebyquad({n})");
            }
        }
    }

    #[test]
    fn brown_second_root() {
        let p = BrownAlmostLinear::new(10);
        let roots = p.known_solutions();
        assert_eq!(roots.len(), 2);
        // MGH quote α ≈ 0.9794 for n = 10.
        assert!((roots[1][0] - 0.9794).abs() < 1e-4);
        assert!(residual_norm(&p, &roots[1]) < 1e-10);
    }

    #[test]
    fn banded_patterns_have_linear_size() {
        let n = 100_000;
        assert_eq!(
            BroydenTridiagonal::new(n).jacobian_pattern().len(),
            3 * n - 2
        );
        assert_eq!(
            DiscreteBoundaryValue::new(n).jacobian_pattern().len(),
            3 * n - 2
        );
        // Row k holds columns k−5..=k+1 clipped to the matrix.
        assert_eq!(
            BroydenBanded::new(n).jacobian_pattern().len(),
            7 * n - 15 - 1
        );
        assert_eq!(
            ExtendedRosenbrock::new(n).jacobian_pattern().len(),
            3 * n / 2
        );
    }

    #[test]
    fn scalable_problems_evaluate_at_large_n() {
        let n = 100_000;
        let problems: Vec<Box<dyn TestProblem>> = vec![
            Box::new(BroydenTridiagonal::new(n)),
            Box::new(BroydenBanded::new(n)),
            Box::new(DiscreteBoundaryValue::new(n)),
            Box::new(ExtendedRosenbrock::new(n)),
        ];
        for p in &problems {
            let x = p.standard_start();
            let mut f = vec![0.0; n];
            p.residual(&x, &mut f).unwrap();
            assert!(f.iter().all(|v| v.is_finite()));
            let pattern = p.jacobian_pattern();
            let mut values = vec![f64::NAN; pattern.len()];
            p.jacobian(&x, &mut values).unwrap();
            assert!(values.iter().all(|v| v.is_finite()), "{}", p.name());
        }
        let p = ExtendedRosenbrock::new(n);
        assert!(residual_norm(&p, &vec![1.0; n]) == 0.0);
    }

    #[test]
    fn banded_jacobians_match_their_patterns_entrywise() {
        // The sparse values land on the right positions: compare with finite differences of
        // a few columns well inside and at both ends of the band, at a moderate size.
        let problems: Vec<Box<dyn TestProblem>> = vec![
            Box::new(BroydenTridiagonal::new(40)),
            Box::new(BroydenBanded::new(40)),
            Box::new(DiscreteBoundaryValue::new(40)),
            Box::new(ExtendedRosenbrock::new(40)),
        ];
        for p in &problems {
            for x in perturbed_points(&p.standard_start(), 0.4, 3, 9) {
                assert_jacobian_matches_fd(&**p, &x);
            }
        }
    }

    #[test]
    fn watson_is_half_the_gradient_of_watsons_sum_of_squares() {
        // Watson's least-squares function (MGH 20): 29 residuals plus x₁ and x₂ − x₁² − 1.
        fn objective(x: &[f64]) -> f64 {
            let mut total = 0.0;
            for i in 1..=29 {
                let t = i as f64 / 29.0;
                let s1: f64 = (1..x.len())
                    .map(|j| j as f64 * x[j] * t.powi(j as i32 - 1))
                    .sum();
                let s2: f64 = (0..x.len()).map(|j| x[j] * t.powi(j as i32)).sum();
                total += (s1 - s2 * s2 - 1.0).powi(2);
            }
            total + x[0] * x[0] + (x[1] - x[0] * x[0] - 1.0).powi(2)
        }
        for n in [2, 6, 9] {
            let p = Watson::new(n);
            for x in perturbed_points(&vec![0.1; n], 0.5, 3, n as u64) {
                let mut f = vec![0.0; n];
                p.residual(&x, &mut f).unwrap();
                for j in 0..n {
                    let h = 1e-5;
                    let mut xp = x.clone();
                    xp[j] += h;
                    let mut xm = x.clone();
                    xm[j] -= h;
                    let g = (objective(&xp) - objective(&xm)) / (2.0 * h);
                    assert!(
                        (0.5 * g - f[j]).abs() < 1e-6 * (1.0 + f[j].abs()),
                        "n={n} j={j}"
                    );
                }
            }
        }
    }

    #[test]
    fn watson_jacobian_is_symmetric() {
        let p = Watson::new(9);
        let x: Vec<f64> = (0..9).map(|i| 0.1 * i as f64 - 0.3).collect();
        let jac = dense_jacobian(&p, &x);
        for (i, row) in jac.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                assert!((v - jac[j][i]).abs() <= 1e-12 * (1.0 + v.abs()));
            }
        }
    }

    #[test]
    fn freudenstein_roth_local_minimum_is_not_a_root() {
        // MGH 2: f = ‖F‖² = 48.9842… at (11.41…, −0.8968…). Refine the minimiser by Newton on
        // the gradient Jᵀ F = 0 (Gauss–Newton Hessian plus the second-order term).
        let p = FreudensteinRoth::new();
        let mut x = [11.41, -0.8968];
        for _ in 0..20 {
            let mut f = [0.0; 2];
            p.residual(&x, &mut f).unwrap();
            let y = x[1];
            // g = Jᵀ F with J = [[1, a], [1, b]]; a, b as in the Jacobian.
            let a = (10.0 - 3.0 * y) * y - 2.0;
            let b = (3.0 * y + 2.0) * y - 14.0;
            let g = [f[0] + f[1], a * f[0] + b * f[1]];
            let (da, db) = (10.0 - 6.0 * y, 6.0 * y + 2.0);
            let h = [[2.0, a + b], [a + b, a * a + b * b + da * f[0] + db * f[1]]];
            let det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
            x[0] -= (h[1][1] * g[0] - h[0][1] * g[1]) / det;
            x[1] -= (h[0][0] * g[1] - h[1][0] * g[0]) / det;
        }
        let mut f = [0.0; 2];
        p.residual(&x, &mut f).unwrap();
        let fsq = f[0] * f[0] + f[1] * f[1];
        assert!((fsq - 48.9842).abs() < 1e-3, "‖F‖² = {fsq} at {x:?}");
        assert!((x[0] - 11.41).abs() < 0.01 && (x[1] + 0.8968).abs() < 1e-3);
    }

    #[test]
    fn helical_valley_rejects_the_axis() {
        let p = HelicalValley::new();
        let mut values = vec![0.0; 9];
        assert!(p.jacobian(&[0.0, 0.0, 1.0], &mut values).is_err());
        let mut f = [0.0; 3];
        p.residual(&[0.0, -1.0, 0.0], &mut f).unwrap();
        assert!((f[0] - 25.0).abs() < 1e-12);
    }

    #[test]
    #[should_panic(expected = "even n")]
    fn extended_rosenbrock_needs_even_n() {
        let _ = ExtendedRosenbrock::new(3);
    }
}
