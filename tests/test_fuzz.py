"""Property-based fuzzing: no input, however broken, makes presssite crash or leak.

Hypothesis generates front matter, Markdown bodies, settings, photo bytes and URLs in
every field that takes one. The properties:

- the content and settings stages either return or raise presssite's own errors, each
  naming the file and a line (content) or the key (settings), never another exception;
- a whole build (the real command line, in this process) ends with exit status 0, 1 or
  2, prints no traceback and no "bug" line, names a file and line or key when it refuses,
  and never publishes the text of a draft or of a release still under embargo.

``make test`` runs a short campaign, the same inputs every run; ``make fuzz`` a long one,
new inputs each run (``PRESSSITE_FUZZ_SCALE`` multiplies every property's number of
examples). Inputs Hypothesis once found failing
stay below as ``@example``s.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner
from conftest import DEFAULT_SETTINGS, make_site
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from presssite import settings as settings_
from presssite.cli import main
from presssite.content import markdown
from presssite.content.frontmatter import fields, split
from presssite.errors import ContentError, PresssiteError, flatten

SCALE = float(os.environ.get("PRESSSITE_FUZZ_SCALE", "1"))
NOW = "2026-01-31T12:00:00+07:00"
NOW_DT = datetime.fromisoformat(NOW)
ROOT = Path(tempfile.gettempdir()) / "presssite-fuzz-site"
FILE = ROOT / "content/press/2026-01-05-fuzz/index.id.md"
SETTINGS = settings_.parse(
    {
        "base_url": "https://example.org/portal/",
        "default_locale": "id",
        "locales": ["id", "en"],
        "timezone": "Asia/Jakarta",
    },
    root=ROOT,
    source=ROOT / "presssite.toml",
)
DRAFT_MARK = "draftmarkerq7"
EMBARGO_MARK = "embargomarkerz9"
FUZZ_MARK = "fuzzmarkerk3"


def runs(base: int) -> settings:
    """Hypothesis settings for a property: ``base`` examples times the campaign's scale."""
    return settings(
        max_examples=max(1, int(base * SCALE)),
        # make test's short campaign draws the same inputs every run (a suite that passes
        # passes again); make fuzz explores new ones each time
        derandomize=SCALE <= 1,
        deadline=None,  # a shared CI machine: no per-example time limit
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --------------------------------------------------------------------------- strategies

HOSTILE_URLS = [
    "https://b](javascript:x)aoquocte.vn/",
    "https://[::1/x",
    "http://[x]/a.png",
    "https://example.org:99999/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/x",
    "https:///path-only",
    "https://exa mple.org/",
    "https://例子.测试/路径",
    "http://%00/",
    "../../../../etc/passwd",
    "/absolute/file.pdf",
    "photos/../../x.jpg",
    "photos/01.jpg",
    "laporan.pdf",
    "#anchor",
    "?q=1",
    "mailto:press@example.org",
    "presssite:doc:press/x:en",
    "presssite:file:../x",
    "\x00",
    "",
]
URLS = st.one_of(
    st.sampled_from(HOSTILE_URLS),
    st.builds(
        "{}{}{}".format,
        st.sampled_from(["https://", "http://", "//", "", "javascript:", "ftp://", "file://"]),
        st.sampled_from(["example.org", "[::1]", "[x", "a:b@c", "example.org:0", "", "..", "%"]),
        st.text(max_size=20),
    ),
    st.text(max_size=30),
)
YAML_ATOMS = [
    "",
    "~",
    "null",
    "true",
    "no",
    "0",
    "-1",
    "1e999",
    ".nan",
    "0x1F",
    "2025-13-45",
    "2025-11-06",
    "2025-11-06T09:30:00",
    "2025-11-06T09:30:00+07:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "[]",
    "{}",
    "[a, b]",
    "{a: 1}",
    "&a x",
    "*a",
    "!!binary aGVsbG8=",
    "!!python/object/apply:os.system [ls]",
    "!!set {a}",
    "!!str 5",
    "!local x",
    "'unclosed",
    '"unclosed',
    "|\n  block",
    ">-\n  folded",
    "- x",
    "@x",
    "`x`",
    "%x",
    "? x",
    "a: b",
    "'",
    '"\\ud800"',
    '"\\x00"',
    "[" * 40,
    "{a: [b, {c: [d, {e: [f]}]}]}",
    "<<: {a: 1}",
]
YAML_VALUES = st.one_of(
    st.sampled_from(YAML_ATOMS),
    st.text(max_size=40).map(json.dumps),  # any text, quoted
    st.text(max_size=30),  # any text, raw: often not YAML at all
    URLS.map(json.dumps),
    URLS,
    st.integers().map(str),
    st.floats().map(repr),
    st.datetimes().map(lambda d: d.isoformat()),
)
TOP_KEYS = ["title", "date", "summary", "tags", "slug", "draft", "embargo", "updated"]
TOP_KEYS += ["expires", "extra", "titel", "alt", "1", "?"]


def _nested(key: str, subkeys: list[str]) -> st.SearchStrategy[str]:
    pairs = st.lists(st.tuples(st.sampled_from([*subkeys, "x"]), YAML_VALUES), max_size=4)
    return pairs.map(lambda items: f"{key}:\n" + "\n".join(f"  {k}: {v}" for k, v in items))


PHOTO_ENTRY = st.one_of(
    st.tuples(URLS.map(json.dumps), YAML_VALUES, YAML_VALUES).map(
        lambda t: f"  - src: {t[0]}\n    caption: {t[1]}\n    credit: {t[2]}"
    ),
    YAML_VALUES.map(lambda v: f"  - {v}"),
    st.just("  - src: photos/01.jpg\n    decorative: true"),
)
FRONT_LINES = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(TOP_KEYS), YAML_VALUES).map(lambda t: f"{t[0]}: {t[1]}"),
        _nested("contact", ["name", "email", "phone"]),
        _nested("source", ["name", "url"]),
        st.lists(PHOTO_ENTRY, max_size=3).map(lambda items: "\n".join(["photos:", *items])),
        st.text(max_size=20),  # a stray line
    ),
    max_size=8,
)
VALID_HEAD = "title: Judul\ndate: 2026-01-05T09:00:00+07:00"
FRONT = st.tuples(st.booleans(), FRONT_LINES).map(
    lambda t: "\n".join(([VALID_HEAD] if t[0] else []) + t[1])
)
PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs"))  # what a page can show


