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
