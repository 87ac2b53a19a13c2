//! Which number to explain: `ACTOR.MINERAL.METRIC[.KEY]`, optionally
//! `SCENARIO: …` in front, resolved by the checker's own metric path rules
//! so a misspelt name gets the same "did you mean" as in an `expect` line.

use super::ExplainOptions;
use crate::ast::ReplInput;
use crate::diagnostic::{Code, Diag};
use crate::program::{Checked, Metric, MetricRef, ScenarioId};
use crate::source::{SourceId, SourceMap, Span};

/// A metric of one scenario, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub scenario: ScenarioId,
    pub mref: MetricRef,
    /// The metric with codes in place of aliases: `JP.rare_earths.shortfall`.
    pub text: String,
}

/// Resolves a metric reference written as `text` (added to `sources` as
/// `name`, so diagnostics point into it). Every error is reported at once.
pub fn resolve(
    checked: &Checked,
    sources: &mut SourceMap,
    name: &str,
    text: &str,
    opts: &ExplainOptions,
) -> Result<Target, Vec<Diag>> {
    let id = sources.add(name, text.to_string(), None);
    let (prefix, rest) = split_scenario(text);
    let path = match crate::syntax::parse_repl(&rest, id) {
        Ok(ReplInput::Metric(p)) => p,
        Ok(_) => return Err(vec![not_a_metric(id, text)]),
        Err(d) => return Err(d),
    };
    let mut errors = Vec::new();
    let names = checked.scenario_names();
    let lookup = |name: &str, span: Span| {
        checked
            .scenario_id(name)
            .ok_or_else(|| crate::check::unknown_scenario(name, span, &names))
    };
    let scenario = match (&prefix, &opts.scenario) {
        (Some((written, _)), Some(option)) if written != option => Err(Diag::new(
            Code::UnknownScenario,
            format!(
                "two scenarios named: `{written}` before the metric and `{option}` by --scenario"
            ),
        )
        .help("name the scenario once")),
        (Some((written, span)), _) => lookup(written, Span::new(id, span.start, span.end)),
        (None, Some(option)) => {
            let oid = sources.add("--scenario", option.clone(), None);
            lookup(option, Span::new(oid, 0, option.len()))
        }
        (None, None) => Ok(ScenarioId::BASE),
    };
    let scenario = scenario.map_err(|d| errors.push(d)).ok();
    let mref = crate::check::resolve_metric(sources, &checked.world, &path)
        .map_err(|d| errors.extend(d))
        .ok();
    match (scenario, mref) {
        (Some(scenario), Some(mref)) if errors.is_empty() => Ok(Target {
            scenario,
            text: written(checked, &mref),
            mref,
        }),
        _ => Err(errors),
    }
}

/// `japan_cutoff: JP.rare_earths.shortfall` → the scenario name with its
/// byte range, and the text with the prefix blanked (spans stay put).
fn split_scenario(text: &str) -> (Option<(String, std::ops::Range<usize>)>, String) {
    let Some((head, rest)) = text.split_once(':') else {
        return (None, text.to_string());
    };
    let name = head.trim();
    let is_name = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !is_name {
        return (None, text.to_string());
    }
    let start = head.len() - head.trim_start().len();
    (
        Some((name.to_string(), start..start + name.len())),
        format!("{}{rest}", " ".repeat(head.len() + 1)),
    )
}

fn not_a_metric(id: SourceId, text: &str) -> Diag {
    Diag::at(
        Code::UnknownMetric,
        Span::new(id, 0, text.len()),
        "not a metric: `lode explain` takes ACTOR.MINERAL.METRIC",
    )
    .help("for example `JP.rare_earths.shortfall` or `base: G7.lithium.dependency.CN`")
}

/// A metric as results name it, with codes: `JP.rare_earths.dependency.CN`.
fn written(checked: &Checked, mref: &MetricRef) -> String {
    let world = &checked.world;
    let mineral = &world.minerals[mref.mineral];
    let metric = match &mref.metric {
        Metric::Output(s) => format!("output.{}", mineral.stages[*s]),
        Metric::Dependency(a) => format!("dependency.{}", world.actors[*a].code),
        m => m.kind().name().to_string(),
    };
    format!(
        "{}.{}.{metric}",
        world.subject_name(mref.subject),
        mineral.name
    )
}

#[cfg(test)]
mod tests {
    use super::split_scenario;

    #[test]
    fn a_scenario_prefix_is_blanked_in_place() {
        let (prefix, rest) = split_scenario("cut: JP.rare_earths.shortfall");
        assert_eq!(prefix, Some(("cut".to_string(), 0..3)));
        assert_eq!(rest, "     JP.rare_earths.shortfall");
        assert_eq!(split_scenario("JP.x.demand").0, None);
        // An upper-case head is not a scenario name.
        assert_eq!(split_scenario("JP: x").0, None);
    }
}
