//! Solve time of the scalable MGH problems by size and linear-algebra path (dense LU, sparse LU,
//! GMRES with ILU(0)), and of the small MGH problems from their standard starts.
//!
//! `cargo bench -p cge-solver --bench scalable`

use std::hint::black_box;

use cge_solver::test_problems::mgh::{
    BroydenTridiagonal, DiscreteBoundaryValue, ExtendedRosenbrock,
};
use cge_solver::test_problems::{mgh_set, TestProblem};
use cge_solver::{LinearSolver, Options, Solver};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

/// Builds a problem of size n.
type Maker = fn(usize) -> Box<dyn TestProblem>;

fn solver(linear_solver: LinearSolver) -> Solver {
    Solver::new(Options {
        linear_solver,
        ..Options::default()
    })
    .expect("valid options")
}

fn bench_problem(
    c: &mut Criterion,
    group_name: &str,
    sizes: &[usize],
    make: Maker,
    path: LinearSolver,
) {
    let mut group = c.benchmark_group(group_name);
    group.sample_size(10);
    let s = solver(path);
    for &n in sizes {
        let p = make(n);
        let x0 = p.standard_start();
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| s.solve(p.as_ref(), black_box(&x0)).expect("converges"))
        });
    }
    group.finish();
}

fn scalable(c: &mut Criterion) {
    let sparse = [10, 100, 1_000, 10_000, 50_000, 100_000];
    let dense = [10, 100, 1_000];
    let problems: [(&str, Maker); 3] = [
        ("broyden_tridiagonal", |n| {
            Box::new(BroydenTridiagonal::new(n))
        }),
        ("discrete_boundary_value", |n| {
            Box::new(DiscreteBoundaryValue::new(n))
        }),
        ("extended_rosenbrock", |n| {
            Box::new(ExtendedRosenbrock::new(n))
        }),
    ];
    for (name, make) in problems {
        bench_problem(
            c,
            &format!("{name}/sparse"),
            &sparse,
            make,
            LinearSolver::Sparse,
        );
        bench_problem(
            c,
            &format!("{name}/dense"),
            &dense,
            make,
            LinearSolver::Dense,
        );
        bench_problem(
            c,
            &format!("{name}/iterative"),
            &sparse,
            make,
            LinearSolver::Iterative,
        );
    }
}

fn small(c: &mut Criterion) {
    let mut group = c.benchmark_group("mgh_standard_start");
    let s = Solver::default();
    for p in mgh_set() {
        let x0 = p.standard_start();
        if s.solve(p.as_ref(), &x0).is_err() {
            continue;
        }
        group.bench_function(p.name().to_string(), |b| {
            b.iter(|| s.solve(p.as_ref(), black_box(&x0)))
        });
    }
    group.finish();
}

criterion_group!(benches, scalable, small);
criterion_main!(benches);
