"""The search stage: Pagefind's files (one index per locale, and its UI), each locale's
made only when what its records read changed.

The records are made through a ``Reads`` (``render.dependencies``), which records
every value they read (each translation's words, URL, date, section and lead photo,
the lists of releases and pages); each locale's index is kept with that record, and its
key is the hash of those values. An edit of a template or of a list order changes none
of them, so such a build takes the last indexes from the build cache and does not run
the indexer; an edit of one English release indexes English again, not Indonesian.
Pagefind names every file of a language's index after the language, so the locales'
indexes are made apart (one indexer each, in turn) and their files merged, with one
entry file naming every language (``stable.merge_entries``). The indexer is Pagefind's
Python API (``pagefind[bin]``), fed with ``records``; nothing of Node runs.

The indexers run after the pages render, not beside them: on two cores, Pagefind's
threads creating files beside the render workers' slowed the render more than the
indexers took. The dev server may ask for the indexes ``later``: the build then
publishes the last ones it has (or none) and hands back a ``Pending`` job, which the
server runs in the background after the reload (``serve.indexing``), then keeps in
``kept`` for the next build.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from presssite.cache.store import BuildCache
from presssite.errors import PresssiteError
from presssite.model import OutputFile, Site, Translation
from presssite.render.dependencies import Deps, Inputs
from presssite.search import stable
from presssite.search.records import records

log = logging.getLogger(__name__)

FOLDER = "pagefind"  # the output folder of Pagefind's files

Full = Callable[[Translation], Translation] | None  # a translation with its body


@dataclass(frozen=True)
class Part:
    """One locale's index: the key of what its records read, and Pagefind's files."""

    locale: str
    key: str
    deps: Deps = field(repr=False)
    files: tuple[OutputFile, ...] = field(repr=False)


@dataclass(frozen=True)
class Pending:
    """Indexes the build did not make: the dev server makes them in the background."""

    kept: tuple[Part, ...]  # the locales whose last index still holds
    make: Callable[[], list[Part]] = field(repr=False)  # the others, made when called

    def parts(self) -> list[Part]:
        return [*self.kept, *self.make()]


@dataclass(frozen=True)
class Outcome:
    """The search stage's files, and how many locales' indexes were made and reused."""

    files: list[OutputFile]
    indexed: int = 0
    reused: int = 0
    pending: Pending | None = None
    parts: tuple[Part, ...] = ()  # every locale's index, when all are made


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
    """The index files of ``site``: each locale's last ones while what its records read
    is unchanged, else made now (or, ``later``, by the caller, with the last ones
    meanwhile). ``kept`` are indexes the caller made in the background."""
    if not site.settings.search.enabled:
        return Outcome([])
    version = indexer_version()
    saved = store.load(name) if store is not None else None
    saved = saved if isinstance(saved, dict) else {}
    ready = {part.locale: part for part in kept}
    entries: dict[str, Any] = {}  # what the build cache keeps, locale by locale
    held: list[Part] = []  # the indexes that hold, their files in blobs
    todo: list[str] = []
    stale: list[Part] = []
    for loc in site.settings.locales:
        last = _stored(saved.get(loc), loc, version, blobs)
        if last is not None:
            entries[loc] = saved[loc]
        if (part := ready.get(loc)) is not None and inputs.key(part.deps) == part.key:
            entries[loc], part = _keep(part, version, blobs)
            held.append(part)
        elif last is not None and inputs.key(last.deps) == last.key:
            held.append(last)
        else:
            todo.append(loc)
            stale.extend([last] if last is not None else [])
    reused, made = len(held), 0
    if todo and later:
        job = _pending(inputs, catalogs, full, held, todo)
        outcome = Outcome(merge([*held, *stale]), reused=reused, pending=job)
    else:
        for part in make_parts(inputs, catalogs, full, todo) if todo else []:
            entries[part.locale], part = _keep(part, version, blobs)
            held.append(part)
            made += 1
        outcome = Outcome(merge(held), indexed=made, reused=reused, parts=tuple(held))
    if store is not None and entries != saved:
        store.save(name, entries)
    return outcome


def pending(
    inputs: Inputs, catalogs: Mapping[str, Any], full: Full, kept: Sequence[Part]
) -> Pending:
    """The indexes of the site ``inputs`` hold, to make in the background: ``kept`` ones
    whose records read what they read, the other locales' made when asked."""
    held = [part for part in kept if inputs.key(part.deps) == part.key]
    done = {part.locale for part in held}
    todo = [loc for loc in inputs.site.settings.locales if loc not in done]
    return _pending(inputs, catalogs, full, held, todo)


