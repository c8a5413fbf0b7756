"""Sitemaps, Google News sitemaps and robots.txt: every published page, for crawlers.

Everything is derived from the assembled ``Site`` alone, which already holds only what
is public at the build's instant, and read through a ``Reads`` (``dependencies``) so
that a build makes a sitemap again only when something it lists changed. Output is
deterministic: every date comes from the content, never from the wall clock (but the
news sitemap's window, which ends at the build's clock).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from presssite import urls
from presssite.feeds import sections
from presssite.model import Bundle, OutputFile, Site, Translation
from presssite.render.dependencies import Inputs
from presssite.render.reads import Reads
from presssite.settings import Settings
from presssite.site import paging

MAX_SITEMAP_URLS = 50_000  # the sitemaps.org limit of <url> entries per file
NEWS_WINDOW = timedelta(days=2)  # Google News sitemaps list articles of the last two days
NEWS_MAX_URLS = 1_000  # and at most this many

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def hreflang(locale: str) -> str:
    """BCP 47 as hreflang wants it: "pt_BR" -> "pt-BR"."""
    return locale.replace("_", "-")


def _reads(site: Site, reads: Reads | None) -> Reads:
    return reads if reads is not None else Inputs(site).reads()


@dataclass(frozen=True)
class SitemapUrl:
    """One ``<url>`` of the sitemap: a published HTML page."""

    url: str  # site path with the base path
    lastmod: datetime | None  # None for an empty list page
    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, site path), x-default last


def sitemap_urls(site: Site, reads: Reads | None = None) -> list[SitemapUrl]:
    """Every published HTML page, per locale: home pages, releases, pages, tags, tag pages.

    Translations are annotated with each other (every existing translation plus
    ``x-default``) so each page of a bundle lists the same set: the annotation is
    reciprocal by construction. The root URL (the language chooser) is ``x-default``
    where the default locale has no translation.
    """
    reads = _reads(site, reads)
    settings = site.settings
    size = settings.page_size
    root = urls.root(settings)
    # the releases themselves, of which only what ``Reads.list_entries`` records is read
    releases = {loc: reads.list_entries(loc, "") for loc in settings.locales}
    pages = {loc: reads.nav(loc) for loc in settings.locales}
    documents = {doc.url for loc in settings.locales for doc in (*releases[loc], *pages[loc])}
    # every release's last change, read once: lists are dated by their members' ids
    changed = {
        (doc.bundle, doc.locale): doc.last_changed for docs in releases.values() for doc in docs
    }
    homes = tuple((hreflang(loc), urls.home(settings, loc)) for loc in settings.locales) + (
        ("x-default", root),
    )

    def alternates(bundle: Bundle | None) -> tuple[tuple[str, str], ...]:
        assert bundle is not None
        translations = [t for t in bundle.translations.values() if t.url in documents]
        if len(translations) < 2:
            return ()
        default = bundle.translations.get(settings.default_locale)
        x_default = default.url if default is not None and default.url in documents else root
        pairs = [(hreflang(t.locale), t.url) for t in translations]
        return (*pairs, ("x-default", x_default))

    of_release: dict[str, tuple[tuple[str, str], ...]] = {}  # the same in each translation's

    def release_alternates(doc: Translation) -> tuple[tuple[str, str], ...]:
        found = of_release.get(doc.bundle)
        if found is None:  # its translations' URLs: in ``reads.ENTRIES``
            found = of_release[doc.bundle] = alternates(site.bundles[doc.bundle])
        return found

    out: list[SitemapUrl] = []
    for loc in settings.locales:

        def newest(bundles: Iterable[str], loc: str = loc) -> datetime | None:
            return max((changed[(b, loc)] for b in bundles), default=None)

        items = releases[loc]
        ids = [doc.bundle for doc in items]
        for span in paging.spans(len(ids), size):
            out.append(
                SitemapUrl(
                    urls.home(settings, loc, span.number),
                    newest(ids[span.start : span.stop]),
                    homes if span.front and len(settings.locales) > 1 else (),
                )
            )
        for doc in items:
            out.append(SitemapUrl(doc.url, changed[(doc.bundle, loc)], release_alternates(doc)))
        for doc in pages[loc]:
            out.append(SitemapUrl(doc.url, doc.last_changed, alternates(reads.bundle(doc.bundle))))
        tag_pages = []
        for tag in reads.tags(loc):
            members = reads.list_bundles(loc, tag.slug)
            for span in paging.spans(len(members), size):
                chunk = members[span.start : span.stop]
                url = urls.tag(settings, loc, tag.slug, span.number)
                tag_pages.append(SitemapUrl(url, newest(chunk)))
        # the topics page changed when the newest of its topics' pages did
        lastmod = max((p.lastmod for p in tag_pages if p.lastmod is not None), default=None)
        out.append(SitemapUrl(urls.tags_index(settings, loc), lastmod))
        out.extend(tag_pages)
        found = sections.sitemap_urls(site, loc, reads, newest)
        out.extend(SitemapUrl(url, lastmod) for url, lastmod in found)
    return out


def page_urls(site: Site) -> list[tuple[str, datetime | None]]:
    """(site path, lastmod) of every published HTML page, in sitemap order."""
    return [(u.url, u.lastmod) for u in sitemap_urls(site)]


def _w3c(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    # bytes for every encoding but "unicode" (typeshed cannot tell them apart: Any)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _urlset(settings: Settings, entries: Sequence[SitemapUrl]) -> bytes:
    """A sitemap's bytes, written as text: what ElementTree (``_xml``) would write.

    Building and serialising an element per page and per translation took most of the
    sitemap's time; this is the same declaration, indent, ``" />"``, escaping and UTF-8.
    Each URL is made absolute once, and the alternates of a bundle written
    once: a release's URL is in its own entry and in every translation's.
    """
    # Prefixed names are written literally, with the xmlns attributes on the root.
    root = f'urlset xmlns="{_xml_attr(SITEMAP_NS)}" xmlns:xhtml="{_xml_attr(XHTML_NS)}"'
    out = ["<?xml version='1.0' encoding='utf-8'?>", f"<{root}>" if entries else f"<{root} />"]
    absolute: dict[str, str] = {}
    blocks: dict[tuple[tuple[str, str], ...], str] = {}

    def url(path: str) -> str:
        found = absolute.get(path)
        if found is None:
            found = absolute[path] = urls.absolute(settings, path)
        return found

    def alternates(pairs: tuple[tuple[str, str], ...]) -> str:
        return "\n".join(
            f'    <xhtml:link rel="alternate" hreflang="{_xml_attr(lang)}"'
            f' href="{_xml_attr(url(href))}" />'
            for lang, href in pairs
        )

    for entry in entries:
        out += ("  <url>", f"    <loc>{_xml_text(url(entry.url))}</loc>")
        if entry.lastmod is not None:
            out.append(f"    <lastmod>{_xml_text(_w3c(entry.lastmod))}</lastmod>")
        if entry.alternates:
            block = blocks.get(entry.alternates)
            if block is None:
                block = blocks[entry.alternates] = alternates(entry.alternates)
            out.append(block)
        out.append("  </url>")
    out += ("</urlset>", "") if entries else ("",)
    return "\n".join(out).encode("utf-8", "xmlcharrefreplace")


def _xml_text(text: str) -> str:
    """Element text escaped as ElementTree escapes it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_attr(text: str) -> str:
    """An attribute value escaped as ElementTree escapes it (newlines and tabs included)."""
    text = _xml_text(text).replace('"', "&quot;")
    return text.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def sitemaps(
    site: Site, *, max_urls: int = MAX_SITEMAP_URLS, reads: Reads | None = None
) -> list[OutputFile]:
    """``/sitemap.xml``; over ``max_urls`` pages, an index of ``/sitemap-N.xml`` parts."""
    settings = site.settings
    entries = sitemap_urls(site, reads)
    if len(entries) <= max_urls:
        return [OutputFile(path="sitemap.xml", data=_urlset(settings, entries))]
    files: list[OutputFile] = []
    index = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
    for number, start in enumerate(range(0, len(entries), max_urls), start=1):
        part = entries[start : start + max_urls]
        name = f"sitemap-{number}.xml"
        files.append(OutputFile(path=name, data=_urlset(settings, part)))
        item = ET.SubElement(index, "sitemap")
        ET.SubElement(item, "loc").text = urls.absolute(
            settings, urls.url_for_output(settings, name)
        )
        newest = max((e.lastmod for e in part if e.lastmod is not None), default=None)
        if newest is not None:
            ET.SubElement(item, "lastmod").text = _w3c(newest)
    return [OutputFile(path="sitemap.xml", data=_xml(index)), *files]


