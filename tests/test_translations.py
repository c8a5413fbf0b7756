"""Translation status: present, missing, stale (by updated:, else by git commit times)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, make_site, run_cli
from factories import release
from selectolax.lexbor import LexborHTMLParser

from presssite import settings as settings_
from presssite.site.history import commit_history

NOW = "2026-03-01T12:00:00+07:00"
BUNDLE = "content/press/2026-01-10-visit"
ID_FILE = f"{BUNDLE}/index.id.md"
EN_FILE = f"{BUNDLE}/index.en.md"


def git(repo: Path, *args: str, when: str | None = None) -> None:
    env = dict(os.environ)
    if when is not None:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    subprocess.run(
        ["git", "-c", "user.name=Tester", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )


def commit(repo: Path, path: str, text: str, when: str) -> None:
    file = repo / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    git(repo, "add", path)
    git(repo, "commit", "-q", "-m", f"edit {path}", when=when)


def status_json(root: Path) -> dict:
    result = run_cli("translations", "--site", root, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def states(report: dict, bundle: str) -> dict[str, str]:
    doc = next(d for d in report["documents"] if d["bundle"] == bundle)
    return {loc: t["state"] for loc, t in doc["translations"].items()}


def notice(root: Path, path: str, out: str = "build") -> str:
    node = LexborHTMLParser((root / out / path).read_text(encoding="utf-8")).css_first(
        ".stale-notice"
    )
    return " ".join(node.text().split()) if node is not None else ""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A site in a git repository with its original committed, then its translation."""
    root = make_site(tmp_path, {})
    git(root, "init", "-q")
    commit(root, "presssite.toml", (root / "presssite.toml").read_text(), "2026-01-01T10:00:00Z")
    commit(root, ID_FILE, release("Kunjungan"), "2026-01-10T10:00:00Z")
    commit(root, EN_FILE, release("Visit", body="Body."), "2026-01-11T10:00:00Z")
    return root


# --------------------------------------------------------------------------- by git commits


def test_a_translation_committed_after_its_original_is_current(repo: Path) -> None:
    report = status_json(repo)
    assert states(report, "press/2026-01-10-visit") == {"id": "present", "en": "present"}
    doc = report["documents"][0]
    assert doc["basis"] == "commits"
    assert doc["translations"]["en"]["changed"] == "2026-01-11T10:00:00+00:00"


def test_original_committed_after_the_translation_makes_it_stale(repo: Path) -> None:
    commit(repo, ID_FILE, release("Kunjungan", body="Isi diperbaiki."), "2026-01-12T10:00:00Z")
    report = status_json(repo)
    assert states(report, "press/2026-01-10-visit") == {"id": "present", "en": "stale"}
    assert report["documents"][0]["translations"]["en"]["newer"] == "id"
    assert report["counts"]["en"] == {"present": 0, "missing": 0, "stale": 1}

    result = run_cli("build", "--site", repo, "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert "stale translations: 1" in result.stdout
    assert "press/2026-01-10-visit [en]" in result.stdout
    text = notice(repo, "en/press/visit/index.html")
    assert "The Indonesian original was updated after this translation." in text
    link = LexborHTMLParser(
        (repo / "build/en/press/visit/index.html").read_text(encoding="utf-8")
    ).css_first(".stale-notice a")
    assert link.attributes["href"] == "/portal/id/press/visit/"
    assert notice(repo, "id/press/visit/index.html") == ""

    # The translator catches up: committing the translation makes it current again,
    # and does not make the original stale.
    commit(repo, EN_FILE, release("Visit", body="Fixed body."), "2026-01-13T10:00:00Z")
    assert states(status_json(repo), "press/2026-01-10-visit") == {
        "id": "present",
        "en": "present",
    }


def test_site_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "-q")
    root = make_site(top, {})  # top/site
    commit(top, f"site/{EN_FILE}", release("Visit"), "2026-01-10T10:00:00Z")
    commit(top, f"site/{ID_FILE}", release("Kunjungan", body="Baru."), "2026-01-12T10:00:00Z")
    report = status_json(root)
    assert states(report, "press/2026-01-10-visit") == {"id": "present", "en": "stale"}


def test_site_reached_through_a_symbolic_link(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "-q")
    make_site(top, {})  # top/site
    commit(top, f"site/{EN_FILE}", release("Visit"), "2026-01-10T10:00:00Z")
    commit(top, f"site/{ID_FILE}", release("Kunjungan", body="Baru."), "2026-01-12T10:00:00Z")
    (tmp_path / "link").symlink_to(top / "site")
    report = status_json(tmp_path / "link")
    assert states(report, "press/2026-01-10-visit") == {"id": "present", "en": "stale"}


