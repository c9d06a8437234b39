//! The standard single-country CGE model of Hosoe, Gasawa & Hashimoto (2010), *Textbook of
//! Computable General Equilibrium Modelling: Programming and Simulations*, Palgrave Macmillan,
//! ch. 6 (the GAMS model library's `stdcge`), for any number of sectors, calibrated from a
//! social accounting matrix (SAM).
//!
//! Each sector j produces Z_j from a Cobb–Douglas value-added composite of the factors and
//! Leontief intermediate inputs of the Armington composites, pays a production tax τz_j on
//! Z_j, and transforms its output into exports and domestic sales (CET, elasticity ψ_j). Each
//! Armington composite Q_i is a CES (elasticity σ_i) of domestic sales and imports, which pay a
//! tariff τm_i. The household owns the factors and pays a direct tax and private saving in
//! fixed shares of its income; the government spends its tax revenue after saving a fixed
//! share; investment spends private, government and foreign saving. Household, government and
//! investment demands are Cobb–Douglas; world prices are fixed and foreign saving is fixed in
//! foreign currency, so the exchange rate is the price of foreign exchange; labour is the
//! numeraire. Equations SAM1–SAM8 in `docs/model.md` map each of Hosoe's equations onto the
//! algebra E1–E22.
//!
//! The SAM is read by row (receiving account) and column (paying account), with Hosoe's account
//! labels by default: goods, factors, `IDT` (production tax), `TRF` (tariffs), `HOH`, `GOV`,
//! `INV`, `EXT`. Files are read by `cge-calibrate` (`cge_calibrate::sam`); this module takes
//! the matrix in memory.

#![allow(
    clippy::needless_range_loop,
    reason = "the calibration (SAM2) and the synthetic SAM index several parallel arrays by \
              sector and factor"
)]

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Imbalance};
use crate::families::hos::SplitMix64;
use crate::model::Model;
use crate::name::Name;
use crate::results::Results;
use crate::spec::{ConsumerSpec, Flow, ModelSpec, NestChild, NestSpec, SectorSpec};
use crate::tolerances;

/// One nonzero cell of a SAM: `col` pays `row` \[money\].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamCell {
    /// Receiving account.
    pub row: usize,
    /// Paying account.
    pub col: usize,
    /// The payment \[money\].
    pub value: f64,
}

/// A social accounting matrix, stored by its nonzero cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sam {
    /// Account names, for rows and columns alike.
    pub accounts: Vec<String>,
    /// Nonzero cells; a repeated position adds up.
    pub cells: Vec<SamCell>,
}

/// Which accounts of a SAM play which role in the standard model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamLabels {
    /// Goods (= sectors).
    pub goods: Vec<String>,
    /// Primary factors.
    pub factors: Vec<String>,
    /// The factor whose price is the numeraire (Hosoe: `LAB`).
    pub numeraire: String,
    /// Production tax account (`IDT`).
    pub production_tax: String,
    /// Import tariff account (`TRF`).
    pub tariff: String,
    /// Household (`HOH`).
    pub household: String,
    /// Government (`GOV`).
    pub government: String,
    /// Investment and saving (`INV`).
    pub investment: String,
    /// Rest of the world (`EXT`).
    pub rest_of_world: String,
}

impl SamLabels {
    /// Hosoe's labels with the given goods and factors, `LAB` as numeraire if it is a factor
    /// (the last factor otherwise).
    pub fn hosoe<S: Into<String>>(
        goods: impl IntoIterator<Item = S>,
        factors: impl IntoIterator<Item = S>,
    ) -> Self {
        let factors: Vec<String> = factors.into_iter().map(Into::into).collect();
        let numeraire = if factors.iter().any(|f| f == "LAB") {
            "LAB".to_string()
        } else {
            factors.last().cloned().unwrap_or_default()
        };
        Self {
            goods: goods.into_iter().map(Into::into).collect(),
            factors,
            numeraire,
            production_tax: "IDT".into(),
            tariff: "TRF".into(),
            household: "HOH".into(),
            government: "GOV".into(),
            investment: "INV".into(),
            rest_of_world: "EXT".into(),
        }
    }
}

