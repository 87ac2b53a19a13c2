//! Synthetic worlds for benchmarks and scale tests.
//!
//! [`world`] writes a self-contained `.lode` program: `actors` declared
//! actors (`A000`, `A001`, …) with a GDP, four regional groups and one
//! coalition `allies`, `minerals` minerals (`m000`, …) of `stages` stages
//! each, with share lines, demand, bilateral `sources` lines, volumes and
//! stockpiles, then `scenarios` scenarios (`base` plus blocks `s01`, …)
//! mixing restrictions, bans, disruptions, added capacity, `rerouting` and
//! the three allocation rules, and a few `expect` lines (a `compare` line
//! only with `compare`).
//!
//! Everything is drawn from a small seeded generator (SplitMix64), so a
//! given [`Params`] always gives the same text byte for byte. Shares are
//! heavy-tailed like real markets (a few producers hold most of a stage),
//! and the set of producers and consumers grows with `actors`, so doubling
//! the actors doubles the size of every market.
//!
//! Used by `examples/synth.rs` (the command-line generator) and by the
//! benches under `benches/` through `mod common;`.
#![allow(dead_code)]

use std::fmt::Write;

/// The size of a synthetic world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub actors: usize,
    pub minerals: usize,
    pub stages: usize,
    pub scenarios: usize,
    pub seed: u64,
    /// Add `compare base, s01, s02`: a delta table of every metric of every
    /// row, which for large worlds outweighs the evaluation itself.
    pub compare: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            actors: 200,
            minerals: 40,
            stages: 3,
            scenarios: 12,
            seed: 2024,
            compare: false,
        }
    }
}

impl Params {
    pub fn new(actors: usize, minerals: usize, stages: usize, scenarios: usize) -> Self {
        Params {
            actors,
            minerals,
            stages,
            scenarios,
            ..Params::default()
        }
    }
}

/// SplitMix64: tiny, seeded, identical on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// `k` distinct indices of `0..n`, in random order.
    fn pick(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        let k = k.min(n);
        for i in 0..k {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(k);
        all
    }
}

const STAGE_NAMES: &[&str] = &["mining", "refining", "products", "components", "assembly"];

fn stage_name(s: usize) -> String {
    match STAGE_NAMES.get(s) {
        Some(n) => (*n).to_string(),
        None => format!("stage{s}"),
    }
}

fn actor(a: usize) -> String {
    format!("A{a:03}")
}

fn mineral(m: usize) -> String {
    format!("m{m:03}")
}

/// One mineral's share lines, kept to draw shocks that bite.
struct Mineral {
    /// Per stage, `(actor, share)` largest first.
    stages: Vec<Vec<(usize, f64)>>,
    demand: Vec<(usize, f64)>,
}

/// Heavy-tailed shares over `k` distinct actors summing to `total`
/// (a fraction), largest first, rounded down to 1e-6 so the named list
/// never exceeds `total`. Weights are Pareto-like, `u^-tail`: a tail of
/// 1.2 gives a few dominant producers.
fn shares(rng: &mut Rng, actors: usize, k: usize, total: f64, tail: f64) -> Vec<(usize, f64)> {
    let who = rng.pick(actors, k);
    let weights: Vec<f64> = who.iter().map(|_| (1.0 - rng.unit()).powf(-tail)).collect();
    let sum: f64 = weights.iter().sum();
    let mut out: Vec<(usize, f64)> = who
        .into_iter()
        .zip(weights)
        .map(|(a, w)| (a, (w / sum * total * 1e6).floor() / 1e6))
        .filter(|&(_, s)| s > 0.0)
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

fn share_list(list: &[(usize, f64)]) -> String {
    let mut s = String::new();
    for (i, &(a, v)) in list.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        // Percent with four decimals: exact for shares rounded to 1e-6.
        let _ = write!(s, "{} {:.4}%", actor(a), v * 100.0);
    }
    s
}

