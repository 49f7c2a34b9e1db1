"""A small LSP client over stdio: starts `scorecard lsp` as a subprocess and speaks JSON-RPC
to it as an editor does (Content-Length framed messages, requests with ids, notifications,
and answers to the server's own requests). Used by the tests and by benchmarks/lsp_bench.py.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class LspError(Exception):
    """The server answered a request with an error."""

    def __init__(self, error: dict[str, Any]) -> None:
        self.code = error.get("code")
        self.message = error.get("message", "")
        super().__init__(f"{self.code}: {self.message}")


class Client:
    def __init__(self, command: list[str] | None = None) -> None:
        self.proc = subprocess.Popen(
            command or [sys.executable, "-m", "engine", "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
        self._next_id = 0
        self._responses: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.notifications: queue.Queue[dict[str, Any]] = queue.Queue()
        self.server_requests: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # ------------------------------------------------------------ wire

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.proc.stdin is not None
        with self._lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            message = json.loads(out.read(length))
            if "id" in message and "method" in message:  # the server asks us something
                self.server_requests.append(message)
                self._send({"id": message["id"], "result": None})
            elif "id" in message:
                self._responses.setdefault(message["id"], queue.Queue()).put(message)
            else:
                self.notifications.put(message)

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        with self._lock:
            self._next_id += 1
            rid = self._next_id
            self._responses.setdefault(rid, queue.Queue())
        self._send({"id": rid, "method": method, "params": params})
        message = self._responses[rid].get(timeout=timeout)
        if "error" in message:
            raise LspError(message["error"])
        return message.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def wait_for(self, method: str, uri: str | None = None, timeout: float = 60) -> dict[str, Any]:
        """The next notification `method` (about `uri`); earlier other ones are dropped."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {method} within {timeout} s")
            message = self.notifications.get(timeout=remaining)
            params = message.get("params") or {}
            if message.get("method") == method and (uri is None or params.get("uri") == uri):
                return dict(params)

    # ------------------------------------------------------------ session

    def initialize(self) -> dict[str, Any]:
        capabilities = {
            "textDocument": {
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "completion": {"completionItem": {"snippetSupport": True}},
                "rename": {"prepareSupport": True},
                "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
                "publishDiagnostics": {},
            },
            "workspace": {"codeLens": {"refreshSupport": True}},
        }
        result = self.request(
            "initialize",
            {"processId": None, "rootUri": ROOT.as_uri(), "capabilities": capabilities},
        )
        self.notify("initialized", {})
        return dict(result)

    def open(self, uri: str, text: str, version: int = 1) -> dict[str, Any]:
        """Open a document; returns the diagnostics the server publishes for it."""
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": "scorecard",
                    "version": version,
                    "text": text,
                }
            },
        )
        return self.wait_for("textDocument/publishDiagnostics", uri)

    def change(self, uri: str, text: str, version: int) -> None:
        """Replace the whole text (a change without a range)."""
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def position(text: str, needle: str, offset: int = 0) -> dict[str, int]:
    """The LSP position (UTF-16 columns) of `offset` characters into the first `needle`."""
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    line_start = text.rfind("\n", 0, index) + 1
    character = len(text[line_start:index].encode("utf-16-le")) // 2
    return {"line": line, "character": character}
