//! General-equilibrium model algebra in the style of MPSGE: calibrated CES/CET production
//! sectors with nests of any depth, consumers with endowments and CES demand, ad valorem taxes
//! (fixed or endogenous), transfers, income shares, auxiliary constraints and a numeraire,
//! compiled into a mixed complementarity problem (MCP) with an analytic sparse Jacobian.
//!
//! # Where it sits
//!
//! `cge-solver` ← **`cge-core`** ← `cge-calibrate` ← `cge`. This crate knows the economics
//! and nothing about data sources: a [`ModelSpec`] (from JSON, TOML or the builder methods)
//! is validated and compiled into a [`Model`], which implements [`cge_solver::Problem`]
//! (Mathiesen's formulation: zero profit ⟂ activity, market clearance ⟂ price, income balance
//! ⟂ income, constraint ⟂ auxiliary). [`Model::solve`] returns [`Results`] with welfare.
//! Every equation is numbered in `docs/model.md` (E1–E22); comments in the code cite them.
//!
//! # Example
//!
//! A closed 2×2 economy in the style of Markusen's M1 models, with a 25 % tax on the labour
//! input of X carried by its reference price, and a shock that removes the tax:
//!
//! ```
//! use cge_core::{ConsumerSpec, Flow, ModelSpec, SectorSpec};
//!
//! let spec = ModelSpec::new("closed 2x2")
//!     .commodities(["X", "Y", "L", "K"])
//!     .sector(
//!         SectorSpec::new("X")
//!             .elasticity(1.0)
//!             .output("X", 100.0)
//!             .input_flow(Flow::new("L", 20.0).tax(0.25, "HH"))
//!             .input("K", 75.0),
//!     )
//!     .sector(SectorSpec::new("Y").elasticity(1.0).output("Y", 100.0).input("L", 75.0).input("K", 25.0))
//!     .consumer(
//!         ConsumerSpec::new("HH")
//!             .endowment("L", 95.0)
//!             .endowment("K", 100.0)
//!             .demand("X", 100.0)
//!             .demand("Y", 100.0),
//!     )
//!     .numeraire_price("L", 1.0);
//! let mut model = spec.build()?;
//! model.check_benchmark()?;
//! model.set_input_tax("X", "L", 0.0)?;
//! let results = model.solve_default()?;
//! println!("EV of HH: {:.3}", results.welfare["HH"].equivalent_variation);
//! assert!(results.walras_residual.abs() < 1e-8);
//! # Ok::<(), cge_core::CoreError>(())
//! ```
//!
//! # A 2×2×2 Heckscher–Ohlin counterfactual
//!
//! Two countries, two goods, two factors, calibrated at the free-trade benchmark; home imposes
//! a 20% tariff on its imports of the capital-intensive good. The tariff raises the domestic
//! price of the imported good, and with it (Stolper–Samuelson) the return to the factor used
//! intensively in it; factor price equalization fails.
//!
//! ```
//! use cge_core::families::hos::{factor_price, TwoByTwoByTwo};
//!
//! // Endowments [country][factor] (L, K) and cost shares [good][factor]: X is labour-intensive.
//! let family = TwoByTwoByTwo::new([[120.0, 80.0], [80.0, 120.0]], [[0.7, 0.3], [0.3, 0.7]]);
//! let mut model = family.spec()?.build()?;
//! model.check_benchmark()?;
//! // H is labour-abundant, so it imports the capital-intensive good Y.
//! family.set_tariff(&mut model, "H", "Y", 0.2)?;
//! let results = model.solve_default()?;
//! let rent = |c: &str| results.prices[&factor_price("K", c)] / results.prices[&factor_price("L", c)];
//! assert!(rent("H") > rent("F"));
//! assert!(results.walras_residual.abs() < 1e-8);
//! println!("EV of H: {:.3}", results.welfare["H"].equivalent_variation);
//! # Ok::<(), cge_core::CoreError>(())
//! ```
#![warn(missing_docs)]

mod error;
pub mod families;
pub mod memory;
mod model;
mod name;
mod results;
mod spec;
pub mod tolerances;
mod tree;

pub use error::{closest_names, CoreError, Imbalance};
pub use model::Model;
pub use name::Name;
pub use results::{ConsumerDemands, FlowQuantity, NumeraireReport, Results, SectorFlows, Welfare};
pub use spec::{
    Affine, AuxiliarySpec, CommoditySpec, ConsumerSpec, EndowmentSpec, Flow, IncomeShareSpec,
    LinearConstraint, ModelSpec, NestChild, NestSpec, NumeraireSpec, OutputSpec, SectorSpec,
    TaxSpec, Term, TransferSpec, VarRef,
};
