//! Runs every reproduction: fits the world model's free parameters, solves each scenario, and
//! fills the report's figures with the computed values, marking the fit's targets.
//!
//! This is the library call behind `cargo run --release --example reproduce`.

use std::time::Instant;

use serde::Serialize;

use crate::error::CalibrateError;
use crate::fit::{fit_migration, fit_migration_with, FitReport, MIGRATION_FREE, MIGRATION_TARGETS};
use crate::literature::LiteratureValue;
use crate::reproduce::{figures, render_table, significant, summary_line, Figure};
use crate::sensitivity::{
    monte_carlo, one_at_a_time, Interval, SensitivityRow, HEADLINE_IDS, UNCERTAIN,
};
use crate::trade::{
    distorting_share, fit_trade, liberalize, liberalize_by, sources_of_gains, GainChannel, Reform,
    TradeFit, TradeOutcome, TradeParameters, FITTED_CHANNEL,
};
use crate::world::{
    migration, temporary_workers, transfer, transfer_outcome, transfer_outcomes, Baseline,
    LabourAccounts, MigrationOutcome, Quotas, TransferOutcome, WorldData, WorldParameters,
    BASE_YEAR, REMITTANCE_SHARE_MAX,
};

/// Other targets of agriculture's share of the trade gains in the table of variants: the ends
/// of its range in the sensitivity analysis ([`UNCERTAIN`]).
pub fn agriculture_shares() -> [f64; 2] {
    UNCERTAIN
        .iter()
        .find(|u| u.name == "agriculture_share_of_gains")
        .map_or([f64::NAN; 2], |u| [u.low, u.high])
}

/// An alternative calibration that takes the remittance share from recorded remittances
/// instead of fitting it, so that developing residents' gain becomes a prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlternativeCalibration {
    /// The remittance share implied by recorded remittances and the fitted earlier migrants'
    /// earnings in 2001.
    pub remittance_share: f64,
    /// The fit of the other two free parameters to the new and earlier migrants' gains, with
    /// the migration scenario under it.
    pub fit: FitReport,
}

/// Everything a reproduction run computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReproductionRun {
    /// The report's figures, computed where a model exists.
    pub figures: Vec<Figure>,
    /// The fit of the migration scenario's free parameters, with the scenario at the fitted
    /// parameters.
    pub migration_fit: FitReport,
    /// The trade model's parameters.
    pub trade_parameters: TradeParameters,
    /// Full merchandise trade liberalization in the static trade model (no trade-responsive
    /// productivity).
    pub trade_static: TradeOutcome,
    /// Every group's reform of agriculture alone in the static trade model.
    pub trade_static_agriculture: TradeOutcome,
    /// The fit of the trade model ([`FITTED_CHANNEL`]) to the published world gain and
    /// agriculture's share of it.
    pub trade_fit: TradeFit,
    /// Full merchandise trade liberalization at the fitted parameters.
    pub trade: TradeOutcome,
    /// Removing agricultural support alone, in the static model without tariffs.
    pub trade_support_only: TradeOutcome,
    /// The trade split under other assumptions, each refitted to the published world gain
    /// ([`TradeVariant`]).
    pub trade_variants: Vec<TradeVariant>,
    /// The welfare value of aid under other assumptions, the migration parameters refitted
    /// each time, with the migration scenario before and after the refit ([`AidValues`]).
    pub aid_variants: Vec<AidVariant>,
    /// Where the gains come from ([`sources_of_gains`]): [in the static model, at the fitted
    /// elasticity].
    pub trade_sources: [Vec<(Reform, TradeOutcome)>; 2],
    /// Welfare value of aid to developing countries (residents plus what it buys) [US$ bn].
    pub aid_value: f64,
    /// Welfare value of debt relief to developing countries [US$ bn].
    pub debt_relief_value: f64,
    /// Aid given to developing residents as cash (an import share of official transfers of
    /// 0), with and without the benchmark's tariffs: the excess over face value without
    /// tariffs is the terms-of-trade effect of cash, the difference the duty on the imports
    /// cash finances.
    pub aid_as_cash: [TransferOutcome; 2],
    /// World gains of the temporary-worker quotas [skilled, unskilled, both] [US$ bn at 1997
    /// prices].
    pub temporary_workers: [f64; 3],
    /// Temporary workers admitted under both quotas \[million\].
    pub temporary_persons: f64,
    /// A new migrant's earnings over an unskilled developing worker's at the migration fit,
    /// 2001: [at market exchange rates, at PPP].
    pub migrant_premium: [f64; 2],
    /// Developing countries' price level relative to high-income ones, 2001.
    pub developing_price_level: f64,
    /// World gain of both temporary-worker quotas with the place premium 30% lower and 30%
    /// higher [US$ bn at 1997 prices].
    pub temporary_premium_range: [f64; 2],
    /// The calibration with the remittance share from recorded remittances.
    pub alternative: AlternativeCalibration,
    /// Each uncertain parameter at the ends of its range.
    pub sensitivity: Vec<SensitivityRow>,
    /// 90% Monte Carlo intervals of the headlines.
    pub intervals: Vec<Interval>,
    /// Monte Carlo draws run, and how many could not be solved or fitted.
    pub draws: (usize, usize),
    /// The literature table the parameters were read from (`data/literature_parameters.csv`).
    pub literature: Vec<LiteratureValue>,
    /// Wall time of the run \[s\].
    pub seconds: f64,
}

impl ReproductionRun {
    /// The published value of figure `id` (NaN for an id without one).
    fn published(&self, id: &str) -> f64 {
        self.figures
            .iter()
            .find(|f| f.id == id)
            .and_then(|f| f.published)
            .unwrap_or(f64::NAN)
    }

    /// The band of figure `id` (NaN for an id the report does not have).
    fn band(&self, id: &str) -> (f64, f64) {
        self.figures
            .iter()
            .find(|f| f.id == id)
            .map_or((f64::NAN, f64::NAN), |f| (f.band_low, f.band_high))
    }
}

/// The trade split recomputed under another assumption, refitted to the published world gain:
/// its label and the fit (or why it failed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TradeVariant {
    /// What changed.
    pub label: String,
    /// The refit, with the split it predicts.
    pub fit: Result<TradeFit, String>,
}

/// The aid value recomputed under an assumption: the assumption, its label and the values
/// (or why they could not be computed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AidVariant {
    /// What changed.
    pub assumption: AidAssumption,
    /// How the report names it.
    pub label: String,
    /// What was computed.
    pub values: Result<AidValues, String>,
}

/// The trade split with the parameters changed by `change`, `channel` refitted to `target`.
fn trade_variant(
    data: &WorldData,
    base: &TradeParameters,
    target: f64,
    label: &str,
    channel: GainChannel,
    change: impl Fn(&mut TradeParameters),
) -> TradeVariant {
    let mut p = base.clone();
    change(&mut p);
    TradeVariant {
        label: label.into(),
        fit: fit_trade(data, &p, channel, target).map_err(|e| e.to_string()),
    }
}

/// What an aid variant computes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AidValues {
    /// The welfare value of the aid to its recipients, the migration parameters refitted
    /// under the change.
    pub recipients: f64,
    /// The migration scenario at the refitted parameters: its world and high-income natives'
    /// gains are predictions.
    pub refitted: MigrationOutcome,
    /// The largest gap of a fit target at the refitted parameters [%].
    pub largest_target_gap_pct: f64,
    /// The migration scenario with the change made to the table's fitted parameters, before
    /// any refit: what the change itself does to the split.
    pub not_refitted: MigrationOutcome,
}

/// An assumption under which the aid value is recomputed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum AidAssumption {
    /// The table's parameters.
    Table,
    /// Another Armington elasticity.
    Armington(f64),
    /// No tariffs in the benchmark, with an Armington elasticity.
    NoTariffs(f64),
    /// Home sales and exports split by a CET frontier of this elasticity.
    Split(f64),
    /// Another share of official transfers spent on high-income merchandise
    /// ([`WorldParameters::aid_import_share`]; 0: cash in the residents' hands).
    ImportShare(f64),
}

impl AidAssumption {
    /// The assumptions of the report's aid table, in its order.
    pub fn all(table: &WorldParameters) -> Vec<Self> {
        let sigma = table.sigma_armington;
        let mut all = vec![
            Self::Table,
            Self::Armington(8.0),
            Self::Armington(16.0),
            Self::NoTariffs(sigma),
            Self::NoTariffs(8.0),
        ];
        all.extend(EXPORT_TRANSFORMATIONS.map(Self::Split));
        all.extend(AID_IMPORT_SHARES.map(Self::ImportShare));
        all
    }