def _pending(
    inputs: Inputs,
    catalogs: Mapping[str, Any],
    full: Full,
    held: Sequence[Part],
    todo: Sequence[str],
) -> Pending:
    """The indexes ``held`` as they are, those of ``todo`` to make in another thread:
    through inputs of their own (``Inputs`` memoises values; the build reads its own
    meanwhile)."""
    own = inputs.fresh()
    return Pending(tuple(held), lambda: make_parts(own, catalogs, full, todo) if todo else [])


def make_parts(
    inputs: Inputs, catalogs: Mapping[str, Any], full: Full, locales: Sequence[str]
) -> list[Part]:
    """The indexes of ``locales``, made from their records (the indexers run here)."""
    return index_written(*write_records(inputs, catalogs, full, locales))


# The records of some locales written for the indexer: the folder, and for each locale
# (its records in ``folder/<n>``) what they read and the key of that.
Written = tuple[Path, list[tuple[str, Deps, str]]]


def write_records(
    inputs: Inputs, catalogs: Mapping[str, Any], full: Full, locales: Sequence[str]
) -> Written:
    """Each locale's records, written one by one as the indexer reads them (a page's
    site path, ``index.html``): a large site's records are never all in memory."""
    folder = Path(tempfile.mkdtemp(prefix="presssite-search-"))
    made = []
    try:
        for n, loc in enumerate(locales):
            pages = folder / str(n)
            pages.mkdir()
            reads = inputs.reads()
            for record in records(reads, catalogs, full, [loc]):
                path = pages / record.url.strip("/") / "index.html"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(record.html, encoding="utf-8")
            deps = reads.deps()
            made.append((loc, deps, inputs.key(deps)))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, made


def index_written(folder: Path, made: list[tuple[str, Deps, str]]) -> list[Part]:
    """The indexes of records ``write_records`` wrote; their folder is removed after."""
    try:
        files = index([folder / str(n) for n in range(len(made))])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [
        Part(loc, key, deps, tuple(out)) for (loc, deps, key), out in zip(made, files, strict=True)
    ]


def merge(parts: Sequence[Part]) -> list[OutputFile]:
    """The files of the locales' indexes as one Pagefind folder: each language's own
    files, the files every index has (its scripts, its UI) once, one entry file."""
    out: dict[str, OutputFile] = {}
    entries: list[bytes] = []
    entry_path = f"{FOLDER}/{stable.ENTRY}"
    for part in sorted(parts, key=lambda part: part.locale):
        for file in part.files:
            if file.path == entry_path:
                entries.append(_bytes(file))
            else:
                out.setdefault(file.path, file)
    if entries:
        out[entry_path] = OutputFile(path=entry_path, data=stable.merge_entries(entries))
    return [out[path] for path in sorted(out)]


def indexer_version() -> str:
    """The installed indexer's version: an index made by another is made again."""
    for package in ("pagefind_bin", "pagefind_bin_extended", "pagefind"):
        try:
            return f"{package} {metadata.version(package)}"
        except metadata.PackageNotFoundError:
            continue
    return ""


def index(folders: Sequence[Path]) -> list[list[OutputFile]]:
    """Pagefind's files for the pages in each folder (a locale's records), under
    ``FOLDER/``: one indexer per folder, in turn."""
    try:
        # In a thread of its own: the caller may be running an event loop already (an
        # asynchronous program, a test driving a browser), where asyncio.run is refused.
        with ThreadPoolExecutor(1, thread_name_prefix="pagefind") as pool:
            return pool.submit(asyncio.run, _index_all(folders)).result()
    except (OSError, RuntimeError) as exc:  # no binary, or the indexer failed
        raise PresssiteError(
            f"the search indexer (Pagefind) failed: {exc}",
            hint="install presssite with its dependencies (pagefind[bin]), "
            "or set [search] enabled = false",
        ) from None


