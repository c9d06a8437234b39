//! Times one solve of the scalable test problems at growing n, on the sparse and (up to
//! n = 3,000) the dense path, and prints a Markdown table: the quick version of the criterion
//! benchmarks in `benches/scalable.rs`.
//!
//! `cargo run --release -p cge-solver --example scaling`

use std::time::Instant;

use cge_solver::test_problems::mgh::{
    BroydenTridiagonal, DiscreteBoundaryValue, ExtendedRosenbrock,
};
use cge_solver::test_problems::TestProblem;
use cge_solver::{LinearSolver, Options, Solver};

fn time(p: &dyn TestProblem, linear_solver: LinearSolver) -> (f64, usize) {
    let solver = Solver::new(Options {
        linear_solver,
        ..Options::default()
    })
    .expect("valid options");
    let x0 = p.standard_start();
    // Best of a few runs, to keep one-off noise out.
    let mut best = f64::INFINITY;
    let mut iterations = 0;
    let reps = if p.dim() >= 10_000 { 3 } else { 10 };
    for _ in 0..reps {
        let t = Instant::now();
        let s = solver.solve(p, &x0).expect("scalable problems converge");
        best = best.min(t.elapsed().as_secs_f64());
        iterations = s.diagnostics.iterations;
    }
    (best, iterations)
}

fn main() {
    println!("| problem | n | path | solve (ms) | iterations | per iteration (ms) |");
    println!("|---|---|---|---|---|---|");
    for n in [10, 100, 1_000, 3_000, 10_000, 50_000, 100_000] {
        let problems: Vec<Box<dyn TestProblem>> = vec![
            Box::new(BroydenTridiagonal::new(n)),
            Box::new(DiscreteBoundaryValue::new(n)),
            Box::new(ExtendedRosenbrock::new(n)),
        ];
        for p in &problems {
            let mut paths = vec![("sparse", LinearSolver::Sparse)];
            if n <= 3_000 {
                paths.push(("dense", LinearSolver::Dense));
            }
            for (name, ls) in paths {
                let (secs, it) = time(p.as_ref(), ls);
                println!(
                    "| {} | {n} | {name} | {:.3} | {it} | {:.4} |",
                    p.name(),
                    secs * 1e3,
                    secs * 1e3 / it.max(1) as f64
                );
            }
        }
    }
}
