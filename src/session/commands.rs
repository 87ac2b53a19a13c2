//! The `:commands` of the session (SPEC §7). Like the session itself they
//! know nothing of the terminal: each returns a [`Reply`].

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::ast::{Program, Stmt, StmtKind};
use crate::eval::{self, EvalOptions, assemble};
use crate::explain;
use crate::program::{Allocation, GroupKind, ScenarioId};
use crate::report::{self, Format, RenderOptions};
use crate::source::SourceId;

use super::engine::{Reply, Session, Start, StartError, read_text};
use super::query;

/// Every command with its arguments and what it does, for `:help` and
/// completion.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (":help", "", "this text"),
    (
        ":load",
        "FILE",
        "add a scenario file's statements to the session",
    ),
    (":reset", "", "go back to the start of the session"),
    (
        ":undo",
        "",
        "take back the last input that changed the session",
    ),
    (
        ":show",
        "actors|minerals|policies|scenario",
        "list what the session holds",
    ),
    (
        ":table",
        "[SCENARIO] [for A, B] [on m1, m2]",
        "print the exposure table",
    ),
    (
        ":at",
        "[DATE|none]",
        "show or set the date the session is evaluated at",
    ),
    (
        ":samples",
        "[N|off]",
        "answer metrics as median [5th–95th percentile] over N samples",
    ),
    (
        ":seed",
        "[S]",
        "show or set the seed the samples are drawn from",
    ),
    (
        ":timeline",
        "[SCENARIO] [for A, B] [on m1, m2]",
        "follow a scenario month by month: shortfall and stockpiles",
    ),
    (
        ":explain",
        "[SCENARIO:] METRIC",
        "how a number is made: its terms and their lines",
    ),
    (
        ":sweep",
        "[SCENARIO] [for A, B] [on m1, m2]",
        "disrupt each producer in turn: each row's worst events",
    ),
    (
        ":tornado",
        "[SCENARIO:] METRIC",
        "rank the inputs of a metric by swing (ranges; lets ±10%)",
    ),
    (":save", "FILE", "write the session as a scenario file"),
    (":quit", "", "leave (also Ctrl-D)"),
];

/// What `:show` can list.
pub const SHOW_TOPICS: &[&str] = &["actors", "minerals", "policies", "scenario"];

