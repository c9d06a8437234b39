//! Benchmarks of cge-core by model size (fixed seeds, inputs built outside the timed
//! closures): building synthetic Armington models (`MultiRegion::synthetic`), evaluating their
//! residual and analytic Jacobian (throughput in Jacobian nonzeros: the cost should be linear
//! in them), and a 2×2×2 counterfactual solve.
//!
//! Scale (docs/performance.md): counterfactual solves of synthetic worlds (`world_solve`,
//! all tariffs halved) and of the SAM-driven standard model (`sam_solve`, all tariffs
//! abolished, calibration included), and the analytic Jacobian against sparse finite
//! differences (`jacobian_fd`; the accuracy is printed once).
//!
//! `cargo bench -p cge-core --bench core -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use cge_core::families::hos::{MultiRegion, TwoByTwoByTwo};
use cge_core::families::sam::{Sam, StandardModel};
use cge_core::families::synthetic::{SyntheticWorld, WorldSize};
use cge_core::Model;
use cge_solver::{EvalError, FiniteDifference, Options, Problem, Residual, Solver};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};

/// (regions, goods, factors): small, medium, and one with about 10⁵ unknowns.
const SIZES: [(usize, usize, usize); 3] = [(10, 10, 3), (50, 20, 3), (10, 2_500, 3)];
const SEED: u64 = 2_025;

fn label(r: usize, g: usize, f: usize) -> String {
    format!("{r}x{g}x{f}")
}

fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("armington_build");
    group.sample_size(10);
    for (r, g, f) in SIZES {
        let data = MultiRegion::synthetic(r, g, f, SEED).expect("valid sizes");
        group.bench_with_input(
            BenchmarkId::from_parameter(label(r, g, f)),
            &data,
            |b, d| b.iter(|| d.build().expect("balanced")),
        );
    }
    group.finish();
}

fn evaluate(c: &mut Criterion) {
    for (r, g, f) in SIZES {
        let model = MultiRegion::synthetic(r, g, f, SEED)
            .and_then(|d| d.build())
            .expect("builds");
        let pattern = model.jacobian_pattern();
        // A point away from the benchmark, so that no Shephard term is trivially 1.
        let x: Vec<f64> = model
            .benchmark_point()
            .iter()
            .enumerate()
            .map(|(i, v)| v.max(0.5) * (1.0 + 0.01 * ((i % 7) as f64)))
            .collect();
        let mut fx = vec![0.0; model.dim()];
        let mut values = vec![0.0; pattern.len()];
        let id = format!(
            "{} (n={}, nnz={})",
            label(r, g, f),
            model.dim(),
            pattern.len()
        );

        let mut group = c.benchmark_group("armington_residual");
        group.sample_size(20);
        group.throughput(Throughput::Elements(pattern.len() as u64));
        group.bench_function(BenchmarkId::from_parameter(&id), |b| {
            b.iter(|| model.residual(black_box(&x), &mut fx).expect("evaluates"))
        });
        group.finish();

        let mut group = c.benchmark_group("armington_jacobian");
        group.sample_size(20);
        group.throughput(Throughput::Elements(pattern.len() as u64));
        group.bench_function(BenchmarkId::from_parameter(&id), |b| {
            b.iter(|| {
                model
                    .jacobian(black_box(&x), &mut values)
                    .expect("evaluates")
            })
        });
        group.finish();
    }
}

