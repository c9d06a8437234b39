//! Synthetic balanced multi-region economies of any size, for benchmarks and scaling tests:
//! R regions × S sectors × F factors with intermediate inputs, Armington trade over every
//! origin with bilateral tariffs and iceberg trade costs, one representative consumer per
//! region and, as an option, a migrant consumer per region (equations S1–S6 in
//! `docs/performance.md`).
//!
//! The data come from a seed and are balanced by construction (S5), so the benchmark replicates
//! at every size. The model is written GTAP-in-MPSGE style, to keep the Jacobian sparse: every
//! sector writes its demands at its output price (E22 in `docs/model.md`), and each consumer
//! buys a welfare good produced from the region's composites, so that no demand depends on
//! the prices of all its substitutes. An Armington nest over R origins then costs O(R)
//! Jacobian entries, not O(R²), and 140 × 65 × 5 (GTAP's size) has about 10⁷ triplets.
//!
//! Names: factor `f` of region `r` is the commodity `PF{f}.{r}`, region r's output of sector s
//! is `PY{s}.{r}` (sector `Y{s}.{r}`), its Armington composite of s is `PA{s}.{r}` (sector
//! `A{s}.{r}`), its welfare good `PW.{r}` (sector `W.{r}`); consumers are named after their
//! region (`{r}`, and `MIG.{r}` for migrants).

#![allow(
    clippy::needless_range_loop,
    reason = "the balancing (S5) indexes several parallel arrays by region, sector and origin"
)]

use cge_solver::LinearSolver;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Imbalance};
use crate::families::hos::SplitMix64;
use crate::memory::{self, MemoryEstimate};
use crate::spec::{ConsumerSpec, Flow, ModelSpec, NestSpec, SectorSpec};
use crate::tolerances;
use crate::Model;

/// Sizes of a synthetic world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldSize {
    /// Regions R ≥ 1.
    pub regions: usize,
    /// Sectors (goods) S ≥ 1.
    pub sectors: usize,
    /// Primary factors F ≥ 1.
    pub factors: usize,
    /// Whether each region has a migrant consumer owning part of its first factor.
    #[serde(default)]
    pub migrants: bool,
    /// Intermediate inputs per sector (its own good and others chosen from the seed); 0, the
    /// default, means every good (a dense input–output table).
    #[serde(default)]
    pub inputs: usize,
}

impl WorldSize {
    /// R × S × F without migrants.
    pub fn new(regions: usize, sectors: usize, factors: usize) -> Self {
        Self {
            regions,
            sectors,
            factors,
            migrants: false,
            inputs: 0,
        }
    }

    /// Intermediate inputs per sector.
    pub fn inputs_per_sector(&self) -> usize {
        if self.inputs == 0 {
            self.sectors
        } else {
            self.inputs.min(self.sectors)
        }
    }

    fn check(&self) -> Result<(), CoreError> {
        for (what, n) in [
            ("regions", self.regions),
            ("sectors", self.sectors),
            ("factors", self.factors),
        ] {
            if n == 0 {
                return Err(CoreError::InvalidNumber {
                    context: format!("synthetic world: number of {what}"),
                    value: 0.0,
                    expected: "at least 1",
                });
            }
        }
        Ok(())
    }

    /// The memory a model of this size needs, from closed forms of its leaves and Jacobian
    /// triplets (S6), computed before anything is allocated.
    pub fn estimate(&self) -> MemoryEstimate {
        self.estimate_for(LinearSolver::Auto)
    }

