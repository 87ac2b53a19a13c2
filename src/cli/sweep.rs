//! `lode sweep FILE` and `lode tornado FILE METRIC_REF` (SPEC §11),
//! computed by [`lode::sensitivity`] and rendered by
//! [`lode::report::sweep`].

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use lode::loader::FsLoader;
use lode::pipeline::{self, Compiled, Input};
use lode::report::{Format, RenderOptions};
use lode::sensitivity::{self, EventKind, SweepOptions, TornadoError, TornadoOptions};
use lode::source::SourceMap;

use super::{ExitCode, FormatArg, color_allowed, output, print_diags, stdout_width};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// `disrupt P m.s by X`: the producer's output falls
    Disrupt,
    /// `P restricts m.s to all by X`: its exports stop, home use is kept
    Restrict,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "One event per mineral, stage and producer (not ROW) with at least \
--min-share of the stage's world output, each evaluated as if its statement were appended to \
the scenario. The table lists each row's worst events by shortfall; CSV and JSON list every \
event × row.\n\nExamples:\n  lode sweep scenarios/sweep_world2024.lode --for JP,US --top 5\n  \
lode sweep scenarios/seed.lode --kind restrict --by 50% --on rare_earths\n  \
lode sweep scenarios/sweep_world2024.lode --min-share 5% --format csv -o events.csv"
)]
pub struct SweepArgs {
    /// Scenario file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The scenario the events are added to (default: base)
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// What each event does
    #[arg(long, value_enum, default_value_t = KindArg::Disrupt)]
    pub kind: KindArg,
    /// How much of the output (or exports) each event takes away
    #[arg(
        long,
        value_name = "PCT",
        default_value = "100%",
        allow_hyphen_values = true
    )]
    pub by: String,
    /// Leave out producers with less than this share of a stage's world output
    #[arg(
        long,
        value_name = "PCT",
        default_value = "1%",
        allow_hyphen_values = true
    )]
    pub min_share: String,
    /// Rows: actors, groups or coalitions (default: the scenario's report)
    #[arg(long = "for", value_name = "ROWS", value_delimiter = ',')]
    pub rows: Vec<String>,
    /// Minerals to sweep and show (default: the scenario's report, else all)
    #[arg(long = "on", value_name = "MINERALS", value_delimiter = ',')]
    pub minerals: Vec<String>,
    /// Events listed per row in a table or markdown
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub top: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Write the output to FILE (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Directory `use "path"` may not leave (default: the file's directory)
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Each uncertain value (`20%..60%`, `88% (85%..92%)`) is set to its low \
and its high end in turn, all else at its plain value; --vary also moves each plain `let` down \
and up by that share of its value. Sorted by swing |high − low|.\n\nExamples:\n  \
lode tornado scenarios/sweep_world2024.lode JP.rare_earths.shortfall\n  \
lode tornado scenarios/seed.lode JP.rare_earths.shortfall --vary 10%\n  \
lode tornado scenarios/seed.lode 'japan_cutoff: JP.rare_earths.shortfall' --format json"
)]
pub struct TornadoArgs {
    /// Scenario file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The metric: ACTOR.MINERAL.METRIC[.KEY], or `SCENARIO: ACTOR.MINERAL.METRIC`
    #[arg(value_name = "METRIC_REF")]
    pub metric: String,
    /// The scenario (default: base)
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Also move each plain `let` down and up by PCT of its value
    #[arg(long, value_name = "PCT", allow_hyphen_values = true)]
    pub vary: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Write the output to FILE (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Directory `use "path"` may not leave (default: the file's directory)
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

fn usage(message: &str) -> ExitCode {
    output::stderr(&format!("error: {message}\n"));
    ExitCode::Usage
}

/// Compiles the file; a failure is printed and gives the exit code.
fn compile(file: &Path, root: Option<&Path>, out: Option<&Path>) -> Result<Compiled, ExitCode> {
    let loader = FsLoader::for_file(file, root);
    let compiled = match pipeline::compile(Input::File(file), &loader) {
        Ok(c) => c,
        Err(f) => {
            print_diags(&f.diags, &f.sources);
            return Err(if f.io {
                ExitCode::Usage
            } else {
                ExitCode::Failed
            });
        }
    };
    print_diags(&compiled.warnings, &compiled.sources);
    if let Some(path) = out
        && super::refuse_source_output(path, &compiled.sources)
    {
        return Err(ExitCode::Usage);
    }
    Ok(compiled)
}

/// Writes the text to `-o FILE` or standard output.
fn emit(text: &str, out: Option<&Path>) -> ExitCode {
    let written = match out {
        Some(path) => output::write_file(path, text)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
        None => output::stdout(text).map_err(|e| format!("cannot write output: {e}")),
    };
    match written {
        Ok(()) => ExitCode::Ok,
        Err(e) => usage(e.as_str()),
    }
}

fn render_options(out: Option<&Path>) -> RenderOptions {
    let to_terminal = out.is_none() && std::io::stdout().is_terminal();
    RenderOptions {
        color: to_terminal && color_allowed(),
        width: if to_terminal { stdout_width() } else { None },
    }
}

pub fn sweep(args: &SweepArgs) -> ExitCode {
    let compiled = match compile(&args.file, args.root.as_deref(), args.output.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let checked = &compiled.checked;
    // `--by` and `--min-share` are read as the language reads a `by`:
    // outside 0..100% they are the statement's own E0402.
    let mut sources = SourceMap::new();
    let by = sensitivity::percent_option(&mut sources, "--by", &args.by);
    let min_share = sensitivity::percent_option(&mut sources, "--min-share", &args.min_share);
    let (by, min_share) = match (by, min_share) {
        (Ok(b), Ok(m)) => (b, m),
        (b, m) => {
            let diags: Vec<_> = [b.err(), m.err()].into_iter().flatten().collect();
            print_diags(&diags, &sources);
            return ExitCode::Failed;
        }
    };
    let scenario = match &args.scenario {
        None => lode::program::ScenarioId::BASE,
        Some(name) => match checked.scenario_id(name) {
            Some(id) => id,
            None => return no_scenario(checked, name),
        },
    };
    let rows = if args.rows.is_empty() {
        None
    } else {
        match lode::timeline::resolve_rows(checked, &args.rows) {
            Ok(r) => Some(r),
            Err(e) => return usage(&format!("--for: {e}")),
        }
    };
    let minerals = if args.minerals.is_empty() {
        None
    } else {
        match lode::timeline::resolve_minerals(checked, &args.minerals) {
            Ok(m) => Some(m),
            Err(e) => return usage(&format!("--on: {e}")),
        }
    };
    let opts = SweepOptions {
        scenario,
        kind: match args.kind {
            KindArg::Disrupt => EventKind::Disrupt,
            KindArg::Restrict => EventKind::Restrict,
        },
        by,
        min_share,
        rows,
        minerals,
        at: None,
    };
    let bar = super::progress::Bar::stderr_counting("events");
    let result = sensitivity::sweep(checked, &opts, &bar);
    drop(bar);
    let render = render_options(args.output.as_deref());
    let format = Format::from(args.format);
    let text = if format == Format::Html {
        lode::report::html::render_sweep(&result, args.top, &page_of(&compiled))
    } else {
        lode::report::sweep::render(&result, format, args.top, &render)
    };
    emit(&text, args.output.as_deref())
}

fn no_scenario(checked: &lode::program::Checked, name: &str) -> ExitCode {
    let names = checked.scenario_names();
    let hint = lode::diagnostic::suggest(name, names.iter().copied())
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    usage(&format!(
        "no scenario `{name}`{hint}; the scenarios are: {}",
        names.join(", ")
    ))
}

pub fn tornado(args: &TornadoArgs) -> ExitCode {
    let compiled = match compile(&args.file, args.root.as_deref(), args.output.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut sources = compiled.sources.clone();
    let vary = match &args.vary {
        None => None,
        Some(text) => match sensitivity::percent_option(&mut sources, "--vary", text) {
            Ok(v) => Some(v),
            Err(d) => {
                print_diags(&[d], &sources);
                return ExitCode::Failed;
            }
        },
    };
    let opts = TornadoOptions {
        scenario: args.scenario.clone(),
        vary,
        at: None,
    };
    let result = sensitivity::tornado(
        &compiled.checked,
        &mut sources,
        "<metric>",
        &args.metric,
        &opts,
    );
    let t = match result {
        Ok(t) => t,
        Err(TornadoError::Diags(diags)) => {
            print_diags(&diags, &sources);
            return ExitCode::Failed;
        }
        Err(e @ TornadoError::NoValue { .. }) => {
            output::stderr(&format!("error: {e}\n"));
            return ExitCode::Failed;
        }
    };
    let render = render_options(args.output.as_deref());
    let format = Format::from(args.format);
    let text = if format == Format::Html {
        lode::report::html::render_tornado(&t, &page_of(&compiled))
    } else {
        lode::report::sweep::render_tornado(&t, format, &render)
    };
    emit(&text, args.output.as_deref())
}

/// An HTML page titled by the program's file and its first comment.
fn page_of(compiled: &pipeline::Compiled) -> lode::report::html::Page {
    compiled
        .sources
        .get(compiled.main)
        .map(|f| lode::report::html::Page::of_source(&f.name, &f.text))
        .unwrap_or_default()
}
