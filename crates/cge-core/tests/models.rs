//! Integration tests of cge-core: Jacobians against finite differences, benchmark replication,
//! validation errors, file round trips, economic invariants and published reference solutions.

use cge_core::tolerances::{
    FD_AGREEMENT, FD_STEP, SAME_EQUILIBRIUM, SIX_SIGNIFICANT_DIGITS, WALRAS_RELATIVE,
};
use cge_core::{
    Affine, AuxiliarySpec, ConsumerSpec, CoreError, Flow, Model, ModelSpec, NestSpec, SectorSpec,
    VarRef,
};
use cge_solver::{Options, Problem};

#[path = "models/hos.rs"]
mod hos;
#[path = "models/mobility.rs"]
mod mobility;
#[path = "models/scale.rs"]
mod scale;

/// A balanced model exercising every feature: nests three levels deep with σ ∈ {0, 0.5, 1, 2},
/// a CET output pair, input, output and demand taxes, an endogenous tax (TAU, fixed real
/// government budget), a scaled endowment (unemployment U under a wage floor), a transfer, an
/// income share, a licence commodity, a non-unit reference price, and the default numeraire.
fn kitchen_sink() -> ModelSpec {
    ModelSpec::new("kitchen sink")
        .commodities(["A", "B"])
        .commodity("C", 2.0)
        .commodities(["L", "K", "LIC"])
        .sector(
            SectorSpec::new("SA")
                .transformation(2.0)
                .output("A", 55.0)
                .output_flow(Flow::new("C", 20.0).tax(0.05, "GOV"))
                .elasticity(0.5)
                .input_flow(Flow::new("B", 10.0).tax(0.1, "GOV"))
                .input_nest(
                    NestSpec::new(1.0).named("va").input("L", 25.0).nest(
                        NestSpec::new(2.0)
                            .named("cap")
                            .input("K", 42.0)
                            .input("LIC", 15.0),
                    ),
                ),
        )
        .sector(
            SectorSpec::new("SB")
                .output("B", 43.0)
                .elasticity(0.0)
                .input_flow(Flow::new("A", 10.0).endogenous_tax(
                    0.2,
                    "GOV",
                    Affine::new("TAU", 0.0, 1.0),
                ))
                .input_nest(NestSpec::new(2.0).input("L", 20.0).input("K", 11.0)),
        )
        .consumer(
            ConsumerSpec::new("HH")
                .scaled_endowment("L", 56.25, Affine::new("U", 1.0, -1.0))
                .endowment("K", 53.0)
                .endowment("LIC", 15.0)
                .demand_elasticity(0.5)
                .demand_flow(Flow::new("A", 25.0).tax(0.08, "GOV"))
                .demand_nest(
                    NestSpec::new(2.0)
                        .named("bc")
                        .input("B", 33.0)
                        .input("C", 10.0),
                ),
        )
        .consumer(ConsumerSpec::new("GOV").demand("C", 10.0))
        .consumer(ConsumerSpec::new("MIG").demand("A", 20.0))
        .transfer("HH", "GOV", "A", 13.0)
        .income_share("HH", "MIG", 0.25)
        .auxiliary(
            AuxiliarySpec::new("TAU")
                .bounds(-0.5, f64::INFINITY)
                .start(0.2)
                .term(VarRef::income("GOV"), 1.0)
                .term(VarRef::price("C"), -10.0),
        )
        .auxiliary(
            AuxiliarySpec::new("U")
                .bounds(0.0, 1.0)
                .start(0.2)
                .term(VarRef::price("L"), 1.0)
                .term(VarRef::price("A"), -1.0),
        )
}

/// Markusen's model M31: a closed 2×2 economy calibrated to a 100 % tax on labour in X, with
/// taxes declared (at zero) wherever the counterfactuals put them. Source: J. R. Markusen,
/// "General-Equilibrium Modeling using GAMS and MPS/GE", model M31.GMS; as transcribed in
/// julia-mpsge/MPSGE.jl, examples/Markusen_Examples/Chapter_03/M31.gms.
fn markusen_m31() -> ModelSpec {
    ModelSpec::new("M31")
        .commodities(["PX", "PY", "PL", "PK", "PW"])
        .sector(
            SectorSpec::new("X")
                .elasticity(1.0)
                .output_flow(Flow::new("PX", 100.0).tax(0.0, "CONS"))
                .input_flow(Flow::new("PL", 20.0).reference_price(2.0).tax(1.0, "CONS"))
                .input_flow(Flow::new("PK", 60.0).tax(0.0, "CONS")),
        )
        .sector(
            SectorSpec::new("Y")
                .elasticity(1.0)
                .output_flow(Flow::new("PY", 100.0).tax(0.0, "CONS"))
                .input("PL", 60.0)
                .input("PK", 40.0),
        )
        .sector(
            SectorSpec::new("W")
                .elasticity(1.0)
                .output("PW", 200.0)
                .input("PX", 100.0)
                .input("PY", 100.0),
        )
        .consumer(
            ConsumerSpec::new("CONS")
                .demand("PW", 200.0)
                .endowment("PL", 80.0)
                .endowment("PK", 100.0),
        )
        .numeraire_price("PW", 1.0)
}

