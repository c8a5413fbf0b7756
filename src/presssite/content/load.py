"""Content: find the bundles under ``content/`` and parse every translation.

One walk of the content folder gives every bundle, file name, size and modification
time; every existence check of links, photos and attachments is answered from it.
Each ``index.<locale>.md`` becomes a ``Translation`` (``translation.parse``).

Loading never raises for content problems: it collects every error of every file, so
one run shows them all, and hands back every translation (drafts and embargoed ones
included: deciding what is published is the site stage's job).

``ParseCache`` keeps parsed translations in memory between rebuilds (``presssite
serve``); a ``content.store.DocumentStore`` keeps them on disk between builds. Their key holds
every input of a parse: the file's bytes, the settings that affect parsing, and the
listing of the bundle folder (a photo added or removed changes existence checks). Links
to other bundles are re-checked on every hit. Cold parsing is split across worker
processes (``parallel``) on large sites.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from presssite.cache.hashes import FileHashes
from presssite.content.store import (
    Bodies,
    DocumentStore,
    Parsed,
    StoredDoc,
    pack_writer,
    without_body,
)
from presssite.content.translation import Exists, parse, settings_fingerprint
from presssite.content.walk import INDEX as _INDEX
from presssite.content.walk import Tree, below, walk
from presssite.errors import ContentError, PresssiteError, processing
from presssite.model import Bundle, Translation, own_body
from presssite.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """What ``load`` found: all bundles, all errors, and how much work it did."""

    bundles: tuple[Bundle, ...]  # sorted by id; every translation, drafts included
    errors: tuple[PresssiteError, ...]
    parsed: int  # files parsed in this run
    reused: int  # files taken from the cache
    keys: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (bundle, locale) -> key
    bodies: Bodies | None = None  # with a store: where the bodies are
    tree: Tree | None = None  # the walk of content/ the load used


class ParseCache:
    """Parsed translations by file, for rebuilds that re-parse only what changed.

    One entry per file (a new version replaces the old one), so memory stays
    proportional to the site, not to the number of edits.
    """

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[tuple[str, ...], Parsed]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, path: Path, key: tuple[str, ...], exists: Callable[[str], bool]) -> Parsed | None:
        entry = self._entries.get(path)
        if entry is None or entry[0] != key:
            return None
        parsed = entry[1]
        if any(exists(p) != seen for p, seen in parsed.outside):
            return None
        return parsed

    def put(self, path: Path, key: tuple[str, ...], parsed: Parsed) -> None:
        self._entries[path] = (key, parsed)

    def clear(self) -> None:
        self._entries.clear()


def _sorted_bundles(tree: Tree) -> list[str]:
    return sorted(tree.bundles, key=lambda d: _posix(below(d, tree.root)))


def _posix(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def discover(settings: Settings) -> list[Path]:
    """Every folder under ``content/`` holding ``index*.md`` files, sorted by bundle id."""
    content_dir = settings.content_dir
    if not content_dir.is_dir():
        return []
    return [Path(d) for d in _sorted_bundles(walk(content_dir))]


# --------------------------------------------------------------------------- loading

PARALLEL_THRESHOLD = 200  # files; fewer are parsed here: a pool would cost more than it saves


def load(
    settings: Settings,
    *,
    cache: ParseCache | None = None,
    store: DocumentStore | None = None,
    jobs: int | None = None,
    tree: Tree | None = None,
    meanwhile: Callable[[], Any] | None = None,
    hashes: FileHashes | None = None,
) -> Loaded:
    """Parse every translation of every bundle; collect every error.

    With a ``store`` (the build), parsed documents are also kept on disk between runs
    and every translation comes back without its body (its ``body_html`` is a
    ``StoredBody``): bodies stay in the store's pack files and ``Loaded.bodies`` reads them for
    the pages that need them. Files whose size and modification time are unchanged are
    not even read. Above ``PARALLEL_THRESHOLD`` files to parse, parsing is split across
    ``jobs`` worker processes (see ``parallel``). ``tree`` is a walk of the content
    folder made earlier in the build (``content.walk.walk``), to save a second one.
    ``meanwhile`` is called here while worker processes parse (never otherwise): work
    of the build that needs no document. ``hashes`` are the build's ``FileHashes``: a
    file whose time changed (a fresh clone) is known by the hash the build's check took,
    not read a second time.
    """
    content_dir = settings.content_dir
    bodies = store.bodies if store is not None else None
    if not content_dir.is_dir():
        return Loaded(bundles=(), errors=(), parsed=0, reused=0, bodies=bodies)
    tree = tree if tree is not None else walk(content_dir)
    hashes = hashes if hashes is not None else FileHashes()
    fingerprint = settings_fingerprint(settings)
    locales = settings.locales
    errors: list[PresssiteError] = []
    results: list[StoredDoc | None] = []
    hits: set[int] = set()  # slots taken from a cache
    tasks: list[_Task] = []
    found: list[tuple[str, str, list[tuple[str, int]]]] = []  # folder, bundle id, (loc, slot)

    for folder in _sorted_bundles(tree):
        bundle_id = _posix(below(folder, tree.root))
        names = tree.bundles[folder]
        if bundle_id == "." or "/" not in bundle_id:
            where = "content/" if bundle_id == "." else f"content/{bundle_id}/"
            for name in names:
                errors.append(
                    ContentError(
                        f"a document directly in {where} has no section",
                        path=Path(folder, name),
                        hint="move its folder into a section, e.g. content/press/<name>/ "
                        "for a release or content/pages/<name>/ for a page",
                    )
                )
            continue
        bundle_print = tree.bundle_fingerprint(folder)
        stats = {name: (size, mtime) for name, size, mtime in tree.listing[folder]}
        slots: list[tuple[str, int]] = []
        for name in names:
            path = os.path.join(folder, name)
            match = _INDEX.match(name)
            locale = match.group(1) if match else None
            if locale is None:
                errors.append(
                    ContentError(
                        "index.md has no locale",
                        path=path,
                        hint=f"name it index.<locale>.md, e.g. index.{settings.default_locale}.md",
                    )
                )
                continue
            if locale not in locales:
                errors.append(
                    ContentError(
                        f"locale {locale!r} is not one of the site's locales: {', '.join(locales)}",
                        path=path,
                        hint=f"rename it to index.<locale>.md with one of {', '.join(locales)}, "
                        f"or add {locale!r} to locales in presssite.toml",
                    )
                )
                continue
            task = _Task(
                len(results), str(path), bundle_id, locale, stats[name], fingerprint, bundle_print
            )
            results.append(_lookup(task, tree, cache, store, hashes))
            if results[-1] is None:
                tasks.append(task)
            else:
                hits.add(task.slot)
            slots.append((locale, task.slot))
        found.append((folder, bundle_id, slots))

    if tasks:
        for new in _parse_all(tasks, settings, tree, store, jobs, meanwhile):
            results[new.slot] = new
            if cache is not None and new.full is not None:
                cache.put(Path(new.path), new.cache_key, new.full)
    if store is not None:
        store.finish([d for d in results if d is not None])

    bundles: list[Bundle] = []
    keys: dict[tuple[str, str], str] = {}
    parsed = reused = 0
    for folder, bundle_id, slots in found:
        translations: dict[str, Translation] = {}
        for locale, slot in slots:
            doc = results[slot]
            assert doc is not None
            reused += slot in hits
            parsed += slot not in hits
            errors.extend(doc.parsed.errors)
            translation = store.current(doc) if store is not None else doc.parsed.translation
            if translation is not None:
                translations[locale] = translation
                keys[(bundle_id, locale)] = doc.key
        if translations:
            ordered = {loc: translations[loc] for loc in locales if loc in translations}
            bundles.append(
                Bundle(
                    id=bundle_id,
                    section=bundle_id.split("/", 1)[0],
                    dir=Path(folder),
                    translations=ordered,
                )
            )
    if store is not None:
        store.catalog = {}  # saved; the translations live on in the bundles: free the rest
    return Loaded(
        bundles=tuple(bundles),
        errors=tuple(errors),
        parsed=parsed,
        reused=reused,
        keys=keys,
        bodies=bodies,
        tree=tree,
    )


def parse_file(settings: Settings, tree: Tree, path: str | Path) -> StoredDoc:
    """Parse one ``index.<locale>.md`` of a bundle that ``tree`` knows, body kept.

    The dev server's re-parse of an edited file (``edits``): the same parse, errors and
    parse key that ``load`` would give it, existence checks answered from ``tree``.
    """
    file = os.path.abspath(path)
    folder = os.path.dirname(file)
    match = _INDEX.match(os.path.basename(file))
    if match is None or match.group(1) is None:
        raise ValueError(f"not a translation file: {file}")
    st = os.stat(file)
    task = _Task(
        0,
        file,
        _posix(below(folder, tree.root)),
        match.group(1),
        (st.st_size, st.st_mtime_ns),
        settings_fingerprint(settings),
        tree.bundle_fingerprint(folder),
    )
    context = _ParseContext(settings, tree.files, None, keep_full=True)
    return _parse_chunk(context, [task])[0]


@dataclass(frozen=True)
class _Task:
    """One file to parse: small, so it travels to a worker cheaply."""

    slot: int  # its place in the results
    path: str
    bundle_id: str
    locale: str
    stat: tuple[int, int]  # size and mtime_ns from the walk
    fingerprint: str  # of the settings a parse depends on
    bundle_print: str  # of the bundle's other files

    def cache_key(self, digest: str) -> tuple[str, ...]:
        return (digest, self.fingerprint, self.bundle_print)


def _lookup(
    task: _Task,
    tree: Tree,
    cache: ParseCache | None,
    store: DocumentStore | None,
    hashes: FileHashes,
) -> StoredDoc | None:
    """The file's parse from the store or the in-memory cache; None when it must be parsed."""
    entry = store.catalog.get(task.path) if store is not None else None
    if entry is None and (cache is None or len(cache) == 0):
        return None  # nothing to find: a cold build reads and hashes the file once, to parse it
    digest = hashes.sha(task.path, *task.stat)  # read only when its size or time is new
    if not digest:
        return None  # unreadable: the parse reports it
    key = task.cache_key(digest)
    exists = tree.files.__contains__
    if (
        entry is not None
        and entry.cache_key == key
        and all(exists(p) == seen for p, seen in entry.parsed.outside)
    ):
        return entry
    hit = cache.get(Path(task.path), key, exists) if cache is not None else None
    if hit is None:
        return None
    if store is None:
        return StoredDoc(task.slot, task.path, digest, key, hit, None)
    stripped, body = store.keep(hit)
    return StoredDoc(task.slot, task.path, digest, key, stripped, body)


