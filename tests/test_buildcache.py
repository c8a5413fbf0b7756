"""The build cache is an optimisation only: it changes no output byte, and it skips work.

Skipped work is proven with the counters of ``BuildReport`` and with the output's bytes
(which pages came out different), never with times.
"""

from __future__ import annotations

import builtins
import gc
import io
import logging
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import make_photo, make_site
from factories import release

from presssite import build as build_
from presssite import parallel
from presssite import settings as settings_
from presssite.cache.hashes import installed
from presssite.cache.store import BuildCache
from presssite.content import load as content
from presssite.content import store as doc_store
from presssite.errors import TemplateError
from presssite.output import publish as output
from presssite.output import staging
from presssite.render import dependencies
from presssite.render import pages as render
from presssite.render import templates as templating

NOW = datetime.fromisoformat("2026-01-31T12:00:00+07:00")
PHOTOS = """
  - src: photos/01.jpg
    caption: "Wakil menteri berbicara."
    credit: Bao Chi
  - src: photos/02.jpg
    caption: "Delegasi tiba."
    credit: Humas"""


def fixture_site(tmp_path: Path) -> Path:
    """Photos, drafts, an embargo, tags, pagination (3 per page), links between releases,
    a second section (statements, of 2025: the archive has two years)."""
    files: dict[str, str | bytes] = {}
    for n in range(1, 9):
        bundle = f"content/press/2026-01-{n:02d}-release-{n}"
        tags = "[ekonomi, diplomasi]" if n % 2 else "[ekonomi]"
        for loc in ("id", "en"):
            if loc == "en" and n == 7:
                continue  # a missing translation
            body = f"Paragraf {n}.\n\nLihat [rilis satu](../2026-01-01-release-1/index.{loc}.md)."
            if n == 3:
                body = "Paragraf.\n\n![Wakil menteri](photos/01.jpg)\n\nAkhir."
            files[f"{bundle}/index.{loc}.md"] = release(
                f"Rilis {n} {loc}",
                f"2026-01-{n:02d}T09:00:00+07:00",
                body=body,
                summary=f"Ringkasan {n}.",
                tags=tags,
                **({"photos": PHOTOS} if n == 3 else {}),
            )
    files["content/press/2026-01-20-draft/index.id.md"] = release(
        "Draf", "2026-01-20T09:00:00+07:00", draft="true", tags="[ekonomi]"
    )
    files["content/press/2026-01-21-secret/index.id.md"] = release(
        "Rahasia", "2026-01-21T09:00:00+07:00", embargo="2026-02-01T09:00:00+07:00"
    )
    for n, month in ((1, 11), (2, 12)):
        for loc in ("id", "en") if n == 1 else ("id",):
            files[f"content/statements/2025-{month}-0{n}-s{n}/index.{loc}.md"] = release(
                f"Pernyataan {n} {loc}", f"2025-{month}-0{n}T09:00:00+07:00", body=f"Kata {n}."
            )
    files["content/pages/about/index.id.md"] = release("Tentang", "2026-01-01T00:00:00+07:00")
    files["content/pages/about/index.en.md"] = release("About", "2026-01-01T00:00:00+07:00")
    settings = (
        'title = { id = "Portal Uji", en = "Test Portal" }\n'
        'base_url = "https://example.org/portal/"\n'
        'default_locale = "id"\nlocales = ["id", "en"]\ntimezone = "Asia/Jakarta"\n'
        "page_size = 3\nfeed_size = 4\n[images]\nwidths = [160, 320]\n"
        '[sections.statements]\ntitle = { id = "Pernyataan", en = "Statements" }\n'
    )
    root = make_site(tmp_path, files, settings=settings)
    bundle = root / "content/press/2026-01-03-release-3"
    make_photo(bundle / "photos/01.jpg", (640, 400))
    make_photo(bundle / "photos/02.jpg", (400, 300), color=(150, 90, 40))
    return root