/// Row (receipts) and column (payments) totals of `cells` over `n` accounts; cells outside
/// the matrix are left out ([`Sam::check_balance`] reports them).
pub fn cell_totals(n: usize, cells: &[SamCell]) -> (Vec<f64>, Vec<f64>) {
    let (mut rows, mut cols) = (vec![0.0; n], vec![0.0; n]);
    for c in cells.iter().filter(|c| c.row < n && c.col < n) {
        rows[c.row] += c.value;
        cols[c.col] += c.value;
    }
    (rows, cols)
}

impl Sam {
    /// An empty SAM over `accounts`.
    pub fn new<S: Into<String>>(accounts: impl IntoIterator<Item = S>) -> Self {
        Self {
            accounts: accounts.into_iter().map(Into::into).collect(),
            cells: Vec::new(),
        }
    }

    /// Adds `value` to the cell where `col` pays `row`.
    ///
    /// # Errors
    /// [`CoreError::UnknownName`] for an account not in the SAM.
    pub fn add(&mut self, row: &str, col: &str, value: f64) -> Result<(), CoreError> {
        let (row, col) = (self.account(row, "SAM")?, self.account(col, "SAM")?);
        self.cells.push(SamCell { row, col, value });
        Ok(())
    }

    /// The position of account `name`; `context` says where it was asked for, in the error.
    ///
    /// # Errors
    /// [`CoreError::UnknownName`] for an account not in the SAM, with the closest names.
    pub fn account(&self, name: &str, context: &str) -> Result<usize, CoreError> {
        self.accounts
            .iter()
            .position(|a| a == name)
            .ok_or_else(|| CoreError::UnknownName {
                kind: "account",
                name: name.to_string(),
                context: context.to_string(),
                suggestions: crate::error::suggest(name, self.accounts.iter().map(String::as_str)),
            })
    }

    /// Row (receipts) and column (payments) totals of every account.
    pub fn totals(&self) -> (Vec<f64>, Vec<f64>) {
        cell_totals(self.accounts.len(), &self.cells)
    }

