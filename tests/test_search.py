"""The search stage end to end: what the Pagefind index holds, and when it is made."""

from __future__ import annotations

import gzip
import json
import shutil
import threading
from datetime import datetime
from pathlib import Path

import pytest
from conftest import DEFAULT_SETTINGS, make_site, run_cli
from factories import release
from selectolax.lexbor import LexborHTMLParser

from presssite import build as build_
from presssite import settings as settings_
from presssite import urls
from presssite.build import BuildReport

NOW = "2026-03-01T12:00:00+07:00"
LATER = "2026-05-01T12:00:00+07:00"


FILES = {
    "content/press/2026-01-10-a/index.id.md": release(
        "Rilis terbuka", "2026-01-10T09:00:00+07:00", "Kata unik kenari di sini."
    ),
    "content/press/2026-01-10-a/index.en.md": release(
        "Open release", "2026-01-10T09:00:00+07:00", "A unique word lighthouse here."
    ),
    "content/press/2026-02-01-draft/index.id.md": release(
        "Konsep", "2026-02-01T09:00:00+07:00", "Kata rahasia draftsecretword.", draft="true"
    ),
    "content/press/2026-02-02-embargo/index.id.md": release(
        "Embargo",
        "2026-02-02T09:00:00+07:00",
        "Kata rahasia embargosecretword.",
        embargo="2026-04-01T09:00:00+07:00",
    ),
    "content/press/2025-02-03-expired/index.id.md": release(
        "Kedaluwarsa",
        "2025-02-03T09:00:00+07:00",
        "Kata rahasia expiredsecretword.",
        expires="2026-01-01T00:00:00+07:00",
    ),
    "content/pages/tentang/index.id.md": release(
        "Tentang", "2025-01-01T09:00:00+07:00", "Halaman statis flamingo."
    ),
}


def index_text(out: Path) -> str:
    """Every file of the index, decompressed where Pagefind compresses it, as text."""
    parts = []
    for path in sorted((out / "pagefind").rglob("*")):
        if not path.is_file() or path.suffix in (".js", ".css"):
            continue
        data = path.read_bytes()
        try:
            data = gzip.decompress(data)
        except OSError:
            pass
        parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


def index_files(out: Path, language: str) -> dict[str, bytes]:
    """The bytes of every file of one language's index in a built site."""
    folder = out / "pagefind"
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and (path.name.startswith(f"{language}_") or f".{language}_" in path.name)
    }


def build(root: Path, now: str) -> BuildReport:
    """A build in this process, as ``presssite build --now`` runs it, for its report."""
    settings = settings_.load(root)
    return build_.build(settings, target=root / "build", now=datetime.fromisoformat(now))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path, FILES)


def test_index_holds_published_pages_only(site: Path) -> None:
    built = run_cli("build", "--site", site, "--now", NOW)  # the command line, once
    assert built.returncode == 0, built.stderr
    assert "kenari" in index_text(site / "build")
    report = build(site, NOW)
    assert report.search_indexed == 2  # one index per locale
    text = index_text(site / "build")
    assert "kenari" in text and "lighthouse" in text and "flamingo" in text
    for secret in ("draftsecretword", "embargosecretword", "expiredsecretword"):
        assert secret not in text
    entry = json.loads((site / "build/pagefind/pagefind-entry.json").read_text())
    assert sorted(entry["languages"]) == ["en", "id"]
    # list pages are not indexed: every indexed URL is a release or a static page
    assert '"url":"/portal/id/"' not in text and "/tags/" not in text
    # after the embargo lifts (and a draft stays a draft), the word is in a new index
    build(site, LATER)
    text = index_text(site / "build")
    assert "embargosecretword" in text
    assert "draftsecretword" not in text and "expiredsecretword" not in text


def test_results_carry_metadata_and_filters(site: Path) -> None:
    build(site, NOW)
    text = index_text(site / "build")
    assert '"title":"Rilis terbuka"' in text
    assert '"date":"10 Januari 2026"' in text
    # the filters are named in each locale's words
    assert '"Jenis":["Siaran pers"]' in text and '"Tahun":["2026"]' in text
    assert '"Section":["Press releases"]' in text and '"Year":["2026"]' in text


