//! Heckscher–Ohlin–Samuelson model families: the 2×2×2 model ([`TwoByTwoByTwo`]), R regions ×
//! G goods × F factors with homogeneous or Armington goods ([`MultiRegion`]), and a small open
//! economy facing world prices ([`SmallOpenEconomy`]).
//!
//! Each family is a parameter struct (serde, unknown fields rejected) whose `spec()` validates
//! the parameters and writes an ordinary [`ModelSpec`]: commodities, sectors and consumers that
//! a user can save, edit, shock and solve like any other model. Equations H1–H14 are in
//! `docs/families-hos.md`; the algebra they compile into is E1–E21 of `docs/model.md`.
//!
//! Names follow one scheme in every family (see the functions [`good_price`],
//! [`factor_price`], [`production_sector`], [`trade_sector`], [`armington_sector`],
//! [`armington_price`]): the price of good `X` in region `H` is `PX.H`, its production sector
//! `X.H`, the route carrying it from `H` to `F` is `X.H>F`, and each region's consumer carries
//! the region's name.
//!
//! Sources: Dixit & Norman (1980), *Theory of International Trade*, ch. 1–4 (cone of
//! diversification, integrated equilibrium, factor price equalization); Jones (1965), "The
//! structure of simple general equilibrium models", *JPE* 73 (magnification); Markusen,
//! *General-Equilibrium Modeling using GAMS and MPS/GE: Some Basics*, models M41 (small open
//! economy) and M49 (2×2×2 Heckscher–Ohlin model with tariffs); Armington (1969), *IMF Staff
//! Papers* 16; Samuelson (1954), *Economic Journal* 64 (iceberg costs).

#![allow(
    clippy::needless_range_loop,
    reason = "the cone algebra (H1-H3) and the data checks index several parallel arrays by \
              country, good and factor; index loops state the equations more plainly"
)]

use serde::{Deserialize, Serialize};

use crate::error::{suggest, CoreError, Imbalance};
use crate::spec::{ConsumerSpec, Flow, ModelSpec, SectorSpec};
use crate::tolerances;
use crate::Model;

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/// Name of the commodity "good `good` in region `region`": `P{good}.{region}`.
pub fn good_price(good: &str, region: &str) -> String {
    format!("P{good}.{region}")
}

/// Name of the commodity "factor `factor` in region `region`": `P{factor}.{region}`.
pub fn factor_price(factor: &str, region: &str) -> String {
    format!("P{factor}.{region}")
}

/// Name of the sector producing `good` in `region`: `{good}.{region}`.
pub fn production_sector(good: &str, region: &str) -> String {
    format!("{good}.{region}")
}

/// Name of the trade activity carrying `good` from `origin` to `destination`:
/// `{good}.{origin}>{destination}` (H5).
pub fn trade_sector(good: &str, origin: &str, destination: &str) -> String {
    format!("{good}.{origin}>{destination}")
}

/// Name of the Armington aggregation sector of `good` in `region`: `A{good}.{region}` (H11).
pub fn armington_sector(good: &str, region: &str) -> String {
    format!("A{good}.{region}")
}

/// Name of the Armington composite of `good` in `region`: `PA{good}.{region}` (H11).
pub fn armington_price(good: &str, region: &str) -> String {
    format!("PA{good}.{region}")
}

fn default_countries() -> [String; 2] {
    ["H".into(), "F".into()]
}

fn default_goods() -> [String; 2] {
    ["X".into(), "Y".into()]
}

fn default_factors() -> [String; 2] {
    ["L".into(), "K".into()]
}

fn unit_pair() -> [f64; 2] {
    [1.0, 1.0]
}

fn one() -> f64 {
    1.0
}

/// Iceberg cost on routes idle at the benchmark: Markusen's M49 ships 50.1 units for 50.
fn default_idle_route_cost() -> f64 {
    0.002
}

/// Markusen's M41: world import prices 1 % above export prices.
fn default_trade_margin() -> f64 {
    0.01
}

// ---------------------------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------------------------

fn check_names<'a>(
    kind: &'static str,
    names: impl IntoIterator<Item = &'a String>,
) -> Result<(), CoreError> {
    let mut seen: Vec<&str> = Vec::new();
    for n in names {
        if n.is_empty() || seen.contains(&n.as_str()) {
            return Err(CoreError::DuplicateName {
                kind,
                name: n.clone(),
            });
        }
        seen.push(n);
    }
    Ok(())
}

fn find(
    kind: &'static str,
    names: &[String],
    name: &str,
    context: &str,
) -> Result<usize, CoreError> {
    names
        .iter()
        .position(|n| n == name)
        .ok_or_else(|| CoreError::UnknownName {
            kind,
            name: name.to_string(),
            context: context.to_string(),
            suggestions: suggest(name, names.iter().map(String::as_str)),
        })
}

fn quantity(value: f64, context: impl FnOnce() -> String) -> Result<(), CoreError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(CoreError::InvalidQuantity {
            context: context(),
            value,
        })
    }
}

fn elasticity(value: f64, context: impl FnOnce() -> String) -> Result<(), CoreError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(CoreError::InvalidElasticity {
            context: context(),
            value,
        })
    }
}

fn number(
    value: f64,
    ok: bool,
    expected: &'static str,
    context: impl FnOnce() -> String,
) -> Result<(), CoreError> {
    if value.is_finite() && ok {
        Ok(())
    } else {
        Err(CoreError::InvalidNumber {
            context: context(),
            value,
            expected,
        })
    }
}

/// Shares that are each in (0, 1) and sum to 1 (within [`tolerances::SHARE_SUM`]).
fn check_shares(shares: &[f64], context: &str) -> Result<(), CoreError> {
    for (i, &s) in shares.iter().enumerate() {
        number(s, s > 0.0 && s < 1.0, "in (0, 1)", || {
            format!("{context} [{i}]")
        })?;
    }
    let sum: f64 = shares.iter().sum();
    number(
        sum,
        (sum - 1.0).abs() <= tolerances::SHARE_SUM,
        "1 (shares must sum to 1)",
        || format!("{context}: sum"),
    )
}

/// A tariff is an input tax: it must exceed −1 (E1).
fn check_tariff(rate: f64, context: impl FnOnce() -> String) -> Result<(), CoreError> {
    let reason = if !rate.is_finite() {
        "must be finite"
    } else if rate <= -1.0 {
        "a tariff (an input tax) must exceed -1"
    } else {
        return Ok(());
    };
    Err(CoreError::InvalidTax {
        context: context(),
        rate,
        reason,
    })
}

fn check_trade_cost(cost: f64, context: impl FnOnce() -> String) -> Result<(), CoreError> {
    number(cost, cost >= 0.0, "finite and >= 0", context)
}