def run(root: Path, target: Path, **options: object) -> build_.BuildReport:
    settings = settings_.load(root)
    options.setdefault("now", NOW)
    options.setdefault("jobs", 1)
    return build_.build(settings, target=target, **options)  # type: ignore[arg-type]


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def html(folder: Path) -> dict[str, bytes]:
    """The bytes of every HTML page under ``folder``, by path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.html")}


def test_the_cache_changes_no_output_byte(tmp_path: Path) -> None:
    root = fixture_site(tmp_path)
    uncached = tmp_path / "uncached"
    run(root, uncached, cache=False)
    assert not (root / ".presssite-cache" / "build").exists()  # cache=False writes none
    expected = tree(uncached)
    assert "id/page/2/index.html" in expected and "id/tags/ekonomi/page/2/index.html" in expected
    assert {"en/statements/index.html", "id/press/page/2/index.html"} <= expected.keys()
    assert {"en/archive/2025/index.html", "id/archive/2026/index.html"} <= expected.keys()

    cold = run(root, root / "build")
    assert (cold.pages_rendered, cold.pages_reused) == (cold.pages, 0)
    assert tree(root / "build") == expected
    warm = run(root, root / "build")
    assert warm.unchanged and tree(root / "build") == expected
    # Another folder, the same cache: the documents come from it; the pages, whose one
    # copy is the first folder's, are rendered again, byte for byte.
    elsewhere = run(root, tmp_path / "elsewhere")
    assert elsewhere.documents_parsed == 0 and elsewhere.pages_rendered == cold.pages
    assert tree(tmp_path / "elsewhere") == expected
    # A page rendered for an in-place publish is kept in the cache too: a build into
    # yet another folder renders all the others again.
    (root / "content/press/2026-01-02-release-2/index.id.md").write_text(
        release("Rilis 2 id", "2026-01-02T09:00:00+07:00", body="Paragraf baru.", tags="[x]")
    )
    edited = run(root, root / "build")
    assert edited.publish_mode == "in place" and edited.pages_rendered > 0
    again = run(root, tmp_path / "again")
    assert again.pages_reused == edited.pages_rendered
    assert tree(tmp_path / "again") == tree(root / "build")

    # After edits (a body, a title, a template), cached and uncached builds still agree.
    (root / "content/press/2026-01-01-release-1/index.en.md").write_text(
        release("Release one, renamed", "2026-01-01T09:00:00+07:00", body="New body.")
    )
    (root / "content/statements/2025-12-02-s2/index.id.md").write_text(
        release("Pernyataan dua, baru", "2025-12-02T09:00:00+07:00", body="Kata baru.")
    )
    (root / "templates").mkdir()
    (root / "templates/page.html").write_text(
        '{% extends "theme/page.html" %}{% block title %}Page: {{ doc.title }}{% endblock %}'
    )
    run(root, root / "build")
    shutil.rmtree(uncached)
    run(root, uncached, cache=False)
    assert tree(root / "build") == tree(uncached)
    assert b"Page: About" in tree(uncached)["en/about/index.html"]
    assert "Pernyataan dua, baru" in tree(uncached)["id/archive/2025/index.html"].decode()


def test_a_no_change_rebuild_does_no_work(tmp_path: Path) -> None:
    root = fixture_site(tmp_path)
    first = run(root, root / "build")
    before = tree(root / "build")
    again = run(root, root / "build")
    assert again.unchanged and again.publish_mode == "unchanged"
    assert (again.documents_parsed, again.documents_reused) == (0, first.documents_parsed)
    assert (again.pages_rendered, again.pages_reused) == (0, first.pages_rendered)
    assert (again.images_processed, again.files_changed) == (0, 0)
    assert again.pages == first.pages and again.missing == first.missing
    assert tree(root / "build") == before


def test_a_rebuild_without_the_shortcut_still_renders_nothing(tmp_path: Path) -> None:
    root = fixture_site(tmp_path)
    run(root, root / "build")
    # Touching a file changes no byte: the whole-build fingerprint still holds.
    path = root / "content/press/2026-01-02-release-2/index.id.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert run(root, root / "build").unchanged
    # A new empty folder defeats the whole-build fingerprint, not the per-page keys.
    (root / "content/press/empty").mkdir()
    again = run(root, root / "build")
    assert not again.unchanged
    assert (again.documents_parsed, again.pages_rendered, again.feeds_made) == (0, 0, 0)
    assert again.publish_mode == "unchanged" and again.files_changed == 0


def test_one_edit_rerenders_only_the_pages_that_show_it(tmp_path: Path) -> None:
    root = fixture_site(tmp_path)
    run(root, root / "build")
    before = html(root / "build")
    path = root / "content/press/2026-01-02-release-2/index.en.md"
    date = "2026-01-02T09:00:00+07:00"
    path.write_text(
        release("Rilis 2 en", date, body="Edited body.", summary="Ringkasan 2.", tags="[ekonomi]")
    )

    report = run(root, root / "build")

    # Only its page: the en list pages it is on (the oldest page of the home, of the press
    # section and of the ekonomi topic) read its title and summary, not its body.
    assert report.documents_parsed == 1
    assert report.pages_rendered == 1
    assert report.publish_mode == "in place"
    after = html(root / "build")
    replaced = {p for p in before if after[p] != before[p]}
    assert replaced == {"en/press/release-2/index.html"}
    assert set(after) == set(before)
    assert "Edited body." in (root / "build/en/press/release-2/index.html").read_text()

    # A new summary: the page and the lists that show it (releases are 8..1 newest
    # first, release 7 has no en: the front page holds three, page 1 the three oldest).
    path.write_text(
        release("Rilis 2 en", date, body="Edited body.", summary="New summary.", tags="[ekonomi]")
    )
    report = run(root, root / "build")
    shown = {"en/press/release-2/index.html", "en/page/1/index.html"}
    shown |= {"en/tags/ekonomi/page/1/index.html", "en/press/page/1/index.html"}
    assert report.pages_rendered == len(shown)
    after, before = html(root / "build"), after
    assert {p for p in before if after[p] != before[p]} == shown


def test_a_new_release_renders_the_front_pages_of_its_lists_and_no_older_page(
    tmp_path: Path,
) -> None:
    """A list page records the slice of its list it shows, counted from the oldest
    release (``site.paging``): a new release changes the front page of each list it is on
    and the page next to it, and none of the older pages is rendered again."""
    root = fixture_site(tmp_path)
    run(root, root / "build")
    before = html(root / "build")
    bundle = root / "content/press/2026-01-09-release-9"
    bundle.mkdir()
    (bundle / "index.id.md").write_text(
        release("Rilis 9 id", "2026-01-09T09:00:00+07:00", tags="[ekonomi]")
    )

    report = run(root, root / "build")

    after = html(root / "build")
    changed = {p for p in after if after[p] != before.get(p)}
    # id, three a page: the home lists 10 releases before and 11 after (the front page
    # holds the three newest, page 3 what is left over, pages 2 and 1 three each); the
    # press section and the ekonomi topic 8 and 9 (the front page, page 2, page 1).
    fronts = {"id/index.html", "id/press/index.html", "id/tags/ekonomi/index.html"}
    assert fronts | {"id/page/3/index.html", "id/press/page/2/index.html"} <= changed
    assert "id/tags/ekonomi/page/2/index.html" in changed
    older = {"id/page/2/index.html", "id/page/1/index.html", "id/press/page/1/index.html"}
    assert not changed & (older | {"id/tags/ekonomi/page/1/index.html"}), " ".join(sorted(changed))
    # Rendered: those, and the search page, whose index parts go by each year's count.
    assert report.pages_rendered == len(changed | {"id/search/index.html"})
    assert tree(root / "build") == tree(run_fresh(root, tmp_path / "fresh"))


def test_values_worked_out_in_workers_choose_the_same_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large site works out the values of what its pages read in worker processes
    (``Inputs.value_all``): an edit renders again the pages it renders when they are
    worked out here, and the output is the same."""
    if parallel.workers_for(100, jobs=2, threshold=2) < 2:
        pytest.skip("no fork, or this process runs threads: the pool is never used")
    root = fixture_site(tmp_path)
    run(root, root / "build", jobs=2)
    monkeypatch.setattr(dependencies, "VALUES_THRESHOLD", 2)
    split: list[int] = []
    map_chunks = parallel.map_chunks

    def spy(task: Any, context: Any, items: Any, **options: Any) -> Any:
        found = map_chunks(task, context, items, **options)
        if task is dependencies._values_of:
            split.append(options["workers"])
        return found

    monkeypatch.setattr(parallel, "map_chunks", spy)
    path = root / "content/press/2026-01-02-release-2/index.en.md"
    path.write_text(
        release("Rilis 2 en", "2026-01-02T09:00:00+07:00", summary="New summary.", tags="[ekonomi]")
    )

    report = run(root, root / "build", jobs=2)

    assert split == [2]
    shown = {"en/press/release-2/index.html", "en/page/1/index.html"}
    shown |= {"en/tags/ekonomi/page/1/index.html", "en/press/page/1/index.html"}
    assert report.pages_rendered == len(shown)
    assert tree(root / "build") == tree(run_fresh(root, tmp_path / "fresh"))


