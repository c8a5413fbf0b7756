"""The files git already knows unchanged, and the blob id of their bytes.

A checkout (every deploy by a CI workflow) gives every file a new modification time, so
``FileHashes`` cannot tell by size and time that a file kept its bytes, and would read
and hash the whole site: every document, and every photo, often gigabytes. Git can tell
without reading them: its index holds each tracked file's blob id (a hash of the bytes
it checked out) with the file's stat data as written, and ``git ls-files --modified``
lists the files whose stat data no longer matches (or whose bytes changed though it
does: git's own check of racily written files). A tracked file that is not listed still
holds the bytes of its blob. ``FileHashes`` then trusts the SHA-256 it kept for the same
blob id and size.

Asked of the ``git`` program (``gitquery``); outside a work tree, without git, or on any
error, no file is known and every file is read as before. Files marked assume-unchanged
or skip-worktree are left out: git does not look at them, so it cannot vouch for them.
"""

from __future__ import annotations

import os

from presssite import gitquery

_CACHED = "H"  # ``ls-files -v`` tag of a tracked file git checks (lowercase: assumed)
_FILE_MODES = ("100644", "100755")  # symlinks (120000) and submodules (160000) are not


def clean_blobs(root: str) -> dict[str, str]:
    """Absolute path (below ``root``, as ``os.path.join(root, ...)`` spells it) -> blob
    id, for the tracked regular files git knows hold the bytes of their blob."""
    listed = gitquery.output(root, "ls-files", "--stage", "-v", "-z")
    modified = gitquery.output(root, "ls-files", "--modified", "-z") if listed else None
    if listed is None or modified is None:
        return {}
    changed = set(modified.split("\0"))
    found = {}
    for row in listed.split("\0"):
        head, tab, name = row.partition("\t")
        fields = head.split(" ")
        if not tab or len(fields) != 4 or name in changed:
            continue
        tag, mode, blob, stage = fields
        if tag == _CACHED and mode in _FILE_MODES and stage == "0":
            found[os.path.join(root, *name.split("/"))] = blob
    return found
