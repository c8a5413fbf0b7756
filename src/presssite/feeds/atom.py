"""Machine-readable outputs: Atom feeds, sitemaps, Google News sitemaps and robots.txt.

Everything here is derived from the assembled ``Site`` alone, which already holds only
what is public at the build's instant: an embargoed or expired release is absent from the
model, so it cannot appear in a feed, a sitemap or a tag feed by accident.

Output is deterministic: the same site gives the same bytes, because every timestamp
comes from the content (a release's date or ``updated:``), never from the wall clock.
That keeps rebuilds byte-identical and lets feed readers trust ``updated``.

``plan`` lists every file as a ``FeedJob`` with a key hashing its inputs, so a build
makes only the files whose inputs changed; feedgen is imported only when an Atom feed is
actually made.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urljoin

from presssite import urls
from presssite.cache.store import digest
from presssite.model import OutputFile, PhotoImage, Site, Translation
from presssite.settings import Settings

MAX_SITEMAP_URLS = 50_000  # the sitemaps.org limit of <url> entries per file
NEWS_WINDOW = timedelta(days=2)  # Google News sitemaps list articles of the last two days
NEWS_MAX_URLS = 1_000  # and at most this many

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


class ImageLookup(Protocol):
    """What the feeds need from the image plan: a page's photos by their ``src``."""

    def for_page(self, doc: Translation) -> Mapping[str, PhotoImage]: ...


def render(
    site: Site, images: ImageLookup | None = None, *, max_urls: int = MAX_SITEMAP_URLS
) -> list[OutputFile]:
    """Every feed, sitemap and robots.txt of the site, as files to publish."""
    return [f for job in plan(site, images, max_urls=max_urls) for f in job.make()]


@dataclass(frozen=True)
class FeedJob:
    """Files to make (a feed, a sitemap and its parts...) and a hash of their inputs."""

    name: str  # the (first) output path
    key: str
    make: Callable[[], list[OutputFile]]


def plan(
    site: Site,
    images: ImageLookup | None = None,
    *,
    max_urls: int = MAX_SITEMAP_URLS,
    base: str = "",
    doc_key: Callable[[Translation], str] | None = None,
    full: Callable[[Translation], Translation] | None = None,
    links_of: Callable[[Translation], Iterable[str]] | None = None,
    showing: Collection[tuple[str, str]] | None = None,
) -> list[FeedJob]:
    """Every feed, sitemap and robots.txt as a job, keyed by its inputs.

    ``base`` hashes what all files share (settings, versions); ``doc_key`` gives a
    translation's key (default: its whole value); ``full`` gives a translation with its
    body when the site's translations carry none (``docstore.Bodies.full``), and then
    ``links_of`` the ``presssite:doc:`` targets of its body.

    ``showing`` (bundle id, locale) pairs: only the feeds whose entries include one of
    them, unkeyed (``key`` is ""): what an edit of those documents' text, title or
    summary changes (``edits``). Sitemaps and robots.txt hold only URLs and dates, so
    such an edit never changes them and they are left out.
    """
    settings = site.settings
    key_of = doc_key or (lambda d: digest(repr(d)))
    with_body = full or (lambda d: d)

    def entry(doc: Translation) -> tuple[Any, ...]:
        photos = images.for_page(doc) if images is not None else {}
        targets = links_of(doc) if links_of is not None else _DOC_TARGET.findall(doc.body_html)
        links = tuple(_doc_url(site, t) for t in dict.fromkeys(targets))
        return (key_of(doc), repr(sorted(photos.items())), links)

    jobs: list[FeedJob] = []
    for loc in settings.locales:
        title = settings.localized(settings.title, loc)
        lists = [(urls.home(settings, loc), title, site.releases.get(loc, ()))]
        lists += [(t.url, f"{title}: {t.name}", t.releases) for t in site.tags.get(loc, ())]
        for page, name, releases in lists:
            entries = newest(site, releases)
            if showing is not None and not _shows(entries, showing):
                continue
            empty = None if entries else _site_updated(site)
            path = urls.output_path(settings, feed_url(page))
            key = (
                ""
                if showing is not None
                else digest(base, "atom", path, loc, name, page, [entry(d) for d in entries], empty)
            )

            def make_atom(
                loc: str = loc,
                entries: list[Translation] = entries,
                name: str = name,
                page: str = page,
                path: str = path,
            ) -> list[OutputFile]:
                full_entries = [with_body(d) for d in entries]
                data = atom(site, loc, full_entries, title=name, page=page, images=images)
                return [OutputFile(path=path, data=data)]

            jobs.append(FeedJob(path, key, make_atom))
        recent_docs = _recent(site, loc)
        if showing is not None and not _shows(recent_docs, showing):
            continue
        recent = [(d.url, d.date, d.title) for d in recent_docs]

        def make_news(loc: str = loc) -> list[OutputFile]:
            return [OutputFile(path=f"{loc}/news-sitemap.xml", data=news_sitemap(site, loc))]

        jobs.append(
            FeedJob(
                f"{loc}/news-sitemap.xml",
                digest(base, "news", loc, recent, _publication(settings, loc)),
                make_news,
            )
        )
    if showing is not None:
        return jobs
    pages = sitemap_urls(site)
    jobs.append(
        FeedJob(
            "sitemap.xml",
            digest(base, "sitemap", max_urls, _hash_all(pages)),
            lambda: _sitemap_files(settings, pages, max_urls),
        )
    )
    jobs.append(
        FeedJob(
            "robots.txt",
            digest(base, "robots"),
            lambda: [OutputFile(path="robots.txt", data=robots(settings))],
        )
    )
    return jobs


