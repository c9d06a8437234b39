//! Model families built on the algebra: each builder writes an ordinary [`crate::ModelSpec`], so a
//! family model can be saved, edited, shocked and solved like any other.
//!
//! - [`hos`]: Heckscher–Ohlin–Samuelson trade — the 2×2×2 model, R regions × G goods × F
//!   factors with homogeneous or Armington goods, a small open economy;
//! - [`mobility`]: factor mobility — between sectors (mobile, sector-specific, CET), between
//!   regions (migration by quota or wage gap, efficiency units, imperfect substitution,
//!   remittances, welfare by group), and international capital mobility;
//! - [`sam`]: the standard single-country model of Hosoe, Gasawa & Hashimoto (2010, ch. 6) for any
//!   number of sectors, calibrated from a social accounting matrix;
//! - [`synthetic`]: balanced multi-region worlds of any size (R regions × S sectors × F
//!   factors, intermediates, Armington trade with tariffs and trade costs), for benchmarks.

pub mod hos;
pub mod mobility;
pub mod sam;
pub mod synthetic;
