"""Feeds, sitemaps, news sitemaps and robots.txt, read back with real parsers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import feedparser
import pytest
from factories import assemble_site, make_settings, make_translation
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from presssite import urls
from presssite.feeds import atom as feeds
from presssite.feeds import sitemaps
from presssite.model import (
    OutputFile,
    Photo,
    PhotoImage,
    Site,
    Translation,
    Variant,
)
from presssite.settings import Settings

BASE = "https://user.github.io/portal/"
WIB = timezone(timedelta(hours=7))
NOW = datetime(2025, 11, 10, 12, 0, tzinfo=WIB)
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


# --------------------------------------------------------------------------- fixtures


FEED_SETTINGS: dict[str, Any] = {
    "base_url": BASE,
    "title": {"id": "Portal Siaran Pers", "en": "Press Release Portal"},
    "page_size": 2,
    "feed_size": 3,
    "publisher": {"name": {"id": "Kementerian Contoh", "en": "Ministry of Example"}},
}


def feed_settings(root: Path, **overrides: Any) -> Settings:
    """The feeds' site: a GitHub Pages URL, three entries a feed, a named publisher."""
    return make_settings(root, **{**FEED_SETTINGS, **overrides})


def make_doc(
    settings: Settings,
    bundle: str,
    locale: str,
    *,
    date: datetime,
    title: str | None = None,
    tags: tuple[str, ...] = (),
    updated: datetime | None = None,
    body: str = "<p>Body.</p>",
    photos: tuple[Photo, ...] = (),
) -> Translation:
    folder = bundle.partition("/")[2]
    return make_translation(
        settings,
        bundle,
        locale,
        date=date,
        title=title or f"{folder} ({locale})",
        summary=f"Summary of {folder} in {locale}.",
        tags=tags,
        updated=updated,
        photos=photos,
        body_html=body,
    )