impl Session {
    /// Runs one `:command` line.
    pub(crate) fn command(&mut self, line: &str) -> Reply {
        let (name, arg) = match line.find(char::is_whitespace) {
            Some(i) => (&line[..i], line[i..].trim()),
            None => (line, ""),
        };
        match name {
            ":help" | ":h" | ":?" => Reply::out(help()),
            ":quit" | ":q" | ":exit" => Reply {
                quit: true,
                ..Reply::default()
            },
            ":reset" => self.reset(),
            ":undo" => self.undo_last(),
            ":show" => self.show(arg),
            ":table" => self.table(line),
            ":at" => self.at(arg),
            ":samples" => self.samples(arg),
            ":seed" => self.seed(arg),
            ":timeline" => self.timeline(arg),
            ":explain" => self.explain(arg),
            ":sweep" => self.sweep(arg),
            ":tornado" => self.tornado(arg),
            ":save" => self.save(arg),
            ":load" => self.load(arg),
            _ => {
                let names = COMMANDS.iter().map(|(n, _, _)| *n);
                let hint = crate::diagnostic::suggest(name, names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_else(|| "; `:help` lists the commands".into());
                Reply::error(format!("unknown command `{name}`{hint}"))
            }
        }
    }

    fn reset(&mut self) -> Reply {
        let before = std::mem::replace(&mut self.state, self.initial.clone());
        self.push_undo(before, ":reset");
        let to = match &self.start {
            Start::World => "`use world2024`".to_string(),
            Start::Empty => "an empty session".to_string(),
            Start::File(p) => format!("`{}`", p.display()),
        };
        Reply::out(format!("reset to {to} (`:undo` takes it back)"))
    }

    fn undo_last(&mut self) -> Reply {
        match self.undo.pop() {
            Some((state, what)) => {
                self.state = state;
                let first = what
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim();
                let more = if what.trim().lines().count() > 1 {
                    " …"
                } else {
                    ""
                };
                Reply::out(format!("undone: {first}{more}"))
            }
            None => Reply::error("nothing to undo"),
        }
    }

    fn save(&mut self, arg: &str) -> Reply {
        let Some(path) = path_arg(arg) else {
            return Reply::error("`:save` needs a file name: `:save session.lode`");
        };
        let text = self.text();
        match self.saver.save(&path, &text) {
            Ok(()) => {
                let n = self.state.inputs.len();
                let s = if n == 1 { "" } else { "s" };
                Reply::out(format!("saved {n} input{s} to {}", path.display()))
            }
            Err(e) => Reply::error(format!("cannot write `{}`: {e}", path.display())),
        }
    }

    fn load(&mut self, arg: &str) -> Reply {
        let Some(path) = path_arg(arg) else {
            return Reply::error("`:load` needs a file name: `:load scenarios/seed.lode`");
        };
        let text = match read_text(self.loader.as_ref(), &path) {
            Ok(t) => t,
            Err(StartError::Io(m)) => return Reply::error(m),
            Err(StartError::Invalid(rendered)) => {
                return Reply {
                    diagnostics: rendered,
                    failed: true,
                    ..Reply::default()
                };
            }
        };
        let shown = path.display().to_string();
        let mut user = self.state.user.clone();
        let id = user.add(shown.clone(), text.clone(), None);
        let program = match crate::syntax::parse(&text, id) {
            Ok(p) => p,
            Err(d) => return self.fail(&d, &user),
        };
        let n = program.stmts.len();
        if n == 0 {
            return Reply::out(format!("`{shown}` has no statements"));
        }
        let mut reply = self.statements(user, program, &text, id, &format!(":load {shown}"));
        if !reply.failed {
            let s = if n == 1 { "" } else { "s" };
            reply.output = format!("loaded {shown}: {n} statement{s}\n{}", reply.output);
        }
        reply
    }

    fn show(&self, arg: &str) -> Reply {
        match arg {
            "actors" => Reply::out(self.show_actors()),
            "minerals" => Reply::out(self.show_minerals()),
            "policies" => Reply::out(self.show_policies()),
            "scenario" => Reply::out(self.show_scenario()),
            _ => {
                let hint = crate::diagnostic::suggest(arg, SHOW_TOPICS.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                Reply::error(format!(
                    "`:show` takes one of: {}{hint}",
                    SHOW_TOPICS.join(", ")
                ))
            }
        }
    }

    fn show_actors(&self) -> String {
        let world = &self.state.checked.world;
        let mut out = String::new();
        let code_w = world.actors.iter().map(|a| a.code.len()).max().unwrap_or(0);
        let name_w = world
            .actors
            .iter()
            .filter_map(|a| a.name.as_ref())
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0);
        let _ = writeln!(out, "{} actors:", world.actors.len());
        for a in &world.actors {
            let name = a.name.clone().unwrap_or_default();
            let aliases = if a.aliases.is_empty() {
                String::new()
            } else {
                format!("alias {}", a.aliases.join(", "))
            };
            let line = format!("  {:<code_w$}  {:<name_w$}  {aliases}", a.code, name);
            let _ = writeln!(out, "{}", line.trim_end());
        }
        for (kind, title) in [
            (GroupKind::Group, "groups"),
            (GroupKind::Coalition, "coalitions"),
        ] {
            let groups: Vec<_> = world.groups.iter().filter(|g| g.kind == kind).collect();
            if groups.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{title}:");
            for g in groups {
                let members: Vec<&str> = g
                    .members
                    .iter()
                    .map(|&m| world.actors[m].code.as_str())
                    .collect();
                let covers = g
                    .covers
                    .as_ref()
                    .map(|c| format!(" (covers {} demand)", query::percent(c.share.plain)))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {} = {}{covers}", g.name, members.join(" + "));
            }
        }
        out
    }

    fn show_minerals(&self) -> String {
        let world = &self.state.checked.world;
        if world.minerals.is_empty() {
            return "no minerals declared".into();
        }
        let w = world
            .minerals
            .iter()
            .map(|m| m.name.len())
            .max()
            .unwrap_or(0);
        let mut out = format!("{} minerals:\n", world.minerals.len());
        for m in &world.minerals {
            let volume = m
                .volume_t
                .map(|t| {
                    let v = crate::check::values::Value {
                        value: t,
                        dim: crate::check::values::Dim::Mass,
                        percent: false,
                        sym: None,
                    };
                    format!("  volume {}", query::format_value(v))
                })
                .unwrap_or_default();
            let sources = match m.sources.len() {
                0 => String::new(),
                1 => "  1 source".into(),
                n => format!("  {n} sources"),
            };
            let _ = writeln!(
                out,
                "  {:<w$}  stages {}{volume}{sources}",
                m.name,
                m.stages.join(" → ")
            );
        }
        out
    }

    fn show_policies(&self) -> String {
        let text = |s: &Stmt| one_line(self.state.sources.text(s.span));
        let mut out = String::new();
        let base: Vec<String> = self
            .state
            .stmts
            .iter()
            .filter(|s| is_policy(s))
            .map(text)
            .collect();
        if base.is_empty() {
            out.push_str("no policies in the session scenario\n");
        } else {
            out.push_str("session scenario (base):\n");
            for p in &base {
                let _ = writeln!(out, "  {p}");
            }
        }
        let st = assemble::structure(
            &self.state.checked,
            ScenarioId::BASE,
            self.state.date_of(ScenarioId::BASE),
        );
        let rule = match st.allocation {
            Allocation::Sticky => "sticky".to_string(),
            Allocation::Market => "market".to_string(),
            Allocation::CoalitionFirst(g) => {
                format!(
                    "coalition_first {}",
                    self.state.checked.world.groups[g].name
                )
            }
        };
        let _ = writeln!(
            out,
            "  allocation {rule}, rerouting {}",
            query::percent(st.rerouting.plain)
        );
        if let Some(at) = st.at {
            let _ = writeln!(
                out,
                "  as of {at}: the statements in force that day take part"
            );
        }
        for s in &self.state.stmts {
            let StmtKind::Scenario(b) = &s.kind else {
                continue;
            };
            let extends = b
                .extends
                .as_ref()
                .map(|e| format!(" extends {}", e.text))
                .unwrap_or_default();
            let _ = writeln!(out, "scenario {}{extends}:", b.name.text);
            let own: Vec<String> = b.body.iter().filter(|s| is_policy(s)).map(text).collect();
            if own.is_empty() {
                out.push_str("  (no policies of its own)\n");
            }
            for p in own {
                let _ = writeln!(out, "  {p}");
            }
        }
        out
    }

    fn show_scenario(&self) -> String {
        let names = self.state.checked.scenario_names();
        let n = self.state.inputs.len();
        let mut out = format!(
            "# the session: {n} input{}; scenarios: {}\n",
            if n == 1 { "" } else { "s" },
            names.join(", ")
        );
        out.push_str(&self.text());
        out
    }

    /// `:table [SCENARIO] [for A, B] [on m1, m2]`.
    fn table(&mut self, line: &str) -> Reply {
        let rest = line.strip_prefix(":table").unwrap_or("");
        let first = rest.split_whitespace().next();
        let (scenario, tail): (ScenarioId, String) = match first {
            Some(w) if w != "for" && w != "on" => {
                let Some(id) = self.state.checked.scenario_id(w) else {
                    let names = self.state.checked.scenario_names();
                    let hint = crate::diagnostic::suggest(w, names.iter().copied())
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    return Reply::error(format!("no scenario `{w}`{hint}"));
                };
                // Blank the name so the spans of the rest stay where they are.
                let at = rest.find(w).unwrap_or(0);
                let mut tail = rest.to_string();
                tail.replace_range(at..at + w.len(), &" ".repeat(w.len()));
                (id, tail)
            }
            _ => (ScenarioId::BASE, rest.to_string()),
        };
        let (checked, sources) = if tail.trim().is_empty() {
            (self.state.checked.clone(), self.state.sources.clone())
        } else {
            // `report for … on …` in a throw-away copy of the program, so the
            // checker picks the rows (and says what is wrong with them).
            let mut user = self.state.user.clone();
            let id = user.add(format!("<repl:{}>", self.counter), line.to_string(), None);
            self.counter += 1;
            let report = match crate::syntax::parse(&format!("report{tail}"), id) {
                Ok(p) => p.stmts,
                Err(d) => return self.fail(&d, &user),
            };
            let mut stmts = self.state.stmts.clone();
            insert_into(
                &mut stmts,
                scenario,
                &self.state.checked.scenarios[scenario].name,
                report,
            );
            let compiled = crate::pipeline::check_program(
                user,
                SourceId(0),
                Program::new(stmts),
                None,
                self.loader.as_ref(),
                false,
            );
            match compiled {
                Ok(c) => (c.checked, c.sources),
                Err(f) => {
                    let errors: Vec<_> = f.diags.into_iter().filter(|d| !d.is_warning()).collect();
                    return self.fail(&errors, &f.sources);
                }
            }
        };
        let mut results = eval::evaluate(
            &checked,
            &sources,
            &EvalOptions {
                only: Some(scenario),
                at: self.state.at,
                ..EvalOptions::default()
            },
        )
        .results;
        results.comparisons.clear();
        results.expectations.clear();
        let opts = RenderOptions {
            color: self.display.color,
            width: self.display.width,
        };
        Reply::out(report::render(&results, Format::Table, &opts))
    }
}

impl Session {
    /// `:explain [SCENARIO:] ACTOR.MINERAL.METRIC` (SPEC §10).
    fn explain(&mut self, arg: &str) -> Reply {
        if arg.is_empty() {
            return Reply::error("`:explain` needs a metric: `:explain JP.rare_earths.shortfall`");
        }
        let mut sources = self.state.sources.clone();
        let name = format!("<repl:{}>", self.counter);
        self.counter += 1;
        let checked = &self.state.checked;
        let opts = explain::ExplainOptions {
            at: self.state.at,
            ..explain::ExplainOptions::default()
        };
        let target = match explain::resolve(checked, &mut sources, &name, arg, &opts) {
            Ok(t) => t,
            Err(d) => return self.fail(&d, &sources),
        };
        match explain::explain(checked, &sources, &target, &opts) {
            Ok(e) => {
                let width = self.display.width.map_or(100, usize::from);
                Reply::out(explain::text(&e, width))
            }
            Err(no) => Reply::error(no.to_string()),
        }
    }
}

/// Puts statements at the end of a scenario's scope: top level for base,
/// else the end of that block's body.
fn insert_into(stmts: &mut Vec<Stmt>, scenario: ScenarioId, name: &str, new: Vec<Stmt>) {
    if scenario == ScenarioId::BASE {
        stmts.extend(new);
        return;
    }
    for s in stmts.iter_mut() {
        if let StmtKind::Scenario(b) = &mut s.kind {
            if b.name.text == name {
                b.body.extend(new);
                return;
            }
        }
    }
}

fn is_policy(s: &Stmt) -> bool {
    matches!(
        s.kind,
        StmtKind::Restrict(_)
            | StmtKind::Disrupt(_)
            | StmtKind::Adds(_)
            | StmtKind::Stockpile(_)
            | StmtKind::Rerouting(_)
            | StmtKind::Allocation(_)
            | StmtKind::Lift(_)
            | StmtKind::ShareOverride(_)
            | StmtKind::Sourcing(_)
    )
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A file argument: quotes removed, `~/` expanded.
fn path_arg(arg: &str) -> Option<PathBuf> {
    let arg = arg.trim();
    let arg = arg
        .strip_prefix('"')
        .and_then(|a| a.strip_suffix('"'))
        .or_else(|| arg.strip_prefix('\'').and_then(|a| a.strip_suffix('\'')))
        .unwrap_or(arg);
    if arg.is_empty() {
        return None;
    }
    if let Some(rest) = arg.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            return Some(PathBuf::from(home).join(rest));
        }
    }
    Some(PathBuf::from(arg))
}