def run_fresh(root: Path, target: Path) -> Path:
    """``root`` built into ``target`` without the build cache, here alone."""
    run(root, target, cache=False)
    return target


def test_warnings_are_given_again_by_a_no_change_rebuild(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = fixture_site(tmp_path)
    path = root / "content/press/2026-01-04-release-4/index.id.md"
    path.write_text(
        release("Rilis 4", "2026-01-04T09:00:00+07:00", body="[x](/portal/id/press/nope/)")
    )
    run(root, root / "build")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="presssite"):
        report = run(root, root / "build")
    assert report.unchanged and len(report.broken) == 1
    assert any("/portal/id/press/nope/" in r.getMessage() for r in caplog.records)


def test_the_clock_is_an_input(tmp_path: Path) -> None:
    root = fixture_site(tmp_path)
    run(root, root / "build")
    assert not (root / "build/id/press/secret").exists()
    later = run(root, root / "build", now=datetime.fromisoformat("2026-02-01T09:00:00+07:00"))
    assert not later.unchanged
    assert (root / "build/id/press/secret/index.html").is_file()  # the embargo lifted


def test_an_output_edited_by_hand_is_repaired(tmp_path: Path) -> None:
    root = fixture_site(tmp_path)
    run(root, root / "build")
    expected = tree(root / "build")
    page = root / "build/id/index.html"
    page.unlink()
    page.write_bytes(b"vandalised")
    (root / "build/en/press/release-1/index.html").unlink()
    report = run(root, root / "build")
    # The two pages are rendered again; the others are linked from the output as it was.
    assert not report.unchanged and report.pages_rendered == 2
    assert tree(root / "build") == expected


