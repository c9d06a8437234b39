//! Tests of the factor-mobility families (`cge_core::families::mobility`,
//! `docs/families-mobility.md`): benchmark replication, Jacobians against finite differences,
//! invariants, the economics as properties, a published GAMS/MPSGE solution with a CET factor
//! allocation (Markusen's M27), and validation errors.

use super::{assert_close, check_jacobian, residual};
use cge_core::families::mobility::{
    productivity_shock, CapitalGood, CapitalMobilityParams, IndustryParams, MigrationGood,
    MigrationParams, Mobility, SectoralMobilityParams, CAPITAL, CAPITAL_IMPORT, EARLIER_MIGRANTS,
    FOREIGN_OWNERS, GROUPS, HOST, HOST_NATIVES, LICENCE, MIGRANT_LABOUR, MIGRATE, NATIVE_LABOUR,
    NEW_MIGRANTS, ORIGIN_LABOUR, ORIGIN_RESIDENTS, POOL_LABOUR, STAY,
};
use cge_core::tolerances::{SAME_EQUILIBRIUM, SIX_SIGNIFICANT_DIGITS, WALRAS_RELATIVE};
use cge_core::{ConsumerSpec, CoreError, Flow, Model, ModelSpec, NestSpec, Results, SectorSpec};
use cge_solver::Options;

fn solve(model: &mut Model) -> Results {
    let r = model
        .solve(&Options::default())
        .unwrap_or_else(|e| panic!("{}: {e}", model.name()));
    assert!(
        r.walras_residual.abs() < WALRAS_RELATIVE * model.scale(),
        "{}: Walras residual {}",
        model.name(),
        r.walras_residual
    );
    r
}

/// The price index of a consumer's demand at a solution, π = M / (M̄ U) (E11).
fn price_index(r: &Results, consumer: &str) -> f64 {
    let w = &r.welfare[consumer];
    r.incomes[consumer] / (w.benchmark_income * w.utility)
}

/// Two industries, mobile labour and capital under `capital` mobility. X is capital
/// intensive; σ differs between the industries so that the CES formulas are exercised.
fn two_sector(capital: Mobility) -> SectoralMobilityParams {
    SectoralMobilityParams::new("two sectors")
        .factor("L", Mobility::Mobile)
        .factor("K", capital)
        .industry(
            IndustryParams::new("X", 0.8)
                .uses("L", 40.0)
                .uses("K", 60.0),
        )
        .industry(
            IndustryParams::new("Y", 1.0)
                .uses("L", 60.0)
                .uses("K", 40.0),
        )
}

/// Three factors under the three regimes, three industries.
fn three_regimes() -> SectoralMobilityParams {
    SectoralMobilityParams::new("three regimes")
        .factor("L", Mobility::Mobile)
        .factor("K", Mobility::Specific)
        .factor("H", Mobility::Transformation { elasticity: 2.0 })
        .industry(
            IndustryParams::new("A", 0.5)
                .uses("L", 30.0)
                .uses("K", 20.0)
                .uses("H", 10.0),
        )
        .industry(
            IndustryParams::new("B", 1.0)
                .uses("L", 20.0)
                .uses("H", 25.0),
        )
        .industry(
            IndustryParams::new("C", 1.5)
                .uses("L", 10.0)
                .uses("K", 15.0)
                .uses("H", 5.0),
        )
}

/// Goods with different factor shares in the two regions: origin productivity 0.25 and a
/// migrant efficiency of 0.8 (a place premium of 3.2, the tariff equivalent 2.2).
fn two_regions() -> MigrationParams {
    MigrationParams::new("two regions")
        .good(
            MigrationGood::new("MANUF", 1.0)
                .host(60.0, 40.0)
                .origin(30.0, 20.0),
        )
        .good(
            MigrationGood::new("AGRI", 0.7)
                .host(20.0, 30.0)
                .origin(25.0, 10.0),
        )
        .origin_productivity(0.25)
        .efficiency(0.8)
        .earlier_migrant_share(0.1)
}

/// Identical cost shares in the two regions (0.6 labour in MANUF, 0.4 in AGRI), different
/// endowment ratios: with origin productivity 1 the technologies are identical and factor
/// prices equalize under free trade.
fn mundell(origin_productivity: f64) -> MigrationParams {
    MigrationParams::new("Mundell")
        .good(
            MigrationGood::new("MANUF", 1.0)
                .host(60.0, 40.0)
                .origin(30.0, 20.0),
        )
        .good(
            MigrationGood::new("AGRI", 1.0)
                .host(20.0, 30.0)
                .origin(40.0, 60.0),
        )
        .origin_productivity(origin_productivity)
        .efficiency(1.0)
        .perfect_substitutes()
}

fn capital_mobility(epsilon: f64) -> CapitalMobilityParams {
    CapitalMobilityParams {
        name: "capital mobility".into(),
        goods: vec![
            CapitalGood::new("MANUF", 1.0, 60.0, 40.0),
            CapitalGood::new("SERV", 0.6, 50.0, 20.0),
        ],
        foreign_share: 0.3,
        capital_abroad: 200.0,
        supply_elasticity: epsilon,
        demand_elasticity: 1.0,
    }
}

