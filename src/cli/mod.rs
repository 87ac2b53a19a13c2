//! The command line: argument parsing with clap, and each command's work.
//! `main.rs` only maps the returned [`ExitCode`]. Everything here renders
//! what the library returns; the work is done by [`lode::pipeline`].

mod atomic;
mod check;
mod coverage;
mod explain;
mod fmt;
mod import;
mod lsp;
mod output;
mod progress;
mod repl;
mod seen;
mod sweep;
mod test;
mod timeline;

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use lode::diagnostic::{Diag, Style, render_grouped};
use lode::eval::EvalOptions;
use lode::loader::FsLoader;
use lode::pipeline::{self, Compiled, Failed, Input};
use lode::report::{self, Format, RenderOptions, Units};
use lode::source::SourceMap;

/// Exit codes (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Ok = 0,
    Failed = 1,
    Usage = 2,
}

#[derive(Debug, Parser)]
#[command(
    name = "lode",
    version,
    about = "Critical-minerals supply-chain scenarios as code",
    long_about = "lode evaluates scenario files — `coalition G7+AU+IN+KR+MX covers 60% demand; \
china restricts rare_earths to JP` — into exposure tables: supply at risk, shortfall after \
rerouting, dependency through the whole chain, import reliance, concentration and stockpile cover.",
    after_help = "Examples:\n  lode run scenarios/seed.lode\n  lode run -e 'china restricts rare_earths to JP' --format json\n  lode test scenarios/\n  lode explain scenarios/seed.lode JP.rare_earths.shortfall\n  lode timeline scenarios/timeline_2023_2026.lode --for JP --on rare_earths\n  lode sweep scenarios/sweep_world2024.lode --for JP\n  lode repl"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Refuse (lode::E0106) a program whose evaluation is estimated to need
    /// more memory than SIZE (`8GiB`, `512MiB`); default 4GiB
    #[arg(long, global = true, value_name = "SIZE", value_parser = lode::eval::budget::parse_size)]
    pub max_memory: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate a scenario file and print its exposure tables
    #[command(after_help = "Examples:\n  lode run scenarios/japan_2026.lode\n  \
