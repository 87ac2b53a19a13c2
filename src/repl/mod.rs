//! The interactive session (SPEC §7).

use std::path::Path;

use crate::cli::ExitCode;

pub fn command(_file: Option<&Path>, _empty: bool) -> ExitCode {
    crate::output::stderr("error: the REPL is not available in this build\n");
    ExitCode::Usage
}
