"""Atom feeds, and the plan of every machine-readable file (feeds, sitemaps, robots.txt).

Everything here is derived from the assembled ``Site`` alone, which already holds only
what is public at the build's instant: an embargoed or expired release is absent from the
model, so it cannot appear in a feed, a sitemap or a tag feed by accident.

Output is deterministic: the same site gives the same bytes, because every timestamp
comes from the content (a release's date or ``updated:``), never from the wall clock.
That keeps rebuilds byte-identical and lets feed readers trust ``updated``.

``plan`` lists every file as a ``FeedJob``, made through a ``Reads`` that records what
it read (``dependencies``), so a build makes a file again only when that changed;
feedgen is imported only when an Atom feed is actually made.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urljoin

from presssite import urls
from presssite.content import placeholders
from presssite.feeds import sections
from presssite.feeds.sitemaps import (
    MAX_SITEMAP_URLS,
    hreflang,
    news_sitemap,
    robots,
    sitemaps,
)
from presssite.model import OutputFile, PhotoImage, Site, Translation, own_body
from presssite.render.dependencies import Inputs
from presssite.render.reads import Reads
from presssite.render.views import unwrap


class ImageLookup(Protocol):
    """What the feeds need from the image plan: a page's photos by their ``src``."""

    def for_page(self, doc: Translation) -> Mapping[str, PhotoImage]: ...


def render(
    site: Site, images: ImageLookup | None = None, *, max_urls: int = MAX_SITEMAP_URLS
) -> list[OutputFile]:
    """Every feed, sitemap and robots.txt of the site, as files to publish."""
    inputs = Inputs(site, images)
    return [f for job in plan(site, images, max_urls=max_urls) for f in job.make(inputs.reads())]


@dataclass(frozen=True)
class FeedJob:
    """Files to make (a feed, a sitemap and its parts...), reading through a ``Reads``."""

    name: str  # the (first) output path
    make: Callable[[Reads], list[OutputFile]]


def plan(
    site: Site,
    images: ImageLookup | None = None,
    *,
    max_urls: int = MAX_SITEMAP_URLS,
    full: Callable[[Translation], Translation] | None = None,
) -> list[FeedJob]:
    """Every feed, sitemap and robots.txt as a job.

    ``full`` gives a translation with its body when the site's translations carry none
    (``content.store.Bodies.full``).
    """
    settings = site.settings
    with_body = full or (lambda d: d)
    jobs: list[FeedJob] = []
    for loc in settings.locales:
        lists = [("list", "", urls.home(settings, loc))]
        lists += [("list", t.slug, t.url) for t in site.tags.get(loc, ())]
        lists += sections.feed_lists(site, loc)
        for kind, slug, page in lists:

            def make_atom(
                reads: Reads, loc: str = loc, kind: str = kind, slug: str = slug, page: str = page
            ) -> list[OutputFile]:
                title = settings.localized(settings.title, loc)
                if kind == "section":
                    title = f"{title}: {sections.label(site, slug, loc)}"
                elif slug:
                    title = f"{title}: {reads.tag(loc, slug).name}"
                entries = reads.list_items(loc, slug, 0, settings.feed_size, kind)
                full_entries = [reads.doc(with_body(unwrap(d))) for d in entries]
                data = atom(
                    site, loc, full_entries, title=title, page=page, images=images, reads=reads
                )
                return [OutputFile(path=urls.output_path(settings, feed_url(page)), data=data)]

            jobs.append(FeedJob(urls.output_path(settings, feed_url(page)), make_atom))

        def make_news(reads: Reads, loc: str = loc) -> list[OutputFile]:
            return [OutputFile(path=f"{loc}/news-sitemap.xml", data=news_sitemap(site, loc, reads))]

        jobs.append(FeedJob(f"{loc}/news-sitemap.xml", make_news))
    jobs.append(
        FeedJob("sitemap.xml", lambda reads: sitemaps(site, max_urls=max_urls, reads=reads))
    )
    jobs.append(
        FeedJob("robots.txt", lambda reads: [OutputFile(path="robots.txt", data=robots(settings))])
    )
    return jobs


