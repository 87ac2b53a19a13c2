//! Names, units, shares and scenarios: from syntax trees to a [`Checked`]
//! program, reporting every independent error in one pass.
//!
//! The checker works in passes over all files of a program (the main file,
//! the files it `use`s, and the embedded data sets):
//! 1. collect: load `use`d files, declare actors, groups, coalitions,
//!    minerals and scenario names, so declarations may come in any order;
//! 2. resolve: group members (with cycle detection), mineral data,
//!    coalitions;
//! 3. statements: top-level statements form `base`; each block is checked in
//!    its own scope after its parent;
//! 4. reports, comparisons and expectations.
//!
//! An error in one statement never stops the others from being checked.

mod actions;
mod expects;
mod names;
mod scenarios;
mod targets;
mod time;
pub mod values;
mod world;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::loader::Loader;

use crate::ast::{Program, Stmt, StmtKind, UseTarget};
use crate::diagnostic::{Code, Diag};
use crate::program::{Checked, Def, Input, InputKind, Num, Param, Use, World};
use crate::source::{SourceId, SourceMap, Span};
use values::{Value, Vars, Want};

pub use names::Named;
pub use scenarios::unknown_scenario;

/// The most actors, scenarios and statements one program may have.
pub const MAX_ACTORS: usize = 10_000;
pub const MAX_SCENARIOS: usize = 1_000;
pub use crate::syntax::limits::MAX_STATEMENTS;
pub const MAX_STAGES: usize = 16;
pub const MAX_MINERALS: usize = 1_000;
/// The most members all groups and coalitions may hold together (after
/// expanding groups of groups).
pub const MAX_GROUP_MEMBERS: usize = 1_000_000;
/// The most (exporter, importer, mineral) entries all restrictions may hold
/// together: `restricts m to all` names every actor.
pub const MAX_RESTRICTED_FLOWS: usize = 10_000_000;
/// The most errors (and, separately, warnings) one check reports; the rest
/// are counted in a last diagnostic. Each costs a "did you mean" search and
/// a rendered snippet.
pub const MAX_DIAGNOSTICS: usize = 1_000;
/// Name comparisons all "did you mean" searches of one check may make.
const MAX_SUGGESTION_WORK: usize = 5_000_000;

#[derive(Clone, Copy)]
pub struct CheckOptions<'l> {
    /// Reads the files `use "path"` names.
    pub loader: &'l dyn Loader,
    /// The main program's own file (its key in `loader`), from which its
    /// relative `use` paths start; `None` for a program given as text.
    pub main_key: Option<&'l Path>,
    /// Start with `use world2024` when the program declares no world of its own.
    pub implicit_world: bool,
}

/// A parsed file taking part in the program.
pub(crate) struct Unit {
    pub source: SourceId,
    pub program: Program,
    pub main: bool,
}

pub(crate) struct Checker<'a> {
    pub sources: &'a mut SourceMap,
    pub opts: CheckOptions<'a>,
    pub errors: Vec<Diag>,
    pub warnings: Vec<Diag>,
    pub world: World,
    pub names: names::Names,
    pub units: Vec<Unit>,
    /// Member names of each group, by group id, until they are resolved.
    pub group_members: Vec<Vec<crate::ast::Name>>,
    /// Canonical paths (or data set names) already loaded.
    loaded: HashMap<String, SourceId>,
    /// How many more restricted flows fit in [`MAX_RESTRICTED_FLOWS`]
    /// (`None` once over it).
    pub restricted_flows_left: Option<usize>,
    /// Errors and warnings past [`MAX_DIAGNOSTICS`], not kept.
    pub dropped: usize,
    /// The main file has no `use` line and declares actors or minerals, so
    /// the implicit `use world2024` is off (SPEC §2.1).
    pub own_data: bool,
    /// Ranges and `let` variables met so far.
    pub inputs: Vec<Input>,
    /// Numbers that depend on them.
    pub params: Vec<Param>,
    /// Every name used, with what it resolved to.
    pub uses: Vec<Use>,
    /// Restriction names and the lifts that name one.
    pub time: time::Names,
}

/// Checks a parsed program. Returns the checked program and its warnings, or
/// every error found (with the warnings after them).
pub fn check(
    sources: &mut SourceMap,
    main: SourceId,
    program: Program,
    opts: CheckOptions<'_>,
) -> Result<(Checked, Vec<Diag>), Vec<Diag>> {
    let partial = check_partial(sources, main, program, opts);
    if partial.errors.is_empty() {
        Ok((partial.checked, partial.warnings))
    } else {
        let mut all = partial.errors;
        all.extend(partial.warnings);
        Err(all)
    }
}