def test_a_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    root = fixture_site(tmp_path)
    run(root, tmp_path / "first")
    expected = tree(tmp_path / "first")
    for path in (root / ".presssite-cache" / "build").rglob("*"):
        if path.is_file() and path.name != "lock":
            data = path.read_bytes()
            path.unlink()  # never in place: published files may be links to blobs
            path.write_bytes(data[: len(data) // 2] + b"\x00garbage")
    report = run(root, root / "build")
    assert tree(root / "build") == expected
    assert report.documents_reused == 0 and report.pages_rendered == report.pages


def test_a_build_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    """A build freezes what it keeps (``collector``), and unfreezes it when it ends,
    failed or not: a process that goes on (the dev server, a program calling ``build``)
    gets back a collector that walks, and frees, everything."""
    root = fixture_site(tmp_path)
    frozen: list[int] = []

    def watch(phase: str, _info: dict[str, int]) -> None:
        frozen.append(gc.get_freeze_count())

    gc.callbacks.append(watch)
    try:
        run(root, root / "build")
        assert max(frozen) > 10_000 and gc.get_freeze_count() == 0 and gc.isenabled()
        (root / "templates").mkdir(exist_ok=True)
        (root / "templates/release.html").write_text("{{ no_such_filter | nope }}")
        with pytest.raises(TemplateError):
            run(root, root / "build")
        assert gc.get_freeze_count() == 0 and gc.isenabled()
    finally:
        gc.callbacks.remove(watch)


def test_an_index_that_fails_halfway_keeps_the_previous_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = fixture_site(tmp_path)
    cache = BuildCache.open(settings_.load(root))
    assert cache is not None
    try:
        cache.save("pages-00", {"a": "b" * 100_000})
        # the first 100 kB are written before pickle meets what it cannot pickle
        cache.save("pages-00", {"a": "c" * 100_000, "z": lambda: None})
        assert "cannot write the build cache pages-00" in caplog.text  # a warning, no crash
        assert cache.load("pages-00") == {"a": "b" * 100_000}
        assert not list(cache.root.glob("*.tmp"))  # no half-written file left behind
    finally:
        cache.close()


def test_the_page_index_forgets_what_pages_gone_read(tmp_path: Path) -> None:
    # A site that lost most of its releases: the index keeps the reads of the pages
    # left, as a new cache would, and the next build still reuses every page it can.
    files = {
        f"content/press/2026-01-{1 + n % 28:02d}-r{n}/index.id.md": release(
            f"Rilis {n}", f"2026-01-{1 + n % 28:02d}T{n % 24:02d}:00:00+07:00", body=f"Isi {n}."
        )
        for n in range(250)
    }
    root = make_site(tmp_path, files)
    run(root, root / "build")
    index = root / ".presssite-cache/build/pages-00.pickle"
    full = index.stat().st_size
    for folder in sorted((root / "content/press").iterdir())[4:]:
        shutil.rmtree(folder)
    run(root, root / "build")
    run(root, tmp_path / "fresh", cache=False)
    assert tree(root / "build") == tree(tmp_path / "fresh")
    assert index.stat().st_size < full / 20

    kept = sorted((root / "content/press").iterdir())[0] / "index.id.md"
    kept.write_text(kept.read_text().replace("Isi ", "Isi baru "))
    report = run(root, root / "build")
    assert report.pages_rendered == 1  # its page: the lists show no body
    run(root, tmp_path / "fresh", cache=False)
    assert tree(root / "build") == tree(tmp_path / "fresh")


def test_parallel_parsing_and_rendering_give_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fixture_site(tmp_path)
    run(root, tmp_path / "serial", cache=False)
    monkeypatch.setattr(content, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(render, "PARALLEL_THRESHOLD", 2)
    if parallel.workers_for(100, jobs=2, threshold=2) < 2:
        pytest.skip("no fork, or this process runs threads: the pool is never used")
    settings = settings_.load(root)
    build_.build(settings, target=tmp_path / "parallel", now=NOW, jobs=2, cache=False)
    build_.build(settings, target=tmp_path / "cached", now=NOW, jobs=2)
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")
    assert tree(tmp_path / "cached") == tree(tmp_path / "serial")
    # The workers wrote the pages into the new folder: the manifest knows them as they are.
    again = build_.build(settings, target=tmp_path / "cached", now=NOW, jobs=2)
    assert again.unchanged
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "tag.html").write_text('{% extends "theme/tag.html" %}\n')
    edited = build_.build(settings_.load(root), target=tmp_path / "cached", now=NOW, jobs=2)
    assert edited.pages_rendered > 0 and edited.files_changed == 0
    assert tree(tmp_path / "cached") == tree(tmp_path / "serial")


NEW_RELEASE = (
    '{% extends "theme/release.html" %}{% block main %}<p>new</p>{{ super() }}{% endblock %}'
)


def leftovers(root: Path) -> list[str]:
    """What a build left beside its output: staging or aside folders, temporary files."""
    found = [p.name for p in root.iterdir() if p.name.startswith("build.")]
    return found + [p.name for p in (root / "build").rglob("*.presssite-tmp")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_template_edit_of_most_pages_swaps_in_a_new_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    # A template edit on a large site renders more pages than a publish in place takes
    # (said so here for this small site): the render workers write every page into a
    # new folder, which is swapped in.
    monkeypatch.setattr(render, "PARALLEL_THRESHOLD", 2)
    if jobs > 1 and parallel.workers_for(100, jobs=jobs, threshold=2) < 2:
        pytest.skip("no fork, or this process runs threads: the pool is never used")
    root = fixture_site(tmp_path)
    run(root, root / "build", jobs=jobs)
    monkeypatch.setattr(output, "in_place_limit", lambda _total: 0)
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "release.html").write_text(NEW_RELEASE)
    report = run(root, root / "build", jobs=jobs)
    releases = {
        p.relative_to(root / "build").as_posix()
        for section in ("press", "statements")
        for p in (root / "build").glob(f"*/{section}/*/*.html")
    }
    assert report.publish_mode == "swap" and report.pages_rendered == len(releases)
    assert "<p>new</p>" in (root / "build/en/press/release-1/index.html").read_text()
    run(root, tmp_path / "fresh", cache=False)
    assert tree(root / "build") == tree(tmp_path / "fresh")
    assert run(root, root / "build", jobs=jobs).unchanged
    assert not leftovers(root)


def test_pages_rendered_again_as_they_were_leave_the_output_and_its_manifest_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A site template that only extends the theme's: every release is rendered again,
    # and comes out as it was. Nothing is written; the output stays known as it is.
    root = fixture_site(tmp_path)
    run(root, root / "build")
    before = tree(root / "build")
    monkeypatch.setattr(output, "in_place_limit", lambda _total: 0)
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "release.html").write_text('{% extends "theme/release.html" %}')
    same = run(root, root / "build")
    assert same.pages_rendered > 0 and same.publish_mode == "unchanged"
    assert same.files_changed == 0 and tree(root / "build") == before and not leftovers(root)
    (root / "templates" / "release.html").write_text(NEW_RELEASE)
    assert run(root, root / "build").publish_mode == "swap"


def test_a_build_that_fails_after_writing_pages_leaves_the_output_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fixture_site(tmp_path)
    run(root, root / "build")
    files = tree(root / "build")
    monkeypatch.setattr(output, "in_place_limit", lambda _total: 0)
    written: list[str] = []
    write = staging.Staging.write

    def spy(self: staging.Staging, rel: str, data: bytes, blobs: BuildCache) -> object:
        written.append(rel)
        return write(self, rel, data, blobs)

    monkeypatch.setattr(staging.Staging, "write", spy)
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "release.html").write_text(
        '{% extends "theme/release.html" %}{% block main %}'
        '{% if doc.title == "Rilis 1 en" %}{{ no_such_value }}{% endif %}'
        "<p>new</p>{{ super() }}{% endblock %}"
    )
    with pytest.raises(TemplateError):
        run(root, root / "build")
    assert written  # pages were written into a new folder before the failure
    assert tree(root / "build") == files and not leftovers(root)