fn help() -> String {
    let mut out = String::from(
        "Type a statement to add it to the session, or a metric or an expression to see its value:\n\
         \x20 china restricts rare_earths to JP        a statement (extends the session scenario)\n\
         \x20 JP.rare_earths.shortfall                 a metric: ACTOR.MINERAL.METRIC[.KEY]\n\
         \x20 JP.rare_earths.dependency                every supplier (also ….output)\n\
         \x20 japan_cutoff: JP.rare_earths.shortfall   a metric in a scenario block of the session\n\
         \x20 licensing_cut * 2                        an expression (variables from `let`)\n\
         A line that fails changes nothing. Blocks and unfinished lines continue at `...>`.\n\nCommands:\n",
    );
    for (name, args, what) in COMMANDS {
        let usage = if args.is_empty() {
            name.to_string()
        } else {
            format!("{name} {args}")
        };
        let _ = writeln!(out, "  {usage:<46}{what}");
    }
    out.push_str(
        "Tab completes names, commands and metric paths; Ctrl-C clears the line; Ctrl-D leaves.\n",
    );
    out
}

impl Session {
    /// `:at` shows the session's evaluation date; `:at DATE` sets it for
    /// every scenario (as `lode run --at`); `:at none` goes back to each
    /// scenario's own as-of date. Setting it is undone by `:undo`.
    fn at(&mut self, arg: &str) -> Reply {
        let checked = &self.state.checked;
        if arg.is_empty() {
            let base = ScenarioId::BASE;
            return Reply::out(match (self.state.at, checked.as_of(base)) {
                (Some(d), _) => format!("as of {d} (set with `:at`; `:at none` goes back)"),
                (None, Some(d)) => {
                    let why = if checked.scenarios[base].at.is_some() {
                        "the session's `at` statement"
                    } else {
                        "the latest `from` of the session's statements"
                    };
                    format!("as of {d}: {why}")
                }
                (None, None) => "undated: every statement is in force".to_string(),
            });
        }
        let at = if arg == "none" {
            None
        } else {
            match crate::date::Date::parse(arg) {
                Ok(d) => Some(d),
                Err(e) => return Reply::error(format!("{}; {}", e.message(arg), e.help())),
            }
        };
        let before = self.state.clone();
        self.state.at = at;
        self.push_undo(before, &format!(":at {arg}"));
        Reply::out(match at {
            Some(d) => format!("the session is evaluated as of {d} (`:undo` takes it back)"),
            None => "each scenario is evaluated at its own date again".to_string(),
        })
    }

