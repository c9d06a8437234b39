//! Complete labour mobility: the world GDP gain from removing every barrier to migration, in
//! the manner of Hamilton & Whalley (1984), Moses & Letnes (2004) and Iregui (2005), solved as a
//! `cge-core` model on seven regions built from Penn World Table 10.01.
//!
//! # The model
//!
//! Each region r produces the one world good with a CES technology (elasticity σ) in the labour
//! employed there and a region-specific fixed factor F_r, calibrated to the region's GDP and
//! labour share (model equations E3, E6, E7 of `docs/model.md`). Workers of origin o own their
//! labour; at the benchmark every worker works at home. The observed differences between the
//! regions' wages per worker are read, in part or in full, as the effect of barriers to
//! migration (Hamilton & Whalley 1984, abstract: "differences occurring in labour's marginal
//! product across regions are assumed to arise because of barriers to inward mobility of labour
//! in high wage countries"):
//!
//! - a share β (`barrier_share`) of each region's log gap to the world average wage is a
//!   barrier, the rest a difference in labour quality: a worker of r supplies
//!   e_r = h_r (ω°_r / ω°)^(1−β) efficiency units, where ω°_r is the observed wage per unit of
//!   skill h_r and ω° its world average, and keeps them wherever he works; the wage per
//!   efficiency unit ω_r = ω°^(1−β) ω°_r^β differs across regions only by the barrier.
//!   β = 1 is Hamilton & Whalley's headline assumption; β = 0 leaves no barrier and no gain;
//! - migration runs through a world pool of labour of each type: an emigration activity turns
//!   a unit of origin labour into a unit of pooled labour at a small cost (`migration_cost`, an
//!   iceberg, default 0.1%), and an immigration activity turns pooled labour into labour of the
//!   destination, paying an entry tax t_d (the tariff-equivalent barrier, revenue to the
//!   destination's households). With the pool price at the lowest benchmark wage ω_min,
//!   t_d = ω_d / ω_min − 1 makes every migration activity idle at the benchmark (E9 holds as an
//!   inequality), so the benchmark reproduces the data with no migration (`check_benchmark`).
//!   Pooling (rather than one activity per origin–destination pair) keeps the equilibrium
//!   unique: without barriers, who goes where would be indeterminate, only the net flows are
//!   not; the migration cost rules out round trips for the same reason;
//! - the counterfactual sets every entry tax to zero and solves the model
//!   ([`cge_core::Model::solve`]); labour moves until the wages per efficiency unit are equal
//!   (up to the migration cost).
//!
//! The world good is the numeraire (price 1 at the benchmark and after), so world GDP at
//! benchmark prices is Σ_r Y_r · GDP_r and the gain is its rise in % of benchmark world GDP, the
//! measure of Hamilton & Whalley (efficiency gain relative to world GNP) and of Clemens (2011,
//! Table 1, "% of world GDP").
//!
//! **Skill-segmented labour** (Iregui 2005): two labour types, mobile only within type. Each
//! region's workers are split by the Penn World Table human capital index hc, which is built as
//! exp(φ(s)) from years of schooling s with returns of 13.4%, 10.1% and 6.8% per year over the
//! first 4, next 4 and later years (Feenstra, Inklaar & Timmer 2015): an unskilled worker has
//! hc = 1 (no schooling), a skilled one hc = exp(4·0.134 + 4·0.101 + 4·0.068) = 3.36 (12 years,
//! secondary school completed), and the skilled share s_r solves
//! s_r · 3.36 + (1 − s_r) · 1 = hc_r. Wages per unit of skill are equal within a region, so
//! skill composition explains part of the gap between regions' wages per worker. Production
//! is one CES nest over the fixed factor and both labour types (a GTAP-style value-added nest;
//! Iregui's own nesting, data and year could not be checked, so the variant is run on the
//! Hamilton & Whalley benchmark of 1977 with the central σ). The [`LabourTypes::HumanCapital`]
//! variant keeps one labour type measured in hc units, which separates the effect of the skill
//! adjustment from that of segmentation: in the table below the skill adjustment takes the
//! central case from 110 to 56% and segmentation on to 38%, inside Iregui's 15–67 and below the
//! homogeneous case, as her abstract ranks them.
//!
//! # Data
//!
//! `data/pwt_1977_regions.csv` and `data/pwt_1998_regions.csv` (derived by
//! `data/derive/extract_regions.py` from Penn World Table 10.01; provenance in
//! `data/README.md`): per region, GDP at current exchange rates (cgdpo × pl_gdpo: Hamilton &
//! Whalley use US-dollar GNP) and at PPPs (cgdpo), persons engaged, population, the labour share
//! (GDP-weighted; countries without labsh take their region's average) and the human capital
//! index. The seven regions are this project's definition (`data/mobility_regions.csv`): North
//! America, Western Europe, Japan & Oceania, Latin America & Caribbean, Middle East & North
//! Africa with Eastern Europe & Central Asia, Sub-Saharan Africa, and developing Asia.
//!
//! # What the literature pins down, and what it does not
//!
//! Confirmed from the sources' own abstracts or from secondary sources: 1977 data, US-dollar
//! GNP per capita, fixed world labour, full employment, wage gaps read as barriers, gains that
//! in some cases exceed world GNP (Hamilton & Whalley 1984); 60 to almost 205% of world GDP
//! across their cases, 15–67% for Iregui, 4.3–112% for Moses & Letnes (World Bank 2011,
//! *Preferential Trade Agreement Policies for Development*, box 13.2); 147.3% as Clemens' pick
//! and 96.5% at σ = 1 for Moses & Letnes (Clemens 2011, via `published-estimates.md`); Iregui's
//! ranking: segmented labour gains less than homogeneous labour (Iregui 2005, abstract).
//! **Not confirmed**: Hamilton & Whalley's regions, their σ values, the case that gives 147.3,
//! their labour shares, and whether they count workers or population. These are parameters
//! here ([`MobilityParams`]); the central case takes σ = 1 (Cobb–Douglas, the value at which
//! Moses & Letnes report 96.5%), β = 1, exchange-rate GDP, persons engaged and PWT labour
//! shares. [`fit_sigma`] shows what σ Clemens' 147.3 would imply on these data.
//!
//! # Cases
//!
//! Generated by [`render_cases_table`] from [`run_cases`] (a test checks that this table is
//! the one the code produces). "HW" marks the cases this reproduction claims as Hamilton &
//! Whalley's set-up (β = 1, exchange-rate GDP, persons engaged, PWT labour shares, homogeneous
//! labour); their gains must, and do, lie in the published range 60–205. The published value
//! of `hw_central` is Clemens' pick, 147.3: the computed gain falls 25% short, and
//! [`fit_sigma`] puts the σ that would give 147.3 on these data at 1.65 (a fitting step, not
//! used by the report). Below σ ≈ 0.85 the solve fails: every worker leaves developing Asia,
//! whose fixed factor then has price zero, a corner outside the domain of the CES price index
//! in `cge-core` (with σ < 1, labour and the fixed factor are both essential). Hamilton &
//! Whalley's lower end (60%) is reached here only with part of the wage gap read as labour
//! quality (β < 1) or with PPP data. Moses & Letnes' 96.5% (1998, σ = 1) lies between the
//! exchange-rate and the PPP versions of the same case.
//!
//! | case | data | σ | β | GDP | labour | types | gain % | published | gap % | HW |
//! |---|---|---|---|---|---|---|---|---|---|---|
//! | hw_sigma_0.9 | 1977 | 0.9 | 1 | exchange rates | persons engaged | homogeneous | 102.3 | - | - | yes |
//! | hw_central | 1977 | 1 | 1 | exchange rates | persons engaged | homogeneous | 110.1 | 147.3 | -25.3 | yes |
//! | hw_sigma_1.5 | 1977 | 1.5 | 1 | exchange rates | persons engaged | homogeneous | 140.5 | - | - | yes |
//! | hw_sigma_2 | 1977 | 2 | 1 | exchange rates | persons engaged | homogeneous | 160.3 | - | - | yes |
//! | hw_sigma_3 | 1977 | 3 | 1 | exchange rates | persons engaged | homogeneous | 181.9 | - | - | yes |
//! | sens_barrier_0.75 | 1977 | 1 | 0.75 | exchange rates | persons engaged | homogeneous | 51.6 | - | - | no |
//! | sens_barrier_0.5 | 1977 | 1 | 0.5 | exchange rates | persons engaged | homogeneous | 20.2 | - | - | no |
//! | sens_ppp | 1977 | 1 | 1 | PPP | persons engaged | homogeneous | 84.3 | - | - | no |
//! | sens_population | 1977 | 1 | 1 | exchange rates | population | homogeneous | 122.6 | - | - | no |
//! | ml2004_sigma_1 | 1998 | 1 | 1 | exchange rates | persons engaged | homogeneous | 139.6 | 96.5 | 44.6 | no |
//! | ml2004_ppp | 1998 | 1 | 1 | PPP | persons engaged | homogeneous | 87.1 | 96.5 | -9.7 | no |
//! | iregui_human_capital | 1977 | 1 | 1 | exchange rates | persons engaged | human capital | 55.6 | 67 | -17 | no |
//! | iregui_segmented | 1977 | 1 | 1 | exchange rates | persons engaged | segmented | 37.9 | - | - | no |
//!
//! # Example
//!
//! ```
//! use cge_calibrate::complete_mobility::{self, MobilityParams};
//!
//! # fn main() -> Result<(), cge_calibrate::CalibrateError> {
//! let rows = complete_mobility::regions_1977()?;
//! let outcome = complete_mobility::solve(&rows, &MobilityParams::hw1984_central())?;
//! assert!(outcome.gain_pct > 60.0 && outcome.gain_pct < 205.0);
//! println!("world GDP +{:.1}% ({:.0}% of workers move)", outcome.gain_pct, outcome.migrants_pct);
//! # Ok(())
//! # }
//! ```