/// What a check found, errors or not.
pub struct Partial {
    /// Everything that checked: with errors, the statements in error are
    /// missing, but every name that resolved is there with its uses, so an
    /// editor can still hover and go to definitions in a file with a
    /// mistake. Never evaluate it when `errors` is not empty.
    pub checked: Checked,
    pub errors: Vec<Diag>,
    pub warnings: Vec<Diag>,
}

/// Checks a parsed program and keeps what checked even when there are
/// errors (see [`Partial`]).
pub fn check_partial(
    sources: &mut SourceMap,
    main: SourceId,
    program: Program,
    opts: CheckOptions<'_>,
) -> Partial {
    let mut c = Checker {
        sources,
        opts,
        errors: Vec::new(),
        warnings: Vec::new(),
        world: World::default(),
        names: names::Names::default(),
        units: Vec::new(),
        group_members: Vec::new(),
        loaded: HashMap::new(),
        restricted_flows_left: Some(MAX_RESTRICTED_FLOWS),
        dropped: 0,
        own_data: false,
        inputs: Vec::new(),
        params: Vec::new(),
        uses: Vec::new(),
        time: time::Names::default(),
    };
    crate::diagnostic::limit_suggestions(MAX_SUGGESTION_WORK);
    let implicit = opts.implicit_world && needs_implicit_world(&program);
    c.own_data = opts.implicit_world
        && !implicit
        && !program
            .stmts
            .iter()
            .any(|s| matches!(s.kind, StmtKind::Use(_)));
    let mut stack = Vec::new();
    if implicit {
        c.load_dataset("world2024", None, &mut stack);
    }
    let main_key = opts.main_key.map(Path::to_path_buf);
    c.collect_uses(&program, main_key.as_deref(), &mut vec![main]);
    c.units.push(Unit {
        source: main,
        program,
        main: true,
    });
    let checked = c.run();
    // Report in reading order, whatever pass found each error.
    let key = |d: &Diag| {
        d.primary_span()
            .map(|s| (s.source, s.start))
            .unwrap_or_default()
    };
    c.errors.sort_by_key(key);
    c.warnings.sort_by_key(key);
    if c.dropped > 0 {
        let d = Diag::new(
            Code::TooMany,
            format!(
                "{} more errors and warnings not shown; lode shows {MAX_DIAGNOSTICS} of each",
                c.dropped
            ),
        )
        .help("fix the ones above first");
        if c.errors.is_empty() {
            c.warnings.push(d);
        } else {
            c.errors.push(d);
        }
    }
    Partial {
        checked,
        errors: c.errors,
        warnings: c.warnings,
    }
}

/// SPEC §2.1: no `use` and no `actor` or `mineral` declaration.
fn needs_implicit_world(program: &Program) -> bool {
    !program.stmts.iter().any(|s| {
        matches!(
            s.kind,
            StmtKind::Use(_) | StmtKind::Actor(_) | StmtKind::Mineral(_)
        )
    })
}

