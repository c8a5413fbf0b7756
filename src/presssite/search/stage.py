"""The search stage: Pagefind's files (its index per locale and its UI), made only when
what the index holds changed.

The records are made through a ``Reads`` (``render.dependencies``), which records
every value they read (each translation's words, URL, date, section and lead photo,
the lists of releases and pages); the index is kept with that record, and its key is
the hash of those values. An edit of a template or of a list order changes none of
them, so such a build takes the last index from the build cache and does not run the
indexer. The indexer is Pagefind's Python API (``pagefind[bin]``), fed
with ``records`` in memory; nothing of Node runs.

The dev server may ask for the index ``later``: the build then publishes the last index
it has (or none) and hands back a ``Pending`` job, which the server runs in the
background after the reload (``serve.command``), then keeps in ``kept`` for the next build.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from presssite.cache.store import BuildCache
from presssite.errors import PresssiteError
from presssite.model import OutputFile, Site, Translation
from presssite.render.dependencies import Deps, Inputs
from presssite.search import stable
from presssite.search.records import Record, records

log = logging.getLogger(__name__)

FOLDER = "pagefind"  # the output folder of Pagefind's files


# The records of an index, what they read, and the key of that (``Inputs.key``).
Made = tuple[list[Record], Deps, str]


@dataclass(frozen=True)
class Pending:
    """An index the build did not make: the dev server makes it in the background."""

    records: Callable[[], Made] = field(repr=False)


@dataclass(frozen=True)
class Outcome:
    """The search stage's files, and whether the indexer ran."""

    files: list[OutputFile]
    indexed: int = 0  # 1: the indexer ran in this build
    reused: int = 0  # 1: the last index was still right
    pending: Pending | None = None


def run(
    site: Site,
    *,
    inputs: Inputs,
    catalogs: Mapping[str, Any],
    full: Callable[[Translation], Translation] | None,
    store: BuildCache | None,
    blobs: BuildCache,
    name: str,
    later: bool = False,
    kept: tuple[str, Deps, Sequence[OutputFile]] | None = None,
) -> Outcome:
    """The index files of ``site``: the last ones while what their records read is
    unchanged, else made now (or, ``later``, by the caller: the last index meanwhile).
    ``kept`` is an index the caller made in the background, (key, deps, files)."""
    if not site.settings.search.enabled:
        return Outcome([])
    saved = store.load(name) if store is not None else None
    last = saved if _usable(saved, blobs) else None
    entry: tuple[tuple[str, str, int], ...]
    indexed = reused = 0
    if kept is not None and inputs.key(kept[1]) == kept[0]:
        key, deps = kept[0], kept[1]
        entry = tuple((f.path, *blobs.put(_bytes(f))) for f in kept[2])
    elif last is not None and inputs.key(last[1]) == last[0]:
        (key, deps, entry), reused = last, 1
    elif later:
        files = _files(blobs, last[2]) if last is not None else []
        return Outcome(files, pending=pending(inputs, catalogs, full))
    else:
        items, deps, key = make_records(inputs, catalogs, full)
        made = index(items)
        entry, indexed = tuple((f.path, *blobs.put(f.data or b"")) for f in made), 1
    if store is not None and saved != (key, deps, entry):
        store.save(name, (key, deps, entry))
    return Outcome(_files(blobs, entry), indexed=indexed, reused=reused)


def make_records(
    inputs: Inputs,
    catalogs: Mapping[str, Any],
    full: Callable[[Translation], Translation] | None,
) -> Made:
    """Every record of the site, what they read, and the key of that."""
    reads = inputs.reads()
    items = list(records(reads, catalogs, full))
    deps = reads.deps()
    return items, deps, inputs.key(deps)


def pending(
    inputs: Inputs,
    catalogs: Mapping[str, Any],
    full: Callable[[Translation], Translation] | None,
) -> Pending:
    """The records to make in a background thread: through inputs of its own (``Inputs``
    memoises values, and the build's go on being read while it runs)."""
    own = inputs.fresh()
    return Pending(lambda: make_records(own, catalogs, full))


def index(items: Sequence[Record]) -> list[OutputFile]:
    """Pagefind's files for ``items``, under ``FOLDER/``: the indexer runs here."""
    try:
        # In a thread of its own: the caller may be running an event loop already (an
        # asynchronous program, a test driving a browser), where asyncio.run is refused.
        with ThreadPoolExecutor(1, thread_name_prefix="pagefind") as pool:
            return pool.submit(asyncio.run, _index(items)).result()
    except (OSError, RuntimeError) as exc:  # no binary, or the indexer failed
        raise PresssiteError(
            f"the search indexer (Pagefind) failed: {exc}",
            hint="install presssite with its dependencies (pagefind[bin]), "
            "or set [search] enabled = false",
        ) from None


async def _index(items: Sequence[Record]) -> list[OutputFile]:
    """Run the indexer over ``items`` written as files, and read its files back.

    The records go through a folder (``add_directory``), not one message each
    (``add_html_file``): Pagefind's Python service answers each message in about a
    tenth of a second, so a thousand records would take minutes; its directory walk
    reads them all in one go and numbers the pages in a stable order. Its output goes to
    a folder too: returning a large index through its pipe can deadlock, its docs say.
    """
    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

    with tempfile.TemporaryDirectory(prefix="presssite-search-") as tmp:
        pages, out = Path(tmp) / "pages", Path(tmp) / "out"
        for record in items:
            path = pages / record.url.strip("/") / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(record.html, encoding="utf-8")
        pages.mkdir(exist_ok=True)
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


def _usable(last: Any, blobs: BuildCache) -> bool:
    return (
        isinstance(last, tuple)
        and len(last) == 3
        and all(blobs.has(sha, size) for _path, sha, size in last[2])
    )


def _files(blobs: BuildCache, entry: Sequence[tuple[str, str, int]]) -> list[OutputFile]:
    return [OutputFile(path=path, source=blobs.blob_path(sha)) for path, sha, _size in entry]
