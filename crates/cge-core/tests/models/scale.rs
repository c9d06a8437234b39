//! Tests of the scale features: demands at the output price (E22) against finite differences
//! and against the Shephard formulation's equilibria, the sparsity they buy, bit-identical
//! results with any number of threads, the synthetic world and SAM families at small sizes
//! (benchmark replication and Walras' law after a shock), the published solution of Hosoe et
//! al.'s standard model, and the memory guard. GTAP-size runs belong to the `scale` example
//! and the benchmarks, not here.

use super::{check_jacobian, kitchen_sink};
use cge_core::families::sam::{Sam, SamLabels, StandardModel};
use cge_core::families::synthetic::{SyntheticWorld, WorldSize};
use cge_core::tolerances::{SAME_EQUILIBRIUM, WALRAS_RELATIVE};
use cge_core::{CoreError, Model, ModelSpec};
use cge_solver::{Options, Problem};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// The kitchen sink (nests three deep, CET outputs, input, output and endogenous taxes) with
/// every sector's demands at its output price.
fn kitchen_sink_at_output_price() -> ModelSpec {
    let mut spec = kitchen_sink();
    for s in &mut spec.sectors {
        s.demand_at_output_price = true;
    }
    spec
}

fn solve(model: &mut Model) -> cge_core::Results {
    model
        .solve(&Options::default())
        .unwrap_or_else(|e| panic!("{}: {e}", model.name()))
}

#[test]
fn output_price_demands_jacobian_at_benchmark() {
    let model = kitchen_sink_at_output_price().build().unwrap();
    model.check_benchmark().unwrap();
    check_jacobian(&model, &model.benchmark_point()).unwrap();
    let other = kitchen_sink_at_output_price()
        .numeraire_price("LIC", 1.0)
        .build()
        .unwrap();
    check_jacobian(&other, &other.benchmark_point()).unwrap();
}

proptest! {
    #![proptest_config(Config { cases: 32, rng_seed: RngSeed::Fixed(20_251_123), ..Config::default() })]

    #[test]
    fn output_price_demands_jacobian_at_perturbed_points(
        factors in proptest::collection::vec(0.6..1.5f64, 13),
        sigma in 0.0..3.0f64,
        eta in 0.0..3.0f64,
    ) {
        let mut model = kitchen_sink_at_output_price().build().unwrap();
        model.set_elasticity("SA", None, sigma).unwrap();
        model.set_elasticity("SB", None, sigma).unwrap();
        model.set_transformation("SA", eta).unwrap();
        let mut x = model.benchmark_point();
        for (xi, f) in x.iter_mut().zip(&factors) {
            *xi *= f;
        }
        prop_assert!(check_jacobian(&model, &x).is_ok(), "{:?}", check_jacobian(&model, &x));
    }
}

#[test]
fn output_price_demands_have_the_same_equilibria() {
    let shocks = |m: &mut Model| {
        m.set_input_tax("SA", "B", 0.3).unwrap();
        m.set_endowment("HH", "K", 60.0).unwrap();
        m.set_elasticity("SA", None, 1.7).unwrap();
    };
    let mut plain = kitchen_sink().build().unwrap();
    let mut sparse = kitchen_sink_at_output_price().build().unwrap();
    shocks(&mut plain);
    shocks(&mut sparse);
    let (a, b) = (solve(&mut plain), solve(&mut sparse));
    let (xa, xb) = (
        plain.last_solution().unwrap(),
        sparse.last_solution().unwrap(),
    );
    for (i, (u, v)) in xa.iter().zip(xb).enumerate() {
        assert!(
            (u - v).abs() <= SAME_EQUILIBRIUM * u.abs().max(1.0),
            "{}: {u} vs {v}",
            plain.describe_unknown(i)
        );
    }
    assert!(b.walras_residual.abs() < WALRAS_RELATIVE * sparse.scale());
    assert_eq!(a.welfare.len(), b.welfare.len());
}

