//! Benchmarks of cge-calibrate by size: balancing a SAM whose cells are off by up to ±5%
//! (`balance`, GRAS to machine precision), on synthetic SAMs of N sectors with a dense
//! input-output table or 20 inputs per sector (`Sam::synthetic`, fixed seed); and the steps
//! of the reproduction (`reproduction`): the migration model's three-parameter fit, the trade
//! model's fits by channel (productivity alone; both channels, the reproduction's), and the
//! Monte Carlo analysis by number of draws.
//!
//! `cargo bench -p cge-calibrate --bench calibrate -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use cge_calibrate::balance::{balance, BalanceOptions};
use cge_calibrate::fit::fit_migration;
use cge_calibrate::sensitivity::monte_carlo;
use cge_calibrate::trade::{fit_trade, GainChannel, TradeParameters};
use cge_calibrate::world::{WorldData, WorldParameters};
use cge_core::families::sam::Sam;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// (sectors, inputs per sector; 0 = all).
const SIZES: [(usize, usize); 4] = [(100, 0), (1_280, 20), (1_280, 0), (10_000, 20)];
const SEED: u64 = 2_025;

/// The synthetic SAM with every cell moved by up to ±5% (a fixed pattern).
fn unbalanced(sectors: usize, inputs: usize) -> Sam {
    let (mut sam, _) = Sam::synthetic(sectors, inputs, SEED).expect("valid sizes");
    for (k, c) in sam.cells.iter_mut().enumerate() {
        let u = ((k * 7_919) % 101) as f64 / 100.0;
        c.value *= 1.0 + 0.05 * (2.0 * u - 1.0);
    }
    sam
}

fn balancing(c: &mut Criterion) {
    let mut group = c.benchmark_group("balance");
    group.sample_size(10);
    for (sectors, inputs) in SIZES {
        let sam = unbalanced(sectors, inputs);
        group.throughput(Throughput::Elements(sam.cells.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("N={sectors},inputs={inputs}")),
            &sam,
            |b, s| b.iter(|| black_box(balance(s, &BalanceOptions::default()).expect("balances"))),
        );
    }
    group.finish();
}

fn reproduction(c: &mut Criterion) {
    let mut group = c.benchmark_group("reproduction");
    group.sample_size(10);
    let data = WorldData::load().expect("shipped data");
    let (world, trade) = (WorldParameters::default(), TradeParameters::default());
    group.bench_function("fit_migration", |b| {
        b.iter(|| black_box(fit_migration(&data, &world).expect("fits")))
    });
    for channel in [GainChannel::Productivity, GainChannel::Both] {
        group.bench_with_input(
            BenchmarkId::new("fit_trade", channel.label()),
            &channel,
            |b, &ch| b.iter(|| black_box(fit_trade(&data, &trade, ch, 287.0).expect("fits"))),
        );
    }
    for draws in [16, 64] {
        group.bench_with_input(BenchmarkId::new("monte_carlo", draws), &draws, |b, &d| {
            b.iter(|| black_box(monte_carlo(&data, &world, &trade, 287.0, d, 7).expect("runs")))
        });
    }
    group.finish();
}

criterion_group!(benches, balancing, reproduction);
criterion_main!(benches);
