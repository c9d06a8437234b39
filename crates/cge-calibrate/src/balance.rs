//! Balancing a social accounting matrix whose data do not add up, before calibration.
//!
//! Data from different sources rarely give every account equal receipts (its row total) and
//! payments (its column total). [`balance`] finds the balanced SAM closest to the data in the
//! sense of RAS, the generalized Kullback–Leibler divergence Σ z·ln(z/x) − z + x, by scaling
//! each row and each column: cell (i, j) becomes r_i·x_ij·s_j. Cells keep their signs and
//! zeros stay zero. Negative cells (subsidies, stock draw-downs) are
//! handled by the generalized RAS (GRAS) of Junius & Oosterhaven (2003, *Economic Systems
//! Research* 15(1): 87–96), in the corrected form of Lenzen, Wood & Gallego (2007, *Economic
//! Systems Research* 19(4): 461–465): a negative cell becomes x_ij/(r_i·s_j), so that a row
//! scaled up scales its negative entries down. With no negative cells GRAS is RAS.
//!
//! Each account's balanced total is either given ([`BalanceOptions::totals`], e.g. GDP from
//! national accounts) or found by the balancing: the account's row is then scaled by r and
//! its column by 1/r, with r such that they agree (the minimizer of the divergence has this
//! form). The payments must be able to circulate: every account must reach every other
//! through a chain of payments, or the scaling does not converge and the error says so. An
//! account's total cannot be set on its
//! own: in Hosoe's SAM, households receive exactly what the capital and labour accounts pay
//! out, so their totals are tied. Cells that come
//! from firmer data than the rest (tax revenue from public accounts, say) can be held fixed
//! ([`BalanceOptions::fixed`]); the others absorb the imbalance. The [`BalanceReport`] lists
//! every account's totals before and after and every cell's change, largest first.
//!
//! ```
//! use cge_calibrate::balance::{balance, BalanceOptions};
//! use cge_core::families::sam::Sam;
//!
//! # fn main() -> Result<(), cge_calibrate::CalibrateError> {
//! // Households (HOH) receive 100 from firms (FRM) but spend 104 on them: balanced, both
//! // flows are their geometric mean.
//! let mut sam = Sam::new(["FRM", "HOH"]);
//! sam.add("HOH", "FRM", 100.0)?;
//! sam.add("FRM", "HOH", 104.0)?;
//! let (balanced, report) = balance(&sam, &BalanceOptions::default())?;
//! balanced.check_balance()?;
//! assert!((report.accounts[1].balanced - 10_400f64.sqrt()).abs() < 1e-9);
//! # Ok(())
//! # }
//! ```

use cge_core::families::sam::{cell_totals, Sam, SamCell};
use cge_core::Name;
use serde::{Deserialize, Serialize};

use crate::error::CalibrateError;

/// Settings of [`balance`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BalanceOptions {
    /// Balanced totals (receipts = payments) of some accounts, by name. The others' totals
    /// are found by the balancing.
    pub totals: Vec<(String, f64)>,
    /// Cells held at their values in the data, as (receiving row, paying column) names.
    pub fixed: Vec<(String, String)>,
    /// Largest imbalance left, relative to the largest account total.
    pub tolerance: f64,
    /// Most row-and-column scaling sweeps.
    pub max_iterations: usize,
}

impl Default for BalanceOptions {
    fn default() -> Self {
        Self {
            totals: Vec::new(),
            fixed: Vec::new(),
            tolerance: 1e-12,
            max_iterations: 10_000,
        }
    }
}

/// One account's totals before and after balancing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountTotals {
    /// The account.
    pub account: String,
    /// Its receipts (row total) in the data.
    pub receipts: f64,
    /// Its payments (column total) in the data.
    pub payments: f64,
    /// Its receipts and payments after balancing.
    pub balanced: f64,
    /// Whether the balanced total was given ([`BalanceOptions::totals`]).
    pub given: bool,
}

/// One cell's change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellChange {
    /// Receiving account.
    pub row: Name,
    /// Paying account.
    pub col: Name,
    /// The value in the data.
    pub before: f64,
    /// The balanced value.
    pub after: f64,
}

