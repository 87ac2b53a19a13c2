//! Tab completion as a pure function of the session's names: keywords,
//! `:commands`, actor codes and aliases, groups, minerals, stages, scenario
//! names, variables and metric paths (`JP.rare_earths.` → the metrics,
//! `JP.rare_earths.dependency.` → the suppliers). `helper.rs` wires it to
//! rustyline.

use std::collections::BTreeSet;

use super::commands::{COMMANDS, SHOW_TOPICS};
use super::engine::Session;
use crate::program::ROW;

pub use crate::syntax::KEYWORDS;

/// One mineral's names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MineralWords {
    pub name: String,
    pub stages: Vec<String>,
    /// Actors with output at some stage, and `ROW`: the possible suppliers.
    pub suppliers: Vec<String>,
}

/// Every name completion can offer, taken from the session after each input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    pub codes: Vec<String>,
    pub aliases: Vec<String>,
    /// Group and coalition names.
    pub groups: Vec<String>,
    pub minerals: Vec<MineralWords>,
    pub scenarios: Vec<String>,
    pub variables: Vec<String>,
}

impl Vocabulary {
    fn is_subject(&self, word: &str) -> bool {
        self.codes
            .iter()
            .chain(&self.aliases)
            .chain(&self.groups)
            .any(|c| c == word)
    }

    fn mineral(&self, word: &str) -> Option<&MineralWords> {
        self.minerals.iter().find(|m| m.name == word)
    }
}

impl Session {
    /// The names completion offers now.
    pub fn vocabulary(&self) -> Vocabulary {
        let world = &self.checked().world;
        let minerals = world
            .minerals
            .iter()
            .map(|m| {
                let mut suppliers: BTreeSet<String> = m
                    .stage_shares
                    .iter()
                    .flatten()
                    .flat_map(|s| s.entries.iter().map(|e| world.actors[e.actor].code.clone()))
                    .collect();
                suppliers.insert(ROW.to_string());
                MineralWords {
                    name: m.name.clone(),
                    stages: m.stages.clone(),
                    suppliers: suppliers.into_iter().collect(),
                }
            })
            .collect();
        let mut variables: Vec<String> = self.state.vars.keys().cloned().collect();
        variables.sort();
        Vocabulary {
            codes: world.actors.iter().map(|a| a.code.clone()).collect(),
            aliases: world
                .actors
                .iter()
                .flat_map(|a| a.aliases.iter().cloned())
                .collect(),
            groups: world.groups.iter().map(|g| g.name.clone()).collect(),
            minerals,
            scenarios: self
                .checked()
                .scenarios
                .iter()
                .map(|s| s.name.clone())
                .collect(),
            variables,
        }
    }
}

/// What to complete at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Replace `line[start..pos]` with one of these.
    Words {
        start: usize,
        candidates: Vec<String>,
    },
    /// A file name (after `:load` and `:save`).
    File,
}

/// Completes the word that ends at `pos`.
pub fn complete(vocab: &Vocabulary, line: &str, pos: usize) -> Completion {
    let before = &line[..pos.min(line.len())];
    let lead = before.len() - before.trim_start().len();
    let trimmed = before.trim_start();
    if trimmed.starts_with(':') {
        return command_args(vocab, before, lead);
    }
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |i| i + 1);
    let word = &before[start..];
    Completion::Words {
        start,
        candidates: words(vocab, word),
    }
}

fn command_args(vocab: &Vocabulary, before: &str, lead: usize) -> Completion {
    let body = &before[lead..];
    let Some(space) = body.find(char::is_whitespace) else {
        let candidates = COMMANDS
            .iter()
            .map(|(n, _, _)| n.to_string())
            .filter(|n| n.starts_with(body))
            .collect();
        return Completion::Words {
            start: lead,
            candidates,
        };
    };
    let command = &body[..space];
    let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let word = &before[start..];
    let pool: Vec<String> = match command {
        ":load" | ":save" => return Completion::File,
        ":show" => SHOW_TOPICS.iter().map(|s| s.to_string()).collect(),
        ":samples" => vec!["off".to_string()],
        ":explain" | ":tornado" => {
            return Completion::Words {
                start,
                candidates: words(vocab, word),
            };
        }
        ":table" | ":sweep" => {
            let word = word.trim_end_matches(',');
            let mut pool: Vec<String> = vec!["for".into(), "on".into()];
            pool.extend(vocab.scenarios.iter().cloned());
            pool.extend(vocab.codes.iter().cloned());
            pool.extend(vocab.aliases.iter().cloned());
            pool.extend(vocab.groups.iter().cloned());
            pool.extend(vocab.minerals.iter().map(|m| m.name.clone()));
            return Completion::Words {
                start: before.len() - word.len(),
                candidates: matching(pool, word),
            };
        }
        _ => Vec::new(),
    };
    Completion::Words {
        start,
        candidates: matching(pool, word),
    }
}

/// Candidates for one word, which may be a dotted path.
fn words(vocab: &Vocabulary, word: &str) -> Vec<String> {
    let parts: Vec<&str> = word.split('.').collect();
    let (prefix, last) = match word.rfind('.') {
        Some(i) => (&word[..=i], &word[i + 1..]),
        None => ("", word),
    };
    let pool: Vec<String> = match parts.as_slice() {
        [_] => {
            let mut pool: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
            pool.extend(vocab.codes.iter().cloned());
            pool.extend(vocab.aliases.iter().cloned());
            pool.extend(vocab.groups.iter().cloned());
            for m in &vocab.minerals {
                pool.push(m.name.clone());
                pool.extend(m.stages.iter().cloned());
            }
            pool.extend(vocab.scenarios.iter().cloned());
            pool.extend(vocab.variables.iter().cloned());
            pool
        }
        // `JP.rare_e` (a metric path) or `rare_earths.ref` (a stage).
        [head, _] => {
            let mut pool = Vec::new();
            if vocab.is_subject(head) {
                pool.extend(vocab.minerals.iter().map(|m| m.name.clone()));
            }
            if let Some(m) = vocab.mineral(head) {
                pool.extend(m.stages.iter().cloned());
            }
            pool
        }
        [head, mineral, _] if vocab.is_subject(head) && vocab.mineral(mineral).is_some() => {
            crate::metric::MetricKind::names()
                .map(str::to_string)
                .collect()
        }
        [head, mineral, metric, _] if vocab.is_subject(head) => {
            match (vocab.mineral(mineral), *metric) {
                (Some(m), "dependency") => m.suppliers.clone(),
                (Some(m), "output") => m.stages.clone(),
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    matching(pool, last)
        .into_iter()
        .map(|c| format!("{prefix}{c}"))
        .collect()
}

/// The pool's words that start with `word`, sorted, each once.
fn matching(pool: Vec<String>, word: &str) -> Vec<String> {
    let set: BTreeSet<String> = pool.into_iter().filter(|c| c.starts_with(word)).collect();
    set.into_iter().collect()
}
