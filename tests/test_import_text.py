"""Reading a pasted article (``importer.text``) and writing its body (``importer.bundle``):
pure functions, table-tested."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_site

from presssite import settings as settings_
from presssite.errors import ContentError, ErrorList, PresssiteError
from presssite.importer import bundle, labels, text
from presssite.importer.text import Dropped, Image, Paragraph, Source

LABELS = text.Labels(credit=("Photo", "Foto", "Ảnh"), source=("Source", "Sumber", "Nguồn"))
FILE = Path("article.txt")


def parse(article: str) -> text.Article:
    return text.parse(article, LABELS, path=FILE)


def problems(article: str) -> list[PresssiteError]:
    with pytest.raises(PresssiteError) as info:
        parse(article)
    error = info.value
    return list(error) if isinstance(error, ErrorList) else [error]


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Opening. (Foto: Humas)", ("Opening.", "Humas")),
        ("Opening. (Photo: Reuters/Ann Lee)", ("Opening.", "Reuters/Ann Lee")),
        ("Khai mạc hội chợ. (Ảnh: TTXVN)", ("Khai mạc hội chợ.", "TTXVN")),
        ("Opening (FOTO: ANTARA).", ("Opening", "ANTARA")),
        ("Opening. ( foto :  Humas )", ("Opening.", "Humas")),
        ("(Foto: Humas)", ("", "Humas")),
        ("Opening of the fair.", ("Opening of the fair.", "")),
        ("Opening (Photo: Humas) in Surabaya.", ("Opening (Photo: Humas) in Surabaya.", "")),
        ("Opening. (Bild: Humas)", ("Opening. (Bild: Humas)", "")),
        ("Opening. (Foto: )", ("Opening. (Foto: )", "")),
    ],
    ids=[
        "id",
        "en-agency",
        "vi",
        "upper-case-then-period",
        "spaces",
        "credit-only",
        "no-credit",
        "not-trailing",
        "word-of-no-site-locale",
        "empty-credit",
    ],
)
def test_split_credit(caption: str, expected: tuple[str, str]) -> None:
    assert text.split_credit(caption, LABELS) == expected


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://www.example.org/berita/1.html", "example.org"),
        ("http://Baoquocte.VN/x", "baoquocte.vn"),
        ("https://news.example.net:8443/a", "news.example.net"),
    ],
    ids=["www-dropped", "lower-case", "port-dropped"],
)
def test_source_name_is_the_host(url: str, name: str) -> None:
    assert text.source_name(url) == name


ISSUE_EXAMPLE = """\
![]() |
| Menteri Perdagangan membuka pameran ekspor di Surabaya. (Foto: Humas) |
Pameran yang berlangsung tiga hari ini diikuti oleh ...
![]() |
![]() |
| Para peserta pameran dari sepuluh provinsi. (Foto: Humas) |
Sumber: https://example.org/berita/12345.html

