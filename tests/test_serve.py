"""``presssite serve``: change classification, preview rebuilds, and the command itself."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SRC, make_site
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from presssite import settings as settings_
from presssite.errors import ContentError, ErrorList
from presssite.serve.command import Preview, classify, problem_of
from presssite.serve.httpd import Problem

RELEASE = "content/press/2026-01-05-harbour/index.{loc}.md"
PAGE = """\
---
title: {title}
date: 2026-01-05T09:00:00+07:00
summary: A summary.
{extra}---

{body}
"""


def release(loc: str, body: str, *, title: str = "Harbour opens", extra: str = "") -> str:
    return PAGE.format(title=f"{title} [{loc}]", extra=extra, body=body)


def files(**overrides: str) -> dict[str, str]:
    base = {
        RELEASE.format(loc="id"): release("id", "Pelabuhan dibuka."),
        RELEASE.format(loc="en"): release("en", "The harbour opens."),
        "content/press/2026-01-06-draft/index.id.md": release(
            "id", "Draf.", title="Rancangan", extra="draft: true\n"
        ),
        "content/press/2026-01-06-draft/index.en.md": release(
            "en", "Draft.", title="Draft plan", extra="draft: true\n"
        ),
        "content/press/2026-01-07-embargo/index.id.md": release(
            "id", "Embargo.", title="Embargo", extra="embargo: 2099-01-01T00:00:00+07:00\n"
        ),
        "content/press/2026-01-07-embargo/index.en.md": release(
            "en", "Embargo.", title="Embargoed", extra="embargo: 2099-01-01T00:00:00+07:00\n"
        ),
        "static/style.css": "body { color: rgb(1, 2, 3); }\n",
    }
    base.update(overrides)
    return base


def page_text(folder: Path, rel: str) -> str:
    tree = HTMLParser((folder / rel).read_bytes())
    main = tree.css_first("main")
    assert main is not None
    return main.text()


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    root = make_site(tmp_path, files())
    lines: list[str] = []
    workdir = tmp_path / "preview"
    workdir.mkdir()
    p = Preview(settings_.load(root), workdir=workdir, echo=lines.append)
    p.lines = lines  # type: ignore[attr-defined]
    result = p.rebuild(set())
    assert result.problem is None, result.problem
    yield p


# --------------------------------------------------------------------------- classify


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("content/press/x/index.id.md", "content"),
        ("content/press/x/photos/01.jpg", "content"),
        ("templates/release.html", "templates"),
        ("locales/id/LC_MESSAGES/messages.po", "templates"),
        ("static/style.css", "static"),
        ("presssite.toml", "settings"),
        ("README.md", None),
        ("build/index.html", None),
    ],
    ids=["markdown", "photo", "template", "catalog", "static", "settings", "other", "output"],
)
def test_classify(tmp_path: Path, rel: str, kind: str | None) -> None:
    settings = settings_.load(make_site(tmp_path, {}))
    changes = classify([settings.root / rel], settings)
    found = [k for k in ("content", "templates", "static", "settings") if getattr(changes, k)]
    assert found == ([kind] if kind else [])


def test_static_only(tmp_path: Path) -> None:
    settings = settings_.load(make_site(tmp_path, {}))
    css = settings.root / "static/style.css"
    assert classify([css], settings).static_only
    assert not classify([css, settings.root / "content/press/x/index.id.md"], settings).static_only


def test_problem_of_names_the_first_error_relative_to_the_site(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    errors = ErrorList(
        [
            ContentError("bad date", path=root / "content/a/index.en.md", line=4, key="date"),
            ContentError("other", path=root / "content/b/index.en.md", line=1),
        ]
    )
    assert problem_of(errors, root) == Problem(
        message="date: bad date", file="content/a/index.en.md", line=4, more=1
    )


# --------------------------------------------------------------------------- preview builds


def test_preview_shows_drafts_and_embargoed_with_a_banner(preview: Preview) -> None:
    folder = preview.current
    assert folder is not None and folder.is_relative_to(preview.workdir)
    for rel in ("en/press/draft/index.html", "en/press/embargo/index.html"):
        tree = HTMLParser((folder / rel).read_bytes())
        assert tree.css_first(".preview-banner") is not None, rel
    assert not (preview.settings.root / "build").exists()  # never the deployable output


def test_no_drafts_hides_drafts_but_not_embargoed(tmp_path: Path) -> None:
    root = make_site(tmp_path, files())
    p = Preview(settings_.load(root), workdir=tmp_path / "w", drafts=False, echo=lambda _: None)
    assert p.rebuild(set()).problem is None
    assert p.current is not None
    assert not (p.current / "en/press/draft/index.html").exists()
    assert (p.current / "en/press/embargo/index.html").exists()


def test_markdown_text_edit_is_applied_without_a_build(preview: Preview) -> None:
    path = preview.settings.root / RELEASE.format(loc="en")
    path.write_text(release("en", "The harbour opens at dawn."), encoding="utf-8")
    first, builds = preview.current, preview.builds
    result = preview.rebuild({path})
    assert (result.action, result.problem) == ("reload", None)
    assert (preview.current, preview.builds) == (first, builds)  # see test_edits.py
    assert "at dawn" in page_text(first, "en/press/harbour/index.html")
    # its page and the feeds that carry its text: the locale's and its section's (no
    # list page shows a body)
    assert any("updated 1 page and 2 feeds " in line for line in preview.lines)  # type: ignore[attr-defined]


def test_markdown_date_edit_builds_and_reparses_that_file_only(preview: Preview) -> None:
    path = preview.settings.root / RELEASE.format(loc="en")
    text = release("en", "The harbour opens at dawn.").replace("2026-01-05T09", "2026-01-04T09")
    path.write_text(text, encoding="utf-8")
    first, builds = preview.current, preview.builds
    result = preview.rebuild({path})
    assert (result.action, result.problem) == ("reload", None)
    assert preview.builds == builds + 1
    assert preview.report is not None
    assert preview.report.documents_parsed == 1
    assert preview.report.publish_mode == "in place"  # only the pages that changed
    assert preview.current == first
    assert "at dawn" in page_text(preview.current, "en/press/harbour/index.html")
    assert any("1 parsed" in line for line in preview.lines)  # type: ignore[attr-defined]


def test_build_error_keeps_the_last_good_site(preview: Preview) -> None:
    path = preview.settings.root / RELEASE.format(loc="en")
    good = preview.current
    assert good is not None
    path.write_text("---\ntitle: [unclosed\ndate: 2026-01-05\n---\nBody\n", encoding="utf-8")
    result = preview.rebuild({path})
    assert result.problem is not None
    assert result.problem.file == RELEASE.format(loc="en")
    assert result.problem.line is not None
    assert preview.current == good and (good / "en/press/harbour/index.html").is_file()
    path.write_text(release("en", "Fixed again."), encoding="utf-8")
    assert preview.rebuild({path}) == type(result)(action="reload")
    assert preview.current is not None
    assert "Fixed again" in page_text(preview.current, "en/press/harbour/index.html")


def test_css_change_is_copied_without_a_build(preview: Preview) -> None:
    css = preview.settings.root / "static/style.css"
    css.write_text("body { color: rgb(9, 9, 9); }\n", encoding="utf-8")
    builds = preview.builds
    result = preview.rebuild({css})
    assert result.action == "css"
    assert preview.builds == builds
    assert preview.current is not None
    assert "9, 9, 9" in (preview.current / "static/style.css").read_text()


def test_sed_in_place_swaps_the_stylesheet_without_a_build(preview: Preview) -> None:
    """``sed -i`` writes ``static/sedXXXXXX``, then renames it over the file: the watcher
    reports both names, and the temporary one must not turn the swap into a build."""
    css = preview.settings.root / "static/style.css"
    temp = preview.settings.root / "static/sedAb12Cd"
    css.write_text("body { color: rgb(7, 7, 7); }\n", encoding="utf-8")
    builds = preview.builds
    result = preview.rebuild({temp, css})
    assert result.action == "css"
    assert preview.builds == builds
    assert preview.current is not None
    assert not (preview.current / "static/sedAb12Cd").exists()


@pytest.mark.parametrize(
    "name", ["style.css~", ".#style.css", "#style.css#", ".style.css.swp", "4913", "sedXy12Zq"]
)
def test_editor_leftovers_alone_change_nothing(preview: Preview, name: str) -> None:
    assert not classify([preview.settings.root / "static" / name], preview.settings)


def test_template_change_rerenders(preview: Preview) -> None:
    template = preview.settings.root / "templates/404.html"
    template.parent.mkdir()
    template.write_text(
        '{% extends "base.html" %}{% block main %}<main>custom-missing</main>{% endblock %}',
        encoding="utf-8",
    )
    result = preview.rebuild({template})
    assert result.problem is None, result.problem
    assert preview.current is not None
    assert "custom-missing" in (preview.current / "404.html").read_text()


def test_settings_change_reloads_settings(preview: Preview) -> None:
    toml = preview.settings.source
    toml.write_text(
        toml.read_text().replace('en = "Test Portal"', 'en = "Renamed Portal"'), encoding="utf-8"
    )
    assert preview.rebuild({toml}).problem is None
    assert preview.current is not None
    assert "Renamed Portal" in (preview.current / "en/index.html").read_text()


def test_broken_settings_stay_reported_until_fixed(preview: Preview) -> None:
    toml = preview.settings.source
    good = toml.read_text()
    toml.write_text(good + "\nno_such_key = 1\n", encoding="utf-8")
    result = preview.rebuild({toml})
    assert result.problem is not None and result.problem.file == "presssite.toml"
    markdown = preview.settings.root / RELEASE.format(loc="en")
    markdown.write_text(release("en", "Edited meanwhile."), encoding="utf-8")
    assert preview.rebuild({markdown}).problem is not None  # not built with stale settings
    toml.write_text(good, encoding="utf-8")
    assert preview.rebuild({toml}).problem is None
    assert preview.current is not None
    assert "Edited meanwhile" in page_text(preview.current, "en/press/harbour/index.html")


def test_unrelated_change_does_nothing(preview: Preview) -> None:
    builds = preview.builds
    assert preview.rebuild({preview.settings.root / "notes.txt"}).action == "none"
    assert preview.builds == builds


def test_the_preview_is_one_folder_updated_in_place(preview: Preview) -> None:
    path = preview.settings.root / RELEASE.format(loc="id")
    first = preview.current
    assert first is not None
    for i in range(3):  # each moves the release by a day: a build
        text = release("id", f"Versi {i}.").replace("2026-01-05T09", f"2026-01-0{i + 1}T09")
        path.write_text(text, encoding="utf-8")
        assert preview.rebuild({path}).after is None
        assert preview.report is not None and preview.report.publish_mode == "in place"
    assert preview.current == first
    assert [p for p in preview.workdir.iterdir()] == [first]
    assert "Versi 2." in page_text(first, "id/press/harbour/index.html")


# --------------------------------------------------------------------------- the command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_serve(root: Path, tmp: Path, *args: str) -> subprocess.Popen[str]:
    """``presssite serve`` as a terminal starts it: Ctrl-C (SIGINT) stops it. A shell that
    runs the tests in the background ignores SIGINT in them, and so in their children."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    env.update({"NO_COLOR": "1", "PYTHONUTF8": "1", "TMPDIR": str(tmp)})
    return subprocess.Popen(
        [sys.executable, "-m", "presssite", "serve", "--site", str(root), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for(port: int, target: str, timeout: float = 30) -> http.client.HTTPResponse:
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", target)
            response = conn.getresponse()
            response.body = response.read()  # type: ignore[attr-defined]
            if response.status != 503:  # 503: the first build is still running
                return response
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer for {target} on port {port}")
        time.sleep(0.1)


def test_serve_command_serves_the_sub_path_and_stops_cleanly(tmp_path: Path) -> None:
    root = make_site(tmp_path, files())
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    port = free_port()
    proc = start_serve(root, tmp, "--port", str(port))
    try:
        release_page = wait_for(port, "/portal/en/press/draft/")
        assert release_page.status == 200
        tree = HTMLParser(release_page.body)  # type: ignore[attr-defined]
        assert tree.css_first(".preview-banner") is not None
        assert tree.css_first('script[src*="__presssite__/livereload.js"]') is not None
        root_page = wait_for(port, "/")
        assert (root_page.status, root_page.getheader("Location")) == (302, "/portal/")
        assert wait_for(port, "/portal/../presssite.toml").status == 404
        assert any(tmp.iterdir())  # the preview lives in a temp folder...
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert f"http://127.0.0.1:{port}/portal/" in out
    assert not any(tmp.iterdir())  # ...removed on Ctrl-C
    assert not (root / "build").exists()


def test_explicit_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    root = make_site(tmp_path, files())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = start_serve(root, tmp_path, "--port", str(port))
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert f"port {port}" in out and "--port" in out
    assert "Traceback" not in out