/// H1: outputs Q_g of a 2×2 economy employing endowments `e` at benchmark factor prices 1,
/// where good g uses θ_gf units of factor f per unit (Rybczynski; the cone of
/// diversification is the set of endowments with both outputs positive).
fn cone_outputs(
    theta: &[[f64; 2]; 2],
    e: [f64; 2],
    goods: &[String; 2],
    context: &str,
) -> Result<[f64; 2], CoreError> {
    let det = theta[0][0] * theta[1][1] - theta[1][0] * theta[0][1];
    if det.abs() <= tolerances::SHARE_SUM {
        return Err(CoreError::OutsideCone {
            context: context.to_string(),
            endowments: e.to_vec(),
            reason: "both goods have the same factor intensity, so the cone is a ray".into(),
        });
    }
    let q = [
        (e[0] * theta[1][1] - theta[1][0] * e[1]) / det,
        (theta[0][0] * e[1] - theta[0][1] * e[0]) / det,
    ];
    for g in 0..2 {
        if q[g].is_nan() || q[g] <= 0.0 {
            return Err(CoreError::OutsideCone {
                context: context.to_string(),
                endowments: e.to_vec(),
                reason: format!(
                    "full employment at benchmark factor prices needs an output of `{}` of {:.6e}",
                    goods[g], q[g]
                ),
            });
        }
    }
    Ok(q)
}

fn check_technology(
    goods: &[String; 2],
    cost_shares: &[[f64; 2]; 2],
    elasticities: &[f64; 2],
) -> Result<(), CoreError> {
    for g in 0..2 {
        check_shares(
            &cost_shares[g],
            &format!("cost shares of good `{}`", goods[g]),
        )?;
        elasticity(elasticities[g], || {
            format!("elasticity of substitution of good `{}`", goods[g])
        })?;
    }
    Ok(())
}

/// The CES production sector of one good in one region (H4): output `q`, inputs θ_f · q.
fn production(
    good: &str,
    region: &str,
    factors: &[String],
    shares: &[f64],
    q: f64,
    sigma: f64,
) -> SectorSpec {
    let mut s = SectorSpec::new(production_sector(good, region))
        .elasticity(sigma)
        .output(good_price(good, region), q);
    for (f, &share) in factors.iter().zip(shares) {
        s = s.input(factor_price(f, region), share * q);
    }
    s
}

/// A trade activity (H5): `q` units of the good delivered for q (1 + cost) units shipped,
/// with a tariff (rate 0 at the benchmark) paid to the importer.
fn route(
    good: &str,
    origin: &str,
    destination: &str,
    q: f64,
    cost: f64,
    active: bool,
) -> SectorSpec {
    SectorSpec::new(trade_sector(good, origin, destination))
        .output(good_price(good, destination), q)
        .input_flow(Flow::new(good_price(good, origin), q * (1.0 + cost)).tax(0.0, destination))
        .benchmark_level(if active { 1.0 } else { 0.0 })
}

// ---------------------------------------------------------------------------------------------
// (a) The 2×2×2 model
// ---------------------------------------------------------------------------------------------

/// The 2×2×2 Heckscher–Ohlin–Samuelson model: two countries with identical CES technologies
/// for two goods made of two internationally immobile factors, identical homothetic (CES,
/// default Cobb–Douglas) preferences, and a trade activity for each good and direction with
/// an ad valorem import tariff (an input tax paid to the importer) and an iceberg trade cost
/// (extra input quantities).
///
/// It is calibrated at the *integrated equilibrium* (Dixit & Norman 1980, ch. 4): free trade,
/// every price 1, factor prices equalized; each country produces what full employment of its
/// endowments requires (H1), consumes in proportion to its income (H2) and trades the
/// difference (H3). The routes idle at the benchmark carry a small iceberg cost
/// (`idle_route_cost`) so that gross trade flows are determinate (as Markusen's M49 does with
/// 50.1 units shipped for 50).
///
/// The spec has commodities `PX.H`, `PY.H`, `PL.H`, `PK.H` (and the same for `F`), sectors
/// `X.H`, `Y.H`, `X.F`, `Y.F` (H4) and the routes `X.H>F`, `X.F>H`, `Y.H>F`, `Y.F>H` (H5),
/// consumers `H` and `F`, and MPSGE's default numeraire (the larger income, the first on a
/// tie).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwoByTwoByTwo {
    /// The two countries (default `H`, `F`).
    #[serde(default = "default_countries")]
    pub countries: [String; 2],
    /// The two goods (default `X`, `Y`).
    #[serde(default = "default_goods")]
    pub goods: [String; 2],
    /// The two factors (default `L`, `K`).
    #[serde(default = "default_factors")]
    pub factors: [String; 2],
    /// Endowment of each factor in each country, `[country][factor]` \[units, worth 1 each at
    /// the benchmark\].
    pub endowments: [[f64; 2]; 2],
    /// Benchmark cost share of each factor in each good, `[good][factor]`; each row in (0, 1)
    /// and summing to 1. Identical in both countries.
    pub cost_shares: [[f64; 2]; 2],
    /// Elasticity of substitution between the factors in each good (default 1, Cobb–Douglas).
    #[serde(default = "unit_pair")]
    pub elasticities: [f64; 2],
    /// Elasticity of substitution between the goods in demand (default 1, Cobb–Douglas).
    #[serde(default = "one")]
    pub demand_elasticity: f64,
    /// Iceberg cost of the routes idle at the benchmark (default 0.002); must be > 0.
    #[serde(default = "default_idle_route_cost")]
    pub idle_route_cost: f64,
}

/// The integrated (free-trade) benchmark of a [`TwoByTwoByTwo`] model (H1–H3); quantities in
/// units worth 1 each at the benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegratedBenchmark {
    /// Output of each good in each country, `[country][good]` (H1).
    pub output: [[f64; 2]; 2],
    /// Consumption, `[country][good]` (H2).
    pub consumption: [[f64; 2]; 2],
    /// Net exports = output − consumption, `[country][good]` (H3).
    pub net_exports: [[f64; 2]; 2],
    /// Income of each country (H2).
    pub income: [f64; 2],
    /// Quantity per unit of activity of the trade route of each good from each country,
    /// `[good][origin]`, before the iceberg cost (H3).
    pub route_quantity: [[f64; 2]; 2],
    /// Whether that route is active at the benchmark, `[good][origin]`.
    pub route_active: [[bool; 2]; 2],
}

impl TwoByTwoByTwo {
    /// A model with default names, Cobb–Douglas technologies and preferences.
    pub fn new(endowments: [[f64; 2]; 2], cost_shares: [[f64; 2]; 2]) -> Self {
        Self {
            countries: default_countries(),
            goods: default_goods(),
            factors: default_factors(),
            endowments,
            cost_shares,
            elasticities: unit_pair(),
            demand_elasticity: 1.0,
            idle_route_cost: default_idle_route_cost(),
        }
    }

    /// Checks every parameter.
    ///
    /// # Errors
    /// [`CoreError::DuplicateName`] (also for an empty name), [`CoreError::InvalidQuantity`]
    /// for a negative or NaN endowment, [`CoreError::InvalidNumber`] for cost shares outside
    /// (0, 1) or not summing to 1 and for an idle-route cost that is not > 0,
    /// [`CoreError::InvalidElasticity`], [`CoreError::OutsideCone`].
    pub fn validate(&self) -> Result<(), CoreError> {
        self.benchmark().map(|_| ())
    }

