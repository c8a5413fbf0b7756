"""The render stage: a small site from the factories, rendered, read back with selectolax."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from factories import assemble_site, make_settings, make_translation
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from presssite.errors import TemplateError
from presssite.model import (
    PAGES_SECTION,
    Photo,
    PhotoImage,
    Site,
    Source,
    Translation,
    Variant,
)
from presssite.output import sources
from presssite.render import pages as render
from presssite.render import templates as templating
from presssite.settings import Contact, Settings

TZ = ZoneInfo("Asia/Jakarta")
NOW = datetime(2025, 12, 1, 12, 0, tzinfo=TZ)
GALLERY = (
    ("photos/01.jpg", "The deputy minister attends the conference.", "Bao Chi"),
    ("photos/02.jpg", "The deputy minister speaks.", "Bao Chi"),
)


# --------------------------------------------------------------------------- building a site


TITLE = {"id": "Portal Siaran Pers", "en": "Press Release Portal", "vi": "Cổng thông cáo"}


def render_settings(root: Path, locales: Iterable[str] = ("id", "en"), **extra: Any) -> Settings:
    """The rendered site's settings: a title in every locale used here."""
    return make_settings(root, locales=list(locales), **{"title": TITLE, **extra})


def make_doc(
    s: Settings,
    bundle: str,
    locale: str,
    *,
    day: int = 6,
    gallery: bool = True,
    **fields: Any,
) -> Translation:
    """A release of 2025-11-``day`` with the two photos of ``GALLERY`` (unless not
    ``gallery``), captioned in its locale."""
    photos = tuple(
        Photo(src=src, path=s.root / bundle / src, caption=f"{cap} ({locale})", credit=credit)
        for src, cap, credit in GALLERY
    )
    values: dict[str, Any] = {
        "title": f"Release {bundle} in {locale}",
        "summary": f"Summary in {locale}.",
        "photos": photos if gallery else (),
        "body_html": "<p>Body text.</p>\n",
        **fields,
    }
    date = datetime(2025, 11, day, 9, 30, tzinfo=TZ)
    return make_translation(s, bundle, locale, date=date, **values)


