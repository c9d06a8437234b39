//! Tests of the HOS families: benchmark replication, Jacobians against finite differences,
//! Walras' law after shocks, the HOS theorems against closed forms computed here
//! independently, published GAMS/MPSGE solutions (Markusen's M49 and M41) and bad parameters.

use super::{assert_close, check_jacobian};
use cge_core::families::hos::{
    factor_price, good_price, GoodsKind, MultiRegion, SmallOpenEconomy, TwoByTwoByTwo,
};
use cge_core::tolerances::{SAME_EQUILIBRIUM, SIX_SIGNIFICANT_DIGITS, WALRAS_RELATIVE};
use cge_core::{ConsumerSpec, CoreError, Flow, Model, ModelSpec, Results, SectorSpec};
use cge_solver::{Options, Problem};

/// A factor-price gap counts as a failure of factor price equalization when it exceeds this;
/// the shocks below (20 % tariff, 10 % trade cost) move relative factor prices by several
/// percent, a million times the solver's accuracy.
const FPE_BROKEN: f64 = 1e-3;

/// Labour-intensive X (cost shares 0.75 / 0.25), capital-intensive Y; H labour-abundant.
/// Integrated benchmark (H1): H makes 140 X and 60 Y, F makes 40 X and 160 Y.
fn two_by_two() -> TwoByTwoByTwo {
    TwoByTwoByTwo::new([[120.0, 80.0], [70.0, 130.0]], [[0.75, 0.25], [0.25, 0.75]])
}

/// The same with CES technologies and CES demand.
fn two_by_two_ces() -> TwoByTwoByTwo {
    let mut m = two_by_two();
    m.elasticities = [0.5, 1.5];
    m.demand_elasticity = 2.0;
    m
}

/// Outputs 140 X and 60 Y (H1), consumption 100 each: exports 40 X, imports 40 Y.
fn small_open() -> SmallOpenEconomy {
    SmallOpenEconomy::new([120.0, 80.0], [[0.75, 0.25], [0.25, 0.75]], [0.5, 0.5])
}

fn small_open_ces() -> SmallOpenEconomy {
    let mut m = small_open();
    m.elasticities = [0.5, 1.5];
    m.demand_elasticity = 0.5;
    m
}

fn every_family() -> Vec<(&'static str, Model)> {
    vec![
        ("2x2x2", two_by_two().build().unwrap()),
        ("2x2x2 CES", two_by_two_ces().build().unwrap()),
        ("small open", small_open().build().unwrap()),
        ("small open CES", small_open_ces().build().unwrap()),
        (
            "Armington 3x3x2",
            MultiRegion::synthetic(3, 3, 2, 42)
                .unwrap()
                .build()
                .unwrap(),
        ),
        (
            "homogeneous 3x3x2",
            MultiRegion::synthetic_homogeneous(3, 3, 2, 42)
                .unwrap()
                .build()
                .unwrap(),
        ),
    ]
}

fn solve(model: &mut Model) -> Results {
    model
        .solve(&Options::default())
        .unwrap_or_else(|e| panic!("{}: {e}", model.name()))
}

fn price(r: &Results, item: &str, region: &str) -> f64 {
    r.prices[&format!("P{item}.{region}")]
}

/// Solves the 2×2 system Σ_j a[i][j] x_j = b_i by Cramer's rule.
fn solve2(a: [[f64; 2]; 2], b: [f64; 2]) -> [f64; 2] {
    let det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
    [
        (b[0] * a[1][1] - a[0][1] * b[1]) / det,
        (a[0][0] * b[1] - b[0] * a[1][0]) / det,
    ]
}

mod builds {
    use super::*;

    #[test]
    fn every_family_replicates_its_benchmark() {
        for (name, mut model) in every_family() {
            model
                .check_benchmark()
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            // A zero shock returns the benchmark.
            let r = solve(&mut model);
            for (a, b) in model
                .last_solution()
                .unwrap()
                .iter()
                .zip(model.benchmark_point())
            {
                assert!(
                    (a - b).abs() < SAME_EQUILIBRIUM * b.abs().max(1.0),
                    "{name}: {a} vs {b}"
                );
            }
            assert!(r.walras_residual.abs() < WALRAS_RELATIVE * model.scale());
        }
    }

    #[test]
    fn integrated_benchmark_follows_the_cone_algebra() {
        let b = two_by_two().benchmark().unwrap();
        // H1 by hand: 0.75 X + 0.25 Y = L and 0.25 X + 0.75 Y = K.
        assert_eq!(b.output, [[140.0, 60.0], [40.0, 160.0]]);
        // H2: world output shares 180/400 and 220/400 of incomes 200.
        assert_eq!(b.consumption, [[90.0, 110.0], [90.0, 110.0]]);
        assert_eq!(b.net_exports[0], [50.0, -50.0]);
        assert_eq!(b.route_active, [[true, false], [false, true]]);
        let spec = two_by_two().spec().unwrap();
        assert_eq!(spec.sectors.len(), 8);
        assert_eq!(spec.commodities.len(), 8);
        let idle = spec.sectors.iter().find(|s| s.name == "X.F>H").unwrap();
        assert_eq!(idle.benchmark_level, 0.0);
    }