    /// The row's label; `table` gives the table's Armington elasticity.
    fn label(&self, table: &WorldParameters) -> String {
        match *self {
            Self::Table => format!(
                "as in the table (Armington elasticity {}, {}% of aid on imports)",
                table.sigma_armington,
                significant(100.0 * table.aid_import_share, 6)
            ),
            Self::Armington(sigma) => format!("Armington elasticity {sigma}"),
            Self::NoTariffs(sigma) if sigma == table.sigma_armington => {
                "no tariffs in the benchmark".into()
            }
            Self::NoTariffs(sigma) => format!("no tariffs, Armington elasticity {sigma}"),
            Self::Split(omega) => {
                format!("home sales and exports split, transformation elasticity {omega}")
            }
            Self::ImportShare(0.0) => "aid spent like residents' income (cash)".into(),
            Self::ImportShare(share) => {
                format!("{}% of aid on imports", significant(100.0 * share, 6))
            }
        }
    }

    /// Makes the change in `p`.
    fn apply(&self, p: &mut WorldParameters) {
        match *self {
            Self::Table => {}
            Self::Armington(sigma) => p.sigma_armington = sigma,
            Self::NoTariffs(sigma) => {
                p.tariff_hic = 0.0;
                p.tariff_dev = 0.0;
                p.sigma_armington = sigma;
            }
            Self::Split(omega) => p.export_transformation = Some(omega),
            Self::ImportShare(share) => p.aid_import_share = share,
        }
    }
}

/// The welfare value of aid under `assumption`, the migration parameters refitted from
/// `base`, and the migration scenario with and without the refit ([`AidValues`]).
fn aid_variant(
    data: &WorldData,
    base: &WorldParameters,
    table_fit: &WorldParameters,
    assumption: AidAssumption,
) -> AidVariant {
    let mut p = base.clone();
    assumption.apply(&mut p);
    let mut unrefitted = table_fit.clone();
    assumption.apply(&mut unrefitted);
    let values = fit_migration(data, &p)
        .and_then(|fit| {
            Ok(AidValues {
                recipients: transfer(data, &fit.parameters, fit.parameters.aid)?,
                refitted: fit.outcome,
                largest_target_gap_pct: fit.largest_target_gap_pct(),
                not_refitted: migration(data, &unrefitted)?,
            })
        })
        .map_err(|e| e.to_string());
    AidVariant {
        label: assumption.label(base),
        assumption,
        values,
    }
}

/// Elasticities of transformation between home sales and exports under which the transfer
/// figures are recomputed ([`WorldParameters::export_transformation`]).
pub const EXPORT_TRANSFORMATIONS: [f64; 3] = [2.0, 4.0, 8.0];

/// Shares of official transfers spent on high-income merchandise under which the aid value
/// is recomputed ([`WorldParameters::aid_import_share`]): cash, and the ends of the range that
/// Werker, Ahmed & Cohen (2009) support.
pub const AID_IMPORT_SHARES: [f64; 3] = [0.0, 0.5, 1.0];

/// A fit target counts as met when its gap is below this [%].
const MET_TARGET_GAP_PCT: f64 = 1.0;

/// Monte Carlo draws of a reproduction run.
pub const DRAWS: usize = 200;

/// Seed of the Monte Carlo draws.
pub const SEED: u64 = 2006;

/// The remittance share implied by recorded remittances ([`WorldParameters::recorded_remittances`])
/// set against the earlier migrants' 2001 earnings in `accounts`.
///
/// # Errors
/// [`CalibrateError::ParameterOutOfRange`] when recorded remittances exceed the largest share
/// of those earnings that [`WorldParameters::validate`] admits as a remittance share.
fn recorded_remittance_share(
    accounts: &LabourAccounts,
    p: &WorldParameters,
) -> Result<f64, CalibrateError> {
    let income = accounts.migrant_income();
    let share = p.recorded_remittances / income;
    if share <= REMITTANCE_SHARE_MAX {
        Ok(share)
    } else {
        Err(CalibrateError::ParameterOutOfRange {
            name: "recorded_remittances",
            value: p.recorded_remittances,
            low: 0.0,
            high: REMITTANCE_SHARE_MAX * income,
        })
    }
}

/// Sets a figure's computed value and whether it was a calibration target.
fn fill(figures: &mut [Figure], id: &str, value: f64, target: bool) -> Result<(), CalibrateError> {
    let figure =
        figures
            .iter_mut()
            .find(|f| f.id == id)
            .ok_or_else(|| CalibrateError::Missing {
                file: "reproduction report".into(),
                what: format!("figure `{id}`"),
            })?;
    *figure = figure.clone().with_computed(value);
    figure.calibration_target = target;
    Ok(())
}

/// Runs every reproduction with the default parameters and [`DRAWS`] Monte Carlo draws.
///
/// # Errors
/// Data, calibration, fitting or solver errors.
pub fn run() -> Result<ReproductionRun, CalibrateError> {
    run_with(DRAWS)
}

/// Runs every reproduction with `draws` Monte Carlo draws (at least 1).
///
/// # Errors
/// Data, calibration, fitting or solver errors.
pub fn run_with(draws: usize) -> Result<ReproductionRun, CalibrateError> {
    run_from(crate::literature::literature()?, draws)
}

/// Runs every reproduction with [`DRAWS`] Monte Carlo draws and the literature table of
/// `literature` (a file read by [`crate::literature::read_literature_csv`]), or the shipped one
/// for `None`: what `cge reproduce --literature FILE` and the `reproduce` example run.
///
/// # Errors
/// Errors reading the table; those of [`run_from`].
pub fn run_literature(
    literature: Option<&std::path::Path>,
) -> Result<ReproductionRun, CalibrateError> {
    match literature {
        None => run(),
        Some(path) => run_from(crate::literature::read_literature_csv(path)?, DRAWS),
    }
}

