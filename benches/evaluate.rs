//! Whole evaluations (issue 9): `eval::evaluate` on world2024 programs and
//! on synthetic worlds of growing size, and the full `lode run` pipeline
//! (parse, check, evaluate, render the table) on the target world.
//!
//! `cargo bench --bench evaluate`

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use lode::eval::{self, EvalOptions};
use lode::pipeline::{self, Compiled, Input};
use lode::report::{self, Format, RenderOptions};

const ONE_LINER: &str =
    "coalition G7+AU+IN+KR+MX covers 60% demand; china restricts rare_earths to JP";

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

fn evaluate(c: &Compiled) -> eval::Evaluation {
    eval::evaluate(&c.checked, &c.sources, &EvalOptions::default())
}

fn world2024(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate_world2024");
    let seed = include_str!("../scenarios/seed.lode");
    let coalition = include_str!("../scenarios/coalition_2026.lode");
    for (name, text) in [
        ("one_liner", ONE_LINER),
        ("seed", seed),
        ("coalition_2026", coalition),
    ] {
        let compiled = compile(text);
        group.bench_function(name, |b| b.iter(|| black_box(evaluate(&compiled))));
    }
    group.finish();
}

fn synthetic(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate_synthetic");
    // Actors 50, 100, 200 at 40 minerals; minerals 10, 20, 40 at 200 actors.
    let sizes = [(50, 40), (100, 40), (200, 10), (200, 20), (200, 40)];
    for (actors, minerals) in sizes {
        let compiled = compile(&common::world(&common::Params::new(
            actors, minerals, 3, 12,
        )));
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{actors}x{minerals}x3x12")),
            &compiled,
            |b, c| b.iter(|| black_box(evaluate(c))),
        );
    }
    group.finish();
}

/// What `lode run FILE > out` does, minus reading the file and writing.
fn run(c: &mut Criterion) {
    let mut group = c.benchmark_group("run");
    let text = common::world(&common::Params::default());
    let options = RenderOptions {
        color: false,
        width: Some(120),
    };
    group.bench_function("synthetic_200x40x3x12_table", |b| {
        b.iter(|| {
            let compiled = compile(&text);
            let evaluation = evaluate(&compiled);
            black_box(report::render(&evaluation.results, Format::Table, &options).len())
        })
    });
    group.bench_function("one_liner_table", |b| {
        b.iter(|| {
            let compiled = compile(ONE_LINER);
            let evaluation = evaluate(&compiled);
            black_box(report::render(&evaluation.results, Format::Table, &options).len())
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = world2024, synthetic, run
}
criterion_main!(benches);
