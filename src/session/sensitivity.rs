//! The REPL's `:sweep` and `:tornado` (SPEC §11), on the session's
//! scenario at the session's date.

use crate::program::ScenarioId;
use crate::report::{Format, RenderOptions};
use crate::sensitivity::{self, SweepOptions, TornadoError, TornadoOptions};

use super::engine::{Reply, Session};

/// Events listed per row by `:sweep`.
const TOP: usize = 3;

impl Session {
    /// `:sweep [SCENARIO] [for A, B] [on m1, m2]`: every producer with at
    /// least 1% of a stage disrupted in turn; each row's worst events.
    pub(crate) fn sweep(&mut self, arg: &str) -> Reply {
        let checked = &self.state.checked;
        let mut scenario = ScenarioId::BASE;
        let mut rows: Vec<String> = Vec::new();
        let mut minerals: Vec<String> = Vec::new();
        let mut list: Option<&mut Vec<String>> = None;
        for (i, word) in arg
            .split(|c: char| c.is_whitespace() || c == ',' || c == '+')
            .filter(|w| !w.is_empty())
            .enumerate()
        {
            match word {
                "for" => list = Some(&mut rows),
                "on" => list = Some(&mut minerals),
                w => match list.as_deref_mut() {
                    Some(l) => l.push(w.to_string()),
                    None if i == 0 => match checked.scenario_id(w) {
                        Some(id) => scenario = id,
                        None => {
                            let names = checked.scenario_names();
                            let hint = crate::diagnostic::suggest(w, names.iter().copied())
                                .map(|s| format!("; did you mean `{s}`?"))
                                .unwrap_or_default();
                            return Reply::error(format!("no scenario `{w}`{hint}"));
                        }
                    },
                    None => {
                        return Reply::error(
                            "`:sweep` takes a scenario, then `for A, B` and `on m1, m2`",
                        );
                    }
                },
            }
        }
        let rows = match rows.is_empty() {
            true => None,
            false => match crate::timeline::resolve_rows(checked, &rows) {
                Ok(r) => Some(r),
                Err(e) => return Reply::error(e),
            },
        };
        let minerals = match minerals.is_empty() {
            true => None,
            false => match crate::timeline::resolve_minerals(checked, &minerals) {
                Ok(m) => Some(m),
                Err(e) => return Reply::error(e),
            },
        };
        let opts = SweepOptions {
            scenario,
            rows,
            minerals,
            at: self.state.at,
            ..SweepOptions::default()
        };
        let result = sensitivity::sweep(checked, &opts, &crate::eval::Silent);
        let render = RenderOptions {
            color: self.display.color,
            width: self.display.width,
        };
        Reply::out(crate::report::sweep::render(
            &result,
            Format::Table,
            TOP,
            &render,
        ))
    }

    /// `:tornado [SCENARIO:] METRIC`: the inputs of a metric, ranked by
    /// swing; each plain `let` moved by ±10% besides the ranges.
    pub(crate) fn tornado(&mut self, arg: &str) -> Reply {
        if arg.is_empty() {
            return Reply::error("`:tornado` needs a metric: `:tornado JP.rare_earths.shortfall`");
        }
        let mut sources = self.state.sources.clone();
        let name = format!("<repl:{}>", self.counter);
        self.counter += 1;
        let opts = TornadoOptions {
            vary: Some(0.1),
            at: self.state.at,
            ..TornadoOptions::default()
        };
        match sensitivity::tornado(&self.state.checked, &mut sources, &name, arg, &opts) {
            Ok(t) => {
                let render = RenderOptions {
                    color: self.display.color,
                    width: self.display.width,
                };
                Reply::out(crate::report::sweep::render_tornado(
                    &t,
                    Format::Table,
                    &render,
                ))
            }
            Err(TornadoError::Diags(d)) => self.fail(&d, &sources),
            Err(e) => Reply::error(e.to_string()),
        }
    }
}