def _quoted(value: object) -> str:
    """A YAML double-quoted string (JSON's, but not escaping beyond ASCII: YAML refuses
    the surrogate pairs JSON writes for emoji)."""
    return json.dumps(value, ensure_ascii=False)


# Front matter that is mostly right: builds get past the content stage and publish.
PLAUSIBLE_FRONT = st.tuples(
    st.text(PRINTABLE, min_size=1, max_size=40).map(lambda t: f"title: {_quoted(t)}"),
    st.lists(
        st.one_of(
            st.text(PRINTABLE, max_size=40).map(lambda t: f"summary: {_quoted(t)}"),
            st.lists(st.text(PRINTABLE, min_size=1, max_size=15), max_size=3).map(
                lambda tags: f"tags: {_quoted(tags)}"
            ),
            st.sampled_from(
                [
                    "draft: true",
                    "draft: false",
                    "embargo: 2026-03-01T00:00:00+07:00",
                    "embargo: 2026-01-01T00:00:00+07:00",
                    "expires: 2026-01-10T00:00:00+07:00",
                    "updated: 2026-01-06T00:00:00+07:00",
                    "contact: {name: Dewi, email: press@example.org, phone: '+62 21'}",
                ]
            ),
            st.one_of(URLS, st.just("https://example.org/x")).map(
                lambda u: f"source: {{url: {_quoted(u)}}}"
            ),
            st.text(PRINTABLE, max_size=20).map(lambda t: f"slug: {_quoted(t)}"),
            st.text(PRINTABLE, max_size=30).map(lambda t: f"extra: {{note: {_quoted(t)}}}"),
        ),
        max_size=5,
        unique_by=lambda line: line.split(":")[0],
    ),
).map(lambda t: "\n".join([t[0], "date: 2026-01-05T09:00:00+07:00", *t[1]]))
MD_PIECES = st.one_of(
    st.sampled_from(
        [
            "# Heading",
            "### Skipped level",
            "> quote",
            "> " * 60 + "deep quote",
            "- item\n  - nested\n    - deeper",
            "1. one\n2. two",
            "```python\ncode\n```",
            "```\nunclosed fence",
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "Footnote[^1]\n\n[^1]: The note.",
            "[ref]\n\n[ref]: https://example.org",
            "<script>alert(1)</script>",
            "<presssite-figure src='x'></presssite-figure>",
            '<img src="javascript:alert(1)">',
            "*" * 200,
            "[" * 200 + "]" * 200,
            "~~strike~~ **bold** _em_",
            "\x00\x01\ufeff\u202e",
            "&amp; &#0; &#x110000;",
        ]
    ),
    URLS.map(lambda u: f"[link]({u})"),
    URLS.map(lambda u: f"![photo]({u})"),
    URLS.map(lambda u: f"<{u}>"),
    URLS.map(lambda u: f'[a]({u} "title")'),
    st.text(max_size=60),
)
BODIES = st.lists(MD_PIECES, max_size=6).map("\n\n".join)
# Bodies whose links resolve: builds that publish, with whatever text and markup.
SAFE_PIECES = st.one_of(
    st.text(PRINTABLE, max_size=80),
    st.sampled_from(["# H", "> q", "- a\n- b", "| a |\n|---|\n| 1 |", "x[^1]\n\n[^1]: n"]),
    st.text(PRINTABLE, max_size=20).map(lambda t: f"[{t}](https://example.org/{t})"),
    st.just("![Foto](photos/01.jpg)"),
    st.just("[laporan](laporan.pdf)"),
)
SAFE_BODIES = st.lists(SAFE_PIECES, max_size=6).map("\n\n".join)