    /// Checks cell positions and values and that every account's receipts equal its payments
    /// (tolerance [`tolerances::BENCHMARK_RELATIVE`] × the largest total).
    ///
    /// # Errors
    /// [`CoreError::WrongSize`] for a cell outside the matrix, [`CoreError::InvalidNumber`]
    /// for a non-finite value, [`CoreError::Unbalanced`] naming every account whose row and
    /// column totals differ, with the difference (row − column).
    pub fn check_balance(&self) -> Result<(), CoreError> {
        let n = self.accounts.len();
        for c in &self.cells {
            if c.row >= n || c.col >= n {
                return Err(CoreError::WrongSize {
                    context: "SAM cell position".into(),
                    expected: n,
                    found: c.row.max(c.col),
                });
            }
            if !c.value.is_finite() {
                return Err(CoreError::InvalidNumber {
                    context: format!(
                        "SAM cell ({}, {})",
                        self.accounts[c.row], self.accounts[c.col]
                    ),
                    value: c.value,
                    expected: "finite",
                });
            }
        }
        let (rows, cols) = self.totals();
        let scale = rows
            .iter()
            .chain(&cols)
            .fold(1.0_f64, |m, v| m.max(v.abs()));
        let tolerance = tolerances::BENCHMARK_RELATIVE * scale;
        let items: Vec<Imbalance> = (0..n)
            .filter(|&i| (rows[i] - cols[i]).abs() > tolerance)
            .map(|i| Imbalance {
                condition: "SAM row total = column total".into(),
                name: self.accounts[i].clone(),
                amount: rows[i] - cols[i],
            })
            .collect();
        if items.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Unbalanced {
                model: "SAM".into(),
                tolerance,
                items,
            })
        }
    }

    /// A balanced SAM with `sectors` goods (`g1`, …), factors `CAP` and `LAB` and Hosoe's other
    /// accounts, from `seed` (SAM9): every sector buys `inputs` intermediate goods (its own and
    /// others; 0 for all), pays both factors, a production tax and, for its imports, a tariff;
    /// household, government and investment demand and exports absorb the rest. Balanced by
    /// construction: the goods' final uses are RAS-scaled to the macro totals that the
    /// household, government, investment and foreign accounts imply.
    ///
    /// # Errors
    /// [`CoreError::InvalidNumber`] for 0 sectors.
    pub fn synthetic(
        sectors: usize,
        inputs: usize,
        seed: u64,
    ) -> Result<(Self, SamLabels), CoreError> {
        if sectors == 0 {
            return Err(CoreError::InvalidNumber {
                context: "synthetic SAM: number of sectors".into(),
                value: 0.0,
                expected: "at least 1",
            });
        }
        let n = sectors;
        let k = if inputs == 0 { n } else { inputs.min(n) };
        let goods: Vec<String> = (1..=n).map(|i| format!("g{i}")).collect();
        let labels = SamLabels::hosoe(
            goods.iter().cloned(),
            ["CAP".to_string(), "LAB".to_string()],
        );
        let mut accounts = goods.clone();
        accounts.extend(["CAP", "LAB", "IDT", "TRF", "HOH", "GOV", "INV", "EXT"].map(String::from));
        let (cap, lab, idt, trf, hoh, gov, inv, ext) =
            (n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7);
        let mut rng = SplitMix64::new(seed);
        // Intermediate inputs X[i][j] as (input, value) lists per sector j.
        let mut x: Vec<Vec<(usize, f64)>> = Vec::with_capacity(n);
        for j in 0..n {
            let mut col = vec![(j, rng.uniform(0.5, 1.5))];
            if k == n {
                col = (0..n)
                    .map(|i| (i, rng.uniform(0.2, 1.0) / n as f64 * 10.0))
                    .collect();
            } else {
                while col.len() < k {
                    let i = (rng.next_u64() % n as u64) as usize;
                    if col.iter().all(|&(c, _)| c != i) {
                        col.push((i, rng.uniform(0.2, 1.0)));
                    }
                }
                col.sort_by_key(|&(i, _)| i);
            }
            x.push(col);
        }
        let mut row_sum = vec![0.0; n];
        let mut col_sum = vec![0.0; n];
        for (j, col) in x.iter().enumerate() {
            for &(i, v) in col {
                row_sum[i] += v;
                col_sum[j] += v;
            }
        }
        // Totals: intermediate costs are at most half of a column, sales at most 60 % of a row.
        let total: Vec<f64> = (0..n)
            .map(|j| (col_sum[j] / rng.uniform(0.2, 0.5)).max(row_sum[j] / 0.6))
            .collect();
        let mut sam = Sam::new(accounts);
        let mut push = |row: usize, col: usize, value: f64| {
            if value != 0.0 {
                sam.cells.push(SamCell { row, col, value });
            }
        };
        let (mut fi, mut idt_t, mut trf_t, mut m_t) = (0.0, 0.0, 0.0, 0.0);
        let mut rest_row = vec![0.0; n];
        for j in 0..n {
            for &(i, v) in &x[j] {
                push(i, j, v);
            }
            // Column j: value added, taxes and imports share the rest.
            let rest = total[j] - col_sum[j];
            let imports = rest * rng.uniform(0.1, 0.25);
            let tariff = imports * rng.uniform(0.02, 0.15);
            let tax = rest * rng.uniform(0.02, 0.08);
            let value_added = rest - imports - tariff - tax;
            let capital = value_added * rng.uniform(0.3, 0.7);
            push(cap, j, capital);
            push(lab, j, value_added - capital);
            push(idt, j, tax);
            push(trf, j, tariff);
            push(ext, j, imports);
            fi += value_added;
            idt_t += tax;
            trf_t += tariff;
            m_t += imports;
            rest_row[j] = total[j] - row_sum[j];
        }
        // Macro accounts (SAM9): direct tax and saving shares, government saving, exports.
        let td = 0.15 * fi;
        let sp = 0.15 * fi;
        let xp_t = fi - td - sp;
        let revenue = td + idt_t + trf_t;
        let sg = 0.1 * revenue;
        let xg_t = revenue - sg;
        let e_t = 0.85 * m_t;
        let sf = m_t - e_t;
        let xv_t = sp + sg + sf;
        // Final uses by good: RAS to the row rests and the four totals.
        let targets = [xp_t, xg_t, xv_t, e_t];
        let weights: Vec<[f64; 4]> = (0..n)
            .map(|_| {
                [
                    rng.uniform(0.5, 1.5),
                    rng.uniform(0.5, 1.5),
                    rng.uniform(0.5, 1.5),
                    rng.uniform(0.5, 1.5),
                ]
            })
            .collect();
        let mut uses: Vec<Vec<f64>> = weights
            .iter()
            .zip(&rest_row)
            .map(|(w, r)| w.iter().map(|v| v * r).collect())
            .collect();
        for _ in 0..10_000 {
            let mut worst = 0.0_f64;
            for c in 0..4 {
                let s: f64 = uses.iter().map(|u| u[c]).sum();
                let f = targets[c] / s;
                worst = worst.max((f - 1.0).abs());
                uses.iter_mut().for_each(|u| u[c] *= f);
            }
            for (u, &r) in uses.iter_mut().zip(&rest_row) {
                let f = r / u.iter().sum::<f64>();
                worst = worst.max((f - 1.0).abs());
                u.iter_mut().for_each(|v| *v *= f);
            }
            if worst < tolerances::SYNTHETIC_BALANCE {
                break;
            }
        }
        let mut actual = [0.0; 4];
        for (i, u) in uses.iter().enumerate() {
            for (c, dest) in [hoh, gov, inv, ext].into_iter().enumerate() {
                push(i, dest, u[c]);
                actual[c] += u[c];
            }
        }
        // The macro cells from the totals actually used, so that every account balances to
        // round-off.
        let (mut cap_t, mut lab_t) = (0.0, 0.0);
        for cell in &sam.cells {
            if cell.row == cap {
                cap_t += cell.value;
            } else if cell.row == lab {
                lab_t += cell.value;
            }
        }
        let mut push = |row: usize, col: usize, value: f64| {
            sam.cells.push(SamCell { row, col, value });
        };
        push(hoh, cap, cap_t);
        push(hoh, lab, lab_t);
        push(gov, idt, idt_t);
        push(gov, trf, trf_t);
        push(gov, hoh, td);
        let sp = cap_t + lab_t - actual[0] - td;
        push(inv, hoh, sp);
        let sg = td + idt_t + trf_t - actual[1];
        push(inv, gov, sg);
        push(inv, ext, m_t - actual[3]);
        Ok((sam, labels))
    }
}

