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

The HTTP side (routes, the reload client, the event stream) is ``httpd``.
"""

from __future__ import annotations

import errno
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from presssite.serve.httpd import SPECIAL, Hub, Problem, RebuildResult, Server

log = logging.getLogger(__name__)


class PortInUse(OSError):
    """The requested port (or every port tried after it) is taken."""


Rebuild = Callable[[set[Path]], RebuildResult]


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
        self.hub = Hub()
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
    def _bind(host: str, port: int, strict: bool) -> Server:
        attempts = 1 if strict or port == 0 else 20
        for candidate in range(port, port + attempts):
            try:
                return Server((host, candidate), dev=None)  # type: ignore[arg-type]
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
