"""Catalogs (theme's, site's over them) and CLDR dates, names and Open Graph locales."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from factories import make_settings

from presssite import THEME_DIR
from presssite.errors import PresssiteError
from presssite.render import i18n

JAKARTA = ZoneInfo("Asia/Jakarta")
THEME = THEME_DIR


def write_po(root: Path, locale: str, entries: dict[str, str], *, raw: str | None = None) -> Path:
    path = root / "locales" / locale / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = raw
    if body is None:
        body = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        for msgid, msgstr in entries.items():
            body += f'msgid "{msgid}"\nmsgstr "{msgstr}"\n\n'
    path.write_text(body, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- catalogs


def test_theme_catalogs_translate_labels_per_locale(tmp_path: Path) -> None:
    cats = i18n.catalogs(make_settings(tmp_path, locales=["id", "en", "vi"]))
    assert cats["id"].gettext("Source: %(link)s") == "Sumber: %(link)s"
    assert cats["en"].gettext("Source: %(link)s") == "Source: %(link)s"
    assert cats["vi"].gettext("Source: %(link)s") == "Nguồn: %(link)s"
    assert cats["id"].gettext("Photo: %(credit)s") == "Foto: %(credit)s"


def test_site_catalog_wins_and_theme_fills_the_rest(tmp_path: Path) -> None:
    write_po(tmp_path, "id", {"Source: %(link)s": "Asal berita: %(link)s"})
    cats = i18n.catalogs(make_settings(tmp_path, locales=["id", "en"]))
    assert cats["id"].gettext("Source: %(link)s") == "Asal berita: %(link)s"
    assert cats["id"].gettext("Photo: %(credit)s") == "Foto: %(credit)s"


def test_site_catalog_for_a_locale_the_theme_lacks(tmp_path: Path) -> None:
    write_po(tmp_path, "fr", {"Source: %(link)s": "Source : %(link)s"})
    cats = i18n.catalogs(make_settings(tmp_path, locales=["fr", "en"]))
    assert cats["fr"].gettext("Source: %(link)s") == "Source : %(link)s"
    assert cats["fr"].gettext("Photos") == "Photos"  # English msgid as the last resort


def test_locale_without_any_catalog_falls_back_to_english_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="presssite.i18n"):
        cats = i18n.catalogs(make_settings(tmp_path, locales=["de", "en"]))
    assert cats["de"].gettext("Source: %(link)s") == "Source: %(link)s"
    assert any("'de'" in r.getMessage() for r in caplog.records)


def test_malformed_site_catalog_names_file_and_line(tmp_path: Path) -> None:
    raw = 'msgid ""\nmsgstr ""\n\nmsgid "Photos"\nmsgstr "Foto\n\nthis is not po\n'
    path = write_po(tmp_path, "id", {}, raw=raw)
    with pytest.raises(PresssiteError) as info:
        i18n.catalogs(make_settings(tmp_path, locales=["id", "en"]))
    assert info.value.path == path
    assert info.value.line is not None
    assert str(path) in info.value.format()


REPO = Path(__file__).resolve().parent.parent
LOCALES = THEME / "locales"


def refreshed(tmp_path: Path) -> Path:
    """The theme's catalogs refreshed as ``make catalogs`` does (babel.cfg, the package
    folder, ``pybabel extract`` then ``update``), into a copy: the committed ones stay."""
    copy = tmp_path / "locales"
    shutil.copytree(LOCALES, copy)
    pybabel = [sys.executable, "-m", "babel.messages.frontend", "-q"]
    pot = copy / "messages.pot"
    extract = ["extract", "-F", "babel.cfg", "-o", str(pot), "src/presssite"]
    subprocess.run([*pybabel, *extract], cwd=REPO, check=True)
    subprocess.run([*pybabel, "update", "-i", str(pot), "-d", str(copy)], cwd=REPO, check=True)
    return copy


def messages(path: Path) -> dict[str, object]:
    """A catalog's live messages (obsolete ones left out): msgid -> translation."""
    with path.open("rb") as fh:
        catalog = read_po(fh)
    return {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalog if m.id}


def test_refreshing_the_catalogs_keeps_every_message_and_translation(tmp_path: Path) -> None:
    """A contributor who adds a UI string runs ``make catalogs``: every message the
    templates and the code show must come back from it with its translations, so none
    is only in the catalogs by hand (a msgid the code passes to ``gettext`` from a
    constant is marked with ``N_``), and the committed catalogs are the refreshed ones."""
    copy = refreshed(tmp_path)
    for path in sorted(LOCALES.rglob("*.po*")):
        before, after = messages(path), messages(copy / path.relative_to(LOCALES))
        assert sorted(set(before) - set(after)) == [], f"{path}: dropped by the refresh"
        assert sorted(set(after) - set(before)) == [], f"{path}: run make catalogs"
        changed = sorted(k for k in before if before[k] != after[k])
        assert changed == [], f"{path}: translations changed by the refresh"


