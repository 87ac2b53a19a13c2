//! `lode fmt`: every program in one canonical layout (SPEC §13).
//!
//! The printer reads the concrete syntax tree ([`crate::syntax::tree`]), so
//! every token comes out exactly as written — names, aliases, numbers
//! (`1_000`, `12.50`), strings, dates — and only the blanks between tokens
//! change:
//! - one statement a line (`a; b` becomes two lines), blocks indented by
//!   two spaces, `{` at the end of its line and `}` on a line of its own
//!   (`{}` when the block is empty);
//! - one space between tokens, except none before `,` `:` `)`, none after
//!   `(` and a unary `-`, none around `..`, and none around the `+` of an
//!   anonymous coalition (`G7+AU covers 60% demand`, `report for G7+AU`),
//!   whose members spell its name;
//! - comments stay where they were: a comment on a line of its own stays on
//!   a line of its own, at the indentation of the code around it; a comment
//!   after code stays after that code, two spaces after it, and the
//!   trailing comments of consecutive lines line up;
//! - blank lines between statements are kept, a run of them as one; none at
//!   the start or end of the file or of a block.
//!
//! The printer is `crate::syntax::print`. The layout of each grammar rule
//! is decided there, one match arm per rule: a new rule does not compile
//! until it has its arm, and its tests fail until `FORMS` has an example
//! that makes the parser match it. Most new forms need nothing else: a statement of
//! keywords, names and values (`at 2026-01-01`, `samples 1000`, `CN bans
//! gallium to US as ban_us`, `refining only: CN 87%`) is a `Sequence` and
//! comes out one space apart. A form whose punctuation is spaced otherwise
//! gets a class for that token and a line in `spaced`: a call such
//! as `p95(JP.rare_earths.shortfall)` would give its name a class with no
//! space after it.
pub use crate::syntax::print::{format, format_source};
