//! Benchmarks of cge-core by model size (fixed seeds, inputs built outside the timed
//! closures): building synthetic Armington models (`MultiRegion::synthetic`), evaluating their
//! residual and analytic Jacobian (throughput in Jacobian nonzeros: the cost should be linear
//! in them), and a 2×2×2 counterfactual solve.
//!
//! `cargo bench -p cge-core --bench core -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use cge_core::families::hos::{MultiRegion, TwoByTwoByTwo};
use cge_solver::{Options, Problem};
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

criterion_group!(benches, build, evaluate, solve_two_by_two);
criterion_main!(benches);
