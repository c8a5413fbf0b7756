"""Publish the built files into the output folder: all or nothing, and only what changed.

A full publish writes the new site into ``<out>.tmp-<id>/`` beside the target and swaps
it in only when every file is there: the previous output is renamed aside, the new one
renamed in, then the old one removed. Two renames are needed because POSIX ``rename``
does not replace a non-empty directory. A failed or interrupted build therefore never
leaves a half-written site where the previous one was: at worst a ``.tmp-``/``.old-``
folder that the next build clears away. A build that will most likely swap (it has no
manifest of the output, or renders most pages anew) starts that folder early, as a
``Staging``, into which the render workers write the pages as they render them.

Files that come from elsewhere (pages and feeds from the build cache, photos from the
image cache, static files) are hard-linked when they are on the same file system, and
copied otherwise, so a full publish creates folders and links rather than writing bytes.

A rebuild that changes few files skips even that. Given the ``Manifest`` of the previous
publish into the same folder (what each file was and the inode, size and modification
time it was published with), ``publish`` first checks that the folder still holds
exactly those files, untouched; then, when no more than ``IN_PLACE_LIMIT`` files change,
it publishes *in place*, in two phases: every new or changed file is first linked (or
written) to a temporary name beside its destination, and only when all are there is
each renamed over its destination (``rename`` replaces a file atomically) and are the
files no longer built deleted. A failure in the first phase removes the temporary files
and leaves the output as it was; the second phase is renames and deletions only.
Readers never see a partly written file, and every URL keeps answering during the
publish (the full swap has an instant with no folder at all). The caller forgets the
manifest before an in-place publish (``before_changes``) and saves the new one after,
so an interrupted in-place publish is followed by a full one. A rebuild that changes
nothing touches nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .buildcache import BuildCache, Manifest, file_identity, intact
from .errors import PresssiteError
from .model import OutputFile
from .parallel import collector_paused

log = logging.getLogger(__name__)

IN_PLACE_LIMIT = 0.1  # at most this share of the files (and at least 100) change in place


@dataclass(frozen=True)
class Published:
    """What ``publish`` did, for the build report."""

    files: int
    linked: int  # hard links to the cache or source files
    copied: int
    bytes_written: int
    changed: int = 0  # files new or replaced in this publish
    removed: int = 0  # files deleted (in place) because the build no longer makes them
    mode: str = "swap"  # "swap" (a new folder), "in place" or "unchanged"
    manifest: Manifest = field(default_factory=dict, repr=False)


def _safe_relative(path: str) -> str:
    """The normalised output path; refuse one that would escape the output folder."""
    if path and not path.startswith("/") and "//" not in path and "./" not in path:
        parts = path.split("/")
        if ".." not in parts and "." not in parts and parts[-1]:
            return path  # already normal: the common case, without a PurePosixPath
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise PresssiteError(f"refusing to write outside the output folder: {path!r}")
    return rel.as_posix()


class Staging:
    """The new folder of a publish that will swap, filled while the build still renders.

    A build with no manifest of the output (a first or cold build) always publishes by
    swapping a new folder in (and so, most likely, does one that renders most pages
    anew: ``will_swap``). The render workers write its pages into it as they render
    them (``write``, then ``record`` here), so the folders and files of thousands of
    pages are made beside the rendering instead of after it; ``publish(..., staging=)``
    then adds the other files and swaps the folder in, or discards it when it can work
    in place after all. A failed build ``discard``s it; the previous output is never
    touched before the swap.
    """

    def __init__(self, target: Path) -> None:
        self.target = target.resolve()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        _clear_leftovers(self.target)
        self.root = _new_folder(self.target)
        self.made = {str(self.root)}
        # rel -> the identity of the source it was made from (a large site has hundreds of
        # thousands: one string each); the few copied rather than linked, apart.
        self.staged: dict[str, str] = {}
        self.copied: set[str] = set()

    def write(self, rel: str, data: bytes, blobs: BuildCache) -> tuple[str, int, str, bool]:
        """Create the page ``rel`` with ``data`` here and keep its bytes in ``blobs``.

        Runs in the render workers too (each has its own copy of ``made``): the page is
        written where it will be published, in its own new folder, and its blob is then
        a hard link to it, one more name for the same file, instead of a second file in
        one of the cache's few shared folders (ext4 places a new file near its folder,
        and creating files there was measured at several times the cost of a ``mkdir``).
        Returns (sha256, size, identity, copied) for ``record``: the identity of the
        blob, which the publish will want; ``copied`` when the cache is on another file
        system and the page a copy of its blob.
        """
        rel = _safe_relative(rel)
        dest = os.path.join(str(self.root), rel)
        parent = os.path.dirname(dest)
        if parent not in self.made:
            _make_folders(parent, self.made)
        try:
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:  # two pages of one path: the publish puts the one it wants
            sha, size = blobs.put(data)
            return sha, size, "", False
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        sha, size, how = blobs.adopt(dest, data)
        blob = blobs.blob_file(sha)
        if how == "existing":  # one file for both, as a publish would link it
            os.unlink(dest)
            how = _put(blob, dest)
        return sha, size, _identity(blob), how == "copied"

    def record(self, rel: str, identity: str, copied: bool = False) -> None:
        """Note a page ``write`` put here (in a worker): the publish keeps it."""
        rel = _safe_relative(rel)
        self.staged.setdefault(rel, identity)
        if copied:
            self.copied.add(rel)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def will_swap(previous: Manifest | None, changing: int, total: int) -> bool:
    """Whether publishing ``total`` files, ``changing`` of them made anew, will swap a new
    folder in: said before rendering, to write the pages straight into a ``Staging``.

    A guess when there is a ``previous`` manifest: the pages made anew may come out as
    they were, and the publish then works in place after all (or finds nothing changed).
    """
    return previous is None or changing > max(100, IN_PLACE_LIMIT * total)


def publish(
    files: Iterable[OutputFile],
    *,
    target: Path,
    links: Mapping[str, str] | None = None,
    previous: Manifest | None = None,
    before_changes: Callable[[], None] | None = None,
    staging: Staging | None = None,
) -> Published:
    """Make ``target`` hold exactly ``files``: in place when ``previous`` allows, else by swap.

    ``links`` maps more output paths to files to link, as plain strings (a large site's
    pages from the build cache: hundreds of thousands of ``Path`` objects would cost
    hundreds of megabytes). Later files with the same path replace earlier ones (so a
    site's static file can override the theme's); ``links`` come after ``files``.
    ``target``'s parent is created if needed. With ``staging`` (made for this ``target``)
    the publish swaps that folder in (a staged file stays when its source is still the
    one wanted, same identity, else it is made again), unless ``previous`` allows an
    in-place publish after all: then the staging folder is discarded.
    """
    target = target.resolve()
    if staging is None:
        target.parent.mkdir(parents=True, exist_ok=True)
        _clear_leftovers(target)
    elif staging.target != target:
        raise ValueError(f"staging for {staging.target}, not {target}")
    with collector_paused():  # thousands of paths, stats and manifest rows: no cycles
        by_path: dict[str, OutputFile | str] = {}
        for f in files:
            by_path[_safe_relative(f.path)] = f
        for rel, source in (links or {}).items():
            by_path[_safe_relative(rel)] = source
        wanted = {rel: _identity(f) for rel, f in by_path.items()}
        if staging is not None:
            for rel, ident in staging.staged.items():  # one string per page, not two
                if wanted.get(rel) == ident:
                    wanted[rel] = ident
        if previous is not None and intact(target, previous):
            changed = [rel for rel, ident in wanted.items() if previous.get(rel, ("",))[0] != ident]
            removed = [rel for rel in previous if rel not in wanted]
            if not changed and not removed:
                if staging is not None:
                    staging.discard()
                return Published(len(wanted), 0, 0, 0, mode="unchanged", manifest=previous)
            if len(changed) + len(removed) <= max(100, IN_PLACE_LIMIT * len(wanted)):
                if staging is not None:
                    staging.discard()
                    staging = None
                if before_changes is not None:
                    before_changes()
                done = _in_place(target, by_path, wanted, previous, changed, removed)
                if done is not None:
                    return done
        return _swap_in(target, by_path, wanted, staging)


def update(
    target: Path, files: Iterable[OutputFile], manifest: Manifest
) -> tuple[int, dict[str, tuple[str, int, int, int]]]:
    """Write a few made files into the published ``target`` in place, as ``publish`` would.

    For ``edits``, which knows exactly which files an edit changes: no other file is
    looked at. Files whose bytes are already there (by ``manifest``, the last publish's)
    are skipped; the others are written to temporary names first, then each renamed
    over its destination. Returns how many were written and the updated manifest, so
    that the next ``publish`` still finds the folder as it left it.
    """
    base = str(target.resolve())
    out = dict(manifest)
    todo: dict[str, tuple[OutputFile, str]] = {}  # rel -> (file, identity)
    for f in files:
        rel = _safe_relative(f.path)
        ident = _identity(f)
        if out.get(rel, ("",))[0] == ident:
            continue
        same = _same_bytes(os.path.join(base, rel), f.data)
        if same is not None:  # e.g. a list page whose teaser did not change
            out[rel] = (ident, *same)
            continue
        todo[rel] = (f, ident)
    temps, _ = _write_beside(base, {rel: f for rel, (f, _) in todo.items()})
    for temp, dest in temps:
        os.replace(temp, dest)
    out.update(_manifest(Path(base), {rel: ident for rel, (_, ident) in todo.items()}))
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


def _identity(f: OutputFile | str) -> str:
    """What a file will hold: its bytes' hash, or its source's identity (linked as is)."""
    if isinstance(f, str):
        source: str | Path = f
    elif f.data is not None:
        return "sha:" + hashlib.sha256(f.data).hexdigest()
    elif f.source is None:
        raise PresssiteError(f"nothing to write for {f.path}")
    else:
        source = f.source
    found = file_identity(source)
    if found is None:
        return "missing"
    dev, ino, size, mtime = found
    return f"{dev}:{ino}:{size}:{mtime}"


def _new_folder(target: Path) -> Path:
    folder = target.with_name(f"{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    folder.mkdir()
    return folder


def _swap_in(
    target: Path,
    by_path: dict[str, OutputFile | str],
    wanted: dict[str, str],
    staged: Staging | None = None,
) -> Published:
    staging = _new_folder(target) if staged is None else staged.root
    try:
        stats, linked = _write_all(staging, by_path, wanted, staged)
        manifest = _manifest(staging, wanted, linked)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Published(
        files=stats[0],
        linked=stats[1],
        copied=stats[2],
        bytes_written=stats[3],
        changed=len(wanted),
        manifest=manifest,
    )


def _write_all(
    root: Path,
    files: dict[str, OutputFile | str],
    wanted: Mapping[str, str],
    staged: Staging | None = None,
) -> tuple[tuple[int, int, int, int], set[str]]:
    """Put every file into the new folder ``root``: the counts, and what was linked.

    Each folder is made with one ``mkdir`` (its parent made first): ``root`` held only
    what ``staged`` put there, so a folder neither made is not there, and a site of
    thousands of pages, each ``<page>/index.html``, needs no ``stat`` before each
    ``mkdir``. A staged file whose source still has the ``wanted`` identity stays.
    """
    base = str(root)
    made = staged.made if staged is not None else {base}
    early = staged.staged if staged is not None else {}
    linked: set[str] = set()
    copied = written = 0
    for rel, f in files.items():
        dest = os.path.join(base, rel)
        if rel in early:
            assert staged is not None
            if early[rel] == wanted[rel]:
                if rel in staged.copied:
                    copied += 1
                else:
                    linked.add(rel)
                continue
            os.unlink(dest)  # replaced by another file of the same path after staging
        parent = os.path.dirname(dest)
        if parent not in made:
            _make_folders(parent, made)
        how = _put(f, dest)
        if how == "linked":
            linked.add(rel)
        copied += how == "copied"
        written += len(f.data) if not isinstance(f, str) and f.data is not None else 0
    for rel in early.keys() - files.keys():  # staged, then not published after all
        os.unlink(os.path.join(base, rel))
    return (len(files), len(linked), copied, written), linked


def _make_folders(folder: str, made: set[str]) -> None:
    """Make ``folder`` and the folders above it missing from ``made`` (outermost first)."""
    missing = []
    while folder not in made:
        missing.append(folder)
        folder = os.path.dirname(folder)
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made by a worker, or by another
            os.mkdir(path)
        made.add(path)


def _put(f: OutputFile | str, dest: str) -> str:
    """Create ``dest`` (which must not exist) with the file's content: how it was made."""
    if isinstance(f, str):
        source: str | Path = f
    elif f.data is not None:
        with open(dest, "xb") as fh:
            fh.write(f.data)
        return "written"
    elif f.source is None:
        raise PresssiteError(f"nothing to write for {dest}")
    else:
        source = f.source
    try:
        os.link(source, dest)
        return "linked"
    except OSError:
        shutil.copyfile(source, dest)
        return "copied"


def _manifest(
    root: Path, wanted: Mapping[str, str], linked: Collection[str] = ()
) -> dict[str, tuple[str, int, int, int]]:
    """Each published file's identity, inode, size and mtime, as ``intact`` checks them.

    A file in ``linked`` is a hard link to the source its identity was read from (the
    same inode, size and mtime), so its figures come from the identity, not a ``stat``.
    """
    base = str(root)
    out = {}
    for rel, ident in wanted.items():
        if rel in linked and not ident.startswith("sha:"):
            _dev, ino, size, mtime = ident.split(":")
            out[rel] = (ident, int(ino), int(size), int(mtime))
            continue
        st = os.lstat(os.path.join(base, rel))
        out[rel] = (ident, st.st_ino, st.st_size, st.st_mtime_ns)
    return out


def _in_place(
    target: Path,
    by_path: dict[str, OutputFile | str],
    wanted: dict[str, str],
    previous: Manifest,
    changed: list[str],
    removed: list[str],
) -> Published | None:
    """Publish ``changed`` and ``removed`` into ``target``; None: do a full swap instead."""
    base = str(target)
    try:
        temps, (linked, copied, written) = _write_beside(
            base, {rel: by_path[rel] for rel in changed}
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
    manifest.update(_manifest(target, {rel: wanted[rel] for rel in changed}))
    return Published(
        files=len(wanted),
        linked=linked,
        copied=copied,
        bytes_written=written,
        changed=len(changed),
        removed=len(removed),
        mode="in place",
        manifest=manifest,
    )


def _write_beside(
    base: str, files: Mapping[str, OutputFile | str]
) -> tuple[list[tuple[str, str]], tuple[int, int, int]]:
    """The first phase of publishing in place: each file put at a temporary name beside
    its destination, folders made as needed. Returns (temp, destination) pairs and the
    counts linked, copied and bytes written. Any failure removes what this made and is
    raised; a destination that is a folder raises ``_Conflict``.
    """
    temps: list[tuple[str, str]] = []
    made: list[str] = []  # folders created for new files, removed again on failure
    linked = copied = written = 0
    try:
        for rel, f in files.items():
            dest = os.path.join(base, rel)
            if os.path.isdir(dest):
                raise _Conflict(f"the build makes a file where the output has the folder {rel}")
            _makedirs(os.path.dirname(dest), made)
            folder, name = os.path.split(dest)
            temp = os.path.join(folder, f".{name}.{uuid.uuid4().hex[:8]}.presssite-tmp")
            how = _put(f, temp)
            temps.append((temp, dest))
            linked += how == "linked"
            copied += how == "copied"
            written += len(f.data) if not isinstance(f, str) and f.data is not None else 0
    except BaseException:
        _undo(temps, made)
        raise
    return temps, (linked, copied, written)


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