fn solve_two_by_two(c: &mut Criterion) {
    let params = TwoByTwoByTwo::new([[120.0, 80.0], [70.0, 130.0]], [[0.75, 0.25], [0.25, 0.75]]);
    let mut model = params.build().expect("builds");
    params
        .set_tariff(&mut model, "H", "Y", 0.2)
        .expect("declared");
    let options = Options::default();
    let mut group = c.benchmark_group("solve_2x2x2");
    group.bench_function("tariff_counterfactual", |b| {
        b.iter_batched(
            || model.clone(),
            |mut m| m.solve(&options).expect("converges"),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// Synthetic worlds (R, S, F) for the solve benchmarks: about 10³, 10⁴ and, at GTAP's size,
/// 4 × 10⁴ unknowns (about 16 s a sample: filter it out with `world_solve/[15]0x` for a
/// quick run).
const WORLDS: [(usize, usize, usize); 3] = [(10, 10, 3), (50, 30, 5), (140, 65, 5)];

fn world_solve(c: &mut Criterion) {
    let mut group = c.benchmark_group("world_solve");
    group.sample_size(10);
    for (r, s, f) in WORLDS {
        let size = WorldSize::new(r, s, f);
        let id = format!("{} (n={})", label(r, s, f), size.estimate().unknowns);
        // Built at the benchmark's first call (criterion calls it for the warm-up and for
        // every sample), so that a filter that skips it skips the build too.
        let mut built = None;
        group.bench_function(BenchmarkId::from_parameter(id), |b| {
            let (model, solver, x0) = built.get_or_insert_with(|| {
                let world = SyntheticWorld::generate(size, SEED).expect("fits");
                let mut model = world.build().expect("balanced");
                world.scale_tariffs(&mut model, 0.5).expect("valid");
                let solver = Solver::new(model.solver_options()).expect("valid options");
                let x0 = model.benchmark_point();
                (model, solver, x0)
            });
            b.iter(|| solver.solve(&*model, black_box(&*x0)).expect("converges"))
        });
    }
    group.finish();
}

/// Sector counts and intermediate inputs per sector of the SAM benchmarks (0: every good, a
/// dense input–output table).
const SAM_SIZES: [(usize, usize); 5] = [(80, 0), (320, 0), (1_280, 0), (1_280, 20), (10_000, 20)];

fn sam_solve(c: &mut Criterion) {
    let mut group = c.benchmark_group("sam_solve");
    group.sample_size(10);
    for (n, inputs) in SAM_SIZES {
        let (sam, labels) = Sam::synthetic(n, inputs, SEED).expect("sizes");
        let id = if inputs == 0 {
            format!("N={n}")
        } else {
            format!("N={n},inputs={inputs}")
        };
        group.bench_function(BenchmarkId::from_parameter(id), |b| {
            b.iter(|| {
                let standard = StandardModel::calibrate(&sam, &labels).expect("balanced");
                let mut model = standard.build().expect("builds");
                standard.scale_tariffs(&mut model, 0.0).expect("valid");
                let options = model.solver_options();
                model.solve(&options).expect("converges")
            })
        });
    }
    group.finish();
}

/// A model's residual alone, for finite differences.
struct ResidualOf<'a>(&'a Model);

impl Residual for ResidualOf<'_> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        self.0.residual(x, f)
    }
}

fn jacobian_fd(c: &mut Criterion) {
    let mut group = c.benchmark_group("jacobian_fd");
    group.sample_size(10);
    for (r, s, f) in [(10, 10, 3), (20, 20, 3)] {
        let world = SyntheticWorld::generate(WorldSize::new(r, s, f), SEED).expect("fits");
        let model = world.build().expect("balanced");
        let pattern = model.jacobian_pattern();
        // Finite differences fill every triplet with the whole entry, so they get the
        // pattern with duplicated positions merged; the analytic values are summed into the
        // same positions for the comparison.
        let mut positions: Vec<(usize, usize)> = pattern
            .rows()
            .iter()
            .zip(pattern.cols())
            .map(|(&r, &c)| (r, c))
            .collect();
        positions.sort_unstable();
        positions.dedup();
        let merged = cge_solver::Pattern::from_triplets(
            model.dim(),
            positions.iter().map(|p| p.0).collect(),
            positions.iter().map(|p| p.1).collect(),
        )
        .expect("valid positions");
        let fd =
            FiniteDifference::with_pattern(ResidualOf(&model), merged).expect("same dimension");
        let x: Vec<f64> = model
            .benchmark_point()
            .iter()
            .enumerate()
            .map(|(i, v)| v * (1.0 + 0.01 * ((i % 7) as f64)))
            .collect();
        let mut analytic = vec![0.0; pattern.len()];
        let mut approx = vec![0.0; positions.len()];
        model.jacobian(&x, &mut analytic).expect("evaluates");
        fd.jacobian(&x, &mut approx).expect("evaluates");
        let mut summed = vec![0.0; positions.len()];
        for (k, (&r, &c)) in pattern.rows().iter().zip(pattern.cols()).enumerate() {
            let slot = positions.binary_search(&(r, c)).expect("present");
            summed[slot] += analytic[k];
        }
        // Accuracy of forward differences against the analytic entries, relative to
        // max(1, |entry|), reported once.
        let worst = summed
            .iter()
            .zip(&approx)
            .map(|(a, d)| (a - d).abs() / a.abs().max(1.0))
            .fold(0.0f64, f64::max);
        eprintln!(
            "{}: n = {}, {} triplets, {} positions, {} residuals per finite-difference Jacobian; forward differences differ from the analytic Jacobian by up to {worst:.2e} (relative to max(1, |entry|))",
            label(r, s, f),
            model.dim(),
            pattern.len(),
            positions.len(),
            fd.evaluations_per_jacobian()
        );
        let id = label(r, s, f);
        group.bench_function(BenchmarkId::new("analytic", &id), |b| {
            b.iter(|| {
                model
                    .jacobian(black_box(&x), &mut analytic)
                    .expect("evaluates")
            })
        });
        group.bench_function(BenchmarkId::new("finite_differences", &id), |b| {
            b.iter(|| fd.jacobian(black_box(&x), &mut approx).expect("evaluates"))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    build,
    evaluate,
    solve_two_by_two,
    world_solve,
    sam_solve,
    jacobian_fd
);
criterion_main!(benches);