/// Markusen's model M27: a 2×2 economy whose household transforms its labour into formal and
/// informal labour supplies through a CET frontier (t: 5); Y uses both in a nest (s: 3); the
/// dummy activities LF and LI carry a tax on formal labour. Source: J. R. Markusen,
/// "General-Equilibrium Modeling using GAMS and MPS/GE", model M27.GMS; as transcribed in
/// julia-mpsge/MPSGE.jl, examples/Markusen_Examples/Chapter_02/M27.gms (data) and M27.ipynb
/// (PATH solution). The data do not fit `SectoralMobilityParams` (the two supplies are
/// labour markets feeding a nest, not sector-specific factors), so it is written with the
/// algebra directly.
fn markusen_m27() -> ModelSpec {
    ModelSpec::new("M27")
        .commodities(["PX", "PY", "PL", "PLSF", "PLSI", "PLF", "PLI", "PK", "PW"])
        .sector(
            SectorSpec::new("X")
                .elasticity(1.0)
                .output("PX", 100.0)
                .input("PLF", 40.0)
                .input("PK", 60.0),
        )
        .sector(
            SectorSpec::new("Y")
                .elasticity(1.0)
                .output("PY", 100.0)
                .input_nest(
                    NestSpec::new(3.0)
                        .named("a")
                        .input("PLF", 10.0)
                        .input("PLI", 50.0),
                )
                .input("PK", 40.0),
        )
        .sector(
            SectorSpec::new("LS")
                .transformation(5.0)
                .output("PLSF", 50.0)
                .output("PLSI", 50.0)
                .input("PL", 100.0),
        )
        .sector(
            SectorSpec::new("LF")
                .output("PLF", 50.0)
                .input_flow(Flow::new("PLSF", 50.0).tax(0.0, "CONS")),
        )
        .sector(
            SectorSpec::new("LI")
                .output("PLI", 50.0)
                .input("PLSI", 50.0),
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
                .endowment("PL", 100.0)
                .endowment("PK", 100.0),
        )
        .numeraire_price("PW", 1.0)
}

/// Every family in several configurations, with a name for messages.
fn all_specs() -> Vec<ModelSpec> {
    let mut specs = vec![
        two_sector(Mobility::Mobile).spec().unwrap(),
        two_sector(Mobility::Specific).spec().unwrap(),
        two_sector(Mobility::Transformation { elasticity: 3.0 })
            .spec()
            .unwrap(),
        three_regimes().spec().unwrap(),
        two_regions().spec().unwrap(),
        two_regions()
            .imperfect_substitutes(2.0)
            .remittance_share(0.25)
            .quota_to(HOST_NATIVES)
            .spec()
            .unwrap(),
        two_regions()
            .imperfect_substitutes(0.5)
            .wedge_control()
            .wedge(2.5, ORIGIN_RESIDENTS)
            .spec()
            .unwrap(),
        mundell(1.0).spec().unwrap(),
        capital_mobility(2.0).spec().unwrap(),
        capital_mobility(0.0).spec().unwrap(),
        markusen_m27(),
    ];
    for (i, s) in specs.iter_mut().enumerate() {
        s.name = format!("{} #{i}", s.name);
    }
    specs
}

mod benchmark {
    use super::*;

    #[test]
    fn every_family_replicates_its_benchmark() {
        for spec in all_specs() {
            let mut model = spec
                .build()
                .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
            model
                .check_benchmark()
                .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
            // Replication is exact up to round-off, except for the idle migration activity
            // whose margin may be positive.
            let f = residual(&model, &model.benchmark_point());
            let round_off = WALRAS_RELATIVE * model.scale();
            for (i, v) in f.iter().enumerate() {
                let idle = model.describe_unknown(i) == format!("activity `{MIGRATE}`");
                assert!(
                    v.abs() < round_off || (idle && *v > 0.0),
                    "{}: {} residual {v}",
                    spec.name,
                    model.describe_unknown(i)
                );
            }
            // A zero shock returns the benchmark.
            let r = solve(&mut model);
            for w in r.welfare.values() {
                assert!((w.utility - 1.0).abs() < SAME_EQUILIBRIUM, "{}", spec.name);
            }
            let x = model.last_solution().unwrap().to_vec();
            for (i, (a, b)) in x.iter().zip(model.benchmark_point()).enumerate() {
                let licence = model.describe_unknown(i) == format!("price `{LICENCE}`");
                assert!(
                    licence || (a - b).abs() < SAME_EQUILIBRIUM * b.abs().max(1.0),
                    "{}: {} = {a}, benchmark {b}",
                    spec.name,
                    model.describe_unknown(i)
                );
            }
        }
    }

    #[test]
    fn migration_benchmark_groups_and_names() {
        let p = two_regions();
        let model = p.spec().unwrap().build().unwrap();
        assert_eq!(model.consumer_names(), GROUPS);
        let incomes = model.benchmark_incomes();
        // Natives: 0.9 · 80 + 70; earlier migrants: 0.1 · 80; new migrants: the pool (10 % of
        // 55 / 0.25 = 220 workers) at the origin wage 0.25; origin residents: the rest.
        assert_close(incomes[0], 142.0, 1e-14, "natives");
        assert_close(incomes[1], 8.0, 1e-14, "earlier");
        assert_close(incomes[2], 5.5, 1e-14, "new");
        assert_close(incomes[3], 85.0 - 5.5, 1e-14, "origin");
        assert_close(p.host_labour_force(), 72.0 + 10.0, 1e-14, "N + E");
        assert_close(
            p.quota_for_labour_force_increase(0.03),
            2.46,
            1e-14,
            "quota",
        );
        assert_close(p.tariff_equivalent(), 2.2, 1e-14, "tariff equivalent");
        // The shock is one line and only changes the licence endowment.
        let mut shocked = model.clone();
        p.raise_host_labour_force(&mut shocked, 0.03).unwrap();
        assert!(shocked.check_benchmark().is_err());
    }
}

mod jacobian {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    /// Each model with its own numeraire and with an income numeraire, so that every equation
    /// is checked (each numeraire hides its own equation).
    fn models() -> Vec<Model> {
        all_specs()
            .into_iter()
            .flat_map(|s| {
                let first = s.consumers[0].name.clone();
                let b = s.clone().numeraire_income(first, 100.0);
                [s.build().unwrap(), b.build().unwrap()]
            })
            .collect()
    }

    #[test]
    fn at_the_benchmark() {
        for model in models() {
            check_jacobian(&model, &model.benchmark_point())
                .unwrap_or_else(|e| panic!("{}: {e}", model.name()));
        }
    }

    #[test]
    fn at_a_solution_with_active_migration() {
        let p = two_regions()
            .imperfect_substitutes(2.0)
            .remittance_share(0.1);
        let mut model = p.spec().unwrap().build().unwrap();
        p.raise_host_labour_force(&mut model, 0.05).unwrap();
        solve(&mut model);
        let x = model.last_solution().unwrap().to_vec();
        assert!(
            x[model
                .sector_names()
                .iter()
                .position(|s| s == MIGRATE)
                .unwrap()]
                > 0.0
        );
        check_jacobian(&model, &x).unwrap();
    }