impl CellChange {
    /// (after − before)/|before| (infinite for a cell that was 0: [`balance`] never makes one).
    pub fn relative(&self) -> f64 {
        (self.after - self.before) / self.before.abs()
    }
}

/// What balancing changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalanceReport {
    /// Every account, in the SAM's order.
    pub accounts: Vec<AccountTotals>,
    /// Every nonzero cell, largest relative change first.
    pub cells: Vec<CellChange>,
    /// Largest |receipts − payments| in the data.
    pub imbalance_before: f64,
    /// Largest |receipts − payments| after balancing.
    pub imbalance_after: f64,
    /// Sum of |after − before| over the cells.
    pub total_change: f64,
    /// Scaling sweeps taken.
    pub iterations: usize,
}

impl BalanceReport {
    /// The report as text: the accounts, then the `cells` largest cell changes.
    pub fn render(&self, cells: usize) -> String {
        let mut out = format!(
            "balanced in {} sweeps: largest imbalance {:.6e} -> {:.3e}; cells changed by {:.6e} in all\n",
            self.iterations, self.imbalance_before, self.imbalance_after, self.total_change
        );
        out.push_str(&format!(
            "{:<16} {:>14} {:>14} {:>14}\n",
            "account", "receipts", "payments", "balanced"
        ));
        for a in &self.accounts {
            out.push_str(&format!(
                "{:<16} {:>14.6} {:>14.6} {:>14.6}{}\n",
                a.account,
                a.receipts,
                a.payments,
                a.balanced,
                if a.given { " (given)" } else { "" }
            ));
        }
        let shown = cells.min(self.cells.len());
        if shown > 0 {
            out.push_str(&format!(
                "largest cell changes ({shown} of {}):\n",
                self.cells.len()
            ));
            for c in &self.cells[..shown] {
                out.push_str(&format!(
                    "  {} <- {}: {:.6} -> {:.6} ({:+.3}%)\n",
                    c.row,
                    c.col,
                    c.before,
                    c.after,
                    100.0 * c.relative()
                ));
            }
        }
        out
    }
}