def test_indexer_runs_only_when_an_indexed_page_changed(site: Path) -> None:
    assert build(site, NOW).search_indexed == 2
    # a template edit changes every page, but no indexed word: the index is reused
    (site / "templates").mkdir()
    (site / "templates/home.html").write_text(
        '{% extends "theme/home.html" %}{% block title %}Beranda{% endblock %}', encoding="utf-8"
    )
    report = build(site, NOW)
    assert report.pages_rendered > 0
    assert report.search_indexed == 0 and report.search_reused == 2
    # an edit of an Indonesian release's words indexes Indonesian again, not English
    english = index_files(site / "build", "en")
    assert any(name.startswith("fragment/") for name in english)
    path = site / "content/press/2026-01-10-a/index.id.md"
    path.write_text(path.read_text().replace("kenari", "merpati"), encoding="utf-8")
    report = build(site, NOW)
    assert report.search_indexed == 1 and report.search_reused == 1
    text = index_text(site / "build")
    assert "merpati" in text and "kenari" not in text
    assert index_files(site / "build", "en") == english
    # the entry file names both languages' indexes, and each names files that exist
    entry = json.loads((site / "build/pagefind/pagefind-entry.json").read_text())
    assert sorted(entry["languages"]) == ["en", "id"]
    for language in entry["languages"].values():
        assert (site / f"build/pagefind/pagefind.{language['hash']}.pf_meta").is_file()


def test_search_can_be_turned_off(tmp_path: Path) -> None:
    root = make_site(tmp_path, FILES, settings=DEFAULT_SETTINGS + "[search]\nenabled = false\n")
    report = build(root, NOW)
    assert report.search_indexed == 0
    out = root / "build"
    assert not (out / "pagefind").exists() and not (out / "id/search").exists()
    assert 'role="search"' not in (out / "id/index.html").read_text(encoding="utf-8")


def test_every_page_has_a_get_search_field(site: Path) -> None:
    build(site, NOW)
    for path in ("id/index.html", "en/press/a/index.html", "id/tentang/index.html"):
        tree = LexborHTMLParser((site / "build" / path).read_text(encoding="utf-8"))
        form = tree.css_first('form[role="search"]')
        loc = path.split("/")[0]
        assert form.attributes["action"] == f"/portal/{loc}/search/"
        assert form.attributes["method"] == "get"
        field = form.css_first("input[name=q]")
        assert tree.css_first(f'label[for="{field.attributes["id"]}"]') is not None
    search = LexborHTMLParser((site / "build/en/search/index.html").read_text(encoding="utf-8"))
    assert search.css_first("html").attributes["lang"] == "en"
    assert not [s for s in search.css("script") if not s.attributes.get("src")]  # no inline
    noscript = search.css_first("noscript").html
    assert "/portal/en/archive/" in noscript


def test_dev_server_indexes_in_the_background(site: Path, tmp_path: Path) -> None:
    from presssite.serve.command import Preview

    workdir = tmp_path / "preview"
    workdir.mkdir()
    now = datetime.fromisoformat(NOW)
    preview = Preview(settings_.load(site), workdir=workdir, now=now, echo=lambda _: None)
    assert preview.rebuild(set()).problem is None
    assert preview.report is not None and preview.report.search_indexed == 0  # not in the build
    preview.indexer.wait(timeout=120)
    served = preview.current
    assert served is not None and "kenari" in index_text(served)
    # a new release (a build, not an edit): published first, indexed after
    new = site / "content/press/2026-02-10-b/index.id.md"
    new.parent.mkdir()
    new.write_text(release("Baru", "2026-02-10T09:00:00+07:00", "Kata pelikan."), encoding="utf-8")
    result = preview.rebuild({new})
    assert result.action == "reload" and preview.report.search_indexed == 0
    assert (served / "id/press/b/index.html").is_file()
    preview.indexer.wait(timeout=120)
    assert "pelikan" in index_text(served)
    # an edit of words, applied in place: the index follows too
    new.write_text(release("Baru", "2026-02-10T09:00:00+07:00", "Kata camar."), encoding="utf-8")
    assert preview.rebuild({new}).action == "reload"
    preview.indexer.wait(timeout=120)
    text = index_text(served)
    assert "camar" in text and "pelikan" not in text