lode run scenarios/timeline_2023_2026.lode --at 2026-01-12\n  \
lode run -e 'china restricts rare_earths to JP' --format json")]
    Run(RunArgs),
    /// Parse and check files, and the data claims they make; print diagnostics only
    Check(CheckArgs),
    /// Evaluate every `expect` line; print "N passed, M failed"
    Test(TestArgs),
    /// Follow one scenario over time: shortfall, stockpiles and when they run out
    Timeline(timeline::TimelineArgs),
    /// Show how one number is made: its formula, its terms, the lines they rest on
    Explain(explain::ExplainArgs),
    /// Take out each producer in turn: which single supplier's loss hurts whom most
    Sweep(sweep::SweepArgs),
    /// Rank the inputs of one metric by how much they move it
    Tornado(sweep::TornadoArgs),
    /// Explore scenarios interactively
    Repl {
        /// Start from this file instead of `use world2024`
        file: Option<PathBuf>,
        /// Start with nothing loaded
        #[arg(long, conflicts_with = "file")]
        empty: bool,
    },
    /// List the embedded data sets, or print one
    Data {
        /// Data set to print (e.g. world2024)
        name: Option<String>,
        /// Instead of the text: per mineral and stage, the share of world
        /// output and demand that named countries hold (the rest is ROW), the
        /// figures by confidence label, and the coalition members without a
        /// demand figure
        #[arg(long, requires = "name")]
        coverage: bool,
    },
    /// Turn a trade table (UN Comtrade or CEPII BACI CSV) into sourcing lines to `use`
    #[command(after_help = import::EXAMPLES)]
    Import(import::ImportArgs),
    /// Rewrite files in the canonical layout (standard input to standard
    /// output when no file is named)
    Fmt {
        /// Change nothing: print a diff and exit 1 when a file is not formatted
        #[arg(long)]
        check: bool,
        /// Files to format
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Serve the Language Server Protocol on standard input and output
    Lsp,
    /// Print the TextMate grammar of the language (for editors/vscode)
    #[command(hide = true)]
    EditorGrammar,
    /// Print a shell completion script
    Completions {
        /// Shell to generate for
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories (every *.lode below a directory)
    #[arg(required = true, value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,
    /// Directory `use "path"` may not leave (default: each file's directory)
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Diagnostics as text on standard error, or as one JSON array on
    /// standard output
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Exit 1 if there is any warning
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (`-` reads standard input)
    #[arg(
        value_name = "FILE",
        required_unless_present = "expr",
        conflicts_with = "expr"
    )]
    pub file: Option<PathBuf>,
    /// Evaluate TEXT as the program
    #[arg(short = 'e', long = "expr", value_name = "TEXT")]
    pub expr: Option<String>,
    /// Show only this scenario
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Write the output to FILE instead of standard output: a regular file is
    /// replaced atomically (through a link, the file it points to), a device
    /// or FIFO written in place, `-` is standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Directory `use "path"` may not leave (default: the file's directory)
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Also give at-risk and shortfall in tonnes a year, where the mineral
    /// has a `volume`: `68.1% (4.15 kt/yr)`; `at_risk_t` and `shortfall_t`
    /// in JSON and CSV
    #[arg(long, value_enum, value_name = "UNIT")]
    pub units: Option<UnitsArg>,
    /// Exit 1 if there is any warning (the output is written all the same)
    #[arg(long)]
    pub deny_warnings: bool,
    /// Evaluate every scenario at this date (2026-01-12, 2026-01 or
    /// 2026Q1): only the statements in force on that day take part
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub at: Option<lode::date::Date>,
    #[command(flatten)]
    pub sampling: SampleArgs,
}

/// `--samples N --seed S` (SPEC §9.2).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SampleArgs {
    /// Draw N samples of the uncertain values (`20%..60%`) and show each
    /// metric as `p50 [p5–p95]`; overrides a `samples` line
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub samples: Option<String>,
    /// Seed of the samples (default: the file's `seed` line, else 0); the
    /// same seed gives the same output on any number of threads
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    pub seed: Option<String>,
}

impl SampleArgs {
    /// The options, checked; a bad value is printed and is a usage error.
    pub fn parse(&self) -> Result<(Option<usize>, Option<u64>), ExitCode> {
        lode::sample::from_options(self.samples.as_deref(), self.seed.as_deref()).map_err(|d| {
            print_diags(&[d], &SourceMap::new());
            ExitCode::Usage
        })
    }
}

/// A `DATE` option: `2026-01-12`, `2026-01` or `2026Q1`.
pub fn date_arg(s: &str) -> Result<lode::date::Date, String> {
    lode::date::Date::parse(s).map_err(|e| format!("{}; {}", e.message(s), e.help()))
}

/// `--format` of `lode run`: the library's [`Format`] as clap sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Aligned tables for a terminal.
    Table,
    /// GitHub-flavoured markdown: headings and pipe tables.
    Markdown,
    /// One header, one record per scenario, row and mineral.
    Csv,
    /// One record per value (scenario, mineral, actor, metric, key), for
    /// spreadsheets to pivot.
    CsvLong,
    /// Every result, comparison and expectation as JSON (schema in the README).
    Json,
    /// One self-contained HTML page: the tables, and charts as inline SVG;
    /// no request leaves it, it prints on A4.
    Html,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Csv => Format::Csv,
            FormatArg::CsvLong => Format::CsvLong,
            FormatArg::Json => Format::Json,
            FormatArg::Html => Format::Html,
        }
    }
}

