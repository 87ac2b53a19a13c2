//! The session engine: a growing program, one accepted input at a time.
//!
//! Every input becomes its own named source (`<repl:N>`), so a diagnostic
//! points into the line that caused it, and the session's program is the
//! concatenation of the statements of every accepted input. Each new input is
//! checked together with all the earlier ones, on copies; only a program that
//! checks replaces the session, so a failing line leaves it exactly as it was.
//!
//! This module knows nothing about terminals: it takes text and returns a
//! [`Reply`] (what to print on stdout, what on stderr). It reads files only
//! through its [`Loader`] and writes them only through its [`Saver`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ast::{Program, ReplInput, Stmt, StmtKind};
use crate::check::values::{self, Vars};
use crate::date::Date;
use crate::diagnostic::{Diag, Style, render_all, render_grouped};
use crate::eval::{self, assemble};
use crate::loader::{FsLoader, Loader};
use crate::program::{Checked, ScenarioId};
use crate::source::{SourceId, SourceMap};

use super::query;

/// How many earlier states `:undo` can return to.
const UNDO_DEPTH: usize = 100;

/// What the session starts from (and `:reset` returns to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// `use world2024`.
    World,
    /// Nothing at all (`--empty`).
    Empty,
    /// A scenario file's statements (`lode repl FILE`).
    File(PathBuf),
}

/// How replies look: plain data chosen by the front end.
#[derive(Debug, Clone, Copy)]
pub struct Display {
    /// Diagnostics (stderr).
    pub diagnostics: Style,
    /// ANSI colour in tables (stdout).
    pub color: bool,
    /// Table width; `None` lets the table fit the terminal.
    pub width: Option<u16>,
}

impl Default for Display {
    /// No colour, fixed widths: what tests and pipes see.
    fn default() -> Self {
        Display {
            diagnostics: Style::plain(),
            color: false,
            width: Some(120),
        }
    }
}

/// The answer to one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// For standard output: a value, a table, a listing, a confirmation.
    pub output: String,
    /// For standard error: rendered diagnostics and warnings.
    pub diagnostics: String,
    /// The input failed (the session is unchanged).
    pub failed: bool,
    /// `:quit`.
    pub quit: bool,
}

impl Reply {
    pub fn out(text: impl Into<String>) -> Self {
        Reply {
            output: with_newline(text.into()),
            ..Reply::default()
        }
    }

    /// A failure described in one line (no source to point into).
    pub fn error(message: impl Into<String>) -> Self {
        Reply {
            diagnostics: with_newline(format!("error: {}", message.into())),
            failed: true,
            ..Reply::default()
        }
    }
}

fn with_newline(mut s: String) -> String {
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Writes what `:save` asks for. The session itself never writes a file:
/// the host decides how (the command line writes atomically).
pub trait Saver: Send {
    fn save(&self, path: &Path, text: &str) -> Result<(), String>;
}

impl<F: Fn(&Path, &str) -> Result<(), String> + Send> Saver for F {
    fn save(&self, path: &Path, text: &str) -> Result<(), String> {
        self(path, text)
    }
}

/// A host that cannot write files.
struct NoSaver;

impl Saver for NoSaver {
    fn save(&self, _: &Path, _: &str) -> Result<(), String> {
        Err("this session cannot write files".into())
    }
}

/// Why a session could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    /// The file could not be read (exit 2).
    Io(String),
    /// The file does not check; rendered diagnostics (exit 1).
    Invalid(String),
}

/// Everything a session is at one moment. Cloned for undo and for `:reset`.
#[derive(Debug, Clone)]
pub(crate) struct State {
    /// The text of every input that changed the session, in order.
    pub inputs: Vec<String>,
    /// The inputs' sources only, ids `0..inputs.len()`.
    pub user: SourceMap,
    /// The statements of every input, in order.
    pub stmts: Vec<Stmt>,
    /// `user` plus whatever the checker loaded (data sets, `use`d files):
    /// the map the spans of `checked` point into.
    pub sources: SourceMap,
    pub checked: Checked,
    /// Check warnings and base-scenario warnings, to show only new ones.
    pub warnings: Vec<Diag>,
    /// Top-level `let`s, for bare expressions.
    pub vars: Vars,
    /// `:at DATE`: every scenario of the session at this date (SPEC §8.2,
    /// as `--at`); `None`: each at its own as-of date.
    pub at: Option<Date>,
    /// `:samples N`: metric queries over N samples; `Some(0)` is
    /// `:samples off`; `None` follows the session's `samples` line.
    pub samples: Option<usize>,
    /// `:seed S`; `None` follows the session's `seed` line (else 0).
    pub seed: Option<u64>,
}