    /// `:samples` shows how metric queries are answered; `:samples N` draws
    /// the session's ranges N times per query and answers with the median
    /// and the 5th and 95th percentiles (SPEC §9, as `lode run --samples`);
    /// `:samples off` answers plainly again. Undone by `:undo`.
    fn samples(&mut self, arg: &str) -> Reply {
        if arg.is_empty() {
            return Reply::out(match self.state.sampling() {
                Some(o) => format!(
                    "metrics are answered over {} sample{} (seed {}) as median [5th–95th percentile]",
                    o.samples,
                    if o.samples == 1 { "" } else { "s" },
                    o.seed
                ),
                None => "metrics are answered plainly (ranges at their mode or midpoint); `:samples 10000` samples them".to_string(),
            });
        }
        let samples = if arg == "off" {
            0
        } else {
            match crate::sample::from_options(Some(arg), None) {
                Ok((Some(n), _)) => n,
                Ok((None, _)) => 0,
                Err(d) => {
                    return Reply::error(format!(
                        "{}; write `:samples 10000` or `:samples off`",
                        d.message
                    ));
                }
            }
        };
        let before = self.state.clone();
        self.state.samples = Some(samples);
        self.push_undo(before, &format!(":samples {arg}"));
        Reply::out(match self.state.sampling() {
            Some(o) => format!(
                "metrics are answered as median [5th–95th percentile] over {} samples (seed {}); `:samples off` answers plainly",
                o.samples, o.seed
            ),
            None => "metrics are answered plainly again".to_string(),
        })
    }

