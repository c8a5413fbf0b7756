"""Publish the built files into the output folder: all or nothing, and only what changed.

A full publish writes the new site into ``<out>.tmp-<id>/`` beside the target and swaps
it in only when every file is there: the previous output is renamed aside, the new one
renamed in, then the old one removed. Two renames are needed because POSIX ``rename``
does not replace a non-empty directory. A failed or interrupted build therefore never
leaves a half-written site where the previous one was: at worst a ``.tmp-``/``.old-``
folder that the next build clears away. A build with no manifest of the output starts
that folder early, as a ``staging.Staging``, into which the render workers write the
pages as they render them.

Files that come from elsewhere (feeds from the build cache, photos from the image
cache, static files) are hard-linked when they are on the same file system, and copied
otherwise, so a full publish creates folders and links rather than writing bytes. Pages
are given by the SHA-256 of their bytes (``pages``), and their identity is that hash:
a page's bytes are in a ``Staging`` folder (written there by the render workers),
beside its place in the output (``staging.Beside``, likewise), in a blob of the build
cache (a page rendered for a small in-place publish), or in the previous output at the
same path, and a page the previous output already holds is not touched.

A rebuild that changes few files skips even that. Given the ``Manifest`` of the previous
publish into the same folder (what each file was and the inode, size and modification
time it was published with), ``publish`` first checks that the folder still holds
exactly those files, untouched; then, when no more than ``IN_PLACE_LIMIT`` files change,
it publishes *in place*, in two phases: every new or changed file is first linked (or
written) to a temporary name beside its destination, and only when all are there is
each renamed over its destination (``rename`` replaces a file atomically) and are the
files no longer built deleted. A rebuild that renders more pages anew than that (a
template edited) has the render workers write them at those temporary names
(``staging.Beside``): it is then published in place however many pages changed, as
long as few files are added or removed, with no folder made or deleted. A failure in
the first phase removes the temporary files and leaves the output as it was; the second
phase is renames and deletions only.
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
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from presssite.cache.store import BuildCache, Manifest, file_identity, intact
from presssite.errors import PresssiteError
from presssite.model import OutputFile
from presssite.output.staging import (
    Beside,
    Staging,
    clear_leftovers,
    make_folders,
    new_folder,
    safe_relative,
)
from presssite.parallel import collector_paused

log = logging.getLogger(__name__)

IN_PLACE_LIMIT = 0.1  # at most this share of the files (and at least 100) change in place

Sources = Callable[[str, str], Iterable[str]]  # (rel, sha) -> files that may hold the page


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


def early_writes(previous: Manifest | None, changing: int, total: int) -> str | None:
    """Where the render workers write the pages of a publish of ``total`` files,
    ``changing`` of them made anew, said before rendering: ``"swap"`` (into a ``Staging``
    folder, as a publish by swap), ``"beside"`` (next to their place in the output, as a
    publish in place of many pages: ``staging.Beside``), or None (few pages: into the
    build cache's blobs, from which the publish links them).

    ``previous`` is the manifest of an output found as it was published, or None. With
    it, the pages made anew may come out as they were, and the publish then finds
    nothing changed.
    """
    if previous is None:
        return "swap"
    return "beside" if changing > in_place_limit(total) else None


def in_place_limit(total: int) -> float:
    """How many of ``total`` files a publish changes in place, at most, unless their
    pages are written beside the output already (then it is how many are added or
    removed)."""
    return max(100, IN_PLACE_LIMIT * total)


def publish(
    files: Iterable[OutputFile],
    *,
    target: Path,
    pages: Mapping[str, str] | None = None,
    blobs: BuildCache | None = None,
    previous: Manifest | None = None,
    checked: bool = False,
    before_changes: Callable[[], None] | None = None,
    staging: Staging | Beside | None = None,
) -> Published:
    """Make ``target`` hold exactly ``files``: in place when ``previous`` allows, else by swap.

    ``pages`` maps more output paths to the SHA-256 of their bytes, found in ``staging``,
    in ``blobs`` or in the ``previous`` output at the same path (a page no longer in any
    of them is an error). Later files with the same path replace earlier ones (so a
    site's static file can override the theme's); ``pages`` come after ``files``.
    ``checked``: the caller has just found ``previous`` ``intact``. ``target``'s parent
    is created if needed. With ``staging`` (made for this ``target``) the publish swaps
    that folder in (a staged page stays when it is still the one wanted, else it is
    made again), unless ``previous`` allows an in-place publish after all: then the
    changed pages are linked from the staging folder, which is then discarded. With a
    ``Beside``, the pages written next to their destinations are renamed over them, in
    place however many they are, as long as few files are added or removed; otherwise
    (or when the output is no longer as ``previous`` says) by swap, linked from there.
    """
    target = target.resolve()
    if staging is None:
        target.parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(target)
    elif staging.target != target:
        raise ValueError(f"staging for {staging.target}, not {target}")
    with collector_paused():  # thousands of paths, stats and manifest rows: no cycles
        by_path: dict[str, OutputFile | str] = {}
        for f in files:
            by_path[safe_relative(f.path)] = f
        for rel, sha in (pages or {}).items():
            by_path[safe_relative(rel)] = sha
        wanted = {rel: _identity(f) for rel, f in by_path.items()}
        if staging is not None:
            for rel, row in staging.staged.items():  # one string per page, not two
                if wanted.get(rel) == row[0]:
                    wanted[rel] = row[0]
        sources = _PageSources(target, blobs, previous, staging)
        if previous is not None and not checked and not intact(target, previous):
            previous = None  # files were changed by hand: a new folder, with all of them
        if previous is not None:
            changed = [rel for rel, ident in wanted.items() if previous.get(rel, ("",))[0] != ident]
            removed = [rel for rel in previous if rel not in wanted]
            if not changed and not removed:
                if staging is not None:
                    staging.discard()
                return Published(len(wanted), 0, 0, 0, mode="unchanged", manifest=previous)
            limit = in_place_limit(len(wanted))
            moved = len(changed) + len(removed)
            if isinstance(staging, Beside):  # the changed pages are beside theirs already
                moved = sum(rel not in previous for rel in changed) + len(removed)
            if moved <= limit:
                if before_changes is not None:
                    before_changes()
                ready = {}
                if isinstance(staging, Beside):
                    ready = {r: staging.temp(r) for r in changed if staging.source(r, wanted[r])}
                done = _in_place(
                    target, by_path, wanted, previous, changed, removed, sources, ready
                )
                if done is not None:
                    if isinstance(staging, Beside):
                        staging.renamed(ready)
                    if staging is not None:
                        staging.discard()
                    return done
        if isinstance(staging, Beside):
            try:  # its files are in the output, which the swap puts aside and deletes
                return _swap_in(target, by_path, wanted, None, sources)
            finally:
                staging.discard()
        return _swap_in(target, by_path, wanted, staging, sources)


class _PageSources:
    """Where the bytes of a page (given by its SHA-256) are, to link them elsewhere."""

    def __init__(
        self,
        target: Path,
        blobs: BuildCache | None,
        previous: Manifest | None,
        staging: Staging | Beside | None,
    ) -> None:
        self.target, self.blobs, self.previous, self.staging = target, blobs, previous, staging

    def __call__(self, rel: str, sha: str) -> Iterator[str]:
        """The files that may hold the page ``rel`` of ``sha``, best first."""
        ident = f"sha:{sha}"
        staged = self.staging.source(rel, ident) if self.staging is not None else None
        if staged is not None:
            yield staged
        if self.blobs is not None:
            yield self.blobs.blob_file(sha)
        row = self.previous.get(rel) if self.previous is not None else None
        if row is not None and row[0] == ident:
            path = os.path.join(str(self.target), rel)
            found = file_identity(path)
            if found is not None and found[1:] == row[1:]:
                yield path


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
        rel = safe_relative(f.path)
        ident = _identity(f)
        if out.get(rel, ("",))[0] == ident:
            continue
        same = _same_bytes(os.path.join(base, rel), f.data)
        if same is not None:  # e.g. a list page whose teaser did not change
            out[rel] = (ident, *same)
            continue
        todo[rel] = (f, ident)
    temps, _ = _write_beside(base, {rel: f for rel, (f, _) in todo.items()}, _nowhere)
    for temp, dest in temps:
        os.replace(temp, dest)
    out.update(_manifest(Path(base), {rel: ident for rel, (_, ident) in todo.items()}))
    return len(temps), out


def _nowhere(_rel: str, _sha: str) -> Iterable[str]:
    """The sources of ``update``'s files: it is given no pages by their hash."""
    return ()


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
    """What a file will hold: its bytes' hash (a page's is given), or its source's
    identity (linked as is)."""
    if isinstance(f, str):
        return f"sha:{f}"
    if f.data is not None:
        return "sha:" + hashlib.sha256(f.data).hexdigest()
    if f.source is None:
        raise PresssiteError(f"nothing to write for {f.path}")
    found = file_identity(f.source)
    if found is None:
        return "missing"
    dev, ino, size, mtime = found
    return f"{dev}:{ino}:{size}:{mtime}"


def _swap_in(
    target: Path,
    by_path: dict[str, OutputFile | str],
    wanted: dict[str, str],
    staged: Staging | None,
    sources: Sources,
) -> Published:
    staging = new_folder(target) if staged is None else staged.root
    try:
        stats, linked = _write_all(staging, by_path, wanted, staged, sources)
        kept = staged.staged if staged is not None else {}
        manifest = _manifest(staging, wanted, linked, kept)
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
    staged: Staging | None,
    sources: Sources,
) -> tuple[tuple[int, int, int, int], set[str]]:
    """Put every file into the new folder ``root``: the counts, and what was linked.

    Each folder is made with one ``mkdir`` (its parent made first): ``root`` held only
    what ``staged`` put there, so a folder neither made is not there, and a site of
    thousands of pages, each ``<page>/index.html``, needs no ``stat`` before each
    ``mkdir``. A staged page that is still the one ``wanted`` stays.
    """
    base = str(root)
    made = staged.made if staged is not None else {base: True}
    early = staged.staged if staged is not None else {}
    linked: set[str] = set()
    copied = written = 0
    for rel, f in files.items():
        dest = os.path.join(base, rel)
        if rel in early:
            if early[rel][0] == wanted[rel]:
                continue
            os.unlink(dest)  # replaced by another file of the same path after staging
        parent = os.path.dirname(dest)
        if parent not in made:
            make_folders(parent, made)
        how = _put(f, dest, rel, sources)
        if how == "linked":
            linked.add(rel)
        copied += how == "copied"
        written += len(f.data) if not isinstance(f, str) and f.data is not None else 0
    for rel in early.keys() - files.keys():  # staged, then not published after all
        os.unlink(os.path.join(base, rel))
    return (len(files), len(linked), copied, written), linked


