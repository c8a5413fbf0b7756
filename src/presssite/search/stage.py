"""The search stage: Pagefind's files (each locale's index in parts, by years, and its
UI), each part made only when what its records read changed.

A locale's index is in parts (``urls.search_parts``): its years gathered into parts
of a few thousand releases, the newest (with the static pages) in the main folder, each
older one in a folder of its own, which the search page merges in. Pagefind cannot
change an index, only make it anew (about a millisecond a page), so on a large site an
edit of one release makes its part again, not every release of its locale.

The records are made through a ``Reads`` (``render.dependencies``), which records
every value they read (each translation's words, URL, date, section and lead photo,
the lists of its years' releases, the static pages); each part is kept with that
record, and its key is the hash of those values. An edit of a template or of a list
order changes none of them, so such a build takes the last parts from the build cache
and does not run the indexer. Pagefind names every file of a language's index after
the language, so the locales' main parts are made apart and their files merged, with
one entry file naming every language (``stable.merge_entries``). The indexer is
Pagefind's Python API (``pagefind[bin]``, ``indexer``), fed with ``records``; nothing
of Node runs.

The indexer runs after the pages render, not beside them: on two cores, Pagefind's
threads creating files beside the render workers' slowed the render more than the
indexer took. The dev server may ask for the index ``later``: the build then publishes
the last parts it has (or none) and hands back a ``Pending`` job, which the server
runs in the background after the reload (``serve.indexing``), then keeps in ``kept``
for the next build.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from presssite import urls
from presssite.cache.store import BuildCache
from presssite.model import OutputFile, Site, Translation
from presssite.render.dependencies import Deps, Inputs
from presssite.search import indexer, stable
from presssite.search.records import records

log = logging.getLogger(__name__)

FOLDER = urls.SEARCH_FOLDER

Full = Callable[[Translation], Translation] | None  # a translation with its body

# Which part of which locale's index: (locale, the years of its releases, its output
# folder, ``urls.search_parts``). The years and the folder are the part's name: when
# the years a part gathers change, it is another part.
Where = tuple[str, tuple[int, ...], str]


@dataclass(frozen=True)
class Part:
    """One part of a locale's index: the key of what its records read, Pagefind's files."""

    where: Where
    key: str
    deps: Deps = field(repr=False)
    files: tuple[OutputFile, ...] = field(repr=False)


@dataclass(frozen=True)
class Pending:
    """Parts the build did not make: the dev server makes them in the background."""

    kept: tuple[Part, ...]  # the parts that still hold
    make: Callable[[], list[Part]] = field(repr=False)  # the others, made when called

    def parts(self) -> list[Part]:
        return [*self.kept, *self.make()]


@dataclass(frozen=True)
class Outcome:
    """The search stage's files, and how many parts of the index were made and reused."""

    files: list[OutputFile]
    indexed: int = 0
    reused: int = 0
    pending: Pending | None = None
    parts: tuple[Part, ...] = ()  # every part, when all are made


def plan(inputs: Inputs) -> list[Where]:
    """The parts of the site's index: per locale, the newest (with the static pages),
    then the older ones (``urls.search_parts``)."""
    out: list[Where] = []
    for loc in inputs.site.settings.locales:
        years = [(int(year), len(docs)) for year, docs in inputs.years(loc).items()]
        parts = urls.search_parts(loc, years, bool(inputs.site.pages.get(loc)))
        out.extend((loc, held, folder) for held, folder in parts)
    return out


def is_main(where: Where) -> bool:
    """Whether a part is in the main folder (with the static pages and the scripts)."""
    return where[2] == f"{FOLDER}/"


def run(
    site: Site,
    *,
    inputs: Inputs,
    catalogs: Mapping[str, Any],
    full: Full,
    store: BuildCache | None,
    blobs: BuildCache,
    name: str,
    later: bool = False,
    kept: Sequence[Part] = (),
) -> Outcome:
    """The index files of ``site``: each part's last ones while what its records read
    is unchanged, else made now (or, ``later``, by the caller, with the last ones
    meanwhile). ``kept`` are parts the caller made in the background."""
    if not site.settings.search.enabled:
        return Outcome([])
    version = indexer.version()
    saved = store.load(name) if store is not None else None
    saved = saved if isinstance(saved, dict) else {}
    ready = {part.where: part for part in kept}
    entries: dict[Where, Any] = {}  # what the build cache keeps, part by part
    held: list[Part] = []  # the parts that hold, their files in blobs
    todo: list[Where] = []
    stale: list[Part] = []
    for where in plan(inputs):
        last = _stored(saved.get(where), where, version, blobs)
        if last is not None:
            entries[where] = saved[where]
        if (part := ready.get(where)) is not None and inputs.key(part.deps) == part.key:
            entries[where], part = _keep(part, version, blobs)
            held.append(part)
        elif last is not None and inputs.key(last.deps) == last.key:
            held.append(last)
        else:
            todo.append(where)
            stale.extend([last] if last is not None else [])
    reused, made = len(held), 0
    if todo and later:
        job = _pending(inputs, catalogs, full, held, todo)
        outcome = Outcome(merge([*held, *stale]), reused=reused, pending=job)
    else:
        for part in make_parts(inputs, catalogs, full, todo) if todo else []:
            entries[part.where], part = _keep(part, version, blobs)
            held.append(part)
            made += 1
        outcome = Outcome(merge(held), indexed=made, reused=reused, parts=tuple(held))
    if store is not None and entries != saved:
        store.save(name, entries)
    return outcome


