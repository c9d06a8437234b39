//! The `cge` command: run scenario files, check models, reproduce the published estimates,
//! sweep a parameter and plot results. `cge --help` and `cge <command> --help` show examples;
//! `docs/user-guide.md` is the manual.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use clap::{Parser, Subcommand};

use cge::calibrate::{balance, reproductions};
use cge::core::ModelSpec;
use cge::report::{self, Row};
use cge::{checks, fsutil, plot, sweep, Error, Scenario, Study};

#[derive(Parser)]
#[command(
    name = "cge",
    version,
    about = "Computable general equilibrium models of trade and migration: run scenarios, check models, sweep parameters, plot results.",
    after_help = "Examples:
  cge run examples/scenarios/tariff_war.toml
  cge run examples/scenarios/migration_quota.toml --out results.csv
  cge check examples/scenarios/small_open_economy.toml
  cge sweep examples/scenarios/tariff_war.toml --param counterfactual.tariff_war.shock.0.rate --from 0 --to 0.5 --steps 11 --out sweep.csv
  cge plot results.csv --out welfare.svg
  cge balance my_sam.csv --out balanced.csv
  cge reproduce

Exit status: 0 on success, 1 when a scenario, model or check fails, 2 for a usage error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Solve every counterfactual of a scenario and print the report.
    #[command(
        after_help = "Prints, for each counterfactual, the % change of every activity level, price and income
against the benchmark, and welfare (equivalent variation) by consumer with its unit.

Examples:
  cge run examples/scenarios/tariff_war.toml
  cge run examples/scenarios/world_trade_liberalization.toml --out liberalization.csv
  cge run examples/scenarios/migration_quota.toml --out quota.json --only quota_3pct
  cge run big_shock.toml --continuation"
    )]
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Also write tidy long-format results (scenario, variable, index, value, benchmark,
        /// pct_change, unit) to FILE.csv or FILE.json.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Run only the named counterfactual(s).
        #[arg(long, value_name = "NAME")]
        only: Vec<String>,
        /// Apply shocks in steps when a direct solve fails.
        #[arg(long)]
        continuation: bool,
    },
    /// Check a model or scenario: benchmark replication, Walras residual, homogeneity, Jacobian.
    #[command(
        after_help = "MODEL_OR_SCENARIO is a scenario file (with a [model] table) or a model file
(a cge-core ModelSpec in .toml or .json). For a scenario, every counterfactual's shocks are
also checked against the model's names. Each check names its worst items.

Examples:
  cge check examples/scenarios/tariff_war.toml
  cge check my_model.json"
    )]
    Check {
        /// A scenario file or a model file.
        #[arg(value_name = "MODEL_OR_SCENARIO")]
        path: PathBuf,
    },
    /// Reproduce the published estimates (the table of `cargo run --example reproduce`).
    #[command(after_help = "Examples:
  cge reproduce
  cge reproduce --json > figures.json
  cp data/literature_parameters.csv mine.csv   # edit a value, then:
  cge reproduce --literature mine.csv")]
    Reproduce {
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
        /// Read the literature parameters from FILE (an edited copy of
        /// data/literature_parameters.csv) instead of the shipped table.
        #[arg(long, value_name = "FILE")]
        literature: Option<PathBuf>,
    },
    /// Run a scenario at evenly spaced values of one of its numbers, in parallel.
    #[command(
        after_help = "NAME is the dotted path of a number in the scenario file: a key, a list index
(0-based) or, in a list of tables, an element's `name`.

Examples:
  cge sweep examples/scenarios/tariff_war.toml --param counterfactual.tariff_war.shock.0.rate --from 0 --to 0.5 --steps 11 --out sweep.csv
  cge sweep examples/scenarios/small_open_economy.toml --param counterfactual.px_up_150.shock.0.multiplier --from 1 --to 4 --steps 13 --only px_up_150 --out sweep.csv
  cge sweep examples/scenarios/world_trade_liberalization.toml --param model.parameters.sigma_armington --from 2 --to 8 --steps 7 --out sigma.json
  cge plot sweep.csv --out sweep.svg"
    )]
    Sweep {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Dotted path of the number to vary.
        #[arg(long, value_name = "NAME")]
        param: String,
        /// First value.
        #[arg(long, value_name = "A", allow_negative_numbers = true)]
        from: f64,
        /// Last value.
        #[arg(long, value_name = "B", allow_negative_numbers = true)]
        to: f64,
        /// Number of values (both ends included).
        #[arg(long, value_name = "N")]
        steps: usize,
        /// Write the tidy results (with parameter and parameter_value columns) to FILE.csv or
        /// FILE.json.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Run only the named counterfactual(s).
        #[arg(long, value_name = "NAME")]
        only: Vec<String>,
    },
    /// Balance a social accounting matrix whose receipts and payments differ, and report the
    /// adjustments.
    #[command(
        after_help = "SAM is a square CSV file: a header with an empty first cell and the account names,
