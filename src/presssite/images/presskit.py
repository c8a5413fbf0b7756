"""A release's press kit: one ZIP per release and locale with all a journalist needs.

It holds the full-size downloads of the release's gallery (the page locale's captions
inside), ``captions.txt`` (file, caption, credit, one block per photo) and ``release.txt``
(the release as plain text: title, date, body, source). Its entries are stored, not
compressed (JPEG data does not shrink), in a fixed order with fixed times and
attributes, so the same inputs give the same bytes, a no-change build rewrites nothing,
and the ZIP's size is known from its entries' names and sizes before it is made (pages
show it). Kits are kept in the image cache under a name that hashes all their entries.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from presssite.atomic import write_atomic
from presssite.images.downloads import Words
from presssite.model import PhotoImage, PressKit

_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP can hold: no build's clock in the bytes
_LOCAL, _CENTRAL, _END = 30, 46, 22  # fixed header sizes of a ZIP without extra fields


@dataclass(frozen=True)
class KitPlan:
    """One kit as planned: where it goes, its text entries and its photos."""

    kit: PressKit
    folder: str  # every entry's folder inside the ZIP: "<slug>-<locale>/"
    texts: tuple[tuple[str, bytes], ...]  # (name, bytes): release.txt, captions.txt
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


def plan_kit(
    *,
    url: str,
    output: str,
    folder: str,
    release_text: str,
    photos: Sequence[tuple[str, Path, Words, PhotoImage]],
) -> KitPlan:
    """A kit's plan, its size computed from its entries (``size``)."""
    texts = (
        (folder + "release.txt", release_text.encode("utf-8")),
        (folder + "captions.txt", captions([(n, im) for n, _p, _w, im in photos]).encode("utf-8")),
    )
    listed = [(folder + "photos/" + n, p, w) for n, p, w, _im in photos]
    sizes = [(name, len(data)) for name, data in texts]
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
    for name, data in kit.texts:
        h.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(data).digest())
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
    entries = list(kit.texts)
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
    new = release_text.encode("utf-8")
    texts = ((kit.texts[0][0], new), *kit.texts[1:])
    with zipfile.ZipFile(io.BytesIO(served)) as zf:
        photos = [(name, zf.read(name)) for name, _path, _words in kit.photos]
    data = write([*texts, *photos])
    planned = dataclasses.replace(kit.kit, size=len(data))
    return dataclasses.replace(kit, kit=planned, texts=texts), data