/// The balanced SAM closest to `sam` by (G)RAS (see the module docs), and what changed.
///
/// # Errors
/// - [`CalibrateError::InvalidCell`] for a cell that is not a finite number or lies outside
///   the accounts;
/// - [`CalibrateError::Model`] with [`cge_core::CoreError::UnknownName`] for an account named in the
///   options that the SAM does not have, [`CalibrateError::InvalidParameter`] for a given
///   total that is not finite or a tolerance or iteration limit that is unusable;
/// - [`CalibrateError::Unbalanceable`] when an account cannot reach its total (no free cells
///   in its row or column, or totals whose signs its cells cannot produce), or when the
///   scaling has not converged within [`BalanceOptions::max_iterations`] (naming the account
///   furthest from balance).
pub fn balance(
    sam: &Sam,
    options: &BalanceOptions,
) -> Result<(Sam, BalanceReport), CalibrateError> {
    if !(options.tolerance.is_finite() && options.tolerance > 0.0) {
        return Err(CalibrateError::InvalidParameter {
            name: "tolerance",
            value: options.tolerance,
            expected: "a positive number",
        });
    }
    if options.max_iterations == 0 {
        return Err(CalibrateError::InvalidParameter {
            name: "max_iterations",
            value: 0.0,
            expected: "at least 1",
        });
    }
    let n = sam.accounts.len();
    let cells = merged_cells(sam)?;
    let (receipts, payments) = cell_totals(n, &cells);
    let mut target = vec![0.0; n];
    let mut given = vec![false; n];
    for (name, total) in &options.totals {
        let a = account(sam, name, "given total")?;
        if !total.is_finite() {
            return Err(CalibrateError::InvalidParameter {
                name: "given total",
                value: *total,
                expected: "a finite number",
            });
        }
        if given[a] {
            return Err(CalibrateError::Unbalanceable {
                what: format!("two given totals for account `{name}`"),
            });
        }
        target[a] = *total;
        given[a] = true;
    }
    let mut fixed = vec![false; cells.len()];
    for (row, col) in &options.fixed {
        let (i, j) = (
            account(sam, row, "fixed cell")?,
            account(sam, col, "fixed cell")?,
        );
        match cells.iter().position(|c| c.row == i && c.col == j) {
            Some(k) => fixed[k] = true,
            None => {
                return Err(CalibrateError::Unbalanceable {
                    what: format!("the fixed cell ({row}, {col}) is empty in the data"),
                })
            }
        }
    }
    let scale = target
        .iter()
        .chain(&receipts)
        .chain(&payments)
        .fold(0.0_f64, |m, v| m.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    let tolerance = options.tolerance * scale;
    let (r, s, iterations) =
        scale_rows_and_columns(sam, &cells, &fixed, &target, &given, tolerance, options)?;
    let balanced_value = |k: usize| {
        let c = &cells[k];
        if fixed[k] {
            c.value
        } else {
            scaled(c.value, r[c.row], s[c.col])
        }
    };
    let mut out = Sam::new(sam.accounts.iter().cloned());
    out.cells = (0..cells.len())
        .map(|k| SamCell {
            value: balanced_value(k),
            ..cells[k]
        })
        .collect();
    let (rows_after, cols_after) = cell_totals(n, &out.cells);
    let imbalance = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .fold(0.0_f64, |m, (x, y)| m.max((x - y).abs()))
    };
    let names: Vec<Name> = sam
        .accounts
        .iter()
        .map(|a| Name::from(a.as_str()))
        .collect();
    let changes: Vec<CellChange> = cells
        .iter()
        .zip(&out.cells)
        .map(|(b, a)| CellChange {
            row: names[b.row].clone(),
            col: names[b.col].clone(),
            before: b.value,
            after: a.value,
        })
        .collect();
    let size: Vec<f64> = changes.iter().map(|c| c.relative().abs()).collect();
    let mut order: Vec<usize> = (0..changes.len()).collect();
    order.sort_unstable_by(|&x, &y| size[y].total_cmp(&size[x]).then(x.cmp(&y)));
    let changes: Vec<CellChange> = order.into_iter().map(|k| changes[k].clone()).collect();
    let report = BalanceReport {
        accounts: (0..n)
            .map(|a| AccountTotals {
                account: sam.accounts[a].clone(),
                receipts: receipts[a],
                payments: payments[a],
                balanced: rows_after[a],
                given: given[a],
            })
            .collect(),
        total_change: changes.iter().map(|c| (c.after - c.before).abs()).sum(),
        cells: changes,
        imbalance_before: imbalance(&receipts, &payments),
        imbalance_after: imbalance(&rows_after, &cols_after),
        iterations,
    };
    Ok((out, report))
}

/// The SAM's cells with repeated positions added up and zeros dropped, in (row, col) order.
fn merged_cells(sam: &Sam) -> Result<Vec<SamCell>, CalibrateError> {
    let n = sam.accounts.len();
    let name = |k: usize| {
        sam.accounts
            .get(k)
            .cloned()
            .unwrap_or_else(|| format!("#{k}"))
    };
    if let Some(c) = sam
        .cells
        .iter()
        .find(|c| c.row >= n || c.col >= n || !c.value.is_finite())
    {
        return Err(CalibrateError::InvalidCell {
            row: name(c.row),
            col: name(c.col),
            value: c.value,
        });
    }
    let mut sorted = sam.cells.clone();
    if !sorted.is_sorted_by_key(|c| (c.row, c.col)) {
        // Repeated positions keep their order (the key ends with the position in the list),
        // so that they add up in the order given.
        let mut keyed: Vec<(usize, usize, usize)> = sorted
            .iter()
            .enumerate()
            .map(|(k, c)| (c.row, c.col, k))
            .collect();
        keyed.sort_unstable();
        sorted = keyed.into_iter().map(|(_, _, k)| sam.cells[k]).collect();
    }
    let mut merged: Vec<SamCell> = Vec::with_capacity(sorted.len());
    for c in sorted {
        match merged.last_mut() {
            Some(last) if (last.row, last.col) == (c.row, c.col) => last.value += c.value,
            _ => merged.push(c),
        }
    }
    merged.retain(|c| c.value != 0.0);
    Ok(merged)
}

