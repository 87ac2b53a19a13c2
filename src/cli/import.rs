//! `lode import`: a trade table on disk → a fragment of sourcing lines on
//! stdout or in `-o FILE`. The reading of the table is the library's
//! ([`lode::import`]); this reads the file and writes the result.

use std::path::PathBuf;

use clap::ValueEnum;

use lode::diagnostic::{Code, Diag};
use lode::import::{self, Measure, Options, Source};
use lode::source::SourceMap;

use super::{ExitCode, output, print_diags};

pub const EXAMPLES: &str = "\
Examples:
  lode import comtrade.csv --from comtrade --mineral nickel --stage refining -o nickel_trade.lode
  lode import BACI_HS22_Y2023.csv --from baci --mineral cobalt --hs 282200 --measure value

Then, in a scenario file:
  use world2024
  use \"nickel_trade.lode\"";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FromArg {
    /// UN Comtrade CSV: period, reporterISO, partnerISO, flowCode, cmdCode, netWgt, primaryValue
    Comtrade,
    /// CEPII BACI CSV: t, i, j, k, v, q
    Baci,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MeasureArg {
    /// Net weight (Comtrade netWgt, BACI q)
    Weight,
    /// Value (Comtrade primaryValue, BACI v)
    Value,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The trade table, a CSV file as downloaded
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Where the table comes from
    #[arg(long, value_enum)]
    pub from: FromArg,
    /// Mineral the lines are for, declared elsewhere (e.g. in world2024)
    #[arg(long, value_name = "M")]
    pub mineral: String,
    /// Stage of the mineral (default: its last stage)
    #[arg(long, value_name = "S")]
    pub stage: Option<String>,
    /// HS codes to read, comma-separated (default: every code in the file)
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub hs: Vec<String>,
    /// Year to read (default: the latest in the file)
    #[arg(long, value_name = "Y")]
    pub year: Option<i32>,
    /// What the shares are shares of
    #[arg(long, value_enum, default_value_t = MeasureArg::Weight)]
    pub measure: MeasureArg,
    /// Partners under this share of an importer's imports are left to the pooled market
    #[arg(long, value_name = "PCT", default_value = "1%", value_parser = percent)]
    pub min_share: f64,
    /// Write the fragment to FILE (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `1`, `1%` or `0.5%` → a fraction, from 0 up to (not including) 100%.
fn percent(s: &str) -> Result<f64, String> {
    let n = s.trim().trim_end_matches('%').trim();
    match n.parse::<f64>() {
        Ok(v) if (0.0..100.0).contains(&v) => Ok(v / 100.0),
        Ok(_) => Err("a percentage from 0 up to (not including) 100".into()),
        Err(_) => Err(format!("`{s}` is not a percentage (e.g. `1%` or `0.5`)")),
    }
}

pub fn command(args: &ImportArgs) -> ExitCode {
    let shown = args.file.display().to_string();
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            print_diags(
                &[Diag::new(
                    Code::CannotRead,
                    format!("cannot read `{shown}`: {e}"),
                )],
                &SourceMap::new(),
            );
            return ExitCode::Usage;
        }
    };
    let mut sources = SourceMap::new();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let id = sources.add(shown.clone(), lossy, Some(args.file.clone()));
            let d = Diag::at(
                Code::NotText,
                lode::source::Span::new(id, at, at + 1),
                format!("`{shown}` is not UTF-8 text"),
            )
            .help("save the table as CSV in UTF-8");
            print_diags(&[d], &sources);
            return ExitCode::Failed;
        }
    };
    let id = sources.add(shown.clone(), text.as_str(), Some(args.file.clone()));
    let label = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let from = match args.from {
        FromArg::Comtrade => Source::Comtrade,
        FromArg::Baci => Source::Baci,
    };
    let mut opts = Options::new(from, args.mineral.clone(), label);
    opts.stage = args.stage.clone();
    opts.hs = args.hs.clone();
    opts.year = args.year;
    opts.measure = match args.measure {
        MeasureArg::Weight => Measure::Weight,
        MeasureArg::Value => Measure::Value,
    };
    opts.min_share = args.min_share;
    let imported = match import::import(&text, id, &opts) {
        Ok(i) => i,
        Err(diags) => {
            print_diags(&diags, &sources);
            // A name or code on the command line that cannot be used is a
            // usage error; a problem in the table is a diagnostic.
            return if diags.iter().all(|d| d.code == Code::ImportOption) {
                ExitCode::Usage
            } else {
                ExitCode::Failed
            };
        }
    };
    print_diags(&imported.warnings, &sources);
    match &args.output {
        Some(path) => {
            if let Err(e) = output::write_atomic(path, &imported.text) {
                output::stderr(&format!("error: cannot write `{}`: {e}\n", path.display()));
                return ExitCode::Usage;
            }
            let n = imported
                .lines
                .iter()
                .filter(|l| !l.shares.is_empty())
                .count();
            output::stderr(&format!(
                "wrote {n} sourcing line{} ({}, HS {}) to {}\n",
                if n == 1 { "" } else { "s" },
                imported.year,
                imported.codes.join(", "),
                path.display()
            ));
            ExitCode::Ok
        }
        None => match output::stdout(&imported.text) {
            Ok(()) => ExitCode::Ok,
            Err(e) => {
                output::stderr(&format!("error: cannot write output: {e}\n"));
                ExitCode::Usage
            }
        },
    }
}
