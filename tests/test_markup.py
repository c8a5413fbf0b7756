"""Markdown bodies: placeholders for local references, their lines, and their errors."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from factories import make_settings
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from presssite.content.markdown import Rendered, parser, parser_for, render
from presssite.content.references import bundle_relative
from presssite.model import Reference

BODY_LINE = 10  # the body starts on line 10 of the file in these tests


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A content folder with two releases, a page, and a few bundle files."""
    content = tmp_path / "content"
    for rel in [
        "press/2025-01-01-this/index.en.md",
        "press/2025-01-01-this/index.id.md",
        "press/2025-01-01-this/photos/01.jpg",
        "press/2025-01-01-this/photos/ảnh 2.jpg",
        "press/2025-01-01-this/files/report.pdf",
        "press/2025-01-01-this/notes.md",
        "press/2025-01-02-other/index.en.md",
        "pages/about/index.id.md",
    ]:
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_bytes(b"x")
    return tmp_path


def run(site: Path, body: str, **overrides: Any) -> Rendered:
    bundle = site / "content" / "press" / "2025-01-01-this"
    return render(
        body,
        path=bundle / "index.en.md",
        bundle_dir=bundle,
        content_dir=site / "content",
        body_line=BODY_LINE,
        settings=make_settings(site, **overrides),
    )


def ok(site: Path, body: str, **overrides: Any) -> Rendered:
    result = run(site, body, **overrides)
    assert [str(e) for e in result.errors] == []
    return result


# --------------------------------------------------------------------------- placeholders


def test_a_lone_photo_paragraph_becomes_a_figure_placeholder(site: Path) -> None:
    result = ok(site, "Lead.\n\n![The minister *speaks*.](./photos/../photos/01.jpg)\n")
    assert (
        '<presssite-figure src="photos/01.jpg" alt="The minister speaks.">'
        "</presssite-figure>" in result.html
    )
    tree = HTMLParser(result.html)
    assert tree.css_first("p presssite-figure") is None
    assert [p.text() for p in tree.css("p")] == ["Lead."]
    assert result.images == (("photos/01.jpg", "The minister speaks.", 12),)


def test_figure_attributes_are_escaped(site: Path) -> None:
    result = ok(site, '![Say "hi" & <wave>](photos/01.jpg)\n')
    node = HTMLParser(result.html).css_first("presssite-figure")
    assert node is not None
    assert node.attributes["alt"] == 'Say "hi" & <wave>'
    assert "&quot;hi&quot; &amp; &lt;wave&gt;" in result.html


@pytest.mark.parametrize(
    ("body", "src"),
    [
        pytest.param(
            "Text ![one](photos/01.jpg) more.", "presssite:photo:photos/01.jpg", id="inline"
        ),
        pytest.param(
            "[![one](photos/01.jpg)](https://example.org)",
            "presssite:photo:photos/01.jpg",
            id="inside-link",
        ),
        pytest.param(
            "Text ![two](<photos/ảnh 2.jpg>)",
            "presssite:photo:photos/ảnh 2.jpg",
            id="unicode-space",
        ),
        pytest.param(
            "Text ![x](https://cdn.example.org/a.jpg)",
            "https://cdn.example.org/a.jpg",
            id="external-unchanged",
        ),
        pytest.param(
            "![x](https://cdn.example.org/a.jpg)",
            "https://cdn.example.org/a.jpg",
            id="external-alone",
        ),
    ],
)
def test_other_images(site: Path, body: str, src: str) -> None:
    result = ok(site, body + "\n")
    tree = HTMLParser(result.html)
    assert tree.css_first("presssite-figure") is None
    img = tree.css_first("img")
    assert img is not None and img.attributes["src"] == src


@pytest.mark.parametrize(
    ("target", "href", "kind"),
    [
        pytest.param(
            "../2025-01-02-other/index.en.md",
            "presssite:doc:press/2025-01-02-other:en",
            "doc",
            id="sibling",
        ),
        pytest.param(
            "../../pages/about/index.id.md",
            "presssite:doc:pages/about:id",
            "doc",
            id="other-section",
        ),
        pytest.param(
            "index.id.md", "presssite:doc:press/2025-01-01-this:id", "doc", id="same-bundle"
        ),
        pytest.param(
            "../2025-01-02-other/index.en.md#contacts",
            "presssite:doc:press/2025-01-02-other:en#contacts",
            "doc",
            id="with-fragment",
        ),
        pytest.param(
            "files/report.pdf", "presssite:file:files/report.pdf", "file", id="attachment"
        ),
        pytest.param(
            "files/report.pdf#page=2",
            "presssite:file:files/report.pdf#page=2",
            "file",
            id="attachment-page",
        ),
        pytest.param("/id/tags/x/", "/id/tags/x/", "url", id="site-path"),
        pytest.param("/portal/en/press/y/", "/portal/en/press/y/", "url", id="site-path-with-base"),
    ],
)
def test_local_links_are_rewritten_and_recorded(
    site: Path, target: str, href: str, kind: str
) -> None:
    result = ok(site, f"Intro.\n\nSee [this]({target}).\n")
    link = HTMLParser(result.html).css_first("a")
    assert link is not None and link.attributes["href"] == href
    assert result.references == (Reference(target=target, line=BODY_LINE + 2, kind=kind),)