def test_older_years_are_parts_made_again_only_when_their_releases_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        **FILES,
        "content/press/2024-05-01-lama/index.id.md": release(
            "Rilis lama", "2024-05-01T09:00:00+07:00", "Kata lama rangkong."
        ),
        "content/press/2025-05-01-tengah/index.id.md": release(
            "Rilis tengah", "2025-05-01T09:00:00+07:00", "Kata tengah cendrawasih."
        ),
    }
    root = make_site(tmp_path, files)
    out = root / "build"
    # a small site: one index a locale, in the main folder
    assert build(root, NOW).search_indexed == 2
    assert not (out / "pagefind/id").exists()
    search = LexborHTMLParser((out / "id/search/index.html").read_text(encoding="utf-8"))
    assert search.css_first("#search").attributes["data-parts"] == ""
    # with parts of one release at most, each older year is a part of its own (a
    # change of presssite's code: the build cache goes, as a new version's would)
    monkeypatch.setattr(urls, "PART_PAGES", 1)
    shutil.rmtree(root / ".presssite-cache")
    assert build(root, NOW).search_indexed == 4  # id: 2026 (main), 2025, 2024; en: 2026
    for folder in (out / "pagefind/id/2024", out / "pagefind/id/2025"):
        entry = json.loads((folder / "pagefind-entry.json").read_text())
        assert list(entry["languages"]) == ["id"]
        assert (folder / f"pagefind.{entry['languages']['id']['hash']}.pf_meta").is_file()
        # the search page runs the main folder's scripts; an older part is index only
        assert not [p for p in folder.rglob("*") if p.suffix in (".js", ".css", ".pagefind")]
    main = json.loads((out / "pagefind/pagefind-entry.json").read_text())
    assert sorted(main["languages"]) == ["en", "id"]
    # each locale's search page merges its older parts, newest first
    search = LexborHTMLParser((out / "id/search/index.html").read_text(encoding="utf-8"))
    parts = search.css_first("#search").attributes["data-parts"]
    assert parts == "/portal/pagefind/id/2025/ /portal/pagefind/id/2024/"
    english = LexborHTMLParser((out / "en/search/index.html").read_text(encoding="utf-8"))
    assert english.css_first("#search").attributes["data-parts"] == ""
    text = index_text(out)
    assert "rangkong" in text and "cendrawasih" in text and "kenari" in text

    # an edit of a 2024 release makes 2024's part again, and changes no other file
    def others() -> dict[str, bytes]:
        return {
            p.relative_to(out).as_posix(): p.read_bytes()
            for p in (out / "pagefind").rglob("*")
            if p.is_file() and "/2024/" not in p.as_posix()
        }

    before = others()
    path = root / "content/press/2024-05-01-lama/index.id.md"
    path.write_text(path.read_text().replace("rangkong", "maleo"), encoding="utf-8")
    report = build(root, NOW)
    assert report.search_indexed == 1 and report.search_reused == 3
    text = index_text(out)
    assert "maleo" in text and "rangkong" not in text and "cendrawasih" in text
    assert others() == before
    # without its 2026 release, id's newest year is 2025: its part moves to the main
    # folder (with the static page), and the search page merges 2024's alone
    (root / "content/press/2026-01-10-a/index.id.md").unlink()
    build(root, NOW)
    search = LexborHTMLParser((out / "id/search/index.html").read_text(encoding="utf-8"))
    assert search.css_first("#search").attributes["data-parts"] == "/portal/pagefind/id/2024/"
    assert not (out / "pagefind/id/2025").exists()
    text = index_text(out)
    assert "kenari" not in text and "cendrawasih" in text and "flamingo" in text


