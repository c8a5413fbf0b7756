"""Front matter: the YAML block between ``---`` lines at the top of a Markdown file.

Two steps, so that each error can name its line:

1. ``split()`` (in ``yamlblock``) cuts the file into front matter and body, refuses a
   hostile block and loads the YAML keeping the line of every key.
2. ``fields()`` checks and types every key (each value by ``values``). It collects all
   problems instead of stopping at the first, names the key of each, and rejects unknown
   keys with a "did you mean" hint: a misspelled ``embargo`` must never silently publish a release.

Dates without a UTC offset are read in ``settings.timezone``; with no timezone set
they are an error, because guessing the zone of an embargo is how releases leak.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from presssite.content.values import (
    Invalid,
    boolean,
    http_url,
    kind,
    mapping,
    split_url,
    text,
    text_or_empty,
    to_datetime,
)
from presssite.content.values import (
    email as email_address,
)
from presssite.content.values import (
    phone as phone_number,
)
from presssite.content.yamlblock import split
from presssite.errors import ContentError
from presssite.model import Source
from presssite.settings import Contact, Settings

__all__ = ["KNOWN_KEYS", "FrontMatter", "PhotoEntry", "fields", "split", "to_datetime"]
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


# --------------------------------------------------------------------------- typing


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
    title = f.take("title", text, required=True)
    when = f.take("date", f.datetime, required=True)
    result = FrontMatter(
        title=title or "",
        date=when or datetime.min,
        summary=f.take("summary", text_or_empty) or "",
        tags=f.take("tags", f.tags) or (),
        slug=f.take("slug", text),
        draft=bool(f.take("draft", boolean)),
        embargo=f.take("embargo", f.datetime),
        updated=f.take("updated", f.datetime),
        expires=f.take("expires", f.datetime),
        contact=f.take("contact", f.contact),
        source=f.take("source", f.source),
        photos=f.take("photos", f.photos) or (),
        extra=f.take("extra", mapping) or {},
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
        except Invalid as exc:
            self.error(key, str(exc), exc.hint)
            return None

    # Checks that need settings or report nested keys themselves.

    def datetime(self, value: Any) -> datetime:
        return to_datetime(value, self.settings.timezone)

    def tags(self, value: Any) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise Invalid(f"expected a list of tags, got {kind(value)}", "e.g. tags: [a, b]")
        out: list[str] = []
        for index, item in enumerate(items):
            tag = self.checked(f"tags[{index}]", item, text)
            if tag is not None and tag not in out:
                out.append(tag)
        return tuple(out)

    def _table(self, value: Any, key: str, known: tuple[str, ...], example: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Invalid(f"expected a mapping, got {kind(value)}", example)
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
        name = self.optional(table, "contact.name", text)
        email = self.optional(table, "contact.email", email_address)
        phone = self.optional(table, "contact.phone", phone_number)
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
        url = self.checked("source.url", table["url"], http_url)
        name = self.optional(table, "source.name", text)
        if url is None:
            return None
        parts = split_url(url)
        return Source(name=name or (parts.hostname if parts and parts.hostname else url), url=url)

    def photos(self, value: Any) -> tuple[PhotoEntry, ...]:
        if not isinstance(value, list):
            raise Invalid(
                f"expected a list of photos, got {kind(value)}",
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
                self.error(key, f"expected a mapping with src:, got {kind(item)}")
                continue
            for sub in item:
                if sub not in _PHOTO_KEYS:
                    self.unknown(str(sub), _PHOTO_KEYS, f"{key}.")
            if item.get("src") is None:
                self.error(key, "photo has no src", "add src: photos/01.jpg")
                continue
            src = self.checked(f"{key}.src", item["src"], text)
            caption = self.optional(item, f"{key}.caption", text_or_empty)
            credit = self.optional(item, f"{key}.credit", text_or_empty)
            decorative = self.optional(item, f"{key}.decorative", boolean)
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
