//! `lode explain FILE METRIC_REF`: how one number is made (SPEC §10), as
//! text or JSON. The work is [`lode::explain`]'s; this renders it.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;

use lode::explain::{self, ExplainOptions};
use lode::loader::FsLoader;
use lode::pipeline::{self, Input};

use super::{ExitCode, output, print_diags, stdout_width};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// For people: the value, the formula, the terms with their lines.
    Text,
    /// The explanation as data (schema in the README).
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Scenario file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The number to explain: ACTOR.MINERAL.METRIC[.KEY], or
    /// `SCENARIO: ACTOR.MINERAL.METRIC`
    #[arg(value_name = "METRIC_REF")]
    pub metric: String,
    /// The scenario to explain it in (default: base)
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
    /// Directory `use "path"` may not leave (default: the file's directory)
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Explain it at this date (2026-01-12, 2026-01 or 2026Q1) rather than
    /// the scenario's own
    #[arg(long, value_name = "DATE", value_parser = super::date_arg)]
    pub at: Option<lode::date::Date>,
}

pub fn command(args: &ExplainArgs) -> ExitCode {
    let loader = FsLoader::for_file(&args.file, args.root.as_deref());
    let compiled = match pipeline::compile(Input::File(&args.file), &loader) {
        Ok(c) => c,
        Err(f) => {
            print_diags(&f.diags, &f.sources);
            return if f.io {
                ExitCode::Usage
            } else {
                ExitCode::Failed
            };
        }
    };
    let opts = ExplainOptions {
        scenario: args.scenario.clone(),
        at: args.at,
    };
    let mut sources = compiled.sources.clone();
    let target = match explain::resolve(
        &compiled.checked,
        &mut sources,
        "<metric>",
        &args.metric,
        &opts,
    ) {
        Ok(t) => t,
        Err(diags) => {
            print_diags(&diags, &sources);
            return ExitCode::Failed;
        }
    };
    let explanation = match explain::explain(&compiled.checked, &sources, &target, &opts) {
        Ok(e) => e,
        Err(no) => {
            output::stderr(&format!("error: {no}\n"));
            return ExitCode::Failed;
        }
    };
    let text = match args.format {
        ExplainFormat::Json => match serde_json::to_string_pretty(&explanation) {
            Ok(mut j) => {
                j.push('\n');
                j
            }
            Err(e) => {
                output::stderr(&format!("internal error: cannot write JSON: {e}\n"));
                return ExitCode::Failed;
            }
        },
        ExplainFormat::Text => {
            let width = if std::io::stdout().is_terminal() {
                stdout_width().map_or(100, usize::from)
            } else {
                100
            };
            explain::text(&explanation, width)
        }
    };
    match output::stdout(&text) {
        Ok(()) => ExitCode::Ok,
        Err(e) => {
            output::stderr(&format!("error: cannot write output: {e}\n"));
            ExitCode::Usage
        }
    }
}
