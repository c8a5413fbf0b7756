"""``presssite serve``: build a preview, serve it, rebuild on every save.

The preview is built into one folder inside the dev server's temporary folder, never
into ``build/``: a preview shows drafts and embargoed releases, so it must not be
deployable. Every rebuild publishes into it the way ``output`` publishes a build: the
changed files are written beside their destinations first and renamed over them only
once all are there (a new folder swapped in when most files change), and browsers are
told to reload only after that, so a browser never reloads into a half-written site.
A failed build leaves the folder as it was.

Changes are classified to do the cheapest correct rebuild, with one ``BuildState`` kept
across rebuilds:

* an edit of the words of existing documents (body, title, summary...): applied to the
  served folder by ``edits`` (only the edited files are parsed, only the pages and feeds
  that show them are rendered), in tens of milliseconds on a site of thousands of pages;
* other content changes (Markdown, photos): a build with the parse cache (only changed
  files re-parsed);
* templates or the site's catalogs: the Jinja environment is dropped, then a build;
* the settings file: settings reloaded, environment dropped, then a build;
* static files only: the changed files are copied into the served folder; when they are
  all stylesheets, browsers swap them without a reload.

A failed build leaves the last good site served and shows its first problem in the
browser; the whole list is printed on the terminal.
"""

from __future__ import annotations

import signal
import threading
import time
import webbrowser
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from presssite import settings as settings_
from presssite.build import BuildReport, build
from presssite.cache import store as buildcache
from presssite.errors import PresssiteError, UsageError, flatten
from presssite.leftovers import unwanted, unwanted_path
from presssite.model import OutputFile
from presssite.output import inplace as output
from presssite.render import templates as templating
from presssite.serve import edits, indexing
from presssite.serve.httpd import Problem, RebuildResult
from presssite.serve.indexing import Indexer
from presssite.serve.server import DevServer, PortInUse
from presssite.settings import Settings
from presssite.state import BuildState

STATIC_PREFIX = "static/"  # where the site's static/ folder lands in the output


@dataclass(frozen=True)
class Changes:
    """Changed paths sorted by what they require."""

    content: frozenset[Path] = frozenset()
    templates: frozenset[Path] = frozenset()  # templates/ and the site's locales/
    static: frozenset[Path] = frozenset()
    settings: frozenset[Path] = frozenset()

    @property
    def static_only(self) -> bool:
        return bool(self.static) and not (self.content or self.templates or self.settings)

    def __bool__(self) -> bool:
        return bool(self.content or self.templates or self.static or self.settings)


def classify(paths: Iterable[Path], settings: Settings) -> Changes:
    """Sort changed paths by folder; paths outside the watched folders are dropped."""
    groups: dict[str, set[Path]] = {"content": set(), "templates": set(), "static": set()}
    folders = {
        "content": [settings.content_dir],
        "templates": [settings.templates_dir, settings.locales_dir],
        "static": [settings.static_dir],
    }
    changed_settings: set[Path] = set()
    for path in paths:
        if unwanted(path.name):
            continue  # an editor's or sed -i's temporary file: never published
        if path == settings.source:
            changed_settings.add(path)
            continue
        for kind, roots in folders.items():
            if any(path == r or path.is_relative_to(r) for r in roots):
                groups[kind].add(path)
                break
    return Changes(
        content=frozenset(groups["content"]),
        templates=frozenset(groups["templates"]),
        static=frozenset(groups["static"]),
        settings=frozenset(changed_settings),
    )


def problem_of(exc: PresssiteError, root: Path) -> Problem:
    """The first of a build's errors, as the browser overlay shows it."""
    errors = flatten([exc])
    first = errors[0]
    shown = None
    if first.path is not None:
        try:
            shown = first.path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            shown = str(first.path)
    message = f"{first.key}: {first.message}" if first.key else first.message
    return Problem(
        message=message, file=shown, line=first.line, hint=first.hint, more=len(errors) - 1
    )


