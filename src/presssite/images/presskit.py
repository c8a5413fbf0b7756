"""A release's press kit: one ZIP per release and locale with all a journalist needs.

It holds the full-size downloads of the release's gallery (the page locale's captions
inside), ``captions.txt`` (file, caption, credit, one block per photo) and ``release.txt``
(the release as plain text: title, date, body, source). Its entries are stored, not
compressed (JPEG data does not shrink), in a fixed order with fixed times and
attributes, so the same inputs give the same bytes, a no-change build rewrites nothing,
and the ZIP's size is known from its entries' names and sizes before it is made (pages
show it). Kits are kept in the image cache under a name that hashes all their entries.
A text entry is planned by its size and hash (``KitText``): ``release.txt``'s are kept
between builds (``cache.facts``), and its bytes are made only when its kit is.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from presssite.atomic import write_atomic
from presssite.images.downloads import Words
from presssite.model import PhotoImage, PressKit, Translation

_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP can hold: no build's clock in the bytes
_LOCAL, _CENTRAL, _END = 30, 46, 22  # fixed header sizes of a ZIP without extra fields


class ReleaseText(Protocol):
    """A release as plain text (``render.plaintext.ReleaseTexts``), and the digest of
    all that text is made of, which stands for it until then."""

    def __call__(self, doc: Translation) -> str: ...

    def key(self, doc: Translation) -> str: ...


@dataclass(frozen=True)
class KitText:
    """A text entry of a kit: its size and SHA-256, which plan the kit, and its bytes,
    made when the kit is."""

    name: str
    size: int
    sha256: str
    data: Callable[[], bytes] = field(repr=False, compare=False)

    @classmethod
    def of(cls, name: str, data: bytes) -> KitText:
        return cls(name, len(data), hashlib.sha256(data).hexdigest(), lambda: data)


@dataclass(frozen=True)
class KitPlan:
    """One kit as planned: where it goes, its text entries and its photos."""

    kit: PressKit
    folder: str  # every entry's folder inside the ZIP: "<slug>-<locale>/"
    texts: tuple[KitText, ...]  # release.txt, captions.txt
    photos: tuple[tuple[str, Path, Words], ...]  # (name, source, words of this locale)


def file_name(slug: str, locale: str) -> str:
    """The ZIP's file name beside its page: "<slug>-<locale>.zip", distinct when saved."""
    return f"{slug}-{locale}.zip"


def captions(entries: Sequence[tuple[str, PhotoImage]]) -> str:
    """captions.txt: for each photo its file name, caption and credit, a blank line between."""
    blocks = []
    for name, image in entries:
        lines = [name]
        if image.photo.caption:
            lines.append(image.photo.caption)
        if image.photo.credit:
            lines.append(f"\u00a9 {image.photo.credit}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def release_entry(
    folder: str,
    doc: Translation,
    text: ReleaseText,
    kept: Callable[[str, Callable[[], tuple[int, str]]], tuple[int, str]],
) -> KitText:
    """``release.txt`` of ``doc``'s kit: its size and hash as ``kept(key, make)`` keeps
    them by the text's key (``cache.facts.Facts.get``), its bytes made when asked."""

    def encoded() -> bytes:
        return text(doc).encode("utf-8")

    def facts() -> tuple[int, str]:
        data = encoded()
        return len(data), hashlib.sha256(data).hexdigest()

    size, sha = kept(text.key(doc), facts)
    return KitText(folder + "release.txt", size, sha, encoded)


def plan_kit(
    *,
    url: str,
    output: str,
    folder: str,
    release: KitText,
    photos: Sequence[tuple[str, Path, Words, PhotoImage]],
) -> KitPlan:
    """A kit's plan, its size computed from its entries (``size``)."""
    listed_captions = captions([(n, im) for n, _p, _w, im in photos]).encode("utf-8")
    texts = (release, KitText.of(folder + "captions.txt", listed_captions))
    listed = [(folder + "photos/" + n, p, w) for n, p, w, _im in photos]
    sizes = [(t.name, t.size) for t in texts]
    sizes += [
        (name, im.download.size if im.download else 0)
        for (name, _p, _w), (*_, im) in zip(listed, photos, strict=True)
    ]
    return KitPlan(PressKit(url, output, size(sizes)), folder, texts, tuple(listed))


def size(entries: Sequence[tuple[str, int]]) -> int:
    """A stored ZIP's size from its entries' names and sizes (``write`` makes exactly it)."""
    total = _END
    for name, length in entries:
        total += _LOCAL + _CENTRAL + 2 * len(name.encode("utf-8")) + length
    return total


def write(entries: Sequence[tuple[str, bytes]]) -> bytes:
    """The ZIP of ``entries`` in order: stored, fixed times and attributes, no extras."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # Unix, whatever machine builds it
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def cache_name(kit: KitPlan, downloads: Mapping[str, str], version: int) -> str:
    """The kit's cache name: a hash of every entry (photos by their download's cache name)."""
    h = hashlib.sha256(f"{version}\0{kit.folder}".encode())
    for text in kit.texts:
        h.update(b"\0" + text.name.encode() + b"\0" + bytes.fromhex(text.sha256))
    for name, _path, _words in kit.photos:
        h.update(b"\0" + name.encode() + b"\0" + downloads[name].encode())
    key = h.hexdigest()
    return f"{key[:2]}/{key[:16]}-kit.zip"


def make(kit: KitPlan, downloads: Mapping[str, str], root: Path, version: int) -> str:
    """Make the kit in the cache unless it is there; return its cache name.

    ``downloads`` maps each photo entry to its download's cache name (made already).
    """
    name = cache_name(kit, downloads, version)
    target = root / name
    if target.exists():
        return name
    entries = [(text.name, text.data()) for text in kit.texts]
    entries += [(entry, (root / downloads[entry]).read_bytes()) for entry, _p, _w in kit.photos]
    data = write(entries)
    if len(data) != kit.kit.size:
        raise AssertionError(
            f"press kit {kit.kit.output}: {len(data)} bytes, planned {kit.kit.size}"
        )
    write_atomic(target, data)
    return name


def with_text(kit: KitPlan, served: bytes, release_text: str) -> tuple[KitPlan, bytes]:
    """The kit with a new ``release.txt`` and its bytes, its photos taken from ``served``
    (the kit as published): the dev server's quick rebuild of an edited release."""
    texts = (KitText.of(kit.texts[0].name, release_text.encode("utf-8")), *kit.texts[1:])
    with zipfile.ZipFile(io.BytesIO(served)) as zf:
        photos = [(name, zf.read(name)) for name, _path, _words in kit.photos]
    data = write([*((t.name, t.data()) for t in texts), *photos])
    planned = dataclasses.replace(kit.kit, size=len(data))
    return dataclasses.replace(kit, kit=planned, texts=texts), data