    /// [`WorldSize::estimate`] for a solve with `linear_solver`.
    pub fn estimate_for(&self, linear_solver: LinearSolver) -> MemoryEstimate {
        let (r, s, f) = (
            self.regions as u64,
            self.sectors as u64,
            self.factors as u64,
        );
        let consumers = if self.migrants { 2 * r } else { r };
        let k = self.inputs_per_sector() as u64;
        // Unknowns: production, Armington and welfare sectors; outputs, composites, welfare
        // goods and factors; consumers.
        let unknowns = (2 * r * s + r) + (2 * r * s + r + r * f) + consumers;
        // Leaves: production (F factors + S intermediates), Armington (R origins), welfare
        // (S composites), one output per sector, one demand per consumer.
        let leaves = r * s * (f + k) + r * s * r + r * s + (2 * r * s + r) + consumers;
        let elems = leaves + r * s * 2 + (2 * r * s + r) + r + consumers;
        // Triplets and fill positions per leaf (E9, E10, E13, E8, E22): an untaxed flow in a
        // flat group 4, a tariffed one 8, an intermediate input under the Leontief root 3 (its
        // E8 entry is an exact zero, not emitted; its E22 ones are fill), a factor in a
        // value-added nest 3 + F; outputs 3, demands 2.
        let triplets = r * s * (r - 1) * 8
            + r * s * 4
            + r * s * k * 3
            + r * s * f * (3 + f)
            + r * s * 4
            + 3 * (2 * r * s + r)
            + 2 * consumers
            + (r * f + consumers - r)
            + consumers
            + 1
            // The numeraire PF1.r1 drops its market's row: each sector of region 1 had a level,
            // an output-price and F own-nest entries there.
            - s * (2 + f);
        // The spec's strings (about 160 bytes per flow) live while the model is built.
        let model_bytes = memory::model_bytes(elems, leaves) + leaves * 160;
        // Every sector of every region is linked to every other through trade and
        // input–output flows: the LU factors hold a dense block of about 3 R S unknowns.
        MemoryEstimate::for_solver(unknowns, triplets, model_bytes, linear_solver)
            .with_dense_core(3 * r * s)
    }
}

/// Data of a synthetic world (S1–S5): everything in money at benchmark prices 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyntheticWorld {
    /// Model name.
    pub name: String,
    /// Sizes.
    pub size: WorldSize,
    /// Payment to each factor by each sector, `[region][sector][factor]` \[money\].
    pub factor_payments: Vec<Vec<Vec<f64>>>,
    /// Intermediate use of each composite by each sector, `[region][input][sector]` \[money\].
    pub intermediates: Vec<Vec<Vec<f64>>>,
    /// Final demand for each composite, `[region][sector]` \[money\].
    pub final_demand: Vec<Vec<f64>>,
    /// Shipments of each good from each origin to each destination at the origin's prices,
    /// iceberg losses included, `[sector][origin][destination]` \[money\].
    pub trade: Vec<Vec<Vec<f64>>>,
    /// Ad valorem tariff of the destination on each shipment, `[sector][origin][destination]`,
    /// zero on the diagonal \[fraction\].
    pub tariffs: Vec<Vec<Vec<f64>>>,
    /// Iceberg trade cost of each route: 1 + cost units leave per unit that arrives,
    /// `[sector][origin][destination]`, zero on the diagonal \[fraction\].
    pub trade_costs: Vec<Vec<Vec<f64>>>,
    /// Share of each region's first factor owned by its migrants (empty without migrants).
    #[serde(default)]
    pub migrant_shares: Vec<f64>,
    /// Elasticity of substitution between factors, per sector.
    pub value_added_elasticities: Vec<f64>,
    /// Armington elasticity between origins, per sector.
    pub armington_elasticities: Vec<f64>,
    /// Elasticity of substitution between composites in the welfare good.
    pub demand_elasticity: f64,
}

/// Name of factor `f` of region `r`: `PF{f}.{r}`.
pub fn factor_price(f: usize, r: usize) -> String {
    format!("PF{}.r{}", f + 1, r + 1)
}

/// Name of region `r`'s output of sector `s`: `PY{s}.{r}`.
pub fn output_price(s: usize, r: usize) -> String {
    format!("PY{}.r{}", s + 1, r + 1)
}

/// Name of region `r`'s Armington composite of good `s`: `PA{s}.{r}`.
pub fn composite_price(s: usize, r: usize) -> String {
    format!("PA{}.r{}", s + 1, r + 1)
}

/// Name of region `r`'s welfare good: `PW.{r}`.
pub fn welfare_price(r: usize) -> String {
    format!("PW.r{}", r + 1)
}

/// Name of region `r`'s consumer.
pub fn region(r: usize) -> String {
    format!("r{}", r + 1)
}

/// Name of region `r`'s migrant consumer.
pub fn migrants(r: usize) -> String {
    format!("MIG.r{}", r + 1)
}