SETTING_VALUES = st.one_of(
    URLS.map(json.dumps),
    st.integers().map(str),
    st.sampled_from(["true", '"x"', "[]", "{}", '["id"]', '{ id = "T" }', "[1, 'a']", "1.5"]),
    st.text(max_size=15),  # often not TOML
)
SETTING_LINES = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["page_size", "feed_size", "cname", "cache_dir", "colour", "title"]),
            SETTING_VALUES,
        ).map(lambda t: f"{t[0]} = {t[1]}"),
        st.tuples(
            st.sampled_from(["[publisher]", "[markdown]", "[images]", "[contact]", "[x]"]),
            st.sampled_from(["name", "logo", "unsafe_html", "widths", "formats", "quality"]),
            SETTING_VALUES,
        ).map(lambda t: f"{t[0]}\n{t[1]} = {t[2]}"),
    ),
    max_size=3,
)


def _photo_seed(fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 120, 160)).save(out, fmt)
    return out.getvalue()


SEEDS = [_photo_seed(fmt) for fmt in ("JPEG", "PNG", "GIF", "WEBP")]


def _mutate(seed: bytes, cuts: list[tuple[int, int]]) -> bytes:
    data = bytearray(seed)
    for at, value in cuts:
        if data:
            data[at % len(data)] = value
    return bytes(data)


PHOTO_BYTES = st.one_of(
    st.binary(max_size=400),
    st.tuples(st.sampled_from(SEEDS), st.integers(0, 400)).map(lambda t: t[0][: t[1]]),
    st.tuples(
        st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)))
    ).map(lambda t: _mutate(*t)),
    st.sampled_from(SEEDS),
)


# --------------------------------------------------------------------------- the stages


def _check_content_error(error: PresssiteError, text: str) -> None:
    assert isinstance(error, ContentError), error
    assert error.path == FILE, error.format()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 2  # CR ends a line
    assert error.line is not None and 1 <= error.line <= lines, error.format()


