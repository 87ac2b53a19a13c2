//! The model on its own (issue 9): the equilibrium and each allocation rule
//! (sticky, market, coalition_first) on synthetic markets of growing size,
//! and the equilibrium of world2024.
//!
//! Each benchmark runs over every mineral of one scenario (40 markets of
//! three stages), so it measures a realistic mix of market shapes.
//!
//! `cargo bench --bench model`

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use lode::eval::assemble;
use lode::model::{self, Market, Rule, equilibrium, shock};
use lode::pipeline::{self, Compiled, Input};

fn compile(text: String) -> Compiled {
    match pipeline::compile(
        Input::Text {
            name: "bench",
            text,
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

/// Every mineral's market in scenario `name`.
fn markets(c: &Compiled, name: &str) -> Vec<Market> {
    let s = c
        .checked
        .scenario_id(name)
        .unwrap_or_else(|| panic!("no scenario {name}"));
    let state = assemble::scenario(&c.checked, s, c.checked.as_of(s));
    let values = c.checked.plain_values();
    c.checked
        .world
        .mineral_ids()
        .map(|m| assemble::market(&c.checked, &state, m, &values).0)
        .collect()
}

fn with_rule(markets: &[Market], rule: impl Fn(&Market) -> Rule) -> Vec<Market> {
    markets
        .iter()
        .map(|m| Market {
            rule: rule(m),
            ..m.clone()
        })
        .collect()
}

fn equilibrium(c: &mut Criterion) {
    let mut group = c.benchmark_group("equilibrium");
    let world = compile("use world2024".to_string());
    let base = markets(&world, "base");
    group.bench_function("world2024", |b| {
        b.iter(|| {
            for m in &base {
                black_box(equilibrium::solve(black_box(m)));
            }
        })
    });
    for actors in [50, 100, 200] {
        let c = compile(common::world(&common::Params::new(actors, 40, 3, 12)));
        let base = markets(&c, "base");
        group.bench_with_input(BenchmarkId::new("synthetic_x40", actors), &base, |b, ms| {
            b.iter(|| {
                for m in ms {
                    black_box(equilibrium::solve(black_box(m)));
                }
            })
        });
    }
    group.finish();
}

fn allocation(c: &mut Criterion) {
    let mut group = c.benchmark_group("allocation");
    for actors in [50, 100, 200] {
        let c = compile(common::world(&common::Params::new(actors, 40, 3, 12)));
        // s02 is the generator's coalition_first scenario: restrictions and
        // disruptions on most minerals.
        let shocked = markets(&c, "s02");
        let members = |m: &Market| match &m.rule {
            Rule::CoalitionFirst { members } => members.clone(),
            Rule::Market => vec![false; m.actors],
        };
        let coalition = with_rule(&shocked, |m| Rule::CoalitionFirst {
            members: members(m),
        });
        let market = with_rule(&shocked, |_| Rule::Market);
        let eq: Vec<_> = market.iter().map(|m| equilibrium::solve(m).0).collect();
        group.bench_with_input(BenchmarkId::new("sticky", actors), &market, |b, ms| {
            b.iter(|| {
                for (m, e) in ms.iter().zip(&eq) {
                    black_box(shock::sticky(m, e));
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("market", actors), &market, |b, ms| {
            b.iter(|| {
                for (m, e) in ms.iter().zip(&eq) {
                    black_box(shock::rerouted(m, e));
                }
            })
        });
        group.bench_with_input(
            BenchmarkId::new("coalition_first", actors),
            &coalition,
            |b, ms| {
                b.iter(|| {
                    for (m, e) in ms.iter().zip(&eq) {
                        black_box(shock::rerouted(m, e));
                    }
                })
            },
        );
        // The whole model per market: equilibrium, both outcomes, the mix.
        group.bench_with_input(
            BenchmarkId::new("model_evaluate", actors),
            &coalition,
            |b, ms| {
                b.iter(|| {
                    for m in ms {
                        black_box(model::evaluate(m));
                    }
                })
            },
        );
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = equilibrium, allocation
}
criterion_main!(benches);
