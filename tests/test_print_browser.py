"""A release that prints: headless Chromium's ``page.pdf()`` read back with pypdf."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, make_photo, make_site, run_cli, serve_folder
from selectolax.lexbor import LexborHTMLParser as HTMLParser

pytestmark = pytest.mark.browser

pypdf = pytest.importorskip("pypdf")


def print_pdf(browser: Any, url: str, fmt: str) -> Any:
    page = browser.new_page()
    try:
        page.goto(url, wait_until="load")
        page.emulate_media(media="print")
        # every photo loaded, as Chromium's print does for lazy ones
        page.evaluate(
            "Promise.all([...document.images].map(i => { i.loading = 'eager';"
            " return i.decode().catch(() => null); }))"
        )
        return pypdf.PdfReader(io.BytesIO(page.pdf(format=fmt)))
    finally:
        page.close()


def text_of(pdf: Any) -> str:
    text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("example")
    site = tmp / "site"
    for name in ("content", "static", "templates", "presssite.toml"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, site / name)
        elif source.is_file():
            site.mkdir(exist_ok=True)
            shutil.copy(source, site / name)
    result = run_cli("build", "--site", site, "--out", tmp / "srv/portal")
    assert result.returncode == 0, result.stderr
    with serve_folder(tmp / "srv") as origin:
        yield origin, tmp / "srv"


def longest_release(out: Path) -> tuple[str, HTMLParser]:
    """The example site's release page with the most words in its body."""
    best: tuple[int, str, HTMLParser] | None = None
    for path in sorted(out.glob("portal/*/press/*/index.html")):
        tree = HTMLParser(path.read_text("utf-8"))
        body = tree.css_first(".release-body")
        words = len(body.text().split()) if body is not None else 0
        if best is None or words > best[0]:
            best = (words, "/" + path.parent.relative_to(out).as_posix() + "/", tree)
    assert best is not None
    return best[1], best[2]


@pytest.mark.parametrize("fmt", ["A4", "Letter"])
def test_the_longest_example_release_prints_its_words_photos_and_source(browser, example, fmt):
    origin, out = example
    path, tree = longest_release(out)
    pdf = print_pdf(browser, origin + path, fmt)
    text = text_of(pdf)
    title = tree.css_first("h1").text(strip=True)
    assert re.sub(r"\s+", " ", title) in text
    source = tree.css_first(".source a")
    assert source is not None
    assert source.attributes["href"] in text.replace(" ", "") or source.attributes["href"] in text
    captions = [c.text(strip=True) for c in tree.css(".gallery .caption")]
    assert captions
    flat = text.replace(" ", "")
    for caption in captions:
        assert caption.replace(" ", "") in flat, caption
    assert f"https://example.org{path}" in flat  # the page's own URL, in its footer
    for hidden in ("Download", "Unduh", "Skip to main content", "Photo viewer"):
        assert hidden not in text
    assert len(pdf.pages) <= 3


WORDS = (
    "The delegation met regional partners to agree on the next steps of the programme, "
    "which brings students, teachers and officials together for a season of exchange. "
)


@pytest.fixture(scope="module")
def long_release(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("long")
    paragraph = WORDS * 4  # 104 words
    body = "\n\n".join(paragraph.strip() for _ in range(5))  # 520 words
    photos = "".join(
        f'  - {{src: photos/{n}.jpg, caption: "Caption of photo {n} at the meeting",'
        f' credit: "Photographer {n}"}}\n'
        for n in range(1, 7)
    )
    text = f"""---
title: "A five-hundred-word release with six photos"
date: 2026-03-02T09:00:00+07:00
summary: "The lead paragraph of the release, as the summary gives it."
source:
  name: The original publisher
  url: https://origin.example.org/releases/2026/03/a-long-story
photos:
{photos}---
{body}
"""
    bundle = "content/press/2026-03-02-long"
    site = make_site(tmp, {f"{bundle}/index.en.md": text, f"{bundle}/index.id.md": text})
    for n in range(1, 7):
        make_photo(site / bundle / f"photos/{n}.jpg", (1600, 1067), color=(30 * n, 90, 120))
    result = run_cli("build", "--site", site, "--out", tmp / "srv/portal")
    assert result.returncode == 0, result.stderr
    with serve_folder(tmp / "srv") as origin:
        yield origin + "/portal/en/press/long/"


@pytest.mark.parametrize("fmt", ["A4", "Letter"])
def test_five_hundred_words_and_six_photos_fit_on_three_pages(browser, long_release, fmt):
    pdf = print_pdf(browser, long_release, fmt)
    text = text_of(pdf)
    assert len(pdf.pages) <= 3, len(pdf.pages)
    for n in range(1, 7):
        assert f"Caption of photo {n} at the meeting" in text
        assert f"Photographer {n}" in text
    flat = text.replace(" ", "")
    assert "https://origin.example.org/releases/2026/03/a-long-story" in flat
    assert "https://example.org/portal/en/press/long/" in flat
