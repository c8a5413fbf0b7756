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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from presssite.errors import PresssiteError, SettingsError, raise_all

SETTINGS_FILE = "presssite.toml"
PYPROJECT_FILE = "pyproject.toml"
IMAGE_FORMATS = ("webp", "jpeg", "avif", "png")
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


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

    logo: str | None = None  # under static/, e.g. "logo.png"; shown in the page header
    brand_color: str | None = None  # "#7a1f1f": the accent the theme's CSS derives from
    footer_links: Mapping[str, tuple[FooterLink, ...]] = field(default_factory=dict)  # locale
    favicon: str | None = None  # under static/, e.g. "favicon.ico"


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
        return parse(table, root=root, source=path, prefix="tool.presssite.")
    return parse(data, root=root, source=path)


def parse(data: Mapping[str, Any], *, root: Path, source: Path, prefix: str = "") -> Settings:
    """Check a settings table and build ``Settings``; raise every problem at once."""
    checker = _Checker(data, source=source, prefix=prefix)
    locales = checker.take("locales", _locale_list, required=True)
    default_locale = checker.take("default_locale", _string, required=True)
    base_url = checker.take("base_url", _base_url, required=True)
    if locales and default_locale and default_locale not in locales:
        checker.error(
            "default_locale",
            f"{default_locale!r} is not one of locales {list(locales)}",
            "add it to locales or pick one of them",
        )
    title = checker.take("title", _localized, default=None)
    timezone = checker.take("timezone", _timezone, default=None)
    page_size = checker.take("page_size", _int_range(1, 1000), default=10)
    cname = checker.take("cname", _hostname, default=None)
    cache_dir = checker.take("cache_dir", _string, default=".presssite-cache")
    feed_size = checker.take("feed_size", _int_range(1, 10000), default=20)
    publisher = checker.table("publisher", _publisher, default=None)
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
    theme = _theme_defaults(theme or Theme(), root, publisher)
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
        theme=theme,
    )


# --------------------------------------------------------------------------- checking


class _Invalid(Exception):
    """A value failed its check; the message says what was expected."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class _Checker:
    """Takes keys out of one table, collecting an error for each bad or unknown key."""

    def __init__(self, data: Mapping[str, Any], *, source: Path, prefix: str) -> None:
        if not isinstance(data, Mapping):
            raise SettingsError("expected a table", path=source, key=prefix.rstrip(".") or None)
        self.data = data
        self.source = source
        self.prefix = prefix
        self.seen: set[str] = set()
        self.errors: list[PresssiteError] = []

    def error(self, key: str, message: str, hint: str | None = None) -> None:
        self.errors.append(
            SettingsError(message, path=self.source, key=self.prefix + key, hint=hint)
        )

    def take(
        self,
        key: str,
        check: Callable[[Any], Any],
        *,
        required: bool = False,
        default: Any = None,
    ) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if required:
                self.error(key, "required key is missing", f"add {key} = ... to the settings")
            return default
        try:
            return check(self.data[key])
        except _Invalid as exc:
            self.error(key, str(exc), exc.hint)
            return default

    def table(self, key: str, check: Callable[[_Checker], Any], *, default: Any) -> Any:
        """Check a sub-table with its own checker, so its keys are named ``key.sub``."""
        self.seen.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        if not isinstance(value, Mapping):
            self.error(key, f"expected a table, got {_type_name(value)}")
            return default
        sub = _Checker(value, source=self.source, prefix=f"{self.prefix}{key}.")
        result = check(sub)
        sub.reject_unknown()
        self.errors.extend(sub.errors)
        return result

    def reject_unknown(self) -> None:
        for key in self.data:
            if key not in self.seen:
                known = ", ".join(sorted(self.seen))
                self.error(key, "unknown key", f"remove it or check its spelling (known: {known})")


def _type_name(value: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _string(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"expected a non-empty string, got {_type_name(value)}")
    return value.strip()


def _int_range(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(f"expected an integer, got {_type_name(value)}")
        if not low <= value <= high:
            raise _Invalid(f"expected {low} to {high}, got {value}")
        return value

    return check


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {_type_name(value)}")
    return value


def _locale_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"expected an array of locale codes, got {_type_name(value)}")
    if len(value) < 1:
        raise _Invalid("expected at least one locale", 'e.g. locales = ["id", "en"]')
    bad = [v for v in value if not _LOCALE_RE.match(v)]
    if bad:
        raise _Invalid(f"not a locale code: {', '.join(map(repr, bad))}", 'e.g. "id", "en", "vi"')
    if len(set(value)) != len(value):
        raise _Invalid("a locale is listed twice")
    return tuple(value)


def _localized(value: Any) -> dict[str, str]:
    if isinstance(value, str) and value.strip():
        return {"*": value.strip()}
    if (
        isinstance(value, Mapping)
        and value
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        return dict(value)
    raise _Invalid(
        f"expected a string or a table of locale = string, got {_type_name(value)}",
        'e.g. title = { id = "Portal Siaran Pers", en = "Press Release Portal" }',
    )


def _base_url(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected a URL string, got {_type_name(value)}")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise _Invalid(
            f"not an absolute http(s) URL: {value!r}",
            'e.g. base_url = "https://user.github.io/portal/"',
        )
    path = parts.path or "/"
    if not path.endswith("/"):
        path += "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def _hostname(value: Any) -> str:
    text = _string(value)
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9-]+)+", text):
        raise _Invalid(f"not a host name: {text!r}", 'e.g. cname = "press.example.org"')
    return text


def _timezone(value: Any) -> str:
    text = _string(value)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Invalid(f"unknown time zone {text!r}", 'an IANA name, e.g. "Asia/Jakarta"') from None
    return text


def _publisher(checker: _Checker) -> Publisher:
    name = checker.take("name", _localized, required=True, default={})
    logo = checker.take("logo", _string, default=None)
    return Publisher(name=name or {}, logo=logo)


def _contact(checker: _Checker) -> Contact:
    name = checker.take("name", _string, required=True, default="")
    email = checker.take("email", _string, default=None)
    phone = checker.take("phone", _string, default=None)
    return Contact(name=name, email=email, phone=phone)


def _markdown(checker: _Checker) -> dict[str, Any]:
    return {"unsafe_html": checker.take("unsafe_html", _bool, default=False)}


def _images(checker: _Checker) -> ImageSettings:
    defaults = ImageSettings()

    def widths(value: Any) -> tuple[int, ...]:
        check = _int_range(16, 10000)
        if not isinstance(value, list) or not value:
            raise _Invalid(f"expected a non-empty array of widths, got {_type_name(value)}")
        return tuple(sorted({check(v) for v in value}))

    def formats(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise _Invalid(f"expected a non-empty array of formats, got {_type_name(value)}")
        out = []
        for v in value:
            name = str(v).lower()
            name = "jpeg" if name == "jpg" else name
            if name not in IMAGE_FORMATS:
                raise _Invalid(f"unknown image format {v!r}", f"use {', '.join(IMAGE_FORMATS)}")
            if name not in out:
                out.append(name)
        return tuple(out)

    return ImageSettings(
        widths=checker.take("widths", widths, default=defaults.widths),
        formats=checker.take("formats", formats, default=defaults.formats),
        quality=checker.take("quality", _int_range(1, 100), default=defaults.quality),
        max_pixels=checker.take(
            "max_pixels", _int_range(1, 2_000_000_000), default=defaults.max_pixels
        ),
        executor=checker.take("executor", _executor, default=None),
        download_max=checker.take("download_max", _int_range(16, 100_000), default=None),
    )


def _static_file(root: Path) -> Callable[[Any], str]:
    """A file under the site's static/ folder, as "logo.png" ("static/logo.png" accepted)."""

    def check(value: Any) -> str:
        text = _string(value).lstrip("/")
        name = text.removeprefix("static/")
        if ".." in Path(name).parts or not (root / "static" / name).is_file():
            raise _Invalid(f"no file static/{name} in the site", "put the file in static/")
        return name

    return check


