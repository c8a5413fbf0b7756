"""The gallery lightbox, driven with the keyboard in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import make_photo, make_site, run_cli, serve_folder

pytestmark = pytest.mark.browser

BUNDLE = "content/press/2026-01-10-gallery"
RELEASE = """---
title: Galeri
date: 2026-01-10T09:30:00+07:00
photos:
  - src: photos/01.jpg
    caption: Wakil menteri tiba di Bangkok.
    credit: Bao Chi
  - src: photos/02.jpg
    caption: Para delegasi berfoto bersama.
    credit: Humas Kemlu
  - src: photos/03.jpg
    caption: Konferensi pers di akhir kunjungan.
    credit: Dok. Panitia
---

Isi.
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("lightbox")
    root = make_site(tmp, {f"{BUNDLE}/index.id.md": RELEASE})
    for n, color in enumerate([(200, 60, 60), (60, 160, 60), (60, 60, 200)], start=1):
        make_photo(root / BUNDLE / f"photos/0{n}.jpg", (1200, 800), color=color)
    serve_root = tmp / "srv"
    result = run_cli("build", "--site", root, "--out", serve_root / "portal")
    assert result.returncode == 0, result.stderr
    with serve_folder(serve_root) as origin:
        yield f"{origin}/portal/id/press/gallery/"


def test_keyboard_opens_moves_closes_and_returns_focus(browser: Any, served: str) -> None:
    page = browser.new_page()
    try:
        page.goto(served)
        thumbs = page.locator(".gallery a.gallery-link")
        assert thumbs.count() == 3

        thumbs.nth(1).focus()
        page.keyboard.press("Enter")
        dialog = page.locator("dialog.lightbox")
        dialog.wait_for(state="visible", timeout=5000)
        assert dialog.evaluate("d => d.open")
        assert "Para delegasi berfoto bersama." in dialog.inner_text()
        assert "Humas Kemlu" in dialog.inner_text()
        assert "Foto 2 dari 3" in page.locator(".lightbox-status").inner_text()
        assert page.locator(".lightbox-status").get_attribute("aria-live") == "polite"
        large = dialog.locator("img").get_attribute("src")
        assert large == thumbs.nth(1).get_attribute("href")

        page.keyboard.press("ArrowRight")
        assert "Konferensi pers" in dialog.inner_text()
        assert "Foto 3 dari 3" in page.locator(".lightbox-status").inner_text()
        page.keyboard.press("ArrowRight")  # wraps to the first photo
        assert "Wakil menteri tiba" in dialog.inner_text()
        page.keyboard.press("ArrowLeft")
        assert "Foto 3 dari 3" in page.locator(".lightbox-status").inner_text()

        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.querySelector('dialog.lightbox').open")
        focused = page.evaluate("() => document.activeElement.getAttribute('href')")
        assert focused == thumbs.nth(1).get_attribute("href")  # the thumbnail that opened it
    finally:
        page.close()


def test_without_javascript_each_thumbnail_links_the_large_photo(browser: Any, served: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(served)
        link = page.locator(".gallery a.gallery-link").first
        href = link.get_attribute("href")
        link.click()
        page.wait_for_url(f"**{href}")
        assert page.evaluate("() => document.contentType").startswith("image/")
    finally:
        context.close()
