//! The calibrated world model behind the headline reproductions: two regions (high income,
//! developing) projected from 2001 data to a horizon year, with merchandise traded as
//! Armington varieties under import tariffs, non-traded services, capital and labour, migrants
//! as a distinct labour type in the high-income region, and consumers by group: high-income
//! natives, earlier migrants, new migrants, developing-country residents, and what developing
//! countries buy with official transfers ([`names::OFFICIAL_TRANSFERS`]).
//!
//! Data flow: [`WorldData`] (shipped extracts) → [`Baseline::project`] (the horizon year) →
//! [`build`] (a balanced benchmark as a `cge-core` [`ModelSpec`]) → scenarios
//! ([`migration`], [`trade_liberalization`], [`transfer`]) solved by `cge-solver`.
//!
//! # The benchmark (all values in US$ bn at 2001 prices, every price 1)
//!
//! For each region r with GDP Y_r and labour share λ_r (PWT `labsh`):
//! - value added of merchandise and services: Y_r·μ_r and Y_r·(1 − μ_r), each produced by a
//!   CES (σ_va) of capital (1 − λ_r) and labour λ_r; in the high-income region labour is a CES
//!   (σ_m) of native labour and migrant labour;
//! - imports of the other region's merchandise m_r, taxed at the tariff t_r with the revenue to
//!   the region's resident consumer; the Armington composite is a CES (σ_A) of the domestic
//!   and imported varieties; merchandise sold at home and exported is one good, or, with
//!   [`WorldParameters::export_transformation`], two goods on a CET frontier of the producer;
//! - consumption in each region is Cobb–Douglas over the Armington composite and services;
//! - the developing region's imports from the high-income region are data
//!   ([`WorldParameters::dev_imports_share`]); the high-income region's imports follow from
//!   the balance of payments, so that remittances finance part of the developing region's
//!   imports.
//!
//! Earlier migrants supply a share of the high-income labour force at a relative wage ω of a
//! native's (the value of migrant labour is ω·w̄·persons); they remit a share ρ of their
//! income to developing-country residents. New migrants are a consumer endowed at the
//! benchmark with developing-country labour; the migration shock moves their endowment to
//! migrant labour in the host, at the same relative wage ω, and starts their remittances.
//! Every consumer living in the high-income region buys its consumption good, whose price is
//! the numeraire: welfare is in US$ bn of 2001 high-income consumption. New migrants' welfare
//! is measured with the same host consumption bundle before and after moving, so their
//! equivalent variation is the change in their real income in dollars — the measure of the
//! World Bank (2006) study.

use cge_core::{ConsumerSpec, Flow, Model, ModelSpec, NestSpec, Results, SectorSpec};
use serde::{Deserialize, Serialize};

use crate::data::{rows, Range, PWT_INCOME_GROUPS_CSV};
use crate::error::CalibrateError;

/// File name of the world-model inputs, as used in error messages.
pub const WORLD_INPUTS_FILE: &str = "world_model_inputs.csv";

/// GDP 2001 (WDI, current US$), PWT employment and real GDP 2001 and 2019 by income group
/// (FY2006 high-income list), derived by `data/derive/extract_world.py`.
pub const WORLD_INPUTS_CSV: &str = include_str!("../../../data/world_model_inputs.csv");

/// File name of the 1997 extract, as used in error messages.
pub const WORLD_1997_FILE: &str = "world_1997.csv";

/// GDP 1997 (WDI, current US$) and PWT employment 1997 by income group, derived by
/// `data/derive/extract_world.py`: the base year of Walmsley & Winters' (2005) GTAP 5 data.
pub const WORLD_1997_CSV: &str = include_str!("../../../data/world_1997.csv");

/// The year of the data of Walmsley & Winters (2005): GTAP 5, 1997, in 1997 US$.
pub const WALMSLEY_WINTERS_YEAR: i32 = 1997;

const WORLD_1997_HEADER: [&str; 4] = ["group", "countries", "gdp_1997_usd", "emp_1997"];

const WORLD_INPUTS_HEADER: [&str; 9] = [
    "group",
    "countries",
    "gdp_2001_usd",
    "emp_2001",
    "emp_2019",
    "rgdpna_2001",
    "rgdpna_2019",
    "growth_gdp",
    "growth_emp",
];

/// Base-year data of one region.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegionData {
    /// GDP in 2001 [US$ bn, current = 2001 prices] (WDI NY.GDP.MKTP.CD, summed over the group).
    pub gdp_2001: f64,
    /// Persons engaged in 2001 \[million\] (PWT 10.01 `emp`).
    pub employment_2001: f64,
    /// Average annual growth of real GDP 2001–2019 \[fraction\] (PWT `rgdpna`).
    pub growth_gdp: f64,
    /// Average annual growth of persons engaged 2001–2019 \[fraction\] (PWT `emp`).
    pub growth_employment: f64,
    /// Labour share of GDP in 2001 \[fraction\] (PWT `labsh`, GDP-weighted).
    pub labour_share: f64,
}

/// Base-year data of both regions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WorldData {
    /// High-income economies (World Bank FY2006 list).
    pub high_income: RegionData,
    /// Low- and middle-income economies.
    pub developing: RegionData,
    /// Both groups in 1997 ([`WALMSLEY_WINTERS_YEAR`]), observed: GDP in US$ bn at 1997 prices,
    /// persons engaged, and the 2001 labour shares (PWT `labsh` moves little between the two
    /// years).
    pub observed_1997: Baseline,
    /// Price level of developing countries' GDP relative to high-income countries', 2001:
    /// (GDP at market exchange rates / GDP at PPPs) of the developing group over the same ratio
    /// of the high-income group (WDI GDP in `world_model_inputs.csv`, PWT `rgdpo` in
    /// `pwt_2001_by_income_group.csv`) \[fraction\]. `rgdpo` is at chained PPPs of 2017, so
    /// this is the 2001 price level only up to the change in the groups' relative prices
    /// between 2001 and 2017.
    pub developing_price_level: f64,
}

impl WorldData {
    /// The shipped data (`data/world_model_inputs.csv`, `data/pwt_2001_by_income_group.csv`,
    /// `data/world_1997.csv`).
    ///
    /// # Errors
    /// [`CalibrateError`] naming the file, line and column of a malformed or missing value.
    pub fn load() -> Result<Self, CalibrateError> {
        Self::parse(WORLD_INPUTS_CSV, PWT_INCOME_GROUPS_CSV, WORLD_1997_CSV)
    }

    /// Parses the three extracts from text.
    ///
    /// # Errors
    /// As [`WorldData::load`].
    pub fn parse(
        world_inputs: &str,
        pwt_groups: &str,
        world_1997: &str,
    ) -> Result<Self, CalibrateError> {
        let mut found: [Option<RegionData>; 2] = [None, None];
        let labour_shares =
            crate::data::parse_pwt_income_groups(crate::data::PWT_INCOME_GROUPS_FILE, pwt_groups)?;
        for row in rows(WORLD_INPUTS_FILE, world_inputs, &WORLD_INPUTS_HEADER)? {
            let row = row?;
            let (slot, group) = match row.text(0) {
                "high_income" => (0, crate::data::IncomeGroup::HighIncome),
                "low_middle_income" => (1, crate::data::IncomeGroup::LowMiddleIncome),
                _ => continue,
            };
            let pwt = crate::data::find_group(&labour_shares, group)?;
            found[slot] = Some(RegionData {
                gdp_2001: row.number(2, Range::Positive)? / 1e9,
                employment_2001: row.number(3, Range::Positive)?,
                growth_gdp: row.number(7, Range::Fraction)?,
                growth_employment: row.number(8, Range::Fraction)?,
                labour_share: pwt.labsh_rgdpo_weighted,
            });
        }
        let missing = |file: &str, what: &str| CalibrateError::Missing {
            file: file.to_owned(),
            what: format!("group {what}"),
        };
        let high_income = found[0].ok_or_else(|| missing(WORLD_INPUTS_FILE, "high_income"))?;
        let developing = found[1].ok_or_else(|| missing(WORLD_INPUTS_FILE, "low_middle_income"))?;
        let mut observed: [Option<RegionBaseline>; 2] = [None, None];
        for row in rows(WORLD_1997_FILE, world_1997, &WORLD_1997_HEADER)? {
            let row = row?;
            let (slot, labour_share) = match row.text(0) {
                "high_income" => (0, high_income.labour_share),
                "low_middle_income" => (1, developing.labour_share),
                _ => continue,
            };
            observed[slot] = Some(RegionBaseline {
                gdp: row.number(2, Range::Positive)? / 1e9,
                employment: row.number(3, Range::Positive)?,
                labour_share,
            });
        }
        let ppp_gdp =
            |group| crate::data::find_group(&labour_shares, group).map(|g| g.rgdpo_musd2017);
        let developing_price_level = (developing.gdp_2001
            / ppp_gdp(crate::data::IncomeGroup::LowMiddleIncome)?)
            / (high_income.gdp_2001 / ppp_gdp(crate::data::IncomeGroup::HighIncome)?);
        Ok(Self {
            high_income,
            developing,
            developing_price_level,
            observed_1997: Baseline {
                year: WALMSLEY_WINTERS_YEAR,
                high_income: observed[0].ok_or_else(|| missing(WORLD_1997_FILE, "high_income"))?,
                developing: observed[1]
                    .ok_or_else(|| missing(WORLD_1997_FILE, "low_middle_income"))?,
            },
        })
    }
}

