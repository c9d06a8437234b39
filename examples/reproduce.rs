//! The reproduction report: every published figure the project sets out to reproduce, its
//! band, and what has been computed so far.
//!
//! ```text
//! cargo run --release --example reproduce            # aligned table
//! cargo run --release --example reproduce -- --json  # JSON array
//! ```

use anyhow::{bail, Context, Result};
use cge::calibrate::{reproduce, reproductions};

fn main() -> Result<()> {
    let mut json = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--json" => json = true,
            other => bail!("unknown argument `{other}`; the only option is --json"),
        }
    }
    let run = reproductions::run().context("running the reproductions")?;
    let figures = &run.figures;
    if json {
        println!("{}", serde_json::to_string_pretty(figures)?);
    } else {
        print!("{}", reproduce::render_table(figures));
        println!();
        println!("Fitted parameters (minimum distance to the targets marked in the table):");
        for (name, value) in &run.migration_fit.fitted {
            println!("  {name:<24} {value:.4}");
        }
        println!("Run time: {:.2} s", run.seconds);
    }
    Ok(())
}
