//! What a solve reports: levels, prices, incomes, margins, flows, welfare (E19), the numeraire
//! and the Walras residual (E18).

use std::collections::BTreeMap;

use cge_solver::Diagnostics;
use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::model::{Model, NumeraireKind, Owner};
use crate::name::Name;

/// The state of a model at a point, by name. Money is in the data's units at the prices of
/// the solution unless stated otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Results {
    /// The model's name.
    pub model: String,
    /// Activity level Y of each sector (benchmark 1).
    pub activities: BTreeMap<String, f64>,
    /// Price p of each commodity.
    pub prices: BTreeMap<String, f64>,
    /// Income M of each consumer \[money\].
    pub incomes: BTreeMap<String, f64>,
    /// Value of each auxiliary.
    pub auxiliaries: BTreeMap<String, f64>,
    /// Unit cost − unit revenue of each sector (E9) \[money per unit of activity\]: zero for an
    /// active sector, positive for an inactive one.
    pub profit_margins: BTreeMap<String, f64>,
    /// Input and output quantities of each sector, in spec order.
    pub flows: Vec<SectorFlows>,
    /// Final demands of each consumer, in spec order.
    pub final_demands: Vec<ConsumerDemands>,
    /// Welfare of each consumer (E19).
    pub welfare: BTreeMap<String, Welfare>,
    /// The unknown fixed as numeraire.
    pub numeraire: NumeraireReport,
    /// The numeraire's dropped equation at this point (E18); round-off at an equilibrium.
    pub walras_residual: f64,
    /// The solver's diagnostics when the results come from [`Model::solve`].
    pub diagnostics: Option<Diagnostics>,
}

/// Quantities of one sector at the solution (activity level × per-unit quantity).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SectorFlows {
    /// The sector.
    pub sector: String,
    /// Inputs, one per input flow of the spec.
    pub inputs: Vec<FlowQuantity>,
    /// Outputs, one per output flow of the spec.
    pub outputs: Vec<FlowQuantity>,
}

/// Final demands of one consumer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConsumerDemands {
    /// The consumer.
    pub consumer: String,
    /// Demands, one per demand flow of the spec.
    pub demands: Vec<FlowQuantity>,
}

/// A quantity of a commodity \[units of the commodity\].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FlowQuantity {
    /// The commodity (one shared [`Name`] per commodity).
    pub commodity: Name,
    /// The quantity.
    pub quantity: f64,
}

/// Welfare of one consumer (E19).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Welfare {
    /// Utility index U = M / (E π) (benchmark 1).
    pub utility: f64,
    /// Benchmark income M̄ \[money, benchmark prices\].
    pub benchmark_income: f64,
    /// Hicksian equivalent variation M̄ (U − 1) \[money, benchmark prices\].
    pub equivalent_variation: f64,
    /// The equivalent variation in % of benchmark income.
    pub equivalent_variation_percent: f64,
}

/// Which unknown was fixed, and at what value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NumeraireReport {
    /// "price" or "income".
    pub kind: String,
    /// The commodity or consumer.
    pub name: String,
    /// The fixed value.
    pub value: f64,
}

impl Results {
    pub(crate) fn new(model: &Model, x: &[f64]) -> Result<Self, CoreError> {
        let st = model.evaluate(x)?;
        let mut f = vec![0.0; model.dim()];
        model.raw_residual(x, &st, &mut f);
        let by_name = |names: &[String], first: usize| -> BTreeMap<String, f64> {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), x[first + i]))
                .collect()
        };
        let fo = &model.forest;
        let commodities: Vec<Name> = model.commodities.iter().map(Name::from).collect();
        let quantities = |t: usize| -> Vec<FlowQuantity> {
            fo.trees[t]
                .leaves
                .clone()
                .map(|l| FlowQuantity {
                    commodity: commodities[fo.commodity[l]].clone(),
                    quantity: fo.quantity[l] * st.trees.x[fo.leaf_elem[l]] * st.level[t],
                })
                .collect()
        };
        let flows = model
            .sector_trees
            .iter()
            .enumerate()
            .map(|(j, &(t_in, t_out))| SectorFlows {
                sector: model.sectors[j].clone(),
                inputs: quantities(t_in),
                outputs: quantities(t_out),
            })
            .collect();
        let mut welfare = BTreeMap::new();
        let mut final_demands = Vec::new();
        for (t, o) in model.owner.iter().enumerate() {
            if let Owner::Demand(h) = *o {
                let utility = st.level[t];
                let m0 = model.benchmark_income[h];
                welfare.insert(
                    model.consumers[h].clone(),
                    Welfare {
                        utility,
                        benchmark_income: m0,
                        equivalent_variation: m0 * (utility - 1.0),
                        equivalent_variation_percent: 100.0 * (utility - 1.0),
                    },
                );
                final_demands.push(ConsumerDemands {
                    consumer: model.consumers[h].clone(),
                    demands: quantities(t),
                });
            }
        }
        model.states.give(st.trees);
        let numeraire = match model.numeraire {
            NumeraireKind::Price(i) => NumeraireReport {
                kind: "price".into(),
                name: model.commodities[i].clone(),
                value: model.numeraire_value,
            },
            NumeraireKind::Income(h) => NumeraireReport {
                kind: "income".into(),
                name: model.consumers[h].clone(),
                value: model.numeraire_value,
            },
        };
        Ok(Self {
            model: model.name.clone(),
            activities: by_name(&model.sectors, model.activity_index(0)),
            prices: by_name(&model.commodities, model.price_index(0)),
            incomes: by_name(&model.consumers, model.income_index(0)),
            auxiliaries: by_name(&model.aux_names, model.auxiliary_index(0)),
            profit_margins: model
                .sectors
                .iter()
                .enumerate()
                .map(|(j, n)| (n.clone(), f[model.activity_index(j)]))
                .collect(),
            flows,
            final_demands,
            welfare,
            numeraire,
            walras_residual: f[model.numeraire_index()],
            diagnostics: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::{ConsumerSpec, ModelSpec, SectorSpec};

    #[test]
    fn welfare_is_equivalent_variation_at_benchmark_prices() {
        let m = ModelSpec::new("tiny")
            .commodities(["X", "L"])
            .sector(SectorSpec::new("S").output("X", 10.0).input("L", 10.0))
            .consumer(
                ConsumerSpec::new("HH")
                    .endowment("L", 10.0)
                    .demand("X", 10.0),
            )
            .build()
            .unwrap();
        // Income 30 at prices 2: utility 30 / (10 · 2) = 1.5.
        let r = m.results_at(&[1.2, 2.0, 2.0, 30.0]).unwrap();
        let w = &r.welfare["HH"];
        assert_eq!(w.utility, 1.5);
        assert_eq!(w.equivalent_variation, 5.0);
        assert_eq!(w.equivalent_variation_percent, 50.0);
        assert_eq!(r.flows[0].inputs[0].quantity, 12.0);
        assert_eq!(r.final_demands[0].demands[0].quantity, 15.0);
        assert_eq!(r.profit_margins["S"], 0.0);
        // The dropped equation is income balance: 30 − 2 · 10.
        assert_eq!(r.walras_residual, 10.0);
        assert_eq!(r.numeraire.kind, "income");
    }
}
