"""Publish the built files into the output folder: all or nothing, and only what changed.

A full publish writes the new site into ``<out>.tmp-<id>/`` beside the target and swaps
it in only when every file is there: the previous output is renamed aside, the new one
renamed in, then the old one removed. Two renames are needed because POSIX ``rename``
does not replace a non-empty directory. A failed or interrupted build therefore never
leaves a half-written site where the previous one was: at worst a ``.tmp-``/``.old-``
folder that the next build clears away. A build that will swap starts that folder
early, as a ``staging.Staging``, into which the render workers write the pages as they
render them (``swaps`` says so before rendering).

A rebuild that changes few files skips even that. Given the ``Manifest`` of the previous
publish into the same folder, ``publish`` checks what the folder still holds
(``cache.manifest.verified``: a page restored elsewhere with new times is known by its
bytes), and when it holds them all as published and no more than ``IN_PLACE_LIMIT`` of
the files change, it publishes them in place (``output.inplace``); an output changed by
hand is replaced whole. The caller
forgets the manifest before an in-place publish (``before_changes``) and saves the new
one after, so an interrupted in-place publish is followed by a full one. A rebuild that
changes nothing touches nothing.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from presssite.cache.hashes import FileHashes
from presssite.cache.manifest import Manifest, complete, verified
from presssite.cache.store import BuildCache
from presssite.errors import PresssiteError
from presssite.model import OutputFile
from presssite.output.files import (
    PageSources,
    Sources,
    Wanted,
    identity,
    make_rows,
    put,
    written,
)
from presssite.output.inplace import Published, in_place
from presssite.output.staging import (
    Staging,
    clear_leftovers,
    make_folders,
    new_folder,
    safe_relative,
)

# At most this share of the files (and at least 100) change in place. A deploy after
# one new release changes a few pages (``site.paging`` keeps the older list pages as
# they were); edits that change more, such as a release's new date moving the pages of
# its lists, stay in place up to half of the files, which a swap would write all of
# again (every page linked into a new folder, the old one removed).
IN_PLACE_LIMIT = 0.5


def swaps(previous: Manifest | None, changing: int, total: int) -> bool:
    """Whether a publish of ``total`` files, ``changing`` of them made anew, will swap a
    new folder in (said before rendering, so that the pages are written straight into
    it): when the output is not as its manifest says, or more change than in place."""
    return not complete(previous) or changing > in_place_limit(total)


def in_place_limit(total: int) -> float:
    """How many of ``total`` files a publish changes in place, at most."""
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
    staging: Staging | None = None,
    hashes: FileHashes | None = None,
) -> Published:
    """Make ``target`` hold exactly ``files``: in place when ``previous`` allows, else by swap.

    ``pages`` maps more output paths to the SHA-256 of their bytes, found in ``staging``,
    in ``blobs`` or in the ``previous`` output at the same path (a page no longer in any
    of them is an error). Later files with the same path replace earlier ones (so a
    site's static file can override the theme's); ``pages`` come after ``files``.
    ``checked``: ``previous`` is ``verified`` already. ``target``'s parent is created if
    needed. With ``staging`` (made for this ``target``) the publish swaps that folder
    in (a staged page stays when it is still the one wanted, else it is made again),
    unless ``previous`` allows an in-place publish after all: then the changed pages are
    linked from the staging folder, which is then discarded. ``hashes`` spares hashing
    the source files again that are as they were.
    """
    target = target.resolve()
    if staging is None:
        target.parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(target)
    elif staging.target != target:
        raise ValueError(f"staging for {staging.target}, not {target}")
    by_path: dict[str, Wanted] = {}
    for f in files:
        by_path[safe_relative(f.path)] = f
    for rel, sha in (pages or {}).items():
        by_path[safe_relative(rel)] = sha
    hashes = hashes if hashes is not None else FileHashes()
    wanted = {rel: identity(f, hashes) for rel, f in by_path.items()}
    if staging is not None:
        for rel, row in staging.staged.items():  # one string per page, not two
            if wanted.get(rel) == row[0]:
                wanted[rel] = row[0]
    if previous is not None and not checked:
        previous = verified(target, previous)
    sources = PageSources(target, blobs, previous, staging)
    if not complete(previous):
        previous = None  # files were changed by hand: a new folder, with all of them
    if previous is not None:
        changed = [rel for rel, ident in wanted.items() if previous.get(rel, ("",))[0] != ident]
        removed = [rel for rel in previous if rel not in wanted]
        if not changed and not removed:
            if staging is not None:
                staging.discard()
            return Published(len(wanted), 0, 0, 0, mode="unchanged", manifest=previous)
        if len(changed) + len(removed) <= in_place_limit(len(wanted)):
            if before_changes is not None:
                before_changes()
            done = in_place(target, by_path, wanted, previous, changed, removed, sources)
            if done is not None:
                if staging is not None:
                    staging.discard()
                return done
    return _swap_in(target, by_path, wanted, staging, sources)


def _swap_in(
    target: Path,
    by_path: dict[str, Wanted],
    wanted: dict[str, str],
    staged: Staging | None,
    sources: Sources,
) -> Published:
    folder = new_folder(target) if staged is None else staged.root
    try:
        stats = _write_all(folder, by_path, wanted, staged, sources)
        manifest = make_rows(folder, wanted, staged.staged if staged is not None else None)
        _swap(folder, target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
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
    files: dict[str, Wanted],
    wanted: Mapping[str, str],
    staged: Staging | None,
    sources: Sources,
) -> tuple[int, int, int, int]:
    """Put every file into the new folder ``root``: files, linked, copied, bytes written.

    Each folder is made with one ``mkdir`` (its parent made first): ``root`` held only
    what ``staged`` put there, so a folder neither made is not there, and a site of
    thousands of pages, each ``<page>/index.html``, needs no ``stat`` before each
    ``mkdir``. A staged page that is still the one ``wanted`` stays.
    """
    base = str(root)
    made = staged.made if staged is not None else {base}
    early = staged.staged if staged is not None else {}
    linked = copied = count = 0
    for rel, f in files.items():
        dest = os.path.join(base, rel)
        if rel in early:
            if early[rel][0] == wanted[rel]:
                continue
            os.unlink(dest)  # replaced by another file of the same path after staging
        parent = os.path.dirname(dest)
        if parent not in made:
            make_folders(parent, made)
        how = put(f, dest, rel, sources)
        linked += how == "linked"
        copied += how == "copied"
        count += written(f)
    for rel in early.keys() - files.keys():  # staged, then not published after all
        os.unlink(os.path.join(base, rel))
    return len(files), linked, copied, count


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