#[test]
fn output_price_demands_make_armington_nests_linear_in_origins() {
    let world = SyntheticWorld::generate(WorldSize::new(8, 2, 1), 1).unwrap();
    let sparse = world.spec().unwrap();
    let mut dense = sparse.clone();
    for s in &mut dense.sectors {
        s.demand_at_output_price = false;
    }
    let (sparse, dense) = (sparse.build().unwrap(), dense.build().unwrap());
    // 16 Armington nests of 8 origins: 8 sensitivity entries each with E22, 64 without.
    assert!(
        4 * sparse.jacobian_len() < 3 * dense.jacobian_len(),
        "{} vs {}",
        sparse.jacobian_len(),
        dense.jacobian_len()
    );
    assert_eq!(sparse.jacobian_pattern().len(), sparse.jacobian_len());
    check_jacobian(&sparse, &sparse.benchmark_point()).unwrap();
}

#[test]
fn synthetic_worlds_replicate_and_satisfy_walras() {
    for (size, seed) in [
        (WorldSize::new(1, 1, 1), 1),
        (
            WorldSize {
                migrants: true,
                ..WorldSize::new(3, 4, 2)
            },
            2,
        ),
        (
            WorldSize {
                inputs: 2,
                ..WorldSize::new(4, 5, 3)
            },
            3,
        ),
    ] {
        let world = SyntheticWorld::generate(size, seed).unwrap();
        let mut model = world.build().unwrap();
        model.check_benchmark().unwrap();
        assert_eq!(
            size.estimate().triplets,
            (model.jacobian_len() + model.jacobian_fill_len()) as u64
        );
        // A zero shock returns the benchmark.
        let r = solve(&mut model);
        assert!(r.walras_residual.abs() < WALRAS_RELATIVE * model.scale());
        for (a, b) in model
            .last_solution()
            .unwrap()
            .iter()
            .zip(model.benchmark_point())
        {
            assert!((a - b).abs() < SAME_EQUILIBRIUM * b.abs().max(1.0));
        }
        world.scale_tariffs(&mut model, 0.5).unwrap();
        if size.regions > 1 {
            world.set_trade_cost(&mut model, 0, 1, 0, 0.2).unwrap();
        }
        let r = solve(&mut model);
        assert!(
            r.walras_residual.abs() < WALRAS_RELATIVE * model.scale(),
            "{}: Walras residual {}",
            model.name(),
            r.walras_residual
        );
    }
}

#[test]
fn synthetic_world_jacobian_matches_finite_differences() {
    let world = SyntheticWorld::generate(
        WorldSize {
            migrants: true,
            inputs: 2,
            ..WorldSize::new(3, 3, 2)
        },
        11,
    )
    .unwrap();
    let model = world.build().unwrap();
    let x: Vec<f64> = model
        .benchmark_point()
        .iter()
        .enumerate()
        .map(|(i, v)| v * (1.0 + 0.05 * ((i % 7) as f64 - 3.0) / 3.0))
        .collect();
    check_jacobian(&model, &x).unwrap();
}

#[test]
fn results_are_identical_with_any_number_of_threads() {
    let world = SyntheticWorld::generate(WorldSize::new(12, 10, 3), 5).unwrap();
    let mut model = world.build().unwrap();
    world.scale_tariffs(&mut model, 0.5).unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let x: Vec<f64> = model
                .benchmark_point()
                .iter()
                .enumerate()
                .map(|(i, v)| v * (1.0 + 0.01 * (i % 5) as f64))
                .collect();
            let mut f = vec![0.0; model.dim()];
            model.residual(&x, &mut f).unwrap();
            let mut jac = vec![0.0; model.jacobian_len()];
            model.jacobian(&x, &mut jac).unwrap();
            let mut m = model.clone();
            m.solve(&Options::default()).unwrap();
            (f, jac, m.last_solution().unwrap().to_vec())
        })
    };
    let one = run(1);
    for threads in [2, 3] {
        let other = run(threads);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&one.0), bits(&other.0), "residual, {threads} threads");
        assert_eq!(bits(&one.1), bits(&other.1), "Jacobian, {threads} threads");
        assert_eq!(bits(&one.2), bits(&other.2), "solution, {threads} threads");
    }
}

