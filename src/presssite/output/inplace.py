"""Publishing into the output folder as it is: few files written, nothing else touched.

Given the manifest of the previous publish into the same folder, a rebuild that changes
few files publishes them *in place*, in two phases: every new or changed file is first
linked (or written) to a temporary name beside its destination, and only when all are
there is each renamed over its destination (``rename`` replaces a file atomically) and
are the files no longer built deleted. A failure in the first phase removes the
temporary files and leaves the output as it was; the second phase is renames and
deletions only. Readers never see a partly written file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from presssite.cache.manifest import Manifest
from presssite.errors import PresssiteError
from presssite.model import OutputFile
from presssite.output.files import (
    Sources,
    Wanted,
    identity,
    make_rows,
    nowhere,
    put,
    written,
)
from presssite.output.staging import safe_relative

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Published:
    """What a publish did, for the build report."""

    files: int
    linked: int  # hard links to the cache or source files
    copied: int
    bytes_written: int
    changed: int = 0  # files new or replaced in this publish
    removed: int = 0  # files deleted (in place) because the build no longer makes them
    mode: str = "swap"  # "swap" (a new folder), "in place" or "unchanged"
    manifest: Manifest = field(default_factory=dict, repr=False)


def in_place(
    target: Path,
    by_path: Mapping[str, Wanted],
    wanted: Mapping[str, str],
    previous: Manifest,
    changed: list[str],
    removed: list[str],
    sources: Sources,
) -> Published | None:
    """Publish ``changed`` and ``removed`` into ``target``; None: do a full swap instead
    (a file must replace a folder, or the reverse)."""
    base = str(target)
    try:
        temps, (linked, copied, count) = write_beside(
            base, {rel: by_path[rel] for rel in changed}, sources
        )
    except (_Conflict, FileExistsError, NotADirectoryError) as exc:
        log.info("publishing in place is not possible (%s): swapping the folder", exc)
        return None
    for temp, dest in temps:
        os.replace(temp, dest)
    folders = set()
    for rel in removed:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(base, rel))
        folders.add(os.path.dirname(os.path.join(base, rel)))
    _prune_empty(target, folders)
    manifest = dict(previous)
    for rel in removed:
        manifest.pop(rel, None)
    manifest.update(make_rows(target, {rel: wanted[rel] for rel in changed}))
    return Published(
        files=len(wanted),
        linked=linked,
        copied=copied,
        bytes_written=count,
        changed=len(changed),
        removed=len(removed),
        mode="in place",
        manifest=manifest,
    )


def update(
    target: Path, files: Iterable[OutputFile], manifest: Manifest
) -> tuple[int, dict[str, tuple[str, int, int, int]]]:
    """Write a few made files into the published ``target`` in place, as ``publish`` would.

    For the dev server's edits, which know exactly which files an edit changes: no other
    file is looked at. Files whose bytes are already there (by ``manifest``, the last
    publish's) are skipped; the others are written to temporary names first, then each
    renamed over its destination. Returns how many were written and the updated
    manifest, so that the next ``publish`` still finds the folder as it left it.
    """
    base = str(target.resolve())
    out = dict(manifest)
    todo: dict[str, tuple[OutputFile, str]] = {}  # rel -> (file, identity)
    for f in files:
        rel = safe_relative(f.path)
        ident = identity(f)
        if out.get(rel, ("",))[0] == ident:
            continue
        same = _same_bytes(os.path.join(base, rel), f.data)
        if same is not None:  # e.g. a list page whose teaser did not change
            out[rel] = (ident, *same)
            continue
        todo[rel] = (f, ident)
    temps, _ = write_beside(base, {rel: f for rel, (f, _) in todo.items()}, nowhere)
    for temp, dest in temps:
        os.replace(temp, dest)
    out.update(make_rows(Path(base), {rel: ident for rel, (_, ident) in todo.items()}))
    return len(temps), out


def _same_bytes(path: str, data: bytes | None) -> tuple[int, int, int] | None:
    """The file's inode, size and mtime when it holds exactly ``data``; else None."""
    try:
        st = os.lstat(path)
        if data is None or st.st_size != len(data):
            return None
        with open(path, "rb") as fh:
            return (st.st_ino, st.st_size, st.st_mtime_ns) if fh.read() == data else None
    except OSError:
        return None


def write_beside(
    base: str, files: Mapping[str, Wanted], sources: Sources
) -> tuple[list[tuple[str, str]], tuple[int, int, int]]:
    """The first phase of publishing in place: each file put at a temporary name beside
    its destination, folders made as needed. Returns (temp, destination) pairs and the
    counts linked, copied and bytes written. Any failure removes what this made and is
    raised; a destination that is a folder raises ``_Conflict``.
    """
    temps: list[tuple[str, str]] = []
    made: list[str] = []  # folders created for new files, removed again on failure
    linked = copied = count = 0
    try:
        for rel, f in files.items():
            dest = os.path.join(base, rel)
            if os.path.isdir(dest):
                raise _Conflict(f"the build makes a file where the output has the folder {rel}")
            _makedirs(os.path.dirname(dest), made)
            folder, name = os.path.split(dest)
            temp = os.path.join(folder, f".{name}.{uuid.uuid4().hex[:8]}.presssite-tmp")
            how = put(f, temp, rel, sources)
            temps.append((temp, dest))
            linked += how == "linked"
            copied += how == "copied"
            count += written(f)
    except BaseException:
        _undo(temps, made)
        raise
    return temps, (linked, copied, count)


class _Conflict(PresssiteError):
    """A file must replace a folder (or the reverse): only a full swap can do that."""


def _makedirs(folder: str, made: list[str]) -> None:
    """``os.makedirs``, remembering the folders it created (outermost first)."""
    missing = []
    while not os.path.isdir(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    for path in reversed(missing):
        os.mkdir(path)
        made.append(path)


def _undo(temps: list[tuple[str, str]], made: list[str]) -> None:
    """Remove the temporary files and the folders of a failed first phase."""
    for temp, _ in temps:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def _prune_empty(target: Path, folders: Iterable[str]) -> None:
    """Remove folders left empty by deleted files, up to (not including) ``target``."""
    top = str(target)
    for folder in sorted(folders, key=len, reverse=True):
        while folder != top and folder.startswith(top + os.sep):
            try:
                os.rmdir(folder)
            except OSError:
                break
            folder = os.path.dirname(folder)