class Preview:
    """The preview builds of one site: the ``rebuild`` callable of the dev server."""

    def __init__(
        self,
        settings: Settings,
        *,
        workdir: Path,
        drafts: bool = True,
        now: datetime | None = None,
        echo: Callable[[str], None] = print,
        on_settings: Callable[[Settings], None] | None = None,
    ) -> None:
        self.settings = settings
        self.workdir = workdir
        self.drafts = drafts
        self.now = now
        self.echo = echo
        self.on_settings = on_settings
        self.state = BuildState(search_later=True)  # indexed in the background
        self.lock = threading.Lock()  # a rebuild, or the indexer writing into the folder
        self.indexer = Indexer(self.state, self.lock, echo)
        self.current: Path | None = None  # the folder being served, once a build succeeded
        self.failed = False  # the last build failed (its problem is on screen)
        self.settings_broken = False  # the settings file failed to load last time
        self.builds = 0  # builds started (copies of static files are not builds)
        self.report: BuildReport | None = None  # the last successful build's report
        self.pending: set[Path] = set()  # files of an edit that failed, to try again

    def rebuild(self, paths: set[Path]) -> RebuildResult:
        """Rebuild after ``paths`` changed (an empty set: the first, full build); then
        the search index, in the background, when the rebuild changed what it holds."""
        with self.lock:
            result = self._rebuild(paths)
        self.indexer.start()
        return result

    def _rebuild(self, paths: set[Path]) -> RebuildResult:
        started = time.perf_counter()
        changes = classify(paths, self.settings)
        if paths and not changes:
            return RebuildResult(action="none")
        reload_settings = bool(changes.settings) or self.settings_broken  # broken: retry
        if reload_settings:
            try:
                self.settings = settings_.load(self.settings.root)
            except PresssiteError as exc:
                self.settings_broken = True
                return self._failed(exc)
            self.settings_broken = False
            if self.on_settings is not None:
                self.on_settings(self.settings)
        if reload_settings or changes.templates:
            self.state.forget_templates()
        if changes.static_only and not self.failed and self.current is not None:
            if self._copy_static(changes.static):
                css = all(p.suffix.lower() == ".css" for p in changes.static)
                self._say(started, f"copied {_names(changes.static, self.settings.root)}")
                return RebuildResult(action="css" if css else "reload")
        if changes.content and not (changes.static or changes.templates or reload_settings):
            applied = self._apply_edits(started, changes.content)
            if applied is not None:
                return applied
        return self._build(started, paths)

    def _apply_edits(self, started: float, paths: frozenset[Path]) -> RebuildResult | None:
        """Apply an edit of documents' words to the served folder; None: build instead.

        After a failed build only a build can tell what is right, so none is tried then;
        after a failed edit, its files are tried again with the next ones (until they
        parse, the problem stays on screen).
        """
        last = self.state.last
        if last is None or last.target != self.current or (self.failed and not self.pending):
            return None
        todo = set(paths) | self.pending
        if self.state.env is None:
            compiled = buildcache.build_folder(self.settings) / "jinja"
            self.state.env = templating.make_environment(self.settings, compiled=compiled)
        try:
            applied = edits.apply_edits(
                last, todo, env=self.state.env, now=self.now or datetime.now(UTC)
            )
        except PresssiteError as exc:
            self.pending = todo
            return self._failed(exc)
        if applied is None:
            return None
        self.pending, self.failed, self.state.last = set(), False, applied.snapshot
        self.state.search_pending = indexing.pending_after_edit(
            applied.snapshot, self.state.env, self.state.search_kept or ()
        )
        for doc in applied.parsed:  # a later build does not parse them again
            if doc.full is not None:
                self.state.parse_cache.put(Path(doc.path), doc.cache_key, doc.full)
        self._say(
            started,
            f"updated {_count(applied.pages, 'page')} and {_count(applied.feeds, 'feed')} "
            f"after {_names(todo, self.settings.root)}",
        )
        return RebuildResult(action="reload")

    def _build(self, started: float, paths: set[Path]) -> RebuildResult:
        self.builds += 1
        self.pending = set()
        target = self.workdir / "site"
        try:
            report = build(
                self.settings,
                target=target,
                now=self.now,
                include_drafts=self.drafts,
                preview=True,
                state=self.state,
            )
        except PresssiteError as exc:
            return self._failed(exc)
        self.failed, self.report, self.current = False, report, target
        what = f" after {_names(paths, self.settings.root)}" if paths else ""
        self._say(
            started,
            f"built {report.pages} pages{what} ({report.documents_parsed} parsed, "
            f"{report.documents_reused} reused; {report.files_changed} files written)",
        )
        return RebuildResult(action="reload")

    def _failed(self, exc: PresssiteError) -> RebuildResult:
        self.failed = True
        count = len(flatten([exc]))
        self.echo(f"{_clock()} build failed ({count} problem{'s' if count != 1 else ''}):")
        self.echo(exc.format(relative_to=self.settings.root))
        return RebuildResult(problem=problem_of(exc, self.settings.root))

    def _copy_static(self, changed: frozenset[Path]) -> bool:
        """Copy changed static files into the served folder; False when a build is needed.

        A deleted file may uncover the theme's file of the same name, and a hidden one is
        not published: both leave it to a full build.
        """
        last, static_dir = self.state.last, self.settings.static_dir
        if last is None or last.target != self.current:
            return False
        for path in changed:
            rel = path.relative_to(static_dir)
            if not path.is_file() or unwanted_path(rel):
                return False
        files = [
            OutputFile(path=STATIC_PREFIX + path.relative_to(static_dir).as_posix(), source=path)
            for path in changed
        ]
        _, manifest = output.update(last.target, files, last.manifest)
        self.state.last = replace(last, manifest=manifest)
        return True

    def _say(self, started: float, what: str) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        self.echo(f"{_clock()} {what} in {elapsed:.0f} ms")


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _clock() -> str:
    return time.strftime("%H:%M:%S")


