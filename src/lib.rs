//! `cge`: computable general equilibrium models of international trade and factor mobility.
//!
//! This crate re-exports the workspace crates:
//! - [`solver`] (`cge-solver`): Newton, quasi-Newton and complementarity solvers;
//! - [`core`] (`cge-core`): the model algebra and the HOS and factor-mobility families;
//! - [`calibrate`] (`cge-calibrate`): calibration to public data and reproductions.

pub use cge_calibrate as calibrate;
pub use cge_core as core;
pub use cge_solver as solver;
