//! Factor-mobility model families: parameter structs whose [`spec`](SectoralMobilityParams::spec)
//! writes an ordinary [`ModelSpec`], so that a family model can be saved, edited, shocked and
//! solved like any other. Equations F1–F18 are stated in `docs/families-mobility.md`; comments
//! cite them.
//!
//! - [`SectoralMobilityParams`]: one region, factors perfectly mobile between sectors (HOS),
//!   sector-specific (Ricardo–Viner), or imperfectly mobile through a CET transformation of
//!   the endowment into sector-specific supplies — selectable per factor ([`Mobility`]).
//! - [`MigrationParams`]: an origin (developing) and a host (high-income) region trading
//!   homogeneous goods, with migration limited by a quota (a licence commodity whose rent goes
//!   to a named consumer) or by the wage gap net of a tariff-equivalent wedge; migrants supply
//!   φ efficiency units of a native, are perfect or imperfect substitutes for natives, remit a
//!   share of their income, and welfare is reported for host natives, earlier migrants, new
//!   migrants and origin residents ([`GroupWelfare`]).
//! - [`CapitalMobilityParams`]: a host economy whose foreign-owned capital comes from owners
//!   who allocate their capital between the host and the rest of the world through a CET
//!   frontier with elasticity ε: an upward-sloping supply of foreign capital.
//!
//! # Example
//!
//! The World Bank (2006) experiment in miniature: raise the host labour force by 3 % through
//! migration and report every group's equivalent variation.
//!
//! ```
//! use cge_core::families::mobility::{MigrationParams, MigrationGood, NEW_MIGRANTS};
//!
//! let params = MigrationParams::new("two regions")
//!     .good(MigrationGood::new("MANUF", 1.0).host(60.0, 40.0).origin(30.0, 20.0))
//!     .good(MigrationGood::new("AGRI", 1.0).host(20.0, 30.0).origin(25.0, 10.0))
//!     .origin_productivity(0.25)
//!     .efficiency(0.8)
//!     .imperfect_substitutes(5.0)
//!     .quota_to(NEW_MIGRANTS);
//! let mut model = params.spec()?.build()?;
//! model.check_benchmark()?;
//! params.raise_host_labour_force(&mut model, 0.03)?;
//! let results = model.solve(&cge_solver::Options::default())?;
//! let welfare = params.welfare_by_group(&results)?;
//! assert!(welfare.groups[NEW_MIGRANTS].equivalent_variation > 0.0);
//! # Ok::<(), cge_core::CoreError>(())
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{suggest, CoreError};
use crate::results::{Results, Welfare};
use crate::spec::{ConsumerSpec, EndowmentSpec, Flow, ModelSpec, NestSpec, SectorSpec};
use crate::Model;

fn one() -> f64 {
    1.0
}

fn default_household() -> String {
    "HH".into()
}

fn default_money_unit() -> String {
    "benchmark money".into()
}

// ---------------------------------------------------------------------------------------------
// Validation helpers: every error names the item and the value.
// ---------------------------------------------------------------------------------------------

fn check_quantity(value: f64, context: impl FnOnce() -> String) -> Result<(), CoreError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(CoreError::InvalidQuantity {
            context: context(),
            value,
        })
    }
}

fn check_positive(value: f64, context: impl FnOnce() -> String) -> Result<(), CoreError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(CoreError::InvalidNumber {
            context: context(),
            value,
            expected: "finite and > 0",
        })
    }
}

fn check_elasticity(value: f64, context: impl FnOnce() -> String) -> Result<(), CoreError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(CoreError::InvalidElasticity {
            context: context(),
            value,
        })
    }
}

fn check_unique<'a>(
    kind: &'static str,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<(), CoreError> {
    let mut seen = std::collections::BTreeSet::new();
    for n in names {
        if !seen.insert(n) {
            return Err(CoreError::DuplicateName {
                kind,
                name: n.to_string(),
            });
        }
    }
    Ok(())
}

fn find_name(
    kind: &'static str,
    name: &str,
    candidates: &[&str],
    context: impl FnOnce() -> String,
) -> Result<(), CoreError> {
    if candidates.contains(&name) {
        Ok(())
    } else {
        Err(CoreError::UnknownName {
            kind,
            name: name.to_string(),
            context: context(),
            suggestions: suggest(name, candidates.iter().copied()),
        })
    }
}

/// A consumer with a CES demand tree over `goods`, benchmark quantities `share_g × income`
/// (F12).
fn consumer(name: &str, sigma: f64, goods: &[(String, f64)], income: f64) -> ConsumerSpec {
    let mut nest = NestSpec::new(sigma);
    for (g, share) in goods {
        nest = nest.input(g.clone(), share * income);
    }
    let mut c = ConsumerSpec::new(name);
    c.demand = nest;
    c
}

