//! Parse and check throughput: world2024, the embedded data set
//! every run parses, and a large synthetic world.
//!
//! `cargo bench --bench frontend`

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use lode::check::{self, CheckOptions};
use lode::pipeline::{self, Input};
use lode::source::{SourceId, SourceMap};

const ONE_LINER: &str =
    "coalition G7+AU+IN+KR+MX covers 60% demand; china restricts rare_earths to JP";

static LOADER: std::sync::LazyLock<lode::loader::MemoryLoader> =
    std::sync::LazyLock::new(lode::loader::MemoryLoader::new);

fn options() -> CheckOptions<'static> {
    CheckOptions {
        loader: &*LOADER,
        main_key: None,
        implicit_world: true,
    }
}

fn parse(c: &mut Criterion) {
    let synthetic = common::world(&common::Params::default());
    let large = common::world(&common::Params::new(400, 80, 3, 24));
    let mut group = c.benchmark_group("parse");
    for (name, text) in [
        ("world2024", lode::data::WORLD2024),
        ("synthetic_200x40x3x12", synthetic.as_str()),
        ("synthetic_400x80x3x24", large.as_str()),
    ] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| lode::syntax::parse(black_box(text), SourceId(0)).is_ok())
        });
    }
    group.finish();
}

fn check(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    // The one-liner: `use world2024` is implicit, so checking it loads,
    // parses and checks the data set as well.
    group.bench_function("one_liner_parse_and_check", |b| {
        b.iter(|| {
            pipeline::compile(
                Input::Text {
                    name: "<expr>",
                    text: black_box(ONE_LINER).to_string(),
                },
                &lode::loader::FsLoader::for_text(None),
            )
            .is_ok()
        })
    });
    let data = lode::syntax::parse(lode::data::WORLD2024, SourceId(0)).unwrap_or_else(|_| {
        panic!("world2024 parses");
    });
    group.bench_function("world2024_check_only", |b| {
        b.iter_batched(
            || {
                let mut sources = SourceMap::new();
                let id = sources.add("world2024", lode::data::WORLD2024.to_string(), None);
                (sources, id, data.clone())
            },
            |(mut sources, id, program)| check::check(&mut sources, id, program, options()).is_ok(),
            BatchSize::SmallInput,
        )
    });
    let synthetic = common::world(&common::Params::default());
    let program = lode::syntax::parse(&synthetic, SourceId(0))
        .unwrap_or_else(|_| panic!("the synthetic world parses"));
    group.bench_function("synthetic_200x40x3x12_check_only", |b| {
        b.iter_batched(
            || {
                let mut sources = SourceMap::new();
                let id = sources.add("synthetic", synthetic.clone(), None);
                (sources, id, program.clone())
            },
            |(mut sources, id, program)| check::check(&mut sources, id, program, options()).is_ok(),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("synthetic_200x40x3x12_compile", |b| {
        b.iter(|| {
            pipeline::compile(
                Input::Text {
                    name: "synthetic",
                    text: synthetic.clone(),
                },
                &lode::loader::FsLoader::for_text(None),
            )
            .is_ok()
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = parse, check
}
criterion_main!(benches);