    #[test]
    fn families_are_ordinary_specs_that_round_trip() {
        let params = two_by_two_ces();
        let json = serde_json::to_string(&params).unwrap();
        assert_eq!(
            serde_json::from_str::<TwoByTwoByTwo>(&json).unwrap(),
            params
        );
        let spec = params.spec().unwrap();
        let back = ModelSpec::from_json_str(&spec.to_json()).unwrap();
        assert_eq!(back, spec);
        back.build().unwrap().check_benchmark().unwrap();
        // JSON keeps 17 significant digits; the last bit of a float may differ on reading.
        let m = MultiRegion::synthetic(2, 2, 2, 1).unwrap();
        let back: MultiRegion = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!((&back.regions, back.kind), (&m.regions, m.kind));
        let flat = |m: &MultiRegion| -> Vec<f64> {
            m.factor_payments
                .iter()
                .chain(&m.trade)
                .flatten()
                .flatten()
                .copied()
                .collect()
        };
        for (a, b) in flat(&back).iter().zip(flat(&m)) {
            assert_close(*a, b, 1e-15, "round-tripped value");
        }
        back.build().unwrap().check_benchmark().unwrap();
        let soe = small_open();
        let toml = toml::to_string(&soe).unwrap();
        assert_eq!(toml::from_str::<SmallOpenEconomy>(&toml).unwrap(), soe);
    }

    #[test]
    fn synthetic_data_are_seeded_and_balanced() {
        let a = MultiRegion::synthetic(4, 5, 3, 9).unwrap();
        assert_eq!(a, MultiRegion::synthetic(4, 5, 3, 9).unwrap());
        assert_ne!(a, MultiRegion::synthetic(4, 5, 3, 10).unwrap());
        a.validate().unwrap();
        let h = MultiRegion::synthetic_homogeneous(4, 5, 3, 9).unwrap();
        assert_eq!(h.kind, GoodsKind::Homogeneous);
        h.validate().unwrap();
        // North-west corner: at most (exporters + importers − 1) foreign routes per good.
        for g in 0..5 {
            let foreign = (0..4)
                .flat_map(|r| (0..4).map(move |s| (r, s)))
                .filter(|&(r, s)| r != s && h.trade[g][r][s] > 0.0)
                .count();
            assert!(foreign <= 3, "good {g}: {foreign} routes");
        }
    }
}

mod jacobians {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    /// Every family with shocks that make every kind of entry non-zero: tariffs, trade costs.
    fn shocked() -> Vec<(&'static str, Model)> {
        let mut out = every_family();
        let f = two_by_two();
        f.set_tariff(&mut out[0].1, "F", "X", 0.1).unwrap();
        f.set_trade_cost(&mut out[0].1, "F", "X", 0.05).unwrap();
        let soe = small_open();
        soe.set_tariff(&mut out[2].1, "Y", 0.2).unwrap();
        soe.set_world_price(&mut out[2].1, "X", 1.1).unwrap();
        let a = MultiRegion::synthetic(3, 3, 2, 42).unwrap();
        a.set_tariff(&mut out[4].1, "g1", "r1", "r2", 0.15).unwrap();
        a.set_trade_cost(&mut out[4].1, "g2", "r3", "r1", 0.1)
            .unwrap();
        let h = MultiRegion::synthetic_homogeneous(3, 3, 2, 42).unwrap();
        h.set_tariff(&mut out[5].1, "g1", "r2", "r1", 0.15).unwrap();
        h.set_trade_cost(&mut out[5].1, "g2", "r1", "r3", 0.1)
            .unwrap();
        out
    }

