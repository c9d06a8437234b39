//! Scripting on top of a scenario file: load `examples/scenarios/migration_quota.toml`, run its
//! counterfactuals, add new ones in Rust (a range of quotas, with and without remittances),
//! print welfare by group and write tidy results for a spreadsheet or a plot.
//!
//! ```text
//! cargo run --release --example migration_script
//! cargo run --release -- plot migration_script.csv --out migration.svg   # the cge command
//! ```

use anyhow::Result;
use cge::report;
use cge::{Shock, Study};

fn main() -> Result<()> {
    // 1. A scenario file gives the model, its closure and its counterfactuals.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/scenarios/migration_quota.toml"
    );
    let study = Study::load(path)?;

    // 2. The file's own counterfactuals.
    let mut outcomes = Vec::new();
    for cf in &study.scenario().counterfactuals {
        outcomes.push(study.run(cf)?);
    }

    // 3. More counterfactuals built in Rust: quotas raising the host labour force by 0.5% .. 5%.
    for pct in [0.5, 1.0, 2.0, 5.0] {
        let outcome = study
            .counterfactual(format!("quota_{pct}pct_remit"))
            .description(format!("quota +{pct}% of host labour, 20% remitted"))
            .shock(Shock::new("quota").labour_force_increase(pct / 100.0))
            .shock(Shock::new("remittance_share").share(0.2))
            .solve()?;
        outcomes.push(outcome);
    }

    // 4. Read results by name: welfare of each group in every counterfactual.
    let groups = [
        "HOST_NATIVES",
        "EARLIER_MIGRANTS",
        "NEW_MIGRANTS",
        "ORIGIN_RESIDENTS",
    ];
    println!("Equivalent variation [{}]", study.money_unit());
    print!("{:<20}", "counterfactual");
    for g in groups {
        print!("{g:>18}");
    }
    println!("{:>10}", "world");
    for o in &outcomes {
        print!("{:<20}", o.name);
        for g in groups {
            print!("{:>+18.3}", o.ev(g)?);
        }
        println!("{:>+10.3}", o.total_ev());
    }

    // 5. Tidy long-format results (one row per scenario, variable and index), written
    //    atomically; `.json` works the same way.
    let rows: Vec<_> = outcomes
        .iter()
        .flat_map(|o| report::rows(o, &study.scenario().report))
        .collect();
    report::write_rows(std::path::Path::new("migration_script.csv"), &rows)?;
    println!("\nWrote {} rows to migration_script.csv", rows.len());
    Ok(())
}