def test_a_build_killed_while_writing_pages_is_followed_by_a_clean_one(tmp_path: Path) -> None:
    root = fixture_site(tmp_path)
    run(root, root / "build")
    files = tree(root / "build")
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "release.html").write_text(NEW_RELEASE)
    # The same sys.path as here: the build cache is salted with the installed libraries.
    script = f"""
import os, sys
sys.path[:] = {sys.path!r}
from datetime import datetime
from pathlib import Path
from presssite import build
from presssite.output import publish as output
from presssite import settings
from presssite.output import staging
output.in_place_limit = lambda _total: 0
write, count = staging.Staging.write, [0]
def dying(self, *args, **kwargs):
    found = write(self, *args, **kwargs)
    count[0] += 1
    if count[0] == 3:
        os._exit(9)  # killed, with no chance to clean up
    return found
staging.Staging.write = dying
build.build(settings.load(Path({str(root)!r})), target=Path({str(root / "build")!r}),
            now=datetime.fromisoformat({NOW.isoformat()!r}), jobs=1)
"""
    killed = subprocess.run([sys.executable, "-c", script], check=False)
    assert killed.returncode == 9
    assert tree(root / "build") == files and leftovers(root)  # a ".tmp-" folder
    run(root, root / "build")
    assert not leftovers(root)
    run(root, tmp_path / "fresh", cache=False)
    assert tree(root / "build") == tree(tmp_path / "fresh")


def fresh_clone(root: Path, *, times_kept: bool) -> None:
    """Make ``root`` as a CI runner has it: a new checkout at the same place (every file
    new: new inodes and times, the same bytes), the cache and the output restored from an
    archive (new inodes; with ``times_kept``, as ``tar`` restores them, the old times)."""
    aside = root.with_name("aside")
    root.rename(aside)
    shutil.copytree(aside, root, copy_function=shutil.copyfile)
    if times_kept:
        for kept in ("build", ".presssite-cache"):
            shutil.rmtree(root / kept)
            shutil.copytree(aside / kept, root / kept, copy_function=shutil.copy2)
    shutil.rmtree(aside)