/// Hosoe, Gasawa & Hashimoto (2010), ch. 6: the two-sector SAM of `stdcge.gms`.
fn hosoe_sam() -> Sam {
    let mut sam = Sam::new([
        "BRD", "MLK", "CAP", "LAB", "IDT", "TRF", "HOH", "GOV", "INV", "EXT",
    ]);
    let cells: [(&str, &str, f64); 30] = [
        ("BRD", "BRD", 21.0),
        ("BRD", "MLK", 8.0),
        ("BRD", "HOH", 20.0),
        ("BRD", "GOV", 19.0),
        ("BRD", "INV", 16.0),
        ("BRD", "EXT", 8.0),
        ("MLK", "BRD", 17.0),
        ("MLK", "MLK", 9.0),
        ("MLK", "HOH", 30.0),
        ("MLK", "GOV", 14.0),
        ("MLK", "INV", 15.0),
        ("MLK", "EXT", 4.0),
        ("CAP", "BRD", 20.0),
        ("CAP", "MLK", 30.0),
        ("LAB", "BRD", 15.0),
        ("LAB", "MLK", 25.0),
        ("IDT", "BRD", 5.0),
        ("IDT", "MLK", 4.0),
        ("TRF", "BRD", 1.0),
        ("TRF", "MLK", 2.0),
        ("HOH", "CAP", 50.0),
        ("HOH", "LAB", 40.0),
        ("GOV", "IDT", 9.0),
        ("GOV", "TRF", 3.0),
        ("GOV", "HOH", 23.0),
        ("INV", "HOH", 17.0),
        ("INV", "GOV", 2.0),
        ("INV", "EXT", 12.0),
        ("EXT", "BRD", 13.0),
        ("EXT", "MLK", 11.0),
    ];
    for (r, c, v) in cells {
        sam.add(r, c, v).unwrap();
    }
    sam
}

#[test]
fn hosoe_standard_model_reproduces_the_published_solution() {
    let labels = SamLabels::hosoe(["BRD", "MLK"], ["CAP", "LAB"]);
    let standard = StandardModel::calibrate(&hosoe_sam(), &labels).unwrap();
    let mut model = standard.build().unwrap();
    model.check_benchmark().unwrap();
    check_jacobian(&model, &model.benchmark_point()).unwrap();
    let bench = model.results_at(&model.benchmark_point()).unwrap();
    // The GAMS model's objective UU = Π Xp^α at the benchmark and with tariffs abolished
    // (stdcge, solved with CONOPT).
    let u0 = standard.household_utility(&bench).unwrap();
    assert!((u0 / 25.508490012515818 - 1.0).abs() < 1e-12, "{u0}");
    standard.scale_tariffs(&mut model, 0.0).unwrap();
    let r = solve(&mut model);
    let u1 = standard.household_utility(&r).unwrap();
    assert!(
        (u1 / 26.092634381288686 - 1.0).abs() < SAME_EQUILIBRIUM,
        "{u1}"
    );
    assert!(r.walras_residual.abs() < WALRAS_RELATIVE * model.scale());
}

#[test]
fn synthetic_sams_replicate_and_satisfy_walras() {
    for (n, inputs) in [(1, 0), (2, 0), (7, 0), (30, 4)] {
        let (sam, labels) = Sam::synthetic(n, inputs, 9).unwrap();
        let standard = StandardModel::calibrate(&sam, &labels).unwrap();
        let mut model = standard.build().unwrap();
        model.check_benchmark().unwrap();
        standard.scale_tariffs(&mut model, 0.0).unwrap();
        let r = solve(&mut model);
        assert!(
            r.walras_residual.abs() < WALRAS_RELATIVE * model.scale(),
            "N = {n}: {}",
            r.walras_residual
        );
    }
}

