// The Scorecard extension: starts `scorecard lsp` (from the user's environment, or the path
// set in `scorecard.server.path`) and hands every .scorecard file to it. Highlighting comes
// from the TextMate grammar; everything else (diagnostics, hover, completion, rename,
// formatting, outline, the "run examples" lens) comes from the server.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const config = vscode.workspace.getConfiguration("scorecard");
  const command = config.get<string>("server.path", "scorecard");
  const args = config.get<string[]>("server.args", ["lsp"]);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return { command, args, options: { cwd: folder } };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "scorecard" },
      { scheme: "untitled", language: "scorecard" },
    ],
  };
  client = new LanguageClient("scorecard", "Scorecard", serverOptions(), clientOptions);
  try {
    await client.start();
  } catch (err) {
    const path = vscode.workspace.getConfiguration("scorecard").get<string>("server.path");
    void vscode.window.showErrorMessage(
      `Scorecard: could not start \`${path} lsp\` (${String(err)}). ` +
        "Install it with pip install 'scorecard-engine[lsp]' or set scorecard.server.path."
    );
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("scorecard.restartServer", async () => {
      await client?.stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("scorecard.server")) {
        await client?.stop();
        await start(context);
      }
    })
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
