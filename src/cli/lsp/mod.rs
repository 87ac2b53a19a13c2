//! `lode lsp`: a language server on standard input and output.
//!
//! One thread, rust-analyzer's `lsp-server` loop: messages are handled in
//! order; after each burst of them (typing sends many changes) every
//! edited document is checked once and its diagnostics published. A
//! request that needs a document's analysis checks it first. A panic while
//! handling a message is caught: the request gets an error reply and the
//! server goes on.
//!
//! The language work is the library's (`lode::ide`); this module keeps the
//! open documents, converts positions (UTF-16, see `position.rs`) and
//! speaks the protocol.

mod files;
mod handlers;
mod position;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use lode::ide::analysis::{self, Analysis};
use lode::ide::complete::Names;
use lode::loader::FsLoader;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    PublishDiagnosticsParams, Uri,
};

use super::{ExitCode, output};
use position::LineIndex;

/// Runs the server on standard input and output until the client exits.
pub fn command() -> ExitCode {
    let (connection, io_threads) = Connection::stdio();
    let result = serve(&connection);
    drop(connection);
    let joined = io_threads.join();
    match (result, joined) {
        (Ok(()), Ok(())) => ExitCode::Ok,
        (Err(e), _) => {
            output::stderr(&format!("lode lsp: {e}\n"));
            ExitCode::Usage
        }
        (_, Err(e)) => {
            output::stderr(&format!("lode lsp: {e}\n"));
            ExitCode::Usage
        }
    }
}

/// Initializes the connection and serves it until `exit`.
pub fn serve(connection: &Connection) -> Result<(), String> {
    serve_with(connection, files::cache_dir())
}

/// [`serve`], with the directory for copies of the embedded data sets.
fn serve_with(connection: &Connection, cache: PathBuf) -> Result<(), String> {
    let caps = serde_json::to_value(handlers::capabilities()).map_err(|e| e.to_string())?;
    connection.initialize(caps).map_err(|e| e.to_string())?;
    Server::new(connection, cache).run()
}

/// An open document.
struct Doc {
    /// The path the document is read as (a stand-in for non-file URIs).
    path: PathBuf,
    text: String,
    version: i32,
    index: LineIndex,
    /// The analysis of `text`, `None` when the text changed since.
    analysis: Option<Analysis>,
    /// The names of the last analysis that checked, for completion while
    /// the text does not parse.
    names: Option<Names>,
    /// Other files this document's diagnostics were published to.
    published_elsewhere: Vec<Uri>,
}

struct Server<'c> {
    connection: &'c Connection,
    docs: HashMap<Uri, Doc>,
    /// Where copies of the embedded data sets are written.
    cache: PathBuf,
}

#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Exit,
}

/// A request's failure, as the protocol reports it.
struct Failure {
    code: i32,
    message: String,
}