    /// The integrated benchmark (H1–H3).
    ///
    /// # Errors
    /// As [`TwoByTwoByTwo::validate`].
    pub fn benchmark(&self) -> Result<IntegratedBenchmark, CoreError> {
        check_names("country", &self.countries)?;
        check_names("good or factor", self.goods.iter().chain(&self.factors))?;
        for c in 0..2 {
            for f in 0..2 {
                quantity(self.endowments[c][f], || {
                    format!(
                        "endowment of `{}` in `{}`",
                        self.factors[f], self.countries[c]
                    )
                })?;
            }
        }
        check_technology(&self.goods, &self.cost_shares, &self.elasticities)?;
        elasticity(self.demand_elasticity, || "demand elasticity".into())?;
        number(
            self.idle_route_cost,
            self.idle_route_cost > 0.0,
            "finite and > 0",
            || "idle route cost".into(),
        )?;
        let mut output = [[0.0; 2]; 2];
        for (c, out) in output.iter_mut().enumerate() {
            *out = cone_outputs(
                &self.cost_shares,
                self.endowments[c],
                &self.goods,
                &format!("country `{}`", self.countries[c]),
            )?;
        }
        // H2: identical homothetic preferences and one world price vector: every country
        // spends the world output shares of its income.
        let world: [f64; 2] = [output[0][0] + output[1][0], output[0][1] + output[1][1]];
        let world_total = world[0] + world[1];
        let income = [
            self.endowments[0][0] + self.endowments[0][1],
            self.endowments[1][0] + self.endowments[1][1],
        ];
        let mut consumption = [[0.0; 2]; 2];
        let mut net_exports = [[0.0; 2]; 2];
        for c in 0..2 {
            for g in 0..2 {
                consumption[c][g] = income[c] * world[g] / world_total;
                net_exports[c][g] = output[c][g] - consumption[c][g];
            }
        }
        // H3: the exporter's route carries the net trade; the reverse route is idle with the
        // same quantity; a good nobody trades gets idle routes sized by its world output.
        let mut route_quantity = [[0.0; 2]; 2];
        let mut route_active = [[false; 2]; 2];
        for g in 0..2 {
            let n = net_exports[0][g];
            let traded = n.abs() > tolerances::SHARE_SUM * world[g];
            let q = if traded { n.abs() } else { world[g] };
            route_quantity[g] = [q, q];
            route_active[g] = [traded && n > 0.0, traded && n < 0.0];
        }
        Ok(IntegratedBenchmark {
            output,
            consumption,
            net_exports,
            income,
            route_quantity,
            route_active,
        })
    }

    /// The model spec (H1–H5).
    ///
    /// # Errors
    /// As [`TwoByTwoByTwo::validate`].
    pub fn spec(&self) -> Result<ModelSpec, CoreError> {
        let b = self.benchmark()?;
        let (cs, gs, fs) = (&self.countries, &self.goods, &self.factors);
        let mut spec = ModelSpec::new("2x2x2 Heckscher-Ohlin");
        for c in cs {
            spec = spec
                .commodities(gs.iter().map(|g| good_price(g, c)))
                .commodities(fs.iter().map(|f| factor_price(f, c)));
        }
        for (c, country) in cs.iter().enumerate() {
            for g in 0..2 {
                spec = spec.sector(production(
                    &gs[g],
                    country,
                    fs,
                    &self.cost_shares[g],
                    b.output[c][g],
                    self.elasticities[g],
                ));
            }
        }
        for g in 0..2 {
            for o in 0..2 {
                let active = b.route_active[g][o];
                let cost = if active { 0.0 } else { self.idle_route_cost };
                spec = spec.sector(route(
                    &gs[g],
                    &cs[o],
                    &cs[1 - o],
                    b.route_quantity[g][o],
                    cost,
                    active,
                ));
            }
        }
        for (c, country) in cs.iter().enumerate() {
            let mut consumer =
                ConsumerSpec::new(country.clone()).demand_elasticity(self.demand_elasticity);
            for f in 0..2 {
                consumer = consumer.endowment(factor_price(&fs[f], country), self.endowments[c][f]);
            }
            for g in 0..2 {
                consumer = consumer.demand(good_price(&gs[g], country), b.consumption[c][g]);
            }
            spec = spec.consumer(consumer);
        }
        Ok(spec)
    }

    /// Validates the parameters and builds the model.
    ///
    /// # Errors
    /// As [`TwoByTwoByTwo::validate`] and [`ModelSpec::build`].
    pub fn build(&self) -> Result<Model, CoreError> {
        self.spec()?.build()
    }

    fn index(&self, kind: &'static str, name: &str, context: &str) -> Result<usize, CoreError> {
        let names: &[String] = match kind {
            "country" => &self.countries,
            "good" => &self.goods,
            _ => &self.factors,
        };
        find(kind, names, name, context)
    }

    /// Shock: the ad valorem tariff `importer` levies on imports of `good` (H5).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`] for an unknown country or good, [`CoreError::InvalidTax`]
    /// for a rate ≤ −1 or not finite.
    pub fn set_tariff(
        &self,
        model: &mut Model,
        importer: &str,
        good: &str,
        rate: f64,
    ) -> Result<(), CoreError> {
        let context = "2x2x2 tariff";
        let d = self.index("country", importer, context)?;
        let g = self.index("good", good, context)?;
        check_tariff(rate, || format!("tariff of `{importer}` on `{good}`"))?;
        let origin = &self.countries[1 - d];
        model.set_input_tax(
            &trade_sector(good, origin, importer),
            &good_price(&self.goods[g], origin),
            rate,
        )
    }

    /// Shock: the iceberg cost of shipping `good` from `exporter` to the other country: the
    /// route ships 1 + `cost` units per unit delivered (H6; E21).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::InvalidNumber`] for a negative or NaN cost,
    /// and the errors of [`TwoByTwoByTwo::validate`].
    pub fn set_trade_cost(
        &self,
        model: &mut Model,
        exporter: &str,
        good: &str,
        cost: f64,
    ) -> Result<(), CoreError> {
        let context = "2x2x2 trade cost";
        let o = self.index("country", exporter, context)?;
        let g = self.index("good", good, context)?;
        check_trade_cost(cost, || format!("trade cost of `{good}` from `{exporter}`"))?;
        let q = self.benchmark()?.route_quantity[g][o];
        model.set_input_quantity(
            &trade_sector(good, exporter, &self.countries[1 - o]),
            &good_price(good, exporter),
            q * (1.0 + cost),
        )
    }

