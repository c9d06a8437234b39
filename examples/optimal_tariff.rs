//! Scripting a counterfactual family in Rust: the 2×2×2 Heckscher–Ohlin model, a tariff by the
//! home country at rates from 0 to 60%, and the rate that maximizes home welfare (the
//! "optimal tariff" of a large country) — with and without retaliation.
//!
//! ```text
//! cargo run --release --example optimal_tariff
//! ```
//!
//! Copy this file and edit the parameters, the shocks or what is printed.

use anyhow::Result;
use cge::core::families::hos::TwoByTwoByTwo;
use cge::{Shock, Study};

fn main() -> Result<()> {
    // 1. The model: endowments [country][factor] and cost shares [good][factor]. H is
    //    labour-abundant and exports the labour-intensive good X.
    let params = TwoByTwoByTwo::new([[120.0, 80.0], [80.0, 120.0]], [[0.7, 0.3], [0.3, 0.7]]);

    // 2. Build it, check that the benchmark replicates, and solve the benchmark.
    let study = Study::family(params)?;
    println!("{}\n", study.describe_model());

    // 3. One counterfactual per tariff rate; read results by name.
    println!(
        "{:>8}  {:>10}  {:>10}  {:>12}  {:>14}",
        "tariff", "EV of H", "EV of F", "price of Y in H", "H if F retaliates"
    );
    let mut best = (0.0, f64::NEG_INFINITY);
    for step in 0..=12 {
        let rate = 0.05 * f64::from(step);
        let home = study
            .counterfactual(format!("home_{rate:.2}"))
            .shock(Shock::new("tariff").importer("H").good("Y").rate(rate))
            .solve()?;
        let war = study
            .counterfactual(format!("war_{rate:.2}"))
            .shock(Shock::new("tariff").importer("H").good("Y").rate(rate))
            .shock(Shock::new("tariff").importer("F").good("X").rate(rate))
            .solve()?;
        let ev_h = home.ev("H")?;
        // `pct_change` compares with the benchmark; `None` would mean a zero benchmark.
        let py = home.pct_change("price", "PY.H")?.unwrap_or(f64::NAN);
        println!(
            "{:>7.0}%  {ev_h:>+10.3}  {:>+10.3}  {py:>+13.2}%  {:>+14.3}",
            100.0 * rate,
            home.ev("F")?,
            war.ev("H")?
        );
        if ev_h > best.1 {
            best = (rate, ev_h);
        }
    }
    println!(
        "\nHome welfare peaks at a tariff of about {:.0}% (EV {:+.3} {}).",
        100.0 * best.0,
        best.1,
        study.money_unit()
    );
    Ok(())
}