    proptest! {
        #![proptest_config(Config { cases: 12, rng_seed: RngSeed::Fixed(20_250_301), ..Config::default() })]

        /// Random points around the benchmark; idle activities (level 0) get a positive level.
        #[test]
        fn at_perturbed_points(factors in proptest::collection::vec(0.6..1.5f64, 64)) {
            for model in models() {
                let mut x = model.benchmark_point();
                for (i, xi) in x.iter_mut().enumerate() {
                    let f = factors[i % factors.len()];
                    *xi = if *xi == 0.0 { f - 0.6 } else { *xi * f };
                }
                let check = check_jacobian(&model, &x);
                prop_assert!(check.is_ok(), "{}: {:?}", model.name(), check);
            }
        }
    }
}

mod invariants {
    use super::*;

    #[test]
    fn homogeneity_of_degree_zero_after_a_migration_shock() {
        let p = two_regions()
            .imperfect_substitutes(3.0)
            .remittance_share(0.2);
        let mut model = p.spec().unwrap().build().unwrap();
        p.raise_host_labour_force(&mut model, 0.03).unwrap();
        let base = solve(&mut model);
        model.set_numeraire_value(2.0).unwrap();
        model.reset_start();
        let doubled = solve(&mut model);
        for (n, v) in &base.prices {
            assert_close(doubled.prices[n], 2.0 * v, SAME_EQUILIBRIUM, n);
        }
        for (n, v) in &base.incomes {
            assert_close(doubled.incomes[n], 2.0 * v, SAME_EQUILIBRIUM, n);
        }
        for (n, v) in &base.activities {
            assert!((doubled.activities[n] - v).abs() < SAME_EQUILIBRIUM, "{n}");
        }
        for (n, w) in &base.welfare {
            assert_close(doubled.welfare[n].utility, w.utility, SAME_EQUILIBRIUM, n);
        }
    }

    #[test]
    fn walras_residual_is_round_off_after_shocks() {
        // `solve` asserts the Walras residual; here every family gets a shock.
        let mut m = three_regimes().spec().unwrap().build().unwrap();
        m.set_output_tax("B", "B", -0.2).unwrap();
        m.set_endowment("HH", "K_A", 25.0).unwrap();
        solve(&mut m);

        let p = two_regions().wedge_control().wedge(2.2, HOST_NATIVES);
        let mut m = p.spec().unwrap().build().unwrap();
        p.set_wedge(&mut m, 0.5).unwrap();
        solve(&mut m);

        let mut spec = capital_mobility(1.5).spec().unwrap();
        productivity_shock(&mut spec, &["MANUF", "SERV"], 0.1).unwrap();
        solve(&mut spec.build().unwrap());

        let mut m = markusen_m27().build().unwrap();
        m.set_input_tax("LF", "PLSF", 0.5).unwrap();
        solve(&mut m);
    }
}

mod within_region {
    use super::*;

    /// Ricardo–Viner (Jones 1971): a rise in the producer price of X raises the return of the
    /// capital specific to X more than in proportion, lowers the return of Y's capital, and
    /// moves the mobile wage in between: r̂_X > p̂_X > ŵ > p̂_Y > r̂_Y.
    #[test]
    fn specific_factor_returns_move_apart_and_the_mobile_wage_lies_between() {
        let params = two_sector(Mobility::Specific);
        let mut model = params.spec().unwrap().build().unwrap();
        model.set_output_tax("X", "X", -0.1).unwrap();
        let r = solve(&mut model);
        let rx = r.prices[&params.factor_commodity("K", "X").unwrap()];
        let ry = r.prices[&params.factor_commodity("K", "Y").unwrap()];
        let w = r.prices[&params.factor_commodity("L", "X").unwrap()];
        let px = r.prices["X"] * 1.1;
        let py = r.prices["Y"];
        assert!(
            rx > px && px > w && w > py && py > ry,
            "r_X {rx}, p_X {px}, w {w}, p_Y {py}, r_Y {ry}"
        );
        // Under HOS mobility the same shock moves one rental for the whole economy.
        let params = two_sector(Mobility::Mobile);
        let mut model = params.spec().unwrap().build().unwrap();
        model.set_output_tax("X", "X", -0.1).unwrap();
        let r = solve(&mut model);
        assert_eq!(
            params.factor_commodity("K", "X").unwrap(),
            params.factor_commodity("K", "Y").unwrap()
        );
        assert!(r.prices["K"] > r.prices["L"], "{:?}", r.prices);
    }

    /// As η grows the CET regime approaches perfect mobility: the gap between the sectoral
    /// returns shrinks monotonically toward zero and the returns approach the mobile rental;
    /// η = 0 is exactly the specific-factor model.
    #[test]
    fn transformation_approaches_mobility_as_eta_grows() {
        let shocked = |mobility: Mobility| -> Results {
            let params = two_sector(mobility);
            let mut model = params.spec().unwrap().build().unwrap();
            model.set_output_tax("X", "X", -0.1).unwrap();
            solve(&mut model)
        };
        let mobile = shocked(Mobility::Mobile);
        let r_mobile = mobile.prices["K"] / mobile.prices["L"];
        let specific = shocked(Mobility::Specific);
        let mut last_gap = f64::INFINITY;
        let mut last_distance = f64::INFINITY;
        for eta in [0.0, 1.0, 4.0, 16.0, 64.0, 256.0] {
            let r = shocked(Mobility::Transformation { elasticity: eta });
            let (rx, ry, w) = (r.prices["K_X"], r.prices["K_Y"], r.prices["L"]);
            if eta == 0.0 {
                assert_close(rx, specific.prices["K_X"], SAME_EQUILIBRIUM, "η = 0: r_X");
                assert_close(ry, specific.prices["K_Y"], SAME_EQUILIBRIUM, "η = 0: r_Y");
            }
            let gap = (rx / ry).ln();
            let distance = (rx / w - r_mobile).abs() + (ry / w - r_mobile).abs();
            assert!(gap > 0.0 && gap < last_gap, "η = {eta}: gap {gap}");
            assert!(distance < last_distance, "η = {eta}: distance {distance}");
            last_gap = gap;
            last_distance = distance;
        }
        let spec_gap = (specific.prices["K_X"] / specific.prices["K_Y"]).ln();
        assert!(last_gap < 0.01 * spec_gap, "{last_gap} vs {spec_gap}");
        assert!(last_distance < 1e-3, "{last_distance}");
    }
}

