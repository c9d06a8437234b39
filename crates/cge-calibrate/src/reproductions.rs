//! Runs every reproduction: fits the world model's free parameters, solves each scenario, and
//! fills the report's figures with the computed values, marking the fit's targets.
//!
//! This is the library call behind `cargo run --release --example reproduce`.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::CalibrateError;
use crate::fit::{fit_migration, FitReport, MIGRATION_TARGETS};
use crate::reproduce::{figures, Figure};
use crate::trade::{liberalize, TradeOutcome, TradeParameters};
use crate::world::{migration, transfer, MigrationOutcome, WorldData, WorldParameters};

/// Everything a reproduction run computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReproductionRun {
    /// The report's figures, computed where a model exists.
    pub figures: Vec<Figure>,
    /// The fit of the migration scenario's free parameters.
    pub migration_fit: FitReport,
    /// The migration scenario at the fitted parameters.
    pub migration: MigrationOutcome,
    /// The trade model's parameters.
    pub trade_parameters: TradeParameters,
    /// Full merchandise trade liberalization.
    pub trade: TradeOutcome,
    /// Welfare value of aid to developing residents [US$ bn].
    pub aid_value: f64,
    /// Welfare value of debt relief to developing residents [US$ bn].
    pub debt_relief_value: f64,
    /// Wall time of the run [s].
    pub seconds: f64,
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

/// Runs every reproduction with the default parameters.
///
/// # Errors
/// Data, calibration, fitting or solver errors.
pub fn run() -> Result<ReproductionRun, CalibrateError> {
    let started = Instant::now();
    let data = WorldData::load()?;
    let base = WorldParameters::default();
    let migration_fit = fit_migration(&data, &base)?;
    let p = &migration_fit.parameters;
    let outcome = migration(&data, p)?;
    let trade_parameters = TradeParameters::default();
    let trade = liberalize(&data, &trade_parameters)?;
    let aid_value = transfer(&data, p, p.aid)?;
    let debt_relief_value = transfer(&data, p, p.debt_relief)?;

    let mut figs = figures()?;
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
    fill(&mut figs, "amvdm.world", trade.world, false)?;
    fill(&mut figs, "amvdm.high_income", trade.high_income, false)?;
    fill(&mut figs, "amvdm.developing", trade.developing, false)?;
    fill(&mut figs, "aid.recipients", aid_value, false)?;
    fill(
        &mut figs,
        "debt_relief.recipients",
        debt_relief_value,
        false,
    )?;
    let others = trade.developing + aid_value + debt_relief_value;
    if others > 0.0 {
        fill(
            &mut figs,
            "pritchett.ratio",
            outcome.poor_citizens() / others,
            false,
        )?;
    }
    Ok(ReproductionRun {
        figures: figs,
        migration_fit,
        migration: outcome,
        trade_parameters,
        trade,
        aid_value,
        debt_relief_value,
        seconds: started.elapsed().as_secs_f64(),
    })
}
