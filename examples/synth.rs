//! Writes a synthetic world (a `.lode` program) to standard output:
//!
//! ```text
//! cargo run --release --example synth -- --actors 200 --minerals 40 --stages 3 --scenarios 12 > /tmp/w.lode
//! ```
//!
//! Options (defaults in brackets): `--actors N` [200], `--minerals N` [40],
//! `--stages N` [3], `--scenarios N` [12, base included], `--seed N` [2024],
//! `--compare` (add `compare base, s01, s02`, a delta table of every row).
//! The generator itself lives in `benches/common/mod.rs`, shared with the
//! benchmarks.

#[path = "../benches/common/mod.rs"]
mod common;

use std::io::Write;

fn main() {
    let params = match common::parse_args(std::env::args().skip(1)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("synth: {e}");
            eprintln!(
                "usage: synth [--actors N] [--minerals N] [--stages N] [--scenarios N] [--seed N] [--compare]"
            );
            std::process::exit(2);
        }
    };
    let text = common::world(&params);
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("synth: cannot write: {e}");
            std::process::exit(1);
        }
    }
}