    /// Shock: the endowment of `factor` in `country`.
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::InvalidQuantity`].
    pub fn set_endowment(
        &self,
        model: &mut Model,
        country: &str,
        factor: &str,
        quantity: f64,
    ) -> Result<(), CoreError> {
        let context = "2x2x2 endowment";
        self.index("country", country, context)?;
        self.index("factor", factor, context)?;
        model.set_endowment(country, &factor_price(factor, country), quantity)
    }
}

// ---------------------------------------------------------------------------------------------
// (c) The small open economy
// ---------------------------------------------------------------------------------------------

/// A small open economy with two goods and two factors, facing fixed world prices: each good
/// can be exported for foreign exchange (`E.X`, H8) or imported with foreign exchange (`M.X`,
/// with a tariff paid to the consumer), and the foreign-exchange market (`PFX`, the
/// numeraire) balances trade (Markusen, M41).
///
/// It is calibrated to free trade with domestic prices 1, production from the cone algebra
/// (H1), consumption by the demand shares (H2) and net trade as the difference (H3). The
/// world price of each good's active trade direction is 1; the other direction differs by the
/// `trade_margin` (imports cost 1 + m, exports fetch 1 − m; H8), as in M41's 1.01 and 0.99,
/// so that trade flows are determinate. When world prices leave the cone the economy
/// specializes completely: one production sector is idle with a positive profit margin.
///
/// Spec: commodities `PX`, `PY`, `PL`, `PK`, `PFX`; sectors `X`, `Y`, `E.X`, `M.X`, `E.Y`,
/// `M.Y`; consumer `HH`; numeraire `PFX` = 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmallOpenEconomy {
    /// The two goods (default `X`, `Y`).
    #[serde(default = "default_goods")]
    pub goods: [String; 2],
    /// The two factors (default `L`, `K`).
    #[serde(default = "default_factors")]
    pub factors: [String; 2],
    /// Endowment of each factor \[units, worth 1 each at the benchmark\].
    pub endowments: [f64; 2],
    /// Benchmark cost share of each factor in each good, `[good][factor]`.
    pub cost_shares: [[f64; 2]; 2],
    /// Elasticity of substitution between the factors in each good (default 1).
    #[serde(default = "unit_pair")]
    pub elasticities: [f64; 2],
    /// Benchmark expenditure share of each good, in (0, 1), summing to 1.
    pub demand_shares: [f64; 2],
    /// Elasticity of substitution between the goods in demand (default 1).
    #[serde(default = "one")]
    pub demand_elasticity: f64,
    /// Relative gap between world import and export prices (default 0.01), in (0, 1).
    #[serde(default = "default_trade_margin")]
    pub trade_margin: f64,
}

/// The benchmark of a [`SmallOpenEconomy`] (H1–H3, H8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenBenchmark {
    /// Output of each good (H1).
    pub output: [f64; 2],
    /// Consumption of each good (H2).
    pub consumption: [f64; 2],
    /// Net exports of each good (H3).
    pub net_exports: [f64; 2],
    /// Quantity per unit of activity of each good's export and import activity.
    pub trade_quantity: [f64; 2],
    /// Benchmark world export price of each good (H8).
    pub export_price: [f64; 2],
    /// Benchmark world import price of each good (H8).
    pub import_price: [f64; 2],
    /// Whether each good's export activity is active at the benchmark.
    pub export_active: [bool; 2],
    /// Whether each good's import activity is active at the benchmark.
    pub import_active: [bool; 2],
}

/// Name of the export activity of `good` in a [`SmallOpenEconomy`]: `E.{good}`.
pub fn export_sector(good: &str) -> String {
    format!("E.{good}")
}

/// Name of the import activity of `good` in a [`SmallOpenEconomy`]: `M.{good}`.
pub fn import_sector(good: &str) -> String {
    format!("M.{good}")
}

/// The foreign-exchange commodity of a [`SmallOpenEconomy`].
pub const FOREIGN_EXCHANGE: &str = "PFX";

/// The consumer of a [`SmallOpenEconomy`].
pub const HOUSEHOLD: &str = "HH";

impl SmallOpenEconomy {
    /// A small open economy with default names, Cobb–Douglas technologies and preferences.
    pub fn new(endowments: [f64; 2], cost_shares: [[f64; 2]; 2], demand_shares: [f64; 2]) -> Self {
        Self {
            goods: default_goods(),
            factors: default_factors(),
            endowments,
            cost_shares,
            elasticities: unit_pair(),
            demand_shares,
            demand_elasticity: 1.0,
            trade_margin: default_trade_margin(),
        }
    }

    /// The benchmark (H1–H3, H8).
    ///
    /// # Errors
    /// [`CoreError::DuplicateName`], [`CoreError::InvalidQuantity`] (endowments),
    /// [`CoreError::InvalidNumber`] (shares, trade margin), [`CoreError::InvalidElasticity`],
    /// [`CoreError::OutsideCone`].
    pub fn benchmark(&self) -> Result<OpenBenchmark, CoreError> {
        check_names("good or factor", self.goods.iter().chain(&self.factors))?;
        for f in 0..2 {
            quantity(self.endowments[f], || {
                format!("endowment of `{}`", self.factors[f])
            })?;
        }
        check_technology(&self.goods, &self.cost_shares, &self.elasticities)?;
        check_shares(&self.demand_shares, "demand shares")?;
        elasticity(self.demand_elasticity, || "demand elasticity".into())?;
        let m = self.trade_margin;
        number(m, m > 0.0 && m < 1.0, "in (0, 1)", || "trade margin".into())?;
        let output = cone_outputs(
            &self.cost_shares,
            self.endowments,
            &self.goods,
            "small open economy",
        )?;
        let income = self.endowments[0] + self.endowments[1];
        let mut b = OpenBenchmark {
            output,
            consumption: [0.0; 2],
            net_exports: [0.0; 2],
            trade_quantity: [0.0; 2],
            export_price: [1.0 - m; 2],
            import_price: [1.0 + m; 2],
            export_active: [false; 2],
            import_active: [false; 2],
        };
        for g in 0..2 {
            b.consumption[g] = income * self.demand_shares[g];
            let n = output[g] - b.consumption[g];
            b.net_exports[g] = n;
            let traded = n.abs() > tolerances::SHARE_SUM * income;
            b.trade_quantity[g] = if traded { n.abs() } else { output[g] };
            if traded && n > 0.0 {
                b.export_price[g] = 1.0;
                b.export_active[g] = true;
            } else if traded {
                b.import_price[g] = 1.0;
                b.import_active[g] = true;
            }
        }
        Ok(b)
    }

    /// The model spec (H1–H3, H8).
    ///
    /// # Errors
    /// As [`SmallOpenEconomy::benchmark`].
    pub fn spec(&self) -> Result<ModelSpec, CoreError> {
        let b = self.benchmark()?;
        let mut spec = ModelSpec::new("small open economy")
            .commodities(self.goods.iter().map(|g| format!("P{g}")))
            .commodities(self.factors.iter().map(|f| format!("P{f}")))
            .commodities([FOREIGN_EXCHANGE]);
        for g in 0..2 {
            let good = &self.goods[g];
            let mut s = SectorSpec::new(good.clone())
                .elasticity(self.elasticities[g])
                .output(format!("P{good}"), b.output[g]);
            for f in 0..2 {
                s = s.input(
                    format!("P{}", self.factors[f]),
                    self.cost_shares[g][f] * b.output[g],
                );
            }
            spec = spec.sector(s);
        }
        for g in 0..2 {
            let good = &self.goods[g];
            let q = b.trade_quantity[g];
            spec = spec
                .sector(
                    SectorSpec::new(export_sector(good))
                        .output(FOREIGN_EXCHANGE, q * b.export_price[g])
                        .input(format!("P{good}"), q)
                        .benchmark_level(if b.export_active[g] { 1.0 } else { 0.0 }),
                )
                .sector(
                    SectorSpec::new(import_sector(good))
                        .output(format!("P{good}"), q)
                        .input_flow(
                            Flow::new(FOREIGN_EXCHANGE, q * b.import_price[g]).tax(0.0, HOUSEHOLD),
                        )
                        .benchmark_level(if b.import_active[g] { 1.0 } else { 0.0 }),
                );
        }
        let mut hh = ConsumerSpec::new(HOUSEHOLD).demand_elasticity(self.demand_elasticity);
        for f in 0..2 {
            hh = hh.endowment(format!("P{}", self.factors[f]), self.endowments[f]);
        }
        for g in 0..2 {
            hh = hh.demand(format!("P{}", self.goods[g]), b.consumption[g]);
        }
        Ok(spec.consumer(hh).numeraire_price(FOREIGN_EXCHANGE, 1.0))
    }

    /// Validates the parameters and builds the model.
    ///
    /// # Errors
    /// As [`SmallOpenEconomy::benchmark`] and [`ModelSpec::build`].
    pub fn build(&self) -> Result<Model, CoreError> {
        self.spec()?.build()
    }

    /// Shock: multiplies the world export and import prices of `good` by `factor` relative to
    /// the benchmark (H8; E21 on the activities' foreign-exchange flows).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::InvalidNumber`] unless the factor is finite and
    /// > 0, and the errors of [`SmallOpenEconomy::benchmark`].
    pub fn set_world_price(
        &self,
        model: &mut Model,
        good: &str,
        factor: f64,
    ) -> Result<(), CoreError> {
        let g = find("good", &self.goods, good, "world price")?;
        number(factor, factor > 0.0, "finite and > 0", || {
            format!("world price factor of `{good}`")
        })?;
        let b = self.benchmark()?;
        let q = b.trade_quantity[g];
        model.set_output_quantity(
            &export_sector(good),
            FOREIGN_EXCHANGE,
            q * b.export_price[g] * factor,
        )?;
        model.set_input_quantity(
            &import_sector(good),
            FOREIGN_EXCHANGE,
            q * b.import_price[g] * factor,
        )
    }

    /// Shock: the ad valorem tariff on imports of `good` (an input tax of the import activity).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::InvalidTax`].
    pub fn set_tariff(&self, model: &mut Model, good: &str, rate: f64) -> Result<(), CoreError> {
        find("good", &self.goods, good, "tariff")?;
        check_tariff(rate, || format!("tariff on `{good}`"))?;
        model.set_input_tax(&import_sector(good), FOREIGN_EXCHANGE, rate)
    }

    /// Shock: the endowment of `factor` (an immigration or a capital inflow).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::InvalidQuantity`].
    pub fn set_endowment(
        &self,
        model: &mut Model,
        factor: &str,
        quantity: f64,
    ) -> Result<(), CoreError> {
        find("factor", &self.factors, factor, "endowment")?;
        model.set_endowment(HOUSEHOLD, &format!("P{factor}"), quantity)
    }
}

