//! The REPL's engine (SPEC §7), with no terminal in it: a growing program,
//! checked whole through the [pipeline](crate::pipeline) on every input and
//! rolled back when an input fails.
//!
//! - `engine`: the [`Session`] — inputs in, [`Reply`] values out.
//! - `commands`: the `:commands`, also terminal-free; `:save` asks the host
//!   to write through a [`Saver`].
//! - [`query`]: values of metrics and expressions, formatted.
//! - `sampled`: metric queries over samples (`:samples`, `:seed`).
//! - [`complete`]: what Tab offers, as a pure function of the session's names.
//!
//! The `lode` binary's REPL reads lines (rustyline on a terminal, or a
//! pipe), hands them to a session and prints the replies.

mod commands;
pub mod complete;
mod engine;
pub mod query;
mod sampled;
mod sensitivity;

pub use commands::{COMMANDS, SHOW_TOPICS};
pub use engine::{Display, Reply, Saver, Session, Start, StartError};