def test_uncommitted_files_and_sites_outside_git_are_not_compared(tmp_path: Path) -> None:
    root = make_site(tmp_path, {ID_FILE: release("Kunjungan"), EN_FILE: release("Visit")})
    report = status_json(root)
    assert states(report, "press/2026-01-10-visit") == {"id": "present", "en": "present"}
    assert report["documents"][0]["basis"] is None


def test_a_shallow_clone_compares_nothing_and_says_how_to_fetch_the_history(
    repo: Path, tmp_path: Path
) -> None:
    """A clone of the last commit alone (actions/checkout's default) dates every file at
    that commit: the build says so, rather than publish a stale translation as current."""
    commit(repo, ID_FILE, release("Kunjungan", body="Isi diperbaiki."), "2026-01-12T10:00:00Z")
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(shallow)],
        check=True,
        capture_output=True,
    )
    result = run_cli("build", "--site", shallow, "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert "shallow clone" in result.stderr and "fetch-depth: 0" in result.stderr
    assert "stale translations" not in result.stdout
    assert notice(shallow, "en/press/visit/index.html") == ""

    subprocess.run(["git", "-C", str(shallow), "fetch", "-q", "--unshallow"], check=True)
    again = run_cli("build", "--site", shallow, "--now", NOW)
    assert again.returncode == 0, again.stderr
    assert "shallow clone" not in again.stderr
    assert "stale translations: 1" in again.stdout
    assert "updated after this translation" in notice(shallow, "en/press/visit/index.html")


def test_git_history_is_read_in_one_call(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append(list(args))
        return real_run(args, **kwargs)  # type: ignore[call-overload, no-any-return]

    for n in range(5):
        commit(repo, f"content/press/2026-01-2{n}-x/index.id.md", release("X"), "2026-01-20T00:00Z")
    monkeypatch.setattr(subprocess, "run", counting_run)
    history = commit_history(repo, repo / "content")
    assert len([c for c in calls if "log" in c]) == 1
    assert len(history) == 7
    id_file = history[str((repo / ID_FILE).resolve())]
    assert id_file.first == id_file.last


def test_a_kept_history_reads_only_the_commits_since(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history kept for one HEAD is brought up to a later one with the commits since
    (a deploy after a new release): the same times as reading it all."""
    cache: dict = {}
    commit_history(repo, repo / "content", cache=cache)
    commit(repo, ID_FILE, release("Kunjungan", body="Isi baru."), "2026-01-12T10:00:00Z")
    commit(repo, f"{BUNDLE}-2/index.id.md", release("Dua"), "2026-01-13T10:00:00Z")
    logs: list[list[str]] = []
    real_run = subprocess.run

    def recording_run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        if "log" in args:
            logs.append(list(args))
        return real_run(args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(subprocess, "run", recording_run)
    updated = commit_history(repo, repo / "content", cache=cache)
    assert len(logs) == 1 and any(".." in arg for arg in logs[0])  # the two new commits
    monkeypatch.undo()
    assert updated == commit_history(repo, repo / "content")  # read whole
    id_file = updated[str((repo / ID_FILE).resolve())]
    assert (id_file.first.day, id_file.last.day) == (10, 12)
    assert states(status_json(repo), "press/2026-01-10-visit")["en"] == "stale"


def test_a_rewritten_history_is_read_whole(repo: Path) -> None:
    cache: dict = {}
    commit_history(repo, repo / "content", cache=cache)
    git(repo, "reset", "-q", "--hard", "HEAD~1")  # the translation's commit is gone
    commit(repo, EN_FILE, release("Visit", body="Other."), "2026-01-09T10:00:00Z")
    assert commit_history(repo, repo / "content", cache=cache) == commit_history(
        repo, repo / "content"
    )
    en_file = commit_history(repo, repo / "content", cache=cache)[str((repo / EN_FILE).resolve())]
    assert en_file.last.day == 9


# --------------------------------------------------------------------------- by updated:


def test_updated_in_front_matter_decides_before_git(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            ID_FILE: release("Kunjungan"),
            EN_FILE: release("Visit", updated="2026-01-15T08:00:00+07:00"),
        },
    )
    report = status_json(root)
    doc = report["documents"][0]
    assert doc["basis"] == "updated"
    assert states(report, "press/2026-01-10-visit") == {"id": "stale", "en": "present"}
    assert doc["translations"]["id"]["newer"] == "en"

    result = run_cli("build", "--site", root, "--now", NOW)
    assert result.returncode == 0, result.stderr
    # The notice names the other language in the page's own language.
    text = notice(root, "id/press/visit/index.html")
    assert "Versi berbahasa Inggris telah diperbarui setelah terjemahan ini dibuat." in text
    assert "Baca versi berbahasa Inggris" in text
    assert notice(root, "en/press/visit/index.html") == ""


def test_equal_updated_instants_are_current(tmp_path: Path) -> None:
    both = "2026-01-15T08:00:00+07:00"
    root = make_site(
        tmp_path,
        {ID_FILE: release("Kunjungan", updated=both), EN_FILE: release("Visit", updated=both)},
    )
    assert states(status_json(root), "press/2026-01-10-visit") == {
        "id": "present",
        "en": "present",
    }


# --------------------------------------------------------------------------- the command


def test_table_shows_states_and_counts_per_locale(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            ID_FILE: release("Kunjungan", updated="2026-01-20T08:00:00+07:00"),
            EN_FILE: release("Visit"),
            "content/press/2026-01-11-only-id/index.id.md": release("Hanya"),
        },
    )
    result = run_cli("translations", "--site", root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    visit = next(line for line in lines if "press/2026-01-10-visit" in line)
    only = next(line for line in lines if "press/2026-01-11-only-id" in line)
    assert visit.split()[1:] == ["present", "stale", "(id", "newer)"]
    assert only.split()[1:] == ["present", "missing"]
    footer = next(line for line in lines if line.startswith("total"))
    assert "2 present, 0 missing, 0 stale" in footer
    assert "0 present, 1 missing, 1 stale" in footer


def test_strict_fails_on_missing_or_stale_only(tmp_path: Path) -> None:
    root = make_site(tmp_path, {ID_FILE: release("Kunjungan"), EN_FILE: release("Visit")})
    assert run_cli("translations", "--site", root, "--strict").returncode == 0
    (root / EN_FILE).unlink()
    result = run_cli("translations", "--site", root, "--strict")
    assert result.returncode == 1
    assert "1 missing and 0 stale" in result.stderr
    (root / EN_FILE).write_text(release("Visit"), encoding="utf-8")
    (root / ID_FILE).write_text(
        release("Kunjungan", updated="2026-02-01T08:00:00+07:00"), encoding="utf-8"
    )
    result = run_cli("translations", "--site", root, "--strict", "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["counts"]["en"]["stale"] == 1


def test_drafts_and_embargoed_documents_are_counted(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/press/2026-01-12-draft/index.id.md": release("Draf", draft="true"),
            "content/press/2026-01-13-later/index.en.md": release(
                "Later", embargo="2030-01-01T00:00:00+07:00"
            ),
        },
    )
    report = status_json(root)
    assert states(report, "press/2026-01-12-draft") == {"id": "present", "en": "missing"}
    assert states(report, "press/2026-01-13-later") == {"id": "missing", "en": "present"}


def test_content_errors_are_reported_not_tracebacks(tmp_path: Path) -> None:
    root = make_site(tmp_path, {ID_FILE: "---\ntitle: [\n---\n"})
    result = run_cli("translations", "--site", root)
    assert result.returncode == 1
    assert "index.id.md" in result.stderr and "Traceback" not in result.stderr


def test_example_site_shows_its_missing_translation() -> None:
    result = run_cli("translations", "--site", REPO, "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    missing = [
        (d["bundle"], loc)
        for d in report["documents"]
        for loc, t in d["translations"].items()
        if t["state"] == "missing"
    ]
    assert ("press/2026-11-03-scholarship-programme-2027", "en") in missing
    table = run_cli("translations", "--site", REPO)
    row = next(line for line in table.stdout.splitlines() if "scholarship-programme-2027" in line)
    assert row.split()[1:] == ["present", "missing"]


def test_status_of_bundles_without_git(tmp_path: Path) -> None:
    root = make_site(tmp_path, {ID_FILE: release("Kunjungan")})
    s = settings_.load(root)
    from presssite.content.bundles import load_bundles
    from presssite.site.status import translation_status

    status = translation_status(s, load_bundles(s))
    assert status.missing == (("press/2026-01-10-visit", "en"),)
    assert status.stale == {}
    assert status.counts() == {
        "id": {"present": 1, "missing": 0, "stale": 0},
        "en": {"present": 0, "missing": 1, "stale": 0},
    }