/// Runs every reproduction with the parameters of a literature table (the shipped one, or an
/// edited copy read by [`crate::literature::read_literature_csv`]) and `draws` Monte Carlo
/// draws (at least 1).
///
/// # Errors
/// Errors of the table ([`WorldParameters::from_literature`],
/// [`TradeParameters::from_literature`]); data, calibration, fitting or solver errors.
pub fn run_from(
    literature: Vec<LiteratureValue>,
    draws: usize,
) -> Result<ReproductionRun, CalibrateError> {
    let started = Instant::now();
    let data = WorldData::load()?;
    let base = WorldParameters::from_literature(&literature)?;
    let trade_base = TradeParameters::from_literature(&literature)?;
    let migration_fit = fit_migration(&data, &base)?;
    let p = &migration_fit.parameters;
    let outcome = migration_fit.outcome;
    let mut figs = figures()?;
    let world_trade_target = figs
        .iter()
        .find(|f| f.id == "amvdm.world")
        .and_then(|f| f.published)
        .ok_or_else(|| CalibrateError::Missing {
            file: "reproduction report".into(),
            what: "the published value of figure `amvdm.world`".into(),
        })?;
    // The static model: no productivity response, whatever the table's starting value.
    let static_trade = TradeParameters {
        productivity_elasticity: 0.0,
        ..trade_base.clone()
    };
    let trade_static = liberalize(&data, &static_trade)?;
    let trade_static_agriculture = liberalize_by(&data, &static_trade, &Reform::AGRICULTURE)?;
    let trade_fit = fit_trade(&data, &trade_base, FITTED_CHANNEL, world_trade_target)?;
    let trade_parameters = trade_fit.parameters.clone();
    let trade = trade_fit.outcome;
    let other_share =
        |share: f64| move |p: &mut TradeParameters| p.agriculture_share_of_gains = share;
    let sigma_8 = |p: &mut TradeParameters| p.sigma_armington = 8.0;
    let mut trade_variants = vec![
        // The table's own fit.
        TradeVariant {
            label: "as in the table".into(),
            fit: Ok(trade_fit.clone()),
        },
        trade_variant(
            &data,
            &trade_base,
            world_trade_target,
            "Armington elasticity 8 (LINKAGE's long-run values, about twice GTAP's)",
            GainChannel::Both,
            sigma_8,
        ),
    ];
    for share in agriculture_shares() {
        trade_variants.push(trade_variant(
            &data,
            &trade_base,
            world_trade_target,
            &format!("agriculture's share of the gains {share}"),
            GainChannel::Both,
            other_share(share),
        ));
    }
    // One channel alone: the world gain the only target, agriculture's share a prediction.
    for (channel, alone) in [
        (GainChannel::Productivity, "productivity alone"),
        (GainChannel::FarmProtection, "farm protection alone"),
    ] {
        trade_variants.push(trade_variant(
            &data,
            &trade_base,
            world_trade_target,
            alone,
            channel,
            |_| {},
        ));
        trade_variants.push(trade_variant(
            &data,
            &trade_base,
            world_trade_target,
            &format!("{alone}, Armington elasticity 8"),
            channel,
            sigma_8,
        ));
    }
    let trade_sources = [
        sources_of_gains(&data, &static_trade)?,
        sources_of_gains(&data, &trade_parameters)?,
    ];
    let trade_support_only = liberalize(
        &data,
        &TradeParameters {
            tariff_agriculture: [[0.0; 2]; 2],
            tariff_manufactures: [[0.0; 2]; 2],
            productivity_elasticity: 0.0,
            ..trade_parameters.clone()
        },
    )?;
    let transfers = transfer_outcomes(&data, p, &[p.aid, p.debt_relief])?;
    let (aid, debt_relief) = (transfers[0], transfers[1]);
    let cash = WorldParameters {
        aid_import_share: 0.0,
        ..p.clone()
    };
    let aid_as_cash = [
        transfer_outcome(&data, &cash, p.aid)?,
        transfer_outcome(
            &data,
            &WorldParameters {
                tariff_hic: 0.0,
                tariff_dev: 0.0,
                ..cash
            },
            p.aid,
        )?,
    ];
    let aid_value = aid.recipients;
    // The table's own row is the table's results; every other assumption refits.
    let aid_variants = AidAssumption::all(&base)
        .into_iter()
        .map(|assumption| match assumption {
            AidAssumption::Table => AidVariant {
                label: assumption.label(&base),
                assumption,
                values: Ok(AidValues {
                    recipients: aid_value,
                    refitted: outcome,
                    largest_target_gap_pct: migration_fit.largest_target_gap_pct(),
                    not_refitted: outcome,
                }),
            },
            _ => aid_variant(&data, &base, &migration_fit.parameters, assumption),
        })
        .collect();
    let debt_relief_value = debt_relief.recipients;

    let temporary = [
        temporary_workers(&data, p, Quotas::Skilled)?,
        temporary_workers(&data, p, Quotas::Unskilled)?,
        temporary_workers(&data, p, Quotas::Both)?,
    ];
    let temporary_persons = p.temporary_quota * data.observed_1997.high_income.employment;
    let with_premium = |factor: f64| {
        let q = WorldParameters {
            place_premium: factor * p.place_premium,
            ..p.clone()
        };
        temporary_workers(&data, &q, Quotas::Both)
    };
    let temporary_premium_range = [with_premium(0.7)?, with_premium(1.3)?];
    crate::reproduce::fill_complete_mobility(&mut figs)?;
    fill(&mut figs, "ww2005.world", temporary[2], false)?;
    let separate = temporary[0] + temporary[1];
    fill(
        &mut figs,
        "ww2005.unskilled",
        temporary[1] / separate,
        false,
    )?;
    fill(&mut figs, "ww2005.skilled", temporary[0] / separate, false)?;
    let is_target = |id: &str| MIGRATION_TARGETS.iter().any(|t| t.id == id);
    for (id, value) in [
        ("gep2006.world", outcome.world),
        ("gep2006.new_migrants", outcome.new_migrants),
        ("gep2006.hic_natives", outcome.hic_natives),
        ("gep2006.earlier_migrants", outcome.earlier_migrants),
        ("gep2006.developing_residents", outcome.developing_residents),
    ] {
        fill(&mut figs, id, value, is_target(id))?;
    }
    // Pritchett's figure is the sum of two targets: a consequence of the fit, not a prediction.
    fill(
        &mut figs,
        "pritchett.poor_citizens",
        outcome.poor_citizens(),
        true,
    )?;
    // The trade model was fitted to the world gain (and agriculture's share of it).
    fill(&mut figs, "amvdm.world", trade.world, true)?;
    fill(&mut figs, "amvdm.high_income", trade.high_income, false)?;
    fill(&mut figs, "amvdm.developing", trade.developing, false)?;
    fill(&mut figs, "aid.recipients", aid_value, false)?;
    fill(
        &mut figs,
        "debt_relief.recipients",
        debt_relief_value,
        false,
    )?;
    if let Some(ratio) = outcome.pritchett_ratio(trade.developing, aid_value, debt_relief_value) {
        fill(&mut figs, "pritchett.ratio", ratio, false)?;
    }
    let accounts = LabourAccounts::new(&Baseline::project(&data, BASE_YEAR), p);
    let recorded_share = recorded_remittance_share(&accounts, p)?;
    let market_premium = accounts.migrant_wage / accounts.unskilled_wage[1];
    let migrant_premium = [market_premium, market_premium * data.developing_price_level];
    let fixed = WorldParameters {
        remittance_share: recorded_share,
        ..p.clone()
    };
    let free = [MIGRATION_FREE[0], MIGRATION_FREE[2]];
    let targets = [MIGRATION_TARGETS[0], MIGRATION_TARGETS[1]];
    let alternative_fit = fit_migration_with(&data, &fixed, &free, &targets)?;
    let alternative = AlternativeCalibration {
        remittance_share: recorded_share,
        fit: alternative_fit,
    };
    let sensitivity = one_at_a_time(&data, &base, &trade_base, world_trade_target)?;
    let (intervals, failed) = monte_carlo(
        &data,
        &base,
        &trade_base,
        world_trade_target,
        draws.max(1),
        SEED,
    )?;
    Ok(ReproductionRun {
        alternative,
        sensitivity,
        intervals,
        draws: (draws.max(1), failed),
        figures: figs,
        migration_fit,
        trade_parameters,
        trade_static,
        trade_static_agriculture,
        trade_fit,
        trade,
        trade_support_only,
        trade_sources,
        trade_variants,
        aid_variants,
        aid_value,
        debt_relief_value,
        aid_as_cash,
        temporary_workers: temporary,
        temporary_persons,
        migrant_premium,
        developing_price_level: data.developing_price_level,
        temporary_premium_range,
        literature,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// What the way aid is spent does to its value: as the table spends it, and as cash.
fn render_aid_spending(run: &ReproductionRun, line: &mut impl FnMut(&str)) {
    let [cash, cash_untaxed] = &run.aid_as_cash;
    let p = &run.migration_fit.parameters;
    let pct = |x: f64| 100.0 * (x - cash.amount) / cash.amount;
    line("");
    line(&format!(
        "How aid is spent sets what it is worth. In the table {}% of official transfers (aid and",
        significant(100.0 * p.aid_import_share, 6)
    ));
    line("debt relief) buys high-income merchandise at world prices (duty-free, as donor-funded");
    line(
        "procurement generally is, or with the duty paid to the recipient government itself), and",
    );
    line(&format!(
        "the rest is spent like developing residents' own income: recipients gain {:.1} bn, {:+.1}%",
        run.aid_value,
        pct(run.aid_value)
    ));
    line(&format!(
        "against the face value. Given to residents as cash, the same aid would be worth {:.1} bn ({:+.1}%). Without tariffs",
        cash.recipients,
        pct(cash.recipients)
    ));
    line(&format!(
        "cash is worth {:+.1}%: the terms-of-trade effect (the transfer problem: residents spend most",
        pct(cash_untaxed.recipients)
    ));
    line(&format!(
        "of it on their own goods and services, donors little of what they gave up; Armington elasticity {}{}).",
        p.sigma_armington,
        p.export_transformation.map_or(String::new(), |omega| format!(
            ", transformation between home sales and exports {omega}"
        ))
    ));
    line(&format!(
        "The other {:+.1} points are the duty on the imports cash finances (world gain {:.1} bn with",
        pct(cash.recipients) - pct(cash_untaxed.recipients),
        cash.world
    ));
    line(&format!(
        "tariffs, {:.2} bn without). Debt relief is spent in the same way, so it shows the same ratio.",
        cash_untaxed.world
    ));
}

/// Why the trade split lies outside its band.
fn render_trade_why(run: &ReproductionRun, line: &mut impl FnMut(&str)) {
    let st = &run.trade_static;
    let fit = &run.trade_fit;
    line(
        "- Trade liberalization: the static trade model (no capital accumulation, no productivity",
    );
    line(&format!(
        "  response, tariffs as averaged in the data) gives {:.1} bn to the world, {:.1} to high-income and",
        st.world, st.high_income
    ));
    line(&format!(
        "  {:.1} to developing countries: gains of the order of Harberger triangles. The dynamic LINKAGE",
        st.developing
    ));
    line("  model behind the published figures has recursive dynamics with savings-led investment and");
    line("  trade-responsive productivity (van der Mensbrugghe 2005, LINKAGE technical reference) and");
    line("  protection by GTAP sector and region with tariff-rate quotas. Here the fitted parameters");
    line(&format!(
        "  (productivity elasticity {:.3}, factor on high-income farm tariffs {:.3}; see the trade fit",
        fit.productivity_elasticity(),
        fit.farm_protection
    ));
    line("  below) carry the static gains to the target. The split they predict gives developing countries");
    line(&format!(
        "  {:.1} bn and high-income countries {:.1} bn; see the sources of the gains and the variants",
        run.trade.developing, run.trade.high_income
    ));
    line("  below for how each channel moves it.");
}

/// The tables of the figures under other assumptions.
fn render_variants(run: &ReproductionRun, line: &mut impl FnMut(&str)) {
    line("## What moves the trade split and the aid value");
    line("");
    let (low, high) = run.band("amvdm.developing");
    line("The developing countries' trade gain under other assumptions, each refitted to the");
    line(&format!(
        "published world gain of {} bn (band of the developing gain: {low} to {high}); with both",
        run.trade_fit.world_target
    ));
    line("channels, to agriculture's share of it too, which otherwise is a prediction:");
    line("");
    line("| assumption | fitted | productivity elasticity | farm protection factor | agriculture's share % | high income | developing |");
    line("|---|---|---:|---:|---:|---:|---:|");
    for v in &run.trade_variants {
        match &v.fit {
            Ok(f) => line(&format!(
                "| {} | {} | {:.3} | {:.3} | {:.1} | {:.1} | {:.1} |",
                v.label,
                f.channel.label(),
                f.productivity_elasticity(),
                f.farm_protection,
                100.0 * f.agriculture_share(),
                f.outcome.high_income,
                f.outcome.developing
            )),
            Err(e) => line(&format!("| {} | not computed: {e} | | | | | |", v.label)),
        }
    }
    let fits: Vec<&TradeFit> = run
        .trade_variants
        .iter()
        .filter_map(|v| v.fit.as_ref().ok())
        .collect();
    let reached = fits
        .iter()
        .filter(|f| (low..=high).contains(&f.outcome.developing))
        .count();
    line("");
    line(&format!(
        "{reached} of these {} assumptions bring the developing gain into its band.",
        run.trade_variants.len()
    ));
    let alone = |channel: GainChannel| -> Vec<&TradeFit> {
        fits.iter()
            .copied()
            .filter(|f| f.channel == channel)
            .collect()
    };
    let (productivity, farm) = (
        alone(GainChannel::Productivity),
        alone(GainChannel::FarmProtection),
    );
    let range = |xs: Vec<f64>| {
        let (a, b) = extent(xs);
        format!("{a:.1} to {b:.1}")
    };
    let developing = |fs: &[&TradeFit]| range(fs.iter().map(|f| f.outcome.developing).collect());
    let share =
        |fs: &[&TradeFit]| range(fs.iter().map(|f| 100.0 * f.agriculture_share()).collect());
    let above = |fs: &[&TradeFit]| !fs.is_empty() && fs.iter().all(|f| f.outcome.developing > high);
    let below = |fs: &[&TradeFit]| !fs.is_empty() && fs.iter().all(|f| f.outcome.developing < low);
    if above(&productivity) && below(&farm) {
        let target = 100.0 * run.trade_parameters.agriculture_share_of_gains;
        line("");
        line("Each channel alone brackets the published split. Through productivity, developing");
        line(&format!(
            "countries get {} bn, above the band, and agriculture {}% of the gains;",
            developing(&productivity),
            share(&productivity)
        ));
        line("through high-income farm protection, whose removal is an efficiency gain to the protectors,");
        line(&format!(
            "they get {} bn, below it, and agriculture {}%. Where the gains come from tells the",
            developing(&farm),
            share(&farm)
        ));
        if run.trade_fit.channel == GainChannel::Both {
            line(&format!(
                "channels apart: the table's fit takes agriculture's share, {target:.0}%, as its second target,"
            ));
            line(&format!(
                "and then predicts {:.1} bn for developing countries and {:.1} bn for high-income ones.",
                run.trade.developing, run.trade.high_income
            ));
        } else {
            line("channels apart.");
        }
    }
    render_aid_spending(run, line);
    render_aid_variants(run, line);
}

/// The smallest and largest of `values` (infinities for none).
fn extent(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    values
        .into_iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        })
}

/// Where a figure's Monte Carlo interval lies against its band.
fn interval_verdict(interval: &Interval, figure: &Figure) -> &'static str {
    if interval.p05 > figure.band_high {
        "above the band"
    } else if interval.p95 < figure.band_low {
        "below the band"
    } else {
        "overlapping the band"
    }
}