/// `--units` of `lode run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnitsArg {
    /// Tonnes a year (t, kt, Mt), beside the shares.
    T,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    /// `[{"code", "severity", "message", "file", "span", "line", "column", "labels", "help"}]`
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Text,
    Junit,
}

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Files or directories (every *.lode below a directory)
    #[arg(required = true, value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,
    /// Report format
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
    /// Write the report to FILE (a regular file is replaced atomically; `-`
    /// is standard output)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Directory `use "path"` may not leave (default: each file's directory)
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Exit 1 if there is any warning
    #[arg(long)]
    pub deny_warnings: bool,
    /// Evaluate every scenario at this date; an `expect … at DATE` keeps its own
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub at: Option<lode::date::Date>,
    #[command(flatten)]
    pub sampling: SampleArgs,
}

/// Parses arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitCode::Usage
            } else {
                ExitCode::Ok
            };
            let _ = e.print();
            return code;
        }
    };
    if let Some(bytes) = cli.max_memory {
        lode::eval::budget::set_max_memory(bytes);
    }
    match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => check::command(&args),
        Command::Test(args) => test::command(&args),
        Command::Timeline(args) => timeline::command(&args),
        Command::Explain(args) => explain::command(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Tornado(args) => sweep::tornado(&args),
        Command::Repl { file, empty } => repl::command(file.as_deref(), empty),
        Command::Data {
            name: Some(name),
            coverage: true,
        } => coverage::command(&name),
        Command::Data { name, .. } => data(name.as_deref()),
        Command::Import(args) => import::command(&args),
        Command::Fmt { check, files } => fmt::command(&files, check),
        Command::Lsp => lsp::command(),
        Command::EditorGrammar => write_stdout(&lode::ide::textmate::grammar()),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "lode", &mut out);
            write_stdout(&String::from_utf8_lossy(&out))
        }
    }
}

/// Diagnostics styled for standard error.
pub fn stderr_style() -> Style {
    let tty = std::io::stderr().is_terminal();
    Style {
        color: tty && color_allowed(),
        unicode: true,
        width: if tty { terminal_width() } else { 100 },
    }
}

pub fn color_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(100)
}

/// The width of the terminal on standard output, for tables that fit it.
pub fn stdout_width() -> Option<u16> {
    terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| w.0)
}

pub fn print_diags<'a>(diags: impl IntoIterator<Item = &'a Diag>, sources: &SourceMap) {
    let diags: Vec<&Diag> = diags.into_iter().collect();
    if !diags.is_empty() {
        output::stderr(&render_grouped(diags, sources, stderr_style()));
    }
}

/// Says on stderr that `--deny-warnings` fails the run; true when it does.
pub fn deny_warnings(deny: bool, warnings: usize) -> bool {
    if deny && warnings > 0 {
        let s = if warnings == 1 { "" } else { "s" };
        output::stderr(&format!(
            "error: {warnings} warning{s}, and --deny-warnings makes any warning fail the run\n"
        ));
    }
    deny && warnings > 0
}

fn write_stdout(text: &str) -> ExitCode {
    match output::stdout(text) {
        Ok(()) => ExitCode::Ok,
        Err(e) => {
            output::stderr(&format!("error: cannot write output: {e}\n"));
            ExitCode::Usage
        }
    }
}