@pytest.mark.parametrize("locale", ["id", "vi"])
def test_every_message_is_translated(locale: str) -> None:
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and (m.string if isinstance(m.string, str) else all(m.string))
    }
    missing = set(messages(LOCALES / "messages.pot")) - translated
    assert not missing, f"untranslated in {locale}: {sorted(missing)}"


# --------------------------------------------------------------------------- dates and names

MORNING = datetime(2025, 11, 6, 9, 30, tzinfo=JAKARTA)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("id", "6 November 2025"), ("en", "November 6, 2025"), ("vi", "6 tháng 11, 2025")],
    ids=["id", "en", "vi"],
)
def test_format_date_long(locale: str, expected: str) -> None:
    assert i18n.format_date(MORNING, locale, JAKARTA) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("id", "6 November 2025, 09.30 WIB"),
        ("en", "November 6, 2025, 9:30 AM WIB"),
        ("vi", "6 tháng 11, 2025, 09:30 WIB"),
    ],
    ids=["id", "en", "vi"],
)
def test_format_datetime(locale: str, expected: str) -> None:
    # CLDR puts a narrow no-break space before "AM" in English.
    assert i18n.format_datetime(MORNING, locale, JAKARTA).replace("\u202f", " ") == expected


def test_dates_are_shown_in_the_site_time_zone() -> None:
    late_utc = datetime(2025, 11, 5, 20, 0, tzinfo=ZoneInfo("UTC"))  # 03:00 next day in Jakarta
    assert i18n.format_date(late_utc, "id", JAKARTA) == "6 November 2025"
    assert i18n.format_datetime(late_utc, "id", JAKARTA) == "6 November 2025, 03.00 WIB"


def test_zone_without_a_name_is_shown_as_gmt_offset() -> None:
    saigon = ZoneInfo("Asia/Ho_Chi_Minh")
    text = i18n.format_datetime(datetime(2025, 11, 6, 9, 30, tzinfo=saigon), "vi", saigon)
    assert text == "6 tháng 11, 2025, 09:30 GMT+07:00"


def test_unknown_locale_is_formatted_in_english_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="presssite.i18n"):
        text = i18n.format_date(MORNING, "qaa", JAKARTA)
    assert text == "November 6, 2025"
    assert any("qaa" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("id", "Bahasa Indonesia"),
        ("en", "English"),
        ("vi", "Tiếng Việt"),
        ("fr", "Français"),
        ("pt-BR", "Português (Brasil)"),
        ("qab", "qab"),
    ],
    ids=["id", "en", "vi", "fr", "pt-BR", "unknown"],
)
def test_locale_name_in_itself(code: str, name: str) -> None:
    assert i18n.locale_name(code) == name


@pytest.mark.parametrize(
    ("code", "og"),
    [("id", "id_ID"), ("en", "en_US"), ("vi", "vi_VN"), ("pt-BR", "pt_BR"), ("qac", "en_US")],
    ids=["id", "en", "vi", "pt-BR", "unknown"],
)
def test_og_locale(code: str, og: str) -> None:
    assert i18n.og_locale(code) == og


# --------------------------------------------------------------------------- templates

_LABELS = (
    '{{ _("Photos") }}|{{ _("Photo: %(credit)s", credit=who) }}|{{ _("100%% sure") }}|'
    '{{ _("Photos") }}|{{ ngettext("%(num)d press release", "%(num)d press releases", n) }}|'
    "{% trans %}Close{% endtrans %}|{% trans who=who %}By {{ who }}{% endtrans %}|"
    '{% autoescape false %}{{ _("Photo: %(credit)s", credit=who) }}{% endautoescape %}|'
    '{% set gettext = shadow %}{{ _("Photos") }}'
)


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_installed_translations_give_what_jinja_gives(
    tmp_path: Path, locale: str, autoescape: bool
) -> None:
    import jinja2

    catalog = i18n.catalogs(make_settings(tmp_path, locales=["id", "en"]))[locale]
    envs = [
        jinja2.Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"]) for _ in range(2)
    ]
    envs[0].install_gettext_translations(catalog, newstyle=True)
    i18n.install_translations(envs[1], catalog)
    values = {"who": "Ani & <Budi>", "shadow": lambda s, **kw: f"[{s}]"}
    pages = [[env.from_string(_LABELS).render(n=n, **values) for n in (1, 2, 1)] for env in envs]

    assert pages[1] == pages[0]
    assert "&amp; &lt;Budi&gt;" in pages[1][0] or not autoescape