mod migration {
    use super::*;

    fn wage_host(p: &MigrationParams, r: &Results) -> f64 {
        r.prices[p.host_migrant_commodity()]
    }

    /// A binding quota earns a positive licence price; the rent p_LIC·quota is paid to the
    /// named holder; moving the licences from new migrants to natives moves exactly that rent
    /// (deflated by the common price index) between their EVs, and changes nothing else.
    #[test]
    fn binding_quota_pays_its_rent_to_the_named_holder() {
        let solve_with = |holder: &str| {
            let p = two_regions().imperfect_substitutes(2.0).quota_to(holder);
            let mut model = p.spec().unwrap().build().unwrap();
            p.raise_host_labour_force(&mut model, 0.03).unwrap();
            (p.clone(), solve(&mut model))
        };
        let (p, to_natives) = solve_with(HOST_NATIVES);
        let (_, to_migrants) = solve_with(NEW_MIGRANTS);
        let quota = p.quota_for_labour_force_increase(0.03);
        let rent = to_natives.prices[LICENCE];
        assert!(rent > 0.0, "licence price {rent}");
        assert_close(
            to_natives.activities[MIGRATE],
            quota,
            SAME_EQUILIBRIUM,
            "MIGRATE",
        );
        // Zero profit of migration with a binding quota: φ w_M = w_pool + rent.
        assert_close(
            p.efficiency * wage_host(&p, &to_natives),
            to_natives.prices[POOL_LABOUR] + rent,
            SAME_EQUILIBRIUM,
            "F8",
        );
        // The natives' income is their factor income plus the rent.
        let mu = p.earlier_migrant_share;
        let factor_income = (1.0 - mu) * 80.0 * to_natives.prices[NATIVE_LABOUR]
            + 70.0 * to_natives.prices["K_HOST"];
        assert_close(
            to_natives.incomes[HOST_NATIVES],
            factor_income + rent * quota,
            SAME_EQUILIBRIUM,
            "natives' income",
        );
        // Identical homothetic preferences: who holds the licences moves no price.
        for (n, v) in &to_natives.prices {
            assert_close(to_migrants.prices[n], *v, SAME_EQUILIBRIUM, n);
        }
        let pi = price_index(&to_natives, HOST_NATIVES);
        let ev = |r: &Results, g: &str| r.welfare[g].equivalent_variation;
        assert_close(
            ev(&to_natives, HOST_NATIVES) - ev(&to_migrants, HOST_NATIVES),
            rent * quota / pi,
            SAME_EQUILIBRIUM,
            "natives' EV from the rent",
        );
        assert_close(
            ev(&to_migrants, NEW_MIGRANTS) - ev(&to_natives, NEW_MIGRANTS),
            rent * quota / pi,
            SAME_EQUILIBRIUM,
            "new migrants' EV from the rent",
        );
        assert!(ev(&to_migrants, NEW_MIGRANTS) > 0.0);
    }

    /// Removing the barrier step by step: migration rises and, while interior, settles where
    /// φ·w_host = (1 + wedge)·w_origin (F8 with equality); with no wedge the whole pool leaves
    /// (the corner: STAY idle, the pool's price above the origin wage).
    #[test]
    fn lowering_the_wedge_moves_migration_until_the_wedge_condition_holds() {
        let tau = two_regions().tariff_equivalent();
        let p = two_regions()
            .imperfect_substitutes(1.5)
            .wedge_control()
            .wedge(tau, HOST_NATIVES);
        let mut model = p.spec().unwrap().build().unwrap();
        model.check_benchmark().unwrap();
        let mut last = 0.0;
        for wedge in [0.75 * tau, 0.5 * tau, 0.3 * tau] {
            p.set_wedge(&mut model, wedge).unwrap();
            let r = solve(&mut model);
            let m = r.activities[MIGRATE];
            assert!(m > last, "wedge {wedge}: migration {m}");
            assert!(m < p.pool() && r.activities[STAY] > 0.0, "interior: {m}");
            let (w_host, w_origin) = (wage_host(&p, &r), r.prices[ORIGIN_LABOUR]);
            assert_close(
                p.efficiency * w_host,
                (1.0 + wedge) * w_origin,
                SAME_EQUILIBRIUM,
                "φ w_host = (1 + wedge) w_origin",
            );
            assert!(r.profit_margins[MIGRATE].abs() < SAME_EQUILIBRIUM);
            // The wedge revenue goes to its recipient.
            assert!(r.incomes[HOST_NATIVES] > 0.0);
            last = m;
        }
        p.set_wedge(&mut model, 0.0).unwrap();
        let r = solve(&mut model);
        assert_close(
            r.activities[MIGRATE],
            p.pool(),
            SAME_EQUILIBRIUM,
            "all move",
        );
        assert!(r.activities[STAY].abs() < SAME_EQUILIBRIUM);
        assert!(r.prices[POOL_LABOUR] > r.prices[ORIGIN_LABOUR]);
        assert_close(
            p.efficiency * wage_host(&p, &r),
            r.prices[POOL_LABOUR],
            SAME_EQUILIBRIUM,
            "F8 at the corner",
        );
    }