# --------------------------------------------------------------------------- Atom feeds


def _shows(docs: Iterable[Translation], showing: Collection[tuple[str, str]]) -> bool:
    return any((doc.bundle, doc.locale) in showing for doc in docs)


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


def _updated(doc: Translation) -> datetime:
    return doc.updated or doc.date


def atom(
    site: Site,
    locale: str,
    releases: Sequence[Translation],
    *,
    title: str,
    page: str,
    images: ImageLookup | None = None,
) -> bytes:
    """An Atom feed of the newest ``feed_size`` of ``releases`` (newest first).

    ``page`` is the list page the feed mirrors (a home or tag page): its absolute URL is
    the feed's id and alternate link, so the id stays stable across rebuilds.
    """
    from feedgen.feed import FeedGenerator

    settings = site.settings
    entries = newest(site, releases)
    publisher = settings.localized(settings.publisher.name, locale) or title

    fg = FeedGenerator()
    fg.register_extension("presssite", *_extensions(), atom=True, rss=False)
    fg.id(urls.absolute(settings, page))
    fg.title(title)
    fg.language(_hreflang(locale))
    fg.link(href=urls.absolute(settings, feed_url(page)), rel="self")
    fg.link(href=urls.absolute(settings, page), rel="alternate", type="text/html")
    fg.author({"name": publisher, "uri": urls.absolute(settings, urls.home(settings, locale))})
    fg.generator("presssite")
    if settings.publisher.logo:
        logo = urls.url_for_output(settings, settings.publisher.logo.lstrip("/"))
        fg.logo(urls.absolute(settings, logo))
    fg.updated(max((_updated(d) for d in entries), default=None) or _site_updated(site))

    # feedgen prepends by default; append keeps the newest-first order of ``entries``.
    for doc in entries:
        photos = images.for_page(doc) if images is not None else {}
        fe = fg.add_entry(order="append")
        fe.id(urls.absolute(settings, doc.url))
        fe.title(doc.title)
        fe.published(doc.date)
        fe.updated(_updated(doc))
        if doc.summary:
            fe.summary(doc.summary)
        fe.content(absolute_html(site, doc, photos), type="html")
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