/// Markusen's model M36: M31 with classical unemployment, a real-wage floor PL ≥ PW
/// complementary to the unemployment rate U (benchmark 20 %). Source: Markusen, M36.GMS, as
/// transcribed in julia-mpsge/MPSGE.jl, examples/Markusen_Examples/Chapter_03/M36.gms.
fn markusen_m36() -> ModelSpec {
    let mut spec = markusen_m31();
    spec.name = "M36".into();
    spec.consumers[0] = ConsumerSpec::new("CONS")
        .demand("PW", 200.0)
        .scaled_endowment("PL", 100.0, Affine::new("U", 1.0, -1.0))
        .endowment("PK", 100.0);
    spec.auxiliary(
        AuxiliarySpec::new("U")
            .start(0.2)
            .term(VarRef::price("PL"), 1.0)
            .term(VarRef::price("PW"), -1.0),
    )
}

/// The closed 2×2 economy with an output tax of MPSGE.jl's test suite, whose reference values
/// were produced by GAMS/MPSGE (julia-mpsge/MPSGE.jl, test/test_twobytwo_wTaxes.jl, generated
/// from TwoByTwo_Scalar_wTax-MPSGE.gms).
fn two_by_two_output_tax() -> ModelSpec {
    ModelSpec::new("TwoByTwo with output tax")
        .commodities(["PX", "PY", "PU", "PL", "PK"])
        .sector(
            SectorSpec::new("X")
                .elasticity(1.0)
                .output_flow(Flow::new("PX", 100.0).tax(0.0, "RA"))
                .input("PL", 50.0)
                .input("PK", 50.0),
        )
        .sector(
            SectorSpec::new("Y")
                .elasticity(1.0)
                .output("PY", 50.0)
                .input("PL", 20.0)
                .input("PK", 30.0),
        )
        .sector(
            SectorSpec::new("U")
                .elasticity(1.0)
                .output("PU", 150.0)
                .input("PX", 100.0)
                .input("PY", 50.0),
        )
        .consumer(
            ConsumerSpec::new("RA")
                .demand("PU", 150.0)
                .endowment("PL", 70.0)
                .endowment("PK", 80.0),
        )
}

fn residual(model: &Model, x: &[f64]) -> Vec<f64> {
    let mut f = vec![0.0; model.dim()];
    model.residual(x, &mut f).unwrap();
    f
}

/// Compares the analytic Jacobian with central finite differences, entry by entry (dense).
fn check_jacobian(model: &Model, x: &[f64]) -> Result<(), String> {
    let n = model.dim();
    let pattern = model.jacobian_pattern();
    let mut values = vec![0.0; pattern.len()];
    model.jacobian(x, &mut values).map_err(|e| e.to_string())?;
    let mut jac = vec![0.0; n * n];
    for k in 0..pattern.len() {
        jac[pattern.rows()[k] * n + pattern.cols()[k]] += values[k];
    }
    for j in 0..n {
        let h = FD_STEP * x[j].abs().max(1.0);
        let mut xp = x.to_vec();
        xp[j] += h;
        let fp = residual(model, &xp);
        xp[j] -= 2.0 * h;
        let fm = residual(model, &xp);
        for i in 0..n {
            let fd = (fp[i] - fm[i]) / (2.0 * h);
            let an = jac[i * n + j];
            if (an - fd).abs() > FD_AGREEMENT * an.abs().max(1.0) {
                return Err(format!(
                    "∂F[{i}]/∂{} : analytic {an:.10e}, finite difference {fd:.10e}",
                    model.describe_unknown(j)
                ));
            }
        }
    }
    Ok(())
}

fn assert_close(found: f64, expected: f64, rel: f64, what: &str) {
    assert!(
        (found - expected).abs() <= rel * expected.abs().max(1e-300),
        "{what}: found {found}, expected {expected}"
    );
}

mod jacobian {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    /// The kitchen sink with two numeraires, so that every equation is checked: each
    /// numeraire hides its own equation.
    fn both_numeraires() -> [Model; 2] {
        [
            kitchen_sink().build().unwrap(),
            kitchen_sink().numeraire_price("LIC", 1.0).build().unwrap(),
        ]
    }

