"""A generic live-preview server: static files, a file watcher and live reload.

It knows nothing of presssite (MkDocs' ``livereload`` is the model): it serves whatever
folder ``root`` currently names under a URL sub-path, watches some paths with watchdog,
calls a ``rebuild`` callable with the changed paths once a burst of events has settled,
and tells browsers what happened over Server-Sent Events on the same origin and path
prefix as the pages (so it keeps working behind a proxy or a forwarded port):

* ``reload`` once a rebuild succeeded, sent only after ``rebuild`` returned, that is once
  the new folder is completely in place (``root`` is read per request);
* ``css`` when only stylesheets changed: the client re-fetches them without a reload;
* ``error`` with the file, line and message of a failed rebuild: the client overlays it
  on the last good page, which keeps being served; the next success removes it.

Every event carries a generation number as its SSE ``id``. A page is served with the
generation it belongs to, so a browser that (re)connects after a rebuild it missed (or to
a restarted server) is told to reload at once. The reload client is added to HTML
responses, never to files on disk.

Requests are confined to the folder: percent-escapes are decoded once, and ``..``,
encoded slashes, NUL, empty segments and symlinks leading outside all give 404.
"""

from __future__ import annotations

import errno
import json
import logging
import mimetypes
import queue
import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

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


class PortInUse(OSError):
    """The requested port (or every port tried after it) is taken."""


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


Rebuild = Callable[[set[Path]], RebuildResult]


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


class _Hub:
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


class _Server(ThreadingHTTPServer):
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

    server: _Server
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


class _Watch(FileSystemEventHandler):
    def __init__(self, dev: DevServer) -> None:
        self.dev = dev

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return
        paths = [Path(str(event.src_path))]
        if event.dest_path:
            paths.append(Path(str(event.dest_path)))
        self.dev.changed(paths, created_dir=event.is_directory and event.event_type == "created")


