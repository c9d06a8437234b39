//! A synthetic multi-region world of any size: build it, check the benchmark, halve every
//! tariff, solve, and print the sizes and timings.
//!
//! ```text
//! cargo run --release --example scale -- --regions 140 --sectors 65 --factors 5
//! ```
//!
//! Options: `--regions R`, `--sectors S`, `--factors F` (default 10 × 10 × 3), `--seed N`
//! (default 2025), `--migrants` (a migrant consumer in every region), `--threads N` (rayon's
//! worker threads; default: all cores), `--memory-limit GIB` (default 75 % of physical
//! memory), `--linear-solver auto|dense|sparse|iterative` (default: the model's choice).

use std::time::Instant;

use anyhow::{bail, Context, Result};
use cge_core::families::synthetic::{SyntheticWorld, WorldSize};
use cge_core::memory;
use cge_solver::{LinearSolver, Problem, Solver};

struct Args {
    size: WorldSize,
    seed: u64,
    threads: Option<usize>,
    limit: u64,
    linear_solver: LinearSolver,
}

fn parse() -> Result<Args> {
    let mut args = Args {
        size: WorldSize::new(10, 10, 3),
        seed: 2025,
        threads: None,
        limit: memory::default_limit(),
        linear_solver: LinearSolver::Auto,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| -> Result<String> {
            it.next().with_context(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--regions" => args.size.regions = value("--regions")?.parse()?,
            "--sectors" => args.size.sectors = value("--sectors")?.parse()?,
            "--factors" => args.size.factors = value("--factors")?.parse()?,
            "--seed" => args.seed = value("--seed")?.parse()?,
            "--threads" => args.threads = Some(value("--threads")?.parse()?),
            "--memory-limit" => {
                args.limit = (value("--memory-limit")?.parse::<f64>()? * (1u64 << 30) as f64) as u64
            }
            "--migrants" => args.size.migrants = true,
            "--linear-solver" => args.linear_solver = value("--linear-solver")?.parse()?,
            other => bail!(
                "unknown option `{other}`; expected --regions, --sectors, --factors, --seed, \
                 --migrants, --threads, --memory-limit or --linear-solver"
            ),
        }
    }
    Ok(args)
}

fn main() -> Result<()> {
    let args = parse()?;
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
    }
    let size = args.size;
    println!(
        "synthetic world: {} regions x {} sectors x {} factors{}, seed {}, {} threads",
        size.regions,
        size.sectors,
        size.factors,
        if size.migrants { ", migrants" } else { "" },
        args.seed,
        rayon::current_num_threads()
    );
    let linear_solver = args.linear_solver;
    let estimate = size.estimate_for(linear_solver);
    println!(
        "estimate: {} unknowns, {} Jacobian triplets, {:.2} GiB (limit {:.2} GiB)",
        estimate.unknowns,
        estimate.triplets,
        estimate.total() as f64 / (1u64 << 30) as f64,
        args.limit as f64 / (1u64 << 30) as f64
    );

    let started = Instant::now();
    let world = SyntheticWorld::generate_for(size, args.seed, args.limit, linear_solver)?;
    let generated = started.elapsed();
    let mut model = world.build()?;
    let built = started.elapsed();
    model.check_benchmark()?;
    let checked = started.elapsed();
    let pattern_len = model.jacobian_len();
    let cut = world.scale_tariffs(&mut model, 0.5)?;

    println!("unknowns:            {}", model.dim());
    println!("Jacobian:            {} triplets", pattern_len);
    println!(
        "build:               {:.3} s (data {:.3} s, model {:.3} s, benchmark check {:.3} s)",
        checked.as_secs_f64(),
        generated.as_secs_f64(),
        (built - generated).as_secs_f64(),
        (checked - built).as_secs_f64()
    );
    println!("shock:               {cut} tariffs halved");
    let mut options = model.solver_options();
    options.linear_solver = linear_solver;
    let solver = Solver::new(options)?;
    let mut x0 = model.benchmark_point();
    x0[model.numeraire_index()] = model.numeraire_value();
    let solve_started = Instant::now();
    let solution = solver.solve(&model, &x0)?;
    let solve_time = solve_started.elapsed();
    let results = model.results_at(&solution.x)?;
    let d = &solution.diagnostics;
    if let Some(summary) = d.krylov_summary() {
        println!("GMRES:               {summary}");
    }

    let ev: f64 = results
        .welfare
        .values()
        .map(|w| w.equivalent_variation)
        .sum();
    let walras_ok =
        results.walras_residual.abs() <= cge_core::tolerances::WALRAS_RELATIVE * model.scale();
    println!(
        "linear algebra:      {} nonzeros after merging duplicates, {} linear solver",
        d.nonzeros, d.linear_solver
    );
    println!(
        "solve:               {:.3} s, {} Newton iterations, {} residuals, {} Jacobians",
        solve_time.as_secs_f64(),
        d.iterations,
        d.residual_evaluations,
        d.jacobian_evaluations
    );
    if std::env::var_os("CGE_SCALE_VERBOSE").is_some() {
        println!(
            "history:             {:?}, regularized steps {}, factorizations {}",
            d.residual_history, d.regularized_steps, d.factorizations
        );
    }
    println!(
        "residual:            {:.2e} (complementarity error), Walras residual {:.2e} ({})",
        solution.error,
        results.walras_residual,
        if walras_ok {
            "round-off"
        } else {
            "NOT round-off"
        }
    );
    println!("world EV:            {ev:.4} (money of the benchmark, sum over consumers)");
    match memory::peak_resident() {
        Some(b) => println!(
            "peak memory:         {:.3} GiB",
            b as f64 / (1u64 << 30) as f64
        ),
        None => println!("peak memory:         unavailable"),
    }
    if !walras_ok {
        bail!("the Walras residual is not round-off");
    }
    // Evaluations are pure: the residual at the solution is what the solver saw.
    let mut f = vec![0.0; model.dim()];
    model.residual(&solution.x, &mut f)?;
    Ok(())
}
