//! The requests the server answers, each from `lode::ide`: positions in,
//! positions out, converted by `position.rs`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lode::ide::analysis::Analysis;
use lode::ide::complete::{self, ItemKind, Names};
use lode::ide::highlight::{self, TokenClass};
use lode::ide::located::{Located, Severity};
use lode::ide::navigate;
use lode::ide::symbols::{self, Symbol, SymbolKind as Kind};
use lode::loader::FsLoader;
use lode::source::Span;
use lsp_server::{ErrorCode, Request};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, Request as _,
    SemanticTokensFullRequest,
};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionOptions, CompletionParams, CompletionResponse,
    CompletionTextEdit, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    DocumentFormattingParams, DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams,
    HoverProviderCapability, Location, MarkupContent, MarkupKind, NumberOrString, OneOf, Position,
    Range, SemanticToken, SemanticTokenType, SemanticTokens, SemanticTokensFullOptions,
    SemanticTokensLegend, SemanticTokensOptions, SemanticTokensParams, SemanticTokensResult,
    SemanticTokensServerCapabilities, ServerCapabilities, SymbolKind, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextEdit, Uri,
};
use serde_json::Value;

use super::position::LineIndex;
use super::{Doc, Failure, Server, files};

/// The semantic token types, in legend order.
const TOKEN_TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::CLASS,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::TYPE,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::FUNCTION,
];

/// How each class of token is shown: an actor as a class, a group as a
/// namespace, a mineral as a type, a stage as an enum member, a metric as
/// a property, a scenario as a function.
fn token_type(class: TokenClass) -> u32 {
    let t = match class {
        TokenClass::Keyword => SemanticTokenType::KEYWORD,
        TokenClass::Comment => SemanticTokenType::COMMENT,
        TokenClass::String => SemanticTokenType::STRING,
        TokenClass::Number | TokenClass::Date => SemanticTokenType::NUMBER,
        TokenClass::Operator => SemanticTokenType::OPERATOR,
        TokenClass::Actor => SemanticTokenType::CLASS,
        TokenClass::Group => SemanticTokenType::NAMESPACE,
        TokenClass::Mineral => SemanticTokenType::TYPE,
        TokenClass::Stage => SemanticTokenType::ENUM_MEMBER,
        TokenClass::Metric => SemanticTokenType::PROPERTY,
        TokenClass::Variable => SemanticTokenType::VARIABLE,
        TokenClass::Scenario => SemanticTokenType::FUNCTION,
    };
    TOKEN_TYPES.iter().position(|x| *x == t).unwrap_or(0) as u32
}

pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_string()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: SemanticTokensLegend {
                    token_types: TOKEN_TYPES.to_vec(),
                    token_modifiers: Vec::new(),
                },
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: Some(false),
                ..SemanticTokensOptions::default()
            },
        )),
        ..ServerCapabilities::default()
    }
}

fn params<P: serde::de::DeserializeOwned>(req: Request) -> Result<P, Failure> {
    serde_json::from_value(req.params).map_err(|e| Failure::invalid(e.to_string()))
}

fn json(v: impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(v).map_err(|e| Failure {
        code: ErrorCode::InternalError as i32,
        message: e.to_string(),
    })
}

pub(super) fn dispatch(server: &mut Server<'_>, req: Request) -> Result<Value, Failure> {
    match req.method.as_str() {
        Completion::METHOD => json(completion(server, params(req)?)),
        HoverRequest::METHOD => json(hover(server, params(req)?)),
        GotoDefinition::METHOD => json(definition(server, params(req)?)),
        DocumentSymbolRequest::METHOD => json(document_symbols(server, params(req)?)),
        Formatting::METHOD => json(formatting(server, params(req)?)),
        SemanticTokensFullRequest::METHOD => json(semantic_tokens(server, params(req)?)),
        #[cfg(test)]
        "lode/panic" => panic!("a deliberate panic, for a test"),
        other => Err(Failure {
            code: ErrorCode::MethodNotFound as i32,
            message: format!("lode lsp does not answer {other}"),
        }),
    }
}