impl Failure {
    fn invalid(message: impl Into<String>) -> Self {
        Failure {
            code: ErrorCode::InvalidParams as i32,
            message: message.into(),
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection, cache: PathBuf) -> Self {
        Server {
            connection,
            docs: HashMap::new(),
            cache,
        }
    }

    fn run(&mut self) -> Result<(), String> {
        while let Ok(msg) = self.connection.receiver.recv() {
            if self.handle(msg)? == Flow::Exit {
                return Ok(());
            }
            while let Ok(msg) = self.connection.receiver.try_recv() {
                if self.handle(msg)? == Flow::Exit {
                    return Ok(());
                }
            }
            self.publish_stale();
        }
        Ok(())
    }

    fn send(&self, msg: impl Into<Message>) {
        // The client went away: the loop ends when its channel closes.
        let _ = self.connection.sender.send(msg.into());
    }

    fn handle(&mut self, msg: Message) -> Result<Flow, String> {
        match msg {
            Message::Request(req) => {
                if self
                    .connection
                    .handle_shutdown(&req)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(Flow::Exit);
                }
                let response = self.request(req);
                self.send(response);
            }
            Message::Notification(n) => {
                if n.method == lsp_types::notification::Exit::METHOD {
                    return Ok(Flow::Exit);
                }
                let method = n.method.clone();
                if let Err(panic) = catch_unwind(AssertUnwindSafe(|| self.notification(n))) {
                    output::stderr(&format!(
                        "lode lsp: internal error handling {method}: {}\n",
                        panic_message(&*panic)
                    ));
                }
            }
            Message::Response(_) => {}
        }
        Ok(Flow::Continue)
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let method = req.method.clone();
        match catch_unwind(AssertUnwindSafe(|| handlers::dispatch(self, req))) {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(f)) => Response::new_err(id, f.code, f.message),
            Err(panic) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!(
                    "lode: internal error answering {method}: {}",
                    panic_message(&*panic)
                ),
            ),
        }
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    let path = files::to_path(&uri).unwrap_or_else(|| files::untitled_path(&uri));
                    let text = p.text_document.text;
                    self.docs.insert(
                        uri,
                        Doc {
                            path,
                            index: LineIndex::new(&text),
                            text,
                            version: p.text_document.version,
                            analysis: None,
                            names: None,
                            published_elsewhere: Vec::new(),
                        },
                    );
                    self.invalidate_all();
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) {
                    if let Some(doc) = self.docs.get_mut(&p.text_document.uri) {
                        for change in p.content_changes {
                            match change.range {
                                Some(range) => {
                                    let start = doc.index.offset(&doc.text, range.start);
                                    let end = doc.index.offset(&doc.text, range.end).max(start);
                                    doc.text.replace_range(start..end, &change.text);
                                }
                                None => doc.text = change.text,
                            }
                            doc.index = LineIndex::new(&doc.text);
                        }
                        doc.version = p.text_document.version;
                    }
                    self.invalidate_all();
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) {
                    if let Some(doc) = self.docs.remove(&p.text_document.uri) {
                        for uri in doc
                            .published_elsewhere
                            .into_iter()
                            .chain([p.text_document.uri])
                        {
                            self.publish(uri, Vec::new(), None);
                        }
                    }
                    self.invalidate_all();
                }
            }
            _ => {}
        }
    }

    /// A change to one buffer can change what every other program that
    /// uses it says.
    fn invalidate_all(&mut self) {
        for doc in self.docs.values_mut() {
            doc.analysis = None;
        }
    }

    /// Analyses every document whose text changed and publishes its
    /// diagnostics.
    fn publish_stale(&mut self) {
        let stale: Vec<Uri> = self
            .docs
            .iter()
            .filter(|(_, d)| d.analysis.is_none())
            .map(|(u, _)| u.clone())
            .collect();
        for uri in stale {
            self.analyze(&uri);
        }
    }

    /// The document's analysis, made (and its diagnostics published) if
    /// the text changed since the last one.
    fn analysis(&mut self, uri: &Uri) -> Option<&Doc> {
        if self.docs.get(uri)?.analysis.is_none() {
            self.analyze(uri);
        }
        self.docs.get(uri)
    }

    fn analyze(&mut self, uri: &Uri) {
        let Some(doc) = self.docs.get(uri) else {
            return;
        };
        let open: HashMap<PathBuf, &str> = self
            .docs
            .values()
            .map(|d| (files::key(&d.path), d.text.as_str()))
            .collect();
        let loader = files::Buffers {
            open: &open,
            fs: FsLoader::for_file(&doc.path, None),
        };
        let path = doc.path.clone();
        let result = catch_unwind(AssertUnwindSafe(|| analysis::analyze(&path, &loader)));
        let analysis = match result {
            Ok(a) => a,
            Err(panic) => {
                output::stderr(&format!(
                    "lode lsp: internal error checking {}: {}\n",
                    path.display(),
                    panic_message(&*panic)
                ));
                handlers::failed_analysis(&doc.text)
            }
        };
        let names = analysis
            .checked
            .as_ref()
            .map(|c| Names::of(c, analysis.program.as_ref()));
        let (main, elsewhere) = handlers::diagnostics(self, uri, &analysis);
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        doc.analysis = Some(analysis);
        if names.is_some() {
            doc.names = names;
        }
        let version = doc.version;
        let before = std::mem::take(&mut doc.published_elsewhere);
        doc.published_elsewhere = elsewhere.iter().map(|(u, _)| u.clone()).collect();
        self.publish(uri.clone(), main, Some(version));
        for (u, diags) in elsewhere {
            self.publish(u, diags, None);
        }
        for u in before {
            if !self
                .docs
                .get(uri)
                .is_some_and(|d| d.published_elsewhere.contains(&u))
            {
                self.publish(u, Vec::new(), None);
            }
        }
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            params,
        ));
    }
}