/// Reads the program a `run` names: a file, `-` for stdin, or `-e TEXT`.
fn load(args: &RunArgs) -> Result<Compiled, Failed> {
    let text_loader = FsLoader::for_text(args.root.as_deref());
    if let Some(text) = &args.expr {
        return pipeline::compile(
            Input::Text {
                name: "<expr>",
                text: text.clone(),
            },
            &text_loader,
        );
    }
    let file = args.file.as_deref().unwrap_or(Path::new("-"));
    if file == Path::new("-") {
        let mut bytes = Vec::new();
        let limit = lode::syntax::limits::MAX_FILE_BYTES as u64 + 1;
        if let Err(e) = std::io::stdin().take(limit).read_to_end(&mut bytes) {
            return Err(Failed {
                sources: SourceMap::new(),
                diags: vec![Diag::new(
                    lode::diagnostic::Code::CannotRead,
                    format!("cannot read standard input: {e}"),
                )],
                io: true,
            });
        }
        let text = match lode::syntax::limits::decode(&bytes, lode::source::SourceId(0)) {
            Ok(t) => t,
            Err((d, lossy)) => {
                let mut sources = SourceMap::new();
                sources.add("<stdin>", lossy, None);
                return Err(Failed {
                    sources,
                    diags: vec![d],
                    io: false,
                });
            }
        };
        return pipeline::compile(
            Input::Text {
                name: "<stdin>",
                text,
            },
            &text_loader,
        );
    }
    pipeline::compile(
        Input::File(file),
        &FsLoader::for_file(file, args.root.as_deref()),
    )
}

