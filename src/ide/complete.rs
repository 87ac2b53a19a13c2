//! Completion in context: the names the REPL completes (keywords, actors,
//! aliases, groups, minerals, stages, scenarios, variables, metric paths),
//! narrowed by what the statement needs where the cursor is — minerals
//! after `restricts`, actors after `to`, metrics after `ACTOR.MINERAL.`.

use std::collections::BTreeSet;

use crate::ast::{Program, StmtKind};
use crate::metric::MetricKind;
use crate::program::{Checked, GroupKind, ROW};
use crate::syntax::KEYWORDS;

/// What a completion offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    Keyword,
    Actor,
    Alias,
    Group,
    Coalition,
    Mineral,
    Stage,
    Metric,
    Scenario,
    Variable,
    Dataset,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    /// A short note: an actor's name, a mineral's stages.
    pub detail: Option<String>,
}

/// The candidates for the word that ends at the cursor, which starts at
/// byte `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub start: usize,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct MineralNames {
    name: String,
    stages: Vec<String>,
    suppliers: Vec<String>,
}

/// Every name a program declares, for completion. Names do not depend on
/// where they are written, so an editor may keep the last file that checked
/// while the current text does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// (code, name)
    actors: Vec<(String, Option<String>)>,
    /// (alias, code)
    aliases: Vec<(String, String)>,
    /// (name, coalition?, members)
    groups: Vec<(String, bool, usize)>,
    minerals: Vec<MineralNames>,
    scenarios: Vec<String>,
    variables: Vec<String>,
}

impl Names {
    pub fn of(checked: &Checked, program: Option<&Program>) -> Names {
        let w = &checked.world;
        let minerals = w
            .minerals
            .iter()
            .map(|m| {
                let mut suppliers: BTreeSet<String> = m
                    .stage_shares
                    .iter()
                    .flatten()
                    .flat_map(|s| s.entries.iter().map(|e| w.actors[e.actor].code.clone()))
                    .collect();
                suppliers.insert(ROW.to_string());
                MineralNames {
                    name: m.name.clone(),
                    stages: m.stages.clone(),
                    suppliers: suppliers.into_iter().collect(),
                }
            })
            .collect();
        let mut variables: BTreeSet<String> = checked
            .inputs
            .iter()
            .filter_map(|i| i.name.clone())
            .collect();
        if let Some(p) = program {
            super::navigate::each_stmt(&p.stmts, &mut |s| {
                if let StmtKind::Let(l) = &s.kind {
                    variables.insert(l.name.text.clone());
                }
            });
        }
        Names {
            actors: w
                .actors
                .iter()
                .map(|a| (a.code.clone(), a.name.clone()))
                .collect(),
            aliases: w
                .actors
                .iter()
                .flat_map(|a| a.aliases.iter().map(|al| (al.clone(), a.code.clone())))
                .collect(),
            groups: w
                .groups
                .iter()
                .map(|g| {
                    (
                        g.name.clone(),
                        g.kind == GroupKind::Coalition,
                        g.members.len(),
                    )
                })
                .collect(),
            minerals,
            scenarios: checked.scenarios.iter().map(|s| s.name.clone()).collect(),
            variables: variables.into_iter().collect(),
        }
    }

    fn is_subject(&self, word: &str) -> bool {
        self.actors.iter().any(|(c, _)| c == word)
            || self.aliases.iter().any(|(a, _)| a == word)
            || self.groups.iter().any(|(g, _, _)| g == word)
            || word.contains('+')
    }

    fn mineral(&self, word: &str) -> Option<&MineralNames> {
        self.minerals.iter().find(|m| m.name == word)
    }

    fn actors(&self, out: &mut Vec<Item>) {
        for (code, name) in &self.actors {
            out.push(item(code, ItemKind::Actor, name.clone()));
        }
        for (alias, code) in &self.aliases {
            out.push(item(
                alias,
                ItemKind::Alias,
                Some(format!("alias of {code}")),
            ));
        }
        for (name, coalition, n) in &self.groups {
            let (kind, what) = if *coalition {
                (ItemKind::Coalition, "coalition")
            } else {
                (ItemKind::Group, "group")
            };
            out.push(item(name, kind, Some(format!("{what} of {n}"))));
        }
    }

