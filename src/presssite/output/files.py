"""One output file put in place, and what the manifest says of it.

Files that come from elsewhere (feeds from the build cache, photos from the image cache,
static files) are hard-linked when they are on the same file system, and copied
otherwise, so a publish creates folders and links rather than writing bytes. A page is
given by the SHA-256 of its bytes, and is linked from the first file that holds them
(``Sources``): the staging folder the render workers wrote it into, a blob of the build
cache, or the previous output at the same path.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from presssite.cache.hashes import FileHashes
from presssite.cache.manifest import Manifest
from presssite.cache.store import BuildCache, file_identity
from presssite.errors import PresssiteError
from presssite.model import OutputFile
from presssite.output.staging import Staging

Sources = Callable[[str, str], Iterable[str]]  # (rel, sha) -> files that may hold the page
Wanted = OutputFile | str  # a file, or a page by the SHA-256 of its bytes


class PageSources:
    """Where the bytes of a page (given by its SHA-256) are, to link them elsewhere."""

    def __init__(
        self,
        target: Path,
        blobs: BuildCache | None,
        previous: Manifest | None,
        staging: Staging | None,
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


def nowhere(_rel: str, _sha: str) -> Iterable[str]:
    """The sources of a publish given no pages by their hash."""
    return ()


def identity(f: Wanted, hashes: FileHashes | None = None) -> str:
    """What a file will hold: the SHA-256 of its bytes (a page's is given; a source's is
    read, unless ``hashes`` knows it), so that an output restored elsewhere, with new
    inodes and times, is still known by what it holds."""
    if isinstance(f, str):
        return f"sha:{f}"
    if f.data is not None:
        return "sha:" + hashlib.sha256(f.data).hexdigest()
    if f.source is None:
        raise PresssiteError(f"nothing to write for {f.path}")
    path = str(f.source)
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    sha = (hashes if hashes is not None else FileHashes()).sha(path, st.st_size, st.st_mtime_ns)
    return f"sha:{sha}" if sha else "missing"


def put(f: Wanted, dest: str, rel: str, sources: Sources) -> str:
    """Create ``dest`` (which must not exist) with the file's content: how it was made
    ("linked", "copied" or "written"). A page is linked from the first of its
    ``sources`` still there."""
    if isinstance(f, str):
        for source in sources(rel, f):
            try:
                return link(source, dest)
            except FileNotFoundError:
                continue
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
    return link(f.source, dest)


def written(f: Wanted) -> int:
    """The bytes ``put`` writes for ``f`` (none for a link)."""
    return len(f.data) if not isinstance(f, str) and f.data is not None else 0


def link(source: str | Path, dest: str) -> str:
    """Hard-link ``source`` as ``dest``, or copy it across file systems."""
    try:
        os.link(source, dest)
        return "linked"
    except FileNotFoundError:
        raise
    except OSError:
        shutil.copyfile(source, dest)
        return "copied"


def make_rows(
    root: Path,
    wanted: Mapping[str, str],
    kept: Mapping[str, tuple[str, int, int, int]] | None = None,
) -> dict[str, tuple[str, int, int, int]]:
    """Each published file's identity, inode, size and mtime, as ``verified`` checks them
    (a staged page ``kept`` as written has its row already)."""
    base = str(root)
    kept = kept or {}
    out = {}
    for rel, ident in wanted.items():
        row = kept.get(rel)
        if row is not None and row[0] == ident:
            out[rel] = row
            continue
        st = os.lstat(os.path.join(base, rel))
        out[rel] = (ident, st.st_ino, st.st_size, st.st_mtime_ns)
    return out