/// The table of the aid value under other assumptions, and what each does to the migration
/// predictions.
fn render_aid_variants(run: &ReproductionRun, line: &mut impl FnMut(&str)) {
    let (low, high) = run.band("aid.recipients");
    let (world_low, world_high) = run.band("gep2006.world");
    let (natives_low, natives_high) = run.band("gep2006.hic_natives");
    let table = &run.migration_fit.outcome;
    let developing_target = MIGRATION_TARGETS
        .iter()
        .find(|t| t.id == "gep2006.developing_residents")
        .map_or(f64::NAN, |t| t.published);
    line("");
    line(&format!(
        "The welfare value of US${} bn of aid to its recipients, the migration parameters",
        run.migration_fit.parameters.aid
    ));
    line(&format!(
        "refitted each time (band: {low} to {high}). The refitted migration model's"
    ));
    line("predictions are shown too: its world gain and high-income natives' gain, and the");
    line("largest gap of a fit target (the fit cannot always meet its targets). The last two");
    line(
        "columns make the change to the table's fitted parameters, before the refit: the change in",
    );
    line(&format!(
        "developing countries' terms of trade that migration brings, and developing residents' gain (a target: {developing_target}):"
    ));
    line("");
    line("| assumption | recipients' gain | migration: world | high-income natives | largest target gap % | not refitted: terms of trade % | developing residents |");
    line("|---|---:|---:|---:|---:|---:|---:|");
    for v in &run.aid_variants {
        match &v.values {
            Ok(x) => line(&format!(
                "| {} | {:.1} | {:.1} | {:.1} | {:.2} | {:+.2} | {:.1} |",
                v.label,
                x.recipients,
                x.refitted.world,
                x.refitted.hic_natives,
                x.largest_target_gap_pct,
                x.not_refitted.developing_terms_of_trade_pct,
                x.not_refitted.developing_residents
            )),
            Err(e) => line(&format!("| {} | not computed: {e} | | | | | |", v.label)),
        }
    }
    let computed: Vec<(&AidVariant, &AidValues)> = run
        .aid_variants
        .iter()
        .filter_map(|v| v.values.as_ref().ok().map(|x| (v, x)))
        .collect();
    let in_band = |x: &AidValues| (low..=high).contains(&x.recipients);
    let fit_met = |x: &AidValues| x.largest_target_gap_pct < MET_TARGET_GAP_PCT;
    let migration_holds = |x: &AidValues| {
        (world_low..=world_high).contains(&x.refitted.world)
            && (natives_low..=natives_high).contains(&x.refitted.hic_natives)
            && fit_met(x)
    };
    let g = |x: f64| significant(x, 6);
    // Whether some assumption cures an aid value outside its band, said only where it is
    // outside.
    let table_in_band = (low..=high).contains(&run.aid_value);
    line("");
    if !table_in_band {
        line(&format!(
            "{} of these {} assumptions bring the aid value into its band; {} of those also keep the",
            computed.iter().filter(|(_, x)| in_band(x)).count(),
            run.aid_variants.len(),
            computed
                .iter()
                .filter(|(_, x)| in_band(x) && migration_holds(x))
                .count()
        ));
        line(&format!(
            "migration world gain in [{}, {}], the natives' gain in [{}, {}] and every fit target",
            g(world_low),
            g(world_high),
            g(natives_low),
            g(natives_high)
        ));
        line(&format!("within {MET_TARGET_GAP_PCT}%."));
    } else {
        line(&format!(
            "{} of these {} assumptions keep the aid value in its band.",
            computed.iter().filter(|(_, x)| in_band(x)).count(),
            run.aid_variants.len()
        ));
    }
    // What the table shows about the transfer's terms-of-trade effect, said only where it holds.
    let aid_of = |assumption: AidAssumption| {
        computed
            .iter()
            .find(|(v, _)| v.assumption == assumption)
            .map(|(_, x)| x.recipients)
    };
    let table_aid = aid_of(AidAssumption::Table);
    // Every value computed, each above the next.
    let falls =
        |v: &[Option<f64>]| v.iter().all(Option::is_some) && v.windows(2).all(|w| w[1] < w[0]);
    let armington = [
        table_aid,
        aid_of(AidAssumption::Armington(8.0)),
        aid_of(AidAssumption::Armington(16.0)),
    ];
    if falls(&armington) {
        line("The recipients' gain falls as the Armington elasticity rises: closer substitutes, a");
        line("smaller terms-of-trade effect.");
    }
    // From one good (the table) down the transformation elasticities.
    let split: Vec<(f64, Option<f64>)> = EXPORT_TRANSFORMATIONS
        .iter()
        .rev()
        .map(|&omega| (omega, aid_of(AidAssumption::Split(omega))))
        .collect();
    let down_omega: Vec<Option<f64>> = [table_aid]
        .into_iter()
        .chain(split.iter().map(|(_, v)| *v))
        .collect();
    if falls(&down_omega) {
        let reach: Vec<String> = split
            .iter()
            .rev()
            .filter(|(_, v)| v.is_some_and(|v| (low..=high).contains(&v)))
            .map(|(omega, _)| g(*omega))
            .collect();
        line("It falls too as the elasticity of transformation between home sales and exports falls:");
        line(&format!(
            "export prices then follow the prices at home less closely ({}).",
            if reach.is_empty() {
                "none of these elasticities keeps it in the band".to_string()
            } else {
                format!("in the band with {}", reach.join(", "))
            }
        ));
    }
    // The import shares in their order, the table's among them.
    let mut shares: Vec<(f64, Option<f64>)> = AID_IMPORT_SHARES
        .iter()
        .map(|&share| (share, aid_of(AidAssumption::ImportShare(share))))
        .chain([(run.migration_fit.parameters.aid_import_share, table_aid)])
        .collect();
    shares.sort_by(|a, b| a.0.total_cmp(&b.0));
    shares.dedup_by(|a, b| a.0 == b.0);
    if falls(&shares.iter().map(|(_, v)| *v).collect::<Vec<_>>()) {
        line(
            "The more of it is spent on high-income merchandise, the less it is worth: developing",
        );
        line("countries' own goods and services then gain less in price, or lose.");
    }
    let untaxed = aid_of(AidAssumption::NoTariffs(
        run.migration_fit.parameters.sigma_armington,
    ));
    if let (Some(taxed), Some(untaxed)) = (table_aid, untaxed) {
        if untaxed < taxed {
            line("Without tariffs it is lower: the duty on the imports that the part spent like income brings");
            line("adds to it.");
        }
    }
    // Why the aid value and the migration predictions do not fit together, said only where
    // every case shows it: made to the table's parameters, the change lowers the terms-of-trade
    // gain migration brings developing countries and their residents' gain, and the refit
    // (where it meets its targets) raises the world and the natives' gains.
    let traded_off: Vec<&(&AidVariant, &AidValues)> = computed
        .iter()
        .filter(|(_, x)| in_band(x) && !migration_holds(x))
        .collect();
    let explained = |x: &AidValues| {
        x.not_refitted.developing_terms_of_trade_pct < table.developing_terms_of_trade_pct
            && x.not_refitted.developing_residents < table.developing_residents
            && (!fit_met(x)
                || (x.refitted.world > table.world && x.refitted.hic_natives > table.hic_natives))
    };
    if !table_in_band && !traded_off.is_empty() && traded_off.iter().all(|(_, x)| explained(x)) {
        let range = |f: &dyn Fn(&AidValues) -> f64| extent(traded_off.iter().map(|(_, x)| f(x)));
        let (tot_low, tot_high) = range(&|x| x.not_refitted.developing_terms_of_trade_pct);
        let (dev_low, dev_high) = range(&|x| x.not_refitted.developing_residents);
        line("");
        line("Where the aid value comes into its band and a migration figure leaves its own, the");
        line(
            "change, made to the table's fitted parameters, shrinks the improvement in developing",
        );
        line(&format!(
            "countries' terms of trade that migration brings (from {:+.2}% to between {tot_low:+.2}% and {tot_high:+.2}%)",
            table.developing_terms_of_trade_pct
        ));
        line(&format!(
            "and with it developing residents' gain (from {:.1} to between {dev_low:.1} and {dev_high:.1}). Refitted to",
            table.developing_residents
        ));
        line("the developing residents' target, the model then gives more to the world and to");
        line("high-income natives.");
        let missed: Vec<String> = traded_off
            .iter()
            .filter(|(_, x)| !fit_met(x))
            .map(|(v, x)| format!("{} ({:.2}%)", v.label, x.largest_target_gap_pct))
            .collect();
        if !missed.is_empty() {
            line(&format!(
                "The refit misses a target by more than {MET_TARGET_GAP_PCT}% with: {}.",
                missed.join("; ")
            ));
        }
    }
    line("");
}