    fn minerals(&self, out: &mut Vec<Item>) {
        for m in &self.minerals {
            out.push(item(
                &m.name,
                ItemKind::Mineral,
                Some(format!("stages: {}", m.stages.join(" → "))),
            ));
        }
        // A bare stage name that belongs to one mineral stands for it.
        let mut seen = BTreeSet::new();
        for m in &self.minerals {
            for s in &m.stages {
                let owners = self
                    .minerals
                    .iter()
                    .filter(|o| o.stages.contains(s))
                    .count();
                if owners == 1 && seen.insert(s.clone()) {
                    out.push(item(
                        s,
                        ItemKind::Stage,
                        Some(format!("stage of {}", m.name)),
                    ));
                }
            }
        }
    }

    fn scenarios(&self, out: &mut Vec<Item>) {
        for s in &self.scenarios {
            out.push(item(s, ItemKind::Scenario, Some("scenario".into())));
        }
    }

    fn variables(&self, out: &mut Vec<Item>) {
        for v in &self.variables {
            out.push(item(v, ItemKind::Variable, Some("let".into())));
        }
    }
}

fn item(label: &str, kind: ItemKind, detail: Option<String>) -> Item {
    Item {
        label: label.to_string(),
        kind,
        detail,
    }
}

fn keywords(words: &[&str], out: &mut Vec<Item>) {
    for w in words {
        out.push(item(w, ItemKind::Keyword, None));
    }
}

/// The words of a statement, punctuation apart.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '%' | '$' | '"');
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut end = i + c.len_utf8();
        if word(c) {
            while let Some(&(j, d)) = chars.peek() {
                if !word(d) {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
        } else if matches!(c, '<' | '>' | '=' | '!' | '+')
            && chars.peek().is_some_and(|&(_, d)| matches!(d, '=' | '-'))
        {
            if let Some((j, d)) = chars.next() {
                end = j + d.len_utf8();
            }
        }
        out.push(&text[i..end]);
    }
    out
}

/// The statement the cursor is in, up to the cursor, or `None` in a
/// comment or a string.
fn statement_before(text: &str, offset: usize) -> Option<&str> {
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    let mut start = 0;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => return None,
            ';' | '{' | '}' => start = i + 1,
            _ => {}
        }
    }
    (!in_string).then(|| &line[start..])
}

const VERBS: &[&str] = &["restricts", "bans", "adds", "sources", "lifts"];
const OPERATORS: &[&str] = &[
    "by",
    "covers",
    "rerouting",
    "(",
    "*",
    "/",
    "-",
    "gdp",
    "volume",
    "+-",
    "±",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
];

/// Completes the word that ends at byte `offset` of `text`.
pub fn complete(names: &Names, text: &str, offset: usize) -> Completion {
    let offset = floor_char(text, offset.min(text.len()));
    let Some(statement) = statement_before(text, offset) else {
        return Completion {
            start: offset,
            items: Vec::new(),
        };
    };
    let word_start = statement
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '+'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let mut word = &statement[word_start..];
    let mut before = &statement[..word_start];
    // `+` joins members (`JP+KR`) and anonymous coalitions in metric paths
    // (`G7+AU.rare_earths.`): only the latter is one word.
    if !word.contains('.') {
        if let Some(i) = word.rfind('+') {
            before = &statement[..word_start + i + 1];
            word = &word[i + 1..];
        }
    }
    let mut items = Vec::new();
    let start;
    if let Some(dot) = word.rfind('.') {
        start = offset - (word.len() - dot - 1);
        dotted(names, &word[..dot], &mut items);
        word = &word[dot + 1..];
    } else {
        start = offset - word.len();
        in_statement(names, &tokens(before), &mut items);
    }
    let mut seen = BTreeSet::new();
    items.retain(|i| i.label.starts_with(word) && seen.insert((i.label.clone(), i.kind)));
    Completion { start, items }
}