def photo_image(settings: Settings, doc: Translation, photo: Photo) -> PhotoImage:
    stem = photo.src.rsplit(".", 1)[0]

    def variant(width: int, fmt: str) -> Variant:
        out = f"{doc.locale}/{doc.section}/{doc.slug}/{stem}-{width}.{fmt}"
        return Variant(urls.url_for_output(settings, out), out, width, width * 2 // 3, fmt)

    variants = (variant(480, "webp"), variant(960, "webp"), variant(480, "jpeg"))
    variants += (variant(960, "jpeg"),)
    return PhotoImage(
        photo=photo,
        width=960,
        height=640,
        variants=variants,
        fallback=variants[3],
        large=variants[3],
        social=variant(1200, "jpeg"),
    )


class Lookup:
    """The image plan as the feeds see it: a page's photos by src."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def for_page(self, doc: Translation) -> Mapping[str, PhotoImage]:
        return {p.src: photo_image(self.settings, doc, p) for p in doc.photos}


def day(n: int, hour: int = 9) -> datetime:
    return datetime(2025, 11, n, hour, 30, tzinfo=WIB)


BODY = (
    '<p>Read <a href="presssite:doc:press/2025-11-08-summit:en">the English text</a> '
    'or <a href="presssite:doc:press/2025-11-08-summit:vi">the Vietnamese text</a>.</p>\n'
    '<figure><presssite-figure src="photos/01.jpg" alt="The minister speaks.">'
    "</presssite-figure><figcaption>The minister speaks.</figcaption></figure>\n"
    '<p><a href="presssite:file:files/statement.pdf">Statement</a>, '
    '<a href="/portal/id/tags/diplomasi/">Diplomasi</a>, '
    '<a href="#fn1">1</a>, <a href="https://example.org/x?a=1&amp;b=2">source</a>.</p>'
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return feed_settings(tmp_path)


@pytest.fixture
def site(settings: Settings) -> Site:
    lead = Photo(src="photos/01.jpg", path=Path("photos/01.jpg"), caption="The minister speaks.")
    docs = [
        make_doc(settings, "press/2025-11-03-budget", "id", date=day(3), tags=("Ekonomi",)),
        make_doc(
            settings,
            "press/2025-11-05-visit",
            "id",
            date=day(5),
            tags=("Diplomasi",),
            updated=day(9, 8),
        ),
        make_doc(settings, "press/2025-11-05-visit", "en", date=day(5), tags=("Diplomacy",)),
        make_doc(
            settings,
            "press/2025-11-07-floods",
            "id",
            date=day(7),
            tags=("Bencana", "Diplomasi"),
        ),
        make_doc(
            settings,
            "press/2025-11-08-summit",
            "id",
            date=day(8),
            tags=("Diplomasi", "Diplomasi"),
            body=BODY,
            photos=(lead,),
        ),
        make_doc(settings, "press/2025-11-08-summit", "en", date=day(8), tags=("Diplomacy",)),
        make_doc(settings, "pages/about", "id", date=day(1)),
        make_doc(settings, "pages/about", "en", date=day(1), updated=day(2)),
    ]
    return assemble_site(settings, docs, now=NOW)


def files_of(out: list[OutputFile]) -> dict[str, bytes]:
    paths = [f.path for f in out]
    assert len(paths) == len(set(paths)), "two outputs write the same file"
    return {f.path: f.data or b"" for f in out}


def parse_feed(data: bytes) -> Any:
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


# --------------------------------------------------------------------------- Atom feeds


def test_locale_feed_follows_the_atom_rules(site: Site) -> None:
    feed = parse_feed(files_of(feeds.render(site, Lookup(site.settings)))["id/feed.xml"])

    assert feed.feed.id == f"{BASE}id/"
    assert feed.feed.title == "Portal Siaran Pers"
    assert feed.feed.author == "Kementerian Contoh"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": f"{BASE}id/feed.xml", "alternate": f"{BASE}id/"}
    # the oldest of the four Indonesian releases is cut by feed_size = 3, newest first
    assert [e.id for e in feed.entries] == [
        f"{BASE}id/press/summit/",
        f"{BASE}id/press/floods/",
        f"{BASE}id/press/visit/",
    ]
    for entry in feed.entries:
        assert entry.updated and entry.published and entry.title
        assert entry.link == entry.id
        assert entry.summary.startswith("Summary of ")
        assert entry.content[0].type == "text/html" and entry.content[0].value


def test_feed_updated_is_the_latest_change_not_the_latest_date(site: Site) -> None:
    feed = parse_feed(files_of(feeds.render(site))["id/feed.xml"])

    # "visit" is dated 5 November but was updated on the 9th, after the newest release
    assert feed.feed.updated == "2025-11-09T08:30:00+07:00"
    visit = next(e for e in feed.entries if e.id.endswith("/visit/"))
    assert visit.published == "2025-11-05T09:30:00+07:00"
    assert visit.updated == "2025-11-09T08:30:00+07:00"


def test_each_locale_has_its_own_feed_title_and_publisher(site: Site) -> None:
    feed = parse_feed(files_of(feeds.render(site))["en/feed.xml"])

    assert feed.feed.title == "Press Release Portal"
    assert feed.feed.author == "Ministry of Example"
    assert [e.id for e in feed.entries] == [f"{BASE}en/press/summit/", f"{BASE}en/press/visit/"]
    assert all("/id/" not in e.id for e in feed.entries)


def test_entry_content_has_only_absolute_urls(site: Site) -> None:
    feed = parse_feed(files_of(feeds.render(site, Lookup(site.settings)))["id/feed.xml"])
    content = feed.entries[0].content[0].value
    tree = HTMLParser(content)

    assert "presssite:" not in content
    img = tree.css_first("img")
    assert img.attributes["src"] == f"{BASE}id/press/summit/photos/01-960.jpeg"
    assert img.attributes["alt"] == "The minister speaks."
    hrefs = {a.text(): a.attributes["href"] for a in tree.css("a")}
    assert hrefs == {
        "the English text": f"{BASE}en/press/summit/",
        # no Vietnamese translation: the default locale's, as on the page
        "the Vietnamese text": f"{BASE}id/press/summit/",
        "Statement": f"{BASE}id/press/summit/files/statement.pdf",
        "Diplomasi": "https://user.github.io/portal/id/tags/diplomasi/",
        "1": f"{BASE}id/press/summit/#fn1",
        "source": "https://example.org/x?a=1&b=2",
    }


def test_without_images_figures_and_enclosures_are_dropped(site: Site) -> None:
    feed = parse_feed(files_of(feeds.render(site))["id/feed.xml"])
    summit = feed.entries[0]

    assert HTMLParser(summit.content[0].value).css("img") == []
    assert "The minister speaks." in summit.content[0].value  # the figcaption stays
    assert [link.rel for link in summit.links] == ["alternate"]


def test_lead_photo_is_an_enclosure(site: Site) -> None:
    feed = parse_feed(files_of(feeds.render(site, Lookup(site.settings)))["id/feed.xml"])
    summit, floods = feed.entries[0], feed.entries[1]

    enclosures = [link for link in summit.links if link.rel == "enclosure"]
    assert len(enclosures) == 1
    assert enclosures[0].href == f"{BASE}id/press/summit/photos/01-1200.jpeg"
    assert enclosures[0].type == "image/jpeg"
    assert [link.rel for link in floods.links] == ["alternate"]


def test_entries_carry_their_tags_once(site: Site) -> None:
    feed = parse_feed(files_of(feeds.render(site))["id/feed.xml"])

    assert [t.term for t in feed.entries[0].tags] == ["Diplomasi"]
    assert [t.term for t in feed.entries[1].tags] == ["Bencana", "Diplomasi"]


def test_every_tag_has_a_feed_of_its_releases(site: Site) -> None:
    out = files_of(feeds.render(site))
    tag_feeds = sorted(p for p in out if "/tags/" in p)

    assert tag_feeds == [
        "en/tags/diplomacy/feed.xml",
        "id/tags/bencana/feed.xml",
        "id/tags/diplomasi/feed.xml",
        "id/tags/ekonomi/feed.xml",
    ]
    feed = parse_feed(out["id/tags/diplomasi/feed.xml"])
    assert feed.feed.id == f"{BASE}id/tags/diplomasi/"
    assert {link.rel: link.href for link in feed.feed.links}["self"] == (
        f"{BASE}id/tags/diplomasi/feed.xml"
    )
    assert "Diplomasi" in feed.feed.title
    assert [e.id.split("/")[-2] for e in feed.entries] == ["summit", "floods", "visit"]


def test_feed_size_caps_every_feed(tmp_path: Path) -> None:
    settings = feed_settings(tmp_path, feed_size=2)
    docs = [
        make_doc(settings, f"press/2025-11-0{n}-r{n}", "id", date=day(n), tags=("Sama",))
        for n in range(1, 6)
    ]
    out = files_of(feeds.render(assemble_site(settings, docs, now=NOW)))

    for path in ("id/feed.xml", "id/tags/sama/feed.xml"):
        assert [e.id for e in parse_feed(out[path]).entries] == [
            f"{BASE}id/press/r5/",
            f"{BASE}id/press/r4/",
        ]


def test_a_locale_without_releases_still_has_a_valid_feed(site: Site) -> None:
    empty = {name: () for name in site.sections.get("en", {})}
    bare = replace(
        site,
        releases={**site.releases, "en": ()},
        tags={**site.tags, "en": ()},
        sections={**site.sections, "en": empty},
    )
    feed = parse_feed(files_of(feeds.render(bare))["en/feed.xml"])

    assert feed.entries == []
    assert feed.feed.updated  # from the content, not the clock


def test_output_is_deterministic_and_ignores_the_clock(site: Site) -> None:
    lookup = Lookup(site.settings)
    first = files_of(feeds.render(site, lookup))
    again = files_of(feeds.render(site, lookup))
    later = files_of(feeds.render(replace(site, now=NOW + timedelta(days=30)), lookup))

    assert first == again
    for path, data in first.items():
        if not path.endswith("news-sitemap.xml"):
            assert later[path] == data, path


# --------------------------------------------------------------------------- sitemap


def read_urlset(data: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(data)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    out = {}
    for url in root.findall("sm:url", NS):
        loc = url.findtext("sm:loc", namespaces=NS)
        assert loc not in out, f"{loc} listed twice"
        out[loc] = url
    return out


def alternates(url: ET.Element) -> dict[str, str]:
    links = url.findall("xhtml:link", NS)
    assert all(link.get("rel") == "alternate" for link in links)
    return {link.get("hreflang"): link.get("href") for link in links}


def test_sitemap_lists_every_published_page_absolutely(site: Site) -> None:
    entries = read_urlset(files_of(feeds.render(site))["sitemap.xml"])

    expected = {
        "id/", "id/page/1/", "en/",
        "id/press/budget/", "id/press/visit/", "id/press/floods/", "id/press/summit/",
        "en/press/visit/", "en/press/summit/", "id/about/", "en/about/",
        "id/tags/", "en/tags/",
        "id/tags/ekonomi/", "id/tags/diplomasi/", "id/tags/diplomasi/page/1/",
        "id/tags/bencana/", "en/tags/diplomacy/",
        "id/press/", "id/press/page/1/", "en/press/",
        "id/archive/", "id/archive/2025/", "en/archive/", "en/archive/2025/",
    }  # fmt: skip
    assert set(entries) == {BASE + path for path in expected}
    assert sorted(entries) == sorted(
        urls.absolute(site.settings, u) for u, _ in sitemaps.page_urls(site)
    )


def test_sitemap_lastmod_is_the_latest_change(site: Site) -> None:
    entries = read_urlset(files_of(feeds.render(site))["sitemap.xml"])

    def lastmod(path: str) -> str | None:
        return entries[BASE + path].findtext("sm:lastmod", namespaces=NS)

    assert lastmod("id/press/visit/") == "2025-11-09T08:30:00+07:00"  # updated:
    assert lastmod("id/press/budget/") == "2025-11-03T09:30:00+07:00"  # date
    assert lastmod("en/about/") == "2025-11-02T09:30:00+07:00"
    assert lastmod("id/") == "2025-11-08T09:30:00+07:00"  # summit and floods
    assert lastmod("id/page/1/") == "2025-11-09T08:30:00+07:00"  # visit and budget
    assert lastmod("id/tags/") == "2025-11-09T08:30:00+07:00"


def test_hreflang_is_reciprocal_with_x_default(site: Site) -> None:
    entries = read_urlset(files_of(feeds.render(site))["sitemap.xml"])

    summit = alternates(entries[f"{BASE}id/press/summit/"])
    assert summit == {
        "id": f"{BASE}id/press/summit/",
        "en": f"{BASE}en/press/summit/",
        "x-default": f"{BASE}id/press/summit/",
    }
    for loc, entry in entries.items():
        links = alternates(entry)
        if not links:
            continue
        assert loc in links.values(), f"{loc} does not list itself"
        assert "x-default" in links
        for lang, href in links.items():
            if lang == "x-default" and href == BASE:
                continue  # the language chooser at the root redirects: it is not listed
            assert href in entries, f"{href} is not in the sitemap"
            assert alternates(entries[href]) == links, f"{loc} -> {href} is not reciprocal"
    # a release with one translation has nothing to annotate
    assert alternates(entries[f"{BASE}id/press/budget/"]) == {}
    assert alternates(entries[f"{BASE}en/"])["x-default"] == BASE


def test_x_default_is_the_root_without_a_default_locale_translation(tmp_path: Path) -> None:
    settings = feed_settings(tmp_path, locales=["id", "en", "vi"])
    docs = [
        make_doc(settings, "press/2025-11-05-talks", "en", date=day(5)),
        make_doc(settings, "press/2025-11-05-talks", "vi", date=day(5)),
    ]
    entries = read_urlset(
        files_of(feeds.render(assemble_site(settings, docs, now=NOW)))["sitemap.xml"]
    )

    assert alternates(entries[f"{BASE}vi/press/talks/"]) == {
        "en": f"{BASE}en/press/talks/",
        "vi": f"{BASE}vi/press/talks/",
        "x-default": BASE,
    }


def test_a_large_site_gets_a_sitemap_index(site: Site) -> None:
    out = files_of(feeds.render(site, max_urls=5))
    index = ET.fromstring(out["sitemap.xml"])

    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    parts = [s.findtext("sm:loc", namespaces=NS) for s in index.findall("sm:sitemap", NS)]
    assert parts == [f"{BASE}sitemap-{n}.xml" for n in range(1, 6)]  # 25 pages, 5 a file
    listed: list[str] = []
    for n in range(1, 6):
        entries = read_urlset(out[f"sitemap-{n}.xml"])
        assert len(entries) <= 5
        listed.extend(entries)
    everything = read_urlset(files_of(feeds.render(site))["sitemap.xml"])
    assert sorted(listed) == sorted(everything)
    assert all(s.findtext("sm:lastmod", namespaces=NS) for s in index.findall("sm:sitemap", NS))


def test_a_site_at_the_limit_keeps_one_sitemap(site: Site) -> None:
    out = files_of(feeds.render(site, max_urls=25))

    assert "sitemap-1.xml" not in out
    assert len(read_urlset(out["sitemap.xml"])) == 25


@pytest.mark.parametrize(
    "body",
    [
        '<p><a href="x.pdf">a</a> <img src="presssite:photo:p.jpg" alt="b"></p>',
        ' HREF="a" Src="b" \u017frc="c" id="d" data-src="e"\thref="f"\nsrc="g"',
        'href="start" x="y" <a\u00a0href="nbsp"> <a href="a="b"> <a href="unclosed',
        "",
    ],
)
def test_url_attribute_scan_replaces_what_the_pattern_replaces(body: str) -> None:
    def mark(match: re.Match[str]) -> str:
        return f"{match.group(1)}=[{match.group(2)}]"

    assert feeds._sub_url_attrs(mark, body) == feeds._URL_ATTR.sub(mark, body)


def _urlset_by_elementtree(settings: Settings, entries: list[sitemaps.SitemapUrl]) -> bytes:
    root = ET.Element("urlset", {"xmlns": NS["sm"], "xmlns:xhtml": NS["xhtml"]})
    for entry in entries:
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = urls.absolute(settings, entry.url)
        if entry.lastmod is not None:
            ET.SubElement(url, "lastmod").text = entry.lastmod.isoformat(timespec="seconds")
        for lang, href in entry.alternates:
            attrs = {"rel": "alternate", "hreflang": lang, "href": urls.absolute(settings, href)}
            ET.SubElement(url, "xhtml:link", attrs)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


@pytest.mark.parametrize("count", [0, 1, 3])
def test_sitemap_text_is_what_elementtree_writes(tmp_path: Path, count: int) -> None:
    settings = feed_settings(tmp_path, base_url="https://example.org/a&b/")
    tricky = ("id", "/a&b/id/x&y/"), ('en"\t<>\n', "/a&b/en/caf\u00e9/?q=1&r=<2>")
    entries = [
        sitemaps.SitemapUrl("/a&b/id/", NOW, tricky),
        sitemaps.SitemapUrl("/a&b/id/press/r\u00e9sum\u00e9/", None, ()),
        sitemaps.SitemapUrl("/a&b/en/tags/x/page/2/", NOW - timedelta(days=1), tricky[:1]),
    ][:count]

    assert sitemaps._urlset(settings, entries) == _urlset_by_elementtree(settings, entries)


# --------------------------------------------------------------------------- news, robots


def test_news_sitemap_lists_the_last_two_days(site: Site) -> None:
    # at 10 Nov 09:00 the window opens 8 Nov 09:00: only the summit qualifies in "id"
    at = replace(site, now=datetime(2025, 11, 10, 9, 0, tzinfo=WIB))
    out = files_of(feeds.render(at))
    root = ET.fromstring(out["id/news-sitemap.xml"])
    urls_ = root.findall("sm:url", NS)

    assert [u.findtext("sm:loc", namespaces=NS) for u in urls_] == [f"{BASE}id/press/summit/"]
    news = urls_[0].find("news:news", NS)
    assert news is not None
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Kementerian Contoh"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "id"
    assert news.findtext("news:publication_date", namespaces=NS) == "2025-11-08T09:30:00+07:00"
    assert news.findtext("news:title", namespaces=NS) == "2025-11-08-summit (id)"

    en = ET.fromstring(out["en/news-sitemap.xml"])
    assert en.findtext("sm:url/news:news/news:publication/news:language", namespaces=NS) == "en"
    assert (
        en.findtext("sm:url/news:news/news:publication/news:name", namespaces=NS)
        == "Ministry of Example"
    )


def test_news_sitemap_window_edges(site: Site) -> None:
    # a week later nothing is news any more; two days after "floods" it is on the edge
    week = ET.fromstring(
        files_of(feeds.render(replace(site, now=NOW + timedelta(days=7))))["id/news-sitemap.xml"]
    )
    assert week.findall("sm:url", NS) == []
    edge = replace(site, now=day(7) + timedelta(days=2))
    root = ET.fromstring(files_of(feeds.render(edge))["id/news-sitemap.xml"])
    assert [u.findtext("sm:loc", namespaces=NS) for u in root.findall("sm:url", NS)] == [
        f"{BASE}id/press/summit/",
        f"{BASE}id/press/floods/",
    ]


def test_news_sitemap_holds_at_most_a_thousand(tmp_path: Path) -> None:
    settings = feed_settings(tmp_path)
    start = NOW - timedelta(hours=37)  # 1,100 releases two minutes apart, all recent
    docs = [
        make_doc(settings, f"press/r{n:04d}", "id", date=start + timedelta(minutes=2 * n))
        for n in range(1100)
    ]
    out = files_of(feeds.render(assemble_site(settings, docs, now=NOW)))
    root = ET.fromstring(out["id/news-sitemap.xml"])
    locs = [u.findtext("sm:loc", namespaces=NS) for u in root.findall("sm:url", NS)]

    assert len(locs) == 1000
    assert locs[0] == f"{BASE}id/press/r1099/"  # the newest are kept


def test_robots_points_to_the_sitemap(site: Site) -> None:
    robots = files_of(feeds.render(site))["robots.txt"].decode()

    assert robots.splitlines() == [
        "User-agent: *",
        "Allow: /",
        f"Sitemap: {BASE}sitemap.xml",
    ]


def test_every_url_of_the_site_is_under_the_base_url(site: Site) -> None:
    found = 0
    for path, data in files_of(feeds.render(site, Lookup(site.settings))).items():
        for url in re.findall(r"https?://user\.github\.io[^\s\"<&]*", data.decode()):
            found += 1
            assert url.startswith(BASE), (path, url)
    assert found > 100