def pending(
    inputs: Inputs, catalogs: Mapping[str, Any], full: Full, kept: Sequence[Part]
) -> Pending:
    """The index of the site ``inputs`` hold, to make in the background: ``kept`` parts
    whose records read what they read, the others made when asked."""
    held = [part for part in kept if inputs.key(part.deps) == part.key]
    done = {part.where for part in held}
    todo = [where for where in plan(inputs) if where not in done]
    return _pending(inputs, catalogs, full, held, todo)


def _pending(
    inputs: Inputs,
    catalogs: Mapping[str, Any],
    full: Full,
    held: Sequence[Part],
    todo: Sequence[Where],
) -> Pending:
    """The parts ``held`` as they are, those of ``todo`` to make in another thread:
    through inputs of their own (``Inputs`` memoises values; the build reads its own
    meanwhile)."""
    own = inputs.fresh()
    return Pending(tuple(held), lambda: make_parts(own, catalogs, full, todo) if todo else [])


def make_parts(
    inputs: Inputs, catalogs: Mapping[str, Any], full: Full, todo: Sequence[Where]
) -> list[Part]:
    """The parts ``todo``, made from their records: each part's records are written to
    a folder, one by one (a large site's are never all in memory), and indexed while the
    next part's are written (``indexer.INDEXERS`` at once)."""
    folder = Path(tempfile.mkdtemp(prefix="presssite-search-"))
    budget = indexer.Budget(indexer.PAGES_AT_ONCE)
    try:
        with ThreadPoolExecutor(indexer.INDEXERS, thread_name_prefix="pagefind") as pool:
            jobs = []
            for n, where in enumerate(todo):
                pages, reads = folder / str(n), inputs.reads()
                count = 0
                for record in records(reads, catalogs, full, where[0], where[1], is_main(where)):
                    path = pages / record.url.strip("/") / "index.html"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(record.html, encoding="utf-8")
                    count += 1
                job = pool.submit(indexer.index, pages, where[2], is_main(where), count, budget)
                deps = reads.deps()
                jobs.append((where, deps, inputs.key(deps), job))
            return [Part(where, key, deps, tuple(job.result())) for where, deps, key, job in jobs]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def merge(parts: Sequence[Part]) -> list[OutputFile]:
    """The files of the parts as one Pagefind folder: each main part's own files, the
    files every one has (its scripts, its UI) once, one entry file naming the main
    parts' languages; the older years' parts in their own folders."""
    out: dict[str, OutputFile] = {}
    entries: list[bytes] = []
    entry_path = f"{FOLDER}/{stable.ENTRY}"
    for part in sorted(parts, key=lambda part: (part.where[2], part.where[0])):
        for file in part.files:
            if file.path == entry_path:
                entries.append(_bytes(file))
            else:
                out.setdefault(file.path, file)
    if entries:
        out[entry_path] = OutputFile(path=entry_path, data=stable.merge_entries(entries))
    return [out[path] for path in sorted(out)]


def _bytes(file: OutputFile) -> bytes:
    if file.data is not None:
        return file.data
    assert file.source is not None
    return file.source.read_bytes()


def _keep(part: Part, version: str, blobs: BuildCache) -> tuple[Any, Part]:
    """A part as the build cache keeps it, its files put in blobs (from which the
    publish links them), and the part with its files there."""
    files = tuple((f.path, *blobs.put(_bytes(f))) for f in part.files)
    entry = (version, part.key, part.deps, files)
    linked = tuple(OutputFile(path=path, source=blobs.blob_path(sha)) for path, sha, _ in files)
    return entry, Part(part.where, part.key, part.deps, linked)


def _stored(saved: Any, where: Where, version: str, blobs: BuildCache) -> Part | None:
    """A part as the build cache keeps it, (version, key, deps, files), if it was made
    by this indexer and its files are all there."""
    if not (isinstance(saved, tuple) and len(saved) == 4 and saved[0] == version):
        return None
    _version, key, deps, entry = saved
    if not all(blobs.has(sha, size) for _path, sha, size in entry):
        return None
    files = tuple(OutputFile(path=path, source=blobs.blob_path(sha)) for path, sha, _size in entry)
    return Part(where, key, deps, files)