// ---------------------------------------------------------------------------------------------
// (b) R regions × G goods × F factors
// ---------------------------------------------------------------------------------------------

/// How goods from different regions relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GoodsKind {
    /// Perfect substitutes: one price per good and region, a trade activity per route (H12).
    Homogeneous,
    /// Differentiated by origin: each region's demand is a CES composite over origins (H11).
    Armington,
}

/// R regions × G goods × F factors, built from a balanced benchmark: factor payments by
/// region and good, and bilateral trade flows (H10). Every region produces with CES
/// technologies over its own factors (H4) and spends its income with CES preferences.
///
/// - [`GoodsKind::Armington`]: region s buys good g as a CES composite `PAg.s` of the
///   varieties of every origin (sector `Ag.s`), with a bilateral tariff (an input tax paid to
///   s, zero at the benchmark) on each foreign variety and an iceberg cost as extra input
///   quantity (H11).
/// - [`GoodsKind::Homogeneous`]: one price `Pg.r` per good and region; a trade activity
///   `g.r>s` for every ordered pair of regions (H12), idle where the benchmark flow is zero
///   (with the `idle_route_cost`). Bilateral flows of a homogeneous good are determinate only
///   if the active routes of each good form a forest (no cycle between exporters and
///   importers); otherwise only net trade is determinate and the MCP's solution is not
///   unique. [`MultiRegion::synthetic_homogeneous`] builds such data.
///
/// Money is in the data's units (e.g. US$ bn of the base year); the benchmark has every price
/// at 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultiRegion {
    /// Model name.
    pub name: String,
    /// The regions.
    pub regions: Vec<String>,
    /// The goods.
    pub goods: Vec<String>,
    /// The factors.
    pub factors: Vec<String>,
    /// Payment to each factor by each sector, `[region][good][factor]` \[money\].
    pub factor_payments: Vec<Vec<Vec<f64>>>,
    /// Value of each good shipped from each region to each region, `[good][origin][destination]`,
    /// the diagonal being domestic sales \[money, at the origin's prices\].
    pub trade: Vec<Vec<Vec<f64>>>,
    /// Homogeneous or Armington goods.
    pub kind: GoodsKind,
    /// Elasticity of substitution between the factors, per good.
    pub production_elasticities: Vec<f64>,
    /// Armington elasticity between origins, per good (ignored for homogeneous goods).
    pub armington_elasticities: Vec<f64>,
    /// Elasticity of substitution between goods in demand (default 1).
    #[serde(default = "one")]
    pub demand_elasticity: f64,
    /// Iceberg cost of homogeneous-goods routes idle at the benchmark (default 0.002), > 0.
    #[serde(default = "default_idle_route_cost")]
    pub idle_route_cost: f64,
}

/// Sums derived from [`MultiRegion`] data (H10).
struct Totals {
    /// Output of each good in each region, `[region][good]`.
    output: Vec<Vec<f64>>,
    /// Absorption of each good in each region, `[region][good]`.
    absorption: Vec<Vec<f64>>,
    /// Endowment of each factor in each region, `[region][factor]`.
    endowment: Vec<Vec<f64>>,
}

