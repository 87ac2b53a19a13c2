//! The outline of a file: its declarations, scenarios with what they
//! declare inside them.

use crate::ast::{MineralItemKind, Program, Stmt, StmtKind};
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Actor,
    Group,
    Coalition,
    Mineral,
    Stage,
    Variable,
    Scenario,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole declaration.
    pub span: Span,
    /// The name in it.
    pub name_span: Span,
    pub children: Vec<Symbol>,
}

fn symbol(name: &str, kind: SymbolKind, span: Span, name_span: Span) -> Symbol {
    Symbol {
        name: name.to_string(),
        detail: None,
        kind,
        span: span.to(name_span),
        name_span,
        children: Vec::new(),
    }
}

/// The declarations of `program`, in file order.
pub fn symbols(program: &Program) -> Vec<Symbol> {
    let mut out = Vec::new();
    for s in &program.stmts {
        stmt(s, &mut out);
    }
    out
}

fn stmt(s: &Stmt, out: &mut Vec<Symbol>) {
    match &s.kind {
        StmtKind::Actor(decls) => {
            for d in decls {
                let mut sym = symbol(&d.code.text, SymbolKind::Actor, d.span, d.code.span);
                sym.detail = d.name.as_ref().map(|n| n.value.clone());
                out.push(sym);
            }
        }
        StmtKind::Group(g) => {
            let mut sym = symbol(&g.name.text, SymbolKind::Group, s.span, g.name.span);
            sym.detail = Some(join(&g.members));
            out.push(sym);
        }
        StmtKind::Coalition(c) => {
            let (name, span) = match &c.name {
                Some(n) => (n.text.as_str(), n.span),
                None => (c.members_text.as_str(), c.members_span),
            };
            let mut sym = symbol(name, SymbolKind::Coalition, s.span, span);
            sym.detail = c.name.as_ref().map(|_| join(&c.members));
            out.push(sym);
        }
        StmtKind::Mineral(m) => {
            let mut sym = symbol(&m.name.text, SymbolKind::Mineral, s.span, m.name.span);
            for item in &m.items {
                if let MineralItemKind::Stages(stages) = &item.kind {
                    sym.detail = Some(
                        stages
                            .iter()
                            .map(|n| n.text.as_str())
                            .collect::<Vec<_>>()
                            .join(" → "),
                    );
                    sym.children.extend(
                        stages
                            .iter()
                            .map(|n| symbol(&n.text, SymbolKind::Stage, n.span, n.span)),
                    );
                }
            }
            out.push(sym);
        }
        StmtKind::Let(l) => out.push(symbol(
            &l.name.text,
            SymbolKind::Variable,
            s.span,
            l.name.span,
        )),
        StmtKind::Scenario(sc) => {
            let mut sym = symbol(&sc.name.text, SymbolKind::Scenario, s.span, sc.name.span);
            sym.detail = sc.extends.as_ref().map(|p| format!("extends {}", p.text));
            for inner in &sc.body {
                stmt(inner, &mut sym.children);
            }
            out.push(sym);
        }
        _ => {}
    }
}

fn join(names: &[crate::ast::Name]) -> String {
    names
        .iter()
        .map(|n| n.text.as_str())
        .collect::<Vec<_>>()
        .join(" + ")
}