@pytest.mark.parametrize("times_kept", [True, False])
def test_a_fresh_clone_with_the_cache_and_output_restored_redoes_only_what_changed(
    tmp_path: Path, times_kept: bool
) -> None:
    root = fixture_site(tmp_path)
    first = run(root, root / "build")
    total = len(tree(root / "build"))
    # Nothing changed: the no-change shortcut holds, though every file is new on disk.
    fresh_clone(root, times_kept=times_kept)
    again = run(root, root / "build")
    assert again.unchanged and again.files_changed == 0
    # One new release: it alone is parsed, and only the pages that show it are made.
    fresh_clone(root, times_kept=times_kept)
    (root / "content/press/2026-01-09-release-9").mkdir()
    (root / "content/press/2026-01-09-release-9/index.id.md").write_text(
        release("Rilis 9", "2026-01-09T09:00:00+07:00", tags="[ekonomi]")
    )
    report = run(root, root / "build")
    assert report.documents_parsed == 1 and report.documents_reused == first.documents_parsed
    assert report.images_processed == 0
    assert 0 < report.pages_rendered < report.pages_reused
    assert report.publish_mode == "in place" and report.files_changed < total // 4
    run(root, tmp_path / "fresh", cache=False)
    assert tree(root / "build") == tree(tmp_path / "fresh")


def test_a_fresh_clone_reads_each_document_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a CI runner every file is new on disk: the build reads each document to know
    its bytes, and the content stage takes that hash rather than reading it again (only
    the new document is read a second time: to be parsed)."""
    root = fixture_site(tmp_path)
    run(root, root / "build")
    fresh_clone(root, times_kept=True)
    (root / "content/press/2026-01-09-release-9").mkdir()
    (root / "content/press/2026-01-09-release-9/index.id.md").write_text(
        release("Rilis 9", "2026-01-09T09:00:00+07:00", tags="[ekonomi]")
    )
    reads: list[str] = []
    real_open = io.open

    def counting(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith(".md"):
            reads.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", counting)
    monkeypatch.setattr(builtins, "open", counting)
    report = run(root, root / "build")
    assert report.documents_parsed == 1 and report.documents_reused > 10
    assert len(reads) > report.documents_reused
    twice = {path for path in reads if reads.count(path) > 1}
    assert twice == {str(root / "content/press/2026-01-09-release-9/index.id.md")}  # parsed


def test_the_documents_catalog_is_written_whole_only_now_and_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that parses a few documents keeps only those apart from the catalog (a
    site of 10,000 releases wrote 20,000 entries for each new one); the next build,
    another process, finds them. Changes kept for an older whole catalog never apply."""
    root = fixture_site(tmp_path)
    cache = root / ".presssite-cache/build"
    whole, changes = cache / f"{doc_store.CATALOG}.pickle", cache / f"{doc_store.CHANGES}.pickle"
    run(root, root / "build")
    written = whole.read_bytes()
    assert not changes.exists()
    new = root / "content/press/2026-01-09-release-9"
    new.mkdir()
    (new / "index.id.md").write_text(release("Rilis 9", "2026-01-09T09:00:00+07:00"))
    assert run(root, root / "build").documents_parsed == 1
    assert whole.read_bytes() == written and changes.exists()
    aside = changes.read_bytes()  # kept for the catalog as written first

    def edit(*numbers: int) -> None:
        for n in numbers:
            path = root / f"content/press/2026-01-{n:02d}-release-{n}/index.id.md"
            path.write_text(release(f"Rilis {n} baru", f"2026-01-{n:02d}T09:00:00+07:00"))

    edit(1)
    assert run(root, root / "build").documents_parsed == 1  # release 9 came from the changes
    monkeypatch.setattr(doc_store, "CHANGES_MOST", 0)  # past an eighth: written whole
    edit(2, 4, 5)
    assert run(root, root / "build").documents_parsed == 3
    assert whole.read_bytes() != written and not changes.exists()
    changes.write_bytes(aside)  # release 1 as it was: ignored, or it would parse again
    edit(6)
    assert run(root, root / "build").documents_parsed == 1
    run(root, tmp_path / "fresh", cache=False)
    assert tree(root / "build") == tree(tmp_path / "fresh")