impl MultiRegion {
    fn check_len(
        context: impl FnOnce() -> String,
        found: usize,
        expected: usize,
    ) -> Result<(), CoreError> {
        if found == expected {
            Ok(())
        } else {
            Err(CoreError::WrongSize {
                context: context(),
                expected,
                found,
            })
        }
    }

    /// Checks sizes, values, names and the balance of the data (H10) and returns the totals.
    fn totals(&self) -> Result<Totals, CoreError> {
        let (nr, ng, nf) = (self.regions.len(), self.goods.len(), self.factors.len());
        check_names("region", &self.regions)?;
        check_names("good or factor", self.goods.iter().chain(&self.factors))?;
        for (what, n) in [("regions", nr), ("goods", ng), ("factors", nf)] {
            number(n as f64, n > 0, "at least 1", || {
                format!("number of {what}")
            })?;
        }
        Self::check_len(|| "factor_payments".into(), self.factor_payments.len(), nr)?;
        for (r, by_good) in self.factor_payments.iter().enumerate() {
            Self::check_len(|| format!("factor_payments[{r}]"), by_good.len(), ng)?;
            for (g, by_factor) in by_good.iter().enumerate() {
                Self::check_len(|| format!("factor_payments[{r}][{g}]"), by_factor.len(), nf)?;
                for (f, &v) in by_factor.iter().enumerate() {
                    quantity(v, || {
                        format!(
                            "payment to `{}` by `{}` in `{}`",
                            self.factors[f], self.goods[g], self.regions[r]
                        )
                    })?;
                }
            }
        }
        Self::check_len(|| "trade".into(), self.trade.len(), ng)?;
        for (g, by_origin) in self.trade.iter().enumerate() {
            Self::check_len(|| format!("trade[{g}]"), by_origin.len(), nr)?;
            for (r, by_dest) in by_origin.iter().enumerate() {
                Self::check_len(|| format!("trade[{g}][{r}]"), by_dest.len(), nr)?;
                for (s, &v) in by_dest.iter().enumerate() {
                    quantity(v, || {
                        format!(
                            "trade of `{}` from `{}` to `{}`",
                            self.goods[g], self.regions[r], self.regions[s]
                        )
                    })?;
                }
            }
        }
        Self::check_len(
            || "production_elasticities".into(),
            self.production_elasticities.len(),
            ng,
        )?;
        Self::check_len(
            || "armington_elasticities".into(),
            self.armington_elasticities.len(),
            ng,
        )?;
        for g in 0..ng {
            elasticity(self.production_elasticities[g], || {
                format!("production elasticity of `{}`", self.goods[g])
            })?;
            elasticity(self.armington_elasticities[g], || {
                format!("Armington elasticity of `{}`", self.goods[g])
            })?;
        }
        elasticity(self.demand_elasticity, || "demand elasticity".into())?;
        number(
            self.idle_route_cost,
            self.idle_route_cost > 0.0,
            "finite and > 0",
            || "idle route cost".into(),
        )?;

        let output: Vec<Vec<f64>> = self
            .factor_payments
            .iter()
            .map(|by_good| by_good.iter().map(|v| v.iter().sum()).collect())
            .collect();
        let endowment: Vec<Vec<f64>> = (0..nr)
            .map(|r| {
                (0..nf)
                    .map(|f| (0..ng).map(|g| self.factor_payments[r][g][f]).sum())
                    .collect()
            })
            .collect();
        let absorption: Vec<Vec<f64>> = (0..nr)
            .map(|s| {
                (0..ng)
                    .map(|g| (0..nr).map(|r| self.trade[g][r][s]).sum())
                    .collect()
            })
            .collect();
        let income: Vec<f64> = endowment.iter().map(|e| e.iter().sum()).collect();
        let scale = output
            .iter()
            .flatten()
            .chain(&income)
            .fold(1.0_f64, |a, &b| a.max(b));
        let tolerance = tolerances::BENCHMARK_RELATIVE * scale;
        let mut items = Vec::new();
        for r in 0..nr {
            for g in 0..ng {
                let shipped: f64 = self.trade[g][r].iter().sum();
                let amount = output[r][g] - shipped;
                if amount.abs() > tolerance {
                    items.push(Imbalance {
                        condition: "market clearance".into(),
                        name: good_price(&self.goods[g], &self.regions[r]),
                        amount,
                    });
                }
            }
        }
        for s in 0..nr {
            let amount = income[s] - absorption[s].iter().sum::<f64>();
            if amount.abs() > tolerance {
                items.push(Imbalance {
                    condition: "income balance".into(),
                    name: self.regions[s].clone(),
                    amount,
                });
            }
        }
        if !items.is_empty() {
            return Err(CoreError::Unbalanced {
                model: self.name.clone(),
                tolerance,
                items,
            });
        }
        Ok(Totals {
            output,
            absorption,
            endowment,
        })
    }

    /// Checks the data: sizes, values, names and balance (H10).
    ///
    /// # Errors
    /// [`CoreError::WrongSize`] for an array of the wrong length, [`CoreError::DuplicateName`],
    /// [`CoreError::InvalidQuantity`] for a negative or NaN value,
    /// [`CoreError::InvalidElasticity`], [`CoreError::InvalidNumber`] (no region, good or
    /// factor; idle-route cost), [`CoreError::Unbalanced`] naming every output that is not
    /// shipped and every region whose absorption differs from its factor income.
    pub fn validate(&self) -> Result<(), CoreError> {
        self.totals().map(|_| ())
    }

