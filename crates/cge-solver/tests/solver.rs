//! Integration tests of the solver: the MGH/MINPACK set, MCPLIB problems, bad input and
#![allow(clippy::needless_range_loop)]
//! continuation.

use cge_solver::test_problems::{mcp_set, mgh_set, TestProblem};
use cge_solver::{
    Bounds, EvalError, Homotopy, Method, Options, Pattern, Problem, SolveError, Solver, Termination,
};

/// Independent check of a reported solution: the residual recomputed at x.
fn residual_inf(p: &dyn TestProblem, x: &[f64]) -> f64 {
    let mut f = vec![0.0; p.dim()];
    p.residual(x, &mut f)
        .expect("solution accepted by the problem");
    f.iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

/// Complementarity error recomputed at x.
fn complementarity_inf(p: &dyn TestProblem, x: &[f64]) -> f64 {
    let mut f = vec![0.0; p.dim()];
    p.residual(x, &mut f)
        .expect("solution accepted by the problem");
    let b = p.bounds().unwrap_or_else(|| Bounds::free(p.dim()));
    (0..x.len()).fold(0.0f64, |m, i| {
        m.max((x[i] - (x[i] - f[i]).clamp(b.lower[i], b.upper[i])).abs())
    })
}

fn scaled_start(p: &dyn TestProblem, factor: f64) -> Vec<f64> {
    let x0 = p.standard_start();
    if x0.iter().all(|v| *v == 0.0) {
        // MINPACK's convention: a zero start is scaled as a vector of ones.
        vec![factor - 1.0; x0.len()]
            .iter()
            .map(|v| if factor == 1.0 { 0.0 } else { *v })
            .collect()
    } else {
        x0.iter().map(|v| v * factor).collect()
    }
}

/// Every reported success is a root; every failure is `NotConverged` with diagnostics.
#[test]
fn mgh_successes_are_roots_and_failures_are_errors() {
    let mut solved = 0;
    let mut total = 0;
    for p in mgh_set() {
        for factor in [1.0, 10.0, 100.0] {
            for method in [
                Method::Auto,
                Method::NewtonLineSearch,
                Method::Dogleg,
                Method::Broyden,
            ] {
                let solver = Solver::new(Options::with_method(method)).unwrap();
                let x0 = scaled_start(p.as_ref(), factor);
                total += 1;
                match solver.solve(p.as_ref(), &x0) {
                    Ok(s) => {
                        solved += 1;
                        let r = residual_inf(p.as_ref(), &s.x);
                        assert!(
                            r <= 1e-10,
                            "{} x{factor} {method:?}: reported success with |F| = {r:e}",
                            p.name()
                        );
                        assert_eq!(s.diagnostics.termination, Termination::Converged);
                    }
                    Err(SolveError::NotConverged { diagnostics, .. }) => {
                        assert_ne!(diagnostics.termination, Termination::Converged);
                        assert!(
                            diagnostics.final_residual() > 1e-10
                                || diagnostics.final_residual().is_nan()
                        );
                    }
                    Err(e) => panic!("{} x{factor} {method:?}: unexpected error {e}", p.name()),
                }
            }
        }
    }
    // A floor against regressions: the default methods solve most of the set.
    assert!(solved * 10 >= total * 6, "solved {solved} of {total}");
}

/// From the standard start, the default method solves every problem of the set that has a
/// root reachable by Newton-type methods; Freudenstein–Roth's start leads to its local minimum.
#[test]
fn auto_solves_the_standard_starts() {
    let solver = Solver::default();
    for p in mgh_set() {
        let result = solver.solve(p.as_ref(), &p.standard_start());
        if p.name().starts_with("freudenstein_roth") {
            match result {
                Ok(s) => assert!(residual_inf(p.as_ref(), &s.x) < 1e-10),
                Err(SolveError::NotConverged { diagnostics, .. }) => {
                    assert!(matches!(
                        diagnostics.termination,
                        Termination::LocalMinimum | Termination::Stalled
                    ));
                }
                Err(e) => panic!("{e}"),
            }
            continue;
        }
        let s = result.unwrap_or_else(|e| panic!("{}: {e}", p.name()));
        assert!(residual_inf(p.as_ref(), &s.x) <= 1e-10, "{}", p.name());
        // Where the root is unique, it must be the one found.
        let unique = [
            "rosenbrock",
            "powell_singular",
            "helical_valley",
            "extended_rosenbrock",
            "variably_dimensioned",
        ];
        if unique.iter().any(|u| p.name().starts_with(u)) {
            for (a, b) in s.x.iter().zip(&p.known_solutions()[0]) {
                approx::assert_abs_diff_eq!(a, b, epsilon = 1e-4);
            }
        }
    }
}

#[test]
fn freudenstein_roth_local_minimum_is_not_a_root() {
    // Started at the local minimum's neighbourhood, Newton must not report success.
    let p = cge_solver::test_problems::mgh::FreudensteinRoth::new();
    let x0 = [11.41, -0.8968];
    for method in [Method::NewtonLineSearch, Method::Dogleg] {
        match Solver::new(Options::with_method(method))
            .unwrap()
            .solve(&p, &x0)
        {
            Ok(s) => assert!(residual_inf(&p, &s.x) < 1e-10),
            Err(SolveError::NotConverged { diagnostics, .. }) => {
                assert!(diagnostics.final_residual() > 1.0, "{method:?}");
            }
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn mcp_set_is_solved_to_known_solutions() {
    let solver = Solver::default();
    for p in mcp_set() {
        let s = solver
            .solve(p.as_ref(), &p.standard_start())
            .unwrap_or_else(|e| panic!("{}: {e}", p.name()));
        assert!(
            complementarity_inf(p.as_ref(), &s.x) <= 1e-10,
            "{}",
            p.name()
        );
        let known = p.known_solutions();
        if !known.is_empty() {
            let close = known
                .iter()
                .any(|k| k.iter().zip(&s.x).all(|(a, b)| (a - b).abs() < 1e-5));
            assert!(close, "{}: {:?} is none of {:?}", p.name(), s.x, known);
        }
    }
}

#[test]
fn mcp_set_from_perturbed_starts() {
    let solver = Solver::default();
    for p in mcp_set() {
        let b = p.bounds().unwrap_or_else(|| Bounds::free(p.dim()));
        for shift in [0.5, 2.0] {
            let x0: Vec<f64> = p
                .standard_start()
                .iter()
                .enumerate()
                .map(|(i, v)| (v * shift + 0.1).clamp(b.lower[i], b.upper[i]))
                .collect();
            if let Ok(s) = solver.solve(p.as_ref(), &x0) {
                assert!(
                    complementarity_inf(p.as_ref(), &s.x) <= 1e-10,
                    "{}",
                    p.name()
                );
            }
        }
    }
}

/// f(x) = x² + 1 has no real root: the solver must say so.
struct NoRoot;
impl Problem for NoRoot {
    fn name(&self) -> &str {
        "no_root"
    }
    fn dim(&self) -> usize {
        1
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        f[0] = x[0] * x[0] + 1.0;
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(1)
    }
    fn jacobian(&self, x: &[f64], v: &mut [f64]) -> Result<(), EvalError> {
        v[0] = 2.0 * x[0];
        Ok(())
    }
}

#[test]
fn no_root_is_an_error_for_every_method() {
    for method in [
        Method::Auto,
        Method::NewtonLineSearch,
        Method::Dogleg,
        Method::Broyden,
        Method::Semismooth,
    ] {
        let e = Solver::new(Options::with_method(method))
            .unwrap()
            .solve(&NoRoot, &[0.7])
            .unwrap_err();
        let SolveError::NotConverged { diagnostics, .. } = e else {
            panic!("{method:?}: {e}")
        };
        assert!(diagnostics.final_residual() >= 1.0 - 1e-9);
        assert!(diagnostics.residual_history.len() >= 2 || diagnostics.iterations >= 1);
    }
}

/// A configurable problem for the bad-input tests: x − 1 = 0 with optional defects.
struct Configurable {
    n: usize,
    bounds: Option<Bounds>,
    reject_negative: bool,
    nan_at: Option<usize>,
}
impl Problem for Configurable {
    fn name(&self) -> &str {
        "configurable"
    }
    fn dim(&self) -> usize {
        self.n
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        if self.reject_negative {
            if let Some(i) = x.iter().position(|v| *v < 0.0) {
                return Err(EvalError::at(i, "negative price"));
            }
        }
        for i in 0..self.n {
            f[i] = x[i] - 1.0;
        }
        if let Some(i) = self.nan_at {
            f[i] = f64::NAN;
        }
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::banded(self.n, 0, 0)
    }
    fn jacobian(&self, _x: &[f64], v: &mut [f64]) -> Result<(), EvalError> {
        v.fill(1.0);
        Ok(())
    }
    fn bounds(&self) -> Option<Bounds> {
        self.bounds.clone()
    }
}

fn configurable(n: usize) -> Configurable {
    Configurable {
        n,
        bounds: None,
        reject_negative: false,
        nan_at: None,
    }
}

#[test]
fn bad_input_gets_typed_errors() {
    let solver = Solver::default();
    let e = solver.solve(&configurable(0), &[]).unwrap_err();
    assert_eq!(e.to_string(), "problem `configurable` has no unknowns");

    let e = solver.solve(&configurable(2), &[1.0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "problem `configurable`: x0 has length 1, expected 2"
    );

    let e = solver
        .solve(&configurable(2), &[1.0, f64::NAN])
        .unwrap_err();
    assert!(
        matches!(e, SolveError::NonFiniteStart { index: 1, .. }),
        "{e}"
    );

    let mut p = configurable(2);
    p.bounds = Some(Bounds {
        lower: vec![0.0, 2.0],
        upper: vec![1.0, 1.0],
    });
    let e = solver.solve(&p, &[0.5, 1.0]).unwrap_err();
    assert!(
        matches!(e, SolveError::InvalidBounds { index: 1, .. }),
        "{e}"
    );

    p.bounds = Some(Bounds::nonnegative(2));
    let e = solver.solve(&p, &[0.5, -1.0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "problem `configurable`: starting point x0[1] = -1 lies outside its bounds [0, inf]"
    );

    let mut p = configurable(2);
    p.reject_negative = true;
    let e = solver.solve(&p, &[0.5, -1.0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "problem `configurable` rejected the starting point: negative price (index 1)"
    );

    let mut p = configurable(3);
    p.nan_at = Some(2);
    let e = solver.solve(&p, &[0.5, 0.5, 0.5]).unwrap_err();
    assert!(
        matches!(
            e,
            SolveError::NonFiniteEvaluation {
                what: "residual",
                index: 2,
                ..
            }
        ),
        "{e}"
    );

    let e = Solver::new(Options::with_method(Method::Dogleg))
        .unwrap()
        .solve(
            &Configurable {
                bounds: Some(Bounds::nonnegative(1)),
                ..configurable(1)
            },
            &[0.5],
        )
        .unwrap_err();
    assert!(matches!(e, SolveError::MethodIgnoresBounds { .. }), "{e}");
}

#[test]
fn domain_errors_shorten_steps() {
    // Solution at 1, Newton from 3 with a problem that rejects negatives: the line search must
    // stay in the domain and still converge.
    let mut p = configurable(3);
    p.reject_negative = true;
    let s = Solver::default().solve(&p, &[3.0, 0.2, 5.0]).unwrap();
    assert!(s.x.iter().all(|v| (v - 1.0).abs() < 1e-12));
}

#[test]
fn diagnostics_serialize() {
    let p = cge_solver::test_problems::mgh::Rosenbrock::new();
    let s = Solver::default().solve(&p, &p.standard_start()).unwrap();
    let json = serde_json::to_string(&s).unwrap();
    let back: cge_solver::Solution = serde_json::from_str(&json).unwrap();
    assert_eq!(back.diagnostics.iterations, s.diagnostics.iterations);
    assert_eq!(
        back.diagnostics.residual_history.len(),
        s.diagnostics.residual_history.len()
    );
}

#[test]
fn dense_and_sparse_paths_agree() {
    use cge_solver::test_problems::mgh::BroydenTridiagonal;
    use cge_solver::LinearSolver;
    let p = BroydenTridiagonal::new(500);
    let mut results = Vec::new();
    for linear_solver in [LinearSolver::Dense, LinearSolver::Sparse] {
        let opts = Options {
            linear_solver,
            ..Options::default()
        };
        let s = Solver::new(opts)
            .unwrap()
            .solve(&p, &p.standard_start())
            .unwrap();
        assert_eq!(
            s.diagnostics.linear_solver,
            if linear_solver == LinearSolver::Dense {
                "dense"
            } else {
                "sparse"
            }
        );
        results.push(s.x);
    }
    for (a, b) in results[0].iter().zip(&results[1]) {
        approx::assert_abs_diff_eq!(a, b, epsilon = 1e-10);
    }
}

/// GMRES with ILU(0) finds the sparse LU's solution, without falling back to the LU.
#[test]
fn iterative_linear_solver_agrees_with_the_sparse_lu() {
    use cge_solver::test_problems::mgh::BroydenTridiagonal;
    use cge_solver::LinearSolver;
    let p = BroydenTridiagonal::new(2000);
    let solve = |linear_solver| {
        Solver::new(Options {
            linear_solver,
            ..Options::default()
        })
        .unwrap()
        .solve(&p, &p.standard_start())
        .unwrap()
    };
    let lu = solve(LinearSolver::Sparse);
    let it = solve(LinearSolver::Iterative);
    let d = &it.diagnostics;
    assert_eq!(d.linear_solver, "iterative");
    assert!(residual_inf(&p, &it.x) <= 1e-10);
    assert!(d.krylov_solves >= d.iterations, "{d:?}");
    assert!(d.krylov_iterations >= d.krylov_solves, "{d:?}");
    assert_eq!(d.krylov_fallbacks, 0);
    // The preconditioner is factored at least once and kept while GMRES converges quickly.
    assert!(
        (1..=d.krylov_solves).contains(&d.krylov_preconditioners),
        "{d:?}"
    );
    assert_eq!(lu.diagnostics.krylov_solves, 0);
    for (a, b) in lu.x.iter().zip(&it.x) {
        approx::assert_abs_diff_eq!(a, b, epsilon = 1e-10);
    }
}

/// `Auto` resolves by size and fill: dense for small or nearly full patterns, the iterative
/// solver for large sparse ones, the sparse LU in between; an explicit choice is kept.
#[test]
fn auto_linear_solver_follows_size_and_fill() {
    use cge_solver::LinearSolver;
    let o = Options::default();
    let tridiagonal = |n: usize| 3 * n - 2;
    assert_eq!(LinearSolver::Auto.resolve(10, 100, &o), LinearSolver::Dense);
    assert_eq!(
        LinearSolver::Auto.resolve(500, tridiagonal(500), &o),
        LinearSolver::Sparse
    );
    assert_eq!(
        LinearSolver::Auto.resolve(2_000, tridiagonal(2_000), &o),
        LinearSolver::Iterative
    );
    // 20 % full: GMRES, with weak couplings left out of the ILU(0).
    assert_eq!(
        LinearSolver::Auto.resolve(2_000, 800_000, &o),
        LinearSolver::Iterative
    );
    assert_eq!(
        LinearSolver::Auto.resolve(2_000, 2_000_000, &o),
        LinearSolver::Dense
    );
    assert_eq!(
        LinearSolver::Sparse.resolve(2_000, tridiagonal(2_000), &o),
        LinearSolver::Sparse
    );
    // The engine uses the resolved choice.
    let p = cge_solver::test_problems::mgh::BroydenTridiagonal::new(2_000);
    let s = Solver::default().solve(&p, &p.standard_start()).unwrap();
    assert_eq!(s.diagnostics.linear_solver, "iterative");
}

/// A price p ≥ 0 and an income m in money units of size s, as in a CGE model: demand m / p
/// clears against the endowment s (F₀ = m / (s p) − 1) and the income is the endowment's value
/// with a rising supply (F₁ = m − s p²). Solved by p = 1, m = s.
struct PriceAndIncome {
    s: f64,
}
impl Problem for PriceAndIncome {
    fn dim(&self) -> usize {
        2
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let (p, m, s) = (x[0], x[1], self.s);
        if p <= 0.0 {
            return Err(EvalError::at(0, "price must be positive"));
        }
        f[0] = m / (s * p) - 1.0;
        f[1] = m - s * p * p;
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(2)
    }
    fn jacobian(&self, x: &[f64], v: &mut [f64]) -> Result<(), EvalError> {
        let (p, m, s) = (x[0], x[1], self.s);
        v.copy_from_slice(&[-m / (s * p * p), -2.0 * s * p, 1.0 / (s * p), 1.0]);
        Ok(())
    }
    fn bounds(&self) -> Option<Bounds> {
        Some(Bounds {
            lower: vec![0.0, f64::NEG_INFINITY],
            upper: vec![f64::INFINITY; 2],
        })
    }
}

/// The semismooth method's descent test does not depend on the units of x: with an income of
/// order 10⁶ Newton directions are kept and convergence takes a few iterations, as with an
/// income of order 1 (measured in the units of x, the test rejected the Newton steps of the
/// income and the method fell back to steepest descent).
#[test]
fn semismooth_newton_steps_do_not_depend_on_units() {
    let mut iterations = Vec::new();
    for s in [1.0, 1e6] {
        let p = PriceAndIncome { s };
        let sol = Solver::default().solve(&p, &[1.5, 0.4 * s]).unwrap();
        let d = &sol.diagnostics;
        assert_eq!(d.method, Method::Semismooth);
        approx::assert_relative_eq!(sol.x[0], 1.0, max_relative = 1e-8);
        approx::assert_relative_eq!(sol.x[1], s, max_relative = 1e-8);
        iterations.push(d.iterations);
    }
    // Measured in the units of x, the second did not converge in 200 iterations.
    assert!(iterations.iter().all(|&k| k <= 10), "{iterations:?}");
}

/// Linear solvers are named as on a command line; an unknown name lists the known ones.
#[test]
fn linear_solvers_parse_from_their_names() {
    use cge_solver::LinearSolver;
    for name in LinearSolver::NAMES {
        let parsed: LinearSolver = name.parse().unwrap();
        assert_eq!(format!("{parsed:?}").to_lowercase(), name);
    }
    let err = "gmres".parse::<LinearSolver>().unwrap_err();
    assert!(matches!(err, SolveError::UnknownLinearSolver { ref found } if found == "gmres"));
    assert_eq!(
        err.to_string(),
        "unknown linear solver `gmres`: expected auto, dense, sparse or iterative"
    );
}

/// x³ + x − t·c = 0 from t = 0 (x = 0): a shock scaled by the homotopy parameter.
struct Cubic {
    t: f64,
    c: f64,
}
impl Problem for Cubic {
    fn dim(&self) -> usize {
        1
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        f[0] = x[0].powi(3) + x[0] - self.t * self.c;
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(1)
    }
    fn jacobian(&self, x: &[f64], v: &mut [f64]) -> Result<(), EvalError> {
        v[0] = 3.0 * x[0] * x[0] + 1.0;
        Ok(())
    }
}
impl Homotopy for Cubic {
    fn set_parameter(&mut self, t: f64) {
        self.t = t;
    }
}

#[test]
fn continuation_reaches_the_full_shock() {
    let mut h = Cubic { t: 0.0, c: 1e4 };
    let s = Solver::default()
        .solve_continuation(&mut h, &[0.0])
        .unwrap();
    approx::assert_relative_eq!(s.x[0].powi(3) + s.x[0], 1e4, max_relative = 1e-12);
    assert_eq!(*s.diagnostics.continuation.last().unwrap(), 1.0);
    // With one iteration allowed per corrector, continuation must take smaller steps.
    let opts = Options {
        max_iterations: 3,
        method: Method::NewtonLineSearch,
        ..Options::default()
    };
    let mut h = Cubic { t: 0.0, c: 1e3 };
    let s = Solver::new(opts)
        .unwrap()
        .solve_continuation(&mut h, &[0.0])
        .unwrap();
    assert!(
        s.diagnostics.continuation.len() > 2,
        "{:?}",
        s.diagnostics.continuation
    );
    approx::assert_relative_eq!(s.x[0].powi(3) + s.x[0], 1e3, max_relative = 1e-10);
}

/// Counts heap allocations made by the current thread, to check that iterations do not
/// allocate.
mod allocations {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    pub struct Counting;

    thread_local! {
        static COUNT: Cell<usize> = const { Cell::new(0) };
    }

    // SAFETY: forwards to the system allocator; only counts.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            COUNT.with(|c| c.set(c.get() + 1));
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            COUNT.with(|c| c.set(c.get() + 1));
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    pub fn count() -> usize {
        COUNT.with(|c| c.get())
    }
}

#[global_allocator]
static ALLOCATOR: allocations::Counting = allocations::Counting;

/// Allocations made by one solve, with its iteration count.
fn allocations_of(p: &dyn TestProblem, options: Options) -> (usize, usize) {
    let solver = Solver::new(options).unwrap();
    let x0 = p.standard_start();
    let before = allocations::count();
    let s = solver.solve(p, &x0).unwrap();
    (allocations::count() - before, s.diagnostics.iterations)
}

#[test]
fn iterations_after_the_first_do_not_allocate() {
    use cge_solver::test_problems::mgh::{BroydenTridiagonal, ExtendedRosenbrock};
    use cge_solver::LinearSolver;
    let cases: Vec<(Box<dyn TestProblem>, Method, LinearSolver)> = vec![
        (
            Box::new(BroydenTridiagonal::new(2000)),
            Method::NewtonLineSearch,
            LinearSolver::Sparse,
        ),
        (
            Box::new(BroydenTridiagonal::new(300)),
            Method::NewtonLineSearch,
            LinearSolver::Dense,
        ),
        (
            Box::new(BroydenTridiagonal::new(2000)),
            Method::Semismooth,
            LinearSolver::Sparse,
        ),
        (
            Box::new(ExtendedRosenbrock::new(2000)),
            Method::Dogleg,
            LinearSolver::Sparse,
        ),
        (
            Box::new(BroydenTridiagonal::new(2000)),
            Method::Broyden,
            LinearSolver::Sparse,
        ),
        (
            Box::new(BroydenTridiagonal::new(2000)),
            Method::Dogleg,
            LinearSolver::Sparse,
        ),
        (
            Box::new(BroydenTridiagonal::new(2000)),
            Method::NewtonLineSearch,
            LinearSolver::Iterative,
        ),
        (
            Box::new(BroydenTridiagonal::new(2000)),
            Method::Semismooth,
            LinearSolver::Iterative,
        ),
    ];
    for (p, method, linear_solver) in cases {
        let loose = Options {
            method,
            linear_solver,
            tolerance: 1e-2,
            ..Options::default()
        };
        let tight = Options {
            tolerance: 1e-12,
            ..loose.clone()
        };
        let (a_loose, it_loose) = allocations_of(p.as_ref(), loose);
        let (a_tight, it_tight) = allocations_of(p.as_ref(), tight);
        assert!(
            it_tight > it_loose,
            "{} {method:?}: {it_loose} vs {it_tight} iterations",
            p.name()
        );
        // The first iteration may size the factorization's storage; later ones add nothing.
        assert!(
            a_tight <= a_loose + 2,
            "{} {method:?}: {a_loose} allocations for {it_loose} iterations, {a_tight} for {it_tight}",
            p.name()
        );
    }
}

/// Where a factorization costs far more than a solve, the semismooth method reuses it for chord
/// steps: fewer Jacobians than iterations, and still a solution to the tolerance.
#[test]
fn costly_factorizations_are_reused_for_chord_steps() {
    use cge_solver::test_problems::mgh::BroydenTridiagonal;
    use cge_solver::LinearSolver;
    let p = BroydenTridiagonal::new(400);
    let opts = Options {
        method: Method::Semismooth,
        linear_solver: LinearSolver::Dense,
        ..Options::default()
    };
    let s = Solver::new(opts)
        .unwrap()
        .solve(&p, &p.standard_start())
        .unwrap();
    assert!(residual_inf(&p, &s.x) <= 1e-10);
    let d = &s.diagnostics;
    assert!(
        d.jacobian_evaluations < d.iterations,
        "{} Jacobians for {} iterations",
        d.jacobian_evaluations,
        d.iterations
    );
    // With the sparse LU of a tridiagonal matrix, factorizing is cheap: no chord steps.
    let cheap = Solver::new(Options {
        method: Method::Semismooth,
        linear_solver: LinearSolver::Sparse,
        ..Options::default()
    })
    .unwrap()
    .solve(&p, &p.standard_start())
    .unwrap();
    assert_eq!(
        cheap.diagnostics.jacobian_evaluations,
        cheap.diagnostics.iterations
    );
}

/// x − 1/3 = 0 computed as ((x + 10⁸) − 10⁸) − 1/3: the residual moves in steps of the
/// spacing of doubles near 10⁸ (1.5 × 10⁻⁸), so no iterate gets it below the default
/// tolerance of 10⁻¹⁰ — like a model in large money units whose residuals sum large terms.
struct RoundOffFloor {
    bounded: bool,
}
impl Problem for RoundOffFloor {
    fn name(&self) -> &str {
        "round_off_floor"
    }
    fn dim(&self) -> usize {
        1
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let big = std::hint::black_box(1e8);
        f[0] = ((x[0] + big) - big) - 1.0 / 3.0;
        Ok(())
    }
    fn jacobian_pattern(&self) -> Pattern {
        Pattern::dense(1)
    }
    fn jacobian(&self, _x: &[f64], v: &mut [f64]) -> Result<(), EvalError> {
        v[0] = 1.0;
        Ok(())
    }
    fn bounds(&self) -> Option<Bounds> {
        self.bounded.then(|| Bounds {
            lower: vec![0.0],
            upper: vec![f64::INFINITY],
        })
    }
}

#[test]
fn a_tolerance_below_round_off_fails_fast_with_a_hint() {
    for bounded in [false, true] {
        let e = Solver::default()
            .solve(&RoundOffFloor { bounded }, &[2.0])
            .unwrap_err();
        let SolveError::NotConverged { diagnostics, .. } = &e else {
            panic!("{e}")
        };
        assert!(diagnostics.iterations <= 20, "{bounded}: {e}");
        assert!(e.to_string().contains("round-off"), "{e}");
        // A tolerance above the floor converges.
        let options = Options {
            tolerance: 1e-7,
            ..Options::default()
        };
        Solver::new(options)
            .unwrap()
            .solve(&RoundOffFloor { bounded }, &[2.0])
            .unwrap();
    }
}