@runs(300)
@given(front=FRONT)
@example(front="a: &a [x]\nb: [*a, *a]\ntags: *b")
@example(front='title: "unclosed\ndate: 2026-01-05\nsource:\n  name: "x"')
@example(front='source: {url: "https://b](javascript:x)aoquocte.vn/"}')
@example(front="extra: " + "[" * 40)
def test_front_matter_is_typed_or_refused_with_a_line(front: str) -> None:
    text = f"---\n{front}\n---\nBody\n"
    try:
        meta, lines, _body, _line = split(text, FILE)
    except ContentError as exc:
        _check_content_error(exc, text)
        return
    _front, errors = fields(meta, lines, path=FILE, settings=SETTINGS)
    for error in errors:
        _check_content_error(error, text)
        assert error.key, error.format()


@runs(200)
@given(body=BODIES)
@example(body='[link](\r)\n\n[a]( "title")')  # a CR ends a line, as the loader reads it
@example(body="[link](\x08)")  # refused by the content stage, at its line
@example(body="[link](\r\r)\n\n[link](\x1f)")  # ... counting a CR as a line end
def test_markdown_body_renders_or_names_its_line(body: str) -> None:
    # Cut from a whole file, as the content stage does (line ends normalised there).
    whole = f"---\n{VALID_HEAD}\n---\n{body}"
    try:
        _meta, _lines, text, body_line = split(whole, FILE)
    except ContentError as exc:  # a character no page can show, at its line
        _check_content_error(exc, whole)
        assert exc.line is not None and exc.line >= 5
        return
    rendered = markdown.render(
        text,
        path=FILE,
        bundle_dir=FILE.parent,
        content_dir=ROOT / "content",
        body_line=body_line,
        settings=SETTINGS,
        exists=lambda path: path.endswith(("photos/01.jpg", "laporan.pdf")),
    )
    for error in rendered.errors:
        assert error.path == FILE
        assert error.line is not None and body_line <= error.line <= body_line + text.count("\n")


def _containers(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    keys = st.sampled_from(["id", "en", "name", "logo", "widths", "x"])
    return st.lists(inner, max_size=3) | st.dictionaries(keys, inner)


SETTINGS_TABLE = st.dictionaries(
    st.sampled_from(
        ["base_url", "locales", "default_locale", "title", "timezone", "page_size", "cname"]
        + ["cache_dir", "feed_size", "publisher", "contact", "markdown", "images", "x"]
    ),
    st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(),
            st.text(max_size=20),
            URLS,
            st.sampled_from(["id", "en", "Asia/Jakarta", "static/site.js", "static/x.png"]),
        ),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from(["id", "en", "name", "logo", "widths", "x"]), inner)
        ),
        max_leaves=6,
    ),
)


@runs(150)
@given(table=SETTINGS_TABLE)
@example(table={"base_url": "https://[x/", "locales": ["id"], "default_locale": "id"})
@example(table={"base_url": "https://a.org/", "locales": ["id"], "default_locale": "id",
                "publisher": {"logo": "static/x.png"}})  # fmt: skip
def test_settings_are_typed_or_refused_by_key(table: dict[str, object]) -> None:
    try:
        settings_.parse(table, root=ROOT, source=ROOT / "presssite.toml")
    except PresssiteError as exc:
        for error in flatten([exc]):
            assert error.key, error.format()
            assert error.path == ROOT / "presssite.toml"


# --------------------------------------------------------------------------- whole builds

# "path:line: message" or "path: key: message", the path with a folder or a suffix
_WHERE = re.compile(r"^[^\s:]*[/.][^\s:]*(:\d+: |: [A-Za-z_][\w.\[\]-]*: )", re.M)