impl State {
    /// The date a scenario of the session is evaluated at: `:at`, else the
    /// scenario's own as-of date.
    pub fn date_of(&self, s: ScenarioId) -> Option<Date> {
        self.at.or_else(|| self.checked.as_of(s))
    }

    /// The samples metric queries draw: `:samples` and `:seed`, else the
    /// session's `samples` and `seed` lines; `None` answers plainly.
    pub fn sampling(&self) -> Option<crate::sample::SampleOptions> {
        if self.samples == Some(0) {
            return None;
        }
        crate::sample::resolve(&self.checked, self.samples, self.seed)
    }
}

pub struct Session {
    pub(crate) start: Start,
    pub(crate) initial: State,
    pub(crate) state: State,
    /// Earlier states, most recent last, with what changed them.
    pub(crate) undo: Vec<(State, String)>,
    /// Reads `:load` files, the start file and `use "path"`.
    pub(crate) loader: Arc<dyn Loader>,
    /// Writes `:save` files.
    pub saver: Box<dyn Saver>,
    /// The number of the next `<repl:N>` source.
    pub(crate) counter: usize,
    pub display: Display,
}

impl Session {
    /// Starts a session on files on disk: `use "path"` is confined to the
    /// start file's directory (the working directory without a file).
    pub fn new(start: Start) -> Result<Session, StartError> {
        let dir = match &start {
            Start::File(path) => crate::loader::parent_dir(path),
            _ => PathBuf::from("."),
        };
        Session::with_loader(start, Arc::new(FsLoader::new(dir.clone(), dir)))
    }

    /// Starts a session that reads files through `loader`.
    pub fn with_loader(start: Start, loader: Arc<dyn Loader>) -> Result<Session, StartError> {
        let nothing = State {
            inputs: Vec::new(),
            user: SourceMap::new(),
            stmts: Vec::new(),
            sources: SourceMap::new(),
            checked: Checked::default(),
            warnings: Vec::new(),
            vars: Vars::new(),
            at: None,
            samples: None,
            seed: None,
        };
        let mut session = Session {
            start: start.clone(),
            initial: nothing.clone(),
            state: nothing,
            undo: Vec::new(),
            loader,
            saver: Box::new(NoSaver),
            counter: 1,
            display: Display::default(),
        };
        // An empty program still checks (ROW only).
        let mut state = session
            .candidate(&session.state, None)
            .map_err(StartError::Invalid)?;
        let world = "use world2024\n";
        match &start {
            Start::World => {
                state = session
                    .accept_text(&state, "<session>", world)
                    .map_err(StartError::Invalid)?
            }
            Start::Empty => {}
            Start::File(path) => {
                let text = read_text(session.loader.as_ref(), path)?;
                let name = path.display().to_string();
                // As `lode run` would (SPEC §2.1): a file that declares no
                // world of its own starts with `use world2024`.
                if crate::syntax::parse(&text, SourceId(0)).is_ok_and(|p| needs_world(&p)) {
                    state = session
                        .accept_text(&state, "<session>", world)
                        .map_err(StartError::Invalid)?;
                }
                state = session
                    .accept_text(&state, &name, &text)
                    .map_err(StartError::Invalid)?;
            }
        }
        session.initial = state.clone();
        session.state = state;
        Ok(session)
    }

    /// `state` plus a whole program text as one more input.
    pub(crate) fn accept_text(
        &self,
        state: &State,
        name: &str,
        text: &str,
    ) -> Result<State, String> {
        let mut user = state.user.clone();
        let id = user.add(name, text.to_string(), None);
        let program = crate::syntax::parse(text, id)
            .map_err(|d| render_all(&d, &user, self.display.diagnostics))?;
        self.candidate(state, Some((user, program, text.to_string())))
    }

