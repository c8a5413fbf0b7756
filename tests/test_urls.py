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
