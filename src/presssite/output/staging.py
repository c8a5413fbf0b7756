"""Where the render workers write the pages, for the publish that will follow.

``output.publish`` builds a new site in ``<out>.tmp-<id>/`` beside the target and swaps
it in only when every file is there; a folder an interrupted build left behind (``.tmp-``
or ``.old-``) is cleared by the next. A build that will swap starts that folder early,
as a ``Staging``, into which the render workers write the pages as they render them. A
build that renders many pages of an output it will change in place has them write each
page at a temporary name beside its place (``Beside``). Output paths are checked here
too: none may leave the output folder.
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import struct
import sys
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from presssite.cache.store import BuildCache
from presssite.errors import PresssiteError

log = logging.getLogger(__name__)

Stat = tuple[int, int]  # a written file's inode and mtime_ns


class Staging:
    """The new folder of a publish that will swap, filled while the build still renders.

    A build with no manifest of the output as it is (a first or cold build, or one
    after the output was changed by hand) publishes by swapping a new folder in
    (``output.early_writes``). The render workers write its pages into it as they
    render them (``write``, then ``record`` here), so the folders and files of thousands
    of pages are made beside the rendering instead of after it;
    ``output.publish(staging=)`` then adds the other files and swaps the folder in. A
    failed build ``discard``s it; the previous output is never touched before the swap.
    """

    def __init__(self, target: Path) -> None:
        self.target = target.resolve()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(self.target)
        self.root = new_folder(self.target)
        self.made = {str(self.root): True}  # folder -> marked as a top (see make_folders)
        # rel -> the manifest row of the page written there (a large site has hundreds
        # of thousands; the publish keeps them as they are)
        self.staged: dict[str, tuple[str, int, int, int]] = {}

    def write(self, rel: str, data: bytes, blobs: BuildCache) -> tuple[str, int, Stat | None]:
        """Create the page ``rel`` with ``data`` here: (sha256, size, its inode and mtime).

        Runs in the render workers too (each has its own copy of ``made``): the page is
        written once, where it will be published, in its own new folder, and is then
        the only copy of its bytes: no blob in the cache, which would be one more name
        to create now and to delete with the cache (a cold build made 1.5 times the
        entries otherwise). Later builds find the page in the output they published.
        A second page of the same path goes to ``blobs`` (the stat is then None): the
        publish puts the one it wants.
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
        return hashlib.sha256(data).hexdigest(), len(data), _fill(fd, data)

    def record(self, rel: str, sha: str, size: int, stat: Stat) -> None:
        """Note a page ``write`` put here (in a worker): the publish keeps it."""
        _record(self.staged, rel, sha, size, stat)

    def source(self, rel: str, ident: str) -> str | None:
        """The file here that holds the page ``rel`` as ``ident``, if one does."""
        if self.staged.get(rel, ("",))[0] == ident:
            return os.path.join(str(self.root), rel)
        return None

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class Beside:
    """Pages written next to their place in the published output, for a publish in place.

    A rebuild that renders many pages anew while the output is as the last build left it
    (a template or a setting edited) publishes in place: each changed page at a
    temporary name beside its destination, then all renamed over theirs
    (``output.publish``). The render workers write those temporary files themselves
    (``write``), in the folders the output already has, so such a rebuild makes no new
    folder and deletes no old one; a swap would make a folder for every page and then
    delete the whole previous output. A page whose bytes the output already holds is not
    written at all; one in a folder the output lacks goes to the build cache's blobs.

    The temporary names (``temp``) are hidden (a dot first) and carry this build's token,
    so ``discard`` can remove every one a failed build may have written, recorded or
    not. The build forgets its manifest of the output before any is written: should the
    process die before it cleans up, the next build publishes by swap, and the old output
    goes with whatever was left in it.
    """

    def __init__(self, target: Path, published: Mapping[str, tuple[str, int, int, int]]) -> None:
        self.target = target.resolve()
        self.token = uuid.uuid4().hex[:8]
        self.published = published  # the previous manifest: rel -> (identity, ...)
        self.folders = {os.path.dirname(rel) for rel in published}
        self.staged: dict[str, tuple[str, int, int, int]] = {}  # as ``Staging.staged``
        self.planned: list[str] = []  # every path a worker may write (``discard``)

    def temp(self, rel: str) -> str:
        """The temporary name of the page ``rel`` (output-relative, normalised)."""
        folder, name = os.path.split(os.path.join(str(self.target), rel))
        return os.path.join(folder, f".{name}.{self.token}.presssite-tmp")

    def write(self, rel: str, data: bytes, blobs: BuildCache) -> tuple[str, int, Stat | None]:
        """Put the page ``rel`` beside its destination: (sha256, size, inode and mtime).

        The stat is None when the page is not written here: the output holds these bytes
        already, or the page is new in a folder the output lacks (then it is a blob).
        """
        rel = safe_relative(rel)
        sha = hashlib.sha256(data).hexdigest()
        if self.published.get(rel, ("",))[0] == f"sha:{sha}":
            return sha, len(data), None
        fd = -1
        if os.path.dirname(rel) in self.folders:
            try:
                fd = os.open(self.temp(rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except OSError:  # a second page of that path, or a folder gone meanwhile
                fd = -1
        if fd < 0:
            sha, size = blobs.put(data)
            return sha, size, None
        return sha, len(data), _fill(fd, data)

    def record(self, rel: str, sha: str, size: int, stat: Stat) -> None:
        """Note a page ``write`` put beside its destination (in a worker)."""
        _record(self.staged, rel, sha, size, stat)

    def source(self, rel: str, ident: str) -> str | None:
        """The temporary file that holds the page ``rel`` as ``ident``, if one does."""
        if self.staged.get(rel, ("",))[0] == ident:
            return self.temp(rel)
        return None

    def rendered(self) -> None:
        """Every page is rendered: each one written here is recorded, and only those
        need removing should the build fail now."""
        self.planned = []

    def renamed(self, rels: Iterable[str]) -> None:
        """The publish renamed these pages' temporary files over their destinations."""
        for rel in rels:
            self.staged.pop(rel, None)

    def discard(self) -> None:
        """Remove the temporary files still there: the ones recorded, and while the
        render workers may still have written others, any of the ``planned`` pages'."""
        for rel in {*self.staged, *self.planned}:
            with contextlib.suppress(OSError):
                os.unlink(self.temp(rel))
        self.staged.clear()


def _fill(fd: int, data: bytes) -> Stat:
    """Write ``data`` into the new file open as ``fd`` and close it: its inode and mtime."""
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        st = os.fstat(fd)
    return (st.st_ino, st.st_mtime_ns)


def _record(
    staged: dict[str, tuple[str, int, int, int]], rel: str, sha: str, size: int, stat: Stat
) -> None:
    """Keep the manifest row of a page a worker wrote (the first of its path)."""
    staged.setdefault(safe_relative(rel), (f"sha:{sha}", stat[0], size, stat[1]))


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
    spread(str(folder))
    return folder


def make_folders(folder: str, made: dict[str, bool]) -> None:
    """Make ``folder`` and the folders above it missing from ``made`` (outermost first).

    Every folder that gets a subfolder is first marked as the top of unrelated folders
    (``spread``): ext4 reads the mark of the parent when it places a new folder, so
    ``folder`` itself, which holds a page's files, is marked only once a subfolder is
    made in it (``made`` maps each folder to whether it is marked). That spares the
    thousands of page folders of a site a mark that would never be read.
    """
    missing = []
    while folder not in made:
        missing.append(folder)
        folder = os.path.dirname(folder)
    if not made[folder]:
        spread(folder)
        made[folder] = True
    for depth, path in enumerate(reversed(missing), start=1):
        try:
            os.mkdir(path)
        except FileExistsError:  # made by a worker, or by another
            pass
        made[path] = top = depth < len(missing)
        if top:
            spread(path)


# Linux's FS_IOC_GETFLAGS / FS_IOC_SETFLAGS (_IOR/_IOW('f', 1/2, long)) and FS_TOPDIR_FL.
_LONG = struct.calcsize("l")
_GETFLAGS = (2 << 30) | (_LONG << 16) | (ord("f") << 8) | 1
_SETFLAGS = (1 << 30) | (_LONG << 16) | (ord("f") << 8) | 2
TOPDIR_FLAG = 0x00020000


def spread(folder: str) -> None:
    """Mark a new output folder as the top of unrelated folders (``chattr +T``), if the
    file system takes the hint (ext4 does; the others refuse, which is fine).

    ext4 otherwise places a new folder beside its parent, so all of a site's page
    folders and files are made in a few block groups: the very groups whose inodes the
    previous output (deleted just before, as ``rm -rf build`` or a swap does) has just
    freed. Without a journal, ext4 skips every inode freed in the last minute, one by
    one, each time it allocates a new one, and there a cold build of 1,000 releases spent
    seconds of system time, growing with each rebuild (measured: 7.6 s against 5.3 s
    with the hint, medians of 5). With the hint, ext4 spreads the folders over the
    groups with the most free inodes, as it does under ``/home``.
    """
    _flags(folder, add=TOPDIR_FLAG)


def inode_flags(path: str) -> int | None:
    """The ``chattr`` flags of ``path``, or None where the file system has none."""
    return _flags(path)


def _flags(path: str, add: int = 0) -> int | None:
    """The flags of the folder ``path``, after adding ``add`` to them (one ``open``)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        flags = array.array("l", [0])
        fcntl.ioctl(fd, _GETFLAGS, flags, True)
        if add and flags[0] & add != add:
            flags[0] |= add
            fcntl.ioctl(fd, _SETFLAGS, flags, True)
        return flags[0]
    except OSError:
        return None  # no such flags here (tmpfs, overlayfs...)
    finally:
        os.close(fd)


def clear_leftovers(target: Path) -> None:
    """Remove staging and aside folders an interrupted earlier build left behind."""
    for prefix in (f"{target.name}.tmp-", f"{target.name}.old-"):
        for leftover in target.parent.glob(prefix + "*"):
            if leftover.is_dir() and not leftover.is_symlink():
                log.info("removing leftover %s", leftover)
                shutil.rmtree(leftover, ignore_errors=True)