/// Multiplies every output of the named sectors by `1 + growth`: a Hicks-neutral productivity
/// change (F18). The benchmark of the edited spec no longer replicates — that is the shock —
/// while benchmark incomes (and so equivalent variations) stay those of the original data.
///
/// # Errors
/// [`CoreError::UnknownName`] for a sector the spec does not declare;
/// [`CoreError::InvalidNumber`] if `1 + growth` is not finite and positive.
pub fn productivity_shock(
    spec: &mut ModelSpec,
    sectors: &[&str],
    growth: f64,
) -> Result<(), CoreError> {
    check_positive(1.0 + growth, || {
        format!("productivity shock: 1 + growth (growth {growth})")
    })?;
    let names: Vec<String> = spec.sectors.iter().map(|s| s.name.clone()).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    for name in sectors {
        find_name("sector", name, &refs, || "productivity shock".into())?;
    }
    for s in &mut spec.sectors {
        if sectors.contains(&s.name.as_str()) {
            for o in &mut s.outputs.items {
                o.quantity *= 1.0 + growth;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Family 1: mobility between sectors within a region
// ---------------------------------------------------------------------------------------------

/// How a factor moves between the sectors of a region (conventions.md, "Factor mobility
/// regimes").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "regime", rename_all = "snake_case", deny_unknown_fields)]
pub enum Mobility {
    /// Perfectly mobile (Heckscher–Ohlin–Samuelson): one market and one price (F2).
    Mobile,
    /// Sector-specific (Ricardo–Viner): one market and one price per sector (F1).
    Specific,
    /// Imperfectly mobile: the endowment is transformed into sector-specific supplies through a
    /// CET frontier with elasticity η ≥ 0 (F3). η = 0 is the specific-factor case; η → ∞
    /// approaches perfect mobility.
    Transformation {
        /// Elasticity of transformation η.
        elasticity: f64,
    },
}

/// A factor of production and its mobility regime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorParams {
    /// Its name (the commodity of a mobile factor or of the endowment).
    pub name: String,
    /// Its mobility between sectors.
    pub mobility: Mobility,
}

/// The benchmark use of one factor in one industry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorUse {
    /// The factor.
    pub factor: String,
    /// Its benchmark value \[money per year, factor price 1\].
    pub value: f64,
}

/// An industry: one sector producing one good of the same name from factors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndustryParams {
    /// Name of the sector and of the good it produces.
    pub name: String,
    /// Elasticity of substitution σ between its factors (default 1, Cobb–Douglas).
    #[serde(default = "one")]
    pub elasticity: f64,
    /// Benchmark factor uses; the output's value is their sum.
    pub factors: Vec<FactorUse>,
}

impl IndustryParams {
    /// An industry with elasticity of substitution σ and no factors yet.
    pub fn new(name: impl Into<String>, elasticity: f64) -> Self {
        Self {
            name: name.into(),
            elasticity,
            factors: Vec::new(),
        }
    }

    /// Adds a factor use of benchmark value `value`.
    pub fn uses(mut self, factor: impl Into<String>, value: f64) -> Self {
        self.factors.push(FactorUse {
            factor: factor.into(),
            value,
        });
        self
    }
}

/// A closed one-region economy whose factors are mobile, sector-specific or imperfectly mobile
/// between industries, factor by factor.
///
/// Construction (F1–F4): one sector per industry producing the good of its name from a CES
/// nest of its factors; one representative household owning every endowment and spending its
/// income on the goods (CES, default Cobb–Douglas, benchmark demand = output). A mobile factor
/// `f` is one commodity `f`; a specific factor is one commodity `f_j` per industry j, each
/// endowed separately; a CET factor is an endowment `f` transformed by the sector `f_SUPPLY`
/// into the supplies `f_j`. Every output carries an output tax declared at zero, paid to the
/// household, so that a producer-price shock is `model.set_output_tax(j, j, -s)` (a subsidy s).
/// The numeraire is the household's income (MPSGE's default).
///
/// Sources: Jones (1971), "A three-factor model in theory, trade and history", in Bhagwati et
/// al. eds., *Trade, Balance of Payments and Growth*; Mussa (1974), *JPE* 82(6); CET
/// allocation of a factor as in Markusen's model M27 (formal/informal labour).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectoralMobilityParams {
    /// The model's name.
    pub name: String,
    /// The household's name (default "HH").
    #[serde(default = "default_household")]
    pub household: String,
    /// Elasticity of substitution in final demand (default 1).
    #[serde(default = "one")]
    pub demand_elasticity: f64,
    /// The factors and their mobility.
    pub factors: Vec<FactorParams>,
    /// The industries.
    pub industries: Vec<IndustryParams>,
}

impl SectoralMobilityParams {
    /// An economy with no factors or industries yet, household "HH", Cobb–Douglas demand.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            household: default_household(),
            demand_elasticity: 1.0,
            factors: Vec::new(),
            industries: Vec::new(),
        }
    }

    /// Adds a factor with its mobility regime.
    pub fn factor(mut self, name: impl Into<String>, mobility: Mobility) -> Self {
        self.factors.push(FactorParams {
            name: name.into(),
            mobility,
        });
        self
    }

    /// Adds an industry.
    pub fn industry(mut self, industry: IndustryParams) -> Self {
        self.industries.push(industry);
        self
    }

    /// The commodity whose price is the return of `factor` in `industry`: `factor` when the
    /// factor is mobile, `factor_industry` otherwise (F1–F3).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`] for an undeclared factor.
    pub fn factor_commodity(&self, factor: &str, industry: &str) -> Result<String, CoreError> {
        let f = self.factor_params(factor, || format!("factor commodity in `{industry}`"))?;
        Ok(match f.mobility {
            Mobility::Mobile => factor.to_string(),
            _ => format!("{factor}_{industry}"),
        })
    }

    /// The name of the CET sector that allocates `factor` (F3).
    pub fn supply_sector(factor: &str) -> String {
        format!("{factor}_SUPPLY")
    }

    fn factor_params(
        &self,
        name: &str,
        context: impl FnOnce() -> String,
    ) -> Result<&FactorParams, CoreError> {
        self.factors.iter().find(|f| f.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.factors.iter().map(|f| f.name.as_str()).collect();
            CoreError::UnknownName {
                kind: "factor",
                name: name.to_string(),
                context: context(),
                suggestions: suggest(name, names),
            }
        })
    }

    /// Checks every parameter.
    ///
    /// # Errors
    /// [`CoreError::DuplicateName`], [`CoreError::UnknownName`] (a use of an undeclared
    /// factor), [`CoreError::InvalidQuantity`] (a negative or NaN value),
    /// [`CoreError::InvalidElasticity`], [`CoreError::EmptyNest`] (an industry or a factor
    /// with no positive value), [`CoreError::EmptyModel`].
    pub fn validate(&self) -> Result<(), CoreError> {
        if self.industries.is_empty() || self.factors.is_empty() {
            return Err(CoreError::EmptyModel {
                model: self.name.clone(),
            });
        }
        check_unique("factor", self.factors.iter().map(|f| f.name.as_str()))?;
        check_unique("industry", self.industries.iter().map(|i| i.name.as_str()))?;
        check_elasticity(self.demand_elasticity, || {
            format!("household `{}` demand", self.household)
        })?;
        for f in &self.factors {
            if let Mobility::Transformation { elasticity } = f.mobility {
                check_elasticity(elasticity, || format!("factor `{}` transformation", f.name))?;
            }
        }
        let mut totals = vec![0.0; self.factors.len()];
        for ind in &self.industries {
            check_elasticity(ind.elasticity, || format!("industry `{}` inputs", ind.name))?;
            let mut total = 0.0;
            for u in &ind.factors {
                let context = || format!("industry `{}` use of `{}`", ind.name, u.factor);
                self.factor_params(&u.factor, context)?;
                check_quantity(u.value, context)?;
                total += u.value;
                if let Some(k) = self.factors.iter().position(|f| f.name == u.factor) {
                    totals[k] += u.value;
                }
            }
            if total <= 0.0 {
                return Err(CoreError::EmptyNest {
                    context: format!("industry `{}` inputs", ind.name),
                });
            }
        }
        for (f, total) in self.factors.iter().zip(totals) {
            if total <= 0.0 {
                return Err(CoreError::EmptyNest {
                    context: format!("factor `{}` (no industry uses it)", f.name),
                });
            }
        }
        Ok(())
    }

    /// Writes the model (F1–F4).
    ///
    /// # Errors
    /// As [`SectoralMobilityParams::validate`].
    pub fn spec(&self) -> Result<ModelSpec, CoreError> {
        self.validate()?;
        let hh = &self.household;
        let mut spec = ModelSpec::new(self.name.clone());
        spec = spec.commodities(self.industries.iter().map(|i| i.name.clone()));
        let mut household = ConsumerSpec::new(hh.clone()).demand_elasticity(self.demand_elasticity);
        // Total use of each factor, by industry (only positive uses get a market).
        let uses = |f: &str| -> Vec<(&str, f64)> {
            self.industries
                .iter()
                .flat_map(|i| {
                    i.factors
                        .iter()
                        .filter(move |u| u.factor == f && u.value > 0.0)
                        .map(move |u| (i.name.as_str(), u.value))
                })
                .collect()
        };
        for f in &self.factors {
            let by_industry = uses(&f.name);
            let total: f64 = by_industry.iter().map(|(_, v)| v).sum();
            match f.mobility {
                // F2: one market for the factor.
                Mobility::Mobile => {
                    spec = spec.commodities([f.name.clone()]);
                    household = household.endowment(f.name.clone(), total);
                }
                // F1: one market per industry, each endowed separately.
                Mobility::Specific => {
                    for (j, v) in &by_industry {
                        let c = format!("{}_{j}", f.name);
                        spec = spec.commodities([c.clone()]);
                        household = household.endowment(c, *v);
                    }
                }
                // F3: the endowment is transformed into industry-specific supplies.
                Mobility::Transformation { elasticity } => {
                    spec = spec.commodities([f.name.clone()]);
                    household = household.endowment(f.name.clone(), total);
                    let mut supply = SectorSpec::new(Self::supply_sector(&f.name))
                        .transformation(elasticity)
                        .input(f.name.clone(), total);
                    for (j, v) in &by_industry {
                        let c = format!("{}_{j}", f.name);
                        spec = spec.commodities([c.clone()]);
                        supply = supply.output(c, *v);
                    }
                    spec = spec.sector(supply);
                }
            }
        }
        // F4: industries, each with an output tax declared at zero for price shocks.
        let mut outputs = Vec::new();
        for ind in &self.industries {
            let mut sector = SectorSpec::new(ind.name.clone()).elasticity(ind.elasticity);
            let mut value = 0.0;
            for u in ind.factors.iter().filter(|u| u.value > 0.0) {
                sector = sector.input(self.factor_commodity(&u.factor, &ind.name)?, u.value);
                value += u.value;
            }
            sector = sector.output_flow(Flow::new(ind.name.clone(), value).tax(0.0, hh.clone()));
            spec = spec.sector(sector);
            outputs.push((ind.name.clone(), value));
        }
        for (g, v) in outputs {
            household = household.demand(g, v);
        }
        Ok(spec.consumer(household))
    }
}