def _parse_all(
    tasks: list[_Task],
    settings: Settings,
    tree: Tree,
    store: DocumentStore | None,
    jobs: int | None,
    meanwhile: Callable[[], Any] | None = None,
) -> list[StoredDoc]:
    """Parse ``tasks`` here or in forked workers (each writing its own body pack)."""
    from presssite import parallel

    workers = parallel.workers_for(len(tasks), jobs=jobs, threshold=PARALLEL_THRESHOLD)
    if workers > 1:
        from presssite.content import frontmatter, markdown  # noqa: F401  (before the fork)

    folder = store.packs.folder if store is not None else None
    context = _ParseContext(settings, tree.files, folder, keep_full=workers == 1)
    while_parsing = meanwhile if workers > 1 else None
    return parallel.map_chunks(
        _parse_chunk, context, tasks, workers=workers, meanwhile=while_parsing
    )


@dataclass(frozen=True)
class _ParseContext:
    settings: Settings
    files: set[str]  # every file under content/, from the walk
    packs: Path | None  # where bodies go (None: they stay in the translations)
    keep_full: bool  # also return the parse with its body (for the in-memory cache)


def _parse_chunk(context: _ParseContext, tasks: Sequence[_Task]) -> list[StoredDoc]:
    from presssite import parallel

    own = not parallel.in_worker()  # a worker keeps its writer, flushed after each chunk
    writer = pack_writer(context.packs, own)
    shared: dict[Any, Any] = {}  # equal small values of this chunk's translations, once
    out = []
    try:
        for task in tasks:
            path = Path(task.path)
            exists = Exists(context.files, str(path.parent))
            try:
                data = path.read_bytes()
            except OSError as exc:
                error = ContentError(f"cannot read: {exc.strerror}", path=path)
                failed = Parsed(None, (error,))
                out.append(StoredDoc(task.slot, task.path, "", (), failed, None))
                continue
            digest = hashlib.sha256(data).hexdigest()
            with processing(path):
                result = parse(
                    data,
                    path,
                    digest=digest,
                    settings=context.settings,
                    bundle_id=task.bundle_id,
                    locale=task.locale,
                    exists=exists,
                )
            full = Parsed(result.translation, result.errors, tuple(sorted(exists.outside.items())))
            stripped, body = full, None
            if writer is not None and full.translation is not None:
                body = writer.add(own_body(full.translation))
                doc = without_body(full.translation, shared, body)
                stripped = Parsed(doc, full.errors, full.outside)
            out.append(
                StoredDoc(
                    task.slot,
                    task.path,
                    digest,
                    task.cache_key(digest),
                    stripped,
                    body,
                    full if context.keep_full else None,
                )
            )
    finally:
        if writer is not None:
            writer.close() if own else writer.flush()
    return out