/// The parameters of the world model, each with its source. Defaults are the central values of
/// `data/literature_parameters.csv` ([`WorldParameters::literature`]);
/// [`crate::sensitivity::UNCERTAIN`] gives the published ranges used in the sensitivity analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldParameters {
    /// Share of merchandise (agriculture and industry) in high-income value added, 2001
    /// \[fraction\]. World Bank WDI 2003, NV.AGR.TOTL.ZS + NV.IND.TOTL.ZS, high income: 2 + 27.
    pub merchandise_share_hic: f64,
    /// The same for developing countries \[fraction\]. WDI 2003, low & middle income: 12 + 35.
    pub merchandise_share_dev: f64,
    /// Developing countries' merchandise imports from high-income countries in 2001, as a
    /// fraction of developing GDP. WTO, International Trade Statistics 2002, network of world
    /// merchandise trade: about US$0.8 tn of imports from developed economies against a GDP of
    /// US$6.8 tn (approximate).
    pub dev_imports_share: f64,
    /// Trade-weighted applied tariff of high-income countries on merchandise from developing
    /// countries, 2001 \[fraction\]. Anderson, Martin & van der Mensbrugghe (2006), GTAP 6
    /// protection data as summarized there: about 3% (agriculture far higher, manufactures
    /// lower).
    pub tariff_hic: f64,
    /// Trade-weighted applied tariff of developing countries on merchandise from high-income
    /// countries, 2001 \[fraction\]. Same source: about 10%.
    pub tariff_dev: f64,
    /// Armington elasticity between domestic and imported merchandise. GTAP 6 values for
    /// merchandise lie between 2 and 5 (Hertel et al. 2007); LINKAGE uses higher long-run
    /// values.
    pub sigma_armington: f64,
    /// Elasticity of transformation Ω between a region's merchandise sold at home and its
    /// merchandise exported. `None` (no row in the literature table): the two are one good
    /// at one price, as in the standard GTAP model (Hertel 1997) whose data the published
    /// studies use. `Some(Ω)`: output is split by a CET frontier, as in single-country models
    /// such as IFPRI's standard CGE model (Lofgren, Harris & Robinson 2002); export prices
    /// then follow the prices at home less closely: developing countries' terms of trade gain
    /// less from migration, and lose more when a transfer buys high-income goods.
    /// `docs/reproductions.md` shows the aid value and the migration predictions under a few
    /// values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_transformation: Option<f64>,
    /// Elasticity of substitution between capital and labour (Cobb–Douglas = 1).
    pub sigma_value_added: f64,
    /// Elasticity of substitution between native and migrant labour in the host. Ottaviano &
    /// Peri (2012) estimate about 20 within skill cells; between the broad groups of this
    /// model, lower values apply. Fitted to the published split (see `docs/reproductions.md`).
    pub sigma_migrants: f64,
    /// Migrants' earnings relative to an unskilled native worker's, ω. Fitted.
    pub migrant_relative_wage: f64,
    /// Share ρ of migrants' income remitted to developing-country residents. Fitted; its
    /// starting value, 0.1, is about what [`WorldParameters::recorded_remittances`] give
    /// against migrants' earnings in this benchmark.
    pub remittance_share: f64,
    /// Recorded remittances to developing countries in 2001 \[US$ bn\]: World Bank (2006),
    /// GEP 2006 ch. 4 (about US$85 bn, less than half the 2005 figure of US$167 bn). Not a
    /// model input: the report sets it against the earlier migrants' earnings for an
    /// alternative calibration of [`WorldParameters::remittance_share`].
    pub recorded_remittances: f64,
    /// Earlier migrants from developing countries as a share of the high-income labour force.
    /// OECD Database on Immigrants in OECD Countries (2000 census round): about 7% of the
    /// labour force born in non-high-income countries (approximate).
    pub earlier_migrant_share: f64,
    /// Skilled workers' share of employment, [high income, developing]: tertiary attainment of
    /// the adult population around 2000 (Barro & Lee 2001, approximate: about 27% and 8%).
    pub skilled_share: [f64; 2],
    /// Skilled workers' wage relative to unskilled, [high income, developing] (returns to
    /// tertiary education, Psacharopoulos & Patrinos 2004, approximate: about 1.6 and 2.5).
    pub skill_premium: [f64; 2],
    /// Elasticity of substitution between skilled and unskilled labour (Katz & Murphy 1992:
    /// 1.4; later estimates up to 2).
    pub sigma_skill: f64,
    /// Temporary-worker quotas of Walmsley & Winters (2005): the share of the high-income
    /// skilled and of the unskilled labour force admitted (3%).
    pub temporary_quota: f64,
    /// Place premium: the wage of a worker in the United States over the wage of an
    /// observably identical worker at home, at purchasing-power parity. Median across 42
    /// developing countries about 2.7 (Clemens, Montenegro & Pritchett 2019, "The Place
    /// Premium: Bounding the Price Equivalent of Migration Barriers", Review of Economics and
    /// Statistics 101(2): 201–213). Temporary workers keep their home productivity and earn the
    /// premium in the host ([`temporary_workers`]).
    pub place_premium: f64,
    /// The migration shock: new migrants as a share of the high-income labour force in the
    /// horizon year (World Bank 2006: 3%).
    pub migration_increase: f64,
    /// Horizon of the migration scenario (World Bank 2006: 2025).
    pub migration_horizon: i32,
    /// Horizon of the trade scenario (Anderson, Martin & van der Mensbrugghe 2006: 2015).
    pub trade_horizon: i32,
    /// Foreign aid, US$ bn a year (Pritchett 2006: 70).
    pub aid: f64,
    /// Debt relief, US$ bn a year of debt service saved (Pritchett 2006: 3).
    pub debt_relief: f64,
    /// Share of official transfers (aid and debt relief) spent directly on merchandise
    /// imported from high-income countries, at world prices; the rest is spent like developing
    /// residents' own income ([`transfer_outcomes`]). 0 makes them cash in the residents'
    /// hands. Werker, Ahmed & Cohen (2009, "How Is Foreign Aid Spent? Evidence from a Natural
    /// Experiment", American Economic Journal: Macroeconomics 1(2): 225–244): "much aid is
    /// consumed, primarily in the form of imported noncapital goods", with no statistically
    /// identifiable impact on prices; read here as more than half and up to nearly all. Its
    /// imports are duty-free (donor-funded procurement) or pay duty to the recipient
    /// government itself (debt relief, budget support): no gain either way.
    pub aid_import_share: f64,
}

impl Default for WorldParameters {
    /// The central values of `data/literature_parameters.csv` ([`WorldParameters::literature`]).
    fn default() -> Self {
        Self::literature().expect("the shipped data/literature_parameters.csv reads (tested)")
    }
}

