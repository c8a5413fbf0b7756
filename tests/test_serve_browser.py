"""End to end: ``presssite serve`` in a subprocess, a release open in headless Chromium.

Every step edits files on disk only; the browser is never told to reload. Each wait is
bounded. Skips without Chromium on a developer's machine, fails under CI (conftest).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_site
from test_serve import RELEASE, files, free_port, release, start_serve, wait_for

pytestmark = pytest.mark.browser

WAIT_MS = 15_000
CSS = "main h1 { color: rgb(10, 20, 30); }\n"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = make_site(tmp_path, files(**{"static/style.css": CSS}))
    port = free_port()
    proc = start_serve(root, tmp_path, "--port", str(port))
    try:
        wait_for(port, "/portal/en/press/harbour/")
        yield root, f"http://127.0.0.1:{port}/portal/en/press/harbour/"
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, out


def test_edits_show_up_without_touching_the_browser(browser: Any, served: tuple[Path, str]) -> None:
    from playwright.sync_api import expect

    root, url = served
    markdown = root / RELEASE.format(loc="en")
    css = root / "static/style.css"
    page = browser.new_page()
    try:
        page.goto(url)
        main = page.locator("main")
        expect(main).to_contain_text("The harbour opens.", timeout=WAIT_MS)
        page.wait_for_function("() => !!document.querySelector('script[src*=livereload]')")

        markdown.write_text(release("en", "The harbour opens at dawn."), encoding="utf-8")
        expect(main).to_contain_text("at dawn", timeout=WAIT_MS)

        markdown.write_text("---\ntitle: [unclosed\n---\nBody\n", encoding="utf-8")
        overlay = page.locator("#presssite-error-overlay")
        expect(overlay).to_be_visible(timeout=WAIT_MS)
        expect(overlay).to_contain_text(RELEASE.format(loc="en"))
        expect(main).to_contain_text("at dawn")  # the last good page stays underneath

        markdown.write_text(release("en", "The harbour reopens."), encoding="utf-8")
        expect(main).to_contain_text("reopens", timeout=WAIT_MS)
        expect(overlay).to_have_count(0)

        title = page.locator("main h1").first
        expect(title).to_have_css("color", "rgb(10, 20, 30)", timeout=WAIT_MS)
        page.evaluate("() => { window.__stillHere = true; }")
        css.write_text("main h1 { color: rgb(200, 0, 0); }\n", encoding="utf-8")
        expect(title).to_have_css("color", "rgb(200, 0, 0)", timeout=WAIT_MS)
        assert page.evaluate("() => window.__stillHere === true")  # swapped, not reloaded
    finally:
        page.close()
