"""One walk of the content folder: every file, folder and bundle, with sizes and times.

The content stage answers every existence check (links, photos, attachments) from this
walk, without further system calls, and fingerprints bundles from it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from presssite.cache.hashes import FileHashes
from presssite.leftovers import unwanted

log = logging.getLogger(__name__)

INDEX = re.compile(r"^index(?:\.([^.]+))?\.md$")


@dataclass
class Tree:
    """One walk of ``content/``: files, folders, and the bundles among them."""

    root: str  # absolute content folder
    files: set[str] = field(default_factory=set)  # absolute paths of all files
    listing: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)  # dir -> files
    subdirs: dict[str, list[str]] = field(default_factory=dict)
    bundles: dict[str, list[str]] = field(default_factory=dict)  # dir -> its index*.md names

    def bundle_fingerprint(self, bundle_dir: str) -> str:
        """A hash of the names of every file and folder below a bundle folder.

        A parse depends on the bundle's other files only through their existence (links
        to photos and attachments), so their names are all that counts: a fresh clone,
        which gives every file a new modification time, finds the parses it cached.
        """
        h = hashlib.sha256()
        stack = [bundle_dir]
        while stack:
            folder = stack.pop()
            rel = below(folder, bundle_dir)
            for name, _size, _mtime in self.listing.get(folder, ()):
                h.update(f"{rel}/{name}\0".encode("utf-8", "surrogatepass"))
            stack.extend(sorted(self.subdirs.get(folder, ()), reverse=True))
        return h.hexdigest()


def below(path: str, folder: str) -> str:
    """``os.path.relpath(path, folder)`` for a ``path`` the walk found at or under
    ``folder`` ("." for the folder itself), without ``relpath``'s own path walks: a
    build asks it thousands of times before parsing."""
    if path == folder:
        return "."
    if path.startswith(folder + os.sep):
        return path[len(folder) + 1 :]
    return os.path.relpath(path, folder)


def walk(content_dir: Path) -> Tree:
    """List the content folder once. Hidden entries and editors' leftovers are skipped
    (``leftovers.unwanted``: never published, never a bundle's file); symlinked folders are
    not followed (a link cycle must not hang a build), symlinked files are listed."""
    tree = Tree(root=os.path.abspath(content_dir))
    stack = [tree.root]
    while stack:
        folder = stack.pop()
        files: list[tuple[str, int, int]] = []
        dirs: list[str] = []
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            log.warning("cannot list %s: %s", folder, exc.strerror)
            continue
        for entry in entries:
            if unwanted(entry.name):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    dirs.append(entry.path)
                elif entry.is_file():
                    st = entry.stat()
                    files.append((entry.name, st.st_size, st.st_mtime_ns))
                    tree.files.add(entry.path)
            except OSError:
                continue
        files.sort()
        dirs.sort()
        tree.listing[folder] = files
        tree.subdirs[folder] = dirs
        index = [name for name, _, _ in files if INDEX.match(name)]
        if index:
            tree.bundles[folder] = index
        stack.extend(reversed(dirs))
    return tree


def fingerprint(tree: Tree, hashes: FileHashes) -> str:
    """A hash of the whole walk: every folder, every file's name and its bytes' hash
    (read only for files whose size or modification time ``hashes`` does not know)."""
    h = hashlib.sha256()
    for folder in sorted(tree.listing):
        h.update(f"\0{folder}\0".encode("utf-8", "surrogatepass"))
        for name, size, mtime in tree.listing[folder]:
            sha = hashes.sha(os.path.join(folder, name), size, mtime)
            h.update(f"{name}\0{sha}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]