then one line per account with the payments it receives from each column's account.
Rows and columns are scaled (RAS; GRAS for negative cells) until every account's receipts
equal its payments; prints each account's totals before and after and the largest cell
changes. Exit status 1 if the SAM cannot be balanced.

Examples:
  cge balance data/hosoe_sam.csv
  cge balance my_sam.csv --total GOV=30 --fix GOV:HOH --out balanced.csv"
    )]
    Balance {
        /// The SAM (CSV).
        sam: PathBuf,
        /// Write the balanced SAM to FILE.csv.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Hold an account's balanced total at VALUE (repeatable).
        #[arg(long, value_name = "ACCOUNT=VALUE")]
        total: Vec<String>,
        /// Hold a cell at its value, ROW receiving from COL (repeatable).
        #[arg(long, value_name = "ROW:COL")]
        fix: Vec<String>,
        /// How many of the largest cell changes to print.
        #[arg(long, value_name = "N", default_value_t = 10)]
        cells: usize,
    },
    /// Chart results: welfare bars by consumer and scenario, or lines for a sweep.
    #[command(
        after_help = "RESULTS is a .csv or .json file written by `cge run --out` or `cge sweep --out`.

Examples:
  cge run examples/scenarios/tariff_war.toml --out war.csv && cge plot war.csv --out war.svg
  cge plot sweep.csv --out sweep.svg --title \"Welfare and the tariff rate\""
    )]
    Plot {
        /// The results file.
        results: PathBuf,
        /// The SVG file to write.
        #[arg(long, value_name = "FILE.svg")]
        out: PathBuf,
        /// The chart's title.
        #[arg(long)]
        title: Option<String>,
    },
}

/// A command's failure: the message, and whether it is a failed check (printed already).
enum Failure {
    Error(Error),
    ChecksFailed,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Error(e)
    }
}

fn main() -> ExitCode {
    // A bug must not print a backtrace at the user: one line, and a non-zero exit.
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "error: internal error in cge ({info}); please report it with the input that caused it"
        );
    }));
    let cli = Cli::parse();
    let result = std::panic::catch_unwind(|| match cli.command {
        Command::Run {
            scenario,
            out,
            only,
            continuation,
        } => run(&scenario, out.as_deref(), &only, continuation),
        Command::Check { path } => check(&path),
        Command::Reproduce { json, literature } => reproduce_cmd(json, literature.as_deref()),
        Command::Sweep {
            scenario,
            param,
            from,
            to,
            steps,
            out,
            only,
        } => sweep_cmd(&scenario, &param, from, to, steps, out.as_deref(), &only),
        Command::Plot {
            results,
            out,
            title,
        } => plot_cmd(&results, &out, title.as_deref()),
        Command::Balance {
            sam,
            out,
            total,
            fix,
            cells,
        } => balance_cmd(&sam, out.as_deref(), &total, &fix, cells),
    });
    match result {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(Failure::Error(e))) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Ok(Err(Failure::ChecksFailed)) | Err(_) => ExitCode::from(1),
    }
}

fn run(
    path: &Path,
    out: Option<&Path>,
    only: &[String],
    continuation: bool,
) -> Result<(), Failure> {
    let mut scenario = Scenario::from_path(path)?;
    if continuation {
        scenario.solver.continuation = true;
    }
    for name in only {
        if !scenario.counterfactuals.iter().any(|c| &c.name == name) {
            let names: Vec<&str> = scenario
                .counterfactuals
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            return Err(Error::Invalid {
                context: format!("--only {name}"),
                message: format!(
                    "no counterfactual `{name}` in {}{}; the counterfactuals are {}",
                    path.display(),
                    suggestion(&cge::closest(name, names.iter().copied())),
                    names.join(", ")
                ),
            }
            .into());
        }
    }
    if !only.is_empty() {
        scenario.counterfactuals.retain(|c| only.contains(&c.name));
    }
    if scenario.counterfactuals.is_empty() {
        return Err(Error::Invalid {
            context: path.display().to_string(),
            message: "the scenario has no [[counterfactual]]: nothing to run (use `cge check` to check the model)".into(),
        }
        .into());
    }
    let study = Study::new(scenario)?;
    // Every shock is checked before anything is solved, so a typo fails fast.
    for cf in &study.scenario().counterfactuals {
        study.validate(cf)?;
    }
    let mut outcomes = Vec::new();
    for cf in &study.scenario().counterfactuals {
        outcomes.push(study.run(cf)?);
    }
    let settings = &study.scenario().report;
    print!(
        "{}",
        report::render_table(
            &study.scenario().title,
            &study.describe_model(),
            &outcomes,
            settings
        )
    );
    if let Some(out) = out {
        let rows: Vec<Row> = outcomes
            .iter()
            .flat_map(|o| report::rows(o, settings))
            .collect();
        report::write_rows(out, &rows)?;
        println!("\nWrote {} rows to {}", rows.len(), out.display());
    }
    Ok(())
}