@pytest.mark.parametrize(
    "href",
    [
        "https://example.org/a",
        "mailto:press@example.org",
        "tel:+62215551234",
        "#contacts",
        "//cdn.example.org/x",
    ],
)
def test_urls_and_fragments_are_left_alone(site: Path, href: str) -> None:
    result = ok(site, f"[x]({href})\n")
    link = HTMLParser(result.html).css_first("a")
    assert link is not None and link.attributes["href"] == href
    assert result.references == ()


def test_reference_lines_follow_soft_breaks_tables_and_footnotes(site: Path) -> None:
    body = (
        "# Title\n"  # 10
        "\n"
        "First line\n"  # 12
        "second [a](files/report.pdf)\n"  # 13
        "\n"
        "| a | b |\n"  # 15
        "|---|---|\n"
        "| ![p](photos/01.jpg) | 2 |\n"  # 17
        "\n"
        "Note.[^1]\n"  # 19
        "\n"
        "[^1]: See [b](index.id.md).\n"  # 21
    )
    result = ok(site, body)
    assert [(r.target, r.line) for r in result.references] == [
        ("files/report.pdf", 13),
        ("photos/01.jpg", 17),
        ("index.id.md", 21),
    ]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        pytest.param("![x](photos/99.jpg)", "image not found: photos/99.jpg", id="missing-photo"),
        pytest.param("![x](Photos/01.jpg)", "image not found", id="photo-wrong-case"),
        pytest.param("[x](files/missing.pdf)", "linked file not found", id="missing-file"),
        pytest.param(
            "![x](../../etc/passwd)", "image path leaves the bundle folder", id="image-escape"
        ),
        pytest.param("[x](../../../etc/passwd)", "link leaves the bundle folder", id="link-escape"),
        pytest.param(
            "[x](../2025-01-02-other/files/a.pdf)",
            "leaves the bundle folder",
            id="other-bundle-file",
        ),
        pytest.param("[x](/etc/passwd)", "is not a page of this site", id="absolute-path"),
        pytest.param("![x](/home/me/photo.jpg)", "is not a page of this site", id="absolute-image"),
        pytest.param("![x](C:/Users/me/a.jpg)", "a file on this computer", id="windows-path"),
        pytest.param("[x](notes.md)", "not a translation", id="md-not-index"),
        pytest.param(
            "[x](../2025-01-02-other/index.fr.md)", "not a translation", id="unknown-locale"
        ),
        pytest.param(
            "[x](../2025-01-02-other/index.id.md)", "document not found", id="missing-translation"
        ),
        pytest.param(
            "[x](../../../outside/index.en.md)", "leaves the content folder", id="md-escape"
        ),
    ],
)
def test_broken_references_are_errors_with_file_and_line(
    site: Path, markdown: str, message: str
) -> None:
    result = run(site, f"Intro.\n\nText\nand {markdown} here.\n")
    [error] = result.errors
    assert error.path == site / "content/press/2025-01-01-this/index.en.md"
    assert error.line == BODY_LINE + 3
    assert message in error.message
    assert error.hint


def test_file_urls_never_become_links(site: Path) -> None:
    result = ok(site, "[x](file:///etc/passwd) ![y](file:///etc/passwd)\n")
    tree = HTMLParser(result.html)
    assert tree.css("a") == [] and tree.css("img") == []


def test_every_broken_reference_is_reported(site: Path) -> None:
    result = run(site, "![a](photos/x.jpg)\n\n[b](../../../etc/passwd)\n\n[c](files/nope.pdf)\n")
    assert [e.line for e in result.errors] == [BODY_LINE, BODY_LINE + 2, BODY_LINE + 4]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("photos/01.jpg", "photos/01.jpg"),
        ("./photos/./01.jpg", "photos/01.jpg"),
        ("photos\\01.jpg", "photos/01.jpg"),
        ("a/../photos/01.jpg", "photos/01.jpg"),
        ("../x.jpg", None),
        ("photos/../../x.jpg", None),
        ("/etc/passwd", None),
        (".", None),
    ],
)
def test_bundle_relative(target: str, expected: str | None) -> None:
    assert bundle_relative(target) == expected


# --------------------------------------------------------------------------- Markdown


def test_raw_html_is_escaped_by_default(site: Path) -> None:
    result = ok(site, "<script>alert(1)</script>\n\nA <b>bold</b> word.\n")
    tree = HTMLParser(result.html)
    assert tree.css("script") == [] and tree.css("b") == []
    assert "&lt;script&gt;" in result.html
    assert tree.body is not None and "A <b>bold</b> word." in tree.body.text()


def test_raw_html_passes_with_unsafe_html(site: Path) -> None:
    result = ok(
        site, '<div class="note">Hi</div>\n\nA <b>bold</b> word.\n', markdown={"unsafe_html": True}
    )
    tree = HTMLParser(result.html)
    assert tree.css_first("div.note") is not None
    assert tree.css_first("p b") is not None