/// Name of the Armington sector of good `s` in region `r`.
pub fn armington_sector(s: usize, r: usize) -> String {
    format!("A{}.r{}", s + 1, r + 1)
}

/// Biproportional (RAS) scaling of `m` to row sums `rows` and column sums `cols` (which must
/// have the same total); rows are exact on return.
fn ras(m: &mut [Vec<f64>], rows: &[f64], cols: &[f64]) {
    for _ in 0..10_000 {
        let mut worst = 0.0_f64;
        for c in 0..cols.len() {
            let sum: f64 = m.iter().map(|row| row[c]).sum();
            let k = cols[c] / sum;
            worst = worst.max((k - 1.0).abs());
            m.iter_mut().for_each(|row| row[c] *= k);
        }
        for (row, &target) in m.iter_mut().zip(rows) {
            let k = target / row.iter().sum::<f64>();
            worst = worst.max((k - 1.0).abs());
            row.iter_mut().for_each(|v| *v *= k);
        }
        if worst < tolerances::SYNTHETIC_BALANCE {
            break;
        }
    }
}

impl SyntheticWorld {
    /// Generates a balanced world of `size` from `seed` (S5), after checking that a model of
    /// that size fits in [`memory::default_limit`].
    ///
    /// # Errors
    /// [`CoreError::InvalidNumber`] for a size of 0, [`CoreError::TooLarge`] when the model
    /// would not fit.
    pub fn generate(size: WorldSize, seed: u64) -> Result<Self, CoreError> {
        Self::generate_with_limit(size, seed, memory::default_limit())
    }

    /// As [`SyntheticWorld::generate`] with a memory limit \[bytes\].
    ///
    /// # Errors
    /// As [`SyntheticWorld::generate`].
    pub fn generate_with_limit(size: WorldSize, seed: u64, limit: u64) -> Result<Self, CoreError> {
        Self::generate_for(size, seed, limit, LinearSolver::Auto)
    }