fn account(sam: &Sam, name: &str, context: &str) -> Result<usize, CalibrateError> {
    Ok(sam.account(name, &format!("SAM balancing: {context}"))?)
}

/// A cell of value `x` under row multiplier `r` and column multiplier `s`: r·x·s when
/// positive, x/(r·s) when negative (GRAS).
fn scaled(x: f64, r: f64, s: f64) -> f64 {
    if x > 0.0 {
        r * x * s
    } else {
        x / (r * s)
    }
}

/// The positive root of a·m² + b·m − c = 0 (a, c ≥ 0), if there is one.
fn positive_root(a: f64, b: f64, c: f64) -> Option<f64> {
    let m = if a > 0.0 {
        let d = (b * b + 4.0 * a * c).sqrt();
        // The two forms of the root avoid cancellation.
        if b >= 0.0 {
            2.0 * c / (b + d)
        } else {
            (d - b) / (2.0 * a)
        }
    } else if b > 0.0 {
        c / b
    } else {
        return None;
    };
    (m.is_finite() && m > 0.0).then_some(m)
}

/// The multiplier m > 0 solving a·m² + b·m − c = 0 for one side of an account, where a and c
/// gather its free cells (none when both are 0: then the side must already hold, b being its
/// gap within `tolerance`, and the multiplier stays as it is: `None`). The error is a note for
/// the message: empty, or that the side has no free cells.
fn multiplier(a: f64, b: f64, c: f64, tolerance: f64) -> Result<Option<f64>, &'static str> {
    if a == 0.0 && c == 0.0 {
        return if b.abs() <= tolerance {
            Ok(None)
        } else {
            Err(" (no free cells)")
        };
    }
    positive_root(a, b, c).map(Some).ok_or("")
}

/// One account's free cells as (other account, value in the data), and its fixed cells'
/// total.
#[derive(Default)]
struct Line {
    free: Vec<(usize, f64)>,
    fixed: f64,
}

/// Sums of a line's free cells: positive cells times the other side's multipliers, negative
/// cells (as magnitudes) over them, leaving out the diagonal cell `skip`.
fn parts(line: &Line, other: &[f64], skip: Option<usize>) -> (f64, f64) {
    let (mut positive, mut negative) = (0.0, 0.0);
    for &(b, v) in &line.free {
        if Some(b) == skip {
            continue;
        }
        if v > 0.0 {
            positive += v * other[b];
        } else {
            negative -= v / other[b];
        }
    }
    (positive, negative)
}

