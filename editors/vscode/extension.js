// The lode extension: the language itself (highlighting, comments, brackets)
// is declared in package.json; this starts `lode lsp` for everything else.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command =
    vscode.workspace.getConfiguration("lode").get("server.path") || "lode";
  // No `transport` option: the client would add `--stdio` to the
  // arguments, which `lode lsp` does not take; stdio is the default.
  const serverOptions = { command, args: ["lsp"] };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "lode" },
      { scheme: "untitled", language: "lode" },
    ],
  };
  client = new LanguageClient(
    "lode",
    "lode language server",
    serverOptions,
    clientOptions
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