fn suggestion(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(" (did you mean `{}`?)", s.join("` or `"))
    }
}

/// Whether a TOML file is a scenario (it has a `[model]` table) rather than a model spec.
fn is_scenario(path: &Path) -> Result<bool, Error> {
    if path.extension().and_then(|e| e.to_str()) != Some("toml") {
        return Ok(false);
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        action: "read",
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    Ok(match toml::from_str::<toml::Table>(&text) {
        Ok(t) => t.get("model").is_some_and(toml::Value::is_table),
        // Malformed: let the scenario reader report the position if it looks like one.
        Err(_) => text.contains("[model]") || text.contains("[[counterfactual]]"),
    })
}

fn check(path: &Path) -> Result<(), Failure> {
    let (model, name, shocks) = if is_scenario(path)? {
        let study = Study::new(Scenario::from_path(path)?)?;
        let mut shock_report = Vec::new();
        for cf in &study.scenario().counterfactuals {
            shock_report.push(match study.validate(cf) {
                Ok(()) => format!(
                    "  counterfactual `{}`: {} shocks, every name found",
                    cf.name,
                    cf.shocks.len()
                ),
                Err(e) => format!(
                    "  counterfactual `{}`: FAIL\n{}",
                    cf.name,
                    indent(&e.to_string())
                ),
            });
        }
        (
            study.model().clone(),
            study.model_spec().name.clone(),
            Some(shock_report),
        )
    } else {
        let spec = ModelSpec::from_path(path).map_err(Error::from)?;
        let model = spec.build().map_err(Error::from)?;
        (model, spec.name, None)
    };
    let results = checks::check_model(&model);
    print!("{}", checks::render(&name, &results));
    let mut failed = results.iter().any(|c| !c.passed);
    if let Some(lines) = shocks {
        println!("Shocks:");
        for l in &lines {
            println!("{l}");
        }
        failed |= lines.iter().any(|l| l.contains("FAIL"));
    }
    if failed {
        eprintln!("error: {} failed its checks", path.display());
        Err(Failure::ChecksFailed)
    } else {
        Ok(())
    }
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn reproduce_cmd(json: bool, literature: Option<&Path>) -> Result<(), Failure> {
    let run = reproductions::run_literature(literature).map_err(Error::from)?;
    if json {
        let text = serde_json::to_string_pretty(&run.figures).map_err(|e| Error::Invalid {
            context: "json".into(),
            message: e.to_string(),
        })?;
        println!("{text}");
    } else {
        print!("{}", reproductions::render_console(&run));
    }
    Ok(())
}

fn balance_cmd(
    path: &Path,
    out: Option<&Path>,
    totals: &[String],
    fixed: &[String],
    cells: usize,
) -> Result<(), Failure> {
    let split = |arg: &str, sep: char, what: &str| {
        arg.split_once(sep)
            .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
            .ok_or_else(|| Error::Invalid {
                context: format!("--{what} `{arg}`"),
                message: format!(
                    "expected {}",
                    if sep == '=' {
                        "ACCOUNT=VALUE"
                    } else {
                        "ROW:COL"
                    }
                ),
            })
    };
    let mut options = balance::BalanceOptions::default();
    for arg in totals {
        let (account, value) = split(arg, '=', "total")?;
        let value: f64 = value.parse().map_err(|_| Error::Invalid {
            context: format!("--total `{arg}`"),
            message: format!("cannot read `{value}` as a number"),
        })?;
        options.totals.push((account, value));
    }
    for arg in fixed {
        options.fixed.push(split(arg, ':', "fix")?);
    }
    let sam = cge::calibrate::sam::read_sam_csv(path).map_err(Error::from)?;
    let (balanced, report) = balance::balance(&sam, &options).map_err(Error::from)?;
    print!("{}", report.render(cells));
    if let Some(out) = out {
        fsutil::write_atomic(out, cge::calibrate::sam::sam_to_csv(&balanced).as_bytes())?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

fn sweep_cmd(
    path: &Path,
    param: &str,
    from: f64,
    to: f64,
    steps: usize,
    out: Option<&Path>,
    only: &[String],
) -> Result<(), Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        action: "read",
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    // The unmodified scenario must be valid first: its errors have positions in the file.
    let scenario = Scenario::parse(&text, &path.display().to_string())?;
    for name in only {
        if !scenario.counterfactuals.iter().any(|c| &c.name == name) {
            let names: Vec<&str> = scenario
                .counterfactuals
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            return Err(Error::Invalid {
                context: format!("--only {name}"),
                message: format!(
                    "no counterfactual `{name}`{}; the counterfactuals are {}",
                    suggestion(&cge::closest(name, names.iter().copied())),
                    names.join(", ")
                ),
            }
            .into());
        }
    }
    let values = sweep::grid(from, to, steps)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let tty = std::io::stderr().is_terminal();
    let lock = Mutex::new(());
    let progress = |done: usize, total: usize| {
        let _guard = lock.lock();
        let width = 30;
        let filled = width * done / total.max(1);
        let bar = format!(
            "[{}{}] {done}/{total} points",
            "#".repeat(filled),
            ".".repeat(width - filled)
        );
        let mut e = std::io::stderr();
        if tty {
            let _ = write!(e, "\r{bar}");
            if done == total {
                let _ = writeln!(e);
            }
        } else if done == total {
            let _ = writeln!(e, "{bar}");
        }
    };
    let points = sweep::run(
        &text,
        &path.display().to_string(),
        base,
        param,
        &values,
        only,
        &progress,
    )?;
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for (v, r) in points {
        match r {
            Ok(mut rs) => rows.append(&mut rs),
            Err(e) => failures.push(format!("{param} = {v}: {e}")),
        }
    }
    print!("{}", sweep_table(param, &rows));
    for f in &failures {
        eprintln!("warning: {f}");
    }
    if let Some(out) = out {
        report::write_rows(out, &rows)?;
        println!("\nWrote {} rows to {}", rows.len(), out.display());
    }
    if rows.is_empty() {
        return Err(Error::Invalid {
            context: "sweep".into(),
            message: "no point of the sweep solved".into(),
        }
        .into());
    }
    Ok(())
}

/// The sweep's welfare table: one row per value, one column per scenario and consumer.
fn sweep_table(param: &str, rows: &[Row]) -> String {
    let ev: Vec<&Row> = rows.iter().filter(|r| r.variable == "ev").collect();
    let mut cols: Vec<(String, String)> = Vec::new();
    let mut values: Vec<f64> = Vec::new();
    for r in &ev {
        let c = (r.scenario.clone(), r.index.clone());
        if !cols.contains(&c) {
            cols.push(c);
        }
        let v = r.parameter_value.unwrap_or(f64::NAN);
        if !values.iter().any(|x| x.to_bits() == v.to_bits()) {
            values.push(v);
        }
    }
    values.sort_by(f64::total_cmp);
    let unit = ev.first().map_or("money", |r| r.unit.as_str());
    let mut header = vec![param.to_string()];
    header.extend(cols.iter().map(|(s, c)| format!("{s}: {c}")));
    let mut body = Vec::new();
    for v in &values {
        let mut line = vec![format!("{v:.4}")];
        for (s, c) in &cols {
            let cell = ev
                .iter()
                .find(|r| {
                    r.parameter_value.map(f64::to_bits) == Some(v.to_bits())
                        && &r.scenario == s
                        && &r.index == c
                })
                .map_or("failed".to_string(), |r| format!("{:+.3}", r.value));
            line.push(cell);
        }
        body.push(line);
    }
    let mut width = vec![0; header.len()];
    for row in std::iter::once(&header).chain(&body) {
        for (i, c) in row.iter().enumerate() {
            width[i] = width[i].max(c.len());
        }
    }
    let mut s = format!("Welfare (equivalent variation) [{unit}] by value of {param}\n");
    for row in std::iter::once(&header).chain(&body) {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:>w$}", w = width[i]))
            .collect();
        s.push_str("  ");
        s.push_str(&cells.join("  "));
        s.push('\n');
    }
    s
}

fn plot_cmd(results: &Path, out: &Path, title: Option<&str>) -> Result<(), Failure> {
    if out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
        != Some("svg")
    {
        return Err(Error::Invalid {
            context: format!("--out {}", out.display()),
            message: "expected a file ending in .svg".into(),
        }
        .into());
    }
    let rows = report::read_rows(results)?;
    let default_title = if rows.iter().any(|r| r.parameter.is_some()) {
        "Welfare along the sweep".to_string()
    } else {
        "Welfare by consumer and scenario".to_string()
    };
    let svg = plot::chart(&rows, title.unwrap_or(&default_title))?;
    fsutil::write_atomic(out, svg.as_bytes())?;
    println!("Wrote {}", out.display());
    Ok(())
}