    /// More migration lowers the wage of the labour it substitutes. With migrants imperfect
    /// substitutes for natives (σ_m = 2) the new migrants compete with the earlier ones: the
    /// migrant wage falls with the quota, more than the native wage, and earlier migrants lose
    /// (in % of income) more than natives. With perfect substitutes both earn the native wage.
    #[test]
    fn migration_lowers_the_wage_of_the_labour_it_substitutes() {
        let p = two_regions().imperfect_substitutes(2.0);
        let mut model = p.spec().unwrap().build().unwrap();
        let mut last_w = 1.0;
        for x in [0.01, 0.02, 0.03] {
            p.raise_host_labour_force(&mut model, x).unwrap();
            let r = solve(&mut model);
            let pi = price_index(&r, HOST_NATIVES);
            let (w_m, w_n) = (r.prices[MIGRANT_LABOUR] / pi, r.prices[NATIVE_LABOUR] / pi);
            assert!(w_m < last_w, "x = {x}: real migrant wage {w_m}");
            assert!(w_m < w_n, "x = {x}: {w_m} vs native {w_n}");
            let welfare = p.welfare_by_group(&r).unwrap();
            let pct = |g: &str| welfare.groups[g].equivalent_variation_percent;
            assert!(pct(EARLIER_MIGRANTS) < 0.0, "{welfare:?}");
            assert!(pct(EARLIER_MIGRANTS) < pct(HOST_NATIVES), "{welfare:?}");
            assert!(pct(NEW_MIGRANTS) > 0.0, "{welfare:?}");
            last_w = w_m;
        }
        // Perfect substitutes: one host wage; the real wage still falls with the quota.
        let p = two_regions().perfect_substitutes();
        let mut model = p.spec().unwrap().build().unwrap();
        p.raise_host_labour_force(&mut model, 0.03).unwrap();
        let r = solve(&mut model);
        assert!(!r.prices.contains_key(MIGRANT_LABOUR));
        assert!(r.prices[NATIVE_LABOUR] / price_index(&r, HOST_NATIVES) < 1.0);
    }

    /// The World Bank (2006) experiment in miniature: a 3 % rise of the host labour force
    /// through migration, licences to the migrants, 10 % remittances, σ_m = 5. The signs of the
    /// published decomposition come out: new migrants, natives and origin residents gain,
    /// earlier migrants lose, and the world gains.
    #[test]
    fn world_bank_experiment_has_the_published_signs() {
        let p = two_regions()
            .imperfect_substitutes(5.0)
            .remittance_share(0.1);
        let mut model = p.spec().unwrap().build().unwrap();
        p.raise_host_labour_force(&mut model, 0.03).unwrap();
        let r = solve(&mut model);
        let w = p.welfare_by_group(&r).unwrap();
        let ev = |g: &str| w.groups[g].equivalent_variation;
        assert!(ev(NEW_MIGRANTS) > 0.0, "{w:?}");
        assert!(ev(HOST_NATIVES) > 0.0, "{w:?}");
        assert!(ev(EARLIER_MIGRANTS) < 0.0, "{w:?}");
        assert!(ev(ORIGIN_RESIDENTS) > 0.0, "{w:?}");
        assert!(
            w.world > 0.0 && w.origin_citizens > w.host_residents,
            "{w:?}"
        );
    }

    /// Remittances are an income share (E16): raising the share moves s·M from new migrants
    /// to origin residents, dollar for dollar at unchanged prices (identical preferences, so
    /// no transfer problem), and raises origin residents' EV by exactly the extra remittances
    /// deflated by the price index.
    #[test]
    fn remittances_raise_origin_residents_ev_one_for_one() {
        let p = two_regions()
            .imperfect_substitutes(2.0)
            .remittance_share(0.1);
        let mut model = p.spec().unwrap().build().unwrap();
        p.raise_host_labour_force(&mut model, 0.03).unwrap();
        let low = solve(&mut model);
        p.set_remittance_share(&mut model, 0.3).unwrap();
        let high = solve(&mut model);
        for (n, v) in &low.prices {
            assert_close(high.prices[n], *v, SAME_EQUILIBRIUM, n);
        }
        let remitted = |r: &Results, s: f64| s * r.incomes[NEW_MIGRANTS];
        let extra = remitted(&high, 0.3) - remitted(&low, 0.1);
        assert!(extra > 0.0);
        assert_close(
            high.incomes[ORIGIN_RESIDENTS] - low.incomes[ORIGIN_RESIDENTS],
            extra,
            SAME_EQUILIBRIUM,
            "origin income",
        );
        let pi = price_index(&high, ORIGIN_RESIDENTS);
        let ev = |r: &Results, g: &str| r.welfare[g].equivalent_variation;
        assert_close(
            ev(&high, ORIGIN_RESIDENTS) - ev(&low, ORIGIN_RESIDENTS),
            extra / pi,
            SAME_EQUILIBRIUM,
            "origin EV",
        );
        assert_close(
            ev(&low, NEW_MIGRANTS) - ev(&high, NEW_MIGRANTS),
            extra / pi,
            SAME_EQUILIBRIUM,
            "new migrants' EV",
        );
    }

    /// The groups' EVs add up to the world EV computed independently from aggregate income
    /// and the common price index (F14): Σ_h M_h / π − Σ_h M̄_h.
    #[test]
    fn group_evs_add_up_to_the_world_total() {
        let p = two_regions()
            .imperfect_substitutes(2.0)
            .remittance_share(0.2)
            .wedge(0.3, ORIGIN_RESIDENTS);
        p.validate().unwrap();
        let mut model = p.spec().unwrap().build().unwrap();
        p.raise_host_labour_force(&mut model, 0.03).unwrap();
        let r = solve(&mut model);
        let welfare = p.welfare_by_group(&r).unwrap();
        // The Cobb–Douglas price index with world output shares as weights (F12).
        let world_output = 150.0 + 85.0;
        let pi = (r.prices["MANUF"] / 1.0).powf(150.0 / world_output)
            * r.prices["AGRI"].powf(85.0 / world_output);
        for g in GROUPS {
            assert_close(price_index(&r, g), pi, SAME_EQUILIBRIUM, g);
        }
        let incomes: f64 = GROUPS.iter().map(|g| r.incomes[*g]).sum();
        let benchmark: f64 = model.benchmark_incomes().iter().sum();
        assert_close(
            welfare.world,
            incomes / pi - benchmark,
            SAME_EQUILIBRIUM,
            "world EV",
        );
        assert_close(
            welfare.host_residents + welfare.origin_citizens,
            welfare.world,
            1e-12,
            "host + origin",
        );
        assert_close(
            welfare.world_percent,
            100.0 * welfare.world / benchmark,
            1e-12,
            "world %",
        );
        assert_eq!(welfare.money_unit, "benchmark money");
        // Migration from a low- to a high-productivity region raises world income.
        assert!(welfare.world > 0.0, "{welfare:?}");
    }

