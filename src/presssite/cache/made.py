"""What earlier builds made: the indexes of pages and feeds in the build cache.

Each index maps a page (by output path) or a feed (by name) to its key (the hash of what
it read, ``render.dependencies``), what it read, and the SHA-256 and size of its bytes
(and, for a page, its internal links). A page's reads are packed (``render.recorded``):
the page index is kept with the state of the table that numbers them. A build makes a
page or feed again only when what it read changed, or when its bytes are neither in a
blob nor in the output as published.
There is one index per flavour of build (preview, drafts), so the dev server and
``presssite build`` do not evict each other's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from presssite.cache.store import BuildCache


class Made:
    """The page and feed indexes of one build; ``blobs`` is where bytes are kept (the
    build cache, or a temporary one when the cache is busy: ``store`` is then None)."""

    def __init__(self, store: BuildCache | None, blobs: BuildCache) -> None:
        self.store = store
        self.blobs = blobs
        self._loaded: dict[str, dict[str, Any]] = {}

    def index(self, name: str) -> dict[str, Any]:
        """A copy of the index ``name`` (empty when none is kept)."""
        found = self.store.load(name) if self.store is not None else None
        self._loaded[name] = dict(found) if isinstance(found, dict) else {}
        return dict(self._loaded[name])

    def save(self, name: str, index: dict[str, Any]) -> None:
        """Keep ``index`` as ``name``, unless it is the one loaded."""
        if self.store is not None and index != self._loaded.get(name):
            self.store.save(name, index)
            self._loaded[name] = index

    def pages(self, name: str) -> tuple[Any, dict[str, Any]]:
        """The page index ``name``: the state of its table, and a copy of its entries
        (None and none when no index is kept)."""
        found = self.store.load_split(name) if self.store is not None else None
        state, entries = found if found is not None and isinstance(found[1], dict) else (None, {})
        self._loaded[name] = entries
        return state, dict(entries)

    def save_pages(self, name: str, index: dict[str, Any], table: Callable[[], Any]) -> None:
        """Keep the page ``index`` as ``name`` with the state ``table()`` gives of its
        table (``render.recorded.to_keep``), unless it is the one loaded."""
        if self.store is not None and index != self._loaded.get(name):
            state, entries = table()
            self.store.save_split(name, state, entries)
            self._loaded[name] = index

    def have(self, entry: Any, published: str = "") -> bool:
        """Whether the bytes of an index ``entry`` (sha, size, ...) are at hand: in the
        output file whose manifest identity is ``published``, or in a blob."""
        if entry is None:
            return False
        return published == f"sha:{entry[0]}" or self.blobs.has(entry[0], entry[1])

    def prune(self, live: set[str]) -> None:
        """Delete blobs no index refers to, once they clearly outnumber the live ones."""
        if self.store is None or self.blobs.blob_count() <= 2 * len(live) + 500:
            return
        for flavor in ("00", "01", "10", "11"):
            _state, pages = self.store.load_split(f"pages-{flavor}") or (None, {})
            for entry in pages.values():
                live.add(entry[2])
            for entry in (self.store.load(f"feeds-{flavor}") or {}).values():
                live.update(sha for _path, sha, _size in entry[2])
            search = self.store.load(f"search-{flavor}")  # part -> (..., files): search.stage
            for entry in (search if isinstance(search, dict) else {}).values():
                live.update(sha for _path, sha, _size in entry[-1])
        self.blobs.prune_blobs(live)
