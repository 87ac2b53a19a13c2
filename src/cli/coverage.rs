//! `lode data NAME --coverage`: what the library's [`lode::coverage`]
//! finds in an embedded data set, as aligned tables.

use super::{ExitCode, output, print_diags};

pub fn command(name: &str) -> ExitCode {
    if lode::data::dataset(name).is_none() {
        let names: Vec<&str> = lode::data::DATASETS.iter().map(|(n, _)| *n).collect();
        output::stderr(&format!(
            "error: no data set `{name}`; the embedded data sets are: {}\n",
            names.join(", ")
        ));
        return ExitCode::Usage;
    }
    match lode::coverage::dataset(name) {
        Ok(c) => match output::stdout(&lode::coverage::render(&c)) {
            Ok(()) => ExitCode::Ok,
            Err(e) => {
                output::stderr(&format!("error: cannot write output: {e}\n"));
                ExitCode::Usage
            }
        },
        Err(f) => {
            print_diags(&f.diags, &f.sources);
            ExitCode::Failed
        }
    }
}
