"""Publish the built files into the output folder, atomically.

The new site is written into ``<out>.tmp-<id>/`` beside the target, and swapped in
only when every file is there: the previous output is renamed aside, the new one
renamed in, then the old one removed. Two renames are needed because POSIX
``rename`` does not replace a non-empty directory. A failed or interrupted build
therefore never leaves a half-written site where the previous one was: at worst a
``.tmp-``/``.old-`` folder that the next build clears away.

Files that come from elsewhere (photos from the image cache, static files) are
hard-linked when they are on the same file system, and copied otherwise.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import PresssiteError
from .model import OutputFile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Published:
    """What ``publish`` did, for the build report."""

    files: int
    linked: int  # hard links to the cache or source files
    copied: int
    bytes_written: int


def _safe_relative(path: str) -> PurePosixPath:
    """Refuse output paths that would escape the output folder."""
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise PresssiteError(f"refusing to write outside the output folder: {path!r}")
    return rel


def publish(files: Iterable[OutputFile], *, target: Path) -> Published:
    """Write ``files`` into a fresh folder and swap it in place of ``target``.

    Later files with the same path replace earlier ones (so a site's static file can
    override the theme's). ``target``'s parent is created if needed.
    """
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(target)
    staging = target.with_name(f"{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    staging.mkdir()
    try:
        by_path: dict[PurePosixPath, OutputFile] = {}
        for f in files:
            by_path[_safe_relative(f.path)] = f
        stats = _write_all(staging, by_path)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return stats


def _write_all(root: Path, files: dict[PurePosixPath, OutputFile]) -> Published:
    made: set[Path] = set()
    linked = copied = written = 0
    for rel, f in files.items():
        dest = root.joinpath(*rel.parts)
        parent = dest.parent
        if parent not in made:
            parent.mkdir(parents=True, exist_ok=True)
            made.add(parent)
        if f.data is not None:
            dest.write_bytes(f.data)
            written += len(f.data)
        elif f.source is not None:
            try:
                os.link(f.source, dest)
                linked += 1
            except OSError:
                shutil.copyfile(f.source, dest)
                copied += 1
        else:
            raise PresssiteError(f"nothing to write for {rel}")
    return Published(files=len(files), linked=linked, copied=copied, bytes_written=written)


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` where ``target`` is: rename the old aside, the new in, drop the old."""
    old = None
    if target.exists() or target.is_symlink():
        if not target.is_dir() or target.is_symlink():
            raise PresssiteError(
                f"the output path {target} exists and is not a folder",
                path=target,
                hint="choose another --out, or remove that file",
            )
        old = target.with_name(f"{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _clear_leftovers(target: Path) -> None:
    """Remove staging and aside folders an interrupted earlier build left behind."""
    for prefix in (f"{target.name}.tmp-", f"{target.name}.old-"):
        for leftover in target.parent.glob(prefix + "*"):
            if leftover.is_dir() and not leftover.is_symlink():
                log.info("removing leftover %s", leftover)
                shutil.rmtree(leftover, ignore_errors=True)
