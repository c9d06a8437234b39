//! Model checks before any counterfactual: benchmark replication (E20), Walras' law (E18),
//! homogeneity of degree zero in prices and incomes, and the analytic Jacobian against central
//! finite differences. Each names its worst items.

use std::collections::HashMap;
use std::fmt::Write as _;

use cge_core::tolerances::{BENCHMARK_RELATIVE, FD_AGREEMENT, FD_STEP, WALRAS_RELATIVE};
use cge_core::Model;
use cge_solver::Problem;

use crate::study::{equation_name, worst_equations};

/// Relative tolerance of the homogeneity check: F(λp, λM) against λ^k F(p, M).
pub const HOMOGENEITY_RELATIVE: f64 = 1e-9;

/// One check: passed or not, its worst value against its tolerance, and the worst items.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What is checked.
    pub name: &'static str,
    /// Whether it passed.
    pub passed: bool,
    /// The worst value found.
    pub value: f64,
    /// The tolerance.
    pub tolerance: f64,
    /// The worst items with their values, worst first.
    pub worst: Vec<(String, f64)>,
    /// A note (what was measured).
    pub note: String,
}

/// Runs every check on a model at its benchmark.
pub fn check_model(model: &Model) -> Vec<Check> {
    let x = model.benchmark_point();
    vec![
        replication(model, &x),
        walras(model, &x),
        homogeneity(model, &x),
        jacobian(model, &x),
    ]
}

fn replication(model: &Model, x: &[f64]) -> Check {
    let tolerance = BENCHMARK_RELATIVE * model.scale();
    let (passed, worst) = match model.check_benchmark() {
        Ok(()) => (true, worst_equations(model, x, 3)),
        Err(cge_core::CoreError::Unbalanced { items, .. }) => {
            let mut items: Vec<(String, f64)> = items
                .into_iter()
                .map(|i| (format!("{} `{}`", i.condition, i.name), i.amount))
                .collect();
            items.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
            items.truncate(5);
            (false, items)
        }
        Err(e) => (false, vec![(e.to_string(), f64::NAN)]),
    };
    Check {
        name: "benchmark replication",
        passed,
        value: worst.first().map_or(0.0, |w| w.1.abs()),
        tolerance,
        worst,
        note: "every zero-profit, market-clearance and income-balance condition at the benchmark point".into(),
    }
}

fn walras(model: &Model, x: &[f64]) -> Check {
    let tolerance = WALRAS_RELATIVE * model.scale();
    let (value, note) = match model.results_at(x) {
        Ok(r) => (
            r.walras_residual.abs(),
            format!(
                "the numeraire's dropped equation ({}) at the benchmark",
                equation_name(model, model.numeraire_index())
            ),
        ),
        Err(e) => (f64::NAN, e.to_string()),
    };
    Check {
        name: "Walras residual",
        passed: value <= tolerance,
        value,
        tolerance,
        worst: Vec::new(),
        note,
    }
}

/// A deterministic point near the benchmark: every unknown moved by up to ±10 %.
fn perturbed(model: &Model, x: &[f64]) -> Vec<f64> {
    let n =
        model.sector_names().len() + model.commodity_names().len() + model.consumer_names().len();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    x.iter()
        .enumerate()
        .map(|(i, v)| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            if i < n && *v > 0.0 {
                v * (0.9 + 0.2 * u)
            } else {
                *v
            }
        })
        .collect()
}

fn homogeneity(model: &Model, x: &[f64]) -> Check {
    let (ns, nc, nh) = (
        model.sector_names().len(),
        model.commodity_names().len(),
        model.consumer_names().len(),
    );
    let lambda = 2.0;
    let x0 = perturbed(model, x);
    let mut x1 = x0.clone();
    for v in &mut x1[ns..ns + nc + nh] {
        *v *= lambda;
    }
    let tolerance = HOMOGENEITY_RELATIVE;
    let mut f0 = vec![0.0; model.dim()];
    let mut f1 = vec![0.0; model.dim()];
    if let (Err(e), _) | (_, Err(e)) = (model.residual(&x0, &mut f0), model.residual(&x1, &mut f1))
    {
        return Check {
            name: "homogeneity",
            passed: false,
            value: f64::NAN,
            tolerance,
            worst: Vec::new(),
            note: format!("the model rejected a scaled point: {e}"),
        };
    }
    let num = model.numeraire_index();
    let mut worst: Vec<(String, f64)> = (0..ns + nc + nh)
        .filter(|&i| i != num)
        .map(|i| {
            // Zero profit and income balance are of degree 1 in (p, M); market clearance of
            // degree 0.
            let k = if (ns..ns + nc).contains(&i) {
                1.0
            } else {
                lambda
            };
            let err = (f1[i] - k * f0[i]).abs() / (k * model.scale());
            (equation_name(model, i), err)
        })
        .collect();
    worst.sort_by(|a, b| b.1.total_cmp(&a.1));
    worst.truncate(3);
    let value = worst.first().map_or(0.0, |w| w.1);
    Check {
        name: "homogeneity",
        passed: value <= tolerance,
        value,
        tolerance,
        worst,
        note: "F(2p, 2M) against F(p, M) (degree 1 for zero profit and incomes, 0 for markets) near the benchmark, relative to the model's scale".into(),
    }
}