    /// One line of text about what the session started from.
    pub fn banner(&self) -> String {
        let world = &self.initial.checked.world;
        // ROW is always there.
        let actors = world.actors.len().saturating_sub(1);
        let minerals = world.minerals.len();
        let what = match &self.start {
            Start::World => format!("world2024 loaded ({actors} actors, {minerals} minerals)"),
            Start::Empty => {
                "empty session: declare actors and minerals, or type `use world2024`".to_string()
            }
            Start::File(p) => format!(
                "{} loaded ({actors} actors, {minerals} minerals)",
                p.display()
            ),
        };
        format!(
            "lode {} · {what}\nType a statement, a metric such as JP.rare_earths.shortfall, or :help. Ctrl-D leaves.\n",
            env!("CARGO_PKG_VERSION")
        )
    }

    /// Handles one input: a `:command`, statements, a metric or an expression.
    pub fn input(&mut self, text: &str) -> Reply {
        let trimmed = text.trim();
        if trimmed.starts_with(':') {
            return self.command(trimmed);
        }
        if trimmed.is_empty() {
            return Reply::default();
        }
        let name = format!("<repl:{}>", self.counter);
        self.counter += 1;
        // A query is answered against the checked sources; statements join
        // the inputs' sources, from which every check starts.
        let mut full = self.state.sources.clone();
        let qid = full.add(name.clone(), text.to_string(), None);
        match crate::syntax::parse_repl(text, qid) {
            Ok(ReplInput::Metric(path)) => self.metric_in(&mut full, &path, ScenarioId::BASE),
            Ok(ReplInput::Expr(expr)) => match values::eval(&expr, &self.state.vars) {
                Ok(v) => Reply::out(query::format_value(v)),
                Err(d) => self.fail(&[d], &full),
            },
            Ok(ReplInput::Stmts(_)) => {
                let mut user = self.state.user.clone();
                let id = user.add(name, text.to_string(), None);
                match crate::syntax::parse_repl(text, id) {
                    Ok(ReplInput::Stmts(program)) => self.statements(user, program, text, id, text),
                    Ok(_) => Reply::error("internal error: the input changed kind on re-parsing"),
                    Err(d) => self.fail(&d, &user),
                }
            }
            Err(diags) => match self.scenario_query(text, &mut full, qid) {
                Some(reply) => reply,
                None => self.fail(&diags, &full),
            },
        }
    }

    /// `SCENARIO: METRIC` — a metric in one of the session's scenarios.
    /// `None` when the text is not of that form, so the caller reports its
    /// own syntax error.
    fn scenario_query(&self, text: &str, full: &mut SourceMap, id: SourceId) -> Option<Reply> {
        let (head, rest) = text.split_once(':')?;
        let name = head.trim();
        let is_name = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !is_name {
            return None;
        }
        // Blank out the prefix so the spans of the rest stay where they are.
        let blanked = format!("{}{rest}", " ".repeat(head.len() + 1));
        let parsed = crate::syntax::parse_repl(&blanked, id);
        match (self.state.checked.scenario_id(name), parsed) {
            (Some(sid), Ok(ReplInput::Metric(path))) => Some(self.metric_in(full, &path, sid)),
            // The scenario exists: what is wrong is in the rest.
            (Some(_), Err(diags)) => Some(self.fail(&diags, full)),
            (Some(_), Ok(_)) => None,
            // `z: US.nickel.shortfall` with no scenario `z`.
            (None, parsed) => {
                let metric_follows = match &parsed {
                    Ok(ReplInput::Metric(_)) => true,
                    Ok(_) => false,
                    Err(_) => crate::syntax::starts_with_metric(rest.trim_start()),
                };
                if !metric_follows {
                    return None;
                }
                let start = head.len() - head.trim_start().len();
                let span = crate::source::Span::new(id, start, start + name.len());
                let names = self.state.checked.scenario_names();
                let mut diags = vec![crate::check::unknown_scenario(name, span, &names)];
                diags.extend(parsed.err().unwrap_or_default());
                Some(self.fail(&diags, full))
            }
        }
    }

    pub(crate) fn fail(&self, diags: &[Diag], sources: &SourceMap) -> Reply {
        Reply {
            diagnostics: render_all(diags, sources, self.display.diagnostics),
            failed: true,
            ..Reply::default()
        }
    }