    #[test]
    fn kitchen_sink_at_benchmark() {
        for model in both_numeraires() {
            check_jacobian(&model, &model.benchmark_point()).unwrap();
        }
    }

    #[test]
    fn pattern_is_independent_of_parameters() {
        let mut model = kitchen_sink().build().unwrap();
        let before = model.jacobian_pattern();
        model.set_elasticity("SB", None, 0.7).unwrap();
        model.set_input_tax("SA", "B", 0.0).unwrap();
        model.set_transformation("SA", 0.0).unwrap();
        assert_eq!(before, model.jacobian_pattern());
        check_jacobian(&model, &model.benchmark_point()).unwrap();
    }

    #[test]
    fn leontief_accepts_zero_price_and_ces_rejects_it() {
        let model = kitchen_sink().build().unwrap();
        let mut x = model.benchmark_point();
        // LIC sits in a σ = 2 nest: a zero price is outside the domain.
        x[model.price_index(5)] = 0.0;
        let err = residual_err(&model, &x);
        assert!(
            err.contains("`LIC`") && err.contains("sector `SA`"),
            "{err}"
        );
        assert_eq!(
            model
                .jacobian(&x, &mut vec![0.0; model.jacobian_pattern().len()])
                .unwrap_err()
                .index,
            Some(model.price_index(5))
        );
    }

    fn residual_err(model: &Model, x: &[f64]) -> String {
        let mut f = vec![0.0; model.dim()];
        model.residual(x, &mut f).unwrap_err().to_string()
    }

    proptest! {
        #![proptest_config(Config { cases: 48, rng_seed: RngSeed::Fixed(20_240_917), ..Config::default() })]

        #[test]
        fn kitchen_sink_at_perturbed_points(factors in proptest::collection::vec(0.6..1.5f64, 13)) {
            for model in both_numeraires() {
                let mut x = model.benchmark_point();
                for (xi, f) in x.iter_mut().zip(&factors) {
                    *xi *= f;
                }
                prop_assert!(check_jacobian(&model, &x).is_ok(), "{:?}", check_jacobian(&model, &x));
            }
        }

        #[test]
        fn other_elasticities(sigma in 0.0..3.0f64, eta in 0.0..3.0f64, scale in 0.7..1.3f64) {
            for mut model in both_numeraires() {
                model.set_elasticity("SA", Some("cap"), sigma).unwrap();
                model.set_transformation("SA", eta).unwrap();
                model.set_demand_elasticity("HH", Some("bc"), sigma).unwrap();
                let mut x = model.benchmark_point();
                for (i, xi) in x.iter_mut().enumerate() {
                    *xi *= if i % 2 == 0 { scale } else { 1.0 / scale };
                }
                prop_assert!(check_jacobian(&model, &x).is_ok(), "{:?}", check_jacobian(&model, &x));
            }
        }
    }
}

mod benchmark {
    use super::*;

    #[test]
    fn balanced_models_replicate() {
        for spec in [
            kitchen_sink(),
            markusen_m31(),
            markusen_m36(),
            two_by_two_output_tax(),
        ] {
            let model = spec.build().unwrap();
            model.check_benchmark().unwrap();
            // Replication is exact up to round-off.
            let round_off = WALRAS_RELATIVE * model.scale();
            let f = residual(&model, &model.benchmark_point());
            assert!(
                f.iter().all(|v| v.abs() < round_off),
                "{}: {f:?}",
                model.name()
            );
            let r = model.results_at(&model.benchmark_point()).unwrap();
            assert!(r.walras_residual.abs() < round_off);
            assert!(r
                .welfare
                .values()
                .all(|w| (w.utility - 1.0).abs() < SAME_EQUILIBRIUM));
        }
    }

    #[test]
    fn default_numeraire_is_largest_income() {
        let model = kitchen_sink().build().unwrap();
        let r = model.results_at(&model.benchmark_point()).unwrap();
        assert_eq!(
            (r.numeraire.kind.as_str(), r.numeraire.name.as_str()),
            ("income", "HH")
        );
        assert_eq!(r.numeraire.value, 80.0);
        assert_eq!(model.benchmark_incomes(), &[80.0, 20.0, 20.0]);
    }

    #[test]
    fn unbalanced_model_names_every_condition() {
        let mut spec = markusen_m31();
        spec.consumers[0].endowments[0].quantity = 85.0;
        let err = spec.build().unwrap().check_benchmark().unwrap_err();
        let CoreError::Unbalanced { items, .. } = &err else {
            panic!("{err}")
        };
        let names: Vec<(&str, &str)> = items
            .iter()
            .map(|i| (i.condition.as_str(), i.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [("market clearance", "PL"), ("income balance", "CONS")]
        );
        assert_eq!(
            err.to_string(),
            "benchmark of model `M31` is not balanced (tolerance 2.000e-4):\n  market clearance `PL`: +5.000000e0\n  income balance `CONS`: -5.000000e0"
        );
    }
}

mod validation {
    use super::*;