# --------------------------------------------------------------------------- Atom feeds


@functools.cache
def _extensions() -> tuple[type, type]:
    """feedgen's extension classes, made on first use so feedgen loads only when needed."""
    from feedgen.ext.base import BaseEntryExtension, BaseExtension
    from feedgen.util import xml_elem

    class _NoFeedExtension(BaseExtension):  # type: ignore[misc]
        """feedgen needs a feed-level class for every extension; this one adds nothing."""

    class _EntryLinks(BaseEntryExtension):  # type: ignore[misc]
        """Entry ``<link>``s with all their attributes.

        feedgen 1.0.0 drops every attribute but ``href`` from entry links (its loop
        variable is shadowed: lkiesow/python-feedgen#135), which would turn an enclosure
        into a second alternate link. Extensions are feedgen's supported hook, so the
        links go through one.
        """

        def __init__(self) -> None:
            self.links: list[dict[str, str]] = []

        def add(self, **attrs: str) -> None:
            self.links.append({k: v for k, v in attrs.items() if v})

        def extend_atom(self, entry: Any) -> Any:
            for attrs in self.links:
                xml_elem("link", entry, **attrs)
            return entry

    return _NoFeedExtension, _EntryLinks


def feed_url(page: str) -> str:
    """The feed of a list page: ``/<locale>/feed.xml``, ``/<locale>/tags/<slug>/feed.xml``."""
    return page + "feed.xml"


def atom(
    site: Site,
    locale: str,
    releases: Sequence[Translation],
    *,
    title: str,
    page: str,
    images: ImageLookup | None = None,
    reads: Reads | None = None,
) -> bytes:
    """An Atom feed of the newest ``feed_size`` of ``releases`` (newest first).

    ``page`` is the list page the feed mirrors (a home or tag page): its absolute URL is
    the feed's id and alternate link, so the id stays stable across rebuilds.
    """
    from feedgen.feed import FeedGenerator

    reads = reads if reads is not None else Inputs(site, images).reads()
    settings = site.settings
    entries = newest(site, releases)
    publisher = settings.localized(settings.publisher.name, locale) or title

    fg = FeedGenerator()
    fg.register_extension("presssite", *_extensions(), atom=True, rss=False)
    fg.id(urls.absolute(settings, page))
    fg.title(title)
    fg.language(hreflang(locale))
    fg.link(href=urls.absolute(settings, feed_url(page)), rel="self")
    fg.link(href=urls.absolute(settings, page), rel="alternate", type="text/html")
    fg.author({"name": publisher, "uri": urls.absolute(settings, urls.home(settings, locale))})
    fg.generator("presssite")
    if settings.publisher.logo:
        logo = urls.url_for_output(settings, settings.publisher.logo.lstrip("/"))
        fg.logo(urls.absolute(settings, logo))
    fg.updated(max((d.last_changed for d in entries), default=None) or _site_updated(site, reads))

    # feedgen prepends by default; append keeps the newest-first order of ``entries``.
    for doc in entries:
        photos = reads.photos(doc)
        fe = fg.add_entry(order="append")
        fe.id(urls.absolute(settings, doc.url))
        fe.title(doc.title)
        fe.published(doc.date)
        fe.updated(doc.last_changed)
        if doc.summary:
            fe.summary(doc.summary)
        fe.content(absolute_html(site, doc, photos, reads), type="html")
        for name in dict.fromkeys(doc.tags):
            fe.category(term=name)
        fe.presssite.add(href=urls.absolute(settings, doc.url), rel="alternate", type="text/html")
        lead = doc.lead_photo
        image = photos.get(lead.src) if lead is not None else None
        if image is not None:
            variant = image.social or image.fallback
            fe.presssite.add(
                href=urls.absolute(settings, variant.url),
                rel="enclosure",
                type=variant.mime,
                title=image.photo.alt,
            )
    data: bytes = fg.atom_str(pretty=True)
    return data