def _names(paths: Iterable[Path], root: Path) -> str:
    shown = []
    for path in sorted(paths):
        try:
            shown.append(path.relative_to(root).as_posix())
        except ValueError:
            shown.append(str(path))
    return ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")


def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    strict_port: bool = False,
    drafts: bool = True,
    now: datetime | None = None,
    open_browser: bool = False,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve a live preview of the site until Ctrl-C (or SIGTERM); then clean up."""
    preview: Preview | None = None

    def current() -> Path | None:
        return preview.current if preview is not None else None

    def rebuild(paths: set[Path]) -> RebuildResult:
        assert preview is not None
        return preview.rebuild(paths)

    try:
        server = DevServer(
            current,
            rebuild=rebuild,
            watch=[
                settings.content_dir,
                settings.templates_dir,
                settings.static_dir,
                settings.locales_dir,
                settings.source,
            ],
            ignore=[settings.root / "build", settings.cache_dir],
            ignore_name=unwanted,
            host=host,
            port=port,
            strict_port=strict_port,
            base_path=settings.base_path,
        )
    except PortInUse as exc:
        raise UsageError(
            str(exc.strerror),
            key="--port",
            hint="stop the program using it, or choose another --port",
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}", key="--host") from None

    def moved(new: Settings) -> None:
        server.base_path = new.base_path

    preview = Preview(
        settings, workdir=server.workdir, drafts=drafts, now=now, echo=echo, on_settings=moved
    )
    if server.port != port and port != 0:
        echo(f"Port {port} is in use: using port {server.port} instead.")
    shown = "drafts and embargoed releases shown" if drafts else "embargoed releases shown"
    echo(f"Serving a preview ({shown}) on {server.url}")
    echo("Press Ctrl-C to stop.")
    with _terminate_as_interrupt():
        try:
            server.start()
            if open_browser:
                webbrowser.open(server.url)
            server.wait()
        except KeyboardInterrupt:
            echo("Stopping.")
        finally:
            preview.indexer.stop()
            preview.indexer.wait(5)  # an index being made: its temporary folder goes too
            server.stop()


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Let SIGTERM stop the server as cleanly as Ctrl-C does (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
