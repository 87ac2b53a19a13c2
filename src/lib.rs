//! lode: critical-minerals supply-chain scenarios.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//!  text ──syntax::parse──▶ ast::Program ──check──▶ program::Checked
//!       ──eval──▶ results::Results ──report──▶ table | markdown | csv | json
//! ```
//!
//! `syntax` is the only module that touches pest; `model` is pure arithmetic
//! on one mineral at a time; `report` only formats; `pipeline` strings the
//! stages together for the CLI, the REPL and the tests.
#![forbid(unsafe_code)]
// A user error is a diagnostic, never an unwrap; a broken invariant panics
// with "internal error". Tests may unwrap.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod ast;
pub mod check;
pub mod cli;
pub mod data;
pub mod diagnostic;
pub mod eval;
pub mod load;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod program;
pub mod repl;
pub mod report;
pub mod results;
pub mod source;
pub mod syntax;
pub mod testing;
