//! Editor services, independent of any editor protocol: diagnostics with
//! their places resolved, what a position in a program refers to, hover
//! text, completion in context, the outline of a file, the classes of its
//! tokens for highlighting, and the TextMate grammar made from the
//! language's keyword list. Positions are byte offsets; a front end
//! converts them to its own (the language server's UTF-16 columns).

pub mod analysis;
pub mod complete;
pub mod highlight;
pub mod located;
pub mod navigate;
pub mod symbols;
pub mod textmate;
