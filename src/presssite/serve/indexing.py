"""The dev server's search index, made in the background after a build or an edit.

Indexing a large site takes seconds; the browser reloads as soon as the pages are
published, and the index follows. A build in the dev server publishes the last index it
has and leaves a ``search.stage.Pending`` job in the ``BuildState``; ``Indexer.start``
runs it in a thread, then, holding the preview's lock (no build is publishing), writes
the new index's files into the served folder, removes the old index's files, and keeps
the files for the next build, which publishes them without indexing again. One job runs
at a time: a job started while one runs waits, and a newer one replaces it (saving a
release every second would otherwise start an indexer every second, each taking the
CPU the next edit needs); a job that a newer one superseded writes nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from presssite.errors import PresssiteError
from presssite.output import inplace as output
from presssite.render import i18n
from presssite.search import stage as search
from presssite.state import BuildState

log = logging.getLogger(__name__)


class Indexer:
    """Runs the index a build left pending in a thread, one job at a time."""

    def __init__(self, state: BuildState, lock: threading.Lock, echo: Callable[[str], None]):
        self.state = state
        self.lock = lock  # held by every rebuild of the preview
        self.echo = echo
        self.thread: threading.Thread | None = None
        self.generation = 0  # the newest job's number: an older job's files are dropped
        self.stopped = False  # the preview's folder is going: no job writes into it
        self._jobs = threading.Lock()  # guards the two below
        self._next: tuple[search.Pending, int] | None = None  # the job to run next
        self._running = False

    def start(self, pending: Any = None) -> None:
        """Index ``pending`` (else the job the last build left): now in a new thread, or
        once the job running ends, unless a newer one comes first."""
        job = pending if pending is not None else self.state.search_pending
        self.state.search_pending = None
        if job is None or self.stopped:
            return
        with self._jobs:
            self.generation += 1
            self._next = (job, self.generation)
            if self._running:
                return
            self._running = True
        thread = threading.Thread(target=self._work, name="search-index", daemon=True)
        self.thread = thread
        thread.start()

    def stop(self) -> None:
        """Write no job's files from now on: the preview's folder is about to be removed
        (a job still running finds it stopped when it takes the lock to write)."""
        with self.lock:
            self.stopped = True

    def wait(self, timeout: float | None = None) -> None:
        """Until the last job started is done (tests; stopping the server)."""
        if self.thread is not None:
            self.thread.join(timeout)

    def _work(self) -> None:
        while True:
            with self._jobs:
                if self._next is None or self.stopped:
                    self._running = False
                    return
                job, generation = self._next
                self._next = None
            self._run(job, generation)

    def _run(self, job: search.Pending, generation: int) -> None:
        try:
            parts = job.parts()
            files = search.merge(parts)
        except PresssiteError as exc:
            # A build since may have dropped what this job reads (the bodies of the
            # files it parsed again): when a newer job replaced it, it is not news.
            if generation == self.generation and not self.stopped:
                self.echo(f"search index not updated: {exc.message}")
            return
        except Exception:  # noqa: BLE001 - a background thread must not die silently
            log.exception("search index not updated")
            return
        with self.lock:
            last = self.state.last
            if generation != self.generation or last is None or self.stopped:
                return
            made = {f.path for f in files}
            manifest = dict(last.manifest)
            for rel in [r for r in manifest if r.startswith(f"{search.FOLDER}/")]:
                if rel not in made:
                    manifest.pop(rel)
                    _remove(last.target / rel)
            _, manifest = output.update(last.target, files, manifest)
            self.state.last = replace(last, manifest=manifest, made=last.made | made)
            self.state.search_kept = parts


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def pending_after_edit(snapshot: Any, env: Any, kept: Any = ()) -> search.Pending | None:
    """The index of the site an edit left (``edits``), to make in the background,
    through that site's inputs (``snapshot.inputs``)."""
    site = snapshot.site
    if not site.settings.search.enabled:
        return None
    bodies = snapshot.bodies
    catalogs = getattr(env, "catalogs", None) or i18n.catalogs(site.settings)
    full = bodies.full if bodies is not None else None
    return search.pending(snapshot.inputs, catalogs, full, kept)