    /// The model spec (H4, H10–H12).
    ///
    /// # Errors
    /// As [`MultiRegion::validate`].
    pub fn spec(&self) -> Result<ModelSpec, CoreError> {
        let t = self.totals()?;
        let (rs, gs, fs) = (&self.regions, &self.goods, &self.factors);
        let mut spec = ModelSpec::new(self.name.clone());
        // Commodities exist where something is traded in them (a market with neither supply
        // nor demand would leave its price undetermined).
        let has_good = |g: usize, r: usize| t.output[r][g] > 0.0 || t.absorption[r][g] > 0.0;
        for (r, region) in rs.iter().enumerate() {
            for (f, factor) in fs.iter().enumerate() {
                if t.endowment[r][f] > 0.0 {
                    spec = spec.commodity(factor_price(factor, region), 1.0);
                }
            }
            for (g, good) in gs.iter().enumerate() {
                if match self.kind {
                    GoodsKind::Armington => t.output[r][g] > 0.0,
                    GoodsKind::Homogeneous => has_good(g, r),
                } {
                    spec = spec.commodity(good_price(good, region), 1.0);
                }
                if self.kind == GoodsKind::Armington && t.absorption[r][g] > 0.0 {
                    spec = spec.commodity(armington_price(good, region), 1.0);
                }
            }
        }
        // H4: production.
        for (r, region) in rs.iter().enumerate() {
            for (g, good) in gs.iter().enumerate() {
                if t.output[r][g] <= 0.0 {
                    continue;
                }
                let mut s = SectorSpec::new(production_sector(good, region))
                    .elasticity(self.production_elasticities[g])
                    .output(good_price(good, region), t.output[r][g]);
                for (f, factor) in fs.iter().enumerate() {
                    let v = self.factor_payments[r][g][f];
                    if v > 0.0 {
                        s = s.input(factor_price(factor, region), v);
                    }
                }
                spec = spec.sector(s);
            }
        }
        match self.kind {
            GoodsKind::Armington => {
                // H11: the composite of every origin's variety, tariffs on foreign ones.
                for (s, dest) in rs.iter().enumerate() {
                    for (g, good) in gs.iter().enumerate() {
                        if t.absorption[s][g] <= 0.0 {
                            continue;
                        }
                        let mut a = SectorSpec::new(armington_sector(good, dest))
                            .elasticity(self.armington_elasticities[g])
                            .output(armington_price(good, dest), t.absorption[s][g]);
                        for (r, origin) in rs.iter().enumerate() {
                            let v = self.trade[g][r][s];
                            if v <= 0.0 {
                                continue;
                            }
                            let flow = Flow::new(good_price(good, origin), v);
                            a = a.input_flow(if r == s {
                                flow
                            } else {
                                flow.tax(0.0, dest.clone())
                            });
                        }
                        spec = spec.sector(a);
                    }
                }
            }
            GoodsKind::Homogeneous => {
                // H12: a route for every ordered pair that can carry the good.
                for (g, good) in gs.iter().enumerate() {
                    for (r, origin) in rs.iter().enumerate() {
                        if t.output[r][g] <= 0.0 {
                            continue;
                        }
                        for (s, dest) in rs.iter().enumerate() {
                            if s == r || !has_good(g, s) {
                                continue;
                            }
                            let v = self.trade[g][r][s];
                            spec = spec.sector(if v > 0.0 {
                                route(good, origin, dest, v, 0.0, true)
                            } else {
                                route(
                                    good,
                                    origin,
                                    dest,
                                    t.output[r][g],
                                    self.idle_route_cost,
                                    false,
                                )
                            });
                        }
                    }
                }
            }
        }
        for (s, region) in rs.iter().enumerate() {
            let mut c = ConsumerSpec::new(region.clone()).demand_elasticity(self.demand_elasticity);
            for (f, factor) in fs.iter().enumerate() {
                if t.endowment[s][f] > 0.0 {
                    c = c.endowment(factor_price(factor, region), t.endowment[s][f]);
                }
            }
            for (g, good) in gs.iter().enumerate() {
                let v = t.absorption[s][g];
                if v > 0.0 {
                    c = c.demand(
                        match self.kind {
                            GoodsKind::Armington => armington_price(good, region),
                            GoodsKind::Homogeneous => good_price(good, region),
                        },
                        v,
                    );
                }
            }
            spec = spec.consumer(c);
        }
        Ok(spec)
    }

    /// Validates the data and builds the model.
    ///
    /// # Errors
    /// As [`MultiRegion::validate`] and [`ModelSpec::build`].
    pub fn build(&self) -> Result<Model, CoreError> {
        self.spec()?.build()
    }

    fn route_indices(
        &self,
        good: &str,
        origin: &str,
        destination: &str,
        context: &str,
    ) -> Result<(usize, usize, usize), CoreError> {
        Ok((
            find("good", &self.goods, good, context)?,
            find("region", &self.regions, origin, context)?,
            find("region", &self.regions, destination, context)?,
        ))
    }

    /// Shock: the tariff `destination` levies on `good` from `origin` (H11, H12).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`] for an unknown name or a route the data do not have,
    /// [`CoreError::NotDeclared`] for a domestic flow, [`CoreError::InvalidTax`].
    pub fn set_tariff(
        &self,
        model: &mut Model,
        good: &str,
        origin: &str,
        destination: &str,
        rate: f64,
    ) -> Result<(), CoreError> {
        self.route_indices(good, origin, destination, "multi-region tariff")?;
        check_tariff(rate, || {
            format!("tariff of `{destination}` on `{good}` from `{origin}`")
        })?;
        let sector = match self.kind {
            GoodsKind::Armington => armington_sector(good, destination),
            GoodsKind::Homogeneous => trade_sector(good, origin, destination),
        };
        model.set_input_tax(&sector, &good_price(good, origin), rate)
    }

    /// Shock: the iceberg cost of shipping `good` from `origin` to `destination`: 1 + `cost`
    /// units leave per unit that arrives (H6; E21).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::InvalidNumber`] for a negative or NaN cost,
    /// and the errors of [`MultiRegion::validate`].
    pub fn set_trade_cost(
        &self,
        model: &mut Model,
        good: &str,
        origin: &str,
        destination: &str,
        cost: f64,
    ) -> Result<(), CoreError> {
        let (g, r, s) = self.route_indices(good, origin, destination, "multi-region trade cost")?;
        check_trade_cost(cost, || {
            format!("trade cost of `{good}` from `{origin}` to `{destination}`")
        })?;
        let t = self.totals()?;
        let v = self.trade[g][r][s];
        let (sector, base) = match self.kind {
            GoodsKind::Armington => (armington_sector(good, destination), v),
            GoodsKind::Homogeneous => (
                trade_sector(good, origin, destination),
                if v > 0.0 { v } else { t.output[r][g] },
            ),
        };
        model.set_input_quantity(&sector, &good_price(good, origin), base * (1.0 + cost))
    }