    /// `:seed` shows the seed samples are drawn from; `:seed S` sets it.
    fn seed(&mut self, arg: &str) -> Reply {
        if arg.is_empty() {
            let seed = self
                .state
                .seed
                .or(self.state.checked.sampling.seed.map(|(s, _)| s))
                .unwrap_or(0);
            return Reply::out(format!("seed {seed}"));
        }
        let seed = match crate::sample::from_options(None, Some(arg)) {
            Ok((_, Some(s))) => s,
            Ok((_, None)) => 0,
            Err(d) => return Reply::error(format!("{}; write `:seed 42`", d.message)),
        };
        let before = self.state.clone();
        self.state.seed = Some(seed);
        self.push_undo(before, &format!(":seed {arg}"));
        let note = if self.state.sampling().is_some() {
            ""
        } else {
            " (it is used once `:samples N` is set)"
        };
        Reply::out(format!("samples are drawn from seed {seed}{note}"))
    }

    /// `:timeline [SCENARIO] [for A, B] [on m1, m2]`: the scenario over its
    /// default range, monthly (SPEC §8.3).
    fn timeline(&mut self, arg: &str) -> Reply {
        let checked = &self.state.checked;
        let mut scenario = ScenarioId::BASE;
        let mut rows: Vec<String> = Vec::new();
        let mut minerals: Vec<String> = Vec::new();
        // `for` and `on` start lists of names, split at commas, `+` and blanks.
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
                            "`:timeline` takes a scenario, then `for A, B` and `on m1, m2`",
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
        let opts = crate::timeline::TimelineOptions {
            scenario,
            rows,
            minerals,
            ..Default::default()
        };
        match crate::timeline::timeline(checked, &opts) {
            Ok(t) => {
                let render = RenderOptions {
                    color: self.display.color,
                    width: self.display.width,
                };
                Reply::out(report::timeline::render(&t, Format::Table, &render))
            }
            Err(e) => Reply::error(e.to_string()),
        }
    }
}
