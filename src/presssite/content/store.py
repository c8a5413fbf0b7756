"""Parsed documents kept between builds, and the bodies the site model leaves out.

The content stage parses each ``index.<locale>.md`` into a ``Parsed``. A build keeps them
in a ``DocumentStore``: a catalog by file (the hash of its bytes, known by size and
modification time through ``cache.hashes``; the parse key; the parse without its body)
saved in the build cache, and the bodies in pack files (``cache.packs``). The catalog is
written whole now and then, and between, only the entries that changed since
(``CHANGES``), which a build applies to it.
Translations then travel through the build with a ``StoredBody`` in place of
``body_html``: a 100,000-release site holds about 2 GB of bodies, which only the pages
that are rendered (and the feed entries that are written) read back, through ``Bodies``,
the one reader of a stored body (a stored body used as text anywhere else is an error,
not an empty body).
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from presssite.cache.packs import BodyRef, Packs, PackWriter, live_pack_bytes
from presssite.cache.store import BuildCache, digest
from presssite.errors import PresssiteError
from presssite.model import StoredBody, Translation, own_body

CATALOG = "documents"  # (token, path -> StoredDoc), written whole now and then
CHANGES = "documents-changes"  # (the catalog's token, path -> StoredDoc or None: gone)
CHANGES_MOST = 256  # changed entries kept apart at least; beyond an eighth of the catalog,
# it is written whole again


@dataclass(frozen=True)
class Parsed:
    """The outcome of parsing one file, as the cache keeps it."""

    translation: Translation | None  # None when title or date are unusable
    errors: tuple[PresssiteError, ...] = ()
    # Files outside the bundle whose existence the result depends on (links to other
    # bundles), with the answer seen when parsing: a hit is valid only if all still hold.
    outside: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class StoredDoc:
    """One file's parse as the store keeps it (and as a build carries it)."""

    slot: int
    path: str
    digest: str
    cache_key: tuple[str, ...]
    parsed: Parsed  # its translation without body when a store is used
    body: BodyRef | None  # where the body is kept (with a store)
    full: Parsed | None = None  # with its body, for the in-memory cache (parsed here only)

    @property
    def key(self) -> str:
        return key_of(self.cache_key)


def key_of(parts: tuple[str, ...]) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def body_key(doc: Translation, parse_keys: Mapping[tuple[str, str], str]) -> str:
    """What stands for a translation's body in a key: its parse key (``Loaded.keys``),
    which covers all the body is made of, so the body need not be read; a translation
    parsed outside the store has none, and its body's digest stands for it."""
    return parse_keys.get((doc.bundle, doc.locale)) or digest(doc.body_html)


class Bodies:
    """The rendered Markdown of every translation: the text it carries, or the one its
    ``StoredBody`` points to in the packs. The one reader of a stored body."""

    def __init__(self, packs: Packs) -> None:
        self.packs = packs

    def get(self, doc: Translation) -> str:
        body = doc.body_html
        if isinstance(body, str):
            return body
        text = self.packs.read(body.where)
        if text is None:
            raise PresssiteError(
                f"the build cache lost the body of {doc.path} during the build",
                path=self.packs.folder,
                hint="build again; delete the cache folder if this repeats",
            )
        return text

    def full(self, doc: Translation) -> Translation:
        """``doc`` with its body."""
        return doc if isinstance(doc.body_html, str) else replace(doc, body_html=self.get(doc))