    /// Mundell (1957), first half: with identical technologies and free trade, factor prices
    /// are equalized, so migrants gain nothing by moving (φ·w_host = w_origin), and moving
    /// workers from the origin to the host leaves every price unchanged (Rybczynski: only
    /// outputs adjust).
    #[test]
    fn mundell_fpe_migration_leaves_wages_unchanged() {
        let p = mundell(1.0);
        assert_eq!(p.tariff_equivalent(), 0.0);
        let spec = p.spec().unwrap();
        // Five of the seven potential migrants move: their labour is sold in the host instead.
        let mut moved = spec.clone();
        let new = moved
            .consumers
            .iter_mut()
            .find(|c| c.name == NEW_MIGRANTS)
            .unwrap();
        new.endowments[0].quantity -= 5.0;
        *new = new.clone().endowment(NATIVE_LABOUR, 5.0 * p.efficiency);
        let mut model = moved.build().unwrap();
        let r = solve(&mut model);
        for (n, v) in &r.prices {
            assert_close(*v, 1.0, SAME_EQUILIBRIUM, n);
        }
        assert_close(
            p.efficiency * r.prices[NATIVE_LABOUR],
            r.prices[ORIGIN_LABOUR],
            SAME_EQUILIBRIUM,
            "no wage gap",
        );
        assert!(r.activities["MANUF_HOST"] > 1.01 && r.activities["AGRI_HOST"] < 0.99);
        assert!(r.activities["MANUF_ORIGIN"] < 0.99 && r.activities["AGRI_ORIGIN"] > 1.0);
    }

    /// Mundell (1957), second half: with a technology gap (origin productivity 0.5) free trade
    /// does not close the wage gap; remove the wedge and the gap drives migration — here until
    /// every potential migrant has left, since with both regions diversified goods prices pin
    /// factor prices (w_origin / w_host stays A).
    #[test]
    fn mundell_technology_gap_persists_and_drives_migration() {
        let p = mundell(0.5).wedge_control().wedge(1.0, HOST_NATIVES);
        let mut model = p.spec().unwrap().build().unwrap();
        model.check_benchmark().unwrap();
        let r0 = solve(&mut model);
        assert_close(
            r0.prices[ORIGIN_LABOUR] / r0.prices[NATIVE_LABOUR],
            0.5,
            SAME_EQUILIBRIUM,
            "benchmark gap",
        );
        p.set_wedge(&mut model, 0.0).unwrap();
        let r = solve(&mut model);
        assert_close(
            r.activities[MIGRATE],
            p.pool(),
            SAME_EQUILIBRIUM,
            "migration",
        );
        assert_close(
            r.prices[ORIGIN_LABOUR] / r.prices[NATIVE_LABOUR],
            0.5,
            SAME_EQUILIBRIUM,
            "gap persists",
        );
        for s in ["MANUF_HOST", "AGRI_HOST", "MANUF_ORIGIN", "AGRI_ORIGIN"] {
            assert!(r.activities[s] > 0.1, "{s} diversified");
        }
        let welfare = p.welfare_by_group(&r).unwrap();
        assert!(welfare.groups[NEW_MIGRANTS].equivalent_variation > 0.0);
        assert!(welfare.world > 0.0);
    }
}

mod capital {
    use super::*;

    fn productivity_rise(epsilon: f64) -> (f64, f64) {
        let params = capital_mobility(epsilon);
        let mut spec = params.spec().unwrap();
        productivity_shock(&mut spec, &["MANUF", "SERV"], 0.1).unwrap();
        let mut model = spec.build().unwrap();
        let r = solve(&mut model);
        let import = &r.flows.iter().find(|f| f.sector == CAPITAL_IMPORT).unwrap();
        let inflow = import
            .outputs
            .iter()
            .find(|o| o.commodity == CAPITAL)
            .unwrap()
            .quantity;
        let real_return = r.prices[CAPITAL] / price_index(&r, HOST);
        assert!(r.welfare[FOREIGN_OWNERS].equivalent_variation > 0.0);
        (
            inflow / (params.foreign_share * 60.0) - 1.0,
            real_return - 1.0,
        )
    }

    /// A host productivity rise draws foreign capital and raises its return; the more elastic
    /// the supply, the larger the inflow and the smaller the rise in the return; with ε = 0 the
    /// foreign stock in the host is fixed.
    #[test]
    fn productivity_rise_draws_foreign_capital_and_raises_its_return() {
        let (inflow0, return0) = productivity_rise(0.0);
        assert!(inflow0.abs() < SAME_EQUILIBRIUM, "{inflow0}");
        let mut last = (0.0, f64::INFINITY);
        for eps in [0.5, 2.0, 8.0] {
            let (inflow, ret) = productivity_rise(eps);
            assert!(inflow > last.0, "ε = {eps}: inflow {inflow}");
            assert!(
                ret > 0.0 && ret < last.1 && ret < return0,
                "ε = {eps}: return {ret}"
            );
            last = (inflow, ret);
        }
    }
}

mod reference {
    use super::*;