use cge_core::{ConsumerSpec, Flow, Model, ModelSpec, Results, SectorSpec};

use crate::error::CalibrateError;

/// File name of the 1977 regional extract, as used in error messages.
pub const PWT_1977_REGIONS_FILE: &str = "pwt_1977_regions.csv";

/// File name of the 1998 regional extract, as used in error messages.
pub const PWT_1998_REGIONS_FILE: &str = "pwt_1998_regions.csv";

/// Penn World Table 10.01 by region, 1977 (the Hamilton & Whalley year). Source: Feenstra,
/// Inklaar & Timmer (2015), AER 105(10): 3150–3182 (CC BY 4.0).
pub const PWT_1977_REGIONS_CSV: &str = include_str!("../../../data/pwt_1977_regions.csv");

/// Penn World Table 10.01 by region, 1998 (the Moses & Letnes year). Source as for 1977.
pub const PWT_1998_REGIONS_CSV: &str = include_str!("../../../data/pwt_1998_regions.csv");

const REGION_HEADER: [&str; 11] = [
    "region",
    "year",
    "countries",
    "emp_millions",
    "pop_millions",
    "gdp_xr_musd",
    "gdp_ppp_musd2017",
    "labsh",
    "labsh_coverage",
    "hc",
    "hc_coverage",
];

/// PWT's human capital index of a worker with 12 years of schooling: exp(4·0.134 + 4·0.101 +
/// 4·0.068) (Feenstra, Inklaar & Timmer 2015, returns to schooling of Psacharopoulos 1994).
pub const HC_SECONDARY_COMPLETE: f64 = 3.360_302_726_852_894;

/// Hamilton & Whalley (1984) as picked by Clemens (2011, Table 1) [% of world GDP].
pub const HW1984_PUBLISHED_PCT: f64 = 147.3;
/// Hamilton & Whalley's range across their cases [% of world GDP].
pub const HW1984_RANGE_PCT: (f64, f64) = (60.0, 205.0);
/// Moses & Letnes (2004) at σ = 1 with 1998 data [% of world GDP].
pub const ML2004_PUBLISHED_PCT: f64 = 96.5;
/// Iregui (2005) with homogeneous labour [% of world GDP].
pub const IREGUI_HOMOGENEOUS_PCT: f64 = 67.0;
/// Iregui's range across specifications [% of world GDP].
pub const IREGUI_RANGE_PCT: (f64, f64) = (15.0, 67.0);

/// One region of the regional extract: Penn World Table 10.01 sums and averages over the
/// region's countries that report GDP, its price level and persons engaged.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionRow {
    /// Region id, e.g. `north_america`.
    pub region: String,
    /// Calendar year.
    pub year: i32,
    /// Countries summed.
    pub countries: u32,
    /// Persons engaged, `emp` [million persons].
    pub emp_millions: f64,
    /// Population, `pop` [million persons].
    pub pop_millions: f64,
    /// GDP at current exchange rates, Σ cgdpo × pl_gdpo [million current US$].
    pub gdp_xr_musd: f64,
    /// GDP at current PPPs, Σ cgdpo [million 2017 US$].
    pub gdp_ppp_musd2017: f64,
    /// Labour share of GDP, `labsh`, averaged with GDP weights \[fraction\].
    pub labsh: f64,
    /// Share of the region's GDP in countries reporting `labsh` \[fraction\].
    pub labsh_coverage: f64,
    /// Human capital index, `hc`, averaged with `emp` weights [index, 1 = no schooling].
    pub hc: f64,
    /// Share of the region's `emp` in countries reporting `hc` \[fraction\].
    pub hc_coverage: f64,
}

/// The shipped 1977 regional extract, parsed.
///
/// # Errors
///
/// Any [`CalibrateError`] of [`parse_regions`]; none for the shipped file, which a test parses.
pub fn regions_1977() -> Result<Vec<RegionRow>, CalibrateError> {
    parse_regions(PWT_1977_REGIONS_FILE, PWT_1977_REGIONS_CSV)
}

/// The shipped 1998 regional extract, parsed.
///
/// # Errors
///
/// As [`regions_1977`].
pub fn regions_1998() -> Result<Vec<RegionRow>, CalibrateError> {
    parse_regions(PWT_1998_REGIONS_FILE, PWT_1998_REGIONS_CSV)
}