def test_a_template_edit_renders_again_only_the_pages_rendered_with_it(tmp_path: Path) -> None:
    root = fixture_site(tmp_path)
    run(root, root / "build")
    templates = root / "templates"
    templates.mkdir()
    lists = sorted(
        p.relative_to(root / "build").as_posix()
        for p in (root / "build").glob("*/tags/**/index.html")
    )
    before = html(root / "build")

    # The tag pages' own template: only they are rendered again.
    (templates / "tag.html").write_text(
        '{% extends "theme/tag.html" %}{% block main %}<p>tagged</p>{{ super() }}{% endblock %}'
    )
    edited = run(root, root / "build")
    assert edited.pages_rendered == len(lists) - 2  # the two topic indexes use tags.html
    changed = {p for p, data in html(root / "build").items() if before.get(p) != data}
    assert changed == {p for p in lists if "/tags/index.html" not in p}

    # A partial of the releases, new in the site's templates: the releases (and pages)
    # use it through release.html and page.html.
    (templates / "partials").mkdir()
    (templates / "partials" / "document.html").write_text(
        '<p class="note">Note.</p>{% include "theme/partials/document.html" %}'
    )
    edited = run(root, root / "build")
    documents = list((root / "build").glob("*/press/*/index.html"))
    documents += list((root / "build").glob("*/statements/*/index.html"))
    documents += list((root / "build").glob("*/about/index.html"))
    assert edited.pages_rendered == len(documents)

    # The template every page but the root (a page of its own) extends: all of those.
    base = (templating.THEME_DIR / "templates" / "base.html").read_text()
    (templates / "base.html").write_text(base.replace("<body>", "<body><!-- site base -->"))
    before = html(root / "build")
    edited = run(root, root / "build")
    assert edited.pages_rendered == edited.pages - 1
    changed = {p for p, data in html(root / "build").items() if before.get(p) != data}
    assert "index.html" not in changed and len(changed) == edited.pages - 1

    # A release template that includes a computed name could use any template: the
    # releases depend on every one, also on a template nothing names.
    (templates / "release.html").write_text(
        '{% extends "theme/release.html" %}{% set part = "partials/extra.html" %}'
        "{% block main %}{% include part %}{{ super() }}{% endblock %}"
    )
    (templates / "partials" / "extra.html").write_text("<p>extra</p>")
    run(root, root / "build")
    (templates / "unused.html").write_text("<p>unused</p>")
    edited = run(root, root / "build")
    releases = [*(root / "build").glob("*/press/*/index.html")]
    releases += (root / "build").glob("*/statements/*/index.html")
    assert edited.pages_rendered == len(releases)

    run(root, tmp_path / "uncached", cache=False)
    assert tree(root / "build") == tree(tmp_path / "uncached")
    assert b"<p>extra</p>" in tree(root / "build")["en/press/release-1/index.html"]


def test_a_broken_template_is_reported_when_documents_parse_in_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Templates are compiled while the workers parse; a failure there is left for the
    # render stage, which names the template and its line as always.
    root = fixture_site(tmp_path)
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "release.html").write_text(
        '{% extends "theme/release.html" %}\n{% block main %}{{ oops( }}{% endblock %}\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(content, "PARALLEL_THRESHOLD", 2)
    if parallel.workers_for(100, jobs=2, threshold=2) < 2:
        pytest.skip("no fork, or this process runs threads: the pool is never used")
    settings = settings_.load(root)
    with pytest.raises(TemplateError) as caught:
        build_.build(settings, target=tmp_path / "out", now=NOW, jobs=2, cache=False)
    assert "release.html" in caught.value.format() and caught.value.line == 2
    assert not (tmp_path / "out").exists()


def test_work_is_handed_out_in_order_in_bounded_slices() -> None:
    items = list(range(1000))
    for workers in (1, 2, 8):
        parts = parallel.chunks(items, workers)
        assert [x for part in parts for x in part] == items  # results come back in order
        assert max(map(len, parts)) <= parallel.CHUNK_MOST
        assert len(parts) >= min(len(items), workers * 4)
    assert parallel.chunks([1, 2, 3], 2) == [[1], [2], [3]]


def test_timings_name_every_stage_and_count_the_work(tmp_path: Path) -> None:
    from conftest import run_cli

    root = fixture_site(tmp_path)
    first = run_cli("build", "--site", root, "--now", NOW.isoformat(), "--timings")
    assert first.returncode == 0, first.stderr
    for stage in ("content", "render", "feeds", "check references", "images", "publish"):
        assert f"\n  {stage} " in first.stdout, stage
    assert "documents parsed 22, reused 0; pages rendered" in first.stdout
    again = run_cli("build", "--site", root, "--now", NOW.isoformat(), "--timings")
    assert "Nothing changed since the last build" in again.stdout
    assert "documents parsed 0, reused 22; pages rendered 0," in again.stdout
    assert "images processed 0, cached 2; press-kit texts made 0, kept 2; " in again.stdout
    assert "output files written 0, removed 0" in again.stdout
    uncached = run_cli("build", "--site", root, "--now", NOW.isoformat(), "--no-cache")
    assert uncached.returncode == 0, uncached.stderr


def test_indexes_kept_in_memory_are_used_only_while_their_file_is_unchanged(
    tmp_path: Path,
) -> None:
    memory: dict[object, object] = {}
    ours = BuildCache(tmp_path, salt="s", memory=memory)
    value = {"page": ("sha", 1)}
    ours.save("pages", value)
    assert ours.load("pages") is value  # no read: the very object
    assert BuildCache(tmp_path, salt="s", memory=memory).load("pages") is value  # next build
    other = BuildCache(tmp_path, salt="s")  # e.g. a `presssite build` meanwhile
    other.save("pages", {"page": ("sha2", 2)})
    assert ours.load("pages") == {"page": ("sha2", 2)}
    ours.forget("pages")
    assert ours.load("pages") is None
    assert BuildCache(tmp_path, salt="t", memory=memory).load("pages") is None  # other code


def test_the_cache_salt_follows_the_installed_libraries_not_the_program_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    libraries = tmp_path / "site-packages"
    (libraries / "jinja2-3.1.4.dist-info").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(libraries)])
    salt = installed()
    # First the script's folder, or the working folder ("") under ``python -m``.
    monkeypatch.setattr(sys, "path", [str(tmp_path / "bin"), "", str(libraries)])
    assert installed() == salt
    (libraries / "jinja2-3.1.4.dist-info").rename(libraries / "jinja2-3.2.0.dist-info")
    assert installed() != salt  # an upgrade