    /// As [`SyntheticWorld::generate_with_limit`] for solves with `linear_solver`, whose memory
    /// the limit is checked against ([`WorldSize::estimate_for`]).
    ///
    /// # Errors
    /// As [`SyntheticWorld::generate`].
    pub fn generate_for(
        size: WorldSize,
        seed: u64,
        limit: u64,
        linear_solver: LinearSolver,
    ) -> Result<Self, CoreError> {
        size.check()?;
        let (nr, ns, nf) = (size.regions, size.sectors, size.factors);
        size.estimate_for(linear_solver).check(
            &format!("a synthetic world of {nr} regions x {ns} sectors x {nf} factors"),
            limit,
        )?;
        let mut rng = SplitMix64::new(seed);
        let region_size: Vec<f64> = (0..nr).map(|_| rng.uniform(0.5, 2.0)).collect();
        let sector_size: Vec<f64> = (0..ns).map(|_| rng.uniform(0.5, 2.0)).collect();
        // S1: shipments, gravity with home bias; S2: tariffs and trade costs.
        let mut trade = vec![vec![vec![0.0; nr]; nr]; ns];
        let mut tariffs = vec![vec![vec![0.0; nr]; nr]; ns];
        let mut trade_costs = vec![vec![vec![0.0; nr]; nr]; ns];
        for s in 0..ns {
            for o in 0..nr {
                for d in 0..nr {
                    let bias = if o == d { 4.0 * nr as f64 } else { 1.0 };
                    trade[s][o][d] = 10.0
                        * sector_size[s]
                        * region_size[o]
                        * region_size[d]
                        * bias
                        * rng.uniform(0.5, 1.5);
                    if o != d {
                        tariffs[s][o][d] = rng.uniform(0.02, 0.2);
                        trade_costs[s][o][d] = rng.uniform(0.02, 0.1);
                    }
                }
            }
        }
        // S5a: every pair of regions trades as much in each direction (at the origin's prices),
        // so every region's trade balances.
        for o in 0..nr {
            for d in o + 1..nr {
                let out: f64 = (0..ns).map(|s| trade[s][o][d]).sum();
                let back: f64 = (0..ns).map(|s| trade[s][d][o]).sum();
                let mean = 0.5 * (out + back);
                for s in 0..ns {
                    trade[s][o][d] *= mean / out;
                    trade[s][d][o] *= mean / back;
                }
            }
        }
        let intensity: Vec<Vec<f64>> = (0..ns)
            .map(|_| (0..nf).map(|_| rng.uniform(0.2, 1.0)).collect())
            .collect();
        let abundance: Vec<Vec<f64>> = (0..nr)
            .map(|_| (0..nf).map(|_| rng.uniform(0.5, 1.5)).collect())
            .collect();
        let mut input_weight: Vec<Vec<f64>> = (0..ns)
            .map(|_| (0..ns).map(|_| rng.uniform(0.2, 1.0)).collect())
            .collect();
        let k = size.inputs_per_sector();
        if k < ns {
            // A sparse table: sector s uses its own good and k − 1 others.
            for s in 0..ns {
                let mut used = vec![false; ns];
                used[s] = true;
                let mut count = 1;
                while count < k {
                    let i = (rng.next_u64() % ns as u64) as usize;
                    if !used[i] {
                        used[i] = true;
                        count += 1;
                    }
                }
                for i in 0..ns {
                    if !used[i] {
                        input_weight[i][s] = 0.0;
                    }
                }
            }
        }
        let intermediate_share: Vec<f64> = (0..ns).map(|_| rng.uniform(0.2, 0.5)).collect();
        let mut factor_payments = vec![vec![vec![0.0; nf]; ns]; nr];
        let mut intermediates = vec![vec![vec![0.0; ns]; ns]; nr];
        let mut final_demand = vec![vec![0.0; ns]; nr];
        for r in 0..nr {
            let output: Vec<f64> = (0..ns).map(|s| trade[s][r].iter().sum()).collect();
            let absorption: Vec<f64> = (0..ns)
                .map(|s| {
                    (0..nr)
                        .map(|o| trade[s][o][r] * (1.0 + tariffs[s][o][r]))
                        .sum()
                })
                .collect();
            // S5b: uses of each composite by sector and final demand, RAS-balanced to the
            // absorption (rows) and to each sector's intermediate cost (columns).
            let mut cols: Vec<f64> = (0..ns).map(|s| intermediate_share[s] * output[s]).collect();
            let final_total = absorption.iter().sum::<f64>() - cols.iter().sum::<f64>();
            cols.push(final_total);
            let mut uses: Vec<Vec<f64>> = (0..ns)
                .map(|i| {
                    let mut row = input_weight[i].clone();
                    row.push(2.0);
                    row
                })
                .collect();
            ras(&mut uses, &absorption, &cols);
            for i in 0..ns {
                intermediates[r][i][..ns].copy_from_slice(&uses[i][..ns]);
                // S5c: final demand and value added are residuals, so that every composite
                // market and every sector balance exactly.
                final_demand[r][i] = absorption[i] - uses[i][..ns].iter().sum::<f64>();
            }
            for s in 0..ns {
                let value_added = output[s] - (0..ns).map(|i| intermediates[r][i][s]).sum::<f64>();
                let weights: Vec<f64> =
                    (0..nf).map(|f| intensity[s][f] * abundance[r][f]).collect();
                let total: f64 = weights.iter().sum();
                let mut paid = 0.0;
                for f in 0..nf {
                    factor_payments[r][s][f] = if f + 1 == nf {
                        value_added - paid
                    } else {
                        value_added * weights[f] / total
                    };
                    paid += factor_payments[r][s][f];
                }
            }
        }
        let migrant_shares = if size.migrants {
            (0..nr).map(|_| rng.uniform(0.05, 0.15)).collect()
        } else {
            Vec::new()
        };
        let value_added_elasticities = (0..ns).map(|_| rng.uniform(0.5, 1.5)).collect();
        let armington_elasticities = (0..ns).map(|_| rng.uniform(2.0, 6.0)).collect();
        Ok(Self {
            name: format!(
                "synthetic world {nr}x{ns}x{nf}{} (seed {seed})",
                if size.migrants { " with migrants" } else { "" }
            ),
            size,
            factor_payments,
            intermediates,
            final_demand,
            trade,
            tariffs,
            trade_costs,
            migrant_shares,
            value_added_elasticities,
            armington_elasticities,
            demand_elasticity: 1.0,
        })
    }

