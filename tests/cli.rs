//! End-to-end tests of the `cge` command: every subcommand, bad input, golden reports, and the
//! SVG charts parsed as XML. `CGE_BLESS=1 cargo test -p cge --test cli` rewrites the golden
//! files after an intended change of the report.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cge"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the cge binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cge-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// Fails unless the command failed cleanly: exit code 1, an `error:` line, no panic.
fn assert_clean_failure(o: &Output) -> String {
    let err = stderr(o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "stdout: {}\nstderr: {err}",
        stdout(o)
    );
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    err
}

fn golden(name: &str, actual: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("CGE_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}; run with CGE_BLESS=1", path.display()));
    assert_eq!(
        actual,
        expected,
        "report differs from {}; CGE_BLESS=1 to accept",
        path.display()
    );
}

const TWO_BY_TWO: &str = r#"
title = "test"
[model]
family = "hos.two_by_two_by_two"
[model.parameters]
endowments = [[120.0, 80.0], [80.0, 120.0]]
cost_shares = [[0.7, 0.3], [0.3, 0.7]]

[[counterfactual]]
name = "t"
shock = [{ type = "tariff", importer = "H", good = "Y", rate = 0.2 }]
"#;

// ---------------------------------------------------------------------------------------------
// cge run
// ---------------------------------------------------------------------------------------------

