"""Front matter: the YAML block between ``---`` lines at the top of a Markdown file.

Two steps, so that each error can name its line:

1. ``split()`` cuts the file into front matter and body and loads the YAML with
   PyYAML's *safe* loader (the C one when available: this is the hot path of a large
   site). The composer's node marks give the 1-based file line of every key, nested
   keys included, named ``photos[0].src``, ``source.url``, ``contact.email``
   (sequence indexes are 0-based, as in jq and JSON paths).
2. ``fields()`` checks and types every key. It collects all problems instead of
   stopping at the first, names the key of each, and rejects unknown keys with a
   "did you mean" hint: a misspelled ``embargo`` must never silently publish a release.

Dates without a UTC offset are read in ``settings.timezone``; with no timezone set
they are an error, because guessing the zone of an embargo is how releases leak.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from presssite.errors import ContentError
from presssite.model import Source
from presssite.settings import Contact, Settings

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE_HINT = "write e.g. 2025-11-06T09:30:00+07:00"
_CLOSING = re.compile(r"^---[^\S\n]*$", re.M)  # a line "---", trailing whitespace allowed
_PARENT = re.compile(r"(\.[^.\[\]]*|\[\d+\])$")  # "photos[1].src" -> "photos[1]" -> "photos"

KNOWN_KEYS = (
    "title",
    "date",
    "summary",
    "tags",
    "slug",
    "draft",
    "embargo",
    "updated",
    "expires",
    "contact",
    "source",
    "photos",
    "extra",
)
# Keys whose empty value (``tags:``) means "none". The others must have a value when
# present: an empty ``embargo:`` or ``draft:`` is more likely a mistake than a choice.
_NULLABLE = frozenset({"summary", "tags", "slug", "contact", "source", "photos", "extra"})
_CONTACT_KEYS = ("name", "email", "phone")
_SOURCE_KEYS = ("name", "url")
_PHOTO_KEYS = ("src", "caption", "credit", "decorative")


@dataclass(frozen=True)
class PhotoEntry:
    """One gallery entry as written; ``content`` resolves and checks ``src``."""

    src: str  # as written, stripped
    key: str  # "photos[0]", to name it in errors
    line: int | None  # line of the entry in the file
    src_line: int | None  # line of its src key (or of the entry when written as a string)
    caption: str = ""
    credit: str = ""
    decorative: bool = False


@dataclass(frozen=True)
class FrontMatter:
    """The typed front matter of one translation (see CONTENT-FORMAT.md)."""

    title: str
    date: datetime  # timezone-aware
    summary: str = ""
    tags: tuple[str, ...] = ()  # in order, duplicates dropped
    slug: str | None = None  # as written; ``content`` slugifies it
    draft: bool = False
    embargo: datetime | None = None
    updated: datetime | None = None
    expires: datetime | None = None
    contact: Contact | None = None
    source: Source | None = None
    photos: tuple[PhotoEntry, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)  # free data for custom templates


# --------------------------------------------------------------------------- splitting


def split(text: str, path: Path) -> tuple[dict[str, Any], dict[str, int], str, int]:
    """Cut ``text`` into (front matter, key -> line, body, 1-based line where the body starts).

    Raises ``ContentError`` naming the file and line when the block is missing, not
    closed, not valid YAML, or not a mapping of keys to values.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    # Lines end at "\n" only (after CRLF/CR are normalised), as markdown-it counts them.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_end = text.find("\n")
    if text[: first_end if first_end != -1 else None].rstrip() != "---":
        raise ContentError(
            "no front matter: the file must start with a line '---'",
            path=path,
            line=1,
            hint="start the file with ---, then title: and date:, then ---, then the body",
        )
    # The first later line that is "---" once stripped (found without splitting the body).
    found = _CLOSING.search(text, first_end + 1) if first_end != -1 else None
    if found is None:
        raise ContentError(
            "front matter is not closed",
            path=path,
            line=1,
            hint="end the front matter with a line '---' before the body",
        )
    source = text[first_end + 1 : found.start()] or "\n"
    body = text[found.end() + 1 :]
    close = text.count("\n", first_end + 1, found.start()) + 1  # the closing line's index
    body_line = close + 2
    offset = 2  # YAML line 0 is file line 2

    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        try:
            data = loader.construct_document(node) if node is not None else {}
        except (ValueError, TypeError, OverflowError) as exc:
            raise ContentError(
                f"invalid value: {exc}",
                path=path,
                line=_bad_timestamp_line(node, offset),
                hint=f"a date must be a real calendar date; {_DATE_HINT}",
            ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise ContentError(
            f"front matter is not valid YAML: {problem}",
            path=path,
            line=mark.line + offset if mark is not None else 1,
            hint=_yaml_hint(
                source.split("\n")[mark.line] if mark and mark.line + 1 < close else ""
            ),
        ) from None
    except yaml.YAMLError as exc:
        raise ContentError(f"front matter is not valid YAML: {exc}", path=path, line=1) from None
    finally:
        loader.dispose()

    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError(
            "front matter is not a mapping of keys to values",
            path=path,
            line=offset,
            hint="write one 'key: value' per line, e.g. title: ...",
        )
    key_lines: dict[str, int] = {}
    if node is not None:
        _record_lines(node, "", key_lines, offset, path)
    return data, key_lines, body, body_line


def _yaml_hint(source_line: str) -> str:
    if "\t" in source_line:
        return "indent with spaces, not tabs"
    return (
        "check the indentation, and quote values that contain ': ' "
        "or start with one of [ { * & ! | > ' \" % @"
    )


def _record_lines(node: Node, prefix: str, out: dict[str, int], offset: int, path: Path) -> None:
    """Record the line of every key below ``node``; refuse duplicate keys.

    YAML silently keeps the last of two equal keys; a duplicated ``embargo`` would
    then quietly override the first, so it is an error here.
    """
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            name = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            line = key_node.start_mark.line + offset
            if key_node.value in seen:
                raise ContentError(
                    f"duplicate key (first at line {seen[key_node.value]})",
                    path=path,
                    line=line,
                    key=name,
                    hint="keep one of them",
                )
            seen[key_node.value] = line
            out[name] = line
            _record_lines(value_node, name, out, offset, path)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            name = f"{prefix}[{index}]"
            out[name] = item.start_mark.line + offset
            _record_lines(item, name, out, offset, path)


def _bad_timestamp_line(node: Node | None, offset: int) -> int:
    """The line of the first timestamp the constructor refuses (e.g. month 13)."""
    constructor = yaml.constructor.SafeConstructor()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop(0)
        if isinstance(current, ScalarNode) and current.tag == _TIMESTAMP_TAG:
            try:
                constructor.construct_yaml_timestamp(current)
            except (ValueError, TypeError, OverflowError):
                return current.start_mark.line + offset
        elif isinstance(current, MappingNode):
            stack.extend(v for pair in current.value for v in pair)
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)
    return offset