/// Parses text laid out as `data/pwt_1977_regions.csv`; `file` names it in errors.
///
/// # Errors
///
/// [`CalibrateError::EmptyFile`], [`CalibrateError::Header`], [`CalibrateError::FieldCount`],
/// [`CalibrateError::Parse`] (a field that is not a number or count) and
/// [`CalibrateError::OutOfRange`] (a total that is not positive, a share or coverage outside
/// [0, 1], a human capital index below 1).
pub fn parse_regions(file: &str, text: &str) -> Result<Vec<RegionRow>, CalibrateError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let expected = REGION_HEADER.join(",");
    let (_, first) = lines.next().ok_or_else(|| CalibrateError::EmptyFile {
        file: file.to_owned(),
        expected: expected.clone(),
    })?;
    if first.trim() != expected {
        return Err(CalibrateError::Header {
            file: file.to_owned(),
            expected,
            found: first.to_owned(),
        });
    }
    lines
        .map(|(line, l)| {
            let fields: Vec<&str> = l.split(',').map(str::trim).collect();
            if fields.len() != REGION_HEADER.len() {
                return Err(CalibrateError::FieldCount {
                    file: file.to_owned(),
                    line,
                    expected: REGION_HEADER.len(),
                    found: fields.len(),
                });
            }
            let field = Field {
                file,
                line,
                fields: &fields,
            };
            Ok(RegionRow {
                region: fields[0].to_owned(),
                year: field.integer(1)?,
                countries: field.integer(2)?,
                emp_millions: field.number(3, Range::Positive)?,
                pop_millions: field.number(4, Range::Positive)?,
                gdp_xr_musd: field.number(5, Range::Positive)?,
                gdp_ppp_musd2017: field.number(6, Range::Positive)?,
                labsh: field.number(7, Range::Fraction)?,
                labsh_coverage: field.number(8, Range::Fraction)?,
                hc: field.number(9, Range::AtLeastOne)?,
                hc_coverage: field.number(10, Range::Fraction)?,
            })
        })
        .collect()
}

#[derive(Clone, Copy)]
enum Range {
    Positive,
    Fraction,
    AtLeastOne,
}

struct Field<'a> {
    file: &'a str,
    line: usize,
    fields: &'a [&'a str],
}

impl Field<'_> {
    fn parse_error(&self, i: usize, expected: &'static str) -> CalibrateError {
        CalibrateError::Parse {
            file: self.file.to_owned(),
            line: self.line,
            column: REGION_HEADER[i].to_owned(),
            value: self.fields[i].to_owned(),
            expected,
        }
    }

    fn integer<T: std::str::FromStr>(&self, i: usize) -> Result<T, CalibrateError> {
        self.fields[i]
            .parse()
            .map_err(|_| self.parse_error(i, "an integer"))
    }

    fn number(&self, i: usize, range: Range) -> Result<f64, CalibrateError> {
        let x: f64 = self.fields[i]
            .parse()
            .map_err(|_| self.parse_error(i, "a number"))?;
        let (ok, words) = match range {
            Range::Positive => (x > 0.0, "a finite number > 0"),
            Range::Fraction => ((0.0..=1.0).contains(&x), "a fraction in [0, 1]"),
            Range::AtLeastOne => (x >= 1.0, "a finite number >= 1"),
        };
        if x.is_finite() && ok {
            Ok(x)
        } else {
            Err(CalibrateError::OutOfRange {
                file: self.file.to_owned(),
                line: self.line,
                column: REGION_HEADER[i].to_owned(),
                value: x,
                expected: words,
            })
        }
    }
}

/// Which GDP measures output and wages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GdpBasis {
    /// GDP at current exchange rates [US$ tn of the data year]: Hamilton & Whalley's US-dollar
    /// GNP.
    ExchangeRates,
    /// GDP at current PPPs [US$ tn, 2017 prices]: smaller gaps between regions.
    Ppp,
}

/// Who counts as a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabourMeasure {
    /// PWT persons engaged (`emp`).
    PersonsEngaged,
    /// PWT population (`pop`): wages per head, as GNP per capita would give them.
    Population,
}

/// The labour share of each region's GDP.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabourShare {
    /// PWT `labsh`, GDP-weighted by region (missing countries take their region's average).
    Pwt,
    /// The same share \[fraction\] in every region.
    Uniform(f64),
}

/// The labour types of the model.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabourTypes {
    /// One type; every worker counts the same before the barrier adjustment (Hamilton &
    /// Whalley).
    Homogeneous,
    /// One type measured in units of PWT human capital (a worker of region r supplies hc_r).
    HumanCapital,
    /// Two types, skilled and unskilled, each mobile only within its type (Iregui 2005); the
    /// region's skilled share s solves s·skilled_hc + (1 − s)·unskilled_hc = hc.
    Segmented {
        /// Human capital index of an unskilled worker (default 1: no schooling).
        unskilled_hc: f64,
        /// Human capital index of a skilled worker (default [`HC_SECONDARY_COMPLETE`]).
        skilled_hc: f64,
    },
}

impl LabourTypes {
    /// Two types split at no schooling / secondary school completed.
    pub fn segmented() -> Self {
        Self::Segmented {
            unskilled_hc: 1.0,
            skilled_hc: HC_SECONDARY_COMPLETE,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Homogeneous => "homogeneous",
            Self::HumanCapital => "human capital",
            Self::Segmented { .. } => "segmented",
        }
    }
}

/// The parameters of a complete-mobility experiment. See the module docs for what each one
/// means and which the literature pins down.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MobilityParams {
    /// Elasticity of substitution σ > 0 between labour and the fixed factor (default 1).
    pub sigma: f64,
    /// Share β ∈ [0, 1] of each region's log wage gap read as a barrier; the rest is labour
    /// quality (default 1).
    pub barrier_share: f64,
    /// GDP measure (default exchange rates).
    pub gdp: GdpBasis,
    /// Who counts as a worker (default persons engaged).
    pub labour: LabourMeasure,
    /// Labour shares (default PWT).
    pub labour_share: LabourShare,
    /// Labour types (default homogeneous).
    pub types: LabourTypes,
    /// Iceberg cost of migrating \[fraction of the migrant's labour\] in [0, 0.1] (default
    /// 0.001); it makes the equilibrium unique and is too small to matter for the gain.
    pub migration_cost: f64,
}

impl Default for MobilityParams {
    fn default() -> Self {
        Self::hw1984_central()
    }
}

impl MobilityParams {
    /// The central case compared with Clemens' pick from Hamilton & Whalley (1984): σ = 1,
    /// β = 1, exchange-rate GDP, persons engaged, PWT labour shares, homogeneous labour.
    pub fn hw1984_central() -> Self {
        Self {
            sigma: 1.0,
            barrier_share: 1.0,
            gdp: GdpBasis::ExchangeRates,
            labour: LabourMeasure::PersonsEngaged,
            labour_share: LabourShare::Pwt,
            types: LabourTypes::Homogeneous,
            migration_cost: 0.001,
        }
    }

    /// The central case with skill-segmented labour (Iregui 2005).
    pub fn iregui_segmented() -> Self {
        Self {
            types: LabourTypes::segmented(),
            ..Self::hw1984_central()
        }
    }

