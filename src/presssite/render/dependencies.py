"""What a page or feed read is recorded while it is made (``reads``); its key is the
hash of the current values of what it read, worked out here.

A page is made again exactly when something it read changed. Nobody lists by hand what
a page depends on: the render takes every value of the site through a ``reads.Reads``
(one per page), which records the *source* of each, as Lektor's builder records the
sources an artifact used. The recorded sources are the page's ``Deps``, kept with the
page; ``Inputs.key`` hashes their current values (with ``base``: settings, catalogs,
flags, presssite's version), so a later build or the dev server knows whether the page
is still what it would render, and which pages read an edited document (``readers``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Protocol

from presssite import parallel
from presssite.cache.store import digest
from presssite.content.store import body_key
from presssite.model import PhotoImage, Site, Tag, Translation
from presssite.render.reads import BESIDE, CROPS, ENTRIES, PHOTOS, SPAN, STALE, YEARS, Reads
from presssite.render.recorded import Deps, Packed, Source, Table
from presssite.render.views import WHOLE
from presssite.site import archive, paging
from presssite.site.assemble import why_hidden

__all__ = ["Deps", "Inputs", "Packed", "Source", "after_edit", "document_of"]

# Pairs whose values are worked out in worker processes above this many (``value_all``).
# A value takes some 13 µs; measured at 1,000 releases (8,600 pairs), the pool's start
# and the pages of the site model its workers copy cost what the split saves.
VALUES_THRESHOLD = 20_000


class ImageLookup(Protocol):
    def for_page(self, doc: Translation) -> Mapping[str, PhotoImage]: ...


class Inputs:
    """The current value of every source a render can read, memoised for one site.

    ``base`` hashes what every page shares; ``templates`` maps a kind of page to the
    hash of its templates (``templates.template_keys``); ``parse_keys`` maps (bundle,
    locale) to the parse key of a translation, which stands for its body (translations
    of the site model travel without one); ``stale`` maps an outdated translation to
    the locale of the newer one.
    """

    def __init__(
        self,
        site: Site,
        images: ImageLookup | None = None,
        *,
        base: str = "",
        templates: Mapping[str, str] | None = None,
        parse_keys: Mapping[tuple[str, str], str] | None = None,
        stale: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        self.site, self.images, self.base = site, images, base
        self.templates = templates or {}
        self.parse_keys = parse_keys or {}
        self.stale = stale or {}
        self._values: dict[tuple[Source, tuple[str, ...]], str] = {}
        self._tags: dict[str, dict[str, Tag]] = {}
        self._photos: dict[tuple[str, str], Mapping[str, PhotoImage]] = {}
        self.table = Table()
        self._years: dict[str, dict[str, tuple[Translation, ...]]] = {}

    @property
    def table(self) -> Table:
        """The pairs the recorded reads share (``recorded``), which packed reads number."""
        return self._table

    @table.setter
    def table(self, table: Table) -> None:
        self._table = table
        self._numbered: list[str | None] = []  # values by their pair's number in the table

    def fresh(self) -> Inputs:
        """New inputs of the same site and values, none memoised (for another thread)."""
        new = Inputs(self.site, self.images, base=self.base, templates=self.templates)
        new.parse_keys, new.stale = self.parse_keys, self.stale
        return new

    def reads(self) -> Reads:
        """A new, empty record of what one page or feed reads."""
        return Reads(self)

    def key(self, deps: Deps | Packed) -> str:
        """The hash of the current values of ``deps`` (and of ``base``)."""
        values = [self.base]
        if isinstance(deps, bytes):  # the hot loop of a build checking every page
            known, pairs = self._numbered, self._table.pairs
            if len(known) < len(pairs):
                known.extend([None] * (len(pairs) - len(known)))
            for number in self._table.numbers(deps):  # by number: a pair's hash is not kept
                found = known[number]
                if found is None:
                    found = known[number] = self.value(*pairs[number])
                values.append(found)
        else:
            values.extend(self.value(*pair) for pair in deps)
        return hashlib.sha256("".join(values).encode()).hexdigest()[:32]

    def value_all(self, jobs: int | None) -> None:
        """Work out the value of every pair the table holds, split across forked workers
        when there are many (``parallel``). A build that starts from a kept page index
        checks every page, which needs the value of every pair; on a large site those
        values are most of the check, a second or more at 10,000 releases."""
        pairs, known = self._table.pairs, self._numbered
        known.extend([None] * (len(pairs) - len(known)))
        todo = [number for number, value in enumerate(known) if value is None]
        workers = parallel.workers_for(len(todo), jobs=jobs, threshold=VALUES_THRESHOLD)
        if workers > 1:  # else each is worked out here when a key first needs it
            found = parallel.map_chunks(_values_of, self, todo, workers=workers, most=4096)
            for number, value in zip(todo, found, strict=True):
                known[number] = self._values[pairs[number]] = value

    def value(self, source: Source, fields: tuple[str, ...]) -> str:
        """The current value of ``fields`` of ``source``, as the hash of its text (a key
        hashes the values of one page's sources in their recorded order, so a value need
        not name them; each is as long as the others, so they need no separator)."""
        found = self._values.get((source, fields))
        if found is None:
            found = digest(self._raw(source, fields))
            self._values[(source, fields)] = found
        return found

    # ---- the model, as the readers and the values see it

    def doc(self, bundle_id: str, locale: str) -> Translation | None:
        bundle = self.site.bundles.get(bundle_id)
        return bundle.translations.get(locale) if bundle is not None else None

    def tag(self, locale: str, slug: str) -> Tag | None:
        if locale not in self._tags:
            self._tags[locale] = {t.slug: t for t in self.site.tags.get(locale, ())}
        return self._tags[locale].get(slug)

    def items(self, locale: str, slug: str) -> tuple[Translation, ...] | None:
        """The releases of a list: a locale's (``slug`` "") or a tag's; None: no such tag."""
        if not slug:
            return self.site.releases.get(locale, ())
        tag = self.tag(locale, slug)
        return tag.releases if tag is not None else None

    def members(self, kind: str, locale: str, name: str) -> tuple[Translation, ...] | None:
        """The releases of a list of ``kind``: "list" (``items``), "section" (a section's)
        or "year" (the archive's year ``name``); None: no such list."""
        if kind == "list":
            return self.items(locale, name)
        if kind == "section":
            return self.site.sections.get(locale, {}).get(name)
        return self.years(locale).get(name)

    def years(self, locale: str) -> dict[str, tuple[Translation, ...]]:
        """The archive's years of a locale (``site.archive.years``), newest first."""
        if locale not in self._years:
            found = archive.years(self.site.releases.get(locale, ()), self.site.settings.tz)
            self._years[locale] = {str(y.year): y.releases for y in found}
        return self._years[locale]

    def dated_within(self, locale: str, seconds: int) -> tuple[Translation, ...]:
        """A locale's releases dated in the ``seconds`` up to the build's clock (they are
        newest first: the walk ends at the first one older)."""
        now = self.site.now
        since = now - timedelta(seconds=seconds)
        releases = self.site.releases.get(locale, ())
        older = next((n for n, doc in enumerate(releases) if doc.date < since), len(releases))
        return tuple(doc for doc in releases[:older] if doc.date <= now)

    def photos(self, doc: Translation) -> Mapping[str, PhotoImage]:
        where = (doc.bundle, doc.locale)
        if where not in self._photos:
            self._photos[where] = self.images.for_page(doc) if self.images is not None else {}
        return self._photos[where]

    def crops(self, doc: Translation) -> tuple[Any, ...]:
        return tuple(getattr(self.images, "crops_for_page", lambda _doc: ())(doc))

    def kit(self, doc: Translation) -> Any:  # the release's press kit, or None
        return getattr(self.images, "kit_for_page", lambda _doc: None)(doc)

    def _raw(self, source: Source, fields: tuple[str, ...]) -> Any:
        kind, *where = source
        site = self.site
        if kind == "doc":
            doc = self.doc(where[0], where[1])
            return None if doc is None else tuple(self._field(doc, name) for name in fields)
        if kind == "bundle":
            bundle = site.bundles.get(where[0])
            return (
                None
                if bundle is None
                else tuple((t.locale, t.url) for t in bundle.translations.values())
            )
        if kind in ("list", "section", "year"):
            items = self.members(kind, where[0], where[1])
            return None if items is None else tuple(_slice(site, items, f) for f in fields)
        if kind == "all":
            return tuple((d.bundle, d.locale) for d in site.translations())
        if kind == "recent":
            return tuple(d.bundle for d in self.dated_within(where[0], int(where[1])))
        if kind == "tags":
            return tuple(t.slug for t in site.tags.get(where[0], ()))
        if kind == "tag":
            tag = self.tag(where[0], where[1])
            if tag is None:
                return None
            return tuple(
                tuple(d.bundle for d in tag.releases) if f == "releases" else getattr(tag, f)
                for f in fields
            )
        if kind == "sections":
            return tuple(site.sections.get(where[0], {}))
        if kind == "years":
            found = self.years(where[0])
            return tuple(
                tuple(found) if f == YEARS else tuple((y, len(d)) for y, d in found.items())
                for f in fields
            )
        if kind == "nav":
            return tuple(d.bundle for d in site.pages.get(where[0], ()))
        if kind == "templates":
            return self.templates.get(where[0], "")
        if kind == "clock":
            return site.now
        raise ValueError(f"unknown source {source!r}")

    def _field(self, doc: Translation, name: str) -> Any:
        if name in BESIDE:  # what the build knows of the translation beside its fields
            if name == PHOTOS:  # the press kit is made of them
                return repr((sorted(self.photos(doc).items()), self.kit(doc)))
            if name == CROPS:
                return repr(self.crops(doc))
            if name == STALE:
                return self.stale.get((doc.bundle, doc.locale))
            return why_hidden(doc, self.site.now)
        if name not in ("body_html", WHOLE):
            found = getattr(doc, name, None)
            if not callable(found):
                return found
        parse_key = body_key(doc, self.parse_keys)
        if name == "body_html":
            return parse_key
        whole = (getattr(doc, f.name) for f in dataclasses.fields(doc) if f.name != "body_html")
        return (parse_key, *whole)


def _values_of(inputs: Inputs, numbers: Sequence[int]) -> list[str]:
    pairs = inputs.table.pairs
    return [inputs.value(*pairs[number]) for number in numbers]


def _slice(site: Site, items: Sequence[Translation], field: str) -> Any:
    if field.startswith(SPAN):
        try:
            return paging.span(len(items), site.settings.page_size, int(field[len(SPAN) :]))
        except ValueError:
            return None  # a list that shrank has no page N
    if field == ENTRIES:
        alike = (
            (t.locale, t.url) for d in items for t in site.bundles[d.bundle].translations.values()
        )
        return (tuple((d.bundle, d.url, d.last_changed) for d in items), tuple(alike))
    start, _, stop = field.partition(":")
    return tuple(d.bundle for d in items[int(start) : int(stop) if stop else None])


def document_of(source: Source) -> tuple[str, str] | str | None:
    """The translation (bundle, locale) or the bundle (its id) a source is about, if any."""
    if source[0] == "doc":
        return (source[1], source[2])
    if source[0] == "bundle":
        return source[1]
    return None


def after_edit(
    inputs: Inputs,
    site: Site,
    parse_keys: Mapping[tuple[str, str], str],
    docs: Iterable[tuple[str, str]],
) -> Inputs:
    """``inputs`` for ``site``, where only ``docs`` were swapped for new versions placed
    alike (``site.substitute``): the values of every source about another document, and
    of every list, tag and template, are kept; the clock's is not. (The memoised values
    are looked through once per edit, rather than kept by document in every build.)"""
    edited: set[tuple[str, str]] = set(docs)
    dropped: set[tuple[str, str] | str] = {*edited, *(b for b, _ in edited)}
    new = Inputs(site, inputs.images, base=inputs.base, templates=inputs.templates)
    new.parse_keys, new.stale = parse_keys, inputs.stale
    new._values = {
        pair: value
        for pair, value in inputs._values.items()
        if pair[0][0] != "clock" and document_of(pair[0]) not in dropped
    }
    new._photos = {k: v for k, v in inputs._photos.items() if k not in edited}
    new.table = inputs.table  # the packed reads of the pages kept refer to it
    return new
