"""The persistent build cache under ``<cache_dir>/build/``: an optimisation, never a source.

Deleting the folder (or any file in it) changes no output byte: every entry is keyed by
a hash of all the inputs that made it, every read is checked, and anything unreadable,
truncated or from another ``CACHE_VERSION`` is ignored, never a crash. What it holds:

- ``*.pickle`` indexes (parsed documents, pages by their input key, feeds, the manifest
  of each output folder), each written whole to a temp file and ``os.replace``d in;
- ``blobs/``: content-addressed files (the bytes of feeds, and of pages rendered for an
  in-place publish), named by their SHA-256. Published files are hard links to them,
  so a blob is never changed in place: it is created with ``O_EXCL`` (a leftover of a
  killed build, recognised by its wrong size, is replaced by a new file, never
  rewritten), and a reader that finds it with the expected size may link it. The
  pages a build writes straight into a new output folder (``staging.Staging``) have
  no blob: the page index keeps their hash, and the next build finds their bytes in
  the output it published, as its manifest says, or renders them again;
- ``bodies/``: the rendered Markdown of every document, appended to pack files and read
  back with ``pread`` by offset, so the site model in memory holds no bodies (a
  100,000-release site has about 2 GB of them) and worker processes can read them
  concurrently.

One build at a time uses the cache: ``BuildCache.open`` takes an exclusive ``flock`` on
``build/lock`` and returns None when another build (a ``presssite serve`` rebuilding
while ``presssite build`` runs) holds it; that build then runs without the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from presssite.settings import Settings

log = logging.getLogger(__name__)

CACHE_VERSION = "2"  # bump when the format or meaning of any entry changes
_PACK_SUFFIX = ".pack"

# What an output folder holds, as ``output.publish`` left it: output path -> (what was
# published: "sha:<hex>" or the source's dev:ino:size:mtime; then the published file's
# inode, size and mtime_ns).
Manifest = Mapping[str, tuple[str, int, int, int]]

# The prefix of the manifests' index names (one per output folder). A manifest says what
# is on disk, not what the code makes of the inputs, so it is kept when the salt changes:
# the first build after an upgrade of presssite or of a library renders every page again
# but still publishes in place, instead of making every folder of the output anew and
# deleting the old output (10,000 releases: 42 s by swap, 32 s in place with 20,000
# pages changed).
MANIFESTS = "target-"


def build_folder(settings: Settings) -> Path:
    return settings.cache_dir / "build"


def digest(*parts: object) -> str:
    """A short stable hash of values whose ``repr`` is deterministic (str, int, tuples...)."""
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def manifest_name(target: Path) -> str:
    """The index name of the manifest of the output folder ``target``."""
    return f"{MANIFESTS}{digest(str(target.resolve()))}"


class BuildCache:
    """The cache folder of one site, locked for one build."""

    def __init__(
        self,
        root: Path,
        lock_fd: int | None = None,
        salt: str = "",
        memory: dict[Any, Any] | None = None,
    ) -> None:
        self.root = root
        self._blobs = str(root / "blobs")
        self.salt = salt  # the code and library versions: entries of others are ignored
        self.blobs = root / "blobs"
        self._lock_fd = lock_fd
        self._made: set[str] = set()
        # Indexes kept in memory by a long-running process (``presssite serve``), each
        # with the identity of the file it was read from or written to: a load whose file
        # is still that file costs one ``stat``. Values are never changed in place.
        self.memory = memory

    @classmethod
    def open(
        cls, settings: Settings, salt: str = "", memory: dict[Any, Any] | None = None
    ) -> BuildCache | None:
        """The locked cache of ``settings``; None when it is busy or cannot be created.

        ``memory`` (a dict the caller keeps from one build to the next) spares reading
        the indexes that did not change on disk since the last build.
        """
        root = build_folder(settings)
        try:
            root.mkdir(parents=True, exist_ok=True)
            fd = os.open(root / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            log.info("build cache unavailable (%s): building without it", exc)
            return None
        try:
            import fcntl
        except ImportError:  # no flock (Windows): one build at a time is the user's care
            return cls(root, fd, salt, memory)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            log.info("another build is using %s: building without the cache", root)
            return None
        return cls(root, fd, salt, memory)

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    # ---- pickled indexes

    def _salt_of(self, name: str) -> str:
        """The salt the index ``name`` is kept under: none for a manifest (``MANIFESTS``)."""
        return "" if name.startswith(MANIFESTS) else self.salt

    def load(self, name: str) -> Any | None:
        """The object saved under ``name``; None when absent, corrupt or of another version."""
        path = self.root / f"{name}.pickle"
        key = (self._salt_of(name), name)
        seen = file_identity(path) if self.memory is not None else None
        if seen is not None and self.memory is not None:
            kept = self.memory.get(key)
            if kept is not None and kept[0] == seen:
                return kept[1]
        try:
            with open(path, "rb") as fh:
                version, value = pickle.load(fh)
        except Exception:  # noqa: BLE001 - any unreadable index is simply not there
            return None
        if version != (CACHE_VERSION, key[0]):
            return None
        if seen is not None and self.memory is not None:
            self.memory[key] = (seen, value)
        return value

    def save(self, name: str, value: Any) -> None:
        """Replace the object saved under ``name`` atomically; a failure only logs."""
        path = self.root / f"{name}.pickle"
        try:
            version = (CACHE_VERSION, self._salt_of(name))
            data = pickle.dumps((version, value), protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(path, data)
        except (OSError, pickle.PicklingError, RecursionError) as exc:
            log.warning("cannot write the build cache %s: %s", name, exc)
            return
        if self.memory is not None:
            seen = file_identity(path)
            if seen is not None:
                self.memory[(self._salt_of(name), name)] = (seen, value)

    def trim(self, prefixes: tuple[str, ...], *, keep: int) -> None:
        """Keep only the ``keep`` newest indexes of each prefix (one per output folder:
        the dev server builds into a new folder every time)."""
        for prefix in prefixes:
            found = []
            for name in _listdir(self.root):
                if name.startswith(prefix) and name.endswith(".pickle"):
                    with contextlib.suppress(OSError):
                        found.append((os.stat(self.root / name).st_mtime_ns, name))
            for _mtime, name in sorted(found, reverse=True)[keep:]:
                with contextlib.suppress(OSError):
                    os.unlink(self.root / name)

    def forget(self, name: str) -> None:
        if self.memory is not None:
            self.memory.pop((self._salt_of(name), name), None)
        with contextlib.suppress(OSError):
            os.unlink(self.root / f"{name}.pickle")

    # ---- content-addressed blobs

    def blob_path(self, sha: str) -> Path:
        return Path(self.blob_file(sha))

    def blob_file(self, sha: str) -> str:
        return f"{self._blobs}/{sha[:1]}/{sha[1:]}"

    def put(self, data: bytes) -> tuple[str, int]:
        """Store ``data`` (unless already there) and return (sha256, size)."""
        sha = hashlib.sha256(data).hexdigest()
        path = self._new_blob(sha)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            _mend(path, data)
            return sha, len(data)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return sha, len(data)

    def _new_blob(self, sha: str) -> str:
        """The blob file of ``sha``, its shard folder made (once per process)."""
        blob = self.blob_file(sha)
        folder = os.path.dirname(blob)
        if folder not in self._made:
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        return blob

    def has(self, sha: str, size: int) -> bool:
        """Whether the blob ``sha`` is there with the expected size."""
        return _size(self.blob_file(sha)) == size

    def prune_blobs(self, keep: Iterable[str]) -> int:
        """Delete blobs not in ``keep`` (hard links already published are unaffected)."""
        wanted = set(keep)
        count = 0
        for shard in _listdir(self.blobs):
            for name in _listdir(self.blobs / shard):
                if shard + name not in wanted and not name.endswith(".tmp"):
                    with contextlib.suppress(OSError):
                        os.unlink(self.blobs / shard / name)
                        count += 1
        return count

    def blob_count(self) -> int:
        return sum(len(_listdir(self.blobs / shard)) for shard in _listdir(self.blobs))


# --------------------------------------------------------------------------- body packs


@dataclass(frozen=True, slots=True)
class BodyRef:
    """Where a document's body is: a pack file, an offset and a length in bytes."""

    pack: str  # file name inside the packs folder
    offset: int
    length: int