    /// Shock: the endowment of `factor` in `region`.
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::InvalidQuantity`].
    pub fn set_endowment(
        &self,
        model: &mut Model,
        region: &str,
        factor: &str,
        quantity: f64,
    ) -> Result<(), CoreError> {
        find("region", &self.regions, region, "multi-region endowment")?;
        find("factor", &self.factors, factor, "multi-region endowment")?;
        model.set_endowment(region, &factor_price(factor, region), quantity)
    }

    /// Synthetic Armington data balanced by construction (H13): regions `r1`…, goods `g1`…,
    /// factors `f1`…; factor payments from a seeded generator (identical factor intensities
    /// by good across regions, regional factor abundance and size); bilateral flows with a home
    /// bias, balanced by biproportional (RAS) scaling to the outputs and to each region's
    /// income. Production elasticities 1, Armington elasticities 4 (a common GTAP-range value).
    ///
    /// # Errors
    /// [`CoreError::InvalidNumber`] if a size is 0.
    pub fn synthetic(
        regions: usize,
        goods: usize,
        factors: usize,
        seed: u64,
    ) -> Result<Self, CoreError> {
        let mut m = Self::synthetic_payments(regions, goods, factors, seed)?;
        let mut rng = SplitMix64::new(seed ^ 0x5EED_A12E);
        let t = m.raw_totals();
        let income: Vec<f64> = t.iter().map(|o| o.iter().sum()).collect();
        // Prior: gravity-like with home bias and noise; rows (good, origin), columns dest.
        let (nr, ng) = (regions, goods);
        let mut flows = vec![vec![vec![0.0; nr]; nr]; ng];
        for (g, by_origin) in flows.iter_mut().enumerate() {
            for (r, row) in by_origin.iter_mut().enumerate() {
                for (s, v) in row.iter_mut().enumerate() {
                    let bias = if r == s { 4.0 } else { 1.0 };
                    *v = t[r][g] * income[s] * bias * rng.uniform(0.5, 1.5);
                }
            }
        }
        for _ in 0..10_000 {
            // Columns: each destination absorbs its income.
            let mut worst = 0.0_f64;
            for s in 0..nr {
                let sum: f64 = (0..ng)
                    .flat_map(|g| (0..nr).map(move |r| (g, r)))
                    .map(|(g, r)| flows[g][r][s])
                    .sum();
                let k = income[s] / sum;
                worst = worst.max((k - 1.0).abs());
                for by_origin in flows.iter_mut() {
                    for row in by_origin.iter_mut() {
                        row[s] *= k;
                    }
                }
            }
            // Rows: each output is shipped (exact after this step).
            for (g, by_origin) in flows.iter_mut().enumerate() {
                for (r, row) in by_origin.iter_mut().enumerate() {
                    let sum: f64 = row.iter().sum();
                    let k = t[r][g] / sum;
                    worst = worst.max((k - 1.0).abs());
                    for v in row.iter_mut() {
                        *v *= k;
                    }
                }
            }
            if worst < tolerances::SYNTHETIC_BALANCE {
                break;
            }
        }
        m.trade = flows;
        Ok(m)
    }

    /// Synthetic homogeneous-goods data balanced by construction (H13): the factor payments of
    /// [`MultiRegion::synthetic`]; every region spends the world output shares of its income;
    /// net exporters ship to net importers by the north-west-corner rule, so that each good's
    /// active routes form a tree and bilateral flows are determinate.
    ///
    /// # Errors
    /// [`CoreError::InvalidNumber`] if a size is 0.
    pub fn synthetic_homogeneous(
        regions: usize,
        goods: usize,
        factors: usize,
        seed: u64,
    ) -> Result<Self, CoreError> {
        let mut m = Self::synthetic_payments(regions, goods, factors, seed)?;
        m.kind = GoodsKind::Homogeneous;
        let t = m.raw_totals();
        let income: Vec<f64> = t.iter().map(|o| o.iter().sum()).collect();
        let world_income: f64 = income.iter().sum();
        let mut flows = vec![vec![vec![0.0; regions]; regions]; goods];
        for (g, by_origin) in flows.iter_mut().enumerate() {
            let world: f64 = t.iter().map(|o| o[g]).sum();
            let consumption: Vec<f64> = income.iter().map(|i| i * world / world_income).collect();
            let mut supply: Vec<(usize, f64)> = Vec::new();
            let mut demand: Vec<(usize, f64)> = Vec::new();
            for r in 0..regions {
                let domestic = t[r][g].min(consumption[r]);
                by_origin[r][r] = domestic;
                let net = t[r][g] - consumption[r];
                if net > 0.0 {
                    supply.push((r, net));
                } else if net < 0.0 {
                    demand.push((r, -net));
                }
            }
            // North-west corner: a basic (acyclic) solution of the transportation problem.
            let (mut i, mut j) = (0, 0);
            while i < supply.len() && j < demand.len() {
                let q = supply[i].1.min(demand[j].1);
                by_origin[supply[i].0][demand[j].0] += q;
                supply[i].1 -= q;
                demand[j].1 -= q;
                if supply[i].1 <= demand[j].1 {
                    i += 1;
                } else {
                    j += 1;
                }
            }
        }
        m.trade = flows;
        Ok(m)
    }

    fn raw_totals(&self) -> Vec<Vec<f64>> {
        self.factor_payments
            .iter()
            .map(|by_good| by_good.iter().map(|v| v.iter().sum()).collect())
            .collect()
    }

    fn synthetic_payments(
        regions: usize,
        goods: usize,
        factors: usize,
        seed: u64,
    ) -> Result<Self, CoreError> {
        for (what, n) in [("regions", regions), ("goods", goods), ("factors", factors)] {
            number(n as f64, n > 0, "at least 1", || {
                format!("synthetic: number of {what}")
            })?;
        }
        let mut rng = SplitMix64::new(seed);
        let intensity: Vec<Vec<f64>> = (0..goods)
            .map(|_| (0..factors).map(|_| rng.uniform(0.2, 1.0)).collect())
            .collect();
        let size: Vec<f64> = (0..regions).map(|_| rng.uniform(0.5, 2.0)).collect();
        let abundance: Vec<Vec<f64>> = (0..regions)
            .map(|_| (0..factors).map(|_| rng.uniform(0.5, 1.5)).collect())
            .collect();
        let factor_payments = (0..regions)
            .map(|r| {
                (0..goods)
                    .map(|g| {
                        (0..factors)
                            .map(|f| {
                                10.0 * size[r]
                                    * intensity[g][f]
                                    * abundance[r][f]
                                    * rng.uniform(0.8, 1.25)
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Ok(Self {
            name: format!("synthetic {regions}x{goods}x{factors} (seed {seed})"),
            regions: (1..=regions).map(|i| format!("r{i}")).collect(),
            goods: (1..=goods).map(|i| format!("g{i}")).collect(),
            factors: (1..=factors).map(|i| format!("f{i}")).collect(),
            factor_payments,
            trade: Vec::new(),
            kind: GoodsKind::Armington,
            production_elasticities: vec![1.0; goods],
            armington_elasticities: vec![4.0; goods],
            demand_elasticity: 1.0,
            idle_route_cost: default_idle_route_cost(),
        })
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, well-mixed seeded generator, so that
/// synthetic data are reproducible without a dependency.
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    pub(crate) fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        // 53 random bits → [0, 1).
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * u
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_reproducible_and_in_range() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        for _ in 0..1000 {
            let x = a.uniform(0.5, 1.5);
            assert_eq!(x, b.uniform(0.5, 1.5));
            assert!((0.5..1.5).contains(&x));
        }
        // The reference value of SplitMix64 for seed 0 (Vigna's splitmix64.c).
        assert_eq!(SplitMix64::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn cone_algebra_inverts_full_employment() {
        let theta = [[0.75, 0.25], [0.25, 0.75]];
        let goods = default_goods();
        let q = cone_outputs(&theta, [100.0, 60.0], &goods, "c").unwrap();
        assert!((0.75 * q[0] + 0.25 * q[1] - 100.0).abs() < 1e-12);
        assert!((0.25 * q[0] + 0.75 * q[1] - 60.0).abs() < 1e-12);
        let e = cone_outputs(&theta, [100.0, 20.0], &goods, "c").unwrap_err();
        assert!(matches!(e, CoreError::OutsideCone { .. }), "{e}");
        let e = cone_outputs(&[[0.5, 0.5], [0.5, 0.5]], [1.0, 1.0], &goods, "c").unwrap_err();
        assert!(e.to_string().contains("same factor intensity"), "{e}");
    }
}