impl WorldParameters {
    /// The parameters that may be absent (`None`): the model's structure without them.
    pub const OPTIONAL: [&'static str; 1] = ["export_transformation"];

    /// The central values of the shipped `data/literature_parameters.csv`.
    ///
    /// # Errors
    /// None for the shipped file (tested); see [`WorldParameters::from_literature`].
    pub fn literature() -> Result<Self, CalibrateError> {
        Self::from_literature(&crate::literature::literature()?)
    }

    /// The parameters from the `world` rows of a literature table
    /// ([`crate::literature::read_literature_csv`]), checked ([`WorldParameters::validate`]).
    ///
    /// # Errors
    /// [`CalibrateError::Missing`] for a parameter without a row, [`CalibrateError::Unknown`]
    /// for a `world` row that names no parameter, and the range errors of
    /// [`WorldParameters::validate`].
    pub fn from_literature(
        table: &[crate::literature::LiteratureValue],
    ) -> Result<Self, CalibrateError> {
        let t = crate::literature::Lookup::new(table, "world");
        let p = Self {
            merchandise_share_hic: t.number("merchandise_share_hic")?,
            merchandise_share_dev: t.number("merchandise_share_dev")?,
            dev_imports_share: t.number("dev_imports_share")?,
            tariff_hic: t.number("tariff_hic")?,
            tariff_dev: t.number("tariff_dev")?,
            sigma_armington: t.number("sigma_armington")?,
            export_transformation: t.optional_number("export_transformation"),
            sigma_value_added: t.number("sigma_value_added")?,
            sigma_migrants: t.number("sigma_migrants")?,
            migrant_relative_wage: t.number("migrant_relative_wage")?,
            remittance_share: t.number("remittance_share")?,
            recorded_remittances: t.number("recorded_remittances")?,
            earlier_migrant_share: t.number("earlier_migrant_share")?,
            skilled_share: t.pair("skilled_share")?,
            skill_premium: t.pair("skill_premium")?,
            sigma_skill: t.number("sigma_skill")?,
            temporary_quota: t.number("temporary_quota")?,
            place_premium: t.number("place_premium")?,
            migration_increase: t.number("migration_increase")?,
            migration_horizon: t.year("migration_horizon")?,
            trade_horizon: t.year("trade_horizon")?,
            aid: t.number("aid")?,
            debt_relief: t.number("debt_relief")?,
            aid_import_share: t.number("aid_import_share")?,
        };
        t.finish()?;
        p.validate()?;
        Ok(p)
    }
}

/// The base year of the data.
pub const BASE_YEAR: i32 = 2001;

/// The largest remittance share [`WorldParameters::validate`] admits \[fraction of migrants'
/// income\]: migrants keep something to live on.
pub const REMITTANCE_SHARE_MAX: f64 = 0.9;

impl WorldParameters {
    /// Checks every parameter's range.
    ///
    /// # Errors
    /// [`CalibrateError::InvalidParameter`] naming the parameter and its value.
    pub fn validate(&self) -> Result<(), CalibrateError> {
        let check = |name: &'static str, value: f64, low: f64, high: f64| {
            if value.is_finite() && value >= low && value <= high {
                Ok(())
            } else {
                Err(CalibrateError::ParameterOutOfRange {
                    name,
                    value,
                    low,
                    high,
                })
            }
        };
        check(
            "merchandise_share_hic",
            self.merchandise_share_hic,
            0.01,
            0.99,
        )?;
        check(
            "merchandise_share_dev",
            self.merchandise_share_dev,
            0.01,
            0.99,
        )?;
        check("dev_imports_share", self.dev_imports_share, 0.0, 0.9)?;
        check("tariff_hic", self.tariff_hic, 0.0, 5.0)?;
        check("tariff_dev", self.tariff_dev, 0.0, 5.0)?;
        check("sigma_armington", self.sigma_armington, 0.1, 50.0)?;
        if let Some(omega) = self.export_transformation {
            check("export_transformation", omega, 0.0, 50.0)?;
        }
        check("sigma_value_added", self.sigma_value_added, 0.0, 10.0)?;
        check("sigma_migrants", self.sigma_migrants, 0.05, 100.0)?;
        check(
            "migrant_relative_wage",
            self.migrant_relative_wage,
            0.01,
            2.0,
        )?;
        check(
            "remittance_share",
            self.remittance_share,
            0.0,
            REMITTANCE_SHARE_MAX,
        )?;
        check("recorded_remittances", self.recorded_remittances, 0.0, 1e4)?;
        check(
            "earlier_migrant_share",
            self.earlier_migrant_share,
            0.001,
            0.5,
        )?;
        check("migration_increase", self.migration_increase, 0.0, 0.5)?;
        check("temporary_quota", self.temporary_quota, 0.0, 0.5)?;
        check("place_premium", self.place_premium, 1.0, 50.0)?;
        check("sigma_skill", self.sigma_skill, 0.05, 50.0)?;
        for k in 0..2 {
            check("skilled_share", self.skilled_share[k], 0.01, 0.9)?;
            check("skill_premium", self.skill_premium[k], 1.0, 10.0)?;
        }
        check("aid", self.aid, 0.0, 1e4)?;
        check("debt_relief", self.debt_relief, 0.0, 1e4)?;
        check("aid_import_share", self.aid_import_share, 0.0, 1.0)?;
        for (name, year) in [
            ("migration_horizon", self.migration_horizon),
            ("trade_horizon", self.trade_horizon),
        ] {
            check(name, f64::from(year), f64::from(BASE_YEAR), 2100.0)?;
        }
        Ok(())
    }
}

/// A region in a benchmark year: projected from 2001 ([`Baseline::project`]), in 2001 prices,
/// or observed in 1997 ([`WorldData::observed_1997`]), in 1997 prices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegionBaseline {
    /// GDP [US$ bn at the benchmark's prices].
    pub gdp: f64,
    /// Persons engaged \[million\].
    pub employment: f64,
    /// Labour share of GDP \[fraction\].
    pub labour_share: f64,
}

impl RegionBaseline {
    /// Average labour income per worker [US$ thousand at the benchmark's prices].
    pub fn wage(&self) -> f64 {
        self.labour_share * self.gdp / self.employment
    }
}

/// Both regions in the horizon year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// The horizon year.
    pub year: i32,
    /// High-income economies.
    pub high_income: RegionBaseline,
    /// Developing economies.
    pub developing: RegionBaseline,
}

impl Baseline {
    /// Projects the 2001 data to `year` with each region's average 2001–2019 growth of real GDP
    /// and employment (PWT 10.01), holding labour shares at their 2001 values. Values stay in
    /// 2001 prices: real growth applied to 2001 GDP at market exchange rates.
    pub fn project(data: &WorldData, year: i32) -> Self {
        let years = f64::from(year - BASE_YEAR);
        let project = |r: &RegionData| RegionBaseline {
            gdp: r.gdp_2001 * (1.0 + r.growth_gdp).powf(years),
            employment: r.employment_2001 * (1.0 + r.growth_employment).powf(years),
            labour_share: r.labour_share,
        };
        Self {
            year,
            high_income: project(&data.high_income),
            developing: project(&data.developing),
        }
    }

    /// World GDP [US$ bn at 2001 prices].
    pub fn world_gdp(&self) -> f64 {
        self.high_income.gdp + self.developing.gdp
    }
}

/// Names used in the model.
pub mod names {
    /// High-income native households (own high-income capital and native labour, receive
    /// high-income tariff revenue, pay aid).
    pub const HIC_NATIVES: &str = "hic_natives";
    /// Migrants in the high-income region at the benchmark.
    pub const EARLIER_MIGRANTS: &str = "earlier_migrants";
    /// The new migrants of the shock (at home at the benchmark).
    pub const NEW_MIGRANTS: &str = "new_migrants";
    /// Residents of developing countries (own developing capital and the labour of those who
    /// stay, receive tariff revenue and remittances; what aid buys is theirs too,
    /// [`OFFICIAL_TRANSFERS`]).
    pub const DEVELOPING_RESIDENTS: &str = "developing_residents";
    /// Migrant labour in the high-income region [US$ bn of benchmark earnings].
    pub const MIGRANT_LABOUR: &str = "L_MIG";
    /// The high-income consumption good (the numeraire).
    pub const HIC_CONSUMPTION: &str = "C_HIC";
    /// What developing countries buy with official transfers (aid, debt relief): in every
    /// world model, idle without a transfer ([`super::transfer_outcomes`]).
    pub const OFFICIAL_TRANSFERS: &str = "official_transfers";
}