/// The table of the sources of the trade-liberalization gains.
fn render_trade_sources(run: &ReproductionRun, line: &mut impl FnMut(&str)) {
    line("## Sources of the trade-liberalization gains");
    line("");
    line("Each group's reform of each good alone, then all together (`trade::sources_of_gains`),");
    line("US$ bn a year at 2001 prices; static = no productivity response and the farm tariffs of");
    line("the data, fitted = at the fitted parameters. The parts need not add up: the last row is the");
    line("interaction of the reforms.");
    line("");
    line("| reform | static: high income | developing | world | fitted: high income | developing | world |");
    line("|---|---:|---:|---:|---:|---:|---:|");
    let [st, fit] = &run.trade_sources;
    let mut parts = [[0.0; 3]; 2];
    for ((reform, a), (_, b)) in st.iter().zip(fit) {
        let cells = |o: &TradeOutcome| {
            format!(
                "{:.1} | {:.1} | {:.1}",
                o.high_income, o.developing, o.world
            )
        };
        line(&format!(
            "| {} | {} | {} |",
            reform.label(),
            cells(a),
            cells(b)
        ));
        if *reform != Reform::FULL {
            for (k, o) in [a, b].into_iter().enumerate() {
                parts[k][0] += o.high_income;
                parts[k][1] += o.developing;
                parts[k][2] += o.world;
            }
        }
    }
    let full = |k: usize| {
        run.trade_sources[k]
            .iter()
            .find(|(r, _)| *r == Reform::FULL)
            .map(|(_, o)| [o.high_income, o.developing, o.world])
            .unwrap_or_default()
    };
    let rest: Vec<String> = (0..2)
        .flat_map(|k| (0..3).map(move |i| (k, i)))
        .map(|(k, i)| format!("{:.1}", full(k)[i] - parts[k][i]))
        .collect();
    line(&format!("| interactions | {} |", rest.join(" | ")));
    line("");
    let support = &run.trade_support_only;
    line(&format!(
        "Removing high-income agricultural support alone (OECD PSE, an output subsidy of {:.0}%), in the",
        100.0 * run.trade_parameters.agricultural_support[0]
    ));
    line(&format!(
        "static model without tariffs, is worth {:.1} bn ({:.1} bn to developing countries).",
        support.world, support.developing
    ));
    line("");
}

/// A headline for the sensitivity tables: money to 0.1 bn, ratios to 0.01.
fn headline(x: f64) -> String {
    fixed(x, if x.abs() < 10.0 { 2 } else { 1 })
}

/// A number with `digits` decimals, for the Markdown report.
fn fixed(x: f64, digits: usize) -> String {
    format!("{x:.digits$}")
}

/// The console report of `cge reproduce` and the `reproduce` example: the table, the fitted
/// parameters of both models, the 90% Monte Carlo intervals and the run time.
pub fn render_console(run: &ReproductionRun) -> String {
    let mut out = render_table(&run.figures);
    out.push('\n');
    out.push_str("Fitted parameters (minimum distance to the targets marked in the table):\n");
    let fit = &run.trade_fit;
    let trade = [
        ("productivity_elasticity", fit.productivity_elasticity()),
        ("farm_tariff_factor", fit.farm_protection),
    ];
    for (name, value) in run
        .migration_fit
        .fitted
        .iter()
        .map(|(n, v)| (n.as_str(), *v))
        .chain(trade)
    {
        out.push_str(&format!("  {name:<24} {value:.4}\n"));
    }
    if fit.channel == GainChannel::Both {
        out.push_str(&format!(
            "  (the last two to amvdm.world and to agriculture's share of it, {:.0}%)\n",
            100.0 * fit.parameters.agriculture_share_of_gains
        ));
    }
    for i in &run.intervals {
        let d = if i.median.abs() < 10.0 { 2 } else { 1 };
        out.push_str(&format!(
            "  90% interval of {:<24} [{:.d$}, {:.d$}] (median {:.d$})\n",
            i.id, i.p05, i.p95, i.median
        ));
    }
    out.push_str(&format!("Run time: {:.2} s\n", run.seconds));
    out
}

