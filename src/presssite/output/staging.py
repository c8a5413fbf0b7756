"""Where the render workers write the pages of a build that will publish by swap.

``output.publish`` builds a new site in ``<out>.tmp-<id>/`` beside the target and swaps
it in only when every file is there; a folder an interrupted build left behind (``.tmp-``
or ``.old-``) is cleared by the next. A build that will swap starts that folder early,
as a ``Staging``, into which the render workers write the pages as they render them.
Output paths are checked here too: none may leave the output folder.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from pathlib import Path, PurePosixPath

from presssite.cache.store import BuildCache
from presssite.errors import PresssiteError

log = logging.getLogger(__name__)

Stat = tuple[int, int]  # a written file's inode and mtime_ns


class Staging:
    """The new folder of a publish that will swap, filled while the build still renders.

    A build with no manifest of the output (a first or cold build, one after the output
    was deleted) or that renders more pages anew than a publish in place takes
    (``output.publish.swaps``) publishes by swapping a new folder in. The render
    workers write its pages into it as they render them (``write``, then ``record``
    here), so the folders and files of thousands of pages are made beside the rendering
    instead of after it; ``output.publish(staging=)`` then adds the other files and
    swaps the folder in. A failed build ``discard``s it; the previous output is never
    touched before the swap.
    """

    def __init__(self, target: Path) -> None:
        self.target = target.resolve()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(self.target)
        self.root = new_folder(self.target)
        self.made = {str(self.root)}  # folders made here
        # rel -> the manifest row of the page written there (a large site has hundreds
        # of thousands; the publish keeps them as they are)
        self.staged: dict[str, tuple[str, int, int, int]] = {}

    def write(self, rel: str, data: bytes, blobs: BuildCache) -> tuple[str, int, Stat | None]:
        """Create the page ``rel`` with ``data`` here: (sha256, size, its inode and mtime).

        Runs in the render workers too (each has its own copy of ``made``): the page is
        written once, where it will be published, in its own new folder, and is then
        the only copy of its bytes: no blob in the cache, which would be one more name
        to create now and to delete with the cache. Later builds find the page in the
        output they published (by its manifest). A second page of the same path goes to
        ``blobs`` (the stat is then None): the publish puts the one it wants.
        """
        rel = safe_relative(rel)
        dest = os.path.join(str(self.root), rel)
        parent = os.path.dirname(dest)
        if parent not in self.made:
            make_folders(parent, self.made)
        try:
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            sha, size = blobs.put(data)
            return sha, size, None
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            st = os.fstat(fd)
        return hashlib.sha256(data).hexdigest(), len(data), (st.st_ino, st.st_mtime_ns)

    def record(self, rel: str, sha: str, size: int, stat: Stat) -> None:
        """Note a page ``write`` put here (in a worker): the publish keeps it."""
        self.staged.setdefault(safe_relative(rel), (f"sha:{sha}", stat[0], size, stat[1]))

    def source(self, rel: str, ident: str) -> str | None:
        """The file here that holds the page ``rel`` as ``ident``, if one does."""
        if self.staged.get(rel, ("",))[0] == ident:
            return os.path.join(str(self.root), rel)
        return None

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def safe_relative(path: str) -> str:
    """The normalised output path; refuse one that would escape the output folder."""
    if path and not path.startswith("/") and "//" not in path and "./" not in path:
        parts = path.split("/")
        if ".." not in parts and "." not in parts and parts[-1]:
            return path  # already normal: the common case, without a PurePosixPath
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise PresssiteError(f"refusing to write outside the output folder: {path!r}")
    return rel.as_posix()


def new_folder(target: Path) -> Path:
    folder = target.with_name(f"{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    folder.mkdir()
    return folder


def make_folders(folder: str, made: set[str]) -> None:
    """Make ``folder`` and the folders above it missing from ``made`` (outermost first):
    a new folder's only folders are the ones made here, so no ``stat`` is needed."""
    missing = []
    while folder not in made:
        missing.append(folder)
        folder = os.path.dirname(folder)
    for path in reversed(missing):
        try:
            os.mkdir(path)
        except FileExistsError:  # made by a worker, or by another
            pass
        made.add(path)


def clear_leftovers(target: Path) -> None:
    """Remove staging and aside folders an interrupted earlier build left behind."""
    for prefix in (f"{target.name}.tmp-", f"{target.name}.old-"):
        for leftover in target.parent.glob(prefix + "*"):
            if leftover.is_dir() and not leftover.is_symlink():
                log.info("removing leftover %s", leftover)
                shutil.rmtree(leftover, ignore_errors=True)