def _hash_all(items: Iterable[Any]) -> str:
    """A hash of many values' ``repr``s, without building one huge string."""
    h = hashlib.sha256()
    for item in items:
        h.update(repr(item).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def newest(site: Site, releases: Sequence[Translation]) -> list[Translation]:
    """The ``feed_size`` newest of ``releases``: a feed's entries, newest first."""
    entries = sorted(releases, key=lambda d: (d.date, d.bundle), reverse=True)
    return entries[: site.settings.feed_size]


def _site_updated(site: Site) -> datetime:
    """An empty feed still needs ``updated``: the newest document anywhere, else the clock."""
    return max((_updated(d) for d in site.translations()), default=site.now)


# --------------------------------------------------------------------------- body HTML

_DOC_TARGET = re.compile(r'presssite:doc:([^"\s<>]*)')
_FIGURE = re.compile(r"<presssite-figure\b([^>]*?)/?>(?:\s*</presssite-figure>)?", re.I)
_DOC_LINK = re.compile(r"<a\b[^>]*?\bhref=\"presssite:doc:([^\"]*)\"[^>]*>(.*?)</a>", re.I | re.S)
_PHOTO_IMG = re.compile(r"<img\b[^>]*?\bsrc=\"presssite:photo:([^\"]*)\"[^>]*>", re.I)
_URL_ATTR = re.compile(r"(?<=\s)(href|src)=\"([^\"]*)\"", re.I)
_ATTR = re.compile(r"([\w:-]+)\s*=\s*\"([^\"]*)\"")


def absolute_html(site: Site, doc: Translation, photos: Mapping[str, PhotoImage]) -> str:
    """``doc.body_html`` with the markup placeholders resolved to absolute URLs.

    A feed entry is read away from the site, so every URL in it must be absolute:
    ``<presssite-figure src alt>`` becomes an ``<img>`` of the photo's fallback variant
    (dropped when the photo has no planned image), ``presssite:photo:SRC`` the photo's
    URL, ``presssite:file:SRC`` the attachment beside the page, and
    ``presssite:doc:BUNDLE:LOCALE`` that translation's page; a link to an unpublished
    translation keeps its text and loses the link, so nothing hidden is revealed.
    """
    settings = site.settings
    page = urls.absolute(settings, doc.url)

    def figure(match: re.Match[str]) -> str:
        attrs = {k.lower(): html.unescape(v) for k, v in _ATTR.findall(match.group(1))}
        image = photos.get(attrs.get("src", ""))
        if image is None:
            return ""
        alt = attrs.get("alt", image.photo.alt)
        return (
            f'<img src="{_esc(urls.absolute(settings, image.fallback.url))}" alt="{_esc(alt)}"'
            f' width="{image.fallback.width}" height="{image.fallback.height}">'
        )

    def doc_link(match: re.Match[str]) -> str:
        return match.group(0) if _doc_url(site, match.group(1)) else match.group(2)

    def photo_img(match: re.Match[str]) -> str:
        return match.group(0) if html.unescape(match.group(1)) in photos else ""

    def attr(match: re.Match[str]) -> str:
        name, value = match.group(1), html.unescape(match.group(2))
        return f'{name}="{_esc(_resolve(site, doc, photos, page, name.lower(), value))}"'

    text = doc.body_html
    if "presssite" in text:  # placeholders left by markup
        text = _FIGURE.sub(figure, text)
        text = _DOC_LINK.sub(doc_link, text)
        text = _PHOTO_IMG.sub(photo_img, text)
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


def _resolve(
    site: Site,
    doc: Translation,
    photos: Mapping[str, PhotoImage],
    page: str,
    attr: str,
    value: str,
) -> str:
    settings = site.settings
    if value.startswith("presssite:photo:"):
        src = value.removeprefix("presssite:photo:")
        image = photos.get(src)
        if image is not None:
            variant = image.large if attr == "href" else image.fallback
            return urls.absolute(settings, variant.url)
        return urljoin(page, src)
    if value.startswith("presssite:file:"):
        return urljoin(page, value.removeprefix("presssite:file:"))
    if value.startswith("presssite:doc:"):
        return _doc_url(site, value.removeprefix("presssite:doc:")) or page
    return urljoin(page, value)


def _doc_url(site: Site, target: str) -> str | None:
    """Absolute URL of ``BUNDLE:LOCALE[#fragment]`` when that translation is published."""
    target = html.unescape(target)
    ref, _, fragment = target.partition("#")
    bundle_id, _, locale = ref.rpartition(":")
    bundle = site.bundles.get(bundle_id)
    doc = bundle.translations.get(locale) if bundle is not None else None
    if doc is None:
        return None
    url = urls.absolute(site.settings, doc.url)
    return f"{url}#{fragment}" if fragment else url


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


# --------------------------------------------------------------------------- sitemaps


@dataclass(frozen=True)
class SitemapUrl:
    """One ``<url>`` of the sitemap: a published HTML page."""

    url: str  # site path with the base path
    lastmod: datetime | None  # None for an empty list page
    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, site path), x-default last


def _hreflang(locale: str) -> str:
    """BCP 47 as hreflang wants it: "pt_BR" -> "pt-BR"."""
    return locale.replace("_", "-")


def _newest(docs: Iterable[Translation]) -> datetime | None:
    return max((_updated(d) for d in docs), default=None)