    /// Statements: check the whole candidate program; keep it if it checks.
    /// `what` names the change for `:undo`.
    pub(crate) fn statements(
        &mut self,
        user: SourceMap,
        program: Program,
        text: &str,
        id: SourceId,
        what: &str,
    ) -> Reply {
        if program.stmts.is_empty() {
            return Reply::default();
        }
        let before = self.state.clone();
        match self.candidate(&before, Some((user, program, text.to_string()))) {
            Ok(next) => {
                let mut diagnostics = self.new_warnings(&before, &next);
                if !diagnostics.is_empty() {
                    // Warnings look like errors at a glance; say it went in.
                    diagnostics.push_str("(added despite the warnings; `:undo` takes it back)\n");
                }
                let output = self.expectations(&next, id);
                self.push_undo(before, what);
                self.state = next;
                Reply {
                    output,
                    diagnostics,
                    ..Reply::default()
                }
            }
            Err(rendered) => Reply {
                diagnostics: rendered,
                failed: true,
                ..Reply::default()
            },
        }
    }

    pub(crate) fn push_undo(&mut self, before: State, what: &str) {
        self.undo.push((before, what.to_string()));
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
    }

    /// Checks `state` plus one new input (`None`: `state` as it is). On
    /// failure returns the rendered errors (and new warnings).
    pub(crate) fn candidate(
        &self,
        state: &State,
        new: Option<(SourceMap, Program, String)>,
    ) -> Result<State, String> {
        let mut inputs = state.inputs.clone();
        let mut stmts = state.stmts.clone();
        let user = match new {
            Some((user, program, text)) => {
                inputs.push(text);
                stmts.extend(program.stmts);
                user
            }
            None => state.user.clone(),
        };
        let main = SourceId(0);
        let program = Program::new(stmts.clone());
        // The same checks and limits as `lode run`.
        let compiled = crate::pipeline::check_program(
            user.clone(),
            main,
            program,
            None,
            self.loader.as_ref(),
            false,
        );
        match compiled {
            Ok(crate::pipeline::Compiled {
                sources,
                checked,
                mut warnings,
                ..
            }) => {
                let at = state.at.or_else(|| checked.as_of(ScenarioId::BASE));
                warnings.extend(assemble::scenario(&checked, ScenarioId::BASE, at).warnings);
                let vars = top_level_vars(&stmts);
                Ok(State {
                    inputs,
                    user,
                    stmts,
                    sources,
                    checked,
                    warnings,
                    vars,
                    at: state.at,
                    samples: state.samples,
                    seed: state.seed,
                })
            }
            Err(crate::pipeline::Failed { sources, diags, .. }) => {
                let old: BTreeSet<String> = state
                    .warnings
                    .iter()
                    .map(|w| warning_key(w, &state.sources))
                    .collect();
                let shown: Vec<Diag> = diags
                    .into_iter()
                    .filter(|d| !d.is_warning() || !old.contains(&warning_key(d, &sources)))
                    .collect();
                Err(render_all(&shown, &sources, self.display.diagnostics))
            }
        }
    }

    /// The warnings `next` has that `before` had not.
    fn new_warnings(&self, before: &State, next: &State) -> String {
        let old: BTreeSet<String> = before
            .warnings
            .iter()
            .map(|w| warning_key(w, &before.sources))
            .collect();
        let fresh: Vec<&Diag> = next
            .warnings
            .iter()
            .filter(|w| !old.contains(&warning_key(w, &next.sources)))
            .collect();
        self.render_warnings(&fresh, &next.sources)
    }

    /// The warnings of the start (a FILE's `covers` claims, say).
    pub fn start_warnings(&self) -> String {
        let all: Vec<&Diag> = self.initial.warnings.iter().collect();
        self.render_warnings(&all, &self.initial.sources)
    }

    /// The first warning of each kind and place in full, the others on one
    /// line each: one `covers` claim can be off for a dozen minerals.
    fn render_warnings(&self, warnings: &[&Diag], sources: &SourceMap) -> String {
        render_grouped(warnings.iter().copied(), sources, self.display.diagnostics)
    }

