"""Checking a settings table key by key: each key's value by type, unknown keys refused.

``Checker`` takes keys out of one TOML table and collects a ``SettingsError`` naming
``table.key`` for every bad or unknown one, so one run shows every problem (as MkDocs'
config does). The value checks return the typed value or raise ``Invalid``; none lets a
library's exception through (a ``base_url`` that ``urlsplit`` cannot read is ``Invalid``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from presssite import THEME_DIR
from presssite.errors import PresssiteError, SettingsError
from presssite.leftovers import unwanted_path

_LOCALE_RE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
# What no page or feed can hold: the C0 controls XML 1.0 forbids (tab, line feed and
# carriage return are fine), lone surrogates (UTF-8 cannot encode them), U+FFFE, U+FFFF.
_UNPUBLISHABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Invalid(Exception):
    """A value failed its check; the message says what was expected."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class Checker:
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
        except Invalid as exc:
            self.error(key, str(exc), exc.hint)
            return default

    def table(self, key: str, check: Callable[[Checker], Any], *, default: Any) -> Any:
        """Check a sub-table with its own checker, so its keys are named ``key.sub``."""
        self.seen.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        if not isinstance(value, Mapping):
            self.error(key, f"expected a table, got {type_name(value)}")
            return default
        sub = Checker(value, source=self.source, prefix=f"{self.prefix}{key}.")
        result = check(sub)
        sub.reject_unknown()
        self.errors.extend(sub.errors)
        return result

    def reject_unknown(self) -> None:
        for key in self.data:
            if key not in self.seen:
                known = ", ".join(sorted(self.seen))
                self.error(key, "unknown key", f"remove it or check its spelling (known: {known})")


def type_name(value: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def unpublishable(text: str) -> int | None:
    """The index of the first character no page or feed can hold, or None.

    A YAML or TOML escape (``"\\x1f"``), or a control character pasted from a word
    processor, would otherwise fail the build deep in the XML writer of the feeds.
    """
    found = _UNPUBLISHABLE.search(text)
    return found.start() if found is not None else None


def publishable(text: str) -> str:
    """``text`` itself, or ``Invalid`` naming its first unpublishable character."""
    at = unpublishable(text)
    if at is not None:
        raise Invalid(
            f"contains the control character U+{ord(text[at]):04X}, which no page can show",
            "remove it (it often comes with text pasted from a word processor)",
        )
    return text


def string(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"expected a non-empty string, got {type_name(value)}")
    return publishable(value.strip())


def int_range(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"expected an integer, got {type_name(value)}")
        if not low <= value <= high:
            raise Invalid(f"expected {low} to {high}, got {value}")
        return value

    return check


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {type_name(value)}")
    return value


def locale_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"expected an array of locale codes, got {type_name(value)}")
    if len(value) < 1:
        raise Invalid("expected at least one locale", 'e.g. locales = ["id", "en"]')
    bad = [v for v in value if not _LOCALE_RE.match(v)]
    if bad:
        raise Invalid(f"not a locale code: {', '.join(map(repr, bad))}", 'e.g. "id", "en", "vi"')
    if len(set(value)) != len(value):
        raise Invalid("a locale is listed twice")
    return tuple(value)


def localized(value: Any) -> dict[str, str]:
    if isinstance(value, str) and value.strip():
        return {"*": publishable(value.strip())}
    if (
        isinstance(value, Mapping)
        and value
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        return {k: publishable(v) for k, v in value.items()}
    raise Invalid(
        f"expected a string or a table of locale = string, got {type_name(value)}",
        'e.g. title = { id = "Portal Siaran Pers", en = "Press Release Portal" }',
    )


def base_url(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected a URL string, got {type_name(value)}")
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 (reading it checks it)
    except ValueError:  # "Invalid IPv6 URL", a port out of range
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise Invalid(
            f"not an absolute http(s) URL: {value!r}",
            'e.g. base_url = "https://user.github.io/portal/"',
        )
    path = parts.path or "/"
    if not path.endswith("/"):
        path += "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def hostname(value: Any) -> str:
    text = string(value)
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9-]+)+", text):
        raise Invalid(f"not a host name: {text!r}", 'e.g. cname = "press.example.org"')
    return text


def timezone(value: Any) -> str:
    text = string(value)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"unknown time zone {text!r}", 'an IANA name, e.g. "Asia/Jakarta"') from None
    return text


def static_file(root: Path) -> Callable[[Any], str]:
    """A check for a setting that names a file the site publishes, e.g. ``"static/logo.png"``.

    The path is site-relative, under ``static/``, and names a file of the site's
    ``static/`` folder or of the theme's: anything else would leave a broken URL in the
    pages, the structured data and the feeds.
    """

    def check(value: Any) -> str:
        written = string(value)
        rel = PurePosixPath(written.lstrip("/"))
        hint = f'put the file in {root / "static"} and write e.g. "static/logo.png"'
        if rel.parts[:1] != ("static",) or len(rel.parts) < 2 or ".." in rel.parts:
            raise Invalid(f"not a path under static/: {written!r}", hint)
        if unwanted_path(rel):
            raise Invalid(f"a hidden or temporary file is never published: {written!r}", hint)
        inner = PurePosixPath(*rel.parts[1:])
        if not any(
            (folder / inner).is_file() for folder in (root / "static", THEME_DIR / "static")
        ):
            raise Invalid(f"no such file: {written}", hint)
        return rel.as_posix()

    return check


EXECUTOR_PREFIXES = ("dask://", "tcp://", "tls://", "ucx://", "inproc://")


def executor(value: Any) -> str | None:
    text = string(value)
    if text == "local":
        return None
    if not text.startswith(EXECUTOR_PREFIXES) or text.rstrip("/").endswith("//"):
        raise Invalid(
            f"not an executor: {text!r}",
            'use "local" or a dask scheduler address, e.g. executor = "dask://10.0.0.5:8786"',
        )
    return text
