//! Reports: an aligned table for the terminal (percent changes against the benchmark, welfare
//! with its unit) and tidy long-format results — one row per scenario, variable and index —
//! as CSV or JSON, for plotting and pasting.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::fsutil::write_atomic;
use crate::scenario::ReportSettings;
use crate::study::{pct, Outcome};

/// One value of a tidy results table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The swept parameter's name (sweeps only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// The swept parameter's value (sweeps only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_value: Option<f64>,
    /// The counterfactual.
    pub scenario: String,
    /// `activity`, `price`, `income`, `auxiliary` or `ev` (equivalent variation).
    pub variable: String,
    /// The sector, commodity, consumer or auxiliary.
    pub index: String,
    /// The counterfactual value.
    pub value: f64,
    /// The benchmark value; for `ev`, the benchmark income.
    pub benchmark: f64,
    /// 100 (value − benchmark) / benchmark; for `ev`, EV in % of benchmark income; `None` for
    /// a zero benchmark.
    pub pct_change: Option<f64>,
    /// Unit of `value` and `benchmark`.
    pub unit: String,
}

/// The tidy rows of an outcome, in the order activities, prices, incomes, auxiliaries, EV.
pub fn rows(outcome: &Outcome, settings: &ReportSettings) -> Vec<Row> {
    let mut out = Vec::new();
    let r = &outcome.results;
    let b = &outcome.benchmark;
    let mut push = |variable: &str,
                    index: &str,
                    value: f64,
                    benchmark: f64,
                    pct_change: Option<f64>,
                    unit: &str| {
        out.push(Row {
            parameter: None,
            parameter_value: None,
            scenario: outcome.name.clone(),
            variable: variable.to_string(),
            index: index.to_string(),
            value,
            benchmark,
            pct_change,
            unit: unit.to_string(),
        });
    };
    let sections = [
        (
            settings.activities,
            "activity",
            &r.activities,
            &b.activities,
            "level (benchmark 1)",
        ),
        (
            settings.prices,
            "price",
            &r.prices,
            &b.prices,
            "index (numeraire-relative)",
        ),
        (
            settings.incomes,
            "income",
            &r.incomes,
            &b.incomes,
            outcome.money_unit.as_str(),
        ),
        (
            settings.auxiliaries,
            "auxiliary",
            &r.auxiliaries,
            &b.auxiliaries,
            "value",
        ),
    ];
    for (on, variable, now, base, unit) in sections {
        if !on {
            continue;
        }
        for (k, v) in now {
            let bv = base.get(k).copied().unwrap_or(f64::NAN);
            push(variable, k, *v, bv, pct(*v, bv), unit);
        }
    }
    if settings.welfare {
        for (k, w) in &r.welfare {
            push(
                "ev",
                k,
                w.equivalent_variation,
                w.benchmark_income,
                Some(w.equivalent_variation_percent),
                &outcome.money_unit,
            );
        }
    }
    out
}

fn fmt_pct(p: Option<f64>, decimals: usize) -> String {
    match p {
        Some(p) => {
            let p = if p.abs() < 0.5 * 10f64.powi(-(decimals as i32)) {
                0.0
            } else {
                p
            };
            format!("{p:+.decimals$}")
        }
        None => "n/a".to_string(),
    }
}

fn fmt_num(v: f64, decimals: usize) -> String {
    let v = if v.abs() < 0.5 * 10f64.powi(-(decimals as i32)) {
        0.0
    } else {
        v
    };
    format!("{v:.decimals$}")
}

