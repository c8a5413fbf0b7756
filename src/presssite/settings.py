"""Site settings: ``presssite.toml`` or ``[tool.presssite]`` in ``pyproject.toml``.

The file is read with ``tomllib`` into one frozen ``Settings``. Every key is checked
(type, range, consistency), unknown keys are rejected, and all problems are raised
together as one ``ErrorList`` of ``SettingsError``s naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from presssite import keycheck
from presssite.errors import SettingsError, processing, raise_all

SETTINGS_FILE = "presssite.toml"
PYPROJECT_FILE = "pyproject.toml"
IMAGE_FORMATS = ("webp", "jpeg", "avif", "png")


@dataclass(frozen=True)
class Publisher:
    """Who publishes the site: named in feeds, Open Graph and NewsArticle data."""

    name: Mapping[str, str]  # locale -> publisher name
    logo: str | None = None  # site-relative path of the logo image, e.g. "static/logo.png"


@dataclass(frozen=True)
class Contact:
    """A press officer shown under releases (site default; front matter overrides)."""

    name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class ImageSettings:
    """How photos become responsive thumbnails."""

    # srcset widths, ascending: they cover the theme's layout (its `sizes`) on phones at
    # 1.75x and 2x and on desktops at 1x and 2x
    widths: tuple[int, ...] = (360, 480, 720, 960, 1280, 1600)
    formats: tuple[str, ...] = ("webp", "jpeg")  # first is preferred in <picture>
    quality: int = 82  # encoder quality, 1-100
    max_pixels: int = 100_000_000  # larger photos are refused (decompression bombs)
    # where thumbnails are made: None (this machine's cores) or a dask scheduler,
    # "dask://HOST:PORT" (see executors.py; needs the presssite[dask] extra)
    executor: str | None = None
    # the long edge of a full-size download at most (None: the photo's own size)
    download_max: int | None = None


@dataclass(frozen=True)
class FooterLink:
    """A link of the page footer (contact, privacy, an accessibility statement)."""

    text: str
    url: str


@dataclass(frozen=True)
class Theme:
    """The portal's own name, logo and colours over the built-in theme (``[theme]``)."""

    logo: str | None = None  # e.g. "static/logo.png"; shown in the page header
    brand_color: str | None = None  # "#7a1f1f": the accent the theme's CSS derives from
    footer_links: Mapping[str, tuple[FooterLink, ...]] = field(default_factory=dict)  # locale
    favicon: str | None = None  # e.g. "static/favicon.ico"


@dataclass(frozen=True)
class Settings:
    """Everything a build needs to know about the site, checked and typed."""

    root: Path  # the site folder
    source: Path  # the file the settings came from (for error messages)
    base_url: str  # absolute, ends with "/", e.g. "https://example.org/portal/"
    default_locale: str  # one of locales
    locales: tuple[str, ...]  # two or more; order is the switcher's order
    title: Mapping[str, str]  # locale -> site title
    timezone: str | None = None  # IANA name; dates without an offset are read in it
    page_size: int = 10  # releases per list page
    cname: str | None = None  # custom domain for GitHub Pages
    cache_dir: Path = Path(".presssite-cache")  # absolute after loading
    feed_size: int = 20  # entries in each Atom feed
    publisher: Publisher = field(default_factory=lambda: Publisher(name={}))
    contact: Contact | None = None  # default press officer for every release
    unsafe_html: bool = False  # raw HTML in Markdown passes through when true
    images: ImageSettings = field(default_factory=ImageSettings)
    theme: Theme = field(default_factory=Theme)

    @functools.cached_property
    def base_path(self) -> str:
        """The URL path the site lives under, "/" or e.g. "/portal/".

        Kept once computed (the settings are frozen): every URL of every page uses it.
        """
        return urlsplit(self.base_url).path or "/"

    @property
    def tz(self) -> ZoneInfo:
        """The site's time zone (UTC when none is set): dates are shown in it."""
        return ZoneInfo(self.timezone or "UTC")

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    @property
    def locales_dir(self) -> Path:
        """The site's own gettext catalogs: ``locales/<xx>/LC_MESSAGES/messages.po``."""
        return self.root / "locales"

    def localized(self, value: Mapping[str, str], locale: str) -> str:
        """A per-locale setting's value in ``locale``, else the default locale's, else any."""
        return value.get(locale) or value.get(self.default_locale) or next(iter(value.values()), "")