fn floor_char(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// After `HEAD.`: minerals of a subject, stages of a mineral, metrics, keys.
fn dotted(names: &Names, head: &str, out: &mut Vec<Item>) {
    let parts: Vec<&str> = head.split('.').collect();
    match parts.as_slice() {
        [h] => {
            if names.is_subject(h) {
                for m in &names.minerals {
                    out.push(item(&m.name, ItemKind::Mineral, None));
                }
            }
            if let Some(m) = names.mineral(h) {
                for s in &m.stages {
                    out.push(item(
                        s,
                        ItemKind::Stage,
                        Some(format!("stage of {}", m.name)),
                    ));
                }
            }
        }
        [h, m] if names.is_subject(h) && names.mineral(m).is_some() => {
            for kind in MetricKind::names() {
                out.push(item(kind, ItemKind::Metric, None));
            }
        }
        [h, m, metric] if names.is_subject(h) => match (names.mineral(m), *metric) {
            (Some(m), "dependency") => {
                for s in &m.suppliers {
                    out.push(item(s, ItemKind::Actor, Some("supplier".into())));
                }
            }
            (Some(m), "output") => {
                for s in &m.stages {
                    out.push(item(s, ItemKind::Stage, None));
                }
            }
            _ => {}
        },
        _ => {}
    }
}

/// What may come next in a statement whose words so far are `toks`.
fn in_statement(names: &Names, toks: &[&str], out: &mut Vec<Item>) {
    let head = toks.first().copied();
    let Some(&last) = toks.last() else {
        keywords(KEYWORDS, out);
        names.actors(out);
        names.minerals(out);
        return;
    };
    let keyword = toks
        .iter()
        .rev()
        .find(|t| KEYWORDS.contains(t) || matches!(**t, ":" | "="))
        .copied();
    match last {
        "restricts" | "bans" | "on" | "of" | "sources" => names.minerals(out),
        "to" => {
            keywords(&["all"], out);
            names.actors(out);
        }
        "except" | "+" | "for" | "disrupt" | "stockpile" => names.actors(out),
        "=" if matches!(head, Some("group" | "coalition")) => names.actors(out),
        "=" => names.variables(out),
        "allocation" => keywords(&["sticky", "market", "coalition_first"], out),
        "coalition_first" => {
            for (name, coalition, n) in &names.groups {
                if *coalition {
                    out.push(item(
                        name,
                        ItemKind::Coalition,
                        Some(format!("coalition of {n}")),
                    ));
                }
            }
        }
        "extends" | "compare" => names.scenarios(out),
        "expect" => {
            names.actors(out);
            names.scenarios(out);
        }
        ":" if head == Some("expect") => names.actors(out),
        ":" => names.actors(out),
        "use" => {
            for (name, _) in crate::data::DATASETS {
                out.push(item(
                    name,
                    ItemKind::Dataset,
                    Some("embedded data set".into()),
                ));
            }
        }
        "lifts" => keywords(&["restrictions"], out),
        "restrictions" => keywords(&["on", "from", "until"], out),
        "demand" if keyword == Some("demand") && toks.contains(&"covers") => keywords(&["of"], out),
        "," => match keyword {
            Some("restricts" | "bans" | "on" | "of" | "disrupt" | "stockpile" | "adds") => {
                names.minerals(out)
            }
            Some("to" | "except" | "for" | ":") => names.actors(out),
            Some("compare") => names.scenarios(out),
            _ => {}
        },
        _ if OPERATORS.contains(&last) => names.variables(out),
        _ => after_word(names, toks, keyword, out),
    }
}

/// After a name or a number: the words that may follow it.
fn after_word(names: &Names, toks: &[&str], keyword: Option<&str>, out: &mut Vec<Item>) {
    let last = toks[toks.len() - 1];
    match keyword {
        None if toks.len() == 1 && names.is_subject(last) => keywords(VERBS, out),
        Some("disrupt" | "stockpile") if toks.len() == 2 => names.minerals(out),
        Some("adds") if toks.len() == 3 => names.minerals(out),
        Some("restricts" | "bans") => keywords(&["to"], out),
        Some("to" | "except") => keywords(&["by", "except", "from", "until"], out),
        Some("by" | "from" | "until") => keywords(&["from", "until"], out),
        Some("covers") => keywords(&["demand"], out),
        Some("let") if toks.len() == 2 => {}
        Some("scenario") if toks.len() == 2 => keywords(&["extends"], out),
        _ => keywords(KEYWORDS, out),
    }
}
