"""What one page or feed reads, recorded as it reads it (``dependencies``: its key).

A ``Reads`` records the *source* of every value of the site a page takes (a translation
and which of its fields, a bundle's translations, a slice of a list, a tag, the nav
pages, a document's planned photos, the templates of its kind...), and hands templates
*views* of translations and tags that record each field a template reads.

A view of a translation is not a ``Translation``: it forwards attribute reads. A
method read through it (``photo(src)``) counts as a read of the whole translation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from presssite.model import Bundle, PhotoImage, Translation
from presssite.render.recorded import Deps, Source
from presssite.render.views import DocView, TagView, unwrap
from presssite.site import paging
from presssite.site.assemble import why_hidden

if TYPE_CHECKING:
    from presssite.render.dependencies import Inputs

# Fields of a ("doc", bundle, locale) source that are not the translation's own: its
# planned photos, the crops of its pictures, a newer translation, why it is not public.
# One source per translation keeps the recorded reads of a large site small.
PHOTOS, CROPS, STALE, NOTICE = "#photos", "#crops", "#stale", "#notice"
BESIDE = frozenset({PHOTOS, CROPS, STALE, NOTICE})

# A field of a list: of each member, its bundle, URL, last change and its bundle's
# translations' (locale, URL): all a sitemap reads of a release (``Reads.list_entries``).
ENTRIES = "#entries"

# A field of a list: where its page N is (``Reads.list_span``), as ``f"{SPAN}{N}"``.
SPAN = "#page:"

# A field of a locale's archive years: the years alone, not how many releases each has
# (``Reads.year_numbers``; with no field, ``Reads.years`` records both).
YEARS = "#years"


class Reads:
    """What one page or feed read, as it reads it: every value goes through here."""

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs
        self.got: dict[Source, set[str]] = {}

    def note(self, source: Source, field: str = "") -> None:
        self.got.setdefault(source, set()).add(field)

    def deps(self) -> Deps:
        """What was read, as kept with the page: sorted, of shared pairs."""
        interned, got = self.inputs.table.interned, self.got.items()
        return tuple(sorted(interned(source, fields) for source, fields in got if fields))

    # ---- documents

    def doc(self, doc: Translation) -> Translation:
        """A view of ``doc`` that records each field read (it stands in for the translation)."""
        view = DocView(doc, self.got.setdefault(("doc", doc.bundle, doc.locale), set()))
        return cast(Translation, view)

    def docs(self, docs: Iterable[Translation]) -> tuple[Translation, ...]:
        return tuple(self.doc(d) for d in docs)

    def translation(self, bundle_id: str, locale: str) -> Translation:
        """A published translation by its identity (a page's own document)."""
        found = self.inputs.doc(bundle_id, locale)
        assert found is not None
        return found

    def bundle(self, bundle_id: str) -> Bundle | None:
        """A bundle, for the locales and URLs of its translations (switchers, links)."""
        self.note(("bundle", bundle_id))
        return self.inputs.site.bundles.get(bundle_id)

    def photos(self, doc: Translation) -> Mapping[str, PhotoImage]:
        self.note(("doc", doc.bundle, doc.locale), PHOTOS)
        return self.inputs.photos(unwrap(doc))

    def crops(self, doc: Translation) -> tuple[Any, ...]:
        self.note(("doc", doc.bundle, doc.locale), CROPS)
        return self.inputs.crops(unwrap(doc))

    def stale(self, doc: Translation) -> str | None:
        self.note(("doc", doc.bundle, doc.locale), STALE)
        return self.inputs.stale.get((doc.bundle, doc.locale))

    def hidden(self, doc: Translation) -> tuple[str, ...]:
        """Why ``doc`` is not public at the build's clock (a preview's notice)."""
        self.note(("doc", doc.bundle, doc.locale), NOTICE)
        return why_hidden(unwrap(doc), self.inputs.site.now)

    def every_translation(self) -> tuple[Translation, ...]:
        """Every published translation of the site."""
        self.note(("all",))
        return self.docs(self.inputs.site.translations())

    # ---- lists and tags

    def list_items(
        self, locale: str, slug: str, start: int, stop: int | None, kind: str = "list"
    ) -> tuple[Translation, ...]:
        """Items ``start:stop`` (None: to the end) of a locale's releases (``slug`` ""),
        of a tag's, or of another ``kind`` of list (``Inputs.members``)."""
        self.note((kind, locale, slug), f"{start}:{'' if stop is None else stop}")
        return self.docs((self.inputs.members(kind, locale, slug) or ())[start:stop])

    def list_bundles(self, locale: str, slug: str, kind: str = "list") -> tuple[str, ...]:
        """The bundle ids of a whole list, in order (its recorded value, ``_slice``): a
        sitemap dates list pages by them, not by a view of every member of every list."""
        self.note((kind, locale, slug), "0:")
        return tuple(d.bundle for d in self.inputs.members(kind, locale, slug) or ())

    def list_entries(self, locale: str, slug: str, kind: str = "list") -> tuple[Translation, ...]:
        """A list's translations themselves, not views, for a reader of only what
        ``ENTRIES`` holds (a sitemap: a view and a source per release took most of its time)."""
        self.note((kind, locale, slug), ENTRIES)
        return self.inputs.members(kind, locale, slug) or ()

    def list_span(self, locale: str, slug: str, number: int, kind: str = "list") -> paging.Span:
        """Where page ``number`` of the list is (``site.paging``): what is recorded is that
        span, so a new release leaves a page counted from the oldest alone."""
        self.note((kind, locale, slug), f"{SPAN}{number}")
        items = self.inputs.members(kind, locale, slug) or ()
        return paging.span(len(items), self.inputs.site.settings.page_size, number)

    def sections(self, locale: str) -> tuple[str, ...]:
        """The names of a locale's sections, in order (every page's navigation)."""
        self.note(("sections", locale))
        return tuple(self.inputs.site.sections.get(locale, {}))

    def years(self, locale: str) -> tuple[tuple[int, int], ...]:
        """The archive's (year, number of releases) of a locale, newest first."""
        self.note(("years", locale))
        return tuple((int(y), len(d)) for y, d in self.inputs.years(locale).items())

    def year_numbers(self, locale: str) -> tuple[int, ...]:
        """The archive's years of a locale, newest first, without their number of releases
        (a year's page links to the next: a release of another year leaves it alone)."""
        self.note(("years", locale), YEARS)
        return tuple(int(y) for y in self.inputs.years(locale))

    def dated_within(self, locale: str, window: timedelta) -> tuple[Translation, ...]:
        """A locale's releases dated in the ``window`` up to the build's clock."""
        seconds = int(window.total_seconds())
        self.note(("recent", locale, str(seconds)))
        return self.docs(self.inputs.dated_within(locale, seconds))

    def tags(self, locale: str) -> tuple[TagView, ...]:
        self.note(("tags", locale))
        return tuple(TagView(t, self) for t in self.inputs.site.tags.get(locale, ()))

    def tag(self, locale: str, slug: str) -> TagView:
        found = self.find_tag(locale, slug)
        assert found is not None
        return found

    def find_tag(self, locale: str, slug: str) -> TagView | None:
        """A tag of the locale by slug, if there is one (whether there is, is recorded)."""
        self.note(("tag", locale, slug), "slug")
        found = self.inputs.tag(locale, slug)
        return TagView(found, self) if found is not None else None

    def nav(self, locale: str) -> tuple[Translation, ...]:
        self.note(("nav", locale))
        return self.docs(self.inputs.site.pages.get(locale, ()))

    # ---- the rest

    def templates(self, kind: str) -> None:
        self.note(("templates", kind))

    def clock(self) -> datetime:
        self.note(("clock",))
        return self.inputs.site.now