def find_settings_file(root: Path) -> Path:
    """The settings file of the site in ``root``: presssite.toml, else pyproject.toml."""
    own = root / SETTINGS_FILE
    if own.is_file():
        return own
    pyproject = root / PYPROJECT_FILE
    if pyproject.is_file():
        return pyproject
    raise SettingsError(
        f"no {SETTINGS_FILE} in {root}",
        path=own,
        hint=f"run presssite in a site folder, pass --site DIR, or create {SETTINGS_FILE} "
        "(presssite init DIR makes a new site)",
    )


def load(root: Path) -> Settings:
    """Read and check the settings of the site in ``root``."""
    root = root.resolve()
    path = find_settings_file(root)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError has no lineno attribute: read it from the message.
        found = re.search(r"at line (\d+)", str(exc))
        line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise SettingsError(
            f"not valid TOML: {message}", path=path, line=line, hint="fix the TOML syntax"
        ) from None
    except OSError as exc:
        raise SettingsError(f"cannot read: {exc.strerror}", path=path) from None
    if path.name == PYPROJECT_FILE:
        table = data.get("tool", {}).get("presssite")
        if table is None:
            raise SettingsError(
                f"no {SETTINGS_FILE} and no [tool.presssite] table",
                path=path,
                hint=f"add a [tool.presssite] table or a {SETTINGS_FILE}",
            )
        with processing(path):
            return parse(table, root=root, source=path, prefix="tool.presssite.")
    with processing(path):
        return parse(data, root=root, source=path)


def parse(data: Mapping[str, Any], *, root: Path, source: Path, prefix: str = "") -> Settings:
    """Check a settings table and build ``Settings``; raise every problem at once."""
    checker = keycheck.Checker(data, source=source, prefix=prefix)
    locales = checker.take("locales", keycheck.locale_list, required=True)
    default_locale = checker.take("default_locale", keycheck.string, required=True)
    base_url = checker.take("base_url", keycheck.base_url, required=True)
    if locales and default_locale and default_locale not in locales:
        checker.error(
            "default_locale",
            f"{default_locale!r} is not one of locales {list(locales)}",
            "add it to locales or pick one of them",
        )
    title = checker.take("title", keycheck.localized, default=None)
    timezone = checker.take("timezone", keycheck.timezone, default=None)
    page_size = checker.take("page_size", keycheck.int_range(1, 1000), default=10)
    cname = checker.take("cname", keycheck.hostname, default=None)
    cache_dir = checker.take("cache_dir", keycheck.string, default=".presssite-cache")
    feed_size = checker.take("feed_size", keycheck.int_range(1, 10000), default=20)
    publisher = checker.table("publisher", lambda sub: _publisher(sub, root), default=None)
    contact = checker.table("contact", _contact, default=None)
    markdown = checker.table("markdown", _markdown, default={})
    images = checker.table("images", _images, default=ImageSettings())
    theme = checker.table("theme", functools.partial(_theme, root=root), default=None)
    checker.reject_unknown()
    raise_all(checker.errors)

    locales_t = tuple(locales)
    if title is None:
        title = {loc: root.name for loc in locales_t}
    if publisher is None:
        publisher = Publisher(name=dict(title))
    elif not publisher.name:  # [publisher] without a name: the title, as documented
        publisher = Publisher(name=dict(title), logo=publisher.logo)
    return Settings(
        root=root,
        source=source,
        base_url=base_url,
        default_locale=default_locale,
        locales=locales_t,
        title=title,
        timezone=timezone,
        page_size=page_size,
        cname=cname,
        cache_dir=(root / cache_dir).resolve(),
        feed_size=feed_size,
        publisher=publisher,
        contact=contact,
        unsafe_html=markdown.get("unsafe_html", False),
        images=images,
        theme=_theme_defaults(theme or Theme(), root, publisher),
    )


# --------------------------------------------------------------------------- tables