def news_sitemap(site: Site, locale: str, reads: Reads | None = None) -> bytes:
    """Google News sitemap of ``locale``: releases dated in the two days up to ``site.now``."""
    settings = site.settings
    name = _publication(settings, locale)
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:news": NEWS_NS})
    for doc in _recent(site, locale, _reads(site, reads)):
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = urls.absolute(settings, doc.url)
        news = ET.SubElement(url, "news:news")
        publication = ET.SubElement(news, "news:publication")
        ET.SubElement(publication, "news:name").text = name
        ET.SubElement(publication, "news:language").text = hreflang(locale).lower()
        ET.SubElement(news, "news:publication_date").text = _w3c(doc.date)
        ET.SubElement(news, "news:title").text = doc.title
    return _xml(root)


def _recent(site: Site, locale: str, reads: Reads) -> list[Translation]:
    """The releases a news sitemap lists: dated in the two days up to ``site.now``."""
    recent: list[Any] = list(reads.dated_within(locale, NEWS_WINDOW))
    recent.sort(key=lambda d: (d.date, d.bundle), reverse=True)
    return recent[:NEWS_MAX_URLS]


def _publication(settings: Settings, locale: str) -> str:
    return settings.localized(settings.publisher.name, locale) or settings.localized(
        settings.title, locale
    )


def robots(settings: Settings) -> bytes:
    """robots.txt: everything may be crawled; the sitemap is named absolutely."""
    sitemap = urls.absolute(settings, urls.url_for_output(settings, "sitemap.xml"))
    return f"User-agent: *\nAllow: /\nSitemap: {sitemap}\n".encode()


def robots_note(settings: Settings) -> tuple[str, ...]:
    """A note for a site under a sub-path: its robots.txt is never read.

    Crawlers read robots.txt only at a host's root; a project site of GitHub Pages
    (https://user.github.io/portal/) cannot put one there, so its sitemap must be
    submitted to search engines instead. A custom domain (``cname``) serves the site
    at its root, where its robots.txt is read.
    """
    if settings.base_path == "/" or settings.cname is not None:
        return ()
    sitemap = urls.absolute(settings, urls.url_for_output(settings, "sitemap.xml"))
    return (
        f"robots.txt is not read by crawlers under {settings.base_path} (only at a host's "
        f"root): submit {sitemap} to search engines instead (see the README), "
        "or publish under a custom domain (cname)",
    )
