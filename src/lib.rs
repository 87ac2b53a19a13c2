//! lode: critical-minerals supply-chain scenarios, as a library.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//!   Loader ──▶ source ──syntax::parse──▶ ast::Program ──check──▶ program::Checked
//!          ──eval──▶ results::Results ──report──▶ table | markdown | csv | json | junit
//! ```
//!
//! - [`loader`]: where text comes from — files on disk under a root, an
//!   editor's buffers, strings in a test. The library reads nothing else.
//! - [`syntax`] is the only module that touches pest; [`ast`] is what it
//!   builds, with owned spans into a [`source::SourceMap`].
//! - [`check`] resolves names, units and scenarios into [`program`] types,
//!   reporting every independent error as a [`diagnostic::Diag`] (data).
//! - [`eval`] assembles each scenario and runs [`model`] (pure arithmetic on
//!   one mineral at a time) into [`results`], typed by [`metric`].
//! - [`report`] only formats results as text; [`format`] prints a program
//!   in its canonical layout (`lode fmt`).
//! - [`ide`]: what editors ask of a program (diagnostics with lines and
//!   columns, hover, completion, definitions, symbols, highlighting).
//! - [`explain`] shows how one number is made: its terms and the lines
//!   they rest on (`lode explain`, the REPL's `:explain`).
//! - [`date`] reads the dates of dated statements; [`timeline`] evaluates
//!   a scenario step by step, with stockpiles that deplete.
//! - [`sensitivity`] sweeps single-supplier events over a scenario and
//!   ranks the inputs of one metric (`lode sweep`, `lode tornado`).
//! - [`pipeline`] strings the stages together; [`session`] is the REPL's
//!   engine; [`testing`] evaluates `expect` lines file by file.
//!
//! No module here touches a terminal: the `lode` binary's front ends (the
//! command line, the interactive REPL, progress bars, colours) render what
//! the library returns, behind the `cli` feature.
#![forbid(unsafe_code)]
// A user error is a diagnostic, never an unwrap; a broken invariant panics
// with "internal error". Tests may unwrap.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

// pest without its `std` feature (see Cargo.toml) generates code that
// names the `alloc` crate.
extern crate alloc;

pub mod ast;
pub mod check;
pub mod coverage;
pub mod data;
pub mod date;
pub mod diagnostic;
pub mod eval;
pub mod explain;
pub mod format;
pub mod ide;
pub mod import;
pub mod loader;
pub mod metric;
pub mod model;
pub mod pipeline;
pub mod program;
pub mod report;
pub mod results;
pub mod sample;
pub mod sensitivity;
pub mod session;
pub mod source;
pub mod syntax;
pub mod testing;
pub mod timeline;
