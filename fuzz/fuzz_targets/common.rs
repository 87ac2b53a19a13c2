//! The pipeline every fuzz target drives: compile → evaluate → render, and
//! on failure render the diagnostics, exactly as the CLI does.

use lode::diagnostic::{Style, render_all};
use lode::eval::{self, EvalOptions};
use lode::pipeline::{self, Input};
use lode::report::{self, Format, RenderOptions};

pub fn run(text: &str) {
    let input = Input::Text {
        name: "<fuzz>",
        text: text.to_string(),
    };
    match pipeline::compile(input, &lode::loader::FsLoader::for_text(None)) {
        Ok(compiled) => {
            let _ = render_all(&compiled.warnings, &compiled.sources, Style::plain());
            let evaluation = eval::evaluate(
                &compiled.checked,
                &compiled.sources,
                &EvalOptions::default(),
            );
            let _ = render_all(&evaluation.warnings, &compiled.sources, Style::plain());
            let opts = RenderOptions {
                color: false,
                width: Some(120),
            };
            let _ = report::render(&evaluation.results, Format::Json, &opts);
            let _ = report::render(&evaluation.results, Format::Csv, &opts);
        }
        Err(failed) => {
            assert!(!failed.diags.is_empty(), "a failed compile must say why");
            let _ = render_all(&failed.diags, &failed.sources, Style::plain());
        }
    }
}