/// Writes the synthetic program for `p`.
pub fn world(p: &Params) -> String {
    let n = p.actors.max(8);
    let k = p.stages.max(1);
    let mut rng = Rng(p.seed ^ 0x6C6F_6465);
    let mut out = String::with_capacity(64 * n + 4096 * p.minerals * k);
    let _ = writeln!(
        out,
        "# Synthetic world: {n} actors, {} minerals of {k} stages, {} scenarios (seed {}).\n\
         # Generated by `cargo run --release --example synth`; see benches/common/mod.rs.\n",
        p.minerals, p.scenarios, p.seed
    );

    // Actors with a GDP between $1B and $20T, heavy-tailed.
    for a in 0..n {
        let gdp = (1.0 - rng.unit()).powf(-1.5).min(20_000.0);
        let _ = writeln!(out, "actor {} gdp ${gdp:.1}B", actor(a));
    }
    out.push('\n');

    // Four regions partition the actors; the coalition takes a quarter of
    // them, from every region.
    let regions = 4;
    for r in 0..regions {
        let members: Vec<String> = (0..n).filter(|a| a % regions == r).map(actor).collect();
        let _ = writeln!(out, "group R{r} = {}", members.join(" + "));
    }
    let allies: Vec<usize> = {
        let mut v = rng.pick(n, n / 4);
        v.sort_unstable();
        v
    };
    let is_ally = |a: usize| allies.binary_search(&a).is_ok();
    let _ = writeln!(
        out,
        "coalition allies = {}\n",
        allies
            .iter()
            .map(|&a| actor(a))
            .collect::<Vec<_>>()
            .join(" + ")
    );

    // Minerals. Producers per stage: a sixth of the actors (at least 3),
    // narrowing downstream; consumers: half of the actors.
    let mut minerals = Vec::with_capacity(p.minerals);
    for m in 0..p.minerals {
        let name = mineral(m);
        let stage_names: Vec<String> = (0..k).map(stage_name).collect();
        let _ = writeln!(out, "mineral {name} {{");
        if k > 1 || rng.chance(0.5) {
            let _ = writeln!(out, "  stages {}", stage_names.join(", "));
        }
        let volume = 1.0 + 999.0 * rng.unit();
        let _ = writeln!(out, "  volume {volume:.1} kt");
        let mut stages = Vec::with_capacity(k);
        for (s, sname) in stage_names.iter().enumerate() {
            let producers = (n / (6 + 2 * s)).max(3);
            let named = 0.90 + 0.09 * rng.unit();
            let list = shares(&mut rng, n, producers, named, 1.2);
            let sname = if k > 1 || p.stages > 1 {
                sname.as_str()
            } else {
                "supply"
            };
            let _ = writeln!(out, "  {sname}: {}", share_list(&list));
            stages.push(list);
        }
        let consumers = (n / 2).max(3);
        let named = 0.85 + 0.1 * rng.unit();
        let demand = shares(&mut rng, n, consumers, named, 0.8);
        let _ = writeln!(out, "  demand: {}", share_list(&demand));
        // Two bilateral sourcing lines: a downstream producer (or a
        // consumer at the final stage) buying from the stage's leaders. A
        // buyer has one line per stage (E0507): a second draw of the same
        // buyer and stage is dropped, after its numbers are drawn, so the
        // rest of the world does not depend on it.
        let mut lines: Vec<(usize, usize)> = Vec::with_capacity(2);
        for _ in 0..2 {
            let s = rng.below(k);
            let buyers = stages.get(s + 1).unwrap_or(&demand);
            let buyer = buyers[rng.below(buyers.len().min(8))].0;
            let sellers: Vec<(usize, f64)> = stages[s]
                .iter()
                .take(3)
                .filter(|&&(a, _)| a != buyer)
                .take(2)
                .map(|&(a, _)| (a, 0.2 + 0.2 * rng.unit()))
                .collect();
            if sellers.is_empty() || lines.contains(&(buyer, s)) {
                continue;
            }
            lines.push((buyer, s));
            let list: Vec<String> = sellers
                .iter()
                .map(|&(a, v)| format!("{} {:.1}%", actor(a), v * 100.0))
                .collect();
            let stage = if s + 1 == k {
                String::new()
            } else {
                format!(" {}", stage_names[s])
            };
            let _ = writeln!(
                out,
                "  {} sources{stage}: {}",
                actor(buyer),
                list.join(", ")
            );
        }
        let _ = writeln!(out, "  source \"synthetic (seed {})\"", p.seed);
        out.push_str("}\n");
        minerals.push(Mineral { stages, demand });
    }
    out.push('\n');

    // Base: stockpiles for a few large consumers.
    for (m, mi) in minerals.iter().enumerate() {
        for &(a, _) in mi.demand.iter().take(2) {
            let days = 30 + rng.below(150);
            let _ = writeln!(out, "stockpile {} {} {days} days", actor(a), mineral(m));
        }
    }
    let _ = writeln!(out, "let cut = 40%\n");

    // Scenarios: six kinds in turn.
    let blocks = p.scenarios.saturating_sub(1);
    for i in 1..=blocks {
        let kind = (i - 1) % 6;
        let extends = if kind == 5 && i > 1 {
            format!(" extends s{:02}", i - 1)
        } else {
            String::new()
        };
        let _ = writeln!(out, "scenario s{i:02}{extends} {{");
        match kind {
            0 => out.push_str("  allocation market\n"),
            1 => out.push_str("  allocation coalition_first\n"),
            2 => out.push_str("  allocation market\n  rerouting 50%\n"),
            3 => out.push_str("  allocation sticky\n"),
            4 => out.push_str("  allocation coalition_first allies\n  rerouting 75%\n"),
            _ => {}
        }
        for (m, mi) in minerals.iter().enumerate() {
            let mname = mineral(m);
            // A restriction by one of a stage's three leaders on most minerals.
            if rng.chance(0.7) {
                let s = rng.below(k);
                let leaders = &mi.stages[s];
                let exporter = leaders[rng.below(leaders.len().min(3))].0;
                let target = match rng.below(4) {
                    0 => "all".to_string(),
                    1 => "all except allies".to_string(),
                    // A region other than the exporter's own (W0303).
                    2 => format!(
                        "R{}",
                        (exporter % regions + 1 + rng.below(regions - 1)) % regions
                    ),
                    _ => {
                        let t: Vec<String> = rng
                            .pick(n, 5)
                            .into_iter()
                            .filter(|&a| a != exporter)
                            .map(actor)
                            .collect();
                        t.join(" + ")
                    }
                };
                let how = match rng.below(3) {
                    0 => " by cut".to_string(),
                    1 => format!(" by {}%", 10 + 10 * rng.below(9)),
                    _ => String::new(),
                };
                let stage = if k > 1 {
                    format!(".{}", stage_name(s))
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "  {} restricts {mname}{stage} to {target}{how}",
                    actor(exporter)
                );
            }
            // A disruption at source on some.
            if rng.chance(0.3) {
                let leaders = &mi.stages[0];
                let a = leaders[rng.below(leaders.len().min(4))].0;
                let stage = if k > 1 {
                    format!(".{}", stage_name(0))
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "  disrupt {} {mname}{stage} by {}%",
                    actor(a),
                    10 + 5 * rng.below(12)
                );
            }
            // New capacity from a coalition member now and then.
            if kind >= 4 && rng.chance(0.2) {
                let a = allies[rng.below(allies.len())];
                let s = rng.below(k);
                let stage = if k > 1 {
                    format!(".{}", stage_name(s))
                } else {
                    String::new()
                };
                debug_assert!(is_ally(a));
                let _ = writeln!(
                    out,
                    "  {} adds {}% {mname}{stage}",
                    actor(a),
                    1 + rng.below(5)
                );
            }
        }
        out.push_str("}\n");
    }
    out.push('\n');

    if p.compare && blocks >= 2 {
        let _ = writeln!(out, "compare base, s01, s02");
    }
    // Expectations that hold by construction (every metric is a fraction).
    for i in 1..=blocks.min(3) {
        let _ = writeln!(
            out,
            "expect s{i:02}: allies.{}.shortfall <= 100%",
            mineral(0)
        );
    }
    if !minerals.is_empty() {
        let _ = writeln!(out, "expect allies.{}.shortfall >= 0%", mineral(0));
    }
    out
}

/// Parses `--actors N --minerals N --stages N --scenarios N --seed N
/// [--compare]`.
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Params, String> {
    let mut p = Params::default();
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        if flag == "--compare" {
            p.compare = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("`{flag}` needs a value"))?;
        let number = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("`{flag}` needs a whole number, not `{v}`"))
        };
        match flag.as_str() {
            "--actors" => p.actors = number(&value)? as usize,
            "--minerals" => p.minerals = number(&value)? as usize,
            "--stages" => p.stages = number(&value)? as usize,
            "--scenarios" => p.scenarios = number(&value)? as usize,
            "--seed" => p.seed = number(&value)?,
            _ => return Err(format!("unknown option `{flag}`")),
        }
    }
    if p.actors < 8 || p.actors > 9999 {
        return Err("--actors must be between 8 and 9999".into());
    }
    if p.minerals == 0 || p.stages == 0 || p.scenarios == 0 {
        return Err("--minerals, --stages and --scenarios must be at least 1".into());
    }
    Ok(p)
}
