"""Settings: every key checked, unknown keys refused, all problems reported together."""

from __future__ import annotations

from pathlib import Path

import pytest

from presssite import settings
from presssite.errors import ErrorList, SettingsError

MINIMAL = """
base_url = "https://example.org/portal"
default_locale = "id"
locales = ["id", "en"]
"""


def write(tmp_path: Path, text: str, name: str = "presssite.toml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def errors_of(exc: pytest.ExceptionInfo[BaseException]) -> list[SettingsError]:
    value = exc.value
    return list(value.errors) if isinstance(value, ErrorList) else [value]  # type: ignore[list-item]


def test_minimal_settings_get_defaults(tmp_path: Path) -> None:
    s = settings.load(write(tmp_path, MINIMAL))
    assert s.base_url == "https://example.org/portal/"
    assert s.base_path == "/portal/"
    assert s.locales == ("id", "en")
    assert s.page_size == 10
    assert s.images.widths == (360, 480, 720, 960, 1280, 1600)
    assert s.images.download_max is None
    assert s.theme.logo is None and s.theme.brand_color is None and s.theme.favicon is None
    assert s.images.formats == ("webp", "jpeg")
    assert s.unsafe_html is False
    assert s.timezone is None
    assert s.cache_dir == (tmp_path / ".presssite-cache").resolve()


def test_full_settings_from_the_content_format(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """
title = { id = "Portal Siaran Pers", en = "Press Release Portal" }
timezone = "Asia/Jakarta"
page_size = 5
cname = "press.example.org"
cache_dir = "cache"

[publisher]
name = { id = "Kementerian", en = "Ministry" }
logo = "static/logo.png"

[markdown]
unsafe_html = true

[images]
widths = [960, 480]
formats = ["jpg", "avif"]
quality = 70
max_pixels = 50_000_000
"""
    )
    (tmp_path / "static").mkdir()
    (tmp_path / "static/logo.png").write_bytes(b"\x89PNG")
    s = settings.load(write(tmp_path, text))
    assert s.localized(s.title, "en") == "Press Release Portal"
    assert s.tz.key == "Asia/Jakarta"
    assert s.cname == "press.example.org"
    assert s.publisher.logo == "static/logo.png"
    assert s.unsafe_html is True
    assert s.images.widths == (480, 960)
    assert s.images.formats == ("jpeg", "avif")
    assert s.images.max_pixels == 50_000_000


def test_publisher_name_defaults_to_the_title(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static/logo.png").write_bytes(b"\x89PNG")
    text = (
        MINIMAL
        + 'title = { id = "Portal", en = "Portal EN" }\n[publisher]\nlogo = "static/logo.png"\n'
    )
    s = settings.load(write(tmp_path, text))
    assert dict(s.publisher.name) == {"id": "Portal", "en": "Portal EN"}
    assert s.publisher.logo == "static/logo.png"


def test_a_theme_file_is_a_valid_logo(tmp_path: Path) -> None:
    s = settings.load(write(tmp_path, MINIMAL + '[publisher]\nlogo = "static/site.js"\n'))
    assert s.publisher.logo == "static/site.js"


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    text = "[project]\nname = 'x'\n\n[tool.presssite]\n" + MINIMAL
    s = settings.load(write(tmp_path, text, "pyproject.toml"))
    assert s.default_locale == "id"
    assert s.source.name == "pyproject.toml"


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('default_locale = "id"\nlocales = ["id"]\n', "base_url", "required"),
        (MINIMAL + "colour = 'red'\n", "colour", "unknown key"),
        (MINIMAL + "page_size = 'ten'\n", "page_size", "expected an integer"),
        (MINIMAL + "page_size = 0\n", "page_size", "1 to 1000"),
        (MINIMAL.replace('"id"\nlocales', '"fr"\nlocales'), "default_locale", "not one of"),
        (MINIMAL.replace("https://example.org/portal", "example.org"), "base_url", "absolute"),
        (MINIMAL + 'timezone = "Mars/Olympus"\n', "timezone", "unknown time zone"),
        (MINIMAL + "[images]\nformats = ['bmp']\n", "images.formats", "unknown image format"),
        (MINIMAL + "[images]\nsizes = [1]\n", "images.sizes", "unknown key"),
        (MINIMAL + "[markdown]\nunsafe_html = 'yes'\n", "markdown.unsafe_html", "true or false"),
        (MINIMAL.replace("example.org/portal", "[b](javascript:x)"), "base_url", "absolute"),
        (MINIMAL.replace("example.org/portal", "example.org:99999"), "base_url", "absolute"),
        (MINIMAL + "[publisher]\nlogo = 'static/missing.png'\n", "publisher.logo", "no such"),
        (MINIMAL + "[publisher]\nlogo = 'content/logo.png'\n", "publisher.logo", "static/"),
        (MINIMAL + "[publisher]\nlogo = 'static/../x.png'\n", "publisher.logo", "static/"),
        (MINIMAL + "[publisher]\nlogo = 'static/logo.png~'\n", "publisher.logo", "temporary"),
        (MINIMAL + "[publisher]\nlogo = 3\n", "publisher.logo", "expected a non-empty string"),
    ],
    ids=[
        "missing-base-url",
        "unknown-key",
        "wrong-type",
        "out-of-range",
        "default-not-in-locales",
        "malformed-base-url",
        "bad-timezone",
        "bad-format",
        "unknown-nested-key",
        "nested-wrong-type",
        "base-url-bracket",
        "base-url-port",
        "missing-logo",
        "logo-not-published",
        "logo-escapes",
        "logo-leftover",
        "logo-not-text",
    ],
)
def test_bad_settings_name_file_and_key(tmp_path: Path, text: str, key: str, words: str) -> None:
    write(tmp_path, text)
    with pytest.raises(SettingsError) as exc:
        settings.load(tmp_path)
    found = errors_of(exc)
    match = [e for e in found if e.key == key]
    assert match, [e.format() for e in found]
    assert words in match[0].message
    assert match[0].path == tmp_path / "presssite.toml"
    assert exc.value.exit_code == 2
    assert f"presssite.toml: {key}: " in match[0].format()


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    write(tmp_path, 'locales = "id"\npage_size = -1\nfoo = 1\n')
    with pytest.raises(ErrorList) as exc:
        settings.load(tmp_path)
    keys = {e.key for e in exc.value.errors}
    assert {"locales", "default_locale", "base_url", "page_size", "foo"} <= keys


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL + "\npage_size = = 3\n")
    with pytest.raises(SettingsError) as exc:
        settings.load(tmp_path)
    assert exc.value.line == 6
    assert "not valid TOML" in exc.value.message


def test_no_settings_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as exc:
        settings.load(tmp_path)
    assert "presssite.toml" in exc.value.format()
    assert exc.value.hint


@pytest.mark.parametrize(
    ("table", "key", "message"),
    [
        ('[theme]\nbrand_color = "red"\n', "theme.brand_color", "not a colour"),
        ('[theme]\nlogo = "static/none.png"\n', "theme.logo", "no such file: static/none.png"),
        ('[theme]\nfooter_links = { en = ["x"] }\n', "theme.footer_links", "text, url"),
        ("[theme]\ncolour = 1\n", "theme.colour", "unknown key"),
        ("[images]\ndownload_max = 3\n", "images.download_max", "expected 16 to 100000"),
    ],
    ids=["colour", "logo", "footer-links", "unknown", "download-max"],
)
def test_theme_and_download_keys_are_checked(tmp_path, table, key, message):
    with pytest.raises((ErrorList, SettingsError)) as info:
        settings.load(write(tmp_path, MINIMAL + table))
    errors = errors_of(info)
    assert [e.key for e in errors] == [key]
    assert message in errors[0].message