def test_tables_footnotes_and_strikethrough(site: Path) -> None:
    body = (
        "| Year | Cases |\n|---|---:|\n| 2025 | 12 |\n\nSee note[^n] ~~old~~.\n\n[^n]: The note.\n"
    )
    tree = HTMLParser(ok(site, body).html)
    assert [th.text() for th in tree.css("table thead th")] == ["Year", "Cases"]
    assert [td.text() for td in tree.css("table tbody td")] == ["2025", "12"]
    assert tree.css_first("s").text() == "old"  # type: ignore[union-attr]
    ref = tree.css_first("sup.footnote-ref a")
    assert ref is not None
    target = tree.css_first(f"[id='{ref.attributes['href'].lstrip('#')}']")  # type: ignore[union-attr]
    assert target is not None and "The note." in target.text()


def test_headings_get_ascii_ids(site: Path) -> None:
    tree = HTMLParser(ok(site, "## Giới thiệu\n\n## Giới thiệu\n\n### Lê Anh Tuấn\n").html)
    assert [h.attributes["id"] for h in tree.css("h2, h3")] == [
        "gioi-thieu",
        "gioi-thieu-1",
        "le-anh-tuan",
    ]


BODIES = [
    "Plain text, **bold**, [a link](https://example.org/) and `code`.\n\n## Key results\n",
    "| Year | Cases |\n|---|---:|\n| 2025 | 12 |\n",
    "A | B\n--|--\nc | d\n\nText\n---|---\n",
    "Escaped \\| pipe and `a | b` in code.\n\n    | indented | code |\n    |---|---|\n",
    "~~gone~~ and ~one~ and ~~~\nfenced ~~~\n~~~\n",
    "A note[^1] and an inline one^[said here].\n\n[^1]: The note.\n",
    "2^10 is [^not a ref] and [^x] has no definition.\n\n> [^q]: quoted\n",
    "- item | with pipe\n- ~~struck~~ item[^n]\n\n[^n]: Note | with pipe ~~and strike~~.\n",
    "Line one\r\nline two ^ | ~\r\n\u0000\n",
    "> Quoted\n> text\n\nAfter -> arrow and a <https://example.org/> link.\n",
    "```\ncode | here\n```\n\n~~~ python\nx = 1\n~~~\n",
    'A [link][ref] and [another](/x/).\n\n[ref]: https://example.org/ "Title"\n',
    "Text with [brackets] but no definition.\n",
]


@pytest.mark.parametrize("body", BODIES)
def test_a_body_parses_the_same_without_the_rules_it_cannot_trigger(body: str) -> None:
    # A body without "|", "~", "^", a fence's backtick, ">" or "[" skips the rules those
    # start; its tokens and HTML are those of the parser with every rule.
    full, fast = parser(False), parser_for(body, False)
    assert [t.as_dict() for t in fast.parse(body, {})] == [
        t.as_dict() for t in full.parse(body, {})
    ]
    assert fast.render(body, {}) == full.render(body, {})


def test_only_the_rules_a_body_cannot_trigger_are_skipped() -> None:
    def skipped(body: str) -> set[str]:
        def active(text: str) -> set[str]:
            rules = parser_for(text, False).get_active_rules().values()
            return {name for names in rules for name in names}

        return active("| ~ ^ > [") - active(body)

    footnotes = {"footnote_def", "footnote_inline", "footnote_ref", "footnote_tail"}
    assert skipped("plain") == {
        "table",
        "strikethrough",
        *footnotes,
        "fence",
        "blockquote",
        "reference",
    }
    assert skipped("a | b") == skipped("plain") - {"table"}
    assert skipped("~~a~~ [^1]") == {"table", "blockquote"}
    assert skipped("``` > [") == {"table", "strikethrough", *footnotes}
    assert parser_for("| ~ ^ > [", False) is parser(False)
    assert parser_for("plain", True).options["html"] is True


def test_the_parser_is_built_once_per_setting() -> None:
    assert parser(False) is parser(False)
    assert parser(True) is not parser(False)
    assert parser(True).options["html"] is True and parser(False).options["html"] is False


def test_carriage_returns_and_nul_are_normalised_as_commonmark_says(site: Path) -> None:
    # CommonMark: CR and CRLF end lines as LF does; NUL becomes U+FFFD.
    html = ok(site, "First\r\nline\rthird\u0000.\r\n\r\n# Title\r\n").html
    tree = HTMLParser(html)
    assert tree.css_first("p").text() == "First\nline\nthird\ufffd."  # type: ignore[union-attr]
    assert tree.css_first("h1").text() == "Title"  # type: ignore[union-attr]
    assert "\r" not in html


def test_markdown_it_debug_lines_still_reach_a_debug_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Its rules' debug lines are skipped only when debug logging is off: made with
    # debug logging on, a parser still logs them.
    parser.cache_clear()
    try:
        with caplog.at_level(logging.DEBUG):
            parser(False).parse("Some *text*.\n")
        assert any(r.name.startswith("markdown_it.") for r in caplog.records)
    finally:
        parser.cache_clear()
