//! The reproduction report: every published figure the project sets out to reproduce, its
//! band, and what has been computed so far.
//!
//! ```text
//! cargo run --release --example reproduce            # aligned table
//! cargo run --release --example reproduce -- --json  # JSON array
//! cargo run --release --example reproduce -- --literature my_parameters.csv
//! ```
//!
//! `--literature FILE` reruns everything with an edited copy of
//! `data/literature_parameters.csv`: change an assumption, see every figure move.

use anyhow::{bail, Context, Result};
use cge::calibrate::reproductions;

fn main() -> Result<()> {
    let mut json = false;
    let mut docs: Option<String> = None;
    let mut literature: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--write-docs" => {
                docs = Some(args.next().context("--write-docs needs a file name")?);
            }
            "--literature" => {
                literature = Some(args.next().context("--literature needs a file name")?);
            }
            other => bail!(
                "unknown argument `{other}`; options: --json, --write-docs FILE, --literature FILE"
            ),
        }
    }
    let run = reproductions::run_literature(literature.as_deref().map(std::path::Path::new))
        .context("running the reproductions")?;
    let figures = &run.figures;
    if json {
        println!("{}", serde_json::to_string_pretty(figures)?);
    } else {
        print!("{}", reproductions::render_console(&run));
    }
    if let Some(path) = docs {
        // Written whole to a temporary file, then renamed: never left half-written.
        let tmp = format!("{path}.tmp");
        std::fs::write(&tmp, reproductions::render_markdown(&run))
            .with_context(|| format!("writing {tmp}"))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("renaming {tmp} to {path}"))?;
        eprintln!("wrote {path}");
    }
    Ok(())
}