class FakeImages:
    """Plans every photo as webp + jpeg at 480 and 960 px; counts the lookups."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()

    def for_page(self, doc: Translation) -> Mapping[str, PhotoImage]:
        self.calls[(doc.bundle, doc.locale)] += 1
        out = {}
        for photo in doc.photos:
            stem = f"/portal/img/{doc.bundle}/{photo.src.rsplit('.', 1)[0]}"
            variants = tuple(
                Variant(f"{stem}-{w}.{fmt}", f"img/{w}.{fmt}", w, w * 2 // 3, fmt)
                for fmt in ("webp", "jpeg")
                for w in (480, 960)
            )
            large = Variant(f"{stem}-1600.jpeg", "img/l.jpeg", 1600, 1066, "jpeg")
            out[photo.src] = PhotoImage(photo, 960, 640, variants, variants[-1], large)
        return out


def render_pages(
    site: Site, *, preview: bool = False, images: FakeImages | None = None
) -> dict[str, HTMLParser]:
    env = templating.make_environment(site.settings)
    files = render.render_site(site, images or FakeImages(), env, preview=preview)
    paths = [f.path for f in files]
    assert len(paths) == len(set(paths)), "two pages were rendered to the same file"
    return {f.path: HTMLParser((f.data or b"").decode("utf-8")) for f in files}


def standard_site(tmp_path: Path, **settings_extra: Any) -> Site:
    """Two releases in both locales (one with source and contact), one only in Indonesian."""
    s = render_settings(tmp_path, **settings_extra)
    source = Source("Báo Quốc tế", "https://baoquocte.vn/viet-nam-338048.html")
    contact = Contact("Dewi Lestari", "press@example.org", "+62 21 555 0100")
    docs = []
    for loc in ("id", "en"):
        docs.append(
            make_doc(
                s,
                "press/2025-11-06-scams",
                loc,
                slug=f"scams-{loc}",
                tags=("diplomacy",),
                source=source,
                contact=contact,
                updated=datetime(2025, 11, 7, 8, 0, tzinfo=TZ),
            )
        )
        docs.append(make_doc(s, "press/2025-11-04-trade", loc, day=4, tags=("trade",)))
    docs.append(make_doc(s, "press/2025-11-05-local", "id", day=5, gallery=False))
    return assemble_site(s, docs, now=NOW)


def text(node: Node | None) -> str:
    assert node is not None
    return " ".join(node.text().split())


def attrs(page: HTMLParser, selector: str, name: str) -> list[str]:
    return [n.attributes.get(name) or "" for n in page.css(selector)]


# --------------------------------------------------------------------------- pages and heads


def test_every_page_has_the_expected_files(tmp_path: Path) -> None:
    pages = render_pages(standard_site(tmp_path, page_size=2))
    assert {
        "index.html",
        "404.html",
        "id/index.html",
        "id/page/1/index.html",
        "en/index.html",
        "id/press/scams-id/index.html",
        "en/press/scams-en/index.html",
        "id/press/local/index.html",
        "id/tags/index.html",
        "id/tags/diplomacy/index.html",
        "en/tags/trade/index.html",
    } <= set(pages)
    assert "en/press/local/index.html" not in pages


def test_every_page_has_lang_title_viewport_landmarks_and_one_h1(tmp_path: Path) -> None:
    pages = render_pages(standard_site(tmp_path, page_size=2))
    for path, page in pages.items():
        html = page.css_first("html")
        assert html is not None and html.attributes.get("lang") in ("id", "en"), path
        assert text(page.css_first("title")), path
        assert page.css_first('meta[name="viewport"]') is not None, path
        assert page.css_first('meta[name="description"]') is not None, path
        assert len(page.css("h1")) == 1, path
        assert len(page.css("main")) == 1, path
        if path != "index.html":
            for landmark in ("header", "nav", "footer", "a.skip-link"):
                assert page.css_first(landmark) is not None, (path, landmark)
            feed = page.css_first('link[rel="alternate"][type="application/atom+xml"]')
            assert feed is not None and feed.attributes["href"].endswith("/feed.xml"), path


def test_canonical_is_absolute_under_the_base_url(tmp_path: Path) -> None:
    pages = render_pages(standard_site(tmp_path))
    page = pages["en/press/scams-en/index.html"]
    assert attrs(page, 'link[rel="canonical"]', "href") == [
        "https://example.org/portal/en/press/scams-en/"
    ]


def test_headings_do_not_skip_levels(tmp_path: Path) -> None:
    pages = render_pages(standard_site(tmp_path))
    for path, page in pages.items():
        levels = [int(n.tag[1]) for n in page.css("h1, h2, h3, h4, h5, h6")]
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, (path, levels)


# --------------------------------------------------------------------------- locale switch


def switcher(page: HTMLParser) -> list[Node]:
    return page.css("header nav.locale-switcher a")


def test_switcher_pairs_the_translations_of_a_release(tmp_path: Path) -> None:
    pages = render_pages(standard_site(tmp_path))
    id_page = pages["id/press/scams-id/index.html"]
    links = {a.attributes["hreflang"]: a for a in switcher(id_page)}
    assert links["en"].attributes["href"] == "/portal/en/press/scams-en/"
    assert links["en"].attributes["lang"] == "en"
    assert text(links["en"]) == "English"
    assert links["id"].attributes.get("aria-current") == "page"
    assert "aria-current" not in links["en"].attributes
    back = {a.attributes["hreflang"]: a for a in switcher(pages["en/press/scams-en/index.html"])}
    assert back["id"].attributes["href"] == "/portal/id/press/scams-id/"
    assert text(back["id"]) == "Bahasa Indonesia"
    nav = id_page.css_first("nav.locale-switcher")
    assert nav is not None and nav.attributes["aria-label"] == "Bahasa"


def test_missing_translation_links_that_locales_home(tmp_path: Path) -> None:
    pages = render_pages(standard_site(tmp_path))
    links = {a.attributes["hreflang"]: a for a in switcher(pages["id/press/local/index.html"])}
    missing = links["en"]
    assert missing.attributes["href"] == "/portal/en/"
    assert "missing" in (missing.attributes.get("class") or "")
    assert "(belum diterjemahkan)" in text(missing)
    assert "missing" not in (links["id"].attributes.get("class") or "")


def hreflang_map(page: HTMLParser) -> dict[str, str]:
    return {
        n.attributes["hreflang"] or "": n.attributes["href"] or ""
        for n in page.css('link[rel="alternate"][hreflang]')
    }


def test_hreflang_is_reciprocal_with_x_default(tmp_path: Path) -> None:
    pages = render_pages(standard_site(tmp_path))
    id_links = hreflang_map(pages["id/press/scams-id/index.html"])
    en_links = hreflang_map(pages["en/press/scams-en/index.html"])
    assert (
        id_links
        == en_links
        == {
            "id": "https://example.org/portal/id/press/scams-id/",
            "en": "https://example.org/portal/en/press/scams-en/",
            "x-default": "https://example.org/portal/id/press/scams-id/",
        }
    )
    # A missing translation is not announced; x-default is still the default locale's.
    assert hreflang_map(pages["id/press/local/index.html"]) == {
        "id": "https://example.org/portal/id/press/local/",
        "x-default": "https://example.org/portal/id/press/local/",
    }


def test_x_default_is_the_root_when_the_default_locale_is_missing(tmp_path: Path) -> None:
    s = render_settings(tmp_path)
    site = assemble_site(s, [make_doc(s, "press/2025-11-06-only-en", "en")], now=NOW)
    links = hreflang_map(render_pages(site)["en/press/only-en/index.html"])
    assert links == {
        "en": "https://example.org/portal/en/press/only-en/",
        "x-default": "https://example.org/portal/",
    }


def test_home_pages_alternate_with_each_other_and_the_root(tmp_path: Path) -> None:
    pages = render_pages(standard_site(tmp_path))
    expected = {
        "id": "https://example.org/portal/id/",
        "en": "https://example.org/portal/en/",
        "x-default": "https://example.org/portal/",
    }
    assert hreflang_map(pages["id/index.html"]) == expected
    assert hreflang_map(pages["en/index.html"]) == expected
    assert hreflang_map(pages["index.html"]) == expected


def test_root_lists_every_locale_home_and_redirects_by_browser_language(tmp_path: Path) -> None:
    root = render_pages(standard_site(tmp_path))["index.html"]
    links = root.css("main a")
    assert [
        (a.attributes["href"], a.attributes["hreflang"], a.attributes["lang"]) for a in links
    ] == [
        ("/portal/id/", "id", "id"),
        ("/portal/en/", "en", "en"),
    ]
    script = root.css_first("head script")
    assert script.attributes["src"] == "/portal/static/root.js"  # a file: no inline script
    homes = json.loads(script.attributes["data-homes"] or "")
    assert homes == {"id": "/portal/id/", "en": "/portal/en/"}
    assert script.attributes["data-default"] == "id"


# --------------------------------------------------------------------------- release page


def test_release_reads_like_a_release(tmp_path: Path) -> None:
    page = render_pages(standard_site(tmp_path))["id/press/scams-id/index.html"]
    article = page.css_first("main article.release")
    assert article is not None
    dateline = article.css_first(".dateline time")
    assert dateline is not None
    assert dateline.attributes["datetime"] == "2025-11-06T09:30:00+07:00"
    assert text(dateline) == "6 November 2025, 09.30 WIB"
    assert text(article.css_first("h1")) == "Release press/2025-11-06-scams in id"
    assert text(article.css_first("p.lead")) == "Summary in id."
    assert text(article.css_first(".updated")) == "Diperbarui: 7 November 2025, 08.00 WIB"
    contact = article.css_first(".contact")
    assert contact is not None and "Dewi Lestari" in text(contact)
    assert attrs(contact, "a", "href") == ["mailto:press@example.org", "tel:+62215550100"]
    assert attrs(article, ".tags a", "href") == ["/portal/id/tags/diplomacy/"]


def test_source_footer_in_both_locales(tmp_path: Path) -> None:
    pages = render_pages(standard_site(tmp_path))
    for path, label in (
        ("id/press/scams-id/index.html", "Sumber:"),
        ("en/press/scams-en/index.html", "Source:"),
    ):
        footer = pages[path].css_first("article .source")
        assert footer is not None
        assert text(footer) == f"{label} Báo Quốc tế"
        assert attrs(footer, "a", "href") == ["https://baoquocte.vn/viet-nam-338048.html"]
    assert pages["id/press/local/index.html"].css_first("article .source") is None


def test_gallery_figures_have_caption_and_localized_credit(tmp_path: Path) -> None:
    pages = render_pages(standard_site(tmp_path))
    for path, credit in (
        ("id/press/scams-id/index.html", "Foto: Bao Chi"),
        ("en/press/scams-en/index.html", "Photo: Bao Chi"),
    ):
        figures = pages[path].css(".gallery figure")
        assert len(figures) == 2
        caption = figures[0].css_first("figcaption")
        locale = path[:2]
        assert text(caption) == f"The deputy minister attends the conference. ({locale}) {credit}"
        link = figures[0].css_first("a.gallery-link")
        assert link is not None
        assert link.attributes["href"] == "/portal/img/press/2025-11-06-scams/photos/01-1600.jpeg"


def test_gallery_carries_the_localized_lightbox_labels(tmp_path: Path) -> None:
    page = render_pages(standard_site(tmp_path))["id/press/scams-id/index.html"]
    gallery = page.css_first("[data-gallery]")
    assert gallery is not None
    assert gallery.attributes["data-counter"] == "Foto {n} dari {total}"
    assert gallery.attributes["data-label-close"] == "Tutup"


def test_pictures_are_responsive_and_only_the_first_is_eager(tmp_path: Path) -> None:
    page = render_pages(standard_site(tmp_path))["en/press/scams-en/index.html"]
    pictures = page.css("main picture")
    assert len(pictures) == 2
    for i, picture in enumerate(pictures):
        sources = picture.css("source")
        assert [s.attributes["type"] for s in sources] == ["image/webp"]
        assert "480w" in (sources[0].attributes["srcset"] or "")
        assert sources[0].attributes.get("sizes")
        img = picture.css_first("img")
        assert img is not None
        assert img.attributes["src"].endswith("01-960.jpeg" if i == 0 else "02-960.jpeg")
        assert "960w" in (img.attributes["srcset"] or "")
        assert (img.attributes["width"], img.attributes["height"]) == ("960", "640")
        assert img.attributes["decoding"] == "async"
        assert img.attributes["alt"].startswith("The deputy minister")
        assert img.attributes.get("loading") == (None if i == 0 else "lazy")


def test_user_text_is_escaped(tmp_path: Path) -> None:
    s = render_settings(tmp_path)
    evil = "<script>alert(1)</script>"
    doc = make_doc(s, "press/2025-11-06-x", "id", title=f"Title {evil}", summary=evil)
    doc = replace(doc, photos=(replace(doc.photos[0], caption=f"Cap {evil}"),))
    pages = render_pages(assemble_site(s, [doc], now=NOW))
    for path in ("id/press/x/index.html", "id/index.html"):
        page = pages[path]
        for script in page.css("script"):  # only the theme's: site.js and the JSON-LD
            kind = script.attributes.get("type")
            assert script.attributes.get("src") or kind == "application/ld+json", path
            assert "<" not in script.text(), path
        assert evil in text(page.css_first("h1" if "press" in path else "h2"))
    page = pages["id/press/x/index.html"]
    assert evil in text(page.css_first("title"))
    assert evil in text(page.css_first(".gallery figcaption"))


def test_preview_banner_only_on_drafts_and_embargoed_releases(tmp_path: Path) -> None:
    s = render_settings(tmp_path)
    docs = [
        make_doc(s, "press/2025-11-06-draft", "id", draft=True),
        make_doc(s, "press/2025-11-05-embargo", "id", embargo=NOW + timedelta(days=1)),
        make_doc(s, "press/2025-11-04-public", "id", embargo=NOW - timedelta(days=1)),
    ]
    site = assemble_site(s, docs, now=NOW, include_drafts=True, preview=True)
    preview = render_pages(site, preview=True)
    assert "draf" in text(preview["id/press/draft/index.html"].css_first(".preview-banner"))
    banner = text(preview["id/press/embargo/index.html"].css_first(".preview-banner"))
    assert "diembargo hingga 2 Desember 2025, 12.00 WIB" in banner
    assert preview["id/press/public/index.html"].css_first(".preview-banner") is None
    published = render_pages(site)
    assert all(p.css_first(".preview-banner") is None for p in published.values())


# --------------------------------------------------------------------------- body placeholders


def test_body_placeholders_become_figures_and_urls(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    s = render_settings(tmp_path)
    body = (
        '<p>See <a href="presssite:doc:press/2025-11-01-other:en#facts">the other</a>, '
        '<a href="presssite:doc:press/2025-11-02-idonly:en">the Indonesian one</a>, '
        '<a href="presssite:doc:press/gone:en" title="t">a gone one</a> and '
        '<a href="presssite:file:files/report.pdf">the report</a>.</p>\n'
        '<presssite-figure src="photos/02.jpg" alt="Alt text"></presssite-figure>\n'
        '<presssite-figure src="photos/09.jpg" alt="Not in gallery"></presssite-figure>\n'
        '<p><img src="presssite:photo:photos/01.jpg" alt="inline"></p>\n'
    )
    docs = [
        make_doc(s, "press/2025-11-06-main", "en", body_html=body),
        make_doc(s, "press/2025-11-01-other", "en", day=1, slug="other-en"),
        make_doc(s, "press/2025-11-01-other", "id", day=1, slug="other-id"),
        make_doc(s, "press/2025-11-02-idonly", "id", day=2),
    ]
    with caplog.at_level(logging.WARNING, logger="presssite"):
        page = render_pages(assemble_site(s, docs, now=NOW))["en/press/main/index.html"]
    body_node = page.css_first(".release-body")
    assert body_node is not None
    links = {text(a): a.attributes["href"] for a in body_node.css("a")}
    assert links == {
        "the other": "/portal/en/press/other-en/#facts",
        "the Indonesian one": "/portal/id/press/idonly/",
        "the report": "/portal/en/press/main/files/report.pdf",
    }
    assert "a gone one" in text(body_node)
    assert any("press/gone" in r.getMessage() for r in caplog.records)
    figures = body_node.css("figure")
    assert (
        text(figures[0].css_first("figcaption"))
        == "The deputy minister speaks. (en) Photo: Bao Chi"
    )
    assert text(figures[1].css_first("figcaption")) == "Not in gallery"
    assert "presssite" not in (body_node.html or "")
    inline = body_node.css_first("p img")
    assert inline is not None
    assert inline.attributes["src"] == "/portal/img/press/2025-11-06-main/photos/01-960.jpeg"
    # The body's first figure is the page's first photo: eager; the gallery is lazy.
    first = figures[0].css_first("img")
    assert first is not None and first.attributes.get("loading") is None
    assert all(i.attributes.get("loading") == "lazy" for i in page.css(".gallery img"))


# --------------------------------------------------------------------------- lists


def test_home_pagination_links(tmp_path: Path) -> None:
    pages = render_pages(standard_site(tmp_path, page_size=2))
    first, second = pages["id/index.html"], pages["id/page/1/index.html"]
    assert attrs(first, '.pagination a[rel="next"]', "href") == ["/portal/id/page/1/"]
    assert first.css_first('.pagination a[rel="prev"]') is None
    assert attrs(second, '.pagination a[rel="prev"]', "href") == ["/portal/id/"]
    assert second.css_first('.pagination a[rel="next"]') is None
    # a page says which days it holds: its number counts from the oldest releases
    status = "Rilis dari 5 November 2025 sampai 6 November 2025"
    assert text(first.css_first(".pagination-status")) == status
    assert text(second.css_first(".pagination-status")) == "Rilis tanggal 4 November 2025"
    assert text(second.css_first("title")).endswith(" – Rilis tanggal 4 November 2025")
    assert " – " not in text(first.css_first("title"))
    assert text(first.css_first('.pagination a[rel="next"]')) == "Siaran pers lebih lama"
    titles = [text(a) for p in (first, second) for a in p.css(".teaser-title a")]
    assert titles == [
        "Release press/2025-11-06-scams in id",
        "Release press/2025-11-05-local in id",
        "Release press/2025-11-04-trade in id",
    ]
    assert pages["en/index.html"].css_first(".pagination") is None


def test_teasers_show_localized_date_and_small_lead_photo(tmp_path: Path) -> None:
    page = render_pages(standard_site(tmp_path))["en/index.html"]
    teaser = page.css(".teaser")[0]
    time = teaser.css_first("time")
    assert time is not None and time.attributes["datetime"] == "2025-11-06T09:30:00+07:00"
    assert text(time) == "November 6, 2025"
    img = teaser.css_first("picture img")
    assert img is not None and img.attributes["src"].endswith("01-960.jpeg")
    assert img.attributes.get("loading") is None  # the first photo of the page
    assert page.css(".teaser")[1].css_first("img").attributes.get("loading") == "lazy"


@pytest.mark.parametrize(
    ("locale", "date"),
    [("id", "6 November 2025"), ("en", "November 6, 2025"), ("vi", "6 tháng 11, 2025")],
    ids=["id", "en", "vi"],
)
def test_dates_in_each_locale(tmp_path: Path, locale: str, date: str) -> None:
    s = render_settings(tmp_path, ("id", "en", "vi"))
    site = assemble_site(
        s, now=NOW, docs=[make_doc(s, "press/2025-11-06-x", loc) for loc in s.locales]
    )
    pages = render_pages(site)
    assert text(pages[f"{locale}/index.html"].css_first(".teaser time")) == date
    assert text(pages[f"{locale}/press/x/index.html"].css_first(".dateline time")).startswith(date)


def test_tag_pages_and_index(tmp_path: Path) -> None:
    pages = render_pages(standard_site(tmp_path))
    index = pages["id/tags/index.html"]
    assert attrs(index, ".tag-index a", "href") == [
        "/portal/id/tags/diplomacy/",
        "/portal/id/tags/trade/",
    ]
    tag = pages["en/tags/diplomacy/index.html"]
    assert text(tag.css_first("h1")) == "Topic: diplomacy"
    assert attrs(tag, ".teaser-title a", "href") == ["/portal/en/press/scams-en/"]
    current = tag.css_first('nav.locale-switcher a[aria-current="page"]')
    assert current is not None and current.attributes["href"] == "/portal/en/tags/diplomacy/"


def test_not_found_page_uses_site_absolute_links(tmp_path: Path) -> None:
    page = render_pages(standard_site(tmp_path))["404.html"]
    assert text(page.css_first("h1")) == "Halaman tidak ditemukan"
    for selector, attr in (("a", "href"), ("link", "href"), ("script", "src")):
        for value in attrs(page, f"{selector}[{attr}]", attr):
            assert value.startswith(("/portal/", "#", "https://")), value


def test_image_lookup_is_asked_once_per_translation(tmp_path: Path) -> None:
    images = FakeImages()
    render_pages(standard_site(tmp_path, page_size=1), images=images)
    assert images.calls and set(images.calls.values()) == {1}


# --------------------------------------------------------------------------- site overrides


def test_site_template_override_wins_and_can_extend_the_theme(tmp_path: Path) -> None:
    site = standard_site(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "release.html").write_text(
        '{% extends "theme/release.html" %}\n'
        '{% block main %}<p class="mine">{{ _("Photos") }}</p>{{ super() }}{% endblock %}\n',
        encoding="utf-8",
    )
    pages = render_pages(site)
    page = pages["id/press/scams-id/index.html"]
    assert text(page.css_first("p.mine")) == "Foto"
    assert page.css_first("article.release") is not None
    assert pages["id/index.html"].css_first("p.mine") is None


def test_site_po_override_wins(tmp_path: Path) -> None:
    site = standard_site(tmp_path)
    po = tmp_path / "locales" / "id" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Source: %(link)s"\nmsgstr "Asal berita: %(link)s"\n',
        encoding="utf-8",
    )
    pages = render_pages(site)
    footer = pages["id/press/scams-id/index.html"].css_first(".source")
    assert text(footer) == "Asal berita: Báo Quốc tế"
    assert "Foto: Bao Chi" in text(pages["id/press/scams-id/index.html"].css_first(".gallery"))
    assert text(pages["en/press/scams-en/index.html"].css_first(".source")).startswith("Source:")


@pytest.mark.parametrize(
    ("template", "line", "message"),
    [
        ("{% extends 'base.html' %}\n{% block main %}\n{% if %}\n{% endblock %}\n", 3, "syntax"),
        (
            "{% extends 'base.html' %}\n{% block main %}\n\n{{ no_such_value }}\n{% endblock %}",
            4,
            "undefined",
        ),
    ],
    ids=["syntax", "undefined"],
)
def test_template_errors_name_file_and_line(
    tmp_path: Path, template: str, line: int, message: str
) -> None:
    site = standard_site(tmp_path)
    (tmp_path / "templates").mkdir()
    path = tmp_path / "templates" / "page.html"
    (tmp_path / "templates" / "tags.html").write_text(template, encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        render_pages(site)
    assert info.value.path is not None and info.value.path.name == "tags.html"
    assert info.value.path.parent == path.parent
    assert info.value.line == line
    assert message in info.value.message


def test_static_pages_render_with_page_template(tmp_path: Path) -> None:
    s = render_settings(tmp_path)
    about = [make_doc(s, f"{PAGES_SECTION}/about", loc, slug="about") for loc in s.locales]
    pages = render_pages(assemble_site(s, about, now=NOW))
    page = pages["en/about/index.html"]
    assert page.css_first("article.page h1") is not None
    assert attrs(page, ".site-nav a", "href") == [  # no release: no section yet
        "/portal/en/archive/",
        "/portal/en/about/",
        "/portal/en/tags/",
    ]
    assert "en/about/index.html" not in {
        a for a in attrs(pages["en/index.html"], ".teaser a", "href")
    }


def test_static_files_site_overrides_theme(tmp_path: Path) -> None:
    s = render_settings(tmp_path)
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "style.css").write_text("body{}", encoding="utf-8")
    (tmp_path / "static" / "logo.png").write_bytes(b"png")
    (tmp_path / "static" / ".DS_Store").write_bytes(b"")
    files = {f.path: f.source for f in sources.static_files(s)}
    assert files["static/style.css"] == tmp_path / "static" / "style.css"
    assert files["static/site.js"] == templating.THEME_DIR / "static" / "site.js"
    assert files["static/logo.png"] == tmp_path / "static" / "logo.png"
    assert "static/.DS_Store" not in files


def test_templates_are_compiled_before_pages_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Render workers fork after the warm-up: a template it left out (a partial, the base
    # template, a site's own) would be compiled again in every worker.
    s = render_settings(tmp_path)
    (tmp_path / "templates" / "partials").mkdir(parents=True)
    (tmp_path / "templates" / "partials" / "extra.html").write_text("<p>extra</p>")
    (tmp_path / "templates" / "broken.html").write_text("{% if %}")  # reported when used
    env = templating.make_environment(s)
    templating.warm_templates(env)
    loaded: list[str] = []
    load = env.loader.load
    monkeypatch.setattr(
        env.loader, "load", lambda e, name, g=None: loaded.append(name) or load(e, name, g)
    )
    for name in ("release.html", "base.html", "partials/social.html", "partials/extra.html"):
        env.get_template(name)
    files = render.render_site(standard_site(tmp_path), FakeImages(), env)
    assert any(f.path == "en/index.html" for f in files)
    assert loaded == []


def test_template_keys_follow_the_templates_each_kind_of_page_uses(tmp_path: Path) -> None:
    s = render_settings(tmp_path)
    site_templates = tmp_path / "templates"

    def keys() -> dict[str, str]:
        return templating.template_keys(templating.make_environment(s))

    first = keys()
    assert set(first) == set(templating.PAGE_TEMPLATES)
    assert len(set(first.values())) == len(first)  # each kind its own templates
    # A site's copy of a partial only releases include.
    (site_templates / "partials").mkdir(parents=True)
    (site_templates / "partials" / "social.html").write_text("<meta name=x>")
    second = keys()
    assert {k for k in first if first[k] != second[k]} == {"release"}
    # The figure partial is rendered from Python for releases and pages.
    (site_templates / "partials" / "figure.html").write_text("<figure></figure>")
    third = keys()
    assert {k for k in first if second[k] != third[k]} == {"release", "page"}
    # A template that does not parse could load anything: its kind follows every file.
    (site_templates / "tag.html").write_text("{% if %}")
    fourth = keys()
    (site_templates / "unused.html").write_text("<p>unused</p>")
    fifth = keys()
    assert {k for k in first if fourth[k] != fifth[k]} == {"tag"}
