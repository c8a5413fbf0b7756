"""Content: discovering bundles, loading translations, collecting errors, the parse cache.

Every test writes a real content folder under ``tmp_path``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from factories import make_settings

from presssite.content import load as content
from presssite.errors import PresssiteError
from presssite.model import Bundle, Translation
from presssite.settings import Contact

WIB = timezone(timedelta(hours=7))


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, data in files.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def md(title: str = "T", *front: str, body: str = "Body.\n") -> str:
    return "\n".join(
        ["---", f"title: {title}", "date: 2025-11-06T09:30:00+07:00", *front, "---", body]
    )


def by_id(loaded: content.Loaded) -> dict[str, Bundle]:
    return {b.id: b for b in loaded.bundles}


def messages(loaded: content.Loaded) -> list[str]:
    return [e.format(relative_to=None) for e in loaded.errors]


RELEASE = "press/2025-11-06-global-partnership"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {
            f"{RELEASE}/index.id.md": md(
                "Kemitraan global",
                "tags: [diplomasi]",
                "photos:",
                "  - src: photos/01.jpg",
                "    caption: Wakil menteri.",
                "    credit: Bao Chi",
                body="Isi.\n\n![Foto kedua.](photos/02.jpg)\n\n![](photos/01.jpg)\n",
            ),
            f"{RELEASE}/index.en.md": md(
                "Global partnership",
                "slug: Lê Anh Tuấn meets partners",
                "draft: true",
                "embargo: 2099-01-01T00:00:00+07:00",
                "contact: {name: Dewi Lestari, email: dewi@example.org}",
                "extra: {place: Bangkok}",
                body="See [the other](../2025-11-07-other/index.en.md).\n",
            ),
            f"{RELEASE}/photos/01.jpg": b"jpeg-1",
            f"{RELEASE}/photos/02.jpg": b"jpeg-2",
            "press/2025-11-07-other/index.en.md": md("Other"),
            "pages/about/index.id.md": md("Tentang kami"),
            "pages/about/index.en.md": md("About us"),
            "press/.hidden/index.en.md": md("Hidden"),
            "press/2025-11-08-notes/readme.txt": "not a bundle",
        },
    )
    return tmp_path


# --------------------------------------------------------------------------- discover


def test_discover_finds_bundle_folders_sorted_and_skips_hidden(site: Path) -> None:
    found = content.discover(make_settings(site))
    rel = [p.relative_to(site / "content").as_posix() for p in found]
    assert rel == ["pages/about", RELEASE, "press/2025-11-07-other"]


def test_discover_without_a_content_folder_finds_nothing(tmp_path: Path) -> None:
    assert content.discover(make_settings(tmp_path)) == []
    loaded = content.load(make_settings(tmp_path))
    assert (loaded.bundles, loaded.errors, loaded.parsed) == ((), (), 0)


# --------------------------------------------------------------------------- load


def test_load_makes_translations(site: Path) -> None:
    settings = make_settings(site, contact={"name": "Press Office"})
    loaded = content.load(settings)
    assert messages(loaded) == []
    assert loaded.parsed == 5 and loaded.reused == 0
    bundles = by_id(loaded)
    assert list(bundles) == ["pages/about", RELEASE, "press/2025-11-07-other"]

    release = bundles[RELEASE]
    assert release.section == "press"
    assert release.dir == site / "content" / RELEASE
    assert list(release.translations) == ["id", "en"]  # the settings' locale order

    doc_id: Translation = release.translations["id"]
    assert (doc_id.bundle, doc_id.section, doc_id.locale) == (RELEASE, "press", "id")
    assert doc_id.title == "Kemitraan global"
    assert doc_id.date == datetime(2025, 11, 6, 9, 30, tzinfo=WIB)
    assert doc_id.slug == "global-partnership"  # folder name without its date
    assert doc_id.url == "/portal/id/press/global-partnership/"
    assert doc_id.tags == ("diplomasi",)
    assert doc_id.contact == Contact(name="Press Office")  # the site's default
    assert doc_id.lines["photos[0].src"] == 6
    path = site / "content" / RELEASE / "index.id.md"
    assert doc_id.path == path
    assert doc_id.digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert '<presssite-figure src="photos/02.jpg"' in doc_id.body_html

    # The gallery first, then photos used only in the body, captioned by their alt text.
    assert [(p.src, p.caption, p.in_gallery, p.decorative) for p in doc_id.photos] == [
        ("photos/01.jpg", "Wakil menteri.", True, False),
        ("photos/02.jpg", "Foto kedua.", False, False),
    ]
    assert doc_id.photos[0].path == site / "content" / RELEASE / "photos" / "01.jpg"
    assert doc_id.photos[0].credit == "Bao Chi"
    assert doc_id.photos[1].line == 12

    doc_en = release.translations["en"]
    assert doc_en.slug == "le-anh-tuan-meets-partners"  # Vietnamese slug from front matter
    assert doc_en.url == "/portal/en/press/le-anh-tuan-meets-partners/"
    assert doc_en.draft is True and doc_en.embargo is not None  # loaded all the same
    assert doc_en.contact == Contact(name="Dewi Lestari", email="dewi@example.org")
    assert doc_en.extra == {"place": "Bangkok"}
    assert [(r.kind, r.line) for r in doc_en.references] == [("doc", 10)]

    page = bundles["pages/about"].translations["en"]
    assert (page.section, page.is_page, page.url) == ("pages", True, "/portal/en/about/")


@pytest.mark.parametrize(
    ("files", "rel", "line", "key", "fragment"),
    [
        pytest.param(
            {"press/x/index.fr.md": md()},
            "press/x/index.fr.md",
            None,
            None,
            "locale 'fr' is not one of the site's locales: id, en",
            id="unknown-locale",
        ),
        pytest.param(
            {"press/x/index.md": md()},
            "press/x/index.md",
            None,
            None,
            "index.md has no locale",
            id="bare-index",
        ),
        pytest.param(
            {"about/index.en.md": md()},
            "about/index.en.md",
            None,
            None,
            "has no section",
            id="no-section",
        ),
        pytest.param(
            {"index.en.md": md()},
            "index.en.md",
            None,
            None,
            "has no section",
            id="content-root",
        ),
        pytest.param(
            {"press/x/index.en.md": b"---\ntitle: T\ndate: 2025-11-06\n---\nA\n\xff\xfe\n"},
            "press/x/index.en.md",
            6,
            None,
            "not UTF-8",
            id="not-utf8",
        ),
        pytest.param(
            {"press/x/index.en.md": "title: T\n"},
            "press/x/index.en.md",
            1,
            None,
            "no front matter",
            id="no-front-matter",
        ),
        pytest.param(
            {
                "press/x/index.en.md": md(
                    "T", "photos:", "  - src: photos/a.jpg", "  - src: photos/b.jpg"
                ),
                "press/x/photos/a.jpg": b"a",
            },
            "press/x/index.en.md",
            6,
            "photos[1].src",
            "photo not found: photos/b.jpg",
            id="gallery-photo-missing",
        ),
        pytest.param(
            {
                "press/x/index.en.md": md("T", "photos:", "  - src: ../y/photos/a.jpg"),
                "press/y/photos/a.jpg": b"a",
            },
            "press/x/index.en.md",
            5,
            "photos[0].src",
            "leaves the bundle folder",
            id="gallery-photo-escapes",
        ),
        pytest.param(
            {"press/x/index.en.md": md("T", "slug: '!!!'")},
            "press/x/index.en.md",
            4,
            "slug",
            "no letters or digits",
            id="empty-slug",
        ),
        pytest.param(
            {"press/x/index.en.md": md("T", body="Intro.\n\n![a](photos/none.jpg)\n")},
            "press/x/index.en.md",
            7,
            None,
            "image not found",
            id="body-photo-missing",
        ),
    ],
)
def test_content_errors_name_file_line_and_key(
    tmp_path: Path,
    files: dict[str, str | bytes],
    rel: str,
    line: int | None,
    key: str | None,
    fragment: str,
) -> None:
    write(tmp_path, files)
    loaded = content.load(make_settings(tmp_path))
    [error] = loaded.errors
    assert error.path == tmp_path / "content" / rel
    assert (error.line, error.key) == (line, key)
    assert fragment in error.message
    assert error.hint


def test_load_collects_every_error_of_every_file_and_keeps_the_good_ones(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "press/a/index.en.md": md("A", "embargoo: 2025-11-06", body="![x](missing.jpg)\n"),
            "press/a/index.id.md": md("A id"),
            "press/b/index.md": md(),
            "press/c/index.de.md": md(),
            "press/d/index.en.md": "---\ntitle: [\n---\n",
            "press/e/index.en.md": md("E"),
        },
    )
    loaded = content.load(make_settings(tmp_path))
    assert all(isinstance(e, PresssiteError) for e in loaded.errors)
    where = sorted(
        (e.path.relative_to(tmp_path / "content").as_posix(), e.line)
        for e in loaded.errors
        if e.path
    )
    assert where == [
        ("press/a/index.en.md", 4),  # the misspelled embargo
        ("press/a/index.en.md", 6),  # the missing photo
        ("press/b/index.md", None),
        ("press/c/index.de.md", None),
        ("press/d/index.en.md", 3),
    ]
    assert sorted(by_id(loaded)) == ["press/a", "press/e"]
    assert list(by_id(loaded)["press/a"].translations) == ["id", "en"]


# --------------------------------------------------------------------------- cache


def test_an_unchanged_site_is_taken_from_the_cache(site: Path) -> None:
    settings = make_settings(site)
    cache = content.ParseCache()
    first = content.load(settings, cache=cache)
    second = content.load(settings, cache=cache)
    assert (first.parsed, first.reused) == (5, 0)
    assert (second.parsed, second.reused) == (0, 5)
    assert second.bundles == first.bundles


def test_an_edited_file_is_parsed_again(site: Path) -> None:
    settings = make_settings(site)
    cache = content.ParseCache()
    content.load(settings, cache=cache)
    (site / "content" / RELEASE / "index.en.md").write_text(md("Edited title"), encoding="utf-8")
    loaded = content.load(settings, cache=cache)
    assert (loaded.parsed, loaded.reused) == (1, 4)
    assert by_id(loaded)[RELEASE].translations["en"].title == "Edited title"


def test_adding_a_missing_photo_clears_the_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"press/x/index.en.md": md(body="![a](photos/late.jpg)\n"), "press/y/index.en.md": md()},
    )
    settings = make_settings(tmp_path)
    cache = content.ParseCache()
    assert len(content.load(settings, cache=cache).errors) == 1
    write(tmp_path, {"press/x/photos/late.jpg": b"jpeg"})
    loaded = content.load(settings, cache=cache)
    assert loaded.errors == ()
    assert (loaded.parsed, loaded.reused) == (1, 1)


def test_removing_a_linked_bundle_is_noticed(site: Path) -> None:
    settings = make_settings(site)
    cache = content.ParseCache()
    assert content.load(settings, cache=cache).errors == ()
    (site / "content" / "press" / "2025-11-07-other" / "index.en.md").unlink()
    loaded = content.load(settings, cache=cache)
    assert [e.line for e in loaded.errors] == [10]
    assert "linked document not found" in loaded.errors[0].message
    assert (loaded.parsed, loaded.reused) == (1, 3)


def test_changing_parse_settings_invalidates_the_cache(site: Path) -> None:
    cache = content.ParseCache()
    content.load(make_settings(site), cache=cache)
    loaded = content.load(make_settings(site, markdown={"unsafe_html": True}), cache=cache)
    assert (loaded.parsed, loaded.reused) == (5, 0)
    assert len(cache) == 5  # one entry per file, replaced, not accumulated
