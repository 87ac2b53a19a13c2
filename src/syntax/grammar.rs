//! The pest binding. Nothing outside `syntax` sees pest types.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/lode.pest"]
pub(crate) struct LodeParser;