def _put(f: OutputFile | str, dest: str, rel: str, sources: Sources) -> str:
    """Create ``dest`` (which must not exist) with the file's content: how it was made.

    A page (``f`` its SHA-256) is linked from the first of its ``sources`` still there.
    """
    if isinstance(f, str):
        for source in sources(rel, f):
            with contextlib.suppress(FileNotFoundError):
                return _link(source, dest)
        raise PresssiteError(
            f"the bytes of the page {rel} are neither in the build cache nor in the output",
            hint="build again (the page is then rendered anew)",
        )
    if f.data is not None:
        with open(dest, "xb") as fh:
            fh.write(f.data)
        return "written"
    if f.source is None:
        raise PresssiteError(f"nothing to write for {dest}")
    return _link(f.source, dest)


def _link(source: str | Path, dest: str) -> str:
    """Hard-link ``source`` as ``dest``, or copy it across file systems."""
    try:
        os.link(source, dest)
        return "linked"
    except FileNotFoundError:
        raise
    except OSError:
        shutil.copyfile(source, dest)
        return "copied"


def _manifest(
    root: Path,
    wanted: Mapping[str, str],
    linked: Collection[str] = (),
    kept: Mapping[str, tuple[str, int, int, int]] | None = None,
) -> dict[str, tuple[str, int, int, int]]:
    """Each published file's identity, inode, size and mtime, as ``intact`` checks them.

    A file in ``linked`` is a hard link to the source its identity was read from (the
    same inode, size and mtime), so its figures come from the identity, not a ``stat``;
    a staged page ``kept`` as written has its row already.
    """
    base = str(root)
    kept = kept or {}
    out = {}
    for rel, ident in wanted.items():
        row = kept.get(rel)
        if row is not None and row[0] == ident:
            out[rel] = row
            continue
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
    sources: Sources,
    ready: Mapping[str, str],
) -> Published | None:
    """Publish ``changed`` and ``removed`` into ``target``; None: do a full swap instead.

    ``ready`` names the changed files already at a temporary name beside their place.
    """
    base = str(target)
    try:
        for rel in ready:
            if os.path.isdir(os.path.join(base, rel)):
                raise _Conflict(f"the build makes a file where the output has the folder {rel}")
        temps, (linked, copied, written) = _write_beside(
            base, {rel: by_path[rel] for rel in changed if rel not in ready}, sources
        )
        temps += [(temp, os.path.join(base, rel)) for rel, temp in ready.items()]
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
    base: str, files: Mapping[str, OutputFile | str], sources: Sources
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
            how = _put(f, temp, rel, sources)
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
