"""Localization: gettext catalogs for the theme's labels, and CLDR dates and names.

Catalogs are compiled from ``.po`` files at build time with Babel, so a site ships no
``.mo`` files and nobody runs ``msgfmt`` by hand: the theme's catalog of a locale is the
base, the site's own ``locales/<xx>/LC_MESSAGES/messages.po`` is layered over it (a site
string wins, a theme string fills every gap, and the English ``msgid`` is the last
resort). Dates, language names and Open Graph locales come from Babel's CLDR data; a
locale Babel does not know is formatted in English with a warning rather than aborting
a build.
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time
from babel.dates import get_timezone_gmt, get_timezone_name
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from presssite import THEME_DIR
from presssite.errors import PresssiteError
from presssite.settings import Settings

log = logging.getLogger(__name__)

THEME_LOCALES_DIR = THEME_DIR / "locales"
DOMAIN = "messages"
FALLBACK_LOCALE = "en"

# CLDR names Indonesian and Malay by the bare adjective ("Indonesia", "Melayu"); in a
# language switcher readers expect the name the language uses for itself in full.
_SELF_NAMES = {"id": "Bahasa Indonesia", "ms": "Bahasa Melayu"}


# --------------------------------------------------------------------------- catalogs


def catalogs(settings: Settings) -> dict[str, gettext.NullTranslations]:
    """One translations object per site locale: the site's catalog over the theme's.

    A locale with neither catalog gets the English ``msgid``s (and a warning, unless it
    is an English locale). A malformed site catalog is the user's to fix, so it raises a
    ``PresssiteError`` naming the file and line.
    """
    out: dict[str, gettext.NullTranslations] = {}
    for locale in settings.locales:
        theme = _find_po(THEME_LOCALES_DIR, locale)
        site = _find_po(settings.locales_dir, locale)
        layers = [compile_po(path) for path in (site, theme) if path is not None]
        if not layers:
            if _language(locale) != FALLBACK_LOCALE:
                log.warning(
                    "no message catalog for locale %r: theme labels are shown in English (add %s)",
                    locale,
                    settings.locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po",
                )
            out[locale] = gettext.NullTranslations()
            continue
        top = layers[0]
        for lower in layers[1:]:
            top.add_fallback(lower)
        out[locale] = top
    return out


def compile_po(path: Path) -> gettext.GNUTranslations:
    """Read a ``.po`` file and compile it in memory into a ``GNUTranslations``."""
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, abort_invalid=True)
    except PoFileError as exc:
        raise PresssiteError(
            f"malformed message catalog: {exc}",
            path=path,
            line=exc.lineno or None,
            hint="fix the .po syntax (msgid/msgstr pairs of quoted strings)",
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PresssiteError(
            f"cannot read message catalog: {exc}",
            path=path,
            hint="the file must be a UTF-8 gettext .po file",
        ) from None
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _find_po(base: Path, locale: str) -> Path | None:
    """``<base>/<xx>/LC_MESSAGES/messages.po`` for ``pt-BR``, then ``pt_BR``, then ``pt``."""
    for name in dict.fromkeys((locale, locale.replace("-", "_"), _language(locale))):
        path = base / name / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            return path
    return None


def _language(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0].lower()


# --------------------------------------------------------------------------- CLDR data


@cache
def _parse(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


@cache
def babel_locale(code: str) -> Locale:
    """Babel's ``Locale`` for a site locale code ("id", "pt-BR"), English if unknown.

    Cached so that a site with an unknown locale warns once, not once per date.
    """
    loc = _parse(code)
    if loc is None:
        log.warning("locale %r is unknown to Babel: dates are formatted in English", code)
        return Locale.parse(FALLBACK_LOCALE)
    return loc


def format_date(dt: datetime, locale: str, tz: tzinfo) -> str:
    """CLDR "long" date in the site's time zone: "6 November 2025", "November 6, 2025"."""
    return long_date(dt.astimezone(tz).date(), locale)


@lru_cache(maxsize=8192)
def long_date(day: date, locale: str) -> str:
    """CLDR "long" date of a day. Kept per day: a list page shows ten dates, and a
    site's releases share a few thousand days (Babel takes some 20 µs a date)."""
    return _babel_date(day, "long", locale=babel_locale(locale))


