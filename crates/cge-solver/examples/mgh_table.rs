//! Prints the solved/failed table of the MGH/MINPACK test set for every method, from the
//! standard start and from 10× and 100× it, as a Markdown table.
//!
//! `cargo run --release -p cge-solver --example mgh_table`

use cge_solver::test_problems::{mcp_set, mgh_set};
use cge_solver::{Method, Options, SolveError, Solver};

fn main() {
    let methods = [
        Method::Auto,
        Method::NewtonLineSearch,
        Method::Dogleg,
        Method::Broyden,
    ];
    println!("| problem | start | Auto | Newton | Dogleg | Broyden |");
    println!("|---|---|---|---|---|---|");
    let mut solved = vec![0; methods.len()];
    let mut total = 0;
    for p in mgh_set() {
        for factor in [1.0, 10.0, 100.0] {
            total += 1;
            let x0: Vec<f64> = if p.standard_start().iter().all(|v| *v == 0.0) && factor != 1.0 {
                vec![factor - 1.0; p.dim()]
            } else {
                p.standard_start().iter().map(|v| v * factor).collect()
            };
            let mut cells = Vec::new();
            for (k, &method) in methods.iter().enumerate() {
                let solver = Solver::new(Options::with_method(method)).expect("valid options");
                cells.push(match solver.solve(p.as_ref(), &x0) {
                    Ok(s) => {
                        solved[k] += 1;
                        format!("{} it", s.diagnostics.iterations)
                    }
                    Err(SolveError::NotConverged { diagnostics, .. }) => {
                        format!("{:?}", diagnostics.termination)
                    }
                    Err(e) => format!("error: {e}"),
                });
            }
            println!("| {} | {}x | {} |", p.name(), factor, cells.join(" | "));
        }
    }
    println!(
        "| **solved** | of {total} | {} |",
        solved
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!();
    println!("## Complementarity problems (semismooth Newton, the default with bounds)");
    println!();
    println!("| problem | iterations | complementarity error | solution |");
    println!("|---|---|---|---|");
    let solver = Solver::default();
    for p in mcp_set() {
        match solver.solve(p.as_ref(), &p.standard_start()) {
            Ok(s) => {
                let x: Vec<String> = s.x.iter().map(|v| format!("{v:.6}")).collect();
                println!(
                    "| {} | {} | {:.1e} | ({}) |",
                    p.name(),
                    s.diagnostics.iterations,
                    s.error,
                    x.join(", ")
                );
            }
            Err(e) => println!("| {} | failed | | {e} |", p.name()),
        }
    }
}