    /// Markusen M27, counterfactual TL = 0.5 (a 50 % tax on formal labour supply): the PATH
    /// solution printed in julia-mpsge/MPSGE.jl, examples/Markusen_Examples/Chapter_02/
    /// M27.ipynb, to its 6 significant digits. The household shifts labour toward the informal
    /// market along the CET frontier (LI 1.22743, LF 0.761589).
    #[test]
    fn markusen_m27_formal_labour_tax() {
        let mut model = markusen_m27().build().unwrap();
        model.check_benchmark().unwrap();
        model.set_input_tax("LF", "PLSF", 0.5).unwrap();
        let r = solve(&mut model);
        let activities = [
            ("X", 0.928589),
            ("Y", 1.05214),
            ("LS", 1.0),
            ("LF", 0.761589),
            ("LI", 1.22743),
            ("W", 0.988438),
        ];
        for (n, v) in activities {
            assert_close(r.activities[n], v, SIX_SIGNIFICANT_DIGITS, n);
        }
        let prices = [
            ("PW", 1.0),
            ("PK", 0.988438),
            ("PLSF", 0.793049),
            ("PLI", 0.872479),
            ("PLSI", 0.872479),
            ("PY", 0.939451),
            ("PLF", 1.18957),
            ("PX", 1.06445),
            ("PL", 0.837444),
        ];
        for (n, v) in prices {
            assert_close(r.prices[n], v, SIX_SIGNIFICANT_DIGITS, n);
        }
        assert_close(r.incomes["CONS"], 197.688, SIX_SIGNIFICANT_DIGITS, "CONS");
    }
}

mod errors {
    use super::*;

    #[test]
    fn sectoral_parameters() {
        let e = two_sector(Mobility::Specific)
            .industry(IndustryParams::new("Z", 1.0).uses("L", -1.0))
            .spec()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "industry `Z` use of `L`: quantity -1 must be finite and >= 0"
        );
        let e = two_sector(Mobility::Specific)
            .industry(IndustryParams::new("Z", 1.0).uses("KK", 1.0))
            .spec()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "industry `Z` use of `KK`: unknown factor `KK` (did you mean `K`?)"
        );
        let e = two_sector(Mobility::Transformation {
            elasticity: f64::NAN,
        })
        .spec()
        .unwrap_err();
        assert!(
            matches!(e, CoreError::InvalidElasticity { ref context, .. } if context == "factor `K` transformation"),
            "{e}"
        );
        let e = two_sector(Mobility::Mobile)
            .industry(IndustryParams::new("X", 1.0).uses("L", 1.0))
            .spec()
            .unwrap_err();
        assert_eq!(e.to_string(), "duplicate industry name `X`");
        let e = two_sector(Mobility::Mobile)
            .factor("H", Mobility::Specific)
            .spec()
            .unwrap_err();
        assert!(matches!(e, CoreError::EmptyNest { .. }), "{e}");
        let e = SectoralMobilityParams::new("empty").spec().unwrap_err();
        assert!(matches!(e, CoreError::EmptyModel { .. }), "{e}");
        assert!(matches!(
            two_sector(Mobility::Mobile).factor_commodity("Q", "X"),
            Err(CoreError::UnknownName { kind: "factor", .. })
        ));
    }

    #[test]
    fn migration_parameters() {
        let err = |p: MigrationParams| p.spec().unwrap_err();
        assert_eq!(
            err(two_regions().efficiency(0.0)).to_string(),
            "migration model `two regions`: efficiency (phi) of a migrant: 0 must be finite and > 0"
        );
        assert!(matches!(
            err(two_regions().efficiency(f64::NAN)),
            CoreError::InvalidNumber { value, .. } if value.is_nan()
        ));
        assert!(matches!(
            err(two_regions().origin_productivity(-1.0)),
            CoreError::InvalidNumber { value, .. } if value == -1.0
        ));
        assert_eq!(
            err(two_regions().potential_migrants(-3.0)).to_string(),
            "migration model `two regions`: potential_migrants: quantity -3 must be finite and >= 0"
        );
        assert!(matches!(
            err(two_regions().potential_migrants(500.0)),
            CoreError::InvalidNumber { value, .. } if value == 500.0
        ));
        let mut p = two_regions();
        p.goods[1].origin_capital = -2.0;
        assert_eq!(
            err(p).to_string(),
            "good `AGRI` origin_capital: quantity -2 must be finite and >= 0"
        );
        let mut p = two_regions();
        p.goods[0].host_labour = f64::NAN;
        assert!(matches!(err(p), CoreError::InvalidQuantity { value, .. } if value.is_nan()));
        assert_eq!(
            err(two_regions().remittance_share(1.5)).to_string(),
            "income share from `NEW_MIGRANTS` to `ORIGIN_RESIDENTS` is 1.5: must lie in [0, 1] (and the shares a consumer pays may not exceed 1 in total)"
        );
        assert!(matches!(
            err(two_regions().remittance_share(-0.1)),
            CoreError::InvalidShare { share, .. } if share == -0.1
        ));
        assert!(matches!(
            err(two_regions().remittance_share(f64::NAN)),
            CoreError::InvalidShare { .. }
        ));
        assert!(matches!(
            err(two_regions().earlier_migrant_share(1.0)),
            CoreError::InvalidNumber {
                expected: "in (0, 1)",
                ..
            }
        ));
        assert_eq!(
            err(two_regions().quota_to("HOST_NATIVE")).to_string(),
            "migration licence holder: unknown consumer `HOST_NATIVE` (did you mean `HOST_NATIVES`?)"
        );
        assert!(matches!(
            err(two_regions().wedge(0.0, "GOV")),
            CoreError::UnknownName {
                kind: "consumer",
                ..
            }
        ));
        assert!(matches!(
            err(two_regions().wedge(-1.0, HOST_NATIVES)),
            CoreError::InvalidTax { rate, .. } if rate == -1.0
        ));
        assert!(matches!(
            err(two_regions().wedge_control().wedge(1.0, HOST_NATIVES)),
            CoreError::InvalidTax { rate, .. } if rate == 1.0
        ));
        assert!(matches!(
            err(two_regions().imperfect_substitutes(-2.0)),
            CoreError::InvalidElasticity { .. }
        ));
        let mut p = two_regions();
        p.goods.truncate(1);
        assert_eq!(
            err(p).to_string(),
            "migration model `two regions`: number of goods: 1 must be at least 2"
        );
        let p = two_regions().good(
            MigrationGood::new("MANUF", 1.0)
                .host(1.0, 1.0)
                .origin(1.0, 1.0),
        );
        assert!(matches!(
            err(p),
            CoreError::DuplicateName { kind: "good", .. }
        ));
        let p = two_regions().good(MigrationGood::new("EMPTY", 1.0).host(1.0, 1.0));
        assert_eq!(
            err(p).to_string(),
            "sector `EMPTY_ORIGIN` inputs: nest has no positive reference value"
        );
    }

    #[test]
    fn migration_shocks() {
        let p = two_regions();
        let mut model = p.spec().unwrap().build().unwrap();
        assert_eq!(
            p.set_quota(&mut model, -1.0).unwrap_err().to_string(),
            "migration model `two regions`: quota: quantity -1 must be finite and >= 0"
        );
        assert!(matches!(
            p.set_quota(&mut model, f64::NAN),
            Err(CoreError::InvalidQuantity { .. })
        ));
        assert!(matches!(
            p.set_remittance_share(&mut model, 2.0),
            Err(CoreError::InvalidShare { .. })
        ));
        assert!(matches!(
            p.set_wedge(&mut model, -1.5),
            Err(CoreError::InvalidTax { .. })
        ));
        let w = two_regions().wedge_control().wedge(3.0, HOST_NATIVES);
        let mut wm = w.spec().unwrap().build().unwrap();
        assert!(matches!(
            w.raise_host_labour_force(&mut wm, 0.03),
            Err(CoreError::NotDeclared { .. })
        ));
        // Results of another model lack the groups.
        let other = markusen_m27().build().unwrap();
        let r = other.results_at(&other.benchmark_point()).unwrap();
        assert!(matches!(
            p.welfare_by_group(&r),
            Err(CoreError::UnknownName {
                kind: "consumer",
                ..
            })
        ));
    }

    #[test]
    fn capital_parameters_and_productivity_shocks() {
        let err = |p: CapitalMobilityParams| p.spec().unwrap_err();
        let mut p = capital_mobility(1.0);
        p.foreign_share = 0.0;
        assert_eq!(
            err(p).to_string(),
            "capital mobility model `capital mobility`: foreign_share: 0 must be in (0, 1]"
        );
        let mut p = capital_mobility(1.0);
        p.capital_abroad = -5.0;
        assert!(matches!(err(p), CoreError::InvalidNumber { value, .. } if value == -5.0));
        assert!(matches!(
            err(capital_mobility(f64::NAN)),
            CoreError::InvalidElasticity { .. }
        ));
        let mut p = capital_mobility(1.0);
        p.goods[0].labour = -1.0;
        assert!(matches!(err(p), CoreError::InvalidQuantity { .. }));
        let mut spec = capital_mobility(1.0).spec().unwrap();
        assert_eq!(
            productivity_shock(&mut spec, &["MANUFF"], 0.1)
                .unwrap_err()
                .to_string(),
            "productivity shock: unknown sector `MANUFF` (did you mean `MANUF`?)"
        );
        assert!(matches!(
            productivity_shock(&mut spec, &["MANUF"], -1.0),
            Err(CoreError::InvalidNumber { .. })
        ));
    }
}

