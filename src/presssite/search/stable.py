"""Pagefind's output made byte-stable: the same site gives the same index files.

Pagefind keeps filters and their values in hash maps seeded afresh by each run, so the
order of the values in a filter file (``filter/<lang>_<hash>.pf_filter``), of the
filters in a language's metadata file (``pagefind.<lang>_<hash>.pf_meta``, both gzipped
CBOR), and so the files' names, change from run to run, and with them the entry file
(``pagefind-entry.json``), whose languages come in no fixed order either. Everything
else it writes is stable. ``stabilize`` sorts them, renames each rewritten file after
its new bytes (and its name where it is named), and leaves anything it does not
recognise as it was: a file is rewritten only when decoding and encoding it again gives
back its own bytes, so a format this code does not know is never changed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from typing import Any

PREFIX = b"pagefind_dcd"  # before the CBOR of every compressed Pagefind file
ENTRY = "pagefind-entry.json"
_META = re.compile(r"^pagefind\.(?P<lang>[^/]+)_[0-9a-f]+\.pf_meta$")
_FILTER = re.compile(r"^filter/(?P<lang>[^/]+)_(?P<hash>[0-9a-f]+)\.pf_filter$")
FILTERS = 3  # the position of the filter list in a metadata file's top-level array


def stabilize(files: dict[str, bytes]) -> dict[str, bytes]:
    """``files`` (paths relative to Pagefind's folder) in an order of their own."""
    out = dict(files)
    renamed: dict[str, str] = {}  # old hash ("en_a680783") -> new
    for rel, data in files.items():
        found = _FILTER.match(rel)
        if found is None:
            continue
        new = _rewrite(data, _sort_filter)
        if new is None or new == data:
            continue
        lang, digest = found.group("lang"), _digest(new, len(found.group("hash")))
        del out[rel]
        out[f"filter/{lang}_{digest}.pf_filter"] = new
        renamed[f"{lang}_{found.group('hash')}"] = f"{lang}_{digest}"
    for rel, data in list(out.items()):
        found = _META.match(rel)
        if found is None:
            continue
        new = _rewrite(data, lambda value: _sort_meta(value, renamed))
        if new is None or new == data:
            continue
        lang = found.group("lang")
        old_hash = rel.removeprefix("pagefind.").removesuffix(".pf_meta")
        digest = _digest(new, len(old_hash) - len(lang) - 1)
        del out[rel]
        out[f"pagefind.{lang}_{digest}.pf_meta"] = new
        renamed[old_hash] = f"{lang}_{digest}"
    if ENTRY in out:
        entry = json.loads(out[ENTRY])
        languages = entry.get("languages", {})
        for value in languages.values():
            value["hash"] = renamed.get(value.get("hash"), value.get("hash"))
        out[ENTRY] = _entry(entry, languages)
    return out


def merge_entries(entries: list[bytes]) -> bytes:
    """One entry file naming the languages of ``entries`` (each the entry file of an
    index made apart, by the same indexer), in the order of their names."""
    merged = json.loads(entries[0])
    languages: dict[str, Any] = {}
    for data in entries:
        languages.update(json.loads(data).get("languages", {}))
    return _entry(merged, languages)


def _entry(entry: dict[str, Any], languages: dict[str, Any]) -> bytes:
    entry["languages"] = dict(sorted(languages.items()))
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()


def _digest(data: bytes, size: int) -> str:
    return hashlib.sha256(data).hexdigest()[:size]


def _sort_filter(value: Any) -> Any:
    """A filter file: [name, [[value, [page, ...]], ...]]: values and pages sorted."""
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], list)):
        raise ValueError("not a filter file")
    entries = []
    for item in value[1]:
        if isinstance(item, list) and len(item) == 2 and isinstance(item[1], list):
            item = [item[0], sorted(item[1], key=repr)]
        entries.append(item)
    return [value[0], sorted(entries, key=lambda item: repr(item[0]))]


def _sort_meta(value: Any, renamed: dict[str, str]) -> Any:
    """A metadata file: its filter list, [[name, filter file hash], ...], sorted, with
    the filter files' new names."""
    if not (isinstance(value, list) and len(value) > FILTERS and isinstance(value[FILTERS], list)):
        raise ValueError("not a metadata file")
    filters = []
    for item in value[FILTERS]:
        if isinstance(item, list) and len(item) == 2 and isinstance(item[1], str):
            item = [item[0], renamed.get(item[1], item[1])]
        filters.append(item)
    value[FILTERS] = sorted(filters, key=repr)
    return value


def _rewrite(data: bytes, change: Any) -> bytes | None:
    """A gzipped CBOR file, decoded, changed and encoded again; None when unknown."""
    try:
        raw = gzip.decompress(data)
    except OSError:
        return None
    if not raw.startswith(PREFIX):
        return None
    body = raw[len(PREFIX) :]
    try:
        value, end = _decode(body, 0)
        if end != len(body) or _encode(value) != body:
            return None  # not the format this code knows: leave it as Pagefind wrote it
        value = change(value)
    except (IndexError, ValueError):
        return None
    return gzip.compress(PREFIX + _encode(value), mtime=0)


# A minimal CBOR (RFC 8949) for what Pagefind's metadata holds: unsigned integers, byte
# and text strings, arrays and maps, all of definite length in their shortest encoding.


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError("indefinite or reserved length")
    if major == 0:
        return arg, at
    if major in (2, 3):
        chunk = data[at : at + arg]
        if len(chunk) != arg:
            raise ValueError("short string")
        return (bytes(chunk) if major == 2 else chunk.decode("utf-8")), at + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = []
        for _ in range(arg):
            key, at = _decode(data, at)
            item, at = _decode(data, at)
            pairs.append((key, item))
        return _Map(pairs), at
    raise ValueError(f"CBOR major type {major}")


class _Map(list):  # type: ignore[type-arg]
    """A CBOR map as its (key, value) pairs, in the order they were written."""


def _head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise ValueError("integer too large")


def _encode(value: Any) -> bytes:
    if isinstance(value, bool) or value is None:
        raise ValueError("simple values are not used")
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        text = value.encode("utf-8")
        return _head(3, len(text)) + text
    if isinstance(value, _Map):
        return _head(5, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value)
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(v) for v in value)
    raise ValueError(type(value).__name__)