impl Checker<'_> {
    pub fn error(&mut self, d: Diag) {
        if self.errors.len() < MAX_DIAGNOSTICS {
            self.errors.push(d);
        } else {
            self.dropped += 1;
        }
    }

    /// The source text under a span (empty when it is not there).
    pub fn text_of(&self, span: Span) -> String {
        self.sources
            .get(span.source)
            .and_then(|f| f.text.get(span.start..span.end))
            .unwrap_or_default()
            .to_string()
    }

    /// Records that the name at `span` stands for `def`.
    pub fn used(&mut self, span: Span, def: Def) {
        self.uses.push(Use { span, def });
    }

    /// A number of the program from an evaluated value: a parameter when
    /// it depends on inputs.
    pub fn num(&mut self, v: &Value, span: Span) -> Num {
        match &v.sym {
            None => Num::constant(v.value),
            Some(expr) => {
                let id = crate::program::ParamId::new(self.params.len());
                self.params.push(Param {
                    expr: (**expr).clone(),
                    span,
                });
                Num {
                    plain: v.value,
                    param: Some(id),
                }
            }
        }
    }

    fn sink(&mut self) -> values::Inputs<'_> {
        Some(values::Sink {
            inputs: &mut self.inputs,
            uses: &mut self.uses,
        })
    }

    /// Evaluates an expression; ranges in it become inputs.
    pub fn eval_value(&mut self, e: &crate::ast::Expr, vars: &Vars) -> Result<Value, Diag> {
        values::eval_with(e, vars, &mut self.sink())
    }

    /// Evaluates and checks an expression as its statement needs it, into a
    /// number of the program; reports the error and gives `None` otherwise.
    pub fn number(&mut self, e: &crate::ast::Expr, vars: &Vars, want: Want) -> Option<Num> {
        match values::eval_as(e, vars, want, &mut self.sink()) {
            Ok(v) => Some(self.num(&v, e.span)),
            Err(d) => {
                self.error(d);
                None
            }
        }
    }

    /// The value of `let NAME = EXPR`. A plain value becomes an input of
    /// its own, so a sensitivity analysis can move it; a range is the one
    /// draw that every use of the variable shares.
    pub fn let_value(&mut self, l: &crate::ast::LetDecl, vars: &Vars) -> Option<Value> {
        match self.eval_value(&l.value, vars) {
            Ok(mut v) => {
                match &v.sym {
                    Some(_) => {
                        // A range bound to a name: say whose it is.
                        if let Some(crate::program::ValueExpr::Input(i)) = v.sym.as_deref() {
                            if self.inputs[i.index()].name.is_none() {
                                self.inputs[i.index()].name = Some(l.name.text.clone());
                            }
                        }
                    }
                    None => {
                        v.sym = Some(values::new_input(
                            &mut self.inputs,
                            InputKind::Let { value: v.value },
                            l.name.span,
                            Some(l.name.text.clone()),
                        ));
                    }
                }
                Some(v)
            }
            Err(d) => {
                self.error(d);
                None
            }
        }
    }

    pub fn warn(&mut self, d: Diag) {
        if self.warnings.len() < MAX_DIAGNOSTICS {
            self.warnings.push(d);
        } else {
            self.dropped += 1;
        }
    }

    /// Loads the files `program` uses, depth first, before the program
    /// itself, so a file's dependencies come before it.
    fn collect_uses(&mut self, program: &Program, from: Option<&Path>, stack: &mut Vec<SourceId>) {
        for stmt in &program.stmts {
            let StmtKind::Use(target) = &stmt.kind else {
                continue;
            };
            match target {
                UseTarget::Dataset(name) => self.load_dataset(&name.text, Some(name.span), stack),
                UseTarget::File(path) => self.load_file(&path.value, path.span, from, stack),
            }
        }
    }

    fn load_dataset(&mut self, name: &str, span: Option<Span>, stack: &mut Vec<SourceId>) {
        let Some(text) = crate::data::dataset(name) else {
            if let Some(span) = span {
                let mut d = Diag::new(Code::UnknownDataset, format!("unknown data set `{name}`"))
                    .with_label(span, "no data set of this name is embedded");
                let known = crate::data::DATASETS.iter().map(|(n, _)| *n);
                d = match crate::diagnostic::suggest(name, known) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(
                        "`lode data` lists the embedded data sets; use \"path\" reads a file",
                    ),
                };
                self.error(d);
            }
            return;
        };
        let key = format!("dataset:{name}");
        if let Some(&id) = self.loaded.get(&key) {
            if let Some(span) = span {
                self.used(span, Def::File(id));
            }
            return;
        }
        let id = self.sources.add(name, text, None);
        self.loaded.insert(key, id);
        if let Some(span) = span {
            self.used(span, Def::File(id));
        }
        self.parse_unit(id, text, None, stack);
    }

    fn load_file(
        &mut self,
        written: &str,
        span: Span,
        from: Option<&Path>,
        stack: &mut Vec<SourceId>,
    ) {
        let file = match self.opts.loader.resolve(written, from) {
            Ok(f) => f,
            Err(e) => return self.error(e.use_diag(written, span)),
        };
        let key = file.key.display().to_string();
        if let Some(&id) = self.loaded.get(&key) {
            self.used(span, Def::File(id));
            if stack.contains(&id) {
                let name = self
                    .sources
                    .get(id)
                    .map(|f| f.name.clone())
                    .unwrap_or_default();
                self.error(
                    Diag::new(
                        Code::UseCycle,
                        format!("`{written}` is already being loaded: the files use each other"),
                    )
                    .with_label(span, format!("{name} uses this file, which uses it back"))
                    .help("move the shared declarations into a third file that both use"),
                );
            }
            return;
        }
        let id = SourceId(self.sources.len() as u32);
        match crate::syntax::limits::decode(&file.bytes, id) {
            Ok(text) => {
                self.sources.add(file.name, text.clone(), file.path);
                self.loaded.insert(key, id);
                self.used(span, Def::File(id));
                self.parse_unit(id, &text, Some(file.key), stack);
            }
            Err((d, lossy)) => {
                self.sources.add(file.name, lossy, file.path);
                self.error(d);
            }
        }
    }

    fn parse_unit(
        &mut self,
        id: SourceId,
        text: &str,
        key: Option<PathBuf>,
        stack: &mut Vec<SourceId>,
    ) {
        match crate::syntax::parse(text, id) {
            Ok(program) => {
                stack.push(id);
                self.collect_uses(&program, key.as_deref(), stack);
                stack.pop();
                self.units.push(Unit {
                    source: id,
                    program,
                    main: false,
                });
            }
            Err(diags) => self.errors.extend(diags),
        }
    }

    fn run(&mut self) -> Checked {
        let units = std::mem::take(&mut self.units);
        let total: usize = units.iter().map(|u| count_stmts(&u.program.stmts)).sum();
        if total > MAX_STATEMENTS {
            self.error(Diag::new(
                Code::TooMany,
                format!("the program has {total} statements; lode allows {MAX_STATEMENTS}"),
            ));
            return Checked::default();
        }
        self.declare_row();
        for u in &units {
            self.declare(u);
        }
        self.check_limits();
        self.resolve_groups(&units);
        let mut checked = Checked::default();
        let mut base_vars = values::Vars::new();
        // Each used file's variables, for its dated policies.
        let mut used_vars = Vec::new();
        for u in &units {
            let vars = self.file_vars(u);
            self.world_data(u, &vars);
            if u.main {
                base_vars = vars;
            } else {
                used_vars.push(vars);
            }
        }
        self.scenarios(&units, base_vars, used_vars, &mut checked);
        checked.world = std::mem::take(&mut self.world);
        checked.inputs = std::mem::take(&mut self.inputs);
        checked.params = std::mem::take(&mut self.params);
        checked.uses = std::mem::take(&mut self.uses);
        self.units = units;
        checked
    }

    fn check_limits(&mut self) {
        if self.world.actors.len() > MAX_ACTORS {
            self.error(Diag::new(
                Code::TooMany,
                format!(
                    "{} actors declared; lode allows {MAX_ACTORS}",
                    self.world.actors.len()
                ),
            ));
        }
        if self.world.minerals.len() > MAX_MINERALS {
            self.error(Diag::new(
                Code::TooMany,
                format!(
                    "{} minerals declared; lode allows {MAX_MINERALS}",
                    self.world.minerals.len()
                ),
            ));
        }
    }
}