mod files {
    use super::*;

    #[test]
    fn parameters_round_trip_through_json_and_toml() {
        let sectoral = three_regimes();
        let json = serde_json::to_string(&sectoral).unwrap();
        assert_eq!(
            serde_json::from_str::<SectoralMobilityParams>(&json).unwrap(),
            sectoral
        );
        let toml = toml::to_string(&sectoral).unwrap();
        assert_eq!(
            toml::from_str::<SectoralMobilityParams>(&toml).unwrap(),
            sectoral
        );
        let migration = two_regions()
            .imperfect_substitutes(2.0)
            .potential_migrants(30.0)
            .quota_to(HOST_NATIVES);
        let json = serde_json::to_string(&migration).unwrap();
        assert_eq!(
            serde_json::from_str::<MigrationParams>(&json).unwrap(),
            migration
        );
        let toml = toml::to_string(&migration).unwrap();
        assert_eq!(toml::from_str::<MigrationParams>(&toml).unwrap(), migration);
        let capital = capital_mobility(2.0);
        let json = serde_json::to_string(&capital).unwrap();
        assert_eq!(
            serde_json::from_str::<CapitalMobilityParams>(&json).unwrap(),
            capital
        );
        // The spec a family writes is an ordinary model file.
        let spec = migration.spec().unwrap();
        assert_eq!(
            ModelSpec::from_toml_str(&spec.to_toml().unwrap()).unwrap(),
            spec
        );
    }

    #[test]
    fn parameter_files_reject_unknown_fields_and_fill_defaults() {
        let text = r#"{
            "name": "m",
            "goods": [
                {"name": "A", "host_labour": 1, "host_capital": 1, "origin_labour": 1, "origin_capital": 1},
                {"name": "B", "host_labour": 1, "host_capital": 2, "origin_labour": 2, "origin_capital": 1}
            ],
            "efficiency": 0.9,
            "control": {"kind": "quota", "licence_holder": "HOST_NATIVES"},
            "substitution": {"kind": "imperfect", "elasticity": 4}
        }"#;
        let p: MigrationParams = serde_json::from_str(text).unwrap();
        assert_eq!(p.efficiency, 0.9);
        assert_eq!(p.wedge_recipient, HOST_NATIVES);
        p.spec()
            .unwrap()
            .build()
            .unwrap()
            .check_benchmark()
            .unwrap();
        let bad = text.replace("\"efficiency\"", "\"eficiency\"");
        let e = serde_json::from_str::<MigrationParams>(&bad).unwrap_err();
        assert!(e.to_string().contains("unknown field `eficiency`"), "{e}");
        let bad = text.replace("\"elasticity\": 4", "\"elasticity\": 4, \"eta\": 1");
        assert!(serde_json::from_str::<MigrationParams>(&bad).is_err());
        let e = serde_json::from_str::<SectoralMobilityParams>(
            r#"{"name": "s", "factors": [{"name": "K", "mobility": {"regime": "sluggish"}}], "industries": []}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown variant `sluggish`"), "{e}");
    }
}