def newest(site: Site, releases: Sequence[Translation]) -> list[Translation]:
    """The ``feed_size`` newest of ``releases``: a feed's entries, newest first."""
    entries = sorted(releases, key=lambda d: (d.date, d.bundle), reverse=True)
    return entries[: site.settings.feed_size]


def _site_updated(site: Site, reads: Reads) -> datetime:
    """An empty feed still needs ``updated``: the newest document anywhere, else the clock."""
    newest = max((d.last_changed for d in reads.every_translation()), default=None)
    return newest or reads.clock()


# --------------------------------------------------------------------------- body HTML

_URL_ATTR = re.compile(r"(?<=\s)(href|src)=\"([^\"]*)\"", re.I)


class FeedLinks:
    """What a body's placeholders become in a feed entry (``placeholders.Resolver``):
    absolute URLs; a figure becomes an ``<img>`` of the photo's fallback variant, and an
    inline photo with no planned image is dropped."""

    def __init__(self, site: Site, doc: Translation, photos: Mapping[str, PhotoImage]) -> None:
        self.settings = site.settings
        self.page = urls.absolute(site.settings, doc.url)
        self.photos = photos

    def figure(self, src: str, alt: str, number: int) -> str:
        image = self.photos.get(src)
        if image is None:
            return ""
        url = urls.absolute(self.settings, image.fallback.url)
        return (
            f'<img src="{_esc(url)}" alt="{_esc(alt)}"'
            f' width="{image.fallback.width}" height="{image.fallback.height}">'
        )

    def photo(self, src: str) -> str | None:
        image = self.photos.get(src)
        return urls.absolute(self.settings, image.fallback.url) if image is not None else None

    def file(self, target: str) -> str:
        return urljoin(self.page, target)

    def doc(self, found: Translation, fragment: str) -> str:
        return urls.absolute(self.settings, found.url) + fragment

    def missing(self) -> str:
        return self.page


def absolute_html(
    site: Site, doc: Translation, photos: Mapping[str, PhotoImage], reads: Reads | None = None
) -> str:
    """``doc.body_html`` with its placeholders resolved (``placeholders``) to absolute
    URLs, and every other relative ``href`` and ``src`` made absolute: a feed entry is
    read away from the site."""
    reads = reads if reads is not None else Inputs(site).reads()
    links = FeedLinks(site, doc, photos)
    default = site.settings.default_locale

    def documents(bundle_id: str, locale: str) -> Translation | None:
        return placeholders.document(reads.bundle, default, bundle_id, locale)

    text, _ = placeholders.resolve(own_body(doc), links, documents)

    def attr(match: re.Match[str]) -> str:
        name, value = match.group(1), html.unescape(match.group(2))
        return f'{name}="{_esc(urljoin(links.page, value))}"'

    return _sub_url_attrs(attr, text)


def _sub_url_attrs(replace: Callable[[re.Match[str]], str], text: str) -> str:
    """``_URL_ATTR.sub(replace, text)``, the same string, about ten times as fast.

    The pattern's lookbehind and case-insensitive names make the regex engine try every
    position of a body; every match has ``="`` right after its name, so ``str.find``
    skips to those and the pattern is tried only just before them, left to right.
    """
    out: list[str] = []
    last, match, i = 0, _URL_ATTR.match, text.find('="')
    while i != -1:
        found = None
        for start in (i - 4, i - 3):  # after "href", after "src"
            if start > 0 and start >= last:  # the lookbehind needs a character before
                found = match(text, start)
                if found is not None:
                    break
        if found is None:
            i = text.find('="', i + 1)
            continue
        out += (text[last : found.start()], replace(found))
        last = found.end()
        i = text.find('="', last)
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)