fn run(args: RunArgs) -> ExitCode {
    let compiled = match load(&args) {
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
    if let Some(path) = &args.output {
        if refuse_source_output(path, &compiled.sources) {
            return ExitCode::Usage;
        }
    }
    let only = match &args.scenario {
        Some(name) => match compiled.checked.scenario_id(name) {
            Some(id) => Some(id),
            None => {
                let names = compiled.checked.scenario_names();
                let hint = lode::diagnostic::suggest(name, names.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                output::stderr(&format!(
                    "error: no scenario `{name}`{hint}; the scenarios are: {}\n",
                    names.join(", ")
                ));
                return ExitCode::Usage;
            }
        },
        None => None,
    };
    // Progress on standard error, only on a terminal and only after a second.
    let (samples, seed) = match args.sampling.parse() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let sampling = match pipeline::sampling(&compiled, samples, seed) {
        Ok(s) => s,
        Err(diags) => {
            print_diags(&diags, &compiled.sources);
            return ExitCode::Failed;
        }
    };
    // Tonnes are figures of one evaluation; sampled results carry
    // statistics, which they would not match.
    if sampling.is_some() && args.units.is_some() {
        output::stderr(
            "error: `--units t` does not combine with sampling (`--samples` or a `samples` line) yet\n",
        );
        return ExitCode::Usage;
    }
    // A sampled run counts samples, and its message says so.
    let bar = if sampling.is_some() {
        progress::Bar::stderr_counting("")
    } else {
        progress::Bar::stderr()
    };
    let run = pipeline::evaluate(
        &compiled,
        &EvalOptions {
            only,
            at: args.at,
            sampling,
        },
        &bar,
    );
    drop(bar);
    let results = run.results;
    print_diags(&run.warnings, &compiled.sources);

    // `-o -` and `-o /dev/stdout` are standard output, like no `-o`.
    let to_stdout = args
        .output
        .as_deref()
        .is_none_or(|p| output::Target::of(p).is_ok_and(|t| t == output::Target::Stdout));
    let to_terminal = to_stdout && std::io::stdout().is_terminal();
    let opts = RenderOptions {
        color: to_terminal && color_allowed(),
        width: if to_terminal {
            stdout_width()
        } else {
            Some(120)
        },
    };
    let format = Format::from(args.format);
    let units = match args.units {
        Some(UnitsArg::T) => Units::Tonnes,
        None => Units::Shares,
    };
    // An HTML page is titled by the program's file and its first comment.
    let (page_name, page_text) = compiled
        .sources
        .get(compiled.main)
        .map(|f| (f.name.clone(), f.text.clone()))
        .unwrap_or_else(|| ("lode report".to_string(), "".into()));
    // JSON and CSV are streamed: a large world's results never exist twice
    // in memory.
    let fill = |w: &mut dyn std::io::Write| -> std::io::Result<()> {
        if format == Format::Html {
            let page = report::html::Page::of_source(&page_name, &page_text);
            w.write_all(report::html::render(&results, &page, units).as_bytes())
        } else {
            report::write_in(&results, format, &opts, units, w)
        }
    };
    let code = match &args.output {
        Some(path) => match output::write_file_with(path, fill) {
            Ok(()) => ExitCode::Ok,
            Err(e) => {
                output::stderr(&format!("error: cannot write `{}`: {e}\n", path.display()));
                return ExitCode::Usage;
            }
        },
        None => match output::stdout_with(fill) {
            Ok(()) => ExitCode::Ok,
            Err(e) => {
                output::stderr(&format!("error: cannot write output: {e}\n"));
                ExitCode::Usage
            }
        },
    };
    if code != ExitCode::Ok {
        return code;
    }
    // CSV has no expectations, and neither a file nor an HTML page is read on the spot: what
    // failed is said on stderr, so exit code 1 never comes unexplained.
    let failed: Vec<_> = results.expectations.iter().filter(|e| !e.passed).collect();
    let shown = to_stdout && !matches!(format, Format::Csv | Format::CsvLong | Format::Html);
    if !failed.is_empty() && !shown {
        let mut text: String = failed
            .iter()
            .map(|e| format!("{}\n", lode::testing::failure_line(e)))
            .collect();
        let of = results.expectations.len();
        text.push_str(&format!(
            "error: {} of {of} expectation{} failed\n",
            failed.len(),
            if of == 1 { "" } else { "s" }
        ));
        output::stderr(&text);
    }
    let denied = deny_warnings(args.deny_warnings, run.warnings.len());
    let failed = !failed.is_empty();
    // The process exits next: freeing a large run's rows one by one would
    // only delay that (a tenth of a 50,000-row run's time).
    std::mem::forget(results);
    if failed || denied {
        ExitCode::Failed
    } else {
        ExitCode::Ok
    }
}

/// Refuses (`lode::E0603`, printed) an `-o PATH` that would replace one of
/// the program's sources; the first source is the program itself.
pub(crate) fn refuse_source_output(path: &Path, sources: &SourceMap) -> bool {
    let files: Vec<&Path> = (0..sources.len())
        .filter_map(|i| sources.get(lode::source::SourceId(i as u32)))
        .filter_map(|f| f.path.as_deref())
        .collect();
    match output::replaced_source(path, files.iter().copied()) {
        Some(source) => {
            let main = files.first() == Some(&source);
            let shown = (0..sources.len())
                .filter_map(|i| sources.get(lode::source::SourceId(i as u32)))
                .find(|f| f.path.as_deref() == Some(source))
                .map_or_else(|| source.display().to_string(), |f| f.name.clone());
            let what = if main {
                "the program itself"
            } else {
                "a file the program uses"
            };
            print_diags(
                &[output::replaced_source_diag(path, Path::new(&shown), what)],
                sources,
            );
            true
        }
        None => false,
    }
}

fn data(name: Option<&str>) -> ExitCode {
    match name {
        None => {
            let mut out = String::new();
            for (n, text) in lode::data::DATASETS {
                let minerals = text
                    .lines()
                    .filter(|l| l.trim_start().starts_with("mineral "))
                    .count();
                let actors = text
                    .lines()
                    .filter(|l| l.trim_start().starts_with("actor "))
                    .count();
                // A data set of dated policies: its statements with a `from`.
                let policies = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with('#') && l.contains(" from "))
                    .count();
                if actors == 0 && minerals == 0 {
                    out.push_str(&format!("{n}\t{policies} dated policies\n"));
                } else {
                    out.push_str(&format!("{n}\t{actors} actors, {minerals} minerals\n"));
                }
            }
            write_stdout(&out)
        }
        Some(n) => match lode::data::dataset(n) {
            Some(text) => write_stdout(text),
            None => {
                let names: Vec<&str> = lode::data::DATASETS.iter().map(|(n, _)| *n).collect();
                output::stderr(&format!(
                    "error: no data set `{n}`; the embedded data sets are: {}\n",
                    names.join(", ")
                ));
                ExitCode::Usage
            }
        },
    }
}
