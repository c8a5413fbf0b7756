"""Localization end to end: the example site in both locales, fallbacks, site catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, make_site, run_cli
from factories import release
from selectolax.lexbor import LexborHTMLParser

FLOOD = "press/flood-relief-assistance/index.html"


def squeeze(text: str) -> str:
    return " ".join(text.split())


def text_of(tree: LexborHTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    assert node is not None, selector
    return squeeze(node.text())


SOURCE = "\n  name: Kantor Berita\n  url: https://news.example/x"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "build"
    result = run_cli("build", "--site", REPO, "--out", out, "--now", "2026-12-01T00:00:00+07:00")
    assert result.returncode == 0, result.stderr
    return out


def page(out: Path, path: str) -> LexborHTMLParser:
    return LexborHTMLParser((out / path).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("locale", "dateline", "updated", "source", "skip"),
    [
        (
            "id",
            "10 November 2026, 11.00 WIB",
            "Diperbarui: 12 November 2026, 15.00 WIB",
            "Sumber:",
            "Langsung ke konten utama",
        ),
        (
            "en",
            "November 10, 2026, 11:00\u202fAM WIB",
            "Updated: November 12, 2026, 3:00\u202fPM WIB",
            "Source:",
            "Skip to main content",
        ),
    ],
    ids=["id", "en"],
)
def test_example_release_is_localized(
    example: Path, locale: str, dateline: str, updated: str, source: str, skip: str
) -> None:
    tree = page(example, f"{locale}/{FLOOD}")
    assert tree.css_first("html").attributes["lang"] == locale
    assert text_of(tree, ".dateline") == squeeze(dateline)
    assert text_of(tree, ".updated") == squeeze(updated)
    assert text_of(tree, ".source").startswith(source)
    assert text_of(tree, "a.skip-link") == skip


@pytest.mark.parametrize(
    ("locale", "date", "status", "feed"),
    [
        (
            "id",
            "27 November 2026",
            "Rilis dari 10 November 2026 sampai 27 November 2026",
            "Umpan Atom",
        ),
        (
            "en",
            "November 27, 2026",
            "Releases from November 10, 2026 to November 27, 2026",
            "Atom feed",
        ),
    ],
    ids=["id", "en"],
)
def test_example_home_is_localized(
    example: Path, locale: str, date: str, status: str, feed: str
) -> None:
    tree = page(example, f"{locale}/index.html")
    assert text_of(tree, ".teasers time") == date
    assert text_of(tree, ".pagination-status") == status
    assert feed in text_of(tree, "footer.site-footer")


def test_example_missing_translation_says_not_yet_translated(example: Path) -> None:
    tree = page(example, "id/press/scholarship-programme-2027/index.html")
    en = next(a for a in tree.css(".locale-switcher a") if a.attributes["hreflang"] == "en")
    assert en.attributes["href"] == "/portal/en/"
    assert text_of(en, ".missing-note") == "(belum diterjemahkan)"


def test_locale_without_a_catalog_falls_back_to_english_with_a_warning(tmp_path: Path) -> None:
    settings = (
        'base_url = "https://example.org/"\ndefault_locale = "id"\n'
        'locales = ["id", "de"]\ntimezone = "Europe/Berlin"\n'
    )
    root = make_site(
        tmp_path,
        {
            "content/press/2026-01-10-x/index.id.md": release("Rilis", source=SOURCE),
            "content/press/2026-01-10-x/index.de.md": release("Mitteilung", source=SOURCE),
        },
        settings=settings,
    )
    result = run_cli("build", "--site", root)
    assert result.returncode == 0, result.stderr
    assert "warning:" in result.stderr and "'de'" in result.stderr
    assert "locales/de/LC_MESSAGES/messages.po" in result.stderr
    de = page(root / "build", "de/press/x/index.html")
    assert text_of(de, "a.skip-link") == "Skip to main content"  # English strings
    assert text_of(de, ".source").startswith("Source:")
    assert text_of(de, ".dateline").startswith("10. Januar 2026")  # Babel's German formats
    id_page = page(root / "build", "id/press/x/index.html")
    assert text_of(id_page, ".source").startswith("Sumber:")


def test_site_catalog_overrides_and_adds_locales_through_build(tmp_path: Path) -> None:
    po_id = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Source: %(link)s"\nmsgstr "Asal berita: %(link)s"\n'
    )
    po_fr = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Skip to main content"\nmsgstr "Aller au contenu principal"\n'
    )
    settings = (
        'base_url = "https://example.org/"\ndefault_locale = "id"\n'
        'locales = ["id", "fr"]\ntimezone = "Asia/Jakarta"\n'
    )
    root = make_site(
        tmp_path,
        {
            "locales/id/LC_MESSAGES/messages.po": po_id,
            "locales/fr/LC_MESSAGES/messages.po": po_fr,
            "content/press/2026-01-10-x/index.id.md": release(
                "Rilis", source=SOURCE, summary="Ringkasan."
            ),
            "content/press/2026-01-10-x/index.fr.md": release(
                "Communiqué", source=SOURCE, summary="Résumé."
            ),
        },
        settings=settings,
    )
    result = run_cli("build", "--site", root)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    id_page = page(root / "build", "id/press/x/index.html")
    assert text_of(id_page, ".source").startswith("Asal berita:")  # the site's string wins
    assert text_of(id_page, "a.skip-link") == "Langsung ke konten utama"  # the theme fills in
    fr = page(root / "build", "fr/press/x/index.html")
    assert text_of(fr, "a.skip-link") == "Aller au contenu principal"
    assert text_of(fr, ".source").startswith("Source:")  # English msgid as last resort
    assert text_of(fr, ".dateline").startswith("10 janvier 2026")

    # A catalog edit reaches the next build with no compile step.
    (root / "locales/id/LC_MESSAGES/messages.po").write_text(
        po_id.replace("Asal berita", "Sumber berita"), encoding="utf-8"
    )
    assert run_cli("build", "--site", root).returncode == 0
    id_page = page(root / "build", "id/press/x/index.html")
    assert text_of(id_page, ".source").startswith("Sumber berita:")


def test_vietnamese_pages_use_the_theme_catalog_and_cldr_dates(tmp_path: Path) -> None:
    settings = (
        'base_url = "https://example.org/"\ndefault_locale = "vi"\n'
        'locales = ["vi", "en"]\ntimezone = "Asia/Ho_Chi_Minh"\n'
    )
    root = make_site(
        tmp_path,
        {"content/press/2026-01-10-x/index.vi.md": release("Thông cáo", source=SOURCE)},
        settings=settings,
    )
    result = run_cli("build", "--site", root)
    assert result.returncode == 0, result.stderr
    vi = page(root / "build", "vi/press/x/index.html")
    assert text_of(vi, ".source").startswith("Nguồn:")
    assert text_of(vi, ".dateline").startswith("10 tháng 1, 2026")
    en = next(a for a in vi.css(".locale-switcher a") if a.attributes["hreflang"] == "en")
    assert text_of(en, ".missing-note") == "(chưa có bản dịch)"