    /// Checks every parameter's range.
    ///
    /// # Errors
    ///
    /// [`CalibrateError::InvalidParameter`] naming the first parameter out of range.
    pub fn validate(&self) -> Result<(), CalibrateError> {
        let check = |name, value: f64, ok: bool, expected| {
            if value.is_finite() && ok {
                Ok(())
            } else {
                Err(CalibrateError::InvalidParameter {
                    name,
                    value,
                    expected,
                })
            }
        };
        check("sigma", self.sigma, self.sigma > 0.0, "a finite number > 0")?;
        check(
            "barrier_share",
            self.barrier_share,
            (0.0..=1.0).contains(&self.barrier_share),
            "a fraction in [0, 1]",
        )?;
        check(
            "migration_cost",
            self.migration_cost,
            (0.0..=0.1).contains(&self.migration_cost),
            "a fraction in [0, 0.1]",
        )?;
        if let LabourShare::Uniform(a) = self.labour_share {
            check(
                "labour_share",
                a,
                a > 0.0 && a < 1.0,
                "a fraction in (0, 1)",
            )?;
        }
        if let LabourTypes::Segmented {
            unskilled_hc,
            skilled_hc,
        } = self.types
        {
            check(
                "unskilled_hc",
                unskilled_hc,
                unskilled_hc >= 1.0,
                "a finite number >= 1",
            )?;
            check(
                "skilled_hc",
                skilled_hc,
                skilled_hc > unskilled_hc,
                "a finite number above unskilled_hc",
            )?;
        }
        Ok(())
    }
}

/// One labour group at the benchmark: the workers of one type in one region.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LabourGroup {
    /// "all", "skilled" or "unskilled".
    pub kind: String,
    /// Workers \[million\].
    pub workers: f64,
    /// Labour income [US$ tn].
    pub income: f64,
    /// Efficiency units per worker (after the barrier-share adjustment) \[index\].
    pub efficiency: f64,
    /// Wage per efficiency unit relative to the type's world average \[index\]: the commodity's
    /// reference price.
    pub wage_index: f64,
}

/// One region at the benchmark.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegionBenchmark {
    /// Region id.
    pub region: String,
    /// GDP [US$ tn].
    pub gdp: f64,
    /// Income of the fixed factor [US$ tn].
    pub fixed_factor: f64,
    /// Labour groups, one per type.
    pub labour: Vec<LabourGroup>,
}

/// The calibrated benchmark of a complete-mobility model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Benchmark {
    /// Data year.
    pub year: i32,
    /// Unit of the money figures.
    pub unit: String,
    /// Regions in file order.
    pub regions: Vec<RegionBenchmark>,
    /// Labour types: "all", or "skilled" and "unskilled".
    pub kinds: Vec<String>,
    /// The parameters.
    pub params: MobilityParams,
}

impl Benchmark {
    /// Calibrates the benchmark to `rows` (one year) with `params`.
    ///
    /// # Errors
    ///
    /// [`CalibrateError::InvalidParameter`] for a parameter out of range, or a region whose
    /// hc does not lie strictly between the unskilled and skilled hc;
    /// [`CalibrateError::Missing`] when `rows` is empty or mixes years.
    pub fn calibrate(rows: &[RegionRow], params: &MobilityParams) -> Result<Self, CalibrateError> {
        params.validate()?;
        let year = rows
            .first()
            .map(|r| r.year)
            .ok_or(CalibrateError::Missing {
                file: "regional data".into(),
                what: "any region".into(),
            })?;
        if let Some(r) = rows.iter().find(|r| r.year != year) {
            return Err(CalibrateError::Missing {
                file: "regional data".into(),
                what: format!("region {} in year {year} (found year {})", r.region, r.year),
            });
        }
        let unit = match params.gdp {
            GdpBasis::ExchangeRates => format!("US$ tn, {year} prices and exchange rates"),
            GdpBasis::Ppp => format!("US$ tn, 2017 prices at {year} PPPs"),
        };
        let kinds: Vec<String> = match params.types {
            LabourTypes::Segmented { .. } => vec!["skilled".into(), "unskilled".into()],
            _ => vec!["all".into()],
        };
        // Per region and type: (workers, income, skill units per worker).
        let mut raw: Vec<Vec<(f64, f64, f64)>> = Vec::with_capacity(rows.len());
        let mut regions = Vec::with_capacity(rows.len());
        for r in rows {
            let gdp = match params.gdp {
                GdpBasis::ExchangeRates => r.gdp_xr_musd,
                GdpBasis::Ppp => r.gdp_ppp_musd2017,
            } / 1e6;
            let workers = match params.labour {
                LabourMeasure::PersonsEngaged => r.emp_millions,
                LabourMeasure::Population => r.pop_millions,
            };
            let alpha = match params.labour_share {
                LabourShare::Pwt => r.labsh,
                LabourShare::Uniform(a) => a,
            };
            if !(alpha > 0.0 && alpha < 1.0) {
                return Err(CalibrateError::InvalidParameter {
                    name: "labsh",
                    value: alpha,
                    expected: "a labour share in (0, 1) in every region",
                });
            }
            let wages = alpha * gdp;
            raw.push(match params.types {
                LabourTypes::Homogeneous => vec![(workers, wages, 1.0)],
                LabourTypes::HumanCapital => vec![(workers, wages, r.hc)],
                LabourTypes::Segmented {
                    unskilled_hc,
                    skilled_hc,
                } => {
                    if !(r.hc > unskilled_hc && r.hc < skilled_hc) {
                        return Err(CalibrateError::InvalidParameter {
                            name: "skilled_hc",
                            value: skilled_hc,
                            expected: "above every region's hc, with unskilled_hc below it",
                        });
                    }
                    let s = (r.hc - unskilled_hc) / (skilled_hc - unskilled_hc);
                    vec![
                        (s * workers, wages * s * skilled_hc / r.hc, skilled_hc),
                        (
                            (1.0 - s) * workers,
                            wages * (1.0 - s) * unskilled_hc / r.hc,
                            unskilled_hc,
                        ),
                    ]
                }
            });
            regions.push(RegionBenchmark {
                region: r.region.clone(),
                gdp,
                fixed_factor: gdp - wages,
                labour: Vec::new(),
            });
        }
        let beta = params.barrier_share;
        for (k, kind) in kinds.iter().enumerate() {
            // World average wage per skill unit, then efficiency units per worker.
            let income: f64 = raw.iter().map(|g| g[k].1).sum();
            let skill: f64 = raw.iter().map(|g| g[k].0 * g[k].2).sum();
            let world_skill_wage = income / skill;
            let efficiency: Vec<f64> = raw
                .iter()
                .map(|g| {
                    let (n, v, h) = g[k];
                    h * (v / (n * h) / world_skill_wage).powf(1.0 - beta)
                })
                .collect();
            let units: f64 = raw.iter().zip(&efficiency).map(|(g, e)| g[k].0 * e).sum();
            let world_unit_wage = income / units;
            for ((region, g), e) in regions.iter_mut().zip(&raw).zip(&efficiency) {
                let (n, v, _) = g[k];
                region.labour.push(LabourGroup {
                    kind: kind.clone(),
                    workers: n,
                    income: v,
                    efficiency: *e,
                    wage_index: v / (n * e) / world_unit_wage,
                });
            }
        }
        Ok(Self {
            year,
            unit,
            regions,
            kinds,
            params: *params,
        })
    }

    /// World GDP at the benchmark [unit of the benchmark].
    pub fn world_gdp(&self) -> f64 {
        self.regions.iter().map(|r| r.gdp).sum()
    }