def _pages(count: int, page_size: int) -> int:
    return max(1, -(-count // page_size))


def sitemap_urls(site: Site) -> list[SitemapUrl]:
    """Every published HTML page, per locale: home pages, releases, pages, tags, tag pages.

    Translations are annotated with each other (every existing translation plus
    ``x-default``) so each page of a bundle lists the same set: the annotation is
    reciprocal by construction. The root URL (the language chooser) is ``x-default``
    where the default locale has no translation.
    """
    settings = site.settings
    size = settings.page_size
    root = urls.root(settings)
    documents = {
        doc.url
        for loc in settings.locales
        for doc in (*site.releases.get(loc, ()), *site.pages.get(loc, ()))
    }
    homes = tuple((_hreflang(loc), urls.home(settings, loc)) for loc in settings.locales) + (
        ("x-default", root),
    )

    def alternates(doc: Translation) -> tuple[tuple[str, str], ...]:
        translations = [
            t for t in site.bundles[doc.bundle].translations.values() if t.url in documents
        ]
        if len(translations) < 2:
            return ()
        default = site.bundles[doc.bundle].translations.get(settings.default_locale)
        x_default = default.url if default is not None and default.url in documents else root
        pairs = [(_hreflang(t.locale), t.url) for t in translations]
        return (*pairs, ("x-default", x_default))

    out: list[SitemapUrl] = []
    for loc in settings.locales:
        releases = site.releases.get(loc, ())
        for n in range(1, _pages(len(releases), size) + 1):
            items = releases[(n - 1) * size : n * size]
            out.append(
                SitemapUrl(
                    urls.home(settings, loc, n),
                    _newest(items),
                    homes if n == 1 and len(settings.locales) > 1 else (),
                )
            )
        for doc in (*releases, *site.pages.get(loc, ())):
            out.append(SitemapUrl(doc.url, _updated(doc), alternates(doc)))
        tags = site.tags.get(loc, ())
        out.append(
            SitemapUrl(urls.tags_index(settings, loc), _newest(d for t in tags for d in t.releases))
        )
        for tag in tags:
            for n in range(1, _pages(len(tag.releases), size) + 1):
                items = tag.releases[(n - 1) * size : n * size]
                out.append(SitemapUrl(urls.tag(settings, loc, tag.slug, n), _newest(items)))
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
    """
    # Prefixed names are written literally, with the xmlns attributes on the root.
    root = f'urlset xmlns="{_xml_attr(SITEMAP_NS)}" xmlns:xhtml="{_xml_attr(XHTML_NS)}"'
    out = ["<?xml version='1.0' encoding='utf-8'?>", f"<{root}>" if entries else f"<{root} />"]
    for entry in entries:
        out += ("  <url>", f"    <loc>{_xml_text(urls.absolute(settings, entry.url))}</loc>")
        if entry.lastmod is not None:
            out.append(f"    <lastmod>{_xml_text(_w3c(entry.lastmod))}</lastmod>")
        for lang, href in entry.alternates:
            out.append(
                f'    <xhtml:link rel="alternate" hreflang="{_xml_attr(lang)}"'
                f' href="{_xml_attr(urls.absolute(settings, href))}" />'
            )
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


def sitemaps(site: Site, *, max_urls: int = MAX_SITEMAP_URLS) -> list[OutputFile]:
    """``/sitemap.xml``; over ``max_urls`` pages, an index of ``/sitemap-N.xml`` parts."""
    return _sitemap_files(site.settings, sitemap_urls(site), max_urls)


def _sitemap_files(
    settings: Settings, entries: Sequence[SitemapUrl], max_urls: int
) -> list[OutputFile]:
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


def news_sitemap(site: Site, locale: str) -> bytes:
    """Google News sitemap of ``locale``: releases dated in the two days up to ``site.now``."""
    settings = site.settings
    name = _publication(settings, locale)
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:news": NEWS_NS})
    for doc in _recent(site, locale):
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = urls.absolute(settings, doc.url)
        news = ET.SubElement(url, "news:news")
        publication = ET.SubElement(news, "news:publication")
        ET.SubElement(publication, "news:name").text = name
        ET.SubElement(publication, "news:language").text = _hreflang(locale).lower()
        ET.SubElement(news, "news:publication_date").text = _w3c(doc.date)
        ET.SubElement(news, "news:title").text = doc.title
    return _xml(root)


def _recent(site: Site, locale: str) -> list[Translation]:
    """The releases a news sitemap lists: dated in the two days up to ``site.now``."""
    since = site.now - NEWS_WINDOW
    recent = [d for d in site.releases.get(locale, ()) if since <= d.date <= site.now]
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