    fn err(spec: ModelSpec) -> CoreError {
        spec.build().unwrap_err()
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        let mut spec = markusen_m31();
        spec.sectors[1].inputs = NestSpec::new(1.0).input("PLL", 60.0).input("PK", 40.0);
        let e = err(spec);
        assert_eq!(
            e.to_string(),
            "sector `Y` inputs flow `PLL`: unknown commodity `PLL` (did you mean `PL`?)"
        );
        let spec =
            markusen_m31().auxiliary(AuxiliarySpec::new("z").term(VarRef::income("CONZ"), 1.0));
        assert!(
            matches!(err(spec), CoreError::UnknownName { kind: "consumer", ref suggestions, .. } if suggestions == &["CONS"])
        );
        let mut spec = markusen_m31();
        spec.sectors[0].inputs.children[0] =
            cge_core::NestChild::Flow(Flow::new("PL", 20.0).tax(1.0, "GOV"));
        assert!(matches!(
            err(spec),
            CoreError::UnknownName {
                kind: "consumer",
                ..
            }
        ));
    }

    #[test]
    fn duplicates() {
        let e = err(markusen_m31().commodities(["PX"]));
        assert_eq!(e.to_string(), "duplicate commodity name `PX`");
        let e = err(markusen_m31().sector(SectorSpec::new("W").output("PW", 1.0).input("PL", 1.0)));
        assert!(matches!(e, CoreError::DuplicateName { kind: "sector", .. }));
    }

    #[test]
    fn quantities_prices_elasticities() {
        let mut spec = markusen_m31();
        spec.consumers[0].endowments[1].quantity = f64::NAN;
        assert_eq!(
            err(spec).to_string(),
            "consumer `CONS` endowment `PK`: quantity NaN must be finite and >= 0"
        );
        let mut spec = markusen_m31();
        spec.sectors[1].inputs.children[0] = cge_core::NestChild::Flow(Flow::new("PL", -60.0));
        assert!(matches!(err(spec), CoreError::InvalidQuantity { value, .. } if value == -60.0));
        let e = err(markusen_m31().commodity("Z", 0.0));
        assert_eq!(
            e.to_string(),
            "commodity `Z`: reference price 0 must be finite and > 0"
        );
        let mut spec = markusen_m31();
        spec.sectors[0].inputs.children[0] =
            cge_core::NestChild::Flow(Flow::new("PL", 20.0).reference_price(-2.0));
        assert!(matches!(err(spec), CoreError::InvalidReferencePrice { .. }));
        let mut spec = markusen_m31();
        spec.sectors[2].inputs.elasticity = Some(-0.5);
        assert_eq!(
            err(spec).to_string(),
            "sector `W` inputs: elasticity -0.5 must be finite and >= 0"
        );
        let mut spec = markusen_m31();
        spec.sectors[2].outputs.elasticity = f64::NAN;
        assert!(matches!(err(spec), CoreError::InvalidElasticity { .. }));
    }

    #[test]
    fn taxes_shares_bounds_numbers() {
        let mut spec = markusen_m31();
        spec.sectors[0].inputs.children[1] =
            cge_core::NestChild::Flow(Flow::new("PK", 60.0).tax(-1.0, "CONS"));
        assert_eq!(
            err(spec).to_string(),
            "sector `X` inputs flow `PK` tax: tax rate -1 is invalid: an input or demand tax must exceed -1"
        );
        let mut spec = markusen_m31();
        spec.sectors[1].outputs.items[0] = Flow::new("PY", 100.0).tax(1.0, "CONS");
        assert!(matches!(
            err(spec),
            CoreError::InvalidTax {
                reason: "an output tax must be below 1",
                ..
            }
        ));
        let e = err(kitchen_sink().income_share("HH", "GOV", 0.9));
        assert_eq!(
            e.to_string(),
            "income share from `HH` to `GOV` is 0.9: must lie in [0, 1] (and the shares a consumer pays may not exceed 1 in total)"
        );
        let e = err(kitchen_sink().income_share("GOV", "HH", -0.1));
        assert!(matches!(e, CoreError::InvalidShare { share, .. } if share == -0.1));
        let e = err(markusen_m31().auxiliary(AuxiliarySpec::new("z").bounds(1.0, 0.0)));
        assert_eq!(
            e.to_string(),
            "auxiliary `z`: bounds [1, 0] with start 1 are inconsistent"
        );
        let e = err(markusen_m31()
            .auxiliary(AuxiliarySpec::new("z").term(VarRef::price("PL"), f64::INFINITY)));
        assert_eq!(
            e.to_string(),
            "auxiliary `z` constraint: coefficient: inf must be finite"
        );
    }