/// The standard model calibrated from a SAM (SAM2): benchmark quantities in money at prices 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardModel {
    /// Model name.
    pub name: String,
    /// Account labels.
    pub labels: SamLabels,
    /// Factor inputs F0\[h\]\[j\].
    pub factor_inputs: Vec<Vec<f64>>,
    /// Intermediate inputs X0\[j\] as (input good, value) pairs, per sector j.
    pub intermediates: Vec<Vec<(usize, f64)>>,
    /// Production tax revenue Tz0\[j\].
    pub production_tax: Vec<f64>,
    /// Imports M0\[i\] (at world prices).
    pub imports: Vec<f64>,
    /// Tariff revenue Tm0\[i\].
    pub tariffs: Vec<f64>,
    /// Exports E0\[i\].
    pub exports: Vec<f64>,
    /// Household consumption Xp0\[i\].
    pub household: Vec<f64>,
    /// Government consumption Xg0\[i\].
    pub government: Vec<f64>,
    /// Investment demand Xv0\[i\].
    pub investment: Vec<f64>,
    /// Direct tax Td0, private saving Sp0, government saving Sg0, foreign saving Sf.
    pub direct_tax: f64,
    /// Private saving Sp0.
    pub private_saving: f64,
    /// Government saving Sg0.
    pub government_saving: f64,
    /// Foreign saving Sf (in foreign currency, fixed).
    pub foreign_saving: f64,
    /// Armington elasticities σ\[i\] (Hosoe: 2).
    pub armington_elasticities: Vec<f64>,
    /// Transformation elasticities ψ\[i\] (Hosoe: 2).
    pub transformation_elasticities: Vec<f64>,
}

