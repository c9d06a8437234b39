//! Calibration of `cge-core` models to public data, and the reproduction of published
//! estimates of the gains from migration, trade liberalization, aid and debt relief.
//!
//! # Where it sits
//!
//! `cge-solver` ← `cge-core` ← **`cge-calibrate`** ← `cge`. Data flow through this crate
//! one way: shipped data file → validated rows ([`data`]) → benchmark → calibrated model →
//! shocks → solve (in `cge-core`/`cge-solver`) → the reproduction report ([`reproduce`]).
//!
//! - [`data`]: the extracts in the workspace's `data/` folder (World Bank WDI aggregates,
//!   Penn World Table 10.01 totals by income group), embedded at compile time and parsed
//!   into typed rows; their provenance is in `data/README.md` and the script that derives
//!   them in `data/derive/extract.py`.
//! - [`closed_forms`]: figures that need no model: Clemens' (2011) two-region example, the
//!   Harberger triangle and Rodrik's political cost-benefit ratio.
//! - [`reproduce`]: every published figure with its acceptance band, what has been computed
//!   and how far it is from the published value.
//! - [`tolerances`]: the crate's tolerances and band widths, in one place.
//!
//! # Example
//!
//! ```
//! use cge_calibrate::{closed_forms::ClemensExample, data, reproduce};
//!
//! # fn main() -> Result<(), cge_calibrate::CalibrateError> {
//! // World GDP in 2001, current US$, from the shipped World Bank extract.
//! let wb = data::worldbank_aggregates()?;
//! let world = data::find_aggregate(&wb, "WLD", 2001)?;
//! assert!((world.gdp_usd / 1e12 - 33.63).abs() < 0.01);
//!
//! // Clemens' example: 37.5% of world GDP.
//! let gain = ClemensExample::published().gain_pct()?;
//! assert!((gain - 37.5).abs() < 1e-9);
//!
//! // The report: which figures are reproduced so far.
//! let figures = reproduce::figures()?;
//! println!("{}", reproduce::render_table(&figures));
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

pub mod balance;
pub mod closed_forms;
pub mod complete_mobility;
pub mod data;
mod error;
pub mod fit;
pub mod literature;
pub mod reproduce;
pub mod reproductions;
pub mod sam;
pub mod sensitivity;
pub mod tolerances;
pub mod trade;
pub mod world;

pub use error::CalibrateError;