/// `docs/reproductions.md`: the table, the model, every parameter with its source, what was
/// fitted, the sensitivity table and the Monte Carlo intervals.
pub fn render_markdown(run: &ReproductionRun) -> String {
    let mut out = String::new();
    let mut line = |s: &str| {
        out.push_str(s);
        out.push('\n');
    };
    line("# Reproductions of published estimates");
    line("");
    line("Generated by `cargo run --release --example reproduce -- --write-docs docs/reproductions.md`;");
    line("do not edit by hand. Every computed value comes out of solving a model on the data in");
    line("`data/`; the closed forms are evaluated from their parameters.");
    line("");
    line("## Published vs computed");
    line("");
    line("US$ bn a year at 2001 prices unless the figure says otherwise. *target* marks a figure");
    line("the free parameters were fitted to (it cannot test the model); every other computed");
    line("figure is a prediction.");
    line("");
    line("```text");
    for l in render_table(&run.figures).lines() {
        line(l);
    }
    line("```");
    line("");
    line(&format!(
        "{}. Run time {:.1} s on the reference machine.",
        summary_line(&run.figures),
        run.seconds
    ));
    line("");
    let outside: Vec<&Figure> = run
        .figures
        .iter()
        .filter(|f| f.within_band == Some(false))
        .collect();
    if !outside.is_empty() {
        line("## Figures outside their bands");
        line("");
        for f in &outside {
            // Where the Monte Carlo follows the figure: does parameter uncertainty reach the band?
            let uncertainty =
                run.intervals
                    .iter()
                    .find(|i| i.id == f.id)
                    .map_or(String::new(), |i| {
                        let verdict = interval_verdict(i, f);
                        format!(
                        " 90% Monte Carlo interval [{}, {}] ({} draws solved), {verdict} [{}, {}].",
                        significant(i.p05, 4),
                        significant(i.p95, 4),
                        run.draws.0 - run.draws.1,
                        significant(f.band_low, 10),
                        significant(f.band_high, 10)
                    )
                    });
            line(&format!(
                "- `{}`: published {}, computed {}, gap {}%.{uncertainty}",
                f.id,
                f.published.map_or("-".into(), |p| p.to_string()),
                f.computed.map_or("-".into(), |c| fixed(c, 2)),
                f.gap_pct.map_or("-".into(), |g| fixed(g, 1))
            ));
        }
        line("");
        line("Why, as far as the models tell:");
        line("");
        let outside_id = |id: &str| outside.iter().any(|f| f.id == id);
        if outside_id("amvdm.high_income") || outside_id("amvdm.developing") {
            render_trade_why(run, &mut line);
        }
        if outside_id("aid.recipients") || outside_id("debt_relief.recipients") {
            line(
                "- Aid and debt relief: the aid table below shows how the way aid is spent and the",
            );
            line("  elasticities move their value against the face value.");
        }
        if outside_id("pritchett.ratio") {
            line("- Pritchett's ratio follows from the trade and transfer figures.");
        }
        let ww_outside = run
            .figures
            .iter()
            .any(|f| f.id == "ww2005.world" && f.within_band == Some(false));
        if ww_outside {
            let per_mover = |gain: f64| gain / run.temporary_persons;
            line(&format!(
                "- Walmsley & Winters' world gain: solved, like the study, on 1997 data in 1997 dollars. The {:.1}",
                run.temporary_persons
            ));
            line(&format!(
                "  million temporary workers earn the place premium ({} at PPP) on their home wages, so each",
                run.migration_fit.parameters.place_premium
            ));
            line(&format!(
                "  adds US${:.1} thousand to world welfare; the published {} bn means US${:.1} thousand each.",
                per_mover(run.temporary_workers[2]),
                run.published("ww2005.world"),
                per_mover(run.published("ww2005.world"))
            ));
        }
        line("");
    }
    render_trade_sources(run, &mut line);
    render_variants(run, &mut line);
    line("## The models");
    line("");
    line("- **World model** (`cge_calibrate::world`): high-income and developing regions projected from 2001 to");
    line("  the horizon with 2001-2019 PWT growth; merchandise (Armington, import tariffs) and non-traded");
    line("  services; capital and labour (CES value added); in the high-income region migrant labour as a");
    line("  distinct type (CES with native labour); consumers: high-income natives, earlier migrants, new");
    line("  migrants, developing residents, what official transfers buy. Migration: new migrants move their endowment from developing");
    line("  labour to migrant labour and remit a share of their income. Aid and debt relief: transfers");
    line(&format!(
        "  from high-income natives to developing countries, {}% spent on high-income merchandise at",
        significant(100.0 * run.migration_fit.parameters.aid_import_share, 6)
    ));
    line(
        "  world prices and the rest like residents' income (`aid_import_share`: Werker, Ahmed & Cohen",
    );
    line("  2009 find aid consumed primarily as imported goods). Temporary workers (Walmsley & Winters):");
    line("  on 1997 data, movers from developing countries earn the place premium on their home wage");
    line("  and keep their home attachment.");
    match run.migration_fit.parameters.export_transformation {
        None => {
            line("  A region's merchandise sold at home and exported is one good, as in GTAP (a");
            line("  `world,export_transformation` row in the literature table splits them by a CET frontier;");
        }
        Some(omega) => {
            line("  In this run a region's merchandise sold at home and exported are split by a CET frontier");
            line(&format!("  of elasticity {omega} (the `world,export_transformation` row of the literature table;"));
        }
    }
    line(&format!(
        "  the aid table below shows {} values).",
        EXPORT_TRANSFORMATIONS.len()
    ));
    line("- **Trade model** (`cge_calibrate::trade`): each income group split into two identical regions;");
    line("  agriculture and manufactures traded as Armington varieties under bilateral applied tariffs;");
    line("  high-income agricultural support as an output subsidy; manufacturing productivity that follows");
    line("  each region's export/output ratio with a fitted elasticity; high-income farm tariffs times a");
    line("  fitted factor (a stand-in for what makes farm reform worth more in LINKAGE); full liberalization sets every");
    line(&format!(
        "  tariff and the support to zero at the {} horizon.",
        run.trade_parameters.horizon
    ));
    line("- **Closed forms** (`cge_calibrate::closed_forms`): Clemens' example and the Harberger triangle.");
    line("");
    line("## Fitted parameters");
    line("");
    line("Minimum distance (Nelder-Mead, argmin) of the migration scenario to its targets:");
    line("");
    line("| parameter | fitted value |");
    line("|---|---|");
    for (name, value) in &run.migration_fit.fitted {
        line(&format!("| `{name}` | {} |", fixed(*value, 4)));
    }
    line("");
    line("| target | published | computed at the fit |");
    line("|---|---|---|");
    for (id, published, computed) in &run.migration_fit.targets {
        line(&format!(
            "| `{id}` | {published} | {} |",
            fixed(*computed, 2)
        ));
    }
    line("");
    line(&format!(
        "Objective (sum of squared relative gaps) {:.2e} after {} iterations.",
        run.migration_fit.objective, run.migration_fit.iterations
    ));
    line("");
    let alt = &run.alternative;
    line("### What the fit implies");
    line("");
    line(&format!(
        "The fitted remittance share is {:.2} of migrants' income. Recorded remittances to developing",
        run.migration_fit
            .fitted
            .iter()
            .find(|(n, _)| n == "remittance_share")
            .map_or(f64::NAN, |(_, v)| *v)
    ));
    line(&format!(
        "countries in 2001 (US${} bn, GEP 2006) are {:.2} of the earlier migrants' earnings in this",
        alt.fit.parameters.recorded_remittances, alt.remittance_share
    ));
    line("benchmark. Holding the share at that value and fitting only the migrants' relative wage and");
    line("the native-migrant elasticity to the new and earlier migrants' gains gives:");
    line("");
    line("| group | published | alternative calibration |");
    line("|---|---|---|");
    let o = &alt.fit.outcome;
    for (name, id, value) in [
        (
            "new migrants (target)",
            "gep2006.new_migrants",
            o.new_migrants,
        ),
        (
            "earlier migrants (target)",
            "gep2006.earlier_migrants",
            o.earlier_migrants,
        ),
        ("high-income natives", "gep2006.hic_natives", o.hic_natives),
        (
            "developing residents",
            "gep2006.developing_residents",
            o.developing_residents,
        ),
        ("world", "gep2006.world", o.world),
        (
            "poor countries' citizens",
            "pritchett.poor_citizens",
            o.poor_citizens(),
        ),
    ] {
        line(&format!(
            "| {name} | {} | {} |",
            run.published(id),
            fixed(value, 1)
        ));
    }
    line("");
    line("The published split needs migrants to send home far more than recorded remittances suggest;");
    line("with recorded remittances, developing residents gain much less and the world total falls short.");
    line("");
    line(&format!(
        "The fitted relative wage also means that a new migrant earns {:.1} times an unskilled worker's",
        run.migrant_premium[0]
    ));
    line(&format!(
        "wage at home at market exchange rates ({:.1} times at PPP, with developing prices at {:.2} of",
        run.migrant_premium[1], run.developing_price_level
    ));
    line(&format!(
        "high-income ones), against a measured median place premium of {} (Clemens, Montenegro &",
        run.migration_fit.parameters.place_premium
    ));
    line("Pritchett 2019). The temporary workers of Walmsley & Winters' scenario are given the measured");
    line(&format!(
        "premium instead: they keep their home productivity. Their world gain, {:.1} bn, moves a little",
        run.temporary_workers[2]
    ));
    line(&format!(
        "more than the premium: {:.1} bn with a premium 30% lower, {:.1} bn with one 30% higher.",
        run.temporary_premium_range[0], run.temporary_premium_range[1]
    ));
    line("");
    let fit = &run.trade_fit;
    line("### Trade model");
    line("");
    let share_target = 100.0 * fit.parameters.agriculture_share_of_gains;
    let elasticity = "the elasticity of manufacturing productivity to the export/output ratio, a\n  stand-in for LINKAGE's trade-responsive productivity and dynamics";
    let factor = "a factor on high-income farm tariffs, a stand-in for what makes farm reform worth\n  more in LINKAGE than here: the uniform tariff that costs what dispersed tariffs cost\n  (Anderson & Neary 1996), tariff-rate quotas, finer sectors and regions (high-income\n  tariffs only, this project's choice: scaling developing countries' too gives them more of\n  the gains)";
    let (count, fitted): (&str, Vec<&str>) = match fit.channel {
        GainChannel::Productivity => ("One free parameter", vec![elasticity]),
        GainChannel::FarmProtection => ("One free parameter", vec![factor]),
        GainChannel::Both => ("Two free parameters", vec![elasticity, factor]),
    };
    let both = fit.channel == GainChannel::Both;
    let targets = if both {
        format!(
            "the world gain of full liberalization, {} bn, and agriculture's share of it, {share_target:.0}% (the\n`agriculture_share_of_gains` row of the literature table)",
            fit.world_target
        )
    } else {
        format!(
            "the world gain of full liberalization, {} bn",
            fit.world_target
        )
    };
    line(&format!(
        "{count}, fitted by bracketing secant searches ({} liberalizations solved) to {targets}:",
        fit.solves
    ));
    line("");
    for f in fitted {
        line(&format!("- {f};"));
    }
    line("");
    line("| parameter | fitted value |");
    line("|---|---|");
    line(&format!(
        "| `productivity_elasticity` | {:.4} |",
        fit.productivity_elasticity()
    ));
    let tariff = fit.parameters.tariff_agriculture[0][1];
    let data_tariff = tariff / fit.farm_protection;
    line(&format!(
        "| factor on high-income farm tariffs | {:.4} (tariff on developing countries' food {:.1}% for {:.1}% in the data) |",
        fit.farm_protection,
        100.0 * tariff,
        100.0 * data_tariff
    ));
    line("");
    if fit.farm_protection > 1.0 {
        let support = fit.parameters.agricultural_support[0];
        let distorting = |t: f64| distorting_share(t, support);
        line("The factor is large. Were it the dispersion of tariffs over products alone, the uniform equivalent");
        line(&format!(
            "t̄·√(1 + CV²) would need tariffs with a coefficient of variation of {:.1}; LINKAGE itself works on",
            (fit.farm_protection.powi(2) - 1.0).sqrt()
        ));
        line("aggregated GTAP sectors, so the factor stands for more than dispersion. At the fitted tariff,");
        line("production-distorting support (market price support at the tariff and the output subsidy) would be");
        line(&format!(
            "{:.0}% of farm receipts, against {:.0}% from the OECD's producer support estimate at the data's tariff.",
            100.0 * distorting(tariff),
            100.0 * distorting(data_tariff)
        ));
        line("");
    }
    line(&format!(
        "At the fit, agriculture's share of the world gain is {:.2}%. {}; the",
        100.0 * fit.agriculture_share(),
        if both {
            "The world gain and that share are targets"
        } else {
            "The world gain is a target"
        }
    ));
    line("high-income and developing gains are predictions. They add up to the world gain, so they make");
    line("one prediction, the split; Pritchett's ratio follows from it and the transfer values.");
    line("");
    line("| figure | published | static model | fitted model |");
    line("|---|---|---|---|");
    for (id, published, stat, fitted) in [
        (
            "amvdm.world (target)",
            run.trade_fit.world_target,
            run.trade_static.world,
            run.trade.world,
        ),
        (
            "amvdm.high_income",
            run.published("amvdm.high_income"),
            run.trade_static.high_income,
            run.trade.high_income,
        ),
        (
            "amvdm.developing",
            run.published("amvdm.developing"),
            run.trade_static.developing,
            run.trade.developing,
        ),
    ] {
        line(&format!(
            "| `{id}` | {published} | {} | {} |",
            fixed(stat, 1),
            fixed(fitted, 1)
        ));
    }
    let share_label = if both {
        "agriculture's share of the world gain, % (target)"
    } else {
        "agriculture's share of the world gain, %"
    };
    line(&format!(
        "| {share_label} | {share_target:.0} | {} | {} |",
        fixed(
            100.0 * run.trade_static_agriculture.world / run.trade_static.world,
            1
        ),
        fixed(100.0 * fit.agriculture_share(), 1)
    ));
    line("");
    line("## Parameters and sources");
    line("");
    line("Every number of `data/literature_parameters.csv`, from which `WorldParameters` and");
    line("`TradeParameters` are read, with the value this run used where it differs (fitted");
    line("parameters; the high-income agricultural support derives from the OECD rows: an output");
    line(&format!(
        "subsidy of {:.4}). Indices: 0 = high income, 1 = developing; i.j = importer i, exporter j.",
        run.trade_parameters.agricultural_support[0]
    ));
    line("");
    line("| model | parameter | index | value | used | unit | source |");
    line("|---|---|---|---:|---:|---|---|");
    let used = [
        serde_json::to_value(&run.migration_fit.parameters).unwrap_or_default(),
        serde_json::to_value(&run.trade_parameters).unwrap_or_default(),
    ];
    for v in &run.literature {
        let model = usize::from(v.model == "trade");
        let mut at = used[model].get(&v.parameter);
        for i in v.index.split('.').filter(|i| !i.is_empty()) {
            at = at.and_then(|a| a.get(i.parse::<usize>().unwrap_or(usize::MAX)));
        }
        let shown = match at.and_then(serde_json::Value::as_f64) {
            Some(x) if x != v.value => significant(x, 4),
            Some(_) => "=".into(),
            None => "—".into(),
        };
        line(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} |",
            v.model, v.parameter, v.index, v.value, shown, v.unit, v.source
        ));
    }
    line("");
    line("## Sensitivity");
    line("");
    line("Each uncertain parameter at the ends of its range, the others central; both fits are rerun");
    line("each time (the migration model's free parameters to their targets, the trade model's");
    line(&format!(
        "productivity elasticity and farm-tariff factor to the world trade gain of {} bn and",
        run.trade_fit.world_target
    ));
    line("agriculture's share of it, so that these stay targets and the table shows how the split");
    line("moves). Cells: headline at the low end / at the high end.");
    line("");
    line(&format!(
        "| parameter | range | source | {} |",
        HEADLINE_IDS.map(|id| format!("`{id}`")).join(" | ")
    ));
    line(&format!(
        "|---|---|---|{}",
        "---|".repeat(HEADLINE_IDS.len())
    ));
    for row in &run.sensitivity {
        let source = UNCERTAIN
            .iter()
            .find(|u| u.name == row.parameter)
            .map_or("", |u| u.source);
        let cells: Vec<String> = row
            .at_low
            .entries()
            .iter()
            .zip(row.at_high.entries())
            .map(|((_, lo), (_, hi))| format!("{} / {}", headline(*lo), headline(hi)))
            .collect();
        line(&format!(
            "| `{}` | [{}, {}] | {} | {} |",
            row.parameter,
            row.range.0,
            row.range.1,
            source,
            cells.join(" | ")
        ));
    }
    line("");
    line("## Uncertainty");
    line("");
    line(&format!(
        "Monte Carlo: {} draws (seed {}), every uncertain parameter uniform on its range, the migration",
        run.draws.0, SEED
    ));
    line("and trade fits and the scenarios rerun for each draw, as in the sensitivity table;");
    line(&format!(
        "{} draws could not be solved or fitted.",
        run.draws.1
    ));
    line("");
    line("| headline | 5% | median | 95% |");
    line("|---|---|---|---|");
    for i in &run.intervals {
        line(&format!(
            "| `{}` | {} | {} | {} |",
            i.id,
            headline(i.p05),
            headline(i.median),
            headline(i.p95)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure<'a>(run: &'a ReproductionRun, id: &str) -> &'a Figure {
        run.figures.iter().find(|f| f.id == id).unwrap()
    }

    #[test]
    fn recorded_remittances_set_the_alternative_remittance_share() {
        let data = WorldData::load().unwrap();
        let p = WorldParameters::default();
        let accounts = LabourAccounts::new(&Baseline::project(&data, BASE_YEAR), &p);
        let share = recorded_remittance_share(&accounts, &p).unwrap();
        assert!(share > 0.0 && share < REMITTANCE_SHARE_MAX, "{share}");
        let doubled = WorldParameters {
            recorded_remittances: 2.0 * p.recorded_remittances,
            ..p.clone()
        };
        approx::assert_relative_eq!(
            recorded_remittance_share(&accounts, &doubled).unwrap(),
            2.0 * share,
            max_relative = 1e-12
        );
        // More than migrants could send is an error naming the input, not a clamped share.
        let impossible = WorldParameters {
            recorded_remittances: p.recorded_remittances * REMITTANCE_SHARE_MAX / share * 1.01,
            ..p
        };
        let e = recorded_remittance_share(&accounts, &impossible).unwrap_err();
        assert!(e.to_string().contains("recorded_remittances"), "{e}");
    }

    /// Every prediction lies inside its band; the targets are met by the fit.
    #[test]
    fn reproduced_figures_lie_in_their_bands() {
        let run = run_with(4).unwrap();
        for id in [
            "gep2006.world",
            "gep2006.hic_natives",
            "amvdm.high_income",
            "amvdm.developing",
            "aid.recipients",
            "debt_relief.recipients",
            "pritchett.ratio",
            "ww2005.world",
            "ww2005.unskilled",
            "ww2005.skilled",
            "hw1984.full_mobility_pct",
            "iregui.segmented_pct",
            "clemens.example_pct",
            "rodrik.triangle_pct",
        ] {
            let f = figure(&run, id);
            assert_eq!(
                f.within_band,
                Some(true),
                "{id}: {:?} outside [{}, {}]",
                f.computed,
                f.band_low,
                f.band_high
            );
            assert!(!f.calibration_target, "{id} must be a prediction");
        }
        // The trade model is fitted to the world gain and agriculture's share of it.
        let f = figure(&run, "amvdm.world");
        assert!(f.calibration_target);
        approx::assert_relative_eq!(f.computed.unwrap(), 287.0, max_relative = 1e-5);
        assert_eq!(run.trade_fit.channel, GainChannel::Both);
        approx::assert_abs_diff_eq!(
            run.trade_fit.agriculture_share(),
            run.trade_parameters.agriculture_share_of_gains,
            epsilon = crate::tolerances::SHARE_FIT_ABSOLUTE
        );
        for t in MIGRATION_TARGETS {
            let f = figure(&run, t.id);
            assert!(f.calibration_target);
            approx::assert_relative_eq!(f.computed.unwrap(), t.published, max_relative = 1e-3);
        }
        // Every figure of the report is computed now.
        assert!(run.figures.iter().all(|f| f.computed.is_some()));
        // The variants are computed, the first is the table's, and they respond as economics
        // says: closer substitutes, a smaller terms-of-trade gain from aid.
        let split = |v: &TradeVariant| v.fit.as_ref().unwrap().outcome;
        let aid = |a: AidAssumption| {
            *run.aid_variants
                .iter()
                .find(|v| v.assumption == a)
                .unwrap()
                .values
                .as_ref()
                .unwrap()
        };
        let table = aid(AidAssumption::Table);
        assert!(run.trade_variants.iter().all(|v| v.fit.is_ok()));
        assert!(run.aid_variants.iter().all(|v| v.values.is_ok()));
        approx::assert_relative_eq!(
            split(&run.trade_variants[0]).developing,
            run.trade.developing,
            max_relative = 1e-9
        );
        approx::assert_relative_eq!(table.recipients, run.aid_value, max_relative = 1e-9);
        // The table's rows reuse the table's results: computed from scratch, they are the same.
        let data = WorldData::load().unwrap();
        let (world, trade) = (WorldParameters::default(), TradeParameters::default());
        let from_scratch = aid_variant(
            &data,
            &world,
            &run.migration_fit.parameters,
            AidAssumption::Table,
        )
        .values
        .unwrap();
        approx::assert_relative_eq!(
            from_scratch.recipients,
            table.recipients,
            max_relative = 1e-6
        );
        approx::assert_relative_eq!(
            from_scratch.refitted.world,
            table.refitted.world,
            max_relative = 1e-6
        );
        let trade_from_scratch = trade_variant(
            &data,
            &trade,
            run.trade_fit.world_target,
            "table",
            FITTED_CHANNEL,
            |_| {},
        )
        .fit
        .unwrap();
        approx::assert_relative_eq!(
            trade_from_scratch.outcome.developing,
            split(&run.trade_variants[0]).developing,
            max_relative = 1e-6
        );
        // Farm protection carries the same world gain with more of it to the high-income
        // protectors, whose own reform it makes an efficiency gain, and more of it from
        // agriculture; productivity the other way; the fit of both lies between.
        let alone = |channel: GainChannel| {
            run.trade_variants
                .iter()
                .filter_map(|v| v.fit.as_ref().ok())
                .find(|f| f.channel == channel)
                .unwrap()
        };
        let (farm, productivity) = (
            alone(GainChannel::FarmProtection),
            alone(GainChannel::Productivity),
        );
        assert!(
            farm.outcome.developing < run.trade.developing
                && run.trade.developing < productivity.outcome.developing,
            "{farm:?} {productivity:?}"
        );
        assert!(
            farm.agriculture_share() > run.trade_fit.agriculture_share()
                && run.trade_fit.agriculture_share() > productivity.agriculture_share()
        );
        // A larger agricultural share of the gains puts more of them with the protectors.
        let with_share = |share: f64| {
            run.trade_variants
                .iter()
                .filter_map(|v| v.fit.as_ref().ok())
                .find(|f| {
                    f.channel == GainChannel::Both
                        && f.parameters.agriculture_share_of_gains == share
                })
                .unwrap()
                .outcome
                .developing
        };
        let [low_share, high_share] = agriculture_shares();
        assert!(with_share(high_share) < run.trade.developing);
        assert!(with_share(low_share) > run.trade.developing);
        let (sigma_8, sigma_16) = (
            aid(AidAssumption::Armington(8.0)),
            aid(AidAssumption::Armington(16.0)),
        );
        assert!(sigma_16.recipients < sigma_8.recipients);
        assert!(sigma_8.recipients < run.aid_value);
        // Home sales and exports split: the tighter the frontier, the smaller the aid value.
        let split: Vec<f64> = EXPORT_TRANSFORMATIONS
            .iter()
            .map(|&omega| aid(AidAssumption::Split(omega)).recipients)
            .collect();
        assert_eq!(split.len(), EXPORT_TRANSFORMATIONS.len());
        assert!(split.windows(2).all(|w| w[0] < w[1]), "{split:?}");
        assert!(split[split.len() - 1] < run.aid_value, "{split:?}");
        // Cash is the report's cash value; the more of aid is spent on imports, the less it
        // is worth; the import share leaves the migration model alone.
        let cash = aid(AidAssumption::ImportShare(0.0));
        approx::assert_relative_eq!(
            cash.recipients,
            run.aid_as_cash[0].recipients,
            max_relative = 1e-6
        );
        let (half, all) = (
            aid(AidAssumption::ImportShare(0.5)),
            aid(AidAssumption::ImportShare(1.0)),
        );
        assert!(run.migration_fit.parameters.aid_import_share > 0.5);
        assert!(
            cash.recipients > half.recipients
                && half.recipients > run.aid_value
                && run.aid_value > all.recipients,
            "{cash:?} {half:?} {all:?}"
        );
        approx::assert_relative_eq!(
            all.refitted.world,
            run.migration_fit.outcome.world,
            max_relative = 1e-6
        );
        // The table's own variant, refitted or not, is the table's migration outcome.
        assert_eq!(table.not_refitted, run.migration_fit.outcome);
        approx::assert_relative_eq!(
            table.refitted.world,
            run.migration_fit.outcome.world,
            max_relative = 1e-9
        );
        // Migration improves developing countries' terms of trade; closer substitutes and a
        // CET frontier, made to the table's parameters, shrink that improvement.
        let tot = |v: AidValues| v.not_refitted.developing_terms_of_trade_pct;
        let tightest = aid(AidAssumption::Split(EXPORT_TRANSFORMATIONS[0]));
        assert!(tot(table) > 0.0);
        assert!(
            tot(sigma_8) < tot(table) && tot(tightest) < tot(table),
            "{} {} {}",
            tot(table),
            tot(sigma_8),
            tot(tightest)
        );
        // The report says, for each figure outside its band that the Monte Carlo follows,
        // where its interval lies against the band.
        let text = render_markdown(&run);
        for f in run.figures.iter().filter(|f| f.within_band == Some(false)) {
            let Some(i) = run.intervals.iter().find(|i| i.id == f.id) else {
                continue;
            };
            // The verdict from the interval's ends and the band, not from the report's code.
            let expected = match (i.p05 > f.band_high, i.p95 < f.band_low) {
                (true, _) => "above the band",
                (_, true) => "below the band",
                _ => "overlapping the band",
            };
            let item = text
                .lines()
                .find(|l| l.starts_with(&format!("- `{}`:", f.id)))
                .unwrap();
            assert!(item.contains(expected), "{item}");
            assert!(item.contains("Monte Carlo interval"), "{item}");
        }
        // The reasons follow the figures: each bullet only for figures outside their bands.
        let has = |text: &str, what: &str| text.contains(what);
        let (trade_why, aid_why, ratio_why) = (
            "- Trade liberalization: the static trade model",
            "- Aid and debt relief:",
            "- Pritchett's ratio follows",
        );
        let outside = |id: &str| figure(&run, id).within_band == Some(false);
        assert_eq!(has(&text, trade_why), outside("amvdm.developing"));
        assert_eq!(has(&text, aid_why), outside("aid.recipients"));
        assert_eq!(has(&text, ratio_why), outside("pritchett.ratio"));
        let mut moved = run.clone();
        for f in &mut moved.figures {
            if ["amvdm.developing", "pritchett.ratio", "aid.recipients"].contains(&f.id.as_str()) {
                f.within_band = Some(false);
            }
        }
        let text = render_markdown(&moved);
        assert!(has(&text, trade_why) && has(&text, ratio_why) && has(&text, aid_why));
        // The two channels alone bracket the split, and the report says so.
        assert!(text.contains("Each channel alone brackets the published split"));
        // The console report names every fitted parameter of both models and every interval.
        let console = render_console(&run);
        for (name, _) in &run.migration_fit.fitted {
            assert!(console.contains(name.as_str()), "{name}");
        }
        assert!(
            console.contains("productivity_elasticity") && console.contains("farm_tariff_factor")
        );
        for i in &run.intervals {
            assert!(
                console.contains(&format!("90% interval of {}", i.id)),
                "{}",
                i.id
            );
        }
        // Unskilled quotas gain more than skilled ones (Walmsley & Winters 2005).
        assert!(run.temporary_workers[1] > run.temporary_workers[0]);
    }
}
