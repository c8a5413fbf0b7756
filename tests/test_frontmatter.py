"""Front matter: splitting, key lines, typing, and errors that name the key and line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import make_settings

from presssite.content.frontmatter import FrontMatter, fields, split
from presssite.errors import ContentError
from presssite.model import Source
from presssite.settings import Contact, Settings

JAKARTA = ZoneInfo("Asia/Jakarta")
WIB = timezone(timedelta(hours=7))
FILE = Path("content/press/2025-11-06-x/index.en.md")


def typed(text: str, settings: Settings) -> tuple[FrontMatter | None, list[ContentError]]:
    meta, lines, _body, _line = split(text, FILE)
    return fields(meta, lines, path=FILE, settings=settings)


def doc(*front: str, body: str = "Body.\n") -> str:
    return "---\n" + "\n".join(front) + "\n---\n" + body


# --------------------------------------------------------------------------- split


def test_split_keeps_the_line_of_every_key() -> None:
    text = doc(
        "title: T",  # 2
        "date: 2025-11-06T09:30:00+07:00",
        "source:",  # 4
        "  name: Báo Quốc tế",
        "  url: https://baoquocte.vn/x.html",  # 6
        "photos:",
        "  - src: photos/01.jpg",  # 8
        "    caption: One",
        "  - src: photos/02.jpg",  # 10
        "    caption: Two",
        body="First line of the body.\n",
    )
    meta, lines, body, body_line = split(text, FILE)
    assert meta["title"] == "T"
    assert lines["title"] == 2
    assert lines["source.url"] == 6
    assert lines["photos[0]"] == 8
    assert lines["photos[1].src"] == 10
    assert lines["photos[1].caption"] == 11
    assert body == "First line of the body.\n"
    assert text.splitlines()[body_line - 1] == "First line of the body."


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("---\r\ntitle: T\r\n---\r\nBody\r\n", id="crlf"),
        pytest.param("\ufeff---\ntitle: T\n---\nBody\n", id="bom"),
        pytest.param("---   \ntitle: T\n---\nBody\n", id="trailing-space-on-fence"),
        pytest.param("---\ntitle: T\n--- \t\nBody\n", id="trailing-space-on-closing-fence"),
    ],
)
def test_split_accepts_common_editor_output(text: str) -> None:
    meta, lines, body, body_line = split(text, FILE)
    assert meta == {"title": "T"}
    assert lines == {"title": 2}
    assert body.strip() == "Body"
    assert body_line == 4


def test_empty_front_matter_is_an_empty_mapping() -> None:
    meta, lines, body, body_line = split("---\n---\nBody\n", FILE)
    assert (meta, lines, body, body_line) == ({}, {}, "Body\n", 3)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        pytest.param("title: T\n---\nBody\n", 1, "no front matter", id="no-opening-fence"),
        pytest.param("", 1, "no front matter", id="empty-file"),
        pytest.param("---\ntitle: T\nBody\n", 1, "not closed", id="not-closed"),
        pytest.param("---\ntitle: T\ntags: [a, b\n---\n", 4, "not valid YAML", id="bad-flow-list"),
        pytest.param("---\ntitle: a: b\n---\n", 2, "not valid YAML", id="colon-in-value"),
        pytest.param("---\n- a\n- b\n---\n", 2, "not a mapping", id="a-list"),
        pytest.param("---\njust words\n---\n", 2, "not a mapping", id="a-string"),
        pytest.param(
            "---\ntitle: T\nembargo: 2025-11-06\nembargo: 2025-12-06\n---\n",
            4,
            "duplicate key (first at line 3)",
            id="duplicate-key",
        ),
        pytest.param("---\ntitle: T\ndate: 2025-13-45\n---\n", 3, "invalid value", id="month-13"),
    ],
)
def test_split_errors_name_file_and_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ContentError) as caught:
        split(text, FILE)
    assert caught.value.path == FILE
    assert caught.value.line == line
    assert fragment in caught.value.message
    assert caught.value.hint


def test_tab_indentation_gets_a_hint() -> None:
    with pytest.raises(ContentError) as caught:
        split("---\ncontact:\n\tname: X\n---\n", FILE)
    assert caught.value.line == 3
    assert caught.value.hint == "indent with spaces, not tabs"


# --------------------------------------------------------------------------- typing


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "2025-11-06T09:30:00+07:00", datetime(2025, 11, 6, 9, 30, tzinfo=WIB), id="offset"
        ),
        pytest.param("2025-11-06T02:30:00Z", datetime(2025, 11, 6, 2, 30, tzinfo=UTC), id="utc-z"),
        pytest.param("2025-11-06", datetime(2025, 11, 6, tzinfo=JAKARTA), id="plain-date"),
        pytest.param(
            "2025-11-06 09:30:00", datetime(2025, 11, 6, 9, 30, tzinfo=JAKARTA), id="naive"
        ),
        pytest.param(
            "'2025-11-06T09:30+07:00'", datetime(2025, 11, 6, 9, 30, tzinfo=WIB), id="quoted"
        ),
        pytest.param(
            "'2025-11-06T09:30'", datetime(2025, 11, 6, 9, 30, tzinfo=JAKARTA), id="quoted-naive"
        ),
    ],
)
def test_dates_become_aware_instants(tmp_path: Path, value: str, expected: datetime) -> None:
    fm, errors = typed(doc("title: T", f"date: {value}"), make_settings(tmp_path))
    assert errors == []
    assert fm is not None
    assert fm.date == expected
    assert fm.date.utcoffset() == expected.utcoffset()


def test_a_naive_date_without_a_site_timezone_is_an_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, timezone=None)
    fm, errors = typed(
        doc("title: T", "date: 2025-11-06T09:30:00+07:00", "embargo: 2025-11-06"), settings
    )
    assert fm is not None and fm.embargo is None
    [error] = errors
    assert (error.key, error.line) == ("embargo", 4)
    assert "no timezone" in error.message
    assert "+07:00" in (error.hint or "") and "presssite.toml" in (error.hint or "")


def test_every_field_is_typed(tmp_path: Path) -> None:
    text = doc(
        "title: Vietnam attends conference",
        "date: 2025-11-06T09:30:00+07:00",
        "summary: One sentence.",
        "tags: [diplomacy, cybercrime, diplomacy]",
        "slug: vietnam-attends",
        "draft: true",
        "embargo: 2025-11-06T12:00:00+07:00",
        "updated: 2025-11-07T08:00:00+07:00",
        "expires: 2026-11-06",
        "contact: {name: Dewi Lestari, email: press@example.org, phone: '+62 21 555'}",
        "source: {url: 'https://www.baoquocte.vn/x.html'}",
        "photos:",
        "  - src: photos/01.jpg",
        "    caption: The minister.",
        "    credit: Bao Chi",
        "  - photos/02.jpg",
        "  - {src: photos/line.png, decorative: true}",
        "extra: {place: Bangkok, order: 3}",
    )
    fm, errors = typed(text, make_settings(tmp_path))
    assert errors == []
    assert fm is not None
    assert fm.title == "Vietnam attends conference"
    assert fm.summary == "One sentence."
    assert fm.tags == ("diplomacy", "cybercrime")
    assert fm.slug == "vietnam-attends"
    assert fm.draft is True
    assert fm.embargo == datetime(2025, 11, 6, 12, tzinfo=WIB)
    assert fm.updated == datetime(2025, 11, 7, 8, tzinfo=WIB)
    assert fm.expires == datetime(2026, 11, 6, tzinfo=JAKARTA)
    assert fm.contact == Contact(name="Dewi Lestari", email="press@example.org", phone="+62 21 555")
    assert fm.source == Source(name="www.baoquocte.vn", url="https://www.baoquocte.vn/x.html")
    assert [(p.src, p.caption, p.credit, p.decorative, p.line) for p in fm.photos] == [
        ("photos/01.jpg", "The minister.", "Bao Chi", False, 14),
        ("photos/02.jpg", "", "", False, 17),
        ("photos/line.png", "", "", True, 18),
    ]
    assert fm.extra == {"place": "Bangkok", "order": 3}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("tags: press", ("press",), id="single-string"),
        pytest.param("tags:", (), id="empty"),
        pytest.param("tags: [' a ', b]", ("a", "b"), id="stripped"),
    ],
)
def test_tags_forms(tmp_path: Path, line: str, expected: tuple[str, ...]) -> None:
    fm, errors = typed(doc("title: T", "date: 2025-11-06", line), make_settings(tmp_path))
    assert errors == [] and fm is not None
    assert fm.tags == expected


def test_defaults_when_optional_keys_are_absent(tmp_path: Path) -> None:
    fm, errors = typed(doc("title: T", "date: 2025-11-06"), make_settings(tmp_path))
    assert errors == [] and fm is not None
    assert (fm.summary, fm.tags, fm.slug, fm.draft) == ("", (), None, False)
    assert (fm.embargo, fm.updated, fm.expires, fm.contact, fm.source) == (None,) * 5
    assert (fm.photos, dict(fm.extra)) == ((), {})


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("extra_lines", "key", "line", "message", "hint"),
    [
        pytest.param(
            ["embargoo: 2025-11-06T12:00:00+07:00"],
            "embargoo",
            4,
            "unknown key",
            "did you mean 'embargo'?",
            id="misspelled-embargo",
        ),
        pytest.param(
            ["Title: X"], "Title", 4, "unknown key", "did you mean 'title'?", id="capital"
        ),
        pytest.param(["colour: red"], "colour", 4, "unknown key", "extra:", id="unknown-no-match"),
        pytest.param(["embargo:"], "embargo", 4, "has no value", None, id="empty-embargo"),
        pytest.param(["draft: maybe"], "draft", 4, "expected true or false", None, id="draft-text"),
        pytest.param(
            ["summary: 42"], "summary", 4, "expected a string", "quotes", id="summary-number"
        ),
        pytest.param(
            ["tags: [a, 2025]"], "tags[1]", 4, "expected a string", "quotes", id="tag-number"
        ),
        pytest.param(["tags: {a: 1}"], "tags", 4, "expected a list", None, id="tags-mapping"),
        pytest.param(["slug: [a]"], "slug", 4, "expected a string", None, id="slug-list"),
        pytest.param(["updated: soon"], "updated", 4, "not a date", "+07:00", id="updated-words"),
        pytest.param(["expires: 12"], "expires", 4, "expected a date", None, id="expires-number"),
        pytest.param(
            ["source:", "  name: X", "  url: baoquocte.vn/x"],
            "source.url",
            6,
            "not an absolute http(s) URL",
            None,
            id="source-relative-url",
        ),
        pytest.param(["source: {name: X}"], "source", 4, "no url", None, id="source-no-url"),
        pytest.param(
            ["source: {url: 'https://a.b/', link: x}"],
            "source.link",
            4,
            "unknown key",
            None,
            id="source-unknown",
        ),
        pytest.param(
            ["contact:", "  name: Dewi", "  phone: +62215551234"],
            "contact.phone",
            6,
            "expected a string",
            "quotes",
            id="phone-number",
        ),
        pytest.param(
            ["contact:", "  name: Dewi", "  email: press.example.org"],
            "contact.email",
            6,
            "not an e-mail",
            None,
            id="bad-email",
        ),
        pytest.param(
            ["contact:", "  name: Dewi", "  emial: a@b.org"],
            "contact.emial",
            6,
            "unknown key",
            "did you mean 'email'?",
            id="contact-misspelled",
        ),
        pytest.param(
            ["photos: photos/01.jpg"], "photos", 4, "expected a list", None, id="photos-str"
        ),
        pytest.param(
            ["photos:", "  - src: a.jpg", "    caption: A", "  - src: b.jpg", "    caption: 7"],
            "photos[1].caption",
            8,
            "expected a string",
            None,
            id="photo-caption-number",
        ),
        pytest.param(
            ["photos:", "  - caption: No source"],
            "photos[0]",
            5,
            "no src",
            None,
            id="photo-without-src",
        ),
        pytest.param(
            ["photos:", "  - src: a.jpg", "    alt: Words"],
            "photos[0].alt",
            6,
            "unknown key",
            "caption",
            id="photo-alt",
        ),
        pytest.param(
            ["photos:", "  - src: a.jpg", "    decorative: yes please"],
            "photos[0].decorative",
            6,
            "expected true or false",
            None,
            id="photo-decorative-text",
        ),
        pytest.param(["extra: [1, 2]"], "extra", 4, "expected a mapping", None, id="extra-list"),
    ],
)
def test_wrong_fields_name_key_and_line(
    tmp_path: Path,
    extra_lines: list[str],
    key: str,
    line: int,
    message: str,
    hint: str | None,
) -> None:
    text = doc("title: T", "date: 2025-11-06T09:30:00+07:00", *extra_lines)
    fm, errors = typed(text, make_settings(tmp_path))
    assert fm is not None
    [error] = errors
    assert error.path == FILE
    assert (error.key, error.line) == (key, line)
    assert message in error.message
    if hint is not None:
        assert hint in (error.hint or "")


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        pytest.param(doc("date: 2025-11-06"), "title", 1, id="no-title"),
        pytest.param(doc("title: T"), "date", 1, id="no-date"),
        pytest.param(doc("title: 2025", "date: 2025-11-06"), "title", 2, id="title-number"),
        pytest.param(doc("title: '  '", "date: 2025-11-06"), "title", 2, id="title-blank"),
        pytest.param(doc("title: T", "date: next week"), "date", 3, id="date-words"),
    ],
)
def test_unusable_title_or_date_gives_no_front_matter(
    tmp_path: Path, text: str, key: str, line: int
) -> None:
    fm, errors = typed(text, make_settings(tmp_path))
    assert fm is None
    assert [(e.key, e.line) for e in errors] == [(key, line)]


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    text = doc(
        "title: T",
        "date: 2025-11-06",
        "embargoo: 2025-11-06",
        "draft: maybe",
        "photos:",
        "  - src: a.jpg",
        "    caption: 3",
    )
    _fm, errors = typed(text, make_settings(tmp_path))
    assert sorted((e.key, e.line) for e in errors) == [
        ("draft", 5),
        ("embargoo", 4),
        ("photos[0].caption", 8),
    ]


# --------------------------------------------------------------------------- hostile blocks

LAUGHS = "\n".join(
    ["title: T", "date: 2025-11-06T09:30:00+07:00", 'a: &a ["lol","lol","lol","lol","lol"]']
    + [
        f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=False)
    ]
    + ["tags: *i"]
)


@pytest.mark.parametrize(
    ("front", "line", "fragment"),
    [
        pytest.param(LAUGHS, 4, "anchors and aliases", id="billion-laughs"),
        pytest.param("title: &t T\ndate: 2025-11-06", 2, "anchors and aliases", id="anchor"),
        pytest.param("title: T\nslug: !!python/name:os.system x", 3, "tag", id="python-tag"),
        pytest.param("title: T\ntags: !!set {a: null}", 3, "tag", id="set-tag"),
        pytest.param("title: T\nsummary: !custom x", 3, "tag", id="local-tag"),
        pytest.param(
            "title: T\nextra: " + "[" * 40 + "]" * 40, 3, "nested too deeply", id="deep-flow"
        ),
        pytest.param(
            "title: T\nextra:\n" + "\n".join(" " * i + f"k{i}:" for i in range(1, 12)) + " x",
            11,
            "nested too deeply",
            id="deep-block",
        ),
        pytest.param("title: T\nextra:\n" + "- " * 12 + "x", 4, "nested too deeply", id="dashes"),
        pytest.param("title: T\nsummary: " + "x" * 70_000, 1, "too long", id="huge"),
    ],
)
def test_hostile_front_matter_is_refused_with_its_line(
    front: str, line: int, fragment: str
) -> None:
    with pytest.raises(ContentError) as caught:
        split(doc(front), FILE)
    assert caught.value.path == FILE
    assert caught.value.line == line
    assert fragment in caught.value.message
    assert caught.value.hint


def test_plain_brackets_and_stars_in_text_are_fine(tmp_path: Path) -> None:
    front, errors = typed(
        doc(
            'title: "Five stars: *****, and [[brackets]]"',
            "date: 2025-11-06T09:30:00+07:00",
            "summary: Great news! Rates fall & rise",
            "tags: [a, b]",
            "extra: {a: {b: {c: [1, 2, {d: x}]}}}",
        ),
        make_settings(tmp_path),
    )
    assert errors == []
    assert front is not None
    assert front.title == "Five stars: *****, and [[brackets]]"
    assert front.summary == "Great news! Rates fall & rise"
    assert front.extra == {"a": {"b": {"c": [1, 2, {"d": "x"}]}}}


def test_standard_scalar_tags_are_allowed(tmp_path: Path) -> None:
    front, errors = typed(
        doc("title: !!str 2025", "date: 2025-11-06T09:30:00+07:00"), make_settings(tmp_path)
    )
    assert errors == []
    assert front is not None and front.title == "2025"


def test_unclosed_quote_is_reported_where_it_opens() -> None:
    text = doc(
        'title: "Vietnam attends conference on online scams',  # 2: the quote opens here
        "date: 2025-11-06T09:30:00+07:00",
        "summary: One or two sentences.",
        "tags: [diplomacy, cybercrime]",
        "slug: vietnam-attends-conference",
        "contact:",
        "  name: Dewi Lestari",
        "  email: press@example.org",
        "source:",
        '  name: "Báo Quốc tế"',  # 11: YAML stops here
        "  url: https://baoquocte.vn/x.html",
    )
    with pytest.raises(ContentError) as caught:
        split(text, FILE)
    assert caught.value.line == 2
    assert "YAML stopped at line 11" in caught.value.message
    assert caught.value.hint is not None and "quote" in caught.value.hint


def test_error_inside_a_mapping_names_the_mapping_start() -> None:
    text = doc("title: T", "contact:", "  name: X", "  email: a@b.org", " phone: 1")
    with pytest.raises(ContentError) as caught:
        split(text, FILE)
    assert caught.value.line == 6
    assert "starts at line" in caught.value.message


@pytest.mark.parametrize(
    "url",
    [
        "https://b](javascript:x)aoquocte.vn/",
        "https://[::1/x",
        "https://example.org:99999/",
        "javascript:alert(1)",
        "https:///path-only",
        "https://exa mple.org/",
    ],
    ids=["bracket-ipv6", "open-ipv6", "port-out-of-range", "javascript", "no-host", "space"],
)
def test_malformed_source_url_names_the_key(tmp_path: Path, url: str) -> None:
    front, errors = typed(
        doc(
            "title: T",
            "date: 2025-11-06T09:30:00+07:00",
            "source:",
            f"  url: {json_string(url)}",  # 5
        ),
        make_settings(tmp_path),
    )
    assert [(e.key, e.line) for e in errors] == [("source.url", 5)]
    assert "not an absolute http(s) URL" in errors[0].message or "URL" in errors[0].message


def json_string(value: str) -> str:
    import json

    return json.dumps(value)
