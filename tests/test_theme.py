"""The portal in its own colours: [theme], base.html's blocks, static_url, build warnings."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_photo, make_site, run_cli
from factories import DEFAULT_SETTINGS
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from presssite.render import theme

RELEASE = """---
title: "Rilis"
date: 2026-03-02T09:00:00+07:00
summary: "Ringkasan."
---
Isi.
"""


def build(site: Path) -> tuple[str, Path]:
    result = run_cli("build", "--site", site, "--out", site / "build")
    assert result.returncode == 0, result.stderr
    return result.stderr, site / "build"


def pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if p.name != "index.html" or p.parent != out)


def test_logo_brand_colour_footer_links_and_favicon(tmp_path):
    site = make_site(
        tmp_path,
        {
            "content/press/2026-03-02-x/index.id.md": RELEASE,
            "content/press/2026-03-02-x/index.en.md": RELEASE.replace("Rilis", "Release"),
        },
        settings=DEFAULT_SETTINGS
        + """
[theme]
logo = "static/brand/logo.png"
brand_color = "#7A1F1F"
favicon = "static/icon.png"
[theme.footer_links]
id = [{ text = "Kontak", url = "/portal/id/kontak/" }]
en = [
  { text = "Contact", url = "/portal/en/contact/" },
  { text = "Privacy", url = "/portal/en/privacy/" },
]
""",
    )
    make_photo(site / "static/brand/logo.png", size=(200, 80), fmt="PNG")
    make_photo(site / "static/icon.png", size=(32, 32), fmt="PNG")
    stderr, out = build(site)
    assert "brand_color" not in stderr  # #7a1f1f passes AA against white
    assert (out / "static/brand.css").read_text() == ":root {\n  --brand: #7a1f1f;\n}\n"
    assert "var(--brand)" in (out / "static/style.css").read_text()
    checked = 0
    for path in sorted(out.glob("*/**/index.html")):
        tree = HTMLParser(path.read_text("utf-8"))
        lang = tree.css_first("html").attributes["lang"]
        logo = tree.css_first("header .site-title img.site-logo")
        assert logo is not None, path
        assert logo.attributes["src"] == "/portal/static/brand/logo.png"
        assert logo.attributes["alt"] == {"id": "Portal Uji", "en": "Test Portal"}[lang]
        hrefs = [link.attributes["href"] for link in tree.css('link[rel="stylesheet"]')]
        assert hrefs[-1] == "/portal/static/brand.css", path
        assert tree.css_first('link[rel="icon"]').attributes["href"] == "/portal/static/icon.png"
        footer = [a.text() for a in tree.css("footer.site-footer .footer-links a")]
        wanted = {"id": ["Kontak"], "en": ["Contact", "Privacy"]}[lang]
        assert footer[: len(wanted)] == wanted, path
        assert not tree.css("[style]")  # no inline style: a strict CSP holds
        checked += 1
    assert checked >= 6


def test_publisher_logo_and_favicon_ico_are_the_defaults(tmp_path):
    site = make_site(
        tmp_path,
        {"content/press/2026-03-02-x/index.id.md": RELEASE, "static/favicon.ico": b"\0\0\1\0"},
        settings=DEFAULT_SETTINGS + '[publisher]\nname = "Kedutaan"\nlogo = "static/logo.png"\n',
    )
    make_photo(site / "static/logo.png", size=(120, 60), fmt="PNG")
    _, out = build(site)
    tree = HTMLParser((out / "id/index.html").read_text("utf-8"))
    assert tree.css_first("img.site-logo").attributes["src"] == "/portal/static/logo.png"
    assert tree.css_first('link[rel="icon"]').attributes["href"] == "/portal/static/favicon.ico"
    assert not (out / "static/brand.css").exists()


def test_a_brand_colour_failing_aa_is_a_warning(tmp_path):
    site = make_site(
        tmp_path,
        {"content/press/2026-03-02-x/index.id.md": RELEASE},
        settings=DEFAULT_SETTINGS + '[theme]\nbrand_color = "#ffcc00"\n',
    )
    stderr, _ = build(site)
    assert "brand_color #ffcc00" in stderr and "WCAG AA" in stderr
    assert "presssite.toml" in stderr


@pytest.mark.parametrize(
    ("color", "ratio"),
    [("#000000", 21.0), ("#ffffff", 1.0), ("#767676", 4.54), ("#7a1f1f", 10.28)],
    ids=["black", "white", "grey-aa-edge", "brand"],
)
def test_contrast_against_white(color, ratio):
    assert theme.contrast(color, "#ffffff") == pytest.approx(ratio, abs=0.05)


@pytest.mark.parametrize(
    ("size", "locale", "text"),
    [
        (999, "en", "999 B"),
        (54_527, "en", "55 KB"),
        (2_412_000, "id", "2,4 MB"),
        (2_412_000, "en", "2.4 MB"),
        (12_400_000, "en", "12 MB"),
    ],
    ids=["bytes", "kilobytes", "megabytes-id", "megabytes-en", "large"],
)
def test_file_sizes_read_as_people_read_them(size, locale, text):
    assert theme.filesize(size, locale) == text


def test_a_site_template_overrides_the_footer_block_and_uses_static_url(tmp_path):
    base = """{% extends "theme/base.html" %}
{% block footer %}<footer class="site-footer custom">
<a href="{{ static_url('press.pdf') }}">PDF</a></footer>{% endblock %}
"""
    site = make_site(
        tmp_path,
        {
            "content/press/2026-03-02-x/index.id.md": RELEASE,
            "templates/base.html": base,
            "static/press.pdf": b"%PDF-1.4\n",
        },
    )
    stderr, out = build(site)
    assert "block" not in stderr
    tree = HTMLParser((out / "id/index.html").read_text("utf-8"))
    footer = tree.css_first("footer.site-footer.custom")
    assert footer is not None
    assert footer.css_first("a").attributes["href"] == "/portal/static/press.pdf"
    assert not tree.css(".footer-links")  # the theme's footer is replaced


def test_an_unknown_block_in_a_site_template_is_a_warning(tmp_path):
    release = """{% extends "theme/release.html" %}
{% block footr %}misspelt{% endblock %}
"""
    site = make_site(
        tmp_path,
        {"content/press/2026-03-02-x/index.id.md": RELEASE, "templates/release.html": release},
    )
    stderr, _ = build(site)
    assert "templates/release.html:2: block 'footr' is not in theme/release.html" in stderr
    assert "footer" in stderr  # the blocks it could have meant are listed
