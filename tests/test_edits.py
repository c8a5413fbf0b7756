"""``presssite serve``'s quick rebuild: edits of documents' words applied in place.

Every test compares the served folder with a build of the same site from scratch (no
cache, same clock, preview flags): the quick rebuild must publish exactly those bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import DEFAULT_SETTINGS, make_photo, make_site
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from presssite import settings as settings_
from presssite.build import build
from presssite.serve.command import Preview

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EMBARGO_LIFTS = "2026-03-02T09:00:00+07:00"


def doc(
    title: str,
    day: int,
    body: str,
    *,
    tags: str = "[harbour, trade]",
    extra: str = "",
    summary: str = "A summary.",
) -> str:
    return (
        f"---\ntitle: {title}\ndate: 2026-01-{day:02d}T09:00:00+07:00\n"
        f"summary: {summary}\ntags: {tags}\n{extra}---\n\n{body}\n"
    )


def site_files() -> dict[str, str]:
    files = {}
    for day in range(1, 7):
        name = f"content/press/2026-01-{day:02d}-r{day}"
        other = f"../2026-01-{(day % 6) + 1:02d}-r{(day % 6) + 1}/index.en.md"
        files[f"{name}/index.id.md"] = doc(f"Rilis {day}", day, f"Isi rilis {day}.")
        files[f"{name}/index.en.md"] = doc(
            f"Release {day}",
            day,
            f"Body of release {day}. See [the next one]({other}).",
            tags="[harbour]" if day % 2 else "[trade, energy]",
        )
    files["content/press/2026-01-03-r3/index.en.md"] = doc(
        "Release 3",
        3,
        "Body of release 3.\n\n![The quay at dawn.](photos/quay.jpg)",
        extra="photos:\n  - src: photos/quay.jpg\n    caption: The quay.\n    credit: Bao Chi\n",
    )
    files["content/press/2026-01-07-draft/index.en.md"] = doc(
        "Draft", 7, "Not yet.", extra="draft: true\n"
    )
    files["content/press/2026-01-08-embargo/index.en.md"] = doc(
        "Embargoed", 8, "Soon.", extra=f"embargo: {EMBARGO_LIFTS}\n"
    )
    files["content/pages/about/index.en.md"] = doc("About us", 1, "Who we are.", tags="[]")
    files["content/pages/about/index.id.md"] = doc("Tentang kami", 1, "Siapa kami.", tags="[]")
    return files


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    root = make_site(tmp_path, site_files(), settings=DEFAULT_SETTINGS + "page_size = 2\n")
    make_photo(root / "content/press/2026-01-03-r3/photos/quay.jpg")
    workdir = tmp_path / "preview"
    workdir.mkdir()
    lines: list[str] = []
    p = Preview(settings_.load(root), workdir=workdir, now=NOW, echo=lines.append)
    p.lines = lines  # type: ignore[attr-defined]
    assert p.rebuild(set()).problem is None
    yield p


def path_of(preview: Preview, rel: str) -> Path:
    return preview.settings.root / "content" / rel


def write(preview: Preview, rel: str, text: str) -> Path:
    path = path_of(preview, rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def assert_as_built(preview: Preview, tmp_path: Path) -> None:
    """The served folder holds exactly what a build from scratch publishes (once the
    search index, made in the background, is written)."""
    preview.indexer.wait(timeout=120)
    fresh = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}"
    build(
        preview.settings,
        target=fresh,
        now=preview.now,
        preview=True,
        include_drafts=True,
        cache=False,
    )
    served = preview.current
    assert served is not None

    def listing(folder: Path) -> set[str]:
        return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}

    assert listing(served) == listing(fresh)
    differ = [
        rel
        for rel in sorted(listing(fresh))
        if (served / rel).read_bytes() != (fresh / rel).read_bytes()
    ]
    assert differ == []


def main_text(preview: Preview, rel: str) -> str:
    assert preview.current is not None
    node = HTMLParser((preview.current / rel).read_bytes()).css_first("main")
    assert node is not None
    return node.text()


def test_a_text_edit_is_applied_in_place_as_a_build_would_publish_it(
    preview: Preview, tmp_path: Path
) -> None:
    builds, served = preview.builds, preview.current
    path = write(
        preview,
        "press/2026-01-06-r6/index.en.md",
        doc("Harbour reopens", 6, "New words.", tags="[trade, energy]", summary="Changed."),
    )
    result = preview.rebuild({path})
    assert (result.action, result.problem) == ("reload", None)
    assert (preview.builds, preview.current) == (builds, served)  # no build, same folder
    assert "New words." in main_text(preview, "en/press/r6/index.html")
    assert "Harbour reopens" in main_text(preview, "en/page/3/index.html")  # after 8 and 7
    assert "Harbour reopens" in main_text(preview, "en/tags/energy/index.html")
    assert served is not None and b"Harbour reopens" in (served / "en/feed.xml").read_bytes()
    assert any("updated" in line for line in preview.lines)  # type: ignore[attr-defined]
    assert_as_built(preview, tmp_path)

    # Two files at once, one of them with its body and summary removed; the photo page too.
    write(
        preview,
        "press/2026-01-06-r6/index.en.md",
        doc("Harbour", 6, "", tags="[trade, energy]", summary="''"),
    )
    photo_page = path_of(preview, "press/2026-01-03-r3/index.en.md")
    photo_page.write_text(
        photo_page.read_text(encoding="utf-8").replace("Body of release 3.", "Rewritten."),
        encoding="utf-8",
    )
    paths = {path_of(preview, "press/2026-01-06-r6/index.en.md"), photo_page}
    assert preview.rebuild(paths).problem is None
    assert preview.builds == builds
    assert "Rewritten." in main_text(preview, "en/press/r3/index.html")
    assert_as_built(preview, tmp_path)


@pytest.mark.parametrize(
    ("rel", "change"),
    [
        ("press/2026-01-02-r2/index.en.md", lambda t: t.replace("2026-01-02T09", "2026-01-09T09")),
        ("press/2026-01-02-r2/index.en.md", lambda t: t.replace("[trade, energy]", "[energy]")),
        ("press/2026-01-02-r2/index.en.md", lambda t: t.replace("---\n\n", "slug: moved\n---\n\n")),
        ("press/2026-01-02-r2/index.en.md", lambda t: t.replace("---\n\n", "draft: true\n---\n\n")),
        (
            "press/2026-01-02-r2/index.en.md",
            lambda t: t.replace("---\n\n", f"embargo: {EMBARGO_LIFTS}\n---\n\n"),
        ),
        ("press/2026-01-03-r3/index.en.md", lambda t: t.replace("The quay.", "The old quay.")),
        ("pages/about/index.en.md", lambda t: t.replace("About us", "About the ministry")),
        ("press/2026-01-08-embargo/index.en.md", lambda t: t.replace("Soon.", "Soon enough.")),
    ],
    ids=["date", "tags", "slug", "draft", "embargo", "photo-caption", "page-title", "embargoed"],
)
def test_edits_that_move_things_take_a_build(
    preview: Preview, tmp_path: Path, rel: str, change: object
) -> None:
    path = path_of(preview, rel)
    text = path.read_text(encoding="utf-8")
    changed = change(text)  # type: ignore[operator]
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    builds = preview.builds
    assert preview.rebuild({path}).problem is None
    if rel.endswith("2026-01-08-embargo/index.en.md"):
        assert preview.builds == builds  # a text edit, shown in preview with its banner
    else:
        assert preview.builds == builds + 1
    assert_as_built(preview, tmp_path)


def test_new_deleted_and_other_files_take_a_build(preview: Preview, tmp_path: Path) -> None:
    added = write(preview, "press/2026-01-05-r5/index.vi.md", doc("Ban tin", 5, "Moi."))
    builds = preview.builds
    assert preview.rebuild({added}).problem is not None  # vi is not a locale: as a build says
    added.unlink()
    assert preview.rebuild({added}).problem is None
    assert preview.builds == builds + 2
    gone = path_of(preview, "press/2026-01-05-r5/index.id.md")
    gone.unlink()
    assert preview.rebuild({gone}).problem is None
    assert preview.builds == builds + 3
    assert_as_built(preview, tmp_path)
    photo = make_photo(path_of(preview, "press/2026-01-04-r4/photos/new.jpg"))
    assert preview.rebuild({photo}).problem is None
    assert preview.builds == builds + 4
    # A bundle folder moved in, then out again: one event each, for the folder only.
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "index.en.md").write_text(doc("Moved in", 9, "Here."), encoding="utf-8")
    folder = path_of(preview, "press/2026-01-09-moved")
    outside.rename(folder)
    assert preview.rebuild({folder}).problem is None
    assert preview.builds == builds + 5
    assert "Here." in main_text(preview, "en/press/moved/index.html")
    assert_as_built(preview, tmp_path)
    folder.rename(outside)
    assert preview.rebuild({folder}).problem is None
    assert preview.builds == builds + 6
    assert preview.current is not None
    assert not (preview.current / "en/press/moved/index.html").exists()


def test_a_vanished_editor_temp_file_is_ignored(preview: Preview, tmp_path: Path) -> None:
    path = write(
        preview, "press/2026-01-01-r1/index.en.md", doc("Release 1", 1, "Edited.", tags="[harbour]")
    )
    temp = path.with_name("index.en.md.kate-swp")  # created and renamed away before the rebuild
    builds = preview.builds
    assert preview.rebuild({path, temp}).problem is None
    assert preview.builds == builds
    assert_as_built(preview, tmp_path)


def test_a_broken_edit_stays_on_screen_until_that_file_is_fixed(
    preview: Preview, tmp_path: Path
) -> None:
    rel = "press/2026-01-04-r4/index.en.md"
    good = path_of(preview, rel).read_text(encoding="utf-8")
    served, builds = preview.current, preview.builds
    broken = write(preview, rel, "---\ntitle: [unclosed\ndate: 2026-01-04\n---\nBody\n")
    result = preview.rebuild({broken})
    assert result.problem is not None
    assert result.problem.file == f"content/{rel}" and result.problem.line is not None
    assert preview.current == served
    other = write(
        preview, "press/2026-01-01-r1/index.en.md", doc("Release 1", 1, "Edited.", tags="[harbour]")
    )
    assert preview.rebuild({other}).problem is not None  # the broken file is still broken
    write(preview, rel, good.replace("Body of release 4.", "Fixed."))
    result = preview.rebuild({broken})
    assert (result.action, result.problem) == ("reload", None)
    assert "Fixed." in main_text(preview, "en/press/r4/index.html")
    assert "Edited." in main_text(preview, "en/press/r1/index.html")
    assert (preview.builds, preview.current) == (builds, served)  # all of it without a build
    assert_as_built(preview, tmp_path)


def test_after_a_failed_build_an_edit_builds(preview: Preview) -> None:
    template = preview.settings.root / "templates/release.html"
    template.parent.mkdir()
    template.write_text("{% extends 'base.html' %}{% block main %}{{ oops( }}{% endblock %}")
    assert preview.rebuild({template}).problem is not None
    builds = preview.builds
    path = write(
        preview, "press/2026-01-01-r1/index.en.md", doc("Release 1", 1, "Edited.", tags="[harbour]")
    )
    assert preview.rebuild({path}).problem is not None  # built, and the template still fails
    assert preview.builds == builds + 1
    template.unlink()
    assert preview.rebuild({template}).problem is None
    assert "Edited." in main_text(preview, "en/press/r1/index.html")


def test_an_embargo_lifting_between_edits_takes_a_build(preview: Preview, tmp_path: Path) -> None:
    embargoed = "en/press/embargo/index.html"
    assert preview.current is not None
    assert HTMLParser((preview.current / embargoed).read_bytes()).css_first(".preview-banner")
    preview.now = datetime(2026, 3, 3, tzinfo=UTC)  # the embargo has lifted
    builds = preview.builds
    path = write(
        preview, "press/2026-01-01-r1/index.en.md", doc("Release 1", 1, "Edited.", tags="[harbour]")
    )
    assert preview.rebuild({path}).problem is None
    assert preview.builds == builds + 1
    assert (
        HTMLParser((preview.current / embargoed).read_bytes()).css_first(".preview-banner") is None
    )
    assert_as_built(preview, tmp_path)