// ---------------------------------------------------------------------------------------------
// Family 2: international labour mobility
// ---------------------------------------------------------------------------------------------

/// Consumer: natives of the host region (own native labour and host capital).
pub const HOST_NATIVES: &str = "HOST_NATIVES";
/// Consumer: migrants already in the host at the benchmark (own migrant labour).
pub const EARLIER_MIGRANTS: &str = "EARLIER_MIGRANTS";
/// Consumer: new migrants — the origin workers who may move (own the pool of potential
/// migrants' labour).
pub const NEW_MIGRANTS: &str = "NEW_MIGRANTS";
/// Consumer: residents of the origin region (own origin labour and capital; receive
/// remittances).
pub const ORIGIN_RESIDENTS: &str = "ORIGIN_RESIDENTS";
/// The four groups, in spec order.
pub const GROUPS: [&str; 4] = [
    HOST_NATIVES,
    EARLIER_MIGRANTS,
    NEW_MIGRANTS,
    ORIGIN_RESIDENTS,
];

/// Commodity: native labour in the host (native-equivalent efficiency units; wage 1 at the
/// benchmark).
pub const NATIVE_LABOUR: &str = "L_NATIVE";
/// Commodity: migrant labour in the host (efficiency units), when migrants are imperfect
/// substitutes for natives.
pub const MIGRANT_LABOUR: &str = "L_MIGRANT";
/// Commodity: host capital (owned by natives).
pub const HOST_CAPITAL: &str = "K_HOST";
/// Commodity: origin labour (workers).
pub const ORIGIN_LABOUR: &str = "L_ORIGIN";
/// Commodity: origin capital.
pub const ORIGIN_CAPITAL: &str = "K_ORIGIN";
/// Commodity: labour of the potential migrants (workers), used at home or abroad.
pub const POOL_LABOUR: &str = "L_POOL";
/// Commodity: migration licence, one per migrant (quota control only).
pub const LICENCE: &str = "LICENCE";
/// Sector: potential migrants working at home.
pub const STAY: &str = "STAY";
/// Sector: migration, one unit per migrant (idle at the benchmark).
pub const MIGRATE: &str = "MIGRATE";

/// How migrants substitute for natives in host production.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MigrantSubstitution {
    /// Perfect substitutes: migrant labour is converted into native-equivalent units
    /// (φ per migrant) and sold on the native labour market (F5b).
    Perfect,
    /// Imperfect substitutes: native and migrant labour form a CES nest with elasticity
    /// σ_m in every host sector; earlier and new migrants supply the same migrant labour (F5a).
    Imperfect {
        /// Elasticity of substitution σ_m between native and migrant labour.
        elasticity: f64,
    },
}

/// What limits migration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MigrationControl {
    /// A quota: one licence per migrant, endowed (0 at the benchmark) to `licence_holder`,
    /// who receives the rent (F9). Shock with [`MigrationParams::set_quota`].
    Quota {
        /// The consumer receiving the quota rent (one of [`GROUPS`]).
        licence_holder: String,
    },
    /// The wage gap net of the wedge alone (F8): migrants move until
    /// φ·w_host = (1 + wedge)·w_origin. The benchmark wedge must be at least the tariff
    /// equivalent of the benchmark wage gap, so that nobody migrates at the benchmark.
    Wedge,
}

/// One homogeneous good traded freely between the two regions, with each region's
/// benchmark factor payments in its production.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationGood {
    /// The good (also the stem of the sector names `{name}_HOST`, `{name}_ORIGIN`).
    pub name: String,
    /// Elasticity of substitution σ between labour and capital (both regions; default 1).
    #[serde(default = "one")]
    pub elasticity: f64,
    /// Host labour payments (natives and earlier migrants) \[money\].
    pub host_labour: f64,
    /// Host capital payments \[money\].
    pub host_capital: f64,
    /// Origin labour payments \[money\].
    pub origin_labour: f64,
    /// Origin capital payments \[money\].
    pub origin_capital: f64,
}

