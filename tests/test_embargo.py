"""Embargoes end to end: clashes found before the embargo lifts, preview builds that
cannot be deployed by mistake, and the check a scheduler runs to lift embargoes on time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_site, run_cli

NOW = "2026-01-31T12:00:00+07:00"
LIFTS = "2026-02-02T09:00:00+07:00"


def release(title: str, date: str, **extra: str) -> str:
    lines = ["---", f"title: {json.dumps(title)}", f"date: {date}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join([*lines, "---", "", "Isi siaran pers.", ""])


# --------------------------------------------------------------------------- URL clashes


@pytest.mark.parametrize(
    "hidden",
    [{"embargo": LIFTS}, {"draft": "true"}, {"embargo": LIFTS, "draft": "true"}],
    ids=["embargoed", "draft", "embargoed-draft"],
)
def test_a_hidden_release_that_would_clash_is_reported_now(tmp_path: Path, hidden: dict) -> None:
    root = make_site(
        tmp_path,
        {
            "content/press/2026-01-10-umum/index.id.md": release(
                "Umum", "2026-01-10T09:00:00+07:00", slug="kesepakatan"
            ),
            "content/press/2026-01-25-rahasia/index.id.md": release(
                "Rahasia", "2026-01-25T09:00:00+07:00", slug="kesepakatan", **hidden
            ),
        },
    )
    result = run_cli("build", "--site", root, "--now", NOW)
    assert result.returncode == 1
    assert "content/press/2026-01-25-rahasia/index.id.md:4: slug:" in result.stderr
    assert "writes the same URL /portal/id/press/kesepakatan/" in result.stderr
    assert "content/press/2026-01-10-umum/index.id.md" in result.stderr
    if "embargo" in hidden:
        assert "once its embargo lifts (2026-02-02T09:00:00+07:00)" in result.stderr
    else:
        assert "once it is no longer a draft" in result.stderr
    assert not (root / "build").exists()  # nothing published


def test_an_embargoed_page_that_would_take_a_list_url_is_reported_now(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/pages/topik/index.id.md": release(
                "Topik", "2026-01-10T09:00:00+07:00", slug="tags", embargo=LIFTS
            ),
        },
    )
    result = run_cli("build", "--site", root, "--now", NOW)
    assert result.returncode == 1
    assert "content/pages/topik/index.id.md:4: slug:" in result.stderr
    assert "which is the id tags index once its embargo lifts" in result.stderr


def test_an_expired_release_no_longer_claims_its_url(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/press/2025-01-10-lama/index.id.md": release(
                "Lama",
                "2025-01-10T09:00:00+07:00",
                slug="kesepakatan",
                expires="2025-06-01T00:00:00+07:00",
            ),
            "content/press/2026-01-25-baru/index.id.md": release(
                "Baru", "2026-01-25T09:00:00+07:00", slug="kesepakatan"
            ),
        },
    )
    result = run_cli("build", "--site", root, "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert (root / "build/id/press/kesepakatan/index.html").is_file()


# --------------------------------------------------------------------------- due instants


@pytest.fixture(scope="module")
def timed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embargo lifting and one release expiring, a draft's embargo that changes nothing."""
    return make_site(
        tmp_path_factory.mktemp("timed"),
        {
            "content/press/2026-01-10-umum/index.id.md": release(
                "Umum", "2026-01-10T09:00:00+07:00", expires="2026-02-05T00:00:00+07:00"
            ),
            "content/press/2026-01-25-rahasia/index.id.md": release(
                "Rahasia", "2026-01-25T09:00:00+07:00", embargo=LIFTS
            ),
            "content/press/2026-01-26-konsep/index.id.md": release(
                "Konsep", "2026-01-26T09:00:00+07:00", embargo=NOW, draft="true"
            ),
        },
    )


@pytest.mark.parametrize(
    ("now", "args", "due"),
    [
        ("2026-02-02T08:50:00+07:00", ["--due-within", "15m"], "2026-02-02T09:00:00+07:00"),
        ("2026-02-02T09:10:00+07:00", ["--due-within", "15m"], "2026-02-02T09:00:00+07:00"),
        ("2026-02-02T08:00:00+07:00", ["--due-within", "15m"], None),
        ("2026-02-02T10:00:00+07:00", ["--due-within", "15m"], None),
        (
            "2026-02-02T10:00:00+07:00",
            ["--due-within", "0m", "--since", "2026-02-02T01:30:00Z"],
            "2026-02-02T09:00:00+07:00",
        ),
        (
            "2026-02-02T10:00:00+07:00",
            ["--due-within", "0m", "--since", "2026-02-02T09:00:00+07:00"],
            None,
        ),
        ("2026-02-04T23:55:00+07:00", ["--due-within", "10m"], "2026-02-05T00:00:00+07:00"),
        (NOW, ["--due-within", "1m"], None),  # the draft's embargo changes nothing
    ],
    ids=[
        "lifts-soon",
        "lifted-just-now",
        "lifts-later",
        "lifted-long-ago",
        "lifted-since-last-build",
        "lifted-before-last-build",
        "expires-soon",
        "draft-embargo",
    ],
)
def test_due_within_says_whether_a_rebuild_is_due(
    timed_site: Path, now: str, args: list[str], due: str | None
) -> None:
    result = run_cli("embargoes", "--site", timed_site, "--now", now, *args)
    if due is None:
        assert result.returncode == 3, result.stderr
        assert "Nothing due" in result.stdout
    else:
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"due: {due}")


def test_due_within_refuses_a_bad_duration(timed_site: Path) -> None:
    result = run_cli("embargoes", "--site", timed_site, "--due-within", "soon")
    assert result.returncode == 2
    assert "--due-within" in result.stderr and "not a duration: 'soon'" in result.stderr


def test_embargoes_says_that_a_public_repository_is_public(timed_site: Path) -> None:
    result = run_cli("embargoes", "--site", timed_site, "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert "2026-02-02T09:00:00+07:00  id" in result.stdout
    assert "is public as soon as it is pushed to a public repository" in result.stderr
    assert "private repository, or on a private branch" in result.stderr


def test_a_new_sites_readme_says_that_a_public_repository_is_public(tmp_path: Path) -> None:
    result = run_cli("init", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    readme = (tmp_path / "site" / "README.md").read_text(encoding="utf-8")
    assert "in a public repository, the text of an embargoed release is public" in " ".join(
        readme.split()
    )
    assert "private repository" in readme and "private branch" in readme


def test_init_keeps_a_repositorys_own_readme(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "README.md").write_text("# Our newsroom\n", encoding="utf-8")
    result = run_cli("init", folder)
    assert result.returncode == 0, result.stderr
    assert (folder / "README.md").read_text(encoding="utf-8") == "# Our newsroom\n"
    assert (folder / "presssite.toml").is_file()