fn count_stmts(stmts: &[Stmt]) -> usize {
    stmts
        .iter()
        .map(|s| match &s.kind {
            StmtKind::Scenario(b) => 1 + count_stmts(&b.body),
            StmtKind::Mineral(m) => 1 + m.items.len(),
            _ => 1,
        })
        .sum()
}

/// Resolves a metric path against a checked world (the REPL's queries).
pub fn resolve_metric(
    sources: &mut SourceMap,
    world: &World,
    path: &crate::ast::MetricPath,
) -> Result<crate::program::MetricRef, Vec<Diag>> {
    let loader = crate::loader::MemoryLoader::new();
    let opts = CheckOptions {
        loader: &loader,
        main_key: None,
        implicit_world: false,
    };
    let mut c = Checker {
        sources,
        opts,
        errors: Vec::new(),
        warnings: Vec::new(),
        world: world.clone(),
        names: names::Names::from_world(world),
        units: Vec::new(),
        group_members: Vec::new(),
        loaded: HashMap::new(),
        restricted_flows_left: Some(MAX_RESTRICTED_FLOWS),
        dropped: 0,
        own_data: false,
        inputs: Vec::new(),
        params: Vec::new(),
        uses: Vec::new(),
        time: time::Names::default(),
    };
    crate::diagnostic::limit_suggestions(MAX_SUGGESTION_WORK);
    match c.metric_ref(path) {
        Some(m) if c.errors.is_empty() => Ok(m),
        _ => Err(c.errors),
    }
}

#[cfg(test)]
mod tests {
    use super::count_stmts;
    use crate::source::SourceId;
    use crate::syntax::limits::statement_starts;

    /// The count made before parsing never exceeds the statements the
    /// checker counts, on world2024 and every program in the repository's
    /// scenarios and test fixtures that parses: it may refuse a program
    /// only if the checker would.
    #[test]
    fn the_count_before_parsing_is_a_floor() {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "lode")
                    && let Ok(text) = std::fs::read_to_string(path)
                {
                    out.push(text);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = vec![crate::data::WORLD2024.to_string()];
        walk(&root.join("scenarios"), &mut texts);
        walk(&root.join("tests"), &mut texts);
        let mut compared = 0;
        for text in &texts {
            let Ok(program) = crate::syntax::parse(text, SourceId(0)) else {
                continue;
            };
            let floor = statement_starts(text).count();
            let counted = count_stmts(&program.stmts);
            assert!(floor <= counted, "{floor} > {counted} in\n{text}");
            compared += 1;
        }
        assert!(compared > 50, "{compared}");
    }
}