def test_a_failure_while_records_are_written_stops_the_build(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from presssite.search import stage

    def failing(*args: object, **kwargs: object) -> object:
        raise OSError("disk full")

    monkeypatch.setattr(stage, "records", failing)
    done: list[BaseException] = []

    def run() -> None:
        try:
            build(site, NOW)
        except BaseException as exc:  # noqa: BLE001 - what the build raised is the result
            done.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the build hangs after a failure in the records"
    assert done and "disk full" in str(done[0])
    assert not (site / "build").exists()  # nothing published


def test_indexers_hold_at_most_a_budget_of_pages_at_once() -> None:
    from presssite.search.indexer import Budget

    budget = Budget(100)
    budget.take(80)  # one indexer holds 80 pages in memory
    started = threading.Event()
    second = threading.Thread(target=lambda: (budget.take(30), started.set()), daemon=True)
    second.start()
    assert not started.wait(0.3)  # 110 pages would be over the budget: it waits
    budget.give(80)
    assert started.wait(5)
    budget.give(30)
    budget.take(500)  # a part over the budget runs alone, not never
    assert budget.held == 500


def test_a_language_with_nothing_published_has_no_search_of_another(tmp_path: Path) -> None:
    # Pagefind's interface searches the largest language's index when the page's own
    # has none: English would search the Indonesian releases.
    files = {k: v for k, v in FILES.items() if not k.endswith(".en.md")}
    root = make_site(tmp_path, files)
    out = root / "build"
    build(root, NOW)
    entry = json.loads((out / "pagefind/pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["id"]
    english = LexborHTMLParser((out / "en/search/index.html").read_text(encoding="utf-8"))
    assert english.css_first("#search") is None
    assert not [s for s in english.css("script") if "pagefind" in s.attributes.get("src", "")]
    assert "Nothing is published in this language yet." in english.css_first("main").text()
    indonesian = LexborHTMLParser((out / "id/search/index.html").read_text(encoding="utf-8"))
    assert indonesian.css_first("#search") is not None
    # the first English release brings the search back
    path = root / "content/press/2026-01-10-a/index.en.md"
    path.write_text(FILES["content/press/2026-01-10-a/index.en.md"], encoding="utf-8")
    build(root, NOW)
    english = LexborHTMLParser((out / "en/search/index.html").read_text(encoding="utf-8"))
    assert english.css_first("#search") is not None


def test_the_dev_server_indexes_one_job_at_a_time_and_skips_superseded_ones() -> None:
    # Saving a release every second must not start an indexer every second: while one
    # job runs, a new one waits, and a newer one still replaces it.
    from presssite.build import BuildState
    from presssite.serve.indexing import Indexer

    release_first = threading.Event()
    ran: list[str] = []
    running = [0, 0]  # now, most at once

    class Job:
        def __init__(self, name: str, wait: threading.Event | None = None) -> None:
            self.name, self.wait = name, wait

        def parts(self) -> list[object]:
            running[0] += 1
            running[1] = max(running)
            if self.wait is not None:
                assert self.wait.wait(30)
            ran.append(self.name)
            running[0] -= 1
            return []

    indexer = Indexer(BuildState(), threading.Lock(), echo=lambda _line: None)
    indexer.start(Job("first", release_first))
    indexer.start(Job("second"))  # waits for the first...
    indexer.start(Job("third"))  # ...and is replaced by the third
    release_first.set()
    indexer.wait(timeout=30)
    assert ran == ["first", "third"]
    assert running[1] == 1


def test_a_dev_server_build_without_the_cache_indexes_before_it_ends(
    site: Path, tmp_path: Path
) -> None:
    # Another build holds the cache: this one keeps its bodies in a folder it removes
    # when it ends, so a job left for later could not read them. It indexes at once.
    from presssite.cache.store import BuildCache
    from presssite.serve.command import Preview

    settings = settings_.load(site)
    workdir = tmp_path / "preview"
    workdir.mkdir()
    preview = Preview(settings, workdir=workdir, now=datetime.fromisoformat(NOW), echo=print)
    held = BuildCache.open(settings)
    assert held is not None
    try:
        assert preview.rebuild(set()).problem is None
    finally:
        held.close()
    assert preview.report is not None and preview.report.search_indexed > 0
    assert preview.current is not None and "kenari" in index_text(preview.current)
    preview.indexer.wait(timeout=120)
    assert "kenari" in index_text(preview.current)


def test_the_dev_server_shows_a_failed_index_only_when_no_newer_one_follows() -> None:
    # A date edited twice quickly: the first job's bodies were dropped by the second
    # build, which left a job of its own; only a failure of the newest job is news.
    from presssite.build import BuildState
    from presssite.errors import PresssiteError
    from presssite.serve.indexing import Indexer

    go = threading.Event()

    class Failing:
        def __init__(self, wait: bool) -> None:
            self.wait = wait

        def parts(self) -> list[object]:
            if self.wait:
                assert go.wait(30)
            raise PresssiteError("the build cache lost the body of a.md during the build")

    lines: list[str] = []
    indexer = Indexer(BuildState(), threading.Lock(), echo=lines.append)
    indexer.start(Failing(wait=True))
    indexer.start(Failing(wait=False))  # supersedes the first while it runs
    go.set()
    indexer.wait(timeout=30)
    assert lines == [
        "search index not updated: the build cache lost the body of a.md during the build"
    ]
