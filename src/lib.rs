//! lode: critical-minerals supply-chain scenarios.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//!  text ──syntax::parse──▶ ast::Program ──check──▶ program::Checked
//!       ──eval──▶ eval::Results ──report──▶ table | markdown | csv | json
//! ```
//!
//! `syntax` is the only module that touches pest; `model` is pure arithmetic
//! on one mineral at a time; `report` only formats.
#![forbid(unsafe_code)]

pub mod ast;
pub mod diagnostic;
pub mod model;
pub mod source;
pub mod syntax;