    /// The model spec with the barriers in place: labour commodity `L_<kind>_<region>` (price
    /// = wage index, quantity = income / wage index), pooled labour `W_<kind>`, fixed factor
    /// `F_<region>`, world good `Y` (the numeraire); sectors `PROD_<region>`,
    /// `EMIG_<kind>_<region>` and `IMMIG_<kind>_<region>` (idle at the benchmark); consumers
    /// `HH_<region>`.
    pub fn spec(&self) -> ModelSpec {
        let p = &self.params;
        let mut spec = ModelSpec::new(format!(
            "complete labour mobility, {} regions, {}",
            self.regions.len(),
            self.year
        ))
        .commodity("Y", 1.0);
        for (k, kind) in self.kinds.iter().enumerate() {
            let pool = self.pool_price(k);
            spec = spec.commodity(format!("W_{kind}"), pool);
            for r in &self.regions {
                spec = spec.commodity(format!("L_{kind}_{}", r.region), r.labour[k].wage_index);
            }
        }
        for r in &self.regions {
            spec = spec.commodity(format!("F_{}", r.region), 1.0);
        }
        for r in &self.regions {
            let mut prod = SectorSpec::new(format!("PROD_{}", r.region))
                .elasticity(p.sigma)
                .output("Y", r.gdp)
                .input(format!("F_{}", r.region), r.fixed_factor);
            let mut hh = ConsumerSpec::new(format!("HH_{}", r.region))
                .endowment(format!("F_{}", r.region), r.fixed_factor)
                .demand("Y", r.gdp);
            for g in &r.labour {
                let q = g.income / g.wage_index;
                prod = prod.input(format!("L_{}_{}", g.kind, r.region), q);
                hh = hh.endowment(format!("L_{}_{}", g.kind, r.region), q);
            }
            spec = spec.sector(prod).consumer(hh);
        }
        for (k, kind) in self.kinds.iter().enumerate() {
            let pool = self.pool_price(k);
            for r in &self.regions {
                let g = &r.labour[k];
                let q = g.income / g.wage_index;
                // E9 holds with cost ≥ revenue: the pool pays the lowest wage, so emigrating
                // at the migration cost does not pay anywhere.
                spec = spec.sector(
                    SectorSpec::new(format!("EMIG_{kind}_{}", r.region))
                        .benchmark_level(0.0)
                        .output(format!("W_{kind}"), q)
                        .input(
                            format!("L_{kind}_{}", r.region),
                            q * (1.0 + p.migration_cost),
                        ),
                );
                // The entry tax brings the pooled wage up to the destination's wage: zero
                // profit at the benchmark, with no migrants.
                let barrier = g.wage_index / pool - 1.0;
                spec = spec.sector(
                    SectorSpec::new(format!("IMMIG_{kind}_{}", r.region))
                        .benchmark_level(0.0)
                        .output(format!("L_{kind}_{}", r.region), q)
                        .input_flow(
                            Flow::new(format!("W_{kind}"), q)
                                .tax(barrier, format!("HH_{}", r.region)),
                        ),
                );
            }
        }
        spec.numeraire_price("Y", 1.0)
    }

    /// The price of pooled labour of type k at the benchmark: the lowest wage index.
    fn pool_price(&self, k: usize) -> f64 {
        self.regions
            .iter()
            .map(|r| r.labour[k].wage_index)
            .fold(f64::INFINITY, f64::min)
    }

    /// The barrier (entry tax) of each destination for each labour type, as in the spec
    /// \[fraction\], `(kind, region, rate)`.
    pub fn barriers(&self) -> Vec<(String, String, f64)> {
        let mut out = Vec::new();
        for (k, kind) in self.kinds.iter().enumerate() {
            let pool = self.pool_price(k);
            for r in &self.regions {
                out.push((
                    kind.clone(),
                    r.region.clone(),
                    r.labour[k].wage_index / pool - 1.0,
                ));
            }
        }
        out
    }
}

/// Builds the model with the barriers in place and checks that its benchmark replicates the
/// data (E20).
///
/// # Errors
///
/// As [`Benchmark::calibrate`], and [`CalibrateError::Model`] if the spec does not build or
/// fails the benchmark check.
pub fn build(
    rows: &[RegionRow],
    params: &MobilityParams,
) -> Result<(Benchmark, Model), CalibrateError> {
    let benchmark = Benchmark::calibrate(rows, params)?;
    let model = benchmark.spec().build()?;
    model.check_benchmark()?;
    Ok((benchmark, model))
}

/// One region after complete mobility.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegionOutcome {
    /// Region id.
    pub region: String,
    /// Change in output [%].
    pub output_change_pct: f64,
    /// Change in the labour employed (efficiency units, all types) [%].
    pub employment_change_pct: f64,
    /// Change in the wage per efficiency unit of each labour type, in labour-type order [%].
    pub wage_change_pct: Vec<f64>,
    /// Share of the region's workers who emigrate [%].
    pub emigrants_pct: f64,
}

/// The result of removing every barrier.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MobilityOutcome {
    /// World GDP gain at benchmark prices [% of benchmark world GDP].
    pub gain_pct: f64,
    /// World GDP at the benchmark [unit].
    pub world_gdp_benchmark: f64,
    /// World GDP after complete mobility, at benchmark prices [unit].
    pub world_gdp_counterfactual: f64,
    /// Unit of the money figures.
    pub unit: String,
    /// Workers who move [% of the world's workers].
    pub migrants_pct: f64,
    /// Regions in data order.
    pub regions: Vec<RegionOutcome>,
    /// Solver iterations.
    pub iterations: usize,
}

/// Removes every barrier from a model built by [`build`] and solves it.
///
/// The shock is applied in [`SHOCK_STEPS`] equal steps of the entry taxes, each solve
/// starting from the previous solution, so that Newton's method never starts far from the
/// solution.
///
/// # Errors
///
/// [`CalibrateError::Model`] if a solve fails (its diagnostics are inside).
pub fn remove_barriers(
    benchmark: &Benchmark,
    model: &mut Model,
) -> Result<MobilityOutcome, CalibrateError> {
    let barriers = benchmark.barriers();
    let options = model.solver_options();
    let mut iterations = 0;
    let mut results = model.results_at(&model.benchmark_point())?;
    for step in 1..=SHOCK_STEPS {
        let remaining = 1.0 - step as f64 / SHOCK_STEPS as f64;
        for (kind, region, rate) in &barriers {
            model.set_input_tax(
                &format!("IMMIG_{kind}_{region}"),
                &format!("W_{kind}"),
                rate * remaining,
            )?;
        }
        results = model.solve(&options)?;
        iterations += results.diagnostics.as_ref().map_or(0, |d| d.iterations);
    }
    Ok(outcome(benchmark, &results, iterations))
}

/// Steps in which [`remove_barriers`] phases out the entry taxes.
pub const SHOCK_STEPS: usize = 4;