    /// Evaluates the `expect` lines of a just-accepted input: each with its
    /// scenario, whether it passed, and the actual value (or why there is
    /// none).
    fn expectations(&self, state: &State, id: SourceId) -> String {
        let checked = &state.checked;
        let values = checked.plain_values();
        let mut out = String::new();
        for e in checked.expectations.iter().filter(|e| e.span.source == id) {
            let measured: Vec<eval::Measured> = crate::eval::plan_sides(e)
                .into_iter()
                .map(|(scenario, mref)| {
                    let at = e.at.or_else(|| state.date_of(scenario));
                    let st = assemble::structure(checked, scenario, at);
                    let ev = eval::evaluate_mineral(checked, &st, mref.mineral, &values);
                    let f = ev.exposure(checked, mref.subject);
                    eval::measure(checked, mref, &f, &ev)
                })
                .collect();
            let mut r = eval::judge(checked, e, &measured[0], measured.get(1), &state.sources);
            r.at = e.at.map(|d| d.to_string());
            let actual = match (&r.actual, &r.actual_text) {
                (Some(v), _) => query::format_metric(&e.metric.metric, *v),
                (None, Some(t)) => t.clone(),
                (None, None) => "absent".into(),
            };
            let why = r
                .reason
                .as_ref()
                .map(|w| format!("; {w}"))
                .unwrap_or_default();
            let mark = if r.passed { "✓ passed" } else { "✗ failed" };
            out.push_str(&format!(
                "{mark} [{}]: {} (actual {actual}{why})\n",
                r.scenario_label(),
                r.text
            ));
        }
        out
    }

    fn metric_in(
        &self,
        sources: &mut SourceMap,
        path: &crate::ast::MetricPath,
        scenario: ScenarioId,
    ) -> Reply {
        let at = self.state.date_of(scenario);
        if let Some(opts) = self.state.sampling() {
            match super::sampled::metric(&self.state.checked, sources, path, scenario, at, opts) {
                Ok(Some(text)) => return Reply::out(text),
                Ok(None) => {}
                Err(d) => return self.fail(&d, sources),
            }
        }
        match query::metric(&self.state.checked, sources, path, scenario, at) {
            Ok(text) => Reply::out(text),
            Err(d) => self.fail(&d, sources),
        }
    }

    /// The session as a scenario file: the text of each accepted input.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for input in &self.state.inputs {
            out.push_str(input);
            if !input.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }

    /// The checked program of the session.
    pub fn checked(&self) -> &Checked {
        &self.state.checked
    }

    /// The sources the session's diagnostics point into.
    pub fn sources(&self) -> &SourceMap {
        &self.state.sources
    }

    /// How many inputs the session holds (the start counts).
    pub fn len(&self) -> usize {
        self.state.inputs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.state.inputs.is_empty()
    }
}

/// Reads a program file the user named.
pub(crate) fn read_text(loader: &dyn Loader, path: &Path) -> Result<String, StartError> {
    let shown = path.display().to_string();
    let file = loader.main(path).map_err(|e| {
        let message = e.main_diag(&shown).message;
        if e.is_io() {
            StartError::Io(message)
        } else {
            StartError::Invalid(format!("error: {message}\n"))
        }
    })?;
    match crate::syntax::limits::decode(&file.bytes, SourceId(0)) {
        Ok(text) => Ok(text),
        Err((d, _)) => Err(StartError::Invalid(format!(
            "error: `{shown}`: {}\n",
            d.message
        ))),
    }
}

/// SPEC §2.1: a program with no `use` and no `actor` or `mineral`
/// declaration starts with `use world2024`.
fn needs_world(program: &Program) -> bool {
    !program.stmts.iter().any(|s| {
        matches!(
            s.kind,
            StmtKind::Use(_) | StmtKind::Actor(_) | StmtKind::Mineral(_)
        )
    })
}

/// The top-level `let`s, evaluated in order (they have been checked).
fn top_level_vars(stmts: &[Stmt]) -> Vars {
    let mut vars = Vars::new();
    for s in stmts {
        if let StmtKind::Let(l) = &s.kind {
            if let Ok(v) = values::eval(&l.value, &vars) {
                vars.insert(l.name.text.clone(), (v, l.name.span));
            }
        }
    }
    vars
}

/// A warning's identity across re-checks: source ids of loaded data shift
/// as inputs are added, so the source is named rather than numbered.
fn warning_key(d: &Diag, sources: &SourceMap) -> String {
    let at = d
        .primary_span()
        .map(|s| {
            let name = sources.get(s.source).map(|f| f.name.as_str()).unwrap_or("");
            format!("{name}:{}:{}", s.start, s.end)
        })
        .unwrap_or_default();
    format!("{}|{}|{at}", d.code, d.message)
}
