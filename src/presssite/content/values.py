"""Checks of single front-matter values: each returns the typed value or raises ``Invalid``.

``frontmatter.fields()`` calls these and turns ``Invalid`` into an error naming the key
and its line. No check lets a library's exception through: a URL that ``urlsplit`` cannot
read (``https://b](javascript:x)a.vn/`` is an "Invalid IPv6 URL" to it) is ``Invalid``
like any other bad value.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import SplitResult, urlsplit
from zoneinfo import ZoneInfo

from presssite import keycheck

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE_HINT = "write e.g. 2025-11-06T09:30:00+07:00"
_URL_HINT = "e.g. https://example.org/news/1"


class Invalid(Exception):
    """A value failed its check; the message says what was expected, the hint what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def to_datetime(value: Any, timezone: str | None) -> datetime:
    """A timezone-aware instant from a YAML timestamp, date or ISO string.

    A value without an offset is read in ``timezone``; a plain date is midnight there.
    """
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        written = value.strip()
        try:
            result = datetime.fromisoformat(written)
        except ValueError:
            raise Invalid(f"not a date: {written!r}", DATE_HINT) from None
    else:
        raise Invalid(f"expected a date, got {kind(value)}", DATE_HINT)
    if result.tzinfo is None or result.utcoffset() is None:
        if timezone is None:
            raise Invalid(
                f"date has no timezone: {result.isoformat()}",
                "write the offset, e.g. 2025-11-06T09:30:00+07:00, "
                'or set timezone = "Asia/Jakarta" in presssite.toml',
            )
        result = result.replace(tzinfo=ZoneInfo(timezone))
    return result


def kind(value: Any) -> str:
    """What a value is, in a user's words, for "expected X, got Y" messages."""
    if value is None:
        return "no value"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def text_or_empty(value: Any) -> str:
    if not isinstance(value, str):
        hint = "put the value in quotes" if isinstance(value, int | float | date) else None
        raise Invalid(f"expected a string, got {kind(value)}", hint)
    try:
        return keycheck.publishable(value.strip())
    except keycheck.Invalid as exc:
        raise Invalid(str(exc), exc.hint) from None


def text(value: Any) -> str:
    found = text_or_empty(value)
    if not found:
        raise Invalid("expected a non-empty string")
    return found


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {kind(value)}")
    return value


def mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"expected a mapping, got {kind(value)}", "e.g. extra: {key: value}")
    return value


def email(value: Any) -> str:
    found = text(value)
    if not _EMAIL.match(found):
        raise Invalid(f"not an e-mail address: {found!r}", "e.g. press@example.org")
    return found


def phone(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise Invalid(
            "expected a string, got a number",
            'put the number in quotes, e.g. phone: "+62 21 555 1234"',
        )
    return text(value)


def http_url(value: Any) -> str:
    """An absolute http(s) URL, as written (stripped)."""
    found = text(value)
    parts = split_url(found)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"not an absolute http(s) URL: {found!r}", _URL_HINT)
    if any(c.isspace() or c in '<>"' for c in found):
        raise Invalid(f"a URL cannot contain spaces, <, > or quotes: {found!r}", _URL_HINT)
    return found


def split_url(url: str) -> SplitResult | None:
    """``urlsplit`` and the port it names, or None when either cannot be read.

    ``urlsplit`` raises ``ValueError`` for a bracket that is not an IPv6 address and
    ``.port`` for a port out of range; both are bad input, not a crash.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (reading it is the check)
        return parts
    except ValueError:
        return None