def _fixed_files() -> dict[str, str | bytes]:
    return {
        "content/press/2026-01-02-draft/index.id.md": (
            f"---\ntitle: Draf {DRAFT_MARK}\ndate: 2026-01-02T09:00:00+07:00\ndraft: true\n"
            f"---\nRahasia {DRAFT_MARK}.\n"
        ),
        "content/press/2026-01-03-embargoed/index.id.md": (
            f"---\ntitle: Embargo {EMBARGO_MARK}\ndate: 2026-01-03T09:00:00+07:00\n"
            f"embargo: 2026-03-01T09:00:00+07:00\nsummary: {EMBARGO_MARK}\n"
            f"---\nRahasia {EMBARGO_MARK}.\n"
        ),
        "content/press/2026-01-04-public/index.id.md": (
            "---\ntitle: Umum\ndate: 2026-01-04T09:00:00+07:00\n---\nTerbuka.\n"
        ),
    }


def _hidden(front: str) -> bool:
    """Whether the fuzzed document, were it valid, is a draft or under embargo now."""
    try:
        meta, lines, _, _ = split(f"---\n{front}\n---\n", FILE)
    except ContentError:
        return False
    typed, _errors = fields(meta, lines, path=FILE, settings=SETTINGS)
    if typed is None:
        return False
    return typed.draft or (typed.embargo is not None and typed.embargo > NOW_DT)


def _published(build_dir: Path) -> bytes:
    if not build_dir.is_dir():
        return b""
    return b"\n".join(p.read_bytes() for p in build_dir.rglob("*") if p.is_file())


@runs(20)
@given(
    front=st.one_of(FRONT, PLAUSIBLE_FRONT, PLAUSIBLE_FRONT).flatmap(
        lambda f: st.sampled_from([f, f + "\nphotos: [photos/01.jpg]"])
    ),
    body=st.one_of(BODIES, SAFE_BODIES),
    photo=PHOTO_BYTES,
    extra_settings=st.one_of(st.just([]), st.just([]), st.just([]), SETTING_LINES),
)
@example(
    front=VALID_HEAD + '\nsource: {url: "https://b](javascript:x)aoquocte.vn/"}',
    body="",
    photo=b"",
    extra_settings=[],
)
@example(
    front=VALID_HEAD + "\nphotos: [photos/01.jpg]",
    body="",
    photo=b"\xff\xd8\xff",
    extra_settings=[],
)
@example(front=VALID_HEAD, body="", photo=b"", extra_settings=['[publisher]\nlogo = "x.png"'])
@example(front=VALID_HEAD, body="[link](\x1f)", photo=b"", extra_settings=[])  # feeds' XML
@example(front='title: "\\x1f"\ndate: 2026-01-05', body="", photo=b"", extra_settings=[])
def test_a_build_ends_cleanly_and_leaks_nothing(
    front: str, body: str, photo: bytes, extra_settings: list[str]
) -> None:
    files = _fixed_files()
    files["content/press/2026-01-05-fuzz/index.id.md"] = (
        f"---\n{front}\n---\n{body}\n\n{FUZZ_MARK}\n"
    )
    files["content/press/2026-01-05-fuzz/photos/01.jpg"] = photo
    files["content/press/2026-01-05-fuzz/laporan.pdf"] = "%PDF-1.4"
    settings_text = DEFAULT_SETTINGS + "\n".join(extra_settings) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        root = make_site(Path(tmp), files, settings=settings_text)
        args = ["build", "--site", str(root), "--now", NOW, "--jobs", "1", "--no-cache"]
        result = CliRunner().invoke(main, args)
        output = result.output
        event(f"exit status {result.exit_code}")
        assert result.exit_code in (0, 1, 2), output
        assert result.exception is None or isinstance(result.exception, SystemExit), output
        assert "Traceback" not in output and "This is a bug in presssite" not in output, output
        if result.exit_code != 0:
            found = _WHERE.search(output)
            assert found, output
            message = output[found.end() :].splitlines()[0]
            event("refused: " + re.sub(r"[\d'\"(].*", "", message)[:40])
        published = _published(root / "build")
        assert DRAFT_MARK.encode() not in published
        assert EMBARGO_MARK.encode() not in published
        if _hidden(front):
            assert FUZZ_MARK.encode() not in published