    /// Output of sector s in region r \[money\].
    fn output(&self, s: usize, r: usize) -> f64 {
        self.trade[s][r].iter().sum()
    }

    /// Checks array sizes, values and the balance of the data (S5).
    ///
    /// # Errors
    /// [`CoreError::WrongSize`], [`CoreError::InvalidQuantity`] for a negative or NaN value,
    /// [`CoreError::InvalidElasticity`], [`CoreError::Unbalanced`] naming every sector whose
    /// costs differ from its sales and every region whose spending differs from its income.
    pub fn validate(&self) -> Result<(), CoreError> {
        self.size.check()?;
        let (nr, ns, nf) = (self.size.regions, self.size.sectors, self.size.factors);
        let size = |context: &str, found: usize, expected: usize| {
            if found == expected {
                Ok(())
            } else {
                Err(CoreError::WrongSize {
                    context: context.to_string(),
                    expected,
                    found,
                })
            }
        };
        size("factor_payments", self.factor_payments.len(), nr)?;
        size("intermediates", self.intermediates.len(), nr)?;
        size("final_demand", self.final_demand.len(), nr)?;
        for r in 0..nr {
            size("factor_payments[r]", self.factor_payments[r].len(), ns)?;
            size("intermediates[r]", self.intermediates[r].len(), ns)?;
            size("final_demand[r]", self.final_demand[r].len(), ns)?;
            for s in 0..ns {
                size(
                    "factor_payments[r][s]",
                    self.factor_payments[r][s].len(),
                    nf,
                )?;
                size("intermediates[r][i]", self.intermediates[r][s].len(), ns)?;
            }
        }
        for (what, a) in [
            ("trade", &self.trade),
            ("tariffs", &self.tariffs),
            ("trade_costs", &self.trade_costs),
        ] {
            size(what, a.len(), ns)?;
            for by_origin in a {
                size(what, by_origin.len(), nr)?;
                for row in by_origin {
                    size(what, row.len(), nr)?;
                }
            }
        }
        size(
            "value_added_elasticities",
            self.value_added_elasticities.len(),
            ns,
        )?;
        size(
            "armington_elasticities",
            self.armington_elasticities.len(),
            ns,
        )?;
        if self.size.migrants {
            size("migrant_shares", self.migrant_shares.len(), nr)?;
        }
        let values = self
            .factor_payments
            .iter()
            .flatten()
            .flatten()
            .chain(self.intermediates.iter().flatten().flatten())
            .chain(self.final_demand.iter().flatten())
            .chain(self.trade.iter().flatten().flatten())
            .chain(self.trade_costs.iter().flatten().flatten())
            .chain(&self.migrant_shares);
        for &v in values {
            if !(v.is_finite() && v >= 0.0) {
                return Err(CoreError::InvalidQuantity {
                    context: format!("synthetic world `{}` data", self.name),
                    value: v,
                });
            }
        }
        for &t in self.tariffs.iter().flatten().flatten() {
            if !(t.is_finite() && t > -1.0) {
                return Err(CoreError::InvalidTax {
                    context: format!("synthetic world `{}` tariff", self.name),
                    rate: t,
                    reason: "an input tax must exceed -1",
                });
            }
        }
        for &e in self
            .value_added_elasticities
            .iter()
            .chain(&self.armington_elasticities)
            .chain([&self.demand_elasticity])
        {
            if !(e.is_finite() && e >= 0.0) {
                return Err(CoreError::InvalidElasticity {
                    context: format!("synthetic world `{}`", self.name),
                    value: e,
                });
            }
        }
        let mut items = Vec::new();
        let mut scale = 1.0_f64;
        for r in 0..nr {
            let mut income = 0.0;
            let mut spending = 0.0;
            for s in 0..ns {
                let output = self.output(s, r);
                let cost: f64 = self.factor_payments[r][s].iter().sum::<f64>()
                    + (0..ns).map(|i| self.intermediates[r][i][s]).sum::<f64>();
                scale = scale.max(output);
                items.push((
                    "zero profit",
                    format!("Y{}.r{}", s + 1, r + 1),
                    cost - output,
                ));
                let absorption: f64 = (0..nr)
                    .map(|o| self.trade[s][o][r] * (1.0 + self.tariffs[s][o][r]))
                    .sum();
                let uses = self.intermediates[r][s].iter().sum::<f64>() + self.final_demand[r][s];
                items.push(("market clearance", composite_price(s, r), absorption - uses));
                income += self.factor_payments[r][s].iter().sum::<f64>()
                    + (0..nr)
                        .map(|o| self.trade[s][o][r] * self.tariffs[s][o][r])
                        .sum::<f64>();
                spending += self.final_demand[r][s];
            }
            scale = scale.max(income);
            items.push(("income balance", region(r), income - spending));
        }
        let tolerance = tolerances::BENCHMARK_RELATIVE * scale;
        let items: Vec<Imbalance> = items
            .into_iter()
            .filter(|(_, _, amount)| amount.is_nan() || amount.abs() > tolerance)
            .map(|(condition, name, amount)| Imbalance {
                condition: condition.to_string(),
                name,
                amount,
            })
            .collect();
        if items.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Unbalanced {
                model: self.name.clone(),
                tolerance,
                items,
            })
        }
    }

    /// The model spec (S3, S4; every sector with demands at its output price, E22).
    ///
    /// # Errors
    /// As [`SyntheticWorld::validate`].
    pub fn spec(&self) -> Result<ModelSpec, CoreError> {
        self.validate()?;
        let (nr, ns, nf) = (self.size.regions, self.size.sectors, self.size.factors);
        let mut spec = ModelSpec::new(self.name.clone());
        for r in 0..nr {
            for f in 0..nf {
                spec = spec.commodity(factor_price(f, r), 1.0);
            }
            for s in 0..ns {
                spec = spec.commodity(output_price(s, r), 1.0);
                spec = spec.commodity(composite_price(s, r), 1.0);
            }
            spec = spec.commodity(welfare_price(r), 1.0);
        }
        for r in 0..nr {
            // S3: production, Leontief over a value-added nest and the composites.
            for s in 0..ns {
                let mut va = NestSpec::new(self.value_added_elasticities[s]).named("va");
                for f in 0..nf {
                    let v = self.factor_payments[r][s][f];
                    if v > 0.0 {
                        va = va.input(factor_price(f, r), v);
                    }
                }
                let mut sector = SectorSpec::new(format!("Y{}.r{}", s + 1, r + 1))
                    .demand_at_output_price(true)
                    .output(output_price(s, r), self.output(s, r))
                    .input_nest(va);
                for i in 0..ns {
                    let v = self.intermediates[r][i][s];
                    if v > 0.0 {
                        sector = sector.input(composite_price(i, r), v);
                    }
                }
                spec = spec.sector(sector);
            }
            // S4: the Armington composite of every origin's variety; tariffs go to the
            // importing region.
            for s in 0..ns {
                let mut a = SectorSpec::new(armington_sector(s, r))
                    .demand_at_output_price(true)
                    .elasticity(self.armington_elasticities[s]);
                let mut value = 0.0;
                for o in 0..nr {
                    let v = self.trade[s][o][r];
                    if v <= 0.0 {
                        continue;
                    }
                    let t = self.tariffs[s][o][r];
                    value += v * (1.0 + t);
                    let flow = Flow::new(output_price(s, o), v);
                    a = a.input_flow(if o == r { flow } else { flow.tax(t, region(r)) });
                }
                spec = spec.sector(a.output(composite_price(s, r), value));
            }
            // The welfare good: final demand at its own price.
            let mut w = SectorSpec::new(format!("W.r{}", r + 1))
                .demand_at_output_price(true)
                .elasticity(self.demand_elasticity);
            let total: f64 = self.final_demand[r].iter().sum();
            for s in 0..ns {
                let v = self.final_demand[r][s];
                if v > 0.0 {
                    w = w.input(composite_price(s, r), v);
                }
            }
            spec = spec.sector(w.output(welfare_price(r), total));
        }
        for r in 0..nr {
            let endowment: Vec<f64> = (0..nf)
                .map(|f| (0..ns).map(|s| self.factor_payments[r][s][f]).sum())
                .collect();
            let tariff_revenue: f64 = (0..ns)
                .map(|s| {
                    (0..nr)
                        .map(|o| self.trade[s][o][r] * self.tariffs[s][o][r])
                        .sum::<f64>()
                })
                .sum();
            let share = self.migrant_shares.get(r).copied().unwrap_or(0.0);
            let migrant_income = share * endowment[0];
            let mut c = ConsumerSpec::new(region(r));
            for f in 0..nf {
                let e = if f == 0 {
                    endowment[0] - migrant_income
                } else {
                    endowment[f]
                };
                if e > 0.0 {
                    c = c.endowment(factor_price(f, r), e);
                }
            }
            let native_income = endowment.iter().sum::<f64>() - migrant_income + tariff_revenue;
            spec = spec.consumer(c.demand(welfare_price(r), native_income));
            if self.size.migrants && migrant_income > 0.0 {
                spec = spec.consumer(
                    ConsumerSpec::new(migrants(r))
                        .endowment(factor_price(0, r), migrant_income)
                        .demand(welfare_price(r), migrant_income),
                );
            }
        }
        Ok(spec.numeraire_price(factor_price(0, 0), 1.0))
    }

    /// Validates the data and builds the model.
    ///
    /// # Errors
    /// As [`SyntheticWorld::validate`] and [`ModelSpec::build`].
    pub fn build(&self) -> Result<Model, CoreError> {
        self.spec()?.build()
    }

    /// Shock: multiplies every tariff by `factor` (0.5 halves them all); returns how many.
    ///
    /// # Errors
    /// As [`Model::scale_input_taxes`].
    pub fn scale_tariffs(&self, model: &mut Model, factor: f64) -> Result<usize, CoreError> {
        model.scale_input_taxes(factor, |sector, _| sector.starts_with('A'))
    }

    /// Shock: the iceberg cost of shipping good `s` from region `o` to region `d` (indices from
    /// 0): 1 + `cost` units leave per unit that arrives (E21).
    ///
    /// # Errors
    /// [`CoreError::InvalidNumber`] for an index out of range or a negative or NaN cost, and
    /// the errors of [`Model::set_input_quantity`].
    pub fn set_trade_cost(
        &self,
        model: &mut Model,
        s: usize,
        o: usize,
        d: usize,
        cost: f64,
    ) -> Result<(), CoreError> {
        let (nr, ns) = (self.size.regions, self.size.sectors);
        if s >= ns || o >= nr || d >= nr || !(cost.is_finite() && cost >= 0.0) {
            return Err(CoreError::InvalidNumber {
                context: format!("trade cost of good {s} from region {o} to region {d}"),
                value: cost,
                expected: "indices in range and a cost finite and >= 0",
            });
        }
        let base = self.trade[s][o][d] / (1.0 + self.trade_costs[s][o][d]);
        model.set_input_quantity(
            &armington_sector(s, d),
            &output_price(s, o),
            base * (1.0 + cost),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_data_balance_and_are_reproducible() {
        let size = WorldSize {
            migrants: true,
            ..WorldSize::new(4, 3, 2)
        };
        let a = SyntheticWorld::generate(size, 7).unwrap();
        a.validate().unwrap();
        assert_eq!(a, SyntheticWorld::generate(size, 7).unwrap());
        assert_ne!(a, SyntheticWorld::generate(size, 8).unwrap());
    }

    #[test]
    fn sizes_are_checked_before_allocating() {
        let e = SyntheticWorld::generate(WorldSize::new(0, 3, 2), 1).unwrap_err();
        assert!(matches!(e, CoreError::InvalidNumber { .. }), "{e}");
        let e = SyntheticWorld::generate_with_limit(WorldSize::new(10_000, 1_000, 10), 1, 8 << 30)
            .unwrap_err();
        assert!(matches!(e, CoreError::TooLarge { .. }), "{e}");
        assert!(e.to_string().contains("10000 regions"), "{e}");
    }

    #[test]
    fn estimate_counts_the_jacobian_exactly() {
        for migrants in [false, true] {
            let size = WorldSize {
                migrants,
                ..WorldSize::new(3, 4, 2)
            };
            let model = SyntheticWorld::generate(size, 3).unwrap().build().unwrap();
            let estimate = size.estimate();
            assert_eq!(estimate.unknowns, model.dim() as u64);
            assert_eq!(
                estimate.triplets,
                (model.jacobian_len() + model.jacobian_fill_len()) as u64
            );
        }
    }
}