    #[test]
    fn structure() {
        let e = err(markusen_m31().consumer(ConsumerSpec::new("NOBODY").endowment("PL", 1.0)));
        assert_eq!(
            e.to_string(),
            "consumer `NOBODY` has no demand: every consumer must spend its income"
        );
        let e = err(markusen_m31().sector(SectorSpec::new("Z").output("PX", 1.0)));
        assert_eq!(
            e.to_string(),
            "sector `Z` inputs: nest has no positive reference value"
        );
        let e = err(markusen_m31().sector(SectorSpec::new("Z").input("PX", 1.0).output("PY", 0.0)));
        assert!(matches!(e, CoreError::EmptyNest { .. }), "{e}");
        let e = err(ModelSpec::new("empty"));
        assert_eq!(e.to_string(), "model `empty` declares no commodity");
    }

    #[test]
    fn shocks_are_validated() {
        let mut m = markusen_m31().build().unwrap();
        let e = m.set_input_tax("Y", "PL", 0.1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "sector `Y` input tax: tax on `PL`: not declared in the model; declare it in the spec (a zero value is fine) so that the model's structure stays fixed"
        );
        assert!(matches!(
            m.set_input_tax("X", "PW", 0.1),
            Err(CoreError::UnknownName { kind: "flow", .. })
        ));
        assert!(matches!(
            m.set_input_tax("XX", "PL", 0.1),
            Err(CoreError::UnknownName { kind: "sector", .. })
        ));
        assert!(matches!(
            m.set_output_tax("X", "PX", 1.5),
            Err(CoreError::InvalidTax { .. })
        ));
        assert!(matches!(
            m.set_elasticity("X", Some("va"), 1.0),
            Err(CoreError::UnknownName { kind: "nest", .. })
        ));
        assert!(matches!(
            m.set_elasticity("X", None, -1.0),
            Err(CoreError::InvalidElasticity { .. })
        ));
        assert!(matches!(
            m.set_endowment("CONS", "PX", 1.0),
            Err(CoreError::NotDeclared { .. })
        ));
        assert!(matches!(
            m.set_transfer("CONS", "CONS", "PX", 1.0),
            Err(CoreError::NotDeclared { .. })
        ));
        assert_eq!(
            m.set_numeraire_value(0.0).unwrap_err().to_string(),
            "numeraire value: 0 must be finite and > 0"
        );
        let mut k = kitchen_sink().build().unwrap();
        assert!(matches!(
            k.set_income_share("HH", "MIG", 1.2),
            Err(CoreError::InvalidShare { .. })
        ));
        assert!(matches!(
            k.set_auxiliary_bounds("U", 0.5, 0.1),
            Err(CoreError::InvalidBounds { .. })
        ));
        let mut spec = kitchen_sink();
        spec.consumers[0].endowments.push(cge_core::EndowmentSpec {
            commodity: "K".into(),
            quantity: 1.0,
            scale: None,
        });
        let mut k2 = spec.build().unwrap();
        let e = k2.set_endowment("HH", "K", 2.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "consumer `HH` endowment `K`: matches 2 items; make the spec unambiguous"
        );
        assert_eq!(
            k.results_at(&[1.0]).unwrap_err().to_string(),
            "point has length 1, model `kitchen sink` has 13 unknowns"
        );
        let mut x = k.benchmark_point();
        x[k.price_index(5)] = -1.0;
        assert_eq!(
            k.results_at(&x).unwrap_err().to_string(),
            "evaluation failed: relative price -1 of `LIC` in the inputs of sector `SA` is not positive, but its nest has a non-zero elasticity (index 7)"
        );
        let bad = Options {
            tolerance: -1.0,
            ..Options::default()
        };
        let e = k.solve(&bad).unwrap_err();
        assert!(matches!(e, CoreError::Solve(_)));
        assert_eq!(
            e.to_string(),
            "option `tolerance` = -1 is invalid: must be finite and > 0"
        );
    }
}

mod files {
    use super::*;

    #[test]
    fn json_and_toml_round_trip() {
        let spec = kitchen_sink();
        let json = spec.to_json();
        assert_eq!(ModelSpec::from_json_str(&json).unwrap(), spec);
        let toml = spec.to_toml().unwrap();
        assert_eq!(ModelSpec::from_toml_str(&toml).unwrap(), spec);
        // Both build to the same model.
        let a = ModelSpec::from_toml_str(&toml).unwrap().build().unwrap();
        assert_eq!(
            a.jacobian_pattern(),
            spec.build().unwrap().jacobian_pattern()
        );
    }

