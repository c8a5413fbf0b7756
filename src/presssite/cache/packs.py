"""Document bodies in append-only pack files under ``<cache_dir>/build/bodies/``.

The rendered Markdown of every document is appended to pack files and read back with
``pread`` by offset, so the site model in memory holds no bodies (a 100,000-release site
has about 2 GB of them) and forked worker processes read them concurrently.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from presssite.cache.store import listdir, size_of
from presssite.model import pickled_by_fields

_PACK_SUFFIX = ".pack"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class BodyRef:
    """Where a document's body is: a pack file, an offset and a length in bytes."""

    pack: str  # file name inside the packs folder
    offset: int
    length: int


class Packs:
    """Append-only pack files of document bodies, read by offset with ``pread``.

    ``pread`` takes no file position, so forked workers sharing an inherited descriptor
    read concurrently without disturbing each other. A writer creates a new pack file
    per build (and per worker), so a pack never changes once a catalog refers to it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._fds: dict[str, int] = {}

    def writer(self) -> PackWriter:
        self.folder.mkdir(parents=True, exist_ok=True)
        return PackWriter(self.folder, f"{uuid.uuid4().hex}{_PACK_SUFFIX}")

    def read(self, ref: BodyRef) -> str | None:
        """The body at ``ref``; None when the pack is gone or too short."""
        fd = self._fds.get(ref.pack)
        try:
            if fd is None:
                fd = self._fds[ref.pack] = os.open(self.folder / ref.pack, os.O_RDONLY)
            data = _pread(fd, ref.length, ref.offset)
        except OSError:
            return None
        if len(data) != ref.length:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def close(self) -> None:
        for fd in self._fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds.clear()

    def names(self) -> set[str]:
        return {n for n in listdir(self.folder) if n.endswith(_PACK_SUFFIX)}

    def sizes(self) -> dict[str, int]:
        return {n: size_of(self.folder / n) for n in self.names()}

    def remove(self, names: Iterable[str]) -> None:
        for name in names:
            fd = self._fds.pop(name, None)
            if fd is not None:
                os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(self.folder / name)


class PackWriter:
    """Appends bodies to one new pack file; the refs are valid once ``close`` returned."""

    def __init__(self, folder: Path, name: str) -> None:
        self.name = name
        self.path = folder / name
        self._fh: Any = None
        self.offset = 0

    def add(self, text: str) -> BodyRef:
        data = text.encode("utf-8", "surrogatepass")
        if self._fh is None:
            self._fh = open(self.path, "wb")  # noqa: SIM115 - kept open across adds
        self._fh.write(data)
        ref = BodyRef(self.name, self.offset, len(data))
        self.offset += len(data)
        return ref

    def flush(self) -> None:
        """Hand what was added to the operating system: readable by other processes."""
        if self._fh is not None:
            self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _pread(fd: int, length: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, length, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # no pread (Windows): no fork either, one reader
    return os.read(fd, length)


def live_pack_bytes(refs: Iterable[BodyRef]) -> Mapping[str, int]:
    """Bytes still referenced in each pack, to decide when to compact."""
    out: dict[str, int] = {}
    for ref in refs:
        out[ref.pack] = out.get(ref.pack, 0) + ref.length
    return out
