"""Sections, the dated archive and the robots.txt note, end to end on fixture sites."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from conftest import DEFAULT_SETTINGS, make_site, run_cli
from selectolax.lexbor import LexborHTMLParser

NOW = "2026-03-01T12:00:00+07:00"
SETTINGS = (
    DEFAULT_SETTINGS
    + """page_size = 2

[sections]
order = ["statements", "press"]

[sections.statements]
title = { id = "Pernyataan", en = "Statements" }
"""
)


def release(title: str, date: str, **extra: str) -> str:
    lines = ["---", f"title: {json.dumps(title)}", f"date: {date}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join([*lines, "---", "", f"Isi {title}.", ""])


def html(root: Path, path: str) -> LexborHTMLParser:
    return LexborHTMLParser((root / "build" / path).read_text(encoding="utf-8"))


def texts(tree: LexborHTMLParser, selector: str) -> list[str]:
    return [" ".join(n.text().split()) for n in tree.css(selector)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {
        "content/press/2025-11-03-a/index.id.md": release(
            "Rilis November", "2025-11-03T09:00:00+07:00"
        ),
        "content/press/2025-11-03-a/index.en.md": release(
            "November release", "2025-11-03T09:00:00+07:00"
        ),
        "content/press/2026-01-10-b/index.id.md": release(
            "Rilis Januari", "2026-01-10T09:00:00+07:00"
        ),
        "content/press/2026-02-10-c/index.id.md": release(
            "Rilis Februari", "2026-02-10T09:00:00+07:00"
        ),
        "content/statements/2025-12-31-d/index.id.md": release(
            "Pernyataan Akhir Tahun", "2025-12-31T20:00:00+07:00"
        ),
        "content/statements/2026-02-20-e/index.id.md": release(
            "Pernyataan Februari", "2026-02-20T09:00:00+07:00"
        ),
        # never counted: a draft, an embargoed and an expired release
        "content/statements/2026-02-21-draft/index.id.md": release(
            "Konsep", "2026-02-21T09:00:00+07:00", draft="true"
        ),
        "content/statements/2026-02-22-later/index.id.md": release(
            "Nanti", "2026-02-22T09:00:00+07:00", embargo="2026-04-01T09:00:00+07:00"
        ),
        "content/speeches/2024-05-01-old/index.id.md": release(
            "Pidato Lama", "2024-05-01T09:00:00+07:00", expires="2025-05-01T09:00:00+07:00"
        ),
        "content/pages/tentang/index.id.md": release("Tentang", "2025-01-01T09:00:00+07:00"),
    }
    root = make_site(tmp_path_factory.mktemp("sections"), files, settings=SETTINGS)
    result = run_cli("build", "--site", root, "--now", NOW)
    assert result.returncode == 0, result.stderr
    return root


def test_every_section_has_a_paginated_list(site: Path) -> None:
    first = html(site, "id/press/index.html")
    assert texts(first, "h1") == ["Siaran pers"]  # the theme's label for press
    assert texts(first, ".teaser-title") == ["Rilis Februari", "Rilis Januari"]
    second = html(site, "id/press/page/1/index.html")
    assert texts(second, ".teaser-title") == ["Rilis November"]
    statements = html(site, "id/statements/index.html")
    assert texts(statements, "h1") == ["Pernyataan"]
    assert texts(statements, ".teaser-title") == ["Pernyataan Februari", "Pernyataan Akhir Tahun"]
    assert texts(html(site, "en/statements/index.html"), "h1") == ["Statements"]
    # a section whose only release expired still has its (empty) list, titled by folder
    assert texts(html(site, "id/speeches/index.html"), "h1") == ["Speeches"]
    assert not (site / "build/id/pages/index.html").exists()


def test_navigation_lists_sections_in_order_then_archive(site: Path) -> None:
    nav = texts(html(site, "id/index.html"), ".site-nav a")
    assert nav[:4] == ["Pernyataan", "Siaran pers", "Speeches", "Arsip"]
    assert "Tentang" in nav


def test_home_labels_each_item_with_its_section(site: Path) -> None:
    home = html(site, "id/index.html")
    items = [
        (t.css_first(".teaser-title").text(strip=True), t.css_first(".section-label").text())
        for t in home.css(".teaser")
    ]
    assert items == [("Pernyataan Februari", "Pernyataan"), ("Rilis Februari", "Siaran pers")]
    assert home.css_first('.site-footer a[href="/portal/id/archive/"]') is not None
    assert home.css_first('main a[href="/portal/id/archive/"]') is not None


def test_each_section_has_its_own_feed(site: Path) -> None:
    feed = feedparser.parse((site / "build/id/statements/feed.xml").read_bytes())
    assert feed.feed.title == "Portal Uji: Pernyataan"
    assert [e.title for e in feed.entries] == ["Pernyataan Februari", "Pernyataan Akhir Tahun"]
    press = feedparser.parse((site / "build/en/press/feed.xml").read_bytes())
    assert [e.title for e in press.entries] == ["November release"]


def test_archive_lists_years_with_public_counts(site: Path) -> None:
    archive = html(site, "id/archive/index.html")
    assert texts(archive, ".archive-years li") == ["2026 (3 rilis)", "2025 (2 rilis)"]
    assert not (site / "build/id/archive/2024").exists()  # only an expired release was there
    en = html(site, "en/archive/index.html")
    assert texts(en, ".archive-years li") == ["2025 (1 release)"]


def test_archive_year_groups_by_month_with_labels(site: Path) -> None:
    year = html(site, "id/archive/2026/index.html")
    assert texts(year, "h2") == ["Februari", "Januari"]
    february = year.css(".archive-month")[0]
    assert texts(february, ".archive-list > li > a") == ["Pernyataan Februari", "Rilis Februari"]
    assert texts(february, ".section-label") == ["Pernyataan", "Siaran pers"]
    whole = year.body.text()
    assert "Konsep" not in whole and "Nanti" not in whole
    older = year.css_first('a[rel="next"]')
    assert older is not None and older.attributes["href"] == "/portal/id/archive/2025/"
    december = html(site, "id/archive/2025/index.html")
    assert texts(december, "h2") == ["Desember", "November"]
    assert texts(html(site, "en/archive/2025/index.html"), "h2") == ["November"]


def test_sitemap_lists_section_and_archive_pages(site: Path) -> None:
    sitemap = (site / "build/sitemap.xml").read_text(encoding="utf-8")
    for path in ("id/statements/", "id/press/page/1/", "id/archive/", "id/archive/2025/"):
        assert f"https://example.org/portal/{path}</loc>" in sitemap
    assert "/search/" not in sitemap


def test_unknown_section_settings_are_errors(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {},
        settings=DEFAULT_SETTINGS
        + '[sections.pages]\ntitle = "X"\n[sections.statements]\nname = "x"\n',
    )
    result = run_cli("build", "--site", root)
    assert result.returncode != 0
    assert "sections.pages" in result.stderr and "not a section name" in result.stderr
    assert "sections.statements.name" in result.stderr and "unknown key" in result.stderr


def test_new_release_in_any_section(tmp_path: Path) -> None:
    root = make_site(tmp_path, {})
    result = run_cli("new", "statements", "Pernyataan Pers", "--date", "2026-01-05", "--site", root)
    assert result.returncode == 0, result.stderr
    bundle = root / "content/statements/2026-01-05-pernyataan-pers"
    assert sorted(p.name for p in bundle.iterdir()) == ["index.en.md", "index.id.md"]
    # a draft: published by a build that shows drafts
    built = run_cli("build", "--site", root, "--now", "2026-02-01T00:00:00+07:00", "--drafts")
    assert built.returncode == 0, built.stderr
    assert texts(html(root, "id/statements/index.html"), ".teaser-title") == ["Pernyataan Pers"]
    refused = run_cli("new", "pages", "Tentang", "--site", root)
    assert refused.returncode != 0 and "not a section" in refused.stderr


def test_robots_note_under_a_sub_path_only(tmp_path: Path) -> None:
    a = release("A", "2026-01-05T09:00:00+07:00", summary="Ringkasan A.")
    files = {"content/press/2026-01-05-a/index.id.md": a}
    sub = make_site(tmp_path / "sub", files)
    result = run_cli("build", "--site", sub)
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stdout.splitlines() if "robots.txt" in line]
    assert len(notes) == 1 and "note:" in notes[0]
    assert "https://example.org/portal/sitemap.xml" in notes[0]
    assert "warning" not in result.stderr.lower()
    custom = make_site(
        tmp_path / "cname", files, settings=DEFAULT_SETTINGS + 'cname = "press.example.org"\n'
    )
    result = run_cli("build", "--site", custom)
    assert result.returncode == 0, result.stderr
    assert "robots.txt" not in result.stdout + result.stderr


def test_a_section_may_not_take_a_name_the_build_uses(tmp_path: Path) -> None:
    files = {"content/tags/2026-01-05-a/index.id.md": release("A", "2026-01-05T09:00:00+07:00")}
    root = make_site(tmp_path, files)
    result = run_cli("build", "--site", root)
    assert result.returncode == 1
    assert "content/tags" in result.stderr and "rename the folder" in result.stderr
    assert not (root / "build").exists()
    # new and import refuse such a section before writing anything
    refused = run_cli("new", "archive", "Arsip", "--site", root)
    assert refused.returncode != 0 and "/<locale>/archive/" in refused.stderr
    assert not (root / "content/archive").exists()