    /// A model file that parses but names an unknown commodity: the error says which file, line
    /// and column hold the item, and keeps the validation error with its suggestions.
    #[test]
    fn invalid_models_in_files_are_located() {
        let dir = std::env::temp_dir().join(format!("cge-core-locate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let toml = markusen_m31().to_toml().unwrap();
        // The first input flow of a sector now names a commodity the model lacks.
        let at = toml.find("commodity = \"PL\"").unwrap();
        let broken = format!("{}commodity = \"PLL\"{}", &toml[..at], &toml[at + 16..]);
        let path = dir.join("broken.toml");
        std::fs::write(&path, &broken).unwrap();
        let e = ModelSpec::from_path(&path).unwrap_err();
        let line = broken[..at].matches('\n').count() + 1;
        let CoreError::InFile {
            line: found,
            source,
            ..
        } = &e
        else {
            panic!("{e}")
        };
        assert_eq!(*found, line, "{e}");
        assert!(matches!(**source, CoreError::UnknownName { .. }), "{e}");
        assert!(
            e.to_string()
                .starts_with(&format!("{}:{line}:", path.display())),
            "{e}"
        );
        assert!(e.to_string().contains("did you mean `PL`"), "{e}");
    }

    #[test]
    fn files_by_extension() {
        let dir = std::env::temp_dir().join(format!("cge-core-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let spec = markusen_m31();
        let path = dir.join("m31.toml");
        std::fs::write(&path, spec.to_toml().unwrap()).unwrap();
        assert_eq!(ModelSpec::from_path(&path).unwrap(), spec);
        let path = dir.join("m31.json");
        std::fs::write(&path, spec.to_json()).unwrap();
        assert_eq!(ModelSpec::from_path(&path).unwrap(), spec);
        let yaml = dir.join("m31.yaml");
        let e = ModelSpec::from_path(&yaml).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "cannot tell the format of `{}`: expected a `.json` or `.toml` extension",
                yaml.display()
            )
        );
        let missing = dir.join("missing.json");
        let e = ModelSpec::from_path(&missing).unwrap_err();
        assert!(matches!(e, CoreError::Io { .. }), "{e}");
        assert!(
            e.to_string()
                .starts_with(&format!("cannot read or write `{}`: ", missing.display())),
            "{e}"
        );
        let bad = dir.join("bad.json");
        std::fs::write(&bad, "{\n  \"name\": \"m\",\n  \"commodities\": [],\n  \"consumers\": [],\n  \"sectorz\": []\n}").unwrap();
        let e = ModelSpec::from_path(&bad).unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("{}:5:11: unknown field `sectorz`", bad.display())),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn parse_errors_give_line_and_column() {
        let toml = r#"
name = "m"
consumers = []

[[commodities]]
name = "A"
reference_prize = 1.0
"#;
        let e = ModelSpec::from_toml_str(toml).unwrap_err();
        let CoreError::Parse {
            line,
            column,
            ref message,
            ..
        } = e
        else {
            panic!("{e}")
        };
        assert_eq!((line, column), (7, 1), "{message}");
        assert!(message.contains("reference_prize"), "{message}");
        let e = ModelSpec::from_json_str("{\"name\": \"m\", \"commodities\": [{\"name\": 3}]}")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "<json>:1:40: invalid type: integer `3`, expected a string"
        );
    }

    #[test]
    fn toml_model_file_reads() {
        let text = r#"
name = "tiny"
commodities = [{ name = "X" }, { name = "L" }]

[[sectors]]
name = "X"
outputs = { items = [{ commodity = "X", quantity = 10 }] }
inputs = { elasticity = 1, children = [{ commodity = "L", quantity = 10 }] }

[[consumers]]
name = "HH"
endowments = [{ commodity = "L", quantity = 10 }]
demand = { children = [{ commodity = "X", quantity = 10 }] }

[[auxiliaries]]
name = "z"
lower = "-inf"
constraint = { terms = [{ var = { price = "X" }, coef = 1 }], constant = -1 }
"#;
        let spec = ModelSpec::from_toml_str(text).unwrap();
        let model = spec.build().unwrap();
        model.check_benchmark().unwrap();
        assert_eq!(model.dim(), 5);
    }
}

mod solving {
    use super::*;