impl MigrationGood {
    /// A good with elasticity σ and no factor payments yet.
    pub fn new(name: impl Into<String>, elasticity: f64) -> Self {
        Self {
            name: name.into(),
            elasticity,
            host_labour: 0.0,
            host_capital: 0.0,
            origin_labour: 0.0,
            origin_capital: 0.0,
        }
    }

    /// Sets the host's labour and capital payments.
    pub fn host(mut self, labour: f64, capital: f64) -> Self {
        self.host_labour = labour;
        self.host_capital = capital;
        self
    }

    /// Sets the origin's labour and capital payments.
    pub fn origin(mut self, labour: f64, capital: f64) -> Self {
        self.origin_labour = labour;
        self.origin_capital = capital;
        self
    }
}

/// Two regions — an origin (developing) and a host (high-income) — with international labour
/// mobility, calibrated to a benchmark without new migration.
///
/// Construction (F5–F13, `docs/families-mobility.md`):
/// - goods: each [`MigrationGood`] is one world market (homogeneous goods, free trade: the
///   regions trade whatever they do not consume, so factor price equalization holds with
///   identical technologies, as in Mundell 1957);
/// - sectors `{good}_HOST` (CES σ over host capital and a labour nest — native and migrant
///   labour with elasticity σ_m, or native-equivalent units) and `{good}_ORIGIN` (CES σ over
///   origin labour and capital, whose reference prices are the origin's Hicks-neutral
///   productivity A relative to the host, so that A = 1 with equal cost shares means identical
///   technologies);
/// - `STAY` employs the potential migrants at home; `MIGRATE` (idle at the benchmark) turns one
///   potential migrant, plus one licence under a quota, into φ efficiency units of host labour;
///   its input carries the wedge as an ad valorem tax paid to `wedge_recipient` (F8);
/// - consumers [`HOST_NATIVES`], [`EARLIER_MIGRANTS`], [`NEW_MIGRANTS`], [`ORIGIN_RESIDENTS`]
///   with the same Cobb–Douglas (or CES) preferences over goods, so that their welfare adds up
///   (F14); [`NEW_MIGRANTS`] pays `remittance_share` of its income to [`ORIGIN_RESIDENTS`]
///   (an income share, E16);
/// - numeraire: the price of the first good.
///
/// Sources: World Bank (2006), *Global Economic Prospects: Economic Implications of Remittances
/// and Migration*, ch. 2; Hamilton & Whalley (1984), *J. Development Economics* 14: 61–75
/// (wage gaps as tariff-equivalent barriers); Walmsley & Winters (2005), *J. Economic
/// Integration* 20(4) (quotas on temporary movement); Mundell (1957), *AER* 47(3): 321–335.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationParams {
    /// The model's name.
    pub name: String,
    /// Unit of money of the data, carried into welfare reports (default "benchmark money").
    #[serde(default = "default_money_unit")]
    pub money_unit: String,
    /// The traded goods (at least two).
    pub goods: Vec<MigrationGood>,
    /// Hicks-neutral productivity A of the origin relative to the host (> 0; default 1): the
    /// benchmark origin wage per worker and capital rental relative to the host's (F6).
    #[serde(default = "one")]
    pub origin_productivity: f64,
    /// Efficiency units φ a migrant supplies, relative to a native (> 0; default 1).
    #[serde(default = "one")]
    pub efficiency: f64,
    /// Share μ of the host's labour payments earned by earlier migrants, in (0, 1)
    /// (default 0.1).
    #[serde(default = "default_earlier_share")]
    pub earlier_migrant_share: f64,
    /// Number of potential (new) migrants P \[workers\], part of the origin labour force; at
    /// most P can move (default: 10 % of the origin labour force).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub potential_migrants: Option<f64>,
    /// Substitution between migrants and natives (default perfect).
    #[serde(default = "default_substitution")]
    pub substitution: MigrantSubstitution,
    /// Share s of the new migrants' income (their spending, E16) paid to origin residents as
    /// remittances, in [0, 1]; the share of their gross income remitted is s / (1 + s).
    #[serde(default)]
    pub remittance_share: f64,
    /// Tariff-equivalent wedge on migration (> −1; default 0) (F8).
    #[serde(default)]
    pub wedge: f64,
    /// Consumer receiving the wedge's revenue (default host natives: a visa fee).
    #[serde(default = "default_wedge_recipient")]
    pub wedge_recipient: String,
    /// What limits migration (default: a quota whose rent goes to the new migrants).
    #[serde(default = "default_control")]
    pub control: MigrationControl,
    /// Elasticity of substitution in final demand (default 1, Cobb–Douglas).
    #[serde(default = "one")]
    pub demand_elasticity: f64,
}

fn default_earlier_share() -> f64 {
    0.1
}

fn default_substitution() -> MigrantSubstitution {
    MigrantSubstitution::Perfect
}

fn default_wedge_recipient() -> String {
    HOST_NATIVES.into()
}

fn default_control() -> MigrationControl {
    MigrationControl::Quota {
        licence_holder: NEW_MIGRANTS.into(),
    }
}

/// Equivalent variations of the four groups of [`MigrationParams`] and their aggregates (F14),
/// in benchmark money.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupWelfare {
    /// Unit of money (from [`MigrationParams::money_unit`]).
    pub money_unit: String,
    /// Welfare of each group (EV in benchmark money and in % of benchmark income).
    pub groups: BTreeMap<String, Welfare>,
    /// EV of the host region's residents: natives and earlier migrants \[money\].
    pub host_residents: f64,
    /// EV of the origin's citizens: new migrants and origin residents (Pritchett 2006's "gain
    /// to citizens of poor countries") \[money\].
    pub origin_citizens: f64,
    /// EV of the world: the sum over groups \[money\].
    pub world: f64,
    /// World EV in % of world benchmark income.
    pub world_percent: f64,
}

