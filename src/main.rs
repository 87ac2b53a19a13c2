//! The `lode` command: the front ends — command line, interactive REPL,
//! progress bars, terminal styles and file output — over the `lode` library.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod cli;

fn main() {
    let code = cli::main();
    std::process::exit(code as i32);
}
