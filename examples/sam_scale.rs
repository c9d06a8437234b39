//! The standard model of Hosoe, Gasawa & Hashimoto (2010, ch. 6) with N sectors: build a
//! balanced N-sector SAM from a seed, calibrate, check the benchmark, abolish every tariff,
//! solve, and print the sizes and timings.
//!
//! ```text
//! cargo run --release --example sam_scale -- --sectors 1280
//! ```
//!
//! Options: `--sectors N` (default 100), `--inputs K` (intermediate inputs per sector; default
//! every good, a dense input–output table, up to N = 2,560, and 20 above), `--seed S` (default
//! 2025), `--threads T`, `--linear-solver auto|dense|sparse|iterative` (default: the model's
//! choice).

use std::time::Instant;

use anyhow::{bail, Context, Result};
use cge_core::families::sam::{Sam, StandardModel};
use cge_core::memory;
use cge_solver::{LinearSolver, Solver};

fn main() -> Result<()> {
    let (mut sectors, mut inputs, mut seed, mut threads) = (100usize, None, 2025u64, None);
    let mut linear_solver = LinearSolver::Auto;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--sectors" => sectors = value()?.parse()?,
            "--inputs" => inputs = Some(value()?.parse::<usize>()?),
            "--seed" => seed = value()?.parse()?,
            "--threads" => threads = Some(value()?.parse::<usize>()?),
            "--linear-solver" => linear_solver = value()?.parse()?,
            other => {
                bail!(
                    "unknown option `{other}`; expected --sectors, --inputs, --seed, --threads or \
                     --linear-solver"
                )
            }
        }
    }
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
    }
    let inputs = inputs.unwrap_or(if sectors <= 2_560 { 0 } else { 20 });
    println!(
        "standard model (Hosoe et al. 2010, ch. 6): {sectors} sectors, {} intermediate inputs per sector, seed {seed}, {} threads",
        if inputs == 0 { sectors } else { inputs.min(sectors) },
        rayon::current_num_threads()
    );

    let started = Instant::now();
    let (sam, labels) = Sam::synthetic(sectors, inputs, seed)?;
    let generated = started.elapsed();
    let standard = StandardModel::calibrate(&sam, &labels)?;
    let mut model = standard.build()?;
    let mut options = model.solver_options();
    options.linear_solver = linear_solver;
    let estimate = model.memory_estimate_with(&options);
    estimate.check(&standard.name, memory::default_limit())?;
    model.check_benchmark()?;
    let built = started.elapsed();
    let abolished = standard.scale_tariffs(&mut model, 0.0)?;

    let solver = Solver::new(options)?;
    let mut x0 = model.benchmark_point();
    x0[model.numeraire_index()] = model.numeraire_value();
    let solve_started = Instant::now();
    let solution = solver.solve(&model, &x0)?;
    let solve_time = solve_started.elapsed();
    let total = started.elapsed();
    let results = model.results_at(&solution.x)?;
    let d = &solution.diagnostics;
    if let Some(summary) = d.krylov_summary() {
        println!("GMRES:               {summary}");
    }
    let walras_ok =
        results.walras_residual.abs() <= cge_core::tolerances::WALRAS_RELATIVE * model.scale();
    let hh = &results.welfare[&labels.household];

    println!(
        "SAM:                 {} accounts, {} nonzero cells",
        sam.accounts.len(),
        sam.cells.len()
    );
    println!("unknowns:            {}", model.dim());
    println!(
        "memory estimate:     {:.2} GiB",
        estimate.total() as f64 / (1u64 << 30) as f64
    );
    println!(
        "Jacobian:            {} triplets, {} nonzeros ({} linear solver)",
        model.jacobian_len(),
        d.nonzeros,
        d.linear_solver
    );
    println!(
        "build:               {:.3} s (SAM {:.3} s; calibration, model and benchmark check {:.3} s)",
        built.as_secs_f64(),
        generated.as_secs_f64(),
        (built - generated).as_secs_f64()
    );
    println!("shock:               {abolished} tariffs abolished");
    println!(
        "solve:               {:.3} s, {} Newton iterations, {} residuals, {} Jacobians",
        solve_time.as_secs_f64(),
        d.iterations,
        d.residual_evaluations,
        d.jacobian_evaluations
    );
    println!("end to end:          {:.3} s", total.as_secs_f64());
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
    println!(
        "household:           EV {:.4} ({:.4} % of benchmark income)",
        hh.equivalent_variation, hh.equivalent_variation_percent
    );
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
    Ok(())
}