fn outcome(benchmark: &Benchmark, results: &Results, iterations: usize) -> MobilityOutcome {
    let level = |name: &str| results.activities.get(name).copied().unwrap_or(0.0);
    let price = |name: &str| results.prices.get(name).copied().unwrap_or(0.0);
    let mut world = 0.0;
    let mut movers = 0.0;
    let mut workers = 0.0;
    let mut regions = Vec::new();
    for r in &benchmark.regions {
        let y = level(&format!("PROD_{}", r.region));
        world += y * r.gdp;
        let mut employed = 0.0;
        let mut native = 0.0;
        let mut emigrants = 0.0;
        let mut region_workers = 0.0;
        let mut wage_change_pct = Vec::new();
        for g in &r.labour {
            let commodity = format!("L_{}_{}", g.kind, r.region);
            let q = g.income / g.wage_index;
            native += q;
            employed += q
                * (1.0
                    - level(&format!("EMIG_{}_{}", g.kind, r.region))
                        * (1.0 + benchmark.params.migration_cost)
                    + level(&format!("IMMIG_{}_{}", g.kind, r.region)));
            // Each emigrant takes 1 + cost units of his labour from the origin for 1 unit pooled.
            emigrants += level(&format!("EMIG_{}_{}", g.kind, r.region))
                * (1.0 + benchmark.params.migration_cost)
                * g.workers;
            region_workers += g.workers;
            wage_change_pct.push(100.0 * (price(&commodity) / g.wage_index - 1.0));
        }
        movers += emigrants;
        workers += region_workers;
        regions.push(RegionOutcome {
            region: r.region.clone(),
            output_change_pct: 100.0 * (y - 1.0),
            employment_change_pct: 100.0 * (employed / native - 1.0),
            wage_change_pct,
            emigrants_pct: 100.0 * emigrants / region_workers,
        });
    }
    let base = benchmark.world_gdp();
    MobilityOutcome {
        gain_pct: 100.0 * (world / base - 1.0),
        world_gdp_benchmark: base,
        world_gdp_counterfactual: world,
        unit: benchmark.unit.clone(),
        migrants_pct: 100.0 * movers / workers,
        regions,
        iterations,
    }
}

/// Calibrates, builds, checks and solves: the world GDP gain from complete mobility on `rows`
/// with `params`.
///
/// # Errors
///
/// As [`build`] and [`remove_barriers`].
pub fn solve(
    rows: &[RegionRow],
    params: &MobilityParams,
) -> Result<MobilityOutcome, CalibrateError> {
    let (benchmark, mut model) = build(rows, params)?;
    remove_barriers(&benchmark, &mut model)
}

/// Hamilton & Whalley (1984), the case compared with Clemens' pick (147.3%): the
/// [`MobilityParams::hw1984_central`] case on 1977 data.
///
/// # Errors
///
/// As [`solve`]; none on the shipped data, which the tests solve.
pub fn hw1984_full_mobility() -> Result<MobilityOutcome, CalibrateError> {
    solve(&regions_1977()?, &MobilityParams::hw1984_central())
}

/// The Iregui (2005)-style skill-segmented variant of the central case on 1977 data.
///
/// # Errors
///
/// As [`solve`]; none on the shipped data, which the tests solve.
pub fn iregui_segmented() -> Result<MobilityOutcome, CalibrateError> {
    solve(&regions_1977()?, &MobilityParams::iregui_segmented())
}

/// The σ at which the model gives `target_pct` with the other parameters of `base`: an
/// explicit, re-runnable fitting step (bisection on log σ over [0.05, 20], 40 solves at most).
///
/// # Errors
///
/// As [`solve`]; [`CalibrateError::InvalidParameter`] if the target lies outside the gains at
/// σ = 0.05 and σ = 20.
pub fn fit_sigma(
    rows: &[RegionRow],
    base: &MobilityParams,
    target_pct: f64,
) -> Result<f64, CalibrateError> {
    let gain = |sigma: f64| solve(rows, &MobilityParams { sigma, ..*base }).map(|o| o.gain_pct);
    let (mut lo, mut hi) = (0.05_f64, 20.0_f64);
    if !(gain(lo)? <= target_pct && target_pct <= gain(hi)?) {
        return Err(CalibrateError::InvalidParameter {
            name: "target_pct",
            value: target_pct,
            expected: "a gain reachable with sigma in [0.05, 20]",
        });
    }
    for _ in 0..40 {
        let mid = (lo * hi).sqrt();
        if gain(mid)? < target_pct {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi / lo < 1.0 + 1e-6 {
            break;
        }
    }
    Ok((lo * hi).sqrt())
}

/// One case of the case table.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Stable id.
    pub id: &'static str,
    /// Data year (1977 or 1998).
    pub year: i32,
    /// Parameters.
    pub params: MobilityParams,
    /// The published figure this case is compared with [% of world GDP], if any.
    pub published: Option<f64>,
    /// Whether the reproduction claims the case as one of Hamilton & Whalley's (then its gain
    /// must lie in 60–205).
    pub hw_case: bool,
}

/// The cases of the module docs' table: Hamilton & Whalley's σ range, the sensitivities, the
/// Moses & Letnes update and the Iregui-style variants.
pub fn cases() -> Vec<Case> {
    let central = MobilityParams::hw1984_central();
    let with = |id, year, params, published, hw_case| Case {
        id,
        year,
        params,
        published,
        hw_case,
    };
    let sigma = |s| MobilityParams {
        sigma: s,
        ..central
    };
    vec![
        with("hw_sigma_0.9", 1977, sigma(0.9), None, true),
        with(
            "hw_central",
            1977,
            central,
            Some(HW1984_PUBLISHED_PCT),
            true,
        ),
        with("hw_sigma_1.5", 1977, sigma(1.5), None, true),
        with("hw_sigma_2", 1977, sigma(2.0), None, true),
        with("hw_sigma_3", 1977, sigma(3.0), None, true),
        with(
            "sens_barrier_0.75",
            1977,
            MobilityParams {
                barrier_share: 0.75,
                ..central
            },
            None,
            false,
        ),
        with(
            "sens_barrier_0.5",
            1977,
            MobilityParams {
                barrier_share: 0.5,
                ..central
            },
            None,
            false,
        ),
        with(
            "sens_ppp",
            1977,
            MobilityParams {
                gdp: GdpBasis::Ppp,
                ..central
            },
            None,
            false,
        ),
        with(
            "sens_population",
            1977,
            MobilityParams {
                labour: LabourMeasure::Population,
                ..central
            },
            None,
            false,
        ),
        with(
            "ml2004_sigma_1",
            1998,
            central,
            Some(ML2004_PUBLISHED_PCT),
            false,
        ),
        with(
            "ml2004_ppp",
            1998,
            MobilityParams {
                gdp: GdpBasis::Ppp,
                ..central
            },
            Some(ML2004_PUBLISHED_PCT),
            false,
        ),
        with(
            "iregui_human_capital",
            1977,
            MobilityParams {
                types: LabourTypes::HumanCapital,
                ..central
            },
            Some(IREGUI_HOMOGENEOUS_PCT),
            false,
        ),
        with(
            "iregui_segmented",
            1977,
            MobilityParams::iregui_segmented(),
            None,
            false,
        ),
    ]
}

/// A case with its solution.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    /// The case.
    pub case: Case,
    /// Its solution.
    pub outcome: MobilityOutcome,
}

impl CaseResult {
    /// `(computed − published) / published` [%], where published.
    pub fn gap_pct(&self) -> Option<f64> {
        self.case
            .published
            .map(|p| 100.0 * (self.outcome.gain_pct - p) / p)
    }
}

/// Solves every case of [`cases`].
///
/// # Errors
///
/// As [`solve`]; none on the shipped data, which the tests solve.
pub fn run_cases() -> Result<Vec<CaseResult>, CalibrateError> {
    let y1977 = regions_1977()?;
    let y1998 = regions_1998()?;
    cases()
        .into_iter()
        .map(|case| {
            let rows = if case.year == 1998 { &y1998 } else { &y1977 };
            let outcome = solve(rows, &case.params)?;
            Ok(CaseResult { case, outcome })
        })
        .collect()
}

