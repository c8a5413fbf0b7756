"""Broken and hostile input, end to end: a clear message naming the place, never a traceback.

Each site is written inside the test and built with the real command line.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import DEFAULT_SETTINGS, make_photo, make_site, run_cli

from presssite.errors import ContentError, processed_file, processing
from presssite.reporting import internal_error, reported

NOW = "2026-01-31T12:00:00+07:00"
DOC = "content/press/2026-01-05-harbour/index.id.md"


def release(*front: str, body: str = "Isi siaran pers.\n") -> str:
    lines = ["---", "title: Pelabuhan dibuka", "date: 2026-01-05T09:00:00+07:00", *front, "---"]
    return "\n".join([*lines, body])


def build(root: Path, *args: str) -> tuple[int, str]:
    result = run_cli("build", "--site", root, "--now", NOW, *args)
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out
    return result.returncode, out


def test_billion_laughs_is_refused_at_its_line(tmp_path: Path) -> None:
    laughs = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    laughs += [
        f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]"
        for p, n in zip("abcdefgh", "bcdefghi", strict=False)
    ]
    root = make_site(tmp_path, {DOC: release("extra:", *("  " + x for x in laughs), "tags: *i")})
    status, out = build(root)
    assert status == 1
    assert f"{DOC}:5: YAML anchors and aliases" in out
    assert not (root / "build").exists()


def test_malformed_source_url_names_file_and_key(tmp_path: Path) -> None:
    front = ("source:", '  url: "https://b](javascript:x)aoquocte.vn/"')
    root = make_site(tmp_path, {DOC: release(*front)})
    status, out = build(root)
    assert status == 1
    assert f"{DOC}:5: source.url: not an absolute http(s) URL" in out


def test_unclosed_quote_names_where_it_opens(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "---",
            'title: "Pelabuhan dibuka',  # 2
            "date: 2026-01-05T09:00:00+07:00",
            "summary: Ringkasan.",
            "source:",
            '  name: "Humas"',  # 6: YAML stops here
            "---",
            "Isi.",
        ]
    )
    root = make_site(tmp_path, {DOC: text})
    status, out = build(root)
    assert status == 1
    assert f"{DOC}:2: front matter is not valid YAML" in out
    assert "YAML stopped at line 6" in out


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (release(body="Tautan [x](\x1f).\n"), f"{DOC}:5: the body contains the control"),
        (release('summary: "Ring\\x0ckas"'), f"{DOC}:4: summary: contains the control"),
        (release('tags: ["a\\x1fb"]'), f"{DOC}:4: tags[0]: contains the control"),
    ],
    ids=["body", "yaml-escape", "in-a-list"],
)
def test_control_characters_are_refused_where_they_are(
    tmp_path: Path, text: str, where: str
) -> None:
    """Once a build that failed in the feeds' XML writer (found by test_fuzz)."""
    root = make_site(tmp_path, {DOC: text})
    status, out = build(root)
    assert status == 1, out
    assert where in out


def test_control_character_in_settings_names_the_key(tmp_path: Path) -> None:
    settings = DEFAULT_SETTINGS.replace('"Test Portal"', '"Test\\u001fPortal"')
    root = make_site(tmp_path, {DOC: release()}, settings=settings)
    status, out = build(root)
    assert status == 2, out
    assert "presssite.toml: title: contains the control character U+001F" in out


# --------------------------------------------------------------------------- settings


def test_publisher_logo_without_name_builds_with_the_title(tmp_path: Path) -> None:
    settings = DEFAULT_SETTINGS + '[publisher]\nlogo = "static/logo.png"\n'
    root = make_site(tmp_path, {DOC: release()}, settings=settings)
    make_photo(root / "static/logo.png", (200, 60), fmt="PNG")
    status, out = build(root)
    assert status == 0, out
    feed = (root / "build/id/feed.xml").read_text(encoding="utf-8")
    assert "https://example.org/portal/static/logo.png" in feed
    assert (root / "build/static/logo.png").is_file()


def test_missing_logo_is_a_settings_error(tmp_path: Path) -> None:
    settings = DEFAULT_SETTINGS + '[publisher]\nname = "Humas"\nlogo = "static/logo.png"\n'
    root = make_site(tmp_path, {DOC: release()}, settings=settings)
    status, out = build(root)
    assert status == 2
    assert "presssite.toml: publisher.logo: no such file: static/logo.png" in out
    assert not (root / "build").exists()


# --------------------------------------------------------------------------- leftovers

LEFTOVERS = [
    "style.css~",
    ".#style.css",
    "#style.css#",
    ".style.css.swp",
    "4913",
    "sedAb12Cd",
    ".DS_Store",
    "Thumbs.db",
    "img/.DS_Store",
]


def test_editor_and_system_leftovers_are_not_published(tmp_path: Path) -> None:
    files = {f"static/{name}": "leftover" for name in LEFTOVERS}
    files["static/style.css"] = "body { color: black }"
    files[DOC] = release(body="Unduh [laporan](laporan.pdf).\n")
    files["content/press/2026-01-05-harbour/laporan.pdf"] = "%PDF-1.4"
    files["content/press/2026-01-05-harbour/laporan.pdf~"] = "old"
    files["content/press/2026-01-05-harbour/.DS_Store"] = "finder"
    root = make_site(tmp_path, files)
    status, out = build(root)
    assert status == 0, out
    published = {p.relative_to(root / "build").as_posix() for p in (root / "build").rglob("*")}
    assert "static/style.css" in published
    assert "id/press/harbour/laporan.pdf" in published
    leaked = [p for p in published if p.rsplit("/", 1)[-1] in {n.split("/")[-1] for n in LEFTOVERS}]
    assert leaked == []
    assert not any(p.endswith(("laporan.pdf~", ".DS_Store")) for p in published)


def test_a_link_to_a_leftover_in_a_bundle_is_a_missing_file(tmp_path: Path) -> None:
    files = {
        DOC: release(body="Unduh [laporan](laporan.pdf~).\n"),
        "content/press/2026-01-05-harbour/laporan.pdf~": "old",
    }
    root = make_site(tmp_path, files)
    status, out = build(root, "--strict")
    assert status == 1, out
    assert "laporan.pdf~" in out


# --------------------------------------------------------------------------- bugs


def test_an_unexpected_exception_is_one_line_naming_the_file(tmp_path: Path) -> None:
    """What a bug looks like to a user: one line, the file, exit status 1; --debug: the
    traceback. (The exception is a real one, raised where a stage would raise it.)"""
    doc = tmp_path / "content/press/x/index.id.md"

    @click.group()
    @click.option("--debug", is_flag=True)
    def main(debug: bool) -> None:
        pass

    @main.command()
    def crash() -> None:
        with reported(tmp_path), processing(doc):
            {}["missing"]  # noqa: B018

    runner = CliRunner()
    result = runner.invoke(main, ["crash"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "content/press/x/index.id.md" in lines[0]
    assert "KeyError" in lines[0] and "bug" in lines[0] and "--debug" in lines[0]

    debug = runner.invoke(main, ["--debug", "crash"])
    assert isinstance(debug.exception, KeyError)


def test_processing_names_the_innermost_file_and_leaves_errors_alone(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as caught:
        with processing(tmp_path / "outer"), processing(tmp_path / "inner"):
            raise ValueError("x")
    assert processed_file(caught.value) == str(tmp_path / "inner")
    with pytest.raises(ContentError) as known:
        with processing(tmp_path / "a"):
            raise ContentError("bad", path=tmp_path / "b")
    assert processed_file(known.value) is None
    assert "failed while processing the site" in internal_error(RuntimeError("boom"))
