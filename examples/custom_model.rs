//! A model of your own, written with the algebra (MPSGE's $PROD and $DEMAND blocks as Rust
//! builders), then shocked and read by name: a closed economy with a government that taxes
//! labour in X and spends the revenue, as in Markusen's M1 models.
//!
//! ```text
//! cargo run --release --example custom_model
//! ```

use anyhow::Result;
use cge::core::{ConsumerSpec, Flow, ModelSpec, SectorSpec};
use cge::{Shock, Study};

fn main() -> Result<()> {
    // $PROD:X s:1  O:PX Q:100  I:PL Q:20 A:HH T:0.25  I:PK Q:75
    // $PROD:Y s:1  O:PY Q:100  I:PL Q:75  I:PK Q:25
    // $DEMAND:HH   D:PX Q:100  D:PY Q:100  E:PL Q:95  E:PK Q:100
    let spec = ModelSpec::new("closed 2x2 with a labour tax")
        .commodities(["PX", "PY", "PL", "PK"])
        .sector(
            SectorSpec::new("X")
                .elasticity(1.0)
                .output("PX", 100.0)
                .input_flow(Flow::new("PL", 20.0).tax(0.25, "HH"))
                .input("PK", 75.0),
        )
        .sector(
            SectorSpec::new("Y")
                .elasticity(1.0)
                .output("PY", 100.0)
                .input("PL", 75.0)
                .input("PK", 25.0),
        )
        .consumer(
            ConsumerSpec::new("HH")
                .endowment("PL", 95.0)
                .endowment("PK", 100.0)
                .demand("PX", 100.0)
                .demand("PY", 100.0),
        )
        .numeraire_price("PL", 1.0); // the wage is the unit of account (MPSGE's PL.FX = 1)

    // Build, check the benchmark (MPSGE's iteration limit 0) and solve it.
    let study = Study::spec(spec)?;

    // Remove the tax: the efficiency gain is the household's EV.
    let no_tax = study
        .counterfactual("no_tax")
        .input_tax("X", "PL", 0.0)
        .solve()?;
    // More labour (10%) with the tax in place, and both shocks together.
    let more_labour = study
        .counterfactual("more_labour")
        .scale_endowment("HH", "PL", 1.1)
        .solve()?;
    let both = study
        .counterfactual("both")
        .shock(
            Shock::new("input_tax")
                .sector("X")
                .commodity("PL")
                .rate(0.0),
        )
        .shock(
            Shock::new("endowment")
                .consumer("HH")
                .commodity("PL")
                .scale(1.1),
        )
        .solve()?;

    for o in [&no_tax, &more_labour, &both] {
        println!(
            "{:<12} X {:+6.2}%  Y {:+6.2}%  PK/PL {:+6.2}%  EV {:+7.3} ({:+.2}% of income)",
            o.name,
            o.pct_change("activity", "X")?.unwrap_or(f64::NAN),
            o.pct_change("activity", "Y")?.unwrap_or(f64::NAN),
            o.pct_change("price", "PK")?.unwrap_or(f64::NAN),
            o.ev("HH")?,
            o.pct_change("ev", "HH")?.unwrap_or(f64::NAN),
        );
    }
    // A typo is an error with the closest names, not a panic:
    if let Err(e) = no_tax.price("PKK") {
        println!("\n(as expected) {e}");
    }
    Ok(())
}