class DocumentStore:
    """Parsed documents by file between builds, their bodies in pack files.

    Without a ``BuildCache`` (another build holds it) the packs live in a temporary
    folder removed by ``close``, so the build works the same, only without reuse.
    """

    def __init__(self, cache: BuildCache | None) -> None:
        self.cache = cache
        if cache is not None:
            folder, self._temp = cache.root / "bodies", None
        else:
            folder = self._temp = Path(tempfile.mkdtemp(prefix="presssite-bodies-"))
        self.packs = Packs(folder)
        self.bodies = Bodies(self.packs)
        self.catalog, self._token, self._changes = _load_catalog(cache)
        self._writer: PackWriter | None = None

    def keep(self, parsed: Parsed) -> tuple[Parsed, BodyRef | None]:
        """Move a parse's body into a pack: (the parse without body, where it went)."""
        if parsed.translation is None:
            return parsed, None
        if self._writer is None:
            self._writer = self.packs.writer()
        ref = self._writer.add(own_body(parsed.translation))
        doc = replace(parsed.translation, body_html=StoredBody(ref))
        return Parsed(doc, parsed.errors, parsed.outside), ref

    def finish(self, docs: list[StoredDoc]) -> None:
        """Save the catalog of this run's files; drop and compact packs no longer used."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self.cache is None:
            return
        catalog = {
            d.path: (replace(d, full=None) if d.full is not None else d) for d in docs if d.digest
        }
        live = live_pack_bytes(d.body for d in catalog.values() if d.body is not None)
        sizes = self.packs.sizes()
        dead = sum(size - live.get(name, 0) for name, size in sizes.items())
        whole = dead > max(sum(live.values()), 8 << 20)
        if whole:
            catalog = self._compact(catalog)
            live = live_pack_bytes(d.body for d in catalog.values() if d.body is not None)
        changes: dict[str, StoredDoc | None] = {
            p: d for p, d in catalog.items() if _differs(self.catalog.get(p), d)
        }
        changes.update(dict.fromkeys(self.catalog.keys() - catalog.keys()))
        if changes or whole:
            self._save(catalog, changes, whole=whole)
        self.catalog = catalog
        self.packs.remove(name for name in sizes if name not in live)

    def _save(
        self, catalog: dict[str, StoredDoc], changes: dict[str, StoredDoc | None], whole: bool
    ) -> None:
        """Keep the catalog: only what changed since it was last written whole, while that
        is small (a build that adds one release to 10,000 then writes two entries, not
        20,000: writing them all took most of such a build's content stage)."""
        assert self.cache is not None
        merged = {**self._changes, **changes}
        if not whole and self._token and len(merged) <= max(CHANGES_MOST, len(catalog) // 8):
            self.cache.save(CHANGES, (self._token, merged))
            self._changes = merged
            return
        self._token = secrets.token_hex(8)  # changes kept for another catalog do not apply
        self.cache.save(CATALOG, (self._token, catalog))
        self.cache.forget(CHANGES)
        self._changes = {}

    def _compact(self, catalog: dict[str, StoredDoc]) -> dict[str, StoredDoc]:
        """Copy the live bodies into one new pack; the old packs are then unused."""
        writer = self.packs.writer()
        out = {}
        try:
            for path, doc in catalog.items():
                text = self.packs.read(doc.body) if doc.body is not None else None
                if doc.body is not None and text is None:
                    continue  # unreadable: the next build parses the file again
                out[path] = _moved(doc, writer.add(text) if text is not None else None)
        finally:
            writer.close()
        return out

    def current(self, doc: StoredDoc) -> Translation | None:
        """``doc``'s translation, its ``StoredBody`` where the body is now (compaction
        may have moved it since ``doc`` was read)."""
        kept = self.catalog.get(doc.path)
        if kept is not None and kept.cache_key == doc.cache_key:
            return kept.parsed.translation
        return doc.parsed.translation

    def close(self) -> None:
        self.packs.close()
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)


def _load_catalog(
    cache: BuildCache | None,
) -> tuple[dict[str, StoredDoc], str, dict[str, StoredDoc | None]]:
    """The catalog as last kept (its whole copy with the changes since), its token, and
    those changes."""
    found = cache.load(CATALOG) if cache is not None else None
    if cache is None or not (isinstance(found, tuple) and len(found) == 2):
        return {}, "", {}
    token, catalog = found
    kept = cache.load(CHANGES)
    if not (isinstance(kept, tuple) and len(kept) == 2 and kept[0] == token):
        return catalog, token, {}
    catalog = dict(catalog)  # a long-running process keeps the loaded one: not changed
    for path, doc in kept[1].items():
        if doc is None:
            catalog.pop(path, None)
        else:
            catalog[path] = doc
    return catalog, token, dict(kept[1])


def _differs(kept: StoredDoc | None, doc: StoredDoc) -> bool:
    """Whether the catalog must keep ``doc`` anew: its parse or its body's place changed."""
    return kept is None or kept.cache_key != doc.cache_key or kept.body != doc.body


def _moved(doc: StoredDoc, ref: BodyRef | None) -> StoredDoc:
    """``doc`` with its body at ``ref``: where the store finds it, and its translation's
    ``StoredBody``, which the build reads."""
    translation = doc.parsed.translation
    if ref is not None and translation is not None:
        translation = replace(translation, body_html=StoredBody(ref))
    parsed = replace(doc.parsed, translation=translation)
    return replace(doc, parsed=parsed, body=ref)


def without_body(doc: Translation, shared: dict[Any, Any], ref: BodyRef) -> Translation:
    """``doc`` with its body kept at ``ref`` (a ``StoredBody``), its small values shared
    with equal ones of other documents.

    Most translations have the same front-matter layout (``lines``), no ``extra``, the
    same few tags, section, locale and UTC offset: with one object for each, a
    100,000-release site keeps some 200 MB less in memory.
    """

    def one(value: Any, key: Any = None) -> Any:
        return shared.setdefault(value if key is None else key, value)

    lines = one(doc.lines, ("lines", tuple(doc.lines.items())))
    extra = one(doc.extra, ("extra",)) if not doc.extra else doc.extra
    tzinfo = doc.date.tzinfo
    date = doc.date.replace(tzinfo=one(tzinfo, ("tz", tzinfo))) if tzinfo is not None else doc.date
    return replace(
        doc,
        body_html=StoredBody(ref),
        section=sys.intern(doc.section),
        locale=sys.intern(doc.locale),
        tags=one(tuple(sys.intern(t) for t in doc.tags)),
        lines=lines,
        extra=extra,
        date=date,
    )


# A worker process's pack writer, kept across its chunks: one pack per worker, not one
# per chunk (a parse stage hands out chunks of a few dozen files).
_WORKER_PACKS: dict[Path, PackWriter] = {}


def pack_writer(folder: Path | None, own: bool) -> PackWriter | None:
    """A writer of bodies into ``folder``: a new one when the caller ``own``s (and closes)
    it, else this process's lasting one, which the caller flushes."""
    if folder is None:
        return None
    if own:
        return Packs(folder).writer()
    if folder not in _WORKER_PACKS:
        _WORKER_PACKS[folder] = Packs(folder).writer()
    return _WORKER_PACKS[folder]
