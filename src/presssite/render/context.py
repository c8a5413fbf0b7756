"""Typed, ready-made values for the theme's templates, built by pure functions.

``render`` asks these helpers for everything a page shows that is not the document
itself: its locale switcher, its ``hreflang`` links, the pages of a paginated list, the
teasers of a list and the gallery of a release. Keeping them here, free of Jinja and
of I/O, keeps the policy (which URL is the alternate of which page, which photo loads
eagerly) testable on its own and keeps the templates free of logic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from presssite import urls
from presssite.model import Alternate, Bundle, ListPage, Photo, PhotoImage, Translation
from presssite.render import i18n
from presssite.settings import Settings
from presssite.site import paging

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HreflangLink:
    """One ``<link rel="alternate" hreflang=... href=...>`` of a page's head."""

    hreflang: str  # a locale code or "x-default"
    href: str  # absolute URL


@dataclass(frozen=True)
class Teaser:
    """A release as a list page shows it: linked title, localized date, summary, photo."""

    url: str
    title: str
    summary: str
    date_iso: str  # valid for <time datetime>
    date_text: str  # localized long date
    image: PhotoImage | None  # the lead photo, when the release has one and it is planned
    section: str = ""  # the release's section, titled in the list's locale ("Statements")
    section_url: str = ""  # that section's list page


@dataclass(frozen=True)
class GalleryEntry:
    """One captioned, credited photo of a release's gallery."""

    photo: Photo
    image: PhotoImage | None  # None only when the image stage did not plan the photo
    eager: bool  # true for the first photo of the page: not lazy-loaded


@dataclass(frozen=True)
class PreviewNotice:
    """Why a page shown by the preview server is not public."""

    kind: str  # "draft" or "embargo"
    until: str  # the localized embargo instant; "" for a draft


@dataclass(frozen=True)
class StaleNotice:
    """An outdated translation's notice: which translation changed after it."""

    locale: str  # the newer translation's locale
    language: str  # its language's name in the page's language ("Indonesian", "Inggris")
    url: str  # the newer translation
    original: bool  # the newer one is the default-locale original


def iso(dt: datetime, tz: tzinfo) -> str:
    """An instant in the site's zone for ``<time datetime>``: whole seconds, with offset.

    HTML allows at most three fraction digits, so microseconds are dropped.
    """
    return dt.astimezone(tz).replace(microsecond=0).isoformat()


def list_page(
    locale: str, span: paging.Span, items: Sequence[Translation], url_for: Callable[[int], str]
) -> ListPage:
    """The page of a newest-first list at ``span``, holding ``items``.

    ``prev_url`` points to newer releases, ``next_url`` to older.
    """
    return ListPage(
        locale=locale,
        number=span.number,
        front=span.front,
        url=url_for(span.number),
        items=tuple(items),
        prev_url=url_for(span.newer) if span.newer is not None else None,
        next_url=url_for(span.older) if span.older is not None else None,
    )


def document_alternates(
    settings: Settings, bundle: Bundle, current: str, homes: Mapping[str, str]
) -> tuple[Alternate, ...]:
    """The switcher of a document: each locale's translation, or that locale's home."""
    out = []
    for loc in settings.locales:
        doc = bundle.translations.get(loc)
        out.append(
            Alternate(
                locale=loc,
                url=doc.url if doc is not None else homes[loc],
                exists=doc is not None,
                current=loc == current,
            )
        )
    return tuple(out)


def list_alternates(
    settings: Settings, current: str, current_url: str, others: Mapping[str, str]
) -> tuple[Alternate, ...]:
    """The switcher of a list page: this page for its own locale, ``others`` for the rest.

    List pages are not translations of each other, so nothing is marked missing.
    """
    return tuple(
        Alternate(
            locale=loc,
            url=current_url if loc == current else others[loc],
            exists=True,
            current=loc == current,
        )
        for loc in settings.locales
    )


def hreflang_links(
    settings: Settings, alternates: Sequence[Alternate], x_default: str
) -> tuple[HreflangLink, ...]:
    """``hreflang`` links for the alternates that exist, then ``x-default``.

    Every page of a set lists the same links (itself included), which is what makes the
    annotation reciprocal for search engines.
    """
    links = [
        HreflangLink(alt.locale, urls.absolute(settings, alt.url))
        for alt in alternates
        if alt.exists
    ]
    links.append(HreflangLink("x-default", urls.absolute(settings, x_default)))
    return tuple(links)


def x_default(settings: Settings, bundle: Bundle) -> str:
    """A document's ``x-default``: its default-locale translation, else the site root."""
    doc = bundle.translations.get(settings.default_locale)
    return doc.url if doc is not None else urls.root(settings)


def gallery(
    doc: Translation, images: Mapping[str, PhotoImage], *, first_is_eager: bool
) -> tuple[GalleryEntry, ...]:
    """The gallery entries of a document; the first is eager when no photo came before."""
    return tuple(
        GalleryEntry(photo=p, image=images.get(p.src), eager=first_is_eager and i == 0)
        for i, p in enumerate(doc.gallery)
    )


def preview_notice(hidden: Sequence[str], until: str) -> PreviewNotice | None:
    """Why a page shown by the preview is not public (``site.why_hidden``: draft first),
    or None when it is."""
    if "draft" in hidden:
        return PreviewNotice("draft", "")
    if "embargo" in hidden:
        return PreviewNotice("embargo", until)
    return None


def stale_notice(
    doc: Translation, bundle: Bundle, newer: str | None, default_locale: str
) -> StaleNotice | None:
    """The notice of an outdated translation, naming the newer language in the page's own.

    ``newer`` is the locale of the translation that changed after ``doc`` (None: current).
    """
    other = bundle.translations.get(newer) if newer else None
    if other is None:
        return None
    names = i18n.babel_locale(doc.locale).languages
    language = names.get(other.locale) or names.get(other.locale.split("-")[0])
    return StaleNotice(
        locale=other.locale,
        language=language or i18n.locale_name(other.locale),
        url=other.url,
        original=other.locale == default_locale,
    )