    fn solve(model: &mut Model) -> cge_core::Results {
        model
            .solve(&Options::default())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn zero_shock_returns_the_benchmark() {
        for spec in [kitchen_sink(), markusen_m31(), markusen_m36()] {
            let mut model = spec.build().unwrap();
            let r = solve(&mut model);
            let x = model.last_solution().unwrap().to_vec();
            for (a, b) in x.iter().zip(model.benchmark_point()) {
                assert!(
                    (a - b).abs() < SAME_EQUILIBRIUM * b.abs().max(1.0),
                    "{}: {x:?}",
                    model.name()
                );
            }
            assert!(r.walras_residual.abs() < WALRAS_RELATIVE * model.scale());
        }
    }

    #[test]
    fn homogeneity_of_degree_zero() {
        let mut model = kitchen_sink().build().unwrap();
        model.set_input_tax("SA", "B", 0.3).unwrap();
        model.set_endowment("HH", "K", 60.0).unwrap();
        let base = solve(&mut model);
        model.set_numeraire_value(160.0).unwrap();
        model.reset_start();
        let doubled = solve(&mut model);
        for (name, p) in &base.prices {
            assert_close(doubled.prices[name], 2.0 * p, SAME_EQUILIBRIUM, name);
        }
        for (name, m) in &base.incomes {
            assert_close(doubled.incomes[name], 2.0 * m, SAME_EQUILIBRIUM, name);
        }
        for (name, y) in &base.activities {
            assert_close(doubled.activities[name], *y, SAME_EQUILIBRIUM, name);
        }
        for (name, z) in &base.auxiliaries {
            assert!(
                (doubled.auxiliaries[name] - z).abs() < SAME_EQUILIBRIUM,
                "{name}"
            );
        }
        for (name, w) in &base.welfare {
            assert_close(
                doubled.welfare[name].utility,
                w.utility,
                SAME_EQUILIBRIUM,
                name,
            );
        }
    }

    #[test]
    fn walras_residual_is_round_off_after_a_shock() {
        let mut model = kitchen_sink().build().unwrap();
        model.set_demand_tax("HH", "A", 0.2).unwrap();
        model.set_transfer("HH", "GOV", "A", 5.0).unwrap();
        model.set_income_share("HH", "MIG", 0.3).unwrap();
        model.set_auxiliary_bounds("TAU", -0.5, 0.15).unwrap();
        let r = solve(&mut model);
        assert!(
            r.walras_residual.abs() < WALRAS_RELATIVE * model.scale(),
            "{}",
            r.walras_residual
        );
        assert_eq!(r.numeraire.name, "HH");
    }

    /// Markusen M31, first counterfactual (uniform 25 % tax on both factors in X). Reference:
    /// the PATH solution printed in julia-mpsge/MPSGE.jl,
    /// examples/Markusen_Examples/Chapter_03/M31.ipynb (6 significant digits).
    #[test]
    fn markusen_m31_uniform_factor_tax() {
        let mut model = markusen_m31().build().unwrap();
        model.set_input_tax("X", "PL", 0.25).unwrap();
        model.set_input_tax("X", "PK", 0.25).unwrap();
        let r = solve(&mut model);
        let expect = [("X", 1.07779), ("Y", 0.967806), ("W", 1.02132)];
        for (n, v) in expect {
            assert_close(r.activities[n], v, SIX_SIGNIFICANT_DIGITS, n);
        }
        let expect = [
            ("PL", 1.17452),
            ("PK", 0.898759),
            ("PY", 1.05529),
            ("PX", 0.947605),
            ("PW", 1.0),
        ];
        for (n, v) in expect {
            assert_close(r.prices[n], v, SIX_SIGNIFICANT_DIGITS, n);
        }
        assert_close(r.incomes["CONS"], 204.263, SIX_SIGNIFICANT_DIGITS, "CONS");
        // Markusen's second counterfactual: a 20 % tax on the output of X instead of 25 % on
        // all its inputs gives the same equilibrium.
        model.set_input_tax("X", "PL", 0.0).unwrap();
        model.set_input_tax("X", "PK", 0.0).unwrap();
        model.set_output_tax("X", "PX", 0.2).unwrap();
        let r2 = solve(&mut model);
        for (n, y) in &r.activities {
            assert_close(r2.activities[n], *y, SAME_EQUILIBRIUM, n);
        }
        for (n, p) in &r.prices {
            assert_close(r2.prices[n], *p, SAME_EQUILIBRIUM, n);
        }
    }

    /// Markusen M36 counterfactual: replacing the labour tax by a uniform 25 % factor tax
    /// raises the wage above the floor; unemployment ends at its bound 0 (a corner). Reference:
    /// julia-mpsge/MPSGE.jl, examples/Markusen_Examples/Chapter_03/M36.ipynb (PATH, 6 digits).
    #[test]
    fn markusen_m36_wage_floor_corner() {
        let mut model = markusen_m36().build().unwrap();
        model.set_input_tax("X", "PL", 0.25).unwrap();
        model.set_input_tax("X", "PK", 0.25).unwrap();
        let r = solve(&mut model);
        assert!(
            r.auxiliaries["U"].abs() < SAME_EQUILIBRIUM,
            "U = {}",
            r.auxiliaries["U"]
        );
        for (n, v) in [("X", 1.17841), ("Y", 1.10646), ("W", 1.14187)] {
            assert_close(r.activities[n], v, SIX_SIGNIFICANT_DIGITS, n);
        }
        for (n, v) in [
            ("PL", 1.05052),
            ("PK", 1.00484),
            ("PY", 1.032),
            ("PX", 0.968988),
        ] {
            assert_close(r.prices[n], v, SIX_SIGNIFICANT_DIGITS, n);
        }
        assert_close(r.incomes["CONS"], 228.374, SIX_SIGNIFICANT_DIGITS, "CONS");
        assert_close(
            r.welfare["CONS"].utility,
            1.14187,
            SIX_SIGNIFICANT_DIGITS,
            "utility",
        );
    }

    /// GAMS/MPSGE reference values with full digits (julia-mpsge/MPSGE.jl,
    /// test/test_twobytwo_wTaxes.jl): labour endowment +10 %, numeraire PX, then PL with a
    /// 10 % output tax on X.
    #[test]
    fn two_by_two_output_tax_matches_gams() {
        let mut spec = two_by_two_output_tax();
        spec.consumers[0].endowments[0].quantity = 77.0;
        spec = spec.numeraire_price("PX", 1.0);
        let mut model = spec.build().unwrap();
        let r = solve(&mut model);
        assert_close(r.activities["X"], 1.0488088481702906, SAME_EQUILIBRIUM, "X");
        assert_close(r.activities["Y"], 1.038860118253863, SAME_EQUILIBRIUM, "Y");
        assert_close(r.activities["U"], 1.0454820635787618, SAME_EQUILIBRIUM, "U");
        assert_close(r.incomes["RA"], 157.32132722551978, SAME_EQUILIBRIUM, "RA");
        assert_close(r.prices["PL"], 0.953462589245595, SAME_EQUILIBRIUM, "PL");
        assert_close(r.prices["PU"], 1.0031820580257127, SAME_EQUILIBRIUM, "PU");

        let mut spec = two_by_two_output_tax();
        spec.consumers[0].endowments[0].quantity = 77.0;
        let mut model = spec.numeraire_price("PL", 1.0).build().unwrap();
        model.set_output_tax("X", "PX", 0.1).unwrap();
        let r = solve(&mut model);
        let expect_y = [
            ("X", 1.0116855688658395),
            ("Y", 1.1123672179049628),
            ("U", 1.0441905629409307),
        ];
        for (n, v) in expect_y {
            assert_close(r.activities[n], v, SAME_EQUILIBRIUM, n);
        }
        assert_close(r.incomes["RA"], 177.69230689285564, SAME_EQUILIBRIUM, "RA");
        let expect_p = [
            ("PX", 1.170932369505204),
            ("PY", 1.064949920418856),
            ("PU", 1.1344819828665367),
            ("PK", 1.1105769136174084),
        ];
        for (n, v) in expect_p {
            assert_close(r.prices[n], v, SAME_EQUILIBRIUM, n);
        }
        // Labour demand per unit of X (GAMS's DXL).
        let dxl = r.flows[0].inputs[0].quantity / r.activities["X"];
        assert_close(dxl, 52.69195654028726, SAME_EQUILIBRIUM, "DXL");
    }

    #[test]
    fn inactive_sector_reports_positive_margin() {
        // A third technology for X that is dominated once its input is taxed heavily.
        let spec = markusen_m31().sector(
            SectorSpec::new("X2")
                .output("PX", 10.0)
                .input_flow(Flow::new("PK", 10.0).tax(0.0, "CONS")),
        );
        let mut spec = spec;
        spec.consumers[0].endowments[1].quantity = 110.0;
        spec.sectors[2].inputs = NestSpec::new(1.0).input("PX", 110.0).input("PY", 100.0);
        spec.sectors[2].outputs.items[0].quantity = 210.0;
        spec.consumers[0].demand.children[0] = cge_core::NestChild::Flow(Flow::new("PW", 210.0));
        let mut model = spec.build().unwrap();
        model.check_benchmark().unwrap();
        model.set_input_tax("X2", "PK", 0.5).unwrap();
        let r = solve(&mut model);
        assert!(
            r.activities["X2"].abs() < SAME_EQUILIBRIUM,
            "{:?}",
            r.activities
        );
        assert!(r.profit_margins["X2"] > 0.1, "{:?}", r.profit_margins);
    }
}