use names::*;

/// Persons \[million\] and wages [US$ thousand a year at 2001 prices] of each labour type in a
/// baseline: natives split into skilled and unskilled with the skill premium, earlier migrants
/// (in the high-income region) at ω times an unskilled native's wage; the wage levels exhaust
/// each region's labour income.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LabourAccounts {
    /// Skilled and unskilled natives, [high income, developing].
    pub skilled: [f64; 2],
    /// See [`LabourAccounts::skilled`].
    pub unskilled: [f64; 2],
    /// Earlier migrants in the high-income region.
    pub earlier_migrants: f64,
    /// Unskilled wage, [high income, developing].
    pub unskilled_wage: [f64; 2],
    /// Skilled wage, [high income, developing].
    pub skilled_wage: [f64; 2],
    /// Migrants' wage.
    pub migrant_wage: f64,
}

impl LabourAccounts {
    /// The accounts of `baseline` under `p`.
    pub fn new(baseline: &Baseline, p: &WorldParameters) -> Self {
        let regions = [baseline.high_income, baseline.developing];
        let migrants = p.earlier_migrant_share * regions[0].employment;
        let mut a = Self {
            skilled: [0.0; 2],
            unskilled: [0.0; 2],
            earlier_migrants: migrants,
            unskilled_wage: [0.0; 2],
            skilled_wage: [0.0; 2],
            migrant_wage: 0.0,
        };
        for (k, region) in regions.iter().enumerate() {
            let natives = region.employment - if k == 0 { migrants } else { 0.0 };
            a.skilled[k] = p.skilled_share[k] * natives;
            a.unskilled[k] = natives - a.skilled[k];
            let migrant_units = if k == 0 {
                p.migrant_relative_wage * migrants
            } else {
                0.0
            };
            let labour_income = region.labour_share * region.gdp;
            a.unskilled_wage[k] = labour_income
                / (a.unskilled[k] + p.skill_premium[k] * a.skilled[k] + migrant_units);
            a.skilled_wage[k] = p.skill_premium[k] * a.unskilled_wage[k];
        }
        a.migrant_wage = p.migrant_relative_wage * a.unskilled_wage[0];
        a
    }

    /// Labour income of skilled natives [US$ bn].
    pub fn skilled_income(&self, k: usize) -> f64 {
        self.skilled[k] * self.skilled_wage[k]
    }

    /// Labour income of unskilled natives [US$ bn].
    pub fn unskilled_income(&self, k: usize) -> f64 {
        self.unskilled[k] * self.unskilled_wage[k]
    }

    /// Labour income of earlier migrants [US$ bn].
    pub fn migrant_income(&self) -> f64 {
        self.earlier_migrants * self.migrant_wage
    }
}

/// The two regions with their suffix in commodity and sector names.
pub const REGIONS: [&str; 2] = ["HIC", "DEV"];

/// The Armington sector of region `REGIONS[importer]` (`ARM_<importer>`).
fn armington_sector(importer: usize) -> String {
    format!("ARM_{}", REGIONS[importer])
}

/// Where the import tariff of region `REGIONS[importer]` sits: (its Armington sector, the
/// imported good that sector's tax falls on, [`imported_good`]). `None` for an index that
/// names no region.
pub fn tariff_input(p: &WorldParameters, importer: usize) -> Option<(String, String)> {
    (importer < REGIONS.len()).then(|| {
        (
            armington_sector(importer),
            imported_good(p, REGIONS[1 - importer]),
        )
    })
}

/// Builds the balanced benchmark of `baseline` as a model specification. With
/// `with_new_migrants`, the new migrants of the shock are a consumer of their own (endowed with
/// developing-country labour); without, they stay among developing residents.
///
/// # Errors
/// [`CalibrateError::InvalidParameter`] for parameters out of range, or a benchmark that
/// cannot balance (negative domestic sales).
pub fn build(
    baseline: &Baseline,
    p: &WorldParameters,
    with_new_migrants: bool,
) -> Result<ModelSpec, CalibrateError> {
    build_with_programme(baseline, p, with_new_migrants, TRANSFER_PROGRAMME_SIZE)
}

/// [`build`] with an official-transfer programme of `programme_size`
/// ([`with_official_transfers`]).
fn build_with_programme(
    baseline: &Baseline,
    p: &WorldParameters,
    with_new_migrants: bool,
    programme_size: f64,
) -> Result<ModelSpec, CalibrateError> {
    p.validate()?;
    let regions = [baseline.high_income, baseline.developing];
    let merchandise = [p.merchandise_share_hic, p.merchandise_share_dev];
    let tariffs = [p.tariff_hic, p.tariff_dev];
    let consumer_of = [HIC_NATIVES, DEVELOPING_RESIDENTS];

    let hic = &baseline.high_income;
    let dev = &baseline.developing;
    let labour = LabourAccounts::new(baseline, p);
    let hic_labour_income = hic.labour_share * hic.gdp;
    let earlier_income = labour.migrant_income();
    // New migrants come from developing countries' unskilled labour.
    let new_persons = if with_new_migrants {
        p.migration_increase * hic.employment
    } else {
        0.0
    };
    let new_income = new_persons * labour.unskilled_wage[1];
    let remittances = p.remittance_share * earlier_income;

    // Trade: developing imports are data; high-income imports close the balance of payments
    // (the developing region's spending exceeds its output by remittances and falls short of it
    // by the new migrants' spending abroad).
    let dev_imports = p.dev_imports_share * dev.gdp;
    let hic_imports = dev_imports + new_income - remittances;
    let imports = [hic_imports, dev_imports];
    if hic_imports <= 0.0 {
        return Err(CalibrateError::Unbalanceable {
            what: format!("high-income imports {hic_imports:.1} bn are not positive"),
        });
    }

    let mut spec = ModelSpec::new(format!("world {}", baseline.year));
    for r in REGIONS {
        spec = spec.commodities([
            format!("M_{r}"),
            format!("S_{r}"),
            format!("A_{r}"),
            format!("C_{r}"),
            format!("K_{r}"),
            format!("LS_{r}"),
            format!("LU_{r}"),
        ]);
    }
    spec = spec.commodities([MIGRANT_LABOUR]);
    if p.export_transformation.is_some() {
        spec = spec.commodities(REGIONS.map(export_good));
    }

    for (k, r) in REGIONS.iter().enumerate() {
        let region = &regions[k];
        let other = REGIONS[1 - k];
        let value_added = [
            (format!("M_{r}"), region.gdp * merchandise[k], true),
            (format!("S_{r}"), region.gdp * (1.0 - merchandise[k]), false),
        ];
        for (good, va, is_merchandise) in &value_added {
            // Each labour type in the same proportion of labour costs in both sectors.
            let labour_cost = va * region.labour_share;
            let capital = va - labour_cost;
            let total = region.labour_share * region.gdp;
            let part = |income: f64| labour_cost * income / total;
            let mut unskilled = NestSpec::new(p.sigma_migrants)
                .named(format!("unskilled_{good}"))
                .input(format!("LU_{r}"), part(labour.unskilled_income(k)));
            if k == 0 {
                // Migrants compete with unskilled natives (elasticity σ_m) before skilled labour.
                unskilled = unskilled.input(MIGRANT_LABOUR, part(earlier_income));
            }
            let labour_nest = NestSpec::new(p.sigma_skill)
                .named(format!("labour_{good}"))
                .input(format!("LS_{r}"), part(labour.skilled_income(k)))
                .nest(unskilled);
            let producer = SectorSpec::new(format!("P{good}"));
            let producer = match p.export_transformation {
                // Merchandise splits into home sales (`M_r`) and exports (`X_r`).
                Some(omega) if *is_merchandise => producer
                    .output(good.clone(), va - imports[1 - k])
                    .output(export_good(r), imports[1 - k])
                    .transformation(omega),
                _ => producer.output(good.clone(), *va),
            };
            spec = spec.sector(
                producer
                    .elasticity(p.sigma_value_added)
                    .input(format!("K_{r}"), capital)
                    .input_nest(labour_nest),
            );
        }
        // Armington composite: domestic sales plus imports at world prices times (1 + t).
        let domestic = region.gdp * merchandise[k] - imports[1 - k];
        if domestic <= 0.0 {
            return Err(CalibrateError::Unbalanceable {
                what: format!("exports of {other} to {r} exceed merchandise output: domestic sales {domestic:.1} bn"),
            });
        }
        let gross_imports = imports[k] * (1.0 + tariffs[k]);
        spec = spec.sector(
            SectorSpec::new(armington_sector(k))
                .output(format!("A_{r}"), domestic + gross_imports)
                .elasticity(p.sigma_armington)
                .input(format!("M_{r}"), domestic)
                .input_flow(
                    Flow::new(imported_good(p, other), imports[k]).tax(tariffs[k], consumer_of[k]),
                ),
        );
        // Consumption: Cobb–Douglas over the composite and services.
        let services = region.gdp * (1.0 - merchandise[k]);
        let merchandise_absorption = domestic + gross_imports;
        spec = spec.sector(
            SectorSpec::new(format!("CONS_{r}"))
                .output(format!("C_{r}"), merchandise_absorption + services)
                .elasticity(1.0)
                .input(format!("A_{r}"), merchandise_absorption)
                .input(format!("S_{r}"), services),
        );
    }

    // Consumers. Income shares in cge-core are paid out of the payer's spending (model.md E16):
    // a gross remittance fraction ρ is the share ρ/(1 − ρ) of what the migrant spends.
    let share = p.remittance_share / (1.0 - p.remittance_share);
    let hic_capital = hic.gdp * (1.0 - hic.labour_share);
    let dev_capital = dev.gdp * (1.0 - dev.labour_share);
    let tariff_revenue = [tariffs[0] * imports[0], tariffs[1] * imports[1]];
    let natives_income = hic_capital + (hic_labour_income - earlier_income) + tariff_revenue[0];
    let earlier_spending = earlier_income - remittances;
    let dev_labour = dev.labour_share * dev.gdp;
    let residents_income = dev_capital + dev_labour - new_income + tariff_revenue[1] + remittances;
    spec = spec.consumer(
        ConsumerSpec::new(HIC_NATIVES)
            .endowment("K_HIC", hic_capital)
            .endowment("LS_HIC", labour.skilled_income(0))
            .endowment("LU_HIC", labour.unskilled_income(0))
            .demand(HIC_CONSUMPTION, natives_income),
    );
    spec = spec.consumer(
        ConsumerSpec::new(EARLIER_MIGRANTS)
            .endowment(MIGRANT_LABOUR, earlier_income)
            .demand(HIC_CONSUMPTION, earlier_spending),
    );
    if with_new_migrants {
        spec = spec.consumer(
            ConsumerSpec::new(NEW_MIGRANTS)
                .endowment("LU_DEV", new_income)
                .endowment(MIGRANT_LABOUR, 0.0)
                .demand(HIC_CONSUMPTION, new_income),
        );
        spec = spec.income_share(NEW_MIGRANTS, DEVELOPING_RESIDENTS, 0.0);
    }
    spec = spec.consumer(
        ConsumerSpec::new(DEVELOPING_RESIDENTS)
            .endowment("K_DEV", dev_capital)
            .endowment("LS_DEV", labour.skilled_income(1))
            .endowment("LU_DEV", labour.unskilled_income(1) - new_income)
            // Temporary workers abroad (Walmsley & Winters 2005) keep their home attachment:
            // their host earnings are developing residents' income. None at the benchmark.
            .endowment("LS_HIC", 0.0)
            .endowment("LU_HIC", 0.0)
            .demand("C_DEV", residents_income),
    );
    spec = spec
        .income_share(EARLIER_MIGRANTS, DEVELOPING_RESIDENTS, share)
        .transfer(HIC_NATIVES, DEVELOPING_RESIDENTS, HIC_CONSUMPTION, 0.0)
        .numeraire_price(HIC_CONSUMPTION, 1.0);
    Ok(with_official_transfers(spec, p, programme_size))
}