def _theme(checker: _Checker, *, root: Path) -> Theme:
    def color(value: Any) -> str:
        text = _string(value)
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", text):
            raise _Invalid(
                f"not a colour: {text!r}", 'six hex digits, e.g. brand_color = "#7a1f1f"'
            )
        return text.lower()

    def links(value: Any) -> dict[str, tuple[FooterLink, ...]]:
        hint = 'e.g. footer_links = { en = [{ text = "Contact", url = "/en/contact/" }] }'
        if not isinstance(value, Mapping):
            raise _Invalid(f"expected a table of locale = array, got {_type_name(value)}", hint)
        out = {}
        for locale, items in value.items():
            if not isinstance(items, list) or not all(
                isinstance(i, Mapping)
                and set(i) == {"text", "url"}
                and all(isinstance(v, str) and v.strip() for v in i.values())
                for i in items
            ):
                raise _Invalid(f"{locale}: expected an array of {{ text, url }} tables", hint)
            out[locale] = tuple(FooterLink(i["text"].strip(), i["url"].strip()) for i in items)
        return out

    return Theme(
        logo=checker.take("logo", _static_file(root), default=None),
        brand_color=checker.take("brand_color", color, default=None),
        footer_links=checker.take("footer_links", links, default={}),
        favicon=checker.take("favicon", _static_file(root), default=None),
    )


def _theme_defaults(theme: Theme, root: Path, publisher: Publisher) -> Theme:
    """The logo defaults to ``[publisher] logo`` when it is under static/, the favicon to
    static/favicon.ico when there is one."""
    logo, favicon = theme.logo, theme.favicon
    if logo is None and publisher.logo and publisher.logo.lstrip("/").startswith("static/"):
        name = publisher.logo.lstrip("/").removeprefix("static/")
        logo = name if (root / "static" / name).is_file() else None
    if favicon is None and (root / "static" / "favicon.ico").is_file():
        favicon = "favicon.ico"
    return dataclasses.replace(theme, logo=logo, favicon=favicon)


EXECUTOR_PREFIXES = ("dask://", "tcp://", "tls://", "ucx://", "inproc://")


def _executor(value: Any) -> str | None:
    text = _string(value)
    if text == "local":
        return None
    if not text.startswith(EXECUTOR_PREFIXES) or text.rstrip("/").endswith("//"):
        raise _Invalid(
            f"not an executor: {text!r}",
            'use "local" or a dask scheduler address, e.g. executor = "dask://10.0.0.5:8786"',
        )
    return text
