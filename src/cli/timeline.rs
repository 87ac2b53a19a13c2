//! `lode timeline FILE`: one scenario evaluated step by step (SPEC §8.3),
//! computed by [`lode::timeline`] and rendered by
//! [`lode::report::timeline`].

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;

use lode::date::{Date, Step};
use lode::loader::FsLoader;
use lode::pipeline::{self, Input};
use lode::report::{Format, RenderOptions};
use lode::timeline::{self, TimelineOptions};

use super::{ExitCode, FormatArg, color_allowed, date_arg, output, print_diags, stdout_width};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "The scenario is evaluated at each step date; the situation of a step \
holds until the next. Stockpiles deplete: a stock of L days covers a shortfall f for L/f days, \
then runs out.\n\nExamples:\n  lode timeline scenarios/timeline_2023_2026.lode --for JP --on \
rare_earths\n  lode timeline scenarios/timeline_2023_2026.lode --from \
2025-10 --until 2027-01 --step quarter --format csv -o timeline.csv\n  lode timeline \
scenarios/uncertain_2026.lode --scenario controls --from 2026-01 --until 2027-07 --samples 1000"
)]
pub struct TimelineArgs {
    /// Scenario file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The scenario to follow (default: base)
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// First step (default: the earliest date the scenario names)
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub from: Option<Date>,
    /// End of the last step (default: 12 months after the latest date the scenario names)
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub until: Option<Date>,
    /// Length of a step
    #[arg(long, value_enum, default_value_t = StepArg::Month)]
    pub step: StepArg,
    /// Rows: actors, groups or coalitions (default: the scenario's report)
    #[arg(long = "for", value_name = "ROWS", value_delimiter = ',')]
    pub rows: Vec<String>,
    /// Minerals (default: the scenario's report)
    #[arg(long = "on", value_name = "MINERALS", value_delimiter = ',')]
    pub minerals: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Write the output to FILE (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Directory `use "path"` may not leave (default: the file's directory)
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    #[command(flatten)]
    pub sampling: super::SampleArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StepArg {
    Week,
    Month,
    Quarter,
    Year,
}

impl From<StepArg> for Step {
    fn from(s: StepArg) -> Step {
        match s {
            StepArg::Week => Step::Week,
            StepArg::Month => Step::Month,
            StepArg::Quarter => Step::Quarter,
            StepArg::Year => Step::Year,
        }
    }
}

fn usage(message: &str) -> ExitCode {
    output::stderr(&format!("error: {message}\n"));
    ExitCode::Usage
}

pub fn command(args: &TimelineArgs) -> ExitCode {
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
    print_diags(&compiled.warnings, &compiled.sources);
    if let Some(path) = &args.output
        && super::refuse_source_output(path, &compiled.sources)
    {
        return ExitCode::Usage;
    }
    let checked = &compiled.checked;
    let scenario = match &args.scenario {
        None => lode::program::ScenarioId::BASE,
        Some(name) => match checked.scenario_id(name) {
            Some(id) => id,
            None => {
                let names = checked.scenario_names();
                let hint = lode::diagnostic::suggest(name, names.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return usage(&format!(
                    "no scenario `{name}`{hint}; the scenarios are: {}",
                    names.join(", ")
                ));
            }
        },
    };
    let rows = if args.rows.is_empty() {
        None
    } else {
        match timeline::resolve_rows(checked, &args.rows) {
            Ok(r) => Some(r),
            Err(e) => return usage(&format!("--for: {e}")),
        }
    };
    let minerals = if args.minerals.is_empty() {
        None
    } else {
        match timeline::resolve_minerals(checked, &args.minerals) {
            Ok(m) => Some(m),
            Err(e) => return usage(&format!("--on: {e}")),
        }
    };
    let opts = TimelineOptions {
        scenario,
        from: args.from,
        until: args.until,
        step: args.step.into(),
        rows,
        minerals,
    };
    let (samples, seed) = match args.sampling.parse() {
        Ok(s) => s,
        Err(code) => return code,
    };
    // The file's `samples` line counts here too; its `p5(…)` expectations
    // are `lode test`'s business, not the timeline's.
    let result = match lode::sample::resolve(checked, samples, seed) {
        Some(sampling) => timeline::timeline_sampled(checked, &opts, sampling),
        None => timeline::timeline(checked, &opts),
    };
    let tl = match result {
        Ok(t) => t,
        Err(e) => return usage(&e.to_string()),
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let render = RenderOptions {
        color: to_terminal && color_allowed(),
        width: if to_terminal { stdout_width() } else { None },
    };
    let format = Format::from(args.format);
    let text = if format == Format::Html {
        // Titled by the program's file and its first comment.
        let page = compiled
            .sources
            .get(compiled.main)
            .map(|f| lode::report::html::Page::of_source(&f.name, &f.text))
            .unwrap_or_default();
        lode::report::html::render_timeline(&tl, &page)
    } else {
        lode::report::timeline::render(&tl, format, &render)
    };
    let written = match &args.output {
        Some(path) => output::write_file(path, &text)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
        None => output::stdout(&text).map_err(|e| format!("cannot write output: {e}")),
    };
    match written {
        Ok(()) => ExitCode::Ok,
        Err(e) => usage(e.as_str()),
    }
}