# --------------------------------------------------------------------------- typing


class _Invalid(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def fields(
    meta: Mapping[str, Any], lines: Mapping[str, int], *, path: Path, settings: Settings
) -> tuple[FrontMatter | None, list[ContentError]]:
    """Check and type the front matter; ``None`` when a required key is unusable.

    Every problem is returned, each naming its key and line, so one run shows them all.
    """
    f = _Fields(meta, lines, path, settings)
    for key in meta:
        if key not in KNOWN_KEYS:
            f.unknown(str(key), KNOWN_KEYS, "")
    title = f.take("title", _text, required=True)
    when = f.take("date", f.datetime, required=True)
    result = FrontMatter(
        title=title or "",
        date=when or datetime.min,
        summary=f.take("summary", _text_or_empty) or "",
        tags=f.take("tags", f.tags) or (),
        slug=f.take("slug", _text),
        draft=bool(f.take("draft", _bool)),
        embargo=f.take("embargo", f.datetime),
        updated=f.take("updated", f.datetime),
        expires=f.take("expires", f.datetime),
        contact=f.take("contact", f.contact),
        source=f.take("source", f.source),
        photos=f.take("photos", f.photos) or (),
        extra=f.take("extra", _mapping) or {},
    )
    if title is None or when is None:
        return None, f.errors
    return result, f.errors


class _Fields:
    """Takes keys out of one front matter, collecting one error per bad key."""

    def __init__(
        self, meta: Mapping[str, Any], lines: Mapping[str, int], path: Path, settings: Settings
    ) -> None:
        self.meta = meta
        self.lines = lines
        self.path = path
        self.settings = settings
        self.errors: list[ContentError] = []

    def line(self, key: str) -> int:
        """The key's line, else its nearest parent's (``photos[1].src`` -> ``photos[1]``).

        A key that is missing altogether points at the opening ``---`` (line 1).
        """
        while key not in self.lines:
            parent = _PARENT.sub("", key)
            if parent == key or not parent:
                return 1
            key = parent
        return self.lines[key]

    def error(self, key: str, message: str, hint: str | None = None) -> None:
        self.errors.append(
            ContentError(message, path=self.path, line=self.line(key), key=key, hint=hint)
        )

    def unknown(self, key: str, known: tuple[str, ...], prefix: str) -> None:
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if key == "alt" and "caption" in known:
            hint = "use caption: it is the photo's text alternative"
        elif close:
            hint = f"did you mean {close[0]!r}?"
        else:
            hint = f"remove it, or put custom data under extra: (known keys: {', '.join(known)})"
        self.error(prefix + key, "unknown key", hint)

    def take(self, key: str, check: Callable[[Any], Any], *, required: bool = False) -> Any:
        if key not in self.meta:
            if required:
                self.error(key, "required key is missing", f"add {key}: ... to the front matter")
            return None
        value = self.meta[key]
        if value is None and (required or key not in _NULLABLE):
            self.error(key, "has no value", "give it a value or remove the line")
            return None
        if value is None:
            return None
        return self.checked(key, value, check)

    def checked(self, key: str, value: Any, check: Callable[[Any], Any]) -> Any:
        try:
            return check(value)
        except _Invalid as exc:
            self.error(key, str(exc), exc.hint)
            return None

    # Checks that need settings or report nested keys themselves.

    def datetime(self, value: Any) -> datetime:
        return to_datetime(value, self.settings.timezone)

    def tags(self, value: Any) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise _Invalid(f"expected a list of tags, got {_kind(value)}", "e.g. tags: [a, b]")
        out: list[str] = []
        for index, item in enumerate(items):
            tag = self.checked(f"tags[{index}]", item, _text)
            if tag is not None and tag not in out:
                out.append(tag)
        return tuple(out)

    def _table(self, value: Any, key: str, known: tuple[str, ...], example: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _Invalid(f"expected a mapping, got {_kind(value)}", example)
        for sub in value:
            if sub not in known:
                self.unknown(str(sub), known, f"{key}.")
        return value

    def contact(self, value: Any) -> Contact | None:
        table = self._table(
            value, "contact", _CONTACT_KEYS, "e.g. contact: {name: ..., email: ...}"
        )
        if table.get("name") is None:
            self.error("contact", "contact has no name", "add name: under contact:")
        name = self.optional(table, "contact.name", _text)
        email = self.optional(table, "contact.email", _email)
        phone = self.optional(table, "contact.phone", _phone)
        return Contact(name=name, email=email, phone=phone) if name else None

    def source(self, value: Any) -> Source | None:
        if isinstance(value, str):
            value = {"url": value}
        table = self._table(
            value, "source", _SOURCE_KEYS, "e.g. source: {name: ..., url: https://...}"
        )
        if "url" not in table:
            self.error("source", "source has no url", "add url: https://... under source:")
            return None
        url = self.checked("source.url", table["url"], _http_url)
        name = self.optional(table, "source.name", _text)
        if url is None:
            return None
        return Source(name=name or (urlsplit(url).hostname or url), url=url)

    def photos(self, value: Any) -> tuple[PhotoEntry, ...]:
        if not isinstance(value, list):
            raise _Invalid(
                f"expected a list of photos, got {_kind(value)}",
                "e.g. photos: [{src: photos/01.jpg}]",
            )
        out: list[PhotoEntry] = []
        for index, item in enumerate(value):
            key = f"photos[{index}]"
            if isinstance(item, str):
                item = {"src": item}
                src_line = self.line(key)
            else:
                src_line = self.line(f"{key}.src")
            if not isinstance(item, dict):
                self.error(key, f"expected a mapping with src:, got {_kind(item)}")
                continue
            for sub in item:
                if sub not in _PHOTO_KEYS:
                    self.unknown(str(sub), _PHOTO_KEYS, f"{key}.")
            if item.get("src") is None:
                self.error(key, "photo has no src", "add src: photos/01.jpg")
                continue
            src = self.checked(f"{key}.src", item["src"], _text)
            caption = self.optional(item, f"{key}.caption", _text_or_empty)
            credit = self.optional(item, f"{key}.credit", _text_or_empty)
            decorative = self.optional(item, f"{key}.decorative", _bool)
            if src is None:
                continue
            out.append(
                PhotoEntry(
                    src=src,
                    key=key,
                    line=self.line(key),
                    src_line=src_line,
                    caption=caption or "",
                    credit=credit or "",
                    decorative=bool(decorative),
                )
            )
        return tuple(out)

    def optional(self, table: Mapping[str, Any], key: str, check: Callable[[Any], Any]) -> Any:
        name = key.rsplit(".", 1)[1]
        if table.get(name) is None:
            return None
        return self.checked(key, table[name], check)


# --------------------------------------------------------------------------- values


def to_datetime(value: Any, timezone: str | None) -> datetime:
    """A timezone-aware instant from a YAML timestamp, date or ISO string.

    A value without an offset is read in ``timezone``; a plain date is midnight there.
    """
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        try:
            result = datetime.fromisoformat(text)
        except ValueError:
            raise _Invalid(f"not a date: {text!r}", _DATE_HINT) from None
    else:
        raise _Invalid(f"expected a date, got {_kind(value)}", _DATE_HINT)
    if result.tzinfo is None or result.utcoffset() is None:
        if timezone is None:
            raise _Invalid(
                f"date has no timezone: {result.isoformat()}",
                "write the offset, e.g. 2025-11-06T09:30:00+07:00, "
                'or set timezone = "Asia/Jakarta" in presssite.toml',
            )
        result = result.replace(tzinfo=ZoneInfo(timezone))
    return result


def _kind(value: Any) -> str:
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


def _text_or_empty(value: Any) -> str:
    if not isinstance(value, str):
        hint = "put the value in quotes" if isinstance(value, int | float | date) else None
        raise _Invalid(f"expected a string, got {_kind(value)}", hint)
    return value.strip()


def _text(value: Any) -> str:
    text = _text_or_empty(value)
    if not text:
        raise _Invalid("expected a non-empty string")
    return text


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {_kind(value)}")
    return value


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"expected a mapping, got {_kind(value)}", "e.g. extra: {key: value}")
    return value


def _email(value: Any) -> str:
    text = _text(value)
    if not _EMAIL.match(text):
        raise _Invalid(f"not an e-mail address: {text!r}", "e.g. press@example.org")
    return text


def _phone(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise _Invalid(
            "expected a string, got a number",
            'put the number in quotes, e.g. phone: "+62 21 555 1234"',
        )
    return _text(value)


def _http_url(value: Any) -> str:
    text = _text(value)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _Invalid(f"not an absolute http(s) URL: {text!r}", "e.g. https://example.org/news/1")
    return text
