"""Translation status: for every document and locale, present, missing or stale.

A translation is *stale* when another translation of the same document changed after it,
so its readers may miss a correction. What "changed" means, in order of trust:

1. ``updated:`` in front matter. When any translation of a bundle sets it, each one's
   last change is its ``updated`` (else its ``date``), and every translation older than
   the newest is stale. Editors set ``updated:`` on purpose, so the comparison is fair in
   both directions.
2. Otherwise, when the site is in a git repository, the last commit that touched each
   file. Commit times cannot tell a revision from the routine commit of a fresh
   translation (which always comes after its original), so here only the bundle's
   original (its default-locale translation, else the first one committed) can make
   the others stale; the original itself never is.

A file without commits (new, or the site is not in git) is never compared by commits.
The git history is read by ``site.history`` (one ``git log`` over ``content/``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from presssite.model import Bundle, Translation
from presssite.settings import Settings
from presssite.site.history import FileHistory

PRESENT, MISSING, STALE = "present", "missing", "stale"
STATES = (PRESENT, MISSING, STALE)
BY_UPDATED, BY_COMMITS = "updated", "commits"


@dataclass(frozen=True)
class Entry:
    """One locale of one document."""

    locale: str
    state: str  # PRESENT, MISSING or STALE
    path: Path | None  # the Markdown file; None when missing
    changed: datetime | None  # its last change by the bundle's basis; None when unknown
    newer: str | None = None  # STALE: the locale of the translation that changed after it


@dataclass(frozen=True)
class DocumentStatus:
    """The translations of one bundle, in the site's locale order."""

    bundle: str
    title: str  # the default-locale title, else the first translation's
    basis: str  # BY_UPDATED, BY_COMMITS, or "" when nothing could be compared
    entries: Mapping[str, Entry]  # locale -> entry, every site locale


@dataclass(frozen=True)
class Status:
    """The translation status of a set of documents."""

    locales: tuple[str, ...]
    documents: tuple[DocumentStatus, ...]

    def counts(self) -> dict[str, dict[str, int]]:
        """locale -> state -> number of documents."""
        out = {loc: dict.fromkeys(STATES, 0) for loc in self.locales}
        for doc in self.documents:
            for loc, entry in doc.entries.items():
                out[loc][entry.state] += 1
        return out

    @property
    def missing(self) -> tuple[tuple[str, str], ...]:
        """(bundle, locale) of every missing translation."""
        return tuple(
            (d.bundle, loc)
            for d in self.documents
            for loc, e in d.entries.items()
            if e.state == MISSING
        )

    @property
    def stale(self) -> dict[tuple[str, str], str]:
        """(bundle, locale) of every stale translation -> the locale that changed after it."""
        return {
            (d.bundle, loc): e.newer or ""
            for d in self.documents
            for loc, e in d.entries.items()
            if e.state == STALE
        }

    def to_json(self, root: Path) -> dict[str, Any]:
        """A JSON-ready report; paths relative to ``root``, instants in ISO 8601."""

        def rel(path: Path | None) -> str | None:
            if path is None:
                return None
            try:
                return path.relative_to(root).as_posix()
            except ValueError:
                return str(path)

        return {
            "locales": list(self.locales),
            "counts": self.counts(),
            "documents": [
                {
                    "bundle": d.bundle,
                    "title": d.title,
                    "basis": d.basis or None,
                    "translations": {
                        loc: {
                            "state": e.state,
                            "path": rel(e.path),
                            "changed": e.changed.isoformat() if e.changed else None,
                            "newer": e.newer,
                        }
                        for loc, e in d.entries.items()
                    },
                }
                for d in self.documents
            ],
        }


def status(
    settings: Settings,
    bundles: Iterable[Bundle],
    *,
    history: Mapping[str, FileHistory] | None = None,
) -> Status:
    """The status of every bundle; ``history`` is ``commit_history()`` (None: no git)."""
    history = history or {}
    docs = tuple(_document(settings, b, history) for b in sorted(bundles, key=lambda b: b.id))
    return Status(locales=settings.locales, documents=tuple(d for d in docs if d is not None))


def needs_history(bundles: Iterable[Bundle]) -> bool:
    """Whether any bundle has translations to compare but no ``updated:`` to compare by."""
    return any(
        len(b.translations) > 1 and not any(t.updated for t in b.translations.values())
        for b in bundles
    )


def _document(
    settings: Settings, bundle: Bundle, history: Mapping[str, FileHistory]
) -> DocumentStatus | None:
    present = {
        loc: bundle.translations[loc] for loc in settings.locales if loc in bundle.translations
    }
    if not present:
        return None
    basis, changed, newer = _compare(settings, present, history)
    entries = {}
    for loc in settings.locales:
        doc = present.get(loc)
        if doc is None:
            entries[loc] = Entry(loc, MISSING, None, None)
        else:
            other = newer.get(loc)
            entries[loc] = Entry(
                loc, STALE if other else PRESENT, doc.path, changed.get(loc), other
            )
    first = present.get(settings.default_locale) or next(iter(present.values()))
    return DocumentStatus(bundle=bundle.id, title=first.title, basis=basis, entries=entries)


def _compare(
    settings: Settings, present: Mapping[str, Translation], history: Mapping[str, FileHistory]
) -> tuple[str, dict[str, datetime], dict[str, str]]:
    """(basis, locale -> last change, stale locale -> the newer locale)."""
    if any(t.updated for t in present.values()):
        changed = {loc: t.last_changed for loc, t in present.items()}
        newest = max(changed.values())
        # Among translations changed at the newest instant, the original is named first.
        order = sorted(present, key=lambda loc: loc != settings.default_locale)
        leader = next(loc for loc in order if changed[loc] == newest)
        return BY_UPDATED, changed, {loc: leader for loc, c in changed.items() if c < newest}
    if not history:  # outside git: nothing to resolve paths against
        return "", {}, {}
    found = {loc: _history_of(t.path, history) for loc, t in present.items()}
    known = {loc: h for loc, h in found.items() if h is not None}
    changed = {loc: h.last for loc, h in known.items()}
    if len(known) < 2:
        return (BY_COMMITS if known else ""), changed, {}
    original = (
        settings.default_locale
        if settings.default_locale in known
        else min(known, key=lambda loc: (known[loc].first, settings.locales.index(loc)))
    )
    stale = {
        loc: original
        for loc, h in known.items()
        if loc != original and h.last < known[original].last
    }
    return BY_COMMITS, changed, stale


def _history_of(path: Path, history: Mapping[str, FileHistory]) -> FileHistory | None:
    """The commits of the file at ``path``: known by its path as written, or (a site
    reached through a symbolic link) by its real path, as git names it."""
    found = history.get(str(path))
    return found if found is not None else history.get(str(path.resolve()))