def _publisher(checker: keycheck.Checker, root: Path) -> Publisher:
    """``name`` defaults to the site's title (filled in by ``parse``, which knows it)."""
    name = checker.take("name", keycheck.localized, default={})
    logo = checker.take("logo", keycheck.static_file(root), default=None)
    return Publisher(name=name or {}, logo=logo)


def _contact(checker: keycheck.Checker) -> Contact:
    name = checker.take("name", keycheck.string, required=True, default="")
    email = checker.take("email", keycheck.string, default=None)
    phone = checker.take("phone", keycheck.string, default=None)
    return Contact(name=name, email=email, phone=phone)


def _markdown(checker: keycheck.Checker) -> dict[str, Any]:
    return {"unsafe_html": checker.take("unsafe_html", keycheck.boolean, default=False)}


def _images(checker: keycheck.Checker) -> ImageSettings:
    defaults = ImageSettings()

    def widths(value: Any) -> tuple[int, ...]:
        check = keycheck.int_range(16, 10000)
        if not isinstance(value, list) or not value:
            raise keycheck.Invalid(
                f"expected a non-empty array of widths, got {keycheck.type_name(value)}"
            )
        return tuple(sorted({check(v) for v in value}))

    def formats(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise keycheck.Invalid(
                f"expected a non-empty array of formats, got {keycheck.type_name(value)}"
            )
        out = []
        for v in value:
            name = str(v).lower()
            name = "jpeg" if name == "jpg" else name
            if name not in IMAGE_FORMATS:
                raise keycheck.Invalid(
                    f"unknown image format {v!r}", f"use {', '.join(IMAGE_FORMATS)}"
                )
            if name not in out:
                out.append(name)
        return tuple(out)

    return ImageSettings(
        widths=checker.take("widths", widths, default=defaults.widths),
        formats=checker.take("formats", formats, default=defaults.formats),
        quality=checker.take("quality", keycheck.int_range(1, 100), default=defaults.quality),
        max_pixels=checker.take(
            "max_pixels", keycheck.int_range(1, 2_000_000_000), default=defaults.max_pixels
        ),
        executor=checker.take("executor", keycheck.executor, default=None),
        download_max=checker.take("download_max", keycheck.int_range(16, 100_000), default=None),
    )


def _theme(checker: keycheck.Checker, *, root: Path) -> Theme:
    def color(value: Any) -> str:
        text = keycheck.string(value)
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", text):
            hint = 'six hex digits, e.g. brand_color = "#7a1f1f"'
            raise keycheck.Invalid(f"not a colour: {text!r}", hint)
        return text.lower()

    def links(value: Any) -> dict[str, tuple[FooterLink, ...]]:
        hint = 'e.g. footer_links = { en = [{ text = "Contact", url = "/en/contact/" }] }'
        if not isinstance(value, Mapping):
            got = keycheck.type_name(value)
            raise keycheck.Invalid(f"expected a table of locale = array, got {got}", hint)
        out = {}
        for locale, items in value.items():
            if not isinstance(items, list) or not all(
                isinstance(i, Mapping)
                and set(i) == {"text", "url"}
                and all(isinstance(v, str) and v.strip() for v in i.values())
                for i in items
            ):
                raise keycheck.Invalid(
                    f"{locale}: expected an array of {{ text, url }} tables", hint
                )
            out[locale] = tuple(FooterLink(i["text"].strip(), i["url"].strip()) for i in items)
        return out

    return Theme(
        logo=checker.take("logo", keycheck.static_file(root), default=None),
        brand_color=checker.take("brand_color", color, default=None),
        footer_links=checker.take("footer_links", links, default={}),
        favicon=checker.take("favicon", keycheck.static_file(root), default=None),
    )


def _theme_defaults(theme: Theme, root: Path, publisher: Publisher) -> Theme:
    """The logo defaults to ``[publisher] logo``, the favicon to static/favicon.ico when
    the site has one."""
    logo, favicon = theme.logo or publisher.logo, theme.favicon
    if favicon is None and (root / "static" / "favicon.ico").is_file():
        favicon = "static/favicon.ico"
    return dataclasses.replace(theme, logo=logo, favicon=favicon)