async def _index_all(folders: Sequence[Path]) -> list[list[OutputFile]]:
    # One after the other: Pagefind uses every core already, and holds its whole index
    # in memory (over 2 GB for 10,000 pages), so two at once would only add up memory.
    return [await _index(pages) for pages in folders]


async def _index(pages: Path) -> list[OutputFile]:
    """Run the indexer over the pages in ``pages``, and read its files back.

    The records go through a folder (``add_directory``), not one message each
    (``add_html_file``): Pagefind's Python service answers each message in about a
    tenth of a second, so a thousand records would take minutes; its directory walk
    reads them all in one go and numbers the pages in a stable order. Its output goes to
    a folder too: returning a large index through its pipe can deadlock, its docs say.
    """
    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

    with tempfile.TemporaryDirectory(prefix="presssite-pagefind-") as tmp:
        out = Path(tmp)
        config = IndexConfig(write_playground=False, output_path=str(out))
        async with PagefindService() as service:  # stops the indexer on leaving
            pagefind = await service.create_index(config)
            await pagefind.add_directory(str(pages))
            await pagefind.write_files(str(out))
            # Its answer can come before the files are all written: stopping it then
            # would leave some empty, so wait until its entry file names complete files.
            await _written(out)
        written = {
            path.relative_to(out).as_posix(): path.read_bytes()
            for path in out.rglob("*")
            if path.is_file()
        }
    return [
        OutputFile(path=f"{FOLDER}/{rel}", data=data)
        for rel, data in sorted(stable.stabilize(written).items())
    ]


async def _written(out: Path, limit: float = 30.0) -> None:
    """Until every file Pagefind wrote is whole (see ``_complete``)."""
    waited = 0.0
    while waited < limit:
        if _complete(out):
            return
        await asyncio.sleep(0.05)
        waited += 0.05
    raise RuntimeError(f"Pagefind wrote no complete index in {limit:.0f} s")


def _complete(out: Path) -> bool:
    """Whether the entry file parses, names metadata files that exist, and every file is
    non-empty and, where compressed (index, fragments, filters, metadata, WebAssembly),
    decompresses whole."""
    try:
        entry = json.loads((out / stable.ENTRY).read_bytes())
        for language in entry["languages"].values():
            if not (out / f"pagefind.{language['hash']}.pf_meta").is_file():
                return False
        for path in out.rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            if not data:
                return False
            if ".pf_" in path.name or path.suffix == ".pagefind":
                gzip.decompress(data)
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return False
    return True


def _bytes(file: OutputFile) -> bytes:
    if file.data is not None:
        return file.data
    assert file.source is not None
    return file.source.read_bytes()


def _keep(part: Part, version: str, blobs: BuildCache) -> tuple[Any, Part]:
    """A locale's index as the build cache keeps it, its files put in blobs (from which
    the publish links them), and the index with its files there."""
    files = tuple((f.path, *blobs.put(_bytes(f))) for f in part.files)
    entry = (version, part.key, part.deps, files)
    linked = tuple(OutputFile(path=path, source=blobs.blob_path(sha)) for path, sha, _ in files)
    return entry, Part(part.locale, part.key, part.deps, linked)


def _stored(saved: Any, locale: str, version: str, blobs: BuildCache) -> Part | None:
    """A locale's index as the build cache keeps it, (version, key, deps, files), if it
    was made by this indexer and its files are all there."""
    if not (isinstance(saved, tuple) and len(saved) == 4 and saved[0] == version):
        return None
    _version, key, deps, entry = saved
    if not all(blobs.has(sha, size) for _path, sha, size in entry):
        return None
    files = tuple(OutputFile(path=path, source=blobs.blob_path(sha)) for path, sha, _size in entry)
    return Part(locale, key, deps, files)