/// The commodity of region `r`'s merchandise exports when home sales and exports are split
/// ([`WorldParameters::export_transformation`]).
fn export_good(r: &str) -> String {
    format!("X_{r}")
}

/// The commodity the other region imports from `exporter` (`"HIC"` or `"DEV"`): its
/// merchandise, or its exports when these are a separate good
/// ([`WorldParameters::export_transformation`]). The importer's tariff is a tax on this input
/// of its Armington sector `ARM_<importer>`.
pub fn imported_good(p: &WorldParameters, exporter: &str) -> String {
    if p.export_transformation.is_some() {
        export_good(exporter)
    } else {
        format!("M_{exporter}")
    }
}

/// Developing countries' terms of trade at `results`, relative to the benchmark's (where every
/// price is 1): their export price over the high-income region's.
fn terms_of_trade(results: &Results, p: &WorldParameters) -> Result<f64, CalibrateError> {
    let price = |good: String| {
        results
            .prices
            .get(&good)
            .copied()
            .ok_or_else(|| CalibrateError::Missing {
                file: "world model".into(),
                what: format!("the price of `{good}`"),
            })
    };
    Ok(price(imported_good(p, "DEV"))? / price(imported_good(p, "HIC"))?)
}

/// Builds, checks and returns the benchmark model of a horizon year.
fn benchmark_model(
    data: &WorldData,
    p: &WorldParameters,
    year: i32,
    with_new_migrants: bool,
) -> Result<(Model, Baseline), CalibrateError> {
    let baseline = Baseline::project(data, year);
    Ok((benchmark_of(&baseline, p, with_new_migrants)?, baseline))
}

/// Builds and checks the benchmark model of `baseline`.
fn benchmark_of(
    baseline: &Baseline,
    p: &WorldParameters,
    with_new_migrants: bool,
) -> Result<Model, CalibrateError> {
    let model = build(baseline, p, with_new_migrants)?.build()?;
    model.check_benchmark()?;
    Ok(model)
}

/// Equivalent variation of a consumer in the results [US$ bn, 2001 prices].
fn ev(results: &Results, consumer: &str) -> Result<f64, CalibrateError> {
    results
        .welfare
        .get(consumer)
        .map(|w| w.equivalent_variation)
        .ok_or_else(|| CalibrateError::Missing {
            file: "world model".into(),
            what: format!("welfare of `{consumer}`"),
        })
}

/// Welfare effects of the migration scenario by group [US$ bn a year at 2001 prices, in the
/// horizon year].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MigrationOutcome {
    /// New migrants (net of what they remit).
    pub new_migrants: f64,
    /// High-income natives.
    pub hic_natives: f64,
    /// Earlier migrants.
    pub earlier_migrants: f64,
    /// Developing-country residents (including remittances).
    pub developing_residents: f64,
    /// The sum of the four groups.
    pub world: f64,
    /// World gain in % of baseline world GDP.
    pub world_pct: f64,
    /// New migrants \[million persons\].
    pub new_migrant_persons: f64,
    /// Change in developing countries' terms of trade: the price of their merchandise exports
    /// over the price of high-income merchandise exports, % change from the benchmark.
    pub developing_terms_of_trade_pct: f64,
}

impl MigrationOutcome {
    /// Pritchett's (2006) ratio: the poor citizens' gain over the sum of the developing
    /// countries' gains from trade liberalization, aid and debt relief; `None` when that sum is
    /// not positive.
    pub fn pritchett_ratio(
        &self,
        trade_developing: f64,
        aid: f64,
        debt_relief: f64,
    ) -> Option<f64> {
        let others = trade_developing + aid + debt_relief;
        (others > 0.0).then(|| self.poor_citizens() / others)
    }

    /// Gain to the citizens of poor countries: new migrants plus developing residents
    /// (Pritchett 2006).
    pub fn poor_citizens(&self) -> f64 {
        self.new_migrants + self.developing_residents
    }
}