Komentar (0)
"""


@pytest.mark.parametrize(
    ("article", "blocks"),
    [
        (
            ISSUE_EXAMPLE,
            [
                Image(1, "", "Menteri Perdagangan membuka pameran ekspor di Surabaya.", "Humas", 2),
                Paragraph(3, "Pameran yang berlangsung tiga hari ini diikuti oleh ..."),
                Image(4, ""),
                Image(5, "", "Para peserta pameran dari sepuluh provinsi.", "Humas", 6),
            ],
        ),
        (
            "First paragraph.\n\n\n\nSecond, *with* [a link](https://x.org/).\nThird.\n",
            [
                Paragraph(1, "First paragraph."),
                Paragraph(5, "Second, *with* [a link](https://x.org/)."),
                Paragraph(6, "Third."),
            ],
        ),
        (
            '| ![](https://cdn.example.org/a.jpg "Title") |\n|---|\n| Caption. (Photo: AP) |\n',
            [Image(1, "https://cdn.example.org/a.jpg", "Caption.", "AP", 3)],
        ),
        (
            "![](<https://cdn.example.org/a b.jpg>)\n\n| Caption \\| with a pipe |\n",
            [Image(1, "https://cdn.example.org/a b.jpg", "Caption | with a pipe", "", 3)],
        ),
        (
            "![Alt text only. (Foto: Humas)](a.jpg)\nText.\n",
            [Image(1, "a.jpg", "Alt text only.", "Humas"), Paragraph(2, "Text.")],
        ),
        (
            "![](a.jpg) |\n|  |\nText.\n",
            [Image(1, "a.jpg", "", "", 2), Paragraph(3, "Text.")],
        ),
        (
            "Text with an inline ![icon](i.png) image.\n",
            [Paragraph(1, "Text with an inline ![icon](i.png) image.")],
        ),
        (
            "\ufeffWindows text.\r\n![]()\r\n| Caption. |\r\n",
            [Paragraph(1, "Windows text."), Image(2, "", "Caption.", "", 3)],
        ),
    ],
    ids=[
        "issue-example",
        "blank-runs-and-markdown",
        "table-with-delimiter",
        "angled-src-escaped-pipe",
        "alt-without-caption-row",
        "empty-caption-row",
        "inline-image-is-text",
        "bom-and-crlf",
    ],
)
def test_blocks_in_order(article: str, blocks: list[Paragraph | Image]) -> None:
    assert list(parse(article).blocks) == blocks


@pytest.mark.parametrize(
    ("article", "source", "dropped"),
    [
        (
            ISSUE_EXAMPLE,
            Source(7, "https://example.org/berita/12345.html", "example.org"),
            ["line 8: 1 blank line", "line 9: Komentar (0)"],
        ),
        (
            "Text.\nSource: [Báo Quốc tế](https://baoquocte.vn/x-338048.html)\nShare\n\n\n",
            Source(2, "https://baoquocte.vn/x-338048.html", "Báo Quốc tế"),
            ["line 3: Share", "lines 4-5: 2 blank lines"],
        ),
        (
            "Sumber: kata pengantar.\nText.\nNGUỒN: <https://vn.example.org/a>\n",
            Source(3, "https://vn.example.org/a", "vn.example.org"),
            [],
        ),
        ("Text only.\nKomentar (0)\n", None, []),
    ],
    ids=["issue-example", "link-and-furniture", "last-source-line-counts", "no-source"],
)
def test_source_and_dropped_furniture(
    article: str, source: Source | None, dropped: list[str]
) -> None:
    read = parse(article)
    assert read.source == source
    assert [d.describe() for d in read.dropped] == dropped


def test_text_after_an_earlier_source_word_stays_a_paragraph() -> None:
    read = parse("Sumber: kata pengantar.\nText.\nNGUỒN: <https://vn.example.org/a>\n")
    assert [p.text for p in read.paragraphs] == ["Sumber: kata pengantar.", "Text."]


@pytest.mark.parametrize(
    ("article", "expected"),
    [
        ("Text.\n| A caption. (Foto: Humas) |\n", [(2, "caption", "no image above it")]),
        ("![]()\n| Caption. | (Foto: Humas) |\n", [(2, "caption", "with 2 cells")]),
        ("Text.\nSumber: Antara\n", [(2, "source", "not a URL")]),
        ("Text.\nSource: ftp://files.example.org/a\n", [(2, "source", "not a URL")]),
        ("![](a.jpg) | ![](b.jpg) |\n", [(1, None, "several images on one line")]),
        (
            "| orphan |\nText.\n![]()\n| a | b |\nSumber: nowhere\n",
            [
                (5, "source", "not a URL"),
                (1, "caption", "no image above it"),
                (4, "caption", "with 2 cells"),
            ],
        ),
    ],
    ids=["row-without-image", "two-cells", "source-not-url", "source-ftp", "two-images", "all"],
)
def test_errors_name_the_file_and_line(
    article: str, expected: list[tuple[int, str | None, str]]
) -> None:
    found = problems(article)
    assert all(isinstance(e, ContentError) and e.path == FILE for e in found)
    assert [(e.line, e.key) for e in found] == [(line, key) for line, key, _ in expected]
    for error, (_, _, words) in zip(found, expected, strict=True):
        assert words in error.message
        assert error.hint


def test_dropped_describes_a_line_and_a_run() -> None:
    assert Dropped(9, 9, "Komentar (0)").describe() == "line 9: Komentar (0)"
    assert Dropped(10, 12, "").describe() == "lines 10-12: 3 blank lines"


def test_body_keeps_paragraphs_and_puts_each_photo_where_its_image_stood() -> None:
    read = parse(ISSUE_EXAMPLE)
    entries = bundle.gallery(read.images, ["photos/01.jpg", "photos/02.png", "photos/03.jpg"])
    assert bundle.body(read, entries) == (
        "![Menteri Perdagangan membuka pameran ekspor di Surabaya.](photos/01.jpg)\n\n"
        "Pameran yang berlangsung tiga hari ini diikuti oleh ...\n\n"
        "![](photos/02.png)\n\n"
        "![Para peserta pameran dari sepuluh provinsi.](photos/03.jpg)\n"
    )


def test_body_escapes_brackets_in_alt_text() -> None:
    read = parse("![]()\n| The [draft] law \\ text. |\n")
    entries = bundle.gallery(read.images, ["photos/01.jpg"])
    assert bundle.body(read, entries) == "![The \\[draft\\] law \\\\ text.](photos/01.jpg)\n"


@pytest.mark.parametrize(
    ("locales", "credit", "source"),
    [
        ('["id", "en"]', ("Photo", "Foto"), ("Source", "Sumber")),
        ('["vi", "en"]', ("Photo", "Ảnh"), ("Source", "Nguồn")),
        ('["en", "id", "vi"]', ("Photo", "Foto", "Ảnh"), ("Source", "Sumber", "Nguồn")),
    ],
    ids=["id-en", "vi-en", "en-id-vi"],
)
def test_labels_are_the_theme_words_of_the_site_locales(
    tmp_path: Path, locales: str, credit: tuple[str, ...], source: tuple[str, ...]
) -> None:
    default = locales.split('"')[1]
    root = make_site(
        tmp_path,
        {},
        settings=f'title = "T"\nbase_url = "https://example.org/"\n'
        f'default_locale = "{default}"\nlocales = {locales}\n',
    )
    found = labels.labels(settings_.load(root))
    assert found == text.Labels(credit=credit, source=source)