/// Row multipliers r, column multipliers s (cell (i, j) becomes r_i·x·s_j, or x/(r_i·s_j)
/// when negative) and the sweeps taken.
///
/// They minimize the (G)RAS divergence from the data subject to balance: an account without a
/// given total has s = 1/r, its one multiplier chosen so that its row and column agree (the
/// classical balancing of a square matrix by a diagonal similarity); an account with a given
/// total has its row and column scaled to it separately. Each sweep solves every account in turn with the others held (a coordinate
/// method on the dual), until every account is within `tolerance` of balance.
fn scale_rows_and_columns(
    sam: &Sam,
    cells: &[SamCell],
    fixed: &[bool],
    target: &[f64],
    given: &[bool],
    tolerance: f64,
    options: &BalanceOptions,
) -> Result<(Vec<f64>, Vec<f64>, usize), CalibrateError> {
    let n = sam.accounts.len();
    let mut rows: Vec<Line> = (0..n).map(|_| Line::default()).collect();
    let mut cols: Vec<Line> = (0..n).map(|_| Line::default()).collect();
    for (k, c) in cells.iter().enumerate() {
        if fixed[k] {
            rows[c.row].fixed += c.value;
            cols[c.col].fixed += c.value;
        } else {
            rows[c.row].free.push((c.col, c.value));
            cols[c.col].free.push((c.row, c.value));
        }
    }
    let cannot = |a: usize, what: &str| {
        CalibrateError::Unbalanceable {
        what: format!(
            "account `{}`: {what} with the cells it has (receipts {:.6e}, payments {:.6e} in the data)",
            sam.accounts[a],
            rows[a].fixed + rows[a].free.iter().map(|&(_, v)| v).sum::<f64>(),
            cols[a].fixed + cols[a].free.iter().map(|&(_, v)| v).sum::<f64>(),
        ),
    }
    };
    let (mut r, mut s) = (vec![1.0; n], vec![1.0; n]);
    // A given total's side (receipts or payments) scaled to it, at the other side's multipliers.
    let to_total = |a: usize, line: &Line, other: &[f64], side: &str| {
        let (p, m) = parts(line, other, None);
        multiplier(p, -(target[a] - line.fixed), m, tolerance)
            .map_err(|why| cannot(a, &format!("its {side}{why} cannot reach the given total")))
    };
    let (mut receipts, mut payments) = (vec![0.0; n], vec![0.0; n]);
    let mut worst = (0.0, 0);
    for sweep in 1..=options.max_iterations {
        for a in 0..n {
            if given[a] {
                // Receipts to the total at the current column multipliers (the diagonal cell
                // counted at the current s_a), then payments at the new row multipliers.
                if let Some(m) = to_total(a, &rows[a], &s, "receipts")? {
                    r[a] = m;
                }
                if let Some(m) = to_total(a, &cols[a], &r, "payments")? {
                    s[a] = m;
                }
            } else {
                // r·A − B/r + F_r = C/r − D·r + F_c with s_a = 1/r_a; the diagonal cell,
                // scaled by r_a·s_a = 1, is on both sides and drops out.
                let (row_p, row_m) = parts(&rows[a], &s, Some(a));
                let (col_p, col_m) = parts(&cols[a], &r, Some(a));
                let gap = rows[a].fixed - cols[a].fixed;
                if let Some(t) =
                    multiplier(row_p + col_m, gap, row_m + col_p, tolerance).map_err(|why| {
                        cannot(a, &format!("its receipts{why} cannot equal its payments"))
                    })?
                {
                    r[a] = t;
                    s[a] = 1.0 / t;
                }
            }
        }
        for a in 0..n {
            receipts[a] = rows[a].fixed;
            payments[a] = cols[a].fixed;
        }
        for (c, _) in cells.iter().zip(fixed).filter(|(_, f)| !**f) {
            let v = scaled(c.value, r[c.row], s[c.col]);
            receipts[c.row] += v;
            payments[c.col] += v;
        }
        worst = (0..n)
            .map(|a| {
                let gap = if given[a] {
                    (receipts[a] - target[a])
                        .abs()
                        .max((payments[a] - target[a]).abs())
                } else {
                    (receipts[a] - payments[a]).abs()
                };
                (gap, a)
            })
            // A NaN gap counts as the worst, so that it can never pass for convergence.
            .fold(
                (0.0, 0),
                |w, x| {
                    if x.0.is_nan() || x.0 > w.0 {
                        x
                    } else {
                        w
                    }
                },
            );
        if worst.0 <= tolerance {
            return Ok((r, s, sweep));
        }
    }
    Err(CalibrateError::Unbalanceable {
        what: format!(
            "row and column scaling has not converged in {} sweeps: account `{}` is still {:.3e} from balance",
            options.max_iterations, sam.accounts[worst.1], worst.0
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cge_core::families::sam::{SamLabels, StandardModel};

    /// Hosoe's SAM with every cell moved by up to ±`spread` (a fixed pattern), so that no
    /// account balances.
    fn perturbed(spread: f64) -> Sam {
        let mut sam = crate::sam::hosoe_sam().unwrap();
        for (k, c) in sam.cells.iter_mut().enumerate() {
            let u = ((k * 7919) % 101) as f64 / 100.0; // in [0, 1]
            c.value *= 1.0 + spread * (2.0 * u - 1.0);
        }
        sam
    }

    #[test]
    fn a_perturbed_sam_balances_close_to_the_data_and_calibrates() {
        let data = perturbed(0.03);
        assert!(data.check_balance().is_err());
        let (sam, report) = balance(&data, &BalanceOptions::default()).unwrap();
        sam.check_balance().unwrap();
        assert!(
            report.imbalance_before > 1.0 && report.imbalance_after < 1e-9,
            "{report:?}"
        );
        // Every cell keeps its sign and moves by little more than the perturbation.
        for c in &report.cells {
            assert!(c.after * c.before > 0.0, "{c:?}");
            assert!(c.relative().abs() < 0.1, "{c:?}");
        }
        // Largest change first.
        assert!(report
            .cells
            .windows(2)
            .all(|w| w[0].relative().abs() >= w[1].relative().abs()));
        // The balanced SAM calibrates and replicates its benchmark.
        let labels = SamLabels::hosoe(["BRD", "MLK"], ["CAP", "LAB"]);
        let model = StandardModel::calibrate(&sam, &labels).unwrap();
        model.build().unwrap().check_benchmark().unwrap();
        // A balanced SAM is left as it is.
        let (again, second) = balance(&sam, &BalanceOptions::default()).unwrap();
        for (a, b) in again.cells.iter().zip(&sam.cells) {
            approx::assert_relative_eq!(a.value, b.value, max_relative = 1e-10);
        }
        assert!(second.total_change < 1e-8 * report.total_change.max(1.0));
        assert!(report.render(3).contains("largest cell changes (3 of"));
    }

    #[test]
    fn given_totals_and_fixed_cells_are_kept() {
        let data = perturbed(0.05);
        let total = 30.0;
        let options = BalanceOptions {
            totals: vec![("GOV".into(), total)],
            fixed: vec![("GOV".into(), "HOH".into())],
            ..BalanceOptions::default()
        };
        let (sam, report) = balance(&data, &options).unwrap();
        sam.check_balance().unwrap();
        let gov = report.accounts.iter().find(|a| a.account == "GOV").unwrap();
        assert!(gov.given);
        approx::assert_relative_eq!(gov.balanced, total, max_relative = 1e-10);
        let cell = report
            .cells
            .iter()
            .find(|c| c.row == "GOV" && c.col == "HOH")
            .unwrap();
        assert_eq!(cell.after, cell.before);
    }

    #[test]
    fn negative_cells_are_scaled_by_the_inverse_multipliers() {
        // A subsidy: the government pays firms (a negative tax) in a SAM off balance.
        let mut sam = Sam::new(["FRM", "HOH", "GOV"]);
        for (row, col, v) in [
            ("FRM", "FRM", 30.0),
            ("HOH", "FRM", 100.0),
            ("GOV", "FRM", -5.0),
            ("FRM", "HOH", 90.0),
            ("GOV", "HOH", 12.0),
            ("FRM", "GOV", 9.0),
        ] {
            sam.add(row, col, v).unwrap();
        }
        let (balanced, report) = balance(&sam, &BalanceOptions::default()).unwrap();
        balanced.check_balance().unwrap();
        let factor = |row: &str, col: &str| {
            let c = report
                .cells
                .iter()
                .find(|c| c.row == *row && c.col == *col)
                .unwrap();
            c.after / c.before
        };
        // Positive cells are scaled by r_i·s_j, so the rectangle (GOV, HOH), (FRM, FRM),
        // (FRM, HOH) gives r_GOV·s_FRM; the negative cell (GOV, FRM) by its inverse.
        let r_gov_s_frm = factor("GOV", "HOH") * factor("FRM", "FRM") / factor("FRM", "HOH");
        approx::assert_relative_eq!(
            factor("GOV", "FRM") * r_gov_s_frm,
            1.0,
            max_relative = 1e-12
        );
        assert!((r_gov_s_frm - 1.0).abs() > 1e-3, "{r_gov_s_frm}");
    }

    #[test]
    fn diagonal_cells_given_totals_and_repeated_cells() {
        // A given total on an account that pays itself (BRD buys bread).
        let data = perturbed(0.03);
        let options = BalanceOptions {
            totals: vec![("BRD".into(), 95.0)],
            ..BalanceOptions::default()
        };
        let (sam, report) = balance(&data, &options).unwrap();
        sam.check_balance().unwrap();
        approx::assert_relative_eq!(report.accounts[0].balanced, 95.0, max_relative = 1e-10);
        // Repeated positions add up: the same SAM with one cell split in two balances alike.
        let mut split = data.clone();
        let first = split.cells[0];
        split.cells[0].value *= 0.25;
        split.cells.push(SamCell {
            value: first.value * 0.75,
            ..first
        });
        let (a, _) = balance(&data, &BalanceOptions::default()).unwrap();
        let (b, _) = balance(&split, &BalanceOptions::default()).unwrap();
        for (x, y) in a.cells.iter().zip(&b.cells) {
            approx::assert_relative_eq!(x.value, y.value, max_relative = 1e-9);
        }
        // An account already in balance with nothing free to scale stays as it is.
        let mut own = Sam::new(["A"]);
        own.add("A", "A", 5.0).unwrap();
        let (same, _) = balance(&own, &BalanceOptions::default()).unwrap();
        assert_eq!(same.cells[0].value, 5.0);
        let all_fixed = BalanceOptions {
            totals: vec![("GOV".into(), 35.0)],
            fixed: vec![
                ("GOV".into(), "IDT".into()),
                ("GOV".into(), "TRF".into()),
                ("GOV".into(), "HOH".into()),
            ],
            ..BalanceOptions::default()
        };
        // GOV receives 9 + 3 + 23 = 35 in fixed cells: its total holds without scaling.
        let (sam, _) = balance(&crate::sam::hosoe_sam().unwrap(), &all_fixed).unwrap();
        sam.check_balance().unwrap();
        // The same fixed cells cannot reach another total: an error at once, not after the
        // iteration limit.
        let e = balance(
            &crate::sam::hosoe_sam().unwrap(),
            &BalanceOptions {
                totals: vec![("GOV".into(), 40.0)],
                ..all_fixed
            },
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("account `GOV`: its receipts (no free cells) cannot reach"),
            "{e}"
        );
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let mut sam = perturbed(0.01);
        let e = balance(
            &sam,
            &BalanceOptions {
                totals: vec![("GOVT".into(), 1.0)],
                ..BalanceOptions::default()
            },
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("`GOVT` (did you mean `GOV`?)"),
            "{e}"
        );
        let e = balance(
            &sam,
            &BalanceOptions {
                fixed: vec![("CAP".into(), "CAP".into())],
                ..BalanceOptions::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("(CAP, CAP) is empty"), "{e}");
        let e = balance(
            &sam,
            &BalanceOptions {
                tolerance: f64::NAN,
                ..BalanceOptions::default()
            },
        )
        .unwrap_err();
        assert!(matches!(
            e,
            CalibrateError::InvalidParameter {
                name: "tolerance",
                ..
            }
        ));
        // An account whose receipts come from nowhere cannot reach a positive total.
        let mut lonely = Sam::new(["A", "B"]);
        lonely.add("B", "A", 10.0).unwrap();
        let e = balance(&lonely, &BalanceOptions::default()).unwrap_err();
        assert!(
            e.to_string()
                .contains("account `A`: its receipts cannot equal its payments"),
            "{e}"
        );
        // Too few sweeps: an error naming the account furthest from balance, never a result.
        let e = balance(
            &sam,
            &BalanceOptions {
                max_iterations: 1,
                ..BalanceOptions::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("not converged in 1 sweeps"), "{e}");
        // A negative total for an account whose cells are all positive, and a total given twice.
        let e = balance(
            &sam,
            &BalanceOptions {
                totals: vec![("GOV".into(), -1.0)],
                ..BalanceOptions::default()
            },
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("account `GOV`: its receipts cannot reach"),
            "{e}"
        );
        let e = balance(
            &sam,
            &BalanceOptions {
                totals: vec![("GOV".into(), 30.0), ("GOV".into(), 31.0)],
                ..BalanceOptions::default()
            },
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("two given totals for account `GOV`"),
            "{e}"
        );
        sam.cells[0].value = f64::NAN;
        let e = balance(&sam, &BalanceOptions::default()).unwrap_err();
        assert!(matches!(e, CalibrateError::InvalidCell { .. }), "{e}");
    }
}