/// Name of the domestic good i (`PD.{i}`).
pub fn domestic_good(good: &str) -> String {
    format!("PD.{good}")
}

/// Name of the Armington composite i (`PQ.{i}`).
pub fn composite_good(good: &str) -> String {
    format!("PQ.{good}")
}

/// Name of foreign exchange, whose price is the exchange rate ε.
pub const FOREIGN_EXCHANGE: &str = "FX";

/// Name of the utility (or spending) good of an agent (`PU.{agent}`), produced by the sector
/// `U.{agent}`.
pub fn utility_good(agent: &str) -> String {
    format!("PU.{agent}")
}

impl StandardModel {
    /// Calibrates the model from a balanced SAM (SAM2), with Hosoe's elasticities σ = ψ = 2.
    ///
    /// # Errors
    /// [`CoreError::Unbalanced`] (see [`Sam::check_balance`]), [`CoreError::UnknownName`] for a
    /// label not in the SAM, [`CoreError::InvalidNumber`] for a negative cell, a sector with
    /// no value added, domestic sales that are not positive, tariffs without imports, negative
    /// foreign saving, or saving and tax shares that leave an agent nothing to spend.
    pub fn calibrate(sam: &Sam, labels: &SamLabels) -> Result<Self, CoreError> {
        sam.check_balance()?;
        let index: HashMap<&str, usize> = sam
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.as_str(), i))
            .collect();
        let find = |name: &str| {
            index
                .get(name)
                .copied()
                .ok_or_else(|| CoreError::UnknownName {
                    kind: "account",
                    name: name.to_string(),
                    context: "SAM labels".to_string(),
                    suggestions: crate::error::suggest(
                        name,
                        sam.accounts.iter().map(String::as_str),
                    ),
                })
        };
        let goods: Vec<usize> = labels
            .goods
            .iter()
            .map(|g| find(g))
            .collect::<Result<_, _>>()?;
        let factors: Vec<usize> = labels
            .factors
            .iter()
            .map(|f| find(f))
            .collect::<Result<_, _>>()?;
        if !labels.factors.contains(&labels.numeraire) {
            return Err(CoreError::UnknownName {
                kind: "factor",
                name: labels.numeraire.clone(),
                context: "SAM numeraire".into(),
                suggestions: labels.factors.clone(),
            });
        }
        let (idt, trf, hoh, gov, inv, ext) = (
            find(&labels.production_tax)?,
            find(&labels.tariff)?,
            find(&labels.household)?,
            find(&labels.government)?,
            find(&labels.investment)?,
            find(&labels.rest_of_world)?,
        );
        let n = goods.len();
        let mut good_of = vec![usize::MAX; sam.accounts.len()];
        for (k, &g) in goods.iter().enumerate() {
            good_of[g] = k;
        }
        let mut factor_of = vec![usize::MAX; sam.accounts.len()];
        for (k, &f) in factors.iter().enumerate() {
            factor_of[f] = k;
        }
        let mut m = Self {
            name: format!("standard model ({n} sectors)"),
            labels: labels.clone(),
            factor_inputs: vec![vec![0.0; n]; factors.len()],
            intermediates: vec![Vec::new(); n],
            production_tax: vec![0.0; n],
            imports: vec![0.0; n],
            tariffs: vec![0.0; n],
            exports: vec![0.0; n],
            household: vec![0.0; n],
            government: vec![0.0; n],
            investment: vec![0.0; n],
            direct_tax: 0.0,
            private_saving: 0.0,
            government_saving: 0.0,
            foreign_saving: 0.0,
            armington_elasticities: vec![2.0; n],
            transformation_elasticities: vec![2.0; n],
        };
        // Intermediate cells by paying sector, in the SAM's order (a repeated cell adds up).
        let mut x_cells: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        for c in &sam.cells {
            if c.value < 0.0 {
                return Err(CoreError::InvalidNumber {
                    context: format!(
                        "SAM cell ({}, {})",
                        sam.accounts[c.row], sam.accounts[c.col]
                    ),
                    value: c.value,
                    expected: ">= 0 in the standard model",
                });
            }
            let (gr, gc) = (good_of[c.row], good_of[c.col]);
            let (fr, _) = (factor_of[c.row], factor_of[c.col]);
            let v = c.value;
            if gr != usize::MAX && gc != usize::MAX {
                x_cells[gc].push((gr, v));
            } else if fr != usize::MAX && gc != usize::MAX {
                m.factor_inputs[fr][gc] += v;
            } else if c.row == idt && gc != usize::MAX {
                m.production_tax[gc] += v;
            } else if c.row == trf && gc != usize::MAX {
                m.tariffs[gc] += v;
            } else if c.row == ext && gc != usize::MAX {
                m.imports[gc] += v;
            } else if gr != usize::MAX && c.col == hoh {
                m.household[gr] += v;
            } else if gr != usize::MAX && c.col == gov {
                m.government[gr] += v;
            } else if gr != usize::MAX && c.col == inv {
                m.investment[gr] += v;
            } else if gr != usize::MAX && c.col == ext {
                m.exports[gr] += v;
            } else if c.row == gov && c.col == hoh {
                m.direct_tax += v;
            } else if c.row == inv && c.col == hoh {
                m.private_saving += v;
            } else if c.row == inv && c.col == gov {
                m.government_saving += v;
            } else if c.row == inv && c.col == ext {
                m.foreign_saving += v;
            }
            // Other cells (factor income to the household, taxes to the government) are
            // implied by the balance of the accounts.
        }
        for (cells, inputs) in x_cells.iter_mut().zip(&mut m.intermediates) {
            // Stable: repeated cells add up in the SAM's order.
            cells.sort_by_key(|&(i, _)| i);
            for &(i, v) in cells.iter() {
                match inputs.last_mut() {
                    Some(last) if last.0 == i => last.1 += v,
                    _ => inputs.push((i, v)),
                }
            }
            inputs.retain(|&(_, v)| v > 0.0);
        }
        m.check()?;
        Ok(m)
    }

    fn fail(context: String, value: f64, expected: &'static str) -> CoreError {
        CoreError::InvalidNumber {
            context,
            value,
            expected,
        }
    }

    /// Value added Y0, output Z0 and domestic sales D0 of sector j (SAM2).
    fn sector_values(&self, j: usize) -> (f64, f64, f64) {
        let y0: f64 = self.factor_inputs.iter().map(|f| f[j]).sum();
        let z0 = y0 + self.intermediates[j].iter().map(|&(_, v)| v).sum::<f64>();
        let d0 = z0 + self.production_tax[j] - self.exports[j];
        (y0, z0, d0)
    }

    fn factor_income(&self) -> f64 {
        self.factor_inputs.iter().flatten().sum()
    }

    fn check(&self) -> Result<(), CoreError> {
        for (j, g) in self.labels.goods.iter().enumerate() {
            let (y0, _, d0) = self.sector_values(j);
            if y0 <= 0.0 {
                return Err(Self::fail(
                    format!("value added of sector `{g}`"),
                    y0,
                    "> 0",
                ));
            }
            if d0 <= 0.0 {
                return Err(Self::fail(
                    format!("domestic sales of `{g}` (output + production tax - exports)"),
                    d0,
                    "> 0",
                ));
            }
            if self.imports[j] == 0.0 && self.tariffs[j] != 0.0 {
                return Err(Self::fail(
                    format!("tariff revenue on `{g}`, which is not imported"),
                    self.tariffs[j],
                    "0 without imports",
                ));
            }
        }
        for (what, v) in [
            ("foreign saving", self.foreign_saving),
            ("direct tax", self.direct_tax),
            ("private saving", self.private_saving),
            ("government saving", self.government_saving),
        ] {
            if v.is_nan() || v < 0.0 {
                return Err(Self::fail(what.to_string(), v, ">= 0"));
            }
        }
        let fi = self.factor_income();
        let spent = (self.direct_tax + self.private_saving) / fi;
        if spent.is_nan() || spent >= 0.5 {
            return Err(Self::fail(
                "household's direct tax and saving as a share of its income".into(),
                spent,
                "< 0.5 (income shares of at most 1 of what it spends, E16)",
            ));
        }
        let revenue = self.revenue();
        if self.government_saving > 0.5 * revenue {
            return Err(Self::fail(
                "government saving as a share of its revenue".into(),
                self.government_saving / revenue,
                "<= 0.5 (E16)",
            ));
        }
        Ok(())
    }

    /// Td0 + Σ Tz0 + Σ Tm0.
    fn revenue(&self) -> f64 {
        self.direct_tax + self.production_tax.iter().sum::<f64>() + self.tariffs.iter().sum::<f64>()
    }

    /// The model spec (SAM3–SAM8).
    ///
    /// # Errors
    /// None in practice for a calibrated model; the spec's own validation otherwise.
    pub fn spec(&self) -> Result<ModelSpec, CoreError> {
        let l = &self.labels;
        let gov = l.government.clone();
        let mut spec = ModelSpec::new(self.name.clone());
        for f in &l.factors {
            spec = spec.commodity(f.clone(), 1.0);
        }
        spec = spec.commodity(FOREIGN_EXCHANGE, 1.0);
        for g in &l.goods {
            spec = spec
                .commodity(domestic_good(g), 1.0)
                .commodity(composite_good(g), 1.0);
        }
        for agent in [&l.household, &l.government, &l.investment] {
            spec = spec.commodity(utility_good(agent), 1.0);
        }
        let composites: Vec<Name> = l.goods.iter().map(|g| composite_good(g).into()).collect();
        for (j, g) in l.goods.iter().enumerate() {
            let (_, z0, d0) = self.sector_values(j);
            // SAM3: Cobb–Douglas value added, Leontief intermediates; SAM4: CET into domestic
            // sales and exports, taxed at τz/(1 + τz) of the revenue (= τz of pz·Z).
            let tauz = self.production_tax[j] / z0;
            let rate = tauz / (1.0 + tauz);
            let mut va = NestSpec::new(1.0).named("va");
            for (h, f) in l.factors.iter().enumerate() {
                if self.factor_inputs[h][j] > 0.0 {
                    va = va.input(f.clone(), self.factor_inputs[h][j]);
                }
            }
            let mut s = SectorSpec::new(format!("Z.{g}"))
                .demand_at_output_price(true)
                .transformation(self.transformation_elasticities[j])
                .input_nest(va)
                .output_flow(Flow::new(domestic_good(g), d0).tax(rate, gov.clone()));
            if self.exports[j] > 0.0 {
                s = s.output_flow(
                    Flow::new(FOREIGN_EXCHANGE, self.exports[j]).tax(rate, gov.clone()),
                );
            }
            // In place: a dense table has N inputs per sector.
            s.inputs.children.extend(
                (self.intermediates[j].iter())
                    .map(|&(i, v)| NestChild::Flow(Flow::new(composites[i].clone(), v))),
            );
            spec = spec.sector(s);
            // SAM5: the Armington composite of domestic sales and imports, tariffs to GOV.
            let mut a = SectorSpec::new(format!("Q.{g}"))
                .demand_at_output_price(true)
                .elasticity(self.armington_elasticities[j])
                .input(domestic_good(g), d0);
            let mut q0 = d0;
            if self.imports[j] > 0.0 {
                let taum = self.tariffs[j] / self.imports[j];
                a = a.input_flow(
                    Flow::new(FOREIGN_EXCHANGE, self.imports[j]).tax(taum, gov.clone()),
                );
                q0 += self.imports[j] + self.tariffs[j];
            }
            spec = spec.sector(a.output(composite_good(g), q0));
        }
        // SAM6: Cobb–Douglas spending of household, government and investment, through a
        // spending good each (E22 keeps every demand sparse).
        for (agent, demand) in [
            (&l.household, &self.household),
            (&l.government, &self.government),
            (&l.investment, &self.investment),
        ] {
            let total: f64 = demand.iter().sum();
            let mut u = SectorSpec::new(format!("U.{agent}"))
                .demand_at_output_price(true)
                .elasticity(1.0);
            for i in 0..l.goods.len() {
                if demand[i] > 0.0 {
                    u = u.input(composites[i].clone(), demand[i]);
                }
            }
            spec = spec.sector(u.output(utility_good(agent), total));
        }
        // SAM7: incomes. Shares are of the payer's spending (E16): the household spends
        // (1 − τd − ssp) of its factor income, the government (1 − ssg) of its revenue.
        let fi = self.factor_income();
        let household_spending = fi - self.direct_tax - self.private_saving;
        let government_spending = self.revenue() - self.government_saving;
        let mut hh = ConsumerSpec::new(l.household.clone())
            .demand(utility_good(&l.household), self.household.iter().sum());
        for (h, f) in l.factors.iter().enumerate() {
            let e: f64 = self.factor_inputs[h].iter().sum();
            if e > 0.0 {
                hh = hh.endowment(f.clone(), e);
            }
        }
        spec = spec
            .consumer(hh)
            .consumer(
                ConsumerSpec::new(l.government.clone())
                    .demand(utility_good(&l.government), self.government.iter().sum()),
            )
            .consumer(
                ConsumerSpec::new(l.investment.clone())
                    .endowment(FOREIGN_EXCHANGE, self.foreign_saving)
                    .demand(utility_good(&l.investment), self.investment.iter().sum()),
            )
            .income_share(
                l.household.clone(),
                l.government.clone(),
                self.direct_tax / household_spending,
            )
            .income_share(
                l.household.clone(),
                l.investment.clone(),
                self.private_saving / household_spending,
            )
            .income_share(
                l.government.clone(),
                l.investment.clone(),
                self.government_saving / government_spending,
            );
        // SAM8: labour is the numeraire.
        Ok(spec.numeraire_price(l.numeraire.clone(), 1.0))
    }

    /// Builds the model.
    ///
    /// # Errors
    /// As [`StandardModel::spec`] and [`ModelSpec::build`].
    pub fn build(&self) -> Result<Model, CoreError> {
        self.spec()?.build()
    }

    /// Shock: multiplies every tariff rate by `factor` (0 abolishes them); returns how many.
    ///
    /// # Errors
    /// As [`Model::scale_input_taxes`].
    pub fn scale_tariffs(&self, model: &mut Model, factor: f64) -> Result<usize, CoreError> {
        model.scale_input_taxes(factor, |sector, commodity| {
            sector.starts_with("Q.") && commodity == FOREIGN_EXCHANGE
        })
    }

    /// Hosoe's household utility UU = Π Xp_i^α_i (α_i = Xp0_i / Σ Xp0) at `results`, in units
    /// of the consumption goods (the GAMS model's objective).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`] if the results lack the household's spending sector.
    pub fn household_utility(&self, results: &Results) -> Result<f64, CoreError> {
        let name = format!("U.{}", self.labels.household);
        let flows = results
            .flows
            .iter()
            .find(|f| f.sector == name)
            .ok_or_else(|| CoreError::UnknownName {
                kind: "sector",
                name: name.clone(),
                context: "household utility".into(),
                suggestions: Vec::new(),
            })?;
        let total: f64 = self.household.iter().sum();
        let mut log_u = 0.0;
        for flow in &flows.inputs {
            let g = flow.commodity.trim_start_matches("PQ.");
            let i = self
                .labels
                .goods
                .iter()
                .position(|x| x == g)
                .unwrap_or(usize::MAX);
            if let Some(&xp0) = self.household.get(i) {
                log_u += xp0 / total * flow.quantity.ln();
            }
        }
        Ok(log_u.exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_sams_balance_and_calibrate() {
        for inputs in [0, 3] {
            let (sam, labels) = Sam::synthetic(12, inputs, 5).unwrap();
            sam.check_balance().unwrap();
            let model = StandardModel::calibrate(&sam, &labels).unwrap();
            model.build().unwrap().check_benchmark().unwrap();
        }
    }

    #[test]
    fn unbalanced_sam_names_the_accounts() {
        let mut sam = Sam::new(["A", "B"]);
        sam.add("A", "B", 10.0).unwrap();
        sam.add("B", "A", 9.0).unwrap();
        let e = sam.check_balance().unwrap_err();
        let CoreError::Unbalanced { items, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].name, "A");
        assert!(matches!(
            sam.add("A", "C", 1.0),
            Err(CoreError::UnknownName { .. })
        ));
    }
}
