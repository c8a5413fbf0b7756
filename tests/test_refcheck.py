"""Reference checking: every internal link and image of the rendered pages resolves."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import make_photo, make_site, run_cli

from presssite.model import OutputFile, Site
from presssite.output import refcheck
from presssite.settings import parse

NOW = "2026-01-31T12:00:00+07:00"
BUNDLE = "content/press/2026-01-10-visit"


def release(title: str, body: str, **extra: str) -> str:
    lines = ["---", f"title: {json.dumps(title)}", "date: 2026-01-10T09:30:00+07:00"]
    lines.append('summary: "The lead."')  # an empty one is a warning of its own
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join([*lines, "---", "", body, ""])


GOOD_BODY = """\
See [the other release](../2026-01-11-other/index.en.md), [the topic](/portal/en/tags/diplomacy/),
[the feed](/portal/en/feed.xml), [our style](/portal/static/style.css),
[the report](files/report.pdf), [the home page](/portal/en/) and
[the Indonesian page](/portal/id/press/visit/#top).

![The minister](photos/01.jpg)
"""


def good_site(tmp_path: Path) -> Path:
    root = make_site(
        tmp_path,
        {
            f"{BUNDLE}/index.en.md": release(
                "Visit",
                GOOD_BODY,
                tags="[diplomacy]",
                photos="\n  - src: photos/01.jpg\n    caption: The minister",
            ),
            f"{BUNDLE}/index.id.md": release("Kunjungan", "Isi."),
            f"{BUNDLE}/files/report.pdf": b"%PDF-1.4\n",
            "content/press/2026-01-11-other/index.en.md": release("Other", "Body."),
        },
    )
    make_photo(root / BUNDLE / "photos/01.jpg", (1200, 800))
    return root


def test_a_site_whose_references_all_resolve_builds_without_warnings(tmp_path: Path) -> None:
    root = good_site(tmp_path)
    result = run_cli("build", "--site", root, "--now", NOW, "--strict")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    assert "broken" not in result.stdout


@pytest.mark.parametrize(
    "target", ["/portal/en/press/nope/", "/portal/en/press/đà-nẵng/#top"], ids=["ascii", "encoded"]
)
def test_a_broken_body_link_is_reported_with_its_file_and_line(tmp_path: Path, target: str) -> None:
    body = f"First paragraph.\n\nSecond, with [a link]({target}).\n"
    root = make_site(tmp_path, {f"{BUNDLE}/index.en.md": release("Visit", body)})
    result = run_cli("build", "--site", root, "--now", NOW)
    assert result.returncode == 0, result.stderr
    # front matter is lines 1-4, the body starts on line 6: the link is on line 8
    assert "content/press/2026-01-10-visit/index.en.md:9:" in result.stderr
    assert "/portal/en/press/" in result.stderr
    assert result.stderr.count("warning:") == 1
    assert "broken internal links and images: 1" in result.stdout
    assert (root / "build/en/press/visit/index.html").is_file()


@pytest.mark.parametrize("cache", [(), ("--no-cache",)], ids=["cached", "uncached"])
def test_strict_fails_and_keeps_the_old_output(tmp_path: Path, cache: tuple[str, ...]) -> None:
    # Without a cache the build has no manifest of the output: it fills a new folder
    # while rendering, which the failed build must remove again.
    root = good_site(tmp_path)
    assert run_cli("build", "--site", root, "--now", NOW, *cache).returncode == 0
    page = root / "build/en/press/visit/index.html"
    before = page.read_bytes()
    files_before = sorted(p.relative_to(root / "build") for p in (root / "build").rglob("*"))

    doc = root / BUNDLE / "index.en.md"
    doc.write_text(
        release("Visit changed", "Intro.\n\nBroken: [x](/portal/en/press/nope/)\n"),
        encoding="utf-8",
    )
    result = run_cli("build", "--site", root, "--now", NOW, "--strict", *cache)
    assert result.returncode == 1
    assert "content/press/2026-01-10-visit/index.en.md:9:" in result.stderr
    assert "/portal/en/press/nope/" in result.stderr
    assert "Traceback" not in result.stderr
    assert page.read_bytes() == before
    files_after = sorted(p.relative_to(root / "build") for p in (root / "build").rglob("*"))
    assert files_after == files_before
    assert [p.name for p in root.iterdir() if p.name.startswith("build")] == ["build"]


def test_a_site_path_without_the_base_path_is_reported(tmp_path: Path) -> None:
    body = "Intro.\n\n[topic](/en/tags/diplomacy/)\n"
    root = make_site(tmp_path, {f"{BUNDLE}/index.en.md": release("Visit", body)})
    result = run_cli("build", "--site", root, "--now", NOW)
    assert result.returncode == 0
    assert "index.en.md:9:" in result.stderr
    assert "outside the site's base path /portal/" in result.stderr


def test_a_link_to_an_embargoed_release_is_reported(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            f"{BUNDLE}/index.en.md": release("Visit", "Intro.\n\n[soon](/portal/en/press/later/)"),
            "content/press/2026-01-12-later/index.en.md": release(
                "Later", "Body.", embargo="2026-06-01T00:00:00+07:00"
            ),
        },
    )
    result = run_cli("build", "--site", root, "--now", NOW, "--strict")
    assert result.returncode == 1
    assert "index.en.md:9:" in result.stderr


def test_a_template_link_is_reported_once_with_its_page_count(tmp_path: Path) -> None:
    template = (
        '{% extends "theme/release.html" %}\n'
        '{% block head %}{{ super() }}<link rel="icon" href="/portal/static/nope.ico">'
        "{% endblock %}\n"
    )
    root = make_site(
        tmp_path,
        {
            "templates/release.html": template,
            f"{BUNDLE}/index.en.md": release("Visit", "Body."),
            f"{BUNDLE}/index.id.md": release("Kunjungan", "Isi."),
        },
    )
    result = run_cli("build", "--site", root, "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("warning:") == 1
    assert "/portal/static/nope.ico" in result.stderr
    assert "and 1 more page" in result.stderr
    assert "template" in result.stderr


# --------------------------------------------------------------------------- the checker itself


def plain_site(tmp_path: Path) -> Site:
    settings = parse(
        {"base_url": "https://example.org/portal/", "default_locale": "en", "locales": ["en"]},
        root=tmp_path,
        source=tmp_path / "presssite.toml",
    )
    return Site(
        settings=settings,
        now=datetime(2026, 1, 1, tzinfo=UTC),
        bundles={},
        releases={"en": ()},
        pages={"en": ()},
        tags={"en": ()},
        missing=(),
    )


def broken_urls(tmp_path: Path, html: str, published: set[str]) -> list[str]:
    page = OutputFile(path="en/x/index.html", data=html.encode("utf-8"))
    found = refcheck.check(plain_site(tmp_path), [page], {page.path, *published})
    return [b.url for b in found]


def test_srcset_candidates_are_each_checked(tmp_path: Path) -> None:
    html = '<img src="/portal/a-480.jpg" srcset="/portal/a-480.jpg 480w, /portal/a-960.jpg 960w">'
    assert broken_urls(tmp_path, html, {"a-480.jpg"}) == ["/portal/a-960.jpg"]


def test_relative_encoded_and_absolute_urls_resolve(tmp_path: Path) -> None:
    html = (
        '<a href="photo%20one.jpg">a</a>'
        '<a href="../y/?q=1#frag">b</a>'
        '<meta property="og:image" content="https://example.org/portal/en/x/big.jpg">'
        '<meta name="description" content="https://example.org/portal/not/a/check">'
        '<a href="https://elsewhere.example/x">c</a><a href="mailto:a@b.c">d</a>'
        '<a href="#top">e</a><a href="//cdn.example/x.js">f</a>'
        '<a href="/portal/en">g</a>'
    )
    published = {"en/x/photo one.jpg", "en/y/index.html", "en/index.html"}
    assert broken_urls(tmp_path, html, published) == ["https://example.org/portal/en/x/big.jpg"]
    assert broken_urls(tmp_path, html, {*published, "en/x/big.jpg"}) == []


def test_rebuilds_report_broken_links_with_their_current_lines(tmp_path: Path) -> None:
    body = "First paragraph.\n\nSecond, with [a link](/portal/en/press/nope/).\n"
    other = "content/press/2026-01-11-other/index.en.md"
    root = make_site(
        tmp_path,
        {f"{BUNDLE}/index.en.md": release("Visit", body), other: release("Other", "Body.")},
    )
    where = "content/press/2026-01-10-visit/index.en.md"
    assert f"{where}:9:" in run_cli("build", "--site", root, "--now", NOW).stderr
    (root / other).write_text(release("Other", "Body, edited."), encoding="utf-8")
    again = run_cli("build", "--site", root, "--now", NOW, "--timings")
    assert "documents parsed 1," in again.stdout  # a rebuild, not the no-change shortcut
    assert f"{where}:9:" in again.stderr and again.stderr.count("warning:") == 1
    (root / where).write_text(release("Visit", "New first.\n\n" + body), encoding="utf-8")
    moved = run_cli("build", "--site", root, "--now", NOW)
    assert f"{where}:11:" in moved.stderr and moved.stderr.count("warning:") == 1
    (root / where).write_text(release("Visit", body.replace("nope", "other")), encoding="utf-8")
    fixed = run_cli("build", "--site", root, "--now", NOW, "--strict")
    assert fixed.returncode == 0 and "warning" not in fixed.stderr


@pytest.mark.parametrize(
    "page",
    [
        b'<a href="/x/">a</a> <img src="/y.jpg" srcset="/y-1.jpg 1x, /y-2.jpg 2x">',
        b'href="/start/" <p\tsrc = "/a/"\nhref  =  "/b/"> <i data-src="/no/"> <i xsrc="/no/">',
        b' src=" href="/inside/" "> <a href="/unclosed/',
        b' srcsrc="/no/" srcset="/s/ 1x" hrefsrc="/no/" \x0bhref="/vt/" \x0csrc="/ff/"',
        b"",
    ],
)
def test_attribute_scan_finds_what_the_pattern_finds(page: bytes) -> None:
    def spans(matches: Iterable[re.Match[bytes]]) -> list[tuple[int, int, bytes, bytes]]:
        return [(m.start(), m.end(), m.group(1), m.group(2)) for m in matches]

    assert spans(refcheck._attributes(page)) == spans(refcheck._ATTR.finditer(page))


def test_a_rebuild_looks_again_only_at_pages_it_rendered_unless_a_path_went_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Pages a rebuild did not render link as they did: while every path they could link
    to is still published, only the pages rendered and the pages with a broken link are
    looked at again. A link broken before is found fixed by a new release; a link to a
    page that went away is found broken though its page was not rendered again."""
    from presssite import build as build_
    from presssite import settings as settings_
    from presssite.render import pages as render

    visit = "Soon: [the next one](/portal/en/press/later/)."
    other = "See [the topic](/portal/en/tags/diplomacy/)."
    root = make_site(
        tmp_path,
        {
            f"{BUNDLE}/index.en.md": release("Visit", visit, tags="[diplomacy]"),
            "content/press/2026-01-11-other/index.en.md": release("Other", other),
        },
    )
    unpacked: list[bytes] = []
    real_unpack = render.unpack_links
    monkeypatch.setattr(
        render, "unpack_links", lambda data: unpacked.append(data) or real_unpack(data)
    )

    def build() -> tuple[build_.BuildReport, list[str]]:
        unpacked.clear()
        caplog.clear()
        now = datetime.fromisoformat(NOW)
        report = build_.build(settings_.load(root), target=root / "build", now=now, jobs=1)
        return report, [
            r.getMessage()
            for r in caplog.records
            if "press/later" in r.getMessage() or "tags/diplomacy" in r.getMessage()
        ]

    _, warned = build()
    assert len(warned) == 1 and "/portal/en/press/later/" in warned[0]
    later = root / "content/press/2026-01-12-later/index.en.md"
    later.parent.mkdir()
    later.write_text(release("Later", "Body.", slug="later"), encoding="utf-8")
    second, warned = build()
    assert warned == []  # the visit's link resolves now
    assert second.pages_rendered > 0 and second.pages_reused > 0
    assert len(unpacked) <= second.pages_rendered + 1  # and the page broken before
    (root / BUNDLE / "index.en.md").write_text(release("Visit", visit), encoding="utf-8")
    third, warned = build()
    assert len(warned) == 1 and "/portal/en/tags/diplomacy/" in warned[0]
    assert len(unpacked) > third.pages_rendered  # a path went away: every page looked at
