"""Pages and feeds are made again exactly when something they read changed.

End-to-end builds of sites written here, with the build cache and without: the cache
must never change a byte, and ``BuildReport`` counts prove what was rendered again.
Also: a body's placeholders mean the same on a page and in its feed entry.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from conftest import make_site
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from presssite import build as build_
from presssite import settings as settings_

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"


def release(title: str, day: int, body: str = "Body.", tags: str = "[]") -> str:
    date = f"2026-01-{day:02d}T09:00:00+07:00"
    return f"---\ntitle: {title}\ndate: {date}\ntags: {tags}\n---\n\n{body}\n"


def run(root: Path, target: Path, **options: object) -> build_.BuildReport:
    return build_.build(settings_.load(root), target=target, now=NOW, jobs=1, **options)  # type: ignore[arg-type]


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_page_and_feed_agree_on_a_link_to_a_document_missing_in_the_locale(
    tmp_path: Path,
) -> None:
    # The en release links to a release that exists only in id (the default locale).
    root = make_site(
        tmp_path,
        {
            "content/press/2026-01-01-only-id/index.id.md": release("Hanya id", 1),
            "content/press/2026-01-02-main/index.en.md": release(
                "Main", 2, body="See [the other one](../2026-01-01-only-id/index.en.md)."
            ),
            "content/press/2026-01-02-main/index.id.md": release("Utama", 2),
            "content/press/2026-01-01-only-id/index.en.md": release("Only en draft", 1).replace(
                "tags: []", "draft: true"
            ),
        },
    )
    run(root, root / "build")

    page = HTMLParser((root / "build/en/press/main/index.html").read_bytes())
    link = next(a for a in page.css("main a") if a.text() == "the other one")
    on_page = link.attributes["href"]
    assert on_page == "/portal/id/press/only-id/"

    feed = ET.fromstring((root / "build/en/feed.xml").read_bytes())
    entry = next(e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == "Main")
    content = HTMLParser(entry.findtext(f"{ATOM}content") or "")
    in_feed = next(a for a in content.css("a") if a.text() == "the other one")
    assert in_feed.attributes["href"] == "https://example.org" + on_page


OTHERS = """{% extends "theme/release.html" %}
{% block main %}{{ super() }}
<ul class="others">{% for tag in doc_tags %}{% for other in tag.releases %}
{% if other.url != doc.url %}<li>{{ other.title }}</li>{% endif %}{% endfor %}{% endfor %}</ul>
{% endblock %}
"""


def test_a_release_page_listing_its_tags_releases_renders_again_when_one_joins(
    tmp_path: Path,
) -> None:
    files = {
        "templates/release.html": OTHERS,
        "content/press/2026-01-01-a/index.en.md": release("Alpha", 1, tags="[port]"),
        "content/press/2026-01-02-b/index.en.md": release("Beta", 2, tags="[port]"),
        "content/press/2026-01-03-c/index.en.md": release("Gamma", 3, tags="[farm]"),
    }
    root = make_site(tmp_path, files)
    run(root, root / "build")
    page = root / "build/en/press/a/index.html"
    assert [li.text() for li in HTMLParser(page.read_bytes()).css(".others li")] == ["Beta"]

    (root / "content/press/2026-01-04-d").mkdir()
    (root / "content/press/2026-01-04-d/index.en.md").write_text(release("Delta", 4, tags="[port]"))
    report = run(root, root / "build")

    assert [li.text() for li in HTMLParser(page.read_bytes()).css(".others li")] == [
        "Delta",
        "Beta",
    ]
    # The new release's page, the two releases of its tag and the lists it is on
    # (the en home, the tags index, the port topic, the press section, the archive and
    # its year), and the search page, which gathers the years' parts by their counts;
    # Gamma's page read nothing of it.
    rendered = {"en/press/d", "en/press/a", "en/press/b", "en", "en/tags", "en/tags/port"}
    rendered |= {"en/press", "en/archive", "en/archive/2026", "en/search"}
    assert report.pages_rendered == len(rendered)
    fresh = run(root, tmp_path / "fresh", cache=False)
    assert fresh.pages_rendered == report.pages_rendered + report.pages_reused
    assert tree(root / "build") == tree(tmp_path / "fresh")


def test_a_title_edit_renders_the_pages_that_show_the_title(tmp_path: Path) -> None:
    statement = release("Said", 5).replace("2026-01-05", "2025-06-05")
    files = {
        "content/press/2026-01-01-a/index.en.md": release("Alpha", 1, tags="[port]"),
        "content/press/2026-01-02-b/index.en.md": release(
            "Beta", 2, body="See [Alpha](../2026-01-01-a/index.en.md)."
        ),
        "content/statements/2025-06-05-said/index.en.md": statement,
    }
    root = make_site(tmp_path, files)
    run(root, root / "build")
    before = tree(root / "build")
    assert "en/archive/2025/index.html" in before and "en/statements/index.html" in before
    path = root / "content/press/2026-01-01-a/index.en.md"
    path.write_text(release("Alpha renamed", 1, tags="[port]"))
    report = run(root, root / "build")

    # Alpha's page and the lists that show its title: the en home, the port topic, the
    # press section and the archive's 2026 page. Beta links to its URL only; the
    # statements section, the archive's index (years and counts) and its 2025 page, and
    # the id pages show nothing of it.
    shown = {"en/press/a", "en", "en/tags/port", "en/press", "en/archive/2026"}
    assert report.pages_rendered == len(shown)
    after = tree(root / "build")
    changed = {p for p in after if p.endswith(".html") and after[p] != before.get(p)}
    assert changed == {f"{page}/index.html" for page in shown}
    assert "Alpha renamed" in after["en/archive/2026/index.html"].decode()
    # the en feed, the port topic's and the press section's carry the title
    assert {p for p in after if p.endswith(".xml") and after[p] != before[p]} >= {
        "en/feed.xml",
        "en/tags/port/feed.xml",
        "en/press/feed.xml",
    }
    run(root, tmp_path / "fresh", cache=False)
    assert tree(root / "build") == tree(tmp_path / "fresh")


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def alternates_in_sitemap(build_dir: Path, loc: str) -> dict[str, str]:
    """The hreflang alternates of the sitemap entry at ``loc``."""
    root = ET.fromstring((build_dir / "sitemap.xml").read_bytes())
    entry = next(u for u in root.iter(f"{SITEMAP}url") if u.findtext(f"{SITEMAP}loc") == loc)
    return {link.get("hreflang", ""): link.get("href", "") for link in entry.iter(f"{XHTML}link")}


def test_the_sitemap_follows_a_translation_moving_with_the_cache(tmp_path: Path) -> None:
    # The sitemap reads each release's URL, last change and its translations' URLs as
    # one value of the list: a translation's new slug reaches the entry of the other.
    root = make_site(
        tmp_path,
        {
            "content/press/2026-01-01-a/index.en.md": release("Alpha", 1),
            "content/press/2026-01-01-a/index.id.md": release("Alfa", 1),
            "content/press/2026-01-02-b/index.en.md": release("Beta", 2),
        },
    )
    run(root, root / "build")
    en = "https://example.org/portal/en/press/a/"
    assert alternates_in_sitemap(root / "build", en)["id"].endswith("/portal/id/press/a/")
    path = root / "content/press/2026-01-01-a/index.id.md"
    path.write_text(release("Alfa", 1).replace("tags: []", "tags: []\nslug: alfa-baru"))
    run(root, root / "build")
    assert alternates_in_sitemap(root / "build", en)["id"].endswith("/portal/id/press/alfa-baru/")
    run(root, tmp_path / "fresh", cache=False)
    assert tree(root / "build") == tree(tmp_path / "fresh")
