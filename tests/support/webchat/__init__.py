"""Rasa's web-chat widget (`rasa-webchat`, from npm) on a page of its own, for the socket.io channel's browser test.

`install` runs the machine's npm on `package.json` here, which pins the widget (its `node_modules/` is never
committed); `serve_page` serves a page that embeds it, pointed at the assistant's socket.io path, from another
origin than the assistant's, as a school's site would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
WIDGET = HERE / "node_modules" / "rasa-webchat"
BUNDLE = WIDGET / "lib" / "index.js"

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Site d'un lycée</title></head>
<body><div id="webchat"></div>
<script src="/webchat.js"></script>
<script>
WebChat.default({{selector: "#webchat", socketUrl: {url}, socketPath: "/socket.io/", embedded: true,
  params: {{storage: "session"}}}}, null);
</script></body></html>
"""


def pinned_version() -> str:
    return str(json.loads((HERE / "package.json").read_text())["dependencies"]["rasa-webchat"])


def install() -> Path:
    """The widget's bundle, installed by npm unless the pinned version already is."""
    installed = WIDGET / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == pinned_version() and BUNDLE.exists():
        return BUNDLE
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is missing: the widget's test installs rasa-webchat with it (Debian's npm package)")
    command = [npm, "install", "--omit=peer", "--ignore-scripts", "--no-audit", "--no-fund", "--no-package-lock"]
    done = subprocess.run(command, cwd=HERE, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0 or not BUNDLE.exists():
        pytest.fail(
            f"npm could not install rasa-webchat {pinned_version()}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return BUNDLE


@contextmanager
def serve_page(port: int, bundle: Path, assistant_url: str) -> Iterator[str]:
    """A page embedding the widget at http://127.0.0.1:`port`/, talking to `assistant_url`'s socket.io channel."""
    page = PAGE.format(url=json.dumps(assistant_url)).encode()
    script = bundle.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body, kind = {"/": (page, "text/html"), "/webchat.js": (script, "text/javascript")}.get(
                self.path, (b"", "text/plain")
            )
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.shutdown()
        server.server_close()
