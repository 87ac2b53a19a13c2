//! Sweeps and tornadoes (SPEC §11): `sensitivity::sweep` over every
//! producer ≥ 1% of every stage of world2024 (123 events), and over a
//! synthetic world of exactly 1,200 events; a tornado over world2024.
//!
//! `cargo bench --bench sweep` (also writes the synthetic world to
//! `target/sweep_1200.lode`, for whole-process timings of `lode sweep`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use lode::eval::Silent;
use lode::pipeline::{self, Compiled, Input};
use lode::sensitivity::{self, SweepOptions, TornadoOptions};

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

/// Twenty shares, each at least 1%, adding up to 81% (ROW holds 19%).
const SHARES: [u32; 20] = [9, 8, 7, 6, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2];

/// 40 actors, 20 minerals of 3 stages, 20 producers ≥ 1% at every stage
/// (20 × 3 × 20 = 1,200 events), 30 consumers at 3% each, a coalition of
/// ten, full rerouting under `allocation market`. Which actors produce
/// rotates with the mineral and the stage, so consumers are also
/// producers upstream and downstream.
pub fn world_1200() -> String {
    let mut out = String::from("# 1,200 sweep events: 20 minerals × 3 stages × 20 producers\n");
    let actors: Vec<String> = (0..40).map(|i| format!("A{i:02}")).collect();
    out += &format!("actor {}\n", actors.join(", "));
    out += &format!("coalition allies = {}\n", actors[..10].join(" + "));
    for m in 0..20 {
        out += &format!("mineral m{m:02} {{\n  stages mine, mill, make\n");
        for (s, stage) in ["mine", "mill", "make"].iter().enumerate() {
            let line: Vec<String> = SHARES
                .iter()
                .enumerate()
                .map(|(k, v)| format!("{} {v}%", actors[(k + 7 * m + 3 * s) % 40]))
                .collect();
            out += &format!("  {stage}: {}\n", line.join(", "));
        }
        let demand: Vec<String> = actors[..30].iter().map(|a| format!("{a} 3%")).collect();
        out += &format!("  demand: {}\n}}\n", demand.join(", "));
    }
    out += "allocation market\n";
    out
}

fn sweeps(c: &mut Criterion) {
    let mut group = c.benchmark_group("sweep");
    let world = compile(include_str!("../scenarios/sweep_world2024.lode"));
    let opts = SweepOptions::default();
    assert_eq!(
        sensitivity::sweep(&world.checked, &opts, &Silent)
            .events
            .len(),
        123
    );
    group.bench_function("world2024_123_events", |b| {
        b.iter(|| black_box(sensitivity::sweep(&world.checked, &opts, &Silent)))
    });
    let text = world_1200();
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sweep_1200.lode");
    let _ = std::fs::write(target, &text);
    let synthetic = compile(&text);
    assert_eq!(
        sensitivity::sweep(&synthetic.checked, &opts, &Silent)
            .events
            .len(),
        1200
    );
    group.bench_function("synthetic_1200_events", |b| {
        b.iter(|| black_box(sensitivity::sweep(&synthetic.checked, &opts, &Silent)))
    });
    group.bench_function("tornado_world2024", |b| {
        b.iter(|| {
            let mut sources = world.sources.clone();
            black_box(sensitivity::tornado(
                &world.checked,
                &mut sources,
                "<m>",
                "JP.rare_earths.shortfall",
                &TornadoOptions::default(),
            ))
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = sweeps
}
criterion_main!(benches);