/// The analysis of a document, with its text and line index.
fn doc<'s>(server: &'s mut Server<'_>, uri: &Uri) -> Option<(&'s Doc, &'s Analysis)> {
    let doc = server.analysis(uri)?;
    Some((doc, doc.analysis.as_ref()?))
}

/// An analysis with no program: what a panic in the checker leaves.
pub(super) fn failed_analysis(text: &str) -> Analysis {
    let mut sources = lode::source::SourceMap::new();
    let main = sources.add("<buffer>", text, None);
    Analysis {
        diagnostic_sources: sources.clone(),
        sources,
        main,
        text: text.to_string(),
        program: None,
        checked: None,
        results: None,
        diagnostics: Vec::new(),
    }
}

// ---------------------------------------------------------------- diagnostics

/// The analysis's diagnostics for the document itself, and for other files
/// (a file it uses that is not open), as LSP diagnostics.
pub(super) fn diagnostics(
    server: &Server<'_>,
    uri: &Uri,
    a: &Analysis,
) -> (Vec<Diagnostic>, Vec<(Uri, Vec<Diagnostic>)>) {
    let Some(doc) = server.docs.get(uri) else {
        return (Vec::new(), Vec::new());
    };
    let mut main = Vec::new();
    // By the URI's text: `Uri` caches parts of itself, so it is no map key.
    let mut elsewhere: std::collections::BTreeMap<String, (Uri, Vec<Diagnostic>)> =
        std::collections::BTreeMap::new();
    let mut indexes: HashMap<u32, LineIndex> = HashMap::new();
    for d in &a.diagnostics {
        let other = d.source.filter(|s| *s != a.main);
        let Some(other) = other else {
            main.push(to_lsp(
                d,
                &a.text,
                &doc.index,
                a,
                &server.cache,
                &mut indexes,
            ));
            continue;
        };
        let file = a.diagnostic_sources.get(other);
        let target = file
            .and_then(|f| f.path.as_deref())
            .and_then(files::to_uri)
            .filter(|u| !server.docs.contains_key(u));
        match (target, file) {
            (Some(u), Some(f)) => {
                let index = LineIndex::new(&f.text);
                let entry = elsewhere
                    .entry(u.as_str().to_string())
                    .or_insert_with(|| (u.clone(), Vec::new()));
                entry
                    .1
                    .push(to_lsp(d, &f.text, &index, a, &server.cache, &mut indexes));
            }
            _ => {
                // Nowhere else to show it: at the top of the document.
                let mut lsp = to_lsp(d, "", &LineIndex::new(""), a, &server.cache, &mut indexes);
                lsp.message = format!("{}: {}", d.file.as_deref().unwrap_or("?"), lsp.message);
                main.push(lsp);
            }
        }
    }
    (main, elsewhere.into_values().collect())
}

fn to_lsp(
    d: &Located,
    text: &str,
    index: &LineIndex,
    a: &Analysis,
    cache: &Path,
    indexes: &mut HashMap<u32, LineIndex>,
) -> Diagnostic {
    let range = match d.span {
        Some(s) if !text.is_empty() => index.range(text, s.start, s.end),
        _ => Range::default(),
    };
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .skip(1)
        .filter_map(|l| {
            let file = a.diagnostic_sources.get(l.source)?;
            let uri = file_uri(file, cache)?;
            let index = indexes
                .entry(l.source.0)
                .or_insert_with(|| LineIndex::new(&file.text));
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri, index.range(&file.text, l.span.start, l.span.end)),
                message: l.message.clone().unwrap_or_else(|| "here".into()),
            })
        })
        .collect();
    let message = match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    };
    Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.clone())),
        source: Some("lode".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        data: serde_json::to_value(d).ok(),
        ..Diagnostic::default()
    }
}

/// The URI of a source: its file, or the read-only copy of a data set.
fn file_uri(file: &lode::source::SourceFile, cache: &Path) -> Option<Uri> {
    match &file.path {
        Some(p) => files::to_uri(p),
        None => files::to_uri(&files::dataset_copy(&file.name, cache)?),
    }
}