def format_datetime(dt: datetime, locale: str, tz: tzinfo) -> str:
    """Long date, short time and a zone readers recognise: "6 November 2025, 09.30 WIB".

    Date first then time is how datelines read in every supported language, so the
    parts are joined in that order rather than by CLDR's date-time pattern (which puts
    the time first in Vietnamese and drops the comma in Indonesian).
    """
    local = dt.astimezone(tz)
    loc = babel_locale(locale)
    time = _babel_time(local, "short", locale=loc)
    return f"{long_date(local.date(), locale)}, {time} {zone_name(local, loc)}"


def zone_name(dt: datetime, locale: Locale) -> str:
    """The zone's short name: CLDR's ("WIB"), else the tz database's ("CET"), else GMT+x."""
    for name in (get_timezone_name(dt, "short", locale=locale), dt.tzname() or ""):
        if name.isalpha():
            return name
    return get_timezone_gmt(dt, "long", locale=locale)


def locale_name(code: str) -> str:
    """The language's name in itself: "Bahasa Indonesia", "English", "Tiếng Việt".

    A code Babel does not know is shown as written.
    """
    if code in _SELF_NAMES:
        return _SELF_NAMES[code]
    loc = _parse(code)
    name = loc.get_display_name(loc) if loc is not None else None
    if not name:
        return code
    return name[:1].upper() + name[1:]


def og_locale(code: str) -> str:
    """Open Graph ``language_TERRITORY`` ("id" -> "id_ID", "en" -> "en_US") by likely subtags."""
    loc = _parse(code)
    if loc is None:
        return "en_US"
    if loc.territory:
        return f"{loc.language}_{loc.territory}"
    likely: Mapping[str, str] = get_global("likely_subtags")
    expanded = _parse(likely.get(str(loc)) or likely.get(loc.language) or "")
    if expanded is not None and expanded.territory:
        return f"{loc.language}_{expanded.territory}"
    return loc.language


# --------------------------------------------------------------------------- templates


def install_translations(env: Any, catalog: gettext.NullTranslations) -> None:
    """Install ``catalog`` in a Jinja environment, as ``install_gettext_translations(catalog,
    newstyle=True)`` does, with callables that give the same values faster.

    A page calls ``_()`` a dozen times. Jinja's newstyle callables go through
    ``Context.call`` three times per label (``_``, ``gettext``, the catalog) and format
    the translated label anew each time; these call the catalog directly and keep each
    label that has no variables once formatted (per catalog and autoescape mode), so a
    build of thousands of pages formats each label once. ``_`` still resolves
    ``gettext`` in the context at each call, so a template can shadow it as before.
    """
    env.install_gettext_translations(catalog, newstyle=True)
    gettext_, ngettext_ = _template_callables(catalog)
    env.globals.update(gettext=gettext_, ngettext=ngettext_, _=_gettext_alias())


@lru_cache(maxsize=16)  # a few catalogs per environment; the dev server makes new ones
def _template_callables(catalog: gettext.NullTranslations) -> tuple[Any, Any]:
    """Jinja's newstyle ``gettext`` and ``ngettext`` over ``catalog`` (see
    ``install_translations``)."""
    from jinja2 import pass_context
    from markupsafe import Markup

    labels: dict[tuple[str, bool], str] = {}
    translate, translate_n = catalog.gettext, catalog.ngettext

    @pass_context
    def gettext_(__context: Any, __string: str, **variables: Any) -> str:
        autoescape = bool(__context.eval_ctx.autoescape)
        if not variables:
            found = labels.get((__string, autoescape))
            if found is not None:
                return found
        rv = translate(__string)
        if autoescape:
            rv = Markup(rv)
        rv = rv % variables  # always a format string, as in Jinja: "%%" is "%"
        if not variables:
            labels[(__string, autoescape)] = rv
        return rv

    @pass_context
    def ngettext_(
        __context: Any, __singular: str, __plural: str, __num: int, **variables: Any
    ) -> str:
        variables.setdefault("num", __num)
        rv = translate_n(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    gettext_.presssite_direct = True  # type: ignore[attr-defined]
    return gettext_, ngettext_


@cache
def _gettext_alias() -> Any:
    """Jinja's ``_``: the context's ``gettext``, called directly when it is one of ours."""
    from jinja2 import pass_context

    @pass_context
    def alias(__context: Any, *args: Any, **kwargs: Any) -> Any:
        func = __context.resolve("gettext")
        if getattr(func, "presssite_direct", False):
            return func(__context, *args, **kwargs)
        return __context.call(func, *args, **kwargs)

    return alias
