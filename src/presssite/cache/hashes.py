"""What the files a build reads hold, known by the hash of their bytes.

A file's size and modification time tell cheaply that it did not change, but not that it
did: a fresh ``git clone`` or checkout (every deploy by a CI workflow) gives every file
a new modification time and the same bytes. So every fingerprint of the build's inputs
(the no-change shortcut's, the templates', catalogs', static files', presssite's own
code) is a hash of the files' names and *bytes*, and ``FileHashes`` keeps each file's
SHA-256 with the size and modification time it was read at: a file whose size and time
still match is not read again, any other is read and hashed once. A new clone then
costs one read of its inputs, and finds every fingerprint as the last build left it.

It need not cost even that: at the first file that kept its size but not its time (a
checkout, or a touch), ``gittracked`` asks git which files it knows unchanged, and a
file whose blob id and size are those it was hashed at keeps its hash unread. A new
file, or one of a new size, was edited: it is read without asking git (its blob id is
kept if git was asked already). A build that read many files (the first one) asks git
before it saves, so that the next checkout finds their blob ids.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from presssite.cache import gittracked
from presssite.cache.store import BuildCache

INDEX = "file-hashes"  # unsalted (``store.UNSALTED``): a hash does not depend on the code

RECORD_BLOBS_AFTER = 32  # files read: then git is asked for their blob ids before saving
Row = tuple[int, int, str, str]  # size, mtime_ns, SHA-256, git blob id ("" unknown)


class FileHashes:
    """SHA-256 of files by absolute path, trusted while their size and mtime hold, or
    while git knows them unchanged (below ``root``)."""

    def __init__(self, known: dict[str, Row] | None = None, root: Path | None = None) -> None:
        self.known = known or {}
        self.used: dict[str, Row] = {}  # the files this build looked at
        self.fresh = 0  # files read and hashed by this build
        self.vouched = 0  # files git vouched for, unread
        self.root = os.path.abspath(root) if root is not None else None
        self._git: dict[str, str] | None = None  # path -> blob id, once asked

    @classmethod
    def load(cls, store: BuildCache | None, root: Path | None = None) -> FileHashes:
        found = store.load(INDEX) if store is not None else None
        return cls(_rows(found), root)

    def save(self, store: BuildCache | None, *, whole: bool) -> None:
        """Keep the hashes for the next build: after a ``whole`` build, of the files it
        looked at (files gone are dropped); else the ones kept, with any read anew."""
        if store is None:
            return
        if self._git is None and self.fresh > RECORD_BLOBS_AFTER:
            self._ask_git()  # the next checkout may then find them unchanged unread
        kept = self.used if whole else {**self.known, **self.used}
        if self.fresh or self.vouched or kept.keys() != self.known.keys():
            store.save(INDEX, kept)
            self.known, self.fresh, self.vouched = dict(kept), 0, 0

    def sha(self, path: str, size: int, mtime_ns: int) -> str:
        """The SHA-256 of the file ``path`` of that size and mtime (read only if unknown);
        "" when it cannot be read."""
        row = self.used.get(path) or self.known.get(path)
        if row is None or row[0] != size or row[1] != mtime_ns:
            same_size = row is not None and row[0] == size  # perhaps the same bytes
            blob = self._blob(path) if same_size or self._git is not None else ""
            if row is not None and blob and row[3] == blob:
                row = (size, mtime_ns, row[2], blob)  # the same bytes, checked out again
                self.vouched += 1
            else:
                try:
                    with open(path, "rb") as fh:
                        sha = hashlib.file_digest(fh, "sha256").hexdigest()
                except OSError:
                    return ""
                row = (size, mtime_ns, sha, blob)
                self.fresh += 1
        self.used[path] = row
        return row[2]

    def known_sha(self, path: str, size: int, mtime_ns: int) -> str | None:
        """The SHA-256 of ``path`` when this build already knows it (without reading)."""
        row = self.used.get(path)
        return row[2] if row is not None and row[:2] == (size, mtime_ns) and row[2] else None

    def _blob(self, path: str) -> str:
        """The blob id git knows ``path`` by (git is asked once, for every file)."""
        return (self._git if self._git is not None else self._ask_git()).get(path, "")

    def _ask_git(self) -> dict[str, str]:
        """Which files git knows unchanged, asked once; the files read before are given
        their blob ids, for the next checkout."""
        self._git = git = gittracked.clean_blobs(self.root) if self.root is not None else {}
        for seen, row in self.used.items():
            if not row[3] and seen in git:
                self.used[seen] = (*row[:3], git[seen])
        return git


def _rows(found: Any) -> dict[str, Row] | None:
    """The rows kept by a build; those of an older presssite (no blob id) get none."""
    if not isinstance(found, dict):
        return None
    return {path: (*row[:3], row[3] if len(row) > 3 else "") for path, row in found.items()}


def tree_fingerprint(folders: Iterable[Path], hashes: FileHashes | None = None) -> str:
    """A hash of every file below ``folders``: its relative name and its bytes' hash.

    For inputs read whole by the build (templates, catalogs, static files, the theme,
    presssite's own code). ``hashes`` spares reading the files that did not change.
    """
    hashes = hashes if hashes is not None else FileHashes()
    h = hashlib.sha256()
    for top in folders:
        h.update(f"\0{top}\0".encode())
        cut = len(str(top)) + 1
        stack = [str(top)]
        while stack:
            folder = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name == "__pycache__":
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                        continue
                    st = entry.stat()
                except OSError:
                    continue
                sha = hashes.sha(entry.path, st.st_size, st.st_mtime_ns)
                h.update(f"{entry.path[cut:]}\0{sha}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]


def installed() -> str:
    """A hash of the installed distributions' names and versions (their dist-info folders).

    Any library upgrade then invalidates the cache: cheaper and safer than asking
    ``importlib.metadata`` (about 10 ms a library) which of them shape the output.
    Only the ``sys.path`` folders that hold distributions count: the first entry is the
    program's own (the ``presssite`` script's folder, or the working folder under
    ``python -m presssite``), and one build must find the cache of the other.
    """
    h = hashlib.sha256()
    for entry in sys.path:
        try:
            names = sorted(n for n in os.listdir(entry or ".") if n.endswith(".dist-info"))
        except OSError:
            continue
        if names:
            h.update(f"{entry}\0{chr(0).join(names)}\n".encode())
    return h.hexdigest()[:32]


def git_state(root: Path) -> str:
    """The commit HEAD is at, read from the repository's files (no ``git`` process):
    HEAD, then the ref it names, loose or packed ("" outside git); and, in a shallow
    clone, the commits its history stops at (fetching the rest changes what a build
    makes of the history: ``site.history.commit_history``). A fresh clone of the
    same commit gives the same answer."""
    folder = root.resolve()
    for candidate in (folder, *folder.parents):
        git = candidate / ".git"
        if git.exists():
            break
    else:
        return ""
    if git.is_file():  # a worktree or submodule: .git names the real folder
        text = _read(git)
        if not text.startswith("gitdir:"):
            return text
        git = (git.parent / text[7:].strip()).resolve()
    common = git.parent.parent if git.parent.name == "worktrees" else git
    shallow = _read(common / "shallow")
    return _head(git, common) + (f"\nshallow {shallow}" if shallow else "")


def _head(git: Path, common: Path) -> str:
    head = _read(git / "HEAD")
    if not head.startswith("ref:"):
        return head  # detached: the commit itself
    ref = head[4:].strip()
    for where in (git, common):
        loose = _read(where / ref)
        if loose:
            return f"{ref} {loose}"
        for line in _read(where / "packed-refs").splitlines():
            if line.endswith(f" {ref}"):
                return line
    return head


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8", "replace").strip()
    except OSError:
        return ""