// ---------------------------------------------------------------- requests

fn offset_of(doc: &Doc, pos: Position) -> usize {
    doc.index.offset(&doc.text, pos)
}

fn completion(server: &mut Server<'_>, p: CompletionParams) -> Option<CompletionResponse> {
    let uri = p.text_document_position.text_document.uri;
    server.analysis(&uri)?;
    if server.docs.get(&uri)?.names.is_none() {
        let names = names_without_line(server, &uri, p.text_document_position.position);
        server.docs.get_mut(&uri)?.names = names;
    }
    let doc = server.docs.get(&uri)?;
    let names = doc.names.clone().unwrap_or_default();
    let offset = offset_of(doc, p.text_document_position.position);
    let c = complete::complete(&names, &doc.text, offset);
    let range = doc.index.range(&doc.text, c.start, offset);
    let items = c
        .items
        .into_iter()
        .map(|i| CompletionItem {
            kind: Some(completion_kind(i.kind)),
            detail: i.detail,
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                range,
                i.label.clone(),
            ))),
            label: i.label,
            ..CompletionItem::default()
        })
        .collect();
    Some(CompletionResponse::Array(items))
}

/// The names of the document with the cursor's line left out: a file that
/// does not parse because of the line being typed still has names.
fn names_without_line(server: &Server<'_>, uri: &Uri, pos: Position) -> Option<Names> {
    let doc = server.docs.get(uri)?;
    let line = pos.line;
    let start = doc.index.offset(&doc.text, Position::new(line, 0));
    let end = doc.index.offset(&doc.text, Position::new(line, u32::MAX));
    let mut text = doc.text.clone();
    text.replace_range(start..end, &" ".repeat(end - start));
    let mut open: HashMap<PathBuf, &str> = server
        .docs
        .values()
        .map(|d| (files::key(&d.path), d.text.as_str()))
        .collect();
    open.insert(files::key(&doc.path), text.as_str());
    let loader = files::Buffers {
        open: &open,
        fs: FsLoader::for_file(&doc.path, None),
    };
    let a = lode::ide::analysis::analyze(&doc.path, &loader);
    a.checked.as_ref().map(|c| Names::of(c, a.program.as_ref()))
}

fn completion_kind(k: ItemKind) -> CompletionItemKind {
    match k {
        ItemKind::Keyword => CompletionItemKind::KEYWORD,
        ItemKind::Actor | ItemKind::Alias => CompletionItemKind::CLASS,
        ItemKind::Group | ItemKind::Coalition => CompletionItemKind::MODULE,
        ItemKind::Mineral => CompletionItemKind::STRUCT,
        ItemKind::Stage => CompletionItemKind::ENUM_MEMBER,
        ItemKind::Metric => CompletionItemKind::PROPERTY,
        ItemKind::Scenario => CompletionItemKind::FUNCTION,
        ItemKind::Variable => CompletionItemKind::VARIABLE,
        ItemKind::Dataset => CompletionItemKind::FILE,
    }
}

fn hover(server: &mut Server<'_>, p: HoverParams) -> Option<Hover> {
    let uri = p.text_document_position_params.text_document.uri;
    let (doc, a) = doc(server, &uri)?;
    let offset = offset_of(doc, p.text_document_position_params.position);
    let h = navigate::hover(a, offset)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: (h.span.source == a.main)
            .then(|| doc.index.range(&doc.text, h.span.start, h.span.end)),
    })
}

fn definition(server: &mut Server<'_>, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let uri = p.text_document_position_params.text_document.uri;
    let cache = server.cache.clone();
    let (doc, a) = doc(server, &uri)?;
    let offset = offset_of(doc, p.text_document_position_params.position);
    let span = navigate::definition(a, offset)?;
    location(&uri, doc, a, span, &cache).map(GotoDefinitionResponse::Scalar)
}

