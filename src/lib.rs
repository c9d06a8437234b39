//! `cge`: computable general equilibrium models of international trade and factor mobility.
//!
//! This crate re-exports the workspace crates:
//! - [`solver`] (`cge-solver`): Newton, quasi-Newton and complementarity solvers;
//! - [`core`] (`cge-core`): the model algebra and the HOS and factor-mobility families;
//! - [`calibrate`] (`cge-calibrate`): calibration to public data and reproductions.
//!
//! and adds what an economist scripting counterfactuals needs, at the end of the data flow
//! (model → shocks → solve → results → report):
//! - [`scenario`]: scenario files (a model, its closure, counterfactuals as sets of shocks);
//! - [`study`]: the fluent API — [`Study`] (a model closed and checked at its benchmark),
//!   [`Shock`], [`Outcome`] (results read by name against the benchmark);
//! - [`report`]: aligned tables and tidy long-format results (CSV, JSON), written atomically;
//! - [`checks`]: benchmark replication, Walras' law, homogeneity and the Jacobian check;
//! - [`sweep`]: parameter sweeps over a scenario, in parallel;
//! - [`plot`]: SVG charts of welfare by group and scenario, and of sweeps.
//!
//! The `cge` command line (`src/bin/cge.rs`) is a thin layer over these modules; see
//! `docs/user-guide.md`.
//!
//! ```
//! use cge::core::families::hos::TwoByTwoByTwo;
//! use cge::{Shock, Study};
//!
//! let params = TwoByTwoByTwo::new([[60.0, 40.0], [40.0, 60.0]], [[0.7, 0.3], [0.3, 0.7]]);
//! let study = Study::family(params)?;
//! let war = study
//!     .counterfactual("tariff_war")
//!     .shock(Shock::new("tariff").importer("H").good("Y").rate(0.3))
//!     .shock(Shock::new("tariff").importer("F").good("X").rate(0.3))
//!     .solve()?;
//! assert!(war.ev("H")? < 0.0 && war.ev("F")? < 0.0);
//! # Ok::<(), cge::Error>(())
//! ```

pub use cge_calibrate as calibrate;
pub use cge_core as core;
pub use cge_solver as solver;

pub mod checks;
mod error;
pub mod fsutil;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod study;
pub mod sweep;

pub use error::{closest, Error};
pub use scenario::{Counterfactual, Scenario, Shock};
pub use study::{Outcome, Study};