impl MigrationParams {
    /// Two regions with no goods yet and the defaults of every field.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            money_unit: default_money_unit(),
            goods: Vec::new(),
            origin_productivity: 1.0,
            efficiency: 1.0,
            earlier_migrant_share: default_earlier_share(),
            potential_migrants: None,
            substitution: default_substitution(),
            remittance_share: 0.0,
            wedge: 0.0,
            wedge_recipient: default_wedge_recipient(),
            control: default_control(),
            demand_elasticity: 1.0,
        }
    }

    /// Adds a good.
    pub fn good(mut self, good: MigrationGood) -> Self {
        self.goods.push(good);
        self
    }

    /// Sets the origin's relative productivity A.
    pub fn origin_productivity(mut self, a: f64) -> Self {
        self.origin_productivity = a;
        self
    }

    /// Sets a migrant's efficiency φ.
    pub fn efficiency(mut self, phi: f64) -> Self {
        self.efficiency = phi;
        self
    }

    /// Sets the earlier migrants' share μ of host labour payments.
    pub fn earlier_migrant_share(mut self, mu: f64) -> Self {
        self.earlier_migrant_share = mu;
        self
    }

    /// Sets the number of potential migrants P \[workers\].
    pub fn potential_migrants(mut self, workers: f64) -> Self {
        self.potential_migrants = Some(workers);
        self
    }

    /// Migrants are perfect substitutes for natives (in efficiency units).
    pub fn perfect_substitutes(mut self) -> Self {
        self.substitution = MigrantSubstitution::Perfect;
        self
    }

    /// Migrants are imperfect substitutes for natives with elasticity σ_m.
    pub fn imperfect_substitutes(mut self, elasticity: f64) -> Self {
        self.substitution = MigrantSubstitution::Imperfect { elasticity };
        self
    }

    /// Sets the remittance share s (of the new migrants' spending).
    pub fn remittance_share(mut self, s: f64) -> Self {
        self.remittance_share = s;
        self
    }

    /// Sets the wedge and its recipient.
    pub fn wedge(mut self, rate: f64, recipient: impl Into<String>) -> Self {
        self.wedge = rate;
        self.wedge_recipient = recipient.into();
        self
    }

    /// Migration limited by a quota whose licences (and rent) go to `holder`.
    pub fn quota_to(mut self, holder: impl Into<String>) -> Self {
        self.control = MigrationControl::Quota {
            licence_holder: holder.into(),
        };
        self
    }

    /// Migration set by the wage gap net of the wedge.
    pub fn wedge_control(mut self) -> Self {
        self.control = MigrationControl::Wedge;
        self
    }

    /// Host labour payments Λ_H = Σ host labour \[money\].
    fn host_labour_bill(&self) -> f64 {
        self.goods.iter().map(|g| g.host_labour).sum()
    }

    /// Origin labour force Λ_O / A \[workers\].
    pub fn origin_labour_force(&self) -> f64 {
        self.goods.iter().map(|g| g.origin_labour).sum::<f64>() / self.origin_productivity
    }

    /// The number of potential migrants P \[workers\] (F12).
    pub fn pool(&self) -> f64 {
        self.potential_migrants
            .unwrap_or(0.1 * self.origin_labour_force())
    }

    /// Host labour force N + E \[workers\]: natives (1 − μ)Λ_H plus earlier migrants μΛ_H/φ
    /// (F13).
    pub fn host_labour_force(&self) -> f64 {
        let lam = self.host_labour_bill();
        let mu = self.earlier_migrant_share;
        (1.0 - mu) * lam + mu * lam / self.efficiency
    }

    /// The quota that raises the host labour force (in workers) by the fraction `x` (F13):
    /// x · (N + E) migrants.
    pub fn quota_for_labour_force_increase(&self, x: f64) -> f64 {
        x * self.host_labour_force()
    }

    /// Tariff equivalent of the benchmark wage gap, φ / A − 1 (F15): the wedge at which a
    /// migrant is indifferent at benchmark prices.
    pub fn tariff_equivalent(&self) -> f64 {
        self.efficiency / self.origin_productivity - 1.0
    }

    /// The commodity new and earlier migrants sell in the host: [`MIGRANT_LABOUR`] under
    /// imperfect substitution, [`NATIVE_LABOUR`] (native-equivalent units) under perfect.
    pub fn host_migrant_commodity(&self) -> &'static str {
        match self.substitution {
            MigrantSubstitution::Perfect => NATIVE_LABOUR,
            MigrantSubstitution::Imperfect { .. } => MIGRANT_LABOUR,
        }
    }

    /// Checks every parameter.
    ///
    /// # Errors
    /// [`CoreError::InvalidNumber`] (fewer than two goods, φ or A not finite and positive, μ
    /// outside (0, 1), more potential migrants than origin workers);
    /// [`CoreError::InvalidQuantity`] (a negative or NaN factor payment or pool);
    /// [`CoreError::EmptyNest`] (a sector without factor payments);
    /// [`CoreError::InvalidElasticity`]; [`CoreError::InvalidShare`] (a remittance share outside
    /// [0, 1]); [`CoreError::InvalidTax`] (a wedge ≤ −1, or below the tariff equivalent under
    /// wedge control); [`CoreError::UnknownName`] (a licence holder or wedge recipient that is
    /// not one of [`GROUPS`]); [`CoreError::DuplicateName`].
    pub fn validate(&self) -> Result<(), CoreError> {
        let model = &self.name;
        if self.goods.len() < 2 {
            return Err(CoreError::InvalidNumber {
                context: format!("migration model `{model}`: number of goods"),
                value: self.goods.len() as f64,
                expected: "at least 2",
            });
        }
        check_unique("good", self.goods.iter().map(|g| g.name.as_str()))?;
        for g in &self.goods {
            check_elasticity(g.elasticity, || format!("good `{}` inputs", g.name))?;
            for (what, v) in [
                ("host_labour", g.host_labour),
                ("host_capital", g.host_capital),
                ("origin_labour", g.origin_labour),
                ("origin_capital", g.origin_capital),
            ] {
                check_quantity(v, || format!("good `{}` {what}", g.name))?;
            }
            for (region, total) in [
                ("HOST", g.host_labour + g.host_capital),
                ("ORIGIN", g.origin_labour + g.origin_capital),
            ] {
                if total <= 0.0 {
                    return Err(CoreError::EmptyNest {
                        context: format!("sector `{}_{region}` inputs", g.name),
                    });
                }
            }
        }
        check_positive(self.origin_productivity, || {
            format!("migration model `{model}`: origin_productivity")
        })?;
        check_positive(self.efficiency, || {
            format!("migration model `{model}`: efficiency (phi) of a migrant")
        })?;
        let mu = self.earlier_migrant_share;
        if !(mu > 0.0 && mu < 1.0) {
            return Err(CoreError::InvalidNumber {
                context: format!("migration model `{model}`: earlier_migrant_share"),
                value: mu,
                expected: "in (0, 1)",
            });
        }
        check_positive(self.host_labour_bill(), || {
            format!("migration model `{model}`: host labour payments")
        })?;
        let pool = self.pool();
        check_quantity(pool, || {
            format!("migration model `{model}`: potential_migrants")
        })?;
        let force = self.origin_labour_force();
        if !(pool > 0.0 && pool < force) {
            return Err(CoreError::InvalidNumber {
                context: format!(
                    "migration model `{model}`: potential_migrants (origin labour force {force})"
                ),
                value: pool,
                expected: "> 0 and below the origin labour force",
            });
        }
        if let MigrantSubstitution::Imperfect { elasticity } = self.substitution {
            check_elasticity(elasticity, || "host labour nest (native, migrant)".into())?;
        }
        check_elasticity(self.demand_elasticity, || "final demand".into())?;
        let s = self.remittance_share;
        if !(0.0..=1.0).contains(&s) {
            return Err(CoreError::InvalidShare {
                from: NEW_MIGRANTS.into(),
                to: ORIGIN_RESIDENTS.into(),
                share: s,
            });
        }
        if !(self.wedge.is_finite() && self.wedge > -1.0) {
            return Err(CoreError::InvalidTax {
                context: format!("migration model `{model}`: wedge"),
                rate: self.wedge,
                reason: "a wedge must be finite and exceed -1",
            });
        }
        find_name("consumer", &self.wedge_recipient, &GROUPS, || {
            "migration wedge recipient".into()
        })?;
        match &self.control {
            MigrationControl::Quota { licence_holder } => {
                find_name("consumer", licence_holder, &GROUPS, || {
                    "migration licence holder".into()
                })?;
            }
            MigrationControl::Wedge => {
                // A tolerance of round-off: the calibrated wedge is often exactly φ/A − 1.
                let gap = self.efficiency - (1.0 + self.wedge) * self.origin_productivity;
                if gap > 1e-12 * self.efficiency {
                    return Err(CoreError::InvalidTax {
                        context: format!(
                            "migration model `{model}`: wedge (tariff equivalent {})",
                            self.tariff_equivalent()
                        ),
                        rate: self.wedge,
                        reason: "under wedge control the benchmark wedge must be at least the tariff equivalent of the wage gap, or migrants would move at the benchmark",
                    });
                }
            }
        }
        Ok(())
    }

    /// Writes the model (F5–F12).
    ///
    /// # Errors
    /// As [`MigrationParams::validate`].
    pub fn spec(&self) -> Result<ModelSpec, CoreError> {
        self.validate()?;
        let a = self.origin_productivity;
        let phi = self.efficiency;
        let mu = self.earlier_migrant_share;
        let pool = self.pool();
        let s = self.remittance_share;
        let host_value: f64 = self
            .goods
            .iter()
            .map(|g| g.host_labour + g.host_capital)
            .sum();
        let origin_value: f64 = self
            .goods
            .iter()
            .map(|g| g.origin_labour + g.origin_capital)
            .sum();
        let world = host_value + origin_value;
        // F12: common budget shares = world output shares, so world goods markets clear.
        let shares: Vec<(String, f64)> = self
            .goods
            .iter()
            .map(|g| {
                let v = g.host_labour + g.host_capital + g.origin_labour + g.origin_capital;
                (g.name.clone(), v / world)
            })
            .collect();
        let host_labour = self.host_labour_bill();
        let host_capital: f64 = self.goods.iter().map(|g| g.host_capital).sum();
        let origin_capital: f64 = self.goods.iter().map(|g| g.origin_capital).sum();
        let origin_workers = self.origin_labour_force();

        let mut spec = ModelSpec::new(self.name.clone())
            .commodities(self.goods.iter().map(|g| g.name.clone()))
            .commodities([NATIVE_LABOUR]);
        let imperfect = match self.substitution {
            MigrantSubstitution::Imperfect { elasticity } => {
                spec = spec.commodities([MIGRANT_LABOUR]);
                Some(elasticity)
            }
            MigrantSubstitution::Perfect => None,
        };
        spec = spec
            .commodities([HOST_CAPITAL])
            // F6: origin factors' reference prices are the origin's relative productivity.
            .commodity(ORIGIN_LABOUR, a)
            .commodity(ORIGIN_CAPITAL, a)
            .commodity(POOL_LABOUR, a);
        // F9: the licence's reference price is the benchmark rent of a first migrant when
        // positive (the margin of MIGRATE is then zero), any positive scale otherwise.
        let gap = phi - (1.0 + self.wedge) * a;
        let quota = match &self.control {
            MigrationControl::Quota { licence_holder } => {
                let price = if gap > 0.0 { gap } else { phi };
                spec = spec.commodity(LICENCE, price);
                Some((licence_holder.clone(), price))
            }
            MigrationControl::Wedge => None,
        };

        for g in &self.goods {
            // F5: host sector, CES σ over capital and labour (a native/migrant nest, F5a, or
            // native-equivalent units, F5b).
            let mut host = SectorSpec::new(format!("{}_HOST", g.name)).elasticity(g.elasticity);
            if g.host_labour > 0.0 {
                host = match imperfect {
                    Some(sigma_m) => host.input_nest(
                        NestSpec::new(sigma_m)
                            .named("labour")
                            .input(NATIVE_LABOUR, (1.0 - mu) * g.host_labour)
                            .input(MIGRANT_LABOUR, mu * g.host_labour),
                    ),
                    None => host.input(NATIVE_LABOUR, g.host_labour),
                };
            }
            if g.host_capital > 0.0 {
                host = host.input(HOST_CAPITAL, g.host_capital);
            }
            spec = spec.sector(host.output(g.name.clone(), g.host_labour + g.host_capital));
            // F6: origin sector; quantities in workers and capital units at reference price A.
            let mut origin = SectorSpec::new(format!("{}_ORIGIN", g.name)).elasticity(g.elasticity);
            if g.origin_labour > 0.0 {
                origin = origin.input(ORIGIN_LABOUR, g.origin_labour / a);
            }
            if g.origin_capital > 0.0 {
                origin = origin.input(ORIGIN_CAPITAL, g.origin_capital / a);
            }
            spec = spec.sector(origin.output(g.name.clone(), g.origin_labour + g.origin_capital));
        }
        // F7: the potential migrants work at home... (F10: the pool's market caps migration
        // at P)
        spec = spec.sector(
            SectorSpec::new(STAY)
                .input(POOL_LABOUR, pool)
                .output(ORIGIN_LABOUR, pool),
        );
        // F8: ...or migrate: one worker (+ one licence) gives φ efficiency units in the host.
        let mut migrate = SectorSpec::new(MIGRATE)
            .benchmark_level(0.0)
            .input_flow(Flow::new(POOL_LABOUR, 1.0).tax(self.wedge, self.wedge_recipient.clone()));
        if quota.is_some() {
            migrate = migrate.input(LICENCE, 1.0);
        }
        spec = spec.sector(migrate.output(self.host_migrant_commodity(), phi));

        // F11, F12: the four groups.
        let sigma = self.demand_elasticity;
        let natives_income = (1.0 - mu) * host_labour + host_capital;
        let earlier_income = mu * host_labour;
        let new_income = a * pool / (1.0 + s);
        let origin_income = a * (origin_workers - pool) + origin_capital + s * new_income;
        let mut groups = [
            consumer(HOST_NATIVES, sigma, &shares, natives_income)
                .endowment(NATIVE_LABOUR, (1.0 - mu) * host_labour)
                .endowment(HOST_CAPITAL, host_capital),
            consumer(EARLIER_MIGRANTS, sigma, &shares, earlier_income)
                .endowment(self.host_migrant_commodity(), mu * host_labour),
            consumer(NEW_MIGRANTS, sigma, &shares, new_income).endowment(POOL_LABOUR, pool),
            consumer(ORIGIN_RESIDENTS, sigma, &shares, origin_income)
                .endowment(ORIGIN_LABOUR, origin_workers - pool)
                .endowment(ORIGIN_CAPITAL, origin_capital / a),
        ];
        if let Some((holder, _)) = &quota {
            if let Some(c) = groups.iter_mut().find(|c| &c.name == holder) {
                // F9: the quota, zero at the benchmark.
                c.endowments.push(EndowmentSpec {
                    commodity: LICENCE.into(),
                    quantity: 0.0,
                    scale: None,
                });
            }
        }
        for c in groups {
            spec = spec.consumer(c);
        }
        Ok(spec
            .income_share(NEW_MIGRANTS, ORIGIN_RESIDENTS, s)
            .numeraire_price(self.goods[0].name.clone(), 1.0))
    }

    /// Sets the migration quota \[migrants\] (F9).
    ///
    /// # Errors
    /// [`CoreError::NotDeclared`] under wedge control; [`CoreError::InvalidQuantity`] for a
    /// negative or NaN quota; errors of [`Model::set_endowment`] if `model` was not built from
    /// these parameters.
    pub fn set_quota(&self, model: &mut Model, migrants: f64) -> Result<(), CoreError> {
        let MigrationControl::Quota { licence_holder } = &self.control else {
            return Err(CoreError::NotDeclared {
                context: format!(
                    "migration model `{}`: quota (the model is under wedge control)",
                    self.name
                ),
            });
        };
        check_quantity(migrants, || {
            format!("migration model `{}`: quota", self.name)
        })?;
        model.set_endowment(licence_holder, LICENCE, migrants)
    }

    /// Raises the host labour force by the fraction `x` through migration: sets the quota to
    /// x·(N + E) migrants (F13). The World Bank (2006) scenario is `x = 0.03`.
    ///
    /// # Errors
    /// As [`MigrationParams::set_quota`].
    pub fn raise_host_labour_force(&self, model: &mut Model, x: f64) -> Result<(), CoreError> {
        self.set_quota(model, self.quota_for_labour_force_increase(x))
    }

    /// Sets the wedge on migration (F8).
    ///
    /// # Errors
    /// [`CoreError::InvalidTax`] for a wedge ≤ −1; errors of [`Model::set_input_tax`].
    pub fn set_wedge(&self, model: &mut Model, rate: f64) -> Result<(), CoreError> {
        model.set_input_tax(MIGRATE, POOL_LABOUR, rate)
    }

    /// Sets the remittance share s paid by new migrants to origin residents (F11).
    ///
    /// # Errors
    /// [`CoreError::InvalidShare`] outside [0, 1].
    pub fn set_remittance_share(&self, model: &mut Model, share: f64) -> Result<(), CoreError> {
        model.set_income_share(NEW_MIGRANTS, ORIGIN_RESIDENTS, share)
    }

    /// Welfare of the four groups and its aggregates (F14).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`] if `results` lack one of the groups (results of another
    /// model).
    pub fn welfare_by_group(&self, results: &Results) -> Result<GroupWelfare, CoreError> {
        let mut groups = BTreeMap::new();
        for g in GROUPS {
            let w = results
                .welfare
                .get(g)
                .ok_or_else(|| CoreError::UnknownName {
                    kind: "consumer",
                    name: g.to_string(),
                    context: format!("welfare by group of `{}`", results.model),
                    suggestions: Vec::new(),
                })?;
            groups.insert(g.to_string(), w.clone());
        }
        let ev = |g: &str| groups[g].equivalent_variation;
        let host_residents = ev(HOST_NATIVES) + ev(EARLIER_MIGRANTS);
        let origin_citizens = ev(NEW_MIGRANTS) + ev(ORIGIN_RESIDENTS);
        let world = host_residents + origin_citizens;
        let world_income: f64 = groups.values().map(|w| w.benchmark_income).sum();
        Ok(GroupWelfare {
            money_unit: self.money_unit.clone(),
            groups,
            host_residents,
            origin_citizens,
            world,
            world_percent: 100.0 * world / world_income,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Family 3: international capital mobility
// ---------------------------------------------------------------------------------------------

/// Consumer: the host's residents (own labour and domestic capital).
pub const HOST: &str = "HOST";
/// Consumer: foreign owners of capital.
pub const FOREIGN_OWNERS: &str = "FOREIGN_OWNERS";
/// Commodity: host labour.
pub const LABOUR: &str = "L";
/// Commodity: capital employed in the host (domestic and foreign, perfect substitutes).
pub const CAPITAL: &str = "K";
/// Commodity: the foreign owners' capital stock, before allocation.
pub const FOREIGN_CAPITAL: &str = "K_FOREIGN";
/// Commodity: foreign capital employed in the rest of the world.
pub const CAPITAL_ABROAD: &str = "K_ABROAD";
/// Sector: the capital-import activity (CET allocation of foreign capital).
pub const CAPITAL_IMPORT: &str = "CAPITAL_IMPORT";
/// Sector: the rest of the world's use of foreign capital (a linear technology).
pub const ABROAD: &str = "ABROAD";

/// A good produced in the host from labour and capital.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapitalGood {
    /// The good and its sector.
    pub name: String,
    /// Elasticity of substitution σ between labour and capital (default 1).
    #[serde(default = "one")]
    pub elasticity: f64,
    /// Labour payments \[money\].
    pub labour: f64,
    /// Capital payments \[money\].
    pub capital: f64,
}

impl CapitalGood {
    /// A good with payments to labour and capital.
    pub fn new(name: impl Into<String>, elasticity: f64, labour: f64, capital: f64) -> Self {
        Self {
            name: name.into(),
            elasticity,
            labour,
            capital,
        }
    }
}

/// A host economy with an upward-sloping supply of foreign capital.
///
/// Construction (F16–F17): host sectors produce the goods from labour and capital (CES σ);
/// [`FOREIGN_OWNERS`] own a capital stock [`FOREIGN_CAPITAL`] that the capital-import activity
/// [`CAPITAL_IMPORT`] allocates between the host ([`CAPITAL`], a perfect substitute for
/// domestic capital) and the rest of the world ([`CAPITAL_ABROAD`]) along a CET frontier with
/// elasticity ε; abroad, the sector [`ABROAD`] turns capital into the goods basket at a fixed
/// rate (the world return). The host's supply of foreign capital then has elasticity
/// ε·(1 − θ_H) with respect to the host's return relative to the world return, θ_H the host's
/// share of the foreign owners' capital income (F16): ε = 0 fixes the foreign stock; a large ε
/// with a small θ_H approaches perfect capital mobility. Homogeneous goods trade freely; both
/// consumers have the same Cobb–Douglas (or CES) preferences. Numeraire: the first good.
///
/// Sources: MacDougall (1960), *Economic Record* 36: 13–35 (gains from foreign capital);
/// CET allocation of a factor across uses as in Markusen's M27 and GTAP's sluggish factors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapitalMobilityParams {
    /// The model's name.
    pub name: String,
    /// Host goods (at least one).
    pub goods: Vec<CapitalGood>,
    /// Share of host capital owned by foreigners at the benchmark, in (0, 1].
    pub foreign_share: f64,
    /// Value of the foreign owners' capital employed abroad \[money\] (> 0).
    pub capital_abroad: f64,
    /// CET elasticity ε of the allocation of foreign capital (≥ 0).
    pub supply_elasticity: f64,
    /// Elasticity of substitution in final demand (default 1).
    #[serde(default = "one")]
    pub demand_elasticity: f64,
}

impl CapitalMobilityParams {
    /// Checks every parameter.
    ///
    /// # Errors
    /// [`CoreError::InvalidNumber`] (no goods, a foreign share outside (0, 1], capital abroad
    /// not positive), [`CoreError::InvalidQuantity`], [`CoreError::InvalidElasticity`],
    /// [`CoreError::EmptyNest`] (no capital in the host), [`CoreError::DuplicateName`].
    pub fn validate(&self) -> Result<(), CoreError> {
        let model = &self.name;
        if self.goods.is_empty() {
            return Err(CoreError::InvalidNumber {
                context: format!("capital mobility model `{model}`: number of goods"),
                value: 0.0,
                expected: "at least 1",
            });
        }
        check_unique("good", self.goods.iter().map(|g| g.name.as_str()))?;
        for g in &self.goods {
            check_elasticity(g.elasticity, || format!("good `{}` inputs", g.name))?;
            check_quantity(g.labour, || format!("good `{}` labour", g.name))?;
            check_quantity(g.capital, || format!("good `{}` capital", g.name))?;
            if g.labour + g.capital <= 0.0 {
                return Err(CoreError::EmptyNest {
                    context: format!("sector `{}` inputs", g.name),
                });
            }
        }
        if self.goods.iter().map(|g| g.capital).sum::<f64>() <= 0.0 {
            return Err(CoreError::EmptyNest {
                context: format!("capital mobility model `{model}`: no host capital"),
            });
        }
        let fs = self.foreign_share;
        if !(fs > 0.0 && fs <= 1.0) {
            return Err(CoreError::InvalidNumber {
                context: format!("capital mobility model `{model}`: foreign_share"),
                value: fs,
                expected: "in (0, 1]",
            });
        }
        check_positive(self.capital_abroad, || {
            format!("capital mobility model `{model}`: capital_abroad")
        })?;
        check_elasticity(self.supply_elasticity, || {
            format!("sector `{CAPITAL_IMPORT}` outputs (supply elasticity)")
        })?;
        check_elasticity(self.demand_elasticity, || "final demand".into())
    }

    /// Writes the model (F16–F17).
    ///
    /// # Errors
    /// As [`CapitalMobilityParams::validate`].
    pub fn spec(&self) -> Result<ModelSpec, CoreError> {
        self.validate()?;
        let labour: f64 = self.goods.iter().map(|g| g.labour).sum();
        let capital: f64 = self.goods.iter().map(|g| g.capital).sum();
        let output = labour + capital;
        let shares: Vec<(String, f64)> = self
            .goods
            .iter()
            .map(|g| (g.name.clone(), (g.labour + g.capital) / output))
            .collect();
        let foreign_in_host = self.foreign_share * capital;
        let abroad = self.capital_abroad;
        let mut spec = ModelSpec::new(self.name.clone())
            .commodities(self.goods.iter().map(|g| g.name.clone()))
            .commodities([LABOUR, CAPITAL, FOREIGN_CAPITAL, CAPITAL_ABROAD]);
        for g in &self.goods {
            let mut s = SectorSpec::new(g.name.clone()).elasticity(g.elasticity);
            if g.labour > 0.0 {
                s = s.input(LABOUR, g.labour);
            }
            if g.capital > 0.0 {
                s = s.input(CAPITAL, g.capital);
            }
            spec = spec.sector(s.output(g.name.clone(), g.labour + g.capital));
        }
        // F16: the capital-import activity.
        spec = spec.sector(
            SectorSpec::new(CAPITAL_IMPORT)
                .transformation(self.supply_elasticity)
                .input(FOREIGN_CAPITAL, foreign_in_host + abroad)
                .output(CAPITAL, foreign_in_host)
                .output(CAPITAL_ABROAD, abroad),
        );
        // F17: the world return, fixed in goods.
        let mut row = SectorSpec::new(ABROAD).input(CAPITAL_ABROAD, abroad);
        for (g, share) in &shares {
            row = row.output(g.clone(), share * abroad);
        }
        spec = spec.sector(row);
        let host_income = labour + capital - foreign_in_host;
        let foreign_income = foreign_in_host + abroad;
        let sigma = self.demand_elasticity;
        Ok(spec
            .consumer(
                consumer(HOST, sigma, &shares, host_income)
                    .endowment(LABOUR, labour)
                    .endowment(CAPITAL, capital - foreign_in_host),
            )
            .consumer(
                consumer(FOREIGN_OWNERS, sigma, &shares, foreign_income)
                    .endowment(FOREIGN_CAPITAL, foreign_in_host + abroad),
            )
            .numeraire_price(self.goods[0].name.clone(), 1.0))
    }
}