fn jacobian(model: &Model, x: &[f64]) -> Check {
    let tolerance = FD_AGREEMENT;
    let mut worst_all: Vec<(String, f64)> = Vec::new();
    let mut note = String::from(
        "analytic entries against central differences at the benchmark and at a perturbed point",
    );
    for point in [x.to_vec(), perturbed(model, x)] {
        match jacobian_at(model, &point) {
            Ok(w) => worst_all.extend(w),
            Err(e) => {
                let _ = write!(note, "; evaluation failed: {e}");
                worst_all.push(("evaluation".into(), f64::NAN));
            }
        }
    }
    worst_all.sort_by(|a, b| b.1.total_cmp(&a.1));
    worst_all.dedup_by(|a, b| a.0 == b.0);
    worst_all.truncate(3);
    let value = worst_all.first().map_or(0.0, |w| w.1);
    Check {
        name: "Jacobian",
        passed: !value.is_nan() && value <= tolerance,
        value,
        tolerance,
        worst: worst_all,
        note,
    }
}

/// Relative differences |analytic − finite difference| / max(1, |analytic|, |fd|) by entry.
fn jacobian_at(model: &Model, x: &[f64]) -> Result<Vec<(String, f64)>, cge_solver::EvalError> {
    let n = model.dim();
    let pattern = model.jacobian_pattern();
    let mut values = vec![0.0; pattern.len()];
    model.jacobian(x, &mut values)?;
    let mut analytic: HashMap<(usize, usize), f64> = HashMap::new();
    for ((r, c), v) in pattern.rows().iter().zip(pattern.cols()).zip(&values) {
        *analytic.entry((*r, *c)).or_insert(0.0) += v;
    }
    let bounds = model.bounds();
    let (mut fp, mut fm) = (vec![0.0; n], vec![0.0; n]);
    let mut out = Vec::new();
    for j in 0..n {
        let h = FD_STEP * x[j].abs().max(1.0);
        let lower = bounds.as_ref().map_or(f64::NEG_INFINITY, |b| b.lower[j]);
        let mut xp = x.to_vec();
        let mut xm = x.to_vec();
        xp[j] += h;
        // One-sided at a lower bound (an idle activity, a zero price).
        let central = x[j] - h >= lower;
        if central {
            xm[j] -= h;
        }
        model.residual(&xp, &mut fp)?;
        model.residual(&xm, &mut fm)?;
        let denom = if central { 2.0 * h } else { h };
        for i in 0..n {
            let fd = (fp[i] - fm[i]) / denom;
            let a = analytic.get(&(i, j)).copied().unwrap_or(0.0);
            let err = (a - fd).abs() / a.abs().max(fd.abs()).max(1.0);
            // One-sided differences are first-order accurate: allow for it.
            let err = if central { err } else { err * 1e-2 };
            if err > 0.0 {
                out.push((
                    format!(
                        "d {} / d {} (analytic {a:.6e}, finite difference {fd:.6e})",
                        equation_name(model, i),
                        model.describe_unknown(j)
                    ),
                    err,
                ));
            }
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out.truncate(3);
    Ok(out)
}

/// The checks as an aligned text report.
pub fn render(model_name: &str, checks: &[Check]) -> String {
    let mut s = format!("Checks of `{model_name}`\n");
    for c in checks {
        let _ = writeln!(
            s,
            "  {:<22} {:<4}  worst {:.3e} (tolerance {:.1e})",
            c.name,
            if c.passed { "ok" } else { "FAIL" },
            c.value,
            c.tolerance
        );
        let _ = writeln!(s, "      {}", c.note);
        for (item, v) in &c.worst {
            let _ = writeln!(s, "      {v:+.3e}  {item}");
        }
    }
    let failed = checks.iter().filter(|c| !c.passed).count();
    let _ = writeln!(
        s,
        "{} of {} checks passed",
        checks.len() - failed,
        checks.len()
    );
    s
}
