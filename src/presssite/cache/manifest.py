"""What an output folder holds, as the last publish into it left it: its manifest.

A manifest maps each output path to what was published there ("sha:<hex>" of its
bytes) and the inode, size and modification time the published file had. One ``lstat``
per file then tells that the folder is still as published. A folder restored from
elsewhere (a CI cache unpacked into a fresh clone) has new inodes and the same bytes: a
file of the size and time it was published with (``tar`` keeps times), or of a new time
and the same bytes, counts as published (``verified``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from presssite.cache.store import digest

Manifest = Mapping[str, tuple[str, int, int, int]]

# The prefix of the manifests' index names (one per output folder). A manifest says what
# is on disk, not what the code makes of the inputs, so it is kept when the salt changes:
# the first build after an upgrade of presssite or of a library renders every page again
# but still publishes in place.
MANIFESTS = "target-"

UNKNOWN = "?"  # the identity of a file no longer as published


def manifest_name(target: Path) -> str:
    """The index name of the manifest of the output folder ``target``."""
    return f"{MANIFESTS}{digest(str(target.resolve()))}"


def verified(target: Path, manifest: Manifest) -> dict[str, tuple[str, int, int, int]] | None:
    """``manifest`` as ``target`` holds it now; None when ``target`` is no folder.

    A file as published keeps its row; one restored elsewhere (a new inode, the size and
    time it was published with, as ``tar`` and the CI caches keep them), or whose time
    changed but whose bytes did not, gets its new inode and time; any other file's row
    gets the identity ``UNKNOWN`` (an output changed by hand: the publish replaces it
    whole).
    """
    if not target.is_dir() or target.is_symlink():
        return None
    root = str(target)
    out = {}
    for rel, row in manifest.items():
        ident, ino, size, mtime = row
        path = os.path.join(root, rel)
        try:
            st = os.lstat(path)
        except OSError:
            out[rel] = (UNKNOWN, 0, 0, 0)
            continue
        if (st.st_ino, st.st_size, st.st_mtime_ns) == (ino, size, mtime):
            out[rel] = row
        elif (st.st_size, st.st_mtime_ns) == (size, mtime):  # restored, times kept (tar)
            out[rel] = (ident, st.st_ino, size, mtime)
        elif ident.startswith("sha:") and st.st_size == size and _sha(path) == ident[4:]:
            out[rel] = (ident, st.st_ino, size, st.st_mtime_ns)
        else:
            out[rel] = (UNKNOWN, st.st_ino, st.st_size, st.st_mtime_ns)
    return out


def intact(target: Path, manifest: Manifest) -> bool:
    """Whether ``target`` holds every file of ``manifest`` exactly as it was published."""
    found = verified(target, manifest)
    return found is not None and found == manifest


def complete(manifest: Manifest | None) -> bool:
    """Whether a ``verified`` manifest found every file as published (None: no)."""
    return manifest is not None and all(row[0] != UNKNOWN for row in manifest.values())


def _sha(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return ""