/// Lays out a table with a left-aligned first column and right-aligned others.
fn layout(header: &[String], body: &[Vec<String>]) -> String {
    let cols = header.len();
    let mut width = vec![0; cols];
    for row in std::iter::once(header).chain(body.iter().map(Vec::as_slice)) {
        for (i, c) in row.iter().enumerate().take(cols) {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let mut s = String::new();
    let line = |row: &[String], s: &mut String| {
        let mut l = String::from("  ");
        for (i, c) in row.iter().enumerate().take(cols) {
            let pad = width[i] - c.chars().count();
            if i == 0 {
                l.push_str(c);
                l.push_str(&" ".repeat(pad));
            } else {
                l.push_str("  ");
                l.push_str(&" ".repeat(pad));
                l.push_str(c);
            }
        }
        s.push_str(l.trim_end());
        s.push('\n');
    };
    line(header, &mut s);
    let rule: Vec<String> = width.iter().map(|w| "-".repeat(*w)).collect();
    line(&rule, &mut s);
    for row in body {
        line(row, &mut s);
    }
    s
}

/// The terminal report: for each kind of variable, the benchmark value and the % change in
/// each counterfactual; then welfare by consumer: EV in money and in % of benchmark income.
pub fn render_table(
    title: &str,
    model: &str,
    outcomes: &[Outcome],
    settings: &ReportSettings,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{title}");
    let _ = writeln!(s, "Model: {model}");
    let Some(first) = outcomes.first() else {
        s.push_str("No counterfactual solved.\n");
        return s;
    };
    let d = settings.decimals;
    let unit = &first.money_unit;
    for o in outcomes {
        if let Some(desc) = &o.description {
            let _ = writeln!(s, "  [{}] {desc}", o.name);
        }
    }
    let names: Vec<String> = outcomes.iter().map(|o| o.name.clone()).collect();
    type Pick = fn(&cge_core::Results) -> &std::collections::BTreeMap<String, f64>;
    let sections: [(bool, &str, String, Pick); 4] = [
        (
            settings.activities,
            "Activity levels",
            "level".to_string(),
            |r| &r.activities,
        ),
        (settings.prices, "Prices", "index".to_string(), |r| {
            &r.prices
        }),
        (settings.incomes, "Incomes", unit.clone(), |r| &r.incomes),
        (
            settings.auxiliaries,
            "Auxiliaries",
            "value".to_string(),
            |r| &r.auxiliaries,
        ),
    ];
    for (on, heading, bunit, pick) in sections {
        let base = pick(&first.benchmark);
        if !on || base.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{heading}: % change from benchmark");
        let mut header = vec![String::new(), format!("benchmark [{bunit}]")];
        header.extend(names.iter().map(|n| format!("{n} [%]")));
        let body: Vec<Vec<String>> = base
            .iter()
            .map(|(k, b)| {
                let mut row = vec![k.clone(), fmt_num(*b, 3.max(d))];
                for o in outcomes {
                    let v = pick(&o.results).get(k).copied().unwrap_or(f64::NAN);
                    // From zero (an idle sector) there is no % change: show the level.
                    row.push(match pct(v, *b) {
                        None if v.abs() >= 0.5 * 10f64.powi(-(d as i32)) => {
                            format!("-> {}", fmt_num(v, d))
                        }
                        p => fmt_pct(p, d),
                    });
                }
                row
            })
            .collect();
        s.push_str(&layout(&header, &body));
    }
    if settings.welfare {
        let _ = writeln!(
            s,
            "\nWelfare: equivalent variation [{unit}] (% of benchmark income)"
        );
        let mut header = vec!["consumer".to_string(), format!("income [{unit}]")];
        header.extend(names.iter().map(|n| format!("{n} EV (%)")));
        let mut body: Vec<Vec<String>> = first
            .benchmark
            .welfare
            .iter()
            .map(|(k, w)| {
                let mut row = vec![k.clone(), fmt_num(w.benchmark_income, d)];
                for o in outcomes {
                    row.push(match o.results.welfare.get(k) {
                        Some(w) => format!(
                            "{} ({})",
                            fmt_pct(Some(w.equivalent_variation), d),
                            fmt_pct(Some(w.equivalent_variation_percent), d)
                        ),
                        None => "n/a".into(),
                    });
                }
                row
            })
            .collect();
        let total_income: f64 = first
            .benchmark
            .welfare
            .values()
            .map(|w| w.benchmark_income)
            .sum();
        let mut total = vec!["total".to_string(), fmt_num(total_income, d)];
        for o in outcomes {
            let ev = o.total_ev();
            total.push(format!(
                "{} ({})",
                fmt_pct(Some(ev), d),
                fmt_pct(pct(total_income + ev, total_income), d)
            ));
        }
        body.push(total);
        s.push_str(&layout(&header, &body));
    }
    let _ = writeln!(s, "\nSolver:");
    for o in outcomes {
        let (iters, residual) = o
            .results
            .diagnostics
            .as_ref()
            .map_or((0, f64::NAN), |d| (d.iterations, d.final_residual()));
        let steps = if o.steps > 1 {
            format!(", {} continuation steps", o.steps)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "  {}: converged in {iters} iterations{steps}; residual {}, Walras residual {}",
            o.name,
            sci(residual),
            sci(o.results.walras_residual)
        );
    }
    s
}

/// Scientific notation that shows anything below 1e-9 as "< 1e-9", so reports do not
/// depend on the last bits of round-off.
fn sci(x: f64) -> String {
    if x.is_nan() {
        "n/a".into()
    } else if x.abs() < 1e-9 {
        "< 1e-9".into()
    } else {
        format!("{x:.1e}")
    }
}

/// CSV header of a results file.
pub const CSV_HEADER: &str = "scenario,variable,index,value,benchmark,pct_change,unit";

/// CSV header of a sweep's results file.
pub const SWEEP_CSV_HEADER: &str =
    "parameter,parameter_value,scenario,variable,index,value,benchmark,pct_change,unit";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_num(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    // 12 significant digits: beyond that the digits are solver round-off.
    let rounded: f64 = format!("{x:.11e}").parse().unwrap_or(x);
    if rounded != 0.0 && (rounded.abs() < 1e-6 || rounded.abs() >= 1e15) {
        format!("{rounded:e}")
    } else {
        rounded.to_string()
    }
}

/// Rows as CSV (with the sweep columns when the rows have a parameter).
pub fn to_csv(rows: &[Row]) -> String {
    let sweep = rows.iter().any(|r| r.parameter.is_some());
    let mut s = String::from(if sweep { SWEEP_CSV_HEADER } else { CSV_HEADER });
    s.push('\n');
    for r in rows {
        if sweep {
            s.push_str(&csv_field(r.parameter.as_deref().unwrap_or("")));
            s.push(',');
            s.push_str(&r.parameter_value.map(csv_num).unwrap_or_default());
            s.push(',');
        }
        let fields = [
            csv_field(&r.scenario),
            csv_field(&r.variable),
            csv_field(&r.index),
            csv_num(r.value),
            csv_num(r.benchmark),
            r.pct_change.map(csv_num).unwrap_or_default(),
            csv_field(&r.unit),
        ];
        s.push_str(&fields.join(","));
        s.push('\n');
    }
    s
}

/// Splits a CSV line into fields (quotes with doubled quotes inside).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

/// Reads rows from a CSV or JSON results file written by [`write_rows`].
///
/// # Errors
/// [`Error::Io`] for an unreadable file; [`Error::Invalid`] naming the line of a malformed row.
pub fn read_rows(path: &Path) -> Result<Vec<Row>, Error> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        action: "read",
        path: shown.clone(),
        message: e.to_string(),
    })?;
    if extension(path).as_deref() == Some("json") {
        return serde_json::from_str(&text).map_err(|e| Error::Scenario {
            file: shown,
            line: e.line(),
            column: e.column(),
            message: format!("expected a JSON array of result rows: {e}"),
            snippet: None,
        });
    }
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, h)| h.trim()).unwrap_or("");
    let sweep = match header {
        CSV_HEADER => false,
        SWEEP_CSV_HEADER => true,
        other => {
            return Err(Error::Scenario {
                file: shown,
                line: 1,
                column: 1,
                message: format!(
                    "expected the header `{CSV_HEADER}` (or a sweep's), found `{other}`"
                ),
                snippet: None,
            })
        }
    };
    let mut rows = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let f = split_csv(line);
        let off = if sweep { 2 } else { 0 };
        let bad = |message: String| Error::Scenario {
            file: shown.clone(),
            line: i + 1,
            column: 1,
            message,
            snippet: None,
        };
        if f.len() != 7 + off {
            return Err(bad(format!(
                "expected {} fields, found {}",
                7 + off,
                f.len()
            )));
        }
        let num = |s: &str, what: &str| -> Result<f64, Error> {
            s.parse::<f64>()
                .map_err(|_| bad(format!("expected a number in `{what}`, found `{s}`")))
        };
        let opt = |s: &str, what: &str| -> Result<Option<f64>, Error> {
            if s.is_empty() {
                Ok(None)
            } else {
                num(s, what).map(Some)
            }
        };
        rows.push(Row {
            parameter: sweep.then(|| f[0].clone()),
            parameter_value: if sweep {
                Some(num(&f[1], "parameter_value")?)
            } else {
                None
            },
            scenario: f[off].clone(),
            variable: f[off + 1].clone(),
            index: f[off + 2].clone(),
            value: opt(&f[off + 3], "value")?.unwrap_or(f64::NAN),
            benchmark: opt(&f[off + 4], "benchmark")?.unwrap_or(f64::NAN),
            pct_change: opt(&f[off + 5], "pct_change")?,
            unit: f[off + 6].clone(),
        });
    }
    Ok(rows)
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Writes rows atomically as `.csv` or `.json` (by the extension).
///
/// # Errors
/// [`Error::Invalid`] for another extension; [`Error::Io`].
pub fn write_rows(path: &Path, rows: &[Row]) -> Result<(), Error> {
    let contents = match extension(path).as_deref() {
        Some("csv") => to_csv(rows),
        Some("json") => {
            let mut j = serde_json::to_string_pretty(rows)
                .map_err(|e| Error::invalid("json", e.to_string()))?;
            j.push('\n');
            j
        }
        _ => {
            return Err(Error::invalid(
                format!("--out {}", path.display()),
                "expected a file ending in .csv or .json",
            ))
        }
    };
    write_atomic(path, contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(v: f64) -> Row {
        Row {
            parameter: None,
            parameter_value: None,
            scenario: "a,b".into(),
            variable: "price".into(),
            index: "PL".into(),
            value: v,
            benchmark: 1.0,
            pct_change: pct(v, 1.0),
            unit: "index".into(),
        }
    }

    #[test]
    fn csv_round_trips() {
        let dir = std::env::temp_dir().join(format!("cge-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("r.csv");
        let rows = vec![row(1.25), row(0.5)];
        write_rows(&p, &rows).unwrap();
        let back = read_rows(&p).unwrap();
        assert_eq!(back, rows);
        let j = dir.join("r.json");
        write_rows(&j, &rows).unwrap();
        assert_eq!(read_rows(&j).unwrap(), rows);
        assert!(write_rows(&dir.join("r.txt"), &rows).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tables_align_and_mark_missing_changes() {
        let t = layout(
            &["".into(), "b".into()],
            &[
                vec!["long name".into(), "1.0".into()],
                vec!["x".into(), "n/a".into()],
            ],
        );
        assert_eq!(
            t,
            "               b\n  ---------  ---\n  long name  1.0\n  x          n/a\n"
        );
        assert_eq!(fmt_pct(Some(-0.0001), 2), "+0.00");
        assert_eq!(fmt_pct(None, 2), "n/a");
    }
}