/// The World Bank (2006) scenario: new migrants equal to `migration_increase` of the
/// high-income labour force move from the developing to the high-income region, earn migrant
/// wages there and remit a share ρ of their income.
///
/// # Errors
/// Data, calibration or solver errors.
pub fn migration(
    data: &WorldData,
    p: &WorldParameters,
) -> Result<MigrationOutcome, CalibrateError> {
    let (mut model, baseline) = benchmark_model(data, p, p.migration_horizon, true)?;
    let labour = LabourAccounts::new(&baseline, p);
    let persons = p.migration_increase * baseline.high_income.employment;
    // New migrants earn the migrant wage, like the earlier ones.
    model.set_endowment(NEW_MIGRANTS, "LU_DEV", 0.0)?;
    model.set_endowment(NEW_MIGRANTS, MIGRANT_LABOUR, persons * labour.migrant_wage)?;
    model.set_income_share(
        NEW_MIGRANTS,
        DEVELOPING_RESIDENTS,
        p.remittance_share / (1.0 - p.remittance_share),
    )?;
    let results = model.solve_default()?;
    let outcome = MigrationOutcome {
        developing_terms_of_trade_pct: 100.0 * (terms_of_trade(&results, p)? - 1.0),
        new_migrants: ev(&results, NEW_MIGRANTS)?,
        hic_natives: ev(&results, HIC_NATIVES)?,
        earlier_migrants: ev(&results, EARLIER_MIGRANTS)?,
        developing_residents: ev(&results, DEVELOPING_RESIDENTS)?,
        world: 0.0,
        world_pct: 0.0,
        new_migrant_persons: persons,
    };
    let world = outcome.new_migrants
        + outcome.hic_natives
        + outcome.earlier_migrants
        + outcome.developing_residents;
    Ok(MigrationOutcome {
        world,
        world_pct: 100.0 * world / baseline.world_gdp(),
        ..outcome
    })
}

/// Which temporary-worker quotas a Walmsley & Winters scenario raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Quotas {
    /// Skilled workers only.
    Skilled,
    /// Unskilled workers only.
    Unskilled,
    /// Both.
    Both,
}

/// Walmsley & Winters (2005): high-income countries admit temporary workers from developing
/// countries equal to `temporary_quota` of their skilled and/or unskilled labour forces. The
/// workers keep their home productivity: at benchmark prices each earns the place premium
/// ([`WorldParameters::place_premium`], converted from PPP to market exchange rates with
/// [`WorldData::developing_price_level`]) times the home wage of their skill, supplying host
/// labour of that skill (perfect substitutes for natives, in efficiency units). They keep their
/// home attachment: their host earnings accrue to developing residents, whose home labour falls
/// by the workers' home earnings. Evaluated, like the study, on 1997 data
/// ([`WorldData::observed_1997`]); returns the world welfare gain (sum of every consumer's EV)
/// [US$ bn at 1997 prices].
///
/// # Errors
/// Data, calibration or solver errors.
pub fn temporary_workers(
    data: &WorldData,
    p: &WorldParameters,
    quotas: Quotas,
) -> Result<f64, CalibrateError> {
    let baseline = data.observed_1997;
    let mut model = benchmark_of(&baseline, p, false)?;
    let a = LabourAccounts::new(&baseline, p);
    let q = p.temporary_quota;
    // Host earnings over home earnings at market exchange rates.
    let premium = p.place_premium / data.developing_price_level;
    let skilled = matches!(quotas, Quotas::Skilled | Quotas::Both);
    let unskilled = matches!(quotas, Quotas::Unskilled | Quotas::Both);
    if skilled {
        let persons = q * a.skilled[0];
        model.set_endowment(
            DEVELOPING_RESIDENTS,
            "LS_HIC",
            persons * premium * a.skilled_wage[1],
        )?;
        model.set_endowment(
            DEVELOPING_RESIDENTS,
            "LS_DEV",
            a.skilled_income(1) - persons * a.skilled_wage[1],
        )?;
    }
    if unskilled {
        let persons = q * (a.unskilled[0] + a.earlier_migrants);
        model.set_endowment(
            DEVELOPING_RESIDENTS,
            "LU_HIC",
            persons * premium * a.unskilled_wage[1],
        )?;
        model.set_endowment(
            DEVELOPING_RESIDENTS,
            "LU_DEV",
            a.unskilled_income(1) - persons * a.unskilled_wage[1],
        )?;
    }
    let results = model.solve_default()?;
    [HIC_NATIVES, EARLIER_MIGRANTS, DEVELOPING_RESIDENTS]
        .iter()
        .map(|c| ev(&results, c))
        .sum()
}

/// Welfare effects of removing all merchandise tariffs [US$ bn a year at 2001 prices].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TradeOutcome {
    /// High-income region (natives and migrants).
    pub high_income: f64,
    /// Developing region.
    pub developing: f64,
    /// Sum.
    pub world: f64,
}

/// Full merchandise trade liberalization: every tariff to zero, at the trade horizon.
///
/// # Errors
/// Data, calibration or solver errors.
pub fn trade_liberalization(
    data: &WorldData,
    p: &WorldParameters,
) -> Result<TradeOutcome, CalibrateError> {
    let (mut model, _) = benchmark_model(data, p, p.trade_horizon, false)?;
    for importer in 0..REGIONS.len() {
        if let Some((sector, good)) = tariff_input(p, importer) {
            model.set_input_tax(&sector, &good, 0.0)?;
        }
    }
    let results = model.solve_default()?;
    let high_income = ev(&results, HIC_NATIVES)? + ev(&results, EARLIER_MIGRANTS)?;
    let developing = ev(&results, DEVELOPING_RESIDENTS)?;
    Ok(TradeOutcome {
        high_income,
        developing,
        world: high_income + developing,
    })
}

/// Welfare effects of a transfer from high-income natives to developing countries [US$ bn a
/// year at 2001 prices].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TransferOutcome {
    /// Face value of the transfer, in the numeraire (high-income consumption).
    pub amount: f64,
    /// Equivalent variation of the recipients: developing residents plus what the transfer
    /// buys ([`transfer_outcomes`]).
    pub recipients: f64,
    /// Equivalent variation of the donors (high-income natives); negative.
    pub donors: f64,
    /// Sum over every consumer: zero to first order without distortions, the efficiency effect
    /// of the transfer in a benchmark with tariffs.
    pub world: f64,
}

/// Size of the official-transfer programme at the benchmark [US$ bn]: a programme that buys
/// its own endowment and so trades nothing with anyone. It only gives the programme's utility
/// index a scale; with Leontief spending its equivalent variation is the transfer over the
/// price of the bundle, whatever this size (tested).
const TRANSFER_PROGRAMME_SIZE: f64 = 1.0;

/// Adds to `spec` the official transfers of developing countries: a consumer
/// ([`OFFICIAL_TRANSFERS`]) who receives what high-income natives give and spends it in fixed
/// proportions, the share [`WorldParameters::aid_import_share`] on high-income merchandise
/// and the rest on developing residents' consumption bundle (whose imports pay duty as the
/// residents' own do). The merchandise is a final demand at world prices: official transfers
/// are spent by or through governments and agencies, whose imports are either exempt from
/// duty (donor-funded procurement generally is: Steel et al. 2018, ODI briefing "The taxation
/// of foreign aid: don't ask, don't tell, don't know"; GAO-04-314R 2004: 77 of the 90
/// countries or entities receiving USAID bilateral assistance in fiscal year 2003 had
/// framework agreements with some prohibition on taxation) or pay it to the recipient
/// government itself (debt relief, budget support), so the duty is no gain. Without a
/// transfer the programme trades nothing: every world model has it, and it changes no other
/// result.
fn with_official_transfers(spec: ModelSpec, p: &WorldParameters, size: f64) -> ModelSpec {
    let bundle = [
        (imported_good(p, "HIC"), p.aid_import_share),
        ("C_DEV".to_string(), 1.0 - p.aid_import_share),
    ];
    let mut programme = ConsumerSpec::new(OFFICIAL_TRANSFERS).demand_elasticity(0.0);
    for (good, share) in bundle.into_iter().filter(|(_, share)| *share > 0.0) {
        let quantity = share * size;
        programme = programme
            .endowment(good.clone(), quantity)
            .demand(good, quantity);
    }
    spec.consumer(programme)
        .transfer(HIC_NATIVES, OFFICIAL_TRANSFERS, HIC_CONSUMPTION, 0.0)
}

/// A transfer of `amount` US$ bn a year from high-income natives to developing countries, at
/// the migration horizon ([`transfer_outcomes`]).
///
/// # Errors
/// Data, calibration or solver errors.
pub fn transfer_outcome(
    data: &WorldData,
    p: &WorldParameters,
    amount: f64,
) -> Result<TransferOutcome, CalibrateError> {
    let outcomes = transfer_outcomes(data, p, &[amount])?;
    Ok(outcomes[0])
}