class Packs:
    """Append-only pack files of document bodies, read by offset with ``pread``.

    ``pread`` takes no file position, so forked workers sharing an inherited descriptor
    read concurrently without disturbing each other. A writer creates a new pack file
    per build (and per worker), so a pack never changes once a catalog refers to it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._fds: dict[str, int] = {}

    def writer(self) -> PackWriter:
        self.folder.mkdir(parents=True, exist_ok=True)
        return PackWriter(self.folder, f"{uuid.uuid4().hex}{_PACK_SUFFIX}")

    def read(self, ref: BodyRef) -> str | None:
        """The body at ``ref``; None when the pack is gone or too short."""
        fd = self._fds.get(ref.pack)
        try:
            if fd is None:
                fd = self._fds[ref.pack] = os.open(self.folder / ref.pack, os.O_RDONLY)
            data = _pread(fd, ref.length, ref.offset)
        except OSError:
            return None
        if len(data) != ref.length:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def close(self) -> None:
        for fd in self._fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds.clear()

    def names(self) -> set[str]:
        return {n for n in _listdir(self.folder) if n.endswith(_PACK_SUFFIX)}

    def sizes(self) -> dict[str, int]:
        return {n: _size(self.folder / n) for n in self.names()}

    def remove(self, names: Iterable[str]) -> None:
        for name in names:
            fd = self._fds.pop(name, None)
            if fd is not None:
                os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(self.folder / name)


class PackWriter:
    """Appends bodies to one new pack file; the refs are valid once ``close`` returned."""

    def __init__(self, folder: Path, name: str) -> None:
        self.name = name
        self.path = folder / name
        self._fh: Any = None
        self.offset = 0

    def add(self, text: str) -> BodyRef:
        data = text.encode("utf-8", "surrogatepass")
        if self._fh is None:
            self._fh = open(self.path, "wb")  # noqa: SIM115 - kept open across adds
        self._fh.write(data)
        ref = BodyRef(self.name, self.offset, len(data))
        self.offset += len(data)
        return ref

    def flush(self) -> None:
        """Hand what was added to the operating system: readable by other processes."""
        if self._fh is not None:
            self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


# --------------------------------------------------------------------------- fingerprints


def tree_fingerprint(folders: Iterable[Path]) -> str:
    """A hash of every file below ``folders``: relative name, size, modification time.

    Used for inputs read whole by the build (templates, catalogs, static files, the
    theme, presssite's own code), where a stat is as good as reading and much cheaper.
    """
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
                rel = entry.path[cut:]
                h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
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


# --------------------------------------------------------------------------- files


def file_identity(path: str | Path) -> tuple[int, int, int, int] | None:
    """Which file ``path`` is now: a rename over it, or a rewrite, changes this."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path``, then rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def intact(target: Path, manifest: Manifest) -> bool:
    """Whether ``target`` still holds every file of ``manifest`` as it was published."""
    return target.is_dir() and not target.is_symlink() and all(_unchanged(target, manifest))


def as_published(target: Path, manifest: Manifest) -> Manifest:
    """The rows of ``manifest`` whose file ``target`` still holds as it was published."""
    if not target.is_dir() or target.is_symlink():
        return {}
    same = _unchanged(target, manifest)
    return {rel: row for (rel, row), kept in zip(manifest.items(), same, strict=True) if kept}


def _unchanged(target: Path, manifest: Manifest) -> Iterator[bool]:
    """For each row of ``manifest``, in order, whether its file is as published.

    One ``lstat`` per file: a file edited, replaced or deleted by hand (or by another
    program) changes its inode, size or modification time.
    """
    root = str(target)
    for rel, (_, ino, size, mtime) in manifest.items():
        try:
            st = os.lstat(os.path.join(root, rel))
        except OSError:
            yield False
            continue
        yield (st.st_ino, st.st_size, st.st_mtime_ns) == (ino, size, mtime)


def _pread(fd: int, length: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, length, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # no pread (Windows): no fork either, one reader
    return os.read(fd, length)


def _mend(blob: str, data: bytes) -> None:
    """Replace a blob that a killed build left truncated (its size tells) by a new file."""
    if _size(blob) != len(data):
        write_atomic(Path(blob), data)


def _size(path: Path | str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return -1


def _listdir(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def live_pack_bytes(refs: Iterable[BodyRef]) -> Mapping[str, int]:
    """Bytes still referenced in each pack, to decide when to compact."""
    out: dict[str, int] = {}
    for ref in refs:
        out[ref.pack] = out.get(ref.pack, 0) + ref.length
    return out
