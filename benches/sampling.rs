//! Sampled evaluations (SPEC §9): `scenarios/coalition_2026.lode` (its
//! licensing cut and world2024's ranges drawn per sample) evaluated plainly
//! once and over 100 and 1,000 samples, so that the time per sample can be
//! set against one plain evaluation of the same file.
//!
//! `cargo bench --bench sampling`

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use lode::eval::{self, EvalOptions, Silent};
use lode::pipeline::{self, Compiled, Input};
use lode::sample::SampleOptions;

fn compile(text: &str) -> Compiled {
    match pipeline::compile(
        Input::Text {
            name: "bench",
            text: text.to_string(),
        },
        &lode::loader::FsLoader::for_text(None),
    ) {
        Ok(c) => c,
        Err(f) => panic!(
            "the benchmark program does not compile: {:?}",
            f.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        ),
    }
}

fn coalition(c: &mut Criterion) {
    let compiled = compile(include_str!("../scenarios/coalition_2026.lode"));
    let mut group = c.benchmark_group("sampling_coalition_2026");
    group.measurement_time(Duration::from_secs(10));
    group.sample_size(20);
    group.bench_function("plain", |b| {
        b.iter(|| {
            black_box(eval::evaluate(
                &compiled.checked,
                &compiled.sources,
                &EvalOptions::default(),
            ))
        })
    });
    for samples in [100, 1_000] {
        group.bench_with_input(BenchmarkId::new("samples", samples), &samples, |b, &n| {
            b.iter(|| {
                black_box(eval::evaluate_sampled(
                    &compiled.checked,
                    &compiled.sources,
                    &EvalOptions::default(),
                    SampleOptions {
                        samples: n,
                        seed: 1,
                    },
                    &Silent,
                ))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, coalition);
criterion_main!(benches);