class DevServer:
    """Serve ``root`` under ``base_path``, rebuild on changes, tell browsers.

    ``root`` is a folder or a callable returning the folder to serve now (None while no
    build has succeeded); ``rebuild`` receives the changed paths (an empty set for the
    first build) and runs on one worker thread, one rebuild at a time. ``workdir`` is a
    temporary folder this server owns (for the caller's preview builds), removed by
    ``stop()`` together with every thread this server started. Changes to paths under
    ``ignore``, or whose file name ``ignore_name`` refuses (editors' swap and backup
    files), do not count.
    """

    def __init__(
        self,
        root: Path | Callable[[], Path | None],
        *,
        rebuild: Rebuild,
        watch: Iterable[Path] = (),
        ignore: Iterable[Path] = (),
        ignore_name: Callable[[str], bool] = lambda name: False,
        host: str = "127.0.0.1",
        port: int = 8000,
        strict_port: bool = False,
        base_path: str = "/",
        debounce: float = 0.06,
    ) -> None:
        self._root = root
        self._rebuild = rebuild
        self.watch = [Path(p).absolute() for p in watch]
        self.ignore = [Path(p).absolute() for p in ignore]
        self.ignore_name = ignore_name
        self.base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
        self.debounce = debounce
        self.hub = _Hub()
        self.workdir = Path(tempfile.mkdtemp(prefix="presssite-preview-"))
        self._cond = threading.Condition()
        self._dirty = False
        self._changes: set[Path] = set()
        self._last_change = 0.0
        self._stopping = False
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []
        self._observer: Any = None
        self._watched: set[Path] = set()
        try:
            self._http = self._bind(host, port, strict_port)
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        self.host = host
        self.port: int = self._http.server_address[1]

    @staticmethod
    def _bind(host: str, port: int, strict: bool) -> _Server:
        attempts = 1 if strict or port == 0 else 20
        for candidate in range(port, port + attempts):
            try:
                return _Server((host, candidate), dev=None)  # type: ignore[arg-type]
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
        last = port + attempts - 1
        span = f"port {port}" if attempts == 1 else f"ports {port}-{last}"
        raise PortInUse(errno.EADDRINUSE, f"{span} on {host} already in use")

    @property
    def url(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{self.port}{self.base_path}"

    def current_root(self) -> Path | None:
        return self._root() if callable(self._root) else self._root

    def client_tag(self, since: int) -> bytes:
        src = f"{self.base_path}{SPECIAL}livereload.js?since={since}"
        return f'<script src="{src}" defer></script>'.encode()

    def start(self, *, initial_build: bool = True) -> None:
        """Serve, watch and (unless told otherwise) run the first build, all in threads."""
        self._http.dev = self
        if initial_build:
            with self._cond:
                self._dirty = True
        self._spawn("presssite-http", lambda: self._http.serve_forever(poll_interval=0.1))
        self._spawn("presssite-rebuild", self._work)
        self._observer = Observer()
        self._observer.name = "presssite-watch"
        self._watch_all()
        self._observer.start()

    def _spawn(self, name: str, target: Callable[[], Any]) -> None:
        thread = threading.Thread(target=target, name=name)
        thread.start()
        self._threads.append(thread)

    def _watch_all(self) -> None:
        for path in self.watch:
            if path.is_dir():
                self._schedule(path, recursive=True)
            elif path.parent.is_dir():
                self._schedule(path.parent, recursive=False)

    def _schedule(self, path: Path, *, recursive: bool) -> None:
        if path in self._watched:
            return
        self._watched.add(path)
        self._observer.schedule(_Watch(self), str(path), recursive=recursive)

    def changed(self, paths: Iterable[Path], *, created_dir: bool = False) -> None:
        """Note changed paths; a rebuild follows once no change came for ``debounce`` s."""
        wanted = {p for p in paths if self._wanted(p)}
        if not wanted:
            return
        if created_dir:
            for p in wanted:
                if p in self.watch:  # a watched folder that did not exist at start
                    self._schedule(p, recursive=True)
        with self._cond:
            self._changes |= wanted
            self._dirty = True
            self._last_change = time.monotonic()
            self._cond.notify_all()

    def _wanted(self, path: Path) -> bool:
        if self.ignore_name(path.name):
            return False
        if any(path == i or path.is_relative_to(i) for i in self.ignore):
            return False
        return any(path == w or path.is_relative_to(w) for w in self.watch)

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._dirty and not self._stopping:
                    self._cond.wait()
                while not self._stopping:
                    quiet_in = self._last_change + self.debounce - time.monotonic()
                    if quiet_in <= 0:
                        break
                    self._cond.wait(quiet_in)
                if self._stopping:
                    return
                changes, self._changes, self._dirty = self._changes, set(), False
            self._run(changes)

    def _run(self, changes: set[Path]) -> None:
        try:
            result = self._rebuild(changes)
        except Exception as exc:  # a bug in the callable must not kill the watcher
            log.exception("rebuild failed: %s: %s", type(exc).__name__, exc)
            result = RebuildResult(problem=Problem(message=f"{type(exc).__name__}: {exc}"))
        self.hub.publish(result)
        if result.after is not None:
            try:
                result.after()
            except Exception:
                log.exception("cleaning up after a rebuild failed")

    def wait(self) -> None:
        """Block until ``stop()``; Ctrl-C still interrupts (the wait is in slices)."""
        while not self._stopped.wait(0.25):
            pass

    def stop(self) -> None:
        """Stop watching, finish the running rebuild, release browsers, close, clean up."""
        if self._stopped.is_set():
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._observer is not None:
            self._observer.stop()
            if self._observer.is_alive():
                self._observer.join()
        self.hub.close()
        if self._threads:
            self._http.shutdown()
        self._http.cut_connections()
        self._http.server_close()
        for thread in self._threads:
            thread.join()
        shutil.rmtree(self.workdir, ignore_errors=True)
        self._stopped.set()


# The browser side. Served at <base>/__presssite__/livereload.js and added to HTML
# responses only. It opens the event stream next to itself (same origin and prefix).
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