#[test]
fn run_prints_the_golden_reports() {
    for name in ["tariff_war", "small_open_economy", "migration_quota"] {
        let o = cge(&["run", &format!("examples/scenarios/{name}.toml")]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        golden(&format!("{name}.txt"), &stdout(&o));
    }
    // The calibrated world model follows its data and parameters, which move: check the
    // report's shape, not its digits.
    let o = cge(&["run", "examples/scenarios/world_trade_liberalization.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for part in [
        "free_trade [%]",
        "Welfare: equivalent variation [US$ bn a year, 2001 prices]",
        "developing_residents",
        "halved: converged",
    ] {
        assert!(out.contains(part), "{part}: {out}");
    }
}

#[test]
fn world_scenarios_set_the_optional_export_transformation() {
    let dir = scratch("world-cet");
    let text =
        std::fs::read_to_string("examples/scenarios/world_trade_liberalization.toml").unwrap();
    let split = text.replace(
        "sigma_armington = 4.0 ",
        "export_transformation = 4.0\nsigma_armington = 4.0 ",
    );
    assert_ne!(split, text);
    let file = write(&dir, "split.toml", &split);
    // The tariffs are found on the export goods: a tax on a missing input would be an error.
    let o = cge(&["run", &file]);
    assert!(o.status.success(), "{}", stderr(&o));
    let one_good = stdout(&cge(&[
        "run",
        "examples/scenarios/world_trade_liberalization.toml",
    ]));
    let two_goods = stdout(&o);
    assert!(two_goods.contains("free_trade [%]"), "{two_goods}");
    // The frontier takes effect: the welfare changes with it.
    assert_ne!(welfare_rows(&one_good), welfare_rows(&two_goods));
    // A misspelt optional parameter is still an unknown one.
    let file = write(
        &dir,
        "split.toml",
        &split.replace("export_transformation", "export_transform"),
    );
    let o = cge(&["run", &file]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("unknown parameter `export_transform`"),
        "{}",
        stderr(&o)
    );
}

/// The lines of a `cge run` report from its welfare table on.
fn welfare_rows(report: &str) -> Vec<&str> {
    report
        .lines()
        .skip_while(|l| !l.starts_with("Welfare"))
        .collect()
}

#[test]
fn run_writes_tidy_csv_and_json() {
    let dir = scratch("run-out");
    let csv = dir.join("war.csv");
    let o = cge(&[
        "run",
        "examples/scenarios/tariff_war.toml",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("scenario,variable,index,value,benchmark,pct_change,unit")
    );
    let ev: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("tariff_war,ev,"))
        .collect();
    assert_eq!(ev.len(), 2, "{text}");
    // Idle routes have no % change: an empty field, not NaN.
    assert!(
        text.contains("home_tariff,activity,X.F>H,0,0,,level"),
        "{text}"
    );
    let json = dir.join("war.json");
    let o = cge(&[
        "run",
        "examples/scenarios/tariff_war.toml",
        "--out",
        json.to_str().unwrap(),
        "--only",
        "home_tariff",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(rows.iter().all(|r| r["scenario"] == "home_tariff"));
    let ph = rows
        .iter()
        .find(|r| r["variable"] == "price" && r["index"] == "PY.H")
        .unwrap();
    assert!(ph["pct_change"].as_f64().unwrap() > 0.0);
    // No temporary file is left beside the output.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
}

#[test]
fn run_rejects_malformed_toml_with_a_position() {
    let dir = scratch("malformed");
    let f = write(
        &dir,
        "bad.toml",
        &TWO_BY_TWO.replace("rate = 0.2 }", "rate = 0.2 "),
    );
    let err = assert_clean_failure(&cge(&["run", &f]));
    assert!(err.contains("bad.toml:11:"), "{err}");
    let f = write(
        &dir,
        "type.toml",
        &TWO_BY_TWO.replace("rate = 0.2", "rate = \"high\""),
    );
    let err = assert_clean_failure(&cge(&["run", &f]));
    assert!(
        err.contains("type.toml:11:64: expected a number, found string \"high\""),
        "{err}"
    );
    assert!(
        err.contains("11 | shock = "),
        "the offending line is shown: {err}"
    );
}

#[test]
fn run_suggests_names() {
    let dir = scratch("names");
    let cases = [
        (
            TWO_BY_TWO.replace("importer = \"H\"", "importer = \"HH\""),
            "unknown importer `HH` (did you mean `H`",
        ),
        (
            TWO_BY_TWO.replace("type = \"tariff\"", "type = \"tarif\""),
            "unknown shock type `tarif` (did you mean `tariff`?)",
        ),
        (
            TWO_BY_TWO.replace("hos.two_by_two_by_two", "hos.2x2x2"),
            "unknown family `hos.2x2x2`",
        ),
        (
            TWO_BY_TWO.replace("cost_shares", "cost_share"),
            "unknown field `cost_share`",
        ),
        (
            TWO_BY_TWO.replace(
                "{ type = \"tariff\", importer = \"H\", good = \"Y\", rate = 0.2 }",
                "{ type = \"input_tax\", sector = \"X.HH\", commodity = \"PL.H\", rate = 0.2 }",
            ),
            "did you mean `X.H`",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let f = write(&dir, &format!("n{i}.toml"), text);
        let err = assert_clean_failure(&cge(&["run", &f]));
        assert!(err.contains(expected), "case {i}: {err}");
        assert!(
            err.contains(&format!("n{i}.toml:")),
            "case {i} has a position: {err}"
        );
    }
}

#[test]
fn run_rejects_negative_endowments() {
    let dir = scratch("negative");
    let f = write(
        &dir,
        "neg.toml",
        &TWO_BY_TWO.replace("[[120.0, 80.0]", "[[-120.0, 80.0]"),
    );
    let err = assert_clean_failure(&cge(&["run", &f]));
    assert!(err.contains("neg.toml:5:") && err.contains("-120"), "{err}");
    let f = write(
        &dir,
        "negshock.toml",
        &TWO_BY_TWO.replace(
            "{ type = \"tariff\", importer = \"H\", good = \"Y\", rate = 0.2 }",
            "{ type = \"factor_endowment\", region = \"H\", factor = \"L\", quantity = -5 }",
        ),
    );
    let err = assert_clean_failure(&cge(&["run", &f]));
    assert!(
        err.contains("negshock.toml:11:") && err.contains("must be finite and >= 0"),
        "{err}"
    );
}

#[test]
fn run_reports_an_infeasible_shock_with_residuals_and_a_hint() {
    let dir = scratch("infeasible");
    let f = write(
        &dir,
        "inf.toml",
        &TWO_BY_TWO.replace(
            "{ type = \"tariff\", importer = \"H\", good = \"Y\", rate = 0.2 }",
            "{ type = \"factor_endowment\", region = \"H\", factor = \"L\", quantity = 0 }",
        ),
    );
    let err = assert_clean_failure(&cge(&["run", &f]));
    assert!(err.contains("counterfactual `t` did not solve"), "{err}");
    assert!(
        err.contains("largest residuals") || err.contains("rejected"),
        "{err}"
    );
    assert!(err.contains("continuation"), "{err}");
    let err = assert_clean_failure(&cge(&["run", &f, "--continuation"]));
    assert!(err.contains("already applied in steps"), "{err}");
}

#[test]
fn usage_errors_exit_with_2() {
    let o = cge(&["run"]);
    assert_eq!(o.status.code(), Some(2));
    let o = cge(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let err = assert_clean_failure(&cge(&["run", "no/such/file.toml"]));
    assert!(err.contains("cannot read `no/such/file.toml`"), "{err}");
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for sub in ["run", "check", "reproduce", "sweep", "plot", "balance"] {
        let o = cge(&[sub, "--help"]);
        assert!(o.status.success(), "{sub}");
        let text = stdout(&o);
        assert!(
            text.contains("Examples:") && text.contains(&format!("cge {sub}")),
            "{sub}: {text}"
        );
    }
    assert!(stdout(&cge(&["--help"])).contains("Examples:"));
}

// ---------------------------------------------------------------------------------------------
// cge check
// ---------------------------------------------------------------------------------------------

#[test]
fn check_passes_the_shipped_scenarios() {
    for name in [
        "tariff_war",
        "small_open_economy",
        "migration_quota",
        "world_trade_liberalization",
    ] {
        let o = cge(&["check", &format!("examples/scenarios/{name}.toml")]);
        let out = stdout(&o);
        assert!(o.status.success(), "{name}: {out}\n{}", stderr(&o));
        for check in [
            "benchmark replication",
            "Walras residual",
            "homogeneity",
            "Jacobian",
        ] {
            assert!(out.contains(check), "{name}: {out}");
        }
        assert!(out.contains("4 of 4 checks passed"), "{out}");
        assert!(out.contains("every name found"), "{out}");
    }
}

#[test]
fn check_names_the_worst_items_of_an_unbalanced_model() {
    let dir = scratch("check");
    let model = r#"
name = "unbalanced"
commodities = [{ name = "X" }, { name = "L" }]
[[sectors]]
name = "S"
outputs = { items = [{ commodity = "X", quantity = 10 }] }
inputs = { elasticity = 1, children = [{ commodity = "L", quantity = 9 }] }
[[consumers]]
name = "HH"
endowments = [{ commodity = "L", quantity = 10 }]
demand = { children = [{ commodity = "X", quantity = 10 }] }
"#;
    let f = write(&dir, "m.toml", model);
    let o = cge(&["check", &f]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("benchmark replication  FAIL"), "{out}");
    assert!(
        out.contains("zero profit `S`") && out.contains("market clearance `L`"),
        "{out}"
    );
    // A balanced model file passes.
    let f = write(
        &dir,
        "ok.toml",
        &model.replace("quantity = 9", "quantity = 10"),
    );
    let o = cge(&["check", &f]);
    assert!(o.status.success(), "{}", stdout(&o));
    // A scenario on a model file, found relative to the scenario.
    let f = write(
        &dir,
        "on_file.toml",
        "[model]\nfile = \"ok.toml\"\n[[counterfactual]]\nname = \"more\"\nshock = [{ type = \"endowment\", consumer = \"HH\", commodity = \"L\", scale = 1.1 }]\n",
    );
    let o = cge(&["run", &f]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("more EV (%)"), "{}", stdout(&o));
    // A bad shock in a scenario is reported by check, too.
    let f = write(
        &dir,
        "s.toml",
        &TWO_BY_TWO.replace("good = \"Y\"", "good = \"Z\""),
    );
    let o = cge(&["check", &f]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("unknown good `Z`"), "{}", stdout(&o));
}

// ---------------------------------------------------------------------------------------------
// cge sweep and cge plot
// ---------------------------------------------------------------------------------------------

fn svg_series(path: &Path) -> Vec<(String, usize)> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.attribute("class") == Some("series"))
        .map(|n| {
            let marks = n
                .children()
                .filter(|c| matches!(c.attribute("class"), Some("bar" | "point")))
                .count();
            (n.attribute("data-series").unwrap_or("").to_string(), marks)
        })
        .collect()
}

#[test]
fn sweep_writes_results_and_plot_draws_lines() {
    let dir = scratch("sweep");
    let csv = dir.join("sweep.csv");
    let o = cge(&[
        "sweep",
        "examples/scenarios/tariff_war.toml",
        "--param",
        "counterfactual.home_tariff.shock.0.rate",
        "--from",
        "0",
        "--to",
        "0.4",
        "--steps",
        "5",
        "--only",
        "home_tariff",
        "--only",
        "tariff_war",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("5/5 points"),
        "progress: {}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("home_tariff: H"), "{}", stdout(&o));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("parameter,parameter_value,scenario,"),
        "{text}"
    );
    let values: std::collections::BTreeSet<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(values.len(), 5, "{values:?}");
    let svg = dir.join("sweep.svg");
    let o = cge(&[
        "plot",
        csv.to_str().unwrap(),
        "--out",
        svg.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let series = svg_series(&svg);
    // Two counterfactuals × two consumers, five points each.
    assert_eq!(series.len(), 4, "{series:?}");
    assert!(
        series.iter().any(|(n, _)| n == "home_tariff / H"),
        "{series:?}"
    );
    assert!(series.iter().all(|(_, points)| *points == 5), "{series:?}");
}

#[test]
fn sweep_rejects_unknown_parameters() {
    let err = assert_clean_failure(&cge(&[
        "sweep",
        "examples/scenarios/tariff_war.toml",
        "--param",
        "model.parameters.demand_elasticty",
        "--from",
        "0.5",
        "--to",
        "2",
        "--steps",
        "3",
    ]));
    assert!(err.contains("did you mean `demand_elasticity`"), "{err}");
}

#[test]
fn plot_draws_welfare_bars_by_scenario() {
    let dir = scratch("plot");
    let csv = dir.join("quota.csv");
    let o = cge(&[
        "run",
        "examples/scenarios/migration_quota.toml",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = dir.join("quota.svg");
    let o = cge(&[
        "plot",
        csv.to_str().unwrap(),
        "--out",
        svg.to_str().unwrap(),
        "--title",
        "Quotas & welfare",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let series = svg_series(&svg);
    let names: Vec<&str> = series.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["quota_1pct", "quota_3pct", "quota_3pct_remit"]);
    // One bar per group (the four consumers) in each series.
    assert!(series.iter().all(|(_, bars)| *bars == 4), "{series:?}");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("Quotas &amp; welfare"));
    // Bad inputs: not an svg, not a results file.
    assert_clean_failure(&cge(&[
        "plot",
        csv.to_str().unwrap(),
        "--out",
        dir.join("x.png").to_str().unwrap(),
    ]));
    let bad = write(&dir, "bad.csv", "a,b\n1,2\n");
    let err = assert_clean_failure(&cge(&["plot", &bad, "--out", svg.to_str().unwrap()]));
    assert!(err.contains("bad.csv:1:1: expected the header"), "{err}");
    // The failed plot left the earlier chart intact.
    assert!(roxmltree::Document::parse(&std::fs::read_to_string(&svg).unwrap()).is_ok());
}

// ---------------------------------------------------------------------------------------------
// cge reproduce
// ---------------------------------------------------------------------------------------------

#[test]
fn reproduce_prints_the_figures() {
    let o = cge(&["reproduce", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let figures: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let ids: Vec<&str> = figures
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"gep2006.world") && ids.contains(&"amvdm.world"),
        "{ids:?}"
    );
    // An edited literature table reruns everything with the new assumption: aid spent like
    // the residents' own income, mostly on their own goods, a larger terms-of-trade gain.
    let aid = |figures: &serde_json::Value| {
        figures
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "aid.recipients")
            .and_then(|f| f["computed"].as_f64())
            .unwrap()
    };
    let shipped = std::fs::read_to_string(root().join("data/literature_parameters.csv")).unwrap();
    let edited = shipped.replace(
        "world,aid_import_share,,0.75,",
        "world,aid_import_share,,0,",
    );
    assert_ne!(edited, shipped);
    let dir = scratch("literature");
    let path = write(&dir, "mine.csv", &edited);
    let o = cge(&["reproduce", "--json", "--literature", &path]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        aid(&again) > aid(&figures) + 5.0,
        "{} {}",
        aid(&again),
        aid(&figures)
    );
    // A table with a misspelt parameter is an error naming it.
    let typo = write(
        &dir,
        "typo.csv",
        &shipped.replace("world,aid,,70,", "world,aids,,70,"),
    );
    let err = assert_clean_failure(&cge(&["reproduce", "--literature", &typo]));
    assert!(err.contains("world parameter `aid`"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// cge balance
// ---------------------------------------------------------------------------------------------

#[test]
fn balance_reports_the_adjustments_and_writes_a_balanced_sam() {
    let dir = scratch("balance");
    let out = dir.join("balanced.csv");
    let o = cge(&[
        "balance",
        "examples/sam/hosoe_unbalanced.csv",
        "--fix",
        "GOV:HOH",
        "--cells",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("largest imbalance 2.000000e0"), "{text}");
    assert!(text.contains("largest cell changes (3 of 30)"), "{text}");
    let sam = cge::calibrate::sam::read_sam_csv(&out).unwrap();
    sam.check_balance().unwrap();
    let labels = cge::core::families::sam::SamLabels::hosoe(["BRD", "MLK"], ["CAP", "LAB"]);
    let model = cge::core::families::sam::StandardModel::calibrate(&sam, &labels).unwrap();
    model.build().unwrap().check_benchmark().unwrap();
    // The fixed cell is as in the file.
    let (gov, hoh) = (
        sam.account("GOV", "test").unwrap(),
        sam.account("HOH", "test").unwrap(),
    );
    let cell = sam
        .cells
        .iter()
        .find(|c| c.row == gov && c.col == hoh)
        .unwrap();
    assert_eq!(cell.value, 23.0);
}

/// The `cge balance` example of the user guide is what the command prints: every line shown
/// (the guide elides some with `...`) is a line of the output, the first up to the final
/// imbalance, which is round-off.
#[test]
fn balance_output_in_the_user_guide_is_what_the_command_prints() {
    let guide = std::fs::read_to_string(root().join("docs/user-guide.md")).unwrap();
    let command = "$ cge balance examples/sam/hosoe_unbalanced.csv --cells 2 --out balanced.csv";
    let shown: Vec<&str> = guide
        .lines()
        .skip_while(|l| *l != command)
        .skip(1)
        .take_while(|l| !l.starts_with("```"))
        .filter(|l| *l != "...")
        .collect();
    assert!(shown.len() > 3, "the guide's example is missing: {shown:?}");
    // The guide's own command, its output file in a scratch directory.
    let out = scratch("balance-guide").join("balanced.csv");
    let args: Vec<&str> = command
        .trim_start_matches("$ cge ")
        .split_whitespace()
        .map(|a| {
            if a == "balanced.csv" {
                out.to_str().unwrap()
            } else {
                a
            }
        })
        .collect();
    let o = cge(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let printed: Vec<&str> = text.lines().collect();
    let up_to_arrow = |l: &str| l.split("->").next().unwrap_or_default().to_string();
    assert_eq!(up_to_arrow(shown[0]), up_to_arrow(printed[0]), "{text}");
    let after_residual = |l: &str| l.split(';').nth(1).unwrap_or_default().to_string();
    assert_eq!(
        after_residual(shown[0]),
        after_residual(printed[0]),
        "{text}"
    );
    for line in &shown[1..] {
        assert!(
            printed.contains(line),
            "the guide shows `{line}`, the command printed:\n{text}"
        );
    }
}

#[test]
fn balance_rejects_unknown_accounts_and_malformed_options() {
    let sam = "examples/sam/hosoe_unbalanced.csv";
    let err = assert_clean_failure(&cge(&["balance", sam, "--total", "GOVT=35"]));
    assert!(
        err.contains("unknown account `GOVT` (did you mean `GOV`?)"),
        "{err}"
    );
    let err = assert_clean_failure(&cge(&["balance", sam, "--total", "GOV=lots"]));
    assert!(err.contains("cannot read `lots` as a number"), "{err}");
    let err = assert_clean_failure(&cge(&["balance", sam, "--fix", "GOV"]));
    assert!(err.contains("expected ROW:COL"), "{err}");
    let dir = scratch("balance-bad");
    let bad = write(&dir, "bad.csv", ",A,B\nA,,x\nB,1,\n");
    let err = assert_clean_failure(&cge(&["balance", &bad]));
    assert!(err.contains("cannot read `x` as a number"), "{err}");
}
