"""Pagefind run over a folder of records: its files read back, byte-stable.

Each part of the index has an indexer of its own (a ``pagefind --service`` process,
through Pagefind's Python API), stopped when the part is made; ``Budget`` keeps the
pages the running indexers hold in memory under a bound.
"""

from __future__ import annotations

import gzip
import json
import tempfile
import threading
from importlib import metadata
from pathlib import Path

from presssite.errors import PresssiteError
from presssite.model import OutputFile
from presssite.search import stable


def version() -> str:
    """The installed indexer's version: an index made by another is made again."""
    for package in ("pagefind_bin", "pagefind_bin_extended", "pagefind"):
        try:
            return f"{package} {metadata.version(package)}"
        except metadata.PackageNotFoundError:
            continue
    return ""


# Indexers at once: two keep both cores of a small machine busy (Pagefind makes an
# index mostly on one thread). Each holds its part in memory while it makes it (about
# 0.1 to 0.2 GB for 1,000 pages), so a second one starts only while the pages the two
# hold stay under PAGES_AT_ONCE: a large site's parts are made one at a time.
INDEXERS = 2
PAGES_AT_ONCE = 8000


class Budget:
    """The pages the running indexers hold, and a wait for room under a limit (one
    part larger than the limit runs alone)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.held = limit, 0
        self._changed = threading.Condition()

    def take(self, pages: int) -> None:
        with self._changed:
            self._changed.wait_for(lambda: not self.held or self.held + pages <= self.limit)
            self.held += pages

    def give(self, pages: int) -> None:
        with self._changed:
            self.held -= pages
            self._changed.notify_all()


def index(pages: Path, folder: str, whole: bool, count: int, budget: Budget) -> list[OutputFile]:
    """Pagefind's files for the ``count`` pages in ``pages`` (records), under ``folder``
    (with its scripts, or, not ``whole``, the index alone), indexed when the ``budget``
    has room. Runs an event loop of its own: call it in a thread of its own, as the
    caller may be running one already (an asynchronous program, a test driving a
    browser), where ``asyncio.run`` is refused."""
    import asyncio  # here: a build that indexes nothing does not load it

    try:
        return asyncio.run(_index(pages, folder, whole, count, budget))
    except (OSError, RuntimeError) as exc:  # no binary, or the indexer failed
        raise PresssiteError(
            f"the search indexer (Pagefind) failed: {exc}",
            hint="install presssite with its dependencies (pagefind[bin]), "
            "or set [search] enabled = false",
        ) from None


async def _index(
    pages: Path, folder: str, whole: bool, count: int, budget: Budget
) -> list[OutputFile]:
    """Run an indexer over the pages in ``pages``, and read its files back.

    The records go through a folder (``add_directory``), not one message each
    (``add_html_file``): Pagefind's Python service answers a message in up to a tenth
    of a second, so a thousand records would take minutes; its directory walk reads
    them all in one go and numbers the pages in a stable order. Its output goes to a
    folder too: returning a large index through its pipe can deadlock, its docs say.
    Each part has an indexer of its own, stopped when it is made, which frees its
    memory without one more message. A part outside the main folder keeps only its
    index: the search page runs the main folder's scripts.
    """
    import asyncio

    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

    with tempfile.TemporaryDirectory(prefix="presssite-pagefind-") as tmp:
        out = Path(tmp)
        config = IndexConfig(write_playground=False, output_path=str(out))
        await asyncio.to_thread(budget.take, count)
        try:
            async with PagefindService() as service:  # stops the indexer on leaving
                pagefind = await service.create_index(config)
                await pagefind.add_directory(str(pages))
                await pagefind.write_files(str(out))
                # Its answer can come before the files are all written: stopping it then
                # would leave some empty, so wait until its entry names complete files.
                await _written(out)
        finally:
            budget.give(count)  # its memory is free: the indexer has stopped
        written = {
            path.relative_to(out).as_posix(): path.read_bytes()
            for path in out.rglob("*")
            if path.is_file() and (whole or _of_index(path.relative_to(out)))
        }
    return [
        OutputFile(path=f"{folder}{rel}", data=data)
        for rel, data in sorted(stable.stabilize(written).items())
    ]


def _of_index(rel: Path) -> bool:
    """Whether a file Pagefind wrote is of the index (not a script, style or WebAssembly)."""
    return rel.name == stable.ENTRY or rel.suffix == ".pf_meta" or rel.parts[0] in _INDEX_FOLDERS


_INDEX_FOLDERS = frozenset({"index", "fragment", "filter"})


async def _written(out: Path, limit: float = 30.0) -> None:
    """Until every file Pagefind wrote is whole (see ``_complete``)."""
    import asyncio

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