    #[test]
    fn at_the_benchmark() {
        for (name, model) in every_family().into_iter().chain(shocked()) {
            check_jacobian(&model, &model.benchmark_point())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn shocks_keep_the_pattern() {
        for ((name, a), (_, b)) in every_family().into_iter().zip(shocked()) {
            assert_eq!(a.jacobian_pattern(), b.jacobian_pattern(), "{name}");
        }
    }

    proptest! {
        #![proptest_config(Config { cases: 12, rng_seed: RngSeed::Fixed(20_250_301), ..Config::default() })]

        #[test]
        fn at_perturbed_points(factors in proptest::collection::vec(0.7..1.3f64, 64)) {
            for (name, model) in shocked() {
                let mut x = model.benchmark_point();
                for (i, xi) in x.iter_mut().enumerate() {
                    *xi = xi.max(0.3) * factors[i % factors.len()];
                }
                let check = check_jacobian(&model, &x);
                prop_assert!(check.is_ok(), "{}: {:?}", name, check);
            }
        }
    }
}

mod shocks {
    use super::*;

    #[test]
    fn walras_residual_is_round_off_after_shocks() {
        let mut models = every_family();
        let f = two_by_two_ces();
        f.set_tariff(&mut models[1].1, "H", "Y", 0.3).unwrap();
        f.set_trade_cost(&mut models[1].1, "H", "X", 0.1).unwrap();
        f.set_endowment(&mut models[1].1, "F", "L", 90.0).unwrap();
        let soe = small_open_ces();
        soe.set_tariff(&mut models[3].1, "Y", 0.25).unwrap();
        soe.set_endowment(&mut models[3].1, "K", 90.0).unwrap();
        let a = MultiRegion::synthetic(3, 3, 2, 42).unwrap();
        a.set_tariff(&mut models[4].1, "g1", "r1", "r2", 0.5)
            .unwrap();
        a.set_trade_cost(&mut models[4].1, "g3", "r2", "r3", 0.3)
            .unwrap();
        a.set_endowment(&mut models[4].1, "r1", "f1", 1.0).unwrap();
        let h = MultiRegion::synthetic_homogeneous(3, 3, 2, 42).unwrap();
        h.set_tariff(&mut models[5].1, "g2", "r1", "r3", 0.3)
            .unwrap();
        h.set_endowment(&mut models[5].1, "r2", "f2", 5.0).unwrap();
        for (name, mut model) in models {
            let r = solve(&mut model);
            assert!(
                r.walras_residual.abs() < WALRAS_RELATIVE * model.scale(),
                "{name}: {}",
                r.walras_residual
            );
            assert!(
                r.activities.values().all(|y| *y >= 0.0),
                "{name}: {:?}",
                r.activities
            );
        }
    }

    /// In a CES nest the exact iceberg multiplies the variety's price by 1 + τ and its
    /// quantity by 1 + τ, leaving the value shares alone (H6, E21). Checked on the residual at
    /// the benchmark point against the calibrated CES unit cost written out here.
    #[test]
    fn armington_trade_cost_is_the_exact_iceberg() {
        let data = MultiRegion::synthetic(3, 2, 2, 5).unwrap();
        let mut model = data.build().unwrap();
        let tau = 0.25;
        data.set_trade_cost(&mut model, "g1", "r2", "r1", tau)
            .unwrap();
        let x = model.benchmark_point();
        let mut f = vec![0.0; model.dim()];
        // The numeraire (income of the largest region) replaces an income row only.
        model.residual(&x, &mut f).unwrap();
        let sigma = data.armington_elasticities[0];
        let v: Vec<f64> = (0..3).map(|r| data.trade[0][r][0]).collect();
        let total: f64 = v.iter().sum();
        let theta = v[1] / total;
        let index =
            ((1.0 - theta) + theta * (1.0 + tau).powf(1.0 - sigma)).powf(1.0 / (1.0 - sigma));
        let a = model
            .sector_names()
            .iter()
            .position(|s| s == "Ag1.r1")
            .unwrap();
        assert_close(
            f[a],
            total * (index - 1.0),
            1e-12,
            "Armington unit cost − revenue",
        );
        // Shipments from r2: (1 + τ) per unit delivered, delivered v (π / (1 + τ))^σ.
        let p = model
            .commodity_names()
            .iter()
            .position(|c| c == "Pg1.r2")
            .unwrap();
        let shipped = (1.0 + tau) * v[1] * (index / (1.0 + tau)).powf(sigma);
        assert_close(
            f[model.price_index(p)],
            v[1] - shipped,
            1e-12,
            "market clearance of Pg1.r2",
        );
    }
}

mod theory {
    use super::*;

    /// Stolper–Samuelson with Cobb–Douglas technology: a 10 % rise in the world price of the
    /// labour-intensive export good X. With p_Y fixed (PFX is the numeraire) the zero-profit
    /// conditions ln p_g = Σ_f θ_gf ln w_f give the exact factor prices; magnification
    /// ŵ > p̂_X > p̂_Y > r̂ (Jones 1965).
    #[test]
    fn stolper_samuelson_exact_with_cobb_douglas() {
        let soe = small_open();
        let mut model = soe.build().unwrap();
        soe.set_world_price(&mut model, "X", 1.1).unwrap();
        let r = solve(&mut model);
        let (px, py) = (r.prices["PX"], r.prices["PY"]);
        assert_close(px, 1.1, SAME_EQUILIBRIUM, "PX");
        assert_close(py, 1.0, SAME_EQUILIBRIUM, "PY");
        let ln_w = solve2([[0.75, 0.25], [0.25, 0.75]], [1.1_f64.ln(), 0.0]);
        assert_close(r.prices["PL"], ln_w[0].exp(), SAME_EQUILIBRIUM, "PL");
        assert_close(r.prices["PK"], ln_w[1].exp(), SAME_EQUILIBRIUM, "PK");
        let hat = |v: f64| v.ln();
        assert!(
            hat(r.prices["PL"]) > hat(px) && hat(px) > hat(py) && hat(py) > hat(r.prices["PK"])
        );
    }

    /// Magnification with CES technologies (σ_X = 0.5, σ_Y = 1.5) and a tariff on the import
    /// good Y, which raises its domestic price: r̂ > p̂_Y > p̂_X > ŵ.
    #[test]
    fn stolper_samuelson_magnification_with_ces() {
        let soe = small_open_ces();
        let mut model = soe.build().unwrap();
        soe.set_tariff(&mut model, "Y", 0.1).unwrap();
        let r = solve(&mut model);
        let (w, k, px, py) = (
            r.prices["PL"],
            r.prices["PK"],
            r.prices["PX"],
            r.prices["PY"],
        );
        assert_close(py, 1.1, SAME_EQUILIBRIUM, "PY");
        assert!(
            k.ln() > py.ln() && py.ln() > px.ln() && px.ln() > w.ln(),
            "{w} {k} {px} {py}"
        );
        // Real returns: capital gains in terms of both goods, labour loses.
        assert!(k / py > 1.0 && k / px > 1.0 && w / px < 1.0 && w / py < 1.0);
    }

    /// The same theorem inside the 2×2×2 model: H's tariff on Y raises H's domestic relative
    /// price of Y; H's factor prices follow exactly from the log-linear zero-profit conditions
    /// at H's solved goods prices.
    #[test]
    fn stolper_samuelson_in_two_countries() {
        let m = two_by_two();
        let mut model = m.build().unwrap();
        m.set_tariff(&mut model, "H", "Y", 0.2).unwrap();
        let r = solve(&mut model);
        let (px, py) = (price(&r, "X", "H"), price(&r, "Y", "H"));
        let ln_w = solve2([[0.75, 0.25], [0.25, 0.75]], [px.ln(), py.ln()]);
        assert_close(price(&r, "L", "H"), ln_w[0].exp(), SAME_EQUILIBRIUM, "PL.H");
        assert_close(price(&r, "K", "H"), ln_w[1].exp(), SAME_EQUILIBRIUM, "PK.H");
        let (w, k) = (price(&r, "L", "H"), price(&r, "K", "H"));
        assert!(k.ln() > py.ln() && py.ln() > px.ln() && px.ln() > w.ln());
    }

    /// Rybczynski: 10 % more labour at fixed goods prices. Factor prices do not move, so the
    /// unit input requirements stay at their benchmark values and the activity levels solve
    /// the fixed-coefficient full-employment system; X (labour-intensive) expands by more than
    /// 10 %, Y contracts. CES technologies, so that fixed coefficients are a result, not an
    /// assumption.
    #[test]
    fn rybczynski_at_fixed_goods_prices() {
        let soe = small_open_ces();
        let mut model = soe.build().unwrap();
        soe.set_endowment(&mut model, "L", 132.0).unwrap();
        let r = solve(&mut model);
        // Benchmark outputs 140 X and 60 Y; per unit of activity X uses 105 L and 35 K, Y 15 L
        // and 45 K.
        let y = solve2([[105.0, 15.0], [35.0, 45.0]], [132.0, 80.0]);
        assert_close(r.activities["X"], y[0], SAME_EQUILIBRIUM, "X");
        assert_close(r.activities["Y"], y[1], SAME_EQUILIBRIUM, "Y");
        assert!(y[0] > 1.1 && y[1] < 1.0);
        for p in ["PL", "PK", "PX", "PY"] {
            assert_close(r.prices[p], 1.0, SAME_EQUILIBRIUM, p);
        }
    }

    /// Factor-price insensitivity: whatever the endowments inside the cone (immigration,
    /// capital inflows), goods prices pin down factor prices in the diversified small open
    /// economy.
    #[test]
    fn factor_price_insensitivity() {
        let soe = small_open_ces();
        for (l, k) in [(100.0, 80.0), (120.0, 100.0), (150.0, 110.0), (110.0, 60.0)] {
            let mut model = soe.build().unwrap();
            soe.set_endowment(&mut model, "L", l).unwrap();
            soe.set_endowment(&mut model, "K", k).unwrap();
            let r = solve(&mut model);
            assert!(r.activities["X"] > 0.0 && r.activities["Y"] > 0.0);
            for p in ["PL", "PK"] {
                assert_close(
                    r.prices[p],
                    1.0,
                    SAME_EQUILIBRIUM,
                    &format!("{p} at {l}, {k}"),
                );
            }
        }
    }

    /// Outside the cone: a 50 % rise in the world price of X takes the diversified factor
    /// prices (w = 1.5^1.5, r = 1.5^−0.5) to input ratios L/K = 3r/w = 4/3 in X, below the
    /// endowment ratio 1.5, so the economy specializes in X. With Cobb–Douglas technology X
    /// then employs all factors: its level is Π (E_f / E_Xf)^θ_Xf, factor prices are the
    /// value of marginal products, and Y's margin is its unit cost at those prices minus its
    /// price.
    #[test]
    fn complete_specialization_outside_the_cone() {
        let soe = small_open();
        let mut model = soe.build().unwrap();
        soe.set_world_price(&mut model, "X", 1.5).unwrap();
        let r = solve(&mut model);
        let yx = (120.0_f64 / 105.0).powf(0.75) * (80.0_f64 / 35.0).powf(0.25);
        assert_close(r.activities["X"], yx, SAME_EQUILIBRIUM, "X");
        assert!(
            r.activities["Y"].abs() < SAME_EQUILIBRIUM,
            "{:?}",
            r.activities
        );
        let value = 1.5 * 140.0 * yx;
        let (w, k) = (0.75 * value / 120.0, 0.25 * value / 80.0);
        assert_close(r.prices["PL"], w, SAME_EQUILIBRIUM, "PL");
        assert_close(r.prices["PK"], k, SAME_EQUILIBRIUM, "PK");
        let margin = 60.0 * w.powf(0.25) * k.powf(0.75) - 60.0;
        assert!(margin > 1.0);
        assert_close(
            r.profit_margins["Y"],
            margin,
            SAME_EQUILIBRIUM,
            "margin of Y",
        );
    }

    /// Factor price equalization under free trade (Samuelson 1949): moving endowments inside
    /// the cone leaves the two countries' factor prices equal; a tariff or a trade cost breaks
    /// the equality.
    #[test]
    fn factor_price_equalization_and_its_failure() {
        let m = two_by_two_ces();
        let gap = |r: &Results, f: &str| (price(r, f, "H") / price(r, f, "F") - 1.0).abs();
        let mut model = m.build().unwrap();
        m.set_endowment(&mut model, "H", "L", 110.0).unwrap();
        m.set_endowment(&mut model, "F", "K", 145.0).unwrap();
        let r = solve(&mut model);
        assert!(r.activities.values().filter(|y| **y > 0.0).count() >= 6);
        for f in ["L", "K"] {
            assert!(gap(&r, f) < SAME_EQUILIBRIUM, "{f}: {}", gap(&r, f));
        }
        let mut tariff = m.build().unwrap();
        m.set_tariff(&mut tariff, "F", "X", 0.2).unwrap();
        let r = solve(&mut tariff);
        assert!(gap(&r, "L") > FPE_BROKEN && gap(&r, "K") > FPE_BROKEN);
        let mut cost = m.build().unwrap();
        m.set_trade_cost(&mut cost, "H", "X", 0.1).unwrap();
        let r = solve(&mut cost);
        assert!(gap(&r, "L") > FPE_BROKEN && gap(&r, "K") > FPE_BROKEN);
    }
}

mod published {
    use super::*;

    fn cd(name: &str, out: (&str, f64), inputs: [(&str, f64); 2]) -> SectorSpec {
        SectorSpec::new(name)
            .elasticity(1.0)
            .output(out.0, out.1)
            .input(inputs[0].0, inputs[0].1)
            .input(inputs[1].0, inputs[1].1)
    }

    /// Markusen's M49, the 2×2×2 Heckscher–Ohlin model with tariffs, built with the algebra.
    /// Source: J. R. Markusen, "General-Equilibrium Modeling using GAMS and MPS/GE", model M49
    /// (M49.GMS), as transcribed in julia-mpsge/MPSGE.jl,
    /// examples/Markusen_Examples/Chapter_04/M49.gms. The idle routes ship 50.1 for 50.
    fn markusen_m49() -> ModelSpec {
        ModelSpec::new("M49")
            .commodities([
                "PWH", "PWF", "PXH", "PXF", "PYH", "PYF", "PLH", "PLF", "PKH", "PKF",
            ])
            .sector(cd("WH", ("PWH", 200.0), [("PXH", 100.0), ("PYH", 100.0)]))
            .sector(cd("WF", ("PWF", 200.0), [("PXF", 100.0), ("PYF", 100.0)]))
            .sector(cd("XHH", ("PXH", 150.0), [("PLH", 120.0), ("PKH", 30.0)]))
            .sector(cd("YHH", ("PYH", 50.0), [("PLH", 10.0), ("PKH", 40.0)]))
            .sector(cd("XFF", ("PXF", 50.0), [("PLF", 40.0), ("PKF", 10.0)]))
            .sector(cd("YFF", ("PYF", 150.0), [("PLF", 30.0), ("PKF", 120.0)]))
            .sector(
                SectorSpec::new("XHF")
                    .output("PXF", 50.0)
                    .input_flow(Flow::new("PXH", 50.0).tax(0.0, "CONSF")),
            )
            .sector(
                SectorSpec::new("YHF")
                    .output("PYF", 50.0)
                    .input("PYH", 50.1)
                    .benchmark_level(0.0),
            )
            .sector(
                SectorSpec::new("XFH")
                    .output("PXH", 50.0)
                    .input("PXF", 50.1)
                    .benchmark_level(0.0),
            )
            .sector(
                SectorSpec::new("YFH")
                    .output("PYH", 50.0)
                    .input_flow(Flow::new("PYF", 50.0).tax(0.0, "CONSH")),
            )
            .consumer(
                ConsumerSpec::new("CONSH")
                    .demand("PWH", 200.0)
                    .endowment("PLH", 130.0)
                    .endowment("PKH", 70.0),
            )
            .consumer(
                ConsumerSpec::new("CONSF")
                    .demand("PWF", 200.0)
                    .endowment("PLF", 70.0)
                    .endowment("PKF", 130.0),
            )
    }

    fn compare(r: &Results, expected: &[(&str, f64)]) {
        for &(name, v) in expected {
            let found = r
                .activities
                .get(name)
                .or_else(|| r.prices.get(name))
                .or_else(|| r.incomes.get(name))
                .copied()
                .unwrap_or_else(|| panic!("{name} not in the results"));
            if v == 0.0 {
                assert!(found.abs() < SAME_EQUILIBRIUM, "{name}: {found}");
            } else {
                assert_close(found, v, SIX_SIGNIFICANT_DIGITS, name);
            }
        }
    }

    fn compare_margins(r: &Results, expected: &[(&str, f64)]) {
        for &(name, v) in expected {
            assert_close(r.profit_margins[name], v, SIX_SIGNIFICANT_DIGITS, name);
        }
    }

    /// M49 with a 25 % tariff of H on Y, then also of F on X, numeraire CONSH = 212.5.
    /// Reference: the PATH solutions printed in julia-mpsge/MPSGE.jl,
    /// examples/Chapter_04/M49.ipynb (6 significant digits; margins of idle routes too).
    #[test]
    fn markusen_m49_tariffs() {
        let mut model = markusen_m49().build().unwrap();
        model.check_benchmark().unwrap();
        model.set_numeraire_value(212.5).unwrap();
        model.set_input_tax("YFH", "PYF", 0.25).unwrap();
        let r = solve(&mut model);
        compare(
            &r,
            &[
                ("YHH", 1.18922),
                ("WH", 1.0152),
                ("WF", 0.976255),
                ("XFF", 1.19183),
                ("YFF", 0.932377),
                ("XHH", 0.933349),
                ("PWF", 0.936097),
                ("PXF", 0.990196),
                ("PKF", 0.852421),
                ("PKH", 1.1478),
                ("PXH", 0.990196),
                ("PYF", 0.884954),
                ("PWH", 1.04659),
                ("PYH", 1.10619),
                ("PLF", 1.02799),
                ("PLH", 0.954299),
                ("CONSH", 212.5),
                ("CONSF", 182.774),
                ("XFH", 0.0),
                ("YHF", 0.0),
                ("YFH", 0.731782),
                ("XHF", 0.654006),
            ],
        );
        compare_margins(&r, &[("XFH", 0.0990196), ("YHF", 11.1725)]);
        model.set_input_tax("XHF", "PXH", 0.25).unwrap();
        let r = solve(&mut model);
        compare(
            &r,
            &[
                ("YHH", 1.36717),
                ("WH", 0.983115),
                ("WF", 0.983115),
                ("XFF", 1.36717),
                ("YFF", 0.863264),
                ("XHH", 0.863264),
                ("PWF", 1.08075),
                ("PXF", 1.20831),
                ("PKF", 0.897359),
                ("PKH", 1.30162),
                ("PXH", 0.96665),
                ("PYF", 0.96665),
                ("PWH", 1.08075),
                ("PYH", 1.20831),
                ("PLF", 1.30162),
                ("PLH", 0.897359),
                ("CONSH", 212.5),
                ("CONSF", 212.5),
                ("XFH", 0.0),
                ("YHF", 0.0),
                ("YFH", 0.391478),
                ("XHF", 0.391478),
            ],
        );
        compare_margins(&r, &[("XFH", 12.204), ("YHF", 12.204)]);
    }

    /// Markusen's M41, a small open economy (world prices PE1 = 1, PM1 = 1.01, PE2 = 0.99,
    /// PM2 = 1), built with the algebra. Source: Markusen, M41.GMS, as transcribed in
    /// julia-mpsge/MPSGE.jl, examples/Markusen_Examples/Chapter_04/M41.gms.
    fn markusen_m41() -> ModelSpec {
        ModelSpec::new("M41")
            .commodities(["P1", "P2", "PFX", "PW", "PL", "PK"])
            .sector(cd("X1", ("P1", 150.0), [("PL", 100.0), ("PK", 50.0)]))
            .sector(cd("X2", ("P2", 50.0), [("PL", 20.0), ("PK", 30.0)]))
            .sector(SectorSpec::new("E1").output("PFX", 50.0).input("P1", 50.0))
            .sector(
                SectorSpec::new("M2")
                    .output("P2", 50.0)
                    .input_flow(Flow::new("PFX", 50.0).tax(0.0, "CONS")),
            )
            .sector(
                SectorSpec::new("E2")
                    .output("PFX", 50.0 * 0.99)
                    .input("P2", 50.0)
                    .benchmark_level(0.0),
            )
            .sector(
                SectorSpec::new("M1")
                    .output("P1", 50.0)
                    .input("PFX", 50.0 * 1.01)
                    .benchmark_level(0.0),
            )
            .sector(cd("W", ("PW", 200.0), [("P1", 100.0), ("P2", 100.0)]))
            .consumer(
                ConsumerSpec::new("CONS")
                    .demand("PW", 200.0)
                    .endowment("PL", 120.0)
                    .endowment("PK", 80.0),
            )
            .numeraire_price("PW", 1.0)
    }

    /// M41's counterfactuals: a 5 % tariff on imports of good 2; then free trade with the
    /// world price of good 1 up 20 % (PE1 = 1.2, PM1 = 1.21), where the economy specializes
    /// completely in good 1: X2 is idle with a margin of 5.08397. Reference: the PATH solutions
    /// printed in julia-mpsge/MPSGE.jl, examples/Chapter_04/M41.ipynb (6 significant digits).
    /// The world price shock is E21 on the trade activities' foreign-exchange flows.
    #[test]
    fn markusen_m41_tariff_and_complete_specialization() {
        let mut model = markusen_m41().build().unwrap();
        model.check_benchmark().unwrap();
        model.set_input_tax("M2", "PFX", 0.05).unwrap();
        let r = solve(&mut model);
        compare(
            &r,
            &[
                ("M2", 0.328178),
                ("W", 0.9959),
                ("X2", 1.61562),
                ("X1", 0.789722),
                ("PL", 0.918161),
                ("PW", 1.0),
                ("P1", 0.9759),
                ("PK", 1.1025),
                ("P2", 1.0247),
                ("CONS", 199.18),
                ("E2", 0.0),
                ("E1", 0.328178),
                ("M1", 0.0),
                ("PFX", 0.9759),
            ],
        );
        compare_margins(&r, &[("E2", 2.9277), ("M1", 0.48795)]);

        model.set_input_tax("M2", "PFX", 0.0).unwrap();
        model.set_output_quantity("E1", "PFX", 50.0 * 1.2).unwrap();
        model.set_input_quantity("M1", "PFX", 50.0 * 1.21).unwrap();
        // Started from the tariff equilibrium, as a user's second shock would be.
        let r = solve(&mut model);
        compare(
            &r,
            &[
                ("M2", 2.37739),
                ("W", 1.08512),
                ("X2", 0.0),
                ("X1", 1.32077),
                ("PL", 1.20569),
                ("PW", 1.0),
                ("P1", 1.09545),
                ("PK", 0.90427),
                ("P2", 0.912871),
                ("CONS", 217.025),
                ("E2", 0.0),
                ("E1", 1.98116),
                ("M1", 0.0),
                ("PFX", 0.912871),
            ],
        );
        compare_margins(&r, &[("X2", 5.08397), ("E2", 0.456435), ("M1", 0.456435)]);
    }
}

mod bad_parameters {
    use super::*;

    #[test]
    fn two_by_two_errors_name_the_item_and_value() {
        let mut m = two_by_two();
        m.endowments[1][0] = -5.0;
        let e = m.spec().unwrap_err();
        assert!(matches!(e, CoreError::InvalidQuantity { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            "endowment of `L` in `F`: quantity -5 must be finite and >= 0"
        );
        let mut m = two_by_two();
        m.cost_shares[0][1] = f64::NAN;
        let e = m.spec().unwrap_err();
        assert!(matches!(e, CoreError::InvalidNumber { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            "cost shares of good `X` [1]: NaN must be in (0, 1)"
        );
        let mut m = two_by_two();
        m.cost_shares[1] = [0.3, 0.6];
        let e = m.spec().unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cost shares of good `Y`: sum: 0.89999")
                && e.to_string().ends_with("must be 1 (shares must sum to 1)"),
            "{e}"
        );
        let mut m = two_by_two();
        m.endowments[0] = [150.0, 30.0];
        let e = m.spec().unwrap_err();
        assert!(matches!(e, CoreError::OutsideCone { .. }), "{e}");
        assert!(
            e.to_string().starts_with(
                "country `H`: endowments [150.0, 30.0] lie outside the cone of diversification: full employment at benchmark factor prices needs an output of `Y` of -3.000000e1"
            ),
            "{e}"
        );
        let mut m = two_by_two();
        m.cost_shares = [[0.5, 0.5], [0.5, 0.5]];
        assert!(matches!(
            m.spec().unwrap_err(),
            CoreError::OutsideCone { .. }
        ));
        let mut m = two_by_two();
        m.goods[1] = "L".into();
        assert!(matches!(
            m.spec().unwrap_err(),
            CoreError::DuplicateName { name, .. } if name == "L"
        ));
        let mut m = two_by_two();
        m.elasticities[0] = -1.0;
        assert!(matches!(
            m.spec().unwrap_err(),
            CoreError::InvalidElasticity { .. }
        ));
        let mut m = two_by_two();
        m.idle_route_cost = 0.0;
        assert_eq!(
            m.spec().unwrap_err().to_string(),
            "idle route cost: 0 must be finite and > 0"
        );
        let e = serde_json::from_str::<TwoByTwoByTwo>(
            r#"{"endowments": [[1, 1], [1, 1]], "cost_shares": [[0.5, 0.5], [0.4, 0.6]], "tarif": 0.1}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown field `tarif`"), "{e}");
    }

    #[test]
    fn shock_errors() {
        let m = two_by_two();
        let mut model = m.build().unwrap();
        let e = m.set_tariff(&mut model, "H", "Y", -1.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "tariff of `H` on `Y`: tax rate -1 is invalid: a tariff (an input tax) must exceed -1"
        );
        let e = m.set_tariff(&mut model, "HH", "Y", 0.1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "2x2x2 tariff: unknown country `HH` (did you mean `H`?)"
        );
        assert!(matches!(
            m.set_trade_cost(&mut model, "H", "Z", 0.1),
            Err(CoreError::UnknownName { kind: "good", .. })
        ));
        assert!(matches!(
            m.set_trade_cost(&mut model, "H", "X", f64::NAN),
            Err(CoreError::InvalidNumber { .. })
        ));
        assert!(matches!(
            m.set_endowment(&mut model, "H", "T", 1.0),
            Err(CoreError::UnknownName { kind: "factor", .. })
        ));
        let soe = small_open();
        let mut model = soe.build().unwrap();
        assert!(matches!(
            soe.set_world_price(&mut model, "X", 0.0),
            Err(CoreError::InvalidNumber { .. })
        ));
        assert!(matches!(
            soe.set_tariff(&mut model, "Y", f64::NAN),
            Err(CoreError::InvalidTax { .. })
        ));
        assert!(matches!(
            soe.set_endowment(&mut model, "L", -1.0),
            Err(CoreError::InvalidQuantity { .. })
        ));
        let data = MultiRegion::synthetic(2, 2, 1, 3).unwrap();
        let mut model = data.build().unwrap();
        assert!(matches!(
            data.set_tariff(&mut model, "g1", "r1", "r1", 0.1),
            Err(CoreError::NotDeclared { .. })
        ));
        assert!(matches!(
            data.set_tariff(&mut model, "g1", "r1", "r9", 0.1),
            Err(CoreError::UnknownName { kind: "region", .. })
        ));
        assert!(matches!(
            model.set_input_quantity("Ag1.r1", "PA", 1.0),
            Err(CoreError::UnknownName { kind: "flow", .. })
        ));
    }

    #[test]
    fn small_open_economy_errors() {
        let mut s = small_open();
        s.demand_shares = [0.5, 0.6];
        assert!(matches!(
            s.spec().unwrap_err(),
            CoreError::InvalidNumber { .. }
        ));
        let mut s = small_open();
        s.trade_margin = 1.0;
        assert_eq!(
            s.spec().unwrap_err().to_string(),
            "trade margin: 1 must be in (0, 1)"
        );
        let mut s = small_open();
        s.endowments = [200.0, 10.0];
        assert!(matches!(
            s.spec().unwrap_err(),
            CoreError::OutsideCone { .. }
        ));
    }

    #[test]
    fn multi_region_errors() {
        let base = MultiRegion::synthetic(2, 2, 2, 7).unwrap();
        let mut m = base.clone();
        m.trade[1].pop();
        assert_eq!(
            m.spec().unwrap_err().to_string(),
            "trade[1]: has length 1, expected 2"
        );
        let mut m = base.clone();
        m.factor_payments[0][1] = vec![1.0];
        assert!(matches!(
            m.spec().unwrap_err(),
            CoreError::WrongSize {
                expected: 2,
                found: 1,
                ..
            }
        ));
        let mut m = base.clone();
        m.armington_elasticities.push(1.0);
        assert!(matches!(m.spec().unwrap_err(), CoreError::WrongSize { .. }));
        let mut m = base.clone();
        m.trade[0][0][1] = f64::NAN;
        assert!(matches!(
            m.spec().unwrap_err(),
            CoreError::InvalidQuantity { .. }
        ));
        let mut m = base.clone();
        m.trade[0][0][1] += 1.0;
        let e = m.spec().unwrap_err();
        let CoreError::Unbalanced { items, .. } = &e else {
            panic!("{e}")
        };
        let names: Vec<(&str, &str)> = items
            .iter()
            .map(|i| (i.condition.as_str(), i.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [("market clearance", "Pg1.r1"), ("income balance", "r2")]
        );
        let mut m = base.clone();
        m.regions[1] = "r1".into();
        assert!(matches!(
            m.spec().unwrap_err(),
            CoreError::DuplicateName { kind: "region", .. }
        ));
        assert!(matches!(
            MultiRegion::synthetic(0, 2, 2, 1),
            Err(CoreError::InvalidNumber { .. })
        ));
        let e = serde_json::from_str::<MultiRegion>(r#"{"name": "m", "regionz": []}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `regionz`"), "{e}");
        let e = serde_json::from_str::<GoodsKind>(r#""ricardian""#).unwrap_err();
        assert!(e.to_string().contains("unknown variant"), "{e}");
    }

    #[test]
    fn names_follow_one_scheme() {
        assert_eq!(good_price("X", "H"), "PX.H");
        assert_eq!(factor_price("L", "F"), "PL.F");
    }
}