/// Transfers of several amounts from high-income natives to developing countries at the
/// migration horizon, in their order, each solved from the benchmark on one model (aid and
/// debt relief build the model once).
///
/// Official transfers are spent as [`WorldParameters::aid_import_share`] says, not as the
/// residents spend their own income. The recipients' gain (developing residents plus what the
/// transfer buys) differs from the face value by the transfer's terms-of-trade effect (the
/// transfer problem: the more of it is spent on developing countries' own goods, against the
/// little of it donors would have spent on them, the more their prices rise) and, with
/// tariffs, by the duty on the imports its cash part finances. With an import share of 0 the
/// transfer is cash in the residents' hands (tested).
///
/// # Errors
/// Data, calibration or solver errors.
pub fn transfer_outcomes(
    data: &WorldData,
    p: &WorldParameters,
    amounts: &[f64],
) -> Result<Vec<TransferOutcome>, CalibrateError> {
    let (base, _) = benchmark_model(data, p, p.migration_horizon, false)?;
    let mut out = Vec::with_capacity(amounts.len());
    for &amount in amounts {
        // A fresh copy: every amount starts from the benchmark, as a single solve would.
        let mut model = base.clone();
        model.set_transfer(HIC_NATIVES, OFFICIAL_TRANSFERS, HIC_CONSUMPTION, amount)?;
        let results = model.solve_default()?;
        let recipients = ev(&results, DEVELOPING_RESIDENTS)? + ev(&results, OFFICIAL_TRANSFERS)?;
        let donors = ev(&results, HIC_NATIVES)?;
        out.push(TransferOutcome {
            amount,
            recipients,
            donors,
            world: recipients + donors + ev(&results, EARLIER_MIGRANTS)?,
        });
    }
    Ok(out)
}

