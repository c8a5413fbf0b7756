"""The preview's HTTP side: the served folder, the reload client and its event stream.

``route`` maps a request to a file, a redirect or the reserved ``__presssite__/`` path
(the client script and the Server-Sent Events stream, ``Hub``); HTML responses get the
reload client injected (``inject``), never the files on disk. Requests are confined to
the folder: percent-escapes are decoded once, and ``..``, encoded slashes, NUL, empty
segments and symlinks leading outside all give 404. The server asks its ``DevServer``
(``dev``) which folder is current and which generation it shows.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import queue
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

if TYPE_CHECKING:
    from presssite.serve.server import DevServer

log = logging.getLogger(__name__)

SPECIAL = "__presssite__/"  # reserved path under the base path for the client and events
_TYPES = """
.html text/html  .css text/css  .js text/javascript  .mjs text/javascript  .txt text/plain
.json application/json  .xml application/xml  .webmanifest application/manifest+json
.svg image/svg+xml  .webp image/webp  .avif image/avif  .jpg image/jpeg  .jpeg image/jpeg
.png image/png  .gif image/gif  .ico image/x-icon  .woff2 font/woff2  .woff font/woff
.pdf application/pdf
""".split()
CONTENT_TYPES = {  # text types are UTF-8, as every file presssite writes
    ext: f"{kind}; charset=utf-8" if kind.startswith("text/") else kind
    for ext, kind in zip(_TYPES[::2], _TYPES[1::2], strict=True)
}

_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """Why a rebuild failed, as the browser overlay shows it."""

    message: str
    file: str | None = None  # as the user should read it, e.g. relative to the site
    line: int | None = None
    hint: str | None = None
    more: int = 0  # further problems not shown


@dataclass(frozen=True)
class RebuildResult:
    """What a rebuild did: browsers reload, swap stylesheets, or are told of a problem.

    With a ``problem`` the served folder is unchanged (the last good site).
    """

    action: Literal["reload", "css", "none"] = "reload"
    problem: Problem | None = None
    # Work that can wait until browsers were told (removing an old folder, say).
    after: Callable[[], None] | None = field(default=None, compare=False)


def route(raw: str, base_path: str) -> tuple[str, str]:
    """Map a request target to ``(kind, value)`` without touching the disk.

    kinds: ``redirect`` (value: location), ``special`` (value: name under SPECIAL),
    ``file`` (value: folder-relative POSIX path, "" for the folder itself, a trailing
    "/" for a folder) and ``missing`` (outside the base path or refused as unsafe).
    """
    path = urlsplit(raw).path
    lowered = path.lower()
    if "\x00" in path or "\\" in path or any(e in lowered for e in ("%2f", "%5c", "%00")):
        return "missing", ""
    path = unquote(path, errors="replace")
    if "\x00" in path or "\\" in path:
        return "missing", ""
    if path in ("/", base_path.rstrip("/")) and path != base_path:
        return "redirect", base_path
    if not path.startswith(base_path):
        return "missing", ""
    rel = path[len(base_path) :]
    parts = rel.split("/")
    if any(p in ("..", ".") for p in parts) or "" in parts[:-1]:
        return "missing", ""
    if rel.startswith(SPECIAL):
        return "special", rel[len(SPECIAL) :]
    return "file", rel


def content_type(path: Path) -> str:
    """The Content-Type for a file, by its suffix; unknown files are bytes."""
    known = CONTENT_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def inject(html: bytes, tag: bytes) -> bytes:
    """Insert ``tag`` before the last ``</body>``, or append it when there is none."""
    matches = list(_BODY_END.finditer(html))
    if not matches:
        return html + tag
    at = matches[-1].start()
    return html[:at] + tag + html[at:]


class Hub:
    """The live-reload state and the queues of the connected browsers."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clients: set[queue.Queue[str | None]] = set()
        # Starts from the clock, so a page from an earlier server process never matches.
        self.generation = int(time.time() * 1000) % 10**12
        self.problem: Problem | None = None

    def subscribe(self) -> queue.Queue[str | None]:
        q: queue.Queue[str | None] = queue.Queue()
        with self.lock:
            self.clients.add(q)
        return q

    def unsubscribe(self, q: queue.Queue[str | None]) -> None:
        with self.lock:
            self.clients.discard(q)

    def publish(self, result: RebuildResult) -> None:
        with self.lock:
            if result.problem is not None:
                self.problem = result.problem
                message = self.message("error", asdict(result.problem))
            else:
                had_problem, self.problem = self.problem is not None, None
                if result.action == "none" and not had_problem:
                    return
                if result.action != "none":
                    self.generation += 1
                message = self.message(result.action if result.action != "none" else "ok", {})
            for q in self.clients:
                q.put(message)

    def message(self, event: str, data: dict[str, Any]) -> str:
        return f"id: {self.generation}\nevent: {event}\ndata: {json.dumps(data)}\n\n"

    def close(self) -> None:
        with self.lock:
            for q in self.clients:
                q.put(None)


