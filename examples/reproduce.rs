//! The reproduction report: every published figure the project sets out to reproduce, its
//! band, and what has been computed so far.
//!
//! ```text
//! cargo run --release --example reproduce            # aligned table
//! cargo run --release --example reproduce -- --json  # JSON array
//! ```

use anyhow::{bail, Context, Result};
use cge::calibrate::reproduce;

fn main() -> Result<()> {
    let mut json = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--json" => json = true,
            other => bail!("unknown argument `{other}`; the only option is --json"),
        }
    }
    let figures = reproduce::figures().context("building the reproduction report")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        print!("{}", reproduce::render_table(&figures));
    }
    Ok(())
}