def test_a_build_after_an_upgrade_renders_everything_and_keeps_the_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cache of other code is not trusted, but the manifest of the output is: the
    # pages are all made again and published in place, the output folder never replaced.
    root = fixture_site(tmp_path)
    run(root, root / "build")
    monkeypatch.setattr(build_, "installed", lambda: "another library version")
    report = run(root, root / "build")
    assert report.documents_reused == 0 and report.pages_reused == 0
    assert report.publish_mode == "unchanged" and report.files_changed == 0  # same bytes
    # A new version whose theme writes other HTML (standing in: a site template).
    monkeypatch.setattr(build_, "installed", lambda: "yet another library version")
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "release.html").write_text(NEW_RELEASE)
    report = run(root, root / "build")
    assert report.pages_reused == 0 and report.files_changed > 0
    assert report.publish_mode == "in place"
    run(root, tmp_path / "fresh", cache=False)
    assert tree(root / "build") == tree(tmp_path / "fresh")


def test_bodies_moved_by_the_cache_are_read_where_they_went(tmp_path: Path) -> None:
    """Bodies live in the cache's pack files; once edits leave more of their bytes dead
    than live, a build copies the live bodies into a new pack and deletes the old ones.
    Pages of releases that did not change, rendered in that same build and after it,
    still show their whole text: every translation points to where its body went."""

    def body(word: str, paragraphs: int) -> str:
        return "\n\n".join(f"{word} paragraph {i}. " * 40 for i in range(paragraphs))

    names = [f"rilis{n}" for n in range(10)]
    root = make_site(
        tmp_path,
        {
            f"content/press/2026-01-{n + 1:02d}-{name}/index.id.md": release(
                name, f"2026-01-{n + 1:02d}T09:00:00+07:00", body(name, 1500)
            )
            for n, name in enumerate(names)
        },
    )
    packs = root / ".presssite-cache/build/bodies"
    run(root, root / "build", now=NOW)
    before = {p.name for p in packs.iterdir()}
    for n, name in enumerate(names[:8]):  # eight long bodies become short: mostly dead bytes
        path = root / f"content/press/2026-01-{n + 1:02d}-{name}/index.id.md"
        path.write_text(release(name, f"2026-01-{n + 1:02d}T09:00:00+07:00", body(name, 2)))
    for version in ("v1", "v2"):  # every page renders again: the kept bodies are read
        (root / "templates").mkdir(exist_ok=True)
        (root / "templates/release.html").write_text(
            '{% extends "theme/release.html" %}{% block title %}' + version + "{% endblock %}",
            encoding="utf-8",
        )
        report = run(root, root / "build", now=NOW)
        assert report.pages_rendered >= 10
        for name in names[8:]:
            page = (root / f"build/id/press/{name}/index.html").read_text(encoding="utf-8")
            assert f"{name} paragraph 1499." in page
        # the pack the long bodies shared is gone: the kept ones were copied out of it
        assert not before & {p.name for p in packs.iterdir()}


def test_a_body_left_in_the_cache_is_never_read_as_an_empty_text(tmp_path: Path) -> None:
    """A reader that forgets to fetch a stored body (``Bodies.get``) fails loudly, in
    code and in a template, instead of publishing a release without its text."""
    import jinja2
    from factories import make_settings, make_translation

    from presssite.cache.packs import BodyRef
    from presssite.model import StoredBody, own_body

    stored = StoredBody(BodyRef("p", 0, 9))
    doc = make_translation(
        make_settings(tmp_path), "press/2026-01-05-x", "id", date=NOW, body_html=stored
    )
    with pytest.raises(TypeError, match="build cache"):
        own_body(doc)
    with pytest.raises(TypeError, match="build cache"):
        f"{doc.body_html}"
    template = jinja2.Environment(autoescape=True).from_string("<main>{{ body }}</main>")
    with pytest.raises(TypeError, match="build cache"):
        template.render(body=doc.body_html)


def test_a_lock_kept_a_moment_by_a_forked_process_does_not_cost_the_cache(
    tmp_path: Path,
) -> None:
    # A process forked while a build held the cache (the dev server's indexer starting
    # Pagefind) keeps a copy of the lock's descriptor until it runs its program: the
    # next build waits for that moment instead of running without the cache.
    settings = settings_.load(fixture_site(tmp_path))
    held = BuildCache.open(settings)
    assert held is not None
    child = os.fork()
    if child == 0:  # holds the inherited descriptor for half a second
        import time

        time.sleep(0.5)
        os._exit(0)
    try:
        held.close()
        again = BuildCache.open(settings)
        assert again is not None
        again.close()
    finally:
        os.waitpid(child, 0)