/// The case table as Markdown (the table in the module docs), gains to one decimal.
pub fn render_cases_table(results: &[CaseResult]) -> String {
    let mut out = String::from(
        "| case | data | σ | β | GDP | labour | types | gain % | published | gap % | HW |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let one = |x: f64| {
        let s = format!("{x:.1}");
        s.strip_suffix(".0").map_or(s.clone(), str::to_owned)
    };
    for r in results {
        let p = &r.case.params;
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.case.id,
            r.case.year,
            p.sigma,
            p.barrier_share,
            match p.gdp {
                GdpBasis::ExchangeRates => "exchange rates",
                GdpBasis::Ppp => "PPP",
            },
            match p.labour {
                LabourMeasure::PersonsEngaged => "persons engaged",
                LabourMeasure::Population => "population",
            },
            p.types.label(),
            one(r.outcome.gain_pct),
            r.case.published.map_or_else(|| "-".to_owned(), one),
            r.gap_pct().map_or_else(|| "-".to_owned(), one),
            if r.case.hw_case { "yes" } else { "no" },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn row(region: &str, gdp: f64, emp: f64, labsh: f64, hc: f64) -> RegionRow {
        RegionRow {
            region: region.into(),
            year: 1977,
            countries: 1,
            emp_millions: emp,
            pop_millions: 2.0 * emp,
            gdp_xr_musd: gdp * 1e6,
            gdp_ppp_musd2017: gdp * 1e6,
            labsh,
            labsh_coverage: 1.0,
            hc,
            hc_coverage: 1.0,
        }
    }

    fn gain(params: &MobilityParams) -> Result<f64, CalibrateError> {
        Ok(solve(&regions_1977()?, params)?.gain_pct)
    }

    #[test]
    fn shipped_region_files_parse_and_add_up() -> Result<(), CalibrateError> {
        for (rows, year, gdp_tn, emp_m) in [
            (regions_1977()?, 1977, 7.1946, 1505.2),
            (regions_1998()?, 1998, 31.3229, 2524.6),
        ] {
            assert_eq!(rows.len(), 7);
            assert!(rows.iter().all(|r| r.year == year));
            let gdp: f64 = rows.iter().map(|r| r.gdp_xr_musd).sum::<f64>() / 1e6;
            let emp: f64 = rows.iter().map(|r| r.emp_millions).sum();
            // Totals printed by data/derive/extract_regions.py.
            assert_relative_eq!(gdp, gdp_tn, max_relative = 1e-4);
            assert_relative_eq!(emp, emp_m, max_relative = 1e-4);
            assert!(rows
                .iter()
                .all(|r| r.labsh_coverage > 0.8 && r.hc_coverage > 0.9));
        }
        // United States 1977 at exchange rates: 2,083.4 bn (WDI: 2,081.8 bn).
        let na = &regions_1977()?[0];
        assert_eq!(na.region, "north_america");
        assert!(na.gdp_xr_musd > 2.08e6);
        Ok(())
    }

    #[test]
    fn parse_errors_name_file_line_and_column() {
        let header = REGION_HEADER.join(",");
        let err = parse_regions("r.csv", "").unwrap_err();
        assert!(matches!(err, CalibrateError::EmptyFile { .. }));
        let err = parse_regions("r.csv", "region,year\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("r.csv line 1: header `region,year`, expected `{header}`")
        );
        let err = parse_regions("r.csv", &format!("{header}\nasia,1977,1\n")).unwrap_err();
        assert_eq!(err.to_string(), "r.csv line 2: 3 fields, expected 11");
        let err = parse_regions(
            "r.csv",
            &format!("{header}\nasia,1977,x,1,1,1,1,0.5,1,1.5,1\n"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "r.csv line 2, column `countries`: cannot read `x` as an integer"
        );
        let err = parse_regions(
            "r.csv",
            &format!("{header}\nasia,1977,1,1,1,1,1,1.5,1,1.5,1\n"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "r.csv line 2, column `labsh`: 1.5 is out of range, expected a fraction in [0, 1]"
        );
        let err = parse_regions(
            "r.csv",
            &format!("{header}\nasia,1977,1,-1,1,1,1,0.5,1,1.5,1\n"),
        )
        .unwrap_err();
        assert!(matches!(err, CalibrateError::OutOfRange { .. }), "{err}");
    }

    #[test]
    fn benchmark_replicates_the_data_with_no_migration() -> Result<(), CalibrateError> {
        let y1977 = regions_1977()?;
        let y1998 = regions_1998()?;
        for (rows, params) in [
            (&y1977, MobilityParams::hw1984_central()),
            (&y1977, MobilityParams::iregui_segmented()),
            (
                &y1977,
                MobilityParams {
                    types: LabourTypes::HumanCapital,
                    barrier_share: 0.5,
                    ..MobilityParams::default()
                },
            ),
            (
                &y1998,
                MobilityParams {
                    gdp: GdpBasis::Ppp,
                    labour: LabourMeasure::Population,
                    labour_share: LabourShare::Uniform(0.6),
                    sigma: 0.5,
                    ..MobilityParams::default()
                },
            ),
        ] {
            let benchmark = Benchmark::calibrate(rows, &params)?;
            let model = benchmark.spec().build()?;
            model.check_benchmark()?;
            // The benchmark point is the data: every household's income is its region's GDP.
            let results = model.results_at(&model.benchmark_point())?;
            for r in &benchmark.regions {
                assert_relative_eq!(
                    results.incomes[&format!("HH_{}", r.region)],
                    r.gdp,
                    max_relative = 1e-12
                );
                let labour: f64 = r.labour.iter().map(|g| g.income).sum();
                assert_relative_eq!(labour + r.fixed_factor, r.gdp, max_relative = 1e-12);
            }
            // Barriers: none into the lowest-wage region, positive into every other.
            for (k, _) in benchmark.kinds.iter().enumerate() {
                let rates: Vec<f64> = benchmark
                    .barriers()
                    .into_iter()
                    .skip(k * rows.len())
                    .take(rows.len())
                    .map(|b| b.2)
                    .collect();
                assert_eq!(rates.iter().filter(|t| **t == 0.0).count(), 1);
                assert!(rates.iter().all(|t| *t >= 0.0));
            }
        }
        Ok(())
    }

    #[test]
    fn central_case_lies_in_the_published_range() -> Result<(), CalibrateError> {
        let o = hw1984_full_mobility()?;
        assert!(o.gain_pct > HW1984_RANGE_PCT.0 && o.gain_pct < HW1984_RANGE_PCT.1);
        assert_relative_eq!(
            o.world_gdp_counterfactual / o.world_gdp_benchmark,
            1.0 + o.gain_pct / 100.0,
            max_relative = 1e-12
        );
        assert_eq!(o.unit, "US$ tn, 1977 prices and exchange rates");
        Ok(())
    }

    #[test]
    fn segmented_labour_gains_less_and_lies_in_iregui_range() -> Result<(), CalibrateError> {
        let segmented = iregui_segmented()?.gain_pct;
        let human_capital = gain(&MobilityParams {
            types: LabourTypes::HumanCapital,
            ..MobilityParams::default()
        })?;
        let homogeneous = hw1984_full_mobility()?.gain_pct;
        assert!(segmented > IREGUI_RANGE_PCT.0 && segmented < IREGUI_RANGE_PCT.1);
        assert!(segmented < human_capital && human_capital < homogeneous);
        Ok(())
    }

    #[test]
    fn gain_rises_with_sigma() -> Result<(), CalibrateError> {
        let gains: Vec<f64> = [0.9, 1.0, 2.0]
            .into_iter()
            .map(|sigma| {
                gain(&MobilityParams {
                    sigma,
                    ..MobilityParams::default()
                })
            })
            .collect::<Result<_, _>>()?;
        assert!(gains[0] < gains[1] && gains[1] < gains[2], "{gains:?}");
        Ok(())
    }

    #[test]
    fn gain_falls_with_the_share_of_the_gap_read_as_barrier() -> Result<(), CalibrateError> {
        let gains: Vec<f64> = [1.0, 0.75, 0.5, 0.0]
            .into_iter()
            .map(|barrier_share| {
                gain(&MobilityParams {
                    barrier_share,
                    ..MobilityParams::default()
                })
            })
            .collect::<Result<_, _>>()?;
        assert!(gains.windows(2).all(|w| w[0] > w[1]), "{gains:?}");
        // No barrier, no migration, no gain.
        assert!(gains[3].abs() < 1e-8, "{gains:?}");
        Ok(())
    }

    #[test]
    fn equal_wages_everywhere_give_no_gain() -> Result<(), CalibrateError> {
        // Labour income per worker 0.6 * 10 / 5 = 0.6 * 4 / 2 = 0.6 * 1 / 0.5 in every region.
        let rows = [
            row("rich", 10.0, 5.0, 0.6, 3.0),
            row("middle", 4.0, 2.0, 0.6, 2.0),
            row("poor", 1.0, 0.5, 0.6, 1.5),
        ];
        for types in [LabourTypes::Homogeneous, LabourTypes::segmented()] {
            let params = MobilityParams {
                types,
                sigma: 1.5,
                ..MobilityParams::default()
            };
            let o = solve(&rows, &params)?;
            if types == LabourTypes::Homogeneous {
                assert!(o.gain_pct.abs() < 1e-8, "{o:?}");
                assert!(o.migrants_pct.abs() < 1e-8, "{o:?}");
            } else {
                // Wages per unit of skill differ with hc, so skill-segmented labour moves.
                assert!(o.gain_pct > 0.0);
            }
        }
        Ok(())
    }

    #[test]
    fn wages_fall_where_migrants_arrive_and_rise_where_they_leave() -> Result<(), CalibrateError> {
        let o = hw1984_full_mobility()?;
        let na = &o.regions[0];
        let asia = &o.regions[6];
        assert_eq!(
            (na.region.as_str(), asia.region.as_str()),
            ("north_america", "asia")
        );
        assert!(na.wage_change_pct[0] < 0.0 && na.employment_change_pct > 0.0);
        assert!(asia.wage_change_pct[0] > 0.0 && asia.emigrants_pct > 50.0);
        assert_eq!(na.emigrants_pct, 0.0);
        // After the barriers fall, wages per efficiency unit are equal up to the migration
        // cost: each region's wage index times its change is the same number.
        let benchmark = Benchmark::calibrate(&regions_1977()?, &MobilityParams::default())?;
        let wages: Vec<f64> = benchmark
            .regions
            .iter()
            .zip(&o.regions)
            .map(|(b, r)| b.labour[0].wage_index * (1.0 + r.wage_change_pct[0] / 100.0))
            .collect();
        let (lo, hi) = wages
            .iter()
            .fold((f64::INFINITY, 0.0_f64), |(l, h), w| (l.min(*w), h.max(*w)));
        assert!(hi / lo <= 1.0 + 1e-3 + 1e-9, "{wages:?}");
        Ok(())
    }

    #[test]
    fn counterfactual_balances_the_national_accounts() -> Result<(), CalibrateError> {
        let (benchmark, mut model) = build(&regions_1977()?, &MobilityParams::iregui_segmented())?;
        let o = remove_barriers(&benchmark, &mut model)?;
        let x = model
            .last_solution()
            .map(<[f64]>::to_vec)
            .unwrap_or_default();
        let results = model.results_at(&x)?;
        // One good at price 1 and no barrier revenue left: world income = world GDP.
        let income: f64 = results.incomes.values().sum();
        assert_relative_eq!(income, o.world_gdp_counterfactual, max_relative = 1e-9);
        assert!(results.walras_residual.abs() < 1e-8);
        Ok(())
    }

    #[test]
    fn invalid_parameters_are_rejected() -> Result<(), CalibrateError> {
        let rows = regions_1977()?;
        let base = MobilityParams::default();
        let cases = [
            (MobilityParams { sigma: 0.0, ..base }, "sigma"),
            (
                MobilityParams {
                    barrier_share: 1.5,
                    ..base
                },
                "barrier_share",
            ),
            (
                MobilityParams {
                    migration_cost: f64::NAN,
                    ..base
                },
                "migration_cost",
            ),
            (
                MobilityParams {
                    labour_share: LabourShare::Uniform(1.0),
                    ..base
                },
                "labour_share",
            ),
            (
                MobilityParams {
                    types: LabourTypes::Segmented {
                        unskilled_hc: 1.0,
                        skilled_hc: 3.0,
                    },
                    ..base
                },
                "skilled_hc",
            ),
        ];
        for (params, name) in cases {
            match Benchmark::calibrate(&rows, &params) {
                Err(CalibrateError::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
                other => panic!("{name}: {other:?}"),
            }
        }
        let err = Benchmark::calibrate(
            &rows,
            &MobilityParams {
                sigma: -1.0,
                ..base
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "parameter `sigma` = -1: expected a finite number > 0"
        );
        let err = Benchmark::calibrate(&[], &base).unwrap_err();
        assert_eq!(err.to_string(), "regional data: no row for any region");
        let mut mixed = rows.clone();
        mixed[3].year = 1998;
        let err = Benchmark::calibrate(&mixed, &base).unwrap_err();
        assert_eq!(
            err.to_string(),
            "regional data: no row for region latin_america in year 1977 (found year 1998)"
        );
        Ok(())
    }

    #[test]
    fn fitted_sigma_reproduces_clemens_pick() -> Result<(), CalibrateError> {
        let rows = regions_1977()?;
        let base = MobilityParams::default();
        let sigma = fit_sigma(&rows, &base, HW1984_PUBLISHED_PCT)?;
        assert!((1.6..1.8).contains(&sigma), "{sigma}");
        let g = solve(&rows, &MobilityParams { sigma, ..base })?.gain_pct;
        assert_relative_eq!(g, HW1984_PUBLISHED_PCT, max_relative = 1e-5);
        let err = fit_sigma(&rows, &base, 1e4).unwrap_err();
        assert!(matches!(
            err,
            CalibrateError::InvalidParameter {
                name: "target_pct",
                ..
            }
        ));
        Ok(())
    }

    #[test]
    fn case_table_is_the_one_in_the_module_docs() -> Result<(), CalibrateError> {
        let results = run_cases()?;
        for r in &results {
            if r.case.hw_case {
                let g = r.outcome.gain_pct;
                assert!(
                    g > HW1984_RANGE_PCT.0 && g < HW1984_RANGE_PCT.1,
                    "{}",
                    r.case.id
                );
            }
        }
        let table = render_cases_table(&results);
        let source = include_str!("complete_mobility.rs");
        for line in table.lines() {
            let doc = format!("//! {line}\n");
            assert!(source.contains(&doc), "module docs lack the line\n{doc}");
        }
        Ok(())
    }
}