#[test]
fn sam_calibration_errors_name_the_problem() {
    let mut sam = hosoe_sam();
    sam.add("BRD", "HOH", 1.0).unwrap();
    let labels = SamLabels::hosoe(["BRD", "MLK"], ["CAP", "LAB"]);
    let e = StandardModel::calibrate(&sam, &labels).unwrap_err();
    assert!(matches!(e, CoreError::Unbalanced { .. }), "{e}");
    assert!(e.to_string().contains("BRD"), "{e}");
    let wrong = SamLabels::hosoe(["BRD", "MILK"], ["CAP", "LAB"]);
    let e = StandardModel::calibrate(&hosoe_sam(), &wrong).unwrap_err();
    assert!(
        e.to_string().contains("`MILK`") && e.to_string().contains("MLK"),
        "{e}"
    );
}

#[test]
fn too_large_models_are_refused_with_the_estimate() {
    let e =
        SyntheticWorld::generate_with_limit(WorldSize::new(140, 65, 5), 1, 1 << 30).unwrap_err();
    let CoreError::TooLarge {
        estimate_bytes,
        limit_bytes,
        ..
    } = e
    else {
        panic!("{e}")
    };
    assert!(estimate_bytes > limit_bytes);
    assert!(e.to_string().contains("GiB"), "{e}");
    // At GTAP's size a default solve uses the iterative solver, whose memory is linear in the
    // Jacobian's entries: the estimate stays under the 8 GiB of a laptop (the sparse LU's dense
    // core alone would take 11 GiB).
    let gtap = WorldSize::new(140, 65, 5).estimate();
    assert_eq!(
        gtap.solve.linear_solver,
        cge_solver::LinearSolver::Iterative
    );
    assert!(gtap.total() < 8 << 30, "{gtap:?}");
    let model = kitchen_sink().build().unwrap();
    let estimate = model.memory_estimate();
    assert_eq!(
        estimate.triplets,
        (model.jacobian_len() + model.jacobian_fill_len()) as u64
    );
    estimate.check("kitchen sink", 1 << 30).unwrap();
}

#[test]
fn leontief_roots_skip_zero_entries_until_their_elasticity_changes() {
    let (sam, labels) = Sam::synthetic(12, 0, 3).unwrap();
    let standard = StandardModel::calibrate(&sam, &labels).unwrap();
    let mut model = standard.build().unwrap();
    let leontief = model.jacobian_len();
    assert_eq!(model.jacobian_pattern().len(), leontief);
    check_jacobian(&model, &model.benchmark_point()).unwrap();
    // With substitution between value added and the 12 intermediate inputs, their price
    // sensitivities are entries again: the layout is rebuilt, and the Jacobian stays right.
    model.set_elasticity("Z.g1", None, 0.5).unwrap();
    assert!(model.jacobian_len() > leontief, "{}", model.jacobian_len());
    assert_eq!(model.jacobian_pattern().len(), model.jacobian_len());
    let x: Vec<f64> = model
        .benchmark_point()
        .iter()
        .enumerate()
        .map(|(i, v)| v * (1.0 + 0.01 * (i % 7) as f64))
        .collect();
    check_jacobian(&model, &x).unwrap();
    model.set_elasticity("Z.g1", None, 0.0).unwrap();
    assert_eq!(model.jacobian_len(), leontief);
}