class Server(ThreadingHTTPServer):
    """Joins its request threads on close, and can cut their connections to make them end."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, address: tuple[str, int], dev: DevServer) -> None:
        self.dev = dev
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        with self.sockets_lock:
            for sock in list(self.open_sockets):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class _Handler(BaseHTTPRequestHandler):
    """One request; HTTP/1.0 so that no idle keep-alive connection outlives ``stop()``."""

    server: Server
    timeout = 30
    server_version = "presssite-preview"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        dev = self.server.dev
        self.since = dev.hub.generation  # read before the folder: a later build reloads
        self.dev_base = dev.base_path
        kind, value = route(self.path, dev.base_path)
        if kind == "redirect":
            self._redirect(HTTPStatus.FOUND, value)
        elif kind == "special" and value == "events":
            self._events()
        elif kind == "special" and value == "livereload.js":
            self._send(HTTPStatus.OK, CLIENT_JS.encode(), "text/javascript; charset=utf-8", head)
        elif kind == "file":
            self._file(value, head)
        else:
            self._not_found(head)

    def _file(self, rel: str, head: bool) -> None:
        root = self.server.dev.current_root()
        if root is None:
            page = WAITING_PAGE.encode()
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, page, CONTENT_TYPES[".html"], head, True)
            return
        target = _inside(root, rel)
        if target is not None and target.is_dir():
            if not rel.endswith("/") and rel != "":
                self._redirect(HTTPStatus.MOVED_PERMANENTLY, quote(f"{self.dev_base}{rel}/"))
                return
            target = _inside(root, rel + "index.html")
        if target is None or not target.is_file():
            self._not_found(head)
            return
        try:
            data = target.read_bytes()
        except OSError:
            self._not_found(head)
            return
        ctype = content_type(target)
        self._send(HTTPStatus.OK, data, ctype, head, ctype.startswith("text/html"))

    def _redirect(self, status: int, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_found(self, head: bool) -> None:
        root = self.server.dev.current_root()
        page = _inside(root, "404.html") if root is not None else None
        data = b"<!doctype html><title>Not Found</title><body><h1>Not Found</h1></body>"
        if page is not None and page.is_file():
            data = page.read_bytes()
        self._send(HTTPStatus.NOT_FOUND, data, CONTENT_TYPES[".html"], head, True)

    def _send(self, status: int, data: bytes, ctype: str, head: bool, html: bool = False) -> None:
        if html:
            data = inject(data, self.server.dev.client_tag(self.since))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self) -> None:
        hub = self.server.dev.hub
        query = parse_qs(urlsplit(self.path).query)
        since_text = self.headers.get("Last-Event-ID") or query.get("since", ["0"])[0]
        since = int(since_text) if since_text.isdigit() else -1
        q = hub.subscribe()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Accel-Buffering", "no")  # nginx: do not buffer the stream
            self.end_headers()
            with hub.lock:
                hello = "retry: 1000\n\n"
                if hub.generation != since:  # a rebuild, or another server, since the page
                    hello += hub.message("reload", {})
                if hub.problem is not None:
                    hello += hub.message("error", asdict(hub.problem))
            self.wfile.write(hello.encode())
            while True:
                try:
                    message = q.get(timeout=15)
                except queue.Empty:
                    message = ": keep-alive\n\n"
                if message is None:
                    break
                self.wfile.write(message.encode())
        except OSError:
            pass  # the browser went away
        finally:
            hub.unsubscribe(q)
            self.close_connection = True


def _inside(root: Path, rel: str) -> Path | None:
    """``root/rel`` when it resolves inside ``root`` (symlinks followed), else None."""
    try:
        base = root.resolve()
        target = (base / rel).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    return target if target == base or target.is_relative_to(base) else None


CLIENT_JS = r"""(() => {
  "use strict";
  const src = new URL(document.currentScript.src);
  const since = src.searchParams.get("since") || "";
  const events = new EventSource(new URL("events?since=" + since, src));
  let overlay = null;
  const hide = () => { if (overlay) overlay.remove(); overlay = null; };
  const line = (tag, text, css) => {
    const el = document.createElement(tag);
    el.textContent = text;
    el.style.cssText = css || "";
    return overlay.appendChild(el);
  };
  const show = (p) => {
    hide();
    overlay = document.createElement("div");
    overlay.id = "presssite-error-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "padding:2rem;background:rgba(20,20,20,.94);color:#fff;font:16px/1.5 monospace";
    line("h2", "Build failed: below is the last good build", "color:#ff8a80");
    if (p.file) line("p", p.file + (p.line ? ":" + p.line : ""), "font-weight:bold");
    line("pre", p.message, "white-space:pre-wrap");
    if (p.hint) line("p", "hint: " + p.hint);
    if (p.more) line("p", "and " + p.more + " more problem(s): see the terminal");
    line("button", "Dismiss", "font:inherit").addEventListener("click", hide);
    document.documentElement.appendChild(overlay);
  };
  const swapCss = () => {  // a fresh copy of each same-origin stylesheet, then the old goes
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("__presssite", Date.now());
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.onload = fresh.onerror = () => link.remove();
      link.after(fresh);
    }
  };
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("css", () => { hide(); swapCss(); });
  events.addEventListener("ok", hide);
  events.addEventListener("error", (e) => { if (e.data) show(JSON.parse(e.data)); });
})();
"""

WAITING_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Building the preview</title></head><body>
<p>No successful build yet: this page reloads by itself when there is one.</p>
</body></html>"""
