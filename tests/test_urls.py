"""URL policy: slugs, permalinks under a sub-path, output paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_settings

from presssite import urls

PAGES_URL = "https://user.github.io/portal/"  # a GitHub Pages project site


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Lê Anh Tuấn", "le-anh-tuan"),
        ("Đặng Hoàng Giang gặp Bộ trưởng", "dang-hoang-giang-gap-bo-truong"),
        ("Kerja Sama Indonesia–Vietnam 2025", "kerja-sama-indonesia-vietnam-2025"),
        ("  <script>alert(1)</script> ", "script-alert-1-script"),
    ],
    ids=["vietnamese-name", "vietnamese-sentence", "en-dash", "markup"],
)
def test_slugify_gives_ascii(text: str, slug: str) -> None:
    assert urls.slugify(text) == slug


@pytest.mark.parametrize(
    ("folder", "slug"),
    [
        ("2025-11-06-global-partnership", "global-partnership"),
        ("about", "about"),
        ("2025-11-06", "2025-11-06"),
    ],
    ids=["date-prefix", "no-date", "only-date"],
)
def test_bundle_slug_drops_the_date_prefix(folder: str, slug: str) -> None:
    assert urls.bundle_slug(folder) == slug


def test_urls_honour_the_sub_path(tmp_path: Path) -> None:
    s = make_settings(tmp_path, base_url=PAGES_URL)
    assert urls.home(s, "id") == "/portal/id/"
    assert urls.home(s, "id", 3) == "/portal/id/page/3/"
    assert urls.document(s, "en", "press", "x") == "/portal/en/press/x/"
    assert urls.document(s, "en", "pages", "about") == "/portal/en/about/"
    assert urls.tag(s, "id", "energi", 2) == "/portal/id/tags/energi/page/2/"
    assert urls.feed(s, "en") == "/portal/en/feed.xml"
    assert urls.absolute(s, "/portal/en/press/x/") == "https://user.github.io/portal/en/press/x/"
    assert urls.output_path(s, "/portal/en/press/x/") == "en/press/x/index.html"
    assert urls.output_path(s, "/portal/") == "index.html"
    assert urls.output_path(s, "/portal/en/feed.xml") == "en/feed.xml"


def test_urls_at_the_domain_root(tmp_path: Path) -> None:
    s = make_settings(tmp_path, base_url="https://press.example.org")
    assert urls.home(s, "en") == "/en/"
    assert urls.absolute(s, "/en/") == "https://press.example.org/en/"


def test_output_path_refuses_urls_outside_the_base(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        urls.output_path(make_settings(tmp_path, base_url=PAGES_URL), "/elsewhere/x/")


def test_search_parts_gather_years_and_keep_the_older_ones_as_releases_come(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(urls, "PART_PAGES", 500)
    years = [(2025, 100), (2024, 300), (2023, 100), (2022, 100), (2021, 250), (2020, 900)]
    parts = urls.search_parts("en", years, True)
    assert parts == [
        ((2025, 2024), "pagefind/"),  # the newest part: in the main folder
        ((2023, 2022, 2021), "pagefind/en/2021/"),  # 2024 would take them over 500
        ((2020,), "pagefind/en/2020/"),  # over 500 alone: a part of its own
    ]
    # a new year joins the newest part while it has room; the older ones stay
    assert urls.search_parts("en", [(2026, 50), *years], True)[1:] == parts[1:]
    # once it is full, a new part begins, and the last newest one moves to its folder
    later = urls.search_parts("en", [(2026, 150), *years], True)
    assert later[:2] == [((2026,), "pagefind/"), ((2025, 2024), "pagefind/en/2024/")]
    assert later[2:] == parts[1:]
    assert urls.search_parts("en", [], True) == [((), "pagefind/")]  # static pages alone
    assert urls.search_parts("en", [], False) == []  # nothing to search
    # a site of a thousand releases has one index a locale
    monkeypatch.undo()
    assert len(urls.search_parts("en", [(2025, 333), (2024, 333), (2023, 334)], True)) == 1