#[test]
fn the_pattern_is_analysed_once_per_model_until_it_changes() {
    let (sam, labels) = Sam::synthetic(12, 0, 3).unwrap();
    let standard = StandardModel::calibrate(&sam, &labels).unwrap();
    let mut model = standard.build().unwrap();
    assert!(!model.structure_cache().unwrap().is_filled());
    standard.scale_tariffs(&mut model, 0.5).unwrap();
    let options = model.solver_options();
    let first = model.solve(&options).unwrap();
    assert!(model.structure_cache().unwrap().is_filled());
    // A second solve from the benchmark reuses the analysis and finds the same equilibrium.
    model.reset_start();
    let again = model.solve(&options).unwrap();
    assert_eq!(model.structure_cache().unwrap().analyses(), 1);
    assert_eq!(first.welfare, again.welfare);
    // A change of the pattern clears it; the next solve analyses the new pattern.
    model.set_elasticity("Z.g2", None, 0.5).unwrap();
    assert!(!model.structure_cache().unwrap().is_filled());
    model.solve(&options).unwrap();
    assert!(model.structure_cache().unwrap().is_filled());
    assert_eq!(model.structure_cache().unwrap().analyses(), 1);
    // An elasticity change that keeps the pattern keeps the analysis.
    model.set_elasticity("Z.g2", None, 0.7).unwrap();
    model.solve(&options).unwrap();
    assert_eq!(model.structure_cache().unwrap().analyses(), 1);
}

#[test]
fn parallel_solves_of_one_model_share_its_analysis_and_agree() {
    use rayon::prelude::*;
    // N = 80 with a dense table: its ~7,700 tree elements make several evaluation blocks, so
    // the layout's count, the pattern and its analysis all run on several threads.
    let (sam, labels) = Sam::synthetic(80, 0, 4).unwrap();
    let standard = StandardModel::calibrate(&sam, &labels).unwrap();
    let mut model = standard.build().unwrap();
    standard.scale_tariffs(&mut model, 0.0).unwrap();
    let x0 = model.benchmark_point();
    let model = &model;
    // Solves of one model on several threads: the first to need the pattern's analysis
    // builds it, the others wait for it or reuse it, and all find the same equilibrium.
    let solutions: Vec<Vec<f64>> = (0..8)
        .into_par_iter()
        .map(|_| {
            cge_solver::Solver::new(model.solver_options())
                .unwrap()
                .solve(model, &x0)
                .unwrap()
                .x
        })
        .collect();
    assert!(model.structure_cache().unwrap().is_filled());
    assert!(solutions.iter().all(|x| x == &solutions[0]));
}

#[test]
fn the_jacobian_after_a_residual_is_the_jacobian_of_the_current_parameters() {
    let (sam, labels) = Sam::synthetic(30, 0, 4).unwrap();
    let standard = StandardModel::calibrate(&sam, &labels).unwrap();
    let mut model = standard.build().unwrap();
    let mut x = model.benchmark_point();
    for (i, v) in x.iter_mut().enumerate() {
        *v *= 1.0 + 0.01 * ((i % 7) as f64 - 3.0);
    }
    let len = model.jacobian_len();
    let mut f = vec![0.0; model.dim()];
    let (mut reused, mut fresh) = (vec![0.0; len], vec![0.0; len]);
    // The residual's evaluation, reused: the same bits as a fresh Jacobian.
    model.residual(&x, &mut f).unwrap();
    model.jacobian_after_residual(&x, &mut reused).unwrap();
    model.jacobian(&x, &mut fresh).unwrap();
    assert_eq!(reused, fresh);
    // After a change of parameters the kept evaluation is not used.
    model.residual(&x, &mut f).unwrap();
    let sector = format!("Q.{}", labels.goods[0]);
    model.set_elasticity(&sector, None, 4.0).unwrap();
    model.jacobian_after_residual(&x, &mut reused).unwrap();
    model.jacobian(&x, &mut fresh).unwrap();
    assert_eq!(reused, fresh);
    // And at another point it is not used either.
    model.residual(&x, &mut f).unwrap();
    x[0] *= 1.01;
    model.jacobian_after_residual(&x, &mut reused).unwrap();
    model.jacobian(&x, &mut fresh).unwrap();
    assert_eq!(reused, fresh);
}