/// Where a span is, as the editor names it.
fn location(uri: &Uri, doc: &Doc, a: &Analysis, span: Span, cache: &Path) -> Option<Location> {
    if span.source == a.main {
        return Some(Location::new(
            uri.clone(),
            doc.index.range(&doc.text, span.start, span.end),
        ));
    }
    let file = a.sources.get(span.source)?;
    let index = LineIndex::new(&file.text);
    Some(Location::new(
        file_uri(file, cache)?,
        index.range(&file.text, span.start, span.end),
    ))
}

fn document_symbols(
    server: &mut Server<'_>,
    p: DocumentSymbolParams,
) -> Option<DocumentSymbolResponse> {
    let (doc, a) = doc(server, &p.text_document.uri)?;
    let program = a.program.as_ref()?;
    let list = symbols::symbols(program)
        .iter()
        .map(|s| lsp_symbol(doc, s))
        .collect();
    Some(DocumentSymbolResponse::Nested(list))
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written out
fn lsp_symbol(doc: &Doc, s: &Symbol) -> DocumentSymbol {
    DocumentSymbol {
        name: s.name.clone(),
        detail: s.detail.clone(),
        kind: match s.kind {
            Kind::Actor => SymbolKind::OBJECT,
            Kind::Group | Kind::Coalition => SymbolKind::NAMESPACE,
            Kind::Mineral => SymbolKind::STRUCT,
            Kind::Stage => SymbolKind::ENUM_MEMBER,
            Kind::Variable => SymbolKind::VARIABLE,
            Kind::Scenario => SymbolKind::MODULE,
        },
        tags: None,
        deprecated: None,
        range: doc.index.range(&doc.text, s.span.start, s.span.end),
        selection_range: doc
            .index
            .range(&doc.text, s.name_span.start, s.name_span.end),
        children: (!s.children.is_empty())
            .then(|| s.children.iter().map(|c| lsp_symbol(doc, c)).collect()),
    }
}

/// `lode fmt` of the document, as one edit over the lines that change; no
/// edit when it does not parse (the diagnostics say why).
fn formatting(server: &mut Server<'_>, p: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let doc = server.docs.get(&p.text_document.uri)?;
    let new = lode::format::format(&doc.text).ok()?;
    if new == doc.text {
        return Some(Vec::new());
    }
    let (start, old_end, new_end) = changed_lines(&doc.text, &new);
    Some(vec![TextEdit::new(
        doc.index.range(&doc.text, start, old_end),
        new[start..new_end].to_string(),
    )])
}

/// The byte range of `old` that differs from `new`, in whole lines: the
/// start, the end in `old` and the end in `new`.
pub(super) fn changed_lines(old: &str, new: &str) -> (usize, usize, usize) {
    let mut start = 0;
    for (a, b) in old.split_inclusive('\n').zip(new.split_inclusive('\n')) {
        if a != b {
            break;
        }
        start += a.len();
    }
    let old_lines: Vec<&str> = old[start..].split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new[start..].split_inclusive('\n').collect();
    let suffix: usize = old_lines
        .iter()
        .rev()
        .zip(new_lines.iter().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len())
        .sum();
    (start, old.len() - suffix, new.len() - suffix)
}

fn semantic_tokens(
    server: &mut Server<'_>,
    p: SemanticTokensParams,
) -> Option<SemanticTokensResult> {
    let (doc, a) = doc(server, &p.text_document.uri)?;
    let tokens = highlight::highlight(&doc.text, Some(a));
    let mut data = Vec::with_capacity(tokens.len());
    let (mut line, mut column) = (0u32, 0u32);
    for t in tokens {
        let start = doc.index.position(&doc.text, t.start);
        let length: usize = doc.text[t.start..t.end].chars().map(char::len_utf16).sum();
        let delta_line = start.line - line;
        let delta_start = if delta_line == 0 {
            start.character - column
        } else {
            start.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: length as u32,
            token_type: token_type(t.class),
            token_modifiers_bitset: 0,
        });
        line = start.line;
        column = start.character;
    }
    Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: None,
        data,
    }))
}