/// Welfare value to developing countries (residents plus what the transfer buys) of a
/// transfer of `amount` US$ bn a year from high-income natives, at the migration horizon,
/// including its terms-of-trade effect ([`transfer_outcomes`]).
///
/// # Errors
/// Data, calibration or solver errors.
pub fn transfer(data: &WorldData, p: &WorldParameters, amount: f64) -> Result<f64, CalibrateError> {
    Ok(transfer_outcome(data, p, amount)?.recipients)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> WorldData {
        WorldData::load().unwrap()
    }

    #[test]
    fn shipped_data_loads() {
        let d = data();
        // Developing countries' prices are about 40% of high-income ones at market rates.
        assert!(
            (d.developing_price_level - 0.4026).abs() < 1e-3,
            "{}",
            d.developing_price_level
        );
        assert!((d.high_income.gdp_2001 - 26_326.4).abs() < 1.0);
        assert!(d.developing.growth_gdp > d.high_income.growth_gdp);
    }

    #[test]
    fn benchmarks_balance() {
        let d = data();
        let p = WorldParameters::default();
        for (year, new) in [(2025, true), (2015, false), (2001, true)] {
            benchmark_model(&d, &p, year, new).unwrap();
        }
    }

    #[test]
    fn migration_turns_the_terms_of_trade_and_a_cet_frontier_damps_it() {
        let d = data();
        let p = WorldParameters::default();
        let split = WorldParameters {
            export_transformation: Some(4.0),
            ..p.clone()
        };
        // More high-income output: its exports cheapen against developing countries'.
        let one_good = migration(&d, &p).unwrap();
        let two_goods = migration(&d, &split).unwrap();
        assert!(one_good.developing_terms_of_trade_pct > 0.0, "{one_good:?}");
        assert!(
            two_goods.developing_terms_of_trade_pct < one_good.developing_terms_of_trade_pct,
            "{two_goods:?} {one_good:?}"
        );
        // Less of the gain reaches developing residents through prices.
        assert!(two_goods.developing_residents < one_good.developing_residents);
        // Tariff removal finds the export goods' tariffs when they are a separate good.
        let free_trade = trade_liberalization(&d, &split).unwrap();
        assert!(free_trade.world > 0.0, "{free_trade:?}");
        assert_ne!(free_trade, trade_liberalization(&d, &p).unwrap());
    }

    #[test]
    fn figures_respond_to_their_inputs() {
        let d = data();
        let p = WorldParameters::default();
        let base = migration(&d, &p).unwrap();
        // More migrants: more gain to them and to the world.
        let more = migration(
            &d,
            &WorldParameters {
                migration_increase: 0.05,
                ..p.clone()
            },
        )
        .unwrap();
        assert!(more.new_migrants > base.new_migrants && more.world > base.world);
        // A higher remittance share moves income from new migrants to developing residents.
        let remit = migration(
            &d,
            &WorldParameters {
                remittance_share: 0.3,
                ..p.clone()
            },
        )
        .unwrap();
        assert!(remit.developing_residents > base.developing_residents);
        assert!(remit.new_migrants < base.new_migrants);
        // Closer substitutes for natives: earlier migrants lose less.
        let subst = migration(
            &d,
            &WorldParameters {
                sigma_migrants: 10.0,
                ..p.clone()
            },
        )
        .unwrap();
        assert!(subst.earlier_migrants > base.earlier_migrants);
        // A vanishing shock, a vanishing gain.
        let tiny = WorldParameters {
            migration_increase: 1e-7,
            ..p.clone()
        };
        let tiny = migration(&d, &tiny).unwrap();
        assert!(
            tiny.world.abs() < 1e-3 && tiny.world.abs() < 1e-3 * base.world.abs(),
            "{tiny:?}"
        );
        // Aid: the recipients' gain grows with the amount and vanishes without it.
        assert!(transfer(&d, &p, 0.0).unwrap().abs() < 1e-6);
        let small = transfer(&d, &p, 10.0).unwrap();
        let large = transfer(&d, &p, 70.0).unwrap();
        assert!(small > 0.0 && large > 5.0 * small);
        // Temporary workers: the gain grows with the quota.
        let q = |quota| {
            temporary_workers(
                &d,
                &WorldParameters {
                    temporary_quota: quota,
                    ..p.clone()
                },
                Quotas::Both,
            )
            .unwrap()
        };
        assert!(q(0.05) > q(0.03) && q(0.03) > 0.0);
        assert!(q(0.0).abs() < 1e-6);
        // They are evaluated on the 1997 data: higher developing wages then, more earned abroad.
        let both =
            |d: &WorldData, p: &WorldParameters| temporary_workers(d, p, Quotas::Both).unwrap();
        let mut richer = d;
        richer.observed_1997.developing.gdp *= 1.1;
        assert!(both(&richer, &p) > both(&d, &p));
        // A larger place premium, a larger gain; none when movers earn abroad what they earn at
        // home (premium 1 at equal price levels), but for second-order terms.
        let premium = |x| WorldParameters {
            place_premium: x,
            ..p.clone()
        };
        assert!(both(&d, &premium(3.5)) > both(&d, &p));
        let mut equal_prices = d;
        equal_prices.developing_price_level = 1.0;
        let none = both(&equal_prices, &premium(1.0));
        assert!(none.abs() < 0.01 * both(&d, &p), "{none}");
    }

    /// `p` with official transfers spent `share` on high-income merchandise.
    fn spending(p: &WorldParameters, share: f64) -> WorldParameters {
        WorldParameters {
            aid_import_share: share,
            ..p.clone()
        }
    }

    /// Developing residents' gain from `amount` given to them as cash (the official-transfer
    /// programme idle).
    fn cash_to_residents(d: &WorldData, p: &WorldParameters, amount: f64) -> f64 {
        let baseline = Baseline::project(d, p.migration_horizon);
        let mut model = build(&baseline, p, false).unwrap().build().unwrap();
        model
            .set_transfer(HIC_NATIVES, DEVELOPING_RESIDENTS, HIC_CONSUMPTION, amount)
            .unwrap();
        ev(&model.solve_default().unwrap(), DEVELOPING_RESIDENTS).unwrap()
    }

    #[test]
    fn official_transfers_spent_like_income_are_cash_and_the_programme_size_is_only_a_scale() {
        let d = data();
        let cash = spending(&WorldParameters::default(), 0.0);
        let programme = transfer(&d, &cash, 70.0).unwrap();
        approx::assert_relative_eq!(
            programme,
            cash_to_residents(&d, &cash, 70.0),
            max_relative = 1e-7
        );
        // The programme's benchmark size does not change what a transfer is worth.
        let p = WorldParameters::default();
        let solve = |size: f64| {
            let baseline = Baseline::project(&d, p.migration_horizon);
            let spec = build_with_programme(&baseline, &p, false, size).unwrap();
            let mut m = spec.build().unwrap();
            m.check_benchmark().unwrap();
            m.set_transfer(HIC_NATIVES, OFFICIAL_TRANSFERS, HIC_CONSUMPTION, 70.0)
                .unwrap();
            let r = m.solve_default().unwrap();
            ev(&r, DEVELOPING_RESIDENTS).unwrap() + ev(&r, OFFICIAL_TRANSFERS).unwrap()
        };
        approx::assert_relative_eq!(solve(1.0), solve(25.0), max_relative = 1e-7);
        approx::assert_relative_eq!(
            solve(1.0),
            transfer(&d, &p, 70.0).unwrap(),
            max_relative = 1e-9
        );
    }

    #[test]
    fn the_more_of_a_transfer_is_spent_on_imports_the_smaller_its_terms_of_trade_gain() {
        let d = data();
        let no_tariffs = WorldParameters {
            tariff_hic: 0.0,
            tariff_dev: 0.0,
            ..WorldParameters::default()
        };
        let spent = |share: f64, p: &WorldParameters| {
            transfer_outcome(&d, &spending(p, share), 70.0).unwrap()
        };
        let values: Vec<f64> = [0.0, 0.5, 0.75, 1.0]
            .iter()
            .map(|&share| spent(share, &no_tariffs).recipients)
            .collect();
        assert!(values.windows(2).all(|w| w[1] < w[0]), "{values:?}");
        // All of it on high-income goods: more than donors would have spent on them, so
        // developing countries' terms of trade worsen a little.
        let all_imports = spent(1.0, &no_tariffs);
        assert!(all_imports.recipients < 70.0, "{all_imports:?}");
        assert!(all_imports.world.abs() < 0.01 * 70.0, "{all_imports:?}");
        // Duty-free: with tariffs, the imports it buys itself bring no duty; only the part
        // spent like income (whose imports pay duty) gains from the tariffs.
        let p = WorldParameters::default();
        let taxed_all = spent(1.0, &p);
        approx::assert_relative_eq!(
            taxed_all.recipients,
            all_imports.recipients,
            max_relative = 0.02
        );
        let (taxed_cash, cash) = (spent(0.0, &p), spent(0.0, &no_tariffs));
        assert!(
            taxed_cash.recipients - cash.recipients
                > 3.0 * (taxed_all.recipients - all_imports.recipients).abs(),
            "{taxed_cash:?} {cash:?} {taxed_all:?} {all_imports:?}"
        );
    }

    #[test]
    fn a_transfer_is_worth_more_than_face_value_by_its_terms_of_trade_and_tariff_effects() {
        let d = data();
        // Cash in the residents' hands.
        let p = spending(&WorldParameters::default(), 0.0);
        let no_tariffs = WorldParameters {
            tariff_hic: 0.0,
            tariff_dev: 0.0,
            ..p.clone()
        };
        let t = transfer_outcome(&d, &no_tariffs, 70.0).unwrap();
        // Without distortions a transfer only moves welfare: the world total is second order.
        assert!(t.world.abs() < 0.01 * t.amount, "{t:?}");
        // Recipients spend more of it at home than donors would: their terms of trade improve,
        // so they gain more than the face value and the donors lose more.
        assert!(t.recipients > t.amount && t.donors < -t.amount, "{t:?}");
        // With tariffs, the imports it finances pay duty: a first-order efficiency gain.
        let taxed = transfer_outcome(&d, &p, 70.0).unwrap();
        assert!(taxed.world > 0.01 * taxed.amount, "{taxed:?}");
        assert!(taxed.recipients > t.recipients);
        // Closer substitutes between origins: a smaller terms-of-trade effect.
        let elastic = transfer_outcome(
            &d,
            &WorldParameters {
                sigma_armington: 8.0,
                ..no_tariffs
            },
            70.0,
        )
        .unwrap();
        assert!(elastic.recipients < t.recipients, "{elastic:?} {t:?}");
        // Home sales and exports split by a CET frontier: the benchmark still replicates (the
        // build checks it), and the less export prices follow the prices at home, the smaller
        // the recipients' terms-of-trade gain.
        let split = |omega: f64| {
            transfer_outcome(
                &d,
                &WorldParameters {
                    export_transformation: Some(omega),
                    ..no_tariffs.clone()
                },
                70.0,
            )
            .unwrap()
        };
        let (loose, tight) = (split(8.0), split(2.0));
        assert!(tight.recipients < loose.recipients, "{tight:?} {loose:?}");
        assert!(loose.recipients < t.recipients, "{loose:?} {t:?}");
        // Still a pure transfer without tariffs.
        assert!(tight.world.abs() < 0.01 * tight.amount, "{tight:?}");
    }

    /// `OPTIONAL` names exactly the parameters a default leaves out when serialized (its `None`
    /// fields), so scenario files accept every parameter the model has. The fields are read
    /// from serde's own list (the error for an unknown field), so a new one cannot be missed.
    #[test]
    fn optional_lists_the_parameters_absent_from_a_default() {
        let e = serde_json::from_str::<WorldParameters>(r#"{"not a field": 0}"#).unwrap_err();
        let message = e.to_string();
        let list = message
            .split("expected one of ")
            .nth(1)
            .unwrap_or_else(|| panic!("{message}"));
        let fields: Vec<&str> = list
            .split(", ")
            .map(|f| f.trim_matches(|c: char| c == '`' || c.is_whitespace()))
            .map(|f| f.split('`').next().unwrap_or(f))
            .collect();
        let default = serde_json::to_value(WorldParameters::default()).unwrap();
        let mut absent: Vec<&str> = fields
            .iter()
            .copied()
            .filter(|f| default.get(f).is_none())
            .collect();
        absent.sort_unstable();
        let mut optional = WorldParameters::OPTIONAL.to_vec();
        optional.sort_unstable();
        assert!(fields.len() > 10, "{fields:?}");
        assert_eq!(absent, optional);
    }

    #[test]
    fn parameter_errors_name_the_parameter() {
        let p = WorldParameters {
            remittance_share: 1.5,
            ..WorldParameters::default()
        };
        assert_eq!(
            p.validate().unwrap_err().to_string(),
            "parameter `remittance_share` = 1.5: expected a number in [0, 0.9]"
        );
        let p = WorldParameters {
            sigma_armington: f64::NAN,
            ..WorldParameters::default()
        };
        assert!(matches!(
            p.validate(),
            Err(CalibrateError::ParameterOutOfRange {
                name: "sigma_armington",
                ..
            })
        ));
    }

    #[test]
    fn malformed_inputs_are_reported_with_file_and_line() {
        let bad = WORLD_INPUTS_CSV.replace("0.018130", "fast");
        let e = WorldData::parse(&bad, PWT_INCOME_GROUPS_CSV, WORLD_1997_CSV).unwrap_err();
        assert!(
            e.to_string().starts_with("world_model_inputs.csv line 2"),
            "{e}"
        );
        let header_only = WORLD_INPUTS_CSV.lines().next().unwrap();
        let e = WorldData::parse(header_only, PWT_INCOME_GROUPS_CSV, WORLD_1997_CSV).unwrap_err();
        assert!(matches!(e, CalibrateError::Missing { .. }), "{e}");
        let bad = WORLD_1997_CSV.replace("433.2", "-433.2");
        let e = WorldData::parse(WORLD_INPUTS_CSV, PWT_INCOME_GROUPS_CSV, &bad).unwrap_err();
        assert!(e.to_string().starts_with("world_1997.csv line 2"), "{e}");
        let header_only = WORLD_1997_CSV.lines().next().unwrap();
        let e = WorldData::parse(WORLD_INPUTS_CSV, PWT_INCOME_GROUPS_CSV, header_only).unwrap_err();
        assert_eq!(
            e.to_string(),
            "world_1997.csv: no row for group high_income"
        );
    }
}
